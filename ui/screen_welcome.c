/* screen_welcome.c - setup step 1: what happens, what is needed, which
 * HiBob.  Built on the toolkit: a tui screen with a form of two fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "config/conf.h"
#include "console.h"
#include "tui.h"
#include "base/util.h"
#include "widget_form.h"

enum { ACT_NEXT = 1, ACT_PROD, ACT_SANDBOX, ACT_CUSTOM, ACT_FIELD };
enum { CHOICE_PROD, CHOICE_SANDBOX, CHOICE_CUSTOM };

static const struct tui_action actions[] = {
	{ ACT_NEXT, "Continue", UK_ENTER, "save the HiBob address and go on to the credentials", 0 },
	{ ACT_PROD, "Production", '1', "HiBob production (" WELCOME_PRODUCTION_URL ")", 0 },
	{ ACT_SANDBOX, "Sandbox", '2', "a HiBob sandbox tenant (" WELCOME_SANDBOX_URL ")", 0 },
	{ ACT_CUSTOM, "Other", '3', "another address (a proxy or a test server)", 0 },
	{ ACT_FIELD, "Field", UK_TAB, "between the choice and the address (also Up/Down)",
	  TUI_ACT_NOBAR },
};

static const char *const choices[] = {
	"production (api.hibob.com)",
	"sandbox tenant (api.sandbox.hibob.com)",
	"another address",
};

/* Paragraphs of the step: indent of a wrapped line, then the text. */
static const struct {
	int indent;
	const char *text;
} intro[] = {
	{ 0, "bobsync feeds HiBob into Alleo (a benefit account for everyone whose "
	  "alleo_access field is yes) and Assembled (approved time off on the schedule). "
	  "Nothing changes in Alleo or Assembled before you have seen the plan and "
	  "confirmed it." },
	{ 0, "" },
	{ 0, "You need, in Bob (Settings > Integrations > Service Users):" },
	{ 4, "  - a Service User, its ID and token (the token is shown only once);" },
	{ 4, "  - a permission group for it that can view Basic info, Work, Employment, "
	  "Lifecycle, Personal and time off, for an audience that includes hired and "
	  "terminated people;" },
	{ 4, "  - a List field named alleo_access in Work, with the options yes and no." },
};

struct welcome {
	struct conf *conf;
	const char *conf_path;
	int *result;
	void (*next_fn)(struct tui *, void *);	/* instead of result, when set */
	void *next_ctx;
	/* saves the address instead of conf_save, when set (the setup:
	 * one key, and the session's clients made again) */
	int (*save_fn)(void *ctx, const char *url, char *why, size_t whylen);
	struct wform_field fields[2];
	struct wform form;
};

static void
sync_fields(struct welcome *w)
{
	w->fields[1].disabled = w->fields[0].choice != CHOICE_CUSTOM;
	if (w->fields[1].disabled && w->form.focus == 1)
		w->form.focus = 0;
}

static int
welcome_open(struct tui *ui, struct tui_screen *s)
{
	struct welcome *w = s->data;
	const char *url = conf_get(w->conf, "hibob.base_url");

	(void)ui;
	w->fields[0].kind = WFORM_CHOICE;
	w->fields[0].label = "HiBob";
	w->fields[0].help = "1, 2, 3 or Left/Right choose; Enter continues";
	w->fields[0].choices = choices;
	w->fields[0].nchoices = 3;
	w->fields[1].kind = WFORM_TEXT;
	w->fields[1].label = "Address";
	w->fields[1].help = "the API address, e.g. https://api.hibob.com/v1";
	wtext_init(&w->fields[1].text, 512, 0);
	if (str_eq(url, WELCOME_PRODUCTION_URL))
		w->fields[0].choice = CHOICE_PROD;
	else if (str_eq(url, WELCOME_SANDBOX_URL))
		w->fields[0].choice = CHOICE_SANDBOX;
	else {
		w->fields[0].choice = CHOICE_CUSTOM;
		wtext_set(&w->fields[1].text, url);
	}
	wform_init(&w->form, w->fields, 2);
	w->form.focus = 0;
	sync_fields(w);
	return 0;
}

