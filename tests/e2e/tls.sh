#!/bin/sh
# tls.sh - the sandbox served over HTTPS with a throwaway test CA: accepted
# with tls.ca_file, refused without it, refused when the certificate names
# another host.  Keys are made here, in the test's temp folder, and never
# kept.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

P=$T_TMP/pki
mkdir -p "$P"
mkcert() { # NAME SAN
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
		-keyout "$P/$1.key" -out "$P/$1.csr" 2>/dev/null &&
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$2" >"$P/$1.ext" &&
	openssl x509 -req -in "$P/$1.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial \
		-days 1 -extfile "$P/$1.ext" -out "$P/$1.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj "/CN=bobsync test CA" -keyout "$P/ca.key" -out "$P/ca.pem" 2>/dev/null ||
	{ echo "openssl cannot make a CA"; exit 1; }
mkcert good "DNS:localhost,IP:127.0.0.1" || exit 1
mkcert wrong "DNS:other.invalid" || exit 1

hibob_status() { # the status of the hibob.auth check
	bs check --json 2>"$T_TMP/check.err" | json_get - \
		'[c["status"] for c in j["checks"] if c["id"]=="hibob.auth"][0]'
}

sb_start --people 30 --tls-cert "$P/good.pem" --tls-key "$P/good.key" || exit 1
sb_home hibob || exit 1

t_case "the sandbox URL is https"
t_contains "$SB_HIBOB_URL" "https://" "state file URL"

t_case "refused without tls.ca_file"
st=$(hibob_status)
t_eq "$st" fail "hibob.auth without the CA"
t_contains "$(bs check 2>&1)" "certificate" "the message names the certificate"

t_case "accepted with tls.ca_file"
bs config set tls.ca_file "$P/ca.pem" >/dev/null || t_fail "config set tls.ca_file"
st=$(hibob_status)
t_eq "$st" pass "hibob.auth with the CA: $(cat "$T_TMP/check.err")"

t_case "refused when the certificate names another host"
kill "$SB_PID"; wait "$SB_PID" 2>/dev/null
sb_start --people 30 --tls-cert "$P/wrong.pem" --tls-key "$P/wrong.key" || exit 1
bs config set hibob.base_url "$SB_HIBOB_URL" >/dev/null
printf '%s\n%s\n' "$SB_HIBOB_ID" "$SB_HIBOB_TOKEN" | bs credentials set hibob >/dev/null 2>&1
st=$(hibob_status)
t_eq "$st" fail "hibob.auth with a wrong host name"

t_case "plain http to a non-loopback host is refused before connecting"
bs config set hibob.base_url "http://hibob.example.com/v1" >"$T_TMP/set.out" 2>&1
s=$?
if [ $s -eq 0 ]; then
	bs check >"$T_TMP/c.out" 2>&1
	t_contains "$(cat "$T_TMP/c.out")" "https://" "the refusal says to use https"
else
	t_eq "$s" 2 "config set refuses an insecure URL"
	t_contains "$(cat "$T_TMP/set.out")" "https" "the refusal says to use https"
fi

t_summary
