/* test_jread.c - the light JSON reader: grammar, strings, nesting, numbers,
 * and agreement with Jansson on what is valid and what strings decode to. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/jread.h"

#define S(x) (x), strlen(x)

static void
degenerate(void **state)
{
	struct jdoc d = { 0 };
	size_t used = 99;
	(void)state;
	assert_int_equal(jread_parse(&d, NULL, 0, NULL), -1);
	assert_null(jread_root(&d));
	assert_int_equal(jread_parse(&d, S(""), NULL), -1);
	assert_int_equal(jread_parse(&d, S("   "), NULL), -1);
	assert_int_equal(jread_parse(&d, S("{"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("[1,]"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("{\"a\":1,}"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("{\"a\" 1}"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("{1:1}"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("[1] x"), NULL), -1);
	assert_string_equal(d.err, "end of input expected");
	assert_int_equal(d.err_off, 4);
	assert_int_equal(jread_parse(&d, S("tru"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("nul"), &used), -1);
	/* nothing on a failed parse */
	assert_null(jread_root(&d));
	assert_null(jread_get(&d, NULL, "a", 1));
	assert_null(jread_first(&d, NULL));
	assert_null(jread_strdup(NULL));
	assert_int_equal(jread_str_eq(NULL, "x"), 0);
	jread_clear(&d);
	jread_clear(NULL);
}

