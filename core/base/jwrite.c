/* jwrite.c - JSON text written as it comes, laid out as Jansson does. */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jread.h"
#include "base/jwrite.h"

#define JW_FLUSH_AT 65536

static void
flush_some(struct jwriter *w)
{
	if (w->out == NULL || w->buf.len < JW_FLUSH_AT)
		return;
	if (fwrite(w->buf.buf, 1, w->buf.len, w->out) != w->buf.len)
		w->failed = 1;
	w->buf.len = 0;
	w->buf.buf[0] = '\0';
}

static inline void
put(struct jwriter *w, const char *s, size_t n)
{
	if (w->buf.len + n < w->buf.cap) {	/* room, and for the NUL */
		memcpy(w->buf.buf + w->buf.len, s, n);
		w->buf.len += n;
		w->buf.buf[w->buf.len] = '\0';
		return;
	}
	sb_append(&w->buf, s, n);
}

/* Bytes a JSON string holds as they are: printable ASCII but '"' and '\\'. */
static const unsigned char json_plain[256] = {
#define P16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* '"' */
	P16, P16,							/* 0x30, 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,			/* '\\' */
	P16,								/* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,			/* DEL */
#undef P16
};

/* The length of the run of such bytes s[0..n) starts with: a table for
 * short texts (most names and values), 16 bytes at a time for long ones. */
static inline size_t
plain_run(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (n >= 16)
		return str_ascii_run(s, n, '"', '\\');
	while (i < n && json_plain[p[i]])
		i++;
	return i;
}

/* Room for n more bytes and the NUL at the end of the text; the caller
 * writes them and moves buf.len. */
static char *
room(struct jwriter *w, size_t n)
{
	if (w->buf.len + n >= w->buf.cap) {
		size_t cap = w->buf.cap ? w->buf.cap : 64;
		while (cap <= w->buf.len + n)
			cap *= 2;
		w->buf.buf = xrealloc(w->buf.buf, cap);
		w->buf.cap = cap;
	}
	return w->buf.buf + w->buf.len;
}

/* The newline and indentation of depth d at o (none when compact);
 * returns the end. */
static char *
indent_at(const struct jwriter *w, char *o, int d)
{
	if (w->indent) {
		size_t n = (size_t)d * (size_t)w->indent;
		*o++ = '\n';
		memset(o, ' ', n);
		o += n;
	}
	return o;
}

/* Before a member or an element at depth d: the separator from the one
 * before it (*count says there was one) and its line, at o. */
static char *
sep_at(const struct jwriter *w, char *o, unsigned char *count, int d)
{
	if (*count)
		*o++ = ',';
	*count = 1;
	return indent_at(w, o, d);
}

/* The separator, newline and indentation before a member or an array
 * element of the current container, written at o; returns the end.
 * Needs 2 + depth * indent. */
static char *
lead_in(struct jwriter *w, char *o)
{
	return w->depth == 0 ? o : sep_at(w, o, &w->count[w->depth - 1], w->depth);
}

/* A quoted string that needs no escape, with what goes before it, in one
 * copy.  key: a member name, followed by its colon. */
static void
put_token(struct jwriter *w, const char *s, size_t len, int key)
{
	char *o = room(w, 2 + (size_t)w->depth * (size_t)w->indent + len + 4);

	if (key || !w->after_key)
		o = lead_in(w, o);
	w->after_key = key;
	*o++ = '"';
	memcpy(o, s, len);
	o += len;
	*o++ = '"';
	if (key) {
		*o++ = ':';
		if (w->indent)
			*o++ = ' ';
	}
	*o = '\0';
	w->buf.len = (size_t)(o - w->buf.buf);
}

/* put_token when s needs no escape (printable ASCII, no '"' or '\\');
 * 0, writing nothing, when it does. */
static int
put_plain(struct jwriter *w, const char *s, size_t len, int key)
{
	if (len > 256 || plain_run(s, len) != len ||
	    (size_t)w->depth > JW_MAX_DEPTH)
		return 0;
	put_token(w, s, len, key);
	return 1;
}

