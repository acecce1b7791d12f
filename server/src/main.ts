import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Server } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import { ConfigError, isLoopbackOrigin, loadConfig, type Config } from './config.ts'
import { DatabaseUnavailableError, openDatabase, type Database } from './db/connect.ts'
import { ensureIndexes } from './db/models.ts'
import { ensureAdmin, ensureRoot } from './modules/referrals/index.ts'
import { sweepExpiredSessions } from './modules/accounts/sessions.ts'
import { flushHeldPushes } from './modules/notifications/push.ts'
import { repairLedger } from './modules/commerce/ledger.ts'
import { migrateReports } from './modules/commerce/report-final.ts'
import { repairPendingJoins } from './modules/referrals/index.ts'
import { scheduleEveryone } from './modules/digest/index.ts'
import { feedWriter, migrateFeedHeads } from './modules/posts/index.ts'
import { migrateConversationIndex } from './modules/messaging/index.ts'
import { WEB_HEADERS, type NodeHandler } from './plugins/web.ts'
import { startMailpit, type DevMailServer } from './mail/mailpit.ts'
import { closeTransports } from './mail/outbox.ts'

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web')

/** The SvelteKit handler: Vite middleware with HMR in dev mode, the adapter-node build otherwise. */
async function loadWebHandler(config: Config, dev: boolean, httpServer: () => Server): Promise<{ handler: NodeHandler; close?: () => Promise<void> }> {
  // SvelteKit reads these through $env/dynamic; set before the handler is loaded.
  process.env.PUBLIC_BASE_DOMAIN = config.baseDomain
  process.env.PUBLIC_URL = config.publicUrl
  // adapter-node builds each request's URL from these headers, which the web plugin sets from
  // Fastify's own view of the request (so TRUST_PROXY is honoured in one place).
  process.env.PROTOCOL_HEADER = WEB_HEADERS.protocol
  process.env.HOST_HEADER = WEB_HEADERS.host
  process.env.ADDRESS_HEADER = WEB_HEADERS.address
  if (dev) {
    // SvelteKit finds svelte.config.js and src/ relative to the working directory. Paths in the
    // config (DATA_DIR) were made absolute at load time, so this changes nothing else.
    process.chdir(webDir)
    const { createServer } = await import('vite')
    const vite = await createServer({
      root: webDir,
      configFile: path.join(webDir, 'vite.config.ts'),
      // HMR shares the app's HTTP server: one port, and the page's CSP ('self') allows it.
      server: { middlewareMode: true, ws: { server: httpServer() } },
      appType: 'custom',
    })
    return { handler: vite.middlewares as unknown as NodeHandler, close: () => vite.close() }
  }
  const built = path.join(webDir, 'build', 'handler.js')
  if (!existsSync(built)) throw new Error(`The web app is not built (${built} is missing). Run \`npm start\` (which builds) or \`npm run build\`.`)
  const { handler } = (await import(pathToFileURL(built).href)) as { handler: NodeHandler }
  return { handler }
}

