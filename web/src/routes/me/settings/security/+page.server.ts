import { fail } from '@sveltejs/kit'
import type { Me, RecoveryCodes, SessionInfo, TwoFactorSetup, TwoFactorStatus } from '@vernetzt/shared/schemas/auth'
import { api, errorField } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ fetch }) => {
  const [res, twoFactor] = await Promise.all([
    api<{ sessions: SessionInfo[] }>(fetch, 'GET', '/me/sessions'),
    api<TwoFactorStatus>(fetch, 'GET', '/me/two-factor'),
  ])
  if (!res.ok) throw new Error(res.error.message)
  if (!twoFactor.ok) throw new Error(twoFactor.error.message)
  return { sessions: res.data.sessions, twoFactor: twoFactor.data }
}

const codeOf = (form: FormData) => String(form.get('code') ?? '').trim()

export const actions: Actions = {
  password: async ({ request, fetch }) => {
    const form = await request.formData()
    const res = await api<Me>(fetch, 'PUT', '/me/password', { current: String(form.get('current') ?? ''), password: String(form.get('password') ?? '') })
    if (!res.ok) return fail(res.status, { action: 'password', code: res.error.code, field: errorField(res.error) })
    return { action: 'password', done: true }
  },
  signOut: async ({ request, fetch }) => {
    const id = String((await request.formData()).get('id') ?? '')
    const res = await api<{ ok: true }>(fetch, 'DELETE', `/me/sessions/${encodeURIComponent(id)}`)
    if (!res.ok) return fail(res.status, { action: 'signOut', code: res.error.code })
    return { action: 'signOut', done: true }
  },
  email: async ({ request, fetch }) => {
    const form = await request.formData()
    const email = String(form.get('email') ?? '').trim()
    const res = await api<{ pendingEmail: string }>(fetch, 'PUT', '/me/email', { email, password: String(form.get('password') ?? '') })
    if (!res.ok) return fail(res.status, { action: 'email', code: res.error.code, email })
    return { action: 'email', done: true, pendingEmail: res.data.pendingEmail }
  },
  // Two-factor sign-in: a new key (shown as a QR code), turned on by a code from the app.
  setup: async ({ fetch }) => {
    const res = await api<TwoFactorSetup>(fetch, 'POST', '/me/two-factor/setup', {})
    if (!res.ok) return fail(res.status, { action: 'setup', code: res.error.code })
    return { action: 'setup', setup: res.data }
  },
  enable: async ({ request, fetch }) => {
    const form = await request.formData()
    const res = await api<RecoveryCodes>(fetch, 'POST', '/me/two-factor/enable', { code: codeOf(form) })
    if (!res.ok) {
      // A wrong code keeps the same QR code on the page (the setup's key stays for a while).
      const again = res.error.code === 'TWO_FACTOR_CODE_WRONG' ? await api<TwoFactorSetup>(fetch, 'POST', '/me/two-factor/setup', {}) : null
      return fail(res.status, { action: 'enable', code: res.error.code, setup: again?.ok ? again.data : null })
    }
    return { action: 'enable', done: true, codes: res.data.codes }
  },
  renew: async ({ request, fetch }) => {
    const res = await api<RecoveryCodes>(fetch, 'POST', '/me/two-factor/recovery-codes', { code: codeOf(await request.formData()) })
    if (!res.ok) return fail(res.status, { action: 'renew', code: res.error.code })
    return { action: 'renew', done: true, codes: res.data.codes }
  },
  disable: async ({ request, fetch }) => {
    const form = await request.formData()
    const res = await api<{ ok: true }>(fetch, 'POST', '/me/two-factor/disable', { password: String(form.get('password') ?? ''), code: codeOf(form) })
    if (!res.ok) return fail(res.status, { action: 'disable', code: res.error.code })
    return { action: 'disable', done: true }
  },
  everywhere: async ({ fetch }) => {
    const res = await api<{ ok: true }>(fetch, 'POST', '/me/sessions/end-all', {})
    if (!res.ok) return fail(res.status, { action: 'everywhere', code: res.error.code })
    return { action: 'everywhere', done: true }
  },
}
