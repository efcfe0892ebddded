#!/bin/sh
# install.sh - make install and make uninstall round-trip under DESTDIR.
. "$(dirname "$0")/../lib/testlib.sh"
D=$T_TMP/dest

t_case "make install puts binary, man page and unit files in place"
make -C "$T_ROOT" -s install DESTDIR="$D" PREFIX=/usr >"$T_TMP/install.log" 2>&1 ||
	t_fail "make install failed: $(tail -5 "$T_TMP/install.log")"
for f in usr/bin/bobsync usr/share/man/man1/bobsync.1 usr/lib/systemd/system/bobsync.service \
	usr/share/bobsync/passphrase.conf usr/share/bobsync/bobsync.cron; do
	[ -f "$D/$f" ] || t_fail "$f not installed"
done
[ -x "$D/usr/bin/bobsync" ] || t_fail "bobsync not executable"
grep -q '^ExecStart=/usr/bin/bobsync daemon$' "$D/usr/lib/systemd/system/bobsync.service" ||
	t_fail "unit file does not point at the installed binary"
grep -q '@BINDIR@' "$D/usr/lib/systemd/system/bobsync.service" && t_fail "unsubstituted @BINDIR@"
out=$("$D/usr/bin/bobsync" --version)
t_contains "$out" "bobsync" "installed binary runs"

t_case "the installed binary has no test hooks (issue 17 item 6)"
H=$T_TMP/hooks
mkdir -m 0700 "$H"
printf 'id\ntoken\n' | BOBSYNC_HOME=$H BOBSYNC_FAKE_NOW=2001-01-01T00:00:00Z \
	"$D/usr/bin/bobsync" credentials set hibob >/dev/null 2>&1 || t_fail "credentials set"
out=$(BOBSYNC_HOME=$H "$D/usr/bin/bobsync" credentials status --json 2>&1)
t_not_contains "$out" "2001-01-01" "BOBSYNC_FAKE_NOW in the installed binary"
printf 'cid\nsecret\n' | BOBSYNC_HOME=$H BOBSYNC_FAKE_NOW=2001-01-01T00:00:00Z "$BOBSYNC" \
	credentials set alleo >/dev/null 2>&1
out=$(BOBSYNC_HOME=$H "$BOBSYNC" credentials status --json 2>&1)
t_contains "$out" "2001-01-01" "BOBSYNC_FAKE_NOW in the test build"

t_case "the unit file has the hardening the design asks for"
u=$D/usr/lib/systemd/system/bobsync.service
for opt in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes LimitCORE=0 \
	StateDirectory=bobsync ConfigurationDirectory=bobsync; do
	grep -q "^$opt" "$u" || t_fail "$opt missing from the unit"
done
grep -q '^LoadCredentialEncrypted=bobsync-passphrase:' "$D/usr/share/bobsync/passphrase.conf" ||
	t_fail "passphrase drop-in lacks LoadCredentialEncrypted"

t_case "the unit reads the vault key from a systemd credential and caps memory (issue 17)"
grep -q '^LoadCredentialEncrypted=bobsync-key:/' "$u" || t_fail "no bobsync-key credential in the unit"
grep -q '^MemoryMax=' "$u" || t_fail "no MemoryMax= in the unit"
grep -q 'install -d -o bobsync -g bobsync -m 0700 /etc/bobsync' "$u" ||
	t_fail "the unit's steps do not create /etc/bobsync for the bobsync user"

t_case "systemd-analyze verify finds nothing to say about the unit"
if command -v systemd-analyze >/dev/null 2>&1; then
	# the installed binary path does not exist here: point it at the build
	mkdir -p "$T_TMP/verify"
	sed "s|^ExecStart=/usr/bin/bobsync|ExecStart=$BOBSYNC|" "$u" >"$T_TMP/verify/bobsync.service"
	out=$(systemd-analyze verify --man=no "$T_TMP/verify/bobsync.service" 2>&1 |
		grep -v -e 'is not executable' -e 'sysinit.target')
	t_eq "$out" "" "systemd-analyze verify output"
else
	echo "systemd-analyze not found: skipped"
fi

t_case "make uninstall removes everything it installed"
make -C "$T_ROOT" -s uninstall DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1 || t_fail "make uninstall failed"
left=$(find "$D" -type f | sed "s|^$D/||")
t_eq "$left" "" "files left after uninstall"

t_summary
