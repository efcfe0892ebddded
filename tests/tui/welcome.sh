#!/bin/sh
# welcome.sh - the first setup step in a real terminal (tmux, 80x24,
# NO_COLOR): what it shows, its help, the HiBob choice saved only when the
# user continues, a refused address, resize and back, too small, Esc/q,
# and a terminal restored after Ctrl-C.  No network: nothing is contacted.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/tmux.sh"

BOBSYNC_HOME=$T_TMP/home
export BOBSYNC_HOME
mkdir -m 700 "$BOBSYNC_HOME"
bs() { "$BOBSYNC" "$@"; }
# the screen's lines trimmed and joined by spaces: wrapped text reads as one
joined() { tm_screen | sed 's/^ *//; s/ *$//' | tr '\n' ' ' | tr -s ' '; }

t_case "bobsync without credentials opens the welcome step at 80x24"
tm_start "$BOBSYNC"
tm_wait "Step 1 of 8"
tm_settle
s=$(tm_screen)
t_eq "$(printf '%s\n' "$s" | head -n 1)" " bobsync · Setup · Step 1 of 8 · Welcome" "header with breadcrumbs"
t_contains "$s" "Service User" "what is needed"
t_contains "$s" "alleo_access" "the eligibility field"
t_contains "$s" "Current: https://api.hibob.com/v1" "the current HiBob address"
t_contains "$s" "< production (api.hibob.com) >" "the choice starts on the current address"
t_contains "$(printf '%s\n' "$s" | tail -n 1)" "F1/? Help  Esc Quit  Enter Continue" "key hints"
t_contains "$(joined)" "for an audience that includes hired and terminated people;" "wrapped, nothing lost"
tm_capture "$T_TMP/80x24.screen"

t_case "? shows the keys of the step; any key closes the help"
tm_keys "?"
tm_wait "Help: Welcome"
s=$(tm_screen)
t_contains "$s" "a HiBob sandbox tenant (https://api.sandbox.hibob.com/v1)" "the 2 key"
t_contains "$s" "quit at once" "the global keys"
tm_keys x
tm_gone "Help: Welcome"
t_contains "$(tm_screen)" "< production (api.hibob.com) >" "x only closed the help"

t_case "resize to 100x30 reflows, and back to 80x24 draws the same screen"
tm_resize 100 30
tm_wait "Personal and time off, for an audience that includes hired and terminated people;"
s=$(tm_screen)
t_eq "$(printf '%s\n' "$s" | wc -l)" 30 "30 rows"
t_contains "$(printf '%s\n' "$s" | tail -n 1)" "3 Other" "the whole bar at 100 columns"
t_contains "$(joined)" "Nothing changes in Alleo or Assembled before you have seen the plan and confirmed it." "wrapped, nothing lost"
tm_resize 80 24
# tmux crops the old frame at once; the redraw follows (reflowed lines)
tm_wait "  alleo_access field is yes) and Assembled (approved time off on the"
tm_settle
tm_capture "$T_TMP/back.screen"
if ! cmp -s "$T_TMP/80x24.screen" "$T_TMP/back.screen"; then
	t_fail "80x24 after the resize differs: $(diff "$T_TMP/80x24.screen" "$T_TMP/back.screen")"
fi

t_case "too small: the notice, then the step again"
tm_resize 50 12
tm_wait "Terminal too small (need 60x16)"
tm_resize 60 16
tm_wait "Step 1 of 8"
s=$(tm_screen)
t_not_contains "$s" "too small" "gone at 60x16"
# at 60 columns every visible line is whole or ends with the ellipsis
printf '%s\n' "$s" | awk '{ if (length($0) > 60) bad = 1 } END { exit bad }' ||
	t_fail "a line wider than the pane"
t_contains "$(printf '%s\n' "$s" | head -n 1)" "Step 1 of 8 · Welcome" "header whole at 60"
tm_resize 80 24
tm_wait "Current: https://api.hibob.com/v1"

t_case "another address: q is text there, an insecure address is refused"
tm_keys 3
tm_wait "the API address"
tm_type "http://q.example.com/v1"
tm_keys Enter
tm_wait "https"
s=$(tm_screen)
t_contains "$s" "Step 1 of 8" "still on the step"
t_contains "$s" "http://q.example.com/v1" "q went into the field"
t_eq "$(bs config get hibob.base_url)" "https://api.hibob.com/v1" "nothing saved"

