#!/bin/sh
# timeoff_deletes.sh - Assembled read the strict way (issue 12, points 12
# and 13): `check` tells whether bulk delete (a beta) is enabled; a delete
# refused as a beta not switched on, or by a bare 404 of the route, keeps
# the event linked and exits 1, and once deletes work the next run removes
# it with exactly one delete; schedule listings capped at 31 days or cut
# into short pages never cause a second event or a forgotten one.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

PY=$SB_PY

sb_start --people 120 || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null || exit 1

logs_clear() { sb_ctl assembled DELETE /_control/requests >/dev/null; }
calls() {
	sb_ctl assembled GET /_control/requests | json_get - \
	    "sum(1 for r in j['requests'] if r['method']=='$1' and r['path']=='$2')"
}
# events with a hibob: marker, as "request_id count" lines
marked_events() {
	sb_ctl assembled GET /_control/activities | "$PY" -c '
import json, re, sys, collections
c = collections.Counter()
for x in json.load(sys.stdin)["activities"].values():
    m = re.search(r"hibob:(\d+)", x.get("description") or "")
    if m:
        c[int(m.group(1))] += 1
for k in sorted(c):
    print(k, c[k])'
}
event_of() {
	sb_ctl assembled GET /_control/activities | "$PY" -c '
import json, sys
for x in json.load(sys.stdin)["activities"].values():
    if ("hibob:%s" % sys.argv[1]) == (x.get("description") or "").split()[-1]:
        print(x["id"])' "$1"
}
linked() { bs status --json | json_get - "j['timeoff']['synced_events']"; }
check_field() { json_get "$T_TMP/check.json" "[c.get('$2') for c in j['checks'] if c['id']=='$1'][0]"; }
bulk_mode() { sb_ctl assembled POST /_control/bulk_delete "{\"mode\":\"$1\"}" >/dev/null; }

t_case "check: assembled.delete passes when deletes work, fails with the remedy when not"
bs check --json >"$T_TMP/check.json"
t_eq "$?" 0 "exit status"
t_eq "$(check_field assembled.delete status)" pass "enabled"
t_contains "$(check_field assembled.delete detail)" "not found" "told by a 'not found'"
for mode in beta_off no_route; do
	bulk_mode $mode
	bs check --json >"$T_TMP/check.json"
	t_eq "$?" 1 "$mode: exit status"
	t_eq "$(check_field assembled.delete status)" fail "$mode: fails"
	t_contains "$(check_field assembled.delete remedy)" "Assembled support" "$mode: the remedy"
done
bulk_mode enabled
t_eq "$(marked_events)" "" "the check deleted nothing and made nothing"

t_case "listings capped at 31 days: a reconcile right after the first sync changes nothing"
bs sync timeoff >/dev/null
t_eq "$?" 0 "first sync"
N=$(linked)
[ "$N" -ge 5 ] || t_fail "only $N events synced"
logs_clear
out=$(bs reconcile timeoff --json)
t_eq "$?" 0 "exit status"
t_eq "$(printf '%s' "$out" | json_get - "j['planned']")" 0 "nothing planned"
t_eq "$(calls POST /v0/activities)" 0 "no event made again"
t_eq "$(marked_events | awk '$2 != 1' | wc -l)" 0 "one event per request"
t_eq "$(linked)" "$N" "every event still linked"

t_case "pages cut below what is asked for: still no second event, none forgotten"
sb_ctl assembled POST /_control/listing '{"page_max": 2}' >/dev/null
logs_clear
out=$(bs reconcile timeoff --json)
t_eq "$?" 0 "exit status"
t_eq "$(printf '%s' "$out" | json_get - "j['planned']")" 0 "nothing planned"
t_eq "$(calls POST /v0/activities)" 0 "no create"
t_eq "$(calls POST /v0/activities/bulk)" 0 "no delete"
t_eq "$(marked_events | awk '$2 != 1' | wc -l)" 0 "one event per request"
t_eq "$(linked)" "$N" "every event still linked"
sb_ctl assembled POST /_control/listing '{}' >/dev/null

t_case "a refused delete keeps the event linked and exits 1; fixed, one delete removes it"
RID=$(marked_events | sed -n '1s/ .*//p')
ACT=$(event_of "$RID")
[ -n "$ACT" ] || t_fail "no event for request $RID"
sb_ctl hibob POST /_control/timeoff "{\"op\":\"cancel\",\"requestId\":$RID}" >/dev/null
sleep 1		# the feed is read up to "now" in whole seconds
for mode in beta_off no_route; do
	bulk_mode $mode
	logs_clear
	bs sync timeoff >"$T_TMP/out" 2>"$T_TMP/err"
	t_eq "$?" 1 "$mode: exit status"
	t_eq "$(calls POST /v0/activities/bulk)" 1 "$mode: one delete tried"
	t_eq "$(event_of "$RID")" "$ACT" "$mode: the event is still in Assembled"
	t_eq "$(linked)" "$N" "$mode: and still linked"
	t_contains "$(cat "$T_TMP/err")" "still in Assembled" "$mode: says so"
done
bulk_mode enabled
logs_clear
bs sync timeoff >/dev/null
t_eq "$?" 0 "fixed: exit status"
t_eq "$(calls POST /v0/activities/bulk)" 1 "exactly one delete"
t_eq "$(event_of "$RID")" "" "the event is gone"
t_eq "$(linked)" "$((N - 1))" "and no longer linked"
logs_clear
bs sync timeoff >/dev/null
t_eq "$(calls POST /v0/activities/bulk)" 0 "nothing more to delete"

t_summary
