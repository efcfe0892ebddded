/* test_timeoff_rules.c - which HiBob requests reach Assembled and as which
 * instants: statuses, every request type, half days, hours, DST nights,
 * zones on both sides of UTC, split parts and the sync window.
 * Expected unix seconds were checked against Python's zoneinfo. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rules/timeoff_rules.h"
#include "base/tz.h"
#include "base/util.h"

#define assert_contains(hay, needle) assert_non_null(strstr((hay), (needle)))

static const struct tz *
zone(const char *name)
{
	const struct tz *z = NULL;
	assert_int_equal(tz_get(name, &z, NULL), BS_OK);
	return z;
}

static void
set_date(char dst[11], const char *s)
{
	snprintf(dst, 11, "%s", s ? s : "");
}

/* An approved days request. */
static struct bob_timeoff
days_req(const char *from, enum toff_portion fp, const char *to, enum toff_portion tp)
{
	struct bob_timeoff r;
	memset(&r, 0, sizeof r);
	r.request_id = 24588163;
	r.type = TOFF_DAYS;
	r.type_raw = (char *)"days";
	r.status = TOFF_APPROVED;
	r.status_raw = (char *)"approved";
	set_date(r.start_date, from);
	set_date(r.end_date, to);
	r.start_portion = fp;
	r.end_portion = tp;
	return r;
}

static struct toff_rules_opts
opts(int split)
{
	struct toff_rules_opts o = { split, 540, INT64_MIN, INT64_MAX };
	return o;
}

static struct toff_decision
decide(const struct bob_timeoff *r, const char *zname, const struct toff_rules_opts *o)
{
	struct toff_decision d;
	memset(&d, 0x5a, sizeof d);	/* garbage the function must overwrite */
	toff_decide(r, zname ? zone(zname) : NULL, o, &d);
	return d;
}

/* One event from start to end. */
static void
assert_one(const struct toff_decision *d, int64_t start, int64_t end)
{
	assert_int_equal(d->verdict, TOFF_SYNC);
	assert_int_equal(d->nevents, 1);
	assert_int_equal(d->events[0].start, start);
	assert_int_equal(d->events[0].end, end);
	assert_int_equal(d->events[0].chunk, 0);
}

static void
assert_skip(struct toff_decision *d, const char *reason_part)
{
	assert_int_equal(d->verdict, TOFF_SKIP);
	assert_int_equal(d->nevents, 0);
	assert_null(d->events);
	assert_contains(d->reason, reason_part);
	toff_decision_clear(d);
}

/* ---- degenerate ---- */

static void
decide_degenerate(void **state)
{
	struct bob_timeoff empty;
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	toff_decide(NULL, NULL, NULL, NULL);
	d = decide(NULL, NULL, &o);
	assert_skip(&d, "no request");
	/* every pointer NULL, every date empty, status unknown */
	memset(&empty, 0, sizeof empty);
	d = decide(&empty, "Europe/Amsterdam", NULL);
	assert_skip(&d, "no approval status: only approved time off is synced");
	/* approved but nothing else */
	empty.status = TOFF_APPROVED;
	d = decide(&empty, NULL, &o);
	assert_skip(&d, "no start date");
	empty.type = TOFF_HOURS;
	d = decide(&empty, NULL, &o);
	assert_skip(&d, "no date");
	empty.type = TOFF_TYPE_UNKNOWN;
	d = decide(&empty, NULL, &o);
	assert_skip(&d, "unsupported request type '(none)'");
	empty.type = TOFF_DIFFERENT_DAY_DURATIONS;
	o.split_chunks = 1;
	d = decide(&empty, NULL, &o);
	assert_skip(&d, "HiBob listed no days");
	empty.type = TOFF_PORTION_ON_RANGE;
	d = decide(&empty, NULL, &o);
	assert_skip(&d, "no day portion");
	/* clearing twice and clearing NULL are fine */
	toff_decision_clear(&d);
	toff_decision_clear(NULL);
	assert_false(toff_is_contiguous(NULL));
}

/* ---- statuses ---- */

