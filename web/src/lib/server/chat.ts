import { fail, redirect, type RequestEvent } from '@sveltejs/kit'
import type { Conversation } from '@vernetzt/shared/schemas/messages'
import { api } from './api'

/**
 * The form action behind every "Nachricht schreiben" button: opens the direct conversation with
 * the posted `handle` (the existing one, or a new one) and goes there.
 */
export async function openDirectChat({ request, fetch }: Pick<RequestEvent, 'request' | 'fetch'>) {
  const handle = String((await request.formData()).get('handle') ?? '').trim()
  const res = await api<Conversation>(fetch, 'POST', '/conversations', { participants: [handle] })
  if (!res.ok) return fail(res.status, { code: res.error.code, handle })
  redirect(303, `/messages/${res.data.id}`)
}
