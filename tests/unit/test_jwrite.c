/* test_jwrite.c - the streaming JSON writer gives the very text Jansson's
 * json_dumps gives, compact and indented, sorted or in member order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/jread.h"
#include "base/jwrite.h"
#include "base/util.h"

static const size_t layouts[][2] = {
	/* jansson flags, writer indent (sort keys from the flags) */
	{ JSON_COMPACT, 0 },
	{ JSON_COMPACT | JSON_SORT_KEYS, 0 },
	{ JSON_INDENT(2) | JSON_PRESERVE_ORDER, 2 },
	{ JSON_INDENT(4) | JSON_SORT_KEYS, 4 },
};

static char *
ours_of(const json_t *v, int indent, int sort)
{
	struct jwriter w;

	jw_init(&w, NULL, indent);
	jw_value(&w, v, sort);
	assert_int_equal(jw_finish(&w), 0);
	return sb_detach(&w.buf);
}

static void
same_as_jansson(const json_t *v)
{
	for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
		char *want = json_dumps(v, layouts[i][0] | JSON_ENCODE_ANY);
		char *got = ours_of(v, (int)layouts[i][1], (layouts[i][0] & JSON_SORT_KEYS) != 0);
		assert_non_null(want);
		assert_string_equal(got, want);
		free(want);
		free(got);
	}
}

static void
scalars_and_reals(void **state)
{
	static const double reals[] = {
		0.0, -0.0, 1.0, 125.5, 0.1, 1.0 / 3.0, 100.0, 1e20, 1e21, 1e-7, -2.5e-300,
		1.7976931348623157e308, 4.9e-324, 123456789012345678.0, 75.0, -1e100,
	};
	json_t *v;
	(void)state;
	for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
		char mine[32];
		char *theirs;
		v = json_real(reals[i]);
		same_as_jansson(v);
		jw_real_text(reals[i], mine);
		theirs = json_dumps(v, JSON_ENCODE_ANY);
		assert_string_equal(mine, theirs);
		free(theirs);
		json_decref(v);
	}
	v = json_pack("[iiIbbn]", 0, -7, (json_int_t)-9223372036854775807LL - 1, 1, 0);
	same_as_jansson(v);
	json_decref(v);
	/* whole numbers (jw_real_text's own path) on both sides of its bound */
	for (int i = 0; i < 4000; i++) {
		static const double edges[] = { 1e15, -1e15, 999999999999999.0, -999999999999999.0,
			1e16, 12345678901234567.0, -75.0, 9.0, 10.0, 1e14 };
		double x = i < 10 ? edges[i] : (double)((long long)rand() * (i % 7 ? 1 : 1000003) *
		    (i % 2 ? 1 : -1) / (1 + i % 5));
		char mine[32];
		char *theirs;
		x = i < 10 ? x : trunc(x);
		v = json_real(x);
		jw_real_text(x, mine);
		theirs = json_dumps(v, JSON_ENCODE_ANY);
		assert_string_equal(mine, theirs);
		free(theirs);
		json_decref(v);
	}
}

static void
strings(void **state)
{
	static const char *const texts[] = {
		"", "plain", "quote \" backslash \\ slash /", "\b\f\n\r\t", "\x01\x1f\x7f",
		"Zo\xc3\xab \xc5\x81ukasiewicz-\xc3\x98sterg\xc3\xa5rd", "\xe2\x82\xac \xf0\x9f\x98\x80",
		"\xe2\x80\xa8 line separator", "a\"]}@x",
	};
	json_t *arr = json_array(), *obj = json_object();
	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		json_array_append_new(arr, json_string(texts[i]));
		json_object_set_new(obj, texts[i], json_string(texts[i]));
	}
	json_array_append_new(arr, json_stringn("nul\0inside", 10));
	same_as_jansson(arr);
	same_as_jansson(obj);
	json_decref(arr);
	json_decref(obj);
	/* texts of every length made of the bytes that take each path: plain
	 * runs short and long, quotes and backslashes one after the other,
	 * control bytes, DEL and UTF-8 */
	{
		static const char *const parts[] = { "\"", "\\", "a", "plain text of 20 b",
			"\x01", "\x1f", "\n", "\x7f", "\xc3\xa9", "\xf0\x9f\x98\x80", "/", "\t",
			"{\"d\":null,\"e\":\"3000\"}" };
		unsigned seed = 11;
		for (int i = 0; i < 3000; i++) {
			char text[512];
			size_t n = 0, k = (size_t)(i % 23);
			json_t *v;
			for (size_t j = 0; j < k; j++) {
				const char *q;
				seed = seed * 1103515245u + 12345u;
				q = parts[(seed >> 16) % (sizeof parts / sizeof parts[0])];
				memcpy(text + n, q, strlen(q));
				n += strlen(q);
			}
			text[n] = '\0';
			v = json_string(text);
			assert_non_null(v);
			same_as_jansson(v);
			json_decref(v);
		}
	}
}

