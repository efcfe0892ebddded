/* test_ui_list.c - the list state machine without a terminal: bounds,
 * filter, stable sort, selection across filters, layout, and the filter's
 * speed over 100,000 rows (printed, not asserted). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keys.h"
#include "widget_list.h"

#define ZOE "Zo\xc3\xab \xc5\x81ukasiewicz-\xc3\x98sterg\xc3\xa5rd"

struct person {
	const char *name, *dept, *days;
};

static const struct person people[] = {
	{ ZOE, "Sales", "3" },
	{ "Jos\xc3\xa9 N\xc3\xba\xc3\xb1" "ez", "Ops", "10" },
	{ "Anne-Marie van der Berg", "Sales", "2" },
	{ "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e", "R&D", "3" },
	{ "zoe subramanian", "Ops", "1" },
	{ "Kwame Mensah", "Sales", "3" },
};
#define NPEOPLE (sizeof people / sizeof people[0])

static const struct wlist_column cols[] = {
	{ "Name", 10, 1, 0 }, { "Dept", 6, 0, 0 }, { "Days", 4, 0, 1 },
};

static const char *
person_cell(void *ctx, size_t row, int col)
{
	const struct person *p = (const struct person *)ctx + row;
	return col == 0 ? p->name : col == 1 ? p->dept : p->days;
}

static void
open_list(struct wlist *l)
{
	wlist_init(l, cols, 3, person_cell, (void *)people);
	wlist_set_rows(l, NPEOPLE);
}

static void
type(struct wlist *l, const char *s)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, strlen(s), &st);
		assert_true(n > 0 && n < 5);
		wlist_key(l, (int)wc);
		s += n;
	}
}

/* ---- navigation ---- */

static void
empty_list(void **state)
{
	struct wlist l;
	(void)state;
	wlist_init(&l, cols, 3, person_cell, (void *)people);
	wlist_set_rows(&l, 0);
	assert_int_equal(wlist_current(&l), (size_t)-1);
	assert_int_equal(wlist_key(&l, UK_DOWN), WLIST_HANDLED);
	assert_int_equal(wlist_key(&l, 'G'), WLIST_HANDLED);
	assert_int_equal(wlist_key(&l, UK_PGUP), WLIST_HANDLED);
	assert_int_equal(wlist_key(&l, UK_ENTER), WLIST_HANDLED);	/* nothing to open */
	wlist_scroll(&l, 10);
	assert_int_equal(l.top, 0);
	wlist_cycle_sort(&l);
	wlist_set_filter(&l, "x");
	assert_int_equal(l.nvis, 0);
	wlist_release(&l);
	wlist_release(&l);	/* twice is harmless */
}

static void
navigation_bounds(void **state)
{
	struct wlist l;
	(void)state;
	open_list(&l);
	assert_int_equal(wlist_current(&l), 0);
	wlist_key(&l, UK_UP);
	assert_int_equal(wlist_current(&l), 0);
	wlist_key(&l, 'j');
	wlist_key(&l, UK_DOWN);
	assert_int_equal(wlist_current(&l), 2);
	wlist_key(&l, 'k');
	assert_int_equal(wlist_current(&l), 1);
	wlist_key(&l, 'G');
	assert_int_equal(wlist_current(&l), NPEOPLE - 1);
	wlist_key(&l, UK_DOWN);
	assert_int_equal(wlist_current(&l), NPEOPLE - 1);
	wlist_key(&l, 'g');
	assert_int_equal(wlist_current(&l), 0);
	wlist_key(&l, UK_PGDN);	/* no page drawn yet: 10 rows, clamped */
	assert_int_equal(wlist_current(&l), NPEOPLE - 1);
	l.page = 3;
	wlist_key(&l, UK_PGUP);
	assert_int_equal(wlist_current(&l), NPEOPLE - 3);
	wlist_key(&l, UK_HOME);
	assert_int_equal(wlist_current(&l), 0);
	wlist_key(&l, UK_END);
	assert_int_equal(wlist_current(&l), NPEOPLE - 1);
	assert_int_equal(wlist_key(&l, UK_ENTER), WLIST_ACTIVATE);
	assert_int_equal(wlist_key(&l, 'x'), WLIST_UNHANDLED);
	assert_int_equal(wlist_key(&l, UK_ESC), WLIST_UNHANDLED);	/* the screen goes back */
	wlist_release(&l);
}

