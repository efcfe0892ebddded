#!/bin/sh
# timeoff.sh - the time-off sync to Assembled through the CLI, against the
# sandbox (strict by default: a changes feed without status or chain ids,
# newest first, private requests hidden): the first sync of the window
# matches the sandbox's ground truth; an approval, an edit, a cancellation
# and a deletion made in HiBob each reach Assembled on the next incremental
# run with exactly the right calls (the feed, then each changed request's
# details once); a request approved and cancelled between two polls leaves
# nothing, in either feed order; a quiet run costs one HiBob request and no
# Assembled request; a
# reconciliation repairs a deleted event and removes an orphan; the guard
# blocks a mass cancellation until that plan is approved (once);
# allow_conflicts false removes the shifts under an event, true keeps them;
# a run killed mid-way and run again leaves one event per request.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/timeoff.sh"

PY=$SB_PY

sb_start --people 320 || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null || exit 1

# ---- helpers ----

# clear both request logs
logs_clear() {
	sb_ctl hibob DELETE /_control/requests >/dev/null
	sb_ctl assembled DELETE /_control/requests >/dev/null
}

# calls METHOD PATH in a server's log (SERVER METHOD PATH); an answer 429
# (the sandbox plays HiBob's and Assembled's rate limits) is not a call of
# the sync's own: bobsync waits and asks again, and that one counts
calls() {
	sb_ctl "$1" GET /_control/requests | json_get - \
	    "sum(1 for r in j['requests'] if r['method']=='$2' and r['path']=='$3' and r.get('status') != 429)"
}
calls_all() {
	sb_ctl "$1" GET /_control/requests | json_get - "sum(1 for r in j['requests'] if r.get('status') != 429)"
}

# a HiBob employee matched to an Assembled agent by platforms.hibob, with
# shifts seeded (the n-th such): prints "employee_id agent_id"
agent_pick() {
	sb_ctl assembled GET /_control/people | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
n = int(sys.argv[1])
agents = sorted((k, v) for k, v in j["agents"].items() if v["match"] == "hibob id" and v["timezone"])
order = [p["agent_id"] for p in j["people"] if not p["deleted"]][:300]
agents = [a for a in agents if a[1]["agent_id"] in order]
print(agents[n][0], agents[n][1]["agent_id"])' "$1"
}

# a weekday (YYYY-MM-DD) N days after FROM (default: the sandbox's today);
# a weekend moves it to the Monday, so two days wanted apart are counted
# from each other, not both from today
weekday_after() {	# N [FROM]
	"$PY" -c '
import datetime as dt, sys
d = dt.date.fromisoformat(sys.argv[1]) + dt.timedelta(days=int(sys.argv[2]))
while d.weekday() >= 5:
    d += dt.timedelta(days=1)
print(d)' "${2:-$SB_TODAY}" "$1"
}

# activities of an agent overlapping [start, end) that are not ours (shifts)
shifts_under() {
	sb_ctl assembled GET /_control/activities | "$PY" -c '
import json, sys
a = json.load(sys.stdin)["activities"].values()
ag, s, e = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
print(sum(1 for x in a if x["agent_id"] == ag and x["start_time"] < e and x["end_time"] > s
          and "hibob:" not in (x.get("description") or "")))' "$1" "$2" "$3"
}

# the Assembled event of a request: "activity_id start end"
event_of() {
	sb_ctl assembled GET /_control/activities | "$PY" -c '
import json, sys
a = json.load(sys.stdin)["activities"].values()
for x in a:
    if ("hibob:%s" % sys.argv[1]) == (x.get("description") or "").split()[-1]:
        print(x["id"], x["start_time"], x["end_time"])' "$1"
}

# a change in HiBob; then a second passes, because the feed is read up to
# "now" in whole seconds (a change in the same second is read by the next
# run, through the overlap)
toff_ctl() {
	sb_ctl hibob POST /_control/timeoff "$1"
	sleep 1
}

# ---- cases ----

