"""The official btrdb-python client (PingThingsIO/btrdb-python, its source unchanged) against a BTrDB endpoint.

Usage: python3 btrdb-python-peer.py <path of an extracted btrdb-python source (the folder that holds btrdb/)>
                                    <check|bench> <endpoint host:port> [config JSON, else $BENCH_CONFIG]

Needs Debian's python3-grpcio, python3-protobuf, python3-pandas, python3-certifi (and python3-tz). Two shims, neither
changes what goes on the wire:
  * Debian's grpcio 1.51 rejects `_registered_method=True` in the generated stubs: the channel's factory methods
    drop that keyword.
  * pyarrow is not packaged by Debian: when it is missing, a stand-in module lets `import btrdb` succeed (stream.py
    imports pyarrow at module level, only the arrow_* methods use it); the arrow_* calls are then skipped and the
    report says so.

check: exercises connect, info, create, stream_from_uuid, streams, streams_in_collection (tags/annotations filters),
  list_collections, collection_metadata, insert (each merge policy), values, aligned_windows, windows, nearest,
  earliest/latest, count (both ways), version pinning, changes (ep.changes), tags/annotations/update (replace),
  delete, flush, obliterate, query; each against values computed here. Prints one JSON line
  {"commit", "arrow", "checks": [{"name", "ok", "detail"}]} and exits 1 when a check failed.
bench: config {"points": N, "seconds": S, "rounds": R}: insert time, values() time (best of R), aligned_windows
  queries/s (about 1,000 windows over the stream), peak RSS growth while reading all and 1/5 of the range; prints
  one JSON line.
"""
import json
import math
import os
import sys
import time
import types
import uuid as uuidlib

SOURCE, MODE, ENDPOINT = sys.argv[1], sys.argv[2], sys.argv[3]
CONFIG = json.loads(sys.argv[4] if len(sys.argv) > 4 else os.environ.get("BENCH_CONFIG", "{}"))
sys.path.insert(0, SOURCE)

import grpc  # noqa: E402
import grpc._channel  # noqa: E402

_Channel = grpc._channel.Channel
for _name in ("unary_unary", "unary_stream", "stream_unary", "stream_stream"):
    def _wrap(orig):
        def method(self, *args, **kwargs):
            kwargs.pop("_registered_method", None)
            return orig(self, *args, **kwargs)
        return method
    setattr(_Channel, _name, _wrap(getattr(_Channel, _name)))

import pandas  # noqa: E402,F401  (before the pyarrow stand-in: pandas probes for a real pyarrow)

try:
    import pyarrow  # noqa: F401
    ARROW = True
except ImportError:
    ARROW = False

    class _Missing:
        def __init__(self, *a, **k):
            raise RuntimeError("pyarrow is not installed")

    def _stub(name):
        m = types.ModuleType(name)
        m.__getattr__ = lambda attr: _Missing  # every pa.X used in annotations resolves to a placeholder
        return m

    sys.modules["pyarrow"] = _stub("pyarrow")
    sys.modules["pyarrow.compute"] = _stub("pyarrow.compute")
    sys.modules["pyarrow"].compute = sys.modules["pyarrow.compute"]

import warnings  # noqa: E402

warnings.simplefilter("ignore", FutureWarning)
import btrdb  # noqa: E402
from btrdb.utils.general import pointwidth as pw  # noqa: E402


def connect():
    return btrdb.connect(ENDPOINT, apikey=CONFIG.get("apikey"))


checks = []


def check(name, fn):
    try:
        detail = fn()
        checks.append({"name": name, "ok": True, "detail": detail})
    except Exception as err:  # report every divergence, do not stop at the first
        checks.append({"name": name, "ok": False, "detail": f"{type(err).__name__}: {err}"})


