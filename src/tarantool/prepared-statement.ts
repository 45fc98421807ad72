import { BodyKey, ErrorCode, RequestType } from './iproto-constants.ts'
import { ServerError } from './errors.ts'
import { toBindArray } from './request-methods.ts'
import { decodeSqlResult } from './sql-result.ts'
import type { Connection } from './connection.ts'
import type { PreparedStatementInfo, RequestOptions, SqlColumn, SqlParameters, SqlResult } from './request-options.ts'
import type { ReplyBody } from './request-spec.ts'

/**
 * A prepared SQL statement (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/sql/) on one connection.
 * Prepared statements live in the server session:
 * after a reconnect, or when any DDL expired the statement (error 159 "statement has expired", or 211 unknown
 * id), `execute` prepares the same text again and retries once, so callers never see those errors.
 */
export class PreparedStatement {
  readonly sql: string
  readonly #connection: Connection
  #info: PreparedStatementInfo
  #generation: number

  /** @internal Use `connection.prepare(sql)` or `pool.prepare(sql)`. */
  constructor(connection: Connection, sql: string, info: PreparedStatementInfo, generation: number) {
    this.#connection = connection
    this.sql = sql
    this.#info = info
    this.#generation = generation
  }

  /** Server statement id. */
  get id(): number {
    return this.#info.id
  }
  /** Number of parameters. */
  get bindCount(): number {
    return this.#info.bindCount
  }
  /** Parameter names (`?` for positional) and types. */
  get bindMetadata(): { name: string; type: string }[] {
    return this.#info.bindMetadata
  }
  /** Result columns (empty for statements that return no rows). */
  get metadata(): SqlColumn[] {
    return this.#info.metadata
  }

  /** Executes the statement with positional or named parameters. */
  async execute<Row extends unknown[] = unknown[]>(params?: SqlParameters, options?: RequestOptions): Promise<SqlResult<Row>> {
    if (this.#connection.generation !== this.#generation) await this.#reprepare(options)
    try {
      return await this.#run<Row>(params, options)
    } catch (err) {
      if (!isExpired(err)) throw err
      await this.#reprepare(options)
      return this.#run<Row>(params, options)
    }
  }

  /** Releases the statement on the server (PREPARE with only STMT_ID). Unknown ids are ignored. */
  async unprepare(options?: RequestOptions): Promise<void> {
    if (this.#connection.generation !== this.#generation) return
    const id = this.#info.id
    try {
      await this.#connection._callInStream(
        {
          type: RequestType.PREPARE,
          readOnly: true,
          what: 'SQL unprepare',
          write(w) {
            w.map(1)
            w.key(BodyKey.STMT_ID)
            w.uint(id)
          },
          decode: () => undefined,
        },
        options,
        0,
      )
    } catch (err) {
      if (!(err instanceof ServerError && err.code === ErrorCode.WRONG_QUERY_ID)) throw err
    }
  }

  #run<Row extends unknown[]>(params: SqlParameters | undefined, options: RequestOptions | undefined): Promise<SqlResult<Row>> {
    const id = this.#info.id
    const binds = params === undefined ? undefined : toBindArray(params)
    return this.#connection._callInStream(
      {
        type: RequestType.EXECUTE,
        readOnly: options?.readOnly ?? false,
        what: 'SQL execute (prepared)',
        binds,
        write(w) {
          w.map(binds === undefined ? 1 : 2)
          w.key(BodyKey.STMT_ID)
          w.uint(id)
          if (binds !== undefined) {
            w.key(BodyKey.SQL_BIND)
            w.value(binds)
          }
        },
        decode: decodeSqlResult as (body: ReplyBody) => SqlResult<Row>,
      },
      options,
      0,
    )
  }

  async #reprepare(options: RequestOptions | undefined): Promise<void> {
    const generation = this.#connection.generation
    this.#info = await this.#connection._prepare(this.sql, options)
    this.#generation = generation
  }
}

function isExpired(err: unknown): boolean {
  return err instanceof ServerError && (err.code === ErrorCode.WRONG_QUERY_ID || (err.code === ErrorCode.SQL_EXECUTE && /expired/i.test(err.message)))
}
