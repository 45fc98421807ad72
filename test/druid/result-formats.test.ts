import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connect,
  DruidAuthError,
  DruidQueryError,
  DruidQueryTimeoutError,
  ResponseTooLargeError,
  TruncatedResultError,
  type DruidClient,
} from '../../src/druid/index.ts'
import { createSplitter, type ResultFormat } from '../../src/druid/body-splitter.ts'
import { ResultDecoder } from '../../src/druid/result-decoder.ts'
import { arrayRowDecoder, objectRowBuilder } from '../../src/druid/row-builder.ts'
import { columnDecoder, passthrough } from '../../src/druid/column-types.ts'

/**
 * Decoding of Druid's wire shapes without a Druid: bodies written exactly as Druid's writers do
 * (apache/druid sql/src/main/java/org/apache/druid/sql/http/*Writer.java), served raw by a tiny HTTP server, so
 * truncation and the error envelopes can be produced on demand.
 */
const HEADER = ['__time', 'big', 'name', 'tags', 'ratio', 'flag', 'sketch']
const NATIVE = ['LONG', 'LONG', 'STRING', 'ARRAY<STRING>', 'DOUBLE', 'LONG', 'COMPLEX<hyperUnique>']
const SQL = ['TIMESTAMP', 'BIGINT', 'VARCHAR', 'ARRAY', 'DOUBLE', 'BOOLEAN', 'OTHER']
const ROWS = [
  ['2015-09-12T00:47:53.259Z', '9007199254740993', 'a,"b"\nc', '["x","y"]', 0.5, 'true', '"AQAAAQAAAAFzBQ=="'],
  ['2015-09-12T01:00:00.000Z', '-12', null, null, null, 'false', null],
]
const EXPECTED = [
  { __time: new Date('2015-09-12T00:47:53.259Z'), big: 9007199254740993n, name: 'a,"b"\nc', tags: ['x', 'y'], ratio: 0.5, flag: true, sketch: 'AQAAAQAAAAFzBQ==' },
  { __time: new Date('2015-09-12T01:00:00.000Z'), big: -12, name: null, tags: null, ratio: null, flag: false, sketch: null },
]

