import { CrateError, parseError } from './crate-error.ts'
import type { ColType } from './result-encoding.ts'
import type { FetchDirection } from './statement-translator.ts'

/**
 * A cursor declared with `DECLARE name [NO] SCROLL CURSOR [WITH|WITHOUT HOLD] FOR <query>`
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/declare.html). The local
 * server runs the query at DECLARE and keeps the encoded rows in the session (PGlite has one connection, so a
 * cursor cannot hold an engine transaction open while other sessions work); FETCH then walks them with
 * PostgreSQL's position rules (before-first = 0, after-last = rows + 1).
 */
export class MaterializedCursor {
  readonly name: string
  readonly cols: readonly string[]
  readonly colTypes: readonly ColType[]
  /** Each row already encoded as a JSON array text. */
  readonly rows: readonly string[]
  readonly scroll: boolean
  readonly hold: boolean
  #position = 0

  constructor(init: { name: string; cols: readonly string[]; colTypes: readonly ColType[]; rows: readonly string[]; scroll: boolean; hold: boolean }) {
    this.name = init.name
    this.cols = init.cols
    this.colTypes = init.colTypes
    this.rows = init.rows
    this.scroll = init.scroll
    this.hold = init.hold
  }

  /**
   * Moves the cursor and returns the rows passed over (FETCH) — MOVE uses the same call and ignores them.
   * @throws CrateError 400/4000 when a NO SCROLL cursor is asked to move backward (CrateDB's
   *   `Cannot move backward if cursor was created with NO SCROLL`).
   */
  fetch(direction: FetchDirection): string[] {
    const n = this.rows.length
    const backward =
      direction.type === 'backward' ||
      (direction.type === 'relative' && direction.offset < 0) ||
      (direction.type === 'absolute' && (direction.position < 0 ? n + 1 + direction.position : direction.position) < this.#position)
    if (backward && !this.scroll) throw parseError('Cannot move backward if cursor was created with NO SCROLL')
    switch (direction.type) {
      case 'forward': {
        if (direction.count === 0) return this.#position >= 1 && this.#position <= n ? [this.rows[this.#position - 1]!] : []
        const start = this.#position
        const end = Math.min(n, start + direction.count)
        this.#position = start + direction.count > n ? n + 1 : start + direction.count
        return this.rows.slice(start, end)
      }
      case 'backward': {
        const out: string[] = []
        let p = this.#position
        for (let k = 0; k < direction.count && p > 1; k++) {
          p--
          out.push(this.rows[p - 1]!)
        }
        this.#position = this.#position - direction.count < 1 ? 0 : this.#position - direction.count
        return out
      }
      case 'absolute':
        return this.#moveTo(direction.position < 0 ? n + 1 + direction.position : direction.position)
      case 'relative':
        return this.#moveTo(this.#position + direction.offset)
    }
  }

  #moveTo(target: number): string[] {
    const n = this.rows.length
    this.#position = Math.max(0, Math.min(n + 1, target))
    return this.#position >= 1 && this.#position <= n ? [this.rows[this.#position - 1]!] : []
  }
}

/** `No cursor named `x` available` (IllegalArgumentException → 400/4000). */
export function noSuchCursor(name: string): CrateError {
  return parseError(`No cursor named \`${name}\` available`)
}
