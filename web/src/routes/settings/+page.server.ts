import { redirect } from '@sveltejs/kit'
import { CONSENT_COOKIE, LANG_COOKIE, forgetReferral, rememberReferral, setPreference } from '$lib/server/cookies'
import { isLang } from '$lib/i18n'
import { localPath } from '@vernetzt/shared/urls'
import type { Actions, PageServerLoad } from './$types'

/** Only paths on this site: never an open redirect. */
const backTo = (value: FormDataEntryValue | null): string => localPath(value)

export const load: PageServerLoad = () => redirect(303, '/')

export const actions: Actions = {
  lang: async ({ request, cookies, url }) => {
    const form = await request.formData()
    const lang = form.get('lang')
    if (isLang(lang)) setPreference(cookies, url, LANG_COOKIE, lang)
    redirect(303, backTo(form.get('redirect')))
  },
  consent: async ({ request, cookies, url }) => {
    const form = await request.formData()
    const choice = form.get('consent') === 'all' ? 'all' : 'necessary'
    setPreference(cookies, url, CONSENT_COOKIE, choice)
    const back = backTo(form.get('redirect'))
    if (choice === 'all') {
      // The page the visitor consented on may carry the referral: keep it now.
      const target = new URL(back, url)
      const ref = target.searchParams.get('ref') ?? /^\/p\/([a-z0-9-]{3,30})$/.exec(target.pathname)?.[1]
      if (ref) rememberReferral(cookies, url, ref)
    } else {
      forgetReferral(cookies, url)
    }
    redirect(303, back)
  },
}
