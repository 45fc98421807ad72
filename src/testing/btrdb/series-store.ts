/**
 * The points of one stream across versions, as the local BTrDB server keeps them: each version is an immutable
 * list of sorted chunks of at most {@link CHUNK_POINTS} points, each chunk carrying its statistical summary.
 * A write rebuilds only the chunks it touches and shares the others with the previous version (persistent
 * multiversioning, as BTrDB's copy-on-write tree does, one level deep). Window queries combine whole-chunk
 * summaries and scan only the chunks cut by a window edge, and skip empty regions by seeking to the next point,
 * so their cost follows the number of windows and chunks, not of raw points.
 *
 * Semantics follow BTrDB/btrdb-server `qtree` as described by PingThingsIO/btrdb-python's docs: half-open
 * ranges, windows without points omitted, population standard deviation.
 */
import type { StatPointValue } from '../../btrdb/point-codec.ts'

/** Points per chunk (BTrDB's leaf vector nodes hold 1024). */
export const CHUNK_POINTS = 1024

/** Running statistics of a set of points (Chan et al. combination of count, mean and M2). */
export interface Summary {
  count: number
  mean: number
  m2: number
  min: number
  max: number
}

/** Points per sub-summary inside a chunk, so windows narrower than a chunk scan at most two partial groups. */
export const GROUP_POINTS = 64

/** An immutable run of sorted points. */
export interface Chunk {
  readonly times: BigInt64Array
  readonly values: Float64Array
  readonly summary: Summary
  /**
   * Summaries of points [g * GROUP_POINTS, (g + 1) * GROUP_POINTS), packed as count, mean, m2, min, max at
   * `5 * g` (one array instead of an object per group: fewer heap objects for the collector to trace).
   */
  readonly groups: Float64Array
}

/** One version of a stream's points: chunks in time order (a time may continue into the next chunk). */
export type Snapshot = readonly Chunk[]

/** Merge policy numbers of the wire (`MergePolicy`): NEVER 0, EQUAL 1, RETAIN 2, REPLACE 3. */
export type MergePolicyNumber = 0 | 1 | 2 | 3

export const EMPTY_SUMMARY: Summary = { count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity }

function summarize(values: Float64Array, from: number, to: number): Summary {
  let count = 0
  let mean = 0
  let m2 = 0
  let min = Infinity
  let max = -Infinity
  for (let i = from; i < to; i++) {
    const v = values[i]!
    count++
    const d = v - mean
    mean += d / count
    m2 += d * (v - mean)
    if (v < min) min = v
    if (v > max) max = v
  }
  return { count, mean, m2, min, max }
}

/** Combines two summaries into the summary of the union. */
export function combine(a: Summary, b: Summary): Summary {
  if (a.count === 0) return b
  if (b.count === 0) return a
  const count = a.count + b.count
  const delta = b.mean - a.mean
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  }
}

function makeChunks(times: BigInt64Array, values: Float64Array): Chunk[] {
  const out: Chunk[] = []
  for (let from = 0; from < times.length; from += CHUNK_POINTS) {
    const to = Math.min(times.length, from + CHUNK_POINTS)
    const v = values.slice(from, to)
    const groups = new Float64Array(5 * Math.ceil(v.length / GROUP_POINTS))
    let summary = EMPTY_SUMMARY
    for (let g = 0, k = 0; g < v.length; g += GROUP_POINTS, k += 5) {
      const gs = summarize(v, g, Math.min(v.length, g + GROUP_POINTS))
      groups[k] = gs.count
      groups[k + 1] = gs.mean
      groups[k + 2] = gs.m2
      groups[k + 3] = gs.min
      groups[k + 4] = gs.max
      summary = combine(summary, gs)
    }
    out.push({ times: times.slice(from, to), values: v, summary, groups })
  }
  return out
}

