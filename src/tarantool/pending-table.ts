/**
 * Requests in flight on one connection, keyed by sync id, without allocating per request.
 *
 * Slots are addressed by `sync & mask`. The connection asks {@link nextSync} for an id whose slot is free,
 * skipping ids whose slot is still taken by an older request (sync ids need not be consecutive), so a lookup
 * is one array read and a comparison. The table doubles when more requests are in flight than it has slots.
 */
export class PendingTable<T extends { sync: number }> {
  #slots: (T | undefined)[] = new Array(1024).fill(undefined)
  #mask = 1023
  #size = 0
  #last = 0

  /** Requests in the table. */
  get size(): number {
    return this.#size
  }

  /** A sync id (1 .. 2^32 - 16) whose slot is free now. Grows the table when it is more than half full. */
  nextSync(): number {
    if (this.#size * 2 >= this.#slots.length) this.#grow()
    let sync = this.#last
    do {
      sync = sync >= 0xfffffff0 ? 1 : sync + 1
    } while (this.#slots[sync & this.#mask] !== undefined)
    this.#last = sync
    return sync
  }

  /** Stores a request under its `sync` (which must come from {@link nextSync}, with no `set` since). */
  set(entry: T): void {
    this.#slots[entry.sync & this.#mask] = entry
    this.#size++
  }

  get(sync: number): T | undefined {
    const entry = this.#slots[sync & this.#mask]
    return entry !== undefined && entry.sync === sync ? entry : undefined
  }

  /** Removes the request if it is the one stored under its sync; returns whether it was. */
  delete(entry: T): boolean {
    const i = entry.sync & this.#mask
    if (this.#slots[i] !== entry) return false
    this.#slots[i] = undefined
    this.#size--
    return true
  }

  /** Removes and returns every request. */
  drain(): T[] {
    const out: T[] = []
    for (let i = 0; i < this.#slots.length; i++) {
      const e = this.#slots[i]
      if (e !== undefined) {
        out.push(e)
        this.#slots[i] = undefined
      }
    }
    this.#size = 0
    return out
  }

  #grow(): void {
    const old = this.#slots
    this.#slots = new Array(old.length * 2).fill(undefined)
    this.#mask = this.#slots.length - 1
    for (const e of old) if (e !== undefined) this.#slots[e.sync & this.#mask] = e
  }
}
