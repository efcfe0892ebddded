#!/bin/sh
# demo.sh - what `make demo` runs: the sandbox HiBob, Assembled and Alleo
# servers with the fictional company, a throwaway bobsync home pointed at
# them, and bobsync opened on it.  Everything stops and is removed on exit.
#   DEMO_PEOPLE=N   company size (default 320)
#   demo.sh --banner  print the banner (with a sandbox's values) and stop
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bobsync=$root/bobsync
work=$(mktemp -d "${TMPDIR:-/tmp}/bobsync-demo.XXXXXX")
sb_pid=
closing=0
cleanup() {
	[ -n "$sb_pid" ] && kill "$sb_pid" 2>/dev/null && wait "$sb_pid" 2>/dev/null
	rm -rf "$work"
	[ "$closing" = 1 ] && echo "bobsync demo: ended; the sandbox servers stopped and the demo's home was removed."
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

  bobsync demo: a fictional company of ${DEMO_PEOPLE:-320} people on local sandbox
  servers. Nothing leaves this machine; the demo's home is removed on exit:
    $BOBSYNC_HOME

  The demo credentials are in the vault already (demo values, not secrets):
    HiBob Service User ID   $SB_HIBOB_ID
    HiBob token             $SB_HIBOB_TOKEN
    Assembled API key       $SB_ASM_KEY
    Alleo client id         $SB_SCIM_ID
    Alleo client secret     $SB_SCIM_SECRET

  To break things on purpose, in another terminal (then c on the dashboard
  runs the checks, each failure with what to do):
    curl -s -X POST -d '{"name":"NAME"}' \\
      $SB_HIBOB_CTL/_control/scenario
  where NAME is one of:
    no_field              HiBob has no alleo_access field
    misnamed_field        the field is named 'alleo', not 'alleo_access'
    text_field            alleo_access is a text field, not a yes/no list
    bad_options           its options are not yes and no ('Yes please', 'Nope')
    no_personal           the permission group cannot see Personal
    no_work               ... cannot see Work
    no_employment         ... cannot see Employment
    no_lifecycle          ... cannot see Lifecycle
    missing_sections      several sections hidden: add "sections":["Personal"]
    no_inactive_audience  hired and terminated people are not visible
    no_timeoff            time off cannot be read
    wrong_token           HiBob no longer accepts the demo token
    no_edit               HiBob refuses to change alleo_access (bulk set: b)
    localized             HiBob's lists speak Dutch ('In dienst', 'Uit dienst')
    historical_field      alleo_access is a historical field: changes are lost
    put_ignored           HiBob answers a change but stores nothing
    default               everything works again

  The setup steps open with these credentials pre-filled; Enter walks through
  them. On the dashboard: s sync now, a approve, c checks, e employees, l log,
  ? help, Esc leave. In another terminal the same home works with the command
  line:
    export BOBSYNC_HOME=$BOBSYNC_HOME
    $bobsync check

MSG
# demo.sh --banner: the text above only (tests/tui/golden.sh checks it)
[ "${1:-}" = --banner ] && exit 0
if [ -t 0 ]; then
	printf '  Press Enter to open bobsync... '
	read -r _
fi
BOBSYNC_DEMO=1 "$bobsync" setup	# the dashboard's Esc says the demo ends
status=$?
closing=1
[ $status -eq 0 ] || echo "demo: bobsync exited with status $status" >&2
exit $status
