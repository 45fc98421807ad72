import { Client, credentials, Metadata, status, type CallOptions as GrpcCallOptions, type ChannelCredentials, type ChannelOptions, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js'
import { EndpointList } from '../core/endpoint-list.ts'
import { resolveTlsOptions, type TlsSettings } from '../core/tls-options.ts'
import { BTrDBError, ConnectionError, errorFromGrpc, errorFromStatus, RequestAbortedError, TimeoutError } from './errors.ts'
import { btrdbServiceDefinition } from './proto-schema.ts'

/**
 * The gRPC side of the driver: one @grpc/grpc-js channel per endpoint, per-call metadata (the API key as
 * `authorization: Bearer <key>`), deadlines and AbortSignals, failover between endpoints on UNAVAILABLE, and
 * the check of the in-band `stat` field of every response (and of every message of a stream). Follows
 * PingThingsIO/btrdb-python `btrdb/conn.py` (TLS on port 4411, unlimited receive size, bearer metadata) and
 * `btrdb/endpoint.py` (`check_proto_stat` on each message).
 */

/** Per-call options every driver method takes. */
export interface CallOptions {
  /** Milliseconds before the call fails with {@link TimeoutError}; for streams, the whole stream. Default: the connection's `timeout`. */
  timeout?: number
  /** Aborts the call (the server is told: the gRPC call is cancelled) with {@link RequestAbortedError}. */
  signal?: AbortSignal
}

/** TLS options: those of `dialectry`'s shared TLS settings, plus when to use TLS at all. */
export interface BTrDBTlsOptions extends TlsSettings {
  /**
   * `true`: TLS on every endpoint; `false`: plaintext everywhere; default: TLS exactly for endpoints on port
   * 4411 (btrdb-python's rule), plaintext otherwise.
   */
  enabled?: boolean
}

/** Options of {@link GrpcTransport}. */
export interface TransportOptions {
  endpoints: string[]
  apikey?: string | undefined
  tls?: BTrDBTlsOptions
  /** Default per-call timeout in ms; default none (0). */
  timeout?: number
  /** Extra @grpc/grpc-js channel options (merged over the driver's). */
  channelOptions?: ChannelOptions
  /** Receives warnings (e.g. an API key sent in plaintext). Default `process.emitWarning`. */
  onWarning?: (message: string) => void
  /** CA bundle (PEM file path) used when `tls.ca` is not given, as btrdb-python's `BTRDB_CA_BUNDLE`. */
  caBundle?: string | undefined
}

/** A response that may carry an in-band status. */
interface WithStat {
  stat?: { code: number | string; msg: string } | null | undefined
}

const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  // btrdb-python sets -1 since 5.31: ArrowMultiValues replies exceed the 4 MB default.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  // The HTTP/2 flow-control window stays grpc-js's default (64 KiB): 'grpc-node.flow_control_window' at 1 MiB (what
  // BTrDB/btrdb's Go client uses) showed no steady gain in `npm run bench -- btrdb` here (bench/results/btrdb.md).
}

/** Throws the error of an in-band status, if the message carries a non-zero one. */
export function checkStat(message: WithStat, rpc: string): void {
  const stat = message.stat
  if (stat !== undefined && stat !== null) {
    const code = Number(stat.code)
    if (code !== 0) throw errorFromStatus(code, stat.msg, rpc)
  }
}

/** `true` when `endpoint` should use TLS under `tls`. */
export function usesTls(endpoint: string, tls: BTrDBTlsOptions | undefined): boolean {
  if (tls?.enabled !== undefined) return tls.enabled
  return endpoint.endsWith(':4411')
}

/** One connection to a BTrDB cluster front end: gRPC channels to each endpoint. */
export class GrpcTransport {
  readonly #endpoints: EndpointList<string>
  readonly #clients = new Map<string, Client>()
  readonly #options: TransportOptions
  readonly #service = btrdbServiceDefinition()
  #closed = false
  /** apache-arrow, once connect() found a server >= 5.30 and the package loads: the Arrow RPCs are then used. */
  arrow: typeof import('apache-arrow') | undefined

