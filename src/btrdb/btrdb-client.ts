import type { ChannelOptions } from '@grpc/grpc-js'
import { resolveCredentials } from './credentials.ts'
import { AmbiguousStreamError, BTrDBError, ConnectionError, InvalidValueError, StreamNotFoundError } from './errors.ts'
import { GrpcTransport, type BTrDBTlsOptions, type CallOptions } from './grpc-transport.ts'
import { toKeyOptValues, type AnnotationValue, type WireDescriptor } from './metadata.ts'
import { Stream } from './stream.ts'
import { descriptorFromWire } from './metadata.ts'
import { loadArrow } from './arrow-decoding.ts'
import { StreamSet } from './stream-set.ts'
import { isUuid, newUuid, normalizeUuid, uuidToBytes } from './uuid.ts'

/**
 * The BTrDB client: `connect()` and the database-level API. Follows PingThingsIO/btrdb-python `btrdb/__init__.py`
 * (`connect`), `btrdb/conn.py` (`Connection`, `BTrDB`) and `btrdb/endpoint.py`.
 */

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** `host:port` (4410 plaintext, 4411 TLS), a comma-separated list, or an array. Excludes `profile`. */
  endpoints?: string | readonly string[]
  /** API key, sent as `authorization: Bearer <key>` metadata. */
  apikey?: string
  /** Profile of `$HOME/.predictivegrid/credentials.yaml` to use alone. Excludes `endpoints`. */
  profile?: string
  /** TLS: when to use it (default: port 4411), a custom CA (default Node's roots, or `BTRDB_CA_BUNDLE`), verification (default on). */
  tls?: BTrDBTlsOptions
  /** Default per-call timeout in ms; default none. */
  timeout?: number
  /** Ms to wait for the first Info answer at connect; default 10 000. */
  connectTimeout?: number
  /** Environment to read `BTRDB_*` from; default `process.env`. */
  env?: Record<string, string | undefined>
  /** Home directory for the credentials file; default `$HOME`. */
  home?: string
  /**
   * Use the Arrow RPCs for whole-range reads (`valueArrays`, `alignedWindowArrays`, `windowArrays`, StreamSet
   * transformers) when the server is 5.30 or newer and `apache-arrow` is installed. Default `true`.
   */
  arrow?: boolean
  /** Extra @grpc/grpc-js channel options. */
  channelOptions?: ChannelOptions
  /** Receives warnings (API key over plaintext); default `process.emitWarning`. */
  onWarning?: (message: string) => void
}

/** What `info()` returns. */
export interface ServerInfo {
  majorVersion: number
  minorVersion: number
  build: string
  proxy: { proxyEndpoints: string[] }
}

/** Options of {@link BTrDB.streams}. */
export interface StreamsOptions extends CallOptions {
  /** Versions to pin, in the order of the identifiers. */
  versions?: readonly (bigint | number)[]
  /** Treat collections in `collection/name` identifiers as prefixes; default `false`. */
  isCollectionPrefix?: boolean
}

/** Options of {@link BTrDB.streamsInCollection}. */
export interface LookupOptions extends CallOptions {
  /** Match collections starting with the given ones; default `true`. */
  isCollectionPrefix?: boolean
  /** Tags the streams must have; `null` = key present with any value. */
  tags?: Record<string, string | null>
  /** Annotations the streams must have; `null` = key present with any value. */
  annotations?: Record<string, string | null>
}

/**
 * Connects to BTrDB and checks the connection with an Info call.
 *
 * - `connect()`: endpoints and API key from `BTRDB_ENDPOINTS` / `BTRDB_API_KEY`, over the `BTRDB_PROFILE` (or
 *   `default`) profile of `~/.predictivegrid/credentials.yaml`;
 * - `connect('host:4411')`, `connect(['a:4411', 'b:4411'], { apikey })`: the arguments win over both;
 * - `connect({ profile: 'research' })`: that profile only.
 *
 * @throws ConnectionError when no endpoint is known or none answers; CredentialsError for profile problems;
 *   AuthenticationError when the key is refused.
 * @example
 * import { connect } from 'dialectry/btrdb'
 * const db = await connect('127.0.0.1:4410')
 * const stream = await db.create(crypto.randomUUID(), 'sensors/site1', { name: 'temp', unit: 'C' })
 * await stream.insert([[1_700_000_000_000_000_000n, 21.5]])
 * for await (const p of stream.values()) console.log(p.time, p.value)
 * db.close()
 */
