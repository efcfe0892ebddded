#!/bin/sh
# style.sh - the house rules of docs/style.md that a text search can check.
# Each finding names the file, the line and the rule; exit 1 when there is one.
set -u
cd "$(dirname "$0")/../.." || exit 2
found=0
say() { echo "$1: $2"; found=1; }

# 1. Test-only declarations live in <module>_int.h (compiled with UNITTEST),
#    not in a public header.
for h in core/*/*.h ui/*.h app/*.h; do
	case $h in *_int.h) continue ;; esac
	grep -niE 'exposed (for|to) (the )?tests|for (the )?tests\b|tests check|test-only' "$h" |
	while IFS=: read -r n _; do
		echo "$h:$n: a test-only declaration in a public header (move it to ${h%.h}_int.h)"
	done
done > /tmp/style.$$
[ -s /tmp/style.$$ ] && { cat /tmp/style.$$; found=1; }

# 2. A header reads as one piece: no "added" sections.
grep -nE '^/\* *-{2,} *added' core/*/*.h ui/*.h app/*.h > /tmp/style.$$ 2>/dev/null
[ -s /tmp/style.$$ ] && { sed 's/$/  (an "added" section: put each declaration with its kind)/' /tmp/style.$$; found=1; }

# 3. Every header has an include guard.
for h in core/*/*.h ui/*.h app/*.h tests/unit/*.h; do
	[ -f "$h" ] || continue
	grep -qE '^#ifndef [A-Z0-9_]+_H$' "$h" || say "$h" "no include guard (#ifndef X_H)"
done

# 4. Outside core/, a core header is included with its folder.
for f in ui/*.[ch] app/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c tests/bench/*.c; do
	[ -f "$f" ] || continue
	grep -ohE '#include "[a-z_]+\.h"' "$f" | while read -r _ inc; do
		inc=${inc#\"}; inc=${inc%\"}
		ls core/*/"$inc" >/dev/null 2>&1 && echo "$f: includes \"$inc\" without its folder (core/.../$inc)"
	done
done > /tmp/style.$$
[ -s /tmp/style.$$ ] && { cat /tmp/style.$$; found=1; }

# 5. One verb per ownership: X_free takes T ** (frees and clears the
#    caller's pointer); what releases an embedded object's contents is X_clear.
grep -nE '^void [a-z_]+_free\((const )?struct [a-z_]+ \*[a-z_]+\)' core/*/*.h ui/*.h app/*.h > /tmp/style.$$ 2>/dev/null
[ -s /tmp/style.$$ ] && { sed 's/$/  (X_free takes T **; name it X_clear if it empties an embedded object)/' /tmp/style.$$; found=1; }

rm -f /tmp/style.$$
exit $found