static void
decide_statuses(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_ALL_DAY, "2026-03-02", TOFF_ALL_DAY);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	r.status = TOFF_PENDING;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "pending approval: only approved time off is synced");
	r.status = TOFF_DISAPPROVED;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "declined in HiBob");
	r.status = TOFF_DELETED;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "deleted in HiBob");
	r.status = TOFF_CANCELED;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "canceled in HiBob");
	r.status = TOFF_STATUS_UNKNOWN;
	r.status_raw = (char *)"on\x1bhold";
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "status 'on?hold' is not approved");
	assert_null(strchr(d.reason, '\x1b'));
}

static void
decide_approved_then_canceled(void **state)
{
	/* The changes feed: a Created snapshot (approved), then a Canceled
	 * snapshot of the same request. */
	struct bob_timeoff created = days_req("2026-03-02", TOFF_ALL_DAY, "2026-03-03", TOFF_ALL_DAY);
	struct bob_timeoff canceled = created, deleted = created;
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	created.change_type = (char *)"Created";
	d = decide(&created, "Europe/Amsterdam", &o);
	assert_int_equal(d.verdict, TOFF_SYNC);
	toff_decision_clear(&d);
	assert_int_equal(d.verdict, TOFF_SKIP);
	assert_null(d.events);

	canceled.change_type = (char *)"Canceled";
	canceled.status = TOFF_CANCELED;
	d = decide(&canceled, "Europe/Amsterdam", &o);
	assert_skip(&d, "canceled in HiBob");
	/* even when the snapshot still says approved */
	canceled.status = TOFF_APPROVED;
	d = decide(&canceled, "Europe/Amsterdam", &o);
	assert_skip(&d, "canceled in HiBob");
	deleted.change_type = (char *)"Deleted";
	d = decide(&deleted, "Europe/Amsterdam", &o);
	assert_skip(&d, "deleted in HiBob");
}

/* ---- days ---- */

static void
days_full_and_several(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_ALL_DAY, "2026-03-02", TOFF_ALL_DAY);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772406000, 1772492400);		/* 00:00 -> 24:00 CET */
	assert_string_equal(d.reason, "approved, 1 full day (2026-03-02)");
	toff_decision_clear(&d);
	/* portions not given at all count as full days */
	r.start_portion = TOFF_PORTION_NONE;
	r.end_portion = TOFF_PORTION_NONE;
	set_date(r.end_date, "2026-03-04");
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772406000, 1772492400 + 2 * 86400);
	assert_string_equal(d.reason, "approved, 3 full days (2026-03-02 to 2026-03-04)");
	toff_decision_clear(&d);
	assert_true(toff_is_contiguous(&r));
}

static void
days_half_days(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_MORNING, "2026-03-02", TOFF_MORNING);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772406000, 1772449200);		/* 00:00 -> 12:00 */
	assert_string_equal(d.reason, "approved, morning of 2026-03-02 (00:00-12:00)");
	toff_decision_clear(&d);

	r.start_portion = TOFF_AFTERNOON;
	r.end_portion = TOFF_AFTERNOON;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772449200, 1772492400);		/* 12:00 -> 24:00 */
	assert_string_equal(d.reason, "approved, afternoon of 2026-03-02 (12:00-24:00)");
	toff_decision_clear(&d);

	/* afternoon only, written as afternoon start + all-day end */
	r.end_portion = TOFF_ALL_DAY;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772449200, 1772492400);
	toff_decision_clear(&d);

	/* morning start + afternoon end on one day = the full day */
	r.start_portion = TOFF_MORNING;
	r.end_portion = TOFF_AFTERNOON;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772406000, 1772492400);
	toff_decision_clear(&d);
}

static void
days_afternoon_to_morning_span(void **state)
{
	/* Monday afternoon to Wednesday morning = Mon 12:00 -> Wed 12:00 */
	struct bob_timeoff r = days_req("2026-03-02", TOFF_AFTERNOON, "2026-03-04", TOFF_MORNING);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	assert_int_equal(date_weekday(days_from_civil(2026, 3, 2)), 1);	/* a Monday */
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772449200, 1772622000);
	assert_string_equal(d.reason, "approved, 2026-03-02 12:00 to 2026-03-04 12:00");
	toff_decision_clear(&d);
	/* full Monday to Wednesday morning */
	r.start_portion = TOFF_ALL_DAY;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772406000, 1772622000);
	assert_string_equal(d.reason, "approved, 2026-03-02 00:00 to 2026-03-04 12:00");
	toff_decision_clear(&d);
}

