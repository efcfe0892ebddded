#!/bin/sh
# access.sh - bobsync access export and access set against the sandbox: the
# import file (header, one row per person with a work email, blanks where
# the field is unset, the same on standard output), set through the API
# with each person's line (changed, already, not found), the value read back
# with explain, identifiers from standard input, a refused edit stopping the
# rest, a 304 that stored nothing reported as a failure, a historical field
# refused before any write, and a misnamed field refusing both.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

sb_start || exit 1
sb_home hibob || exit 1
bs preview employees --json >"$T_TMP/emp.json" 2>/dev/null || { echo "preview failed" >&2; exit 1; }
# people by access value, with a work email
pick() { json_get "$T_TMP/emp.json" "[e['email'] for e in j['employees'] if e['access'] == '$1' and e['email']][$2]"; }
UNSET1=$(pick unset 0)
UNSET2=$(pick unset 1)
UNSET3=$(pick unset 2)
YES1=$(pick yes 0)
WITH_EMAIL=$(json_get "$T_TMP/emp.json" "sum(1 for e in j['employees'] if e['email'])")
BLANK=$(json_get "$T_TMP/emp.json" "sum(1 for e in j['employees'] if e['email'] and e['access'] in ('unset', 'unreadable'))")

t_case "export FILE: the header, one row per person with a work email, blanks counted"
bs access export "$T_TMP/import.csv" 2>"$T_TMP/x.err" || t_fail "exit $?: $(cat "$T_TMP/x.err")"
t_eq "$(head -n 1 "$T_TMP/import.csv" | tr -d '\r')" "Email,alleo_access" "header"
rows=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1]))) - 1)' "$T_TMP/import.csv")
t_eq "$rows" "$WITH_EMAIL" "rows"
t_eq "$(cat "$T_TMP/x.err")" "Wrote $T_TMP/import.csv: $WITH_EMAIL people, $BLANK without a value. Fill in yes or no, then import it in Bob: People > Import." "summary line"
t_eq "$(stat -c %a "$T_TMP/import.csv")" 600 "file mode"
t_contains "$(cat "$T_TMP/import.csv")" "$YES1,yes" "a yes row"
t_contains "$(cat "$T_TMP/import.csv")" "$UNSET1," "an unset row"
sorted=$(python3 -c 'import csv,sys; r=[x[0] for x in csv.reader(open(sys.argv[1]))][1:]; print(r == sorted(r, key=str.lower))' "$T_TMP/import.csv")
t_eq "$sorted" True "sorted by email"

t_case "export -: the same file on standard output, nothing on stderr"
bs access export - >"$T_TMP/stdout.csv" 2>"$T_TMP/x.err" || t_fail "exit $?"
cmp -s "$T_TMP/stdout.csv" "$T_TMP/import.csv" || t_fail "standard output differs from the file"
t_eq "$(cat "$T_TMP/x.err")" "" "stderr"

t_case "set yes: changed, already, not found, each on its line; exit 1 for the failure"
bs access set yes "$UNSET1" "$YES1" nobody@example.invalid >"$T_TMP/set.out" 2>"$T_TMP/set.err"
t_eq "$?" 1 "exit status"
t_eq "$(sed -n 1p "$T_TMP/set.out")" "$UNSET1: set to yes (was unset)" "changed"
t_eq "$(sed -n 2p "$T_TMP/set.out")" "$YES1: already yes (HiBob changed nothing)" "already"
t_eq "$(sed -n 3p "$T_TMP/set.out")" "nobody@example.invalid: failed: no one with that email or id is visible to the service user" "not found"
t_eq "$(cat "$T_TMP/set.err")" "1 changed, 1 already yes, 1 failed." "summary"

t_case "the value set is what HiBob holds now (explain reads it back)"
t_eq "$(bs explain "$UNSET1" --json 2>/dev/null | json_get - 'j["source"]["access"]')" yes "explain"

t_case "set no from standard input (comments and blank lines skipped); exit 0"
printf '# people\n\n%s\n%s\n' "$UNSET2" "$UNSET1" | bs access set no - >"$T_TMP/set.out" 2>"$T_TMP/set.err"
t_eq "$?" 0 "exit status"
t_eq "$(cat "$T_TMP/set.out")" "$UNSET2: set to no (was unset)
$UNSET1: set to no (was yes)" "lines"
t_eq "$(cat "$T_TMP/set.err")" "2 changed, 0 already no, 0 failed." "summary"
t_eq "$(bs explain "$UNSET2" --json 2>/dev/null | json_get - 'j["source"]["access"]')" no "explain"

