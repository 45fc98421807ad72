/**
 * Checks a column type as CrateDB spells it in DDL, so text given to the Drizzle column helpers (`array(inner)`,
 * `object({ columns })`) can only ever be a type and never add SQL.
 *
 * Follows the `dataType` rule of CrateDB's grammar (crate/crate
 * `libs/sql-parser/src/main/antlr/io/crate/sql/parser/antlr/SqlBaseParser.g4`):
 *
 * ```
 * dataType       : baseDataType ('(' integer (',' integer)* ')')?
 *                | OBJECT ('(' (DYNAMIC | STRICT | IGNORED) ')')? (AS '(' ident dataType (',' ident dataType)* ')')?
 *                | ARRAY '(' dataType ')'
 *                | dataType '[]'
 * baseDataType   : DOUBLE PRECISION | TIMESTAMP WITH[OUT] TIME ZONE | TIME WITH TIME ZONE | CHARACTER VARYING | ident
 * ```
 *
 * Stricter than the grammar in one way: the base type must be one of the names CrateDB knows
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html), case-insensitive, unquoted,
 * rather than any identifier. Sub-column names in `object ... as (...)` may be plain identifiers or
 * double-quoted (`""` for a quote inside).
 */

/** Type names and aliases CrateDB accepts (single- and multi-word; multi-word ones with single spaces). */
const KNOWN_TYPES = new Set([
  'boolean', 'byte', 'char', 'character', 'smallint', 'short', 'int2', 'integer', 'int', 'int4', 'bigint', 'long', 'int8',
  'real', 'float', 'float4', 'double', 'float8', 'double precision', 'numeric', 'decimal',
  'text', 'varchar', 'character varying', 'string', 'ip', 'bit', 'json',
  'timestamp', 'timestamptz', 'timestamp with time zone', 'timestamp without time zone', 'date', 'time with time zone', 'timetz', 'interval',
  'geo_point', 'geo_shape', 'float_vector',
])

/** A syntax error in a type, with the offset where the text stopped being a type. */
export class TypeSyntaxError extends Error {
  readonly offset: number

  constructor(message: string, offset: number) {
    super(message)
    this.offset = offset
  }
}

class TypeReader {
  readonly text: string
  i = 0

  constructor(text: string) {
    this.text = text
  }

  ws(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++
  }

  /** Consumes `ch` (after whitespace) when it is next. */
  eat(ch: string): boolean {
    this.ws()
    if (this.text.startsWith(ch, this.i)) {
      this.i += ch.length
      return true
    }
    return false
  }

  expect(ch: string, what: string): void {
    if (!this.eat(ch)) throw new TypeSyntaxError(`expected ${what}`, this.i)
  }

  /** The next bare word (letters, digits, `_`), lower-cased, without consuming it; '' when none. */
  peekWord(): string {
    this.ws()
    return /^[a-z_][a-z0-9_]*/i.exec(this.text.slice(this.i))?.[0].toLowerCase() ?? ''
  }

  word(): string {
    const w = this.peekWord()
    this.i += w.length
    return w
  }

  /** A sub-column name: a plain identifier or a double-quoted one. */
  ident(): void {
    this.ws()
    if (this.text[this.i] === '"') {
      const m = /^"(?:[^"]|"")+"/.exec(this.text.slice(this.i))
      if (m === null) throw new TypeSyntaxError('unterminated quoted column name', this.i)
      this.i += m[0].length
      return
    }
    if (this.word() === '') throw new TypeSyntaxError('expected a column name', this.i)
  }

  dataType(): void {
    const start = this.i
    const first = this.word()
    if (first === '') throw new TypeSyntaxError('expected a type name', this.i)
    if (first === 'array') {
      this.expect('(', "'(' after array")
      this.dataType()
      this.expect(')', "')' closing array(")
    } else if (first === 'object') {
      this.object()
    } else {
      let name = first
      // Multi-word names: take the following words while they extend a known name.
      for (;;) {
        const save = this.i
        const next = this.word()
        if (next === '' || ![...KNOWN_TYPES].some((t) => t === `${name} ${next}` || t.startsWith(`${name} ${next} `))) {
          this.i = save
          break
        }
        name = `${name} ${next}`
      }
      if (!KNOWN_TYPES.has(name)) throw new TypeSyntaxError(`unknown type ${JSON.stringify(name)}`, start)
      if (this.eat('(')) {
        do {
          this.ws()
          const m = /^\d+/.exec(this.text.slice(this.i))
          if (m === null) throw new TypeSyntaxError('expected a whole number as type parameter', this.i)
          this.i += m[0].length
        } while (this.eat(','))
        this.expect(')', "')' closing the type parameters")
      }
    }
    while (this.eat('[')) this.expect(']', "']' (only empty [] follow a type)")
  }

  object(): void {
    if (this.eat('(')) {
      const policy = this.word()
      if (!['dynamic', 'strict', 'ignored'].includes(policy)) throw new TypeSyntaxError('expected the object policy dynamic, strict or ignored', this.i)
      this.expect(')', "')' after the object policy")
    }
    if (this.peekWord() === 'as') {
      this.word()
      this.expect('(', "'(' after object ... as")
      do {
        this.ident()
        this.dataType()
      } while (this.eat(','))
      this.expect(')', "')' closing the object's columns")
    }
  }
}

/**
 * Throws unless `text` is exactly one CrateDB column type (see the grammar above), e.g. `text`,
 * `double precision`, `varchar(20)`, `numeric(10, 2)`, `array(object(strict) as ("a" text))`, `text[]`.
 *
 * @throws TypeSyntaxError naming what was expected and where (`offset`).
 */
export function checkCrateDBType(text: string): void {
  if (typeof text !== 'string') throw new TypeSyntaxError(`a type is a string, got ${typeof text}`, 0)
  const reader = new TypeReader(text)
  reader.dataType()
  reader.ws()
  if (reader.i !== text.length) throw new TypeSyntaxError(`unexpected ${JSON.stringify(text.slice(reader.i, reader.i + 20))} after the type`, reader.i)
}
