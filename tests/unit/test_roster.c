/* test_roster.c - the roster plan: a synthetic HiBob source diffed against
 * an in-memory state store, each action type with its reason, holds, the
 * guard, source sanity and the CSV rows built from the roster table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/conf.h"
#include "engine/plan.h"
#include "engine/roster.h"
#include "engine/session.h"
#include "store/store.h"
#include "store/store_roster.h"
#include "base/util.h"

/* "now" of every test: 2026-11-10 12:00 UTC */
#define NOW 1794312000LL
#define TODAY "2026-11-10"

struct fx {
	struct conf *conf;
	struct store *store;
	struct roster_source src;
	struct roster_rows rows;
	struct plan plan;
};

static void source_free(struct roster_source *src);

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct bs_error err = { 0 };

	f->conf = conf_new();
	if (store_open(":memory:", &f->store, &err) != BS_OK)
		return -1;
	f->src.fields.v = xcalloc(1, sizeof *f->src.fields.v);
	f->src.fields.n = 1;
	f->src.fields.v[0].id = xstrdup("work.custom.field_1");
	f->src.fields.v[0].name = xstrdup("alleo_access");
	f->src.fields.v[0].type = xstrdup("list");
	f->src.access_field = &f->src.fields.v[0];
	plan_init(&f->plan, "alleo");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	plan_clear(&f->plan);
	roster_rows_clear(&f->rows);
	source_free(&f->src);
	store_close(&f->store);
	conf_free(&f->conf);
	free(f);
	return 0;
}

/* What roster_source_evaluate does, without linking the HiBob fetch (and
 * through it every client): the real rules on each person's UTC date. */
static void
evaluate(struct roster_source *src, const struct conf *conf, int64_t now)
{
	struct roster_rules_opts o = { .prestart_days = (int)conf_get_int(conf,
	    "alleo.prestart_days") };

	free(src->evals);
	free(src->local_today);
	arena_clear(&src->text);
	src->evals = xcalloc(src->people.n + 1, sizeof *src->evals);
	src->local_today = xcalloc(src->people.n + 1, sizeof *src->local_today);
	for (size_t i = 0; i < src->people.n; i++) {
		struct roster_eval e;
		src->local_today[i] = now / 86400;
		roster_evaluate(&src->people.v[i], src->local_today[i], &o, &e);
		roster_eval_keep(&src->text, &e, &src->evals[i]);
	}
}

static void
source_free(struct roster_source *src)
{
	bob_fields_clear(&src->fields);
	bob_people_clear(&src->people);
	bob_strings_free(src->missing_sections, src->nmissing_sections);
	free(src->evals);
	free(src->local_today);
	arena_clear(&src->text);
	memset(src, 0, sizeof *src);
}

/* Add a person; access "yes", "no" or NULL (unset). */
static struct bob_person *
person(struct fx *f, const char *id, const char *email, const char *access,
    const char *lifecycle, const char *start, const char *term)
{
	struct bob_person *p;

	f->src.people.v = xreallocarray(f->src.people.v, f->src.people.n + 1,
	    sizeof *f->src.people.v);
	p = &f->src.people.v[f->src.people.n++];
	memset(p, 0, sizeof *p);
	p->id = xstrdup(id);
	p->email = xstrdup(email);
	p->first_name = xasprintf("First%s", id);
	p->surname = xasprintf("Last%s", id);
	p->lifecycle = xstrdup(lifecycle ? lifecycle : "Employed");
	p->lifecycle_id = xstrdup(p->lifecycle);	/* the value as a word */
	p->status = xstrdup("Active");
	p->start_date = xstrdup(start ? start : "2024-01-01");
	p->termination_date = xstrdup(term);
	if (access == NULL) {
		p->access = BOB_ACCESS_UNSET;
	} else {
		p->access = strcmp(access, "yes") == 0 ? BOB_ACCESS_YES :
		    strcmp(access, "no") == 0 ? BOB_ACCESS_NO : BOB_ACCESS_OTHER;
		p->access_value = xstrdup(access);
	}
	return p;
}

static void
budget(struct bob_person *p, const char *field, double amount)
{
	p->budgets = xreallocarray(p->budgets, p->nbudgets + 1, sizeof *p->budgets);
	p->budgets[p->nbudgets].field = xstrdup(field);
	p->budgets[p->nbudgets].amount = amount;
	p->budgets[p->nbudgets].set = 1;
	p->nbudgets++;
}

/* A provisioned row as a sync would have stored it for person p. */
static void
provisioned(struct fx *f, const struct bob_person *p, int active, const char *remote)
{
	struct roster_row r;
	struct bs_error err = { 0 };

	roster_row_from_person(p, &r);
	r.active = active;
	r.remote_id = xstrdup(remote);
	if (!active)
		r.offboard_date = xstrdup("2026-01-31");
	assert_int_equal(store_roster_put(f->store, &r, NOW, &err), BS_OK);
	roster_row_clear(&r);
}

/* The plan's JSON as plan_write_json writes it (relaying the texts a
 * roster plan marks as its writer's own) is Jansson's of plan_to_json. */
static void
plan_json_as_tree(const struct plan *p)
{
	json_t *j = plan_to_json(p);
	char *want = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *got = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&got, &n);

	assert_non_null(out);
	assert_int_equal(plan_write_json(p, out), 0);
	assert_int_equal(fclose(out), 0);
	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(j);
}

