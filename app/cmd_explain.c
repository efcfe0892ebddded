/* cmd_explain.c - bobsync explain EMAIL|EMPLOYEE_ID [--json]
 *
 * Everything that decides one person's Alleo account, from the same code
 * the sync runs: what HiBob says, each eligibility rule, what the roster
 * table (and, for SCIM, Alleo itself) has, and the action a sync would take
 * now with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "commands.h"
#include "conf.h"
#include "output.h"
#include "roster.h"
#include "scim.h"
#include "session.h"
#include "store.h"
#include "store_roster.h"
#include "util.h"

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *
pass_word(int pass)
{
	return pass > 0 ? "pass" : pass == 0 ? "fail" : "unknown";
}

static char *
person_name(const struct bob_person *p)
{
	if (!str_empty(p->display_name))
		return xstrdup(p->display_name);
	return xasprintf("%s%s%s", p->first_name ? p->first_name : "",
	    p->first_name && p->surname ? " " : "", p->surname ? p->surname : "");
}

struct live {
	int asked;		/* a SCIM lookup was made */
	int found;
	struct scim_user u;
	char error[BS_ERROR_DETAIL_MAX];
};

static json_t *
source_json(const struct roster_source *src, size_t i, const struct conf *conf)
{
	const struct bob_person *p = &src->people.v[i];
	json_t *o = json_object(), *b = json_object();
	const char *zone = NULL;
	char today[11];

	roster_person_today(conf, p, src->fetched_at ? src->fetched_at : clock_now(), &zone);
	date_format(src->local_today[i], today);
	json_object_set_new(o, "access", json_string(bob_access_name(p->access)));
	json_object_set_new(o, "access_value", jstr(p->access_value));
	json_object_set_new(o, "lifecycle", jstr(p->lifecycle));
	json_object_set_new(o, "status", jstr(p->status));
	json_object_set_new(o, "start_date", jstr(p->start_date));
	json_object_set_new(o, "termination_date", jstr(p->termination_date));
	json_object_set_new(o, "department", jstr(p->department));
	json_object_set_new(o, "site", jstr(p->site));
	json_object_set_new(o, "timezone", jstr(zone));
	json_object_set_new(o, "local_date", json_string(today));
	for (size_t k = 0; k < p->nbudgets; k++)
		if (p->budgets[k].field != NULL)
			json_object_set_new(b, p->budgets[k].field,
			    p->budgets[k].set ? json_real(p->budgets[k].amount) : json_null());
	json_object_set_new(o, "budgets", b);
	return o;
}

static json_t *
eligibility_json(const struct roster_eval *e)
{
	json_t *o = json_object(), *rules = json_array();

	json_object_set_new(o, "verdict", json_string(roster_verdict_name(e->verdict)));
	json_object_set_new(o, "eligible", json_boolean(e->verdict == ROSTER_ELIGIBLE));
	json_object_set_new(o, "reason", json_string(e->reason));
	for (size_t k = 0; k < ARRAY_LEN(e->rules); k++) {
		json_t *r = json_object();
		json_object_set_new(r, "rule", jstr(e->rules[k].rule));
		json_object_set_new(r, "result", json_string(pass_word(e->rules[k].pass)));
		json_object_set_new(r, "detail", json_string(e->rules[k].detail));
		json_array_append_new(rules, r);
	}
	json_object_set_new(o, "rules", rules);
	return o;
}

static json_t *
target_json(const char *mode, const struct roster_row *row, int have_row,
    const struct live *lv)
{
	json_t *o = json_object(), *l;
	char t[32];

	json_object_set_new(o, "mode", jstr(mode));
	json_object_set_new(o, "provisioned", json_boolean(have_row));
	json_object_set_new(o, "active", have_row ? json_boolean(row->active) : json_null());
	json_object_set_new(o, "remote_id", have_row ? jstr(row->remote_id) : json_null());
	json_object_set_new(o, "email", have_row ? jstr(row->email) : json_null());
	json_object_set_new(o, "offboard_date", have_row ? jstr(row->offboard_date) : json_null());
	if (have_row) {
		out_time(row->updated_at, t);
		json_object_set_new(o, "updated_at", json_string(t));
	}
	if (lv->asked) {
		l = json_object();
		json_object_set_new(l, "found", json_boolean(lv->found));
		if (lv->found) {
			json_object_set_new(l, "id", jstr(lv->u.id));
			json_object_set_new(l, "userName", jstr(lv->u.user_name));
			json_object_set_new(l, "active", json_boolean(lv->u.active));
		}
		if (lv->error[0])
			json_object_set_new(l, "error", json_string(lv->error));
		json_object_set_new(o, "live", l);
	} else {
		json_object_set_new(o, "live", json_null());
	}
	return o;
}

