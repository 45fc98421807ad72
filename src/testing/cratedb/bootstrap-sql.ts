/**
 * The PostgreSQL objects that make a fresh PGlite look like CrateDB to the statements the translator produces:
 *
 * - schemas `doc`, `blob`, `sys` (CrateDB's own) and `crate_sys` (server internals), `crate_fn` (functions
 *   on the search path), `crate_info` (what `information_schema.*` is rewritten to); `public` is dropped;
 * - `crate_sys.seq_no` and the triggers `crate_sys.bump()` (new `_seq_no`/`_version` on UPDATE) and
 * `crate_sys.stamp_id()` (`_id` of composite or date/time keys) for the system columns
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/system-columns.html);
 * - `crate_sys.visibility` and `crate_sys.visible_seq()` for the refresh knob (row-level security policies), and
 *   `crate_sys.ghost_rows` with `keep_ghost()` (trigger), `attach_ghosts()` and `detach_ghosts()`: the images of
 *   rows updated or deleted since the last refresh, which searches see as inheritance children of their table;
 *   `crate_sys.refreshed_rows(NULL::<table>)`, the rows of a table a search sees (a `SECURITY DEFINER` function
 *   owned by the searcher role), for the searches inside INSERT … SELECT, UPDATE and DELETE;
 * - assignment casts epoch milliseconds (bigint, integer, numeric) → timestamp(tz), and comparison operators
 *   between timestamps and bigint epoch milliseconds;
 * - functions `distance` (haversine, meters), `latitude`, `longitude`, `geo_point(text)`,
 *   `gen_random_text_uuid()`, and `min`/`max`/`sum`/`avg` over jsonb (object sub-columns);
 * - `crate_fn.avg`/`mean`/`stddev`/`stddev_samp`/`stddev_pop`/`variance` returning DOUBLE as CrateDB's do,
 *   `crate_sys.user_name()` (the authenticated user), and `->`/`->>` on `jsonb[]` (`items['k']` on ARRAY(OBJECT));
 * - `sys.nodes`, `sys.cluster`, `sys.jobs` views and the `information_schema` views `schemata`, `tables`,
 *   `columns`, `key_column_usage`, `table_constraints`, `views`, `table_partitions` with CrateDB's values.
 */
/** Epoch milliseconds of any integer or numeric type cast to timestamps, as CrateDB stores timestamps. */
const EPOCH_MS_CASTS = (() => {
  const sources = ['bigint', 'integer', 'numeric']
  const targets = ['timestamptz', 'timestamp']
  const functions = sources.flatMap((from) =>
    targets.map(
      (to) => `CREATE FUNCTION crate_fn.ms_to_${to}(${from}) RETURNS ${to} LANGUAGE sql IMMUTABLE STRICT AS $$\n  SELECT 'epoch'::${to} + $1 * interval '1 millisecond'\n$$;`,
    ),
  )
  const casts = sources.flatMap((from) => targets.map((to) => `CREATE CAST (${from} AS ${to}) WITH FUNCTION crate_fn.ms_to_${to}(${from}) AS ASSIGNMENT;`))
  return [...functions, ...casts].join('\n')
})()

