/* output.h - how commands print: aligned tables that respect display width
 * (UTF-8 names line up), CSV, JSON, and progress on stderr. */
#ifndef BS_OUTPUT_H
#define BS_OUTPUT_H

#include <stdio.h>

#include <jansson.h>

#include "base/progress.h"

struct app;

/* A table printed once all rows are in, so columns fit their content.
 * Cells are copied; control characters are replaced. */
struct out_table;
struct out_table *out_table_new(size_t ncols, const char *const *headers);
void out_table_row(struct out_table *t, const char *const *cells);
/* max_width 0 = no limit (not a terminal); otherwise the last column is
 * cut with an ellipsis to fit. */
void out_table_print(struct out_table *t, FILE *f, int max_width);
/* A table of many rows (a plan of 100,000 actions) printed as its rows
 * come, none kept: the caller measures every row first (a pass over its
 * own data; the last column, never padded, is not measured), then begins
 * (the header line) and puts each row.  The same lines as out_table_row
 * and out_table_print would give. */
void out_table_measure(struct out_table *t, const char *const *cells);
void out_table_begin(struct out_table *t, FILE *f, int max_width);
void out_table_put(struct out_table *t, const char *const *cells);
void out_table_free(struct out_table **t);

/* One CSV row (RFC 4180 quoting). */
void out_csv_row(FILE *f, size_t n, const char *const *cells);

/* Put a filter in front of stdout and stderr that passes every byte
 * through util_sanitize (keeping TAB and LF): remote text can then never
 * reach the terminal as a control sequence, whatever prints it.  For the
 * command-line commands, not the curses screens. */
void out_guard_streams(void);
/* The stream under the filter (for JSON, and the progress line's own
 * escape); f itself when there is no filter. */
FILE *out_raw(FILE *f);

/* Pretty JSON on stdout with a newline; consumes a reference of j. */
void out_json(json_t *j);

/* Display width of a UTF-8 string (wcwidth; invalid bytes count 1). */
int out_width(const char *s);

/* Terminal width of stdout, or 0 when not a terminal. */
int out_term_width(void);

/* A progress callback printing one updating line on stderr when it is a
 * terminal (and nothing otherwise).  Call out_progress_done after. */
struct out_progress {
	int enabled;
	int shown;
};
void out_progress_init(struct out_progress *p, const struct app *a);
int out_progress_cb(void *ctx, const struct bs_progress_event *ev);
void out_progress_done(struct out_progress *p);

/* "2026-03-02T12:00:00Z" style for a unix time, "" for 0. */
void out_time(long long t, char buf[32]);

#endif
