/* test_timeoff_sync.c - the time-off engine: policy map, window, matching
 * and evaluation (pure), then whole runs over loopback HTTP.
 *
 * One faultserver plays both HiBob (/v1/...) and Assembled (/v0/...):
 * each test scripts the answers by path and then reads the request log,
 * so it asserts exactly which calls a run made (one create, one delete, no
 * call at all ...), and what the state store holds afterwards.
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

#include "vendor/assembled.h"
#include "config/conf.h"
#include "helper_server.h"
#include "net/http.h"
#include "base/log.h"
#include "engine/plan.h"
#include "engine/session.h"
#include "store/store.h"
#include "store/store_timeoff.h"
#include "engine/timeoff_preview.h"
#include "engine/timeoff_sync.h"
#include "engine/timeoff_int.h"
#include "base/tz.h"
#include "base/util.h"
#include "config/vault.h"

#define FAULTSERVER "tests/sandbox/faultserver.py"
#define NOW "2026-03-01T10:00:00Z"

/* ---- pure pieces ---- */

static const char types_json[] =
    "{\"activity_types\":{"
    "\"t1\":{\"id\":\"t1\",\"name\":\"Phone\",\"productive\":true},"
    "\"t2\":{\"id\":\"t2\",\"name\":\"Holiday\",\"import_id\":\"HOL\",\"timeoff\":true},"
    "\"t3\":{\"id\":\"t3\",\"name\":\"Time Off\",\"timeoff\":true},"
    "\"t4\":{\"id\":\"t4\",\"name\":\"Sick And Medical\",\"timeoff\":true}}}";

static void
policy_map(void **state)
{
	struct conf *c = conf_new();
	struct asm_activity_types t = { 0 };
	struct bs_error err = { 0 };
	char why[400];

	(void)state;
	assert_int_equal(asm_parse_activity_types(types_json, strlen(types_json), &t, &err), BS_OK);
	/* nothing set: the default type for every policy */
	assert_string_equal(toff_policy_type(c, &t, "Holiday", why, sizeof why)->id, "t3");
	assert_string_equal(toff_policy_type(c, &t, NULL, why, sizeof why)->id, "t3");
	assert_null(toff_policy_type(c, NULL, "Holiday", why, sizeof why));
	assert_non_null(strstr(why, "Holiday"));
	assert_int_equal(conf_set(c, "assembled.policy_map", "Holiday=HOL, Sick=Sick And Medical,"
	    "Parental=Nope", &err), BS_OK);
	assert_string_equal(toff_policy_type(c, &t, "holiday", why, sizeof why)->id, "t2");
	assert_string_equal(toff_policy_type(c, &t, "Sick", why, sizeof why)->id, "t4");
	/* a policy not in the map: the default */
	assert_string_equal(toff_policy_type(c, &t, "Training", why, sizeof why)->id, "t3");
	/* a map entry naming no time-off type is an error, never a fallback */
	assert_null(toff_policy_type(c, &t, "Parental", why, sizeof why));
	assert_non_null(strstr(why, "'Parental' to 'Nope'"));
	/* assembled.timeoff_type changes the default */
	assert_int_equal(conf_set(c, "assembled.timeoff_type", "sick and medical", &err), BS_OK);
	assert_string_equal(toff_policy_type(c, &t, "Training", why, sizeof why)->id, "t4");
	asm_activity_types_clear(&t);
	conf_free(&c);
}

static void
window(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	int64_t ws, we, now = 1772359200;	/* 2026-03-01T10:00:00Z */
	char a[11], b[11];

	(void)state;
	assert_int_equal(toff_window(c, now, &ws, &we), 0);
	date_format(ws / 86400, a);
	date_format(we / 86400, b);
	assert_string_equal(a, "2026-01-30");	/* 30 days back */
	assert_string_equal(b, "2027-03-02");	/* end of +365d */
	assert_int_equal(conf_set(c, "timeoff.sync_until", "2026-06-30", &err), BS_OK);
	assert_int_equal(conf_set(c, "timeoff.lookback_days", "0", &err), BS_OK);
	assert_int_equal(toff_window(c, now, &ws, &we), 0);
	date_format(ws / 86400, a);
	date_format(we / 86400, b);
	assert_string_equal(a, "2026-03-01");
	assert_string_equal(b, "2026-07-01");
	/* a date already past gives an empty window, not a negative one */
	assert_int_equal(conf_set(c, "timeoff.sync_until", "2020-01-01", &err), BS_OK);
	assert_int_equal(toff_window(c, now, &ws, &we), 0);
	assert_int_equal(ws, we);
	conf_free(&c);
}

static void
description_and_snapshot(void **state)
{
	struct bob_timeoff a, b;
	char *s1, *s2, *d;

	(void)state;
	d = toff_description(NULL, 0);
	assert_non_null(d);
	free(d);
	memset(&a, 0, sizeof a);
	a.request_id = 24588163;
	a.policy_type = (char *)"Holiday";
	d = toff_description(&a, 0);
	assert_string_equal(d, "HiBob time off #24588163 (Holiday) hibob:24588163");
	free(d);
	d = toff_description(&a, 2);
	assert_non_null(strstr(d, "part 2"));
	assert_non_null(strstr(d, "hibob:24588163"));
	free(d);

	/* the same request from the feed (with email and change type) and
	 * from who's out: the same snapshot */
	a.employee_id = (char *)"1";
	a.status = TOFF_APPROVED;
	a.type = TOFF_DAYS;
	strcpy(a.start_date, "2026-03-02");
	strcpy(a.end_date, "2026-03-04");
	a.start_portion = TOFF_AFTERNOON;
	a.end_portion = TOFF_MORNING;
	b = a;
	b.employee_email = (char *)"x@y.test";
	b.change_type = (char *)"Created";
	s1 = toff_snapshot_key(&a);
	s2 = toff_snapshot_key(&b);
	assert_string_equal(s1, s2);
	free(s2);
	/* a cancellation or a date change is a different snapshot */
	b.change_type = (char *)"Canceled";
	s2 = toff_snapshot_key(&b);
	assert_string_not_equal(s1, s2);
	free(s2);
	b.change_type = NULL;
	strcpy(b.end_date, "2026-03-05");
	s2 = toff_snapshot_key(&b);
	assert_string_not_equal(s1, s2);
	free(s2);
	free(s1);
}

/* The stored snapshot format as it was defined: json_pack of the members
 * and json_dump_compact (sorted keys).  Records in the store hold such
 * keys, so toff_snapshot_key, which writes them directly, must give the
 * same bytes for every request. */
static const char *
ref_portion(enum toff_portion p)
{
	return p == TOFF_ALL_DAY ? "all_day" : p == TOFF_MORNING ? "morning" :
	    p == TOFF_AFTERNOON ? "afternoon" : "";
}

static char *
snapshot_ref(const struct bob_timeoff *r)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s}",
	    "e", r->employee_id ? r->employee_id : "",
	    "s", toff_status_name(toff_effective_status(r)),
	    "t", toff_type_name(r->type),
	    "sd", r->start_date, "ed", r->end_date,
	    "sp", ref_portion(r->start_portion), "ep", ref_portion(r->end_portion),
	    "dp", ref_portion(r->day_portion), "d", r->date,
	    "m", r->minutes_on_date, "dm", r->daily_minutes, "pc", r->percentage,
	    "p", r->policy_type ? r->policy_type : "");
	char *s;

	if (j == NULL)
		return strdup("");
	if (r->ndurations > 0 && (r->type == TOFF_DIFFERENT_DAY_DURATIONS ||
	    r->type == TOFF_SPECIFIC_HOURS_DAY_DURATIONS ||
	    r->type == TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS)) {
		json_t *a = json_array();
		for (size_t i = 0; i < r->ndurations; i++)
			json_array_append_new(a, json_pack("[s,i,i,i]", r->durations[i].date,
			    r->durations[i].minutes, r->durations[i].start_minute,
			    r->durations[i].end_minute));
		json_object_set_new(j, "du", a);
	}
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(j);
	return s;
}

/* A random string of up to max bytes: ASCII, the characters JSON
 * escapes, every control, DEL, UTF-8 of 2 to 4 bytes and bytes that are
 * not UTF-8 (a lone continuation, a cut sequence, 0xff). */
static void
random_text(char *out, size_t max, unsigned *seed)
{
	static const char *const pieces[] = { "a", "Z", "0", " ", "-", "/", "\"", "\\", "\b",
	    "\f", "\n", "\r", "\t", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe5\xb1\xb1",
	    "\xf0\x9f\x98\x80", "\x80", "\xe5\xb1", "\xff", "2026-03-02" };
	size_t n = 0;

	for (int k = (int)(rand_r(seed) % 6); k > 0; k--) {
		const char *p = pieces[rand_r(seed) % (sizeof pieces / sizeof *pieces)];
		size_t l = strlen(p);
		if (n + l > max)
			break;
		memcpy(out + n, p, l);
		n += l;
	}
	out[n] = '\0';
}

static void
snapshot_same_as_jansson(void **state)
{
	unsigned seed = 20261207;
	int invalid = 0, with_durations = 0;

	(void)state;
	for (int it = 0; it < 20000; it++) {
		struct bob_timeoff r;
		struct bob_duration du[3];
		char emp[64], pol[64];
		static const char *const changes[] = { NULL, "Created", "Canceled", "Deleted",
		    "cancelled" };
		char *got, *want;

		memset(&r, 0, sizeof r);
		memset(du, 0, sizeof du);
		random_text(emp, 40, &seed);
		random_text(pol, 40, &seed);
		r.employee_id = rand_r(&seed) % 8 ? emp : NULL;
		r.policy_type = rand_r(&seed) % 8 ? pol : NULL;
		r.type = (enum toff_type)(rand_r(&seed) % (TOFF_TYPE_UNKNOWN + 1));
		r.status = (enum toff_status)(rand_r(&seed) % (TOFF_DELETED + 1));
		r.change_type = (char *)changes[rand_r(&seed) % 5];
		random_text(r.start_date, 10, &seed);
		random_text(r.end_date, 10, &seed);
		random_text(r.date, 10, &seed);
		r.start_portion = (enum toff_portion)(rand_r(&seed) % 4);
		r.end_portion = (enum toff_portion)(rand_r(&seed) % 4);
		r.day_portion = (enum toff_portion)(rand_r(&seed) % 4);
		r.minutes_on_date = (int)(rand_r(&seed) % 2000) - 1000;
		r.daily_minutes = (int)(rand_r(&seed) % 2000);
		r.percentage = (int)(rand_r(&seed) % 101);
		r.ndurations = rand_r(&seed) % 4;
		r.durations = du;
		for (size_t i = 0; i < r.ndurations; i++) {
			random_text(du[i].date, 10, &seed);
			du[i].minutes = (int)(rand_r(&seed) % 600);
			du[i].start_minute = (int)(rand_r(&seed) % 1500) - 1;
			du[i].end_minute = (int)(rand_r(&seed) % 1500) - 1;
		}
		got = toff_snapshot_key(&r);
		want = snapshot_ref(&r);
		if (strcmp(got, want) != 0)
			fail_msg("request %d: got %s, want %s", it, got, want);
		invalid += want[0] == '\0';
		with_durations += strstr(want, "\"du\":") != NULL;
		free(got);
		free(want);
	}
	/* the random cases reached both branches */
	assert_true(invalid > 1000 && invalid < 19000);
	assert_true(with_durations > 500);
}

