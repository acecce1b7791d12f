/** Toasts: one short line in view after an action (saved, sent, failed), or a live event with a link. */
export interface ToastItem {
  id: number
  text: string
  tone: 'success' | 'error' | 'info'
  href?: string
}

export const toasts = $state<{ items: ToastItem[] }>({ items: [] })
let next = 0

export function toast(text: string, options: { tone?: ToastItem['tone']; href?: string; ms?: number } = {}): void {
  const id = ++next
  toasts.items.push({ id, text, tone: options.tone ?? 'success', ...(options.href ? { href: options.href } : {}) })
  setTimeout(() => dismiss(id), options.ms ?? 6000)
}

export function dismiss(id: number): void {
  toasts.items = toasts.items.filter((t) => t.id !== id)
}
