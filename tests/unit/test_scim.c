/* test_scim.c - the SCIM client over loopback HTTP.
 *
 * The scripted fault server (tests/sandbox/faultserver.py) plays Alleo: each
 * test queues the answers, runs the client, then reads back from /_log what
 * was really sent (method, path, query, headers, body).  Retry waits go
 * through an instant fake clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "helper_server.h"
#include "net/http.h"
#include "base/log.h"
#include "vendor/scim_int.h"
#include "base/util.h"

#define FAULTSERVER "tests/sandbox/faultserver.py"
#define CLIENT_ID "bobsync-test-client"
#define CLIENT_SECRET "s3cret-Client-Secret-42"
/* base64("bobsync-test-client:s3cret-Client-Secret-42") */
#define BASIC "Basic Ym9ic3luYy10ZXN0LWNsaWVudDpzM2NyZXQtQ2xpZW50LVNlY3JldC00Mg=="

static struct test_server srv;
static int64_t fake_now;

static int64_t
fk_now(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void
fk_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	fake_now += ms;
}

static uint32_t
fk_random(void *ctx)
{
	(void)ctx;
	return 0;
}

static const struct http_clock fake = { fk_now, fk_sleep, fk_random, NULL };

struct fx {
	struct http_client *http;
	struct scim_client *c;
};

static char *
url(const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", srv.port, path);
}

static void
script(const char *json)
{
	char *r = test_http_post(srv.port, "/_script", json);

	assert_non_null(r);
	free(r);
}

static json_t *
server_log(void)
{
	char *r = test_http_get(srv.port, "/_log");
	json_t *j;

	assert_non_null(r);
	j = json_loads(r, 0, NULL);
	free(r);
	assert_true(json_is_array(j));
	return j;
}

/* The n-th logged request (borrowed from log). */
static json_t *
req(json_t *log, size_t n)
{
	json_t *r = json_array_get(log, n);

	if (r == NULL) {
		fail_msg("request %zu was not made", n);
		abort();
	}
	return r;
}

static const char *
header(json_t *r, const char *name)
{
	const char *k;
	json_t *v;

	json_object_foreach(json_object_get(r, "headers"), k, v)
		if (strcasecmp(k, name) == 0)
			return json_string_value(v);
	return NULL;
}

static size_t
count_path(json_t *log, const char *path)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(log, i, r)
		n += str_eq(json_str(r, "path"), path);
	return n;
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct http_options o = { 0 };
	char *base = url("/scim/v2"), *tok = url("/oauth/token");
	char *r = test_http_post(srv.port, "/_reset", "{}");

	free(r);
	o.max_attempts = 4;
	o.connect_timeout_ms = 2000;
	o.total_timeout_ms = 5000;
	o.backoff_base_ms = 100;
	f->http = http_client_new(&o, &fake);
	f->c = scim_client_new(f->http, base, tok, CLIENT_ID, CLIENT_SECRET);
	free(base);
	free(tok);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	scim_client_free(&f->c);
	assert_null(f->c);
	http_client_free(&f->http);
	free(f);
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
	log_forget_secrets();
	return 0;
}

#define TOKEN_OK "{\"path\": \"/oauth/token\", \"status\": 200, \"body\": " \
	"\"{\\\"access_token\\\": \\\"tok-AAAA-1111\\\", \\\"token_type\\\": \\\"Bearer\\\", " \
	"\\\"expires_in\\\": 3600}\"}"
#define TOKEN_OK2 "{\"path\": \"/oauth/token\", \"status\": 200, \"body\": " \
	"\"{\\\"access_token\\\": \\\"tok-BBBB-2222\\\", \\\"token_type\\\": \\\"Bearer\\\", " \
	"\\\"expires_in\\\": 3600}\"}"
#define EMPTY_LIST "{\"path\": \"/scim/v2/Users\", \"status\": 200, \"body\": " \
	"\"{\\\"schemas\\\": [\\\"urn:ietf:params:scim:api:messages:2.0:ListResponse\\\"], " \
	"\\\"totalResults\\\": 0, \\\"Resources\\\": []}\"}"
#define ONE_USER(ext, uname) "{\"path\": \"/scim/v2/Users\", \"status\": 200, \"body\": " \
	"\"{\\\"totalResults\\\": 1, \\\"Resources\\\": [{\\\"id\\\": \\\"u-77\\\", " \
	"\\\"externalId\\\": \\\"" ext "\\\", \\\"userName\\\": \\\"" uname "\\\", " \
	"\\\"active\\\": false, \\\"name\\\": {\\\"givenName\\\": \\\"Ann\\\"}, " \
	"\\\"emails\\\": [{\\\"value\\\": \\\"x@y\\\"}, {\\\"value\\\": \\\"" uname "\\\", " \
	"\\\"primary\\\": true}]}]}\"}"

/* ---- scim_filter_eq ---- */

static void
filter_escapes_quotes_and_backslashes(void **state)
{
	char *f;

	(void)state;
	f = scim_filter_eq("externalId", NULL);
	assert_string_equal(f, "externalId eq \"\"");
	free(f);
	f = scim_filter_eq("userName", "a\"b\\c@x.nl");
	assert_string_equal(f, "userName eq \"a\\\"b\\\\c@x.nl\"");
	free(f);
}

/* ---- scim_find_user ---- */

static void
find_refuses_nothing_to_look_for(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	int found = 1;

	assert_int_equal(scim_find_user(f->c, NULL, NULL, &u, &found, &err), BS_ERR_INVALID);
	assert_int_equal(found, 0);
	assert_int_equal(scim_find_user(NULL, "1", NULL, &u, &found, &err), BS_ERR_INVALID);
}

static void
find_by_external_id_gets_token_once(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	json_t *log, *r;
	int found = 0;

	script("[" TOKEN_OK "," ONE_USER("1001", "ann@example.com") ","
	    ONE_USER("1001", "ann@example.com") "]");
	assert_int_equal(scim_find_user(f->c, "1001", NULL, &u, &found, &err), BS_OK);
	assert_true(found);
	assert_string_equal(u.id, "u-77");
	assert_string_equal(u.external_id, "1001");
	assert_string_equal(u.user_name, "ann@example.com");
	assert_string_equal(u.email, "ann@example.com");	/* the primary one */
	assert_string_equal(u.given_name, "Ann");
	assert_false(u.active);
	scim_user_clear(&u);
	assert_int_equal(scim_find_user(f->c, "1001", NULL, &u, &found, &err), BS_OK);
	scim_user_clear(&u);
	assert_int_equal(scim_token_fetches(f->c), 1);	/* cached */

	log = server_log();
	assert_int_equal(json_array_size(log), 3);
	r = req(log, 0);
	assert_string_equal(json_str(r, "method"), "POST");
	assert_string_equal(json_str(r, "path"), "/oauth/token");
	assert_string_equal(json_str(r, "body"), "grant_type=client_credentials");
	assert_string_equal(header(r, "Authorization"), BASIC);
	assert_non_null(strstr(header(r, "Content-Type"), "application/x-www-form-urlencoded"));
	r = req(log, 1);
	assert_string_equal(json_str(r, "method"), "GET");
	assert_string_equal(header(r, "Authorization"), "Bearer tok-AAAA-1111");
	assert_string_equal(header(r, "Accept"), "application/scim+json");
	assert_non_null(strstr(json_str(r, "query"), "filter=externalId%20eq%20%221001%22"));
	json_decref(log);
}

static void
find_escapes_the_filter_value(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	json_t *log;
	int found = 1;

	script("[" TOKEN_OK "," EMPTY_LIST "]");
	assert_int_equal(scim_find_user(f->c, "x\" or \"1\"=\"1", NULL, &u, &found, &err), BS_OK);
	assert_false(found);
	log = server_log();
	/* the quote is escaped inside the value, then percent-encoded */
	assert_non_null(strstr(json_str(req(log, 1), "query"),
	    "filter=externalId%20eq%20%22x%5C%22%20or%20%5C%221%5C%22%3D%5C%221%22"));
	json_decref(log);
}

