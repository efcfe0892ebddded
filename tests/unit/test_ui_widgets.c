/* test_ui_widgets.c - the form, dialog and progress state machines and
 * formatting, without a terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "base/text.h"
#include "widget_dialog.h"
#include "widget_form.h"
#include "widget_progress.h"

/* ---- form ---- */

static const char *const envs[] = { "production", "sandbox", "custom" };

struct fixture {
	struct wform_field f[4];
	struct wform form;
};

static void
make_form(struct fixture *x)
{
	memset(x, 0, sizeof *x);
	x->f[0].kind = WFORM_TEXT;
	x->f[0].label = "Service User ID";
	wtext_init(&x->f[0].text, 64, 0);
	x->f[1].kind = WFORM_CHOICE;
	x->f[1].label = "Environment";
	x->f[1].choices = envs;
	x->f[1].nchoices = 3;
	x->f[2].kind = WFORM_CHECK;
	x->f[2].label = "Disabled";
	x->f[2].disabled = 1;
	x->f[3].kind = WFORM_CHECK;
	x->f[3].label = "Dry run";
	wform_init(&x->form, x->f, 4);
}

static void
drop_form(struct fixture *x)
{
	wtext_release(&x->f[0].text);
}

static void
form_degenerate(void **state)
{
	struct wform f;
	struct wform_field only_disabled = { .kind = WFORM_CHECK, .disabled = 1 };
	(void)state;
	wform_init(&f, NULL, 3);
	assert_int_equal(f.focus, -1);
	assert_false(wform_typing(&f));
	assert_int_equal(wform_key(&f, 'x'), WFORM_UNHANDLED);
	assert_int_equal(wform_key(&f, UK_TAB), WFORM_HANDLED);
	assert_int_equal(f.focus, -1);
	wform_init(&f, &only_disabled, 1);
	assert_int_equal(f.focus, -1);
	assert_int_equal(wform_key(&f, ' '), WFORM_UNHANDLED);
	assert_false(only_disabled.checked);
}

static void
form_tab_skips_disabled_and_wraps(void **state)
{
	struct fixture x;
	(void)state;
	make_form(&x);
	assert_int_equal(x.form.focus, 0);
	assert_true(wform_typing(&x.form));
	wform_key(&x.form, UK_TAB);
	assert_int_equal(x.form.focus, 1);
	wform_key(&x.form, UK_TAB);
	assert_int_equal(x.form.focus, 3);	/* 2 is disabled */
	wform_key(&x.form, UK_TAB);
	assert_int_equal(x.form.focus, 0);	/* wraps */
	wform_key(&x.form, UK_BTAB);
	assert_int_equal(x.form.focus, 3);
	wform_key(&x.form, UK_UP);
	assert_int_equal(x.form.focus, 1);
	wform_key(&x.form, UK_DOWN);
	assert_int_equal(x.form.focus, 3);
	drop_form(&x);
}

static void
form_keys_go_to_the_focused_field(void **state)
{
	struct fixture x;
	char buf[64];
	(void)state;
	make_form(&x);
	assert_int_equal(wform_key(&x.form, 'q'), WFORM_CHANGED);	/* text, not quit */
	assert_int_equal(wform_key(&x.form, ' '), WFORM_CHANGED);
	wtext_get(&x.f[0].text, buf, sizeof buf);
	assert_string_equal(buf, "q ");
	assert_int_equal(wform_key(&x.form, UK_LEFT), WFORM_HANDLED);	/* cursor */
	wform_key(&x.form, UK_TAB);
	assert_false(wform_typing(&x.form));
	assert_int_equal(wform_key(&x.form, UK_RIGHT), WFORM_CHANGED);
	assert_int_equal(x.f[1].choice, 1);
	wform_key(&x.form, ' ');
	wform_key(&x.form, ' ');
	assert_int_equal(x.f[1].choice, 0);	/* wraps */
	wform_key(&x.form, UK_LEFT);
	assert_int_equal(x.f[1].choice, 2);
	assert_int_equal(wform_key(&x.form, '2'), WFORM_CHANGED);
	assert_int_equal(x.f[1].choice, 1);
	assert_int_equal(wform_key(&x.form, '9'), WFORM_UNHANDLED);
	wform_key(&x.form, UK_TAB);
	assert_int_equal(wform_key(&x.form, ' '), WFORM_CHANGED);
	assert_true(x.f[3].checked);
	assert_int_equal(wform_key(&x.form, 'z'), WFORM_UNHANDLED);
	assert_int_equal(wform_key(&x.form, UK_ENTER), WFORM_SUBMIT);
	assert_int_equal(wform_key(&x.form, UK_ESC), WFORM_CANCEL);
	assert_int_equal(wform_height(&x.form), 4 + WFORM_HINT_ROWS);
	drop_form(&x);
}