/* A record's seen keys as they were written with Jansson (an array of
 * strings, each once, under "seen", compact with sorted keys). */
static void
seen_text_same_as_jansson(void **state)
{
	unsigned seed = 7;
	int skipped = 0, repeated = 0;

	(void)state;
	for (int it = 0; it < 5000; it++) {
		char text[5][48], *keys[5];
		size_t n = rand_r(&seed) % 6;
		json_t *j = json_object(), *a = json_array();
		char *got, *want;

		for (size_t i = 0; i < n; i++) {
			if (i > 0 && rand_r(&seed) % 4 == 0) {
				strcpy(text[i], text[rand_r(&seed) % i]);	/* a key again */
				repeated++;
			} else {
				random_text(text[i], 40, &seed);
			}
			keys[i] = text[i];
		}
		for (size_t i = 0; i < n; i++) {
			size_t k;
			json_t *x;
			int dup = 0;
			json_array_foreach(a, k, x)
				dup |= strcmp(json_string_value(x), keys[i]) == 0;
			if (!dup && json_array_append_new(a, json_string(keys[i])) != 0)
				skipped++;
		}
		json_object_set_new(j, "seen", a);
		want = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		got = toff_seen_text(keys, n);
		if (strcmp(got, want) != 0)
			fail_msg("set %d: got %s, want %s", it, got, want);
		free(got);
		free(want);
		json_decref(j);
	}
	assert_true(skipped > 100);
	assert_true(repeated > 100);
}

/* Ids in the order of their numbers, negative and huge ones too (the
 * sets are radix-sorted on the ids' bits), the latest of a repeated id the
 * last in the list. */
static void
id_sets_order_any_ids(void **state)
{
	static const long long in[] = { 5, -3, 9223372036854775807LL, 0, -9223372036854775807LL - 1,
	    5, 256, -256, 65536, -3 };
	static const long long want[] = { -9223372036854775807LL - 1, -256, -3, -3, 0, 5, 5, 256,
	    65536, 9223372036854775807LL };
	struct bob_timeoff v[10];
	struct bob_timeoffs t = { v, 10 };
	unsigned char *last;
	long long *ids;
	size_t n = 0;

	(void)state;
	memset(v, 0, sizeof v);
	for (size_t i = 0; i < 10; i++)
		v[i].request_id = in[i];
	ids = toff_sorted_ids(&t, &n);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < 10; i++)
		assert_true(ids[i] == want[i]);
	for (size_t i = 0; i < 10; i++)
		assert_true(toff_ids_has(ids, n, in[i]));
	assert_false(toff_ids_has(ids, n, 1));
	assert_false(toff_ids_has(ids, n, -9223372036854775807LL));
	free(ids);
	last = toff_latest_flags(&t);
	assert_int_equal(last[0], 0);	/* 5 again at 5 */
	assert_int_equal(last[5], 1);
	assert_int_equal(last[1], 0);	/* -3 again at 9 */
	assert_int_equal(last[9], 1);
	assert_int_equal(last[2], 1);
	assert_int_equal(last[4], 1);
	free(last);
}

static void
latest_and_id_sets(void **state)
{
	struct bob_timeoff v[5];
	struct bob_timeoffs t = { v, 5 };
	struct bob_timeoffs none = { NULL, 0 };
	unsigned char *last;
	long long *ids;
	size_t n = 9;

	(void)state;
	last = toff_latest_flags(&none);
	assert_non_null(last);
	free(last);
	ids = toff_sorted_ids(NULL, &n);
	assert_int_equal(n, 0);
	assert_false(toff_ids_has(ids, n, 1));
	free(ids);

	memset(v, 0, sizeof v);
	v[0].request_id = 7;	/* created */
	v[1].request_id = 3;
	v[2].request_id = 7;	/* approved */
	v[3].request_id = 5;
	v[4].request_id = 7;	/* canceled: the latest */
	last = toff_latest_flags(&t);
	assert_int_equal(last[0], 0);
	assert_int_equal(last[1], 1);
	assert_int_equal(last[2], 0);
	assert_int_equal(last[3], 1);
	assert_int_equal(last[4], 1);
	free(last);
	ids = toff_sorted_ids(&t, &n);
	assert_int_equal(n, 5);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ids[4], 7);
	assert_true(toff_ids_has(ids, n, 5));
	assert_false(toff_ids_has(ids, n, 4));
	assert_false(toff_ids_has(ids, n, 8));
	free(ids);
}

/* ---- evaluation with given people and types ---- */

static const char people_json[] =
    "{\"people\":{"
    "\"p1\":{\"id\":\"p1\",\"agent_id\":\"a1\",\"email\":\"ann@x.test\",\"timezone\":\"Europe/Amsterdam\","
    "\"platforms\":{\"hibob\":\"101\"}},"
    "\"p2\":{\"id\":\"p2\",\"agent_id\":\"a2\",\"email\":\"Bob@X.test\",\"timezone\":\"America/New_York\"},"
    "\"p3\":{\"id\":\"p3\",\"agent_id\":\"a3\",\"email\":\"cy@x.test\"}},\"total\":3}";

static void
req(struct bob_timeoff *r, long long id, const char *emp, const char *email, const char *from,
    const char *to, enum toff_portion sp, enum toff_portion ep)
{
	memset(r, 0, sizeof *r);
	r->request_id = id;
	r->employee_id = (char *)emp;
	r->employee_email = (char *)email;
	r->policy_type = (char *)"Holiday";
	r->status = TOFF_APPROVED;
	r->type = TOFF_DAYS;
	snprintf(r->start_date, sizeof r->start_date, "%s", from);
	snprintf(r->end_date, sizeof r->end_date, "%s", to);
	r->start_portion = sp;
	r->end_portion = ep;
}

static void
eval_matching_and_zones(void **state)
{
	struct conf *c = conf_new();
	struct bs_session s;
	struct asm_people p = { 0 };
	struct asm_activity_types t = { 0 };
	struct toff_env *e;
	struct toff_target tg;
	struct bob_timeoff r;
	struct bs_error err = { 0 };
	int64_t ws = 1767225600, we = 1798761600;	/* 2026-01-01 .. 2027-01-01 */
	char iso[32];

	(void)state;
	memset(&s, 0, sizeof s);
	s.conf = c;
	assert_int_equal(asm_parse_people(people_json, strlen(people_json), &p, NULL, NULL, &err), BS_OK);
	assert_int_equal(asm_parse_activity_types(types_json, strlen(types_json), &t, &err), BS_OK);
	e = toff_env_new(&s, NULL);
	toff_env_set_assembled(e, &p, &t);

	assert_int_equal(toff_target_eval(e, NULL, ws, we, &tg, &err), BS_ERR_INVALID);

	/* platforms.hibob; Monday afternoon to Wednesday morning, Amsterdam */
	req(&r, 1, "101", NULL, "2026-03-02", "2026-03-04", TOFF_AFTERNOON, TOFF_MORNING);
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_SYNC);
	assert_string_equal(tg.person->agent_id, "a1");
	assert_string_equal(tg.match, "hibob id");
	assert_string_equal(tz_name(tg.zone), "Europe/Amsterdam");
	assert_string_equal(tg.type->id, "t3");
	assert_int_equal(tg.d.nevents, 1);
	tz_format_iso(tg.zone, tg.d.events[0].start, iso);
	assert_string_equal(iso, "2026-03-02T12:00:00+01:00");
	tz_format_iso(tg.zone, tg.d.events[0].end, iso);
	assert_string_equal(iso, "2026-03-04T12:00:00+01:00");
	toff_target_clear(&tg);

	/* case-folded email, the person's own zone */
	req(&r, 2, "202", "BOB@x.TEST", "2026-03-09", "2026-03-09", TOFF_ALL_DAY, TOFF_ALL_DAY);
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_SYNC);
	assert_string_equal(tg.person->agent_id, "a2");
	assert_string_equal(tg.match, "email");
	tz_format_iso(tg.zone, tg.d.events[0].start, iso);
	assert_string_equal(iso, "2026-03-09T00:00:00-04:00");	/* after the US DST change */
	toff_target_clear(&tg);

	/* no zone on the person: assembled.default_timezone (UTC) */
	req(&r, 3, "303", "cy@x.test", "2026-03-09", "2026-03-09", TOFF_ALL_DAY, TOFF_ALL_DAY);
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_string_equal(tz_name(tg.zone), "UTC");
	toff_target_clear(&tg);

	/* unmatched: reported with both keys, never guessed */
	req(&r, 4, "404", "dee@x.test", "2026-03-09", "2026-03-09", TOFF_ALL_DAY, TOFF_ALL_DAY);
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_NO_AGENT);
	assert_null(tg.person);
	assert_string_equal(toff_target_reason(&tg), "no Assembled person linked to HiBob id 404 or with the email dee@x.test");
	assert_int_equal(tg.d.nevents, 0);
	toff_target_clear(&tg);

	/* pending, canceled, declined: skipped with the reason, no agent needed */
	req(&r, 5, "404", NULL, "2026-03-09", "2026-03-09", TOFF_ALL_DAY, TOFF_ALL_DAY);
	r.status = TOFF_PENDING;
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_PENDING);
	assert_non_null(strstr(toff_target_reason(&tg), "pending"));
	toff_target_clear(&tg);
	r.status = TOFF_APPROVED;
	r.change_type = (char *)"Canceled";
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_CANCELED);
	toff_target_clear(&tg);
	r.change_type = NULL;
	r.status = TOFF_DISAPPROVED;
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_DECLINED);
	assert_string_equal(toff_why_name(tg.why), "declined");
	toff_target_clear(&tg);
	/* the feed reports a decline as a Canceled change: still declined */
	r.change_type = (char *)"Canceled";
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_DECLINED);
	assert_string_equal(toff_target_reason(&tg), "declined in HiBob");
	toff_target_clear(&tg);
	r.change_type = NULL;

	/* several parts: skipped with the type, whoever it is */
	req(&r, 6, "101", NULL, "2026-03-09", "2026-03-13", TOFF_PORTION_NONE, TOFF_PORTION_NONE);
	r.type = TOFF_PORTION_ON_RANGE;
	r.day_portion = TOFF_MORNING;
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_NOT_CONTIGUOUS);
	assert_non_null(strstr(toff_target_reason(&tg), "several separate parts"));
	toff_target_clear(&tg);
	/* ... but over one date it is one stretch: the request's one event */
	snprintf(r.end_date, sizeof r.end_date, "2026-03-09");
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_SYNC);
	assert_int_equal(tg.d.nevents, 1);
	assert_int_equal(tg.d.events[0].chunk, 0);
	assert_int_equal(tg.d.events[0].end - tg.d.events[0].start, 12 * 3600);
	toff_target_clear(&tg);

	/* outside the window */
	req(&r, 7, "101", NULL, "2025-06-01", "2025-06-02", TOFF_ALL_DAY, TOFF_ALL_DAY);
	assert_int_equal(toff_target_eval(e, &r, ws, we, &tg, &err), BS_OK);
	assert_int_equal(tg.why, TOFF_WHY_OUTSIDE);
	toff_target_clear(&tg);

	toff_env_free(&e);
	assert_null(e);
	asm_people_clear(&p);
	asm_activity_types_clear(&t);
	conf_free(&c);
}