static json_t *
embedded(const char *text)
{
	json_t *v;

	if (text == NULL)
		return json_null();
	v = json_loads(text, 0, NULL);
	return v ? v : json_string(text);
}

static void
print_human(const struct roster_source *src, size_t i, const struct conf *conf,
    const char *mode, const struct roster_row *row, int have_row, const struct live *lv,
    const struct plan_action *act, const struct plan_held *held)
{
	const struct bob_person *p = &src->people.v[i];
	const struct roster_eval *e = &src->evals[i];
	const char *zone = NULL;
	char today[11], *name = person_name(p);

	roster_person_today(conf, p, src->fetched_at ? src->fetched_at : clock_now(), &zone);
	date_format(src->local_today[i], today);
	util_strip_controls(name);
	printf("%s <%s>, HiBob id %s\n\n", name, p->email ? p->email : "no work email", p->id);
	printf("In HiBob\n");
	printf("  alleo_access       %s%s%s\n", bob_access_name(p->access),
	    p->access_value && p->access != BOB_ACCESS_YES && p->access != BOB_ACCESS_NO ? " " : "",
	    p->access_value && p->access != BOB_ACCESS_YES && p->access != BOB_ACCESS_NO ?
	    p->access_value : "");
	printf("  lifecycle          %s\n", p->lifecycle ? p->lifecycle : "(none)");
	printf("  start date         %s\n", p->start_date ? p->start_date : "(none)");
	printf("  termination date   %s\n", p->termination_date ? p->termination_date : "(none)");
	printf("  site               %s (time zone %s, local date %s)\n",
	    p->site ? p->site : "(none)", zone ? zone : "UTC", today);
	for (size_t k = 0; k < p->nbudgets; k++) {
		if (p->budgets[k].set)
			printf("  %-18s %.2f\n", p->budgets[k].field, p->budgets[k].amount);
		else
			printf("  %-18s (none)\n", p->budgets[k].field);
	}
	printf("\nEligibility: %s\n", roster_verdict_name(e->verdict));
	for (size_t k = 0; k < ARRAY_LEN(e->rules); k++)
		printf("  [%-7s] %s: %s\n", pass_word(e->rules[k].pass),
		    e->rules[k].rule ? e->rules[k].rule : "?", e->rules[k].detail);
	printf("\nIn Alleo (alleo.mode %s)\n", mode ? mode : "off");
	if (!have_row)
		printf("  never sent to Alleo by bobsync\n");
	else
		printf("  %s%s%s%s%s\n", row->active ? "active" : "deactivated",
		    row->offboard_date ? ", offboarding date " : "",
		    row->offboard_date ? row->offboard_date : "",
		    row->remote_id ? ", Alleo id " : "", row->remote_id ? row->remote_id : "");
	if (lv->asked) {
		if (lv->error[0])
			printf("  live lookup failed: %s\n", lv->error);
		else if (!lv->found)
			printf("  Alleo has no user with externalId %s\n", p->id);
		else
			printf("  Alleo has user %s (%s, %s)\n", lv->u.id,
			    lv->u.user_name ? lv->u.user_name : "?", lv->u.active ? "active" : "inactive");
	}
	printf("\nA sync now would: ");
	if (act != NULL)
		printf("%s (%s)\n", plan_op_name(act->op), act->reason);
	else if (held != NULL)
		printf("hold (%s)\n", held->reason);
	else
		printf("nothing (%s)\n", e->reason);
	free(name);
}