static void
find_falls_back_to_user_name(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	json_t *log;
	int found = 0;

	script("[" TOKEN_OK "," EMPTY_LIST "," ONE_USER("", "bo@example.com") "]");
	assert_int_equal(scim_find_user(f->c, "1002", "Bo@Example.com", &u, &found, &err), BS_OK);
	assert_true(found);
	assert_string_equal(u.id, "u-77");
	scim_user_clear(&u);
	log = server_log();
	assert_non_null(strstr(json_str(req(log, 2), "query"), "userName%20eq%20%22Bo%40Example.com%22"));
	json_decref(log);
}

static void
find_by_user_name_of_someone_else_conflicts(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	int found = 0;

	script("[" TOKEN_OK "," EMPTY_LIST "," ONE_USER("9999", "bo@example.com") "]");
	assert_int_equal(scim_find_user(f->c, "1002", "bo@example.com", &u, &found, &err),
	    BS_ERR_CONFLICT);
	assert_false(found);
	assert_non_null(strstr(err.detail, "9999"));
}

/* ---- the token ---- */

static void
token_refused_says_what_to_fix(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };

	json_t *log;

	/* refused by Basic, then in the body: the second answer is the verdict */
	script("[{\"path\": \"/oauth/token\", \"status\": 401, \"body\": "
	    "\"{\\\"error\\\": \\\"invalid_client\\\"}\"}, "
	    "{\"path\": \"/oauth/token\", \"status\": 401, \"body\": "
	    "\"{\\\"error\\\": \\\"invalid_client\\\"}\"}]");
	assert_int_equal(scim_ping(f->c, &err), BS_ERR_AUTH);
	assert_non_null(strstr(err.detail, "credentials set alleo"));
	assert_null(strstr(err.detail, CLIENT_SECRET));
	assert_null(scim_token_auth(f->c));
	log = server_log();
	assert_int_equal(count_path(log, "/oauth/token"), 2);
	json_decref(log);
}

/* RFC 6749 2.3.1: id and secret are form-urlencoded, then put in Basic. */
static void
token_basic_credentials_are_form_urlencoded(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_client *c;
	char *base = url("/scim/v2"), *tok = url("/oauth/token");
	json_t *log;

	c = scim_client_new(f->http, base, tok, "id:1", "a:b+c d/\xc3\xa9%");
	script("[" TOKEN_OK ", " EMPTY_LIST "]");
	assert_int_equal(scim_ping(c, &err), BS_OK);
	assert_string_equal(scim_token_auth(c), "basic");
	log = server_log();
	/* base64("id%3A1:a%3Ab%2Bc+d%2F%C3%A9%25") */
	assert_string_equal(header(req(log, 0), "Authorization"),
	    "Basic aWQlM0ExOmElM0FiJTJCYytkJTJGJUMzJUE5JTI1");
	assert_string_equal(json_str(req(log, 0), "body"), "grant_type=client_credentials");
	json_decref(log);
	scim_client_free(&c);
	free(base);
	free(tok);
}

static void
token_falls_back_to_the_form_body_when_basic_is_refused(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	json_t *log;

	script("[{\"path\": \"/oauth/token\", \"status\": 400, \"body\": "
	    "\"{\\\"error\\\": \\\"invalid_client\\\"}\"}, " TOKEN_OK ", " EMPTY_LIST ", "
	    "{\"path\": \"/scim/v2/Users\", \"status\": 401}, " TOKEN_OK2 ", " EMPTY_LIST "]");
	assert_int_equal(scim_ping(f->c, &err), BS_OK);
	assert_string_equal(scim_token_auth(f->c), "body");
	/* the next token (after a 401) goes the way that worked, at once */
	assert_int_equal(scim_ping(f->c, &err), BS_OK);
	log = server_log();
	assert_int_equal(json_array_size(log), 6);
	assert_string_equal(header(req(log, 0), "Authorization"), BASIC);
	assert_null(header(req(log, 1), "Authorization"));
	assert_string_equal(json_str(req(log, 1), "body"), "grant_type=client_credentials"
	    "&client_id=bobsync-test-client&client_secret=s3cret-Client-Secret-42");
	assert_null(header(req(log, 4), "Authorization"));
	assert_non_null(strstr(json_str(req(log, 4), "body"), "client_secret="));
	json_decref(log);
}

static void
token_post_is_retried_on_5xx_reset_and_cut_answer(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	json_t *log;

	/* client credentials have no side effect, so the POST is retried like a
	 * read: a 503, a reset and a cut answer, then the token */
	script("[{\"path\": \"/oauth/token\", \"status\": 503, \"body\": \"busy\"}, "
	    "{\"path\": \"/oauth/token\", \"reset\": true}, "
	    "{\"path\": \"/oauth/token\", \"status\": 200, \"body\": "
	    "\"{\\\"access_token\\\": \\\"tok-CCCC\", \"truncate_to\": 10}, "
	    TOKEN_OK ", " EMPTY_LIST "]");
	assert_int_equal(scim_ping(f->c, &err), BS_OK);
	assert_int_equal(scim_token_fetches(f->c), 1);
	log = server_log();
	assert_int_equal(count_path(log, "/oauth/token"), 4);
	assert_string_equal(header(req(log, 4), "Authorization"), "Bearer tok-AAAA-1111");
	json_decref(log);
}

static void
expired_token_is_refreshed_once_on_401(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	json_t *log;

	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Users\", \"status\": 401, \"body\": "
	    "\"{\\\"detail\\\": \\\"token expired\\\"}\"}, " TOKEN_OK2 ", "
	    "{\"path\": \"/scim/v2/Users\", \"body\": \"{\\\"totalResults\\\": 0}\"}]");
	assert_int_equal(scim_ping(f->c, &err), BS_OK);
	assert_int_equal(scim_token_fetches(f->c), 2);
	log = server_log();
	assert_int_equal(json_array_size(log), 4);
	assert_string_equal(header(req(log, 3), "Authorization"), "Bearer tok-BBBB-2222");
	json_decref(log);
}

static void
second_401_is_an_error_not_a_loop(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	json_t *log;

	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Users\", \"status\": 401}, " TOKEN_OK2 ", "
	    "{\"path\": \"/scim/v2/Users\", \"status\": 401}]");
	assert_int_equal(scim_ping(f->c, &err), BS_ERR_AUTH);
	log = server_log();
	assert_int_equal(json_array_size(log), 4);
	assert_int_equal(count_path(log, "/oauth/token"), 2);
	json_decref(log);
}

static void
ping_refuses_a_non_scim_answer(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };

	assert_int_equal(scim_ping(NULL, &err), BS_ERR_INVALID);
	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Users\", \"body\": \"{\\\"hello\\\": 1}\"}]");
	assert_int_equal(scim_ping(f->c, &err), BS_ERR_PARSE);
	assert_non_null(strstr(err.detail, "alleo.scim_url"));
}

/* An unfiltered listing may be refused: the ping asks a filter that
 * matches nobody. */
static void
ping_asks_a_filter_that_matches_nobody(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	json_t *log;
	const char *q;

	script("[" TOKEN_OK ", " EMPTY_LIST "]");
	assert_int_equal(scim_ping(f->c, &err), BS_OK);
	log = server_log();
	q = json_str(req(log, 1), "query");
	assert_non_null(strstr(q, "filter=userName%20eq%20%22bobsync-ping-nobody%40example.invalid%22"));
	json_decref(log);
}

/* ---- the externalId filter refused ---- */

#define BAD_FILTER "{\"path\": \"/scim/v2/Users\", \"status\": 400, \"body\": " \
	"\"{\\\"schemas\\\": [\\\"urn:ietf:params:scim:api:messages:2.0:Error\\\"], " \
	"\\\"status\\\": \\\"400\\\", \\\"scimType\\\": \\\"invalidFilter\\\", " \
	"\\\"detail\\\": \\\"externalId is not filterable\\\"}\"}"

