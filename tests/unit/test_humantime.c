/* test_humantime.c - times as a person reads them: today, tomorrow, this
 * week, another year, another zone, DST change days, spans and the local
 * zone.  Expected wall times were checked against Python's zoneinfo. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/humantime.h"
#include "base/tz.h"
#include "base/util.h"

static int64_t
utc(int y, unsigned mo, unsigned d, int h, int mi)
{
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static const struct tz *
zone(const char *name)
{
	const struct tz *z = NULL;
	assert_int_equal(tz_get(name, &z, NULL), BS_OK);
	return z;
}

static int
in_amsterdam(void **state)
{
	(void)state;
	return setenv("TZ", "Europe/Amsterdam", 1);
}

static int
in_new_york(void **state)
{
	(void)state;
	return setenv("TZ", "America/New_York", 1);
}

/* Sunday 6 Dec 2026, 11:00 in Amsterdam */
#define NOW utc(2026, 12, 6, 10, 0)

static void
today_and_tomorrow(void **state)
{
	char b[HT_MAX];
	(void)state;

	ht_time(utc(2026, 12, 6, 13, 5), NOW, NULL, b);
	assert_string_equal(b, "today 14:05");
	ht_time(utc(2026, 12, 6, 22, 59), NOW, NULL, b);
	assert_string_equal(b, "today 23:59");
	/* 23:00 UTC is already Monday in Amsterdam */
	ht_time(utc(2026, 12, 6, 23, 0), NOW, NULL, b);
	assert_string_equal(b, "tomorrow 00:00");
	ht_time_rel(utc(2026, 12, 7, 1, 0), NOW, NULL, b);
	assert_string_equal(b, "tomorrow 02:00 (in 15 h)");
	ht_time_rel(utc(2026, 12, 6, 9, 59) + 20, NOW, NULL, b);
	assert_string_equal(b, "today 10:59 (40 s ago)");
	ht_time(utc(2026, 12, 5, 22, 10), NOW, NULL, b);
	assert_string_equal(b, "yesterday 23:10");
}

static void
this_week_and_another_year(void **state)
{
	char b[HT_MAX];
	(void)state;

	ht_time(utc(2026, 12, 9, 1, 0), NOW, NULL, b);
	assert_string_equal(b, "Wed 9 Dec 02:00");
	ht_time_rel(utc(2026, 12, 2, 8, 30), NOW, NULL, b);
	assert_string_equal(b, "Wed 2 Dec 09:30 (4 days ago)");
	ht_time(utc(2027, 1, 5, 1, 0), NOW, NULL, b);
	assert_string_equal(b, "Tue 5 Jan 2027 02:00");
	ht_time(utc(2025, 12, 31, 22, 0), NOW, NULL, b);
	assert_string_equal(b, "Wed 31 Dec 2025 23:00");
	/* Amsterdam's new year comes before UTC's */
	ht_time(utc(2026, 12, 31, 23, 30), utc(2026, 12, 31, 12, 0), NULL, b);
	assert_string_equal(b, "tomorrow 00:30");
	ht_time(utc(2026, 12, 31, 23, 30), NOW, NULL, b);
	assert_string_equal(b, "Fri 1 Jan 2027 00:30");
}

static void
another_zone_is_named(void **state)
{
	char b[HT_MAX];
	(void)state;

	ht_time(utc(2026, 12, 21, 14, 0), NOW, zone("America/New_York"), b);
	assert_string_equal(b, "Mon 21 Dec 09:00 America/New_York");
	/* "today" is today where that zone is: still Saturday in New York */
	ht_time(utc(2026, 12, 6, 4, 0), utc(2026, 12, 6, 3, 0), zone("America/New_York"), b);
	assert_string_equal(b, "today 23:00 America/New_York");
	/* the local zone given by name is not named again */
	ht_time(utc(2026, 12, 6, 13, 5), NOW, zone("Europe/Amsterdam"), b);
	assert_string_equal(b, "today 14:05");
	/* same offset, other zone: still named */
	ht_time(utc(2026, 12, 6, 13, 5), NOW, zone("Europe/Berlin"), b);
	assert_string_equal(b, "today 14:05 Europe/Berlin");
	ht_time(utc(2026, 12, 6, 13, 5), NOW, zone("UTC"), b);
	assert_string_equal(b, "today 13:05 UTC");
}

