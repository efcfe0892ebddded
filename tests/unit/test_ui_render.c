/* test_ui_render.c - drawing, read back from a headless curses screen
 * (newterm on /dev/null with LINES/COLUMNS fixed): wide names line up and
 * are cut with "…", the cursor row is reverse video without colour, a
 * masked field never shows its text, dialogs, the progress bar, and the
 * framework's header, hint bar, help overlay, Esc/q and too-small notice.
 * Also the pure helpers of tui.c (keys, key names, hints). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>
#include <sodium.h>

#include "config/conf.h"
#include "dash.h"
#include "base/paths.h"
#include "console.h"
#include "engine/session.h"
#include "base/log.h"
#include "base/text.h"
#include "tui.h"
#include "base/util.h"
#include "config/vault.h"
#include "widget_dialog.h"
#include "widget_form.h"
#include "widget_list.h"
#include "widget_progress.h"
#include "widget_text.h"

#define ZOE "Zo\xc3\xab \xc5\x81ukasiewicz-\xc3\x98sterg\xc3\xa5rd"
#define YAMADA "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e"
#define ELLIPSIS "\xe2\x80\xa6"

static SCREEN *scr;
static FILE *out_fp, *in_fp;

static int
start_screen(void **state)
{
	(void)state;
	setenv("TERM", "screen-256color", 1);
	setenv("LINES", "24", 1);
	setenv("COLUMNS", "80", 1);
	out_fp = fopen("/dev/null", "w");
	in_fp = fopen("/dev/null", "r");
	if (out_fp == NULL || in_fp == NULL)
		return -1;
	scr = newterm(NULL, out_fp, in_fp);
	if (scr == NULL)
		return -1;
	set_term(scr);
	return 0;
}

static int
stop_screen(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(out_fp);
	fclose(in_fp);
	return 0;
}

/* Row y of the screen as UTF-8 (trailing spaces cut); caller frees. */
static char *
row_text(int y)
{
	char *all = tui_screen_text(), *p = all, *nl, *line;
	for (int i = 0; i < y && p != NULL; i++) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	assert_non_null(p);
	nl = strchr(p, '\n');
	line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
	free(all);
	return line;
}

static int
screen_has(const char *needle)
{
	char *all = tui_screen_text();
	int found = strstr(all, needle) != NULL;
	free(all);
	return found;
}

/* Display column where needle starts in s, -1 when absent. */
static int
col_of(const char *s, const char *needle)
{
	const char *at = strstr(s, needle);
	char *prefix;
	int w;
	if (at == NULL)
		return -1;
	prefix = strndup(s, (size_t)(at - s));
	w = text_width(prefix);
	free(prefix);
	return w;
}

/* ---- list ---- */

struct person {
	const char *name, *dept;
};

static const struct person people[] = {
	{ ZOE, "Sales" }, { YAMADA, "R&D" }, { "Kwame Mensah", "Ops" },
	{ "e\xcc\x81tienne Ab\xc3\xa9", "Legal" },
};

static const char *
person_cell(void *ctx, size_t row, int col)
{
	const struct person *p = (const struct person *)ctx + row;
	return col == 0 ? p->name : p->dept;
}

static void
list_columns_line_up(void **state)
{
	static const struct wlist_column cols[] = { { "Name", 8, 1, 0 }, { "Dept", 6, 0, 0 } };
	struct wlist l;
	int dept_col = -1;
	(void)state;
	erase();
	wlist_init(&l, cols, 2, person_cell, (void *)people);
	wlist_set_rows(&l, 4);
	wlist_move(&l, 1);
	wlist_draw(&l, 2, 4, 8, 20);	/* name gets 13 columns */
	refresh();
	for (int i = 0; i < 4; i++) {
		char *line = row_text(3 + i);
		int c = col_of(line, people[i].dept);
		if (dept_col < 0)
			dept_col = c;
		assert_int_equal(c, dept_col);	/* every Dept starts in one column */
		free(line);
	}
	assert_int_equal(dept_col, 4 + 13 + 1);
	{
		char *z = row_text(3), *y = row_text(4);
		assert_non_null(strstr(z, "Zo\xc3\xab \xc5\x81ukasiew" ELLIPSIS));
		assert_non_null(strstr(y, YAMADA));	/* fits: 9 columns */
		free(z);
		free(y);
	}
	/* the cursor row is reverse video (no colours were started) */
	assert_true(mvinch(4, 5) & A_REVERSE);
	assert_false(mvinch(3, 5) & A_REVERSE);
	/* the header names the columns */
	{
		char *h = row_text(2);
		assert_int_equal(col_of(h, "Dept"), dept_col);
		free(h);
	}
	wlist_release(&l);
}

