/**
 * The e6data part of the demo: the 3M vega-datasets flights (parquet) and the airports (CSV) registered in the local
 * e6data engine (or `E6DATA_URL`, whose `flights` and `airports` tables in the connection's catalog/database are
 * used as they are), then the connector README's flows through `dialectry/e6data`: execute + fetchAll,
 * explainAnalyse timings, schema listing, a ConnectionPool running queries concurrently, a blue-green flip in the
 * middle of a query loop (local engine: zero failures printed), and Kysely queries joining flights with airports.
 */
import { sql } from 'kysely'
import { Connection, ConnectionPool, type ConnectionOptions } from '../../../src/e6data/index.ts'
import { provisionE6data } from '../../../src/testing/e6data/index.ts'
import { createE6dataKysely } from '../../../dialects/e6data/kysely/index.ts'
import { AIRPORTS_CSV, FLIGHTS_PARQUET } from '../data-files.ts'
import { formatDecimal, formatDuration, formatInteger, formatTable } from '../format-table.ts'
import { heading } from '../print-results.ts'

/** Options of {@link runE6dataDemo}. */
export interface E6dataDemoOptions {
  /** Flights to register; default all (3,000,000). Local engine only. */
  rows?: number
  /** Receives every output line; default `console.log`. */
  log?: (line: string) => void
  /** Stops the run between steps. */
  signal?: AbortSignal
  /** Environment read for `E6DATA_URL`; default `process.env`. */
  env?: Record<string, string | undefined>
}

/** What the demo computed. */
export interface E6dataDemoResult {
  flights: number
  tables: string[]
  poolQueries: number
  flipQueries: number
  flipFailures: number
  topOrigins: { origin: string; city: string; flights: number; delay: number }[]
}

interface DemoDB {
  flights: { date: string; delay: number; distance: number; origin: string; destination: string }
  airports: { iata: string; name: string; city: string; state: string; country: string; latitude: number; longitude: number }
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const r = await fn()
  return [r, performance.now() - t0]
}

