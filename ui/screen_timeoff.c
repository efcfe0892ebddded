/* screen_timeoff.c - the HiBob time-off requests of the sync window: which
 * reach Assembled and which do not, with the reason, and the event start
 * and end as they will be created (in the agent's time zone).  Read in a
 * worker thread by toff_preview_run, the code `bobsync preview timeoff`
 * uses; nothing is written.  '/' filter, s or 1-5 sort, d detail pane,
 * r reads again. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "base/humantime.h"
#include "engine/describe.h"
#include "dash.h"
#include "console.h"
#include "base/text.h"
#include "engine/timeoff_preview.h"
#include "vendor/hibob.h"
#include "timeoff_view.h"
#include "tui.h"
#include "base/util.h"
#include "widget_list.h"
#include "widget_progress.h"

/* ---- rows (pure; timeoff_view.h) ---- */

static const struct wlist_column toff_cols[TOFF_NCOLS] = {
	{ "Name", 12, 2, 0 },
	{ "Start", 16, 0, 0 },
	{ "End", 16, 0, 0 },
	{ "Sync", 6, 0, 0 },
	{ "Reason", 10, 3, 0 },
};

const struct wlist_column *
toff_view_columns(void)
{
	return toff_cols;
}

char *
toff_view_time(const char *iso, char *out, size_t outsz)
{
	/* "2026-06-01T09:00:00+02:00" -> "Mon 1 Jun 09:00": the wall time
	 * where the person is (the offset the time carries), the year only
	 * when it is not this year */
	int64_t days;
	char date[HT_MAX];

	if (iso == NULL || strlen(iso) < 16 || iso[10] != 'T' || date_parse(iso, &days) != 0) {
		snprintf(out, outsz, "%s", iso ? iso : "");
		return out;
	}
	ht_date(days, ht_local_today(clock_now()), date);
	/* another year: "5 Jan 2027 13:00", without the weekday, to fit the
	 * column's 16 */
	if (strlen(date) > 10 && strchr(date, ' ') != NULL)
		snprintf(out, outsz, "%s %.5s", strchr(date, ' ') + 1, iso + 11);
	else
		snprintf(out, outsz, "%s %.5s", date, iso + 11);
	return out;
}

/* A request's day in HiBob ("2026-10-16", no event made for it) as the
 * list shows days: "Fri 16 Oct", the year when it is not this year. */
static const char *
toff_view_day(const char *ymd, char *out, size_t outsz)
{
	int64_t days;
	char date[HT_MAX];

	if (ymd == NULL || date_parse(ymd, &days) != 0) {
		snprintf(out, outsz, "%s", ymd ? ymd : "");
		return out;
	}
	ht_date(days, ht_local_today(clock_now()), date);
	snprintf(out, outsz, "%.39s", date);	/* "Tue 5 Jan 2027" at most */
	return out;
}

/* When a row starts or ends, for sorting: the event's instant, else the
 * request's day in HiBob (a skipped request has no event). */
static int64_t
toff_view_instant(const struct toff_preview_item *it, int end)
{
	const char *iso = end ? it->end : it->start;
	const char *ymd = end && it->last_date[0] ? it->last_date : it->first_date;
	int64_t t = 0, days;

	if (iso[0] && time_parse_iso(iso, &t) == 0)
		return t;
	if (ymd[0] && date_parse(ymd, &days) == 0)
		return days * 86400;
	return end ? INT64_MAX : 0;	/* no end date: last */
}

const char *
toff_view_name(const struct toff_preview_item *it)
{
	return it->name ? it->name : it->email ? it->email : it->employee_id;
}

