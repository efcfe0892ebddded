/* widget_list.c - the scrolling table: index arrays over a row callback,
 * filter, stable sort, selection, and drawing of the visible rows only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "keys.h"
#include "term.h"
#include "base/util.h"
#include "widget_list.h"

#define NONE ((size_t)-1)

void
wlist_init(struct wlist *l, const struct wlist_column *cols, int ncols,
    wlist_cell_fn cell, void *ctx)
{
	memset(l, 0, sizeof *l);
	l->cols = cols;
	l->ncols = ncols;
	l->cell = cell;
	l->ctx = ctx;
	l->sort_col = -1;
}

void
wlist_release(struct wlist *l)
{
	free(l->order);
	free(l->vis);
	free(l->sel);
	l->order = l->vis = NULL;
	l->sel = NULL;
	l->n = l->nvis = l->nsel = 0;
	l->cur = l->top = 0;
}

size_t
wlist_current(const struct wlist *l)
{
	return l->cur < l->nvis ? l->vis[l->cur] : NONE;
}

static const char *
cell(const struct wlist *l, size_t row, int col)
{
	const char *s = l->cell ? l->cell(l->ctx, row, col) : NULL;

	return s ? s : "";
}

/* Put the cursor back on row (when it passes), else keep the position. */
static void
find_row(struct wlist *l, size_t row)
{
	if (row != NONE) {
		for (size_t i = 0; i < l->nvis; i++) {
			if (l->vis[i] == row) {
				l->cur = i;
				return;
			}
		}
		l->cur = 0;
	}
	if (l->cur >= l->nvis)
		l->cur = l->nvis ? l->nvis - 1 : 0;
}

static int
row_matches(const struct wlist *l, const struct text_matcher *m, size_t row)
{
	for (int c = 0; c < l->ncols; c++)
		if (text_matcher_test(m, cell(l, row, c)))
			return 1;
	return 0;
}

static void
refilter(struct wlist *l, size_t keep)
{
	struct text_matcher m;

	text_matcher_init(&m, l->filter);
	l->nvis = 0;
	for (size_t i = 0; i < l->n; i++) {
		size_t row = l->order[i];
		if (m.n == 0 || row_matches(l, &m, row))
			l->vis[l->nvis++] = row;
	}
	find_row(l, keep);
	if (l->top > l->cur)
		l->top = l->cur;
}

void
wlist_set_filter(struct wlist *l, const char *filter)
{
	snprintf(l->filter, sizeof l->filter, "%s", filter ? filter : "");
	refilter(l, wlist_current(l));
}

/* ---- sorting ---- */

/* The default order's key of a row: its cell folded once per sort, so
 * 100,000 rows sort without decoding every cell at each comparison. */
struct sort_key {
	char *folded;
	double num;
	int is_num;
};

struct sort_ctx {
	const struct wlist *l;
	int col, desc;
	struct sort_key *keys;	/* the default order; NULL with l->cmp */
};

static int
parse_number(const char *s, double *v)
{
	char *end;

	if (*s == '\0')
		return 0;
	errno = 0;
	*v = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0';
}

static int
default_cmp(const struct wlist *l, size_t a, size_t b, int col)
{
	char first[512];
	const char *sb;
	double x, y;

	snprintf(first, sizeof first, "%s", cell(l, a, col));
	sb = cell(l, b, col);
	if (parse_number(first, &x) && parse_number(sb, &y))
		return (x > y) - (x < y);
	return text_casecmp(first, sb);
}

static int
compare(const void *pa, const void *pb, void *vctx)
{
	const struct sort_ctx *sc = vctx;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int r;

	if (sc->keys != NULL) {
		const struct sort_key *x = &sc->keys[a], *y = &sc->keys[b];
		r = x->is_num && y->is_num ? (x->num > y->num) - (x->num < y->num) :
		    strcmp(x->folded, y->folded);
	} else {
		r = sc->l->cmp ? sc->l->cmp(sc->l->ctx, a, b, sc->col) :
		    default_cmp(sc->l, a, b, sc->col);
	}
	if (sc->desc)
		r = -r;
	if (r == 0)	/* stable: equal rows keep the provider's order */
		r = (a > b) - (a < b);
	return r;
}