static void
days_inconsistent(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_AFTERNOON, "2026-03-02", TOFF_MORNING);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "starts in the afternoon and ends in the morning of the same day (2026-03-02)");
	r = days_req("2026-03-05", TOFF_ALL_DAY, "2026-03-02", TOFF_ALL_DAY);
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "ends (2026-03-02) before it starts (2026-03-05)");
	r = days_req("2026-03-05", TOFF_ALL_DAY, "", TOFF_ALL_DAY);
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "no end date");
	r = days_req("2026-02-30", TOFF_ALL_DAY, "2026-03-02", TOFF_ALL_DAY);
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "start date '2026-02-30' could not be read");
	r = days_req("2026-03-02", TOFF_ALL_DAY, "2046-03-02", TOFF_ALL_DAY);
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "check the dates in HiBob");
}

/* ---- zones ---- */

static void
days_in_other_zones(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_ALL_DAY, "2026-03-02", TOFF_ALL_DAY);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	d = decide(&r, "America/Los_Angeles", &o);
	assert_one(&d, 1772438400, 1772524800);		/* 08:00Z -> 08:00Z next day */
	toff_decision_clear(&d);
	d = decide(&r, "Asia/Kolkata", &o);
	assert_one(&d, 1772389800, 1772476200);		/* previous day 18:30Z */
	toff_decision_clear(&d);
	r.end_portion = TOFF_MORNING;
	r.start_portion = TOFF_MORNING;
	d = decide(&r, "Asia/Kolkata", &o);
	assert_one(&d, 1772389800, 1772433000);		/* 00:00 -> 12:00 IST */
	toff_decision_clear(&d);
	/* no zone: UTC */
	r = days_req("2026-03-02", TOFF_ALL_DAY, "2026-03-02", TOFF_ALL_DAY);
	d = decide(&r, NULL, &o);
	assert_one(&d, days_from_civil(2026, 3, 2) * 86400, days_from_civil(2026, 3, 3) * 86400);
	toff_decision_clear(&d);
	/* Los Angeles spring-forward day, 8 March 2026: 23 hours */
	r = days_req("2026-03-08", TOFF_ALL_DAY, "2026-03-08", TOFF_ALL_DAY);
	d = decide(&r, "America/Los_Angeles", &o);
	assert_one(&d, 1772956800, 1773039600);
	assert_int_equal(d.events[0].end - d.events[0].start, 23 * 3600);
	toff_decision_clear(&d);
}

static void
days_across_dst_nights(void **state)
{
	struct bob_timeoff r = days_req("2026-03-29", TOFF_ALL_DAY, "2026-03-29", TOFF_ALL_DAY);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	/* spring forward: 00:00 CET (23:00Z) -> 00:00 CEST (22:00Z), 23 h */
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1774738800, 1774821600);
	assert_int_equal(d.events[0].end - d.events[0].start, 23 * 3600);
	toff_decision_clear(&d);
	/* fall back: 00:00 CEST (22:00Z) -> 00:00 CET (23:00Z), 25 h */
	r = days_req("2026-10-25", TOFF_ALL_DAY, "2026-10-25", TOFF_ALL_DAY);
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1792879200, 1792969200);
	assert_int_equal(d.events[0].end - d.events[0].start, 25 * 3600);
	toff_decision_clear(&d);
	/* a week across the spring-forward night: 7 days less one hour */
	r = days_req("2026-03-26", TOFF_ALL_DAY, "2026-04-01", TOFF_ALL_DAY);
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.events[0].end - d.events[0].start, 7 * 86400 - 3600);
	toff_decision_clear(&d);
	/* the morning of the fall-back day is 13 hours long */
	r = days_req("2026-10-25", TOFF_MORNING, "2026-10-25", TOFF_MORNING);
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1792879200, 1792879200 + 13 * 3600);
	toff_decision_clear(&d);
}

/* ---- hours ---- */

