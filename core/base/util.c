/* util.c - allocation, buffers, strings, files, JSON and date helpers. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <sodium.h>

#include "base/arena.h"
#include "base/util.h"

static void
oom(void)
{
	static const char msg[] = "bobsync: out of memory\n";
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
		/* nothing left to do */
	}
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom();
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom();
	return xrealloc(p, n * size);
}

#define BIG_BLOCK ((size_t)2 << 20)
/* From this size on an array grows in big blocks: one huge page costs
 * less to first touch than the 64 small pages of 256 kB (see util.h). */
#define BIG_FROM ((size_t)256 << 10)
/* The most address space a growing array is given beyond what it needs. */
#define BIG_SLACK ((size_t)64 << 20)

/* Big blocks given back with xfree_big, kept for the next big
 * allocation: a plan's sorts each take two arrays of the same size and
 * give them back, and a block already touched costs no page fault (about
 * 1.5 ms a huge page on this machine's kind of guest).  At most two, each
 * at most BIG_SPARE_MAX.  A spare is handed out only to a request of at
 * least half its size (a 16 MiB block an array outgrew would otherwise
 * serve a 2 MiB one and keep all it had touched); any other is freed
 * then, so a spare never outlives the next big allocation that cannot
 * use it.  Atomic slots: the console's worker threads allocate too. */
#define BIG_SPARES 2
#define BIG_SPARE_MAX ((size_t)64 << 20)
static _Atomic(void *) big_spare[BIG_SPARES];

static void *
spare_take(size_t n)
{
	for (int i = 0; i < BIG_SPARES; i++) {
		void *q = atomic_exchange(&big_spare[i], NULL);
		if (q == NULL)
			continue;
		size_t have = malloc_usable_size(q);
		if (have >= n && have / 2 <= n)
			return q;
		free(q);
	}
	return NULL;
}

void
xfree_big(void *p)
{
	if (p == NULL)
		return;
	if ((uintptr_t)p % BIG_BLOCK == 0 && malloc_usable_size(p) <= BIG_SPARE_MAX)
		for (int i = 0; i < BIG_SPARES; i++) {
			void *none = NULL;
			if (atomic_compare_exchange_strong(&big_spare[i], &none, p))
				return;
		}
	free(p);
}

void
xfree_big_spares(void)
{
	for (int i = 0; i < BIG_SPARES; i++)
		free(atomic_exchange(&big_spare[i], NULL));
}

void *
xmalloc_big(size_t *n)
{
	void *p;

	*n = (*n + BIG_BLOCK - 1) & ~(BIG_BLOCK - 1);
	if (*n == 0)
		oom();	/* wrapped */
	p = spare_take(*n);
	if (p != NULL)
		return p;
	if (posix_memalign(&p, BIG_BLOCK, *n) != 0)
		oom();
#ifdef MADV_HUGEPAGE
	(void)madvise(p, *n, MADV_HUGEPAGE);	/* a hint: no matter if refused */
#endif
	return p;
}

void *
xreallocarray_big(void *p, size_t old_n, size_t n, size_t size)
{
	size_t bytes, old;
	void *q;

	if (size != 0 && n > SIZE_MAX / size)
		oom();
	bytes = n * size;
	if (bytes < BIG_FROM)
		return xrealloc(p, bytes);
	if (p != NULL && malloc_usable_size(p) >= bytes)
		return p;	/* the big block has the room already */
	if (p != NULL) {
		/* room for growing on: untouched, it costs no memory (only
		 * address space, bounded for systems that count it) */
		size_t more = bytes <= BIG_SLACK / 3 ? 3 * bytes : BIG_SLACK;
		if (bytes <= SIZE_MAX - more)
			bytes += more;
	}
	q = xmalloc_big(&bytes);
	old = (old_n < n ? old_n : n) * size;
	if (p != NULL && old > 0)
		memcpy(q, p, old);
	xfree_big(p);	/* the block it outgrew may serve another array */
	return q;
}