const char *
toff_view_cell(void *ctx, size_t row, int col)
{
	struct toff_view *v = ctx;
	const struct toff_preview_item *it = &v->p.v[row];

	switch (col) {
	case TOFF_COL_NAME: return toff_view_name(it);
	/* a skipped request has no event: its days from HiBob instead */
	case TOFF_COL_START: return it->start[0] ? toff_view_time(it->start, v->cell[0],
	    sizeof v->cell[0]) : toff_view_day(it->first_date, v->cell[0], sizeof v->cell[0]);
	case TOFF_COL_END: return it->end[0] ? toff_view_time(it->end, v->cell[1],
	    sizeof v->cell[1]) : it->last_date[0] ? toff_view_day(it->last_date, v->cell[1],
	    sizeof v->cell[1]) : it->first_date[0] ? "no end" : "";
	case TOFF_COL_SYNC: return it->sync ? "sync" : "skip";
	case TOFF_COL_REASON: return it->reason;
	default: return NULL;
	}
}

/* HiBob's kind of request in words; an unknown one as HiBob names it */
static const char *
type_words(const char *raw)
{
	enum toff_type t = toff_type_parse(raw);

	return t == TOFF_TYPE_UNKNOWN ? raw : toff_type_words(t);
}

const char *
toff_view_detail(void *ctx, size_t row)
{
	struct toff_view *v = ctx;
	const struct toff_preview_item *it = &v->p.v[row];
	char parts[32] = "", evline[256];
	int64_t t0 = 0, t1 = 0;
	char *when;

	if (it->nevents > 1)
		snprintf(parts, sizeof parts, ", in %zu parts", it->nevents);
	/* the event in words, in the person's zone (engine/describe.c) */
	if (time_parse_iso(it->start, &t0) != 0 || time_parse_iso(it->end, &t1) != 0)
		t0 = t1 = 0;
	when = describe_span(t0, t1, it->zone, clock_now());
	if (it->start[0] || !it->first_date[0])
		snprintf(evline, sizeof evline, "Event: %s%s%s%s", *when ? when : "(none)",
		    *when && it->zone ? ", " : "", *when && it->zone ? it->zone : "", parts);
	else {	/* a skipped request: the days it asks for in HiBob */
		char d0[40], d1[40];
		snprintf(evline, sizeof evline, "Days in HiBob (no event): %s \xe2\x86\x92 %s%s",
		    toff_view_day(it->first_date, d0, sizeof d0), it->last_date[0] ?
		    toff_view_day(it->last_date, d1, sizeof d1) : "no end date", parts);
	}
	snprintf(v->detail, sizeof v->detail, "%s%s%s%s \xc2\xb7 request %lld \xc2\xb7 %s%s%s%s "
	    "\xc2\xb7 %s\n%s \xe2\x80\x94 %s\n%s\n"
	    "Assembled agent: %s", toff_view_name(it), it->email && it->name ? " <" : "",
	    it->email && it->name ? it->email : "", it->email && it->name ? ">" : "",
	    it->request_id, it->policy ? it->policy : "no policy", it->type ? " (" : "",
	    it->type ? type_words(it->type) : "", it->type ? ")" : "",
	    it->status ? it->status : "?",
	    it->sync ? "Syncs to Assembled" : "Skipped", it->reason ? it->reason : "",
	    evline, it->agent_id ? it->agent_id : "not matched");
	free(when);
	return v->detail;
}

char *
toff_view_counts(const struct toff_view *v, char *out, size_t outsz)
{
	char a[32], b[32], c[32];

	snprintf(out, outsz, "%s to %s: %s request%s, %s will sync to Assembled, %s will not",
	    v->p.from, v->p.to, wprog_number(a, sizeof a, (size_t)v->p.total),
	    v->p.total == 1 ? "" : "s", wprog_number(b, sizeof b, (size_t)v->p.sync),
	    wprog_number(c, sizeof c, (size_t)v->p.skip));
	return out;
}

/* Start and end sort by the instant (their cells are words now); the
 * other columns as text. */
