/* dash.c - the dashboard screens.  One action table drives the key hints
 * and the help overlay; long work (checks, reads, syncs) reports progress
 * through core's callback, which redraws the status line and lets Esc
 * cancel at the next safe point. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>
#include <sodium.h>

#include "checks.h"
#include "conf.h"
#include "dash.h"
#include "jobs.h"
#include "lock.h"
#include "paths.h"
#include "log.h"
#include "plan.h"
#include "roster.h"
#include "rows.h"
#include "screen_welcome.h"
#include "session.h"
#include "status.h"
#include "store.h"
#include "term.h"
#include "timeoff_sync.h"
#include "util.h"
#include "vault.h"

#define CTRL_C 3
#define KEY_ESC 27

struct action {
	int key;
	const char *name;	/* in the bottom bar */
	const char *help;	/* in the help overlay */
};

static const struct action home_actions[] = {
	{ 'c', "Checks", "run every setup check against the live services" },
	{ 'e', "Employees", "who gets an Alleo account, and why (filter with /)" },
	{ 'p', "Roster", "plan the roster sync, confirm, apply with progress" },
	{ 't', "Time off", "plan the time-off sync, confirm, apply with progress" },
	{ 'l', "Log", "the audit log: runs, newest first" },
	{ 'S', "Setup", "the setup steps again: HiBob, credentials, checks, targets" },
	{ 'r', "Refresh", "read the status again" },
	{ '?', "Help", "this help" },
	{ 'q', "Quit", "leave bobsync" },
};

static const struct action list_actions[] = {
	{ '/', "Filter", "type to filter the rows (Enter keeps, Esc clears)" },
	{ 'j', "Down", "next row (also Down arrow); PgDn/PgUp, g/G first/last" },
	{ 'k', "Up", "previous row (also Up arrow)" },
	{ '?', "Help", "this help" },
	{ 'q', "Back", "back to the dashboard (also Esc)" },
};

struct dash {
	struct bs_session *s;
	const struct bs_paths *paths;
	struct dash_env *env;
	char message[256];	/* last result or error, shown above the bar */
	enum term_role message_role;
	int cancel;		/* Esc pressed during long work */
};

/* ---- drawing helpers ---- */

static void
hints(const struct action *a, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%c %s", i ? "  " : " ",
		    a[i].key, a[i].name);
}

static void
draw_message(struct dash *d)
{
	text_put(LINES - 2, 0, d->message, COLS, d->message_role);
}

static void
say(struct dash *d, enum term_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(struct dash *d, enum term_role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->message, sizeof d->message, fmt, ap);
	va_end(ap);
	d->message_role = role;
}

static void
help_overlay(const char *title, const struct action *a, size_t n)
{
	int w = COLS - 8 < 70 ? COLS - 8 : 70, h = (int)n + 4, y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;

	for (int y = 0; y < h; y++)
		text_put(y0 + y, x0, "", w, ROLE_BAR);
	text_put(y0, x0, title, w, ROLE_TITLE);
	for (size_t i = 0; i < n; i++) {
		char k[8];
		snprintf(k, sizeof k, " %c", a[i].key);
		text_put(y0 + 2 + (int)i, x0, k, 4, ROLE_BAR);
		text_put(y0 + 2 + (int)i, x0 + 4, a[i].help, w - 5, ROLE_BAR);
	}
	text_put(y0 + h - 1, x0, " any key closes this help", w, ROLE_BAR);
	refresh();
	getch();
}

/* Word-wrap s over up to nlines lines from row y (text_wrap); what does
 * not fit goes on the last line, which text_put cuts with an ellipsis. */
static void
put_wrapped(int y, const char *s, int nlines, enum term_role role)
{
	size_t start[8], len[8], n;
	char line[1024];

	if (nlines > 7)
		nlines = 7;
	n = text_wrap(s, COLS - 2, start, len, (size_t)nlines + 1);
	for (int l = 0; l < nlines; l++) {
		size_t from = (size_t)l < n ? start[l] : strlen(s);
		size_t take = (size_t)l < n ? len[l] : 0;
		if (l == nlines - 1 && n > (size_t)nlines)
			take = strlen(s + from);	/* the rest, cut by text_put */
		if (take >= sizeof line)
			take = sizeof line - 1;
		memcpy(line, s + from, take);
		line[take] = '\0';
		text_put(y + l, 1, line, COLS - 2, role);
	}
}

/* ---- progress from core ---- */

static int
on_progress(void *ctx, const struct bs_progress_event *ev)
{
	struct dash *d = ctx;
	char line[256];
	int ch;

	if (ev->total > 0)
		snprintf(line, sizeof line, " %s: %zu of %zu (%u applied, %u failed)  Esc stops",
		    ev->phase ? ev->phase : "Working", ev->done, ev->total, ev->applied, ev->failed);
	else
		snprintf(line, sizeof line, " %s%s%s...  Esc stops", ev->phase ? ev->phase : "Working",
		    ev->item ? ": " : "", ev->item ? ev->item : "");
	text_put(LINES - 2, 0, line, COLS, ROLE_WARN);
	refresh();
	nodelay(stdscr, TRUE);
	while ((ch = getch()) != ERR)
		if (ch == KEY_ESC || ch == CTRL_C)
			d->cancel = 1;
	nodelay(stdscr, FALSE);
	if (term_interrupted())
		d->cancel = 1;
	return d->cancel;
}

