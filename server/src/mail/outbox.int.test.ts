import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { settle, startTestServer, type TestServer } from '../../test/harness.ts'
import { mailHeaders, mailsTo, readMail, waitForMails } from '../../test/mailpit.ts'
import { startMailpit, type DevMailServer } from './mailpit.ts'
import { isSuppressed, queueMail, sealMail, unsealMail, type MailMessage } from './outbox.ts'
import { renderMail } from './render.ts'

const here = path.dirname(fileURLToPath(import.meta.url))

function mail(to: string, id = `test:${randomBytes(6).toString('hex')}`): MailMessage {
  return {
    id,
    kind: 'test',
    to,
    ...renderMail('de', 'Vernetzt', { subject: `Betreff ${id}`, name: 'Anna', paragraphs: ['Ein Absatz mit <b>Zeichen</b> & mehr.'] }),
  }
}

const address = () => `outbox-${randomBytes(5).toString('hex')}@example.org`

describe('the mail outbox against a real SMTP server (Mailpit)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server?.close())

  it('sends a queued mail once, multipart, with a stable Message-ID, however often it is queued', async () => {
    const to = address()
    const m = mail(to)
    expect(await queueMail(server.app.ctx, m)).toBe(true)
    expect(await queueMail(server.app.ctx, m)).toBe(false)
    await settle(server)
    const arrived = await waitForMails(to)
    await new Promise((r) => setTimeout(r, 300))
    expect(await mailsTo(to)).toHaveLength(1)
    const detail = await readMail(arrived[0]!.ID)
    expect(detail.Subject).toBe(m.subject)
    expect(detail.Text).toContain('Hallo Anna,')
    expect(detail.Text).toContain('Ein Absatz mit <b>Zeichen</b> & mehr.')
    // The HTML part escapes what the text says and carries its styles inline (juice).
    expect(detail.HTML).toContain('Ein Absatz mit &lt;b&gt;Zeichen&lt;/b&gt; &amp; mehr.')
    expect(detail.HTML).toMatch(/<div class="card" style="[^"]*max-width: 560px/)
    const delivery = await server.app.ctx.models.MailDelivery.findById(m.id).lean()
    expect(delivery).toMatchObject({ state: 'sent', attempts: 1, to })
    expect(`<${detail.MessageID}>`).toBe(delivery!.messageId)
    // Essential mail has no unsubscribe header.
    expect((await mailHeaders(arrived[0]!.ID))['List-Unsubscribe']).toBeUndefined()
  })

  it('gives non-essential mail one-click unsubscribe headers (RFC 8058)', async () => {
    const to = address()
    await queueMail(server.app.ctx, { ...mail(to), unsubscribeUrl: 'https://vernetzt.example/unsubscribe?t=abc' })
    await settle(server)
    const [arrived] = await waitForMails(to)
    const headers = await mailHeaders(arrived!.ID)
    expect(headers['List-Unsubscribe']).toEqual(['<https://vernetzt.example/unsubscribe?t=abc>'])
    expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click'])
  })

  it('keeps the content sealed in the database: a leaked job holds no readable link', async () => {
    const to = address()
    const m = { ...mail(to), text: 'https://vernetzt.example/verify-email?token=secret-token-123' }
    await queueMail(server.app.ctx, m)
    const job = await server.app.ctx.models.Job.findOne({ _id: `mail.send:${m.id}` }).lean()
    expect(JSON.stringify(job)).not.toContain('secret-token-123')
    const payload = job!.payload as { sealed: string }
    expect(unsealMail(server.config.sessionSecret, payload.sealed).text).toBe(m.text)
    expect(() => unsealMail('another-secret-another-secret-another!', payload.sealed)).toThrow()
    expect(sealMail(server.config.sessionSecret, m)).not.toBe(sealMail(server.config.sessionSecret, m))
    await settle(server)
  })

  it('does not send again a mail that went out before its job was marked done', async () => {
    const to = address()
    const m = mail(to)
    // As if a node sent it and died before finishing the job: the delivery says sent, the job is due.
    await server.app.ctx.models.MailDelivery.create({
      _id: m.id,
      kind: 'test',
      to,
      state: 'sent',
      attempts: 1,
      messageId: '<x@y>',
      response: '250 Ok',
      updatedAt: new Date(),
    })
    await queueMail(server.app.ctx, m)
    await settle(server)
    expect((await server.app.jobs.get('mail.send', m.id))?.state).toBe('done')
    await new Promise((r) => setTimeout(r, 500))
    expect(await mailsTo(to)).toHaveLength(0)
  })
})

