import { BodyKey, RequestType, TxnIsolation, type TxnIsolationName } from './iproto-constants.ts'
import { ConnectionError, InvalidArgumentError } from './errors.ts'
import { TarantoolRequests } from './request-methods.ts'
import type { Connection } from './connection.ts'
import type { RequestSpec } from './request-spec.ts'
import type { RequestOptions } from './request-options.ts'

/** Options of BEGIN (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/streams/). */
export interface BeginOptions extends RequestOptions {
  /** Seconds after which the server rolls the transaction back (IPROTO TIMEOUT); default: the server's. */
  transactionTimeout?: number
  /** Isolation level: `default`, `readCommitted`, `readConfirmed` or `bestEffort`. */
  isolation?: TxnIsolationName
}

/**
 * An IPROTO stream (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/streams/): requests sent through
 * it run one after another on the server, and it can hold
 * an interactive transaction (`begin`, requests, `commit` / `rollback`). Needs Tarantool 2.10+ with MVCC
 * (`memtx_use_mvcc_engine`) or vinyl. A stream belongs to one connection; if that connection drops, the
 * server rolls the transaction back and every later request of the stream fails with a {@link ConnectionError}.
 */
export class Stream extends TarantoolRequests {
  readonly id: number
  readonly #connection: Connection
  readonly #generation: number

  /** @internal Use `connection.stream()`. */
  constructor(connection: Connection, id: number) {
    super()
    this.#connection = connection
    this.id = id
    this.#generation = connection.generation
  }

  /** BEGIN a transaction in this stream. */
  begin(options?: BeginOptions): Promise<void> {
    const timeout = options?.transactionTimeout
    const isolation = options?.isolation === undefined ? undefined : TxnIsolation[options.isolation]
    if (options?.isolation !== undefined && isolation === undefined) {
      throw new InvalidArgumentError(`Unknown isolation ${JSON.stringify(options.isolation)}; use ${Object.keys(TxnIsolation).join(', ')}`)
    }
    return this._call(
      {
        type: RequestType.BEGIN,
        readOnly: false,
        what: 'begin',
        write(w) {
          w.map((timeout !== undefined ? 1 : 0) + (isolation !== undefined ? 1 : 0))
          if (timeout !== undefined) {
            w.key(BodyKey.TIMEOUT)
            w.double(timeout)
          }
          if (isolation !== undefined) {
            w.key(BodyKey.TXN_ISOLATION)
            w.uint(isolation)
          }
        },
        decode: () => undefined,
      },
      options,
    )
  }

  /** COMMIT the stream's transaction. */
  commit(options?: RequestOptions): Promise<void> {
    return this._call({ type: RequestType.COMMIT, readOnly: false, what: 'commit', write: (w) => w.map(0), decode: () => undefined }, options)
  }

  /** ROLLBACK the stream's transaction. */
  rollback(options?: RequestOptions): Promise<void> {
    return this._call({ type: RequestType.ROLLBACK, readOnly: false, what: 'rollback', write: (w) => w.map(0), decode: () => undefined }, options)
  }

  protected _call<T>(spec: RequestSpec<T>, options: RequestOptions | undefined): Promise<T> {
    if (this.#connection.generation !== this.#generation) {
      return Promise.reject(
        new ConnectionError(`Cannot send ${spec.what}: the connection of stream ${this.id} was re-established, and the server rolled its transaction back`, {
          code: 'STREAM_LOST',
          retryable: false,
        }),
      )
    }
    return this.#connection._callInStream(spec, options, this.id)
  }
}
