/* jwrite.h - write JSON text straight to a buffer or a file.
 *
 * For outputs too large to build as a Jansson tree first (a plan of
 * 100,000 actions): values are written as they come, in exactly the text
 * Jansson's json_dumps would give for the same tree, either compact
 * (JSON_COMPACT) or indented (JSON_INDENT(n) | JSON_PRESERVE_ORDER): the
 * same string escapes, the same real formatting (17 significant digits,
 * ".0" on whole numbers, no '+' or leading zeros in exponents).
 *
 * Usage: jw_init, then a value (objects: jw_key before each member), then
 * jw_finish (always: it frees).  Nothing is checked beyond what the caller says: a key
 * outside an object is the caller's bug.
 */
#ifndef BS_JWRITE_H
#define BS_JWRITE_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "base/jread.h"
#include "base/util.h"

#define JW_MAX_DEPTH 64

struct jwriter {
	struct strbuf buf;	/* pending text (all of it when out is NULL) */
	FILE *out;		/* flushed here when the buffer fills; may be NULL */
	int indent;		/* spaces per level; 0 = compact */
	int depth;
	int after_key;		/* the next value follows a key */
	unsigned char count[JW_MAX_DEPTH];	/* members so far, capped at 1 */
	int failed;		/* a write to out failed */
	struct jdoc doc;	/* jw_json's, reused */
};

void jw_init(struct jwriter *w, FILE *out, int indent);
void jw_object_begin(struct jwriter *w);
void jw_object_end(struct jwriter *w);
void jw_array_begin(struct jwriter *w);
void jw_array_end(struct jwriter *w);
void jw_key(struct jwriter *w, const char *key);
void jw_keyn(struct jwriter *w, const char *key, size_t len);
/* A string (NULL writes null).  Text that is not valid UTF-8 writes null
 * (Jansson refuses to hold it). */
void jw_string(struct jwriter *w, const char *s);
/* A member holding a string: jw_keyn then jw_string (s is s[0..slen), its
 * NUL at s[slen]; NULL writes null), in one step when neither needs an
 * escape.  JW_LIT("name") gives a literal name and its length. */
void jw_member_string(struct jwriter *w, const char *key, size_t klen, const char *s,
    size_t slen);
#define JW_LIT(s) (s), (sizeof(s) - 1)
void jw_int(struct jwriter *w, long long v);
void jw_real(struct jwriter *w, double v);
void jw_bool(struct jwriter *w, int v);
void jw_null(struct jwriter *w);
/* A Jansson value, members in their order (or by key with sort_keys). */
void jw_value(struct jwriter *w, const json_t *v, int sort_keys);
/* A JSON text (as json_loads with JSON_DECODE_ANY reads it) re-written in
 * this writer's layout; object members by key with sort_keys.  Returns
 * -1, writing nothing, when the text does not parse. */
int jw_json(struct jwriter *w, const char *text, size_t len, int sort_keys);
/* jw_json(w, text, len, 0) for a text a jwriter wrote compact (indent 0):
 * the same bytes, its tokens not checked again.  Any other text may come
 * out as it is not JSON. */
int jw_json_own(struct jwriter *w, const char *text, size_t len);
/* Flush to out (when set).  Returns 0, or -1 when a write failed.  With no
 * out, the text stays in w->buf (sb_detach it). */
int jw_finish(struct jwriter *w);

/* Jansson's text for a real (json_dumps of json_real(v)); out holds at
 * least 32 bytes.  Returns the length. */
size_t jw_real_text(double v, char out[32]);

#endif