void
sort_keys_at(struct key_at *v, size_t n)
{
	size_t (*count)[256];
	struct key_at *tmp, *src = v, *dst;

	if (n < 2)
		return;
	count = xcalloc(8, sizeof *count);
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			count[b][(v[i].k >> (8 * b)) & 0xff]++;
	tmp = xreallocarray_big(NULL, 0, n, sizeof *tmp);
	dst = tmp;
	/* a byte at a time from the lowest, each pass keeping the order the
	 * one before left (so equal keys stay as they came) */
	for (int b = 0; b < 8; b++) {
		size_t at = 0, *c = count[b];
		if (c[(v[0].k >> (8 * b)) & 0xff] == n)
			continue;	/* one value in this byte: nothing to order */
		for (int x = 0; x < 256; x++) {
			size_t k = c[x];
			c[x] = at;
			at += k;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i].k >> (8 * b)) & 0xff]++] = src[i];
		src = dst;
		dst = src == v ? tmp : v;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	xfree_big(tmp);
	free(count);
}

void
permute_at(void *base, size_t size, struct key_at *keys, size_t n)
{
	char *v = base, *first = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t at = i;
		if (keys[i].at == SIZE_MAX || keys[i].at == i)
			continue;
		if (first == NULL)
			first = xmalloc(size);
		memcpy(first, v + i * size, size);
		for (;;) {
			size_t from = keys[at].at;
			keys[at].at = SIZE_MAX;
			if (from == i) {
				memcpy(v + at * size, first, size);
				break;
			}
			memcpy(v + at * size, v + from * size, size);
			at = from;
		}
	}
	free(first);
}

char *
xstrdup(const char *s)
{
	char *d;
	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		oom();
	return d;
}

