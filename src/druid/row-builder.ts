import type { CellDecoder } from './column-types.ts'

/** Builds one typed object row from one parsed row (an array for `array`/`arrayLines`, an object for `object`/`objectLines`). */
export type ObjectRowBuilder = (raw: never) => Record<string, unknown>

/**
 * A builder of object rows for one result: every row gets the same keys in the same order, so all rows of a result
 * share one V8 hidden class. The builder is generated once per result (`new Function` with an object literal whose
 * keys are the column names as JSON string literals), which V8 creates from one boilerplate instead of adding the
 * keys one by one through megamorphic keyed stores, the cost that dominates object rows otherwise. Cells whose
 * decoder is `identity` are copied without a call. A repeated column name keeps its last value; a column named
 * `__proto__` (which an object literal would treat as the prototype) falls back to plain keyed stores, as does an
 * environment that forbids code generation (`--disallow-code-generation-from-strings`).
 *
 * @param names column names in result order.
 * @param decoders one decoder per column (same length as `names`).
 * @param source `'array'`: cell `i` is `raw[i]`; `'object'`: cell `i` is `raw[names[i]]`. Missing cells read as `null`.
 * @param identity the decoder that returns its input, skipped in generated code.
 */
export function objectRowBuilder(names: readonly string[], decoders: readonly CellDecoder[], source: 'array' | 'object', identity: CellDecoder): ObjectRowBuilder {
  const cell = (i: number): string => (source === 'array' ? `r[${i}]` : `r[${JSON.stringify(names[i])}]`)
  if (!names.includes('__proto__')) {
    const fields = names.map((name, i) => `${JSON.stringify(name)}: ${decoders[i] === identity ? `${cell(i)} ?? null` : `d${i}(${cell(i)} ?? null)`}`)
    const locals = decoders.map((_, i) => `d${i} = d[${i}]`)
    const code = `"use strict";\n${locals.length > 0 ? `const ${locals.join(', ')};\n` : ''}return function druidRow(r) { return { ${fields.join(', ')} } }`
    try {
      return new Function('d', code)(decoders) as ObjectRowBuilder
    } catch {
      // code generation disallowed: the generic builder below
    }
  }
  const width = names.length
  return ((r: Record<string | number, unknown>) => {
    const row: Record<string, unknown> = {}
    for (let i = 0; i < width; i++) {
      const name = names[i]!
      const value = decoders[i]!((source === 'array' ? r[i] : r[name]) ?? null)
      if (name === '__proto__') Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true })
      else row[name] = value
    }
    return row
  }) as ObjectRowBuilder
}

/** Decodes one parsed array row in place and returns it. */
export type ArrayRowDecoder = (raw: unknown[]) => unknown[]

/**
 * An in-place decoder of array rows for one result, generated like {@link objectRowBuilder} so each column's decoder
 * is called from its own call site (monomorphic) and identity columns only turn a missing cell into `null`. Extra
 * cells beyond the columns are dropped. Falls back to a loop where code generation is disallowed.
 */
export function arrayRowDecoder(decoders: readonly CellDecoder[], identity: CellDecoder): ArrayRowDecoder {
  const width = decoders.length
  const cells = decoders.map((d, i) => (d === identity ? `r[${i}] ??= null` : `r[${i}] = d${i}(r[${i}] ?? null)`))
  const locals = decoders.map((_, i) => `d${i} = d[${i}]`)
  const code = `"use strict";\n${locals.length > 0 ? `const ${locals.join(', ')};\n` : ''}return function druidArrayRow(r) { if (r.length > ${width}) r.length = ${width}; ${cells.join('; ')}; return r }`
  try {
    return new Function('d', code)(decoders) as ArrayRowDecoder
  } catch {
    return (r) => {
      if (r.length > width) r.length = width
      for (let i = 0; i < width; i++) r[i] = decoders[i]!(r[i] ?? null)
      return r
    }
  }
}