static void
welcome_close(struct tui *ui, struct tui_screen *s)
{
	struct welcome *w = s->data;

	(void)ui;
	wtext_release(&w->fields[1].text);
	free(w);
	s->data = NULL;
}

static const struct tui_action *
welcome_actions(struct tui_screen *s, size_t *n)
{
	(void)s;
	*n = sizeof actions / sizeof actions[0];
	return actions;
}

static int
welcome_typing(struct tui_screen *s)
{
	struct welcome *w = s->data;

	return wform_typing(&w->form);
}

/* The address the form names now, "" when the field is empty. */
static const char *
shown_url(struct welcome *w, char *buf, size_t sz)
{
	if (w->fields[0].choice == CHOICE_PROD)
		return WELCOME_PRODUCTION_URL;
	if (w->fields[0].choice == CHOICE_SANDBOX)
		return WELCOME_SANDBOX_URL;
	if (wtext_get(&w->fields[1].text, buf, sz) == (size_t)-1)
		buf[0] = '\0';
	str_trim(buf);
	return buf;
}

static void
welcome_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct welcome *st = s->data;
	int row = y + 1, bottom = y + h, width = w - 4;
	size_t starts[32], lens[32];
	char line[1200], url[600];
	const char *shown;

	(void)ui;
	/* the form and the current address take the last 5 rows */
	for (size_t p = 0; p < sizeof intro / sizeof intro[0]; p++) {
		size_t n;
		if (intro[p].text[0] == '\0') {
			row++;
			continue;
		}
		n = text_wrap(intro[p].text, width - intro[p].indent, starts, lens, 32);
		for (size_t i = 0; i < n && row < bottom - 5; i++, row++) {
			int ind = i == 0 ? 0 : intro[p].indent;
			snprintf(line, sizeof line, "%*s%.*s", ind, "", (int)lens[i],
			    intro[p].text + starts[i]);
			text_put(row, x + 2, line, width, ROLE_NORMAL);
		}
	}
	row = row + 1 < bottom - 5 ? row + 1 : bottom - 5;
	/* the address Enter saves, when it is not the one saved already */
	shown = shown_url(st, url, sizeof url);
	if (str_eq(shown, conf_get(st->conf, "hibob.base_url")))
		snprintf(line, sizeof line, "Current: %s", shown);
	else
		snprintf(line, sizeof line, "Enter saves: %s (now %s)", shown[0] ? shown :
		    "(type the address)", conf_get(st->conf, "hibob.base_url"));
	text_put(row, x + 2, line, width, ROLE_OK);
	row += 2;
	wform_draw(&st->form, row, x + 2, bottom - row, width);
}

/* The address the form names; NULL (and a message) when none. */
static const char *
chosen_url(struct welcome *w, char *buf, size_t sz)
{
	switch (w->fields[0].choice) {
	case CHOICE_PROD:
		return WELCOME_PRODUCTION_URL;
	case CHOICE_SANDBOX:
		return WELCOME_SANDBOX_URL;
	default:
		if (wtext_get(&w->fields[1].text, buf, sz) == (size_t)-1)
			buf[0] = '\0';
		str_trim(buf);
		if (buf[0] == '\0') {
			wtext_set_msg(&w->fields[1].text, "type the address first");
			w->form.focus = 1;
			return NULL;
		}
		return buf;
	}
}