static void
apply_sort(struct wlist *l)
{
	struct sort_ctx sc = { l, l->sort_col, l->sort_desc, NULL };

	for (size_t i = 0; i < l->n; i++)
		l->order[i] = i;
	if (l->sort_col < 0 || l->n < 2)
		return;
	if (l->cmp == NULL) {
		sc.keys = calloc(l->n, sizeof *sc.keys);
		for (size_t i = 0; sc.keys != NULL && i < l->n; i++) {
			const char *c = cell(l, i, l->sort_col);
			sc.keys[i].is_num = parse_number(c, &sc.keys[i].num);
			sc.keys[i].folded = text_fold(c);
		}
	}
	qsort_r(l->order, l->n, sizeof *l->order, compare, &sc);
	for (size_t i = 0; sc.keys != NULL && i < l->n; i++)
		free(sc.keys[i].folded);
	free(sc.keys);
}

void
wlist_sort(struct wlist *l, int col, int desc)
{
	size_t keep = wlist_current(l);

	if (col >= l->ncols)
		col = -1;
	l->sort_col = col < 0 ? -1 : col;
	l->sort_desc = col >= 0 && desc;
	apply_sort(l);
	refilter(l, keep);
}

void
wlist_sort_toggle(struct wlist *l, int col)
{
	if (col < 0 || col >= l->ncols)
		return;
	wlist_sort(l, col, l->sort_col == col ? !l->sort_desc : 0);
}

void
wlist_cycle_sort(struct wlist *l)
{
	if (l->ncols <= 0)
		return;
	if (l->sort_col < 0)
		wlist_sort(l, 0, 0);
	else if (!l->sort_desc)
		wlist_sort(l, l->sort_col, 1);
	else if (l->sort_col + 1 < l->ncols)
		wlist_sort(l, l->sort_col + 1, 0);
	else
		wlist_sort(l, -1, 0);
}

void
wlist_set_rows(struct wlist *l, size_t n)
{
	size_t keep = wlist_current(l);

	free(l->order);
	free(l->vis);
	free(l->sel);
	l->n = n;
	l->order = xreallocarray(NULL, n ? n : 1, sizeof *l->order);
	l->vis = xreallocarray(NULL, n ? n : 1, sizeof *l->vis);
	l->sel = xcalloc(n ? n : 1, 1);
	l->nsel = 0;
	l->nvis = 0;
	if (keep != NONE && keep >= n)
		keep = NONE;
	apply_sort(l);
	refilter(l, keep);
}

/* ---- movement ---- */

void
wlist_move(struct wlist *l, long delta)
{
	if (l->nvis == 0)
		return;
	if (delta < 0 && (size_t)-delta > l->cur)
		l->cur = 0;
	else if (delta > 0 && l->cur + (size_t)delta >= l->nvis)
		l->cur = l->nvis - 1;
	else
		l->cur = (size_t)((long)l->cur + delta);
}

void
wlist_home(struct wlist *l)
{
	l->cur = 0;
}

void
wlist_end(struct wlist *l)
{
	l->cur = l->nvis ? l->nvis - 1 : 0;
}

void
wlist_scroll(struct wlist *l, int height)
{
	size_t h = height > 0 ? (size_t)height : 1;

	if (l->cur < l->top)
		l->top = l->cur;
	else if (l->cur >= l->top + h)
		l->top = l->cur - h + 1;
	/* no empty space below the last row when rows were removed */
	if (l->nvis >= h && l->top > l->nvis - h)
		l->top = l->nvis - h;
	if (l->nvis < h)
		l->top = 0;
}

int
wlist_selected(const struct wlist *l, size_t row)
{
	return row < l->n && l->sel[row];
}

void
wlist_select(struct wlist *l, size_t row, int on)
{
	if (row >= l->n || (l->sel[row] != 0) == (on != 0))
		return;
	l->sel[row] = on != 0;
	if (on)
		l->nsel++;
	else
		l->nsel--;
}

size_t
wlist_selection(const struct wlist *l, size_t *out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n && k < max; i++)
		if (l->sel[i])
			out[k++] = i;
	return k;
}

