/* widget_dialog.c - confirm and choice boxes. */
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "keys.h"
#include "term.h"
#include "widget_dialog.h"

void
wdlg_confirm(struct wdlg *d, const char *title, const char *text, int default_no)
{
	memset(d, 0, sizeof *d);
	d->kind = WDLG_CONFIRM;
	d->title = title;
	d->text = text;
	d->n = 2;
	d->cur = default_no ? 1 : 0;
}

void
wdlg_choice(struct wdlg *d, const char *title, const char *text,
    const char *const *choices, int n, int cur)
{
	memset(d, 0, sizeof *d);
	d->kind = WDLG_CHOICE;
	d->title = title;
	d->text = text;
	d->choices = choices;
	d->n = choices != NULL && n > 0 ? n : 0;
	d->cur = cur >= 0 && cur < d->n ? cur : 0;
}

static enum wdlg_result
confirm_key(struct wdlg *d, int key)
{
	switch (key) {
	case 'y':
	case 'Y':
		d->cur = 0;
		return WDLG_OK;
	case 'n':
	case 'N':
		d->cur = 1;
		return WDLG_NO;
	case UK_LEFT:
	case UK_RIGHT:
	case UK_TAB:
	case UK_BTAB:
	case 'h':
	case 'l':
		d->cur = !d->cur;
		return WDLG_OPEN;
	case UK_ENTER:
		return d->cur == 0 ? WDLG_OK : WDLG_NO;
	default:
		return WDLG_OPEN;
	}
}

static enum wdlg_result
choice_key(struct wdlg *d, int key)
{
	if (d->n == 0)
		return WDLG_OPEN;
	switch (key) {
	case UK_DOWN:
	case UK_TAB:
	case 'j':
		d->cur = (d->cur + 1) % d->n;
		return WDLG_OPEN;
	case UK_UP:
	case UK_BTAB:
	case 'k':
		d->cur = (d->cur + d->n - 1) % d->n;
		return WDLG_OPEN;
	case UK_HOME:
	case 'g':
		d->cur = 0;
		return WDLG_OPEN;
	case UK_END:
	case 'G':
		d->cur = d->n - 1;
		return WDLG_OPEN;
	case UK_ENTER:
	case ' ':
		return WDLG_OK;
	default:
		if (key >= '1' && key <= '9' && key - '1' < d->n) {
			d->cur = key - '1';
			return WDLG_OK;
		}
		return WDLG_OPEN;
	}
}

enum wdlg_result
wdlg_key(struct wdlg *d, int key)
{
	if (key == UK_ESC || key == 'q')
		return WDLG_CANCEL;
	return d->kind == WDLG_CONFIRM ? confirm_key(d, key) : choice_key(d, key);
}

/* Lines of text (split at '\n'), at most max; returns the count and the
 * widest. */
static int
text_lines(const char *s, const char **start, int *len, int max, int *widest)
{
	int n = 0;

	*widest = 0;
	while (s != NULL && *s && n < max) {
		const char *nl = strchr(s, '\n');
		char buf[512];
		int l = nl ? (int)(nl - s) : (int)strlen(s), w;
		snprintf(buf, sizeof buf, "%.*s", l, s);
		w = text_width(buf);
		if (w > *widest)
			*widest = w;
		start[n] = s;
		len[n++] = l;
		s = nl ? nl + 1 : s + l;
	}
	return n;
}

void
wdlg_draw(const struct wdlg *d)
{
	const char *start[16];
	int len[16], widest, nl = text_lines(d->text, start, len, 16, &widest);
	int items = d->kind == WDLG_CONFIRM ? 1 : d->n;
	int w = widest + 4, h, y0, x0, y;
	char buf[512];

	if (text_width(d->title) + 4 > w)
		w = text_width(d->title) + 4;
	/* a choice row is "(*) N  choice" inside the border and a margin */
	for (int i = 0; d->kind == WDLG_CHOICE && i < d->n; i++)
		if (text_width(d->choices[i]) + (i + 1 >= 10 ? 12 : 11) > w)
			w = text_width(d->choices[i]) + (i + 1 >= 10 ? 12 : 11);
	if (w < 30)
		w = 30;
	if (w > COLS - 2)
		w = COLS - 2;
	h = nl + items + 4;
	if (h > LINES - 2) {
		h = LINES - 2;
		if (nl > h - items - 4)
			nl = h - items - 4 > 0 ? h - items - 4 : 0;
	}
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	for (y = 0; y < h; y++)
		text_put(y0 + y, x0, "", w, ROLE_BAR);
	term_role_on(ROLE_BAR);
	mvaddch(y0, x0, ACS_ULCORNER);
	mvhline(y0, x0 + 1, ACS_HLINE, w - 2);
	mvaddch(y0, x0 + w - 1, ACS_URCORNER);
	mvvline(y0 + 1, x0, ACS_VLINE, h - 2);
	mvvline(y0 + 1, x0 + w - 1, ACS_VLINE, h - 2);
	mvaddch(y0 + h - 1, x0, ACS_LLCORNER);
	mvhline(y0 + h - 1, x0 + 1, ACS_HLINE, w - 2);
	mvaddch(y0 + h - 1, x0 + w - 1, ACS_LRCORNER);
	term_role_off(ROLE_BAR);
	if (d->title != NULL) {
		snprintf(buf, sizeof buf, " %s ", d->title);
		text_put(y0, x0 + 2, buf, text_width(buf) < w - 4 ? text_width(buf) : w - 4, ROLE_TITLE);
	}
	y = y0 + 1;
	for (int i = 0; i < nl; i++) {
		snprintf(buf, sizeof buf, "%.*s", len[i], start[i]);
		text_put(y++, x0 + 2, buf, w - 4, ROLE_BAR);
	}
	y++;
	if (d->kind == WDLG_CONFIRM) {
		text_put(y, x0 + 2, "[ Yes (y) ]", 11, d->cur == 0 ? ROLE_SELECTED : ROLE_BAR);
		text_put(y, x0 + 15, "[ No (n) ]", 10, d->cur == 1 ? ROLE_SELECTED : ROLE_BAR);
	} else {
		for (int i = 0; i < d->n && y < y0 + h - 1; i++, y++) {
			snprintf(buf, sizeof buf, "%s %d  %s", i == d->cur ? "(*)" : "( )",
			    i + 1, d->choices[i]);
			text_put(y, x0 + 2, buf, w - 4, i == d->cur ? ROLE_SELECTED : ROLE_BAR);
		}
	}
}
