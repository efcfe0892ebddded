# timeoff.sh - Assembled against HiBob's ground truth, for the time-off
# suites (sourced after sandbox.sh).
#
#   marked_events    the events with a hibob: marker, "request_id count" lines
#   expected_sync    request ids the sandbox says must sync, one a line
#   diff_with_truth  prints nothing when every request that must sync has
#                    exactly one event and no other request has one

marked_events() {
	sb_ctl assembled GET /_control/activities | "$SB_PY" -c '
import json, re, sys, collections
a = json.load(sys.stdin)["activities"]
c = collections.Counter()
for x in a.values():
    m = re.search(r"hibob:(\d+)", x.get("description") or "")
    if m:
        c[int(m.group(1))] += 1
for k in sorted(c):
    print(k, c[k])'
}

expected_sync() {
	sb_ctl hibob GET /_control/expected | json_get - \
	    "'\n'.join(str(r['request_id']) for r in sorted(j['timeoff']['requests'], key=lambda r: r['request_id']) if r['sync'])"
}

diff_with_truth() {
	expected_sync >"$T_TMP/want"
	marked_events >"$T_TMP/got"
	awk '{print $1}' "$T_TMP/got" | diff "$T_TMP/want" - | head -20
	awk '$2 != 1 {print "request " $1 " has " $2 " events"}' "$T_TMP/got" | head -5
}
