/* test_ui_rows.c - the list state (filter, cursor, scrolling) and column
 * fitting of wide text, without a terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rows.h"
#include "term.h"
#include "util.h"

static const char *const names[] = {
	"Zoë Łukasiewicz-Østergård", "José Núñez", "Anne-Marie van der Berg",
	"山田 太郎", "zoe subramanian", "Kwame Mensah",
};

static const char *
name_of(void *ctx, size_t i)
{
	(void)ctx;
	return names[i];
}

static void
rows_empty_and_bounds(void **state)
{
	struct rows r;
	(void)state;
	rows_init(&r, 0, name_of, NULL);
	assert_int_equal(rows_current(&r), (size_t)-1);
	rows_move(&r, 5);
	rows_end(&r);
	rows_scroll(&r, 10);
	assert_int_equal(r.cur, 0);
	rows_free(&r);

	rows_init(&r, 6, name_of, NULL);
	rows_move(&r, -3);
	assert_int_equal(rows_current(&r), 0);
	rows_move(&r, 100);
	assert_int_equal(rows_current(&r), 5);
	rows_home(&r);
	assert_int_equal(rows_current(&r), 0);
	rows_free(&r);
}

static void
rows_filter_keeps_cursor(void **state)
{
	struct rows r;
	(void)state;
	rows_init(&r, 6, name_of, NULL);
	rows_move(&r, 4);			/* on "zoe subramanian" */
	rows_set_filter(&r, "ZOE");		/* case-insensitive */
	assert_int_equal(r.nvis, 1);		/* "Zoë" has no plain e after o */
	assert_int_equal(rows_current(&r), 4);
	rows_set_filter(&r, "zo");
	assert_int_equal(r.nvis, 2);
	assert_int_equal(rows_current(&r), 4);	/* still the same person */
	rows_set_filter(&r, "nobody");
	assert_int_equal(r.nvis, 0);
	assert_int_equal(rows_current(&r), (size_t)-1);
	rows_set_filter(&r, "");
	assert_int_equal(r.nvis, 6);
	rows_set_filter(&r, "太郎");		/* UTF-8 bytes match as they are */
	assert_int_equal(rows_current(&r), 3);
	rows_free(&r);
}

static void
rows_scroll_follows_cursor(void **state)
{
	struct rows r;
	(void)state;
	rows_init(&r, 6, name_of, NULL);
	rows_end(&r);
	rows_scroll(&r, 4);
	assert_int_equal(r.top, 2);		/* the last row at the bottom */
	rows_home(&r);
	rows_scroll(&r, 4);
	assert_int_equal(r.top, 0);
	rows_scroll(&r, 0);			/* no room: nothing breaks */
	rows_free(&r);
}

static char big_names[100000][24];

static const char *
big_of(void *ctx, size_t i)
{
	(void)ctx;
	return big_names[i];
}

static void
rows_filter_100k(void **state)
{
	struct rows r;
	struct timespec a, b;
	(void)state;
	for (size_t i = 0; i < 100000; i++)
		snprintf(big_names[i], sizeof big_names[i], "Person %zu Doe", i);
	rows_init(&r, 100000, big_of, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	rows_set_filter(&r, "person 9999");
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(r.nvis, 11);		/* 9999 and 99990..99999 */
	print_message("filter over 100,000 rows: %.1f ms\n",
	    (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	rows_free(&r);
}

static void
fit_wide_text(void **state)
{
	char out[128];
	(void)state;
	assert_int_equal(text_width(NULL), 0);
	assert_int_equal(text_width("Zoë"), 3);
	assert_int_equal(text_width("山田"), 4);
	/* padded to the width */
	assert_string_equal(text_fit(out, sizeof out, "José", 6), "José  ");
	/* cut with an ellipsis, never inside a character */
	assert_string_equal(text_fit(out, sizeof out, "Zoë Łukasiewicz", 6), "Zoë Ł\xe2\x80\xa6");
	assert_int_equal(text_width(out), 6);
	/* a wide character that does not fit leaves a space, not half of it */
	text_fit(out, sizeof out, "山田 太郎", 4);
	assert_int_equal(text_width(out), 4);
	assert_non_null(strstr(out, "\xe2\x80\xa6"));
	/* controls never reach the terminal */
	text_fit(out, sizeof out, "a\x1b[31mb", 10);
	assert_null(strchr(out, '\x1b'));
	/* invalid UTF-8 counts one column a byte */
	assert_int_equal(text_width("a\xff" "b"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_empty_and_bounds),
		cmocka_unit_test(rows_filter_keeps_cursor),
		cmocka_unit_test(rows_scroll_follows_cursor),
		cmocka_unit_test(rows_filter_100k),
		cmocka_unit_test(fit_wide_text),
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
