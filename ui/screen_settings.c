/* screen_settings.c - every setting of core/config/conf.c's table with its value
 * and meaning, edited in place.  Enter opens the value for editing (a
 * choice for true/false and fixed choices); the value is checked by
 * conf_set when entered: a refused value stays in the field with the
 * reason under it and on the message line; an accepted one is saved to
 * bobsync.conf at once (conf_save).  u puts a setting back to its default.
 * After a change the session's clients are made again, so the next read
 * uses the new address, time zone or limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "dash.h"
#include "console.h"
#include "admin/jobs.h"
#include "base/paths.h"
#include "engine/session.h"
#include "base/text.h"
#include "tui.h"
#include "base/util.h"
#include "widget_list.h"
#include "widget_text.h"

enum { COL_KEY, COL_VALUE, COL_MEANING, NCOLS };

static const struct wlist_column cols[NCOLS] = {
	{ "Setting", 14, 2, 0 },
	{ "Value", 10, 2, 0 },
	{ "Meaning", 14, 3, 0 },
};

enum { ACT_EDIT = 1, ACT_DEFAULT, ACT_FILTER, ACT_SAVE };

static const struct tui_action list_actions[] = {
	{ ACT_EDIT, "Change", UK_ENTER, "change the value (checked when entered, saved at once)",
	  0 },
	{ ACT_DEFAULT, "Default", 'u', "put the setting back to its default (saved at once)", 0 },
	{ ACT_FILTER, "Filter", '/', "filter: type part of a name, value or meaning", 0 },
};

static const struct tui_action edit_actions[] = {
	{ ACT_SAVE, "Save", UK_ENTER, "check the value and save it; Esc leaves it unchanged", 0 },
};

struct settings {
	struct dash_env *e;
	const struct conf_option *opts;
	size_t nopts;
	struct wlist list;
	int editing;
	size_t row;		/* the setting being edited */
	struct wtext field;
	char detail[1024];
	char warn[512];		/* said with the next "Saved" */
};

static const char *
cell(void *ctx, size_t row, int col)
{
	struct settings *st = ctx;
	const struct conf_option *o = &st->opts[row];
	const char *v;

	switch (col) {
	case COL_KEY:
		return o->key;
	case COL_VALUE:
		v = conf_get(st->e->conf, o->key);
		if (v != NULL && *v)
			return v;
		return o->def_doc ? o->def_doc : "(none)";
	default:
		return o->help;
	}
}

static const char *
detail(void *ctx, size_t row)
{
	struct settings *st = ctx;
	const struct conf_option *o = &st->opts[row];
	const char *v = conf_get(st->e->conf, o->key);
	char allowed[256], *line = xasprintf("%s: %s", o->key, o->help);
	size_t start[4], len[4], n = text_wrap(line, 78, start, len, 4), at = 0;

	if (o->type == CONF_ENUM)
		snprintf(allowed, sizeof allowed, "%s", o->choices);
	else if (o->type == CONF_INT || o->type == CONF_NUMBER)
		snprintf(allowed, sizeof allowed, "%s from %g to %g", conf_type_name(o->type),
		    o->min, o->max);
	else
		snprintf(allowed, sizeof allowed, "%s", conf_type_name(o->type));
	for (size_t i = 0; i < n && at < sizeof st->detail; i++)
		at += (size_t)snprintf(st->detail + at, sizeof st->detail - at, "%.*s\n",
		    (int)len[i], line + start[i]);
	free(line);
	if (at >= sizeof st->detail)
		at = 0;
	snprintf(st->detail + at, sizeof st->detail - at, "Value: %s (%s)\nAllowed: %s\n"
	    "Default: %s", v && *v ? v : "(none)",
	    conf_is_set(st->e->conf, o->key) ? "set in bobsync.conf" : "the default", allowed,
	    o->def ? o->def : o->def_doc ? o->def_doc : "(none)");
	return st->detail;
}

/* Set key to value (NULL: back to the default) and save; on failure the
 * setting is as it was and the reason is in err. */
