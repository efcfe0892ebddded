#!/bin/sh
# Run every test suite and print "N passed, N failed".
#   tests/run.sh            unit tests, then CLI end-to-end, then TUI tests
#   tests/run.sh --unit     unit tests only
#   tests/run.sh FILTER     only suites whose name contains FILTER
# Environment: BUILD (build folder), VALGRIND=1 (unit tests under valgrind),
# JOBS (suites run at once, default 3).
#
# The end-to-end and TUI suites spend most of their time waiting (request
# pacing, timeouts, a terminal redrawing), so JOBS lanes run them side by
# side.  Each suite has its own temporary folder, sandbox ports and tmux
# server, so suites do not share anything.  A lane takes the next suite not
# yet taken (claimed with mkdir, which is atomic), longest first, and prints
# the suite's summary as soon as it ends; the tally is made at the end.
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
JOBS=${JOBS:-3}
only_unit=0
filter=
case "${1:-}" in
	--unit) only_unit=1 ;;
	"") ;;
	*) filter=$1 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/bobsync-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LANG=C.UTF-8 TZ=UTC

# The suites in the order they are started: the slow ones first, so that the
# lanes end at about the same time.  A suite not named here starts after
# these, in file order.
slow_first="tests/e2e/faults.sh tests/e2e/roster.sh tests/e2e/crash.sh tests/e2e/timeoff.sh
tests/tui/wizard.sh tests/tui/dashboard.sh tests/e2e/daemon.sh tests/tui/screens.sh
tests/e2e/timeoff_deletes.sh tests/e2e/webhooks.sh tests/e2e/secrets.sh tests/tui/welcome.sh"

n=0
add() {	# add NAME COMMAND...: queue a suite (when it matches the filter)
	case "$1" in *"$filter"*) ;; *) return ;; esac
	n=$((n + 1))
	printf '%s\n' "$1" >"$work/name.$n"
	shift
	printf '%s\n' "$*" >"$work/cmd.$n"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	if [ "${VALGRIND:-0}" = 1 ]; then
		add "$(basename "$t")" valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$t"
	else
		add "$(basename "$t")" "$t"
	fi
done

if [ "$only_unit" = 0 ]; then
	for t in $slow_first; do
		[ -f "$t" ] && add "$t" timeout 900 sh "$t"
	done
	for t in tests/e2e/*.sh tests/tui/*.sh; do
		[ -f "$t" ] || continue
		case $t in */lib_*.sh) continue ;; esac	# sourced by suites, not one itself
		case " $(echo $slow_first) " in *" $t "*) continue ;; esac
		add "$t" timeout 900 sh "$t"
	done
fi

# Count the cmocka-style summary lines of one suite's output into
# $work/tally.I ("passed failed").
tally() {
	i=$1 status=$2 log=$work/log.$i
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	extra=
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1		# crashed or exited before its summary
		extra="[  FAILED  ] 1 test(s): $(cat "$work/name.$i") exited with status $status before its summary"
	fi
	echo "$p $f" >"$work/tally.$i"
	{
		echo "== $(cat "$work/name.$i") ($4 s)"
		# the summary and any failure lines, not the whole chatter
		grep -E '^\[(==========|  PASSED  |  FAILED  |  ERROR   )\]|^\[  FAILED  \]|FAIL|error:' "$log" | head -40
		[ -n "$extra" ] && echo "$extra"
	} >"$work/block.$i"
	cat "$work/block.$i"
}

lane() {
	i=0
	while [ "$i" -lt "$n" ]; do
		i=$((i + 1))
		mkdir "$work/claim.$i" 2>/dev/null || continue
		started=$(date +%s)
		# shellcheck disable=SC2046
		sh -c "$(cat "$work/cmd.$i")" >"$work/log.$i" 2>&1 </dev/null
		status=$?
		tally "$i" "$status" "$started" $(($(date +%s) - started))
	done
}

l=0
while [ "$l" -lt "$JOBS" ]; do
	l=$((l + 1))
	lane &
done
wait

passed=0
failed=0
failed_suites=
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	if [ ! -f "$work/tally.$i" ]; then
		failed=$((failed + 1))
		failed_suites="$failed_suites $(cat "$work/name.$i")"
		continue
	fi
	read -r p f <"$work/tally.$i"
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failed_suites="$failed_suites $(cat "$work/name.$i")"
done

echo
[ -n "$failed_suites" ] && echo "failed suites:$failed_suites"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
