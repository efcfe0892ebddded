#!/bin/sh
# timeoff_cases.sh - time-off cases of a real company, against the sandbox:
# overlapping approved requests of one agent with
# assembled.allow_conflicts=false keep both events (Assembled deletes what
# a new event overlaps; bobsync makes the overlapped one again) and a
# reconciliation then has nothing to do; a person who left keeps the
# events before the termination date and loses those after it at the next
# reconciliation; every schedule emptied in Assembled blocks `reconcile
# timeoff` until its plan is approved, which makes the events again.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/timeoff.sh"

PY=$SB_PY

sb_start --people 60 || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null || exit 1

# ---- helpers ----

# the n-th active HiBob employee matched to an Assembled agent by platforms.hibob
agent_pick() {
	sb_ctl assembled GET /_control/people | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
agents = sorted(k for k, v in j["agents"].items() if v["match"] == "hibob id")
print(agents[int(sys.argv[1])])' "$1"
}
# the Assembled event of a request: "activity_id start end", one line each
event_of() {
	sb_ctl assembled GET /_control/activities | "$PY" -c '
import json, sys
for x in json.load(sys.stdin)["activities"].values():
    if ("hibob:%s" % sys.argv[1]) == (x.get("description") or "").split()[-1]:
        print(x["id"], x["start_time"], x["end_time"])' "$1"
}
# a date N days after the sandbox today (weekends included)
day() {
	"$PY" -c 'import datetime as d, sys; print(d.date.fromisoformat(sys.argv[1]) + d.timedelta(days=int(sys.argv[2])))' "$SB_TODAY" "$1"
}
toff_ctl() {
	sb_ctl hibob POST /_control/timeoff "$1" | json_get - "j['requestId']"
	sleep 1		# the feed is read up to now, in whole seconds
}

t_case "first sync"
bs sync timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "exit status ($(tail -n 2 "$T_TMP/out"))"
t_eq "$(diff_with_truth)" "" "Assembled equals HiBob"

t_case "overlapping requests of one agent, allow_conflicts=false: both events stay"
bs config set assembled.allow_conflicts false >/dev/null
EMP=$(agent_pick 0)
R1=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP\",\"type\":\"days\",\"startDate\":\"$(day 20)\",\"endDate\":\"$(day 22)\"}")
bs sync timeoff >/dev/null 2>&1
t_eq "$(event_of "$R1" | wc -l)" 1 "the first request's event"
R2=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP\",\"type\":\"days\",\"startDate\":\"$(day 21)\",\"endDate\":\"$(day 24)\"}")
plan=$(bs plan timeoff --json)
t_contains "$plan" "overlaps request #$R1 of the same agent" "the plan's reason explains the overlap"
t_eq "$(bs preview timeoff --json | json_get - "[('overlaps request #$R1' in r['reason']) for r in j['requests'] if r['request_id'] == $R2]")" "[True]" "so does the preview's"
bs sync timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "exit status ($(tail -n 2 "$T_TMP/out"))"
t_eq "$(event_of "$R1" | wc -l)" 1 "the first request keeps its event"
t_eq "$(event_of "$R2" | wc -l)" 1 "the second request has its event"
t_eq "$(diff_with_truth)" "" "Assembled equals HiBob"
out=$(bs reconcile timeoff --json)
t_eq "$(printf '%s' "$out" | json_get - "j['planned']")" 0 "a reconciliation has nothing to repair"

t_case "cancelling one of two overlapping requests leaves the other whole"
set -- $(event_of "$R1")
S1=$2 E1=$3
toff_ctl "{\"op\":\"cancel\",\"requestId\":$R2}" >/dev/null
bs sync timeoff >/dev/null 2>&1
t_eq "$(event_of "$R2" | wc -l)" 0 "the cancelled request's event is gone"
set -- $(event_of "$R1")
t_eq "$2 $3" "$S1 $E1" "the other event, times unchanged"
bs config set assembled.allow_conflicts true >/dev/null

t_case "a person who left: events after the termination date go, those before stay"
EMP2=$(agent_pick 1)
RA=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP2\",\"type\":\"days\",\"startDate\":\"$(day -6)\",\"endDate\":\"$(day -5)\"}")
RB=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP2\",\"type\":\"days\",\"startDate\":\"$(day 30)\",\"endDate\":\"$(day 31)\"}")
bs sync timeoff >/dev/null 2>&1
t_eq "$(event_of "$RA" | wc -l) $(event_of "$RB" | wc -l)" "1 1" "both events while employed"
sb_ctl hibob POST /_control/person "{\"id\":\"$EMP2\",\"lifecycle\":\"terminated\",\"terminationDate\":\"$(day -1)\"}" >/dev/null
out=$(bs plan timeoff --reconcile --json)
t_contains "$out" "termination date $(day -1)" "the plan's reason names the termination date"
bs reconcile timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "exit status ($(tail -n 2 "$T_TMP/out"))"
t_eq "$(event_of "$RA" | wc -l)" 1 "the event before the termination date stays"
t_eq "$(event_of "$RB" | wc -l)" 0 "the event after it is removed"
t_eq "$(diff_with_truth)" "" "Assembled equals HiBob"
out=$(bs preview timeoff --json)
t_eq "$(printf '%s' "$out" | json_get - "[r['sync'] for r in j['requests'] if r['request_id'] == $RB]")" "[False]" "preview: not synced"

