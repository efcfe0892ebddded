/* screen_sync.c - sync now: the plan first (a dry run, read in a worker
 * thread), the confirmation, then the run under the lock with a progress
 * bar and live counts; Esc stops at the next safe point.  A plan blocked
 * by the guard shows what it removes, and applying it approves exactly
 * that plan (as 'bobsync sync ... --approve ID' does).  In the setup
 * (step 8) the enabled syncs run one after the other, then the admin picks
 * how the sync core runs (in the background now, cron, a system service, or
 * not yet), the console does it and shows what it did. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "console.h"
#include "admin/jobs.h"
#include "base/lock.h"
#include "base/paths.h"
#include "engine/describe.h"
#include "engine/plan.h"
#include "engine/roster.h"
#include "engine/session.h"
#include "store/store.h"
#include "task.h"
#include "engine/timeoff_sync.h"
#include "tui.h"
#include "base/util.h"
#include "widget_list.h"
#include "widget_progress.h"

enum state { S_PLANNING, S_PLAN, S_APPLYING, S_DONE, S_FINISHED };
enum { ACT_APPLY = 1, ACT_VIEW, ACT_STOP, ACT_NEXT, ACT_DASH };

static const struct tui_action plan_actions[] = {
	{ ACT_APPLY, "Apply", UK_ENTER, "apply this plan now (asks first)", 0 },
	{ ACT_VIEW, "Removals/all", 'v', "show only what the plan removes, or every action", 0 },
	{ 0, NULL, '/', "filter the actions by text (name, email, reason)", TUI_ACT_NOBAR },
	{ 0, NULL, 's', "sort by the next column", TUI_ACT_NOBAR },
	{ 0, NULL, 'd', "show or hide the detail (before and after) of the action", TUI_ACT_NOBAR },
};

static const struct tui_action running_actions[] = {
	{ ACT_STOP, "Stop", UK_ESC, "stop at the next safe point (between two actions)", 0 },
};

static const struct tui_action done_actions[] = {
	{ ACT_NEXT, "Next", UK_ENTER, "go on", 0 },
};

static const struct tui_action finished_actions[] = {
	{ ACT_DASH, "Enable", UK_ENTER, "choose how the sync core runs, then open the dashboard",
	  0 },
};

static const struct tui_action enabled_actions[] = {
	{ ACT_DASH, "Dashboard", UK_ENTER, "finish the setup and open the dashboard", 0 },
};

static const struct wlist_column cols[] = {
	{ "ACTION", 10, 0, 0 },
	{ "WHO", 16, 2, 0 },
	{ "WHY", 16, 3, 0 },
};

struct sync_screen {
	struct dash_env *e;
	enum sync_mode mode;
	int step;		/* SYNC_SETUP: the wizard's step and its "on done" */
	wizard_done_fn *done;
	unsigned jobs;		/* still to do, 1 << JOB_* */
	enum job_kind k;	/* the one being worked on */
	enum state st;
	struct tui_screen *s;
	struct task_snapshot snap;	/* the job's progress at the last tick */
	struct plan plan;
	int have_plan;
	size_t *rows;		/* plan actions shown (all, or the removals) */
	size_t nrows, nremovals;
	int only_removals;
	struct wlist list;
	struct sync_result res;
	bs_rc rc;
	struct bs_error err;
	char result[JOB_COUNT][256];	/* one line per job run */
	int enable_rc;		/* step 8: -1 not asked yet, else console_core_enable's */
	char enabled[2048];	/* what enabling did */
	int width;		/* of the last draw, for wrapping the detail */
	char cell[512], detail[2048], text[2048];
};

static const char *
job_title(enum job_kind k)
{
	return k == JOB_ROSTER ? "Roster plan" : k == JOB_RECONCILE ?
	    "Time-off plan (full comparison of the window)" : "Time-off plan";
}

static const char *
target_name(enum job_kind k)
{
	return k == JOB_ROSTER ? "Alleo" : "Assembled";
}

/* ---- the work, on the worker thread ---- */

static bs_rc
plan_fn(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct sync_screen *y = arg;

	/* through the core path every entry point takes: a plan that cannot
	 * be made, or one the guard blocks, is recorded (status, log, a) */
	return job_plan(y->e->s, y->k, "console", y->k == JOB_RECONCILE, p, &y->plan, err);
}