/* ---- whole runs over loopback ---- */

static struct test_server srv;
static char tmpdir[256];

struct world {
	struct conf *conf;
	struct vault *vault;
	struct store *store;
	struct bs_session s;
};

static void
script(json_t *items)
{
	char *js = json_dumps(items, 0);
	char *r = test_http_post(srv.port, "/_script", js);

	assert_non_null(r);
	assert_non_null(strstr(r, "queued"));
	free(r);
	free(js);
	json_decref(items);
}

static void
reset_server(void)
{
	char *r = test_http_post(srv.port, "/_reset", "");
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

/* Requests in the log whose method and path start match. */
static size_t
count_calls(json_t *log, const char *method, const char *path_prefix)
{
	size_t i, n = 0;
	json_t *it;

	json_array_foreach(log, i, it) {
		const char *m = json_string_value(json_object_get(it, "method"));
		const char *p = json_string_value(json_object_get(it, "path"));
		if ((method == NULL || str_eq(m, method)) && p && str_starts(p, path_prefix))
			n++;
	}
	return n;
}

static json_t *
item(const char *path, json_t *body)
{
	char *b = json_dumps(body, 0);
	json_t *j = json_pack("{s:s, s:s}", "path", path, "body", b);

	free(b);
	json_decref(body);
	return j;
}

static json_t *
item_text(const char *path, const char *body)
{
	return json_pack("{s:s, s:s}", "path", path, "body", body);
}

#define EMPTY_LIST "{\"activities\":{}}"
/* The reconciliation's schedule reads: one listing per time-off type of
 * types_json (3) for every agent, in 31-day slices of the window
 * 2026-01-30 .. 2027-03-02 (396 days: 13). */
#define NLISTINGS (3 * 13)

/* n answers of path with body, appended to items; items returned. */
static json_t *
add_n(json_t *items, size_t n, const char *path, const char *body)
{
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, item_text(path, body));
	return items;
}

static json_t *
hibob_req(long long id, const char *emp, const char *status, const char *from, const char *to,
    const char *change)
{
	json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "employeeId", emp, "employeeDisplayName", "Someone", "requestId", (json_int_t)id,
	    "policyTypeDisplayName", "Holiday", "status", status, "type", "days",
	    "startDate", from, "startPortion", "all_day", "endDate", to, "endPortion", "all_day");
	if (change)
		json_object_set_new(j, "changeType", json_string(change));
	return j;
}

/* A changes-feed item as HiBob's schema has it: no status, no chain ids. */
static json_t *
change_item(long long id, const char *emp, const char *from, const char *to, const char *change)
{
	json_t *j = hibob_req(id, emp, "approved", from, to, change);

	json_object_del(j, "status");
	return j;
}

/* The answer of GET /timeoff/employees/{emp}/requests/{id}: the current
 * state, with the chain ids (0: none). */
static json_t *
detail_item(long long id, const char *emp, const char *status, const char *from, const char *to,
    long long previous, long long original)
{
	char path[96];
	json_t *j = hibob_req(id, emp, status, from, to, NULL);

	json_object_set_new(j, "approved", json_boolean(str_eq(status, "approved")));
	json_object_set_new(j, "previousRequestId", previous ? json_integer(previous) : json_null());
	json_object_set_new(j, "originalRequestId", original ? json_integer(original) : json_null());
	snprintf(path, sizeof path, "/v1/timeoff/employees/%s/requests/%lld", emp, id);
	return item(path, j);
}

static json_t *
detail_status(long long id, const char *emp, int status)
{
	char path[96];

	snprintf(path, sizeof path, "/v1/timeoff/employees/%s/requests/%lld", emp, id);
	return json_pack("{s:s, s:i, s:s}", "path", path, "status", status, "body",
	    "{\"error\":\"x\"}");
}

static json_t *
wrap(const char *key, json_t *list)
{
	return json_pack("{s:o}", key, list);
}

static const char people_body[] =
    "{\"people\":{"
    "\"p1\":{\"id\":\"p1\",\"agent_id\":\"a1\",\"email\":\"ann@x.test\",\"timezone\":\"Europe/Amsterdam\","
    "\"platforms\":{\"hibob\":\"101\"}},"
    "\"p2\":{\"id\":\"p2\",\"agent_id\":\"a2\",\"email\":\"bob@x.test\",\"timezone\":\"Europe/Amsterdam\","
    "\"platforms\":{\"hibob\":\"202\"}}},\"total\":2}";

static void
world_open(struct world *w)
{
	char url[128], key[300], vpath[300];
	struct vault_unlock how = { NULL, key };
	struct bs_error err = { 0 };

	memset(w, 0, sizeof *w);
	setenv("BOBSYNC_FAKE_NOW", NOW, 1);
	w->conf = conf_new();
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", srv.port);
	assert_int_equal(conf_set(w->conf, "hibob.base_url", url, &err), BS_OK);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v0", srv.port);
	assert_int_equal(conf_set(w->conf, "assembled.base_url", url, &err), BS_OK);
	assert_int_equal(conf_set(w->conf, "assembled.enabled", "true", &err), BS_OK);
	snprintf(key, sizeof key, "%s/vault.key", tmpdir);
	snprintf(vpath, sizeof vpath, "%s/vault", tmpdir);
	unlink(key);
	assert_int_equal(vault_create(vpath, &how, &w->vault, &err), BS_OK);
	assert_int_equal(vault_set(w->vault, VAULT_HIBOB_ID, "SERVICE-USER-1", 1, &err), BS_OK);
	assert_int_equal(vault_set(w->vault, VAULT_HIBOB_TOKEN, "hibob-token-abcdef", 1, &err), BS_OK);
	assert_int_equal(vault_set(w->vault, VAULT_ASSEMBLED_KEY, "sk_live_engine_test", 1, &err), BS_OK);
	assert_int_equal(store_open(":memory:", &w->store, &err), BS_OK);
	session_init(&w->s, w->conf, w->vault, w->store, NULL);
	reset_server();
}

static void
world_close(struct world *w)
{
	session_close(&w->s);
	store_close(&w->store);
	vault_close(&w->vault);
	conf_free(&w->conf);
	log_forget_secrets();
	unsetenv("BOBSYNC_FAKE_NOW");
}

static bs_rc
run(struct world *w, const char *kind, const char *approve, struct sync_result *r,
    struct bs_error *err)
{
	struct sync_opts o = { 0 };

	o.kind = kind;
	o.approve = approve;
	memset(err, 0, sizeof *err);
	return toff_sync(&w->s, &o, r, err);
}

/* The first run: no cursor, so the whole window is reconciled. */
static void
first_run_reconciles(struct world *w)
{
	struct sync_result r;
	struct bs_error err = { 0 };
	struct toff_event_rows rows;
	json_t *log, *outs = json_array(), *items, *it;
	int64_t cur = 0;
	int have = 0;
	size_t i;

	json_array_append_new(outs, hibob_req(1, "101", "approved", "2026-03-02", "2026-03-03", NULL));
	json_array_append_new(outs, hibob_req(2, "202", "approved", "2026-03-10", "2026-03-10", NULL));
	json_array_append_new(outs, hibob_req(3, "999", "approved", "2026-03-11", "2026-03-11", NULL));
	items = json_pack("[o, o, o, o, o, o, o]",
	    item("/v1/timeoff/whosout", wrap("outs", outs)),
	    /* the feed of the last year, in windows of at most 6 months */
	    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
	    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
	    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
	    item_text("/v0/people", people_body),
	    item_text("/v0/activity_types", types_json),
	    item_text("/v1/people/search", "{\"employees\":[{\"id\":\"999\",\"email\":\"zed@x.test\"}]}"));
	add_n(items, NLISTINGS, "/v0/activities", EMPTY_LIST);
	add_n(items, 1, "/v0/activities", "{\"id\":\"act-1\"}");
	script(add_n(items, 1, "/v0/activities", "{\"id\":\"act-2\"}"));
	assert_int_equal(run(w, "sync", NULL, &r, &err), BS_OK);
	assert_string_equal(r.result, "ok");
	assert_int_equal(r.applied, 2);
	assert_int_equal(r.failed, 0);
	assert_non_null(strstr(r.message, "first run"));

	log = server_log();
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/whosout"), 1);
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/requests/changes"), 3);
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 0);	/* nothing deleted */
	/* per time-off type and 31-day slice, for every agent at once */
	assert_int_equal(count_calls(log, "GET", "/v0/activities"), NLISTINGS);
	json_array_foreach(log, i, it) {
		const char *q = json_string_value(json_object_get(it, "query"));
		if (!str_eq(json_string_value(json_object_get(it, "method")), "GET") ||
		    !str_eq(json_string_value(json_object_get(it, "path")), "/v0/activities"))
			continue;
		assert_non_null(strstr(q, "types=t"));
		assert_non_null(strstr(q, "limit=500&offset=0"));
		assert_null(strstr(q, "agents"));
	}
	json_decref(log);

	assert_int_equal(store_toff_events_list(w->store, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 2);
	assert_int_equal(rows.v[0].request_id, 1);
	assert_string_equal(rows.v[0].agent_id, "a1");
	assert_string_equal(rows.v[0].type_id, "t3");
	assert_int_equal(rows.v[0].start, 1772406000);	/* 2026-03-02T00:00+01:00 */
	assert_int_equal(rows.v[0].end, 1772578800);	/* 2026-03-04T00:00+01:00 */
	toff_event_rows_clear(&rows);
	assert_int_equal(store_toff_cursor_get(w->store, &cur, &have, &err), BS_OK);
	assert_true(have);
	assert_int_equal(cur, 1772359200);
}

