/* screen_checks.c - the setup checks, run live in a worker thread: a
 * spinner on the check being run, then pass/warn/fail with what was found
 * and the remedy of the check under the cursor.  r runs them again (after
 * fixing things in Bob).  In the setup (step 3) Enter goes on when no
 * check failed, once any warnings are acknowledged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/checks.h"
#include "dash.h"
#include "console.h"
#include "admin/jobs.h"
#include "task.h"
#include "tui.h"
#include "base/util.h"
#include "widget_list.h"
#include "widget_progress.h"

enum { ACT_NEXT = 1, ACT_RERUN, ACT_STOP };

static const struct tui_action setup_actions[] = {
	{ ACT_NEXT, "Next", UK_ENTER, "go on to the Alleo step (when no check failed)", 0 },
	{ ACT_RERUN, "Run again", 'r', "run every check again, after fixing things in Bob", 0 },
	{ 0, NULL, '/', "filter the checks by text", TUI_ACT_NOBAR },
	{ 0, NULL, UK_DOWN, "the next check; its remedy shows below (also j, Up/k)", TUI_ACT_NOBAR },
};

static const struct tui_action dash_actions[] = {
	{ ACT_RERUN, "Run again", 'r', "run every check again, after fixing things in Bob", 0 },
	{ 0, NULL, '/', "filter the checks by text", TUI_ACT_NOBAR },
	{ 0, NULL, UK_DOWN, "the next check; its remedy shows below (also j, Up/k)", TUI_ACT_NOBAR },
};

static const struct tui_action running_actions[] = {
	{ ACT_STOP, "Stop", UK_ESC, "stop the checks (the ones done so far are lost)", 0 },
};

static const struct wlist_column cols[] = {
	{ "", 5, 0, 0 },
	{ "CHECK", 30, 2, 0 },
	{ "WHAT WAS FOUND", 20, 3, 0 },
};

struct checks {
	struct dash_env *e;
	int step;		/* 3 in the setup, else 0 */
	wizard_done_fn *done;	/* in the setup: going on */
	struct tui_screen *s;
	struct task_snapshot snap;	/* the job's progress at the last tick */
	struct check_report rep;	/* written by the worker until it ends */
	int have;		/* rep holds a finished report */
	int acked;		/* warnings acknowledged */
	size_t was;		/* the check under the cursor when r ran them again */
	struct wlist list;
	int width;		/* of the last draw, for wrapping the detail */
	char cell[512], detail[2048], text[2048];
};

static bs_rc
run_checks(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct checks *c = arg;

	(void)err;
	check_run_all(c->e->s, p, &c->rep);
	return BS_OK;
}

static const char *
cell(void *ctx, size_t row, int col)
{
	struct checks *c = ctx;
	const struct check_result *r = &c->rep.v[row];

	switch (col) {
	case 0: return check_status_name(r->status);
	case 1: return r->title ? r->title : r->id;
	default: return r->detail;
	}
}

static const char *
detail(void *ctx, size_t row)
{
	struct checks *c = ctx;
	const struct check_result *r = &c->rep.v[row];

	snprintf(c->text, sizeof c->text, "%s: %s\n%s%s", r->title ? r->title : r->id,
	    r->detail ? r->detail : "", r->remedy ? "What to do: " : "",
	    r->remedy ? r->remedy : "");
	return text_wrap_join(c->text, c->width, c->detail, sizeof c->detail);
}

static int
count(const struct checks *c, enum check_status st)
{
	int n = 0;

	for (int i = 0; i < CHECK_COUNT; i++)
		n += c->rep.v[i].status == st;
	return n;
}

static void
start(struct tui *ui, struct checks *c)
{
	if (c->have)
		check_report_clear(&c->rep);
	memset(&c->rep, 0, sizeof c->rep);
	memset(&c->snap, 0, sizeof c->snap);
	c->have = 0;
	c->acked = 0;
	c->was = wlist_current(&c->list);
	wlist_set_rows(&c->list, 0);
	if (tui_job_start(ui, c->s, "Running the checks", run_checks, c, 0) == 0)
		tui_say(ui, ROLE_DIM, " Running the checks against the live services... Esc stops.");
}

/* A quarantined sync whose checks pass now: offer to resume it, and do
 * so on confirmation (a passing check alone lifts nothing). */
