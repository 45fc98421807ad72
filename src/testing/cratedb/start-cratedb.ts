import { randomUUID } from 'node:crypto'
import { CrateStore } from './crate-store.ts'
import { CrateHttpNode } from './http-node.ts'
import { CrateDBProvisionError } from './provision-error.ts'
import { TEST_TLS_CERT, TEST_TLS_KEY } from './test-certificate.ts'

/** Options of {@link startCrateDB}. Every field is optional. */
export interface StartCrateDBOptions {
  /** Number of nodes (HTTP listeners on their own loopback ports) sharing one store; default 1. */
  nodes?: number
  /**
   * User name → password. When given, every request must authenticate (HTTP Basic, or Bearer with one of
   * `jwtTokens`); otherwise 401 plain text with `WWW-Authenticate: Basic realm="CrateDB Authenticator"` and the
   * connection is closed (https://cratedb.com/docs/crate/reference/en/latest/admin/auth/hba.html). Default:
   * authentication off, every request runs as `crate`.
   */
  users?: Record<string, string>
  /**
   * Bearer tokens the server accepts → the user each authenticates as (a static JWT string is enough; it is
   * compared as a whole, not verified). Giving tokens also turns authentication on.
   */
  jwtTokens?: Record<string, string>
  /**
   * Serve HTTPS: `true` uses the bundled test certificate ({@link TEST_TLS_CERT}, CN=localhost, SANs localhost,
   * 127.0.0.1, ::1 — for tests only), or pass your own PEM `{ key, cert }`. Default: plain HTTP.
   */
  tls?: boolean | { key: string | Buffer; cert: string | Buffer }
  /**
   * Eventual-consistency knob (https://cratedb.com/docs/crate/reference/en/latest/general/dql/refresh.html), in
   * milliseconds: rows written become visible to searches only after
   * `REFRESH TABLE` or when this interval has elapsed (a periodic refresh of every table). Searches include the
   * reads of UPDATE/DELETE without a primary-key filter (they change the rows a search finds), of INSERT … SELECT
   * and CREATE TABLE AS, and subqueries; primary-key lookups (`WHERE pk = ?` or `pk IN (…)` on all key columns, or
   * `_id = ?`) always see the newest rows. Default: off — every write is visible at once.
   */
  refreshInterval?: number
  /** Version reported by `GET /` and `sys.nodes`; default `'6.1.0'`. */
  version?: string
  /** Cluster name reported by `GET /` and `sys.cluster`; default `'crate'`. */
  clusterName?: string
  /** Largest accepted request body in bytes; default 100 MB (CrateDB's `http.max_content_length`). */
  maxContentLength?: number
  /**
   * Compress `_sql` answers with gzip (or deflate) when the client's `Accept-Encoding` allows, as CrateDB does
   * with `http.compression: true` (level 3). Default `false`, CrateDB's default. Gzip or deflate request bodies
   * are always accepted, whatever this says.
   */
  httpCompression?: boolean
  /**
   * Port of node 0 on 127.0.0.1 (CrateDB's default HTTP port is 4200), so an app can point at a fixed URL; the
   * other nodes take free ports. Default: a free port. Use `ports` for fixed ports on every node.
   */
  port?: number
  /**
   * One port per node (`nodes` defaults to its length; a different `nodes` is an error); `0` = a free port.
   * A port that is taken fails the start with CrateDBProvisionError `PORT_IN_USE`.
   */
  ports?: readonly number[]
  /**
   * Where the bootstrapped PGlite image (~40 MB, `dialectry-cratedb-pglite-<hash>.tar`) is cached between
   * processes: a directory, or `false` for no cache file (every process then runs PGlite's initdb, about 5 s).
   * Default: the OS temp directory (`os.tmpdir()`). The first server of a process decides for the process.
   */
  imageCache?: string | false
}

/** A running local CrateDB server. */
export interface LocalCrateDB {
  /** URL of node 0, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string
  /** One URL per node (also while a node is stopped: it keeps its port). */
  readonly urls: readonly string[]
  /** The nodes, in order. */
  readonly nodes: readonly CrateHttpNode[]
  /** Reported version (`GET /` `version.number`). */
  readonly version: string
  /** The shared store (PGlite engine, blobs, jobs). */
  readonly store: CrateStore
  /** Stops node `index`: its listener closes and every open connection (and session) is destroyed. */
  stopNode(index: number): Promise<void>
  /**
   * Starts node `index` again on the same port, serving the same data.
   * @throws the listener's error (`EADDRINUSE`) when the port was taken meanwhile; CrateDBProvisionError
   *   `INVALID_ARGUMENT` for an index the server does not have.
   */
  startNode(index: number): Promise<void>
  /** Stops every node and closes the store. Idempotent. */
  stop(): Promise<void>
}

