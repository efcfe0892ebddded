/* test_assembled.c - the Assembled client over loopback HTTP.
 *
 * The client talks to tests/sandbox/faultserver.py, which answers with
 * scripted responses and logs what it received, so each test checks both
 * what the client made of an answer and what it actually sent (paging
 * offsets, the one agents= parameter, allow_conflicts, the bulk delete
 * body, Basic auth and the API-Version header).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "vendor/assembled_int.h"
#include "helper_server.h"
#include "net/http.h"
#include "base/log.h"
#include "base/util.h"

#define FAULTSERVER "tests/sandbox/faultserver.py"
#define KEY "sk_live_unit_test_key_123"
#define S(x) (x), strlen(x)

static struct test_server srv;

/* an instant clock: sleeps only advance it */
static int64_t fake_ms;
static unsigned long fake_sleeps;

static int64_t
fk_now(void *ctx)
{
	(void)ctx;
	return fake_ms;
}

static void
fk_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	fake_ms += ms;
	fake_sleeps++;
}

static uint32_t
fk_random(void *ctx)
{
	(void)ctx;
	return 0;
}

static const struct http_clock fake = { fk_now, fk_sleep, fk_random, NULL };

static struct http_client *http;
static struct asm_client *cl;

static void
script(const char *json)
{
	char *r = test_http_post(srv.port, "/_script", json);

	assert_non_null(r);
	assert_non_null(strstr(r, "queued"));
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

static const char *
logged(json_t *log, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(log, i), key));
}

static const char *
logged_header(json_t *log, size_t i, const char *name)
{
	json_t *h = json_object_get(json_array_get(log, i), "headers"), *v;
	const char *k;

	json_object_foreach(h, k, v)
		if (strcasecmp(k, name) == 0)
			return json_string_value(v);
	return NULL;
}

/* The JSON body a request carried (caller decrefs). */
static json_t *
logged_body(json_t *log, size_t i)
{
	const char *b = logged(log, i, "body");
	json_t *j;

	assert_non_null(b);
	j = json_loads(b, 0, NULL);
	assert_non_null(j);
	return j;
}

static int
each_setup(void **state)
{
	char base[128], *r;

	(void)state;
	r = test_http_post(srv.port, "/_reset", "");
	assert_non_null(r);
	free(r);
	fake_ms = 1000000;
	fake_sleeps = 0;
	http = http_client_new(NULL, &fake);
	snprintf(base, sizeof base, "http://127.0.0.1:%d/v0/", srv.port);
	cl = asm_client_new(http, base, KEY);
	return 0;
}

static int
each_teardown(void **state)
{
	(void)state;
	asm_client_free(&cl);
	assert_null(cl);
	http_client_free(&http);
	log_forget_secrets();
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

/* ---- people ---- */

static void
people_parse_degenerate(void **state)
{
	struct asm_people p = { 0 };
	struct bs_error err = { 0 };
	size_t rows = 9;
	long long total = 9;

	(void)state;
	assert_int_equal(asm_parse_people(NULL, 0, &p, &rows, &total, &err), BS_ERR_INVALID);
	assert_int_equal(asm_parse_people(S("[1,"), &p, &rows, &total, &err), BS_ERR_PARSE);
	assert_int_equal(asm_parse_people(S("{\"agents\":{}}"), &p, &rows, &total, &err), BS_ERR_PARSE);
	assert_non_null(strstr(err.detail, "people"));
	assert_int_equal(asm_parse_people(S("{\"people\":{}}"), &p, &rows, &total, &err), BS_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(rows, 0);
	assert_int_equal(total, -1);
	/* non-objects are not rows; a person without id takes its key */
	assert_int_equal(asm_parse_people(S("{\"people\":{\"p9\":{\"agent_id\":\"a9\"},\"x\":3},"
	    "\"total\":2}"), &p, &rows, &total, &err), BS_OK);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].id, "p9");
	assert_int_equal(rows, 1);
	assert_int_equal(total, 2);
	asm_people_clear(&p);
	assert_null(p.v);
	asm_people_clear(NULL);
}

/* Every form a value may take, read as Jansson's helpers read them. */
static void
people_value_forms(void **state)
{
	struct asm_people p = { 0 };
	struct bs_error err = { 0 };
	size_t rows = 0;
	long long total = 0;

	(void)state;
	assert_int_equal(asm_parse_people(S("{\"total\":\"7\",\"people\":["
	    "{\"id\":12,\"agent_id\":3.0,\"email\":\"Z\\u00f6e@x.test\",\"timezone\":\"\","
	    "\"platforms\":{\"hibob\":4412},\"imported_id\":\"im\",\"first_name\":7},"
	    "{\"id\":\"p2\",\"deleted\":\"TRUE\"},{\"id\":\"p3\",\"deleted\":1},"
	    "{\"id\":\"p4\",\"deleted\":\"yes\",\"timezone\":\"Europe/Oslo\","
	    "\"platforms\":{\"hibob\":\"\"},\"agent_id\":1.5},{\"agent_id\":\"a5\"},"
	    "{\"id\":\"p6\",\"deleted\":0,\"platforms\":[1]}]}"), &p, &rows, &total, &err), BS_OK);
	assert_int_equal(rows, 6);
	assert_int_equal(total, 7);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.v[0].id, "12");
	assert_string_equal(p.v[0].agent_id, "3");
	assert_string_equal(p.v[0].email, "Z\xc3\xb6" "e@x.test");
	assert_null(p.v[0].timezone);
	assert_string_equal(p.v[0].hibob_id, "4412");
	assert_string_equal(p.v[0].imported_id, "im");
	assert_null(p.v[0].first_name);
	/* "yes" is not true; a fractional agent id is none: the person's id */
	assert_string_equal(p.v[1].id, "p4");
	assert_string_equal(p.v[1].agent_id, "p4");
	assert_string_equal(p.v[1].timezone, "Europe/Oslo");
	assert_null(p.v[1].hibob_id);
	assert_string_equal(p.v[2].id, "p6");
	assert_null(p.v[2].hibob_id);
	asm_people_clear(&p);
	/* a total that is no integer is unknown; invalid JSON in Jansson's words */
	assert_int_equal(asm_parse_people(S("{\"people\":{},\"total\":\"7x\"}"), &p, &rows, &total,
	    &err), BS_OK);
	assert_int_equal(total, -1);
	asm_people_clear(&p);
	assert_int_equal(asm_parse_people(S("{\"people\":{\"a\":1,\"a\":2}}"), &p, &rows, &total,
	    &err), BS_ERR_PARSE);
	assert_non_null(strstr(err.detail, "Assembled people: invalid JSON at line 1"));
	assert_int_equal(asm_parse_people("", 0, &p, &rows, &total, &err), BS_ERR_PARSE);
	assert_non_null(strstr(err.detail, "empty response"));
	asm_people_clear(&p);
}

