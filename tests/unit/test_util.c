/* test_util.c - the shared helpers of core/base/util.c that used to be
 * written more than once: the edit distance behind "did you mean" and the
 * guarded copy of a secret. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <string.h>

#include <sodium.h>

#include "base/arena.h"
#include "base/util.h"

static void
edit_distance_counts_edits(void **state)
{
	(void)state;
	assert_int_equal(str_edit_distance("", "", 5), 0);
	assert_int_equal(str_edit_distance("abc", "", 5), 3);
	assert_int_equal(str_edit_distance("kitten", "sitting", 5), 3);
	assert_int_equal(str_edit_distance("roster.schedule", "roster.shedule", 5), 1);
	assert_int_equal(str_edit_distance("flaw", "lawn", 5), 2);
}

static void
edit_distance_folds_ascii_case(void **state)
{
	(void)state;
	assert_int_equal(str_edit_distance("HiBob", "hibob", 5), 0);
	assert_int_equal(str_edit_distance("ALLEO", "alleo_", 5), 1);
}

static void
edit_distance_stops_at_the_bound(void **state)
{
	char longer[80];

	(void)state;
	/* lengths alone exceed the bound */
	assert_int_equal(str_edit_distance("a", "abcdefgh", 2), 3);
	/* a real distance above the bound is reported as bound + 1 */
	assert_int_equal(str_edit_distance("abcdef", "uvwxyz", 2), 3);
	/* over 64 bytes: bound + 1, whatever the strings */
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(str_edit_distance(longer, longer, 98), 99);
}

static void
secret_dup_copies_and_free_clears(void **state)
{
	char *s = secret_dup("token-123"), *e = secret_dup(NULL);

	(void)state;
	assert_string_equal(s, "token-123");
	assert_string_equal(e, "");
	secret_free(&s);
	secret_free(&e);
	assert_null(s);
	assert_null(e);
	secret_free(&s);	/* NULL again: nothing to do */
	secret_free(NULL);
}

static void
parse_hhmm_takes_only_a_24_hour_time(void **state)
{
	(void)state;
	assert_int_equal(str_parse_hhmm("00:00"), 0);
	assert_int_equal(str_parse_hhmm("02:30"), 150);
	assert_int_equal(str_parse_hhmm("23:59"), 23 * 60 + 59);
	assert_int_equal(str_parse_hhmm("24:00"), -1);
	assert_int_equal(str_parse_hhmm("12:60"), -1);
	assert_int_equal(str_parse_hhmm("2:30"), -1);
	assert_int_equal(str_parse_hhmm("02:30:00"), -1);
	assert_int_equal(str_parse_hhmm("02:3x"), -1);
	assert_int_equal(str_parse_hhmm(""), -1);
	assert_int_equal(str_parse_hhmm(NULL), -1);
}

/* str_pack: the strings of a record in one allocation after a head the
 * caller fills; NULL stays NULL, a string equal to the one before it is
 * shared, each copy independent of its source. */
static void
str_pack_copies_into_one_block(void **state)
{
	struct rec {
		long n;
		char *a, *b, *c, *d;
	} r = { 7, NULL, NULL, NULL, NULL };
	char src_a[] = "3000001033617202983";
	char **const dst[] = { &r.a, &r.b, &r.c, &r.d };
	const char *const src[] = { src_a, src_a, NULL, "Marisol Dubois" };
	struct rec *block;
	size_t size;
	char *base;

	(void)state;
	block = str_pack(sizeof r, dst, src, 4, &size);
	memcpy(block, &r, sizeof r);
	base = (char *)block;
	assert_int_equal(size, sizeof r + sizeof src_a + strlen("Marisol Dubois") + 1);
	assert_int_equal(block->n, 7);
	assert_string_equal(block->a, "3000001033617202983");
	assert_ptr_equal(block->b, block->a);		/* shared */
	assert_null(block->c);
	assert_string_equal(block->d, "Marisol Dubois");
	assert_true(block->a >= base + sizeof r && block->d + strlen(block->d) < base + size);
	src_a[0] = 'X';
	assert_string_equal(block->a, "3000001033617202983");	/* a copy */
	free(block);
	block = str_pack(0, dst, (const char *const[]){ NULL, NULL, NULL, NULL }, 4, &size);
	assert_int_equal(size, 0);
	assert_null(r.a);
	assert_null(r.d);
	free(block);
}

/* str_pack_lens: the same packing into an arena, with each string's
 * length (a shared one has its source's, NULL has 0); the bytes after a
 * string are its NUL and the next string, however the arena was used. */
