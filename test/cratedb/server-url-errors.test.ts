import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { connect, InvalidArgumentError } from '../../src/cratedb/index.ts'

/** Everything a user could print of an error: util.inspect (own properties, causes), every stack and message. */
function everythingPrintable(err: unknown): string {
  const parts: string[] = [inspect(err, { depth: 10, showHidden: true })]
  for (let e: unknown = err, i = 0; e !== undefined && e !== null && i < 20; e = (e as { cause?: unknown }).cause, i++) {
    parts.push(String((e as Error).stack), String((e as Error).message), JSON.stringify(e) ?? '')
    parts.push(inspect(e, { depth: 10, showHidden: true }))
  }
  return parts.join('\n')
}

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('did not throw')
}

describe('server URLs with credentials: InvalidArgumentError, no secret anywhere in the error', () => {
  const cases: [string, string][] = [
    ['port out of range', 'http://alice:S3cr3t@host:99999'],
    ['malformed %-escape in the password', 'http://alice:S3cr3t%ZZ@host:4200'],
    ['malformed %-escape in the user', 'http://S3cr3t%E0%A4%A@host:4200'],
    ['forbidden host character', 'http://alice:S3cr3t@ho<st:4200/x'],
    ['no scheme, port out of range', 'alice:S3cr3t@host:99999'],
    ['unencoded / in the password', 'http://alice:S3cr3t/x@host:4200'],
    ['unencoded ? in the password', 'http://alice:S3cr3t?x@host:4200'],
    ['unencoded @ and # in the password', 'https://alice:S3cr3t@#x@host:99999'],
  ]
  for (const [what, url] of cases) {
    it(what, () => {
      for (const servers of [url, [url], `http://ok:4200 ${url}`]) {
        const err = thrown(() => connect(servers))
        expect(err).toBeInstanceOf(InvalidArgumentError)
        expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false })
        expect(everythingPrintable(err)).not.toMatch(/S3cr3t/)
      }
    })
  }

  it('the message still names the server (password masked)', () => {
    const err = thrown(() => connect('http://alice:S3cr3t@host:99999')) as Error
    expect(err.message).toContain('http://alice:***@host:99999')
  })
})

describe('malformed server strings fail at connect()', () => {
  it("'not a url' is an InvalidArgumentError, not three hosts", () => {
    const err = thrown(() => connect('not a url'))
    expect(err).toBeInstanceOf(InvalidArgumentError)
    expect((err as Error).message).toMatch(/holds no URL or host:port/)
  })

  it('space-separated URLs, host:port entries and a single bare host still work', () => {
    expect(connect('http://db1:4200 db2:4201 db3.example.com').nodes.map((n) => n.url)).toEqual(['http://db1:4200/', 'http://db2:4201/', 'http://db3.example.com:4200/'])
    expect(connect('crate').nodes.map((n) => n.url)).toEqual(['http://crate:4200/'])
    expect(connect(['db1', 'db2']).nodes.map((n) => n.url)).toEqual(['http://db1:4200/', 'http://db2:4200/'])
  })
})
