import type { DruidHttpService, RestCallOptions } from './http-service.ts'

/**
 * Typed clients for the REST endpoints of each Druid role (pydruid2 service clients, paul-rogers/druid-client
 * `pydruid2/client/{service,coordinator,overlord,broker,router}.py`, with their bugs fixed: task shutdown paths and
 * `loadStatusByTier`). Every method maps to one documented endpoint:
 * https://druid.apache.org/docs/latest/api-reference/service-status-api,
 * https://druid.apache.org/docs/latest/api-reference/data-management-api,
 * https://druid.apache.org/docs/latest/api-reference/tasks-api,
 * https://druid.apache.org/docs/latest/api-reference/supervisor-api. Errors are those of the REST layer
 * (`DruidQueryError`, `DruidAuthError`, `DruidConnectionError`, `DruidTimeoutError`).
 */

/** `GET /status`. */
export interface ServiceStatus {
  version: string
  modules: { name: string; artifact: string; version: string }[]
  memory: Record<string, number>
}

/** Base of every role client: the endpoints common to all services, and the raw REST layer (`rest`). */
export class DruidServiceClient {
  /** Raw REST layer on this service (`get`/`post`/`delete` with `{}` path templates). */
  readonly rest: DruidHttpService

  constructor(rest: DruidHttpService) {
    this.rest = rest
  }

  /** The service URL (no credentials). */
  get url(): string {
    return this.rest.url
  }

  /** `GET /status/health`: `true` when the service answers `true`; any failure gives `false` (never throws). */
  async isHealthy(options?: RestCallOptions): Promise<boolean> {
    try {
      return (await this.rest.get('/status/health', [], options)) === true
    } catch {
      return false
    }
  }

  /** `GET /status`: version, loaded extensions, JVM memory. */
  status(options?: RestCallOptions): Promise<ServiceStatus> {
    return this.rest.get('/status', [], options)
  }

  /** `GET /status/properties`: runtime properties (secrets hidden by the server). */
  properties(options?: RestCallOptions): Promise<Record<string, string>> {
    return this.rest.get('/status/properties', [], options)
  }

  /** `GET /status/selfDiscovered/status`: whether the service sees itself in the cluster. */
  async inCluster(options?: RestCallOptions): Promise<boolean> {
    return ((await this.rest.get<{ selfDiscovered: boolean }>('/status/selfDiscovered/status', [], options)) ?? { selfDiscovered: false }).selfDiscovered
  }
}

/** Coordinator endpoints (`/druid/coordinator/v1`). */
export class CoordinatorClient extends DruidServiceClient {
  /** `GET /leader`: URL of the leading Coordinator. */
  async leader(options?: RestCallOptions): Promise<string> {
    return String(await this.rest.get('/druid/coordinator/v1/leader', [], options))
  }

  /** `GET /isLeader`: `true` when this Coordinator leads (the endpoint answers 404 otherwise). */
  async isLeader(options?: RestCallOptions): Promise<boolean> {
    const a = await this.rest.call('GET', '/druid/coordinator/v1/isLeader', undefined, { ...options, accept: [404] })
    return a.status === 200
  }

  /** `GET /loadstatus`: percent of segments loaded per datasource (`simple`: segments left; `full`: per tier). */
  loadStatus(mode: 'percent' | 'simple' | 'full' = 'percent', options?: RestCallOptions): Promise<Record<string, number> | Record<string, Record<string, number>>> {
    return this.rest.get('/druid/coordinator/v1/loadstatus', [], { ...options, query: { ...options?.query, simple: mode === 'simple', full: mode === 'full' } })
  }

  /** `GET /loadstatus?full`: segments left to load per tier and datasource (pydruid2's version wrongly read `/loadqueue`). */
  loadStatusByTier(options?: RestCallOptions): Promise<Record<string, Record<string, number>>> {
    return this.rest.get('/druid/coordinator/v1/loadstatus', [], { ...options, query: { full: true } })
  }

  /** `GET /loadqueue[?simple|?full]`: per-Historical load and drop queues. */
  loadQueue(mode: 'default' | 'simple' | 'full' = 'simple', options?: RestCallOptions): Promise<Record<string, unknown>> {
    return this.rest.get('/druid/coordinator/v1/loadqueue', [], { ...options, query: { simple: mode === 'simple', full: mode === 'full' } })
  }