static void
nesting_and_empties(void **state)
{
	json_t *v = json_loads("{\"z\":{},\"a\":[],\"m\":[{},[],[[]],{\"y\":{\"x\":[1,2.5,\"s\",null,true]}}],"
	    "\"b\":{\"k2\":1,\"k10\":2,\"k\":3,\"K\":4},\"e\":[{\"b\":1,\"a\":2}]}", 0, NULL);
	(void)state;
	assert_non_null(v);
	same_as_jansson(v);
	json_decref(v);
	v = json_object();
	same_as_jansson(v);
	json_decref(v);
	v = json_array();
	same_as_jansson(v);
	json_decref(v);
}

/* Calls as the plan writer makes them, against the same tree in Jansson. */
static void
direct_calls(void **state)
{
	struct jwriter w;
	json_t *j = json_object(), *a = json_array(), *o = json_object();
	char *want, *got;
	(void)state;
	json_object_set_new(o, "op", json_string("add"));
	json_object_set_new(o, "name", json_null());
	json_object_set_new(o, "n", json_integer(3));
	json_object_set_new(o, "r", json_real(2.5));
	json_object_set_new(o, "t", json_true());
	json_object_set_new(o, "f", json_false());
	json_object_set_new(o, "empty", json_object());
	json_array_append_new(a, o);
	json_array_append_new(a, json_object());
	json_object_set_new(j, "actions", a);
	json_object_set_new(j, "held", json_array());
	want = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	jw_init(&w, NULL, 2);
	jw_object_begin(&w);
	jw_key(&w, "actions");
	jw_array_begin(&w);
	jw_object_begin(&w);
	jw_key(&w, "op");
	jw_string(&w, "add");
	jw_key(&w, "name");
	jw_string(&w, NULL);
	jw_key(&w, "n");
	jw_int(&w, 3);
	jw_key(&w, "r");
	jw_real(&w, 2.5);
	jw_key(&w, "t");
	jw_bool(&w, 1);
	jw_key(&w, "f");
	jw_bool(&w, 0);
	jw_key(&w, "empty");
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_object_end(&w);
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_array_end(&w);
	jw_key(&w, "held");
	jw_array_begin(&w);
	jw_array_end(&w);
	jw_object_end(&w);
	assert_int_equal(jw_finish(&w), 0);
	got = sb_detach(&w.buf);
	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(j);

	/* what Jansson cannot hold is written as null */
	jw_init(&w, NULL, 0);
	jw_array_begin(&w);
	jw_string(&w, "bad \xc3");
	jw_real(&w, INFINITY);
	jw_real(&w, NAN);
	jw_array_end(&w);
	jw_finish(&w);
	got = sb_detach(&w.buf);
	assert_string_equal(got, "[null,null,null]");
	free(got);
}

/* jw_member_string writes what jw_keyn and jw_string write, whether or not
 * the name and the value need escapes, in both layouts and at any place
 * (first member or not, top level or nested). */
static void
member_string_as_key_and_string(void **state)
{
	static const char *const values[] = { "add", "", NULL, "3000001033617202983",
		"Zo\xc3\xab \xc5\x81ukasiewicz", "quote \" and \\ back", "tab\there", "bad \xc3",
		"gets an account: alleo_access is yes, started on 2020-02-17 (a longer reason)",
		"DEL\x7f", NULL };
	static const char *const keys[] = { "op", "employee_id", "na\"me", "" };
	char big[300];
	(void)state;
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (int indent = 0; indent <= 2; indent += 2) {
		struct jwriter a, b;
		char *x, *y;
		jw_init(&a, NULL, indent);
		jw_init(&b, NULL, indent);
		jw_array_begin(&a);
		jw_array_begin(&b);
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			jw_object_begin(&a);
			jw_object_begin(&b);
			for (size_t i = 0; i <= sizeof values / sizeof values[0]; i++) {
				const char *v = i < sizeof values / sizeof values[0] ? values[i] : big;
				jw_keyn(&a, keys[k], strlen(keys[k]));
				jw_string(&a, v);
				jw_member_string(&b, keys[k], strlen(keys[k]), v, v ? strlen(v) : 0);
			}
			jw_object_end(&a);
			jw_object_end(&b);
		}
		jw_array_end(&a);
		jw_array_end(&b);
		jw_finish(&a);
		jw_finish(&b);
		x = sb_detach(&a.buf);
		y = sb_detach(&b.buf);
		assert_string_equal(y, x);
		free(x);
		free(y);
	}
}

