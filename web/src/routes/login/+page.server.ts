import { fail, redirect } from '@sveltejs/kit'
import type { Me } from '@vernetzt/shared/schemas/auth'
import { localPath } from '@vernetzt/shared/urls'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, '/')
}

export const actions: Actions = {
  default: async ({ request, fetch, url }) => {
    const form = await request.formData()
    const email = String(form.get('email') ?? '')
    const res = await api<Me>(fetch, 'POST', '/auth/login', { email, password: String(form.get('password') ?? '') })
    if (!res.ok) return fail(res.status, { email, code: res.error.code })
    redirect(303, localPath(url.searchParams.get('next')))
  },
}