static void
scalars(void **state)
{
	struct jdoc d = { 0 };
	const struct jnode *r;
	(void)state;
	assert_int_equal(jread_parse(&d, S(" true "), NULL), 0);
	assert_int_equal(jread_root(&d)->type, JT_TRUE);
	assert_int_equal(jread_parse(&d, S("false"), NULL), 0);
	assert_int_equal(jread_root(&d)->type, JT_FALSE);
	assert_int_equal(jread_parse(&d, S("null"), NULL), 0);
	assert_int_equal(jread_root(&d)->type, JT_NULL);
	assert_int_equal(jread_parse(&d, S("-9223372036854775808"), NULL), 0);
	r = jread_root(&d);
	assert_int_equal(r->type, JT_INT);
	assert_true(r->num.i == (-9223372036854775807LL - 1));
	assert_int_equal(jread_parse(&d, S("9223372036854775808"), NULL), -1);
	assert_string_equal(d.err, "too big integer");
	assert_int_equal(jread_parse(&d, S("125.5"), NULL), 0);
	assert_int_equal(jread_root(&d)->type, JT_REAL);
	assert_true(jread_root(&d)->num.r == 125.5);
	assert_int_equal(jread_parse(&d, S("-1.5e3"), NULL), 0);
	assert_true(jread_root(&d)->num.r == -1500.0);
	assert_int_equal(jread_parse(&d, S("1E2"), NULL), 0);
	assert_int_equal(jread_root(&d)->type, JT_REAL);
	assert_int_equal(jread_parse(&d, S("1e999"), NULL), -1);
	assert_string_equal(d.err, "real number overflow");
	assert_int_equal(jread_parse(&d, S("01"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("1."), NULL), -1);
	assert_int_equal(jread_parse(&d, S(".5"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("1e"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("-"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("+1"), NULL), -1);
	/* a long real that does not fit the small buffer */
	assert_int_equal(jread_parse(&d, S("1.0000000000000000000000000000000000000000000000000000000000000000000000001"),
	    NULL), 0);
	assert_true(jread_root(&d)->num.r == 1.0);
	jread_clear(&d);
}

static void
strings_and_escapes(void **state)
{
	struct jdoc d = { 0 };
	const struct jnode *r;
	char *s;
	(void)state;
	assert_int_equal(jread_parse(&d, S("\"plain\""), NULL), 0);
	r = jread_root(&d);
	assert_int_equal(r->type, JT_STRING);
	assert_int_equal(r->escaped, 0);
	assert_true(jread_str_eq(r, "plain"));
	assert_int_equal(jread_strlen(r), 5);

	assert_int_equal(jread_parse(&d, S("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""), NULL), 0);
	r = jread_root(&d);
	assert_int_equal(r->escaped, 1);
	s = jread_strdup(r);
	assert_string_equal(s, "a\"b\\c/d\b\f\n\r\t");
	free(s);
	assert_true(jread_str_eq(r, "a\"b\\c/d\b\f\n\r\t"));
	assert_false(jread_str_eq(r, "a\"b"));

	/* \u escapes: one, two and three UTF-8 bytes, and a surrogate pair */
	assert_int_equal(jread_parse(&d, S("\"Zo\\u00eb \\u0141 \\u20ac A\\u0042 \\ud83d\\ude00\""),
	    NULL), 0);
	s = jread_strdup(jread_root(&d));
	assert_string_equal(s, "Zo\xc3\xab \xc5\x81 \xe2\x82\xac AB \xf0\x9f\x98\x80");
	assert_int_equal(jread_strlen(jread_root(&d)), strlen(s));
	free(s);

	/* raw UTF-8 passes as is */
	assert_int_equal(jread_parse(&d, S("\"\xc5\x81ukasiewicz-\xc3\x98sterg\xc3\xa5rd \xf0\x9f\x98\x80\""),
	    NULL), 0);
	assert_true(jread_str_eq(jread_root(&d), "\xc5\x81ukasiewicz-\xc3\x98sterg\xc3\xa5rd \xf0\x9f\x98\x80"));

	/* not text, but not a reason to drop the whole answer (issue 17 item
	 * 10): U+FFFD in their place and the string marked damaged */
	{
		static const char *const bad[] = { "\"\\u0000\"", "\"\\ud83d\"", "\"\\ud83dx\"",
			"\"\\ud83d\\u0041\"", "\"\\ude00\"" };
		static const char *const want[] = { "\xef\xbf\xbd", "\xef\xbf\xbd",
			"\xef\xbf\xbdx", "\xef\xbf\xbd" "A", "\xef\xbf\xbd" };
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			assert_int_equal(jread_parse(&d, bad[i], strlen(bad[i]), NULL), 0);
			assert_true(jread_root(&d)->escaped & JREAD_DAMAGED);
			s = jread_strdup(jread_root(&d));
			assert_string_equal(s, want[i]);
			free(s);
		}
		assert_int_equal(jread_parse(&d, S("\"\\ud83d\\ude00\""), NULL), 0);
		assert_false(jread_root(&d)->escaped & JREAD_DAMAGED);
	}
	assert_int_equal(jread_parse(&d, S("\"\\u12\""), NULL), -1);
	assert_int_equal(jread_parse(&d, S("\"\\x\""), NULL), -1);
	assert_int_equal(jread_parse(&d, S("\"tab\there\""), NULL), -1);
	assert_int_equal(jread_parse(&d, S("\"\xc3\""), NULL), -1);		/* cut sequence */
	assert_int_equal(jread_parse(&d, S("\"\xc0\xaf\""), NULL), -1);		/* overlong */
	assert_int_equal(jread_parse(&d, S("\"\xed\xa0\x80\""), NULL), -1);	/* surrogate */
	assert_int_equal(jread_parse(&d, S("\"\xf4\x90\x80\x80\""), NULL), -1);	/* > U+10FFFF */
	assert_int_equal(jread_parse(&d, S("\"\x80\""), NULL), -1);
	assert_int_equal(jread_parse(&d, S("\"open"), NULL), -1);
	assert_int_equal(jread_parse(&d, S("\"open\\"), NULL), -1);
	jread_clear(&d);
}

static void
nesting_and_lookup(void **state)
{
	static const char json[] =
	    "{\"id\":\"1\",\"work\":{\"department\":\"209\",\"custom\":{\"field_1\":[\"11\"]}},"
	    "\"/work/department\":{\"value\":\"209\"},\"e\\u0073c\":1,\"empty\":{},\"list\":[]}";
	struct jdoc d = { 0 };
	const struct jnode *r, *w, *c, *f, *m;
	int n = 0;
	(void)state;
	assert_int_equal(jread_parse(&d, S(json), NULL), 0);
	r = jread_root(&d);
	assert_int_equal(r->type, JT_OBJECT);
	w = jread_get(&d, r, S("work"));
	assert_non_null(w);
	assert_true(jread_str_eq(jread_get(&d, w, S("department")), "209"));
	c = jread_get(&d, w, S("custom"));
	f = jread_get(&d, c, S("field_1"));
	assert_int_equal(f->type, JT_ARRAY);
	assert_true(jread_str_eq(jread_first(&d, f), "11"));
	assert_null(jread_next(&d, f, jread_first(&d, f)));
	/* the member after a nested object is found past its subtree */
	assert_true(jread_str_eq(jread_get(&d, jread_get(&d, r, S("/work/department")), S("value")),
	    "209"));
	/* a member name with an escape is found by its decoded name */
	assert_non_null(jread_get(&d, r, S("esc")));
	assert_null(jread_get(&d, r, S("e\\u0073c")));
	assert_null(jread_get(&d, r, S("missing")));
	assert_null(jread_get(&d, r, S("wor")));
	assert_null(jread_get(&d, f, S("x")));	/* not an object */
	assert_null(jread_first(&d, jread_get(&d, r, S("empty"))));
	assert_null(jread_first(&d, jread_get(&d, r, S("list"))));
	for (m = jread_first(&d, r); m != NULL; m = jread_next(&d, r, m))
		n++;
	assert_int_equal(n, 6);
	jread_clear(&d);
}

static void
duplicates_and_depth(void **state)
{
	struct jdoc d = { 0 };
	char deep[2 * JREAD_MAX_DEPTH + 8];
	size_t k = 0;
	(void)state;
	assert_int_equal(jread_parse(&d, S("{\"a\":1,\"b\":{\"a\":2},\"a\":3}"), NULL), -1);
	assert_string_equal(d.err, "duplicate object key");
	assert_int_equal(jread_parse(&d, S("{\"a\":1,\"\\u0061\":2}"), NULL), -1);
	/* the same name in different objects is fine */
	assert_int_equal(jread_parse(&d, S("{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}"), NULL), 0);

	for (int i = 0; i < JREAD_MAX_DEPTH; i++)
		deep[k++] = '[';
	for (int i = 0; i < JREAD_MAX_DEPTH; i++)
		deep[k++] = ']';
	assert_int_equal(jread_parse(&d, deep, k, NULL), 0);
	memmove(deep + 1, deep, k);
	deep[0] = '[';
	deep[k + 1] = ']';
	assert_int_equal(jread_parse(&d, deep, k + 2, NULL), -1);
	assert_string_equal(d.err, "nested too deep");
	jread_clear(&d);
}

/* One value out of a longer text: what the people reader does per person. */
static void
prefix_and_reuse(void **state)
{
	static const char text[] = "{\"id\":\"1\",\"n\":\"\\u00e9\"} , {\"id\":\"2\"}]";
	struct jdoc d = { 0 };
	size_t used = 0;
	char *s;
	(void)state;
	assert_int_equal(jread_parse(&d, S(text), &used), 0);
	assert_int_equal(used, strlen("{\"id\":\"1\",\"n\":\"\\u00e9\"}"));
	s = jread_strdup(jread_get(&d, jread_root(&d), S("n")));
	assert_string_equal(s, "\xc3\xa9");
	free(s);
	assert_int_equal(jread_parse(&d, text + used + 3, strlen(text) - used - 3, &used), 0);
	assert_true(jread_str_eq(jread_get(&d, jread_root(&d), S("id")), "2"));
	assert_null(jread_get(&d, jread_root(&d), S("n")));
	/* the text may end right after the value (no NUL, no delimiter) */
	assert_int_equal(jread_parse(&d, "12345", 3, NULL), 0);
	assert_true(jread_root(&d)->num.i == 123);
	jread_clear(&d);
}

/* Agreement with Jansson (JSON_REJECT_DUPLICATES): same verdict, same
 * decoded strings. */
static void
agrees_with_jansson(void **state)
{
	static const char *const cases[] = {
		"{}", "[]", "[[[]]]", "{\"a\":[1,2.5,-3e-2,true,false,null,\"x\"]}",
		"\"\\u00e9\\u20ac\\ud834\\udd1e\"", "\"\\/\\\\\\\"\"", "[1,2", "{\"a\":}",
		"\"\\ud800\\udbff\"", "\"a\\u0000b\"", "{\"k\":1,\"k\":2}", "[01]", "[-0]",
		"[1e+5]", "[1E-5]", "[\"\xe2\x82\"]", "[\"\xef\xbf\xbf\"]", "[\"\xf0\x90\x80\x80\"]",
		"  [ 1 , { \"a\" : \"b\" } ]  ", "[1]]", "{\"a\":1}{", "[\"\x7f\"]", "[\"\x1f\"]",
		"[123456789012345678901234567890]", "[-9223372036854775809]", "[1.7976931348623157e309]",
		"[4.9e-325]", "{\"\\u00e9\":1,\"\xc3\xa9\":2}", "[true,fals]", "[nulll]",
	};
	struct jdoc d = { 0 };
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_error_t je;
		json_t *j = json_loadb(cases[i], strlen(cases[i]), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
		int ours = jread_parse(&d, S(cases[i]), NULL);
		/* \u0000 and lone surrogates: read as damaged text on purpose */
		if (j == NULL && ours == 0 && (jread_root(&d)->escaped & JREAD_DAMAGED)) {
			json_decref(j);
			continue;
		}
		if ((j != NULL) != (ours == 0))
			fail_msg("case %zu '%s': jansson %s, jread %s (%s)", i, cases[i],
			    j ? "accepts" : "refuses", ours == 0 ? "accepts" : "refuses", d.err);
		if (j != NULL && json_is_string(j)) {
			char *s = jread_strdup(jread_root(&d));
			assert_string_equal(s, json_string_value(j));
			free(s);
		}
		json_decref(j);
	}
	jread_clear(&d);
}

/* A string with one special token (an escape, a quote, a control byte, a
 * non-ASCII sequence, valid or not) after `off` plain bytes and before
 * `tail` more, at every offset across the 16-byte blocks the string scan
 * reads at once, alone, as a member's value or name and in a list, in a
 * buffer of the exact size (ASan and valgrind see any read past it).  Same
 * verdict, error and offset as one byte at a time. */
static const struct {
	const char *tok;
	const char *want;	/* decoded token; NULL when the text is refused */
	const char *err;
} special[] = {
	{ "\\\"", "\"", NULL }, { "\\\\", "\\", NULL }, { "\\n", "\n", NULL },
	{ "\\/", "/", NULL }, { "\\u00e9", "\xc3\xa9", NULL },
	{ "\\ud83d\\ude00", "\xf0\x9f\x98\x80", NULL },
	{ "\x7f", "\x7f", NULL }, { " ", " ", NULL }, { "!", "!", NULL }, { "#", "#", NULL },
	{ "[", "[", NULL }, { "]", "]", NULL },
	{ "\xc3\xa9", "\xc3\xa9", NULL }, { "\xc5\x81\xc3\xb8", "\xc5\x81\xc3\xb8", NULL },
	{ "\xe2\x82\xac", "\xe2\x82\xac", NULL }, { "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", NULL },
	{ "\x01", NULL, "control character in a string" },
	{ "\x1f", NULL, "control character in a string" },
	{ "\t", NULL, "control character in a string" },
	{ "\x80", NULL, "invalid UTF-8 in a string" },
	{ "\xff", NULL, "invalid UTF-8 in a string" },
	{ "\xc3(", NULL, "invalid UTF-8 in a string" },
	{ "\xc1\x81", NULL, "invalid UTF-8 in a string" },
	{ "\xe0\x80\x80", NULL, "invalid UTF-8 in a string" },
	{ "\xed\xa0\x80", NULL, "invalid UTF-8 in a string" },
	{ "\xf4\x90\x80\x80", NULL, "invalid UTF-8 in a string" },
	{ "\\x", NULL, "invalid escape" },
	{ "\\u12g4", NULL, "invalid \\u escape" },
};

static char *
exact(const char *text, size_t len)
{
	char *b = malloc(len ? len : 1);

	assert_non_null(b);
	memcpy(b, text, len);
	return b;
}

static void
strings_at_every_offset(void **state)
{
	/* the string alone, as a member's value, as a member's name, in a list */
	static const char *const around[][2] = {
		{ "", "" }, { "{\"a\":1,\"k\":", ",\"z\":2}" }, { "{", ":1}" }, { "[", "]" },
	};
	struct jdoc d = { 0 };
	char text[160], want[128];
	(void)state;
	for (size_t w = 0; w < sizeof around / sizeof *around; w++)
	for (size_t k = 0; k < sizeof special / sizeof *special; k++) {
		size_t tl = strlen(special[k].tok), pl = strlen(around[w][0]);
		for (size_t off = 0; off < 34; off++) {
			for (size_t tail = 0; tail < 18; tail++) {
				size_t len = 0;
				char *b;
				int r;
				json_t *j;

				memcpy(text, around[w][0], pl);
				len = pl;
				text[len++] = '"';
				memset(text + len, 'a', off);
				len += off;
				memcpy(text + len, special[k].tok, tl);
				len += tl;
				memset(text + len, 'b', tail);
				len += tail;
				text[len++] = '"';
				memcpy(text + len, around[w][1], strlen(around[w][1]));
				len += strlen(around[w][1]);
				b = exact(text, len);
				r = jread_parse(&d, b, len, NULL);
				/* Jansson's verdict too, on the string alone (it is slow
				 * under valgrind) */
				j = w == 0 ?
				    json_loadb(b, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL) : NULL;
				if (special[k].want != NULL) {
					const struct jnode *n = jread_root(&d);
					char *got;
					if (r != 0)
						fail_msg("token %zu at %zu+%zu in %zu: refused (%s)", k, off, tail, w,
						    d.err);
					assert_true(j != NULL || w != 0);
					memset(want, 'a', off);
					strcpy(want + off, special[k].want);
					memset(want + strlen(want), 'b', tail);
					want[off + strlen(special[k].want) + tail] = '\0';
					if (w == 1)
						n = jread_get(&d, n, S("k"));
					else if (w != 0)
						n = jread_first(&d, n);
					if (w == 2) {
						assert_int_equal(n->klen, strlen(want));
						assert_memory_equal(n->key, want, n->klen);
						assert_true(j == NULL || json_object_get(j, want) != NULL);
					} else {
						got = jread_strdup(n);
						assert_string_equal(got, want);
						assert_int_equal(jread_strlen(n), strlen(want));
						if (w == 0)
							assert_string_equal(got, json_string_value(j));
						free(got);
					}
				} else {
					if (r != -1)
						fail_msg("token %zu at %zu+%zu in %zu: accepted", k, off, tail, w);
					assert_string_equal(d.err, special[k].err);
					assert_int_equal(d.err_off, pl + 1 + off);
					assert_null(j);
				}
				json_decref(j);
				free(b);
				/* cut right after the token, no closing quote */
				b = exact(text, pl + 1 + off + tl);
				assert_int_equal(jread_parse(&d, b, pl + 1 + off + tl, NULL), -1);
				if (special[k].want != NULL) {
					assert_string_equal(d.err, "premature end of input in a string");
					assert_int_equal(d.err_off, pl + 1 + off + tl);
				} else {
					assert_int_equal(d.err_off, pl + 1 + off);
				}
				free(b);
			}
		}
	}
	jread_clear(&d);
}

/* A quote ends the string wherever it falls; a string may end exactly at
 * the end of the buffer; one cut short at any length is refused where the
 * text ends, as is a cut escape or a cut UTF-8 sequence. */
static void
strings_ending_everywhere(void **state)
{
	struct jdoc d = { 0 };
	char text[128];
	(void)state;
	for (size_t n = 0; n < 70; n++) {
		size_t used = 0;
		char *b;

		text[0] = '"';
		for (size_t i = 0; i < n; i++)
			text[1 + i] = (char)('a' + i % 26);
		text[1 + n] = '"';
		memcpy(text + 2 + n, "xyz\"", 4);
		/* the value alone, to the last byte of the buffer */
		b = exact(text, n + 2);
		assert_int_equal(jread_parse(&d, b, n + 2, NULL), 0);
		assert_int_equal(jread_root(&d)->slen, n);
		assert_true(jread_root(&d)->s == b + 1);
		free(b);
		/* followed by more: the first quote ends it */
		b = exact(text, n + 6);
		assert_int_equal(jread_parse(&d, b, n + 6, &used), 0);
		assert_int_equal(used, n + 2);
		assert_int_equal(jread_parse(&d, b, n + 6, NULL), -1);
		assert_string_equal(d.err, "end of input expected");
		assert_int_equal(d.err_off, n + 2);
		free(b);
		/* cut short */
		b = exact(text, n + 1);
		assert_int_equal(jread_parse(&d, b, n + 1, NULL), -1);
		assert_string_equal(d.err, "premature end of input in a string");
		assert_int_equal(d.err_off, n + 1);
		free(b);
		/* a backslash, a cut \u escape, a cut sequence as the last bytes */
		text[1 + n] = '\\';
		b = exact(text, n + 2);
		assert_int_equal(jread_parse(&d, b, n + 2, NULL), -1);
		assert_string_equal(d.err, "premature end of input in an escape");
		assert_int_equal(d.err_off, n + 1);
		free(b);
		memcpy(text + 1 + n, "\\u00e", 5);
		b = exact(text, n + 6);
		assert_int_equal(jread_parse(&d, b, n + 6, NULL), -1);
		assert_string_equal(d.err, "invalid \\u escape");
		assert_int_equal(d.err_off, n + 1);
		free(b);
		memcpy(text + 1 + n, "\xe2\x82", 2);
		b = exact(text, n + 3);
		assert_int_equal(jread_parse(&d, b, n + 3, NULL), -1);
		assert_string_equal(d.err, "invalid UTF-8 in a string");
		assert_int_equal(d.err_off, n + 1);
		free(b);
	}
	jread_clear(&d);
}

/* Append to a growing text (tests only: aborts when out of room). */
static void
put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < cap - *len);
	*len += (size_t)n;
}

/* An object of n members named by fmt (with the member's number), with an
 * object of inner members as member pos, and then, when dup >= 0, member
 * dup's name again. */
static size_t
many_members(char *buf, size_t cap, const char *fmt, int n, int inner, int pos, int dup)
{
	size_t len = 0;

	put(buf, cap, &len, "{");
	for (int i = 0; i < n; i++) {
		put(buf, cap, &len, "%s\"", i ? "," : "");
		put(buf, cap, &len, fmt, i);
		if (i == pos && inner > 0) {
			put(buf, cap, &len, "\":{");
			for (int k = 0; k < inner; k++) {
				put(buf, cap, &len, "%s\"", k ? "," : "");
				put(buf, cap, &len, fmt, k);
				put(buf, cap, &len, "\":[%d]", k);
			}
			put(buf, cap, &len, "}");
		} else {
			put(buf, cap, &len, "\":%d", i);
		}
	}
	if (dup >= 0) {
		put(buf, cap, &len, "%s\"", n ? "," : "");
		put(buf, cap, &len, fmt, dup);
		put(buf, cap, &len, "\":true");
	}
	put(buf, cap, &len, "}");
	return len;
}

/* Objects past the members compared one by one (a table of their names):
 * 0..70 members, an object of 12 or more nested in the middle or last, a repeated
 * name at the end for every earlier member, and names that all share one
 * hash tag (the same length, first, second and last bytes). */
static void
objects_with_many_members(void **state)
{
	static const char *const fmts[] = { "k%d", "ab%03dz", "/work/custom/field_%d" };
	struct jdoc d = { 0 };
	static char buf[16384];
	char name[64];
	(void)state;
	/* without and with the tables kept for jread_get */
	for (int ix = 0; ix < 2; ix++)
	for (size_t f = 0; f < sizeof fmts / sizeof *fmts; f++) {
		d.index = ix;
		for (int t = 0; t < 71 * 2; t++) {
			/* 0..70 members; the nested object in the middle or last */
			int n = t / 2, pos = t % 2 ? n - 1 : n / 2;
			int inner = n % 3 == 0 ? 12 + n / 4 : 0;
			size_t len;
			const struct jnode *r, *m;
			int count = 0;

			if (ix && (f == 2 || inner == 0))
				continue;	/* kept tables: with a nested one only */
			len = many_members(buf, sizeof buf, fmts[f], n, inner, pos, -1);
			if (jread_parse(&d, buf, len, NULL) != 0)
				fail_msg("%s x %d: %s at %zu", fmts[f], n, d.err, d.err_off);
			r = jread_root(&d);
			for (int i = 0; i < n; i++) {
				snprintf(name, sizeof name, fmts[f], i);
				m = jread_get(&d, r, name, strlen(name));
				assert_non_null(m);
				if (i == pos && inner > 0) {
					assert_int_equal(m->type, JT_OBJECT);
					for (int k = 0; k < inner; k++) {
						const struct jnode *e, *x;
						snprintf(name, sizeof name, fmts[f], k);
						e = jread_get(&d, m, name, strlen(name));
						assert_non_null(e);
						x = jread_first(&d, e);
						assert_non_null(x);
						assert_true(x != NULL && x->num.i == k);
					}
				} else {
					assert_true(m->num.i == i);
				}
			}
			/* names that are not there */
			for (int i = n; i < n + 80; i += 7) {
				snprintf(name, sizeof name, fmts[f], i);
				assert_null(jread_get(&d, r, name, strlen(name)));
			}
			assert_null(jread_get(&d, r, S("")));
			assert_null(jread_get(&d, r, S("a")));
			for (m = jread_first(&d, r); m != NULL; m = jread_next(&d, r, m))
				count++;
			assert_int_equal(count, n);
			/* a name seen before, at the end: refused, where it ends
			 * (the first and last members, those around the 8th, and
			 * those around the nested object; every one when few) */
			for (int dup = 0; dup < n; dup++) {
				if (n > 12 && dup > 1 && (dup < 6 || dup > 10) && abs(dup - pos) > 1 &&
				    dup < n - 2)
					continue;
				if (ix && dup != n - 1)
					continue;	/* the same check as without: once */
				len = many_members(buf, sizeof buf, fmts[f], n, inner, pos, dup);
				if (jread_parse(&d, buf, len, NULL) != -1)
					fail_msg("%s x %d, %d again: accepted", fmts[f], n, dup);
				assert_string_equal(d.err, "duplicate object key");
				assert_int_equal(d.err_off, len - strlen(":true}"));
				if (dup == n - 1) {
					json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
					assert_null(j);
				}
			}
			/* a name not seen: fine */
			len = many_members(buf, sizeof buf, fmts[f], n, inner, pos, n + 1);
			assert_int_equal(jread_parse(&d, buf, len, NULL), 0);
		}
	}
	/* a repeated name in an object nested in a big one, at every depth
	 * of the table stack: refused there */
	for (int depth = 1; depth <= 4; depth++) {
		size_t len = 0, at = 0;
		for (int lv = 0; lv < depth; lv++) {
			put(buf, sizeof buf, &len, "{");
			for (int i = 0; i < 12; i++)
				put(buf, sizeof buf, &len, "\"k%d\":%d,", i, i);
			put(buf, sizeof buf, &len, "\"in\":");
		}
		put(buf, sizeof buf, &len, "{");
		for (int i = 0; i < 12; i++)
			put(buf, sizeof buf, &len, "\"k%d\":%d,", i, i);
		put(buf, sizeof buf, &len, "\"k3\"");
		at = len;
		put(buf, sizeof buf, &len, ":0}");
		for (int lv = 0; lv < depth; lv++)
			put(buf, sizeof buf, &len, ",\"z\":0}");
		assert_int_equal(jread_parse(&d, buf, len, NULL), -1);
		assert_string_equal(d.err, "duplicate object key");
		assert_int_equal(d.err_off, at);
		/* the same without the repeat is read whole, each level's names
		 * found after its nested object */
		buf[at - 2] = 'z';	/* "k3" -> "kz" */
		if (jread_parse(&d, buf, len, NULL) != 0)
			fail_msg("depth %d: %s at %zu", depth, d.err, d.err_off);
		{
			const struct jnode *o = jread_root(&d);
			for (int lv = 0; lv < depth; lv++) {
				assert_non_null(jread_get(&d, o, S("z")));
				assert_true(jread_get(&d, o, S("k11"))->num.i == 11);
				o = jread_get(&d, o, S("in"));
			}
			assert_non_null(jread_get(&d, o, S("kz")));
			assert_null(jread_get(&d, o, S("z")));
		}
	}
	jread_clear(&d);
}

/* Objects nested to the limit and one past it, a member's null and what
 * merely starts like one: as Jansson reads them (but for the depth). */
static void
objects_deep_and_null_members(void **state)
{
	static char buf[16384];
	struct jdoc d = { 0 };
	static const struct {
		const char *text;
		int ok;
		const char *err;
		size_t off;
	} cases[] = {
		{ "{\"a\":null}", 1, NULL, 0 }, { "{\"a\":null,\"b\":null}", 1, NULL, 0 },
		{ "{\"a\": null }", 1, NULL, 0 }, { "{\"a\":nul}", 0, "invalid token", 5 },
		{ "{\"a\":nullx}", 0, "',' or '}' expected", 9 },
		{ "{\"a\":nul", 0, "invalid token", 5 }, { "{\"a\":null", 0, "',' or '}' expected", 9 },
		{ "{\"a\":true,\"b\":false,\"c\":null}", 1, NULL, 0 },
		{ "{\"a\":{}}", 1, NULL, 0 }, { "{\"a\":{\"b\":{}},\"c\":[{}]}", 1, NULL, 0 },
		{ "{\"a\":{", 0, "string or '}' expected", 6 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t len = strlen(cases[i].text);
		char *b = exact(cases[i].text, len);
		json_t *j = json_loadb(b, len, JSON_REJECT_DUPLICATES, NULL);
		int r = jread_parse(&d, b, len, NULL);

		if (r != (cases[i].ok ? 0 : -1))
			fail_msg("'%s': %d (%s)", cases[i].text, r, d.err);
		assert_int_equal(j != NULL, cases[i].ok);
		if (!cases[i].ok) {
			assert_string_equal(d.err, cases[i].err);
			assert_int_equal(d.err_off, cases[i].off);
		} else if (strncmp(cases[i].text, "{\"a\":null", 9) == 0) {
			assert_int_equal(jread_get(&d, jread_root(&d), S("a"))->type, JT_NULL);
		}
		json_decref(j);
		free(b);
	}
	/* {"a":{"a":...{}...}}: JREAD_MAX_DEPTH objects are read, one more
	 * is refused where it opens; also inside a list and as the last of
	 * 12 members (a name table at every level) */
	for (int form = 0; form < 3; form++) {
		for (int levels = JREAD_MAX_DEPTH - 1; levels <= JREAD_MAX_DEPTH + 1; levels++) {
			size_t len = 0, open_at = 0;
			const struct jnode *o;
			int n = 0, deepest;

			for (int lv = 0; lv < levels; lv++) {
				put(buf, sizeof buf, &len, "{");
				if (form == 2)
					for (int k = 0; k < 11; k++)
						put(buf, sizeof buf, &len, "\"m%d\":null,", k);
				if (lv < levels - 1)
					put(buf, sizeof buf, &len, form == 1 && lv % 2 ? "\"a\":[" : "\"a\":");
			}
			if (form == 2)
				len--;	/* no comma before the innermost '}' */
			for (int lv = levels - 1; lv >= 0; lv--) {
				put(buf, sizeof buf, &len, "}");
				if (lv > 0 && form == 1 && (lv - 1) % 2)
					put(buf, sizeof buf, &len, "]");
			}
			/* a list is a level too: count what was opened, and find
			 * where the level past the limit opens */
			{
				int depth = 0;
				deepest = 0;
				for (size_t i = 0; i < len; i++) {
					if (buf[i] == '{' || buf[i] == '[')
						depth++;
					else if (buf[i] == '}' || buf[i] == ']')
						depth--;
					if (depth > deepest) {
						deepest = depth;
						if (depth == JREAD_MAX_DEPTH + 1)
							open_at = i;
					}
				}
			}
			if (jread_parse(&d, buf, len, NULL) == 0) {
				if (deepest > JREAD_MAX_DEPTH)
					fail_msg("form %d, %d levels: accepted", form, deepest);
				/* every level there, down to the innermost {} */
				for (o = jread_root(&d); o != NULL; n++) {
					o = jread_get(&d, o, S("a"));
					if (o != NULL && o->type == JT_ARRAY) {
						n++;
						o = jread_first(&d, o);
					}
				}
				assert_int_equal(n, deepest);
			} else {
				if (deepest <= JREAD_MAX_DEPTH)
					fail_msg("form %d, %d levels: %s at %zu", form, deepest, d.err, d.err_off);
				assert_string_equal(d.err, "nested too deep");
				assert_int_equal(d.err_off, open_at);
			}
		}
	}
	jread_clear(&d);
}

/* Names of every length to 40 told apart by one byte at each place, the
 * names looked up from buffers of their exact size (the comparison reads
 * up to 8 bytes at once, never past the name), tables kept or not. */
static void
names_differing_anywhere(void **state)
{
	static char buf[8192];
	struct jdoc d = { 0 };
	(void)state;
	for (size_t n = 0; n <= 40; n++) {
		for (int ix = 0; ix < 2; ix++) {
			size_t len = 0;
			const struct jnode *r;
			char *key = malloc(n ? n : 1);

			assert_non_null(key);
			/* the name, and 10 others of the same length and ends */
			put(buf, sizeof buf, &len, "{\"");
			for (size_t i = 0; i < n; i++)
				put(buf, sizeof buf, &len, "%c", 'a' + (int)(i % 26));
			put(buf, sizeof buf, &len, "\":1");
			for (int o = 0; o < 10 && n > 2; o++) {
				put(buf, sizeof buf, &len, ",\"a");
				for (size_t i = 1; i + 1 < n; i++)
					put(buf, sizeof buf, &len, "%c", i == (size_t)o % (n - 2) + 1 ?
					    '0' + o : 'a' + (int)(i % 26));
				put(buf, sizeof buf, &len, "%c\":%d", 'a' + (int)((n - 1) % 26), o + 2);
			}
			put(buf, sizeof buf, &len, "}");
			d.index = ix;
			if (jread_parse(&d, buf, len, NULL) != 0) {
				/* the others repeat when n is small: as Jansson says */
				json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
				assert_null(j);
				free(key);
				continue;
			}
			r = jread_root(&d);
			for (size_t i = 0; i < n; i++)
				key[i] = (char)('a' + (int)(i % 26));
			assert_true(jread_get(&d, r, key, n) != NULL && jread_get(&d, r, key, n)->num.i == 1);
			for (size_t at = 0; at < n; at++) {
				key[at] ^= 0x20;
				if (jread_get(&d, r, key, n) != NULL)
					fail_msg("length %zu, byte %zu changed: found", n, at);
				key[at] ^= 0x20;
			}
			free(key);
		}
	}
	jread_clear(&d);
}

/* ---- random objects against Jansson ---- */

static unsigned long rnd_state = 12345;

static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rnd_state >> 33) % n);
}

/* A random string body: plain runs of 0..70 bytes between escapes and
 * UTF-8 sequences; now and then (bad = 1) a byte that is refused. */
static void
rnd_string(char *buf, size_t cap, size_t *len, int bad)
{
	static const char *const bits[] = { "\\n", "\\\"", "\\\\", "\\u00e9", "\\ud83d\\ude00",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x7f", " " };
	int parts = (int)rnd(4);

	put(buf, cap, len, "\"");
	for (int i = 0; i < parts; i++) {
		unsigned run = rnd(5) == 0 ? rnd(71) : rnd(12);
		for (unsigned k = 0; k < run; k++)
			put(buf, cap, len, "%c", 'a' + (int)rnd(26));
		if (rnd(3) == 0)
			put(buf, cap, len, "%s", bits[rnd(sizeof bits / sizeof *bits)]);
	}
	if (bad)
		put(buf, cap, len, "%s", rnd(2) ? "\x01" : "\xff");
	put(buf, cap, len, "\"");
}

/* Objects of 1..40 members with random names (some repeated) and string,
 * object, null and number values, as the reader takes them member by
 * member: the same verdict as Jansson's, the same decoded values. */
static void
random_objects_agree(void **state)
{
	static char buf[65536];
	struct jdoc d = { 0 };
	(void)state;
	for (int t = 0; t < 300; t++) {
		size_t len = 0;
		int n = 1 + (int)rnd(40), bad = rnd(20) == 0 ? (int)rnd((unsigned)n * 2) : -1;
		int dupnames = rnd(4) == 0;
		json_t *j;
		char *b;
		int r;

		put(buf, sizeof buf, &len, "{");
		for (int i = 0; i < n; i++) {
			if (i)
				put(buf, sizeof buf, &len, ",");
			if (dupnames)
				put(buf, sizeof buf, &len, "\"k%u\"", rnd(60));
			else
				rnd_string(buf, sizeof buf, &len, bad == 2 * i);
			put(buf, sizeof buf, &len, ":");
			switch (rnd(5)) {
			case 0:
				put(buf, sizeof buf, &len, "{\"value\":");
				rnd_string(buf, sizeof buf, &len, 0);
				put(buf, sizeof buf, &len, "}");
				break;
			case 1:
				put(buf, sizeof buf, &len, rnd(2) ? "null" : "-12.5");
				break;
			default:
				rnd_string(buf, sizeof buf, &len, bad == 2 * i + 1);
				break;
			}
		}
		put(buf, sizeof buf, &len, "}");
		b = exact(buf, len);
		d.index = t % 2;
		r = jread_parse(&d, b, len, NULL);
		j = json_loadb(b, len, JSON_REJECT_DUPLICATES, NULL);
		if ((r == 0) != (j != NULL))
			fail_msg("object %d: jread %s (%s), Jansson %s:\n%s", t, r ? "refuses" : "accepts",
			    d.err, j ? "accepts" : "refuses", buf);
		if (j != NULL) {
			const char *k;
			json_t *v;
			json_object_foreach(j, k, v) {
				const struct jnode *m = jread_get(&d, jread_root(&d), k, strlen(k));
				assert_non_null(m);
				if (json_is_object(v))
					m = jread_get(&d, m, S("value"));
				if (json_is_object(v))
					v = json_object_get(v, "value");
				if (json_is_string(v)) {
					char *got = jread_strdup(m);
					assert_string_equal(got, json_string_value(v));
					free(got);
				}
			}
		}
		json_decref(j);
		free(b);
	}
	jread_clear(&d);
}

/* ---- jstream: the same elements whatever the pieces ---- */

struct collected {
	char *text;	/* one line per element: its nodes, decoded */
	size_t len, cap;
	int stop_at;	/* return -1 at this element (1-based; 0 = never) */
	int n;
};

static void
add(struct collected *c, const char *s, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->text = realloc(c->text, c->cap);
		assert_non_null(c->text);
	}
	memcpy(c->text + c->len, s, n);
	c->len += n;
	c->text[c->len] = '\0';
}

static int
collect(void *ctx, const struct jdoc *d, const struct jnode *e)
{
	struct collected *c = ctx;
	size_t first = (size_t)(e - d->v);
	char buf[64];

	if (++c->n == c->stop_at)
		return -1;
	for (size_t k = first; k < e->end; k++) {
		const struct jnode *n = &d->v[k];
		snprintf(buf, sizeof buf, "%d:", n->type);
		add(c, buf, strlen(buf));
		if (n->key != NULL)
			add(c, n->key, n->klen);
		add(c, "=", 1);
		if (n->type == JT_STRING) {
			char *v = jread_strdup(n);
			add(c, v, strlen(v));
			free(v);
		} else if (n->type == JT_INT) {
			snprintf(buf, sizeof buf, "%lld", n->num.i);
			add(c, buf, strlen(buf));
		} else if (n->type == JT_REAL) {
			snprintf(buf, sizeof buf, "%.17g", n->num.r);
			add(c, buf, strlen(buf));
		}
		add(c, ",", 1);
	}
	add(c, "\n", 1);
	return 0;
}

/* Feed text in pieces: cut at `at` when at > 0, else every `step` bytes.
 * Returns 0 or -1; what was read goes to c (freshly reset). */
static int
stream_read(struct jstream *js, const char *text, size_t len, size_t at, size_t step,
    struct collected *c)
{
	int rc = 0;

	c->len = 0;
	c->n = 0;
	if (c->text)
		c->text[0] = '\0';
	jstream_reset(js);
	if (at > 0) {
		rc |= jstream_feed(js, text, at);
		rc |= jstream_feed(js, text + at, len - at);
	} else {
		for (size_t i = 0; i < len; i += step)
			rc |= jstream_feed(js, text + i, len - i < step ? len - i : step);
	}
	rc |= jstream_finish(js);
	return rc < 0 ? -1 : 0;
}

static const char *const stream_docs[] = {
	"{\"meta\":{\"n\":[1,{\"a\":\"]\"}]},\"employees\":["
	"{\"\\u0069d\":\"7\",\"email\":\"a\\u0040x.test\",\"firstName\":\"\\ud83d\\ude00 J\xc3\xa9\","
	" \"work\":{\"site\":{\"id\":3,\"name\":\"Tallinn\"},\"custom\":{\"f\":-1.5e0}}},"
	" 42, 12345678901234, -0.25E+2, null, true, false, [\"x\", [\"\\\\\"]],"
	"{\"id\":8,\"s\":\"Tab\\tTab \\\"q\\\" \\/\",\"bad\":\"\\u0000\\udc00\"}"
	"\r\n],\"total\":2}\n",
	"[1,22,333]", "  [ ]  ", "{\"employees\":[]}", "{}", "{\"x\":1}", "[\"\xf0\x9f\x98\x80\"]",
	"{\"employees\":[7],\"after\":[1,2,{\"b\":null}]}",
	/* refused, in one piece or many */
	"{\"employees\":[{\"id\":\"1\"} {\"id\":\"2\"}]}", "{\"employees\":[1,]}",
	"{\"employees\":[12", "{\"employees\":[1]} x", "{\"employees\":[1],\"employees\":[2]}",
	"{\"employees\":{\"a\":1}}", "[\"\xc3\"]", "{\"a\":tru}", "[1e]", "{\"employees\":[1]",
	"[1 2]", "[\"a\\x\"]", "{\"employees\":[{\"id\":1,\"id\":2}]}", "[-]", "[01]",
	"{\"employees\" [1]}", "[\"\\ud83d\\ude0\"]", "[99999999999999999999]", "", "  ",
};

static void
stream_split_everywhere(void **state)
{
	struct jstream js;
	struct collected ref = { 0 }, got = { 0 };
	struct jdoc d = { 0 };
	(void)state;

	jstream_init(&js, "employees", 1 << 20, collect, &got);
	for (size_t t = 0; t < sizeof stream_docs / sizeof *stream_docs; t++) {
		const char *text = stream_docs[t];
		size_t len = strlen(text);
		int r0;

		js.ctx = &ref;
		r0 = stream_read(&js, text, len, 0, len ? len : 1, &ref);
		/* in one piece, as jread_parse takes the whole text (but for a
		 * second "employees" list and one that is not a list, refused) */
		if (strstr(text, "\"employees\":[1],\"employees\"") == NULL &&
		    strstr(text, "\"employees\":{") == NULL)
			assert_int_equal(r0, jread_parse(&d, text, len, NULL));
		js.ctx = &got;
		for (size_t at = 1; at < len; at++) {
			int r = stream_read(&js, text, len, at, 0, &got);
			if (r != r0 || (r0 == 0 && strcmp(got.text ? got.text : "", ref.text ? ref.text : "") != 0))
				fail_msg("doc %zu cut at %zu: %d (%s) vs %d in one piece", t, at, r, js.err, r0);
		}
		for (size_t step = 1; step <= 7; step++) {
			int r = stream_read(&js, text, len, 0, step, &got);
			if (r != r0 || (r0 == 0 && strcmp(got.text ? got.text : "", ref.text ? ref.text : "") != 0))
				fail_msg("doc %zu in pieces of %zu: %d (%s) vs %d", t, step, r, js.err, r0);
		}
	}
	/* the first one read as it should be */
	js.ctx = &ref;
	assert_int_equal(stream_read(&js, S(stream_docs[0]), 0, 3, &ref), 0);
	assert_int_equal(ref.n, 9);
	assert_non_null(strstr(ref.text, "5:id=7,"));
	assert_non_null(strstr(ref.text, "3:=12345678901234,"));
	assert_non_null(strstr(ref.text, "Tab\tTab \"q\" /"));
	assert_true(js.found);
	/* where it went wrong, counted from the start of the text */
	assert_int_equal(stream_read(&js, S("{\"employees\":[1,]}"), 0, 2, &ref), -1);
	assert_non_null(strstr(js.err, "at byte 16"));
	jstream_clear(&js);
	jread_clear(&d);
	free(ref.text);
	free(got.text);
}

struct lookups {
	int n, bad;
};

static int
look_up_all(void *ctx, const struct jdoc *d, const struct jnode *e)
{
	struct lookups *l = ctx;
	char name[32];

	/* 20 members: the table is kept (in slen and escaped) and used */
	if (e->type != JT_OBJECT || e->escaped == 0)
		l->bad++;
	for (int i = 0; i < 20; i++) {
		const struct jnode *m;
		snprintf(name, sizeof name, "field_%d", i);
		m = jread_get(d, e, name, strlen(name));
		if (m == NULL || m->type != JT_INT || m->num.i != l->n * 100 + i)
			l->bad++;
	}
	if (jread_get(d, e, S("field_20")) != NULL || jread_get(d, e, S("field_")) != NULL)
		l->bad++;
	l->n++;
	return 0;
}

/* jstream keeps each element's member tables: every member found by
 * jread_get, whatever the pieces. */
static void
stream_elements_indexed(void **state)
{
	static char buf[8192];
	struct lookups l = { 0, 0 };
	struct jstream js;
	size_t len = 0;
	(void)state;
	put(buf, sizeof buf, &len, "{\"employees\":[");
	for (int e = 0; e < 10; e++) {
		put(buf, sizeof buf, &len, "%s{", e ? "," : "");
		for (int i = 19; i >= 0; i--)
			put(buf, sizeof buf, &len, "\"field_%d\":%d%s", i, e * 100 + i, i ? "," : "");
		put(buf, sizeof buf, &len, "}");
	}
	put(buf, sizeof buf, &len, "]}");
	jstream_init(&js, "employees", 1 << 20, look_up_all, &l);
	for (size_t step = 1; step < 40; step += 6) {
		l.n = l.bad = 0;
		jstream_reset(&js);
		for (size_t i = 0; i < len; i += step)
			assert_int_equal(jstream_feed(&js, buf + i, len - i < step ? len - i : step), 0);
		assert_int_equal(jstream_finish(&js), 0);
		assert_int_equal(l.n, 10);
		assert_int_equal(l.bad, 0);
	}
	jstream_clear(&js);
}

static void
stream_limits_and_stop(void **state)
{
	struct collected c = { 0 };
	struct jstream js;
	static const char big[] = "[1,\"0123456789abc\",2]";
	static const char fits[] = "[1,\"01234567\",2]";	/* the string is 10 bytes */
	(void)state;

	jstream_init(&js, "employees", 10, collect, &c);
	for (size_t step = 1; step < sizeof big; step++) {
		assert_int_equal(stream_read(&js, S(big), 0, step, &c), -1);
		assert_non_null(strstr(js.err, "longer than 10 bytes"));
		assert_int_equal(stream_read(&js, S(fits), 0, step, &c), 0);
		assert_int_equal(c.n, 3);
	}
	/* the reader stops it */
	c.stop_at = 2;
	assert_int_equal(stream_read(&js, S("[1,2,3]"), 0, 1, &c), -1);
	assert_true(js.stopped);
	assert_int_equal(c.n, 2);
	c.stop_at = 0;
	/* a reset forgets a half-read text */
	jstream_reset(&js);
	assert_int_equal(jstream_feed(&js, S("[1,\"a")), 0);
	assert_int_equal(stream_read(&js, S("[5]"), 0, 1, &c), 0);
	assert_int_equal(c.n, 1);
	/* another shape: the head is kept for the caller, up to the limit */
	jstream_clear(&js);
	jstream_init(&js, "employees", 64, collect, &c);
	js.keep_head = 1;
	assert_int_equal(stream_read(&js, S("{\"id\":\"9\",\"x\":[1]}"), 0, 4, &c), 0);
	assert_false(js.found);
	assert_false(js.head_over);
	assert_string_equal(js.head, "{\"id\":\"9\",\"x\":[1]}");
	assert_int_equal(stream_read(&js, S("{\"id\":\"9\",\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21]}"),
	    0, 4, &c), 0);
	assert_true(js.head_over);
	jstream_clear(&js);
	free(c.text);
}

/* The damaged string values of a parse are counted while parsing (member
 * names are not values), and the count starts again with each parse. */
static void
damaged_values_counted(void **state)
{
	struct jdoc d = { 0 };
	(void)state;
	assert_int_equal(jread_parse(&d, S("{\"a\":\"x\\u0000\",\"b\":[\"\\udc00\",\"ok\"],"
	    "\"\\u0000k\":\"fine\",\"c\":{\"d\":\"\\ud800z\"},\"e\":\"\\ud83d\\ude00\"}"), NULL), 0);
	assert_int_equal(d.damaged, 3);
	assert_int_equal(jread_parse(&d, S("[\"\\u00e9\",{\"k\":\"v\"}]"), NULL), 0);
	assert_int_equal(d.damaged, 0);
	assert_int_equal(jread_parse(&d, S("\"\\u0000\""), NULL), 0);
	assert_int_equal(d.damaged, 1);
	jread_clear(&d);
}

/* A member whose value is {"value":...} (HiBob's flat form of a field) is
 * read by a short path when written without white space; it must give the
 * nodes, the failures and the damage count of the general one, which a
 * space before the colon makes the text take. */
static void
same_nodes(const struct jdoc *a, const struct jdoc *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->damaged, b->damaged);
	for (size_t i = 0; i < a->n; i++) {
		const struct jnode *x = &a->v[i], *y = &b->v[i];
		assert_int_equal(x->type, y->type);
		assert_int_equal(x->end, y->end);
		assert_int_equal(x->klen, y->klen);
		assert_int_equal(x->khash, y->khash);
		if (x->klen)
			assert_memory_equal(x->key, y->key, x->klen);
		assert_int_equal(x->escaped, y->escaped);
		if (x->type == JT_STRING) {
			char *u = jread_strdup(x), *v = jread_strdup(y);
			assert_string_equal(u, v);
			free(u);
			free(v);
		} else if (x->type == JT_INT) {
			assert_true(x->num.i == y->num.i);
		}
	}
}

static void
value_objects_as_parsed_generally(void **state)
{
	static const char *const values[] = {
		"\"plain\"", "\"\"", "\"Zo\xc3\xab \xc5\x81uk\"", "\"a\\u0000b\"", "\"\\ud800\"",
		"\"line\\nnext\"", "\"\\u00e9t\\u00e9\"", "null", "75", "-1.5", "true", "{}", "[]",
		"{\"a\":1}", "\"ctl\x01\"", "\"bad\xff\"", "\"open", "nul", "\"x\",\"value\":\"y\"",
		"\"x\",\"other\":1", "\"x\" ", "\"\\q\"",
	};
	struct jdoc a = { 0 }, b = { 0 };
	char ta[256], tb[256];
	(void)state;
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		int ra, rb;
		snprintf(ta, sizeof ta, "{\"id\":\"7\",\"/root/x\":{\"value\":%s},\"n\":null}", values[i]);
		snprintf(tb, sizeof tb, "{\"id\":\"7\",\"/root/x\":{\"value\" :%s},\"n\":null}", values[i]);
		ra = jread_parse(&a, ta, strlen(ta), NULL);
		rb = jread_parse(&b, tb, strlen(tb), NULL);
		assert_int_equal(ra, rb);
		if (ra == 0)
			same_nodes(&a, &b);
		/* cut anywhere: fails, reading nothing past the cut (a copy of
		 * exactly that many bytes, so that ASan and valgrind see a
		 * byte read past it) */
		for (size_t cut = 1; cut < strlen(ta); cut++) {
			char *exact = malloc(cut);
			assert_non_null(exact);
			memcpy(exact, ta, cut);
			ra = jread_parse(&a, exact, cut, NULL);
			free(exact);
			assert_int_equal(ra, -1);
		}
	}
	/* in an object with a member table: found, and a repeat refused */
	{
		char big[2048];
		size_t o = 0;
		o += (size_t)snprintf(big + o, sizeof big - o, "{");
		for (int k = 0; k < 30; k++)
			o += (size_t)snprintf(big + o, sizeof big - o, "%s\"/f/%d\":{\"value\":\"v%d\"}",
			    k ? "," : "", k, k);
		snprintf(big + o, sizeof big - o, "}");
		a.index = 1;
		assert_int_equal(jread_parse(&a, big, strlen(big), NULL), 0);
		for (int k = 0; k < 30; k++) {
			char name[16], want[16];
			const struct jnode *m, *v;
			snprintf(name, sizeof name, "/f/%d", k);
			snprintf(want, sizeof want, "v%d", k);
			m = jread_get(&a, jread_root(&a), name, strlen(name));
			assert_non_null(m);
			v = jread_get(&a, m, "value", 5);
			assert_non_null(v);
			assert_true(jread_str_eq(v, want));
		}
		snprintf(big + o, sizeof big - o, ",\"/f/3\":{\"value\":\"again\"}}");
		assert_int_equal(jread_parse(&a, big, strlen(big), NULL), -1);
		assert_string_equal(a.err, "duplicate object key");
	}
	jread_clear(&a);
	jread_clear(&b);
}