/** Index of the first point with time >= t in a sorted array. */
function lowerBound(times: BigInt64Array, t: bigint, from = 0, to = times.length): number {
  let lo = from
  let hi = to
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid]! < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Index of the first chunk whose last time is >= t. */
function firstChunkFrom(snap: Snapshot, t: bigint): number {
  let lo = 0
  let hi = snap.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = snap[mid]!
    if (c.times[c.times.length - 1]! < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Sorts points by time, stably (equal times keep their order). Returns the inputs when already sorted. */
function sortPoints(times: BigInt64Array, values: Float64Array): [BigInt64Array, Float64Array] {
  let sorted = true
  for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) { sorted = false; break }
  if (sorted) return [times, values]
  const idx = Array.from({ length: times.length }, (_, i) => i)
  idx.sort((a, b) => (times[a]! < times[b]! ? -1 : times[a]! > times[b]! ? 1 : a - b))
  return [BigInt64Array.from(idx, (i) => times[i]!), Float64Array.from(idx, (i) => values[i]!)]
}

/**
 * Merges sorted `incoming` points into sorted `existing` ones under `policy`: NEVER keeps every point; EQUAL
 * drops incoming points equal in time and value to a point already there; RETAIN drops incoming points whose time
 * is already there; REPLACE drops the points already there at an incoming time. Within `incoming`, earlier points
 * count as "already there" for later ones.
 */
function mergeSorted(eT: BigInt64Array, eV: Float64Array, nT: BigInt64Array, nV: Float64Array, policy: MergePolicyNumber): [BigInt64Array, Float64Array] {
  const outT = new BigInt64Array(eT.length + nT.length)
  const outV = new Float64Array(eT.length + nT.length)
  let i = 0
  let j = 0
  let o = 0
  while (i < eT.length || j < nT.length) {
    if (j >= nT.length || (i < eT.length && eT[i]! < nT[j]!)) {
      outT[o] = eT[i]!
      outV[o++] = eV[i++]!
      continue
    }
    if (i >= eT.length || nT[j]! < eT[i]!) {
      // A run of incoming points at one time with nothing stored at that time yet.
      const t = nT[j]!
      const runStart = o
      for (; j < nT.length && nT[j] === t; j++) o = place(outT, outV, runStart, o, t, nV[j]!, policy)
      continue
    }
    // Same time on both sides: existing run first, then incoming points under the policy.
    const t = eT[i]!
    const runStart = o
    for (; i < eT.length && eT[i] === t; i++) {
      outT[o] = t
      outV[o++] = eV[i]!
    }
    for (; j < nT.length && nT[j] === t; j++) o = place(outT, outV, runStart, o, t, nV[j]!, policy)
  }
  return [outT.subarray(0, o), outV.subarray(0, o)]
}

/** Adds one point at time `t` to the run `[runStart, o)` of points at `t`; returns the new end. */
function place(outT: BigInt64Array, outV: Float64Array, runStart: number, o: number, t: bigint, v: number, policy: MergePolicyNumber): number {
  if (o > runStart) {
    if (policy === 2) return o
    if (policy === 3) {
      outV[runStart] = v
      return runStart + 1
    }
    if (policy === 1) for (let k = runStart; k < o; k++) if (Object.is(outV[k], v)) return o
  }
  outT[o] = t
  outV[o] = v
  return o + 1
}

/** The snapshot after inserting points (any order) under `policy`. */
export function insertPoints(snap: Snapshot, times: BigInt64Array, values: Float64Array, policy: MergePolicyNumber): Snapshot {
  if (times.length === 0) return snap
  const [nT, nV] = sortPoints(times, values)
  const minT = nT[0]!
  const maxT = nT[nT.length - 1]!
  let from = firstChunkFrom(snap, minT)
  let to = from
  while (to < snap.length && snap[to]!.times[0]! <= maxT) to++
  // Appends continue a short last chunk instead of starting many tiny ones.
  if (from === to && from > 0 && snap[from - 1]!.times.length < CHUNK_POINTS) from--
  let eT: BigInt64Array
  let eV: Float64Array
  if (to - from === 1) {
    eT = snap[from]!.times
    eV = snap[from]!.values
  } else {
    const n = snap.slice(from, to).reduce((a, c) => a + c.times.length, 0)
    eT = new BigInt64Array(n)
    eV = new Float64Array(n)
    let at = 0
    for (let k = from; k < to; k++) {
      eT.set(snap[k]!.times, at)
      eV.set(snap[k]!.values, at)
      at += snap[k]!.times.length
    }
  }
  const [mT, mV] = mergeSorted(eT, eV, nT, nV, policy)
  return [...snap.slice(0, from), ...makeChunks(mT, mV), ...snap.slice(to)]
}

/** The snapshot without the points in `[start, end)`. */
export function deleteRange(snap: Snapshot, start: bigint, end: bigint): Snapshot {
  const from = firstChunkFrom(snap, start)
  let to = from
  while (to < snap.length && snap[to]!.times[0]! < end) to++
  if (from === to) return snap
  const keptT: bigint[] = []
  const keptV: number[] = []
  for (let k = from; k < to; k++) {
    const c = snap[k]!
    for (let i = 0; i < c.times.length; i++) {
      const t = c.times[i]!
      if (t < start || t >= end) {
        keptT.push(t)
        keptV.push(c.values[i]!)
      }
    }
  }
  return [...snap.slice(0, from), ...makeChunks(BigInt64Array.from(keptT), Float64Array.from(keptV)), ...snap.slice(to)]
}

/** Summary of the points in `[start, end)`. */
export function summarizeRange(snap: Snapshot, start: bigint, end: bigint): Summary {
  let acc = EMPTY_SUMMARY
  for (let k = firstChunkFrom(snap, start); k < snap.length; k++) {
    const c = snap[k]!
    const first = c.times[0]!
    if (first >= end) break
    const last = c.times[c.times.length - 1]!
    if (first >= start && last < end) acc = combine(acc, c.summary)
    else {
      const i = lowerBound(c.times, start)
      const j = lowerBound(c.times, end, i)
      if (j > i) acc = combine(acc, summarizeIndexes(c, i, j))
    }
  }
  return acc
}

/** Summary of points [i, j) of a chunk: whole groups from their summaries, the partial ends scanned. */
function summarizeIndexes(c: Chunk, i: number, j: number): Summary {
  const gi = Math.ceil(i / GROUP_POINTS)
  const gj = Math.floor(j / GROUP_POINTS)
  if (gi >= gj) return summarize(c.values, i, j)
  let acc = summarize(c.values, i, gi * GROUP_POINTS)
  const gs = c.groups
  for (let g = gi, k = 5 * gi; g < gj; g++, k += 5) acc = combine(acc, { count: gs[k]!, mean: gs[k + 1]!, m2: gs[k + 2]!, min: gs[k + 3]!, max: gs[k + 4]! })
  return combine(acc, summarize(c.values, gj * GROUP_POINTS, j))
}

/** Time of the first point with time >= t, or `undefined`. */
export function nextTime(snap: Snapshot, t: bigint): bigint | undefined {
  const k = firstChunkFrom(snap, t)
  if (k >= snap.length) return undefined
  const c = snap[k]!
  return c.times[lowerBound(c.times, t)]
}

/** The first point with time >= t (`backward` false) or the last with time < t (`backward` true). */
export function nearestPoint(snap: Snapshot, t: bigint, backward: boolean): { time: bigint; value: number } | undefined {
  if (!backward) {
    const k = firstChunkFrom(snap, t)
    if (k >= snap.length) return undefined
    const c = snap[k]!
    const i = lowerBound(c.times, t)
    return { time: c.times[i]!, value: c.values[i]! }
  }
  const k = firstChunkFrom(snap, t)
  // The point before t is in chunk k (before index lowerBound) or is the last point of chunk k-1.
  if (k < snap.length) {
    const c = snap[k]!
    const i = lowerBound(c.times, t)
    if (i > 0) return { time: c.times[i - 1]!, value: c.values[i - 1]! }
  }
  if (k === 0) return undefined
  const p = snap[k - 1]!
  const n = p.times.length - 1
  return { time: p.times[n]!, value: p.values[n]! }
}

/** Raw points in `[start, end)` as consecutive slices (views, not copies) of at most `batch` points. */
export function* rawSlices(snap: Snapshot, start: bigint, end: bigint, batch: number): Generator<{ times: BigInt64Array; values: Float64Array }> {
  for (let k = firstChunkFrom(snap, start); k < snap.length; k++) {
    const c = snap[k]!
    if (c.times[0]! >= end) return
    const i = lowerBound(c.times, start)
    const j = lowerBound(c.times, end, i)
    for (let a = i; a < j; a += batch) {
      const b = Math.min(j, a + batch)
      yield { times: c.times.subarray(a, b), values: c.values.subarray(a, b) }
    }
  }
}

/** A window's statistics as the wire's StatPoint carries them. */
export type WindowStat = StatPointValue

/**
 * Windows of `width` ns starting at `origin + k * width` for k in [0, n), only those holding points, in time
 * order. Empty stretches are skipped by seeking to the next point.
 */
export function* windowStats(snap: Snapshot, origin: bigint, width: bigint, n: bigint): Generator<WindowStat> {
  const end = origin + width * n
  let t = nextTime(snap, origin)
  while (t !== undefined && t < end) {
    const k = (t - origin) / width
    const ws = origin + k * width
    const we = ws + width
    const s = summarizeRange(snap, ws, we)
    if (s.count > 0) yield { time: ws, min: s.min, mean: s.mean, max: s.max, count: BigInt(s.count), stddev: Math.sqrt(Math.max(0, s.m2 / s.count)) }
    t = nextTime(snap, we)
  }
}

/** Point count of a snapshot. */
export function pointCount(snap: Snapshot): number {
  let n = 0
  for (const c of snap) n += c.times.length
  return n
}

/**
 * Time ranges `[start, end)` whose points differ between two snapshots, at `2^resolution` ns granularity,
 * sorted and coalesced. Chunks shared by both snapshots are unchanged; every other chunk's span counts as changed.
 */
export function changedRanges(a: Snapshot, b: Snapshot, resolution: number): Array<{ start: bigint; end: bigint }> {
  const inA = new Set(a)
  const inB = new Set(b)
  const spans: Array<[bigint, bigint]> = []
  const unit = 1n << BigInt(resolution)
  const add = (c: Chunk): void => {
    const s = c.times[0]!
    const e = c.times[c.times.length - 1]! + 1n
    const rs = s - (((s % unit) + unit) % unit)
    const re = e % unit === 0n ? e : e - (((e % unit) + unit) % unit) + unit
    spans.push([rs, re])
  }
  for (const c of a) if (!inB.has(c)) add(c)
  for (const c of b) if (!inA.has(c)) add(c)
  spans.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
  const out: Array<{ start: bigint; end: bigint }> = []
  for (const [s, e] of spans) {
    const last = out[out.length - 1]
    if (last !== undefined && s <= last.end) {
      if (e > last.end) last.end = e
    } else out.push({ start: s, end: e })
  }
  return out
}
