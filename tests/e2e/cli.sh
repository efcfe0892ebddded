#!/bin/sh
# cli.sh - the command line's parsing, done once by the command table in
# app/main.c (getopt_long): options stand before or after the operands, an
# option missing its value says what it needs, an option given to a
# subcommand that does not take it is refused, and an unknown word given to
# `credentials` is never echoed (it may be a secret).  No service is needed.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"	# bs; no server is started

BOBSYNC_HOME=$T_TMP/home
export BOBSYNC_HOME
mkdir -m 700 "$BOBSYNC_HOME"
bs config set hibob.base_url http://127.0.0.1:9/v1 >/dev/null

t_case "an option may stand before or after the operands"
a=$(bs config list --json)
b=$(bs config --json list)
t_eq "$b" "$a" "config --json list prints what config list --json prints"
t_contains "$a" '"settings"' "the JSON listing"

t_case "an option without its value says what it needs"
out=$(bs log --run 2>&1); rc=$?
t_eq "$rc" 2 "usage exit status"
t_contains "$out" "--run needs a run number" "the message"
out=$(bs preview timeoff --from 2>&1)
t_contains "$out" "--from needs a date (YYYY-MM-DD)" "the date option"
out=$(bs sync all --approve= 2>&1); rc=$?
t_eq "$rc" 2 "an empty value is a usage error"
t_contains "$out" "--approve needs the plan id" "and says so"

t_case "a command's --help prints its usage, and a usage error points there"
out=$(bs sync --help 2>&1); rc=$?
t_eq "$rc" 0 "exit status"
t_contains "$out" "bobsync sync roster|timeoff|all" "the sync line"
t_not_contains "$out" "bobsync status" "only that command's"
out=$(bs log roster -h 2>&1); rc=$?
t_eq "$rc" 0 "-h after an operand"
t_contains "$out" "bobsync log [--run N]" "the log line"
out=$(bs log --limit x 2>&1)
t_contains "$out" "Run 'bobsync log --help' for its usage." "the pointer"
out=$(bs config set log.level -- --help 2>&1); rc=$?
t_eq "$rc" 2 "after --, --help is an operand"

t_case "an option the subcommand does not take is refused"
out=$(bs config get hibob.base_url --json 2>&1); rc=$?
t_eq "$rc" 2 "usage exit status"
t_contains "$out" "unknown option '--json' for config get" "names the option and the subcommand"
out=$(bs preview employees --from 2026-01-01 2>&1); rc=$?
t_eq "$rc" 2 "--from is for preview timeoff only"
t_contains "$out" "for preview employees" "the message"
out=$(bs status --frob 2>&1); rc=$?
t_eq "$rc" 2 "an unknown option"
t_contains "$out" "unknown option '--frob'" "is named"

t_case "a word given to credentials is never echoed"
out=$(bs credentials set hibob --token=S3CRET-VALUE 2>&1 </dev/null); rc=$?
t_eq "$rc" 2 "usage exit status"
t_not_contains "$out" "S3CRET-VALUE" "the word is not repeated"
out=$(bs credentials set hibob S3CRET-VALUE 2>&1 </dev/null)
t_not_contains "$out" "S3CRET-VALUE" "nor an extra operand"

t_case "sync roster --json with alleo.mode pull: an object that says there is nothing to send"
bs config set alleo.mode pull >/dev/null
printf 'SERVICE-1\ntoken-not-checked\n' | bs credentials set hibob >/dev/null 2>&1
out=$(bs sync roster --json 2>/dev/null); rc=$?
t_eq "$rc" 0 "exit status"
t_eq "$(printf '%s' "$out" | json_get - "(j['target'], j['result'], j['applied'], j['run_id'])")" \
	"('roster', 'off', 0, None)" "the result object"
out=$(bs status --json); rc=$?
t_eq "$rc" 0 "status: a pull-only setup is configured (exit status)"
t_eq "$(printf '%s' "$out" | json_get - "j['configured']")" True "status --json: configured"
bs config unset alleo.mode >/dev/null

t_case "-- ends the options"
bs config set alert.command -- "-x --json" >/dev/null 2>&1
t_eq "$(bs config get alert.command)" "-x --json" "a value that starts with a dash is stored as it is"

t_summary