static struct bs_progress
progress_of(struct dash *d)
{
	struct bs_progress p = { on_progress, d };
	d->cancel = 0;
	return p;
}

/* ---- a generic list screen ---- */

struct list_screen {
	const char *title;
	const char *header;
	size_t n;
	/* row text (also what the filter searches) and detail lines */
	const char *(*row)(void *ctx, size_t i);
	const char *(*detail)(void *ctx, size_t i);
	void *ctx;
};

static void
list_run(struct dash *d, const struct list_screen *ls)
{
	struct rows r;
	char bar[512], title[256];
	int filtering = 0;

	char saved[sizeof d->message];
	enum term_role saved_role = d->message_role;

	snprintf(saved, sizeof saved, "%s", d->message);
	rows_init(&r, ls->n, ls->row, ls->ctx);
	if (d->message[0] == '\0' || d->message_role == ROLE_DIM)
		say(d, ROLE_DIM, " Arrows move; / filters; q goes back.");
	hints(list_actions, ARRAY_LEN(list_actions), bar, sizeof bar);
	for (;;) {
		int height = LINES - 5 - (ls->detail ? 3 : 0), ch;
		size_t cur;

		if (term_too_small()) {
			if (getch() == 'q')
				break;
			continue;
		}
		erase();
		rows_scroll(&r, height > 0 ? (size_t)height : 1);
		snprintf(title, sizeof title, " bobsync \xc2\xb7 %s \xc2\xb7 %zu of %zu", ls->title,
		    r.nvis, r.n);
		term_bars(title, bar);
		text_put(1, 0, ls->header, COLS, ROLE_DIM);
		for (int y = 0; y < height && r.top + (size_t)y < r.nvis; y++) {
			size_t pos = r.top + (size_t)y;
			text_put(2 + y, 0, ls->row(ls->ctx, r.vis[pos]), COLS,
			    pos == r.cur ? ROLE_SELECTED : ROLE_NORMAL);
		}
		if (r.nvis == 0)
			text_put(3, 2, r.n ? "No row matches the filter." : "Nothing to show.", COLS - 2,
			    ROLE_DIM);
		cur = rows_current(&r);
		if (ls->detail && cur != (size_t)-1)
			put_wrapped(LINES - 5, ls->detail(ls->ctx, cur), 3, ROLE_OK);
		if (filtering || r.filter[0]) {
			char f[200];
			snprintf(f, sizeof f, " Filter: %s%s", r.filter, filtering ? "_" : "");
			text_put(LINES - 2, 0, f, COLS, ROLE_KEY);
		} else {
			draw_message(d);
		}
		refresh();
		ch = getch();
		if (term_interrupted())
			break;
		if (filtering) {
			char f[sizeof r.filter];
			size_t len = strlen(r.filter);
			snprintf(f, sizeof f, "%s", r.filter);
			if (ch == '\n' || ch == KEY_ENTER)
				filtering = 0;
			else if (ch == KEY_ESC) {
				filtering = 0;
				rows_set_filter(&r, "");
			} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
				if (len > 0)
					f[len - 1] = '\0';
				rows_set_filter(&r, f);
			} else if (ch >= 0x20 && ch < 0x7f && len + 1 < sizeof f) {
				f[len] = (char)ch;
				f[len + 1] = '\0';
				rows_set_filter(&r, f);
			}
			continue;
		}
		switch (ch) {
		case 'q': case KEY_ESC: case KEY_LEFT:
			rows_free(&r);
			snprintf(d->message, sizeof d->message, "%s", saved);
			d->message_role = saved_role;
			return;
		case '/': filtering = 1; break;
		case 'j': case KEY_DOWN: rows_move(&r, 1); break;
		case 'k': case KEY_UP: rows_move(&r, -1); break;
		case KEY_NPAGE: case ' ': rows_move(&r, height); break;
		case KEY_PPAGE: rows_move(&r, -height); break;
		case 'g': case KEY_HOME: rows_home(&r); break;
		case 'G': case KEY_END: rows_end(&r); break;
		case '?': help_overlay(" Keys of this list", list_actions, ARRAY_LEN(list_actions)); break;
		default: break;
		}
	}
	rows_free(&r);
}

/* ---- checks ---- */

struct checks_ctx {
	struct check_report rep;
	char rowbuf[512], detbuf[1024];
};

static const char *
check_row(void *vctx, size_t i)
{
	struct checks_ctx *c = vctx;
	const struct check_result *r = &c->rep.v[i];
	char title[200];
	snprintf(c->rowbuf, sizeof c->rowbuf, " %-5s %s %s", check_status_name(r->status),
	    text_fit(title, sizeof title, r->title ? r->title : r->id, 40),
	    r->detail ? r->detail : "");
	return c->rowbuf;
}