static void
people_paged_deleted_skipped(void **state)
{
	struct asm_people p = { 0 };
	struct bs_error err = { 0 };
	json_t *log;
	char *page1, *page2, *js;
	struct strbuf sb;

	(void)state;
	/* 100 people on page 1 (the 7th deleted), 3 on page 2: total 103 */
	sb_init(&sb, 0);
	sb_puts(&sb, "{\"people\":{");
	for (int i = 0; i < 100; i++)
		sb_printf(&sb, "%s\"p%d\":{\"id\":\"p%d\",\"agent_id\":\"a%d\",\"email\":\"u%d@x.test\","
		    "\"deleted\":%s,\"timezone\":\"Europe/Amsterdam\"}", i ? "," : "", i, i, i, i,
		    i == 7 ? "true" : "false");
	sb_puts(&sb, "},\"total\":103,\"limit\":100,\"offset\":0}");
	page1 = sb_detach(&sb);
	page2 = xstrdup("{\"people\":{\"p100\":{\"id\":\"p100\",\"agent_id\":\"a100\","
	    "\"email\":\"Ada@X.test\",\"platforms\":{\"hibob\":\"3332883884017713238\",\"zendesk\":1},"
	    "\"timezone\":\"\"},"
	    "\"p101\":{\"id\":\"p101\",\"agent_id\":\"a101\",\"deleted\":true},"
	    "\"p102\":{\"id\":102,\"agent_id\":1102}},\"total\":103,\"limit\":100,\"offset\":100}");
	json_t *sc = json_pack("[{s:s},{s:s}]", "body", page1, "body", page2);
	js = json_dumps(sc, 0);
	script(js);
	free(js);
	json_decref(sc);

	assert_int_equal(asm_get_people(cl, &p, &err), BS_OK);
	assert_int_equal(p.n, 101);	/* 103 less two deleted */
	for (size_t i = 0; i < p.n; i++)
		assert_string_not_equal(p.v[i].id, "p7");
	{
		const struct asm_person *ada = asm_people_match(&p, NULL, "ada@x.test", NULL);
		assert_non_null(ada);
		assert_string_equal(ada->id, "p100");
		assert_string_equal(ada->agent_id, "a100");	/* the id activities use */
		assert_string_equal(ada->hibob_id, "3332883884017713238");
		assert_null(ada->timezone);	/* empty means none */
	}
	assert_string_equal(p.v[p.n - 1].id, "102");	/* numeric ids as text */
	assert_string_equal(p.v[p.n - 1].agent_id, "1102");

	log = server_log();
	assert_int_equal(json_array_size(log), 2);
	assert_string_equal(logged(log, 0, "path"), "/v0/people");
	assert_non_null(strstr(logged(log, 0, "query"), "offset=0"));
	assert_non_null(strstr(logged(log, 0, "query"), "limit=100"));
	assert_non_null(strstr(logged(log, 1, "query"), "offset=100"));
	assert_string_equal(logged_header(log, 0, "API-Version"), "2019-06-20");
	/* Basic auth: the key as user, an empty password */
	assert_string_equal(logged_header(log, 0, "Authorization"),
	    "Basic c2tfbGl2ZV91bml0X3Rlc3Rfa2V5XzEyMzo=");
	json_decref(log);
	asm_people_clear(&p);
	free(page1);
	free(page2);
}

static void
people_short_page_without_total(void **state)
{
	struct asm_people p = { 0 };
	struct bs_error err = { 0 };
	json_t *log;

	(void)state;
	script("[{\"body\":\"{\\\"people\\\":{\\\"p1\\\":{\\\"id\\\":\\\"p1\\\",\\\"agent_id\\\":\\\"a1\\\"}}}\"}]");
	assert_int_equal(asm_get_people(cl, &p, &err), BS_OK);
	assert_int_equal(p.n, 1);
	log = server_log();
	assert_int_equal(json_array_size(log), 1);	/* a short page is the last */
	json_decref(log);
	asm_people_clear(&p);
}

static void
people_auth_rejected(void **state)
{
	struct asm_people p = { 0 };
	struct bs_error err = { 0 };

	(void)state;
	script("[{\"status\":401,\"body\":\"{\\\"message\\\":\\\"bad key sk_live_unit_test_key_123\\\"}\"}]");
	assert_int_equal(asm_get_people(cl, &p, &err), BS_ERR_AUTH);
	assert_non_null(strstr(err.detail, "API key"));
	assert_null(strstr(err.detail, KEY));	/* never the key */
	assert_int_equal(p.n, 0);
}

static void
people_rate_limited_then_ok(void **state)
{
	struct asm_people p = { 0 };
	struct bs_error err = { 0 };
	json_t *log;

	(void)state;
	script("[{\"status\":429,\"headers\":{\"Retry-After\":\"3\"},\"body\":\"{}\"},"
	    "{\"body\":\"{\\\"people\\\":{\\\"p1\\\":{\\\"id\\\":\\\"p1\\\",\\\"agent_id\\\":\\\"a1\\\"}},"
	    "\\\"total\\\":1}\"}]");
	assert_int_equal(asm_get_people(cl, &p, &err), BS_OK);
	assert_int_equal(p.n, 1);
	log = server_log();
	assert_int_equal(json_array_size(log), 2);	/* retried once */
	json_decref(log);
	assert_true(fake_sleeps >= 1);		/* waited as asked */
	asm_people_clear(&p);
}

/* ---- matching ---- */

static void
match_rules(void **state)
{
	struct asm_person v[4];
	struct asm_people p = { .v = v, .n = 4 };
	const char *how = "x";

	(void)state;
	memset(v, 0, sizeof v);
	v[0].id = (char *)"p0"; v[0].email = (char *)"Jane.Doe@Example.COM";
	v[1].id = (char *)"p1"; v[1].email = (char *)"other@example.com";
	v[1].hibob_id = (char *)"42";
	v[2].id = (char *)"p2"; v[2].email = (char *)"gone@example.com"; v[2].deleted = 1;
	v[3].id = (char *)"p3"; v[3].email = (char *)"jane.doe@example.com";

	/* the same answers by scanning (pass 0) and through the index (pass 1) */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			asm_people_index(&p);
			assert_int_equal(p.nidx, 4);
		}
		assert_null(asm_people_match(NULL, "42", "x", &how));
		assert_null(how);
		assert_null(asm_people_match(&p, NULL, NULL, &how));
		assert_null(asm_people_match(&p, "", "", NULL));
		/* the HiBob id wins over an email that points elsewhere */
		assert_string_equal(asm_people_match(&p, "42", "jane.doe@example.com", &how)->id, "p1");
		assert_string_equal(how, "hibob id");
		/* case-folded email; first match */
		assert_string_equal(asm_people_match(&p, "777", "JANE.DOE@example.com", &how)->id, "p0");
		assert_string_equal(how, "email");
		/* never a deleted person, never a guess */
		assert_null(asm_people_match(&p, NULL, "gone@example.com", &how));
		assert_null(asm_people_match(&p, "777", "jane@example.com", &how));
		assert_null(asm_people_match(&p, "4", NULL, &how));
	}
	free(p.by_hibob);
	free(p.by_email);
}

