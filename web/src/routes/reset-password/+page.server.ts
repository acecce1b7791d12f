import { fail, redirect } from '@sveltejs/kit'
import type { Me } from '@vernetzt/shared/schemas/auth'
import { api } from '$lib/server/api'
import { answerChallenge, challengeOf, codeStep } from '$lib/server/two-factor'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' })

export const actions: Actions = {
  default: async ({ request, fetch }) => {
    const form = await request.formData()
    // The code step posts here too (the page's address keeps its ?next).
    if (form.has('challenge')) {
      const failed = await answerChallenge(fetch, form)
      if (failed) return fail(failed.status, { code: null, twoFactor: failed.step })
      redirect(303, '/feed')
    }
    const res = await api<Me>(fetch, 'POST', '/auth/password-reset/confirm', {
      token: String(form.get('token') ?? ''),
      password: String(form.get('password') ?? ''),
    })
    if (!res.ok) {
      // The new password is saved; with two-factor sign-in on, signing in needs the code too.
      const challenge = challengeOf(res.error)
      if (challenge) return fail(401, { code: null, twoFactor: codeStep(challenge) })
      return fail(res.status, { code: res.error.code, twoFactor: null })
    }
    redirect(303, '/feed')
  },
}
