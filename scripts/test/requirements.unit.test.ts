import { describe, expect, it } from 'vitest'
import { decide, goCanBuild, type Found } from './requirements.ts'

const all: Found = { chromium: true, redis: true, go: true, toolsBuilt: true, root: false, aptGet: true }

describe('the npm test preflight', () => {
  it('lets the tests run when everything is there', () => {
    expect(decide(all)).toEqual({ action: 'ok' })
    expect(decide({ ...all, root: true })).toEqual({ action: 'ok' })
  })

  it('does not need Go once the embedded database and mail server are built', () => {
    expect(decide({ ...all, go: false })).toEqual({ action: 'ok' })
    expect(decide({ ...all, go: false, toolsBuilt: false, root: true })).toMatchObject({ action: 'install', packages: ['golang-go'] })
  })

  it('installs what is missing from Debian’s packages when it runs as root with apt-get', () => {
    const decision = decide({ chromium: false, redis: false, go: false, toolsBuilt: false, root: true, aptGet: true })
    expect(decision).toMatchObject({ action: 'install', packages: ['chromium', 'redis-server', 'golang-go'] })
    expect(decision.action === 'install' && decision.line).toBe(
      "npm test: installing chromium redis-server golang-go from Debian's packages, for the browser tests, the scale-out test and building the embedded database and mail server.",
    )
  })

  it('stops with one line naming what is missing and the command, when it cannot install', () => {
    const decision = decide({ ...all, chromium: false, redis: false })
    expect(decision).toEqual({
      action: 'stop',
      packages: ['chromium', 'redis-server'],
      line: 'npm test needs Chromium at /usr/bin/chromium (browser tests) and redis-server (scale-out test), which are missing: run `sudo apt-get install chromium redis-server`, then npm test again.',
    })
    expect(decide({ ...all, redis: false })).toMatchObject({
      action: 'stop',
      line: expect.stringContaining('redis-server (scale-out test), which is missing: run `sudo apt-get install redis-server`'),
    })
  })

  it('stops without apt-get even as root, and leaves out sudo for root', () => {
    const rootWithoutApt = decide({ ...all, chromium: false, root: true, aptGet: false })
    expect(rootWithoutApt).toMatchObject({ action: 'stop', packages: ['chromium'] })
    expect(rootWithoutApt.action === 'stop' && rootWithoutApt.line).toContain('run `apt-get install chromium` (Debian/Ubuntu; elsewhere')
  })

  it('never prints more than one line, and never installs without being root with apt-get', () => {
    const flags = ['chromium', 'redis', 'go', 'toolsBuilt', 'root', 'aptGet'] as const
    for (let bits = 0; bits < 1 << flags.length; bits++) {
      const found = Object.fromEntries(flags.map((f, i) => [f, Boolean(bits & (1 << i))])) as unknown as Found
      const decision = decide(found)
      if (decision.action === 'ok') continue
      expect(decision.line, JSON.stringify(found)).not.toContain('\n')
      expect(decision.packages.length).toBeGreaterThan(0)
      if (decision.action === 'install') expect(found.root && found.aptGet).toBe(true)
      else expect(found.root && found.aptGet).toBe(false)
    }
  })

  it('takes a Go from 1.21 on, which fetches the toolchain FerretDB asks for, but not Debian 12’s 1.19', () => {
    expect(goCanBuild('go version go1.26.8 linux/amd64')).toBe(true)
    expect(goCanBuild('go version go1.21.0 linux/arm64')).toBe(true)
    expect(goCanBuild('go version go1.19.8 linux/amd64')).toBe(false)
    expect(goCanBuild('')).toBe(false)
  })
})