static void
hours_requests(void **state)
{
	struct bob_timeoff r;
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	memset(&r, 0, sizeof r);
	r.type = TOFF_HOURS;
	r.status = TOFF_APPROVED;
	set_date(r.date, "2026-03-02");
	r.minutes_on_date = 0;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "no hours on 2026-03-02 (0 minutes)");

	r.minutes_on_date = 210;	/* 3 h 30 min from 09:00 */
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772406000 + 9 * 3600, 1772406000 + 9 * 3600 + 210 * 60);
	assert_string_equal(d.reason, "approved, 3 h 30 min on 2026-03-02 from 09:00 "
	    "(HiBob gives no start time; timeoff.hours_start)");
	toff_decision_clear(&d);
	assert_true(toff_is_contiguous(&r));

	/* a later start that crosses midnight */
	o.hours_start_minute = 22 * 60;
	r.minutes_on_date = 180;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772406000 + 22 * 3600, 1772406000 + 25 * 3600);
	toff_decision_clear(&d);

	/* out-of-range setting falls back to 09:00 */
	o.hours_start_minute = 5000;
	r.minutes_on_date = 60;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772406000 + 9 * 3600, 1772406000 + 10 * 3600);
	assert_contains(d.reason, "1 h on 2026-03-02 from 09:00");
	toff_decision_clear(&d);

	/* the date may come as startDate only */
	memset(r.date, 0, sizeof r.date);
	set_date(r.start_date, "2026-03-02");
	d = decide(&r, "Asia/Kolkata", &o);
	assert_one(&d, 1772389800 + 9 * 3600, 1772389800 + 10 * 3600);
	toff_decision_clear(&d);

	r.minutes_on_date = 1500;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "more than 24 hours on one date");
}

/* ---- openEnded and unknown ---- */

static void
open_ended_and_unknown(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_ALL_DAY, "", TOFF_PORTION_NONE);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	r.type = TOFF_OPEN_ENDED;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "open-ended: no end date yet");
	assert_false(toff_is_contiguous(&r));
	set_date(r.end_date, "2026-03-03");
	assert_true(toff_is_contiguous(&r));
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, 1772406000, 1772492400 + 86400);
	assert_string_equal(d.reason, "approved open-ended leave, 2 full days (2026-03-02 to 2026-03-03)");
	toff_decision_clear(&d);

	r.type = TOFF_TYPE_UNKNOWN;
	r.type_raw = (char *)"specificHoursOnRange";
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "unsupported request type 'specificHoursOnRange'");
	assert_false(toff_is_contiguous(&r));
}

/* ---- several-part types ---- */

static void
chunks_skipped_by_default(void **state)
{
	static const struct {
		enum toff_type type;
		const char *what;
	} cases[] = {
		{ TOFF_PORTION_ON_RANGE, "(every morning for 5 days)" },
		{ TOFF_HOURS_ON_RANGE, "(some hours on each day)" },
		{ TOFF_PERCENTAGE_ON_RANGE, "(50% of each day)" },
		{ TOFF_DIFFERENT_DAY_DURATIONS, "(a different length each day)" },
		{ TOFF_SPECIFIC_HOURS_DAY_DURATIONS, "(set hours on each day)" },
		{ TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS, "(different hours each day)" },
	};
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct bob_timeoff r = days_req("2026-03-02", TOFF_PORTION_NONE, "2026-03-06",
		    TOFF_PORTION_NONE);
		r.type = cases[i].type;
		r.day_portion = TOFF_MORNING;
		r.percentage = 50;
		assert_false(toff_is_contiguous(&r));
		d = decide(&r, "Europe/Amsterdam", &o);
		assert_int_equal(d.verdict, TOFF_SKIP);
		assert_true(strlen(d.reason) < sizeof d.reason - 1);	/* not cut off */
		assert_contains(d.reason, "made of several separate parts ");
		assert_contains(d.reason, cases[i].what);
		assert_contains(d.reason, "Assembled's own integration skips these too");
		assert_contains(d.reason, "turn on timeoff.split_chunks to sync each part");
		assert_skip(&d, "");
		/* with no options at all: the default, skipped */
		d = decide(&r, "Europe/Amsterdam", NULL);
		assert_skip(&d, "made of several separate parts");
	}
}

/* A skipped several-part request whose answer left out the share of the
 * day or the half (who's out as HiBob's 2024 list of its fields) is not
 * said to be 0 % or mornings. */
static void
chunks_skipped_without_their_share(void **state)
{
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	struct bob_timeoff r = days_req("2026-03-02", TOFF_PORTION_NONE, "2026-03-06",
	    TOFF_PORTION_NONE);
	(void)state;

	r.type = TOFF_PERCENTAGE_ON_RANGE;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.verdict, TOFF_SKIP);
	assert_contains(d.reason, "(a share of each day)");
	assert_null(strstr(d.reason, "0%"));
	r.type = TOFF_PORTION_ON_RANGE;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.verdict, TOFF_SKIP);
	assert_contains(d.reason, "(half of each day)");
	assert_null(strstr(d.reason, "morning"));
}