static void
list_filter_line_and_empty(void **state)
{
	static const struct wlist_column cols[] = { { "Name", 8, 1, 0 }, { "Dept", 6, 0, 0 } };
	struct wlist l;
	char *line;
	(void)state;
	erase();
	wlist_init(&l, cols, 2, person_cell, (void *)people);
	wlist_set_rows(&l, 4);
	wlist_key(&l, '/');
	wlist_key(&l, 'z');
	wlist_key(&l, 'z');
	wlist_draw(&l, 0, 0, 6, 40);
	refresh();
	line = row_text(5);
	assert_non_null(strstr(line, "/zz_"));
	assert_non_null(strstr(line, "0 of 4"));
	free(line);
	assert_true(screen_has("no row matches the filter"));
	wlist_release(&l);
}

/* ---- text field ---- */

static void
masked_field_never_drawn(void **state)
{
	struct wtext t;
	char *line;
	(void)state;
	erase();
	wtext_init(&t, 64, 1);
	wtext_set(&t, "tok-SECRET-123");
	wtext_draw(&t, 1, 2, 30, 1);
	refresh();
	line = row_text(1);
	assert_null(strstr(line, "SECRET"));
	assert_non_null(strstr(line, "**************"));
	free(line);
	wtext_release(&t);
}

/* ---- dialog and progress ---- */

static void
confirm_box_drawn(void **state)
{
	struct wdlg d;
	(void)state;
	erase();
	wdlg_confirm(&d, "Apply", "Apply 12 changes to Alleo?", 1);
	wdlg_draw(&d);
	refresh();
	assert_true(screen_has("Apply 12 changes to Alleo?"));
	assert_true(screen_has("[ Yes (y) ]"));
	assert_true(screen_has("[ No (n) ]"));
}

/* A question longer than the screen is wide wraps inside its box: every
 * word shows, nothing is cut with "…". */
static void
long_question_wraps_in_its_box(void **state)
{
	struct wdlg d;
	(void)state;
	erase();
	wdlg_confirm(&d, "Change HiBob", "Set alleo_access to yes in HiBob for 320 people? "
	    "HiBob changes at once; the next sync follows it, and a person whose value you "
	    "change by mistake is changed back only by hand, in Bob or here: the end.", 1);
	wdlg_draw(&d);
	refresh();
	assert_false(screen_has(ELLIPSIS));
	assert_true(screen_has("Set alleo_access to yes"));
	assert_true(screen_has("the end."));
	assert_true(screen_has("[ Yes (y) ]"));
}

/* A question taller than the screen scrolls: PgDn shows its last line. */
static void
tall_question_scrolls(void **state)
{
	char text[4096] = "";
	struct wdlg d;
	(void)state;
	for (int i = 1; i <= 40; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "line %d\n", i);
	strcat(text, "the last line");
	erase();
	wdlg_confirm(&d, "Long", text, 1);
	wdlg_draw(&d);
	refresh();
	assert_true(screen_has("line 1\n") || screen_has("line 1 "));
	assert_false(screen_has("the last line"));
	assert_true(screen_has("PgUp/PgDn"));
	for (int i = 0; i < 10; i++)
		assert_int_equal(wdlg_key(&d, UK_PGDN), WDLG_OPEN);
	erase();
	wdlg_draw(&d);
	refresh();
	assert_true(screen_has("the last line"));
	assert_true(screen_has("[ Yes (y) ]"));
}

/* A field's hint longer than the form is wide wraps under the fields. */
static void
form_hint_wraps(void **state)
{
	struct wform_field f[2] = {
		{ .kind = WFORM_CHECK, .label = "Enabled", .help = "short" },
		{ .kind = WFORM_TEXT, .label = "Budget fields", .help = "auto, or field names "
		    "separated by commas (23 numeric fields read from HiBob: learning_budget, "
		    "home_office_budget, wellbeing_allowance, and 20 more): the last word" },
	};
	struct wform form;
	(void)state;
	wtext_init(&f[1].text, 64, 0);
	wform_init(&form, f, 2);
	form.focus = 1;
	assert_int_equal(wform_hint_rows(&form, 76), 3);
	erase();
	wform_draw(&form, 2, 2, 2 + WFORM_HINT_ROWS, 76);
	refresh();
	assert_false(screen_has(ELLIPSIS));
	assert_true(screen_has("the last word"));
	wtext_release(&f[1].text);
}

