import { error, redirect } from '@sveltejs/kit'
import type { Conversation } from '@vernetzt/shared/schemas/messages'
import { api } from '$lib/server/api'
import type { PageServerLoad } from './$types'

/** The group's chat room lives among the messages; this opens it (made on first use) for members. */
export const load: PageServerLoad = async ({ locals, fetch, params, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const res = await api<Conversation>(fetch, 'GET', `/groups/${encodeURIComponent(params.slug)}/chat`)
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  redirect(303, `/messages/${res.data.id}`)
}
