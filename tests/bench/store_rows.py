#!/usr/bin/python3
"""store_rows.py [--audit 1000000] [--runs 5] [--out FILE]

The read-only commands against a large state store: builds one (bobsync
creates the schema, then this fills it: --audit audit rows, a run for every
100 of them with 100 actions each, 100,000 people in the roster) and times
`status`, `log`, `log --run` (an old run), `log --person`, `config list` and
`credentials status`, each the median of --runs (CPU seconds, peak RSS), as
tests/bench/measure.py measures them (spawned, not forked), with /bin/true
and `bobsync --version` measured the same way as the floors.  Prints a Markdown table (and writes
it to --out when given).  Outside CI: part of the bench only."""
import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BOBSYNC = os.environ.get("BOBSYNC", os.path.join(ROOT, "bobsync"))
PY = "/usr/bin/python3"


def bs(home, *args):
    env = dict(os.environ, BOBSYNC_HOME=home, LANG="C.UTF-8")
    return subprocess.run([BOBSYNC] + list(args), env=env, capture_output=True, text=True,
                          input="")


def schema(store_c):
    """The migrations of core/store/store.c, in order (adjacent C string
    literals joined, one entry per comma)."""
    with open(store_c) as f:
        src = f.read()
    body = src[src.index("migrations[] = {"):]
    body = body[body.index("{") + 1:body.index("\n};")]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    out, cur = [], ""
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"|,', body):
        if m.group(0) == ",":
            out.append(cur)
            cur = ""
        else:
            cur += m.group(1).encode().decode("unicode_escape")
    if cur.strip():
        out.append(cur)
    return out


def fill(db, audit, store_c):
    con = sqlite3.connect(db)
    migs = schema(store_c)
    for sql in migs:
        con.executescript(sql)
    con.execute("PRAGMA user_version = %d" % len(migs))
    con.execute("PRAGMA journal_mode=WAL")
    now = int(time.time())
    nruns = max(1, audit // 100)
    cur = con.cursor()
    cur.execute("BEGIN")
    for r in range(1, nruns + 1):
        ts = now - (nruns - r) * 600
        cur.execute("INSERT INTO runs(id, target, kind, plan_id, started_at, finished_at, result, "
                    "applied, requests, bytes) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (r, "roster" if r % 2 else "timeoff", "sync", "p%08d" % r, ts, ts + 60, "ok",
                     100, 100, 100000))
        cur.executemany("INSERT INTO actions(run_id, seq, target, op, subject, email, reason, "
                        "before, after, state, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        [(r, k, "roster" if r % 2 else "timeoff", "update", "%d" % (r * 100 + k),
                          "p%d@example.test" % ((r * 100 + k) % 100000), "changed",
                          '{"a":1}', '{"a":2}', "done", ts) for k in range(100)])
        cur.executemany("INSERT INTO audit(ts, run_id, level, subject, message) VALUES (?,?,?,?,?)",
                        [(ts, r, "info", "p%d@example.test" % ((r * 100 + k) % 100000),
                          "updated the account (budget 100 -> 120)") for k in range(100)])
    cur.executemany("INSERT INTO roster(employee_id, email, first_name, last_name, active, "
                    "updated_at) VALUES (?,?,?,?,1,?)",
                    [("%d" % i, "p%d@example.test" % i, "First", "Last", now) for i in range(100000)])
    con.commit()
    con.close()


def measure(home, tmp, *args):
    out = os.path.join(tmp, "m.json")
    env = dict(os.environ, BOBSYNC_HOME=home, LANG="C.UTF-8")
    cmd = list(args) if args and args[0] == "/bin/true" else [BOBSYNC] + list(args)
    subprocess.run([PY, os.path.join(ROOT, "tests/bench/measure.py"), out, "--"] + cmd, env=env)
    with open(out) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--audit", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out")
    ap.add_argument("--schema-from", default=os.path.join(ROOT, "core/store/store.c"),
                    help="the store.c whose migrations make the store (an older one: its "
                    "store is then upgraded by the bobsync measured)")
    ap.add_argument("--keep", help="build the store here (a BOBSYNC_HOME) and keep it")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bobsync-store-")
    home = a.keep or os.path.join(tmp, "home")
    os.makedirs(home, exist_ok=True)
    db = os.path.join(home, "state.db")
    if not os.path.exists(db):
        bs(home, "config", "set", "hibob.base_url", "https://api.hibob.com/v1")
        t0 = time.monotonic()
        fill(db, a.audit, a.schema_from)
        sys.stderr.write("filled %s in %.0f s\n" % (db, time.monotonic() - t0))
    r = bs(home, "log", "--limit", "1")     # any migration happens here, not in the timings
    if r.returncode != 0:
        sys.exit("bobsync log: %s" % r.stderr[-300:])
    nruns = max(1, a.audit // 100)
    steps = [("/bin/true (spawning a process: the floor)", ("/bin/true",)),
             ("--version (process start, the floor)", ("--version",)),
             ("status", ("status",)), ("status --json", ("status", "--json")),
             ("log", ("log",)), ("log --run (an old run)", ("log", "--run", "2")),
             ("log --person", ("log", "--person", "p4242@example.test")),
             ("log --person NAME (a name no one has)", ("log", "--person", "Zed")),
             ("log --result failed", ("log", "--result", "failed")),
             ("config list", ("config", "list")),
             ("credentials status", ("credentials", "status"))]
    lines = ["| command (%s audit rows, %s runs, %s actions) | CPU ms (median of %d) | "
             "min-max | peak RSS MB | exit |" % (
                 "{:,}".format(a.audit), "{:,}".format(nruns), "{:,}".format(nruns * 100), a.runs),
             "|---|---:|---:|---:|---:|"]
    for label, args in steps:
        ms = sorted((measure(home, tmp, *args) for _ in range(a.runs)), key=lambda m: m["cpu_s"])
        m = ms[len(ms) // 2]
        sys.stderr.write("  %-28s %s\n" % (label, " ".join("%.1f" % (x["cpu_s"] * 1000) for x in ms)))
        # at or under the measuring Python's own size the figure is that floor
        rss = m["rss_mb"]
        rss_txt = ("<= %.1f" % rss) if rss <= m.get("rss_floor_mb", 0) + 0.5 else "%.1f" % rss
        lines.append("| %s | %.1f | %.1f-%.1f | %s | %d |" % (
            label, m["cpu_s"] * 1000, ms[0]["cpu_s"] * 1000, ms[-1]["cpu_s"] * 1000, rss_txt,
            m["status"]))
    print("\n".join(lines))
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
