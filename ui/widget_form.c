/* widget_form.c - labelled fields with Tab navigation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "keys.h"
#include "term.h"
#include "widget_form.h"

static int
focusable(const struct wform_field *fl)
{
	return !fl->disabled && (fl->kind != WFORM_CHOICE || fl->nchoices > 0);
}

void
wform_focus_next(struct wform *f, int dir)
{
	int start = f->focus;

	if (f->n <= 0) {
		f->focus = -1;
		return;
	}
	if (start < 0)
		start = dir > 0 ? f->n - 1 : 0;
	for (int i = 1; i <= f->n; i++) {
		int k = ((start + dir * i) % f->n + f->n) % f->n;
		if (focusable(&f->fields[k])) {
			f->focus = k;
			return;
		}
	}
	f->focus = -1;
}

void
wform_init(struct wform *f, struct wform_field *fields, int n)
{
	memset(f, 0, sizeof *f);
	f->fields = fields;
	f->n = fields != NULL && n > 0 ? n : 0;
	f->focus = -1;
	wform_focus_next(f, 1);
}

int
wform_typing(const struct wform *f)
{
	return f->focus >= 0 && f->fields[f->focus].kind == WFORM_TEXT;
}

static enum wform_result
choice_key(struct wform_field *fl, int key)
{
	switch (key) {
	case UK_RIGHT:
	case ' ':
	case 'l':
		fl->choice = (fl->choice + 1) % fl->nchoices;
		return WFORM_CHANGED;
	case UK_LEFT:
	case 'h':
		fl->choice = (fl->choice + fl->nchoices - 1) % fl->nchoices;
		return WFORM_CHANGED;
	default:
		if (key >= '1' && key <= '9' && key - '1' < fl->nchoices) {
			fl->choice = key - '1';
			return WFORM_CHANGED;
		}
		return WFORM_UNHANDLED;
	}
}

enum wform_result
wform_key(struct wform *f, int key)
{
	struct wform_field *fl;

	switch (key) {
	case UK_TAB:
	case UK_DOWN:
		wform_focus_next(f, 1);
		return WFORM_HANDLED;
	case UK_BTAB:
	case UK_UP:
		wform_focus_next(f, -1);
		return WFORM_HANDLED;
	case UK_ENTER:
		return WFORM_SUBMIT;
	case UK_ESC:
		return WFORM_CANCEL;
	default:
		break;
	}
	if (f->focus < 0)
		return WFORM_UNHANDLED;
	fl = &f->fields[f->focus];
	switch (fl->kind) {
	case WFORM_TEXT:
		switch (wtext_key(&fl->text, key)) {
		case WTEXT_CHANGED:
			return WFORM_CHANGED;
		case WTEXT_HANDLED:
		case WTEXT_FULL:
			return WFORM_HANDLED;
		default:
			return WFORM_UNHANDLED;
		}
	case WFORM_CHOICE:
		return choice_key(fl, key);
	case WFORM_CHECK:
		if (key != ' ' && key != 'x')
			return WFORM_UNHANDLED;
		fl->checked = !fl->checked;
		return WFORM_CHANGED;
	}
	return WFORM_UNHANDLED;
}

/* The label column's width for a form w wide. */
static int
label_width(const struct wform *f, int w)
{
	int lw = f->label_width;

	if (lw <= 0) {
		for (int i = 0; i < f->n; i++) {
			int t = text_width(f->fields[i].label);
			if (t > lw)
				lw = t;
		}
		lw += 2;
	}
	return lw > w / 2 ? w / 2 : lw;
}

int
wform_hint_rows(const struct wform *f, int w)
{
	const struct wform_field *fl;
	const char *under;
	size_t start[16], len[16], n;

	if (f->focus < 0)
		return 1;
	fl = &f->fields[f->focus];
	under = fl->kind == WFORM_TEXT && fl->text.msg[0] ? fl->text.msg : fl->help;
	n = text_wrap(under ? under : "", w - label_width(f, w), start, len, 16);
	return n < 1 ? 1 : n > WFORM_HINT_ROWS ? WFORM_HINT_ROWS : (int)n;
}

