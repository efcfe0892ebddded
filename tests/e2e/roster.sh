#!/bin/sh
# roster.sh - the roster sync to Alleo (SCIM) against the sandbox, end to end.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

sb_start || exit 1
sb_home hibob alleo || exit 1
bs config set alleo.mode scim >/dev/null

# python over JSON on stdin: py EXPR (j = the document)
py() { "$SB_PY" -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
users() { sb_ctl scim GET /_control/users; }
# field of the SCIM user with this externalId: user_field ID EXPR (u = the user)
user_field() {
	users | "$SB_PY" -c 'import json,sys
j=json.load(sys.stdin); j=j.get("users", j) if isinstance(j, dict) else j
u=[x for x in j if x.get("externalId")==sys.argv[1]]
print(eval(sys.argv[2]) if u else "none")' "$1" "$2"
}
EXT=urn:ietf:params:scim:schemas:extension:alleo:2.0:User
nusers() { users | py 'len(j.get("users", j) if isinstance(j, dict) else j)'; }
expected() { sb_ctl hibob GET /_control/expected; }
person() { sb_ctl hibob POST /_control/person "$1" >/dev/null; }
# today's date where this person works (the offboarding date bobsync sends):
# their site's zone from hibob.site_timezones, else UTC
local_today() {
	expected | "$SB_PY" -c 'import datetime,json,sys,zoneinfo
e=[x for x in json.load(sys.stdin)["employees"]["employees"] if x["id"]==sys.argv[1]][0]
z=dict(kv.split("=", 1) for kv in sys.argv[2].split(",") if "=" in kv).get(e["site"] or "", "UTC")
print(datetime.datetime.now(zoneinfo.ZoneInfo(z)).date())' "$1" "$(bs config get hibob.site_timezones)"
}

# SCIM requests since the log was cleared, as "lookups listings posts patches":
# a lookup is GET /Users with a filter, a listing page GET /Users without
# (answers of the sandbox's rate limit, 429, are retried and not counted)
scim_calls() {
	sb_ctl scim GET /_control/requests | "$SB_PY" -c 'import json,sys
r=[x for x in json.load(sys.stdin)["requests"] if x["path"].startswith("/scim/v2/Users") and x["status"]!=429]
g=[x for x in r if x["method"]=="GET" and x["path"].rstrip("/")=="/scim/v2/Users"]
f=sum(1 for x in g if "filter" in str(x.get("query")))
print(f, len(g)-f, sum(1 for x in r if x["method"]=="POST"), sum(1 for x in r if x["method"]=="PATCH"))'
}

t_case "first sync provisions exactly the eligible people"
want=$(expected | py 'j["employees"]["summary"]["eligible"]')
sb_ctl scim DELETE /_control/requests >/dev/null
out=$(bs sync roster --json 2>&1); st=$?
t_eq "$st" 0 "exit status"
t_eq "$(printf '%s' "$out" | py 'j["applied"]')" "$want" "applied"
t_eq "$(nusers)" "$want" "SCIM users"
t_eq "$(scim_calls)" "0 1 $want 0" "one listing, a create for each, no lookup"
# the sandbox validates strictly (core User schema only): nothing else was sent
t_eq "$(users | py 'sorted(set(k for u in j["users"] for k in u))')" "['active', 'emails', 'externalId', 'id', 'meta', 'name', 'schemas', 'userName']" "core attributes only"

set -- $(expected | py '" ".join(x["id"] for x in j["employees"]["employees"] if x["eligible"] and not x["termination_date"])')
P1=$1 P2=$2 P3=$3 P4=$4 P5=$5 P6=$6

t_case "a second sync has nothing to do"
t_contains "$(bs plan roster 2>&1)" "nothing to do" "plan"
sb_ctl scim DELETE /_control/requests >/dev/null
bs sync roster >/dev/null 2>&1
t_eq "$?" 0 "rerun exit status"
t_eq "$(scim_calls)" "0 0 0 0" "the rerun writes nothing"

t_case "email change keeps the account, userName updated"
id_before=$(user_field "$P1" 'u[0]["id"]')
person "{\"id\": \"$P1\", \"new_email\": \"renamed.person@lumenfield.example\"}"
t_contains "$(bs plan roster 2>&1)" "email changed from" "reason"
bs sync roster >/dev/null 2>&1
t_eq "$(user_field "$P1" 'u[0]["userName"]')" "renamed.person@lumenfield.example" "userName"
t_eq "$(user_field "$P1" 'u[0]["id"]')" "$id_before" "same account"
t_eq "$(nusers)" "$want" "no new user"

t_case "budgets are not sent without an extension Alleo lists; the plan says so"
person "{\"id\": \"$P2\", \"budgets\": {\"alleo_monthly_all_budget\": 321}}"
plan=$(bs plan roster --json)
t_eq "$(printf '%s' "$plan" | py 'len(j["actions"])')" "0" "no action for a budget"
t_contains "$(printf '%s' "$plan" | py 'j["notes"]')" "budget fields are not sent" "note"
t_contains "$(bs plan roster 2>&1)" "Note: budget fields are not sent" "note in the text plan"
# named, but not listed in /Schemas: still not sent, and said why
bs config set alleo.scim_extension "$EXT" >/dev/null
t_contains "$(bs plan roster --json | py 'j["notes"]')" "does not list in /Schemas" "unlisted extension"
t_eq "$(bs plan roster --json | py 'len(j["actions"])')" "0" "still no action"

t_case "an extension Alleo lists gets the budgets and dates, by attribute paths"
sb_ctl scim POST /_control/scim '{"extension": true}' >/dev/null
plan=$(bs plan roster --json)
t_eq "$(printf '%s' "$plan" | py 'j["notes"]')" "[]" "no note"
t_eq "$(printf '%s' "$plan" | py 'set(a["op"] for a in j["actions"])')" "{'update'}" "updates only (the budgets now go)"
bs sync roster >/dev/null 2>&1
t_eq "$?" 0 "exit status"
t_eq "$(user_field "$P2" 'u[0]["'"$EXT"'"]["budgets"]["alleo_monthly_all_budget"]')" "321.0" "budget in Alleo"
t_contains "$(bs plan roster 2>&1)" "nothing to do" "then nothing to do"

t_case "alleo_access no deactivates with today's offboarding date"
person "{\"id\": \"$P3\", \"alleo_access\": \"no\"}"
bs sync roster >/dev/null 2>&1
t_eq "$(user_field "$P3" 'u[0]["active"]')" "False" "active"
t_eq "$(user_field "$P3" 'u[0]["'"$EXT"'"]["offboardingDate"]')" "$(local_today "$P3")" "offboarding date: today where they work"

t_case "yes again reactivates the same account"
id_before=$(user_field "$P3" 'u[0]["id"]')
person "{\"id\": \"$P3\", \"alleo_access\": \"yes\"}"
t_contains "$(bs plan roster 2>&1)" "reactivate" "plan"
bs sync roster >/dev/null 2>&1
t_eq "$(user_field "$P3" 'u[0]["active"]')" "True" "active"
t_eq "$(user_field "$P3" 'u[0].get("'"$EXT"'", {}).get("offboardingDate")')" "None" "offboarding date removed"
t_eq "$(user_field "$P3" 'u[0]["id"]')" "$id_before" "same account"
t_eq "$(nusers)" "$want" "no new user"

t_case "an unset value is held, never removed"
person "{\"id\": \"$P4\", \"alleo_access\": \"unset\"}"
plan=$(bs plan roster --json)
t_eq "$(printf '%s' "$plan" | py 'len(j["actions"])')" "0" "no action"
t_eq "$(printf '%s' "$plan" | py 'any(h["employee_id"]=="'"$P4"'" for h in j["held"])')" "True" "held"
bs sync roster >/dev/null 2>&1
t_eq "$(user_field "$P4" 'u[0]["active"]')" "True" "still active"

t_case "leaver with a future date stays until the date passes"
future=$("$SB_PY" -c 'import datetime,sys; print(datetime.date.fromisoformat(sys.argv[1])+datetime.timedelta(days=20))' "$SB_TODAY")
past=$("$SB_PY" -c 'import datetime,sys; print(datetime.date.fromisoformat(sys.argv[1])-datetime.timedelta(days=2))' "$SB_TODAY")
person "{\"id\": \"$P5\", \"terminationDate\": \"$future\"}"
t_contains "$(bs plan roster 2>&1)" "leaving on $future" "announced"
bs sync roster >/dev/null 2>&1
t_eq "$(user_field "$P5" 'u[0]["active"]')" "True" "active before the date"
person "{\"id\": \"$P5\", \"terminationDate\": \"$past\", \"lifecycle\": \"terminated\"}"
t_contains "$(bs plan roster 2>&1)" "left on $past" "reason"
bs sync roster >/dev/null 2>&1
t_eq "$(user_field "$P5" 'u[0]["active"]')" "False" "removed"
t_eq "$(user_field "$P5" 'u[0]["'"$EXT"'"]["offboardingDate"]')" "$past" "offboarding date"
sb_ctl scim POST /_control/scim '{}' >/dev/null
bs config unset alleo.scim_extension >/dev/null

t_case "termination beats a blank field: the leaver is deactivated, with that reason"
# P4's alleo_access is unset (held above); now they leave
person "{\"id\": \"$P4\", \"terminationDate\": \"$past\", \"lifecycle\": \"terminated\"}"
plan=$(bs plan roster --json)
t_eq "$(printf '%s' "$plan" | py '[a["op"] for a in j["actions"] if a["employee_id"]=="'"$P4"'"]')" "['remove']" "action"
t_contains "$(printf '%s' "$plan" | py '[a["reason"] for a in j["actions"]][0]')" "left on $past (alleo_access is not set: a leaver is offboarded whatever the field says)" "reason"
t_eq "$(printf '%s' "$plan" | py 'j["guard"]["removals"]')" "1" "counted by the guard"
bs sync roster >/dev/null 2>&1
t_eq "$(user_field "$P4" 'u[0]["active"]')" "False" "deactivated"

t_case "lifecycle from list ids: Dutch display text changes nothing; a company's own leave type is held"
sb_ctl hibob POST /_control/scenario '{"name": "localized"}' >/dev/null
person "{\"id\": \"$P6\", \"lifecycle\": \"sabbatical\"}"
plan=$(bs plan roster --json)
t_eq "$(printf '%s' "$plan" | py 'len(j["actions"])')" "0" "no action"
t_contains "$(printf '%s' "$plan" | py '[h["reason"] for h in j["held"] if h["employee_id"]=="'"$P6"'"]')" "unknown lifecycle status 'Sabbatsverlof'" "held with the reason"
bs sync roster >/dev/null 2>&1
t_eq "$(user_field "$P6" 'u[0]["active"]')" "True" "not removed"
person "{\"id\": \"$P6\", \"lifecycle\": \"employed\"}"
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null
t_contains "$(bs plan roster 2>&1)" "nothing to do" "back to nothing to do"

t_case "a joiner is added, exactly one"
person '{"create": true, "firstName": "Nia", "surname": "Joiner", "email": "nia.joiner@lumenfield.example", "lifecycle": "employed", "startDate": "'"$past"'", "alleo_access": "yes"}'
n0=$(nusers)
out=$(bs sync roster --json 2>/dev/null)
t_eq "$(printf '%s' "$out" | py 'j["applied"]')" "1" "applied"
t_eq "$(nusers)" "$((n0 + 1))" "users"

t_case "externalId filter refused, token only in the body: a joiner's hand-made account linked by userName"
sb_ctl scim POST /_control/scim '{"ext_filter": false, "token_auth": "body"}' >/dev/null
sb_ctl scim POST /_control/paging '{"unfiltered": false}' >/dev/null
sb_ctl scim POST /_control/users '{"userName": "lia.linked@lumenfield.example", "name": {"givenName": "Lia"}, "emails": [{"value": "lia.linked@lumenfield.example", "type": "work", "primary": true}]}' >/dev/null
person '{"create": true, "firstName": "Lia", "surname": "Linked", "email": "lia.linked@lumenfield.example", "lifecycle": "employed", "startDate": "'"$past"'", "alleo_access": "yes"}'
n0=$(nusers)
sb_ctl scim DELETE /_control/requests >/dev/null
bs sync roster >/dev/null 2>&1
t_eq "$?" 0 "exit status"
t_eq "$(scim_calls)" "2 1 0 1" "the refused listing and externalId filter, one userName lookup, a PATCH, no create"
t_eq "$(nusers)" "$n0" "no new user"
t_eq "$(users | py '[bool(u.get("externalId")) for u in j["users"] if u["userName"]=="lia.linked@lumenfield.example"]')" "[True]" "linked: externalId set"
t_eq "$(sb_ctl scim GET /_control/requests | py '[r["status"] for r in j["requests"] if r["path"]=="/oauth/token"]')" "[401, 200]" "Basic refused once, then the body"
sb_ctl scim POST /_control/scim '{}' >/dev/null
sb_ctl scim POST /_control/paging '{}' >/dev/null

t_case "dry run plans exactly what the real run applies"
person "{\"id\": \"$P2\", \"budgets\": {\"alleo_monthly_all_budget\": 400}}"
person "{\"id\": \"$P1\", \"alleo_access\": \"no\"}"
dry=$(bs sync roster --dry-run --json 2>/dev/null)
planned=$(bs plan roster --json | py 'sorted((a["op"], a["employee_id"]) for a in j["actions"])')
n0=$(sb_ctl scim GET /_control/requests | py 'j["count"]')
real=$(bs sync roster --json 2>/dev/null)
t_eq "$(printf '%s' "$dry" | py 'j["plan_id"]')" "$(printf '%s' "$real" | py 'j["plan_id"]')" "plan ids"
run=$(printf '%s' "$real" | py 'j["run_id"]')
applied=$(bs log --run "$run" --json | py 'sorted((a["op"], a["subject"]) for a in j["actions"] if a["result"]=="done")')
t_eq "$applied" "$planned" "actions"

t_case "mass removal trips the guard; only that plan id, once"
ids=$(expected | py '" ".join([x["id"] for x in j["employees"]["employees"] if x["eligible"]][10:30])')
for i in $ids; do person "{\"id\": \"$i\", \"alleo_access\": \"no\"}"; done
sb_ctl scim DELETE /_control/requests >/dev/null
out=$(bs sync roster 2>&1); st=$?
t_eq "$st" 3 "exit status"
pid=$(bs plan roster --json | py 'j["plan_id"]')
t_contains "$out" "$pid" "plan id printed"
t_eq "$(sb_ctl scim GET /_control/requests | py 'sum(1 for r in j["requests"] if r["method"] in ("POST","PATCH"))')" "0" "nothing written"
bs sync roster --approve 0123456789abcdef >/dev/null 2>&1; st=$?
t_eq "$st" 1 "wrong id refused"
# the admin's mistake, not a failed sync: no failure, no backoff, not run
t_eq "$(bs status --json | py 'j["roster"]["failures"]')" 0 "no failure counted for a wrong id"
t_eq "$(bs status --json | py 'j["roster"]["result"]')" blocked "the status still says blocked"
t_eq "$(bs log --json | py 'j["runs"][0]["result"]')" "not run" "the attempt is in the log as not run"
bs sync roster --approve "$pid" >/dev/null 2>&1; st=$?
t_eq "$st" 0 "approved run"
t_eq "$(user_field "$(echo $ids | cut -d' ' -f1)" 'u[0]["active"]')" "False" "removed"
bs sync roster --approve "$pid" >/dev/null 2>&1; st=$?
t_eq "$st" 1 "approval used twice refused"

t_case "HiBob returning nobody aborts before any write"
sb_ctl hibob POST /_control/fault '{"path": "/v1/people/search", "kind": "empty", "count": -1}' >/dev/null
sb_ctl scim DELETE /_control/requests >/dev/null
out=$(bs sync roster 2>&1); st=$?
t_eq "$st" 1 "exit status"
t_contains "$out" "no people" "message"
t_eq "$(sb_ctl scim GET /_control/requests | py 'j["count"]')" "0" "no SCIM call"
sb_ctl hibob DELETE /_control/fault >/dev/null

t_case "failed actions: a short summary on stderr naming who and why"
for i in 1 2 3 4 5; do
	person '{"create": true, "firstName": "Fay", "surname": "Failing'$i'", "email": "fay.failing'$i'@lumenfield.example", "lifecycle": "employed", "startDate": "'"$past"'", "alleo_access": "yes"}'
done
sb_ctl scim POST /_control/fault '{"path": "/scim/v2/Users", "method": "POST", "kind": "500", "count": -1}' >/dev/null
bs sync roster >"$T_TMP/fail.out" 2>"$T_TMP/fail.err"; st=$?
err=$(cat "$T_TMP/fail.err")
t_eq "$st" 1 "exit status"
t_contains "$err" "roster: 5 of 5 actions failed" "count"
t_contains "$err" "bobsync log --run" "where the rest is"
t_contains "$err" "@lumenfield.example: Alleo answered POST /Users with HTTP 500" "a failure, person and reason"
t_eq "$(grep -c '^  add fay\.failing[1-5]@lumenfield\.example: Alleo answered POST /Users with HTTP 500' "$T_TMP/fail.err")" 3 "the first three listed"
t_contains "$err" "... and 2 more" "the rest counted"
t_eq "$(grep -c . "$T_TMP/fail.err")" 5 "stderr lines (no line per failure besides the summary)"
t_not_contains "$err" "$SB_SCIM_SECRET" "client secret"
t_not_contains "$err" "$SB_HIBOB_TOKEN" "HiBob token"
# --json keeps stdout one JSON document (cli.md) and the reason on stderr
bs sync roster --json >"$T_TMP/fail.out" 2>"$T_TMP/fail.err"; st=$?
t_eq "$st" 1 "exit status (json)"
t_eq "$(py 'j["failed"]' <"$T_TMP/fail.out")" 5 "failed (json)"
t_contains "$(cat "$T_TMP/fail.err")" "5 of 5 actions failed" "reason on stderr (json)"
sb_ctl scim DELETE /_control/fault >/dev/null
bs sync roster >/dev/null 2>&1; st=$?
t_eq "$st" 0 "next run"

t_case "explain shows rules, the Alleo match and the action"
out=$(bs explain "$P2" --json)
t_eq "$(printf '%s' "$out" | py 'j["eligibility"]["verdict"]')" "eligible" "verdict"
t_eq "$(printf '%s' "$out" | py 'j["target"]["live"]["found"]')" "True" "live lookup"
bs explain nobody@nowhere.example >/dev/null 2>&1; st=$?
t_eq "$st" 1 "unknown person"

t_case "a run killed between two actions converges on the rerun"
sb_ctl scim DELETE /_control/users >/dev/null
sb_home hibob alleo || exit 1
bs config set alleo.mode scim >/dev/null
want=$(expected | py 'j["employees"]["summary"]["eligible"]')
sb_ctl scim POST /_control/latency '{"ms": 150}' >/dev/null
sb_ctl scim DELETE /_control/requests >/dev/null
"$BOBSYNC" sync roster >/dev/null 2>&1 &
bg=$!
i=0
while [ "$(sb_ctl scim GET /_control/requests | py 'sum(1 for r in j["requests"] if r["method"]=="POST" and r["path"].endswith("/Users"))')" -lt 4 ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -9 $bg 2>/dev/null; wait $bg 2>/dev/null
sb_ctl scim POST /_control/latency '{"ms": 0}' >/dev/null
partial=$(nusers)
[ "$partial" -gt 0 ] && [ "$partial" -lt "$want" ] || t_fail "kill landed mid-run: $partial of $want users"
bs sync roster >/dev/null 2>&1; st=$?
t_eq "$st" 0 "rerun exit status"
t_eq "$(nusers)" "$want" "users"
t_eq "$(users | py 'len(set(u["externalId"] for u in (j.get("users", j) if isinstance(j, dict) else j)))')" "$want" "no duplicate"
t_contains "$(bs plan roster 2>&1)" "nothing to do" "nothing missing"

# a first sync from a new state store, with the SCIM service paging as told
sync_new_store() { # PAGING-JSON
	sb_home hibob alleo || exit 1
	bs config set alleo.mode scim >/dev/null
	sb_ctl scim POST /_control/paging "$1" >/dev/null
	sb_ctl scim DELETE /_control/requests >/dev/null
	bs sync roster >/dev/null 2>&1
	t_eq "$?" 0 "exit status"
}

t_case "a new state store against a populated Alleo: every person linked by the listing"
ids_before=$(users | py 'sorted(u["id"] for u in j["users"])')
# a service that refuses pages above 30 users: 100 and 50 are refused, 25 served
sync_new_store '{"max_count": 30, "over_max": "error"}'
pages=$(( (want + 24) / 25 + 2 ))
t_eq "$(scim_calls)" "0 $pages 0 $want" "listed in pages of 25, linked with no lookup and no create"
t_eq "$(users | py 'sorted(u["id"] for u in j["users"])')" "$ids_before" "the same accounts"
t_contains "$(bs plan roster 2>&1)" "nothing to do" "nothing missing"

t_case "a service that only serves filtered lookups: each person looked up, same result"
sb_ctl scim DELETE /_control/users >/dev/null
sync_new_store '{"unfiltered": false}'
t_eq "$(scim_calls)" "$((2 * want)) 1 $want 0" "the refused listing, two lookups before each create"
t_eq "$(nusers)" "$want" "users"
t_eq "$(users | py 'len(set(u["externalId"] for u in j["users"]))')" "$want" "no duplicate"

t_case "pages capped below what was asked: the listing goes on from what came"
sync_new_store '{"max_count": 7}'
t_eq "$(scim_calls)" "0 $(( (want + 6) / 7 )) 0 $want" "pages of 7, every person linked"
t_eq "$(nusers)" "$want" "users"
sb_ctl scim POST /_control/paging '{}' >/dev/null

t_case "CSV delivery: one file, the eligible people, leavers with their date"
sb_home hibob || exit 1
drop=$T_TMP/drop
mkdir -p "$drop"
bs config set alleo.mode csv >/dev/null
bs config set alleo.csv_target "$drop" >/dev/null
want=$(expected | py 'j["employees"]["summary"]["eligible"]')
bs sync roster >/dev/null 2>&1; st=$?
t_eq "$st" 0 "exit status"
t_eq "$(ls -A "$drop" | tr '\n' ' ')" "alleo_employees_current.csv " "files in the folder"
f=$drop/alleo_employees_current.csv
t_eq "$(($(wc -l < "$f") - 1))" "$want" "rows"
t_contains "$(head -1 "$f")" "Email,First name,Last name,Onboarding date,Offboarding date,external_id" "header: Alleo's default column names"
leaver=$(expected | py '[x["id"] for x in j["employees"]["employees"] if x["eligible"] and not x["termination_date"]][40]')
person "{\"id\": \"$leaver\", \"alleo_access\": \"no\"}"
bs sync roster >/dev/null 2>&1
t_contains "$(grep ",$leaver" "$f")" ",$(local_today "$leaver"),$leaver" "leaver kept with the offboarding date"
t_eq "$(($(wc -l < "$f") - 1))" "$want" "rows after"

t_summary