void
jw_init(struct jwriter *w, FILE *out, int indent)
{
	memset(w, 0, sizeof *w);
	sb_init(&w->buf, 0);
	w->out = out;
	w->indent = indent > 0 ? indent : 0;
}

/* A newline and the indentation of depth d (indented layout only). */
static void
newline(struct jwriter *w, int d)
{
	static const char line[] = "\n                                "
	    "                                ";
	size_t n;

	if (w->indent == 0)
		return;
	n = (size_t)d * (size_t)w->indent;
	if (n < sizeof line - 1) {
		put(w, line, n + 1);	/* the newline and the indentation at once */
		return;
	}
	put(w, line, 1);
	while (n > 0) {
		size_t k = n < sizeof line - 2 ? n : sizeof line - 2;
		put(w, line + 1, k);
		n -= k;
	}
}

/* Before a member or an element of the current container: the separator
 * from the one before it, and its line. */
static void
separate(struct jwriter *w)
{
	char *o = lead_in(w, room(w, 2 + (size_t)w->depth * (size_t)w->indent));

	*o = '\0';
	w->buf.len = (size_t)(o - w->buf.buf);
}

/* Before any value: the separator from the previous member of the
 * enclosing array (an object member's was written by jw_key). */
static void
before_value(struct jwriter *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	separate(w);
}

static void
open_container(struct jwriter *w, char c)
{
	before_value(w);
	put(w, &c, 1);
	if (w->depth < JW_MAX_DEPTH)
		w->count[w->depth] = 0;
	w->depth++;
}

static void
close_container(struct jwriter *w, char c)
{
	if (w->depth == 0)
		return;
	w->depth--;
	if (w->depth < JW_MAX_DEPTH && w->count[w->depth])
		newline(w, w->depth);
	put(w, &c, 1);
	flush_some(w);
}

void
jw_object_begin(struct jwriter *w)
{
	open_container(w, '{');
}

void
jw_object_end(struct jwriter *w)
{
	close_container(w, '}');
}

void
jw_array_begin(struct jwriter *w)
{
	open_container(w, '[');
}

void
jw_array_end(struct jwriter *w)
{
	close_container(w, ']');
}

/* The quoted, escaped text of s[0..len) (valid UTF-8), written straight
 * into room for the longest it can be (six bytes a byte, \u00XX): a text
 * of many quotes (the time-off fingerprints, {"d":...}) was two copies and
 * a new search for each quote. */
static void
put_string(struct jwriter *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *p = s, *end = s + len;
	char *o;

	if (len > (SIZE_MAX - 3) / 6)
		abort();	/* no text in memory is that long */
	o = room(w, 2 + 6 * len);
	*o++ = '"';
	while (p < end) {
		size_t k = plain_run(p, (size_t)(end - p));
		unsigned char c;

		memcpy(o, p, k);
		o += k;
		p += k;
		if (p == end)
			break;
		c = (unsigned char)*p++;
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;	/* DEL and UTF-8: as they are */
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			break;
		}
	}
	*o++ = '"';
	*o = '\0';
	w->buf.len = (size_t)(o - w->buf.buf);
}

void
jw_keyn(struct jwriter *w, const char *key, size_t len)
{
	if (put_plain(w, key, len, 1))
		return;
	separate(w);
	put_string(w, key, jread_utf8_valid(key, len) ? len : 0);
	put(w, w->indent ? ": " : ":", w->indent ? 2 : 1);
	w->after_key = 1;
}

void
jw_key(struct jwriter *w, const char *key)
{
	jw_keyn(w, key, strlen(key));
}

/* plain_run, with whole UTF-8 sequences counted in (a name like "Zoë"
 * needs no escape either: put_string writes UTF-8 as it is). */
static size_t
utf8_plain_run(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	for (;;) {
		size_t k;
		i += plain_run(s + i, n - i);
		if (i == n || p[i] < 0x80)
			return i;
		k = jread_utf8_len(p + i, p + n);
		if (k == 0)
			return i;
		i += k;
	}
}

