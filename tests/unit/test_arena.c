/* test_arena.c - the string arena the people and verdicts are kept in:
 * copies, interning, alignment, large and many allocations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

static void
empty_and_null(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a);
	assert_null(arena_strdup(&a, NULL));
	assert_null(arena_intern_str(&a, NULL));
	assert_int_equal(a.bytes, 0);
	arena_clear(&a);
	arena_clear(&a);	/* twice: nothing left to free */
	arena_clear(NULL);
}

static void
copies_are_copies(void **state)
{
	struct arena a = { 0 };
	char src[] = "Marketing";
	char *c;
	(void)state;
	c = arena_strndup(&a, src, 6);
	assert_string_equal(c, "Market");
	assert_ptr_not_equal(c, src);
	src[0] = 'X';
	assert_string_equal(arena_strdup(&a, src), "Xarketing");
	assert_string_equal(c, "Market");	/* not a view of src */
	assert_string_equal(arena_strndup(&a, "", 0), "");
	arena_clear(&a);
}

static void
interning_shares_equal_texts(void **state)
{
	struct arena a = { 0 };
	char buf[32];
	const char *x, *y, *z, *e1, *e2;
	(void)state;
	x = arena_intern_str(&a, "2026-03-02");
	snprintf(buf, sizeof buf, "2026-03-%02d", 2);
	y = arena_intern_str(&a, buf);
	z = arena_intern(&a, "2026-03-02T00:00", 10);	/* a prefix of a longer text */
	assert_ptr_equal(x, y);
	assert_ptr_equal(x, z);
	assert_ptr_not_equal(x, buf);
	/* a prefix of an interned text is a text of its own */
	assert_ptr_not_equal(arena_intern(&a, "2026-03-02", 9), x);
	assert_string_equal(arena_intern(&a, "2026-03-02", 9), "2026-03-0");
	e1 = arena_intern(&a, "", 0);
	e2 = arena_intern_str(&a, "");
	assert_ptr_equal(e1, e2);
	assert_string_equal(e1, "");
	assert_ptr_equal(arena_internf(&a, "%s-%02d-%02d", "2026", 3, 2), x);
	assert_int_equal(a.ninterned, 3);
	arena_clear(&a);
}

static void
many_texts_survive_growth(void **state)
{
	struct arena a = { 0 };
	const char **first = calloc(20000, sizeof *first);
	char buf[48];
	(void)state;
	/* 20,000 distinct texts: the table is rehashed and blocks added many
	 * times; every text stays where it was and is found again */
	for (int i = 0; i < 20000; i++) {
		snprintf(buf, sizeof buf, "department %d", i);
		first[i] = arena_intern_str(&a, buf);
	}
	for (int i = 0; i < 20000; i++) {
		snprintf(buf, sizeof buf, "department %d", i);
		assert_string_equal(first[i], buf);
		assert_ptr_equal(arena_intern_str(&a, buf), first[i]);
	}
	assert_int_equal(a.ninterned, 20000);
	assert_true(a.bytes >= 20000 * 14);
	free(first);
	arena_clear(&a);
}

static void
allocations_aligned_zeroed_and_large(void **state)
{
	struct arena a = { 0 };
	double *d;
	char *big, *after;
	(void)state;
	(void)arena_strndup(&a, "x", 1);	/* misalign the free space */
	d = arena_alloc(&a, 3 * sizeof *d);
	assert_int_equal((uintptr_t)d % sizeof(double), 0);
	assert_true(d[0] == 0 && d[1] == 0 && d[2] == 0);
	d[2] = 1.5;
	/* bigger than any block: a block of its own, and the current block
	 * goes on being filled */
	big = arena_alloc(&a, 3u << 20);
	assert_int_equal(big[(3u << 20) - 1], 0);
	memset(big, 'b', 3u << 20);
	after = arena_strdup(&a, "after");
	assert_string_equal(after, "after");
	assert_true(d[2] == 1.5);
	/* a long text is still interned */
	big[(3u << 20) - 1] = '\0';
	assert_ptr_equal(arena_intern_str(&a, big), arena_intern(&a, big, (3u << 20) - 1));
	arena_clear(&a);
}

/* Past 2 MiB the arena takes whole 2 MiB blocks on a 2 MiB boundary
 * (each can be one huge page); what was kept stays intact. */
