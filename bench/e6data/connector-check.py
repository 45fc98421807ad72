"""The official e6data Python connector's README flows, unchanged, against the local e6data engine.

Run by connector-check.ts (which starts the engine with its HTTP/2 gateway, registers the tables, and flips the
blue-green colour when this script asks for it), with Debian's python3-grpcio, python3-protobuf, python3-thrift and
the connector's source on PYTHONPATH. Config as JSON in CHECK_CONFIG: host, port, username, password.

Prints one JSON line per check ({"check": name, "ok": bool, "detail": ...}), `{"flip": true}` when the engine
should flip, and a final {"summary": ...} line. Exit status 1 when any check failed.
"""
import concurrent.futures
import datetime
import decimal
import json
import os
import sys
import traceback

import grpc
import grpc._channel

# The connector's generated stubs pass _registered_method=True, which Debian's grpcio 1.51 rejects: drop the
# keyword in the channel's factory methods. It does not change what goes on the wire.
_Channel = grpc._channel.Channel
for _name in ("unary_unary", "unary_stream", "stream_unary", "stream_stream"):
    _orig = getattr(_Channel, _name)

    def _wrap(orig):
        def method(self, *args, **kwargs):
            kwargs.pop("_registered_method", None)
            return orig(self, *args, **kwargs)
        return method

    setattr(_Channel, _name, _wrap(_orig))

from e6data_python_connector import Connection, ConnectionPool  # noqa: E402

cfg = json.loads(os.environ["CHECK_CONFIG"])
host, port, username, password = cfg["host"], cfg["port"], cfg["username"], cfg["password"]
database, catalog_name = "demo", "hive"
results = []


def emit(obj):
    print(json.dumps(obj, default=str), flush=True)


def check(name):
    def run(fn):
        try:
            detail = fn()
            results.append((name, True))
            emit({"check": name, "ok": True, "detail": detail})
        except Exception as e:  # noqa: BLE001 - every failure is a finding
            results.append((name, False))
            emit({"check": name, "ok": False, "detail": f"{type(e).__name__}: {e}",
                  "trace": traceback.format_exc().splitlines()[-4:]})
        return fn
    return run


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


conn = Connection(host=host, port=port, username=username, database=database, password=password)


@check("execute + fetchall + rowcount + description (README 'Perform a Queries')")
def _():
    cursor = conn.cursor(catalog_name=catalog_name)
    query_id = cursor.execute("SELECT * FROM airports ORDER BY iata")
    expect(isinstance(query_id, str) and query_id, f"query id {query_id!r}")
    records = cursor.fetchall()
    expect(len(records) == 5, f"{len(records)} rows")
    expect(records[0] == ["ABQ", "Albuquerque International", "Albuquerque", 35.04, -106.61, 5355], f"row {records[0]!r}")
    expect(cursor.rowcount == 5, f"rowcount {cursor.rowcount}")
    columns = [col[0] for col in cursor.description]
    expect(columns == ["iata", "name", "city", "latitude", "longitude", "elevation"], f"columns {columns}")
    cursor.clear()
    cursor.close()
    return {"rows": len(records), "rowcount": 5, "columns": columns}


@check("rowcount right after execute, before fetching (README 'status' / rowcount)")
def _():
    cursor = conn.cursor(catalog_name=catalog_name, db_name=database)
    query_id = cursor.execute("SELECT * FROM flights")
    rc = cursor.rowcount
    st = cursor.status(query_id)
    expect(rc == 20_000, f"rowcount {rc}")
    expect(st.status is True and st.rowCount == 20_000, f"status {st.status} rowCount {st.rowCount}")
    cursor.clear()
    return {"rowcount": rc, "status.rowCount": st.rowCount}