char *
xstrndup(const char *s, size_t n)
{
	char *d;
	if (s == NULL)
		return NULL;
	d = strndup(s, n);
	if (d == NULL)
		oom();
	return d;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* strbuf */

void
sb_init(struct strbuf *sb, size_t max)
{
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->max = max;
}

int
sb_reserve(struct strbuf *sb, size_t len)
{
	if (sb->max != 0 && (len > sb->max || sb->len > sb->max - len))
		return -1;
	if (sb->len + len + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 64;
		while (cap < sb->len + len + 1)
			cap *= 2;
		sb->buf = xrealloc(sb->buf, cap);
		sb->cap = cap;
	}
	return 0;
}

int
sb_append(struct strbuf *sb, const void *data, size_t len)
{
	if (sb_reserve(sb, len) < 0)
		return -1;
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
sb_puts(struct strbuf *sb, const char *s)
{
	return sb_append(sb, s, strlen(s));
}

int
sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	rc = sb_append(sb, s, strlen(s));
	free(s);
	return rc;
}

char *
sb_detach(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

char *
sb_detach_fit(struct strbuf *sb)
{
	size_t len = sb->len;
	char *s = sb_detach(sb);

	return xrealloc(s, len + 1);
}

void
sb_clear(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void
sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

/* strings */

int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
str_eq_ci(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

int
str_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

char *
str_trim(char *s)
{
	char *e;
	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

void
str_lower(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

uint64_t
str_hash(const char *s, int fold)
{
	uint64_t h = 14695981039346656037ull;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		unsigned c = (unsigned char)*s;
		h ^= fold && c - 'A' < 26u ? c + ('a' - 'A') : c;
		h *= 1099511628211ull;
	}
	return h ^ (h >> 32);	/* the high bits into the low, which tables use */
}

static int
index_key_eq(const struct str_index *ix, const char *a, const char *b)
{
	return (ix->fold ? strcasecmp(a, b) : strcmp(a, b)) == 0;
}

/* The slot of key (hash h): where it is, or the empty slot it would take. */
static size_t
index_slot(const struct str_index *ix, const char *key, uint64_t h)
{
	size_t k = (size_t)h & (ix->nslot - 1);

	while (ix->key[k] != NULL && (ix->hash[k] != h || !index_key_eq(ix, ix->key[k], key)))
		k = (k + 1) & (ix->nslot - 1);
	return k;
}

size_t
str_index_get(const struct str_index *ix, const char *key)
{
	size_t k;

	if (key == NULL || ix->n == 0)
		return SIZE_MAX;
	k = index_slot(ix, key, str_hash(key, ix->fold));
	return ix->key[k] != NULL ? ix->pos[k] : SIZE_MAX;
}

size_t
str_index_put(struct str_index *ix, const char *key, size_t pos)
{
	uint64_t h;
	size_t k;

	if (key == NULL)
		return SIZE_MAX;
	if (2 * (ix->n + 1) > ix->nslot) {	/* at most half full */
		struct str_index old = *ix;
		ix->nslot = old.nslot ? 2 * old.nslot : 16;
		ix->key = xcalloc(ix->nslot, sizeof *ix->key);
		ix->hash = xreallocarray(NULL, ix->nslot, sizeof *ix->hash);
		ix->pos = xreallocarray(NULL, ix->nslot, sizeof *ix->pos);
		for (size_t i = 0; i < old.nslot; i++) {
			if (old.key[i] == NULL)
				continue;
			k = (size_t)old.hash[i] & (ix->nslot - 1);
			while (ix->key[k] != NULL)
				k = (k + 1) & (ix->nslot - 1);
			ix->key[k] = old.key[i];
			ix->hash[k] = old.hash[i];
			ix->pos[k] = old.pos[i];
		}
		free(old.key);
		free(old.hash);
		free(old.pos);
	}
	h = str_hash(key, ix->fold);
	k = index_slot(ix, key, h);
	if (ix->key[k] != NULL)
		return ix->pos[k];
	ix->key[k] = key;
	ix->hash[k] = h;
	ix->pos[k] = pos;
	ix->n++;
	return pos;
}

void
str_index_clear(struct str_index *ix)
{
	int fold = ix->fold;

	free(ix->key);
	free(ix->hash);
	free(ix->pos);
	memset(ix, 0, sizeof *ix);
	ix->fold = fold;
}

size_t
str_ascii_run(const char *s, size_t n, char stop1, char stop2)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

#ifdef __SSE2__
	/* 16 bytes at a time: a byte below 0x20 or from 0x80 on is below 0x20
	 * as a signed byte */
	if (n >= 16) {
		const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f),
		    a = _mm_set1_epi8(stop1 ? stop1 : 0x7f), b = _mm_set1_epi8(stop2 ? stop2 : 0x7f);

		for (; i + 16 <= n; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
			__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space),
			    _mm_cmpeq_epi8(v, del)), _mm_or_si128(_mm_cmpeq_epi8(v, a),
			    _mm_cmpeq_epi8(v, b)));
			int m = _mm_movemask_epi8(hit);
			if (m != 0)
				return i + (size_t)__builtin_ctz((unsigned)m);
		}
	}
#endif
	{
		int s1 = stop1 ? (unsigned char)stop1 : -1, s2 = stop2 ? (unsigned char)stop2 : -1;
		for (; i < n; i++)
			if ((unsigned)(p[i] - 0x20) >= 0x5fu || p[i] == s1 || p[i] == s2)
				return i;
	}
	return n;
}

static int
same_as_before(const char *const src[], size_t i)
{
	return i > 0 && src[i] != NULL && src[i - 1] != NULL && strcmp(src[i], src[i - 1]) == 0;
}

void *
str_pack(size_t head, char **const dst[], const char *const src[], size_t n, size_t *size)
{
	return str_pack_in(NULL, head, dst, src, n, size);
}

/* str_pack_in and str_pack_lens: each length measured once into len;
 * arena room zeroed first when zero is set (as str_pack_in always had it). */
