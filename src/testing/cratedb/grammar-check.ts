import { mismatchedInput } from './crate-error.ts'
import { keyword, type SqlToken } from './sql-tokenizer.ts'
import { isPunct } from './statement-helpers.ts'

/** Functions whose argument lists use FROM/FOR as keywords (`substring(x FROM 1 FOR 2)`, `extract(year FROM ts)`). */
const KEYWORD_ARGUMENT_FUNCTIONS: ReadonlySet<string> = new Set(['SUBSTRING', 'EXTRACT', 'TRIM', 'POSITION', 'OVERLAY'])
/** Keywords that end a FROM list at their parenthesis depth. */
const FROM_LIST_END: ReadonlySet<string> = new Set(['WHERE', 'GROUP', 'HAVING', 'WINDOW', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FOR', 'RETURNING', 'SET'])
const SET_OPERATIONS: ReadonlySet<string> = new Set(['UNION', 'INTERSECT', 'EXCEPT'])
const QUERY_VERBS: ReadonlySet<string> = new Set(['SELECT', 'VALUES', 'WITH'])
const QUERY_START = "{'SELECT', 'VALUES'}"

function isName(token: SqlToken | undefined): boolean {
  return token !== undefined && (token.type === 'ident' || token.type === 'qident')
}

/**
 * `true` when the `(` at `open` starts a bracketed query that stands where CrateDB's grammar wants a bare SELECT
 * (`querySpec`): at the start of the statement, right inside another `(`, or after a set operator.
 */
function bracketedQueryOperand(tokens: readonly SqlToken[], open: number): boolean {
  const first = tokens[open + 1]
  if (!QUERY_VERBS.has(keyword(first)) && !isPunct(first, '(')) return false
  const before = tokens[open - 1]
  return before === undefined || isPunct(before, '(') || SET_OPERATIONS.has(keyword(before)) || keyword(before) === 'ALL' || keyword(before) === 'DISTINCT'
}

/**
 * Rejects PostgreSQL syntax that CrateDB's grammar (`SqlBaseParser.g4`) does not have, with the
 * `ParsingException[line …: mismatched input '…' expecting …]` CrateDB answers (400/4000): row locks (`FOR UPDATE`,
 * `FOR SHARE`, `FOR NO KEY UPDATE`, `FOR KEY SHARE`), `DISTINCT ON`, `LATERAL`, `WITH RECURSIVE`, `AS [NOT]
 * MATERIALIZED`, data-modifying WITH (`WITH … INSERT/UPDATE/DELETE`, DML inside a CTE), bracketed set-operation
 * operands (`(SELECT …) UNION (SELECT …)`), `INTERSECT`/`EXCEPT` with `ALL` or `DISTINCT`, and chained
 * `INTERSECT`/`EXCEPT` (`a EXCEPT b EXCEPT c`; CrateDB only combines two plain queries with them). `UNION [ALL |
 * DISTINCT]` between plain queries is CrateDB syntax and passes.
 *
 * Works on tokens only, so nothing inside string literals, quoted identifiers or comments can trigger it.
 *
 * @param tokens significant tokens of one statement (no trailing `;`).
 * @param sql the statement text (for the line:column of the error).
 * @example
 * checkCrateGrammar(tokenize('select * from t for update').filter(isSignificant), 'select * from t for update')
 * // throws ParsingException[line 1:17: mismatched input 'for' expecting {<EOF>, ';'}]
 * @throws CrateError 400/4000 at the first token CrateDB's parser would stop at.
 */
export function checkCrateGrammar(tokens: readonly SqlToken[], sql: string): void {
  const reject = (token: SqlToken, expecting: string): never => {
    throw mismatchedInput(sql, token.start, token.text, expecting)
  }
  // One entry per open parenthesis level (index 0 = the statement itself).
  const openers: string[] = ['']
  const opens: number[] = [-1]
  const inFrom: boolean[] = [false]
  const lastSetOperation: string[] = ['']
  let lastClosed = -1
  if (keyword(tokens[0]) === 'WITH') {
    let depth = 0
    for (let i = 1; i < tokens.length; i++) {
      const t = tokens[i]!
      if (isPunct(t, '(')) depth++
      else if (isPunct(t, ')')) depth--
      else if (depth === 0 && ['SELECT', 'VALUES', 'INSERT', 'UPDATE', 'DELETE'].includes(keyword(t))) {
        if (!QUERY_VERBS.has(keyword(t))) reject(t, QUERY_START)
        break
      }
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    const prev = tokens[i - 1]
    const next = tokens[i + 1]
    const depth = openers.length - 1
    if (isPunct(t, '(') || isPunct(t, '[') || isPunct(t, '{')) {
      openers.push(isPunct(t, '(') ? keyword(prev) : t.text)
      opens.push(i)
      inFrom.push(false)
      lastSetOperation.push('')
      continue
    }
    if (isPunct(t, ')') || isPunct(t, ']') || isPunct(t, '}')) {
      if (openers.length > 1) {
        openers.pop()
        lastClosed = opens.pop()!
        inFrom.pop()
        lastSetOperation.pop()
      }
      continue
    }
    if (isPunct(t, ',') && inFrom[depth] === true && keyword(next) === 'LATERAL' && (isPunct(tokens[i + 2], '(') || isName(tokens[i + 2]))) {
      reject(next!, "{<identifier>, '('}")
    }
    const kw = keyword(t)
    if (kw === '') continue
    const inKeywordArguments = KEYWORD_ARGUMENT_FUNCTIONS.has(openers[depth]!)
    switch (kw) {
      case 'FOR': {
        const lock = keyword(next)
        const pgLock = lock === 'UPDATE' || lock === 'SHARE' || (lock === 'NO' && keyword(tokens[i + 2]) === 'KEY') || (lock === 'KEY' && keyword(tokens[i + 2]) === 'SHARE')
        if (lock === 'UPDATE' || (pgLock && !inKeywordArguments)) reject(t, "{<EOF>, ';'}")
        inFrom[depth] = false
        break
      }
      case 'DISTINCT':
        if (keyword(next) === 'ON' && keyword(prev) === 'SELECT') reject(next!, "{'*', <expression>}")
        break
      case 'FROM':
        if (keyword(prev) !== 'DISTINCT' && keyword(prev) !== 'DELETE' && !inKeywordArguments) inFrom[depth] = true
        break
      case 'LATERAL':
        if ((keyword(prev) === 'FROM' || keyword(prev) === 'JOIN') && (isPunct(next, '(') || isName(next))) reject(t, "{<identifier>, '('}")
        break
      case 'RECURSIVE':
        if (keyword(prev) === 'WITH') reject(t, '<identifier>')
        break
      case 'MATERIALIZED':
        if (isPunct(next, '(') && (keyword(prev) === 'AS' || (keyword(prev) === 'NOT' && keyword(tokens[i - 2]) === 'AS'))) reject(keyword(prev) === 'NOT' ? prev! : t, "'('")
        break
      case 'AS':
        if (isPunct(next, '(') && ['INSERT', 'UPDATE', 'DELETE'].includes(keyword(tokens[i + 2]))) reject(tokens[i + 2]!, QUERY_START)
        break
      case 'UNION':
      case 'INTERSECT':
      case 'EXCEPT': {
        inFrom[depth] = false
        let k = i + 1
        const quantifier = keyword(tokens[k])
        if (quantifier === 'ALL' || quantifier === 'DISTINCT') {
          if (kw !== 'UNION') reject(tokens[k]!, QUERY_START)
          k++
        }
        if (isPunct(tokens[k], '(')) reject(tokens[k]!, QUERY_START)
        if (isPunct(prev, ')') && lastClosed >= 0 && bracketedQueryOperand(tokens, lastClosed)) reject(t, "{<EOF>, ';'}")
        if (kw !== 'UNION' && (lastSetOperation[depth] === 'INTERSECT' || lastSetOperation[depth] === 'EXCEPT')) reject(t, "{<EOF>, ';', 'UNION'}")
        lastSetOperation[depth] = kw
        break
      }
      case 'ON':
        if (keyword(next) === 'CONFLICT') inFrom[depth] = false
        break
      default:
        if (FROM_LIST_END.has(kw)) inFrom[depth] = false
    }
  }
}