/* The index agrees with a scan on a larger list with duplicate keys,
 * mixed case and deleted people. */
static void
match_index_agrees(void **state)
{
	enum { N = 3000 };
	struct asm_people p = { 0 };
	char buf[64];

	(void)state;
	p.v = xcalloc(N, sizeof *p.v);
	p.n = N;
	for (size_t i = 0; i < N; i++) {
		snprintf(buf, sizeof buf, "p%zu", i);
		p.v[i].id = xstrdup(buf);
		if (i % 3 != 0) {
			snprintf(buf, sizeof buf, "%zu", (i * 7919) % 1000);
			p.v[i].hibob_id = xstrdup(buf);
		}
		snprintf(buf, sizeof buf, i % 2 ? "User%zu@Example.test" : "user%zu@example.TEST",
		    (i * 104729) % 1500);
		p.v[i].email = xstrdup(buf);
		p.v[i].deleted = i % 11 == 0;
	}
	for (int q = 0; q < 1600; q++) {
		char id[32], em[64];
		const struct asm_person *a, *b;
		const char *ha, *hb;
		snprintf(id, sizeof id, "%d", q % 1100);
		snprintf(em, sizeof em, "USER%d@example.test", (q * 31) % 1600);
		p.nidx = 0;
		a = asm_people_match(&p, q % 5 ? id : NULL, em, &ha);
		asm_people_index(&p);
		b = asm_people_match(&p, q % 5 ? id : NULL, em, &hb);
		assert_ptr_equal(a, b);
		assert_true(ha == hb || (ha && hb && strcmp(ha, hb) == 0));
	}
	asm_people_clear(&p);
}

static void
marker_parse(void **state)
{
	long long id = 0;

	(void)state;
	assert_false(asm_marker_parse(NULL, &id));
	assert_false(asm_marker_parse("", &id));
	assert_false(asm_marker_parse("hibob:", &id));
	assert_false(asm_marker_parse("hibob:x12", &id));
	assert_false(asm_marker_parse("hibob:99999999999999999999999", &id));
	assert_true(asm_marker_parse("HiBob time off #5 (Holiday) hibob:24588163", &id));
	assert_int_equal(id, 24588163);
	assert_true(asm_marker_parse("hibob:abc then hibob:7", &id));
	assert_int_equal(id, 7);
}

/* ---- activity types ---- */

static const char types_json[] =
    "{\"activity_types\":{"
    "\"t1\":{\"id\":\"t1\",\"name\":\"Phone\",\"productive\":true,\"timeoff\":false},"
    "\"t2\":{\"id\":\"t2\",\"name\":\"Holiday\",\"import_id\":\"HOL\",\"timeoff\":true},"
    "\"t3\":{\"id\":\"t3\",\"name\":\"Time Off\",\"timeoff\":true},"
    "\"t4\":{\"id\":\"t4\",\"name\":\"Sick And Medical\",\"timeoff\":true}}}";

static void
types_and_default(void **state)
{
	struct asm_activity_types t = { 0 };
	struct bs_error err = { 0 };
	char why[512];
	const struct asm_activity_type *a;

	(void)state;
	assert_null(asm_timeoff_type(NULL, NULL, why, sizeof why));
	assert_non_null(strstr(why, "no activity type"));
	assert_int_equal(asm_parse_activity_types(S("{\"types\":[]}"), &t, &err), BS_ERR_PARSE);
	assert_int_equal(asm_parse_activity_types(S(types_json), &t, &err), BS_OK);
	assert_int_equal(t.n, 4);
	/* the default: the type named Time Off */
	a = asm_timeoff_type(&t, NULL, why, sizeof why);
	assert_non_null(a);
	assert_string_equal(a->id, "t3");
	/* by id, name or import id, case-insensitive; only time-off types */
	assert_string_equal(asm_timeoff_type(&t, "t4", why, sizeof why)->name, "Sick And Medical");
	assert_string_equal(asm_timeoff_type(&t, "sick and medical", why, sizeof why)->id, "t4");
	assert_string_equal(asm_timeoff_type(&t, "hol", why, sizeof why)->id, "t2");
	assert_null(asm_timeoff_type(&t, "Phone", why, sizeof why));
	assert_non_null(strstr(why, "'Holiday', 'Time Off', 'Sick And Medical'"));
	assert_string_equal(asm_type_by_id(&t, "t1")->name, "Phone");
	assert_null(asm_type_by_id(&t, "nope"));
	asm_activity_types_clear(&t);

	/* no Time Off: the only time-off type, else NULL with the choices */
	assert_int_equal(asm_parse_activity_types(S("{\"activity_types\":{\"a\":{\"id\":\"a\","
	    "\"name\":\"PTO\",\"timeoff\":true},\"b\":{\"id\":\"b\",\"name\":\"Chat\"}}}"), &t, &err), BS_OK);
	assert_string_equal(asm_timeoff_type(&t, NULL, why, sizeof why)->id, "a");
	asm_activity_types_clear(&t);
	assert_int_equal(asm_parse_activity_types(S("{\"activity_types\":{\"a\":{\"id\":\"a\","
	    "\"name\":\"PTO\",\"timeoff\":true},\"b\":{\"id\":\"b\",\"name\":\"Leave\",\"timeoff\":true}}}"),
	    &t, &err), BS_OK);
	assert_null(asm_timeoff_type(&t, NULL, why, sizeof why));
	assert_non_null(strstr(why, "several"));
	assert_non_null(strstr(why, "'PTO', 'Leave'"));
	asm_activity_types_clear(&t);
	assert_int_equal(asm_parse_activity_types(S("{\"activity_types\":{}}"), &t, &err), BS_OK);
	assert_null(asm_timeoff_type(&t, NULL, why, sizeof why));
	assert_non_null(strstr(why, "no activity type marked as time off"));
	asm_activity_types_clear(&t);
}

static void
types_over_http(void **state)
{
	struct asm_activity_types t = { 0 };
	struct bs_error err = { 0 };
	json_t *sc = json_pack("[{s:s}]", "body", types_json), *log;
	char *js = json_dumps(sc, 0);

	(void)state;
	script(js);
	free(js);
	json_decref(sc);
	assert_int_equal(asm_get_activity_types(cl, &t, &err), BS_OK);
	assert_int_equal(t.n, 4);
	log = server_log();
	assert_string_equal(logged(log, 0, "path"), "/v0/activity_types");
	json_decref(log);
	asm_activity_types_clear(&t);
}

