/* screen_home.c - the dashboard: the status of each sync (last run and
 * result, next run, counts, anything blocked or quarantined) and the keys
 * to everything else: sync now, approve a blocked plan, checks, the audit
 * log, explain a person, employees (bulk-set of alleo_access there), the
 * time-off preview, settings, credentials, and the setup steps again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "dash.h"
#include "console.h"
#include "engine/apply.h"
#include "admin/jobs.h"
#include "engine/session.h"
#include "admin/status.h"
#include "base/humantime.h"
#include "tui.h"
#include "base/util.h"

enum {
	ACT_SYNC = 1, ACT_APPROVE, ACT_CHECKS, ACT_LOG, ACT_EXPLAIN, ACT_EMPLOYEES,
	ACT_TIMEOFF, ACT_SETTINGS, ACT_CREDENTIALS, ACT_SETUP, ACT_REFRESH,
	ACT_ENABLE, ACT_DISABLE, ACT_PAUSE, ACT_RESUME
};

static const struct tui_action actions[] = {
	{ ACT_SYNC, "Sync now", 's', "sync now: the plan first, then confirm, then the run "
	  "with progress", 0 },
	{ ACT_APPROVE, "Approve", 'a', "approve a plan blocked by the guard (shows what it "
	  "removes first)", 0 },
	{ ACT_CHECKS, "Checks", 'c', "run every setup check against the live services", 0 },
	{ ACT_LOG, "Log", 'l', "the audit log: runs, their actions, by result or person", 0 },
	{ ACT_EXPLAIN, "Explain", 'x', "explain one person: the values and each rule", 0 },
	{ ACT_EMPLOYEES, "Employees", 'e', "who gets an Alleo account and why; bulk-set "
	  "alleo_access", 0 },
	{ ACT_TIMEOFF, "Time off", 't', "the time-off requests in the window: sync or skip, "
	  "and why", 0 },
	{ ACT_SETTINGS, "Settings", 'o', "every setting with its meaning, checked on entry", 0 },
	{ ACT_CREDENTIALS, "Credentials", 'k', "replace the HiBob, Assembled or Alleo "
	  "credentials", 0 },
	{ ACT_SETUP, "Setup", 'w', "the setup steps again, from the first", 0 },
	{ ACT_REFRESH, "Refresh", 'r', "read the status again", 0 },
	{ ACT_ENABLE, "Enable", 'E', "enable the sync core: in the background, cron or a system "
	  "service", TUI_ACT_NOBAR },
	{ ACT_DISABLE, "Disable", 'D', "disable the sync core: nothing syncs on its own",
	  TUI_ACT_NOBAR },
	{ ACT_PAUSE, "Pause", 'p', "pause a sync (or all) without uninstalling, for a while or "
	  "until resumed", TUI_ACT_NOBAR },
	{ ACT_RESUME, "Resume", 'u', "resume paused syncs", TUI_ACT_NOBAR },
};

static const char *const job_titles[] = {
	"Roster to Alleo", "Time off to Assembled", "Time-off reconciliation"
};

struct home {
	struct dash_env *e;
	struct bs_status st;
	int have;
	int stale;		/* another screen was opened: read again when back */
	int64_t read_at;
};

static void
refresh(struct tui *ui, struct home *h)
{
	struct bs_error err = { 0 };

	h->have = status_read(h->e->conf, h->e->paths, h->e->store, &h->st, &err) == BS_OK;
	if (!h->have)
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
	h->read_at = clock_now();
}

static int
home_open(struct tui *ui, struct tui_screen *s)
{
	refresh(ui, s->data);
	return 0;
}

static void
home_close(struct tui *ui, struct tui_screen *s)
{
	(void)ui;
	free(s->data);
}

static const struct tui_action *
home_actions(struct tui_screen *s, size_t *n)
{
	(void)s;
	*n = ARRAY_LEN(actions);
	return actions;
}

