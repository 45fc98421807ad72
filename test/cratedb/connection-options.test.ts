import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { connect, ConnectionError, InvalidArgumentError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { keepAliveTuningSupported } from '../../src/cratedb/node-dispatcher.ts'
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../../src/testing/cratedb/test-certificate.ts'
import { resultSet, sqlHandler, startStub, type StubNode } from './helpers/stub-node.ts'

let dir: string
const pem = (name: string): string => join(dir, name)
let clients: CrateDBClient[] = []
let stubs: StubNode[] = []

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
}

beforeAll(() => {
  // A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, all signed by it.
  dir = mkdtempSync(join(tmpdir(), 'dialectry-cratedb-tls-'))
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=dialectry test CA')
  writeFileSync(pem('server.ext'), 'subjectAltName=IP:127.0.0.1\n')
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1')
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext')
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=app-user')
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2')
  writeFileSync(pem('client-combined.pem'), readFileSync(pem('client.pem'), 'utf8') + readFileSync(pem('client.key'), 'utf8'))
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(clients.map((c) => c.close()))
  await Promise.all(stubs.map((s) => s.kill().catch(() => {})))
  clients = []
  stubs = []
})

const ok = sqlHandler(() => resultSet(['x'], [9], [[1]]))

async function stub(options: Parameters<typeof startStub>[1] = {}, handler = ok): Promise<StubNode> {
  const s = await startStub(handler, options)
  stubs.push(s)
  return s
}

function client(url: string, options: Parameters<typeof connect>[1] = {}): CrateDBClient {
  const c = connect(url, options)
  clients.push(c)
  return c
}

describe('TLS', () => {
  const serverTls = () => ({ key: readFileSync(pem('server.key')), cert: readFileSync(pem('server.pem')) })

  it('verifies certificates by default: a server with an unknown CA is refused', async () => {
    const node = await stub({ https: serverTls() })
    const err = (await client(node.url).execute('SELECT 1').catch((e: unknown) => e)) as ConnectionError
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err.nodes[0]!.error).toMatch(/certificate/i)
    expect(err.message).toMatch(/caCert/)
    expect(node.requests).toHaveLength(0)
  })

  it('caCert as a path, PEM text or Buffer makes it trusted', async () => {
    const node = await stub({ https: serverTls() })
    for (const caCert of [pem('ca.pem'), readFileSync(pem('ca.pem'), 'utf8'), readFileSync(pem('ca.pem'))]) {
      expect((await client(node.url, { caCert }).execute('SELECT 1')).rows).toEqual([[1]])
    }
    expect(node.requests).toHaveLength(3)
  })

  it('the host name is verified too', async () => {
    const node = await stub({ https: serverTls() })
    const viaName = node.url.replace('127.0.0.1', 'localhost')
    const err = (await client(viaName, { caCert: pem('ca.pem') }).execute('SELECT 1').catch((e: unknown) => e)) as ConnectionError
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err.nodes.map((n) => n.error).join(' ')).toMatch(/altnames|ERR_TLS_CERT_ALTNAME_INVALID/)
  })

  it('verifySslCert: false accepts any certificate', async () => {
    const node = await stub({ https: serverTls() })
    expect((await client(node.url, { verifySslCert: false }).execute('SELECT 1')).rows).toEqual([[1]])
  })

  it('certFile/keyFile present a client certificate (also one file holding both)', async () => {
    const node = await stub({ https: { ...serverTls(), ca: readFileSync(pem('ca.pem')), requestCert: true, rejectUnauthorized: true } })
    const without = await client(node.url, { caCert: pem('ca.pem') }).execute('SELECT 1').catch((e: unknown) => e)
    expect(without).toBeInstanceOf(ConnectionError)
    await client(node.url, { caCert: pem('ca.pem'), certFile: pem('client.pem'), keyFile: pem('client.key') }).execute('SELECT 1')
    await client(node.url, { caCert: pem('ca.pem'), certFile: pem('client-combined.pem') }).execute('SELECT 1')
    expect(node.requests.map((r) => r.peerCN)).toEqual(['app-user', 'app-user'])
  })

  it('sslRelaxMinimumVersion accepts a TLS 1.1 server that the default (TLS 1.2+) refuses', async () => {
    const old = await stub({ https: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' } })
    const url = old.url.replace('http:', 'https:').replace('127.0.0.1', 'localhost')
    const strict = await client(url, { caCert: TEST_TLS_CERT }).execute('SELECT 1').catch((e: unknown) => e)
    expect(strict).toBeInstanceOf(ConnectionError)
    expect((strict as Error).message).toMatch(/protocol version|alert proto/i)
    expect((await client(url, { caCert: TEST_TLS_CERT, sslRelaxMinimumVersion: true }).execute('SELECT 1')).rows).toEqual([[1]])
  })

  it('an unreadable caCert file fails at connect()', () => {
    expect(() => connect('https://127.0.0.1:4200/', { caCert: pem('missing.pem') })).toThrow(InvalidArgumentError)
    // Key material that is not PEM (base64 from an environment variable) is never repeated in the error.
    const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LW11c3Qtbm90LWxlYWs='
    let message = ''
    try {
      connect('https://127.0.0.1:4200/', { certFile: pem('client.pem'), keyFile: secret })
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toMatch(/not PEM text .* and not a readable file/)
    expect(message).not.toContain(secret)
    expect(message).not.toContain(secret.slice(0, 12))
    expect(() => connect('https://127.0.0.1:4200/', { keyFile: pem('client.key') })).toThrow(/without its certificate/)
  })
})

/** The kernel's timer state of the client socket with local port `port` (Linux /proc/net/tcp). */
function tcpTimer(port: number): { timer: number; seconds: number } | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f[1]?.endsWith(`:${hexPort}`) && f[3] === '01') {
      const [tr, when] = f[5]!.split(':')
      return { timer: parseInt(tr!, 16), seconds: parseInt(when!, 16) / 100 }
    }
  }
  return undefined
}