static enum wlist_result
filter_key(struct wlist *l, int key)
{
	char mb[8];
	size_t len = strlen(l->filter);
	int n;

	switch (key) {
	case UK_ENTER:
		l->typing = 0;
		return WLIST_FILTER_DONE;
	case UK_ESC:
		l->typing = 0;
		wlist_set_filter(l, "");
		return WLIST_FILTER_DONE;
	case UK_BACKSPACE:
	case UK_CTRL('h'):
		text_pop_char(l->filter);
		refilter(l, wlist_current(l));
		return WLIST_HANDLED;
	case UK_CTRL('u'):
		wlist_set_filter(l, "");
		return WLIST_HANDLED;
	default:
		break;
	}
	if (!uk_is_char(key))
		return WLIST_UNHANDLED;
	n = wctomb(mb, (wchar_t)key);
	if (n <= 0 || len + (size_t)n >= sizeof l->filter)
		return WLIST_HANDLED;	/* refused, but typed into the filter */
	memcpy(l->filter + len, mb, (size_t)n);
	l->filter[len + (size_t)n] = '\0';
	refilter(l, wlist_current(l));
	return WLIST_HANDLED;
}

enum wlist_result
wlist_key(struct wlist *l, int key)
{
	long page = l->page > 1 ? l->page - 1 : 10;

	if (l->typing) {
		enum wlist_result r = filter_key(l, key);
		if (r != WLIST_UNHANDLED)
			return r;
	}
	switch (key) {
	case UK_DOWN:
		wlist_move(l, 1);
		return WLIST_HANDLED;
	case UK_UP:
		wlist_move(l, -1);
		return WLIST_HANDLED;
	case UK_PGDN:
	case UK_CTRL('d'):
		wlist_move(l, page);
		return WLIST_HANDLED;
	case UK_PGUP:
	case UK_CTRL('u'):
		wlist_move(l, -page);
		return WLIST_HANDLED;
	case UK_HOME:
		wlist_home(l);
		return WLIST_HANDLED;
	case UK_END:
		wlist_end(l);
		return WLIST_HANDLED;
	case UK_ENTER:
		return wlist_current(l) != NONE ? WLIST_ACTIVATE : WLIST_HANDLED;
	case UK_ESC:
		if (l->filter[0] == '\0')
			return WLIST_UNHANDLED;
		wlist_set_filter(l, "");
		return WLIST_HANDLED;
	default:
		break;
	}
	if (l->typing)
		return WLIST_UNHANDLED;
	switch (key) {
	case 'j':
		wlist_move(l, 1);
		return WLIST_HANDLED;
	case 'k':
		wlist_move(l, -1);
		return WLIST_HANDLED;
	case 'g':
		wlist_home(l);
		return WLIST_HANDLED;
	case 'G':
		wlist_end(l);
		return WLIST_HANDLED;
	case '/':
		l->typing = 1;
		return WLIST_HANDLED;
	case 's':
		wlist_cycle_sort(l);
		return WLIST_HANDLED;
	case 'd':
		if (l->detail == NULL)
			return WLIST_UNHANDLED;
		l->show_detail = !l->show_detail;
		return WLIST_HANDLED;
	case ' ': {
		size_t row = wlist_current(l);
		if (!l->multi || row == NONE)
			return WLIST_UNHANDLED;
		wlist_select(l, row, !wlist_selected(l, row));
		wlist_move(l, 1);
		return WLIST_HANDLED;
	}
	default:
		return WLIST_UNHANDLED;
	}
}

/* ---- layout and drawing ---- */

void
wlist_layout(const struct wlist_column *cols, int ncols, int total, int *widths)
{
	int fixed = 0, flexsum = 0, spare, left;

	if (ncols <= 0)
		return;
	for (int c = 0; c < ncols; c++) {
		fixed += cols[c].width + (c ? 1 : 0);
		flexsum += cols[c].flex;
	}
	spare = total - fixed;
	left = total;
	for (int c = 0; c < ncols; c++) {
		int w = cols[c].width;
		if (spare > 0 && cols[c].flex > 0 && flexsum > 0)
			w += spare * cols[c].flex / flexsum;
		if (w > left)
			w = left;	/* too narrow: the last columns shrink */
		if (w < 0)
			w = 0;
		widths[c] = w;
		left -= w + 1;
		if (left < 0)
			left = 0;
	}
	/* rounding leftovers go to the first flex column */
	if (spare > 0 && flexsum > 0) {
		int used = 0;
		for (int c = 0; c < ncols; c++)
			used += widths[c] + (c ? 1 : 0);
		for (int c = 0; c < ncols; c++) {
			if (cols[c].flex > 0) {
				widths[c] += total - used;
				break;
			}
		}
	}
}

