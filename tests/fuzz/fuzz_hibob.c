/* fuzz_hibob.c - libFuzzer harness for the HiBob response parsers.
 *
 * The first byte picks the parser, the rest is the response body.  Each
 * parser must either succeed or fail with an error; nothing it does may
 * read out of bounds, leak, or abort.  The people case also checks the
 * light JSON reader under the people parser against Jansson: both must
 * accept the same texts and decode strings alike; and the reader of an
 * answer as it arrives (jstream) must read the text in random-sized
 * pieces as in one, and accept what Jansson accepts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vendor/hibob.h"
#include "base/jread.h"
#include "base/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char id_yes[] = "11", id_no[] = "12", nm_yes[] = "yes", nm_no[] = "no",
    nm_list[] = "yesno";
static struct bob_list_item items[] = {
	{ id_yes, nm_yes, 0, NULL, 0 }, { id_no, nm_no, 0, NULL, 0 }
};
static const struct bob_list yesno = { nm_list, items, 2 };
/* An escape jread takes as damaged text (U+FFFD, the person held) where
 * Jansson refuses the whole answer: \u0000 or a UTF-16 surrogate half. */
static int
damaging_escape(const char *json, size_t len)
{
	for (size_t i = 0; i + 5 < len; i++) {
		char a, b;

		if (json[i] != '\\' || json[i + 1] != 'u')
			continue;
		a = json[i + 2];
		b = json[i + 3];
		if ((a == 'd' || a == 'D') && ((b >= '8' && b <= '9') || (b >= 'a' && b <= 'f') ||
		    (b >= 'A' && b <= 'F')))
			return 1;
		if (memcmp(json + i + 2, "0000", 4) == 0)
			return 1;
	}
	return 0;
}

/* jread and Jansson agree on the whole input, except where jread differs
 * on purpose: it is stricter on nesting beyond JREAD_MAX_DEPTH and on a
 * NUL byte after a number (Jansson's number lexer takes "3\0" for "3"),
 * and more lenient on \u0000 and lone surrogates, which it decodes as
 * U+FFFD and marks damaged so that one bad record does not fail a whole
 * read (issue 17 item 10). */
static void
jread_vs_jansson(const char *json, size_t len)
{
	struct jdoc d = { 0 };
	json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	int ours = jread_parse(&d, json, len, NULL);

	if (ours != 0 && (strcmp(d.err, "nested too deep") == 0 || memchr(json, '\0', len) != NULL)) {
		/* not comparable */
	} else if (ours == 0 && j == NULL && damaging_escape(json, len)) {
		/* not comparable: damaged text kept by jread, refused by Jansson */
	} else if ((ours == 0) != (j != NULL)) {
		abort();
	} else if (j != NULL && json_is_string(j)) {
		char *s = jread_strdup(jread_root(&d));
		if (s == NULL || strcmp(s, json_string_value(j)) != 0)
			abort();
		free(s);
	} else if (j != NULL && json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v) {
			const struct jnode *n = jread_get(&d, jread_root(&d), k, strlen(k));
			if (n == NULL || (json_is_string(v) && !jread_str_eq(n, json_string_value(v))) ||
			    (json_is_integer(v) && (n->type != JT_INT || n->num.i != json_integer_value(v))))
				abort();
			if (json_is_real(v)) {
				double want = json_real_value(v);
				if (n->type != JT_REAL || memcmp(&n->num.r, &want, sizeof want) != 0)
					abort();	/* the same double, to the bit */
			}
		}
	} else if (j != NULL && json_is_real(j)) {
		double want = json_real_value(j);
		const struct jnode *n = jread_root(&d);
		if (n == NULL || n->type != JT_REAL || memcmp(&n->num.r, &want, sizeof want) != 0)
			abort();
	} else if (j != NULL && json_is_integer(j)) {
		const struct jnode *n = jread_root(&d);
		if (n == NULL || n->type != JT_INT || n->num.i != json_integer_value(j))
			abort();
	}
	json_decref(j);
	jread_clear(&d);
}