static bs_rc
apply_fn(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct sync_screen *y = arg;
	struct sync_opts o = { 0 };
	int fd = -1;
	bs_rc rc;

	o.progress = p;
	o.origin = "console";
	o.approve = y->plan.guard.tripped ? y->plan.id : NULL;
	/* the same lock as every run: never beside the daemon or a CLI sync */
	if ((rc = lock_acquire(y->e->paths->lock_file, &fd, err)) != BS_OK) {
		job_record_not_run(y->e->s, y->k, "console", rc, err);
		return rc;
	}
	rc = job_run(y->e->s, y->k, &o, &y->res, err);
	lock_release(&fd);
	return rc;
}

/* ---- the plan list ---- */

static const char *
cell(void *ctx, size_t row, int col)
{
	struct sync_screen *y = ctx;
	const struct plan_action *a = &y->plan.v[y->rows[row]];

	switch (col) {
	case 0: return plan_op_name(a->op);
	case 1: return a->name ? a->name : a->email ? a->email : a->subject;
	default: return a->reason;
	}
}

static const char *
detail(void *ctx, size_t row)
{
	struct sync_screen *y = ctx;
	const struct plan_action *a = &y->plan.v[y->rows[row]];
	/* the before/after in words (engine/describe.c), not JSON */
	char *changes = describe_action(y->plan.target, plan_op_name(a->op), a->before, a->after,
	    clock_now());

	snprintf(y->text, sizeof y->text, "%s %s%s%s\n%s\nChanges: %s", plan_op_name(a->op),
	    a->name ? a->name : a->subject, a->email ? ", " : "", a->email ? a->email : "",
	    a->reason ? a->reason : "", *changes ? changes : "none");
	free(changes);
	return text_wrap_join(y->text, y->width, y->detail, sizeof y->detail);
}

static void
show_rows(struct sync_screen *y)
{
	y->nrows = 0;
	for (size_t i = 0; i < y->plan.n; i++)
		if (!y->only_removals || plan_op_is_removal(y->plan.v[i].op))
			y->rows[y->nrows++] = i;
	wlist_set_rows(&y->list, y->nrows);
}

/* ---- steps ---- */

static void
start_task(struct tui *ui, struct sync_screen *y, task_fn fn, enum state st)
{
	memset(&y->snap, 0, sizeof y->snap);
	memset(&y->err, 0, sizeof y->err);
	if (tui_job_start(ui, y->s, job_title(y->k), fn, y, 0) != 0) {
		bs_fail(&y->err, BS_ERR_IO, "cannot start a worker thread");
		snprintf(y->result[y->k], sizeof y->result[y->k], "%s: %s", job_name(y->k),
		    bs_error_text(&y->err));
		y->st = S_DONE;
		return;
	}
	y->st = st;
}

/* The next job of the mask, or the end. */
static void
next_job(struct tui *ui, struct sync_screen *y)
{
	if (y->have_plan) {
		plan_clear(&y->plan);
		y->have_plan = 0;
	}
	free(y->rows);
	y->rows = NULL;
	wlist_set_rows(&y->list, 0);
	for (int k = 0; k < JOB_COUNT; k++) {
		if (!(y->jobs & (1u << k)))
			continue;
		y->jobs &= ~(1u << k);
		y->k = (enum job_kind)k;
		plan_init(&y->plan, "");
		y->have_plan = 1;
		tui_say(ui, ROLE_DIM, " Reading what the %s sync would do (nothing is changed yet)...",
		    k == JOB_ROSTER ? "roster" : "time-off");
		start_task(ui, y, plan_fn, S_PLANNING);
		return;
	}
	y->st = S_FINISHED;
	if (y->mode == SYNC_SETUP)
		tui_say(ui, ROLE_OK, " Setup is done. Enter: choose how the sync core keeps running.");
}

static void
planned(struct tui *ui, struct sync_screen *y, bs_rc rc)
{
	if (rc != BS_OK) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&y->err));
		snprintf(y->result[y->k], sizeof y->result[y->k], "%s: not run: %s",
		    job_name(y->k), bs_error_text(&y->err));
		y->st = S_DONE;
		return;
	}
	y->rows = xcalloc(y->plan.n + 1, sizeof *y->rows);
	y->nremovals = 0;
	for (size_t i = 0; i < y->plan.n; i++)
		y->nremovals += plan_op_is_removal(y->plan.v[i].op) != 0;
	y->only_removals = y->plan.guard.tripped && y->nremovals > 0;
	show_rows(y);
	y->st = S_PLAN;
	if (y->plan.n == 0) {
		/* Still a run: it is recorded (status, log) and moves the
		 * time-off changes cursor on, as 'bobsync sync' does. */
		memset(&y->res, 0, sizeof y->res);
		tui_say(ui, ROLE_DIM, " Nothing to change: %s already matches HiBob; recording the "
		    "run...", target_name(y->k));
		start_task(ui, y, apply_fn, S_APPLYING);
	} else if (y->plan.guard.tripped)
		tui_say(ui, ROLE_WARN, " BLOCKED by the guard: read what it removes, then Enter "
		    "approves and applies this plan.");
	else
		tui_say(ui, ROLE_DIM, " This is the plan; nothing is changed until you press Enter "
		    "and confirm.");
}

