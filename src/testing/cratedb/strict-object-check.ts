import { skipParens } from './crate-types.ts'
import { splitTopLevel } from './expression-translator.ts'
import { identifierName, keyword, quoteIdent, quoteLiteral, type SqlToken } from './sql-tokenizer.ts'

/**
 * The keys an `OBJECT(STRICT)` column accepts: each declared sub-column maps to `null` (any value) or, for a
 * sub-column that is itself `OBJECT(STRICT)`, to its own key map.
 */
type StrictKeys = { [key: string]: StrictKeys | null }

function isPunct(token: SqlToken | undefined, text: string): boolean {
  return token !== undefined && token.type === 'punct' && token.text === text
}

/**
 * The key map of the type starting at `tokens[from]` if it is `OBJECT(STRICT) [AS (…)]`, else `undefined`
 * (DYNAMIC and IGNORED objects, arrays of objects and every other type accept what they are given here).
 */
function strictKeys(tokens: readonly SqlToken[], from: number): StrictKeys | undefined {
  if (keyword(tokens[from]) !== 'OBJECT' || !isPunct(tokens[from + 1], '(') || keyword(tokens[from + 2]) !== 'STRICT') return undefined
  const keys: StrictKeys = {}
  const asAt = skipParens(tokens, from + 1)
  if (keyword(tokens[asAt]) !== 'AS' || !isPunct(tokens[asAt + 1], '(')) return keys
  const end = skipParens(tokens, asAt + 1)
  for (const [a] of splitTopLevel(tokens, asAt + 2, end - 1)) {
    const name = tokens[a]
    if (name === undefined || (name.type !== 'ident' && name.type !== 'qident')) continue
    keys[identifierName(name)] = strictKeys(tokens, a + 1) ?? null
  }
  return keys
}

/**
 * The PostgreSQL `CHECK` that makes an `OBJECT(STRICT)` column (jsonb here) refuse keys it does not declare, at any
 * depth of nested strict objects, as CrateDB's column policy does
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#object): the row fails with
 * `ColumnUnknownException[Column o['k'] unknown]` (404/4043, worded as crate/crate
 * `server/src/main/java/io/crate/exceptions/ColumnUnknownException.java` words it; `crate_fn.strict_object` raises
 * SQLSTATE `CR043`, which `crateErrorOf` maps). Arrays of strict objects are not checked. `undefined` for any
 * other column type.
 *
 * @example
 * strictObjectCheck('o', tokens, 1) // `CHECK (crate_fn.strict_object("o", '{"a":null}'::jsonb, 'o'))`
 */
export function strictObjectCheck(column: string, tokens: readonly SqlToken[], typeStart: number): string | undefined {
  const keys = strictKeys(tokens, typeStart)
  if (keys === undefined) return undefined
  return `CHECK (crate_fn.strict_object(${quoteIdent(column)}, ${quoteLiteral(JSON.stringify(keys))}::jsonb, ${quoteLiteral(column)}))`
}
