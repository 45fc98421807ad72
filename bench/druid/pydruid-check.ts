/**
 * `node bench/druid/pydruid-check.ts <pydruid source dir> [python]`: runs pydruid (https://github.com/druid-io/pydruid),
 * unchanged, against the local Druid server: starts `startDruid()`, ingests a 48-row datasource through SQL
 * ingestion from a JSON-lines file, then runs `pydruid-check.py` (DB-API, SQLAlchemy `druid://` dialect, native
 * `PyDruid` client; Basic auth against a second server with user `admin`/`secret`) with `python` (default `/usr/bin/python3`, which needs `requests` and `sqlalchemy`).
 * Exits with the script's status. The pydruid source stays outside this repository.
 */
import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connect } from '../../src/druid/index.ts'
import { startDruid } from '../../src/testing/druid/index.ts'

const [sourceDir, python = '/usr/bin/python3'] = process.argv.slice(2)
if (!sourceDir) {
  console.error('usage: node bench/druid/pydruid-check.ts <pydruid source dir> [python]')
  process.exit(2)
}
const ds = 'pydruid_check'
const dataFile = join(tmpdir(), `pydruid-check-${process.pid}.json`)
const lines = Array.from({ length: 48 }, (_, i) =>
  JSON.stringify({ ts: new Date(Date.UTC(2024, 0, 1, i)).toISOString(), channel: i % 3 === 0 ? '#en' : '#fr', added: i * 10, delta: i / 4 }),
)
writeFileSync(dataFile, `${lines.join('\n')}\n`)
const druid = await startDruid()
// A second server with druid-basic-security users, for pydruid's Basic auth paths.
const secured = await startDruid({ users: { admin: 'secret' } })
const client = connect(druid.url)
try {
  await client.ingest(
    `REPLACE INTO "${ds}" OVERWRITE ALL
     SELECT TIME_PARSE("ts") AS __time, "channel", "added", "delta"
     FROM TABLE(EXTERN('{"type":"local","files":[${JSON.stringify(dataFile)}]}', '{"type":"json"}',
       '[{"name":"ts","type":"string"},{"name":"channel","type":"string"},{"name":"added","type":"long"},{"name":"delta","type":"double"}]'))
     PARTITIONED BY DAY`,
  )
  const script = fileURLToPath(new URL('pydruid-check.py', import.meta.url))
  // Asynchronous spawn is not needed for the server: it runs on this event loop, so spawnSync would block it.
  const { spawn } = await import('node:child_process')
  const code = await new Promise<number>((resolve) => {
    spawn(python, [script, sourceDir, druid.url, ds, secured.url], { stdio: 'inherit' }).on('exit', (c) => resolve(c ?? 1))
  })
  process.exitCode = code
} finally {
  await client.close()
  await druid.stop()
  await secured.stop()
  rmSync(dataFile, { force: true })
}
void spawnSync