/* One job's lines from row; returns the next free row. */
static int
draw_job(const struct status_job *j, int scheduled, int64_t now, int row, int x, int w,
    int bottom)
{
	char line[512], when[HT_MAX], next[HT_MAX];
	enum term_role role = ROLE_NORMAL;

	if (row >= bottom)
		return row;
	if (!j->enabled) {
		snprintf(line, sizeof line, "%-26s off", job_titles[j->kind]);
		role = ROLE_DIM;
	} else if (j->st.last_run == 0) {
		/* never run: due at once (the daemon, or s); not a time that
		 * moves on with every refresh */
		snprintf(line, sizeof line, "%-26s never run; due now", job_titles[j->kind]);
	} else {
		ht_time_rel(j->st.last_run, now, NULL, when);
		snprintf(line, sizeof line, "%-26s last %s: %s", job_titles[j->kind], when,
		    j->st.last_result);
		role = run_result_parse(j->st.last_result) == RUN_OK ? ROLE_OK : ROLE_ERROR;
	}
	text_put(row++, x, line, w, role);
	if (j->enabled && j->open_run != 0 && row < bottom) {
		human_ago(when, sizeof when, now - j->open_started);
		if (j->open_live)
			snprintf(line, sizeof line, "%-26s run %lld running now (started %s)", "",
			    (long long)j->open_run, when);
		else
			snprintf(line, sizeof line, "%-26s run %lld did not finish (started %s)", "",
			    (long long)j->open_run, when);
		text_put(row++, x, line, w, j->open_live ? ROLE_NORMAL : ROLE_WARN);
	}
	if (!j->enabled || j->st.last_run == 0)
		return row;
	/* a next run only when something will make it happen */
	if (scheduled)
		ht_time_rel(j->due, now, NULL, next);
	else
		snprintf(next, sizeof next, "not scheduled");
	snprintf(line, sizeof line, "%-26s next %s; %ld %s", "", next, j->count,
	    j->kind == JOB_ROSTER ? "people in Alleo" : "events in Assembled");
	if (row < bottom)
		text_put(row++, x, line, w, ROLE_NORMAL);
	if (j->st.quarantine[0] && row < bottom) {
		snprintf(line, sizeof line, "%-26s QUARANTINED: %s", "", j->st.quarantine);
		text_put(row++, x, line, w, ROLE_ERROR);
	}
	if (j->st.blocked_plan[0] && row < bottom) {
		snprintf(line, sizeof line, "%-26s BLOCKED: plan %.8s waits for approval (a)", "",
		    j->st.blocked_plan);
		text_put(row++, x, line, w, ROLE_WARN);
	}
	if (j->st.message[0] && run_result_parse(j->st.last_result) != RUN_OK && row < bottom) {
		snprintf(line, sizeof line, "%-26s %s", "", j->st.message);
		text_put(row++, x, line, w, ROLE_DIM);
	}
	return row;
}

/* The header: is the sync core running, and is anything paused. */
static int
draw_core(const struct bs_status *s, int row, int x, int w)
{
	const struct core_status *c = &s->core;
	static const char *const what[2] = { "roster", "time off" };
	char line[512], since[32], ago[32], at[32], until[32];

	if (c->state == CORE_NOT_RUNNING) {
		text_put(row++, x, "Sync core: not running: E enables it", w, ROLE_WARN);
	} else {
		human_time(since, sizeof since, (time_t)c->beat.since, (time_t)s->now);
		human_ago(ago, sizeof ago, s->now - c->beat.beat);
		snprintf(line, sizeof line, "Sync core: %s (%s, since %s, last beat %s)",
		    c->state == CORE_STALLED ? "STALLED" : "running", c->beat.mode, since, ago);
		text_put(row++, x, line, w, c->state == CORE_STALLED ? ROLE_ERROR : ROLE_OK);
	}
	for (int i = 0; i < 2; i++) {
		const struct core_pause *p = &c->pause[i];
		if (!p->on)
			continue;
		human_time(at, sizeof at, (time_t)p->at, (time_t)s->now);
		human_time(until, sizeof until, (time_t)p->until, (time_t)s->now);
		snprintf(line, sizeof line, "Paused: %s, by %s at %s, %s%s (u resumes)", what[i], p->by,
		    at, p->until > 0 ? "until " : "until resumed", p->until > 0 ? until : "");
		text_put(row++, x, line, w, ROLE_WARN);
	}
	return row + 1;
}

