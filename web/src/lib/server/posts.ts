import { fail } from '@sveltejs/kit'
import type { Post } from '@vernetzt/shared/schemas/posts'
import { api } from './api'

/** The composer's form action, shared by the feed, marketplace and profile pages. */
export async function postAction(fetch: typeof globalThis.fetch, request: Request) {
  const form = await request.formData()
  const values = {
    body: String(form.get('body') ?? ''),
    kind: form.get('kind') === 'ad' ? ('ad' as const) : ('pr' as const),
    area: String(form.get('area') ?? 'feed'),
  }
  const groupId = String(form.get('groupId') ?? '')
  const area = values.area === 'group' ? { type: 'group', groupId } : { type: values.area }
  const res = await api<Post>(fetch, 'POST', '/posts', { body: values.body, kind: values.kind, area })
  if (!res.ok) return fail(res.status, { composer: { code: res.error.code, values } })
  return { posted: true }
}
