/* test_ui_text.c - display width, cutting with "…", padding and the
 * case-folding matcher over UTF-8 with combining and wide characters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

#define ZOE "Zo\xc3\xab \xc5\x81ukasiewicz-\xc3\x98sterg\xc3\xa5rd"	/* Zoë Łukasiewicz-Østergård */
#define YAMADA "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e"	/* 山田 太郎 */
#define E_COMBINING "e\xcc\x81t\xc3\xa9"	/* e + U+0301, t, é */

/* ---- text_width ---- */

static void
width_degenerate(void **state)
{
	(void)state;
	assert_int_equal(text_width(NULL), 0);
	assert_int_equal(text_width(""), 0);
}

static void
width_names(void **state)
{
	(void)state;
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width(ZOE), 25);
	assert_int_equal(text_width(YAMADA), 9);	/* four wide + a space */
	assert_int_equal(text_width(E_COMBINING), 3);	/* the accent takes no column */
}

static void
width_bad_bytes_and_controls(void **state)
{
	(void)state;
	assert_int_equal(text_width("a\xff" "b"), 3);	/* bad byte: one column */
	assert_int_equal(text_width("a\x1b[31mb"), 7);	/* ESC shown as '?' */
	assert_int_equal(text_width("\xc3"), 1);	/* cut sequence */
}

/* ---- text_next ---- */

static void
next_shows_controls_as_question_marks(void **state)
{
	wchar_t wc;
	int w;
	(void)state;
	assert_int_equal(text_next(NULL, &wc, &w), 0);
	assert_int_equal(text_next("", &wc, &w), 0);
	assert_int_equal(text_next("\x07", &wc, &w), 1);
	assert_int_equal(wc, L'?');
	assert_int_equal(text_next("\xc2\x9b", &wc, &w), 2);	/* C1 CSI */
	assert_int_equal(wc, L'?');
	assert_int_equal(text_next("\xff", &wc, &w), 1);
	assert_int_equal(wc, 0xfffd);
	assert_int_equal(w, 1);
}

/* ---- text_trunc / text_fit ---- */

static void
trunc_degenerate(void **state)
{
	char out[64];
	(void)state;
	assert_string_equal(text_trunc(out, sizeof out, NULL, 10), "");
	assert_string_equal(text_trunc(out, sizeof out, "abc", 0), "");
	assert_string_equal(text_trunc(out, sizeof out, "abc", -3), "");
	assert_string_equal(text_fit(out, sizeof out, NULL, 3), "   ");
	assert_string_equal(text_trunc(out, 1, "abc", 3), "");
}

static void
trunc_marks_the_cut(void **state)
{
	char out[128];
	(void)state;
	assert_string_equal(text_trunc(out, sizeof out, "abcdef", 6), "abcdef");
	assert_string_equal(text_trunc(out, sizeof out, "abcdef", 5), "abcd\xe2\x80\xa6");
	assert_string_equal(text_trunc(out, sizeof out, ZOE, 10), "Zo\xc3\xab \xc5\x81ukas\xe2\x80\xa6");
	assert_int_equal(text_width(out), 10);
	assert_string_equal(text_trunc(out, sizeof out, "abc", 1), "\xe2\x80\xa6");
}

static void
trunc_never_halves_a_wide_char(void **state)
{
	char out[128];
	(void)state;
	/* 山田 is 4 columns; 4 columns for "山田 太郎" leaves 3 for text: 山 + … */
	text_trunc(out, sizeof out, YAMADA, 4);
	assert_string_equal(out, "\xe5\xb1\xb1\xe2\x80\xa6");
	assert_int_equal(text_width(out), 3);
	text_fit(out, sizeof out, YAMADA, 4);
	assert_int_equal(text_width(out), 4);	/* padded to the column */
	assert_string_equal(out, "\xe5\xb1\xb1\xe2\x80\xa6 ");
}

static void
trunc_keeps_combining_marks(void **state)
{
	char out[64];
	(void)state;
	text_trunc(out, sizeof out, "e\xcc\x81" "abc", 2);
	assert_string_equal(out, "e\xcc\x81\xe2\x80\xa6");
}

static void
fit_aligns_names(void **state)
{
	const char *names[] = { ZOE, YAMADA, E_COMBINING, "Kwame Mensah", "a\x1b" "b" };
	char out[256];
	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		for (int w = 1; w < 30; w++) {
			text_fit(out, sizeof out, names[i], w);
			assert_int_equal(text_width(out), w);
			assert_null(strchr(out, '\x1b'));
		}
	}
	text_fit_right(out, sizeof out, "42", 5);
	assert_string_equal(out, "   42");
	text_fit_right(out, sizeof out, YAMADA, 5);
	assert_int_equal(text_width(out), 5);
}

