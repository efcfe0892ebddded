/* jread.h - a light JSON reader for large answers.
 *
 * HiBob's people search returns every person in one answer (about 1.4 kB
 * each, 140 MB at 100,000 people).  A Jansson tree per person costs a
 * malloc per value and key; this reader parses one JSON value into a flat,
 * reusable array of nodes that point into the text, so reading a person
 * allocates nothing but the strings the caller keeps.
 *
 * It accepts exactly what Jansson's decoder accepts with
 * JSON_REJECT_DUPLICATES (RFC 8259 grammar, valid UTF-8, no \u0000, paired
 * surrogates, integers that fit a long long, finite reals, no duplicate
 * member names) except that nesting deeper than JREAD_MAX_DEPTH is refused
 * and so is a NUL byte after a number (Jansson takes "3" and a NUL for 3).
 * Strings are validated while parsing and decoded only when asked for.
 */
#ifndef BS_JREAD_H
#define BS_JREAD_H

#include <stddef.h>
#include <stdint.h>

#define JREAD_MAX_DEPTH 64

enum jtype { JT_NULL, JT_FALSE, JT_TRUE, JT_INT, JT_REAL, JT_STRING, JT_ARRAY, JT_OBJECT };

struct jnode {
	const char *key;	/* member name (decoded, not NUL-terminated); NULL in arrays */
	size_t klen;
	const char *s;		/* strings: the raw text between the quotes */
	size_t slen;		/* (objects: where their kept name table is, jdoc.index) */
	size_t end;		/* index of the node after this one's subtree */
	union {
		long long i;	/* JT_INT */
		double r;	/* JT_REAL */
	} num;
	uint32_t khash;
	unsigned char type;	/* enum jtype */
	unsigned char escaped;	/* s holds escapes: decode with jread_strdup;
				 * JREAD_DAMAGED also set when one was \u0000 or a
				 * lone surrogate (decoded as U+FFFD); objects: the
				 * size (log 2) of their kept name table, 0 = none */
};
#define JREAD_DAMAGED 2

/* One slot of an object's member-name table (jread.c); off 0 = empty. */
struct jslot {
	size_t off;		/* the member's node index minus the object's */
	uint32_t khash;
};

/* The nodes of one parsed value, in document order: a container's members
 * follow it, its first member at index+1, the next sibling at .end.  Owns
 * the node array and the decoded member names; reused from parse to parse. */
struct jdoc {
	struct jnode *v;
	size_t n, cap;
	char **keys;		/* member names that held escapes, decoded */
	size_t nkeys, keycap;
	struct jslot *tab;	/* the member-name tables of the objects being read */
	size_t ntab, tabcap;
	/* set by the caller: keep the member-name table of each object of
	 * more than 8 members after the parse (16 bytes a slot, up to 4/3 of
	 * the members rounded up to a power of 2, 32 at least), so jread_get
	 * finds a member in O(1) instead of walking the members; jstream sets
	 * it for its elements.  Such an object node holds the table's place in
	 * slen and escaped. */
	int index;
	size_t damaged;		/* string values marked JREAD_DAMAGED in the last parse */
	char err[96];		/* why the last parse failed */
	size_t err_off;		/* byte offset of the failure */
};

/* Parse one JSON value from text[0..len).  With used == NULL the text must
 * hold nothing else but white space; otherwise parsing stops after the
 * value and *used is set to the offset just past it.  Returns 0, or -1
 * with d->err and d->err_off set. */
int jread_parse(struct jdoc *d, const char *text, size_t len, size_t *used);
/* Parse the NUL-terminated text into d only where Jansson's json_loads
 * would read the very same value: 0, or -1 when jread refuses it or it
 * holds a \u0000 or lone surrogate (Jansson refuses the one, jread
 * marks both).  jread also refuses a repeated member name, which Jansson
 * takes unless told not to: on -1 a caller that must say what Jansson
 * says asks Jansson. */
int jread_parse_as_jansson(struct jdoc *d, const char *text);
void jread_clear(struct jdoc *d);

/* The root, or NULL when nothing was parsed. */
const struct jnode *jread_root(const struct jdoc *d);
/* Member `key` (klen bytes) of an object node; NULL when absent or when
 * obj is not an object. */
