import { readFileSync } from 'node:fs'
import type { ConnectionOptions } from 'node:tls'
import { DialectryError } from './errors.ts'

/**
 * TLS settings as drivers take them from users, turned into `tls.connect()` options by {@link resolveTlsOptions}.
 * Certificates and keys are given either as PEM text (a string containing `-----BEGIN`, or a Buffer) or as the
 * path of a PEM file.
 */
export interface TlsSettings {
  /**
   * Verify the server certificate chain and host name. Default `true` (secure by default); `false` accepts any
   * certificate, which only makes sense against a test server.
   */
  verify?: boolean
  /** CA certificate(s) to trust instead of Node's bundled roots: PEM text, Buffer, or file path. */
  ca?: string | Buffer
  /** Client certificate for mutual TLS: PEM text, Buffer, or file path. */
  cert?: string | Buffer
  /** Private key of {@link cert}: PEM text, Buffer, or file path. Default: read from the `cert` PEM itself. */
  key?: string | Buffer
  /**
   * Accept TLS 1.0 and 1.1 servers again (and the weaker ciphers OpenSSL 3 disables with them, security level
   * 0). Default `false`: Node's TLS 1.2 minimum.
   */
  relaxMinimumVersion?: boolean
}

/** `true` when `value` holds PEM text itself rather than naming a file. */
export function isPemContent(value: string | Buffer): boolean {
  return typeof value !== 'string' || value.includes('-----BEGIN')
}

function load(value: string | Buffer, what: string): string | Buffer {
  if (isPemContent(value)) return value
  try {
    return readFileSync(value)
  } catch (err) {
    // The value may be key material that is not PEM (base64 from an environment variable, say): neither it nor
    // the file system's message (which repeats it) may appear in the error.
    const code = (err as NodeJS.ErrnoException).code
    throw new DialectryError(
      `Cannot use the ${what}: the value (${value.length} characters) is not PEM text (no "-----BEGIN" line) and ` +
        `not a readable file${code !== undefined ? ` (${code})` : ''}. Pass an existing PEM file path or the PEM text itself.`,
      { code: 'INVALID_ARGUMENT' },
    )
  }
}

/**
 * Turns {@link TlsSettings} into options for `tls.connect()` (and undici's `connect` option). Files are read
 * synchronously, once, so a wrong path fails at configuration time rather than on the first request.
 *
 * @throws DialectryError (code `INVALID_ARGUMENT`) when a file cannot be read, or when `key` is given without
 *   `cert`.
 * @example
 * const tlsOptions = resolveTlsOptions({ ca: '/etc/ssl/my-ca.pem', verify: true })
 */
export function resolveTlsOptions(settings: TlsSettings): ConnectionOptions {
  const out: ConnectionOptions = {}
  const verify = settings.verify ?? true
  if (!verify) {
    out.rejectUnauthorized = false
    out.checkServerIdentity = () => undefined
  } else {
    out.rejectUnauthorized = true
  }
  if (settings.relaxMinimumVersion === true) {
    out.minVersion = 'TLSv1'
    out.ciphers = 'DEFAULT:@SECLEVEL=0'
  }
  if (settings.ca !== undefined) out.ca = load(settings.ca, 'CA certificate')
  if (settings.key !== undefined && settings.cert === undefined) {
    throw new DialectryError('A client key was given without its certificate; pass the certificate too', { code: 'INVALID_ARGUMENT' })
  }
  if (settings.cert !== undefined) {
    out.cert = load(settings.cert, 'client certificate')
    // Like urllib3: without a separate key, the certificate file is expected to hold the key as well.
    out.key = settings.key !== undefined ? load(settings.key, 'client key') : out.cert
  }
  return out
}