/* The elements jstream hands over, folded into one number. */
static int
count_elem(void *ctx, const struct jdoc *d, const struct jnode *e)
{
	unsigned long *h = ctx;

	*h = *h * 31 + (e->end - (size_t)(e - d->v)) * 7 + e->type;
	if (e->type == JT_STRING)
		*h += e->slen;
	return 0;
}

/* jstream reads the same text in random-sized pieces (sizes drawn from the
 * text itself) exactly as in one piece, and in one piece accepts what
 * jread_parse accepts, but where it differs on purpose (jread.h): a
 * top-level value that is not an object or array, an "employees" member
 * that is not a list (refused), a repeated top-level member name and
 * nesting counted from each element (not refused). */
static void
jstream_vs_whole(const char *json, size_t len)
{
	struct jstream js;
	unsigned long h1 = 0, h2 = 0;
	uint32_t seed = 2166136261u;
	int r1, r2 = 0;
	json_t *j;

	for (size_t i = 0; i < len; i++)
		seed = (seed ^ (unsigned char)json[i]) * 16777619u;
	jstream_init(&js, "employees", (size_t)1 << 30, count_elem, &h1);
	r1 = jstream_feed(&js, json, len);
	r1 |= jstream_finish(&js);
	jstream_reset(&js);
	js.ctx = &h2;
	for (size_t i = 0; i < len; ) {
		size_t n;
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % (seed & 0x100 ? 4096 : 16);
		if (n > len - i)
			n = len - i;
		r2 |= jstream_feed(&js, json + i, n);
		i += n;
	}
	r2 |= jstream_finish(&js);
	if (r1 != r2 || (r1 == 0 && h1 != h2))
		abort();
	jstream_clear(&js);
	/* in one piece as jread_parse takes the whole text (itself held to
	 * Jansson above) */
	{
		struct jdoc d = { 0 };
		int w = jread_parse(&d, json, len, NULL);
		const struct jnode *root = jread_root(&d), *emp;

		emp = jread_get(&d, root, "employees", 9);
		if (w == 0 && r1 != 0 && (root->type == JT_OBJECT || root->type == JT_ARRAY) &&
		    (emp == NULL || emp->type == JT_ARRAY))
			abort();
		if (w != 0 && r1 == 0 && strcmp(d.err, "duplicate object key") != 0 &&
		    strcmp(d.err, "nested too deep") != 0)
			abort();
		jread_clear(&d);
	}
}

static const char *const budget_ids[] = { "work.custom.b1", "work.custom.b2" };
static const char *const budget_names[] = { "wellbeing", "learning" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct bob_people_query q = {
		.access_field_id = "work.custom.field_1", .access_list = &yesno,
		.budget_field_ids = budget_ids, .budget_field_names = budget_names,
		.nbudget = 2,
	};
	struct bs_error err = { 0 };
	const char *json;
	size_t len;

	if (size < 1)
		return 0;
	log_set_stderr(0);
	json = (const char *)data + 1;
	len = size - 1;
	switch (data[0] % 5) {
	case 0: {
		struct bob_fields f;
		if (bob_parse_fields(json, len, &f, &err) == BS_OK)
			bob_fields_clear(&f);
		break;
	}
	case 1: {
		struct bob_list l;
		if (bob_parse_list(json, len, &l, &err) == BS_OK) {
			(void)bob_list_name_of(&l, "1");
			(void)bob_list_id_of(&l, "yes");
			bob_list_clear(&l);
		}
		break;
	}
	case 2: {
		struct bob_people p;
		jread_vs_jansson(json, len);
		jstream_vs_whole(json, len);
		if (bob_parse_people(json, len, &q, &p, &err) == BS_OK)
			bob_people_clear(&p);
		break;
	}
	case 3: {
		struct bob_timeoffs t;
		if (bob_parse_timeoffs(json, len, &t, &err) == BS_OK)
			bob_timeoffs_clear(&t);
		break;
	}
	default: {
		struct bob_timeoff t;
		if (bob_parse_timeoff(json, len, &t, &err) == BS_OK)
			bob_timeoff_clear(&t);
		break;
	}
	}
	return 0;
}
