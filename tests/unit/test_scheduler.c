/* test_scheduler.c - when a job runs next: the daily run on the days the
 * clocks change (Europe/Amsterdam and America/New_York, 2026), the
 * interval grid, the backoff steps and the HH:MM parser.  Expected
 * instants are unix seconds worked out from the IANA rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "admin/scheduler.h"
#include "base/util.h"
#include "base/tz.h"

#define H 3600

static const struct tz *
zone(const char *name)
{
	const struct tz *z = NULL;
	struct bs_error err = { 0 };

	assert_int_equal(tz_get(name, &z, &err), BS_OK);
	assert_non_null(z);
	return z;
}

/* ---- sched_next_daily ---- */

/* Amsterdam springs forward on 29 March 2026 at 02:00 CET (01:00 UTC):
 * 02:30 does not exist that day, so it runs at 03:00 CEST, the first
 * instant after the gap; a 09:00 run comes 23 hours after the last. */
static void
daily_amsterdam_spring_forward(void **state)
{
	const struct tz *ams = zone("Europe/Amsterdam");
	int64_t sat_0230 = 1774661400;	/* 2026-03-28 02:30 CET */
	int64_t sun_0300 = 1774746000;	/* 2026-03-29 03:00 CEST = 01:00 UTC */
	int64_t mon_0230 = 1774830600;	/* 2026-03-30 02:30 CEST */

	(void)state;
	assert_int_equal(sched_next_daily(sat_0230, ams, 150), sun_0300);
	assert_int_equal(sched_next_daily(sun_0300, ams, 150), mon_0230);
	assert_int_equal(sched_next_daily(1774684800, ams, 540), 1774767600);
	assert_int_equal(1774767600 - 1774684800, 23 * H);
}

/* Amsterdam falls back on 25 October 2026 at 03:00 CEST: 02:30 happens
 * twice; the run is at the first and only once, and 09:00 comes 25 hours
 * after the last. */
static void
daily_amsterdam_fall_back(void **state)
{
	const struct tz *ams = zone("Europe/Amsterdam");
	int64_t sat_0230 = 1792801800;		/* 2026-10-24 02:30 CEST */
	int64_t first_0230 = 1792888200;	/* 2026-10-25 02:30 CEST = 00:30 UTC */
	int64_t mon_0230 = 1792978200;		/* 2026-10-26 02:30 CET */

	(void)state;
	assert_int_equal(sched_next_daily(sat_0230, ams, 150), first_0230);
	assert_int_equal(sched_next_daily(first_0230, ams, 150), mon_0230);
	/* between the two 02:30s (the second is 01:30 UTC): not again */
	assert_int_equal(sched_next_daily(first_0230 + 1800, ams, 150), mon_0230);
	assert_int_equal(sched_next_daily(1792825200, ams, 540), 1792915200);
	assert_int_equal(1792915200 - 1792825200, 25 * H);
}

/* New York springs forward on 8 March 2026 at 02:00 EST (07:00 UTC) and
 * falls back on 1 November 2026 at 02:00 EDT (01:30 happens twice). */
static void
daily_new_york_spring_forward(void **state)
{
	const struct tz *ny = zone("America/New_York");

	(void)state;
	/* 02:30 on 7 March EST -> 03:00 EDT on the 8th -> 02:30 EDT on the 9th */
	assert_int_equal(sched_next_daily(1772868600, ny, 150), 1772953200);
	assert_int_equal(sched_next_daily(1772953200, ny, 150), 1773037800);
	/* 09:00 EST on the 7th -> 09:00 EDT on the 8th, 23 hours on */
	assert_int_equal(sched_next_daily(1772892000, ny, 540), 1772974800);
	assert_int_equal(1772974800 - 1772892000, 23 * H);
}

