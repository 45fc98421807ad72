import { createRequire } from 'node:module'
import crate from 'node-crate'
import { INSERT_SQL, ROWS_SQL, BIG_ROWS_SQL, SMALL_SQL, type ClientConfig, type Peer } from './common.ts'

/**
 * The `node-crate` npm package (v3.0): `execute(sql, args)` resolves with the parsed body plus a lazy `json`
 * getter (rows as objects, TIMESTAMP columns as Dates); `executeBulk(sql, bulkArgs)`. Requests go through
 * `http.request` on Node's global agent (keep-alive, no socket limit), so 16 calls in flight use 16 sockets, as
 * our pool of 16 does. It parses with plain `JSON.parse`, so 64-bit ids come back rounded.
 */
export async function createPeer(config: ClientConfig): Promise<Peer> {
  const url = new URL(config.url)
  crate.connect(`${url.protocol}//${url.host}`)
  return {
    client: 'node-crate',
    version: `node-crate ${packageVersion()}`,
    small: async (id) => (await crate.execute(SMALL_SQL, [id])).json[0]!,
    rows: async (op) => {
      if (op === 'rows-objects') return (await crate.execute(ROWS_SQL)).json
      return (await crate.execute(op === 'rows-bigint' ? BIG_ROWS_SQL : ROWS_SQL)).rows
    },
    bulk: async (rows) => {
      const result = await crate.executeBulk(INSERT_SQL, rows)
      const results = result.results ?? []
      let written = 0
      for (const item of results) {
        if (item.rowcount < 0) throw new Error(`a bulk row failed: ${item.error?.message ?? `rowcount ${item.rowcount}`}`)
        written += item.rowcount
      }
      return written
    },
    close: async () => {},
  }
}

function packageVersion(): string {
  const require = createRequire(import.meta.url)
  return (require('node-crate/package.json') as { version: string }).version
}
