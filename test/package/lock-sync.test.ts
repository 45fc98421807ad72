import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// package-lock.json must describe package.json: `npm ci` refuses a lock whose root entry differs from package.json
// ("package.json and package-lock.json are not in sync"), and a plain `npm install` silently rewrites it. This
// catches an edit to package.json (a dependency, a range, engines) committed without the matching lock.
// After changing package.json, run `npm install --package-lock-only` and commit both files.

const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as Record<string, unknown>
const pkg = read('package.json')
const lock = read('package-lock.json') as { lockfileVersion: number; packages: Record<string, Record<string, unknown> & { version?: string }> }

// The fields npm copies from package.json into the lock's root entry (npm's arborist, lib/shrinkwrap.js).
const ROOT_FIELDS = ['name', 'version', 'license', 'bin', 'engines', 'dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies', 'peerDependenciesMeta'] as const

/** Sorts object keys recursively, so key order does not count (npm sorts some of these maps). */
function normalized(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return entries.length === 0 ? undefined : Object.fromEntries(entries.map(([k, v]) => [k, normalized(v)]))
}

describe('package-lock.json', () => {
  it('is a lockfileVersion 3 lock whose root entry matches package.json', () => {
    expect(lock.lockfileVersion).toBe(3)
    const root = lock.packages['']
    expect(root, 'the lock has no root entry').toBeDefined()
    for (const field of ROOT_FIELDS) {
      expect(normalized(root![field]), `package-lock.json packages[""].${field} differs from package.json; run npm install --package-lock-only`).toEqual(normalized(pkg[field]))
    }
  })

  it('locks a version of every dependency and devDependency', () => {
    const names = [...Object.keys((pkg.dependencies as object | undefined) ?? {}), ...Object.keys((pkg.devDependencies as object | undefined) ?? {})]
    const missing = names.filter((name) => typeof lock.packages[`node_modules/${name}`]?.version !== 'string')
    expect(missing, 'dependencies without a locked version; run npm install --package-lock-only').toEqual([])
  })
})
