import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, startTestServer, type TestServer } from '../../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

describe('training groups and lessons', () => {
  it("puts a new recruit into the sponsor's onboarding course, tracks their progress, and shows it to the sponsor", async () => {
    const sponsor = await makeMember(server, { handle: 'trainerin' })
    await sponsor.client.post('/api/v1/groups', { name: 'Starterkurs', slug: 'starterkurs', kind: 'training', visibility: 'private' })
    const first = await sponsor.client.post('/api/v1/groups/starterkurs/lessons', {
      title: 'Willkommen',
      body: 'Lies **das** zuerst.',
      checklist: ['Profil ausfüllen', 'Foto hochladen'],
    })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ position: 1, html: expect.stringContaining('<strong>das</strong>'), checklist: ['Profil ausfüllen', 'Foto hochladen'] })
    const second = await sponsor.client.post('/api/v1/groups/starterkurs/lessons', { title: 'Ehrlich beraten', body: 'Kunden informieren statt überreden.' })
    expect(second.body.position).toBe(2)
    expect((await sponsor.client.request('PUT', '/api/v1/me/onboarding-course', { slug: 'starterkurs' })).body).toEqual({ slug: 'starterkurs' })

    const recruit = await makeMember(server, { handle: 'neuling', sponsor: 'trainerin' })
    const course = await recruit.client.get('/api/v1/groups/starterkurs/lessons')
    expect(course.status).toBe(200)
    expect(course.body.items.map((l: { title: string }) => l.title)).toEqual(['Willkommen', 'Ehrlich beraten'])
    expect(course.body.doneCount).toBe(0)

    const ticked = await recruit.client.post(`/api/v1/lessons/${first.body.id}/progress`, { checked: [1, 7] })
    expect(ticked.body.myProgress).toEqual({ done: false, checked: [1] })
    const done = await recruit.client.post(`/api/v1/lessons/${first.body.id}/progress`, { done: true })
    expect(done.body.myProgress).toEqual({ done: true, checked: [1] })
    expect((await recruit.client.get('/api/v1/groups/starterkurs/lessons')).body.doneCount).toBe(1)

    const overview = await sponsor.client.get(`/api/v1/lessons/${first.body.id}/progress`)
    expect(overview.status).toBe(200)
    const row = overview.body.items.find((r: { member: { handle: string } }) => r.member.handle === 'neuling')
    expect(row).toMatchObject({ done: true, checked: [1], doneAt: expect.any(String) })
    expect((await recruit.client.get(`/api/v1/lessons/${first.body.id}/progress`)).body.error.code).toBe('FORBIDDEN')
    expect((await sponsor.client.get('/api/v1/notifications')).body.items[0]).toMatchObject({ type: 'lesson.completed', data: { handle: 'neuling' } })
  })

  it('keeps lessons from outsiders and lets only the owner and moderators change the course', async () => {
    const owner = await makeMember(server, { handle: 'kursleiter' })
    await owner.client.post('/api/v1/groups', { name: 'Offener Kurs', slug: 'offener-kurs', kind: 'training', visibility: 'public' })
    const lesson = (await owner.client.post('/api/v1/groups/offener-kurs/lessons', { title: 'Erste Schritte', body: 'Text' })).body
    const second = (await owner.client.post('/api/v1/groups/offener-kurs/lessons', { title: 'Zweite Schritte', body: 'Mehr' })).body
    const outsider = await makeMember(server, { handle: 'kurs-gast' })
    expect((await outsider.client.get('/api/v1/groups/offener-kurs/lessons')).body.error.code).toBe('NOT_A_MEMBER')
    expect((await outsider.client.get(`/api/v1/lessons/${lesson.id}`)).status).toBe(404)
    expect((await outsider.client.post(`/api/v1/lessons/${lesson.id}/progress`, { done: true })).status).toBe(404)
    await outsider.client.post('/api/v1/groups/offener-kurs/join')
    expect((await outsider.client.get(`/api/v1/lessons/${lesson.id}`)).body.title).toBe('Erste Schritte')
    expect((await outsider.client.patch(`/api/v1/lessons/${lesson.id}`, { title: 'Gehackt' })).body.error.code).toBe('FORBIDDEN')
    expect((await outsider.client.post('/api/v1/groups/offener-kurs/lessons', { title: 'Meins', body: '' })).body.error.code).toBe('FORBIDDEN')

    const reordered = await owner.client.post('/api/v1/groups/offener-kurs/lessons/order', { ids: [second.id, lesson.id] })
    expect(reordered.body.items.map((l: { title: string; position: number }) => `${l.position}. ${l.title}`)).toEqual([
      '1. Zweite Schritte',
      '2. Erste Schritte',
    ])
    expect((await owner.client.post('/api/v1/groups/offener-kurs/lessons/order', { ids: [lesson.id] })).body.error.code).toBe('VALIDATION_FAILED')
    expect((await owner.client.patch(`/api/v1/lessons/${lesson.id}`, { title: 'Erste Schritte (neu)' })).body.title).toBe('Erste Schritte (neu)')
    expect((await owner.client.request('DELETE', `/api/v1/lessons/${second.id}`)).status).toBe(200)
    expect((await outsider.client.get('/api/v1/groups/offener-kurs/lessons')).body.items.map((l: { title: string }) => l.title)).toEqual([
      'Erste Schritte (neu)',
    ])
    const community = await owner.client.post('/api/v1/groups', { name: 'Plaudern', slug: 'plaudern', kind: 'community', visibility: 'public' })
    expect(community.status).toBe(201)
    expect((await owner.client.post('/api/v1/groups/plaudern/lessons', { title: 'Nein', body: '' })).body.error.code).toBe('NOT_A_TRAINING_GROUP')
    expect((await new Client(server.url).get('/api/v1/groups/offener-kurs/lessons')).status).toBe(401)
  })
})

describe('lesson handouts', () => {
  it('accepts a PDF to link from a lesson and offers it as a download; anything else is refused', async () => {
    const owner = await makeMember(server, { handle: 'handout-owner' })
    const upload = async (bytes: Buffer, name: string) => {
      const form = new FormData()
      form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), name)
      const res = await fetch(`${server.url}/api/v1/files`, { method: 'POST', body: form, headers: { cookie: owner.client.cookie } })
      return { status: res.status, body: (await res.json()) as any }
    }
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n')
    const ok = await upload(pdf, 'Handout Einarbeitung.pdf')
    expect(ok.status).toBe(201)
    expect(ok.body).toMatchObject({ url: expect.stringMatching(/^\/media\//), name: 'Handout Einarbeitung.pdf' })
    // The uploader may fetch it at once; members of the group once a lesson links it (see test/security).
    const download = await fetch(`${server.url}${ok.body.url}`, { headers: { cookie: owner.client.cookie } })
    expect(download.headers.get('content-type')).toBe('application/pdf')
    expect(download.headers.get('content-disposition')).toContain("filename*=UTF-8''Handout%20Einarbeitung.pdf")
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true)
    const exe = await upload(Buffer.from('MZ\x90\x00 not a pdf'), 'rechnung.pdf')
    expect(exe.status).toBe(415)
    expect(exe.body.error.code).toBe('UNSUPPORTED_MEDIA')
    await owner.client.post('/api/v1/groups', { name: 'Kurs mit Handout', slug: 'handout-kurs', kind: 'training', visibility: 'public' })
    const lesson = await owner.client.post('/api/v1/groups/handout-kurs/lessons', { title: 'Unterlagen', body: `[Handout herunterladen](${ok.body.url})` })
    expect(lesson.body.html).toContain(`<a href="${ok.body.url}"`)
  })
})