static void
applied(struct tui *ui, struct sync_screen *y, bs_rc rc)
{
	char run[32] = "";

	/* a run that was never recorded has no number: no "run 0" */
	if (y->res.run_id > 0)
		snprintf(run, sizeof run, " run %lld", (long long)y->res.run_id);
	if (rc == BS_OK && y->res.applied + y->res.failed + y->res.skipped == 0)
		snprintf(y->result[y->k], sizeof y->result[y->k], "%s:%s: nothing to change, "
		    "%s already matches HiBob.", job_name(y->k), run, target_name(y->k));
	else if (rc == BS_OK)
		snprintf(y->result[y->k], sizeof y->result[y->k], "%s:%s: %ld applied, "
		    "%ld failed, %ld skipped.", job_name(y->k), run,
		    y->res.applied, y->res.failed, y->res.skipped);
	else
		snprintf(y->result[y->k], sizeof y->result[y->k], "%s:%s %s: %s",
		    job_name(y->k), run, y->res.result[0] ? y->res.result :
		    "failed", bs_error_text(&y->err));
	tui_say(ui, rc == BS_OK && y->res.failed == 0 ? ROLE_OK : ROLE_ERROR, " %s",
	    y->result[y->k]);
	y->st = S_DONE;
	if (rc == BS_OK && y->mode == SYNC_SETUP && y->jobs == 0)
		next_job(ui, y);	/* the last one: the end of the setup */
}

static int
apply(struct tui *ui, struct sync_screen *y)
{
	char q[512], text[640];

	if (y->plan.guard.tripped)
		snprintf(q, sizeof q, "This plan is BLOCKED by the guard: it removes %zu of %ld "
		    "(%s). Approve plan %.8s and apply its %zu action%s to %s now?", y->nremovals,
		    y->plan.guard.base, y->plan.guard.reason, y->plan.id, y->plan.n,
		    y->plan.n == 1 ? "" : "s", target_name(y->k));
	else
		snprintf(q, sizeof q, "Apply these %zu action%s to %s now?", y->plan.n,
		    y->plan.n == 1 ? "" : "s", target_name(y->k));
	if (!tui_confirm(ui, y->plan.guard.tripped ? "Approve the blocked plan" : "Apply the plan",
	    text_wrap_join(q, 54, text, sizeof text), 1)) {
		tui_say(ui, ROLE_DIM, " Nothing applied.");
		return TUI_HANDLED;
	}
	memset(&y->res, 0, sizeof y->res);
	tui_say(ui, ROLE_DIM, " Applying... Esc stops at the next safe point.");
	start_task(ui, y, apply_fn, S_APPLYING);
	return TUI_HANDLED;
}

/* ---- the screen ---- */

static int
sync_open(struct tui *ui, struct tui_screen *s)
{
	struct sync_screen *y = s->data;

	y->s = s;
	wlist_init(&y->list, cols, 3, cell, y);
	y->list.detail = detail;
	y->list.show_detail = 1;
	next_job(ui, y);
	return 0;
}

static void
sync_close(struct tui *ui, struct tui_screen *s)
{
	struct sync_screen *y = s->data;

	(void)ui;
	if (y->have_plan)
		plan_clear(&y->plan);
	free(y->rows);
	wlist_release(&y->list);
	free(y);
}

static const struct tui_action *
sync_actions(struct tui_screen *s, size_t *n)
{
	struct sync_screen *y = s->data;

	switch (y->st) {
	case S_PLANNING:
	case S_APPLYING:
		*n = ARRAY_LEN(running_actions);
		return running_actions;
	case S_PLAN:
		*n = ARRAY_LEN(plan_actions);
		return plan_actions;
	case S_DONE:
		*n = y->jobs || y->mode == SYNC_SETUP ? ARRAY_LEN(done_actions) : 0;
		return done_actions;
	default:
		if (y->mode == SYNC_SETUP && y->enable_rc >= 0) {
			*n = ARRAY_LEN(enabled_actions);
			return enabled_actions;
		}
		*n = y->mode == SYNC_SETUP ? ARRAY_LEN(finished_actions) : 0;
		return finished_actions;
	}
}

