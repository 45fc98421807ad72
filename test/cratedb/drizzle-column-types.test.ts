import { pgTable, text } from 'drizzle-orm/pg-core'
import { describe, expect, it } from 'vitest'
import { array, object } from '../../dialects/cratedb/drizzle/index.ts'
import { CrateDBDialectError } from '../../dialects/cratedb/cratedb-dialect-errors.ts'

/** The DDL type drizzle-kit would write for a column built by `build`. */
function sqlType(build: () => unknown): string {
  const table = pgTable('t', { id: text('id'), c: build() as ReturnType<typeof text> })
  return table.c.getSQLType()
}

describe('Drizzle array()/object() accept only CrateDB types', () => {
  const hostile = [
    'object) ); DROP TABLE users; --',
    'array(text)); DROP TABLE users; --',
    'object as ("a" text); DROP TABLE users',
    'text; DROP TABLE users',
    'text DEFAULT 1',
    'array(text',
    'object(sneaky)',
    'varchar(10); --',
    'varchar(1 + 1)',
    '"array(text)"',
    'objectx',
    'arrays(text)',
    'text[',
    '',
  ]
  for (const type of hostile) {
    it(`array(${JSON.stringify(type)}) and object columns of that type throw INVALID_TYPE`, () => {
      for (const build of [() => array('items', type), () => object('o', { columns: { a: type } })]) {
        let err: unknown
        try {
          sqlType(build)
        } catch (e) {
          err = e
        }
        expect(err).toBeInstanceOf(CrateDBDialectError)
        expect(err).toMatchObject({ code: 'INVALID_TYPE', retryable: false })
      }
    })
  }

  it('accepts the types of CrateDB grammar: parameters, multi-word names, nested arrays and objects, []', () => {
    const ok = [
      'text',
      'TEXT',
      'double precision',
      'timestamp with time zone',
      'timestamp without time zone',
      'varchar(20)',
      'numeric(10, 2)',
      'float_vector(3)',
      'geo_point',
      'object',
      'object(strict)',
      'object(ignored) as ("a" text, b bigint, "q""uote" array(object(dynamic) as (x geo_shape)))',
      'array(array(bigint))',
      'array(object(strict) as (mag double precision))',
      'text[]',
      '  character varying ( 5 )  ',
    ]
    for (const type of ok) expect(sqlType(() => array('items', type))).toBe(`array(${type})`)
    expect(sqlType(() => object('o', { policy: 'strict', columns: { a: 'array(text)', b: 'object(dynamic) as (c int)' } }))).toBe(
      'object(strict) as ("a" array(text), "b" object(dynamic) as (c int))',
    )
  })
})
