import { BodyKey, Iterator, NO_LIMIT, RequestType } from './iproto-constants.ts'
import { InvalidArgumentError } from './errors.ts'
import { decodeSqlResult } from './sql-result.ts'
import type { FrameWriter } from './frame-writer.ts'
import type { ReplyBody, RequestSpec } from './request-spec.ts'
import type {
  KeyedWriteOptions,
  RequestOptions,
  SelectOptions,
  SpaceRef,
  SqlParameters,
  SqlResult,
  UpdateOperation,
} from './request-options.ts'

/** A tuple as stored: an array of field values. */
export type Tuple = unknown[]

const noBody = (): void => {}
const noResult = (): void => {}
const data = (body: ReplyBody): unknown[] => (body[BodyKey.DATA] as unknown[] | undefined) ?? []
const firstTuple = (body: ReplyBody): Tuple | undefined => data(body)[0] as Tuple | undefined
const same = <T>(d: T): T => d
const first = (d: unknown[]): Tuple | undefined => d[0] as Tuple | undefined

/**
 * The IPROTO request methods (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/requests/), shared by a
 * single connection, a pool and a stream. Each method
 * builds a {@link RequestSpec} and hands it to `_call`, which the transport implements.
 *
 * Spaces and indexes may be given by name (resolved through `_vspace`/`_vindex`, reloaded when the schema
 * changes) or by id. Every method takes `timeout` (ms) and `signal` options.
 */
export abstract class TarantoolRequests {
  /** @internal Sends one request; implemented by Connection, Pool and Stream. */
  protected abstract _call<T>(spec: RequestSpec<T>, options: RequestOptions | undefined): Promise<T>

  /** PING: resolves when the server answers. */
  ping(options?: RequestOptions): Promise<void> {
    return this._call({ type: RequestType.PING, readOnly: true, write: noBody, decode: noResult, what: 'ping' }, options)
  }

  /**
   * SELECT tuples by key from an index (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/requests/;
   * iterators: tarantool/tarantool `src/box/iterator_type.h`).
   *
   * @param key key parts; `[]` with iterator `all` (or `eq` on a TREE) scans everything. Default `[]`.
   * @returns the tuples, as arrays of field values.
   * @example
   * const [user] = await client.select('users', [42])
   * const page = await client.select('users', ['a'], { index: 'name', iterator: 'ge', limit: 10 })
   */
  select<T extends Tuple = Tuple>(space: SpaceRef, key: unknown[] = [], options?: SelectOptions): Promise<T[]> {
    const iteratorName = options?.iterator ?? (key.length === 0 ? 'all' : 'eq')
    const iterator = Iterator[iteratorName]
    if (iterator === undefined) throw new InvalidArgumentError(`Unknown select iterator ${JSON.stringify(iteratorName)}; use one of ${Object.keys(Iterator).join(', ')}`)
    const limit = checkCount(options?.limit ?? NO_LIMIT, 'limit')
    const offset = checkCount(options?.offset ?? 0, 'offset')
    const spec: SelectSpec = {
      type: RequestType.SELECT,
      space,
      index: options?.index ?? 0,
      readOnly: options?.readOnly ?? true,
      what: 'select',
      key,
      limit,
      offset,
      iterator,
      write: writeSelect,
      decode: data,
      decodeData: same,
    }
    return this._call(spec, options) as Promise<T[]>
  }

  /**
   * INSERT a tuple; fails with server error 3 (ER_TUPLE_FOUND) if the primary key exists.
   * @returns the stored tuple (with sequence-generated fields filled in).
   */
  insert<T extends Tuple = Tuple>(space: SpaceRef, tuple: unknown[], options?: RequestOptions): Promise<T> {
    return this._call(tupleRequest(RequestType.INSERT, 'insert', space, tuple, options), options) as Promise<T>
  }

  /** REPLACE: insert, or overwrite the tuple with the same primary key. @returns the stored tuple. */
  replace<T extends Tuple = Tuple>(space: SpaceRef, tuple: unknown[], options?: RequestOptions): Promise<T> {
    return this._call(tupleRequest(RequestType.REPLACE, 'replace', space, tuple, options), options) as Promise<T>
  }

