/* widget_progress.c - bar, spinner and counts. */
#include <langinfo.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "term.h"
#include "widget_progress.h"

int
wprog_percent(size_t done, size_t total)
{
	if (total == 0)
		return -1;
	if (done >= total)
		return 100;
	/* never 100 before the end; floor, without overflow for big counts */
	int pct = (int)((double)done / (double)total * 100.0);
	return pct > 99 ? 99 : pct;
}

char *
wprog_number(char *out, size_t outsz, size_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%zu", n);
	size_t o = 0;

	for (int i = 0; i < len && o + 1 < outsz; i++) {
		if (i > 0 && (len - i) % 3 == 0 && o + 2 < outsz)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	if (outsz > 0)
		out[o] = '\0';
	return out;
}

const char *
wprog_spinner(unsigned frame, int unicode)
{
	static const char *const braille[] = {
		"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8", "\xe2\xa0\xbc",
		"\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87", "\xe2\xa0\x8f",
	};
	static const char *const ascii[] = { "|", "/", "-", "\\" };

	return unicode ? braille[frame % 10] : ascii[frame % 4];
}

char *
wprog_bar(char *out, size_t outsz, size_t done, size_t total, int width,
    int unicode, unsigned frame)
{
	/* 1/8 .. 7/8 blocks */
	static const char *const part[] = {
		"", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d", "\xe2\x96\x8c",
		"\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89",
	};
	int pct = wprog_percent(done, total), inner, eighths, full, o = 0, used = 0;
	char num[32];

	if (outsz == 0)
		return out;
	out[0] = '\0';
	if (width <= 0)
		return out;
	if (pct < 0) {
		char tmp[96];
		snprintf(tmp, sizeof tmp, "%s %s done", wprog_spinner(frame, unicode),
		    wprog_number(num, sizeof num, done));
		return text_trunc(out, outsz, tmp, width);
	}
	inner = width - 7;	/* "[" "]" and " 100%" */
	if (inner < 1) {
		snprintf(out, outsz, "%*d%%", width - 1 > 0 ? width - 1 : 0, pct);
		return out;
	}
	eighths = total ? (int)((double)(done >= total ? total : done) / (double)total * inner * 8) : 0;
	full = eighths / 8;
	o += snprintf(out + o, outsz - (size_t)o, "[");
	for (; used < full && (size_t)o + 4 < outsz; used++)
		o += snprintf(out + o, outsz - (size_t)o, "%s", unicode ? "\xe2\x96\x88" : "#");
	if (used < inner && eighths % 8 && (size_t)o + 4 < outsz) {
		o += snprintf(out + o, outsz - (size_t)o, "%s", unicode ? part[eighths % 8] : (eighths % 8 >= 4 ? "=" : "-"));
		used++;
	}
	for (; used < inner && (size_t)o + 1 < outsz; used++)
		out[o++] = ' ';
	if ((size_t)o < outsz)
		snprintf(out + o, outsz - (size_t)o, "] %3d%%", pct);
	return out;
}

char *
wprog_counts(char *out, size_t outsz, const char *phase, size_t done,
    size_t total, unsigned applied, unsigned failed, unsigned skipped, const char *item)
{
	char a[32], b[32];
	size_t o = 0;

#define ADD(...) do { \
		if (o < outsz) { \
			int n_ = snprintf(out + o, outsz - o, __VA_ARGS__); \
			o += n_ > 0 ? (size_t)n_ : 0; \
		} \
	} while (0)
	if (outsz == 0)
		return out;
	out[0] = '\0';
	ADD("%s", phase && *phase ? phase : "Working");
	if (total > 0)
		ADD(": %s of %s", wprog_number(a, sizeof a, done), wprog_number(b, sizeof b, total));
	else if (done > 0)
		ADD(": %s", wprog_number(a, sizeof a, done));
	if (applied || failed || skipped)
		ADD(" \xc2\xb7 %u applied, %u failed, %u skipped", applied, failed, skipped);
	if (item && *item)
		ADD(" \xc2\xb7 %s", item);
#undef ADD
	return out;
}

void
wprog_draw(int y, int x, int w, const char *phase, size_t done, size_t total,
    unsigned applied, unsigned failed, unsigned skipped, const char *item, unsigned frame)
{
	char buf[1024];
	int unicode = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	wprog_counts(buf, sizeof buf, phase, done, total, applied, failed, skipped, item);
	text_put(y, x, buf, w, failed ? ROLE_WARN : ROLE_NORMAL);
	wprog_bar(buf, sizeof buf, done, total, w, unicode, frame);
	text_put(y + 1, x, buf, w, ROLE_OK);
}
