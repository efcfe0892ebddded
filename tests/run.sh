#!/bin/sh
# Run every test suite and print "N passed, N failed".
#   tests/run.sh            unit tests, then CLI end-to-end, then TUI tests
#   tests/run.sh --unit     unit tests only
#   tests/run.sh FILTER     only suites whose name contains FILTER
# Environment: BUILD (build folder), VALGRIND=1 (unit tests under valgrind).
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
only_unit=0
filter=
case "${1:-}" in
	--unit) only_unit=1 ;;
	"") ;;
	*) filter=$1 ;;
esac

passed=0
failed=0
failed_suites=
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Tally the cmocka-style summary lines of one suite's output.
tally() {
	name=$1 status=$2
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1		# crashed or exited before its summary
		echo "[  FAILED  ] 1 test(s): $name exited with status $status before its summary"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failed_suites="$failed_suites $name"
}

run_suite() {
	name=$1; shift
	case "$name" in *"$filter"*) ;; *) return ;; esac
	echo "== $name"
	"$@" >"$log" 2>&1
	status=$?
	# show the summary and any failure lines, not the whole chatter
	grep -E '^\[(==========|  PASSED  |  FAILED  |  ERROR   )\]|^\[  FAILED  \]|FAIL|error:' "$log" | head -40
	tally "$name" "$status"
}

export LANG=C.UTF-8 TZ=UTC
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	if [ "${VALGRIND:-0}" = 1 ]; then
		run_suite "$(basename "$t")" valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$t"
	else
		run_suite "$(basename "$t")" "$t"
	fi
done

if [ "$only_unit" = 0 ]; then
	for t in tests/e2e/*.sh tests/tui/*.sh; do
		[ -f "$t" ] || continue
		case $t in */lib_*.sh) continue ;; esac	# sourced by suites, not one itself
		run_suite "$t" timeout 900 sh "$t"
	done
fi

echo
[ -n "$failed_suites" ] && echo "failed suites:$failed_suites"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
