/**
 * The peer of the BTrDB benchmark: a plain @grpc/grpc-js client of the same `protos/btrdb.proto`, with
 * @grpc/proto-loader's generated (de)serialisers (64-bit integers as strings), as a TypeScript application would
 * write it without dialectry. btrdb-python cannot run here (no python3-grpcio, PyPI unreachable).
 */
import { Client, credentials, type ClientReadableStream } from '@grpc/grpc-js'
import { btrdbServiceDefinition } from '../../src/btrdb/proto-schema.ts'

const service = btrdbServiceDefinition()

export class PeerClient {
  readonly #client: Client
  constructor(endpoint: string) {
    this.#client = new Client(endpoint, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 })
  }
  #stream<T>(rpc: string, req: object): ClientReadableStream<T> {
    const d = service[rpc]!
    return this.#client.makeServerStreamRequest(d.path, d.requestSerialize, d.responseDeserialize as (b: Buffer) => T, req)
  }
  #unary<T>(rpc: string, req: object): Promise<T> {
    const d = service[rpc]!
    return new Promise((resolve, reject) =>
      this.#client.makeUnaryRequest(d.path, d.requestSerialize, d.responseDeserialize as (b: Buffer) => T, req, (err, res) => (err ? reject(err) : resolve(res as T))),
    )
  }
  /** Inserts in chunks of 50,000 points, as btrdb-python does. */
  async insert(uuid: Buffer, times: BigInt64Array, values: Float64Array): Promise<void> {
    for (let from = 0; from < times.length; from += 50_000) {
      const pts = []
      for (let i = from; i < Math.min(times.length, from + 50_000); i++) pts.push({ time: times[i]!.toString(), value: values[i]! })
      const res = await this.#unary<{ stat: { code: number } | null }>('Insert', { uuid, values: pts, merge_policy: 0 })
      if (res.stat && res.stat.code !== 0) throw new Error(`insert failed ${res.stat.code}`)
    }
  }
  /** Reads every raw point, turning each into a (bigint time, value) pair; returns the count. */
  async readAll(uuid: Buffer, start: bigint, end: bigint): Promise<number> {
    let n = 0
    let sink = 0
    for await (const msg of this.#stream<{ values: Array<{ time: string; value: number }> }>('RawValues', { uuid, start: start.toString(), end: end.toString(), versionMajor: '0' })) {
      for (const p of msg.values) {
        if (BigInt(p.time) > 0n) sink += p.value
        n++
      }
    }
    return sink === -1 ? -1 : n
  }
  async alignedWindows(uuid: Buffer, start: bigint, end: bigint, pointWidth: number): Promise<number> {
    let n = 0
    for await (const msg of this.#stream<{ values: unknown[] }>('AlignedWindows', { uuid, start: start.toString(), end: end.toString(), versionMajor: '0', pointWidth })) n += msg.values.length
    return n
  }
  close(): void {
    this.#client.close()
  }
}