  /**
   * UPDATE the tuple with the given full unique key by operations
   * (https://www.tarantool.io/en/doc/latest/reference/reference_lua/box_space/update/).
   * @returns the new tuple, or `undefined` when no tuple has that key.
   * @example await client.update('users', [42], [['+', 'visits', 1], ['=', 'name', 'Ann']])
   */
  update<T extends Tuple = Tuple>(space: SpaceRef, key: unknown[], operations: UpdateOperation[], options?: KeyedWriteOptions): Promise<T | undefined> {
    checkOperations(operations)
    const spec: KeyOpsSpec = {
      type: RequestType.UPDATE,
      space,
      index: options?.index ?? 0,
      readOnly: false,
      what: 'update',
      key,
      ops: operations,
      write: writeUpdate,
      decode: firstTuple,
      decodeData: first,
    }
    return this._call(spec, options) as Promise<T | undefined>
  }

  /**
   * UPSERT: insert `tuple` if no tuple has its primary key, else apply `operations` to the existing one
   * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/requests/; operations as in
   * https://www.tarantool.io/en/doc/latest/reference/reference_lua/box_space/update/). Resolves with nothing (the
   * server returns no tuple).
   */
  upsert(space: SpaceRef, tuple: unknown[], operations: UpdateOperation[], options?: RequestOptions): Promise<void> {
    checkTuple(tuple, 'upsert')
    checkOperations(operations)
    const spec: KeyOpsSpec = {
      type: RequestType.UPSERT,
      space,
      readOnly: false,
      what: 'upsert',
      key: tuple,
      ops: operations,
      write: writeUpsert,
      decode: noResult,
    }
    return this._call(spec, options) as Promise<void>
  }

  /** DELETE the tuple with the given full unique key. @returns the deleted tuple, or `undefined` if none. */
  delete<T extends Tuple = Tuple>(space: SpaceRef, key: unknown[], options?: KeyedWriteOptions): Promise<T | undefined> {
    const spec: KeyOpsSpec = {
      type: RequestType.DELETE,
      space,
      index: options?.index ?? 0,
      readOnly: false,
      what: 'delete',
      key,
      ops: undefined,
      write: writeDelete,
      decode: firstTuple,
      decodeData: first,
    }
    return this._call(spec, options) as Promise<T | undefined>
  }

  /**
   * CALL a Lua function (IPROTO CALL, the modern call): `name` may be global or a path like `box.space.t:count`.
   * @returns every value the function returned, in order (a function returning nothing gives `[]`).
   */
  call<T extends unknown[] = unknown[]>(name: string, args: unknown[] = [], options?: RequestOptions): Promise<T> {
    return this._call(callRequest(RequestType.CALL, name, args, options), options) as Promise<T>
  }

  /**
   * CALL_16, the Tarantool 1.6 call: every returned value is wrapped into a tuple (a scalar `x` becomes `[x]`),
   * as txtarantool and the `tarantool-driver` npm package return them.
   */
  call16<T extends unknown[][] = unknown[][]>(name: string, args: unknown[] = [], options?: RequestOptions): Promise<T> {
    return this._call(callRequest(RequestType.CALL_16, name, args, options), options) as Promise<T>
  }

  /**
   * EVAL a Lua chunk; arguments are available as `...`. Needs execute privilege on universe.
   * @returns every value the chunk returned.
   * @example const [sum] = await client.eval('local a, b = ... return a + b', [1, 2])
   */
  eval<T extends unknown[] = unknown[]>(expression: string, args: unknown[] = [], options?: RequestOptions): Promise<T> {
    if (typeof expression !== 'string') throw new InvalidArgumentError('eval expression must be a string of Lua code')
    checkTuple(args, 'eval arguments')
    const spec: NameArgsSpec = {
      type: RequestType.EVAL,
      readOnly: options?.readOnly ?? false,
      what: 'eval',
      name: expression,
      args,
      write: writeEval,
      decode: data,
      decodeData: same,
    }
    return this._call(spec, options) as Promise<T>
  }

