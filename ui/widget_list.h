/* widget_list.h - a scrolling table over rows fetched on demand.
 *
 * The list never copies the rows: it asks a cell callback for the text of
 * (row, column) while drawing, filtering and sorting, so 100,000 rows cost
 * two index arrays and a selection bitmap.  The state machine (wlist_key,
 * wlist_set_filter, wlist_sort ...) is pure; wlist_draw paints only the
 * visible rows.
 *
 * Keys: Up/Down/j/k, PgUp/PgDn, Home/End/g/G, '/' starts the incremental
 * filter (typing filters at once; Enter keeps it, Esc clears it), 's'
 * cycles the sort (next column ascending, then descending), Space toggles
 * the row's selection (multi-select lists), 'd' toggles the detail pane,
 * Enter activates the row. */
#ifndef BS_WIDGET_LIST_H
#define BS_WIDGET_LIST_H

#include <stddef.h>

#include "base/text.h"

struct wlist_column {
	const char *title;
	int width;		/* fixed width, or the minimum when flex > 0 */
	int flex;		/* share of the spare columns; 0 = fixed */
	int right;		/* right-aligned (numbers) */
};

/* Text of a cell.  The pointer must stay valid until the next call of the
 * callback (a buffer in ctx is fine).  NULL is shown as "". */
typedef const char *(*wlist_cell_fn)(void *ctx, size_t row, int col);
/* Optional: order of two rows by a column (<0, 0, >0); the default
 * compares the cells' text case-insensitively, numbers by value when both
 * cells are numbers. */
typedef int (*wlist_cmp_fn)(void *ctx, size_t a, size_t b, int col);
/* Optional: the detail text of a row (lines separated by '\n'); same
 * lifetime rule as cells. */
typedef const char *(*wlist_detail_fn)(void *ctx, size_t row);

enum wlist_result {
	WLIST_UNHANDLED = 0,
	WLIST_HANDLED = 1,	/* consumed; redraw */
	WLIST_ACTIVATE = 2,	/* Enter on a row */
	WLIST_FILTER_DONE = 3	/* Enter or Esc left filter typing */
};

#define WLIST_FILTER_MAX 128

struct wlist {
	const struct wlist_column *cols;	/* not owned */
	int ncols;
	wlist_cell_fn cell;
	wlist_cmp_fn cmp;
	wlist_detail_fn detail;
	void *ctx;
	int multi;		/* Space selects several rows */

	size_t n;		/* rows in all */
	size_t *order;		/* every row, in sort order (owned) */
	size_t *vis;		/* rows passing the filter, in order (owned) */
	size_t nvis;
	unsigned char *sel;	/* one byte per row (owned) */
	size_t nsel;
	char filter[WLIST_FILTER_MAX];
	int typing;		/* '/' pressed: keys go to the filter */
	int sort_col;		/* -1: the provider's order */
	int sort_desc;
	int show_detail;
	size_t cur;		/* position in vis */
	size_t top;		/* first visible position */
	int page;		/* rows shown by the last draw (for PgUp/PgDn) */
};

/* cols is not copied: it must outlive the list. */
void wlist_init(struct wlist *l, const struct wlist_column *cols, int ncols,
    wlist_cell_fn cell, void *ctx);
/* (Re)load n rows: keeps sort and filter, clears the selection; the cursor
 * stays on the same row index when it still exists. */
void wlist_set_rows(struct wlist *l, size_t n);
void wlist_release(struct wlist *l);	/* frees the arrays, not l */

/* Case-insensitive UTF-8 substring over every cell of a row; "" or NULL
 * shows every row.  The cursor stays on the same row when it passes. */
void wlist_set_filter(struct wlist *l, const char *filter);
/* Stable sort by col (-1: the provider's order); the cursor follows its
 * row. */
void wlist_sort(struct wlist *l, int col, int desc);
void wlist_cycle_sort(struct wlist *l);
/* Sort by col ascending; when already sorted by col, the other way (the
 * screens' number keys).  A column that does not exist changes nothing. */
void wlist_sort_toggle(struct wlist *l, int col);

void wlist_move(struct wlist *l, long delta);	/* clamped */
void wlist_home(struct wlist *l);
void wlist_end(struct wlist *l);
/* Keep the cursor inside a window of height rows. */
void wlist_scroll(struct wlist *l, int height);
enum wlist_result wlist_key(struct wlist *l, int key);

/* The row under the cursor, or (size_t)-1 when no row passes. */
size_t wlist_current(const struct wlist *l);
int wlist_selected(const struct wlist *l, size_t row);
void wlist_select(struct wlist *l, size_t row, int on);
/* The selected rows in row order into out (at most max); returns count. */
size_t wlist_selection(const struct wlist *l, size_t *out, size_t max);

/* Column widths for a table width total (pure): fixed columns get their
 * width, flex columns share what is left (never below their minimum),
 * one space between columns; the last columns shrink to 0 when nothing is
 * left.  widths has ncols entries. */
void wlist_layout(const struct wlist_column *cols, int ncols, int total, int *widths);

/* One table line (pure): the cells of row fitted to widths, into out. */
char *wlist_format_row(const struct wlist *l, size_t row, const int *widths,
    char *out, size_t outsz);

/* Paint in the rectangle: the column titles (sort marked ▲/▼), the
 * visible rows, the filter line when a filter is set or being typed, and
 * the detail pane (lower third) when shown. */
void wlist_draw(struct wlist *l, int y, int x, int h, int w);

#endif
