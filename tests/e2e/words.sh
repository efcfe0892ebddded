#!/bin/sh
# words.sh - the command line speaks to people (issue 16, points 1 and 7):
# status and log text give times in the admin's zone ("today 02:00"), ISO
# only in --json; status exits 4 (cli.md: not configured) when bobsync is
# not set up; config list fits the terminal width with long values cut
# only in the table; reconcile's progress line never shares a line with
# its result.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

# a terminal for stdout and stderr: script(1) with the given width
on_tty() {
	cols=$1
	shift
	COLUMNS=$cols script -qec "$*" /dev/null </dev/null | tr -d '\r'
}

t_case "status when not configured: says so and exits 4 (text and --json)"
BOBSYNC_HOME=$T_TMP/empty
export BOBSYNC_HOME
mkdir -m 700 "$BOBSYNC_HOME"
out=$(bs status 2>&1)
t_eq "$?" 4 "exit status"
t_contains "$out" "not configured" "the message"
t_eq "$(bs status --json | json_get - 'j["configured"]')" False "--json says configured false"
bs status --json >/dev/null 2>&1
t_eq "$?" 4 "exit status with --json"

t_case "log text gives times in the admin's zone, --json in ISO"
bs config set hibob.base_url http://127.0.0.1:9/v1 >/dev/null
printf 'SERVICE-1\nnot-a-token\n' | bs credentials set hibob >/dev/null 2>&1
bs explain nobody@example.com >/dev/null 2>&1	# creates the state store
# a run at 01:00 UTC = 02:00 in Amsterdam, seen at 11:00 Amsterdam time
python3 - "$BOBSYNC_HOME/state.db" <<'PY'
import sqlite3, sys, calendar, time
t = calendar.timegm(time.strptime("2026-12-06T01:00:00", "%Y-%m-%dT%H:%M:%S"))
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO runs(target, kind, started_at, finished_at, result, message) "
           "VALUES ('roster', 'sync', ?, ?, 'ok', 'fine')", (t, t + 10))
db.execute("INSERT INTO runs(target, kind, started_at, finished_at, result, message) "
           "VALUES ('roster', 'sync', ?, ?, 'ok', 'fine')", (t - 86400 * 400, t - 86400 * 400 + 10))
db.commit()
PY
export BOBSYNC_FAKE_NOW=2026-12-06T10:00:00Z
out=$(TZ=Europe/Amsterdam bs log)
t_contains "$out" "today 02:00" "today, local time"
t_contains "$out" "Sat 1 Nov 2025 02:00" "another year, with the year"
t_not_contains "$out" "2026-12-06T" "no ISO time in the text"
out=$(TZ=America/New_York bs log)
t_contains "$out" "yesterday 20:00" "the same run from New York"
t_contains "$(TZ=Europe/Amsterdam bs log --run 1)" "started today 02:00 (9 h ago)" "log --run"
t_eq "$(TZ=Europe/Amsterdam bs log --json | json_get - '[r["started_at"] for r in j["runs"] if r["run_id"] == 1][0]')" \
    "2026-12-06T01:00:00Z" "--json stays ISO UTC"
bs config set assembled.enabled true >/dev/null
python3 - "$BOBSYNC_HOME/state.db" <<'PY'
import sqlite3, sys, json, calendar, time
t = calendar.timegm(time.strptime("2026-12-06T01:00:00", "%Y-%m-%dT%H:%M:%S"))
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT OR REPLACE INTO kv(key, value) VALUES ('job.timeoff', ?)",
           (json.dumps({"last_run": t, "last_ok": t, "last_result": "ok"}),))
db.commit()
PY
out=$(TZ=Europe/Amsterdam bs status)
t_eq "$?" 0 "status exits 0 once configured"
t_contains "$out" "last run today 02:00 (9 h ago): ok" "status: the last run in words"
t_not_contains "$out" "2026-12-06T" "status: no ISO time"
t_contains "$(TZ=Europe/Amsterdam bs status --json | json_get - 'j["timeoff"]["last_run"]')" \
    "2026-12-06T01:00:00" "status --json stays ISO"