static void
find_falls_back_to_user_name_when_external_id_filter_is_refused(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	json_t *log;
	int found = 0;

	assert_false(scim_external_id_filter_refused(f->c));
	script("[" TOKEN_OK ", " BAD_FILTER ", " ONE_USER("1002", "bo@example.com") ", "
	    ONE_USER("1003", "cy@example.com") "]");
	assert_int_equal(scim_find_user(f->c, "1002", "bo@example.com", &u, &found, &err), BS_OK);
	assert_true(found);
	assert_string_equal(u.id, "u-77");
	scim_user_clear(&u);
	assert_true(scim_external_id_filter_refused(f->c));
	/* later lookups go by userName at once; without one it is an error,
	 * never "not found" */
	assert_int_equal(scim_find_user(f->c, "1003", "cy@example.com", &u, &found, &err), BS_OK);
	assert_true(found);
	scim_user_clear(&u);
	assert_int_equal(scim_find_user(f->c, "1004", NULL, &u, &found, &err), BS_ERR_REMOTE);
	assert_false(found);
	log = server_log();
	assert_int_equal(json_array_size(log), 4);
	assert_non_null(strstr(json_str(req(log, 1), "query"), "externalId"));
	assert_non_null(strstr(json_str(req(log, 2), "query"), "userName"));
	assert_non_null(strstr(json_str(req(log, 3), "query"), "userName"));
	json_decref(log);
}

/* ---- scim_create_user ---- */

static void
create_refuses_incomplete_spec(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	struct scim_user_spec sp = { .external_id = "1" };

	assert_int_equal(scim_create_user(f->c, &sp, &u, NULL, &err), BS_ERR_INVALID);
	sp.user_name = "a@x.nl";
	sp.budgets_json = "[1]";
	assert_int_equal(scim_create_user(f->c, &sp, &u, NULL, &err), BS_ERR_INVALID);
}

#define EXT_URN "urn:example:params:scim:schemas:extension:benefits:1.0:User"
#define SPC "{\"path\": \"/scim/v2/ServiceProviderConfig\", \"status\": 200, \"body\": " \
	"\"{\\\"patch\\\": {\\\"supported\\\": true}, \\\"filter\\\": " \
	"{\\\"supported\\\": true, \\\"maxResults\\\": 200}}\"}"
#define SCHEMAS(extra) "{\"path\": \"/scim/v2/Schemas\", \"status\": 200, \"body\": " \
	"\"{\\\"totalResults\\\": 2, \\\"Resources\\\": [{\\\"id\\\": " \
	"\\\"urn:ietf:params:scim:schemas:core:2.0:User\\\"}, {\\\"id\\\": \\\"" extra \
	"\\\"}]}\"}"
#define CREATED "{\"path\": \"/scim/v2/Users\", \"status\": 201, \"body\": " \
	"\"{\\\"id\\\": \\\"new-1\\\", \\\"externalId\\\": \\\"2001\\\", " \
	"\\\"userName\\\": \\\"zoe@example.com\\\", \\\"active\\\": true}\"}"

/* The body of the n-th logged request, parsed (caller decrefs). */
static json_t *
req_body(json_t *log, size_t n)
{
	json_t *b = json_loads(json_str(req(log, n), "body"), 0, NULL);

	assert_non_null(b);
	return b;
}

/* Alleo publishes no extension: by default nothing but core attributes. */
static void
create_sends_core_attributes_only(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	struct scim_user_spec sp = { "2001", "zoe@example.com", "Zo\xc3\xab", "\xc5\x81ukasiewicz",
	    1, "2026-11-02", NULL, NULL, "{\"alleo_monthly_all_budget\": 150}" };
	json_t *log, *body, *v;
	const char *k;
	int linked = 1;

	script("[" TOKEN_OK ", " CREATED "]");
	assert_int_equal(scim_create_user(f->c, &sp, &u, &linked, &err), BS_OK);
	scim_user_clear(&u);
	log = server_log();
	assert_int_equal(json_array_size(log), 2);	/* no /Schemas asked without a setting */
	body = req_body(log, 1);
	assert_int_equal(json_array_size(json_object_get(body, "schemas")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(body, "schemas"), 0)),
	    SCIM_CORE_USER);
	json_object_foreach(body, k, v)
		assert_null(strstr(k, "urn:"));
	json_decref(body);
	json_decref(log);
}

/* A named extension the service does not list is not sent either. */
static void
create_leaves_out_an_extension_the_service_does_not_list(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	struct scim_user_spec sp = { "2001", "zoe@example.com", "Zoe", "L", 1, "2026-11-02", NULL,
	    NULL, "{\"alleo_monthly_all_budget\": 150}" };
	json_t *log, *body;
	const struct scim_caps *k;

	scim_client_set_extension(f->c, EXT_URN);
	script("[" TOKEN_OK ", " SPC ", " SCHEMAS(SCIM_ENTERPRISE_USER) ", " CREATED "]");
	assert_int_equal(scim_create_user(f->c, &sp, &u, NULL, &err), BS_OK);
	scim_user_clear(&u);
	assert_null(scim_extension_usable(f->c));
	k = scim_caps_get(f->c);
	assert_true(k->config_read && k->schemas_read && k->core_user && k->enterprise);
	assert_false(k->extension);
	assert_int_equal(k->filter, 1);
	assert_int_equal(k->patch, 1);
	log = server_log();
	assert_int_equal(json_array_size(log), 4);	/* the caps once */
	body = req_body(log, 3);
	assert_int_equal(json_array_size(json_object_get(body, "schemas")), 1);
	assert_null(json_object_get(body, EXT_URN));
	json_decref(body);
	json_decref(log);
}

static void
create_sends_dates_and_budgets_to_a_listed_extension(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	struct scim_user_spec sp = { "2001", "zoe@example.com", "Zo\xc3\xab", "\xc5\x81ukasiewicz",
	    1, "2026-11-02", NULL, NULL, "{\"alleo_monthly_all_budget\": 150}" };
	json_t *log, *body, *ext;
	int linked = 1;

	scim_client_set_extension(f->c, EXT_URN);
	script("[" TOKEN_OK ", " SPC ", " SCHEMAS(EXT_URN) ", " CREATED "]");
	assert_int_equal(scim_create_user(f->c, &sp, &u, &linked, &err), BS_OK);
	assert_false(linked);
	assert_string_equal(u.id, "new-1");
	scim_user_clear(&u);
	log = server_log();
	body = req_body(log, 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(body, "schemas"), 1)),
	    EXT_URN);
	ext = json_object_get(body, EXT_URN);
	assert_string_equal(json_str(ext, "onboardingDate"), "2026-11-02");
	/* nothing is sent as null: an unknown date is left out */
	assert_null(json_object_get(ext, "offboardingDate"));
	assert_null(json_object_get(ext, "terminationDate"));
	assert_int_equal((int)json_number_value(json_object_get(json_object_get(ext, "budgets"),
	    "alleo_monthly_all_budget")), 150);
	json_decref(body);
	json_decref(log);
}

static void
create_sends_core_user_attributes(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	struct scim_user_spec sp = { "2001", "zoe@example.com", "Zo\xc3\xab", "\xc5\x81ukasiewicz",
	    1, "2026-11-02", NULL, NULL, "{\"alleo_monthly_all_budget\": 150}" };
	json_t *log, *body;
	int linked = 1;

	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Users\", \"status\": 201, \"body\": "
	    "\"{\\\"id\\\": \\\"new-1\\\", \\\"externalId\\\": \\\"2001\\\", "
	    "\\\"userName\\\": \\\"zoe@example.com\\\", \\\"active\\\": true}\"}]");
	assert_int_equal(scim_create_user(f->c, &sp, &u, &linked, &err), BS_OK);
	assert_false(linked);
	assert_string_equal(u.id, "new-1");
	assert_true(u.active);
	scim_user_clear(&u);
	log = server_log();
	assert_string_equal(json_str(req(log, 1), "method"), "POST");
	assert_string_equal(header(req(log, 1), "Content-Type"), "application/scim+json");
	body = json_loads(json_str(req(log, 1), "body"), 0, NULL);
	assert_non_null(body);
	assert_string_equal(json_str(body, "userName"), "zoe@example.com");
	assert_string_equal(json_str(body, "externalId"), "2001");
	assert_true(json_is_true(json_object_get(body, "active")));
	assert_string_equal(json_str(json_object_get(body, "name"), "givenName"), "Zo\xc3\xab");
	assert_string_equal(json_str(json_array_get(json_object_get(body, "emails"), 0), "type"),
	    "work");
	json_decref(body);
	json_decref(log);
}

