#!/bin/sh
# credproof.sh - a credential replaced in the vault is proven at the next
# run of its sync, even an idle one: a wrong Assembled key on a quiet
# time-off poll (which otherwise calls no Assembled) stops it with exit 6,
# quarantines the sync, runs alert.command and shows in status; the right
# key makes the next poll run at once and clear the quarantine.  The same
# for the HiBob token and the Alleo client secret.  Proven and unchanged,
# a quiet poll stays one HiBob request and no Assembled request.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

sb_start --people 60 || exit 1
sb_home hibob assembled alleo || exit 1
bs config set assembled.enabled true >/dev/null || exit 1
bs config set alleo.mode scim >/dev/null || exit 1
ALERTS=$T_TMP/alerts
: >"$ALERTS"
bs config set alert.command "echo \"\$BOBSYNC_EVENT \$BOBSYNC_SYNC\" >> $ALERTS" >/dev/null
# time off is due every second; the roster once a day (so only the first poll runs it)
BOBSYNC_TEST_POLL_SECONDS=1
export BOBSYNC_TEST_POLL_SECONDS

logs_clear() {
	for s in hibob assembled scim; do sb_ctl $s DELETE /_control/requests >/dev/null; done
}
calls_all() {
	sb_ctl "$1" GET /_control/requests | json_get - "j['count']"
}
# one daemon poll a second after the last; its exit status in $st
poll() {
	sleep 1
	bs daemon --once >"$T_TMP/poll.out" 2>"$T_TMP/poll.err"
	st=$?
}
quarantine_of() {
	bs status --json | json_get - "j['$1']['quarantine']"
}

t_case "the first poll proves every credential; a quiet poll then costs 1 HiBob request, 0 Assembled"
poll
t_eq "$st" 0 "first poll: exit status ($(tail -2 "$T_TMP/poll.err"))"
logs_clear
poll
t_eq "$st" 0 "quiet poll: exit status"
t_eq "$(calls_all hibob)" 1 "HiBob requests"
t_eq "$(calls_all assembled)" 0 "Assembled requests"
t_eq "$(calls_all scim)" 0 "Alleo requests"

t_case "a wrong Assembled key on an idle poll: exit 6, quarantined, alert, status"
printf 'sk_live_not_the_right_key\n' | bs credentials set assembled >/dev/null 2>&1
logs_clear
poll
t_eq "$st" 6 "exit status"
t_eq "$(sb_ctl assembled GET /_control/requests | json_get - "sum(1 for r in j['requests'] if r['status'] == 401)")" 1 "one rejected Assembled call"
t_contains "$(cat "$T_TMP/poll.err")" "Assembled rejected the credentials" "the poll says which"
t_contains "$(cat "$ALERTS")" "quarantine timeoff" "alert.command ran"
q=$(quarantine_of timeoff)
case $q in ""|False|false) t_fail "status --json shows no quarantine of time off" ;; esac
t_contains "$(bs status | tr A-Z a-z)" "quarantine" "status text"
logs_clear
poll
t_eq "$(calls_all assembled)" 0 "the rejected key is not tried again at the next poll"

t_case "the right Assembled key: the next poll runs at once and clears the quarantine"
: >"$ALERTS"
printf '%s\n' "$SB_ASM_KEY" | bs credentials set assembled >/dev/null 2>&1
logs_clear
poll
t_eq "$st" 0 "exit status ($(tail -2 "$T_TMP/poll.err"))"
t_eq "$(quarantine_of timeoff)" "False" "quarantine cleared"
t_contains "$(cat "$ALERTS")" "recovery timeoff" "recovery alert"
t_eq "$(sb_ctl assembled GET /_control/requests | json_get - "len(j['requests'])")" 1 "one Assembled call proved the key"
logs_clear
poll
t_eq "$(calls_all assembled)" 0 "and then a quiet poll calls Assembled no more"

t_case "a wrong HiBob token: exit 6, quarantined, alert; the right one clears it"
: >"$ALERTS"
printf '%s\n%s\n' "$SB_HIBOB_ID" "not-the-token" | bs credentials set hibob >/dev/null 2>&1
poll
t_eq "$st" 6 "exit status"
t_contains "$(cat "$ALERTS")" "quarantine timeoff" "alert.command ran"
q=$(quarantine_of timeoff)
case $q in ""|False|false) t_fail "status --json shows no quarantine" ;; esac
printf '%s\n%s\n' "$SB_HIBOB_ID" "$SB_HIBOB_TOKEN" | bs credentials set hibob >/dev/null 2>&1
poll
t_eq "$st" 0 "exit status after the fix"
t_eq "$(quarantine_of timeoff)" "False" "quarantine cleared"

t_case "a wrong Alleo secret: the next roster run stops with exit 6; the right one clears it"
: >"$ALERTS"
printf '%s\n%s\n' "$SB_SCIM_ID" "not-the-secret" | bs credentials set alleo >/dev/null 2>&1
bs sync roster >/dev/null 2>"$T_TMP/roster.err"
t_eq "$?" 6 "exit status"
t_contains "$(cat "$T_TMP/roster.err")" "Alleo rejected the credentials" "says which"
t_contains "$(cat "$ALERTS")" "quarantine roster" "alert.command ran"
q=$(quarantine_of roster)
case $q in ""|False|false) t_fail "status --json shows no quarantine of the roster" ;; esac
printf '%s\n%s\n' "$SB_SCIM_ID" "$SB_SCIM_SECRET" | bs credentials set alleo >/dev/null 2>&1
poll
t_eq "$st" 0 "the next poll runs the roster at once ($(tail -2 "$T_TMP/poll.err"))"
t_contains "$(cat "$T_TMP/poll.err")" "roster:" "the roster ran"
t_eq "$(quarantine_of roster)" "False" "quarantine cleared"
t_contains "$(cat "$ALERTS")" "recovery roster" "recovery alert"

t_summary