/* ---- dialog ---- */

static void
confirm_keys(void **state)
{
	struct wdlg d;
	(void)state;
	wdlg_confirm(&d, "Apply", "Apply 3 changes?", 0);
	assert_int_equal(wdlg_key(&d, 'x'), WDLG_OPEN);
	assert_int_equal(wdlg_key(&d, UK_ENTER), WDLG_OK);
	wdlg_confirm(&d, "Apply", "Apply 3 changes?", 1);	/* default no */
	assert_int_equal(wdlg_key(&d, UK_ENTER), WDLG_NO);
	assert_int_equal(wdlg_key(&d, UK_TAB), WDLG_OPEN);
	assert_int_equal(wdlg_key(&d, UK_ENTER), WDLG_OK);	/* moved to yes */
	assert_int_equal(wdlg_key(&d, 'y'), WDLG_OK);
	assert_int_equal(wdlg_key(&d, 'N'), WDLG_NO);
	assert_int_equal(wdlg_key(&d, UK_ESC), WDLG_CANCEL);
	assert_int_equal(wdlg_key(&d, 'q'), WDLG_CANCEL);
}

static void
choice_keys(void **state)
{
	struct wdlg d;
	(void)state;
	wdlg_choice(&d, "Env", NULL, NULL, 3, 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(wdlg_key(&d, UK_ENTER), WDLG_OPEN);	/* nothing to choose */
	assert_int_equal(wdlg_key(&d, UK_ESC), WDLG_CANCEL);
	wdlg_choice(&d, "Env", "Which?", envs, 3, 7);
	assert_int_equal(d.cur, 0);		/* out of range: the first */
	wdlg_key(&d, UK_UP);
	assert_int_equal(d.cur, 2);		/* wraps */
	wdlg_key(&d, 'j');
	assert_int_equal(d.cur, 0);
	wdlg_key(&d, 'G');
	assert_int_equal(d.cur, 2);
	wdlg_key(&d, 'g');
	assert_int_equal(wdlg_key(&d, UK_DOWN), WDLG_OPEN);
	assert_int_equal(wdlg_key(&d, UK_ENTER), WDLG_OK);
	assert_int_equal(d.cur, 1);
	assert_int_equal(wdlg_key(&d, '3'), WDLG_OK);
	assert_int_equal(d.cur, 2);
	assert_int_equal(wdlg_key(&d, '4'), WDLG_OPEN);
	assert_int_equal(wdlg_key(&d, 'y'), WDLG_OPEN);	/* y means nothing here */
}

/* ---- progress ---- */

static void
percent_bounds(void **state)
{
	(void)state;
	assert_int_equal(wprog_percent(0, 0), -1);
	assert_int_equal(wprog_percent(5, 0), -1);
	assert_int_equal(wprog_percent(0, 10), 0);
	assert_int_equal(wprog_percent(999, 1000), 99);	/* never 100 early */
	assert_int_equal(wprog_percent(1000, 1000), 100);
	assert_int_equal(wprog_percent(2000, 1000), 100);
	assert_int_equal(wprog_percent((size_t)-1 / 3, (size_t)-1), 33);	/* no overflow */
}

static void
numbers_grouped(void **state)
{
	char b[32];
	(void)state;
	assert_string_equal(wprog_number(b, sizeof b, 0), "0");
	assert_string_equal(wprog_number(b, sizeof b, 999), "999");
	assert_string_equal(wprog_number(b, sizeof b, 1000), "1,000");
	assert_string_equal(wprog_number(b, sizeof b, 100000), "100,000");
	assert_string_equal(wprog_number(b, sizeof b, 1234567), "1,234,567");
	assert_string_equal(wprog_number(b, 4, 1234567), "1,2");
}

static void
bar_reads_without_colour(void **state)
{
	char b[256];
	(void)state;
	assert_string_equal(wprog_bar(b, sizeof b, 1, 2, 0, 0, 0), "");
	wprog_bar(b, sizeof b, 1, 2, 27, 0, 0);	/* 20 inside */
	assert_string_equal(b, "[##########          ]  50%");
	wprog_bar(b, sizeof b, 2, 2, 27, 0, 0);
	assert_string_equal(b, "[####################] 100%");
	wprog_bar(b, sizeof b, 0, 2, 27, 0, 0);
	assert_string_equal(b, "[                    ]   0%");
	wprog_bar(b, sizeof b, 55, 100, 27, 1, 0);	/* 11 full, 0/8 */
	assert_int_equal(text_width(b), 27);
	assert_non_null(strstr(b, " 55%"));
	wprog_bar(b, sizeof b, 57, 100, 27, 1, 0);	/* 11.4: a partial block */
	assert_int_equal(text_width(b), 27);
	assert_non_null(strstr(b, "\xe2\x96\x8b") ? b : strstr(b, "\xe2\x96\x8d"));
	wprog_bar(b, sizeof b, 3, 4, 5, 0, 0);	/* too narrow for a bar */
	assert_string_equal(b, "  75%");	/* still 5 columns */
}

static void
spinner_for_unknown_totals(void **state)
{
	char b[64];
	(void)state;
	assert_string_equal(wprog_spinner(0, 0), "|");
	assert_string_equal(wprog_spinner(5, 0), "/");
	assert_string_not_equal(wprog_spinner(0, 1), wprog_spinner(1, 1));
	assert_string_equal(wprog_spinner(10, 1), wprog_spinner(0, 1));
	wprog_bar(b, sizeof b, 1234, 0, 30, 0, 2);
	assert_string_equal(b, "- 1,234 done");
	wprog_bar(b, sizeof b, 1234, 0, 6, 0, 2);
	assert_string_equal(b, "- 1,2\xe2\x80\xa6");
}

static void
counts_line(void **state)
{
	char b[256];
	(void)state;
	wprog_counts(b, sizeof b, NULL, 0, 0, 0, 0, 0, NULL);
	assert_string_equal(b, "Working");
	wprog_counts(b, sizeof b, "Reading people from HiBob", 1200, 0, 0, 0, 0, NULL);
	assert_string_equal(b, "Reading people from HiBob: 1,200");
	wprog_counts(b, sizeof b, "Applying", 12, 40, 10, 1, 1, "Ada Lovelace");
	assert_string_equal(b, "Applying: 12 of 40 \xc2\xb7 10 applied, 1 failed, 1 skipped "
	    "\xc2\xb7 Ada Lovelace");
	wprog_counts(b, 8, "Applying", 12, 40, 10, 1, 1, NULL);
	assert_string_equal(b, "Applyin");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(form_degenerate),
		cmocka_unit_test(form_tab_skips_disabled_and_wraps),
		cmocka_unit_test(form_keys_go_to_the_focused_field),
		cmocka_unit_test(confirm_keys),
		cmocka_unit_test(choice_keys),
		cmocka_unit_test(percent_bounds),
		cmocka_unit_test(numbers_grouped),
		cmocka_unit_test(bar_reads_without_colour),
		cmocka_unit_test(spinner_for_unknown_totals),
		cmocka_unit_test(counts_line),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL || sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