int
cmd_explain(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct roster_source src;
	struct roster_row row;
	struct plan plan;
	struct live lv;
	struct out_progress prog;
	struct bs_progress pcb = { out_progress_cb, &prog };
	const struct plan_action *act = NULL;
	const struct plan_held *held = NULL;
	const char *who = NULL, *mode;
	const struct bob_person *p;
	size_t idx = 0;
	int have_row = 0, status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			a->json = 1;
		else if (argv[i][0] == '-')
			return app_usage(a, "explain", "unknown option '%s'", argv[i]);
		else if (who == NULL)
			who = argv[i];
		else
			return app_usage(a, "explain", "explain one person at a time");
	}
	if (str_empty(who))
		return app_usage(a, "explain", "say who: a work email or a HiBob employee id");
	if (app_ctx_open(a, APP_NEED_VAULT | APP_NEED_STORE, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	memset(&lv, 0, sizeof lv);
	memset(&row, 0, sizeof row);
	plan_init(&plan, "alleo");
	out_progress_init(&prog, a);
	if (roster_source_fetch(&ctx.s, &pcb, &src, &err) != BS_OK) {
		out_progress_done(&prog);
		status = app_error(a, &err);
		goto done;
	}
	out_progress_done(&prog);
	p = roster_source_find(&src, who, &idx);
	if (p == NULL) {
		struct bs_error e2 = { 0 };
		bs_fail(&e2, BS_ERR_NOT_FOUND, "no one with that email or id is visible to the service "
		    "user");
		status = app_error(a, &e2);
		if (store_roster_get(ctx.store, who, &row, NULL) == BS_OK ||
		    store_roster_find_email(ctx.store, who, &row, NULL) == BS_OK)
			fprintf(stderr, "bobsync: the roster still has %s (HiBob id %s) as %s in "
			    "Alleo: HiBob no longer shows them, so it is held, never removed "
			    "automatically\n", row.email ? row.email : who, row.employee_id,
			    row.active ? "active" : "deactivated");
		roster_row_clear(&row);
		roster_source_free(&src);
		goto done;
	}
	have_row = store_roster_get(ctx.store, p->id, &row, NULL) == BS_OK;
	mode = conf_get(a->conf, "alleo.mode");
	if (str_eq(mode, "scim")) {
		struct scim_client *sc;
		struct bs_error le = { 0 };
		lv.asked = 1;
		if (session_scim(&ctx.s, &sc, &le) != BS_OK ||
		    scim_find_user(sc, p->id, NULL, &lv.u, &lv.found, &le) != BS_OK)
			snprintf(lv.error, sizeof lv.error, "%s", bs_error_text(&le));
	}
	/* the action from the same plan code the sync runs */
	if (roster_plan(&ctx.s, &src, &plan, &err) == BS_OK) {
		for (size_t i = 0; i < plan.n && act == NULL; i++)
			if (str_eq(plan.v[i].subject, p->id))
				act = &plan.v[i];
		for (size_t i = 0; i < plan.nheld && held == NULL; i++)
			if (str_eq(plan.held[i].employee_id, p->id))
				held = &plan.held[i];
	} else {
		fprintf(stderr, "bobsync: cannot plan: %s\n", bs_error_text(&err));
	}

	if (a->json) {
		json_t *j = json_object(), *aj = json_null(), *hj = json_null();
		char *name = person_name(p);
		json_object_set_new(j, "employee_id", json_string(p->id));
		json_object_set_new(j, "email", jstr(p->email));
		json_object_set_new(j, "name", json_string(name));
		json_object_set_new(j, "source", source_json(&src, idx, a->conf));
		json_object_set_new(j, "eligibility", eligibility_json(&src.evals[idx]));
		json_object_set_new(j, "target", target_json(mode, &row, have_row, &lv));
		if (act != NULL) {
			aj = json_object();
			json_object_set_new(aj, "op", json_string(plan_op_name(act->op)));
			json_object_set_new(aj, "reason", json_string(act->reason));
			json_object_set_new(aj, "before", embedded(act->before));
			json_object_set_new(aj, "after", embedded(act->after));
		}
		if (held != NULL) {
			hj = json_object();
			json_object_set_new(hj, "reason", json_string(held->reason));
		}
		json_object_set_new(j, "action", aj);
		json_object_set_new(j, "held", hj);
		json_object_set_new(j, "plan_id", json_string(plan.id));
		out_json(j);
		free(name);
	} else {
		print_human(&src, idx, a->conf, mode, &row, have_row, &lv, act, held);
	}
	roster_row_clear(&row);
	scim_user_clear(&lv.u);
	roster_source_free(&src);
done:
	plan_free(&plan);
	app_ctx_close(&ctx);
	return status;
}
