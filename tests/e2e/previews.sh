#!/bin/sh
# previews.sh - the previews on the default company agree with the
# sandbox's ground truth (computed independently in Python from the rules):
# the counts, and for every person and request the same decision.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

sb_start || exit 1		# the default company: 320 people
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null
sb_ctl hibob GET /_control/expected >"$T_TMP/expected.json"

t_case "preview employees: the counts of the fixture"
bs preview employees --json >"$T_TMP/emp.json" 2>"$T_TMP/emp.err" || t_fail "exit $?: $(cat "$T_TMP/emp.err")"
got=$(json_get "$T_TMP/emp.json" 'sorted(j["summary"].items())')
want=$(json_get "$T_TMP/expected.json" 'sorted(j["employees"]["summary"].items())')
t_eq "$got" "$want" "summary"

t_case "preview employees: every person's decision and access value"
diff=$(python3 - "$T_TMP/emp.json" "$T_TMP/expected.json" <<'PY'
import json, sys
got = {e["id"]: e for e in json.load(open(sys.argv[1]))["employees"]}
exp = {e["id"]: e for e in json.load(open(sys.argv[2]))["employees"]["employees"]}
bad = [i for i in exp if i not in got or got[i]["eligible"] != exp[i]["eligible"]
       or got[i]["access"] != exp[i]["access"]]
bad += [i for i in got if i not in exp]
print(len(bad), bad[:3])
PY
)
t_eq "$diff" "0 []" "people whose decision differs"

t_case "preview employees --csv: a header and one row a person"
bs preview employees --csv >"$T_TMP/emp.csv"
rows=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1]))))' "$T_TMP/emp.csv")
t_eq "$rows" 321 "CSV rows"

t_case "preview timeoff: the requests the fixture says sync"
bs preview timeoff --json >"$T_TMP/to.json" 2>"$T_TMP/to.err" || t_fail "exit $?: $(cat "$T_TMP/to.err")"
diff=$(python3 - "$T_TMP/to.json" "$T_TMP/expected.json" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))["timeoff"]
g = {r["request_id"] for r in got["requests"] if r["sync"]}
e = {r["request_id"] for r in exp["requests"] if r["sync"]}
print(got["summary"]["sync"], exp["summary"]["sync"], sorted(g ^ e)[:5])
PY
)
want=$(json_get "$T_TMP/expected.json" 'j["timeoff"]["summary"]["sync"]')
t_eq "$diff" "$want $want []" "requests that sync (bobsync, fixture, differences)"

t_case "preview timeoff: skipped requests say why"
n=$(json_get "$T_TMP/to.json" 'sum(1 for r in j["requests"] if not r["sync"] and len(r.get("reason") or "") < 5)')
t_eq "$n" 0 "skipped requests without a reason"
t_contains "$(bs preview timeoff 2>&1)" "not_contiguous" "table names the reason codes"

t_summary
