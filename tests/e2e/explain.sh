#!/bin/sh
# explain.sh - bobsync explain's text (now built by core/admin/explain.c, which
# the console's explain screen shares): the sections and their order, each
# rule with its result, the action of a sync, the same verdict as --json;
# a person not found (exit 1, the reason); a name is not an identifier on
# the command line (only the console looks names up).
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

sb_start || exit 1
sb_home hibob || exit 1
bs preview employees --json >"$T_TMP/emp.json" 2>/dev/null || { echo "preview failed" >&2; exit 1; }
pick() { json_get "$T_TMP/emp.json" "[e['$2'] for e in j['employees'] if e['verdict'] == '$1' and e['email']][0]"; }
YES=$(pick eligible email)
YES_NAME=$(pick eligible name)
NO=$(pick ineligible id)

t_case "text: who, In HiBob, Eligibility with each rule, In Alleo, the sync's action"
bs explain "$YES" >"$T_TMP/x.out" 2>"$T_TMP/x.err" || t_fail "exit $?: $(cat "$T_TMP/x.err")"
t_eq "$(sed -n 1p "$T_TMP/x.out")" "$YES_NAME <$YES>, HiBob id $(json_get "$T_TMP/emp.json" "[e['id'] for e in j['employees'] if e['email'] == '$YES'][0]")" "first line"
t_eq "$(grep -v '^ ' "$T_TMP/x.out" | grep -v '^$' | cut -c1-12 | tr '\n' '|')" \
    "$(printf '%.12s|' "$YES_NAME <$YES>" "In HiBob" "Eligibility:" "In Alleo (al" "A sync now w")" "sections in order"
t_contains "$(cat "$T_TMP/x.out")" "Eligibility: eligible" "verdict"
t_eq "$(grep -c '^  \[pass   \] ' "$T_TMP/x.out")" 3 "three rules pass"
t_contains "$(cat "$T_TMP/x.out")" "  never sent to Alleo by bobsync" "target"
t_contains "$(tail -n 1 "$T_TMP/x.out")" "A sync now would: add (" "action"
t_eq "$(cat "$T_TMP/x.err")" "" "stderr"

t_case "text and --json agree for someone who does not get an account"
bs explain "$NO" >"$T_TMP/x.out" 2>/dev/null || t_fail "exit $?"
v=$(bs explain "$NO" --json 2>/dev/null | json_get - 'j["eligibility"]["verdict"]')
t_eq "$v" ineligible "json verdict"
t_contains "$(cat "$T_TMP/x.out")" "Eligibility: ineligible" "text verdict"
t_contains "$(cat "$T_TMP/x.out")" "  [fail   ] " "a failing rule"

t_case "no one by that email: exit 1 and the reason"
bs explain nobody@example.invalid >"$T_TMP/x.out" 2>"$T_TMP/x.err"
t_eq "$?" 1 "exit status"
t_eq "$(cat "$T_TMP/x.out")" "" "stdout"
t_contains "$(cat "$T_TMP/x.err")" "no one with that email or id is visible to the service user" "reason"

t_case "a name is not looked up on the command line"
bs explain "$YES_NAME" >/dev/null 2>&1
t_eq "$?" 1 "exit status"

t_summary
