import { DruidEngine } from './druid-engine.ts'
import { DruidNode, type LocalRole } from './http-node.ts'
import { LocalDruidError } from './local-druid-error.ts'

/** Options of {@link startDruid}. */
export interface StartDruidOptions {
  /**
   * Services to start, each one listening on its own loopback port with the roles given. Default one process with
   * every role (`router`, `broker`, `coordinator`, `overlord`, `historical`), like Druid's single-server quickstart
   * seen through its Router.
   */
  services?: { roles: LocalRole[]; port?: number }[]
  /** Listen address; default `127.0.0.1`. */
  host?: string
  /** Basic-auth users `{name: password}`; default none (no authentication, as in a default Druid install). */
  users?: Record<string, string>
  /** With `users`: `false` for a user, method and path answers 403 (`{"Access-Check-Result": "Unauthorized"}`). */
  authorize?: (user: string, method: string, path: string) => boolean
  /** Serve HTTPS with this certificate and key (PEM text or Buffer). */
  tls?: { cert: string | Buffer; key: string | Buffer }
  /** Version reported by `/status`; default `'31.0.0-dialectry-local'`. */
  version?: string
}

/** A running local Druid. */
export interface LocalDruid {
  /** URL of the first service (the Router in the default layout). */
  readonly url: string
  /** The service processes, in the order given. */
  readonly nodes: readonly DruidNode[]
  /** The shared DuckDB engine (queries registry, `run()` for test fixtures). */
  readonly engine: DruidEngine
  /** Makes `node` the leading Coordinator/Overlord (the others follow), as a leader election would. */
  setLeader(node: DruidNode): Promise<void>
  /** Stops a service (it leaves `sys.servers`); `start()` on the node brings it back on a new port. */
  stopNode(node: DruidNode): Promise<void>
  /** Stops every service and closes the engine. Idempotent. */
  stop(): Promise<void>
}

/**
 * Starts a local Druid on loopback: Router, Broker, Coordinator and Overlord endpoints with Druid's wire shapes,
 * SQL executed by DuckDB (`@duckdb/node-api`, an optional peer dependency).
 *
 * @throws LocalDruidError `INVALID_OPTIONS` for a layout without services, roles or a Broker/Router;
 *   `PORT_IN_USE` when a given port is taken.
 * @example
 * import { startDruid } from 'dialectry/testing/druid'
 * const druid = await startDruid()
 * // connect(druid.url) ...
 * await druid.stop()
 */
export async function startDruid(options: StartDruidOptions = {}): Promise<LocalDruid> {
  const specs = options.services ?? [{ roles: ['router', 'broker', 'coordinator', 'overlord', 'historical'] as LocalRole[] }]
  if (specs.length === 0 || specs.some((s) => s.roles.length === 0)) {
    throw new LocalDruidError('startDruid: services must list at least one service, each with at least one role', 'INVALID_OPTIONS')
  }
  if (!specs.some((s) => s.roles.includes('broker') || s.roles.includes('router'))) {
    throw new LocalDruidError('startDruid: at least one service needs the broker or router role to answer SQL', 'INVALID_OPTIONS')
  }
  const engine = await DruidEngine.create()
  const host = options.host ?? '127.0.0.1'
  const nodes: DruidNode[] = []
  let leaderChosen = { coordinator: false, overlord: false }
  try {
    for (const spec of specs) {
      const node = new DruidNode(
        engine,
        {
          roles: spec.roles,
          host,
          port: spec.port ?? 0,
          version: options.version ?? '31.0.0-dialectry-local',
          ...(options.users !== undefined ? { users: options.users } : {}),
          ...(options.authorize !== undefined ? { authorize: options.authorize } : {}),
          ...(options.tls !== undefined ? { tls: options.tls } : {}),
        },
        () => nodes,
      )
      // The first coordinator and the first overlord lead.
      const leads = (spec.roles.includes('coordinator') && !leaderChosen.coordinator) || (spec.roles.includes('overlord') && !leaderChosen.overlord)
      node.entry.leader = leads
      if (spec.roles.includes('coordinator')) leaderChosen = { ...leaderChosen, coordinator: true }
      if (spec.roles.includes('overlord')) leaderChosen = { ...leaderChosen, overlord: true }
      await node.start()
      nodes.push(node)
      engine.services.push(node.entry)
    }
    await engine.refreshServers()
  } catch (err) {
    for (const n of nodes) await n.stop()
    engine.close()
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new LocalDruidError(`startDruid: a port is already in use (${(err as Error).message})`, 'PORT_IN_USE', err)
    throw err
  }
  let stopped = false
  return {
    url: nodes[0]!.url,
    nodes,
    engine,
    async setLeader(node) {
      for (const n of nodes) if (n.has('coordinator') || n.has('overlord')) n.entry.leader = n === node
      await engine.refreshServers()
    },
    async stopNode(node) {
      await node.stop()
      const i = engine.services.indexOf(node.entry)
      if (i >= 0) engine.services.splice(i, 1)
      await engine.refreshServers()
    },
    async stop() {
      if (stopped) return
      stopped = true
      for (const n of nodes) await n.stop()
      engine.close()
    },
  }
}