/* ---- activities ---- */

static void
activities_agent_filter(void **state)
{
	struct asm_activities a = { 0 };
	struct bs_error err = { 0 };
	json_t *log;
	const char *q;

	(void)state;
	assert_int_equal(asm_list_activities(cl, NULL, 0, 10, NULL, &a, &err), BS_ERR_INVALID);
	assert_int_equal(asm_list_activities(cl, "a1", 10, 10, NULL, &a, &err), BS_ERR_INVALID);
	/* keyed by id_with_timestamps; another agent's row slipped in */
	script("[{\"body\":\"{\\\"activities\\\":{"
	    "\\\"event_id=x1;1767222000\\\":{\\\"id\\\":\\\"x1\\\",\\\"agent_id\\\":\\\"a1\\\","
	    "\\\"type_id\\\":\\\"t3\\\",\\\"start_time\\\":1767222000,\\\"end_time\\\":1767308400,"
	    "\\\"description\\\":\\\"HiBob time off #5 (Holiday) hibob:5\\\"},"
	    "\\\"x2\\\":{\\\"id\\\":\\\"x2\\\",\\\"agent_id\\\":\\\"a2\\\",\\\"type_id\\\":\\\"t3\\\","
	    "\\\"start_time\\\":1767222000,\\\"end_time\\\":1767308400},"
	    "\\\"x3\\\":{\\\"agent_id\\\":\\\"a1\\\",\\\"type_id\\\":\\\"t1\\\","
	    "\\\"start_time\\\":\\\"1767225600\\\",\\\"end_time\\\":1767229200}}}\"},"
	    "{\"body\":\"{\\\"activities\\\":{}}\"}]");
	assert_int_equal(asm_list_activities(cl, "a1", 1767200000, 1767400000, "sched 1", &a, &err),
	    BS_OK);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.v[0].id, "x1");
	assert_int_equal(a.v[0].start, 1767222000);
	assert_int_equal(a.v[0].end, 1767308400);
	assert_string_equal(a.v[1].id, "x3");	/* no id: its key */
	assert_int_equal(a.v[1].start, 1767225600);	/* numeric string read */
	for (size_t i = 0; i < a.n; i++)
		assert_string_equal(a.v[i].agent_id, "a1");
	asm_activities_clear(&a);

	log = server_log();
	assert_string_equal(logged(log, 0, "path"), "/v0/activities");
	q = logged(log, 0, "query");
	assert_non_null(strstr(q, "agents=a1"));
	assert_int_equal(test_count(q, "agents"), 1);	/* one agent, one parameter */
	assert_non_null(strstr(q, "start_time=1767200000"));
	assert_non_null(strstr(q, "end_time=1767400000"));
	assert_non_null(strstr(q, "schedule_id=sched%201"));
	assert_non_null(strstr(q, "limit=500&offset=0"));
	/* one agent's listing is read to an empty page (a page cut shorter
	 * than asked for looks like the last one) */
	assert_int_equal(json_array_size(log), 2);
	assert_non_null(strstr(logged(log, 1, "query"), "offset=3"));
	json_decref(log);

	/* an empty schedule */
	script("[{\"body\":\"{\\\"activities\\\":{}}\"}]");
	assert_int_equal(asm_list_activities(cl, "a1", 1, 2, NULL, &a, &err), BS_OK);
	assert_int_equal(a.n, 0);
	asm_activities_clear(&a);
	script("[{\"body\":\"{\\\"activities\\\":7}\"}]");
	assert_int_equal(asm_list_activities(cl, "a1", 1, 2, NULL, &a, &err), BS_ERR_PARSE);
	/* valid JSON of another shape is an error, not an empty schedule */
	script("[{\"body\":\"{\\\"result\\\":{\\\"activities\\\":[]}}\"}]");
	assert_int_equal(asm_list_activities(cl, "a1", 1, 2, NULL, &a, &err), BS_ERR_PARSE);
	assert_non_null(strstr(err.detail, "activities"));
	script("[{\"body\":\"[]\"}]");
	assert_int_equal(asm_list_activities(cl, "a1", 1, 2, NULL, &a, &err), BS_ERR_PARSE);
}

static void
create_sends_unix_seconds_and_conflicts(void **state)
{
	struct asm_activity out;
	struct asm_activity_spec sp = { "a1", "t3", 1767222000, 1767308400,
	    "HiBob time off #5 (Holiday) hibob:5", 0, NULL };
	struct bs_error err = { 0 };
	json_t *log, *b;

	(void)state;
	assert_int_equal(asm_create_activity(cl, NULL, &out, &err), BS_ERR_INVALID);
	{
		struct asm_activity_spec bad = sp;
		bad.end = bad.start;
		assert_int_equal(asm_create_activity(cl, &bad, &out, &err), BS_ERR_INVALID);
	}
	script("[{\"body\":\"{\\\"id\\\":\\\"new1\\\",\\\"agent_id\\\":\\\"a1\\\",\\\"type_id\\\":\\\"t3\\\","
	    "\\\"start_time\\\":1767222000,\\\"end_time\\\":1767308400}\"},"
	    "{\"body\":\"{\\\"activity\\\":{\\\"id\\\":\\\"new2\\\"}}\"}]");
	assert_int_equal(asm_create_activity(cl, &sp, &out, &err), BS_OK);
	assert_string_equal(out.id, "new1");
	asm_activity_clear(&out);
	sp.allow_conflicts = 1;
	sp.schedule_id = "s9";
	assert_int_equal(asm_create_activity(cl, &sp, &out, &err), BS_OK);
	assert_string_equal(out.id, "new2");
	assert_string_equal(out.agent_id, "a1");	/* filled from what was sent */
	assert_int_equal(out.start, 1767222000);
	asm_activity_clear(&out);

	log = server_log();
	assert_int_equal(json_array_size(log), 2);
	assert_string_equal(logged(log, 0, "method"), "POST");
	assert_string_equal(logged(log, 0, "path"), "/v0/activities");
	b = logged_body(log, 0);
	assert_string_equal(json_string_value(json_object_get(b, "agent_id")), "a1");
	assert_string_equal(json_string_value(json_object_get(b, "type_id")), "t3");
	assert_true(json_is_integer(json_object_get(b, "start_time")));
	assert_int_equal(json_integer_value(json_object_get(b, "start_time")), 1767222000);
	assert_int_equal(json_integer_value(json_object_get(b, "end_time")), 1767308400);
	assert_true(json_is_false(json_object_get(b, "allow_conflicts")));
	assert_null(json_object_get(b, "schedule_id"));
	assert_non_null(strstr(json_string_value(json_object_get(b, "description")), "hibob:5"));
	json_decref(b);
	b = logged_body(log, 1);
	assert_true(json_is_true(json_object_get(b, "allow_conflicts")));
	assert_string_equal(json_string_value(json_object_get(b, "schedule_id")), "s9");
	json_decref(b);
	json_decref(log);

	/* an answer without an id is an error, not an event without id */
	script("[{\"body\":\"{\\\"ok\\\":true}\"}]");
	assert_int_equal(asm_create_activity(cl, &sp, &out, &err), BS_ERR_PARSE);
	assert_null(out.id);
	/* a 400 says what Assembled said */
	script("[{\"status\":400,\"body\":\"{\\\"message\\\":\\\"invalid agent\\\"}\"}]");
	assert_int_equal(asm_create_activity(cl, &sp, &out, &err), BS_ERR_HTTP);
	assert_non_null(strstr(err.detail, "invalid agent"));
}

