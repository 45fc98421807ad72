import { describe, expect, it } from 'vitest'
import { callScope, sleep } from '../../src/core/abort.ts'
import { EndpointList } from '../../src/core/endpoint-list.ts'
import { DialectryError } from '../../src/core/errors.ts'
import { isPemContent, resolveTlsOptions } from '../../src/core/tls-options.ts'
import { isReadOnlyStatement } from '../../src/cratedb/statement-kind.ts'
import { backoffFor } from '../../src/cratedb/transport.ts'
import { parseServers } from '../../src/cratedb/server-url.ts'

describe('EndpointList', () => {
  it('rotates, sets aside, re-admits after the interval, and falls back to the oldest set-aside one', () => {
    let now = 1000
    const events: string[] = []
    const list = new EndpointList(['a', 'b', 'c'], { retryInterval: 100, now: () => now, onSetAside: (e) => events.push(`-${e}`), onReadmit: (e) => events.push(`+${e}`) })
    expect([list.pick(), list.pick(), list.pick(), list.pick()]).toEqual(['a', 'b', 'c', 'a'])
    list.setAside('b')
    expect([list.pick(), list.pick(), list.pick()]).toEqual(['c', 'a', 'c'])
    now += 50
    list.setAside('a')
    list.setAside('c')
    expect(list.active).toEqual([])
    expect(list.pick()).toBe('b') // set aside longest ago
    expect(list.isActive('b')).toBe(true)
    now += 60 // a, c set aside 60 ms ago: still out
    expect([list.pick(), list.pick()]).toEqual(['b', 'b'])
    now += 50
    expect(list.active).toEqual(['a', 'b', 'c'])
    expect(events).toEqual(['-b', '-a', '-c', '+b', '+a', '+c'])
    expect(list.setAside('zzz')).toBe(false)
    expect(() => new EndpointList([])).toThrow(DialectryError)
  })
})

describe('callScope and sleep', () => {
  it('reports a timeout, an abort, and nothing on the fast path', async () => {
    expect(callScope(undefined, undefined).signal).toBeUndefined()
    const t = callScope(20, undefined)
    await new Promise((r) => setTimeout(r, 40))
    expect(t.ended).toBe('timeout')
    expect(t.signal!.aborted).toBe(true)
    const ac = new AbortController()
    const a = callScope(10_000, ac.signal)
    ac.abort('why')
    expect([a.ended, a.reason]).toEqual(['abort', 'why'])
    a.dispose()
    const pre = callScope(0, AbortSignal.abort('early'))
    expect(pre.ended).toBe('abort')
    await expect(sleep(10_000, AbortSignal.timeout(10))).rejects.toBeDefined()
  })
})

describe('retry helpers', () => {
  it('backoff: 0, f, 2f, 4f ... capped at 120 s', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffFor(n, 100))).toEqual([0, 100, 200, 400, 800])
    expect(backoffFor(30, 1000)).toBe(120_000)
    expect(backoffFor(3, 0)).toBe(0)
  })

  it('classifies statements that only read', () => {
    for (const s of ['SELECT 1', '  select 1', '/* c */ SELECT 1', '-- c\nSELECT 1', '(SELECT 1) UNION (SELECT 2)', 'WITH x AS (SELECT 1) SELECT * FROM x', 'SHOW TABLES', 'EXPLAIN SELECT 1', 'VALUES (1)']) {
      expect(isReadOnlyStatement(s)).toBe(true)
    }
    for (const s of ['INSERT INTO t VALUES (1)', 'UPDATE t SET a = 1', 'DELETE FROM t', 'CREATE TABLE t (a INT)', 'REFRESH TABLE t', 'KILL ALL', 'FETCH 10 FROM c', 'COPY t FROM \'x\'', 'selectx', '']) {
      expect(isReadOnlyStatement(s)).toBe(false)
    }
  })
})

describe('server URLs and TLS options', () => {
  it('parses lists, strips and returns user info, rejects other schemes', () => {
    expect(parseServers(['https://u:p%3Aw@h1:4200/pre/', 'h2'])).toEqual({
      nodes: [
        { url: 'https://h1:4200/pre/', origin: 'https://h1:4200', prefix: '/pre', https: true },
        { url: 'http://h2:4200/', origin: 'http://h2:4200', prefix: '', https: false },
      ],
      username: 'u',
      password: 'p:w',
    })
    expect(parseServers('http://a:1 http://a:1').nodes).toHaveLength(1)
    expect(() => parseServers('ftp://x')).toThrow(/http/)
    expect(() => parseServers([])).toThrow(/No CrateDB server/)
    expect(() => parseServers('ftp://user:secret@x')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret') }))
  })

  it('TLS: verify by default, PEM text vs path', () => {
    expect(resolveTlsOptions({}).rejectUnauthorized).toBe(true)
    expect(resolveTlsOptions({ verify: false }).rejectUnauthorized).toBe(false)
    expect(isPemContent('-----BEGIN CERTIFICATE-----\n...')).toBe(true)
    expect(isPemContent('/etc/ssl/ca.pem')).toBe(false)
    expect(isPemContent(Buffer.from('x'))).toBe(true)
  })
})