t_case "a long address typed in one go keeps every character"
long="https://bob-proxy.example.com/$(printf 'segment%02d/' $(seq 1 14))v1"
tm_keys C-u
tm_type "$long"
tm_keys Enter
tm_wait "Step 2 of 8"
t_eq "$(bs config get hibob.base_url)" "$long" "saved whole"
tm_keys Escape
tm_wait "Step 1 of 8"
tm_keys 1 Enter
tm_wait "Step 2 of 8"
t_eq "$(bs config get hibob.base_url)" "https://api.hibob.com/v1" "production again"
tm_keys Escape
tm_wait "Step 1 of 8"

t_case "the sandbox tenant is saved when the user continues"
tm_keys Escape
tm_wait "[exited 0]"
tm_stop
TM_SOCK=$TM_SOCK-sandbox
tm_start "$BOBSYNC" setup
tm_wait "Step 1 of 8"
tm_keys 2
tm_wait "< sandbox tenant (api.sandbox.hibob.com) >"
t_eq "$(bs config get hibob.base_url)" "https://api.hibob.com/v1" "not saved before Enter"
t_contains "$(tm_screen)" "Enter saves: https://api.sandbox.hibob.com/v1 (now https://api.hibob.com/v1)" \
	"the address that will be saved is shown"
tm_keys 3
tm_wait "Enter saves: (type the address)"
tm_type "https://bob.example.com/v1"
tm_wait "Enter saves: https://bob.example.com/v1 (now"
tm_keys Up 2
tm_wait "< sandbox tenant (api.sandbox.hibob.com) >"
tm_keys Enter
tm_wait "Step 2 of 8"
t_eq "$(bs config get hibob.base_url)" "https://api.sandbox.hibob.com/v1" "saved on Enter"

t_case "Esc on step 2 goes back to the welcome step, which shows the saved address"
tm_keys Escape
tm_wait "Step 1 of 8"
t_contains "$(tm_screen)" "Current: https://api.sandbox.hibob.com/v1" "the saved address"
t_contains "$(tm_screen)" "< sandbox tenant (api.sandbox.hibob.com) >" "the choice follows it"

t_case "q leaves the setup"
tm_keys q
tm_wait "[exited 0]"
t_eq "$(tm_alt)" 0 "alternate screen off"
tm_stop

for term in dumb bogus-terminal; do
	t_case "TERM=$term: a clear message and the commands to use instead"
	TM_SOCK=$TM_SOCK-$term
	tm_start env TERM=$term "$BOBSYNC"
	tm_wait "[exited 1]"
	s=$(tm_screen)
	t_contains "$s" "TERM" "names the terminal type"
	t_contains "$s" "bobsync check" "points at the commands"
	t_eq "$(tm_alt)" 0 "no alternate screen"
	tm_stop
done

t_case "Ctrl-C restores the terminal: prompt back, echo and canonical mode on"
TM_SOCK=$TM_SOCK-ctrlc
tm_start_shell
# the marker is put together by the shell, so the typed line never matches
tm_type "e=exited; $BOBSYNC setup; echo \"[\$e \$?]\""
tm_keys Enter
tm_wait "Step 1 of 8"
t_eq "$(tm_alt)" 1 "the console uses the alternate screen"
tm_keys C-c
tm_wait "[exited"
t_eq "$(tm_alt)" 0 "alternate screen off"
tm_type "stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e icanon -e -echo -e -icanon | sort | tr '\\n' ' '; echo end"
tm_keys Enter
tm_wait "echo icanon end"
t_contains "$(tm_screen)" "stty -a" "typed text is echoed"

# the pid of bobsync, a child of the pane's shell
bobsync_pid() { ps -o pid= --ppid "$(tm display -p '#{pane_pid}')" | tr -d ' ' | head -n 1; }
for sig in TERM HUP ABRT; do
	t_case "SIG$sig restores the terminal"
	tm_type "ulimit -c 0; e=status; $BOBSYNC setup; echo \"[\$e-$sig \$?]\""
	tm_keys Enter
	tm_wait "Step 1 of 8"
	pid=$(bobsync_pid)
	[ -n "$pid" ] || t_fail "no bobsync process under the shell"
	[ -n "$pid" ] && kill -s "$sig" "$pid"
	tm_wait "[status-$sig"
	t_eq "$(tm_alt)" 0 "alternate screen off"
	tm_type "stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e icanon -e -echo -e -icanon | sort | tr '\\n' ' '; echo end-$sig"
	tm_keys Enter
	tm_wait "echo icanon end-$sig"
done
t_summary
