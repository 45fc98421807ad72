import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { BlobStore } from './blob-store.ts'
import { BOOTSTRAP_SQL } from './bootstrap-sql.ts'
import { Catalog, type TableInfo } from './catalog.ts'
import { visibilityScript } from './create-table-script.ts'
import { qualified } from './qualified-name.ts'
import { jobKilled, JobRegistry, type Job } from './job-registry.ts'
import { PgliteWire, type PreparedStatement } from './pglite-wire.ts'
import { quoteIdent, quoteLiteral } from './sql-tokenizer.ts'

/** A node of the local cluster, as `sys.nodes` shows it. */
export interface NodeRow {
  readonly id: string
  readonly name: string
  readonly restUrl: string
  readonly httpPort: number
  readonly running: boolean
}

/** Options of {@link CrateStore.open}. */
export interface CrateStoreOptions {
  /** Version reported by `sys.nodes.version['number']`. */
  readonly version: string
  readonly clusterName: string
  /** Milliseconds between automatic refreshes; `undefined` = every write is visible at once (no knob). */
  readonly refreshInterval: number | undefined
  /**
   * Directory of the cached bootstrapped PGlite image (~40 MB, one file per bootstrap version); `false` = no
   * cache file. Default: the OS temp directory.
   */
  readonly imageCache?: string | false | undefined
}

// CrateDB's superuser is `crate` (current_user, sys.jobs, object owners).
const SESSION_SQL = "SET SESSION AUTHORIZATION crate; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET client_min_messages = 'warning'"

/** Bootstrapped templates by cache directory (`''` = no cache file). */
const templates = new Map<string, Promise<{ first: PGlite | undefined; dump: Blob }>>()

/** Where the bootstrapped data directory is cached between processes (keyed by the bootstrap SQL). */
function templateFile(directory: string): string {
  const key = createHash('sha256').update(BOOTSTRAP_SQL).digest('hex').slice(0, 16)
  return join(directory, `dialectry-cratedb-pglite-${key}.tar`)
}

async function loadCachedTemplate(file: string): Promise<{ first: PGlite; dump: Blob } | undefined> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch {
    return undefined
  }
  try {
    const dump = new Blob([new Uint8Array(bytes)])
    const db = new PGlite({ loadDataDir: dump })
    await db.waitReady
    await db.query('SELECT 1 FROM crate_sys.visibility LIMIT 0')
    return { first: db, dump }
  } catch {
    return undefined
  }
}

async function buildTemplate(directory: string): Promise<{ first: PGlite | undefined; dump: Blob }> {
  const file = directory === '' ? undefined : templateFile(directory)
  const cached = file === undefined ? undefined : await loadCachedTemplate(file)
  if (cached !== undefined) return cached
  const db = new PGlite()
  await db.waitReady
  await db.exec(BOOTSTRAP_SQL)
  const dump = await db.dumpDataDir('none')
  if (file !== undefined) {
    try {
      await mkdir(directory, { recursive: true })
      const temporary = `${file}.${process.pid}.${Date.now()}`
      await writeFile(temporary, new Uint8Array(await dump.arrayBuffer()))
      await rename(temporary, file)
    } catch {
      // no cache then: the next process bootstraps again
    }
  }
  return { first: db, dump }
}

/**
 * A PGlite with the bootstrap applied. The first call in a process loads the data directory cached in `cache` (a
 * directory; `false` = none) by an earlier process (under a second), or runs initdb and the bootstrap (about 5 s)
 * and caches the result there; later calls load the in-memory dump.
 */
async function bootstrappedPglite(cache: string | false): Promise<PGlite> {
  const directory = cache === false ? '' : cache
  let template = templates.get(directory)
  if (template === undefined) {
    template = buildTemplate(directory)
    templates.set(directory, template)
    template.catch(() => templates.delete(directory))
  }
  const t = await template
  if (t.first !== undefined) {
    const db = t.first
    t.first = undefined
    return db
  }
  const db = new PGlite({ loadDataDir: t.dump })
  await db.waitReady
  return db
}

/**
 * The state every node of one local CrateDB server shares: the PGlite engine (behind a lane that runs one
 * statement at a time), the catalog snapshot, blob tables, jobs, and the refresh knob. Nodes hold no data of
 * their own, so a node stopped and started again serves the same tables.
 */
export class CrateStore {
  readonly db: PGlite
  readonly wire: PgliteWire
  readonly blobs = new BlobStore()
  readonly jobs = new JobRegistry()
  readonly options: CrateStoreOptions
  /** Catalog snapshot; replaced after every DDL statement. */
  catalog: Catalog
  #lane: Promise<unknown> = Promise.resolve()
  #searchPath = ''
  #role = ''
  #user = ''
  #timer: ReturnType<typeof setInterval> | undefined
  #closed = false
  /** `false` when no images of updated or deleted rows wait for a refresh (see {@link attachGhosts}). */
  #ghostsMaybe = false
  readonly #statements = new Map<string, PreparedStatement>()
  #statementCounter = 0

