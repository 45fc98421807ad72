/**
 * `dialectry/testing/cratedb`: a local CrateDB server for tests, the demo and benchmarks — Node HTTP(S) listeners
 * that speak CrateDB's HTTP protocol (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html) over an embedded PostgreSQL (PGlite, an
 * optional peer dependency), with CrateDB's SQL translated to PostgreSQL.
 *
 * - {@link startCrateDB}: any number of nodes sharing one store; stop/start nodes for failover tests; HTTPS with
 *   the bundled test certificate; Basic/Bearer authentication; the refresh (eventual consistency) knob.
 * - {@link provisionCrateDB}: what integration suites use: `CRATEDB_URL` when set, else the local server in this
 *   process or in a child process, or the real `crate` image through testcontainers where Docker answers.
 * - {@link TEST_TLS_CERT} / {@link TEST_TLS_KEY}: the public test certificate (trust it as a CA in clients).
 *
 * Faithful to CrateDB (docs under https://cratedb.com/docs/crate/reference/en/latest/, crate/crate classes named):
 * `/_sql` flags `types` and `error_trace` (only empty or `true`), body validation and its
 * errors (`SQLRequestParser`), success shapes and field order (`interfaces/http.html`: `cols`, `col_types`, `rows`,
 * `rowcount`, float `duration`;
 * DML → `rows:[[]]`), bulk responses with per-row `{rowcount:-2, error}` for runtime failures (5.10+ semantics,
 * `interfaces/http.html#http-bulk-errors`), the error envelope and code → status table (`HttpErrorStatus`), `col_types`
 * ids and value encodings (`interfaces/http.html#http-column-types`:
 * epoch-ms timestamps, `[lon, lat]`, exact BIGINT/NUMERIC digits, `[100, inner]` arrays), `GET /`/`HEAD /`
 * (`MainAndStaticFileHandler`),
 * blobs (`general/blobs.html`), sessions per TCP connection reading `Default-Schema` only at creation
 * (`SqlHttpHandler`), BEGIN/COMMIT
 * no-ops and ROLLBACK rejected (`appendices/compatibility.html`), system columns and optimistic concurrency
 * (`general/occ.html`: a stale `_seq_no` updates
 * nothing; `_seq_no`/`_primary_term` anywhere but next to `=` on the whole primary key, AND-ed with nothing else,
 * is a `VersioningValidationException`, 400/4000; writing a system column is `InvalidColumnNameException` 400/4008
 * in an INSERT column list and `ColumnValidationException` 400/4003 as an UPDATE or `ON CONFLICT … DO UPDATE`
 * target, as CrateDB's analyzers answer), `information_schema` values (`general/information-schema.html`), column types
 * CrateDB cannot store
 * (TIME WITH TIME ZONE, INTERVAL, JSON, REG*, OIDVECTOR, arrays of them, NUMERIC without precision or above 38 —
 * ``UnsupportedFeatureException[Type `interval` does not support storage]``, 400/4004, also through CREATE TABLE AS
 * and ADD COLUMN; casts to them work; a bare TIME is an unknown type, 400/4000), and CrateDB's grammar where
 * PostgreSQL's is wider: ParsingException 400/4000 for `FOR UPDATE`/`FOR SHARE`, `DISTINCT ON`, `LATERAL`, `WITH
 * RECURSIVE`, `AS [NOT] MATERIALIZED`, data-modifying WITH, bracketed set-operation operands and statements
 * (`(SELECT …) UNION (SELECT …)`), `INTERSECT`/`EXCEPT` with ALL/DISTINCT or chained, `TABLE t`, `INSERT INTO t AS
 * alias`, `INSERT … DEFAULT VALUES`, `ON CONFLICT ON CONSTRAINT`, `ON CONFLICT DO UPDATE` without target, `ON
 * CONFLICT … WHERE`, `DELETE … RETURNING/USING`, `UPDATE … FROM` (checked on tokens, never inside literals).
 *
 * Simplifications (what differs from a real CrateDB):
 * - **One engine, one statement at a time.** PGlite is single-connection and runs on the event loop: statements of
 *   all sessions and nodes are serialised; a long statement blocks the process. KILL fails statements still
 *   waiting for the engine (500/5005) but cannot interrupt the one running; it returns how many jobs it hit.
 * - **Cursors are materialised**: DECLARE runs the query and keeps the encoded rows in the session (memory grows
 *   with the result); FETCH/MOVE follow PostgreSQL's position rules, BACKWARD/ABSOLUTE only on SCROLL cursors.
 * - **System columns** `_id`, `_seq_no`, `_primary_term`, `_version` are real columns appended to every table
 *   made by CREATE TABLE: `_seq_no` comes from one sequence for all tables (default on INSERT, a trigger on
 *   UPDATE), `_primary_term` is always 1, `_version` counts updates, `_id` is the primary key as text (a
 *   generated column; a JSON array for composite or date/time keys, set by a trigger; random without a key).
 *   `*` in SELECT lists over plain tables (also in subqueries, INSERT … SELECT, CREATE VIEW/TABLE … AS) is
 *   expanded to the user columns; elsewhere (RETURNING *, FROM subqueries, NATURAL/USING joins) system columns
 *   are dropped from results unless the statement names them. `INSERT INTO t VALUES (…)` gets an explicit
 *   column list. `_score` and `_docid` do not exist (writing them is still rejected like the others).
 * - **Eventual consistency** (`refreshInterval`): implemented with row-level security — searches run as a role
 *   that only sees rows whose `_seq_no` is at most the table's refreshed sequence. A row updated or deleted since
 *   the last refresh stays visible to searches in its refreshed version: a trigger keeps that image, and each
 *   search sees the images as an inheritance child of the table, created before and dropped after the search
 *   (a few milliseconds per search while such images exist). The reads CrateDB runs as searches inside writes see
 *   the same: an UPDATE/DELETE without a primary-key filter changes the newest version of the rows a search finds
 *   (`WHERE "_id" IN (<search>)`; rows written since the refresh are not found, rows deleted since are found but
 *   no longer changed), and the query of INSERT … SELECT and CREATE TABLE AS, and subqueries of INSERT/UPDATE/
 *   DELETE, read refreshed rows — through `crate_sys.refreshed_rows(NULL::<table>)`, which reads the whole table
 *   (no index use) once per statement. Primary-key lookups see the newest rows: a SELECT, UPDATE or DELETE whose
 *   WHERE clause compares every key column (or `_id`) with `=` or `IN (…)` to literals or parameters in its
 *   top-level AND chain (other conditions may be AND-ed to it), and an INSERT … SELECT whose
 *   query is such a single-table SELECT. OR-lists of key equalities (`id = 1 OR id = 2`, a real-time lookup in
 *   CrateDB) count as searches here. The automatic refresh refreshes all tables every `refreshInterval` ms (no
 *   per-table interval, no idle tables).
 * - **Types**: OBJECT is jsonb (typed sub-columns are not enforced; `OBJECT(STRICT)` refuses undeclared keys with
 *   `ColumnUnknownException` 404/4043 as CrateDB does
 *   (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#object), except inside arrays;
 *   `information_schema` lists no `obj['key']` sub-columns), GEO_POINT is `double precision[]` (`[lon, lat]`; WKT strings are accepted
 *   as arguments and in `distance()`, not as SQL literals), GEO_SHAPE is jsonb, FLOAT_VECTOR is `real[]`, IP is
 *   inet, BYTE is smallint, arrays are PostgreSQL arrays (rectangular: jagged nested arrays are rejected, arrays
 *   of geo_point are 2-D). Object sub-column reads `o['k']` are jsonb; compared with strings they are text, with
 *   numbers numeric (`col_types` 22), with parameters (`=`, `<>`, `<`, `>`, `<=`, `>=`, IN, BETWEEN) typed by the
 *   bound value — numeric for a JSON number, boolean for a boolean, else text — where CrateDB uses the
 *   sub-column's type (the same unless a sub-column holds values of mixed types; a non-numeric value compared
 *   with a number fails the statement). Sub-column types of `OBJECT AS (…)` are only checked for storability.
 *   CREATE TABLE AS checks the storability of its columns by their PostgreSQL types. Unnamed result columns take
 *   CrateDB-like names for SELECT lists only where this module can derive them.
 * - **Grammar**: only the PostgreSQL-only syntax listed above is rejected; other PostgreSQL syntax and functions
 *   that CrateDB lacks reach PostgreSQL instead of failing with CrateDB's error (e.g. `FETCH … WITH TIES`,
 *   `UPDATE … SET (a, b) = (…)`, `ON CONFLICT (expr)`, `SELECT … INTO`, PostgreSQL-only functions and operators,
 *   `INSERT INTO t (…) (SELECT …) UNION …`). Set operations keep PostgreSQL's precedence (`a UNION b EXCEPT c` is
 *   `(a UNION b) EXCEPT c`; CrateDB reads `a UNION (b EXCEPT c)`). Updating primary-key, clustered-by or partition
 *   columns is allowed (CrateDB: ColumnValidationException).
 * - **Not available**: full-text search (MATCH, analyzers), KNN_MATCH, geo shapes functions (within,
 *   intersects), partitions (PARTITIONED BY is recorded, not applied), UDFs, users/privileges DDL (users come from
 *   the `users` option), COPY, snapshots, SHOW CREATE TABLE, TRY_CAST (behaves like CAST).
 * - **Errors**: PostgreSQL errors are mapped to CrateDB's exception names and codes; the message details are
 *   PostgreSQL's wording where CrateDB's cannot be reproduced. Multi-row INSERT and INSERT … SELECT are atomic
 *   (CrateDB reports partial success). A bulk request runs its rows in one engine transaction and replays
 *   around failing rows, so each row behaves as if it ran alone; an argument PostgreSQL cannot parse fails the
 *   whole request (rows before an earlier failing row stay written). Every failed bulk row carries its `error`
 *   (no 10-per-shard cap).
 * - **Blobs** live in memory; every node holds every blob, so there are no 307 redirects.
 * - **sys tables**: `sys.nodes`, `sys.cluster` and `sys.jobs` exist with the columns clients read (`id`, `name`,
 *   `rest_url`, `port`, `version`, `heap`/`mem`/`load` with fixed values); other sys tables do not.
 * - **Start-up**: the first server in a process loads a bootstrapped PGlite data directory cached in the OS temp
 *   directory (`dialectry-cratedb-pglite-<hash>.tar`, ~40 MB); without it, initdb takes about 5 s. The
 *   `imageCache` option of {@link startCrateDB} moves it (a directory) or turns it off (`false`).
 *
 * @example
 * import { startCrateDB } from 'dialectry/testing/cratedb'
 *
 * const crate = await startCrateDB()
 * console.log(crate.url) // http://127.0.0.1:40211/
 * await crate.stop()
 */
import '../../core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
// Only what a user of the server needs is public: the server, its options and handle, provisioning and the test
// certificate. The SQL translation, codecs and engine plumbing behind it are internal (tests import them by path).
export { startCrateDB, type LocalCrateDB, type StartCrateDBOptions } from './start-cratedb.ts'
export type { CrateHttpNode, HttpNodeOptions } from './http-node.ts'
export type { CrateStore, CrateStoreOptions } from './crate-store.ts'
export { TEST_TLS_CERT, TEST_TLS_KEY } from './test-certificate.ts'
export { CrateDBProvisionError } from './provision-error.ts'
export { provisionCrateDB, type CrateDBSource, type ProvisionCrateDBOptions, type ProvisionedCrateDB } from './provision.ts'
