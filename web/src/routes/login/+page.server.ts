import { fail, redirect } from '@sveltejs/kit'
import type { Me } from '@vernetzt/shared/schemas/auth'
import { localPath } from '@vernetzt/shared/urls'
import { api } from '$lib/server/api'
import { answerChallenge, challengeOf, codeStep } from '$lib/server/two-factor'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, '/home')
}

export const actions: Actions = {
  default: async ({ request, fetch, url }) => {
    const form = await request.formData()
    // The code step posts here too (the page's address keeps its ?next).
    if (form.has('challenge')) {
      const failed = await answerChallenge(fetch, form)
      if (failed) return fail(failed.status, { email: '', code: null, twoFactor: failed.step })
      redirect(303, localPath(url.searchParams.get('next'), '/home'))
    }
    const email = String(form.get('email') ?? '')
    const res = await api<Me>(fetch, 'POST', '/auth/login', { email, password: String(form.get('password') ?? '') })
    if (!res.ok) {
      const challenge = challengeOf(res.error)
      // The password was right; the page asks for the code next.
      if (challenge) return fail(401, { email, code: null, twoFactor: codeStep(challenge) })
      return fail(res.status, { email, code: res.error.code, twoFactor: null })
    }
    redirect(303, localPath(url.searchParams.get('next'), '/home'))
  },
}