static int
sync_typing(struct tui_screen *s)
{
	return ((struct sync_screen *)s->data)->list.typing;
}

static int
put_lines(int y, int x, int w, int bottom, const char *s, enum term_role role)
{
	size_t st[16], len[16], n = text_wrap(s, w, st, len, 16);
	char line[1024];

	for (size_t i = 0; i < n && y < bottom; i++, y++) {
		snprintf(line, sizeof line, "%.*s", (int)len[i], s + st[i]);
		text_put(y, x, line, w, role);
	}
	return y;
}

static void
draw_progress(struct tui *ui, struct sync_screen *y, int top, int x, int w)
{
	const char *phase = y->snap.phase[0] ? y->snap.phase :
	    y->st == S_PLANNING ? "Reading" : "Applying";

	wprog_draw(top, x + 2, w - 4, phase, y->snap.done, y->snap.total, y->snap.applied,
	    y->snap.failed, y->snap.skipped, y->snap.item[0] ? y->snap.item : NULL,
	    tui_frame_count(ui));
	if (y->snap.cancelling)
		text_put(top + 3, x + 2, "Stopping at the next safe point...", w - 4, ROLE_WARN);
}

static void
draw_finished(struct sync_screen *y, int top, int x, int h, int w, int final)
{
	int row = top + 1, bottom = top + h;

	if (final && y->mode == SYNC_SETUP) {
		text_put(row, x + 2, "Setup is done. The first sync:", w - 4, ROLE_OK);
		row += 2;
	}
	for (int k = 0; k < JOB_COUNT; k++)
		if (y->result[k][0])
			row = put_lines(row, x + 4, w - 6, bottom, y->result[k], ROLE_NORMAL);
	if (!final || y->mode != SYNC_SETUP)
		return;
	row++;
	if (y->enable_rc < 0) {
		text_put(row++, x + 2, "Last: enable the sync core. Nothing syncs on its own until "
		    "it is enabled.", w - 4, ROLE_KEY);
		row = put_lines(row, x + 2, w - 4, bottom, "Enter chooses how: in the background now "
		    "(a trial), with cron (every 5 minutes), as a system service (systemd, as root), "
		    "or not yet.", ROLE_NORMAL);
		return;
	}
	text_put(row++, x + 2, y->enable_rc == 1 ? "Sync core: enabled" : y->enable_rc == 0 ?
	    "Sync core: not running (not enabled yet)" : "Sync core: NOT enabled", w - 4,
	    y->enable_rc == 1 ? ROLE_OK : y->enable_rc == 0 ? ROLE_WARN : ROLE_ERROR);
	{
		const char *p = y->enabled;
		while (*p && row < bottom) {
			size_t l = strcspn(p, "\n");
			char line[1024];
			snprintf(line, sizeof line, "%.*s", (int)l, p);
			row = put_lines(row, x + 4, w - 6, bottom, line, ROLE_NORMAL);
			p += l + (p[l] == '\n');
		}
	}
	if (row < bottom)
		text_put(row++, x + 2, "Enter opens the dashboard.", w - 4, ROLE_DIM);
}

static void
sync_draw(struct tui *ui, struct tui_screen *s, int top, int x, int h, int w)
{
	struct sync_screen *y = s->data;
	char line[512];
	int row = top;

	y->width = w - 2;
	if (y->st == S_FINISHED) {
		draw_finished(y, top, x, h, w, 1);
		return;
	}
	snprintf(line, sizeof line, "%s%s", job_title(y->k),
	    y->st == S_PLANNING ? ": reading (nothing is changed)" : "");
	text_put(row++, x + 1, line, w - 2, ROLE_KEY);
	if (y->st == S_PLANNING) {
		draw_progress(ui, y, row + 1, x, w);
		return;
	}
	if (y->st == S_APPLYING || (y->st == S_DONE && y->rows != NULL && y->plan.n > 0)) {
		snprintf(line, sizeof line, "Plan %.8s: %zu action%s to %s", y->plan.id, y->plan.n,
		    y->plan.n == 1 ? "" : "s", target_name(y->k));
		text_put(row++, x + 1, line, w - 2, ROLE_NORMAL);
		if (y->st == S_APPLYING)
			draw_progress(ui, y, row + 1, x, w);
		else
			draw_finished(y, row + 1, x, h - 2, w, 0);
		return;
	}
	if (y->st == S_DONE) {
		draw_finished(y, row, x, h - 1, w, 0);
		return;
	}
	snprintf(line, sizeof line, "Plan %.8s: %zu action%s (%zu remov%s), %zu on hold (no "
	    "change); %zu shown", y->plan.id, y->plan.n, y->plan.n == 1 ? "" : "s", y->nremovals,
	    y->nremovals == 1 ? "al" : "als", y->plan.nheld, y->nrows);
	text_put(row++, x + 1, line, w - 2, ROLE_NORMAL);
	if (y->plan.guard.tripped) {
		snprintf(line, sizeof line, "BLOCKED by the guard: %s. %s", y->plan.guard.reason,
		    y->only_removals ? "Below: what it removes (v shows every action)." :
		    "v shows only what it removes.");
		row = put_lines(row, x + 1, w - 2, row + 2, line, ROLE_WARN);
	}
	wlist_draw(&y->list, row, x, top + h - row, w);
}

