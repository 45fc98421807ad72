import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { BOOTSTRAP_SQL, SEGMENTS_TABLE_SQL } from './bootstrap-sql.ts'

/** A service the engine lists in `sys.servers`. */
export interface ServiceEntry {
  host: string
  plaintextPort: number
  tlsPort: number
  /** Lower-case role names as in `sys.servers.server_type`. */
  roles: string[]
  /** Whether this process leads the coordinator/overlord roles. */
  leader: boolean
  startTime: string
}

/** What the engine knows about a SQL query, for cancel and for tests that check a query stopped. */
export interface QueryRecord {
  id: string
  sql: string
  state: 'running' | 'done' | 'cancelled' | 'failed'
  /** Rows sent so far. */
  rows: number
  connection: DuckDBConnection
}

/**
 * One DuckDB database shared by every service of a local cluster: datasources in schema `druid`, Druid's
 * functions and catalogs from {@link BOOTSTRAP_SQL}, `sys.servers` kept in step with the running services, and the
 * registries of running SQL queries and ingestion tasks.
 */
export class DruidEngine {
  readonly instance: DuckDBInstance
  readonly services: ServiceEntry[] = []
  readonly queries = new Map<string, QueryRecord>()
  /** Ids named by `DELETE /druid/v2/sql/{id}` requests, in arrival order (tests check that cancels arrive). */
  readonly cancelRequests: string[] = []
  /** Retention rules set per datasource (`POST /druid/coordinator/v1/rules/{ds}`), kept in memory. */
  readonly rules = new Map<string, unknown[]>()
  /** A temp directory for inline ingestion data; removed by {@link close}. */
  readonly tmpDir: string

  private constructor(instance: DuckDBInstance) {
    this.instance = instance
    this.tmpDir = mkdtempSync(join(tmpdir(), 'dialectry-druid-'))
  }

  /** Creates the database and runs the bootstrap SQL. */
  static async create(): Promise<DruidEngine> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' })
    const engine = new DruidEngine(instance)
    const c = await instance.connect()
    try {
      await c.run(SEGMENTS_TABLE_SQL)
      await c.run(BOOTSTRAP_SQL)
    } finally {
      c.closeSync()
    }
    return engine
  }

  /** A new connection with Druid's search path (`druid` first, so `t` and `druid.t` are the same table). */
  async connect(): Promise<DuckDBConnection> {
    const c = await this.instance.connect()
    await c.run(`SET search_path = 'druid,main'`)
    return c
  }

  /** Runs statements on a short-lived connection. */
  async run(sql: string): Promise<void> {
    const c = await this.connect()
    try {
      await c.run(sql)
    } finally {
      c.closeSync()
    }
  }

  /** Rewrites `sys.servers` from {@link services} (one row per role; a leader flag on coordinator/overlord rows). */
  async refreshServers(): Promise<void> {
    const rows: string[] = []
    const q = (s: string) => `'${s.replaceAll("'", "''")}'`
    for (const s of this.services) {
      const port = s.plaintextPort > 0 ? s.plaintextPort : s.tlsPort
      for (const role of s.roles) {
        const leads = role === 'coordinator' || role === 'overlord' ? (s.leader ? 1 : 0) : 'NULL'
        const tier = role === 'historical' ? q('_default_tier') : 'NULL'
        const size = role === 'historical' ? '(SELECT coalesce(sum(num_rows), 0) * 100 FROM main.druid_segments)' : '0'
        rows.push(`(${q(`${s.host}:${port}`)}, ${q(s.host)}, ${s.plaintextPort}, ${s.tlsPort}, ${q(role)}, ${tier}, ${size}, ${role === 'historical' ? 300000000000 : 0}, ${leads}, ${q(s.startTime)})`)
      }
    }
    await this.run(`DELETE FROM sys.servers;${rows.length > 0 ? ` INSERT INTO sys.servers VALUES ${rows.join(', ')};` : ''}`)
  }

  /** Recounts `sys.segments` (one segment per day) for a datasource after ingestion. */
  async refreshSegments(datasource: string): Promise<void> {
    const lit = `'${datasource.replaceAll("'", "''")}'`
    const ident = `"${datasource.replaceAll('"', '""')}"`
    const c = await this.connect()
    try {
      await c.run(`DELETE FROM main.druid_segments WHERE datasource = ${lit}`)
      const cols = await c.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'druid' AND table_name = ${lit} AND column_name = '__time'`)
      if (cols.currentRowCount > 0) await c.run(`INSERT INTO main.druid_segments SELECT ${lit}, date_trunc('day', "__time"), count(*) FROM druid.${ident} GROUP BY 2`)
      else await c.run(`INSERT INTO main.druid_segments SELECT ${lit}, TIMESTAMP '1970-01-01', count(*) FROM druid.${ident}`)
    } finally {
      c.closeSync()
    }
  }

  /** Datasource names (tables of schema `druid`). */
  async datasources(): Promise<string[]> {
    const c = await this.connect()
    try {
      const r = await c.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'druid' ORDER BY 1`)
      return r.getRowsJS().map((row) => String(row[0]))
    } finally {
      c.closeSync()
    }
  }

  /** Cancels a running query: interrupts DuckDB and marks it. Returns whether it was running. */
  cancel(id: string): boolean {
    this.cancelRequests.push(id)
    const q = this.queries.get(id)
    if (q === undefined || q.state !== 'running') return false
    q.state = 'cancelled'
    q.connection.interrupt()
    return true
  }

  /** Closes the database and removes the temp directory. */
  close(): void {
    for (const q of this.queries.values()) if (q.state === 'running') q.connection.interrupt()
    this.instance.closeSync()
    rmSync(this.tmpDir, { recursive: true, force: true })
  }
}
