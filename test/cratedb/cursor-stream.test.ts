import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { connect, ProgrammingError, RequestAbortedError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { crateError, resultSet, rowCount, sendJson, startStub, type StubNode } from './helpers/stub-node.ts'

// A node with per-connection sessions holding cursors, as CrateDB keeps them (crate/crate
// `server/src/main/java/io/crate/rest/action/SqlHttpHandler.java`).
interface Cursor { total: number; pos: number }
const sessions = new Map<number, Map<string, Cursor>>()
let fetchedRows = 0
let node: StubNode
let client: CrateDBClient

// Statements received with a dialectry tag comment, by tag (what sys.jobs.stmt would show).
const taggedStatements = new Map<string, string[]>()
const killedIds: string[] = []

beforeAll(async () => {
  node = await startStub((req, res) => {
    const raw = req.json?.stmt ?? ''
    const tag = /^\/\* dialectry:([\w-]+) \*\/ /.exec(raw)
    if (tag) taggedStatements.set(tag[1]!, [...(taggedStatements.get(tag[1]!) ?? []), raw])
    const stmt = tag ? raw.slice(tag[0].length) : raw
    if (stmt === 'SELECT id FROM sys.jobs WHERE stmt LIKE ?') {
      const prefix = String(req.json!.args![0]).replace(/%$/, '')
      const jobs = [...taggedStatements.values()].flat().filter((s) => s.startsWith(prefix) && s.includes('DECLARE'))
      return sendJson(res, 200, resultSet(['id'], [4], jobs.map((_, i) => [`job-${i}`])))
    }
    if (stmt === 'KILL ?') {
      killedIds.push(String(req.json!.args![0]))
      return sendJson(res, 200, rowCount(1))
    }
    const session = sessions.get(req.connection) ?? new Map<string, Cursor>()
    sessions.set(req.connection, session)
    let m: RegExpExecArray | null
    if (stmt === 'BEGIN' || stmt === 'COMMIT') return sendJson(res, 200, rowCount(0))
    if ((m = /^DECLARE (\w+) NO SCROLL CURSOR WITH HOLD FOR SELECT \* FROM big WHERE n < \?$/.exec(stmt))) {
      session.set(m[1]!, { total: Number(req.json!.args![0]), pos: 0 })
      return sendJson(res, 200, rowCount(1))
    }
    if (stmt.startsWith('DECLARE')) return crateError(res, 404, 4041, "RelationUnknown[Relation 'doc.nope' unknown]")
    if ((m = /^FETCH (\d+) FROM (\w+)$/.exec(stmt))) {
      const cur = session.get(m[2]!)
      if (!cur) return crateError(res, 404, 4040, `No cursor named ${m[2]} in this session`)
      const n = Math.min(Number(m[1]), cur.total - cur.pos)
      const rows = Array.from({ length: n }, (_, i) => [cur.pos + i, `row-${cur.pos + i}`, 1700000000000 + cur.pos + i])
      cur.pos += n
      fetchedRows += n
      return sendJson(res, 200, resultSet(['n', 'name', 'ts'], [10, 4, 11], rows))
    }
    if ((m = /^CLOSE (\w+)$/.exec(stmt))) {
      session.delete(m[1]!)
      return sendJson(res, 200, rowCount(1))
    }
    crateError(res, 400, 4000, `unexpected ${stmt}`)
  })
  client = connect(node.url)
})

beforeEach(() => {
  node.requests.length = 0
  fetchedRows = 0
  taggedStatements.clear()
  killedIds.length = 0
})

afterAll(async () => {
  await client.close()
  await node.kill()
})

const stmts = (): string[] => node.requests.map((r) => (r.json?.stmt ?? '').replace(/^\/\* dialectry:[\w-]+ \*\/ /, '').replace(/dialectry_cursor_\d+/, 'c'))

describe('stream() over a server-side cursor', () => {
  it('runs BEGIN, DECLARE, FETCH n until a short batch, CLOSE, COMMIT on one dedicated connection', async () => {
    const rows: unknown[][] = []
    for await (const row of client.stream('SELECT * FROM big WHERE n < ?', [2500], { batchSize: 1000 })) rows.push(row)
    expect(rows).toHaveLength(2500)
    expect(rows[2499]).toEqual([2499, 'row-2499', new Date(1700000002499)])
    expect(stmts()).toEqual([
      'BEGIN',
      'DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT * FROM big WHERE n < ?',
      'FETCH 1000 FROM c',
      'FETCH 1000 FROM c',
      'FETCH 1000 FROM c',
      'CLOSE c',
      'COMMIT',
    ])
    expect(node.requests[1]!.json!.args).toEqual([2500])
    expect(new Set(node.requests.map((r) => r.connection)).size).toBe(1)
    await new Promise((r) => setTimeout(r, 50))
    expect(node.openConnections()).toBe(0) // the dedicated socket is closed afterwards
  })

  it('holds at most two batches: the next FETCH is sent only while the current batch is consumed', async () => {
    let consumed = 0
    let maxAhead = 0
    for await (const _ of client.stream('SELECT * FROM big WHERE n < ?', [1000], { batchSize: 100 })) {
      consumed++
      maxAhead = Math.max(maxAhead, fetchedRows - consumed)
      if (consumed % 100 === 0) await new Promise((r) => setTimeout(r, 5))
    }
    expect(consumed).toBe(1000)
    expect(maxAhead).toBeLessThanOrEqual(200)
  })

  it('breaking out early closes the cursor and the connection', async () => {
    let n = 0
    for await (const row of client.stream<Record<string, unknown>>('SELECT * FROM big WHERE n < ?', [100_000], { batchSize: 50, rowMode: 'object' })) {
      expect(row).toMatchObject({ n, name: `row-${n}` })
      if (++n === 5) break
    }
    expect(stmts().slice(-2)).toEqual(['CLOSE c', 'COMMIT'])
    expect(fetchedRows).toBeLessThanOrEqual(100)
    await new Promise((r) => setTimeout(r, 50))
    expect(node.openConnections()).toBe(0)
  })

  it('an aborted signal ends the iteration with RequestAbortedError and drops the connection', async () => {
    const own = connect(node.url)
    const ac = new AbortController()
    let n = 0
    const iterate = async (): Promise<void> => {
      for await (const _ of own.stream('SELECT * FROM big WHERE n < ?', [100_000], { batchSize: 100, signal: ac.signal })) {
        if (++n === 10) ac.abort(new Error('enough'))
      }
    }
    const error = await iterate().catch((e: unknown) => e)
    const session = node.requests.find((r) => (r.json?.stmt ?? '').includes('DECLARE'))!.connection
    expect(error).toBeInstanceOf(RequestAbortedError)
    await (error as RequestAbortedError).killing // the stream ended at once; the kill ran in the background
    expect(n).toBe(10)
    expect(stmts()).not.toContain('CLOSE c')
    // The cursor's query job is found by the tag its DECLARE carried, and killed.
    const [tag] = [...taggedStatements.keys()]
    expect(taggedStatements.get(tag!)!.some((s) => /DECLARE dialectry_cursor_\d+ NO SCROLL CURSOR WITH HOLD FOR SELECT/.test(s))).toBe(true)
    expect(stmts()).toContain('SELECT id FROM sys.jobs WHERE stmt LIKE ?')
    expect(killedIds).toEqual(['job-0'])
    expect((error as RequestAbortedError).killedJobs).toEqual(['job-0'])
    await new Promise((r) => setTimeout(r, 50))
    expect(node.isOpen(session)).toBe(false)
    await own.close()
  })

  it('killOnAbort: false leaves the statements untagged and kills nothing', async () => {
    const quiet = connect(node.url, { killOnAbort: false })
    const ac = new AbortController()
    const iterate = async (): Promise<void> => {
      for await (const _ of quiet.stream('SELECT * FROM big WHERE n < ?', [100_000], { batchSize: 100, signal: ac.signal })) ac.abort()
    }
    await expect(iterate()).rejects.toBeInstanceOf(RequestAbortedError)
    await quiet.close()
    expect(taggedStatements.size).toBe(0)
    expect(killedIds).toEqual([])
  })

  it('a failing DECLARE surfaces from the iteration and releases the connection', async () => {
    const iterate = async (): Promise<void> => {
      for await (const _ of client.stream('SELECT * FROM nope')) void _
    }
    await expect(iterate()).rejects.toBeInstanceOf(ProgrammingError)
    await new Promise((r) => setTimeout(r, 50))
    expect(node.openConnections()).toBe(0)
  })

  it('rejects a bad batchSize before connecting', async () => {
    await expect(client.stream('SELECT 1', [], { batchSize: 0 }).next()).rejects.toThrow(/batchSize/)
    expect(node.requests).toHaveLength(0)
  })
})
