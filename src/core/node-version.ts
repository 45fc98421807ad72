import { UnsupportedNodeVersionError } from './errors.ts'

/**
 * The oldest Node.js release dialectry runs on; `engines.node` in package.json says the same (`>=22.19.0`).
 * It is the newest floor among the runtime dependencies: undici 8 declares `node >=22.19.0`
 * (https://github.com/nodejs/undici/blob/main/package.json), kysely `>=22.0.0`.
 */
export const MINIMUM_NODE_VERSION = '22.19.0'

function parts(version: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version)
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])]
}

/**
 * Throws when `version` is older than `minimum`. Versions are compared as `major.minor.patch` numbers; a leading
 * `v` and any pre-release or build suffix are ignored. A version that is not in that form is let through (Node
 * always reports one; other runtimes that claim Node compatibility may not).
 *
 * @param version The running version; default `process.versions.node`.
 * @param minimum Default {@link MINIMUM_NODE_VERSION}.
 * @throws UnsupportedNodeVersionError when `version` is older than `minimum`.
 * @example
 * assertSupportedNode('20.20.2') // throws: dialectry needs Node.js 22.19.0 or newer; this is Node.js 20.20.2. …
 */
export function assertSupportedNode(version: string = process.versions.node, minimum: string = MINIMUM_NODE_VERSION): void {
  const found = parts(version)
  const need = parts(minimum)
  if (found === undefined || need === undefined) return
  for (let i = 0; i < 3; i++) {
    if (found[i]! > need[i]!) return
    if (found[i]! < need[i]!) throw new UnsupportedNodeVersionError(version, minimum)
  }
}
