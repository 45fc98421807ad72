import { InvalidArgumentError } from './errors.ts'
import type { IteratorName } from './iproto-constants.ts'
import type { IndexRef, RequestOptions, SelectOptions, SpaceRef } from './request-options.ts'
import type { Tuple } from './request-methods.ts'
import type { Schema } from './schema.ts'

/** Options of `scan`. */
export interface ScanOptions extends RequestOptions {
  /** Index name or id; default 0 (primary). */
  index?: IndexRef
  /** `all` (default without a key), `eq` (default with a key), `req`, `ge`, `gt`, `le`, `lt`. */
  iterator?: Extract<IteratorName, 'all' | 'eq' | 'req' | 'ge' | 'gt' | 'le' | 'lt'>
  /** Tuples fetched per SELECT. Default 1000. */
  batchSize?: number
}

/** What `scan` needs from a connection or pool. */
export interface ScanTarget {
  select<T extends Tuple = Tuple>(space: SpaceRef, key?: unknown[], options?: SelectOptions): Promise<T[]>
  loadSchema(options?: RequestOptions): Promise<Schema>
}

const FORWARD = new Set(['all', 'eq', 'ge', 'gt'])

/**
 * Iterates over the tuples of an index in batches, holding at most one batch in memory.
 *
 * On a unique TREE index each batch continues after the last tuple's key (`gt`, or `lt` going backwards), so
 * every batch costs the same whatever the position, and tuples inserted or deleted meanwhile do not shift the
 * pages. `eq`/`req` with a partial key stop at the first tuple outside the key. On other indexes (non-unique,
 * HASH) batches use OFFSET, which the server walks from the start each time: fine for small spaces, slow for
 * millions of tuples.
 *
 * @throws SchemaError when the space or index is unknown; InvalidArgumentError for a bad batch size or iterator.
 * @example
 * for await (const tuple of conn.scan('flights', ['SFO'], { index: 'origin' })) console.log(tuple)
 */
export async function* scanIndex<T extends Tuple = Tuple>(target: ScanTarget, space: SpaceRef, key: unknown[] = [], options: ScanOptions = {}): AsyncGenerator<T, void, undefined> {
  const batchSize = options.batchSize ?? 1000
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`scan batchSize must be a positive integer, got ${batchSize}`)
  const iterator = options.iterator ?? (key.length === 0 ? 'all' : 'eq')
  if (!['all', 'eq', 'req', 'ge', 'gt', 'le', 'lt'].includes(iterator)) throw new InvalidArgumentError(`scan supports the iterators all, eq, req, ge, gt, le, lt; got ${JSON.stringify(iterator)}`)
  const request: RequestOptions = {}
  if (options.timeout !== undefined) request.timeout = options.timeout
  if (options.signal !== undefined) request.signal = options.signal
  if (options.readOnly !== undefined) request.readOnly = options.readOnly
  const indexRef = options.index ?? 0
  const schema = await target.loadSchema(request)
  const spaceInfo = schema.space(space)
  if (!spaceInfo) schema.spaceId(space) // throws SchemaError with the standard message for names
  const indexId = schema.indexId(space, indexRef)
  const index = spaceInfo?.indexes.find((i) => i.id === indexId)
  const byKey = index !== undefined && index.unique && index.type === 'TREE'

  if (!byKey) {
    for (let offset = 0; ; offset += batchSize) {
      const batch = await target.select<T>(space, key, { ...request, index: indexRef, iterator, limit: batchSize, offset })
      for (const t of batch) yield t
      if (batch.length < batchSize) return
    }
  }

  const parts = index.parts.map((p) => p.field)
  const prefix = iterator === 'eq' || iterator === 'req' ? key : undefined
  const next: IteratorName = FORWARD.has(iterator) ? 'gt' : 'lt'
  let batch = await target.select<T>(space, key, { ...request, index: indexRef, iterator, limit: batchSize })
  for (;;) {
    for (const t of batch) {
      if (prefix !== undefined && !matchesPrefix(t, parts, prefix)) return
      yield t
    }
    if (batch.length < batchSize) return
    const last = batch[batch.length - 1]!
    batch = await target.select<T>(space, parts.map((f) => last[f]), { ...request, index: indexRef, iterator: next, limit: batchSize })
  }
}

function matchesPrefix(tuple: Tuple, parts: number[], prefix: unknown[]): boolean {
  for (let i = 0; i < prefix.length; i++) {
    const a = tuple[parts[i]!]
    const b = prefix[i]
    if (a === b) continue
    // Numbers and bigints compare by value; extension values (Decimal, Uuid) by their text.
    if ((typeof a === 'bigint' && typeof b === 'number') || (typeof a === 'number' && typeof b === 'bigint')) {
      const n = typeof a === 'number' ? a : (b as number)
      if (!Number.isInteger(n) || BigInt(a as number | bigint) !== BigInt(b as number | bigint)) return false
      continue
    }
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && String(a) === String(b)) continue
    return false
  }
  return true
}