/**
 * Starts a local CrateDB server for tests: `nodes` HTTP(S) listeners on free 127.0.0.1 ports that speak CrateDB's
 * HTTP protocol (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html: `/_sql` with
 * `types`/`error_trace`, bulk args, error envelopes and status codes,
 * per-connection sessions with `Default-Schema`, `GET /`, the blob API, Basic/Bearer auth) over one embedded
 * PostgreSQL (PGlite) with CrateDB's SQL translated (see the module docs for what is simplified). Data, blobs
 * and jobs are shared by all nodes, so round-robin and failover can be tested by stopping and restarting
 * nodes. The first server of a process takes about 5 s to start (PGlite's initdb); later ones well under 1 s.
 *
 * @example
 * import { startCrateDB } from 'dialectry/testing/cratedb'
 *
 * const crate = await startCrateDB({ nodes: 2 })
 * try {
 *   const response = await fetch(`${crate.urls[1]}_sql?types`, {
 *     method: 'POST',
 *     headers: { 'Content-Type': 'application/json' },
 *     body: JSON.stringify({ stmt: 'select ? as x', args: [42] }),
 *   })
 *   console.log(await response.text()) // {"cols":["x"],"col_types":[9],"rows":[[42]],"rowcount":1,"duration":…}
 * } finally {
 *   await crate.stop()
 * }
 * @throws CrateDBProvisionError `INVALID_OPTIONS` for `nodes` < 1 or bad `port`/`ports`, `PORT_IN_USE` when a
 *   requested port is taken; the PGlite or listener error when the engine or a port cannot start (nothing is left
 *   running).
 */
export async function startCrateDB(options: StartCrateDBOptions = {}): Promise<LocalCrateDB> {
  const count = options.nodes ?? options.ports?.length ?? 1
  if (!Number.isInteger(count) || count < 1) throw new CrateDBProvisionError(`nodes must be a positive integer, got ${count}`, 'INVALID_OPTIONS')
  const ports = requestedPorts(options, count)
  const version = options.version ?? '6.1.0'
  const clusterName = options.clusterName ?? 'crate'
  const tls = options.tls === true ? { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } : options.tls === false ? undefined : options.tls
  const store = await CrateStore.open({ version, clusterName, refreshInterval: options.refreshInterval, imageCache: options.imageCache })
  const nodes: CrateHttpNode[] = []
  for (let i = 0; i < count; i++) {
    nodes.push(
      new CrateHttpNode(store, {
        id: randomUUID().replaceAll('-', '').slice(0, 22),
        name: `crate-local-${i + 1}`,
        clusterName,
        version,
        auth: { users: options.users, jwtTokens: options.jwtTokens ?? {} },
        tls,
        maxContentLength: options.maxContentLength ?? 100 * 1024 * 1024,
        httpCompression: options.httpCompression ?? false,
      }),
    )
  }
  const publishNodes = (): Promise<void> =>
    store.run(undefined, () =>
      store.setNodes(nodes.map((n) => ({ id: n.options.id, name: n.options.name, restUrl: `127.0.0.1:${n.port}`, httpPort: n.port, running: n.running }))),
    )
  try {
    for (const [i, node] of nodes.entries()) {
      try {
        await node.start(ports[i])
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
        throw new CrateDBProvisionError(`port ${ports[i]} of node ${i} is already in use on 127.0.0.1; choose another port (or 0 for a free one) or stop what listens there`, 'PORT_IN_USE', { cause: error })
      }
    }
    await publishNodes()
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop()))
    await store.close()
    throw error
  }
  const node = (index: number): CrateHttpNode => {
    const n = nodes[index]
    if (n === undefined) throw new CrateDBProvisionError(`no node ${index}; this server has ${nodes.length}`, 'INVALID_ARGUMENT')
    return n
  }
  let stopping: Promise<void> | undefined
  return {
    get url() {
      return nodes[0]!.url
    },
    get urls() {
      return nodes.map((n) => n.url)
    },
    nodes,
    version,
    store,
    async stopNode(index) {
      await node(index).stop()
      await publishNodes()
    },
    async startNode(index) {
      await node(index).start()
      await publishNodes()
    },
    stop() {
      stopping ??= Promise.all(nodes.map((n) => n.stop())).then(() => store.close())
      return stopping
    },
  }
}

/** The port each node asks for (`0` = a free one) from `port`/`ports`. */
function requestedPorts(options: StartCrateDBOptions, count: number): number[] {
  if (options.port !== undefined && options.ports !== undefined) throw new CrateDBProvisionError('give either port or ports, not both', 'INVALID_OPTIONS')
  const ports = options.ports ?? [options.port ?? 0]
  if (options.ports !== undefined && ports.length !== count) throw new CrateDBProvisionError(`ports names ${ports.length} ports for ${count} nodes; give one per node`, 'INVALID_OPTIONS')
  for (const p of ports) {
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new CrateDBProvisionError(`ports must be integers from 0 to 65535, got ${p}`, 'INVALID_OPTIONS')
  }
  return Array.from({ length: count }, (_, i) => ports[i] ?? 0)
}