@check("execute with params, fetchone, fetchmany, fetchall_buffer")
def _():
    cursor = conn.cursor(catalog_name=catalog_name)
    cursor.execute("SELECT iata, name FROM airports WHERE iata IN (%(a)s, %(b)s) ORDER BY iata", {"a": "JFK", "b": "O'Hare's"})
    rows = cursor.fetchall()
    expect(rows == [["JFK", "John F Kennedy Intl"]], f"named params rows {rows!r}")
    cursor.execute("SELECT iata FROM airports WHERE elevation > %s ORDER BY iata", (100,))
    one = cursor.fetchone()
    expect(one == [["ABQ"]], f"fetchone {one!r} (the connector returns a list holding the row)")
    # A fresh cursor: the connector keeps fetchone's leftover rows across a new execute on the same cursor (its bug).
    cursor = conn.cursor(catalog_name=catalog_name)
    cursor.execute("SELECT id FROM flights ORDER BY id")
    many = cursor.fetchmany(500)
    expect(len(many) == 500 and many[0] == [0] and many[-1] == [499], f"fetchmany {len(many)} {many[:2]}")
    more = cursor.fetchmany(9_000)
    expect(len(more) == 9_000 and more[0] == [500], f"second fetchmany {len(more)}")
    rows = 0
    batches = 0
    cursor.execute("SELECT * FROM flights")
    for batch in cursor.fetchall_buffer():
        rows += len(batch)
        batches += 1
    expect(rows == 20_000 and batches >= 2, f"fetchall_buffer {rows} rows in {batches} batches")
    cursor.clear()
    return {"fetchall_buffer_rows": rows, "batches": batches}


@check("every type through the connector's decoder (incl. constant vectors)")
def _():
    cursor = conn.cursor(catalog_name=catalog_name)
    cursor.execute(
        "SELECT 7 AS k, 'const' AS c, CAST(NULL AS BIGINT) AS n, id, CAST(CAST(id AS DOUBLE) / 3 AS DECIMAL(38, 4)) AS d,"
        " DATE '1969-12-31' + CAST(id AS INTEGER) AS dt, TIMESTAMP '1995-03-04 05:06:07.089' AS ts,"
        " id % 2 = 0 AS b, CAST(id AS DOUBLE) / 4 AS f, [id, id + 1] AS arr FROM flights WHERE id < 3 ORDER BY id"
    )
    rows = cursor.fetchall()
    expect(len(rows) == 3, f"{len(rows)} rows")
    r = rows[1]
    expect(r[0] == 7 and r[1] == "const" and r[2] is None and r[3] == 1, f"constants {r[:4]!r}")
    expect(r[4] == decimal.Decimal("0.3333"), f"decimal {r[4]!r}")
    expect(r[5] == "1970-01-01", f"date {r[5]!r}")
    # Post-1970 on purpose: the connector's own formatter mis-renders instants before 1970 (floor_div/floor_mod
    # adjust negatives twice: 1965-03-04 05:06:07.089 comes out as '1965-03-03T29:06:06.1089'), a connector bug.
    expect(str(r[6]).startswith("1995-03-04T05:06:07.089"), f"timestamp {r[6]!r}")
    expect(r[7] is False and r[8] == 0.25 and r[9] == "[1, 2]", f"bool/double/array {r[7:]!r}")
    return {"row": r}


@check("explain_analyse (README 'Get Query Time Metrics')")
def _():
    cursor = conn.cursor(catalog_name)
    cursor.execute("SELECT origin, count(*) AS n FROM flights GROUP BY origin")
    cursor.fetchall()
    explain_response = cursor.explain_analyse()
    query_planner = json.loads(explain_response.get("planner"))
    for key in ("total_query_time", "executionQueueingTime", "parsingTime"):
        expect(isinstance(query_planner.get(key), (int, float)), f"{key} = {query_planner.get(key)!r}")
    expect(isinstance(explain_response.get("is_cached"), bool), "is_cached")
    cursor.clear()
    return {k: query_planner.get(k) for k in ("total_query_time", "executionQueueingTime", "parsingTime")}


@check("switch database on a cursor (conn.cursor(catalog_name=..., db_name=...))")
def _():
    # The README writes conn.cursor(database, catalog_name), but the signature is cursor(catalog_name, db_name).
    cursor = conn.cursor(catalog_name=catalog_name, db_name="other")
    cursor.execute("SELECT * FROM notes")
    rows = cursor.fetchall()
    expect(rows == [[1, "other database"]], f"rows {rows!r}")
    return {"rows": rows}


