/* cmd_sync.c - bobsync sync roster|timeoff|all, bobsync reconcile timeoff */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "config/conf.h"
#include "admin/jobs.h"
#include "base/log.h"
#include "net/http.h"
#include "output.h"
#include "plan_print.h"
#include "engine/roster.h"
#include "store/store.h"
#include "engine/timeoff_sync.h"
#include "base/util.h"

/* Ctrl-C or SIGTERM stops a run at its next safe point: between two
 * actions, or in a read or a wait that changes nothing (a write that is on
 * its way is let finish).  The run is recorded as interrupted, the lock
 * released, and the process then dies of the signal, as Unix tools do, so
 * that the shell or the scheduler sees it.  A second signal kills at once:
 * the journal lets the next run settle what that one left half-done. */
static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	if (stop_signal != 0) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_signal = sig;
}

/* Whether a signal asked for a stop; says so once, on a line of its own
 * (prog: the progress line). */
static int
stop_asked(struct out_progress *prog)
{
	static int told;

	if (stop_signal == 0)
		return 0;
	if (!told) {
		out_progress_done(prog);
		fprintf(stderr, "bobsync: %s: stopping at the next safe point (again to stop at "
		    "once)\n", stop_signal == SIGINT ? "interrupted" : "terminated");
		told = 1;
	}
	return 1;
}

/* The HTTP layer's hook: a read or a wait stops at once. */
static int
http_stop(void *ctx)
{
	return stop_asked(ctx);
}

/* The progress line, and the stop asked for by a signal. */
static int
sync_progress(void *ctx, const struct bs_progress_event *ev)
{
	if (stop_asked(ctx))
		return 1;
	return out_progress_cb(ctx, ev);
}

/* Exit status precedence when several syncs ran. */
static int
worse(int a, int b)
{
	static const int rank[] = { 0, 2, 1, 4, 5, 3, 6 };	/* by exit code 0..6 */
	if (a < 0 || a > 6)
		return a;
	if (b < 0 || b > 6)
		return b;
	return rank[b] > rank[a] ? b : a;
}

static int
roster_enabled(const struct app *a, int explicit_request, int *status)
{
	const char *mode = conf_get(a->conf, "alleo.mode");

	if (str_eq(mode, "scim") || str_eq(mode, "csv"))
		return 1;
	if (explicit_request) {
		if (str_eq(mode, "pull")) {
			fputs("bobsync: alleo.mode is pull: Alleo reads HiBob itself, so there is "
			    "nothing to send ('bobsync preview employees' shows who Alleo will see).\n",
			    stderr);
			*status = 0;
		} else {
			fputs("bobsync: Alleo delivery is off: set alleo.mode to scim or csv "
			    "('bobsync setup' walks you through it).\n", stderr);
			*status = 4;
		}
	}
	return 0;
}

static int
timeoff_enabled(const struct app *a, int explicit_request, int *status)
{
	if (conf_get_bool(a->conf, "assembled.enabled"))
		return 1;
	if (explicit_request) {
		fputs("bobsync: the Assembled time-off sync is off: "
		    "'bobsync config set assembled.enabled true' turns it on.\n", stderr);
		*status = 4;
	}
	return 0;
}

/* Human mode, some actions failed: say so on stderr with the first few
 * failures (who and why, secrets masked); the audit log has all of them.
 * A "sent" action (outcome unknown, resolved by the next run) counts too. */
static void
print_failures(struct app_ctx *ctx, const struct sync_result *r, const struct bs_error *err)
{
	enum { SHOWN = 3 };
	static const char *const states[] = { "failed", "sent" };
	char *msg = log_mask(bs_error_text(err));
	long shown = 0;

	fprintf(stderr, "bobsync: %s: %s\n", r->target, msg);
	free(msg);
	for (size_t k = 0; k < 2 && r->run_id > 0 && shown < SHOWN; k++) {
		struct store_action_filter f = { r->run_id, NULL, states[k], (size_t)(SHOWN - shown) };
		struct store_action *acts = NULL;
		size_t n = 0;
		if (store_actions_list(ctx->s.store, &f, &acts, &n, NULL) != BS_OK)
			break;
		for (size_t i = 0; i < n; i++, shown++) {
			const struct store_action *x = &acts[i];
			char *why = log_mask(x->error && *x->error ? x->error : "no reason recorded");
			if (str_eq(x->target, "assembled"))
				fprintf(stderr, "  %s request #%s%s%s: %s\n", x->op,
				    x->subject ? x->subject : "?", x->email ? " of " : "",
				    x->email ? x->email : "", why);
			else
				fprintf(stderr, "  %s %s: %s\n", x->op,
				    x->email ? x->email : x->subject ? x->subject : "?", why);
			free(why);
		}
		store_actions_free(acts, n);
	}
	if (r->failed > shown)
		fprintf(stderr, "  ... and %ld more\n", r->failed - shown);
}