static void
str_pack_lens_gives_lengths(void **state)
{
	struct arena a;
	char *x, *y, *z, *w;
	char **const dst[] = { &x, &y, &z, &w };
	const char *const src[] = { "ab", "ab", NULL, "{\"k\":\"v\"}" };
	size_t len[4] = { 9, 9, 9, 9 }, size;
	char *block;

	(void)state;
	arena_init(&a);
	(void)arena_alloc(&a, 3);	/* the arena's next bytes are not zero */
	memset(arena_alloc_raw(&a, 64), 'Q', 64);
	block = str_pack_lens(&a, 0, dst, src, 4, &size, len);
	assert_int_equal(size, 3 + 10);
	assert_int_equal(len[0], 2);
	assert_int_equal(len[1], 2);
	assert_int_equal(len[2], 0);
	assert_int_equal(len[3], 9);
	assert_ptr_equal(x, block);
	assert_ptr_equal(y, x);
	assert_null(z);
	assert_string_equal(w, "{\"k\":\"v\"}");
	assert_memory_equal(block, "ab\0{\"k\":\"v\"}", 13);
	arena_clear(&a);
}

/* str_ascii_run agrees with a byte-by-byte reading wherever the first
 * byte that ends the run lies (inside or across 16-byte pieces, in the
 * tail) and whichever byte it is. */
static void
ascii_run_every_offset(void **state)
{
	static const unsigned char enders[] = { 0x00, 0x01, 0x1f, 0x7f, 0x80, 0xc3, 0xff, '"', '\\' };
	char buf[64];
	(void)state;
	for (size_t len = 0; len <= 48; len++) {
		memset(buf, 'a', sizeof buf);
		assert_int_equal(str_ascii_run(buf, len, '"', '\\'), len);
		assert_int_equal(str_ascii_run(buf, len, 0, 0), len);
		for (size_t at = 0; at < len; at++) {
			for (size_t e = 0; e < sizeof enders; e++) {
				int stops = enders[e] == '"' || enders[e] == '\\';
				memset(buf, 'A' + (int)(at % 26), sizeof buf);
				buf[at] = (char)enders[e];
				assert_int_equal(str_ascii_run(buf, len, '"', '\\'), at);
				assert_int_equal(str_ascii_run(buf, len, 0, 0), stops ? len : at);
				assert_int_equal(str_ascii_run(buf, len, '"', 0),
				    enders[e] == '\\' ? len : at);
			}
		}
	}
}

/* xreallocarray_big keeps what was there as the array grows on; when it
 * first passes 256 kB it moves to a 2 MiB boundary, and it stays in that
 * block while the block has room. */
static void
big_array_grows_and_keeps(void **state)
{
	size_t cap = 0, n = 0;
	uint32_t *v = NULL;
	int aligned_seen = 0, kept_seen = 0;
	(void)state;
	xfree_big_spares();	/* no block kept by an earlier test */
	for (uint32_t i = 0; i < 3000000; i++) {
		if (n == cap) {
			size_t was = cap;
			uint32_t *before = v;
			cap = cap ? cap * 2 : 16;
			v = xreallocarray_big(v, n, cap, sizeof *v);
			if (was * sizeof *v < (256u << 10) && cap * sizeof *v >= (256u << 10)) {
				assert_int_equal((uintptr_t)v % (2u << 20), 0);
				aligned_seen = 1;
			} else if (was * sizeof *v >= (256u << 10) && cap * sizeof *v <= (2u << 20)) {
				assert_ptr_equal(v, before);
				kept_seen = 1;
			}
		}
		v[n++] = i * 2654435761u;
	}
	assert_true(aligned_seen);
	assert_true(kept_seen);
	for (uint32_t i = 0; i < n; i++)
		assert_true(v[i] == i * 2654435761u);
	free(v);
	v = xreallocarray_big(NULL, 0, 10, sizeof *v);	/* small: plain */
	v[9] = 1;
	free(v);
	/* a growing array gets four times the room, at most 64 MiB more (none
	 * of it touched here: nothing to copy) */
	xfree_big_spares();	/* the blocks the loop outgrew */
	{
		char *c = xreallocarray_big(NULL, 0, 1u << 20, 1);
		assert_true(malloc_usable_size(c) < (4u << 20));
		c = xreallocarray_big(c, 0, 3u << 20, 1);
		assert_true(malloc_usable_size(c) >= (12u << 20));
		c = xreallocarray_big(c, 0, 100u << 20, 1);
		assert_true(malloc_usable_size(c) >= (164u << 20));
		assert_true(malloc_usable_size(c) < (168u << 20));
		free(c);
	}
}