static int
next(struct tui *ui, struct welcome *w)
{
	struct bs_error err = { 0 };
	char buf[600];
	const char *url = chosen_url(w, buf, sizeof buf);

	if (url == NULL)
		return TUI_HANDLED;
	if (w->save_fn != NULL) {
		char why[512];
		if (w->save_fn(w->next_ctx, url, why, sizeof why) != 0) {
			if (w->fields[0].choice == CHOICE_CUSTOM) {
				wtext_set_msg(&w->fields[1].text, why);
				w->form.focus = 1;
			}
			tui_say(ui, ROLE_ERROR, " %s", why);
			return TUI_HANDLED;
		}
	} else if (!str_eq(url, conf_get(w->conf, "hibob.base_url")) &&
	    conf_update(w->conf, w->conf_path, "hibob.base_url", url, &err) != BS_OK) {
		if (w->fields[0].choice == CHOICE_CUSTOM) {
			wtext_set_msg(&w->fields[1].text, bs_error_text(&err));
			w->form.focus = 1;
		}
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
		return TUI_HANDLED;
	}
	if (w->next_fn != NULL) {
		/* coming back (Esc on step 2) lands on the choice, not in the text */
		w->form.focus = 0;
		w->next_fn(ui, w->next_ctx);
		return TUI_HANDLED;
	}
	*w->result = 1;
	return TUI_QUIT;
}

static int
pick(struct welcome *w, int choice)
{
	w->fields[0].choice = choice;
	sync_fields(w);
	if (choice == CHOICE_CUSTOM)
		w->form.focus = 1;
	return TUI_HANDLED;
}

static int
welcome_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct welcome *w = s->data;

	switch (action) {
	case ACT_NEXT:
		return next(ui, w);
	case ACT_PROD:
		return pick(w, CHOICE_PROD);
	case ACT_SANDBOX:
		return pick(w, CHOICE_SANDBOX);
	case ACT_CUSTOM:
		return pick(w, CHOICE_CUSTOM);
	default:
		break;
	}
	if (key == UK_ESC)
		return TUI_UNHANDLED;	/* back: leaves the setup */
	switch (wform_key(&w->form, key)) {
	case WFORM_CHANGED:
		if (w->form.focus == 1)
			wtext_set_msg(&w->fields[1].text, NULL);
		sync_fields(w);
		return TUI_HANDLED;
	case WFORM_HANDLED:
		sync_fields(w);
		return TUI_HANDLED;
	case WFORM_SUBMIT:
		return next(ui, w);
	default:
		return TUI_UNHANDLED;
	}
}

static const struct tui_screen_ops welcome_ops = {
	.name = "welcome",
	.open = welcome_open,
	.draw = welcome_draw,
	.handle_key = welcome_key,
	.close = welcome_close,
	.actions = welcome_actions,
	.typing = welcome_typing,
};

int
screen_welcome_push(struct tui *ui, struct conf *conf, const char *conf_path,
    const char *crumbs, int *result)
{
	struct welcome *w = xcalloc(1, sizeof *w);

	w->conf = conf;
	w->conf_path = conf_path;
	w->result = result;
	*result = 0;
	if (tui_push(ui, &welcome_ops, w, "Welcome", crumbs) != 0) {
		free(w);
		return -1;
	}
	return 0;
}

int
screen_welcome_push_then(struct tui *ui, struct conf *conf, const char *conf_path,
    const char *crumbs, void (*next_fn)(struct tui *, void *), void *ctx)
{
	return screen_welcome_push_save(ui, conf, conf_path, crumbs, next_fn, NULL, ctx);
}

int
screen_welcome_push_save(struct tui *ui, struct conf *conf, const char *conf_path,
    const char *crumbs, void (*next_fn)(struct tui *, void *),
    int (*save_fn)(void *, const char *, char *, size_t), void *ctx)
{
	struct welcome *w = xcalloc(1, sizeof *w);

	w->conf = conf;
	w->conf_path = conf_path;
	w->next_fn = next_fn;
	w->next_ctx = ctx;
	w->save_fn = save_fn;
	if (tui_push(ui, &welcome_ops, w, "Welcome", crumbs) != 0) {
		free(w);
		return -1;
	}
	return 0;
}