/* prog: the progress line, cleared before anything else is printed so
 * the result starts on a line of its own */
static int
run_one(struct app *a, struct app_ctx *ctx, const char *target, const struct sync_opts *o,
    struct out_progress *prog, json_t *results)
{
	struct sync_result r;
	struct bs_error err = { 0 };
	bs_rc rc;

	memset(&r, 0, sizeof r);
	/* through the job runner, so a manual run updates status, clears a
	 * quarantine on success and alerts like the daemon does */
	if (strcmp(target, "roster") == 0)
		rc = job_run(&ctx->s, JOB_ROSTER, o, &r, &err);
	else
		rc = job_run(&ctx->s, o->kind && strcmp(o->kind, "reconcile") == 0 ? JOB_RECONCILE
		    : JOB_TIMEOFF, o, &r, &err);
	if (r.target[0] == '\0')
		snprintf(r.target, sizeof r.target, "%s", target);
	out_progress_done(prog);
	if (a->json) {
		json_t *j = sync_result_to_json(&r);
		if (rc != BS_OK && rc != BS_ERR_GUARD && rc != BS_ERR_PARTIAL)
			json_object_set_new(j, "error", json_string(bs_error_text(&err)));
		json_array_append_new(results, j);
	} else if (rc == BS_OK || rc == BS_ERR_GUARD || rc == BS_ERR_PARTIAL) {
		print_sync_result(stdout, &r);
	}
	if (rc == BS_OK)
		return 0;
	if (rc == BS_ERR_GUARD || rc == BS_ERR_PARTIAL) {
		if (a->json)
			fprintf(stderr, "bobsync: %s\n", bs_error_text(&err));
		else if (rc == BS_ERR_PARTIAL)
			print_failures(ctx, &r, &err);
		return bs_exit_code(rc);
	}
	return app_error(a, &err);
}

/* Another run holds the lock: the attempt is still in the log ("not
 * run", from the cli); the state stays with the run holding it. */
static void
record_locked(struct app *a, const char *what, int reconcile, const struct bs_error *why)
{
	struct app_ctx ctx;
	int dummy = 0;

	if (app_ctx_open(a, APP_NEED_STORE, &ctx, NULL) != BS_OK)
		return;
	if (reconcile)
		job_record_not_run(&ctx.s, JOB_RECONCILE, "cli", why->rc, why);
	else {
		if ((strcmp(what, "roster") == 0 || strcmp(what, "all") == 0) &&
		    roster_enabled(a, 0, &dummy))
			job_record_not_run(&ctx.s, JOB_ROSTER, "cli", why->rc, why);
		if ((strcmp(what, "timeoff") == 0 || strcmp(what, "all") == 0) &&
		    timeoff_enabled(a, 0, &dummy))
			job_record_not_run(&ctx.s, JOB_TIMEOFF, "cli", why->rc, why);
	}
	app_ctx_close(&ctx);
}

/* sync --dry-run in words: the actions it would apply, each with what it
 * changes */
static void
show_dry_plan(void *ctx, const struct plan *p)
{
	struct out_progress *prog = ctx;

	out_progress_done(prog);
	print_plan(stdout, p, out_term_width(), NULL);
	putchar('\n');
}