static void
big_arena_in_aligned_2mib_blocks(void **state)
{
	struct arena a;
	char piece[1000];
	char *kept[6000];
	(void)state;
	arena_init(&a);
	for (size_t i = 0; i < 6000; i++) {
		memset(piece, 'a' + (int)(i % 26), sizeof piece - 1);
		piece[sizeof piece - 1] = '\0';
		kept[i] = arena_strdup(&a, piece);
	}
	assert_true(a.bytes >= 6000 * 1000);
	assert_int_equal((uintptr_t)a.head % (2u << 20), 0);
	for (size_t i = 0; i < 6000; i++) {
		assert_int_equal(strlen(kept[i]), sizeof piece - 1);
		assert_int_equal(kept[i][0], 'a' + (int)(i % 26));
		assert_int_equal(kept[i][sizeof piece - 2], 'a' + (int)(i % 26));
	}
	arena_clear(&a);
}

/* copy_only: arena_intern copies, equal texts no longer share; cleared
 * with the arena. */
static void
copy_only_copies(void **state)
{
	struct arena a;
	const char *x, *y;
	(void)state;
	arena_init(&a);
	a.copy_only = 1;
	x = arena_intern(&a, "Support", 7);
	y = arena_intern(&a, "Support", 7);
	assert_string_equal(x, "Support");
	assert_string_equal(y, "Support");
	assert_ptr_not_equal(x, y);
	assert_int_equal(a.ninterned, 0);
	arena_clear(&a);
	assert_int_equal(a.copy_only, 0);
	assert_ptr_equal(arena_intern(&a, "a", 1), arena_intern(&a, "a", 1));
	arena_clear(&a);
}

/* arena_reset empties the arena for reuse and keeps one block. */
static void
reset_keeps_one_block(void **state)
{
	struct arena a;
	(void)state;
	size_t kept = 0;
	arena_init(&a);
	for (int round = 0; round < 3; round++) {
		const char *x = NULL;
		for (int i = 0; i < 20000; i++)
			(void)arena_strdup(&a, "a text of some length, kept for a while");
		x = arena_intern(&a, "repeated text", 13);
		assert_ptr_equal(x, arena_intern(&a, "repeated text", 13));
		assert_int_equal(a.ninterned, 1);
		arena_reset(&a);
		assert_int_equal(a.ninterned, 0);
		assert_non_null(a.head);
		/* the newest block alone: it grows until a round fits in it */
		if (round == 2)
			assert_int_equal(a.bytes, kept);
		kept = a.bytes;
		(void)arena_strdup(&a, "one more");
		assert_int_equal(a.bytes, kept);	/* it fits: no new block */
	}
	arena_clear(&a);
	arena_reset(&a);	/* an empty arena: nothing to do */
	assert_null(a.head);
}

/* arena_rewind gives back what was taken after arena_mark, whether it
 * filled the mark's block or took new ones, and keeps what came before;
 * a table holding texts interned since is forgotten. */
static void
rewind_gives_back_what_came_after(void **state)
{
	struct arena a;
	struct arena_mark m, empty;
	const char *before, *x;
	char *after, *again;
	size_t bytes;
	(void)state;
	arena_init(&a);
	arena_mark(&a, &empty);
	before = arena_strdup(&a, "kept from before the mark");
	x = arena_intern(&a, "old", 3);
	arena_mark(&a, &m);
	bytes = a.bytes;
	after = arena_strdup(&a, "given back");
	for (int i = 0; i < 200000; i++)
		(void)arena_strdup(&a, "a text of some length, taken after the mark");
	assert_true(a.bytes > bytes);
	arena_rewind(&a, &m);
	assert_int_equal(a.bytes, bytes);
	assert_string_equal(before, "kept from before the mark");
	assert_ptr_equal(arena_intern(&a, "old", 3), x);	/* nothing interned since */
	again = arena_strdup(&a, "given back");
	assert_ptr_equal(again, after);		/* the same room again */
	(void)arena_intern(&a, "new", 3);
	arena_rewind(&a, &m);
	assert_int_equal(a.ninterned, 0);	/* "new" was given back: table gone */
	assert_string_equal(arena_intern(&a, "old", 3), "old");
	arena_rewind(&a, &empty);
	assert_null(a.head);
	assert_int_equal(a.bytes, 0);
	(void)arena_strdup(&a, "usable after");
	arena_clear(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_and_null),
		cmocka_unit_test(copies_are_copies),
		cmocka_unit_test(interning_shares_equal_texts),
		cmocka_unit_test(many_texts_survive_growth),
		cmocka_unit_test(allocations_aligned_zeroed_and_large),
		cmocka_unit_test(big_arena_in_aligned_2mib_blocks),
		cmocka_unit_test(copy_only_copies),
		cmocka_unit_test(reset_keeps_one_block),
		cmocka_unit_test(rewind_gives_back_what_came_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
