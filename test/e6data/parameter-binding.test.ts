import { describe, expect, it } from 'vitest'
import { bindParameters, literal, quoteString } from '../../src/e6data/parameter-binding.ts'

describe('client-side parameter binding', () => {
  it('quotes strings with the engine escapes, so no value ends the literal', () => {
    expect(quoteString("O'Brien")).toBe("'O\\'Brien'")
    expect(quoteString('a\\b')).toBe("'a\\\\b'")
    expect(quoteString("\\'")).toBe("'\\\\\\''")
    expect(quoteString('x\ny\rz\t')).toBe("'x\\ny\\rz\\t'")
    expect(() => quoteString('nul\0')).toThrow(/NUL/)
  })
  it('renders other values', () => {
    expect(literal(null)).toBe('NULL')
    expect(literal(undefined)).toBe('NULL')
    expect(literal(12.5)).toBe('12.5')
    expect(literal(9007199254740993n)).toBe('9007199254740993')
    expect(literal(true)).toBe('TRUE')
    expect(literal(new Date(Date.UTC(2001, 0, 2, 3, 4, 5, 6)))).toBe("'2001-01-02 03:04:05.006000'")
    expect(literal([1, 'a'])).toBe("(1, 'a')")
    expect(() => literal([])).toThrow(/empty list/)
    expect(() => literal(Infinity)).toThrow(/Infinity/)
  })
  it('replaces placeholders only outside literals, quoted identifiers and comments, in one pass', () => {
    expect(bindParameters("SELECT '%s', \"%s\", %s -- %s\n, /* %s */ %s", ['a', 'b'])).toBe("SELECT '%s', \"%s\", 'a' -- %s\n, /* %s */ 'b'")
    expect(bindParameters("SELECT 'it\\'s %s', %s", [1])).toBe("SELECT 'it\\'s %s', 1")
    expect(bindParameters('SELECT %s, %s', ['%s', '%(x)s'])).toBe("SELECT '%s', '%(x)s'")
    expect(bindParameters('SELECT 10 %% 3, %(a)s, %(a)s', { a: 'v' })).toBe("SELECT 10 % 3, 'v', 'v'")
  })
  it('refuses mismatched placeholders and parameters', () => {
    expect(() => bindParameters('SELECT %s', [])).toThrow(/more %s placeholders/)
    expect(() => bindParameters('SELECT 1', [1])).toThrow(/0 %s placeholders but 1/)
    expect(() => bindParameters('SELECT %(a)s', { b: 1 })).toThrow(/No parameter named "a"/)
    expect(() => bindParameters('SELECT %s', { a: 1 })).toThrow(/named/)
  })
})