export const BOOTSTRAP_SQL = String.raw`
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA doc;
CREATE SCHEMA blob;
CREATE SCHEMA sys;
CREATE SCHEMA crate_sys;
CREATE SCHEMA crate_fn;
CREATE SCHEMA crate_info;

CREATE SEQUENCE crate_sys.seq_no;
CREATE TABLE crate_sys.visibility (relid oid PRIMARY KEY, seq bigint NOT NULL);

CREATE FUNCTION crate_sys.current_seq() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM crate_sys.seq_no
$$;
CREATE FUNCTION crate_sys.visible_seq(regclass) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT seq FROM crate_sys.visibility WHERE relid = $1), 0)
$$;

CREATE TABLE crate_sys.ghost_rows (relid oid NOT NULL, doc jsonb NOT NULL);
CREATE FUNCTION crate_sys.keep_ghost() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."_seq_no" <= crate_sys.visible_seq(TG_RELID::regclass) THEN
    INSERT INTO crate_sys.ghost_rows (relid, doc) VALUES (TG_RELID, to_jsonb(OLD));
  END IF;
  RETURN NULL;
END
$$;
CREATE FUNCTION crate_sys.detach_ghosts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  child regclass;
BEGIN
  FOR child IN SELECT i.inhrelid::regclass FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE c.relnamespace = 'crate_sys'::regnamespace LOOP
    EXECUTE format('DROP TABLE %s', child);
  END LOOP;
END
$$;
CREATE FUNCTION crate_sys.attach_ghosts() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  parent oid;
  child text;
  cols text;
  vals text;
  attached integer := 0;
BEGIN
  PERFORM crate_sys.detach_ghosts();
  DELETE FROM crate_sys.ghost_rows WHERE relid NOT IN (SELECT oid FROM pg_class);
  FOR parent IN SELECT DISTINCT relid FROM crate_sys.ghost_rows LOOP
    child := 'ghost_of_' || parent;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum), string_agg('p.' || quote_ident(attname), ', ' ORDER BY attnum)
      INTO cols, vals FROM pg_attribute WHERE attrelid = parent AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
    EXECUTE format('CREATE TABLE crate_sys.%I () INHERITS (%s)', child, parent::regclass);
    BEGIN
      EXECUTE format('INSERT INTO crate_sys.%I (%s) SELECT %s FROM crate_sys.ghost_rows g, jsonb_populate_record(NULL::%s, g.doc) p WHERE g.relid = %s',
        child, cols, vals, parent::regclass, parent);
    EXCEPTION WHEN others THEN
      NULL;
    END;
    attached := attached + 1;
  END LOOP;
  RETURN attached;
END
$$;

CREATE FUNCTION crate_fn.gen_random_text_uuid() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT left(translate(encode(decode(replace(gen_random_uuid()::text, '-', ''), 'hex'), 'base64'), '+/=', '-_'), 20)
$$;

CREATE FUNCTION crate_sys.bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."_seq_no" := nextval('crate_sys.seq_no');
  NEW."_primary_term" := 1;
  NEW."_version" := OLD."_version" + 1;
  RETURN NEW;
END
$$;

CREATE FUNCTION crate_sys.stamp_id() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  doc jsonb := to_jsonb(NEW);
BEGIN
  IF TG_NARGS = 1 THEN
    NEW."_id" := doc ->> TG_ARGV[0];
  ELSE
    NEW."_id" := (SELECT jsonb_agg(doc -> k ORDER BY o)::text FROM unnest(TG_ARGV) WITH ORDINALITY AS a(k, o));
  END IF;
  RETURN NEW;
END
$$;

${EPOCH_MS_CASTS}

-- Comparisons of timestamps with epoch milliseconds (CrateDB: ts >= 1704067200000).
DO $do$
DECLARE
  t text;
  op record;
BEGIN
  FOREACH t IN ARRAY ARRAY['timestamptz', 'timestamp'] LOOP
    FOR op IN SELECT * FROM (VALUES ('=', 'eq', '=', '<>'), ('<>', 'ne', '<>', '='), ('<', 'lt', '>', '>='), ('<=', 'le', '>=', '>'),
        ('>', 'gt', '<', '<='), ('>=', 'ge', '<=', '<')) AS v(sym, name, commutator, negator) LOOP
      EXECUTE format('CREATE FUNCTION crate_fn.%1$s_%2$s_ms(%1$s, bigint) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT $1 %3$s crate_fn.ms_to_%1$s($2) $f$',
        t, op.name, op.sym);
      EXECUTE format('CREATE FUNCTION crate_fn.ms_%2$s_%1$s(bigint, %1$s) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT crate_fn.ms_to_%1$s($1) %3$s $2 $f$',
        t, op.name, op.sym);
      EXECUTE format('CREATE OPERATOR crate_fn.%3$s (LEFTARG = %1$s, RIGHTARG = bigint, FUNCTION = crate_fn.%1$s_%2$s_ms)', t, op.name, op.sym);
      EXECUTE format('CREATE OPERATOR crate_fn.%3$s (LEFTARG = bigint, RIGHTARG = %1$s, FUNCTION = crate_fn.ms_%2$s_%1$s)', t, op.name, op.sym);
    END LOOP;
  END LOOP;
END
$do$;

CREATE FUNCTION crate_fn.geo_point(text) RETURNS double precision[] LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  m text[];
BEGIN
  m := regexp_match($1, '^\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*$', 'i');
  IF m IS NULL THEN
    m := regexp_match($1, '^\s*[\[{]\s*([^,]+?)\s*,\s*([^,\]}]+?)\s*[\]}]\s*$');
  END IF;
  IF m IS NULL THEN
    RAISE EXCEPTION 'Cannot convert "%" to geo_point', $1 USING ERRCODE = '22P02';
  END IF;
  RETURN ARRAY[m[1]::double precision, m[2]::double precision];
END
$$;
CREATE FUNCTION crate_fn.distance(a double precision[], b double precision[]) RETURNS double precision LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT 2 * 6371008.7714 * asin(least(1, sqrt(
    power(sin(radians(b[2] - a[2]) / 2), 2) + cos(radians(a[2])) * cos(radians(b[2])) * power(sin(radians(b[1] - a[1]) / 2), 2))))
$$;
CREATE FUNCTION crate_fn.distance(a double precision[], b text) RETURNS double precision LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT crate_fn.distance(a, crate_fn.geo_point(b))
$$;
CREATE FUNCTION crate_fn.distance(a text, b double precision[]) RETURNS double precision LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT crate_fn.distance(crate_fn.geo_point(a), b)
$$;
CREATE FUNCTION crate_fn.longitude(double precision[]) RETURNS double precision LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT $1[1] $$;
CREATE FUNCTION crate_fn.latitude(double precision[]) RETURNS double precision LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT $1[2] $$;

CREATE FUNCTION crate_fn.jsonb_numeric(jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE jsonb_typeof($1) WHEN 'number' THEN ($1)::numeric WHEN 'string' THEN ($1 #>> '{}')::numeric END
$$;
CREATE FUNCTION crate_fn.jsonb_larger(jsonb, jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN $2 > $1 THEN $2 ELSE $1 END
$$;
CREATE FUNCTION crate_fn.jsonb_smaller(jsonb, jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN $2 < $1 THEN $2 ELSE $1 END
$$;
CREATE FUNCTION crate_fn.jsonb_sum(numeric, jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN $2 IS NULL OR jsonb_typeof($2) = 'null' THEN $1 ELSE coalesce($1, 0) + crate_fn.jsonb_numeric($2) END
$$;
CREATE FUNCTION crate_fn.jsonb_avg_step(numeric[], jsonb) RETURNS numeric[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN $2 IS NULL OR jsonb_typeof($2) = 'null' THEN $1
    ELSE ARRAY[coalesce($1[1], 0) + crate_fn.jsonb_numeric($2), coalesce($1[2], 0) + 1] END
$$;
CREATE FUNCTION crate_fn.jsonb_avg_final(numeric[]) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN $1 IS NULL OR $1[2] = 0 THEN NULL ELSE $1[1] / $1[2] END
$$;
CREATE AGGREGATE crate_fn.max(jsonb) (SFUNC = crate_fn.jsonb_larger, STYPE = jsonb);
CREATE AGGREGATE crate_fn.min(jsonb) (SFUNC = crate_fn.jsonb_smaller, STYPE = jsonb);
CREATE AGGREGATE crate_fn.sum(jsonb) (SFUNC = crate_fn.jsonb_sum, STYPE = numeric);
CREATE AGGREGATE crate_fn.avg(jsonb) (SFUNC = crate_fn.jsonb_avg_step, STYPE = numeric[], FINALFUNC = crate_fn.jsonb_avg_final);

-- CrateDB's DOUBLE aggregates (the translator calls them as crate_fn.<name>; NUMERIC arguments keep NUMERIC;
-- variance is the population variance, stddev the sample one, as in CrateDB).
CREATE AGGREGATE crate_fn.avg(double precision) (SFUNC = float8_accum, STYPE = double precision[], FINALFUNC = float8_avg, INITCOND = '{0,0,0}');
CREATE AGGREGATE crate_fn.avg(numeric) (SFUNC = numeric_avg_accum, STYPE = internal, FINALFUNC = numeric_avg);
CREATE AGGREGATE crate_fn.mean(double precision) (SFUNC = float8_accum, STYPE = double precision[], FINALFUNC = float8_avg, INITCOND = '{0,0,0}');
CREATE AGGREGATE crate_fn.mean(numeric) (SFUNC = numeric_avg_accum, STYPE = internal, FINALFUNC = numeric_avg);
CREATE AGGREGATE crate_fn.avg(interval) (SFUNC = interval_avg_accum, STYPE = internal, FINALFUNC = interval_avg);
CREATE AGGREGATE crate_fn.mean(interval) (SFUNC = interval_avg_accum, STYPE = internal, FINALFUNC = interval_avg);
CREATE AGGREGATE crate_fn.mean(jsonb) (SFUNC = crate_fn.jsonb_avg_step, STYPE = numeric[], FINALFUNC = crate_fn.jsonb_avg_final);
CREATE AGGREGATE crate_fn.stddev(double precision) (SFUNC = float8_accum, STYPE = double precision[], FINALFUNC = float8_stddev_samp, INITCOND = '{0,0,0}');
CREATE AGGREGATE crate_fn.stddev(numeric) (SFUNC = numeric_accum, STYPE = internal, FINALFUNC = numeric_stddev_samp);
CREATE AGGREGATE crate_fn.stddev_samp(double precision) (SFUNC = float8_accum, STYPE = double precision[], FINALFUNC = float8_stddev_samp, INITCOND = '{0,0,0}');
CREATE AGGREGATE crate_fn.stddev_samp(numeric) (SFUNC = numeric_accum, STYPE = internal, FINALFUNC = numeric_stddev_samp);
CREATE AGGREGATE crate_fn.stddev_pop(double precision) (SFUNC = float8_accum, STYPE = double precision[], FINALFUNC = float8_stddev_pop, INITCOND = '{0,0,0}');
CREATE AGGREGATE crate_fn.stddev_pop(numeric) (SFUNC = numeric_accum, STYPE = internal, FINALFUNC = numeric_stddev_pop);
CREATE AGGREGATE crate_fn.variance(double precision) (SFUNC = float8_accum, STYPE = double precision[], FINALFUNC = float8_var_pop, INITCOND = '{0,0,0}');

-- round(2.567, 2) and trunc(x, 2) on DOUBLE (decimal literals are DOUBLE): CrateDB casts to NUMERIC.
CREATE FUNCTION crate_fn.round(double precision, integer) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT round($1::numeric, $2) $$;
CREATE FUNCTION crate_fn.trunc(double precision, integer) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT trunc($1::numeric, $2) $$;

-- OBJECT(STRICT) columns: a CHECK refuses keys the column does not declare (spec: declared key -> null, or the key
-- map of a nested strict object), as CrateDB's ColumnUnknownException; SQLSTATE CR043 is mapped to it.
CREATE FUNCTION crate_fn.strict_object(v jsonb, spec jsonb, path text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE k text;
BEGIN
  IF v IS NULL OR jsonb_typeof(v) <> 'object' THEN RETURN true; END IF;
  FOR k IN SELECT jsonb_object_keys(v) LOOP
    IF NOT spec ? k THEN
      RAISE EXCEPTION USING ERRCODE = 'CR043', MESSAGE = format('Column %s[''%s''] unknown', path, k);
    END IF;
    IF jsonb_typeof(spec -> k) = 'object' THEN
      PERFORM crate_fn.strict_object(v -> k, spec -> k, format('%s[''%s'']', path, k));
    END IF;
  END LOOP;
  RETURN true;
END
$$;

-- CURRENT_USER, SESSION_USER, USER: the authenticated user (the store sets crate.auth_user per statement).
CREATE FUNCTION crate_sys.user_name() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('crate.auth_user', true), ''), 'crate')
$$;

-- arr['k'] on ARRAY(OBJECT): the array of the values of key k (the translator writes obj['k'] as obj -> 'k').
CREATE FUNCTION crate_fn.array_field(jsonb[], text) RETURNS jsonb[] LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT array_agg(e -> $2 ORDER BY o) FROM unnest($1) WITH ORDINALITY AS u(e, o)
$$;
CREATE FUNCTION crate_fn.array_field_text(jsonb[], text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT array_agg(e ->> $2 ORDER BY o) FROM unnest($1) WITH ORDINALITY AS u(e, o)
$$;
CREATE OPERATOR crate_fn.-> (LEFTARG = jsonb[], RIGHTARG = text, FUNCTION = crate_fn.array_field);
CREATE OPERATOR crate_fn.->> (LEFTARG = jsonb[], RIGHTARG = text, FUNCTION = crate_fn.array_field_text);
-- 2 = ANY(items['k']), name = ANY(items['k']): a number or text compared with object values.
CREATE FUNCTION crate_fn.numeric_eq_jsonb(numeric, jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT to_jsonb($1) = $2 $$;
CREATE FUNCTION crate_fn.text_eq_jsonb(text, jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT to_jsonb($1) = $2 $$;
CREATE OPERATOR crate_fn.= (LEFTARG = numeric, RIGHTARG = jsonb, FUNCTION = crate_fn.numeric_eq_jsonb);
CREATE OPERATOR crate_fn.= (LEFTARG = text, RIGHTARG = jsonb, FUNCTION = crate_fn.text_eq_jsonb);

CREATE FUNCTION crate_sys.meta(oid, integer) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  d text := col_description($1, $2);
BEGIN
  IF d IS NULL OR left(d, 1) <> '{' THEN RETURN NULL; END IF;
  RETURN d::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;
CREATE FUNCTION crate_sys.table_meta(oid) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  d text := obj_description($1, 'pg_class');
BEGIN
  IF d IS NULL OR left(d, 1) <> '{' THEN RETURN NULL; END IF;
  RETURN d::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;
CREATE FUNCTION crate_sys.data_type(t oid) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  elem oid;
BEGIN
  SELECT CASE WHEN typcategory = 'A' THEN typelem ELSE 0 END INTO elem FROM pg_type WHERE oid = t;
  IF elem IS NOT NULL AND elem <> 0 THEN RETURN crate_sys.data_type(elem) || '_array'; END IF;
  RETURN CASE t
    WHEN 25 THEN 'text' WHEN 1043 THEN 'text' WHEN 19 THEN 'text' WHEN 1042 THEN 'character'
    WHEN 16 THEN 'boolean' WHEN 18 THEN 'byte' WHEN 21 THEN 'smallint' WHEN 23 THEN 'integer' WHEN 20 THEN 'bigint'
    WHEN 26 THEN 'integer' WHEN 700 THEN 'real' WHEN 701 THEN 'double precision' WHEN 1700 THEN 'numeric'
    WHEN 1184 THEN 'timestamp with time zone' WHEN 1114 THEN 'timestamp without time zone' WHEN 1082 THEN 'date'
    WHEN 869 THEN 'ip' WHEN 3802 THEN 'object' WHEN 114 THEN 'json' WHEN 1186 THEN 'interval' WHEN 2950 THEN 'uuid'
    WHEN 1560 THEN 'bit' WHEN 1562 THEN 'bit' WHEN 1266 THEN 'time with time zone' WHEN 2205 THEN 'regclass'
    WHEN 24 THEN 'regproc' WHEN 2206 THEN 'regtype' WHEN 30 THEN 'oidvector'
    ELSE format_type(t, NULL) END;
END
$$;
CREATE FUNCTION crate_sys.schema_name(name) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE $1 WHEN 'crate_info' THEN 'information_schema' ELSE $1::text END
$$;
CREATE FUNCTION crate_sys.visible_schema(name) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT $1 NOT IN ('information_schema', 'crate_sys', 'crate_fn', 'pg_toast', 'public') AND $1 NOT LIKE 'pg_temp%' AND $1 NOT LIKE 'pg_toast%'
$$;

CREATE TABLE crate_sys.cluster_data (id text, name text, master_node text, settings jsonb);
CREATE TABLE crate_sys.nodes_data (id text PRIMARY KEY, name text, hostname text, rest_url text, http_port integer, version jsonb, ord integer, running boolean);
CREATE TABLE crate_sys.jobs_data (id text, node jsonb, session_id text, started timestamptz, stmt text, username text);

CREATE VIEW sys.cluster AS
  SELECT id, name, master_node, settings, NULL::jsonb AS license FROM crate_sys.cluster_data;
CREATE VIEW sys.nodes AS
  SELECT id, name, hostname, rest_url,
    jsonb_build_object('http', http_port, 'psql', NULL, 'transport', 4300 + ord) AS port,
    version,
    jsonb_build_object('used', 268435456, 'max', 1073741824, 'free', 805306368, 'probe_timestamp', (extract(epoch FROM now()) * 1000)::bigint) AS heap,
    jsonb_build_object('used', 1073741824, 'free', 3221225472, 'used_percent', 25, 'free_percent', 75) AS mem,
    jsonb_build_object('1', 0.1, '5', 0.1, '15', 0.1, 'probe_timestamp', (extract(epoch FROM now()) * 1000)::bigint) AS load,
    '{}'::jsonb AS attributes,
    ARRAY['data', 'master_eligible'] AS roles
  FROM crate_sys.nodes_data WHERE running ORDER BY ord;
CREATE VIEW sys.jobs AS SELECT id, node, session_id, started, stmt, username FROM crate_sys.jobs_data;

CREATE VIEW crate_info.schemata AS
  SELECT 'crate'::text AS catalog_name, crate_sys.schema_name(nspname) AS schema_name
  FROM pg_namespace WHERE crate_sys.visible_schema(nspname);

CREATE VIEW crate_info.tables AS
  SELECT 'crate'::text AS table_catalog,
    crate_sys.schema_name(n.nspname) AS table_schema,
    c.relname::text AS table_name,
    CASE WHEN c.relkind = 'v' AND n.nspname NOT IN ('sys', 'crate_info', 'pg_catalog') THEN 'VIEW' ELSE 'BASE TABLE' END AS table_type,
    (m.meta ->> 'number_of_shards')::integer AS number_of_shards,
    CASE WHEN m.meta IS NULL THEN NULL ELSE '0-1' END AS number_of_replicas,
    m.meta ->> 'clustered_by' AS clustered_by,
    (SELECT array_agg(x) FROM jsonb_array_elements_text(m.meta -> 'partitioned_by') AS x) AS partitioned_by,
    m.meta ->> 'column_policy' AS column_policy,
    false AS closed,
    NULL::text AS blobs_path,
    '_id'::text AS self_referencing_column_name,
    'SYSTEM GENERATED'::text AS reference_generation,
    CASE WHEN m.meta IS NULL THEN NULL ELSE 'org.elasticsearch.cluster.routing.Murmur3HashFunction' END AS routing_hash_function,
    m.meta -> 'settings' AS settings
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL (SELECT crate_sys.table_meta(c.oid) AS meta) m
  WHERE c.relkind IN ('r', 'v', 'p', 'm') AND crate_sys.visible_schema(n.nspname) AND n.nspname <> 'pg_catalog';

CREATE VIEW crate_info.columns AS
  SELECT 'crate'::text AS table_catalog,
    crate_sys.schema_name(n.nspname) AS table_schema,
    c.relname::text AS table_name,
    a.attname::text AS column_name,
    (SELECT count(*) FROM pg_attribute a2 WHERE a2.attrelid = c.oid AND a2.attnum > 0 AND a2.attnum <= a.attnum
      AND NOT a2.attisdropped AND a2.attname NOT IN ('_id', '_seq_no', '_primary_term', '_version'))::integer AS ordinal_position,
    coalesce(m.meta ->> 'type', crate_sys.data_type(a.atttypid)) AS data_type,
    CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable,
    pg_get_expr(d.adbin, d.adrelid) AS column_default,
    CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod > 4 THEN a.atttypmod - 4 END AS character_maximum_length,
    CASE a.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 WHEN 701 THEN 53
      WHEN 1700 THEN CASE WHEN a.atttypmod > 4 THEN ((a.atttypmod - 4) >> 16) & 65535 END END AS numeric_precision,
    CASE WHEN a.atttypid IN (21, 23, 20, 700, 701) THEN 2 WHEN a.atttypid = 1700 THEN 10 END AS numeric_precision_radix,
    CASE WHEN a.atttypid = 1700 AND a.atttypmod > 4 THEN (a.atttypmod - 4) & 65535 END AS numeric_scale,
    CASE WHEN a.atttypid IN (1114, 1184) THEN 3 END AS datetime_precision,
    CASE WHEN m.meta ? 'generated' THEN 'ALWAYS' ELSE 'NEVER' END AS is_generated,
    m.meta ->> 'generated' AS generation_expression,
    jsonb_build_object('name', a.attname, 'path', '[]'::jsonb) AS column_details
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  CROSS JOIN LATERAL (SELECT crate_sys.meta(c.oid, a.attnum) AS meta) m
  WHERE c.relkind IN ('r', 'v', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname NOT IN ('_id', '_seq_no', '_primary_term', '_version')
    AND crate_sys.visible_schema(n.nspname) AND n.nspname <> 'pg_catalog';

CREATE VIEW crate_info.key_column_usage AS
  SELECT 'crate'::text AS constraint_catalog,
    crate_sys.schema_name(n.nspname) AS constraint_schema,
    (c.relname || '_pkey')::text AS constraint_name,
    'crate'::text AS table_catalog,
    crate_sys.schema_name(n.nspname) AS table_schema,
    c.relname::text AS table_name,
    a.attname::text AS column_name,
    k.ord::integer AS ordinal_position
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
  WHERE con.contype = 'p' AND crate_sys.visible_schema(n.nspname);

CREATE VIEW crate_info.table_constraints AS
  SELECT 'crate'::text AS constraint_catalog, crate_sys.schema_name(n.nspname) AS constraint_schema,
    (c.relname || '_pkey')::text AS constraint_name, 'crate'::text AS table_catalog,
    crate_sys.schema_name(n.nspname) AS table_schema, c.relname::text AS table_name,
    'PRIMARY KEY'::text AS constraint_type, 'NO'::text AS is_deferrable, 'NO'::text AS initially_deferred
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE con.contype = 'p' AND crate_sys.visible_schema(n.nspname)
  UNION ALL
  SELECT 'crate', crate_sys.schema_name(n.nspname), (n.nspname || '_' || c.relname || '_' || a.attname || '_not_null')::text, 'crate',
    crate_sys.schema_name(n.nspname), c.relname::text, 'CHECK', 'NO', 'NO'
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND crate_sys.visible_schema(n.nspname)
    AND n.nspname NOT IN ('sys', 'crate_info', 'pg_catalog');

CREATE VIEW crate_info.views AS
  SELECT 'crate'::text AS table_catalog, crate_sys.schema_name(n.nspname) AS table_schema, c.relname::text AS table_name,
    pg_get_viewdef(c.oid) AS view_definition, 'NONE'::text AS check_option, false AS is_updatable, 'crate'::text AS owner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'v' AND crate_sys.visible_schema(n.nspname) AND n.nspname NOT IN ('sys', 'crate_info', 'pg_catalog');

CREATE VIEW crate_info.table_partitions AS
  SELECT NULL::text AS table_catalog, NULL::text AS table_schema, NULL::text AS table_name, NULL::text AS partition_ident,
    NULL::jsonb AS "values", NULL::integer AS number_of_shards, NULL::text AS number_of_replicas, false AS closed
  WHERE false;

CREATE ROLE crate SUPERUSER;
CREATE ROLE crate_searcher NOLOGIN;
GRANT pg_read_all_data TO crate_searcher;

CREATE FUNCTION crate_sys.refreshed_rows(anyelement) RETURNS SETOF anyelement LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
BEGIN
  RETURN QUERY EXECUTE format('SELECT * FROM %s', pg_typeof($1));
END
$$;
ALTER FUNCTION crate_sys.refreshed_rows(anyelement) OWNER TO crate_searcher;
`