const struct jnode *jread_get(const struct jdoc *d, const struct jnode *obj,
    const char *key, size_t klen);
/* Iterate a container: first member, then next after each (NULL at the end).
 * Inline: a person's walk over its members takes some forty steps. */
static inline const struct jnode *
jread_first(const struct jdoc *d, const struct jnode *c)
{
	size_t i;

	if (c == NULL || (c->type != JT_OBJECT && c->type != JT_ARRAY))
		return NULL;
	i = (size_t)(c - d->v) + 1;
	return i < c->end ? &d->v[i] : NULL;
}

static inline const struct jnode *
jread_next(const struct jdoc *d, const struct jnode *c, const struct jnode *member)
{
	if (c == NULL || member == NULL || member->end >= c->end)
		return NULL;
	return &d->v[member->end];
}

/* A string node's value, decoded, NUL-terminated; caller frees.  NULL when
 * n is not a string. */
char *jread_strdup(const struct jnode *n);
/* Decode a string node's value into out, which has room for n->slen + 1
 * bytes (decoding never lengthens it), NUL-terminated; its length.  ""
 * when n is not a string. */
size_t jread_decode(const struct jnode *n, char *out);
/* Whether a string node's decoded value equals s (NUL-terminated). */
int jread_str_eq(const struct jnode *n, const char *s);
/* Length of the valid UTF-8 sequence at p (before end), 0 when it is not
 * one: no overlongs, no surrogates, nothing past U+10FFFF (as Jansson). */
size_t jread_utf8_len(const unsigned char *p, const unsigned char *end);
/* Whether s[0..len) is all valid UTF-8 (as jread_utf8_len takes it). */
int jread_utf8_valid(const char *s, size_t len);
/* Length in bytes of a string node's decoded value. */
size_t jread_strlen(const struct jnode *n);

/* ---- reading an answer while it arrives ----
 *
 * The elements of one array are handed to fn one at a time, each parsed
 * with jread_parse, while the text comes in pieces of any size: the array
 * at member `key` of the top-level object ({"employees":[...]}), or the
 * top-level value when that is an array.  Only the element being read is
 * held (copied when it straddles two pieces), so memory is bounded by the
 * largest element, not by the answer; an element (or any other member's
 * value) longer than max_elem bytes fails the read.  Everything around the
 * array must be valid JSON too: the whole text is accepted when
 * jread_parse would accept it in one piece, except that the top level must
 * be an object or an array, a `key` member that is not an array or comes
 * twice is refused, other repeated top-level member names are not, and
 * JREAD_MAX_DEPTH counts from each element and each top-level member. */
typedef int (*jstream_fn)(void *ctx, const struct jdoc *d, const struct jnode *elem);

struct jstream {
	const char *key;		/* borrowed */
	size_t klen, max_elem;
	jstream_fn fn;			/* returns <0 to stop the read */
	void *ctx;
	struct jdoc doc;		/* the element being read */
	char *carry;			/* text not yet read: an element that straddles pieces */
	size_t clen, ccap;
	size_t tried;			/* carry length when it was last found incomplete */
	unsigned long long off;		/* offset of the carry's (or the piece's) first byte */
	int state, bare, match, found, stopped;
	/* with keep_head, the text is also kept while the array has not been
	 * found (at most max_elem bytes; head_over when there was more): a
	 * caller can read a small answer of another shape itself */
	int keep_head, head_over;
	char *head;
	size_t hlen, hcap;
	char err[128];			/* why the read failed */
};

void jstream_init(struct jstream *s, const char *key, size_t max_elem, jstream_fn fn,
    void *ctx);
/* Start again from nothing (a retried request); keeps the buffers. */
void jstream_reset(struct jstream *s);
/* Read the next piece; 0, or -1 with s->err set (then every later call
 * fails too).  s->stopped tells that fn asked to stop. */
int jstream_feed(struct jstream *s, const char *data, size_t len);
/* The text is complete: 0 when it was one valid value, else -1. */
int jstream_finish(struct jstream *s);
void jstream_clear(struct jstream *s);

#endif
