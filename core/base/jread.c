/* jread.c - a light JSON reader: one value into a flat array of nodes. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/jread.h"
#include "base/util.h"

struct jp {
	struct jdoc *d;
	const char *start, *p, *end;
	const char *bb;		/* see skip_plain_block */
	uint64_t bm;
};

static int
fail(struct jp *j, const char *msg)
{
	snprintf(j->d->err, sizeof j->d->err, "%s", msg);
	j->d->err_off = (size_t)(j->p - j->start);
	return -1;
}

/* p past any white space (before end). */
static inline const char *
ws(const char *p, const char *end)
{
	/* most answers have no white space between tokens: one test then */
	if (p < end && (unsigned char)*p > ' ')
		return p;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

static inline void
skip_ws(struct jp *j)
{
	j->p = ws(j->p, j->end);
}

static inline size_t
new_node(struct jdoc *d, unsigned char type)
{
	struct jnode *n;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
	}
	/* every field set, without a memset of the node first */
	n = &d->v[d->n];
	n->key = NULL;
	n->klen = 0;
	n->s = NULL;
	n->slen = 0;
	n->end = d->n + 1;
	n->num.i = 0;
	n->khash = 0;
	n->type = type;
	n->escaped = 0;
	return d->n++;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p (bounds checked by the caller) -> code unit, or -1. */
static long
hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

size_t
jread_utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;	/* continuation byte or overlong 2-byte lead */
	if (c < 0xE0) {
		n = 2;
		cp = c & 0x1F;
	} else if (c < 0xF0) {
		n = 3;
		cp = c & 0x0F;
	} else if (c < 0xF5) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
		return 0;
	if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))
		return 0;
	return n;
}

int
jread_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = jread_utf8_len(p + i, p + len);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

/* Bytes a string may hold as they are: printable ASCII but '"' and '\\'. */
static const unsigned char plain[256] = {
	[0x20] = 1, [0x21] = 1, [0x23 ... 0x5B] = 1, [0x5D ... 0x7F] = 1,
};

/* The first byte at or after p (before end) that is not plain: a quote, a
 * backslash, a control byte or a non-ASCII byte; end when there is none.
 * With SSE2, 16 bytes at a time while 16 remain (never a load past end),
 * the rest one at a time. */
static inline const char *
skip_plain(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
	    space = _mm_set1_epi8(' ');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* signed: below ' ' is a control byte or one of 0x80-0xFF */
		__m128i stop = _mm_or_si128(_mm_cmplt_epi8(v, space),
		    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
		unsigned mask = (unsigned)_mm_movemask_epi8(stop);

		if (mask != 0)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#endif
	while (p < end && plain[(unsigned char)*p])
		p++;
	return p;
}

/* The rest of a string that starts at `start` and is plain up to p: its
 * escapes, non-ASCII sequences and errors. */
static __attribute__((noinline)) int
scan_string_rest(struct jp *j, const char *start, const char *p, const char **s,
    size_t *slen, unsigned char *escaped)
{
	const char *end = j->end;

	*escaped = 0;
	*s = start;
	for (;;) {
		unsigned char c;

		p = skip_plain(p, end);
		if (p >= end) {
			j->p = p;
			return fail(j, "premature end of input in a string");
		}
		c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c == '\\') {
			*escaped |= 1;
			if (end - p < 2) {
				j->p = p;
				return fail(j, "premature end of input in an escape");
			}
			if (strchr("\"\\/bfnrt", p[1]) != NULL && p[1] != '\0') {
				p += 2;
				continue;
			}
			if (p[1] != 'u') {
				j->p = p;
				return fail(j, "invalid escape");
			}
			{
				long cp = end - p >= 6 ? hex4(p + 2) : -1;
				if (cp < 0) {
					j->p = p;
					return fail(j, "invalid \\u escape");
				}
				/* \u0000 and lone surrogates cannot be text: they
				 * decode to U+FFFD and the string is marked damaged
				 * (JREAD_DAMAGED), so one bad record can be held
				 * instead of failing the whole answer */
				if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
					*escaped |= JREAD_DAMAGED;
				} else if (cp >= 0xD800 && cp <= 0xDBFF) {
					long lo = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ?
					    hex4(p + 8) : -1;
					if (lo < 0xDC00 || lo > 0xDFFF)
						*escaped |= JREAD_DAMAGED;
					else
						p += 6;
				}
				p += 6;
			}
			continue;
		}
		if (c < 0x20) {
			j->p = p;
			return fail(j, "control character in a string");
		}
		/* a 2-byte sequence (Latin, Greek, Cyrillic...): inline */
		if (c >= 0xC2 && c < 0xE0 && end - p >= 2 && ((unsigned char)p[1] & 0xC0) == 0x80) {
			p += 2;
			continue;
		}
		{
			size_t n = jread_utf8_len((const unsigned char *)p, (const unsigned char *)end);
			if (n == 0) {
				j->p = p;
				return fail(j, "invalid UTF-8 in a string");
			}
			p += n;
		}
	}
	*slen = (size_t)(p - *s);
	j->p = p + 1;
	return 0;
}

