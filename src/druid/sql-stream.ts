import { StringDecoder } from 'node:string_decoder'
import type { Dispatcher } from 'undici'
import { callScope, type CallScope } from '../core/abort.ts'
import { createSplitter, type ResultFormat } from './body-splitter.ts'
import type { DecodeOptions, DruidColumn } from './column-types.ts'
import { DruidError, ResponseTooLargeError, TruncatedResultError } from './errors.ts'
import type { DruidHttpService } from './http-service.ts'
import { readCapped } from './http-service.ts'
import { errorFromResponse } from './response-errors.ts'
import { ResultDecoder, type HeaderExpectation, type RowMode } from './result-decoder.ts'

/** Everything one SQL request needs, resolved. */
export interface SqlRequestPlan {
  service: DruidHttpService
  /** JSON body text for `POST /druid/v2/sql`. */
  body: string
  sqlQueryId: string
  format: ResultFormat
  expect: Omit<HeaderExpectation, 'included'>
  rowMode: RowMode
  decode: DecodeOptions
  timeout: number
  signal: AbortSignal | undefined
  /** Byte cap for buffered calls; `undefined` for streams. */
  maxBytes: number | undefined
  /** Sends `DELETE /druid/v2/sql/{id}`; never throws. */
  cancel: (sqlQueryId: string) => Promise<boolean>
}

/**
 * The rows of one SQL query as they arrive (`for await (const row of stream)`), or in parsed batches
 * (`stream.batches()`). Memory stays bounded by one network chunk and its rows. `columns` is set once the header
 * rows have arrived. Leaving the loop early (`break`, an exception) ends the request and cancels the query on
 * the server.
 *
 * @throws TruncatedResultError (while iterating) when the body ends before its terminator.
 */
export class DruidRowStream<Row = Record<string, unknown>> implements AsyncIterable<Row> {
  /** The query id (context `sqlQueryId`), for {@link DruidClient.cancel}. */
  readonly sqlQueryId: string
  /** The columns, once the header rows arrived (`undefined` before, or when `header: false`). */
  columns: DruidColumn[] | undefined
  /** Rows delivered so far. */
  rowCount = 0
  readonly #plan: SqlRequestPlan
  #used = false

  constructor(plan: SqlRequestPlan) {
    this.#plan = plan
    this.sqlQueryId = plan.sqlQueryId
  }

  /** The rows in the batches they were parsed in (fewer async steps than row by row). */
  async *batches(): AsyncGenerator<Row[], void, undefined> {
    if (this.#used) throw new DruidError('A DruidRowStream can be iterated once', { code: 'STREAM_CONSUMED' })
    this.#used = true
    const plan = this.#plan
    const what = `POST /druid/v2/sql (query ${plan.sqlQueryId})`
    const scope: CallScope = callScope(plan.timeout, plan.signal)
    let answer: Dispatcher.ResponseData | undefined
    let done = false
    let started = false
    try {
      answer = await plan.service.open('POST', '/druid/v2/sql', plan.body, { 'content-type': 'application/json' }, scope.signal)
      started = true
      if (answer.statusCode !== 200) {
        const text = (await readCapped(answer.body, 1 << 20, what, plan.service.url)).toString('utf8')
        done = true
        throw errorFromResponse(what, answer.statusCode, text, { url: plan.service.url, sqlQueryId: plan.sqlQueryId })
      }
      const included = answer.headers['x-druid-sql-header-included'] === 'yes'
      const decoder = new ResultDecoder(plan.format, { ...plan.expect, included }, plan.rowMode, plan.decode)
      const splitter = createSplitter(plan.format)
      const text = new StringDecoder('utf8')
      let bytes = 0
      for await (const chunk of answer.body) {
        bytes += (chunk as Buffer).length
        if (plan.maxBytes !== undefined && bytes > plan.maxBytes) {
          throw new ResponseTooLargeError(`${what} to ${plan.service.url}: the answer is larger than maxResponseSize (${plan.maxBytes} bytes); reading stopped and the connection was closed. Use stream() for large results, or raise maxResponseSize.`, plan.maxBytes, { code: 'RESPONSE_TOO_LARGE', url: plan.service.url, sqlQueryId: plan.sqlQueryId })
        }
        const rows = decoder.decode(splitter.push(text.write(chunk as Buffer)))
        this.columns ??= decoder.columns
        if (rows.length > 0) {
          this.rowCount += rows.length
          yield rows as Row[]
        }
      }
      const rows = decoder.decode(splitter.push(text.end()))
      this.columns ??= decoder.columns
      if (rows.length > 0) {
        this.rowCount += rows.length
        yield rows as Row[]
      }
      splitter.finish()
      done = true
      if (!splitter.complete) {
        throw new TruncatedResultError(
          `${what} to ${plan.service.url}: the ${plan.format} result ended after ${this.rowCount} rows without its terminator, so it is incomplete (cut by the server or a proxy mid-stream); run the query again`,
          this.rowCount,
          { code: 'TRUNCATED_RESULT', url: plan.service.url, sqlQueryId: plan.sqlQueryId },
        )
      }
    } catch (err) {
      if (scope.ended !== undefined) throw plan.service.callError(err, what, scope.ended, plan.timeout, scope.reason, plan.sqlQueryId)
      if (err instanceof DruidError) throw err
      if (started) {
        throw new TruncatedResultError(`${what} to ${plan.service.url}: the connection broke after ${this.rowCount} rows (${(err as Error).message}); the result is incomplete`, this.rowCount, {
          code: 'TRUNCATED_RESULT',
          cause: err,
          url: plan.service.url,
          sqlQueryId: plan.sqlQueryId,
        })
      }
      throw plan.service.callError(err, what, undefined, plan.timeout, undefined, plan.sqlQueryId)
    } finally {
      scope.dispose()
      if (!done) {
        answer?.body.destroy()
        // The query may still run on the server (early exit, abort, timeout): cancel it there.
        void plan.cancel(plan.sqlQueryId)
      }
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Row, void, undefined> {
    for await (const batch of this.batches()) yield* batch
  }
}
