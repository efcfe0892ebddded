#!/bin/sh
# sandbox_selftest.sh - the sandbox keeps following the API notes: every
# endpoint, quirk, scenario and fault kind (tests/sandbox/selftest.py).
. "$(dirname "$0")/../lib/testlib.sh"

t_case "sandbox self-test"
out=$(/usr/bin/python3 "$T_ROOT/tests/sandbox/selftest.py" 2>&1)
s=$?
printf '%s\n' "$out" | tail -3
t_eq "$s" 0 "selftest.py exit status: $(printf '%s' "$out" | grep -i fail | head -5)"

t_summary