#ifdef __SSE2__
/* Bit i set when p[i] is not plain, for the 64 bytes at p. */
static inline uint64_t
block_mask(const char *p)
{
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
	    space = _mm_set1_epi8(' ');
	uint64_t m = 0;

	for (int i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		__m128i stop = _mm_or_si128(_mm_cmplt_epi8(v, space),
		    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
		m |= (uint64_t)(unsigned)_mm_movemask_epi8(stop) << (16 * i);
	}
	return m;
}
#endif

/* skip_plain, with the stops of the 64 bytes at *bb kept in *bm from one
 * string to the next (a person's strings are short: several share a
 * block), so finding the end of a string costs a shift and a count, not
 * loads and compares on the path every byte waits on.  *bb starts NULL;
 * the last < 64 bytes of the text go through skip_plain. */
static inline const char *
skip_plain_block(const char *p, const char *end, const char **bb, uint64_t *bm)
{
#ifdef __SSE2__
	for (;;) {
		uintptr_t o = (uintptr_t)p - (uintptr_t)*bb;

		if (o < 64) {
			uint64_t m = *bm >> o;
			if (m != 0)
				return p + __builtin_ctzll(m);
			p = *bb + 64;
		}
		if (end - p < 64)
			return skip_plain(p, end);
		*bb = p;
		*bm = block_mask(p);
	}
#else
	(void)bb;
	(void)bm;
	return skip_plain(p, end);
#endif
}

/* A string; j->p at the opening quote.  Sets the raw span between the
 * quotes and whether it holds escapes; j->p after the closing quote. */
static inline int
scan_string(struct jp *j, const char **s, size_t *slen, unsigned char *escaped)
{
	const char *p = j->p + 1, *q = skip_plain(p, j->end);

	if (q < j->end && *q == '"') {
		/* plain ASCII to the closing quote: most strings */
		*s = p;
		*slen = (size_t)(q - p);
		*escaped = 0;
		j->p = q + 1;
		return 0;
	}
	return scan_string_rest(j, p, q, s, slen, escaped);
}

/* Decode the escapes of raw[0..len) into out (at least len bytes); returns
 * the decoded length.  The text was validated by scan_string. */
static size_t
decode(const char *raw, size_t len, char *out)
{
	const char *p = raw, *end = raw + len;
	char *o = out;

	while (p < end) {
		unsigned long cp;

		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		switch (p[1]) {
		case 'b': *o++ = '\b'; p += 2; continue;
		case 'f': *o++ = '\f'; p += 2; continue;
		case 'n': *o++ = '\n'; p += 2; continue;
		case 'r': *o++ = '\r'; p += 2; continue;
		case 't': *o++ = '\t'; p += 2; continue;
		case 'u': break;
		default: *o++ = p[1]; p += 2; continue;
		}
		cp = (unsigned long)hex4(p + 2);
		p += 6;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			long lo = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
				p += 6;
			} else {
				cp = 0xFFFD;	/* a high surrogate alone */
			}
		} else if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
			cp = 0xFFFD;
		}
		if (cp < 0x80) {
			*o++ = (char)cp;
		} else if (cp < 0x800) {
			*o++ = (char)(0xC0 | (cp >> 6));
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			*o++ = (char)(0xE0 | (cp >> 12));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*o++ = (char)(0xF0 | (cp >> 18));
			*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	return (size_t)(o - out);
}

/* A cheap tag to tell member names apart before comparing them: the
 * length and the first, second and last bytes. */
static uint32_t
hash_key(const char *k, size_t n)
{
	if (n == 0)
		return 0;
	return (uint32_t)(n & 0xff) | (uint32_t)(unsigned char)k[0] << 8 |
	    (uint32_t)(unsigned char)k[n > 1] << 16 | (uint32_t)(unsigned char)k[n - 1] << 24;
}

static int
is_digit(const struct jp *j)
{
	return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

/* The number s..end (valid grammar) without strtoll or strtod when that
 * gives the very value they would: an integer of at most 18 digits (it
 * cannot overflow), a real whose digits, leading zeros left out, are at
 * most 15 (below 2^53: exact as a double) and whose power of ten is at
 * most 22 either way (exact too), so one multiplication or division,
 * rounded once, is the correctly rounded value strtod gives.  Time-off
 * answers carry several numbers an item.  0 when not taken. */
static int
exact_number(const char *s, const char *end, int real, struct jnode *n)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *p = s;
	int neg = 0, digits = 0, frac = 0, e = 0, eneg = 0, edigits = 0;
	unsigned long long m = 0;
	double v;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (m == 0 && *p == '0')
			continue;	/* a leading zero counts for nothing */
		if (++digits > (real ? 15 : 18))
			return 0;
		m = m * 10 + (unsigned)(*p - '0');
	}
	if (!real) {
		n->type = JT_INT;
		n->num.i = neg ? -(long long)m : (long long)m;
		return 1;
	}
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, frac++) {
			if (m == 0 && *p == '0')
				continue;
			if (++digits > 15)
				return 0;
			m = m * 10 + (unsigned)(*p - '0');
		}
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (++edigits > 3)
				return 0;
			e = e * 10 + (*p - '0');
		}
	}
	e = (eneg ? -e : e) - frac;
	if (e > 22 || e < -22)
		return 0;
	v = e >= 0 ? (double)m * p10[e] : (double)m / p10[-e];
	n->type = JT_REAL;
	n->num.r = neg ? -v : v;
	return 1;
}

