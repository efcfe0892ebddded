/* test_ui_employees.c - the employee screen's model without a terminal: the
 * cells and the detail with the rule that decided, the counts line, sort
 * by column (again reverses), select everyone the filter shows (again
 * unselects), whom a bulk action applies to (the selection, else the
 * filtered people), and the import file for some people with the value
 * chosen (core/admin/access.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/access.h"
#include "config/conf.h"
#include "employees.h"
#include "base/util.h"

#define ZOE "Zo\xc3\xab \xc5\x81ukasiewicz-\xc3\x98sterg\xc3\xa5rd"
#define YAMADA "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e"

static char field_id[] = "work.custom.field_1", field_name[] = "alleo_access";
static struct bob_field access_field = { .id = field_id, .name = field_name };

static void
person(struct bob_person *p, const char *id, const char *email, const char *first,
    const char *last, enum bob_access a, const char *life, const char *term)
{
	memset(p, 0, sizeof *p);
	p->id = xstrdup(id);
	p->email = xstrdup(email);
	p->first_name = xstrdup(first);
	p->surname = xstrdup(last);
	p->access = a;
	p->access_value = a == BOB_ACCESS_YES ? xstrdup("yes") : a == BOB_ACCESS_NO ?
	    xstrdup("no") : NULL;
	p->lifecycle = xstrdup(life);
	p->lifecycle_id = xstrdup(life);
	p->start_date = xstrdup("2020-01-06");
	p->termination_date = xstrdup(term);
}

/* Zoë gets an account, Ada has access no, Yamada is unset, Bob (no work
 * email) left in 2025. */
static void
roster(struct roster_source *src)
{
	struct conf *c = conf_new();
	int64_t day;

	memset(src, 0, sizeof *src);
	src->people.n = 4;
	src->people.v = xcalloc(4, sizeof *src->people.v);
	person(&src->people.v[0], "101", "zoe@example.com", "Zo\xc3\xab",
	    "\xc5\x81ukasiewicz-\xc3\x98sterg\xc3\xa5rd", BOB_ACCESS_YES, "Employed", NULL);
	person(&src->people.v[1], "102", "ada@example.com", "Ada", "Lovelace", BOB_ACCESS_NO,
	    "Employed", NULL);
	person(&src->people.v[2], "103", "yamada@example.com", "\xe5\xb1\xb1\xe7\x94\xb0",
	    "\xe5\xa4\xaa\xe9\x83\x8e", BOB_ACCESS_UNSET, "Employed", NULL);
	person(&src->people.v[3], "104", NULL, "Bob", "Brown", BOB_ACCESS_YES, "Terminated",
	    "2025-01-31");
	src->access_field = &access_field;
	assert_int_equal(date_parse("2026-06-01", &day), 0);
	roster_source_evaluate(src, c, day * 86400 + 43200);
	conf_free(&c);
}

static void
cells_and_detail(void **state)
{
	struct roster_source src;
	struct emp_model m;
	const char *d;

	(void)state;
	roster(&src);
	emp_model_init(&m, &src);
	assert_null(src.people.v);	/* moved */
	assert_string_equal(emp_cell(&m, 0, EMP_NAME), ZOE);
	assert_string_equal(emp_cell(&m, 2, EMP_NAME), YAMADA);
	assert_string_equal(emp_cell(&m, 0, EMP_ACCOUNT), "yes");
	assert_string_equal(emp_cell(&m, 1, EMP_ACCOUNT), "no");
	assert_string_equal(emp_cell(&m, 2, EMP_ACCOUNT), "on hold");
	assert_string_equal(emp_cell(&m, 3, EMP_ACCOUNT), "no");
	assert_string_equal(emp_cell(&m, 2, EMP_ACCESS), "unset");
	assert_string_equal(emp_cell(&m, 1, EMP_ACCESS), "no");
	assert_null(emp_cell(&m, 3, EMP_EMAIL));
	d = emp_detail(&m, 3);
	assert_non_null(strstr(d, "Bob Brown <no work email>"));
	assert_non_null(strstr(d, "Account: no"));
	assert_non_null(strstr(d, "FAIL  employed"));
	assert_non_null(strstr(d, "pass  alleo_access is yes"));
	d = emp_detail(&m, 2);
	assert_non_null(strstr(d, "Account: on hold"));
	assert_non_null(strstr(d, "On hold: bobsync neither gives nor takes away"));
	emp_model_clear(&m);
}

