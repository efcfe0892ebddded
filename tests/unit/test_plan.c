/* test_plan.c - plan JSON: the streamed text equals the Jansson tree's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "plan.h"
#include "util.h"

static char *
streamed(const struct plan *p)
{
	FILE *f = tmpfile();
	long n;
	char *s;

	assert_non_null(f);
	assert_int_equal(plan_write_json(p, f), 0);
	n = ftell(f);
	s = calloc(1, (size_t)n + 1);
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

static void
same_as_tree(const struct plan *p)
{
	json_t *j = plan_to_json(p);
	char *want = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *got = streamed(p);

	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(j);
}

static void
empty_plan(void **state)
{
	struct plan p;
	(void)state;
	plan_init(&p, "alleo");
	plan_finalize(&p);
	same_as_tree(&p);
	plan_free(&p);
}

static void
every_kind_of_action(void **state)
{
	struct plan p;
	(void)state;
	plan_init(&p, "alleo");
	plan_add(&p, PLAN_ADD, "1", "1", "zoe@x.test", "Zo\xc3\xab \xc5\x81ukasiewicz", 0,
	    "joined: alleo_access yes, started on 2020-02-17", NULL,
	    "{\"active\":true,\"budgets\":{\"alleo_monthly_all_budget\":125.5},\"email\":\"zoe@x.test\","
	    "\"end_date\":null,\"first_name\":\"Zo\\u00eb\",\"last_name\":\"\\\"Q\\\"\",\"offboard_date\":null,"
	    "\"start_date\":\"2020-02-17\"}");
	plan_add(&p, PLAN_UPDATE, "2", "2", NULL, NULL, 0, "email changed from a to b",
	    "{\"email\":\"a\",\"budgets\":{}}", "{\"email\":\"b\",\"budgets\":[]}");
	plan_add(&p, PLAN_REMOVE, "3", "3", "c@x.test", "C", 0, "left on 2026-10-31\n(offboarding)",
	    "{\"active\":true}", "not json at all");
	plan_add(&p, PLAN_CREATE, "77", "4", "d@x.test", "D", 77, "holiday", NULL, "[1,2.5,1e21]");
	plan_hold(&p, "5", NULL, NULL, "held: access unknown");
	plan_hold(&p, "6", "f@x.test", "F \\ G", "held: \t tab");
	for (int i = 0; i < 3000; i++) {
		char id[16];
		snprintf(id, sizeof id, "%d", 1000 + i);
		plan_add(&p, PLAN_ADD, id, id, "e@x.test", "E", 0, "joined", NULL, "{\"active\":true}");
	}
	plan_finalize(&p);
	p.guard.tripped = 1;
	p.guard.removals = 1;
	p.guard.limit = 0;
	p.guard.percent = 33.333;
	p.guard.percent_limit = 10;
	p.guard.base = 3;
	snprintf(p.guard.reason, sizeof p.guard.reason, "1 removals planned");
	p.source_count = 3004;
	same_as_tree(&p);
	plan_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_plan),
		cmocka_unit_test(every_kind_of_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
