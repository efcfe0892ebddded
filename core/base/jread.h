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
	size_t slen;
	size_t end;		/* index of the node after this one's subtree */
	union {
		long long i;	/* JT_INT */
		double r;	/* JT_REAL */
	} num;
	uint32_t khash;
	unsigned char type;	/* enum jtype */
	unsigned char escaped;	/* s holds escapes: decode with jread_strdup;
				 * JREAD_DAMAGED also set when one was \u0000 or a
				 * lone surrogate (decoded as U+FFFD) */
};
#define JREAD_DAMAGED 2

/* The nodes of one parsed value, in document order: a container's members
 * follow it, its first member at index+1, the next sibling at .end.  Owns
 * the node array and the decoded member names; reused from parse to parse. */
struct jdoc {
	struct jnode *v;
	size_t n, cap;
	char **keys;		/* member names that held escapes, decoded */
	size_t nkeys, keycap;
	char err[96];		/* why the last parse failed */
	size_t err_off;		/* byte offset of the failure */
};

/* Parse one JSON value from text[0..len).  With used == NULL the text must
 * hold nothing else but white space; otherwise parsing stops after the
 * value and *used is set to the offset just past it.  Returns 0, or -1
 * with d->err and d->err_off set. */
int jread_parse(struct jdoc *d, const char *text, size_t len, size_t *used);
void jread_free(struct jdoc *d);

/* The root, or NULL when nothing was parsed. */
const struct jnode *jread_root(const struct jdoc *d);
/* Member `key` (klen bytes) of an object node; NULL when absent or when
 * obj is not an object. */
const struct jnode *jread_get(const struct jdoc *d, const struct jnode *obj,
    const char *key, size_t klen);
/* Iterate a container: first member, then next after each (NULL at the end). */
const struct jnode *jread_first(const struct jdoc *d, const struct jnode *c);
const struct jnode *jread_next(const struct jdoc *d, const struct jnode *c,
    const struct jnode *member);

/* A string node's value, decoded, NUL-terminated; caller frees.  NULL when
 * n is not a string. */
char *jread_strdup(const struct jnode *n);
/* Whether a string node's decoded value equals s (NUL-terminated). */
int jread_str_eq(const struct jnode *n, const char *s);
/* Length of the valid UTF-8 sequence at p (before end), 0 when it is not
 * one: no overlongs, no surrogates, nothing past U+10FFFF (as Jansson). */
size_t jread_utf8_len(const unsigned char *p, const unsigned char *end);
/* Length in bytes of a string node's decoded value. */
size_t jread_strlen(const struct jnode *n);

#endif