/* A choice as wide as the box allows is shown whole, not cut. */
static void
choice_box_fits_its_choices(void **state)
{
	static const char *const names[] = { "Roster to Alleo", "Time off to Assembled" };
	struct wdlg d;
	(void)state;
	erase();
	wdlg_choice(&d, "Sync which?", "", names, 2, 0);
	wdlg_draw(&d);
	refresh();
	assert_true(screen_has("( ) 2  Time off to Assembled"));
	assert_false(screen_has("\xe2\x80\xa6"));	/* no ellipsis */
}

static void
progress_drawn(void **state)
{
	char *line;
	(void)state;
	erase();
	wprog_draw(5, 0, 60, "Applying", 1, 2, 1, 0, 0, NULL, 0);
	refresh();
	line = row_text(5);
	assert_string_equal(line, "Applying: 1 of 2 \xc2\xb7 1 applied, 0 failed, 0 skipped");
	free(line);
	line = row_text(6);
	assert_non_null(strstr(line, " 50%"));
	assert_int_equal(text_width(line), 60);
	free(line);
}

/* ---- the framework ---- */

enum { ACT_NEXT = 1, ACT_ENV };

static const struct tui_action demo_actions[] = {
	{ ACT_NEXT, "Next", UK_ENTER, "go on to the next step", 0 },
	{ ACT_ENV, "Environment", 'e', "choose production, sandbox or a custom URL", 0 },
	/* a help text longer than a line of 80 columns: it wraps */
	{ 0, NULL, 'z', "a long help text that says what this key does in more words than fit "
	    "on one line of an 80-column terminal, ending in the word omega", TUI_ACT_NOBAR },
};

struct demo {
	int nexts, closed;
	int typing;
	int say_on_back;	/* Esc: say something, then go back */
};

static void
demo_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	(void)ui;
	(void)h;
	text_put(y + 1, x + 2, "What will happen", w - 4, ROLE_NORMAL);
	(void)s;
}

static int
demo_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct demo *d = s->data;
	if (key == UK_ESC && d->say_on_back) {
		tui_say(ui, ROLE_DIM, "Nothing applied.");
		return TUI_BACK;
	}
	if (action == ACT_NEXT) {
		d->nexts++;
		return TUI_HANDLED;
	}
	return TUI_UNHANDLED;
}

static void
demo_close(struct tui *ui, struct tui_screen *s)
{
	struct demo *d = s->data;
	(void)ui;
	d->closed++;
}

static const struct tui_action *
demo_acts(struct tui_screen *s, size_t *n)
{
	(void)s;
	*n = sizeof demo_actions / sizeof demo_actions[0];
	return demo_actions;
}

static int
demo_typing(struct tui_screen *s)
{
	return ((struct demo *)s->data)->typing;
}

static const struct tui_screen_ops demo_ops = {
	"demo", NULL, demo_draw, demo_key, demo_close, demo_acts, NULL, demo_typing, NULL,
};

static void
framework_frame_help_and_back(void **state)
{
	struct tui *ui;
	struct demo one = { 0 }, two = { 0 };
	char *line;
	(void)state;
	assert_int_equal(tui_attach(&ui), 0);
	assert_int_equal(tui_push(ui, &demo_ops, &one, "Welcome", "Setup \xc2\xb7 Step 1 of 8 \xc2\xb7 Welcome"), 0);
	tui_draw(ui);
	line = row_text(0);
	assert_string_equal(line, " bobsync \xc2\xb7 Setup \xc2\xb7 Step 1 of 8 \xc2\xb7 Welcome");
	free(line);
	line = row_text(LINES - 1);
	assert_string_equal(line, " F1/? Help  Esc Quit  Enter Next  e Environment");
	free(line);
	assert_true(screen_has("What will happen"));

	tui_feed_key(ui, UK_ENTER);
	assert_int_equal(one.nexts, 1);

	tui_feed_key(ui, '?');		/* the help lists the screen's keys */
	tui_draw(ui);
	assert_true(screen_has("choose production, sandbox or a custom URL"));
	assert_true(screen_has("this help"));
	assert_false(screen_has("What will happen"));	/* the screen behind is covered */
	assert_false(screen_has(ELLIPSIS));		/* a long help text wraps */
	assert_true(screen_has("ending in the word omega"));
	tui_feed_key(ui, UK_ENTER);	/* any key closes it, and does nothing else */
	assert_int_equal(one.nexts, 1);
	tui_draw(ui);
	assert_false(screen_has("choose production, sandbox or a custom URL"));

	tui_push(ui, &demo_ops, &two, "Second", NULL);
	tui_draw(ui);
	assert_true(screen_has("Esc Back"));
	two.typing = 1;			/* in a text field q and ? are text */
	tui_feed_key(ui, 'q');
	tui_feed_key(ui, '?');
	tui_draw(ui);
	assert_ptr_equal(tui_top(ui)->data, &two);
	assert_false(screen_has("this help"));
	line = row_text(LINES - 1);
	assert_string_equal(line, " F1 Help  Esc Back  Enter Next");	/* 'e' is text now */
	free(line);
	tui_feed_key(ui, UK_ESC);	/* Esc always goes back */
	assert_int_equal(two.closed, 1);
	assert_ptr_equal(tui_top(ui)->data, &one);
	tui_feed_key(ui, 'q');
	assert_null(tui_top(ui));
	assert_int_equal(one.closed, 1);
	tui_stop(&ui);
	assert_null(ui);
}