static void *
pack(struct arena *a, size_t head, char **const dst[], const char *const src[], size_t n,
    size_t *size, size_t *lens, int zero)
{
	size_t total = head, small[16];
	size_t *len = lens != NULL ? lens : n <= ARRAY_LEN(small) ? small :
	    xreallocarray(NULL, n, sizeof *len);
	char *block, *o;

	for (size_t i = 0; i < n; i++) {
		if (src[i] == NULL)
			len[i] = 0;
		else if (same_as_before(src, i))
			len[i] = len[i - 1];
		else
			total += (len[i] = strlen(src[i])) + 1;
	}
	if (a == NULL)
		block = xmalloc(total ? total : 1);
	else
		block = zero ? arena_alloc(a, total ? total : 1) :
		    arena_alloc_raw(a, total ? total : 1);
	o = block + head;
	for (size_t i = 0; i < n; i++) {
		if (src[i] == NULL) {
			*dst[i] = NULL;
		} else if (same_as_before(src, i)) {
			*dst[i] = *dst[i - 1];
		} else {
			memcpy(o, src[i], len[i] + 1);
			*dst[i] = o;
			o += len[i] + 1;
		}
	}
	if (len != small && len != lens)
		free(len);
	if (size != NULL)
		*size = total;
	return block;
}

void *
str_pack_in(struct arena *a, size_t head, char **const dst[], const char *const src[],
    size_t n, size_t *size)
{
	return pack(a, head, dst, src, n, size, NULL, 1);
}

void *
str_pack_lens(struct arena *a, size_t head, char **const dst[], const char *const src[],
    size_t n, size_t *size, size_t *lens)
{
	/* the plan's actions: their room is written over at once */
	return pack(a, head, dst, src, n, size, lens, 0);
}

char *
str_lower_dup(const char *s)
{
	char *d = xstrdup(s);
	str_lower(d);
	return d;
}

int
str_starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

void
str_trim_blanks(char *s)
{
	size_t n = strlen(s), start = 0, len;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (start < n && (s[start] == ' ' || s[start] == '\t'))
		start++;
	len = n - start;
	memmove(s, s + start, len);
	sodium_memzero(s + len, strlen(s + len));
}

/* Length of the valid UTF-8 sequence at p (n bytes left) and its code
 * point; 0 when invalid; -k when p holds a valid start of a k-byte
 * sequence that n cuts short. */
