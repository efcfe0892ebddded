/* cmd_check.c - bobsync check [--json] [--record FILE] */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "admin/checks.h"
#include "commands.h"
#include "config/conf.h"
#include "output.h"
#include "engine/session.h"
#include "admin/shape.h"
#include "base/util.h"

static const char *
mark(enum check_status s)
{
	switch (s) {
	case CHECK_PASS: return "pass";
	case CHECK_WARN: return "WARN";
	case CHECK_FAIL: return "FAIL";
	case CHECK_SKIP: return "skip";
	}
	return "?";
}

static void
print_human(const struct check_report *r)
{
	for (int i = 0; i < CHECK_COUNT; i++) {
		const struct check_result *c = &r->v[i];
		char *detail = xstrdup(c->detail ? c->detail : "");
		util_strip_controls(detail);
		printf("[%s] %s\n       %s\n", mark(c->status), c->title, detail);
		if (c->remedy != NULL && (c->status == CHECK_FAIL || c->status == CHECK_WARN))
			printf("       What to do: %s\n", c->remedy);
		free(detail);
	}
	printf("\n%s\n", r->ok ? "All checks passed." :
	    "Some checks failed: fix them as described, then run 'bobsync check' again.");
}

int
cmd_check(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct check_report rep;
	struct out_progress prog;
	struct bs_progress pcb = { out_progress_cb, &prog };
	struct shape_recorder *rec = NULL;
	const char *record = NULL;
	int status;

	if (argc > 1)
		return app_usage(a, "check", "unexpected argument '%s'", argv[1]);
	record = a->opt[APP_OPT_RECORD];
	if (app_ctx_open(a, APP_NEED_VAULT, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	if (record != NULL) {
		/* the shape of every answer, never a value (shape.h) */
		rec = shape_recorder_new();
		shape_recorder_add_base(rec, "hibob", conf_get(a->conf, "hibob.base_url"));
		shape_recorder_add_base(rec, "assembled", conf_get(a->conf, "assembled.base_url"));
		shape_recorder_add_base(rec, "alleo", conf_get(a->conf, "alleo.scim_url"));
		shape_recorder_add_base(rec, "alleo.token", conf_get(a->conf, "alleo.token_url"));
		shape_recorder_attach(rec, ctx.s.http);
	}
	out_progress_init(&prog, a);
	check_run_all(&ctx.s, &pcb, &rep);
	out_progress_done(&prog);
	if (a->json)
		out_json(check_report_to_json(&rep));
	else
		print_human(&rep);
	status = check_report_exit_code(&rep);
	if (rec != NULL) {
		/* after the report, so a bad file name does not hide the results */
		shape_recorder_attach(NULL, ctx.s.http);
		if (shape_recorder_write(rec, record, &err) != BS_OK) {
			int st = app_error(a, &err);
			if (status == 0)
				status = st;
		} else if (!a->json) {
			printf("The shape of every answer (no values) is in %s.\n", record);
		}
		shape_recorder_free(&rec);
	}
	check_report_clear(&rep);
	app_ctx_close(&ctx);
	return status;
}