/* A big block given back is handed out again to the next big allocation
 * it fits, touched already (no page fault); two are kept at most, and
 * neither a block too big to keep nor one that is not xmalloc_big's. */
static void
big_blocks_given_back_serve_again(void **state)
{
	size_t n1 = 3u << 20, n2 = 2u << 20, n, huge = 80u << 20;
	char *a, *b, *c, *d, *e;
	(void)state;
	xfree_big_spares();
	a = xmalloc_big(&n1);
	b = xmalloc_big(&n2);
	assert_int_equal(n1, 4u << 20);	/* whole 2 MiB */
	memset(a, 1, n1);
	memset(b, 2, n2);
	xfree_big(a);
	xfree_big(b);
	n = 1u << 20;
	c = xmalloc_big(&n);
	n = 1u << 20;
	d = xmalloc_big(&n);
	assert_true((c == a && d == b) || (c == b && d == a));
	/* the very memory, not a fresh (zeroed) block at the same place */
	assert_int_equal(c[0], c == a ? 1 : 2);
	assert_int_equal(d[(1u << 20) - 1], d == a ? 1 : 2);
	/* a spare too small for a request is freed, not handed out */
	xfree_big(c);
	n = 6u << 20;
	e = xmalloc_big(&n);
	assert_true(malloc_usable_size(e) >= (6u << 20));
	assert_int_equal((uintptr_t)e % (2u << 20), 0);
	xfree_big(d);
	xfree_big(e);
	n = 5u << 20;
	c = xmalloc_big(&n);	/* e, the only one big enough */
	assert_ptr_equal(c, e);
	free(c);
	/* nor to a request of less than half its size: a 16 MiB block an
	 * array outgrew would keep all it had touched for a 2 MiB one */
	n = 16u << 20;
	a = xmalloc_big(&n);
	memset(a, 3, n);
	xfree_big(a);
	n = 2u << 20;
	b = xmalloc_big(&n);
	assert_true(malloc_usable_size(b) < (8u << 20));
	free(b);
	xfree_big_spares();
	/* not kept: a block of another allocator, one over 64 MiB */
	a = malloc(4u << 20);
	assert_non_null(a);
	if ((uintptr_t)a % (2u << 20) == 0) {	/* by chance: another one */
		e = a;
		a = malloc(4u << 20);
		assert_non_null(a);
		free(e);
	}
	assert_true((uintptr_t)a % (2u << 20) != 0);
	xfree_big(a);
	b = xmalloc_big(&huge);
	xfree_big(b);
	n = 1u << 20;
	c = xmalloc_big(&n);
	assert_int_equal((uintptr_t)c % (2u << 20), 0);
	assert_true(malloc_usable_size(c) < (80u << 20));
	xfree_big(NULL);
	free(c);
	xfree_big_spares();
}

static int
key_at_cmp(const void *x, const void *y)
{
	const struct key_at *a = x, *b = y;

	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	return (a->at > b->at) - (a->at < b->at);
}

/* sort_keys_at: the order of qsort by (k, place it came), for keys that
 * differ in any byte, share bytes, or repeat. */
static void
radix_sort_is_stable_by_key(void **state)
{
	const size_t n = 20000;
	struct key_at *v = calloc(n, sizeof *v), *want = calloc(n, sizeof *want);
	uint64_t x = 88172645463325252ULL;
	(void)state;
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* all bytes random; then only two bytes; then few values */
			v[i].k = round == 0 ? x : round == 1 ? (x & 0xff00ff) << 8 : x % 7;
			v[i].at = i;
		}
		memcpy(want, v, n * sizeof *v);
		qsort(want, n, sizeof *want, key_at_cmp);
		sort_keys_at(v, n);
		assert_memory_equal(v, want, n * sizeof *v);
	}
	sort_keys_at(v, 1);
	sort_keys_at(NULL, 0);
	free(v);
	free(want);
}

/* str_hash: case-blind with fold (as the tables of emails need), exact
 * without. */
static void
hash_folds_case_when_asked(void **state)
{
	(void)state;
	assert_true(str_hash("Jane.Doe@Example.COM", 1) == str_hash("jane.doe@example.com", 1));
	assert_true(str_hash("Jane.Doe@Example.COM", 0) != str_hash("jane.doe@example.com", 0));
	assert_true(str_hash("3000001", 0) != str_hash("3000002", 0));
	assert_true(str_hash("", 0) == str_hash("", 1));
}

