import { fail } from '@sveltejs/kit'
import type { Profile } from '@vernetzt/shared/schemas/profiles'
import { api, errorField } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ fetch, parent }) => {
  const { me } = await parent()
  const [res, welcome] = await Promise.all([
    api<Profile>(fetch, 'GET', `/profiles/${me.handle}`),
    api<{ text: string | null; defaultText: string }>(fetch, 'GET', '/me/welcome'),
  ])
  if (!res.ok) throw new Error(res.error.message)
  return { profile: res.data, welcome: welcome.ok ? welcome.data : { text: null, defaultText: '' } }
}

/** "Blog | https://…" per line → [{ label, url }]; a line without "|" uses the URL as label. */
function parseLinks(text: string) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [label, ...rest] = line.split('|')
      const url = rest.join('|').trim()
      return url ? { label: label!.trim(), url } : { label: line.replace(/^https?:\/\//, '').slice(0, 40), url: line }
    })
}

export const actions: Actions = {
  save: async ({ request, fetch }) => {
    const form = await request.formData()
    const values = {
      displayName: String(form.get('displayName') ?? ''),
      bio: String(form.get('bio') ?? ''),
      location: String(form.get('location') ?? ''),
      languages: String(form.get('languages') ?? ''),
      links: String(form.get('links') ?? ''),
    }
    const res = await api<Profile>(fetch, 'PATCH', '/me/profile', {
      displayName: values.displayName,
      bio: values.bio,
      location: values.location,
      languages: values.languages
        .split(/[,\s]+/)
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
      links: parseLinks(values.links),
    })
    if (!res.ok) return fail(res.status, { action: 'save', values, code: res.error.code, field: errorField(res.error), message: res.error.message })
    return { action: 'save', saved: true }
  },
  welcome: async ({ request, fetch }) => {
    const form = await request.formData()
    const text = String(form.get('welcome') ?? '').trim()
    const res = await api(fetch, 'PUT', '/me/welcome', { text: text || null })
    if (!res.ok) return fail(res.status, { action: 'welcome', code: res.error.code })
    return { action: 'welcome', saved: true }
  },
  avatar: async ({ request, fetch }) => {
    const form = await request.formData()
    const file = form.get('avatar')
    if (!(file instanceof File) || file.size === 0) return fail(400, { action: 'avatar', code: 'VALIDATION_FAILED' })
    const upload = new FormData()
    upload.append('avatar', file, file.name)
    const res = await fetch('/api/v1/me/avatar', { method: 'PUT', body: upload })
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null
      return fail(res.status, { action: 'avatar', code: body?.error?.code ?? 'INTERNAL' })
    }
    return { action: 'avatar', saved: true }
  },
}
