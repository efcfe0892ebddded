/* output.c - tables, CSV, JSON and progress for the command line. */
#define _GNU_SOURCE 1	/* fopencookie */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "app.h"
#include "base/text.h"
#include "output.h"
#include "base/util.h"

struct out_table {
	size_t ncols;
	char **headers;
	char ***rows;		/* each row one block: its cell pointers, their widths
				 * (int, measured once), then the texts */
	size_t nrows, cap;
	/* a streamed table (out_table_measure, _begin, _put): no rows kept */
	int *measured;		/* the widest cell of each column but the last */
	int *w;			/* the printed widths, from out_table_begin */
	FILE *f;
	char *cell;		/* one cell made fit for a line, reused */
	size_t cellcap;
};

int
out_width(const char *s)
{
	return s != NULL ? text_width(s) : 0;
}

/* Print s cut to at most width columns (with "…" when cut), padded. */
static void
put_cell(FILE *f, const char *s, int total, int width, int pad)
{
	mbstate_t st;
	const char *p = s;
	size_t left = strlen(s);
	int w = 0;
	int limit = total > width ? width - 1 : width;

	if (total <= width) {
		/* it fits: the whole string at once */
		fwrite(s, 1, left, f);
		w = total;
		left = 0;
	}
	memset(&st, 0, sizeof st);
	while (left > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, left, &st);
		int cw = 1;
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof st);
			n = 1;
		} else {
			if (n == 0)
				n = 1;
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (w + cw > limit)
			break;
		fwrite(p, 1, n, f);
		w += cw;
		p += n;
		left -= n;
	}
	if (total > width) {
		fputs("\xe2\x80\xa6", f);	/* … */
		w++;
	}
	if (pad && w < width) {
		static const char spaces[] = "                                        ";
		size_t n = (size_t)(width - w);
		while (n > 0) {
			size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
			fwrite(spaces, 1, k, f);
			n -= k;
		}
	}
}

struct out_table *
out_table_new(size_t ncols, const char *const *headers)
{
	struct out_table *t = xcalloc(1, sizeof *t);

	t->ncols = ncols;
	t->headers = xcalloc(ncols, sizeof *t->headers);
	for (size_t i = 0; i < ncols; i++)
		t->headers[i] = xstrdup(headers[i]);
	return t;
}

static int *
row_widths(const struct out_table *t, char **row)
{
	return (int *)(row + t->ncols);
}

/* A cell on one line: control characters replaced, as out_table_row does
 * in place; s itself when there is nothing to replace. */
static const char *
one_line(struct out_table *t, const char *s)
{
	size_t n = strlen(s);

	if (str_ascii_run(s, n, 0, 0) == n)
		return s;	/* printable ASCII */
	if (n + 1 > t->cellcap) {
		t->cellcap = n + 1;
		t->cell = xrealloc(t->cell, t->cellcap);
	}
	util_sanitize(s, n, t->cell, 0, NULL);	/* TAB, CR and LF too become ' ' */
	t->cell[n] = '\0';
	return t->cell;
}

void
out_table_row(struct out_table *t, const char *const *cells)
{
	size_t total = t->ncols * (sizeof(char *) + sizeof(int));
	char **row, *text;
	int *widths;

	for (size_t i = 0; i < t->ncols; i++)
		total += strlen(cells[i] ? cells[i] : "") + 1;
	row = xmalloc(total ? total : 1);
	widths = row_widths(t, row);
	text = (char *)(widths + t->ncols);
	for (size_t i = 0; i < t->ncols; i++) {
		size_t n = strlen(cells[i] ? cells[i] : "") + 1;
		row[i] = text;
		memcpy(text, cells[i] ? cells[i] : "", n);
		text += n;
		/* one line: TAB, CR and LF become ' ' too */
		util_sanitize(row[i], n - 1, row[i], 0, NULL);
		widths[i] = out_width(row[i]);
	}
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->rows = xreallocarray(t->rows, t->cap, sizeof *t->rows);
	}
	t->rows[t->nrows++] = row;
}

