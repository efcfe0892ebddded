/* cmd_plan.c - bobsync plan roster|timeoff [--reconcile] [--json] */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "admin/jobs.h"
#include "output.h"
#include "plan_print.h"
#include "engine/roster.h"
#include "engine/timeoff_sync.h"

int
cmd_plan(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct plan plan;
	struct out_progress prog;
	struct bs_progress pcb = { out_progress_cb, &prog };
	const char *what = NULL;
	char why[512];
	int full = 0;
	int reconcile = 0;
	bs_rc rc;

	if (argc > 2)
		return app_usage(a, "plan", "unexpected argument '%s'", argv[2]);
	if (argc == 2)
		what = argv[1];
	reconcile = a->opt[APP_OPT_RECONCILE] != NULL;
	if (what == NULL || (strcmp(what, "roster") != 0 && strcmp(what, "timeoff") != 0))
		return app_usage(a, "plan", "say which plan: roster or timeoff");
	if (reconcile && strcmp(what, "timeoff") != 0)
		return app_usage(a, "plan", "--reconcile plans the time-off reconciliation: plan timeoff "
		    "--reconcile");
	if (app_ctx_open(a, APP_NEED_VAULT | APP_NEED_STORE, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	out_progress_init(&prog, a);
	if (strcmp(what, "roster") == 0)
		rc = roster_plan_now(&ctx.s, NULL, &pcb, &plan, &err);
	else {
		/* what the next sync will do: a whole-window comparison when a
		 * setting that shapes the events changed (or --reconcile asks) */
		full = reconcile;
		if (!full) {
			full = job_timeoff_full_pending(&ctx.s, why, sizeof why);
			if (full)
				fprintf(stderr, "bobsync: time-off settings %s since the last full "
				    "comparison: this plan (and the next sync) compares the whole "
				    "window.\n", why);
		}
		rc = toff_plan_now(&ctx.s, full, NULL, &pcb, &plan, &err);
	}
	out_progress_done(&prog);
	if (rc != BS_OK) {
		app_ctx_close(&ctx);
		return app_error(a, &err);
	}
	if (a->json) {
		/* as out_json: JSON escapes C0 itself; C1 and DEL in values are
		 * data for programs, so the terminal guard is bypassed */
		FILE *f = out_raw(stdout);
		fflush(stdout);
		plan_write_json(&plan, f);
		fputc('\n', f);
		fflush(f);
	} else
		print_plan(stdout, &plan, out_term_width(), reconcile ?
		    job_approve_command(JOB_RECONCILE) : NULL);
	plan_clear(&plan);
	app_ctx_close(&ctx);
	return 0;
}