static void
fit_small_buffer_stays_terminated(void **state)
{
	char out[6];
	(void)state;
	text_fit(out, sizeof out, ZOE, 20);
	assert_true(strlen(out) < sizeof out);
}

/* ---- text_sanitize, text_prefix_bytes, text_pop_char ---- */

static void
sanitize_replaces(void **state)
{
	char *s;
	(void)state;
	s = text_sanitize(NULL);
	assert_string_equal(s, "");
	free(s);
	s = text_sanitize("a\x1b[2Jb\xff" "c\x7f");
	assert_string_equal(s, "a?[2Jb\xef\xbf\xbd" "c?");
	free(s);
	s = text_sanitize(ZOE);
	assert_string_equal(s, ZOE);
	free(s);
}

static void
prefix_and_pop(void **state)
{
	char s[32] = "a\xc3\xab\xe5\xb1\xb1";	/* aë山 */
	(void)state;
	assert_int_equal(text_prefix_bytes("", 5), 0);
	assert_int_equal(text_prefix_bytes(s, 2), 3);
	assert_int_equal(text_prefix_bytes(s, 3), 3);	/* 山 needs two */
	assert_int_equal(text_prefix_bytes(s, 4), 6);
	assert_int_equal(text_pop_char(s), 3);
	assert_string_equal(s, "a\xc3\xab");
	assert_int_equal(text_pop_char(s), 2);
	assert_int_equal(text_pop_char(s), 1);
	assert_int_equal(text_pop_char(s), 0);
}

/* ---- matcher and casecmp ---- */

static void
matcher_degenerate(void **state)
{
	struct text_matcher m;
	(void)state;
	text_matcher_init(&m, NULL);
	assert_true(text_matcher_test(&m, "anything"));
	assert_true(text_matcher_test(&m, NULL));
	text_matcher_init(&m, "x");
	assert_false(text_matcher_test(&m, NULL));
	assert_false(text_matcher_test(&m, ""));
}

static void
matcher_folds_case_beyond_ascii(void **state)
{
	struct text_matcher m;
	(void)state;
	text_matcher_init(&m, "zo\xc3\xab");	/* zoë */
	assert_true(text_matcher_test(&m, ZOE));
	text_matcher_init(&m, "\xc5\x82uk");	/* łuk matches Łuk */
	assert_true(text_matcher_test(&m, ZOE));
	text_matcher_init(&m, "\xc3\xb8sterg");	/* østerg matches Østerg */
	assert_true(text_matcher_test(&m, ZOE));
	text_matcher_init(&m, "zoe");		/* no accent folding: ë is not e */
	assert_false(text_matcher_test(&m, ZOE));
	text_matcher_init(&m, "\xe5\xa4\xaa");	/* 太 */
	assert_true(text_matcher_test(&m, YAMADA));
	text_matcher_init(&m, "RDX");
	assert_false(text_matcher_test(&m, ZOE));
}

static void
matcher_long_haystack(void **state)
{
	struct text_matcher m;
	char *big = malloc(5001);
	(void)state;
	memset(big, 'a', 5000);
	big[5000] = '\0';
	big[4998] = 'Q';
	text_matcher_init(&m, "qa");
	assert_true(text_matcher_test(&m, big));
	text_matcher_init(&m, "qq");
	assert_false(text_matcher_test(&m, big));
	free(big);
}

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

/* The sort keys of the list: folded text orders as text_casecmp does. */
static void
fold_orders_as_casecmp(void **state)
{
	static const char *const v[] = { "Zo\xc3\xab", "zo\xc3\x8b", "ZOE", "\xc3\x89t\xc3\xa9",
	    "\xe5\xb1\xb1\xe7\x94\xb0", "ada", "Ada Lovelace", "", "b\xffz", "\xc5\x81ukasz" };
	char *f;

	(void)state;
	f = text_fold("Zo\xc3\xab \xc3\x89T\xc3\x89 ABC");
	assert_string_equal(f, "zo\xc3\xab \xc3\xa9t\xc3\xa9 abc");
	free(f);
	f = text_fold(NULL);
	assert_string_equal(f, "");
	free(f);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
			char *a = text_fold(v[i]), *b = text_fold(v[j]);
			assert_int_equal(sign(strcmp(a, b)), sign(text_casecmp(v[i], v[j])));
			free(a);
			free(b);
		}
}

static void
casecmp_orders(void **state)
{
	(void)state;
	assert_int_equal(text_casecmp(NULL, NULL), 0);
	assert_true(text_casecmp(NULL, "a") < 0);
	assert_int_equal(text_casecmp("ABC", "abc"), 0);
	assert_true(text_casecmp("abc", "abd") < 0);
	assert_true(text_casecmp("ab", "abc") < 0);
	assert_int_equal(text_casecmp("\xc3\x98", "\xc3\xb8"), 0);	/* Ø ø */
}

