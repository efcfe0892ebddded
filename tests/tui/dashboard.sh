#!/bin/sh
# dashboard.sh - the dashboard in a real terminal (tmux, 80x24, NO_COLOR):
# every sync's status, help, checks with a remedy that goes away after
# the fix, resize, sync now (plan, confirm, progress, result), a plan
# blocked by the guard approved after seeing what it removes, the audit log
# filtered by result, run and person, and Ctrl-C: exit 130, terminal
# restored.
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
t_contains "$s" "s Sync now" "key hints"

t_case "? shows the keys of the dashboard"
tm_keys "?"
tm_wait "Help: Dashboard"
s=$(tm_screen)
t_contains "$s" "the audit log" "help text"
t_contains "$s" "approve a plan blocked by the guard" "the approve key"
tm_keys x
tm_gone "Help: Dashboard"

t_case "a misnamed field fails its check with the remedy, and passes after the fix"
sb_ctl hibob POST /_control/scenario '{"name": "misnamed_field"}' >/dev/null
tm_keys c
tm_wait "Dashboard · Checks"
tm_wait "fail  The eligibility field" 30
tm_keys j
tm_wait "alleo_access"
tm_keys r
tm_wait "Running the checks"
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null
tm_wait "fail  The eligibility field" 30
tm_keys r
tm_wait "pass  The eligibility field" 30
tm_keys Escape
tm_wait "bobsync · Dashboard"

t_case "resize to 100x30 and back redraws the whole screen"
tm_resize 100 30
tm_wait "Time-off reconciliation"
tm_resize 80 24
tm_wait "Roster to Alleo"
tm_resize 50 12
tm_wait "Terminal too small"
tm_resize 80 24
tm_wait "Roster to Alleo"

t_case "sync now: which sync, the plan, a confirmation, the run and its result"
tm_keys s
tm_wait "Sync which?"
tm_keys 2
tm_wait "Time-off plan" 30
tm_wait "This is the plan" 60
t_contains "$(tm_screen)" "create" "plan actions"
t_contains "$(tm_screen)" "Changes: Time off" "the action's detail in words, not JSON"
t_not_contains "$(tm_screen)" '"start":' "no JSON in the detail"
tm_keys Enter
tm_wait "Apply these"
tm_keys y
tm_wait "timeoff: run" 180
t_contains "$(tm_screen)" "0 failed" "result line"
t_eq "$(bs status --json | json_get - 'j["timeoff"]["result"]')" ok "the run is recorded"
tm_keys Escape
tm_wait "bobsync · Dashboard"
tm_wait "last today"
t_not_contains "$(tm_screen)" "$(date -u +%Y-%m-%d)T" "no ISO time on the dashboard"

t_case "sync now with nothing to change still records the run"
before=$(bs log --json | json_get - 'len(j["runs"])')
tm_keys s
tm_wait "Sync which?"
tm_keys 2
tm_keys Enter
tm_wait "nothing to change, Assembled already matches HiBob" 60
t_eq "$(bs log --json | json_get - 'len(j["runs"])')" $((before + 1)) "a run in the log"
t_eq "$(bs log --json | json_get - 'j["runs"][0]["result"]')" ok "and it is ok"
tm_keys Escape
tm_wait "bobsync · Dashboard"

t_case "a plan blocked by the guard: what it removes, then approved"
bs sync roster >/dev/null 2>&1 || t_fail "the first roster sync failed"
emails=$(bs preview employees --json |
	json_get - '" ".join([e["email"] for e in j["employees"] if e["eligible"]][:5])')
# shellcheck disable=SC2086
bs access set no $emails >/dev/null 2>&1 || t_fail "access set no failed"
bs sync roster >/dev/null 2>&1
t_eq "$?" 3 "the CLI sync is blocked by the guard"
first=${emails%% *}
tm_keys r
tm_wait "waits for approval" 10
tm_keys a
tm_wait "BLOCKED by the guard" 60
s=$(tm_screen)
t_contains "$s" "what it removes" "the removals are listed"
t_contains "$s" "remove" "a removal row"
tm_keys Enter
tm_wait "Approve plan"
tm_keys y
tm_wait "roster: run" 120
t_contains "$(tm_screen)" "5 applied, 0 failed" "the five removals applied"
tm_keys Escape
tm_wait "bobsync · Dashboard"
t_not_contains "$(tm_screen)" "waits for approval" "nothing blocked any more"

t_case "the audit log: filtered by result, a run's actions, one person's actions"
tm_keys l
tm_wait "Runs, newest first"
tm_keys f f f
tm_wait "result blocked"
t_contains "$(tm_screen)" "blocked" "the blocked run"
# then partial, aborted, interrupted, not run, and all again
tm_keys f f f
tm_wait "result interrupted"
tm_keys f f
tm_wait "Runs, newest first: 5 of 5"
tm_keys Enter
tm_wait "Actions of run"
t_contains "$(tm_screen)" "remove" "the approved run's removals"
tm_keys u p
tm_wait "Person (name, email or id)"
tm_type "$first"
tm_keys Enter
tm_wait "Actions about $first: 2 of 2"
s=$(tm_screen)
t_contains "$s" "add" "the account was added"
t_contains "$s" "remove" "and removed"
t_contains "$s" "Changes: Account" "the action's before/after in words"
tm_keys Escape Escape
tm_wait "bobsync · Dashboard"

t_case "the setup again: step 2 shows the vault's own protection (a key file here)"
tm_keys w
tm_wait "Step 1 of 8"
tm_keys Enter
tm_wait "Step 2 of 8"
s=$(tm_screen)
t_contains "$s" "Credentials are stored already" "the stored credentials are kept"
t_contains "$s" "a key file (unattended runs)  (kept: the vault exists)" "the key file, not a passphrase, and kept"
tm_keys Escape
tm_wait "Step 1 of 8"
tm_keys Escape
tm_wait "bobsync · Dashboard"

t_case "finding people by part of a name: the explain screen and the log let the admin pick"
# three letters that two to nine of the roster's names hold
SEV=$(python3 - "$BOBSYNC_HOME/state.db" <<'PY'
import sqlite3, sys
names = [f"{a or ''} {b or ''}" for a, b in
         sqlite3.connect(sys.argv[1]).execute("SELECT first_name, last_name FROM roster")]
print(sorted(p for n in names for p in (n[i:i + 3] for i in range(len(n) - 2))
             if p.isalpha() and p.isascii() and 2 <= sum(p.lower() in m.lower() for m in names) <= 9)[0])
PY
)
[ -n "$SEV" ] || t_fail "no shared piece of a name in the roster"
tm_keys x
tm_wait "Who? A name"
tm_type "$SEV"
tm_keys Enter
tm_wait "Which person?" 60
t_contains "$(tm_screen)" "people match '$SEV'" "the question says why"
tm_keys 1
tm_wait "Eligibility:" 60
tm_keys Escape
tm_wait "bobsync · Dashboard"
tm_keys l
tm_wait "Runs, newest first"
tm_keys p
tm_wait "Person (name, email or id)"
tm_type "$SEV"
tm_keys Enter
tm_wait "Which person?"
tm_keys 1
tm_wait "Actions about "
t_not_contains "$(tm_screen)" "Actions about $SEV" "a person picked, not the typed text"
tm_keys Escape Escape
tm_wait "bobsync · Dashboard"

t_case "Ctrl-C leaves with exit 130 and the terminal restored"
tm_keys C-c
tm_wait "[exited 130]"
t_eq "$(tm_alt)" 0 "alternate screen off"

t_summary
