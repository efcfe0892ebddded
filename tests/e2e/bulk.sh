#!/bin/sh
# bulk.sh - SCIM Bulk (RFC 7644 3.7) in the roster sync, against the
# sandbox's /Bulk: used only when /ServiceProviderConfig says so, creates
# and deactivations in bulks within maxOperations and maxPayloadSize, a
# refusal for size split, per-operation errors mapped to their actions, and
# kill -9 while a bulk is out converging like the per-request path.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/lib_faults.sh"

sb_start --people 32 || exit 1
sb_ctl scim POST /_control/ratelimit '{"off": true}' >/dev/null
sb_home hibob alleo || exit 1
bs config set alleo.mode scim >/dev/null
TEMPLATE=$BOBSYNC_HOME

fresh_home() {
	BOBSYNC_HOME=$T_TMP/run.$1
	rm -rf "$BOBSYNC_HOME"
	cp -a "$TEMPLATE" "$BOBSYNC_HOME"
	export BOBSYNC_HOME
}
fresh() { # NAME: an empty Alleo, a home that never synced, an empty request log
	sb_ctl scim DELETE /_control/users >/dev/null
	sb_ctl scim DELETE /_control/requests >/dev/null
	fresh_home "$1"
}
bulk() { sb_ctl scim POST /_control/bulk "$1" >/dev/null; }
# SCIM requests since the log was cleared: "bulks posts patches refused"
# (refused: answers of 400 or more to /Bulk)
calls() {
	sb_ctl scim GET /_control/requests | py 'sum(1 for r in j["requests"] if r["path"] == "/scim/v2/Bulk"), sum(1 for r in j["requests"] if r["method"] == "POST" and r["path"] == "/scim/v2/Users"), sum(1 for r in j["requests"] if r["method"] == "PATCH"), sum(1 for r in j["requests"] if r["path"] == "/scim/v2/Bulk" and r["status"] >= 400)' | tr -d '(),'
}
want=$(truth roster | wc -l)
ceil() { echo $((($1 + $2 - 1) / $2)); }

t_case "without bulk (the sandbox's default): one request a create, /Bulk never asked"
fresh nobulk
bs sync roster >"$T_TMP/out" 2>&1 || t_fail "sync: $(tail -3 "$T_TMP/out")"
t_eq "$(calls)" "0 $want 0 0" "bulks posts patches refused"
t_eq "$(roster_diff)" "" "SCIM against the truth"
snapshot_ref=$T_TMP/ref
scim_snapshot >"$snapshot_ref"

t_case "with bulk: a first sync sends its creates in bulks of maxOperations"
bulk '{"supported": true, "max_operations": 5}'
fresh bulk5
out=$(bs sync roster --json 2>"$T_TMP/err"); st=$?
t_eq "$st" 0 "exit status ($(tail -2 "$T_TMP/err"))"
t_eq "$(printf '%s' "$out" | py 'j["applied"]')" "$want" "applied"
t_eq "$(calls)" "$(ceil "$want" 5) 0 0 0" "bulks posts patches refused"
t_eq "$(sb_ctl scim GET /_control/bulk | py 'j["operations"]')" "$want" "operations in bulks"
t_eq "$(roster_diff)" "" "SCIM against the truth"
scim_snapshot >"$T_TMP/got"
t_eq "$(diff "$snapshot_ref" "$T_TMP/got" | grep '^[<>]' | head -3)" "" "the same users as without bulk"
t_eq "$(store_check pending,sent,failed)" "" "state store"
sb_ctl scim DELETE /_control/requests >/dev/null
bs sync roster >/dev/null 2>&1
t_eq "$?" 0 "rerun exit status"
t_eq "$(calls)" "0 0 0 0" "the rerun writes nothing"

t_case "deactivations go in a bulk too"
set -- $(truth roster | head -3)
past=$("$SB_PY" -c 'import datetime,sys; print(datetime.date.fromisoformat(sys.argv[1])-datetime.timedelta(days=2))' "$SB_TODAY")
for p in "$@"; do
	sb_ctl hibob POST /_control/person "{\"id\": \"$p\", \"terminationDate\": \"$past\", \"lifecycle\": \"terminated\"}" >/dev/null
