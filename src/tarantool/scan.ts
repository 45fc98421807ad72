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
 * Iterates over the tuples of an index in batches, holding at most one batch in memory. Which tuples match is
 * always decided by the server's own iterator and comparison (collations such as `unicode_ci`, numbers of
 * different types, decimals with different scales), never re-checked in JS.
 *
 * On a unique TREE index without nullable parts each batch continues after the last tuple's full key (`gt`, or
 * `lt` going backwards), so every batch costs the same whatever the position, and tuples inserted or deleted
 * meanwhile do not shift the pages. With `eq`/`req` and a full key such an index holds at most one match, read
 * in one request; with a partial key, each continuation batch costs one more small request to learn where the
 * matches end (see the comments in the code). On other indexes (non-unique, HASH, nullable parts: a unique
 * index may hold several tuples whose key has a null) batches use OFFSET, which the server walks from the start
 * each time: fine for small spaces, slow for millions of tuples.
 *
 * Semantics follow box `index:select` / `index:pairs` (https://www.tarantool.io/en/doc/latest/reference/reference_lua/box_index/pairs/):
 * the result is what one `select` with the same key and iterator returns, read a batch at a time.
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
  // Keyset paging needs every full key to name one tuple: a unique TREE index, and no nullable part (a unique
  // index keeps any number of tuples whose key holds a null, and `gt` from such a key would skip them).
  const byKey = index !== undefined && index.unique && index.type === 'TREE' && index.parts.every((p) => !p.isNullable)

  if (!byKey) {
    for (let offset = 0; ; offset += batchSize) {
      const batch = await target.select<T>(space, key, { ...request, index: indexRef, iterator, limit: batchSize, offset })
      for (const t of batch) yield t
      if (batch.length < batchSize) return
    }
  }

  const parts = index.parts.map((p) => p.field)
  const select = (k: unknown[], it: IteratorName, limit: number): Promise<T[]> =>
    target.select<T>(space, k, { ...request, index: indexRef, iterator: it, limit })
  const fullKey = (t: Tuple): unknown[] => parts.map((f) => t[f])
  const exact = (iterator === 'eq' || iterator === 'req') && key.length > 0

  // A full key on a unique index matches at most one tuple.
  if (exact && key.length >= parts.length) {
    yield* await select(key, iterator, 1)
    return
  }

  const next: IteratorName = FORWARD.has(iterator) ? 'gt' : 'lt'
  let batch = await select(key, iterator, batchSize)
  for (;;) {
    // Every tuple of `batch` matches: the first batch because the server's own iterator chose it, the others
    // because `inRange` checked them.
    for (const t of batch) yield t
    if (batch.length < batchSize) return
    const candidates = await select(fullKey(batch[batch.length - 1]!), next, batchSize)
    if (!exact) {
      batch = candidates
      continue
    }
    // `eq`/`req` with a partial key. Tarantool 2.6 has no "continue after this position" for EQ (IPROTO_AFTER
    // is 3.0+), and comparing the key prefix in JS would ignore the index's collation ('Alice' = 'alice' under
    // unicode_ci) and its type rules. The candidates after the last match are in index order and the matches
    // are one contiguous run of the index, so the matching candidates are a leading run of them: if the last
    // candidate matches, they all do; otherwise a binary search finds the first that does not (once per scan).
    // The server decides each membership test (see `inRange`).
    if (candidates.length === 0) return
    let matching = candidates.length
    if (!(await inRange(candidates[matching - 1]!))) {
      let lo = 0 // candidates[0 .. lo) match
      let hi = candidates.length - 1 // candidates[hi] does not
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (await inRange(candidates[mid]!)) lo = mid + 1
        else hi = mid
      }
      matching = lo
    }
    if (matching < candidates.length) {
      for (let i = 0; i < matching; i++) yield candidates[i]!
      return
    }
    batch = candidates
  }

  /**
   * `true` when `t` matches the scan's key prefix, as the server compares it: an `eq` select with the caller's
   * prefix followed by `t`'s own remaining key parts finds at most one tuple (the index is unique). If `t`
   * matches, that tuple is `t` itself. If `t` does not, it is either nothing or another tuple, whose prefix
   * parts then differ from `t`'s: the same stored tuple decodes to the same values, while a different tuple
   * with the same remaining parts must differ from `t` in the prefix parts. A tuple deleted by someone else
   * between the two requests counts as not matching (the scan then ends there).
   */
  async function inRange(t: Tuple): Promise<boolean> {
    const probe = [...key, ...parts.slice(key.length).map((f) => t[f])]
    const [found] = await select(probe, 'eq', 1)
    if (found === undefined) return false
    for (let i = 0; i < key.length; i++) if (!sameValue(found[parts[i]!], t[parts[i]!])) return false
    return true
  }
}

/** Whether two values decoded from stored tuples are the same stored value (not collation-equal: the same). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0
  // Extension values (Decimal, Uuid, Datetime, ...) decoded from the same bytes print the same.
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    return a.constructor === b.constructor && String(a) === String(b)
  }
  return false
}