t_case "preview timeoff matches the sandbox's ground truth"
out=$(bs preview timeoff --json 2>"$T_TMP/err")
t_eq "$?" 0 "exit status"
want=$(expected_sync | tr '\n' ' ')
got=$(printf '%s' "$out" | json_get - "' '.join(str(r['request_id']) for r in sorted(j['requests'], key=lambda r: r['request_id']) if r['sync'])")
t_eq "$got " "$want" "requests that will sync"
t_contains "$out" '"no_agent"' "unmatched people counted"
t_contains "$out" '"not_contiguous"' "several-part requests counted"
t_contains "$out" '"pending":' "pending requests counted"
# the feed has no status: a request it shows cancelled (or declined) is
# not read again, so both count as canceled
t_contains "$out" '"canceled":' "cancelled and declined requests counted"
csv=$(bs preview timeoff --csv)
t_contains "$(printf '%s' "$csv" | head -1)" "request_id,employee_id,email" "CSV header"
t_eq "$(printf '%s\n' "$csv" | grep -c ',yes,sync,')" "$(expected_sync | wc -l)" "CSV rows that sync"
table=$(bs preview timeoff --from "$SB_TODAY" --to "$SB_TODAY")
t_contains "$table" "REASON" "table header"
t_contains "$table" "$SB_TODAY to $SB_TODAY:" "summary line names the window"
bs preview timeoff --from 2026-02-30 >/dev/null 2>&1
t_eq "$?" 2 "a bad date is a usage error"

t_case "first sync: the whole window, exactly the expected events"
logs_clear
out=$(bs sync timeoff --json)
t_eq "$?" 0 "exit status"
t_contains "$out" '"failed": 0' "no failures"
t_eq "$(diff_with_truth)" "" "Assembled holds one event per expected request"
t_eq "$(calls assembled POST /v0/activities/bulk)" 0 "nothing deleted"
t_eq "$(calls assembled DELETE /v0/activities)" 0 "never the window delete"
# HiBob: who's out, a year of the feed (three windows), people once for
# emails, and the details of exactly the requests only the feed can show
# as approved (people who are not Active; who's out lists the rest) that
# may sync (an Assembled person linked, not made of several parts), and
# of the one-day requests of the day-by-day and share-of-the-day types,
# whose who's out items (HiBob's 2024 list of fields, the sandbox's
# default) have no per-day list and no share of the day
t_eq "$(calls hibob GET /v1/timeoff/whosout)" 1 "who's out, once"
# the feed in windows of 6 months, and once more over the last minute: the
# credentials were stored since HiBob last accepted them (issue 20 point 2)
t_eq "$(calls hibob GET /v1/timeoff/requests/changes)" 4 "the feed, in windows of 6 months, and the credentials' proof"
t_eq "$(calls hibob POST /v1/people/search)" 1 "people, once"
sb_ctl hibob GET /_control/requests | json_get - \
    "' '.join(sorted(r['path'].rsplit('/', 1)[1] for r in j['requests'] if '/requests/' in r['path'] and r['path'].startswith('/v1/timeoff/employees/') and r.get('status') != 429))" >"$T_TMP/read"
sb_ctl assembled GET /_control/people >"$T_TMP/asm_people.json"
sb_ctl hibob GET /_control/state | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
asm = json.load(open(sys.argv[3]))
gone = {p["agent_id"] for p in asm["people"] if p["deleted"]}
linked = {k for k, v in asm["agents"].items() if v["agent_id"] not in gone}
inactive = {p["id"] for p in j["people"] if p["status"] != "Active"}
lean = ("percentageOnRange", "differentDayDurations", "specificHoursDayDurations",
        "differentSpecificHoursDayDurations")
def several(q):	# made of several parts, as the feed shows it
    if q["type"] in ("portionOnRange", "hoursOnRange", "percentageOnRange"):
        return q["startDate"] != q["endDate"]
    if q["type"] in lean[1:]:
        return sum(1 for d in q["spec"].get("durations", [])
                   if d.get("hours") or d.get("minutes") or d.get("startTime")) > 1
    return False
lo, hi = sys.argv[1], sys.argv[2]
print(" ".join(sorted(str(q["requestId"]) for q in j["requests"]
      if q["status"] == "approved" and not q["deleted"] and q["policyType"] != "Medical"
      and q["employeeId"] in linked
      and ((q["employeeId"] in inactive and not several(q))
           or (q["type"] in lean and q["startDate"] == q["endDate"]))
      and q["startDate"] <= hi and (q["endDate"] or hi) >= lo)))' \
    "$(sb_ctl hibob GET /_control/expected | json_get - "j['window']['from']")" \
    "$(sb_ctl hibob GET /_control/expected | json_get - "j['window']['to']")" \
    "$T_TMP/asm_people.json" >"$T_TMP/want_read"
