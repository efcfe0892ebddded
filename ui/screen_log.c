/* screen_log.c - the audit log: the runs, newest first, filtered by
 * result (f); Enter shows the actions of a run; p shows every action
 * about one person (email or employee id), f then filters them by
 * state; '/' filters the rows shown by any text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "console.h"
#include "engine/session.h"
#include "store/store.h"
#include "store/store_roster.h"
#include "tui.h"
#include "base/humantime.h"
#include "base/lock.h"
#include "base/paths.h"
#include "engine/describe.h"
#include "base/util.h"
#include "widget_list.h"
#include "widget_text.h"

enum { ACT_OPEN = 1, ACT_RESULT, ACT_PERSON, ACT_RUNS };
enum mode { M_RUNS, M_ACTIONS };

static const struct tui_action run_actions[] = {
	{ ACT_OPEN, "Actions", UK_ENTER, "the actions of the run under the cursor", 0 },
	{ ACT_RESULT, "Result", 'f', "filter the runs by result: ok, failed, blocked, partial, "
	  "aborted, interrupted, not run, then all", 0 },
	{ ACT_PERSON, "Person", 'p', "every action about one person (name, email or employee id)", 0 },
	{ 0, NULL, '/', "filter the rows shown by any text", TUI_ACT_NOBAR },
	{ 0, NULL, 'd', "show or hide the detail of the row", TUI_ACT_NOBAR },
};

static const struct tui_action action_actions[] = {
	{ ACT_RESULT, "State", 'f', "filter the actions by state: done, failed, skipped, "
	  "then all", 0 },
	{ ACT_PERSON, "Person", 'p', "every action about one person (name, email or employee id)", 0 },
	{ ACT_RUNS, "Runs", 'u', "back to the list of runs", 0 },
	{ 0, NULL, '/', "filter the rows shown by any text", TUI_ACT_NOBAR },
};

static const struct tui_action prompt_actions[] = {
	{ ACT_OPEN, "Show", UK_ENTER, "show the actions about this person", 0 },
};

static const struct wlist_column run_cols[] = {
	{ "RUN", 5, 0, 1 },
	{ "STARTED", 18, 0, 0 },
	{ "TARGET", 7, 0, 0 },
	{ "KIND", 9, 0, 0 },
	{ "RESULT", 11, 0, 0 },
	{ "APPLIED", 7, 0, 1 },
	{ "FAILED", 6, 0, 1 },
};

static const struct wlist_column action_cols[] = {
	{ "RUN", 5, 0, 1 },
	{ "ACTION", 10, 0, 0 },
	{ "WHO", 14, 2, 0 },
	{ "STATE", 7, 0, 0 },
	{ "WHY", 10, 3, 0 },
};

static const char *const run_results[] = { NULL, "ok", "failed", "blocked", "partial", "aborted",
	"interrupted", "not run" };
static const char *const action_states[] = { NULL, "done", "failed", "skipped" };

struct logscr {
	struct dash_env *e;
	enum mode mode;
	struct store_run *runs;
	size_t nruns;
	struct store_action *acts;
	size_t nacts;
	size_t *idx, nidx;
	int result;		/* index in run_results / action_states */
	int64_t run_id;		/* actions of this run, 0 = any */
	char person[256];	/* actions about this person, "" = any */
	int prompting;
	struct wtext prompt;
	struct wlist list;
	int width;		/* of the last draw, for wrapping the detail */
	char cell[512], detail[2048], text[2048];
};

