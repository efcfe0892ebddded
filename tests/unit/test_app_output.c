/* test_app_output.c - the command line's tables: a streamed table (rows
 * measured, then put one by one, none kept) prints the very bytes of one
 * whose rows are all kept first. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../app/output.h"

/* Cells that test the layout: wide and combining characters, controls,
 * tabs and line breaks, invalid UTF-8, cells past 40 columns, empty and
 * NULL cells. */
static const char *const samples[] = {
	"", "add", "reactivate", "Zoë Łukasiewicz-Østergård", "山田 太郎", "e\xcc\x81t\xc3\xa9",
	"tab\there", "two\nlines", "bell\a and escape \x1b[31m", "bad \xff\xfe utf-8",
	"gets an account: alleo_access is yes, started on 2020-02-19",
	"on hold: alleo_access is not set (never removed while it is unset; set it in HiBob)",
	"x", "0123456789012345678901234567890123456789012345", NULL,
	"0123456789012345678901234567890123456789", "4 wide 山田 and 40 columns in all......",
};

static const char *
pick(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return samples[(*seed >> 16) % (sizeof samples / sizeof *samples)];
}

/* The table printed with its rows kept (streamed 0) or streamed (1). */
static char *
print_table(int streamed, size_t ncols, const char *const *hdr, const char *const *cells,
    size_t nrows, int width, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct out_table *t = out_table_new(ncols, hdr);

	for (size_t r = 0; r < nrows; r++)
		if (streamed)
			out_table_measure(t, cells + r * ncols);
		else
			out_table_row(t, cells + r * ncols);
	if (streamed) {
		out_table_begin(t, f, width);
		for (size_t r = 0; r < nrows; r++)
			out_table_put(t, cells + r * ncols);
	} else {
		out_table_print(t, f, width);
	}
	out_table_free(&t);
	fclose(f);
	return buf;
}

static void
streamed_table_prints_the_kept_tables_bytes(void **state)
{
	static const char *const hdr[] = { "ACTION", "WHO", "REASON", "CHANGES", "MORE" };
	static const int widths[] = { 0, 1, 10, 30, 60, 80, 132, 400 };
	const char *cells[40 * 5];
	uint32_t seed = 7;
	(void)state;
	for (int round = 0; round < 300; round++) {
		size_t ncols = 1 + (size_t)round % 5, nrows = (size_t)round % 40;
		for (size_t i = 0; i < nrows * ncols; i++)
			cells[i] = pick(&seed);
		for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
			size_t la, lb;
			char *a = print_table(0, ncols, hdr, cells, nrows, widths[w], &la);
			char *b = print_table(1, ncols, hdr, cells, nrows, widths[w], &lb);
			if (la != lb || memcmp(a, b, la) != 0)
				fail_msg("round %d, %zu columns, %zu rows, width %d:\n%s\n---\n%s",
				    round, ncols, nrows, widths[w], a, b);
			free(a);
			free(b);
		}
	}
}

/* A header wider than every cell of its column, a last column cut to what
 * is left on a narrow terminal. */
static void
streamed_table_cuts_as_the_kept_one(void **state)
{
	static const char *const hdr[] = { "A LONG HEADER", "LAST COLUMN HEADER" };
	const char *cells[] = { "a", "a last cell far wider than what is left of the line",
		"b", "" };
	size_t la, lb;
	char *a, *b;
	(void)state;
	a = print_table(0, 2, hdr, cells, 2, 30, &la);
	b = print_table(1, 2, hdr, cells, 2, 30, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_non_null(strstr(b, "a last cell fa\xe2\x80\xa6\n"));
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(streamed_table_prints_the_kept_tables_bytes),
		cmocka_unit_test(streamed_table_cuts_as_the_kept_one),
	};
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		(void)setlocale(LC_ALL, "");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