t_case "one date of a several-part type is one event; who's out with only the 2024 fields"
# who's out as HiBob's 2024 list of its fields (the sandbox's default,
# named here all the same): no share of the day, no per-day list, no time
# zone; the details have them
sb_ctl hibob POST /_control/timeoff_api '{"whosout_lean": true}' >/dev/null
EMP3=$(agent_pick 2)
D1=$(day 40) D2=$(day 41)
RP=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP3\",\"type\":\"percentageOnRange\",\"startDate\":\"$D1\",\"endDate\":\"$D1\",\"percentageOfDay\":100}")
RS=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP3\",\"type\":\"specificHoursDayDurations\",\"startDate\":\"$D2\",\"endDate\":\"$D2\",\"timeZone\":\"Europe/Berlin\",\"durations\":[{\"date\":\"$D2\",\"startTime\":\"14:00\",\"endTime\":\"16:00\"}]}")
RR=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP3\",\"type\":\"portionOnRange\",\"startDate\":\"$(day 43)\",\"endDate\":\"$(day 45)\"}")
bs sync timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "exit status ($(tail -n 2 "$T_TMP/out"))"
t_eq "$(event_of "$RP" | wc -l) $(event_of "$RS" | wc -l) $(event_of "$RR" | wc -l)" "1 1 0" \
	"one event for each one-date request, none for the three mornings"
set -- $(event_of "$RS")
t_eq "$2 $3" "$("$PY" -c '
import datetime as d, sys, zoneinfo
z = zoneinfo.ZoneInfo("Europe/Berlin")
day = d.date.fromisoformat(sys.argv[1])
t = lambda h: int(d.datetime(day.year, day.month, day.day, h, tzinfo=z).timestamp())
print(t(14), t(16))' "$D2")" "14:00-16:00 in the request's zone"
set -- $(event_of "$RP")
SP=$1
t_eq "$(diff_with_truth)" "" "Assembled equals HiBob"
out=$(bs preview timeoff --json)
t_eq "$(printf '%s' "$out" | json_get - "[r['sync'] for r in j['requests'] if r['request_id'] in ($RP, $RS)]")" \
	"[True, True]" "the preview says so too"
bs reconcile timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "reconcile exit status ($(tail -n 2 "$T_TMP/out"))"
set -- $(event_of "$RP")
t_eq "$1" "$SP" "the reconciliation keeps the event (the share of the day read from the details)"
t_eq "$(event_of "$RS" | wc -l)" 1 "and the other one"
# the newer reading, who's out with the parts: the same events, and no
# detail read for them
sb_ctl hibob POST /_control/timeoff_api '{"whosout_lean": false}' >/dev/null
sb_ctl hibob DELETE /_control/requests >/dev/null
bs reconcile timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "reconcile with the parts listed: exit status ($(tail -n 2 "$T_TMP/out"))"
set -- $(event_of "$RP")
t_eq "$1 $(event_of "$RS" | wc -l)" "$SP 1" "the same events"
t_eq "$(sb_ctl hibob GET /_control/requests | json_get - \
    "sum(1 for r in j['requests'] if r['path'].endswith(('/requests/$RP', '/requests/$RS')))")" 0 \
	"their details are not read"
sb_ctl hibob POST /_control/timeoff_api '{}' >/dev/null

t_case "a request HiBob refuses to show is held; the others sync; none readable fails the run"
EMP4=$(agent_pick 3)
RF1=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP4\",\"type\":\"days\",\"startDate\":\"$(day 50)\",\"endDate\":\"$(day 50)\"}")
RF2=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP4\",\"type\":\"days\",\"startDate\":\"$(day 52)\",\"endDate\":\"$(day 52)\"}")
sb_ctl hibob POST /_control/timeoff_api "{\"forbidden_requests\": [$RF2]}" >/dev/null
out=$(bs plan timeoff --json)
t_contains "$(printf '%s' "$out" | json_get - "[h['reason'] for h in j['held']]")" \
	"HiBob refused to show time-off request #$RF2" "the plan holds it, and says why"
bs sync timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "exit status ($(tail -n 2 "$T_TMP/out"))"
t_eq "$(event_of "$RF1" | wc -l) $(event_of "$RF2" | wc -l)" "1 0" "the readable one synced, the refused one not"
RF3=$(toff_ctl "{\"op\":\"create\",\"employee\":\"$EMP4\",\"type\":\"days\",\"startDate\":\"$(day 54)\",\"endDate\":\"$(day 54)\"}")
sb_ctl hibob POST /_control/timeoff_api "{\"forbidden_requests\": [$RF2, $RF3]}" >/dev/null
bs sync timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 6 "none readable: the run fails as a permission problem ($(tail -n 1 "$T_TMP/out"))"
sb_ctl hibob POST /_control/timeoff_api '{}' >/dev/null
bs sync timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "readable again ($(tail -n 2 "$T_TMP/out"))"
t_eq "$(event_of "$RF3" | wc -l)" 1 "the failed run's request synced by the next"
bs reconcile timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "reconcile exit status ($(tail -n 2 "$T_TMP/out"))"
t_eq "$(event_of "$RF2" | wc -l)" 1 "the held request is synced by the reconciliation"
t_eq "$(diff_with_truth)" "" "Assembled equals HiBob"

