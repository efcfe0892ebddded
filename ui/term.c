/* term.c - curses lifecycle, colour roles and width-aware text. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>

#include "base/log.h"
#include "term.h"

static int started, atexit_done;
static int use_colour;
static SCREEN *screen;
static volatile sig_atomic_t interrupted;

/* role -> colour pair (colour) or attributes (monochrome) */
static const struct {
	short fg, bg;
	attr_t colour_attr, mono_attr;
} roles[ROLE_COUNT] = {
	[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_TITLE] = { COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_BAR] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE },
	[ROLE_KEY] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ROLE_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[ROLE_WARN] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ROLE_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_SELECTED] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_DIM] = { -1, -1, A_DIM, A_DIM },
};

static void
restore(void)
{
	if (started) {
		endwin();
		started = 0;
	}
}

static void
restore_at_exit(void)
{
	restore();
}

static void
on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
on_fatal(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int
term_interrupted(void)
{
	return interrupted != 0;
}

int
term_start(char *why, size_t whylen)
{
	const char *term = getenv("TERM"), *nc = getenv("NO_COLOR");
	struct sigaction sa;
	static const int fatal[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(why, whylen, "the full-screen console needs a terminal");
		return -1;
	}
	if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0) {
		snprintf(why, whylen, "the full-screen console needs a terminal that can move the "
		    "cursor (TERM is '%s')", term ? term : "");
		return -1;
	}
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL) {
		snprintf(why, whylen, "this terminal type (TERM=%s) is not known here", term);
		return -1;
	}
	set_term(screen);
	{
		/* TERM=dumb and friends: newterm succeeds but cannot move the cursor */
		char *cup = tigetstr((char *)"cup");
		if (cup == NULL || cup == (char *)-1) {
			endwin();
			delscreen(screen);
			screen = NULL;
			snprintf(why, whylen, "this terminal (TERM=%s) cannot move the cursor", term);
			return -1;
		}
	}
	started = 1;
	if (!atexit_done) {
		atexit(restore_at_exit);	/* exit() anywhere still restores */
		atexit_done = 1;
	}
	log_set_stderr(0);	/* errors go to the screen, never raw over it */
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	use_colour = has_colors() && (nc == NULL || *nc == '\0');
	if (use_colour) {
		start_color();
		use_default_colors();
		for (int r = 1; r < ROLE_COUNT; r++)
			init_pair((short)r, roles[r].fg, roles[r].bg);
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		sigaction(fatal[i], &sa, NULL);
	return 0;
}

void
term_stop(void)
{
	restore();
	if (screen != NULL) {
		delscreen(screen);
		screen = NULL;
	}
	log_set_stderr(1);
}

void
term_role_on(enum term_role r)
{
	if (use_colour && r != ROLE_NORMAL)
		attron(COLOR_PAIR(r) | roles[r].colour_attr);
	else
		attron(roles[r].mono_attr);
}

void
term_role_off(enum term_role r)
{
	if (use_colour && r != ROLE_NORMAL)
		attroff(COLOR_PAIR(r) | roles[r].colour_attr);
	else
		attroff(roles[r].mono_attr);
}

void
text_put(int y, int x, const char *s, int width, enum term_role role)
{
	int used = 0, fits = text_width(s) <= width;

	if (width <= 0)
		return;
	term_role_on(role);
	move(y, x);
	while (s != NULL && *s) {
		wchar_t wc, buf[2];
		int w;
		size_t n = text_next(s, &wc, &w);
		/* keep a column for the ellipsis when the text is cut */
		if (used + w > width - (fits ? 0 : 1))
			break;
		buf[0] = wc;
		buf[1] = L'\0';
		addwstr(buf);
		used += w;
		s += n;
	}
	if (!fits && used < width) {
		addwstr(L"\u2026");
		used++;
	}
	for (; used < width; used++)
		addch(' ');
	term_role_off(role);
}

int
text_put_wrap(int y, int x, const char *s, int width, int maxrows, enum term_role role)
{
	size_t start[32], len[32], n;
	int row = 0;
	char line[1024];

	if (s == NULL || width <= 0 || maxrows <= 0)
		return 0;
	n = text_wrap(s, width, start, len, 32);
	for (size_t i = 0; i < n && row < maxrows; i++, row++) {
		if (row == maxrows - 1 && i + 1 < n)
			snprintf(line, sizeof line, "%s", s + start[i]);
		else
			snprintf(line, sizeof line, "%.*s", (int)len[i], s + start[i]);
		text_put(y + row, x, line, width, role);
	}
	return row;
}

void
term_bars(const char *title, const char *hints)
{
	text_put(0, 0, title, COLS, ROLE_TITLE);
	text_put(LINES - 1, 0, hints, COLS, ROLE_BAR);
}

int
term_too_small(void)
{
	if (COLS >= TERM_MIN_COLS && LINES >= TERM_MIN_ROWS)
		return 0;
	erase();
	mvprintw(0, 0, "Terminal too small");
	mvprintw(1, 0, "(need %dx%d)", TERM_MIN_COLS, TERM_MIN_ROWS);
	refresh();
	return 1;
}
