import { InvalidValueError, NoSuchPointError, StreamNotFoundError } from './errors.ts'
import type { CallOptions, GrpcTransport } from './grpc-transport.ts'
import { descriptorFromWire, toKeyOptValues, type AnnotationValue, type StreamDescriptor, type WireDescriptor } from './metadata.ts'
import { concatStats, statPointsOf } from './stat-arrays.ts'
import { decodeRawValuesResponse, decodeStatPointsResponse, encodeInsertParams, type RawPointBatch, type StatPointBatch } from './point-codec.ts'
import { toPointArrays, type InsertData, type PointArrays, type RawPoint, type StatArrays, type StatPoint } from './points.ts'
import { checkPointwidth } from './pointwidth.ts'
import { checkRange, currentlyAsNs, MAXIMUM_TIME, MINIMUM_TIME, toNanoseconds, type TimeLike } from './time.ts'
import { uuidToBytes, uuidToString } from './uuid.ts'
import { decodeArrowPoints, decodeArrowStats, loadArrow } from './arrow-decoding.ts'

/**
 * One BTrDB stream: metadata, queries and writes. Follows PingThingsIO/btrdb-python `btrdb/stream.py` (`Stream`),
 * with times as `bigint` ns, raw values as an async iterator over the server stream, and typed errors.
 */

/** Merge policy for points whose timestamps already exist: keep all (`never`, default), drop identical pairs (`equal`), keep the stored value (`retain`), or the new one (`replace`). */
export type MergePolicy = 'never' | 'equal' | 'retain' | 'replace'
const MERGE_POLICIES: Record<MergePolicy, number> = { never: 0, equal: 1, retain: 2, replace: 3 }

/** Largest number of points sent in one Insert call (btrdb-python `INSERT_BATCH_SIZE`). */
export const INSERT_BATCH_SIZE = 50_000

/** Options of reads: a pinned version (0 or absent = latest) plus the call options. */
export interface ReadOptions extends CallOptions {
  /** Major version to read; `0`/absent reads the latest. */
  version?: bigint | number
  /**
   * Use the Arrow RPC for this whole-range read. Default: for raw values, when the connection found a server
   * >= 5.30 with `apache-arrow` installed; for windows, no (their answers are small, and the protobuf codec decodes
   * them without allocation, faster than Arrow IPC).
   */
  useArrow?: boolean
}

/** Options of {@link Stream.insert}. */
export interface InsertOptions extends CallOptions {
  /** Merge policy for existing timestamps; default `'never'`. */
  merge?: MergePolicy
  /** Points per Insert call, at most (and default) {@link INSERT_BATCH_SIZE}. */
  batchSize?: number
  /** Ask the server to persist before answering (InsertParams.sync); default `false` as btrdb-python. */
  sync?: boolean
  /** Called after each chunk with the points sent so far. */
  onProgress?: (sent: number, total: number) => void
}

/** Options of {@link Stream.update}. */
export interface UpdateOptions extends CallOptions {
  tags?: Record<string, string>
  annotations?: Record<string, AnnotationValue>
  collection?: string
  /** Remove tags/annotations absent from the given maps (default `false`: upsert only). */
  replace?: boolean
}

/** A point with the stream version it was read at. */
export interface VersionedPoint {
  point: RawPoint
  version: bigint
}

interface WireVersions {
  versionMajor: string
  versionMinor: string
}

function rangeOf(start: TimeLike | undefined, end: TimeLike | undefined): [bigint, bigint] {
  const s = start === undefined ? MINIMUM_TIME : toNanoseconds(start)
  const e = end === undefined ? MAXIMUM_TIME : toNanoseconds(end)
  checkRange(s, e)
  return [s, e]
}

/** A handle on one stream. Get one from `BTrDB.streamFromUuid`, `streams`, `create` or `streamsInCollection`. */
export class Stream {
  /** Canonical uuid text. */
  readonly uuid: string
  readonly #uuidBytes: Buffer
  readonly #transport: GrpcTransport
  #descriptor: StreamDescriptor | undefined

