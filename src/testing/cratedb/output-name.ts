import { formatTokens, splitTopLevel } from './expression-translator.ts'
import { identifierName, keyword, quoteLiteral, stringValue, type SqlToken } from './sql-tokenizer.ts'
import { isPunct } from './statement-helpers.ts'

/**
 * The name CrateDB gives an un-aliased SELECT item, as its `OutputNameFormatter` prints the expression
 * (crate/crate `server/src/main/java/io/crate/analyze/OutputNameFormatter.java` over
 * `libs/sql-parser/src/main/java/io/crate/sql/ExpressionFormatter.java`): column references by their last name part
 * (`t.x` → `x`), function names lower-cased with `, ` between arguments and `count()` as `count(*)`, string
 * literals single-quoted, decimal literals as Java prints a double (`2.50` → `2.5`, `1e7` → `1.0E7`), parameters
 * as `$n`, casts as `CAST(x AS type)`, every binary operation and predicate in parentheses (`(x + 1)`,
 * `(a IS NULL)`, `(x IN (1, 2))`), except `x = ANY(a)`, negation as `- x`. `firstParam` is the number of the
 * first `?` in the item. Expressions it does not know (CASE, subqueries, window functions) keep their source text.
 *
 * @example
 * outputName(tokenize('AVG(t."delay")').filter(isSignificant)) // 'avg(delay)'
 */
export function outputName(tokens: readonly SqlToken[], firstParam = 1): string {
  try {
    const parser = new NameParser(tokens, firstParam)
    const name = parser.expression(0)
    if (parser.at === tokens.length) return name
  } catch {
    // not an expression this formatter knows
  }
  return formatTokens(tokens)
}

/** Binary operators and predicates by precedence (higher binds tighter). */
const BINARY: Record<string, number> = { OR: 1, AND: 2, '=': 4, '<>': 4, '!=': 4, '<': 4, '>': 4, '<=': 4, '>=': 4, '||': 5, '+': 6, '-': 6, '*': 7, '/': 7, '%': 7 }
const PREDICATES = new Set(['IS', 'IN', 'LIKE', 'ILIKE', 'BETWEEN', 'NOT'])
const PARENTHESIS_LESS = new Set(['CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURRENT_SCHEMA', 'CURRENT_USER', 'CURRENT_ROLE', 'USER', 'SESSION_USER', 'CURRENT_CATALOG'])

class Unsupported extends Error {}

class NameParser {
  at = 0
  readonly #tokens: readonly SqlToken[]
  #param: number

  constructor(tokens: readonly SqlToken[], firstParam: number) {
    this.#tokens = tokens
    this.#param = firstParam
  }