t_eq "$(cat "$T_TMP/read")" "$(cat "$T_TMP/want_read")" "details read: the approved requests of people who are not Active that may sync, and the one-day ones who's out lists without their parts"
t_eq "$(calls_all hibob)" "$((6 + $(wc -w <"$T_TMP/want_read")))" "no other HiBob call"
t_eq "$(bs preview timeoff --json | json_get - "sorted(set(r['sync'] for r in j['requests'] if r['status'] == 'not read'))")" \
	"[False]" "the preview: the requests whose status was not read say so, and none syncs"
NSYNC=$(expected_sync | wc -l)
t_eq "$(bs status --json | json_get - "j['timeoff']['synced_events']")" "$NSYNC" "status counts the synced events"

t_case "a quiet incremental run: one HiBob request, no Assembled request"
logs_clear
out=$(bs sync timeoff --json)
t_eq "$?" 0 "exit status"
t_eq "$(calls_all hibob)" 1 "HiBob requests"
t_eq "$(calls hibob GET /v1/timeoff/requests/changes)" 1 "the changes feed, once"
t_eq "$(calls_all assembled)" 0 "Assembled requests"
out=$(bs plan timeoff --json)
t_eq "$(printf '%s' "$out" | json_get - "len(j['actions'])")" 0 "plan is empty"

set -- $(agent_pick 0)
EMP=$1
DAY=$(weekday_after 10)

t_case "an approval reaches Assembled with one create"
r=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP\",\"status\":\"pending\",\"type\":\"days\",\"startDate\":\"$DAY\",\"endDate\":\"$DAY\",\"policyType\":\"Holiday\"}")
RID=$(printf '%s' "$r" | json_get - "j['requestId']")
bs sync timeoff >/dev/null
t_eq "$(event_of "$RID")" "" "a pending request is not synced"
toff_ctl "{\"op\":\"approve\",\"requestId\":$RID}" >/dev/null
logs_clear
bs sync timeoff >/dev/null
t_eq "$?" 0 "exit status"
t_eq "$(calls assembled POST /v0/activities)" 1 "one create"
t_eq "$(calls assembled POST /v0/activities/bulk)" 0 "no delete"
t_eq "$(calls hibob GET "/v1/timeoff/employees/$EMP/requests/$RID")" 1 "its details, once"
t_eq "$(calls_all hibob)" 2 "HiBob: the changes feed and one detail"
set -- $(event_of "$RID")
t_eq "$#" 3 "the event exists"

t_case "an edit replaces the event: one create, one delete, never both events"
DAY2=$(weekday_after 2 "$DAY")
r=$(toff_ctl "{\"op\":\"edit\",\"requestId\":$RID,\"startDate\":\"$DAY2\",\"endDate\":\"$DAY2\"}")
NEW=$(printf '%s' "$r" | json_get - "j['requestId']")
logs_clear
out=$(bs plan timeoff --json)
t_eq "$(printf '%s' "$out" | json_get - "[a['op'] for a in j['actions']]")" "['replace']" "planned as one replace"
t_contains "$out" "replaces request #$RID" "the reason names the old request"
logs_clear
bs sync timeoff >/dev/null
t_eq "$?" 0 "exit status"
t_eq "$(calls assembled POST /v0/activities)" 1 "one create"
t_eq "$(calls assembled POST /v0/activities/bulk)" 1 "one delete"
t_eq "$(calls_all hibob)" 3 "HiBob: the feed and the two requests' details"
t_eq "$(event_of "$RID")" "" "old event gone"
t_eq "$(event_of "$NEW" | wc -l)" 1 "one new event"

