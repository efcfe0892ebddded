#!/bin/sh
# shapes.sh - `bobsync check --record FILE` (issue 12 point 15): the shape of
# every answer, without a value, compared with the sandbox's own answers
# (tests/sandbox/shapes.py); a planted difference is reported by field.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

sb_start --people 40 || exit 1
sb_home hibob assembled alleo || exit 1
bs config set assembled.enabled true >/dev/null
bs config set alleo.mode scim >/dev/null
SHAPES="$SB_PY $T_ROOT/tests/sandbox/shapes.py"

t_case "check --record writes a private file with the answers' shapes and no value"
bs check --record "$T_TMP/rec.json" >"$T_TMP/check.out" 2>&1
t_eq "$?" 0 "check exit status"
t_contains "$(cat "$T_TMP/check.out")" "$T_TMP/rec.json" "check names the file"
t_eq "$(stat -c %a "$T_TMP/rec.json" 2>/dev/null)" 600 "file mode"
t_contains "$(cat "$T_TMP/rec.json")" '"hibob POST /people/search"' "search answer recorded"
t_contains "$(cat "$T_TMP/rec.json")" '"alleo.token POST /"' "token answer recorded"
t_contains "$(cat "$T_TMP/rec.json")" '"assembled GET /activity_types"' "Assembled answer recorded"
sb_ctl hibob GET /_control/state >"$T_TMP/state.json"
leaks=$("$SB_PY" - "$T_TMP/rec.json" "$T_TMP/state.json" "$SB_STATE" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
low = text.lower()
st = json.load(open(sys.argv[2]))
sb = json.load(open(sys.argv[3]))
values = [sb["hibob"]["token"], sb["hibob"]["service_user_id"], sb["assembled"]["api_key"],
          sb["scim"]["client_id"], sb["scim"]["client_secret"]]
for p in st["people"]:
    values += [p["id"], p["email"], p["firstName"], p["surname"], p["displayName"]]
found = sorted({v for v in values if v and len(v) > 2 and v.lower() in low and
                # a name that is also a JSON key or type word is not a leak
                '"%s"' % v.lower() not in ('"id"', '"email"', '"string"')})
print(len(values), " ".join(found))
PY
)
t_eq "${leaks#* }" "" "secrets, ids, e-mails or names in the file (of ${leaks%% *} checked)"

t_case "the recorded shapes equal the sandbox's own answers"
$SHAPES from-log "$SB_ANSWER_LOG" -o "$T_TMP/sandbox-shapes.json"
out=$($SHAPES compare "$T_TMP/rec.json" "$T_TMP/sandbox-shapes.json")
t_eq "$?" 0 "compare exit status"
t_contains "$out" "no difference" "compare"

t_case "a difference planted in one answer is reported by field"
sb_ctl hibob POST /_control/fault '{"path": "/v1/people/search", "kind": "plant",
	"set": {"/employees/0/id": 7, "/employees/1/planted": true}}' >/dev/null
bs check --record "$T_TMP/rec2.json" >/dev/null 2>&1
out=$($SHAPES compare "$T_TMP/rec2.json" "$T_TMP/sandbox-shapes.json")
t_eq "$?" 1 "compare exit status"
t_contains "$out" "hibob POST /people/search 200: employees[].id: types integer|string recorded, string in the sandbox" "changed type"
t_contains "$out" "hibob POST /people/search 200: employees[].planted: only in the recorded answers" "extra key"
t_eq "$(printf '%s\n' "$out" | wc -l)" 2 "nothing else differs: $out"

t_case "--record needs a file name"
bs check --record >/dev/null 2>&1
t_eq "$?" 2 "exit status"

t_summary