static void
create_conflict_links_the_existing_user(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	struct scim_user_spec sp = { "1001", "ann@example.com", "Ann", "Lee", 1, NULL, NULL, NULL,
	    NULL };
	json_t *log;
	int linked = 0;

	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Users\", \"status\": 409, \"body\": "
	    "\"{\\\"scimType\\\": \\\"uniqueness\\\", \\\"status\\\": \\\"409\\\", "
	    "\\\"detail\\\": \\\"externalId exists\\\"}\"}, " ONE_USER("1001", "ann@example.com")
	    ", {\"path\": \"/scim/v2/Users/u-77\", \"status\": 204, \"body\": \"\"}]");
	assert_int_equal(scim_create_user(f->c, &sp, &u, &linked, &err), BS_OK);
	assert_true(linked);
	assert_string_equal(u.id, "u-77");
	scim_user_clear(&u);
	log = server_log();
	assert_int_equal(json_array_size(log), 4);
	assert_string_equal(json_str(req(log, 1), "method"), "POST");
	assert_string_equal(json_str(req(log, 2), "method"), "GET");
	assert_string_equal(json_str(req(log, 3), "method"), "PATCH");
	/* exactly one create: never a duplicate */
	assert_int_equal(count_path(log, "/scim/v2/Users"), 2);
	json_decref(log);
}

static void
create_retries_429(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	struct scim_user_spec sp = { "3001", "c@example.com", "C", "D", 1, NULL, NULL, NULL, NULL };
	int64_t before = fake_now;
	json_t *log;

	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Users\", \"status\": 429, "
	    "\"headers\": {\"Retry-After\": \"2\"}, \"body\": \"slow down\"}, "
	    "{\"path\": \"/scim/v2/Users\", \"status\": 201, \"body\": "
	    "\"{\\\"id\\\": \\\"n-3\\\", \\\"externalId\\\": \\\"3001\\\"}\"}]");
	assert_int_equal(scim_create_user(f->c, &sp, &u, NULL, &err), BS_OK);
	assert_string_equal(u.id, "n-3");
	scim_user_clear(&u);
	assert_true(fake_now - before >= 2000);		/* waited what Alleo asked */
	log = server_log();
	assert_int_equal(count_path(log, "/scim/v2/Users"), 2);
	json_decref(log);
}

static void
create_server_error_is_reported(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user u;
	struct scim_user_spec sp = { "3002", "e@example.com", "E", "F", 1, NULL, NULL, NULL, NULL };

	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Users\", \"status\": 400, \"body\": "
	    "\"{\\\"detail\\\": \\\"userName is not an email\\\"}\"}]");
	assert_int_equal(scim_create_user(f->c, &sp, &u, NULL, &err), BS_ERR_HTTP);
	assert_non_null(strstr(err.detail, "userName is not an email"));
	assert_null(u.id);
}

/* ---- scim_set_active / scim_update_user ---- */

static void
deactivate_sends_patch_with_offboarding_date(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	json_t *log, *body, *ops;

	assert_int_equal(scim_set_active(f->c, NULL, 0, NULL, &err), BS_ERR_INVALID);
	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Users/u%2F1\", \"status\": 200, \"body\": "
	    "\"{}\"}]");
	assert_int_equal(scim_set_active(f->c, "u/1", 0, "2026-10-31", &err), BS_OK);
	log = server_log();
	assert_string_equal(json_str(req(log, 1), "method"), "PATCH");
	body = json_loads(json_str(req(log, 1), "body"), 0, NULL);
	assert_string_equal(json_string_value(json_array_get(json_object_get(body, "schemas"), 0)),
	    "urn:ietf:params:scim:api:messages:2.0:PatchOp");
	ops = json_object_get(body, "Operations");
	/* no extension: active only */
	assert_int_equal(json_array_size(ops), 1);
	assert_string_equal(json_str(json_array_get(ops, 0), "op"), "replace");
	assert_string_equal(json_str(json_array_get(ops, 0), "path"), "active");
	assert_true(json_is_false(json_object_get(json_array_get(ops, 0), "value")));
	json_decref(body);
	json_decref(log);
}

/* With a listed extension: the date by its full attribute path (never a
 * bare URN), cleared with remove (never null) on a reactivation. */
static void
extension_dates_use_full_paths_and_remove(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	json_t *log, *body, *ops, *o;

	scim_client_set_extension(f->c, EXT_URN);
	script("[" TOKEN_OK ", " SPC ", " SCHEMAS(EXT_URN) ", "
	    "{\"path\": \"/scim/v2/Users/u-1\", \"status\": 204, \"body\": \"\"}, "
	    "{\"path\": \"/scim/v2/Users/u-1\", \"status\": 204, \"body\": \"\"}]");
	assert_int_equal(scim_set_active(f->c, "u-1", 0, "2026-10-31", &err), BS_OK);
	assert_int_equal(scim_set_active(f->c, "u-1", 1, NULL, &err), BS_OK);
	log = server_log();
	body = req_body(log, 3);
	ops = json_object_get(body, "Operations");
	assert_int_equal(json_array_size(ops), 2);
	o = json_array_get(ops, 1);
	assert_string_equal(json_str(o, "op"), "replace");
	assert_string_equal(json_str(o, "path"), EXT_URN ":offboardingDate");
	assert_string_equal(json_str(o, "value"), "2026-10-31");
	json_decref(body);
	body = req_body(log, 4);
	ops = json_object_get(body, "Operations");
	assert_true(json_is_true(json_object_get(json_array_get(ops, 0), "value")));
	o = json_array_get(ops, 1);
	assert_string_equal(json_str(o, "op"), "remove");
	assert_string_equal(json_str(o, "path"), EXT_URN ":offboardingDate");
	assert_null(json_object_get(o, "value"));
	json_decref(body);
	json_decref(log);
}

/* Every PATCH path is an attribute path and no value is null (RFC 7644
 * 3.5.2), with and without an extension. */
static void
update_paths_are_attribute_paths_and_never_null(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user_spec sp = { "1001", "ann@example.com", "Ann", "Lee", 1, "2020-01-01", NULL,
	    NULL, NULL };
	json_t *log, *ops, *o, *body;
	size_t i, n = 0;

	scim_client_set_extension(f->c, EXT_URN);
	script("[" TOKEN_OK ", " SPC ", " SCHEMAS(EXT_URN) ", "
	    "{\"path\": \"/scim/v2/Users/u-1\", \"status\": 204, \"body\": \"\"}]");
	assert_int_equal(scim_update_user(f->c, "u-1", &sp, &err), BS_OK);
	log = server_log();
	body = req_body(log, 3);
	ops = json_object_get(body, "Operations");
	json_array_foreach(ops, i, o) {
		const char *path = json_str(o, "path");
		assert_non_null(path);
		assert_false(str_eq(path, EXT_URN));
		assert_false(json_is_null(json_object_get(o, "value")));
		if (str_eq(json_str(o, "op"), "remove")) {
			assert_null(json_object_get(o, "value"));
			n++;
		}
	}
	/* terminationDate, offboardingDate and budgets have no value: removed */
	assert_int_equal(n, 3);
	json_decref(body);
	json_decref(log);
}

static void
update_replaces_user_name_for_an_email_change(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_user_spec sp = { "1001", "new@example.com", "Ann", "Lee", 1, NULL, NULL, NULL,
	    NULL };
	json_t *log, *body, *ops, *o;
	size_t i;
	int saw_user_name = 0;

	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Users/u-77\", \"status\": 404, \"body\": "
	    "\"{\\\"detail\\\": \\\"no such user\\\"}\"}]");
	assert_int_equal(scim_update_user(f->c, "u-77", &sp, &err), BS_ERR_NOT_FOUND);
	log = server_log();
	body = json_loads(json_str(req(log, 1), "body"), 0, NULL);
	ops = json_object_get(body, "Operations");
	json_array_foreach(ops, i, o)
		if (str_eq(json_str(o, "path"), "userName")) {
			saw_user_name = 1;
			assert_string_equal(json_string_value(json_object_get(o, "value")),
			    "new@example.com");
		}
	assert_true(saw_user_name);
	json_decref(body);
	json_decref(log);
}

/* ---- the listing (scim_list_users) and its index ---- */

/* A user of the scripted listings: id u-K, externalId eK, userName pK@x.nl. */
static json_t *
list_user(int k)
{
	char id[16], ext[16], name[32];

	snprintf(id, sizeof id, "u-%d", k);
	snprintf(ext, sizeof ext, "e%d", k);
	snprintf(name, sizeof name, "p%d@x.nl", k);
	return json_pack("{s:s, s:s, s:s, s:b}", "id", id, "externalId", ext, "userName", name,
	    "active", 1);
}