/* A JSON text re-laid out: as json_dumps(json_loads(text)). */
static void
embedded_text(void **state)
{
	static const char *const texts[] = {
		"{\"budgets\":{\"b\":75.0,\"a\":150.5},\"email\":\"a\\u0040x\",\"active\":true,\"end_date\":null}",
		"[1,-0,2.50,1E3,\"\\u00e9\\ud83d\\ude00\\n\",{}]", "\"just a string\"", "42", "{}",
		" { \"k\" : [ { } , [ ] ] } ",
	};
	struct jwriter w;
	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++) {
			json_t *v = json_loads(texts[i], JSON_DECODE_ANY, NULL);
			char *want = json_dumps(v, layouts[l][0] | JSON_ENCODE_ANY), *got;
			jw_init(&w, NULL, (int)layouts[l][1]);
			assert_int_equal(jw_json(&w, texts[i], strlen(texts[i]),
			    (layouts[l][0] & JSON_SORT_KEYS) != 0), 0);
			jw_finish(&w);
			got = sb_detach(&w.buf);
			assert_string_equal(got, want);
			free(got);
			free(want);
			json_decref(v);
		}
	}
	jw_init(&w, NULL, 2);
	assert_int_equal(jw_json(&w, "{\"a\":", 5, 0), -1);
	assert_int_equal(jw_json(&w, NULL, 0, 0), -1);
	jw_finish(&w);
	assert_int_equal(w.buf.len, 0);
	sb_clear(&w.buf);
}

/* jw_json of a text this writer wrote compact (a plan's "after") skips
 * the parse: the same bytes as Jansson, and no node is made.  Texts that
 * are near that form but not in it (another escape, a real, a repeated
 * name, keys out of order when sorting) still give Jansson's bytes, and
 * texts that are not JSON still fail. */