/* A screen's message goes when the screen closes: it does not follow the
 * admin to the screen below (or to the next one opened). */
static void
framework_message_cleared_when_a_screen_closes(void **state)
{
	struct tui *ui;
	struct demo one = { 0 }, two = { 0 };
	char *line;
	(void)state;
	tui_attach(&ui);
	tui_push(ui, &demo_ops, &one, "First", NULL);
	tui_say(ui, ROLE_OK, "Status read again.");
	tui_feed_key(ui, UK_ENTER);	/* a key later, a screen opens over it */
	tui_push(ui, &demo_ops, &two, "Second", NULL);
	tui_draw(ui);
	assert_false(screen_has("Status read again."));
	tui_say(ui, ROLE_OK, "0 changed, 0 already yes, 320 failed.");
	tui_draw(ui);
	line = row_text(LINES - 2);
	assert_string_equal(line, "0 changed, 0 already yes, 320 failed.");
	free(line);
	tui_feed_key(ui, UK_ESC);
	tui_draw(ui);
	assert_ptr_equal(tui_top(ui)->data, &one);
	assert_false(screen_has("320 failed"));
	/* a message wider than the screen wraps onto the row above */
	tui_say(ui, ROLE_ERROR, "HiBob did not accept the ID or token, nothing stored: check "
	    "them in Bob (Settings > Integrations > Service Users)");
	tui_draw(ui);
	assert_false(screen_has(ELLIPSIS));
	line = row_text(LINES - 2);
	assert_non_null(strstr(line, "Service Users)"));
	free(line);
	/* what a screen says in answer to the key that closes it stays */
	tui_push(ui, &demo_ops, &two, "Second", NULL);
	two.say_on_back = 1;
	tui_feed_key(ui, UK_ESC);
	tui_draw(ui);
	assert_true(screen_has("Nothing applied."));
	tui_stop(&ui);
}

static void
framework_message_line_shows_logged_errors(void **state)
{
	struct tui *ui;
	struct demo one = { 0 };
	char *line;
	(void)state;
	tui_attach(&ui);
	tui_push(ui, &demo_ops, &one, "Welcome", NULL);
	tui_say(ui, ROLE_OK, "Saved hibob.base_url");
	tui_draw(ui);
	line = row_text(LINES - 2);
	assert_string_equal(line, "Saved hibob.base_url");
	free(line);
	log_error("HiBob rejected the Service User ID or token (HTTP 401)");
	tui_draw(ui);
	line = row_text(LINES - 2);
	assert_string_equal(line, "HiBob rejected the Service User ID or token (HTTP 401)");
	free(line);
	tui_stop(&ui);
}

static void
framework_too_small(void **state)
{
	struct tui *ui;
	struct demo one = { 0 };
	char *line;
	(void)state;
	tui_attach(&ui);
	tui_push(ui, &demo_ops, &one, "Welcome", NULL);
	resizeterm(15, 59);
	tui_draw(ui);
	line = row_text(0);
	assert_string_equal(line, "Terminal too small (need 60x16)");
	free(line);
	tui_feed_key(ui, UK_ENTER);		/* nothing but Esc/q while too small */
	assert_int_equal(one.nexts, 0);
	resizeterm(16, 60);
	tui_draw(ui);
	assert_false(screen_has("Terminal too small"));
	line = row_text(15);
	assert_string_equal(line, " F1/? Help  Esc Quit  Enter Next  e Environment");
	free(line);
	resizeterm(24, 80);
	tui_stop(&ui);
}

/* ---- the welcome step ---- */

static void
feed_text(struct tui *ui, const char *s)
{
	for (; *s; s++)
		tui_feed_key(ui, (unsigned char)*s);
}

