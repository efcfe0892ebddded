/* test_describe.c - an action's before/after in words, for every action
 * kind of the roster (add, update, remove, reactivate) and of time off
 * (create, replace, delete, an orphan event's delete). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/describe.h"

static int64_t
utc(int y, unsigned mo, unsigned d, int h, int mi)
{
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

/* Sunday 6 Dec 2026, 11:00 in Amsterdam */
#define NOW utc(2026, 12, 6, 10, 0)

static int
setup(void **state)
{
	(void)state;
	return setenv("TZ", "Europe/Amsterdam", 1);
}

static void
expect(const char *target, const char *op, const char *before, const char *after,
    const char *want)
{
	char *got = describe_action(target, op, before, after, NOW);
	assert_string_equal(got, want);
	free(got);
}

#define ROW(active, email, first, last, start, end, off, budgets) \
	"{\"active\":" active ",\"budgets\":" budgets ",\"email\":" email ",\"end_date\":" end \
	",\"first_name\":" first ",\"last_name\":" last ",\"offboard_date\":" off \
	",\"start_date\":" start "}"

static const char *const ANN = ROW("true", "\"ann@example.com\"", "\"Ann\"", "\"Lee\"",
    "\"2021-03-01\"", "null", "null", "{}");

static void
roster_add(void **state)
{
	(void)state;
	expect("alleo", "add", NULL, ANN, "Account: none -> active; Name: Ann Lee; Email: "
	    "ann@example.com; Start date: Mon 1 Mar 2021");
	/* a starter of next week, with a budget */
	expect("alleo", "add", NULL, ROW("true", "\"bo@example.com\"", "\"Bo\"", "null",
	    "\"2026-12-14\"", "null", "null", "{\"learning\":500}"),
	    "Account: none -> active; Name: Bo; Email: bo@example.com; Start date: Mon 14 Dec; "
	    "Budget learning: none -> 500");
}

static void
roster_update(void **state)
{
	(void)state;
	expect("alleo", "update", ANN, ROW("true", "\"ann.lee@example.com\"", "\"Ann\"",
	    "\"Lee-Smith\"", "\"2021-03-01\"", "\"2027-01-31\"", "null", "{}"),
	    "Name: Ann Lee -> Ann Lee-Smith; Email: ann@example.com -> ann.lee@example.com; "
	    "Last day: none -> Sun 31 Jan 2027");
	expect("alleo", "update", ROW("true", "\"a@x\"", "\"A\"", "\"B\"", "\"2021-03-01\"",
	    "null", "null", "{\"learning\":500,\"gym\":30}"), ROW("true", "\"a@x\"", "\"A\"",
	    "\"B\"", "\"2021-03-01\"", "null", "null", "{\"learning\":750.5}"),
	    "Budget learning: 500 -> 750.50; Budget gym: 30 -> none");
	/* nothing that changes: nothing to say */
	expect("alleo", "update", ANN, ANN, "");
}

static void
roster_remove_and_reactivate(void **state)
{
	const char *gone = ROW("false", "\"ann@example.com\"", "\"Ann\"", "\"Lee\"",
	    "\"2021-03-01\"", "\"2026-12-04\"", "\"2026-12-06\"", "{}");
	(void)state;

	expect("alleo", "remove", ANN, gone, "Account: active -> deactivated; Last day: none -> "
	    "Fri 4 Dec; Offboarding date: none -> Sun 6 Dec");
	expect("alleo", "reactivate", gone, ANN, "Account: deactivated -> active; Last day: "
	    "Fri 4 Dec -> none; Offboarding date: Sun 6 Dec -> none");
}

/* The same text with a member named twice added to its top-level object:
 * describe_action then reads it with Jansson (jread refuses repeated
 * names), and the words must be the same as its own reading's. */
static char *
with_twice(const char *json)
{
	size_t n = strlen(json);

	if (n < 2 || json[n - 1] != '}')
		return xstrdup(json);
	return xasprintf("%.*s%s\"~\":0,\"~\":1}", (int)(n - 1), json, n > 2 ? "," : "");
}

