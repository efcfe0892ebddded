/* test_tz.c - time zones: TZif reading, offsets, DST gaps and overlaps,
 * the POSIX footer rule, name validation and the shared cache.
 * Expected instants were checked against Python's zoneinfo. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tz.h"
#include "base/util.h"

/* Unix seconds of a UTC wall time. */
static int64_t
utc(int y, unsigned mo, unsigned d, int h, int mi)
{
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static const struct tz *
zone(const char *name)
{
	const struct tz *z = NULL;
	struct bs_error err = { 0 };
	assert_int_equal(tz_get(name, &z, &err), BS_OK);
	assert_non_null(z);
	return z;
}

/* ---- tz_get / tz_valid_name ---- */

static void
get_rejects_bad_names(void **state)
{
	static const char *const bad[] = {
		"", "/etc/passwd", "../etc/passwd", "Europe/../../etc/passwd", "Europe/..",
		"..", "Europe/Amsterdam/", "Europe//Amsterdam", "Europe/Amst erdam",
		"Europe/Amsterdam\n", "Europe/Amst.erdam", "Europe\\Amsterdam", "UTC;rm",
	};
	const struct tz *z = (const struct tz *)1;
	struct bs_error err = { 0 };
	char longname[300];
	(void)state;

	assert_int_equal(tz_get(NULL, &z, &err), BS_ERR_INVALID);
	assert_null(z);
	assert_int_equal(tz_get("UTC", NULL, NULL), BS_ERR_INVALID);
	assert_false(tz_valid_name(NULL));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		bs_error_clear(&err);
		z = (const struct tz *)1;
		assert_int_equal(tz_get(bad[i], &z, &err), BS_ERR_INVALID);
		assert_null(z);
		assert_non_null(strstr(err.detail, "not a valid time zone name"));
		assert_false(tz_valid_name(bad[i]));
	}
	memset(longname, 'A', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_false(tz_valid_name(longname));
}

static void
get_unknown_and_folders(void **state)
{
	const struct tz *z;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(tz_get("Nowhere/Atlantis", &z, &err), BS_ERR_NOT_FOUND);
	assert_non_null(strstr(err.detail, "Nowhere/Atlantis"));
	/* a folder of the database is not a zone */
	assert_int_not_equal(tz_get("Europe", &z, NULL), BS_OK);
	assert_false(tz_valid_name("Europe"));
	/* names with a dot (zone1970.tab) are refused */
	assert_int_not_equal(tz_get("zone1970.tab", &z, NULL), BS_OK);
	assert_true(tz_valid_name("Europe/Amsterdam"));
	assert_true(tz_valid_name("Etc/GMT+5"));
	/* POSIX sign convention: Etc/GMT+5 is five hours behind UTC */
	assert_int_equal(tz_offset_at(zone("Etc/GMT+5"), utc(2026, 7, 1, 0, 0)), -5 * 3600);
}

static void
get_caches_and_names(void **state)
{
	const struct tz *a = zone("Europe/Amsterdam"), *b = zone("Europe/Amsterdam");
	(void)state;
	assert_ptr_equal(a, b);
	assert_string_equal(tz_name(a), "Europe/Amsterdam");
	assert_string_equal(tz_name(NULL), "UTC");
}

static void
utc_without_file(void **state)
{
	const struct tz *z;
	char buf[32];
	(void)state;
	/* An empty zone folder: UTC still works, other zones do not. */
	setenv("TZDIR", "/nonexistent-tzdir-for-bobsync-tests", 1);
	assert_int_equal(tz_get("UTC", &z, NULL), BS_OK);
	assert_string_equal(tz_name(z), "UTC");
	assert_int_equal(tz_offset_at(z, utc(2026, 7, 1, 0, 0)), 0);
	tz_format_iso(z, utc(2026, 3, 2, 12, 0), buf);
	assert_string_equal(buf, "2026-03-02T12:00:00+00:00");
	assert_int_equal(tz_get("Etc/UTC", &z, NULL), BS_OK);
	assert_int_equal(tz_local_to_utc(z, days_from_civil(2026, 3, 29), 150),
	    utc(2026, 3, 29, 2, 30));
	assert_int_equal(tz_get("Europe/Paris", &z, NULL), BS_ERR_NOT_FOUND);
	unsetenv("TZDIR");
	assert_int_equal(tz_get("Europe/Paris", &z, NULL), BS_OK);
}

/* ---- tz_offset_at ---- */

static void
offset_null_zone(void **state)
{
	(void)state;
	assert_int_equal(tz_offset_at(NULL, 0), 0);
	assert_int_equal(tz_offset_at(NULL, INT64_MAX), 0);
	assert_int_equal(tz_local_days(NULL, 86400 * 3 + 5), 3);
	assert_int_equal(tz_local_to_utc(NULL, 2, 60), 2 * 86400 + 3600);
}

static void
offset_known_instants(void **state)
{
	static const struct {
		const char *zone;
		int32_t jan, jul;
	} cases[] = {
		{ "Europe/Amsterdam", 3600, 7200 },
		{ "America/Los_Angeles", -28800, -25200 },
		{ "Asia/Kolkata", 19800, 19800 },
		{ "Europe/London", 0, 3600 },
		{ "Australia/Sydney", 39600, 36000 },	/* summer in January */
		{ "UTC", 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct tz *z = zone(cases[i].zone);
		assert_int_equal(tz_offset_at(z, utc(2026, 1, 15, 12, 0)), cases[i].jan);
		assert_int_equal(tz_offset_at(z, utc(2026, 7, 15, 12, 0)), cases[i].jul);
	}
}

static void
offset_exact_transitions(void **state)
{
	const struct tz *ams = zone("Europe/Amsterdam"), *la = zone("America/Los_Angeles");
	const struct tz *syd = zone("Australia/Sydney");
	(void)state;
	/* Amsterdam 2026: 29 March 01:00 UTC and 25 October 01:00 UTC */
	assert_int_equal(tz_offset_at(ams, 1774746000 - 1), 3600);
	assert_int_equal(tz_offset_at(ams, 1774746000), 7200);
	assert_int_equal(tz_offset_at(ams, 1792890000 - 1), 7200);
	assert_int_equal(tz_offset_at(ams, 1792890000), 3600);
	/* Los Angeles 2026: 8 March 10:00 UTC, 1 November 09:00 UTC */
	assert_int_equal(tz_offset_at(la, 1772964000 - 1), -28800);
	assert_int_equal(tz_offset_at(la, 1772964000), -25200);
	assert_int_equal(tz_offset_at(la, 1793523600 - 1), -25200);
	assert_int_equal(tz_offset_at(la, 1793523600), -28800);
	/* Sydney: 5 April 2026 03:00 AEDT -> AEST */
	assert_int_equal(tz_offset_at(syd, utc(2026, 4, 4, 16, 0) - 1), 39600);
	assert_int_equal(tz_offset_at(syd, utc(2026, 4, 4, 16, 0)), 36000);
}

static void
offset_far_future_uses_footer(void **state)
{
	const struct tz *ams = zone("Europe/Amsterdam"), *la = zone("America/Los_Angeles");
	const struct tz *syd = zone("Australia/Sydney"), *kol = zone("Asia/Kolkata");
	(void)state;
	/* Past any transition a zone file lists (2037 in fat files). */
	assert_int_equal(tz_offset_at(ams, 2216250000 - 1), 3600);	/* 2040-03-25 01:00Z */
	assert_int_equal(tz_offset_at(ams, 2216250000), 7200);
	assert_int_equal(tz_offset_at(ams, 2234998800 - 1), 7200);	/* 2040-10-28 01:00Z */
	assert_int_equal(tz_offset_at(ams, 2234998800), 3600);
	assert_int_equal(tz_offset_at(syd, 2216822400 - 1), 39600);	/* 2040-03-31 16:00Z */
	assert_int_equal(tz_offset_at(syd, 2216822400), 36000);
	assert_int_equal(tz_offset_at(syd, 2233152000 - 1), 36000);	/* 2040-10-06 16:00Z */
	assert_int_equal(tz_offset_at(syd, 2233152000), 39600);
	assert_int_equal(tz_offset_at(la, 2688631200 - 1), -28800);	/* 2055-03-14 10:00Z */
	assert_int_equal(tz_offset_at(la, 2688631200), -25200);
	assert_int_equal(tz_offset_at(kol, utc(2100, 7, 15, 12, 0)), 19800);
	assert_int_equal(tz_offset_at(ams, utc(2100, 7, 15, 12, 0)), 7200);
	/* absurd instants do not overflow */
	assert_true(tz_offset_at(ams, INT64_MAX) == 3600 || tz_offset_at(ams, INT64_MAX) == 7200);
	assert_true(tz_offset_at(ams, INT64_MIN) > 0);
}

/* ---- tz_local_to_utc ---- */

static void
local_to_utc_plain(void **state)
{
	const struct tz *ams = zone("Europe/Amsterdam"), *kol = zone("Asia/Kolkata");
	const struct tz *la = zone("America/Los_Angeles");
	int64_t d = days_from_civil(2026, 3, 2);
	(void)state;
	assert_int_equal(tz_local_to_utc(ams, d, 0), utc(2026, 3, 1, 23, 0));
	assert_int_equal(tz_local_to_utc(ams, d, 720), utc(2026, 3, 2, 11, 0));
	assert_int_equal(tz_local_to_utc(ams, d, 1440), tz_local_to_utc(ams, d + 1, 0));
	assert_int_equal(tz_local_to_utc(kol, d, 0), utc(2026, 3, 1, 18, 30));
	assert_int_equal(tz_local_to_utc(la, d, 0), utc(2026, 3, 2, 8, 0));
}

static void
local_to_utc_gap_maps_forward(void **state)
{
	const struct tz *ams = zone("Europe/Amsterdam"), *la = zone("America/Los_Angeles");
	int64_t d = days_from_civil(2026, 3, 29);
	(void)state;
	/* 02:00-03:00 does not exist on 29 March 2026 in Amsterdam */
	assert_int_equal(tz_local_to_utc(ams, d, 119), utc(2026, 3, 29, 0, 59));
	assert_int_equal(tz_local_to_utc(ams, d, 120), 1774746000);
	assert_int_equal(tz_local_to_utc(ams, d, 150), 1774746000);
	assert_int_equal(tz_local_to_utc(ams, d, 179), 1774746000);
	assert_int_equal(tz_local_to_utc(ams, d, 180), 1774746000);
	assert_int_equal(tz_local_to_utc(ams, d, 181), 1774746000 + 60);
	/* the day is 23 hours long */
	assert_int_equal(tz_local_to_utc(ams, d, 1440) - tz_local_to_utc(ams, d, 0), 23 * 3600);
	/* Los Angeles: 02:30 on 8 March 2026 -> 03:00 PDT */
	assert_int_equal(tz_local_to_utc(la, days_from_civil(2026, 3, 8), 150), 1772964000);
}

static void
local_to_utc_overlap_first(void **state)
{
	const struct tz *ams = zone("Europe/Amsterdam"), *la = zone("America/Los_Angeles");
	int64_t d = days_from_civil(2026, 10, 25);
	(void)state;
	/* 02:00-03:00 happens twice; the first is still CEST (+02:00) */
	assert_int_equal(tz_local_to_utc(ams, d, 150), utc(2026, 10, 25, 0, 30));
	assert_int_equal(tz_local_to_utc(ams, d, 120), utc(2026, 10, 25, 0, 0));
	assert_int_equal(tz_local_to_utc(ams, d, 180), utc(2026, 10, 25, 2, 0));
	assert_int_equal(tz_local_to_utc(ams, d, 1440) - tz_local_to_utc(ams, d, 0), 25 * 3600);
	assert_int_equal(tz_local_to_utc(la, days_from_civil(2026, 11, 1), 90),
	    utc(2026, 11, 1, 8, 30));
}

static void
local_to_utc_far_future(void **state)
{
	const struct tz *ams = zone("Europe/Amsterdam");
	int64_t d = days_from_civil(2040, 3, 25);
	(void)state;
	assert_int_equal(tz_local_to_utc(ams, d, 150), 2216250000);
	assert_int_equal(tz_local_to_utc(ams, d, 1440) - tz_local_to_utc(ams, d, 0), 23 * 3600);
}

static void
local_to_utc_round_trip(void **state)
{
	/* For every quarter hour of 2026 and 2045 (footer rule): the wall
	 * time of t maps back to t, or to an earlier instant with the same
	 * wall time (the first of a repeated hour).  Lord Howe shifts by 30
	 * minutes. */
	static const char *const names[] = { "Europe/Amsterdam", "America/Los_Angeles",
	    "Asia/Kolkata", "Australia/Sydney", "Australia/Lord_Howe", "America/St_Johns" };
	static const int years[] = { 2026, 2045 };
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		const struct tz *z = zone(names[i]);
		for (size_t y = 0; y < ARRAY_LEN(years); y++) {
			int64_t from = utc(years[y], 1, 1, 0, 0), to = utc(years[y] + 1, 1, 1, 0, 0);
			int earlier = 0;
			for (int64_t t = from; t < to; t += 900) {
				int64_t wall = t + tz_offset_at(z, t);
				int64_t d = tz_local_days(z, t);
				int64_t u = tz_local_to_utc(z, d, (int)((wall - d * 86400) / 60));
				assert_int_equal(u + tz_offset_at(z, u), wall);
				assert_true(u <= t);
				if (u < t)
					earlier++;
			}
			/* one repeated hour (or half hour) a year where DST is kept */
			if (strcmp(names[i], "Asia/Kolkata") == 0)
				assert_int_equal(earlier, 0);
			else if (strcmp(names[i], "Australia/Lord_Howe") == 0)
				assert_int_equal(earlier, 2);
			else
				assert_int_equal(earlier, 4);
		}
	}
}

/* ---- tz_local_days ---- */

static void
local_days_around_midnight(void **state)
{
	const struct tz *ams = zone("Europe/Amsterdam"), *la = zone("America/Los_Angeles");
	const struct tz *kol = zone("Asia/Kolkata"), *syd = zone("Australia/Sydney");
	int64_t t = utc(2026, 3, 1, 23, 30);	/* 00:30 on 2 March in Amsterdam */
	int64_t d = days_from_civil(2026, 3, 2);
	(void)state;
	assert_int_equal(tz_local_days(ams, t), d);
	assert_int_equal(tz_local_days(ams, t - 1800), d);	/* 00:00 */
	assert_int_equal(tz_local_days(ams, t - 1801), d - 1);
	assert_int_equal(tz_local_days(la, t), d - 1);
	assert_int_equal(tz_local_days(kol, t), d);
	assert_int_equal(tz_local_days(syd, t), d);
	assert_int_equal(tz_local_days(kol, utc(2026, 3, 1, 18, 29)), d - 1);
	assert_int_equal(tz_local_days(kol, utc(2026, 3, 1, 18, 30)), d);
	assert_int_equal(tz_local_days(la, -1), -1);	/* before 1970 floors */
}

/* ---- tz_format_iso ---- */

static void
format_iso(void **state)
{
	char buf[32];
	(void)state;
	tz_format_iso(NULL, 0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00+00:00");
	tz_format_iso(zone("Europe/Amsterdam"), utc(2026, 3, 2, 11, 0), buf);
	assert_string_equal(buf, "2026-03-02T12:00:00+01:00");
	tz_format_iso(zone("Europe/Amsterdam"), 1774746000, buf);
	assert_string_equal(buf, "2026-03-29T03:00:00+02:00");
	tz_format_iso(zone("Asia/Kolkata"), utc(2026, 3, 2, 11, 0), buf);
	assert_string_equal(buf, "2026-03-02T16:30:00+05:30");
	tz_format_iso(zone("America/Los_Angeles"), utc(2026, 3, 2, 7, 59), buf);
	assert_string_equal(buf, "2026-03-01T23:59:00-08:00");
	/* local mean time before 1909 has an offset in seconds */
	tz_format_iso(zone("Europe/Amsterdam"), utc(1900, 1, 1, 0, 0), buf);
	assert_string_equal(buf, "1900-01-01T00:19:32+00:19:32");
}

/* ---- hand-made TZif files in a private TZDIR ---- */

struct tzif_spec {
	char version;		/* 0, '2', '3' */
	size_t ntrans;
	const int64_t *trans;
	const unsigned char *idx;
	size_t ntypes;
	const int32_t *utoff;
	const unsigned char *isdst;
	const char *footer;	/* NULL: none (v1) */
	uint32_t leapcnt;
	uint32_t force_timecnt;	/* nonzero: lie in the header */
};

static void
put32(FILE *f, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
	    (unsigned char)(v >> 8), (unsigned char)v };
	fwrite(b, 1, 4, f);
}

static void
put_block(FILE *f, const struct tzif_spec *s, int wide)
{
	uint32_t timecnt = s->force_timecnt ? s->force_timecnt : (uint32_t)s->ntrans;
	fwrite("TZif", 1, 4, f);
	fputc(s->version, f);
	for (int i = 0; i < 15; i++)
		fputc(0, f);
	put32(f, 0);			/* isutcnt */
	put32(f, 0);			/* isstdcnt */
	put32(f, s->leapcnt);
	put32(f, timecnt);
	put32(f, (uint32_t)s->ntypes);
	put32(f, 4);			/* charcnt: "XXX\0" */
	for (size_t i = 0; i < s->ntrans; i++) {
		if (wide)
			put32(f, (uint32_t)((uint64_t)s->trans[i] >> 32));
		put32(f, (uint32_t)s->trans[i]);
	}
	for (size_t i = 0; i < s->ntrans; i++)
		fputc(s->idx[i], f);
	for (size_t i = 0; i < s->ntypes; i++) {
		put32(f, (uint32_t)s->utoff[i]);
		fputc(s->isdst[i], f);
		fputc(0, f);
	}
	fwrite("XXX", 1, 4, f);
	for (uint32_t i = 0; i < s->leapcnt; i++) {
		if (wide)
			put32(f, 0);
		put32(f, 78796800);
		put32(f, 1);
	}
}

static char tzdir[64];

static void
write_zone(const char *name, const struct tzif_spec *s)
{
	char path[160];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", tzdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	put_block(f, s, 0);
	if (s->version != 0) {
		put_block(f, s, 1);
		fprintf(f, "\n%s\n", s->footer ? s->footer : "");
	}
	fclose(f);
}

static void
write_raw(const char *name, const void *data, size_t len)
{
	char path[160];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", tzdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(data, 1, len, f);
	fclose(f);
}

static int
tzdir_setup(void **state)
{
	char sub[96];
	(void)state;
	snprintf(tzdir, sizeof tzdir, "/tmp/bobsync-tz-XXXXXX");
	if (mkdtemp(tzdir) == NULL)
		return -1;
	snprintf(sub, sizeof sub, "%s/Test", tzdir);
	if (mkdir(sub, 0700) < 0)
		return -1;
	setenv("TZDIR", tzdir, 1);
	return 0;
}

static int
tzdir_teardown(void **state)
{
	char cmd[128];
	(void)state;
	unsetenv("TZDIR");
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tzdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
tzif_slim_footer_only(void **state)
{
	/* A "slim" v2 file: no transitions at all, only the rule. */
	static const int32_t utoff[] = { 3600 };
	static const unsigned char isdst[] = { 0 };
	struct tzif_spec s = { '2', 0, NULL, NULL, 1, utoff, isdst,
	    "CET-1CEST,M3.5.0,M10.5.0/3", 0, 0 };
	const struct tz *slim, *real;
	(void)state;
	write_zone("Test/Slim", &s);
	assert_int_equal(tz_get("Test/Slim", &slim, NULL), BS_OK);
	unsetenv("TZDIR");
	real = zone("Europe/Amsterdam");
	setenv("TZDIR", tzdir, 1);
	for (int64_t t = utc(2026, 1, 1, 0, 0); t < utc(2027, 1, 1, 0, 0); t += 1800)
		assert_int_equal(tz_offset_at(slim, t), tz_offset_at(real, t));
	assert_int_equal(tz_local_to_utc(slim, days_from_civil(2026, 3, 29), 150), 1774746000);
}

static void
tzif_v1_and_v3(void **state)
{
	static const int64_t trans[] = { 0, 1000000 };
	static const unsigned char idx[] = { 1, 0 };
	static const int32_t utoff[] = { -18000, -14400 };
	static const unsigned char isdst[] = { 0, 1 };
	struct tzif_spec v1 = { 0, 2, trans, idx, 2, utoff, isdst, NULL, 0, 0 };
	struct tzif_spec v3 = { '3', 2, trans, idx, 2, utoff, isdst, "<-05>5", 0, 0 };
	/* v3 extension: the DST change at 25:00 (hour > 24) */
	struct tzif_spec ext = { '3', 0, NULL, NULL, 1, utoff, isdst,
	    "EST5EDT,M3.2.0/26,M11.1.0/-1", 0, 0 };
	const struct tz *z;
	(void)state;
	write_zone("Test/V1", &v1);
	assert_int_equal(tz_get("Test/V1", &z, NULL), BS_OK);
	assert_int_equal(tz_offset_at(z, -1), -18000);		/* type 0 before */
	assert_int_equal(tz_offset_at(z, 0), -14400);
	assert_int_equal(tz_offset_at(z, 999999), -14400);
	assert_int_equal(tz_offset_at(z, 1000000), -18000);
	assert_int_equal(tz_offset_at(z, utc(2030, 7, 1, 0, 0)), -18000);	/* no footer: last type */
	write_zone("Test/V3", &v3);
	assert_int_equal(tz_get("Test/V3", &z, NULL), BS_OK);
	assert_int_equal(tz_offset_at(z, 500000), -14400);
	assert_int_equal(tz_offset_at(z, utc(2030, 7, 1, 0, 0)), -18000);
	write_zone("Test/Ext", &ext);
	assert_int_equal(tz_get("Test/Ext", &z, NULL), BS_OK);
	/* 2026-03-08 is the 2nd Sunday; 26:00 EST = 9 March 07:00 UTC */
	assert_int_equal(tz_offset_at(z, utc(2026, 3, 9, 7, 0) - 1), -18000);
	assert_int_equal(tz_offset_at(z, utc(2026, 3, 9, 7, 0)), -14400);
	/* 1 November -1:00 EDT = 31 October 23:00 EDT = 1 November 03:00 UTC */
	assert_int_equal(tz_offset_at(z, utc(2026, 11, 1, 3, 0) - 1), -14400);
	assert_int_equal(tz_offset_at(z, utc(2026, 11, 1, 3, 0)), -18000);
}

static void
tzif_rejects_damage(void **state)
{
	static const int64_t trans[] = { 0, 1000000 };
	static const int64_t unsorted[] = { 1000000, 0 };
	static const unsigned char idx[] = { 1, 0 };
	static const unsigned char badidx[] = { 1, 7 };
	static const int32_t utoff[] = { -18000, -14400 };
	static const int32_t hugeoff[] = { -18000, 200000 };
	static const unsigned char isdst[] = { 0, 1 };
	struct tzif_spec s;
	const struct tz *z;
	struct bs_error err = { 0 };
	char path[160];
	(void)state;

	s = (struct tzif_spec){ '2', 2, trans, badidx, 2, utoff, isdst, "<-05>5", 0, 0 };
	write_zone("Test/BadIdx", &s);
	assert_int_equal(tz_get("Test/BadIdx", &z, &err), BS_ERR_PARSE);
	assert_non_null(strstr(err.detail, "Test/BadIdx"));

	s = (struct tzif_spec){ '2', 2, unsorted, idx, 2, utoff, isdst, "<-05>5", 0, 0 };
	write_zone("Test/Unsorted", &s);
	assert_int_equal(tz_get("Test/Unsorted", &z, NULL), BS_ERR_PARSE);

	s = (struct tzif_spec){ '2', 2, trans, idx, 2, hugeoff, isdst, "<-05>5", 0, 0 };
	write_zone("Test/HugeOff", &s);
	assert_int_equal(tz_get("Test/HugeOff", &z, NULL), BS_ERR_PARSE);

	/* a header claiming more transitions than the file holds, or an
	 * absurd number: refused before allocating */
	s = (struct tzif_spec){ '2', 2, trans, idx, 2, utoff, isdst, "<-05>5", 0, 5 };
	write_zone("Test/Short", &s);
	assert_int_equal(tz_get("Test/Short", &z, NULL), BS_ERR_PARSE);
	s.force_timecnt = 0x7fffffff;
	write_zone("Test/Huge", &s);
	assert_int_equal(tz_get("Test/Huge", &z, NULL), BS_ERR_PARSE);

	s = (struct tzif_spec){ '2', 2, trans, idx, 2, utoff, isdst, "<-05>5", 2, 0 };
	write_zone("Test/Leaps", &s);
	assert_int_equal(tz_get("Test/Leaps", &z, &err), BS_ERR_PARSE);
	assert_non_null(strstr(err.detail, "leap seconds"));

	s = (struct tzif_spec){ '2', 2, trans, idx, 2, utoff, isdst, "not a rule", 0, 0 };
	write_zone("Test/BadRule", &s);
	assert_int_equal(tz_get("Test/BadRule", &z, NULL), BS_ERR_PARSE);

	write_raw("Test/Empty", "", 0);
	assert_int_equal(tz_get("Test/Empty", &z, NULL), BS_ERR_PARSE);
	write_raw("Test/Text", "TZ=Europe/Amsterdam\n", 20);
	assert_int_equal(tz_get("Test/Text", &z, NULL), BS_ERR_PARSE);
	write_raw("Test/Magic", "TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	assert_int_equal(tz_get("Test/Magic", &z, NULL), BS_ERR_PARSE);

	/* a FIFO must not hang the reader */
	snprintf(path, sizeof path, "%s/Test/Fifo", tzdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_not_equal(tz_get("Test/Fifo", &z, NULL), BS_OK);

	/* a failed load is not cached: a repaired file loads */
	s = (struct tzif_spec){ '2', 2, trans, idx, 2, utoff, isdst, "<-05>5", 0, 0 };
	write_zone("Test/BadRule", &s);
	assert_int_equal(tz_get("Test/BadRule", &z, NULL), BS_OK);
}

/* ---- threads ---- */

static const char *const thread_zones[] = {
	"Europe/Berlin", "America/New_York", "Asia/Tokyo", "Africa/Nairobi",
	"America/Sao_Paulo", "Pacific/Auckland", "Europe/Madrid", "Asia/Singapore",
};

static void *
thread_load(void *arg)
{
	const struct tz **got = arg;
	for (int round = 0; round < 50; round++)
		for (size_t i = 0; i < ARRAY_LEN(thread_zones); i++) {
			const struct tz *z = NULL;
			if (tz_get(thread_zones[i], &z, NULL) != BS_OK)
				return (void *)1;
			if (got[i] != NULL && got[i] != z)
				return (void *)1;
			got[i] = z;
			(void)tz_offset_at(z, utc(2026, 6, 1, 0, 0));
		}
	return NULL;
}

static void
threads_share_zones(void **state)
{
	const struct tz *a[ARRAY_LEN(thread_zones)] = { 0 }, *b[ARRAY_LEN(thread_zones)] = { 0 };
	pthread_t ta, tb;
	void *ra, *rb;
	(void)state;
	assert_int_equal(pthread_create(&ta, NULL, thread_load, a), 0);
	assert_int_equal(pthread_create(&tb, NULL, thread_load, b), 0);
	pthread_join(ta, &ra);
	pthread_join(tb, &rb);
	assert_null(ra);
	assert_null(rb);
	for (size_t i = 0; i < ARRAY_LEN(thread_zones); i++)
		assert_ptr_equal(a[i], b[i]);	/* one shared zone per name */
	assert_int_equal(tz_offset_at(a[2], utc(2026, 6, 1, 0, 0)), 9 * 3600);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_rejects_bad_names),
		cmocka_unit_test(get_unknown_and_folders),
		cmocka_unit_test(get_caches_and_names),
		cmocka_unit_test(utc_without_file),
		cmocka_unit_test(offset_null_zone),
		cmocka_unit_test(offset_known_instants),
		cmocka_unit_test(offset_exact_transitions),
		cmocka_unit_test(offset_far_future_uses_footer),
		cmocka_unit_test(local_to_utc_plain),
		cmocka_unit_test(local_to_utc_gap_maps_forward),
		cmocka_unit_test(local_to_utc_overlap_first),
		cmocka_unit_test(local_to_utc_far_future),
		cmocka_unit_test(local_to_utc_round_trip),
		cmocka_unit_test(local_days_around_midnight),
		cmocka_unit_test(format_iso),
		cmocka_unit_test_setup_teardown(tzif_slim_footer_only, tzdir_setup, tzdir_teardown),
		cmocka_unit_test_setup_teardown(tzif_v1_and_v3, tzdir_setup, tzdir_teardown),
		cmocka_unit_test_setup_teardown(tzif_rejects_damage, tzdir_setup, tzdir_teardown),
		cmocka_unit_test(threads_share_zones),
	};
	unsetenv("TZDIR");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