/* A scripted answer to GET /scim/v2/Users: a ListResponse with users
 * [from, to) and totalResults total. */
static json_t *
list_page(long long total, int from, int to)
{
	json_t *res = json_array(), *body, *item;
	char *text;

	for (int k = from; k < to; k++)
		json_array_append_new(res, list_user(k));
	body = json_pack("{s:[s], s:I, s:I, s:i, s:o}", "schemas",
	    "urn:ietf:params:scim:api:messages:2.0:ListResponse", "totalResults",
	    (json_int_t)total, "startIndex", (json_int_t)from + 1, "itemsPerPage", to - from,
	    "Resources", res);
	text = json_dumps(body, JSON_COMPACT);
	item = json_pack("{s:s, s:i, s:s}", "path", "/scim/v2/Users", "status", 200, "body", text);
	free(text);
	json_decref(body);
	return item;
}

/* Script the token, then the items (each consumed). */
static void
script_items(json_t *first, ...)
{
	json_t *a = json_array(), *it;
	char *text;
	va_list ap;

	json_array_append_new(a, json_loads(TOKEN_OK, 0, NULL));
	va_start(ap, first);
	for (it = first; it != NULL; it = va_arg(ap, json_t *))
		json_array_append_new(a, it);
	va_end(ap);
	text = json_dumps(a, JSON_COMPACT);
	script(text);
	free(text);
	json_decref(a);
}

/* The query of the n-th request, or "". */
static const char *
query_of(json_t *log, size_t n)
{
	const char *q = json_str(req(log, n), "query");
	return q ? q : "";
}

static void
list_pages_until_the_total_even_with_short_pages(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_index x;
	struct scim_user u;
	int found = 1;
	json_t *log;

	/* 5 users; the service answers 2, 2 and 1 although 100 were asked */
	script_items(list_page(5, 0, 2), list_page(5, 2, 4), list_page(5, 4, 5), NULL);
	scim_index_init(&x);
	assert_int_equal(scim_list_users(f->c, 0, &x, &err), BS_OK);
	assert_true(x.complete);
	assert_int_equal(x.n, 5);
	assert_int_equal(x.pages, 3);
	log = server_log();
	assert_int_equal(json_array_size(log), 4);
	assert_string_equal(query_of(log, 1), "startIndex=1&count=100");
	assert_string_equal(query_of(log, 2), "startIndex=3&count=100");
	assert_string_equal(query_of(log, 3), "startIndex=5&count=100");
	json_decref(log);

	/* lookups answered by the index, no request */
	assert_int_equal(scim_lookup(f->c, &x, "e3", "p3@x.nl", &u, &found, &err), BS_OK);
	assert_true(found);
	assert_string_equal(u.id, "u-3");
	scim_user_clear(&u);
	assert_int_equal(scim_lookup(f->c, &x, "e9", "p9@x.nl", &u, &found, &err), BS_OK);
	assert_false(found);		/* complete: an absence is final */
	assert_int_equal(scim_lookup(f->c, &x, "e9", "P2@X.NL", &u, &found, &err),
	    BS_ERR_CONFLICT);		/* the name is another person's */
	assert_non_null(strstr(err.detail, "u-2"));
	log = server_log();
	assert_int_equal(json_array_size(log), 4);
	json_decref(log);
	scim_index_clear(&x);
}

static void
list_user_on_two_pages_is_not_trusted_for_an_absence(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_index x;
	struct scim_user u;
	int found = 0;
	json_t *log;

	/* 4 users, the order shifts under the listing: u-1 comes twice and
	 * u-3 never, on both passes */
	script_items(list_page(4, 0, 2), list_page(4, 1, 3), list_page(4, 0, 2),
	    list_page(4, 1, 3), NULL);
	scim_index_init(&x);
	assert_int_equal(scim_list_users(f->c, 0, &x, &err), BS_OK);
	assert_false(x.complete);
	assert_non_null(strstr(x.why, "two pages"));
	assert_int_equal(x.n, 3);
	assert_int_equal(x.pages, 4);		/* listed twice */
	log = server_log();
	assert_string_equal(query_of(log, 3), "startIndex=1&count=100");
	json_decref(log);

	/* a listed user is still found without a request; u-3 is asked for */
	assert_int_equal(scim_lookup(f->c, &x, "e2", NULL, &u, &found, &err), BS_OK);
	assert_true(found);
	scim_user_clear(&u);
	script("[" ONE_USER("e3", "p3@x.nl") "]");
	assert_int_equal(scim_lookup(f->c, &x, "e3", "p3@x.nl", &u, &found, &err), BS_OK);
	assert_true(found);
	assert_string_equal(u.id, "u-77");
	scim_user_clear(&u);
	log = server_log();
	assert_int_equal(count_path(log, "/scim/v2/Users"), 5);
	assert_non_null(strstr(query_of(log, 5), "filter=externalId"));
	json_decref(log);
	scim_index_clear(&x);
}

static void
list_total_changed_during_the_listing_is_listed_again(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_index x;

	/* someone adds a user between the first and the second page */
	script_items(list_page(4, 0, 2), list_page(5, 2, 4), list_page(5, 4, 5),
	    list_page(5, 0, 3), list_page(5, 3, 5), NULL);
	scim_index_init(&x);
	assert_int_equal(scim_list_users(f->c, 0, &x, &err), BS_OK);
	assert_true(x.complete);
	assert_int_equal(x.n, 5);
	assert_int_equal(x.total, 5);
	assert_int_equal(x.pages, 5);
	scim_index_clear(&x);

	/* and when it keeps moving, the index is not trusted for an absence */
	script_items(list_page(4, 0, 2), list_page(5, 2, 4), list_page(5, 4, 5),
	    list_page(5, 0, 2), list_page(6, 2, 4), list_page(6, 4, 6), NULL);
	scim_index_init(&x);
	assert_int_equal(scim_list_users(f->c, 0, &x, &err), BS_OK);
	assert_false(x.complete);
	assert_non_null(strstr(x.why, "changed"));
	scim_index_clear(&x);
}

static void
list_refused_count_is_asked_again_with_half(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_index x;
	json_t *log, *refused = json_pack("{s:s, s:i, s:s}", "path", "/scim/v2/Users", "status",
	    400, "body", "{\"scimType\": \"invalidValue\", \"detail\": \"count must be at most 60\"}");

	script_items(refused, list_page(3, 0, 3), NULL);
	scim_index_init(&x);
	assert_int_equal(scim_list_users(f->c, 0, &x, &err), BS_OK);
	assert_true(x.complete);
	assert_int_equal(x.n, 3);
	log = server_log();
	assert_string_equal(query_of(log, 1), "startIndex=1&count=100");
	assert_string_equal(query_of(log, 2), "startIndex=1&count=50");
	json_decref(log);
	scim_index_clear(&x);
}

static void
list_refused_without_a_filter_falls_back_to_lookups(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_index x;
	struct scim_user u;
	int found = 1;
	json_t *log, *refused = json_pack("{s:s, s:i, s:s}", "path", "/scim/v2/Users", "status",
	    400, "body", "{\"scimType\": \"invalidFilter\", \"detail\": \"a filter is required\"}");

	script_items(refused, NULL);
	scim_index_init(&x);
	assert_int_equal(scim_list_users(f->c, 0, &x, &err), BS_ERR_HTTP);
	assert_non_null(strstr(err.detail, "a filter is required"));
	assert_false(x.complete);
	assert_int_equal(x.pages, 1);		/* not asked again with a smaller count */
	bs_error_clear(&err);
	script("[" EMPTY_LIST "," EMPTY_LIST "]");
	assert_int_equal(scim_lookup(f->c, &x, "e1", "p1@x.nl", &u, &found, &err), BS_OK);
	assert_false(found);
	log = server_log();
	assert_int_equal(count_path(log, "/scim/v2/Users"), 3);	/* listing + 2 lookups */
	json_decref(log);
	scim_index_clear(&x);
}

