import { readFileSync } from 'node:fs'
import { connect, type CrateDBClient } from '../../src/cratedb/index.ts'
import { INSERT_SQL, ROWS_SQL, BIG_ROWS_SQL, SMALL_SQL, type ClientConfig, type Peer } from './common.ts'

/**
 * Our driver, configured to hand back what node-crate hands back where the two can match: rows as objects with
 * Dates (`rowMode: 'object'`, like node-crate's `json`), or arrays with timestamps as epoch ms
 * (`timestamps: 'number'`, like node-crate's raw `rows`). Default pool (16 connections per node).
 */
export async function createPeer(config: ClientConfig): Promise<Peer> {
  const clients: CrateDBClient[] = []
  const make = (options: Parameters<typeof connect>[1]): CrateDBClient => {
    const client = connect(config.url, options)
    clients.push(client)
    return client
  }
  const objects = make({ rowMode: 'object' })
  const arrays = make({ timestamps: 'number' })
  return {
    client: 'ours',
    version: packageVersion(),
    small: async (id) => (await objects.execute<Record<string, unknown>>(SMALL_SQL, [id])).rows[0]!,
    rows: async (op) => {
      if (op === 'rows-objects') return (await objects.execute(ROWS_SQL)).rows
      return (await arrays.execute(op === 'rows-bigint' ? BIG_ROWS_SQL : ROWS_SQL)).rows
    },
    bulk: async (rows) => {
      const result = await arrays.executeMany(INSERT_SQL, rows)
      if (result.failed.length > 0) throw new Error(`${result.failed.length} bulk rows failed, first: ${result.failed[0]!.error?.message ?? 'rowcount -2'}`)
      return result.rowCount
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close()))
    },
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return `dialectry ${pkg.version}`
}