/* ---- text_wrap ---- */

static void
wrap_degenerate(void **state)
{
	size_t st[4], ln[4];
	(void)state;
	assert_int_equal(text_wrap(NULL, 10, st, ln, 4), 0);
	assert_int_equal(text_wrap("abc", 0, st, ln, 4), 0);
	assert_int_equal(text_wrap("", 10, st, ln, 4), 0);
	assert_int_equal(text_wrap("a b c d e f", 1, st, ln, 4), 4);	/* at most max */
}

static void
wrap_at_spaces_and_inside_long_words(void **state)
{
	const char *s = "the token is shown only once";
	size_t st[8], ln[8], n;
	(void)state;
	n = text_wrap(s, 12, st, ln, 8);
	assert_int_equal(n, 3);
	assert_memory_equal(s + st[0], "the token is", ln[0]);
	assert_int_equal(ln[0], 12);
	assert_memory_equal(s + st[1], "shown only", ln[1]);
	assert_int_equal(ln[1], 10);
	assert_memory_equal(s + st[2], "once", 4);
	n = text_wrap("abcdefghij", 4, st, ln, 8);	/* no space: cut */
	assert_int_equal(n, 3);
	assert_int_equal(ln[0], 4);
	assert_int_equal(ln[2], 2);
	n = text_wrap("one\ntwo", 40, st, ln, 8);	/* newline breaks */
	assert_int_equal(n, 2);
	assert_int_equal(ln[0], 3);
	assert_int_equal(st[1], 4);
}

static void
wrap_counts_columns_not_bytes(void **state)
{
	const char *s = ZOE " " YAMADA;	/* 25 + 1 + 9 columns */
	char line[128];
	size_t st[8], ln[8], n;
	(void)state;
	n = text_wrap(s, 26, st, ln, 8);
	assert_int_equal(n, 2);
	snprintf(line, sizeof line, "%.*s", (int)ln[0], s + st[0]);
	assert_string_equal(line, ZOE);
	n = text_wrap(YAMADA, 3, st, ln, 8);	/* 3 columns: one wide char a line */
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof line, "%.*s", (int)ln[i], YAMADA + st[i]);
		assert_true(text_width(line) <= 3);
	}
	n = text_wrap(YAMADA, 1, st, ln, 8);	/* narrower than a character */
	assert_true(n >= 4);
	assert_int_equal(ln[0], 3);	/* whole character, never half */
}

static void
wrap_join_lines(void **state)
{
	char out[256], small[12];
	(void)state;
	/* each paragraph wrapped on its own, lines joined by newlines */
	assert_string_equal(text_wrap_join("What to do: rename the field to alleo_access\nthen r",
	    12, out, sizeof out), "What to do:\nrename the\nfield to\nalleo_access\nthen r");
	/* an empty paragraph stays an empty line */
	assert_string_equal(text_wrap_join("a\n\nb", 20, out, sizeof out), "a\n\nb");
	/* wide names are measured in columns */
	text_wrap_join("\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e", 6, out, sizeof out);
	assert_non_null(strchr(out, '\n'));
	/* a small buffer is cut, still terminated */
	text_wrap_join("one two three four five six", 10, small, sizeof small);
	assert_true(strlen(small) < sizeof small);
	assert_string_equal(text_wrap_join(NULL, 10, out, sizeof out), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(width_degenerate),
		cmocka_unit_test(width_names),
		cmocka_unit_test(width_bad_bytes_and_controls),
		cmocka_unit_test(next_shows_controls_as_question_marks),
		cmocka_unit_test(trunc_degenerate),
		cmocka_unit_test(trunc_marks_the_cut),
		cmocka_unit_test(trunc_never_halves_a_wide_char),
		cmocka_unit_test(trunc_keeps_combining_marks),
		cmocka_unit_test(fit_aligns_names),
		cmocka_unit_test(fit_small_buffer_stays_terminated),
		cmocka_unit_test(sanitize_replaces),
		cmocka_unit_test(prefix_and_pop),
		cmocka_unit_test(matcher_degenerate),
		cmocka_unit_test(matcher_folds_case_beyond_ascii),
		cmocka_unit_test(matcher_long_haystack),
		cmocka_unit_test(casecmp_orders),
		cmocka_unit_test(wrap_degenerate),
		cmocka_unit_test(wrap_at_spaces_and_inside_long_words),
		cmocka_unit_test(wrap_counts_columns_not_bytes),
		cmocka_unit_test(fold_orders_as_casecmp),
		cmocka_unit_test(wrap_join_lines),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
