/* bench_ui.c - build/bench_ui [ROWS]: the console's list at 80x24 over
 * ROWS employees (default 100,000), drawn headless: median and worst time
 * to draw a frame (the visible rows through text_put, then doupdate) and
 * to apply a filter (rows_set_filter).  Prints one JSON line. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "rows.h"
#include "term.h"

static char **names;

static const char *
row_text(void *ctx, size_t i)
{
	(void)ctx;
	return names[i];
}

static double
ms_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	static const char *const first[] = { "Zoë", "José", "Anne-Marie", "Søren", "山田", "Ngozi",
	    "Björn", "Siobhán", "Arjun", "María José" };
	static const char *const last[] = { "Łukasiewicz-Østergård", "Núñez", "van der Berg",
	    "Ærøskøbing", "太郎", "Okafor", "Þórsson", "Mensah", "Subramanian", "dos Santos" };
	static const char *const filters[] = { "zo", "núñez", "van der", "ø", "太", "okafor", "x",
	    "eligible", "unset", "@lumen", "9", "99", "999", "berg", "a", "mensah 1", "siob",
	    "qqq", "dos", "" };
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	double frame[50], filt[20];
	FILE *out, *in;
	SCREEN *scr;
	struct rows r;
	char col[200];

	setlocale(LC_ALL, "C.UTF-8");
	names = calloc(n, sizeof *names);
	for (size_t i = 0; i < n; i++) {
		char buf[400];
		{
			char name[128];
			snprintf(name, sizeof name, "%s %s %zu", first[i % 10], last[(i / 10) % 10], i);
			text_fit(col, sizeof col, name, 28);
		}
		snprintf(buf, sizeof buf, " %-10s %-6s %s person%zu@lumenfield.example employed",
		    i % 3 ? "eligible" : "held", i % 3 ? "yes" : "unset", col, i);
		names[i] = strdup(buf);
	}
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (names == NULL || out == NULL || in == NULL)
		return 1;
	scr = newterm("xterm-256color", out, in);
	if (scr == NULL) {
		fputs("bench_ui: no terminal description for xterm-256color\n", stderr);
		return 1;
	}
	set_term(scr);
	resizeterm(24, 80);
	rows_init(&r, n, row_text, NULL);
	for (int f = 0; f < 50; f++) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		rows_move(&r, f * 997);		/* a different place each frame */
		rows_scroll(&r, 19);
		erase();
		term_bars(" bobsync · Employees", " / Filter  j Down  k Up  ? Help  q Back");
		for (int y = 0; y < 19 && r.top + (size_t)y < r.nvis; y++) {
			size_t pos = r.top + (size_t)y;
			text_put(2 + y, 0, names[r.vis[pos]], COLS, pos == r.cur ? ROLE_SELECTED : ROLE_NORMAL);
		}
		wnoutrefresh(stdscr);
		doupdate();
		frame[f] = ms_since(&t);
	}
	for (int f = 0; f < 20; f++) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		rows_set_filter(&r, filters[f]);
		filt[f] = ms_since(&t);
	}
	endwin();
	delscreen(scr);
	qsort(frame, 50, sizeof frame[0], cmp_double);
	qsort(filt, 20, sizeof filt[0], cmp_double);
	printf("{\"rows\": %zu, \"frame_ms_median\": %.3f, \"frame_ms_max\": %.3f, "
	    "\"filter_ms_median\": %.3f, \"filter_ms_max\": %.3f}\n", n, frame[25], frame[49],
	    filt[10], filt[19]);
	rows_free(&r);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}