static int
sync_tick(struct tui *ui, struct tui_screen *s)
{
	struct sync_screen *y = s->data;

	(void)ui;
	if (!tui_job_running(s))
		return 0;
	tui_job_progress(s, &y->snap);
	return TUI_REDRAW;
}

static int
sync_job_done(struct tui *ui, struct tui_screen *s, bs_rc rc, const struct bs_error *err)
{
	struct sync_screen *y = s->data;

	y->err = *err;
	y->rc = rc;
	if (y->st == S_PLANNING)
		planned(ui, y, rc);
	else
		applied(ui, y, rc);
	return TUI_REDRAW;
}

static int
sync_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct sync_screen *y = s->data;

	switch (y->st) {
	case S_PLANNING:
	case S_APPLYING:
		if (action == ACT_STOP || key == 'q') {
			tui_job_cancel(s);
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;
	case S_PLAN:
		if (y->list.typing) {
			wlist_key(&y->list, key);
			return TUI_HANDLED;
		}
		if (action == ACT_APPLY)
			return apply(ui, y);
		if (action == ACT_VIEW) {
			y->only_removals = !y->only_removals;
			show_rows(y);
			return TUI_HANDLED;
		}
		if (key == UK_ESC && y->list.filter[0]) {
			wlist_set_filter(&y->list, "");
			return TUI_HANDLED;
		}
		if (key == UK_ESC || key == 'q') {
			tui_say(ui, ROLE_DIM, " Nothing applied.");
			return TUI_UNHANDLED;
		}
		return wlist_key(&y->list, key) != WLIST_UNHANDLED ? TUI_HANDLED : TUI_UNHANDLED;
	case S_DONE:
		if (action == ACT_NEXT) {
			next_job(ui, y);
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;
	default:
		if (action == ACT_DASH && y->mode == SYNC_SETUP && y->enable_rc < 0) {
			int rc = console_core_enable(ui, y->e, y->enabled, sizeof y->enabled);
			if (rc >= 0)
				y->enable_rc = rc;
			return TUI_HANDLED;
		}
		if (action == ACT_DASH) {
			if (y->done != NULL)
				y->done(ui, y->e, y->step);	/* the wizard's finish */
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;
	}
}

static const struct tui_screen_ops sync_ops = {
	.name = "sync",
	.open = sync_open,
	.draw = sync_draw,
	.handle_key = sync_key,
	.close = sync_close,
	.actions = sync_actions,
	.tick = sync_tick,
	.typing = sync_typing,
	.job_done = sync_job_done,
};

static int
push(struct tui *ui, struct dash_env *e, enum sync_mode mode, unsigned jobs,
    const char *crumbs, int step, wizard_done_fn *done)
{
	struct sync_screen *y = xcalloc(1, sizeof *y);

	y->e = e;
	y->mode = mode;
	y->jobs = jobs;
	y->step = step;
	y->done = done;
	y->enable_rc = -1;
	if (tui_push(ui, &sync_ops, y, mode == SYNC_APPROVE ? "Approve a blocked plan" :
	    mode == SYNC_SETUP ? "Enable" : "Sync now", crumbs) != 0) {
		free(y);
		return -1;
	}
	return 0;
}

int
screen_sync_push(struct tui *ui, struct dash_env *e, enum sync_mode mode, unsigned jobs,
    const char *crumbs)
{
	return push(ui, e, mode, jobs, crumbs, 0, NULL);
}

int
screen_sync_step_push(struct tui *ui, struct dash_env *e, int step, unsigned jobs,
    const char *crumbs, wizard_done_fn *done)
{
	return push(ui, e, SYNC_SETUP, jobs, crumbs, step, done);
}