/* A several-part type that makes one part (one date, one day with time)
 * is one stretch of time: it syncs by default, as the request's one event
 * (chunk 0), at the times the split would give it. */
static void
one_part_synced_whole(void **state)
{
	struct bob_duration du[] = {
		{ "2026-03-02", 0, -1, -1 },		/* nothing that day */
		{ "2026-03-03", 120, 840, 960 },	/* 14:00-16:00 */
	};
	struct bob_timeoff r = days_req("2026-03-03", TOFF_PORTION_NONE, "2026-03-03",
	    TOFF_PORTION_NONE);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	int64_t tue = 1772406000 + 86400;	/* 2026-03-03 00:00 Amsterdam */
	(void)state;

	r.type = TOFF_PORTION_ON_RANGE;
	r.day_portion = TOFF_AFTERNOON;
	assert_true(toff_is_contiguous(&r));
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, tue + 12 * 3600, tue + 86400);
	assert_string_equal(d.reason, "approved, the afternoon (12:00-24:00) on 2026-03-03");
	toff_decision_clear(&d);
	d = decide(&r, "Europe/Amsterdam", NULL);	/* no options: the same */
	assert_one(&d, tue + 12 * 3600, tue + 86400);
	toff_decision_clear(&d);

	r.type = TOFF_HOURS_ON_RANGE;
	r.daily_minutes = 150;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, tue + 9 * 3600, tue + 11 * 3600 + 1800);
	assert_contains(d.reason, "from 09:00 (timeoff.hours_start) on 2026-03-03");
	toff_decision_clear(&d);

	r.type = TOFF_PERCENTAGE_ON_RANGE;
	r.percentage = 100;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, tue, tue + 86400);
	assert_string_equal(d.reason, "approved, the full day (100%) on 2026-03-03");
	toff_decision_clear(&d);

	/* one day with time among the listed ones, in the request's own zone */
	r.type = TOFF_SPECIFIC_HOURS_DAY_DURATIONS;
	set_date(r.start_date, "2026-03-02");
	r.durations = du;
	r.ndurations = ARRAY_LEN(du);
	r.time_zone = (char *)"Europe/Berlin";
	assert_true(toff_is_contiguous(&r));
	d = decide(&r, "Europe/London", &o);
	assert_one(&d, tue + 14 * 3600, tue + 16 * 3600);
	assert_contains(d.reason, "approved, one day with its own start and end, times in "
	    "Europe/Berlin");
	toff_decision_clear(&d);

	/* two days with time: several parts, skipped by default */
	du[0].minutes = 60;
	assert_false(toff_is_contiguous(&r));
	d = decide(&r, "Europe/London", &o);
	assert_skip(&d, "made of several separate parts");
	/* an item that lists no days: one date says one part; the days must
	 * then be read from the request's details */
	r.durations = NULL;
	r.ndurations = 0;
	assert_false(toff_is_contiguous(&r));	/* 2026-03-02 to 03 */
	set_date(r.start_date, "2026-03-03");
	assert_true(toff_is_contiguous(&r));
	d = decide(&r, "Europe/London", &o);
	assert_skip(&d, "HiBob listed no days");
	/* a range over two dates stays skipped; no dates: not known */
	r.type = TOFF_PORTION_ON_RANGE;
	set_date(r.end_date, "2026-03-04");
	assert_false(toff_is_contiguous(&r));
	set_date(r.end_date, "");
	assert_false(toff_is_contiguous(&r));
}

