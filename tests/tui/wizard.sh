#!/bin/sh
# wizard.sh - the setup steps in a real terminal (tmux, 80x24, NO_COLOR)
# against the sandbox, from the welcome screen to the first sync: a wrong
# token shows the 401 remedy; a misnamed field fails its check and passes
# once the sandbox is fixed and the checks run again; the employee list
# filters; the first time-off sync is planned, confirmed and applied.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/tmux.sh"

sb_start || exit 1
BOBSYNC_HOME=$T_TMP/home
export BOBSYNC_HOME
mkdir -m 700 "$BOBSYNC_HOME"
bs config set hibob.base_url "$SB_HIBOB_URL" >/dev/null
bs config set assembled.base_url "$SB_ASM_URL" >/dev/null

t_case "bobsync without credentials opens the welcome step"
tm_start "$BOBSYNC"
tm_wait "Step 1 of 6"
s=$(tm_screen)
t_contains "$s" "alleo_access" "what is needed"
t_contains "$s" "Service User" "what is needed"
t_contains "$s" "$SB_HIBOB_URL" "the current HiBob address"

t_case "a wrong token: the 401 remedy"
tm_keys Enter
tm_wait "Step 2 of 6"
tm_keys "$SB_HIBOB_ID" Enter "WRONG-$SB_HIBOB_TOKEN" Enter
tm_wait "key file"
tm_keys k
tm_wait "Checks" 30
tm_wait "fail  HiBob accepts the Service User" 30
t_contains "$(tm_screen)" "Service Users" "the remedy says where to look in Bob"
tm_not=$(tm_screen)
t_not_contains "$tm_not" "WRONG-" "the token is never shown"
tm_keys q
tm_wait "the sync cannot start"

t_case "the right token, a misnamed field, then fixed and checked again"
sb_ctl hibob POST /_control/scenario '{"name": "misnamed_field"}' >/dev/null
tm_keys b
tm_wait "Step 2 of 6"
tm_keys "$SB_HIBOB_ID" Enter "$SB_HIBOB_TOKEN" Enter
tm_wait "fail  The eligibility field" 30
tm_keys j
tm_wait "alleo_access"
tm_keys q
tm_wait "the sync cannot start"
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null
tm_keys r
tm_wait "pass  The eligibility field" 30
tm_keys q
tm_wait "Every check passed"

t_case "Assembled turned on with its key"
tm_keys Enter
tm_wait "Step 4 of 6"
tm_keys a
tm_wait "API key"
tm_keys "$SB_ASM_KEY" Enter
tm_wait "Assembled time off on"
t_eq "$(bs config get assembled.enabled)" true "assembled.enabled saved"

t_case "the employee preview filters"
tm_keys Enter
tm_wait "Employees" 30
tm_wait "of 320"
tm_keys / Z o Enter
tm_wait "Zoë Łukasiewicz-Østergård"
tm_keys q

t_case "the first sync: plan, confirmation, result, and how to keep it running"
tm_wait "Time-off plan" 60
tm_keys q
tm_wait "Apply these"
tm_keys y
tm_wait "Setup is done" 180
s=$(tm_screen)
t_contains "$s" "bobsync daemon" "how to keep it running"
t_contains "$s" "applied" "the result of the first sync"
t_eq "$(bs status --json | json_get - 'j["timeoff"]["result"]')" ok "the run is recorded"

t_case "then the dashboard; next time bobsync opens it directly"
tm_keys Enter
tm_wait "Dashboard"
tm_keys q
tm_wait "[exited 0]"
TM_SOCK=$TM_SOCK-again
tm_start "$BOBSYNC"
tm_wait "Dashboard"
t_not_contains "$(tm_screen)" "Step 1 of 6" "no setup step"
tm_keys q

t_summary
