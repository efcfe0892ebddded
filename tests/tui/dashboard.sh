#!/bin/sh
# dashboard.sh - the dashboard in a real terminal (tmux, 80x24, NO_COLOR):
# status, checks with a remedy that goes away after the fix, the employee
# list with a filter, sync now (plan, confirm, progress, result), the
# audit log, help, resize, and a terminal restored after Ctrl-C.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/tmux.sh"

sb_start || exit 1
sb_home hibob assembled alleo || exit 1
bs config set alleo.mode scim >/dev/null
bs config set assembled.enabled true >/dev/null

t_case "the dashboard opens at 80x24 with every sync's status"
tm_start "$BOBSYNC"
tm_wait "bobsync · Dashboard"
s=$(tm_screen)
t_contains "$s" "Roster to Alleo" "roster line"
t_contains "$s" "Time off to Assembled" "time-off line"
t_contains "$s" "never run" "no run yet"
t_contains "$s" "? Help" "key hints"

t_case "? shows the help of the dashboard"
tm_keys "?"
tm_wait "Keys of the dashboard"
t_contains "$(tm_screen)" "the audit log" "help text"
tm_keys x
tm_gone "Keys of the dashboard"

t_case "a misnamed field fails its check with the remedy, and passes after the fix"
sb_ctl hibob POST /_control/scenario '{"name": "misnamed_field"}' >/dev/null
tm_keys c
tm_wait "Setup checks" 30
tm_wait "fail"
tm_keys j
tm_wait "alleo_access"
t_contains "$(tm_screen)" "fail  The eligibility field" "the failing check"
tm_keys q
tm_wait "check failed"
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null
tm_keys c
tm_wait "Setup checks" 30
tm_keys q
tm_wait "Every check passed"

t_case "employees: the list, the reason of a person, a filter"
tm_keys e
tm_wait "Employees" 30
tm_wait "eligible"
tm_keys / Z o
tm_wait "Filter: Zo"
tm_keys Enter
s=$(tm_screen)
t_contains "$s" "Zoë Łukasiewicz-Østergård" "the filtered person, wide letters intact"
t_contains "$s" "of 320" "count line"
tm_keys q
tm_wait "bobsync · Dashboard"

t_case "resize to 100x30 and back redraws the whole screen"
tm_resize 100 30
sleep 0.3
tm_wait "Time-off reconciliation"
tm_resize 80 24
sleep 0.3
tm_wait "Roster to Alleo"
tm_resize 50 12
tm_wait "Terminal too small"
tm_resize 80 24
tm_wait "Roster to Alleo"

t_case "sync now: the plan, a confirmation, the run and its result"
tm_keys t
tm_wait "Time-off plan" 60
t_contains "$(tm_screen)" "create" "plan actions"
tm_keys q
tm_wait "Apply these"
tm_keys y
tm_wait "skipped." 180
t_contains "$(tm_screen)" "0 failed" "result line"
n=$(bs status --json | json_get - 'j["timeoff"]["result"]')
t_eq "$n" ok "the run is recorded"

t_case "the audit log lists that run"
tm_keys l
tm_wait "Audit log"
t_contains "$(tm_screen)" "timeoff" "the run"
tm_keys q

t_case "Ctrl-C leaves with the terminal restored"
tm_keys C-c
tm_wait "[exited 0]"
t_eq "$(tm display -p '#{alternate_on}')" 0 "alternate screen off"

t_summary
