#!/bin/sh
# wizard.sh - the 8 setup steps in a real terminal (tmux, 80x24, NO_COLOR)
# against the sandbox, from the welcome screen to the first sync: a wrong
# token shows the 401 remedy; a misnamed field fails its check and passes
# once the sandbox is fixed and the checks run again (r); Alleo by SCIM and
# Assembled with choices read from the live API, saved as settings; the
# employee list filters; the first syncs are planned, confirmed and applied
# with their counts; then the choice of how the sync core runs ("not yet"), and the dashboard.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/tmux.sh"

sb_start || exit 1
BOBSYNC_HOME=$T_TMP/home
export BOBSYNC_HOME
mkdir -m 700 "$BOBSYNC_HOME"
bs config set hibob.base_url "$SB_HIBOB_URL" >/dev/null
bs config set assembled.base_url "$SB_ASM_URL" >/dev/null

t_case "bobsync without credentials opens step 1 of 8"
tm_start "$BOBSYNC"
tm_wait "Step 1 of 8"
s=$(tm_screen)
t_contains "$s" "alleo_access" "what is needed"
t_contains "$s" "Service User" "what is needed"
t_contains "$s" "$SB_HIBOB_URL" "the current HiBob address"

t_case "step 2: a token HiBob rejects is refused there and not stored"
tm_keys Enter
tm_wait "Step 2 of 8"
t_contains "$(tm_screen)" "Settings > Integrations > Service Users" "what to do in Bob"
tm_keys "?"
tm_wait "Help: Credentials"		# the focused ID field leaves ? to the help
tm_keys Escape
tm_gone "Help: Credentials"
tm_type "$SB_HIBOB_ID"
tm_keys Enter
tm_type "WRONG-$SB_HIBOB_TOKEN"
tm_keys Enter
tm_wait "a passphrase"
tm_keys Right
tm_wait "a key file"
tm_keys Enter
tm_wait "HiBob did not accept the ID or token" 30
s=$(tm_screen)
t_contains "$s" "Step 2 of 8" "still on the credentials step"
t_contains "$s" "Service Users" "where to look in Bob"
t_not_contains "$s" "WRONG-" "the token is never shown"
[ -e "$BOBSYNC_HOME/vault" ] && t_fail "a vault was made for a rejected token"

t_case "the right token is accepted and stored; a misnamed field fails, then passes after the fix and r"
sb_ctl hibob POST /_control/scenario '{"name": "misnamed_field"}' >/dev/null
tm_keys C-u
tm_type "$SB_HIBOB_TOKEN"
tm_keys Enter
sleep 0.5
case "$(tm_screen)" in *"Step 3 of 8"*) ;; *) tm_keys Enter ;; esac
tm_wait "Step 3 of 8"
[ -s "$BOBSYNC_HOME/vault.key" ] || [ -n "$(find "$BOBSYNC_HOME" -name vault.key)" ] ||
	t_fail "no key file was made"
tm_wait "fail  The eligibility field" 30
tm_keys j
tm_wait "alleo_access"
t_contains "$(tm_screen)" "the setup cannot go on" "blocked until it passes"
# the detail pane (below the list) names the check under the cursor
detail_of() { tm_screen | grep -v '^ *[a-z]*  The eligibility field'; }
t_contains "$(detail_of)" "The eligibility field" "the detail of the failed check is shown"
t_contains "$(tm_screen)" "What to do" "with its remedy"
tm_keys r
tm_wait "Running the checks"
tm_wait "fail  The eligibility field" 30
s=$(detail_of)
t_contains "$s" "The eligibility field" "after r the detail is still the failed check's"
t_contains "$s" "What to do" "with its remedy"
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null
tm_keys r
tm_wait "pass  The eligibility field" 30
t_not_contains "$(tm_screen)" "fail  " "no check fails"

t_case "back on step 2 the vault's protection is shown as kept, and Enter keeps the credentials"
tm_keys Escape
tm_wait "Step 2 of 8"
s=$(tm_screen)
t_contains "$s" "Credentials are stored already: Enter keeps them." "stored"
t_contains "$s" "a key file (unattended runs)  (kept: the vault exists)" \
	"the protection cannot be changed, and says why"
t_eq "$(printf '%s\n' "$s" | grep -c '(kept: the vault exists)')" 3 "nor the passphrase, twice"
t_not_contains "$s" "< a key file" "not offered as a choice"
tm_keys Enter Enter
tm_wait "Step 3 of 8"
tm_wait "pass  The eligibility field" 30