static void
welcome_saves_only_on_continue(void **state)
{
	char dir[] = "/tmp/test_ui_render.XXXXXX", path[64];
	struct conf *conf = conf_new();
	struct tui *ui;
	int result = -1;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/bobsync.conf", dir);
	tui_attach(&ui);

	/* Enter on the current address: go on, nothing written */
	assert_int_equal(screen_welcome_push(ui, conf, path, "Setup \xc2\xb7 Step 1 of 8 \xc2\xb7 Welcome", &result), 0);
	assert_int_equal(result, 0);
	tui_draw(ui);
	assert_true(screen_has("Current: https://api.hibob.com/v1"));
	assert_true(screen_has("< production (api.hibob.com) >"));
	assert_true(screen_has("alleo_access"));
	tui_feed_key(ui, UK_ENTER);
	assert_int_equal(result, 1);
	assert_int_not_equal(access(path, F_OK), 0);
	tui_pop(ui);

	/* another address: q is text; an insecure one is refused */
	screen_welcome_push(ui, conf, path, NULL, &result);
	tui_feed_key(ui, '3');
	feed_text(ui, "http://q.example.com/v1");
	tui_feed_key(ui, UK_ENTER);
	assert_int_equal(result, 0);
	assert_non_null(tui_top(ui));
	assert_string_equal(conf_get(conf, "hibob.base_url"), "https://api.hibob.com/v1");
	assert_int_not_equal(access(path, F_OK), 0);
	tui_draw(ui);
	assert_true(screen_has("http://q.example.com/v1"));
	tui_feed_key(ui, UK_CTRL('u'));
	tui_feed_key(ui, UK_ENTER);		/* empty: asks for it */
	tui_draw(ui);
	assert_true(screen_has("type the address first"));
	feed_text(ui, "https://bob.test.example/v1");
	tui_feed_key(ui, UK_ENTER);
	assert_int_equal(result, 1);
	assert_string_equal(conf_get(conf, "hibob.base_url"), "https://bob.test.example/v1");
	assert_int_equal(access(path, F_OK), 0);
	tui_pop(ui);

	/* the choice starts on what is stored; 2 picks the sandbox */
	screen_welcome_push(ui, conf, path, NULL, &result);
	tui_draw(ui);
	assert_true(screen_has("< another address >"));
	assert_true(screen_has("https://bob.test.example/v1"));
	tui_feed_key(ui, '2');			/* the focus starts on the choice */
	tui_feed_key(ui, UK_ENTER);
	assert_int_equal(result, 1);
	tui_pop(ui);
	{
		struct conf *again = conf_new();
		assert_int_equal(conf_load(again, path, NULL), BS_OK);
		assert_string_equal(conf_get(again, "hibob.base_url"), WELCOME_SANDBOX_URL);
		conf_free(&again);
	}

	/* Esc leaves without saving */
	screen_welcome_push(ui, conf, path, NULL, &result);
	tui_feed_key(ui, '1');
	tui_feed_key(ui, UK_ESC);
	assert_null(tui_top(ui));
	assert_int_equal(result, 0);
	assert_string_equal(conf_get(conf, "hibob.base_url"), WELCOME_SANDBOX_URL);

	tui_stop(&ui);
	conf_free(&conf);
	unlink(path);
	rmdir(dir);
}

/* ---- pure helpers ---- */

static void
keys_from_curses(void **state)
{
	(void)state;
	assert_int_equal(tui_key_from_curses(ERR, 0), UK_NONE);
	assert_int_equal(tui_key_from_curses(OK, '\n'), UK_ENTER);
	assert_int_equal(tui_key_from_curses(OK, '\r'), UK_ENTER);
	assert_int_equal(tui_key_from_curses(OK, 27), UK_ESC);
	assert_int_equal(tui_key_from_curses(OK, 127), UK_BACKSPACE);
	assert_int_equal(tui_key_from_curses(OK, '\t'), UK_TAB);
	assert_int_equal(tui_key_from_curses(OK, 0x5c71), 0x5c71);
	assert_int_equal(tui_key_from_curses(OK, 3), 3);
	assert_int_equal(tui_key_from_curses(KEY_CODE_YES, KEY_RESIZE), UK_RESIZE);
	assert_int_equal(tui_key_from_curses(KEY_CODE_YES, KEY_F(1)), UK_F1);
	assert_int_equal(tui_key_from_curses(KEY_CODE_YES, KEY_BTAB), UK_BTAB);
	assert_int_equal(tui_key_from_curses(KEY_CODE_YES, KEY_NPAGE), UK_PGDN);
	assert_int_equal(tui_key_from_curses(KEY_CODE_YES, KEY_MOUSE), UK_NONE);
}