static const char *
cell(void *ctx, size_t row, int col)
{
	struct logscr *g = ctx;

	if (g->mode == M_RUNS) {
		const struct store_run *r = &g->runs[g->idx[row]];
		switch (col) {
		case 0: snprintf(g->cell, sizeof g->cell, "%lld", (long long)r->id); return g->cell;
		case 1: ht_time(r->started_at, clock_now(), NULL, g->cell); return g->cell;
		case 2: return r->target;
		case 3: return r->kind;
		case 4: return r->result;
		case 5: snprintf(g->cell, sizeof g->cell, "%ld", r->applied); return g->cell;
		default: snprintf(g->cell, sizeof g->cell, "%ld", r->failed); return g->cell;
		}
	} else {
		const struct store_action *a = &g->acts[g->idx[row]];
		switch (col) {
		case 0: snprintf(g->cell, sizeof g->cell, "%lld", (long long)a->run_id); return g->cell;
		case 1: return a->op;
		case 2: return a->email && *a->email ? a->email : a->subject;
		case 3: return a->state;
		default: return a->error && *a->error ? a->error : a->reason;
		}
	}
}

static const char *
detail(void *ctx, size_t row)
{
	struct logscr *g = ctx;

	if (g->mode == M_RUNS) {
		const struct store_run *r = &g->runs[g->idx[row]];
		snprintf(g->text, sizeof g->text, "Run %lld, %s %s%s%s: %s (%ld applied, %ld failed, "
		    "%ld skipped, %ld requests, plan %.8s)\n%s", (long long)r->id, r->target, r->kind,
		    r->origin && *r->origin ? " started from the " : "", r->origin ? r->origin : "",
		    r->result, r->applied, r->failed, r->skipped, r->requests,
		    r->plan_id ? r->plan_id : "-", r->message ? r->message : "");
	} else {
		const struct store_action *a = &g->acts[g->idx[row]];
		/* the before/after in words (engine/describe.c), not JSON */
		char *changes = describe_action(a->target, a->op, a->before, a->after, clock_now());
		snprintf(g->text, sizeof g->text, "%s %s (%s): %s\n%s%s%s\nChanges: %s",
		    a->op, a->subject, a->email ? a->email : "", a->state, a->reason ? a->reason : "",
		    a->error && *a->error ? "\nError: " : "", a->error && *a->error ? a->error : "",
		    *changes ? changes : "none");
		free(changes);
	}
	return text_wrap_join(g->text, g->width, g->detail, sizeof g->detail);
}

static void
rebuild(struct logscr *g)
{
	size_t n = g->mode == M_RUNS ? g->nruns : g->nacts;
	const char *want = g->mode == M_RUNS ? run_results[g->result] : action_states[g->result];

	free(g->idx);
	g->idx = xcalloc(n + 1, sizeof *g->idx);
	g->nidx = 0;
	for (size_t i = 0; i < n; i++) {
		const char *have = g->mode == M_RUNS ? g->runs[i].result : g->acts[i].state;
		if (want == NULL || str_eq(have, want))
			g->idx[g->nidx++] = i;
	}
	wlist_set_rows(&g->list, g->nidx);
}

static void
set_mode(struct logscr *g, enum mode m)
{
	g->mode = m;
	g->result = 0;
	wlist_release(&g->list);
	if (m == M_RUNS)
		wlist_init(&g->list, run_cols, ARRAY_LEN(run_cols), cell, g);
	else
		wlist_init(&g->list, action_cols, ARRAY_LEN(action_cols), cell, g);
	g->list.detail = detail;
	g->list.show_detail = 1;
	rebuild(g);
}

static int
load_actions(struct tui *ui, struct logscr *g)
{
	struct store_action_filter f = { 0 };
	struct bs_error err = { 0 };

	store_actions_free(g->acts, g->nacts);
	g->acts = NULL;
	g->nacts = 0;
	f.run_id = g->run_id;
	f.subject = g->person[0] ? g->person : NULL;
	f.limit = 10000;
	if (store_actions_list(g->e->store, &f, &g->acts, &g->nacts, &err) != BS_OK) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
		return -1;
	}
	set_mode(g, M_ACTIONS);
	if (g->person[0])
		tui_say(ui, ROLE_DIM, " %zu action%s about %s.", g->nacts, g->nacts == 1 ? "" : "s",
		    g->person);
	else
		tui_say(ui, ROLE_DIM, " Run %lld: %zu action%s.", (long long)g->run_id, g->nacts,
		    g->nacts == 1 ? "" : "s");
	return 0;
}