static bs_rc
apply(struct settings *st, const char *key, const char *value, struct bs_error *err)
{
	char why[512];

	st->warn[0] = '\0';
	/* Assembled type names are checked against Assembled's types */
	switch (job_check_type_names(st->e->s, key, value, why, sizeof why)) {
	case 0:
		return bs_fail(err, BS_ERR_CONFIG, "%s", why);
	case -1:
		snprintf(st->warn, sizeof st->warn, "%s", why);
		break;
	default:
		break;
	}
	/* one key into the file as it is now; the console's copy follows */
	return dash_conf_write(st->e, key, value, err);
}

static void
said_saved(struct tui *ui, struct settings *st, const char *key)
{
	const char *v = conf_get(st->e->conf, key);

	if (st->warn[0] != '\0')
		tui_say(ui, ROLE_WARN, " Saved %s = %s, but %s.", key, v && *v ? v : "(none)",
		    st->warn);
	else
		tui_say(ui, ROLE_OK, " Saved %s = %s.", key, v && *v ? v : "(none)");
}

/* true/false and fixed choices: pick from a list. */
static int
edit_choice(struct tui *ui, struct settings *st, const struct conf_option *o)
{
	const char *choices[16];
	char buf[256], *save = NULL, *tok;
	const char *cur = conf_get(st->e->conf, o->key);
	struct bs_error err = { 0 };
	int n = 0, at = 0, c;

	if (o->type == CONF_BOOL) {
		choices[n++] = "true";
		choices[n++] = "false";
	} else {
		snprintf(buf, sizeof buf, "%s", o->choices ? o->choices : "");
		for (tok = strtok_r(buf, "|", &save); tok != NULL && n < 16;
		    tok = strtok_r(NULL, "|", &save))
			choices[n++] = tok;
	}
	for (int i = 0; i < n; i++)
		if (str_eq(choices[i], cur))
			at = i;
	c = tui_choose(ui, o->key, o->help, choices, n, at);
	if (c < 0)
		return TUI_HANDLED;
	if (apply(st, o->key, choices[c], &err) != BS_OK)
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
	else
		said_saved(ui, st, o->key);
	return TUI_HANDLED;
}

/* The time-off type: chosen from Assembled's time-off types when they can
 * be read (1), else typed (0). */