static const char *
check_detail(void *vctx, size_t i)
{
	struct checks_ctx *c = vctx;
	const struct check_result *r = &c->rep.v[i];
	snprintf(c->detbuf, sizeof c->detbuf, " %s", !str_empty(r->remedy) ? r->remedy :
	    r->detail ? r->detail : "");
	return c->detbuf;
}

static void
screen_checks(struct dash *d)
{
	struct checks_ctx c;
	struct bs_progress p = progress_of(d);
	struct list_screen ls = { "Setup checks", " STATUS CHECK                                    WHAT WAS FOUND",
	    CHECK_COUNT, check_row, check_detail, &c };
	int fails = 0;

	memset(&c, 0, sizeof c);
	check_run_all(d->s, &p, &c.rep);
	for (int i = 0; i < CHECK_COUNT; i++)
		fails += c.rep.v[i].status == CHECK_FAIL;
	list_run(d, &ls);
	if (fails)
		say(d, ROLE_ERROR, " %d check%s failed: select one in Checks (c) to read its remedy",
		    fails, fails == 1 ? "" : "s");
	else
		say(d, ROLE_OK, " Every check passed.");
	check_report_free(&c.rep);
}

/* ---- employees ---- */

struct emp_ctx {
	struct roster_source src;
	char **rows;		/* built once: the filter searches them */
	char detbuf[512];
};

static const char *
emp_row(void *vctx, size_t i)
{
	return ((struct emp_ctx *)vctx)->rows[i];
}

static const char *
emp_detail(void *vctx, size_t i)
{
	struct emp_ctx *c = vctx;
	snprintf(c->detbuf, sizeof c->detbuf, " %s", c->src.evals[i].reason);
	return c->detbuf;
}

static void
screen_employees(struct dash *d)
{
	struct emp_ctx c;
	struct bs_progress p = progress_of(d);
	struct bs_error err = { 0 };
	struct list_screen ls = { "Employees", NULL, 0, emp_row, emp_detail, &c };
	char header[256];

	memset(&c, 0, sizeof c);
	if (roster_source_fetch(d->s, &p, &c.src, &err) != BS_OK) {
		say(d, ROLE_ERROR, " %s", bs_error_text(&err));
		return;
	}
	c.rows = xcalloc(c.src.people.n + 1, sizeof *c.rows);
	for (size_t i = 0; i < c.src.people.n; i++) {
		const struct bob_person *pp = &c.src.people.v[i];
		char name[160], ncol[200], ecol[200];
		snprintf(name, sizeof name, "%s %s", pp->first_name ? pp->first_name : "",
		    pp->surname ? pp->surname : "");
		c.rows[i] = xasprintf(" %-10s %-6s %s %s %s",
		    roster_verdict_name(c.src.evals[i].verdict), bob_access_name(pp->access),
		    text_fit(ncol, sizeof ncol, name, 28), text_fit(ecol, sizeof ecol,
		    pp->email ? pp->email : "", 36), pp->lifecycle ? pp->lifecycle : "");
	}
	snprintf(header, sizeof header, " %ld eligible, %ld not, %ld held (access unset or unreadable)",
	    c.src.eligible, c.src.ineligible, c.src.unknown);
	ls.header = header;
	ls.n = c.src.people.n;
	list_run(d, &ls);
	for (size_t i = 0; i < c.src.people.n; i++)
		free(c.rows[i]);
	free(c.rows);
	roster_source_free(&c.src);
}

/* ---- sync now: plan, confirm, apply ---- */

struct plan_ctx {
	struct plan plan;
	char rowbuf[512], detbuf[512];
};

static const char *
plan_row(void *vctx, size_t i)
{
	struct plan_ctx *c = vctx;
	const struct plan_action *a = &c->plan.v[i];
	char who[160];
	snprintf(c->rowbuf, sizeof c->rowbuf, " %-10s %s %s", plan_op_name(a->op),
	    text_fit(who, sizeof who, a->name ? a->name : a->email ? a->email : a->subject, 30),
	    a->reason ? a->reason : "");
	return c->rowbuf;
}

static const char *
plan_detail(void *vctx, size_t i)
{
	struct plan_ctx *c = vctx;
	const struct plan_action *a = &c->plan.v[i];
	snprintf(c->detbuf, sizeof c->detbuf, " %s -> %s", a->before ? a->before : "(nothing)",
	    a->after ? a->after : "(nothing)");
	return c->detbuf;
}

static int
confirm(const char *question)
{
	int ch;

	text_put(LINES - 2, 0, question, COLS, ROLE_WARN);
	refresh();
	do {
		ch = getch();
	} while (ch != 'y' && ch != 'n' && ch != 'Y' && ch != 'N' && ch != KEY_ESC && ch != 'q' &&
	    !term_interrupted());
	return ch == 'y' || ch == 'Y';
}

