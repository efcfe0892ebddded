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
	if (key == UK_PGDN) {
		d->scroll += 5;		/* wdlg_draw keeps it in range */
		return WDLG_OPEN;
	}
	if (key == UK_PGUP) {
		d->scroll = d->scroll > 5 ? d->scroll - 5 : 0;
		return WDLG_OPEN;
	}
	return d->kind == WDLG_CONFIRM ? confirm_key(d, key) : choice_key(d, key);
}

/* The widest paragraph of s (split at '\n'), in columns. */
static int
text_widest(const char *s)
{
	int widest = 0;

	while (s != NULL && *s) {
		const char *nl = strchr(s, '\n');
		char buf[1024];
		int l = nl ? (int)(nl - s) : (int)strlen(s), w;
		snprintf(buf, sizeof buf, "%.*s", l, s);
		w = text_width(buf);
		if (w > widest)
			widest = w;
		s = nl ? nl + 1 : s + l;
	}
	return widest;
}

/* Lines of text word-wrapped to width (each paragraph on its own), at
 * most max; returns the count. */
static int
text_lines(const char *s, int width, char *buf, size_t bufsz, const char **start, int *len,
    int max)
{
	int n = 0;
	const char *p = buf;

	text_wrap_join(s ? s : "", width, buf, bufsz);
	while (*p && n < max) {
		const char *nl = strchr(p, '\n');
		int l = nl ? (int)(nl - p) : (int)strlen(p);
		start[n] = p;
		len[n++] = l;
		p = nl ? nl + 1 : p + l;
	}
	return n;
}

void
wdlg_draw(struct wdlg *d)
{
	static char wrapped[8192];
	const char *start[WDLG_MAX_LINES];
	int len[WDLG_MAX_LINES], nl, top, more = 0;
	int items = d->kind == WDLG_CONFIRM ? 1 : d->n;
	int w = text_widest(d->text) + 4, h, y0, x0, y;
	char buf[1024];

	if (text_width(d->title) + 4 > w)
		w = text_width(d->title) + 4;
	/* a choice row is "(*) N  choice" inside the border and a margin */
	for (int i = 0; d->kind == WDLG_CHOICE && i < d->n; i++)
		if (text_width(d->choices[i]) + (i + 1 >= 10 ? 12 : 11) > w)
			w = text_width(d->choices[i]) + (i + 1 >= 10 ? 12 : 11);
	if (w < 30)
		w = 30;
	if (w > COLS - 4)
		w = COLS;	/* a wide box takes the whole width: nothing shows beside it */
	/* the text wraps inside the box; what does not fit scrolls (PgUp/PgDn) */
	nl = text_lines(d->text, w - 4, wrapped, sizeof wrapped, start, len, WDLG_MAX_LINES);
	h = nl + items + 4;
	top = 0;
	if (h > LINES - 2) {
		int room;
		h = LINES - 2;
		room = h - items - 4 > 1 ? h - items - 4 : 1;
		top = d->scroll < nl - room ? d->scroll : nl - room;
		d->scroll = top;
		more = 1;
		nl = room;
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
		snprintf(buf, sizeof buf, "%.*s", len[top + i], start[top + i]);
		text_put(y++, x0 + 2, buf, w - 4, ROLE_BAR);
	}
	if (more)
		text_put(y0 + h - 1, x0 + w - 20, " PgUp/PgDn: more ", 17, ROLE_DIM);
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
