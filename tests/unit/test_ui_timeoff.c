/* test_ui_timeoff.c - the time-off screen's rows without a terminal: event
 * times shortened for the list and whole in the detail (with the zone and
 * the parts), sync/skip with the reason, a name falling back to the email
 * and id, the counts line, filter by reason, sort by sync. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "timeoff_view.h"
#include "base/util.h"

static void
item(struct toff_preview_item *it, long long id, const char *name, const char *email,
    int sync, const char *reason, const char *start, const char *end, size_t parts)
{
	memset(it, 0, sizeof *it);
	it->request_id = id;
	it->employee_id = xstrdup("3332883884017713238");
	it->name = xstrdup(name);
	it->email = xstrdup(email);
	it->policy = xstrdup("Holiday");
	it->type = xstrdup("days");
	it->status = xstrdup(sync ? "approved" : "pending");
	it->sync = sync;
	it->reason = xstrdup(reason);
	it->zone = xstrdup("Europe/Amsterdam");
	it->agent_id = sync ? xstrdup("agent-7") : NULL;
	snprintf(it->start, sizeof it->start, "%s", start);
	snprintf(it->end, sizeof it->end, "%s", end);
	it->nevents = parts;
}

static void
preview(struct toff_preview *p)
{
	memset(p, 0, sizeof *p);
	snprintf(p->from, sizeof p->from, "2026-06-01");
	snprintf(p->to, sizeof p->to, "2026-08-30");
	p->n = 3;
	p->v = xcalloc(3, sizeof *p->v);
	item(&p->v[0], 11, "Zo\xc3\xab \xc5\x81ukasiewicz", "zoe@example.com", 1,
	    "approved, 3 full days", "2026-06-01T00:00:00+02:00", "2026-06-04T00:00:00+02:00", 1);
	item(&p->v[1], 12, NULL, "ada@example.com", 0, "pending approval: synced once approved",
	    "", "", 0);
	item(&p->v[2], 13, NULL, NULL, 1, "approved, 2 parts", "2026-07-01T09:00:00+02:00",
	    "2026-07-02T13:00:00+02:00", 2);
	p->total = 3;
	p->sync = 2;
	p->skip = 1;
}

static void
times_and_cells(void **state)
{
	struct toff_preview p;
	struct toff_view v;
	char buf[40];

	(void)state;
	/* human times: the weekday and date, the year when not this year */
	setenv("BOBSYNC_FAKE_NOW", "2026-05-20T10:00:00Z", 1);
	assert_string_equal(toff_view_time("2026-06-01T09:30:00+02:00", buf, sizeof buf),
	    "Mon 1 Jun 09:30");
	assert_string_equal(toff_view_time("2027-01-05T13:00:00-05:00", buf, sizeof buf),
	    "5 Jan 2027 13:00");
	assert_string_equal(toff_view_time("", buf, sizeof buf), "");
	assert_string_equal(toff_view_time("2026-06-01", buf, sizeof buf), "2026-06-01");
	preview(&p);
	toff_view_init(&v, &p);
	assert_null(p.v);	/* moved */
	assert_string_equal(toff_view_cell(&v, 0, TOFF_COL_NAME), "Zo\xc3\xab \xc5\x81ukasiewicz");
	assert_string_equal(toff_view_cell(&v, 1, TOFF_COL_NAME), "ada@example.com");
	assert_string_equal(toff_view_cell(&v, 2, TOFF_COL_NAME), "3332883884017713238");
	assert_string_equal(toff_view_cell(&v, 0, TOFF_COL_START), "Mon 1 Jun 00:00");
	assert_string_equal(toff_view_cell(&v, 0, TOFF_COL_END), "Thu 4 Jun 00:00");
	assert_string_equal(toff_view_cell(&v, 0, TOFF_COL_SYNC), "sync");
	assert_string_equal(toff_view_cell(&v, 1, TOFF_COL_SYNC), "skip");
	assert_string_equal(toff_view_cell(&v, 1, TOFF_COL_REASON),
	    "pending approval: synced once approved");
	toff_view_clear(&v);
}