static void
screen_sync(struct dash *d, enum job_kind k)
{
	struct plan_ctx c;
	struct bs_progress p = progress_of(d);
	struct bs_error err = { 0 };
	struct sync_opts o = { 0 };
	struct sync_result res;
	char header[256], q[256];
	int lock_fd = -1;
	struct list_screen ls = { k == JOB_ROSTER ? "Roster plan" : "Time-off plan", NULL, 0,
	    plan_row, plan_detail, &c };
	bs_rc rc;

	memset(&c, 0, sizeof c);
	if (!job_enabled(d->s->conf, k)) {
		say(d, ROLE_WARN, " The %s sync is off: turn it on in the settings "
		    "(bobsync config set %s).", k == JOB_ROSTER ? "roster" : "time-off",
		    k == JOB_ROSTER ? "alleo.mode scim" : "assembled.enabled true");
		return;
	}
	rc = k == JOB_ROSTER ? roster_plan_now(d->s, NULL, &p, &c.plan, &err) :
	    toff_plan_now(d->s, 0, NULL, &p, &c.plan, &err);
	if (rc != BS_OK) {
		say(d, ROLE_ERROR, " %s", bs_error_text(&err));
		plan_free(&c.plan);
		return;
	}
	snprintf(header, sizeof header, " Plan %.8s: %zu action%s, %zu held%s", c.plan.id, c.plan.n,
	    c.plan.n == 1 ? "" : "s", c.plan.nheld, c.plan.guard.tripped ?
	    " - BLOCKED by the guard: applying it approves this plan" : "");
	ls.header = header;
	ls.n = c.plan.n;
	list_run(d, &ls);
	if (c.plan.n == 0) {
		say(d, ROLE_OK, " Nothing to do: the target already matches HiBob.");
		plan_free(&c.plan);
		return;
	}
	snprintf(q, sizeof q, " Apply these %zu action%s now%s? y/n", c.plan.n, c.plan.n == 1 ? "" : "s",
	    c.plan.guard.tripped ? " (approving the blocked plan)" : "");
	erase();
	term_bars(" bobsync \xc2\xb7 Sync now", " y apply  n cancel");
	if (!confirm(q)) {
		say(d, ROLE_DIM, " Nothing applied.");
		plan_free(&c.plan);
		return;
	}
	memset(&res, 0, sizeof res);
	o.progress = &p;
	o.approve = c.plan.guard.tripped ? c.plan.id : NULL;
	/* the same lock as every run: never beside the daemon or a CLI sync */
	if (lock_acquire(d->paths->lock_file, &lock_fd, &err) != BS_OK) {
		say(d, ROLE_ERROR, " %s", bs_error_text(&err));
		plan_free(&c.plan);
		return;
	}
	rc = job_run(d->s, k, &o, &res, &err);
	lock_release(&lock_fd);
	if (rc == BS_OK)
		say(d, ROLE_OK, " Run %lld: %ld applied, %ld failed, %ld skipped.", (long long)res.run_id,
		    res.applied, res.failed, res.skipped);
	else
		say(d, ROLE_ERROR, " Run %lld: %s", (long long)res.run_id, bs_error_text(&err));
	plan_free(&c.plan);
}

/* ---- the audit log ---- */

struct log_ctx {
	struct store_run *runs;
	size_t n;
	char rowbuf[512], detbuf[512];
};

static const char *
log_row(void *vctx, size_t i)
{
	struct log_ctx *c = vctx;
	const struct store_run *r = &c->runs[i];
	char when[21];
	time_format_utc(r->started_at, when);
	snprintf(c->rowbuf, sizeof c->rowbuf, " %5lld %s %-8s %-9s %-8s %4ld applied %3ld failed",
	    (long long)r->id, when, r->target ? r->target : "", r->kind ? r->kind : "",
	    r->result ? r->result : "", r->applied, r->failed);
	return c->rowbuf;
}

static const char *
log_detail(void *vctx, size_t i)
{
	struct log_ctx *c = vctx;
	const struct store_run *r = &c->runs[i];
	snprintf(c->detbuf, sizeof c->detbuf, " %s (plan %.8s, %ld requests)",
	    r->message ? r->message : "", r->plan_id ? r->plan_id : "-", r->requests);
	return c->detbuf;
}

static void
screen_log(struct dash *d)
{
	struct log_ctx c;
	struct bs_error err = { 0 };
	struct list_screen ls = { "Audit log", "   RUN STARTED (UTC)         TARGET   KIND      RESULT",
	    0, log_row, log_detail, &c };

	memset(&c, 0, sizeof c);
	if (d->s->store == NULL) {
		say(d, ROLE_DIM, " No run yet.");
		return;
	}
	if (store_runs_list(d->s->store, NULL, 1000, &c.runs, &c.n, &err) != BS_OK) {
		say(d, ROLE_ERROR, " %s", bs_error_text(&err));
		return;
	}
	ls.n = c.n;
	list_run(d, &ls);
	store_runs_free(c.runs, c.n);
}

/* ---- home ---- */