static void
dst_spring_forward_amsterdam(void **state)
{
	int64_t now = utc(2026, 3, 28, 11, 0);	/* Sat 12:00 CET */
	char b[HT_MAX];
	(void)state;

	ht_time(utc(2026, 3, 29, 0, 30), now, NULL, b);
	assert_string_equal(b, "tomorrow 01:30");
	ht_time(utc(2026, 3, 29, 1, 30), now, NULL, b);	/* after the gap */
	assert_string_equal(b, "tomorrow 03:30");
	/* noon to noon across the change is 23 hours */
	ht_time_rel(utc(2026, 3, 29, 10, 0), now, NULL, b);
	assert_string_equal(b, "tomorrow 12:00 (in 23 h)");
	/* autumn: back to CET on 25 Oct */
	ht_time(utc(2026, 10, 25, 11, 0), utc(2026, 10, 24, 10, 0), NULL, b);
	assert_string_equal(b, "tomorrow 12:00");
}

static void
dst_fall_back_new_york(void **state)
{
	int64_t now = utc(2026, 10, 31, 16, 0);	/* Sat 12:00 EDT */
	char b[HT_MAX];
	(void)state;

	ht_time(utc(2026, 11, 1, 5, 30), now, NULL, b);
	assert_string_equal(b, "tomorrow 01:30");
	ht_time(utc(2026, 11, 1, 6, 30), now, NULL, b);	/* the hour again, EST */
	assert_string_equal(b, "tomorrow 01:30");
	ht_time_rel(utc(2026, 11, 1, 17, 0), now, NULL, b);
	assert_string_equal(b, "tomorrow 12:00 (in 25 h)");
	/* an Amsterdam time off read from New York names its zone */
	ht_time(utc(2026, 11, 2, 8, 0), now, zone("Europe/Amsterdam"), b);
	assert_string_equal(b, "Mon 2 Nov 09:00 Europe/Amsterdam");
}

static void
spans(void **state)
{
	char b[32];
	(void)state;

	ht_span(0, b, sizeof b);
	assert_string_equal(b, "0 s");
	ht_span(40, b, sizeof b);
	assert_string_equal(b, "40 s");
	ht_span(-40, b, sizeof b);
	assert_string_equal(b, "40 s");
	ht_span(90, b, sizeof b);
	assert_string_equal(b, "2 min");
	ht_span(5 * 60 + 10, b, sizeof b);
	assert_string_equal(b, "5 min");
	ht_span(19 * 3600 - 15, b, sizeof b);
	assert_string_equal(b, "19 h");
	ht_span(47 * 3600, b, sizeof b);
	assert_string_equal(b, "47 h");
	ht_span(3 * 86400 + 3600, b, sizeof b);
	assert_string_equal(b, "3 days");
	ht_from_now(100, 100, b, sizeof b);
	assert_string_equal(b, "just now");
	ht_from_now(100, 140, b, sizeof b);
	assert_string_equal(b, "40 s ago");
	ht_from_now(140, 100, b, sizeof b);
	assert_string_equal(b, "in 40 s");
}

static void
never_and_dates(void **state)
{
	char b[HT_MAX];
	int64_t today = days_from_civil(2026, 12, 6);
	(void)state;

	ht_time(0, NOW, NULL, b);
	assert_string_equal(b, "never");
	ht_time_rel(0, NOW, NULL, b);
	assert_string_equal(b, "never");
	ht_date(days_from_civil(2026, 12, 21), today, b);
	assert_string_equal(b, "Mon 21 Dec");
	ht_date(days_from_civil(2027, 2, 1), today, b);
	assert_string_equal(b, "Mon 1 Feb 2027");
	assert_int_equal(ht_local_today(utc(2026, 12, 6, 23, 30)), days_from_civil(2026, 12, 7));
}

static void
local_zone_from_tz(void **state)
{
	(void)state;

	assert_string_equal(tz_name(ht_local_zone()), "America/New_York");
	setenv("TZ", ":Europe/Amsterdam", 1);
	assert_string_equal(tz_name(ht_local_zone()), "Europe/Amsterdam");
	/* a name that is no zone falls back to the system's, never NULL */
	setenv("TZ", "Not/AZone", 1);
	assert_non_null(ht_local_zone());
	unsetenv("TZ");
	assert_non_null(ht_local_zone());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(today_and_tomorrow, in_amsterdam),
		cmocka_unit_test_setup(this_week_and_another_year, in_amsterdam),
		cmocka_unit_test_setup(another_zone_is_named, in_amsterdam),
		cmocka_unit_test_setup(dst_spring_forward_amsterdam, in_amsterdam),
		cmocka_unit_test_setup(dst_fall_back_new_york, in_new_york),
		cmocka_unit_test_setup(spans, in_amsterdam),
		cmocka_unit_test_setup(never_and_dates, in_amsterdam),
		cmocka_unit_test_setup(local_zone_from_tz, in_new_york),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
