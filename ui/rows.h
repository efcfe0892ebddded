/* rows.h - the state of a scrolling list: which rows pass the filter, the
 * cursor and the first visible row.  Pure (no curses): rows are asked for
 * by index through a callback, so 100,000 rows cost one index array. */
#ifndef BS_ROWS_H
#define BS_ROWS_H

#include <stddef.h>

/* The text the filter searches for row i (owned by the caller). */
typedef const char *(*rows_text_fn)(void *ctx, size_t i);

struct rows {
	size_t n;		/* rows in all */
	rows_text_fn text;
	void *ctx;
	size_t *vis;		/* indices passing the filter, in order */
	size_t nvis;
	char filter[128];
	size_t cur;		/* position in vis */
	size_t top;		/* first visible position */
};

void rows_init(struct rows *r, size_t n, rows_text_fn text, void *ctx);
void rows_free(struct rows *r);
/* Case-insensitive (ASCII letters; other bytes as they are) substring
 * filter; "" shows every row.  The cursor stays on the same row when it
 * still passes, else goes to the first. */
void rows_set_filter(struct rows *r, const char *filter);
/* Moves: delta rows (negative up), clamped. */
void rows_move(struct rows *r, long delta);
void rows_home(struct rows *r);
void rows_end(struct rows *r);
/* Keep the cursor on screen for a window of height rows. */
void rows_scroll(struct rows *r, size_t height);
/* The row under the cursor, or (size_t)-1 when none passes. */
size_t rows_current(const struct rows *r);

#endif