static void
plan_it(struct fx *f)
{
	struct bs_session s;
	struct bs_error err = { 0 };

	memset(&s, 0, sizeof s);
	s.conf = f->conf;
	s.store = f->store;
	evaluate(&f->src, f->conf, NOW);
	plan_clear(&f->plan);
	assert_int_equal(roster_plan(&s, &f->src, &f->plan, &err), BS_OK);
	/* a plan carries no rows until it is to be sent (issue 18) */
	for (size_t i = 0; i < f->plan.n; i++)
		assert_true(f->plan.v[i].data_free != free);
	assert_int_equal(roster_plan_rows(&f->plan, &err), BS_OK);
	assert_int_equal(roster_plan_rows(&f->plan, &err), BS_OK);	/* twice: no change */
	for (size_t i = 0; i < f->plan.n; i++) {
		const struct roster_row *w = f->plan.v[i].data;
		char *again = roster_row_to_json(w);
		assert_string_equal(w->employee_id, f->plan.v[i].subject);
		assert_string_equal(again, f->plan.v[i].after);	/* the row is what "after" says */
		assert_true(f->plan.v[i].texts_own);
		free(again);
	}
	plan_json_as_tree(&f->plan);
}

static const struct plan_action *
find_action(const struct plan *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].subject, id) == 0)
			return &p->v[i];
	return NULL;
}

static const struct plan_held *
find_held(const struct plan *p, const char *id)
{
	for (size_t i = 0; i < p->nheld; i++)
		if (p->held[i].employee_id && strcmp(p->held[i].employee_id, id) == 0)
			return &p->held[i];
	return NULL;
}

/* The action for id, which must exist. */
static const struct plan_action *
action_of(const struct plan *p, const char *id)
{
	const struct plan_action *a = find_action(p, id);

	if (a == NULL) {
		fail_msg("no action for %s", id);
		abort();
	}
	return a;
}

static const struct plan_held *
held_of(const struct plan *p, const char *id)
{
	const struct plan_held *h = find_held(p, id);

	if (h == NULL) {
		fail_msg("%s is not held", id);
		abort();
	}
	return h;
}

/* ---- roster_plan / roster_diff ---- */

static void
plan_needs_a_store(void **state)
{
	struct fx *f = *state;
	struct bs_session s;
	struct bs_error err = { 0 };

	memset(&s, 0, sizeof s);
	assert_int_equal(roster_plan(&s, &f->src, &f->plan, &err), BS_ERR_INVALID);
}

static void
empty_source_and_roster_plan_nothing(void **state)
{
	struct fx *f = *state;

	plan_it(f);
	assert_int_equal(f->plan.n, 0);
	assert_int_equal(f->plan.nheld, 0);
	assert_int_equal(strlen(f->plan.id), PLAN_ID_LEN);
	assert_string_equal(f->plan.target, "alleo");
}

/* issue 17 item 3: in csv mode a name or e-mail a spreadsheet would run
 * holds the person (the data is not changed); scim mode sends it */
static void
formula_names_held_for_the_csv_file(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };
	struct bob_person *p;
	const struct plan_held *h;

	p = person(f, "201", "eve@example.com", "yes", "Employed", "2026-11-02", NULL);
	free(p->first_name);
	p->first_name = xstrdup("=HYPERLINK(\"http://x\")");
	p = person(f, "202", "ctl@example.com", "yes", "Employed", "2026-11-02", NULL);
	free(p->surname);
	p->surname = xstrdup("Ng\x1b[2J");
	person(f, "203", "ann@example.com", "yes", "Employed", "2026-11-02", NULL);
	assert_int_equal(conf_set(f->conf, "alleo.mode", "csv", &err), BS_OK);
	plan_it(f);
	assert_int_equal(f->plan.n, 1);
	assert_non_null(find_action(&f->plan, "203"));
	h = find_held(&f->plan, "201");
	assert_non_null(h);
	assert_non_null(h != NULL ? strstr(h->reason, "spreadsheet formula") : NULL);
	assert_non_null(find_held(&f->plan, "202"));
	assert_int_equal(conf_set(f->conf, "alleo.mode", "scim", &err), BS_OK);
	plan_it(f);
	assert_int_equal(f->plan.n, 3);
	assert_null(find_held(&f->plan, "201"));
}

static void
joiner_is_added_with_reason(void **state)
{
	struct fx *f = *state;
	const struct plan_action *a;

	person(f, "101", "ann@example.com", "yes", "Employed", "2026-11-02", NULL);
	person(f, "102", "bob@example.com", "no", "Employed", "2026-11-02", NULL);
	plan_it(f);
	assert_int_equal(f->plan.n, 1);
	a = action_of(&f->plan, "101");
	assert_int_equal(a->op, PLAN_ADD);
	assert_string_equal(a->reason, "gets an account: alleo_access is yes, started on 2026-11-02");
	assert_string_equal(a->email, "ann@example.com");
	assert_null(a->before);
	assert_non_null(strstr(a->after, "\"email\":\"ann@example.com\""));
	assert_non_null(strstr(a->after, "\"active\":true"));
	/* someone with no and never provisioned: nothing to do, not held */
	assert_null(find_action(&f->plan, "102"));
	assert_null(find_held(&f->plan, "102"));
}

static void
future_starter_is_not_added_yet(void **state)
{
	struct fx *f = *state;

	person(f, "103", "cy@example.com", "yes", "Hired", "2026-12-01", NULL);
	plan_it(f);
	assert_int_equal(f->plan.n, 0);
	/* with prestart_days the same person is added ahead of the start */
	assert_int_equal(conf_set(f->conf, "alleo.prestart_days", "30", NULL), BS_OK);
	plan_it(f);
	assert_int_equal(f->plan.n, 1);
	assert_int_equal(f->plan.v[0].op, PLAN_ADD);
	assert_non_null(strstr(f->plan.v[0].reason, "starts on 2026-12-01"));
}