static void
run_first_then_quiet_feed(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	json_t *log, *ch = json_array(), *b;
	struct plan p;

	(void)state;
	world_open(&w);
	first_run_reconciles(&w);

	/* what the creates carried */
	log = server_log();
	{
		size_t i, k = 0;
		json_t *it;
		json_array_foreach(log, i, it) {
			if (!str_eq(json_string_value(json_object_get(it, "method")), "POST") ||
			    !str_eq(json_string_value(json_object_get(it, "path")), "/v0/activities"))
				continue;
			b = json_loads(json_string_value(json_object_get(it, "body")), 0, NULL);
			assert_non_null(b);
			assert_true(json_is_true(json_object_get(b, "allow_conflicts")));
			assert_non_null(strstr(json_string_value(json_object_get(b, "description")),
			    k == 0 ? "hibob:1" : "hibob:2"));
			json_decref(b);
			k++;
		}
		assert_int_equal(k, 2);
	}
	json_decref(log);

	/* the feed names both (changes the first read did not show yet): each
	 * is read once, as it is now; nothing changed, so nothing is planned */
	reset_server();
	json_array_append_new(ch, change_item(2, "202", "2026-03-10", "2026-03-10", "Created"));
	json_array_append_new(ch, change_item(1, "101", "2026-03-02", "2026-03-03", "Created"));
	script(json_pack("[o, o, o, o, o]", item("/v1/timeoff/requests/changes",
	    wrap("changes", json_deep_copy(ch))),
	    detail_item(1, "101", "approved", "2026-03-02", "2026-03-03", 0, 0),
	    detail_item(2, "202", "approved", "2026-03-10", "2026-03-10", 0, 0),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json)));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.planned, 0);
	log = server_log();
	assert_int_equal(count_calls(log, NULL, "/v1/"), 3);
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/employees/101/requests/1"), 1);
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/employees/202/requests/2"), 1);
	assert_int_equal(count_calls(log, "POST", "/v0/"), 0);
	json_decref(log);

	/* the overlap returns both again: seen already, so one HiBob call and
	 * none to Assembled */
	reset_server();
	script(json_pack("[o]", item("/v1/timeoff/requests/changes", wrap("changes", ch))));
	memset(&p, 0, sizeof p);
	assert_int_equal(toff_plan_now(&w.s, 0, NULL, NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, 0);
	plan_clear(&p);
	log = server_log();
	assert_int_equal(json_array_size(log), 1);
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/requests/changes"), 1);
	assert_int_equal(count_calls(log, NULL, "/v0/"), 0);
	/* since = cursor less the 10-minute overlap */
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log, 0), "query")),
	    "since=2026-03-01T09%3A50%3A00Z"));
	json_decref(log);

	reset_server();
	script(json_pack("[{s:s, s:s}]", "path", "/v1/timeoff/requests/changes", "body", "{\"changes\":[]}"));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.applied, 0);
	log = server_log();
	assert_int_equal(json_array_size(log), 1);
	json_decref(log);
	world_close(&w);
}

static void
run_cancel_edit_and_approval(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct toff_event_rows rows;
	json_t *log, *ch;

	(void)state;
	world_open(&w);
	first_run_reconciles(&w);

	/* request 1 canceled: its state read once, one delete by id, no people read */
	reset_server();
	ch = json_array();
	json_array_append_new(ch, change_item(1, "101", "2026-03-02", "2026-03-03", "Canceled"));
	script(json_pack("[o, o, o, o]", item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    detail_item(1, "101", "canceled", "2026-03-02", "2026-03-03", 0, 0),
	    item_text("/v0/activities/bulk", "{\"activities\":{}}"),
	    item_text("/v0/activities", EMPTY_LIST)));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.applied, 1);
	log = server_log();
	assert_int_equal(count_calls(log, NULL, "/v1/"), 2);
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 1);
	/* then the agent's days are listed: gone */
	assert_int_equal(count_calls(log, "GET", "/v0/activities"), 1);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log, 3), "query")),
	    "agents=a1"));
	assert_int_equal(count_calls(log, NULL, "/v0/people"), 0);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log, 2), "body")),
	    "\"act-1\""));
	json_decref(log);
	assert_int_equal(store_toff_events_of(w.store, 1, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 0);
	toff_event_rows_clear(&rows);

	/* request 2 edited into request 5 (new dates): create the new, then
	 * delete the old, one action; the old one's own cancellation adds nothing */
	/* the feed has no chain ids (the new request first here): the link
	 * comes from request 5's details */
	reset_server();
	ch = json_array();
	json_array_append_new(ch, change_item(5, "202", "2026-03-12", "2026-03-13", "Created"));
	json_array_append_new(ch, change_item(2, "202", "2026-03-10", "2026-03-10", "Canceled"));
	script(json_pack("[o, o, o, o, o, o, o, o]", item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    detail_item(2, "202", "canceled", "2026-03-10", "2026-03-10", 0, 0),
	    detail_item(5, "202", "approved", "2026-03-12", "2026-03-13", 2, 2),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json),
	    item_text("/v0/activities", "{\"id\":\"act-5\"}"),
	    item_text("/v0/activities/bulk", "{\"activities\":{}}"),
	    item_text("/v0/activities", EMPTY_LIST)));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.planned, 1);
	assert_int_equal(r.applied, 1);
	log = server_log();
	assert_int_equal(count_calls(log, NULL, "/v1/"), 3);	/* the feed and two details */
	assert_int_equal(count_calls(log, "POST", "/v0/activities"), 2);	/* create + bulk */
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 1);
	/* create first, then delete */
	assert_string_equal(json_string_value(json_object_get(json_array_get(log, 5), "path")),
	    "/v0/activities");
	assert_string_equal(json_string_value(json_object_get(json_array_get(log, 6), "path")),
	    "/v0/activities/bulk");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log, 6), "body")),
	    "\"act-2\""));
	json_decref(log);
	assert_int_equal(store_toff_events_list(w.store, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 1);
	assert_int_equal(rows.v[0].request_id, 5);
	assert_string_equal(rows.v[0].activity_id, "act-5");
	toff_event_rows_clear(&rows);
	world_close(&w);
}

/* The feed only says which requests changed: each request id is read
 * once whatever its items say or their order (issue 12, point 1). */
static void
run_feed_is_only_a_signal(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct toff_event_rows rows;
	json_t *log, *ch;
	int64_t cur0 = 0, cur1 = 0;
	int have = 0;

	(void)state;
	world_open(&w);
	first_run_reconciles(&w);

	/* approved, then canceled before this poll: no event, whatever the
	 * order of its two items (request 6 canceled item first, 7 last) */
	reset_server();
	ch = json_array();
	json_array_append_new(ch, change_item(6, "101", "2026-03-05", "2026-03-05", "Canceled"));
	json_array_append_new(ch, change_item(6, "101", "2026-03-05", "2026-03-05", "Created"));
	json_array_append_new(ch, change_item(7, "101", "2026-03-06", "2026-03-06", "Created"));
	json_array_append_new(ch, change_item(7, "101", "2026-03-06", "2026-03-06", "Canceled"));
	script(json_pack("[o, o, o]", item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    detail_item(6, "101", "canceled", "2026-03-05", "2026-03-05", 0, 0),
	    detail_item(7, "101", "canceled", "2026-03-06", "2026-03-06", 0, 0)));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.planned, 0);
	log = server_log();
	assert_int_equal(count_calls(log, NULL, "/v1/"), 3);	/* 1 + 2 requests */
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/employees/101/requests/6"), 1);
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/employees/101/requests/7"), 1);
	assert_int_equal(count_calls(log, NULL, "/v0/"), 0);
	json_decref(log);

	/* an approval whose items have no status (listed twice): read once,
	 * created */
	reset_server();
	ch = json_array();
	json_array_append_new(ch, change_item(8, "101", "2026-03-09", "2026-03-09", "Created"));
	json_array_append_new(ch, change_item(8, "101", "2026-03-09", "2026-03-09", "Created"));
	script(json_pack("[o, o, o, o, o]", item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    detail_item(8, "101", "approved", "2026-03-09", "2026-03-09", 0, 0),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json),
	    item_text("/v0/activities", "{\"id\":\"act-8\"}")));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.applied, 1);
	log = server_log();
	assert_int_equal(count_calls(log, NULL, "/v1/"), 2);
	assert_int_equal(count_calls(log, "POST", "/v0/activities"), 1);
	json_decref(log);
	assert_int_equal(store_toff_events_of(w.store, 8, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 1);
	toff_event_rows_clear(&rows);

	/* a request whose details answer 404 is deleted, whatever its items say */
	reset_server();
	ch = json_array();
	json_array_append_new(ch, change_item(2, "202", "2026-03-10", "2026-03-10", "Created"));
	script(json_pack("[o, o, o, o]", item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    detail_status(2, "202", 404), item_text("/v0/activities/bulk", "{\"activities\":{}}"),
	    item_text("/v0/activities", EMPTY_LIST)));	/* the delete confirmed by a listing */
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.applied, 1);
	log = server_log();
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 1);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log, 2), "body")),
	    "\"act-2\""));
	json_decref(log);
	assert_int_equal(store_toff_events_of(w.store, 2, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 0);
	toff_event_rows_clear(&rows);

	/* details refused and no status in the feed: the run stops, nothing
	 * is sent and the cursor stays, so the next run reads it again */
	assert_int_equal(store_toff_cursor_get(w.store, &cur0, &have, &err), BS_OK);
	assert_int_equal(store_toff_cursor_set(w.store, cur0 - 60, 1, &err), BS_OK);
	reset_server();
	ch = json_array();
	json_array_append_new(ch, change_item(9, "101", "2026-03-11", "2026-03-11", "Created"));
	script(json_pack("[o, o]", item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    detail_status(9, "101", 403)));
	assert_int_not_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_non_null(strstr(err.detail, "request 9"));
	log = server_log();
	assert_int_equal(count_calls(log, NULL, "/v0/"), 0);
	json_decref(log);
	assert_int_equal(store_toff_cursor_get(w.store, &cur1, &have, &err), BS_OK);
	assert_int_equal(cur1, cur0 - 60);

	/* ... but when the items carry a status (an older feed), that is used */
	reset_server();
	ch = json_array();
	json_array_append_new(ch, hibob_req(9, "101", "approved", "2026-03-11", "2026-03-11", "Created"));
	script(json_pack("[o, o, o, o, o]", item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    detail_status(9, "101", 403),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json),
	    item_text("/v0/activities", "{\"id\":\"act-9\"}")));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.applied, 1);
	world_close(&w);
}

/* An edit is found from the new request's details, also when it was
 * edited twice between two polls (A -> B -> C: B never had an event). */
