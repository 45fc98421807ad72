import { Server, ServerCredentials, status, type Metadata, type ServerUnaryCall, type ServerWritableStream, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js'
import { btrdbServiceDefinition } from '../../btrdb/proto-schema.ts'
import { decodeInsertParams, encodeRawValuesParts, encodeRawValuesResponse, encodeStatPointsResponse, type InsertRequest, type WireStatus } from '../../btrdb/point-codec.ts'
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../cratedb/test-certificate.ts'
import { changedRanges, nearestPoint, rawSlices, windowStats, type MergePolicyNumber, type WindowStat } from './series-store.ts'
import { BTrDBStatus, checkTimeRange, StreamRegistry, type StoredStream } from './stream-registry.ts'
import { alignedRequest, concatBig, concatF64, descriptor, keyMap, uuidOf, windowsRequest, writable } from './request-parsing.ts'
import { runMetadataSql } from './metadata-sql.ts'
import { loadArrow, multiArrowBytes, rawArrowBytes, windowArrowBytes } from './arrow-payloads.ts'
import { multiValueRows } from './multi-values.ts'
import { BTrDBProvisionError } from './provision-error.ts'

/**
 * A local `v5api.BTrDB` gRPC server on @grpc/grpc-js over an in-memory {@link StreamRegistry}: every RPC of
 * PingThingsIO/btrdb-python `btrdb/grpcinterface/btrdb.proto` that the clients use, with BTrDB's semantics and
 * both error channels (in-band `stat`, or `[code] msg` gRPC errors like newer servers).
 */

/** Options of {@link startBTrDB}. */
export interface StartBTrDBOptions {
  /** Listen address; default `127.0.0.1`. */
  host?: string
  /** Plaintext port; default 0 (any free port). */
  port?: number
  /** Also listen with TLS (the public test certificate of `dialectry/testing/cratedb`, `CN=localhost`, 127.0.0.1) on `tlsPort` (default any). */
  tls?: boolean
  tlsPort?: number
  /** Require `authorization: Bearer <apiKey>`; without it, every caller is accepted. */
  apiKey?: string
  /** Minor version Info reports (major is 5); default 34. Arrow RPCs answer only when >= 30. */
  minorVersion?: number
  /** Report BTrDB errors as gRPC errors with `[code] msg` details instead of the in-band `stat`; default false. */
  grpcErrors?: boolean
  /** Points per RawValues message (default 5000, as BTrDB); StatPoints per window message likewise. */
  batchSize?: number
}

/** A fault to inject into a streaming RPC: after `afterMessages` messages the server answers `code`/`msg`. */
export interface InjectedFault {
  rpc: string
  afterMessages: number
  code: number
  msg: string
}

/** A running local BTrDB. */
export interface LocalBTrDB {
  /** `host:port` of the plaintext listener. */
  endpoint: string
  /** `host:port` of the TLS listener, when started with `tls`. */
  tlsEndpoint: string | undefined
  /** The store (streams, versions). */
  registry: StreamRegistry
  /** Faults to inject (tests push to it). */
  faults: InjectedFault[]
  /** Counters: server streams the client cancelled, streams completed, stream messages written. */
  stats: { cancelledStreams: number; completedStreams: number; messagesSent: number }
  /** Changes the error channel at run time. */
  options: Required<Pick<StartBTrDBOptions, 'grpcErrors' | 'minorVersion' | 'batchSize'>>
  /** Stops listening and ends calls in flight. */
  stop(): Promise<void>
}

type Unary = ServerUnaryCall<any, any>
/** A RawValues message to encode when grpc-js serializes it (see the RawValues serializer). */
interface PendingRawValues {
  version: bigint
  parts: Array<{ times: BigInt64Array; values: Float64Array }>
}
type Streaming = ServerWritableStream<any, any>

/**
 * Starts a local BTrDB.
 * @example
 * import { startBTrDB } from 'dialectry/testing/btrdb'
 * const btrdb = await startBTrDB()
 * // connect('127.0.0.1:' + port) from dialectry/btrdb, or btrdb.connect(btrdb.endpoint) from python
 * await btrdb.stop()
 */
export async function startBTrDB(options: StartBTrDBOptions = {}): Promise<LocalBTrDB> {
  const host = options.host ?? '127.0.0.1'
  for (const [name, v, max] of [['port', options.port, 65535], ['tlsPort', options.tlsPort, 65535], ['minorVersion', options.minorVersion, 1000], ['batchSize', options.batchSize, 1 << 20]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < (name === 'batchSize' ? 1 : 0) || v > max)) {
      throw new BTrDBProvisionError(`startBTrDB(): ${name} must be an integer in [${name === 'batchSize' ? 1 : 0}, ${max}], got ${v}`, { code: 'INVALID_ARGUMENT' })
    }
  }
  const registry = new StreamRegistry()
  const faults: InjectedFault[] = []
  const stats = { cancelledStreams: 0, completedStreams: 0, messagesSent: 0 }
  const opts = { grpcErrors: options.grpcErrors ?? false, minorVersion: options.minorVersion ?? 34, batchSize: options.batchSize ?? 5000 }
  const endpoints: string[] = []
  const arrowLib = opts.minorVersion >= 30 ? await loadArrow().catch(() => undefined) : undefined

  let rawScratch = Buffer.allocUnsafe(opts.batchSize * 20 + 32)
  const base = btrdbServiceDefinition()
  const identity = (b: Buffer): Buffer => b
  const service: ServiceDefinition = {
    ...base,
    // RawValues messages are encoded here, into one scratch buffer: grpc-js copies the result into its framed
    // buffer within the same synchronous call (server-interceptors.js serializeMessage), so the scratch is free
    // again when this returns. Half the buffer allocations (and the GC they cause) of encoding each message anew.
    RawValues: { ...base.RawValues!, responseSerialize: (m: Buffer | PendingRawValues) => (Buffer.isBuffer(m) ? m : encodeRawValuesParts(undefined, m.version, 0n, m.parts, rawScratch)) },
    AlignedWindows: { ...base.AlignedWindows!, responseSerialize: identity },
    Windows: { ...base.Windows!, responseSerialize: identity },
    Insert: { ...base.Insert!, requestDeserialize: (b: Buffer) => decodeInsertParams(b) },
  }

  const authorized = (md: Metadata): boolean => {
    if (options.apiKey === undefined) return true
    const h = md.get('authorization')[0]
    const m = typeof h === 'string' ? /^bearer\s+(.+)$/i.exec(h.trim()) : null
    return m !== null && m[1] === options.apiKey
  }

  const unary = (rpc: string, fn: (req: any) => object) => (call: Unary, cb: (err: object | null, res?: object) => void) => {
    if (!authorized(call.metadata)) return cb({ code: status.UNAUTHENTICATED, details: 'invalid api key' })
    try {
      cb(null, fn(call.request))
    } catch (err) {
      if (!(err instanceof BTrDBStatus)) return cb({ code: status.INTERNAL, details: `[500] ${(err as Error).message}` })
      if (opts.grpcErrors) return cb({ code: status.UNKNOWN, details: `[${err.code}] ${err.message}` })
      cb(null, { stat: { code: err.code, msg: err.message } })
    }
    void rpc
  }

  /** Streams messages with back-pressure; `errorMessage` encodes an in-band error for this RPC. */
  const streaming = (rpc: string, fn: (req: any) => Iterable<unknown>, errorMessage: (stat: WireStatus) => unknown = (stat) => ({ stat })) => async (call: Streaming) => {
    if (!authorized(call.metadata)) return void call.emit('error', { code: status.UNAUTHENTICATED, details: 'invalid api key' })
    let cancelled = false
    call.on('cancelled', () => {
      cancelled = true
    })
    const fail = (code: number, msg: string): void => {
      if (opts.grpcErrors) call.emit('error', { code: status.UNKNOWN, details: `[${code}] ${msg}` })
      else {
        call.write(errorMessage({ code, msg }))
        call.end()
      }
    }
    try {
      let sent = 0
      for (const message of fn(call.request)) {
        const fault = faults.find((f) => f.rpc === rpc && f.afterMessages === sent)
        if (fault !== undefined) return fail(fault.code, fault.msg)
        if (cancelled || call.cancelled) {
          stats.cancelledStreams++
          return
        }
        stats.messagesSent++
        if (!call.write(message)) {
          await writable(call)
        }
        sent++
      }
      if (cancelled || call.cancelled) {
        stats.cancelledStreams++
        return
      }
      stats.completedStreams++
      call.end()
    } catch (err) {
      if (err instanceof BTrDBStatus) fail(err.code, err.message)
      else fail(500, (err as Error).message)
    }
  }

  const versionsOf = (s: StoredStream, v: bigint): { versionMajor: string; versionMinor: string } => ({ versionMajor: v.toString(), versionMinor: '0' })
  const rawError = (stat: WireStatus): Buffer => encodeRawValuesResponse(stat, 0n, 0n, new BigInt64Array(0), new Float64Array(0))
  const statError = (stat: WireStatus): Buffer => encodeStatPointsResponse(stat, 0n, 0n, [])

  function* windowMessages<M>(s: StoredStream, major: bigint, origin: bigint, width: bigint, n: bigint, encode: (v: bigint, batch: WindowStat[]) => M): Generator<M> {
    const [snap, v] = registry.snapshot(s, major)
    let batch: WindowStat[] = []
    let sentAny = false
    for (const w of windowStats(snap, origin, width, n)) {
      batch.push(w)
      if (batch.length >= opts.batchSize) {
        yield encode(v, batch)
        sentAny = true
        batch = []
      }
    }
    if (batch.length > 0 || !sentAny) yield encode(v, batch)
  }
  const statMessage = (v: bigint, batch: WindowStat[]): Buffer => encodeStatPointsResponse(undefined, v, 0n, batch)
  const arrowStatMessage = (v: bigint, batch: WindowStat[]): object => ({ versionMajor: v.toString(), arrowBytes: Buffer.from(windowArrowBytes(arrowLib!, batch)) })
  const needArrow = (): void => {
    if (arrowLib === undefined || opts.minorVersion < 30) throw new BTrDBStatus(501, 'Arrow RPCs need server 5.30 or newer')
  }

  const impl: UntypedServiceImplementation = {
    Info: unary('Info', () => ({ majorVersion: 5, minorVersion: opts.minorVersion, build: 'dialectry-local-btrdb', proxy: { proxyEndpoints: endpoints } })),
    Create: unary('Create', (r) => {
      registry.create(uuidOf(r.uuid), r.collection, keyMap(r.tags) as Map<string, string>, new Map([...keyMap(r.annotations)].map(([k, v]) => [k, v ?? ''])))
      return {}
    }),
    StreamInfo: unary('StreamInfo', (r) => {
      if (r.omitVersion && r.omitDescriptor) throw new BTrDBStatus(421, 'cannot omit both version and descriptor')
      const s = registry.get(uuidOf(r.uuid))
      return { ...(r.omitVersion ? {} : versionsOf(s, registry.latest(s))), ...(r.omitDescriptor ? {} : { descriptor: descriptor(s) }) }
    }),
    SetStreamTags: unary('SetStreamTags', (r) => {
      const s = registry.get(uuidOf(r.uuid))
      registry.checkPropertyVersion(s, BigInt(r.expectedPropertyVersion))
      for (const [k, v] of keyMap(r.tags)) {
        if (v === null) s.tags.delete(k)
        else s.tags.set(k, v)
      }
      for (const k of r.remove as string[]) s.tags.delete(k)
      if (r.collection !== '') s.collection = r.collection
      s.propertyVersion++
      return {}
    }),
    SetStreamAnnotations: unary('SetStreamAnnotations', (r) => {
      const s = registry.get(uuidOf(r.uuid))
      registry.checkPropertyVersion(s, BigInt(r.expectedPropertyVersion))
      for (const [k, v] of keyMap(r.changes)) {
        if (v === null) s.annotations.delete(k)
        else s.annotations.set(k, v)
      }
      for (const k of r.removals as string[]) s.annotations.delete(k)
      s.propertyVersion++
      return {}
    }),
    ArrowInsert: unary('ArrowInsert', (r) => {
      needArrow()
      const s = registry.get(uuidOf(r.uuid))
      const table = arrowLib!.tableFromIPC(r.arrowBytes as Buffer)
      if (table.numCols !== 2) throw new BTrDBStatus(421, 'ArrowInsert needs a table of two columns: time and value')
      const times = BigInt64Array.from(table.getChildAt(0)!.toArray() as ArrayLike<bigint>, (t) => BigInt(t))
      const values = Float64Array.from(table.getChildAt(1)!.toArray() as ArrayLike<number>)
      return versionsOf(s, registry.insert(s, times, values, r.merge_policy as MergePolicyNumber))
    }),
    Insert: unary('Insert', (r: InsertRequest) => {
      const s = registry.get(uuidOf(r.uuid))
      return versionsOf(s, registry.insert(s, r.times, r.values, r.mergePolicy as MergePolicyNumber))
    }),
    Delete: unary('Delete', (r) => {
      const s = registry.get(uuidOf(r.uuid))
      return versionsOf(s, registry.delete(s, BigInt(r.start), BigInt(r.end)))
    }),
    Flush: unary('Flush', (r) => {
      const s = registry.get(uuidOf(r.uuid))
      return versionsOf(s, registry.latest(s))
    }),
    Obliterate: unary('Obliterate', (r) => {
      registry.obliterate(uuidOf(r.uuid))
      return {}
    }),
    Nearest: unary('Nearest', (r) => {
      const s = registry.get(uuidOf(r.uuid))
      const t = BigInt(r.time)
      if (t < -(16n << 56n) || t >= 48n << 56n) throw new BTrDBStatus(413, 'time out of range')
      const [snap, v] = registry.snapshot(s, BigInt(r.versionMajor))
      const p = nearestPoint(snap, t, r.backward === true)
      if (p === undefined) throw new BTrDBStatus(401, 'no such point')
      return { ...versionsOf(s, v), value: { time: p.time.toString(), value: p.value } }
    }),
    GetMetadataUsage: unary('GetMetadataUsage', (r) => {
      const tags = new Map<string, number>()
      const annotations = new Map<string, number>()
      for (const s of registry.lookup(r.prefix, true, new Map(), new Map())) {
        for (const k of s.tags.keys()) tags.set(k, (tags.get(k) ?? 0) + 1)
        for (const k of s.annotations.keys()) annotations.set(k, (annotations.get(k) ?? 0) + 1)
      }
      const list = (m: Map<string, number>) => [...m].sort().map(([key, count]) => ({ key, count: String(count) }))
      return { tags: list(tags), annotations: list(annotations) }
    }),
    RawValues: streaming(
      'RawValues',
      function* (r) {
        const s = registry.get(uuidOf(r.uuid))
        const start = BigInt(r.start)
        const end = BigInt(r.end)
        checkTimeRange(start, end)
        const [snap, v] = registry.snapshot(s, BigInt(r.versionMajor))
        let sentAny = false
        // Coalesce chunk slices into messages of batchSize points, encoded straight from the slices (no joined copy).
        let parts: Array<{ times: BigInt64Array; values: Float64Array }> = []
        let pending = 0
        const flush = (): PendingRawValues => {
          const msg = { version: v, parts }
          if (rawScratch.length < pending * 20 + 32) rawScratch = Buffer.allocUnsafe(pending * 20 + 32) // batchSize changed at run time
          parts = []
          pending = 0
          return msg
        }
        for (const slice of rawSlices(snap, start, end, opts.batchSize)) {
          let at = 0
          while (at < slice.times.length) {
            const take = Math.min(opts.batchSize - pending, slice.times.length - at)
            parts.push({ times: slice.times.subarray(at, at + take), values: slice.values.subarray(at, at + take) })
            pending += take
            at += take
            if (pending === opts.batchSize) {
              yield flush()
              sentAny = true
            }
          }
        }
        if (pending > 0 || !sentAny) yield flush()
      },
      rawError,
    ),
    AlignedWindows: streaming(
      'AlignedWindows',
      function* (r) {
        const [s, origin, width, n] = alignedRequest(registry, r)
        yield* windowMessages(s, BigInt(r.versionMajor), origin, width, n, statMessage)
      },
      statError,
    ),
    Windows: streaming(
      'Windows',
      function* (r) {
        const [s, origin, width, n] = windowsRequest(registry, r)
        yield* windowMessages(s, BigInt(r.versionMajor), origin, width, n, statMessage)
      },
      statError,
    ),
    ArrowMultiValues: streaming('ArrowMultiValues', function* (r) {
      needArrow()
      const uuids = (r.uuid as Buffer[]).map(uuidOf)
      const versions = (r.versionMajor as string[]).map((v) => BigInt(v))
      if (uuids.length === 0) throw new BTrDBStatus(421, 'ArrowMultiValues needs at least one uuid')
      const start = BigInt(r.start)
      const end = BigInt(r.end)
      checkTimeRange(start, end)
      const period = BigInt(r.snapPeriodNs)
      if (period < 0n) throw new BTrDBStatus(421, 'snapPeriodNs must not be negative')
      const snaps = uuids.map((u, k) => registry.snapshot(registry.get(u), versions[k] ?? 0n)[0])
      let sentAny = false
      for (const batch of multiValueRows(snaps, start, end, period, opts.batchSize * 20)) {
        sentAny = true
        yield { arrowBytes: Buffer.from(multiArrowBytes(arrowLib!, batch.times, uuids, batch.columns)) }
      }
      if (!sentAny) yield { arrowBytes: Buffer.from(multiArrowBytes(arrowLib!, new BigInt64Array(0), uuids, uuids.map(() => new Float64Array(0)))) }
    }),
    ArrowAlignedWindows: streaming('ArrowAlignedWindows', function* (r) {
      needArrow()
      const [s, origin, width, n] = alignedRequest(registry, r)
      yield* windowMessages(s, BigInt(r.versionMajor), origin, width, n, arrowStatMessage)
    }),
    ArrowWindows: streaming('ArrowWindows', function* (r) {
      needArrow()
      const [s, origin, width, n] = windowsRequest(registry, r)
      yield* windowMessages(s, BigInt(r.versionMajor), origin, width, n, arrowStatMessage)
    }),
    ArrowRawValues: streaming('ArrowRawValues', function* (r) {
      needArrow()
      const s = registry.get(uuidOf(r.uuid))
      const start = BigInt(r.start)
      const end = BigInt(r.end)
      checkTimeRange(start, end)
      const [snap, v] = registry.snapshot(s, BigInt(r.versionMajor))
      // Arrow messages carry up to 20 batches' worth of points each (the payload is columnar, not per point).
      const per = opts.batchSize * 20
      let pendT: BigInt64Array[] = []
      let pendV: Float64Array[] = []
      let pending = 0
      let sentAny = false
      const flush = (): object => {
        const msg = { versionMajor: v.toString(), arrowBytes: Buffer.from(rawArrowBytes(arrowLib!, concatBig(pendT, pending), concatF64(pendV, pending))) }
        pendT = []
        pendV = []
        pending = 0
        return msg
      }
      for (const slice of rawSlices(snap, start, end, per)) {
        pendT.push(slice.times)
        pendV.push(slice.values)
        pending += slice.times.length
        if (pending >= per) {
          yield flush()
          sentAny = true
        }
      }
      if (pending > 0 || !sentAny) yield flush()
    }),
    Changes: streaming('Changes', function* (r) {
      const s = registry.get(uuidOf(r.uuid))
      const latest = registry.latest(s)
      let from = BigInt(r.fromMajor)
      const to = BigInt(r.toMajor) === 0n ? latest : BigInt(r.toMajor)
      if (from === 0n) from = 9n
      if (from > to) throw new BTrDBStatus(427, 'fromMajor is after toMajor')
      if ((r.resolution as number) > 63) throw new BTrDBStatus(415, 'resolution must be in [0, 63]')
      const [a] = registry.snapshot(s, from)
      const [b, v] = registry.snapshot(s, to)
      const ranges = changedRanges(a, b, r.resolution as number).map((x) => ({ start: x.start.toString(), end: x.end.toString() }))
      for (let i = 0; i < ranges.length || i === 0; i += 1000) yield { ...versionsOf(s, v), ranges: ranges.slice(i, i + 1000) }
    }),
    ListCollections: streaming('ListCollections', function* (r) {
      const names = [...new Set([...registry.streams.values()].map((s) => s.collection))].filter((c) => c.startsWith(r.prefix)).sort()
      for (let i = 0; i < names.length || i === 0; i += 1000) yield { collections: names.slice(i, i + 1000) }
    }),
    LookupStreams: streaming('LookupStreams', function* (r) {
      const found = registry.lookup(r.collection, r.isCollectionPrefix === true, keyMap(r.tags), keyMap(r.annotations))
      for (let i = 0; i < found.length || i === 0; i += 1000) yield { results: found.slice(i, i + 1000).map(descriptor) }
    }),
    SQLQuery: streaming('SQLQuery', function* (r) {
      const rows = runMetadataSql(registry, r.query, r.params)
      for (let i = 0; i < rows.length || i === 0; i += 1000) yield { SQLQueryRow: rows.slice(i, i + 1000).map((row) => Buffer.from(JSON.stringify(row))) }
    }),
  }
  for (const rpc of Object.keys(service)) {
    if (impl[rpc] === undefined) {
      impl[rpc] = (call: Unary | Streaming, cb?: (err: object | null) => void) => {
        const err = { code: status.UNIMPLEMENTED, details: `[501] ${rpc} is not implemented by the local BTrDB` }
        if (cb !== undefined) cb(err)
        else (call as Streaming).emit('error', err)
      }
    }
  }

  const server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 })
  server.addService(service, impl)
  const bind = (port: number, creds: ServerCredentials): Promise<number> =>
    new Promise((resolve, reject) => server.bindAsync(`${host}:${port}`, creds, (err, p) => (err !== null ? reject(err) : resolve(p))))
  const bindOrFail = async (port: number, creds: ServerCredentials): Promise<number> => {
    try {
      return await bind(port, creds)
    } catch (err) {
      server.forceShutdown()
      throw new BTrDBProvisionError(`startBTrDB(): cannot listen on ${host}:${port}: ${(err as Error).message}`, { code: 'LISTEN_FAILED', cause: err })
    }
  }
  const port = await bindOrFail(options.port ?? 0, ServerCredentials.createInsecure())
  const endpoint = `${host}:${port}`
  endpoints.push(endpoint)
  let tlsEndpoint: string | undefined
  if (options.tls === true) {
    const tlsPort = await bindOrFail(options.tlsPort ?? 0, ServerCredentials.createSsl(null, [{ private_key: Buffer.from(TEST_TLS_KEY), cert_chain: Buffer.from(TEST_TLS_CERT) }], false))
    tlsEndpoint = `${host}:${tlsPort}`
    endpoints.push(tlsEndpoint)
  }
  return {
    endpoint,
    tlsEndpoint,
    registry,
    faults,
    stats,
    options: opts,
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown()
          resolve()
        }, 2000)
        server.tryShutdown(() => {
          clearTimeout(timer)
          resolve()
        })
      }),
  }
}