t_case "the reconciliation and the preview hold a request HiBob refuses to show; its event stays"
# RP: listed by who's out, its share of the day only in its details;
# RF1: cancelled, so who's out no longer lists it and only its details
# can say so.  Both refused: held, their events left as they are.
sb_ctl hibob POST /_control/timeoff "{\"op\": \"cancel\", \"requestId\": $RF1}" >/dev/null
sleep 1
sb_ctl hibob POST /_control/timeoff_api "{\"forbidden_requests\": [$RP, $RF1]}" >/dev/null
out=$(bs plan timeoff --reconcile --json 2>/dev/null)
t_contains "$(printf '%s' "$out" | json_get - "[h['reason'] for h in j['held']]")" \
	"HiBob refused to show time-off request #$RP" "the plan holds the listed one, and says why"
t_contains "$(printf '%s' "$out" | json_get - "[h['reason'] for h in j['held']]")" \
	"HiBob refused to show time-off request #$RF1" "and the one no longer listed"
bs reconcile timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "reconcile exit status ($(tail -n 2 "$T_TMP/out"))"
set -- $(event_of "$RP")
t_eq "$1 $(event_of "$RF1" | wc -l)" "$SP 1" "both events stay as they are"
bs preview timeoff --json >"$T_TMP/pv.json" 2>"$T_TMP/pv.err"
t_eq "$?" 0 "preview exit status ($(tail -n 1 "$T_TMP/pv.err"))"
t_eq "$(json_get "$T_TMP/pv.json" "[r['sync'] for r in j['requests'] if r['request_id'] == $RP]")" "[]" \
	"the preview leaves the refused one out"
t_contains "$(cat "$T_TMP/pv.err")" "time-off request $RP left out" "and says so"
sb_ctl hibob POST /_control/timeoff_api '{}' >/dev/null
bs reconcile timeoff >"$T_TMP/out" 2>&1
t_eq "$?" 0 "readable again: reconcile exit status ($(tail -n 2 "$T_TMP/out"))"
t_eq "$(event_of "$RF1" | wc -l)" 0 "the cancelled request's event is removed"
t_eq "$(diff_with_truth)" "" "Assembled equals HiBob"

t_case "every schedule emptied: reconcile waits for approval of its plan, which makes them again"
n=$(marked_events | wc -l)
"$PY" - "${SB_ASM_URL%/v0}" <<'EOF'
import json, sys, urllib.request
base = sys.argv[1]
acts = json.load(urllib.request.urlopen(base + "/_control/activities"))["activities"]
for a in acts.values():	# shifts too: every schedule empty
    urllib.request.urlopen(urllib.request.Request(base + "/_control/activities/" + a["id"],
                                                  method="DELETE")).read()
EOF
t_eq "$(sb_ctl assembled GET /_control/activities | json_get - "j['count']")" 0 "Assembled holds no activity, none of the $n events"
bs reconcile timeoff >"$T_TMP/rec.out" 2>"$T_TMP/rec.err"
t_eq "$?" 3 "exit status: blocked"
t_contains "$(cat "$T_TMP/rec.out" "$T_TMP/rec.err")" "listed no activities" "says why"
t_contains "$(cat "$T_TMP/rec.out" "$T_TMP/rec.err")" "reconcile timeoff --approve" "says how to go on"
PLAN=$(bs plan timeoff --reconcile --json | json_get - "j['plan_id']")
t_contains "$(cat "$T_TMP/rec.out" "$T_TMP/rec.err")" "$PLAN" "the plan id printed is the one plan --reconcile shows"
t_eq "$(bs status --json | json_get - "j['reconcile']['blocked_plan']")" "$PLAN" "status: the reconciliation waits for that plan"
t_contains "$(bs status)" "review: bobsync plan timeoff --reconcile; approve: bobsync reconcile timeoff --approve $PLAN" \
	"status: the commands that review and approve it"
t_contains "$(bs plan timeoff --reconcile)" "bobsync reconcile timeoff --approve $PLAN" \
	"plan --reconcile: the command that approves it"
t_eq "$(marked_events | wc -l)" 0 "nothing made while blocked"
bs reconcile timeoff --approve 0123456789abcdef >/dev/null 2>&1
t_eq "$?" 1 "another plan id is refused"
bs reconcile timeoff --approve "$PLAN" >"$T_TMP/rec2.out" 2>&1
t_eq "$?" 0 "approved: applied ($(tail -n 2 "$T_TMP/rec2.out"))"
t_eq "$(diff_with_truth)" "" "Assembled equals HiBob again"
bs reconcile timeoff --approve "$PLAN" >/dev/null 2>&1
t_eq "$?" 1 "the approval is good for one run"

t_summary