static void
run_edit_chain_from_details(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct toff_event_rows rows;
	json_t *log, *ch;

	(void)state;
	world_open(&w);
	first_run_reconciles(&w);
	reset_server();
	ch = json_array();
	json_array_append_new(ch, change_item(11, "101", "2026-03-04", "2026-03-04", "Created"));
	json_array_append_new(ch, change_item(10, "101", "2026-03-03", "2026-03-03", "Canceled"));
	json_array_append_new(ch, change_item(1, "101", "2026-03-02", "2026-03-03", "Canceled"));
	json_array_append_new(ch, change_item(10, "101", "2026-03-03", "2026-03-03", "Created"));
	script(json_pack("[o, o, o, o, o, o, o, o, o]", item("/v1/timeoff/requests/changes",
	    wrap("changes", ch)),
	    detail_item(1, "101", "canceled", "2026-03-02", "2026-03-03", 0, 0),
	    detail_item(10, "101", "canceled", "2026-03-03", "2026-03-03", 1, 1),
	    detail_item(11, "101", "approved", "2026-03-04", "2026-03-04", 10, 1),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json),
	    item_text("/v0/activities", "{\"id\":\"act-11\"}"),
	    item_text("/v0/activities/bulk", "{\"activities\":{}}"),
	    item_text("/v0/activities", EMPTY_LIST)));	/* the delete confirmed by a listing */
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.planned, 1);		/* one replace */
	assert_int_equal(r.applied, 1);
	log = server_log();
	assert_int_equal(count_calls(log, NULL, "/v1/"), 4);
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 1);
	json_decref(log);
	assert_int_equal(store_toff_events_of(w.store, 1, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 0);
	toff_event_rows_clear(&rows);
	assert_int_equal(store_toff_events_of(w.store, 11, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.v[0].activity_id, "act-11");
	toff_event_rows_clear(&rows);
	world_close(&w);
}

static void
run_guard_blocks_mass_cancellation(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	json_t *ch, *log;
	char plan_id[PLAN_ID_LEN + 1];
	struct toff_event_row row;

	(void)state;
	world_open(&w);
	/* four synced events, a cursor */
	for (int i = 1; i <= 4; i++) {
		char act[16];
		snprintf(act, sizeof act, "act-%d", i);
		memset(&row, 0, sizeof row);
		row.request_id = i;
		row.employee_id = (char *)"101";
		row.agent_id = (char *)"a1";
		row.activity_id = act;
		row.type_id = (char *)"t3";
		row.start = 1772406000 + i * 86400 * 7;
		row.end = row.start + 86400;
		assert_int_equal(store_toff_event_put(w.store, &row, 1, &err), BS_OK);
	}
	assert_int_equal(store_toff_cursor_set(w.store, 1772359200 - 300, 1, &err), BS_OK);
	/* four of four is a mass deletion once above the count */
	assert_int_equal(conf_set(w.conf, "guard.timeoff_max_removals", "3", &err), BS_OK);

	ch = json_array();
	for (int i = 1; i <= 4; i++)
		json_array_append_new(ch, change_item(i, "101", "2026-03-09", "2026-03-09", "Canceled"));
	script(json_pack("[o, o, o, o, o]", item("/v1/timeoff/requests/changes",
	    wrap("changes", json_deep_copy(ch))), detail_status(1, "101", 404),
	    detail_status(2, "101", 404), detail_status(3, "101", 404), detail_status(4, "101", 404)));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_ERR_GUARD);
	assert_string_equal(r.result, "blocked");
	assert_true(r.guard.tripped);
	assert_int_equal(r.guard.removals, 4);
	assert_non_null(strstr(err.detail, "--approve"));
	snprintf(plan_id, sizeof plan_id, "%s", r.plan_id);
	log = server_log();
	assert_int_equal(count_calls(log, NULL, "/v0/"), 0);	/* nothing sent */
	json_decref(log);
	assert_int_equal(store_toff_events_count(w.store), 4);

	/* approving another plan id: refused as stale */
	reset_server();
	script(json_pack("[o, o, o, o, o]", item("/v1/timeoff/requests/changes",
	    wrap("changes", json_deep_copy(ch))), detail_status(1, "101", 404),
	    detail_status(2, "101", 404), detail_status(3, "101", 404), detail_status(4, "101", 404)));
	assert_int_equal(run(&w, "sync", "0123456789abcdef", &r, &err), BS_ERR_STALE_PLAN);

	/* approving this plan: applied, once */
	reset_server();
	/* the last delete is refused, but the event is not listed: gone already */
	script(add_n(json_pack("[o, o, o, o, o, o, o, o, o]", item("/v1/timeoff/requests/changes",
	    wrap("changes", json_deep_copy(ch))), detail_status(1, "101", 404),
	    detail_status(2, "101", 404), detail_status(3, "101", 404), detail_status(4, "101", 404),
	    item_text("/v0/activities/bulk", "{}"), item_text("/v0/activities/bulk", "{}"),
	    item_text("/v0/activities/bulk", "{}"),
	    json_pack("{s:s, s:i, s:s}", "path", "/v0/activities/bulk", "status", 404, "body", "{}")),
	    4, "/v0/activities", EMPTY_LIST));
	assert_int_equal(run(&w, "sync", plan_id, &r, &err), BS_OK);
	assert_int_equal(r.applied, 4);
	assert_true(r.guard.approved);
	assert_int_equal(store_toff_events_count(w.store), 0);
	log = server_log();
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 4);
	json_decref(log);
	assert_int_equal(store_approval_used(w.store, plan_id), 1);
	json_decref(ch);
	world_close(&w);
}

/* assembled.allow_conflicts=false: a new event overlapping request 1's
 * makes request 1's again (allowed conflicts) right after, then deletes
 * the old id, so both requests keep an event. */
