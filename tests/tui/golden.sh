#!/bin/sh
# golden.sh - a golden capture (tmux capture-pane text, 80x24, NO_COLOR) of
# every console screen and state, compared line by line with the files in
# tests/tui/golden/: welcome, the setup steps (a refused token, failed
# checks with their remedies), the dashboard, employees, time off, explain,
# log, settings, credentials, the help overlays, the bulk-set question and
# a sync's progress and result.  The time is fixed (BOBSYNC_FAKE_NOW, the
# sandbox's --today, TZ=UTC) so the captures are the same on every run; the
# sandbox's ports are written as PPPPP, the ids Alleo makes up (UUIDs) as
# uuuuuuuu-..., and the test's folder (always under /tmp, so the captures cut
# long paths at the same place) as <tmp>.
#
# Every capture is also read for a line that ends in "…" inside a remedy,
# a question or a help text (a box's line, or a check's detail): that text
# must wrap, not be cut.
#
# After a deliberate change of a screen, write the captures again with
#   UPDATE_GOLDEN=1 sh tests/tui/golden.sh
# and commit tests/tui/golden/ with the change (review the diff).
TMPDIR=/tmp
export TMPDIR
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/tmux.sh"

GOLDEN_DIR=$T_ROOT/tests/tui/golden
GOLDEN_TODAY=2026-11-24
BOBSYNC_FAKE_NOW=${GOLDEN_TODAY}T09:00:00Z	# the CLI's too (credentials' dates)
export BOBSYNC_FAKE_NOW
TM_ENV="$TM_ENV BOBSYNC_FAKE_NOW=$BOBSYNC_FAKE_NOW"
UPDATE=${UPDATE_GOLDEN:-0}
GOLDEN_SEEN=

sb_start --today "$GOLDEN_TODAY" || exit 1

# the capture with what changes from run to run written as placeholders
normalized() {
	tm_screen | T_TMP=$T_TMP perl -CSD -Mutf8 -pe 's/\Q$ENV{T_TMP}\E/<tmp>/g;
		s/((?:127\.0\.0\.1|localhost):)(\d+)/$1 . ("P" x length($2))/ge;
		s/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/uuuuuuuu-uuuu-uuuu-uuuu-uuuuuuuuuuuu/g'
}

# no_cut_ellipsis NAME TEXT: fail when a line of a box (the text between
# its two │), of the help overlay, of a check's "What to do" or of the
# message line ends in "…": such text must wrap (or scroll), not be cut
no_cut_ellipsis() {
	bad=$(printf '%s\n' "$2" | perl -CSD -Mutf8 -ne '
		chomp; my $l = $_;
		if ($l =~ /│(.*)│/) { print "$l\n" if $1 =~ /…\s*$/; next }
		$help = 1 if $l =~ /^ Help: /;
		$remedy = 1 if $l =~ /What to do:/;
		print "$l\n" if ($help || $remedy || $. == 23) && $l =~ /…\s*$/;
		$help = 0 if $l =~ /closes this help/;')
	[ -z "$bad" ] || t_fail "$1: a remedy, question or help text is cut:
$bad"
}

# golden NAME: wait for the screen to settle, then compare it with
# tests/tui/golden/NAME.txt (or write it under UPDATE_GOLDEN=1)
golden() {
	tm_settle 20 || return 1
	cap=$(normalized)
	GOLDEN_SEEN="$GOLDEN_SEEN $1.txt"
	no_cut_ellipsis "$1" "$cap"
	if [ "$UPDATE" = 1 ]; then
		mkdir -p "$GOLDEN_DIR"
		printf '%s\n' "$cap" >"$GOLDEN_DIR/$1.txt"
		return 0
	fi
	if [ ! -f "$GOLDEN_DIR/$1.txt" ]; then
		t_fail "$1: no golden file; write it with UPDATE_GOLDEN=1 sh tests/tui/golden.sh"
		return 1
	fi
	printf '%s\n' "$cap" >"$T_TMP/$1.now"
	d=$(diff -u "$GOLDEN_DIR/$1.txt" "$T_TMP/$1.now") ||
		t_fail "$1 differs from tests/tui/golden/$1.txt (UPDATE_GOLDEN=1 writes it again):
$d"
}

# ---- setup, from a home with no credentials ----
BOBSYNC_HOME=$T_TMP/home
export BOBSYNC_HOME
mkdir -m 700 "$BOBSYNC_HOME"
bs config set hibob.base_url "$SB_HIBOB_URL" >/dev/null
bs config set assembled.base_url "$SB_ASM_URL" >/dev/null
bs config set hibob.site_timezones "Amsterdam=Europe/Amsterdam,London=Europe/London,New York=America/New_York,San Francisco=America/Los_Angeles,Bengaluru=Asia/Kolkata" >/dev/null

t_case "welcome (setup step 1) and its help"
tm_start "$BOBSYNC"
tm_wait "Step 1 of 8"
golden setup-1-welcome
tm_keys "?"
tm_wait "Help: Welcome"
golden setup-1-help
tm_keys x
tm_gone "Help: Welcome"

t_case "step 2: credentials, a token HiBob refuses"
tm_keys Enter
tm_wait "Step 2 of 8"
golden setup-2-credentials
tm_type "$SB_HIBOB_ID"
tm_keys Enter
tm_type "WRONG-$SB_HIBOB_TOKEN"
tm_keys Enter
tm_wait "a passphrase"
tm_keys Right
tm_wait "a key file"
golden setup-2-vault
tm_keys Enter
tm_wait "did not accept the ID or token" 30
golden setup-2-refused

t_case "step 3: the checks, a misnamed field failing with its remedy"
sb_ctl hibob POST /_control/scenario '{"name": "misnamed_field"}' >/dev/null
tm_keys C-u
tm_type "$SB_HIBOB_TOKEN"
tm_keys Enter
sleep 0.5
case "$(tm_screen)" in *"Step 3 of 8"*) ;; *) tm_keys Enter ;; esac
tm_wait "Step 3 of 8"
tm_wait "fail  The eligibility field" 30
golden setup-3-checks-failed
tm_keys j
tm_wait "alleo_access"
golden setup-3-remedy
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null
tm_keys r
tm_wait "pass  The eligibility field" 30
tm_gone "fail  " 30
golden setup-3-checks-passed