static void
draw_home(struct dash *d)
{
	struct bs_status st;
	struct bs_error err = { 0 };
	char bar[512], line[512], when[21], next[21];
	int y = 2;

	erase();
	hints(home_actions, ARRAY_LEN(home_actions), bar, sizeof bar);
	term_bars(" bobsync \xc2\xb7 Dashboard", bar);
	if (status_read(d->s->conf, d->paths, d->s->store, &st, &err) != BS_OK) {
		text_put(y, 1, bs_error_text(&err), COLS - 2, ROLE_ERROR);
		draw_message(d);
		refresh();
		return;
	}
	if (!st.configured) {
		text_put(y++, 1, "bobsync is not configured yet. In another terminal:", COLS - 2, ROLE_WARN);
		text_put(y++, 3, "bobsync credentials set hibob     (Service User ID, then token)", COLS - 4,
		    ROLE_NORMAL);
		text_put(y++, 3, "bobsync config set alleo.mode scim  /  assembled.enabled true", COLS - 4,
		    ROLE_NORMAL);
		y++;
	}
	for (int k = 0; k < JOB_COUNT; k++) {
		const struct status_job *j = &st.jobs[k];
		static const char *const names[] = { "Roster to Alleo", "Time off to Assembled",
		    "Time-off reconciliation" };
		enum term_role role = ROLE_NORMAL;

		if (!j->enabled) {
			snprintf(line, sizeof line, "%-26s off", names[k]);
			role = ROLE_DIM;
		} else if (j->st.last_run == 0) {
			time_format_utc(j->due, next);
			snprintf(line, sizeof line, "%-26s never run; next %s", names[k], next);
		} else {
			time_format_utc(j->st.last_run, when);
			time_format_utc(j->due, next);
			snprintf(line, sizeof line, "%-26s last %s: %s; next %s; %ld %s", names[k], when,
			    j->st.last_result, next, j->count, k == JOB_ROSTER ? "in Alleo" : "events");
			role = str_eq(j->st.last_result, "ok") ? ROLE_OK : ROLE_ERROR;
		}
		text_put(y++, 1, line, COLS - 2, role);
		if (j->st.quarantine[0]) {
			snprintf(line, sizeof line, "  QUARANTINED: %s", j->st.quarantine);
			text_put(y++, 1, line, COLS - 2, ROLE_ERROR);
		}
		if (j->st.blocked_plan[0]) {
			snprintf(line, sizeof line, "  BLOCKED by the guard: plan %.8s waits for approval "
			    "(sync it from here to review and approve)", j->st.blocked_plan);
			text_put(y++, 1, line, COLS - 2, ROLE_WARN);
		}
	}
	draw_message(d);
	refresh();
}

/* ---- the setup steps ---- */

#define WIZ_STEPS 6

static void
wiz_frame(int step, const char *name, const char *hint_line)
{
	char title[160];

	erase();
	snprintf(title, sizeof title, " bobsync \xc2\xb7 Setup \xc2\xb7 Step %d of %d \xc2\xb7 %s", step,
	    WIZ_STEPS, name);
	term_bars(title, hint_line);
}

/* Lines of text from row y; returns the next free row. */
static int
wiz_text(int y, const char *const *lines, size_t n, enum term_role role)
{
	for (size_t i = 0; i < n && y < LINES - 3; i++)
		text_put(y++, 2, lines[i], COLS - 4, role);
	return y;
}

/* A one-line text field at row y: UTF-8 input (paste works, a character at
 * a time), Backspace, Ctrl-U clears; masked shows one '*' a character.
 * 1 on Enter, 0 on Esc or an interrupt.  buf holds the value (may start
 * filled). */
static int
field_edit(int y, const char *label, char *buf, size_t sz, int masked)
{
	int lw = text_width(label) + 1;

	curs_set(1);
	for (;;) {
		char shown[512];
		wint_t wc;
		int r;
		size_t len = strlen(buf);

		if (masked) {
			size_t k = 0;
			for (const unsigned char *p = (const unsigned char *)buf; *p && k + 1 < sizeof shown; p++)
				if ((*p & 0xC0) != 0x80)
					shown[k++] = '*';
			shown[k] = '\0';
		} else {
			snprintf(shown, sizeof shown, "%s", buf);
		}
		text_put(y, 2, label, lw, ROLE_KEY);
		text_put(y, 2 + lw, shown, COLS - 4 - lw, ROLE_SELECTED);
		move(y, 2 + lw + (text_width(shown) < COLS - 5 - lw ? text_width(shown) : COLS - 5 - lw));
		refresh();
		r = get_wch(&wc);
		if (term_interrupted()) {
			curs_set(0);
			return 0;
		}
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (wc == KEY_BACKSPACE && len > 0) {
				do
					len--;
				while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80);
				buf[len] = '\0';
			} else if (wc == KEY_ENTER) {
				break;
			}
			continue;
		}
		if (wc == L'\n' || wc == L'\r')
			break;
		if (wc == 27) {
			curs_set(0);
			return 0;
		}
		if (wc == 127 || wc == 8) {
			if (len > 0) {
				do
					len--;
				while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80);
				buf[len] = '\0';
			}
		} else if (wc == 21) {		/* Ctrl-U */
			sodium_memzero(buf, sz);
		} else if (wc >= 0x20) {
			char mb[MB_LEN_MAX];
			mbstate_t st;
			size_t n;
			memset(&st, 0, sizeof st);
			n = wcrtomb(mb, (wchar_t)wc, &st);
			if (n != (size_t)-1 && len + n + 1 < sz) {
				memcpy(buf + len, mb, n);
				buf[len + n] = '\0';
			}
		}
	}
	curs_set(0);
	return 1;
}

