/** What one read-only system accepts, for {@link createReadOnlyGuard}. */
export interface ReadOnlyGuardOptions {
  /** First keywords (upper-case) of the statements the system runs as queries, e.g. `['SELECT', 'WITH', 'EXPLAIN']`. */
  readonly readKinds: readonly string[]
  /** Keywords (upper-case) that make a `WITH … ( … ) <keyword>` statement a write, e.g. `['INSERT', 'DELETE']`. */
  readonly writeKeywords: readonly string[]
  /** `true` when a backslash escapes the next character inside `'…'` literals (Presto/Hive-style). Default `false`. */
  readonly backslashEscapes?: boolean
  /** Builds the system's own error for a refused statement kind (`INSERT`, `MULTIPLE`, `WITH … DELETE`, `''` for empty). */
  readonly refuse: (statement: string) => Error
}

/**
 * First keyword of `sql` after whitespace, `--` and `/* … *\/` comments and opening parentheses, upper-case; `''`
 * when there is none.
 *
 * @example firstKeyword('/* hi *\/ (select 1)') // 'SELECT'
 */
export function firstKeyword(sql: string): string {
  const s = sql.replace(/^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/, '')
  return (/^[A-Za-z]+/.exec(s)?.[0] ?? '').toUpperCase()
}

/**
 * `true` when `sql` holds a `;` outside string literals, double-quoted identifiers and comments that is followed by
 * more text (a second statement).
 */
export function hasSecondStatement(sql: string, backslashEscapes = false): boolean {
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql[i]!
    if (c === "'" || c === '"') {
      let j = i + 1
      while (j < n && sql[j] !== c) j += backslashEscapes && c === "'" && sql[j] === '\\' ? 2 : 1
      i = j + 1
      continue
    }
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end < 0 ? n : end + 1
      continue
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
      continue
    }
    if (c === ';') return sql.slice(i + 1).trim() !== ''
    i++
  }
  return false
}

/** A system's read-only checks, built by {@link createReadOnlyGuard}. */
export interface ReadOnlyGuard {
  /** Throws the system's error unless `sql` is one read statement. */
  sql(sql: string): void
  /**
   * Throws the system's error unless a Kysely compiled query's root node is a select (kysely-org/kysely
   * `src/readonly/readonly-compiled-query.ts`, `isReadonlyCompiledQuery`) or raw `sql`, and its text passes {@link ReadOnlyGuard.sql}.
   */
  compiled(query: { readonly sql: string; readonly query: { readonly kind: string } }): void
}

/** Root operation-node kinds a read-only Kysely connection accepts: selects, and raw `sql` (checked as text). */
const READ_ROOT_KINDS = new Set(['SelectQueryNode', 'RawNode'])

/**
 * Builds a system's read-only checks: they refuse, before anything is sent, every statement whose first keyword is
 * not in `readKinds`, several statements, a `WITH` whose main statement is one of `writeKeywords`, and (for Kysely)
 * every root node but a select or raw SQL. Applied to SQL text, so raw `sql` and Drizzle's `db.execute()` are
 * checked too.
 *
 * @param options the accepted statement kinds, the write keywords and the system's error.
 * @returns the checks; they throw `options.refuse(kind)` (`kind` is `MULTIPLE` for several statements, `INSERT`,
 *   `DELETE`, `CREATE TABLE`, ... for a refused Kysely root node).
 * @example
 * const guard = createReadOnlyGuard({ readKinds: ['SELECT'], writeKeywords: ['INSERT'], refuse: (k) => new Error(k) })
 * guard.sql('DELETE FROM t') // throws Error('DELETE')
 */
export function createReadOnlyGuard(options: ReadOnlyGuardOptions): ReadOnlyGuard {
  const readKinds = new Set(options.readKinds)
  const withWrite = new RegExp(`\\)\\s*(${options.writeKeywords.join('|')})\\b`, 'i')
  const backslashEscapes = options.backslashEscapes === true
  const checkSql = (sql: string): void => {
    const kind = firstKeyword(sql)
    if (!readKinds.has(kind)) throw options.refuse(kind)
    if (hasSecondStatement(sql, backslashEscapes)) throw options.refuse('MULTIPLE')
    const dml = kind === 'WITH' ? withWrite.exec(sql) : null
    if (dml !== null) throw options.refuse(`WITH … ${dml[1]!.toUpperCase()}`)
  }
  return {
    sql: checkSql,
    compiled(query) {
      const kind = query.query.kind
      if (!READ_ROOT_KINDS.has(kind)) throw options.refuse(kind.replace(/(?:Query)?Node$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase())
      checkSql(query.sql)
    },
  }
}
