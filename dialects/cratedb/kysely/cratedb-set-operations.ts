import { SelectQueryNode, type SetOperationNode } from 'kysely'
import { CrateDBSyntaxNotSupportedError } from '../cratedb-dialect-errors.ts'

/**
 * Checks the set operations (`union`, `intersect`, `except`) of one Kysely SELECT against CrateDB's grammar
 * (`SqlBaseParser.g4`, rule `queryTerm`):
 *
 * ```
 * queryTerm : querySpec
 *           | querySpec (INTERSECT | EXCEPT) querySpec
 *           | queryTerm UNION (ALL | DISTINCT)? queryTerm
 * ```
 *
 * Kysely writes the operands without brackets (`select … union select …`), and its ORDER BY / LIMIT / OFFSET /
 * FETCH / WITH on the first query apply to the whole result, which is what CrateDB does too. What CrateDB cannot
 * express, or would read differently from PostgreSQL, is refused:
 *
 * - `intersectAll()` / `exceptAll()`: CrateDB has only the distinct forms (`ALL` exists for UNION alone);
 * - two INTERSECT/EXCEPT in a row (`a intersect b except c`): CrateDB's operands of INTERSECT/EXCEPT are single
 *   SELECTs, so it cannot parse them;
 * - EXCEPT after a UNION (`a union b except c`): PostgreSQL reads `(a union b) except c`, CrateDB
 *   `a union (b except c)` — the result would silently differ;
 * - an operand (the query passed to `union(…)` etc.) with its own ORDER BY, LIMIT, OFFSET, FETCH, WITH or set
 *   operations: without brackets they would apply to the whole query, and CrateDB accepts no brackets there.
 *
 * @throws CrateDBSyntaxNotSupportedError naming the construct.
 * @example
 * checkSetOperations(db.selectFrom('a').select('id').intersectAll(db.selectFrom('b').select('id')).toOperationNode())
 * // throws CrateDBSyntaxNotSupportedError: CrateDB does not support INTERSECT ALL / EXCEPT ALL. …
 */
export function checkSetOperations(node: SelectQueryNode): void {
  const operations = node.setOperations ?? []
  let previous: SetOperationNode['operator'] | undefined
  for (const operation of operations) {
    const { operator } = operation
    if (operation.all && operator !== 'union') {
      throw new CrateDBSyntaxNotSupportedError(
        'INTERSECT ALL / EXCEPT ALL',
        'CrateDB has only INTERSECT and EXCEPT without duplicates (ALL exists for UNION only): use intersect()/except(), or count duplicates with GROUP BY.',
      )
    }
    if (operator !== 'union' && previous !== undefined && previous !== 'union') {
      throw new CrateDBSyntaxNotSupportedError(
        'two INTERSECT/EXCEPT in a row',
        'CrateDB takes exactly one SELECT on each side of INTERSECT/EXCEPT: put one side into a subquery (selectFrom(sub.as(...))).',
      )
    }
    if (operator === 'except' && previous === 'union') {
      throw new CrateDBSyntaxNotSupportedError(
        'EXCEPT after UNION',
        'CrateDB binds EXCEPT tighter than UNION (a union b except c means a union (b except c)), unlike PostgreSQL: select from the union as a subquery and apply except() to that.',
      )
    }
    checkOperand(operation.expression)
    previous = operator
  }
}

function checkOperand(operand: SetOperationNode['expression']): void {
  if (!SelectQueryNode.is(operand)) return
  if (operand.orderBy !== undefined || operand.limit !== undefined || operand.offset !== undefined || operand.fetch !== undefined) {
    throw new CrateDBSyntaxNotSupportedError(
      'ORDER BY / LIMIT / OFFSET on one operand of a set operation',
      'CrateDB writes set-operation operands without brackets, so these would apply to the whole result: order and limit the whole query (after union(...)), or select from the limited query as a subquery.',
    )
  }
  if (operand.with !== undefined) {
    throw new CrateDBSyntaxNotSupportedError('WITH on one operand of a set operation', 'Put the common table expressions on the first query; they are visible to every operand.')
  }
  if (operand.setOperations !== undefined) {
    throw new CrateDBSyntaxNotSupportedError(
      'a set operation nested in an operand of another',
      'CrateDB takes no brackets around set-operation operands: chain the operations instead (a.union(b).union(c)), or select from the inner one as a subquery.',
    )
  }
}
