/* term.h - the terminal under the TUI: curses set-up and teardown on every
 * exit path, colours by role (monochrome and NO_COLOR fall back to
 * attributes), and width-aware text output that never cuts a wide
 * character and marks a cut with an ellipsis. */
#ifndef BS_TERM_H
#define BS_TERM_H

#include <stddef.h>

#include "base/text.h"

enum term_role {
	ROLE_NORMAL, ROLE_TITLE, ROLE_BAR, ROLE_KEY, ROLE_OK, ROLE_WARN,
	ROLE_ERROR, ROLE_SELECTED, ROLE_DIM, ROLE_COUNT
};

/* Smallest usable size; below it the screen says so and waits. */
#define TERM_MIN_COLS 60
#define TERM_MIN_ROWS 16

/* Start curses on the controlling terminal.  0, or -1 with why filled in
 * (no terminal, unknown or dumb TERM).  Installs handlers that restore the
 * terminal on SIGINT/SIGTERM/SIGHUP (the loop sees term_interrupted()) and
 * on fatal signals (restore, then die by the signal). */
int term_start(char *why, size_t whylen);
void term_stop(void);
int term_interrupted(void);

void term_role_on(enum term_role r);
void term_role_off(enum term_role r);

/* Draw s at (y, x) in exactly width columns: cut with "…" when longer,
 * padded with spaces when shorter; controls shown as '?'. */
void text_put(int y, int x, const char *s, int width, enum term_role role);
/* s word-wrapped (text_wrap) to width from (y, x), at most maxrows rows;
 * when it needs more, the last row shows the rest cut with "…".  Returns
 * the rows used. */
int text_put_wrap(int y, int x, const char *s, int width, int maxrows, enum term_role role);

/* Title bar on the top line, key hints on the bottom line. */
void term_bars(const char *title, const char *hints);
/* 1 when the window is below the minimum (and the notice is drawn). */
int term_too_small(void);

#endif
