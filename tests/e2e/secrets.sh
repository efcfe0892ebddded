#!/bin/sh
# secrets.sh - after a full run with known secrets, none of them (nor the
# Basic-auth forms derived from them) appears in any output, log, settings
# file, the state store, or a process's command line or environment, and
# core files are off.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

sb_start --people 120 || exit 1
sb_home hibob assembled alleo || exit 1
OUT=$T_TMP/out
mkdir -p "$OUT"
PASS="correct horse battery staple $$"
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"

b64() { printf '%s' "$1" | base64 -w0; }
SECRETS="$SB_HIBOB_TOKEN
$SB_ASM_KEY
$SB_SCIM_SECRET
$PASS
$(b64 "$SB_HIBOB_ID:$SB_HIBOB_TOKEN")
$(b64 "$SB_ASM_KEY:")
$(b64 "$SB_SCIM_ID:$SB_SCIM_SECRET")"

# look for every secret in a file or directory; $2 names it
no_secret_in() {
	printf '%s\n' "$SECRETS" | while IFS= read -r s; do
		[ -n "$s" ] || continue
		if grep -r -a -q -F -- "$s" "$1" 2>/dev/null; then
			echo "LEAK"
			t_fail "a secret (${#s} chars, starts '$(printf '%s' "$s" | cut -c1-3)') appears in $2"
		fi
	done
}

t_case "a full run at debug level with every service"
bs config set log.level debug >/dev/null
bs config set alleo.mode scim >/dev/null
bs config set assembled.enabled true >/dev/null
i=0
for cmd in "check" "preview employees" "preview timeoff" "plan roster" "plan timeoff" \
	"sync all" "status" "log" "check --json" "status --json" "log --json" \
	"credentials status" "config list" "daemon --once"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	bs $cmd >"$OUT/$i.out" 2>"$OUT/$i.err"
	s=$?
	[ $s -le 3 ] || t_fail "bobsync $cmd exited $s: $(head -c 300 "$OUT/$i.err")"
done
no_secret_in "$OUT" "command output"

t_case "a wrong token is reported without being echoed"
printf '%s\n%s\n' "$SB_HIBOB_ID" "WRONG-$SB_HIBOB_TOKEN-X" | bs credentials set hibob >/dev/null 2>&1
bs check >"$OUT/wrong.out" 2>"$OUT/wrong.err"
t_eq "$?" 6 "exit status of check with a wrong token"
grep -q -F "WRONG-" "$OUT/wrong.out" "$OUT/wrong.err" && t_fail "the wrong token is echoed"
printf '%s\n%s\n' "$SB_HIBOB_ID" "$SB_HIBOB_TOKEN" | bs credentials set hibob >/dev/null 2>&1

t_case "credentials set --check: a rejected token is not stored (exit 6), the right one is"
printf '%s\n%s\n' "$SB_HIBOB_ID" "WRONG-$SB_HIBOB_TOKEN-X" |
	bs credentials set hibob --check >"$OUT/c1.out" 2>"$OUT/c1.err"
t_eq "$?" 6 "exit status when HiBob rejects the token"
t_contains "$(cat "$OUT/c1.err")" "HiBob did not accept it; the old token is kept" "says so"
grep -q -F "WRONG-" "$OUT/c1.out" "$OUT/c1.err" && t_fail "the rejected token is echoed"
bs check >/dev/null 2>&1
t_eq "$?" 0 "the old token is still there: check passes"
printf '%s\n%s\n' "$SB_HIBOB_ID" "$SB_HIBOB_TOKEN" |
	bs credentials set hibob --check >"$OUT/c2.out" 2>"$OUT/c2.err"
t_eq "$?" 0 "exit status with the right token"
t_contains "$(cat "$OUT/c2.out")" "accepted by HiBob" "stored and accepted"

t_case "nothing in the settings, the state store or its journal"
no_secret_in "$BOBSYNC_HOME" "BOBSYNC_HOME (settings, state.db, logs)"
# the vault itself must not hold them in the clear either
[ -f "$BOBSYNC_HOME/vault" ] || t_fail "no vault file"

t_case "a passphrase vault: the passphrase never shows"
rm -f "$BOBSYNC_HOME/vault" "$BOBSYNC_HOME/vault.key"
export BOBSYNC_PASSPHRASE_FILE="$T_TMP/passfile"
printf '%s\n%s\n' "$SB_HIBOB_ID" "$SB_HIBOB_TOKEN" | bs credentials set hibob >"$OUT/p1.out" 2>"$OUT/p1.err" ||
	t_fail "credentials set with a passphrase file: $(cat "$OUT/p1.err")"
bs check >"$OUT/p2.out" 2>"$OUT/p2.err"
no_secret_in "$OUT" "output with a passphrase vault"
no_secret_in "$BOBSYNC_HOME" "BOBSYNC_HOME with a passphrase vault"

t_case "the daemon's command line and environment hold no secret; core files are off"
# not through bs(): a function in the background is a subshell, and the
# signal must reach bobsync itself
BOBSYNC_TEST_POLL_SECONDS=1 "$BOBSYNC" daemon >"$OUT/d.out" 2>"$OUT/d.err" &
dpid=$!
t_on_exit "kill $dpid 2>/dev/null"
i=0
while ! grep -q "daemon started" "$OUT/d.err" && kill -0 $dpid 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 1
if kill -0 $dpid 2>/dev/null; then
	tr '\0' '\n' </proc/$dpid/cmdline >"$T_TMP/cmdline"
	tr '\0' '\n' </proc/$dpid/environ >"$T_TMP/environ" 2>/dev/null
	no_secret_in "$T_TMP/cmdline" "the daemon's command line"
	no_secret_in "$T_TMP/environ" "the daemon's environment"
	core=$(awk '/Max core file size/ {print $5}' /proc/$dpid/limits)
	t_eq "$core" 0 "core file size limit of the daemon"
	kill -TERM $dpid
	wait $dpid
	t_eq "$?" 0 "daemon exit status after SIGTERM"
else
	t_fail "the daemon did not stay up: $(head -c 300 "$OUT/d.err")"
fi
no_secret_in "$OUT" "daemon output"

t_case "credentials forget removes one service's secrets (vault_store) and keeps the others"
printf '%s\n%s\n' "$SB_SCIM_ID" "$SB_SCIM_SECRET" | "$BOBSYNC" credentials set alleo >/dev/null 2>&1 ||
	t_fail "the Alleo secrets could not be stored"
t_not_contains "$("$BOBSYNC" credentials status 2>&1 | grep 'alleo.client_secret')" "not stored" \
	"stored first"
"$BOBSYNC" credentials forget alleo >"$OUT/forget.out" 2>&1
t_eq "$?" 0 "forget exit status"
t_contains "$(cat "$OUT/forget.out")" "Removed the Alleo" "it says so"
s=$("$BOBSYNC" credentials status 2>&1)
t_contains "$(printf '%s\n' "$s" | grep 'alleo.client_secret')" "not stored" "the Alleo secret is gone"
t_contains "$(printf '%s\n' "$s" | grep 'alleo.client_id')" "not stored" "and its client id"
t_not_contains "$(printf '%s\n' "$s" | grep 'hibob.token')" "not stored" "HiBob's token stays"
unset BOBSYNC_PASSPHRASE_FILE

t_summary