t_case "step 4: Alleo"
tm_keys Enter
sleep 1
if tm_screen | grep -q "Go on anyway"; then tm_keys y; fi
tm_wait "Step 4 of 8"
tm_wait "Fields read from HiBob" 30
golden setup-4-alleo
tm_keys Right Right
tm_wait "SCIM (bobsync pushes)"
tm_keys Enter C-u
tm_type "$SB_SCIM_URL"
tm_keys Enter C-u
tm_type "$SB_TOKEN_URL"
tm_keys Enter C-u
tm_type "$SB_SCIM_ID"
tm_keys Enter C-u
tm_type "$SB_SCIM_SECRET"
tm_keys Enter
tm_wait "Prestart days"
golden setup-4-alleo-settings
tm_keys Enter
tm_wait "found in HiBob:"
golden setup-4-budget-hint
tm_keys Enter
tm_wait "Step 5 of 8"
golden setup-5-assembled

t_case "step 5: Assembled"
tm_keys Space Enter
tm_type "$SB_ASM_KEY"
tm_keys F5
tm_wait "read from Assembled" 30
tm_keys Enter
tm_wait "Time-off type"
golden setup-5-assembled-settings
tm_keys Enter Enter C-u
tm_type "Europe/Berlin"
tm_keys Enter Enter C-u
tm_type "+90d"
tm_keys Enter
tm_wait "Step 6 of 8" 30

t_case "steps 6 and 7: who gets an account, which time off syncs"
tm_wait "320 people" 30
golden setup-6-employees
tm_keys Escape
sleep 0.5
tm_screen | grep -q "Enter goes on to the time-off preview" || tm_keys Escape
tm_wait "Enter goes on to the time-off preview"
tm_keys Enter
tm_wait "Step 7 of 8"
tm_wait "will sync to Assembled" 30
golden setup-7-timeoff
tm_stop

# ---- the console of a configured home ----
sb_home hibob assembled alleo || exit 1
mv "$BOBSYNC_HOME" "$T_TMP/configured"	# a name that is the same on every run
BOBSYNC_HOME=$T_TMP/configured
bs config set alleo.mode scim >/dev/null
bs config set assembled.enabled true >/dev/null
TM_SOCK=$TM_SOCK-dash

at_home() { [ "$(tm_screen | head -n 1 | sed 's/ *$//')" = " bobsync · Dashboard" ]; }
back_home() {
	for _ in 1 2 3; do
		tm_keys Escape
		sleep 0.3
		at_home && return 0
	done
	t_fail "Esc did not lead back to the dashboard: $(tm_screen)"
}

t_case "dashboard and its help"
tm_start "$BOBSYNC"
tm_wait "bobsync · Dashboard"
tm_wait "never run"
golden dashboard
tm_keys "?"
tm_wait "Help: Dashboard"
golden dashboard-help
tm_keys x
tm_gone "Help: Dashboard"

