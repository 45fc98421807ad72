import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, DruidQueryError, type DruidClient } from '../../src/druid/index.ts'
import { startDruid, type LocalDruid } from '../../src/testing/druid/index.ts'

/**
 * `EXPLAIN PLAN FOR …` on the local server: one row of `PLAN`, `RESOURCES`, `ATTRIBUTES`
 * (https://druid.apache.org/docs/latest/querying/sql-translation#interpreting-explain-plan-output). PLAN is DuckDB's
 * plan wrapped in JSON; RESOURCES and ATTRIBUTES have Druid's shapes.
 */
let local: LocalDruid
let client: DruidClient

beforeAll(async () => {
  local = await startDruid()
  client = connect(local.url)
  await local.engine.run(`CREATE TABLE druid.flights AS SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR AS __time, 'LAX' AS origin, i AS delay FROM range(10) t(i)`)
  await local.engine.run(`CREATE TABLE druid.airports AS SELECT TIMESTAMP '2000-01-01' AS __time, 'LAX' AS iata, 'CA' AS state`)
})
afterAll(async () => {
  await client?.close()
  await local?.stop()
})

async function post(body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${local.url}/druid/v2/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, json: await res.json() }
}

describe('EXPLAIN PLAN FOR on the local Druid server', () => {
  it('answers one row of PLAN, RESOURCES and ATTRIBUTES', async () => {
    const { status, json } = await post({ query: 'EXPLAIN PLAN FOR SELECT origin, COUNT(*) AS n FROM flights WHERE delay > 2 GROUP BY origin', resultFormat: 'array', header: true, sqlTypesHeader: true })
    expect(status).toBe(200)
    const [names, types, row, ...rest] = json as unknown[][]
    expect(names).toEqual(['PLAN', 'RESOURCES', 'ATTRIBUTES'])
    expect(types).toEqual(['VARCHAR', 'VARCHAR', 'VARCHAR'])
    expect(rest).toEqual([])
    const plan = JSON.parse(row![0] as string) as { query: { plan: string }; signature: { name: string }[] }[]
    expect(plan[0]!.query.plan).toMatch(/flights|SEQ_SCAN|TABLE_SCAN/i)
    expect(plan[0]!.signature.map((c) => c.name)).toEqual(['origin', 'n'])
    expect(JSON.parse(row![1] as string)).toEqual([{ name: 'flights', type: 'DATASOURCE' }])
    expect(JSON.parse(row![2] as string)).toEqual({ statementType: 'SELECT' })
  })

  it('names every datasource read, not CTE names, through the driver with parameters', async () => {
    const { rows } = await client.query(
      `EXPLAIN PLAN FOR WITH f AS (SELECT * FROM "druid"."flights" WHERE delay > ?) SELECT f.origin, a.state FROM f JOIN airports a ON f.origin = a.iata`,
      [3],
    )
    expect(rows).toHaveLength(1)
    expect(JSON.parse(rows[0]!['RESOURCES'] as string)).toEqual([
      { name: 'airports', type: 'DATASOURCE' },
      { name: 'flights', type: 'DATASOURCE' },
    ])
    const constant = await client.query('EXPLAIN PLAN FOR SELECT 1 + 1')
    expect(JSON.parse(constant.rows[0]!['RESOURCES'] as string)).toEqual([])
  })

  it('invalid SQL inside EXPLAIN answers the invalidInput envelope', async () => {
    const { status, json } = await post({ query: 'EXPLAIN PLAN FOR SELECT * FROM no_such_datasource' })
    expect(status).toBe(400)
    expect(json).toMatchObject({ error: 'druidException', errorCode: 'invalidInput', category: 'INVALID_INPUT', errorMessage: "Object 'no_such_datasource' not found" })
    const syntax = await post({ query: 'EXPLAIN PLAN FOR SELEC 1' })
    expect(syntax.status).toBe(400)
    expect(syntax.json).toMatchObject({ error: 'druidException', errorCode: 'invalidInput' })
    const err = await client.query('EXPLAIN PLAN FOR SELECT nope FROM flights').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DruidQueryError)
    expect((err as DruidQueryError).errorMessage).toBe("Column 'nope' not found in any table")
    const bare = await post({ query: 'EXPLAIN SELECT 1' })
    expect(bare.status).toBe(400)
    expect(bare.json).toMatchObject({ errorCode: 'invalidInput' })
  })
})
