import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { UnsupportedNodeVersionError } from '../../src/core/errors.ts'
import { assertSupportedNode, MINIMUM_NODE_VERSION } from '../../src/core/node-version.ts'

// On a Node.js older than the dependencies need (undici 8: 22.19), importing an entry point must fail with a typed
// error naming the required version, not with undici's `Cannot read properties of undefined (reading 'bind')`.

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string }
  exports: Record<string, unknown>
}

describe('supported Node.js versions', () => {
  it('engines.node in package.json is the floor the runtime check enforces', () => {
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE_VERSION}`)
  })

  it('rejects older versions with UnsupportedNodeVersionError naming both versions', () => {
    for (const old of ['20.20.2', '22.18.9', 'v22.0.0', '18.19.1']) {
      let error: unknown
      try {
        assertSupportedNode(old)
      } catch (e) {
        error = e
      }
      expect(error, old).toBeInstanceOf(UnsupportedNodeVersionError)
      const e = error as UnsupportedNodeVersionError
      expect(e.message).toContain(`Node.js ${MINIMUM_NODE_VERSION} or newer`)
      expect(e.message).toContain(old)
      expect(e.code).toBe('UNSUPPORTED_NODE_VERSION')
      expect(e.retryable).toBe(false)
      expect({ found: e.found, required: e.required }).toEqual({ found: old, required: MINIMUM_NODE_VERSION })
    }
  })

  it('accepts the minimum and newer versions', () => {
    for (const ok of [MINIMUM_NODE_VERSION, '22.19.1', '22.20.0', '23.0.0', '24.21.0', 'v25.1.0', '26.0.0-pre']) {
      expect(() => assertSupportedNode(ok), ok).not.toThrow()
    }
    expect(() => assertSupportedNode()).not.toThrow()
  })

  it('every built entry point fails with the typed error before loading its dependencies on an older Node.js', async () => {
    // A child Node.js that reports 20.20.2 imports each entry from dist (built by `npm test` first).
    const entries = Object.keys(pkg.exports)
      .filter((key) => key !== './package.json' && key !== './errors')
      .map((key) => `dialectry${key.slice(1)}`)
    expect(entries.length).toBeGreaterThanOrEqual(8)
    const fakeOld = `data:text/javascript,Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.20.2' } })`
    const script = `
      const out = {}
      for (const entry of ${JSON.stringify(entries)}) {
        try { await import(entry); out[entry] = 'loaded' }
        catch (e) { out[entry] = e.name + ': ' + e.message }
      }
      console.log(JSON.stringify(out))`
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', fakeOld, '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
    })
    const results = JSON.parse(stdout) as Record<string, string>
    for (const entry of entries) {
      expect(results[entry], entry).toBe(
        `UnsupportedNodeVersionError: dialectry needs Node.js ${MINIMUM_NODE_VERSION} or newer; this is Node.js 20.20.2. Upgrade Node.js (https://nodejs.org/en/download).`,
      )
    }
  }, 60_000)
})