/* A number, as Jansson's lexer reads it: integers must fit a long long,
 * reals must be finite. */
static int
scan_number(struct jp *j, size_t idx)
{
	const char *s = j->p;
	int real = 0;
	char small[64], *buf;
	size_t n;
	char *endp;

	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0') {
		j->p++;
		if (is_digit(j))
			return fail(j, "invalid number: leading zero");
	} else if (is_digit(j)) {
		while (is_digit(j))
			j->p++;
	} else {
		return fail(j, "invalid number");
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!is_digit(j))
			return fail(j, "invalid number: no digit after the point");
		while (is_digit(j))
			j->p++;
		real = 1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!is_digit(j))
			return fail(j, "invalid number: no exponent digits");
		while (is_digit(j))
			j->p++;
		real = 1;
	}
	if (exact_number(s, j->p, real, &j->d->v[idx]))
		return 0;
	n = (size_t)(j->p - s);
	buf = n < sizeof small ? small : xmalloc(n + 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	if (!real) {
		long long v = strtoll(buf, &endp, 10);
		if (buf != small)
			free(buf);
		if (errno == ERANGE)
			return fail(j, "too big integer");
		j->d->v[idx].type = JT_INT;
		j->d->v[idx].num.i = v;
		return 0;
	}
	{
		/* strtod reads the locale's decimal point (main sets LC_ALL) */
		const char *dp = localeconv()->decimal_point;
		char *dot = strchr(buf, '.');
		double v;
		char *loc = buf;

		if (dot != NULL && dp != NULL && strcmp(dp, ".") != 0) {
			size_t dl = strlen(dp);
			loc = xmalloc(n + dl + 1);
			memcpy(loc, buf, (size_t)(dot - buf));
			memcpy(loc + (dot - buf), dp, dl);
			strcpy(loc + (dot - buf) + dl, dot + 1);
		}
		errno = 0;
		v = strtod(loc, &endp);
		if (loc != buf)
			free(loc);
		if (buf != small)
			free(buf);
		if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
			return fail(j, "real number overflow");
		j->d->v[idx].type = JT_REAL;
		j->d->v[idx].num.r = v;
	}
	return 0;
}

static int
literal(struct jp *j, const char *word, unsigned char type)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return fail(j, "invalid token");
	j->p += n;
	new_node(j->d, type);
	return 0;
}

static int parse_value(struct jp *j, int depth);

/* A string value at j->p: its node, a member named key when key != NULL. */
static inline int
string_node(struct jp *j, const char *key, size_t klen, uint32_t h)
{
	const char *s;
	size_t slen, idx;
	unsigned char esc;
	struct jnode *n;

	if (scan_string(j, &s, &slen, &esc) < 0)
		return -1;
	idx = new_node(j->d, JT_STRING);
	n = &j->d->v[idx];
	n->key = key;
	n->klen = klen;
	n->khash = h;
	n->s = s;
	n->slen = slen;
	n->escaped = esc;
	j->d->damaged += (esc & JREAD_DAMAGED) != 0;
	return 0;
}

/* An object member name: raw span, decoded when it holds escapes. */
static int
member_name(struct jp *j, const char **key, size_t *klen)
{
	struct jdoc *d = j->d;
	const char *raw;
	size_t rlen;
	unsigned char esc;
	char *dec;

	if (j->p >= j->end || *j->p != '"')
		return fail(j, "string or '}' expected");
	if (scan_string(j, &raw, &rlen, &esc) < 0)
		return -1;
	if (!esc) {
		*key = raw;
		*klen = rlen;
		return 0;
	}
	dec = xmalloc(rlen + 1);
	*klen = decode(raw, rlen, dec);
	if (d->nkeys == d->keycap) {
		d->keycap = d->keycap ? d->keycap * 2 : 8;
		d->keys = xreallocarray(d->keys, d->keycap, sizeof *d->keys);
	}
	d->keys[d->nkeys++] = dec;
	*key = dec;
	return 0;
}

/* Whether the n bytes at a and b are the same: member names are short,
 * so up to 16 bytes with two overlapping loads of each, never a byte past
 * n, instead of a call of memcmp. */