t_case "sync now: the plan, the question, the result"
tm_keys s
tm_wait "Sync which?"
golden sync-which
tm_keys 1
tm_wait "This is the plan" 60
golden sync-plan
tm_keys Enter
tm_wait "Apply these"
golden sync-confirm
tm_keys y
tm_wait "roster: run" 120
golden sync-result
back_home
tm_wait "Roster to Alleo"
golden dashboard-after-sync

t_case "employees: the list, the help, the bulk-set question"
tm_keys e
tm_wait "people:" 30
golden employees
tm_keys "?"
tm_wait "Help: Employees"
golden employees-help
tm_keys x
tm_gone "Help: Employees"
tm_keys Enter
golden employees-detail
tm_keys Escape
tm_wait "people:" 30
# a sort order and a filter of the admin's, kept through the bulk set
tm_keys 1
tm_wait "Name ▲"
tm_keys 1
tm_wait "Name ▼"
tm_keys /
tm_type "Łukas"
tm_keys Enter
tm_wait "1 of 320"
tm_keys b
tm_wait "For "
golden employees-bulk
tm_keys 1
tm_wait "in HiBob for"
golden employees-bulk-question
# HiBob refuses the change (403): the per-person result and its remedy
sb_ctl hibob POST /_control/scenario '{"name": "no_edit"}' >/dev/null
tm_keys y
tm_wait "failed" 60
golden employees-bulk-refused
sb_ctl hibob POST /_control/scenario '{"name": "default"}' >/dev/null
t_case "employees: the filter and the sort order survive the bulk set"
tm_keys Escape
tm_wait "people:" 30
tm_wait "1 of 320" 30
s=$(tm_screen)
t_contains "$s" "Name ▼" "the sort order"
t_contains "$s" "/Łukas" "the filter"
golden employees-after-bulk
back_home

t_case "time off and its help"
tm_keys t
tm_wait "will sync to Assembled" 30
golden timeoff
tm_keys "?"
tm_wait "Help: "
golden timeoff-help
tm_keys x
back_home

t_case "explain, log, settings, credentials"
tm_keys x
sleep 0.5
golden explain
back_home
tm_keys l
sleep 1
golden log
back_home
tm_keys o
sleep 0.5
golden settings
back_home
tm_keys k
sleep 0.5
golden credentials
back_home

t_case "Esc on the dashboard asks before leaving; No stays"
tm_keys Escape
tm_wait "Leave bobsync?"
golden dashboard-quit
tm_keys n
tm_gone "Leave bobsync?"
at_home || t_fail "No left the dashboard: $(tm_screen)"
tm_keys q
tm_wait "Leave bobsync?"
tm_keys y
tm_wait "[exited 0]"
tm_stop

t_case "under make demo the question says the sandbox and its home go"
TM_SOCK=$TM_SOCK-demo
tm_start "BOBSYNC_DEMO=1 $BOBSYNC"
tm_wait "bobsync · Dashboard"
tm_keys Escape
tm_wait "Leave the demo?"
golden dashboard-quit-demo
tm_keys y
tm_wait "[exited 0]"
tm_stop

t_case "make demo: leaving prints the demo's closing line once its home is gone"
TM_SOCK=$TM_SOCK-demosh
tm_start "DEMO_PEOPLE=20 sh $T_ROOT/tests/sandbox/demo.sh"
tm_wait "Press Enter" 30
tm_keys Enter
tm_wait "Step 1 of 8" 30
tm_keys Escape
tm_wait "bobsync demo: ended" 30
tm_wait "[exited 0]"
tm_stop

t_case "the demo banner fits 80 columns and names every sandbox scenario"
banner=$(DEMO_PEOPLE=20 sh "$T_ROOT/tests/sandbox/demo.sh" --banner 2>&1)
wide=$(printf '%s\n' "$banner" | perl -CSD -Mutf8 -ne 'chomp; print "$_\n" if length($_) > 80')
[ -z "$wide" ] || t_fail "banner lines wider than 80 columns:
$wide"
for sc in $("$SB_PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import hibob; print(" ".join(hibob.SCENARIOS))' "$T_ROOT/tests/sandbox"); do
	printf '%s\n' "$banner" | grep -q "^    $sc  " || t_fail "the banner does not list the scenario $sc"
done

# every golden file is made by a case above (none left from a screen that went)
t_case "no golden file without its screen"
for f in "$GOLDEN_DIR"/*.txt; do
	[ -f "$f" ] || continue
	case " $GOLDEN_SEEN " in *" $(basename "$f") "*) ;; *)
		if [ "$UPDATE" = 1 ]; then rm -f "$f"; else t_fail "$(basename "$f") is not captured any more"; fi ;;
	esac
done

t_summary