static void
portion_on_range_split(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_PORTION_NONE, "2026-03-06",
	    TOFF_PORTION_NONE);
	struct toff_rules_opts o = opts(1);
	struct toff_decision d;
	(void)state;
	r.type = TOFF_PORTION_ON_RANGE;
	r.day_portion = TOFF_MORNING;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.verdict, TOFF_SYNC);
	assert_int_equal(d.nevents, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(d.events[i].chunk, (int)i + 1);
		assert_int_equal(d.events[i].start, 1772406000 + (int64_t)i * 86400);
		assert_int_equal(d.events[i].end, 1772449200 + (int64_t)i * 86400);
	}
	assert_string_equal(d.reason, "approved, split into 5 parts: the morning each day "
	    "(00:00-12:00) from 2026-03-02 to 2026-03-06");
	toff_decision_clear(&d);

	r.day_portion = TOFF_AFTERNOON;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.nevents, 5);
	assert_int_equal(d.events[4].start, 1772449200 + 4 * 86400);
	assert_int_equal(d.events[4].end, 1772492400 + 4 * 86400);
	assert_contains(d.reason, "the afternoon each day (12:00-24:00)");
	toff_decision_clear(&d);

	/* a year and more is not split */
	set_date(r.end_date, "2027-06-01");
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "check the dates in HiBob");
}

static void
range_types_split(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_PORTION_NONE, "2026-03-03",
	    TOFF_PORTION_NONE);
	struct toff_rules_opts o = opts(1);
	struct toff_decision d;
	(void)state;
	r.type = TOFF_HOURS_ON_RANGE;
	r.daily_minutes = 240;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.nevents, 2);
	assert_int_equal(d.events[1].start, 1772492400 + 9 * 3600);
	assert_int_equal(d.events[1].end, 1772492400 + 13 * 3600);
	assert_string_equal(d.reason, "approved, split into 2 parts: 4 h each day from 09:00 "
	    "(timeoff.hours_start), 2026-03-02 to 2026-03-03");
	toff_decision_clear(&d);
	r.daily_minutes = 0;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "daily hours (0 minutes) are not usable");

	r.type = TOFF_PERCENTAGE_ON_RANGE;
	r.percentage = 50;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.nevents, 2);
	assert_int_equal(d.events[0].start, 1772406000 + 9 * 3600);
	assert_int_equal(d.events[0].end, 1772406000 + 13 * 3600);
	assert_contains(d.reason, "share of an 8-hour day");
	toff_decision_clear(&d);
	r.percentage = 100;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.events[0].start, 1772406000);
	assert_int_equal(d.events[0].end, 1772492400);
	assert_contains(d.reason, "the full day (100%)");
	toff_decision_clear(&d);
	r.percentage = 0;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "share of the day (0%) is not usable");
}

static void
durations_split(void **state)
{
	struct bob_duration du[] = {
		{ "2026-03-02", 240, 600, 840 },	/* 10:00-14:00 */
		{ "2026-03-03", 0, -1, -1 },		/* nothing that day */
		{ "2026-03-04", 120, -1, -1 },		/* 2 h, no times */
		{ "2026-03-05", 60, 1380, 60 },		/* 23:00 -> 01:00 */
	};
	struct bob_timeoff r = days_req("2026-03-02", TOFF_PORTION_NONE, "2026-03-05",
	    TOFF_PORTION_NONE);
	struct toff_rules_opts o = opts(1);
	struct toff_decision d;
	int64_t mon = 1772406000;	/* 2026-03-02 00:00 Amsterdam */
	(void)state;
	r.type = TOFF_DIFFERENT_DAY_DURATIONS;
	r.durations = du;
	r.ndurations = ARRAY_LEN(du);
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.verdict, TOFF_SYNC);
	assert_int_equal(d.nevents, 3);
	assert_int_equal(d.events[0].start, mon + 10 * 3600);
	assert_int_equal(d.events[0].end, mon + 14 * 3600);
	assert_int_equal(d.events[1].start, mon + 2 * 86400 + 9 * 3600);
	assert_int_equal(d.events[1].end, mon + 2 * 86400 + 11 * 3600);
	assert_int_equal(d.events[2].start, mon + 3 * 86400 + 23 * 3600);
	assert_int_equal(d.events[2].end, mon + 4 * 86400 + 1 * 3600);
	assert_int_equal(d.events[2].chunk, 3);
	assert_contains(d.reason, "split into 3 parts");
	assert_contains(d.reason, "days without times from 09:00");
	toff_decision_clear(&d);

	/* specific hours in the request's own zone (London, not Amsterdam) */
	r.type = TOFF_SPECIFIC_HOURS_DAY_DURATIONS;
	r.time_zone = (char *)"Europe/London";
	r.ndurations = 1;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.nevents, 1);
	assert_int_equal(d.events[0].start, mon + 11 * 3600);	/* 10:00 GMT = 11:00 CET */
	assert_contains(d.reason, "approved, one day with its own start and end, times in "
	    "Europe/London");
	assert_int_equal(d.events[0].chunk, 1);	/* split: part 1, as before */
	toff_decision_clear(&d);
	/* an unusable zone name falls back to the agent's zone */
	r.time_zone = (char *)"../etc/passwd";
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.events[0].start, mon + 10 * 3600);
	toff_decision_clear(&d);

	/* a day that cannot be read spoils the request */
	snprintf(du[0].date, sizeof du[0].date, "2026-3-2");
	r.ndurations = ARRAY_LEN(du);
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "a day in it ('2026-3-2') could not be read");
	/* no time on any day */
	r.durations = &du[1];
	r.ndurations = 1;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "no day in it has any time off");
}

