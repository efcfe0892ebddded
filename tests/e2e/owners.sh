#!/bin/sh
# owners.sh - StrictModes for the bobsync home (issue 17, item 1): folders
# and files another account owns or may change are refused before anything
# is read, from root's view and from a normal user's (run under other uids
# with setpriv; skipped when not root or setpriv is missing).
. "$(dirname "$0")/../lib/testlib.sh"

ME=4242		# the bobsync user in the normal-user cases
THEM=4243	# another local account
chmod 0711 "$T_TMP"
MARK=$T_TMP/ran-their-command

# as_uid UID CMD...: run as that uid (no supplementary groups)
as_uid() {
	u=$1
	shift
	setpriv --reuid "$u" --regid "$u" --clear-groups "$@"
}

# expect_refused STATUS OUTPUT PATH WHAT
expect_refused() {
	t_eq "$1" 2 "exit status ($4)"
	t_contains "$2" "$3" "the message names the path ($4)"
	case "$2" in *chown*|*chmod*) ;; *) t_fail "no fix (chown/chmod) in: $2" ;; esac
	[ -e "$MARK" ] && t_fail "the other account's alert.command ran ($4)"
}

if [ "$(id -u)" = 0 ]; then
t_case "root: a home folder another account created first is refused"
H=$T_TMP/root1
mkdir -m 0700 "$H"
chown "$THEM:$THEM" "$H"
out=$(BOBSYNC_HOME=$H "$BOBSYNC" status 2>&1)
expect_refused $? "$out" "$H" "home owned by uid $THEM"
t_contains "$out" "uid $THEM" "the owner is named"
out=$(BOBSYNC_HOME=$H "$BOBSYNC" config set alleo.mode csv 2>&1)
t_eq $? 2 "config set into their folder"
[ -e "$H/bobsync.conf" ] && t_fail "a settings file was written into their folder"

t_case "root: a 0644 bobsync.conf another account swapped in is refused"
H=$T_TMP/root2
mkdir -m 0700 "$H"
printf 'alert.command = touch %s\nhibob.base_url = https://evil.example/\n' "$MARK" >"$H/bobsync.conf"
chmod 0644 "$H/bobsync.conf"
chown "$THEM:$THEM" "$H/bobsync.conf"
for cmd in status "sync all" "config list"; do
	# shellcheck disable=SC2086
	out=$(BOBSYNC_HOME=$H "$BOBSYNC" $cmd 2>&1)
	expect_refused $? "$out" "$H/bobsync.conf" "$cmd"
done

else
	echo "skipping the cases with files of another uid: needs root"
fi

t_case "a bobsync.conf that is a symbolic link is refused"
H=$T_TMP/root3
mkdir -m 0700 "$H"
printf 'alleo.mode = csv\n' >"$T_TMP/elsewhere.conf"
ln -s "$T_TMP/elsewhere.conf" "$H/bobsync.conf"
out=$(BOBSYNC_HOME=$H "$BOBSYNC" status 2>&1)
t_eq $? 2 "exit status"
t_contains "$out" "symbolic link" "the reason"

t_case "a group-writable home folder is refused with the fix"
H=$T_TMP/root4
mkdir -m 0700 "$H"
chmod 0770 "$H"
out=$(BOBSYNC_HOME=$H "$BOBSYNC" status 2>&1)
t_eq $? 2 "exit status"
t_contains "$out" "chmod 700 $H" "the fix"

t_case "a passphrase file others may read, or a link to one, is refused (item 5)"
H=$T_TMP/root5
mkdir -m 0700 "$H"
printf 'a passphrase for the owners test\n' >"$T_TMP/pass"
chmod 0600 "$T_TMP/pass"
printf 'id\ntoken\n' | BOBSYNC_KDF=min BOBSYNC_HOME=$H BOBSYNC_PASSPHRASE_FILE=$T_TMP/pass \
	"$BOBSYNC" credentials set hibob >/dev/null 2>&1 || t_fail "credentials set with a passphrase"
