/* arena.c - see arena.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/util.h"

/* Blocks grow with the arena, eight times the last (to 2 MiB), so a
 * single person costs 4 kB and a company a block per 2 MiB after 292 kB
 * of small ones.  Blocks of 2 MiB are aligned to it and asked to be one
 * huge page: a first touch of a 40 MB plan is then 20 page faults, not
 * 10,000 (each costs microseconds, ten in this virtual machine). */
#define ARENA_FIRST	4096
#define ARENA_MAX	(2u << 20)
#define ARENA_ALIGN	(sizeof(void *) > sizeof(double) ? sizeof(void *) : sizeof(double))

struct arena_block {
	struct arena_block *next;
	size_t size;
	/* the data follows, aligned */
};

#define BLOCK_HEAD	((sizeof(struct arena_block) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1))

void
arena_init(struct arena *a)
{
	memset(a, 0, sizeof *a);
}

/* Forget the interned strings' table. */
static void
drop_table(struct arena *a)
{
	free(a->slot);
	free(a->hash);
	free(a->len);
	a->slot = NULL;
	a->hash = NULL;
	a->len = NULL;
	a->nslot = a->ninterned = 0;
}

void
arena_clear(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	drop_table(a);
	memset(a, 0, sizeof *a);
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;
	int copy_only = a->copy_only;

	if (a->head == NULL)
		return;
	b = a->head;
	for (next = b->next; next != NULL; next = b->next) {
		b->next = next->next;
		free(next);
	}
	drop_table(a);
	a->bytes = b->size;
	a->next = (char *)b + BLOCK_HEAD;
	a->end = (char *)b + b->size;
	a->copy_only = copy_only;
}

void
arena_mark(const struct arena *a, struct arena_mark *m)
{
	m->head = a->head;
	m->next = a->next;
	m->interned = a->ninterned;
}

void
arena_rewind(struct arena *a, const struct arena_mark *m)
{
	int copy_only = a->copy_only;

	/* the blocks begun since the mark go (a big one-off put behind the
	 * mark's block stays until arena_clear: it may hold older texts) */
	while (a->head != m->head && a->head != NULL) {
		struct arena_block *b = a->head;
		a->head = b->next;
		a->bytes -= b->size;
		free(b);
	}
	if (a->head == NULL) {
		a->next = a->end = NULL;
	} else {
		a->next = m->next;
		a->end = (char *)a->head + a->head->size;
	}
	/* a table that holds texts interned since the mark would point at
	 * what is given back: forgotten (older texts are copied again when
	 * they come again, which costs room, never correctness) */
	if (a->ninterned != m->interned)
		drop_table(a);
	a->copy_only = copy_only;
}

static void
grow(struct arena *a, size_t need)
{
	size_t size = a->head ? a->head->size * 8 : ARENA_FIRST;
	struct arena_block *b;

	if (size > ARENA_MAX)
		size = ARENA_MAX;
	if (size < need + BLOCK_HEAD)
		size = need + BLOCK_HEAD;
	b = size >= ARENA_MAX ? xmalloc_big(&size) : xmalloc(size);
	b->size = size;
	if (a->head != NULL && need > ARENA_MAX / 4) {
		/* a big one-off: keep filling the current block afterwards */
		b->next = a->head->next;
		a->head->next = b;
	} else {
		b->next = a->head;
		a->head = b;
		a->next = (char *)b + BLOCK_HEAD;
		a->end = (char *)b + size;
	}
	a->bytes += size;
}

static void *
take(struct arena *a, size_t n, size_t align)
{
	uintptr_t p = ((uintptr_t)a->next + align - 1) & ~(uintptr_t)(align - 1);
	void *r;

	if (a->head == NULL || p + n > (uintptr_t)a->end || p < (uintptr_t)a->next) {
		struct arena_block *before = a->head;
		grow(a, n + align);
		if (a->head == before) {	/* the big one-off block */
			r = (char *)before->next + BLOCK_HEAD;
			return r;
		}
		p = ((uintptr_t)a->next + align - 1) & ~(uintptr_t)(align - 1);
	}
	r = (void *)p;
	a->next = (char *)p + n;
	return r;
}

void *
arena_alloc_raw(struct arena *a, size_t n)
{
	return take(a, n ? n : 1, ARENA_ALIGN);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	void *r = take(a, n ? n : 1, ARENA_ALIGN);

	memset(r, 0, n);
	return r;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *r = take(a, n + 1, 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s != NULL ? arena_strndup(a, s, strlen(s)) : NULL;
}

static uint32_t
hash_of(const char *s, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void
rehash(struct arena *a)
{
	size_t n = a->nslot ? a->nslot * 2 : 256;
	const char **slot = xcalloc(n, sizeof *slot);
	uint32_t *hash = xcalloc(n, sizeof *hash);
	uint32_t *len = xcalloc(n, sizeof *len);

	for (size_t i = 0; i < a->nslot; i++) {
		size_t k;
		if (a->slot[i] == NULL)
			continue;
		for (k = a->hash[i] & (n - 1); slot[k] != NULL; k = (k + 1) & (n - 1))
			;
		slot[k] = a->slot[i];
		hash[k] = a->hash[i];
		len[k] = a->len[i];
	}
	free(a->slot);
	free(a->hash);
	free(a->len);
	a->slot = slot;
	a->hash = hash;
	a->len = len;
	a->nslot = n;
}

const char *
arena_intern(struct arena *a, const char *s, size_t n)
{
	uint32_t h;
	size_t k;

	if (n >= UINT32_MAX || a->copy_only)
		return arena_strndup(a, s, n);
	h = hash_of(s, n);
	if (2 * (a->ninterned + 1) > a->nslot)
		rehash(a);
	for (k = h & (a->nslot - 1); a->slot[k] != NULL; k = (k + 1) & (a->nslot - 1))
		if (a->hash[k] == h && a->len[k] == n && memcmp(a->slot[k], s, n) == 0)
			return a->slot[k];
	a->slot[k] = arena_strndup(a, s, n);
	a->hash[k] = h;
	a->len[k] = (uint32_t)n;
	a->ninterned++;
	return a->slot[k];
}

const char *
arena_intern_str(struct arena *a, const char *s)
{
	return s != NULL ? arena_intern(a, s, strlen(s)) : NULL;
}

const char *
arena_internf(struct arena *a, const char *fmt, ...)
{
	char small[256], *big = NULL;
	const char *r;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_intern(a, "", 0);
	if ((size_t)n < sizeof small)
		return arena_intern(a, small, (size_t)n);
	va_start(ap, fmt);
	big = xvasprintf(fmt, ap);
	va_end(ap);
	r = arena_intern(a, big, (size_t)n);
	free(big);
	return r;
}
