import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, DockerMapper, CoordinatorClient, OverlordClient, type DruidClient } from '../../src/druid/index.ts'
import { LocalDruidError, startDruid, type LocalDruid } from '../../src/testing/druid/index.ts'

/**
 * The cluster model over several local services (a Router, a Broker and two combined Coordinator+Overlord
 * processes), a leader change, and a DockerMapper.
 */
let local: LocalDruid
let client: DruidClient

beforeAll(async () => {
  local = await startDruid({ services: [{ roles: ['router'] }, { roles: ['broker'] }, { roles: ['coordinator', 'overlord'] }, { roles: ['coordinator', 'overlord'] }] })
  client = connect(local.url)
})
afterAll(async () => {
  await client?.close()
  await local?.stop()
})

describe('Druid cluster model', () => {
  it('finds each role; rows with the same host and port merge roles', async () => {
    const cluster = await client.cluster()
    try {
      const services = cluster.services()
      expect(services.map((s) => s.roles)).toEqual([['router'], ['broker'], ['coordinator', 'overlord'], ['coordinator', 'overlord']])
      expect(services.map((s) => s.url)).toEqual(local.nodes.map((n) => n.url))
      expect(cluster.coordinator().url).toBe(local.nodes[2]!.url)
      expect(cluster.overlord().url).toBe(local.nodes[2]!.url)
      expect(cluster.broker().url).toBe(local.nodes[1]!.url)
      expect(cluster.router().url).toBe(local.nodes[0]!.url)
      expect(cluster.whatIs(local.nodes[3]!.url)).toEqual(['coordinator', 'overlord'])
      expect(cluster.whatIs('http://127.0.0.1:1')).toEqual([])
      expect(cluster.service(local.nodes[1]!.url.replace('http://', ''))).toBe(cluster.broker())
      expect(await cluster.coordinator().isLeader()).toBe(true)
      const follower = cluster.service(local.nodes[3]!.url) as CoordinatorClient
      expect(await follower.isLeader()).toBe(false)
      // A non-leader answers 307 to the leader; the REST layer follows it.
      expect(await follower.retentionRules()).toHaveProperty('_default')
      expect(await cluster.router().isHealthy()).toBe(true)
      expect((await cluster.router().status()).version).toMatch(/\d/)
      expect(await cluster.broker().isReady()).toBe(true)
      expect(await cluster.coordinator().leader()).toBe(local.nodes[2]!.url)
    } finally {
      await cluster.close()
    }
  })

  it('follows a leader change', async () => {
    await local.setLeader(local.nodes[3]!)
    const cluster = await client.cluster()
    try {
      expect(cluster.coordinator().url).toBe(local.nodes[3]!.url)
      expect(cluster.overlord()).toBeInstanceOf(OverlordClient)
      expect(await cluster.overlord().isLeader()).toBe(true)
      // The Router's management proxy follows the new leader.
      expect(await client.rest.get('/proxy/coordinator/druid/coordinator/v1/isLeader')).toEqual({ leader: true })
    } finally {
      await cluster.close()
      await local.setLeader(local.nodes[2]!)
    }
  })

  it('maps advertised ports through a DockerMapper', async () => {
    const external = 40000
    const internal = local.nodes.map((n) => Number(new URL(n.url).port))
    const mapper = new DockerMapper({ dockerHost: 'localhost', portMap: internal.map((p) => [p, p] as [number, number]) })
    expect(new DockerMapper({ dockerHost: 'docker', portMap: [[external, 8081]] }).urlFor('druid-coordinator', 8081, -1, false)).toBe(`http://docker:${external}`)
    expect(new DockerMapper({ portMap: [[9443, 8281], [9081, 8081]] }).urlFor('c', 8081, 8281, true)).toBe('https://localhost:9443')
    const mapped = connect(local.url, { mapper })
    const cluster = await mapped.cluster()
    try {
      expect(cluster.services().map((s) => s.url)).toEqual(internal.map((p) => `http://localhost:${p}`))
      expect(await cluster.coordinator().isLeader()).toBe(true)
    } finally {
      await cluster.close()
      await mapped.close()
    }
  })

  it('startDruid refuses layouts that make no cluster, and taken ports', async () => {
    await expect(startDruid({ services: [] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    await expect(startDruid({ services: [{ roles: ['coordinator'] }] })).rejects.toBeInstanceOf(LocalDruidError)
    const port = Number(new URL(local.url).port)
    await expect(startDruid({ services: [{ roles: ['router'], port }] })).rejects.toMatchObject({ code: 'PORT_IN_USE' })
  })

  it('task endpoints use the documented shutdown paths', async () => {
    const cluster = await client.cluster()
    try {
      expect(await cluster.overlord().tasks({ state: 'running' })).toEqual([])
      const err = await cluster.overlord().shutdownTask('no-such-task').catch((e: unknown) => e)
      expect((err as { httpStatus?: number }).httpStatus).toBe(404)
    } finally {
      await cluster.close()
    }
  })
})
