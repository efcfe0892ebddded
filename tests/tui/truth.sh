#!/bin/sh
# truth.sh - the console tells the truth (issue 13), in a real terminal
# (tmux, 80x24): the reconciliation status after one ran and a "next" that
# stays put; a fixed policy map followed by Sync now creates the events it
# had skipped (a full comparison, by itself); a `config set` from a shell
# survives a setting saved in the console; console failures (a plan the
# guard blocks, a rejected token) reach status, log and the approve key;
# when the checks pass again the quarantine is offered to be lifted; type
# names and a past sync-until are refused when entered; Sync now's full
# comparison is a reconciliation run; a new HiBob address in setup step 1
# is the one step 3 uses.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/tmux.sh"

at_home() { [ "$(tm_screen | head -n 1 | sed 's/ *$//')" = " bobsync · Dashboard" ]; }
home() {
	for _ in 1 2 3 4; do
		at_home && return 0
		tm_keys Escape
		sleep 0.3
	done
	at_home || t_fail "Esc did not lead back to the dashboard: $(tm_screen)"
}
st() { bs status --json | json_get - "$1"; }
last_run() { bs log --json | json_get - "j[\"runs\"][0][\"$1\"]"; }

sb_start --people 60 || exit 1
sb_home hibob assembled alleo || exit 1
bs config set alleo.mode scim >/dev/null
bs config set assembled.enabled true >/dev/null
# a policy map naming a type Assembled does not have: Holiday is skipped
bs config set assembled.policy_map "Holiday=No Such Type" >/dev/null
bs sync timeoff >/dev/null 2>&1 || t_fail "the first time-off sync failed"
first=$(st 'j["timeoff"]["synced_events"]')

t_case "the reconciliation the first time-off run made shows, and its next run stays put"
tm_start "$BOBSYNC"
tm_wait "bobsync · Dashboard"
# the times without their "(5 s ago)" / "(in 19 h)", which move on by design
line=$(tm_screen | grep -A1 "Time-off reconciliation" | sed 's/ ([^)]*)//g')
t_not_contains "$line" "never run" "the full comparison of the first run counts"
t_contains "$line" "last " "its last run"
sleep 1.1
tm_keys r
tm_wait "Status read again."
t_eq "$(tm_screen | grep -A1 "Time-off reconciliation" | sed 's/ ([^)]*)//g')" "$line" \
    "the same after a refresh"

t_case "a fixed policy map, then Sync now: the skipped requests are created"
bs config set assembled.policy_map "Holiday=Holiday" >/dev/null
tm_keys s
tm_wait "Sync which?"
t_contains "$(tm_screen)" "full comparison" "a full comparison is offered"
tm_keys 2
tm_wait "This is the plan" 60
t_contains "$(tm_screen)" "create" "events to create"
tm_keys Enter
tm_wait "Apply these"
tm_keys y
tm_wait "timeoff: run" 120
now=$(st 'j["timeoff"]["synced_events"]')
[ "$now" -gt "$first" ] || t_fail "synced events $first -> $now: nothing was created"
t_eq "$(last_run kind)" reconcile "the run compared the whole window"
t_eq "$(last_run origin)" console "started from the console"
home

t_case "Sync now's full comparison of the time-off window is a reconciliation run"
tm_keys s
tm_wait "Sync which?"
tm_keys 4
tm_wait "full comparison of the window" 10
tm_wait "reconcile: run" 60
t_eq "$(last_run kind)" reconcile "a full comparison"
t_eq "$(st 'j["reconcile"]["run_id"]')" "$(last_run run_id)" "the reconciliation's last run"
home

t_case "a config set from a shell survives a setting saved in the console"
bs config set timeoff.lookback_days 21 >/dev/null
tm_keys o
tm_wait "settings in"
tm_keys / ; tm_type "prestart"; tm_keys Enter
tm_keys Enter
tm_wait "New value of alleo.prestart_days"
tm_keys C-u; tm_type "2"; tm_keys Enter
tm_wait "Saved alleo.prestart_days = 2."
t_eq "$(bs config get timeoff.lookback_days)" 21 "the shell's setting is kept"
t_eq "$(bs config get alleo.prestart_days)" 2 "and the console's is saved"

