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
#include <sodium.h>

#include "config/conf.h"
#include "engine/plan.h"
#include "base/util.h"

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
	plan_clear(&p);
}

static void
every_kind_of_action(void **state)
{
	struct plan p;
	(void)state;
	plan_init(&p, "alleo");
	plan_add(&p, PLAN_ADD, "1", "1", "zoe@x.test", "Zo\xc3\xab \xc5\x81ukasiewicz", 0,
	    "gets an account: alleo_access is yes, started on 2020-02-17", NULL,
	    "{\"active\":true,\"budgets\":{\"alleo_monthly_all_budget\":125.5},\"email\":\"zoe@x.test\","
	    "\"end_date\":null,\"first_name\":\"Zo\\u00eb\",\"last_name\":\"\\\"Q\\\"\",\"offboard_date\":null,"
	    "\"start_date\":\"2020-02-17\"}");
	plan_add(&p, PLAN_UPDATE, "2", "2", NULL, NULL, 0, "email changed from a to b",
	    "{\"email\":\"a\",\"budgets\":{}}", "{\"email\":\"b\",\"budgets\":[]}");
	plan_add(&p, PLAN_REMOVE, "3", "3", "c@x.test", "C", 0, "left on 2026-10-31\n(offboarding)",
	    "{\"active\":true}", "not json at all");
	plan_add(&p, PLAN_CREATE, "77", "4", "d@x.test", "D", 77, "holiday", NULL, "[1,2.5,1e21]");
	/* a reason changed: the texts move in the arena, their lengths kept */
	plan_action_set_reason(&p, &p.v[1], "email changed from a to b (and more)");
	assert_int_equal(p.v[1].before_len, strlen("{\"email\":\"a\",\"budgets\":{}}"));
	assert_int_equal(p.v[1].after_len, strlen(p.v[1].after));
	assert_int_equal(p.v[0].before_len, 0);
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
	plan_clear(&p);
}

/* A plan for target with `removals` removals and one create. */
static void
removals_plan(struct plan *p, const char *target, int removals)
{
	char id[16];

	plan_init(p, target);
	plan_add(p, strcmp(target, "assembled") == 0 ? PLAN_CREATE : PLAN_ADD, "1", "1", NULL, NULL,
	    0, "new", NULL, "{}");
	for (int i = 0; i < removals; i++) {
		snprintf(id, sizeof id, "%d", 100 + i);
		plan_add(p, strcmp(target, "assembled") == 0 ? PLAN_DELETE : PLAN_REMOVE, id, id, NULL,
		    NULL, 0, "gone", NULL, NULL);
	}
	plan_finalize(p);
}

static int
trips(const struct conf *c, const char *target, int removals, long base)
{
	struct plan p;
	int t;

	removals_plan(&p, target, removals);
	plan_guard_eval(&p, c, base, NULL);
	t = p.guard.tripped;
	plan_clear(&p);
	return t;
}

/* The time-off guard: up to guard.timeoff_max_removals never; above it
 * only when the share of the events held is over the percentage too. */
static void
timeoff_guard_arithmetic(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	struct plan p;

	(void)state;
	/* the case: 2 cancellations of 18 events (11 %) passes */
	assert_false(trips(c, "assembled", 2, 18));
	/* a small company where every event disappears: 18 of 18 trips */
	assert_true(trips(c, "assembled", 18, 18));
	/* up to the count never trips, even at 100 % */
	assert_false(trips(c, "assembled", 10, 10));
	/* a day of a 10,000-person company: 150 removals of 40,000 events */
	assert_false(trips(c, "assembled", 150, 40000));
	/* a policy gone there: 4,000 of 40,000 (10 %) trips */
	assert_true(trips(c, "assembled", 4000, 40000));
	/* the line itself: 5 % of 1,000 is 50; 50 passes, 51 trips */
	assert_false(trips(c, "assembled", 50, 1000));
	assert_true(trips(c, "assembled", 51, 1000));
	/* nothing held yet: any removal above the count is 100 % */
	assert_true(trips(c, "assembled", 11, 0));
	/* the roster settings do not apply to time off */
	assert_int_equal(conf_set(c, "guard.max_removals", "0", &err), BS_OK);
	assert_int_equal(conf_set(c, "guard.max_removal_percent", "0", &err), BS_OK);
	assert_false(trips(c, "assembled", 2, 18));
	/* its own settings do */
	assert_int_equal(conf_set(c, "guard.timeoff_max_removals", "1", &err), BS_OK);
	assert_true(trips(c, "assembled", 2, 18));
	assert_int_equal(conf_set(c, "guard.timeoff_max_removal_percent", "50", &err), BS_OK);
	assert_false(trips(c, "assembled", 2, 18));
	/* the reason names both settings, and approval is of this plan id */
	removals_plan(&p, "assembled", 12);
	plan_guard_eval(&p, c, 12, NULL);
	assert_true(p.guard.tripped);
	assert_int_equal(p.guard.limit, 1);
	assert_non_null(strstr(p.guard.reason, "guard.timeoff_max_removals (1)"));
	assert_non_null(strstr(p.guard.reason, "guard.timeoff_max_removal_percent (50%)"));
	assert_false(p.guard.approved);
	plan_guard_eval(&p, c, 12, p.id);
	assert_true(p.guard.approved);
	plan_clear(&p);
	conf_free(&c);
}

