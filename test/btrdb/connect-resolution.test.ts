import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthenticationError, connect, ConnectionError, CredentialsError, InvalidValueError, resolveCredentials } from '../../src/btrdb/index.ts'
import { startBTrDB, type LocalBTrDB } from '../../src/testing/btrdb/index.ts'
import { TEST_TLS_CERT } from '../../src/testing/cratedb/index.ts'
import { usesTls } from '../../src/btrdb/grpc-transport.ts'

/** Where connect() takes endpoints and API key from: profile, then environment, then arguments (btrdb-python's order). */
let home: string
const FILE = `
default:
  name: default
  btrdb:
    endpoints: default-host:4411
    api_key: DEFAULTKEY
research:
  name: research
  btrdb:
    endpoints: research-host:4410
    api_key: RESEARCHKEY
`
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'btrdb-home-'))
  mkdirSync(join(home, '.predictivegrid'))
  writeFileSync(join(home, '.predictivegrid', 'credentials.yaml'), FILE)
})
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('credential resolution', () => {
  it('uses the default profile when nothing else is given', () => {
    expect(resolveCredentials({ env: {}, home })).toEqual({ endpoints: ['default-host:4411'], apikey: 'DEFAULTKEY' })
  })
  it('uses the BTRDB_PROFILE profile instead of default', () => {
    expect(resolveCredentials({ env: { BTRDB_PROFILE: 'research' }, home })).toEqual({ endpoints: ['research-host:4410'], apikey: 'RESEARCHKEY' })
  })
  it('lets the environment override the profile, field by field', () => {
    expect(resolveCredentials({ env: { BTRDB_ENDPOINTS: 'env-host:4411' }, home })).toEqual({ endpoints: ['env-host:4411'], apikey: 'DEFAULTKEY' })
    expect(resolveCredentials({ env: { BTRDB_API_KEY: 'ENVKEY' }, home })).toEqual({ endpoints: ['default-host:4411'], apikey: 'ENVKEY' })
  })
  it('lets the arguments override the environment and the profile', () => {
    const env = { BTRDB_ENDPOINTS: 'env-host:4411', BTRDB_API_KEY: 'ENVKEY' }
    expect(resolveCredentials({ env, home, endpoints: 'arg-host:4410' })).toEqual({ endpoints: ['arg-host:4410'], apikey: 'ENVKEY' })
    expect(resolveCredentials({ env, home, endpoints: 'a:4411,b:4411', apikey: 'ARGKEY' })).toEqual({ endpoints: ['a:4411', 'b:4411'], apikey: 'ARGKEY' })
  })
  it('uses an explicit profile alone, ignoring the environment', () => {
    const env = { BTRDB_ENDPOINTS: 'env-host:4411', BTRDB_API_KEY: 'ENVKEY', BTRDB_PROFILE: 'default' }
    expect(resolveCredentials({ env, home, profile: 'research' })).toEqual({ endpoints: ['research-host:4410'], apikey: 'RESEARCHKEY' })
  })
  it('rejects a profile together with endpoints, and unknown profiles', () => {
    expect(() => resolveCredentials({ env: {}, home, profile: 'research', endpoints: 'x:4410' })).toThrow(InvalidValueError)
    expect(() => resolveCredentials({ env: {}, home, profile: 'nope' })).toThrow(CredentialsError)
    expect(() => resolveCredentials({ env: { BTRDB_PROFILE: 'nope' }, home })).toThrow(CredentialsError)
  })
  it('works without a credentials file and fails clearly without endpoints', () => {
    const empty = mkdtempSync(join(tmpdir(), 'btrdb-empty-'))
    try {
      expect(resolveCredentials({ env: { BTRDB_ENDPOINTS: 'h:4410' }, home: empty })).toEqual({ endpoints: ['h:4410'], apikey: undefined })
      expect(() => resolveCredentials({ env: {}, home: empty })).toThrow(ConnectionError)
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})

describe('connect() against the local server', () => {
  let server: LocalBTrDB
  beforeAll(async () => {
    server = await startBTrDB({ apiKey: 'SECRET', tls: true })
  })
  afterAll(() => server.stop())

  it('reads BTRDB_ENDPOINTS and BTRDB_API_KEY when called without arguments, and sends the key as bearer metadata', async () => {
    const db = await connect({ env: { BTRDB_ENDPOINTS: server.endpoint, BTRDB_API_KEY: 'SECRET' }, home, onWarning: () => {} })
    expect((await db.info()).majorVersion).toBe(5)
    db.close()
  })
  it('connects with a profile from $HOME/.predictivegrid/credentials.yaml', async () => {
    const h = mkdtempSync(join(tmpdir(), 'btrdb-home-'))
    mkdirSync(join(h, '.predictivegrid'))
    writeFileSync(join(h, '.predictivegrid', 'credentials.yaml'), `lab:\n  btrdb:\n    endpoints: ${server.endpoint}\n    api_key: SECRET\n`)
    try {
      const db = await connect({ profile: 'lab', home: h, env: {}, onWarning: () => {} })
      expect(db.endpoints).toEqual([server.endpoint])
      db.close()
    } finally {
      rmSync(h, { recursive: true, force: true })
    }
  })
  it('refuses a wrong key with AuthenticationError', async () => {
    await expect(connect(server.endpoint, { apikey: 'WRONG', env: {}, home, onWarning: () => {} })).rejects.toThrow(AuthenticationError)
  })
  it('warns when the key goes over plaintext', async () => {
    const warnings: string[] = []
    const db = await connect(server.endpoint, { apikey: 'SECRET', env: {}, home, onWarning: (w) => warnings.push(w) })
    db.close()
    expect(warnings.join()).toMatch(/without TLS/)
    expect(warnings.join()).not.toContain('SECRET')
  })
  it('verifies TLS certificates by default and accepts a custom CA', async () => {
    const tls = server.tlsEndpoint!
    await expect(connect(tls, { apikey: 'SECRET', env: {}, home, tls: { enabled: true }, connectTimeout: 3000 })).rejects.toThrow(ConnectionError)
    const db = await connect(tls, { apikey: 'SECRET', env: {}, home, tls: { enabled: true, ca: TEST_TLS_CERT } })
    expect((await db.info()).majorVersion).toBe(5)
    db.close()
  })
  it('uses TLS on port 4411 and plaintext on 4410 unless tls.enabled says otherwise', () => {
    expect(usesTls('btrdb.example:4411', undefined)).toBe(true)
    expect(usesTls('btrdb.example:4410', undefined)).toBe(false)
    expect(usesTls('btrdb.example:4411', { enabled: false })).toBe(false)
    expect(usesTls('btrdb.example:9000', { enabled: true })).toBe(true)
  })
  it('info() returns the version, build and proxy endpoints', async () => {
    const db = await connect(server.endpoint, { apikey: 'SECRET', env: {}, home, onWarning: () => {} })
    const info = await db.info()
    db.close()
    expect(info).toEqual({ majorVersion: 5, minorVersion: 34, build: expect.any(String), proxy: { proxyEndpoints: [server.endpoint, server.tlsEndpoint] } })
  })
  it('trusts the CA bundle named by BTRDB_CA_BUNDLE', async () => {
    const bundle = join(home, 'ca.pem')
    writeFileSync(bundle, TEST_TLS_CERT)
    const db = await connect(server.tlsEndpoint!, { apikey: 'SECRET', env: { BTRDB_CA_BUNDLE: bundle }, home, tls: { enabled: true } })
    expect((await db.info()).majorVersion).toBe(5)
    db.close()
  })
  it('fails over to the next endpoint when the first does not answer', async () => {
    const db = await connect(['127.0.0.1:1', server.endpoint], { apikey: 'SECRET', env: {}, home, onWarning: () => {} })
    expect((await db.info()).majorVersion).toBe(5)
    db.close()
  })
})
