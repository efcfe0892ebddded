/* timeoff_view.h - the rows of the time-off screen (screen_timeoff.c): the
 * preview's requests as list cells, the detail pane and the counts line.
 * Pure: no curses, so the unit tests drive it with a hand-made preview. */
#ifndef BS_TIMEOFF_VIEW_H
#define BS_TIMEOFF_VIEW_H

#include <stddef.h>

#include "engine/timeoff_preview.h"
#include "widget_list.h"

enum { TOFF_COL_NAME, TOFF_COL_START, TOFF_COL_END, TOFF_COL_SYNC, TOFF_COL_REASON,
	TOFF_NCOLS };

struct toff_view {
	struct toff_preview p;		/* owned once toff_view_init ran */
	struct wlist list;
	char cell[2][40];
	char detail[2048];
};

/* Take p over (moved: the caller's copy is emptied) and set up the list,
 * detail pane shown. */
void toff_view_init(struct toff_view *v, struct toff_preview *p);
void toff_view_clear(struct toff_view *v);

const struct wlist_column *toff_view_columns(void);
/* The list's callbacks (ctx is the view). */
const char *toff_view_cell(void *ctx, size_t row, int col);
const char *toff_view_detail(void *ctx, size_t row);
/* Name, else email, else HiBob id. */
const char *toff_view_name(const struct toff_preview_item *it);
/* "2026-06-01T09:00:00+02:00" as "2026-06-01 09:00" (other text as is). */
char *toff_view_time(const char *iso, char *out, size_t outsz);
/* "2026-06-01 to 2026-08-30: 12 requests, 9 will sync to Assembled, 3
 * will not". */
char *toff_view_counts(const struct toff_view *v, char *out, size_t outsz);

#endif