  private constructor(db: PGlite, catalog: Catalog, options: CrateStoreOptions) {
    this.db = db
    this.wire = new PgliteWire(db)
    this.catalog = catalog
    this.options = options
  }

  /**
   * Starts PGlite with the CrateDB bootstrap (see `BOOTSTRAP_SQL`) and session settings (UTC, ISO dates).
   * @throws Error when PGlite cannot start.
   */
  static async open(options: CrateStoreOptions): Promise<CrateStore> {
    const db = await bootstrappedPglite(options.imageCache ?? tmpdir())
    await db.exec(SESSION_SQL)
    const wire = new PgliteWire(db)
    await wire.script(
      `INSERT INTO crate_sys.cluster_data VALUES (${quoteLiteral(crypto.randomUUID())}, ${quoteLiteral(options.clusterName)}, NULL, '{}'::jsonb)`,
    )
    const store = new CrateStore(db, await Catalog.load(wire), options)
    if (options.refreshInterval !== undefined) {
      store.#timer = setInterval(() => {
        store.run(undefined, () => store.#refreshAll()).catch(() => undefined)
      }, options.refreshInterval)
      store.#timer.unref()
    }
    return store
  }

  /** `true` when the refresh knob is on (searches see only refreshed rows). */
  get visibilityEnabled(): boolean {
    return this.options.refreshInterval !== undefined
  }

  /**
   * Runs `fn` alone on the engine (statements never interleave). A job killed while it waits fails with
   * `JobKilledException` instead of running.
   * @throws CrateError 500/5005 when the job was killed; whatever `fn` throws.
   */
  run<T>(job: Job | undefined, fn: (wire: PgliteWire) => Promise<T>): Promise<T> {
    const result = this.#lane.then(async () => {
      if (this.#closed) throw new Error('the local CrateDB server is stopped')
      if (job !== undefined) {
        if (job.killed) throw jobKilled()
        job.running = true
      }
      return fn(this.wire)
    })
    this.#lane = result.catch(() => undefined)
    return result
  }

  /**
   * Points the engine at a session: `search_path` = the session schema then `crate_fn`, and the role that
   * runs the statement (`crate_searcher` for searches under the refresh knob, else the superuser), and the
   * authenticated `user` that CURRENT_USER/SESSION_USER/USER answer (default `crate`). Only sends what changed.
   * Call inside {@link run}.
   */
  async useSession(schema: string, searcher: boolean, user = 'crate'): Promise<void> {
    const path = `${quoteIdent(schema)}, crate_fn`
    const role = searcher ? 'crate_searcher' : ''
    const parts: string[] = []
    if (path !== this.#searchPath) parts.push(`SET search_path TO ${path}`)
    if (role !== this.#role) parts.push(role === '' ? 'RESET ROLE' : `SET ROLE ${role}`)
    // CURRENT_USER, SESSION_USER and USER read it (through `crate_sys.user_name()`).
    if (user !== this.#user) parts.push(`SET crate.auth_user = ${quoteLiteral(user)}`)
    if (parts.length === 0) return
    await this.wire.script(parts.join('; '))
    this.#searchPath = path
    this.#role = role
    this.#user = user
  }

  async #superuser(): Promise<void> {
    if (this.#role === '') return
    await this.wire.script('RESET ROLE')
    this.#role = ''
  }

  /** Reloads the catalog snapshot and forgets every cached prepared statement. Call inside {@link run}. */
  async reloadCatalog(): Promise<void> {
    await this.wire.close([...this.#statements.values()].map((s) => s.name))
    this.#statements.clear()
    this.catalog = await Catalog.load(this.wire)
  }

  /**
   * A named prepared statement for `sql` with type `hints` under the current search path and role, parsed by
   * `parse` (given a fresh statement name) on first use and reused afterwards (at most 256 are kept; the least
   * recently used is deallocated). Call inside {@link run}, after {@link useSession}.
   * @throws whatever `parse` throws (nothing is cached then).
   */
  async preparedStatement(sql: string, hints: readonly number[], parse: (name: string) => Promise<PreparedStatement>): Promise<PreparedStatement> {
    const key = `${this.#searchPath}\u0000${this.#role}\u0000${hints.join(',')}\u0000${sql}`
    const cached = this.#statements.get(key)
    if (cached !== undefined) {
      this.#statements.delete(key)
      this.#statements.set(key, cached)
      return cached
    }
    const prepared = await parse(`crate_${++this.#statementCounter}`)
    this.#statements.set(key, prepared)
    if (this.#statements.size > 256) {
      const [oldestKey, oldest] = this.#statements.entries().next().value!
      this.#statements.delete(oldestKey)
      await this.wire.close([oldest.name])
    }
    return prepared
  }

  /**
   * Makes every row written so far visible to searches on `tables` (REFRESH TABLE) and forgets the images of rows
   * updated or deleted before. Call inside {@link run}.
   */
  async refresh(tables: readonly TableInfo[]): Promise<void> {
    if (!this.visibilityEnabled || tables.length === 0) return
    await this.#superuser()
    const script = tables.filter((t) => t.userTable).flatMap((t) => [visibilityRow(qualified(t)), `DELETE FROM crate_sys.ghost_rows WHERE relid = ${t.oid}`])
    await this.wire.script(script.join(';\n') || 'SELECT 1')
  }

  async #refreshAll(): Promise<void> {
    await this.#superuser()
    await this.wire.script('UPDATE crate_sys.visibility SET seq = crate_sys.current_seq(); DELETE FROM crate_sys.ghost_rows')
    this.#ghostsMaybe = false
  }

  /**
   * Records that a statement other than a search ran under the refresh knob: it may have updated or deleted rows
   * whose refreshed images searches must still see.
   */
  noteWrite(): void {
    if (this.visibilityEnabled) this.#ghostsMaybe = true
  }

  /**
   * Before a search under the refresh knob: makes the refreshed images of rows updated or deleted since the last
   * refresh visible to it, as an inheritance child `crate_sys.ghost_of_<oid>` of each table concerned (searches
   * read a table with its children, under the table's row-level security). Returns `true` when children were
   * attached; then call {@link detachGhosts} once the search is done, before anything else runs. Call inside
   * {@link run}.
   */
  async attachGhosts(): Promise<boolean> {
    if (!this.#ghostsMaybe) return false
    await this.#superuser()
    const rows = await this.wire.rows('SELECT crate_sys.attach_ghosts() AS n')
    const attached = Number(rows[0]?.['n'] ?? 0) > 0
    if (!attached) this.#ghostsMaybe = false
    return attached
  }

  /** Drops the children {@link attachGhosts} attached. Call inside {@link run}. */
  async detachGhosts(): Promise<void> {
    await this.#superuser()
    await this.wire.script('SELECT crate_sys.detach_ghosts()')
  }

  /** Enables the refresh policy on an existing table (CREATE TABLE AS). Call inside {@link run}. */
  async enableVisibility(table: string): Promise<void> {
    if (!this.visibilityEnabled) return
    await this.#superuser()
    await this.wire.script(visibilityScript(table))
  }

  /** Rewrites `sys.nodes`. Call inside {@link run}. */
  async setNodes(nodes: readonly NodeRow[]): Promise<void> {
    const version = JSON.stringify({
      number: this.options.version,
      build_hash: 'dialectry-local',
      build_snapshot: false,
      minimum_index_compatibility_version: '5.0.0',
      minimum_wire_compatibility_version: '5.0.0',
    })
    const values = nodes.map(
      (n, i) =>
        `(${quoteLiteral(n.id)}, ${quoteLiteral(n.name)}, '127.0.0.1', ${quoteLiteral(n.restUrl)}, ${n.httpPort}, ${quoteLiteral(version)}::jsonb, ${i}, ${n.running})`,
    )
    const master = nodes.find((n) => n.running)?.id
    await this.#superuser()
    await this.wire.script(
      [
        'DELETE FROM crate_sys.nodes_data',
        values.length > 0 ? `INSERT INTO crate_sys.nodes_data VALUES ${values.join(', ')}` : 'SELECT 1',
        `UPDATE crate_sys.cluster_data SET master_node = ${master === undefined ? 'NULL' : quoteLiteral(master)}`,
      ].join(';\n'),
    )
  }

  /** Rewrites `sys.jobs` from the job registry. Call inside {@link run}. */
  async syncJobs(): Promise<void> {
    const values = this.jobs
      .list()
      .map(
        (j) =>
          `(${quoteLiteral(j.id)}, ${quoteLiteral(JSON.stringify(j.node))}::jsonb, ${quoteLiteral(j.sessionId)}, 'epoch'::timestamptz + ${j.started} * interval '1 millisecond', ${quoteLiteral(j.stmt)}, ${quoteLiteral(j.username)})`,
      )
    await this.#superuser()
    await this.wire.script(['DELETE FROM crate_sys.jobs_data', values.length > 0 ? `INSERT INTO crate_sys.jobs_data VALUES ${values.join(', ')}` : 'SELECT 1'].join(';\n'))
  }

  /** Stops the refresh timer and closes PGlite once queued work is done. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    if (this.#timer !== undefined) clearInterval(this.#timer)
    await this.#lane
    this.#closed = true
    await this.db.close()
  }
}

function visibilityRow(table: string): string {
  return `INSERT INTO crate_sys.visibility (relid, seq) VALUES (${quoteLiteral(table)}::regclass, crate_sys.current_seq()) ON CONFLICT (relid) DO UPDATE SET seq = excluded.seq`
}
