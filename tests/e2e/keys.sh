#!/bin/sh
# keys.sh - where the vault key may live and how it is changed (issue 17,
# item 4): BOBSYNC_KEY_FILE, the systemd credential bobsync-key, and
# 'credentials rekey' (new data key; switching passphrase <-> key file).
. "$(dirname "$0")/../lib/testlib.sh"

export BOBSYNC_KDF=min
unset BOBSYNC_PASSPHRASE_FILE CREDENTIALS_DIRECTORY BOBSYNC_KEY_FILE
H=$T_TMP/home
mkdir -m 0700 "$H"
export BOBSYNC_HOME=$H
printf 'a passphrase for keys.sh\n' >"$T_TMP/pass"
chmod 0600 "$T_TMP/pass"

# opens: the vault can be unlocked (storing the Alleo pair needs that)
opens() { printf 'cid\nsecret\n' | "$BOBSYNC" credentials set alleo >"$T_TMP/o.out" 2>&1; }

t_case "rekey: the old key file no longer opens the vault"
printf 'id\ntoken\n' | "$BOBSYNC" credentials set hibob >/dev/null 2>&1 || t_fail "credentials set"
cp -p "$H/vault.key" "$T_TMP/old.key"
cp -p "$H/vault" "$T_TMP/old.vault"
out=$("$BOBSYNC" credentials rekey 2>&1)
t_eq $? 0 "rekey: $out"
cmp -s "$H/vault.key" "$T_TMP/old.key" && t_fail "the key file did not change"
opens || t_fail "the new key does not open the vault: $(cat "$T_TMP/o.out")"
BOBSYNC_KEY_FILE=$T_TMP/old.key opens
t_eq $? 4 "the old key file against the new vault"
[ -e "$H/vault.key.new" ] && t_fail "the temporary key file was left behind"

t_case "rekey --passphrase: switch to a passphrase; the key file is gone"
out=$(BOBSYNC_PASSPHRASE_FILE=$T_TMP/pass "$BOBSYNC" credentials rekey --passphrase 2>&1)
t_eq $? 0 "rekey --passphrase: $out"
[ -e "$H/vault.key" ] && t_fail "the key file is still there"
BOBSYNC_PASSPHRASE_FILE=$T_TMP/pass opens || t_fail "the passphrase does not open it"
out=$("$BOBSYNC" credentials status 2>&1)
t_contains "$out" "Protected by a passphrase" "status"

t_case "rekey --key-file: back to a key file; the passphrase no longer opens it"
out=$(BOBSYNC_PASSPHRASE_FILE=$T_TMP/pass "$BOBSYNC" credentials rekey --key-file 2>&1)
t_eq $? 0 "rekey --key-file: $out"
opens || t_fail "the new key file does not open it"
out=$("$BOBSYNC" credentials status --json 2>&1)
t_not_contains "$out" '"passphrase"' "no passphrase slot left"

t_case "BOBSYNC_KEY_FILE: the key file lives away from the vault"
H2=$T_TMP/home2
mkdir -m 0700 "$H2" "$T_TMP/keys"
chmod 0700 "$T_TMP/keys"
BOBSYNC_HOME=$H2 BOBSYNC_KEY_FILE=$T_TMP/keys/bobsync.key sh -c \
	"printf 'id\ntoken\n' | '$BOBSYNC' credentials set hibob" >/dev/null 2>&1 || t_fail "credentials set"
[ -f "$T_TMP/keys/bobsync.key" ] || t_fail "no key file at BOBSYNC_KEY_FILE"
[ -e "$H2/vault.key" ] && t_fail "a key file was written beside the vault"
BOBSYNC_HOME=$H2 BOBSYNC_KEY_FILE=$T_TMP/keys/bobsync.key opens || t_fail "it does not open"
BOBSYNC_HOME=$H2 opens
t_eq $? 4 "without the key file"
out=$(BOBSYNC_HOME=$H2 BOBSYNC_KEY_FILE=relative.key "$BOBSYNC" status 2>&1)
t_eq $? 2 "a relative BOBSYNC_KEY_FILE"

t_case "the key as a systemd credential (bobsync-key), readable through an ACL"
mkdir -m 0700 "$T_TMP/creds"
mv "$T_TMP/keys/bobsync.key" "$T_TMP/creds/bobsync-key"
chmod 0440 "$T_TMP/creds/bobsync-key"	# what systemd's ACL shows as
BOBSYNC_HOME=$H2 CREDENTIALS_DIRECTORY=$T_TMP/creds opens || t_fail "the credential does not open it: $(cat "$T_TMP/o.out")"
# the same mode outside the credential folder is refused
cp -p "$T_TMP/creds/bobsync-key" "$T_TMP/keys/loose.key"
BOBSYNC_HOME=$H2 BOBSYNC_KEY_FILE=$T_TMP/keys/loose.key opens
t_eq $? 4 "a 0440 key file outside the credential folder"

t_summary
