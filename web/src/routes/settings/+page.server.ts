import { redirect } from '@sveltejs/kit'
import { CONSENT_COOKIE, LANG_COOKIE, REF_COOKIE, REF_DAYS } from '$lib/cookies'
import { isLang } from '$lib/i18n'
import type { Actions, PageServerLoad } from './$types'

const YEAR = 365 * 86_400

/** Only local paths: never an open redirect. */
function backTo(value: FormDataEntryValue | null): string {
  const path = typeof value === 'string' ? value : '/'
  return path.startsWith('/') && !path.startsWith('//') ? path : '/'
}

export const load: PageServerLoad = () => redirect(303, '/')

export const actions: Actions = {
  lang: async ({ request, cookies }) => {
    const form = await request.formData()
    const lang = form.get('lang')
    if (isLang(lang)) cookies.set(LANG_COOKIE, lang, { path: '/', maxAge: YEAR, httpOnly: false, sameSite: 'lax' })
    redirect(303, backTo(form.get('redirect')))
  },
  consent: async ({ request, cookies, url }) => {
    const form = await request.formData()
    const choice = form.get('consent') === 'all' ? 'all' : 'necessary'
    cookies.set(CONSENT_COOKIE, choice, { path: '/', maxAge: YEAR, httpOnly: false, sameSite: 'lax' })
    const back = backTo(form.get('redirect'))
    if (choice === 'all') {
      // The page the visitor consented on may carry the referral: keep it now.
      const target = new URL(back, url)
      const ref = target.searchParams.get('ref') ?? /^\/p\/([a-z0-9-]{3,30})$/.exec(target.pathname)?.[1]
      if (ref) cookies.set(REF_COOKIE, ref.toLowerCase(), { path: '/', maxAge: REF_DAYS * 86_400, httpOnly: true, sameSite: 'lax' })
    } else {
      cookies.delete(REF_COOKIE, { path: '/' })
    }
    redirect(303, back)
  },
}