static void
home_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct home *hm = s->data;
	int row = y + 1, bottom = y + h;

	if (hm->stale) {
		/* back from a sync, the checks, the settings...: what they
		 * changed shows at once, not at the next 5 s refresh */
		hm->stale = 0;
		refresh(ui, hm);
	}
	if (!hm->have) {
		text_put(row, x + 2, "The status could not be read (see below); r reads it again.",
		    w - 4, ROLE_ERROR);
		return;
	}
	if (!hm->st.configured) {
		text_put(row++, x + 2, "bobsync is not fully configured yet: w opens the setup "
		    "steps.", w - 4, ROLE_WARN);
		row++;
	}
	row = draw_core(&hm->st, row, x + 2, w - 4);
	text_put(row++, x + 2, "SYNC", w - 4, ROLE_DIM);
	for (int k = 0; k < JOB_COUNT; k++)
		row = draw_job(&hm->st.jobs[k], hm->st.core.scheduled, hm->st.now, row, x + 2, w - 4,
		    bottom);
	row++;
	if (hm->st.quarantine && row + 1 < bottom) {
		text_put(row++, x + 2, "A sync is quarantined: its credentials or permissions were "
		    "rejected.", w - 4, ROLE_ERROR);
		text_put(row++, x + 2, "Fix them (k, or in Bob), then c: when the checks pass, c "
		    "offers to resume.", w - 4, ROLE_ERROR);
	}
	if (row + 1 < bottom) {
		text_put(row++, x + 2, "s sync now  a approve  c checks  l log  x explain  e employees",
		    w - 4, ROLE_DIM);
		text_put(row++, x + 2, "t time off  o settings  k credentials  w setup  ? all keys",
		    w - 4, ROLE_DIM);
	}
	if (row < bottom) {
		text_put(row++, x + 2, "E enable  D disable  p pause  u resume (the sync core)",
		    w - 4, ROLE_DIM);
	}
}

static int
home_tick(struct tui *ui, struct tui_screen *s)
{
	struct home *h = s->data;

	/* the daemon may run beside the console: read again every 5 s */
	if (clock_now() - h->read_at >= 5) {
		refresh(ui, h);
		return TUI_REDRAW;
	}
	return 0;
}

/* Which syncs: several possible -> ask; none -> say so.  A mask of
 * 1 << JOB_*, 0 for none.  Sync now offers the roster, time off, both, and
 * a full comparison of the time-off window (JOB_RECONCILE). */
static unsigned
pick_jobs(struct tui *ui, struct home *h, int blocked_only)
{
	static const char *const job_names[JOB_COUNT] = { "Roster to Alleo",
	    "Time off to Assembled", "Time off: full comparison of the window" };
	const char *names[JOB_COUNT + 1];
	unsigned masks[JOB_COUNT + 1];
	int n = 0, c, roster = h->st.jobs[JOB_ROSTER].enabled;
	int timeoff = h->st.jobs[JOB_TIMEOFF].enabled;

	for (int k = 0; k < JOB_COUNT; k++) {
		const struct status_job *j = &h->st.jobs[k];
		if (!j->enabled || (blocked_only && !j->st.blocked_plan[0]))
			continue;
		if (!blocked_only && k == JOB_RECONCILE && roster && timeoff) {
			names[n] = "Everything (roster, then time off)";
			masks[n++] = 1u << JOB_ROSTER | 1u << JOB_TIMEOFF;
		}
		names[n] = job_names[k];
		masks[n++] = 1u << k;
	}
	if (n == 0) {
		if (blocked_only)
			tui_say(ui, ROLE_OK, " No plan is blocked: nothing waits for approval.");
		else
			tui_say(ui, ROLE_WARN, " No sync is on: turn one on in the setup (w) or the "
			    "settings (o).");
		return 0;
	}
	if (n == 1)
		return masks[0];
	c = tui_choose(ui, blocked_only ? "Approve which plan?" : "Sync which?", "", names, n,
	    0);
	return c < 0 ? 0 : masks[c];
}