static int
log_open(struct tui *ui, struct tui_screen *s)
{
	struct logscr *g = s->data;
	struct bs_error err = { 0 };

	if (g->e->store == NULL) {
		tui_say(ui, ROLE_DIM, " No run yet.");
		return -1;
	}
	if (store_runs_list(g->e->store, NULL, 10000, &g->runs, &g->nruns, &err) != BS_OK) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
		return -1;
	}
	/* a run killed from outside is shown as the interrupted run it is */
	store_runs_settle(g->runs, g->nruns, lock_held_since(g->e->paths->lock_file));
	wtext_init(&g->prompt, 254, 0);
	set_mode(g, M_RUNS);
	return 0;
}

static void
log_close(struct tui *ui, struct tui_screen *s)
{
	struct logscr *g = s->data;

	(void)ui;
	store_runs_free(g->runs, g->nruns);
	store_actions_free(g->acts, g->nacts);
	free(g->idx);
	wlist_release(&g->list);
	wtext_release(&g->prompt);
	free(g);
}

static const struct tui_action *
log_actions(struct tui_screen *s, size_t *n)
{
	struct logscr *g = s->data;

	if (g->prompting) {
		*n = ARRAY_LEN(prompt_actions);
		return prompt_actions;
	}
	if (g->mode == M_RUNS) {
		*n = ARRAY_LEN(run_actions);
		return run_actions;
	}
	*n = ARRAY_LEN(action_actions);
	return action_actions;
}

static int
log_typing(struct tui_screen *s)
{
	struct logscr *g = s->data;

	return g->prompting || g->list.typing;
}

static void
log_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct logscr *g = s->data;
	char line[512];
	const char *f = g->mode == M_RUNS ? run_results[g->result] : action_states[g->result];

	(void)ui;
	g->width = w - 2;
	if (g->mode == M_RUNS)
		snprintf(line, sizeof line, "Runs, newest first: %zu of %zu%s%s", g->nidx, g->nruns,
		    f ? "; result " : "", f ? f : "");
	else if (g->person[0])
		snprintf(line, sizeof line, "Actions about %s: %zu of %zu%s%s", g->person, g->nidx,
		    g->nacts, f ? "; state " : "", f ? f : "");
	else
		snprintf(line, sizeof line, "Actions of run %lld: %zu of %zu%s%s",
		    (long long)g->run_id, g->nidx, g->nacts, f ? "; state " : "", f ? f : "");
	text_put(y, x + 1, line, w - 2, ROLE_KEY);
	wlist_draw(&g->list, y + 2, x, h - 2, w);
	if (g->prompting) {
		/* drawn last: the cursor is left in the prompt */
		text_put(y + 1, x + 1, "Person (name, email or id):", 31, ROLE_NORMAL);
		wtext_draw(&g->prompt, y + 1, x + 33, w - 35, 1);
	}
}

/* The person prompt took a name (a letter, no @): look it up in the
 * roster table.  One match: who becomes their email (else id); several:
 * the admin picks (up to 9 shown); none: who stays as typed.  Returns -1
 * when the pick was cancelled. */
