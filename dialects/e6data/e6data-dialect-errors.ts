import { E6dataError } from '../../src/e6data/errors.ts'

/**
 * A statement other than one SELECT, WITH … SELECT, VALUES, EXPLAIN, DESCRIBE or SHOW was about to be sent through
 * the read-only e6data Kysely dialect or Drizzle driver; nothing was sent. e6data is a read-only analytics engine
 * (https://docs.e6data.com). `code` is `READ_ONLY`.
 */
export class E6dataReadOnlyError extends E6dataError {
  /** First keyword of the refused statement, e.g. `INSERT`; `MULTIPLE` for several statements. */
  readonly statement: string
  constructor(statement: string) {
    super(`The e6data dialects are read-only: refused a ${statement || 'empty'} statement before sending it. Only SELECT, WITH … SELECT, VALUES, EXPLAIN, DESCRIBE and SHOW run.`, {
      code: 'READ_ONLY',
    })
    this.statement = statement
  }
}

/** An e6data dialect feature that does not exist (transactions, migrations, DDL). `code` is `NOT_SUPPORTED`. */
export class E6dataDialectNotSupportedError extends E6dataError {
  constructor(what: string) {
    super(`e6data has no ${what}; the e6data dialects are read-only.`, { code: 'NOT_SUPPORTED' })
  }
}
