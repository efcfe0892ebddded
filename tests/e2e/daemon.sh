#!/bin/sh
# daemon.sh - the daemon against the sandbox with a short time-off interval:
# an approval in HiBob reaches Assembled within one poll interval and a
# cancellation removes it; SIGTERM in the middle of a run leaves a
# consistent store and the next run converges without duplicates; a 401
# quarantines the sync (alert called, visible in status) and the first
# success after the fix releases it (alert called again); a changed
# settings file is reloaded without a signal and status shows the next run
# the daemon will make.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

POLL=3
sb_start --people 60 || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null
HOME1=$BOBSYNC_HOME

# start_daemon LOG: the daemon in the background (not through bs(), so
# signals reach bobsync itself); waits for its start line
start_daemon() {
	BOBSYNC_TEST_POLL_SECONDS=$POLL "$BOBSYNC" daemon >"$1.out" 2>"$1" &
	DPID=$!
	t_on_exit "kill $DPID 2>/dev/null"
	i=0
	until grep -q "daemon started" "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $DPID 2>/dev/null; then
			t_fail "the daemon did not start: $(head -c 400 "$1")"
			return 1
		fi
		sleep 0.1
	done
}

# stop_daemon: SIGTERM, and the exit status within 60 s
stop_daemon() {
	kill -TERM $DPID 2>/dev/null
	i=0
	while kill -0 $DPID 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 $DPID 2>/dev/null; then
		t_fail "the daemon did not stop within 60 s of SIGTERM"
		kill -9 $DPID
	fi
	wait $DPID
}

# markers: the Assembled activities carrying hibob:ID, one per line
markers() {
	sb_ctl assembled GET /_control/activities | python3 -c 'import json,re,sys
j=json.load(sys.stdin)
for a in j["activities"].values():
    for m in re.findall(r"hibob:[0-9]+", a.get("description") or ""):
        print(m)' | sort
}

# wait_for COND_CMD SECONDS: poll until the command succeeds; prints the seconds waited
wait_for() {
	start=$(date +%s%N)
	limit=$(( $2 * 10 ))
	i=0
	until eval "$1"; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	echo $(( ($(date +%s%N) - start) / 1000000 ))
}

store_ok() {
	python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
print(c.execute("pragma integrity_check").fetchone()[0])' "$BOBSYNC_HOME/state.db"
}

# an employee of the sandbox who is an Assembled agent
EMP=$(sb_ctl hibob GET /_control/expected | json_get - \
	'[r["employee_id"] for r in j["timeoff"]["requests"] if r.get("agent_id") and r["sync"]][0]')
DAY1=$(date -u -d "$SB_TODAY + 40 days" +%F)
DAY2=$(date -u -d "$SB_TODAY + 41 days" +%F)

t_case "first time-off sync before the daemon starts"
bs sync timeoff >"$T_TMP/first.out" 2>&1 || t_fail "sync timeoff: $(tail -3 "$T_TMP/first.out")"

t_case "an approval reaches Assembled within one poll interval"
start_daemon "$T_TMP/d1.err" || exit 1
rid=$(sb_ctl hibob POST /_control/timeoff "{\"op\":\"create\",\"employee\":\"$EMP\",\"type\":\"days\",\"policyType\":\"Holiday\",\"startDate\":\"$DAY1\",\"endDate\":\"$DAY2\",\"status\":\"pending\"}" |
	json_get - 'j["requestId"]')
[ -n "$rid" ] || t_fail "the sandbox made no request"
sleep $((POLL + 1))
markers | grep -qx "hibob:$rid" && t_fail "a pending request was synced"
sb_ctl hibob POST /_control/timeoff "{\"op\":\"approve\",\"requestId\":$rid}" >/dev/null
ms=$(wait_for 'markers | grep -qx "hibob:$rid"' $((POLL * 2 + 10)))
if [ -z "$ms" ]; then
	t_fail "the approved request $rid did not reach Assembled: $(tail -5 "$T_TMP/d1.err")"
else
	echo "approval reached Assembled after $ms ms (interval ${POLL}s)"
	# one interval plus the run itself, which on a busy CI machine (two
	# suites side by side) takes a few seconds
	[ "$ms" -le $(( (POLL + 8) * 1000 )) ] || t_fail "took $ms ms, more than one interval ($POLL s) plus the run"
fi

t_case "a cancellation removes the event within one poll interval"
sb_ctl hibob POST /_control/timeoff "{\"op\":\"cancel\",\"requestId\":$rid}" >/dev/null
ms=$(wait_for '! markers | grep -qx "hibob:$rid"' $((POLL * 2 + 10)))
[ -n "$ms" ] || t_fail "the canceled request's event is still in Assembled"

t_case "SIGTERM ends the daemon cleanly"
stop_daemon
t_eq "$?" 0 "exit status after SIGTERM"
t_contains "$(cat "$T_TMP/d1.err")" "daemon stopped" "stop message"

