import type { Dispatcher } from 'undici'
import { callScope } from '../core/abort.ts'
import { attachKill } from './call-errors.ts'
import { ConnectionError, CrateDBError, InvalidArgumentError, RequestAbortedError, TimeoutError } from './errors.ts'
import { exchange, ExchangeFailure } from './http-exchange.ts'
import { errorFromResponse } from './response-errors.ts'
import { decodeExecuteBody, type ExecuteResult } from './sql-result.ts'
import { newJobTag, tagStatement } from './job-kill.ts'
import { encodeStatementBody } from './value-encoder.ts'
import { decodeContentEncoding, type CrateNode, type Transport } from './transport.ts'
import type { DecodeOptions } from './result-reader.ts'

/** What a cursor stream needs from its client. */
export interface CursorContext {
  transport: Transport
  /** `/_sql?types[&error_trace=true]`. */
  sqlPath: string
  headers: Record<string, string>
  decode: DecodeOptions
  /** Kills the server jobs of statements tagged `tag`; undefined when `killOnAbort` is off. */
  kill: ((tag: string) => Promise<string[]>) | undefined
}

/** Options of one cursor stream, resolved. */
export interface CursorStreamOptions {
  batchSize: number
  rowMode: 'array' | 'object'
  /** Ms per round trip; 0: none. */
  timeout: number
  signal: AbortSignal | undefined
}

let cursorCounter = 0

/** For a batch over `maxResponseSize`. */
const STREAM_TOO_LARGE_HINT = 'Lower the batchSize option of stream(), or raise the maxResponseSize option.'

/** Statuses after which another node is tried for BEGIN (as in crate/crate-python `src/crate/client/http.py`). */
const NODE_DOWN = new Set([502, 503, 504, 509])

/** One dedicated session (socket) running statements in order. */
class CursorSession {
  readonly node: CrateNode
  readonly dispatcher: Dispatcher
  readonly #ctx: CursorContext
  readonly #options: CursorStreamOptions

  constructor(ctx: CursorContext, node: CrateNode, options: CursorStreamOptions) {
    this.#ctx = ctx
    this.node = node
    this.#options = options
    this.dispatcher = ctx.transport.openSession(node)
  }

