import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { connect, createPool, InvalidArgumentError, parseAddress } from '../../src/tarantool/index.ts'

/** Everything a user could print of an error: util.inspect (own properties, causes), every stack and message. */
function everythingPrintable(err: unknown): string {
  const parts: string[] = [inspect(err, { depth: 10, showHidden: true })]
  for (let e: unknown = err, i = 0; e !== undefined && e !== null && i < 20; e = (e as { cause?: unknown }).cause, i++) {
    parts.push(String((e as Error).stack), String((e as Error).message), JSON.stringify(e) ?? '')
  }
  return parts.join('\n')
}

describe('Tarantool addresses with credentials: InvalidArgumentError, no secret anywhere in the error', () => {
  const cases: [string, string][] = [
    ['port out of range', 'tarantool://user:S3cr3t@host:99999'],
    ['malformed %-escape in the password', 'tarantool://user:S3cr3t%ZZ@host:3301'],
    ['malformed %-escape in the user', 'tarantool://S3cr3t%E0%A4%A:pw@host:3301'],
    ['not an address at all', 'tarantool://user:S3cr3t@ho st'],
    ['no scheme', 'user:S3cr3t@host:99999'],
    ['unencoded / and @ in the password', 'tarantool://user:S3cr3t/@x@host:99999'],
    ['unix socket with a bad escape', 'tarantool://user:S3cr3t%G0@unix/:/tmp/t.sock'],
  ]
  for (const [what, address] of cases) {
    it(what, async () => {
      const errors = [
        (() => {
          try {
            parseAddress(address)
          } catch (err) {
            return err
          }
          return new Error('did not throw')
        })(),
        await connect(address).catch((e: unknown) => e),
        await Promise.resolve()
          .then(() => createPool([address]))
          .catch((e: unknown) => e),
      ]
      for (const err of errors) {
        expect(err).toBeInstanceOf(InvalidArgumentError)
        expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false })
        expect(everythingPrintable(err)).not.toMatch(/S3cr3t/)
      }
    })
  }
})
