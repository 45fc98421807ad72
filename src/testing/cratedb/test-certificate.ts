/**
 * The TLS certificate and key the local CrateDB server uses for `tls: true` — **for tests only; the private key is
 * public**. A self-signed P-256 certificate for `CN=localhost` with subject alternative names `DNS:localhost`,
 * `IP:127.0.0.1` and `IP:::1`, valid for 100 years. The same PEM texts are in `test-cert.pem` / `test-key.pem`
 * next to this file (for curl: `curl --cacert src/testing/cratedb/test-cert.pem https://127.0.0.1:<port>/`).
 *
 * Generated once with:
 *
 * ```sh
 * openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
 *   -keyout test-key.pem -out test-cert.pem -days 36500 \
 *   -subj "/CN=localhost/O=dialectry test certificate (not secret)" \
 *   -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
 *   -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyCertSign" \
 *   -addext "extendedKeyUsage=serverAuth"
 * ```
 *
 * Clients trust it by passing the certificate as their CA (e.g. undici `new Agent({ connect: { ca: TEST_TLS_CERT } })`).
 *
 * @example
 * import { TEST_TLS_CERT } from 'dialectry/testing/cratedb'
 * import { Agent, fetch } from 'undici'
 *
 * const response = await fetch(server.url, { dispatcher: new Agent({ connect: { ca: TEST_TLS_CERT } }) })
 */
export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIICNzCCAd6gAwIBAgIUYd+1Oxouzgm7eqt8pRSOtnnaBpkwCgYIKoZIzj0EAwIw
RjESMBAGA1UEAwwJbG9jYWxob3N0MTAwLgYDVQQKDCdkaWFsZWN0cnkgdGVzdCBj
ZXJ0aWZpY2F0ZSAobm90IHNlY3JldCkwIBcNMjYxMTIyMDExMTEzWhgPMjEyNjEw
MjkwMTExMTNaMEYxEjAQBgNVBAMMCWxvY2FsaG9zdDEwMC4GA1UECgwnZGlhbGVj
dHJ5IHRlc3QgY2VydGlmaWNhdGUgKG5vdCBzZWNyZXQpMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEPXI/OeZcOSdNhaiHTaYRHZy8Y013Vfybqs3q963DC/547sZx
4XnY/vODKqlMMexjzXtt2Mj4B2LNCYwz+w8afqOBpzCBpDAdBgNVHQ4EFgQUVSvl
Dx3bcppBq1Ul7L2lyts0GYQwHwYDVR0jBBgwFoAUVSvlDx3bcppBq1Ul7L2lyts0
GYQwLAYDVR0RBCUwI4IJbG9jYWxob3N0hwR/AAABhxAAAAAAAAAAAAAAAAAAAAAB
MA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgKEMBMGA1UdJQQMMAoGCCsG
AQUFBwMBMAoGCCqGSM49BAMCA0cAMEQCIGn1i0hRrPsIJOB8KuGRGnmFciDCRleL
COKv+EMW8/JvAiBqMTYVLuOH3dzwK/320tRlU77TCnfPWwA69Ty+uLlgrw==
-----END CERTIFICATE-----
`

/** Private key of {@link TEST_TLS_CERT} (PEM, PKCS#8). Public knowledge: never use it outside tests. */
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSwJmMtxjZKSJk+EW
H+qZcnSqYdZQmoE+zg25BMYn92ahRANCAAQ9cj855lw5J02FqIdNphEdnLxjTXdV
/Juqzer3rcML/njuxnHhedj+84MqqUwx7GPNe23YyPgHYs0JjDP7Dxp+
-----END PRIVATE KEY-----
`