static int
pick_person(struct tui *ui, struct logscr *g, char *who, size_t whosz)
{
	enum { SHOWN = 9 };
	struct roster_rows rows = { 0 };
	struct bs_error err = { 0 };
	char *labels[SHOWN];
	const char *choices[SHOWN];
	int letter = 0, n, k;
	char text[160];

	for (const char *p = who; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (unsigned char)*p >= 0x80)
			letter = 1;
	if (!letter || strchr(who, '@') != NULL ||
	    store_roster_find_name(g->e->store, who, SHOWN + 1, &rows, &err) != BS_OK ||
	    rows.n == 0) {
		roster_rows_clear(&rows);
		return 0;
	}
	if (rows.n == 1) {
		snprintf(who, whosz, "%s", !str_empty(rows.v[0].email) ? rows.v[0].email :
		    rows.v[0].employee_id);
		roster_rows_clear(&rows);
		return 0;
	}
	n = rows.n > SHOWN ? SHOWN : (int)rows.n;
	for (int i = 0; i < n; i++) {
		labels[i] = xasprintf("%s %s <%s>", rows.v[i].first_name ? rows.v[i].first_name : "",
		    rows.v[i].last_name ? rows.v[i].last_name : "", rows.v[i].email ?
		    rows.v[i].email : rows.v[i].employee_id);
		choices[i] = labels[i];
	}
	snprintf(text, sizeof text, "%s people match '%.40s'%s\nWhose actions?",
	    rows.n > SHOWN ? "More" : rows.n == 2 ? "Two" : "Several", who,
	    rows.n > SHOWN ? " (the first 9 here;\ntype more of the name to narrow it)" : ":");
	k = tui_choose(ui, "Which person?", text, choices, n, 0);
	if (k >= 0)
		snprintf(who, whosz, "%s", !str_empty(rows.v[k].email) ? rows.v[k].email :
		    rows.v[k].employee_id);
	for (int i = 0; i < n; i++)
		free(labels[i]);
	roster_rows_clear(&rows);
	return k >= 0 ? 0 : -1;
}

static int
prompt_key(struct tui *ui, struct logscr *g, int key)
{
	char who[256];

	switch (wtext_key(&g->prompt, key)) {
	case WTEXT_SUBMIT:
		if (wtext_get(&g->prompt, who, sizeof who) == (size_t)-1)
			who[0] = '\0';
		str_trim(who);
		g->prompting = 0;
		if (who[0] == '\0')
			return TUI_HANDLED;
		if (pick_person(ui, g, who, sizeof who) != 0)
			return TUI_HANDLED;
		snprintf(g->person, sizeof g->person, "%s", who);
		g->run_id = 0;
		load_actions(ui, g);
		return TUI_HANDLED;
	case WTEXT_CANCEL:
		g->prompting = 0;
		return TUI_HANDLED;
	default:
		return TUI_HANDLED;
	}
}

static int
log_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct logscr *g = s->data;
	size_t cur;

	if (g->prompting)
		return prompt_key(ui, g, key);
	if (g->list.typing) {
		wlist_key(&g->list, key);
		return TUI_HANDLED;
	}
	switch (action) {
	case ACT_OPEN:
		cur = wlist_current(&g->list);
		if (g->mode != M_RUNS || cur == (size_t)-1)
			return TUI_HANDLED;
		g->run_id = g->runs[g->idx[cur]].id;
		g->person[0] = '\0';
		load_actions(ui, g);
		return TUI_HANDLED;
	case ACT_RESULT:
		g->result = (g->result + 1) % (int)(g->mode == M_RUNS ? ARRAY_LEN(run_results) :
		    ARRAY_LEN(action_states));
		rebuild(g);
		return TUI_HANDLED;
	case ACT_PERSON:
		wtext_clear(&g->prompt);
		g->prompting = 1;
		return TUI_HANDLED;
	case ACT_RUNS:
		set_mode(g, M_RUNS);
		return TUI_HANDLED;
	default:
		break;
	}
	if (key == UK_ESC && g->list.filter[0]) {
		wlist_set_filter(&g->list, "");
		return TUI_HANDLED;
	}
	if ((key == UK_ESC || key == 'q') && g->mode == M_ACTIONS) {
		set_mode(g, M_RUNS);
		return TUI_HANDLED;
	}
	return wlist_key(&g->list, key) != WLIST_UNHANDLED ? TUI_HANDLED : TUI_UNHANDLED;
}

static const struct tui_screen_ops log_ops = {
	.name = "log",
	.open = log_open,
	.draw = log_draw,
	.handle_key = log_key,
	.close = log_close,
	.actions = log_actions,
	.typing = log_typing,
};

int
screen_log_push(struct tui *ui, struct dash_env *e, const char *crumbs)
{
	struct logscr *g = xcalloc(1, sizeof *g);

	g->e = e;
	if (tui_push(ui, &log_ops, g, "Audit log", crumbs) != 0) {
		free(g);
		return -1;
	}
	return 0;
}
