/* cmd_core.c - the sync core from the command line: bobsync enable
 * systemd|cron|background, disable, pause and resume (core/admin/service.c
 * does the work, as for the console). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "commands.h"
#include "admin/service.h"
#include "base/humantime.h"
#include "store/store.h"
#include "base/util.h"

static void
say_line(void *ctx, const char *line)
{
	FILE *f = ctx;

	fprintf(f, "%s\n", line);
}

int
cmd_enable(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct core_opts o = { say_line, stdout, NULL, 0, NULL, 0 };
	const char *mode = NULL;
	long long pid = 0;
	bs_rc rc;

	if (argc > 2)
		return app_usage(a, "enable", "unexpected argument '%s'", argv[2]);
	if (argc == 2)
		mode = argv[1];
	o.dry_run = a->opt[APP_OPT_DRY_RUN] != NULL;
	o.root = a->opt[APP_OPT_ROOT];
	if (mode == NULL || !(str_eq(mode, "systemd") || str_eq(mode, "cron") ||
	    str_eq(mode, "background")))
		return app_usage(a, "enable", "enable how? systemd, cron or background");
	if (o.root != NULL && !str_eq(mode, "systemd"))
		return app_usage(a, "enable", "--root is for systemd only");
	if (o.root != NULL && o.root[0] != '/')
		return app_usage(a, "enable", "--root needs an absolute folder");
	if (app_ctx_open(a, APP_NEED_STORE, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	if (str_eq(mode, "systemd"))
		rc = core_enable_systemd(&a->paths, ctx.store, &o, &err);
	else if (str_eq(mode, "cron"))
		rc = core_enable_cron(&a->paths, ctx.store, &o, &err);
	else
		rc = core_enable_background(&a->paths, ctx.store, &o, &pid, &err);
	app_ctx_close(&ctx);
	if (rc != BS_OK)
		return app_error(a, &err);
	return 0;
}

int
cmd_disable(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct core_opts o = { say_line, stdout, NULL, 0, NULL, 0 };
	bs_rc rc;

	if (argc > 1)
		return app_usage(a, "disable", "unexpected argument '%s'", argv[1]);
	o.dry_run = a->opt[APP_OPT_DRY_RUN] != NULL;
	if (app_ctx_open(a, APP_NEED_STORE, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	rc = core_disable(&a->paths, ctx.store, &o, &err);
	app_ctx_close(&ctx);
	return rc != BS_OK ? app_error(a, &err) : 0;
}

/* bobsync pause [roster|timeoff|all] [--for 2h]; bobsync resume [...] */
int
cmd_pause(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct store *other = NULL, *st;
	int resume = strcmp(argv[0], "resume") == 0;
	const char *what = NULL;
	long long secs = 0;
	int64_t now = clock_now();
	char who[64], until[48];
	bs_rc rc;

	if (argc > 2)
		return app_usage(a, argv[0], "unexpected argument '%s'", argv[2]);
	if (argc == 2)
		what = argv[1];
	if (a->opt[APP_OPT_FOR] != NULL &&
	    (secs = core_parse_duration(a->opt[APP_OPT_FOR])) <= 0)
		return app_usage(a, "pause", "--for wants a duration such as 30m, 2h or 1d, not '%s'",
		    a->opt[APP_OPT_FOR]);
	if (what == NULL)
		what = "all";
	if (!str_eq(what, "roster") && !str_eq(what, "timeoff") && !str_eq(what, "all"))
		return app_usage(a, argv[0], "%s what? roster, timeoff or all", argv[0]);
	if (app_ctx_open(a, APP_NEED_STORE, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	/* in the store the core reads (the system service's own) */
	st = core_store(ctx.store, a->paths.state_db, &other);
	if (resume)
		rc = core_resume(st, what, &err);
	else
		rc = core_pause(st, what, core_who(who, sizeof who), now, secs > 0 ? now + secs : 0,
		    &err);
	store_close(&other);
	app_ctx_close(&ctx);
	if (rc != BS_OK)
		return app_error(a, &err);
	if (resume)
		printf("Resumed %s: the sync core runs it again at its next tick.\n",
		    str_eq(what, "all") ? "every sync" : what);
	else
		printf("Paused %s %s%s: the sync core skips it from its next tick; 'bobsync resume "
		    "%s' undoes it.\n", str_eq(what, "all") ? "every sync" : what,
		    secs > 0 ? "until " : "until resumed",
		    secs > 0 ? human_time(until, sizeof until, (time_t)(now + secs), (time_t)now) :
		    "", what);
	return 0;
}