static inline int
same_name(const char *a, const char *b, size_t n)
{
	uint64_t x, y, u, v;
	uint32_t x4, y4, u4, v4;

	if (n > 16)
		return memcmp(a, b, n) == 0;
	if (n >= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&u, a + n - 8, 8);
		memcpy(&v, b + n - 8, 8);
		return ((x ^ y) | (u ^ v)) == 0;
	}
	if (n >= 4) {
		memcpy(&x4, a, 4);
		memcpy(&y4, b, 4);
		memcpy(&u4, a + n - 4, 4);
		memcpy(&v4, b + n - 4, 4);
		return ((x4 ^ y4) | (u4 ^ v4)) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Members compared with the earlier ones up to this many: a 64-bit filter
 * of their tags says when a name may have come before, and only then are
 * the tags compared one by one (a person's object has some 25 members:
 * that is a few compares, not a table).  An object with more gets a table
 * of its member names (open addressing, linear probing, at most 3/4 full)
 * on the scratch stack d->tab, so a member costs O(1), not O(members).
 * Nested objects push their tables above it and pop them when they end:
 * an object's table is always at the top when it takes its next member.
 * With d->index, an object of more than JREAD_INDEX_MIN members that has
 * no table yet gets one when it ends, kept for jread_get. */
#define JREAD_LINEAR_MAX 32
#define JREAD_INDEX_MIN 8
#define JREAD_TAB_BITS 5

struct keytab {
	size_t base;		/* first slot in d->tab; bits 0 = no table yet */
	unsigned bits;
	uint64_t filter;	/* bit (tag's hash % 64) set for each tag seen */
	/* the first members' tags and node offsets, compared without a walk
	 * through the nodes */
	uint32_t tag[JREAD_LINEAR_MAX];
	uint32_t off[JREAD_LINEAR_MAX];
};

static inline size_t
slot_of(uint32_t h, unsigned bits)
{
	return (size_t)(((uint64_t)h * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

/* Slot of member name key in the table of object idx: the member when it
 * is there, else the empty slot where it goes. */
static struct jslot *
tab_find(struct jdoc *d, const struct keytab *t, size_t idx, const char *key, size_t klen,
    uint32_t h)
{
	size_t mask = ((size_t)1 << t->bits) - 1;
	struct jslot *tab = d->tab + t->base;

	for (size_t i = slot_of(h, t->bits);; i = (i + 1) & mask) {
		const struct jnode *m;

		if (tab[i].off == 0)
			return &tab[i];
		if (tab[i].khash != h)
			continue;
		m = &d->v[idx + tab[i].off];
		if (m->klen == klen && same_name(m->key, key, klen))
			return &tab[i];
	}
}

/* (Re)build the table of object idx with 2^bits slots from its members so
 * far (their names are distinct: each was checked when it came). */
static void
tab_build(struct jdoc *d, struct keytab *t, size_t idx, unsigned bits)
{
	size_t size = (size_t)1 << bits;

	/* a first table, or one that has kept nested objects' tables above
	 * it (d->index): at the top; else it grows where it is */
	if (t->bits == 0 || t->base + ((size_t)1 << t->bits) != d->ntab)
		t->base = d->ntab;
	if (t->base + size > d->tabcap) {
		size_t cap = d->tabcap ? d->tabcap : 256;
		while (cap < t->base + size)
			cap *= 2;
		d->tab = xreallocarray(d->tab, cap, sizeof *d->tab);
		d->tabcap = cap;
	}
	memset(d->tab + t->base, 0, size * sizeof *d->tab);
	d->ntab = t->base + size;
	t->bits = bits;
	for (size_t k = idx + 1; k < d->n; k = d->v[k].end) {
		const struct jnode *m = &d->v[k];
		struct jslot *sl = tab_find(d, t, idx, m->key, m->klen, m->khash);
		sl->off = k - idx;
		sl->khash = m->khash;
	}
}

/* The size (log 2) of a table that holds this many members at most 3/4
 * full, JREAD_TAB_BITS at least. */
static unsigned
tab_bits(size_t members)
{
	unsigned bits = JREAD_TAB_BITS;

	while (4 * members > 3 * ((size_t)1 << bits))
		bits++;
	return bits;
}

/* Whether key is already a member of object idx, which has `count`
 * members; when not, it is noted as the member to come at d->n. */
static int
seen_key(struct jdoc *d, struct keytab *t, size_t idx, size_t count, const char *key,
    size_t klen, uint32_t h)
{
	struct jslot *sl;

	if (t->bits == 0 && count < JREAD_LINEAR_MAX && d->n - idx <= UINT32_MAX) {
		uint64_t bit = (uint64_t)1 << ((h * 0x9E3779B1u) >> 26);
		if (t->filter & bit) {
			for (size_t i = 0; i < count; i++) {
				const struct jnode *m;
				if (t->tag[i] != h)
					continue;
				m = &d->v[idx + t->off[i]];
				if (m->klen == klen && same_name(m->key, key, klen))
					return 1;
			}
		}
		t->filter |= bit;
		t->tag[count] = h;
		t->off[count] = (uint32_t)(d->n - idx);
		return 0;
	}
	if (t->bits == 0)
		tab_build(d, t, idx, tab_bits(count + 1));
	else if (4 * (count + 1) > 3 * ((size_t)1 << t->bits))
		tab_build(d, t, idx, t->bits + 1);
	sl = tab_find(d, t, idx, key, klen, h);
	if (sl->off != 0)
		return 1;
	sl->off = d->n - idx;
	sl->khash = h;
	return 0;
}

/* {"value":"text"} or {"value":null} at p, with nothing else in it (no
 * white space, a string with no escape and nothing but printable ASCII),
 * as HiBob sends the flat form of each field, half of a person's members:
 * its two nodes made as parse_object would make them, and where it ends;
 * NULL, with no node made, for anything else (parse_object reads it). */
static inline const char *
value_object(struct jp *j, const char *p, const char *end, const char **bb, uint64_t *bm)
{
	struct jdoc *d = j->d;
	const char *v = p + 9, *q, *s = NULL;
	size_t n, slen = 0;
	unsigned char type, esc = 0;

	if (*v == '"') {
		q = skip_plain_block(v + 1, end, bb, bm);
		s = v + 1;
		if (q < end && *q == '"') {
			slen = (size_t)(q - s);
			q++;
		} else {
			/* escapes or UTF-8: read (and checked) as parse_object
			 * would; on a failure parse_object reads it again and
			 * fails the same */
			const char *keep = j->p;
			if (scan_string_rest(j, s, q, &s, &slen, &esc) < 0) {
				j->p = keep;
				return NULL;
			}
			q = j->p;
			j->p = keep;
		}
		type = JT_STRING;
	} else if (end - v >= 4 && memcmp(v, "null", 4) == 0) {
		q = v + 4;
		type = JT_NULL;
	} else {
		return NULL;
	}
	if (q >= end || *q != '}')
		return NULL;
	n = new_node(d, JT_OBJECT);
	d->v[n].end = n + 2;
	new_node(d, type);
	d->v[n + 1].key = p + 2;
	d->v[n + 1].klen = 5;
	d->v[n + 1].khash = hash_key(p + 2, 5);
	if (s != NULL) {
		d->v[n + 1].s = s;
		d->v[n + 1].slen = slen;
		d->v[n + 1].escaped = esc;
		d->damaged += (esc & JREAD_DAMAGED) != 0;
	}
	return q + 1;
}

/* An object.  The member loop keeps its place in a local pointer, written
 * back to j->p only around calls and failures: stored in *j, it would be
 * reloaded after every node written (the compiler cannot tell the nodes'
 * char pointers from it), on the path every byte of the text waits on. */
static int
parse_object(struct jp *j, int depth)
{
	struct jdoc *d = j->d;
	const char *p = j->p + 1, *end = j->end, *q, *bb = j->bb;
	uint64_t bm = j->bm;
	size_t idx = new_node(d, JT_OBJECT), count = 0;
	struct keytab t;

	t.base = 0;
	t.bits = 0;
	t.filter = 0;
	p = ws(p, end);
	if (p < end && *p == '}') {
		j->p = p + 1;
		return 0;
	}
	for (;;) {
		const char *key;
		size_t klen;
		uint32_t h;

		if (p >= end || *p != '"') {
			j->p = p;
			return fail(j, "string or '}' expected");
		}
		q = skip_plain_block(p + 1, end, &bb, &bm);
		if (q < end && *q == '"') {
			key = p + 1;
			klen = (size_t)(q - key);
			p = q + 1;
		} else {
			j->p = p;
			if (member_name(j, &key, &klen) < 0)
				return -1;
			p = j->p;
		}
		h = hash_key(key, klen);
		if (seen_key(d, &t, idx, count, key, klen, h)) {
			j->p = p;
			return fail(j, "duplicate object key");
		}
		count++;
		p = ws(p, end);
		if (p >= end || *p != ':') {
			j->p = p;
			return fail(j, "':' expected");
		}
		p = ws(p + 1, end);
		if (p < end && *p == '"') {
			/* most members hold a string: its node here */
			const char *sv;
			size_t slen, n;
			unsigned char esc = 0;
			struct jnode *nd;

			q = skip_plain_block(p + 1, end, &bb, &bm);
			if (q < end && *q == '"') {
				sv = p + 1;
				slen = (size_t)(q - sv);
				p = q + 1;
			} else {
				j->p = p;
				if (scan_string_rest(j, p + 1, q, &sv, &slen, &esc) < 0)
					return -1;
				p = j->p;
			}
			n = d->n;
			if (n == d->cap) {
				d->cap = d->cap ? d->cap * 2 : 64;
				d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
			}
			d->n = n + 1;
			nd = &d->v[n];
			nd->key = key;
			nd->klen = klen;
			nd->s = sv;
			nd->slen = slen;
			nd->end = n + 1;
			nd->num.i = 0;
			nd->khash = h;
			nd->type = JT_STRING;
			nd->escaped = esc;
			d->damaged += (esc & JREAD_DAMAGED) != 0;
		} else if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
			size_t n = new_node(d, JT_NULL);

			d->v[n].key = key;
			d->v[n].klen = klen;
			d->v[n].khash = h;
			p += 4;
		} else if (end - p >= 14 && *p == '{' && depth + 1 < JREAD_MAX_DEPTH &&
		    memcmp(p + 1, "\"value\":", 8) == 0 &&
		    (q = value_object(j, p, end, &bb, &bm)) != NULL) {
			size_t n = d->n - 2;	/* its two nodes, made there */

			d->v[n].key = key;
			d->v[n].klen = klen;
			d->v[n].khash = h;
			p = q;
		} else {
			size_t m = d->n;
			int r;

			j->p = p;
			j->bb = bb;
			j->bm = bm;
			/* an object straight away, not through parse_value's
			 * checks (which refuse one too deep) */
			if (p < end && *p == '{' && depth + 1 < JREAD_MAX_DEPTH)
				r = parse_object(j, depth + 1);
			else
				r = parse_value(j, depth + 1);
			if (r < 0)
				return -1;
			p = j->p;
			bb = j->bb;
			bm = j->bm;
			d->v[m].key = key;
			d->v[m].klen = klen;
			d->v[m].khash = h;
		}
		p = ws(p, end);
		if (p < end && *p == ',') {
			p = ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}') {
			p++;
			break;
		}
		j->p = p;
		return fail(j, "',' or '}' expected");
	}
	j->p = p;
	j->bb = bb;
	j->bm = bm;
	if (t.bits == 0 && d->index && count > JREAD_INDEX_MIN)
		tab_build(d, &t, idx, tab_bits(count));
	if (t.bits != 0 && d->index) {
		/* kept for jread_get */
		d->v[idx].slen = t.base;
		d->v[idx].escaped = (unsigned char)t.bits;
	} else if (t.bits != 0) {
		d->ntab = t.base;	/* pop this object's table */
	}
	d->v[idx].end = d->n;
	return 0;
}

static int
parse_array(struct jp *j, int depth)
{
	struct jdoc *d = j->d;
	size_t idx = new_node(d, JT_ARRAY);

	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		if (parse_value(j, depth + 1) < 0)
			return -1;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			break;
		}
		return fail(j, "',' or ']' expected");
	}
	d->v[idx].end = d->n;
	return 0;
}