static void
run_overlap_keeps_both_events(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct toff_event_rows rows;
	struct plan p;
	json_t *log, *ch, *b;

	(void)state;
	world_open(&w);
	first_run_reconciles(&w);
	assert_int_equal(conf_set(w.conf, "assembled.allow_conflicts", "false", &err), BS_OK);
	ch = json_array();
	json_array_append_new(ch, change_item(7, "101", "2026-03-03", "2026-03-04", "Created"));

	/* the plan says so */
	reset_server();
	script(json_pack("[o, o, o, o]", item("/v1/timeoff/requests/changes", wrap("changes", json_deep_copy(ch))),
	    detail_item(7, "101", "approved", "2026-03-03", "2026-03-04", 0, 0),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json)));
	memset(&p, 0, sizeof p);
	assert_int_equal(toff_plan_now(&w.s, 0, NULL, NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.v[0].op, PLAN_CREATE);
	assert_non_null(strstr(p.v[0].reason, "overlaps request #1 of the same agent"));
	plan_clear(&p);

	reset_server();
	script(json_pack("[o, o, o, o, o, o, o, o]", item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    detail_item(7, "101", "approved", "2026-03-03", "2026-03-04", 0, 0),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json),
	    item_text("/v0/activities", "{\"id\":\"act-7\"}"),
	    item_text("/v0/activities", "{\"id\":\"act-1b\"}"),
	    item_text("/v0/activities/bulk", "{\"activities\":{}}"),
	    item_text("/v0/activities", EMPTY_LIST)));	/* the old id is gone */
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.applied, 1);
	log = server_log();
	assert_int_equal(json_array_size(log), 8);
	/* the new event first, conflicts not allowed */
	b = json_loads(json_string_value(json_object_get(json_array_get(log, 4), "body")), 0, NULL);
	assert_non_null(strstr(json_string_value(json_object_get(b, "description")), "hibob:7"));
	assert_true(json_is_false(json_object_get(b, "allow_conflicts")));
	json_decref(b);
	/* then request 1's again, conflicts allowed */
	b = json_loads(json_string_value(json_object_get(json_array_get(log, 5), "body")), 0, NULL);
	assert_non_null(strstr(json_string_value(json_object_get(b, "description")), "hibob:1"));
	assert_true(json_is_true(json_object_get(b, "allow_conflicts")));
	json_decref(b);
	/* then its old id deleted, and the deletion confirmed by a listing */
	assert_string_equal(json_string_value(json_object_get(json_array_get(log, 6), "path")),
	    "/v0/activities/bulk");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log, 6), "body")),
	    "\"act-1\""));
	json_decref(log);
	assert_int_equal(store_toff_events_of(w.store, 1, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.v[0].activity_id, "act-1b");
	toff_event_rows_clear(&rows);
	assert_int_equal(store_toff_events_of(w.store, 7, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.v[0].activity_id, "act-7");
	toff_event_rows_clear(&rows);
	world_close(&w);
}

/* A person who left (Inactive, termination date 2026-03-05), not in
 * who's out: the reconciliation keeps the approved request before the
 * termination date (made) and removes the event of the one after it. */
static void
run_reconcile_leaver(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct toff_event_rows rows;
	struct toff_event_row row;
	json_t *log, *ch = json_array();

	(void)state;
	world_open(&w);
	memset(&row, 0, sizeof row);
	row.request_id = 8;
	row.employee_id = (char *)"101";
	row.agent_id = (char *)"a1";
	row.activity_id = (char *)"act-8";
	row.type_id = (char *)"t3";
	row.start = 1773010800;		/* 2026-03-09 in Amsterdam */
	row.end = row.start + 86400;
	assert_int_equal(store_toff_event_put(w.store, &row, 1, &err), BS_OK);
	/* the feed has no status: each request who's out does not list is read */
	json_array_append_new(ch, change_item(8, "101", "2026-03-09", "2026-03-09", "Created"));
	json_array_append_new(ch, change_item(9, "101", "2026-03-02", "2026-03-03", "Created"));
	{
		json_t *items = json_pack("[o, o, o, o, o, o, o, o, o]",
		    item_text("/v1/timeoff/whosout", "{\"outs\":[]}"),
		    item("/v1/timeoff/requests/changes", wrap("changes", ch)),
		    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
		    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
		    detail_item(8, "101", "approved", "2026-03-09", "2026-03-09", 0, 0),
		    detail_item(9, "101", "approved", "2026-03-02", "2026-03-03", 0, 0),
		    item_text("/v0/people", people_body),
		    item_text("/v0/activity_types", types_json),
		    item_text("/v1/people/search", "{\"employees\":[{\"id\":\"101\",\"email\":"
		    "\"ann@x.test\",\"internal\":{\"status\":\"Inactive\",\"lifecycleStatus\":"
		    "\"Terminated\",\"terminationDate\":\"2026-03-05\"}}]}"));
		/* every slice of the schedules shows act-8 (kept once); then the
		 * create of request 9 and the listing that confirms act-8 gone */
		add_n(items, NLISTINGS, "/v0/activities", "{\"activities\":{\"act-8-1\":{\"id\":"
		    "\"act-8\",\"agent_id\":\"a1\",\"type_id\":\"t3\",\"start_time\":1773010800,"
		    "\"end_time\":1773097200,\"description\":\"HiBob time off #8 (Holiday) hibob:8\"}}}");
		add_n(items, 1, "/v0/activities", "{\"id\":\"act-9\"}");
		add_n(items, 1, "/v0/activities/bulk", "{\"activities\":{}}");
		script(add_n(items, 1, "/v0/activities", EMPTY_LIST));
	}
	assert_int_equal(run(&w, "reconcile", NULL, &r, &err), BS_OK);
	assert_int_equal(r.applied, 2);
	log = server_log();
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 1);
	json_decref(log);
	assert_int_equal(store_toff_events_of(w.store, 8, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 0);
	toff_event_rows_clear(&rows);
	assert_int_equal(store_toff_events_of(w.store, 9, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 1);
	toff_event_rows_clear(&rows);
	world_close(&w);
}

static void
run_killed_create_is_adopted(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct store_action sa;
	int64_t run_id, aid;
	json_t *ch, *log;
	struct toff_event_rows rows;

	(void)state;
	world_open(&w);
	assert_int_equal(store_toff_cursor_set(w.store, 1772359200 - 300, 1, &err), BS_OK);
	/* a run journaled a create, sent it, and was killed before recording it */
	assert_int_equal(store_run_start(w.store, "timeoff", "sync", "x", 1, &run_id, &err), BS_OK);
	memset(&sa, 0, sizeof sa);
	sa.run_id = run_id;
	sa.target = (char *)"assembled";
	sa.op = (char *)"create";
	sa.subject = (char *)"7";
	sa.after = (char *)"{\"request_id\":7,\"employee_id\":\"101\",\"agent_id\":\"a1\","
	    "\"type_id\":\"t3\",\"events\":[{\"chunk\":0,\"start\":1772406000,\"end\":1772492400}]}";
	sa.state = (char *)"pending";
	assert_int_equal(store_action_add(w.store, &sa, 1, &aid, &err), BS_OK);

	ch = json_array();
	json_array_append_new(ch, change_item(7, "101", "2026-03-02", "2026-03-02", "Created"));
	script(json_pack("[o, o, o, o, o, o]",
	    detail_item(7, "101", "approved", "2026-03-02", "2026-03-02", 0, 0),
	    item_text("/v0/activities", "{\"activities\":{\"k\":{\"id\":\"act-7\",\"agent_id\":\"a1\","
	    "\"type_id\":\"t3\",\"start_time\":1772406000,\"end_time\":1772492400,"
	    "\"description\":\"HiBob time off #7 (Holiday) hibob:7\"}}}"),
	    item_text("/v0/activities", EMPTY_LIST),
	    item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json)));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.planned, 0);		/* found and linked: nothing to create */
	log = server_log();
	assert_int_equal(count_calls(log, "POST", "/v0/"), 0);
	json_decref(log);
	assert_int_equal(store_toff_events_of(w.store, 7, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.v[0].activity_id, "act-7");
	toff_event_rows_clear(&rows);
	world_close(&w);
}

/* A replace killed after the new event was created and recorded, before
 * the old one was deleted: the next run deletes the old one, creates
 * nothing. */
static void
run_killed_replace_finishes_delete(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct store_action sa;
	struct toff_event_row row;
	struct toff_event_rows rows;
	struct store_action *left = NULL;
	size_t nleft = 9;
	int64_t run_id, aid;
	json_t *ch, *log;

	(void)state;
	world_open(&w);
	assert_int_equal(store_toff_cursor_set(w.store, 1772359200 - 300, 1, &err), BS_OK);
	memset(&row, 0, sizeof row);
	row.request_id = 7;
	row.employee_id = (char *)"101";
	row.agent_id = (char *)"a1";
	row.activity_id = (char *)"act-new";
	row.type_id = (char *)"t3";
	row.start = 1772406000;
	row.end = 1772492400;
	assert_int_equal(store_toff_event_put(w.store, &row, 1, &err), BS_OK);
	assert_int_equal(store_run_start(w.store, "timeoff", "sync", "x", 1, &run_id, &err), BS_OK);
	memset(&sa, 0, sizeof sa);
	sa.run_id = run_id;
	sa.target = (char *)"assembled";
	sa.op = (char *)"replace";
	sa.subject = (char *)"7";
	sa.after = (char *)"{\"request_id\":7,\"employee_id\":\"101\",\"agent_id\":\"a1\","
	    "\"type_id\":\"t3\",\"events\":[{\"chunk\":0,\"start\":1772406000,\"end\":1772492400}],"
	    "\"delete\":[\"act-old\"]}";
	sa.state = (char *)"pending";
	assert_int_equal(store_action_add(w.store, &sa, 1, &aid, &err), BS_OK);

	ch = json_array();
	json_array_append_new(ch, change_item(7, "101", "2026-03-02", "2026-03-02", "Created"));
	/* the listing of the new event (read to an empty page), the delete of
	 * the old one, then its check: no "before" rows kept, so the agent's
	 * whole window (13 slices) */
	script(add_n(json_pack("[o, o, o, o, o, o, o]",
	    detail_item(7, "101", "approved", "2026-03-02", "2026-03-02", 0, 0),
	    item_text("/v0/activities", "{\"activities\":{\"k\":{\"id\":\"act-new\",\"agent_id\":\"a1\","
	    "\"type_id\":\"t3\",\"start_time\":1772406000,\"end_time\":1772492400,"
	    "\"description\":\"HiBob time off #7 (Holiday) hibob:7\"}}}"),
	    item_text("/v0/activities", EMPTY_LIST),
	    item_text("/v0/activities/bulk", "{\"activities\":{}}"),
	    item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json)),
	    13, "/v0/activities", EMPTY_LIST));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.planned, 0);
	log = server_log();
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 1);	/* the old one */
	assert_int_equal(count_calls(log, "POST", "/v0/activities"), 1);	/* that bulk only */
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log, 2), "body")),
	    "act-old"));
	json_decref(log);
	assert_int_equal(store_toff_events_of(w.store, 7, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.v[0].activity_id, "act-new");
	toff_event_rows_clear(&rows);
	assert_int_equal(store_actions_unfinished(w.store, "assembled", &left, &nleft, &err), BS_OK);
	assert_int_equal(nleft, 0);	/* resolved */
	store_actions_free(left, nleft);
	world_close(&w);
}

/* Who's out lists active employees only: an approved request the feed
 * shows for someone else still syncs; the feed's other states are
 * remembered.  A policy mapped to a missing type holds, never deletes. */
static void
run_reconcile_reads_feed(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct toff_event_row row;
	struct toff_request_row rec;
	struct toff_event_rows rows;
	json_t *outs = json_array(), *ch = json_array(), *x, *log;

	(void)state;
	world_open(&w);
	assert_int_equal(conf_set(w.conf, "assembled.policy_map", "Holiday=Nope", &err), BS_OK);
	memset(&row, 0, sizeof row);
	row.request_id = 1;
	row.employee_id = (char *)"101";
	row.agent_id = (char *)"a1";
	row.activity_id = (char *)"act-1";
	row.type_id = (char *)"t3";
	row.start = 1772406000;
	row.end = 1772578800;
	assert_int_equal(store_toff_event_put(w.store, &row, 1, &err), BS_OK);

	json_array_append_new(outs, hibob_req(1, "101", "approved", "2026-03-02", "2026-03-03", NULL));
	x = change_item(8, "202", "2026-03-16", "2026-03-16", "Created");
	json_object_set_new(x, "policyTypeDisplayName", json_string("Sick"));
	json_array_append_new(ch, x);
	json_array_append_new(ch, change_item(9, "202", "2026-03-17", "2026-03-17", "Canceled"));
	/* out of the window: never read */
	json_array_append_new(ch, change_item(12, "202", "2025-03-17", "2025-03-17", "Created"));
	x = detail_item(8, "202", "approved", "2026-03-16", "2026-03-16", 0, 0);
	json_object_set_new(x, "body", json_string("{\"requestId\":8,\"employeeId\":\"202\","
	    "\"policyTypeDisplayName\":\"Sick\",\"type\":\"days\",\"status\":\"approved\","
	    "\"startDate\":\"2026-03-16\",\"endDate\":\"2026-03-16\"}"));
	/* every listing shows act-1 (kept once), then the create */
	script(add_n(add_n(json_pack("[o, o, o, o, o, o, o, o]", x,
	    item("/v1/timeoff/whosout", wrap("outs", outs)),
	    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
	    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
	    item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    item_text("/v0/people", people_body),
	    item_text("/v0/activity_types", types_json),
	    item_text("/v1/people/search", "{\"employees\":[]}")),
	    NLISTINGS, "/v0/activities", "{\"activities\":{\"k1\":{\"id\":\"act-1\",\"agent_id\":\"a1\","
	    "\"type_id\":\"t3\",\"start_time\":1772406000,\"end_time\":1772578800,"
	    "\"description\":\"HiBob time off #1 (Holiday) hibob:1\"}}}"),
	    1, "/v0/activities", "{\"id\":\"act-8\"}"));
	assert_int_equal(run(&w, "reconcile", NULL, &r, &err), BS_OK);
	assert_int_equal(r.planned, 1);
	assert_int_equal(r.applied, 1);
	log = server_log();
	/* only the approved-looking request of the window is read */
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/employees/"), 1);
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/employees/202/requests/8"), 1);
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 0);	/* act-1 kept */
	assert_int_equal(count_calls(log, "GET", "/v0/activities"), NLISTINGS);	/* none missing */
	json_decref(log);
	assert_int_equal(store_toff_events_list(w.store, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 2);
	assert_string_equal(rows.v[0].activity_id, "act-1");
	assert_int_equal(rows.v[1].request_id, 8);
	assert_string_equal(rows.v[1].agent_id, "a2");
	toff_event_rows_clear(&rows);
	/* the canceled one is remembered: the next feed read skips it */
	assert_int_equal(store_toff_request_get(w.store, 9, &rec, &err), BS_OK);
	assert_string_equal(rec.status, "canceled");
	toff_request_row_clear(&rec);
	world_close(&w);
}

#define ACT1_LISTED "{\"activities\":{\"k1\":{\"id\":\"act-1\",\"agent_id\":\"a1\"," \
    "\"type_id\":\"t3\",\"start_time\":1772406000,\"end_time\":1772578800," \
    "\"description\":\"HiBob time off #1 (Holiday) hibob:1\"}}}"

static void
put_act1(struct world *w)
{
	struct toff_event_row row;
	struct bs_error err = { 0 };

	memset(&row, 0, sizeof row);
	row.request_id = 1;
	row.employee_id = (char *)"101";
	row.agent_id = (char *)"a1";
	row.activity_id = (char *)"act-1";
	row.type_id = (char *)"t3";
	row.start = 1772406000;
	row.end = 1772578800;
	assert_int_equal(store_toff_event_put(w->store, &row, 1, &err), BS_OK);
}

/* A delete is done only when the event is gone: a refused beta, a bare
 * 404 of the route, or an accepted delete whose event is still listed
 * keep the mapping and fail the run (exit 1); once deletes work, the next
 * run removes it with one delete. */
