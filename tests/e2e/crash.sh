#!/bin/sh
# crash.sh - crash safety: a first sync is killed with SIGKILL right after
# its k-th remote write has landed (the sandbox serves the write and holds
# the answer back, so bobsync never learns it succeeded), then run again;
# the target must end exactly as after an uninterrupted run (same users with
# the same active flags and no duplicate; the same events, one per marker)
# and the state store must pass integrity_check with no action left open.
#
# Roster (SCIM, 21 creates) and time off (Assembled, 22 creates): every k.
# The suite takes about 2.5 minutes on a 2-core machine (bobsync paces
# itself to Assembled's 5 calls a second, so each time-off run takes a few
# seconds); CRASH_STEP=N tries only every N-th k of time off (plus the last)
# for a quicker local run.
#
# While the killed run waits, `status` shows it running; after the kill,
# `status` and `log` show it interrupted.  Last, SIGTERM and SIGINT stop a
# run between two writes: recorded as interrupted, nothing left open.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/lib_faults.sh"

# a template home with credentials and settings, copied fresh for each run
make_template() { # ENGINE
	sb_home hibob assembled alleo || exit 1
	bs config set alleo.mode scim >/dev/null
	bs config set assembled.enabled true >/dev/null
	TEMPLATE=$BOBSYNC_HOME
}
fresh_home() {
	BOBSYNC_HOME=$T_TMP/run.$1
	rm -rf "$BOBSYNC_HOME"
	cp -a "$TEMPLATE" "$BOBSYNC_HOME"
	export BOBSYNC_HOME
}

# reset the target to before any sync
reset_target() { # roster|timeoff
	if [ "$1" = roster ]; then
		sb_ctl scim DELETE /_control/users >/dev/null
	else
		sb_ctl assembled GET /_control/activities | "$PY" -c '
import json, sys, urllib.request
base = sys.argv[1]
for a in json.load(sys.stdin)["activities"].values():
    if "hibob:" in (a.get("description") or ""):
        urllib.request.urlopen(urllib.request.Request(base + "/_control/activities/" + a["id"],
                                                      method="DELETE"), timeout=10).read()' "${SB_ASM_URL%/v0}"
	fi
}

job_of() { if [ "$1" = roster ]; then echo roster; else echo timeoff; fi; }

snapshot() { if [ "$1" = roster ]; then scim_snapshot; else asm_snapshot; fi; }

server_of() { if [ "$1" = roster ]; then echo scim; else echo assembled; fi; }
write_path() { if [ "$1" = roster ]; then echo /scim/v2/Users; else echo /v0/activities; fi; }

# writes (POST to the write path) the server has answered or held
writes() { # ENGINE
	sb_ctl "$(server_of "$1")" GET /_control/requests | py "sum(1 for r in j['requests'] if r['method'] == 'POST' and r['path'] == '$(write_path "$1")')"
}
held() { # ENGINE: 0 when the held write is in the log
	[ "$(sb_ctl "$(server_of "$1")" GET /_control/requests | py "sum(1 for r in j['requests'] if r.get('fault') == 'hold')")" -ge 1 ]
}

# reference: an uninterrupted first sync
reference() { # ENGINE
	eng=$1
	t_case "$eng: an uninterrupted first sync (the reference)"
	reset_target "$eng"
	fresh_home "$eng.ref"
	sb_ctl "$(server_of "$eng")" DELETE /_control/requests >/dev/null
	bs sync "$eng" >"$T_TMP/out" 2>&1 || t_fail "sync $eng: $(tail -3 "$T_TMP/out")"
	N=$(writes "$eng")
	snapshot "$eng" >"$T_TMP/ref.$eng"
	if [ "$eng" = roster ]; then
		t_eq "$(roster_diff)" "" "SCIM against the truth"
	else
		t_eq "$(timeoff_diff)" "" "Assembled against the truth"
	fi
	[ "$N" -ge 20 ] || t_fail "the plan has $N writes, at least 20 wanted"
	t_eq "$(store_check pending,sent)" "" "state store"
}

