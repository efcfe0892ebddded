#!/bin/sh
# enable.sh - setup step 8 enables the sync core (issue 15), in a real
# terminal (tmux, 80x24, NO_COLOR): "in the background now" starts a daemon
# that outlives the console, the dashboard shows it running with a fresh
# beat, an approval in HiBob then reaches Assembled within one poll, p and u
# pause and resume time off (who, when, until when), and D
# on the dashboard stops it; "not yet" leaves the header saying not running
# and no next run.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/tmux.sh"

POLL=2
sb_start --people 60 || exit 1

# a configured home whose first time-off sync is done; the console at the
# setup steps, walked to step 8 (every step is filled already)
walk_to_step8() {
	sb_home hibob assembled || return 1
	bs config set assembled.enabled true >/dev/null
	bs sync timeoff >/dev/null 2>&1
	tm_start env BOBSYNC_TEST_POLL_SECONDS=$POLL "$BOBSYNC" setup
	tm_wait "Step 1 of 8"
	i=0
	while [ $i -lt 120 ]; do
		s=$(tm_screen)
		case $s in
		*"Step 6 of 8"*) break ;;
		*"Go on anyway"*) tm_keys y ;;
		*"Running the checks"*|*"reading"*|*"Reading"*) ;;
		*) tm_keys Enter ;;
		esac
		sleep 0.5
		i=$((i + 1))
	done
	tm_wait "people" 30
	tm_keys Escape
	tm_wait "Enter goes on to the time-off preview"
	tm_keys Enter
	tm_wait "Step 7 of 8"
	tm_wait "will sync to Assembled" 30
	tm_keys Escape
	tm_wait "Enter goes on to the first sync"
	tm_keys Enter
	tm_wait "Step 8 of 8"
	tm_wait "Setup is done" 60
}

core() { bs status --json | json_get - "j['core']$1"; }

t_case "step 8 offers the ways to run the sync core; in the background now starts it"
walk_to_step8 || exit 1
s=$(tm_screen)
t_contains "$s" "Nothing syncs on its own until it is enabled" "what the last step is for"
tm_keys Enter
tm_wait "Enable the sync core"
s=$(tm_screen)
t_contains "$s" "In the background now" "choice"
t_contains "$s" "With cron" "choice"
t_contains "$s" "Not yet" "choice"
tm_keys 1
tm_wait "Sync core: enabled" 30
t_contains "$(tm_screen)" "The sync core runs (pid" "what it did"
pid=$(core "['pid']")
t_on_exit "kill $pid 2>/dev/null"
t_eq "$(core "['mode']")" background "core.mode"

t_case "the dashboard shows it running with a fresh beat"
tm_keys Enter
tm_wait "bobsync · Dashboard"
tm_wait "Sync core: running (background, since today"
s=$(tm_screen)
t_contains "$s" "s ago)" "the last beat, seconds ago"
t_not_contains "$s" "not scheduled" "a next run: the core will make it"

t_case "the daemon outlives the console"
tm_keys q
tm_wait "Leave bobsync?"
tm_keys y
tm_wait "[exited 0]"
tm_stop
sleep 0.5
kill -0 "$pid" 2>/dev/null || t_fail "the daemon (pid $pid) ended with the console"
t_eq "$(BOBSYNC_TEST_POLL_SECONDS=$POLL core "['running']")" True "still running"

t_case "an approval in HiBob reaches Assembled within one poll"
EMP=$(sb_ctl hibob GET /_control/expected | json_get - \
	'[r["employee_id"] for r in j["timeoff"]["requests"] if r.get("agent_id") and r["sync"]][0]')
DAY1=$(date -u -d "$SB_TODAY + 45 days" +%F)
rid=$(sb_ctl hibob POST /_control/timeoff "{\"op\":\"create\",\"employee\":\"$EMP\",\"type\":\"days\",\"policyType\":\"Holiday\",\"startDate\":\"$DAY1\",\"endDate\":\"$DAY1\",\"status\":\"pending\"}" |
	json_get - 'j["requestId"]')
sb_ctl hibob POST /_control/timeoff "{\"op\":\"approve\",\"requestId\":$rid}" >/dev/null
synced() {
	sb_ctl assembled GET /_control/activities | grep -q "hibob:${rid}\""'\|'"hibob:${rid}[^0-9]"
}
i=0
# one poll interval plus the run itself (a busy CI machine takes seconds)
until synced || [ $i -ge $(( (POLL + 10) * 5 )) ]; do sleep 0.2; i=$((i + 1)); done
synced || t_fail "the approved request $rid did not reach Assembled: $(tail -3 "$BOBSYNC_HOME/daemon.log")"

t_case "p on the dashboard pauses time off (who, when), u resumes it"
TM_SOCK=$TM_SOCK-2
tm_start env BOBSYNC_TEST_POLL_SECONDS=$POLL "$BOBSYNC"
tm_wait "Sync core: running"
tm_keys p
tm_wait "Pause which sync?"
tm_keys 2
tm_wait "For how long?"
tm_keys 3
tm_wait "Paused: time off, by $(id -un) at today"
s=$(tm_screen)
t_contains "$s" "until " "until when"
t_not_contains "$s" "until resumed" "for 2 hours, not until resumed"
t_eq "$(core "['paused']['timeoff']['by']")" "$(id -un)" "recorded for the daemon"
t_eq "$(core "['paused']['roster']")" None "the roster runs on"
tm_keys u
tm_gone "Paused: time off"
t_eq "$(core "['paused']['timeoff']")" None "resumed"

t_case "D on the dashboard disables it: the daemon stops, the header says not running"
tm_keys D
tm_wait "Disable the sync core"
tm_keys y
tm_wait "Sync core: not running: E enables it" 30
t_contains "$(tm_screen)" "next not scheduled" "no next run without a core"
case $(ps -o stat= -p "$pid" 2>/dev/null) in ""|Z*) ;; *) t_fail "the daemon still runs" ;; esac
tm_keys q
tm_wait "Leave bobsync?"
tm_keys y
tm_wait "[exited 0]"
tm_stop

t_case "not yet: the header says not running, nothing scheduled"
TM_SOCK=$TM_SOCK-3
walk_to_step8 || exit 1
tm_keys Enter
tm_wait "Enable the sync core"
tm_keys 3
tm_wait "Sync core: not running (not enabled yet)"
tm_keys Enter
tm_wait "bobsync · Dashboard"
s=$(tm_screen)
t_contains "$s" "Sync core: not running: E enables it" "the header"
t_contains "$s" "next not scheduled" "no next run"
t_eq "$(core "['running']")" False "core.running"
tm_keys q
tm_wait "Leave bobsync?"
tm_keys y
tm_wait "[exited 0]"

t_summary