t_case "step 4: Alleo by SCIM, its settings and secrets saved"
tm_keys Enter
sleep 1
if tm_screen | grep -q "Go on anyway"; then tm_keys y; fi
tm_wait "Step 4 of 8"
# the step reads HiBob's fields first (budget fields); keys typed while
# that runs do not reach the form
tm_wait "Fields read from HiBob" 30
tm_keys Right Right
tm_wait "SCIM (bobsync pushes)"
tm_keys Enter C-u
tm_type "$SB_SCIM_URL"
tm_keys Enter C-u
tm_type "$SB_TOKEN_URL"
tm_keys Enter C-u
tm_type "$SB_SCIM_ID"
tm_keys Enter C-u
tm_type "$SB_SCIM_SECRET"
tm_keys Enter
tm_wait "Prestart days"
tm_keys Enter Enter
tm_wait "Step 5 of 8"
t_eq "$(bs config get alleo.mode 2>/dev/null)" "scim" "alleo.mode saved"
t_eq "$(bs config get alleo.scim_url 2>/dev/null)" "$SB_SCIM_URL" "SCIM address saved"

t_case "step 5: Assembled key, the time-off types read from the live API, settings saved"
tm_keys Space Enter
tm_type "$SB_ASM_KEY"
tm_keys F5
tm_wait "read from Assembled" 30
tm_keys Enter
tm_wait "Time-off type"
tm_keys Enter Enter C-u
tm_type "Europe/Berlin"
tm_keys Enter Enter C-u
tm_type "+90d"
tm_keys Enter
tm_wait "Step 6 of 8" 30
t_eq "$(bs config get assembled.enabled 2>/dev/null)" true "assembled.enabled saved"
t_eq "$(bs config get assembled.default_timezone 2>/dev/null)" "Europe/Berlin" "time zone saved"
t_eq "$(bs config get timeoff.sync_until 2>/dev/null)" "+90d" "sync until saved"

t_case "step 6: the employee list, filtered"
tm_wait "320 people" 30
tm_keys /
tm_type "Łukas"
tm_keys Enter
tm_wait "of 320"
s=$(tm_screen)
t_contains "$s" "Zoë Łukasiewicz-Østerg" "the filtered person, wide letters intact"
t_not_contains "$s" "José Núñez" "the others are filtered out"
tm_keys Escape
sleep 0.5
tm_screen | grep -q "Enter goes on to the time-off preview" || tm_keys Escape
tm_wait "Enter goes on to the time-off preview"

t_case "step 6: v opens the list again; Enter in the list goes on"
tm_keys v
tm_wait "320 people" 30
tm_keys Enter
tm_wait "Step 7 of 8"

t_case "step 7: the time-off preview; Enter in the list goes on"
tm_wait "will sync to Assembled" 30
tm_keys Enter
tm_wait "Step 8 of 8"
tm_wait "Roster plan" 30
tm_wait "This is the plan" 60
tm_keys Enter
tm_wait "Apply these"
tm_keys y
tm_wait "roster: run" 180
t_contains "$(tm_screen)" "0 failed" "no failure"

t_case "then the time-off plan, applied; then the choice of how the sync core runs"
tm_keys Enter
tm_wait "Time-off plan" 30
tm_wait "This is the plan" 60
tm_keys Enter
tm_wait "Apply these"
tm_keys y
tm_wait "Setup is done" 180
s=$(tm_screen)
t_contains "$s" "Nothing syncs on its own until it is enabled" "the enable step"
t_contains "$s" "in the background now" "the ways offered"
t_contains "$s" "timeoff: run" "the result of the first time-off sync"
t_eq "$(bs status --json | json_get - 'j["timeoff"]["result"]')" ok "the run is recorded"
t_eq "$(bs status --json | json_get - 'j["roster"]["result"]')" ok "the roster run is recorded"

t_case "then the dashboard; next time bobsync opens it directly"
tm_keys Enter
tm_wait "Enable the sync core"
tm_keys 3
tm_wait "not enabled yet"
tm_keys Enter
tm_wait "bobsync · Dashboard"
tm_keys q
tm_wait "Leave bobsync?"
tm_keys y
tm_wait "[exited 0]"
tm_stop
TM_SOCK=$TM_SOCK-again
tm_start "$BOBSYNC"
tm_wait "bobsync · Dashboard"
t_not_contains "$(tm_screen)" "Step 1 of 8" "no setup step"
tm_keys q
tm_wait "Leave bobsync?"
tm_keys y
tm_wait "[exited 0]"

t_summary