static int
parse_value(struct jp *j, int depth)
{
	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, "premature end of input");
	switch (*j->p) {
	case '{':
	case '[':
		if (depth >= JREAD_MAX_DEPTH)
			return fail(j, "nested too deep");
		return *j->p == '{' ? parse_object(j, depth) : parse_array(j, depth);
	case '"':
		return string_node(j, NULL, 0, 0);
	case 't':
		return literal(j, "true", JT_TRUE);
	case 'f':
		return literal(j, "false", JT_FALSE);
	case 'n':
		return literal(j, "null", JT_NULL);
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return scan_number(j, new_node(j->d, JT_NULL));
		return fail(j, "invalid token");
	}
}

static void
reset(struct jdoc *d)
{
	for (size_t i = 0; i < d->nkeys; i++)
		free(d->keys[i]);
	d->nkeys = 0;
	d->n = 0;
	d->ntab = 0;
	d->damaged = 0;
	d->err[0] = '\0';
	d->err_off = 0;
}

int
jread_parse(struct jdoc *d, const char *text, size_t len, size_t *used)
{
	struct jp j = { d, text, text, text + len, NULL, 0 };

	reset(d);
	if (text == NULL) {
		snprintf(d->err, sizeof d->err, "no input");
		return -1;
	}
	if (parse_value(&j, 0) < 0) {
		d->n = 0;
		return -1;
	}
	if (used != NULL) {
		*used = (size_t)(j.p - text);
		return 0;
	}
	skip_ws(&j);
	if (j.p != j.end) {
		fail(&j, "end of input expected");
		d->n = 0;
		return -1;
	}
	return 0;
}

