import { createHash } from 'node:crypto'
import { GREETING_SIZE } from './iproto-constants.ts'
import { ProtocolError } from './errors.ts'

/**
 * What the 128-byte server greeting says
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/authentication/).
 */
export interface Greeting {
  /** Server version as `major.minor.patch`, e.g. `2.6.0`. */
  version: string
  /** Version as one comparable number: major * 10000 + minor * 100 + patch (2.10.0 → 21000). */
  versionNumber: number
  /** Protocol name in parentheses; always `Binary` for IPROTO. */
  protocol: string
  /** Instance UUID from line 1, when present. */
  instanceUuid: string
  /** First 20 bytes of the decoded salt (what chap-sha1 uses). */
  salt: Buffer
}

/**
 * Parses the greeting. Trailing spaces and NULs are trimmed (the server pads with spaces, docs say NULs).
 *
 * @throws ProtocolError when the bytes are not a Tarantool IPROTO greeting (e.g. a Lua admin console).
 */
export function parseGreeting(bytes: Buffer): Greeting {
  if (bytes.length < GREETING_SIZE) throw new ProtocolError(`Greeting is ${bytes.length} bytes, expected ${GREETING_SIZE}`)
  const line1 = bytes.toString('latin1', 0, 63).replace(/[\s\0]+$/, '')
  const line2 = bytes.toString('latin1', 64, 127).replace(/[\s\0]+$/, '')
  const m = /^Tarantool (\d+)\.(\d+)\.(\d+)\S* \(([^)]+)\)\s*(\S*)/.exec(line1)
  if (!m) throw new ProtocolError(`Not a Tarantool greeting: ${JSON.stringify(line1.slice(0, 63))}`)
  const protocol = m[4]!
  if (protocol !== 'Binary') {
    throw new ProtocolError(`Tarantool endpoint speaks "${protocol}", not the binary protocol (IPROTO); connect to the listen port, not an admin console`)
  }
  const salt = Buffer.from(line2, 'base64')
  if (salt.length < 20) throw new ProtocolError('Tarantool greeting salt is shorter than 20 bytes')
  const [maj, min, patch] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return {
    version: `${maj}.${min}.${patch}`,
    versionNumber: maj * 10000 + min * 100 + patch,
    protocol,
    instanceUuid: m[5] ?? '',
    salt: salt.subarray(0, 20),
  }
}

/**
 * chap-sha1 scramble (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/authentication/,
 * tarantool/tarantool `src/scramble.c`): `SHA1(password) XOR SHA1(salt20 || SHA1(SHA1(password)))`, 20 bytes.
 */
export function chapSha1Scramble(password: string, salt: Buffer): Buffer {
  const step1 = createHash('sha1').update(password, 'utf8').digest()
  const step2 = createHash('sha1').update(step1).digest()
  const step3 = createHash('sha1').update(salt.subarray(0, 20)).update(step2).digest()
  for (let i = 0; i < 20; i++) step1[i] = step1[i]! ^ step3[i]!
  return step1
}