static void
create_not_retried_on_5xx(void **state)
{
	struct asm_activity out;
	struct asm_activity_spec sp = { "a1", "t3", 100, 200, "hibob:1", 1, NULL };
	struct bs_error err = { 0 };
	json_t *log;

	(void)state;
	script("[{\"status\":502,\"body\":\"{}\"},{\"body\":\"{\\\"id\\\":\\\"dup\\\"}\"}]");
	assert_int_equal(asm_create_activity(cl, &sp, &out, &err), BS_ERR_REMOTE);
	log = server_log();
	assert_int_equal(json_array_size(log), 1);	/* no second event */
	json_decref(log);
}

static void
delete_by_id_through_bulk(void **state)
{
	struct bs_error err = { 0 };
	json_t *log, *b, *item;
	long status = 7;

	(void)state;
	assert_int_equal(asm_delete_activity(cl, NULL, NULL, &status, &err), BS_ERR_INVALID);
	assert_int_equal(status, 0);
	script("[{\"body\":\"{\\\"activities\\\":{}}\"},"
	    "{\"status\":404,\"body\":\"404 page not found\"},"
	    "{\"status\":404,\"body\":\"{\\\"message\\\":\\\"activity not found\\\"}\"},"
	    "{\"status\":400,\"body\":\"{\\\"error\\\":\\\"Activity x does not exist\\\"}\"},"
	    "{\"status\":400,\"body\":\"{\\\"error\\\":\\\"bulk update is in beta\\\"}\"}]");
	assert_int_equal(asm_delete_activity(cl, "x1", "s9", &status, &err), BS_OK);
	assert_int_equal(status, 200);
	/* a route's 404, an event's 404, a 400 saying "does not exist", a
	 * refused beta: none of them is taken as "gone" (only a listing is) */
	assert_int_equal(asm_delete_activity(cl, "x1", NULL, &status, &err), BS_ERR_HTTP);
	assert_int_equal(status, 404);
	assert_non_null(strstr(err.detail, "404 page not found"));
	assert_int_equal(asm_delete_activity(cl, "x1", NULL, &status, &err), BS_ERR_HTTP);
	assert_int_equal(status, 404);
	assert_int_equal(asm_delete_activity(cl, "x1", NULL, NULL, &err), BS_ERR_HTTP);
	assert_non_null(strstr(err.detail, "does not exist"));
	assert_int_equal(asm_delete_activity(cl, "x1", NULL, &status, &err), BS_ERR_HTTP);
	assert_int_equal(status, 400);
	assert_non_null(strstr(err.detail, "beta"));

	log = server_log();
	assert_int_equal(json_array_size(log), 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(logged(log, i, "method"), "POST");	/* never DELETE */
		assert_string_equal(logged(log, i, "path"), "/v0/activities/bulk");
	}
	b = logged_body(log, 0);
	assert_int_equal(json_array_size(json_object_get(b, "activities")), 1);
	item = json_array_get(json_object_get(b, "activities"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "action")), "delete");
	assert_string_equal(json_string_value(json_object_get(json_object_get(item, "activity"), "id")),
	    "x1");
	assert_string_equal(json_string_value(json_object_get(b, "schedule_id")), "s9");
	json_decref(b);
	json_decref(log);
}

/* A JSON answer of n rows r<first>.. of agent, all in [t, t + 3600). */
static char *
rows_body(int first, int n, const char *agent, int64_t t)
{
	json_t *acts = json_object(), *root = json_object(), *item = json_object();
	char *text, *out, key[32];

	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof key, "r%d", first + i);
		json_object_set_new(acts, key, json_pack("{s:s, s:s, s:s, s:I, s:I}", "id", key,
		    "agent_id", agent, "type_id", "t3", "start_time", (json_int_t)t,
		    "end_time", (json_int_t)t + 3600));
	}
	json_object_set_new(root, "activities", acts);
	text = json_dumps(root, JSON_COMPACT);
	json_object_set_new(item, "body", json_string(text));
	free(text);
	json_decref(root);
	out = json_dumps(item, JSON_COMPACT);
	json_decref(item);
	return out;
}

/* A window longer than 31 days is read in slices of 31 days; a full page
 * (500 rows) is followed by the next offset, a short one ends the slice;
 * an event seen in two slices is kept once. */