void
jw_member_string(struct jwriter *w, const char *key, size_t klen, const char *s, size_t slen)
{
	char *o;

	if (s == NULL)
		slen = 0;
	if (klen > 256 || slen > 256 || (size_t)w->depth > JW_MAX_DEPTH ||
	    plain_run(key, klen) != klen || (s != NULL && utf8_plain_run(s, slen) != slen)) {
		jw_keyn(w, key, klen);
		jw_string(w, s);
		return;
	}
	/* both need no escape: the member, its separator and its line in one
	 * copy (what jw_keyn and jw_string write, without the steps between) */
	o = lead_in(w, room(w, 2 + (size_t)w->depth * (size_t)w->indent + klen + slen + 8));
	*o++ = '"';
	memcpy(o, key, klen);
	o += klen;
	*o++ = '"';
	*o++ = ':';
	if (w->indent)
		*o++ = ' ';
	if (s == NULL) {
		memcpy(o, "null", 4);
		o += 4;
	} else {
		*o++ = '"';
		memcpy(o, s, slen);
		o += slen;
		*o++ = '"';
	}
	*o = '\0';
	w->buf.len = (size_t)(o - w->buf.buf);
	w->after_key = 0;
}

void
jw_null(struct jwriter *w)
{
	before_value(w);
	put(w, "null", 4);
}

/* Length of a NUL-terminated string in one pass, or -1 when it is not
 * valid UTF-8. */
static ptrdiff_t
utf8_strlen(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (;;) {
		size_t n;
		while (*p != 0 && *p < 0x80)
			p++;
		if (*p == 0)
			return (ptrdiff_t)(p - (const unsigned char *)s);
		n = jread_utf8_len(p, p + 4);	/* a NUL inside stops it as invalid */
		if (n == 0)
			return -1;
		p += n;
	}
}

void
jw_string(struct jwriter *w, const char *s)
{
	ptrdiff_t len;

	if (s != NULL && put_plain(w, s, strlen(s), 0))
		return;
	len = s != NULL ? utf8_strlen(s) : -1;

	if (len < 0) {
		jw_null(w);
		return;
	}
	before_value(w);
	put_string(w, s, (size_t)len);
}

void
jw_int(struct jwriter *w, long long v)
{
	char b[24];
	size_t n = sizeof b;
	/* the magnitude as unsigned: LLONG_MIN has none as a long long */
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	/* "%lld" without printf, from the last digit back (a time-off
	 * preview writes 230,000 of them) */
	do {
		b[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		b[--n] = '-';
	before_value(w);
	put(w, b + n, sizeof b - n);
}

size_t
jw_real_text(double v, char out[32])
{
	const char *dp;
	size_t len;
	char *e;

	if (v > -1e15 && v < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v))) {
		/* a whole number (most amounts): "%.17g" gives its digits, and
		 * ".0" follows, with no printf */
		char digits[24];
		unsigned long long u = v < 0 ? (unsigned long long)-(long long)v :
		    (unsigned long long)v;
		size_t n = 0;
		do {
			digits[n++] = (char)('0' + u % 10);
			u /= 10;
		} while (u != 0);
		len = 0;
		if (v < 0)
			out[len++] = '-';
		while (n > 0)
			out[len++] = digits[--n];
		memcpy(out + len, ".0", 3);
		return len + 2;
	}
	dp = localeconv()->decimal_point;
	snprintf(out, 32, "%.17g", v);
	/* back from the locale's decimal point */
	if (dp != NULL && strcmp(dp, ".") != 0) {
		char *at = strstr(out, dp);
		if (at != NULL) {
			size_t dl = strlen(dp);
			*at = '.';
			memmove(at + 1, at + dl, strlen(at + dl) + 1);
		}
	}
	len = strlen(out);
	if (strchr(out, '.') == NULL && strchr(out, 'e') == NULL) {
		memcpy(out + len, ".0", 3);
		len += 2;
	}
	/* no '+' and no leading zeros in the exponent */
	e = strchr(out, 'e');
	if (e != NULL) {
		char *start = e + 1, *end = e + 2;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, len - (size_t)(end - out) + 1);
			len -= (size_t)(end - start);
		}
	}
	return len;
}