static void
email_change_is_an_update_of_the_same_account(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;
	const struct plan_action *a;
	const struct roster_row *w;

	p = person(f, "104", "old@example.com", "yes", NULL, NULL, NULL);
	provisioned(f, p, 1, "scim-104");
	free(p->email);
	p->email = xstrdup("new@example.com");
	plan_it(f);
	assert_int_equal(f->plan.n, 1);
	a = action_of(&f->plan, "104");
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_string_equal(a->reason, "email changed from old@example.com to new@example.com");
	assert_non_null(strstr(a->before, "old@example.com"));
	assert_non_null(strstr(a->after, "new@example.com"));
	w = a->data;
	assert_string_equal(w->remote_id, "scim-104");	/* same Alleo account */
}

static void
unchanged_person_plans_nothing(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;

	p = person(f, "105", "same@example.com", "yes", NULL, NULL, NULL);
	budget(p, "alleo_monthly_all_budget", 150);
	provisioned(f, p, 1, "scim-105");
	plan_it(f);
	assert_int_equal(f->plan.n, 0);
	assert_int_equal(f->plan.nheld, 0);
}

static void
budget_change_is_an_update(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;
	const struct plan_action *a;

	p = person(f, "106", "bud@example.com", "yes", NULL, NULL, NULL);
	budget(p, "alleo_monthly_all_budget", 100);
	provisioned(f, p, 1, "scim-106");
	p->budgets[0].amount = 150;
	plan_it(f);
	a = action_of(&f->plan, "106");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_string_equal(a->reason, "alleo_monthly_all_budget changed from 100.00 to 150.00");
}

static void
future_leaver_is_updated_not_removed(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;
	const struct plan_action *a;

	p = person(f, "107", "soon@example.com", "yes", NULL, NULL, NULL);
	provisioned(f, p, 1, "scim-107");
	p->termination_date = xstrdup("2026-11-30");
	plan_it(f);
	a = action_of(&f->plan, "107");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_string_equal(a->reason, "leaving on 2026-11-30 (last day known in advance)");
	assert_non_null(strstr(a->after, "\"end_date\":\"2026-11-30\""));
	/* the last day itself still counts: not removed on it */
	free(p->termination_date);
	p->termination_date = xstrdup(TODAY);
	roster_rows_clear(&f->rows);
	plan_it(f);
	a = find_action(&f->plan, "107");
	assert_true(a == NULL || a->op != PLAN_REMOVE);
}

static void
leaver_past_date_is_removed_with_that_date(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;
	const struct plan_action *a;
	const struct roster_row *w;

	p = person(f, "108", "gone@example.com", "yes", "Terminated", NULL, NULL);
	free(p->lifecycle);
	p->lifecycle = xstrdup("Employed");
	FREE(p->lifecycle_id);
	p->lifecycle_id = xstrdup("employed");
	provisioned(f, p, 1, "scim-108");
	free(p->lifecycle);
	p->lifecycle = xstrdup("Terminated");
	FREE(p->lifecycle_id);
	p->lifecycle_id = xstrdup("terminated");
	p->termination_date = xstrdup("2026-10-31");
	plan_it(f);
	a = action_of(&f->plan, "108");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_REMOVE);
	assert_string_equal(a->reason, "left on 2026-10-31 (offboarding date 2026-10-31)");
	w = a->data;
	assert_int_equal(w->active, 0);
	assert_string_equal(w->offboard_date, "2026-10-31");
	assert_string_equal(w->remote_id, "scim-108");
	assert_non_null(strstr(a->after, "\"active\":false"));
}

static void
access_no_is_removed_today(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;
	const struct plan_action *a;

	p = person(f, "109", "no@example.com", "yes", NULL, NULL, NULL);
	provisioned(f, p, 1, "scim-109");
	p->access = BOB_ACCESS_NO;
	free(p->access_value);
	p->access_value = xstrdup("no");
	plan_it(f);
	a = action_of(&f->plan, "109");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_REMOVE);
	assert_string_equal(a->reason, "alleo_access changed to no (offboarding date " TODAY ")");
	assert_string_equal(((const struct roster_row *)a->data)->offboard_date, TODAY);
}

static void
unset_access_is_held_never_removed(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;
	const struct plan_held *h;

	p = person(f, "110", "unset@example.com", "yes", NULL, NULL, NULL);
	provisioned(f, p, 1, "scim-110");
	p->access = BOB_ACCESS_UNSET;
	FREE(p->access_value);
	person(f, "111", "other@example.com", "maybe", NULL, NULL, NULL);
	plan_it(f);
	assert_int_equal(f->plan.n, 0);
	h = held_of(&f->plan, "110");
	assert_non_null(h);
	assert_non_null(strstr(h->reason, "not set"));
	h = held_of(&f->plan, "111");
	assert_non_null(h);
	assert_non_null(strstr(h->reason, "maybe"));
}

/* Termination beats a blank field (issue 13): a leaver whose alleo_access
 * is blank and who still has an active account is removed, with that
 * reason, and counted by the guard; an employed person with a blank field
 * is still held. */
static void
leaver_with_blank_field_is_removed(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;
	const struct plan_action *a;

	p = person(f, "120", "left@example.com", "yes", NULL, NULL, NULL);
	provisioned(f, p, 1, "scim-120");
	p->access = BOB_ACCESS_UNSET;
	FREE(p->access_value);
	free(p->lifecycle);
	p->lifecycle = xstrdup("Terminated");
	FREE(p->lifecycle_id);
	p->lifecycle_id = xstrdup("terminated");
	p->termination_date = xstrdup("2026-10-31");
	p = person(f, "121", "stays@example.com", "yes", NULL, NULL, NULL);
	provisioned(f, p, 1, "scim-121");
	p->access = BOB_ACCESS_UNSET;
	FREE(p->access_value);
	plan_it(f);
	a = action_of(&f->plan, "120");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_REMOVE);
	assert_string_equal(a->reason, "left on 2026-10-31 (alleo_access is not set: a leaver is "
	    "offboarded whatever the field says) (offboarding date 2026-10-31)");
	assert_string_equal(((const struct roster_row *)a->data)->offboard_date, "2026-10-31");
	assert_null(find_held(&f->plan, "120"));
	plan_guard_eval(&f->plan, f->conf, 2, NULL);
	assert_int_equal(f->plan.guard.removals, 1);
	assert_int_equal(f->plan.n, 1);		/* 121: held, no action */
	assert_non_null(held_of(&f->plan, "121"));
}