static void
detail_and_counts(void **state)
{
	struct toff_preview p;
	struct toff_view v;
	char line[256];
	const char *d;

	(void)state;
	setenv("BOBSYNC_FAKE_NOW", "2026-05-20T10:00:00Z", 1);
	preview(&p);
	toff_view_init(&v, &p);
	d = toff_view_detail(&v, 0);
	assert_non_null(strstr(d, "<zoe@example.com> \xc2\xb7 request 11 \xc2\xb7 Holiday (days)"));
	assert_non_null(strstr(d, "Syncs to Assembled \xe2\x80\x94 approved, 3 full days"));
	assert_non_null(strstr(d, "Event: Mon 1 Jun to Wed 3 Jun, 3 full days, "
	    "Europe/Amsterdam\n"));
	assert_non_null(strstr(d, "Assembled agent: agent-7"));
	d = toff_view_detail(&v, 1);
	assert_non_null(strstr(d, "Skipped \xe2\x80\x94 pending approval"));
	assert_non_null(strstr(d, "Event: (none)"));
	assert_non_null(strstr(d, "Assembled agent: not matched"));
	/* a skipped request with its days from HiBob shows them, in the
	 * list's Start and End too */
	snprintf(v.p.v[1].first_date, sizeof v.p.v[1].first_date, "2026-06-10");
	snprintf(v.p.v[1].last_date, sizeof v.p.v[1].last_date, "2026-06-12");
	d = toff_view_detail(&v, 1);
	assert_non_null(strstr(d, "Days in HiBob (no event): Wed 10 Jun \xe2\x86\x92 Fri 12 Jun"));
	assert_string_equal(toff_view_cell(&v, 1, TOFF_COL_START), "Wed 10 Jun");
	assert_string_equal(toff_view_cell(&v, 1, TOFF_COL_END), "Fri 12 Jun");
	v.p.v[1].last_date[0] = '\0';	/* open-ended */
	assert_string_equal(toff_view_cell(&v, 1, TOFF_COL_END), "no end");
	d = toff_view_detail(&v, 2);
	assert_non_null(strstr(d, ", Europe/Amsterdam, in 2 parts"));
	assert_string_equal(toff_view_counts(&v, line, sizeof line), "2026-06-01 to 2026-08-30: "
	    "3 requests, 2 will sync to Assembled, 1 will not");
	toff_view_clear(&v);
}

static void
filter_and_sort(void **state)
{
	struct toff_preview p;
	struct toff_view v;

	(void)state;
	setenv("BOBSYNC_FAKE_NOW", "2026-05-20T10:00:00Z", 1);
	preview(&p);
	toff_view_init(&v, &p);
	wlist_set_filter(&v.list, "pending");
	assert_int_equal(v.list.nvis, 1);
	assert_int_equal(v.list.vis[0], 1);
	/* the filter finds what the admin reads: "Wed 1 Jul 09:00" */
	wlist_set_filter(&v.list, "1 jul");
	assert_int_equal(v.list.nvis, 1);
	assert_int_equal(v.list.vis[0], 2);
	wlist_set_filter(&v.list, "");
	/* start sorts by the instant, not the words ("Mon 1 Jun" < "Wed 1 Jul") */
	wlist_sort_toggle(&v.list, TOFF_COL_START);
	wlist_sort_toggle(&v.list, TOFF_COL_START);	/* latest first */
	assert_int_equal(v.list.vis[0], 2);
	wlist_sort(&v.list, -1, 0);
	wlist_sort_toggle(&v.list, TOFF_COL_SYNC);	/* skip first */
	assert_int_equal(v.list.vis[0], 1);
	wlist_sort_toggle(&v.list, TOFF_COL_SYNC);	/* sync first, in their order */
	assert_int_equal(v.list.vis[0], 0);
	assert_int_equal(v.list.vis[1], 2);
	assert_int_equal(v.list.vis[2], 1);
	toff_view_clear(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(times_and_cells),
		cmocka_unit_test(detail_and_counts),
		cmocka_unit_test(filter_and_sort),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
