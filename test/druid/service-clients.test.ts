import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, DefaultMapper, type DruidClient, type DruidCluster } from '../../src/druid/index.ts'
import { startDruid, type LocalDruid } from '../../src/testing/druid/index.ts'

/**
 * The typed REST wrappers of each role client (pydruid2 `Coordinator`, `Overlord`, `Broker`, `Router`, `Service`)
 * against one local process with every role, after one SQL ingestion.
 */
let local: LocalDruid
let client: DruidClient
let cluster: DruidCluster
const ds = `dialectry_svc_${process.pid}`

beforeAll(async () => {
  local = await startDruid()
  client = connect(local.url, { timeout: 30_000 })
  await client.ingest(
    `REPLACE INTO "${ds}" OVERWRITE ALL SELECT TIME_PARSE("t") AS __time, "page" FROM TABLE(EXTERN('{"type":"inline","data":"t,page\\n2024-01-01T00:00:00Z,a\\n2024-01-02T00:00:00Z,b\\n"}', '{"type":"csv","findColumnsFromHeader":true}', '[{"name":"t","type":"string"},{"name":"page","type":"string"}]')) PARTITIONED BY DAY`,
    [],
    { pollInterval: 100 },
  )
  cluster = await client.cluster()
})
afterAll(async () => {
  await cluster?.close()
  await client?.close()
  await local?.stop()
})

describe('Druid service clients', () => {
  it('every service: health, status, properties, in-cluster', async () => {
    const svc = cluster.router()
    expect(await svc.isHealthy()).toBe(true)
    expect((await svc.status()).version).toBeTypeOf('string')
    expect(await svc.properties()).toHaveProperty(['druid.service'])
    expect(await svc.inCluster()).toBe(true)
  })

  it('cluster.client() is the generic Router-or-Broker query client', async () => {
    const q = cluster.client()
    expect((await q.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "${ds}"`)).rows).toEqual([{ n: 2 }])
  })

  it('Coordinator: load status (percent, simple, full by tier), datasources, segments, rules, compaction', async () => {
    const c = cluster.coordinator()
    expect(await c.loadStatus()).toMatchObject({ [ds]: 100 })
    expect(await c.loadStatus('simple')).toMatchObject({ [ds]: 0 })
    expect(await c.loadStatusByTier()).toMatchObject({ _default_tier: { [ds]: 0 } })
    expect(await c.datasources()).toContain(ds)
    expect(await c.datasourceLoadStatus(ds)).toBe(100)
    expect(await c.datasourceLoadStatus('no_such_ds')).toBeUndefined()
    const segments = (await c.segments(ds)) as string[]
    expect(segments).toHaveLength(2)
    expect(segments[0]).toContain(ds)
    expect(await c.retentionRules()).toHaveProperty('_default')
    await c.setRetentionRules(ds, [{ type: 'loadForever', tieredReplicants: { _default_tier: 2 } }], { author: 'test', comment: 'two copies' })
    expect(await c.retentionRulesFor(ds)).toEqual([{ type: 'loadForever', tieredReplicants: { _default_tier: 2 } }])
    expect(await c.compactionConfigs()).toMatchObject({ compactionConfigs: [] })
    expect(await c.compactionStatus()).toEqual({ latestStatus: [] })
  })

  it('Overlord: tasks list, status, reports; supervisors', async () => {
    const o = cluster.overlord()
    const done = await o.tasks({ state: 'complete', datasource: ds })
    expect(done.length).toBeGreaterThan(0)
    const id = done[0]!.id
    expect((await o.taskStatus(id)).status.statusCode).toBe('SUCCESS')
    expect(await o.taskReports(id)).toHaveProperty('multiStageQuery')
    expect(await o.supervisors()).toEqual([])
  })

  it('Broker and Router: readiness, datasources, brokers', async () => {
    expect(await cluster.broker().isReady()).toBe(true)
    expect(await cluster.broker().datasources()).toContain(ds)
    const brokers = await cluster.router().brokers()
    expect(Object.values(brokers).flat().length).toBeGreaterThan(0)
  })

  it('the default mapper picks the TLS port with preferTls; connect() defaults to a Router on localhost:8888', async () => {
    expect(new DefaultMapper().urlFor('druid-broker', 8082, 8282, true)).toBe('https://druid-broker:8282')
    expect(new DefaultMapper().urlFor('druid-broker', 8082, -1, true)).toBe('http://druid-broker:8082')
    expect(new DefaultMapper().urlFor('druid-broker', 8082, 8282, false)).toBe('http://druid-broker:8082')
    const tls = connect(local.url, { preferTls: true })
    expect(tls.mapper.urlFor('h', 1, 2, tls.preferTls)).toBe('https://h:2')
    await tls.close()
    const d = connect()
    expect(d.url).toBe('http://localhost:8888')
    await d.close()
  })
})