  #peek(offset = 0): SqlToken | undefined {
    return this.#tokens[this.at + offset]
  }

  #expect(text: string): void {
    if (!isPunct(this.#peek(), text) && keyword(this.#peek()) !== text) throw new Unsupported(text)
    this.at++
  }

  expression(min: number): string {
    let left = this.#unary()
    for (;;) {
      const t = this.#peek()
      if (t === undefined) return left
      const kw = keyword(t)
      const op = t.type === 'op' ? t.text : kw
      if (PREDICATES.has(kw) && min < 4) {
        left = this.#predicate(left)
        continue
      }
      const prec = t.type === 'op' || kw === 'AND' || kw === 'OR' ? BINARY[op] : undefined
      if (prec === undefined || prec <= min) return left
      this.at++
      const quantifier = keyword(this.#peek())
      if ((quantifier === 'ANY' || quantifier === 'SOME' || quantifier === 'ALL') && isPunct(this.#peek(1), '(')) {
        this.at += 2
        const array = this.expression(0)
        this.#expect(')')
        left = `${left} ${op === '!=' ? '<>' : op} ${quantifier}(${array})`
        continue
      }
      const right = this.expression(prec)
      left = `(${left} ${op === '!=' ? '<>' : op} ${right})`
    }
  }

  #predicate(left: string): string {
    const not = keyword(this.#peek()) === 'NOT' ? (this.at++, 'NOT ') : ''
    const kw = keyword(this.#peek())
    this.at++
    if (kw === 'IS') {
      const isNot = keyword(this.#peek()) === 'NOT' ? (this.at++, ' NOT') : ''
      this.#expect('NULL')
      return `(${left} IS${isNot} NULL)`
    }
    if (kw === 'IN') {
      this.#expect('(')
      const items = this.#list(')')
      return not === '' ? `(${left} IN (${items}))` : `(NOT (${left} IN (${items})))`
    }
    if (kw === 'BETWEEN') {
      const low = this.expression(4)
      this.#expect('AND')
      const high = this.expression(4)
      return not === '' ? `(${left} BETWEEN ${low} AND ${high})` : `(NOT (${left} BETWEEN ${low} AND ${high}))`
    }
    if (kw === 'LIKE' || kw === 'ILIKE') {
      const pattern = this.expression(4)
      return not === '' ? `(${left} ${kw} ${pattern})` : `(NOT (${left} ${kw} ${pattern}))`
    }
    throw new Unsupported(kw)
  }

  #list(close: string): string {
    const items: string[] = []
    while (!isPunct(this.#peek(), close)) {
      items.push(this.expression(0))
      if (isPunct(this.#peek(), ',')) this.at++
      else if (!isPunct(this.#peek(), close)) throw new Unsupported(',')
    }
    this.at++
    return items.join(', ')
  }

  #unary(): string {
    const t = this.#peek()
    if (t?.type === 'op' && t.text === '-') {
      this.at++
      return `- ${this.expression(7)}`
    }
    if (t?.type === 'op' && t.text === '+') {
      this.at++
      return this.expression(7)
    }
    if (keyword(t) === 'NOT') {
      this.at++
      return `(NOT ${this.expression(3)})`
    }
    return this.#postfix(this.#primary())
  }

  #postfix(base: string): string {
    let name = base
    for (;;) {
      const t = this.#peek()
      if (isPunct(t, '[')) {
        this.at++
        const index = this.expression(0)
        this.#expect(']')
        name = `${name}[${index}]`
      } else if (t?.type === 'op' && t.text === '::') {
        this.at++
        name = `CAST(${name} AS ${this.#type()})`
      } else return name
    }
  }

  /** A type name up to the end of the item or a closing bracket, lower-cased as CrateDB prints it. */
  #type(): string {
    const from = this.at
    let depth = 0
    while (this.at < this.#tokens.length) {
      const t = this.#tokens[this.at]!
      if (isPunct(t, '(')) depth++
      else if (isPunct(t, ')')) {
        if (depth === 0) break
        depth--
      } else if (depth === 0 && (t.type === 'op' || isPunct(t, ',') || isPunct(t, ']') || (t.type === 'ident' && BINARY[keyword(t)] !== undefined))) break
      this.at++
    }
    if (this.at === from) throw new Unsupported('type')
    return formatTokens(this.#tokens.slice(from, this.at))
  }

  #primary(): string {
    const t = this.#peek()
    if (t === undefined) throw new Unsupported('end')
    this.at++
    switch (t.type) {
      case 'string':
        return t.text.startsWith("'") ? quoteLiteral(stringValue(t)) : t.text
      case 'number':
        return numberName(t.text)
      case 'param':
        return t.text === '?' ? `$${this.#param++}` : t.text
      case 'punct':
        if (t.text === '(') {
          if (keyword(this.#peek()) === 'SELECT') throw new Unsupported('subquery')
          const inner = this.expression(0)
          this.#expect(')')
          return inner
        }
        if (t.text === '[') return `[${this.#list(']')}]`
        throw new Unsupported(t.text)
      case 'ident':
      case 'qident':
        return this.#name(t)
      default:
        throw new Unsupported(t.text)
    }
  }

  #name(t: SqlToken): string {
    // `*` expanded by the server: one token `"c"` or `"t"."c"` per column.
    const expanded = t.type === 'ident' && t.text.startsWith('"') ? /"((?:[^"]|"")*)"$/.exec(t.text) : null
    if (expanded !== null) return expanded[1]!.replaceAll('""', '"')
    const kw = t.type === 'ident' ? keyword(t) : ''
    if (kw === 'NULL') return 'NULL'
    if (kw === 'TRUE' || kw === 'FALSE') return kw.toLowerCase()
    if (kw === 'CASE' || kw === 'EXISTS') throw new Unsupported(kw)
    if (kw === 'ARRAY' && isPunct(this.#peek(), '[')) {
      this.at++
      return `[${this.#list(']')}]`
    }
    if ((kw === 'CAST' || kw === 'TRY_CAST') && isPunct(this.#peek(), '(')) {
      this.at++
      const value = this.expression(0)
      this.#expect('AS')
      const type = this.#type()
      this.#expect(')')
      return `${kw}(${value} AS ${type})`
    }
    const parts = [t.type === 'ident' ? t.text.toLowerCase() : identifierName(t)]
    while (isPunct(this.#peek(), '.') && (this.#peek(1)?.type === 'ident' || this.#peek(1)?.type === 'qident')) {
      parts.push(identifierName(this.#peek(1)!))
      this.at += 2
    }
    if (!isPunct(this.#peek(), '(')) return PARENTHESIS_LESS.has(kw) && parts.length === 1 ? kw.toLowerCase() : parts[parts.length - 1]!
    this.at++
    const close = this.#closeOf(this.at - 1)
    const inner = this.#tokens.slice(this.at, close)
    let args: string
    if (inner.length === 1 && inner[0]!.type === 'op' && inner[0]!.text === '*') args = '*'
    else {
      const distinct = keyword(inner[0]) === 'DISTINCT' ? 'DISTINCT ' : ''
      const offset = distinct === '' ? 0 : 1
      args = distinct + splitTopLevel(inner, offset, inner.length).map(([a, b]) => {
        const sub = new NameParser(inner.slice(a, b), this.#param)
        const arg = sub.expression(0)
        if (sub.at !== b - a) throw new Unsupported('argument')
        this.#param = sub.#param
        return arg
      }).join(', ')
    }
    this.at = close + 1
    const next = keyword(this.#peek())
    if (next === 'OVER' || next === 'FILTER' || next === 'WITHIN') throw new Unsupported(next)
    const name = parts.join('.')
    return `${name}(${args === '' && name === 'count' ? '*' : args})`
  }

  #closeOf(open: number): number {
    let depth = 0
    for (let i = open; i < this.#tokens.length; i++) {
      const t = this.#tokens[i]!
      if (t.type !== 'punct') continue
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++
      else if ((t.text === ')' || t.text === ']' || t.text === '}') && --depth === 0) return i
    }
    throw new Unsupported('(')
  }
}

/**
 * A numeric literal as CrateDB prints it: integers as written, decimals of up to 18 significant digits as Java's
 * `Double.toString` (CrateDB reads them as DOUBLE), longer ones as written (NUMERIC).
 */
function numberName(text: string): string {
  if (!/[.eE]/.test(text)) return text
  const mantissa = text.split(/[eE]/)[0]!.replace('.', '').replace(/^0+/, '')
  if (mantissa.length > 18) return text
  const value = Number(text)
  const magnitude = Math.abs(value)
  if (value === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    const plain = String(value)
    return plain.includes('.') ? plain : `${plain}.0`
  }
  const [digits, exponent] = value.toExponential().split('e')
  return `${digits!.includes('.') ? digits : `${digits}.0`}E${Number(exponent)}`
}
