#!/bin/sh
# screens.sh - the console's data screens in a real terminal (tmux, 80x24,
# NO_COLOR), opened from the dashboard: employees (a filter, a sort order,
# the detail with the rule, alleo_access set through the API and read back
# with explain, the import CSV written), time off (sync and skip with the
# reasons, the event times), explain (by name, each rule, an unknown
# person), settings (a value refused with its reason and kept in the field,
# one saved), credentials (masked, confirmed, stored), and ? help on each.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/tmux.sh"

sb_start || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null
bs preview employees --json >"$T_TMP/emp.json" 2>/dev/null || { echo "preview failed" >&2; exit 1; }
# someone whose alleo_access is not set, with a one-of-a-kind email
UNSET=$(json_get "$T_TMP/emp.json" "[e['email'] for e in j['employees'] if e['access'] == 'unset' and e['email'] and sum(1 for f in j['employees'] if f['email'] and e['email'].lower() in f['email'].lower()) == 1][0]")
UNSET_NAME=$(json_get "$T_TMP/emp.json" "[e['name'] for e in j['employees'] if e['email'] == '$UNSET'][0]")
FIRST=$(json_get "$T_TMP/emp.json" "sorted([e['name'] for e in j['employees']], key=lambda n: n.casefold())[0]")

# the dashboard is on top (its header line, not a screen opened from it)
at_home() { [ "$(tm_screen | head -n 1 | sed 's/ *$//')" = " bobsync · Dashboard" ]; }
# open_screen KEY TEXT: from the dashboard, press KEY and wait for TEXT
open_screen() {
	i=0
	until at_home; do
		i=$((i + 1))
		[ $i -gt 300 ] && { t_fail "the dashboard is not on top: $(tm_screen)"; return 1; }
		sleep 0.1
	done
	tm_keys "$1"
	tm_wait "$2" 30
}
# Esc until the dashboard is back (a list's filter takes the first one)
back_home() {
	for i in 1 2 3; do
		tm_keys Escape
		sleep 0.3
		at_home && return 0
	done
	t_fail "Esc did not lead back to the dashboard: $(tm_screen)"
}

tm_start "$BOBSYNC"

t_case "employees: the counts, a filtered person with wide letters and the rule that decided"
open_screen e "people:"
s=$(tm_screen)
t_contains "$s" "320 people: " "counts"
t_contains "$s" "get an Alleo account" "counts words"
tm_keys / ; tm_type "Zoë Ł"
tm_wait "1 of 320"
tm_keys Enter
s=$(tm_screen)
t_contains "$s" "Zoë Łukasiewicz-Østergå" "the filtered person"
t_contains "$s" "Account: yes" "the detail"
t_contains "$s" "pass  alleo_access is yes" "the rule"

t_case "employees: a resize redraws the list at the new width, wide names still cut with …"
tm_resize 100 30
tm_wait "Lifecycle"
t_contains "$(tm_screen | sed -n 3p)" "Account" "column titles"
tm_resize 80 24
tm_wait "320 people: "
tm_wait "Østerg…"
s=$(tm_screen)
t_contains "$s" "320 people: " "counts after the resize"
t_contains "$s" "  Zoë Łukasiewicz-Østerg… " "wide name cut with an ellipsis"

t_case "employees: 1 sorts by name (again: reversed)"
tm_keys Escape
tm_gone "1 of 320"
tm_keys 1
tm_wait "Name ▲"
tm_keys g
sleep 0.3
t_contains "$(tm_screen | sed -n 4p)" "$(printf '%s' "$FIRST" | cut -c1-10)" "first row by name"
tm_keys 1
tm_wait "Name ▼"

t_case "employees: ? lists the screen's keys"
tm_keys "?"
tm_wait "Help: Employees"
t_contains "$(tm_screen)" "set alleo_access to yes or no" "bulk-set key"
tm_keys x
tm_gone "Help: Employees"

t_case "employees: alleo_access set to yes through the API for a selected person, read back"
tm_keys / ; tm_type "$UNSET"
tm_wait "1 of 320"
tm_keys Enter Space
tm_wait "1 selected"
tm_keys b
tm_wait "For 1 selected person"
tm_keys 1
tm_wait "in HiBob for 1 person?"
tm_keys y
tm_wait "set to yes (was unset)" 30
t_contains "$(tm_screen)" "1 changed, 0 already yes, 0 failed" "the result"
t_eq "$(bs explain "$UNSET" --json 2>/dev/null | json_get - 'j["source"]["access"]')" yes "HiBob holds yes"
tm_keys Escape
tm_wait "people:" 30
t_contains "$(tm_screen)" "yes      yes" "the list read again shows the new value"