  /** Runs one statement in the session; `timeout` overrides the stream's per round trip. */
  async run<Row>(stmt: string, args: readonly unknown[] | undefined, timeout = this.#options.timeout, signal = this.#options.signal): Promise<ExecuteResult<Row>> {
    const what = `POST /_sql (${stmt.replace(/^\/\*.*?\*\/\s*/, '').split(/\s+/, 1)[0]} in a cursor session)`
    const body = encodeStatementBody(stmt, args)
    const scope = callScope(timeout, signal)
    const limit = this.#ctx.transport.bodyLimit(this.node.url, STREAM_TOO_LARGE_HINT)
    try {
      let response = await exchange(
        this.dispatcher,
        { method: 'POST', path: this.node.prefix + this.#ctx.sqlPath, headers: this.#ctx.headers, body },
        scope.signal,
        limit,
      )
      const encoding = response.headers['content-encoding']
      if (encoding !== undefined && encoding !== 'identity') response = await decodeContentEncoding(response, String(encoding), this.node.url, what, limit)
      if (response.status !== 200) throw errorFromResponse(response.status, response.statusText, response.body, this.node.url, what)
      return decodeExecuteBody<Row>(response.body, { ...this.#ctx.decode, rowMode: this.#options.rowMode }, this.node.url, what)
    } catch (err) {
      if (scope.ended === 'timeout') throw new TimeoutError(`${what} to ${this.node.url} got no answer within ${timeout} ms; the cursor session was closed`, { code: 'TIMEOUT', node: this.node.url, cause: err })
      if (scope.ended === 'abort') throw new RequestAbortedError(`${what} to ${this.node.url} was aborted; the cursor session was closed`, { code: 'ABORTED', node: this.node.url, cause: scope.reason })
      if (err instanceof ExchangeFailure) {
        throw new ConnectionError(`${what} to ${this.node.url} failed: ${err.message}; the cursor and its session are lost`, {
          code: 'CONNECTION_LOST',
          retryable: !err.sent,
          cause: err.error,
          node: this.node.url,
          nodes: [{ node: this.node.url, error: err.message }],
        })
      }
      throw err
    } finally {
      scope.dispose()
    }
  }
}

/** Opens a session on a node that answers, failing over on connection errors before anything ran. */
async function openSession(ctx: CursorContext, options: CursorStreamOptions): Promise<CursorSession> {
  const tried: { node: string; error: string }[] = []
  const nodes = ctx.transport.nodes
  let lastError: unknown
  for (let attempt = 0; attempt < nodes.size; attempt++) {
    const node = nodes.pick()
    const session = new CursorSession(ctx, node, options)
    try {
      await session.run('BEGIN', undefined)
      return session
    } catch (err) {
      await ctx.transport.releaseSession(session.dispatcher, true)
      if ((err instanceof ConnectionError && err.retryable) || (err instanceof CrateDBError && NODE_DOWN.has(err.httpStatus ?? 0))) {
        nodes.setAside(node, err.message)
        tried.push({ node: node.url, error: String((err.cause as Error | undefined)?.message ?? err.message) })
        lastError = err
        continue
      }
      throw err
    }
  }
  throw new ConnectionError(`No CrateDB node could open a cursor session: tried ${tried.map((t) => `${t.node} (${t.error})`).join(', ')}`, {
    code: 'NODES_UNAVAILABLE',
    retryable: true,
    cause: lastError,
    nodes: tried,
  })
}

/**
 * Streams the rows of `sql` through a server-side cursor
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/declare.html) on one dedicated socket:
 * `BEGIN`, `DECLARE <c> NO SCROLL CURSOR WITH HOLD FOR <sql>`, `FETCH <batchSize> FROM <c>` until a short batch,
 * `CLOSE <c>`, `COMMIT`. The next batch is requested while the current one is consumed, so memory holds at most
 * two batches. Breaking out of the loop (or an error) closes the cursor and the socket.
 */
export async function* streamRows<Row>(ctx: CursorContext, sql: string, args: readonly unknown[] | undefined, options: CursorStreamOptions): AsyncGenerator<Row, void, undefined> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new InvalidArgumentError(`batchSize must be a positive integer, got ${options.batchSize}`)
  }
  const session = await openSession(ctx, options)
  const cursor = `dialectry_cursor_${++cursorCounter}`
  // A stream that can end early by timeout or signal tags the statements that run its query, so the query's
  // job can be found in sys.jobs and killed (see job-kill.ts).
  const tag = ctx.kill !== undefined && (options.signal !== undefined || options.timeout > 0) ? newJobTag() : undefined
  const tagged = (stmt: string): string => (tag === undefined ? stmt : tagStatement(stmt, tag))
  const fetchSql = tagged(`FETCH ${options.batchSize} FROM ${cursor}`)
  let declared = false
  let failed = false
  let next: Promise<ExecuteResult<Row>> | undefined
  try {
    await session.run(tagged(`DECLARE ${cursor} NO SCROLL CURSOR WITH HOLD FOR ${sql}`), args)
    declared = true
    let pending: Promise<ExecuteResult<Row>> = session.run<Row>(fetchSql, undefined)
    next = pending
    for (;;) {
      const batch = await pending
      next = undefined
      const done = batch.rows.length < options.batchSize
      if (!done) {
        pending = session.run<Row>(fetchSql, undefined)
        pending.catch(() => {}) // observed when awaited; avoids an unhandled rejection if the consumer stops first
        next = pending
      }
      const signal = options.signal
      for (const row of batch.rows) {
        if (signal?.aborted) {
          throw new RequestAbortedError(`The stream from ${session.node.url} was aborted; its cursor session was closed`, { code: 'ABORTED', node: session.node.url, cause: signal.reason })
        }
        yield row
      }
      if (done) break
    }
  } catch (err) {
    failed = true
    if (tag !== undefined && (err instanceof TimeoutError || err instanceof RequestAbortedError)) {
      await ctx.transport.releaseSession(session.dispatcher, true)
      attachKill(err, ctx.kill!(tag)) // in the background: the stream ends at the deadline
    }
    throw err
  } finally {
    if (next !== undefined) await next.catch(() => {})
    if (!failed && !options.signal?.aborted) {
      // Best effort: the session (and with it the cursor) ends with the socket anyway.
      try {
        if (declared) await session.run(`CLOSE ${cursor}`, undefined, 5_000, undefined)
        await session.run('COMMIT', undefined, 5_000, undefined)
      } catch {
        failed = true
      }
    }
    await ctx.transport.releaseSession(session.dispatcher, failed)
  }
}
