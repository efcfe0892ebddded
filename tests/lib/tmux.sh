# tmux.sh - drive bobsync in a private tmux server at a fixed size (sourced
# after testlib.sh).
#   tm_start CMD...       start at 80x24, TERM/LANG/NO_COLOR fixed
#   tm_keys KEYS...       send keys (tmux key names)
#   tm_screen             the screen as text
#   tm_wait TEXT [SECS]   poll until TEXT is on the screen (default 15 s)
#   tm_gone TEXT [SECS]   poll until TEXT is no longer on the screen
#   tm_resize COLS ROWS
TM_SOCK=bobsync-test-$$
tm() { tmux -L "$TM_SOCK" -f /dev/null "$@"; }

tm_start() {
	tm new-session -d -x 80 -y 24 -e TERM=screen-256color -e LANG=C.UTF-8 -e NO_COLOR=1 \
		-e BOBSYNC_HOME="$BOBSYNC_HOME" "$* ; echo \"[exited \$?]\"; sleep 600"
	t_on_exit "tmux -L $TM_SOCK kill-server 2>/dev/null"
}
tm_keys() { tm send-keys "$@"; }
tm_screen() { tm capture-pane -p; }
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
		[ $i -gt $(( ${2:-15} * 10 )) ] && { t_fail "'$1' is still on the screen"; return 1; }
		sleep 0.1
	done
}
tm_resize() { tm resize-window -x "$1" -y "$2"; }
