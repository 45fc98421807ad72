import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// One base to catch: every error class an entry point exports descends from the DialectryError that
// `dialectry/errors` exports (the same class object, so `instanceof` works across entry points), and the errors
// thrown for bad input are such errors too. The entry points are the built ones (dist, via the package exports).

const root = new URL('../..', import.meta.url)
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { exports: Record<string, unknown> }
const entries = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => `dialectry${key.slice(1)}`)

type ErrorClass = abstract new (...args: never[]) => Error

function errorClasses(module: Record<string, unknown>): [string, ErrorClass][] {
  return Object.entries(module).filter(
    (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] === Error || (entry[1] as { prototype?: unknown }).prototype instanceof Error),
  )
}

describe('one error base', () => {
  it('dialectry/errors exports DialectryError and the driver bases', async () => {
    const errors = await import('dialectry/errors')
    const tarantool = await import('dialectry/tarantool')
    const cratedb = await import('dialectry/cratedb')
    expect(errors.TarantoolError).toBe(tarantool.TarantoolError)
    expect(errors.CrateDBError).toBe(cratedb.CrateDBError)
    expect(errors.BTrDBError).toBe((await import('dialectry/btrdb')).BTrDBError)
    expect(tarantool.DialectryError).toBe(errors.DialectryError)
    expect(cratedb.DialectryError).toBe(errors.DialectryError)
    const e = new errors.DialectryError('x', { code: 'X' })
    expect([e.name, e.code, e.retryable]).toEqual(['DialectryError', 'X', false])
  })

  it.each(entries)('every error class %s exports descends from DialectryError', async (entry) => {
    const { DialectryError } = await import('dialectry/errors')
    const classes = errorClasses((await import(entry)) as Record<string, unknown>)
    expect(classes.length, `${entry} exports no error class`).toBeGreaterThan(0)
    for (const [name, cls] of classes) {
      expect(cls === DialectryError || cls.prototype instanceof DialectryError, `${entry} ${name}`).toBe(true)
    }
  })

  it('errors thrown for bad input at the entry points are DialectryErrors', async () => {
    const { DialectryError } = await import('dialectry/errors')
    const testingCrate = await import('dialectry/testing/cratedb')
    const testingTarantool = await import('dialectry/testing/tarantool')
    const crateKysely = await import('dialectry/cratedb/kysely')
    const cratedb = await import('dialectry/cratedb')
    const caught = async (fn: () => unknown): Promise<unknown> => {
      try {
        await fn()
      } catch (error) {
        return error
      }
      return undefined
    }
    const thrown = {
      startCrateDB: await caught(() => testingCrate.startCrateDB({ nodes: 0 })),
      provisionCrateDB: await caught(() => testingCrate.provisionCrateDB({ env: {}, source: 'nope' as 'local' })),
      validGreeting: await caught(() => testingTarantool.validGreeting('x'.repeat(40))),
      cratedbSubscript: await caught(() => crateKysely.cratedbSubscript('tags', 0)),
      connect: await caught(() => cratedb.connect('http://localhost:4200', { jwtToken: 't', username: 'u' })),
    }
    for (const [what, error] of Object.entries(thrown)) {
      expect(error, what).toBeInstanceOf(DialectryError)
      expect((error as { code: unknown }).code, what).toMatch(/^INVALID_/)
    }
    expect(thrown.startCrateDB).toBeInstanceOf(testingCrate.CrateDBProvisionError)
  })

  it('the sources declare no error class outside the base and throw no plain Error, TypeError or RangeError', () => {
    // Internal signals that never leave the driver (each is caught and turned into a typed error) and the local
    // servers' internals (errors that become wire-level answers) are the only exceptions.
    const allowed = new Set([
      'src/core/errors.ts: export class DialectryError extends Error',
      'dialects/cratedb/drizzle/cratedb-type-grammar.ts: export class TypeSyntaxError extends Error',
      'src/cratedb/http-exchange.ts: export class ExchangeFailure extends Error',
      'src/cratedb/transport.ts: export class RequestEnded extends Error',
      'src/cratedb/transport.ts: throw new Error(`the driver accepts only gzip and deflate`)',
      'src/tarantool/msgpack-codec.ts: throw new Error(`Unknown extension type ${type}`)',
    ])
    const found: string[] = []
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) walk(path)
        else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) {
          const rel = relative(root.pathname, path)
          // The local servers' internals answer errors on the wire; their public modules are checked above.
          if (rel.startsWith('src/testing/')) continue
          for (const line of readFileSync(path, 'utf8').split('\n')) {
            const hit = /(export class \w+ extends (?:Error|TypeError|RangeError)\b|throw new (?:Error|TypeError|RangeError)\(.*?\))/.exec(line)
            if (hit !== null && !allowed.has(`${rel}: ${hit[1]}`)) found.push(`${rel}: ${line.trim()}`)
          }
        }
      }
    }
    walk(join(root.pathname, 'src'))
    walk(join(root.pathname, 'dialects'))
    expect(found).toEqual([])
  })
})