t_case "employees: the import CSV for the filtered people with no (the filter kept through the bulk set)"
tm_wait "1 of 320"
t_contains "$(tm_screen)" "/$UNSET" "the filter survived the bulk set and the list read again"
tm_keys b
tm_wait "For 1 filtered person"
tm_keys 4
tm_wait "Save to"
tm_keys C-u; tm_type "$T_TMP/import.csv"; tm_keys Enter
tm_wait "Wrote "
t_eq "$(tr -d '\r' <"$T_TMP/import.csv")" "Email,alleo_access
$UNSET,no" "the file"
back_home

t_case "time off: sync and skip with the reasons and the event times"
open_screen t "will sync to Assembled" 
s=$(tm_screen)
t_contains "$s" "Start" "start column"
tm_keys 4 4 g
tm_wait "Sync ▼"
sleep 0.3
t_contains "$(tm_screen | sed -n 4p)" " sync " "sync rows first"
t_contains "$(tm_screen)" "Syncs to Assembled — approved" "the reason of a synced request"
tm_screen | grep -q "Event: [A-Z][a-z][a-z] [0-9]" || t_fail "the event start in words: $(tm_screen)"
t_not_contains "$(tm_screen)" "T00:00:00" "no ISO time in the detail"
tm_keys / ; tm_type "pending"
tm_wait "pending approval"
tm_keys Enter
t_contains "$(tm_screen)" "Skipped — pending approval" "a skipped request's reason"
back_home

t_case "explain: by name, each rule, what a sync would do; an unknown person"
open_screen x "Who?"
tm_type "$UNSET_NAME"; tm_keys Enter
tm_wait "Eligibility:" 30
s=$(tm_screen)
t_contains "$s" "In HiBob" "source values"
t_contains "$s" "[pass   ] alleo_access is yes" "the rule passes now"
tm_keys G
tm_wait "A sync now would:"
tm_keys n
tm_wait "Who?"
tm_type "nobody-at-all"; tm_keys Enter
tm_wait "no one with that name, email or id" 30
back_home

t_case "settings: a value refused with its reason and kept, then one saved"
open_screen o "settings in"
tm_keys / ; tm_type "prestart"; tm_keys Enter
tm_keys Enter
tm_wait "New value of alleo.prestart_days"
tm_keys C-u; tm_type "999"; tm_keys Enter
tm_wait "must be a whole number from 0 to 365"
t_contains "$(tm_screen)" " 999" "the value stays in the field"
t_eq "$(bs config get alleo.prestart_days)" 0 "nothing saved"
tm_keys C-u; tm_type "3"; tm_keys Enter
tm_wait "Saved alleo.prestart_days = 3."
t_eq "$(bs config get alleo.prestart_days)" 3 "saved to bobsync.conf"
back_home

t_case "credentials: masked entry, confirmed, stored"
open_screen k "In the vault"
before=$(bs credentials status --json | json_get - '[s for s in j["secrets"] if s["name"] == "assembled.api_key"][0]["stored_at"]')
tm_keys j Enter
tm_wait "New values for the Assembled API key"
tm_type "$SB_ASM_KEY"
t_not_contains "$(tm_screen)" "$SB_ASM_KEY" "the key is not shown"
tm_keys Enter
tm_wait "Replace the Assembled API key in the vault?"
tm_keys n
tm_wait "Nothing stored."
tm_keys Enter
tm_wait "Replace the Assembled API key in the vault?"
tm_keys y
tm_wait "Stored the Assembled API key"
after=$(bs credentials status --json | json_get - '[s for s in j["secrets"] if s["name"] == "assembled.api_key"][0]["stored_at"]')
[ "$after" != "$before" ] || t_fail "stored_at unchanged ($before)"
bs check --json >"$T_TMP/check.json" 2>/dev/null
t_eq "$(json_get "$T_TMP/check.json" '[c["status"] for c in j["checks"] if c["id"] == "assembled.auth"][0]')" pass "the stored key works"
back_home

t_summary