def expect(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")
    return repr(got)[:120]


def stats_of(vals):
    n = len(vals)
    mean = sum(vals) / n
    return min(vals), mean, max(vals), n, math.sqrt(sum((v - mean) ** 2 for v in vals) / n)


def run_check():
    db = connect()
    run = uuidlib.uuid4().hex[:8]
    coll = f"pycheck{run}/grid"
    t0 = 1_600_000_000_000_000_000
    data = [(t0 + i * 1_000_000, float(i % 97) - 40.0) for i in range(120_000)]  # 1 kHz, 2 insert batches
    state = {}

    def info():
        i = db.info()
        return expect((i["majorVersion"], i["minorVersion"] >= 0, isinstance(i["proxy"]["proxyEndpoints"], list)), (5, True, True), "info")
    check("info", info)

    def create():
        u = uuidlib.uuid4()
        s = db.create(u, coll, tags={"name": "volts", "unit": "V"}, annotations={"site": "north", "scale": "2"})
        state["s"], state["u"] = s, u
        state["s2"] = db.create(uuidlib.uuid4(), coll, tags={"name": "amps", "unit": "A"}, annotations={"site": "south"})
        return expect((s.uuid, s.exists(), s.collection, s.name, s.unit), (u, True, coll, "volts", "V"), "created stream")
    check("create / exists / name / unit", create)
    s = state["s"]

    check("create duplicate uuid raises", lambda: expect(_raises(lambda: db.create(state["u"], coll + "x", tags={"name": "dup"}), btrdb.exceptions.BTrDBError), True, "raised"))
    check("stream_from_uuid", lambda: expect(db.stream_from_uuid(state["u"]).collection, coll, "collection"))
    check("streams(collection/name)", lambda: expect(db.streams(f"{coll}/volts")[0].uuid, state["u"], "uuid"))
    check("streams_in_collection", lambda: expect(sorted(x.name for x in db.streams_in_collection(coll)), ["amps", "volts"], "names"))
    check("streams_in_collection prefix", lambda: expect(len(db.streams_in_collection(f"pycheck{run}", is_collection_prefix=True)), 2, "count"))
    check("streams_in_collection exact", lambda: expect(len(db.streams_in_collection(f"pycheck{run}", is_collection_prefix=False)), 0, "count"))
    check("streams_in_collection tags", lambda: expect([x.name for x in db.streams_in_collection(coll, tags={"unit": "A"})], ["amps"], "names"))
    check("streams_in_collection annotations", lambda: expect([x.name for x in db.streams_in_collection(coll, annotations={"site": "north"})], ["volts"], "names"))
    check("list_collections", lambda: expect(db.list_collections(f"pycheck{run}"), [coll], "collections"))
    check("collection_metadata", lambda: expect((db.collection_metadata(f"pycheck{run}")[0].get("name"), db.collection_metadata(f"pycheck{run}")[1].get("site")), (2, 2), "usage"))

    def insert():
        v1 = s.insert(data)
        state["v1"] = v1
        return expect((isinstance(v1, int), v1 > 0), (True, True), "version")
    check("insert (2 batches of 50,000 + rest)", insert)

    def values():
        got = s.values(t0, t0 + 120_000 * 1_000_000)
        return expect([(p.time, p.value) for p, _ in got], data, "values")
    check("values", values)
    check("values half-open", lambda: expect([p.time for p, _ in s.values(t0 + 1_000_000, t0 + 3_000_000)], [t0 + 1_000_000, t0 + 2_000_000], "times"))
    check("values empty range", lambda: expect(s.values(t0 - 10, t0), [], "values"))

    def aligned():
        p = 20  # windows of 2^20 ns
        start = t0 + 5_000_000
        end = t0 + 50_000_000
        got = [(sp.time, sp.min, sp.mean, sp.max, sp.count, sp.stddev) for sp, _ in s.aligned_windows(start, end, p)]
        a = start >> p << p
        b = end >> p << p
        want = []
        w = a
        while w < b:
            vs = [v for t, v in data if w <= t < w + (1 << p)]
            if vs:
                mn, mean, mx, n, sd = stats_of(vs)
                want.append((w, mn, mean, mx, n, sd))
            w += 1 << p
        if len(got) != len(want):
            raise AssertionError(f"{len(got)} windows, want {len(want)}")
        for g, x in zip(got, want):
            if g[0] != x[0] or g[4] != x[4] or abs(g[1] - x[1]) > 1e-9 or abs(g[2] - x[2]) > 1e-9 or abs(g[3] - x[3]) > 1e-9 or abs(g[5] - x[5]) > 1e-6:
                raise AssertionError(f"window {g} != {x}")
        return f"{len(got)} windows"
    check("aligned_windows", aligned)

    def windows():
        width = 7_000_000
        start = t0 + 3_000_000
        end = t0 + 40_000_000
        got = [(sp.time, sp.count, sp.mean) for sp, _ in s.windows(start, end, width, 0)]
        want = []
        w = start
        while w + width <= end:
            vs = [v for t, v in data if w <= t < w + width]
            want.append((w, len(vs), sum(vs) / len(vs)))
            w += width
        if [(a, b) for a, b, _ in got] != [(a, b) for a, b, _ in want] or any(abs(g[2] - x[2]) > 1e-9 for g, x in zip(got, want)):
            raise AssertionError(f"{got} != {want}")
        return f"{len(got)} windows"
    check("windows", windows)

    check("nearest forward", lambda: expect((lambda r: (r[0].time, r[0].value))(s.nearest(t0 + 1_500_000, 0)), (t0 + 2_000_000, data[2][1]), "point"))
    check("nearest backward", lambda: expect((lambda r: (r[0].time, r[0].value))(s.nearest(t0 + 1_500_000, 0, backward=True)), (t0 + 1_000_000, data[1][1]), "point"))
    check("nearest at exact time (forward includes it)", lambda: expect(s.nearest(t0 + 2_000_000, 0)[0].time, t0 + 2_000_000, "time"))
    check("nearest backward excludes the exact time", lambda: expect(s.nearest(t0 + 2_000_000, 0, backward=True)[0].time, t0 + 1_000_000, "time"))
    check("nearest past the end", lambda: expect(s.nearest(t0 + 10**12, 0), None, "nothing"))
    check("earliest", lambda: expect(s.earliest()[0].time, t0, "time"))
    check("latest", lambda: expect(s.latest()[0].time, data[-1][0], "time"))
    check("count", lambda: expect(s.count(), len(data), "count"))
    check("count precise range", lambda: expect(s.count(t0 + 10, t0 + 10_000_010, precise=True), 10, "count"))
    check("version", lambda: expect(s.version(), state["v1"], "version"))

    def pinned():
        v1 = state["v1"]
        v2 = s.insert([(t0 + 5, 1000.0)])
        state["v2"] = v2
        old = [p.time for p, _ in s.values(t0, t0 + 3_000_000, version=v1)]
        new = [p.time for p, _ in s.values(t0, t0 + 3_000_000)]
        return expect((v2 > v1, old, new), (True, [t0, t0 + 1_000_000, t0 + 2_000_000], [t0, t0 + 5, t0 + 1_000_000, t0 + 2_000_000]), "pinned vs latest")
    check("version pinning", pinned)

    def changes():
        got = [(r.start, r.end) for ranges, _ in db.ep.changes(s.uuid, state["v1"], state["v2"], 0) for r in ranges]
        if not got or not all(a <= t0 + 5 < b for a, b in got[:1]):
            raise AssertionError(f"changed ranges {got} do not cover t0+5")
        return f"{len(got)} ranges"
    check("changes (ep.changes)", changes)

    def merges():
        m = db.create(uuidlib.uuid4(), coll + "/merge", tags={"name": "m"})
        m.insert([(t0, 1.0), (t0 + 1, 2.0)])
        m.insert([(t0, 3.0)], merge="never")
        a = sorted(p.value for p, _ in m.values(t0, t0 + 1))
        m.insert([(t0, 3.0)], merge="equal")
        b = sorted(p.value for p, _ in m.values(t0, t0 + 1))
        m.insert([(t0, 5.0), (t0, 6.0)], merge="retain")
        c = sorted(p.value for p, _ in m.values(t0, t0 + 1))
        m.insert([(t0, 7.0)], merge="replace")
        d = sorted(p.value for p, _ in m.values(t0, t0 + 1))
        m.insert([(t0 + 1, 2.0)], merge="retain")
        e = sorted(p.value for p, _ in m.values(t0 + 1, t0 + 2))
        return expect((a, b, c, d, e), ([1.0, 3.0], [1.0, 3.0], [1.0, 3.0], [7.0], [2.0]), "values after never/equal/retain/replace")
    check("insert merge policies", merges)

    def tags_ann():
        s.update(tags={"unit": "kV"})
        t = s.tags(refresh=True)
        a, pv = s.annotations(refresh=True)
        s.update(annotations={"site": "east"})
        a2, pv2 = s.annotations(refresh=True)
        s.update(annotations={"site": "east"}, replace=True)
        a3, _ = s.annotations(refresh=True)
        return expect((t, a, a2["site"], pv2 > pv, a3), ({"name": "volts", "unit": "kV"}, {"site": "north", "scale": 2}, "east", True, {"site": "east"}), "tags/annotations")
    check("tags / annotations / update (replace)", tags_ann)

    def rename():
        s.update(collection=coll + "/renamed")
        return expect(db.stream_from_uuid(s.uuid).collection, coll + "/renamed", "collection")
    check("update collection", rename)

    check("query", lambda: expect(sorted(r["name"] for r in db.query("select name from streams where collection like $1", [f"pycheck{run}%"])), ["amps", "m", "volts"], "names"))

    check("list_unique_names", lambda: expect(sorted(db.list_unique_names(f"pycheck{run}")), ["amps", "m", "volts"], "names"))
    check("list_unique_units", lambda: expect(sorted(u for u in db.list_unique_units(f"pycheck{run}") if u), ["A", "kV"], "units"))
    check("list_unique_annotations", lambda: expect(sorted(db.list_unique_annotations(f"pycheck{run}")), ["site"], "annotation keys"))
    check("current", lambda: expect(s.current()[0].time, data[-1][0], "time"))

    def set_rows():
        m = db.streams_in_collection(coll + "/merge")[0]
        ss = db.streams(str(s.uuid), str(m.uuid)).filter(start=t0, end=t0 + 2_000_000)
        rows = [tuple(None if p is None else (p.time, p.value) for p in r) for r in ss.rows()]
        return expect(rows, [((t0, data[0][1]), (t0, 7.0)), (None, (t0 + 1, 2.0)), ((t0 + 5, 1000.0), None), ((t0 + 1_000_000, data[1][1]), None)], "rows")
    check("StreamSet.rows (time-merged)", set_rows)

    def set_windows():
        base = db.streams(str(s.uuid)).filter(start=t0, end=t0 + 8_000_000)
        aw = [sum(p.count for p in col) for col in base.clone().aligned_windows(22).values()]
        w = [[(p.time, p.count) for p in col] for col in base.clone().windows(4_000_000).values()]
        a, b = t0 >> 22 << 22, (t0 + 8_000_000) >> 22 << 22
        want_aw = [sum(1 for t, _ in [(t0 + 5, 0)] + data[:8] if a <= t < b)]
        return expect((aw, w), (want_aw, [[(t0, 5), (t0 + 4_000_000, 4)]]), "aligned window counts, windows")
    check("StreamSet aligned_windows / windows", set_windows)

    def pinned_set():
        # btrdb-python's StreamSet.values() does not pass the pinned versions (stream.py _streamset_data): the
        # window calls do, so pinning is checked through aligned_windows counts.
        ss = db.streams(str(s.uuid)).pin_versions({s.uuid: state["v1"]}).filter(start=t0 - (1 << 30), end=t0 + (1 << 30))
        pinned = sum(p.count for col in ss.aligned_windows(30).values() for p in col)
        latest = sum(p.count for col in db.streams(str(s.uuid)).filter(start=t0 - (1 << 30), end=t0 + (1 << 30)).aligned_windows(30).values() for p in col)
        return expect(latest - pinned, 1, "points added after the pinned version")
    check("StreamSet.pin_versions", pinned_set)

    def frame():
        ss = db.streams(str(s.uuid)).filter(start=t0, end=t0 + 3_000_000)
        df = ss.to_dataframe()
        return expect((len(df), list(df.iloc[:, 0])[:1]), (4, [data[0][1]]), "dataframe")
    check("StreamSet.to_dataframe", frame)

    def windows_depth():
        got = [(p.time, p.count) for p, _ in s.windows(t0, t0 + 64_000_000, 16_000_000, 20)]
        return expect(got, [(t0, 17), (t0 + 16_000_000, 16), (t0 + 32_000_000, 16), (t0 + 48_000_000, 16)], "windows with depth 20")
    check("windows with depth", windows_depth)

    def delete():
        v = s.delete(t0, t0 + 10_000_000)
        return expect((v > state["v2"], s.earliest()[0].time), (True, t0 + 10_000_000), "after delete")
    check("delete", delete)
    check("flush", lambda: expect(s.flush(), None, "flush"))

    def oblit():
        s2 = state["s2"]
        s2.obliterate()
        return expect(_raises(s2.refresh_metadata, btrdb.exceptions.StreamNotFoundError), True, "StreamNotFoundError after obliterate")
    check("obliterate", oblit)
    check("stream_from_uuid of an obliterated stream", lambda: expect(db.stream_from_uuid(state["s2"].uuid).exists(), False, "exists"))
    check("values on a missing stream raises", lambda: expect(_raises(lambda: db.stream_from_uuid(uuidlib.uuid4()).values(t0, t0 + 10), btrdb.exceptions.StreamNotFoundError), True, "raised"))

    def streamset():
        ss = db.streams(str(s.uuid)).filter(start=t0 + 10_000_000, end=t0 + 13_000_000)
        return expect([[p.time for p in col] for col in ss.values()], [[t0 + 10_000_000, t0 + 11_000_000, t0 + 12_000_000]], "times")
    check("StreamSet.values", streamset)

    if ARROW:
        check("arrow_values", lambda: expect(s.arrow_values(t0 + 10_000_000, t0 + 13_000_000).num_rows, 3, "rows"))
    else:
        checks.append({"name": "arrow_* calls", "ok": True, "detail": "skipped: pyarrow is not installed (not packaged by Debian)"})

    return checks


def _raises(fn, kind=Exception):
    try:
        fn()
    except kind:
        return True
    return False


def current_rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576.0


class RssSampler:
    """Peak resident set size while running (sampled every 20 ms from /proc/self/statm), MiB."""

    def __init__(self):
        import threading
        self.base = current_rss_mib()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, current_rss_mib())

    def stop(self):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, current_rss_mib())
        return self.peak - self.base