int
jread_parse_as_jansson(struct jdoc *d, const char *text)
{
	if (jread_parse(d, text, strlen(text), NULL) < 0)
		return -1;
	return d->damaged == 0 ? 0 : -1;
}

void
jread_clear(struct jdoc *d)
{
	if (d == NULL)
		return;
	reset(d);
	free(d->keys);
	free(d->tab);
	free(d->v);
	memset(d, 0, sizeof *d);
}

const struct jnode *
jread_root(const struct jdoc *d)
{
	return d != NULL && d->n > 0 ? &d->v[0] : NULL;
}

const struct jnode *
jread_get(const struct jdoc *d, const struct jnode *obj, const char *key, size_t klen)
{
	size_t i, end;
	uint32_t h;

	if (obj == NULL || obj->type != JT_OBJECT)
		return NULL;
	h = hash_key(key, klen);
	if (obj->escaped != 0) {
		/* its member-name table, kept (d->index) */
		size_t mask = ((size_t)1 << obj->escaped) - 1;
		const struct jslot *tab = d->tab + obj->slen;

		for (i = slot_of(h, obj->escaped);; i = (i + 1) & mask) {
			const struct jnode *m;

			if (tab[i].off == 0)
				return NULL;
			if (tab[i].khash != h)
				continue;
			m = obj + tab[i].off;
			if (m->klen == klen && same_name(m->key, key, klen))
				return m;
		}
	}
	end = obj->end;
	for (i = (size_t)(obj - d->v) + 1; i < end; i = d->v[i].end)
		if (d->v[i].khash == h && d->v[i].klen == klen &&
		    same_name(d->v[i].key, key, klen))
			return &d->v[i];
	return NULL;
}

char *
jread_strdup(const struct jnode *n)
{
	char *s;
	size_t len;

	if (n == NULL || n->type != JT_STRING)
		return NULL;
	s = xmalloc(n->slen + 1);
	len = n->escaped ? decode(n->s, n->slen, s) : n->slen;
	if (!n->escaped)
		memcpy(s, n->s, n->slen);
	s[len] = '\0';
	return s;
}