static int
toff_view_cmp(void *ctx, size_t a, size_t b, int col)
{
	struct toff_view *v = ctx;
	const struct toff_preview_item *x = &v->p.v[a], *y = &v->p.v[b];

	if (col == TOFF_COL_START || col == TOFF_COL_END) {
		int64_t tx = toff_view_instant(x, col == TOFF_COL_END);
		int64_t ty = toff_view_instant(y, col == TOFF_COL_END);
		return tx < ty ? -1 : tx > ty;
	}
	{
		char *cx = xstrdup(toff_view_cell(v, a, col) ? toff_view_cell(v, a, col) : "");
		int r = text_casecmp(cx, toff_view_cell(v, b, col) ? toff_view_cell(v, b, col) : "");
		free(cx);
		return r;
	}
}

void
toff_view_init(struct toff_view *v, struct toff_preview *p)
{
	memset(v, 0, sizeof *v);
	v->p = *p;
	memset(p, 0, sizeof *p);
	wlist_init(&v->list, toff_cols, TOFF_NCOLS, toff_view_cell, v);
	v->list.cmp = toff_view_cmp;
	v->list.detail = toff_view_detail;
	v->list.show_detail = 1;
	wlist_set_rows(&v->list, v->p.n);
}

void
toff_view_clear(struct toff_view *v)
{
	wlist_release(&v->list);
	toff_preview_clear(&v->p);
	memset(v, 0, sizeof *v);
}

/* ---- the screen ---- */

enum { ACT_FILTER = 1, ACT_SORT, ACT_DETAIL, ACT_RELOAD, ACT_COL1, ACT_COL2, ACT_COL3,
	ACT_COL4, ACT_COL5, ACT_NEXT };

static const struct tui_action actions[] = {
	{ ACT_FILTER, "Filter", '/', "filter: part of a name, a date, sync/skip or a reason", 0 },
	{ ACT_SORT, "Sort", 's', "sort by the next column (again: the other way)", 0 },
	{ ACT_DETAIL, "Detail", 'd', "show or hide the detail pane (event times, zone, agent)", 0 },
	{ ACT_RELOAD, "Reload", 'r', "read the requests again", 0 },
	{ ACT_COL1, "Name", '1', "sort by name (again: reverse)", TUI_ACT_NOBAR },
	{ ACT_COL2, "Start", '2', "sort by start (again: reverse)", TUI_ACT_NOBAR },
	{ ACT_COL3, "End", '3', "sort by end (again: reverse)", TUI_ACT_NOBAR },
	{ ACT_COL4, "Sync", '4', "sort by sync or skip (again: reverse)", TUI_ACT_NOBAR },
	{ ACT_COL5, "Reason", '5', "sort by reason (again: reverse)", TUI_ACT_NOBAR },
};

struct toff_screen {
	struct dash_env *e;
	struct tui_screen *s;
	/* in the setup: Enter goes on */
	void (*on_next)(struct tui *, void *);
	void *next_ctx;
	struct tui_action step_actions[ARRAY_LEN(actions) + 1];	/* Next, then actions */
	struct toff_view v;
	int have;
	struct toff_preview loaded;
};

static bs_rc
load_work(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct toff_screen *st = arg;

	return toff_preview_run(st->e->s, NULL, NULL, p, &st->loaded, err);
}

static void
load(struct tui *ui, struct toff_screen *st)
{
	memset(&st->loaded, 0, sizeof st->loaded);
	tui_job_start(ui, st->s, "Reading time off from HiBob and Assembled",
	    load_work, st, TUI_JOB_QUEUE_KEYS);
}

static int
toff_open(struct tui *ui, struct tui_screen *s)
{
	struct toff_screen *st = s->data;

	st->s = s;
	load(ui, st);
	return 0;
}

static void
toff_close(struct tui *ui, struct tui_screen *s)
{
	struct toff_screen *st = s->data;

	(void)ui;
	toff_preview_clear(&st->loaded);
	if (st->have)
		toff_view_clear(&st->v);
	free(st);
	s->data = NULL;
}