/** Runs the e6data demo. @throws whatever the engine or driver throws (typed `E6dataError`s). */
export async function runE6dataDemo(options: E6dataDemoOptions = {}): Promise<E6dataDemoResult> {
  const log = options.log ?? ((l: string) => console.log(l))
  const check = (): void => options.signal?.throwIfAborted()
  const e6 = await provisionE6data({ env: options.env ?? process.env })
  const base: ConnectionOptions = { ...e6.connectionOptions, catalog: e6.connectionOptions.catalog ?? 'hive', database: e6.connectionOptions.database ?? 'demo' }
  const conn = new Connection(base)
  const pool = new ConnectionPool({ ...base, minSize: 2, maxSize: 4, maxOverflow: 2 })
  const db = createE6dataKysely<DemoDB>({ pool })
  try {
    if (e6.local !== undefined) {
      const limit = options.rows === undefined ? '' : ` LIMIT ${options.rows}`
      await e6.local.registerTable('hive', 'demo', 'flights', { query: `SELECT * FROM read_parquet('${FLIGHTS_PARQUET.replaceAll("'", "''")}')${limit}` })
      await e6.local.registerTable('hive', 'demo', 'airports', { csv: AIRPORTS_CSV })
      log(`Local e6data engine on ${e6.local.host}:${e6.local.port} (DuckDB); flights and airports registered in hive.demo`)
    } else log(`E6DATA_URL: ${base.host}:${base.port}, catalog ${base.catalog}, database ${base.database}`)
    check()

    // (1) execute + fetchAll, description
    const cur = conn.cursor()
    const [[count], ms1] = await timed(async () => {
      const id = await cur.execute('SELECT count(*) AS flights, avg(delay) AS mean_delay FROM flights')
      log(`query id ${id}; rowCount ${cur.rowCount}; description ${JSON.stringify(cur.description!.map((d) => [d[0], d[1]]))}`)
      return (await cur.fetchAll()) as [[number, number]]
    })
    log(heading('(1) Flights and mean delay', 'Cursor.execute + fetchAll', ms1))
    log(`    ${formatInteger(Number(count[0]))} flights, mean delay ${formatDecimal(count[1], 2)} min`)
    const ea = await cur.explainAnalyse()
    log(`    explainAnalyse: total ${ea.totalQueryTime ?? '?'} ms, parsing ${ea.parsingTime} ms, queueing ${ea.queueingTime} ms, cached ${ea.isCached}`)
    await cur.close()
    check()

    // (2) schema listing through the metadata RPCs
    const [[schemas, tables, columns], ms2] = await timed(async () => [await conn.getSchemaNames(), await conn.getTables(), await conn.getColumns(base.catalog!, base.database!, 'flights')] as const)
    log(heading('(2) Schema listing', 'getSchemaNames / getTables / getColumns', ms2))
    log(`    databases: ${schemas.join(', ')}; tables: ${tables.join(', ')}`)
    log(`    flights: ${columns.map((c) => `${c.fieldName} ${c.fieldType}`).join(', ')}`)
    check()

    // (3) ConnectionPool, queries in parallel
    const origins = ['ORD', 'ATL', 'DFW', 'LAX', 'PHX', 'IAH', 'DEN', 'LAS']
    const [perOrigin, ms3] = await timed(() =>
      Promise.all(
        origins.map((o) =>
          pool.withConnection(async (c) => {
            const k = c.cursor()
            await k.execute('SELECT count(*) AS n FROM flights WHERE origin = %s', [o])
            const [[n]] = (await k.fetchAll()) as [[number]]
            await k.close()
            return { origin: o, n }
          }),
        ),
      ),
    )
    log(heading(`(3) ${origins.length} queries through a ConnectionPool`, 'ConnectionPool.withConnection', ms3))
    log(`    ${perOrigin.map((r) => `${r.origin} ${formatInteger(r.n)}`).join(', ')}; statistics ${JSON.stringify(pool.getStatistics())}`)
    check()

    // (4) blue-green flip in the middle of a query loop
    let flipFailures = 0
    let flipQueries = 0
    if (e6.local !== undefined) {
      const from = e6.local.strategy
      const [, ms4] = await timed(async () => {
        for (let i = 0; i < 40; i++) {
          if (i === 20) e6.local!.flip()
          try {
            await pool.withConnection(async (c) => {
              const k = c.cursor()
              await k.execute('SELECT max(distance) FROM flights WHERE delay > %s', [i])
              await k.fetchAll()
              await k.close()
            })
          } catch (error) {
            flipFailures++
            log(`    query ${i} failed: ${(error as Error).message}`)
          }
          flipQueries++
        }
      })
      log(heading('(4) Blue-green switch in the middle of 40 queries', 'strategy 456 / re-detection', ms4))
      log(`    ${from} -> ${e6.local.strategy}: ${flipQueries} queries, ${flipFailures} failures`)
    }
    check()

    // (5) Kysely: flights joined with airports
    const [topOrigins, ms5] = await timed(async () =>
      (
        await db
          .selectFrom('flights as f')
          .innerJoin('airports as a', 'a.iata', 'f.origin')
          .select(['f.origin', 'a.city', (eb) => eb.fn.countAll<number>().as('flights'), (eb) => eb.fn.avg<number>('f.delay').as('delay')])
          .groupBy(['f.origin', 'a.city'])
          .orderBy('flights', 'desc')
          .limit(8)
          .execute()
      ).map((r) => ({ origin: r.origin, city: r.city, flights: Number(r.flights), delay: Number(r.delay) })),
    )
    log(heading('(5) Busiest origins with their city', 'Kysely join + aggregates', ms5))
    for (const line of formatTable(topOrigins, [
      { header: 'origin', cell: (r) => r.origin },
      { header: 'city', cell: (r) => r.city },
      { header: 'flights', cell: (r) => formatInteger(r.flights), align: 'right' },
      { header: 'mean delay', cell: (r) => formatDecimal(r.delay, 1), align: 'right' },
    ])) log(`    ${line}`)
    const [late, ms6] = await timed(async () =>
      (await sql<{ state: string; n: number }>`SELECT a.state, count(*) AS n FROM flights f JOIN airports a ON a.iata = f.destination WHERE f.delay > ${60} GROUP BY a.state ORDER BY n DESC LIMIT 5`.execute(db)).rows,
    )
    log(heading('(6) States receiving the most flights over an hour late', 'Kysely sql`` with a bound parameter', ms6))
    log(`    ${late.map((r) => `${r.state} ${formatInteger(Number(r.n))}`).join(', ')}`)
    log(`e6data demo done in ${formatDuration(ms1 + ms2 + ms3 + ms5 + ms6)} of queries`)
    return { flights: Number(count[0]), tables, poolQueries: origins.length, flipQueries, flipFailures, topOrigins }
  } finally {
    await db.destroy()
    await pool.closeAll()
    conn.close()
    await e6.stop()
  }
}
