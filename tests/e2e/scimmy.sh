#!/bin/sh
# scimmy.sh - the roster sync against a SCIM server nobody here wrote:
# SCIMMY (npm scimmy + scimmy-routers on Express, tests/node), declaring the
# core User schema only and validating by itself; HiBob is the sandbox.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

NODE_DIR=$T_ROOT/tests/node
if ! command -v node >/dev/null 2>&1 || [ ! -d "$NODE_DIR/node_modules/scimmy" ]; then
	echo "scimmy.sh: node or the npm packages of tests/node are missing: run 'make deps'" >&2
	exit 1
fi

sb_start --people 40 || exit 1

# SCIMMY in front of its own token endpoint; its state file like the sandbox's
SM_STATE=$T_TMP/scimmy-state.json
(cd "$NODE_DIR" && exec node scimmy_server.mjs --state-file "$SM_STATE" --lifetime 600) \
	>"$T_TMP/scimmy.log" 2>&1 &
SM_PID=$!
t_on_exit "kill $SM_PID 2>/dev/null; wait $SM_PID 2>/dev/null"
i=0
while [ ! -s "$SM_STATE" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$SM_PID" 2>/dev/null; then
		echo "SCIMMY did not start:" >&2
		cat "$T_TMP/scimmy.log" >&2
		exit 1
	fi
	sleep 0.1
done
sm_get() { json_get "$SM_STATE" "j$1"; }
# shellcheck disable=SC2034 # read by tests/lib/sandbox.sh's helpers
SB_SCIM_URL=$(sm_get '["scim"]["url"]')
# shellcheck disable=SC2034
SB_TOKEN_URL=$(sm_get '["scim"]["token_url"]')
# shellcheck disable=SC2034
SB_SCIM_ID=$(sm_get '["scim"]["client_id"]')
# shellcheck disable=SC2034
SB_SCIM_SECRET=$(sm_get '["scim"]["client_secret"]')
SM_CTL=$(sm_get '["control"]')

sb_home hibob alleo || exit 1
bs config set alleo.mode scim >/dev/null

py() { "$SB_PY" -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
sm() { curl -sS -X "$1" "$SM_CTL$2"; }
users() { sm GET /_control/users; }
nusers() { users | py 'j["count"]'; }
# field of the SCIMMY user with this externalId: user_field ID EXPR (u = the users)
user_field() {
	users | "$SB_PY" -c 'import json,sys
u=[x for x in json.load(sys.stdin)["users"] if x.get("externalId")==sys.argv[1]]
print(eval(sys.argv[2]) if u else "none")' "$1" "$2"
}
# SCIM writes since the log was cleared, and any answer of 400 or more
writes() { sm GET /_control/requests | py 'sum(1 for r in j["requests"] if r["method"] in ("POST","PUT","PATCH","DELETE") and r["path"].startswith("/scim/"))'; }
refused() { sm GET /_control/requests | py '[(r["method"], r["path"], r["status"]) for r in j["requests"] if r["status"] >= 400]'; }
expected() { sb_ctl hibob GET /_control/expected; }
person() { sb_ctl hibob POST /_control/person "$1" >/dev/null; }

t_case "first roster sync: every eligible person created, core attributes only"
want=$(expected | py 'j["employees"]["summary"]["eligible"]')
out=$(bs sync roster --json 2>"$T_TMP/err"); st=$?
t_eq "$st" 0 "exit status ($(head -c 300 "$T_TMP/err"))"
t_eq "$(printf '%s' "$out" | py 'j["applied"]')" "$want" "applied"
t_eq "$(nusers)" "$want" "SCIMMY users"
t_eq "$(refused)" "[]" "nothing refused by SCIMMY"
# SCIMMY takes bulk requests (scimmy-routers says bulk.supported, maxOperations
# 1000): the creates go in one, answered by SCIMMY's own BulkRequest
t_eq "$(sm GET /_control/requests | py 'sum(1 for r in j["requests"] if r["path"]=="/scim/v2/Bulk"), sum(1 for r in j["requests"] if r["method"]=="POST" and r["path"]=="/scim/v2/Users")' | tr -d '(),')" "1 0" "bulks, single creates"
t_eq "$(users | py 'sorted(set(k for u in j["users"] for k in u) - {"meta"})')" "['active', 'emails', 'externalId', 'id', 'name', 'userName']" "attributes stored"

set -- $(expected | py '" ".join(x["id"] for x in j["employees"]["employees"] if x["eligible"] and not x["termination_date"])')
P1=$1 P2=$2 P3=$3

t_case "a rerun writes nothing"
sm DELETE /_control/requests >/dev/null
bs sync roster >/dev/null 2>&1
t_eq "$?" 0 "exit status"
t_eq "$(writes)" 0 "SCIM writes"
t_contains "$(bs plan roster 2>&1)" "nothing to do" "plan"

t_case "alleo_access no: deactivated, never deleted"
id=$(user_field "$P1" 'u[0]["id"]')
person "{\"id\": \"$P1\", \"alleo_access\": \"no\"}"
sm DELETE /_control/requests >/dev/null
bs sync roster >/dev/null 2>&1
t_eq "$?" 0 "exit status"
t_eq "$(user_field "$P1" 'u[0]["active"]')" "False" "active"
t_eq "$(nusers)" "$want" "still there"
t_eq "$(sm GET /_control/requests | py 'sum(1 for r in j["requests"] if r["method"]=="DELETE")')" 0 "no DELETE"

t_case "yes again: the same user reactivated"
person "{\"id\": \"$P1\", \"alleo_access\": \"yes\"}"
bs sync roster >/dev/null 2>&1
t_eq "$?" 0 "exit status"
t_eq "$(user_field "$P1" 'u[0]["active"]')" "True" "active"
t_eq "$(user_field "$P1" 'u[0]["id"]')" "$id" "same user"
t_eq "$(nusers)" "$want" "no new user"

t_case "email change: the same user, userName and emails updated"
id=$(user_field "$P2" 'u[0]["id"]')
person "{\"id\": \"$P2\", \"new_email\": \"renamed.by.scimmy@lumenfield.example\"}"
bs sync roster >/dev/null 2>&1
t_eq "$?" 0 "exit status"
t_eq "$(user_field "$P2" 'u[0]["id"]')" "$id" "same user"
t_eq "$(user_field "$P2" 'u[0]["userName"]')" "renamed.by.scimmy@lumenfield.example" "userName"
t_eq "$(user_field "$P2" '[e["value"] for e in u[0]["emails"]]')" "['renamed.by.scimmy@lumenfield.example']" "emails"
t_eq "$(refused)" "[]" "nothing refused by SCIMMY"

t_case "budget fields: not sent (SCIMMY lists no extension), and the plan says so"
person "{\"id\": \"$P3\", \"budgets\": {\"alleo_monthly_all_budget\": 222}}"
plan=$(bs plan roster --json)
t_eq "$(printf '%s' "$plan" | py 'len(j["actions"])')" 0 "no action"
t_contains "$(printf '%s' "$plan" | py 'j["notes"]')" "budget fields are not sent" "note"
bs config set alleo.scim_extension urn:ietf:params:scim:schemas:extension:alleo:2.0:User >/dev/null
t_contains "$(bs plan roster --json | py 'j["notes"]')" "does not list in /Schemas" "a named extension SCIMMY does not list"
sm DELETE /_control/requests >/dev/null
bs sync roster >/dev/null 2>&1
t_eq "$?" 0 "exit status"
t_eq "$(writes)" 0 "SCIM writes"
t_eq "$(users | py 'sum(1 for u in j["users"] for k in u if k.startswith("urn:"))')" 0 "no extension stored"
bs config unset alleo.scim_extension >/dev/null

t_case "check: the SCIM probes pass against SCIMMY"
bs check --json >"$T_TMP/check.json" 2>/dev/null
for id in alleo.target alleo.scim_auth alleo.scim_schemas alleo.scim_filters alleo.scim_bulk; do
	t_eq "$(json_get "$T_TMP/check.json" "[c['status'] for c in j['checks'] if c['id']=='$id'][0]")" pass "$id"
done

t_summary
