import { InvalidOperationError, InvalidValueError } from './errors.ts'
import type { CallOptions } from './grpc-transport.ts'
import type { PointArrays, RawPoint, StatArrays } from './points.ts'
import { checkRange, MAXIMUM_TIME, MINIMUM_TIME, toNanoseconds, type TimeLike } from './time.ts'
import type { Stream, VersionedPoint } from './stream.ts'
import { statPointsOf } from './stat-arrays.ts'
import type { StatPoint } from './points.ts'
import { loadArrow } from './arrow-decoding.ts'

/**
 * A set of streams queried together. Follows PingThingsIO/btrdb-python `btrdb/stream.py` (`StreamSetBase`) and
 * `btrdb/transformers.py`, with two differences: every method returns a new StreamSet instead of changing this
 * one, and pinned versions apply to every query (btrdb-python's raw `values()` ignores them). A filter's
 * `start`/`end` of 0 are real times here, not "unset".
 */

/** Filter of {@link StreamSet.filter}. Strings compare case-insensitively; RegExps test. */
export interface StreamSetFilter {
  start?: TimeLike
  end?: TimeLike
  collection?: string | RegExp
  name?: string | RegExp
  unit?: string | RegExp
  /** Every given tag must be present with that value. */
  tags?: Record<string, string>
  /** Every given annotation must be present with that value. */
  annotations?: Record<string, string>
}

/** A row of {@link StreamSet.rows}: one time, one value (or `undefined`) per stream in set order. */
export interface MergedRow {
  time: bigint
  values: (number | undefined)[]
}

/** Per-stream results of windowed or raw queries. */
export type SetArrays = { stream: Stream; data: PointArrays | StatArrays }[]

/** Which statistic of a window the record/Arrow transformers take. */
export type StatField = 'min' | 'mean' | 'max' | 'count' | 'stddev'

type Mode = { kind: 'raw' } | { kind: 'aligned'; pointwidth: number } | { kind: 'windows'; width: bigint; depth: number }

interface SetState {
  start: bigint
  end: bigint
  pinned: Map<string, bigint> | undefined
  mode: Mode
}

function matches(value: string | undefined, want: string | RegExp | undefined): boolean {
  if (want === undefined) return true
  if (value === undefined) return false
  return typeof want === 'string' ? value.toLowerCase() === want.toLowerCase() : want.test(value)
}

/** Streams queried together; get one from `BTrDB.streams()`. */
export class StreamSet {
  readonly streams: readonly Stream[]
  readonly #state: SetState

  /** @throws InvalidValueError for an empty list. */
  constructor(streams: readonly Stream[], state?: Partial<SetState>) {
    if (streams.length === 0) throw new InvalidValueError('A StreamSet needs at least one stream', { code: 'INVALID_ARGUMENT' })
    this.streams = streams
    this.#state = { start: MINIMUM_TIME, end: MAXIMUM_TIME, pinned: undefined, mode: { kind: 'raw' }, ...state }
  }

  /** Number of streams. */
  get length(): number {
    return this.streams.length
  }

  /** The stream at `index`, or with uuid `key`. */
  get(key: number | string): Stream | undefined {
    return typeof key === 'number' ? this.streams[key] : this.streams.find((s) => s.uuid === key.toLowerCase())
  }

  [Symbol.iterator](): Iterator<Stream> {
    return this.streams[Symbol.iterator]()
  }