static void
key_names(void **state)
{
	char b[16];
	(void)state;
	assert_string_equal(tui_key_name(UK_ENTER, b, sizeof b), "Enter");
	assert_string_equal(tui_key_name(UK_F1, b, sizeof b), "F1");
	assert_string_equal(tui_key_name(' ', b, sizeof b), "Space");
	assert_string_equal(tui_key_name(UK_CTRL('u'), b, sizeof b), "^U");
	assert_string_equal(tui_key_name('q', b, sizeof b), "q");
	assert_string_equal(tui_key_name(0xe9, b, sizeof b), "\xc3\xa9");
	assert_string_equal(tui_key_name(UK_INTERRUPT, b, sizeof b), "");
	assert_string_equal(tui_key_name(UK_ENTER, b, 0), "");
}

static void
hints_fit_whole_items(void **state)
{
	static const struct tui_action a[] = {
		{ 1, "Next", UK_ENTER, "next", 0 },
		{ 2, "Hidden", 'h', "only in help", TUI_ACT_NOBAR },
		{ 3, "Filter", '/', "filter", 0 },
	};
	char b[256];
	(void)state;
	tui_hints(NULL, 0, 0, 1, b, sizeof b, 80);
	assert_string_equal(b, " F1/? Help  Esc Quit ");
	tui_hints(a, 3, 0, 2, b, sizeof b, 80);
	assert_string_equal(b, " F1/? Help  Esc Back  Enter Next  / Filter ");
	tui_hints(a, 3, 1, 2, b, sizeof b, 80);
	assert_string_equal(b, " F1 Help  Esc Back  Enter Next ");
	tui_hints(a, 3, 0, 2, b, sizeof b, 33);
	assert_string_equal(b, " F1/? Help  Esc Back  Enter Next ");
	tui_hints(a, 3, 0, 2, b, sizeof b, 32);
	assert_string_equal(b, " F1/? Help  Esc Back ");
	tui_hints(a, 3, 0, 2, b, 8, 80);
	assert_true(strlen(b) < 8);
	{
		/* a screen whose Esc means Stop shows that, not Esc Back too */
		static const struct tui_action busy[] = {
			{ 4, "Stop", UK_ESC, "stop at the next safe point", 0 },
		};
		tui_hints(busy, 1, 0, 2, b, sizeof b, 80);
		assert_string_equal(b, " F1/? Help  Esc Stop ");
	}
}

/* ---- the settings screen ---- */

/* A refused value stays in the field with its reason and nothing is
 * saved; an accepted one is saved at once; u goes back to the default. */
static void
settings_checked_on_entry_and_saved(void **state)
{
	char dir[] = "/tmp/test_ui_render.XXXXXX", path[64], *text = NULL;
	struct conf *conf = conf_new();
	struct bs_session s;
	struct bs_paths paths = { 0 };
	struct vault *vault = NULL;
	struct dash_env e = { &s, &paths, conf, &vault, NULL };
	struct bs_error err = { 0 };
	struct tui *ui;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/bobsync.conf", dir);
	paths.conf_file = path;
	session_init(&s, conf, NULL, NULL, NULL);
	tui_attach(&ui);
	assert_int_equal(screen_settings_push(ui, &e, "Dashboard \xc2\xb7 Settings"), 0);
	tui_draw(ui);
	assert_true(screen_has("Setting"));
	assert_true(screen_has("Meaning"));
	tui_feed_key(ui, '/');
	feed_text(ui, "prestart");
	tui_feed_key(ui, UK_ENTER);		/* keeps the filter */
	tui_feed_key(ui, UK_ENTER);		/* edits the row */
	tui_draw(ui);
	assert_true(screen_has("New value of alleo.prestart_days"));
	tui_feed_key(ui, UK_CTRL('u'));
	feed_text(ui, "999");
	tui_feed_key(ui, UK_ENTER);
	tui_draw(ui);
	assert_true(screen_has("must be a whole number from 0 to 365"));
	assert_true(screen_has(" 999"));	/* kept to be corrected */
	assert_string_equal(conf_get(conf, "alleo.prestart_days"), "0");
	assert_int_not_equal(access(path, F_OK), 0);
	tui_feed_key(ui, UK_CTRL('u'));
	feed_text(ui, "3");
	tui_feed_key(ui, UK_ENTER);
	tui_draw(ui);
	assert_true(screen_has("Saved alleo.prestart_days = 3."));
	assert_string_equal(conf_get(conf, "alleo.prestart_days"), "3");
	assert_int_equal(util_read_file(path, 1 << 16, &text, &len, &err), BS_OK);
	assert_non_null(strstr(text, "alleo.prestart_days = 3"));
	free(text);
	/* Esc while editing leaves the value; u puts back the default */
	tui_feed_key(ui, UK_ENTER);
	feed_text(ui, "7");
	tui_feed_key(ui, UK_ESC);
	assert_string_equal(conf_get(conf, "alleo.prestart_days"), "3");
	tui_feed_key(ui, 'u');
	assert_false(conf_is_set(conf, "alleo.prestart_days"));
	assert_int_equal(util_read_file(path, 1 << 16, &text, &len, &err), BS_OK);
	assert_null(strstr(text, "alleo.prestart_days = 3"));
	free(text);
	tui_stop(&ui);
	session_close(&s);
	conf_free(&conf);
	unlink(path);
	rmdir(dir);
}

