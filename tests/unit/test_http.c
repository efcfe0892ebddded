/* test_http.c - the HTTP transport against the real fault server on loopback.
 *
 * Every test scripts tests/sandbox/faultserver.py, sends through http_send
 * with an instant fake clock (sleeps advance it and are recorded), then
 * checks what came back and, from GET /_log, what was actually sent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "helper_server.h"
#include "net/http.h"
#include "base/log.h"
#include "base/util.h"

#define FAULTSERVER "tests/sandbox/faultserver.py"

/* ---- fake clock ---- */

struct fake_clock {
	int64_t now;
	int64_t slept;		/* total of all sleeps */
	int nsleeps;
	uint32_t rnd;		/* what random() returns */
	int cancel_after_sleeps;	/* >0: cancel once this many sleeps happened */
	int cancel_always;
	int cancel_calls;
};

static struct fake_clock fk;
static struct test_server srv;

static int64_t
fk_now(void *ctx)
{
	return ((struct fake_clock *)ctx)->now;
}

static void
fk_sleep(void *ctx, int64_t ms)
{
	struct fake_clock *f = ctx;

	assert_true(ms > 0);
	assert_true(ms <= 200);		/* waits come in cancellable slices */
	f->now += ms;
	f->slept += ms;
	f->nsleeps++;
}

static uint32_t
fk_random(void *ctx)
{
	return ((struct fake_clock *)ctx)->rnd;
}

static int
fk_cancel(void *ctx)
{
	struct fake_clock *f = ctx;

	f->cancel_calls++;
	if (f->cancel_always)
		return 1;
	return f->cancel_after_sleeps > 0 && f->nsleeps >= f->cancel_after_sleeps;
}

static const struct http_clock fake = { fk_now, fk_sleep, fk_random, &fk };

/* ---- helpers ---- */

static void
base_opts(struct http_options *o)
{
	memset(o, 0, sizeof *o);
	o->connect_timeout_ms = 2000;
	o->total_timeout_ms = 5000;
	o->low_speed_time_s = 5;
	o->max_attempts = 5;
	o->backoff_base_ms = 100;
	o->backoff_cap_ms = 10000;
	o->max_total_wait_ms = 60000;
}

static struct http_client *
client(const struct http_options *o)
{
	struct http_options d;

	if (o == NULL) {
		base_opts(&d);
		o = &d;
	}
	return http_client_new(o, &fake);
}

static const char *
url(const char *path)
{
	static char buf[512];

	snprintf(buf, sizeof buf, "http://127.0.0.1:%d%s", srv.port, path);
	return buf;
}

static void
script(const char *json)
{
	char *r = test_http_post(srv.port, "/_script", json);

	assert_non_null(r);
	assert_non_null(strstr(r, "queued"));
	free(r);
}

/* The requests the server received, as a JSON array (caller decrefs). */
static json_t *
server_log(void)
{
	char *r = test_http_get(srv.port, "/_log");
	json_t *j;

	assert_non_null(r);
	j = json_loads(r, 0, NULL);
	free(r);
	assert_non_null(j);
	assert_true(json_is_array(j));
	return j;
}

static size_t
nrequests(void)
{
	json_t *j = server_log();
	size_t n = json_array_size(j);

	json_decref(j);
	return n;
}

/* Header `name` of logged request i (a copy, caller frees), or NULL. */
static char *
logged_header(size_t i, const char *name)
{
	json_t *j = server_log(), *h;
	const char *k;
	json_t *v;
	char *out = NULL;

	h = json_object_get(json_array_get(j, i), "headers");
	json_object_foreach(h, k, v) {
		if (strcasecmp(k, name) == 0)
			out = xstrdup(json_string_value(v));
	}
	json_decref(j);
	return out;
}

static int
reset_each(void **state)
{
	char *r;

	(void)state;
	memset(&fk, 0, sizeof fk);
	fk.now = 1000000;
	fk.rnd = UINT32_MAX;	/* full backoff: jitter at its ceiling */
	r = test_http_post(srv.port, "/_reset", "");
	assert_non_null(r);
	free(r);
	unsetenv("BOBSYNC_FAKE_NOW");
	return 0;
}

static int
teardown_each(void **state)
{
	(void)state;
	log_forget_secrets();
	unsetenv("BOBSYNC_FAKE_NOW");
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	return test_server_start(&srv, FAULTSERVER, NULL);
}

static int
group_teardown(void **state)
{
	(void)state;
	test_server_stop(&srv);
	return 0;
}

static bs_rc
do_get(struct http_client *c, const char *path, struct http_response *resp,
    struct bs_error *err)
{
	struct http_request req = { 0 };

	req.method = "GET";
	req.url = url(path);
	return http_send(c, &req, resp, err);
}

static bs_rc
do_post(struct http_client *c, const char *path, int idempotent,
    struct http_response *resp, struct bs_error *err)
{
	struct http_request req = { 0 };

	req.method = "POST";
	req.url = url(path);
	req.body = "{\"a\":1}";
	req.body_len = strlen(req.body);
	req.idempotent = idempotent;
	return http_send(c, &req, resp, err);
}

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ==== http_wait_hint_ms ==== */

static void
hint_null_and_garbage(void **state)
{
	(void)state;
	assert_int_equal(http_wait_hint_ms(NULL, NULL, 1700000000), -1);
	assert_int_equal(http_wait_hint_ms("", "", 1700000000), -1);
	assert_int_equal(http_wait_hint_ms("soon", NULL, 1700000000), -1);
	assert_int_equal(http_wait_hint_ms("5s", NULL, 1700000000), -1);
	assert_int_equal(http_wait_hint_ms("1.5", NULL, 1700000000), -1);
	assert_int_equal(http_wait_hint_ms(NULL, "later", 1700000000), -1);
	assert_int_equal(http_wait_hint_ms(NULL, "1.", 1700000000), -1);
	assert_int_equal(http_wait_hint_ms("Sun, 32 Nov 2023 08:49:37 GMT", NULL, 0), -1);
	assert_int_equal(http_wait_hint_ms("Sun, 06 Foo 2023 08:49:37 GMT", NULL, 0), -1);
	assert_int_equal(http_wait_hint_ms("Sun, 06 Nov 2023 08:49:37 PST", NULL, 0), -1);
}

static void
hint_retry_after_seconds(void **state)
{
	(void)state;
	assert_int_equal(http_wait_hint_ms("0", NULL, 1700000000), 0);
	assert_int_equal(http_wait_hint_ms("5", NULL, 1700000000), 5000);
	assert_int_equal(http_wait_hint_ms(" 7 ", NULL, 1700000000), 7000);
	assert_int_equal(http_wait_hint_ms("-3", NULL, 1700000000), 0);	/* clamped */
	assert_true(http_wait_hint_ms("99999999999999999999999", NULL, 0) > 0);	/* no overflow */
}

static void
hint_retry_after_date(void **state)
{
	(void)state;
	/* 1700000000 = Tue, 14 Nov 2023 22:13:20 GMT */
	assert_int_equal(http_wait_hint_ms("Tue, 14 Nov 2023 22:13:27 GMT", NULL, 1700000000),
	    7000);
	assert_int_equal(http_wait_hint_ms("Tuesday, 14-Nov-23 22:13:30 GMT", NULL, 1700000000),
	    10000);
	assert_int_equal(http_wait_hint_ms("Tue Nov 14 22:13:22 2023", NULL, 1700000000), 2000);
	/* a date in the past means "now" */
	assert_int_equal(http_wait_hint_ms("Sun, 06 Nov 1994 08:49:37 GMT", NULL, 1700000000),
	    0);
}

