/**
 * Statement classification for the re-send rule: a statement whose connection broke after it was sent may have
 * executed, so only statements that cannot change data are sent again automatically.
 */

const READ_KEYWORDS = new Set(['select', 'show', 'explain', 'values', 'with'])

/** The first keyword of `sql`, lower case, after whitespace, comments and opening parentheses. */
export function firstKeyword(sql: string): string {
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x28 /* ( */) {
      i++
    } else if (c === 0x2d && sql.charCodeAt(i + 1) === 0x2d) {
      const end = sql.indexOf('\n', i)
      i = end < 0 ? n : end + 1
    } else if (c === 0x2f && sql.charCodeAt(i + 1) === 0x2a) {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
    } else {
      break
    }
  }
  let j = i
  while (j < n) {
    const c = sql.charCodeAt(j) | 0x20
    if (c < 0x61 || c > 0x7a) break
    j++
  }
  return sql.slice(i, j).toLowerCase()
}

/**
 * `true` for statements that only read: SELECT, SHOW, EXPLAIN, VALUES and WITH (CrateDB has no data-modifying
 * CTEs). These are re-sent to another node when a connection breaks mid-request; everything else (INSERT,
 * UPDATE, DELETE, DDL, COPY, REFRESH, KILL, SET, FETCH, ...) is not, unless the caller marks it idempotent.
 */
export function isReadOnlyStatement(sql: string): boolean {
  return READ_KEYWORDS.has(firstKeyword(sql))
}
