import { describe, expect, it } from 'vitest'
import { PendingTable } from '../../src/tarantool/pending-table.ts'

describe('PendingTable', () => {
  it('hands out syncs whose slot is free, finds entries by sync and grows past its size', () => {
    const t = new PendingTable<{ sync: number; n: number }>()
    const entries = Array.from({ length: 5000 }, (_, n) => {
      const e = { sync: t.nextSync(), n }
      t.set(e)
      return e
    })
    expect(new Set(entries.map((e) => e.sync)).size).toBe(5000)
    expect(t.size).toBe(5000)
    for (const e of entries) expect(t.get(e.sync)).toBe(e)
    expect(t.delete(entries[10]!)).toBe(true)
    expect(t.delete(entries[10]!)).toBe(false)
    expect(t.get(entries[10]!.sync)).toBeUndefined()
    expect(t.drain()).toHaveLength(4999)
    expect(t.size).toBe(0)
  })

  it('skips a sync whose slot is still held by a long-running request', () => {
    const t = new PendingTable<{ sync: number }>()
    const slow = { sync: t.nextSync() }
    t.set(slow)
    // Cycle through many short requests: none may land on the slow request's slot.
    for (let i = 0; i < 10_000; i++) {
      const e = { sync: t.nextSync() }
      expect(e.sync).not.toBe(slow.sync)
      t.set(e)
      expect(t.get(slow.sync)).toBe(slow)
      t.delete(e)
    }
    expect(t.get(slow.sync)).toBe(slow)
  })
})
