import type { Catalog } from './catalog.ts'
import { CrateError, parseError, relationUnknown, schemaUnknown } from './crate-error.ts'
import type { PgError } from './pglite-wire.ts'

/** What {@link crateErrorOf} needs to phrase an error like CrateDB. */
export interface ErrorContext {
  /** The statement as the client sent it (for syntax error positions). */
  readonly stmt: string
  /** The session's default schema (CrateDB names relations `schema.table`). */
  readonly schema: string
  readonly catalog: Catalog
}

/**
 * `true` for PostgreSQL errors CrateDB reports per row in a bulk response (runtime, not analysis,
 * https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-bulk-errors).
 */
export function isRowLevelError(error: PgError): boolean {
  if (error.code.startsWith('23') || error.code === STRICT_OBJECT_KEY) return true
  return error.code.startsWith('22') && !['22P02', '22007', '22008', '22003', '22P03'].includes(error.code)
}

/** SQLSTATE `crate_fn.strict_object` raises for a key an `OBJECT(STRICT)` column does not declare. */
const STRICT_OBJECT_KEY = 'CR043'

function qualify(name: string, schema: string): { schema: string; table: string } {
  const dot = name.lastIndexOf('.')
  return dot < 0 ? { schema, table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) }
}

/**
 * Maps a PostgreSQL error to the CrateDB error a real node would report
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-codes): duplicate key → 409/4091
 * `DuplicateKeyException`, unknown table → 404/4041 `RelationUnknown` (404/4045 `SchemaUnknownException` when the
 * schema does not exist), unknown column → 404/4043, table exists → 409/4093 `RelationAlreadyExists`, syntax →
 * 400/4000 `ParsingException`, a key an `OBJECT(STRICT)` column does not declare → 404/4043 `ColumnUnknownException`,
 * bad values and casts → 400/4000 `SQLParseException`, unknown function → 400/4004
 * `UnsupportedFunctionException`, and everything else → 500/5000. The PostgreSQL SQLSTATE and message go into
 * the error trace.
 *
 * @example
 * crateErrorOf(new PgError({ code: '42P01', message: 'relation "t" does not exist' }), context).crateMessage
 * // "RelationUnknown[Relation 'doc.t' unknown]"
 */
export function crateErrorOf(error: PgError, context: ErrorContext): CrateError {
  const trace = `PostgreSQL ${error.code}: ${error.message}${error.detail === undefined ? '' : ` (${error.detail})`}`
  const quoted = /"([^"]+)"/.exec(error.message)?.[1]
  switch (error.code) {
    case '23505':
      return new CrateError('DuplicateKeyException', 'A document with the same primary key exists already', 4091, { cause: error, trace })
    case '42P01': {
      const relation = /relation "([^"]+)"/.exec(error.message)?.[1] ?? quoted ?? '?'
      const { schema, table } = qualify(relation, context.schema)
      if (!context.catalog.hasSchema(schema)) return withTrace(schemaUnknown(schema), trace)
      return withTrace(relationUnknown(`${schema}.${table}`), trace)
    }
    case '3F000': {
      const schema = /schema "([^"]+)"/.exec(error.message)?.[1] ?? quoted ?? context.schema
      return withTrace(schemaUnknown(schema), trace)
    }
    case '42703': {
      const column = /column "?([^" ]+)"? (?:of relation|does not exist)/.exec(error.message)?.[1] ?? quoted ?? '?'
      const name = column.includes('.') ? column.slice(column.lastIndexOf('.') + 1) : column
      return new CrateError('ColumnUnknownException', `Column ${name} unknown`, 4043, { cause: error, trace })
    }
    case '42P07': {
      const { schema, table } = qualify(quoted ?? '?', context.schema)
      return new CrateError('RelationAlreadyExists', `Relation '${schema}.${table}' already exists.`, 4093, { cause: error, trace })
    }
    case '42P06':
      return new CrateError('SchemaAlreadyExistsException', `Schema '${quoted ?? '?'}' already exists`, 40910, { cause: error, trace })
    case '42601': {
      const near = /at or near "([^"]*)"/.exec(error.message)?.[1]
      let position = near === undefined ? -1 : context.stmt.toLowerCase().indexOf(near.toLowerCase())
      if (position < 0) position = 0
      const before = context.stmt.slice(0, position)
      const line = before.split('\n').length
      const column = position - (before.lastIndexOf('\n') + 1) + 1
      const detail = near === undefined ? error.message : near === '' ? `mismatched input '<EOF>'` : `mismatched input '${near}'`
      return new CrateError('ParsingException', `line ${line}:${column}: ${detail}`, 4000, { cause: error, trace })
    }
    case '42883':
      return new CrateError('UnsupportedFunctionException', `Unknown function: ${error.message.replace(/^(function|operator) /, '').replace(/ does not exist$/, '')}`, 4004, {
        cause: error,
        trace,
      })
    case '0A000':
      return new CrateError('UnsupportedFeatureException', error.message, 4004, { cause: error, trace })
    case '2BP01':
      return new CrateError('DependentObjectsExistException', error.message, 40013, { cause: error, trace })
    case '57014':
      return new CrateError('JobKilledException', 'Job killed', 5005, { cause: error, trace })
    case '23502': {
      const column = /column "([^"]+)"/.exec(error.message)?.[1] ?? quoted ?? '?'
      return parseError(`"${column}" must not be null`, { cause: error, trace })
    }
    case STRICT_OBJECT_KEY:
      // The message is CrateDB's own: `Column o['k'] unknown`.
      return new CrateError('ColumnUnknownException', error.message, 4043, { cause: error, trace })
    case '23514':
      return parseError(`Failed CHECK constraint(s): ${quoted ?? error.message}`, { cause: error, trace })
    default:
      if (error.code.startsWith('22') || error.code.startsWith('42')) {
        return parseError(error.message.replace(/^invalid input syntax for type (\S+): "(.*)"$/, 'Cannot cast value `$2` to type `$1`'), { cause: error, trace })
      }
      return new CrateError('SQLActionException', error.message, 5000, { cause: error, trace })
  }
}

function withTrace(error: CrateError, trace: string): CrateError {
  return new CrateError(error.exception, error.message, error.code, { trace })
}