  #with(streams: readonly Stream[], state: Partial<SetState>): StreamSet {
    return new StreamSet(streams, { ...this.#state, ...state })
  }

  /**
   * A new set restricted to streams whose metadata match (metadata must be known, as it is for sets from
   * `BTrDB.streams()`) and/or to the time range `[start, end)`.
   * @throws InvalidValueError when start >= end.
   */
  filter(f: StreamSetFilter): StreamSet {
    const start = f.start !== undefined ? toNanoseconds(f.start) : this.#state.start
    const end = f.end !== undefined ? toNanoseconds(f.end) : this.#state.end
    checkRange(start, end)
    const kept = this.streams.filter((s) => {
      const d = s.descriptor
      if (d === undefined) return f.collection === undefined && f.name === undefined && f.unit === undefined && f.tags === undefined && f.annotations === undefined
      if (!matches(d.collection, f.collection) || !matches(d.tags.name ?? undefined, f.name) || !matches(d.tags.unit ?? undefined, f.unit)) return false
      for (const [k, v] of Object.entries(f.tags ?? {})) if (d.tags[k] !== v) return false
      for (const [k, v] of Object.entries(f.annotations ?? {})) if (d.annotations[k] !== v) return false
      return true
    })
    return this.#with(kept, { start, end })
  }

  /** A new set that reads each stream at a fixed version: the given map (uuid → version) or each stream's current one. */
  async pinVersions(versions?: Map<string, bigint> | Record<string, bigint>, options?: CallOptions): Promise<StreamSet> {
    let pinned: Map<string, bigint>
    if (versions !== undefined) pinned = new Map(versions instanceof Map ? versions : Object.entries(versions))
    else pinned = new Map(await Promise.all(this.streams.map(async (s) => [s.uuid, await s.version(options)] as [string, bigint])))
    return this.#with(this.streams, { pinned })
  }

  /** Pinned versions (uuid → version), or each stream's current version when not pinned. */
  async versions(options?: CallOptions): Promise<Map<string, bigint>> {
    if (this.#state.pinned !== undefined) return new Map(this.#state.pinned)
    return new Map(await Promise.all(this.streams.map(async (s) => [s.uuid, await s.version(options)] as [string, bigint])))
  }

  #version(s: Stream): bigint {
    return this.#state.pinned?.get(s.uuid) ?? 0n
  }

  /** A new set whose queries return aligned windows of `2^pointwidth` ns. */
  alignedWindows(pointwidth: number): StreamSet {
    if (this.#state.mode.kind === 'windows') throw new InvalidOperationError('This StreamSet already uses windows(); aligned windows and windows exclude each other', { code: 'INVALID_OPERATION' })
    return this.#with(this.streams, { mode: { kind: 'aligned', pointwidth } })
  }

  /** A new set whose queries return windows of `width` ns. */
  windows(width: bigint | number, depth = 0): StreamSet {
    if (this.#state.mode.kind === 'aligned') throw new InvalidOperationError('This StreamSet already uses alignedWindows(); aligned windows and windows exclude each other', { code: 'INVALID_OPERATION' })
    return this.#with(this.streams, { mode: { kind: 'windows', width: BigInt(width), depth } })
  }

  /** Sum of the streams' point counts in the set's range. */
  async count(options?: CallOptions): Promise<bigint> {
    const counts = await Promise.all(this.streams.map((s) => s.count({ ...options, start: this.#state.start, end: this.#state.end, version: this.#version(s) })))
    return counts.reduce((a, b) => a + b, 0n)
  }

  /** Each stream's first point (in set order). */
  earliest(options?: CallOptions): Promise<(VersionedPoint | undefined)[]> {
    return Promise.all(this.streams.map((s) => s.nearest(this.#state.start, { ...options, version: this.#version(s) })))
  }
  /** Each stream's last point in the set's range. */
  latest(options?: CallOptions): Promise<(VersionedPoint | undefined)[]> {
    const end = this.#state.end === MAXIMUM_TIME ? MAXIMUM_TIME - 1n : this.#state.end
    return Promise.all(this.streams.map((s) => s.nearest(end, { ...options, version: this.#version(s), backward: true })))
  }
  /** Each stream's last point before now. */
  current(options?: CallOptions): Promise<(VersionedPoint | undefined)[]> {
    return Promise.all(this.streams.map((s) => s.current({ ...options, version: this.#version(s) })))
  }

  /** Per stream (set order), the data of the set's query in column form: raw points or windows. Queries run concurrently. */
  async toArrays(options?: CallOptions): Promise<SetArrays> {
    const { start, end, mode } = this.#state
    return Promise.all(
      this.streams.map(async (s) => {
        const o = { ...options, version: this.#version(s) }
        const data =
          mode.kind === 'raw'
            ? await s.valueArrays(start, end, o)
            : mode.kind === 'aligned'
              ? await s.alignedWindowArrays(start, end, mode.pointwidth, o)
              : await s.windowArrays(start, end, mode.width, { ...o, depth: mode.depth })
        return { stream: s, data }
      }),
    )
  }

  /**
   * Raw values of every stream as one Arrow table aligned on time, from a single ArrowMultiValues call (server
   * >= 5.30): `time` (timestamp ns, UTC), then one float64 column per stream named by its uuid, NaN where a
   * stream has no point at that time. `snapPeriodNs` > 0 snaps times to a grid of that period (btrdb-python's
   * `sampling_frequency`: period = 1e9 / Hz). Pinned versions apply. Needs `apache-arrow`.
   */
  async arrowValues(options: CallOptions & { snapPeriodNs?: bigint | number } = {}): Promise<import('apache-arrow').Table> {
    const arrow = await loadArrow()
    const transport = this.streams[0]!.transport
    const request = {
      uuid: this.streams.map((s) => s.uuidBytes),
      versionMajor: this.streams.map((s) => this.#version(s).toString()),
      start: this.#state.start.toString(),
      end: this.#state.end.toString(),
      snapPeriodNs: BigInt(options.snapPeriodNs ?? 0).toString(),
    }
    let table: import('apache-arrow').Table | undefined
    for await (const msg of transport.serverStream<{ arrowBytes: Buffer }>('ArrowMultiValues', request, options)) {
      const part = arrow.tableFromIPC(msg.arrowBytes)
      table = table === undefined ? part : table.concat(part)
    }
    return table!
  }

  /** Raw points per stream (set order). */
  async values(options?: CallOptions): Promise<RawPoint[][]> {
    const arrays = await this.#with(this.streams, { mode: { kind: 'raw' } }).toArrays(options)
    return arrays.map(({ data }) => Array.from((data as PointArrays).times, (time, i) => ({ time, value: (data as PointArrays).values[i]! })))
  }

  /** Windows per stream (set order); needs {@link alignedWindows} or {@link windows} first. */
  async statPoints(options?: CallOptions): Promise<StatPoint[][]> {
    if (this.#state.mode.kind === 'raw') throw new InvalidOperationError('statPoints() needs alignedWindows() or windows() first', { code: 'INVALID_OPERATION' })
    return (await this.toArrays(options)).map(({ data }) => statPointsOf(data as StatArrays))
  }

  /**
   * Raw points of all streams merged by time, streamed: each row holds one time and, per stream, its value at
   * that time or `undefined`. Streams are read concurrently and flow-controlled, so memory does not grow with the
   * range. A stream with several points at one time yields one row per point.
   */
  async *rows(options?: CallOptions): AsyncGenerator<MergedRow, void, undefined> {
    const { start, end } = this.#state
    const iters = this.streams.map((s) => s.valueBatches(start, end, { ...options, version: this.#version(s) })[Symbol.asyncIterator]())
    const cur: ({ times: BigInt64Array; values: Float64Array; i: number } | undefined)[] = new Array(iters.length)
    try {
      const advance = async (k: number): Promise<void> => {
        for (;;) {
          const r = await iters[k]!.next()
          if (r.done === true) {
            cur[k] = undefined
            return
          }
          if (r.value.times.length > 0) {
            cur[k] = { times: r.value.times, values: r.value.values, i: 0 }
            return
          }
        }
      }
      await Promise.all(iters.map((_, k) => advance(k)))
      for (;;) {
        let min: bigint | undefined
        for (const c of cur) if (c !== undefined && (min === undefined || c.times[c.i]! < min)) min = c.times[c.i]!
        if (min === undefined) return
        const values: (number | undefined)[] = new Array(cur.length).fill(undefined)
        const refill: Promise<void>[] = []
        for (let k = 0; k < cur.length; k++) {
          const c = cur[k]
          if (c !== undefined && c.times[c.i] === min) {
            values[k] = c.values[c.i]
            c.i++
            if (c.i >= c.times.length) refill.push(advance(k))
          }
        }
        if (refill.length > 0) await Promise.all(refill)
        yield { time: min, values }
      }
    } finally {
      await Promise.all(iters.map((it) => it.return?.()))
    }
  }

  /**
   * Records for tables and JSON: raw mode gives one record per merged row `{ time, <label>: value }`; window
   * modes one record per window start, taking the `stat` field (default `mean`). Labels default to
   * `collection/name` (btrdb-python's `name_callable`), else the uuid.
   */
  async toRecords(options: CallOptions & { stat?: StatField; label?: (s: Stream) => string } = {}): Promise<Record<string, bigint | number | null>[]> {
    const label = options.label ?? defaultLabel
    const labels = this.streams.map(label)
    if (this.#state.mode.kind === 'raw') {
      const out: Record<string, bigint | number | null>[] = []
      for await (const row of this.rows(options)) {
        const rec: Record<string, bigint | number | null> = { time: row.time }
        row.values.forEach((v, k) => (rec[labels[k]!] = v ?? null))
        out.push(rec)
      }
      return out
    }
    const stat = options.stat ?? 'mean'
    const byTime = new Map<bigint, Record<string, bigint | number | null>>()
    const arrays = await this.toArrays(options)
    arrays.forEach(({ data }, k) => {
      const d = data as StatArrays
      for (let i = 0; i < d.times.length; i++) {
        const t = d.times[i]!
        let rec = byTime.get(t)
        if (rec === undefined) {
          rec = { time: t }
          for (const l of labels) rec[l] = null
          byTime.set(t, rec)
        }
        rec[labels[k]!] = stat === 'count' ? d.count[i]! : d[stat][i]!
      }
    })
    return [...byTime.values()].sort((a, b) => ((a.time as bigint) < (b.time as bigint) ? -1 : 1))
  }

  /**
   * An apache-arrow Table of {@link toRecords}: a `time` column (timestamp ns, UTC) and one Float64 column per
   * stream (nulls where a stream has no value). Needs the optional peer `apache-arrow`.
   */
  async toArrow(options: CallOptions & { stat?: Exclude<StatField, 'count'>; label?: (s: Stream) => string } = {}): Promise<import('apache-arrow').Table> {
    const arrow = await import('apache-arrow')
    const records = await this.toRecords(options)
    const labels = this.streams.map(options.label ?? defaultLabel)
    const times = BigInt64Array.from(records, (r) => r.time as bigint)
    const columns: Record<string, import('apache-arrow').Vector> = {
      time: arrow.makeVector({ type: new arrow.TimestampNanosecond('UTC'), data: times }) as import('apache-arrow').Vector,
    }
    for (const l of labels) columns[l] = arrow.vectorFromArray(records.map((r) => (r[l] === null ? null : Number(r[l]))), new arrow.Float64())
    return new arrow.Table(columns)
  }
}

function defaultLabel(s: Stream): string {
  return s.collection !== undefined && s.name !== undefined ? `${s.collection}/${s.name}` : s.uuid
}