# kill the first sync right after its k-th write, run again, compare
crash_at() { # ENGINE K
	eng=$1 k=$2
	srv=$(server_of "$eng")
	t_case "$eng: killed after write $k of $N, then run again"
	reset_target "$eng"
	fresh_home "$eng.$k"
	sb_ctl "$srv" DELETE /_control/requests >/dev/null
	sb_ctl "$srv" DELETE /_control/fault >/dev/null
	sb_ctl "$srv" POST /_control/fault "{\"path\": \"$(write_path "$eng")\", \"method\": \"POST\", \"kind\": \"hold\", \"after\": $((k - 1)), \"seconds\": 60}" >/dev/null
	"$BOBSYNC" sync "$eng" >"$T_TMP/killed.out" 2>&1 &
	pid=$!
	wait_for 600 held "$eng" || t_fail "write $k was not reached: $(tail -3 "$T_TMP/killed.out")"
	# the run holds the lock: it is running now
	t_eq "$(bs status --json | py "j['$(job_of "$eng")']['open_run']['state']")" running \
		"status while the run waits for its write"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	sb_ctl "$srv" DELETE /_control/fault >/dev/null
	t_eq "$(writes "$eng")" "$k" "writes sent before the kill"
	t_eq "$(snapshot "$eng" | wc -l)" "$k" "objects in the target after the kill"
	t_eq "$(store_check)" "" "state store after the kill"
	# nothing holds the lock: the store's "running" row is a killed run
	t_eq "$(bs status --json | py "j['$(job_of "$eng")']['open_run']['state']")" interrupted \
		"status after the kill"
	t_eq "$(bs log --json --limit 1 | py "j['runs'][0]['result']")" interrupted "log after the kill"
	t_eq "$(bs log --json --result interrupted | py "len(j['runs'])")" 1 \
		"log --result interrupted after the kill"
	bs sync "$eng" >"$T_TMP/rerun.out" 2>&1
	t_eq "$?" 0 "rerun exit status ($(tail -2 "$T_TMP/rerun.out" | tr '\n' ' '))"
	snapshot "$eng" >"$T_TMP/got.$eng"
	t_eq "$(diff "$T_TMP/ref.$eng" "$T_TMP/got.$eng" | grep '^[<>]' | head -5)" "" "target against the uninterrupted run"
	t_eq "$(store_check pending,sent)" "" "state store after the rerun"
}

# ---- a signal stops the run at the next safe point ----
# SIGTERM (and Ctrl-C, SIGINT) while write 3 waits for its answer: the write
# is answered, no other is sent, the run is recorded as interrupted with
# nothing left open (no failure: it is due again within 15 minutes), and
# bobsync dies of the signal (exit 128 + signal).
stop_at() { # ENGINE SIGNAL STATUS
	eng=$1
	srv=$(server_of "$eng")
	t_case "$eng: SIG$2 while write 3 waits for its answer"
	reset_target "$eng"
	fresh_home "sig$eng$2"
	sb_ctl "$srv" DELETE /_control/requests >/dev/null
	sb_ctl "$srv" POST /_control/fault "{\"path\": \"$(write_path "$eng")\", \"method\": \"POST\", \"kind\": \"hold\", \"after\": 2, \"seconds\": 2, \"answer\": true}" >/dev/null
	# a shell's background job ignores SIGINT; this one is started with
	# the default, as a command run from a terminal is
	"$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$BOBSYNC" sync "$eng" >"$T_TMP/sig.out" 2>"$T_TMP/sig.err" &
	pid=$!
	wait_for 600 held "$eng" || t_fail "write 3 was not reached: $(tail -3 "$T_TMP/sig.err")"
	kill -"$2" $pid
	wait $pid 2>/dev/null
	t_eq "$?" "$3" "exit status"
	sb_ctl "$srv" DELETE /_control/fault >/dev/null
	t_eq "$(writes "$eng")" 3 "writes sent"
	grep -q "stopping at the next safe point" "$T_TMP/sig.err" || t_fail "no word of the stop: $(tail -2 "$T_TMP/sig.err")"
	grep -q "stopped after 3 of" "$T_TMP/sig.err" || t_fail "no count of what was done: $(tail -2 "$T_TMP/sig.err")"
	t_eq "$(store_check pending,sent)" "" "state store: nothing left open"
	t_eq "$(bs log --json --limit 1 | py "(j['runs'][0]['result'], j['runs'][0]['applied'], j['runs'][0]['failed'])")" \
		"('interrupted', 3, 0)" "the run in the log"
	t_eq "$(bs status --json | py "(j['$(job_of "$eng")']['result'], j['$(job_of "$eng")']['failures'], j['$(job_of "$eng")']['open_run'])")" \
		"('interrupted', 0, None)" "status: interrupted, not a failure"
	t_eq "$(bs status --json | py "__import__('datetime').datetime.fromisoformat(j['$(job_of "$eng")']['next_run'].replace('Z', '+00:00')).timestamp() <= __import__('time').time() + 15 * 60 + 5")" \
		True "due again within 15 minutes"
	bs sync "$eng" >"$T_TMP/rerun.out" 2>&1
	t_eq "$?" 0 "rerun exit status ($(tail -2 "$T_TMP/rerun.out" | tr '\n' ' '))"
	snapshot "$eng" >"$T_TMP/got.$eng"
	t_eq "$(diff "$T_TMP/ref.$eng" "$T_TMP/got.$eng" | grep '^[<>]' | head -5)" "" "target against the uninterrupted run"
}

