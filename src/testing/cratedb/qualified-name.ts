import { parseError } from './crate-error.ts'
import { identifierName, quoteIdent, type SqlToken } from './sql-tokenizer.ts'

/** `schema.name` of a relation; `schema` is already resolved against the session's default schema. */
export interface QualifiedName {
  readonly schema: string
  readonly name: string
}

/** Name of an identifier token, or a 400/4000 error naming what was expected. */
export function expectName(token: SqlToken | undefined, what: string): string {
  if (token === undefined || (token.type !== 'ident' && token.type !== 'qident')) throw parseError(`expected ${what}`)
  return identifierName(token)
}

function isPunct(token: SqlToken | undefined, text: string): boolean {
  return token !== undefined && token.type === 'punct' && token.text === text
}

/**
 * Reads `name` or `schema.name` at `tokens[index]`.
 * @throws CrateError (400/4000) when no identifier is there.
 */
export function readQualifiedName(tokens: readonly SqlToken[], index: number, defaultSchema: string): { name: QualifiedName; next: number } {
  const first = expectName(tokens[index], 'a table name')
  if (isPunct(tokens[index + 1], '.')) {
    return { name: { schema: first, name: expectName(tokens[index + 2], 'a table name after the schema') }, next: index + 3 }
  }
  return { name: { schema: defaultSchema, name: first }, next: index + 1 }
}

/** `"schema"."name"`. */
export function qualified(name: QualifiedName): string {
  return `${quoteIdent(name.schema)}.${quoteIdent(name.name)}`
}
