import { randomUUID } from 'node:crypto'
import type { MaterializedCursor } from './materialized-cursor.ts'

/**
 * The SQL session of one HTTP connection (crate/crate `server/src/main/java/io/crate/rest/action/SqlHttpHandler.java`):
 * created on the first request of a TCP connection (or when
 * the authenticated user changes), it reads `Default-Schema` only then, and keeps the search path, `SET` values,
 * the BEGIN state and declared cursors until the connection closes.
 */
export class HttpSession {
  /** Session id (as `sys.jobs.session_id`). */
  readonly id = randomUUID()
  /** Authenticated user name (`crate` without authentication). */
  readonly user: string
  /** Search path; the first entry is the default schema for unqualified names. */
  searchPath: string[]
  /** Values of `SET name = value` (names lower case). */
  readonly settings = new Map<string, string>()
  /** `true` between BEGIN and COMMIT (no-ops, except that COMMIT closes WITHOUT HOLD cursors). */
  inTransaction = false
  readonly cursors = new Map<string, MaterializedCursor>()

  /**
   * @param user authenticated user.
   * @param defaultSchema the `Default-Schema` header of the request that created the session; default `doc`.
   */
  constructor(user: string, defaultSchema: string | undefined) {
    this.user = user
    this.searchPath = [defaultSchema === undefined || defaultSchema === '' ? 'doc' : defaultSchema]
  }

  /** The default schema (first entry of the search path). */
  get schema(): string {
    return this.searchPath[0] ?? 'doc'
  }

  /** Drops every cursor (the connection closed). */
  close(): void {
    this.cursors.clear()
  }
}