static int
utf8_seq(const unsigned char *p, size_t n, unsigned *cp)
{
	unsigned b = p[0], lo = 0x80, hi = 0xbf, c;
	int len;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		len = 2;
		c = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		c = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0;
		else if (b == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		c = b & 0x07;
		if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -len;
		if (p[i] < lo || p[i] > hi)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	return len;
}

/* Code points a terminal acts on, or that reorder what is shown: C1
 * controls and the bidirectional embeddings, overrides and isolates. */
static int
unsafe_cp(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

size_t
util_sanitize(const char *in, size_t n, char *out, unsigned flags, size_t *partial)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0;

	if (partial != NULL)
		*partial = 0;
	while (i < n) {
		unsigned cp = 0;
		int len;

		if ((p[i] >= 0x20 && p[i] < 0x7f) ||
		    (p[i] == '\n' && (flags & UTIL_SAN_KEEP_LINES))) {
			/* printable ASCII, with its lines when they are kept
			 * (most of any text, and all of an indented JSON
			 * document's layout): as it is, in one copy */
			size_t j = i;
			for (;;) {
				j += str_ascii_run(in + j, n - j, 0, 0);
				if (j < n && p[j] == '\n' && (flags & UTIL_SAN_KEEP_LINES)) {
					j++;
					continue;
				}
				break;
			}
			if (out != in)
				memcpy(out + i, in + i, j - i);
			i = j;
			continue;
		}
		len = utf8_seq(p + i, n - i, &cp);

		if (len < 0 && partial != NULL) {
			*partial = n - i;	/* the rest may come in the next chunk */
			break;
		}
		if (len <= 0) {
			out[i] = '?';	/* not UTF-8 (or cut short at the very end) */
			i++;
			continue;
		}
		if (len == 1) {
			unsigned char c = p[i];
			if (c == '\r' && (flags & UTIL_SAN_KEEP_LINES) && i + 1 == n &&
			    partial != NULL) {
				*partial = 1;	/* a CRLF cut in two? wait for the rest */
				break;
			}
			if ((c == '\n' || c == '\t') && (flags & UTIL_SAN_KEEP_LINES))
				out[i] = (char)c;
			else if (c == '\r' && (flags & UTIL_SAN_KEEP_LINES) && i + 1 < n &&
			    p[i + 1] == '\n')
				out[i] = (char)c;	/* CRLF line ends (CSV) stay */
			else if (c == '\n' || c == '\t' || c == '\r')
				out[i] = ' ';
			else if (c < 0x20 || c == 0x7f)
				out[i] = '?';
			else
				out[i] = (char)c;
			i++;
			continue;
		}
		for (int k = 0; k < len; k++)
			out[i + k] = unsafe_cp(cp) ? '?' : (char)p[i + k];
		i += (size_t)len;
	}
	return i;
}

void
util_strip_controls(char *s)
{
	if (s != NULL)
		util_sanitize(s, strlen(s), s, UTIL_SAN_KEEP_LINES, NULL);
}

char *
util_clean(const char *s)
{
	char *c = xstrdup(s != NULL ? s : "");

	util_sanitize(c, strlen(c), c, 0, NULL);
	return c;
}

const char *
util_clean_pool(struct util_clean_pool *p, const char *s)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->s = xrealloc(p->s, p->cap * sizeof *p->s);
	}
	p->s[p->n] = util_clean(s);
	return p->s[p->n++];
}

void
util_clean_pool_clear(struct util_clean_pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
	memset(p, 0, sizeof *p);
}

/* A plain number ("-12", "+3.50"): no spreadsheet reads it as a formula. */
static int
plain_number(const char *s)
{
	size_t i = (*s == '-' || *s == '+') ? 1 : 0, digits = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	return digits > 0 && s[i] == '\0';
}

int
util_csv_formula_like(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	if (strchr("=+-@\t\r", *s) != NULL && !plain_number(s))
		return 1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 1;
	return 0;
}

void
util_csv_row(FILE *f, size_t n, const char *const *cells)
{
	for (size_t i = 0; i < n; i++) {
		char *s = util_clean(cells[i]);	/* controls out, one line */
		const char *p = s;
		/* OWASP's rule for CSV injection: a cell a spreadsheet would run
		 * (= + - @, or TAB/CR, now spaces, leading) gets a ' in front,
		 * and such cells are always quoted */
		int formula = strchr("=+-@", *s) != NULL && *s != '\0' && !plain_number(s);
		int tabbed = cells[i] != NULL && (cells[i][0] == '\t' || cells[i][0] == '\r');

		if (i > 0)
			fputc(',', f);
		if (formula || tabbed || strpbrk(s, ",\"") != NULL) {
			fputc('"', f);
			if (formula || tabbed)
				fputc('\'', f);
			for (; *p; p++) {
				if (*p == '"')
					fputc('"', f);
				fputc(*p, f);
			}
			fputc('"', f);
		} else {
			fputs(s, f);
		}
		free(s);
	}
	fputs("\r\n", f);
}

/* files */

char *
util_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

