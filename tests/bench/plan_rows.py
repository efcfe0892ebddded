#!/usr/bin/python3
"""plan_rows.py [--sizes 100000,1000000] [--runs 5] [--before BIN] [--only LABEL]

The roster plan and the employee preview at large sizes (issue 18 point 1),
as JSON and as the tables a person reads, and a roster dry run,
a bench step outside CI (`make bench-plan`): for each size one sandbox and
a home per build, then each command --runs times (a 1,000,000-person answer is about
1.4 GB: one run there unless --runs-large says more).  With --before, an
older build runs side by side, the two alternating run by run against the
same sandbox, so load on the machine falls on both alike.  Prints one
markdown row per command and build: median CPU seconds (min-max), median
peak RSS, exit statuses, and whether the outputs of the two builds were the
same bytes.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the sandbox, home and measuring helpers)

STEPS = (("plan roster", ("plan", "roster", "--json")),
         ("preview employees", ("preview", "employees", "--json")),
         # what an admin reads: the tables, and a dry run (which reads each
         # action back into the row it would send)
         ("plan roster (text)", ("plan", "roster")),
         ("preview employees (text)", ("preview", "employees")),
         ("sync roster --dry-run", ("sync", "roster", "--dry-run")))


def run_once(binary, home, tmp, args):
    out = os.path.join(tmp, "m.json")
    env = dict(os.environ, BOBSYNC_HOME=home, LANG="C.UTF-8")
    subprocess.run([bench.PY, os.path.join(bench.ROOT, "tests/bench/measure.py"), out, "--",
                    binary] + list(args), env=env)
    with open(out) as f:
        return json.load(f)


def output_of(binary, home, args):
    env = dict(os.environ, BOBSYNC_HOME=home, LANG="C.UTF-8")
    # the plan id hashes the plan: the same plan gives the same bytes
    return subprocess.run([binary] + list(args), env=env, capture_output=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--runs-large", type=int, default=1,
                    help="runs at 1,000,000 people and more")
    ap.add_argument("--before", default="", help="an older bobsync to compare with")
    ap.add_argument("--only", default="", help="one step's label, e.g. 'plan roster (text)'")
    a = ap.parse_args()
    builds = [("after", bench.BOBSYNC)]
    if a.before:
        builds.insert(0, ("before", os.path.abspath(a.before)))
    tmp = tempfile.mkdtemp(prefix="bobsync-plan-")
    print("| people | command | build | CPU s median (min-max) | peak RSS MB median (min-max) | runs | exit | same output |")
    print("|---:|---|---|---:|---:|---:|---|---|")
    for n in [int(x) for x in a.sizes.split(",") if x]:
        sys.stderr.write("== %d people\n" % n)
        sb = bench.Sandbox(n, tmp)
        try:
            # a home per build, made by that build: a newer one may upgrade
            # the store past what an older one opens
            homes = {}
            for name, binary in builds:
                saved, bench.BOBSYNC = bench.BOBSYNC, binary
                try:
                    homes[name] = bench.make_home(sb, tmp)
                finally:
                    bench.BOBSYNC = saved
            runs = a.runs if n < 1000000 else a.runs_large
            for label, args in STEPS:
                if a.only and a.only != label:
                    continue
                got = {name: [] for name, _ in builds}
                for _ in range(runs):
                    for name, binary in builds:
                        got[name].append(run_once(binary, homes[name], tmp, args))
                same = ""
                if len(builds) == 2:
                    outs = [output_of(b, homes[name], args) for name, b in builds]
                    same = "yes" if outs[0] == outs[1] else "no"
                for name, _ in builds:
                    ms = got[name]
                    cpu = sorted(m["cpu_s"] for m in ms)
                    rss = sorted(m["rss_mb"] for m in ms)
                    print("| %s | %s | %s | %.2f (%.2f-%.2f) | %.1f (%.1f-%.1f) | %d | %s | %s |" % (
                        "{:,}".format(n), label, name, statistics.median(cpu), cpu[0], cpu[-1],
                        statistics.median(rss), rss[0], rss[-1], len(ms),
                        ",".join(str(s) for s in sorted(set(m["status"] for m in ms))), same))
                    sys.stdout.flush()
        finally:
            sb.stop()


if __name__ == "__main__":
    main()