static void
vanished_person_is_held(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;
	const struct plan_held *h;

	p = person(f, "112", "ghost@example.com", "yes", NULL, NULL, NULL);
	provisioned(f, p, 1, "scim-112");
	/* HiBob stops showing them */
	bob_person_clear(p);
	f->src.people.n--;
	person(f, "113", "stays@example.com", "no", NULL, NULL, NULL);
	plan_it(f);
	assert_int_equal(f->plan.n, 0);
	h = held_of(&f->plan, "112");
	assert_non_null(h);
	assert_non_null(strstr(h->reason, "no longer visible in HiBob"));
	assert_string_equal(h->email, "ghost@example.com");
}

static void
rehire_reactivates_the_same_account(void **state)
{
	struct fx *f = *state;
	struct bob_person *p, *q;
	const struct plan_action *a;

	p = person(f, "114", "back@example.com", "yes", NULL, "2023-01-01", NULL);
	provisioned(f, p, 0, "scim-114");
	free(p->start_date);
	p->start_date = xstrdup("2026-11-01");
	q = person(f, "115", "again@example.com", "yes", NULL, NULL, NULL);
	provisioned(f, q, 0, "scim-115");
	plan_it(f);
	assert_int_equal(f->plan.n, 2);
	a = action_of(&f->plan, "114");
	assert_int_equal(a->op, PLAN_REACTIVATE);
	assert_string_equal(a->reason, "rehired: started again on 2026-11-01 (same Alleo account)");
	assert_string_equal(((const struct roster_row *)a->data)->remote_id, "scim-114");
	assert_null(((const struct roster_row *)a->data)->offboard_date);
	a = action_of(&f->plan, "115");
	assert_int_equal(a->op, PLAN_REACTIVATE);
	assert_non_null(strstr(a->reason, "eligible again"));
}

static void
inactive_and_ineligible_plans_nothing(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;

	p = person(f, "116", "old@example.com", "no", "Terminated", NULL, "2025-01-31");
	provisioned(f, p, 0, "scim-116");
	plan_it(f);
	assert_int_equal(f->plan.n, 0);
	assert_int_equal(f->plan.nheld, 0);
}

static void
plan_id_follows_content(void **state)
{
	struct fx *f = *state;
	char first[PLAN_ID_LEN + 1];
	struct bob_person *p;

	person(f, "120", "a@example.com", "yes", NULL, NULL, NULL);
	p = person(f, "121", "b@example.com", "yes", NULL, NULL, NULL);
	plan_it(f);
	snprintf(first, sizeof first, "%s", f->plan.id);
	plan_it(f);
	assert_string_equal(f->plan.id, first);		/* same source, same id */
	free(p->email);
	p->email = xstrdup("c@example.com");
	plan_it(f);
	assert_string_not_equal(f->plan.id, first);	/* HiBob changed: new id */
}

static void
mass_removal_trips_the_guard(void **state)
{
	struct fx *f = *state;
	char id[16], email[64];

	for (int i = 0; i < 10; i++) {
		struct bob_person *p;
		snprintf(id, sizeof id, "2%02d", i);
		snprintf(email, sizeof email, "p%d@example.com", i);
		p = person(f, id, email, "yes", NULL, NULL, NULL);
		provisioned(f, p, 1, NULL);
		if (i < 5)
			p->access = BOB_ACCESS_NO;
	}
	plan_it(f);
	assert_int_equal(f->plan.n, 5);
	plan_guard_eval(&f->plan, f->conf, store_roster_count_active(f->store), NULL);
	assert_true(f->plan.guard.tripped);
	assert_false(f->plan.guard.approved);
	assert_int_equal(f->plan.guard.removals, 5);
	assert_int_equal(f->plan.guard.base, 10);
	plan_guard_eval(&f->plan, f->conf, 10, "0123456789abcdef");
	assert_false(f->plan.guard.approved);
	plan_guard_eval(&f->plan, f->conf, 10, f->plan.id);
	assert_true(f->plan.guard.approved);
	/* removals come last, so a stopped run has added before removing */
	assert_int_equal(f->plan.v[f->plan.n - 1].op, PLAN_REMOVE);
}

/* The stored rows are looked up by a hash of the employee id
 * (roster_differ): in a roster of many rows each person finds their row,
 * or none. */
static void
large_roster_finds_each_row(void **state)
{
	struct fx *f = *state;
	char id[16], email[64];
	size_t adds = 0, updates = 0, removes = 0;

	conf_set(f->conf, "guard.max_removals", "1000", NULL);
	for (int i = 0; i < 120; i++) {
		struct bob_person *p;
		snprintf(id, sizeof id, "3%05d", i * 7919 % 100000);
		snprintf(email, sizeof email, "p%d@example.com", i);
		p = person(f, id, email, "yes", NULL, NULL, NULL);
		if (i < 100)
			provisioned(f, p, 1, "r");
		if (i % 7 == 3) {
			free(p->email);
			p->email = xasprintf("new%d@example.com", i);
		}
		if (i % 11 == 5)
			p->access = BOB_ACCESS_NO;
	}
	/* 20 rows nobody shows */
	for (int i = 0; i < 20; i++) {
		struct bob_person *p;
		snprintf(id, sizeof id, "9%03d", i);
		snprintf(email, sizeof email, "gone%d@example.com", i);
		p = person(f, id, email, "yes", NULL, NULL, NULL);
		provisioned(f, p, 1, "r");
		free(p->id);
		p->id = xstrdup("");	/* not read: no id */
	}
	plan_it(f);
	for (size_t i = 0; i < f->plan.n; i++) {
		adds += f->plan.v[i].op == PLAN_ADD;
		updates += f->plan.v[i].op == PLAN_UPDATE;
		removes += f->plan.v[i].op == PLAN_REMOVE;
	}
	/* 100..119 are new; of the provisioned, i % 11 == 5 leave and the
	 * other i % 7 == 3 change their email */
	assert_int_equal(adds, 20 - 2);		/* 100..119: 104 and 115 have access no */
	assert_int_equal(removes, 9);		/* i % 11 == 5 below 100: 5 .. 93 */
	assert_int_equal(updates, 14 - 1);	/* i % 7 == 3 below 100: 14, 38 of them leaves */
	assert_int_equal(f->plan.nheld, 20);	/* the rows nobody shows */
}

