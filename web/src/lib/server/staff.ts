import { error, redirect } from '@sveltejs/kit'

/** The company inbox and the moderation queue: administrators and site moderators. Signed-out visitors sign in first. */
export function requireStaff(locals: App.Locals, url: URL): void {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`)
  if (locals.user.role !== 'admin' && !locals.user.moderator) error(403, { message: 'Administrators and moderators only', code: 'FORBIDDEN' })
}

/** The admin pages: signed-out visitors sign in first; members who are not administrators get a 403 page. */
export function requireAdmin(locals: App.Locals, url: URL): void {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`)
  if (locals.user.role !== 'admin') error(403, { message: 'Administrators only', code: 'FORBIDDEN' })
}