static void
hint_ratelimit_reset(void **state)
{
	(void)state;
	assert_int_equal(http_wait_hint_ms(NULL, "1700000004", 1700000000), 4000);	/* epoch */
	assert_int_equal(http_wait_hint_ms(NULL, "1699999000", 1700000000), 0);	/* past */
	assert_int_equal(http_wait_hint_ms(NULL, "2", 1700000000), 2000);		/* delta */
	assert_int_equal(http_wait_hint_ms(NULL, "1.5", 1700000000), 1500);
	assert_int_equal(http_wait_hint_ms(NULL, "0", 1700000000), 0);
	assert_int_equal(http_wait_hint_ms(NULL, "-2", 1700000000), 0);
}

static void
hint_takes_the_larger(void **state)
{
	(void)state;
	assert_int_equal(http_wait_hint_ms("1", "3", 1700000000), 3000);
	assert_int_equal(http_wait_hint_ms("9", "3", 1700000000), 9000);
	assert_int_equal(http_wait_hint_ms("junk", "3", 1700000000), 3000);
	assert_int_equal(http_wait_hint_ms("4", "junk", 1700000000), 4000);
}

/* ==== http_check_url ==== */

static void
url_null_and_garbage(void **state)
{
	struct bs_error err = { 0 };

	(void)state;
	assert_int_equal(http_check_url(NULL, &err), BS_ERR_INSECURE_URL);
	assert_true(err.detail[0] != '\0');
	assert_int_equal(http_check_url("", NULL), BS_ERR_INSECURE_URL);
	assert_int_equal(http_check_url("not a url", NULL), BS_ERR_INSECURE_URL);
	assert_int_equal(http_check_url("https://api.hibob.com/v1\r\nX: y", NULL),
	    BS_ERR_INSECURE_URL);
}

static void
url_https_accepted(void **state)
{
	(void)state;
	assert_int_equal(http_check_url("https://api.hibob.com/v1", NULL), BS_OK);
	assert_int_equal(http_check_url("HTTPS://api.assembledhq.com/v0", NULL), BS_OK);
	assert_int_equal(http_check_url("https://10.1.2.3:8443/x", NULL), BS_OK);
}

static void
url_http_loopback_accepted(void **state)
{
	(void)state;
	assert_int_equal(http_check_url("http://127.0.0.1:8080/v1", NULL), BS_OK);
	assert_int_equal(http_check_url("http://127.5.6.7/", NULL), BS_OK);
	assert_int_equal(http_check_url("http://[::1]:9000/x", NULL), BS_OK);
	assert_int_equal(http_check_url("http://localhost:1/", NULL), BS_OK);
	assert_int_equal(http_check_url("http://LOCALHOST/", NULL), BS_OK);
}

static void
url_http_elsewhere_refused(void **state)
{
	static const char *const bad[] = {
		"http://api.hibob.com/v1", "http://10.0.0.1/", "http://128.0.0.1/",
		"http://localhost.evil.example/", "http://127.0.0.1.nip.io/",
		"http://localhost./", "http://LOCALHOST.:8080/v1",
		"http://127.0.0.1@evil.example/", "http://[::2]/",
		"ftp://127.0.0.1/", "file:///etc/passwd", "gopher://localhost/",
	};
	struct bs_error err;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&err, 0, sizeof err);
		assert_int_equal(http_check_url(bad[i], &err), BS_ERR_INSECURE_URL);
		assert_non_null(strstr(err.detail, "https://"));
	}
	memset(&err, 0, sizeof err);
	http_check_url("http://api.hibob.com/v1", &err);
	assert_non_null(strstr(err.detail, "plain http:// is only allowed for loopback"));
}

/* The forms http_url_quick decides without libcurl, and that libcurl's
 * parser reads each of them the same way: a URL it accepts, the same scheme,
 * and a loopback host when it says http to loopback.  A fixed list, then
 * 40,000 URLs made of the characters that matter to a parser. */
static int
curl_class(const char *u)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL;
	unsigned char a4[4];
	int c = -2;

	assert_non_null(h);
	if (curl_url_set(h, CURLUPART_URL, u, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (strcmp(scheme, "https") == 0)
			c = 0;
		else if (strcmp(scheme, "http") == 0 && (strcasecmp(host, "localhost") == 0 ||
		    (inet_pton(AF_INET, host, a4) == 1 && a4[0] == 127)))
			c = 1;
		else
			c = -1;
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(h);
	return c;
}

static void
url_quick_agrees_with_libcurl(void **state)
{
	static const char *const fixed[] = {
		"https://api.hibob.com/v1", "HTTPS://api.assembledhq.com/v0", "https://10.1.2.3:8443/x",
		"http://127.0.0.1:8080/v1", "http://127.5.6.7/", "http://localhost:1/",
		"http://LOCALHOST/", "https://a", "https://a.-b..c:65535/?x#y", "https://a/b@c/d",
		"http://127.0.0.1:65535", "http://127.0.0.1/a@evil.example/",
	};
	static const char *const undecided[] = {
		"http://api.hibob.com/v1", "http://127.0.0.1@evil.example/", "http://127.1/",
		"http://0x7f.0.0.1/", "http://0177.0.0.1/", "http://localhost./",
		"http://[::1]:9000/x", "https://host:/x", "https://host:0/", "https://host:65536/",
		"https://host:08080/", "https://1.2.3/", "https://host\\@evil/", "https://h?x",
		"ftp://127.0.0.1/", "https://", "http:/127.0.0.1/", "https://h/\xc3\xa9",
	};
	static const char alphabet[] = "aZ1790x.-:/@[]\\?#%";
	static const char *const pre[] = { "http://", "https://", "HTTP://", "hTtPs://",
		"http://127.0.0.", "http://localhost" };
	uint32_t seed = 12345;
	char u[64];
	int decided = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(fixed); i++) {
		int q = http_url_quick(fixed[i]);
		if (q < 0)
			fail_msg("not decided without libcurl: %s", fixed[i]);
		if (curl_class(fixed[i]) != q)
			fail_msg("libcurl disagrees on %s", fixed[i]);
	}
	for (size_t i = 0; i < ARRAY_LEN(undecided); i++)
		if (http_url_quick(undecided[i]) != -1)
			fail_msg("decided without libcurl: %s", undecided[i]);
	for (int i = 0; i < 40000; i++) {
		size_t n, len;
		int q;
		seed = seed * 1103515245u + 12345u;
		n = strlen(pre[(seed >> 16) % ARRAY_LEN(pre)]);
		memcpy(u, pre[(seed >> 16) % ARRAY_LEN(pre)], n);
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % 24;
		for (size_t k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly host-like characters, so that many are decided */
			u[n++] = (seed >> 16) % 8 ? "a1.7/"[(seed >> 20) % 5] :
			    alphabet[(seed >> 20) % (sizeof alphabet - 1)];
		}
		u[n] = '\0';
		q = http_url_quick(u);
		if (q < 0)
			continue;
		decided++;
		if (curl_class(u) != q)
			fail_msg("libcurl disagrees on %s (quick: %d)", u, q);
	}
	assert_true(decided > 3000);
}

/* ==== http_send: arguments and what is sent ==== */

static void
send_null_and_invalid(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct http_header h = { "X-Test", "a\r\nInjected: 1" };
	struct bs_error err = { 0 };
	struct http_stats st;

	(void)state;
	assert_int_equal(http_send(NULL, &req, &resp, &err), BS_ERR_INVALID);
	assert_int_equal(http_send(c, NULL, &resp, &err), BS_ERR_INVALID);
	req.method = "GET";
	req.url = url("/x");
	assert_int_equal(http_send(c, &req, NULL, &err), BS_ERR_INVALID);
	req.method = "BREW";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_INVALID);
	req.method = "GET";
	req.headers = &h;
	req.nheaders = 1;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_INVALID);
	assert_non_null(strstr(err.detail, "line break"));
	req.headers = NULL;
	req.nheaders = 0;
	req.bearer = "tok\nen";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_INVALID);
	/* nothing reached the server */
	assert_int_equal(nrequests(), 0);
	http_get_stats(c, &st);
	assert_int_equal(st.requests, 0);
	http_client_free(&c);
	assert_null(c);
	http_client_free(&c);	/* twice is harmless */
	http_client_free(NULL);
}