/* Tick until the top screen's job (a read) has ended and been handed to
 * its job_done, at most about 5 s. */
static void
tick_until_done(struct tui *ui)
{
	for (int i = 0; i < 500; i++) {
		struct tui_screen *top = tui_top(ui);
		int running = tui_job_running(top);
		tui_tick(ui);
		if (!running && !tui_job_running(tui_top(ui)))
			return;
		usleep(10000);
	}
	fail_msg("the screen's worker did not end");
}

/* The setup is a table: a step's fields are made from the settings table
 * (label, help, limits), and going on from a step opens the next one with
 * its crumbs, through the wizard. */
static void
wizard_steps_from_table(void **state)
{
	char dir[] = "/tmp/test_ui_render.XXXXXX", path[64], *text = NULL;
	struct conf *conf = conf_new();
	struct bs_session s;
	struct bs_paths paths = { 0 };
	struct vault *vault = NULL;
	struct dash_env e = { &s, &paths, conf, &vault, NULL };
	struct bs_error err = { 0 };
	struct tui *ui;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/bobsync.conf", dir);
	paths.conf_file = path;
	session_init(&s, conf, NULL, NULL, NULL);
	tui_attach(&ui);
	assert_int_equal(screen_setup_push(ui, &e, 0), -1);
	assert_int_equal(screen_setup_push(ui, &e, 9), -1);
	assert_int_equal(screen_setup_push(ui, &e, 4), 0);
	tick_until_done(ui);	/* HiBob's fields: no credentials, an error */
	tui_draw(ui);
	assert_true(screen_has("Step 4 of 8 \xc2\xb7 Alleo"));
	assert_true(screen_has("SCIM address"));	/* labels from conf_label */
	assert_true(screen_has("known_hosts"));
	assert_true(screen_has("Prestart days"));
	tui_feed_key(ui, UK_RIGHT);			/* pull */
	tui_feed_key(ui, UK_ENTER);			/* to Prestart days */
	tui_draw(ui);
	/* the table's limits in the help */
	assert_true(screen_has("accounts this many days before the start date (0-365)"));
	tui_feed_key(ui, UK_CTRL('u'));
	feed_text(ui, "400");
	tui_feed_key(ui, UK_ENTER);
	tui_feed_key(ui, UK_ENTER);			/* saves: refused by the table */
	tui_draw(ui);
	assert_true(screen_has("must be a whole number from 0 to 365"));
	assert_true(screen_has("Step 4 of 8"));
	tui_feed_key(ui, UK_CTRL('u'));
	feed_text(ui, "2");
	tui_feed_key(ui, UK_ENTER);
	tui_feed_key(ui, UK_ENTER);
	tui_draw(ui);
	/* saved, and the wizard opened the next step */
	assert_true(screen_has("Step 5 of 8 \xc2\xb7 Assembled"));
	assert_true(screen_has("Sync time off"));
	assert_true(screen_has("Time-off type"));
	assert_string_equal(conf_get(conf, "alleo.mode"), "pull");
	assert_int_equal(util_read_file(path, 1 << 16, &text, &len, &err), BS_OK);
	assert_non_null(strstr(text, "alleo.mode = pull"));
	assert_non_null(strstr(text, "alleo.prestart_days = 2"));
	free(text);
	/* step 5 with the sync off: Enter saves it and goes on to step 6 */
	tui_feed_key(ui, UK_ENTER);
	tui_draw(ui);
	assert_true(screen_has("Step 6 of 8 \xc2\xb7 Employees"));
	assert_string_equal(conf_get(conf, "assembled.enabled"), "false");
	/* Esc goes back a step */
	tui_feed_key(ui, UK_ESC);
	tui_draw(ui);
	assert_true(screen_has("Step 5 of 8"));
	tui_stop(&ui);
	session_close(&s);
	conf_free(&conf);
	unlink(path);
	rmdir(dir);
}