/* ---- roster_source_sane ---- */

static void
sane_refuses_zero_people(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };

	assert_int_equal(roster_source_sane(&f->src, 0, 0.8, &err), BS_ERR_SOURCE);
	assert_non_null(strstr(err.detail, "no people"));
}

static void
sane_refuses_a_shrunken_source(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };

	for (int i = 0; i < 7; i++) {
		char id[8];
		snprintf(id, sizeof id, "%d", 300 + i);
		person(f, id, "x@example.com", "yes", NULL, NULL, NULL);
	}
	assert_int_equal(roster_source_sane(&f->src, 0, 0.8, &err), BS_OK);
	assert_int_equal(roster_source_sane(&f->src, 8, 0.8, &err), BS_OK);
	assert_int_equal(roster_source_sane(&f->src, 10, 0.8, &err), BS_ERR_SOURCE);
	assert_non_null(strstr(err.detail, "returned 7 people"));
	assert_non_null(strstr(err.detail, "of the 10"));
}

static void
sane_refuses_missing_field_and_sections(void **state)
{
	struct fx *f = *state;
	struct bs_error err = { 0 };

	person(f, "400", "x@example.com", "yes", NULL, NULL, NULL);
	snprintf(f->src.field_problem, sizeof f->src.field_problem,
	    "HiBob has no employee field named 'alleo_access'");
	assert_int_equal(roster_source_sane(&f->src, 0, 0.8, &err), BS_ERR_SOURCE);
	assert_non_null(strstr(err.detail, "no employee field named 'alleo_access'"));
	f->src.field_problem[0] = '\0';
	f->src.missing_sections = xcalloc(2, sizeof(char *));
	f->src.missing_sections[0] = xstrdup("Lifecycle");
	f->src.nmissing_sections = 1;
	assert_int_equal(roster_source_sane(&f->src, 0, 0.8, &err), BS_ERR_SOURCE);
	assert_non_null(strstr(err.detail, "Lifecycle section"));
}

/* Alleo keys people by email: a second eligible person with the same
 * email (any case) is held with the reason, never sent. */
static void
second_person_with_one_email_is_held(void **state)
{
	struct fx *f = *state;
	const struct plan_held *h;

	person(f, "202", "Dup@example.com", "yes", NULL, NULL, NULL);
	person(f, "201", "dup@example.com", "yes", NULL, NULL, NULL);
	person(f, "203", "dup@example.com", "no", NULL, NULL, NULL);	/* not eligible */
	plan_it(f);
	assert_int_equal(f->plan.n, 1);
	assert_int_equal(action_of(&f->plan, "201")->op, PLAN_ADD);	/* the smaller id */
	h = held_of(&f->plan, "202");
	assert_non_null(strstr(h->reason, "also the work email of employee 201"));
	assert_null(find_held(&f->plan, "203"));
}

/* The diff one person at a time, as a plan reads HiBob (issue 18): a
 * read that starts again takes back what it gave since its mark, copies
 * outlive the people, and a shared email is still settled at the end; the
 * plan is the one the whole snapshot gives. */
static void
differ_mark_reset_same_plan(void **state)
{
	struct fx *f = *state;
	struct roster_rows rows;
	struct roster_differ d;
	struct plan p;
	struct bs_error err = { 0 };
	struct bob_person *u;
	size_t text_bytes;
	char *text_next;

	person(f, "402", "dup@example.com", "yes", NULL, NULL, NULL);
	person(f, "401", "DUP@example.com", "yes", NULL, NULL, NULL);
	person(f, "403", "c@example.com", NULL, NULL, NULL, NULL);	/* held */
	u = person(f, "404", "gone@example.com", "no", NULL, NULL, NULL);
	provisioned(f, u, 1, "scim-404");				/* removed */
	person(f, "405", "e@example.com", "yes", NULL, NULL, NULL);
	plan_it(f);
	assert_int_equal(store_roster_list(f->store, &rows, &err), BS_OK);
	plan_init(&p, "alleo");
	roster_differ_init(&d, &f->src, &rows, &p, 0);
	d.copy = 1;
	roster_differ_mark(&d);
	for (size_t i = 0; i < 3; i++)
		roster_differ_person(&d, &f->src.people.v[i], &f->src.evals[i],
		    f->src.local_today[i]);
	roster_differ_mark(&d);		/* a second request starts */
	text_bytes = p.text.bytes;
	text_next = p.text.next;
	for (size_t i = 3; i < 5; i++)
		roster_differ_person(&d, &f->src.people.v[i], &f->src.evals[i],
		    f->src.local_today[i]);
	assert_int_equal(d.nread, 5);
	assert_ptr_not_equal(p.text.next, text_next);
	roster_differ_reset(&d);	/* cut off: it is read again */
	assert_int_equal(d.nread, 3);
	/* what it had given the plan is given back (text too) */
	assert_int_equal(p.text.bytes, text_bytes);
	assert_ptr_equal(p.text.next, text_next);
	assert_int_equal(p.n, 2);	/* 402 and 401 both added until the end settles their email */
	for (size_t i = 3; i < 5; i++)
		roster_differ_person(&d, &f->src.people.v[i], &f->src.evals[i],
		    f->src.local_today[i]);
	roster_differ_finish(&d);
	roster_differ_clear(&d);
	roster_rows_clear(&rows);
	assert_int_equal(p.n, f->plan.n);
	assert_int_equal(p.nheld, f->plan.nheld);
	assert_string_equal(p.id, f->plan.id);
	assert_int_equal(p.source_count, 5);
	assert_non_null(strstr(held_of(&p, "402")->reason, "also the work email of employee 401"));
	assert_int_equal(action_of(&p, "404")->op, PLAN_REMOVE);
	plan_clear(&p);
}

