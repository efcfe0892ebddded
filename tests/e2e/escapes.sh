#!/bin/sh
# escapes.sh - remote text never reaches the terminal raw (issue 17, item 2):
# ESC (CSI and OSC), BEL, C1 and DEL put into every remote field the sandbox
# lets us set (names, email, access value, Alleo user) come out of every
# command's human-readable output (stdout and stderr) replaced.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

sb_start --people 40 || exit 1
sb_home hibob assembled alleo || exit 1
bs config set alleo.mode scim >/dev/null
bs config set assembled.enabled true >/dev/null
OUT=$T_TMP/out
mkdir -p "$OUT"

# The nasties, as JSON escapes: CSI clear screen, OSC title ending in BEL,
# OSC 52 (clipboard) ending in ST, C1 CSI (U+009B), DEL, a new line.
CSI='\u001b[2J'
OSC='\u001b]0;owned\u0007'
OSC52='\u001b]52;c;ZWNobyBoaQ==\u001b\\'
C1='\u009b31m'
DEL='\u007f'
NL='\nforged line'

t_case "people with control characters in every remote field"
r=$(sb_ctl hibob POST /_control/person "{\"create\": true, \"firstName\": \"Eve$CSI$C1\", \"surname\": \"Mallory$OSC$DEL\", \"email\": \"eve$CSI@lumenfield.example\", \"department\": \"Sales\", \"site\": \"London\", \"lifecycle\": \"employed\", \"startDate\": \"$SB_TODAY\", \"alleo_access\": \"yes$OSC52\"}")
EVE_ID=$(printf '%s' "$r" | "$SB_PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ -n "$EVE_ID" ] || t_fail "no id for the person: $r"
r=$(sb_ctl hibob POST /_control/person "{\"create\": true, \"firstName\": \"Ada$NL\", \"surname\": \"Tab\\tby$C1\", \"email\": \"ada.tab@lumenfield.example\", \"department\": \"Sales\", \"site\": \"London\", \"lifecycle\": \"employed\", \"startDate\": \"$SB_TODAY\", \"alleo_access\": \"yes\"}")
sb_ctl scim POST /_control/users "{\"userName\": \"mallory$CSI@lumenfield.example\", \"externalId\": \"ext$OSC\", \"name\": {\"givenName\": \"M$C1\", \"familyName\": \"X$DEL\"}, \"emails\": [{\"value\": \"mallory$CSI@lumenfield.example\", \"primary\": true}], \"active\": true}" >/dev/null ||
	t_fail "adding the Alleo user"

t_case "--json keeps the data: a plan's name holds its C1, in valid JSON"
# (the man page: --json output leaves the escaping to JSON; before the
# sync below provisions Ada, so that the plan has her)
names=$(bs plan roster --json | "$SB_PY" -c 'import json,sys
j=json.load(sys.stdin)
print(" ".join(ascii(a["name"]) for a in j["actions"] if "Ada" in (a["name"] or "")))')
t_contains "$names" "\\x9b31m" "the C1 CSI of the surname, as it is"
t_contains "$names" "\\nforged line" "the new line of the first name, as JSON escapes it"

# every command, human-readable
i=0
for cmd in "check" "preview employees" "preview timeoff" "plan roster" "plan timeoff" \
	"explain $EVE_ID" "explain ada.tab@lumenfield.example" "sync roster" "sync all" \
	"status" "log" "access list" "config list" "credentials status" "daemon --once"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	bs $cmd >"$OUT/$i.out" 2>"$OUT/$i.err"
	echo "$cmd" >"$OUT/$i.cmd"
done
# explain by the email with the escape in it (as typed by a user)
bs explain "$(printf 'eve\033[2J@lumenfield.example')" >"$OUT/e.out" 2>"$OUT/e.err"
echo "explain <email>" >"$OUT/e.cmd"

t_case "no control byte in any output"
for f in "$OUT"/*.out "$OUT"/*.err; do
	n=${f%.*}
	# C0 except TAB and LF, DEL, and C1 as UTF-8 (C2 80..9F)
	if LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$f"; then
		t_fail "'$(cat "$n.cmd")' printed a control byte in $(basename "$f"): $(LC_ALL=C grep -a -o -P '.{0,20}[\x00-\x08\x0b-\x1f\x7f].{0,10}|.{0,20}\xc2[\x80-\x9f].{0,10}' "$f" | head -3 | od -c | head -5)"
	fi
done

t_case "the fields are still shown, with the controls replaced"
out=$(cat "$OUT"/*.out "$OUT"/*.err)
t_contains "$out" "Eve" "the first name"
t_not_contains "$out" "
forged line" "a new line inside a name does not start a line of its own"

t_summary