bs_rc
util_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    struct bs_error *err)
{
	char *dir = util_dirname(path);
	const char *base = strrchr(path, '/');
	char *tmp;
	int fd, dfd;
	const char *p = data;
	size_t left = len;
	bs_rc rc = BS_OK;

	base = base ? base + 1 : path;
	tmp = xasprintf("%s/.%s.tmp.XXXXXX", dir, base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = bs_fail(err, BS_ERR_IO, "cannot create a file in %s: %s", dir, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) < 0) {
		rc = bs_fail(err, BS_ERR_IO, "cannot set mode of %s: %s", tmp, strerror(errno));
		goto fail;
	}
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = bs_fail(err, BS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
			goto fail;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) < 0) {
		rc = bs_fail(err, BS_ERR_IO, "cannot flush %s: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = bs_fail(err, BS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = bs_fail(err, BS_ERR_IO, "cannot replace %s: %s", path, strerror(errno));
		goto fail;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return rc;
}

bs_rc
util_read_file(const char *path, size_t max, char **out, size_t *len, struct bs_error *err)
{
	int fd;
	bs_rc rc;

	*out = NULL;
	if (len)
		*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bs_fail(err, errno == ENOENT ? BS_ERR_NOT_FOUND : BS_ERR_IO,
		    "cannot open %s: %s", path, strerror(errno));
	rc = util_read_fd(fd, path, max, out, len, err);
	close(fd);
	return rc;
}

bs_rc
util_read_fd(int fd, const char *path, size_t max, char **out, size_t *len,
    struct bs_error *err)
{
	struct strbuf sb;
	char buf[8192];
	bs_rc rc = BS_OK;

	*out = NULL;
	if (len)
		*len = 0;
	sb_init(&sb, max);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = bs_fail(err, BS_ERR_IO, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		if (sb_append(&sb, buf, (size_t)r) < 0) {
			rc = bs_fail(err, BS_ERR_TOO_LARGE, "%s is larger than %zu bytes", path, max);
			break;
		}
	}
	if (rc != BS_OK) {
		sb_clear(&sb);
		return rc;
	}
	if (len)
		*len = sb.len;
	*out = sb_detach(&sb);
	return BS_OK;
}

bs_rc
util_mkdir_p(const char *path, mode_t mode, struct bs_error *err)
{
	char *p = xstrdup(path);
	bs_rc rc = BS_OK;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				rc = bs_fail(err, BS_ERR_IO, "cannot create folder %s: %s", p, strerror(errno));
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

/* JSON */

json_t *
util_json_parse(const char *buf, size_t len, const char *what, struct bs_error *err)
{
	json_error_t je;
	json_t *j;

	if (buf == NULL || len == 0) {
		bs_fail(err, BS_ERR_PARSE, "%s: empty response", what);
		return NULL;
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		bs_fail(err, BS_ERR_PARSE, "%s: invalid JSON at line %d: %s", what, je.line, je.text);
	return j;
}

const char *
json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

char *
json_id_dup(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v)) {
		double d = json_real_value(v);
		/* only whole numbers a long long can hold: casting anything
		 * else is undefined (an id of 3.3e32 from a fuzzed response) */
		if (d >= -9.2e18 && d <= 9.2e18 && d == (double)(long long)d)
			return xasprintf("%lld", (long long)d);
	}
	return NULL;
}

int
json_int(const json_t *obj, const char *key, long long *out)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_integer(v)) {
		*out = (long long)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		char *end;
		const char *s = json_string_value(v);
		long long x;
		errno = 0;
		x = strtoll(s, &end, 10);
		if (*s != '\0' && *end == '\0' && errno == 0) {
			*out = x;
			return 0;
		}
	}
	return -1;
}

char *
json_dump_compact(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (s == NULL)
		oom();
	return s;
}

/* dates: Howard Hinnant's civil algorithms */

int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