  /** @internal Use the `BTrDB` methods. */
  constructor(transport: GrpcTransport, uuid: string | Uint8Array, descriptor?: StreamDescriptor) {
    this.#uuidBytes = uuidToBytes(uuid)
    this.uuid = uuidToString(this.#uuidBytes)
    this.#transport = transport
    this.#descriptor = descriptor
  }

  /** Metadata known without a round trip (from lookup or create), or `undefined` before {@link refreshMetadata}. */
  get descriptor(): StreamDescriptor | undefined {
    return this.#descriptor
  }
  /** Collection, when known (see {@link descriptor}). */
  get collection(): string | undefined {
    return this.#descriptor?.collection
  }
  /** `tags.name`, when known. */
  get name(): string | undefined {
    return this.#descriptor?.tags.name ?? undefined
  }
  /** `tags.unit`, when known. */
  get unit(): string | undefined {
    return this.#descriptor?.tags.unit ?? undefined
  }

  /**
   * Fetches the metadata (StreamInfo without version).
   * @throws StreamNotFoundError when the stream does not exist.
   */
  async refreshMetadata(options?: CallOptions): Promise<StreamDescriptor> {
    const res = await this.#transport.unary<{ descriptor: WireDescriptor }>('StreamInfo', { uuid: this.#uuidBytes, omitVersion: true, omitDescriptor: false }, options)
    this.#descriptor = descriptorFromWire(res.descriptor)
    return this.#descriptor
  }

  /** `true` when the stream exists (StreamInfo answers), `false` on 404. */
  async exists(options?: CallOptions): Promise<boolean> {
    try {
      await this.refreshMetadata(options)
      return true
    } catch (err) {
      if (err instanceof StreamNotFoundError) return false
      throw err
    }
  }

  /** The tags; cached unless `refresh` (or not yet known). */
  async tags(options: CallOptions & { refresh?: boolean } = {}): Promise<Record<string, string | null>> {
    const d = options.refresh === true || this.#descriptor === undefined ? await this.refreshMetadata(options) : this.#descriptor
    return { ...d.tags }
  }

  /** The annotations and the property version they belong to; cached unless `refresh`. */
  async annotations(options: CallOptions & { refresh?: boolean } = {}): Promise<{ annotations: Record<string, string | null>; propertyVersion: bigint }> {
    const d = options.refresh === true || this.#descriptor === undefined ? await this.refreshMetadata(options) : this.#descriptor
    return { annotations: { ...d.annotations }, propertyVersion: d.propertyVersion }
  }

  /**
   * Changes tags (and/or the collection) and annotations, each guarded by the property version read just
   * before (compare-and-set: a concurrent change fails with [423] AnnotationVersionMismatch). With `replace`,
   * keys absent from the given maps are removed. Returns the new property version.
   * @throws InvalidValueError when nothing to change is given.
   */
  async update(options: UpdateOptions): Promise<bigint> {
    const { tags, annotations, collection, replace = false } = options
    if (tags === undefined && annotations === undefined && collection === undefined) {
      throw new InvalidValueError('update() needs tags, annotations or collection', { code: 'INVALID_ARGUMENT' })
    }
    let d = await this.refreshMetadata(options)
    if (tags !== undefined || collection !== undefined) {
      const remove = replace && tags !== undefined ? Object.keys(d.tags).filter((k) => !(k in tags)) : []
      await this.#transport.unary('SetStreamTags', {
        uuid: this.#uuidBytes,
        expectedPropertyVersion: d.propertyVersion.toString(),
        tags: toKeyOptValues(tags ?? {}),
        collection: collection ?? d.collection,
        remove,
      }, options)
      d = await this.refreshMetadata(options)
    }
    if (annotations !== undefined) {
      const removals = replace ? Object.keys(d.annotations).filter((k) => !(k in annotations)) : []
      await this.#transport.unary('SetStreamAnnotations', {
        uuid: this.#uuidBytes,
        expectedPropertyVersion: d.propertyVersion.toString(),
        changes: toKeyOptValues(annotations),
        removals,
      }, options)
      d = await this.refreshMetadata(options)
    }
    return d.propertyVersion
  }

  /** The stream's current major version (not cached). */
  async version(options?: CallOptions): Promise<bigint> {
    const res = await this.#transport.unary<WireVersions>('StreamInfo', { uuid: this.#uuidBytes, omitVersion: false, omitDescriptor: true }, options)
    return BigInt(res.versionMajor)
  }

  /**
   * Raw values in `[start, end)` as a flow-controlled async iterator of column batches (one per server message,
   * up to a few thousand points each). Leaving the loop early cancels the server stream.
   */
  async *valueBatches(start?: TimeLike, end?: TimeLike, options: ReadOptions = {}): AsyncGenerator<RawPointBatch, void, undefined> {
    const [s, e] = rangeOf(start, end)
    const request = { uuid: this.#uuidBytes, start: s.toString(), end: e.toString(), versionMajor: BigInt(options.version ?? 0).toString() }
    yield* this.#transport.serverStream<RawPointBatch>('RawValues', request, options, decodeRawValuesResponse)
  }

  /**
   * Raw values in `[start, end)` (default: all time), one `{ time, value }` at a time, streamed with bounded
   * memory. Breaking out of the loop cancels the server stream.
   *
   * @example
   * for await (const { time, value } of stream.values('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')) console.log(time, value)
   */
  async *values(start?: TimeLike, end?: TimeLike, options: ReadOptions = {}): AsyncGenerator<RawPoint, void, undefined> {
    for await (const batch of this.valueBatches(start, end, options)) {
      const { times, values } = batch
      for (let i = 0; i < times.length; i++) yield { time: times[i]!, value: values[i]! }
    }
  }

  /**
   * Raw values in `[start, end)` through the Arrow RPC (server >= 5.30, needs `apache-arrow`): batches of column
   * arrays decoded straight from the Arrow IPC payloads, flow-controlled like {@link valueBatches}.
   * @throws ServerError [501] from servers without Arrow RPCs.
   */
  async *arrowValueBatches(start?: TimeLike, end?: TimeLike, options: ReadOptions = {}): AsyncGenerator<RawPointBatch, void, undefined> {
    const arrow = this.#transport.arrow ?? (await loadArrow())
    const [s, e] = rangeOf(start, end)
    const request = { uuid: this.#uuidBytes, start: s.toString(), end: e.toString(), versionMajor: BigInt(options.version ?? 0).toString() }
    for await (const msg of this.#transport.serverStream<WireVersions & { arrowBytes: Buffer }>('ArrowRawValues', request, options)) {
      const { times, values } = msg.arrowBytes.length > 0 ? decodeArrowPoints(arrow, msg.arrowBytes) : { times: new BigInt64Array(0), values: new Float64Array(0) }
      yield { stat: undefined, versionMajor: BigInt(msg.versionMajor), versionMinor: BigInt(msg.versionMinor), times, values }
    }
  }

  /**
   * Raw values in `[start, end)` gathered into column arrays (the whole range in memory) and the version read;
   * through the Arrow RPC when the connection found a server >= 5.30.
   */
  async valueArrays(start?: TimeLike, end?: TimeLike, options: ReadOptions = {}): Promise<PointArrays & { version: bigint }> {
    const parts: RawPointBatch[] = []
    let n = 0
    let version = 0n
    const source = (options.useArrow ?? this.#transport.arrow !== undefined) ? this.arrowValueBatches(start, end, options) : this.valueBatches(start, end, options)
    for await (const b of source) {
      if (b.times.length > 0) parts.push(b)
      n += b.times.length
      version = b.versionMajor
    }
    const times = new BigInt64Array(n)
    const values = new Float64Array(n)
    let at = 0
    for (const b of parts) {
      times.set(b.times, at)
      values.set(b.values, at)
      at += b.times.length
    }
    return { times, values, version }
  }

  /**
   * Statistical summaries of the aligned windows of width `2^pointwidth` ns in `[start, end)` (both rounded
   * down to multiples of the width by the server); windows holding no point are omitted. Cost is proportional
   * to the number of windows, not of points.
   * @throws InvalidValueError for a pointwidth outside [0, 63] or an empty range.
   */
  async alignedWindows(start: TimeLike, end: TimeLike, pointwidth: number, options: ReadOptions = {}): Promise<StatPoint[]> {
    return statPointsOf(await this.alignedWindowArrays(start, end, pointwidth, options))
  }

  /** {@link alignedWindows} in column form, with the version read. */
  async alignedWindowArrays(start: TimeLike, end: TimeLike, pointwidth: number, options: ReadOptions = {}): Promise<StatArrays & { version: bigint }> {
    checkPointwidth(pointwidth)
    const [s, e] = rangeOf(start, end)
    const request = { uuid: this.#uuidBytes, start: s.toString(), end: e.toString(), versionMajor: BigInt(options.version ?? 0).toString(), pointWidth: pointwidth }
    if (options.useArrow === true) return concatStats(this.#arrowStats('ArrowAlignedWindows', request, options))
    return concatStats(this.#transport.serverStream<StatPointBatch>('AlignedWindows', request, options, decodeStatPointsResponse))
  }

  /**
   * Summaries of consecutive windows of `width` ns starting at `start`; the end is rounded down so the range is
   * a whole number of windows. `depth` (default 0, the only value btrdb-python still sends) lets the server
   * answer with 2^depth ns precision.
   */
  async windows(start: TimeLike, end: TimeLike, width: bigint | number, options: ReadOptions & { depth?: number } = {}): Promise<StatPoint[]> {
    return statPointsOf(await this.windowArrays(start, end, width, options))
  }

  /** {@link windows} in column form, with the version read. */
  async windowArrays(start: TimeLike, end: TimeLike, width: bigint | number, options: ReadOptions & { depth?: number } = {}): Promise<StatArrays & { version: bigint }> {
    const [s, e] = rangeOf(start, end)
    const w = BigInt(width)
    if (w <= 0n) throw new InvalidValueError(`Window width ${w} ns must be positive`, { code: 'INVALID_ARGUMENT' })
    const depth = options.depth ?? 0
    checkPointwidth(depth)
    const request = { uuid: this.#uuidBytes, start: s.toString(), end: e.toString(), versionMajor: BigInt(options.version ?? 0).toString(), width: w.toString(), depth }
    if (options.useArrow === true) return concatStats(this.#arrowStats('ArrowWindows', request, options))
    return concatStats(this.#transport.serverStream<StatPointBatch>('Windows', request, options, decodeStatPointsResponse))
  }

  async *#arrowStats(rpc: string, request: object, options: CallOptions): AsyncGenerator<StatPointBatch, void, undefined> {
    const arrow = this.#transport.arrow ?? (await loadArrow())
    for await (const msg of this.#transport.serverStream<WireVersions & { arrowBytes: Buffer }>(rpc, request, options)) {
      const stats = decodeArrowStats(arrow, msg.arrowBytes)
      yield { stat: undefined, versionMajor: BigInt(msg.versionMajor), versionMinor: BigInt(msg.versionMinor), ...stats }
    }
  }

  /**
   * Number of points in `[start, end)`: the sum of aligned-window counts at `pointwidth` (default 62, capped at
   * floor(log2(end - start)) - 1), or with `precise` one window of the exact range.
   */
  async count(options: ReadOptions & { start?: TimeLike; end?: TimeLike; pointwidth?: number; precise?: boolean } = {}): Promise<bigint> {
    const [s, e] = rangeOf(options.start, options.end)
    let stats: StatArrays
    if (options.precise === true) stats = await this.windowArrays(s, e, e - s, options)
    else {
      const cap = Math.max(0, (e - s).toString(2).length - 2)
      stats = await this.alignedWindowArrays(s, e, Math.min(options.pointwidth ?? 62, cap), options)
    }
    let total = 0n
    for (const c of stats.count) total += c
    return total
  }

  /**
   * The point nearest to `time`: forward, the first with t >= time; backward, the last with t < time.
   * Returns `undefined` when there is none (no NoSuchPointError).
   */
  async nearest(time: TimeLike, options: ReadOptions & { backward?: boolean } = {}): Promise<VersionedPoint | undefined> {
    const request = { uuid: this.#uuidBytes, time: toNanoseconds(time).toString(), versionMajor: BigInt(options.version ?? 0).toString(), backward: options.backward ?? false }
    try {
      const res = await this.#transport.unary<WireVersions & { value: { time: string; value: number } }>('Nearest', request, options)
      return { point: { time: BigInt(res.value.time), value: res.value.value }, version: BigInt(res.versionMajor) }
    } catch (err) {
      if (err instanceof NoSuchPointError) return undefined
      throw err
    }
  }

  /** The first point of the stream, or `undefined` when it is empty. */
  earliest(options: ReadOptions = {}): Promise<VersionedPoint | undefined> {
    return this.nearest(MINIMUM_TIME, { ...options, backward: false })
  }
  /** The last point of the stream, or `undefined` when it is empty. */
  latest(options: ReadOptions = {}): Promise<VersionedPoint | undefined> {
    return this.nearest(MAXIMUM_TIME - 1n, { ...options, backward: true })
  }
  /** The last point before now, or `undefined`. */
  current(options: ReadOptions = {}): Promise<VersionedPoint | undefined> {
    return this.nearest(currentlyAsNs(), { ...options, backward: true })
  }

  /**
   * Time ranges whose points differ between major versions `fromVersion` and `toVersion` (0 = latest), each
   * `[start, end)`, at a resolution of `2^resolution` ns (default 0: exact).
   */
  async changes(fromVersion: bigint | number, toVersion: bigint | number = 0, options: CallOptions & { resolution?: number } = {}): Promise<Array<{ start: bigint; end: bigint }>> {
    const resolution = options.resolution ?? 0
    checkPointwidth(resolution)
    const out: Array<{ start: bigint; end: bigint }> = []
    const request = { uuid: this.#uuidBytes, fromMajor: BigInt(fromVersion).toString(), toMajor: BigInt(toVersion).toString(), resolution }
    for await (const msg of this.#transport.serverStream<{ ranges: Array<{ start: string; end: string }> }>('Changes', request, options)) {
      for (const r of msg.ranges) out.push({ start: BigInt(r.start), end: BigInt(r.end) })
    }
    return out
  }

  /**
   * Inserts points, in Insert calls of at most 50,000 points each (not atomic across calls). Returns the major
   * version after the last call.
   * @example await stream.insert([[1_700_000_000_000_000_000n, 1.5], [1_700_000_001_000_000_000n, 2.5]], { merge: 'replace' })
   */
  async insert(data: InsertData, options: InsertOptions = {}): Promise<bigint> {
    const merge = options.merge ?? 'never'
    const policy = MERGE_POLICIES[merge]
    if (policy === undefined) throw new InvalidValueError(`Unknown merge policy "${merge}"; use never, equal, retain or replace`, { code: 'INVALID_ARGUMENT' })
    const batch = Math.min(options.batchSize ?? INSERT_BATCH_SIZE, INSERT_BATCH_SIZE)
    if (!(batch >= 1)) throw new InvalidValueError(`batchSize ${options.batchSize} must be at least 1`, { code: 'INVALID_ARGUMENT' })
    const { times, values } = toPointArrays(data)
    const req = { uuid: this.#uuidBytes, sync: options.sync ?? false, mergePolicy: policy, times, values }
    let version = 0n
    for (let from = 0; from < times.length; from += batch) {
      const to = Math.min(times.length, from + batch)
      const res = await this.#transport.unary<WireVersions>('Insert', null, options, () => encodeInsertParams(req, from, to))
      version = BigInt(res.versionMajor)
      options.onProgress?.(to, times.length)
    }
    if (times.length === 0) version = await this.version(options)
    return version
  }

  /** Deletes the points in `[start, end)`; returns the new major version. Older versions keep them. */
  async delete(start: TimeLike, end: TimeLike, options?: CallOptions): Promise<bigint> {
    const [s, e] = rangeOf(start, end)
    const res = await this.#transport.unary<WireVersions>('Delete', { uuid: this.#uuidBytes, start: s.toString(), end: e.toString() }, options)
    return BigInt(res.versionMajor)
  }

  /** Removes the stream and all its versions, irreversibly; its uuid cannot be used again. */
  async obliterate(options?: CallOptions): Promise<void> {
    await this.#transport.unary('Obliterate', { uuid: this.#uuidBytes }, options)
  }

  /** Commits buffered points to storage; returns the major version. */
  async flush(options?: CallOptions): Promise<bigint> {
    const res = await this.#transport.unary<WireVersions>('Flush', { uuid: this.#uuidBytes }, options)
    return BigInt(res.versionMajor)
  }

  /** @internal The transport, for StreamSet. */
  get transport(): GrpcTransport {
    return this.#transport
  }
  /** @internal 16 uuid bytes. */
  get uuidBytes(): Buffer {
    return this.#uuidBytes
  }
}
