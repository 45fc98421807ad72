import { readQualifiedName, type QualifiedName } from './qualified-name.ts'
import { identifierName, keyword, quoteIdent, type SqlToken } from './sql-tokenizer.ts'

const SELECT_LIST_END = new Set(['FROM', 'WHERE', 'GROUP', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'EXCEPT', 'INTERSECT', 'HAVING', 'INTO', 'FETCH', 'WINDOW', 'FOR'])
const FROM_END = new Set(['WHERE', 'GROUP', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'EXCEPT', 'INTERSECT', 'HAVING', 'FETCH', 'WINDOW', 'FOR', 'RETURNING'])
const JOIN_WORDS = new Set(['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'OUTER'])
const NOT_ALIAS = new Set([...FROM_END, ...JOIN_WORDS, 'ON', 'USING', 'NATURAL', 'AS', 'LATERAL'])

interface Relation {
  /** Name the relation's columns are qualified with in the output (alias, else the table name). */
  readonly qualifier: string
  readonly table: QualifiedName
  readonly columns: readonly string[]
}

function isPunct(token: SqlToken | undefined, text: string): boolean {
  return token !== undefined && token.type === 'punct' && token.text === text
}

function depthDelta(token: SqlToken): number {
  if (token.type !== 'punct') return 0
  if (token.text === '(' || token.text === '[' || token.text === '{') return 1
  if (token.text === ')' || token.text === ']' || token.text === '}') return -1
  return 0
}

/** Index of the first token at depth 0 (relative to `from`) whose keyword is in `words`, or where the enclosing
 * parenthesis closes, or `tokens.length`. */
function scanTo(tokens: readonly SqlToken[], from: number, words: ReadonlySet<string>): number {
  let depth = 0
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!
    if (depth === 0 && (words.has(keyword(t)) || isPunct(t, ';'))) return i
    depth += depthDelta(t)
    if (depth < 0) return i
  }
  return tokens.length
}

/** The plain tables of a FROM clause (`t [AS] a, u JOIN v ON …`), or `undefined` when anything else is there. */
function fromRelations(
  tokens: readonly SqlToken[],
  from: number,
  end: number,
  defaultSchema: string,
  columnsOf: (table: QualifiedName) => readonly string[] | undefined,
): Relation[] | undefined {
  const relations: Relation[] = []
  let i = from
  while (i < end) {
    const t = tokens[i]
    if (t === undefined || (t.type !== 'ident' && t.type !== 'qident') || NOT_ALIAS.has(keyword(t))) return undefined
    let read: ReturnType<typeof readQualifiedName>
    try {
      read = readQualifiedName(tokens, i, defaultSchema)
    } catch {
      return undefined
    }
    if (isPunct(tokens[read.next], '(')) return undefined // a table function
    const columns = columnsOf(read.name)
    if (columns === undefined) return undefined
    i = read.next
    let qualifier = read.name.name
    if (keyword(tokens[i]) === 'AS') i++
    const alias = tokens[i]
    if (i < end && alias !== undefined && (alias.type === 'qident' || (alias.type === 'ident' && !NOT_ALIAS.has(keyword(alias))))) {
      qualifier = identifierName(alias)
      i++
    }
    relations.push({ qualifier, table: read.name, columns })
    if (i >= end) break
    if (isPunct(tokens[i], ',')) {
      i++
      continue
    }
    if (keyword(tokens[i]) === 'ON') {
      i = scanTo(tokens, i + 1, new Set([...JOIN_WORDS, 'NATURAL', 'USING', ...FROM_END]))
      if (isPunct(tokens[i], ',')) i++
      if (i >= end) break
    }
    if (!JOIN_WORDS.has(keyword(tokens[i]))) return undefined
    while (JOIN_WORDS.has(keyword(tokens[i])) && keyword(tokens[i]) !== 'JOIN') i++
    if (keyword(tokens[i]) !== 'JOIN') return undefined
    i++
  }
  return relations.length > 0 ? relations : undefined
}

function columnTokens(relations: readonly Relation[], start: number, qualified: boolean): SqlToken[] {
  const out: SqlToken[] = []
  for (const r of relations) {
    for (const c of r.columns) {
      if (out.length > 0) out.push({ type: 'punct', text: ',', start })
      const text = qualified || relations.length > 1 ? `${quoteIdent(r.qualifier)}.${quoteIdent(c)}` : quoteIdent(c)
      out.push({ type: 'ident', text, start })
    }
  }
  return out
}

/**
 * Replaces `*` and `alias.*` in every SELECT list (subqueries included) whose FROM clause names only plain tables
 * with known columns by those columns, so that the hidden system columns never reach `SELECT *`,
 * `INSERT … SELECT *` or `CREATE VIEW … AS SELECT *`. Anything this cannot see through (subqueries in FROM,
 * table functions, NATURAL/USING joins, unknown relations) is left for the result filter.
 *
 * @param tokens significant tokens of one statement.
 * @param columnsOf user columns of a table in table order, `undefined` for relations to leave alone.
 * @example
 * expandStars(tokenize('select * from t').filter(isSignificant), 'doc', () => ['a', 'b']).map((t) => t.text)
 * // ['select', '"a"', ',', '"b"', 'from', 't']
 */
export function expandStars(tokens: readonly SqlToken[], defaultSchema: string, columnsOf: (table: QualifiedName) => readonly string[] | undefined): SqlToken[] {
  let result = [...tokens]
  for (let i = 0; i < result.length; i++) {
    if (keyword(result[i]) !== 'SELECT') continue
    let start = i + 1
    if (keyword(result[start]) === 'DISTINCT' || keyword(result[start]) === 'ALL') start++
    const listEnd = scanTo(result, start, SELECT_LIST_END)
    if (keyword(result[listEnd]) !== 'FROM') continue
    const list = result.slice(start, listEnd)
    if (!list.some((t) => t.type === 'op' && t.text === '*')) continue
    const fromEnd = scanTo(result, listEnd + 1, FROM_END)
    const relations = fromRelations(result, listEnd + 1, fromEnd, defaultSchema, columnsOf)
    if (relations === undefined) continue
    const replaced: SqlToken[] = []
    let depth = 0
    let itemStart = 0
    const flush = (itemEnd: number): boolean => {
      const item = list.slice(itemStart, itemEnd)
      const star = item.length > 0 && item[item.length - 1]!.type === 'op' && item[item.length - 1]!.text === '*'
      if (star && item.length === 1) replaced.push(...columnTokens(relations, item[0]!.start, false))
      else if (star && item.length >= 3 && isPunct(item[item.length - 2], '.')) {
        const name = identifierName(item[item.length - 3]!)
        const schema = item.length === 5 ? identifierName(item[0]!) : undefined
        const match = relations.filter((r) => r.qualifier === name && (schema === undefined || r.table.schema === schema))
        if (match.length !== 1) return false
        replaced.push(...columnTokens(match, item[0]!.start, true))
      } else replaced.push(...item)
      return true
    }
    let ok = true
    for (let k = 0; k < list.length && ok; k++) {
      const t = list[k]!
      depth += depthDelta(t)
      if (depth === 0 && isPunct(t, ',')) {
        ok = flush(k)
        replaced.push(t)
        itemStart = k + 1
      }
    }
    if (ok) ok = flush(list.length)
    if (!ok) continue
    result = [...result.slice(0, start), ...replaced, ...result.slice(listEnd)]
    i = start + replaced.length - 1
  }
  return result
}
