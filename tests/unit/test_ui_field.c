/* test_ui_field.c - the text field state machine: editing keys over
 * multibyte and wide characters, the maximum, masked mode, and what the
 * field shows in a narrow window. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "base/text.h"
#include "widget_text.h"

static void
type(struct wtext *t, const char *s)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, strlen(s), &st);
		assert_true(n > 0 && n < 5);
		wtext_key(t, (int)wc);
		s += n;
	}
}

static const char *
text_of(const struct wtext *t)
{
	static char buf[4096];
	assert_int_not_equal(wtext_get(t, buf, sizeof buf), (size_t)-1);
	return buf;
}

/* ---- init, set, get ---- */

static void
empty_field(void **state)
{
	struct wtext t;
	char small[1];
	(void)state;
	wtext_init(&t, 0, 0);		/* 0: the largest */
	assert_int_equal(t.max, WTEXT_MAX);
	assert_string_equal(text_of(&t), "");
	assert_int_equal(wtext_key(&t, UK_BACKSPACE), WTEXT_HANDLED);
	assert_int_equal(wtext_key(&t, UK_DELETE), WTEXT_HANDLED);
	assert_int_equal(wtext_key(&t, UK_CTRL('w')), WTEXT_HANDLED);
	assert_int_equal(wtext_key(&t, UK_CTRL('u')), WTEXT_HANDLED);
	assert_int_equal(wtext_key(&t, UK_LEFT), WTEXT_HANDLED);
	assert_int_equal(wtext_get(&t, small, sizeof small), 0);
	wtext_set(&t, NULL);
	assert_string_equal(text_of(&t), "");
	wtext_release(&t);
	wtext_release(&t);
}

static void
set_drops_controls(void **state)
{
	struct wtext t;
	char small[4];
	(void)state;
	wtext_init(&t, 64, 0);
	wtext_set(&t, "a\x1b[2Jb\xff" "c");
	assert_string_equal(text_of(&t), "a[2Jb\xef\xbf\xbd" "c");
	assert_int_equal(t.cur, t.len);
	assert_int_equal(wtext_get(&t, small, sizeof small), (size_t)-1);
	assert_string_equal(small, "");
	wtext_release(&t);
}

/* ---- editing ---- */

static void
typing_multibyte_and_wide(void **state)
{
	struct wtext t;
	char *dup;
	(void)state;
	wtext_init(&t, 64, 0);
	type(&t, "Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0");	/* Zoë 山田 */
	assert_int_equal(t.len, 6);
	assert_string_equal(text_of(&t), "Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0");
	wtext_key(&t, UK_BACKSPACE);	/* one whole character */
	assert_string_equal(text_of(&t), "Zo\xc3\xab \xe5\xb1\xb1");
	wtext_key(&t, UK_HOME);
	wtext_key(&t, UK_RIGHT);
	wtext_key(&t, UK_RIGHT);
	wtext_key(&t, UK_DELETE);	/* the ë */
	assert_string_equal(text_of(&t), "Zo \xe5\xb1\xb1");
	type(&t, "\xc3\xa9");		/* é inserted at the cursor */
	assert_string_equal(text_of(&t), "Zo\xc3\xa9 \xe5\xb1\xb1");
	dup = wtext_dup(&t);
	assert_string_equal(dup, "Zo\xc3\xa9 \xe5\xb1\xb1");
	free(dup);
	wtext_release(&t);
}

static void
q_is_a_character(void **state)
{
	struct wtext t;
	(void)state;
	wtext_init(&t, 8, 0);
	assert_int_equal(wtext_key(&t, 'q'), WTEXT_CHANGED);
	assert_int_equal(wtext_key(&t, '?'), WTEXT_CHANGED);
	assert_string_equal(text_of(&t), "q?");
	assert_int_equal(wtext_key(&t, UK_TAB), WTEXT_UNHANDLED);
	assert_int_equal(wtext_key(&t, UK_UP), WTEXT_UNHANDLED);
	assert_int_equal(wtext_key(&t, UK_ENTER), WTEXT_SUBMIT);
	assert_int_equal(wtext_key(&t, UK_ESC), WTEXT_CANCEL);
	assert_int_equal(wtext_key(&t, 0x9b), WTEXT_UNHANDLED);	/* C1 never typed */
	wtext_release(&t);
}

static void
kill_keys(void **state)
{
	struct wtext t;
	(void)state;
	wtext_init(&t, 64, 0);
	type(&t, "alpha beta  gamma");
	assert_int_equal(wtext_key(&t, UK_CTRL('w')), WTEXT_CHANGED);
	assert_string_equal(text_of(&t), "alpha beta  ");
	wtext_key(&t, UK_CTRL('w'));	/* spaces, then the word */
	assert_string_equal(text_of(&t), "alpha ");
	type(&t, "x");
	wtext_key(&t, UK_LEFT);
	wtext_key(&t, UK_CTRL('k'));
	assert_string_equal(text_of(&t), "alpha ");
	wtext_key(&t, UK_LEFT);
	wtext_key(&t, UK_CTRL('u'));
	assert_string_equal(text_of(&t), " ");
	assert_int_equal(t.cur, 0);
	wtext_key(&t, UK_END);
	assert_int_equal(t.cur, 1);
	wtext_release(&t);
}

