#!/bin/sh
# demo.sh - what `make demo` runs: the sandbox HiBob, Assembled and Alleo
# servers with the fictional company, a throwaway bobsync home pointed at
# them, and bobsync opened on it.  Everything stops and is removed on exit.
#   DEMO_PEOPLE=N   company size (default 320)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bobsync=$root/bobsync
work=$(mktemp -d "${TMPDIR:-/tmp}/bobsync-demo.XXXXXX")
sb_pid=
cleanup() {
	[ -n "$sb_pid" ] && kill "$sb_pid" 2>/dev/null && wait "$sb_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

[ -x "$bobsync" ] || { echo "demo: build bobsync first (make)" >&2; exit 1; }
/usr/bin/python3 "$root/tests/sandbox/sandbox.py" --state-file "$work/sandbox.json" \
	--env-file "$work/sandbox.env" --people "${DEMO_PEOPLE:-320}" --lifetime 86400 \
	>"$work/sandbox.log" 2>&1 &
sb_pid=$!
i=0
until [ -s "$work/sandbox.env" ]; do
	i=$((i + 1))
	if [ $i -gt 600 ] || ! kill -0 "$sb_pid" 2>/dev/null; then
		echo "demo: the sandbox did not start:" >&2
		cat "$work/sandbox.log" >&2
		exit 1
	fi
	sleep 0.1
done
. "$work/sandbox.env"

BOBSYNC_HOME=$work/home
export BOBSYNC_HOME
mkdir -m 700 "$BOBSYNC_HOME"
set_conf() { "$bobsync" config set "$1" "$2" >/dev/null || exit 1; }
set_conf hibob.base_url "$SB_HIBOB_URL"
set_conf assembled.base_url "$SB_ASM_URL"
set_conf alleo.scim_url "$SB_SCIM_URL"
set_conf alleo.token_url "$SB_TOKEN_URL"
set_conf alleo.mode scim
set_conf assembled.enabled true
set_conf hibob.site_timezones "Amsterdam=Europe/Amsterdam,London=Europe/London,New York=America/New_York,San Francisco=America/Los_Angeles,Bengaluru=Asia/Kolkata"

# the demo credentials, stored as a user would (read from standard input,
# kept in the vault under a key file of the throwaway home)
printf '%s\n%s\n' "$SB_HIBOB_ID" "$SB_HIBOB_TOKEN" | "$bobsync" credentials set hibob >/dev/null 2>&1 &&
printf '%s\n' "$SB_ASM_KEY" | "$bobsync" credentials set assembled >/dev/null 2>&1 &&
printf '%s\n%s\n' "$SB_SCIM_ID" "$SB_SCIM_SECRET" | "$bobsync" credentials set alleo >/dev/null 2>&1 ||
	{ echo "demo: storing the demo credentials failed" >&2; exit 1; }

cat <<MSG

  bobsync demo: a fictional company of ${DEMO_PEOPLE:-320} people on local sandbox servers.
  Nothing leaves this machine; the home $BOBSYNC_HOME is removed on exit.

  The demo credentials are already stored in the vault (demo values, not secrets):
    HiBob Service User ID   $SB_HIBOB_ID
    HiBob token             $SB_HIBOB_TOKEN
    Assembled API key       $SB_ASM_KEY
    Alleo client id         $SB_SCIM_ID
    Alleo client secret     $SB_SCIM_SECRET

  To break things on purpose (a misnamed field, a lost permission), in another terminal:
    curl -s -X POST -d '{"name":"misnamed_field"}' $SB_HIBOB_CTL/_control/scenario
    curl -s -X POST -d '{"name":"default"}' $SB_HIBOB_CTL/_control/scenario

  The setup steps open with these credentials pre-filled; Enter walks through them.
  On the dashboard: s sync now, a approve, c checks, e employees, l log, ? help, q quit.
  In another terminal the same home works with the command line:
    BOBSYNC_HOME=$BOBSYNC_HOME $bobsync check

MSG
if [ -t 0 ]; then
	printf '  Press Enter to open bobsync... '
	read -r _
fi
"$bobsync" setup
status=$?
[ $status -eq 0 ] || echo "demo: bobsync exited with status $status" >&2
exit $status