static void
activities_sliced_and_paged(void **state)
{
	struct asm_activities a = { 0 };
	struct asm_list_query q = { 0 };
	struct bs_error err = { 0 };
	const int64_t t0 = 1767222000, day = 86400;
	char *p1 = rows_body(0, ASM_ACT_PAGE, "a1", t0), *p2 = rows_body(ASM_ACT_PAGE, 3, "a2", t0);
	char *s2 = rows_body(0, 1, "a1", t0), *s2b = rows_body(900, 1, "a1", t0 + 40 * day);
	char *sc;
	json_t *log;

	(void)state;
	/* slice 2 answers r0 again (an event across the boundary) and r900 */
	{
		/* build slice 2 from the two one-row bodies */
		json_t *j1 = json_loads(s2, 0, NULL), *j2 = json_loads(s2b, 0, NULL);
		json_t *b1 = json_loads(json_string_value(json_object_get(j1, "body")), 0, NULL);
		json_t *b2 = json_loads(json_string_value(json_object_get(j2, "body")), 0, NULL);
		char *both, *item;
		json_object_update(json_object_get(b1, "activities"), json_object_get(b2, "activities"));
		both = json_dumps(b1, JSON_COMPACT);
		json_object_set_new(j1, "body", json_string(both));
		item = json_dumps(j1, JSON_COMPACT);
		sc = xasprintf("[%s,%s,%s,{\"body\":\"{\\\"activities\\\":{}}\"}]", p1, p2, item);
		free(both);
		free(item);
		json_decref(j1);
		json_decref(j2);
		json_decref(b1);
		json_decref(b2);
	}
	script(sc);
	free(sc);
	q.type_id = "t3";
	q.start = t0;
	q.end = t0 + 70 * day;
	assert_int_equal(asm_list_activities_q(cl, &q, &a, &err), BS_OK);
	assert_int_equal(a.n, ASM_ACT_PAGE + 3 + 1);	/* r0 once */
	assert_string_equal(a.v[0].id, "r0");
	assert_string_equal(a.v[a.n - 1].id, "r900");
	asm_activities_clear(&a);

	log = server_log();
	assert_int_equal(json_array_size(log), 4);
	assert_non_null(strstr(logged(log, 0, "query"), "start_time=1767222000&end_time=1769900400&"
	    "types=t3&limit=500&offset=0"));
	assert_non_null(strstr(logged(log, 1, "query"), "start_time=1767222000&end_time=1769900400&"
	    "types=t3&limit=500&offset=500"));
	assert_non_null(strstr(logged(log, 2, "query"), "start_time=1769900400&end_time=1772578800&"));
	assert_non_null(strstr(logged(log, 3, "query"), "start_time=1772578800&end_time=1773270000&"));
	for (size_t i = 0; i < 4; i++)
		assert_null(strstr(logged(log, i, "query"), "agents"));
	json_decref(log);

	/* a server that ignores offset: the same full page twice is an
	 * error, never a complete listing */
	sc = xasprintf("[%s,%s]", p1, p1);
	script(sc);
	free(sc);
	q.end = t0 + day;
	assert_int_equal(asm_list_activities_q(cl, &q, &a, &err), BS_ERR_SOURCE);
	assert_non_null(strstr(err.detail, "offset"));
	asm_activities_clear(&a);
	/* ... the same short page twice (read to the end): the rows once */
	sc = xasprintf("[%s,%s]", p2, p2);
	script(sc);
	free(sc);
	assert_int_equal(asm_list_activities(cl, "a2", t0, t0 + day, NULL, &a, &err), BS_OK);
	assert_int_equal(a.n, 3);
	asm_activities_clear(&a);
	free(p1);
	free(p2);
	free(s2);
	free(s2b);
}

/* Whether an event is still there: its agent's days, a day either side. */
static void
activity_present_lists_the_days(void **state)
{
	struct bs_error err = { 0 };
	char *p = rows_body(0, 2, "a1", 1767222000), *sc;
	int present = -1;
	json_t *log;

	(void)state;
	sc = xasprintf("[%s,{\"body\":\"{\\\"activities\\\":{}}\"},%s,"
	    "{\"body\":\"{\\\"activities\\\":{}}\"},{\"status\":500,\"body\":\"x\"}]", p, p);
	script(sc);
	free(sc);
	free(p);
	assert_int_equal(asm_activity_present(cl, "a1", "r1", 1767222000, 1767225600, NULL, &present,
	    &err), BS_OK);
	assert_int_equal(present, 1);
	assert_int_equal(asm_activity_present(cl, "a1", "r7", 1767222000, 1767225600, NULL, &present,
	    &err), BS_OK);
	assert_int_equal(present, 0);
	log = server_log();
	assert_non_null(strstr(logged(log, 0, "query"), "start_time=1767135600&end_time=1767312000&"
	    "agents=a1"));
	json_decref(log);
	/* a listing that fails proves nothing: present stays 1 */
	assert_int_not_equal(asm_activity_present(cl, "a1", "r7", 1767222000, 1767225600, NULL,
	    &present, &err), BS_OK);
	assert_int_equal(present, 1);
}

static void
delete_probe_classify(void **state)
{
	const char *id = ASM_PROBE_ID;

	(void)state;
	assert_int_equal(asm_delete_probe_classify(200, "{}", id), ASM_DELETE_ACCEPTED);
	assert_int_equal(asm_delete_probe_classify(0, NULL, id), ASM_DELETE_UNKNOWN);
	assert_int_equal(asm_delete_probe_classify(502, "<html>", id), ASM_DELETE_UNKNOWN);
	/* looked up: the answer names the id, or says the activity is not found */
	assert_int_equal(asm_delete_probe_classify(400, "activities[0]: activity "
	    "00000000-0000-0000-0000-000000000000 not found", id), ASM_DELETE_ENABLED);
	assert_int_equal(asm_delete_probe_classify(404, "{\"message\":\"Activity not found\"}", id),
	    ASM_DELETE_ENABLED);
	assert_int_equal(asm_delete_probe_classify(422, "{\"error\":\"activity does not exist\"}", id),
	    ASM_DELETE_ENABLED);
	/* not enabled: a beta refused, a bare route 404, an unknown action */
	assert_int_equal(asm_delete_probe_classify(400, "{\"error\": \"feature_not_enabled\", "
	    "\"message\": \"Bulk update and delete are in beta and are not enabled\"}", id),
	    ASM_DELETE_REFUSED);
	assert_int_equal(asm_delete_probe_classify(404, "404 page not found", id), ASM_DELETE_REFUSED);
	assert_int_equal(asm_delete_probe_classify(400, "unknown action 'delete'", id),
	    ASM_DELETE_REFUSED);
	assert_int_equal(asm_delete_probe_classify(400, "activity not found; contact support to "
	    "enable this beta", id), ASM_DELETE_REFUSED);
}

/* ---- against the sandbox (tests/sandbox/sandbox.py) ---- */

static struct test_server sb;
static char sb_url[256];
static char sb_key[256];
static int sb_ctl_port;

static int
sb_setup(void **state)
{
	char statef[300];
	json_t *j;
	const char *ctl;

	(void)state;
	if (test_sandbox_start(&sb, "320", statef, sizeof statef) != 0)
		return -1;
	j = json_load_file(statef, 0, NULL);
	if (j == NULL)
		return -1;
	snprintf(sb_url, sizeof sb_url, "%s", json_string_value(json_object_get(
	    json_object_get(j, "assembled"), "url")));
	snprintf(sb_key, sizeof sb_key, "%s", json_string_value(json_object_get(
	    json_object_get(j, "assembled"), "api_key")));
	ctl = json_string_value(json_object_get(json_object_get(j, "control"), "assembled"));
	sb_ctl_port = ctl && strrchr(ctl, ':') ? atoi(strrchr(ctl, ':') + 1) : 0;
	json_decref(j);
	return sb_ctl_port > 0 ? 0 : -1;
}

static int
sb_teardown(void **state)
{
	(void)state;
	test_server_stop(&sb);
	return 0;
}

static int
sb_each_setup(void **state)
{
	(void)state;
	http = http_client_new(NULL, NULL);	/* the real clock: the sandbox's limiter is real */
	cl = asm_client_new(http, sb_url, sb_key);
	free(test_http_request(sb_ctl_port, "DELETE", "/_control/requests", NULL, NULL));
	return 0;
}

static json_t *
sb_get(const char *path)
{
	char *r = test_http_get(sb_ctl_port, path);
	json_t *j = r ? json_loads(r, 0, NULL) : NULL;

	free(r);
	assert_non_null(j);
	return j;
}