out=$(BOBSYNC_HOME=$H BOBSYNC_PASSPHRASE_FILE=$T_TMP/pass "$BOBSYNC" credentials status 2>&1)
t_eq $? 0 "a 0600 passphrase file: $out"
chmod 0644 "$T_TMP/pass"
out=$(BOBSYNC_HOME=$H BOBSYNC_PASSPHRASE_FILE=$T_TMP/pass "$BOBSYNC" check 2>&1)
t_eq $? 4 "exit status with a 0644 passphrase file"
t_contains "$out" "chmod 600 $T_TMP/pass" "the fix"
chmod 0600 "$T_TMP/pass"
ln -s "$T_TMP/pass" "$T_TMP/pass.link"
out=$(BOBSYNC_HOME=$H BOBSYNC_PASSPHRASE_FILE=$T_TMP/pass.link "$BOBSYNC" check 2>&1)
t_eq $? 4 "exit status with a link as passphrase file"
t_contains "$out" "symbolic link" "the reason"
if [ "$(id -u)" = 0 ]; then
	chown "$THEM" "$T_TMP/pass"
	out=$(BOBSYNC_HOME=$H BOBSYNC_PASSPHRASE_FILE=$T_TMP/pass "$BOBSYNC" check 2>&1)
	t_eq $? 4 "exit status with their passphrase file"
	t_contains "$out" "uid $THEM" "the owner is named"
fi

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "skipping the normal-user cases: needs root and setpriv"
	t_summary
fi

U=$T_TMP/users
mkdir -m 0755 "$U"

t_case "user: own home, and root-owned settings, are accepted"
H=$U/mine
mkdir -m 0700 "$H"
printf 'alleo.mode = off\n' >"$H/bobsync.conf"
chmod 0600 "$H/bobsync.conf"
chown -R "$ME:$ME" "$H"
out=$(as_uid $ME env BOBSYNC_HOME="$H" "$BOBSYNC" config get alleo.mode 2>&1)
t_eq $? 0 "exit status with everything mine: $out"
t_eq "$out" off "the value"
chown 0:0 "$H/bobsync.conf"
chmod 0644 "$H/bobsync.conf"
out=$(as_uid $ME env BOBSYNC_HOME="$H" "$BOBSYNC" config get alleo.mode 2>&1)
t_eq $? 0 "exit status with a root-owned file: $out"

t_case "user: a bobsync.conf another account owns is refused"
chown "$THEM:$THEM" "$H/bobsync.conf"
out=$(as_uid $ME env BOBSYNC_HOME="$H" "$BOBSYNC" status 2>&1)
expect_refused $? "$out" "$H/bobsync.conf" "their file in my home"

t_case "user: the shared-folder attack (their folder, created first) is refused"
S=$U/shared
mkdir -m 1777 "$S"
as_uid $THEM mkdir -m 0777 "$S/bobsync-home"
as_uid $THEM sh -c "printf 'alert.command = touch %s\n' '$MARK' >'$S/bobsync-home/bobsync.conf'"
out=$(as_uid $ME env BOBSYNC_HOME="$S/bobsync-home" "$BOBSYNC" status 2>&1)
expect_refused $? "$out" "$S/bobsync-home" "their folder in /tmp"
t_contains "$out" "uid $THEM" "the owner is named"
# a folder of mine below a sticky shared folder is fine
as_uid $ME mkdir -m 0700 "$S/mine"
out=$(as_uid $ME env BOBSYNC_HOME="$S/mine" "$BOBSYNC" config set alleo.mode off 2>&1)
t_eq $? 0 "my own folder below a sticky one: $out"

t_case "user: a vault another account owns is refused"
H=$U/vault
mkdir -m 0700 "$H"
printf 'not a vault\n' >"$H/vault"
chmod 0644 "$H/vault"
chown -R "$ME:$ME" "$H"
chown "$THEM:$THEM" "$H/vault"
out=$(as_uid $ME env BOBSYNC_HOME="$H" "$BOBSYNC" credentials status 2>&1)
t_contains "$out" "$H/vault" "the vault is named"
t_contains "$out" "uid $THEM" "its owner is named"

t_summary
