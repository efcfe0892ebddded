/* test_hibob_live.c - the HiBob client against the sandbox HiBob
 * (tests/sandbox/sandbox.py), quirks included: fields metadata, named list
 * ids, one search with both field forms, single reads with and without
 * the envelope, 401 never retried, 429 waited out, PUT answering 304 when
 * nothing changed, the changes feed split into windows of at most six
 * months, and who's out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helper_server.h"
#include "vendor/hibob.h"
#include "net/http.h"
#include "base/util.h"

static struct test_server sb;
static char sb_url[256], sb_id[128], sb_token[128];
static int ctl_port;
static struct http_client *http;
static struct bob_client *bob;

static const char *
jstr(json_t *j, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(j, a), b));
}

static int
setup(void **state)
{
	char statef[300];
	json_t *j;
	const char *ctl;

	(void)state;
	if (test_sandbox_start(&sb, NULL, statef, sizeof statef) != 0)
		return -1;
	j = json_load_file(statef, 0, NULL);
	if (j == NULL)
		return -1;
	snprintf(sb_url, sizeof sb_url, "%s", jstr(j, "hibob", "url"));
	snprintf(sb_id, sizeof sb_id, "%s", jstr(j, "hibob", "service_user_id"));
	snprintf(sb_token, sizeof sb_token, "%s", jstr(j, "hibob", "token"));
	ctl = jstr(j, "control", "hibob");
	ctl_port = ctl && strrchr(ctl, ':') ? atoi(strrchr(ctl, ':') + 1) : 0;
	json_decref(j);
	return ctl_port > 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	test_server_stop(&sb);
	return 0;
}

static int
each_setup(void **state)
{
	(void)state;
	http = http_client_new(NULL, NULL);
	bob = bob_client_new(http, sb_url, sb_id, sb_token);
	free(test_http_request(ctl_port, "DELETE", "/_control/requests", NULL, NULL));
	free(test_http_request(ctl_port, "DELETE", "/_control/fault", NULL, NULL));
	free(test_http_post(ctl_port, "/_control/scenario", "{\"name\": \"default\"}"));
	return 0;
}

static int
each_teardown(void **state)
{
	(void)state;
	bob_client_free(&bob);
	http_client_free(&http);
	return 0;
}

/* Requests the sandbox logged whose path contains frag, and of them how
 * many answered status (0 = any). */
static int
logged(const char *frag, int status)
{
	char *r = test_http_get(ctl_port, "/_control/requests");
	json_t *j = r ? json_loads(r, 0, NULL) : NULL, *v;
	size_t i;
	int n = 0;

	free(r);
	assert_non_null(j);
	json_array_foreach(json_object_get(j, "requests"), i, v) {
		const char *p = json_string_value(json_object_get(v, "path"));
		if (p && strstr(p, frag) && (status == 0 ||
		    json_integer_value(json_object_get(v, "status")) == status))
			n++;
	}
	json_decref(j);
	return n;
}

static json_t *
expected(void)
{
	char *r = test_http_get(ctl_port, "/_control/expected");
	json_t *j = r ? json_loads(r, 0, NULL) : NULL;
	free(r);
	assert_non_null(j);
	return j;
}

/* The alleo_access field and its list, read as the client reads them. */
static void
access_field(struct bob_fields *f, const struct bob_field **af, struct bob_list *l)
{
	struct bs_error err = { 0 };

	assert_int_equal(bob_get_fields(bob, f, &err), BS_OK);
	*af = NULL;
	for (size_t i = 0; i < f->n; i++)
		if (str_eq(f->v[i].name, "alleo_access"))
			*af = &f->v[i];
	assert_non_null(*af);
	assert_string_equal((*af)->type, "list");
	assert_non_null((*af)->list_id);
	assert_int_equal(bob_get_list(bob, (*af)->list_id, l, &err), BS_OK);
	assert_non_null(bob_list_id_of(l, "yes"));
	assert_non_null(bob_list_id_of(l, "no"));
}

