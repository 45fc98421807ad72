"""The official e6data Python connector as the benchmark peer (run by runner.ts with Debian's python3-grpcio,
python3-protobuf, python3-thrift whose fastbinary is the C decoder, and the connector's source on PYTHONPATH).

Modes (argv[1]), config as JSON in BENCH_CONFIG:
  fetch   fetch and decode the whole result with Cursor.fetchall_buffer(); rows, seconds, peak RSS
  decode  decode the recorded batches (length-prefixed file) with the connector's own read_rows_from_chunk
"""
import json
import os
import resource
import struct
import sys
import time

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

cfg = json.loads(os.environ["BENCH_CONFIG"])
mode = sys.argv[1]


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


if mode == "fetch":
    from e6data_python_connector import Connection

    conn = Connection(host="127.0.0.1", port=cfg["port"], username=cfg["username"], password=cfg["password"],
                      catalog="hive", database="bench")
    cur = conn.cursor(catalog_name="hive", db_name="bench")
    cur.execute("SELECT 1")
    cur.fetchall()
    base = rss_mib()
    t0 = time.perf_counter()
    cur.execute(cfg["sql"])
    rows = 0
    batches = 0
    for batch in cur.fetchall_buffer():
        rows += len(batch)
        batches += 1
    seconds = time.perf_counter() - t0
    cur.clear()
    conn.close()
    print(json.dumps({"client": "python", "rows": rows, "batches": batches, "seconds": seconds,
                      "peakRssAbove": int((rss_mib() - base) * 1024 * 1024)}))
elif mode == "decode":
    from e6data_python_connector.datainputstream import FieldInfo, read_rows_from_chunk

    data = open(cfg["file"], "rb").read()
    chunks = []
    p = 0
    while p < len(data):
        (n,) = struct.unpack(">I", data[p:p + 4])
        chunks.append(data[p + 4:p + 4 + n])
        p += 4 + n
    # read_rows_from_chunk takes the column descriptions get_query_columns_info builds from the metadata
    columns = [FieldInfo(c["name"], c["typeCode"], c["format"], c["zone"]) for c in cfg["columnsInfo"]]
    rows = 0
    for c in chunks:
        rows += len(read_rows_from_chunk(columns, c))
    best = None
    for _ in range(cfg["rounds"]):
        t0 = time.perf_counter()
        for c in chunks:
            read_rows_from_chunk(columns, c)
        s = time.perf_counter() - t0
        best = s if best is None or s < best else best
    print(json.dumps({"client": "python-decode", "rows": rows, "seconds": best}))