  /**
   * Executes one SQL statement (IPROTO_EXECUTE,
   * https://www.tarantool.io/en/doc/latest/reference/internals/iproto/sql/).
   *
   * @param params positional values for `?` (array) or named values for `:name`/`@name` (object; a key
   *   without a marker gets `:`).
   * @returns rows as arrays with column metadata for SELECT/VALUES/PRAGMA (`rowCount` is then the number of
   *   rows); `rowCount` (rows changed) and the generated AUTOINCREMENT ids for DML and DDL. See
   *   `SqlResult.rowCount` for each statement kind.
   * @example
   * const { rows } = await client.execute('SELECT "name" FROM "users" WHERE "id" = ?', [42])
   * const { rowCount, autoincrementIds } = await client.execute('INSERT INTO "t" ("v") VALUES (:v)', { v: 'x' })
   */
  execute<Row extends unknown[] = unknown[]>(sql: string, params?: SqlParameters, options?: RequestOptions): Promise<SqlResult<Row>> {
    if (typeof sql !== 'string') throw new InvalidArgumentError('SQL text must be a string')
    const binds = params === undefined ? undefined : toBindArray(params)
    const spec: SqlSpec = {
      type: RequestType.EXECUTE,
      readOnly: options?.readOnly ?? false,
      what: 'SQL execute',
      binds,
      sql,
      write: writeExecute,
      decode: decodeSqlResult,
    }
    return this._call(spec, options) as Promise<SqlResult<Row>>
  }
}

/**
 * Turns positional or named SQL parameters into the IPROTO bind array
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/sql/).
 */
export function toBindArray(params: SqlParameters): unknown[] {
  if (Array.isArray(params)) return params as unknown[]
  if (typeof params !== 'object' || params === null) throw new InvalidArgumentError('SQL parameters must be an array (positional) or an object (named)')
  const out: unknown[] = []
  for (const [name, value] of Object.entries(params)) {
    const marker = name[0] === ':' || name[0] === '@' || name[0] === '$' ? '' : ':'
    out.push({ [marker + name]: value })
  }
  return out
}

function tupleRequest(type: number, verb: string, space: SpaceRef, tuple: unknown[], options: RequestOptions | undefined): RequestSpec<Tuple> {
  checkTuple(tuple, verb)
  const spec: KeyOpsSpec = {
    type,
    space,
    readOnly: options?.readOnly ?? false,
    what: verb,
    key: tuple,
    ops: undefined,
    write: writeTuple,
    decode: firstTuple,
    decodeData: first,
  }
  return spec as RequestSpec<Tuple>
}

function callRequest(type: number, name: string, args: unknown[], options: RequestOptions | undefined): RequestSpec<unknown[]> {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('call needs a Lua function name')
  checkTuple(args, 'call arguments')
  const spec: NameArgsSpec = {
    type,
    readOnly: options?.readOnly ?? false,
    what: `call ${name}`,
    name,
    args,
    write: writeCall,
    decode: data,
    decodeData: same,
  }
  return spec as RequestSpec<unknown[]>
}

// Request specs carry their payload as fields and share module-level writers (called as spec.write(...)), so
// building a request allocates one object and no closures.

interface SelectSpec extends RequestSpec<unknown> {
  key: unknown[]
  limit: number
  offset: number
  iterator: number
}

interface KeyOpsSpec extends RequestSpec<unknown> {
  key: unknown[]
  ops: UpdateOperation[] | undefined
}

interface NameArgsSpec extends RequestSpec<unknown> {
  name: string
  args: unknown[]
}

interface SqlSpec extends RequestSpec<unknown> {
  sql: string
}

function writeSelect(this: SelectSpec, w: FrameWriter, spaceId: number, indexId: number): void {
  spaceHead(w, this.offset > 0 ? 6 : 5, spaceId, indexId)
  w.key(BodyKey.LIMIT)
  w.uint(this.limit)
  if (this.offset > 0) {
    w.key(BodyKey.OFFSET)
    w.uint(this.offset)
  }
  w.key(BodyKey.ITERATOR)
  w.uint(this.iterator)
  w.key(BodyKey.KEY)
  w.value(this.key)
}

