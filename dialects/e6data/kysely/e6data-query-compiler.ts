import { DefaultQueryCompiler, type LimitNode, type OffsetNode, type SelectQueryNode } from 'kysely'

/**
 * e6data SQL compiler: identifiers always double-quoted, `%s` placeholders (the connector's `pyformat` style,
 * bound client-side by `dialectry/e6data` with the engine's string-literal escaping, e6data/e6data-python-connector
 * `e6data_python_connector/e6data_grpc.py`), and the Presto/Trino clause order `OFFSET m LIMIT n` (e6data's SQL is
 * Presto-compatible; Trino's grammar takes OFFSET before LIMIT, https://trino.io/docs/current/sql/select.html).
 */
export class E6dataQueryCompiler extends DefaultQueryCompiler {
  /** The offset to write in front of the LIMIT of the select being compiled. */
  #offsetFirst: OffsetNode | undefined

  protected override getCurrentParameterPlaceholder(): string {
    return '%s'
  }

  protected override visitSelectQuery(node: SelectQueryNode): void {
    const saved = this.#offsetFirst
    if (node.limit !== undefined && node.offset !== undefined) {
      this.#offsetFirst = node.offset
      super.visitSelectQuery({ ...node, offset: undefined })
    } else {
      this.#offsetFirst = undefined
      super.visitSelectQuery(node)
    }
    this.#offsetFirst = saved
  }

  protected override visitLimit(node: LimitNode): void {
    const offset = this.#offsetFirst
    if (offset !== undefined) {
      this.#offsetFirst = undefined
      this.visitNode(offset)
      this.append(' ')
    }
    super.visitLimit(node)
  }
}
