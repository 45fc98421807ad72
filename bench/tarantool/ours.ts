import { readFileSync } from 'node:fs'
import { connect, type Connection } from '../../src/tarantool/index.ts'
import { benchTuple, INSERT_SPACE, SELECT_SQL, SPACE, type ClientConfig, type OpName } from './common.ts'
import { expectJson, type NodePeer } from './peer.ts'

/**
 * Our driver: `connect(uri)`, then `ping()`, `select(space, key)`, `execute(sql, params)`,
 * `insert(space, tuple)`. Spaces go by name (resolved through the cached schema), or by id with `spacesById`.
 */
export async function createPeer(config: ClientConfig): Promise<NodePeer> {
  const conn = await connect(config.uri, config.maxInFlight === undefined ? {} : { maxInFlight: config.maxInFlight })
  const rows = config.rows
  const space = config.spacesById === true ? await spaceId(conn, SPACE) : SPACE
  const insertSpace = config.spacesById === true ? await spaceId(conn, INSERT_SPACE) : INSERT_SPACE
  const run: NodePeer['run'] = {
    ping: () => conn.ping(),
    select: (seq) => conn.select(space, [(seq % rows) + 1]),
    sql: (seq) => conn.execute(SELECT_SQL, [(seq % rows) + 1]),
    insert: (seq) => conn.insert(insertSpace, benchTuple(seq + 1)),
  }
  const checks: Record<OpName, () => Promise<void>> = {
    ping: () => conn.ping(),
    select: async () => expectJson('select', await conn.select(space, [7]), [benchTuple(7)]),
    sql: async () => expectJson('sql rows', (await conn.execute(SELECT_SQL, [7])).rows, [benchTuple(7)]),
    // The insert space is empty when a client process starts; 0 is below every key the loop inserts.
    insert: async () => expectJson('insert', await conn.insert(insertSpace, benchTuple(0)), benchTuple(0)),
  }
  return {
    client: 'ours',
    version: packageVersion(),
    run,
    check: (op) => checks[op](),
    close: () => conn.close(),
  }
}

async function spaceId(conn: Connection, name: string): Promise<number> {
  const [row] = await conn.select('_vspace', [name], { index: 'name' })
  if (row === undefined) throw new Error(`no space ${JSON.stringify(name)}`)
  return Number(row[0])
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return `dialectry ${pkg.version}`
}
