import { skipParens } from './crate-types.ts'
import { qualified, readQualifiedName, type QualifiedName } from './qualified-name.ts'
import { identifierName, keyword, quoteIdent, type SqlToken } from './sql-tokenizer.ts'
import { isPunct } from './statement-helpers.ts'

/** Functions whose argument lists use FROM as a keyword (`substring(x FROM 1)`, `extract(year FROM ts)`). */
const KEYWORD_ARGUMENT_FUNCTIONS: ReadonlySet<string> = new Set(['SUBSTRING', 'EXTRACT', 'TRIM', 'POSITION', 'OVERLAY'])
/** Keywords that end a FROM list at their parenthesis depth. */
const FROM_LIST_END: ReadonlySet<string> = new Set(['WHERE', 'GROUP', 'HAVING', 'WINDOW', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FOR', 'RETURNING', 'UNION', 'INTERSECT', 'EXCEPT', 'SET'])
/** Words after a relation that are not its alias. */
const NOT_ALIAS: ReadonlySet<string> = new Set([
  ...FROM_LIST_END,
  ...['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'OUTER', 'NATURAL', 'ON', 'USING', 'AS', 'SELECT', 'VALUES', 'WITH'],
])

function isName(token: SqlToken | undefined): boolean {
  return token !== undefined && (token.type === 'ident' || token.type === 'qident')
}

/** Unqualified names the statement defines as common table expressions (`WITH x AS (…), y (a, b) AS (…)`). */
function cteNames(tokens: readonly SqlToken[]): Set<string> {
  const names = new Set<string>()
  for (let i = 1; i < tokens.length; i++) {
    if (!isName(tokens[i]) || !(keyword(tokens[i - 1]) === 'WITH' || isPunct(tokens[i - 1], ','))) continue
    let k = i + 1
    if (isPunct(tokens[k], '(')) {
      try {
        k = skipParens(tokens, k)
      } catch {
        continue
      }
    }
    if (keyword(tokens[k]) === 'AS' && isPunct(tokens[k + 1], '(')) names.add(identifierName(tokens[i]!))
  }
  return names
}

/** The source text of `crate_sys.refreshed_rows(NULL::"schema"."table")`: the rows of `table` a search sees. */
export function refreshedRowsOf(table: QualifiedName): string {
  return `crate_sys.refreshed_rows(NULL::${qualified(table)})`
}

/**
 * Replaces every plain table in a FROM list or JOIN of `tokens` (subqueries included; not the table of `DELETE
 * FROM`) for which `refreshed` says so by `crate_sys.refreshed_rows(NULL::<table>)`, keeping its alias or aliasing it
 * by its own name, so that the statement reads those tables like a search does under the refresh knob. Names of
 * common table expressions and table functions are left alone. The replacements are synthetic identifier tokens.
 *
 * @param tokens significant tokens of one statement.
 * @example
 * refreshedFromLists(tokenize('insert into t select * from u where x = 1').filter(isSignificant), 'doc', () => true).tokens.map((t) => t.text).join(' ')
 * // 'insert into t select * from crate_sys.refreshed_rows(NULL::"doc"."u") AS "u" where x = 1'
 */
export function refreshedFromLists(
  tokens: readonly SqlToken[],
  defaultSchema: string,
  refreshed: (table: QualifiedName) => boolean,
): { tokens: SqlToken[]; changed: boolean } {
  const ctes = cteNames(tokens)
  const out: SqlToken[] = []
  const openers: string[] = ['']
  const inFrom: boolean[] = [false]
  let expectRelation = false
  let changed = false
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    const prev = tokens[i - 1]
    const depth = openers.length - 1
    if (expectRelation) {
      expectRelation = false
      if (isName(t) && !NOT_ALIAS.has(keyword(t))) {
        let read: ReturnType<typeof readQualifiedName> | undefined
        try {
          read = readQualifiedName(tokens, i, defaultSchema)
        } catch {
          read = undefined
        }
        const cte = read !== undefined && read.next === i + 1 && ctes.has(read.name.name)
        if (read !== undefined && !cte && !isPunct(tokens[read.next], '(') && refreshed(read.name)) {
          out.push({ type: 'ident', text: refreshedRowsOf(read.name), start: t.start })
          const after = tokens[read.next]
          const aliased = keyword(after) === 'AS' || after?.type === 'qident' || (after?.type === 'ident' && !NOT_ALIAS.has(keyword(after)))
          if (!aliased) out.push({ type: 'ident', text: 'AS', start: t.start }, { type: 'qident', text: quoteIdent(read.name.name), start: t.start })
          changed = true
          i = read.next - 1
          continue
        }
      }
    }
    out.push(t)
    if (isPunct(t, '(') || isPunct(t, '[') || isPunct(t, '{')) {
      openers.push(isPunct(t, '(') ? keyword(prev) : t.text)
      inFrom.push(false)
      continue
    }
    if (isPunct(t, ')') || isPunct(t, ']') || isPunct(t, '}')) {
      if (openers.length > 1) {
        openers.pop()
        inFrom.pop()
      }
      continue
    }
    if (isPunct(t, ',')) {
      if (inFrom[depth] === true) expectRelation = true
      continue
    }
    const kw = keyword(t)
    if (kw === 'FROM') {
      if (keyword(prev) !== 'DISTINCT' && keyword(prev) !== 'DELETE' && !KEYWORD_ARGUMENT_FUNCTIONS.has(openers[depth]!)) {
        inFrom[depth] = true
        expectRelation = true
      }
    } else if (kw === 'JOIN') {
      if (inFrom[depth] === true) expectRelation = true
    } else if (FROM_LIST_END.has(kw) || (kw === 'ON' && keyword(tokens[i + 1]) === 'CONFLICT')) {
      inFrom[depth] = false
    }
  }
  return { tokens: out, changed }
}
