/**
 * Formatting of e6data DATE / DATETIME / TIMESTAMP_TZ values (epoch microseconds, UTC) the way the connector's
 * "JDBC parity" code intends (e6data/e6data-python-connector `e6data_python_connector/date_time_utils.py`), but
 * with true floor division so instants before 1970 come out right (the connector double-adjusts negatives and
 * prints `1969-07-19T44:17:40`).
 *
 * Years 0-9999 print as 4 digits, later years as `+YYYYY`, negative years as `-YYYY` (proleptic Gregorian,
 * Java `LocalDate` range), so dates past year 9999 that the engine sends survive.
 */

const US_PER_DAY = 86_400_000_000
const US_PER_DAY_N = 86_400_000_000n

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`
}

function yearText(y: number): string {
  if (y > 9999) return `+${y}`
  if (y < 0) return `-${String(-y).padStart(4, '0')}`
  return String(y).padStart(4, '0')
}

/** Civil date of a day count since 1970-01-01 (Howard Hinnant, `civil_from_days`). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return { year, month, day }
}

const dateCache = new Map<number, string>()

/** `YYYY-MM-DD` of a day count, cached (results cluster on few days; the cache is bounded). */
function dateText(days: number): string {
  let s = dateCache.get(days)
  if (s === undefined) {
    const { year, month, day } = civilFromDays(days)
    s = `${yearText(year)}-${pad2(month)}-${pad2(day)}`
    if (dateCache.size >= 20_000) dateCache.clear()
    dateCache.set(days, s)
  }
  return s
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : `${i}`))
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'))

/** Splits epoch µs into whole days (floor) and µs within the day, exactly for any int64. */
function splitMicros(us: number | bigint): [days: number, micros: number] {
  if (typeof us === 'number') {
    const days = Math.floor(us / US_PER_DAY)
    let rem = us - days * US_PER_DAY
    // Rounding of us / US_PER_DAY near a day boundary for large |us| (only above 2^53, where us is a bigint).
    if (rem < 0) rem += US_PER_DAY
    return [days, rem]
  }
  let days = us / US_PER_DAY_N
  let rem = us % US_PER_DAY_N
  if (rem < 0n) {
    rem += US_PER_DAY_N
    days -= 1n
  }
  return [Number(days), Number(rem)]
}

/**
 * `YYYY-MM-DD` of an epoch-µs value (DATE vectors carry µs at UTC midnight).
 * @example formatDate(1770854400000000) // '2026-02-12'
 */
export function formatDate(us: number | bigint): string {
  return dateText(splitMicros(us)[0])
}

/** Offset in minutes east of UTC of a zone string at an instant; `undefined` for an unknown zone. */
export function zoneOffsetMinutes(zone: string, epochMs: number): number | undefined {
  if (zone === '' || zone === 'Z' || zone === 'UTC') return 0
  if (zone.includes(':')) {
    const m = /^([+-])(\d{1,2}):(\d{2})$/.exec(zone)
    if (m === null) return undefined
    const v = Number(m[2]) * 60 + Number(m[3])
    return m[1] === '-' ? -v : v
  }
  const fmt = formatterFor(zone)
  if (fmt === undefined) return undefined
  // Intl works on ms within ±8.64e15; clamp so far-away instants still get the zone's standard offset.
  const ms = Math.max(-8.64e15, Math.min(8.64e15, epochMs))
  const parts = fmt.formatToParts(ms)
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
  const m = /^GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/.exec(name)
  if (m === null || m[1] === undefined) return 0
  const v = Number(m[2]) * 60 + Number(m[3] ?? 0)
  return m[1] === '-' ? -v : v
}

const formatters = new Map<string, Intl.DateTimeFormat | undefined>()
function formatterFor(zone: string): Intl.DateTimeFormat | undefined {
  if (formatters.has(zone)) return formatters.get(zone)
  let f: Intl.DateTimeFormat | undefined
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
  } catch {
    f = undefined
  }
  if (formatters.size > 1000) formatters.clear()
  formatters.set(zone, f)
  return f
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const a = Math.abs(minutes)
  return `${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`
}

/**
 * ISO-8601 text of an epoch-µs instant in a zone: `YYYY-MM-DDTHH:MM:SS.mmm±HH:MM` (sub-millisecond digits are
 * truncated, as the connector does). `zone` is `±HH:MM`, `Z`, an IANA name, or empty/absent for UTC; an unknown
 * IANA name falls back to UTC.
 *
 * @example formatTimestamp(0, '+05:30') // '1970-01-01T05:30:00.000+05:30'
 */
export function formatTimestamp(us: number | bigint, zone?: string): string {
  let offset = 0
  if (zone !== undefined && zone !== '') {
    const ms = typeof us === 'number' ? Math.floor(us / 1000) : Number(us / 1000n)
    offset = zoneOffsetMinutes(zone, ms) ?? 0
  }
  let [days, micros] = splitMicros(us)
  if (offset !== 0) {
    micros += offset * 60_000_000
    if (micros < 0) {
      micros += US_PER_DAY
      days -= 1
    } else if (micros >= US_PER_DAY) {
      micros -= US_PER_DAY
      days += 1
    }
  }
  const ms = Math.floor(micros / 1000)
  const h = Math.floor(ms / 3_600_000)
  const mi = Math.floor(ms / 60_000) % 60
  const s = Math.floor(ms / 1000) % 60
  return `${dateText(days)}T${TWO_DIGITS[h]}:${TWO_DIGITS[mi]}:${TWO_DIGITS[s]}.${THREE_DIGITS[ms % 1000]}${offset === 0 ? '+00:00' : offsetText(offset)}`
}