/** Start-up work every node may do at once: all of it is idempotent. */
export async function prepareData(app: FastifyInstance): Promise<void> {
  await ensureIndexes(app.ctx.models)
  await ensureRoot(app.ctx)
  if (app.ctx.config.admin) await ensureAdmin(app.ctx, app.ctx.config.admin)
  await repairPendingJoins(app.ctx)
  await migrateFeedHeads(app.ctx)
  await migrateConversationIndex(app.ctx)
  await migrateReports(app.ctx)
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const dev = argv.includes('--dev')
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
  let db: Database
  // Set once the app exists; until then a dying embedded database ends the start-up anyway.
  let log: (line: string, level?: 'warn' | 'info') => void = (line) => console.error(line)
  try {
    db = await openDatabase(config, {
      log: (line) => console.error(line),
      supervise: {
        down: (reason) => log(`The embedded database ${reason}; restarting it.`, 'warn'),
        up: (restarts) => log(`The embedded database is back (restart ${restarts}).`, 'info'),
        gaveUp: (reason) => {
          // One clear line, then exit: an outer supervisor (systemd, Kubernetes) takes over.
          console.error(`Vernetzt stops: ${reason}.`)
          process.exit(1)
        },
      },
    })
  } catch (error) {
    console.error(error instanceof DatabaseUnavailableError ? error.message : `Cannot start the database: ${(error as Error).message}`)
    process.exit(1)
  }
  // Without SMTP_URL, mail goes to the development mail server, started here like the database.
  let devMail: DevMailServer | undefined
  if (!config.mail.smtpUrl) {
    try {
      devMail = await startMailpit({ dataDir: config.dataDir, log: (line) => console.error(line) })
      config = { ...config, mail: { ...config.mail, smtpUrl: devMail.smtpUrl, devInbox: devMail.webUrl } }
    } catch (error) {
      // Mail waits in the outbox; everything else works. The log says why, at every start.
      console.error(`The development mail server could not start (${(error as Error).message}); mail stays queued. Set SMTP_URL to send mail.`)
    }
  }
  // The web handler is resolved after the app exists (Vite's HMR attaches to its server), so
  // the app gets a forwarding handler first.
  let web: Awaited<ReturnType<typeof loadWebHandler>> | undefined
  const app: FastifyInstance = await buildApp({ config, db, webHandler: (req, res, next) => web!.handler(req, res, next) })
  log = (line, level = 'warn') => app.log[level](line)
  try {
    web = await loadWebHandler(config, dev, () => app.server)
  } catch (error) {
    console.error((error as Error).message)
    await db.close()
    process.exit(1)
  }
  await prepareData(app)
  // Background jobs: this node takes its share of what is due (server/src/jobs).
  app.jobs.start()
  // Members from before digests existed get their first one (once per database, in the background).
  scheduleEveryone(app.ctx).catch((error) => app.log.warn({ err: error }, 'scheduling digests failed'))
  // Housekeeping that replaces what MongoDB would do with TTL indexes and transactions.
  const sweeper = setInterval(() => {
    sweepExpiredSessions(app.ctx).catch((error) => app.log.warn({ err: error }, 'session sweep failed'))
  }, 60 * 60_000)
  sweeper.unref()
  const repairer = setInterval(() => {
    repairPendingJoins(app.ctx).catch((error) => app.log.warn({ err: error }, 'join repair failed'))
    // An order a crash left half-credited or half-reversed is finished here.
    repairLedger(app.ctx).catch((error) => app.log.warn({ err: error }, 'ledger repair failed'))
  }, 5 * 60_000)
  repairer.unref()
  // Pushes held back for quiet hours go out in the minute after those end.
  let flushing = false
  const pusher = setInterval(() => {
    if (flushing) return // a catch-up after downtime may take longer than a minute
    flushing = true
    flushHeldPushes(app.ctx)
      .catch((error) => app.log.warn({ err: error }, 'flushing held pushes failed'))
      .finally(() => (flushing = false))
  }, 60_000)
  pusher.unref()

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    clearInterval(sweeper)
    clearInterval(repairer)
    clearInterval(pusher)
    // Running jobs finish first; one cut off by the forced exit runs again after its lease.
    await app.jobs.stop().catch(() => {})
    // What this node knows of feed ends, so the next start reads no stale hints.
    await feedWriter(app.ctx)
      .stop(app.ctx)
      .catch(() => {})
    await app.close().catch(() => {})
    await web?.close?.().catch(() => {})
    closeTransports()
    await devMail?.stop().catch(() => {})
    await db.close().catch(() => {})
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('uncaughtException', (error) => {
    app.log.fatal({ err: error }, 'uncaught exception')
    console.error(error) // the logger writes asynchronously; this line survives the exit below
    void db.close().finally(() => process.exit(1))
  })

  await app.listen({ port: config.port, host: config.host })
  app.log.info(`Vernetzt is running at ${config.publicUrl}${dev ? ' (dev mode, HMR)' : ''}`)
  if (config.mail.devInbox) {
    // A public site without SMTP_URL would send its mail nowhere: say so at every start.
    const level = isLoopbackOrigin(config.publicUrl) ? 'info' : 'warn'
    app.log[level](`Mail goes to the development mail server and reaches nobody; read it at ${config.mail.devInbox}. Set SMTP_URL to send mail.`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main()
}