static void
run_refused_delete_keeps_mapping(void **state)
{
	static const char *const refusals[] = {
	    "{\"error\": \"feature_not_enabled\", \"message\": \"Bulk update and delete are in beta\"}",
	    "404 page not found",
	    NULL };	/* accepted, but still listed */
	static const int statuses[] = { 400, 404, 200 };
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct toff_event_rows rows;
	int64_t cur = 0;
	int have = 0;
	json_t *ch, *log;

	(void)state;
	world_open(&w);
	put_act1(&w);
	assert_int_equal(store_toff_cursor_set(w.store, 1772359200 - 300, 1, &err), BS_OK);
	ch = json_array();
	json_array_append_new(ch, hibob_req(1, "101", "canceled", "2026-03-02", "2026-03-03", "Canceled"));
	for (size_t i = 0; i < ARRAY_LEN(statuses); i++) {
		reset_server();
		script(json_pack("[o, {s:s, s:i, s:s}, o, o]",
		    item("/v1/timeoff/requests/changes", wrap("changes", json_deep_copy(ch))),
		    "path", "/v0/activities/bulk", "status", statuses[i], "body",
		    refusals[i] ? refusals[i] : "{\"activities\":{}}",
		    item_text("/v0/activities", ACT1_LISTED), item_text("/v0/activities", EMPTY_LIST)));
		assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_ERR_PARTIAL);
		assert_int_equal(bs_exit_code(BS_ERR_PARTIAL), 1);
		assert_int_equal(r.failed, 1);
		assert_int_equal(r.applied, 0);
		assert_int_equal(store_toff_events_of(w.store, 1, &rows, &err), BS_OK);
		assert_int_equal(rows.n, 1);	/* still linked */
		toff_event_rows_clear(&rows);
		assert_int_equal(store_toff_cursor_get(w.store, &cur, &have, &err), BS_OK);
		assert_int_equal(cur, 1772359200 - 300);	/* read again next run */
	}
	/* deletes work again: one delete, checked gone, forgotten */
	reset_server();
	script(json_pack("[o, o, o]", item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    item_text("/v0/activities/bulk", "{\"activities\":{}}"),
	    item_text("/v0/activities", EMPTY_LIST)));
	assert_int_equal(run(&w, "sync", NULL, &r, &err), BS_OK);
	assert_int_equal(r.applied, 1);
	log = server_log();
	assert_int_equal(count_calls(log, "POST", "/v0/activities/bulk"), 1);
	json_decref(log);
	assert_int_equal(store_toff_events_count(w.store), 0);
	world_close(&w);
}

/* A listing cut short (a page limit below what was asked) does not show
 * act-1: its agent's days are read before it is called missing, and it
 * is there, so nothing is made again and nothing forgotten. */
static void
run_capped_listing_confirms(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	json_t *outs = json_array(), *log, *items;

	(void)state;
	world_open(&w);
	put_act1(&w);
	json_array_append_new(outs, hibob_req(1, "101", "approved", "2026-03-02", "2026-03-03", NULL));
	items = json_pack("[o, o, o, o, o, o, o]",
	    item("/v1/timeoff/whosout", wrap("outs", outs)),
	    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
	    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
	    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
	    item_text("/v0/people", people_body),
	    item_text("/v0/activity_types", types_json),
	    item_text("/v1/people/search", "{\"employees\":[]}"));
	/* the first page of the first slice: one row of another agent, "full"
	 * for a server whose pages hold one row */
	add_n(items, 1, "/v0/activities", "{\"activities\":{\"k9\":{\"id\":\"act-9\","
	    "\"agent_id\":\"a2\",\"type_id\":\"t3\",\"start_time\":1772406000,"
	    "\"end_time\":1772492400}}}");
	add_n(items, NLISTINGS - 1, "/v0/activities", EMPTY_LIST);
	add_n(items, 1, "/v0/activities", ACT1_LISTED);
	script(add_n(items, 1, "/v0/activities", EMPTY_LIST));
	assert_int_equal(run(&w, "reconcile", NULL, &r, &err), BS_OK);
	assert_int_equal(r.planned, 0);
	log = server_log();
	assert_int_equal(count_calls(log, "POST", "/v0/"), 0);	/* no create, no delete */
	assert_int_equal(count_calls(log, "GET", "/v0/activities"), NLISTINGS + 2);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log,
	    json_array_size(log) - 2), "query")), "agents=a1"));
	json_decref(log);
	assert_int_equal(store_toff_events_count(w.store), 1);
	world_close(&w);
}

/* The time-off listings hold nothing at all.  If the look-up of the
 * mapped event in its agent's days is empty too, the read went wrong and
 * nothing is written; if it shows the agent's shift but not the event,
 * the event is really gone and is made again. */
static void
run_events_gone_schedule_there(void **state)
{
	struct world w;
	struct sync_result r;
	struct bs_error err = { 0 };
	struct toff_event_rows rows;
	json_t *log;

	(void)state;
	world_open(&w);
	put_act1(&w);
	for (int pass = 0; pass < 2; pass++) {
		json_t *outs = json_array(), *items;
		json_array_append_new(outs, hibob_req(1, "101", "approved", "2026-03-02", "2026-03-03",
		    NULL));
		reset_server();
		items = json_pack("[o, o, o, o, o, o, o]",
		    item("/v1/timeoff/whosout", wrap("outs", outs)),
		    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
		    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
		    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}"),
		    item_text("/v0/people", people_body),
		    item_text("/v0/activity_types", types_json),
		    item_text("/v1/people/search", "{\"employees\":[]}"));
		add_n(items, NLISTINGS, "/v0/activities", EMPTY_LIST);
		if (pass == 1)
			add_n(items, 1, "/v0/activities", "{\"activities\":{\"s\":{\"id\":\"shift-1\","
			    "\"agent_id\":\"a1\",\"type_id\":\"t1\",\"start_time\":1772438400,"
			    "\"end_time\":1772467200,\"description\":\"shift\"}}}");
		add_n(items, 1, "/v0/activities", EMPTY_LIST);
		script(add_n(items, 1, "/v0/activities", "{\"id\":\"act-1b\"}"));
		if (pass == 0) {
			/* issue 20 point 5: a plan to approve, like the guard's */
			assert_int_equal(run(&w, "reconcile", NULL, &r, &err), BS_ERR_GUARD);
			assert_non_null(strstr(r.guard.reason, "listed no activities"));
			log = server_log();
			assert_int_equal(count_calls(log, "POST", "/v0/"), 0);
			json_decref(log);
			continue;
		}
		assert_int_equal(run(&w, "reconcile", NULL, &r, &err), BS_OK);
		assert_int_equal(r.applied, 1);
	}
	assert_int_equal(store_toff_events_of(w.store, 1, &rows, &err), BS_OK);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.v[0].activity_id, "act-1b");
	toff_event_rows_clear(&rows);
	world_close(&w);
}

/* The state of requests who's out does not list: one HiBob refuses to
 * show (403) is left out while another is read; none readable fails. */
static void
feed_states_leave_out_refused(void **state)
{
	struct world w;
	struct bob_client *bc = NULL;
	struct bob_timeoffs ch = { 0 }, out;
	struct bs_error err = { 0 };
	int64_t ws = 1772323200, we = ws + 60 * 86400LL;	/* 2026-03-01 + 60 days */

	(void)state;
	world_open(&w);
	assert_int_equal(session_bob(&w.s, &bc, &err), BS_OK);
	ch.v = xcalloc(2, sizeof *ch.v);
	for (int i = 0; i < 2; i++) {
		struct bob_timeoff *r = &ch.v[ch.n++];
		r->request_id = 31 + i;
		r->employee_id = xstrdup("101");
		r->change_type = xstrdup("Created");
		snprintf(r->start_date, sizeof r->start_date, "2026-03-1%d", i + 1);
		snprintf(r->end_date, sizeof r->end_date, "2026-03-1%d", i + 1);
	}
	reset_server();
	script(json_pack("[o, o]", detail_status(31, "101", 403),
	    detail_item(32, "101", "canceled", "2026-03-12", "2026-03-12", 0, 0)));
	assert_int_equal(toff_feed_states(bc, &ch, NULL, 0, ws, we, NULL, &out, &err), BS_OK);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].request_id, 32);
	assert_int_equal(out.v[0].status, TOFF_CANCELED);
	bob_timeoffs_clear(&out);

	/* only the refused one: the permission, not the request */
	reset_server();
	script(json_pack("[o]", detail_status(31, "101", 403)));
	ch.n = 1;
	assert_int_equal(toff_feed_states(bc, &ch, NULL, 0, ws, we, NULL, &out, &err), BS_ERR_FORBIDDEN);
	assert_non_null(strstr(err.detail, "request 31"));
	assert_int_equal(out.n, 0);
	ch.n = 2;
	bob_timeoffs_clear(&ch);
	world_close(&w);
}

/* A request the feed shows made of several parts is skipped whatever
 * its status (parts not split): not read.  One that may make one part,
 * or whose per-day list the feed leaves out, is read; with parts split,
 * all are. */
