#!/bin/sh
# startup.sh - the commands that only read local files (status, log, config,
# credentials status, --version) start without libcurl and libmicrohttpd and
# the ~30 libraries they bring: bobsync opens those when a command first uses
# them (core/net/lazylib.c), and its settings' addresses, when of the plain
# forms, are checked without them (http_url_quick); an address of another
# form is read by libcurl's parser, which opens it.  What the dynamic loader
# opens is read from LD_DEBUG=files (glibc).  No service is needed.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"	# bs and json_get; no server is started

sb_home_offline
bs config set assembled.base_url https://api.assembledhq.com/v0 >/dev/null
bs pause roster >/dev/null && bs resume roster >/dev/null	# makes the state store
[ -f "$BOBSYNC_HOME/state.db" ] || { echo "no state store was made" >&2; exit 1; }

# loaded CMD...: the libraries the dynamic loader opened for CMD, one a line
loaded() {
	LD_DEBUG=files "$BOBSYNC" "$@" 2>&1 >/dev/null </dev/null |
	    sed -n 's/.*file=\([^ ]*\) \[[0-9]*\];  \(needed\|dynamically\).*/\1/p' | sort -u
}

t_case "an address libcurl's parser reads opens libcurl (the check below can see it)"
libs=$(loaded config set alleo.scim_url 'https://[::1]:8443/scim/v2')
t_contains "$libs" "libcurl.so" "an IPv6 address opens libcurl"
t_contains "$libs" "libssl.so" "and what libcurl needs"
t_eq "$(bs config get alleo.scim_url)" "https://[::1]:8443/scim/v2" "and is accepted"
bs config unset alleo.scim_url >/dev/null

t_case "the commands that only read local files open neither libcurl nor libmicrohttpd"
for c in "--version" "status" "status --json" "log" "log --run 1" "log --result failed" \
    "log --person nobody@example.com" "config list" "config get hibob.base_url" \
    "credentials status"; do
	# shellcheck disable=SC2086  # the words of the command
	libs=$(loaded $c)
	t_contains "$libs" "libsqlite3.so" "$c: the loader was seen"
	t_not_contains "$libs" "libcurl" "$c: libcurl"
	t_not_contains "$libs" "libmicrohttpd" "$c: libmicrohttpd"
	t_not_contains "$libs" "libssl" "$c: OpenSSL"
done

t_case "the settings' addresses are still checked"
out=$(bs config set hibob.base_url http://api.hibob.com/v1 2>&1); rc=$?
t_eq "$rc" 2 "a plain http address elsewhere than loopback is refused"
t_contains "$out" "plain http:// is only allowed for loopback" "with the reason"
out=$(bs config set hibob.base_url http://127.0.0.1@evil.example/v1 2>&1); rc=$?
t_eq "$rc" 2 "a loopback address hiding another host is refused"
t_eq "$(bs config get hibob.base_url)" "http://127.0.0.1:9/v1" "the setting kept"

t_summary
