#!/usr/bin/python3
"""bench.py [--sizes 1000,10000,100000] [--out tests/bench/RESULTS.md]

Measures bobsync against sandbox companies of each size: a preview of the
employees, a roster plan, a first roster sync (SCIM), a first time-off
sync, and an incremental time-off run with nothing changed.  For each:
wall time, CPU time, peak RSS, HTTP requests by endpoint (from the
sandbox's request log) and, for syncs, the bytes bobsync counted.  Then
the TUI's frame and filter times on a 100,000-row list (build/bench_ui).
Prints a table and writes it, with the machine and the date, to --out.
"""
import argparse
import collections
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BOBSYNC = os.environ.get("BOBSYNC", os.path.join(ROOT, "bobsync"))
PY = "/usr/bin/python3"

TARGETS = {
    "plan roster": "CPU < 1 s and RSS < 300 MB at 100,000 people; HiBob calls independent of size",
    "sync timeoff (nothing changed)": "1 HiBob call, 0 Assembled calls",
}


def ctl(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


class Sandbox:
    def __init__(self, people, tmp):
        self.state_file = os.path.join(tmp, "sandbox-%d.json" % people)
        self.log = open(os.path.join(tmp, "sandbox-%d.log" % people), "w")
        if os.path.exists(self.state_file):
            os.unlink(self.state_file)     # a stale one would be taken for this sandbox's
        self.proc = subprocess.Popen(
            [PY, os.path.join(ROOT, "tests/sandbox/sandbox.py"), "--state-file",
             self.state_file, "--people", str(people), "--lifetime", "7200"],
            stdout=self.log, stderr=subprocess.STDOUT)
        t0 = time.monotonic()
        while not (os.path.exists(self.state_file) and os.path.getsize(self.state_file) > 0):
            # generating a company takes about 0.3 ms a person here (more
            # on a busy machine): 1,000,000 people need minutes
            if self.proc.poll() is not None or time.monotonic() - t0 > max(300, people / 250):
                raise SystemExit("sandbox did not start; see %s" % self.log.name)
            time.sleep(0.1)
        self.startup_s = time.monotonic() - t0
        with open(self.state_file) as f:
            self.state = json.load(f)
        self.base = {
            "hibob": self.state["hibob"]["url"].rsplit("/v1", 1)[0],
            "assembled": self.state["assembled"]["url"].rsplit("/v0", 1)[0],
            "scim": self.state["scim"]["url"].rsplit("/scim/v2", 1)[0],
        }
        for name in self.base:
            try:
                ctl(self.base[name], "POST", "/_control/ratelimit", {"off": True})
            except Exception:
                pass

    def clear(self):
        for b in self.base.values():
            ctl(b, "DELETE", "/_control/requests")

    def requests(self):
        counts = collections.Counter()
        for name, b in self.base.items():
            log = ctl(b, "GET", "/_control/requests")
            if isinstance(log, dict):
                log = log.get("requests", [])
            for r in log:
                path = r.get("path", "")
                if "/_control/" in path:
                    continue
                path = re.sub(r"/[0-9]{3,}", "/{id}", path)
                path = re.sub(r"/Users/[^/]+$", "/Users/{id}", path)
                counts["%s %s %s" % (name, r.get("method", "?"), path)] += 1
        return counts

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def bs(home, *args, check=True):
    env = dict(os.environ, BOBSYNC_HOME=home, LANG="C.UTF-8")
    r = subprocess.run([BOBSYNC] + list(args), env=env, capture_output=True, text=True,
                       input="")
    if check and r.returncode not in (0, 1, 3):
        raise SystemExit("bobsync %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr[-500:]))
    return r


def make_home(sb, tmp):
    home = tempfile.mkdtemp(prefix="home-", dir=tmp)
    st = sb.state
    for k, v in (("hibob.base_url", st["hibob"]["url"]),
                 ("assembled.base_url", st["assembled"]["url"]),
                 ("assembled.enabled", "true"),
                 ("alleo.mode", "scim"),
                 ("alleo.scim_url", st["scim"]["url"]),
                 ("alleo.token_url", st["scim"]["token_url"]),
                 ("guard.max_removals", "1000000"),
                 ("guard.max_removal_percent", "100")):
        bs(home, "config", "set", k, v)
    env = dict(os.environ, BOBSYNC_HOME=home)
    for what, lines in (("hibob", [st["hibob"]["service_user_id"], st["hibob"]["token"]]),
                        ("assembled", [st["assembled"]["api_key"]]),
                        ("alleo", [st["scim"]["client_id"], st["scim"]["client_secret"]])):
        subprocess.run([BOBSYNC, "credentials", "set", what], env=env, check=True,
                       input="\n".join(lines) + "\n", text=True, capture_output=True)
    return home


def measure(home, tmp, *args, extra_env=None):
    out = os.path.join(tmp, "m.json")
    env = dict(os.environ, BOBSYNC_HOME=home, LANG="C.UTF-8", **(extra_env or {}))
    subprocess.run([PY, os.path.join(ROOT, "tests/bench/measure.py"), out, "--", BOBSYNC]
                   + list(args), env=env)
    with open(out) as f:
        return json.load(f)


def last_run_bytes(home):
    r = bs(home, "log", "--json", "--limit", "1", check=False)
    try:
        runs = json.loads(r.stdout).get("runs", [])
        return runs[0].get("bytes") if runs else None
    except (ValueError, AttributeError):
        return None


def fmt_requests(c):
    hib = sum(v for k, v in c.items() if k.startswith("hibob"))
    asm = sum(v for k, v in c.items() if k.startswith("assembled"))
    scim = sum(v for k, v in c.items() if k.startswith("scim"))
    return hib, asm, scim


def bench_ui(rows):
    exe = os.path.join(ROOT, "build", "bench_ui")
    if not os.path.exists(exe):
        return None
    r = subprocess.run([exe, str(rows)], capture_output=True, text=True,
                       env=dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8"))
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        sys.stderr.write("bench_ui: %s\n" % r.stderr[-300:])
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--out", default=os.path.join(ROOT, "tests/bench/RESULTS.md"))
    ap.add_argument("--runs", type=int, default=1,
                    help="run each step this many times and keep the median (CPU time)")
    ap.add_argument("--only", default="",
                    help="comma-separated run labels to measure (default: all)")
    ap.add_argument("--passphrase", action="store_true",
                    help="then move the vault to a passphrase (Argon2id) and measure the "
                    "roster plan again, the unlock included")
    ap.add_argument("--full-sync-max", type=int, default=1000,
                    help="largest company to run the first syncs on (they are paced by vendor limits)")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    tmp = tempfile.mkdtemp(prefix="bobsync-bench-")
    rows = []
    details = []
    try:
        for n in sizes:
            sys.stderr.write("== %d people\n" % n)
            sb = Sandbox(n, tmp)
            try:
                home = make_home(sb, tmp)
                steps = [("preview employees", ("preview", "employees", "--json")),
                         ("plan roster", ("plan", "roster", "--json")),
                         ("preview timeoff", ("preview", "timeoff", "--json")),
                         # the reconciling plan a first or daily time-off
                         # run makes (no cursor yet: the whole window)
                         ("plan timeoff", ("plan", "timeoff", "--json"))]
                # Writes are paced to the vendors' published limits (SCIM
                # 600/min, Assembled 300/min), so a first sync's wall time
                # is requests / limit whatever bobsync does; run them where
                # that takes minutes, not hours.
                if n <= a.full_sync_max:
                    steps += [("sync roster (first)", ("sync", "roster", "--json")),
                              ("sync timeoff (first)", ("sync", "timeoff", "--json")),
                              ("sync timeoff (nothing changed)", ("sync", "timeoff", "--json"))]
                if a.only:
                    steps = [st for st in steps if st[0] in a.only.split(",")]
                env_pass = None
                if a.passphrase:
                    pf = os.path.join(tmp, "passphrase")
                    with open(os.open(pf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                        f.write("correct horse battery staple bench\n")
                    env_pass = {"BOBSYNC_PASSPHRASE_FILE": pf}
                    steps.append(("plan roster (passphrase vault)", ("plan", "roster", "--json")))
                for label, args in steps:
                    ms = []
                    extra = None
                    if label.endswith("(passphrase vault)"):
                        extra = env_pass
                        r = subprocess.run([BOBSYNC, "credentials", "rekey", "--passphrase"],
                                           env=dict(os.environ, BOBSYNC_HOME=home, **env_pass),
                                           capture_output=True, text=True, input="")
                        if r.returncode != 0:
                            raise SystemExit("rekey: %s" % r.stderr[-300:])
                    for _ in range(max(1, a.runs)):
                        sb.clear()
                        ms.append(measure(home, tmp, *args, extra_env=extra))
                    ms.sort(key=lambda x: x["cpu_s"])
                    m = ms[len(ms) // 2]
                    if len(ms) > 1:
                        sys.stderr.write("   %-32s CPU s %s, peak RSS MB %s\n" % (
                            label, " ".join("%.2f" % x["cpu_s"] for x in ms),
                            " ".join("%.1f" % x["rss_mb"] for x in ms)))
                    req = sb.requests()
                    hib, asm, scim = fmt_requests(req)
                    byt = last_run_bytes(home) if args[0] == "sync" else None
                    rows.append((n, label, m, hib, asm, scim, byt))
                    details.append((n, label, req))
                    sys.stderr.write("   %-32s %6.2fs wall %6.2fs cpu %7.1f MB  hibob %d asm %d scim %d  exit %d\n"
                                     % (label, m["wall_s"], m["cpu_s"], m["rss_mb"], hib, asm, scim, m["status"]))
            finally:
                sb.stop()
        ui = bench_ui(100000)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    lines = []
    lines.append("| people | run | wall s | CPU s | peak RSS MB | HiBob calls | Assembled calls | SCIM calls | bytes | exit |")
    lines.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, label, m, hib, asm, scim, byt in rows:
        lines.append("| %s | %s | %.2f | %.2f | %.1f | %d | %d | %d | %s | %d |" % (
            "{:,}".format(n), label, m["wall_s"], m["cpu_s"], m["rss_mb"], hib, asm, scim,
            "{:,}".format(byt) if byt is not None else "-", m["status"]))
    if ui:
        lines.append("")
        lines.append("| TUI, %s rows | median ms | worst ms | target ms |" % "{:,}".format(ui.get("rows", 100000)))
        lines.append("|---|---:|---:|---:|")
        lines.append("| draw a frame | %.2f | %.2f | 5 |" % (ui["frame_ms_median"], ui["frame_ms_max"]))
        lines.append("| apply a filter | %.2f | %.2f | 50 |" % (ui["filter_ms_median"], ui["filter_ms_max"]))
    table = "\n".join(lines)
    print(table)

    ep = ["", "HTTP requests by endpoint:", ""]
    for n, label, req in details:
        ep.append("- %s people, %s: %s" % ("{:,}".format(n), label, ", ".join(
            "%s x%d" % (k, v) for k, v in sorted(req.items())) or "none"))
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    head = ["# bobsync benchmark results", "",
            "Made by `make bench` on %s: %s, %d cores, %s, Linux %s. The sandbox servers run on the same machine "
            "(loopback), so their own time is part of the wall time." % (
                datetime.date.today().isoformat(), cpu, os.cpu_count() or 0,
                "%.0f GiB" % (os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
                platform.release()),
            "", "Targets: roster plan at 100,000 people under 1 s CPU and 300 MB peak RSS; HiBob calls for a roster run "
            "independent of company size; an incremental time-off run with nothing changed makes one HiBob call; "
            "TUI frame under 5 ms and filter under 50 ms at 100,000 rows.", "", ""]
    with open(a.out, "w") as f:
        f.write("\n".join(head) + table + "\n" + "\n".join(ep) + "\n")


if __name__ == "__main__":
    main()