static const struct tui_action *
toff_actions(struct tui_screen *s, size_t *n)
{
	struct toff_screen *st = s->data;

	if (tui_job_running(s)) {
		*n = 0;
		return NULL;
	}
	if (!st->have) {
		*n = 1;		/* Filter is no use without rows: Reload only */
		return &actions[3];
	}
	if (st->on_next != NULL) {
		*n = ARRAY_LEN(st->step_actions);
		return st->step_actions;
	}
	*n = sizeof actions / sizeof actions[0];
	return actions;
}

static int
toff_typing(struct tui_screen *s)
{
	struct toff_screen *st = s->data;

	return st->have && st->v.list.typing;
}

static void
toff_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct toff_screen *st = s->data;
	char line[512];

	if (tui_job_running(s)) {
		tui_job_draw(ui, s, y + 1, x + 2, w - 4);
		return;
	}
	if (!st->have) {
		text_put(y + 1, x + 2, "The requests could not be read (the reason is below).",
		    w - 4, ROLE_ERROR);
		text_put(y + 2, x + 2, "r reads them again; Esc goes back.", w - 4, ROLE_NORMAL);
		return;
	}
	text_put(y, x + 1, toff_view_counts(&st->v, line, sizeof line), w - 1, ROLE_OK);
	wlist_draw(&st->v.list, y + 1, x, h - 1, w);
}

static int
toff_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct toff_screen *st = s->data;

	if (tui_job_running(s))
		return TUI_UNHANDLED;	/* Esc/q: back (the pop stops the reading) */
	if (!st->v.list.typing || !st->have) {
		if (action == ACT_RELOAD) {
			load(ui, st);
			return TUI_HANDLED;
		}
		if (st->have && action >= ACT_COL1 && action <= ACT_COL5) {
			wlist_sort_toggle(&st->v.list, action - ACT_COL1);
			return TUI_HANDLED;
		}
	}
	if (!st->have)
		return TUI_UNHANDLED;
	if (action == ACT_NEXT && !st->v.list.typing) {
		st->on_next(ui, st->next_ctx);	/* closes this screen */
		return TUI_HANDLED;
	}
	switch (wlist_key(&st->v.list, key)) {
	case WLIST_HANDLED:
	case WLIST_FILTER_DONE:
	case WLIST_ACTIVATE:
		return TUI_HANDLED;
	default:
		return TUI_UNHANDLED;
	}
}

static int
toff_job_done(struct tui *ui, struct tui_screen *s, bs_rc rc, const struct bs_error *err)
{
	struct toff_screen *st = s->data;

	if (rc != BS_OK) {
		toff_preview_clear(&st->loaded);
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(err));
		return TUI_REDRAW;
	}
	if (st->have)
		toff_view_clear(&st->v);
	toff_view_init(&st->v, &st->loaded);
	st->have = 1;
	if (!st->v.p.assembled && st->v.p.assembled_problem[0])
		tui_say(ui, ROLE_WARN, " Assembled was not read: %s.", st->v.p.assembled_problem);
	return TUI_REDRAW;
}

static const struct tui_screen_ops toff_ops = {
	.name = "timeoff",
	.open = toff_open,
	.draw = toff_draw,
	.handle_key = toff_key,
	.close = toff_close,
	.actions = toff_actions,
	.typing = toff_typing,
	.job_done = toff_job_done,
};

int
screen_timeoff_push(struct tui *ui, struct dash_env *e, const char *crumbs)
{
	return screen_timeoff_step_push(ui, e, crumbs, NULL, NULL);
}

int
screen_timeoff_step_push(struct tui *ui, struct dash_env *e, const char *crumbs,
    void (*on_next)(struct tui *, void *), void *ctx)
{
	struct toff_screen *st = xcalloc(1, sizeof *st);

	st->e = e;
	st->on_next = on_next;
	st->next_ctx = ctx;
	st->step_actions[0] = (struct tui_action){ ACT_NEXT, "Next", UK_ENTER,
	    "go on to the next setup step", 0 };
	memcpy(st->step_actions + 1, actions, sizeof actions);
	if (tui_push(ui, &toff_ops, st, "Time off", crumbs) != 0) {
		free(st);
		return -1;
	}
	return 0;
}