static void
search_matches_ground_truth(void **state)
{
	struct bob_fields f;
	const struct bob_field *af;
	struct bob_list l;
	struct bob_people p;
	struct bs_error err = { 0 };
	json_t *exp = expected(), *emp = json_object_get(json_object_get(exp, "employees"), "summary");
	long yes = 0, no = 0, unset = 0;
	struct bob_people_query q = { 0 };

	(void)state;
	access_field(&f, &af, &l);
	q.access_field_id = af->id;
	q.access_list = &l;
	assert_int_equal(bob_search_people(bob, &q, &p, NULL, &err), BS_OK);
	assert_int_equal(p.n, json_integer_value(json_object_get(emp, "total")));
	for (size_t i = 0; i < p.n; i++) {
		yes += p.v[i].access == BOB_ACCESS_YES;
		no += p.v[i].access == BOB_ACCESS_NO;
		unset += p.v[i].access == BOB_ACCESS_UNSET;
		assert_non_null(p.v[i].id);
		assert_true(strlen(p.v[i].id) >= 15);	/* long ids kept as strings */
	}
	/* every person's access as the fixture has it, counted */
	{
		json_t *list = json_object_get(json_object_get(exp, "employees"), "employees"), *e;
		size_t i;
		long ey = 0, en = 0, eu = 0;
		json_array_foreach(list, i, e) {
			const char *a = json_string_value(json_object_get(e, "access"));
			ey += str_eq(a, "yes");
			en += str_eq(a, "no");
			eu += str_eq(a, "unset");
		}
		assert_int_equal(yes, ey);
		assert_int_equal(no, en);
		assert_int_equal(unset, eu);
	}
	assert_int_equal(logged("/people/search", 200), 1);	/* one search, no paging */
	bob_people_clear(&p);
	bob_list_clear(&l);
	bob_fields_clear(&f);
	json_decref(exp);
}

static void
read_person_both_shapes(void **state)
{
	struct bob_fields f;
	const struct bob_field *af;
	struct bob_list l;
	struct bob_people p;
	struct bob_person one;
	struct bs_error err = { 0 };
	struct bob_people_query q = { 0 };

	(void)state;
	access_field(&f, &af, &l);
	q.access_field_id = af->id;
	q.access_list = &l;
	assert_int_equal(bob_search_people(bob, &q, &p, NULL, &err), BS_OK);
	/* by id: a bare object; by email: {"employees": [...]} */
	assert_int_equal(bob_read_person(bob, p.v[0].id, &q, &one, &err), BS_OK);
	assert_string_equal(one.id, p.v[0].id);
	bob_person_clear(&one);
	assert_int_equal(bob_read_person(bob, p.v[0].email, &q, &one, &err), BS_OK);
	assert_string_equal(one.id, p.v[0].id);
	assert_int_equal(one.access, p.v[0].access);
	bob_person_clear(&one);
	assert_int_equal(bob_read_person(bob, "nobody@nowhere.example", &q, &one, &err),
	    BS_ERR_NOT_FOUND);
	bob_people_clear(&p);
	bob_list_clear(&l);
	bob_fields_clear(&f);
}