void
jw_real(struct jwriter *w, double v)
{
	char b[32];
	size_t n;

	if (!isfinite(v)) {	/* json_real refuses them */
		jw_null(w);
		return;
	}
	n = jw_real_text(v, b);
	before_value(w);
	put(w, b, n);
}

void
jw_bool(struct jwriter *w, int v)
{
	before_value(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

struct member {
	const char *key;
	size_t klen;
	const void *v;
};

static int
member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

void
jw_value(struct jwriter *w, const json_t *v, int sort_keys)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), k = 0;
		struct member *m = xcalloc(n + 1, sizeof *m);
		const char *key;
		json_t *x;
		json_object_foreach((json_t *)v, key, x) {
			m[k].key = key;
			m[k].klen = strlen(key);
			m[k++].v = x;
		}
		if (sort_keys && k > 1)
			qsort(m, k, sizeof *m, member_cmp);
		jw_object_begin(w);
		for (size_t i = 0; i < k; i++) {
			jw_keyn(w, m[i].key, m[i].klen);
			jw_value(w, m[i].v, sort_keys);
		}
		jw_object_end(w);
		free(m);
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		jw_array_begin(w);
		json_array_foreach((json_t *)v, i, x)
			jw_value(w, x, sort_keys);
		jw_array_end(w);
		break;
	}
	case JSON_STRING:
		before_value(w);
		put_string(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jw_int(w, (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		jw_real(w, json_real_value(v));
		break;
	case JSON_TRUE:
		jw_bool(w, 1);
		break;
	case JSON_FALSE:
		jw_bool(w, 0);
		break;
	default:
		jw_null(w);
		break;
	}
}

static void
write_node(struct jwriter *w, const struct jdoc *d, const struct jnode *n, int sort_keys)
{
	const struct jnode *c;

	switch (n->type) {
	case JT_OBJECT: {
		struct member small[16], *m = small;
		size_t k = 0, cap = 16;
		if (!sort_keys) {
			jw_object_begin(w);
			for (c = jread_first(d, n); c != NULL; c = jread_next(d, n, c)) {
				jw_keyn(w, c->key, c->klen);
				write_node(w, d, c, 0);
			}
			jw_object_end(w);
			break;
		}
		for (c = jread_first(d, n); c != NULL; c = jread_next(d, n, c)) {
			if (k == cap) {
				struct member *bigger = xcalloc(cap * 2, sizeof *bigger);
				memcpy(bigger, m, k * sizeof *m);
				if (m != small)
					free(m);
				m = bigger;
				cap *= 2;
			}
			m[k].key = c->key;
			m[k].klen = c->klen;
			m[k++].v = c;
		}
		if (sort_keys && k > 1)
			qsort(m, k, sizeof *m, member_cmp);
		jw_object_begin(w);
		for (size_t i = 0; i < k; i++) {
			jw_keyn(w, m[i].key, m[i].klen);
			write_node(w, d, m[i].v, sort_keys);
		}
		jw_object_end(w);
		if (m != small)
			free(m);
		break;
	}
	case JT_ARRAY:
		jw_array_begin(w);
		for (c = jread_first(d, n); c != NULL; c = jread_next(d, n, c))
			write_node(w, d, c, sort_keys);
		jw_array_end(w);
		break;
	case JT_STRING:
		before_value(w);
		if (!n->escaped) {
			/* nothing in it needs an escape: copied as it is */
			put(w, "\"", 1);
			put(w, n->s, n->slen);
			put(w, "\"", 1);
		} else {
			char *s = jread_strdup(n);
			put_string(w, s, strlen(s));
			free(s);
		}
		break;
	case JT_INT:
		jw_int(w, n->num.i);
		break;
	case JT_REAL:
		jw_real(w, n->num.r);
		break;
	case JT_TRUE:
		jw_bool(w, 1);
		break;
	case JT_FALSE:
		jw_bool(w, 0);
		break;
	default:
		jw_null(w);
		break;
	}
}

/* ---- jw_json's fast path ----
 *
 * Most texts given to jw_json were written by this writer, compact: a
 * plan's "after" of each action, 100,000 of them in a large plan.  Such a
 * text is re-laid out token by token, its strings copied as they are,
 * without parsing it into nodes.  The fast path takes a text only when
 * that gives the very bytes the parse and rewrite would: no white space,
 * strings valid UTF-8 with escapes exactly as put_string writes them,
 * integers as "%lld" writes them, no reals, no repeated member names
 * (jread refuses those), keys in order when sorting is asked for, a few
 * levels and members.  Anything else takes the slow path. */

#define CANON_DEPTH 8
#define CANON_KEYS 32

struct canon_key {
	const char *s;	/* the raw text between the quotes */
	size_t n;
};

/* The raw string at p (its opening quote), written as put_string would
 * write its decoded value; *next past the closing quote.  *plain says it
 * has no escape. */
static int
canon_string(const char *p, const char *end, const char **next, int *plain)
{
	*plain = 1;
	for (p++; p < end;) {
		unsigned char c;

		p += plain_run(p, (size_t)(end - p));
		if (p == end)
			break;
		c = (unsigned char)*p;
		if (c == '"') {
			*next = p + 1;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			*plain = 0;
			if (end - p < 2)
				return -1;
			if (strchr("\"\\bfnrt", p[1]) != NULL && p[1] != '\0') {
				p += 2;
				continue;
			}
			/* \u00XX, uppercase, only for what has no short form */
			if (end - p < 6 || p[1] != 'u' || p[2] != '0' || p[3] != '0' ||
			    (p[4] != '0' && p[4] != '1'))
				return -1;
			c = (unsigned char)p[5];
			if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
				return -1;
			c = (unsigned char)((p[4] - '0') * 16 + (c <= '9' ? c - '0' : c - 'A' + 10));
			if (c == 0 || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
				return -1;
			p += 6;
			continue;
		}
		if (c >= 0x80) {
			size_t n = jread_utf8_len((const unsigned char *)p, (const unsigned char *)end);
			if (n == 0)
				return -1;
			p += n;
			continue;
		}
		p++;
	}
	return -1;
}

/* A whole number at p as "%lld" writes it; *next past it. */
static int
canon_int(const char *p, const char *end, const char **next)
{
	const char *q = p, *digits;

	if (q < end && *q == '-')
		q++;
	digits = q;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q == digits || q - digits > 18 || (*digits == '0' && q - digits > 1) ||
	    (*digits == '0' && digits != p))
		return -1;	/* none, too long to be sure of, 01, -0 */
	if (q < end && (*q == '.' || *q == 'e' || *q == 'E'))
		return -1;	/* a real: Jansson's text of it may differ */
	*next = q;
	return 0;
}

static int
canon_key_cmp(const struct canon_key *a, const struct canon_key *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	int c = memcmp(a->s, b->s, n);

	return c != 0 ? c : (a->n > b->n) - (a->n < b->n);
}

/* relay's end: what it wrote at o (from buf.len on) becomes the text. */
static int
relay_commit(struct jwriter *w, char *o)
{
	*o = '\0';
	w->buf.len = (size_t)(o - w->buf.buf);
	w->after_key = 0;
	flush_some(w);
	return 0;
}

/* relay's refusal: nothing written, the container's state as it was. */
static int
relay_undo(struct jwriter *w, int depth0, unsigned char count0, int after0)
{
	if (depth0 > 0)
		w->count[depth0 - 1] = count0;
	w->after_key = after0;
	w->buf.buf[w->buf.len] = '\0';
	return -1;
}

/* When text[0..len) is one value this writer would write compact, write
 * it in this writer's layout in one pass, copying each token as it is,
 * and return 0; else return -1 with nothing written. */
static int
relay(struct jwriter *w, const char *text, size_t len, int sort_keys)
{
	struct canon_key keys[CANON_DEPTH][CANON_KEYS];
	size_t nkeys[CANON_DEPTH];
	char kind[CANON_DEPTH];	/* '{' or '[' */
	unsigned char count[CANON_DEPTH];
	const char *p = text, *end = text + len, *q;
	const int depth0 = w->depth, after0 = w->after_key;
	const unsigned char count0 = depth0 > 0 ? w->count[depth0 - 1] : 0;
	char *o;
	int depth = 0, plain;
	enum { VALUE, KEY, COLON, AFTER } want = VALUE;

	/* at most a separator, a newline and an indentation for each byte */
	o = room(w, 2 + (size_t)depth0 * (size_t)w->indent +
	    len * (2 + (size_t)(depth0 + CANON_DEPTH) * (size_t)w->indent));
	if (!w->after_key)
		o = lead_in(w, o);
	while (p < end) {
		char c = *p;

		switch (want) {
		case KEY: {
			struct canon_key *k;
			if (c == '}' && nkeys[depth - 1] == 0)
				goto close;
			if (c != '"' || nkeys[depth - 1] == CANON_KEYS)
				goto refuse;
			k = &keys[depth - 1][nkeys[depth - 1]];
			k->s = p + 1;
			if (canon_string(p, end, &q, &plain) < 0)
				goto refuse;
			k->n = (size_t)(q - 1 - k->s);
			for (size_t i = 0; i < nkeys[depth - 1]; i++)
				if (keys[depth - 1][i].n == k->n && memcmp(keys[depth - 1][i].s, k->s, k->n) == 0)
					goto refuse;	/* jread refuses repeated names */
			if (sort_keys && (!plain || (nkeys[depth - 1] > 0 &&
			    canon_key_cmp(k - 1, k) >= 0)))
				goto refuse;
			nkeys[depth - 1]++;
			o = sep_at(w, o, &count[depth - 1], depth0 + depth);
			memcpy(o, p, (size_t)(q - p));
			o += q - p;
			p = q;
			want = COLON;
			continue;
		}
		case COLON:
			if (c != ':')
				goto refuse;
			*o++ = ':';
			if (w->indent)
				*o++ = ' ';
			p++;
			want = VALUE;
			continue;
		case AFTER:
			if (depth == 0)
				goto refuse;	/* something after the value */
			if (c == ',') {
				p++;
				want = kind[depth - 1] == '{' ? KEY : VALUE;
				continue;
			}
			if (c != (kind[depth - 1] == '{' ? '}' : ']'))
				goto refuse;
			goto close;
		case VALUE:
			if (c == ']' && depth > 0 && kind[depth - 1] == '[' && p[-1] == '[')
				goto close;
			/* an array element: its separator and line (a member's
			 * were written with its name) */
			if (depth > 0 && kind[depth - 1] == '[')
				o = sep_at(w, o, &count[depth - 1], depth0 + depth);
			if (c == '{' || c == '[') {
				if (depth == CANON_DEPTH)
					goto refuse;
				kind[depth] = c;
				nkeys[depth] = 0;
				count[depth] = 0;
				depth++;
				*o++ = c;
				p++;
				want = c == '{' ? KEY : VALUE;
				continue;
			}
			if (c == '"') {
				if (canon_string(p, end, &q, &plain) < 0)
					goto refuse;
			} else if (c == '-' || (c >= '0' && c <= '9')) {
				if (canon_int(p, end, &q) < 0)
					goto refuse;
			} else if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
				q = p + 4;
			} else if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
				q = p + 5;
			} else if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
				q = p + 4;
			} else {
				goto refuse;
			}
			memcpy(o, p, (size_t)(q - p));
			o += q - p;
			p = q;
			want = AFTER;
			continue;
		}
