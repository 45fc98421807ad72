import { Connection } from '../../../src/e6data/connection.ts'
import { ConnectionPool } from '../../../src/e6data/connection-pool.ts'
import type { Row } from '../../../src/e6data/cursor.ts'
import type { E6dataParameter } from '../../../src/e6data/parameter-binding.ts'

/** What the Drizzle driver runs on: one Connection (a cursor per query) or a ConnectionPool. */
export type E6dataDrizzleClient = Connection | ConnectionPool

/** Runs one statement to completion; returns the column names and array rows. */
export async function runQuery(client: E6dataDrizzleClient, sql: string, params: unknown[]): Promise<{ names: string[]; rows: Row[] }> {
  const run = async (conn: Connection) => {
    const cur = conn.cursor()
    try {
      await cur.execute(sql, params as E6dataParameter[])
      const rows = await cur.fetchAll()
      return { names: cur.columns?.map((c) => c.name) ?? [], rows }
    } finally {
      await cur.close()
    }
  }
  return client instanceof ConnectionPool ? client.withConnection(run) : run(client)
}
