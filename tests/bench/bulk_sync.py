#!/usr/bin/python3
"""bulk_sync.py [--sizes 1000,100000] [--runs 1] [--no-bulk-max 1000] [--no-csv]

A first roster sync with SCIM Bulk (issue 18 point 3), a bench step outside
CI (`make bench-bulk`): for each size a fresh sandbox whose Alleo takes bulk
requests (/_control/bulk: maxOperations 1000, maxPayloadSize 1 MiB) and keeps
its rate limit of 600 requests a minute (the pace bobsync holds to), a fresh
home, then `bobsync sync roster`.  Up to --no-bulk-max people the same sync
is also run without bulk, for comparison, and after each bulk run a first
sync in CSV mode (alleo.mode csv, the file into a folder) from another fresh
home on the same sandbox.  Prints one markdown row per run: wall, CPU, peak
RSS, SCIM requests (bulks among them), operations, users in Alleo (or rows
in the CSV file) afterwards, exit status.
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the sandbox, home and measuring helpers)


def csv_row(sb, n, tmp):
    """The same first sync into a CSV file: a fresh home, alleo.mode csv."""
    home = bench.make_home(sb, tmp)
    out = tempfile.mkdtemp(dir=tmp)
    bench.bs(home, "config", "set", "alleo.mode", "csv")
    bench.bs(home, "config", "set", "alleo.csv_target", out)
    m = bench.measure(home, tmp, "sync", "roster", "--json")
    rows = 0
    for name in os.listdir(out):
        with open(os.path.join(out, name)) as f:
            rows += max(0, sum(1 for _ in f) - 1)   # the header line
    return "| %s | CSV file into a folder | %.2f | %.2f | %.1f | - | - | - | %s rows | %d |" % (
        "{:,}".format(n), m["wall_s"], m["cpu_s"], m["rss_mb"], "{:,}".format(rows), m["status"])


def one(n, bulk, tmp, csv=True):
    tmp = tempfile.mkdtemp(dir=tmp)     # a state file of its own for each sandbox
    sb = bench.Sandbox(n, tmp)
    try:
        scim = sb.base["scim"]
        # bench.Sandbox turns the rate limits off; Alleo's pace is the point here
        bench.ctl(scim, "POST", "/_control/ratelimit", {"per_minute": 600})
        bench.ctl(scim, "POST", "/_control/bulk", {"supported": bool(bulk), "reset_counts": True})
        home = bench.make_home(sb, tmp)
        sb.clear()
        m = bench.measure(home, tmp, "sync", "roster", "--json")
        req = sb.requests()
        st = bench.ctl(scim, "GET", "/_control/bulk")
        users = bench.ctl(scim, "GET", "/_control/users")["count"]
        scim_calls = sum(v for k, v in req.items() if k.startswith("scim"))
        bulks = sum(v for k, v in req.items() if k == "scim POST /scim/v2/Bulk")
        row = ("| %s | %s | %.2f | %.2f | %.1f | %d | %d | %d | %s | %d |" % (
            "{:,}".format(n), "bulk" if bulk else "one request each", m["wall_s"], m["cpu_s"],
            m["rss_mb"], scim_calls, bulks, st["operations"], "{:,}".format(users), m["status"]))
        if bulk and csv:
            row += "\n" + csv_row(sb, n, tmp)
        return row
    finally:
        sb.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,100000")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-bulk-max", type=int, default=1000)
    ap.add_argument("--no-csv", action="store_true", help="no CSV-mode first sync")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bobsync-bulk-")
    print("| people | roster first sync | wall s | CPU s | peak RSS MB | SCIM calls | bulks | "
          "bulk operations | Alleo users after | exit |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for n in [int(s) for s in a.sizes.split(",")]:
            for bulk in ((True, False) if n <= a.no_bulk_max else (True,)):
                for _ in range(a.runs):
                    print(one(n, bulk, tmp, not a.no_csv), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