/* Wait for one of the keys in accept (or Esc / q, which go back: 0). */
static int
wiz_key(const char *accept)
{
	for (;;) {
		int ch = getch();
		if (term_interrupted() || ch == KEY_ESC || ch == 'q')
			return 0;
		if (ch == '\n' || ch == KEY_ENTER)
			ch = '\n';
		if (ch > 0 && ch < 256 && strchr(accept, ch) != NULL)
			return ch;
		if (ch == '?' && strchr(accept, '?') == NULL) {
			static const struct action keys[] = {
				{ '\n', "Next", "Enter: next step (or the choice highlighted)" },
				{ 'b', "Back", "b: the previous step" },
				{ 'q', "Quit", "q or Esc: leave the setup (what is stored stays)" },
			};
			help_overlay(" Keys of the setup", keys, ARRAY_LEN(keys));
			return -1;
		}
	}
}

static int
wiz_set(struct dash *d, const char *key, const char *value)
{
	struct bs_error err = { 0 };

	if (conf_set(d->env->conf, key, value, &err) != BS_OK ||
	    conf_save(d->env->conf, d->paths->conf_file, &err) != BS_OK) {
		say(d, ROLE_ERROR, " %s", bs_error_text(&err));
		return -1;
	}
	return 0;
}

/* Step 1: what happens, what is needed, which HiBob (screen_welcome.c,
 * on the toolkit's screen framework). */
static int
wiz_welcome(struct dash *d)
{
	char crumbs[96];

	snprintf(crumbs, sizeof crumbs, "Setup \xc2\xb7 Step 1 of %d \xc2\xb7 Welcome", WIZ_STEPS);
	return welcome_run(d->env->conf, d->paths->conf_file, crumbs, d->message);
}

/* Step 2: the Service User ID and token into the vault. */
static int
wiz_credentials(struct dash *d)
{
	static const char *const text[] = {
		"Paste the Service User ID and its token from Bob (Settings > Integrations >",
		"Service Users).  They are stored encrypted in the vault on this machine and",
		"never shown again.  Esc goes back.",
	};
	struct bs_error err = { 0 };
	char *id = sodium_malloc(512), *tok = sodium_malloc(512), *p1 = sodium_malloc(512),
	    *p2 = sodium_malloc(512);
	int ok = 0, y;

	if (id == NULL || tok == NULL || p1 == NULL || p2 == NULL)
		goto out;
	memset(id, 0, 512);
	memset(tok, 0, 512);
	memset(p1, 0, 512);
	memset(p2, 0, 512);
	wiz_frame(2, "Credentials", " Enter next field  Esc back");
	y = wiz_text(2, text, ARRAY_LEN(text), ROLE_NORMAL);
	if (*d->env->vault != NULL && vault_get(*d->env->vault, VAULT_HIBOB_ID) != NULL)
		text_put(y++, 2, "Credentials are stored already; Enter on empty fields keeps them.",
		    COLS - 4, ROLE_OK);
	draw_message(d);
	if (!field_edit(y + 1, "Service User ID:", id, 512, 0) ||
	    !field_edit(y + 2, "Token:          ", tok, 512, 1))
		goto out;
	if (str_empty(id) && str_empty(tok) && *d->env->vault != NULL &&
	    vault_get(*d->env->vault, VAULT_HIBOB_ID) != NULL) {
		ok = 1;
		goto out;
	}
	if (str_empty(id) || str_empty(tok)) {
		say(d, ROLE_ERROR, " Both the Service User ID and the token are needed.");
		goto out;
	}
	if (*d->env->vault == NULL) {
		struct vault_unlock how = { NULL, NULL };
		int ch;
		text_put(y + 4, 2, "Protect them with  p a passphrase (asked when you open bobsync)",
		    COLS - 4, ROLE_NORMAL);
		text_put(y + 5, 2, "                   k a key file (vault.key, for unattended runs)",
		    COLS - 4, ROLE_NORMAL);
		refresh();
		ch = wiz_key("pk");
		if (ch <= 0)
			goto out;
		if (ch == 'p') {
			if (!field_edit(y + 7, "Passphrase (8 or more):", p1, 512, 1) ||
			    !field_edit(y + 8, "Repeat it:             ", p2, 512, 1))
				goto out;
			if (strlen(p1) < 8 || strcmp(p1, p2) != 0) {
				say(d, ROLE_ERROR, strlen(p1) < 8 ? " The passphrase is shorter than 8 "
				    "characters; nothing was stored." : " The two passphrases differ; "
				    "nothing was stored.");
				goto out;
			}
			if (strlen(p1) < 16)
				say(d, ROLE_WARN, " Stored. Hint: a few unrelated words make a stronger "
				    "passphrase.");
			how.passphrase = p1;
		} else {
			how.key_file = d->paths->key_file;
		}
		text_put(LINES - 2, 0, " Protecting the vault...", COLS, ROLE_WARN);
		refresh();
		if (paths_ensure(d->paths, &err) != BS_OK ||
		    vault_create(d->paths->vault_file, &how, d->env->vault, &err) != BS_OK) {
			say(d, ROLE_ERROR, " %s", bs_error_text(&err));
			goto out;
		}
	}
	log_register_secret(tok);
	if (vault_set(*d->env->vault, VAULT_HIBOB_ID, id, clock_now(), &err) != BS_OK ||
	    vault_set(*d->env->vault, VAULT_HIBOB_TOKEN, tok, clock_now(), &err) != BS_OK ||
	    vault_save(*d->env->vault, &err) != BS_OK) {
		say(d, ROLE_ERROR, " %s", bs_error_text(&err));
		goto out;
	}
	/* the clients are made again with the new credentials */
	session_close(d->s);
	session_init(d->s, d->env->conf, *d->env->vault, d->env->store, NULL);
	if (d->message_role != ROLE_WARN)
		say(d, ROLE_OK, " Credentials stored in %s.", d->paths->vault_file);
	ok = 1;
out:
	sodium_free(id);
	sodium_free(tok);
	sodium_free(p1);
	sodium_free(p2);
	return ok;
}

