// The subset of the untyped `node-crate` package (CommonJS, v3.0) that the benchmark uses. The module exports one
// shared instance; `getNewInstance()` makes another.
declare module 'node-crate' {
  interface NodeCrateResult {
    cols: string[]
    col_types?: unknown[]
    rows: unknown[][]
    rowcount?: number
    duration: number
    results?: { rowcount: number; error?: { code: number; message: string } }[]
    /** Rows as objects keyed by column name; TIMESTAMP/TIMESTAMPTZ columns as Dates. Computed on first access. */
    readonly json: Record<string, unknown>[]
  }

  interface NodeCrate {
    /** `connect('http://host:port')` (space-separated URLs for several nodes) or `connect(host, port)`. */
    connect(url: string, port?: number): void
    execute(sql: string, args?: unknown[]): Promise<NodeCrateResult>
    executeBulk(sql: string, bulkArgs: unknown[][]): Promise<NodeCrateResult>
    getNewInstance(): NodeCrate
  }

  const crate: NodeCrate
  export default crate
}