size_t
jread_decode(const struct jnode *n, char *out)
{
	size_t len;

	if (n == NULL || n->type != JT_STRING) {
		out[0] = '\0';
		return 0;
	}
	if (n->escaped) {
		len = decode(n->s, n->slen, out);
	} else {
		memcpy(out, n->s, n->slen);
		len = n->slen;
	}
	out[len] = '\0';
	return len;
}

size_t
jread_strlen(const struct jnode *n)
{
	char *s;
	size_t len;

	if (n == NULL || n->type != JT_STRING)
		return 0;
	if (!n->escaped)
		return n->slen;
	s = xmalloc(n->slen + 1);
	len = decode(n->s, n->slen, s);
	free(s);
	return len;
}

int
jread_str_eq(const struct jnode *n, const char *s)
{
	char *dec;
	int eq;

	if (n == NULL || n->type != JT_STRING || s == NULL)
		return 0;
	if (!n->escaped)
		return n->slen == strlen(s) && memcmp(n->s, s, n->slen) == 0;
	dec = jread_strdup(n);
	eq = strcmp(dec, s) == 0;
	free(dec);
	return eq;
}

/* ---- reading an answer while it arrives ---- */

enum {
	JS_START, JS_OBJ_FIRST, JS_KEY, JS_COLON, JS_VALUE, JS_OBJ_NEXT, JS_ARR_FIRST, JS_ELEM,
	JS_ARR_NEXT, JS_DONE, JS_FAILED
};

/* A string's \uXXXX\uXXXX is the longest token jread can find cut short. */
#define JS_TAIL 12

void
jstream_init(struct jstream *s, const char *key, size_t max_elem, jstream_fn fn, void *ctx)
{
	memset(s, 0, sizeof *s);
	s->doc.index = 1;
	s->key = key;
	s->klen = strlen(key);
	s->max_elem = max_elem;
	s->fn = fn;
	s->ctx = ctx;
}

void
jstream_reset(struct jstream *s)
{
	s->clen = s->tried = 0;
	s->off = 0;
	s->state = JS_START;
	s->bare = s->match = s->found = s->stopped = 0;
	s->hlen = 0;
	s->head_over = 0;
	s->err[0] = '\0';
}

void
jstream_clear(struct jstream *s)
{
	if (s == NULL)
		return;
	jread_clear(&s->doc);
	free(s->carry);
	free(s->head);
	memset(s, 0, sizeof *s);
}

static int
js_fail(struct jstream *s, unsigned long long at, const char *why)
{
	if (s->state != JS_FAILED)
		snprintf(s->err, sizeof s->err, "%s at byte %llu", why, at);
	s->state = JS_FAILED;
	return -1;
}

enum { JS_OK, JS_NEED, JS_ERR };

static int
js_too_long(struct jstream *s, unsigned long long at)
{
	char why[80];

	snprintf(why, sizeof why, "a value longer than %zu bytes", s->max_elem);
	js_fail(s, at, why);
	return JS_ERR;
}

