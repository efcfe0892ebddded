/* rows.c - list state: filter, cursor, scrolling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"
#include "util.h"

void
rows_init(struct rows *r, size_t n, rows_text_fn text, void *ctx)
{
	memset(r, 0, sizeof *r);
	r->n = n;
	r->text = text;
	r->ctx = ctx;
	r->vis = xcalloc(n + 1, sizeof *r->vis);
	for (size_t i = 0; i < n; i++)
		r->vis[i] = i;
	r->nvis = n;
}

void
rows_free(struct rows *r)
{
	free(r->vis);
	memset(r, 0, sizeof *r);
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* needle is already lower case */
static int
contains_ci(const char *hay, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return 1;
	if (hay == NULL)
		return 0;
	for (; *hay; hay++) {
		size_t k = 0;
		while (k < nlen && hay[k] && lower((unsigned char)hay[k]) == (unsigned char)needle[k])
			k++;
		if (k == nlen)
			return 1;
	}
	return 0;
}

size_t
rows_current(const struct rows *r)
{
	return r->nvis == 0 ? (size_t)-1 : r->vis[r->cur];
}

void
rows_set_filter(struct rows *r, const char *filter)
{
	char needle[sizeof r->filter];
	size_t keep = rows_current(r), nlen;

	snprintf(r->filter, sizeof r->filter, "%s", filter ? filter : "");
	for (nlen = 0; r->filter[nlen]; nlen++)
		needle[nlen] = (char)lower((unsigned char)r->filter[nlen]);
	needle[nlen] = '\0';
	r->nvis = 0;
	r->cur = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (!contains_ci(r->text(r->ctx, i), needle, nlen))
			continue;
		if (i == keep)
			r->cur = r->nvis;
		r->vis[r->nvis++] = i;
	}
	r->top = 0;
}

void
rows_move(struct rows *r, long delta)
{
	long c = (long)r->cur + delta;

	if (r->nvis == 0) {
		r->cur = 0;
		return;
	}
	if (c < 0)
		c = 0;
	if ((size_t)c >= r->nvis)
		c = (long)r->nvis - 1;
	r->cur = (size_t)c;
}

void
rows_home(struct rows *r)
{
	r->cur = 0;
}

void
rows_end(struct rows *r)
{
	r->cur = r->nvis ? r->nvis - 1 : 0;
}

void
rows_scroll(struct rows *r, size_t height)
{
	if (height == 0)
		return;
	if (r->cur < r->top)
		r->top = r->cur;
	else if (r->cur >= r->top + height)
		r->top = r->cur - height + 1;
	if (r->nvis <= height)
		r->top = 0;
	else if (r->top > r->nvis - height)
		r->top = r->nvis - height;
}
