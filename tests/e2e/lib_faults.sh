# lib_faults.sh - helpers shared by faults.sh and crash.sh (sourced after
# testlib.sh and sandbox.sh): snapshots of what the targets hold, the
# sandbox's ground truth, and the state store checks.

PY=$SB_PY

# python over JSON on stdin: py EXPR (j = the document)
py() { "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# SCIM users as sorted "externalId active userName" lines (one per user)
scim_snapshot() {
	sb_ctl scim GET /_control/users | "$PY" -c '
import json, sys
u = json.load(sys.stdin)["users"]
for x in sorted(u, key=lambda x: (str(x.get("externalId")), x.get("userName", "").lower())):
    print(x.get("externalId"), x.get("active", True), x.get("userName", "").lower())'
}

# Assembled events with a hibob: marker as sorted "request agent start end type" lines
asm_snapshot() {
	sb_ctl assembled GET /_control/activities | "$PY" -c '
import json, re, sys
a = json.load(sys.stdin)["activities"]
rows = []
for x in a.values():
    m = re.search(r"hibob:(\d+)", x.get("description") or "")
    if m:
        rows.append((int(m.group(1)), x["agent_id"], x["start_time"], x["end_time"], x.get("type_id")))
for r in sorted(rows):
    print(*r)'
}

# what the sandbox says must be true now: "roster" = eligible employee ids,
# "timeoff" = request ids that sync (sorted, one a line)
truth() {
	sb_ctl hibob GET /_control/expected | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
if sys.argv[1] == "roster":
    ids = sorted(x["id"] for x in j["employees"]["employees"] if x["eligible"])
else:
    ids = sorted(r["request_id"] for r in j["timeoff"]["requests"] if r["sync"])
for i in ids:
    print(i)' "$1"
}

# roster_diff: prints nothing when SCIM holds exactly the eligible people,
# active, once each (ineligible people may have an inactive account)
roster_diff() {
	truth roster >"$T_TMP/rt.want"
	scim_snapshot >"$T_TMP/rt.got"
	awk '$2 == "True" {print $1}' "$T_TMP/rt.got" | sort | diff "$T_TMP/rt.want" - | grep '^[<>]' | head -5
	awk '{print $1}' "$T_TMP/rt.got" | sort | uniq -d | sed 's/^/duplicate externalId /' | head -3
	awk '{print $3}' "$T_TMP/rt.got" | sort | uniq -d | sed 's/^/duplicate userName /' | head -3
}

# timeoff_diff: prints nothing when Assembled holds exactly one marked event
# per request that syncs
timeoff_diff() {
	truth timeoff >"$T_TMP/tt.want"
	asm_snapshot >"$T_TMP/tt.got"
	awk '{print $1}' "$T_TMP/tt.got" | sort -n | uniq -c | awk '$1 != 1 {print "request " $2 " has " $1 " events"}' | head -3
	awk '{print $1}' "$T_TMP/tt.got" | sort -n | uniq | diff "$T_TMP/tt.want" - | grep '^[<>]' | head -5
}

# store_check [STATES]: prints nothing when state.db passes integrity_check
# and holds no action in one of STATES (default: none checked)
store_check() {
	"$PY" - "$BOBSYNC_HOME/state.db" "${1:-}" <<'EOF'
import sqlite3, sys
db, states = sys.argv[1], [s for s in sys.argv[2].split(",") if s]
try:
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
    r = c.execute("PRAGMA integrity_check").fetchall()
    if r != [("ok",)]:
        print("integrity_check:", r[:3])
    if states:
        q = "SELECT id, target, op, subject, state FROM actions WHERE state IN (%s)" % \
            ",".join("?" * len(states))
        for row in c.execute(q, states).fetchall()[:5]:
            print("action left %s: %s" % (row[4], row[:4]))
except sqlite3.Error as e:
    print("state.db:", e)
EOF
}

# wait_for TIMEOUT_TENTHS COMMAND...: poll until COMMAND succeeds; 1 on timeout
wait_for() {
	_n=$1; shift
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ $_i -ge "$_n" ] && return 1
		sleep 0.1
	done
	return 0
}