t_case "SIGTERM in the middle of a run: consistent store, next run converges"
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null
before=$(markers | sort)
# the Assembled sandbox already holds every event from the first home;
# this home starts afresh and must adopt them, not duplicate them.  Slow
# answers make the run long enough to be interrupted.
sb_ctl assembled POST /_control/latency '{"ms": 150}' >/dev/null
start_daemon "$T_TMP/d2.err" || exit 1
sleep 2
stop_daemon
t_eq "$?" 0 "exit status after SIGTERM mid-run"
sb_ctl assembled POST /_control/latency '{"ms": 0}' >/dev/null
t_eq "$(store_ok)" ok "state store integrity"
bs sync timeoff >"$T_TMP/again.out" 2>&1 || t_fail "the next sync failed: $(tail -3 "$T_TMP/again.out")"
after=$(markers | sort)
dups=$(printf '%s\n' "$after" | uniq -d)
t_eq "$dups" "" "duplicate events"
t_eq "$after" "$before" "the events after an interrupted and a resumed run"

t_case "a 401 quarantines the sync and calls the alert command"
BOBSYNC_HOME=$HOME1
ALERTS=$T_TMP/alerts
bs config set alert.command "echo \"\$BOBSYNC_EVENT \$BOBSYNC_SYNC \$BOBSYNC_QUARANTINE\" >> $ALERTS" >/dev/null
sb_ctl hibob POST /_control/scenario '{"name": "wrong_token"}' >/dev/null
start_daemon "$T_TMP/d3.err" || exit 1
ms=$(wait_for "grep -q '^quarantine timeoff' $ALERTS 2>/dev/null" 20)
[ -n "$ms" ] || t_fail "no quarantine alert: $(cat "$ALERTS" 2>/dev/null) / $(tail -3 "$T_TMP/d3.err")"
q=$(bs status --json | json_get - 'j["timeoff"]["quarantine"]')
case $q in ""|False|false) t_fail "status --json does not show the quarantine" ;; esac
t_contains "$(bs status | tr A-Z a-z)" "quarantine" "status text names the quarantine"
n=$(sb_ctl hibob GET /_control/requests | json_get - 'sum(1 for r in j["requests"] if r["status"] == 401)')
sleep $((POLL * 2))
n2=$(sb_ctl hibob GET /_control/requests | json_get - 'sum(1 for r in j["requests"] if r["status"] == 401)')
t_eq "$n2" "$n" "401s sent while quarantined (HiBob blocks callers that repeat them)"

t_case "the first success after the fix releases it and calls the alert again"
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null
kill -HUP $DPID
ms=$(wait_for "grep -q '^recovery timeoff' $ALERTS 2>/dev/null" 30)
[ -n "$ms" ] || t_fail "no recovery alert: $(cat "$ALERTS" 2>/dev/null) / $(tail -3 "$T_TMP/d3.err")"
q=$(bs status --json | json_get - 'j["timeoff"]["quarantine"]')
case $q in ""|False|false) ;; *) t_fail "still quarantined: $q" ;; esac
stop_daemon
grep -q "$SB_HIBOB_TOKEN" "$ALERTS" && t_fail "the alert saw the token"

t_case "a changed poll interval is picked up without a signal; status shows the daemon's next run"
bs config set timeoff.poll_minutes 60 >/dev/null
"$BOBSYNC" daemon >"$T_TMP/d4.out" 2>"$T_TMP/d4.err" &
DPID=$!
t_on_exit "kill $DPID 2>/dev/null"
[ -n "$(wait_for "grep -q 'timeoff: next run' '$T_TMP/d4.err'" 30)" ] ||
	t_fail "the daemon did not say when time off runs next: $(tail -3 "$T_TMP/d4.err")"
bs config set timeoff.poll_minutes 1 >/dev/null
[ -n "$(wait_for "grep -q 'settings reloaded' '$T_TMP/d4.err'" 10)" ] ||
	t_fail "the changed settings file was not reloaded: $(tail -3 "$T_TMP/d4.err")"
[ -n "$(wait_for "[ \$(grep -c 'timeoff: next run' '$T_TMP/d4.err') -ge 2 ]" 30)" ] ||
	t_fail "no next run after the reload: $(tail -3 "$T_TMP/d4.err")"
next=$(grep 'timeoff: next run' "$T_TMP/d4.err" | tail -n 1 | sed 's/.*next run //')
left=$(( $(date -u -d "$next" +%s) - $(date -u +%s) ))
[ "$left" -le 120 ] || t_fail "the next run is $left s away: the 60-minute interval is still used"
t_eq "$(bs status --json | json_get - 'j["timeoff"]["next_run"]')" "$next" \
	"status shows the run the daemon will make"
stop_daemon

t_summary