static void
offer_resume(struct tui *ui, struct checks *c)
{
	struct job_state st;
	struct bs_error err = { 0 };
	unsigned mask = 0;
	char names[128] = "", q[512], text[640];
	int n = 0;

	if (c->e->store == NULL)
		return;
	for (int k = 0; k < JOB_COUNT; k++) {
		if (!job_enabled(c->e->conf, (enum job_kind)k) ||
		    job_state_load(c->e->store, (enum job_kind)k, &st, NULL) != BS_OK ||
		    st.quarantine[0] == '\0' ||
		    !job_checks_clear(c->e->conf, (enum job_kind)k, &c->rep))
			continue;
		mask |= 1u << k;
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
		    n++ ? ", " : "", job_name((enum job_kind)k));
	}
	if (mask == 0)
		return;
	snprintf(q, sizeof q, "The checks that quarantined %s pass now. Resume %s? The daemon "
	    "then runs %s at once (s here runs %s now).", names, n == 1 ? "it" : "them",
	    n == 1 ? "it" : "them", n == 1 ? "it" : "them");
	if (!tui_confirm(ui, "Resume the quarantined sync", text_wrap_join(q, 54, text,
	    sizeof text), 0)) {
		tui_say(ui, ROLE_WARN, " Still quarantined: %s (retried hourly, or c again).", names);
		return;
	}
	for (int k = 0; k < JOB_COUNT; k++)
		if ((mask & 1u << k) && job_resume(c->e->store, (enum job_kind)k,
		    "the checks pass again", &err) != BS_OK) {
			tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
			return;
		}
	tui_say(ui, ROLE_OK, " Quarantine lifted, resumed: %s.", names);
}

static void
finished(struct tui *ui, struct checks *c, bs_rc rc)
{
	int fails, warns;

	if (rc != BS_OK || c->snap.cancelling) {
		check_report_clear(&c->rep);
		tui_say(ui, ROLE_WARN, " The checks were stopped; r runs them again.");
		return;
	}
	c->have = 1;
	wlist_set_rows(&c->list, CHECK_COUNT);
	/* the detail stays on the check read before r (the one that failed) */
	for (size_t p = 0; c->was != (size_t)-1 && p < c->list.nvis; p++)
		if (c->list.vis[p] == c->was)
			c->list.cur = p;
	fails = count(c, CHECK_FAIL);
	warns = count(c, CHECK_WARN);
	if (fails)
		tui_say(ui, ROLE_ERROR, " %d check%s failed: read the remedy below each, fix it in Bob, "
		    "then r.", fails, fails == 1 ? "" : "s");
	else if (warns)
		tui_say(ui, ROLE_WARN, " No check failed; %d warning%s: read %s below.%s", warns,
		    warns == 1 ? "" : "s", warns == 1 ? "it" : "them",
		    c->step ? " Enter goes on." : "");
	else
		tui_say(ui, ROLE_OK, " Every check passed.%s", c->step ? " Enter goes on." : "");
	if (!c->step)
		offer_resume(ui, c);
}

static int
checks_open(struct tui *ui, struct tui_screen *s)
{
	struct checks *c = s->data;

	c->s = s;
	wlist_init(&c->list, cols, 3, cell, c);
	c->list.detail = detail;
	c->list.show_detail = 1;
	start(ui, c);
	return 0;
}

static void
checks_close(struct tui *ui, struct tui_screen *s)
{
	struct checks *c = s->data;

	(void)ui;
	if (c->have)
		check_report_clear(&c->rep);
	wlist_release(&c->list);
	free(c);
}

static const struct tui_action *
checks_actions(struct tui_screen *s, size_t *n)
{
	struct checks *c = s->data;

	if (tui_job_running(s)) {
		*n = ARRAY_LEN(running_actions);
		return running_actions;
	}
	if (c->step) {
		*n = ARRAY_LEN(setup_actions);
		return setup_actions;
	}
	*n = ARRAY_LEN(dash_actions);
	return dash_actions;
}

static int
checks_typing(struct tui_screen *s)
{
	return ((struct checks *)s->data)->list.typing;
}

static void
draw_running(struct tui *ui, struct checks *c, int y, int x, int h, int w)
{
	char line[512];
	unsigned frame = tui_frame_count(ui);

	text_put(y + 1, x + 2, "Running the checks against the live services:", w - 4, ROLE_NORMAL);
	for (int i = 0; i < CHECK_COUNT && 3 + i < h - 2; i++) {
		const char *mark;
		if ((size_t)i < c->snap.done)
			mark = "done";
		else if ((size_t)i == c->snap.done)
			mark = wprog_spinner(frame, 1);
		else
			mark = "";
		snprintf(line, sizeof line, "%-6s %s", mark, check_title((enum check_id)i));
		text_put(y + 3 + i, x + 4, line, w - 6, (size_t)i == c->snap.done ? ROLE_KEY :
		    ROLE_NORMAL);
	}
	if (c->snap.cancelling)
		text_put(y + h - 1, x + 2, "Stopping after the check being run...", w - 4, ROLE_WARN);
}

