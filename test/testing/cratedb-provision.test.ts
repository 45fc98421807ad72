import { describe, expect, it } from 'vitest'
import { connect } from '../../src/cratedb/index.ts'
import { CrateDBProvisionError, provisionCrateDB } from '../../src/testing/cratedb/provision.ts'

describe('provisionCrateDB', () => {
  it('CRATEDB_URL wins and nothing is started', async () => {
    const crate = await provisionCrateDB({ env: { CRATEDB_URL: 'http://db1:4200/ http://db2:4200/' }, source: 'container' })
    expect(crate).toMatchObject({ url: 'http://db1:4200/', urls: ['http://db1:4200/', 'http://db2:4200/'], source: 'env' })
    await crate.stop()
  })

  it("source 'child' runs the local server in another process, reachable until stop()", async () => {
    const crate = await provisionCrateDB({ env: {}, source: 'child', nodes: 2 })
    expect(crate.source).toBe('child')
    expect(crate.urls).toHaveLength(2)
    const client = connect(crate.urls)
    try {
      await client.execute('CREATE TABLE child_t (id INTEGER PRIMARY KEY)')
      await client.executeMany('INSERT INTO child_t (id) VALUES (?)', [[1], [2]])
      await client.refresh('child_t')
      expect((await client.execute('SELECT count(*) FROM child_t')).rows).toEqual([[2]])
      expect((await client.serverInfos()).map((i) => i.info?.version)).toEqual(['6.1.0', '6.1.0'])
    } finally {
      await client.close()
    }
    await crate.stop()
    const after = connect(crate.url)
    await expect(after.execute('SELECT 1')).rejects.toMatchObject({ name: 'ConnectionError' })
    await after.close()
  }, 60_000)

  it("source 'container' starts the real image where Docker answers, else fails at once with a clear error", async () => {
    const result = await provisionCrateDB({ env: {}, source: 'container' }).catch((e: unknown) => e)
    if (result instanceof CrateDBProvisionError) {
      // No Docker engine (as in CI): a clear error, not a hang.
      expect(result.code).toBe('NO_DOCKER')
      expect(result.message).toMatch(/Use source 'local' or 'child'.*or set CRATEDB_URL/)
      return
    }
    const crate = result as Awaited<ReturnType<typeof provisionCrateDB>>
    const client = connect(crate.url)
    try {
      expect((await client.execute('SELECT 1 + 1')).rows).toEqual([[2]])
    } finally {
      await client.close()
      await crate.stop()
    }
  }, 300_000)
})
