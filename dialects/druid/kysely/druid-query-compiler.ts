import { DefaultQueryCompiler } from 'kysely'

/**
 * Druid SQL (Calcite) compiler (https://druid.apache.org/docs/latest/querying/sql): identifiers always in double
 * quotes (Druid names are case-sensitive and may hold `-` or spaces), `?` dynamic parameters, `LIMIT n OFFSET m`.
 * Parameters stay plain JS values; the driver types them (Date → TIMESTAMP, bigint → exact BIGINT).
 */
export class DruidQueryCompiler extends DefaultQueryCompiler {
  protected override getCurrentParameterPlaceholder(): string {
    return '?'
  }
}
