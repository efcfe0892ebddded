/* cmd_explain.c - bobsync explain EMAIL|EMPLOYEE_ID [--json]
 *
 * Everything that decides one person's Alleo account, from the same code
 * the sync runs: what HiBob says, each eligibility rule, what the roster
 * table (and, for SCIM, Alleo itself) has, and the action a sync would take
 * now with its reason.  The work and the text are core/admin/explain.c's (shared
 * with the console's explain screen); this file adds the JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "commands.h"
#include "config/conf.h"
#include "admin/explain.h"
#include "output.h"
#include "base/util.h"

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

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
eligibility_json(const struct roster_kept_eval *e)
{
	json_t *o = json_object(), *rules = json_array();

	json_object_set_new(o, "verdict", json_string(roster_verdict_name(e->verdict)));
	json_object_set_new(o, "eligible", json_boolean(e->verdict == ROSTER_ELIGIBLE));
	json_object_set_new(o, "reason", json_string(e->reason));
	for (size_t k = 0; k < ARRAY_LEN(e->rules); k++) {
		json_t *r = json_object();
		json_object_set_new(r, "rule", jstr(e->rules[k].rule));
		json_object_set_new(r, "result", json_string(explain_pass_word(e->rules[k].pass)));
		json_object_set_new(r, "detail", json_string(e->rules[k].detail));
		json_array_append_new(rules, r);
	}
	json_object_set_new(o, "rules", rules);
	return o;
}

static json_t *
target_json(const char *mode, const struct roster_row *row, int have_row,
    const struct explain_live *lv)
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

/* The people a name matched, one a line on stderr: name, email, id. */
static void
print_matches(const struct explain *x)
{
	static const char *const hdr[] = { "NAME", "EMAIL", "EMPLOYEE ID" };
	struct out_table *t = out_table_new(3, hdr);

	for (size_t i = 0; i < x->nmatches; i++) {
		const struct bob_person *p = &x->src.people.v[x->matches[i]];
		char *n = bob_person_name(p);
		const char *row[] = { n, p->email ? p->email : "", p->id ? p->id : "" };
		out_table_row(t, row);
		free(n);
	}
	out_table_print(t, stderr, 0);
	out_table_free(&t);
}

int
cmd_explain(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct explain x;
	struct out_progress prog;
	struct bs_progress pcb = { out_progress_cb, &prog };
	const char *who = NULL;
	int status = 0;
	bs_rc rc;

	if (argc > 2)
		return app_usage(a, "explain", "explain one person at a time");
	if (argc == 2)
		who = argv[1];
	if (str_empty(who))
		return app_usage(a, "explain", "say who: a name (or part of one), a work email or a "
		    "HiBob employee id");
	if (app_ctx_open(a, APP_NEED_VAULT | APP_NEED_STORE, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	out_progress_init(&prog, a);
	rc = explain_run(&ctx.s, who, EXPLAIN_BY_NAME, &pcb, &x, &err);
	out_progress_done(&prog);
	if (rc != BS_OK && x.nmatches > 1) {
		/* a name several people have: list them, exit 2 (usage: say
		 * which one) */
		status = 2;
		if (a->json) {
			json_t *j = json_object(), *arr = json_array();
			for (size_t i = 0; i < x.nmatches; i++) {
				const struct bob_person *p = &x.src.people.v[x.matches[i]];
				char *n = bob_person_name(p);
				json_array_append_new(arr, json_pack("{s:s?,s:s?,s:s}", "employee_id",
				    p->id, "email", p->email, "name", n));
				free(n);
			}
			json_object_set_new(j, "error", json_string(bs_error_text(&err)));
			json_object_set_new(j, "matches", arr);
			out_json(j);
		} else {
			fprintf(stderr, "bobsync: %zu%s people match '%s'; say which with the email or "
			    "the id:\n", x.nmatches, x.nmatches == EXPLAIN_MAX_MATCHES ? " or more" : "",
			    who);
			print_matches(&x);
		}
		goto done;
	}
	if (rc != BS_OK) {
		char *gone = explain_gone_text(&x, who);
		status = app_error(a, &err);
		if (gone != NULL)
			fprintf(stderr, "bobsync: %s\n", gone);
		free(gone);
		goto done;
	}
	if (x.plan_error[0])
		fprintf(stderr, "bobsync: cannot plan: %s\n", x.plan_error);

	if (a->json) {
		json_t *j = json_object(), *aj = json_null(), *hj = json_null();
		json_object_set_new(j, "employee_id", json_string(x.p->id));
		json_object_set_new(j, "email", jstr(x.p->email));
		json_object_set_new(j, "name", json_string(x.name));
		json_object_set_new(j, "source", source_json(&x.src, x.idx, a->conf));
		json_object_set_new(j, "eligibility", eligibility_json(&x.src.evals[x.idx]));
		json_object_set_new(j, "target", target_json(x.mode, &x.row, x.have_row, &x.live));
		if (x.act != NULL) {
			aj = json_object();
			json_object_set_new(aj, "op", json_string(plan_op_name(x.act->op)));
			json_object_set_new(aj, "reason", json_string(x.act->reason));
			json_object_set_new(aj, "before", embedded(x.act->before));
			json_object_set_new(aj, "after", embedded(x.act->after));
		}
		if (x.held != NULL) {
			hj = json_object();
			json_object_set_new(hj, "reason", json_string(x.held->reason));
		}
		json_object_set_new(j, "action", aj);
		json_object_set_new(j, "held", hj);
		json_object_set_new(j, "plan_id", json_string(x.plan.id));
		out_json(j);
	} else {
		char *text = explain_text(&x, a->conf);
		fputs(text, stdout);
		free(text);
	}
done:
	explain_clear(&x);
	app_ctx_close(&ctx);
	return status;
}