/* The activity with this id, from the control API (NULL when gone). */
static int
sb_has_activity(const char *id)
{
	json_t *j = sb_get("/_control/activities");
	int has = json_object_get(json_object_get(j, "activities"), id) != NULL;

	json_decref(j);
	return has;
}

static void
sb_people(void **state)
{
	struct asm_people p = { 0 };
	struct bs_error err = { 0 };
	json_t *ctl, *v, *log;
	size_t i, live = 0, dead = 0, pages = 0;

	(void)state;
	assert_int_equal(asm_get_people(cl, &p, &err), BS_OK);
	ctl = sb_get("/_control/people");
	json_array_foreach(json_object_get(ctl, "people"), i, v) {
		if (json_is_true(json_object_get(v, "deleted"))) {
			dead++;
			for (size_t k = 0; k < p.n; k++)
				assert_string_not_equal(p.v[k].id, json_string_value(json_object_get(v, "id")));
		} else {
			live++;
		}
	}
	assert_true(dead > 0);
	assert_int_equal(p.n, live);	/* every live person, no deleted one */
	for (size_t k = 0; k < p.n; k++) {
		assert_non_null(p.v[k].agent_id);
		assert_string_not_equal(p.v[k].agent_id, p.v[k].id);
	}
	log = sb_get("/_control/requests");
	json_array_foreach(json_object_get(log, "requests"), i, v)
		if (str_eq(json_string_value(json_object_get(v, "path")), "/v0/people"))
			pages++;
	assert_int_equal(pages, (json_array_size(json_object_get(ctl, "people")) + 99) / 100);
	json_decref(log);
	json_decref(ctl);
	asm_people_clear(&p);
}

static void
sb_conflicts_and_delete(void **state)
{
	struct asm_activity_types t = { 0 };
	struct asm_activities a = { 0 };
	struct bs_error err = { 0 };
	const struct asm_activity_type *pto;
	json_t *ctl, *v, *shift1 = NULL, *shift2 = NULL;
	const char *k;
	char agent[128], id1[128], id2[128], s1[128], s2[128];
	int64_t t1s, t1e, t2s, t2e;
	long status = 0;
	int found = 0, present = -1;

	(void)state;
	assert_int_equal(asm_get_activity_types(cl, &t, &err), BS_OK);
	pto = asm_timeoff_type(&t, NULL, NULL, 0);
	assert_non_null(pto);
	assert_string_equal(pto->name, "Time Off");

	/* two shifts of one agent */
	ctl = sb_get("/_control/activities");
	json_object_foreach(json_object_get(ctl, "activities"), k, v) {
		if (!str_eq(json_string_value(json_object_get(v, "description")), "shift"))
			continue;
		if (shift1 == NULL)
			shift1 = v;
		else if (shift2 == NULL && str_eq(json_string_value(json_object_get(v, "agent_id")),
		    json_string_value(json_object_get(shift1, "agent_id"))))
			shift2 = v;
	}
	assert_non_null(shift1);
	assert_non_null(shift2);
	snprintf(agent, sizeof agent, "%s", json_string_value(json_object_get(shift1, "agent_id")));
	snprintf(s1, sizeof s1, "%s", json_string_value(json_object_get(shift1, "id")));
	snprintf(s2, sizeof s2, "%s", json_string_value(json_object_get(shift2, "id")));
	t1s = json_integer_value(json_object_get(shift1, "start_time"));
	t1e = json_integer_value(json_object_get(shift1, "end_time"));
	t2s = json_integer_value(json_object_get(shift2, "start_time"));
	t2e = json_integer_value(json_object_get(shift2, "end_time"));
	json_decref(ctl);

	/* the agent's schedule, keyed maps read, only this agent */
	assert_int_equal(asm_list_activities(cl, agent, t1s - 3600, t1e + 3600, NULL, &a, &err), BS_OK);
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.v[i].agent_id, agent);
		if (str_eq(a.v[i].id, s1)) {
			found = 1;
			assert_int_equal(a.v[i].start, t1s);
			assert_int_equal(a.v[i].end, t1e);
		}
	}
	assert_true(found);
	asm_activities_clear(&a);

	/* allow_conflicts true: the shift under the event stays */
	{
		struct asm_activity_spec sp = { agent, pto->id, t1s - 3600, t1e + 3600,
		    "HiBob time off #1 (Holiday) hibob:1", 1, NULL };
		struct asm_activity out;
		assert_int_equal(asm_create_activity(cl, &sp, &out, &err), BS_OK);
		snprintf(id1, sizeof id1, "%s", out.id);
		asm_activity_clear(&out);
	}
	assert_true(sb_has_activity(id1));
	assert_true(sb_has_activity(s1));
	/* allow_conflicts false: Assembled deletes the shift */
	{
		struct asm_activity_spec sp = { agent, pto->id, t2s, t2e,
		    "HiBob time off #2 (Holiday) hibob:2", 0, NULL };
		struct asm_activity out;
		assert_int_equal(asm_create_activity(cl, &sp, &out, &err), BS_OK);
		snprintf(id2, sizeof id2, "%s", out.id);
		asm_activity_clear(&out);
	}
	assert_true(sb_has_activity(id2));
	assert_false(sb_has_activity(s2));
	assert_true(sb_has_activity(s1));

	/* removal by id through bulk; again: refused, and the listing says
	 * it is gone */
	assert_int_equal(asm_activity_present(cl, agent, id1, t1s - 3600, t1e + 3600, NULL, &present,
	    &err), BS_OK);
	assert_int_equal(present, 1);
	assert_int_equal(asm_delete_activity(cl, id1, NULL, &status, &err), BS_OK);
	assert_int_equal(status, 200);
	assert_false(sb_has_activity(id1));
	assert_true(sb_has_activity(s1));	/* only that event */
	assert_int_equal(asm_activity_present(cl, agent, id1, t1s - 3600, t1e + 3600, NULL, &present,
	    &err), BS_OK);
	assert_int_equal(present, 0);
	assert_int_equal(asm_delete_activity(cl, id1, NULL, &status, &err), BS_ERR_HTTP);
	assert_int_equal(status, 400);
	assert_int_equal(asm_delete_activity(cl, id2, NULL, NULL, &err), BS_OK);
	asm_activity_types_clear(&t);
}

/* The sandbox's delete modes as the probe and a delete see them; its
 * listing caps (31 days, pages cut below what is asked) read through. */