close:
		depth--;
		if (count[depth])
			o = indent_at(w, o, depth0 + depth);
		*o++ = *p++;
		want = AFTER;
	}
	if (want != AFTER || depth != 0)
		goto refuse;
	return relay_commit(w, o);
refuse:
	return relay_undo(w, depth0, count0, after0);
}

/* The end of the string at p (its opening quote), a text already
 * checked: past its closing quote. */
static const char *
own_string_end(const char *p, const char *end)
{
	for (p++;;) {
		const char *q = memchr(p, '"', (size_t)(end - p)), *b;

		if (q == NULL)
			return end;
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)
			return q + 1;	/* not itself escaped */
		p = q + 1;
	}
}

/* relay for a text a jwriter wrote in its compact layout, which relay
 * would take as it is (no white space, strings and numbers as Jansson
 * writes them, no repeated member name): the same bytes without checking
 * each token again.  -1, writing nothing, when it is nested too deeply. */
static int
relay_own(struct jwriter *w, const char *text, size_t len)
{
	char kind[CANON_DEPTH];
	unsigned char count[CANON_DEPTH];
	const char *p = text, *end = text + len, *q;
	const int depth0 = w->depth, after0 = w->after_key;
	const unsigned char count0 = depth0 > 0 ? w->count[depth0 - 1] : 0;
	char *o;
	int depth = 0;
	enum { VALUE, KEY, AFTER } want = VALUE;

	o = room(w, 2 + (size_t)depth0 * (size_t)w->indent +
	    len * (2 + (size_t)(depth0 + CANON_DEPTH) * (size_t)w->indent));
	if (!w->after_key)
		o = lead_in(w, o);
	while (p < end) {
		char c = *p;

		if (want == AFTER) {
			if (c == ',') {
				p++;
				want = kind[depth - 1] == '{' ? KEY : VALUE;
				continue;
			}
			goto close;
		}
		if (want == KEY) {
			if (c == '}')
				goto close;
			o = sep_at(w, o, &count[depth - 1], depth0 + depth);
			q = own_string_end(p, end);
			memcpy(o, p, (size_t)(q - p));
			o += q - p;
			p = q + 1;	/* and its colon */
			*o++ = ':';
			if (w->indent)
				*o++ = ' ';
			want = VALUE;
			continue;
		}
		if (c == ']')
			goto close;	/* an empty array */
		if (depth > 0 && kind[depth - 1] == '[')
			o = sep_at(w, o, &count[depth - 1], depth0 + depth);
		if (c == '{' || c == '[') {
			if (depth == CANON_DEPTH)
				goto refuse;
			kind[depth] = c;
			count[depth] = 0;
			depth++;
			*o++ = c;
			p++;
			want = c == '{' ? KEY : VALUE;
			continue;
		}
		if (c == '"')
			q = own_string_end(p, end);
		else
			for (q = p + 1; q < end && *q != ',' && *q != '}' && *q != ']'; q++)
				;
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		p = q;
		want = AFTER;
		continue;
close:
		depth--;
		if (count[depth])
			o = indent_at(w, o, depth0 + depth);
		*o++ = *p++;
		want = AFTER;
	}
	return relay_commit(w, o);
refuse:
	return relay_undo(w, depth0, count0, after0);
}

int
jw_json_own(struct jwriter *w, const char *text, size_t len)
{
	if (text == NULL)
		return -1;
	if (len > 0 && w->depth + CANON_DEPTH <= JW_MAX_DEPTH && relay_own(w, text, len) == 0)
		return 0;
	return jw_json(w, text, len, 0);	/* and what is not JSON fails there */
}

int
jw_json(struct jwriter *w, const char *text, size_t len, int sort_keys)
{
	if (text == NULL)
		return -1;
	if (w->depth + CANON_DEPTH <= JW_MAX_DEPTH && relay(w, text, len, sort_keys) == 0)
		return 0;
	if (jread_parse(&w->doc, text, len, NULL) < 0)
		return -1;
	write_node(w, &w->doc, jread_root(&w->doc), sort_keys);
	return 0;
}

int
jw_finish(struct jwriter *w)
{
	jread_clear(&w->doc);
	if (w->out != NULL) {
		if (w->buf.len > 0 && fwrite(w->buf.buf, 1, w->buf.len, w->out) != w->buf.len)
			w->failed = 1;
		sb_clear(&w->buf);
	}
	return w->failed ? -1 : 0;
}