static void
list_stops_when_it_would_cost_more_than_lookups(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_index x;

	/* 1,000 users in pages of 100 would take 10 requests; 3 are allowed */
	script_items(list_page(1000, 0, 100), NULL);
	scim_index_init(&x);
	assert_int_equal(scim_list_users(f->c, 3, &x, &err), BS_OK);
	assert_false(x.complete);
	assert_int_equal(x.pages, 1);
	assert_int_equal(x.n, 100);
	assert_non_null(strstr(x.why, "1000 users"));
	scim_index_clear(&x);
}

static void
list_stops_when_a_page_brings_nobody_new(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_index x;

	/* a service that ignores startIndex answers the first page again */
	script_items(list_page(4, 0, 2), list_page(4, 0, 2), list_page(4, 0, 2),
	    list_page(4, 0, 2), NULL);
	scim_index_init(&x);
	assert_int_equal(scim_list_users(f->c, 0, &x, &err), BS_OK);
	assert_false(x.complete);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.pages, 4);		/* two passes of two pages, then it gives up */
	scim_index_clear(&x);
}

static void
index_follows_the_writes_of_the_run(void **state)
{
	struct bs_error err = { 0 };
	struct scim_index x;
	struct scim_page p = { 0 };
	struct scim_user u, w;
	int found = 0;

	(void)state;
	/* two pages folded by hand: u-1 shows on both (counted once) */
	p.v = xcalloc(2, sizeof *p.v);
	p.n = 2;
	p.total = 3;
	p.v[0].id = xstrdup("u-0"), p.v[0].external_id = xstrdup("e0");
	p.v[0].user_name = xstrdup("Ann@X.nl");
	p.v[1].id = xstrdup("u-1"), p.v[1].external_id = xstrdup("e1");
	p.v[1].user_name = xstrdup("bob@x.nl");
	scim_index_init(&x);
	assert_int_equal(scim_index_add_page(&x, &p), 2);
	assert_int_equal(scim_index_add_page(&x, &p), 0);
	assert_int_equal(x.repeats, 2);
	scim_index_finish(&x);
	assert_false(x.complete);
	scim_page_clear(&p);
	scim_index_clear(&x);

	/* a complete index of one user, then the run renames and creates */
	p.v = xcalloc(1, sizeof *p.v);
	p.n = 1;
	p.total = 1;
	p.v[0].id = xstrdup("u-0"), p.v[0].external_id = xstrdup("e0");
	p.v[0].user_name = xstrdup("ann@x.nl");
	scim_index_init(&x);
	scim_index_add_page(&x, &p);
	scim_index_finish(&x);
	assert_true(x.complete);
	scim_page_clear(&p);
	memset(&w, 0, sizeof w);
	w.id = (char *)"u-0", w.external_id = (char *)"e0", w.user_name = (char *)"ann.new@x.nl";
	scim_index_put(&x, &w);
	/* the old name is free now: a new person may take it */
	assert_int_equal(scim_lookup(NULL, &x, "e5", "ann@x.nl", &u, &found, &err), BS_OK);
	assert_false(found);
	assert_int_equal(scim_lookup(NULL, &x, "e5", "ANN.NEW@x.nl", &u, &found, &err),
	    BS_ERR_CONFLICT);
	w.id = (char *)"u-5", w.external_id = (char *)"e5", w.user_name = (char *)"ann@x.nl";
	scim_index_put(&x, &w);
	assert_int_equal(x.n, 2);
	assert_int_equal(scim_lookup(NULL, &x, "e5", NULL, &u, &found, &err), BS_OK);
	assert_true(found);
	assert_string_equal(u.id, "u-5");
	scim_user_clear(&u);
	scim_index_clear(&x);
}

static void
parse_page_reads_the_paging_numbers(void **state)
{
	struct bs_error err = { 0 };
	struct scim_page p;
	static const char full[] = "{\"totalResults\": 7, \"startIndex\": 3, \"itemsPerPage\": 1, "
	    "\"Resources\": [{\"id\": \"u-1\", \"userName\": \"a@x.nl\"}]}";
	static const char none[] = "{\"totalResults\": 0}";
	static const char missing[] = "{\"totalResults\": 7}";
	static const char bare[] = "{\"Resources\": []}";

	(void)state;
	assert_int_equal(scim_parse_page(full, sizeof full - 1, &p, &err), BS_OK);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.total, 7);
	assert_int_equal(p.start, 3);
	assert_int_equal(p.per_page, 1);
	scim_page_clear(&p);
	assert_int_equal(scim_parse_page(none, sizeof none - 1, &p, &err), BS_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(scim_parse_page(missing, sizeof missing - 1, &p, &err), BS_ERR_PARSE);
	assert_int_equal(scim_parse_page(bare, sizeof bare - 1, &p, &err), BS_OK);
	assert_int_equal(p.total, -1);
	assert_int_equal(p.start, -1);
	scim_page_clear(&p);
}

/* ---- SCIM Bulk (RFC 7644 3.7) ---- */

#define SPC_BULK(b) "{\"path\": \"/scim/v2/ServiceProviderConfig\", \"status\": 200, \"body\": " \
	"\"{\\\"patch\\\": {\\\"supported\\\": true}, \\\"bulk\\\": " b "}\"}"
#define SCHEMAS_CORE "{\"path\": \"/scim/v2/Schemas\", \"status\": 200, \"body\": " \
	"\"{\\\"Resources\\\": [{\\\"id\\\": \\\"urn:ietf:params:scim:schemas:core:2.0:User\\\"}]}\"}"

static void
bulk_is_used_only_when_the_service_says_so(void **state)
{
	struct fx *f = *state;
	struct scim_bulk_limits lim = { 0, 0 };
	json_t *log;

	script("[" TOKEN_OK ", " SPC_BULK("{\\\"supported\\\": true, \\\"maxOperations\\\": 50, "
	    "\\\"maxPayloadSize\\\": 65536}") ", " SCHEMAS_CORE "]");
	assert_true(scim_bulk_usable(f->c, &lim));
	assert_int_equal(lim.max_ops, 50);
	assert_int_equal(lim.max_payload, 65536);
	/* the same answer cached: nothing asked again */
	assert_true(scim_bulk_usable(f->c, NULL));
	log = server_log();
	assert_int_equal(count_path(log, "/scim/v2/ServiceProviderConfig"), 1);
	json_decref(log);
	/* not supported, no limits, a maxOperations of 1, an unreadable config */
	static const char *const no[] = {
		"{\\\"supported\\\": false, \\\"maxOperations\\\": 50, \\\"maxPayloadSize\\\": 65536}",
		"{\\\"supported\\\": true}",
		"{\\\"supported\\\": true, \\\"maxOperations\\\": 1, \\\"maxPayloadSize\\\": 65536}",
		"{\\\"supported\\\": true, \\\"maxOperations\\\": 50, \\\"maxPayloadSize\\\": -4}",
		"{\\\"supported\\\": \\\"yes\\\", \\\"maxOperations\\\": 50, \\\"maxPayloadSize\\\": 9}",
	};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
		char *s = xasprintf("[{\"path\": \"/scim/v2/ServiceProviderConfig\", \"status\": 200, "
		    "\"body\": \"{\\\"bulk\\\": %s}\"}, " SCHEMAS_CORE "]", no[i]);
		script(s);
		free(s);
		scim_client_set_extension(f->c, NULL);	/* forgets the caps */
		assert_false(scim_bulk_usable(f->c, &lim));
	}
	script("[{\"path\": \"/scim/v2/ServiceProviderConfig\", \"status\": 404}, " SCHEMAS_CORE "]");
	scim_client_set_extension(f->c, NULL);
	assert_false(scim_bulk_usable(f->c, &lim));
	assert_false(scim_caps_get(f->c)->config_read);
	/* limits beyond what one answer can report on are kept to 1000 and 4 MiB */
	script("[" SPC_BULK("{\\\"supported\\\": true, \\\"maxOperations\\\": 50000, "
	    "\\\"maxPayloadSize\\\": 1073741824}") ", " SCHEMAS_CORE "]");
	scim_client_set_extension(f->c, NULL);
	assert_true(scim_bulk_usable(f->c, &lim));
	assert_int_equal(lim.max_ops, 1000);
	assert_int_equal(lim.max_payload, 4 << 20);
}

/* Three creates and two deactivations (borrowed specs). */
static struct scim_user_spec bulk_specs[3] = {
	{ "3001", "ann@x.nl", "Ann", "A", 1, NULL, NULL, NULL, NULL },
	{ "3002", "bo@x.nl", "Bo", "B", 1, NULL, NULL, NULL, NULL },
	{ "3003", "cy@x.nl", "Cy", "C", 1, NULL, NULL, NULL, NULL },
};