/* The one already provisioned with the email keeps it. */
static void
provisioned_person_keeps_a_shared_email(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;

	person(f, "301", "shared@example.com", "yes", NULL, NULL, NULL);
	p = person(f, "302", "shared@example.com", "yes", NULL, NULL, NULL);
	provisioned(f, p, 1, "scim-302");
	plan_it(f);
	assert_int_equal(f->plan.n, 0);
	assert_non_null(strstr(held_of(&f->plan, "301")->reason, "employee 302"));
}

/* SCIM without a usable extension: a budget is no change Alleo could
 * see; the plan says why budgets are not sent. */
static void
unsent_budgets_are_no_update_and_the_plan_says_so(void **state)
{
	struct fx *f = *state;
	struct bob_person *p;
	json_t *j;

	p = person(f, "106", "bud@example.com", "yes", NULL, NULL, NULL);
	budget(p, "alleo_monthly_all_budget", 100);
	provisioned(f, p, 1, "scim-106");
	p->budgets[0].amount = 150;
	f->src.nbudget = 1;
	snprintf(f->src.budgets_unsent, sizeof f->src.budgets_unsent, "no extension listed");
	plan_it(f);
	assert_int_equal(f->plan.n, 0);
	assert_int_equal(f->plan.nnotes, 1);
	assert_non_null(strstr(f->plan.notes[0], "budget fields are not sent (1 eligible person "
	    "has one): no extension listed"));
	j = plan_to_json(&f->plan);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "notes"), 0)),
	    f->plan.notes[0]);
	json_decref(j);
	/* a joiner's row is stored without them, so they go once an extension is */
	person(f, "107", "new@example.com", "yes", NULL, NULL, NULL);
	budget(&f->src.people.v[1], "alleo_monthly_all_budget", 75);
	plan_it(f);
	assert_int_equal(f->plan.n, 1);
	assert_null(strstr(action_of(&f->plan, "107")->after, "alleo_monthly_all_budget"));
	f->src.nbudget = 0;
}

/* ---- roster_csv_text ---- */

/* One row per email: an active person wins over a leaver with the same
 * address (any case); two active rows keep the first. */
static void
csv_never_writes_two_rows_with_one_email(void **state)
{
	struct fx *f = *state;
	struct roster_row rows[3];
	struct roster_rows rr = { rows, 3 };
	int64_t today;
	char *text;

	(void)f;
	memset(rows, 0, sizeof rows);
	assert_int_equal(date_parse(TODAY, &today), 0);
	rows[0] = (struct roster_row){ .employee_id = (char *)"1", .email = (char *)"Same@x.nl",
	    .offboard_date = (char *)"2026-11-01", .active = 0 };
	rows[1] = (struct roster_row){ .employee_id = (char *)"2", .email = (char *)"same@x.nl",
	    .active = 1 };
	rows[2] = (struct roster_row){ .employee_id = (char *)"3", .email = (char *)"SAME@x.nl",
	    .active = 1 };
	text = roster_csv_text(&rr, NULL, 0, today, NULL);
	assert_non_null(strstr(text, "\r\nsame@x.nl,,,,,2\r\n"));
	assert_null(strstr(text, ",1\r\n"));
	assert_null(strstr(text, ",3\r\n"));
	free(text);
}

static void
csv_keeps_leavers_thirty_days(void **state)
{
	struct fx *f = *state;
	const char *names[] = { "alleo_monthly_all_budget" };
	struct roster_row rows[4];
	struct roster_rows rr = { rows, 4 };
	int64_t today;
	char *text;

	(void)f;
	memset(rows, 0, sizeof rows);
	assert_int_equal(date_parse(TODAY, &today), 0);
	rows[0] = (struct roster_row){ .employee_id = (char *)"1", .email = (char *)"a@x.nl",
	    .first_name = (char *)"A", .last_name = (char *)"B", .start_date = (char *)"2024-01-01",
	    .budgets = (char *)"{\"alleo_monthly_all_budget\":150.0}", .active = 1 };
	rows[1] = (struct roster_row){ .employee_id = (char *)"2", .email = (char *)"b@x.nl",
	    .end_date = (char *)"2026-12-31", .active = 1 };
	rows[2] = (struct roster_row){ .employee_id = (char *)"3", .email = (char *)"c@x.nl",
	    .offboard_date = (char *)"2026-10-11", .active = 0 };
	rows[3] = (struct roster_row){ .employee_id = (char *)"4", .email = (char *)"d@x.nl",
	    .offboard_date = (char *)"2026-10-10", .active = 0 };
	text = roster_csv_text(&rr, names, 1, today, NULL);
	assert_non_null(strstr(text, "\r\na@x.nl,A,B,2024-01-01,,1,150.00\r\n"));
	/* a future leaver carries the known date */
	assert_non_null(strstr(text, "\r\nb@x.nl,,,,2026-12-31,2,\r\n"));
	/* 30 days after the offboarding date: still there; 31: gone */
	assert_non_null(strstr(text, "\r\nc@x.nl,,,,2026-10-11,3,\r\n"));
	assert_null(strstr(text, "d@x.nl"));
	free(text);
}

