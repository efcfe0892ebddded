/* test_shape.c - answer shapes for `check --record`: types, keys, list
 * lengths, placeholders for ids, e-mails and text, merging, the path
 * templates per service, and a written file that holds no value. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "admin/shape_int.h"
#include "base/util.h"

static char *
dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void
assert_json(const json_t *j, const char *want)
{
	char *got = dump(j);
	assert_string_equal(got, want);
	free(got);
}

static void
types_keys_lengths(void **state)
{
	json_t *v = json_loads("{\"a\":1,\"b\":1.5,\"c\":\"x\",\"d\":null,\"e\":true,"
	    "\"f\":[1,\"y\",{\"g\":false}],\"h\":[]}", 0, NULL);
	json_t *s;
	(void)state;
	assert_non_null(v);
	s = shape_of(v);
	assert_json(s, "{\"keys\":{\"a\":{\"types\":[\"integer\"]},\"b\":{\"types\":[\"number\"]},"
	    "\"c\":{\"types\":[\"string\"]},\"d\":{\"types\":[\"null\"]},\"e\":{\"types\":[\"boolean\"]},"
	    "\"f\":{\"items\":{\"keys\":{\"g\":{\"types\":[\"boolean\"]}},"
	    "\"types\":[\"integer\",\"object\",\"string\"]},\"len\":[3,3],\"types\":[\"array\"]},"
	    "\"h\":{\"len\":[0,0],\"types\":[\"array\"]}},\"types\":[\"object\"]}");
	json_decref(s);
	json_decref(v);
}

static void
placeholders(void **state)
{
	static const struct { const char *in, *out; } keys[] = {
		{ "employees", "employees" },
		{ "/work/custom/field_1667499206086", "/work/custom/field_{n}" },
		{ "3332883884017713238", "{id}" },
		{ "5f0c3a0e-1c2b-4d5e-8f90-123456789abc", "{id}" },
		{ "jane.doe@example.com", "{email}" },
		{ "Zo\xc3\xab \xc5\x81ukasiewicz", "{text}" },
		{ "Jane Doe", "{text}" },
		{ "face", "face" },
		{ "site2", "site2" },
		{ "urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:User" },
	};
	static const struct { const char *in, *out; } paths[] = {
		{ "/people/search", "/people/search" },
		{ "/v1/people/search", "/v1/people/search" },
		{ "/v2x/people/3", "/{id}/people/{id}" },
		{ "/company/named-lists/list_1690123456789", "/company/named-lists/{id}" },
		{ "/timeoff/employees/3332883884017713238/requests/24500741?x=1",
		  "/timeoff/employees/{id}/requests/{id}" },
		{ "/people/jane%40example.com", "/people/{id}" },
		{ "/Users?filter=userName%20eq%20%22a%40b.c%22", "/Users" },
		{ "", "/" },
		{ "?a=b", "/" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char *k = shape_key(keys[i].in);
		assert_string_equal(k, keys[i].out);
		free(k);
	}
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		char *p = shape_path(paths[i].in);
		assert_string_equal(p, paths[i].out);
		free(p);
	}
}

static void
maps_and_merging(void **state)
{
	/* a map keyed by ids folds into one {id} key; lists merge their items
	 * and keep the shortest and longest length */
	json_t *v = json_loads("{\"activities\":{\"3332883884017713238\":{\"a\":1},"
	    "\"2813193532448179017\":{\"b\":\"x\"}}}", 0, NULL);
	json_t *s = shape_of(v), *l1, *l2, *s1, *s2;
	(void)state;
	assert_json(s, "{\"keys\":{\"activities\":{\"keys\":{\"{id}\":{\"keys\":{\"a\":{\"types\":"
	    "[\"integer\"]},\"b\":{\"types\":[\"string\"]}},\"types\":[\"object\"]}},\"types\":"
	    "[\"object\"]}},\"types\":[\"object\"]}");
	l1 = json_loads("[1,2,3]", 0, NULL);
	l2 = json_loads("[null]", 0, NULL);
	s1 = shape_of(l1);
	s2 = shape_of(l2);
	shape_merge(s1, s2);
	assert_json(s1, "{\"items\":{\"types\":[\"integer\",\"null\"]},\"len\":[1,3],\"types\":[\"array\"]}");
	json_decref(s);
	json_decref(v);
	json_decref(l1);
	json_decref(l2);
	json_decref(s1);
	json_decref(s2);
}

