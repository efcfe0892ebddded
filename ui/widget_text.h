/* widget_text.h - a one-line text field: UTF-8 and wide characters,
 * cursor movement, Backspace/Delete, Ctrl-U (kill to start), Ctrl-W (kill
 * word), Ctrl-K (kill to end), a maximum length in characters, and a masked
 * mode for tokens (shown as '*'; Ctrl-R toggles showing the text).
 * The state machine is pure (wtext_key); wtext_draw paints it with curses.
 *
 * A masked field keeps its characters in sodium_malloc'd memory that is
 * wiped on clear and release. */
#ifndef BS_WIDGET_TEXT_H
#define BS_WIDGET_TEXT_H

#include <stddef.h>
#include <wchar.h>

#define WTEXT_MAX 1024		/* the longest field, in characters */

enum wtext_result {
	WTEXT_UNHANDLED = 0,	/* not a key for the field (Tab, Up...) */
	WTEXT_HANDLED = 1,	/* consumed, nothing changed (cursor moved) */
	WTEXT_CHANGED = 2,	/* the text changed */
	WTEXT_SUBMIT = 3,	/* Enter */
	WTEXT_CANCEL = 4,	/* Esc */
	WTEXT_FULL = 5		/* a character refused: at the maximum */
};

struct wtext {
	wchar_t *buf;		/* owned; max + 1 wide chars */
	size_t len, cur, max;
	size_t scroll;		/* first character shown */
	int masked, reveal;
	char msg[160];		/* validation message shown under the field */
};

/* max in characters (1..WTEXT_MAX); masked keeps the text in guarded
 * memory and shows '*'.  Release with wtext_release. */
void wtext_init(struct wtext *t, size_t max, int masked);
void wtext_release(struct wtext *t);
void wtext_clear(struct wtext *t);
/* Replace the text with UTF-8 s (invalid bytes become U+FFFD, controls
 * dropped; cut at max).  Cursor at the end. */
void wtext_set(struct wtext *t, const char *s);
/* The text as UTF-8 into out; returns its length, or (size_t)-1 when out
 * is too small (out is then ""). */
size_t wtext_get(const struct wtext *t, char *out, size_t outsz);
/* The text as a new UTF-8 string; caller frees (not for masked fields:
 * use wtext_get into guarded memory). */
char *wtext_dup(const struct wtext *t);
enum wtext_result wtext_key(struct wtext *t, int key);
void wtext_set_msg(struct wtext *t, const char *msg);	/* NULL clears */

/* What the field shows in width columns (pure): the visible characters
 * into out (NUL-terminated, at most width + 1 wide chars) and the column
 * of the cursor.  Scrolls t so the cursor stays visible. */
void wtext_view(struct wtext *t, int width, wchar_t *out, int *cursor_col);

/* Paint at (y, x) in width columns; focused shows the cursor there. */
void wtext_draw(struct wtext *t, int y, int x, int width, int focused);

#endif
