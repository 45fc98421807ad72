// The subset of the untyped `tarantool-driver` package (CommonJS, v3.1) that the benchmark uses.
declare module 'tarantool-driver' {
  interface TarantoolConnectionOptions {
    host?: string
    port?: number
    username?: string
    password?: string
    lazyConnect?: boolean
    retryStrategy?: (times: number) => number | null
  }

  class TarantoolConnection {
    constructor(options: TarantoolConnectionOptions)
    connect(): Promise<unknown>
    ping(): Promise<boolean>
    select(space: string | number, index: string | number, limit: number, offset: number, iterator: string, key: unknown[]): Promise<unknown[][]>
    insert(space: string | number, tuple: unknown[]): Promise<unknown[][]>
    sql(query: string, binds?: unknown[]): Promise<Record<string, unknown>[] | string>
    disconnect(): void
  }

  export default TarantoolConnection
}