static void
checks_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct checks *c = s->data;
	char line[256];

	c->width = w - 2;
	if (tui_job_running(s)) {
		draw_running(ui, c, y, x, h, w);
		return;
	}
	if (!c->have) {
		text_put(y + 1, x + 2, "The checks did not run. r runs them.", w - 4, ROLE_DIM);
		return;
	}
	snprintf(line, sizeof line, "%d passed, %d warning%s, %d failed, %d skipped",
	    count(c, CHECK_PASS), count(c, CHECK_WARN), count(c, CHECK_WARN) == 1 ? "" : "s",
	    count(c, CHECK_FAIL), count(c, CHECK_SKIP));
	text_put(y, x + 1, line, w - 2, count(c, CHECK_FAIL) ? ROLE_ERROR : ROLE_OK);
	if (c->step && count(c, CHECK_FAIL))
		text_put(y + 1, x + 1, "Until they pass the setup cannot go on: r runs them again, Esc "
		    "goes back.", w - 2, ROLE_ERROR);
	wlist_draw(&c->list, y + 2, x, h - 2, w);
}

static int
checks_tick(struct tui *ui, struct tui_screen *s)
{
	struct checks *c = s->data;

	(void)ui;
	if (!tui_job_running(s))
		return 0;
	tui_job_progress(s, &c->snap);
	return TUI_REDRAW;
}

static int
checks_job_done(struct tui *ui, struct tui_screen *s, bs_rc rc, const struct bs_error *err)
{
	(void)err;
	finished(ui, s->data, rc);
	return TUI_REDRAW;
}

static int
next(struct tui *ui, struct checks *c)
{
	int fails = count(c, CHECK_FAIL), warns = count(c, CHECK_WARN);
	char q[160];

	if (!c->have) {
		tui_say(ui, ROLE_WARN, " Run the checks first (r).");
		return TUI_HANDLED;
	}
	if (fails) {
		tui_say(ui, ROLE_ERROR, " %d check%s failed: only warnings can be acknowledged. "
		    "Fix it in Bob, then r.", fails, fails == 1 ? "" : "s");
		return TUI_HANDLED;
	}
	if (warns && !c->acked) {
		snprintf(q, sizeof q, "%d check%s warned. Go on anyway? The warnings stay "
		    "listed in bobsync check.", warns, warns == 1 ? "" : "s");
		if (!tui_confirm(ui, "Acknowledge the warnings", q, 1))
			return TUI_HANDLED;
		c->acked = 1;
	}
	if (c->done != NULL)
		c->done(ui, c->e, c->step);
	return TUI_HANDLED;
}

static int
checks_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct checks *c = s->data;

	if (tui_job_running(s)) {
		if (action == ACT_STOP || key == 'q') {
			tui_job_cancel(s);
			c->snap.cancelling = 1;
			return TUI_HANDLED;
		}
		return key == UK_ESC ? TUI_HANDLED : TUI_UNHANDLED;
	}
	if (c->list.typing) {
		wlist_key(&c->list, key);
		return TUI_HANDLED;
	}
	switch (action) {
	case ACT_RERUN:
		start(ui, c);
		return TUI_HANDLED;
	case ACT_NEXT:
		return next(ui, c);
	default:
		break;
	}
	if (key == UK_ESC && c->list.filter[0]) {
		wlist_set_filter(&c->list, "");
		return TUI_HANDLED;
	}
	return wlist_key(&c->list, key) != WLIST_UNHANDLED ? TUI_HANDLED : TUI_UNHANDLED;
}

static const struct tui_screen_ops checks_ops = {
	.name = "checks",
	.open = checks_open,
	.draw = checks_draw,
	.handle_key = checks_key,
	.close = checks_close,
	.actions = checks_actions,
	.tick = checks_tick,
	.typing = checks_typing,
	.job_done = checks_job_done,
};

static int
push(struct tui *ui, struct dash_env *e, const char *crumbs, int setup_step,
    wizard_done_fn *done)
{
	struct checks *c = xcalloc(1, sizeof *c);

	c->e = e;
	c->step = setup_step;
	c->done = done;
	if (tui_push(ui, &checks_ops, c, setup_step ? "Validation" : "Setup checks", crumbs) != 0) {
		free(c);
		return -1;
	}
	return 0;
}

int
screen_checks_push(struct tui *ui, struct dash_env *e, const char *crumbs, int setup_step)
{
	return push(ui, e, crumbs, setup_step, NULL);
}

int
screen_checks_step_push(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done)
{
	return push(ui, e, crumbs, step, done);
}