static void
wrong_token_not_retried(void **state)
{
	struct bob_client *bad = bob_client_new(http, sb_url, sb_id, "not-the-token");
	struct bob_fields f;
	struct bs_error err = { 0 };

	(void)state;
	assert_int_equal(bob_get_fields(bad, &f, &err), BS_ERR_AUTH);
	assert_null(strstr(err.detail, "not-the-token"));
	assert_int_equal(logged("/company/people/fields", 401), 1);	/* exactly one */
	bob_client_free(&bad);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The search answer is read as it arrives: no cap on the whole answer
 * (only on one record), and an answer cut off half way is read again from
 * the start without keeping the people of the first half twice. */
static void
search_read_as_it_arrives(void **state)
{
	struct http_options o = { 0 };
	struct bob_people p;
	struct bs_error err = { 0 };
	json_t *exp = expected();
	long total = json_integer_value(json_object_get(json_object_get(json_object_get(exp,
	    "employees"), "summary"), "total"));
	const char **ids;

	(void)state;
	json_decref(exp);
	bob_client_free(&bob);
	http_client_free(&http);
	o.max_body = 4096;	/* far less than the answer */
	http = http_client_new(&o, NULL);
	bob = bob_client_new(http, sb_url, sb_id, sb_token);
	assert_int_equal(bob_search_people(bob, NULL, &p, NULL, &err), BS_OK);
	assert_int_equal(p.n, total);
	bob_people_clear(&p);

	free(test_http_post(ctl_port, "/_control/fault", "{\"path\": \"/v1/people/search\", "
	    "\"kind\": \"truncate\", \"count\": 1}"));
	assert_int_equal(bob_search_people(bob, NULL, &p, NULL, &err), BS_OK);
	assert_int_equal(logged("/people/search", 0), 3);	/* the first, the cut one, its retry */
	assert_int_equal(p.n, total);
	ids = calloc(p.n, sizeof *ids);
	assert_non_null(ids);
	for (size_t i = 0; i < p.n; i++)
		ids[i] = p.v[i].id;
	qsort(ids, p.n, sizeof *ids, cmp_str);
	for (size_t i = 1; i < p.n; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
	bob_people_clear(&p);
}

/* The progress hears how many people have come while the answer arrives,
 * not only at its end (a big company's answer takes seconds). */
struct heard {
	size_t done[64];
	size_t total[64];
	size_t n;
};

static int
hear(void *ctx, const struct bs_progress_event *ev)
{
	struct heard *h = ctx;
	if (h->n < 64) {
		h->done[h->n] = ev->done;
		h->total[h->n] = ev->total;
		h->n++;
	}
	return 0;
}

static void
search_tells_progress(void **state)
{
	struct bob_people_query q = { 0 };
	struct heard h = { { 0 }, { 0 }, 0 };
	struct bs_progress pr = { hear, &h };
	struct bob_people p;
	struct bs_error err = { 0 };
	size_t ticks = 0;

	(void)state;
	q.progress_every = 7;
	assert_int_equal(bob_search_people(bob, &q, &p, &pr, &err), BS_OK);
	assert_true(p.n >= 14);
	assert_true(h.n >= 2);
	assert_int_equal(h.done[0], 0);			/* the start */
	assert_int_equal(h.done[h.n - 1], p.n);		/* the end, with the total */
	assert_int_equal(h.total[h.n - 1], p.n);
	for (size_t i = 1; i + 1 < h.n; i++) {
		assert_int_equal(h.done[i], 7 * i);	/* every 7, as they came */
		assert_int_equal(h.total[i], 0);	/* not known yet */
		ticks++;
	}
	assert_int_equal(ticks, p.n / 7);
	bob_people_clear(&p);
}

/* With query.each the people are handed over as they are read and none
 * is kept (issue 18); an answer cut off half way is read again, and what
 * its first half handed over is taken back first (each_reset). */
struct handed {
	char **ids;
	size_t n, cap, marks, resets, mark_n;
};

static void
hand_one(void *ctx, const struct bob_person *p)
{
	struct handed *h = ctx;
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->ids = realloc(h->ids, h->cap * sizeof *h->ids);
		assert_non_null(h->ids);
	}
	assert_int_equal(p->packed, 1);
	h->ids[h->n++] = strdup(p->id);	/* valid during the call only */
}

static void
hand_mark(void *ctx)
{
	struct handed *h = ctx;
	h->marks++;
	h->mark_n = h->n;
}

static void
hand_reset(void *ctx)
{
	struct handed *h = ctx;
	h->resets++;
	while (h->n > h->mark_n)
		free(h->ids[--h->n]);
}

static void
search_handed_over_not_kept(void **state)
{
	struct bob_people_query q = { 0 };
	struct handed h = { 0 };
	struct bob_people p;
	struct bs_error err = { 0 };
	json_t *exp = expected();
	long total = json_integer_value(json_object_get(json_object_get(json_object_get(exp,
	    "employees"), "summary"), "total"));

	(void)state;
	json_decref(exp);
	q.each = hand_one;
	q.each_mark = hand_mark;
	q.each_reset = hand_reset;
	q.each_ctx = &h;
	free(test_http_post(ctl_port, "/_control/fault", "{\"path\": \"/v1/people/search\", "
	    "\"kind\": \"truncate\", \"count\": 1}"));
	assert_int_equal(bob_search_people(bob, &q, &p, NULL, &err), BS_OK);
	assert_int_equal(p.n, 0);		/* nobody kept */
	assert_null(p.v);
	assert_int_equal(p.nread, total);
	assert_int_equal(h.n, total);		/* everyone once, the cut half taken back */
	assert_int_equal(h.marks, 1);
	assert_true(h.resets >= 1);
	qsort(h.ids, h.n, sizeof *h.ids, cmp_str);
	for (size_t i = 1; i < h.n; i++)
		assert_string_not_equal(h.ids[i - 1], h.ids[i]);
	for (size_t i = 0; i < h.n; i++)
		free(h.ids[i]);
	free(h.ids);
	bob_people_clear(&p);
}

/* A reader that needs a few values asks for those fields alone: the
 * others are not in the answer, so the people have them unset. */
static void
search_only_fields_asked(void **state)
{
	static const char *const only[] = { "root.email", "internal.status" };
	struct bob_people_query q = { 0 };
	struct bob_people all, few;
	struct bs_error err = { 0 };
	size_t named = 0, emails = 0, statuses = 0;

	(void)state;
	assert_int_equal(bob_search_people(bob, &q, &all, NULL, &err), BS_OK);
	q.only_fields = only;
	q.nonly = 2;
	assert_int_equal(bob_search_people(bob, &q, &few, NULL, &err), BS_OK);
	assert_true(few.n > 0);
	assert_int_equal(few.n, all.n);
	for (size_t i = 0; i < all.n; i++)
		named += all.v[i].first_name != NULL && all.v[i].department != NULL;
	assert_true(named > 0);
	for (size_t i = 0; i < few.n; i++) {
		assert_non_null(few.v[i].id);
		assert_string_equal(few.v[i].id, all.v[i].id);
		assert_null(few.v[i].first_name);
		assert_null(few.v[i].surname);
		assert_null(few.v[i].display_name);
		assert_null(few.v[i].department);
		assert_null(few.v[i].site);
		assert_null(few.v[i].start_date);
		assert_null(few.v[i].lifecycle);
		assert_true(str_eq(few.v[i].email, all.v[i].email));
		assert_true(str_eq(few.v[i].status, all.v[i].status));
		emails += few.v[i].email != NULL;
		statuses += few.v[i].status != NULL;
	}
	assert_true(emails > 0);
	assert_true(statuses > 0);
	assert_int_equal(logged("/people/search", 200), 2);
	bob_people_clear(&all);
	bob_people_clear(&few);
}

static void
rate_limit_waited_out(void **state)
{
	struct bob_fields f;
	struct bs_error err = { 0 };

	(void)state;
	free(test_http_post(ctl_port, "/_control/fault", "{\"path\": \"/v1/company/people/fields\", "
	    "\"kind\": \"429_retry_after\", \"retry_after\": 1, \"count\": 1}"));
	assert_int_equal(bob_get_fields(bob, &f, &err), BS_OK);
	assert_true(f.n > 10);
	assert_int_equal(logged("/company/people/fields", 429), 1);
	assert_int_equal(logged("/company/people/fields", 200), 1);
	bob_fields_clear(&f);
}

static void
put_answers_304_when_unchanged(void **state)
{
	struct bob_fields f;
	const struct bob_field *af;
	struct bob_list l;
	struct bob_people p;
	struct bs_error err = { 0 };
	struct bob_people_query q = { 0 };
	const char *yes_id;
	size_t who = 0;
	int changed = -1;

	(void)state;
	access_field(&f, &af, &l);
	q.access_field_id = af->id;
	q.access_list = &l;
	assert_int_equal(bob_search_people(bob, &q, &p, NULL, &err), BS_OK);
	while (who < p.n && p.v[who].access != BOB_ACCESS_NO)
		who++;
	assert_true(who < p.n);
	yes_id = bob_list_id_of(&l, "yes");
	assert_int_equal(bob_update_field(bob, p.v[who].id, af->id, yes_id, &changed, &err), BS_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(bob_update_field(bob, p.v[who].id, af->id, yes_id, &changed, &err), BS_OK);
	assert_int_equal(changed, 0);		/* 304: nothing modified */
	/* put it back */
	assert_int_equal(bob_update_field(bob, p.v[who].id, af->id, bob_list_id_of(&l, "no"),
	    &changed, &err), BS_OK);
	bob_people_clear(&p);
	bob_list_clear(&l);
	bob_fields_clear(&f);
}

/* At most 400 field ids per search (issue 12): 911 fields go out as
 * searches of 400, 399 + root.id and 112 + root.id; the sandbox answers
 * 400 to a longer list. */
static void
search_splits_at_400_fields(void **state)
{
	enum { NEXTRA = 900 };
	static char ids[NEXTRA][40];
	const char *extra[NEXTRA];
	struct bob_fields f;
	const struct bob_field *af;
	struct bob_list l;
	struct bob_people p;
	struct bs_error err = { 0 };
	struct bob_people_query q = { 0 };

	(void)state;
	access_field(&f, &af, &l);
	for (size_t i = 0; i < NEXTRA; i++) {
		/* unknown ids: HiBob leaves them out without an error */
		snprintf(ids[i], sizeof ids[i], "work.custom.field_%zu", 1000 + i);
		extra[i] = ids[i];
	}
	extra[NEXTRA - 1] = af->id;	/* the access field in the last search */
	q.access_list = &l;
	q.extra_fields = extra;
	q.nextra = NEXTRA;
	assert_int_equal(bob_search_people(bob, &q, &p, NULL, &err), BS_OK);
	assert_int_equal(logged("/people/search", 400), 0);
	assert_int_equal(logged("/people/search", 200), 3);
	assert_true(p.n > 0);
	/* the people of the first search, merged with the later ones */
	for (size_t i = 0; i < p.nmissing; i++)
		assert_string_not_equal(p.missing[i].field_id, af->id);
	{
		/* handed over one by one: merged first, then each person once */
		struct handed h = { 0 };
		struct bob_people p2;
		size_t n = p.n;
		q.each = hand_one;
		q.each_mark = hand_mark;
		q.each_reset = hand_reset;
		q.each_ctx = &h;
		assert_int_equal(bob_search_people(bob, &q, &p2, NULL, &err), BS_OK);
		assert_int_equal(p2.n, 0);
		assert_int_equal(p2.nread, n);
		assert_int_equal(h.n, n);
		assert_int_equal(p2.nmissing, p.nmissing);
		for (size_t i = 0; i < h.n; i++)
			free(h.ids[i]);
		free(h.ids);
		bob_people_clear(&p2);
	}
	bob_people_clear(&p);
	bob_list_clear(&l);
	bob_fields_clear(&f);
}

static void
changes_in_windows_of_six_months(void **state)
{
	struct bob_timeoffs t;
	struct bs_error err = { 0 };
	int64_t now = clock_now();

	(void)state;
	/* a year back: more than two windows of at most six months (the
	 * sandbox answers 400 to a longer one) */
	assert_int_equal(bob_timeoff_changes(bob, now - 365 * 86400LL, now, &t, &err), BS_OK);
	assert_true(t.n > 0);
	assert_int_equal(logged("/timeoff/requests/changes", 200), 3);
	assert_int_equal(logged("/timeoff/requests/changes", 400), 0);
	for (size_t i = 0; i < t.n; i++)
		assert_true(t.v[i].request_id > 0);
	bob_timeoffs_clear(&t);
}

static void
whos_out_lists_approved(void **state)
{
	struct bob_timeoffs t;
	struct bs_error err = { 0 };
	char from[11], to[11];
	int64_t now = clock_now();

	(void)state;
	date_format(now / 86400 - 30, from);
	date_format(now / 86400 + 365, to);
	assert_int_equal(bob_whos_out(bob, from, to, &t, &err), BS_OK);
	assert_true(t.n > 0);
	for (size_t i = 0; i < t.n; i++)
		assert_true(t.v[i].status == TOFF_APPROVED || t.v[i].status == TOFF_STATUS_UNKNOWN);
	bob_timeoffs_clear(&t);
	/* items that say no status: who's out without includePending lists
	 * approved requests only, so they are approved (not unknown, which the
	 * reconciliation would take for "no longer approved") */
	free(test_http_post(ctl_port, "/_control/timeoff_api", "{\"whosout_status\": false}"));
	assert_int_equal(bob_whos_out(bob, from, to, &t, &err), BS_OK);
	free(test_http_post(ctl_port, "/_control/timeoff_api", "{}"));
	assert_true(t.n > 0);
	for (size_t i = 0; i < t.n; i++) {
		assert_null(t.v[i].status_raw);
		assert_int_equal(t.v[i].status, TOFF_APPROVED);
	}
	bob_timeoffs_clear(&t);
}

/* Who's out and the changes feed are read as they arrive (issue 18): a
 * client whose answer cap is far below them reads them all; an answer cut
 * off half way is read again from nothing; another shape the parser takes
 * (another wrapper) is still read, whole; a list that is not JSON fails. */
static void
timeoff_lists_read_as_they_arrive(void **state)
{
	struct http_options o = { 0 };
	struct bob_timeoffs outs, ch, t;
	struct bs_error err = { 0 };
	char from[11], to[11];
	int64_t now = clock_now();
	size_t pending = 0;

	(void)state;
	date_format(now / 86400 - 30, from);
	date_format(now / 86400 + 365, to);
	assert_int_equal(bob_whos_out_pending(bob, from, to, &outs, &err), BS_OK);
	assert_int_equal(bob_timeoff_changes(bob, now - 90 * 86400LL, now, &ch, &err), BS_OK);
	assert_true(outs.n > 20);
	assert_true(ch.n > 20);
	for (size_t i = 0; i < outs.n; i++)
		pending += outs.v[i].status == TOFF_PENDING;
	assert_true(pending > 0);	/* includePending=true */
	bob_client_free(&bob);
	http_client_free(&http);
	o.max_body = 4096;	/* far less than either answer */
	http = http_client_new(&o, NULL);
	bob = bob_client_new(http, sb_url, sb_id, sb_token);
	assert_int_equal(bob_whos_out_pending(bob, from, to, &t, &err), BS_OK);
	assert_int_equal(t.n, outs.n);
	for (size_t i = 0; i < t.n; i++) {
		assert_true(t.v[i].request_id == outs.v[i].request_id);
		assert_int_equal(t.v[i].status, outs.v[i].status);
		assert_string_equal(t.v[i].start_date, outs.v[i].start_date);
	}
	bob_timeoffs_clear(&t);
	assert_int_equal(bob_timeoff_changes(bob, now - 90 * 86400LL, now, &t, &err), BS_OK);
	assert_int_equal(t.n, ch.n);
	assert_true(t.v[t.n - 1].request_id == ch.v[ch.n - 1].request_id);
	bob_timeoffs_clear(&t);
	/* cut off half way: read again, the first half not counted twice */
	free(test_http_post(ctl_port, "/_control/fault", "{\"path\": \"/v1/timeoff/whosout\", "
	    "\"kind\": \"truncate\", \"count\": 1}"));
	assert_int_equal(bob_whos_out_pending(bob, from, to, &t, &err), BS_OK);
	assert_int_equal(t.n, outs.n);
	bob_timeoffs_clear(&t);
	/* another wrapper: read whole, as the parser reads it */
	free(test_http_post(ctl_port, "/_control/fault", "{\"path\": \"/v1/timeoff/whosout\", "
	    "\"kind\": \"plant\", \"count\": 1, \"remove\": [\"/outs\"], \"set\": "
	    "{\"/requests\": [{\"requestId\": 42, \"employeeId\": \"7\", "
	    "\"startDate\": \"2026-03-02\"}]}}"));
	assert_int_equal(bob_whos_out_pending(bob, from, to, &t, &err), BS_OK);
	assert_int_equal(t.n, 1);
	assert_true(t.v[0].request_id == 42);
	assert_string_equal(t.v[0].start_date, "2026-03-02");
	bob_timeoffs_clear(&t);
	free(test_http_post(ctl_port, "/_control/fault", "{\"path\": \"/v1/timeoff/whosout\", "
	    "\"kind\": \"invalid_json\", \"count\": 1}"));
	assert_int_equal(bob_whos_out_pending(bob, from, to, &t, &err), BS_ERR_PARSE);
	assert_int_equal(t.n, 0);
	assert_null(t.v);
	bob_timeoffs_clear(&outs);
	bob_timeoffs_clear(&ch);
}

/* The strict sandbox: private-policy requests show under their public
 * name without includePrivate and are silently missing with it, until
 * the service user has the permission; feed items carry no status. */
static void
private_requests_and_strict_feed(void **state)
{
	struct bob_timeoffs pub, priv, ch;
	struct bs_error err = { 0 };
	char from[11], to[11];
	int64_t now = clock_now();
	size_t hidden = 0, missing = 0, named = 0;

	(void)state;
	date_format(now / 86400 - 30, from);
	date_format(now / 86400 + 365, to);
	assert_int_equal(bob_whos_out_ex(bob, from, to, 0, &pub, &err), BS_OK);
	assert_int_equal(bob_whos_out_ex(bob, from, to, 1, &priv, &err), BS_OK);
	assert_int_equal(logged("/timeoff/whosout", 200), 2);
	for (size_t i = 0; i < pub.n; i++) {
		int found = 0;
		if (!str_eq(pub.v[i].policy_type, "Out of office"))
			continue;
		hidden++;
		for (size_t k = 0; k < priv.n; k++)
			found |= priv.v[k].request_id == pub.v[i].request_id;
		missing += !found;
	}
	assert_true(hidden > 0);
	assert_int_equal(missing, hidden);
	bob_timeoffs_clear(&priv);
	free(test_http_post(ctl_port, "/_control/timeoff_api", "{\"private_permission\": true}"));
	assert_int_equal(bob_whos_out_ex(bob, from, to, 1, &priv, &err), BS_OK);
	free(test_http_post(ctl_port, "/_control/timeoff_api", "{}"));
	for (size_t k = 0; k < priv.n; k++)
		named += str_eq(priv.v[k].policy_type, "Medical");
	assert_int_equal(named, hidden);
	bob_timeoffs_clear(&priv);
	bob_timeoffs_clear(&pub);

	assert_int_equal(bob_timeoff_changes(bob, now - 7 * 86400LL, now, &ch, &err), BS_OK);
	assert_true(ch.n > 0);
	for (size_t i = 0; i < ch.n; i++) {
		assert_int_equal(ch.v[i].status, TOFF_STATUS_UNKNOWN);
		assert_int_equal(ch.v[i].previous_request_id, 0);
		assert_non_null(ch.v[i].change_type);
	}
	bob_timeoffs_clear(&ch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(search_matches_ground_truth, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(read_person_both_shapes, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(wrong_token_not_retried, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(rate_limit_waited_out, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(search_read_as_it_arrives, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(search_tells_progress, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(search_handed_over_not_kept, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(search_only_fields_asked, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(put_answers_304_when_unchanged, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(search_splits_at_400_fields, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(changes_in_windows_of_six_months, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(whos_out_lists_approved, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(timeoff_lists_read_as_they_arrive, each_setup, each_teardown),
		cmocka_unit_test_setup_teardown(private_requests_and_strict_feed, each_setup, each_teardown),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