  /** @throws BTrDBError (code `INVALID_ARGUMENT`) for an endpoint that is not `host:port`, or unreadable CA files. */
  constructor(options: TransportOptions) {
    this.#options = options
    for (const e of options.endpoints) {
      if (!/^(\[[^\]]+\]|[^:\s]+):\d+$/.test(e)) {
        throw new ConnectionError(`BTrDB endpoint "${e}" is not host:port (e.g. btrdb.example.com:4411)`, { code: 'INVALID_ARGUMENT' })
      }
    }
    this.#endpoints = new EndpointList(options.endpoints, { retryInterval: 5_000 })
    const plaintextWithKey = options.endpoints.filter((e) => !usesTls(e, options.tls))
    if (options.apikey !== undefined && plaintextWithKey.length > 0) {
      // btrdb-python <= 5.28 refused this; since 2023 it allows it (in-cluster use), as the Go client always did.
      ;(options.onWarning ?? ((m: string) => process.emitWarning(m, 'BTrDBWarning')))(
        `The BTrDB API key is sent without TLS to ${plaintextWithKey.join(', ')}; use port 4411 (TLS) outside a trusted network`,
      )
    }
  }

  /** Every endpoint, in the order given. */
  get endpoints(): string[] {
    return this.#endpoints.all
  }

  #client(endpoint: string): Client {
    let client = this.#clients.get(endpoint)
    if (client === undefined) {
      client = new Client(endpoint, this.#credentials(endpoint), { ...DEFAULT_CHANNEL_OPTIONS, ...this.#options.channelOptions })
      this.#clients.set(endpoint, client)
    }
    return client
  }

  #credentials(endpoint: string): ChannelCredentials {
    const tls = this.#options.tls
    if (!usesTls(endpoint, tls)) return credentials.createInsecure()
    const ca = tls?.ca ?? this.#options.caBundle
    const resolved = resolveTlsOptions({ ...tls, ca: ca === '' ? undefined : ca })
    const toBuf = (v: unknown): Buffer | null => (v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v)))
    return credentials.createSsl(toBuf(resolved.ca), toBuf(resolved.key), toBuf(resolved.cert), {
      rejectUnauthorized: resolved.rejectUnauthorized !== false,
      ...(resolved.rejectUnauthorized === false ? { checkServerIdentity: () => undefined } : {}),
    })
  }

  #metadata(): Metadata {
    const md = new Metadata()
    if (this.#options.apikey !== undefined) md.set('authorization', `Bearer ${this.#options.apikey}`)
    md.set('x-api-client', 'dialectry')
    return md
  }

  #callOptions(options: CallOptions | undefined): GrpcCallOptions {
    const timeout = options?.timeout ?? this.#options.timeout ?? 0
    return timeout > 0 ? { deadline: Date.now() + timeout } : {}
  }

  #mapError(err: unknown, rpc: string, endpoint: string, options: CallOptions | undefined): BTrDBError {
    if (err instanceof BTrDBError) return err
    const e = err as ServiceError
    if (e.code === status.CANCELLED && options?.signal?.aborted) {
      return new RequestAbortedError(`BTrDB ${rpc} was aborted by the caller`, { code: 'ABORTED', rpc, cause: options.signal.reason })
    }
    if (e.code === status.DEADLINE_EXCEEDED) {
      return new TimeoutError(`BTrDB ${rpc} at ${endpoint} did not finish within ${options?.timeout ?? this.#options.timeout} ms`, { code: 'TIMEOUT', rpc, grpcCode: e.code, cause: err })
    }
    return errorFromGrpc(e, rpc, endpoint)
  }

  #checkOpen(rpc: string, options: CallOptions | undefined): void {
    if (this.#closed) throw new ConnectionError(`BTrDB ${rpc}: the connection is closed`, { code: 'CLOSED', rpc })
    if (options?.signal?.aborted) throw new RequestAbortedError(`BTrDB ${rpc} was aborted before it was sent`, { code: 'ABORTED', rpc, cause: options.signal.reason })
  }

  /**
   * A unary call. `serialize`/`deserialize` default to the proto's; the response's `stat` is checked.
   * @throws BTrDBError subclasses for both error channels; fails over to the next endpoint on UNAVAILABLE.
   */
  async unary<Res = WithStat>(rpc: string, request: unknown, options?: CallOptions, serialize?: (v: unknown) => Buffer, deserialize?: (b: Buffer) => Res): Promise<Res> {
    this.#checkOpen(rpc, options)
    const def = this.#service[rpc]
    if (def === undefined) throw new BTrDBError(`Unknown BTrDB RPC ${rpc}`, { code: 'INVALID_ARGUMENT', rpc })
    let lastError: BTrDBError | undefined
    for (let attempt = 0; attempt < this.#endpoints.size; attempt++) {
      const endpoint = this.#endpoints.pick()
      try {
        const res = await new Promise<Res>((resolve, reject) => {
          const call = this.#client(endpoint).makeUnaryRequest(
            def.path,
            serialize ?? def.requestSerialize,
            deserialize ?? (def.responseDeserialize as (b: Buffer) => Res),
            request,
            this.#metadata(),
            this.#callOptions(options),
            (err, value) => {
              options?.signal?.removeEventListener('abort', onAbort)
              if (err !== null) reject(err)
              else resolve(value as Res)
            },
          )
          const onAbort = (): void => call.cancel()
          options?.signal?.addEventListener('abort', onAbort, { once: true })
        })
        checkStat(res as WithStat, rpc)
        return res
      } catch (err) {
        const mapped = this.#mapError(err, rpc, endpoint, options)
        if (mapped.grpcCode !== status.UNAVAILABLE) throw mapped
        this.#endpoints.setAside(endpoint, mapped)
        lastError = mapped
      }
    }
    throw lastError!
  }

  /**
   * A server-streaming call as an async iterator of messages; each message's `stat` is checked, so an error
   * the server sends as the stream's last message is thrown where it arrives. Reading is flow-controlled: the
   * next message is only requested when the consumer asks, so memory stays bounded. Leaving the loop early
   * (break, throw) cancels the server stream.
   */
  async *serverStream<Res = WithStat>(rpc: string, request: unknown, options?: CallOptions, deserialize?: (b: Buffer) => Res): AsyncGenerator<Res, void, undefined> {
    this.#checkOpen(rpc, options)
    const def = this.#service[rpc]
    if (def === undefined) throw new BTrDBError(`Unknown BTrDB RPC ${rpc}`, { code: 'INVALID_ARGUMENT', rpc })
    for (let attempt = 0; ; attempt++) {
      const endpoint = this.#endpoints.pick()
      const call: ClientReadableStream<Res> = this.#client(endpoint).makeServerStreamRequest(
        def.path,
        def.requestSerialize,
        deserialize ?? (def.responseDeserialize as (b: Buffer) => Res),
        request,
        this.#metadata(),
        this.#callOptions(options),
      )
      const onAbort = (): void => call.cancel()
      options?.signal?.addEventListener('abort', onAbort, { once: true })
      let received = false
      try {
        for await (const message of call) {
          received = true
          checkStat(message as WithStat, rpc)
          yield message
        }
        return
      } catch (err) {
        const mapped = this.#mapError(err, rpc, endpoint, options)
        if (mapped.grpcCode === status.UNAVAILABLE && !received && attempt + 1 < this.#endpoints.size) {
          this.#endpoints.setAside(endpoint, mapped)
          continue
        }
        throw mapped
      } finally {
        options?.signal?.removeEventListener('abort', onAbort)
        call.cancel()
      }
    }
  }

  /** Closes every channel; calls in flight fail. Idempotent. */
  close(): void {
    this.#closed = true
    for (const c of this.#clients.values()) c.close()
    this.#clients.clear()
  }
}