static void
counts_line(void **state)
{
	struct roster_source src;
	struct emp_model m;
	char line[256];

	(void)state;
	roster(&src);
	emp_model_init(&m, &src);
	assert_string_equal(emp_counts(&m, line, sizeof line), "4 people: 1 get an Alleo "
	    "account, 2 do not, 1 on hold");
	wlist_select(&m.list, 1, 1);
	assert_non_null(strstr(emp_counts(&m, line, sizeof line), " \xc2\xb7 1 selected"));
	emp_model_clear(&m);
}

static size_t
at(const struct emp_model *m, size_t pos)
{
	return m->list.vis[pos];
}

static void
sort_by_column(void **state)
{
	struct roster_source src;
	struct emp_model m;

	(void)state;
	roster(&src);
	emp_model_init(&m, &src);
	wlist_sort_toggle(&m.list, EMP_NAME);	/* Ada, Bob, Zoë, 山田 */
	assert_int_equal(m.list.sort_col, EMP_NAME);
	assert_false(m.list.sort_desc);
	assert_int_equal(at(&m, 0), 1);
	assert_int_equal(at(&m, 1), 3);
	assert_int_equal(at(&m, 2), 0);
	wlist_sort_toggle(&m.list, EMP_NAME);	/* again: reversed */
	assert_true(m.list.sort_desc);
	assert_int_equal(at(&m, 3), 1);
	wlist_sort_toggle(&m.list, EMP_ACCOUNT);	/* another column: ascending */
	assert_false(m.list.sort_desc);
	assert_string_equal(emp_cell(&m, at(&m, 0), EMP_ACCOUNT), "no");
	assert_string_equal(emp_cell(&m, at(&m, 3), EMP_ACCOUNT), "yes");
	wlist_sort_toggle(&m.list, EMP_NCOLS);	/* no such column: unchanged */
	assert_int_equal(m.list.sort_col, EMP_ACCOUNT);
	emp_model_clear(&m);
}

static void
select_filtered_and_targets(void **state)
{
	struct roster_source src;
	struct emp_model m;
	size_t *t, n;
	int selected;

	(void)state;
	roster(&src);
	emp_model_init(&m, &src);
	/* nothing selected, no filter: everyone */
	t = emp_targets(&m, &n, &selected);
	assert_int_equal(n, 4);
	assert_false(selected);
	free(t);
	/* a filter: the people it shows */
	wlist_set_filter(&m.list, "employed");
	t = emp_targets(&m, &n, &selected);
	assert_int_equal(n, 3);
	free(t);
	/* a selects them all, a second a unselects them */
	assert_int_equal(emp_select_filtered(&m), 3);
	assert_int_equal(emp_select_filtered(&m), 0);
	/* a selection outside the filter still counts: it wins */
	wlist_set_filter(&m.list, "");
	wlist_select(&m.list, 3, 1);
	wlist_set_filter(&m.list, "zo");
	assert_int_equal(m.list.nvis, 1);
	assert_int_equal(emp_select_filtered(&m), 2);
	t = emp_targets(&m, &n, &selected);
	assert_true(selected);
	assert_int_equal(n, 2);
	assert_int_equal(t[0], 0);
	assert_int_equal(t[1], 3);
	free(t);
	emp_model_clear(&m);
}

