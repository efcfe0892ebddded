/* screen_explain.c - one person explained: asks for a name, email or HiBob
 * id (unless given), reads in a worker thread with explain_run (the code of
 * `bobsync explain`, names allowed), and shows its text: the values HiBob
 * holds, each eligibility rule with pass or fail, what Alleo holds and
 * what a sync would do now.  The text is wrapped to the screen and
 * scrolls; n asks for another person, r reads again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "dash.h"
#include "admin/explain.h"
#include "console.h"
#include "base/text.h"
#include "tui.h"
#include "base/util.h"
#include "widget_text.h"

enum mode { M_ASK, M_BUSY, M_SHOW };

enum { ACT_GO = 1, ACT_NEW, ACT_RELOAD };

static const struct tui_action ask_actions[] = {
	{ ACT_GO, "Explain", UK_ENTER, "read HiBob and explain this person", 0 },
};

static const struct tui_action show_actions[] = {
	{ ACT_NEW, "Another person", 'n', "explain someone else", 0 },
	{ ACT_RELOAD, "Reload", 'r', "read HiBob again for this person", 0 },
	{ 0, "Scroll", UK_DOWN, "Up/Down, PgUp/PgDn, Home/End scroll the text", TUI_ACT_NOBAR },
};

struct explain_screen {
	struct dash_env *e;
	enum mode mode;
	struct tui_screen *s;
	struct wtext field;
	char *who;		/* asked for */
	struct explain x;	/* valid while ran */
	int ran;
	char *text;		/* explain_text, or NULL */
	int top;		/* first line shown */
	int page;		/* lines shown by the last draw */
	int nlines;		/* lines at the last width */
};

static bs_rc
work(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct explain_screen *st = arg;

	return explain_run(st->e->s, st->who, EXPLAIN_BY_NAME, p, &st->x, err);
}

static void
forget(struct explain_screen *st)
{
	if (st->ran)
		explain_clear(&st->x);
	st->ran = 0;
	free(st->text);
	st->text = NULL;
}

static void
run(struct tui *ui, struct explain_screen *st)
{
	forget(st);
	if (tui_job_start(ui, st->s, "Reading HiBob and the roster", work, st,
	    TUI_JOB_QUEUE_KEYS) == 0)
		st->mode = M_BUSY;
	else
		st->mode = M_ASK;
}

static void
ask(struct explain_screen *st)
{
	wtext_set(&st->field, st->who ? st->who : "");
	wtext_set_msg(&st->field, NULL);
	st->mode = M_ASK;
}

static int
ex_open(struct tui *ui, struct tui_screen *s)
{
	struct explain_screen *st = s->data;

	st->s = s;
	wtext_init(&st->field, 256, 0);
	if (st->who != NULL)
		run(ui, st);
	else
		ask(st);
	return 0;
}

static void
ex_close(struct tui *ui, struct tui_screen *s)
{
	struct explain_screen *st = s->data;

	(void)ui;
	forget(st);
	wtext_release(&st->field);
	free(st->who);
	free(st);
	s->data = NULL;
}

static const struct tui_action *
ex_actions(struct tui_screen *s, size_t *n)
{
	struct explain_screen *st = s->data;

	switch (st->mode) {
	case M_ASK:
		*n = sizeof ask_actions / sizeof ask_actions[0];
		return ask_actions;
	case M_SHOW:
		*n = sizeof show_actions / sizeof show_actions[0];
		return show_actions;
	default:
		*n = 0;
		return NULL;
	}
}

static int
ex_typing(struct tui_screen *s)
{
	return ((struct explain_screen *)s->data)->mode == M_ASK;
}

/* The role of a line of the text: failing rules stand out. */
static enum term_role
line_role(const char *line, size_t len)
{
	if (len >= 7 && memcmp(line, "  [fail", 7) == 0)
		return ROLE_ERROR;
	if (len >= 7 && memcmp(line, "  [pass", 7) == 0)
		return ROLE_OK;
	if (len >= 10 && memcmp(line, "  [unknown", 10) == 0)
		return ROLE_WARN;
	if (len > 0 && line[0] != ' ')
		return ROLE_TITLE;
	return ROLE_NORMAL;
}

