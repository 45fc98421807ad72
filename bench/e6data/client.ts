/**
 * Our measuring client, in its own process (`node --expose-gc client.ts <mode>`; config in BENCH_CONFIG):
 * - `fetch`: fetch and decode the whole result with `fetchAllBuffer` (one batch held at a time); reports rows,
 *   seconds and the peak heap/RSS above the baseline.
 * - `record`: saves the raw `resultBatch` bytes of the first `batches` batches to `file` (length-prefixed).
 * - `decode`: decodes the recorded batches `rounds` times with our Chunk decoder; reports rows per second.
 * - `decode-thrift`: the same with the `thrift` package's TBinaryProtocol (thrift-package-decoder.ts).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { decodeChunk } from '../../src/e6data/chunk-decoder.ts'
import { decodeChunkWithThriftPackage } from './thrift-package-decoder.ts'
import { Connection } from '../../src/e6data/index.ts'

const mode = process.argv[2]
const cfg = JSON.parse(process.env['BENCH_CONFIG'] ?? '{}') as { port: number; username: string; password: string; sql: string; file: string; batches: number; rounds: number; columns: number }
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

if (mode === 'fetch') {
  const conn = new Connection({ host: '127.0.0.1', port: cfg.port, username: cfg.username, password: cfg.password, catalog: 'hive', database: 'bench' })
  const cur = conn.cursor()
  await cur.execute('SELECT 1')
  await cur.fetchAll()
  gc()
  const base = process.memoryUsage()
  let peakHeap = 0
  let peakRss = 0
  let peakLive = 0
  const t0 = performance.now()
  await cur.execute(cfg.sql)
  let rows = 0
  let batches = 0
  for await (const batch of cur.fetchAllBuffer()) {
    rows += batch.length
    if (++batches % 8 === 0) {
      const m = process.memoryUsage()
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed
      if (m.rss > peakRss) peakRss = m.rss
    }
    if (batches % 64 === 0) {
      // live memory: what survives a full GC while the loop holds one batch
      gc()
      const live = process.memoryUsage().heapUsed
      if (live > peakLive) peakLive = live
    }
  }
  const seconds = (performance.now() - t0) / 1000
  await cur.close()
  conn.close()
  console.log(JSON.stringify({ client: 'ours', rows, batches, seconds, peakHeapAbove: peakHeap - base.heapUsed, peakLiveHeapAbove: peakLive - base.heapUsed, peakRssAbove: peakRss - base.rss }))
} else if (mode === 'record') {
  const conn = new Connection({ host: '127.0.0.1', port: cfg.port, username: cfg.username, password: cfg.password, catalog: 'hive', database: 'bench' })
  const cur = conn.cursor()
  await cur.execute(cfg.sql)
  const s = await conn.session()
  const fd = openSync(cfg.file, 'w')
  let rows = 0
  let bytes = 0
  for (let i = 0; i < cfg.batches; i++) {
    const res = await conn.call<{ resultBatch: Buffer }>('getNextResultBatch', { engineIP: cur.engineIp, sessionId: s.id, queryId: cur.queryId }, { plannerIp: cur.engineIp })
    if (res.resultBatch.length === 0) break
    rows += decodeChunk(res.resultBatch, cfg.columns).size
    const len = Buffer.alloc(4)
    len.writeUInt32BE(res.resultBatch.length)
    writeSync(fd, len)
    writeSync(fd, res.resultBatch)
    bytes += res.resultBatch.length
  }
  closeSync(fd)
  await cur.close()
  conn.close()
  console.log(JSON.stringify({ client: 'record', rows, bytes }))
} else if (mode === 'decode' || mode === 'decode-thrift') {
  const decode = mode === 'decode' ? decodeChunk : decodeChunkWithThriftPackage
  const all = readFileSync(cfg.file)
  const chunks: Buffer[] = []
  for (let p = 0; p < all.length; ) {
    const n = all.readUInt32BE(p)
    chunks.push(all.subarray(p + 4, p + 4 + n))
    p += 4 + n
  }
  let rows = 0
  for (const c of chunks) rows += decode(c, cfg.columns).size // warm-up
  let best = Infinity
  for (let r = 0; r < cfg.rounds; r++) {
    const t0 = performance.now()
    for (const c of chunks) decode(c, cfg.columns)
    best = Math.min(best, (performance.now() - t0) / 1000)
  }
  console.log(JSON.stringify({ client: mode === 'decode' ? 'ours-decode' : 'thrift-package-decode', rows, seconds: best }))
}
