import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cruise } from 'dependency-cruiser'

// The import rules of .dependency-cruiser.cjs, tried on a small planted tree: each kind of
// forbidden import must be reported by the same check `npm run lint` runs on the real one.
const require = createRequire(import.meta.url)
const config = require('../../.dependency-cruiser.cjs') as { forbidden: unknown[] }

let root: string
const files: Record<string, string> = {
  'server/src/context.ts': 'export type Ctx = { id: string }\n',
  'server/src/app.ts': 'export const app = 1\n',
  'server/src/modules/accounts/index.ts': "export { lookup } from './lookup.ts'\n",
  'server/src/modules/accounts/lookup.ts': 'export const lookup = 1\n',
  'server/src/modules/groups/index.ts': "export { roleIn } from './access.ts'\n",
  'server/src/modules/groups/access.ts': "import { lookup } from '../accounts/index.ts'\nexport const roleIn = lookup\n",
  // The planted violations:
  'server/src/modules/posts/internals.ts': "import { roleIn } from '../groups/access.ts'\nexport const a = roleIn\n",
  'server/src/modules/accounts/upward.ts': "import { roleIn } from '../groups/index.ts'\nexport const b = roleIn\n",
  'server/src/modules/accounts/app.ts': "import { app } from '../../app.ts'\nexport const c = app\n",
  'server/src/modules/posts/one.ts': "import { two } from './two.ts'\nexport const one = () => two\n",
  'server/src/modules/posts/two.ts': "import { one } from './one.ts'\nexport const two = () => one\n",
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'boundaries-'))
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true })
    await writeFile(path.join(root, file), text)
  }
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function violations(): Promise<Array<{ rule: string; from: string; to: string }>> {
  const previous = process.cwd()
  process.chdir(root)
  try {
    const result = await cruise(['server/src'], { ruleSet: { forbidden: config.forbidden } as never, validate: true, tsPreCompilationDeps: true })
    const output = result.output as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } }
    return output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }))
  } finally {
    process.chdir(previous)
  }
}

describe('the import rules', () => {
  it("refuses a module importing another module's internals instead of its face", async () => {
    expect(await violations()).toContainEqual({
      rule: 'module-internals',
      from: 'server/src/modules/posts/internals.ts',
      to: 'server/src/modules/groups/access.ts',
    })
  })

  it('refuses a lower module importing a higher one, even through its face', async () => {
    expect(await violations()).toContainEqual({
      rule: 'layer-accounts',
      from: 'server/src/modules/accounts/upward.ts',
      to: 'server/src/modules/groups/index.ts',
    })
  })

  it('refuses a module reaching up into the app', async () => {
    expect(await violations()).toContainEqual({ rule: 'modules-stay-below-the-app', from: 'server/src/modules/accounts/app.ts', to: 'server/src/app.ts' })
  })

  it('refuses an import circle', async () => {
    const circles = (await violations()).filter((v) => v.rule === 'no-circular')
    expect(circles.map((v) => [v.from, v.to].sort())).toContainEqual(['server/src/modules/posts/one.ts', 'server/src/modules/posts/two.ts'])
  })

  it('lets a module use a lower module through its face', async () => {
    expect((await violations()).filter((v) => v.from === 'server/src/modules/groups/access.ts')).toEqual([])
  })
})