static int
choose_type(struct tui *ui, struct settings *st, const struct conf_option *o)
{
	struct bs_error err = { 0 };
	const char **choices;
	char **names = NULL;
	size_t n = 0;
	int c, at = 0;

	if (job_timeoff_types(st->e->s, &names, &n, &err) != BS_OK || n == 0) {
		tui_say(ui, ROLE_WARN, " Assembled's time-off types could not be read (%s): type "
		    "the name.", n == 0 && err.detail[0] == '\0' ? "none found" :
		    bs_error_text(&err));
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return 0;
	}
	choices = xcalloc(n + 1, sizeof *choices);
	choices[0] = "(the default: \"Time Off\", else the only time-off type)";
	for (size_t i = 0; i < n; i++) {
		choices[i + 1] = names[i];
		if (str_eq(names[i], conf_get(st->e->conf, o->key)))
			at = (int)i + 1;
	}
	c = tui_choose(ui, o->key, "Assembled's time-off types", choices, (int)n + 1, at);
	if (c >= 0) {
		if (apply(st, o->key, c == 0 ? NULL : choices[c], &err) != BS_OK)
			tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
		else
			said_saved(ui, st, o->key);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(choices);
	return 1;
}

static int
start_edit(struct tui *ui, struct settings *st)
{
	size_t row = wlist_current(&st->list);
	const struct conf_option *o;

	if (row == (size_t)-1)
		return TUI_HANDLED;
	o = &st->opts[row];
	if (o->type == CONF_BOOL || o->type == CONF_ENUM)
		return edit_choice(ui, st, o);
	if (str_eq(o->key, "assembled.timeoff_type") && choose_type(ui, st, o))
		return TUI_HANDLED;
	st->row = row;
	wtext_set(&st->field, conf_get(st->e->conf, o->key));
	wtext_set_msg(&st->field, NULL);
	st->editing = 1;
	return TUI_HANDLED;
}

static int
finish_edit(struct tui *ui, struct settings *st)
{
	const struct conf_option *o = &st->opts[st->row];
	struct bs_error err = { 0 };
	char *v = wtext_dup(&st->field);

	str_trim(v);
	if (apply(st, o->key, v, &err) != BS_OK) {
		/* the value stays in the field to be corrected */
		wtext_set_msg(&st->field, bs_error_text(&err));
		tui_say(ui, ROLE_ERROR, " Not saved: correct the value, or Esc to leave it as it was.");
	} else {
		st->editing = 0;
		said_saved(ui, st, o->key);
	}
	free(v);
	return TUI_HANDLED;
}

static int
set_open(struct tui *ui, struct tui_screen *s)
{
	struct settings *st = s->data;

	(void)ui;
	st->opts = conf_options(&st->nopts);
	wlist_init(&st->list, cols, NCOLS, cell, st);
	st->list.detail = detail;
	st->list.show_detail = 1;
	wlist_set_rows(&st->list, st->nopts);
	wtext_init(&st->field, 1000, 0);
	return 0;
}

static void
set_close(struct tui *ui, struct tui_screen *s)
{
	struct settings *st = s->data;

	(void)ui;
	wlist_release(&st->list);
	wtext_release(&st->field);
	free(st);
	s->data = NULL;
}

static const struct tui_action *
set_actions(struct tui_screen *s, size_t *n)
{
	struct settings *st = s->data;

	if (st->editing) {
		*n = sizeof edit_actions / sizeof edit_actions[0];
		return edit_actions;
	}
	*n = sizeof list_actions / sizeof list_actions[0];
	return list_actions;
}

static int
set_typing(struct tui_screen *s)
{
	struct settings *st = s->data;

	return st->editing || st->list.typing;
}

static void
set_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct settings *st = s->data;
	char line[512];

	(void)ui;
	snprintf(line, sizeof line, "%zu settings in %s", st->nopts, st->e->paths->conf_file);
	text_put(y, x + 1, line, w - 1, ROLE_DIM);
	if (!st->editing) {
		wlist_draw(&st->list, y + 1, x, h - 1, w);
		return;
	}
	wlist_draw(&st->list, y + 1, x, h - 4, w);
	snprintf(line, sizeof line, "New value of %s (Enter saves, Esc leaves it):",
	    st->opts[st->row].key);
	text_put(y + h - 3, x + 1, line, w - 1, ROLE_KEY);
	wtext_draw(&st->field, y + h - 2, x + 1, w - 2, 1);
	text_put(y + h - 1, x + 1, st->field.msg, w - 1, ROLE_ERROR);
}

static int
set_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct settings *st = s->data;
	struct bs_error err = { 0 };
	size_t row;

	if (st->editing) {
		switch (wtext_key(&st->field, key)) {
		case WTEXT_SUBMIT:
			return finish_edit(ui, st);
		case WTEXT_CANCEL:
			st->editing = 0;
			tui_say(ui, ROLE_DIM, " %s unchanged.", st->opts[st->row].key);
			return TUI_HANDLED;
		case WTEXT_CHANGED:
			wtext_set_msg(&st->field, NULL);
			return TUI_HANDLED;
		default:
			return TUI_HANDLED;
		}
	}
	if (!st->list.typing) {
		switch (action) {
		case ACT_EDIT:
			return start_edit(ui, st);
		case ACT_DEFAULT:
			row = wlist_current(&st->list);
			if (row == (size_t)-1)
				return TUI_HANDLED;
			if (apply(st, st->opts[row].key, NULL, &err) != BS_OK)
				tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
			else
				said_saved(ui, st, st->opts[row].key);
			return TUI_HANDLED;
		default:
			break;
		}
	}
	switch (wlist_key(&st->list, key)) {
	case WLIST_ACTIVATE:
		return start_edit(ui, st);
	case WLIST_HANDLED:
	case WLIST_FILTER_DONE:
		return TUI_HANDLED;
	default:
		return TUI_UNHANDLED;
	}
}

static const struct tui_screen_ops settings_ops = {
	.name = "settings",
	.open = set_open,
	.draw = set_draw,
	.handle_key = set_key,
	.close = set_close,
	.actions = set_actions,
	.typing = set_typing,
};

int
screen_settings_push(struct tui *ui, struct dash_env *e, const char *crumbs)
{
	struct settings *st = xcalloc(1, sizeof *st);

	st->e = e;
	if (tui_push(ui, &settings_ops, st, "Settings", crumbs) != 0) {
		free(st);
		return -1;
	}
	return 0;
}
