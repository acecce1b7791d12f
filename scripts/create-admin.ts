/**
 * Creates an administrator (or promotes an existing member): the only way besides ADMIN_EMAIL
 * at start-up. There is deliberately no HTTP endpoint for this.
 *
 *   npm run admin:create -- --email chef@example.org --password '…' [--handle chef] [--name 'Chefin']
 */
import { AppError } from '@vernetzt/shared/errors'
import { flags, openContext } from '../server/src/cli.ts'
import { ensureAdmin } from '../server/src/modules/referrals/index.ts'

const args = flags()
if (!args.email || !args.password || args.password.length < 10) {
  console.error('Usage: npm run admin:create -- --email <email> --password <at least 10 characters> [--handle <handle>] [--name <display name>]')
  process.exit(2)
}
const { ctx, close } = await openContext()
try {
  const admin = await ensureAdmin(ctx, {
    email: args.email,
    password: args.password,
    ...(args.handle ? { handle: args.handle } : {}),
    ...(args.name ? { displayName: args.name } : {}),
  })
  console.log(`Administrator ready: ${admin.email} (@${admin.handle})`)
  if (!admin.twoFactor?.enabledAt) {
    console.log('Administrators need two-factor sign-in: sign in and turn it on under Settings → Sicherheit; until then the account acts as a partner.')
  }
} catch (error) {
  console.error(error instanceof AppError ? `${error.code}: ${error.message}` : error)
  process.exitCode = 1
} finally {
  await close()
}