done
sb_ctl scim DELETE /_control/requests >/dev/null
bs config set guard.max_removal_percent 50 >/dev/null
bs sync roster >"$T_TMP/out" 2>&1 || t_fail "sync: $(tail -3 "$T_TMP/out")"
t_eq "$(calls)" "1 0 0 0" "bulks posts patches refused"
t_eq "$(scim_snapshot | awk '$2 == "False"' | wc -l)" 3 "inactive users"
t_eq "$(roster_diff)" "" "SCIM against the truth"
# the leavers stay gone: a first sync from here has three people fewer
want=$(truth roster | wc -l)

t_case "maxPayloadSize: every bulk within the cap, none refused"
bulk '{"supported": true, "max_operations": 1000, "max_payload": 2500}'
fresh payload
bs sync roster >"$T_TMP/out" 2>&1 || t_fail "sync: $(tail -3 "$T_TMP/out")"
set -- $(calls)
[ "$1" -ge 3 ] || t_fail "$1 bulks for $want creates of about 300 bytes in 2500-byte bulks"
t_eq "$2 $3 $4" "0 0 0" "posts patches refused"
t_eq "$(roster_diff)" "" "SCIM against the truth"

t_case "a service that takes less than it advertises: 413 and 400 tooMany split the bulk"
for reading in 413 tooMany; do
	bulk "{\"supported\": true, \"max_operations\": 4, \"over_max\": \"$reading\", \"advertise\": {\"maxOperations\": 50}}"
	fresh "less.$reading"
	bs sync roster >"$T_TMP/out" 2>&1 || t_fail "$reading: sync: $(tail -3 "$T_TMP/out")"
	set -- $(calls)
	[ "$4" -ge 1 ] || t_fail "$reading: no bulk was refused"
	t_eq "$2" 0 "$reading: single creates"
	t_eq "$(roster_diff)" "" "$reading: SCIM against the truth"
	t_eq "$(store_check pending,sent,failed)" "" "$reading: state store"
done

t_case "per-operation errors: 400 invalidValue fails that action only, retried next run; 409 is linked"
set -- $(truth roster | sed -n '2p;5p')
bad=$(sb_ctl hibob GET /_control/expected | py '[x["email"] for x in j["employees"]["employees"] if x["id"] == "'"$1"'"][0]')
dup=$(sb_ctl hibob GET /_control/expected | py '[x["email"] for x in j["employees"]["employees"] if x["id"] == "'"$2"'"][0]')
bulk "{\"supported\": true, \"max_operations\": 10, \"fail\": [{\"match\": \"$bad\", \"status\": 400, \"scimType\": \"invalidValue\"}, {\"match\": \"$dup\", \"status\": 409, \"scimType\": \"uniqueness\"}]}"
fresh operr
out=$(bs sync roster --json 2>"$T_TMP/err"); st=$?
[ "$st" -ne 0 ] || t_fail "a failed action must fail the run"
t_eq "$(printf '%s' "$out" | py 'j["applied"], j["failed"]' | tr -d '(),')" "$((want - 1)) 1" "applied failed"
t_eq "$(calls)" "$(ceil "$want" 10) 1 0 0" "bulks, the 409 sent alone, patches, refused"
t_contains "$(bs log --run 1 --json 2>/dev/null)" "HTTP 400 invalidValue" "the journal says why"
t_eq "$(scim_snapshot | grep -c "^$1 ")" 0 "the refused user is not in Alleo"
t_eq "$(scim_snapshot | grep -c "^$2 ")" 1 "the 409 user is there once"
bulk '{"supported": true, "max_operations": 10}'
bs sync roster >"$T_TMP/out" 2>&1 || t_fail "rerun: $(tail -3 "$T_TMP/out")"
t_eq "$(roster_diff)" "" "SCIM against the truth after the rerun"
t_eq "$(store_check pending,sent)" "" "state store"