  /** `GET /datasources`: names of datasources with used segments. */
  datasources(options?: RestCallOptions): Promise<string[]> {
    return this.rest.get('/druid/coordinator/v1/datasources', [], options)
  }

  /** `GET /datasources/{ds}`: tiers and segment summary of one datasource. */
  datasource(name: string, options?: RestCallOptions): Promise<Record<string, unknown>> {
    return this.rest.get('/druid/coordinator/v1/datasources/{}', [name], options)
  }

  /** `GET /datasources/{ds}/segments[?full]`. */
  segments(name: string, full = false, options?: RestCallOptions): Promise<unknown[]> {
    return this.rest.get('/druid/coordinator/v1/datasources/{}/segments', [name], { ...options, query: { full } })
  }

  /**
   * `GET /datasources/{ds}/loadstatus?forceMetadataRefresh=…&interval=…`: percent loaded, or `undefined` when the
   * datasource has no used segments (204).
   */
  async datasourceLoadStatus(name: string, options: RestCallOptions & { forceMetadataRefresh?: boolean; interval?: string } = {}): Promise<number | undefined> {
    const a = await this.rest.call('GET', `/druid/coordinator/v1/datasources/${encodeURIComponent(name)}/loadstatus`, undefined, {
      ...options,
      query: { forceMetadataRefresh: options.forceMetadataRefresh ?? true, interval: options.interval ?? '1970-01-01/2999-01-01' },
    })
    if (a.status === 204 || a.body.length === 0) return undefined
    return (JSON.parse(a.body.toString('utf8')) as Record<string, number>)[name]
  }

  /** `DELETE /datasources/{ds}`: marks every segment unused; `{numChangedSegments}`. */
  dropDatasource(name: string, options?: RestCallOptions): Promise<{ numChangedSegments: number }> {
    return this.rest.delete('/druid/coordinator/v1/datasources/{}', [name], options)
  }

  /** `GET /rules`: retention rules of every datasource (and `_default`). */
  retentionRules(options?: RestCallOptions): Promise<Record<string, unknown[]>> {
    return this.rest.get('/druid/coordinator/v1/rules', [], options)
  }

  /** `GET /rules/{ds}[?full]`. */
  retentionRulesFor(name: string, full = false, options?: RestCallOptions): Promise<unknown[]> {
    return this.rest.get('/druid/coordinator/v1/rules/{}', [name], { ...options, query: { full } })
  }

  /** `POST /rules/{ds}`: replaces the rules; `author`/`comment` go to the audit log headers. */
  async setRetentionRules(name: string, rules: unknown[], audit: { author?: string; comment?: string } = {}, options?: RestCallOptions): Promise<void> {
    const headers: Record<string, string> = {}
    if (audit.author !== undefined) headers['x-druid-author'] = audit.author
    if (audit.comment !== undefined) headers['x-druid-comment'] = audit.comment
    await this.rest.post('/druid/coordinator/v1/rules/{}', [name], rules, { ...options, headers: { ...options?.headers, ...headers } })
  }

  /** `GET /config`: dynamic configuration. */
  dynamicConfig(options?: RestCallOptions): Promise<Record<string, unknown>> {
    return this.rest.get('/druid/coordinator/v1/config', [], options)
  }

  /** `GET /config/compaction`: auto-compaction configs. */
  compactionConfigs(options?: RestCallOptions): Promise<Record<string, unknown>> {
    return this.rest.get('/druid/coordinator/v1/config/compaction', [], options)
  }

  /** `GET /compaction/status[?dataSource=]`. */
  compactionStatus(datasource?: string, options?: RestCallOptions): Promise<{ latestStatus: unknown[] }> {
    return this.rest.get('/druid/coordinator/v1/compaction/status', [], { ...options, query: { dataSource: datasource } })
  }
}

/** A task as the Overlord lists it (TaskStatusPlus). */
export interface TaskSummary {
  id: string
  groupId?: string
  type?: string
  createdTime?: string
  statusCode: string
  status?: string
  runnerStatusCode?: string
  duration?: number
  dataSource?: string
  errorMsg?: string | null
  location?: { host: string | null; port: number; tlsPort: number }
}