function jsonRow(r: unknown[]): string[] {
  return r.map((v, i) => (v === null ? 'null' : i === 1 || i === 4 || i === 5 || i === 6 ? String(v) : JSON.stringify(v)))
}
function csvField(v: unknown): string {
  if (v === null) return ''
  const s = typeof v === 'string' && v.startsWith('"') ? (JSON.parse(v) as string) : String(v)
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

/** The body Druid sends for ROWS in `format` with all three header flags. */
function body(format: ResultFormat): string {
  const arrays = [HEADER.map((h) => JSON.stringify(h)), NATIVE.map((h) => JSON.stringify(h)), SQL.map((h) => JSON.stringify(h)), ...ROWS.map(jsonRow)]
  switch (format) {
    case 'array':
      return `[${arrays.map((a) => `[${a.join(',')}]`).join(',')}]\n`
    case 'arrayLines':
      return `${arrays.map((a) => `[${a.join(',')}]`).join('\n')}\n\n`
    case 'object':
    case 'objectLines': {
      const head = `{${HEADER.map((h, i) => `${JSON.stringify(h)}:{"type":${JSON.stringify(NATIVE[i])},"sqlType":${JSON.stringify(SQL[i])}}`).join(',')}}`
      const rows = ROWS.map(jsonRow).map((r) => `{${r.map((v, i) => `${JSON.stringify(HEADER[i])}:${v}`).join(',')}}`)
      return format === 'object' ? `[${[head, ...rows].join(',')}]\n` : `${[head, ...rows].join('\n')}\n\n`
    }
    case 'csv':
      return `${[HEADER, NATIVE, SQL, ...ROWS].map((r) => r.map(csvField).join(',')).join('\n')}\n\n`
  }
}

const FORMATS: ResultFormat[] = ['array', 'object', 'arrayLines', 'objectLines', 'csv']

describe('Druid result formats (decoder)', () => {
  it.each(FORMATS)('%s decodes to typed values in chunks of any size', (format) => {
    const text = body(format)
    for (const step of [1, 2, 7, 64, text.length]) {
      const splitter = createSplitter(format)
      const decoder = new ResultDecoder(format, { header: true, typesHeader: true, sqlTypesHeader: true, included: true }, 'object', {})
      const rows: unknown[] = []
      for (let i = 0; i < text.length; i += step) rows.push(...decoder.decode(splitter.push(text.slice(i, i + step))))
      expect(splitter.complete).toBe(true)
      expect(rows).toEqual(EXPECTED)
      expect(decoder.columns).toEqual(HEADER.map((name, i) => ({ name, nativeType: NATIVE[i], sqlType: SQL[i] })))
    }
  })

  it.each(FORMATS)('%s without its terminator is incomplete', (format) => {
    const text = body(format)
    for (const cut of [text.length - 1, Math.floor(text.length / 2)]) {
      const splitter = createSplitter(format)
      splitter.push(text.slice(0, cut))
      splitter.finish()
      expect(splitter.complete).toBe(false)
    }
  })

  it.each([
    ['arrayLines', false],
    ['objectLines', false],
    ['arrayLines', true],
    ['objectLines', true],
  ] as const)('%s object rows keep every column name as an own key, however it is spelled (with __proto__: %s)', (format, withProto) => {
    // Names a generated row shape must not misread: quotes, code, a repeated name, digits; and the prototype key,
    // which an object literal would treat as the prototype (that result takes the keyed-store path).
    const names = [withProto ? '__proto__' : 'p', 'a"b\\', '"}); throw new Error("x"); ({"', 'constructor', 'dup', 'dup', '0', 'line\nbreak']
    const values = ['p', 'q', 'r', 's', 'first', 'last', 'z', 'n']
    const text =
      format === 'arrayLines'
        ? `${JSON.stringify(names)}\n${JSON.stringify(names.map(() => 'STRING'))}\n${JSON.stringify(names.map(() => 'VARCHAR'))}\n${JSON.stringify(values)}\n${JSON.stringify(values)}\n\n`
        : `{${names.map((n) => `${JSON.stringify(n)}:{"type":"STRING","sqlType":"VARCHAR"}`).join(',')}}\n{${names.map((n, i) => `${JSON.stringify(n)}:${JSON.stringify(values[i])}`).join(',')}}\n\n`
    const decoder = new ResultDecoder(format, { header: true, typesHeader: true, sqlTypesHeader: true, included: true }, 'object', {})
    const rows = decoder.decode(createSplitter(format).push(text)) as Record<string, unknown>[]
    const expected = { p: 'p', dup: 'last' } // a repeated name keeps its last value (JSON.parse does the same for objectLines)
    for (const row of rows) {
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
      expect(Object.getOwnPropertyDescriptor(row, withProto ? '__proto__' : 'p')?.value).toBe(expected.p)
      expect(row['a"b\\']).toBe('q')
      expect(row['"}); throw new Error("x"); ({"']).toBe('r')
      expect(Object.hasOwn(row, 'constructor') && row['constructor']).toBe('s')
      expect(row['dup']).toBe(expected.dup)
      expect(row['0']).toBe('z')
      expect(row['line\nbreak']).toBe('n')
      expect(Object.keys(row).sort()).toEqual([...new Set(names)].sort())
    }
  })

  it('object rows are built by one generated function per result unless a column is named __proto__', () => {
    const names = ['a"b\\', '"}); throw new Error("x"); ({"']
    expect(objectRowBuilder(names, [passthrough, passthrough], 'array', passthrough).name).toBe('druidRow')
    expect(objectRowBuilder(names, [passthrough, passthrough], 'array', passthrough)(['x', null] as never)).toEqual({ [names[0]!]: 'x', [names[1]!]: null })
    expect(objectRowBuilder(['__proto__'], [passthrough], 'array', passthrough).name).not.toBe('druidRow')
    // Array rows are decoded in place: extra cells dropped, missing cells null, each column by its decoder.
    const inPlace = arrayRowDecoder([passthrough, (v) => (v === null ? null : Number(v) * 2)], passthrough)
    const row = ['a', '21', 'extra']
    expect(inPlace(row)).toBe(row)
    expect(row).toEqual(['a', 42])
    expect(inPlace([])).toEqual([null, null])
  })

  it('object rows of one result share one key order and decode every type (array and object sources)', () => {
    for (const format of ['arrayLines', 'objectLines'] as const) {
      const decoder = new ResultDecoder(format, { header: true, typesHeader: true, sqlTypesHeader: true, included: true }, 'object', {})
      const rows = decoder.decode(createSplitter(format).push(body(format))) as Record<string, unknown>[]
      expect(rows).toEqual(EXPECTED)
      expect(rows.map((r) => Object.keys(r).join())).toEqual([HEADER.join(), HEADER.join()])
    }
  })

  it('timestamps decode as Date.parse reads them, in every form Druid sends', () => {
    const texts = [
      '2015-09-12T00:47:53.259Z', '2015-09-12T00:47:53.260Z', '2015-09-13T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '2024-02-29T23:59:59.999Z',
      '0099-01-01T00:00:00.000Z', '2023-02-30T00:00:00.000Z', '2015-09-12T00:47:53.259-07:00', '2015-09-12', '2015-09-12 00:47:53', '2015-09-1xT00:47:53.259Z', 'not a date',
    ]
    const decode = columnDecoder({ name: 't', sqlType: 'TIMESTAMP' })
    for (const t of texts) {
      const got = decode(t) as Date
      const want = Date.parse(t.includes('T') || !t.includes(' ') ? t : `${t.replace(' ', 'T')}Z`)
      expect([t, got.getTime()]).toEqual([t, want])
    }
  })

  it('bigint option: always bigint, or always number', () => {
    for (const [mode, expected] of [['bigint', [9007199254740993n, -12n]], ['number', [9007199254740992, -12]]] as const) {
      const splitter = createSplitter('arrayLines')
      const decoder = new ResultDecoder('arrayLines', { header: true, typesHeader: true, sqlTypesHeader: true, included: true }, 'array', { bigint: mode })
      const rows = decoder.decode(splitter.push(body('arrayLines'))) as unknown[][]
      expect(rows.map((r) => r[1])).toEqual(expected)
    }
  })
})

describe('Druid driver against recorded answers', () => {
  let server: Server
  let client: DruidClient
  const answers = new Map<string, { status: number; headers?: Record<string, string>; body: string; destroy?: boolean }>()
  let lastBody = ''

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = ''
      req.on('data', (c: Buffer) => (text += c.toString()))
      req.on('end', () => {
        lastBody = text
        const query = (JSON.parse(text || '{}') as { query?: string }).query ?? ''
        const answer = answers.get(query)
        if (answer === undefined) return void res.writeHead(500).end('{}')
        res.writeHead(answer.status, { 'content-type': 'application/json', 'x-druid-sql-header-included': 'yes', ...answer.headers })
        if (answer.destroy) {
          res.write(answer.body)
          setTimeout(() => res.destroy(), 20)
        } else res.end(answer.body)
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { maxResponseSize: 4096 })
  })
  afterAll(async () => {
    await client.close()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  it.each(FORMATS)('query() decodes %s', async (format) => {
    answers.set(`q-${format}`, { status: 200, body: body(format) })
    const result = await client.query(`q-${format}`, [], { resultFormat: format })
    expect(result.rows).toEqual(EXPECTED)
    const sent = JSON.parse(lastBody) as Record<string, unknown>
    expect(sent).toMatchObject({ resultFormat: format, header: true, typesHeader: true, sqlTypesHeader: true })
    expect((sent['context'] as Record<string, unknown>)['sqlQueryId']).toBe(result.sqlQueryId)
  })

  it.each(FORMATS)('a %s body cut mid-stream raises TruncatedResultError', async (format) => {
    const text = body(format)
    answers.set(`cut-${format}`, { status: 200, body: text.slice(0, text.length - 2), destroy: true })
    await expect(client.query(`cut-${format}`, [], { resultFormat: format })).rejects.toBeInstanceOf(TruncatedResultError)
    answers.set(`short-${format}`, { status: 200, body: text.slice(0, text.length - 1) })
    await expect(client.query(`short-${format}`, [], { resultFormat: format })).rejects.toBeInstanceOf(TruncatedResultError)
  })

  it('the DruidException envelope becomes a typed error with category, code and message', async () => {
    answers.set('bad', {
      status: 400,
      body: '{"error":"druidException","errorCode":"invalidInput","persona":"USER","category":"INVALID_INPUT","errorMessage":"Object \'nope\' not found (line [1], column [15])","context":{"sourceType":"sql","line":"1","column":"15"}}',
    })
    const err = (await client.query('bad').catch((e: unknown) => e)) as DruidQueryError
    expect(err).toBeInstanceOf(DruidQueryError)
    expect(err).toMatchObject({ category: 'INVALID_INPUT', errorCode: 'invalidInput', code: 'invalidInput', persona: 'USER', httpStatus: 400, context: { line: '1', column: '15' } })
    expect(err.message).toContain("Object 'nope' not found")
    expect(err.message).not.toContain('druidException')
  })

  it('the legacy envelope becomes a typed error (timeout → DruidQueryTimeoutError)', async () => {
    answers.set('slow', {
      status: 504,
      body: '{"error":"Query timeout","errorMessage":"Query [x] timed out.","errorClass":"org.apache.druid.query.QueryTimeoutException","host":null}',
    })
    const err = (await client.query('slow').catch((e: unknown) => e)) as DruidQueryTimeoutError
    expect(err).toBeInstanceOf(DruidQueryTimeoutError)
    expect(err).toMatchObject({ category: 'TIMEOUT', legacyCode: 'Query timeout', errorClass: 'org.apache.druid.query.QueryTimeoutException', errorMessage: 'Query [x] timed out.' })
  })

  it("Jetty's HTML 401 becomes DruidAuthError", async () => {
    answers.set('auth', { status: 401, headers: { 'content-type': 'text/html' }, body: '<html><body><h2>HTTP ERROR 401 Unauthorized</h2></body></html>' })
    const err = (await client.query('auth').catch((e: unknown) => e)) as DruidAuthError
    expect(err).toBeInstanceOf(DruidAuthError)
    expect(err.code).toBe('HTTP_401')
  })

  it('a buffered answer over maxResponseSize raises ResponseTooLargeError', async () => {
    answers.set('big', { status: 200, body: `[${Array.from({ length: 500 }, (_, i) => `[${i},"${'x'.repeat(10)}"]`).join(',')}]\n` })
    await expect(client.query('big', [], { header: false })).rejects.toBeInstanceOf(ResponseTooLargeError)
  })
})