static void
daily_new_york_fall_back(void **state)
{
	const struct tz *ny = zone("America/New_York");
	int64_t first_0130 = 1793511000;	/* 2026-11-01 01:30 EDT = 05:30 UTC */

	(void)state;
	assert_int_equal(sched_next_daily(1793424600, ny, 90), first_0130);
	assert_int_equal(sched_next_daily(first_0130, ny, 90), 1793601000);
	/* the second 01:30 (EST, 06:30 UTC) is not a second run */
	assert_int_equal(sched_next_daily(first_0130 + H, ny, 90), 1793601000);
	assert_int_equal(sched_next_daily(1793451600, ny, 540), 1793541600);
	assert_int_equal(1793541600 - 1793451600, 25 * H);
}

static void
daily_is_strictly_after_and_clamps_minutes(void **state)
{
	const struct tz *utc = zone("UTC");
	int64_t day = 20000 * (int64_t)86400;	/* a UTC midnight */

	(void)state;
	assert_int_equal(sched_next_daily(day + 150 * 60 - 1, utc, 150), day + 150 * 60);
	assert_int_equal(sched_next_daily(day + 150 * 60, utc, 150), day + 86400 + 150 * 60);
	/* a minute outside the day is taken as midnight */
	assert_int_equal(sched_next_daily(day + 1, utc, -5), day + 86400);
	assert_int_equal(sched_next_daily(day + 1, utc, 1440), day + 86400);
	assert_int_equal(sched_next_daily(day + 1, utc, 1439), day + 1439 * 60);
}

/* ---- sched_next_interval ---- */

static void
interval_is_a_fixed_grid(void **state)
{
	(void)state;
	assert_int_equal(sched_next_interval(0, 600, 0), 600);
	assert_int_equal(sched_next_interval(599, 600, 0), 600);
	assert_int_equal(sched_next_interval(600, 600, 0), 1200);	/* strictly after */
	assert_int_equal(sched_next_interval(1234, 600, 0), 1800);
	/* from the grid, not from when the last run ended: no drift */
	assert_int_equal(sched_next_interval(1799, 600, 0), 1800);
	assert_int_equal(sched_next_interval(1000, 600, 100), 1300);
	assert_int_equal(sched_next_interval(50, 600, 100), 100);	/* before the anchor */
	assert_int_equal(sched_next_interval(50, 0, 0), 51);
	assert_int_equal(sched_next_interval(50, -10, 0), 51);
}

/* ---- sched_backoff ---- */

static void
backoff_steps(void **state)
{
	(void)state;
	assert_int_equal(sched_backoff(-1), 0);
	assert_int_equal(sched_backoff(0), 0);
	assert_int_equal(sched_backoff(1), 15 * 60);
	assert_int_equal(sched_backoff(2), H);
	assert_int_equal(sched_backoff(3), 6 * H);
	assert_int_equal(sched_backoff(4), 24 * H);
	assert_int_equal(sched_backoff(5), 24 * H);
	assert_int_equal(sched_backoff(1000), 24 * H);
}

/* ---- sched_parse_hhmm ---- */

static void
parse_hhmm(void **state)
{
	static const char *const bad[] = {
		"", "24:00", "12:60", "-1:00", "12:30x", "1230", "ab:cd", "12:", ":30",
		"12:30 ", "123:00",
	};

	(void)state;
	assert_int_equal(str_parse_hhmm(NULL), -1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(str_parse_hhmm(bad[i]), -1);
	assert_int_equal(str_parse_hhmm("00:00"), 0);
	assert_int_equal(str_parse_hhmm("02:30"), 150);
	assert_int_equal(str_parse_hhmm("23:59"), 1439);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(daily_amsterdam_spring_forward),
		cmocka_unit_test(daily_amsterdam_fall_back),
		cmocka_unit_test(daily_new_york_spring_forward),
		cmocka_unit_test(daily_new_york_fall_back),
		cmocka_unit_test(daily_is_strictly_after_and_clamps_minutes),
		cmocka_unit_test(interval_is_a_fixed_grid),
		cmocka_unit_test(backoff_steps),
		cmocka_unit_test(parse_hhmm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