static void
feed_states_skip_several_parts(void **state)
{
	struct world w;
	struct bob_client *bc = NULL;
	struct bob_timeoffs ch = { 0 }, out;
	struct bs_error err = { 0 };
	int64_t ws = 1772323200, we = ws + 60 * 86400LL;	/* 2026-03-01 + 60 days */
	static const struct {
		enum toff_type type;
		const char *from, *to;
	} cases[] = {
		{ TOFF_PORTION_ON_RANGE, "2026-03-11", "2026-03-13" },	/* three mornings: not read */
		{ TOFF_PERCENTAGE_ON_RANGE, "2026-03-12", "2026-03-12" },	/* one part: read */
		{ TOFF_DIFFERENT_DAY_DURATIONS, "2026-03-12", "2026-03-13" },	/* no list: read */
	};
	json_t *log;
	struct toff_env *env;

	(void)state;
	world_open(&w);
	env = toff_env_new(&w.s, NULL);
	assert_int_equal(session_bob(&w.s, &bc, &err), BS_OK);
	ch.v = xcalloc(ARRAY_LEN(cases), sizeof *ch.v);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct bob_timeoff *r = &ch.v[ch.n++];
		r->request_id = 41 + (long long)i;
		r->employee_id = xstrdup("101");
		r->change_type = xstrdup("Created");
		r->type = cases[i].type;
		r->day_portion = TOFF_MORNING;
		snprintf(r->start_date, sizeof r->start_date, "%s", cases[i].from);
		snprintf(r->end_date, sizeof r->end_date, "%s", cases[i].to);
	}
	reset_server();
	script(json_pack("[o, o]", detail_item(42, "101", "approved", "2026-03-12", "2026-03-12", 0, 0),
	    detail_item(43, "101", "pending", "2026-03-12", "2026-03-13", 0, 0)));
	assert_int_equal(toff_feed_states(bc, &ch, NULL, 0, ws, we, env, &out, &err), BS_OK);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.v[0].request_id, 41);
	assert_int_equal(out.v[0].status, TOFF_STATUS_UNKNOWN);	/* the feed's item */
	assert_true(out.v[0].unread);
	assert_false(out.v[1].unread);
	assert_int_equal(out.v[0].type, TOFF_PORTION_ON_RANGE);
	assert_int_equal(out.v[1].status, TOFF_APPROVED);
	assert_int_equal(out.v[2].status, TOFF_PENDING);
	log = server_log();
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/employees/101/requests/41"), 0);
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/employees/101/requests/"), 2);
	json_decref(log);
	bob_timeoffs_clear(&out);

	/* a request whose items disagree (which is the latest is not known):
	 * read */
	{
		struct bob_timeoffs two = { 0 };
		two.v = xcalloc(2, sizeof *two.v);
		for (int k = 0; k < 2; k++) {
			struct bob_timeoff *r = &two.v[two.n++];
			r->request_id = 51;
			r->employee_id = xstrdup("101");
			r->change_type = xstrdup("Created");
			r->type = k == 0 ? TOFF_PORTION_ON_RANGE : TOFF_DAYS;
			r->day_portion = TOFF_MORNING;
			snprintf(r->start_date, sizeof r->start_date, "2026-03-11");
			snprintf(r->end_date, sizeof r->end_date, "2026-03-13");
		}
		reset_server();
		script(json_pack("[o]", detail_item(51, "101", "approved", "2026-03-11",
		    "2026-03-13", 0, 0)));
		assert_int_equal(toff_feed_states(bc, &two, NULL, 0, ws, we, env, &out, &err), BS_OK);
		assert_int_equal(out.n, 1);
		assert_false(out.v[0].unread);
		assert_int_equal(out.v[0].status, TOFF_APPROVED);
		bob_timeoffs_clear(&out);
		bob_timeoffs_clear(&two);
	}

	/* parts split: each is read */
	toff_env_free(&env);
	assert_int_equal(conf_set(w.conf, "timeoff.split_chunks", "true", &err), BS_OK);
	env = toff_env_new(&w.s, NULL);
	reset_server();
	script(json_pack("[o, o, o]", detail_item(41, "101", "approved", "2026-03-11", "2026-03-13", 0, 0),
	    detail_item(42, "101", "approved", "2026-03-12", "2026-03-12", 0, 0),
	    detail_item(43, "101", "pending", "2026-03-12", "2026-03-13", 0, 0)));
	assert_int_equal(toff_feed_states(bc, &ch, NULL, 0, ws, we, env, &out, &err), BS_OK);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.v[0].status, TOFF_APPROVED);
	log = server_log();
	assert_int_equal(count_calls(log, "GET", "/v1/timeoff/employees/101/requests/"), 3);
	json_decref(log);
	bob_timeoffs_clear(&out);
	bob_timeoffs_clear(&ch);
	toff_env_free(&env);
	world_close(&w);
}

static void
preview_window(void **state)
{
	struct world w;
	struct toff_preview p;
	struct bs_error err = { 0 };
	json_t *outs = json_array(), *ch = json_array(), *log, *x;
	const struct toff_preview_item *it;

	(void)state;
	world_open(&w);
	assert_int_equal(toff_preview_run(&w.s, "2026-13-01", NULL, NULL, &p, &err), BS_ERR_INVALID);
	assert_int_equal(toff_preview_run(&w.s, "2026-04-01", "2026-03-01", NULL, &p, &err),
	    BS_ERR_INVALID);

	json_array_append_new(outs, hibob_req(1, "101", "approved", "2026-03-02", "2026-03-03", NULL));
	x = hibob_req(2, "202", "approved", "2026-03-09", "2026-03-13", NULL);
	json_object_set_new(x, "type", json_string("portionOnRange"));
	json_object_set_new(x, "dayPortion", json_string("morning"));
	json_array_append_new(outs, x);
	json_array_append_new(outs, hibob_req(3, "999", "approved", "2026-03-04", "2026-03-04", NULL));
	x = hibob_req(4, "101", "approved", "2026-03-05", "2026-03-05", NULL);
	json_object_set_new(x, "startPortion", json_string("afternoon"));
	json_object_set_new(x, "endPortion", json_string("afternoon"));
	json_array_append_new(outs, x);
	json_array_append_new(outs, hibob_req(10, "101", "pending", "2026-03-20", "2026-03-20", NULL));
	/* the feed: one canceled and one declined in the window, one outside,
	 * and request 1 again (listed by who's out: shown once) */
	json_array_append_new(ch, hibob_req(5, "101", "canceled", "2026-03-06", "2026-03-06", "Canceled"));
	json_array_append_new(ch, hibob_req(6, "202", "disapproved", "2026-03-07", "2026-03-07", "Created"));
	json_array_append_new(ch, hibob_req(7, "202", "canceled", "2025-01-07", "2025-01-07", "Canceled"));
	json_array_append_new(ch, hibob_req(1, "101", "approved", "2026-03-02", "2026-03-03", "Created"));
	script(json_pack("[o, o, o, o, o]",
	    item("/v1/timeoff/whosout", wrap("outs", outs)),
	    item("/v1/timeoff/requests/changes", wrap("changes", ch)),
	    item_text("/v0/people", people_body), item_text("/v0/activity_types", types_json),
	    item_text("/v1/people/search", "{\"employees\":[{\"id\":\"999\",\"email\":\"zed@x.test\"}]}")));
	assert_int_equal(toff_preview_run(&w.s, "2026-03-01", "2026-03-31", NULL, &p, &err), BS_OK);
	assert_string_equal(p.from, "2026-03-01");
	assert_string_equal(p.to, "2026-03-31");
	assert_true(p.assembled);
	assert_int_equal(p.total, 7);
	assert_int_equal(p.sync, 2);
	assert_int_equal(p.skip, 5);
	assert_int_equal(p.per_why[TOFF_WHY_PENDING], 1);
	assert_string_equal(p.v[6].status, "pending");
	assert_non_null(strstr(p.v[6].reason, "pending"));
	assert_int_equal(p.per_why[TOFF_WHY_NOT_CONTIGUOUS], 1);
	assert_int_equal(p.per_why[TOFF_WHY_NO_AGENT], 1);
	assert_int_equal(p.per_why[TOFF_WHY_CANCELED], 1);
	assert_int_equal(p.per_why[TOFF_WHY_DECLINED], 1);
	/* ordered by first day */
	it = &p.v[0];
	assert_int_equal(it->request_id, 1);
	assert_true(it->sync);
	assert_string_equal(it->zone, "Europe/Amsterdam");
	assert_string_equal(it->start, "2026-03-02T00:00:00+01:00");
	assert_string_equal(it->end, "2026-03-04T00:00:00+01:00");
	it = &p.v[1];
	assert_int_equal(it->request_id, 3);
	assert_false(it->sync);
	assert_non_null(strstr(it->reason, "zed@x.test"));
	it = &p.v[2];
	assert_int_equal(it->request_id, 4);	/* an afternoon: 12:00 to midnight */
	assert_string_equal(it->start, "2026-03-05T12:00:00+01:00");
	assert_string_equal(it->end, "2026-03-06T00:00:00+01:00");
	assert_string_equal(p.v[3].status, "canceled");
	assert_string_equal(p.v[4].status, "disapproved");
	assert_int_equal(p.v[5].request_id, 2);
	assert_int_equal(p.v[5].why, TOFF_WHY_NOT_CONTIGUOUS);
	assert_string_equal(p.v[5].start, "");
	toff_preview_clear(&p);
	/* pending ones asked for; nothing written, nothing sent */
	log = server_log();
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log, 0), "query")),
	    "includePending=true"));
	assert_int_equal(count_calls(log, "POST", "/v0/"), 0);
	json_decref(log);
	assert_int_equal(store_toff_events_count(w.store), 0);

	/* Assembled off: still a preview, in the default zone, saying so */
	reset_server();
	assert_int_equal(conf_set(w.conf, "assembled.enabled", "false", &err), BS_OK);
	session_close(&w.s);	/* clients are made once per session */
	session_init(&w.s, w.conf, w.vault, w.store, NULL);
	outs = json_array();
	json_array_append_new(outs, hibob_req(1, "101", "approved", "2026-03-02", "2026-03-03", NULL));
	script(json_pack("[o, o]", item("/v1/timeoff/whosout", wrap("outs", outs)),
	    item_text("/v1/timeoff/requests/changes", "{\"changes\":[]}")));
	assert_int_equal(toff_preview_run(&w.s, "2026-03-01", "2026-03-31", NULL, &p, &err), BS_OK);
	assert_false(p.assembled);
	assert_int_equal(p.total, 1);
	assert_int_equal(p.per_why[TOFF_WHY_NOT_CONFIGURED], 1);
	assert_non_null(strstr(p.v[0].reason, "Assembled not configured"));
	assert_string_equal(p.v[0].zone, "UTC");
	toff_preview_clear(&p);
	log = server_log();
	assert_int_equal(count_calls(log, NULL, "/v0/"), 0);
	json_decref(log);
	world_close(&w);
}

static int
group_setup(void **state)
{
	(void)state;
	if (test_mkdtemp(tmpdir, sizeof tmpdir) != 0)
		return -1;
	return test_server_start(&srv, FAULTSERVER, NULL);
}

static int
group_teardown(void **state)
{
	(void)state;
	test_server_stop(&srv);
	test_rm_rf(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_map),
		cmocka_unit_test(window),
		cmocka_unit_test(description_and_snapshot),
		cmocka_unit_test(latest_and_id_sets),
		cmocka_unit_test(id_sets_order_any_ids),
		cmocka_unit_test(eval_matching_and_zones),
		cmocka_unit_test(run_first_then_quiet_feed),
		cmocka_unit_test(run_cancel_edit_and_approval),
		cmocka_unit_test(run_feed_is_only_a_signal),
		cmocka_unit_test(run_edit_chain_from_details),
		cmocka_unit_test(run_guard_blocks_mass_cancellation),
		cmocka_unit_test(run_overlap_keeps_both_events),
		cmocka_unit_test(run_reconcile_leaver),
		cmocka_unit_test(run_killed_create_is_adopted),
		cmocka_unit_test(run_killed_replace_finishes_delete),
		cmocka_unit_test(run_reconcile_reads_feed),
		cmocka_unit_test(run_refused_delete_keeps_mapping),
		cmocka_unit_test(run_capped_listing_confirms),
		cmocka_unit_test(run_events_gone_schedule_there),
		cmocka_unit_test(feed_states_leave_out_refused),
		cmocka_unit_test(feed_states_skip_several_parts),
		cmocka_unit_test(preview_window),
		cmocka_unit_test(snapshot_same_as_jansson),
		cmocka_unit_test(seen_text_same_as_jansson),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