describe('an address the mail server refuses for good', () => {
  let server: TestServer
  let strict: DevMailServer
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-strict-mail-'))
    // A mail server that knows only @example.org mailboxes: every other recipient gets 550.
    strict = await startMailpit({ dataDir: dir, freePorts: true, extraArgs: ['--smtp-allowed-recipients=@example\\.org$'] })
    server = await startTestServer({
      config: { mail: { smtpUrl: strict.smtpUrl, from: 'Vernetzt <noreply@vernetzt.example>', devInbox: undefined, missedAfterMs: 15 * 60_000 } },
    })
  })
  afterAll(async () => {
    await server?.close()
    await strict?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('marks the address after a 550 to RCPT TO, does not retry, and queues nothing more for it', async () => {
    const to = `gone-${randomBytes(4).toString('hex')}@nowhere.test`
    const first = mail(to)
    expect(await queueMail(server.app.ctx, first)).toBe(true)
    await settle(server)
    const delivery = await server.app.ctx.models.MailDelivery.findById(first.id).lean()
    expect(delivery?.state).toBe('rejected')
    expect(delivery?.response).toMatch(/^RCPT TO 550/)
    expect(await server.app.jobs.get('mail.send', first.id)).toMatchObject({ state: 'done', attempts: 1 })
    expect(await isSuppressed(server.app.ctx, to.toUpperCase())).toBe(true)
    expect(await queueMail(server.app.ctx, mail(to))).toBe(false)
    // Other addresses still get their mail.
    const fine = address()
    await queueMail(server.app.ctx, mail(fine))
    await settle(server)
    expect(await waitForMails(fine, 1, { base: strict.webUrl })).toHaveLength(1)
  })

  it('retries a mail server that is not there, and sends once it is', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port
        s.close(() => resolve(port))
      })
    })
    const to = address()
    const m = mail(to)
    const ctx = server.app.ctx
    const saved = ctx.config.mail
    ctx.config.mail = { ...saved, smtpUrl: `smtp://127.0.0.1:${closed}` }
    try {
      await queueMail(ctx, m)
      const deadline = Date.now() + 20_000
      while ((await server.app.jobs.get('mail.send', m.id))?.attempts !== 1 || (await server.app.jobs.get('mail.send', m.id))?.state === 'running') {
        if (Date.now() > deadline) throw new Error('the first attempt did not finish')
        await new Promise((r) => setTimeout(r, 100))
      }
      const job = await server.app.jobs.get('mail.send', m.id)
      expect(job?.state).toBe('pending') // waiting for its backoff
      expect(job?.lastError).toMatch(/ECONNREFUSED/)
      const wait = new Date(job!.runAt).getTime() - Date.now()
      expect(wait).toBeGreaterThan(20_000)
      expect(wait).toBeLessThanOrEqual(30_000)
    } finally {
      ctx.config.mail = saved
    }
    // The second attempt, 30 s later, finds the server.
    expect(await waitForMails(to, 1, { base: strict.webUrl, ms: 45_000 })).toHaveLength(1)
    await settle(server)
    expect(await ctx.models.MailDelivery.findById(m.id).lean()).toMatchObject({ state: 'sent', attempts: 2 })
  }, 60_000)
})

describe('a node killed while sending a mail', () => {
  let server: TestServer
  let tarpit: net.Server
  afterAll(async () => {
    await server?.close()
    tarpit?.close()
  })

  it('leaves it to another node, which sends it exactly once', async () => {
    server = await startTestServer()
    await server.app.jobs.stop() // this node waits until the worker has died
    // An SMTP server that greets and then never answers: the worker hangs inside the transaction.
    const sockets = new Set<net.Socket>()
    tarpit = net.createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.write('220 tarpit ESMTP\r\n')
    })
    await new Promise<void>((resolve) => tarpit.listen(0, '127.0.0.1', resolve))
    const tarpitUrl = `smtp://127.0.0.1:${(tarpit.address() as net.AddressInfo).port}`
    const to = address()
    const m = mail(to)
    await queueMail(server.app.ctx, m)

    const worker = spawn(process.execPath, [path.join(here, '../../test/job-worker.ts')], {
      env: { ...process.env, MONGODB_URI: inject('mongoUri'), WORKER_DB: server.db.connection.name, SMTP_URL: tarpitUrl },
      stdio: 'ignore',
    })
    const exited = new Promise((resolve) => worker.once('exit', resolve))
    const deadline = Date.now() + 30_000
    while ((await server.app.ctx.models.MailDelivery.findById(m.id).lean())?.state !== 'sending') {
      if (Date.now() > deadline) throw new Error('the worker never started sending')
      await new Promise((r) => setTimeout(r, 20))
    }
    worker.kill('SIGKILL')
    await exited
    for (const s of sockets) s.destroy()

    // This node takes over once the dead worker's lease (15 s) has run out.
    server.app.jobs.start()
    await waitForMails(to, 1, { ms: 45_000 })
    await settle(server)
    await new Promise((r) => setTimeout(r, 300))
    expect(await mailsTo(to)).toHaveLength(1)
    const delivery = await server.app.ctx.models.MailDelivery.findById(m.id).lean()
    expect(delivery).toMatchObject({ state: 'sent', attempts: 2 })
    expect((await server.app.jobs.get('mail.send', m.id))?.state).toBe('done')
  }, 90_000)
})
