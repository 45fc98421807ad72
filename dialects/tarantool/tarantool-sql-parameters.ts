import { TarantoolDialectError } from './tarantool-dialect-errors.ts'

/**
 * Refuses JS `Date` SQL parameters.
 *
 * The driver encodes a `Date` as a DATETIME MsgPack extension. Tarantool before 2.10 has no SQL date type
 * and does not handle extension binds (tarantool/tarantool `src/box/bind.c` at 2.6.0): 2.6 crashes on one (verified:
 * SIGSEGV in
 * `sql_bind_column` on 2.6.0). A `Date` is also ambiguous for a query builder — the column may be STRING or
 * INTEGER — so it is refused before anything is sent, with the conversions that work. On Tarantool 2.10+,
 * bind a DATETIME deliberately with the driver's `Datetime` class, which is passed through.
 *
 * @param params the positional parameters of one statement.
 * @throws TarantoolDialectError (code `DATE_PARAMETER`) naming the 1-based parameter position.
 * @example
 * assertBindableParameters([1, 'a'])          // ok
 * assertBindableParameters([new Date()])      // throws TarantoolDialectError
 */
export function assertBindableParameters(params: readonly unknown[]): void {
  for (let i = 0; i < params.length; i++) {
    if (params[i] instanceof Date) {
      throw new TarantoolDialectError(
        `SQL parameter ${i + 1} is a Date. Tarantool before 2.10 has no SQL date type (and 2.6 crashes on the DATETIME ` +
          'extension bind). Pass date.toISOString() for a STRING column or date.getTime() for an INTEGER column ' +
          "(on 2.10+, the driver's Datetime for a DATETIME column).",
        'DATE_PARAMETER',
      )
    }
  }
}
