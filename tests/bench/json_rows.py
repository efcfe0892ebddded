#!/usr/bin/python3
"""json_rows.py [--people 100000] [--runs 5]

JSON read throughput of the people search answer: starts a sandbox of
--people, saves the answer of one search as a roster plan asks it (the
identity, work and lifecycle fields and the custom ones: access and
budgets), then runs build/bench_json on that file: Jansson loading it
whole (the reference), jread over it whole, jstream in 256 KiB pieces,
and bob_parse_people (jstream and the people), each in MB per CPU second,
the median of --runs.  Outside CI: part of the bench only."""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

BASE_FIELDS = ["root.id", "root.email", "root.firstName", "root.surname", "root.displayName",
               "work.department", "work.site", "work.startDate", "internal.lifecycleStatus",
               "internal.status", "internal.terminationDate"]


def hibob(st, method, path, body=None):
    url = st["hibob"]["url"] + path
    auth = base64.b64encode(("%s:%s" % (st["hibob"]["service_user_id"],
                                        st["hibob"]["token"])).encode()).decode()
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Basic " + auth,
                                          "Content-Type": "application/json",
                                          "Accept": "application/json"})
    return urllib.request.urlopen(req, timeout=600)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="save the answer here too")
    a = ap.parse_args()
    exe = os.path.join(bench.ROOT, "build", "bench_json")
    if not os.path.exists(exe):
        sys.exit("build/bench_json is missing: make build/bench_json")
    tmp = tempfile.mkdtemp(prefix="bobsync-json-")
    try:
        sb = bench.Sandbox(a.people, tmp)
        try:
            with hibob(sb.state, "GET", "/company/people/fields") as r:
                fields = json.load(r)
            fields = fields if isinstance(fields, list) else fields.get("fields", [])
            custom = [f["id"] for f in fields if str(f.get("id", "")).startswith("work.custom.")]
            body = {"fields": BASE_FIELDS + custom, "showInactive": True, "humanReadable": "APPEND"}
            path = a.keep or os.path.join(tmp, "people.json")
            with hibob(sb.state, "POST", "/people/search", body) as r, open(path, "wb") as f:
                shutil.copyfileobj(r, f, 1 << 20)
        finally:
            sb.stop()
        r = subprocess.run([exe, path, str(a.runs)], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("bench_json: %s" % r.stderr)
        res = json.loads(r.stdout)
        print("| reader (%s people, %.1f MB, %d custom fields) | CPU s | MB per CPU s |" % (
            "{:,}".format(a.people), res["mb"], len(custom)))
        print("|---|---:|---:|")
        for k in ("jansson_load", "jread_whole", "jstream_256k", "bob_parse_people"):
            print("| %s | %.3f | %s |" % (k, res[k]["cpu_s"], "{:,}".format(res[k]["mb_per_cpu_s"])))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