static void
send_insecure_url_refused_before_connecting(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };
	struct http_stats st;

	(void)state;
	req.method = "GET";
	/* port 9 of a documentation address: a connection would hang or fail
	 * differently; the refusal must come first */
	req.url = "http://192.0.2.1:9/v1/people";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_INSECURE_URL);
	assert_non_null(strstr(err.detail, "use https://"));
	assert_int_equal(resp.attempts, 0);
	http_get_stats(c, &st);
	assert_int_equal(st.requests, 0);
	http_client_free(&c);
}

static void
send_200_with_body(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	char *ua, *accept;

	(void)state;
	script("[{\"status\":200,\"body\":\"{\\\"people\\\":[1,2,3]}\"}]");
	assert_int_equal(do_get(c, "/v1/people", &resp, &err), BS_OK);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body, "{\"people\":[1,2,3]}");
	assert_int_equal(resp.body_len, strlen("{\"people\":[1,2,3]}"));
	assert_string_equal(resp.content_type, "application/json");
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(err.http_status, 200);
	assert_int_equal(fk.slept, 0);
	ua = logged_header(0, "User-Agent");
	accept = logged_header(0, "Accept");
	assert_non_null(ua);
	assert_true(strncmp(ua, "bobsync/", 8) == 0);
	assert_string_equal(accept, "application/json");
	free(ua);
	free(accept);
	http_response_clear(&resp);
	assert_null(resp.body);
	http_client_free(&c);
}

static void
send_with_default_clock(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	char *ua;
	int64_t t0;

	(void)state;
	/* all defaults */
	c = http_client_new(NULL, NULL);
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	http_client_free(&c);
	/* the real clock sleeps for real, briefly */
	base_opts(&o);
	o.backoff_base_ms = 50;
	o.user_agent = "bobsync-test/9";
	c = http_client_new(&o, NULL);
	script("[{\"status\":503},{\"status\":200}]");
	t0 = monotonic_ms();
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 2);
	assert_true(monotonic_ms() - t0 < 1000);
	ua = logged_header(1, "User-Agent");
	assert_string_equal(ua, "bobsync-test/9");
	free(ua);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* The answer hook (check --record) sees the last attempt of every request,
 * error statuses included, and nothing once it is removed. */
struct seen_answers {
	int n;
	char method[8];
	char url[128];
	long status[4];
	char body[4][64];
};

static void
note_answer(void *ctx, const char *method, const char *u, long status, const char *body,
    size_t len)
{
	struct seen_answers *s = ctx;

	if (s->n >= 4)
		return;
	snprintf(s->method, sizeof s->method, "%s", method);
	snprintf(s->url, sizeof s->url, "%s", u);
	s->status[s->n] = status;
	snprintf(s->body[s->n], sizeof s->body[0], "%.*s", (int)len, body ? body : "");
	s->n++;
}

