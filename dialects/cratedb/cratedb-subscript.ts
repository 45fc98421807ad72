import { InvalidArgumentError } from '../../src/cratedb/errors.ts'

/**
 * One CrateDB subscript
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#data-types-objects): `['key']` for an
 * object key (a string literal, quotes doubled;
 * CrateDB takes no parameters inside subscripts) or `[n]` for a 1-based array position.
 *
 * @throws InvalidArgumentError (from `dialectry/cratedb`) for an array position that is not a positive integer.
 * @example
 * subscriptText('a')  // "['a']"
 * subscriptText(1)    // '[1]'
 */
export function subscriptText(key: string | number): string {
  if (typeof key === 'number') {
    if (!Number.isInteger(key) || key < 1) throw new InvalidArgumentError(`CrateDB array positions start at 1; got ${key}`)
    return `[${key}]`
  }
  return `['${key.replace(/'/g, "''")}']`
}

/** Appends {@link subscriptText} of `key` through `append` (the compiler's output). */
export function appendSubscript(append: (sql: string) => void, key: string | number): void {
  append(subscriptText(key))
}