/* Step 3: every check, again until none fails. */
static int
wiz_checks(struct dash *d)
{
	for (;;) {
		struct checks_ctx c;
		struct bs_progress p;
		struct list_screen ls = { "Setup \xc2\xb7 Step 3 of 6 \xc2\xb7 Checks",
		    " STATUS CHECK                                    WHAT WAS FOUND",
		    CHECK_COUNT, check_row, check_detail, &c };
		int fails = 0, ch;

		wiz_frame(3, "Checks", " running the checks against the live services...");
		draw_message(d);
		refresh();
		p = progress_of(d);
		memset(&c, 0, sizeof c);
		check_run_all(d->s, &p, &c.rep);
		for (int i = 0; i < CHECK_COUNT; i++)
			fails += c.rep.v[i].status == CHECK_FAIL;
		if (fails)
			say(d, ROLE_ERROR, " %d check%s failed: read the remedy under each, fix it in Bob, "
			    "then q and r to run them again.", fails, fails == 1 ? "" : "s");
		else
			say(d, ROLE_OK, " Every check passed (warnings are fine). q, then Enter for the next step.");
		list_run(d, &ls);
		check_report_free(&c.rep);
		wiz_frame(3, "Checks", fails ? " r run the checks again  b back  q quit" :
		    " Enter next  r run again  b back  q quit");
		text_put(3, 2, fails ? "Some checks failed; the sync cannot start until they pass." :
		    "Every check passed.", COLS - 4, fails ? ROLE_ERROR : ROLE_OK);
		draw_message(d);
		refresh();
		ch = wiz_key(fails ? "rb" : "\nrb");
		if (ch == 0)
			return 0;
		if (ch == 'b')
			return -1;
		if (ch == '\n')
			return 1;
	}
}

/* Step 4: which syncs, with the choices the settings allow. */
static int
wiz_targets(struct dash *d)
{
	static const char *const text[] = {
		"Alleo: how should eligible people reach Alleo?",
		"  o off    u pull (Alleo reads HiBob itself: bobsync only checks and previews)",
		"  s SCIM (bobsync pushes accounts; needs the SCIM address and a client id/secret)",
		"  c CSV file (a folder or an SFTP address Alleo picks up from)",
		"Assembled: a toggles the time-off sync (approved requests on the agent's schedule).",
		"Other settings (budgets, policy map, conflicts) are in 'bobsync config list'.",
	};
	char line[256];
	int ch;

	for (;;) {
		wiz_frame(4, "Alleo and Assembled", " o/u/s/c Alleo  a Assembled  Enter next  b back");
		int y = wiz_text(2, text, ARRAY_LEN(text), ROLE_NORMAL);
		snprintf(line, sizeof line, "Now: Alleo %s; Assembled time off %s",
		    conf_get(d->env->conf, "alleo.mode"),
		    conf_get_bool(d->env->conf, "assembled.enabled") ? "on" : "off");
		text_put(y + 1, 2, line, COLS - 4, ROLE_OK);
		draw_message(d);
		refresh();
		ch = wiz_key("ousca\nb");
		if (ch < 0)
			continue;
		if (ch == 0)
			return 0;
		if (ch == 'b')
			return -1;
		if (ch == '\n')
			return 1;
		if (ch == 'a' && conf_get_bool(d->env->conf, "assembled.enabled")) {
			wiz_set(d, "assembled.enabled", "false");
		} else if (ch == 'a') {
			if (vault_get(*d->env->vault, VAULT_ASSEMBLED_KEY) == NULL) {
				struct bs_error err = { 0 };
				char *key = sodium_malloc(512);
				int got;
				if (key == NULL)
					continue;
				memset(key, 0, 512);
				text_put(y + 3, 2, "The Assembled API key (Settings > API keys in Assembled):",
				    COLS - 4, ROLE_NORMAL);
				got = field_edit(y + 4, "API key:", key, 512, 1) && !str_empty(key);
				if (got) {
					log_register_secret(key);
					if (vault_set(*d->env->vault, VAULT_ASSEMBLED_KEY, key, clock_now(),
					    &err) != BS_OK || vault_save(*d->env->vault, &err) != BS_OK) {
						say(d, ROLE_ERROR, " %s", bs_error_text(&err));
						got = 0;
					} else {
						session_close(d->s);
						session_init(d->s, d->env->conf, *d->env->vault,
						    d->env->store, NULL);
					}
				}
				sodium_free(key);
				if (!got)
					continue;
			}
			wiz_set(d, "assembled.enabled", "true");
		}
		else
			wiz_set(d, "alleo.mode", ch == 'o' ? "off" : ch == 'u' ? "pull" : ch == 's' ?
			    "scim" : "csv");
	}
}

