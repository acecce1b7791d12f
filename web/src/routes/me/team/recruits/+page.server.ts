import { error } from '@sveltejs/kit'
import type { RecruitsOnboardingPage } from '@vernetzt/shared/schemas/onboarding'
import { api } from '$lib/server/api'
import { openDirectChat } from '$lib/server/chat'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ fetch, url }) => {
  const cursor = url.searchParams.get('cursor')
  const res = await api<RecruitsOnboardingPage>(fetch, 'GET', `/me/recruits/onboarding?limit=20${cursor && /^\d+$/.test(cursor) ? `&cursor=${cursor}` : ''}`)
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  return { page: res.data }
}

export const actions: Actions = {
  // The direct conversation with the recruit: the one opened at join, or a new one if there is none.
  chat: openDirectChat,
}
