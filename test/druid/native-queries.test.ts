import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, DruidQueryError, type DruidClient } from '../../src/druid/index.ts'
import { provisionDruid, type ProvisionedDruid } from '../../src/testing/druid/index.ts'

/** Native JSON queries (`POST /druid/v2/`) with typed shapes, checked against the same questions asked in SQL. */
let druid: ProvisionedDruid
let client: DruidClient
const ds = `dialectry_native_${process.pid}`

beforeAll(async () => {
  druid = await provisionDruid()
  client = connect(druid.url, { timeout: 60_000 })
  await client.ingest(
    `REPLACE INTO "${ds}" OVERWRITE ALL SELECT TIME_PARSE("t") AS __time, "page", "added" FROM TABLE(EXTERN('{"type":"inline","data":"t,page,added\\n${Array.from({ length: 30 }, (_, i) => `2024-01-0${1 + Math.floor(i / 10)}T0${i % 10}:00:00Z,${['a', 'b', 'c'][i % 3]},${i}`).join('\\n')}\\n"}', '{"type":"csv","findColumnsFromHeader":true}', '[{"name":"t","type":"string"},{"name":"page","type":"string"},{"name":"added","type":"long"}]')) PARTITIONED BY DAY`,
    [],
    { pollInterval: 100 },
  )
})
afterAll(async () => {
  await client?.close()
  await druid?.stop()
})

describe('Druid native queries', () => {
  const base = { dataSource: ds, intervals: ['2024-01-01/2024-02-01'] }

  it('timeseries by day with aggregations and an arithmetic post-aggregation', async () => {
    const result = await client.nativeQuery({
      ...base,
      queryType: 'timeseries',
      granularity: 'day',
      aggregations: [{ type: 'count', name: 'rows' }, { type: 'longSum', name: 'added', fieldName: 'added' }],
      postAggregations: [{ type: 'arithmetic', name: 'avg', fn: '/', fields: [{ type: 'fieldAccess', fieldName: 'added' }, { type: 'fieldAccess', fieldName: 'rows' }] }],
    })
    expect(result).toEqual([
      { timestamp: '2024-01-01T00:00:00.000Z', result: { rows: 10, added: 45, avg: 4.5 } },
      { timestamp: '2024-01-02T00:00:00.000Z', result: { rows: 10, added: 145, avg: 14.5 } },
      { timestamp: '2024-01-03T00:00:00.000Z', result: { rows: 10, added: 245, avg: 24.5 } },
    ])
  })

  it('topN, groupBy with a filter and limitSpec, scan, timeBoundary, segmentMetadata', async () => {
    const top = await client.nativeQuery({ ...base, queryType: 'topN', granularity: 'all', dimension: 'page', threshold: 2, metric: 'added', aggregations: [{ type: 'longSum', name: 'added', fieldName: 'added' }] })
    const sql = await client.query<{ page: string; added: number }>(`SELECT "page", SUM("added") AS "added" FROM "${ds}" GROUP BY 1 ORDER BY 2 DESC LIMIT 2`)
    expect(top).toEqual([{ timestamp: '2024-01-01T00:00:00.000Z', result: sql.rows }])
    const grouped = await client.nativeQuery({
      ...base,
      queryType: 'groupBy',
      granularity: 'all',
      dimensions: ['page'],
      filter: { type: 'bound', dimension: 'added', lower: '10', ordering: 'numeric' },
      aggregations: [{ type: 'count', name: 'n' }],
      limitSpec: { type: 'default', limit: 2, columns: [{ dimension: 'page', direction: 'descending' }] },
    })
    expect(grouped.map((g) => g.event)).toEqual([{ page: 'c', n: 7 }, { page: 'b', n: 7 }])
    const scan = await client.nativeQuery({ ...base, queryType: 'scan', columns: ['__time', 'page'], limit: 2, order: 'ascending', filter: { type: 'selector', dimension: 'page', value: 'b' } })
    expect(scan[0]!.events).toEqual([{ __time: Date.parse('2024-01-01T01:00:00Z'), page: 'b' }, { __time: Date.parse('2024-01-01T04:00:00Z'), page: 'b' }])
    const boundary = await client.nativeQuery({ queryType: 'timeBoundary', dataSource: ds })
    expect(boundary[0]!.result).toEqual({ minTime: '2024-01-01T00:00:00.000Z', maxTime: '2024-01-03T09:00:00.000Z' })
    const meta = await client.nativeQuery({ queryType: 'segmentMetadata', dataSource: ds })
    expect(meta[0]!.numRows).toBe(30)
    expect(Object.keys(meta[0]!.columns)).toEqual(['__time', 'page', 'added'])
  })

  it('an unknown datasource answers empty results, as a Broker with no segments for it does (pydruid relies on it)', async () => {
    const none = { dataSource: 'no_such_ds', intervals: ['2024-01-01/2024-02-01'] }
    const sum = [{ type: 'longSum' as const, name: 'added', fieldName: 'added' }]
    expect(await client.nativeQuery({ ...none, queryType: 'timeBoundary' })).toEqual([])
    expect(await client.nativeQuery({ ...none, queryType: 'timeseries', granularity: 'day', aggregations: sum })).toEqual([])
    expect(await client.nativeQuery({ ...none, queryType: 'topN', granularity: 'all', dimension: 'page', threshold: 2, metric: 'added', aggregations: sum })).toEqual([])
    expect(await client.nativeQuery({ ...none, queryType: 'groupBy', granularity: 'all', dimensions: ['page'], aggregations: sum })).toEqual([])
    expect(await client.nativeQuery({ ...none, queryType: 'scan', columns: ['page'] })).toEqual([])
    expect(await client.nativeQuery({ ...none, queryType: 'segmentMetadata' })).toEqual([])
    // timeseries over `all` still merges to its one row of empty aggregates
    expect(await client.nativeQuery({ ...none, queryType: 'timeseries', granularity: 'all', aggregations: [{ type: 'count', name: 'rows' }, ...sum] })).toEqual([
      { timestamp: '2024-01-01T00:00:00.000Z', result: { rows: 0, added: 0 } },
    ])
  })

  it('an unsupported aggregator is a typed error naming it', async () => {
    const err = await client.nativeQuery({ ...base, queryType: 'timeseries', granularity: 'all', aggregations: [{ type: 'noSuchAggregator' as 'count', name: 'x' }] }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DruidQueryError)
    expect((err as Error).message).toContain('noSuchAggregator')
  })
})
