/** One element of a parsed PostgreSQL array literal: its text, `null` for NULL, or a nested dimension. */
export type PgArrayItem = string | null | PgArrayItem[]

/**
 * Parses PostgreSQL's text output of an array (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`, optionally
 * prefixed by dimension bounds `[0:1]=`) into nested arrays of element texts.
 *
 * @example
 * parsePgArray('{1,NULL,"x y"}') // ['1', null, 'x y']
 * @throws SyntaxError for text that is not an array literal.
 */
export function parsePgArray(text: string): PgArrayItem[] {
  let i = 0
  if (text.startsWith('[')) {
    i = text.indexOf('=') + 1
    if (i === 0) throw new SyntaxError(`not an array literal: ${text}`)
  }
  const parse = (): PgArrayItem[] => {
    if (text[i] !== '{') throw new SyntaxError(`not an array literal: ${text}`)
    i++
    const items: PgArrayItem[] = []
    if (text[i] === '}') {
      i++
      return items
    }
    for (;;) {
      const c = text[i]
      if (c === '{') items.push(parse())
      else if (c === '"') {
        i++
        let value = ''
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++
          value += text[i]
          i++
        }
        i++
        items.push(value)
      } else {
        const start = i
        while (i < text.length && text[i] !== ',' && text[i] !== '}') i++
        const raw = text.slice(start, i).trim()
        items.push(raw === 'NULL' ? null : raw)
      }
      if (text[i] === ',') {
        i++
        continue
      }
      if (text[i] === '}') {
        i++
        return items
      }
      throw new SyntaxError(`malformed array literal: ${text}`)
    }
  }
  return parse()
}

/** Quotes one element for a PostgreSQL array literal (always double-quoted; `"` and `\` escaped). */
export function quoteArrayElement(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
}
