// Runs the public-type fixture (test/types/tsconfig.json: strict nodenext, noUncheckedIndexedAccess,
// exactOptionalPropertyTypes, skipLibCheck false) against the built declarations, as `npm test` does after the
// build. It fails on any diagnostic in dialectry's own declarations (dist/) or in the fixture. Diagnostics inside
// third-party declarations (node_modules/: drizzle-orm's dialects we do not use, PGlite's WebAssembly types) are
// counted and printed, not failed: an application with skipLibCheck false sees them whether it uses dialectry or
// not, and they are not ours to fix.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const tsc = spawnSync(`${root}node_modules/.bin/tsc`, ['-p', 'test/types/tsconfig.json', '--pretty', 'false'], { cwd: root, encoding: 'utf8' })
if (tsc.error !== undefined) throw tsc.error
const diagnostics = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((line) => /^\S.*\(\d+,\d+\): error TS\d+/.test(line))
const ours = diagnostics.filter((line) => !/^(?:[^(]*\/)?node_modules\//.test(line))
const theirs = diagnostics.length - ours.length
if (ours.length > 0 || (tsc.status !== 0 && diagnostics.length === 0)) {
  console.error(ours.length > 0 ? ours.join('\n') : `${tsc.stdout}${tsc.stderr}`)
  console.error(`test/types: ${ours.length} type error(s) in dialectry's declarations or the fixture`)
  process.exit(1)
}
console.log(`test/types: public types check under strict nodenext settings (${theirs} diagnostics in third-party declarations ignored)`)
