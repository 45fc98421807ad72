import { SchemaError } from './errors.ts'
import type { IndexRef, SpaceRef } from './request-options.ts'

/**
 * One field of a space format (`_vspace` field 6,
 * https://www.tarantool.io/en/doc/latest/reference/reference_lua/box_space/system_views/).
 */
export interface FieldFormat {
  name: string
  /** Box field type: `unsigned`, `integer`, `string`, `double`, `number`, `boolean`, `varbinary`, `scalar`, `any`, ... */
  type: string
  isNullable: boolean
  /** SQL default expression text, when the column has one (2.x). */
  default?: string
  /** Collation id. */
  collation?: number
}

/**
 * One index of a space (`_vindex`,
 * https://www.tarantool.io/en/doc/latest/reference/reference_lua/box_space/system_views/).
 */
export interface IndexInfo {
  spaceId: number
  id: number
  name: string
  /** `TREE`, `HASH`, `BITSET` or `RTREE`. */
  type: string
  unique: boolean
  /** Key parts: 0-based field numbers with their types. */
  parts: { field: number; type: string; isNullable: boolean }[]
}

/** One space (`_vspace`, https://www.tarantool.io/en/doc/latest/reference/reference_lua/box_space/system_views/). */
export interface SpaceInfo {
  id: number
  name: string
  engine: string
  fieldCount: number
  /** Flags map: `temporary`, `view` (SQL views), `sql` (view text), ... */
  flags: Record<string, unknown>
  format: FieldFormat[]
  /** Indexes by id in id order. */
  indexes: IndexInfo[]
}

/** `_vspace` and `_vindex` ids and their name indexes (tarantool/tarantool `src/box/schema_def.h`). */
export const VSPACE_ID = 281
export const VINDEX_ID = 289

/**
 * The schema as loaded from `_vspace` and `_vindex`, with the SCHEMA_VERSION it was loaded at.
 * Resolves space and index names to ids for IPROTO requests.
 */
export class Schema {
  readonly version: number
  readonly spaces: ReadonlyMap<number, SpaceInfo>
  readonly #byName: Map<string, SpaceInfo>

  constructor(version: number, spaceTuples: unknown[][], indexTuples: unknown[][]) {
    this.version = version
    const spaces = new Map<number, SpaceInfo>()
    this.#byName = new Map()
    for (const t of spaceTuples) {
      const space: SpaceInfo = {
        id: Number(t[0]),
        name: String(t[2]),
        engine: String(t[3]),
        fieldCount: Number(t[4] ?? 0),
        flags: isRecord(t[5]) ? t[5] : {},
        format: Array.isArray(t[6]) ? t[6].map(parseField) : [],
        indexes: [],
      }
      spaces.set(space.id, space)
      this.#byName.set(space.name, space)
    }
    for (const t of indexTuples) {
      const space = spaces.get(Number(t[0]))
      if (!space) continue
      const opts = isRecord(t[4]) ? t[4] : {}
      const parts = Array.isArray(t[5]) ? t[5] : []
      space.indexes.push({
        spaceId: space.id,
        id: Number(t[1]),
        name: String(t[2]),
        type: String(t[3]).toUpperCase(),
        unique: opts['unique'] === undefined ? true : opts['unique'] === true,
        parts: parts.map(parsePart),
      })
    }
    for (const space of spaces.values()) space.indexes.sort((a, b) => a.id - b.id)
    this.spaces = spaces
  }

  /** Looks a space up by name or id; `undefined` when absent. */
  space(ref: SpaceRef): SpaceInfo | undefined {
    return typeof ref === 'number' ? this.spaces.get(ref) : this.#byName.get(ref)
  }

  /**
   * Space id for a name or id.
   * @throws SchemaError when a name is unknown (ids pass through unchecked: the server validates them).
   */
  spaceId(ref: SpaceRef): number {
    if (typeof ref === 'number') return ref
    const space = this.#byName.get(ref)
    if (!space) throw new SchemaError(`No space named ${JSON.stringify(ref)} in the schema (loaded at version ${this.version}); check the name and the user's read privilege`)
    return space.id
  }

  /**
   * Index id for a name or id within a space.
   * @throws SchemaError when the space or index name is unknown.
   */
  indexId(spaceRef: SpaceRef, ref: IndexRef): number {
    if (typeof ref === 'number') return ref
    const space = this.space(spaceRef)
    if (!space) throw new SchemaError(`No space ${JSON.stringify(spaceRef)} in the schema to look index ${JSON.stringify(ref)} up in`)
    const index = space.indexes.find((i) => i.name === ref)
    if (!index) throw new SchemaError(`Space ${JSON.stringify(space.name)} has no index named ${JSON.stringify(ref)}; it has ${space.indexes.map((i) => i.name).join(', ') || 'none'}`)
    return index.id
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

function parseField(f: unknown): FieldFormat {
  if (!isRecord(f)) return { name: '', type: 'any', isNullable: true }
  const field: FieldFormat = {
    name: String(f['name'] ?? ''),
    type: String(f['type'] ?? 'any'),
    isNullable: f['is_nullable'] === true,
  }
  if (typeof f['default'] === 'string') field.default = f['default']
  if (typeof f['collation'] === 'number') field.collation = f['collation']
  return field
}

function parsePart(p: unknown): { field: number; type: string; isNullable: boolean } {
  // Modern rows are maps; legacy rows are [field, type] pairs (both read by tarantool/go-tarantool `schema.go`).
  if (Array.isArray(p)) return { field: Number(p[0]), type: String(p[1]), isNullable: false }
  if (isRecord(p)) return { field: Number(p['field']), type: String(p['type']), isNullable: p['is_nullable'] === true }
  return { field: 0, type: 'any', isNullable: false }
}