void
out_table_print(struct out_table *t, FILE *f, int max_width)
{
	int *w = xcalloc(t->ncols, sizeof *w);
	int used = 0;

	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = out_width(t->headers[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			int cw = row_widths(t, t->rows[r])[c];
			if (cw > w[c])
				w[c] = cw;
		}
	}
	/* cap every column but the last at 40, the last to what is left */
	for (size_t c = 0; c + 1 < t->ncols; c++) {
		if (max_width > 0 && w[c] > 40)
			w[c] = 40;
		used += w[c] + 2;
	}
	if (max_width > 0 && t->ncols > 0) {
		int left = max_width - used;
		if (left < 8)
			left = 8;
		if (w[t->ncols - 1] > left)
			w[t->ncols - 1] = left;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		put_cell(f, t->headers[c], out_width(t->headers[c]), w[c], c + 1 < t->ncols);
		if (c + 1 < t->ncols)
			fputs("  ", f);
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->nrows; r++) {
		const int *cw = row_widths(t, t->rows[r]);
		for (size_t c = 0; c < t->ncols; c++) {
			put_cell(f, t->rows[r][c], cw[c], w[c], c + 1 < t->ncols);
			if (c + 1 < t->ncols)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
	free(w);
}

void
out_table_measure(struct out_table *t, const char *const *cells)
{
	if (t->measured == NULL)
		t->measured = xcalloc(t->ncols, sizeof *t->measured);
	for (size_t c = 0; c + 1 < t->ncols; c++) {
		int w = out_width(one_line(t, cells[c] ? cells[c] : ""));
		if (w > t->measured[c])
			t->measured[c] = w;
	}
}

void
out_table_begin(struct out_table *t, FILE *f, int max_width)
{
	int used = 0;

	t->f = f;
	free(t->w);
	t->w = xcalloc(t->ncols, sizeof *t->w);
	/* as out_table_print: every column but the last at most 40 wide on
	 * a terminal, the last what is left; the last is never padded, so
	 * cutting it at what is left is the same whatever its widest cell */
	for (size_t c = 0; c + 1 < t->ncols; c++) {
		int hw = out_width(t->headers[c]);
		t->w[c] = t->measured != NULL && t->measured[c] > hw ? t->measured[c] : hw;
		if (max_width > 0 && t->w[c] > 40)
			t->w[c] = 40;
		used += t->w[c] + 2;
	}
	if (t->ncols > 0) {
		int left = max_width - used;
		t->w[t->ncols - 1] = max_width <= 0 ? INT_MAX : left < 8 ? 8 : left;
	}
	out_table_put(t, (const char *const *)t->headers);
}

void
out_table_put(struct out_table *t, const char *const *cells)
{
	for (size_t c = 0; c < t->ncols; c++) {
		const char *s = one_line(t, cells[c] ? cells[c] : "");
		put_cell(t->f, s, out_width(s), t->w[c], c + 1 < t->ncols);
		if (c + 1 < t->ncols)
			fputs("  ", t->f);
	}
	fputc('\n', t->f);
}

void
out_table_free(struct out_table **tp)
{
	struct out_table *t;

	if (tp == NULL || *tp == NULL)
		return;
	t = *tp;
	for (size_t r = 0; r < t->nrows; r++)
		free(t->rows[r]);	/* its cells' texts are in the same block */
	free(t->rows);
	for (size_t c = 0; c < t->ncols; c++)
		free(t->headers[c]);
	free(t->headers);
	free(t->measured);
	free(t->w);
	free(t->cell);
	free(t);
	*tp = NULL;
}

void
out_csv_row(FILE *f, size_t n, const char *const *cells)
{
	util_csv_row(f, n, cells);
}

void
out_json(json_t *j)
{
	FILE *f = out_raw(stdout);

	/* JSON escapes C0 itself; C1 and DEL in values are data for programs,
	 * so the filter is bypassed (after what it holds is written) */
	fflush(stdout);
	json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	fflush(f);
	json_decref(j);
}

/* ---- the terminal guard: every byte a command prints passes
 * util_sanitize, so no remote string can reach the terminal raw ---- */

/* Pieces of 64 KiB: a 40 MB plan is 600 writes, not 10,000 (the writer
 * hands over 64 KiB at a time). */
#define GUARD_PIECE 65536

struct guard {
	int fd;
	size_t npend;
	char pend[4];		/* a UTF-8 sequence cut by the end of a write */
	char in[GUARD_PIECE], out[GUARD_PIECE];
};

static FILE *raw_out, *raw_err;

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static ssize_t
guard_write(void *cookie, const char *buf, size_t size)
{
	struct guard *g = cookie;
	char *in = g->in, *out = g->out;
	size_t done = 0;

	while (done < size) {
		size_t take = GUARD_PIECE - g->npend, n, part;
		if (take > size - done)
			take = size - done;
		memcpy(in, g->pend, g->npend);
		memcpy(in + g->npend, buf + done, take);
		n = g->npend + take;
		done += take;
		n = util_sanitize(in, n, out, UTIL_SAN_KEEP_LINES, &part);
		g->npend = part;
		memcpy(g->pend, in + n, part);
		if (write_all(g->fd, out, n) < 0)
			return -1;
	}
	return (ssize_t)size;
}

static int
guard_close(void *cookie)
{
	struct guard *g = cookie;
	int rc = 0;

	if (g->npend > 0) {
		/* never completed: a lone CR, or not UTF-8 */
		memset(g->pend, g->npend == 1 && g->pend[0] == '\r' ? ' ' : '?', g->npend);
		rc = write_all(g->fd, g->pend, g->npend);
	}
	free(g);
	return rc;
}

static FILE *
guard_open(int fd, int mode)
{
	cookie_io_functions_t fns = { NULL, guard_write, NULL, guard_close };
	struct guard *g = xcalloc(1, sizeof *g);
	FILE *f;

	g->fd = fd;
	f = fopencookie(g, "w", fns);
	if (f == NULL) {
		free(g);
		return NULL;
	}
	setvbuf(f, NULL, mode, mode == _IONBF ? 0 : mode == _IOFBF ? GUARD_PIECE : BUFSIZ);
	return f;
}

void
out_guard_streams(void)
{
	FILE *o, *e;

	if (raw_out != NULL)
		return;
	fflush(stdout);
	fflush(stderr);
	o = guard_open(STDOUT_FILENO, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
	e = guard_open(STDERR_FILENO, _IONBF);
	if (o == NULL || e == NULL) {
		if (o != NULL)
			fclose(o);
		if (e != NULL)
			fclose(e);
		return;
	}
	raw_out = stdout;
	raw_err = stderr;
	stdout = o;
	stderr = e;
}

FILE *
out_raw(FILE *f)
{
	if (f == stdout && raw_out != NULL)
		return raw_out;
	if (f == stderr && raw_err != NULL)
		return raw_err;
	return f;
}

int
out_term_width(void)
{
	struct winsize ws;

	const char *cols = getenv("COLUMNS");
	char *end;
	long c;

	if (!isatty(STDOUT_FILENO))
		return 0;
	/* on a terminal, an explicit COLUMNS wins over the window size */
	if (cols != NULL && *cols != '\0') {
		c = strtol(cols, &end, 10);
		if (*end == '\0' && c >= 20 && c <= 10000)
			return (int)c;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

void
out_progress_init(struct out_progress *p, const struct app *a)
{
	p->enabled = a->tty_err && !a->quiet;
	p->shown = 0;
}

int
out_progress_cb(void *ctx, const struct bs_progress_event *ev)
{
	struct out_progress *p = ctx;
	char line[160];

	if (!p->enabled || ev->phase == NULL)
		return 0;
	if (ev->total > 0)
		snprintf(line, sizeof line, "%s... %zu/%zu", ev->phase, ev->done, ev->total);
	else if (ev->done > 0)	/* a count while the total is not known */
		snprintf(line, sizeof line, "%s... %zu", ev->phase, ev->done);
	else
		snprintf(line, sizeof line, "%s...", ev->phase);
	util_strip_controls(line);
	fprintf(out_raw(stderr), "\r\033[K%s", line);
	fflush(out_raw(stderr));
	p->shown = 1;
	return 0;
}

void
out_progress_done(struct out_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", out_raw(stderr));
	p->shown = 0;
}

void
out_time(long long t, char buf[32])
{
	if (t <= 0) {
		buf[0] = '\0';
		return;
	}
	time_format_utc(t, buf);
}
