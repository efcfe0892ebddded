/* test_webhook.c - HiBob webhook signature, payload, queue and receiver. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <sodium.h>

#include "base/util.h"
#include "net/webhook.h"

static const unsigned char secret[] = "whsec-test-0123456789abcdef";
#define SECRET_LEN (sizeof secret - 1)

static const char approved[] =
    "{\"companyId\":637323,\"type\":\"timeoff.request.approved\","
    "\"triggeredBy\":\"3419283646526259215\",\"triggeredAt\":\"2026-12-06T09:29:00.831502\","
    "\"version\":\"v2\",\"data\":{\"timeoffRequestId\":32832853,"
    "\"employeeId\":\"3373576791477190995\","
    "\"getApi\":\"https://api.hibob.com/v1/timeoff/employees/3373576791477190995/requests/32832853\"}}";

/* ---- signature ---- */

static void
signature_good_bad_missing(void **state)
{
	char sig[WEBHOOK_SIG_LEN], other[WEBHOOK_SIG_LEN];
	char body[sizeof approved];
	size_t len = strlen(approved);
	(void)state;

	webhook_sign(secret, SECRET_LEN, approved, len, sig);
	assert_int_equal(strlen(sig), WEBHOOK_SIG_LEN - 1);
	assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, approved, len, sig), 1);
	/* blanks around the header value are allowed */
	{
		char padded[WEBHOOK_SIG_LEN + 4];

		snprintf(padded, sizeof padded, " %s ", sig);
		assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, approved, len, padded), 1);
	}
	/* missing or empty */
	assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, approved, len, NULL), 0);
	assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, approved, len, ""), 0);
	/* wrong secret */
	webhook_sign((const unsigned char *)"another secret", 14, approved, len, other);
	assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, approved, len, other), 0);
	/* the body changed by one byte */
	memcpy(body, approved, sizeof approved);
	body[len / 2] ^= 1;
	assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, body, len, sig), 0);
	/* one byte less */
	assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, approved, len - 1, sig), 0);
	/* not base64, truncated, URL-safe alphabet, hex */
	assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, approved, len, "!!!!"), 0);
	sig[40] = '\0';
	assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, approved, len, sig), 0);
	assert_int_equal(webhook_signature_ok(secret, SECRET_LEN, approved, len,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), 0);
	/* no secret never verifies */
	webhook_sign(secret, SECRET_LEN, approved, len, sig);
	assert_int_equal(webhook_signature_ok(NULL, 0, approved, len, sig), 0);
}

/* The value HiBob documents: base64 of HMAC-SHA512 of the body; checked
 * against libsodium's one-shot HMAC with a 32-byte key. */
