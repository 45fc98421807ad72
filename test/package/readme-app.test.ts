import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTarantool, type TarantoolProcess } from '../../src/testing/tarantool/index.ts'

// The README's "Use it in your app" program, exactly as printed: its two TypeScript blocks (app.ts and
// migrations/0001_users.ts) are written to a scratch folder inside the package (so `dialectry/...` resolves to the
// built dist through the package exports, as it does for an installed package), type-checked under strict
// nodenext settings, and run twice against a real Tarantool.

const root = new URL('../..', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const section = readme.slice(readme.indexOf('## Use it in your app'), readme.indexOf('\n## ', readme.indexOf('## Use it in your app') + 3))
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
const dir = new URL(`.tmp/readme-app-${process.pid}/`, root)
const run = promisify(execFile)
let tarantool: TarantoolProcess

beforeAll(async () => {
  // A fresh server of its own (not TARANTOOL_URL): the program creates `users` and Kysely's migration tables.
  tarantool = await startTarantool()
  mkdirSync(new URL('migrations/', dir), { recursive: true })
  writeFileSync(new URL('app.ts', dir), blocks[0]!)
  writeFileSync(new URL('migrations/0001_users.ts', dir), blocks[1]!)
  writeFileSync(
    new URL('tsconfig.json', dir),
    JSON.stringify({
      compilerOptions: {
        target: 'es2024', module: 'nodenext', lib: ['es2024'], types: ['node'], strict: true, noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true, skipLibCheck: true, noEmit: true,
      },
      include: ['app.ts', 'migrations/*.ts'],
    }),
  )
}, 120_000)
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await tarantool?.stop()
})

describe('README: Use it in your app', () => {
  it('has the app and its migration, with Migrator and FileMigrationProvider from kysely/migration', () => {
    expect(blocks).toHaveLength(2)
    expect(blocks[0]).toContain("import { FileMigrationProvider, Migrator } from 'kysely/migration'")
    expect(blocks[0]).toContain("import { createPool } from 'dialectry/tarantool'")
  })

  it('type-checks under strict nodenext settings', async () => {
    const tsc = new URL('node_modules/.bin/tsc', root).pathname
    await expect(run(tsc, ['-p', new URL('tsconfig.json', dir).pathname, '--pretty', 'false'], { cwd: root })).resolves.toBeDefined()
  }, 120_000)

  it('migrates and queries a real Tarantool, and a second run finds nothing to migrate', async () => {
    const env = { ...process.env, TARANTOOL_URL: tarantool.uri }
    const first = await run(process.execPath, [new URL('app.ts', dir).pathname], { env })
    expect(first.stdout).toContain('0001_users: Success')
    expect(first.stdout).toContain("[ { id: 1, name: 'Ann' } ]")
    const second = await run(process.execPath, [new URL('app.ts', dir).pathname], { env })
    expect(second.stdout).not.toContain('0001_users')
    expect(second.stdout).toContain("{ id: 2, name: 'Ann' }")
  }, 120_000)
})
