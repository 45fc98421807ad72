import type { DruidClient } from './client.ts'
import { DruidError } from './errors.ts'
import { BrokerClient, CoordinatorClient, DruidServiceClient, OverlordClient, RouterClient } from './service-clients.ts'

/** Druid roles as `sys.servers.server_type` names them. */
export type DruidRole = 'coordinator' | 'overlord' | 'broker' | 'router' | 'historical' | 'middle_manager' | 'indexer' | 'peon'

/** One service process of the cluster (rows of `sys.servers` with the same host and port merged). */
export interface ServiceInfo {
  /** URL this client reaches it at (after the mapper). */
  url: string
  host: string
  /** -1 when disabled. */
  plaintextPort: number
  /** -1 when disabled. */
  tlsPort: number
  /** Its roles, e.g. `['coordinator', 'overlord']` for a combined process. */
  roles: DruidRole[]
  /** Historical tier, when it has one. */
  tier: string | null
  /** Roles it leads (`coordinator`, `overlord`). */
  leads: DruidRole[]
  /** Bytes of segments served (`curr_size`). */
  currSize: number
}

interface ServerRow {
  server: string
  host: string
  plaintext_port: number
  tls_port: number
  server_type: string
  tier: string | null
  curr_size: number | bigint | null
  is_leader: number | null
}

/** Role client classes; other roles get the generic {@link DruidServiceClient}. */
const ROLE_CLIENTS = { coordinator: CoordinatorClient, overlord: OverlordClient, broker: BrokerClient, router: RouterClient } as const

/**
 * The cluster model (pydruid2 `Cluster`, paul-rogers/druid-client `pydruid2/client/cluster.py`): built from
 * `SELECT * FROM sys.servers` (needs STATE READ permission), rows with the same host and port merged, URLs made by
 * the client's mapper (see `DockerMapper`).
 */
export class DruidCluster {
  readonly #client: DruidClient
  #services: ServiceInfo[] = []
  readonly #clients = new Map<string, DruidServiceClient>()

  constructor(client: DruidClient) {
    this.#client = client
  }

  /** Re-reads `sys.servers`. Returns this cluster. */
  async refresh(): Promise<this> {
    const { rows } = await this.#client.query<ServerRow>('SELECT "server", "host", "plaintext_port", "tls_port", "server_type", "tier", "curr_size", "is_leader" FROM sys.servers')
    const byKey = new Map<string, ServiceInfo>()
    for (const r of rows) {
      const key = `${r.host}:${r.plaintext_port}/${r.tls_port}`
      let s = byKey.get(key)
      if (s === undefined) {
        s = {
          url: this.#client.mapper.urlFor(r.host, Number(r.plaintext_port), Number(r.tls_port), this.#client.preferTls),
          host: r.host,
          plaintextPort: Number(r.plaintext_port),
          tlsPort: Number(r.tls_port),
          roles: [],
          tier: null,
          leads: [],
          currSize: 0,
        }
        byKey.set(key, s)
      }
      const role = r.server_type as DruidRole
      s.roles.push(role)
      if (r.tier !== null) s.tier = r.tier
      if (Number(r.is_leader) === 1) s.leads.push(role)
      s.currSize += Number(r.curr_size ?? 0)
    }
    this.#services = [...byKey.values()]
    return this
  }

  /** Every service: URL, host, ports, roles, tier, leader flags. */
  services(): ServiceInfo[] {
    return this.#services.map((s) => ({ ...s, roles: [...s.roles], leads: [...s.leads] }))
  }

  /** Services with `role`. */
  forRole(role: DruidRole): ServiceInfo[] {
    return this.#services.filter((s) => s.roles.includes(role))
  }

  #clientFor<T extends DruidServiceClient>(info: ServiceInfo, role: DruidRole | undefined): T {
    const key = `${role ?? ''}@${info.url}`
    let c = this.#clients.get(key)
    if (c === undefined) {
      const rest = this.#client.rest.sibling(info.url)
      const Cls = role !== undefined && role in ROLE_CLIENTS ? ROLE_CLIENTS[role as keyof typeof ROLE_CLIENTS] : DruidServiceClient
      c = new Cls(rest)
      this.#clients.set(key, c)
    }
    return c as T
  }

  #lead(role: 'coordinator' | 'overlord'): ServiceInfo {
    const s = this.#services.find((x) => x.leads.includes(role))
    if (s === undefined) throw new DruidError(`sys.servers lists no leading ${role}; call refresh() after the election, or check the ${role}s' logs`, { code: 'NO_LEADER' })
    return s
  }

  #first(role: DruidRole): ServiceInfo {
    const s = this.#services.find((x) => x.roles.includes(role))
    if (s === undefined) throw new DruidError(`sys.servers lists no ${role}`, { code: 'NO_SERVICE' })
    return s
  }

  /**
   * The generic query client (pydruid2 `Client`, "Router or Broker"): the {@link DruidClient} this model was built
   * from, for SQL (`query`, `stream`, `ingest`, `statements`) and native queries (`nativeQuery`, pydruid2's
   * `query_client()`). Not closed by {@link close}.
   */
  client(): DruidClient {
    return this.#client
  }

  /** The leading Coordinator. @throws DruidError `NO_LEADER`. */
  coordinator(): CoordinatorClient {
    return this.#clientFor(this.#lead('coordinator'), 'coordinator')
  }

  /** The leading Overlord. @throws DruidError `NO_LEADER`. */
  overlord(): OverlordClient {
    return this.#clientFor(this.#lead('overlord'), 'overlord')
  }

  /** The first Broker. @throws DruidError `NO_SERVICE`. */
  broker(): BrokerClient {
    return this.#clientFor(this.#first('broker'), 'broker')
  }

  /** The first Router. @throws DruidError `NO_SERVICE`. */
  router(): RouterClient {
    return this.#clientFor(this.#first('router'), 'router')
  }

  #find(endpoint: string): ServiceInfo | undefined {
    let target: URL
    try {
      target = new URL(endpoint.includes('://') ? endpoint : `http://${endpoint}`)
    } catch {
      return undefined
    }
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80))
    return this.#services.find((s) => {
      const u = new URL(s.url)
      if (u.host === target.host) return true
      return (s.host === target.hostname || u.hostname === target.hostname) && (s.plaintextPort === port || s.tlsPort === port)
    })
  }

  /** The roles of the service behind `endpoint` (URL or `host:port`), `[]` when it is not in the cluster. */
  whatIs(endpoint: string): DruidRole[] {
    return [...(this.#find(endpoint)?.roles ?? [])]
  }

  /**
   * The client of the service behind `endpoint`: the class of its first role with a client (Coordinator, Overlord,
   * Broker, Router), else the generic service client. @throws DruidError `NO_SERVICE` when unknown.
   */
  service(endpoint: string): DruidServiceClient {
    const info = this.#find(endpoint)
    if (info === undefined) throw new DruidError(`No service of the cluster answers at ${endpoint}`, { code: 'NO_SERVICE' })
    return this.#clientFor(info, info.roles.find((r) => r in ROLE_CLIENTS))
  }

  /** Closes the connections of the service clients this model handed out. */
  async close(): Promise<void> {
    const clients = [...this.#clients.values()]
    this.#clients.clear()
    await Promise.all(clients.map((c) => c.rest.close()))
  }
}