static void
scrolling_keeps_cursor_visible(void **state)
{
	struct wlist l;
	(void)state;
	open_list(&l);
	wlist_end(&l);
	wlist_scroll(&l, 4);
	assert_int_equal(l.top, NPEOPLE - 4);
	wlist_home(&l);
	wlist_scroll(&l, 4);
	assert_int_equal(l.top, 0);
	wlist_scroll(&l, 100);	/* taller than the list: from the top */
	assert_int_equal(l.top, 0);
	wlist_release(&l);
}

/* ---- filter ---- */

static void
filter_incremental(void **state)
{
	struct wlist l;
	(void)state;
	open_list(&l);
	assert_int_equal(wlist_key(&l, '/'), WLIST_HANDLED);
	type(&l, "zo");
	assert_int_equal(l.nvis, 2);	/* Zoë and zoe; 'z' and 'o' typed, not moves */
	type(&l, "\xc3\xab");		/* ë */
	assert_int_equal(l.nvis, 1);
	assert_int_equal(wlist_current(&l), 0);
	wlist_key(&l, UK_BACKSPACE);
	assert_int_equal(l.nvis, 2);
	assert_string_equal(l.filter, "zo");
	assert_int_equal(wlist_key(&l, UK_ENTER), WLIST_FILTER_DONE);
	assert_false(l.typing);
	wlist_key(&l, 'j');		/* moves again */
	assert_int_equal(wlist_current(&l), 4);
	assert_int_equal(wlist_key(&l, UK_ESC), WLIST_HANDLED);	/* clears first */
	assert_int_equal(l.nvis, NPEOPLE);
	assert_int_equal(wlist_current(&l), 4);	/* still on zoe */
	wlist_release(&l);
}

static void
filter_matches_any_column_and_wide_text(void **state)
{
	struct wlist l;
	(void)state;
	open_list(&l);
	wlist_set_filter(&l, "SALES");
	assert_int_equal(l.nvis, 3);
	wlist_set_filter(&l, "\xe5\xa4\xaa");	/* 太 */
	assert_int_equal(l.nvis, 1);
	assert_int_equal(wlist_current(&l), 3);
	wlist_set_filter(&l, "nobody");
	assert_int_equal(l.nvis, 0);
	assert_int_equal(wlist_current(&l), (size_t)-1);
	wlist_set_filter(&l, NULL);
	assert_int_equal(l.nvis, NPEOPLE);
	wlist_release(&l);
}

static void
filter_esc_while_typing_clears(void **state)
{
	struct wlist l;
	(void)state;
	open_list(&l);
	wlist_key(&l, '/');
	type(&l, "ops");
	assert_int_equal(l.nvis, 2);
	assert_int_equal(wlist_key(&l, UK_ESC), WLIST_FILTER_DONE);
	assert_int_equal(l.nvis, NPEOPLE);
	assert_string_equal(l.filter, "");
	wlist_release(&l);
}

/* ---- sort ---- */

static void
sort_is_stable_and_follows_cursor(void **state)
{
	struct wlist l;
	(void)state;
	open_list(&l);
	wlist_move(&l, 5);	/* Kwame */
	wlist_sort(&l, 2, 0);	/* Days ascending, numbers by value */
	assert_int_equal(l.vis[0], 4);	/* 1 */
	assert_int_equal(l.vis[1], 2);	/* 2 */
	/* three rows with 3 days keep the provider's order: 0, 3, 5 */
	assert_int_equal(l.vis[2], 0);
	assert_int_equal(l.vis[3], 3);
	assert_int_equal(l.vis[4], 5);
	assert_int_equal(l.vis[5], 1);	/* 10 after 3: by value, not text */
	assert_int_equal(wlist_current(&l), 5);
	wlist_sort(&l, 2, 1);		/* descending: ties still in provider order */
	assert_int_equal(l.vis[0], 1);
	assert_int_equal(l.vis[1], 0);
	assert_int_equal(l.vis[2], 3);
	assert_int_equal(l.vis[3], 5);
	wlist_sort(&l, -1, 0);
	for (size_t i = 0; i < NPEOPLE; i++)
		assert_int_equal(l.vis[i], i);
	wlist_release(&l);
}

