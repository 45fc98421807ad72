import { describe, expect, it } from 'vitest'

// dialectry/testing/cratedb shows a user what they need — the server, provisioning, the test certificate and the
// error they may catch — and keeps the SQL translation, codecs and engine plumbing internal (tests import those
// by path). A new runtime export has to be added here on purpose.
describe('public surface', () => {
  it('dialectry/testing/cratedb exports only the server, provisioning, the test certificate and its error', async () => {
    const entry = (await import('../../src/testing/cratedb/index.ts')) as Record<string, unknown>
    expect(Object.keys(entry).sort()).toEqual(['CrateDBProvisionError', 'TEST_TLS_CERT', 'TEST_TLS_KEY', 'provisionCrateDB', 'startCrateDB'])
    for (const internal of ['tokenize', 'translateExpression', 'bindArgTypes', 'parseLosslessJson', 'CrateStore', 'CrateError']) {
      expect(entry[internal], internal).toBeUndefined()
    }
  })
})
