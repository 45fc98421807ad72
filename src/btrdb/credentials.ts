import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ConnectionError, CredentialsError, InvalidValueError } from './errors.ts'

/**
 * Where connect() finds its endpoints and API key: a profile of `$HOME/.predictivegrid/credentials.yaml`, the
 * environment (`BTRDB_ENDPOINTS`, `BTRDB_API_KEY`, `BTRDB_PROFILE`), and the arguments. Follows
 * PingThingsIO/btrdb-python `btrdb/__init__.py` (`connect`, `_connect`) and `btrdb/utils/credentials.py`.
 *
 * The file's format (top-level keys are profile names):
 *
 * ```yaml
 * default:
 *   name: default
 *   btrdb:
 *     endpoints: btrdb.example.com:4411
 *     api_key: 0123456789ABCDEF
 * research:
 *   btrdb:
 *     endpoints: research.example.com:4411
 *     api_key: FEDCBA9876543210
 * ```
 */

/** Endpoints and API key as resolved. */
export interface ResolvedCredentials {
  /** `host:port` strings, in the order given. */
  endpoints: string[]
  /** API key, or `undefined` to connect as the public user. */
  apikey: string | undefined
}

/** Inputs of {@link resolveCredentials}. */
export interface CredentialSources {
  /** Endpoints from the arguments: one `host:port`, a comma-separated list, or an array. */
  endpoints?: string | readonly string[]
  /** API key from the arguments. */
  apikey?: string
  /** Profile name from the arguments; excludes `endpoints`. */
  profile?: string
  /** Environment; default `process.env`. */
  env?: Record<string, string | undefined>
  /** Home directory holding `.predictivegrid/credentials.yaml`; default `os.homedir()` (honours `$HOME`). */
  home?: string
}

/** Parses endpoints given as one string (comma-separated) or an array; empty entries are dropped. */
export function parseEndpoints(value: string | readonly string[]): string[] {
  const list = typeof value === 'string' ? value.split(',') : [...value]
  return list.map((e) => e.trim()).filter((e) => e.length > 0)
}

/** Path of the credentials file under `home`. */
export function credentialsPath(home: string): string {
  return join(home, '.predictivegrid', 'credentials.yaml')
}

type Profile = { endpoints?: string[]; apikey?: string }

/**
 * Reads every profile of the credentials file; `undefined` when the file does not exist.
 * @throws CredentialsError when the file exists but cannot be read or is not a YAML mapping.
 */
export function readCredentialsFile(home: string): Record<string, Profile> | undefined {
  const path = credentialsPath(home)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CredentialsError(`Cannot read the BTrDB credentials file ${path}: ${(err as Error).message}`, { code: 'CREDENTIALS_FILE', cause: err })
  }
  let doc: unknown
  try {
    doc = parse(text)
  } catch (err) {
    throw new CredentialsError(`The BTrDB credentials file ${path} is not valid YAML: ${(err as Error).message}`, { code: 'CREDENTIALS_FILE', cause: err })
  }
  if (doc === null || doc === undefined) return {}
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CredentialsError(`The BTrDB credentials file ${path} must map profile names to settings`, { code: 'CREDENTIALS_FILE' })
  }
  const out: Record<string, Profile> = {}
  for (const [name, entry] of Object.entries(doc as Record<string, unknown>)) {
    const btrdb = (entry as { btrdb?: Record<string, unknown> } | null)?.btrdb ?? {}
    const p: Profile = {}
    if (typeof btrdb.endpoints === 'string' || Array.isArray(btrdb.endpoints)) p.endpoints = parseEndpoints(btrdb.endpoints as string | string[])
    const key = btrdb.api_key ?? btrdb.apikey
    if (typeof key === 'string' && key.length > 0) p.apikey = key
    out[name] = p
  }
  return out
}

/**
 * Resolves endpoints and API key exactly as btrdb-python does:
 * - `profile` together with `endpoints` is an error;
 * - with `profile`, only that profile is used (an error when the file or the profile is missing);
 * - otherwise later sources override earlier ones, field by field: (1) the profile named by `BTRDB_PROFILE`, or
 *   `default` (skipped when the file or a `default` profile does not exist), (2) `BTRDB_ENDPOINTS` /
 *   `BTRDB_API_KEY`, (3) the arguments.
 *
 * @throws InvalidValueError when both `profile` and `endpoints` are given.
 * @throws CredentialsError when a named profile (argument or `BTRDB_PROFILE`) is not in the file.
 * @throws ConnectionError (code `NO_CREDENTIALS`) when no endpoint results.
 * @example resolveCredentials({ env: process.env }) // { endpoints: ['btrdb.example.com:4411'], apikey: '…' }
 */
export function resolveCredentials(sources: CredentialSources = {}): ResolvedCredentials {
  const env = sources.env ?? process.env
  const home = sources.home ?? env.HOME ?? homedir()
  const argEndpoints = sources.endpoints !== undefined ? parseEndpoints(sources.endpoints) : undefined
  if (sources.profile !== undefined && argEndpoints !== undefined && argEndpoints.length > 0) {
    throw new InvalidValueError('Pass either endpoints or a profile to connect(), not both', { code: 'INVALID_ARGUMENT' })
  }
  let endpoints: string[] = []
  let apikey: string | undefined
  if (sources.profile !== undefined) {
    const profile = lookupProfile(home, sources.profile, true)!
    endpoints = profile.endpoints ?? []
    apikey = profile.apikey
    if (sources.apikey !== undefined) apikey = sources.apikey
  } else {
    const envProfile = env.BTRDB_PROFILE
    const profile = lookupProfile(home, envProfile !== undefined && envProfile !== '' ? envProfile : 'default', envProfile !== undefined && envProfile !== '')
    if (profile?.endpoints !== undefined) endpoints = profile.endpoints
    if (profile?.apikey !== undefined) apikey = profile.apikey
    if (env.BTRDB_ENDPOINTS !== undefined && env.BTRDB_ENDPOINTS !== '') endpoints = parseEndpoints(env.BTRDB_ENDPOINTS)
    if (env.BTRDB_API_KEY !== undefined && env.BTRDB_API_KEY !== '') apikey = env.BTRDB_API_KEY
    if (argEndpoints !== undefined && argEndpoints.length > 0) endpoints = argEndpoints
    if (sources.apikey !== undefined) apikey = sources.apikey
  }
  if (endpoints.length === 0) {
    throw new ConnectionError(
      'Could not determine the BTrDB endpoints to use: pass connect("host:4411"), set BTRDB_ENDPOINTS, or add a profile to ~/.predictivegrid/credentials.yaml',
      { code: 'NO_CREDENTIALS' },
    )
  }
  return { endpoints, apikey }
}

function lookupProfile(home: string, name: string, required: boolean): Profile | undefined {
  const file = readCredentialsFile(home)
  if (file === undefined) {
    if (!required) return undefined
    throw new CredentialsError(`BTrDB profile "${name}" was asked for but ${credentialsPath(home)} does not exist`, { code: 'CREDENTIALS_FILE_NOT_FOUND' })
  }
  const profile = file[name]
  if (profile === undefined && required) {
    throw new CredentialsError(`BTrDB profile "${name}" is not in ${credentialsPath(home)} (profiles: ${Object.keys(file).join(', ') || 'none'})`, { code: 'PROFILE_NOT_FOUND' })
  }
  return profile
}
