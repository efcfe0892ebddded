/* text.c - UTF-8 text in terminal columns: width, cut with "…", padding,
 * sanitising and a case-folding substring matcher.  No curses. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "base/text.h"
#include "base/util.h"

static int
is_control(wchar_t wc)
{
	return wc < 0x20 || wc == 0x7f || (wc >= 0x80 && wc < 0xa0);
}

static inline int
printable_ascii(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f;
}

size_t
text_next(const char *s, wchar_t *wc, int *w)
{
	mbstate_t st;
	size_t n;

	if (s == NULL || *s == '\0')
		return 0;
	if (printable_ascii(*s)) {
		/* most of what is shown: itself, one column, in any locale
		 * bobsync runs in (UTF-8 or an 8-bit one) */
		*wc = (wchar_t)*s;
		*w = 1;
		return 1;
	}
	memset(&st, 0, sizeof st);
	n = mbrtowc(wc, s, strnlen(s, MB_LEN_MAX), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		/* one bad byte; U+FFFD needs a UTF-8 locale to be shown */
		*wc = MB_CUR_MAX > 1 ? (wchar_t)TEXT_REPLACEMENT : L'?';
		*w = 1;
		return 1;
	}
	if (is_control(*wc)) {
		*wc = L'?';
		*w = 1;
		return n;
	}
	*w = wcwidth(*wc);
	if (*w < 0) {
		*wc = L'?';
		*w = 1;
	}
	return n;
}

int
text_width(const char *s)
{
	int total = 0;
	wchar_t wc;
	int w;
	size_t n;

	if (s == NULL)
		return 0;
	while (*s != '\0') {
		/* a run of printable ASCII at once */
		const char *r = s;
		while (printable_ascii(*r))
			r++;
		total += (int)(r - s);
		s = r;
		if ((n = text_next(s, &wc, &w)) == 0)
			break;
		total += w;
		s += n;
	}
	return total;
}

/* Append the shown form of one decoded character (n bytes at s). */
static size_t
put_char(char *out, size_t o, size_t outsz, const char *s, size_t n, wchar_t wc)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t m;

	if (wc == L'?' && *s != '?') {
		if (o + 1 >= outsz)
			return o;
		out[o++] = '?';
		return o;
	}
	if (wc == (wchar_t)TEXT_REPLACEMENT && n == 1 && (unsigned char)*s >= 0x80) {
		memset(&st, 0, sizeof st);
		m = wcrtomb(mb, wc, &st);
		if (m == (size_t)-1 || o + m >= outsz)
			return o;
		memcpy(out + o, mb, m);
		return o + m;
	}
	if (o + n >= outsz)
		return o;
	memcpy(out + o, s, n);
	return o + n;
}

/* Copy what fits in width columns; returns columns used.  *cut set when
 * the text did not fit (then a column is left for the ellipsis). */
static int
copy_cols(char *out, size_t outsz, size_t *po, const char *s, int width, int *cut)
{
	int used = 0, fits = text_width(s) <= width;
	int room = width - (fits ? 0 : 1);
	size_t o = *po, n;
	wchar_t wc;
	int w;

	*cut = !fits;
	while ((n = text_next(s, &wc, &w)) > 0) {
		size_t before = o;
		if (used + w > room)
			break;
		o = put_char(out, o, outsz, s, n, wc);
		if (o == before)
			break;		/* out is full */
		used += w;
		s += n;
	}
	/* combining marks after the last kept character stay with it */
	while ((n = text_next(s, &wc, &w)) > 0 && w == 0) {
		size_t before = o;
		o = put_char(out, o, outsz, s, n, wc);
		if (o == before)
			break;
		s += n;
	}
	if (!fits && width > 0 && o + 3 < outsz) {
		memcpy(out + o, TEXT_ELLIPSIS, 3);
		o += 3;
		used++;
	}
	*po = o;
	return used;
}

char *
text_trunc(char *out, size_t outsz, const char *s, int width)
{
	size_t o = 0;
	int cut;

	if (outsz == 0)
		return out;
	if (width > 0 && s != NULL)
		copy_cols(out, outsz, &o, s, width, &cut);
	out[o] = '\0';
	return out;
}

char *
text_fit(char *out, size_t outsz, const char *s, int width)
{
	size_t o = 0;
	int used = 0, cut;

	if (outsz == 0)
		return out;
	if (width > 0 && s != NULL)
		used = copy_cols(out, outsz, &o, s, width, &cut);
	for (; used < width && o + 1 < outsz; used++)
		out[o++] = ' ';
	out[o] = '\0';
	return out;
}

char *
text_fit_right(char *out, size_t outsz, const char *s, int width)
{
	char tmp[1024];
	int pad;
	size_t o = 0, len;

	if (outsz == 0)
		return out;
	text_trunc(tmp, sizeof tmp, s, width);
	pad = width - text_width(tmp);
	for (; pad > 0 && o + 1 < outsz; pad--)
		out[o++] = ' ';
	len = strlen(tmp);
	if (o + len >= outsz)
		len = outsz - o - 1;
	memcpy(out + o, tmp, len);
	out[o + len] = '\0';
	return out;
}

char *
text_sanitize(const char *s)
{
	size_t cap, o = 0, n;
	char *out;
	wchar_t wc;
	int w;

	if (s == NULL)
		return xstrdup("");
	cap = strlen(s) * 3 + 1;	/* a bad byte grows to 3 */
	out = xmalloc(cap);
	while ((n = text_next(s, &wc, &w)) > 0) {
		o = put_char(out, o, cap, s, n, wc);
		s += n;
	}
	out[o] = '\0';
	return out;
}

