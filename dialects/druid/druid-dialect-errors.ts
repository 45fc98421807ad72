import { DruidError } from '../../src/druid/errors.ts'

/**
 * A statement other than SELECT, WITH … SELECT or EXPLAIN was about to be sent through the read-only Kysely
 * dialect or Drizzle driver; nothing was sent. Druid's SQL API only reads
 * (https://druid.apache.org/docs/latest/querying/sql); writes are SQL-based ingestion tasks — use the driver's
 * `client.ingest()` for INSERT/REPLACE. `code` is `READ_ONLY`.
 */
export class DruidReadOnlyError extends DruidError {
  /** The first keyword of the refused statement, e.g. `INSERT`. */
  readonly statement: string

  constructor(statement: string) {
    super(
      `Druid's query dialects are read-only: refused a ${statement || 'empty'} statement before sending it. Only SELECT, WITH … SELECT and EXPLAIN run on /druid/v2/sql; ` +
        `load data with SQL-based ingestion (client.ingest('INSERT INTO … PARTITIONED BY …')) from dialectry/druid.`,
      { code: 'READ_ONLY' },
    )
    this.statement = statement
  }
}

/** A Druid dialect feature that does not exist (transactions, migrations, DDL). `code` is `NOT_SUPPORTED`. */
export class DruidDialectNotSupportedError extends DruidError {
  constructor(what: string) {
    super(`Druid has no ${what}; the Druid dialects are read-only.`, { code: 'NOT_SUPPORTED' })
  }
}
