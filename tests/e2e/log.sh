#!/bin/sh
# log.sh - `bobsync log` over a store with many runs, without any service:
# --result picks the newest runs that have that result (not only among the
# newest --limit runs), --limit caps them, and a filter that matches
# nothing says so; a sync that finds the lock held is logged as not run.
# The runs are written straight into the state store.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"	# bs and json_get; no server is started

sb_home_offline
bs explain nobody@example.com >/dev/null 2>&1	# creates the state store, then fails to connect
[ -f "$BOBSYNC_HOME/state.db" ] || { echo "no state store was made" >&2; exit 1; }
# one failed run, then 120 newer ok runs
python3 - "$BOBSYNC_HOME/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO runs(target, kind, started_at, finished_at, result, message) "
           "VALUES ('roster', 'sync', 1000, 1010, 'failed', 'HiBob did not answer')")
for i in range(120):
    db.execute("INSERT INTO runs(target, kind, started_at, finished_at, result, message) "
               "VALUES ('timeoff', 'sync', ?, ?, 'ok', 'fine')", (2000 + i * 60, 2010 + i * 60))
db.commit()
PY

t_case "log --result finds a run older than the newest hundred"
out=$(bs log --result failed)
t_contains "$out" "HiBob did not answer" "the failed run"
t_eq "$(bs log --result failed --json | json_get - 'len(j["runs"])')" 1 "one in --json"

t_case "log --limit caps the runs, with or without --result"
t_eq "$(bs log --json | json_get - 'len(j["runs"])')" 20 "twenty by default"
t_eq "$(bs log --limit 3 --result ok --json | json_get - 'len(j["runs"])')" 3 "three ok runs"
t_eq "$(bs log --limit 3 --result ok | grep -c ' ok ')" 3 "three rows in the table"

t_case "a result no run has is said plainly"
t_eq "$(bs log --result blocked)" "No run with the result 'blocked'." "the message"

t_case "a sync that finds the lock held is in the log as not run, from the cli"
bs config set assembled.enabled true >/dev/null
flock "$BOBSYNC_HOME/bobsync.lock" sleep 30 &
HOLDER=$!
t_on_exit "kill $HOLDER 2>/dev/null"
i=0
until [ -f "$BOBSYNC_HOME/bobsync.lock" ] || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.2
bs sync timeoff >/dev/null 2>&1
t_eq "$?" 5 "exit status: the lock is held"
t_eq "$(bs log --json | json_get - 'j["runs"][0]["result"]')" "not run" "recorded"
t_eq "$(bs log --json | json_get - 'j["runs"][0]["origin"]')" cli "who tried"
t_eq "$(bs status --json | json_get - 'j["timeoff"]["failures"]')" 0 "no failure counted"
# a cron pass cannot try again in a minute: it says so, and exits as sync does
bs daemon --once >/dev/null 2>"$T_TMP/once.err"
t_eq "$?" 5 "daemon --once: exit status when a due sync finds the lock held"
t_contains "$(cat "$T_TMP/once.err")" "timeoff: not run: another bobsync run is working on this home" "daemon --once says so"
kill $HOLDER 2>/dev/null
# the help spells it not_run (a shell word); the store says "not run"
t_eq "$(bs log --result not_run --json | json_get - 'len(j["runs"])')" 1 "--result not_run"
t_eq "$(bs log --result 'not run' --json | json_get - 'len(j["runs"])')" 1 "--result 'not run'"

t_case "log --person takes a name or part of one: one match filters, several are listed"
python3 - "$BOBSYNC_HOME/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for eid, mail, first, last in [("101", "ann.lee@example.com", "Ann", "Lee"),
                               ("102", "jo.lee@example.com", "Joanne", "Lee"),
                               ("103", "bo.berg@example.com", "Bo", "Berg")]:
    db.execute("INSERT INTO roster(employee_id, email, first_name, last_name) VALUES (?, ?, ?, ?)",
               (eid, mail, first, last))
run = db.execute("INSERT INTO runs(target, kind, started_at, finished_at, result) "
                 "VALUES ('roster', 'sync', 5000, 5010, 'ok')").lastrowid
for seq, (eid, mail) in enumerate([("101", "ann.lee@example.com"), ("102", "jo.lee@example.com"),
                                   ("103", "bo.berg@example.com")]):
    db.execute("INSERT INTO actions(run_id, seq, target, op, subject, email, reason, state) "
               "VALUES (?, ?, 'alleo', 'add', ?, ?, 'joined', 'done')", (run, seq, eid, mail))
db.commit()
PY
out=$(bs log --person berg)
t_eq "$?" 0 "exit status, one match"
t_contains "$out" "Bo Berg" "Bo Berg's action, by name"
t_not_contains "$out" "Ann Lee" "no one else's"
out=$(bs log --person "ann lee")
t_contains "$out" "Ann Lee" "a whole name, case ignored"
t_not_contains "$out" "Joanne Lee" "only that name"
bs log --person lee >"$T_TMP/p.out" 2>"$T_TMP/p.err"
t_eq "$?" 2 "exit status, several"
t_eq "$(cat "$T_TMP/p.out")" "" "nothing on stdout"
t_contains "$(cat "$T_TMP/p.err")" "2 people match 'lee'" "says how many"
t_contains "$(cat "$T_TMP/p.err")" "jo.lee@example.com" "lists them"
t_contains "$(bs log --person 103)" "Bo Berg" "an id still works"
t_contains "$(bs log --person BO.BERG@example.com)" "Bo Berg" "an email still works"
run=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT max(run_id) FROM actions").fetchone()[0])' "$BOBSYNC_HOME/state.db")
t_contains "$(bs log --run "$run")" "Joanne Lee" "log --run names people, not emails"
t_not_contains "$(bs log --run "$run")" "jo.lee@example.com" "no email where a name is known"

t_summary
