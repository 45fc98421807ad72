/** One stored blob. */
export interface StoredBlob {
  readonly data: Buffer
  /** Epoch ms of the upload. */
  readonly lastModified: number
}

/**
 * In-memory blob tables (https://cratedb.com/docs/crate/reference/en/latest/general/blobs.html), shared by every node
 * of a local server: table name → SHA-1 hex digest →
 * bytes. The `blob.<table>` relation that SQL sees (`digest`, `last_modified`) is kept in PGlite by the server.
 */
export class BlobStore {
  readonly #tables = new Map<string, Map<string, StoredBlob>>()

  /** `true` when the blob table exists. */
  has(table: string): boolean {
    return this.#tables.has(table)
  }

  /** Creates an empty blob table; `false` when it already exists. */
  create(table: string): boolean {
    if (this.#tables.has(table)) return false
    this.#tables.set(table, new Map())
    return true
  }

  /** Drops a blob table and its blobs; `false` when it does not exist. */
  drop(table: string): boolean {
    return this.#tables.delete(table)
  }

  /** The blob, or `undefined` when the table or the digest is unknown. */
  get(table: string, digest: string): StoredBlob | undefined {
    return this.#tables.get(table)?.get(digest)
  }

  /** Stores a blob; `false` when that digest exists already. The table must exist. */
  put(table: string, digest: string, data: Buffer): boolean {
    const blobs = this.#tables.get(table)
    if (blobs === undefined || blobs.has(digest)) return false
    blobs.set(digest, { data, lastModified: Date.now() })
    return true
  }

  /** Deletes a blob; `false` when it did not exist. */
  delete(table: string, digest: string): boolean {
    return this.#tables.get(table)?.delete(digest) ?? false
  }
}