/* Numbers read without strtoll/strtod (jread's exact path) and with them
 * give the same value to the bit: random integers and reals of every
 * length, fraction and exponent near the path's limits, both signs. */
static void
numbers_as_strtod_reads_them(void **state)
{
	struct jdoc d = { 0 };
	char num[96], text[112];
	unsigned long long seed = 88172645463325252ull;
	(void)state;
	for (int t = 0; t < 200000; t++) {
		size_t o = 0;
		int idig, fdig, exp, real;
		const struct jnode *r;
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		idig = (int)(seed % 20);
		fdig = (int)((seed >> 8) % 20);
		real = (seed >> 16) % 4 != 0;
		exp = (int)((seed >> 20) % 61) - 30;
		if ((seed >> 28) & 1)
			num[o++] = '-';
		if (idig == 0 || (seed >> 29) % 5 == 0) {
			num[o++] = '0';
		} else {
			num[o++] = (char)('1' + (seed >> 32) % 9);
			for (int i = 1; i < idig; i++)
				num[o++] = (char)('0' + ((seed >> (i % 40)) + (unsigned)i * 7) % 10);
		}
		if (real && fdig > 0) {
			num[o++] = '.';
			for (int i = 0; i < fdig; i++)
				num[o++] = (char)('0' + ((seed >> ((i + 5) % 50)) + (unsigned)i * 3) % 10);
		}
		if (real && (seed >> 40) % 2) {
			num[o++] = (seed >> 41) % 2 ? 'e' : 'E';
			if ((seed >> 42) % 3 == 0 && exp >= 0)
				num[o++] = '+';
			o += (size_t)snprintf(num + o, sizeof num - o, "%d", exp);
		}
		num[o] = '\0';
		snprintf(text, sizeof text, "[%s]", num);
		if (jread_parse(&d, text, strlen(text), NULL) != 0) {
			/* only integers too big for a long long are refused */
			errno = 0;
			(void)strtoll(num, NULL, 10);
			assert_int_equal(errno, ERANGE);
			continue;
		}
		r = jread_first(&d, jread_root(&d));
		if (r == NULL)
			fail_msg("%s: no element", num);
		else if (r->type == JT_INT) {
			assert_true(r->num.i == strtoll(num, NULL, 10));
		} else {
			double want = strtod(num, NULL);
			assert_int_equal(r->type, JT_REAL);
			if (memcmp(&r->num.r, &want, sizeof want) != 0)
				fail_msg("%s: %.17g, strtod %.17g", num, r->num.r, want);
		}
	}
	jread_clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(degenerate),
		cmocka_unit_test(damaged_values_counted),
		cmocka_unit_test(numbers_as_strtod_reads_them),
		cmocka_unit_test(value_objects_as_parsed_generally),
		cmocka_unit_test(scalars),
		cmocka_unit_test(strings_and_escapes),
		cmocka_unit_test(nesting_and_lookup),
		cmocka_unit_test(duplicates_and_depth),
		cmocka_unit_test(prefix_and_reuse),
		cmocka_unit_test(agrees_with_jansson),
		cmocka_unit_test(strings_at_every_offset),
		cmocka_unit_test(strings_ending_everywhere),
		cmocka_unit_test(objects_with_many_members),
		cmocka_unit_test(random_objects_agree),
		cmocka_unit_test(objects_deep_and_null_members),
		cmocka_unit_test(names_differing_anywhere),
		cmocka_unit_test(stream_split_everywhere),
		cmocka_unit_test(stream_limits_and_stop),
		cmocka_unit_test(stream_elements_indexed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