/* Step 2: a field just reached leaves ? to the help (the ID is not "?");
 * what cannot be changed says why. */
static void
wizard_credentials_help_and_kept_fields(void **state)
{
	char dir[] = "/tmp/test_ui_render.XXXXXX", path[64], vpath[80];
	struct conf *conf = conf_new();
	struct bs_session s;
	struct bs_paths paths = { 0 };
	struct vault *vault = NULL;
	struct vault_unlock how = { "a passphrase for tests", NULL };
	struct dash_env e = { &s, &paths, conf, &vault, NULL };
	struct bs_error err = { 0 };
	struct tui *ui;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/bobsync.conf", dir);
	snprintf(vpath, sizeof vpath, "%s/vault", dir);
	paths.conf_file = path;
	paths.vault_file = vpath;
	session_init(&s, conf, NULL, NULL, NULL);
	tui_attach(&ui);
	assert_int_equal(screen_setup_push(ui, &e, 2), 0);
	tui_draw(ui);
	assert_true(screen_has("Step 2 of 8 \xc2\xb7 Credentials"));
	assert_false(screen_has("kept: the vault exists"));
	tui_feed_key(ui, '?');
	tui_draw(ui);
	assert_true(screen_has("show or hide a hidden value while typing"));	/* the help */
	tui_feed_key(ui, UK_ESC);			/* closes the help */
	feed_text(ui, "SU-1?");
	tui_draw(ui);
	assert_true(screen_has("SU-1?"));		/* once typing, ? is text */
	assert_false(screen_has("?SU-1"));
	tui_feed_key(ui, UK_TAB);
	tui_feed_key(ui, '?');				/* a new field: help again */
	tui_draw(ui);
	assert_true(screen_has("show or hide a hidden value while typing"));
	tui_feed_key(ui, UK_ESC);
	tui_feed_key(ui, UK_TAB);			/* Protect with */
	tui_feed_key(ui, UK_RIGHT);			/* a key file */
	tui_draw(ui);
	assert_true(screen_has("(not needed with a key file)"));
	tui_pop(ui);
	/* a vault exists: its protection is kept, and the form says so */
	setenv("BOBSYNC_KDF", "min", 1);
	assert_int_equal(vault_create(vpath, &how, &vault, &err), BS_OK);
	assert_int_equal(vault_save(vault, &err), BS_OK);
	assert_int_equal(screen_setup_push(ui, &e, 2), 0);
	tui_draw(ui);
	assert_true(screen_has("Protect with"));
	assert_true(screen_has("a passphrase  (kept: the vault exists)"));
	assert_false(screen_has("< a passphrase >"));
	tui_stop(&ui);
	session_close(&s);
	vault_close(&vault);
	conf_free(&conf);
	unlink(vpath);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest screen_tests[] = {
		cmocka_unit_test(list_columns_line_up),
		cmocka_unit_test(list_filter_line_and_empty),
		cmocka_unit_test(masked_field_never_drawn),
		cmocka_unit_test(confirm_box_drawn),
		cmocka_unit_test(choice_box_fits_its_choices),
		cmocka_unit_test(long_question_wraps_in_its_box),
		cmocka_unit_test(tall_question_scrolls),
		cmocka_unit_test(form_hint_wraps),
		cmocka_unit_test(framework_message_cleared_when_a_screen_closes),
		cmocka_unit_test(progress_drawn),
		cmocka_unit_test(framework_frame_help_and_back),
		cmocka_unit_test(framework_message_line_shows_logged_errors),
		cmocka_unit_test(framework_too_small),
		cmocka_unit_test(welcome_saves_only_on_continue),
		cmocka_unit_test(settings_checked_on_entry_and_saved),
		cmocka_unit_test(wizard_steps_from_table),
		cmocka_unit_test(wizard_credentials_help_and_kept_fields),
	};
	const struct CMUnitTest pure_tests[] = {
		cmocka_unit_test(keys_from_curses),
		cmocka_unit_test(key_names),
		cmocka_unit_test(hints_fit_whole_items),
	};
	int failed;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL || sodium_init() < 0)
		return 1;
	unsetenv("BOBSYNC_TUI_SCREENDUMP");
	failed = cmocka_run_group_tests_name("pure", pure_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("screen", screen_tests, start_screen, stop_screen);
	return failed;
}
