/* arena.h - many small strings kept in a few large blocks.
 *
 * A company's people are read once and freed together: one arena holds
 * the text of all of them, so reading 100,000 people costs a few dozen
 * allocations instead of two million, and no malloc header per string.
 * Texts that repeat from person to person (a department, a site, a date,
 * a list item id, a rule's verdict) are interned: kept once and shared.
 * Nothing in an arena is freed on its own; arena_clear frees it all.
 */
#ifndef BS_ARENA_H
#define BS_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct arena_block;

struct arena {
	struct arena_block *head;	/* the block being filled; older ones follow */
	char *next, *end;		/* the free space of head */
	/* the interned strings: open addressing, NULL = empty slot */
	const char **slot;
	uint32_t *hash;
	uint32_t *len;			/* the slot's length (a longer text is not interned) */
	size_t nslot, ninterned;
	size_t bytes;			/* all blocks' sizes (a measurement) */
	/* set: arena_intern copies without looking, for an arena whose
	 * texts are soon dropped (one person read and handed over), where
	 * the table would cost more than it saves; arena_clear unsets it */
	int copy_only;
};

/* An empty arena: a zeroed struct is one too. */
void arena_init(struct arena *a);
void arena_clear(struct arena *a);
/* Empty it for reuse, keeping its newest block (so a scratch arena used
 * again and again is not freed and touched anew each time). */
void arena_reset(struct arena *a);

/* A place in an arena to go back to: everything taken from it after
 * arena_mark is given back by arena_rewind (texts taken before stay where
 * they are).  For work that may be done again (a read retried). */
struct arena_mark {
	struct arena_block *head;
	char *next;
	size_t interned;
};
void arena_mark(const struct arena *a, struct arena_mark *m);
void arena_rewind(struct arena *a, const struct arena_mark *m);

/* n bytes aligned for any object, zeroed; never NULL (aborts on OOM). */
void *arena_alloc(struct arena *a, size_t n);
/* The same, not zeroed (for bytes about to be written over). */
void *arena_alloc_raw(struct arena *a, size_t n);
/* A NUL-terminated copy of s[0..n) (s may hold no NUL in that range). */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* NULL for NULL. */
char *arena_strdup(struct arena *a, const char *s);
/* The one copy of s[0..n) in this arena: equal texts give the same
 * pointer.  For texts that repeat; a unique text costs a slot more.  A
 * text of 4 GiB or more is copied, not interned. */
const char *arena_intern(struct arena *a, const char *s, size_t n);
/* NULL for NULL. */
const char *arena_intern_str(struct arena *a, const char *s);
/* printf into the arena, interned. */
const char *arena_internf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
