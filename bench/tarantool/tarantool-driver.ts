import { createRequire } from 'node:module'
import TarantoolConnection from 'tarantool-driver'
import { benchTuple, INSERT_SPACE, SELECT_SQL, SPACE, type ClientConfig, type OpName } from './common.ts'
import { expectJson, type NodePeer } from './peer.ts'

/**
 * The `tarantool-driver` npm package (v3.1): `select(space, index, limit, offset, iterator, key)`,
 * `insert(space, tuple)`, `sql(query, binds)` (rows as objects keyed by column name), `ping()`. Every request
 * is written to the socket at once, so concurrent calls are pipelined on its one connection.
 */
export async function createPeer(config: ClientConfig): Promise<NodePeer> {
  const conn = new TarantoolConnection({
    host: config.host,
    port: config.port,
    username: config.user,
    password: config.password,
    lazyConnect: true,
    retryStrategy: () => null,
  })
  await conn.connect()
  const rows = config.rows
  const run: NodePeer['run'] = {
    ping: () => conn.ping(),
    select: (seq) => conn.select(SPACE, 0, 1, 0, 'eq', [(seq % rows) + 1]),
    sql: (seq) => conn.sql(SELECT_SQL, [(seq % rows) + 1]),
    insert: (seq) => conn.insert(INSERT_SPACE, benchTuple(seq + 1)),
  }
  const [id, name, value] = benchTuple(7)
  const checks: Record<OpName, () => Promise<void>> = {
    ping: async () => expectJson('ping', await conn.ping(), true),
    select: async () => expectJson('select', await conn.select(SPACE, 0, 1, 0, 'eq', [7]), [benchTuple(7)]),
    sql: async () => expectJson('sql', await conn.sql(SELECT_SQL, [7]), [{ id, name, value }]),
    insert: async () => expectJson('insert', await conn.insert(INSERT_SPACE, benchTuple(0)), [benchTuple(0)]),
  }
  return {
    client: 'tarantool-driver',
    version: `tarantool-driver ${packageVersion()}`,
    run,
    check: (op) => checks[op](),
    close: async () => conn.disconnect(),
  }
}

function packageVersion(): string {
  const require = createRequire(import.meta.url)
  return (require('tarantool-driver/package.json') as { version: string }).version
}
