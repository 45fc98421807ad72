"""pydruid, unchanged, against a Druid Router: DB-API, SQLAlchemy dialect and native-query client.

Usage: python3 bench/druid/pydruid-check.py <pydruid source dir> <router url> <datasource>
(the source dir holds the `pydruid` package, e.g. from `git archive HEAD pydruid` of
https://github.com/druid-io/pydruid). `node bench/druid/pydruid-check.ts <dir>` starts the local
server, ingests the datasource and runs this script. Needs `requests` and `sqlalchemy` (Debian
python3-requests, python3-sqlalchemy). Prints one line per check; exits 1 on the first failure.
"""
import sys
from urllib.parse import urlparse

sys.path.insert(0, sys.argv[1])
url, ds = sys.argv[2], sys.argv[3]
u = urlparse(url)

from pydruid.db import connect  # noqa: E402
from pydruid.client import PyDruid  # noqa: E402
from pydruid.utils.aggregators import count, longsum, doublesum  # noqa: E402
from pydruid.utils.filters import Dimension  # noqa: E402
import sqlalchemy  # noqa: E402
import sqlalchemy.dialects  # noqa: E402
from sqlalchemy import inspect, text  # noqa: E402

failures = 0


def check(name, got, want):
    global failures
    ok = got == want
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": got {got!r}, want {want!r}"))
    if not ok:
        failures += 1


# --- DB-API (pydruid.db) ---
conn = connect(host=u.hostname, port=u.port, path="/druid/v2/sql/", scheme=u.scheme)
cur = conn.cursor()
cur.execute(
    f'SELECT "channel", COUNT(*) AS "n", SUM("added") AS "added" FROM "{ds}" '
    'WHERE "channel" = %(ch)s AND "added" >= %(min)s GROUP BY "channel"',
    {"ch": "#en", "min": 0},
)
rows = cur.fetchall()
check("dbapi execute with parameters + fetchall", [tuple(r) for r in rows], [("#en", 16, 3600)])
check("dbapi description names", [d[0] for d in cur.description], ["channel", "n", "added"])
check("dbapi description types (1=STRING, 2=NUMBER)", [d[1] for d in cur.description], [1, 2, 2])
cur.execute(f'SELECT __time, "channel" FROM "{ds}" ORDER BY __time LIMIT 2')
check("dbapi timestamps as ISO text", [tuple(r) for r in cur.fetchall()],
      [("2024-01-01T00:00:00.000Z", "#en"), ("2024-01-01T01:00:00.000Z", "#fr")])
hconn = connect(host=u.hostname, port=u.port, path="/druid/v2/sql/", scheme=u.scheme, header=True)
hcur = hconn.cursor()
hcur.execute(f'SELECT "channel", "added" FROM "{ds}" ORDER BY __time LIMIT 1')
check("dbapi header=True rows", [tuple(r) for r in hcur.fetchall()], [("#en", 0)])
check("dbapi header=True description (Druid's header row)", hcur.description, [("channel", None), ("added", None)])
cur.execute(f'SELECT "added" FROM "{ds}" ORDER BY __time LIMIT 5')
check("dbapi fetchone + fetchmany", (tuple(cur.fetchone()), [tuple(r) for r in cur.fetchmany(2)]), ((0,), [(10,), (20,)]))
cur.execute('SELECT 1 + 1 AS "two", \'a\' || \'b\' AS "ab", TRUE AS "t", CAST(NULL AS VARCHAR) AS "nothing"')
check("dbapi constants", [tuple(r) for r in cur.fetchall()], [(2, "ab", True, None)])
cur.execute('SELECT %(s)s AS "s", %(n)s AS "n", %(f)s AS "f"', {"s": "it's", "n": 7, "f": 1.5})
check("dbapi escaped parameters", [tuple(r) for r in cur.fetchall()], [("it's", 7, 1.5)])
cconn = connect(host=u.hostname, port=u.port, path="/druid/v2/sql/", scheme=u.scheme, context={"sqlQueryId": "pydruid-ctx-1"})
ccur = cconn.cursor()
ccur.execute(f'SELECT COUNT(*) AS "n" FROM "{ds}"')
check("dbapi with query context", [tuple(r) for r in ccur.fetchall()], [(48,)])
cur.execute(f'SELECT "channel" FROM "{ds}" WHERE "channel" = %(ch)s', {"ch": "nobody's"})
check("dbapi empty result", cur.fetchall(), [])
try:
    cur.execute('SELECT * FROM "no_such_table_x"')
    check("dbapi error raises ProgrammingError", "no error", "ProgrammingError")
except Exception as e:  # pydruid formats "{error} ({category}): {errorMessage}"
    msg = str(e)
    check("dbapi error raises ProgrammingError", type(e).__name__, "ProgrammingError")
    check("dbapi error message names the table", "no_such_table_x" in msg, True)
    check("dbapi error carries a category", "(Unknown)" not in msg, True)

# --- SQLAlchemy dialect (druid://) ---
# pydruid's setup.py registers these entry points when installed; from a source tree, register the same ones.
sqlalchemy.dialects.registry.register("druid", "pydruid.db.sqlalchemy", "DruidHTTPDialect")
sqlalchemy.dialects.registry.register("druid.http", "pydruid.db.sqlalchemy", "DruidHTTPDialect")
engine = sqlalchemy.create_engine(f"druid://{u.hostname}:{u.port}/druid/v2/sql/")
insp = inspect(engine)
check("sqlalchemy schema names include druid", "druid" in insp.get_schema_names(), True)
check("sqlalchemy table names include the datasource", ds in insp.get_table_names(schema="druid"), True)
cols = {c["name"]: c for c in insp.get_columns(ds, schema="druid")}
check("sqlalchemy column names", sorted(cols), sorted(["__time", "channel", "added", "delta"]))
check("sqlalchemy column types", {k: type(v["type"]).__name__ for k, v in cols.items()},
      {"__time": "TIMESTAMP", "channel": "String", "added": "BigInteger", "delta": "Float"})