# ---- roster: 32 people, 21 eligible, every k ----
sb_start --people 32 || exit 1
sb_ctl scim POST /_control/ratelimit '{"off": true}' >/dev/null
make_template
reference roster
k=1
while [ "$k" -le "$N" ]; do
	crash_at roster $k
	k=$((k + 1))
done
stop_at roster TERM 143

# ---- time off: 60 people, 22 approved requests that sync ----
kill "$SB_PID" 2>/dev/null; wait "$SB_PID" 2>/dev/null
sb_start --people 60 || exit 1
sb_ctl assembled POST /_control/ratelimit '{"off": true}' >/dev/null
make_template
reference timeoff
step=${CRASH_STEP:-1}
k=1
while [ "$k" -le "$N" ]; do
	crash_at timeoff $k
	if [ "$k" -lt "$N" ] && [ $((k + step)) -gt "$N" ]; then
		k=$N
	else
		k=$((k + step))
	fi
done

stop_at timeoff TERM 143
stop_at timeoff INT 130

t_case "timeoff: SIGTERM while HiBob's who's out answer is on its way"
reset_target timeoff
fresh_home sigplan
sb_ctl assembled DELETE /_control/requests >/dev/null
sb_ctl hibob DELETE /_control/requests >/dev/null
sb_ctl hibob POST /_control/fault '{"path": "/v1/timeoff/whosout", "method": "GET", "kind": "hold", "seconds": 3, "answer": true}' >/dev/null
"$BOBSYNC" sync timeoff >"$T_TMP/sig.out" 2>"$T_TMP/sig.err" &
pid=$!
bob_held() { [ "$(sb_ctl hibob GET /_control/requests | py "sum(1 for r in j['requests'] if r.get('fault') == 'hold')")" -ge 1 ]; }
wait_for 600 bob_held || t_fail "who's out was not asked for"
kill -TERM $pid
wait $pid 2>/dev/null
t_eq "$?" 143 "exit status"
sb_ctl hibob DELETE /_control/fault >/dev/null
t_eq "$(writes timeoff)" 0 "writes sent"
t_eq "$(tail -1 "$T_TMP/sig.err")" "bobsync: stopped while planning; nothing was sent" "what it says"
t_eq "$(bs log --json --limit 1 | py "(j['runs'][0]['result'], j['runs'][0]['message'])")" \
	"('interrupted', 'stopped while planning; nothing was sent')" "the run in the log"

t_case "timeoff: a killed run does not look alive while the next run plans"
reset_target timeoff
fresh_home stale
sb_ctl assembled DELETE /_control/requests >/dev/null
sb_ctl assembled POST /_control/fault '{"path": "/v0/activities", "method": "POST", "kind": "hold", "after": 1, "seconds": 60}' >/dev/null
"$BOBSYNC" sync timeoff >"$T_TMP/killed.out" 2>&1 &
pid=$!
wait_for 600 held timeoff || t_fail "write 2 was not reached: $(tail -3 "$T_TMP/killed.out")"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
sb_ctl assembled DELETE /_control/fault >/dev/null
killed=$(bs log --json --limit 1 | py "j['runs'][0]['run_id']")
sb_ctl hibob DELETE /_control/requests >/dev/null
sb_ctl hibob POST /_control/fault '{"path": "/v1/timeoff/whosout", "method": "GET", "kind": "hold", "seconds": 3, "answer": true}' >/dev/null
"$BOBSYNC" sync timeoff >"$T_TMP/rerun.out" 2>&1 &
pid=$!
wait_for 600 bob_held || t_fail "who's out was not asked for"
# the next run holds the lock and has no row yet
t_eq "$(bs status --json | py "(j['timeoff']['open_run']['run_id'], j['timeoff']['open_run']['state'])")" \
	"($killed, 'interrupted')" "status while the next run plans"
t_eq "$(bs log --json --limit 1 | py "(j['runs'][0]['run_id'], j['runs'][0]['result'])")" \
	"($killed, 'interrupted')" "log while the next run plans"
wait $pid
t_eq "$?" 0 "the next run's exit status ($(tail -2 "$T_TMP/rerun.out" | tr '\n' ' '))"
sb_ctl hibob DELETE /_control/fault >/dev/null
asm_snapshot >"$T_TMP/got.timeoff"
t_eq "$(diff "$T_TMP/ref.timeoff" "$T_TMP/got.timeoff" | grep '^[<>]' | head -5)" "" "target against the uninterrupted run"

t_summary