/* The roster guard: either limit; the share from two removals on, so a
 * single leaver in a small roster passes. */
static void
roster_guard_arithmetic(void **state)
{
	struct conf *c = conf_new();

	(void)state;
	assert_false(trips(c, "alleo", 1, 3));		/* one leaver of three: 33 % */
	assert_true(trips(c, "alleo", 2, 18));		/* 11 % */
	assert_false(trips(c, "alleo", 2, 20));		/* 10 %: not more than */
	assert_false(trips(c, "alleo", 3, 1000));
	assert_true(trips(c, "alleo", 4, 1000));	/* more than 3 */
	conf_free(&c);
}

/* plan_finalize orders actions: removals last, then by subject (byte
 * order, a prefix first), then by kind; equal ones keep the order they
 * came in.  Held people likewise by employee id.  Subjects share long prefixes, are shorter than the sort key or
 * hold bytes above 0x7f, as ids and e-mails may. */
static void
actions_sorted(void **state)
{
	static const char *const parts[] = { "", "3", "30000", "3000000", "30000001", "\xc3\xa9",
		"a", "ab", "abcdefgh", "abcdefg", "abcdefgi", "Z" };
	static const enum plan_op ops[] = { PLAN_ADD, PLAN_UPDATE, PLAN_REMOVE, PLAN_REACTIVATE,
		PLAN_CREATE, PLAN_DELETE };
	struct plan p;
	unsigned seed = 7;
	(void)state;
	plan_init(&p, "alleo");
	for (int i = 0; i < 600; i++) {
		char subject[64], after[16];
		seed = seed * 1103515245u + 12345u;
		snprintf(subject, sizeof subject, "%s%s", parts[(seed >> 8) % 12],
		    parts[(seed >> 16) % 12]);
		snprintf(after, sizeof after, "%d", i);	/* the order each came in */
		plan_add(&p, ops[(seed >> 24) % 6], subject, subject, "e@x", NULL, 0, "r", NULL,
		    after);
		/* held people: by employee id (NULL as ""), then as they came */
		plan_hold(&p, (seed >> 28) % 8 == 0 ? NULL : subject, NULL, NULL, after);
	}
	plan_finalize(&p);
	assert_int_equal(p.nheld, 600);
	for (size_t i = 1; i < p.nheld; i++) {
		const struct plan_held *a = &p.held[i - 1], *b = &p.held[i];
		int c = strcmp(a->employee_id ? a->employee_id : "", b->employee_id ? b->employee_id :
		    "");
		assert_true(c <= 0);
		if (c == 0)
			assert_true(atoi(a->reason) < atoi(b->reason));
		assert_int_equal(b->reason_len, strlen(b->reason));	/* moved with it */
	}
	assert_int_equal(p.n, 600);
	for (size_t i = 1; i < p.n; i++) {
		const struct plan_action *a = &p.v[i - 1], *b = &p.v[i];
		int ra = plan_op_is_removal(a->op), rb = plan_op_is_removal(b->op), c;
		assert_int_equal(b->after_len, strlen(b->after));	/* moved with it */
		assert_true(ra <= rb);
		if (ra != rb)
			continue;
		c = strcmp(a->subject, b->subject);
		assert_true(c <= 0);
		if (c == 0) {
			assert_true(a->op <= b->op);
			if (a->op == b->op)
				assert_true(atoi(a->after) < atoi(b->after));
		}
	}
	plan_clear(&p);
}

/* The plan id is the BLAKE2b (16 bytes) of the target, then for each action
 * in order 0x1e, its op, 0x1f, its subject, 0x1f and its after text: made
 * here from the whole stream at once, with a subject long enough to take
 * plan_finalize's heap path. */
static void
plan_id_is_hash_of_stream(void **state)
{
	struct plan p;
	char longsub[300], stream[1024], want[33];
	unsigned char h[16];
	size_t n;
	(void)state;
	memset(longsub, 'k', sizeof longsub - 1);
	longsub[sizeof longsub - 1] = '\0';
	plan_init(&p, "alleo");
	plan_add(&p, PLAN_ADD, "42", "42", "a@x.test", "A", 0, "joined", NULL, "{\"active\":true}");
	plan_add(&p, PLAN_UPDATE, longsub, "43", NULL, NULL, 0, "moved", "{}", NULL);
	plan_finalize(&p);
	n = (size_t)snprintf(stream, sizeof stream, "alleo\x1e" "add\x1f" "42\x1f{\"active\":true}"
	    "\x1e" "update\x1f%s\x1f", longsub);
	assert_int_equal(crypto_generichash(h, sizeof h, (const unsigned char *)stream, n, NULL, 0), 0);
	sodium_bin2hex(want, sizeof want, h, sizeof h);
	assert_string_equal(p.id, want);
	plan_clear(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_plan),
		cmocka_unit_test(plan_id_is_hash_of_stream),
		cmocka_unit_test(every_kind_of_action),
		cmocka_unit_test(timeoff_guard_arithmetic),
		cmocka_unit_test(roster_guard_arithmetic),
		cmocka_unit_test(actions_sorted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
