import { translateExpression, type ExpressionScope } from './expression-translator.ts'
import { keyword, type SqlToken } from './sql-tokenizer.ts'
import type { SqlStatement } from './statement-types.ts'

/** `true` when `token` is the punctuation `text`. */
export function isPunct(token: SqlToken | undefined, text: string): boolean {
  return token !== undefined && token.type === 'punct' && token.text === text
}

/** Index of the first depth-0 token in `[from, to)` whose keyword is in `words`, or -1. */
export function findTopLevel(tokens: readonly SqlToken[], from: number, to: number, words: ReadonlySet<string>): number {
  let depth = 0
  for (let i = from; i < to; i++) {
    const t = tokens[i]!
    if (t.type === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++
    else if (t.type === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--
    else if (depth === 0 && words.has(keyword(t))) return i
  }
  return -1
}

/** Translates `tokens[from, to)` with {@link translateExpression} into an {@link SqlStatement}. */
export function sqlStatement(tokens: readonly SqlToken[], from: number, to: number, scope: ExpressionScope, extra: Partial<SqlStatement> = {}): SqlStatement {
  const sql = translateExpression(tokens, from, to, scope)
  const verb = keyword(tokens[from])
  return {
    kind: 'sql',
    sql,
    paramCount: scope.maxParam,
    systemColumns: scope.systemColumns,
    verb,
    ddl: verb === 'CREATE' || verb === 'DROP' || verb === 'ALTER',
    filter: undefined,
    ensureSchema: undefined,
    ...extra,
  }
}
