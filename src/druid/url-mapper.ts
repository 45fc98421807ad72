/**
 * Turns the `host`, `plaintext_port` and `tls_port` a Druid service advertises in `sys.servers` into the URL this
 * process can reach it at (pydruid2 `ServiceMapper` / `DockerMapper`, paul-rogers/druid-client
 * `pydruid2/client/cluster.py`). Inside Docker or Kubernetes the advertised addresses are cluster-internal, so a
 * mapper rewrites them; write your own by implementing {@link ServiceMapper}.
 */
export interface ServiceMapper {
  /**
   * URL (no trailing slash) of a service. `plaintextPort`/`tlsPort` are -1 when that port is disabled.
   * @throws Error when the service cannot be reached from here (no mapping for its ports).
   */
  urlFor(host: string, plaintextPort: number, tlsPort: number, preferTls: boolean): string
}

function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/**
 * The default mapping: same host; `https` on the TLS port when `preferTls` and a TLS port exists, or when there
 * is no plaintext port; else `http` on the plaintext port.
 */
export class DefaultMapper implements ServiceMapper {
  urlFor(host: string, plaintextPort: number, tlsPort: number, preferTls: boolean): string {
    const tls = (preferTls && tlsPort > 0) || plaintextPort <= 0
    return tls ? `https://${hostPart(host)}:${tlsPort}` : `http://${hostPart(host)}:${plaintextPort}`
  }
}

/** Options of {@link DockerMapper}. */
export interface DockerMapperOptions {
  /** Host every service is reached at; default `'localhost'`. */
  dockerHost?: string
  /** `[external, internal]` port pairs, as in `docker run -p external:internal`. Unmapped ports stay as they are. */
  portMap?: readonly (readonly [number, number])[]
}

/**
 * Maps every service to `dockerHost` and each internal port to its published external port (pydruid2
 * `DockerMapper(docker_host, port_map)`); the TLS port is used when `preferTls` or when the plaintext port has no
 * mapping but the TLS port has.
 *
 * @example
 * const client = connect('http://localhost:18888', { mapper: new DockerMapper({ portMap: [[18081, 8081], [18888, 8888]] }) })
 */
export class DockerMapper implements ServiceMapper {
  readonly dockerHost: string
  readonly #ports: Map<number, number>

  constructor(options: DockerMapperOptions = {}) {
    this.dockerHost = options.dockerHost ?? 'localhost'
    this.#ports = new Map((options.portMap ?? []).map(([external, internal]) => [internal, external]))
  }

  urlFor(_host: string, plaintextPort: number, tlsPort: number, preferTls: boolean): string {
    const http = plaintextPort > 0 ? this.#ports.get(plaintextPort) : undefined
    const https = tlsPort > 0 ? this.#ports.get(tlsPort) : undefined
    const host = hostPart(this.dockerHost)
    if (https !== undefined && (preferTls || http === undefined)) return `https://${host}:${https}`
    if (http !== undefined) return `http://${host}:${http}`
    return new DefaultMapper().urlFor(this.dockerHost, plaintextPort, tlsPort, preferTls)
  }
}