static void
answer_hook(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	struct seen_answers seen = { 0 };

	(void)state;
	http_set_answer_hook(c, note_answer, &seen);
	script("[{\"status\":503},{\"status\":200,\"body\":\"{\\\"a\\\":1}\"},"
	    "{\"status\":404,\"body\":\"{\\\"error\\\":\\\"gone\\\"}\"},"
	    "{\"status\":200,\"body\":\"{}\"}]");
	assert_int_equal(do_get(c, "/x?q=1", &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(do_get(c, "/y", &resp, &err), BS_ERR_NOT_FOUND);
	assert_int_equal(seen.n, 2);	/* the 503 was retried: only the answer that counted */
	assert_int_equal(seen.status[0], 200);
	assert_string_equal(seen.body[0], "{\"a\":1}");
	assert_int_equal(seen.status[1], 404);
	assert_string_equal(seen.body[1], "{\"error\":\"gone\"}");
	assert_string_equal(seen.method, "GET");
	assert_string_equal(seen.url, url("/y"));
	http_set_answer_hook(c, NULL, NULL);
	assert_int_equal(do_get(c, "/z", &resp, &err), BS_OK);
	assert_int_equal(seen.n, 2);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
send_2xx_variants(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	script("[{\"status\":201,\"body\":\"{\\\"id\\\":7}\"},{\"status\":202},"
	    "{\"status\":204},{\"status\":200,\"chunked\":true,\"body_size\":100000}]");
	assert_int_equal(do_post(c, "/create", 0, &resp, &err), BS_OK);
	assert_int_equal(resp.status, 201);
	assert_string_equal(resp.body, "{\"id\":7}");
	assert_int_equal(do_get(c, "/accepted", &resp, &err), BS_OK);
	assert_int_equal(resp.status, 202);
	assert_int_equal(do_get(c, "/nocontent", &resp, &err), BS_OK);
	assert_int_equal(resp.status, 204);
	assert_non_null(resp.body);
	assert_int_equal(resp.body_len, 0);
	assert_int_equal(do_get(c, "/chunked", &resp, &err), BS_OK);
	assert_int_equal(resp.body_len, 100000);
	assert_int_equal(strlen(resp.body), 100000);
	assert_int_equal(resp.attempts, 1);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
send_post_body_and_headers(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct http_header h[] = { { "X-Request-Id", "abc-123" } };
	struct bs_error err = { 0 };
	json_t *log, *e;
	char *v;

	(void)state;
	req.method = "PATCH";
	req.url = url("/v1/people/42");
	req.body = "{\"x\":\"y\"}";
	req.body_len = strlen(req.body);
	req.content_type = "application/merge-patch+json";
	req.headers = h;
	req.nheaders = 1;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	req.method = "PUT";
	req.body = NULL;
	req.body_len = 0;
	req.headers = NULL;
	req.nheaders = 0;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	req.method = "DELETE";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);

	log = server_log();
	assert_int_equal(json_array_size(log), 3);
	e = json_array_get(log, 0);
	assert_string_equal(json_string_value(json_object_get(e, "method")), "PATCH");
	assert_string_equal(json_string_value(json_object_get(e, "path")), "/v1/people/42");
	assert_string_equal(json_string_value(json_object_get(e, "body")), "{\"x\":\"y\"}");
	e = json_array_get(log, 1);
	assert_string_equal(json_string_value(json_object_get(e, "method")), "PUT");
	assert_int_equal(json_integer_value(json_object_get(e, "body_len")), 0);
	e = json_array_get(log, 2);
	assert_string_equal(json_string_value(json_object_get(e, "method")), "DELETE");
	json_decref(log);
	v = logged_header(0, "Content-Type");
	assert_string_equal(v, "application/merge-patch+json");
	free(v);
	v = logged_header(0, "X-Request-Id");
	assert_string_equal(v, "abc-123");
	free(v);
	v = logged_header(1, "Content-Length");
	assert_string_equal(v, "0");
	free(v);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
send_basic_and_bearer_auth(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };
	char *v;

	(void)state;
	req.method = "GET";
	req.url = url("/v1/people");
	req.username = "svc-user-1";
	req.password = "s3cr3t-Token-XYZ";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	req.username = req.password = NULL;
	req.bearer = "bearer-tok-987";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	v = logged_header(0, "Authorization");
	assert_string_equal(v, "Basic c3ZjLXVzZXItMTpzM2NyM3QtVG9rZW4tWFla");
	free(v);
	v = logged_header(1, "Authorization");
	assert_string_equal(v, "Bearer bearer-tok-987");
	free(v);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* ==== http_send: statuses ==== */

static void
status_expect(struct http_client *c, const char *item, bs_rc want, long status)
{
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	char st[16];
	char *r;

	r = test_http_post(srv.port, "/_reset", "");
	free(r);
	script(item);
	assert_int_equal(do_get(c, "/v1/thing", &resp, &err), want);
	assert_int_equal(resp.status, status);
	assert_int_equal(err.http_status, status);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(nrequests(), 1);	/* exactly one attempt reached the server */
	snprintf(st, sizeof st, "%ld", status);
	assert_non_null(strstr(err.detail, st));
	assert_non_null(strstr(err.detail, "GET /v1/thing"));
	http_response_clear(&resp);
}

static void
status_never_retried(void **state)
{
	struct http_client *c = client(NULL);

	(void)state;
	status_expect(c, "[{\"status\":302,\"headers\":{\"Location\":\"http://127.0.0.1:1/\"}},"
	    "{\"status\":200}]", BS_ERR_HTTP, 302);
	status_expect(c, "[{\"status\":301},{\"status\":200}]", BS_ERR_HTTP, 301);
	status_expect(c, "[{\"status\":400},{\"status\":200}]", BS_ERR_HTTP, 400);
	status_expect(c, "[{\"status\":401},{\"status\":200}]", BS_ERR_AUTH, 401);
	status_expect(c, "[{\"status\":403},{\"status\":200}]", BS_ERR_FORBIDDEN, 403);
	status_expect(c, "[{\"status\":404},{\"status\":200}]", BS_ERR_NOT_FOUND, 404);
	status_expect(c, "[{\"status\":409},{\"status\":200}]", BS_ERR_CONFLICT, 409);
	status_expect(c, "[{\"status\":422},{\"status\":200}]", BS_ERR_HTTP, 422);
	status_expect(c, "[{\"status\":501},{\"status\":200}]", BS_ERR_REMOTE, 501);
	assert_int_equal(fk.slept, 0);
	http_client_free(&c);
}

static void
status_redirect_not_followed(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	json_t *log;

	(void)state;
	script("[{\"status\":302,\"headers\":{\"Location\":\"/elsewhere\"}}]");
	assert_int_equal(do_get(c, "/start", &resp, &err), BS_ERR_HTTP);
	assert_non_null(strstr(err.detail, "redirect"));
	log = server_log();
	assert_int_equal(json_array_size(log), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(log, 0), "path")),
	    "/start");
	json_decref(log);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
status_accepted_extra(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };
	static const long ok404[] = { 404 };

	(void)state;
	script("[{\"status\":404,\"body\":\"{\\\"error\\\":\\\"gone\\\"}\"}]");
	req.method = "GET";
	req.url = url("/v1/people/9");
	req.accept_status = ok404;
	req.naccept_status = 1;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(resp.status, 404);
	assert_string_equal(resp.body, "{\"error\":\"gone\"}");
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
status_error_detail(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	char big[700], item[1200];

	(void)state;
	script("[{\"status\":404,\"body\":\"{\\\"error\\\":\\\"no such\\nperson\\u001b[31m\\\"}\"}]");
	assert_int_equal(do_get(c, "/v1/people/123?secretquery=1", &resp, &err),
	    BS_ERR_NOT_FOUND);
	assert_non_null(strstr(err.detail, "GET /v1/people/123"));
	assert_non_null(strstr(err.detail, "HTTP 404"));
	assert_non_null(strstr(err.detail, "no such person"));	/* newline flattened */
	assert_null(strstr(err.detail, "secretquery"));
	assert_null(strchr(err.detail, '\033'));
	/* the body is still there for the caller */
	assert_non_null(strstr(resp.body, "no such"));

	/* a long text body gives a short excerpt */
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(item, sizeof item, "[{\"status\":400,\"headers\":{\"Content-Type\":"
	    "\"text/plain\"},\"body\":\"%s\"}]", big);
	script(item);
	assert_int_equal(do_get(c, "/long", &resp, &err), BS_ERR_HTTP);
	assert_int_equal(test_count(err.detail, "A"), 200);
	assert_true(strlen(err.detail) < 300);

	/* a binary body is not quoted at all */
	script("[{\"status\":400,\"headers\":{\"Content-Type\":\"application/octet-stream\"},"
	    "\"body\":\"BINARYDATA\"}]");
	assert_int_equal(do_get(c, "/bin", &resp, &err), BS_ERR_HTTP);
	assert_null(strstr(err.detail, "BINARYDATA"));
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
status_secrets_masked(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	script("[{\"status\":400,\"body\":\"{\\\"error\\\":\\\"bad token s3cr3t-Token-XYZ, "
	    "header Basic c3ZjLXVzZXItMTpzM2NyM3QtVG9rZW4tWFla\\\"}\"},"
	    "{\"status\":500,\"body\":\"boom bearer-tok-987\"}]");
	req.method = "GET";
	req.url = url("/v1/s3cr3t-Token-XYZ/x");
	req.username = "svc-user-1";
	req.password = "s3cr3t-Token-XYZ";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_HTTP);
	assert_null(strstr(err.detail, "s3cr3t-Token-XYZ"));
	assert_null(strstr(err.detail, "c3ZjLXVzZXItMTpzM2NyM3QtVG9rZW4tWFla"));
	assert_non_null(strstr(err.detail, "bad token ***"));
	assert_non_null(strstr(err.detail, "/v1/***/x"));
	req.username = req.password = NULL;
	req.bearer = "bearer-tok-987";
	req.method = "POST";	/* not retried */
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_REMOTE);
	assert_null(strstr(err.detail, "bearer-tok-987"));
	assert_non_null(strstr(err.detail, "boom ***"));
	http_response_clear(&resp);
	http_client_free(&c);
}

/* The same credentials request after request are registered once; once
 * the log forgot its secrets, the next request registers them again. */
static void
status_secrets_masked_after_forget(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	script("[{\"status\":200},{\"status\":200},{\"status\":400,\"body\":\"bad token "
	    "s3cr3t-Token-XYZ, header Basic c3ZjLXVzZXItMTpzM2NyM3QtVG9rZW4tWFla\"}]");
	req.method = "GET";
	req.url = url("/v1/x");
	req.username = "svc-user-1";
	req.password = "s3cr3t-Token-XYZ";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	log_forget_secrets();
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_HTTP);
	assert_null(strstr(err.detail, "s3cr3t-Token-XYZ"));
	assert_null(strstr(err.detail, "c3ZjLXVzZXItMTpzM2NyM3QtVG9rZW4tWFla"));
	assert_non_null(strstr(err.detail, "bad token ***"));
	http_response_clear(&resp);
	http_client_free(&c);
}

/* ==== retries ==== */

static void
retry_429_retry_after_seconds(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"3\"}},{\"status\":200}]");
	assert_int_equal(do_get(c, "/v1/people/search", &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(fk.slept, 3000);
	assert_int_equal(nrequests(), 2);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_429_retry_after_date(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	setenv("BOBSYNC_FAKE_NOW", "1700000000", 1);
	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"Tue, 14 Nov 2023 22:13:27 GMT\"}},"
	    "{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(fk.slept, 7000);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_429_ratelimit_reset(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	setenv("BOBSYNC_FAKE_NOW", "1700000000", 1);
	script("[{\"status\":429,\"headers\":{\"X-RateLimit-Reset\":\"1700000004\","
	    "\"X-RateLimit-Remaining\":\"0\"}},{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 4000);
	script("[{\"status\":429,\"headers\":{\"X-RateLimit-Reset\":\"2\"}},{\"status\":200,"
	    "\"headers\":{\"X-RateLimit-Remaining\":\"49\"}}]");
	fk.slept = 0;
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 2000);
	assert_string_equal(resp.ratelimit_remaining, "49");
	/* both: the larger wins */
	script("[{\"status\":429,\"headers\":{\"X-RateLimit-Reset\":\"2\",\"Retry-After\":\"5\"}},"
	    "{\"status\":200}]");
	fk.slept = 0;
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 5000);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_429_without_hint_backs_off(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	/* jitter at its ceiling: base, then twice base */
	script("[{\"status\":429},{\"status\":429},{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(fk.slept, 100 + 200);
	/* half-way random: half the ceiling */
	fk.slept = 0;
	fk.rnd = UINT32_C(0x80000000);
	script("[{\"status\":429},{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 50);
	/* "now" or a reset already past: the normal backoff, not a tight loop */
	fk.slept = 0;
	fk.rnd = UINT32_MAX;
	setenv("BOBSYNC_FAKE_NOW", "1700000000", 1);
	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"0\"}},"
	    "{\"status\":429,\"headers\":{\"X-RateLimit-Reset\":\"1699999990\"}},"
	    "{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 100 + 200);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_5xx_ignores_ratelimit_reset(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	/* a 502 that carries the rate window's reset is retried on the backoff */
	script("[{\"status\":502,\"headers\":{\"X-RateLimit-Reset\":\"45\","
	    "\"X-RateLimit-Remaining\":\"12\"}},{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 100);
	/* but a Retry-After on a 503 is honoured */
	script("[{\"status\":503,\"headers\":{\"Retry-After\":\"6\"}},{\"status\":200}]");
	fk.slept = 0;
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 6000);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_backoff_capped(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	base_opts(&o);
	o.backoff_base_ms = 1000;
	o.backoff_cap_ms = 2500;
	o.max_attempts = 5;
	c = client(&o);
	script("[{\"status\":503},{\"status\":503},{\"status\":503},{\"status\":503},"
	    "{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 1000 + 2000 + 2500 + 2500);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_429_exhausted(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	base_opts(&o);
	o.max_attempts = 3;
	c = client(&o);
	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"1\"}},"
	    "{\"status\":429,\"headers\":{\"Retry-After\":\"1\"}},"
	    "{\"status\":429,\"headers\":{\"Retry-After\":\"1\"}},{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_RATE_LIMIT);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(resp.status, 429);
	assert_int_equal(err.http_status, 429);
	assert_int_equal(fk.slept, 2000);
	assert_int_equal(nrequests(), 3);
	assert_non_null(strstr(err.detail, "429"));
	assert_non_null(strstr(err.detail, "wait 1 s"));
	assert_string_equal(resp.retry_after, "1");
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_total_wait_cap(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	base_opts(&o);
	o.max_total_wait_ms = 5000;
	c = client(&o);
	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"4\"}},"
	    "{\"status\":429,\"headers\":{\"Retry-After\":\"4\"}},{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_RATE_LIMIT);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(fk.slept, 4000);
	assert_non_null(strstr(err.detail, "wait 4 s"));
	/* a wait beyond the whole budget: give up at once */
	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"3600\"}},{\"status\":200}]");
	fk.slept = 0;
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_RATE_LIMIT);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(fk.slept, 0);
	assert_non_null(strstr(err.detail, "3600 s"));
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_5xx_for_get(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	script("[{\"status\":500},{\"status\":502},{\"status\":503,\"headers\":"
	    "{\"Retry-After\":\"2\"}},{\"status\":200,\"body\":\"{\\\"done\\\":1}\"}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 4);
	assert_string_equal(resp.body, "{\"done\":1}");
	assert_int_equal(fk.slept, 100 + 200 + 2000);
	assert_int_equal(nrequests(), 4);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_5xx_exhausted(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	base_opts(&o);
	o.max_attempts = 3;
	c = client(&o);
	script("[{\"status\":500,\"body\":\"{\\\"error\\\":\\\"db down\\\"}\"},{\"status\":500,"
	    "\"body\":\"{\\\"error\\\":\\\"db down\\\"}\"},{\"status\":500,\"body\":"
	    "\"{\\\"error\\\":\\\"db still down\\\"}\"},{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_REMOTE);
	assert_int_equal(resp.attempts, 3);
	assert_non_null(strstr(err.detail, "HTTP 500 after 3 attempts"));
	assert_non_null(strstr(err.detail, "db still down"));
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_post_only_on_429(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	script("[{\"status\":500},{\"status\":200}]");
	assert_int_equal(do_post(c, "/create", 0, &resp, &err), BS_ERR_REMOTE);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(nrequests(), 1);
	assert_int_equal(fk.slept, 0);

	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"1\"}},{\"status\":201}]");
	assert_int_equal(do_post(c, "/create", 0, &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(resp.status, 201);

	/* a POST the caller marks idempotent is retried like a GET */
	script("[{\"status\":503},{\"status\":200}]");
	assert_int_equal(do_post(c, "/search", 1, &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 2);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
retry_cancel(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	http_set_cancel(c, fk_cancel, &fk);
	/* cancelled while waiting to retry */
	fk.cancel_after_sleeps = 1;
	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"30\"}},{\"status\":200}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_CANCELLED);
	assert_int_equal(resp.attempts, 1);
	assert_true(fk.slept <= 200);	/* noticed within one slice */
	assert_int_equal(nrequests(), 1);
	/* cancelled before anything is sent */
	fk.cancel_always = 1;
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_CANCELLED);
	assert_int_equal(nrequests(), 1);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* The thread's hook (the CLI's Ctrl-C, the console's cancel) stops reads
 * and waits before a retry, but not a write on its way out the first
 * time: stopped there it could not be told from a write that acted. */
static void
thread_cancel_spares_first_write(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	http_set_pace(c, "asm.write", 1, 1000, 1);
	http_set_thread_cancel(fk_cancel, &fk);
	fk.cancel_always = 1;
	/* a read is stopped before it is sent */
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_CANCELLED);
	assert_int_equal(nrequests(), 0);
	/* a write goes out, through its pacing wait */
	req.method = "POST";
	req.url = url("/v0/activities");
	req.body = "{}";
	req.body_len = 2;
	req.pace_class = "asm.write";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 1000);
	assert_int_equal(nrequests(), 2);
	/* its wait to retry is stopped: the first attempt was answered */
	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"30\"}},{\"status\":200}]");
	fk.now += 10000;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_CANCELLED);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(nrequests(), 3);
	/* a client's own hook stops everything, as before */
	http_set_thread_cancel(NULL, NULL);
	http_set_cancel(c, fk_cancel, &fk);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_CANCELLED);
	assert_int_equal(nrequests(), 3);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* Cancel from the third check on: the checks before the attempt pass,
 * then the progress callback cancels the transfer. */
static int
cancel_on_third(void *ctx)
{
	struct fake_clock *f = ctx;

	return ++f->cancel_calls >= 3;
}

static void
retry_cancel_during_transfer(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	int64_t t0;

	(void)state;
	http_set_cancel(c, cancel_on_third, &fk);
	script("[{\"status\":200,\"delay_ms\":3000}]");
	t0 = monotonic_ms();
	assert_int_equal(do_get(c, "/slow", &resp, &err), BS_ERR_CANCELLED);
	assert_true(monotonic_ms() - t0 < 2500);
	assert_int_equal(resp.attempts, 1);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* ==== transport faults ==== */

static void
fault_timeout(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	int64_t t0;

	(void)state;
	base_opts(&o);
	o.total_timeout_ms = 300;
	o.max_attempts = 2;
	c = client(&o);
	/* GET: timed out, retried, then answered */
	script("[{\"delay_ms\":1500},{\"status\":200}]");
	t0 = monotonic_ms();
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 2);
	assert_true(monotonic_ms() - t0 < 1400);
	/* both attempts time out */
	script("[{\"delay_ms\":1500},{\"delay_ms\":1500}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_TIMEOUT);
	assert_int_equal(resp.attempts, 2);
	assert_non_null(strstr(err.detail, "timed out"));
	assert_non_null(strstr(err.detail, "GET /x"));
	/* POST: not retried after a timeout (the server may have acted) */
	script("[{\"delay_ms\":1500},{\"status\":200}]");
	assert_int_equal(do_post(c, "/x", 0, &resp, &err), BS_ERR_TIMEOUT);
	assert_int_equal(resp.attempts, 1);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
fault_low_speed_stall(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	int64_t t0;

	(void)state;
	base_opts(&o);
	o.total_timeout_ms = 20000;
	o.low_speed_time_s = 1;
	o.max_attempts = 1;
	c = client(&o);
	script("[{\"body_size\":4000,\"stall_ms\":8000,\"stall_after\":1}]");
	t0 = monotonic_ms();
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_TIMEOUT);
	assert_true(monotonic_ms() - t0 < 4000);
	assert_null(resp.body);		/* no partial body */
	http_response_clear(&resp);
	http_client_free(&c);
}

/* issue 17 item 9: a request's own cap, the smaller of the two applying */
static void
fault_too_large_per_request(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	base_opts(&o);
	o.max_body = 1000;
	c = client(&o);
	script("[{\"body_size\":500},{\"body_size\":600},{\"body_size\":1001}]");
	req.method = "GET";
	req.url = url("/x");
	req.max_body = 500;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(resp.body_len, 500);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_TOO_LARGE);
	assert_non_null(strstr(err.detail, "500 bytes"));
	req.max_body = 5000;	/* the client's 1000 still holds */
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_TOO_LARGE);
	assert_non_null(strstr(err.detail, "1000 bytes"));
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
fault_too_large(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	base_opts(&o);
	o.max_body = 1000;
	c = client(&o);
	/* exactly the limit is fine */
	script("[{\"body_size\":1000},{\"body_size\":5000},{\"body_size\":200000,"
	    "\"chunked\":true},{\"body_size\":1001,\"chunked\":true}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(resp.body_len, 1000);
	/* announced by Content-Length */
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_TOO_LARGE);
	assert_null(resp.body);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.detail, "1000 bytes"));
	/* discovered while streaming */
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_TOO_LARGE);
	assert_null(resp.body);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_TOO_LARGE);
	assert_null(resp.body);
	assert_int_equal(nrequests(), 4);	/* never retried */
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
fault_truncated_body(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	base_opts(&o);
	o.max_attempts = 2;
	c = client(&o);
	script("[{\"body_size\":1000,\"truncate_to\":10},{\"body_size\":1000,\"truncate_to\":10}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_NETWORK);
	assert_int_equal(resp.attempts, 2);
	assert_null(resp.body);
	assert_non_null(strstr(err.detail, "cut off"));
	/* a chunked body that stops before its last chunk */
	script("[{\"body_size\":1000,\"chunked\":true,\"truncate_to\":500},"
	    "{\"body_size\":1000,\"chunked\":true,\"truncate_to\":500}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_ERR_NETWORK);
	assert_int_equal(resp.attempts, 2);
	assert_null(resp.body);
	/* a truncated answer then a whole one */
	script("[{\"body_size\":1000,\"truncate_to\":999},{\"body_size\":1000}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(resp.body_len, 1000);
	/* POST: not retried */
	script("[{\"body_size\":1000,\"truncate_to\":10},{\"status\":200}]");
	assert_int_equal(do_post(c, "/x", 0, &resp, &err), BS_ERR_NETWORK);
	assert_int_equal(resp.attempts, 1);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* A streamed answer (http_request.sink): what the sink saw. */
struct sink_seen {
	size_t bytes, begins, pieces;
	int stop_after;		/* return BS_ERR_PARSE once this many bytes came (0 = never) */
	char first[17];
};

static int
test_sink(void *ctx, const char *data, size_t len)
{
	struct sink_seen *s = ctx;

	if (s->bytes == 0 && len > 0)
		memcpy(s->first, data, len < 16 ? len : 16);
	s->bytes += len;
	s->pieces++;
	return s->stop_after > 0 && s->bytes >= (size_t)s->stop_after ? (int)BS_ERR_PARSE : 0;
}

static void
test_sink_begin(void *ctx)
{
	struct sink_seen *s = ctx;

	s->bytes = s->pieces = 0;
	s->first[0] = '\0';
	s->begins++;
}

static bs_rc
do_get_sink(struct http_client *c, struct sink_seen *s, size_t max_body,
    struct http_response *resp, struct bs_error *err)
{
	struct http_request req = { 0 };

	memset(s, 0, offsetof(struct sink_seen, stop_after));
	req.method = "GET";
	req.url = url("/x");
	req.max_body = max_body;
	req.sink = test_sink;
	req.sink_begin = test_sink_begin;
	req.sink_ctx = s;
	return http_send(c, &req, resp, err);
}

static void
stream_answer_to_sink(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	struct sink_seen s = { 0 };

	(void)state;
	base_opts(&o);
	o.max_body = 1000;	/* the cap of a kept answer, not of a streamed one */
	c = client(&o);
	script("[{\"body_size\":300000,\"chunked\":true}]");
	assert_int_equal(do_get_sink(c, &s, 500, &resp, &err), BS_OK);
	assert_int_equal(s.bytes, 300000);
	assert_int_equal(s.begins, 1);
	assert_string_equal(s.first, "0123456789abcdef");
	assert_int_equal(resp.body_len, 0);	/* not kept */
	assert_int_equal(resp.status, 200);
	/* cut off, then whole: the second attempt starts the sink again */
	script("[{\"body_size\":5000,\"truncate_to\":3000},{\"body_size\":5000}]");
	assert_int_equal(do_get_sink(c, &s, 0, &resp, &err), BS_OK);
	assert_int_equal(s.begins, 2);
	assert_int_equal(s.bytes, 5000);
	/* an error answer is kept for its message, never streamed */
	script("[{\"status\":404,\"body\":\"{\\\"error\\\":\\\"nope\\\"}\"}]");
	assert_int_equal(do_get_sink(c, &s, 0, &resp, &err), BS_ERR_NOT_FOUND);
	assert_int_equal(s.bytes, 0);
	assert_non_null(resp.body);
	assert_non_null(strstr(resp.body, "nope"));
	/* the sink stops the answer: its code, no retry */
	s.stop_after = 1;
	script("[{\"body_size\":100000},{\"body_size\":100000}]");
	assert_int_equal(do_get_sink(c, &s, 0, &resp, &err), BS_ERR_PARSE);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(s.begins, 1);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* One client, requests of every kind one after the other: each is sent
 * with its own method, body, credentials and size cap, whatever the one
 * before set on the reused handle (http_send keeps the options a kind of
 * request shares and sets again only what differs). */
static void
send_kinds_in_turn(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };
	struct sink_seen s = { 0 };
	json_t *log, *e;
	char *v;

	(void)state;
	base_opts(&o);
	o.max_body = 1000;
	c = client(&o);
	req.method = "GET";
	req.url = url("/k/1");
	req.username = "svc-user-1";
	req.password = "s3cr3t-Token-XYZ";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);	/* 0 */
	req.url = url("/k/2");
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);	/* 1: the same kind */
	req.username = req.password = NULL;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);	/* 2: no credentials */
	req.bearer = "bearer-tok-987";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);	/* 3 */
	req.bearer = NULL;
	req.method = "POST";
	req.body = "{\"n\":1}";
	req.body_len = strlen(req.body);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);	/* 4 */
	req.body = "{\"n\":22}";
	req.body_len = strlen(req.body);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);	/* 5: a new body */
	req.method = "DELETE";
	req.body = NULL;
	req.body_len = 0;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);	/* 6 */
	req.method = "GET";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);	/* 7 */
	log = server_log();
	assert_int_equal(json_array_size(log), 8);
	e = json_array_get(log, 1);
	assert_string_equal(json_string_value(json_object_get(e, "path")), "/k/2");
	e = json_array_get(log, 5);
	assert_string_equal(json_string_value(json_object_get(e, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(e, "body")), "{\"n\":22}");
	e = json_array_get(log, 6);
	assert_string_equal(json_string_value(json_object_get(e, "method")), "DELETE");
	assert_int_equal(json_integer_value(json_object_get(e, "body_len")), 0);
	e = json_array_get(log, 7);
	assert_string_equal(json_string_value(json_object_get(e, "method")), "GET");
	assert_int_equal(json_integer_value(json_object_get(e, "body_len")), 0);
	json_decref(log);
	v = logged_header(1, "Authorization");
	assert_string_equal(v, "Basic c3ZjLXVzZXItMTpzM2NyM3QtVG9rZW4tWFla");
	free(v);
	assert_null(logged_header(2, "Authorization"));
	v = logged_header(3, "Authorization");
	assert_string_equal(v, "Bearer bearer-tok-987");
	free(v);
	assert_null(logged_header(4, "Authorization"));
	v = logged_header(5, "Content-Type");
	assert_string_equal(v, "application/json");
	free(v);
	assert_null(logged_header(6, "Content-Length"));
	assert_null(logged_header(7, "Content-Type"));
	/* the cap of a kept answer holds, a streamed one has none, and the
	 * cap holds again after it */
	script("[{\"body_size\":5000},{\"body_size\":5000},{\"body_size\":5000}]");
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_TOO_LARGE);
	assert_int_equal(do_get_sink(c, &s, 0, &resp, &err), BS_OK);
	assert_int_equal(s.bytes, 5000);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_TOO_LARGE);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
fault_connection_reset(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	script("[{\"reset\":true},{\"status\":200,\"body\":\"{}\"}]");
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);
	assert_int_equal(resp.attempts, 2);
	/* a fresh client: on a reused connection libcurl itself resends a
	 * request that got no byte back, whatever the method */
	http_client_free(&c);
	c = client(NULL);
	script("[{\"reset\":true},{\"status\":200}]");
	assert_int_equal(do_post(c, "/x", 0, &resp, &err), BS_ERR_NETWORK);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(resp.status, 0);
	assert_int_equal(err.http_status, 0);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* A write that may not be repeated never rides on a reused connection:
 * when the server closes one without an answer after acting, libcurl would
 * silently send the request again (a second event or user). */
static void
fault_reset_after_reuse_not_resent(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	json_t *log;
	size_t posts = 0, i;
	json_t *r;

	(void)state;
	script("[{\"status\":200,\"body\":\"{}\"},{\"status\":200,\"body\":\"{}\"},"
	    "{\"reset\":true},{\"status\":201}]");
	assert_int_equal(do_get(c, "/a", &resp, &err), BS_OK);	/* leaves a live connection */
	assert_int_equal(do_post(c, "/w", 1, &resp, &err), BS_OK);	/* idempotent: may reuse it */
	assert_int_equal(do_post(c, "/w", 0, &resp, &err), BS_ERR_NETWORK);
	assert_int_equal(resp.attempts, 1);
	log = server_log();
	json_array_foreach(log, i, r)
		posts += str_eq(json_str(r, "method"), "POST");
	assert_int_equal(posts, 2);		/* sent once, not resent by libcurl */
	json_decref(log);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
fault_connection_refused(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	char u[64];
	int fd;

	(void)state;
	/* a port that was free a moment ago */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	snprintf(u, sizeof u, "http://127.0.0.1:%d/x", ntohs(sa.sin_port));

	base_opts(&o);
	o.max_attempts = 3;
	c = client(&o);
	req.method = "GET";
	req.url = u;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ERR_NETWORK);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(fk.slept, 100 + 200);
	assert_non_null(strstr(err.detail, "GET /x"));
	http_response_clear(&resp);
	http_client_free(&c);
}

/* ==== pacing ==== */

static void
pace_waits_for_tokens(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	http_set_pace(NULL, "x", 1, 1, 1);	/* harmless */
	http_set_pace(c, NULL, 1, 1, 1);
	http_set_pace(c, "hibob.search", 2, 1000, 2);
	req.method = "POST";
	req.url = url("/v1/people/search");
	req.pace_class = "hibob.search";
	/* the burst of 2 goes at once */
	for (int i = 0; i < 2; i++)
		assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 0);
	/* then one request per 500 ms */
	for (int i = 0; i < 3; i++)
		assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 1500);
	/* another class and unpaced requests do not wait */
	req.pace_class = "hibob.fields";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	req.pace_class = NULL;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 1500);
	/* time passing refills the bucket */
	fk.now += 10000;
	req.pace_class = "hibob.search";
	for (int i = 0; i < 2; i++)
		assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 1500);
	/* limit 0 removes the pacing */
	http_set_pace(c, "hibob.search", 0, 0, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(fk.slept, 1500);
	assert_int_equal(nrequests(), 12);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* ==== stats ==== */

static void
stats_counts(void **state)
{
	struct http_client *c = client(NULL);
	struct http_response resp = { 0 };
	struct http_request req = { 0 };
	struct bs_error err = { 0 };
	struct http_stats st;
	const struct http_class_stats *search, *other;
	size_t si = SIZE_MAX, oi = SIZE_MAX;

	(void)state;
	http_get_stats(NULL, &st);
	assert_int_equal(st.requests, 0);
	http_get_stats(c, NULL);
	script("[{\"status\":503},{\"body_size\":300},{\"body_size\":50}]");
	req.method = "POST";
	req.url = url("/v1/people/search");
	req.body = "{\"q\":1}";
	req.body_len = 7;
	req.idempotent = 1;
	req.pace_class = "hibob.search";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);	/* 503 then 300 bytes */
	assert_int_equal(do_get(c, "/x", &resp, &err), BS_OK);		/* 50 bytes */
	http_get_stats(c, &st);
	assert_int_equal(st.requests, 3);
	assert_int_equal(st.retries, 1);
	assert_int_equal(st.bytes_out, 14);
	assert_int_equal(st.bytes_in, 11 + 300 + 50);	/* the 503 says {"ok":true} */
	assert_int_equal(st.nclasses, 2);
	for (size_t i = 0; i < st.nclasses; i++) {
		if (strcmp(st.classes[i].name, "hibob.search") == 0)
			si = i;
		if (strcmp(st.classes[i].name, "other") == 0)
			oi = i;
	}
	assert_true(si < st.nclasses);
	assert_true(oi < st.nclasses);
	search = &st.classes[si];
	other = &st.classes[oi];
	assert_int_equal(search->requests, 2);
	assert_int_equal(search->retries, 1);
	assert_int_equal(search->bytes_out, 14);
	assert_int_equal(other->requests, 1);
	assert_int_equal(other->retries, 0);
	assert_int_equal(other->bytes_in, 50);
	http_reset_stats(c);
	http_get_stats(c, &st);
	assert_int_equal(st.requests, 0);
	assert_int_equal(st.nclasses, 0);
	http_response_clear(&resp);
	http_client_free(&c);
}

