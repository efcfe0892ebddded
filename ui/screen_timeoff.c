/* screen_timeoff.c - the HiBob time-off requests of the sync window: which
 * reach Assembled and which do not, with the reason, and the event start
 * and end as they will be created (in the agent's time zone).  Read in a
 * worker thread by toff_preview_run, the code `bobsync preview timeoff`
 * uses; nothing is written.  '/' filter, s or 1-5 sort, d detail pane,
 * r reads again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "busy.h"
#include "dash.h"
#include "console.h"
#include "text.h"
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
	/* "2026-06-01T09:00:00+02:00" -> "2026-06-01 09:00" */
	if (iso == NULL || strlen(iso) < 16 || iso[10] != 'T')
		snprintf(out, outsz, "%s", iso ? iso : "");
	else
		snprintf(out, outsz, "%.10s %.5s", iso, iso + 11);
	return out;
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
	    sizeof v->cell[0]) : it->first_date;
	case TOFF_COL_END: return it->end[0] ? toff_view_time(it->end, v->cell[1],
	    sizeof v->cell[1]) : it->last_date[0] ? it->last_date : it->first_date[0] ? "no end" : "";
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
	char parts[32] = "";

	if (it->nevents > 1)
		snprintf(parts, sizeof parts, ", in %zu parts", it->nevents);
	snprintf(v->detail, sizeof v->detail, "%s%s%s%s \xc2\xb7 request %lld \xc2\xb7 %s%s%s%s "
	    "\xc2\xb7 %s\n%s \xe2\x80\x94 %s\n%s: %s \xe2\x86\x92 %s%s%s%s%s\n"
	    "Assembled agent: %s", toff_view_name(it), it->email && it->name ? " <" : "",
	    it->email && it->name ? it->email : "", it->email && it->name ? ">" : "",
	    it->request_id, it->policy ? it->policy : "no policy", it->type ? " (" : "",
	    it->type ? type_words(it->type) : "", it->type ? ")" : "",
	    it->status ? it->status : "?",
	    it->sync ? "Syncs to Assembled" : "Skipped", it->reason ? it->reason : "",
	    it->start[0] || !it->first_date[0] ? "Event" : "Days in HiBob (no event)",
	    it->start[0] ? it->start : it->first_date[0] ? it->first_date : "(none)",
	    it->end[0] ? it->end : it->last_date[0] ? it->last_date :
	    it->first_date[0] ? "no end date" : "(none)",
	    it->zone ? " (" : "", it->zone ? it->zone : "", it->zone ? ")" : "", parts,
	    it->agent_id ? it->agent_id : "not matched");
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

void
toff_view_init(struct toff_view *v, struct toff_preview *p)
{
	memset(v, 0, sizeof *v);
	v->p = *p;
	memset(p, 0, sizeof *p);
	wlist_init(&v->list, toff_cols, TOFF_NCOLS, toff_view_cell, v);
	v->list.detail = toff_view_detail;
	v->list.show_detail = 1;
	wlist_set_rows(&v->list, v->p.n);
}

void
toff_view_free(struct toff_view *v)
{
	wlist_release(&v->list);
	toff_preview_free(&v->p);
	memset(v, 0, sizeof *v);
}

/* ---- the screen ---- */

enum { ACT_FILTER = 1, ACT_SORT, ACT_DETAIL, ACT_RELOAD, ACT_COL1, ACT_COL2, ACT_COL3,
	ACT_COL4, ACT_COL5 };

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
	struct busy busy;
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
	busy_start(ui, &st->busy, "Reading time off from HiBob and Assembled",
	    load_work, st);
}

static int
toff_open(struct tui *ui, struct tui_screen *s)
{
	load(ui, s->data);
	return 0;
}

static void
toff_close(struct tui *ui, struct tui_screen *s)
{
	struct toff_screen *st = s->data;

	(void)ui;
	busy_free(&st->busy);
	toff_preview_free(&st->loaded);
	if (st->have)
		toff_view_free(&st->v);
	free(st);
	s->data = NULL;
}

static const struct tui_action *
toff_actions(struct tui_screen *s, size_t *n)
{
	struct toff_screen *st = s->data;

	if (busy_running(&st->busy)) {
		*n = 0;
		return NULL;
	}
	if (!st->have) {
		*n = 1;		/* Filter is no use without rows: Reload only */
		return &actions[3];
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

	if (busy_running(&st->busy)) {
		busy_draw(&st->busy, ui, y + 1, x + 2, w - 4);
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

	if (busy_running(&st->busy))
		return TUI_UNHANDLED;	/* Esc/q: back (close stops the reading) */
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
toff_tick(struct tui *ui, struct tui_screen *s)
{
	struct toff_screen *st = s->data;
	struct bs_error err = { 0 };
	bs_rc rc;

	if (!busy_running(&st->busy))
		return 0;
	if (!busy_done(&st->busy, &rc, &err))
		return TUI_REDRAW;
	if (rc != BS_OK) {
		toff_preview_free(&st->loaded);
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
		return TUI_REDRAW;
	}
	if (st->have)
		toff_view_free(&st->v);
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
	.tick = toff_tick,
	.typing = toff_typing,
};

int
screen_timeoff_push(struct tui *ui, struct dash_env *e, const char *crumbs)
{
	struct toff_screen *st = xcalloc(1, sizeof *st);

	st->e = e;
	if (tui_push(ui, &toff_ops, st, "Time off", crumbs) != 0) {
		free(st);
		return -1;
	}
	return 0;
}
