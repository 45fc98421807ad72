import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

// What `npm pack` puts in the tarball (dist/ must be built: `npm test` builds first). The package ships the built
// JavaScript and declarations only: the TypeScript sources and the source maps that point at them stay in the
// repository, so nothing in the tarball refers to a file it does not contain.

const root = new URL('../..', import.meta.url)
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>
  repository?: { url?: string }
  homepage?: string
  bugs?: { url?: string }
}

interface PackResult {
  size: number
  unpackedSize: number
  entryCount: number
  files: { path: string; size: number }[]
}

describe('npm pack', () => {
  it('ships dist JavaScript and declarations for every export, no TypeScript sources and no source maps', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
    const [result] = JSON.parse(stdout) as PackResult[]
    const paths = new Set(result!.files.map((f) => f.path))
    const sources = [...paths].filter((p) => /\.(?:ts|mts|cts)$/.test(p) && !/\.d\.(?:ts|mts|cts)$/.test(p))
    expect(sources).toEqual([])
    expect([...paths].filter((p) => p.endsWith('.map'))).toEqual([])
    for (const [key, target] of Object.entries(pkg.exports)) {
      const files = typeof target === 'string' ? [target] : [target.types, target.default]
      for (const file of files) expect(paths.has(file.replace(/^\.\//, '')), `${key} → ${file}`).toBe(true)
    }
    // Declarations import only what ships: their relative `./x.ts` imports resolve to the `x.d.ts` beside them.
    for (const path of paths) {
      if (!path.endsWith('.d.ts')) continue
      const text = readFileSync(new URL(path, root), 'utf8')
      for (const [, spec] of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const target = new URL(spec!.replace(/\.(?:js|ts)$/, '.d.ts'), new URL(path, root)).pathname.slice(root.pathname.length)
        expect(paths.has(target) || paths.has(target.replace(/\.d\.ts$/, '/index.d.ts')), `${path} imports ${spec}`).toBe(true)
      }
    }
    // No absolute size bound: it grows with each system. With the sources the tarball was 689 kB (Tarantool and
    // CrateDB) and 915 kB once BTrDB landed; without them 492 kB at that point.
  }, 60_000)

  it('package.json says where the repository, docs and issue tracker are', () => {
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/)
    expect(pkg.homepage).toMatch(/^https:\/\//)
    expect(pkg.bugs?.url).toMatch(/^https:\/\/.+\/issues$/)
  })
})