t_case "entry-time checks: a policy map naming a type Assembled lacks is refused"
tm_keys / C-u; tm_type "policy_map"; tm_keys Enter
tm_keys Enter
tm_wait "New value of assembled.policy_map"
tm_keys C-u; tm_type "Sick=Nope"; tm_keys Enter
tm_wait "Assembled has no time-off type 'Nope'" 30
t_eq "$(bs config get assembled.policy_map)" "Holiday=Holiday" "nothing saved"
tm_keys Escape
home
bs config set timeoff.sync_until 2020-01-01 >/dev/null 2>"$T_TMP/until.err"
t_eq "$?" 2 "a sync-until date in the past is refused"
t_contains "$(cat "$T_TMP/until.err")" "nothing would sync" "and says why"

t_case "a plan the guard blocks in the console is recorded, and a finds it"
bs sync roster >/dev/null 2>&1 || t_fail "the first roster sync failed"
emails=$(bs preview employees --json |
	json_get - '" ".join([e["email"] for e in j["employees"] if e["eligible"]][:5])')
# shellcheck disable=SC2086
bs access set no $emails >/dev/null 2>&1 || t_fail "access set no failed"
tm_keys s
tm_wait "Sync which?"
tm_keys 1
tm_wait "BLOCKED by the guard" 60
tm_keys Escape
tm_wait "Nothing applied."
home
t_eq "$(st 'j["roster"]["result"]')" blocked "status says blocked"
t_eq "$(st 'j["roster"]["blocked_plan"] is not None')" True "with the plan"
t_eq "$(last_run result)" blocked "the log has the blocked run"
t_eq "$(last_run origin)" console "started from the console"
tm_wait "waits for approval"
tm_keys a
tm_wait "BLOCKED by the guard" 60
t_not_contains "$(tm_screen)" "No plan is blocked" "approve finds the plan"
home

t_case "a token HiBob rejects: the console's failure is in status and log"
printf '%s\n%s\n' "$SB_HIBOB_ID" "not-the-token" | bs credentials set hibob >/dev/null 2>&1
tm_keys s
tm_wait "Sync which?"
tm_keys 2
tm_wait "did not accept the Service User ID or token" 60
home
t_eq "$(st 'j["timeoff"]["result"]')" failed "status says failed"
t_eq "$(st 'bool(j["timeoff"]["quarantine"])')" True "and quarantined"
t_eq "$(last_run origin)" console "the log has the console's run"

t_case "fixed: the checks pass and the quarantine is offered to be lifted"
printf '%s\n%s\n' "$SB_HIBOB_ID" "$SB_HIBOB_TOKEN" | bs credentials set hibob >/dev/null 2>&1
tm_keys c
tm_wait "Resume the quarantined" 60
tm_keys y
tm_wait "resumed" 10
home
t_eq "$(st 'j["quarantine"]')" False "no quarantine left"

t_case "a new HiBob address in setup step 1 is the one step 3 checks"
tm_keys w
tm_wait "Step 1 of 8"
tm_keys 3 C-u
tm_type "http://127.0.0.1:9/v1"
tm_keys Enter
tm_wait "Step 2 of 8"
t_eq "$(bs config get hibob.base_url)" "http://127.0.0.1:9/v1" "step 1 saved the address"
for _ in 1 2 3 4 5 6; do	# Enter goes field by field, then on
	tm_screen | grep -q "Step 3 of 8" && break
	tm_keys Enter
	sleep 0.5
done
tm_wait "Step 3 of 8" 30
tm_wait "fail  HiBob accepts the Service User" 30
bs config set hibob.base_url "$SB_HIBOB_URL" >/dev/null

tm_keys C-c
tm_wait "[exited 130]"
t_summary
