#!/bin/sh
# layers.sh - the layering rules of core/ (docs/HACKING.md): each folder
# may include headers from the folders listed after it and from itself.
# core/ never includes curses; ui/ never includes curl or SQLite.
set -u
cd "$(dirname "$0")/../.." || exit 2
status=0

# folder: the folders it may include from
rules='
base:
config: base net
net: base
vendor: base net config
store: base
rules: base vendor
engine: base config net vendor store rules
admin: base config net vendor store rules engine
'

echo "$rules" | while IFS=: read -r dir may; do
	[ -n "$dir" ] || continue
	grep -HnoE '#include "[a-z]+/' "core/$dir"/*.[ch] 2>/dev/null |
	while IFS= read -r hit; do
		inc=${hit##*#include \"}
		inc=${inc%/}
		case " $dir $may " in
		*" $inc "*) ;;
		*) echo "${hit%%:#include*}: core/$dir may not include $inc/ (allowed:${may:- none})"
		   echo x ;;
		esac
	done
done | { grep -v '^x$' || true; } > /tmp/layers.$$
if [ -s /tmp/layers.$$ ]; then cat /tmp/layers.$$; status=1; fi
rm -f /tmp/layers.$$

for d in core/*/; do
	d=${d#core/}; d=${d%/}
	echo "$rules" | grep -q "^$d:" || { echo "core/$d: a folder with no layering rule in tests/lint/layers.sh"; status=1; }
done
if grep -lE '#include *<(n?curses|ncursesw/|form|menu|panel)' core/*/*.[ch] 2>/dev/null; then
	echo "core/ must not include curses"; status=1
fi
if grep -lE '#include *<(curl/|sqlite3)' ui/*.[ch] 2>/dev/null; then
	echo "ui/ must not call curl or SQLite"; status=1
fi
exit $status
