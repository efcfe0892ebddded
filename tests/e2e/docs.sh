#!/bin/sh
# docs.sh - the man page, README and --help tell the truth: every setting in
# the settings table, every command and every environment variable the
# code reads is documented, and the man page is lint clean.
. "$(dirname "$0")/../lib/testlib.sh"
MAN=$T_ROOT/man/bobsync.1

t_case "man page is clean under mandoc -Tlint"
out=$(mandoc -Tlint -W warning "$MAN" 2>&1)
t_eq "$out" "" "mandoc -Tlint"

t_case "every setting in the table is in the man page"
keys=$(BOBSYNC_HOME=$T_TMP/home "$BOBSYNC" config list --json |
	python3 -c 'import json,sys; [print(o["key"]) for o in json.load(sys.stdin)["settings"]]')
[ -n "$keys" ] || t_fail "config list --json gave no settings"
n=0
for k in $keys; do
	n=$((n + 1))
	grep -q "^\.It Ic $k\( \|$\)\|, Ic $k\( \|$\)" "$MAN" || t_fail "setting $k is not in man/bobsync.1"
done
[ "$n" -ge 20 ] || t_fail "only $n settings listed"

t_case "every setting in the man page exists"
for k in $(sed -n 's/^\.It Ic \([a-z_]*\.[a-z_]*\).*/\1/p' "$MAN"); do
	printf '%s\n' "$keys" | grep -qx "$k" || t_fail "man page documents $k, which is not a setting"
done

t_case "every command in --help is in the man page"
cmds=$("$BOBSYNC" --help | sed -n 's/^  bobsync \([a-z]*\).*/\1/p' | sort -u)
[ -n "$cmds" ] || t_fail "--help lists no commands"
for c in $cmds; do
	grep -q "^\.It Nm Cm $c\( \|$\)" "$MAN" || t_fail "command $c is not in man/bobsync.1"
	grep -q "bobsync $c" "$T_ROOT/README.md" || t_fail "command $c is not in README.md"
done

t_case "every environment variable the code reads is documented"
vars=$(grep -ho 'getenv("[A-Z_]*")' "$T_ROOT"/core/*/*.c "$T_ROOT"/app/*.c "$T_ROOT"/ui/*.c 2>/dev/null |
	sed 's/getenv("\(.*\)")/\1/' | sort -u)
for v in $vars; do
	case $v in HOME|TERM|LANG|LC_ALL|LC_CTYPE|PATH|TMPDIR|COLUMNS|LINES|TZ|USER) continue ;; esac
	grep -q "$v" "$MAN" || t_fail "environment variable $v is not in man/bobsync.1"
done

t_case "man page quotes render balanced (no Ql swallowing the next one)"
# mandoc renders .Ql as ‘word’; a quote macro that encloses the next ones
# shows as ‘a, ‘b, ‘c’’’ on the page.  Each paragraph must open as many
# quotes as it closes, and never close two in a row.
# shellcheck disable=SC1112 # the typographic quotes are what is counted
bad=$(mandoc -Tutf8 "$MAN" | sed 's/.\x08//g' | awk '
	/^[[:space:]]*$/ { if (o != c) print para; o = c = 0; para = ""; next }
	{ para = para $0 "\n"; o += gsub(/‘/, "‘"); c += gsub(/’/, "’")
	  if ($0 ~ /’’/) print $0 }')
t_eq "$bad" "" "unbalanced quotes in the rendered man page"

t_case "--version prints the version"
out=$("$BOBSYNC" --version)
t_contains "$out" "bobsync " "--version"

t_summary
