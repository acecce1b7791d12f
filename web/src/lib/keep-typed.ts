type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement
type Touched = Map<Field, { value: string } | { checked: boolean }>

/**
 * Puts back what the visitor typed before hydration (recorded by static/keep-typed.js). Runs once,
 * from the root layout's mount, which comes after every field's server value was re-applied.
 * Dispatching the input event lets fields bound to component state pick the text up as well.
 */
export function restoreTyped(): void {
  const take = (window as unknown as { __vernetztTouched?: () => Touched }).__vernetztTouched
  if (!take) return
  for (const [recorded, state] of take()) {
    // Hydration keeps the server's elements; should it have re-rendered, find the field by name.
    const el = recorded.isConnected ? recorded : sameField(recorded)
    if (!el) continue
    if ('checked' in state) {
      if (!(el instanceof HTMLInputElement) || el.checked === state.checked) continue
      el.checked = state.checked
      el.dispatchEvent(new Event('change', { bubbles: true }))
    } else if (el.value !== state.value) {
      el.value = state.value
      el.dispatchEvent(new Event('input', { bubbles: true }))
    }
  }
}

function sameField(old: Field): Field | null {
  const action = old.form?.getAttribute('action')
  const candidates = [...document.querySelectorAll<Field>(`[name="${CSS.escape(old.name)}"]`)].filter(
    (el) => el.tagName === old.tagName && el.form?.getAttribute('action') === action,
  )
  return candidates.length === 1 ? candidates[0]! : null
}