/** Overlord endpoints (`/druid/indexer/v1`). */
export class OverlordClient extends DruidServiceClient {
  /** `GET /leader`. */
  async leader(options?: RestCallOptions): Promise<string> {
    return String(await this.rest.get('/druid/indexer/v1/leader', [], options))
  }

  /** `GET /isLeader` (404 when not leading). */
  async isLeader(options?: RestCallOptions): Promise<boolean> {
    const a = await this.rest.call('GET', '/druid/indexer/v1/isLeader', undefined, { ...options, accept: [404] })
    return a.status === 200
  }

  /** `GET /tasks?state=&datasource=&type=&max=&createdTimeInterval=`. */
  tasks(filter: { state?: 'running' | 'complete' | 'waiting' | 'pending'; datasource?: string; type?: string; max?: number; createdTimeInterval?: string } = {}, options?: RestCallOptions): Promise<TaskSummary[]> {
    return this.rest.get('/druid/indexer/v1/tasks', [], { ...options, query: { ...filter } })
  }

  /** `GET /task/{id}`: the task's payload (spec). */
  task(id: string, options?: RestCallOptions): Promise<{ task: string; payload: Record<string, unknown> }> {
    return this.rest.get('/druid/indexer/v1/task/{}', [id], options)
  }

  /** `GET /task/{id}/status`. */
  taskStatus(id: string, options?: RestCallOptions): Promise<{ task: string; status: TaskSummary }> {
    return this.rest.get('/druid/indexer/v1/task/{}/status', [id], options)
  }

  /** `GET /task/{id}/reports` (`ingestionStatsAndErrors` or `multiStageQuery`). */
  taskReports(id: string, options?: RestCallOptions): Promise<Record<string, unknown>> {
    return this.rest.get('/druid/indexer/v1/task/{}/reports', [id], options)
  }

  /** `POST /task` with an ingestion spec; returns the task id. */
  async submitTask(spec: Record<string, unknown>, options?: RestCallOptions): Promise<string> {
    return (await this.rest.post<{ task: string }>('/druid/indexer/v1/task', [], spec, options)).task
  }

  /** `POST /task/{id}/shutdown` (pydruid2 posted to `/task/{id}`, which is not the shutdown endpoint). */
  shutdownTask(id: string, options?: RestCallOptions): Promise<{ task: string }> {
    return this.rest.post('/druid/indexer/v1/task/{}/shutdown', [id], undefined, options)
  }

  /** `POST /datasources/{ds}/shutdownAllTasks` (pydruid2 used `/task/{ds}/shutdownAllTasks`). */
  shutdownTasksFor(datasource: string, options?: RestCallOptions): Promise<{ dataSource: string }> {
    return this.rest.post('/druid/indexer/v1/datasources/{}/shutdownAllTasks', [datasource], undefined, options)
  }

  /** `GET /supervisor` (ids), `?full`, or `?state=true`. */
  supervisors(mode: 'ids' | 'full' | 'state' = 'ids', options?: RestCallOptions): Promise<unknown[]> {
    return this.rest.get('/druid/indexer/v1/supervisor', [], { ...options, query: { full: mode === 'full', state: mode === 'state' ? 'true' : undefined } })
  }

  /** `GET /supervisor/{id}/status`. */
  supervisorStatus(id: string, options?: RestCallOptions): Promise<Record<string, unknown>> {
    return this.rest.get('/druid/indexer/v1/supervisor/{}/status', [id], options)
  }
}

/** Broker endpoints. */
export class BrokerClient extends DruidServiceClient {
  /** `GET /druid/broker/v1/loadstatus` → `inventoryInitialized`. */
  async isReady(options?: RestCallOptions): Promise<boolean> {
    return (await this.rest.get<{ inventoryInitialized: boolean }>('/druid/broker/v1/loadstatus', [], options)).inventoryInitialized
  }

  /** `GET /druid/v2/datasources`: datasources the Broker can query. */
  datasources(options?: RestCallOptions): Promise<string[]> {
    return this.rest.get('/druid/v2/datasources', [], options)
  }
}

/** Router endpoints. */
export class RouterClient extends DruidServiceClient {
  /** `GET /druid/router/v1/brokers`: Broker service name → `host:port` list. */
  brokers(options?: RestCallOptions): Promise<Record<string, string[]>> {
    return this.rest.get('/druid/router/v1/brokers', [], options)
  }
}