bs config set assembled.enabled false >/dev/null
unset BOBSYNC_FAKE_NOW

t_case "config list fits the terminal; long values whole in --json and config get"
long="https://a-rather-long-tenant-name.alleo.example.com/scim/v2/and/a/longer/path"
bs config set alleo.scim_url "$long" >/dev/null
for w in 50 60 80 120; do
	out=$(on_tty $w "$BOBSYNC" config list)
	# the table (the settings file's path after it is printed whole)
	widest=$(printf '%s\n' "$out" | sed '/^$/,$d' | python3 -c 'import sys; print(max(len(l) for l in sys.stdin.read().splitlines()))')
	[ "$widest" -le $w ] || t_fail "config list at $w columns has a line of $widest"
	line=$(printf '%s\n' "$out" | grep '^alleo.scim_url ')
	t_contains "$line" "…" "the long value is cut at $w columns"
done
t_contains "$(on_tty 120 "$BOBSYNC" config list)" "MEANING" "the meaning is shown when there is room"
t_eq "$(bs config get alleo.scim_url)" "$long" "config get gives it whole"
t_eq "$(bs config list --json | json_get - '[s["value"] for s in j["settings"] if s["key"]=="alleo.scim_url"][0]')" \
    "$long" "--json gives it whole"
t_contains "$(bs config list | grep '^alleo.scim_url ')" "$long" "not a terminal: whole"

sb_start --people 40 || exit 1
sb_home hibob assembled alleo || exit 1
bs config set assembled.enabled true >/dev/null

t_case "preview timeoff's text says when in words; --json keeps ISO"
out=$(bs preview timeoff 2>&1)
t_contains "$out" "WHEN" "the column"
printf '%s\n' "$out" | grep -q 'full day' || t_fail "no full day in: $out"
printf '%s\n' "$out" | grep -q 'T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' && t_fail "an ISO time in the text"
bs preview timeoff --json | json_get - '[r["start"] for r in j["requests"] if r["start"]][0]' | grep -q 'T[0-9][0-9]:' ||
	t_fail "--json lost its ISO times"

t_case "plan and sync --dry-run say what each action changes, in words"
out=$(bs plan timeoff 2>&1)
t_contains "$out" "CHANGES" "the column"
t_contains "$out" "Time off" "time off in words"
printf '%s\n' "$out" | grep -q 'full day\|[0-9][0-9]:[0-9][0-9] to ' || t_fail "no day or time in: $out"
t_not_contains "$out" '"start"' "no JSON"
out=$(bs sync timeoff --dry-run 2>&1)
t_contains "$out" "Time off" "the dry run lists its actions"
printf '%s\n' "$out" | grep -q "^create " || t_fail "no create action listed: $out"
t_not_contains "$out" "1 actions" "plural right"
bs config set alleo.mode scim >/dev/null
out=$(bs plan roster 2>&1)
t_contains "$out" "Account: none -> active" "a new account in words"
out=$(bs sync roster --dry-run 2>&1)
t_contains "$out" "Account: none -> active" "the roster dry run lists them too"
bs config set alleo.mode off >/dev/null

t_case "reconcile: the progress line and the result on separate lines"
raw=$(on_tty 80 "$BOBSYNC" reconcile timeoff)
case $raw in *"$(printf '\033')[K"*...*) ;; *) t_fail "no progress line was shown: $raw" ;; esac
# what a terminal shows: each line from its last erase on
shown=$(printf '%s\n' "$raw" | sed "s/.*$(printf '\033')\[K//")
printf '%s\n' "$shown" | grep -q '\.\.\.' && t_fail "progress and result share a line: $shown"
t_contains "$shown" "applied" "the result"

t_case "log --run shows each action's before/after in words"
run=$(bs log --json | json_get - 'j["runs"][0]["run_id"]')
out=$(bs log --run "$run")
t_contains "$out" "CHANGES" "the column"
t_contains "$out" "Time off" "the changes in words"

t_summary