static void
compact_texts_relaid(void **state)
{
	static const char *const texts[] = {
		/* the writer's own compact form: fast */
		"{\"active\":true,\"budgets\":{},\"email\":\"a@x\",\"end_date\":null,\"n\":-12}",
		"{\"b\":[1,2,{\"c\":[]}],\"a\":\"\\\"q\\\\ \\b\\f\\n\\r\\t\\u001F\\u0001\"}",
		"{\"k\\n\":\"\xc3\xa9\xf0\x9f\x98\x80\x7f\",\"a\":[[],{},[{}]],\"z\":0}",
		"[]", "{}", "\"s\"", "0", "-9", "false", "[null,true,false]",
		"{\"x\":{\"y\":{\"z\":{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}}}}",
		/* near it: slow path, same bytes */
		"{\"a\":\"\\u001f\"}", "{\"a\":\"\\/\"}", "{\"a\":\"\\u0041\\u000A\\u00e9\"}",
		"{\"a\":1.5}", "{\"a\":1e2}", "{\"a\":-0}", "[1234567890123456789]",
		"{\"b\":1,\"a\":2}", "{\"a\\\"\":1,\"a\":2}", "{ \"a\":1}", "[1 ]",
		"[[[[[[[[[[1]]]]]]]]]]",
		"{\"0\":0,\"1\":1,\"2\":2,\"3\":3,\"4\":4,\"5\":5,\"6\":6,\"7\":7,\"8\":8,\"9\":9,"
		"\"10\":0,\"11\":1,\"12\":2,\"13\":3,\"14\":4,\"15\":5,\"16\":6,\"17\":7,\"18\":8,"
		"\"19\":9,\"20\":0,\"21\":1,\"22\":2,\"23\":3,\"24\":4,\"25\":5,\"26\":6,\"27\":7,"
		"\"28\":8,\"29\":9,\"30\":0,\"31\":1,\"32\":2}",
	};
	static const char *const bad[] = {
		"{\"a\":1,\"a\":2}", "[1,]", "{\"a\":1,}", "[01]", "tru", "{\"a\"}", "[1]x",
		"\"\\u0000\"x", "[12345678901234567890]", "\"\xff\"", "{\"a\":\"\x01\"}", "[", "{\"a\":\"\\x\"}", "",
	};
	struct jwriter w;
	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		json_t *v = json_loads(texts[i], JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
		assert_non_null(v);
		for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++) {
			char *want = json_dumps(v, layouts[l][0] | JSON_ENCODE_ANY), *got;
			jw_init(&w, NULL, (int)layouts[l][1]);
			jw_array_begin(&w);	/* inside a container, as in a plan */
			assert_int_equal(jw_json(&w, texts[i], strlen(texts[i]),
			    (layouts[l][0] & JSON_SORT_KEYS) != 0), 0);
			jw_array_end(&w);
			jw_finish(&w);
			got = sb_detach(&w.buf);
			{
				json_t *arr = json_pack("[O]", v);
				char *want2 = json_dumps(arr, layouts[l][0]);
				assert_string_equal(got, want2);
				free(want2);
				json_decref(arr);
			}
			free(got);
			free(want);
		}
		json_decref(v);
	}
	/* the writer's compact text takes the fast path: no node parsed */
	jw_init(&w, NULL, 2);
	assert_int_equal(jw_json(&w, texts[0], strlen(texts[0]), 0), 0);
	assert_null(w.doc.v);
	assert_int_equal(jw_json(&w, "{\"a\":1.5}", 9, 0), -0);
	assert_non_null(w.doc.v);
	jw_finish(&w);
	sb_clear(&w.buf);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		jw_init(&w, NULL, 2);
		assert_int_equal(jw_json(&w, bad[i], strlen(bad[i]), 0), -1);
		assert_int_equal(w.buf.len, 0);
		jw_finish(&w);
		sb_clear(&w.buf);
	}
}

/* A random value for own_texts: every type, strings with escapes and
 * UTF-8, empty and nested containers (deep ones past relay's depth). */
