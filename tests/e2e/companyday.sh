#!/bin/sh
# companyday.sh - time off through a day of a 1,000-person company: rounds
# of dozens of approvals, edits, cancellations, declines and deletions (people
# in five time zones) made in HiBob between daemon polls (daemon --once);
# every poll runs with no approval needed and leaves Assembled equal to
# HiBob.  Then every event of one policy cancelled at once trips the guard
# (exit 3, nothing removed) until that plan is approved.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/timeoff.sh"

PY=$SB_PY

sb_start --people 1000 || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null || exit 1
# the sandbox's request budgets are per tenant; this test is about the plan, not pacing
sb_ctl assembled POST /_control/ratelimit '{"off": true}' >/dev/null
sb_ctl hibob POST /_control/ratelimit '{"off": true}' >/dev/null
BOBSYNC_TEST_POLL_SECONDS=1
export BOBSYNC_TEST_POLL_SECONDS

# ---- helpers ----

# one round of HiBob changes, what a 1,000-person company does in a few
# hours: NEW requests made (days and hours, people of every site), one in
# six declined and the rest approved, EDIT approved ones moved, CANCEL
# approved ones cancelled or (one in five) deleted; all through the control
# API in one process.  Prints the counts.
round() {
	"$PY" - "${SB_HIBOB_URL%/v1}" "$1" "$2" "$3" "$4" <<'EOF'
import datetime as dt, json, random, sys, urllib.request
base, new, edit, cancel, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = random.Random(seed)
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
ex = call("GET", "/_control/expected")
today = dt.date.fromisoformat(ex["today"])
agents = {r["employee_id"] for r in ex["timeoff"]["requests"] if r["agent_id"]}
emps = [e for e in ex["employees"]["employees"] if e["status"] == "Active" and e["id"] in agents]
syncing = [r for r in ex["timeoff"]["requests"] if r["sync"] and r["type"] == "days"]
rng.shuffle(syncing)
def day(k):
    d = today + dt.timedelta(days=k)
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d.isoformat()
made = edits = cancels = declines = deletes = 0
for i in range(new):
    e = rng.choice(emps)
    s = rng.randint(1, 120)
    if rng.random() < 0.2:
        body = {"op": "create", "employee": e["id"], "type": "hours", "startDate": day(s),
                "hoursOnDate": rng.choice([2, 3, 4])}
    else:
        body = {"op": "create", "employee": e["id"], "type": "days", "startDate": day(s),
                "endDate": max(day(s), day(s + rng.randint(0, 4)))}
    body["status"] = "pending"
    r = call("POST", "/_control/timeoff", body)
    if i % 6 == 5:
        call("POST", "/_control/timeoff", {"op": "decline", "requestId": r["requestId"]})
        declines += 1
    else:
        call("POST", "/_control/timeoff", {"op": "approve", "requestId": r["requestId"]})
        made += 1
for r in syncing[:edit]:
    a = day(rng.randint(2, 150))
    call("POST", "/_control/timeoff", {"op": "edit", "requestId": r["request_id"], "startDate": a,
                                       "endDate": a, "startPortion": "all_day",
                                       "endPortion": "all_day"})
    edits += 1
for r in syncing[edit:edit + cancel]:
    if rng.random() < 0.2:
        call("POST", "/_control/timeoff", {"op": "delete", "requestId": r["request_id"]})
        deletes += 1
    else:
        call("POST", "/_control/timeoff", {"op": "cancel", "requestId": r["request_id"]})
        cancels += 1
print(made, edits, cancels, declines, deletes)
EOF
}

# one daemon poll a second after the last; exit status in $st
poll() {
	sleep 1
	bs daemon --once >"$T_TMP/poll.out" 2>"$T_TMP/poll.err"
	st=$?
}

# ---- cases ----

t_case "the first poll reconciles the whole window of 1,000 people"
poll
t_eq "$st" 0 "exit status ($(tail -n 2 "$T_TMP/poll.err"))"
t_eq "$(diff_with_truth)" "" "Assembled equals HiBob"
HELD=$(bs status --json | json_get - "j['timeoff']['synced_events']")
[ "$HELD" -ge 150 ] || t_fail "only $HELD events held: not a company's worth"

for r in 1 2 3; do
	t_case "round $r: dozens of changes in HiBob, one poll, no approval, Assembled equals HiBob"
	counts=$(round 24 12 9 "day-$r")
	sleep 1		# the feed is read up to now in whole seconds
	poll
	t_eq "$st" 0 "exit status after $counts (made edited cancelled declined deleted): $(tail -n 2 "$T_TMP/poll.err")"
	t_eq "$(diff_with_truth)" "" "Assembled equals HiBob"
	t_eq "$(bs status --json | json_get - "j['timeoff']['result']")" "ok" "status: ok"
done

t_case "every event of one policy cancelled at once trips the guard until that plan is approved"
POL=$(sb_ctl hibob GET /_control/expected | json_get - "
__import__('collections').Counter(r['policy'] for r in j['timeoff']['requests'] if r['sync']).most_common(1)[0][0]")
ids=$(sb_ctl hibob GET /_control/expected | json_get - "' '.join(str(r['request_id']) for r in j['timeoff']['requests'] if r['sync'] and r['policy'] == '$POL')")
n=$(echo $ids | wc -w)
"$PY" - "${SB_HIBOB_URL%/v1}" $ids <<'EOF'
import json, sys, urllib.request
for rid in sys.argv[2:]:
    req = urllib.request.Request(sys.argv[1] + "/_control/timeoff", method="POST",
                                 data=json.dumps({"op": "cancel", "requestId": int(rid)}).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
EOF
sleep 1
before=$(marked_events | wc -l)
poll
t_eq "$st" 3 "exit status: blocked ($n events of '$POL' cancelled)"
t_contains "$(cat "$T_TMP/poll.err")" "guard.timeoff_max_removal_percent" "the reason names the setting"
t_eq "$(marked_events | wc -l)" "$before" "nothing removed"
PLAN=$(bs plan timeoff --json | json_get - "j['plan_id']")
t_eq "$(bs plan timeoff --json | json_get - "j['guard']['tripped']")" "True" "plan shows the guard tripped"
bs sync timeoff --approve "$PLAN" >"$T_TMP/approve.out" 2>&1
t_eq "$?" 0 "approved: applied ($(tail -n 2 "$T_TMP/approve.out"))"
t_eq "$(diff_with_truth)" "" "Assembled equals HiBob"

t_summary
