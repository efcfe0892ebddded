#!/bin/sh
# webhooks.sh - HiBob webhooks into the daemon, against the sandbox that
# sends signed v2 events: with the poll interval set to an hour, an approval
# and a cancellation reach Assembled only because the webhook did; a replayed
# event makes one event; a wrongly signed one is refused, counted and acts on
# nothing; `check` proves the receiver with a test event; with the webhooks
# lost on purpose the poll still catches up within one interval; the daemon
# refuses to listen without a stored secret.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

SECRET=whsec-sandbox-2f1d9c7a55e0
sb_start --people 60 || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null || exit 1
PORT=$("$SB_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/hibob/webhook
bs config set webhook.listen "127.0.0.1:$PORT" >/dev/null || exit 1

# start_daemon POLL LOG: the daemon in the background; waits for it to listen
start_daemon() {
	BOBSYNC_TEST_POLL_SECONDS=$1 "$BOBSYNC" daemon >"$2.out" 2>"$2" &
	DPID=$!
	t_on_exit "kill $DPID 2>/dev/null"
	i=0
	until grep -q "receiving HiBob webhooks" "$2" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $DPID 2>/dev/null; then
			t_fail "the daemon did not start listening: $(head -c 400 "$2")"
			return 1
		fi
		sleep 0.1
	done
}

stop_daemon() {
	kill -TERM $DPID 2>/dev/null
	i=0
	while kill -0 $DPID 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	wait $DPID 2>/dev/null
}

# how many Assembled events carry the marker of request $1
events_of() {
	sb_ctl assembled GET /_control/activities | "$SB_PY" -c 'import json, re, sys
n = 0
for a in json.load(sys.stdin)["activities"].values():
    n += len([m for m in re.findall(r"hibob:([0-9]+)", a.get("description") or "") if m == sys.argv[1]])
print(n)' "$1"
}

# wait_for COND SECONDS: prints the milliseconds waited, or nothing
wait_for() {
	start=$(date +%s%N)
	i=0
	until eval "$1"; do
		i=$((i + 1))
		[ $i -ge $(($2 * 10)) ] && return 1
		sleep 0.1
	done
	echo $((($(date +%s%N) - start) / 1000000))
}

hooks() { # MODE [RETRIES]: point the sandbox's webhooks at the daemon
	sb_ctl hibob POST /_control/webhooks "{\"url\": \"$URL\", \"secret\": \"$SECRET\", \"mode\": \"$1\", \"retries\": ${2:-5}}" >/dev/null
}

new_request() { # STATUS DAY: a request of an agent; prints its id
	sb_ctl hibob POST /_control/timeoff "{\"op\":\"create\",\"employee\":\"$EMP\",\"type\":\"days\",\"policyType\":\"Holiday\",\"startDate\":\"$2\",\"endDate\":\"$2\",\"status\":\"$1\"}" |
		json_get - 'j["requestId"]'
}

day() { date -u -d "$SB_TODAY + $1 days" +%F; }

EMP=$(sb_ctl hibob GET /_control/expected | json_get - \
	'[r["employee_id"] for r in j["timeoff"]["requests"] if r.get("agent_id") and r["sync"]][0]')

t_case "the daemon will not listen without a stored webhook secret"
BOBSYNC_TEST_POLL_SECONDS=3600 timeout 20 "$BOBSYNC" daemon >/dev/null 2>"$T_TMP/nosecret.err"
t_eq "$?" 4 "exit status"
t_contains "$(cat "$T_TMP/nosecret.err")" "credentials set webhook" "the way to fix it"

t_case "check: the receiver is not running yet (a warning)"
printf '%s\n' "$SECRET" | bs credentials set webhook >/dev/null 2>&1 || t_fail "storing the secret"
out=$(bs check --json 2>/dev/null)
t_eq "$(printf '%s' "$out" | json_get - '[c["status"] for c in j["checks"] if c["id"] == "webhook.receiver"][0]')" \
	warn "webhook.receiver without a daemon"

t_case "first time-off sync, then the daemon listens and check passes"
bs sync timeoff >"$T_TMP/first.out" 2>&1 || t_fail "sync timeoff: $(tail -3 "$T_TMP/first.out")"
start_daemon 3600 "$T_TMP/d1.err" || exit 1
out=$(bs check --json 2>/dev/null)
t_eq "$(printf '%s' "$out" | json_get - '[c["status"] for c in j["checks"] if c["id"] == "webhook.receiver"][0]')" \
	pass "webhook.receiver with the daemon: $(printf '%s' "$out" | json_get - '[c["detail"] for c in j["checks"] if c["id"] == "webhook.receiver"][0]')"
hooks normal

t_case "an approval reaches Assembled through the webhook (poll interval 1 h)"
rid=$(new_request pending "$(day 50)")
sb_ctl hibob POST /_control/timeoff "{\"op\":\"approve\",\"requestId\":$rid}" >/dev/null
ms=$(wait_for '[ "$(events_of $rid)" = 1 ]' 30)
if [ -n "$ms" ]; then
	echo "approval reached Assembled $ms ms after it was made"
else
	t_fail "request $rid did not reach Assembled: $(tail -5 "$T_TMP/d1.err")"
fi

t_case "a cancellation leaves Assembled through the webhook"
sb_ctl hibob POST /_control/timeoff "{\"op\":\"cancel\",\"requestId\":$rid}" >/dev/null
ms=$(wait_for '[ "$(events_of $rid)" = 0 ]' 30)
[ -n "$ms" ] || t_fail "the cancelled request's event is still there: $(tail -5 "$T_TMP/d1.err")"

t_case "a webhook's request is read even when the changes feed does not show it yet"
sb_ctl hibob POST /_control/fault '{"path": "/v1/timeoff/requests/changes", "kind": "empty", "count": -1}' >/dev/null
sb_ctl hibob DELETE /_control/requests >/dev/null
ridf=$(new_request approved "$(day 51)")
ms=$(wait_for '[ "$(events_of $ridf)" = 1 ]' 30)
[ -n "$ms" ] || t_fail "request $ridf, absent from the feed, did not arrive: $(tail -5 "$T_TMP/d1.err")"
t_eq "$(sb_ctl hibob GET /_control/requests | json_get - "sum(1 for r in j['requests'] if r['path'].endswith('/requests/$ridf'))")" \
	1 "detail reads of the named request"
sb_ctl hibob DELETE /_control/fault >/dev/null

t_case "a replayed event (HiBob's retry) makes one event"
hooks replay
rid2=$(new_request approved "$(day 52)")
ms=$(wait_for '[ "$(events_of $rid2)" -ge 1 ]' 30)
[ -n "$ms" ] || t_fail "request $rid2 did not arrive"
sleep 3	# the replays have been answered and any second run is over
t_eq "$(events_of $rid2)" 1 "events of the replayed request"

t_case "a wrongly signed event is refused, counted, and acts on nothing"
hooks bad_signature 1
rid3=$(new_request approved "$(day 54)")
wait_for '[ "$(sb_ctl hibob GET /_control/webhooks | json_get - "sum(1 for e in j[\"log\"] if e[\"data\"].get(\"timeoffRequestId\") == $rid3 and e.get(\"done\"))")" -ge 2 ]' 30 >/dev/null ||
	t_fail "the sandbox did not finish sending"
t_eq "$(sb_ctl hibob GET /_control/webhooks | json_get - "sorted(set(e['status'] for e in j['log'] if e['data'].get('timeoffRequestId') == $rid3))")" \
	"[401]" "answers to the wrongly signed events"
t_eq "$(events_of $rid3)" 0 "events of a request only a forged webhook named"
t_contains "$(cat "$T_TMP/d1.err")" "Bob-Signature does not match" "the daemon's log line"
t_not_contains "$(cat "$T_TMP/d1.err")" "timeoffRequestId" "the body is never logged"
# the daemon writes its counts within a second of a change
wait_for '[ "$(bs status --json | json_get - "j[\"webhook\"][\"rejected_today\"]")" -ge 4 ]' 10 >/dev/null
st=$(bs status --json)
t_eq "$(printf '%s' "$st" | json_get - 'j["webhook"]["on"]')" True "status: webhooks on"
[ "$(printf '%s' "$st" | json_get - 'j["webhook"]["rejected_today"]')" -ge 4 ] ||
	t_fail "status counts the refused events: $(printf '%s' "$st" | json_get - 'j["webhook"]')"
[ "$(printf '%s' "$st" | json_get - 'j["webhook"]["accepted_today"]')" -ge 5 ] ||
	t_fail "status counts the accepted events: $(printf '%s' "$st" | json_get - 'j["webhook"]')"
t_contains "$(bs status)" "HiBob webhooks" "status text"

t_case "a new webhook secret in the vault: the running daemon takes it (no restart)"
SECRET=whsec-sandbox-rotated-91c4
printf '%s\n' "$SECRET" | bs credentials set webhook >/dev/null 2>&1 || t_fail "storing the new secret"
ok=$(wait_for '[ "$(bs check --json 2>/dev/null | json_get - "[c[\"status\"] for c in j[\"checks\"] if c[\"id\"] == \"webhook.receiver\"][0]")" = pass ]' 15)
[ -n "$ok" ] || t_fail "check did not pass with the new secret: $(tail -3 "$T_TMP/d1.err")"
hooks normal
# shellcheck disable=SC2034 # read by the wait_for condition below
rid5=$(new_request approved "$(day 58)")
wait_for '[ "$(events_of $rid5)" = 1 ]' 30 >/dev/null || t_fail "an event signed with the new secret did not arrive"
stop_daemon

t_case "webhooks lost: the poll still brings the approval within one interval"
start_daemon 4 "$T_TMP/d2.err" || exit 1
hooks lost
rid4=$(new_request approved "$(day 56)")
ms=$(wait_for '[ "$(events_of $rid4)" = 1 ]' 20)
[ -n "$ms" ] || t_fail "request $rid4 did not arrive by polling: $(tail -5 "$T_TMP/d2.err")"
stop_daemon

t_summary
