# tmux.sh - drive bobsync in a private tmux server at a fixed size (sourced
# after testlib.sh).  Every test gets its own server (tmux -L, no user
# config), killed when the test exits; the pane's TERM is screen-256color,
# LANG=C.UTF-8, NO_COLOR=1 and BOBSYNC_HOME is the test's.
#   tm_start CMD...       run CMD at 80x24; "[exited N]" shows when it ends
#   tm_start_shell        an interactive sh at 80x24 (prompt "$ "), for
#                         checking the terminal after bobsync has exited
#   tm_keys KEYS...       send keys (tmux key names: Enter, Escape, C-c, F1)
#   tm_type TEXT          send TEXT literally
#   tm_screen             the screen as text
#   tm_capture FILE       the screen into FILE
#   tm_wait TEXT [SECS]   poll until TEXT is on the screen (default 15 s)
#   tm_gone TEXT [SECS]   poll until TEXT is no longer on the screen
#   tm_settle [SECS]      poll until the screen stops changing (two equal
#                         captures 0.2 s apart), for comparing whole screens
#   tm_resize COLS ROWS   resize, then wait until the pane has that size
#   tm_alt                1 while the alternate screen is on, else 0
#   tm_stop               kill the server (also done on exit)
TM_SOCK=bobsync-test-$$
TM_ENV="TERM=screen-256color LANG=C.UTF-8 NO_COLOR=1 TZ=UTC"
tm() { tmux -L "$TM_SOCK" -f /dev/null "$@"; }

tm_start() {
	# new-session -e does not set the pane's TERM (tmux sets it from
	# default-terminal), so the command runs under env with TERM fixed
	tm new-session -d -x 80 -y 24 \
		"env $TM_ENV BOBSYNC_HOME='$BOBSYNC_HOME' $* ; echo \"[exited \$?]\"; sleep 600"
	t_on_exit "tmux -L $TM_SOCK kill-server 2>/dev/null"
}
tm_start_shell() {
	tm new-session -d -x 80 -y 24 "env $TM_ENV BOBSYNC_HOME='$BOBSYNC_HOME' PS1='$ ' ENV= sh -i"
	t_on_exit "tmux -L $TM_SOCK kill-server 2>/dev/null"
	tm_wait '$'
}
tm_keys() { tm send-keys "$@"; }
tm_type() { tm send-keys -l -- "$1"; }
tm_screen() { tm capture-pane -p; }
tm_capture() { tm capture-pane -p >"$1"; }
tm_wait() {
	i=0
	while ! tm_screen | grep -q -F -- "$1"; do
		i=$((i + 1))
		if [ $i -gt $(( ${2:-15} * 10 )) ]; then
			t_fail "waited for '$1'; the screen shows:
$(tm_screen)"
			return 1
		fi
		sleep 0.1
	done
}
tm_gone() {
	i=0
	while tm_screen | grep -q -F -- "$1"; do
		i=$((i + 1))
		if [ $i -gt $(( ${2:-15} * 10 )) ]; then
			t_fail "'$1' is still on the screen:
$(tm_screen)"
			return 1
		fi
		sleep 0.1
	done
}
tm_settle() {
	i=0
	prev=$(tm_screen)
	while :; do
		sleep 0.2
		cur=$(tm_screen)
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		i=$((i + 1))
		[ $i -gt $(( ${1:-10} * 5 )) ] && { t_fail "the screen never settled"; return 1; }
	done
}
tm_resize() {
	tm resize-window -x "$1" -y "$2"
	i=0
	while [ "$(tm display -p '#{pane_width}x#{pane_height}')" != "$1x$2" ]; do
		i=$((i + 1))
		[ $i -gt 50 ] && { t_fail "the pane never became $1x$2"; return 1; }
		sleep 0.1
	done
}
tm_alt() { tm display -p '#{alternate_on}'; }
tm_stop() { tm kill-server 2>/dev/null; }