static void
bulk_ops5(struct scim_bulk_op *ops)
{
	memset(ops, 0, 5 * sizeof *ops);
	for (int i = 0; i < 3; i++) {
		ops[i].kind = SCIM_BULK_CREATE;
		ops[i].spec = &bulk_specs[i];
	}
	ops[3].kind = ops[4].kind = SCIM_BULK_DEACTIVATE;
	ops[3].id = "u-9";
	ops[3].offboarding_date = "2026-12-01";
	ops[4].id = "id with/slash";
}

static void
bulk_ops_clear(struct scim_bulk_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scim_bulk_op_clear(&ops[i]);
}

static void
bulk_body_is_a_bulk_request_with_bulk_ids(void **state)
{
	struct scim_bulk_op ops[5];
	json_t *b, *o, *d;
	size_t len;
	char *text;

	(void)state;
	bulk_ops5(ops);
	text = scim_bulk_body(ops, 5, NULL, &len);
	assert_int_equal(strlen(text), len);
	b = json_loads(text, 0, NULL);
	assert_non_null(b);
	assert_string_equal(json_string_value(json_array_get(json_object_get(b, "schemas"), 0)),
	    SCIM_BULK_REQUEST);
	assert_null(json_object_get(b, "failOnErrors"));	/* every operation is tried */
	o = json_object_get(b, "Operations");
	assert_int_equal(json_array_size(o), 5);
	for (size_t i = 0; i < 5; i++) {
		char want[8];
		snprintf(want, sizeof want, "b%zu", i);
		assert_string_equal(json_str(json_array_get(o, i), "bulkId"), want);
	}
	assert_string_equal(json_str(json_array_get(o, 1), "method"), "POST");
	assert_string_equal(json_str(json_array_get(o, 1), "path"), "/Users");
	d = json_object_get(json_array_get(o, 1), "data");
	assert_string_equal(json_str(d, "userName"), "bo@x.nl");
	assert_string_equal(json_str(d, "externalId"), "3002");
	assert_string_equal(json_string_value(json_array_get(json_object_get(d, "schemas"), 0)),
	    SCIM_CORE_USER);
	assert_string_equal(json_str(json_array_get(o, 3), "method"), "PATCH");
	assert_string_equal(json_str(json_array_get(o, 3), "path"), "/Users/u-9");
	assert_string_equal(json_str(json_array_get(o, 4), "path"), "/Users/id%20with%2Fslash");
	d = json_array_get(json_object_get(json_object_get(json_array_get(o, 3), "data"),
	    "Operations"), 0);
	assert_string_equal(json_str(d, "op"), "replace");
	assert_string_equal(json_str(d, "path"), "active");
	assert_true(json_is_false(json_object_get(d, "value")));
	json_decref(b);
	free(text);
	bulk_ops_clear(ops, 5);
}

static void
bulk_fit_chunks_by_count_and_payload(void **state)
{
	struct scim_bulk_op ops[5];
	struct scim_bulk_limits lim = { 2, 1 << 20 };
	size_t len2, len3, len1;
	char *t;

	(void)state;
	bulk_ops5(ops);
	/* by count */
	assert_int_equal(scim_bulk_fit(ops, 5, NULL, &lim), 2);
	assert_int_equal(scim_bulk_fit(ops + 4, 1, NULL, &lim), 1);
	lim.max_ops = 1000;
	assert_int_equal(scim_bulk_fit(ops, 5, NULL, &lim), 5);
	/* by payload: exactly the size of a body of two fits two, a byte less one */
	t = scim_bulk_body(ops, 1, NULL, &len1);
	free(t);
	t = scim_bulk_body(ops, 2, NULL, &len2);
	free(t);
	t = scim_bulk_body(ops, 3, NULL, &len3);
	free(t);
	lim.max_payload = (long)len2;
	assert_int_equal(scim_bulk_fit(ops, 5, NULL, &lim), 2);
	lim.max_payload = (long)len2 - 1;
	assert_int_equal(scim_bulk_fit(ops, 5, NULL, &lim), 1);
	lim.max_payload = (long)len3;
	assert_int_equal(scim_bulk_fit(ops, 5, NULL, &lim), 3);
	/* one operation larger than a whole bulk may be: none (it goes alone) */
	lim.max_payload = (long)len1 - 1;
	assert_int_equal(scim_bulk_fit(ops, 5, NULL, &lim), 0);
	/* every chunk of a run within both limits, all covered in order */
	lim.max_ops = 4;
	lim.max_payload = (long)len2 + 10;
	for (size_t off = 0, k; off < 5; off += k) {
		k = scim_bulk_fit(ops + off, 5 - off, NULL, &lim);
		assert_true(k >= 1 && k <= 4);
		t = scim_bulk_body(ops + off, k, NULL, &len1);
		assert_true(len1 <= (size_t)lim.max_payload);
		free(t);
	}
	bulk_ops_clear(ops, 5);
}

static void
bulk_answer_maps_every_status_kind(void **state)
{
	struct bs_error err = { 0 };
	struct scim_bulk_op ops[5];
	/* b0 created (location), b1 409 uniqueness, b2 400 invalidValue, the
	 * PATCH of u-9 answered without a bulkId (by location, status a
	 * number), b4 not answered; stray and repeated answers ignored */
	static const char answer[] = "{\"schemas\": [\"" SCIM_BULK_RESPONSE "\"], \"Operations\": ["
	    "{\"method\": \"POST\", \"bulkId\": \"b0\", \"status\": \"201\", "
	    "\"location\": \"https://a.example/scim/v2/Users/new%2D0\"},"
	    "{\"method\": \"POST\", \"bulkId\": \"b1\", \"status\": \"409\", \"response\": "
	    "{\"scimType\": \"uniqueness\", \"detail\": \"userName bo@x.nl is taken\"}},"
	    "{\"method\": \"POST\", \"bulkId\": \"b2\", \"status\": \"400\", \"response\": "
	    "{\"scimType\": \"invalidValue\", \"detail\": \"bad\\nname\"}},"
	    "{\"method\": \"POST\", \"bulkId\": \"b2\", \"status\": \"201\", \"location\": \"/Users/x\"},"
	    "{\"method\": \"PATCH\", \"status\": 200, "
	    "\"location\": \"https://a.example/scim/v2/Users/u-9\"},"
	    "{\"method\": \"POST\", \"bulkId\": \"b77\", \"status\": \"201\", \"location\": \"/Users/y\"},"
	    "{\"method\": \"POST\", \"bulkId\": \"zz\", \"status\": \"201\"}, 7, null]}";

	(void)state;
	bulk_ops5(ops);
	assert_int_equal(scim_bulk_parse(answer, sizeof answer - 1, ops, 5, &err), BS_OK);
	assert_int_equal(ops[0].status, 201);
	assert_string_equal(ops[0].remote_id, "new-0");
	assert_int_equal(ops[1].status, 409);
	assert_null(ops[1].remote_id);
	assert_string_equal(ops[1].scim_type, "uniqueness");
	assert_string_equal(ops[1].detail, "userName bo@x.nl is taken");
	assert_int_equal(ops[2].status, 400);
	assert_string_equal(ops[2].scim_type, "invalidValue");
	assert_null(strchr(ops[2].detail, '\n'));	/* one line */
	assert_int_equal(ops[3].status, 200);
	assert_string_equal(ops[3].remote_id, "u-9");
	assert_int_equal(ops[4].status, 0);		/* no answer: may have been applied */
	assert_null(ops[4].remote_id);
	bulk_ops_clear(ops, 5);

	/* a create answered 201 without a location or id: the user is unknown */
	static const char noloc[] = "{\"Operations\": [{\"bulkId\": \"b0\", \"status\": \"201\"},"
	    "{\"bulkId\": \"b1\", \"status\": \"201\", \"response\": {\"id\": \"r-1\"}},"
	    "{\"bulkId\": \"b2\", \"status\": \"5xx\"}]}";
	bulk_ops5(ops);
	assert_int_equal(scim_bulk_parse(noloc, sizeof noloc - 1, ops, 5, &err), BS_OK);
	assert_int_equal(ops[0].status, 0);
	assert_non_null(strstr(ops[0].detail, "location"));
	assert_int_equal(ops[1].status, 201);
	assert_string_equal(ops[1].remote_id, "r-1");
	assert_int_equal(ops[2].status, 0);
	bulk_ops_clear(ops, 5);
}

