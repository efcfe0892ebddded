/* plan_print.c - plans and run results for people to read. */
#include <stdlib.h>
#include <string.h>

#include "admin/jobs.h"
#include "engine/apply.h"
#include "engine/describe.h"
#include "output.h"
#include "plan_print.h"
#include "base/util.h"

static const char *
target_title(const char *t)
{
	if (str_eq(t, "alleo"))
		return "Alleo";
	if (str_eq(t, "assembled"))
		return "Assembled";
	return t;
}

/* An action's WHO: the person's name; the email (or id) only when there
 * is none; a request's number after it.  In who, reused. */
static const char *
action_who(struct strbuf *who, const struct plan_action *a)
{
	sb_reset(who);
	sb_puts(who, a->name ? a->name : a->email ? a->email :
	    (a->employee_id ? a->employee_id : ""));
	if (a->request_id)
		sb_printf(who, "%s#%lld", who->len ? " " : "", a->request_id);
	return who->buf ? who->buf : "";
}

/* A held person: "Name <email>", or the email (or id) alone. */
static const char *
held_who(struct strbuf *who, const struct plan_held *h)
{
	sb_reset(who);
	sb_printf(who, "%s%s%s%s", h->name ? h->name : "", h->name ? " <" : "",
	    h->email ? h->email : (h->employee_id ? h->employee_id : ""), h->name ? ">" : "");
	return who->buf ? who->buf : "";
}

void
print_plan(FILE *f, const struct plan *p, int width, const char *approve)
{
	long count[PLAN_DELETE + 1] = { 0 };
	struct out_table *t;
	static const char *const hdr[] = { "ACTION", "WHO", "REASON", "CHANGES" };
	int64_t now = clock_now();

	for (size_t i = 0; i < p->n; i++)
		if ((unsigned)p->v[i].op <= PLAN_DELETE)
			count[p->v[i].op]++;
	fprintf(f, "Plan %s for %s: ", p->id, target_title(p->target));
	if (p->n == 0) {
		fputs("nothing to do", f);
	} else {
		int first = 1;
		for (int op = 0; op <= PLAN_DELETE; op++) {
			if (count[op] == 0)
				continue;
			fprintf(f, "%s%ld %s", first ? "" : ", ", count[op], plan_op_name((enum plan_op)op));
			first = 0;
		}
	}
	if (p->nheld > 0)
		fprintf(f, "; %zu held", p->nheld);
	fputs(".\n", f);
	for (size_t i = 0; i < p->nnotes; i++)
		fprintf(f, "Note: %s\n", p->notes[i]);
	/* a plan may hold a company: its rows are measured in one pass and
	 * printed in a second, the CHANGES of each made as it is printed,
	 * none kept */
	if (p->n > 0) {
		struct strbuf who;	/* one buffer for every row's WHO */
		sb_init(&who, 0);
		t = out_table_new(4, hdr);
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_action *a = &p->v[i];
			const char *row[] = { plan_op_name(a->op), action_who(&who, a), a->reason, "" };
			out_table_measure(t, row);
		}
		fputc('\n', f);
		out_table_begin(t, f, width);
		for (size_t i = 0; i < p->n; i++) {
			const struct plan_action *a = &p->v[i];
			char *changes = describe_action(p->target, plan_op_name(a->op), a->before,
			    a->after, now);
			const char *row[] = { plan_op_name(a->op), action_who(&who, a), a->reason,
			    changes };
			out_table_put(t, row);
			free(changes);
		}
		sb_clear(&who);
		out_table_free(&t);
	}
	if (p->nheld > 0) {
		static const char *const hh[] = { "HELD", "REASON" };
		struct strbuf who;
		sb_init(&who, 0);
		t = out_table_new(2, hh);
		for (size_t i = 0; i < p->nheld; i++) {
			const char *row[] = { held_who(&who, &p->held[i]), "" };
			out_table_measure(t, row);
		}
		fputc('\n', f);
		out_table_begin(t, f, width);
		for (size_t i = 0; i < p->nheld; i++) {
			const char *row[] = { held_who(&who, &p->held[i]), p->held[i].reason };
			out_table_put(t, row);
		}
		sb_clear(&who);
		out_table_free(&t);
	}
	if (p->guard.tripped) {
		fprintf(f, "\nGuard: %s.\n", p->guard.reason);
		if (p->guard.approved)
			fputs("Approved for this plan id.\n", f);
		else
			fprintf(f, "Nothing will be applied until this exact plan is approved:\n"
			    "  bobsync %s --approve %s\n", approve != NULL ? approve :
			    job_approve_command(str_eq(p->target, "alleo") ? JOB_ROSTER : JOB_TIMEOFF),
			    p->id);
	}
}

void
print_sync_result(FILE *f, const struct sync_result *r)
{
	const char *what = str_eq(r->target, "roster") ? "roster (Alleo)" : "time off (Assembled)";

	if (r->dry_run) {
		fprintf(f, "Dry run of the %s sync: %ld action%s would be applied (plan %s); nothing "
		    "was sent.\n", what, r->planned, r->planned == 1 ? "" : "s", r->plan_id);
		return;
	}
	if (run_result_parse(r->result) == RUN_BLOCKED) {
		fprintf(f, "The %s sync is blocked: %s.\nReview it with 'bobsync plan %s%s' and apply "
		    "exactly this plan with:\n  bobsync %s %s --approve %s\n", what, r->guard.reason,
		    r->target, r->reconcile ? " --reconcile" : "", r->reconcile ? "reconcile" : "sync",
		    r->target, r->plan_id);
		return;
	}
	fprintf(f, "%s sync %s: %ld applied, %ld failed, %ld skipped of %ld planned (run %lld, "
	    "plan %s).\n", str_eq(r->target, "roster") ? "Roster" : "Time-off",
	    run_result_parse(r->result) == RUN_OK ? "done" : r->result, r->applied, r->failed, r->skipped,
	    r->planned, (long long)r->run_id, r->plan_id);
	if (r->message[0] != '\0')
		fprintf(f, "%s\n", r->message);
	if (r->failed > 0)
		fprintf(f, "Failed actions are retried on the next run; 'bobsync log --run %lld' shows "
		    "why.\n", (long long)r->run_id);
}
