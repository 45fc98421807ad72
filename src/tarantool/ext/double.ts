import { InvalidArgumentError } from '../errors.ts'

/**
 * A JS number that must travel as MessagePack float64 (`CB` + 8 bytes big-endian) even when it is integral.
 *
 * Tarantool's `double` field type (and SQL `DOUBLE` columns) accept only MP_DOUBLE, not ints and not float32
 * (tarantool/tarantool `src/box/field_def.c`), while a plain integral number such as `5` is encoded as an int. Wrap
 * such
 * values: `[1, double(5)]`. Decoded float64 values come back as plain numbers, not as `Double`.
 *
 * @example
 * await client.insert('measurements', [1, double(20)]) // field 2 is `double`
 */
export class Double {
  /** The number to send; any JS number, including NaN and ±Infinity. */
  readonly value: number

  /** @throws InvalidArgumentError when `value` is not a number. */
  constructor(value: number) {
    if (typeof value !== 'number') throw new InvalidArgumentError(`Double: expected a number, got ${typeof value}`)
    this.value = value
  }

  /** The wrapped number. */
  valueOf(): number {
    return this.value
  }

  /** The wrapped number, so `JSON.stringify` shows it plainly. */
  toJSON(): number {
    return this.value
  }

  /** The wrapped number as text. */
  toString(): string {
    return String(this.value)
  }
}

/**
 * Shorthand for `new Double(value)`: forces float64 encoding of `value`.
 * @throws InvalidArgumentError when `value` is not a number.
 * @example
 * double(5) // encodes as CB 40 14 00 00 00 00 00 00
 */
export function double(value: number): Double {
  return new Double(value)
}