def run_bench():
    import gc
    n = int(CONFIG.get("points", 1_000_000))
    seconds = float(CONFIG.get("seconds", 3))
    db = connect()
    s = db.create(uuidlib.uuid4(), f"bench/python{uuidlib.uuid4().hex[:6]}", tags={"name": "python"})
    t0 = 1_600_000_000_000_000_000
    data = [(t0 + i * 1_000_000, math.sin(i / 1000) * 100) for i in range(n)]
    end = data[-1][0] + 1
    a = time.perf_counter()
    s.insert(data)
    insert_s = time.perf_counter() - a
    del data
    gc.collect()
    best = float("inf")
    got = 0
    read_mib = 0.0
    for _ in range(int(CONFIG.get("rounds", 2))):
        sampler = RssSampler()
        a = time.perf_counter()
        got = len(s.values(t0, end))
        best = min(best, time.perf_counter() - a)
        read_mib = max(read_mib, sampler.stop())
        gc.collect()
    # 1/5 of the range, to show whether memory grows with the range
    sampler = RssSampler()
    fifth = len(s.values(t0, t0 + (end - t0) // 5))
    fifth_mib = sampler.stop()
    width = max(0, int(pw.from_nanoseconds(end - t0)) - 10)
    a = time.perf_counter()
    q = 0
    while time.perf_counter() - a < seconds:
        s.aligned_windows(t0, end, width)
        q += 1
    aw = q / (time.perf_counter() - a)
    print(json.dumps({"client": "btrdb-python", "version": btrdb.__version__, "points": n, "read": got, "readFifth": fifth, "insertSeconds": insert_s,
                      "valuesSeconds": best, "alignedWindowsPerSecond": aw, "pointwidth": width,
                      "readRssMiB": read_mib, "readFifthRssMiB": fifth_mib}))


if MODE == "check":
    commit = CONFIG.get("commit", "unknown")
    try:
        run_check()
    except Exception as err:  # a failed prerequisite (e.g. create) ends the run; report what was checked
        checks.append({"name": "run", "ok": False, "detail": f"stopped: {type(err).__name__}: {err}"})
    print(json.dumps({"commit": commit, "arrow": ARROW, "checks": checks}, default=str))
    sys.exit(0 if all(c["ok"] for c in checks) else 1)
elif MODE == "bench":
    run_bench()
else:
    raise SystemExit(f"unknown mode {MODE}")
