import { env } from '$env/dynamic/public'
import type { LayoutServerLoad } from './$types'

export const load: LayoutServerLoad = ({ locals }) => {
  return {
    user: locals.user,
    lang: locals.lang,
    consent: locals.consent,
    publicUrl: env.PUBLIC_URL ?? '',
    baseDomain: env.PUBLIC_BASE_DOMAIN ?? '',
  }
}