static json_t *
random_value(uint32_t *seed, int depth)
{
	static const char *const words[] = { "", "a", "x\"y", "back\\slash", "tab\there",
		"\xc3\xa9t\xc3\xa9", "\xf0\x9f\x98\x80", "ctl\x01", "}],{[:", "\\\"", "end\\" };
	uint32_t r;

	*seed = *seed * 1103515245u + 12345u;
	r = *seed >> 8;
	switch (depth > 10 ? r % 6 : r % 8) {
	case 0: return json_null();
	case 1: return json_boolean(r & 256);
	case 2: return json_integer((json_int_t)(r % 2001) - 1000);
	case 3: return json_real((double)(r % 100000) / 64.0);
	case 4: case 5: return json_string(words[(r >> 4) % (sizeof words / sizeof words[0])]);
	case 6: {
		json_t *a = json_array();
		for (uint32_t i = 0; i < (r >> 5) % 4; i++)
			json_array_append_new(a, random_value(seed, depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (uint32_t i = 0; i < (r >> 5) % 5; i++) {
			char key[16];
			snprintf(key, sizeof key, "%s%u", i % 2 ? "k\"" : "k", i);
			json_object_set_new(o, key, random_value(seed, depth + 1));
		}
		return o;
	}
	}
}

/* jw_json_own writes a compact text of this writer's as jw_json does,
 * wherever it goes (alone, an element, a member) and however deep. */
static void
own_texts_relaid_as_jw_json(void **state)
{
	uint32_t seed = 7;
	(void)state;
	for (int n = 0; n < 3000; n++) {
		json_t *v = random_value(&seed, n % 4 == 0 ? 0 : 6);
		char *text = ours_of(v, 0, n % 2);
		for (int indent = 0; indent <= 4; indent += 2) {
			for (int at = 0; at < 3; at++) {
				struct jwriter a, b;
				char *ga, *gb;
				jw_init(&a, NULL, indent);
				jw_init(&b, NULL, indent);
				for (int k = 0; k < at; k++) {
					jw_object_begin(&a);
					jw_object_begin(&b);
					jw_key(&a, "before");
					jw_key(&b, "before");
					jw_int(&a, k);
					jw_int(&b, k);
					jw_key(&a, "v");
					jw_key(&b, "v");
				}
				assert_int_equal(jw_json(&a, text, strlen(text), 0), 0);
				assert_int_equal(jw_json_own(&b, text, strlen(text)), 0);
				for (int k = 0; k < at; k++) {
					jw_object_end(&a);
					jw_object_end(&b);
				}
				jw_finish(&a);
				jw_finish(&b);
				ga = sb_detach(&a.buf);
				gb = sb_detach(&b.buf);
				assert_string_equal(gb, ga);
				free(ga);
				free(gb);
				jread_clear(&a.doc);
				jread_clear(&b.doc);
			}
		}
		free(text);
		json_decref(v);
	}
	{
		/* no text at all is not JSON: refused as jw_json refuses it */
		struct jwriter w;
		jw_init(&w, NULL, 2);
		assert_int_equal(jw_json_own(&w, "", 0), -1);
		assert_int_equal(jw_json_own(&w, NULL, 0), -1);
		jw_finish(&w);
		assert_int_equal(w.buf.len, 0);
		sb_clear(&w.buf);
	}
}

/* Large output goes to the file in pieces and arrives whole. */
static void
to_a_file(void **state)
{
	FILE *f = tmpfile();
	struct jwriter w;
	json_t *arr = json_array();
	char *want, *got;
	long size;
	(void)state;
	assert_non_null(f);
	jw_init(&w, f, 2);
	jw_array_begin(&w);
	for (int i = 0; i < 20000; i++) {
		char s[32];
		snprintf(s, sizeof s, "person %d \xc3\xab", i);
		jw_object_begin(&w);
		jw_key(&w, "name");
		jw_string(&w, s);
		jw_key(&w, "i");
		jw_int(&w, i);
		jw_object_end(&w);
		json_array_append_new(arr, json_pack("{s:s,s:i}", "name", s, "i", i));
	}
	jw_array_end(&w);
	assert_int_equal(jw_finish(&w), 0);
	want = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size = ftell(f);
	assert_int_equal((size_t)size, strlen(want));
	got = calloc(1, (size_t)size + 1);
	rewind(f);
	assert_int_equal(fread(got, 1, (size_t)size, f), (size_t)size);
	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(arr);
	fclose(f);
}

/* Integers are written as "%lld" writes them: the edges (0, the powers of
 * ten and one less, LLONG_MIN and LLONG_MAX) and random values. */
static void
integers_as_printf_writes_them(void **state)
{
	struct jwriter w;
	struct strbuf want;
	unsigned long long seed = 0x9E3779B97F4A7C15ull;
	long long edges[64];
	size_t ne = 0;
	(void)state;
	edges[ne++] = 0;
	edges[ne++] = LLONG_MAX;
	edges[ne++] = LLONG_MIN;
	edges[ne++] = LLONG_MIN + 1;
	for (long long p = 1; p <= LLONG_MAX / 10; p *= 10) {
		edges[ne++] = p;
		edges[ne++] = -p;
		edges[ne++] = p - 1;
	}
	sb_init(&want, 0);
	jw_init(&w, NULL, 0);
	jw_array_begin(&w);
	sb_puts(&want, "[");
	for (size_t i = 0; i < ne + 5000; i++) {
		char b[32];
		long long v;
		if (i < ne) {
			v = edges[i];
		} else {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			v = (long long)(seed >> (seed % 64));
			if (seed & 1)
				v = -v;
		}
		jw_int(&w, v);
		snprintf(b, sizeof b, "%s%lld", i ? "," : "", v);
		sb_puts(&want, b);
	}
	jw_array_end(&w);
	sb_puts(&want, "]");
	assert_int_equal(jw_finish(&w), 0);
	assert_string_equal(w.buf.buf, want.buf);
	sb_clear(&w.buf);
	sb_clear(&want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scalars_and_reals),
		cmocka_unit_test(integers_as_printf_writes_them),
		cmocka_unit_test(strings),
		cmocka_unit_test(nesting_and_empties),
		cmocka_unit_test(direct_calls),
		cmocka_unit_test(member_string_as_key_and_string),
		cmocka_unit_test(embedded_text),
		cmocka_unit_test(compact_texts_relaid),
		cmocka_unit_test(own_texts_relaid_as_jw_json),
		cmocka_unit_test(to_a_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