static void
sort_cycles_and_survives_filter(void **state)
{
	struct wlist l;
	(void)state;
	open_list(&l);
	wlist_key(&l, 's');
	assert_int_equal(l.sort_col, 0);
	assert_false(l.sort_desc);
	assert_int_equal(l.vis[0], 2);	/* Anne-Marie first, case-insensitive */
	wlist_key(&l, 's');
	assert_true(l.sort_desc);
	wlist_key(&l, 's');
	assert_int_equal(l.sort_col, 1);
	wlist_set_filter(&l, "o");	/* filter keeps the sort order */
	for (size_t i = 1; i < l.nvis; i++)
		assert_true(strcmp(people[l.vis[i - 1]].dept, people[l.vis[i]].dept) <= 0);
	wlist_key(&l, 's');
	wlist_key(&l, 's');
	wlist_key(&l, 's');
	wlist_key(&l, 's');
	assert_int_equal(l.sort_col, -1);
	wlist_release(&l);
}

/* ---- selection ---- */

static void
selection_survives_filtering(void **state)
{
	struct wlist l;
	size_t got[8];
	(void)state;
	open_list(&l);
	assert_int_equal(wlist_key(&l, ' '), WLIST_UNHANDLED);	/* single-select list */
	l.multi = 1;
	wlist_key(&l, ' ');		/* row 0, cursor moves on */
	assert_int_equal(wlist_current(&l), 1);
	wlist_set_filter(&l, "Kwame");
	wlist_key(&l, ' ');
	assert_int_equal(l.nsel, 2);
	wlist_set_filter(&l, "");
	assert_true(wlist_selected(&l, 0));
	assert_true(wlist_selected(&l, 5));
	assert_false(wlist_selected(&l, 1));
	assert_false(wlist_selected(&l, 99));
	assert_int_equal(wlist_selection(&l, got, 8), 2);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 5);
	assert_int_equal(wlist_selection(&l, got, 1), 1);
	wlist_home(&l);
	wlist_key(&l, ' ');		/* toggles off */
	assert_int_equal(l.nsel, 1);
	wlist_select(&l, 5, 1);	/* already on: count unchanged */
	assert_int_equal(l.nsel, 1);
	wlist_set_rows(&l, NPEOPLE);	/* reload clears */
	assert_int_equal(l.nsel, 0);
	wlist_release(&l);
}

static void
detail_toggle(void **state)
{
	struct wlist l;
	(void)state;
	open_list(&l);
	assert_int_equal(wlist_key(&l, 'd'), WLIST_UNHANDLED);	/* no detail provider */
	l.detail = (wlist_detail_fn)(void (*)(void))person_cell;	/* any non-NULL */
	assert_int_equal(wlist_key(&l, 'd'), WLIST_HANDLED);
	assert_true(l.show_detail);
	wlist_key(&l, 'd');
	assert_false(l.show_detail);
	wlist_release(&l);
}

/* ---- layout and rows ---- */

static void
layout_widths(void **state)
{
	int w[3];
	(void)state;
	wlist_layout(cols, 3, 40, w);
	assert_int_equal(w[1], 6);
	assert_int_equal(w[2], 4);
	assert_int_equal(w[0] + w[1] + w[2] + 2, 40);	/* flex takes the rest */
	wlist_layout(cols, 3, 22, w);		/* exactly the minimum */
	assert_int_equal(w[0], 10);
	wlist_layout(cols, 3, 15, w);		/* too narrow: the last shrink */
	assert_int_equal(w[0], 10);
	assert_int_equal(w[1], 4);
	assert_int_equal(w[2], 0);
	wlist_layout(cols, 0, 15, w);
}