t_case "an operation applied but left out of the answer: a failed action, linked (not duplicated) next run"
lost=$(sb_ctl hibob GET /_control/expected | py '[x["email"] for x in j["employees"]["employees"] if x["id"] == "'"$(truth roster | sed -n 3p)"'"][0]')
bulk "{\"supported\": true, \"max_operations\": 10, \"drop\": [\"$lost\"]}"
fresh dropped
out=$(bs sync roster --json 2>"$T_TMP/err")
t_eq "$(printf '%s' "$out" | py 'j["applied"], j["failed"]' | tr -d '(),')" "$((want - 1)) 1" "applied failed"
t_contains "$(bs log --run 1 --json 2>/dev/null)" "no answer for it" "the journal says why"
t_eq "$(scim_snapshot | wc -l)" "$want" "the unanswered create was applied"
bulk '{"supported": true, "max_operations": 10}'
sb_ctl scim DELETE /_control/requests >/dev/null
bs sync roster >"$T_TMP/out" 2>&1 || t_fail "rerun: $(tail -3 "$T_TMP/out")"
t_eq "$(calls)" "0 0 1 0" "bulks posts patches refused: the user found in the listing and updated"
t_eq "$(roster_diff)" "" "SCIM against the truth, no duplicate"
t_eq "$(store_check pending,sent)" "" "state store"

t_case "bobsync check reports whether bulk is used"
field() { bs check --json 2>/dev/null | py '[c for c in j["checks"] if c["id"] == "alleo.scim_bulk"][0]["'"$1"'"]'; }
t_eq "$(field status)" pass "status with bulk"
t_contains "$(field detail)" "at most 10 operations" "detail with bulk"
bulk '{"supported": false}'
t_eq "$(field status)" pass "status without bulk"
t_contains "$(field detail)" "one request" "detail without bulk"

# ---- kill -9 while a bulk is out (crash.sh style): the k-th bulk is
# applied but its answer held back, bobsync killed, then run again ----
bulk '{"supported": true, "max_operations": 8}'
fresh crashref
bs sync roster >/dev/null 2>&1 || t_fail "reference sync"
scim_snapshot >"$T_TMP/ref.crash"
NB=$(ceil "$want" 8)
held() { [ "$(sb_ctl scim GET /_control/requests | py "sum(1 for r in j['requests'] if r.get('fault') == 'hold')")" -ge 1 ]; }
k=1
while [ "$k" -le "$NB" ]; do
	t_case "killed while bulk $k of $NB was out (applied, not answered), then run again"
	fresh "crash.$k"
	sb_ctl scim DELETE /_control/fault >/dev/null
	sb_ctl scim POST /_control/fault "{\"path\": \"/scim/v2/Bulk\", \"method\": \"POST\", \"kind\": \"hold\", \"after\": $((k - 1)), \"seconds\": 60}" >/dev/null
	"$BOBSYNC" sync roster >"$T_TMP/killed.out" 2>&1 &
	pid=$!
	wait_for 600 held || t_fail "bulk $k was not reached: $(tail -3 "$T_TMP/killed.out")"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	sb_ctl scim DELETE /_control/fault >/dev/null
	t_eq "$(calls | cut -d' ' -f1)" "$k" "bulks sent before the kill"
	t_eq "$(store_check)" "" "state store after the kill"
	bs sync roster >"$T_TMP/rerun.out" 2>&1
	t_eq "$?" 0 "rerun exit status ($(tail -2 "$T_TMP/rerun.out" | tr '\n' ' '))"
	scim_snapshot >"$T_TMP/got"
	t_eq "$(diff "$T_TMP/ref.crash" "$T_TMP/got" | grep '^[<>]' | head -5)" "" "Alleo against the uninterrupted run"
	t_eq "$(roster_diff)" "" "no duplicate, nobody missing"
	t_eq "$(store_check pending,sent)" "" "state store after the rerun"
	k=$((k + 1))
done
bulk '{"supported": false}'

t_summary