check("sqlalchemy nullable", {k: v["nullable"] for k, v in cols.items()},
      {"__time": False, "channel": True, "added": True, "delta": True})  # SQL-compatible nulls: numbers nullable
check("sqlalchemy has_table", insp.has_table(ds, schema="druid"), True)
with engine.connect() as c:
    got = c.execute(text(f'SELECT "channel", COUNT(*) AS n FROM "{ds}" GROUP BY "channel" ORDER BY "channel"')).fetchall()
    check("sqlalchemy select", [tuple(r) for r in got], [("#en", 16), ("#fr", 32)])
    t = sqlalchemy.Table(ds, sqlalchemy.MetaData(), autoload_with=engine, schema="druid")
    q = sqlalchemy.select(t.c.channel, sqlalchemy.func.sum(t.c.added).label("added")).where(t.c.channel == "#fr").group_by(t.c.channel)
    check("sqlalchemy core select on a reflected table", [tuple(r) for r in c.execute(q).fetchall()], [("#fr", 7680)])

# --- native-query client (PyDruid) ---
client = PyDruid(url, "druid/v2")
interval = "2024-01-01/2024-01-03"
ts = client.timeseries(datasource=ds, granularity="day", intervals=interval,
                       aggregations={"rows": count("count"), "added": longsum("added")})
check("native timeseries", [(r["timestamp"], r["result"]) for r in ts.result],
      [("2024-01-01T00:00:00.000Z", {"rows": 24, "added": 2760}), ("2024-01-02T00:00:00.000Z", {"rows": 24, "added": 8520})])
top = client.topn(datasource=ds, granularity="all", intervals=interval, dimension="channel",
                  metric="added", threshold=1, aggregations={"added": longsum("added")})
check("native topN", top.result[0]["result"], [{"channel": "#fr", "added": 7680}])
gb = client.groupby(datasource=ds, granularity="all", intervals=interval, dimensions=["channel"],
                    filter=Dimension("channel") == "#en", aggregations={"delta": doublesum("delta")})
check("native groupBy", [(r["version"], r["event"]) for r in gb.result], [("v1", {"channel": "#en", "delta": 90.0})])
tb = client.time_boundary(datasource=ds)
check("native timeBoundary", tb.result, [{"timestamp": "2024-01-01T00:00:00.000Z",
      "result": {"minTime": "2024-01-01T00:00:00.000Z", "maxTime": "2024-01-02T23:00:00.000Z"}}])
sc = client.scan(datasource=ds, granularity="all", intervals=interval, columns=["channel", "added"], limit=2)
check("native scan events", [e for r in sc.result for e in r["events"]], [{"channel": "#en", "added": 0}, {"channel": "#fr", "added": 10}])
sm = client.segment_metadata(datasource=ds, intervals=interval, merge=True)
check("native segmentMetadata columns", sorted(sm.result[0]["columns"]), ["__time", "added", "channel", "delta"])
empty = client.timeseries(datasource="no_such_datasource_x", granularity="day", intervals=interval,
                          aggregations={"rows": count("count")})
check("native query on an unknown datasource is empty", empty.result, [])
try:
    client.timeseries(datasource=ds, granularity="all", intervals=interval, aggregations={"x": {"type": "noSuchAggregator"}})
    check("native invalid query raises IOError", "no error", "IOError")
except IOError as e:
    check("native invalid query raises IOError", "noSuchAggregator" in str(e), True)

# --- Basic auth (druid-basic-security): DB-API user/password, native set_basic_auth_credentials ---
if len(sys.argv) > 4:
    a = urlparse(sys.argv[4])
    acur = connect(host=a.hostname, port=a.port, path="/druid/v2/sql/", scheme=a.scheme, user="admin", password="secret").cursor()
    acur.execute("SELECT 1 AS one")
    check("auth dbapi with the right password", [tuple(r) for r in acur.fetchall()], [(1,)])
    try:
        connect(host=a.hostname, port=a.port, path="/druid/v2/sql/", scheme=a.scheme, user="admin", password="wrong").cursor().execute("SELECT 1")
        check("auth dbapi wrong password raises", "no error", "ProgrammingError")
    except Exception as e:
        check("auth dbapi wrong password raises", type(e).__name__, "ProgrammingError")
    try:
        connect(host=a.hostname, port=a.port, path="/druid/v2/sql/", scheme=a.scheme).cursor().execute("SELECT 1")
        check("auth dbapi without credentials raises", "no error", "ProgrammingError")
    except Exception as e:
        check("auth dbapi without credentials raises", type(e).__name__, "ProgrammingError")
    aeng = sqlalchemy.create_engine(f"druid://admin:secret@{a.hostname}:{a.port}/druid/v2/sql/")
    with aeng.connect() as c:
        check("auth sqlalchemy user:password in the URL", c.execute(text("SELECT 2 AS two")).scalar(), 2)
    native = PyDruid(sys.argv[4], "druid/v2")
    native.set_basic_auth_credentials("admin", "secret")
    check("auth native timeBoundary on an empty cluster", native.time_boundary(datasource="nothing").result, [])
    native.set_basic_auth_credentials("admin", "wrong")
    try:
        native.time_boundary(datasource="nothing")
        check("auth native wrong password raises IOError", "no error", "IOError")
    except IOError as e:
        check("auth native wrong password raises IOError", "401" in str(e), True)

print(f"{failures} failure(s)")
sys.exit(1 if failures else 0)
