import { fail, redirect } from '@sveltejs/kit'
import type { Me } from '@vernetzt/shared/schemas/auth'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' })

export const actions: Actions = {
  default: async ({ request, fetch }) => {
    const form = await request.formData()
    const res = await api<Me>(fetch, 'POST', '/auth/password-reset/confirm', {
      token: String(form.get('token') ?? ''),
      password: String(form.get('password') ?? ''),
    })
    if (!res.ok) return fail(res.status, { code: res.error.code })
    redirect(303, '/feed')
  },
}
