# sandbox.sh - start the sandbox servers and point a throwaway bobsync home
# at them (sourced after testlib.sh).
#
#   sb_start [sandbox.py options]   start; sets SB_HIBOB_URL, SB_ASM_URL, SB_SCIM_URL,
#                                   SB_TOKEN_URL and the credentials below
#   sb_home [hibob|assembled|alleo ...]  fresh BOBSYNC_HOME with those credentials
#                                   stored (key-file vault) and the URLs configured
#   sb_ctl SERVER METHOD PATH [JSON]  call the control API (SERVER: hibob|assembled|scim)
#   sb_get FIELD                    a value from the state file ("hibob.token")
#   bs ARGS...                      run bobsync with the test home
#   sb_validate                     validate every answer the sandboxes of this
#                                   script gave against tests/schemas (run by
#                                   t_summary; SB_NO_SCHEMA=1 turns it off;
#                                   SB_KEEP_ANSWERS=DIR keeps the logs there)

SB_PY=${SB_PY:-/usr/bin/python3}

sb_get() {
	"$SB_PY" -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$SB_STATE" "$1"
}

# Every sandbox of a script logs its answers to its own file; t_summary
# validates them all in one node process (tests/node/validate.js).
SB_ANSWER_LOGS=
SB_STARTS=0
sb_validate() {
	[ -n "$SB_ANSWER_LOGS" ] || return 0
	if [ -n "${SB_KEEP_ANSWERS:-}" ]; then
		for f in $SB_ANSWER_LOGS; do
			[ -f "$f" ] && cp "$f" "$SB_KEEP_ANSWERS/$(basename "$0" .sh).$(basename "$f")"
		done
	fi
	[ "${SB_NO_SCHEMA:-0}" = 1 ] && return 0
	t_case "sandbox answers match the vendors' schemas (tests/schemas)"
	if ! command -v node >/dev/null 2>&1 || [ ! -d "$T_ROOT/tests/node/node_modules/ajv" ]; then
		t_fail "node or the npm packages of tests/node are missing: run 'make deps'"
		return 0
	fi
	sb_vout=$(node "$T_ROOT/tests/node/validate.js" $SB_ANSWER_LOGS 2>&1) ||
		t_fail "$(printf '%s' "$sb_vout" | head -40)"
}

sb_start() {
	SB_STATE=$T_TMP/sandbox-state.json
	rm -f "$SB_STATE"
	SB_STARTS=$((SB_STARTS + 1))
	SB_ANSWER_LOG=$T_TMP/answers.$SB_STARTS.jsonl
	[ -n "$SB_ANSWER_LOGS" ] || t_before_summary sb_validate
	SB_ANSWER_LOGS="$SB_ANSWER_LOGS $SB_ANSWER_LOG"
	"$SB_PY" "$T_ROOT/tests/sandbox/sandbox.py" --state-file "$SB_STATE" --lifetime 1800 \
		--answer-log "$SB_ANSWER_LOG" "$@" >"$T_TMP/sandbox.log" 2>&1 &
	SB_PID=$!
	t_on_exit "kill $SB_PID 2>/dev/null; wait $SB_PID 2>/dev/null"
	i=0
	while [ ! -s "$SB_STATE" ]; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$SB_PID" 2>/dev/null; then
			echo "sandbox did not start:" >&2
			cat "$T_TMP/sandbox.log" >&2
			return 1
		fi
		sleep 0.1
	done
	SB_HIBOB_URL=$(sb_get hibob.url)
	SB_HIBOB_ID=$(sb_get hibob.service_user_id)
	SB_HIBOB_TOKEN=$(sb_get hibob.token)
	SB_ASM_URL=$(sb_get assembled.url)
	SB_ASM_KEY=$(sb_get assembled.api_key)
	SB_SCIM_URL=$(sb_get scim.url)
	SB_TOKEN_URL=$(sb_get scim.token_url)
	SB_SCIM_ID=$(sb_get scim.client_id)
	SB_SCIM_SECRET=$(sb_get scim.client_secret)
	# shellcheck disable=SC2034 # for the scripts that source this file
	SB_TODAY=$(sb_get today)
}

bs() {
	"$BOBSYNC" "$@"
}

sb_home() {
	BOBSYNC_HOME=$T_TMP/home.$$.$(date +%s%N)
	export BOBSYNC_HOME
	unset BOBSYNC_PASSPHRASE_FILE CREDENTIALS_DIRECTORY
	mkdir -p "$BOBSYNC_HOME" && chmod 700 "$BOBSYNC_HOME"
	bs config set hibob.base_url "$SB_HIBOB_URL" >/dev/null || return 1
	bs config set assembled.base_url "$SB_ASM_URL" >/dev/null || return 1
	bs config set alleo.scim_url "$SB_SCIM_URL" >/dev/null || return 1
	bs config set alleo.token_url "$SB_TOKEN_URL" >/dev/null || return 1
	bs config set hibob.site_timezones "Amsterdam=Europe/Amsterdam,London=Europe/London,New York=America/New_York,San Francisco=America/Los_Angeles,Bengaluru=Asia/Kolkata" >/dev/null || return 1
	for what in "$@"; do
		case $what in
		hibob) printf '%s\n%s\n' "$SB_HIBOB_ID" "$SB_HIBOB_TOKEN" | bs credentials set hibob >/dev/null 2>&1 ;;
		assembled) printf '%s\n' "$SB_ASM_KEY" | bs credentials set assembled >/dev/null 2>&1 ;;
		alleo) printf '%s\n%s\n' "$SB_SCIM_ID" "$SB_SCIM_SECRET" | bs credentials set alleo >/dev/null 2>&1 ;;
		esac || { echo "storing $what credentials failed" >&2; return 1; }
	done
}

# sb_home_offline: a fresh home whose HiBob is a closed loopback port and
# whose credentials are placeholders, for commands that need no service
sb_home_offline() {
	BOBSYNC_HOME=$T_TMP/home
	export BOBSYNC_HOME
	mkdir -m 700 "$BOBSYNC_HOME" || return 1
	bs config set hibob.base_url http://127.0.0.1:9/v1 >/dev/null || return 1
	printf 'SERVICE-1\nnot-a-token\n' | bs credentials set hibob >/dev/null 2>&1
}

# sb_ctl SERVER METHOD PATH [JSON]
sb_ctl() {
	case $1 in
	hibob) base=${SB_HIBOB_URL%/v1} ;;
	assembled) base=${SB_ASM_URL%/v0} ;;
	scim) base=${SB_SCIM_URL%/scim/v2} ;;
	*) echo "sb_ctl: unknown server $1" >&2; return 2 ;;
	esac
	if [ -n "${4:-}" ]; then
		curl -sS -X "$2" -H 'Content-Type: application/json' --data "$4" "$base$3"
	else
		curl -sS -X "$2" "$base$3"
	fi
}

# jq-free JSON access for tests: json_get FILE_OR_- PYTHON_EXPR (j is the document)
json_get() {
	if [ "$1" = - ]; then
		"$SB_PY" -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
	else
		"$SB_PY" -c 'import json,sys; j=json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$2" "$1"
	fi
}