static int
sync_main(struct app *a, int argc, char **argv, int reconcile)
{
	const char *cmd = reconcile ? "reconcile" : "sync";
	struct sync_opts o = { 0 };
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct out_progress prog;
	struct bs_progress pcb = { sync_progress, &prog };
	struct sigaction sa, old_int, old_term;
	const char *what = NULL;
	json_t *results = NULL;
	int status = 0, st;

	if (argc > 2)
		return app_usage(a, cmd, "unexpected argument '%s'", argv[2]);
	if (argc == 2)
		what = argv[1];
	o.dry_run = a->opt[APP_OPT_DRY_RUN] != NULL;
	o.approve = a->opt[APP_OPT_APPROVE];
	if (reconcile) {
		if (what == NULL || strcmp(what, "timeoff") != 0)
			return app_usage(a, cmd, "only time off is reconciled: bobsync reconcile timeoff");
		o.kind = "reconcile";
	} else if (what == NULL || (strcmp(what, "roster") != 0 && strcmp(what, "timeoff") != 0 &&
	    strcmp(what, "all") != 0)) {
		return app_usage(a, cmd, "say what to sync: roster, timeoff or all");
	}
	if (o.approve != NULL && strcmp(what, "all") == 0)
		return app_usage(a, cmd, "--approve names one plan: use it with roster or timeoff");

	out_progress_init(&prog, a);
	o.progress = &pcb;
	if (o.dry_run && !a->json) {
		o.dry_plan = show_dry_plan;
		o.dry_ctx = &prog;
	}
	if (app_ctx_open(a, APP_NEED_VAULT | APP_NEED_STORE | (o.dry_run ? 0 : APP_NEED_LOCK),
	    &ctx, &err) != BS_OK) {
		if (err.rc == BS_ERR_LOCKED)
			record_locked(a, what, reconcile, &err);
		return app_error(a, &err);
	}
	if (a->json)
		results = json_array();

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;	/* no SA_RESTART: waits wake up */
	/* a signal ignored when bobsync started (a background job of a
	 * script, nohup) stays ignored */
	sigaction(SIGINT, NULL, &old_int);
	sigaction(SIGTERM, NULL, &old_term);
	if (old_int.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	if (old_term.sa_handler != SIG_IGN)
		sigaction(SIGTERM, &sa, NULL);
	http_set_thread_cancel(http_stop, &prog);
	if (strcmp(what, "roster") == 0 || strcmp(what, "all") == 0) {
		if (roster_enabled(a, strcmp(what, "roster") == 0, &status)) {
			st = run_one(a, &ctx, "roster", &o, &prog, results);
			out_progress_done(&prog);
			status = worse(status, st);
		} else if (a->json && strcmp(what, "roster") == 0 && status == 0) {
			/* alleo.mode pull: done, with nothing to send; a script
			 * still gets its object */
			struct sync_result r;
			memset(&r, 0, sizeof r);
			snprintf(r.target, sizeof r.target, "roster");
			snprintf(r.result, sizeof r.result, "off");
			snprintf(r.message, sizeof r.message, "alleo.mode is pull: Alleo reads HiBob "
			    "itself, nothing to send");
			r.dry_run = o.dry_run;
			json_array_append_new(results, sync_result_to_json(&r));
		}
	}
	if ((strcmp(what, "timeoff") == 0 || strcmp(what, "all") == 0) && stop_signal == 0) {
		if (timeoff_enabled(a, strcmp(what, "timeoff") == 0, &status)) {
			st = run_one(a, &ctx, "timeoff", &o, &prog, results);
			out_progress_done(&prog);
			status = worse(status, st);
		}
	}
	if (strcmp(what, "all") == 0 && !roster_enabled(a, 0, &status) && !timeoff_enabled(a, 0, &status))
		fputs("bobsync: nothing is enabled: set alleo.mode (scim or csv) or "
		    "assembled.enabled.\n", stderr);
	if (a->json) {
		if (strcmp(what, "all") == 0)
			out_json(results);
		else if (json_array_size(results) > 0)
			out_json(json_incref(json_array_get(results, 0))), json_decref(results);
		else
			json_decref(results);
	}
	app_ctx_close(&ctx);	/* the lock goes with it */
	http_set_thread_cancel(NULL, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (stop_signal != 0) {
		int sig = stop_signal;
		fflush(NULL);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return status;
}

int
cmd_sync(struct app *a, int argc, char **argv)
{
	return sync_main(a, argc, argv, 0);
}

int
cmd_reconcile(struct app *a, int argc, char **argv)
{
	return sync_main(a, argc, argv, 1);
}
