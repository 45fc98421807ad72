import type { ColumnDefinition, CreateTableDefinition } from './create-table-translator.ts'
import type { QualifiedName } from './qualified-name.ts'

/** Options of `translateStatement`. */
export interface TranslateOptions {
  /** Schema of unqualified table names in DDL and `SHOW TABLES`; default `'doc'`. */
  readonly defaultSchema?: string
  /**
   * User columns of a table in table order (system columns excluded), or `undefined` when the table is unknown.
   * Used to expand `*` in SELECT lists (see `expandStars`) and to give `INSERT INTO t VALUES (…)` an
   * explicit column list, because the hidden system columns sit between user columns after
   * `ALTER TABLE … ADD COLUMN`.
   */
  readonly columnsOf?: (table: QualifiedName) => readonly string[] | undefined
  /**
   * Primary key columns of a table in key order (empty without a key), or `undefined` when the table is unknown.
   * Used to check optimistic concurrency control in UPDATE/DELETE (`_seq_no`/`_primary_term` next to equality on
   * the whole key, https://cratedb.com/docs/crate/reference/en/latest/general/occ.html); without it only the shape of
   * the WHERE clause is checked.
   */
  readonly primaryKeyOf?: (table: QualifiedName) => readonly string[] | undefined
  /**
   * Keep the markers after object sub-columns compared with parameters in `sql` (default `false`: they are
   * stripped and such sub-columns compare as text). The server keeps them and types each sub-column by the JSON
   * type of the bound value with `bindArgTypes` (`arg-typed-sql.ts`).
   */
  readonly argTypedSubscripts?: boolean
  /**
   * The refresh knob (https://cratedb.com/docs/crate/reference/en/latest/general/dql/refresh.html): `true` for the
   * tables whose rows searches may only see in their refreshed
   * version. When given, the reads of INSERT, UPDATE and DELETE that CrateDB runs as searches — the query of
   * INSERT … SELECT, subqueries, and the rows an UPDATE/DELETE without a primary-key filter (`pk = ?`, `pk IN (…)`,
   * `_id = ?` on every key column) selects — read such tables through `crate_sys.refreshed_rows(NULL::<table>)`
   * (row-level security as the searcher role, with the refreshed images of changed rows), and an UPDATE/DELETE
   * without a primary-key filter then changes the newest version of the rows found that way (`WHERE "_id" IN
   * (<search>)`). The statement has `refreshedReads: true` then. Without this option nothing is rewritten.
   */
  readonly refreshedReads?: (table: QualifiedName) => boolean
}

/**
 * A `WHERE col = value AND …` filter on one table, for the real-time primary-key lookup rule
 * (https://cratedb.com/docs/crate/reference/en/latest/general/dql/refresh.html).
 */
export interface EqualityFilter {
  readonly table: QualifiedName
  /**
   * Columns compared with `=` to a literal or parameter (or with `IN` to a list of them) in the top-level AND chain
   * of the WHERE clause.
   */
  readonly columns: readonly string[]
}

/** A statement PostgreSQL runs (after translation). */
export interface SqlStatement {
  readonly kind: 'sql'
  /** PostgreSQL text with `$n` placeholders. */
  readonly sql: string
  /** Highest placeholder number; the request must supply at least this many args. */
  readonly paramCount: number
  /** System columns (`_id`, `_seq_no`, …) the statement names; the others are dropped from its result. */
  readonly systemColumns: ReadonlySet<string>
  /** First keyword, upper case (`SELECT`, `INSERT`, `CREATE` …). */
  readonly verb: string
  /** `true` for CREATE/DROP/ALTER (the server reloads its catalog after them). */
  readonly ddl: boolean
  /** Set for single-table SELECTs with an equality filter. */
  readonly filter: EqualityFilter | undefined
  /** Schema to create first (CREATE VIEW/TABLE AS into a schema that does not exist yet). */
  readonly ensureSchema: string | undefined
  /**
   * CrateDB's names of the un-aliased SELECT list items (`o['a']`, `count(*)`, `(x + 1)`), which replace
   * PostgreSQL's (`count`, `?column?`); `undefined` entries for aliased items, `undefined` when the list has `*`
   * items.
   */
  readonly outputNames?: readonly (string | undefined)[] | undefined
  /** CrateDB types of SELECT list items PostgreSQL would type differently (see `selectOutputTypes`). */
  readonly outputTypes?: readonly (string | undefined)[] | undefined
  /**
   * `true` when the SQL reads tables through `crate_sys.refreshed_rows` (see `TranslateOptions.refreshedReads`): the
   * runner attaches the refreshed images of changed rows before it runs.
   */
  readonly refreshedReads?: boolean
}

/** A FETCH/MOVE direction in PostgreSQL's terms. */
export type FetchDirection =
  | { readonly type: 'forward'; readonly count: number } // count Infinity = ALL
  | { readonly type: 'backward'; readonly count: number }
  | { readonly type: 'absolute'; readonly position: number }
  | { readonly type: 'relative'; readonly offset: number }

/** Everything `translateStatement` can return. */
export type CrateStatement =
  | SqlStatement
  | { readonly kind: 'create-table'; readonly definition: CreateTableDefinition }
  | { readonly kind: 'create-table-as'; readonly table: QualifiedName; readonly ifNotExists: boolean; readonly query: SqlStatement }
  | { readonly kind: 'add-columns'; readonly table: QualifiedName; readonly columns: readonly ColumnDefinition[] }
  | { readonly kind: 'noop'; readonly rowcount: number }
  | { readonly kind: 'begin' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'kill'; readonly jobId: string | undefined }
  | { readonly kind: 'refresh' | 'optimize'; readonly tables: readonly QualifiedName[] }
  | { readonly kind: 'declare'; readonly name: string; readonly hold: boolean; readonly scroll: boolean; readonly query: SqlStatement }
  | { readonly kind: 'fetch'; readonly name: string; readonly direction: FetchDirection; readonly move: boolean }
  | { readonly kind: 'close'; readonly name: string | undefined }
  | { readonly kind: 'set'; readonly name: string; readonly values: readonly string[] }
  | { readonly kind: 'reset'; readonly name: string | undefined }
  | { readonly kind: 'show'; readonly name: string }
  | { readonly kind: 'create-blob-table'; readonly name: string; readonly ifNotExists: boolean }
  | { readonly kind: 'drop-blob-table'; readonly name: string; readonly ifExists: boolean }
