# testlib.sh - helpers for shell end-to-end tests (sourced).
# Each case: t_case "name"; ... checks ...; t_pass (or a check fails it).
# At the end call t_summary, which prints a cmocka-style summary that
# tests/run.sh counts, and exits non-zero when a case failed.

T_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BOBSYNC=${BOBSYNC:-$T_ROOT/bobsync}
T_PASSED=0
T_FAILED=0
T_CUR=
T_CUR_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bobsync-test.XXXXXX")
T_CLEANUPS=
export LANG=C.UTF-8 TZ=UTC

t_on_exit() { T_CLEANUPS="$1; $T_CLEANUPS"; }
t_cleanup() { eval "$T_CLEANUPS" 2>/dev/null; rm -rf "$T_TMP"; }
# A suite stopped by a signal (tests/run.sh's timeout) cleans up and ends:
# going on after its folder is gone only piles up confusing failures.
trap t_cleanup EXIT
trap 't_cleanup; trap - EXIT; echo "stopped by a signal" >&2; exit 143' INT TERM

t_case() {
	t_end_case
	T_CUR=$1
	T_CUR_FAILED=0
	echo "[ RUN      ] $T_CUR"
}

t_end_case() {
	[ -z "$T_CUR" ] && return 0
	if [ "$T_CUR_FAILED" = 0 ]; then
		echo "[       OK ] $T_CUR"
		T_PASSED=$((T_PASSED + 1))
	else
		echo "[  FAILED  ] $T_CUR"
		T_FAILED=$((T_FAILED + 1))
	fi
	T_CUR=
}

t_fail() {
	echo "FAIL: $T_CUR: $*" >&2
	echo "FAIL: $T_CUR: $*"
	T_CUR_FAILED=1
}

# t_eq ACTUAL EXPECTED WHAT
t_eq() { [ "$1" = "$2" ] || t_fail "$3: expected '$2', got '$1'"; }
# t_contains HAYSTACK NEEDLE WHAT
t_contains() {
	case "$1" in *"$2"*) ;; *) t_fail "$3: '$2' not found in: $(printf '%s' "$1" | head -c 2000)" ;; esac
}
t_not_contains() {
	case "$1" in *"$2"*) t_fail "$3: '$2' should not appear" ;; *) ;; esac
}

# t_before_summary CMD: run CMD (it may add cases) when t_summary is called
t_before_summary() { T_SUMMARY_HOOKS="${T_SUMMARY_HOOKS:-}$1;"; }

t_summary() {
	t_end_case
	if [ -n "${T_SUMMARY_HOOKS:-}" ]; then
		eval "$T_SUMMARY_HOOKS"
		t_end_case
	fi
	echo "[==========] $((T_PASSED + T_FAILED)) test(s) run."
	echo "[  PASSED  ] $T_PASSED test(s)."
	if [ "$T_FAILED" -gt 0 ]; then
		echo "[  FAILED  ] $T_FAILED test(s)."
		exit 1
	fi
	exit 0
}