/* Paint the text from line top: each line wrapped to w, its continuation
 * indented two more than the line; counts the lines at this width. */
static void
draw_text(struct explain_screen *st, int y, int x, int h, int w)
{
	size_t start[64], len[64];
	const char *p = st->text;
	char line[1024];
	int row = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p), ind = 0, n;
		char *one = xstrndup(p, ll);
		enum term_role role = line_role(one, ll);

		while (one[ind] == ' ')
			ind++;
		n = ll == 0 ? 1 : text_wrap(one + ind, w - (int)ind - 2 > 10 ? w - (int)ind - 2 : 10,
		    start, len, 64);
		for (size_t k = 0; k < n; k++, row++) {
			int at = row - st->top, pad = (int)ind + (k > 0 ? 2 : 0);
			if (at < 0 || at >= h)
				continue;
			snprintf(line, sizeof line, "%*s%.*s", pad, "", ll ? (int)len[k] : 0,
			    ll ? one + ind + start[k] : "");
			text_put(y + at, x, line, w, role);
		}
		free(one);
		p = nl ? nl + 1 : p + ll;
	}
	st->nlines = row;
	st->page = h;
}

static void
ex_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct explain_screen *st = s->data;
	char line[512];

	switch (st->mode) {
	case M_ASK:
		text_put(y + 1, x + 2, "Who? A name, a work email or a HiBob employee id:", w - 4,
		    ROLE_NORMAL);
		wtext_draw(&st->field, y + 3, x + 2, w - 4, 1);
		text_put(y + 4, x + 2, st->field.msg, w - 4, ROLE_ERROR);
		text_put_wrap(y + 6, x + 2, "Enter reads HiBob and shows the values, each rule, "
		    "what Alleo holds and what a sync would do. Esc goes back.", w - 4, h - 6,
		    ROLE_DIM);
		break;
	case M_BUSY:
		tui_job_draw(ui, s, y + 1, x + 2, w - 4);
		break;
	case M_SHOW:
		if (st->top > st->nlines - (h - 1))
			st->top = st->nlines - (h - 1);
		if (st->top < 0)
			st->top = 0;
		draw_text(st, y + 1, x + 2, h - 1, w - 4);
		if (st->nlines > h - 1)
			snprintf(line, sizeof line, "lines %d-%d of %d", st->top + 1,
			    st->top + h - 1 < st->nlines ? st->top + h - 1 : st->nlines, st->nlines);
		else
			line[0] = '\0';
		text_put(y, x + w - 22, line, 21, ROLE_DIM);
		break;
	}
}

static int
scroll(struct explain_screen *st, int key)
{
	int page = st->page > 1 ? st->page - 1 : 10;

	switch (key) {
	case UK_DOWN: case 'j': st->top++; break;
	case UK_UP: case 'k': st->top--; break;
	case UK_PGDN: case ' ': st->top += page; break;
	case UK_PGUP: st->top -= page; break;
	case UK_HOME: case 'g': st->top = 0; break;
	case UK_END: case 'G': st->top = st->nlines; break;
	default: return TUI_UNHANDLED;
	}
	if (st->top > st->nlines - st->page)
		st->top = st->nlines - st->page;
	if (st->top < 0)
		st->top = 0;
	return TUI_HANDLED;
}