/* The value at buf[i..len) into s->doc; *used its length. */
static int
js_value(struct jstream *s, const char *buf, size_t len, size_t i, int final, size_t *used)
{
	struct jdoc *d = &s->doc;
	size_t avail = len - i;

	if (jread_parse(d, buf + i, avail, used) == 0) {
		if (*used > s->max_elem)
			return js_too_long(s, s->off + i);
		/* a number may go on in the next piece */
		if (!final && *used == avail && (d->v[0].type == JT_INT || d->v[0].type == JT_REAL))
			return JS_NEED;
		return JS_OK;
	}
	if (!final && d->err_off + JS_TAIL >= avail) {
		if (avail > s->max_elem)
			return js_too_long(s, s->off + i);
		return JS_NEED;
	}
	js_fail(s, s->off + i + d->err_off, d->err);
	return JS_ERR;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Read buf[0..len) from the current state; returns how many bytes were
 * consumed (the rest is an unfinished token), or -1. */
static long long
js_process(struct jstream *s, const char *buf, size_t len, int final)
{
	size_t i = 0, used = 0;

	for (;;) {
		char ch;
		int r;

		while (i < len && is_ws(buf[i]))
			i++;
		if (i >= len)
			return (long long)i;
		ch = buf[i];
		switch (s->state) {
		case JS_START:
			if (ch == '[') {
				s->bare = s->found = 1;
				s->state = JS_ARR_FIRST;
			} else if (ch == '{') {
				s->state = JS_OBJ_FIRST;
			} else {
				return js_fail(s, s->off + i, "'{' or '[' expected");
			}
			i++;
			break;
		case JS_OBJ_FIRST:
			if (ch == '}') {
				s->state = JS_DONE;
				i++;
				break;
			}
			s->state = JS_KEY;
			/* FALLTHROUGH */
		case JS_KEY:
			if (ch != '"')
				return js_fail(s, s->off + i, "string or '}' expected");
			r = js_value(s, buf, len, i, final, &used);
			if (r == JS_NEED)
				return (long long)i;
			if (r == JS_ERR)
				return -1;
			s->match = jread_str_eq(&s->doc.v[0], s->key);
			if (s->match && s->found)
				return js_fail(s, s->off + i, "duplicate object key");
			i += used;
			s->state = JS_COLON;
			break;
		case JS_COLON:
			if (ch != ':')
				return js_fail(s, s->off + i, "':' expected");
			i++;
			s->state = JS_VALUE;
			break;
		case JS_VALUE:
			if (s->match) {
				if (ch != '[') {
					char why[96];
					snprintf(why, sizeof why, "\"%.40s\" is not a list", s->key);
					return js_fail(s, s->off + i, why);
				}
				s->found = 1;
				s->state = JS_ARR_FIRST;
				i++;
				break;
			}
			r = js_value(s, buf, len, i, final, &used);
			if (r == JS_NEED)
				return (long long)i;
			if (r == JS_ERR)
				return -1;
			i += used;
			s->state = JS_OBJ_NEXT;
			break;
		case JS_OBJ_NEXT:
			if (ch == ',')
				s->state = JS_KEY;
			else if (ch == '}')
				s->state = JS_DONE;
			else
				return js_fail(s, s->off + i, "',' or '}' expected");
			i++;
			break;
		case JS_ARR_FIRST:
			if (ch == ']') {
				s->state = s->bare ? JS_DONE : JS_OBJ_NEXT;
				i++;
				break;
			}
			s->state = JS_ELEM;
			/* FALLTHROUGH */
		case JS_ELEM:
			r = js_value(s, buf, len, i, final, &used);
			if (r == JS_NEED)
				return (long long)i;
			if (r == JS_ERR)
				return -1;
			if (s->fn(s->ctx, &s->doc, &s->doc.v[0]) < 0) {
				s->stopped = 1;
				return js_fail(s, s->off + i, "stopped by the reader");
			}
			i += used;
			s->state = JS_ARR_NEXT;
			break;
		case JS_ARR_NEXT:
			if (ch == ',')
				s->state = JS_ELEM;
			else if (ch == ']')
				s->state = s->bare ? JS_DONE : JS_OBJ_NEXT;
			else
				return js_fail(s, s->off + i, "',' or ']' expected");
			i++;
			break;
		case JS_DONE:
			return js_fail(s, s->off + i, "end of input expected");
		default:
			return -1;
		}
	}
}

static void
js_carry(struct jstream *s, const char *data, size_t len)
{
	if (len == 0)
		return;
	if (s->clen + len > s->ccap) {
		size_t cap = s->ccap ? s->ccap : 4096;
		while (cap < s->clen + len)
			cap *= 2;
		s->carry = xrealloc(s->carry, cap);
		s->ccap = cap;
	}
	memcpy(s->carry + s->clen, data, len);
	s->clen += len;
}

static void
js_head(struct jstream *s, const char *data, size_t len)
{
	if (!s->keep_head || s->found || s->head_over || len == 0)
		return;
	if (s->hlen + len > s->max_elem) {
		s->head_over = 1;
		return;
	}
	if (s->hlen + len + 1 > s->hcap) {
		size_t cap = s->hcap ? s->hcap : 4096;
		while (cap < s->hlen + len + 1)
			cap *= 2;
		s->head = xrealloc(s->head, cap);
		s->hcap = cap;
	}
	memcpy(s->head + s->hlen, data, len);
	s->hlen += len;
	s->head[s->hlen] = '\0';
}

int
jstream_feed(struct jstream *s, const char *data, size_t len)
{
	size_t off = 0;

	if (s->state == JS_FAILED)
		return -1;
	js_head(s, data, len);
	while (off < len) {
		long long c;
		size_t add, rest;

		if (s->clen == 0) {
			/* read in place; keep only the unfinished end */
			c = js_process(s, data + off, len - off, 0);
			if (c < 0)
				return -1;
			s->off += (unsigned long long)c;
			off += (size_t)c;
			js_carry(s, data + off, len - off);
			s->tried = len - off;
			return 0;
		}
		/* an element straddles the pieces: add to it, doubling, so a big
		 * one arriving in small pieces is not parsed again at each */
		add = s->clen < 4096 ? 4096 : s->clen;
		if (add > len - off)
			add = len - off;
		js_carry(s, data + off, add);
		off += add;
		if (s->clen < 2 * s->tried && s->clen - s->tried < 4096)
			continue;
		c = js_process(s, s->carry, s->clen, 0);
		if (c < 0)
			return -1;
		s->off += (unsigned long long)c;
		rest = s->clen - (size_t)c;
		if (rest <= add) {
			/* what is left came with this piece: read it in place */
			off -= rest;
			s->clen = 0;
		} else {
			memmove(s->carry, s->carry + c, rest);
			s->clen = rest;
			s->tried = rest;
		}
	}
	return 0;
}

int
jstream_finish(struct jstream *s)
{
	if (s->state == JS_FAILED)
		return -1;
	if (s->clen > 0) {
		long long c = js_process(s, s->carry, s->clen, 1);
		if (c < 0)
			return -1;
		s->off += (unsigned long long)c;
		s->clen = 0;
	}
	if (s->state != JS_DONE)
		return js_fail(s, s->off, "premature end of input");
	return 0;
}