static void
rows_line_up(void **state)
{
	struct wlist l;
	int w[3];
	char line[512];
	(void)state;
	open_list(&l);
	wlist_layout(cols, 3, 30, w);
	for (size_t i = 0; i < NPEOPLE; i++) {
		wlist_format_row(&l, i, w, line, sizeof line);
		assert_int_equal(text_width(line), 30);
	}
	wlist_format_row(&l, 0, w, line, sizeof line);
	assert_non_null(strstr(line, "\xe2\x80\xa6"));	/* Zoë's name was cut */
	assert_non_null(strstr(line, "    3"));		/* right-aligned days */
	wlist_release(&l);
}

/* ---- 100,000 rows ---- */

struct big {
	char buf[64];
};

static const char *
big_cell(void *ctx, size_t row, int col)
{
	struct big *b = ctx;
	if (col == 0)
		snprintf(b->buf, sizeof b->buf, "%s %zu", row % 7 ? "Person" : ZOE, row);
	else
		snprintf(b->buf, sizeof b->buf, "%s", row % 3 ? "Sales" : "Ops");
	return b->buf;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
filter_100k_rows(void **state)
{
	static const struct wlist_column two[] = { { "Name", 10, 1, 0 }, { "Dept", 6, 0, 0 } };
	struct big b;
	struct wlist l;
	struct timespec t0;
	(void)state;
	wlist_init(&l, two, 2, big_cell, &b);
	wlist_set_rows(&l, 100000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wlist_set_filter(&l, "\xc5\x82uk");	/* łuk: every 7th row */
	printf("# filter over 100,000 rows: %.1f ms\n", ms_since(&t0));
	assert_int_equal(l.nvis, (100000 + 6) / 7);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wlist_set_filter(&l, "99999");
	printf("# filter over 100,000 rows (one hit): %.1f ms\n", ms_since(&t0));
	assert_int_equal(l.nvis, 1);
	assert_int_equal(wlist_current(&l), 99999);
	wlist_release(&l);
}

/* moved from the old rows list: the cursor stays on its person while the
 * filter narrows and widens, and leaves when nobody passes */
static void
filter_keeps_cursor_on_its_row(void **state)
{
	struct wlist l;
	(void)state;
	open_list(&l);
	wlist_move(&l, 4);				/* on "zoe subramanian" */
	wlist_set_filter(&l, "ZOE");			/* "Zoë" has no plain e */
	assert_int_equal(l.nvis, 1);
	assert_int_equal(wlist_current(&l), 4);
	wlist_set_filter(&l, "zo");
	assert_int_equal(l.nvis, 2);
	assert_int_equal(wlist_current(&l), 4);	/* still the same person */
	wlist_set_filter(&l, "nobody");
	assert_int_equal(wlist_current(&l), (size_t)-1);
	wlist_set_filter(&l, "");
	assert_int_equal(l.nvis, NPEOPLE);
	wlist_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_list),
		cmocka_unit_test(navigation_bounds),
		cmocka_unit_test(scrolling_keeps_cursor_visible),
		cmocka_unit_test(filter_incremental),
		cmocka_unit_test(filter_matches_any_column_and_wide_text),
		cmocka_unit_test(filter_esc_while_typing_clears),
		cmocka_unit_test(sort_is_stable_and_follows_cursor),
		cmocka_unit_test(sort_cycles_and_survives_filter),
		cmocka_unit_test(selection_survives_filtering),
		cmocka_unit_test(detail_toggle),
		cmocka_unit_test(layout_widths),
		cmocka_unit_test(rows_line_up),
		cmocka_unit_test(filter_100k_rows),
		cmocka_unit_test(filter_keeps_cursor_on_its_row),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