/* permute_at puts entries where the keys say, each moved once: a sort of
 * 1,000 random values by key then permute gives them in order, and entries
 * already in place (and an empty list) stay. */
/* The string index finds every key it was given, keeps the first
 * position of a key given twice, folds case when asked, and stays right
 * as it grows past its first tables. */
static void
str_index_finds_keys(void **state)
{
	struct str_index ix = { 0 }, ci = { .fold = 1 };
	char keys[3000][16];

	(void)state;
	assert_int_equal(str_index_get(&ix, "a"), SIZE_MAX);
	assert_int_equal(str_index_put(&ix, NULL, 1), SIZE_MAX);
	assert_int_equal(str_index_get(&ix, NULL), SIZE_MAX);
	for (size_t i = 0; i < 3000; i++) {
		snprintf(keys[i], sizeof keys[i], "Agent-%zu", i % 2000);
		/* the second thousand repeats the first: the first place stays */
		assert_int_equal(str_index_put(&ix, keys[i], i), i % 2000);
	}
	assert_int_equal(ix.n, 2000);
	for (size_t i = 0; i < 2000; i++)
		assert_int_equal(str_index_get(&ix, keys[i]), i);
	assert_int_equal(str_index_get(&ix, "agent-5"), SIZE_MAX);	/* case counts */
	assert_int_equal(str_index_get(&ix, "Agent-2000"), SIZE_MAX);
	assert_int_equal(str_index_get(&ix, ""), SIZE_MAX);

	assert_int_equal(str_index_put(&ci, "Ann@Example.test", 0), 0);
	assert_int_equal(str_index_put(&ci, "ann@example.TEST", 1), 0);
	assert_int_equal(str_index_get(&ci, "ANN@EXAMPLE.TEST"), 0);
	assert_int_equal(str_index_get(&ci, "ann@example.tes"), SIZE_MAX);
	assert_int_equal(str_index_put(&ci, "", 2), 2);	/* "" is a key like any */
	assert_int_equal(str_index_get(&ci, ""), 2);
	str_index_clear(&ix);
	str_index_clear(&ci);
	assert_int_equal(ci.fold, 1);	/* cleared, still case-blind */
	assert_int_equal(str_index_get(&ci, "ann@example.test"), SIZE_MAX);
}

static void
permute_at_follows_keys(void **state)
{
	enum { N = 1000 };
	struct rec { uint64_t v; char pad[13]; } *r = calloc(N, sizeof *r);
	struct key_at *k = calloc(N, sizeof *k);
	uint64_t x = 12345;
	(void)state;
	assert_non_null(r);
	assert_non_null(k);
	for (size_t i = 0; i < N; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		r[i].v = x >> 40;
		memset(r[i].pad, (int)(i & 0x7f), sizeof r[i].pad);
		k[i].k = r[i].v;
		k[i].at = i;
	}
	sort_keys_at(k, N);
	permute_at(r, sizeof *r, k, N);
	for (size_t i = 1; i < N; i++)
		assert_true(r[i - 1].v <= r[i].v);
	for (size_t i = 0; i < N; i++) {
		k[i].at = i;	/* the identity: nothing moves */
		r[i].v = i;
	}
	permute_at(r, sizeof *r, k, N);
	for (size_t i = 0; i < N; i++)
		assert_true(r[i].v == i);
	permute_at(r, sizeof *r, k, 0);
	free(r);
	free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edit_distance_counts_edits),
		cmocka_unit_test(edit_distance_folds_ascii_case),
		cmocka_unit_test(edit_distance_stops_at_the_bound),
		cmocka_unit_test(secret_dup_copies_and_free_clears),
		cmocka_unit_test(parse_hhmm_takes_only_a_24_hour_time),
		cmocka_unit_test(str_pack_copies_into_one_block),
		cmocka_unit_test(str_pack_lens_gives_lengths),
		cmocka_unit_test(ascii_run_every_offset),
		cmocka_unit_test(big_array_grows_and_keeps),
		cmocka_unit_test(big_blocks_given_back_serve_again),
		cmocka_unit_test(hash_folds_case_when_asked),
		cmocka_unit_test(radix_sort_is_stable_by_key),
		cmocka_unit_test(permute_at_follows_keys),
		cmocka_unit_test(str_index_finds_keys),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
