import { createServer, type Http2Server } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Connection, E6dataClusterSuspendedError, E6dataStrategyError, E6dataTimeoutError } from '../../src/e6data/index.ts'

/**
 * A gateway that answers every gRPC call with a bare HTTP status and no grpc-status, as e6data's gateway does for a
 * wrong blue/green strategy (456) or a suspended cluster (503): the driver must recognise what grpc-js really
 * reports for it, not a text the local engine chose.
 */
let server: Http2Server | undefined
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())))

async function gateway(status: number | 'never'): Promise<{ port: number; seen: string[]; clusters: string[] }> {
  const seen: string[] = []
  const clusters: string[] = []
  server = createServer()
  server.on('stream', (stream, headers) => {
    seen.push(String(headers['strategy'] ?? ''))
    clusters.push(String(headers['cluster-name'] ?? ''))
    if (status === 'never') return // holds the call open: an engine that stopped answering
    stream.respond({ ':status': status, 'content-type': 'text/plain' })
    stream.end('gateway says no')
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return { port: (server.address() as AddressInfo).port, seen, clusters }
}

describe('bare HTTP statuses from the gateway, as grpc-js reports them', () => {
  it('456 on both colours: a strategy error after probing blue then green; every call names the cluster', async () => {
    const g = await gateway(456)
    const conn = new Connection({ host: '127.0.0.1', port: g.port, username: 'u@example.com', password: 't', clusterName: 'analytics-01' })
    const err = await conn.cursor().execute('SELECT 1').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(E6dataStrategyError)
    expect(g.seen.slice(0, 2)).toEqual(['blue', 'green'])
    expect(new Set(g.clusters)).toEqual(new Set(['analytics-01']))
    conn.close()
  })
  it('an engine that never answers: a timeout error after callTimeout, nothing waits forever', async () => {
    const g = await gateway('never')
    const conn = new Connection({ host: '127.0.0.1', port: g.port, username: 'u@example.com', password: 't', callTimeout: 300 })
    const err = await conn.cursor().execute('SELECT 1').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(E6dataTimeoutError)
    expect((err as E6dataTimeoutError).message).toMatch(/authenticate did not answer before its deadline/)
    conn.close()
  })
  it('503 with autoResume off: a cluster-suspended error', async () => {
    const g = await gateway(503)
    const conn = new Connection({ host: '127.0.0.1', port: g.port, username: 'u@example.com', password: 't', autoResume: false })
    await expect(conn.cursor().execute('SELECT 1')).rejects.toThrow(E6dataClusterSuspendedError)
    conn.close()
  })
})
