#!/bin/sh
# cli_outputs.sh - record what every bobsync command prints on the sandbox,
# and compare a later build with that record, so a refactoring can show it
# changed no output.  Not part of make check (outputs change on purpose
# when a text is reworded); run it around a change that must not:
#
#   tests/compat/cli_outputs.sh record DIR     run the commands, keep each
#                                              one's stdout, stderr and exit code in DIR
#   tests/compat/cli_outputs.sh compare DIR    run them again and diff with DIR
#                                              (exit 1 and the diff when anything differs)
#
# The sandbox company, its day and bobsync's clock are fixed (--today,
# BOBSYNC_FAKE_NOW), the sandbox addresses and the temporary folder are
# replaced by placeholders, and the few values that are new on each run
# (durations, plan ids, the vault's key) are masked, so two runs of the
# same build give the same bytes.
set -u
mode=${1:-}
dir=${2:-}
case $mode in
record|compare) [ -n "$dir" ] || { echo "usage: $0 record|compare DIR" >&2; exit 2; } ;;
*) echo "usage: $0 record|compare DIR" >&2; exit 2 ;;
esac
case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac

. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
export SB_NO_SCHEMA=1	# read by tests/lib/sandbox.sh

TODAY=2026-12-07
export BOBSYNC_FAKE_NOW=2026-12-07T09:00:00Z TZ=UTC LANG=C.UTF-8 COLUMNS=100 NO_COLOR=1
sb_start --today "$TODAY" --seed 7 --people 120 || exit 1
sb_home hibob assembled alleo || exit 1
# the commands below read more than HiBob's per-minute allowance: pacing
# is not what this compares
sb_ctl hibob POST /_control/ratelimit '{"off": true}' >/dev/null || exit 1

out=$T_TMP/out
mkdir -p "$out"
n=0
# run NAME ARGS...: run bobsync ARGS, keeping its outputs as NN-NAME.*
run() {
	name=$1; shift
	n=$((n + 1))
	f=$out/$(printf '%02d' $n)-$name
	bs "$@" >"$f.out" 2>"$f.err" </dev/null
	echo $? >"$f.rc"
	for x in out err; do
		sed -e "s#$SB_HIBOB_URL#<hibob>#g; s#$SB_ASM_URL#<assembled>#g" \
		    -e "s#$SB_SCIM_URL#<scim>#g; s#$SB_TOKEN_URL#<token>#g" \
		    -e "s#$BOBSYNC_HOME#<home>#g; s#$T_TMP#<tmp>#g; s#127\.0\.0\.1:[0-9]*#127.0.0.1:<port>#g" \
		    -e 's/[0-9][0-9]*\(\.[0-9]*\)\{0,1\} \{0,1\}\(ms\|s\)\b/<dur>/g' \
		    -e 's/"\(duration_ms\|elapsed_ms\|pid\)": *[0-9]*/"\1": <n>/g' \
		    -e 's/[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}/<uuid>/g' \
		    -e 's/\b[0-9a-f]\{12,64\}\b/<hex>/g' \
		    "$f.$x" >"$f.$x.tmp" && mv "$f.$x.tmp" "$f.$x"
	done
}

run status-unenabled status
run sync-unenabled sync all
bs config set alleo.mode scim >/dev/null || exit 1
bs config set assembled.enabled true >/dev/null || exit 1
email=$(bs preview employees --csv 2>/dev/null | sed -n '2p' | cut -d, -f1)

run help --help
run version --version
run usage-unknown frobnicate
run usage-bad-flag status --frob
run config-list config list
run config-list-json config list --json
run config-get config get hibob.base_url
run config-set-bad config set roster.schedule nonsense
run credentials-status credentials status
run credentials-status-json credentials status --json
run status-before status
run status-before-json status --json
run check check
run check-json check --json
run preview-employees preview employees
run preview-employees-json preview employees --json
run preview-employees-csv preview employees --csv
run preview-timeoff preview timeoff
run preview-timeoff-json preview timeoff --json
run plan-roster plan roster
run plan-roster-json plan roster --json
run plan-timeoff plan timeoff
run plan-timeoff-json plan timeoff --json
run sync-dry sync roster --dry-run
run sync-timeoff-dry sync timeoff --dry-run
run sync-all sync all
run sync-all-json sync all --json
run status-after status
run status-after-json status --json
run log log
run log-json log --json
run log-run log --run 1
run log-run-json log --run 1 --json
run log-person log --person "$email"
run explain explain "$email"
run explain-json explain "$email" --json
run explain-nobody explain nobody@example.invalid
run reconcile reconcile timeoff
run access-export access export "$T_TMP/access.csv"
run plan-roster-again plan roster

if [ "$mode" = record ]; then
	rm -rf "$dir" && mkdir -p "$dir" && cp "$out"/* "$dir"/ || exit 2
	echo "recorded $n commands in $dir"
	exit 0
fi
if diff -ru "$dir" "$out" >"$T_TMP/diff"; then
	echo "all $n commands print the same as recorded"
	exit 0
fi
cat "$T_TMP/diff"
echo "outputs differ from $dir"
exit 1