export async function connect(endpoints?: string | readonly string[] | ConnectOptions, options: ConnectOptions = {}): Promise<BTrDB> {
  const opts: ConnectOptions = typeof endpoints === 'object' && !Array.isArray(endpoints) ? { ...(endpoints as ConnectOptions), ...options } : { ...options, endpoints: endpoints as string | readonly string[] | undefined }
  const creds = resolveCredentials({ endpoints: opts.endpoints, apikey: opts.apikey, profile: opts.profile, env: opts.env, home: opts.home })
  const transport = new GrpcTransport({
    endpoints: creds.endpoints,
    apikey: creds.apikey,
    tls: opts.tls,
    timeout: opts.timeout,
    channelOptions: opts.channelOptions,
    onWarning: opts.onWarning,
    caBundle: (opts.env ?? process.env).BTRDB_CA_BUNDLE,
  })
  const db = new BTrDB(transport)
  try {
    db.serverInfo = await db.info({ timeout: opts.connectTimeout ?? 10_000 })
    if (opts.arrow !== false && db.supportsArrow) transport.arrow = await loadArrow().catch(() => undefined)
  } catch (err) {
    transport.close()
    if (err instanceof BTrDBError && !(err instanceof ConnectionError) && err.code !== 'TIMEOUT') throw err
    throw new ConnectionError(`Could not connect to BTrDB at ${creds.endpoints.join(', ')}: ${(err as Error).message}`, { code: 'CONNECT_FAILED', cause: err, retryable: true })
  }
  return db
}

/** A connection to BTrDB. */
export class BTrDB {
  readonly #transport: GrpcTransport
  /** Info as read at connect. */
  serverInfo: ServerInfo | undefined

  /** @internal Use {@link connect}. */
  constructor(transport: GrpcTransport) {
    this.#transport = transport
  }

  /** The endpoints in use. */
  get endpoints(): string[] {
    return this.#transport.endpoints
  }

  /** `true` when the server is 5.30 or newer and offers the Arrow RPCs (btrdb-python's check, also true for 6.x). */
  get supportsArrow(): boolean {
    const i = this.serverInfo
    return i !== undefined && (i.majorVersion > 5 || (i.majorVersion === 5 && i.minorVersion >= 30))
  }

  /** Server version, build and proxy endpoints. */
  async info(options?: CallOptions): Promise<ServerInfo> {
    const res = await this.#transport.unary<{ majorVersion: number; minorVersion: number; build: string; proxy: { proxyEndpoints: string[] } | null }>('Info', {}, options)
    return { majorVersion: res.majorVersion, minorVersion: res.minorVersion, build: res.build, proxy: { proxyEndpoints: res.proxy?.proxyEndpoints ?? [] } }
  }

