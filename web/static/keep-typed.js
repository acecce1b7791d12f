// What a visitor types into a form before the app has hydrated would be lost: hydration puts the
// server-rendered values back into the fields. On a slow phone that window lasts seconds. This
// records the fields touched until then; the root layout restores them once the page is live
// (see web/src/lib/keep-typed.ts). Loaded as a file, not inline, so the page's CSP stays strict.
;(function () {
  var touched = new Map()
  function remember(event) {
    var el = event.target
    if (!el || !el.name || !('value' in el) || el.type === 'file' || el.type === 'hidden') return
    touched.set(el, el.type === 'checkbox' || el.type === 'radio' ? { checked: el.checked } : { value: el.value })
  }
  document.addEventListener('input', remember, true)
  document.addEventListener('change', remember, true)
  window.__vernetztTouched = function () {
    document.removeEventListener('input', remember, true)
    document.removeEventListener('change', remember, true)
    delete window.__vernetztTouched
    return touched
  }
})()