static void
export_some_with_a_value(void **state)
{
	struct roster_source src;
	struct bs_error err = { 0 };
	struct access_export x;
	struct conf *c = conf_new();
	size_t only[] = { 3, 1, 0 };

	(void)state;
	roster(&src);
	assert_int_equal(access_export_build(&src, c, only, 3, "yes", &x, &err), BS_OK);
	/* sorted by email; Bob has none and is left out */
	assert_string_equal(x.text, "Email,alleo_access\r\nada@example.com,yes\r\n"
	    "zoe@example.com,yes\r\n");
	assert_int_equal(x.rows, 2);
	assert_int_equal(x.blanks, 0);
	free(x.text);
	/* everyone with the current values: Yamada's is blank */
	assert_int_equal(access_export_build(&src, c, NULL, 0, NULL, &x, &err), BS_OK);
	assert_string_equal(x.text, "Email,alleo_access\r\nada@example.com,no\r\n"
	    "yamada@example.com,\r\nzoe@example.com,yes\r\n");
	assert_int_equal(x.blanks, 1);
	free(x.text);
	/* the field is not usable: refused */
	src.access_field = NULL;
	snprintf(src.field_problem, sizeof src.field_problem, "no field named alleo_access");
	assert_int_equal(access_export_build(&src, c, NULL, 0, NULL, &x, &err),
	    BS_ERR_CHECK_FAILED);
	assert_non_null(strstr(err.detail, "no field named alleo_access; an import file"));
	roster_source_clear(&src);
	conf_free(&c);
}

static void
result_lines(void **state)
{
	struct access_result r = { "ada@example.com", NULL, ACCESS_CHANGED, "unset", NULL };
	char line[256];

	(void)state;
	assert_string_equal(access_result_line(&r, "yes", line, sizeof line),
	    "ada@example.com: set to yes (was unset)");
	r.outcome = ACCESS_SAME;
	assert_string_equal(access_outcome_text(&r, "no", line, sizeof line),
	    "already no (HiBob changed nothing)");
	r.outcome = ACCESS_FAILED;
	r.message = "forbidden";
	assert_string_equal(access_result_line(&r, "no", line, sizeof line),
	    "ada@example.com: failed: forbidden");
	r.outcome = ACCESS_NOT_TRIED;
	assert_string_equal(access_result_line(&r, "no", line, sizeof line),
	    "ada@example.com: not tried");
}

static double
ms_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* 100,000 people: the model set up, a filter and a sort by name, timed
 * (printed, not asserted: the machine is shared). */
static void
hundred_thousand(void **state)
{
	static const char *const first[] = { "Zo\xc3\xab", "Ada", "Jos\xc3\xa9", "\xe5\xb1\xb1\xe7\x94\xb0",
	    "Kwame", "Anne-Marie", "Liam", "Priya" };
	struct roster_source src;
	struct emp_model m;
	struct timespec t0;
	struct conf *c = conf_new();
	double init, filter, sort;
	size_t n = 100000;
	int64_t day;

	(void)state;
	memset(&src, 0, sizeof src);
	src.people.n = n;
	src.people.v = xcalloc(n, sizeof *src.people.v);
	for (size_t i = 0; i < n; i++) {
		char id[24], email[64], last[32];
		snprintf(id, sizeof id, "%zu", 1000000 + i);
		snprintf(last, sizeof last, "Person%zu", (i * 7919) % n);
		snprintf(email, sizeof email, "p%zu@example.com", i);
		person(&src.people.v[i], id, email, first[i % 8], last, (enum bob_access)(i % 3),
		    "Employed", NULL);
	}
	assert_int_equal(date_parse("2026-06-01", &day), 0);
	roster_source_evaluate(&src, c, day * 86400);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	emp_model_init(&m, &src);
	init = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wlist_set_filter(&m.list, "zo");
	filter = ms_since(&t0);
	assert_int_equal(m.list.nvis, n / 8);
	wlist_set_filter(&m.list, "");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wlist_sort_toggle(&m.list, EMP_NAME);
	sort = ms_since(&t0);
	assert_true(strncmp(emp_cell(&m, m.list.vis[0], EMP_NAME), "Ada ", 4) == 0);
	assert_true(strncmp(emp_cell(&m, m.list.vis[n - 1], EMP_NAME), "\xe5\xb1\xb1", 3) == 0);
	printf("# 100,000 people: model %.0f ms, filter %.0f ms, sort by name %.0f ms\n", init,
	    filter, sort);
	emp_model_clear(&m);
	conf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cells_and_detail),
		cmocka_unit_test(counts_line),
		cmocka_unit_test(sort_by_column),
		cmocka_unit_test(select_filtered_and_targets),
		cmocka_unit_test(export_some_with_a_value),
		cmocka_unit_test(result_lines),
		cmocka_unit_test(hundred_thousand),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