static int
ex_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct explain_screen *st = s->data;

	switch (st->mode) {
	case M_BUSY:
		return TUI_UNHANDLED;	/* Esc/q: back (the pop stops the reading) */
	case M_ASK:
		switch (wtext_key(&st->field, key)) {
		case WTEXT_SUBMIT: {
			char *w = wtext_dup(&st->field);
			str_trim(w);
			if (*w == '\0') {
				wtext_set_msg(&st->field, "type a name, an email or an id first");
				free(w);
				return TUI_HANDLED;
			}
			free(st->who);
			st->who = w;
			run(ui, st);
			return TUI_HANDLED;
		}
		case WTEXT_CANCEL:
			return TUI_BACK;
		case WTEXT_CHANGED:
			wtext_set_msg(&st->field, NULL);
			return TUI_HANDLED;
		default:
			return TUI_HANDLED;
		}
	case M_SHOW:
		if (action == ACT_NEW) {
			ask(st);
			wtext_clear(&st->field);
			return TUI_HANDLED;
		}
		if (action == ACT_RELOAD) {
			run(ui, st);
			return TUI_HANDLED;
		}
		return scroll(st, key);
	}
	return TUI_UNHANDLED;
}

/* Several people have the name asked for: the admin picks one (up to 9
 * shown; more: type more of the name), who is then explained by id.
 * Returns 1 when a reading started, 0 when the pick was cancelled. */
static int
pick(struct tui *ui, struct explain_screen *st)
{
	enum { SHOWN = 9 };
	char *labels[SHOWN], text[200], *id = NULL;
	const char *choices[SHOWN];
	int n = st->x.nmatches > SHOWN ? SHOWN : (int)st->x.nmatches, k;

	for (int i = 0; i < n; i++) {
		const struct bob_person *p = &st->x.src.people.v[st->x.matches[i]];
		char *name = bob_person_name(p);
		labels[i] = xasprintf("%s <%s>", name, p->email ? p->email : p->id);
		util_strip_controls(labels[i]);
		choices[i] = labels[i];
		free(name);
	}
	snprintf(text, sizeof text, "%zu people match '%.40s'%s\nWho is it?", st->x.nmatches,
	    st->who, st->x.nmatches > SHOWN ? " (the first 9 here;\ntype more of the name to "
	    "narrow it)" : ":");
	k = tui_choose(ui, "Which person?", text, choices, n, 0);
	if (k >= 0)
		id = xstrdup(st->x.src.people.v[st->x.matches[k]].id);
	for (int i = 0; i < n; i++)
		free(labels[i]);
	if (id == NULL)
		return 0;
	free(st->who);
	st->who = id;
	run(ui, st);
	return 1;
}

static int
ex_job_done(struct tui *ui, struct tui_screen *s, bs_rc rc, const struct bs_error *err)
{
	struct explain_screen *st = s->data;

	st->ran = 1;
	if (rc != BS_OK && st->x.nmatches > 1 && pick(ui, st))
		return TUI_REDRAW;
	if (rc != BS_OK) {
		char *gone = explain_gone_text(&st->x, st->who);
		ask(st);
		wtext_set_msg(&st->field, bs_error_text(err));
		if (gone != NULL)
			tui_say(ui, ROLE_WARN, " %s", gone);
		else
			tui_say(ui, ROLE_ERROR, " %s", bs_error_text(err));
		free(gone);
		return TUI_REDRAW;
	}
	st->text = explain_text(&st->x, st->e->conf);
	st->top = 0;
	st->nlines = 0;
	st->mode = M_SHOW;
	if (st->x.plan_error[0])
		tui_say(ui, ROLE_WARN, " No plan could be made: %s", st->x.plan_error);
	else
		tui_say(ui, ROLE_OK, " %s: %s.", st->x.name,
		    roster_verdict_name(st->x.src.evals[st->x.idx].verdict));
	return TUI_REDRAW;
}

static const struct tui_screen_ops explain_ops = {
	.name = "explain",
	.open = ex_open,
	.draw = ex_draw,
	.handle_key = ex_key,
	.close = ex_close,
	.actions = ex_actions,
	.typing = ex_typing,
	.job_done = ex_job_done,
};

int
screen_explain_push(struct tui *ui, struct dash_env *e, const char *who, const char *crumbs)
{
	struct explain_screen *st = xcalloc(1, sizeof *st);

	st->e = e;
	st->who = str_empty(who) ? NULL : xstrdup(who);
	if (tui_push(ui, &explain_ops, st, "Explain", crumbs) != 0) {
		free(st->who);
		free(st);
		return -1;
	}
	return 0;
}
