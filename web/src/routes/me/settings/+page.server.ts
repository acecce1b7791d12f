import { fail, redirect } from '@sveltejs/kit'
import type { NotificationSettings } from '@vernetzt/shared/schemas/notifications'
import { api, errorField } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

/** GET/PUT /api/v1/me/privacy (messaging module). */
interface Privacy {
  readReceipts: boolean
  presence: boolean
}

/** IANA zones for the picker; the member's own is always in it. */
function timeZones(current: string): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'))
  zones.add('UTC')
  zones.add(current)
  return [...zones].sort()
}

export const load: PageServerLoad = async ({ fetch, url }) => {
  const [settings, privacy, key] = await Promise.all([
    api<NotificationSettings>(fetch, 'GET', '/me/notification-settings'),
    api<Privacy>(fetch, 'GET', '/me/privacy'),
    api<{ publicKey: string }>(fetch, 'GET', '/push/key'),
  ])
  if (!settings.ok) throw new Error(settings.error.message)
  return {
    upgraded: url.searchParams.get('upgraded') === '1',
    settings: settings.data,
    privacy: privacy.ok ? privacy.data : null,
    pushKey: key.ok ? key.data.publicKey : null,
    timeZones: timeZones(settings.data.quietHours.timeZone),
  }
}

export const actions: Actions = {
  quiet: async ({ request, fetch }) => {
    const form = await request.formData()
    const values = {
      enabled: form.get('enabled') === 'on',
      start: String(form.get('start') ?? ''),
      end: String(form.get('end') ?? ''),
      timeZone: String(form.get('timeZone') ?? ''),
    }
    const res = await api<NotificationSettings>(fetch, 'PUT', '/me/notification-settings', { quietHours: values })
    if (!res.ok) return fail(res.status, { action: 'quiet', values, code: res.error.code, field: errorField(res.error) })
    return { action: 'quiet', saved: true }
  },
  mail: async ({ request, fetch }) => {
    const form = await request.formData()
    const res = await api<NotificationSettings>(fetch, 'PUT', '/me/notification-settings', {
      mail: { messages: form.get('messages') === 'on', digest: (['daily', 'weekly', 'off'] as const).find((d) => d === form.get('digest')) ?? 'weekly' },
    })
    if (!res.ok) return fail(res.status, { action: 'mail', code: res.error.code })
    return { action: 'mail', saved: true }
  },
  // A customer becomes a partner: same account, sponsor and orders.
  upgrade: async ({ fetch }) => {
    const res = await api<unknown>(fetch, 'POST', '/me/become-partner', {})
    if (!res.ok) return fail(res.status, { action: 'upgrade', code: res.error.code })
    // A new request, so that the page (and the menu) see the new role.
    redirect(303, '/me/settings?upgraded=1')
  },
  privacy: async ({ request, fetch }) => {
    const form = await request.formData()
    const body: Privacy = { readReceipts: form.get('readReceipts') === 'on', presence: form.get('presence') === 'on' }
    const res = await api<Privacy>(fetch, 'PUT', '/me/privacy', body)
    if (!res.ok) return fail(res.status, { action: 'privacy', code: res.error.code })
    return { action: 'privacy', saved: true }
  },
}