/* ---- rows as JSON ---- */

static void
row_json_round_trip(void **state)
{
	struct roster_row r, back;
	struct bs_error err = { 0 };
	char *j;

	(void)state;
	assert_int_equal(roster_row_from_json("9", NULL, &back, &err), BS_ERR_PARSE);
	assert_int_equal(roster_row_from_json("9", "[1]", &back, &err), BS_ERR_PARSE);
	memset(&r, 0, sizeof r);
	r.employee_id = (char *)"9";
	r.email = (char *)"z@x.nl";
	r.first_name = (char *)"Zo\xc3\xab";
	r.budgets = (char *)"{\"alleo_oneoff_health_budget\":20.5}";
	r.active = 0;
	r.offboard_date = (char *)"2026-11-10";
	j = roster_row_to_json(&r);
	assert_int_equal(roster_row_from_json("9", j, &back, &err), BS_OK);
	assert_string_equal(back.employee_id, "9");
	assert_string_equal(back.email, "z@x.nl");
	assert_string_equal(back.first_name, "Zo\xc3\xab");
	assert_null(back.last_name);
	assert_string_equal(back.budgets, "{\"alleo_oneoff_health_budget\":20.5}");
	assert_int_equal(back.active, 0);
	assert_string_equal(back.offboard_date, "2026-11-10");
	roster_row_clear(&back);
	free(j);
}

/* A row read back from texts of every shape, as Jansson (with repeated
 * names refused) reads them: the jread path and the Jansson one agree. */
static void
row_json_read_as_jansson_does(void **state)
{
	struct roster_row back;
	struct bs_error err = { 0 };

	(void)state;
	assert_int_equal(roster_row_from_json("7", "{\"email\":\"a\\\"b@x\",\"first_name\":"
	    "\"\\u00c9mile\",\"last_name\":\"\",\"start_date\":null,\"active\":true,"
	    "\"budgets\":{}}", &back, &err), BS_OK);
	assert_string_equal(back.employee_id, "7");
	assert_string_equal(back.email, "a\"b@x");
	assert_string_equal(back.first_name, "\xc3\x89mile");
	assert_string_equal(back.last_name, "");
	assert_null(back.start_date);
	assert_null(back.budgets);
	assert_int_equal(back.active, 1);
	roster_row_clear(&back);

	assert_int_equal(roster_row_from_json("7", "{\"email\":5,\"active\":\"true\"}", &back,
	    &err), BS_OK);
	assert_null(back.email);
	assert_int_equal(back.active, 0);
	roster_row_clear(&back);

	assert_int_equal(roster_row_from_json("7", "{\"budgets\":{\"b\":1,\"a\":2.5},"
	    "\"email\":\"e@x\"}", &back, &err), BS_OK);
	assert_string_equal(back.budgets, "{\"a\":2.5,\"b\":1}");
	assert_string_equal(back.email, "e@x");
	roster_row_clear(&back);

	/* what Jansson refuses stays refused */
	assert_int_equal(roster_row_from_json("7", "{\"email\":\"a@x\",\"email\":\"b@x\"}",
	    &back, &err), BS_ERR_PARSE);
	assert_int_equal(roster_row_from_json("7", "{\"email\":\"a\\u0000b\"}", &back, &err),
	    BS_ERR_PARSE);
	assert_int_equal(roster_row_from_json("7", "\"text\"", &back, &err), BS_ERR_PARSE);
	assert_int_equal(roster_row_from_json("7", "{\"email\":\"a@x\"} x", &back, &err),
	    BS_ERR_PARSE);
}

/* ---- store_roster ---- */

static void
store_rows_put_get_list(void **state)
{
	struct fx *f = *state;
	struct roster_row r, got;
	struct bs_error err = { 0 };

	assert_int_equal(store_roster_get(f->store, "nobody", &got, &err), BS_ERR_NOT_FOUND);
	assert_int_equal(store_roster_put(f->store, NULL, NOW, &err), BS_ERR_INVALID);
	assert_int_equal(store_roster_count_active(f->store), 0);
	memset(&r, 0, sizeof r);
	r.employee_id = (char *)"b2";
	r.email = (char *)"Mixed@Example.com";
	r.active = 1;
	assert_int_equal(store_roster_put(f->store, &r, NOW, &err), BS_OK);
	r.employee_id = (char *)"a1";
	r.email = (char *)"other@example.com";
	r.active = 0;
	assert_int_equal(store_roster_put(f->store, &r, NOW, &err), BS_OK);
	assert_int_equal(store_roster_count_active(f->store), 1);
	assert_int_equal(store_roster_find_email(f->store, "mixed@example.COM", &got, &err), BS_OK);
	assert_string_equal(got.employee_id, "b2");
	roster_row_clear(&got);
	assert_int_equal(store_roster_list(f->store, &f->rows, &err), BS_OK);
	assert_int_equal(f->rows.n, 2);
	assert_string_equal(f->rows.v[0].employee_id, "a1");	/* ordered by id */
	assert_non_null(roster_rows_find(&f->rows, "b2"));
	assert_null(roster_rows_find(&f->rows, "c3"));
	assert_int_equal(f->rows.v[1].updated_at, NOW);
	/* a row read is one allocation; a copy of it is a row of its own
	 * (the CSV overlay clears such rows and copies over them) */
	assert_non_null(f->rows.v[1].block);
	assert_ptr_equal(f->rows.v[1].block, f->rows.v[1].employee_id);
	assert_string_equal(f->rows.v[1].email, "Mixed@Example.com");
	assert_null(f->rows.v[1].remote_id);
	roster_row_copy(&got, &f->rows.v[1]);
	assert_null(got.block);
	roster_row_clear(&f->rows.v[1]);
	roster_row_copy(&f->rows.v[1], &got);
	roster_row_clear(&got);
	assert_string_equal(f->rows.v[1].employee_id, "b2");
}