int
wform_height(const struct wform *f)
{
	return f->n + WFORM_HINT_ROWS;
}

void
wform_draw(struct wform *f, int y, int x, int h, int w)
{
	int lw = label_width(f, w), row = 0;

	curs_set(0);
	for (int i = 0; i < f->n && row < h; i++, row++) {
		struct wform_field *fl = &f->fields[i];
		int focused = i == f->focus, vx = x + lw, vw = w - lw;
		char buf[512];
		text_put(y + row, x, fl->label, lw, focused ? ROLE_KEY : (fl->disabled ? ROLE_DIM : ROLE_NORMAL));
		switch (fl->kind) {
		case WFORM_TEXT:
			if (fl->disabled) {
				/* greyed out, no field background; a secret stays hidden */
				char *v = fl->text.masked ? NULL : wtext_dup(&fl->text);
				text_put(y + row, vx, v ? v : "", vw, ROLE_DIM);
				free(v);
			} else if (!focused)
				wtext_draw(&fl->text, y + row, vx, vw, 0);
			break;
		case WFORM_CHOICE:
			snprintf(buf, sizeof buf, fl->disabled ? "%s" : "< %s >", fl->nchoices > 0 ?
			    fl->choices[fl->choice] : "");
			text_put(y + row, vx, buf, vw, focused ? ROLE_SELECTED : fl->disabled ?
			    ROLE_DIM : ROLE_NORMAL);
			break;
		case WFORM_CHECK:
			text_put(y + row, vx, fl->checked ? "[x]" : "[ ]", vw,
			    focused ? ROLE_SELECTED : ROLE_NORMAL);
			break;
		}
		if (fl->disabled && fl->disabled_why != NULL) {
			/* what cannot be changed says why, after its value */
			int used;
			if (fl->kind == WFORM_CHOICE)
				used = text_width(buf);
			else if (fl->kind == WFORM_TEXT) {
				char *v = fl->text.masked ? NULL : wtext_dup(&fl->text);
				used = v != NULL ? text_width(v) : 0;	/* a secret stays hidden */
				free(v);
			} else
				used = 3;
			snprintf(buf, sizeof buf, "(%s)", fl->disabled_why);
			if (used + 2 < vw)
				text_put(y + row, vx + used + (used ? 2 : 0), buf, vw - used -
				    (used ? 2 : 0), ROLE_DIM);
		}
	}
	if (f->focus >= 0 && row < h) {
		struct wform_field *fl = &f->fields[f->focus];
		const char *under = fl->kind == WFORM_TEXT && fl->text.msg[0] ? fl->text.msg : fl->help;
		enum term_role role = fl->kind == WFORM_TEXT && fl->text.msg[0] ? ROLE_ERROR : ROLE_DIM;
		size_t start[16], len[16], n;
		int ux = x + lw, uw = w - lw;

		/* the hint or message wraps under the fields, never cut: beside
		 * the labels when it fits there, else from the left edge */
		if (under == NULL)
			under = "";
		n = text_wrap(under, uw, start, len, 16);
		if ((int)n > h - row) {
			ux = x;
			uw = w;
			n = text_wrap(under, uw, start, len, 16);
		}
		if (n == 0)
			text_put(y + row, ux, "", uw, role);
		for (size_t i = 0; i < n && row < h; i++, row++) {
			char line[1024];
			/* on the last row left, the rest (cut with "…" if it must be) */
			if (row == h - 1 && i + 1 < n)
				snprintf(line, sizeof line, "%s", under + start[i]);
			else
				snprintf(line, sizeof line, "%.*s", (int)len[i], under + start[i]);
			text_put(y + row, ux, line, uw, role);
		}
	}
	/* the focused text field last, so the cursor ends up in it */
	if (wform_typing(f) && f->focus < h)
		wtext_draw(&f->fields[f->focus].text, y + f->focus, x + lw, w - lw, 1);
}
