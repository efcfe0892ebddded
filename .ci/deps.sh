#!/bin/sh
# Install what bobsync needs to build, test and run its demo; quick when all is there.
# Usage: .ci/deps.sh [--check]   (--check only reports what is missing)
set -eu

# Debian package : what it provides
PKGS="gcc make pkg-config libncurses-dev libcurl4-openssl-dev libjansson-dev
libsodium-dev libsqlite3-dev libcmocka-dev libmicrohttpd-dev tmux python3 openssl mandoc
openssh-server openssh-client clang libclang-rt-14-dev valgrind procps curl cron"

# cron provides crontab, which tests/e2e/enable.sh runs for real ('bobsync
# enable cron'); systemd-analyze, when the machine has it, checks the unit.

# The shellcheck package lints the shell test scripts (make lint).
PKGS="$PKGS shellcheck"

# Node.js and npm run the third-party test peers (tests/node: the SCIMMY SCIM
# server and the ajv schema validator).  A machine that already has node and
# npm (from any source) keeps them; otherwise Debian's packages are installed.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $PKGS; do
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing="$missing $p"
		fi
	done
else
	cat >&2 <<'MSG'
bobsync: this is not a Debian-like system, so dependencies are not installed automatically.
Install these (names vary by distribution), then run make again:
  a C11 compiler, GNU make, pkg-config, ncursesw (with headers), libcurl built with
  OpenSSL and libssh2, Jansson, libsodium, SQLite 3, cmocka, tmux, Python 3, OpenSSL,
  mandoc, OpenSSH server and client, clang with its sanitizer/fuzzer runtime, valgrind.
MSG
	exit 1
fi

# The npm packages of tests/node, pinned by its package-lock.json; installed
# again only when the lock file is newer than what was installed.
node_peers() {
	dir=$(dirname "$0")/../tests/node
	stamp=$dir/node_modules/.package-lock.json
	[ -f "$stamp" ] && [ -z "$(find "$dir/package-lock.json" -newer "$stamp")" ] && return 0
	if [ "${1:-}" = "--check" ]; then
		echo "missing: npm packages of tests/node (npm ci)"
		return 1
	fi
	echo "Installing the npm packages of tests/node (npm ci)." >&2
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

if [ -z "$missing" ]; then
	node_peers "${1:-}"
	exit
fi

if [ "${1:-}" = "--check" ]; then
	echo "missing:$missing"
	exit 1
fi

if [ "$(id -u)" != 0 ]; then
	echo "bobsync: missing Debian packages:$missing" >&2
	echo "Run as root, or: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "Installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "Dependencies installed." >&2
node_peers