static void
recorder_files_by_service(void **state)
{
	struct shape_recorder *r = shape_recorder_new();
	const char *search = "{\"employees\":[{\"id\":\"3332883884017713238\","
	    "\"email\":\"jane.secret@example.com\",\"firstName\":\"Janeway\"},"
	    "{\"id\":\"2\",\"email\":\"x@example.com\",\"firstName\":\"Kim\"}]}";
	const json_t *doc;
	char *text;
	(void)state;
	shape_recorder_add_base(r, "hibob", "http://127.0.0.1:1/v1/");
	shape_recorder_add_base(r, "alleo", "http://127.0.0.1:2/scim/v2");
	shape_recorder_add_base(r, "alleo.token", "http://127.0.0.1:2/oauth/token");
	shape_recorder_answer(r, "POST", "http://127.0.0.1:1/v1/people/search", 200,
	    search, strlen(search));
	shape_recorder_answer(r, "POST", "http://127.0.0.1:1/v1/people/search", 200,
	    "{\"employees\":[]}", 16);
	shape_recorder_answer(r, "GET", "http://127.0.0.1:1/v1/timeoff/employees/3/requests/4",
	    404, NULL, 0);
	shape_recorder_answer(r, "GET", "http://127.0.0.1:2/scim/v2/Users?filter=x", 401,
	    "Unauthorized", 12);
	shape_recorder_answer(r, "POST", "http://127.0.0.1:2/oauth/token", 200,
	    "{\"access_token\":\"tok-secret-123\"}",
	    strlen("{\"access_token\":\"tok-secret-123\"}"));
	shape_recorder_answer(r, "GET", "http://127.0.0.1:3/v0/people?limit=2", 200, "[]", 2);
	doc = shape_recorder_json(r);
	assert_json(json_object_get(doc, "answers"),
	    "{\"alleo GET /Users\":{\"401\":{\"body\":{\"types\":[\"text\"]},\"count\":1}},"
	    "\"alleo.token POST /\":{\"200\":{\"body\":{\"keys\":{\"access_token\":{\"types\":"
	    "[\"string\"]}},\"types\":[\"object\"]},\"count\":1}},"
	    "\"hibob GET /timeoff/employees/{id}/requests/{id}\":{\"404\":{\"body\":{\"types\":"
	    "[\"empty\"]},\"count\":1}},"
	    "\"hibob POST /people/search\":{\"200\":{\"body\":{\"keys\":{\"employees\":{\"items\":"
	    "{\"keys\":{\"email\":{\"types\":[\"string\"]},\"firstName\":{\"types\":[\"string\"]},"
	    "\"id\":{\"types\":[\"string\"]}},\"types\":[\"object\"]},\"len\":[0,2],\"types\":"
	    "[\"array\"]}},\"types\":[\"object\"]},\"count\":2}},"
	    "\"other GET /v0/people\":{\"200\":{\"body\":{\"len\":[0,0],\"types\":[\"array\"]},"
	    "\"count\":1}}}");
	text = dump(doc);
	assert_null(strstr(text, "jane.secret"));
	assert_null(strstr(text, "Janeway"));
	assert_null(strstr(text, "3332883884017713238"));
	assert_null(strstr(text, "tok-secret"));
	assert_null(strstr(text, "127.0.0.1"));
	free(text);
	shape_recorder_free(&r);
	assert_null(r);
}

static void
written_private(void **state)
{
	char dir[] = "/tmp/test_shape.XXXXXX";
	char *path;
	struct shape_recorder *r = shape_recorder_new();
	struct bs_error err = { 0 };
	struct stat st;
	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/shapes.json", dir);
	shape_recorder_answer(r, "GET", "https://h/x", 200, "{}", 2);
	umask(022);
	assert_int_equal(shape_recorder_write(r, path, &err), BS_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(path);
	rmdir(dir);
	free(path);
	shape_recorder_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(types_keys_lengths),
		cmocka_unit_test(placeholders),
		cmocka_unit_test(maps_and_merging),
		cmocka_unit_test(recorder_files_by_service),
		cmocka_unit_test(written_private),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