static void
sb_delete_modes_and_capped_listing(void **state)
{
	static const char *const modes[] = { "{\"mode\":\"enabled\"}", "{\"mode\":\"beta_off\"}",
	    "{\"mode\":\"no_route\"}" };
	static const enum asm_delete_probe want[] = { ASM_DELETE_ENABLED, ASM_DELETE_REFUSED,
	    ASM_DELETE_REFUSED };
	struct asm_activities a = { 0 };
	struct bs_error err = { 0 };
	json_t *ctl, *v;
	const char *k, *agent = NULL;
	char detail[300], agentbuf[128];
	enum asm_delete_probe p;
	int64_t now = (int64_t)time(NULL), s = now - 10 * 86400, e = now + 50 * 86400;
	size_t every = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		free(test_http_post(sb_ctl_port, "/_control/bulk_delete", modes[i]));
		assert_int_equal(asm_probe_delete(cl, NULL, &p, detail, sizeof detail, &err), BS_OK);
		assert_int_equal(p, want[i]);
	}
	assert_non_null(strstr(detail, "404"));
	free(test_http_post(sb_ctl_port, "/_control/bulk_delete", "{}"));

	/* every row of one agent over 60 days, with pages cut at 4 */
	ctl = sb_get("/_control/activities");
	json_object_foreach(json_object_get(ctl, "activities"), k, v) {
		if (agent == NULL && str_eq(json_string_value(json_object_get(v, "description")), "shift")) {
			snprintf(agentbuf, sizeof agentbuf, "%s",
			    json_string_value(json_object_get(v, "agent_id")));
			agent = agentbuf;
		}
	}
	assert_non_null(agent);
	json_object_foreach(json_object_get(ctl, "activities"), k, v) {
		if (str_eq(json_string_value(json_object_get(v, "agent_id")), agent) &&
		    json_integer_value(json_object_get(v, "start_time")) < e &&
		    json_integer_value(json_object_get(v, "end_time")) > s)
			every++;
	}
	json_decref(ctl);
	assert_true(every > 40);
	free(test_http_post(sb_ctl_port, "/_control/listing", "{\"page_max\":4}"));
	assert_int_equal(asm_list_activities(cl, agent, s, e, NULL, &a, &err), BS_OK);
	assert_int_equal(a.n, every);
	asm_activities_clear(&a);
	free(test_http_post(sb_ctl_port, "/_control/listing", "{}"));
}

static void
sb_rate_limit(void **state)
{
	struct asm_activity_types t = { 0 };
	struct bs_error err = { 0 };
	json_t *log, *v;
	size_t i, n429 = 0;
	char *r;

	(void)state;
	r = test_http_post(sb_ctl_port, "/_control/ratelimit",
	    "{\"per_minute\":60,\"burst\":2,\"retry_after\":1}");
	free(r);
	for (int k = 0; k < 4; k++) {
		assert_int_equal(asm_get_activity_types(cl, &t, &err), BS_OK);
		assert_true(t.n > 0);
		asm_activity_types_clear(&t);
	}
	log = sb_get("/_control/requests");
	json_array_foreach(json_object_get(log, "requests"), i, v)
		if (json_integer_value(json_object_get(v, "status")) == 429)
			n429++;
	assert_true(n429 >= 1);		/* limited, waited, then answered */
	json_decref(log);
	r = test_http_post(sb_ctl_port, "/_control/ratelimit", "{\"per_minute\":300,\"burst\":20}");
	free(r);
}

/* At company size the index answers as a scan does: the first person
 * (in list order) with the id, else with the email in any case; never a
 * deleted one. */
static void
match_index_agrees_with_scan(void **state)
{
	enum { N = 3000 };
	struct asm_person *v = calloc(N, sizeof *v);
	char (*email)[40] = calloc(N, sizeof *email), (*hid)[16] = calloc(N, sizeof *hid);
	struct asm_people scan, idx;
	(void)state;
	assert_non_null(v);
	for (int i = 0; i < N; i++) {
		/* every 7th email and every 11th id repeats an earlier one; some
		 * emails differ only in case; every 13th is deleted */
		snprintf(email[i], sizeof email[i], i % 5 == 0 ? "Person%d@X.test" : "person%d@x.test",
		    i % 7 == 0 ? i / 2 : i);
		snprintf(hid[i], sizeof hid[i], "%d", i % 11 == 0 ? i / 3 : i);
		v[i].id = email[i];
		v[i].email = i % 17 == 0 ? NULL : email[i];
		v[i].hibob_id = i % 19 == 0 ? NULL : hid[i];
		v[i].deleted = i % 13 == 0;
	}
	scan = (struct asm_people){ .v = v, .n = N };
	idx = scan;
	asm_people_index(&idx);
	for (int q = 0; q < N + 50; q++) {
		char e[40], h[16];
		const char *how1, *how2;
		snprintf(e, sizeof e, q % 3 ? "PERSON%d@x.TEST" : "person%d@x.test", q);
		snprintf(h, sizeof h, "%d", q * 7 % (N + 50));
		assert_ptr_equal(asm_people_match(&scan, h, e, &how1), asm_people_match(&idx, h, e, &how2));
		assert_true(how1 == how2 || (how1 && how2 && strcmp(how1, how2) == 0));
		assert_ptr_equal(asm_people_match(&scan, NULL, e, NULL), asm_people_match(&idx, NULL, e, NULL));
		assert_ptr_equal(asm_people_match(&scan, h, NULL, NULL), asm_people_match(&idx, h, NULL, NULL));
	}
	free(idx.by_hibob);
	free(idx.by_email);
	free(v);
	free(email);
	free(hid);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(people_parse_degenerate, each_setup, each_teardown),
		cmocka_unit_test(people_value_forms),
		cmocka_unit_test_setup_teardown(people_paged_deleted_skipped, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(people_short_page_without_total, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(people_auth_rejected, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(people_rate_limited_then_ok, each_setup, each_teardown),
		cmocka_unit_test(match_rules),
		cmocka_unit_test(match_index_agrees_with_scan),
		cmocka_unit_test(match_index_agrees),
		cmocka_unit_test(marker_parse),
		cmocka_unit_test(types_and_default),
		cmocka_unit_test_setup_teardown(types_over_http, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(activities_agent_filter, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(create_sends_unix_seconds_and_conflicts, each_setup,
		    each_teardown),
		cmocka_unit_test_setup_teardown(create_not_retried_on_5xx, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(delete_by_id_through_bulk, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(activities_sliced_and_paged, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(activity_present_lists_the_days, each_setup,
		    each_teardown),
		cmocka_unit_test(delete_probe_classify),
	};

	const struct CMUnitTest sandbox[] = {
		cmocka_unit_test_setup_teardown(sb_people, sb_each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(sb_conflicts_and_delete, sb_each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(sb_delete_modes_and_capped_listing, sb_each_setup,
		    each_teardown),
		cmocka_unit_test_setup_teardown(sb_rate_limit, sb_each_setup, each_teardown),
	};
	int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);

	return failed + cmocka_run_group_tests(sandbox, sb_setup, sb_teardown);
}