@check("get_schema_names / get_tables / get_columns")
def _():
    databases = conn.get_schema_names(catalog=catalog_name)
    expect("demo" in databases and "other" in databases, f"databases {databases}")
    tables = conn.get_tables(catalog=catalog_name, database=database)
    expect(sorted(tables) == ["airports", "flights"], f"tables {tables}")
    columns = conn.get_columns(catalog=catalog_name, database=database, table="airports")
    columns_with_type = [dict(column_name=c["fieldName"], column_type=c["fieldType"]) for c in columns]
    expect(columns_with_type[0] == {"column_name": "iata", "column_type": "string"}, f"columns {columns_with_type}")
    expect(columns_with_type[3]["column_type"] == "double", f"latitude {columns_with_type[3]}")
    return {"databases": databases, "tables": tables, "columns": columns_with_type}


@check("cancel a running query (README 'To abort a running query')")
def _():
    cursor = conn.cursor(catalog_name=catalog_name)
    query_id = cursor.execute("SELECT * FROM flights")
    first = cursor.fetchmany(10)
    expect(len(first) == 10, "first rows")
    cursor.cancel(query_id)
    try:
        cursor.fetchall()
    except grpc.RpcError as e:
        expect(e.code() == grpc.StatusCode.CANCELLED, f"after cancel: {e.code()}")
        return {"after_cancel": str(e.code())}
    raise AssertionError("fetch after cancel succeeded")


@check("query error carries the engine's message")
def _():
    cursor = conn.cursor(catalog_name=catalog_name)
    try:
        cursor.execute("SELECT no_such_column FROM airports")
    except Exception as e:  # noqa: BLE001
        expect("no_such_column" in str(e), f"message {e}")
        return {"error": type(e).__name__}
    raise AssertionError("bad SQL succeeded")


@check("ConnectionPool: concurrent queries, context manager, statistics (README 'Connection Pooling')")
def _():
    pool = ConnectionPool(min_size=2, max_size=4, max_overflow=2, host=host, port=port, username=username,
                          database=database, password=password, catalog=catalog_name)

    def execute_query(pool, query_id, query):
        conn = pool.get_connection()
        try:
            cursor = conn.cursor(catalog_name=catalog_name)
            cursor.execute(query)
            results = cursor.fetchall()
            return len(results)
        finally:
            pool.return_connection(conn)

    queries = ["SELECT COUNT(*) FROM flights", "SELECT AVG(delay) FROM flights", "SELECT MAX(date) FROM flights"] * 4
    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as executor:
        futures = [executor.submit(execute_query, pool, i, q) for i, q in enumerate(queries)]
        counts = [f.result() for f in concurrent.futures.as_completed(futures)]
    expect(counts == [1] * len(queries), f"counts {counts}")
    with pool.get_connection_context() as c:
        cursor = c.cursor(catalog_name=catalog_name)
        cursor.execute("SELECT COUNT(*) FROM airports")
        expect(cursor.fetchall() == [[5]], "context manager query")
    stats = pool.get_statistics()
    for key in ("active_connections", "idle_connections", "total_requests", "failed_connections"):
        expect(key in stats, f"statistics key {key}")
    pool.close_all()
    return {k: stats[k] for k in ("total_requests", "failed_connections", "created_connections")}


@check("blue-green flip through the gateway in the middle of a query loop")
def _():
    failures = []
    rows = 0
    for i in range(30):
        if i == 10:
            emit({"flip": True})
            sys.stdin.readline()  # the runner answers once the engine flipped
        try:
            cursor = conn.cursor(catalog_name=catalog_name)
            cursor.execute("SELECT count(*) FROM flights WHERE delay > %s", (i,))
            rows += len(cursor.fetchall())
            cursor.clear()
        except Exception as e:  # noqa: BLE001
            failures.append(f"query {i}: {type(e).__name__}: {e}")
    expect(failures == [], f"{len(failures)} failures: {failures[:3]}")
    expect(rows == 30, f"{rows} result rows")
    return {"queries": 30, "failures": 0}


conn.close()
failed = [name for name, ok in results if not ok]
emit({"summary": {"checks": len(results), "failed": failed}})
sys.exit(1 if failed else 0)
