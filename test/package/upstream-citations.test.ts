import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The shipped sources and docs cite the upstream source a fact rests on (a documentation URL or an upstream
// repository path), never the research notes in ../shared/specs, which are not part of the repository or the
// package: a reader of the published files could not follow `spec §2.9` or `cratedb.md §1.8`.

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SHIPPED = ['src', 'dialects', 'README.md']

/** A citation of the research notes; `§` after `RFC nnnn ` (a standard's section) is fine. */
function citations(line: string): string[] {
  const found: string[] = []
  for (const m of line.matchAll(/shared\/specs|\b(?:cratedb|tarantool|druid|e6data|btrdb|kysely-drizzle)\.md\s*§|\bspec\s+(?:§|(?:cratedb|tarantool|druid|e6data|btrdb|kysely-drizzle)\.md)/gi)) {
    found.push(m[0])
  }
  for (const m of line.matchAll(/§\s*\d/g)) {
    if (!/\bRFC\s*\d+\s*$/i.test(line.slice(0, m.index))) found.push(m[0])
  }
  return found
}

function files(path: string): string[] {
  const full = join(ROOT, path)
  try {
    return readdirSync(full, { withFileTypes: true }).flatMap((entry) => files(join(path, entry.name)))
  } catch {
    return [full]
  }
}

describe('upstream citations', () => {
  it('recognises the forms it guards against, and not RFC sections', () => {
    expect(citations('* Body keys (spec §2.4).')).not.toEqual([])
    expect(citations('(spec cratedb.md §4.3)')).not.toEqual([])
    expect(citations('as `../shared/specs/cratedb.md` §1 describes it')).not.toEqual([])
    expect(citations('errors (§1.6-§1.7)')).not.toEqual([])
    expect(citations('(CrateDB §4.1, kysely-drizzle.md §1.7)')).not.toEqual([])
    expect(citations('the keep-alive race of RFC 9112 §9.3.1.')).toEqual([])
    expect(citations('(https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types)')).toEqual([])
  })

  it('no shipped file cites ../shared/specs', () => {
    const offenders: string[] = []
    for (const file of SHIPPED.flatMap(files)) {
      if (!/\.(ts|md)$/.test(file)) continue
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const c of citations(line)) offenders.push(`${relative(ROOT, file)}:${i + 1}: ${c}  ←  ${line.trim()}`)
        })
    }
    expect(offenders, 'cite the upstream documentation page or repository file instead').toEqual([])
  })
})