static int
home_action(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct home *h = s->data;
	char crumbs[160], why[512];
	unsigned jobs;

	(void)key;
	/* the settings and secrets as they are on disk now (a CLI or the
	 * daemon may have changed them since) */
	if (action != 0) {
		dash_reread(h->e, why, sizeof why);
		if (why[0] != '\0')
			tui_say(ui, ROLE_WARN, " %s", why);
	}
	switch (action) {
	case ACT_SYNC:
	case ACT_APPROVE:
		refresh(ui, h);
		if (!h->have || (jobs = pick_jobs(ui, h, action == ACT_APPROVE)) == 0)
			return TUI_HANDLED;
		snprintf(crumbs, sizeof crumbs, "Dashboard " DOT " %s",
		    action == ACT_APPROVE ? "Approve" : "Sync now");
		screen_sync_push(ui, h->e, action == ACT_APPROVE ? SYNC_APPROVE : SYNC_NOW, jobs, crumbs);
		/* the run changes the status: read it again when this screen is
		 * drawn again, not up to 5 s later (a fast run left "BLOCKED" up) */
		h->read_at = 0;
		return TUI_HANDLED;
	case ACT_CHECKS:
		screen_checks_push(ui, h->e, "Dashboard " DOT " Checks", 0);
		return TUI_HANDLED;
	case ACT_LOG:
		screen_log_push(ui, h->e, "Dashboard " DOT " Audit log");
		return TUI_HANDLED;
	case ACT_EXPLAIN:
		screen_explain_push(ui, h->e, NULL, "Dashboard " DOT " Explain");
		return TUI_HANDLED;
	case ACT_EMPLOYEES:
		screen_employees_push(ui, h->e, "Dashboard " DOT " Employees");
		return TUI_HANDLED;
	case ACT_TIMEOFF:
		screen_timeoff_push(ui, h->e, "Dashboard " DOT " Time off");
		return TUI_HANDLED;
	case ACT_SETTINGS:
		screen_settings_push(ui, h->e, "Dashboard " DOT " Settings");
		return TUI_HANDLED;
	case ACT_CREDENTIALS:
		screen_credentials_push(ui, h->e, "Dashboard " DOT " Credentials");
		return TUI_HANDLED;
	case ACT_SETUP:
		screen_setup_push(ui, h->e, 1);
		return TUI_HANDLED;
	case ACT_REFRESH:
		refresh(ui, h);
		tui_say(ui, ROLE_DIM, " Status read again.");
		return TUI_HANDLED;
	case ACT_ENABLE:
	case ACT_DISABLE:
	case ACT_PAUSE:
	case ACT_RESUME: {
		char out[2048];
		int rc = action == ACT_ENABLE ? console_core_enable(ui, h->e, out, sizeof out) :
		    action == ACT_DISABLE ? console_core_disable(ui, h->e, out, sizeof out) :
		    action == ACT_PAUSE ? console_core_pause(ui, h->e, out, sizeof out) :
		    console_core_resume(ui, h->e, out, sizeof out);

		if (action == ACT_ENABLE && rc == 1) {
			char *last = strrchr(out, '\n');
			/* the last thing it said: where it runs, when next */
			while (last != NULL && last > out && last[1] == '\0') {
				*last = '\0';
				last = strrchr(out, '\n');
			}
			tui_say(ui, ROLE_OK, " %s", last != NULL ? last + 1 : out);
		}
		refresh(ui, h);
		return TUI_HANDLED;
	}
	default:
		return TUI_UNHANDLED;
	}
}

/* Esc (or q) on the dashboard, the first screen: ask before leaving.
 * Under `make demo` (BOBSYNC_DEMO set by tests/sandbox/demo.sh) leaving
 * also stops the sandbox and removes the demo's home: say so. */
static int
ask_quit(struct tui *ui)
{
	const char *demo = getenv("BOBSYNC_DEMO");

	if (demo != NULL && *demo != '\0')
		return tui_confirm(ui, "Leave the demo?", "The demo ends: the sandbox servers stop and the demo's home, with its settings, credentials "
		    "and log, is removed.", 1);
	return tui_confirm(ui, "Leave bobsync?", "Nothing runs from this console once it is "
	    "closed; the daemon, if you run one, keeps syncing.", 1);
}

static int
home_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct home *h = s->data;
	int rc;

	if (action == 0 && s->below == NULL && (key == UK_ESC || key == 'q'))
		return ask_quit(ui) ? TUI_QUIT : TUI_HANDLED;
	rc = home_action(ui, s, key, action);

	/* a screen was opened over this one: read the status again when it
	 * is back (set after the dialogs of the action have been drawn) */
	if (action != 0 && action != ACT_REFRESH)
		h->stale = 1;
	return rc;
}

static const struct tui_screen_ops home_ops = {
	.name = "home",
	.open = home_open,
	.draw = home_draw,
	.handle_key = home_key,
	.close = home_close,
	.actions = home_actions,
	.tick = home_tick,
};

int
screen_home_push(struct tui *ui, struct dash_env *e)
{
	struct home *h = xcalloc(1, sizeof *h);

	h->e = e;
	if (tui_push(ui, &home_ops, h, "Dashboard", "Dashboard") != 0) {
		free(h);
		return -1;
	}
	return 0;
}