/* ==== TLS (throwaway CAs and certificates made at test time) ==== */

static char tlsdir[64];
static struct test_server tls_good, tls_wrong_host, tls_other_ca;

static int
shell(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

static int
make_ca(const char *name)
{
	return shell("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -days 1 -subj /CN=bobsync-test-%s -keyout %s.key -out %s.pem "
	    "-addext basicConstraints=critical,CA:TRUE "
	    "-addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1",
	    tlsdir, name, name, name);
}

static int
make_cert(const char *name, const char *san, const char *ca)
{
	return shell("cd %s && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-subj /CN=bobsync-test-server -keyout %s.key -out %s.csr >/dev/null 2>&1 && "
	    "printf 'subjectAltName=%s\\nextendedKeyUsage=serverAuth\\n' > %s.ext && "
	    "openssl x509 -req -in %s.csr -CA %s.pem -CAkey %s.key -CAcreateserial -days 1 "
	    "-extfile %s.ext -out %s.pem >/dev/null 2>&1",
	    tlsdir, name, name, san, name, name, ca, ca, name, name);
}

static int
start_tls(struct test_server *s, const char *name)
{
	char cert[128], key[128];
	const char *args[] = { "--tls-cert", cert, "--tls-key", key, NULL };

	snprintf(cert, sizeof cert, "%s/%s.pem", tlsdir, name);
	snprintf(key, sizeof key, "%s/%s.key", tlsdir, name);
	return test_server_start(s, FAULTSERVER, args);
}

static int
tls_setup(void **state)
{
	(void)state;
	if (test_mkdtemp(tlsdir, sizeof tlsdir) != 0)
		return -1;
	if (make_ca("caA") || make_ca("caB") ||
	    make_cert("good", "DNS:localhost,IP:127.0.0.1", "caA") ||
	    make_cert("wrong", "DNS:other.invalid", "caA") ||
	    make_cert("other", "DNS:localhost,IP:127.0.0.1", "caB"))
		return -1;
	/* a hashed CA folder, like /etc/ssl/certs, that holds only caB */
	if (shell("cd %s && mkdir sysca && cp caB.pem sysca/$(openssl x509 -hash -noout "
	    "-in caB.pem).0", tlsdir))
		return -1;
	if (start_tls(&tls_good, "good") || start_tls(&tls_wrong_host, "wrong") ||
	    start_tls(&tls_other_ca, "other"))
		return -1;
	return 0;
}

static int
tls_teardown(void **state)
{
	(void)state;
	test_server_stop(&tls_good);
	test_server_stop(&tls_wrong_host);
	test_server_stop(&tls_other_ca);
	test_rm_rf(tlsdir);	/* the keys never outlive the test */
	return 0;
}

static int
tls_each(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof fk);
	fk.rnd = UINT32_MAX;
	return 0;
}