static void
maximum_refuses_more(void **state)
{
	struct wtext t;
	(void)state;
	wtext_init(&t, 3, 0);
	type(&t, "ab");
	assert_int_equal(wtext_key(&t, 0x5c71), WTEXT_CHANGED);	/* 山 */
	assert_int_equal(wtext_key(&t, 'd'), WTEXT_FULL);
	assert_string_equal(text_of(&t), "ab\xe5\xb1\xb1");
	wtext_set(&t, "abcdef");
	assert_string_equal(text_of(&t), "abc");
	wtext_release(&t);
}

static void
fast_paste_keeps_every_character(void **state)
{
	struct wtext t;
	char token[601];
	(void)state;
	for (int i = 0; i < 600; i++)
		token[i] = (char)('A' + i % 26);
	token[600] = '\0';
	wtext_init(&t, WTEXT_MAX, 1);
	type(&t, token);
	assert_string_equal(text_of(&t), token);
	wtext_release(&t);
}

/* ---- masked mode and the view ---- */

static void
masked_shows_stars(void **state)
{
	struct wtext t;
	wchar_t view[32];
	int col;
	(void)state;
	wtext_init(&t, 64, 1);
	type(&t, "s3cr\xc3\xa9t");
	wtext_view(&t, 20, view, &col);
	assert_true(wcscmp(view, L"******") == 0);
	assert_int_equal(col, 6);
	assert_int_equal(wtext_key(&t, UK_CTRL('r')), WTEXT_HANDLED);
	wtext_view(&t, 20, view, &col);
	assert_true(wcscmp(view, L"s3cr\u00e9t") == 0);
	wtext_key(&t, UK_CTRL('r'));
	wtext_view(&t, 20, view, &col);
	assert_true(wcscmp(view, L"******") == 0);
	assert_string_equal(text_of(&t), "s3cr\xc3\xa9t");
	wtext_clear(&t);
	assert_int_equal(t.len, 0);
	wtext_release(&t);
}

static void
view_scrolls_to_the_cursor(void **state)
{
	struct wtext t;
	wchar_t view[16];
	int col;
	(void)state;
	wtext_init(&t, 64, 0);
	type(&t, "abcdefghij");
	wtext_view(&t, 5, view, &col);	/* the end and the cursor after it */
	assert_true(wcscmp(view, L"ghij") == 0);
	assert_int_equal(col, 4);
	wtext_key(&t, UK_HOME);
	wtext_view(&t, 5, view, &col);
	assert_true(wcscmp(view, L"abcde") == 0);
	assert_int_equal(col, 0);
	wtext_view(&t, 0, view, &col);
	assert_int_equal(col, 0);
	wtext_release(&t);
}

static void
view_with_wide_chars(void **state)
{
	struct wtext t;
	wchar_t view[16];
	int col;
	(void)state;
	wtext_init(&t, 64, 0);
	type(&t, "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e");	/* 山田太郎: 8 columns */
	wtext_view(&t, 5, view, &col);	/* two wide chars and the cursor */
	assert_true(wcscmp(view, L"\u592a\u90ce") == 0);
	assert_int_equal(col, 4);
	wtext_key(&t, UK_HOME);
	wtext_view(&t, 5, view, &col);
	assert_true(wcscmp(view, L"\u5c71\u7530") == 0);
	assert_int_equal(col, 0);
	wtext_key(&t, UK_RIGHT);
	wtext_view(&t, 5, view, &col);
	assert_int_equal(col, 2);	/* after one wide char */
	wtext_release(&t);
}

static void
message_line(void **state)
{
	struct wtext t;
	(void)state;
	wtext_init(&t, 8, 0);
	wtext_set_msg(&t, "must be a number");
	assert_string_equal(t.msg, "must be a number");
	wtext_set_msg(&t, NULL);
	assert_string_equal(t.msg, "");
	wtext_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_field),
		cmocka_unit_test(set_drops_controls),
		cmocka_unit_test(typing_multibyte_and_wide),
		cmocka_unit_test(q_is_a_character),
		cmocka_unit_test(kill_keys),
		cmocka_unit_test(maximum_refuses_more),
		cmocka_unit_test(fast_paste_keeps_every_character),
		cmocka_unit_test(masked_shows_stars),
		cmocka_unit_test(view_scrolls_to_the_cursor),
		cmocka_unit_test(view_with_wide_chars),
		cmocka_unit_test(message_line),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL || sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
