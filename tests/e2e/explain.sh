#!/bin/sh
# explain.sh - bobsync explain's text (now built by core/admin/explain.c, which
# the console's explain screen shares): the sections and their order, each
# rule with its result, the action of a sync, the same verdict as --json;
# a person not found (exit 1, the reason); a name or part of one that one
# person has is explained, one several have lists them (exit 2).
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

t_case "a name, or part of one, that one person has: explained straight away"
bs explain "$YES_NAME" >"$T_TMP/x.out" 2>"$T_TMP/x.err"
t_eq "$?" 0 "exit status ($(cat "$T_TMP/x.err"))"
t_contains "$(sed -n 1p "$T_TMP/x.out")" "<$YES>" "that person"
# the longest part of the name nobody else's name holds
part=$(json_get "$T_TMP/emp.json" "(lambda n, ns: [n[i:i+k] for k in range(len(n), 3, -1) for i in range(len(n)-k+1) if sum(n[i:i+k].lower() in m.lower() for m in ns) == 1][-1])('$YES_NAME', [e['name'] for e in j['employees']])")
bs explain "$part" >"$T_TMP/x.out" 2>/dev/null
t_eq "$?" 0 "exit status for '$part'"
t_contains "$(sed -n 1p "$T_TMP/x.out")" "<$YES>" "that person, by part of the name"

t_case "a part of a name several people have: they are listed, exit 2"
# a piece of three letters that two to ten names hold
SEV=$(json_get "$T_TMP/emp.json" "sorted((p for n in [e['name'] for e in j['employees']] for p in [n[i:i+3] for i in range(len(n)-2)] if p.isalpha() and 2 <= sum(p.lower() in m.lower() for m in [e['name'] for e in j['employees']]) <= 10))[0]")
want=$(json_get "$T_TMP/emp.json" "sum('$SEV'.lower() in e['name'].lower() for e in j['employees'])")
bs explain "$SEV" >"$T_TMP/x.out" 2>"$T_TMP/x.err"
t_eq "$?" 2 "exit status"
t_eq "$(cat "$T_TMP/x.out")" "" "stdout"
t_contains "$(cat "$T_TMP/x.err")" "$want people match '$SEV'" "how many"
t_eq "$(($(wc -l <"$T_TMP/x.err") - 2))" "$want" "one line each (after the sentence and the header)"
t_eq "$(bs explain "$SEV" --json 2>/dev/null | json_get - 'len(j["matches"])')" "$want" "--json lists them"

t_summary