/* finding people by (part of) a name, for log --person and explain */
static void
store_rows_find_name(void **state)
{
	static const char *const people[][3] = {
		{ "e1", "Ann", "Lee" }, { "e2", "Anna", "Berg" }, { "e3", "Joanne", "Lee" },
		{ "e4", "Bo", "100%_sure" },
	};
	struct fx *f = *state;
	struct roster_row r;
	struct bs_error err = { 0 };

	memset(&r, 0, sizeof r);
	r.active = 1;
	for (size_t i = 0; i < ARRAY_LEN(people); i++) {
		r.employee_id = (char *)people[i][0];
		r.first_name = (char *)people[i][1];
		r.last_name = (char *)people[i][2];
		assert_int_equal(store_roster_put(f->store, &r, NOW, &err), BS_OK);
	}
	/* part of a name, case ignored: several, by name */
	assert_int_equal(store_roster_find_name(f->store, "ann", 0, &f->rows, &err), BS_OK);
	assert_int_equal(f->rows.n, 3);
	assert_string_equal(f->rows.v[0].employee_id, "e1");
	assert_string_equal(f->rows.v[1].employee_id, "e2");
	assert_string_equal(f->rows.v[2].employee_id, "e3");
	roster_rows_clear(&f->rows);
	/* one */
	assert_int_equal(store_roster_find_name(f->store, "berg", 0, &f->rows, &err), BS_OK);
	assert_int_equal(f->rows.n, 1);
	assert_string_equal(f->rows.v[0].employee_id, "e2");
	roster_rows_clear(&f->rows);
	/* an exact full name wins over the names that hold it */
	assert_int_equal(store_roster_find_name(f->store, "ANN LEE", 0, &f->rows, &err), BS_OK);
	assert_int_equal(f->rows.n, 1);
	assert_string_equal(f->rows.v[0].employee_id, "e1");
	roster_rows_clear(&f->rows);
	/* % and _ are letters here, not patterns; max caps */
	assert_int_equal(store_roster_find_name(f->store, "0%_s", 0, &f->rows, &err), BS_OK);
	assert_int_equal(f->rows.n, 1);
	roster_rows_clear(&f->rows);
	assert_int_equal(store_roster_find_name(f->store, "%", 0, &f->rows, &err), BS_OK);
	assert_int_equal(f->rows.n, 1);
	roster_rows_clear(&f->rows);
	assert_int_equal(store_roster_find_name(f->store, "e", 2, &f->rows, &err), BS_OK);
	assert_int_equal(f->rows.n, 2);
	roster_rows_clear(&f->rows);
	assert_int_equal(store_roster_find_name(f->store, "zed", 0, &f->rows, &err), BS_OK);
	assert_int_equal(f->rows.n, 0);
	assert_int_equal(store_roster_find_name(f->store, "", 0, &f->rows, &err), BS_OK);
	assert_int_equal(f->rows.n, 0);
	/* a text across the space between the names, or across a space within
	 * one, and a person with no first name */
	r.employee_id = (char *)"e5";
	r.first_name = (char *)"Mary Ann";
	r.last_name = (char *)"Smith";
	assert_int_equal(store_roster_put(f->store, &r, NOW, &err), BS_OK);
	r.employee_id = (char *)"e6";
	r.first_name = NULL;
	r.last_name = (char *)"Solo";
	assert_int_equal(store_roster_put(f->store, &r, NOW, &err), BS_OK);
	static const struct { const char *text; const char *id; } one[] = {
		{ "ann sm", "e5" }, { "y ann s", "e5" }, { "N S", "e5" }, { "mary ann smith", "e5" },
		{ " solo", "e6" }, { "n  s", NULL }, { "lee b", NULL },
	};
	for (size_t i = 0; i < ARRAY_LEN(one); i++) {
		assert_int_equal(store_roster_find_name(f->store, one[i].text, 0, &f->rows, &err),
		    BS_OK);
		assert_int_equal(f->rows.n, one[i].id ? 1 : 0);
		if (one[i].id)
			assert_string_equal(f->rows.v[0].employee_id, one[i].id);
		roster_rows_clear(&f->rows);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(plan_needs_a_store),
		T(store_rows_find_name),
		T(differ_mark_reset_same_plan),
		T(second_person_with_one_email_is_held),
		T(provisioned_person_keeps_a_shared_email),
		T(unsent_budgets_are_no_update_and_the_plan_says_so),
		T(csv_never_writes_two_rows_with_one_email),
		T(empty_source_and_roster_plan_nothing),
		T(joiner_is_added_with_reason),
		T(formula_names_held_for_the_csv_file),
		T(future_starter_is_not_added_yet),
		T(email_change_is_an_update_of_the_same_account),
		T(unchanged_person_plans_nothing),
		T(budget_change_is_an_update),
		T(future_leaver_is_updated_not_removed),
		T(leaver_past_date_is_removed_with_that_date),
		T(access_no_is_removed_today),
		T(unset_access_is_held_never_removed),
		T(leaver_with_blank_field_is_removed),
		T(vanished_person_is_held),
		T(rehire_reactivates_the_same_account),
		T(inactive_and_ineligible_plans_nothing),
		T(plan_id_follows_content),
		T(mass_removal_trips_the_guard),
		T(large_roster_finds_each_row),
		T(sane_refuses_zero_people),
		T(sane_refuses_a_shrunken_source),
		T(sane_refuses_missing_field_and_sections),
		T(csv_keeps_leavers_thirty_days),
		T(row_json_round_trip),
		T(row_json_read_as_jansson_does),
		T(store_rows_put_get_list),
	};

	return cmocka_run_group_tests_name("roster", tests, NULL, NULL);
}