size_t
text_prefix_bytes(const char *s, int cols)
{
	size_t total = 0, n;
	int used = 0;
	wchar_t wc;
	int w;

	while ((n = text_next(s + total, &wc, &w)) > 0 && used + w <= cols) {
		used += w;
		total += n;
	}
	return total;
}

size_t
text_pop_char(char *s)
{
	size_t len = strlen(s), i = len;

	if (len == 0)
		return 0;
	i--;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80 && len - i < 4)
		i--;
	s[i] = '\0';
	return len - i;
}

/* ---- matcher ---- */

/* Decode one UTF-8 sequence by hand (faster than mbrtowc per row); a bad
 * byte is U+FFFD.  Returns bytes used. */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned c = s[0];
	size_t n, i;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else {
		*cp = TEXT_REPLACEMENT;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = TEXT_REPLACEMENT;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*cp = TEXT_REPLACEMENT;
		return 1;
	}
	*cp = v;
	return n;
}

static uint32_t
fold(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
	return (uint32_t)towlower((wint_t)cp);
}

void
text_matcher_init(struct text_matcher *m, const char *needle)
{
	const unsigned char *p = (const unsigned char *)(needle ? needle : "");

	m->n = 0;
	while (*p && m->n < TEXT_NEEDLE_MAX) {
		uint32_t cp;
		p += utf8_decode(p, &cp);
		m->needle[m->n++] = fold(cp);
	}
}

int
text_matcher_test(const struct text_matcher *m, const char *hay)
{
	uint32_t local[512], *buf = local;
	const unsigned char *p = (const unsigned char *)hay;
	size_t len, n = 0, i, j;
	int found = 0;

	if (m->n == 0)
		return 1;
	if (hay == NULL)
		return 0;
	len = strlen(hay);
	if (len < m->n)
		return 0;
	if (len > sizeof local / sizeof local[0])
		buf = xreallocarray(NULL, len, sizeof *buf);
	while (*p) {
		uint32_t cp;
		p += utf8_decode(p, &cp);
		buf[n++] = fold(cp);
	}
	for (i = 0; i + m->n <= n && !found; i++) {
		if (buf[i] != m->needle[0])
			continue;
		for (j = 1; j < m->n && buf[i + j] == m->needle[j]; j++)
			;
		found = j == m->n;
	}
	if (buf != local)
		free(buf);
	return found;
}

int
text_casecmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	while (*p && *q) {
		uint32_t x, y;
		p += utf8_decode(p, &x);
		q += utf8_decode(q, &y);
		x = fold(x);
		y = fold(y);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return (*p != 0) - (*q != 0);
}

char *
text_fold(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = xmalloc(strlen((const char *)p) * 4 + 1), *o = out;

	while (*p) {
		uint32_t cp;
		p += utf8_decode(p, &cp);
		cp = fold(cp);
		if (cp < 0x80) {
			*o++ = (char)cp;
		} else if (cp < 0x800) {
			*o++ = (char)(0xc0 | (cp >> 6));
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			*o++ = (char)(0xe0 | (cp >> 12));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*o++ = (char)(0xf0 | (cp >> 18));
			*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	*o = '\0';
	return out;
}

size_t
text_wrap(const char *s, int width, size_t *start, size_t *len, size_t max)
{
	size_t n = 0, pos = 0;

	if (s == NULL || width <= 0)
		return 0;
	while (s[pos] != '\0' && n < max) {
		size_t end = pos, brk = 0, after = 0, k;
		int used = 0, have_brk = 0;
		wchar_t wc;
		int w;

		while (s[end] != '\0' && s[end] != '\n') {
			k = text_next(s + end, &wc, &w);
			if (used + w > width)
				break;
			if (s[end] == ' ') {
				brk = end;	/* break before this space */
				after = end + 1;
				have_brk = 1;
			}
			used += w;
			end += k;
		}
		if (s[end] == '\0' || s[end] == '\n') {
			start[n] = pos;
			len[n++] = end - pos;
			pos = s[end] == '\n' ? end + 1 : end;
			continue;
		}
		if (s[end] == ' ') {	/* the line ends exactly at a space */
			brk = end;
			after = end + 1;
			have_brk = 1;
		}
		if (have_brk && brk > pos) {
			start[n] = pos;
			len[n++] = brk - pos;
			pos = after;
		} else {
			if (end == pos)	/* a character wider than the line */
				end += text_next(s + end, &wc, &w);
			start[n] = pos;
			len[n++] = end - pos;
			pos = end;
		}
		while (s[pos] == ' ')
			pos++;
	}
	return n;
}

char *
text_wrap_join(const char *s, int width, char *out, size_t sz)
{
	size_t o = 0, starts[64], lens[64];

	if (sz == 0)
		return out;
	out[0] = '\0';
	if (width < 1)
		width = 1;
	while (s != NULL && *s != '\0' && o + 1 < sz) {
		const char *nl = strchr(s, '\n');
		size_t plen = nl ? (size_t)(nl - s) : strlen(s), n;
		char *para = xstrndup(s, plen);
		n = text_wrap(para, width, starts, lens, 64);
		for (size_t i = 0; i < n && o + 1 < sz; i++)
			o += (size_t)snprintf(out + o, sz - o, "%s%.*s", o ? "\n" : "", (int)lens[i],
			    para + starts[i]);
		if (n == 0 && o + 1 < sz)
			o += (size_t)snprintf(out + o, sz - o, "\n");
		free(para);
		s = nl ? nl + 1 : s + plen;
	}
	if (o >= sz)
		out[sz - 1] = '\0';
	return out;
}