/** Opens a body map of `entries` keys with SPACE_ID (and INDEX_ID when given). */
function spaceHead(w: FrameWriter, entries: number, spaceId: number, indexId?: number): void {
  w.map(entries)
  w.key(BodyKey.SPACE_ID)
  w.uint(spaceId)
  if (indexId !== undefined) {
    w.key(BodyKey.INDEX_ID)
    w.uint(indexId)
  }
}

function writeTuple(this: KeyOpsSpec, w: FrameWriter, spaceId: number): void {
  spaceHead(w, 2, spaceId)
  w.key(BodyKey.TUPLE)
  w.value(this.key)
}

function writeUpdate(this: KeyOpsSpec, w: FrameWriter, spaceId: number, indexId: number): void {
  spaceHead(w, 4, spaceId, indexId)
  w.key(BodyKey.KEY)
  w.value(this.key)
  w.key(BodyKey.TUPLE)
  w.value(this.ops)
}

function writeUpsert(this: KeyOpsSpec, w: FrameWriter, spaceId: number): void {
  spaceHead(w, 3, spaceId)
  w.key(BodyKey.TUPLE)
  w.value(this.key)
  w.key(BodyKey.OPS)
  w.value(this.ops)
}

function writeDelete(this: KeyOpsSpec, w: FrameWriter, spaceId: number, indexId: number): void {
  spaceHead(w, 3, spaceId, indexId)
  w.key(BodyKey.KEY)
  w.value(this.key)
}

/** CALL and EVAL bodies: the function name or expression under `nameKey`, and the arguments. */
function writeNameArgs(w: FrameWriter, nameKey: number, spec: NameArgsSpec): void {
  w.map(2)
  w.key(nameKey)
  w.str(spec.name)
  w.key(BodyKey.TUPLE)
  w.value(spec.args)
}

function writeCall(this: NameArgsSpec, w: FrameWriter): void {
  writeNameArgs(w, BodyKey.FUNCTION_NAME, this)
}

function writeEval(this: NameArgsSpec, w: FrameWriter): void {
  writeNameArgs(w, BodyKey.EXPR, this)
}

function writeExecute(this: SqlSpec, w: FrameWriter): void {
  const binds = this.binds
  w.map(binds === undefined ? 1 : 2)
  w.key(BodyKey.SQL_TEXT)
  w.str(this.sql)
  if (binds !== undefined) {
    w.key(BodyKey.SQL_BIND)
    w.value(binds)
  }
}

function checkTuple(tuple: unknown, what: string): void {
  if (!Array.isArray(tuple)) throw new InvalidArgumentError(`${what} needs an array of field values, got ${typeof tuple}`)
}

function checkCount(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > NO_LIMIT) throw new InvalidArgumentError(`select ${what} must be an integer 0..4294967295, got ${n}`)
  return n
}

const ARITY: Record<string, number> = { '=': 3, '+': 3, '-': 3, '&': 3, '|': 3, '^': 3, '!': 3, '#': 3, ':': 5 }

function checkOperations(ops: unknown): void {
  if (!Array.isArray(ops)) throw new InvalidArgumentError('update operations must be an array of [op, field, value] arrays')
  for (const op of ops) {
    if (!Array.isArray(op) || typeof op[0] !== 'string' || ARITY[op[0]] === undefined) {
      throw new InvalidArgumentError(`Unknown update operation ${JSON.stringify(Array.isArray(op) ? op[0] : op)}; use one of = + - & | ^ ! # :`)
    }
    if (op.length !== ARITY[op[0]]) throw new InvalidArgumentError(`Update operation '${op[0]}' takes ${ARITY[op[0]]! - 1} arguments after the operator, got ${op.length - 1}`)
    if (typeof op[1] !== 'number' && typeof op[1] !== 'string') throw new InvalidArgumentError(`Update operation '${op[0]}' needs a field number or name`)
  }
}