const linux = process.platform === 'linux'

describe('TCP keep-alive', () => {
  async function idleSocketTimer(options: Parameters<typeof connect>[1]): Promise<{ timer: number; seconds: number } | undefined> {
    const node = await stub()
    const c = client(node.url, options)
    await c.execute('SELECT 1')
    await new Promise((r) => setTimeout(r, 100))
    return tcpTimer(node.requests[0]!.remotePort)
  }

  it.runIf(linux)('is on by default (SO_KEEPALIVE, first probe after 60 s)', async () => {
    const t = await idleSocketTimer({})
    expect(t?.timer).toBe(2) // 2 = keep-alive timer pending
    expect(t!.seconds).toBeGreaterThan(50)
    expect(t!.seconds).toBeLessThanOrEqual(60)
  })

  it.runIf(linux)('socketKeepalive: false turns it off', async () => {
    const t = await idleSocketTimer({ socketKeepalive: false })
    expect(t?.timer).toBe(0) // no timer on an idle socket without SO_KEEPALIVE
  })

  it.runIf(linux)('socketTcpKeepidle sets the idle time (seconds) before the first probe', async () => {
    const t = await idleSocketTimer({ socketTcpKeepidle: 5 })
    expect(t?.timer).toBe(2)
    expect(t!.seconds).toBeLessThanOrEqual(5)
    expect(t!.seconds).toBeGreaterThan(3)
  })

  it('socketTcpKeepintvl/socketTcpKeepcnt are applied where Node can set them, else a warning says so', async () => {
    const spy = vi.spyOn(Socket.prototype, 'setKeepAlive')
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const node = await stub()
    await client(node.url, { socketTcpKeepidle: 30, socketTcpKeepintvl: 7, socketTcpKeepcnt: 3 }).execute('SELECT 1')
    if (keepAliveTuningSupported) {
      expect(spy).toHaveBeenCalledWith({ enable: true, initialDelay: 30_000, interval: 7_000, count: 3 })
    } else {
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/socketTcpKeepintvl/), expect.anything())
    }
  })
})

describe('poolSize', () => {
  it('limits concurrent requests to poolSize sockets per node', async () => {
    const slow = sqlHandler(async () => {
      await new Promise((r) => setTimeout(r, 100))
      return resultSet(['x'], [9], [[1]])
    })
    const node = await stub({}, slow)
    const c = client(node.url, { poolSize: 2 })
    const t0 = Date.now()
    await Promise.all(Array.from({ length: 10 }, () => c.execute('SELECT 1')))
    expect(node.connections).toBe(2)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450) // 10 requests, 2 at a time, 100 ms each

    const wide = await stub({}, slow)
    await Promise.all(Array.from({ length: 10 }, () => client(wide.url).execute('SELECT 1')))
    const d = client(wide.url)
    await Promise.all(Array.from({ length: 10 }, () => d.execute('SELECT 1')))
    expect(wide.connections).toBe(20) // 10 single-use clients + 10 sockets of one client with the default 16
  })
})