/* ---- the window ---- */

static void
window_edges(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_ALL_DAY, "2026-03-02", TOFF_ALL_DAY);
	struct toff_rules_opts o = opts(0);
	struct toff_decision d;
	int64_t s = 1772406000, e = 1772492400;	/* the event */
	(void)state;
	/* ends exactly at the window start: out (30 x 24 h across the DST
	 * change ends at 01:00 on 2 April) */
	o.window_start = e;
	o.window_end = e + 30 * 86400;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "outside the sync window (2026-03-02; the window is 2026-03-03 to 2026-04-02)");
	/* one second of overlap: in */
	o.window_start = e - 1;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, s, e);
	toff_decision_clear(&d);
	/* starts exactly at the window end: out */
	o.window_start = s - 30 * 86400;
	o.window_end = s;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "outside the sync window (2026-03-02; the window is 2026-01-31 to 2026-03-01)");
	o.window_end = s + 1;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, s, e);
	toff_decision_clear(&d);
	/* an event is kept whole even when the window cuts it */
	r = days_req("2026-03-01", TOFF_ALL_DAY, "2026-03-10", TOFF_ALL_DAY);
	o.window_start = s;
	o.window_end = e;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_one(&d, s - 86400, s + 9 * 86400);
	toff_decision_clear(&d);
	/* several days, all before the window */
	o.window_start = s + 20 * 86400;
	o.window_end = s + 40 * 86400;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_skip(&d, "outside the sync window (2026-03-01 to 2026-03-10;");
}

static void
window_split_parts(void **state)
{
	struct bob_timeoff r = days_req("2026-03-02", TOFF_PORTION_NONE, "2026-03-06",
	    TOFF_PORTION_NONE);
	struct toff_rules_opts o = opts(1);
	struct toff_decision d;
	(void)state;
	r.type = TOFF_PORTION_ON_RANGE;
	r.day_portion = TOFF_AFTERNOON;
	/* the window starts on Wednesday: parts 3, 4 and 5 remain */
	o.window_start = 1772406000 + 2 * 86400;
	o.window_end = o.window_start + 30 * 86400;
	d = decide(&r, "Europe/Amsterdam", &o);
	assert_int_equal(d.verdict, TOFF_SYNC);
	assert_int_equal(d.nevents, 3);
	assert_int_equal(d.events[0].chunk, 3);	/* numbering stays stable */
	assert_int_equal(d.events[2].chunk, 5);
	assert_contains(d.reason, "3 of the 5 parts are inside the sync window");
	toff_decision_clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decide_degenerate),
		cmocka_unit_test(decide_statuses),
		cmocka_unit_test(decide_approved_then_canceled),
		cmocka_unit_test(days_full_and_several),
		cmocka_unit_test(days_half_days),
		cmocka_unit_test(days_afternoon_to_morning_span),
		cmocka_unit_test(days_inconsistent),
		cmocka_unit_test(days_in_other_zones),
		cmocka_unit_test(days_across_dst_nights),
		cmocka_unit_test(hours_requests),
		cmocka_unit_test(open_ended_and_unknown),
		cmocka_unit_test(chunks_skipped_by_default),
		cmocka_unit_test(chunks_skipped_without_their_share),
		cmocka_unit_test(one_part_synced_whole),
		cmocka_unit_test(portion_on_range_split),
		cmocka_unit_test(range_types_split),
		cmocka_unit_test(durations_split),
		cmocka_unit_test(window_edges),
		cmocka_unit_test(window_split_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
