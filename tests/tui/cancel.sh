#!/bin/sh
# cancel.sh - a screen's background job in a real terminal (tmux, 80x24):
# Esc while its read hangs on a stalled HiBob brings the dashboard back at
# once, the stalled request is abandoned (the "Stopping" line goes within a
# few seconds, not when the stall or the 120 s timeout ends), and the next
# read works; keys typed while a read runs are kept and handled after it;
# Esc while new credentials are tried against a stalled Assembled stores
# nothing and leaves the form at once.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/tmux.sh"

sb_start || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null

# the dashboard is on top (its header line, not a screen opened from it)
at_home() { [ "$(tm_screen | head -n 1 | sed 's/ *$//')" = " bobsync · Dashboard" ]; }
# stalled [SERVER]: the number of requests the sandbox is holding unanswered
stalled() {
	sb_ctl "${1:-hibob}" GET /_control/requests |
		json_stdin "sum(1 for r in j['requests'] if r['status'] == -1)"
}
json_stdin() { "$SB_PY" -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

tm_start "$BOBSYNC"
tm_wait "bobsync · Dashboard"

t_case "Esc during a stalled read: the dashboard is back at once, the request abandoned"
sb_ctl hibob DELETE /_control/requests >/dev/null
sb_ctl hibob POST /_control/fault \
	'{"path": "/v1/people/search", "kind": "stall", "seconds": 90, "count": -1}' >/dev/null
tm_keys e
tm_wait "Reading everyone from HiBob"
i=0
until [ "$(stalled)" -ge 1 ]; do	# the request is in the stall now
	i=$((i + 1))
	[ $i -gt 100 ] && { t_fail "the sandbox never held a request"; break; }
	sleep 0.1
done
tm_keys Escape
i=0
until at_home; do	# well within the stall (90 s) and the timeout (120 s)
	i=$((i + 1))
	[ $i -gt 30 ] && { t_fail "the dashboard is not back 3 s after Esc: $(tm_screen)"; break; }
	sleep 0.1
done
# the worker has let go of the stalled transfer: the line clears
tm_gone "Stopping: Reading everyone from HiBob" 5
t_not_contains "$(tm_screen)" "Reading everyone" "no busy line on the dashboard"

t_case "after the stop the session still works: the people are read"
sb_ctl hibob DELETE /_control/fault >/dev/null
tm_keys e
tm_wait "people:" 30
tm_keys Escape
tm_wait "bobsync · Dashboard"

t_case "keys typed while the people are read are handled after the read"
sb_ctl hibob POST /_control/latency '{"ms": 1500}' >/dev/null
tm_keys e
tm_wait "Reading everyone from HiBob"
tm_keys / ; tm_type "Zoë Ł"; tm_keys Enter
tm_wait "1 of 320" 30
t_contains "$(tm_screen)" "Zoë Łukasiewicz" "the person the typed filter found"
sb_ctl hibob POST /_control/latency '{"ms": 0}' >/dev/null
tm_keys Escape Escape
tm_wait "bobsync · Dashboard"

t_case "Esc while Assembled is asked about a new key: nothing stored, the form left at once"
sb_ctl assembled DELETE /_control/requests >/dev/null
sb_ctl assembled POST /_control/fault \
	'{"path": "/v0/activity_types", "kind": "stall", "seconds": 90, "count": -1}' >/dev/null
tm_keys k
tm_wait "Stored encrypted in"
tm_keys j Enter
tm_wait "New values for the Assembled API key"
tm_type "not-the-stored-key"
tm_keys Enter
tm_wait "Replace the Assembled API key in the vault?"
tm_keys y
tm_wait "Asking Assembled whether it accepts them"
i=0
until [ "$(stalled assembled)" -ge 1 ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { t_fail "the sandbox never held a request"; break; }
	sleep 0.1
done
tm_keys Escape
tm_wait "Nothing stored." 3
tm_wait "Enter types new values for the highlighted line" 3
tm_gone "Asking Assembled" 5
sb_ctl assembled DELETE /_control/fault >/dev/null
tm_keys Escape
tm_wait "bobsync · Dashboard"
# the key in the vault is still the one that works
tm_keys t
tm_wait "Reading time off from HiBob and Assembled"
tm_gone "Reading time off from HiBob and Assembled" 30
t_not_contains "$(tm_screen)" "Assembled was not read" "Assembled read with the stored key"
tm_keys Escape
tm_wait "bobsync · Dashboard"

t_case "Esc on the dashboard asks, then leaves with exit 0"
tm_keys Escape
tm_wait "Leave bobsync?"
tm_keys y
tm_wait "[exited 0]"

t_summary