int
date_weekday(int64_t days)
{
	return (int)(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

static int
days_in_month(int64_t y, unsigned m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int
parse_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
date_parse(const char *s, int64_t *days)
{
	int y, m, d;

	if (s == NULL || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (s[10] != '\0' && s[10] != 'T' && s[10] != ' ')
		return -1;
	if (parse_digits(s, 4, &y) || parse_digits(s + 5, 2, &m) || parse_digits(s + 8, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, (unsigned)m))
		return -1;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

void
date_format(int64_t days, char out[11])
{
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;	/* keep the fixed width */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

void
date_format_from(const char *s, int64_t days, char out[11])
{
	if (s != NULL && strnlen(s, 11) == 10)
		memcpy(out, s, 11);
	else
		date_format(days, out);
}

void
time_format_utc(int64_t t, char out[21])
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	char date[11];
	date_format(days, date);
	memcpy(out, date, 10);
	out[10] = 'T';
	out[11] = (char)('0' + secs / 36000);
	out[12] = (char)('0' + secs / 3600 % 10);
	out[13] = ':';
	out[14] = (char)('0' + secs / 60 % 60 / 10);
	out[15] = (char)('0' + secs / 60 % 10);
	out[16] = ':';
	out[17] = (char)('0' + secs % 60 / 10);
	out[18] = (char)('0' + secs % 10);
	out[19] = 'Z';
	out[20] = '\0';
}

int
time_parse_iso(const char *s, int64_t *t)
{
	int64_t days;
	int hh, mm, ss = 0, oh, om;
	const char *p;

	if (date_parse(s, &days) < 0 || (s[10] != 'T' && s[10] != ' '))
		return -1;
	p = s + 11;
	if (parse_digits(p, 2, &hh) || p[2] != ':' || parse_digits(p + 3, 2, &mm))
		return -1;
	p += 5;
	if (*p == ':') {
		if (parse_digits(p + 1, 2, &ss))
			return -1;
		p += 3;
		if (*p == '.' || *p == ',') {
			p++;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (hh > 23 || mm > 59 || ss > 60)
		return -1;
	*t = days * 86400 + hh * 3600 + mm * 60 + ss;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		if (parse_digits(p + 1, 2, &oh))
			return -1;
		if (p[3] == ':') {
			if (parse_digits(p + 4, 2, &om))
				return -1;
			p += 6;
		} else if (parse_digits(p + 3, 2, &om) == 0) {
			p += 5;
		} else {
			om = 0;
			p += 3;
		}
		*t -= sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	return *p == '\0' ? 0 : -1;
}

int64_t
clock_now(void)
{
#ifdef BOBSYNC_TEST_HOOKS
	const char *fake = getenv("BOBSYNC_FAKE_NOW");	/* test builds only */
#else
	const char *fake = NULL;
#endif
	int64_t t;
	char *end;

	if (fake != NULL && *fake != '\0') {
		if (time_parse_iso(fake, &t) == 0)
			return t;
		t = strtoll(fake, &end, 10);
		if (*end == '\0')
			return t;
	}
	return (int64_t)time(NULL);
}

char *
url_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf sb;

	sb_init(&sb, 0);
	sb_append(&sb, "", 0);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			sb_append(&sb, p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			sb_append(&sb, e, 3);
		}
	}
	return sb_detach(&sb);
}

size_t
str_edit_distance(const char *a, const char *b, size_t bound)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64 + 1];
	size_t i, j;

	if (la > 64 || lb > 64)
		return bound + 1;
	if ((la > lb ? la - lb : lb - la) > bound)
		return bound + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			char ca = a[i - 1], cb = b[j - 1];
			size_t up = row[j], cost, v;
			if (ca >= 'A' && ca <= 'Z')
				ca = (char)(ca - 'A' + 'a');
			if (cb >= 'A' && cb <= 'Z')
				cb = (char)(cb - 'A' + 'a');
			cost = ca == cb ? 0 : 1;
			v = diag + cost;
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > bound)
			return bound + 1;
	}
	return row[lb] > bound ? bound + 1 : row[lb];
}

char *
secret_dup(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	char *d = sodium_malloc(n + 1);

	if (d == NULL) {
		fputs("bobsync: out of guarded memory\n", stderr);
		abort();
	}
	if (n > 0)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
secret_free(char **p)
{
	if (p == NULL || *p == NULL)
		return;
	sodium_memzero(*p, strlen(*p));
	sodium_free(*p);
	*p = NULL;
}

int
str_parse_hhmm(const char *s)
{
	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	return h > 23 || m > 59 ? -1 : h * 60 + m;
}
