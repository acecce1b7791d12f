import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminClient, Client, makeMember, settle, startTestServer, type TestServer } from '../../../test/harness.ts'

let server: TestServer
let admin: Client
beforeAll(async () => {
  server = await startTestServer()
  admin = await adminClient(server, { email: 'ci-admin@example.org', password: 'admin password 1', handle: 'ci-admin' })
})
afterAll(async () => server?.close())

interface Conv {
  id: string
  participants: Array<{ handle: string; displayName: string }>
  unread: number
  lastMessage: { text: string } | null
}
const company = () => server.config.root.handle
const withCompany = (items: Conv[]) => items.find((c) => c.participants.some((p) => p.handle === company()))

describe('the company inbox', () => {
  it('welcomes a member who joined without a sponsor from the company, in their language, and staff answer as the company', async () => {
    const jan = await makeMember(server, { handle: 'ci-jan', displayName: 'Jan Direkt', lang: 'en' })
    const greta = await makeMember(server, { handle: 'ci-greta', displayName: 'Greta Direkt' })
    await settle(server)
    const jans = withCompany((await jan.client.get('/api/v1/conversations')).body.items)!
    expect(jans.participants.find((p) => p.handle === company())!.displayName).toBe(server.config.root.displayName)
    const welcome = (await jan.client.get(`/api/v1/conversations/${jans.id}/messages`)).body.items[0]
    expect(welcome.html).toContain(`Hi Jan Direkt, welcome to ${server.config.root.displayName}!`)
    const gretas = withCompany((await greta.client.get('/api/v1/conversations')).body.items)!
    expect((await greta.client.get(`/api/v1/conversations/${gretas.id}/messages`)).body.items[0].html).toContain('Hallo Greta Direkt, herzlich willkommen bei')

    // Jan asks; a site moderator sees it in the inbox, unread.
    const asked = await jan.client.post(`/api/v1/conversations/${jans.id}/messages`, {
      body: 'How do I get my first commission?',
      clientMessageId: 'ci-jan-question-1',
    })
    expect(asked.status).toBe(201)
    const mod = await makeMember(server, { handle: 'ci-mod', displayName: 'Mona Support' })
    expect((await mod.client.get('/api/v1/admin/inbox')).body.error.code).toBe('FORBIDDEN')
    await admin.request('PUT', '/api/v1/admin/members/ci-mod/standing', { standing: 'moderator', reason: 'Beantwortet das Firmenpostfach' })
    const inbox = (await mod.client.get('/api/v1/admin/inbox')).body.items as Conv[]
    const row = inbox.find((c) => c.id === jans.id)!
    expect(row).toMatchObject({ unread: 1, lastMessage: { text: 'How do I get my first commission?' } })
    expect(inbox.some((c) => c.id === gretas.id)).toBe(true)

    // The answer comes from the company; the staff see who wrote it.
    const answer = await mod.client.post(`/api/v1/admin/inbox/${jans.id}/messages`, {
      body: 'From your first sale on – we will show you how.',
      clientMessageId: 'ci-answer-1',
    })
    expect(answer.status).toBe(201)
    expect(answer.body.author.handle).toBe(company())
    const seen = (await jan.client.get(`/api/v1/conversations/${jans.id}/messages`)).body.items
    expect(seen.at(-1)).toMatchObject({
      author: { handle: company(), displayName: server.config.root.displayName },
      html: expect.stringContaining('From your first sale on'),
    })
    const staffView = (await admin.get(`/api/v1/admin/inbox/${jans.id}/messages`)).body
    expect(staffView.answeredBy).toEqual({ [String(answer.body.seq)]: 'ci-mod' })
    // Answering read the question for the company.
    expect(((await admin.get('/api/v1/admin/inbox')).body.items as Conv[]).find((c) => c.id === jans.id)!.unread).toBe(0)
  })

  it('stays with the staff: not for partners, not for conversations the company is not in; the company account still cannot sign in', async () => {
    const sponsor = await makeMember(server, { handle: 'ci-sponsor' })
    const recruit = await makeMember(server, { handle: 'ci-recruit', sponsor: sponsor.handle })
    await settle(server)
    const theirs = (await recruit.client.get('/api/v1/conversations')).body.items as Conv[]
    expect(withCompany(theirs)).toBeUndefined() // a sponsor's recruit gets the sponsor's welcome, not the company's
    const private_ = theirs[0]!
    expect((await admin.get(`/api/v1/admin/inbox/${private_.id}/messages`)).body.error.code).toBe('CONVERSATION_NOT_FOUND')
    expect((await admin.post(`/api/v1/admin/inbox/${private_.id}/messages`, { body: 'Hallo', clientMessageId: 'ci-intrude-1' })).body.error.code).toBe(
      'CONVERSATION_NOT_FOUND',
    )
    expect((await sponsor.client.get('/api/v1/admin/inbox')).body.error.code).toBe('FORBIDDEN')
    expect((await sponsor.client.post(`/api/v1/admin/inbox/${private_.id}/read`, { seq: 1 })).body.error.code).toBe('FORBIDDEN')
    const root = await new Client(server.url).post('/api/v1/auth/login', { email: server.config.root.email, password: 'anything at all' })
    expect(root.body.error.code).toBe('INVALID_CREDENTIALS')
  })
})
