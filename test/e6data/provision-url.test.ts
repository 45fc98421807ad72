import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { DialectryError } from '../../src/core/errors.ts'
import { E6dataProvisionError, parseE6dataUrl } from '../../src/testing/e6data/index.ts'

describe('E6DATA_URL parsing', () => {
  it('reads host, port, credentials and the query options', () => {
    expect(parseE6dataUrl('e6data://ann%40example.com:tok@127.0.0.1:9001/?catalog=hive&schema=demo&cluster-name=c1')).toEqual({
      host: '127.0.0.1',
      port: 9001,
      username: 'ann@example.com',
      password: 'tok',
      secure: false,
      catalog: 'hive',
      database: 'demo',
      clusterName: 'c1',
    })
    expect(parseE6dataUrl('e6data://u:t@h/?secure=true').port).toBe(443)
  })

  it.each([
    ['an invalid port', 'e6data://ann:S3cr3tT0ken@host:99999/'],
    ['a malformed %-escape', 'e6data://ann:S3cr3tT0ken%zz@host:80/'],
    ['another scheme', 'http://ann:S3cr3tT0ken@host:80/'],
    ['no credentials', 'e6data://host:80/'],
  ])('refuses %s with a typed error that never holds the token', (_what, url) => {
    let caught: unknown
    try {
      parseE6dataUrl(url)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(E6dataProvisionError)
    expect(caught).toBeInstanceOf(DialectryError)
    const err = caught as Error
    expect(`${inspect(err, { depth: 10 })}\n${err.stack}\n${String(err.cause)}`).not.toContain('S3cr3tT0ken')
  })
})