t_case "people named by HiBob id or by email in other letter case"
ID3=$(json_get "$T_TMP/emp.json" "[e['id'] for e in j['employees'] if e['email'] == '$UNSET3'][0]")
UP2=$(printf '%s' "$UNSET2" | tr '[:lower:]' '[:upper:]')
bs access set yes "$ID3" "$UP2" >"$T_TMP/set.out" 2>/dev/null
t_eq "$?" 0 "exit status"
t_eq "$(cat "$T_TMP/set.out")" "$ID3: set to yes (was unset)
$UP2: set to yes (was no)" "lines"
bs access set no "$ID3" >/dev/null 2>&1

t_case "a refused edit (403) stops the rest: not tried"
sb_ctl hibob POST /_control/scenario '{"name": "no_edit"}' >/dev/null
bs access set yes "$UNSET3" "$UNSET2" >"$T_TMP/set.out" 2>"$T_TMP/set.err"
t_eq "$?" 1 "exit status"
t_contains "$(sed -n 1p "$T_TMP/set.out")" "$UNSET3: failed: " "the refusal"
t_eq "$(sed -n 2p "$T_TMP/set.out")" "$UNSET2: not tried" "the rest"
t_eq "$(cat "$T_TMP/set.err")" "0 changed, 0 already yes, 2 failed." "summary"

t_case "a 304 while the value read before differs is a failure (a wrong path stores nothing)"
sb_ctl hibob POST /_control/scenario '{"name": "put_ignored"}' >/dev/null
# UNSET3 is no since the case above
bs access set yes "$UNSET3" >"$T_TMP/set.out" 2>"$T_TMP/set.err"
t_eq "$?" 1 "exit status"
t_contains "$(cat "$T_TMP/set.out")" "$UNSET3: failed: HiBob answered 304 (not modified), but the value read before was no: nothing was stored" "the failure"
t_eq "$(cat "$T_TMP/set.err")" "0 changed, 0 already yes, 1 failed." "summary"
bs access set no "$YES1" >"$T_TMP/set.out" 2>/dev/null
t_eq "$?" 1 "yes to no: exit status"
t_contains "$(cat "$T_TMP/set.out")" "$YES1: failed: HiBob answered 304" "yes to no"
# the same value: 304 means already so
bs access set yes "$YES1" >"$T_TMP/set.out" 2>/dev/null
t_eq "$?" 0 "same value"
t_eq "$(cat "$T_TMP/set.out")" "$YES1: already yes (HiBob changed nothing)" "already"

t_case "a historical field is refused before any write"
sb_ctl hibob POST /_control/scenario '{"name": "historical_field"}' >/dev/null
sb_ctl hibob DELETE /_control/requests >/dev/null
bs access set yes "$UNSET3" >"$T_TMP/set.out" 2>"$T_TMP/x.err"
t_eq "$?" 1 "exit status"
t_contains "$(cat "$T_TMP/x.err")" "historical field" "reason"
t_eq "$(sb_ctl hibob GET /_control/requests | json_get - 'sum(1 for r in j["requests"] if r["method"] == "PUT")')" 0 "no PUT"
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null

t_case "a misnamed field: export and set refuse with the check's advice"
sb_ctl hibob POST /_control/scenario '{"name": "misnamed_field"}' >/dev/null
bs access export "$T_TMP/bad.csv" >/dev/null 2>"$T_TMP/x.err"
t_eq "$?" 1 "export exit"
t_contains "$(cat "$T_TMP/x.err")" "an import file for it would be refused by HiBob" "export reason"
[ -e "$T_TMP/bad.csv" ] && t_fail "a file was written"
bs access set yes "$UNSET3" >"$T_TMP/set.out" 2>"$T_TMP/x.err"
t_eq "$?" 1 "set exit"
t_eq "$(cat "$T_TMP/set.out")" "" "nothing set"
t_contains "$(cat "$T_TMP/x.err")" "alleo_access" "set reason"
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null

t_case "usage: no one named, a value other than yes/no"
bs access set yes >/dev/null 2>"$T_TMP/x.err"
t_eq "$?" 2 "no ids"
t_contains "$(cat "$T_TMP/x.err")" "say whose access to set" "message"
bs access set maybe "$UNSET3" >/dev/null 2>&1
t_eq "$?" 2 "maybe"

t_summary