static void
signature_is_hmac_sha512_base64(void **state)
{
	unsigned char key[crypto_auth_hmacsha512_KEYBYTES];
	unsigned char mac[crypto_auth_hmacsha512_BYTES];
	char want[WEBHOOK_SIG_LEN], got[WEBHOOK_SIG_LEN];
	(void)state;

	memset(key, 'k', sizeof key);
	crypto_auth_hmacsha512(mac, (const unsigned char *)"abc", 3, key);
	sodium_bin2base64(want, sizeof want, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
	webhook_sign(key, sizeof key, "abc", 3, got);
	assert_string_equal(got, want);
}

/* ---- payload ---- */

static const char *const fields[] = { "/work/custom/field_1711", "root.email" };

static void
parse_timeoff(void **state)
{
	struct webhook_event ev;
	struct bs_error err = { 0 };
	(void)state;

	assert_int_equal(webhook_parse(approved, strlen(approved), fields, 2, &ev, &err), BS_OK);
	assert_int_equal(ev.kind, WH_TIMEOFF);
	assert_string_equal(ev.type, "timeoff.request.approved");
	assert_true(ev.request_id == 32832853LL);
	assert_string_equal(ev.employee_id, "3373576791477190995");

	/* a request id as a string, no employee id */
	{
		const char b[] = "{\"type\":\"timeoff.request.cancelled\",\"data\":{\"timeoffRequestId\":\"77\"}}";

		assert_int_equal(webhook_parse(b, strlen(b), NULL, 0, &ev, &err), BS_OK);
		assert_true(ev.request_id == 77);
		assert_string_equal(ev.employee_id, "");
	}
	/* no request id, a zero or negative one */
	{
		const char *bad[] = {
			"{\"type\":\"timeoff.request.approved\",\"data\":{}}",
			"{\"type\":\"timeoff.request.approved\"}",
			"{\"type\":\"timeoff.request.approved\",\"data\":{\"timeoffRequestId\":0}}",
			"{\"type\":\"timeoff.request.approved\",\"data\":{\"timeoffRequestId\":-3}}",
			"{\"type\":\"timeoff.request.approved\",\"data\":{\"timeoffRequestId\":true}}",
		};
		size_t i;

		for (i = 0; i < ARRAY_LEN(bad); i++) {
			bs_error_clear(&err);
			assert_int_equal(webhook_parse(bad[i], strlen(bad[i]), NULL, 0, &ev, &err),
			    BS_ERR_PARSE);
			assert_non_null(strstr(err.detail, "request id"));
		}
	}
}

static void
parse_employee(void **state)
{
	struct webhook_event ev;
	struct bs_error err = { 0 };
	(void)state;

	{
		const char b[] = "{\"type\":\"employee.left\",\"data\":{\"employeeId\":\"42\"}}";

		assert_int_equal(webhook_parse(b, strlen(b), fields, 2, &ev, &err), BS_OK);
		assert_int_equal(ev.kind, WH_EMPLOYEE);
		assert_int_equal(ev.roster_relevant, 1);
		assert_string_equal(ev.employee_id, "42");
	}
	/* updated: the eligibility field named as a string, in dot form */
	{
		const char b[] = "{\"type\":\"employee.updated\",\"data\":{\"employeeId\":42,"
		    "\"fieldUpdates\":[\"work.title\",\"work.custom.field_1711\"]}}";

		assert_int_equal(webhook_parse(b, strlen(b), fields, 2, &ev, &err), BS_OK);
		assert_int_equal(ev.roster_relevant, 1);
		assert_string_equal(ev.employee_id, "42");
	}
	/* updated: as objects */
	{
		const char b[] = "{\"type\":\"employee.updated\",\"data\":{\"employeeId\":\"42\","
		    "\"fieldUpdates\":[{\"fieldId\":\"root.email\"}]}}";

		assert_int_equal(webhook_parse(b, strlen(b), fields, 2, &ev, &err), BS_OK);
		assert_int_equal(ev.roster_relevant, 1);
	}
	/* updated: only fields the roster does not read */
	{
		const char b[] = "{\"type\":\"employee.updated\",\"data\":{\"employeeId\":\"42\","
		    "\"fieldUpdates\":[\"work.title\",{\"fieldId\":\"home.mobilePhone\"}]}}";

		assert_int_equal(webhook_parse(b, strlen(b), fields, 2, &ev, &err), BS_OK);
		assert_int_equal(ev.kind, WH_EMPLOYEE);
		assert_int_equal(ev.roster_relevant, 0);
	}
	/* updated without a list: relevant (we cannot tell) */
	{
		const char b[] = "{\"type\":\"employee.updated\",\"data\":{\"employeeId\":\"42\"}}";

		assert_int_equal(webhook_parse(b, strlen(b), fields, 2, &ev, &err), BS_OK);
		assert_int_equal(ev.roster_relevant, 1);
	}
	/* no employee id */
	{
		const char b[] = "{\"type\":\"employee.left\",\"data\":{}}";

		assert_int_equal(webhook_parse(b, strlen(b), fields, 2, &ev, &err), BS_ERR_PARSE);
	}
}

static void
parse_ping_other_and_garbage(void **state)
{
	struct webhook_event ev;
	struct bs_error err = { 0 };
	const char *pings[] = { "Ping test", "Ping test\n", "\"Ping test\"",
	    "{\"text\":\"Ping test\"}" };
	const char *garbage[] = { "{", "[]", "42", "{\"data\":{}}", "null", "Ping", "\"x\"" };
	size_t i;
	(void)state;

	for (i = 0; i < ARRAY_LEN(pings); i++) {
		assert_int_equal(webhook_parse(pings[i], strlen(pings[i]), NULL, 0, &ev, &err), BS_OK);
		assert_int_equal(ev.kind, WH_PING);
	}
	{
		const char b[] = "{\"type\":\"table.entry.created\",\"data\":{\"employeeId\":\"1\"}}";

		assert_int_equal(webhook_parse(b, strlen(b), NULL, 0, &ev, &err), BS_OK);
		assert_int_equal(ev.kind, WH_OTHER);
	}
	for (i = 0; i < ARRAY_LEN(garbage); i++) {
		bs_error_clear(&err);
		assert_int_not_equal(webhook_parse(garbage[i], strlen(garbage[i]), NULL, 0, &ev,
		    &err), BS_OK);
	}
	/* duplicate keys are refused (which one would we believe?) */
	{
		const char b[] = "{\"type\":\"timeoff.request.approved\",\"data\":"
		    "{\"timeoffRequestId\":1,\"timeoffRequestId\":2}}";

		assert_int_equal(webhook_parse(b, strlen(b), NULL, 0, &ev, &err), BS_ERR_PARSE);
	}
	/* a type that does not fit */
	{
		char b[200];

		snprintf(b, sizeof b, "{\"type\":\"timeoff.request.%080d\",\"data\":{}}", 0);
		assert_int_equal(webhook_parse(b, strlen(b), NULL, 0, &ev, &err), BS_ERR_PARSE);
	}
}

/* ---- queue ---- */

static void
queue_dedupes_and_batches(void **state)
{
	struct webhook_queue *q = webhook_queue_new();
	struct webhook_event ev = { .kind = WH_TIMEOFF, .type = "timeoff.request.approved",
	    .request_id = 5 };
	struct webhook_batch b;
	struct webhook_stats st;
	(void)state;

	/* nothing queued: the wait times out */
	assert_int_equal(webhook_queue_wait(q, 20, 0), 0);
	webhook_queue_push(q, &ev, 100);
	strcpy(ev.employee_id, "e1");
	webhook_queue_push(q, &ev, 101);	/* a retry of the same event */
	ev.request_id = 6;
	webhook_queue_push(q, &ev, 102);
	ev.kind = WH_EMPLOYEE;
	ev.roster_relevant = 1;
	strcpy(ev.type, "employee.left");
	webhook_queue_push(q, &ev, 103);
	webhook_queue_push(q, &ev, 104);
	ev.roster_relevant = 0;
	strcpy(ev.employee_id, "e2");
	webhook_queue_push(q, &ev, 105);	/* counted, not queued */
	webhook_queue_reject(q);
	assert_int_equal(webhook_queue_wait(q, 1000, 1), 1);
	webhook_queue_take(q, &b);
	assert_int_equal(b.nrequests, 2);
	assert_true(b.request_ids[0] == 5 && b.request_ids[1] == 6);
	assert_string_equal(b.request_employees[0], "e1");	/* filled in by the retry */
	assert_int_equal(b.nemployees, 1);
	assert_string_equal(b.employees[0], "e1");
	assert_int_equal(b.overflowed, 0);
	webhook_batch_clear(&b);
	webhook_queue_stats(q, &st);
	assert_int_equal(st.accepted, 6);
	assert_int_equal(st.rejected, 1);
	assert_true(st.last_at == 105);
	assert_string_equal(st.last_type, "employee.left");
	/* taken: empty again */
	webhook_queue_take(q, &b);
	assert_int_equal(b.nrequests, 0);
	webhook_batch_clear(&b);
	webhook_queue_free(&q);
	assert_null(q);
}

static void
queue_overflow_says_so(void **state)
{
	struct webhook_queue *q = webhook_queue_new();
	struct webhook_event ev = { .kind = WH_TIMEOFF, .type = "timeoff.request.approved" };
	struct webhook_batch b;
	long long i;
	(void)state;

	for (i = 1; i <= WEBHOOK_QUEUE_MAX + 5; i++) {
		ev.request_id = i;
		webhook_queue_push(q, &ev, 1);
	}
	webhook_queue_take(q, &b);
	assert_int_equal(b.nrequests, WEBHOOK_QUEUE_MAX);
	assert_int_equal(b.overflowed, 1);
	webhook_batch_clear(&b);
	webhook_queue_free(&q);
}

/* ---- listen address ---- */

static void
listen_addresses(void **state)
{
	struct sockaddr_storage ss;
	unsigned len;
	struct bs_error err = { 0 };
	const char *bad[] = { "", "8787", "localhost:8787", "127.0.0.1:", "127.0.0.1:99999",
	    "[::1]8787", "[::1:8787", "1.2.3:80", "127.0.0.1:80x" };
	size_t i;
	(void)state;

	assert_int_equal(webhook_parse_listen("127.0.0.1:8787", &ss, &len, &err), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(webhook_parse_listen("[::1]:0", &ss, &len, &err), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(webhook_parse_listen(":8787", &ss, &len, &err), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		bs_error_clear(&err);
		assert_int_equal(webhook_parse_listen(bad[i], &ss, &len, &err), -1);
		assert_int_equal(err.rc, BS_ERR_CONFIG);
	}
}

/* ---- the receiver over loopback ---- */

struct srv {
	struct webhook_queue *q;
	struct webhook_server *s;
	char url[128];
	char last_log[600];
	int logs;
};

static void
srv_log(void *ctx, const char *line)
{
	struct srv *v = ctx;

	snprintf(v->last_log, sizeof v->last_log, "%s", line);
	v->logs++;
}

static int
srv_setup(void **state)
{
	struct srv *v = calloc(1, sizeof *v);
	struct webhook_server_opts o = { .listen = "127.0.0.1:0", .path = "/hibob/webhook",
	    .secret = secret, .secret_len = SECRET_LEN, .field_ids = fields, .nfield_ids = 2,
	    .max_connections = 8, .log = srv_log };
	struct bs_error err = { 0 };

	o.log_ctx = v;
	v->q = webhook_queue_new();
	if (webhook_server_start(&o, v->q, &v->s, &err) != BS_OK) {
		fprintf(stderr, "server: %s\n", err.detail);
		return -1;
	}
	snprintf(v->url, sizeof v->url, "http://127.0.0.1:%u/hibob/webhook",
	    webhook_server_port(v->s));
	*state = v;
	return 0;
}

static int
srv_teardown(void **state)
{
	struct srv *v = *state;

	webhook_server_stop(&v->s);
	webhook_queue_free(&v->q);
	free(v);
	return 0;
}

static size_t
sink(char *p, size_t n, size_t m, void *u)
{
	(void)p;
	(void)u;
	return n * m;
}

/* POST (or method) body with the given signature header (NULL: none);
 * returns the HTTP status. */
static long
post(const char *url, const char *method, const void *body, size_t len, const char *sig)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char hdr[200];
	long status = 0;

	if (sig != NULL) {
		snprintf(hdr, sizeof hdr, "Bob-Signature: %s", sig);
		h = curl_slist_append(h, hdr);
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (method != NULL)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (method == NULL || strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

static void
server_accepts_signed_event_once(void **state)
{
	struct srv *v = *state;
	char sig[WEBHOOK_SIG_LEN];
	struct webhook_batch b;
	struct webhook_stats st;
	size_t len = strlen(approved);

	webhook_sign(secret, SECRET_LEN, approved, len, sig);
	assert_int_equal(post(v->url, NULL, approved, len, sig), 200);
	/* HiBob's retry (a replay of the same body) is harmless */
	assert_int_equal(post(v->url, NULL, approved, len, sig), 200);
	assert_int_equal(webhook_queue_wait(v->q, 2000, 1), 1);
	webhook_queue_take(v->q, &b);
	assert_int_equal(b.nrequests, 1);
	assert_true(b.request_ids[0] == 32832853LL);
	assert_string_equal(b.request_employees[0], "3373576791477190995");
	webhook_batch_clear(&b);
	webhook_queue_stats(v->q, &st);
	assert_int_equal(st.accepted, 2);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(v->logs, 0);
}

static void
server_refuses_what_it_must(void **state)
{
	struct srv *v = *state;
	char sig[WEBHOOK_SIG_LEN], bad[WEBHOOK_SIG_LEN], changed[sizeof approved];
	char other_url[160];
	struct webhook_batch b;
	struct webhook_stats st;
	size_t len = strlen(approved);
	char *big;
	const char garbage[] = "{\"hello\":1}";
	char gsig[WEBHOOK_SIG_LEN];

	webhook_sign(secret, SECRET_LEN, approved, len, sig);
	/* no signature, wrong secret, body changed by one byte */
	assert_int_equal(post(v->url, NULL, approved, len, NULL), 401);
	assert_non_null(strstr(v->last_log, "no Bob-Signature"));
	webhook_sign((const unsigned char *)"wrong", 5, approved, len, bad);
	assert_int_equal(post(v->url, NULL, approved, len, bad), 401);
	memcpy(changed, approved, sizeof approved);
	changed[10] ^= 1;
	assert_int_equal(post(v->url, NULL, changed, len, sig), 401);
	assert_null(strstr(v->last_log, "timeoffRequestId"));	/* never the body */
	/* wrong method and path */
	assert_int_equal(post(v->url, "GET", NULL, 0, NULL), 405);
	assert_int_equal(post(v->url, "PUT", approved, len, sig), 405);
	snprintf(other_url, sizeof other_url, "%.*s/other", (int)(strlen(v->url) - strlen("/hibob/webhook")), v->url);
	assert_int_equal(post(other_url, NULL, approved, len, sig), 404);
	/* oversized: refused from Content-Length */
	big = malloc(WEBHOOK_BODY_MAX + 2);
	memset(big, ' ', WEBHOOK_BODY_MAX + 1);
	big[WEBHOOK_BODY_MAX + 1] = '\0';
	assert_int_equal(post(v->url, NULL, big, WEBHOOK_BODY_MAX + 1, sig), 413);
	free(big);
	/* signed but not an event */
	webhook_sign(secret, SECRET_LEN, garbage, strlen(garbage), gsig);
	assert_int_equal(post(v->url, NULL, garbage, strlen(garbage), gsig), 400);
	/* nothing queued by any of them */
	assert_int_equal(webhook_queue_wait(v->q, 50, 0), 0);
	webhook_queue_take(v->q, &b);
	assert_int_equal(b.nrequests, 0);
	webhook_batch_clear(&b);
	webhook_queue_stats(v->q, &st);
	assert_int_equal(st.accepted, 0);
	assert_int_equal(st.rejected, 8);
	assert_int_equal(v->logs, 8);
}

static void
server_needs_a_secret_and_an_address(void **state)
{
	struct webhook_queue *q = webhook_queue_new();
	struct webhook_server *s = NULL;
	struct bs_error err = { 0 };
	struct webhook_server_opts o = { .listen = "127.0.0.1:0" };
	(void)state;

	assert_int_equal(webhook_server_start(&o, q, &s, &err), BS_ERR_VAULT_MISSING);
	assert_null(s);
	o.secret = secret;
	o.secret_len = SECRET_LEN;
	o.listen = "nowhere";
	assert_int_equal(webhook_server_start(&o, q, &s, &err), BS_ERR_CONFIG);
	assert_null(s);
	webhook_queue_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signature_good_bad_missing),
		cmocka_unit_test(signature_is_hmac_sha512_base64),
		cmocka_unit_test(parse_timeoff),
		cmocka_unit_test(parse_employee),
		cmocka_unit_test(parse_ping_other_and_garbage),
		cmocka_unit_test(queue_dedupes_and_batches),
		cmocka_unit_test(queue_overflow_says_so),
		cmocka_unit_test(listen_addresses),
		cmocka_unit_test_setup_teardown(server_accepts_signed_event_once, srv_setup,
		    srv_teardown),
		cmocka_unit_test_setup_teardown(server_refuses_what_it_must, srv_setup,
		    srv_teardown),
		cmocka_unit_test(server_needs_a_secret_and_an_address),
	};
	int rc;

	if (sodium_init() < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
