/**
 * Druid's SQL functions and catalogs as DuckDB macros and views, run once per engine. Semantics follow
 * https://druid.apache.org/docs/latest/querying/sql-scalar (time functions) and
 * https://druid.apache.org/docs/latest/querying/sql-metadata-tables (INFORMATION_SCHEMA, sys). DuckDB timestamps
 * are UTC wall-clock times (`TIMESTAMP` without zone); the optional time-zone arguments are accepted and ignored.
 */
export const BOOTSTRAP_SQL = String.raw`
CREATE SCHEMA IF NOT EXISTS druid;
CREATE SCHEMA IF NOT EXISTS sys;
CREATE SCHEMA IF NOT EXISTS lookup;
CREATE SCHEMA IF NOT EXISTS druid_information_schema;
CREATE MACRO druid_period_part(p, re) AS coalesce(TRY_CAST(nullif(regexp_extract(p, re, 1), '') AS INTEGER), 0);
CREATE MACRO druid_period(p) AS
  to_years(druid_period_part(p, '^P[^T]*?(\d+)Y')) + to_months(druid_period_part(p, '^P[^T]*?(\d+)M'))
  + to_days(7 * druid_period_part(p, '^P[^T]*?(\d+)W') + druid_period_part(p, '^P[^T]*?(\d+)D'))
  + to_hours(druid_period_part(p, 'T.*?(\d+)H')) + to_minutes(druid_period_part(p, 'T.*?(\d+)M'))
  + to_seconds(druid_period_part(p, 'T.*?(\d+)S'));
CREATE MACRO TIME_FLOOR(ts, period, origin := NULL, tz := NULL) AS
  CASE WHEN origin IS NULL THEN time_bucket(druid_period(period), CAST(ts AS TIMESTAMP))
       ELSE time_bucket(druid_period(period), CAST(ts AS TIMESTAMP), CAST(origin AS TIMESTAMP)) END;
CREATE MACRO TIME_CEIL(ts, period, origin := NULL, tz := NULL) AS
  CASE WHEN TIME_FLOOR(ts, period) = CAST(ts AS TIMESTAMP) THEN CAST(ts AS TIMESTAMP)
       ELSE TIME_FLOOR(ts, period) + druid_period(period) END;
CREATE MACRO TIME_SHIFT(ts, period, step, tz := NULL) AS CAST(ts AS TIMESTAMP) + step * druid_period(period);
CREATE MACRO TIME_EXTRACT(ts, unit := 'MILLIS', tz := NULL) AS
  CASE upper(unit) WHEN 'EPOCH' THEN epoch(CAST(ts AS TIMESTAMP))::BIGINT WHEN 'MILLIS' THEN millisecond(CAST(ts AS TIMESTAMP)) % 1000
       ELSE date_part(lower(unit), CAST(ts AS TIMESTAMP)) END;
CREATE MACRO TIME_PARSE(s, pattern := NULL, tz := NULL) AS
  CASE WHEN pattern IS NULL THEN TRY_CAST(TRY_CAST(s AS TIMESTAMPTZ) AS TIMESTAMP)
       ELSE try_strptime(s, replace(replace(replace(replace(replace(replace(pattern, 'yyyy', '%Y'), 'MM', '%m'), 'dd', '%d'), 'HH', '%H'), 'mm', '%M'), 'ss', '%S')) END;
CREATE MACRO TIME_FORMAT(ts, pattern := NULL, tz := NULL) AS
  CASE WHEN pattern IS NULL THEN strftime(CAST(ts AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')
       ELSE strftime(CAST(ts AS TIMESTAMP), replace(replace(replace(replace(replace(replace(pattern, 'yyyy', '%Y'), 'MM', '%m'), 'dd', '%d'), 'HH', '%H'), 'mm', '%M'), 'ss', '%S')) END;
CREATE MACRO TIME_IN_INTERVAL(ts, iv) AS
  CAST(ts AS TIMESTAMP) >= CAST(split_part(iv, '/', 1) AS TIMESTAMPTZ)::TIMESTAMP AND CAST(ts AS TIMESTAMP) < CAST(split_part(iv, '/', 2) AS TIMESTAMPTZ)::TIMESTAMP;
CREATE MACRO MILLIS_TO_TIMESTAMP(ms) AS make_timestamp(CAST(ms AS BIGINT) * 1000);
CREATE MACRO TIMESTAMP_TO_MILLIS(ts) AS epoch_ms(CAST(ts AS TIMESTAMP));
CREATE MACRO NVL(a, b) AS coalesce(a, b);
CREATE MACRO APPROX_COUNT_DISTINCT_DS_HLL(x) AS approx_count_distinct(x);
CREATE MACRO APPROX_COUNT_DISTINCT_DS_THETA(x) AS approx_count_distinct(x);
CREATE MACRO APPROX_QUANTILE_DS(x, p, k := 128) AS approx_quantile(x, p);
CREATE MACRO APPROX_QUANTILE_FIXED_BUCKETS(x, p, n, lo, hi) AS approx_quantile(x, p);
CREATE MACRO STRING_FORMAT(f, a := NULL, b := NULL, c := NULL) AS printf(f, a, b, c);
CREATE MACRO CONTAINS_STRING(s, t) AS contains(s, t);
CREATE MACRO ICONTAINS_STRING(s, t) AS contains(lower(s), lower(t));
CREATE MACRO druid_data_type(t) AS CASE
  WHEN t IN ('BIGINT', 'HUGEINT', 'UBIGINT') THEN 'BIGINT' WHEN t IN ('INTEGER', 'SMALLINT', 'TINYINT', 'UINTEGER', 'USMALLINT', 'UTINYINT') THEN 'INTEGER'
  WHEN t IN ('DOUBLE', 'FLOAT', 'BOOLEAN', 'DATE', 'VARCHAR') THEN t WHEN t LIKE 'TIMESTAMP%' THEN 'TIMESTAMP' WHEN t LIKE 'DECIMAL%' THEN 'DECIMAL'
  WHEN t LIKE '%[]' THEN 'ARRAY' ELSE 'COMPLEX<json>' END;
CREATE MACRO druid_jdbc_type(t) AS CASE druid_data_type(t)
  WHEN 'BIGINT' THEN -5 WHEN 'INTEGER' THEN 4 WHEN 'DOUBLE' THEN 8 WHEN 'FLOAT' THEN 6 WHEN 'DECIMAL' THEN 3 WHEN 'BOOLEAN' THEN 16
  WHEN 'DATE' THEN 91 WHEN 'TIMESTAMP' THEN 93 WHEN 'VARCHAR' THEN 12 WHEN 'ARRAY' THEN 2003 ELSE 1111 END;
CREATE TABLE sys.servers (server VARCHAR, host VARCHAR, plaintext_port BIGINT, tls_port BIGINT, server_type VARCHAR, tier VARCHAR,
  curr_size BIGINT, max_size BIGINT, is_leader BIGINT, start_time VARCHAR);
CREATE TABLE sys.tasks (task_id VARCHAR, group_id VARCHAR, "type" VARCHAR, datasource VARCHAR, created_time VARCHAR, queue_insertion_time VARCHAR,
  status VARCHAR, runner_status VARCHAR, duration BIGINT, location VARCHAR, host VARCHAR, plaintext_port BIGINT, tls_port BIGINT, error_msg VARCHAR);
CREATE TABLE sys.supervisors (supervisor_id VARCHAR, state VARCHAR, detailed_state VARCHAR, healthy BIGINT, "type" VARCHAR, source VARCHAR, suspended BIGINT, spec VARCHAR);
CREATE TABLE sys.server_segments (server VARCHAR, segment_id VARCHAR);
CREATE VIEW druid_information_schema."SCHEMATA" AS
  SELECT 'druid' AS "CATALOG_NAME", s AS "SCHEMA_NAME", NULL::VARCHAR AS "SCHEMA_OWNER", NULL::VARCHAR AS "DEFAULT_CHARACTER_SET_CATALOG",
    NULL::VARCHAR AS "DEFAULT_CHARACTER_SET_SCHEMA", NULL::VARCHAR AS "DEFAULT_CHARACTER_SET_NAME", NULL::VARCHAR AS "SQL_PATH"
  FROM (VALUES ('druid'), ('lookup'), ('sys'), ('INFORMATION_SCHEMA'), ('view')) v(s);
CREATE VIEW druid_information_schema."TABLES" AS
  SELECT 'druid' AS "TABLE_CATALOG", CASE table_schema WHEN 'druid_information_schema' THEN 'INFORMATION_SCHEMA' ELSE table_schema END AS "TABLE_SCHEMA",
    table_name AS "TABLE_NAME", CASE WHEN table_schema = 'druid' THEN 'TABLE' ELSE 'SYSTEM_TABLE' END AS "TABLE_TYPE",
    'NO' AS "IS_JOINABLE", 'NO' AS "IS_BROADCAST"
  FROM information_schema.tables WHERE table_schema IN ('druid', 'sys', 'lookup', 'druid_information_schema') AND table_catalog = current_database();
CREATE VIEW druid_information_schema."COLUMNS" AS
  SELECT 'druid' AS "TABLE_CATALOG", CASE table_schema WHEN 'druid_information_schema' THEN 'INFORMATION_SCHEMA' ELSE table_schema END AS "TABLE_SCHEMA",
    table_name AS "TABLE_NAME", column_name AS "COLUMN_NAME", ordinal_position::BIGINT AS "ORDINAL_POSITION", NULL::VARCHAR AS "COLUMN_DEFAULT",
    CASE WHEN column_name = '__time' THEN 'NO' ELSE 'YES' END AS "IS_NULLABLE", druid_data_type(data_type) AS "DATA_TYPE",
    NULL::BIGINT AS "CHARACTER_MAXIMUM_LENGTH", NULL::BIGINT AS "CHARACTER_OCTET_LENGTH", NULL::BIGINT AS "NUMERIC_PRECISION",
    NULL::BIGINT AS "NUMERIC_PRECISION_RADIX", NULL::BIGINT AS "NUMERIC_SCALE", NULL::BIGINT AS "DATETIME_PRECISION",
    NULL::VARCHAR AS "CHARACTER_SET_NAME", NULL::VARCHAR AS "COLLATION_NAME", druid_jdbc_type(data_type)::BIGINT AS "JDBC_TYPE"
  FROM information_schema.columns WHERE table_schema IN ('druid', 'sys', 'lookup', 'druid_information_schema') AND table_catalog = current_database();
CREATE VIEW sys.segments AS
  SELECT datasource || '_' || strftime(d, '%Y-%m-%dT%H:%M:%S.000Z') || '_' || strftime(d + INTERVAL 1 DAY, '%Y-%m-%dT%H:%M:%S.000Z') || '_v1' AS segment_id,
    datasource, strftime(d, '%Y-%m-%dT%H:%M:%S.000Z') AS "start", strftime(d + INTERVAL 1 DAY, '%Y-%m-%dT%H:%M:%S.000Z') AS "end",
    num_rows * 100 AS "size", 'v1' AS "version", 0::BIGINT AS partition_num, 1::BIGINT AS num_replicas, num_rows,
    1::BIGINT AS is_active, 1::BIGINT AS is_published, 1::BIGINT AS is_available, 0::BIGINT AS is_realtime, 0::BIGINT AS is_overshadowed,
    NULL::VARCHAR AS shard_spec, NULL::VARCHAR AS dimensions, NULL::VARCHAR AS metrics, NULL::VARCHAR AS last_compaction_state, 1::BIGINT AS replication_factor
  FROM main.druid_segments;
`

/** Extra bootstrap run after BOOTSTRAP_SQL: the segment registry `sys.segments` reads. */
export const SEGMENTS_TABLE_SQL = `CREATE TABLE main.druid_segments (datasource VARCHAR, d TIMESTAMP, num_rows BIGINT)`