t_case "a cancellation removes the event with one delete"
toff_ctl "{\"op\":\"cancel\",\"requestId\":$NEW}" >/dev/null
logs_clear
bs sync timeoff >/dev/null
t_eq "$?" 0 "exit status"
t_eq "$(calls assembled POST /v0/activities/bulk)" 1 "one delete"
t_eq "$(calls assembled POST /v0/activities)" 0 "no create"
t_eq "$(calls assembled GET /v0/people)" 0 "no people read for a removal"
t_eq "$(calls_all hibob)" 2 "HiBob: the feed and one detail"
t_eq "$(event_of "$NEW")" "" "event gone"

t_case "a deletion (details answer 404) removes the event with one delete"
r=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP\",\"type\":\"days\",\"startDate\":\"$DAY\",\"endDate\":\"$DAY\"}")
DEL=$(printf '%s' "$r" | json_get - "j['requestId']")
bs sync timeoff >/dev/null
t_eq "$(event_of "$DEL" | wc -l)" 1 "the event exists"
toff_ctl "{\"op\":\"delete\",\"requestId\":$DEL}" >/dev/null
logs_clear
bs sync timeoff >/dev/null
t_eq "$?" 0 "exit status"
t_eq "$(calls assembled POST /v0/activities/bulk)" 1 "one delete"
t_eq "$(calls assembled POST /v0/activities)" 0 "no create"
# the delete is confirmed by listing the agent's days (issue 12 point 12)
t_eq "$(($(calls_all assembled) - $(calls assembled GET /v0/activities)))" 1 \
	"nothing else sent to Assembled than the delete and its confirming listing"
t_eq "$(calls hibob GET "/v1/timeoff/employees/$EMP/requests/$DEL")" 1 "its details, once"
t_eq "$(calls_all hibob)" 2 "HiBob: the feed and one detail"
t_eq "$(event_of "$DEL")" "" "event gone"

t_case "approved, then cancelled between two polls: no event, whatever the feed order"
for order in newest_first chronological; do
	sb_ctl hibob POST /_control/timeoff_api "{\"feed_order\":\"$order\"}" >/dev/null
	r=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP\",\"type\":\"days\",\"startDate\":\"$DAY\",\"endDate\":\"$DAY\"}")
	AC=$(printf '%s' "$r" | json_get - "j['requestId']")
	toff_ctl "{\"op\":\"cancel\",\"requestId\":$AC}" >/dev/null
	logs_clear
	bs sync timeoff >/dev/null
	t_eq "$?" 0 "exit status ($order)"
	t_eq "$(event_of "$AC")" "" "no event ($order)"
	t_eq "$(calls_all assembled)" 0 "nothing sent to Assembled ($order)"
	t_eq "$(calls_all hibob)" 2 "HiBob: the feed and one detail ($order)"
done
sb_ctl hibob POST /_control/timeoff_api '{}' >/dev/null

t_case "reconcile repairs a deleted event and removes an orphan"
set -- $(expected_sync | head -1)
VICTIM=$1
set -- $(event_of "$VICTIM")
sb_ctl assembled DELETE "/_control/activities/$1" >/dev/null
T0=$(date +%s)
sb_ctl assembled POST /_control/activities "{\"hibob_id\":\"$EMP\",\"type\":\"Time Off\",\"start_time\":$((T0 + 86400 * 20)),\"end_time\":$((T0 + 86400 * 21)),\"description\":\"HiBob time off #999999 (Holiday) hibob:999999\"}" >/dev/null
t_eq "$(marked_events | grep -c '^999999 ')" 1 "the orphan is there"
logs_clear
bs sync timeoff >/dev/null
t_eq "$(calls_all assembled)" 0 "an incremental run does not see drift"
out=$(bs reconcile timeoff --json)
t_eq "$?" 0 "exit status"
t_eq "$(printf '%s' "$out" | json_get - "j['applied']")" 2 "two repairs"
t_eq "$(event_of "$VICTIM" | wc -l)" 1 "the deleted event is back"
t_eq "$(marked_events | grep -c '^999999 ')" 0 "the orphan is gone"
t_eq "$(diff_with_truth)" "" "Assembled matches the truth again"
log=$(bs log --run "$(printf '%s' "$out" | json_get - "j['run_id']")")
t_contains "$log" "missing in Assembled" "the audit says why it was created"
t_contains "$log" "not approved in HiBob any more" "the audit says why it was deleted"
out=$(bs reconcile timeoff --json)
t_eq "$(printf '%s' "$out" | json_get - "j['planned']")" 0 "a second reconcile has nothing to do"

