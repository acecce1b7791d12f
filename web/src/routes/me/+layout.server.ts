import { redirect } from '@sveltejs/kit'
import type { LayoutServerLoad } from './$types'

/** Everything under /me is for signed-in members. */
export const load: LayoutServerLoad = ({ locals, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`)
  return { me: locals.user }
}