static void
roster_words_same_both_ways(void **state)
{
	static const struct {
		const char *op, *before, *after;
	} c[] = {
		{ "add", NULL, ROW("true", "\"a@x\"", "\"Th\\u1ea3o \\\"T\\\"\"", "\"Öz\"",
		    "\"2026-12-14\"", "null", "null", "{\"learning\":500,\"gym\":12.5}") },
		{ "update", ROW("true", "\"a@x\"", "\"A\"", "\"B\"", "\"2021-03-01\"", "null", "null",
		    "{\"learning\":500,\"gym\":30,\"x\":\"ten\"}"), ROW("true", "\"a@y\"", "\"A\"",
		    "null", "\"2021-03-02\"", "\"bad date\"", "null",
		    "{\"learning\":500.0,\"gym\":30,\"x\":\"t\\u0065n\",\"y\":[1],\"z\":null}") },
		{ "update", ROW("true", "\"a@x\"", "\"A\"", "\"B\"", "\"2021-03-01\"", "null", "null",
		    "{\"o\":{\"a\":1,\"b\":[1,{\"c\":true}]}}"), ROW("true", "\"a@x\"", "\"A\"",
		    "\"B\"", "\"2021-03-01\"", "null", "null", "{\"o\":{\"b\":[1,{\"c\":true}],\"a\":1}}") },
		{ "update", ROW("true", "\"a@x\"", "\"A\"", "\"B\"", "\"2021-03-01\"", "null", "null",
		    "{\"o\":{\"a\":1}}"), ROW("true", "\"a@x\"", "\"A\"", "\"B\"", "\"2021-03-01\"",
		    "null", "null", "{\"o\":{\"a\":1,\"b\":2},\"p\":false}") },
		{ "update", ROW("true", "\"a@x\"", "\"A\"", "\"B\"", "\"2021-03-01\"", "null", "null",
		    "{}"), ROW("true", "\"a@x\"", "\"A\"", "\"B\"", "\"2021-03-01\"", "null", "null",
		    "[1]") },
		{ "update", "[1,2]", ROW("true", "\"\"", "\"\"", "\"\"", "\"2021-03-01\"", "null",
		    "null", "{}") },
		{ "remove", ROW("false", "\"a@x\"", "\"A\"", "\"B\"", "\"2021-03-01\"", "null",
		    "null", "{}"), ROW("false", "\"a@x\"", "\"A\"", "\"B\"", "\"2021-03-01\"",
		    "\"2026-12-04\"", "\"2026-12-06\"", "{}") },
		{ "reactivate", "not json", "{\"active\":true}" },
		{ "add", NULL, "{\"email\":\"b@x\"}" },
		{ "update", "{\"budgets\":{\"k\\u00e9y\":1}}", "{\"budgets\":{\"k\u00e9y\":2}}" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char *b2 = c[i].before ? with_twice(c[i].before) : NULL;
		char *a2 = with_twice(c[i].after);
		char *own = describe_action("alleo", c[i].op, c[i].before, c[i].after, NOW);
		char *jansson = describe_action("alleo", c[i].op, b2, a2, NOW);

		assert_string_equal(own, jansson);
		assert_true(i == 2 || own[0] != '\0');	/* 2: the same budgets */
		free(own);
		free(jansson);
		free(b2);
		free(a2);
	}
	/* a name given twice: Jansson's reading, the last one */
	expect("alleo", "add", NULL, "{\"email\":\"a@x\",\"email\":\"b@x\"}",
	    "Account: none -> active; Email: b@x; Budgets: changed");
	/* \u0000: Jansson refuses the text, so nothing is said */
	expect("alleo", "add", NULL, "{\"email\":\"a\\u0000b\"}", "");
}

static char *
events(const char *zone, int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	char ev2[96] = "";
	if (s2 > 0)
		snprintf(ev2, sizeof ev2, ",{\"chunk\":2,\"start\":%lld,\"end\":%lld}",
		    (long long)s2, (long long)e2);
	return xasprintf("{\"request_id\":7,\"agent_id\":\"ag-1\",\"type_id\":\"t-9\","
	    "\"zone\":\"%s\",\"events\":[{\"chunk\":%d,\"start\":%lld,\"end\":%lld}%s]}",
	    zone, s2 > 0, (long long)s1, (long long)e1, ev2);
}

static void
timeoff_create(void **state)
{
	/* Mon 21 Dec in Amsterdam: 20 Dec 23:00 to 21 Dec 23:00 UTC */
	int64_t d21 = utc(2026, 12, 20, 23, 0), day = 86400;
	char *a;
	(void)state;

	a = events("Europe/Amsterdam", d21, d21 + day, 0, 0);
	expect("assembled", "create", NULL, a, "Time off: Mon 21 Dec, full day, Europe/Amsterdam");
	free(a);
	a = xasprintf("{\"request_id\":7,\"zone\":\"Europe/Amsterdam\",\"type\":\"Vacation\","
	    "\"events\":[{\"chunk\":0,\"start\":%lld,\"end\":%lld}]}", (long long)d21,
	    (long long)(d21 + 3 * day));
	expect("assembled", "create", NULL, a, "Time off (Vacation): Mon 21 Dec to Wed 23 Dec, "
	    "3 full days, Europe/Amsterdam");
	free(a);
	/* a morning, and a two-part request in New York's zone */
	a = events("Europe/Amsterdam", d21 + 9 * 3600, d21 + 13 * 3600, 0, 0);
	expect("assembled", "create", NULL, a, "Time off: Mon 21 Dec 09:00 to 13:00, "
	    "Europe/Amsterdam");
	free(a);
	a = events("America/New_York", utc(2027, 1, 4, 14, 0), utc(2027, 1, 4, 18, 0),
	    utc(2027, 1, 5, 5, 0), utc(2027, 1, 6, 5, 0));
	expect("assembled", "create", NULL, a, "Time off: Mon 4 Jan 2027 09:00 to 13:00 and "
	    "Tue 5 Jan 2027, full day, America/New_York");
	free(a);
	/* an afternoon to midnight, and a type called what it is */
	a = xasprintf("{\"zone\":\"Europe/Amsterdam\",\"type\":\"Time Off\",\"events\":"
	    "[{\"chunk\":0,\"start\":%lld,\"end\":%lld}]}", (long long)(d21 + 12 * 3600),
	    (long long)(d21 + day));
	expect("assembled", "create", NULL, a, "Time off: Mon 21 Dec 12:00 to 24:00, "
	    "Europe/Amsterdam");
	free(a);
	/* across the night */
	a = events("Europe/Amsterdam", d21 + 13 * 3600, d21 + 35 * 3600, 0, 0);
	expect("assembled", "create", NULL, a, "Time off: Mon 21 Dec 13:00 to Tue 22 Dec 11:00, "
	    "Europe/Amsterdam");
	free(a);
}

static void
timeoff_replace_and_delete(void **state)
{
	int64_t d21 = utc(2026, 12, 20, 23, 0), day = 86400;
	char *a, *b;
	(void)state;

	b = xasprintf("[{\"chunk\":0,\"activity_id\":\"act-1\",\"agent_id\":\"ag-1\","
	    "\"type_id\":\"t-9\",\"start\":%lld,\"end\":%lld}]", (long long)d21,
	    (long long)(d21 + day));
	a = events("Europe/Amsterdam", d21, d21 + 2 * day, 0, 0);
	expect("assembled", "replace", b, a, "Time off: Mon 21 Dec, full day -> Mon 21 Dec to "
	    "Tue 22 Dec, 2 full days, Europe/Amsterdam");
	free(a);
	/* the same times again (another type): what it will be */
	a = events("Europe/Amsterdam", d21, d21 + day, 0, 0);
	expect("assembled", "replace", b, a, "Time off: Mon 21 Dec, full day, Europe/Amsterdam");
	free(a);
	a = xasprintf("{\"request_id\":7,\"agent_id\":\"ag-1\",\"zone\":\"Europe/Amsterdam\","
	    "\"events\":[],\"delete\":[\"act-1\"]}");
	expect("assembled", "delete", b, a, "Time off: Mon 21 Dec, full day, Europe/Amsterdam -> "
	    "removed");
	free(a);
	/* an event no request explains: its zone is unknown, so UTC is named */
	a = xasprintf("{\"request_id\":7,\"agent_id\":\"ag-1\",\"type\":\"Vacation\","
	    "\"events\":[],\"delete\":[\"act-1\"]}");
	expect("assembled", "delete", b, a, "Time off (Vacation): Sun 20 Dec 23:00 to Mon 21 Dec "
	    "23:00, UTC -> removed");
	free(a);
	free(b);
}

static void
spans_for_previews(void **state)
{
	int64_t d21 = utc(2026, 12, 20, 23, 0);
	char *s;
	(void)state;

	s = describe_span(d21, d21 + 86400, "Europe/Amsterdam", NOW);
	assert_string_equal(s, "Mon 21 Dec, full day");
	free(s);
	s = describe_span(d21, d21 + 86400, NULL, NOW);	/* no zone: UTC */
	assert_string_equal(s, "Sun 20 Dec 23:00 to Mon 21 Dec 23:00");
	free(s);
	s = describe_span(d21, d21, "Europe/Amsterdam", NOW);
	assert_string_equal(s, "");
	free(s);
}

static void
unreadable_says_nothing(void **state)
{
	(void)state;
	expect("alleo", "add", NULL, NULL, "");
	expect("alleo", "add", NULL, "not json", "");
	expect("assembled", "create", NULL, "[1,2]", "");
	expect("other", "add", NULL, ANN, "");
	expect("assembled", "delete", NULL, "{\"events\":[]}", "Time off: removed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(roster_add, setup),
		cmocka_unit_test_setup(roster_update, setup),
		cmocka_unit_test_setup(roster_remove_and_reactivate, setup),
		cmocka_unit_test_setup(roster_words_same_both_ways, setup),
		cmocka_unit_test_setup(timeoff_create, setup),
		cmocka_unit_test_setup(timeoff_replace_and_delete, setup),
		cmocka_unit_test_setup(spans_for_previews, setup),
		cmocka_unit_test_setup(unreadable_says_nothing, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