static void
bulk_answer_that_is_not_a_bulk_response_leaves_every_operation_open(void **state)
{
	struct bs_error err = { 0 };
	struct scim_bulk_op ops[5];
	static const char *const bad[] = { "<html>502 Bad Gateway</html>", "", "[]",
	    "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:Error\"], \"status\": \"400\"}",
	    "{\"Operations\": {}}" };

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		bulk_ops5(ops);
		assert_int_equal(scim_bulk_parse(bad[i], strlen(bad[i]), ops, 5, &err), BS_ERR_PARSE);
		for (size_t k = 0; k < 5; k++) {
			assert_int_equal(ops[k].status, 0);
			assert_null(ops[k].remote_id);
		}
		bulk_ops_clear(ops, 5);
	}
	assert_int_equal(scim_bulk_parse(NULL, 0, ops, 0, &err), BS_ERR_PARSE);
}

#define BULK_ANSWER(ops) "{\"path\": \"/scim/v2/Bulk\", \"status\": 200, \"body\": " \
	"\"{\\\"Operations\\\": [" ops "]}\"}"
#define BULK_OK(id, loc) "{\\\"bulkId\\\": \\\"" id "\\\", \\\"status\\\": \\\"201\\\", " \
	"\\\"location\\\": \\\"/Users/" loc "\\\"}"

static void
bulk_refused_for_size_is_sent_again_in_halves(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_bulk_op ops[5];
	json_t *log, *b;

	bulk_ops5(ops);
	/* 413 for three, 400 tooMany for the first half (one is left alone,
	 * which a 413 then marks), the second half of two applied */
	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Bulk\", \"status\": 413, \"body\": "
	    "\"{\\\"detail\\\": \\\"too big\\\"}\"}, "
	    "{\"path\": \"/scim/v2/Bulk\", \"status\": 413, \"body\": "
	    "\"{\\\"detail\\\": \\\"one is too many\\\"}\"}, "
	    BULK_ANSWER(BULK_OK("b0", "n-1") ", " BULK_OK("b1", "n-2")) "]");
	assert_int_equal(scim_bulk_send(f->c, ops, 3, &err), BS_OK);
	assert_int_equal(ops[0].status, 413);
	assert_string_equal(ops[0].detail, "one is too many");
	assert_int_equal(ops[1].status, 201);
	assert_string_equal(ops[1].remote_id, "n-1");
	assert_string_equal(ops[2].remote_id, "n-2");
	log = server_log();
	assert_int_equal(count_path(log, "/scim/v2/Bulk"), 3);
	b = req_body(log, 3);
	assert_int_equal(json_array_size(json_object_get(b, "Operations")), 2);
	assert_string_equal(json_str(json_array_get(json_object_get(b, "Operations"), 0),
	    "bulkId"), "b0");
	assert_string_equal(header(req(log, 3), "Content-Type"), "application/scim+json");
	json_decref(b);
	json_decref(log);
	assert_int_equal(scim_bulk_requests(f->c), 3);
	bulk_ops_clear(ops, 5);

	/* 400 tooMany counts as too large as well */
	bulk_ops5(ops);
	script("[{\"path\": \"/scim/v2/Bulk\", \"status\": 400, \"body\": "
	    "\"{\\\"scimType\\\": \\\"tooMany\\\", \\\"detail\\\": \\\"max 1\\\"}\"}, "
	    BULK_ANSWER(BULK_OK("b0", "m-1")) ", " BULK_ANSWER(BULK_OK("b0", "m-2")) "]");
	assert_int_equal(scim_bulk_send(f->c, ops, 2, &err), BS_OK);
	assert_string_equal(ops[0].remote_id, "m-1");
	assert_string_equal(ops[1].remote_id, "m-2");
	bulk_ops_clear(ops, 5);
}

static void
bulk_request_that_fails_leaves_its_operations_unanswered(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct scim_bulk_op ops[5];
	json_t *log;

	/* a 500 to a POST is not sent again (it may have been applied) */
	bulk_ops5(ops);
	script("[" TOKEN_OK ", {\"path\": \"/scim/v2/Bulk\", \"status\": 500, \"body\": \"oops\"}]");
	assert_int_equal(scim_bulk_send(f->c, ops, 5, &err), BS_ERR_REMOTE);
	log = server_log();
	assert_int_equal(count_path(log, "/scim/v2/Bulk"), 1);
	json_decref(log);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(ops[i].status, 0);
		assert_non_null(strstr(ops[i].detail, "500"));
	}
	bulk_ops_clear(ops, 5);
	/* a 200 that is not a BulkResponse */
	bulk_ops5(ops);
	script("[{\"path\": \"/scim/v2/Bulk\", \"status\": 200, \"body\": \"<html>ok</html>\"}]");
	assert_int_equal(scim_bulk_send(f->c, ops, 2, &err), BS_ERR_PARSE);
	assert_int_equal(ops[0].status, 0);
	assert_non_null(strstr(ops[1].detail, "BulkResponse"));
	bulk_ops_clear(ops, 5);
	/* answered, but one operation left out */
	bulk_ops5(ops);
	script("[" BULK_ANSWER(BULK_OK("b1", "k-1")) "]");
	assert_int_equal(scim_bulk_send(f->c, ops, 2, &err), BS_OK);
	assert_int_equal(ops[0].status, 0);
	assert_non_null(strstr(ops[0].detail, "does not mention"));
	assert_string_equal(ops[1].remote_id, "k-1");
	bulk_ops_clear(ops, 5);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(filter_escapes_quotes_and_backslashes),
		T(find_refuses_nothing_to_look_for),
		T(find_by_external_id_gets_token_once),
		T(find_escapes_the_filter_value),
		T(find_falls_back_to_user_name),
		T(find_by_user_name_of_someone_else_conflicts),
		T(token_refused_says_what_to_fix),
		T(token_post_is_retried_on_5xx_reset_and_cut_answer),
		T(expired_token_is_refreshed_once_on_401),
		T(second_401_is_an_error_not_a_loop),
		T(ping_refuses_a_non_scim_answer),
		T(ping_asks_a_filter_that_matches_nobody),
		T(token_basic_credentials_are_form_urlencoded),
		T(token_falls_back_to_the_form_body_when_basic_is_refused),
		T(find_falls_back_to_user_name_when_external_id_filter_is_refused),
		T(create_refuses_incomplete_spec),
		T(create_sends_core_user_attributes),
		T(create_sends_core_attributes_only),
		T(create_leaves_out_an_extension_the_service_does_not_list),
		T(create_sends_dates_and_budgets_to_a_listed_extension),
		T(extension_dates_use_full_paths_and_remove),
		T(update_paths_are_attribute_paths_and_never_null),
		T(create_conflict_links_the_existing_user),
		T(create_retries_429),
		T(create_server_error_is_reported),
		T(deactivate_sends_patch_with_offboarding_date),
		T(update_replaces_user_name_for_an_email_change),
		T(list_pages_until_the_total_even_with_short_pages),
		T(list_user_on_two_pages_is_not_trusted_for_an_absence),
		T(list_total_changed_during_the_listing_is_listed_again),
		T(list_refused_count_is_asked_again_with_half),
		T(list_refused_without_a_filter_falls_back_to_lookups),
		T(list_stops_when_it_would_cost_more_than_lookups),
		T(list_stops_when_a_page_brings_nobody_new),
		T(index_follows_the_writes_of_the_run),
		T(parse_page_reads_the_paging_numbers),
		T(bulk_is_used_only_when_the_service_says_so),
		T(bulk_body_is_a_bulk_request_with_bulk_ids),
		T(bulk_fit_chunks_by_count_and_payload),
		T(bulk_answer_maps_every_status_kind),
		T(bulk_answer_that_is_not_a_bulk_response_leaves_every_operation_open),
		T(bulk_refused_for_size_is_sent_again_in_halves),
		T(bulk_request_that_fails_leaves_its_operations_unanswered),
	};

	return cmocka_run_group_tests_name("scim", tests, group_setup, group_teardown);
}