static bs_rc
tls_get(struct http_client *c, const char *host, int port, struct http_response *resp,
    struct bs_error *err)
{
	struct http_request req = { 0 };
	char u[128];

	snprintf(u, sizeof u, "https://%s:%d/v1/people", host, port);
	req.method = "GET";
	req.url = u;
	return http_send(c, &req, resp, err);
}

static struct http_client *
tls_client(const char *ca)
{
	struct http_options o;
	char path[128];

	base_opts(&o);
	/* the TLS handshake counts against the connect timeout, and under
	 * valgrind the first one (loading the system CA bundle) can take
	 * longer than 2 s: a timeout there would be retried and hide what a
	 * test checks (a refused certificate is not retried) */
	o.connect_timeout_ms = 30000;
	o.total_timeout_ms = 60000;
	if (ca != NULL) {
		snprintf(path, sizeof path, "%s/%s.pem", tlsdir, ca);
		o.ca_file = path;	/* copied by http_client_new */
	}
	return client(&o);
}

static void
tls_accepted_with_ca_file(void **state)
{
	struct http_client *c = tls_client("caA");
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	assert_int_equal(tls_get(c, "localhost", tls_good.port, &resp, &err), BS_OK);
	assert_string_equal(resp.body, "{\"ok\":true}");
	assert_int_equal(tls_get(c, "127.0.0.1", tls_good.port, &resp, &err), BS_OK);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
tls_refused_without_ca_file(void **state)
{
	struct http_client *c = tls_client(NULL);
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	assert_int_equal(tls_get(c, "localhost", tls_good.port, &resp, &err), BS_ERR_TLS);
	assert_int_equal(resp.attempts, 1);	/* not retried */
	assert_non_null(strstr(err.detail, "tls.ca_file"));
	assert_null(resp.body);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
tls_refused_wrong_host(void **state)
{
	struct http_client *c = tls_client("caA");
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	assert_int_equal(tls_get(c, "localhost", tls_wrong_host.port, &resp, &err), BS_ERR_TLS);
	assert_int_equal(tls_get(c, "127.0.0.1", tls_wrong_host.port, &resp, &err), BS_ERR_TLS);
	assert_non_null(strstr(err.detail, "127.0.0.1"));
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
tls_unreadable_ca_file(void **state)
{
	struct http_options o;
	struct http_client *c;
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	base_opts(&o);
	o.ca_file = "/nonexistent/bobsync-ca.pem";
	c = client(&o);
	assert_int_equal(tls_get(c, "localhost", tls_good.port, &resp, &err), BS_ERR_TLS);
	http_response_clear(&resp);
	http_client_free(&c);
}

static void
tls_ca_file_adds_to_system_cas(void **state)
{
	struct http_client *c = tls_client("caA");
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	char dir[128];

	(void)state;
	/* "system" CAs = caB only; ca_file = caA: both servers are trusted */
	snprintf(dir, sizeof dir, "%s/sysca", tlsdir);
	http_set_system_ca_dir(c, dir);
	assert_int_equal(tls_get(c, "localhost", tls_other_ca.port, &resp, &err), BS_OK);
	assert_int_equal(tls_get(c, "localhost", tls_good.port, &resp, &err), BS_OK);
	/* without the system folder only the file counts */
	http_set_system_ca_dir(c, NULL);
	assert_int_equal(tls_get(c, "localhost", tls_other_ca.port, &resp, &err), BS_ERR_TLS);
	assert_int_equal(tls_get(c, "localhost", tls_good.port, &resp, &err), BS_OK);
	http_response_clear(&resp);
	http_client_free(&c);
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset_each, teardown_each)
#define TT(f) cmocka_unit_test_setup_teardown(f, tls_each, teardown_each)

int
main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(url_quick_agrees_with_libcurl),
		cmocka_unit_test(hint_null_and_garbage),
		cmocka_unit_test(hint_retry_after_seconds),
		cmocka_unit_test(hint_retry_after_date),
		cmocka_unit_test(hint_ratelimit_reset),
		cmocka_unit_test(hint_takes_the_larger),
		cmocka_unit_test(url_null_and_garbage),
		cmocka_unit_test(url_https_accepted),
		cmocka_unit_test(url_http_loopback_accepted),
		cmocka_unit_test(url_http_elsewhere_refused),
	};
	const struct CMUnitTest send[] = {
		T(send_null_and_invalid),
		T(send_insecure_url_refused_before_connecting),
		T(send_200_with_body),
		T(send_with_default_clock),
		T(send_2xx_variants),
		T(answer_hook),
		T(send_post_body_and_headers),
		T(send_basic_and_bearer_auth),
		T(status_never_retried),
		T(status_redirect_not_followed),
		T(status_accepted_extra),
		T(status_error_detail),
		T(status_secrets_masked),
		T(status_secrets_masked_after_forget),
		T(retry_429_retry_after_seconds),
		T(retry_429_retry_after_date),
		T(retry_429_ratelimit_reset),
		T(retry_429_without_hint_backs_off),
		T(retry_5xx_ignores_ratelimit_reset),
		T(retry_backoff_capped),
		T(retry_429_exhausted),
		T(retry_total_wait_cap),
		T(retry_5xx_for_get),
		T(retry_5xx_exhausted),
		T(retry_post_only_on_429),
		T(retry_cancel),
		T(thread_cancel_spares_first_write),
		T(retry_cancel_during_transfer),
		T(fault_timeout),
		T(fault_low_speed_stall),
		T(fault_too_large),
		T(fault_too_large_per_request),
		T(fault_truncated_body),
		T(stream_answer_to_sink),
		T(send_kinds_in_turn),
		T(fault_connection_reset),
		T(fault_reset_after_reuse_not_resent),
		T(fault_connection_refused),
		T(pace_waits_for_tokens),
		T(stats_counts),
	};
	const struct CMUnitTest tls[] = {
		TT(tls_accepted_with_ca_file),
		TT(tls_refused_without_ca_file),
		TT(tls_refused_wrong_host),
		TT(tls_unreadable_ca_file),
		TT(tls_ca_file_adds_to_system_cas),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("http_wait_hint_ms and http_check_url", pure,
	    NULL, NULL);
	failed += cmocka_run_group_tests_name("http_send over loopback", send, group_setup,
	    group_teardown);
	failed += cmocka_run_group_tests_name("http_send over TLS", tls, tls_setup,
	    tls_teardown);
	return failed != 0;
}