/* Step 6: the first syncs, then how to keep it running. */
static int
wiz_enable(struct dash *d)
{
	static const char *const text[] = {
		"To keep it running, start the daemon (time off every 5 minutes, the roster daily):",
		"  bobsync daemon",
		"or as a service: systemctl enable --now bobsync   (see the README)",
		"or from cron:    */5 * * * * bobsync daemon --once",
	};
	struct bs_error err = { 0 };

	if (job_enabled(d->env->conf, JOB_ROSTER))
		screen_sync(d, JOB_ROSTER);
	if (job_enabled(d->env->conf, JOB_TIMEOFF))
		screen_sync(d, JOB_TIMEOFF);
	if (d->env->store != NULL &&
	    store_kv_set(d->env->store, "setup.done", "1", clock_now(), &err) != BS_OK)
		say(d, ROLE_ERROR, " %s", bs_error_text(&err));
	for (;;) {
		wiz_frame(6, "Enable", " Enter the dashboard  q quit");
		text_put(2, 2, "Setup is done.", COLS - 4, ROLE_OK);
		wiz_text(4, text, ARRAY_LEN(text), ROLE_NORMAL);
		draw_message(d);
		refresh();
		int ch = wiz_key("\n");
		if (ch >= 0)
			return ch == '\n';
	}
}

/* 1 when finished, 0 when left. */
static int
wizard(struct dash *d)
{
	int step = 1;

	while (step >= 1 && step <= WIZ_STEPS) {
		int r = 0;
		switch (step) {
		case 1: r = wiz_welcome(d); break;
		case 2: r = wiz_credentials(d); if (!r) { step = 1; continue; } break;
		case 3: r = wiz_checks(d); break;
		case 4: r = wiz_targets(d); break;
		case 5: screen_employees(d); r = 1; break;
		case 6: return wiz_enable(d);
		default: break;
		}
		if (term_interrupted())
			return 0;
		if (r == 0 && step != 2)
			return 0;
		step += r > 0 ? 1 : -1;
	}
	return 0;
}

int
dash_run(struct dash_env *e, int wiz)
{
	struct dash d;
	char why[256];

	memset(&d, 0, sizeof d);
	d.s = e->s;
	d.paths = e->paths;
	d.env = e;
	if (term_start(why, sizeof why) != 0) {
		fprintf(stderr, "bobsync: %s; use 'bobsync credentials set', 'bobsync check', "
		    "'bobsync preview employees', 'bobsync status' and 'bobsync sync' instead\n", why);
		return 1;
	}
	snprintf(d.message, sizeof d.message, " Press ? for help.");
	d.message_role = ROLE_DIM;
	if (wiz && !wizard(&d)) {
		term_stop();
		return 0;
	}
	for (;;) {
		int ch;

		if (term_too_small()) {
			ch = getch();
			if (ch == 'q' || term_interrupted())
				break;
			continue;
		}
		draw_home(&d);
		ch = getch();
		if (term_interrupted() || ch == 'q' || ch == CTRL_C)
			break;
		switch (ch) {
		case 'c': screen_checks(&d); break;
		case 'e': screen_employees(&d); break;
		case 'p': screen_sync(&d, JOB_ROSTER); break;
		case 't': screen_sync(&d, JOB_TIMEOFF); break;
		case 'l': screen_log(&d); break;
		case 'S': if (!wizard(&d)) goto out; break;
		case 'r': say(&d, ROLE_DIM, " Status read again."); break;
		case '?': help_overlay(" Keys of the dashboard", home_actions, ARRAY_LEN(home_actions)); break;
		default: break;
		}
	}
out:
	term_stop();
	return 0;
}
