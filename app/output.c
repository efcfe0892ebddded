/* output.c - tables, CSV, JSON and progress for the command line. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "app.h"
#include "output.h"
#include "util.h"

struct out_table {
	size_t ncols;
	char **headers;
	char ***rows;		/* each row one block: its cell pointers, then the texts */
	size_t nrows, cap;
};

int
out_width(const char *s)
{
	mbstate_t st;
	int w = 0;
	const char *p = s;
	size_t left;

	if (s == NULL)
		return 0;
	memset(&st, 0, sizeof st);
	left = strlen(s);
	while (left > 0) {
		wchar_t wc;
		size_t n;
		int cw;
		if ((unsigned char)*p < 0x80) {
			/* ASCII: one byte, one column (a control counts 1 as below) */
			w++;
			p++;
			left--;
			continue;
		}
		n = mbrtowc(&wc, p, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof st);
			n = 1;
			cw = 1;
		} else {
			if (n == 0)
				n = 1;
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		w += cw;
		p += n;
		left -= n;
	}
	return w;
}

/* Print s cut to at most width columns (with "…" when cut), padded. */
static void
put_cell(FILE *f, const char *s, int width, int pad)
{
	mbstate_t st;
	const char *p = s;
	size_t left = strlen(s);
	int w = 0, total = out_width(s);
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

void
out_table_row(struct out_table *t, const char *const *cells)
{
	size_t total = t->ncols * sizeof(char *);
	char **row, *text;

	for (size_t i = 0; i < t->ncols; i++)
		total += strlen(cells[i] ? cells[i] : "") + 1;
	row = xmalloc(total ? total : 1);
	text = (char *)(row + t->ncols);
	for (size_t i = 0; i < t->ncols; i++) {
		size_t n = strlen(cells[i] ? cells[i] : "") + 1;
		row[i] = text;
		memcpy(text, cells[i] ? cells[i] : "", n);
		text += n;
		util_strip_controls(row[i]);
		for (char *c = row[i]; *c; c++)
			if (*c == '\n' || *c == '\t')
				*c = ' ';
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
			int cw = out_width(t->rows[r][c]);
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
		put_cell(f, t->headers[c], w[c], c + 1 < t->ncols);
		if (c + 1 < t->ncols)
			fputs("  ", f);
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			put_cell(f, t->rows[r][c], w[c], c + 1 < t->ncols);
			if (c + 1 < t->ncols)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
	free(w);
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
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

int
out_term_width(void)
{
	struct winsize ws;

	if (!isatty(STDOUT_FILENO))
		return 0;
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
	else
		snprintf(line, sizeof line, "%s...", ev->phase);
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->shown = 1;
	return 0;
}

void
out_progress_done(struct out_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
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