char *
wlist_format_row(const struct wlist *l, size_t row, const int *widths,
    char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	for (int c = 0; c < l->ncols; c++) {
		char buf[1024];
		size_t len;
		if (c > 0 && o + 1 < outsz)
			out[o++] = ' ';
		if (l->cols[c].right)
			text_fit_right(buf, sizeof buf, cell(l, row, c), widths[c]);
		else
			text_fit(buf, sizeof buf, cell(l, row, c), widths[c]);
		len = strlen(buf);
		if (o + len >= outsz)
			break;
		memcpy(out + o, buf, len);
		o += len;
	}
	out[o] = '\0';
	return out;
}

static void
draw_titles(const struct wlist *l, int y, int x, int w, const int *widths, int mark)
{
	int col = x + mark;

	text_put(y, x, "", w, ROLE_TITLE);
	for (int c = 0; c < l->ncols && col < x + w; c++) {
		char t[256];
		snprintf(t, sizeof t, "%s%s", l->cols[c].title ? l->cols[c].title : "",
		    c == l->sort_col ? (l->sort_desc ? " \xe2\x96\xbc" : " \xe2\x96\xb2") : "");
		text_put(y, col, t, widths[c], ROLE_TITLE);
		col += widths[c] + 1;
	}
}

static void
draw_detail(struct wlist *l, int y, int x, int h, int w)
{
	size_t row = wlist_current(l);
	const char *s = row != NONE ? l->detail(l->ctx, row) : NULL;
	int line = 0;

	term_role_on(ROLE_DIM);
	mvhline(y, x, ACS_HLINE, w);
	term_role_off(ROLE_DIM);
	for (line = 1; line < h; line++)
		text_put(y + line, x, "", w, ROLE_NORMAL);
	line = 1;
	/* each line of the detail word-wraps to the pane's width */
	while (s != NULL && *s && line < h) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *para = xstrndup(s, len);
		line += text_put_wrap(y + line, x, para, w, h - line, ROLE_NORMAL);
		if (len == 0)
			line++;
		free(para);
		s = nl ? nl + 1 : s + len;
	}
}

void
wlist_draw(struct wlist *l, int y, int x, int h, int w)
{
	int widths[32], mark = l->multi ? 2 : 0, body, dh = 0, ncols;
	int show_filter = l->typing || l->filter[0] != '\0';
	char *line;
	size_t linesz = (size_t)w * 8 + 16;

	if (h < 2 || w < 4)
		return;
	ncols = l->ncols < 32 ? l->ncols : 32;
	wlist_layout(l->cols, ncols, w - mark, widths);
	body = h - 1 - (show_filter ? 1 : 0);
	if (l->show_detail && l->detail != NULL && body >= 6) {
		dh = body / 3;
		body -= dh;
	}
	l->page = body;
	wlist_scroll(l, body);
	draw_titles(l, y, x, w, widths, mark);
	line = xmalloc(linesz);
	for (int i = 0; i < body; i++) {
		size_t pos = l->top + (size_t)i;
		int yy = y + 1 + i;
		if (pos >= l->nvis) {
			text_put(yy, x, "", w, ROLE_NORMAL);
			continue;
		}
		size_t row = l->vis[pos];
		enum term_role role = pos == l->cur ? ROLE_SELECTED : ROLE_NORMAL;
		if (mark)
			text_put(yy, x, wlist_selected(l, row) ? "* " : "  ", mark, role);
		wlist_format_row(l, row, widths, line, linesz);
		text_put(yy, x + mark, line, w - mark, role);
	}
	if (l->nvis == 0 && body > 0)
		text_put(y + 1, x, l->n ? "  (no row matches the filter)" : "  (no rows)", w, ROLE_DIM);
	if (dh > 0)
		draw_detail(l, y + 1 + body, x, dh, w);
	if (show_filter) {
		snprintf(line, linesz, "/%s%s   %zu of %zu", l->filter, l->typing ? "_" : "",
		    l->nvis, l->n);
		text_put(y + h - 1, x, line, w, l->typing ? ROLE_KEY : ROLE_DIM);
	}
	free(line);
}