  /** A handle on the stream with `uuid`, without checking that it exists. */
  streamFromUuid(uuid: string | Uint8Array): Stream {
    return new Stream(this.#transport, uuid)
  }

  /**
   * Creates a stream (uuid: yours, or a new random one when `undefined`) in `collection` with tags (`name`,
   * `unit`, ...) and annotations. Returns its handle (property version 1).
   * @throws StreamExistsError / AmbiguousStreamError when the uuid or the collection+tags are taken.
   */
  async create(uuid: string | Uint8Array | undefined, collection: string, tags: Record<string, string> = {}, annotations: Record<string, AnnotationValue> = {}, options?: CallOptions): Promise<Stream> {
    const id = normalizeUuid(uuid ?? newUuid())
    await this.#transport.unary('Create', { uuid: uuidToBytes(id), collection, tags: toKeyOptValues(tags), annotations: toKeyOptValues(annotations) }, options)
    const enc = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, v === null ? null : typeof v === 'string' ? v : JSON.stringify(v)]))
    return new Stream(this.#transport, id, { uuid: id, collection, tags: { ...tags }, annotations: enc, propertyVersion: 1n })
  }

  /**
   * Streams by uuid or `collection/name` (resolved by LookupStreams with tag `name` = the last segment; must
   * match exactly one stream), as a StreamSet with metadata loaded, optionally pinned to `versions`.
   * @throws StreamNotFoundError when an identifier matches nothing; AmbiguousStreamError when it matches several.
   */
  async streams(identifiers: readonly (string | Uint8Array)[], options: StreamsOptions = {}): Promise<StreamSet> {
    if (options.versions !== undefined && options.versions.length !== identifiers.length) {
      throw new InvalidValueError(`streams(): ${identifiers.length} identifiers but ${options.versions.length} versions`, { code: 'INVALID_ARGUMENT' })
    }
    const streams = await Promise.all(
      identifiers.map(async (id) => {
        if (typeof id !== 'string' || isUuid(id)) {
          const s = this.streamFromUuid(id)
          await s.refreshMetadata(options)
          return s
        }
        const slash = id.lastIndexOf('/')
        if (slash <= 0) throw new InvalidValueError(`"${id}" is neither a uuid nor collection/name`, { code: 'INVALID_ARGUMENT' })
        const found = await this.#lookup(id.slice(0, slash), options.isCollectionPrefix ?? false, { name: id.slice(slash + 1) }, {}, options)
        if (found.length === 0) throw new StreamNotFoundError(`No stream is named "${id}"`, { code: 404 })
        if (found.length > 1) throw new AmbiguousStreamError(`"${id}" names ${found.length} streams; use their uuids`, { code: 412 })
        return found[0]!
      }),
    )
    const set = new StreamSet(streams)
    if (options.versions === undefined) return set
    return set.pinVersions(new Map(streams.map((s, i) => [s.uuid, BigInt(options.versions![i]!)])))
  }

  async #lookup(collection: string, prefix: boolean, tags: Record<string, string | null>, annotations: Record<string, string | null>, options?: CallOptions): Promise<Stream[]> {
    const out: Stream[] = []
    const request = { collection, isCollectionPrefix: prefix, tags: toKeyOptValues(tags), annotations: toKeyOptValues(annotations) }
    for await (const msg of this.#transport.serverStream<{ results: WireDescriptor[] }>('LookupStreams', request, options)) {
      for (const d of msg.results) out.push(new Stream(this.#transport, d.uuid, descriptorFromWire(d)))
    }
    return out
  }

  /** Streams in the given collections (prefixes by default) matching tag and annotation filters; one lookup per collection. */
  async streamsInCollection(collections: string | readonly string[], options: LookupOptions = {}): Promise<Stream[]> {
    const list = typeof collections === 'string' ? [collections] : collections.length === 0 ? [''] : collections
    const out: Stream[] = []
    for (const c of list) out.push(...(await this.#lookup(c, options.isCollectionPrefix ?? true, options.tags ?? {}, options.annotations ?? {}, options)))
    return out
  }

  /** Collection names starting with `startsWith` (default all). */
  async listCollections(startsWith = '', options?: CallOptions): Promise<string[]> {
    const out: string[] = []
    for await (const msg of this.#transport.serverStream<{ collections: string[] }>('ListCollections', { prefix: startsWith }, options)) out.push(...msg.collections)
    return out
  }

  /** How many streams under collection prefix `prefix` use each tag key and each annotation key. */
  async collectionMetadata(prefix: string, options?: CallOptions): Promise<{ tags: Record<string, number>; annotations: Record<string, number> }> {
    const res = await this.#transport.unary<{ tags: Array<{ key: string; count: string }>; annotations: Array<{ key: string; count: string }> }>('GetMetadataUsage', { prefix }, options)
    return {
      tags: Object.fromEntries(res.tags.map((k) => [k.key, Number(k.count)])),
      annotations: Object.fromEntries(res.annotations.map((k) => [k.key, Number(k.count)])),
    }
  }

  /**
   * SQL over the stream metadata table `streams` (uuid, collection, name, unit, ingress, property_version,
   * annotations); `$1, $2, …` bound from `params` (sent as strings). Rows are the JSON objects the server returns.
   * @example await db.query('select uuid, name from streams where collection = $1', ['sensors/site1'])
   */
  async query(stmt: string, params: readonly unknown[] = [], options?: CallOptions): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = []
    const request = { query: stmt, params: params.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))) }
    for await (const msg of this.#transport.serverStream<{ SQLQueryRow: Buffer[] }>('SQLQuery', request, options)) {
      for (const row of msg.SQLQueryRow) out.push(JSON.parse(row.toString('utf8')) as Record<string, unknown>)
    }
    return out
  }

  /**
   * Distinct stream names, units or annotation keys, optionally of the collections starting with `collection`: the
   * SQL btrdb-python's `list_unique_names` / `list_unique_units` / `list_unique_annotations` send
   * (PingThingsIO/btrdb-python `btrdb/conn.py`, `_list_unique_tags_annotations`). Streams without the tag give `null`.
   * Throws what {@link query} throws.
   * @example await db.listUnique('annotations', 'sensors/') // ['site', 'rating']
   */
  async listUnique(key: 'name' | 'unit' | 'annotations', collection?: string, options?: CallOptions): Promise<Array<string | null>> {
    const expr = key === 'annotations' ? 'skeys(annotations)' : key
    const stmt = `select distinct(${expr}) as ${key} from streams${collection === undefined ? '' : ' where collection like $1'}`
    const rows = await this.query(stmt, collection === undefined ? [] : [`${collection}%`], options)
    return rows.map((r) => (r[key] ?? null) as string | null)
  }

  /** Closes the channels. */
  close(): void {
    this.#transport.close()
  }
}
