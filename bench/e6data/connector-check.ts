/**
 * `node bench/e6data/connector-check.ts --connector DIR`: runs the official e6data Python connector's README flows
 * unchanged (connector-check.py) against the local e6data engine behind its HTTP/2 gateway, so 456 and 503 reach
 * the connector as bare HTTP statuses, the way e6data's gateway sends them. Prints one line per check and exits 1
 * when any failed.
 *
 * Needs /usr/bin/python3 with Debian's python3-grpcio, python3-protobuf, python3-thrift, python3-tz, and the
 * connector's source (a checkout of e6data/e6data-python-connector, or `git archive HEAD e6data_python_connector`
 * of it) as `--connector DIR` or E6DATA_PY_CONNECTOR. Not part of `npm test` (no Python in CI).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startE6data } from '../../src/testing/e6data/index.ts'

const here = fileURLToPath(new URL('.', import.meta.url))

const AIRPORTS = `SELECT * FROM (VALUES
  ('ABQ', 'Albuquerque International', 'Albuquerque', 35.04::DOUBLE, -106.61::DOUBLE, 5355),
  ('JFK', 'John F Kennedy Intl', 'New York', 40.64::DOUBLE, -73.78::DOUBLE, 13),
  ('LAX', 'Los Angeles International', 'Los Angeles', 33.94::DOUBLE, -118.41::DOUBLE, 126),
  ('ORD', 'Chicago O''Hare International', 'Chicago', 41.98::DOUBLE, -87.90::DOUBLE, 668),
  ('SFO', 'San Francisco International', 'San Francisco', 37.62::DOUBLE, -122.37::DOUBLE, 13)
) AS t(iata, name, city, latitude, longitude, elevation)`
const FLIGHTS = `SELECT range AS id, TIMESTAMP '2001-01-01 00:00:00' + to_minutes(range) AS date, CAST(range % 90 - 10 AS BIGINT) AS delay,
  CAST(100 + range % 2000 AS BIGINT) AS distance, ['ABQ', 'JFK', 'LAX', 'ORD', 'SFO'][1 + range % 5] AS origin,
  ['SFO', 'ORD', 'LAX', 'JFK', 'ABQ'][1 + range % 5] AS destination FROM range(20000)`

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { connector: { type: 'string' } } })
  const connector = values.connector ?? process.env['E6DATA_PY_CONNECTOR']
  if (connector === undefined || !existsSync(join(connector, 'e6data_python_connector'))) {
    console.error('connector source not found: pass --connector DIR (holding e6data_python_connector/) or set E6DATA_PY_CONNECTOR')
    return 2
  }
  const engine = await startE6data({ httpGateway: true, batchRows: 4096 })
  try {
    await engine.registerTable('hive', 'demo', 'airports', { query: AIRPORTS })
    await engine.registerTable('hive', 'demo', 'flights', { query: FLIGHTS })
    await engine.registerTable('hive', 'other', 'notes', { query: `SELECT 1 AS id, 'other database' AS note` })
    const child = spawn('/usr/bin/python3', [join(here, 'connector-check.py')], {
      env: { ...process.env, PYTHONPATH: connector, CHECK_CONFIG: JSON.stringify({ host: engine.host, port: engine.port, username: engine.username, password: engine.password }) },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    let failed = 0
    let summary = false
    for await (const line of createInterface({ input: child.stdout! })) {
      if (!line.startsWith('{')) continue
      const msg = JSON.parse(line) as { check?: string; ok?: boolean; detail?: unknown; trace?: string[]; flip?: boolean; summary?: unknown }
      if (msg.flip === true) {
        engine.flip({ announceFor: 200 })
        child.stdin!.write('flipped\n')
        console.log(`-- engine flips ${engine.strategy} -> next colour (announced for 200 ms)`)
      } else if (msg.check !== undefined) {
        if (msg.ok !== true) failed++
        console.log(`${msg.ok === true ? 'ok  ' : 'FAIL'} ${msg.check}: ${JSON.stringify(msg.detail)}${msg.trace ? `\n     ${msg.trace.join('\n     ')}` : ''}`)
      } else if (msg.summary !== undefined) {
        summary = true
        console.log(`summary: ${JSON.stringify(msg.summary)}; engine: live colour ${engine.strategy}, 456 answered ${engine.stats.wrongStrategy} times`)
      }
    }
    const code = await new Promise<number>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c ?? 1))))
    if (!summary) console.log(`the connector script ended without a summary (exit ${code})`)
    return failed > 0 || !summary ? 1 : code
  } finally {
    await engine.stop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2))
