import { redirect } from '@sveltejs/kit'
import type { PageServerLoad } from './$types'

// Signed-in members start at their home; the landing page is for visitors.
export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, '/home')
}
