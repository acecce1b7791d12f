/**
 * The built app as in production (its own process, a fresh embedded database) with the demo
 * network seeded into it, for scripts that look at it as members would (Lighthouse, the
 * README's screenshots). `cookieFor` signs a demo member in; `stop` ends the server and removes
 * its data.
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/config.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { findMemberByHandle, findRoot } from '../../server/src/modules/accounts/lookup.ts'
import { SESSION_COOKIE, createSession } from '../../server/src/modules/accounts/sessions.ts'
import { messagingIdle } from '../../server/src/modules/messaging/index.ts'
import { killOnExit, serverEnv, startProcess } from '../load/processes.ts'
import { rng, seedDemo } from './seed.ts'
import { seedShop } from './shop.ts'
import { seedSocial } from './social.ts'

export interface DemoServer {
  url: string
  /** A session cookie of the demo member `handle` (with cookie consent given: "necessary"). */
  cookieFor(handle: string): Promise<string>
  stop(): Promise<void>
}

export async function startDemoServer(name: string, log: (line: string) => void): Promise<DemoServer> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
  if (!existsSync(path.join(root, 'web', 'build', 'handler.js'))) {
    console.error('The server runs as in production and needs the built web app: run `npm run build` first.')
    process.exit(2)
  }
  const secret = `${name}-secret-`.padEnd(40, 'x')
  const runDir = await mkdtemp(path.join(os.tmpdir(), `vernetzt-${name}-`))
  const dataDir = path.join(runDir, 'data')
  const children = new Set<ChildProcess>()
  killOnExit(children)
  log('starting the server (its own process, fresh embedded database)…')
  const server = await startProcess({
    name: 'vernetzt',
    script: 'server/src/main.ts',
    env: serverEnv(dataDir, secret),
    ready: async (url) => (await fetch(`${url}/healthz`)).ok,
    runDir,
    children,
  })
  // The seed writes through an app of its own on the server's database (it borrows the embedded
  // FerretDB), as a few hundred members at once: no rate limits for it.
  const config = loadConfig({
    DATA_DIR: dataDir,
    SESSION_SECRET: secret,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: server.url,
    WRITE_RATE_LIMIT: '1000000',
    CONTENT_RATE_LIMIT: '1000000',
    MESSAGE_RATE_LIMIT: '1000000',
  })
  const db = await openDatabase(config)
  const app = await buildApp({ config, db, logger: false })
  await app.ready()
  const { ctx } = app
  log('seeding the demo network…')
  await seedDemo(ctx, 320)
  const company = await findRoot(ctx)
  await seedShop(ctx, Math.random, { id: company!._id.toString(), handle: company!.handle })
  await seedSocial(app, rng(20_261_204))
  await messagingIdle(ctx)
  // The server's job runner delivers the posts into the feeds: wait until it has (at most 2 min).
  log('waiting for the feed deliveries…')
  const due = () => ctx.models.Job.countDocuments({ state: { $in: ['pending', 'running'] }, runAt: { $lte: new Date() } })
  for (const deadline = Date.now() + 120_000; (await due()) > 0 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 500))
  return {
    url: server.url,
    async cookieFor(handle) {
      const member = await findMemberByHandle(ctx, handle, { _id: 1 })
      if (!member) throw new Error(`the demo network has no ${handle}`)
      const { token } = await createSession(ctx, member._id, { userAgent: name })
      return `${SESSION_COOKIE}=${token}; vz_consent=necessary`
    },
    async stop() {
      await app.close()
      await db.close()
      await server.stop()
      await rm(runDir, { recursive: true, force: true })
    },
  }
}