t_case "allow_conflicts: true keeps the shift underneath, false removes it"
set -- $(agent_pick 1)
EMP2=$1 AGENT2=$2
D1=$(weekday_after 3)
D2=$(weekday_after 1 "$D1")
r=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP2\",\"type\":\"days\",\"startDate\":\"$D1\",\"endDate\":\"$D1\"}")
R1=$(printf '%s' "$r" | json_get - "j['requestId']")
bs sync timeoff >/dev/null
set -- $(event_of "$R1")
t_eq "$#" 3 "event created"
S=$2 E=$3
KEPT=$(shifts_under "$AGENT2" "$S" "$E")
[ "$KEPT" -ge 1 ] || t_fail "the shift under the first event should stay (allow_conflicts true), found $KEPT"
bs config set assembled.allow_conflicts false >/dev/null
r=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP2\",\"type\":\"days\",\"startDate\":\"$D2\",\"endDate\":\"$D2\"}")
R2=$(printf '%s' "$r" | json_get - "j['requestId']")
set -- $(event_of "$R2")
bs sync timeoff >/dev/null
set -- $(event_of "$R2")
t_eq "$#" 3 "event created"
t_eq "$(shifts_under "$AGENT2" "$2" "$3")" 0 "the shift is gone (allow_conflicts false)"
t_eq "$(shifts_under "$AGENT2" "$S" "$E")" "$KEPT" "the other day's shift is untouched"
bs config set assembled.allow_conflicts true >/dev/null

t_case "the guard blocks a mass cancellation until that plan is approved, once"
# five of a few hundred is an ordinary day for the defaults; lower the count
bs config set guard.timeoff_max_removals 3 >/dev/null
ids=$(expected_sync | sed -n '2,6p')
for id in $ids; do
	toff_ctl "{\"op\":\"cancel\",\"requestId\":$id}" >/dev/null
done
logs_clear
out=$(bs sync timeoff --json 2>"$T_TMP/err")
t_eq "$?" 3 "exit status: blocked"
PLAN=$(printf '%s' "$out" | json_get - "j['plan_id']")
t_contains "$(cat "$T_TMP/err")" "--approve" "says how to approve"
t_eq "$(calls assembled POST /v0/activities/bulk)" 0 "nothing deleted"
t_eq "$(bs plan timeoff --json | json_get - "j['plan_id']")" "$PLAN" "the plan shows the same id"
bs sync timeoff --approve 0123456789abcdef >/dev/null 2>&1
t_eq "$?" 1 "another plan id is refused"
logs_clear
bs sync timeoff --approve "$PLAN" >/dev/null
t_eq "$?" 0 "approved: applied"
t_eq "$(calls assembled POST /v0/activities/bulk)" 5 "five deletes"
for id in $ids; do
	t_eq "$(event_of "$id")" "" "event of $id gone"
done
bs sync timeoff --approve "$PLAN" >/dev/null 2>&1
t_eq "$?" 1 "the approval is good for one run"
bs config unset guard.timeoff_max_removals >/dev/null

t_case "a run killed mid-way and run again leaves exactly one event per request"
sb_start --people 320 || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null
sb_ctl assembled POST /_control/latency '{"ms":150}' >/dev/null
"$BOBSYNC" sync timeoff >"$T_TMP/killed.out" 2>&1 &
PID=$!
i=0
while [ "$(marked_events | wc -l)" -lt 5 ] && [ $i -lt 1200 ]; do
	i=$((i + 1))
	sleep 0.1
done
kill -9 $PID 2>/dev/null
wait $PID 2>/dev/null
n=$(marked_events | wc -l)
[ "$n" -ge 5 ] && [ "$n" -lt "$(expected_sync | wc -l)" ] || t_fail "killed after $n creates"
sb_ctl assembled POST /_control/latency '{"ms":0}' >/dev/null
bs sync timeoff >/dev/null
t_eq "$?" 0 "the rerun succeeds"
t_eq "$(diff_with_truth)" "" "one event per expected request, no duplicate"
logs_clear
bs sync timeoff >/dev/null
t_eq "$(calls_all assembled)" 0 "and then nothing more to do"

t_summary
