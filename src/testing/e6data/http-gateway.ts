import { connect, constants, createSecureServer, createServer, type ClientHttp2Session, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'

/**
 * The gateway in front of the local engine, as e6data runs one: an HTTP/2 server that reads each gRPC call, asks
 * `decide` whether the gateway refuses it, and then either answers a bare HTTP status (456 wrong strategy, 503
 * suspended cluster; no `grpc-status`, so every gRPC client reports it its own way: grpc-js `Received HTTP status
 * code 456`, C-core `Received http2 header with status: 456`) or relays the call to the gRPC server behind it.
 */
export interface HttpGatewayOptions {
  host: string
  port: number
  /** TLS key pair; plaintext without. */
  tls?: { cert: string; key: string }
  /** `host:port` of the plaintext gRPC server behind the gateway. */
  target: string
  /** HTTP status to answer instead of relaying, or `undefined` to relay. `body` is the whole request body. */
  decide(path: string, headers: IncomingHttpHeaders, body: Buffer): number | undefined
}

export interface HttpGateway {
  port: number
  close(): Promise<void>
}

const HOP = new Set([':status', 'connection', 'keep-alive', 'transfer-encoding'])

function relayable(h: IncomingHttpHeaders, pseudo: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP.has(k) || (!pseudo && k.startsWith(':'))) continue
    out[k] = v
  }
  return out
}

export async function startHttpGateway(o: HttpGatewayOptions): Promise<HttpGateway> {
  let upstream: ClientHttp2Session | undefined
  const session = (): ClientHttp2Session => {
    if (upstream === undefined || upstream.closed || upstream.destroyed) {
      upstream = connect(`http://${o.target}`)
      upstream.on('error', () => {})
    }
    return upstream
  }
  const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('error', () => {})
    stream.on('end', () => {
      const body = Buffer.concat(chunks)
      const path = String(headers[':path'] ?? '')
      let verdict: number | undefined
      try {
        verdict = o.decide(path, headers, body)
      } catch {
        verdict = undefined
      }
      if (verdict !== undefined) {
        if (!stream.closed) {
          stream.respond({ ':status': verdict, 'content-type': 'text/plain' })
          stream.end(verdict === 456 ? 'wrong strategy' : 'service unavailable')
        }
        return
      }
      const fwd = relayable(headers, false)
      const req = session().request({ ...fwd, ':method': 'POST', ':path': path, ':scheme': 'http', ':authority': o.target })
      stream.on('close', () => {
        if (!req.closed) req.close(constants.NGHTTP2_CANCEL)
      })
      let trailers: Record<string, string | string[]> = {}
      let trailersOnly = false
      req.on('response', (h) => {
        if (stream.closed) return
        trailersOnly = h['grpc-status'] !== undefined
        stream.respond({ ':status': Number(h[':status'] ?? 200), ...relayable(h, false) }, trailersOnly ? { endStream: true } : { waitForTrailers: true })
      })
      req.on('data', (d: Buffer) => {
        if (!trailersOnly && !stream.closed) stream.write(d)
      })
      req.on('trailers', (t) => (trailers = relayable(t, false)))
      stream.on('wantTrailers', () => stream.sendTrailers(trailers))
      req.on('end', () => {
        if (!trailersOnly && !stream.closed) stream.end()
      })
      req.on('error', () => {
        if (!stream.closed) stream.close(constants.NGHTTP2_INTERNAL_ERROR)
      })
      req.end(body)
    })
  }
  const server: Http2Server = o.tls !== undefined ? (createSecureServer({ cert: o.tls.cert, key: o.tls.key, allowHTTP1: false }) as unknown as Http2Server) : createServer()
  server.on('stream', onStream)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        upstream?.close()
        server.close(() => resolve())
        // open client sessions would keep close() waiting
        setTimeout(resolve, 200).unref()
      }),
  }
}
