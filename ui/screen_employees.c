/* screen_employees.c - who gets an Alleo account and why.
 *
 * The roster is read from HiBob in a worker thread (roster_source_fetch,
 * the code the sync and `bobsync preview employees` use), then shown as a
 * list: counts at the top, '/' filter, sort by column (s cycles, 1-5 pick
 * a column), the detail pane with each eligibility rule, Space/a select.
 * b sets alleo_access to yes or no for the selected people (or, when none
 * is selected, everyone passing the filter): through the HiBob API after a
 * confirmation, person by person with a result line each (core/admin/access.c,
 * as `bobsync access set`), or as a CSV for Bob's People > Import.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/access.h"
#include "config/conf.h"
#include "dash.h"
#include "employees.h"
#include "console.h"
#include "engine/session.h"
#include "base/text.h"
#include "tui.h"
#include "base/util.h"
#include "widget_list.h"
#include "widget_progress.h"
#include "widget_text.h"

/* ---- the model (pure) ---- */

static const struct wlist_column emp_cols[EMP_NCOLS] = {
	{ "Name", 12, 3, 0 },
	{ "Email", 12, 3, 0 },
	{ "Access", 8, 0, 0 },
	{ "Account", 9, 0, 0 },
	{ "Lifecycle", 9, 1, 0 },
};

const char *
emp_account_word(enum roster_verdict v)
{
	switch (v) {
	case ROSTER_ELIGIBLE: return "yes";
	case ROSTER_INELIGIBLE: return "no";
	case ROSTER_UNKNOWN: return "on hold";
	}
	return "?";
}

void
emp_model_init(struct emp_model *m, struct roster_source *src)
{
	memset(m, 0, sizeof *m);
	m->src = *src;
	memset(src, 0, sizeof *src);
	m->names = xcalloc(m->src.people.n + 1, sizeof *m->names);
	for (size_t i = 0; i < m->src.people.n; i++)
		m->names[i] = bob_person_name(&m->src.people.v[i]);
	wlist_init(&m->list, emp_cols, EMP_NCOLS, emp_cell, m);
	m->list.detail = emp_detail;
	m->list.multi = 1;
	m->list.show_detail = 1;
	wlist_set_rows(&m->list, m->src.people.n);
}

void
emp_model_clear(struct emp_model *m)
{
	if (m->names != NULL)
		for (size_t i = 0; i < m->src.people.n; i++)
			free(m->names[i]);
	free(m->names);
	wlist_release(&m->list);
	roster_source_clear(&m->src);
	memset(m, 0, sizeof *m);
}

const char *
emp_cell(void *ctx, size_t row, int col)
{
	struct emp_model *m = ctx;
	const struct bob_person *p = &m->src.people.v[row];

	switch (col) {
	case EMP_NAME: return m->names[row];
	case EMP_EMAIL: return p->email;
	case EMP_ACCESS:
		return p->access == BOB_ACCESS_OTHER && p->access_value ? p->access_value :
		    bob_access_name(p->access);
	case EMP_ACCOUNT: return emp_account_word(m->src.evals[row].verdict);
	case EMP_LIFECYCLE: return p->lifecycle;
	default: return NULL;
	}
}

static const char *
rule_word(int pass)
{
	return pass > 0 ? "pass" : pass == 0 ? "FAIL" : " ?  ";
}

const char *
emp_detail(void *ctx, size_t row)
{
	struct emp_model *m = ctx;
	const struct bob_person *p = &m->src.people.v[row];
	const struct roster_kept_eval *e = &m->src.evals[row];
	size_t o;

	o = (size_t)snprintf(m->detail, sizeof m->detail, "%s <%s> \xc2\xb7 HiBob id %s%s%s\n"
	    "Account: %s \xe2\x80\x94 %s", m->names[row], p->email ? p->email : "no work email",
	    p->id, p->site ? " \xc2\xb7 " : "", p->site ? p->site : "",
	    emp_account_word(e->verdict), e->reason);
	if (e->verdict == ROSTER_UNKNOWN && o < sizeof m->detail)
		o += (size_t)snprintf(m->detail + o, sizeof m->detail - o, "\nOn hold: bobsync "
		    "neither gives nor takes away their Alleo account until this is settled.");
	for (size_t k = 0; k < sizeof e->rules / sizeof e->rules[0] && o < sizeof m->detail; k++) {
		char words[600];
		o += (size_t)snprintf(m->detail + o, sizeof m->detail - o, "\n  %s  %s",
		    rule_word(e->rules[k].pass), roster_rule_words(&e->rules[k], words,
		    sizeof words));
	}
	return m->detail;
}

char *
emp_counts(const struct emp_model *m, char *out, size_t outsz)
{
	char n[32], a[32], b[32], c[32];
	size_t o;

	o = (size_t)snprintf(out, outsz, "%s people: %s get an Alleo account, %s do not, %s on hold",
	    wprog_number(n, sizeof n, m->src.people.n),
	    wprog_number(a, sizeof a, (size_t)m->src.eligible),
	    wprog_number(b, sizeof b, (size_t)m->src.ineligible),
	    wprog_number(c, sizeof c, (size_t)m->src.unknown));
	if (m->list.nsel > 0 && o < outsz)
		snprintf(out + o, outsz - o, " \xc2\xb7 %s selected",
		    wprog_number(n, sizeof n, m->list.nsel));
	return out;
}

size_t
emp_select_filtered(struct emp_model *m)
{
	struct wlist *l = &m->list;
	int all = l->nvis > 0;

	for (size_t i = 0; i < l->nvis && all; i++)
		all = wlist_selected(l, l->vis[i]);
	for (size_t i = 0; i < l->nvis; i++)
		wlist_select(l, l->vis[i], !all);
	return l->nsel;
}

size_t *
emp_targets(const struct emp_model *m, size_t *n, int *selected)
{
	const struct wlist *l = &m->list;
	size_t *out;

	*selected = l->nsel > 0;
	if (*selected) {
		out = xcalloc(l->nsel + 1, sizeof *out);
		*n = wlist_selection(l, out, l->nsel);
	} else {
		out = xcalloc(l->nvis + 1, sizeof *out);
		memcpy(out, l->vis, l->nvis * sizeof *out);
		*n = l->nvis;
	}
	return out;
}

/* ---- the screen ---- */

enum mode { M_LOADING, M_FAILED, M_LIST, M_PROMPT, M_SETTING, M_RESULTS };

enum {
	ACT_FILTER = 1, ACT_SORT, ACT_SELECT, ACT_ALL, ACT_SET, ACT_DETAIL, ACT_EXPLAIN,
	ACT_RELOAD, ACT_COL1, ACT_COL2, ACT_COL3, ACT_COL4, ACT_COL5, ACT_SAVE, ACT_NEXT
};

static const struct tui_action list_actions[] = {
	{ ACT_FILTER, "Filter", '/', "filter: type part of a name, email, value or word", 0 },
	{ ACT_SORT, "Sort", 's', "sort by the next column (again: the other way)", 0 },
	{ ACT_SELECT, "Select", ' ', "select or unselect the person under the cursor", 0 },
	{ ACT_ALL, "All", 'a', "select everyone the filter shows (again: unselect them)", 0 },
	{ ACT_SET, "Set access", 'b', "set alleo_access to yes or no for the selected people "
	  "(none selected: everyone shown), in HiBob or as a CSV for People > Import", 0 },
	{ ACT_EXPLAIN, "Explain", UK_ENTER, "everything that decides this person's account, with "
	  "what Alleo holds and what a sync would do", 0 },
	{ ACT_DETAIL, "Detail", 'd', "show or hide the detail pane", TUI_ACT_NOBAR },
	{ ACT_COL1, "Name", '1', "sort by name (again: reverse)", TUI_ACT_NOBAR },
	{ ACT_COL2, "Email", '2', "sort by email (again: reverse)", TUI_ACT_NOBAR },
	{ ACT_COL3, "Access", '3', "sort by the alleo_access value (again: reverse)",
	  TUI_ACT_NOBAR },
	{ ACT_COL4, "Account", '4', "sort by whether they get an account (again: reverse)",
	  TUI_ACT_NOBAR },
	{ ACT_COL5, "Lifecycle", '5', "sort by lifecycle (again: reverse)", TUI_ACT_NOBAR },
	{ ACT_RELOAD, "Reload", 'r', "read everyone from HiBob again", TUI_ACT_NOBAR },
};

static const struct tui_action prompt_actions[] = {
	{ ACT_SAVE, "Save", UK_ENTER, "write the CSV file to this path", 0 },
};

static const struct tui_action results_actions[] = {
	{ ACT_FILTER, "Filter", '/', "filter the results (e.g. failed)", 0 },
};

static const struct tui_action busy_actions[] = {
	{ ACT_RELOAD, "Reload", 'r', "read everyone from HiBob again (after a failure)", 0 },
};

/* One person's result of a bulk set. */
struct emp_result {
	size_t row;
	char *text;
};

struct emp_screen {
	struct dash_env *e;
	enum mode mode;
	struct tui_screen *s;
	struct emp_model m;
	int have_model;
	/* the load job */
	struct roster_source loaded;
	/* the bulk set job and its results */
	char value[4];
	size_t *targets, ntargets;
	const char **ids;
	struct emp_result *res;
	size_t nres;
	struct access_tally tally;
	struct wlist rlist;
	char res_text[BS_ERROR_DETAIL_MAX + 256];
	char rbuf[64];
	/* the CSV path prompt */
	struct wtext path;
	int csv_selected;
	/* in the setup: Enter goes on (on_next), e explains */
	void (*on_next)(struct tui *, void *);
	void *next_ctx;
	struct tui_action step_actions[ARRAY_LEN(list_actions) + 1];
};

static const struct wlist_column res_cols[] = {
	{ "Name", 12, 2, 0 },
	{ "Email", 12, 2, 0 },
	{ "Result", 20, 3, 0 },
};

static const char *
res_cell(void *ctx, size_t row, int col)
{
	struct emp_screen *st = ctx;

	if (col == 2)
		return row < st->nres ? st->res[row].text : "not tried";
	return emp_cell(&st->m, st->targets[row], col == 0 ? EMP_NAME : EMP_EMAIL);
}

/* The whole result of the highlighted person, wrapped in the detail pane
 * (the Result column cuts it). */
static const char *
res_detail(void *ctx, size_t row)
{
	struct emp_screen *st = ctx;

	snprintf(st->res_text, sizeof st->res_text, "%s: %s",
	    emp_cell(&st->m, st->targets[row], EMP_NAME),
	    row < st->nres ? st->res[row].text : "not tried");
	return st->res_text;
}

static bs_rc
load_work(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct emp_screen *st = arg;

	return roster_source_fetch(st->e->s, p, &st->loaded, err);
}

static void
load(struct tui *ui, struct emp_screen *st)
{
	memset(&st->loaded, 0, sizeof st->loaded);
	if (tui_job_start(ui, st->s, "Reading everyone from HiBob", load_work, st,
	    TUI_JOB_QUEUE_KEYS) == 0)
		st->mode = M_LOADING;
	else
		st->mode = st->have_model ? M_LIST : M_FAILED;
}

static void
got_result(void *ctx, const struct access_result *r)
{
	struct emp_screen *st = ctx;
	char text[BS_ERROR_DETAIL_MAX + 128];

	if (st->nres < st->ntargets) {
		st->res[st->nres].row = st->targets[st->nres];
		st->res[st->nres].text = xstrdup(access_outcome_text(r, st->value, text,
		    sizeof text));
		st->nres++;
	}
}

static bs_rc
set_work(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct emp_screen *st = arg;

	return access_set_run(st->e->s, &st->m.src, st->value, st->ids, st->ntargets, p,
	    got_result, st, &st->tally, err);
}

static void
clear_job(struct emp_screen *st)
{
	for (size_t i = 0; i < st->nres; i++)
		free(st->res[i].text);
	free(st->res);
	free(st->ids);
	free(st->targets);
	wlist_release(&st->rlist);
	st->res = NULL;
	st->ids = NULL;
	st->targets = NULL;
	st->nres = st->ntargets = 0;
}

static int
emp_open(struct tui *ui, struct tui_screen *s)
{
	struct emp_screen *st = s->data;

	st->s = s;
	wtext_init(&st->path, 512, 0);
	load(ui, st);
	return 0;
}

static void
emp_close(struct tui *ui, struct tui_screen *s)
{
	struct emp_screen *st = s->data;

	(void)ui;
	roster_source_clear(&st->loaded);
	clear_job(st);
	if (st->have_model)
		emp_model_clear(&st->m);
	wtext_release(&st->path);
	free(st);
	s->data = NULL;
}

static const struct tui_action *
emp_actions(struct tui_screen *s, size_t *n)
{
	struct emp_screen *st = s->data;

	switch (st->mode) {
	case M_LIST:
		*n = sizeof list_actions / sizeof list_actions[0];
		if (st->on_next != NULL) {
			(*n)++;
			return st->step_actions;
		}
		return list_actions;
	case M_PROMPT:
		*n = sizeof prompt_actions / sizeof prompt_actions[0];
		return prompt_actions;
	case M_RESULTS:
		*n = sizeof results_actions / sizeof results_actions[0];
		return results_actions;
	case M_FAILED:
		*n = sizeof busy_actions / sizeof busy_actions[0];
		return busy_actions;
	default:
		*n = 0;
		return NULL;
	}
}

static int
emp_typing(struct tui_screen *s)
{
	struct emp_screen *st = s->data;

	return st->mode == M_PROMPT || (st->mode == M_LIST && st->m.list.typing) ||
	    (st->mode == M_RESULTS && st->rlist.typing);
}

static void
emp_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct emp_screen *st = s->data;
	char line[512];

	switch (st->mode) {
	case M_LOADING:
	case M_SETTING:
		tui_job_draw(ui, s, y + 1, x + 2, w - 4);
		break;
	case M_FAILED:
		text_put(y + 1, x + 2, "The people could not be read (the reason is below).", w - 4,
		    ROLE_ERROR);
		text_put(y + 2, x + 2, "r reads them again; Esc goes back.", w - 4, ROLE_NORMAL);
		break;
	case M_RESULTS:
		snprintf(line, sizeof line, "alleo_access set to %s: %zu changed, %zu already %s, "
		    "%zu failed", st->value, st->tally.changed, st->tally.same, st->value,
		    st->tally.failed);
		text_put(y, x + 1, line, w - 1, st->tally.failed ? ROLE_WARN : ROLE_OK);
		wlist_draw(&st->rlist, y + 1, x, h - 2, w);
		text_put(y + h - 1, x + 1, "Esc: back to the list (read again from HiBob)", w - 1,
		    ROLE_DIM);
		break;
	case M_PROMPT:
	case M_LIST:
		text_put(y, x + 1, emp_counts(&st->m, line, sizeof line), w - 1, ROLE_OK);
		if (st->mode == M_LIST) {
			wlist_draw(&st->m.list, y + 1, x, h - 1, w);
			break;
		}
		wlist_draw(&st->m.list, y + 1, x, h - 4, w);
		snprintf(line, sizeof line, "CSV for People > Import, alleo_access = %s for %zu "
		    "people. Save to (Enter saves, Esc cancels):", st->value, st->ntargets);
		text_put(y + h - 3, x + 1, line, w - 1, ROLE_KEY);
		wtext_draw(&st->path, y + h - 2, x + 1, w - 2, 1);
		if (st->path.msg[0])
			text_put(y + h - 1, x + 1, st->path.msg, w - 1, ROLE_ERROR);
		break;
	}
}

static void
start_set(struct tui *ui, struct emp_screen *st)
{
	st->ids = xcalloc(st->ntargets + 1, sizeof *st->ids);
	for (size_t i = 0; i < st->ntargets; i++)
		st->ids[i] = st->m.src.people.v[st->targets[i]].id;
	st->res = xcalloc(st->ntargets + 1, sizeof *st->res);
	memset(&st->tally, 0, sizeof st->tally);
	if (tui_job_start(ui, st->s, "Setting alleo_access in HiBob", set_work, st, 0) == 0)
		st->mode = M_SETTING;
	else
		clear_job(st);
}

static void
start_prompt(struct emp_screen *st)
{
	char cwd[1024], *p;

	if (getcwd(cwd, sizeof cwd) == NULL)
		snprintf(cwd, sizeof cwd, ".");
	p = xasprintf("%s/alleo_access_import.csv", cwd);
	wtext_set(&st->path, p);
	wtext_set_msg(&st->path, NULL);
	free(p);
	st->mode = M_PROMPT;
}

static void
save_csv(struct tui *ui, struct emp_screen *st)
{
	struct bs_error err = { 0 };
	struct access_export x;
	char *path = wtext_dup(&st->path);

	str_trim(path);
	if (*path == '\0') {
		wtext_set_msg(&st->path, "type a file name first");
	} else if (access_export_build(&st->m.src, st->e->conf, st->targets, st->ntargets,
	    st->value, &x, &err) != BS_OK ||
	    util_write_atomic(path, x.text, x.len, 0600, &err) != BS_OK) {
		free(x.text);
		wtext_set_msg(&st->path, bs_error_text(&err));
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
	} else {
		free(x.text);
		tui_say(ui, ROLE_OK, " Wrote %s: %zu people with alleo_access %s. Import it in Bob: "
		    "People > Import.", path, x.rows, st->value);
		clear_job(st);
		st->mode = M_LIST;
	}
	free(path);
}

/* b: yes or no, through the API or as a CSV, for the targets. */
static int
bulk_set(struct tui *ui, struct emp_screen *st)
{
	static const char *const choices[] = {
		"yes, in HiBob now (through the API)",
		"no, in HiBob now (through the API)",
		"yes, in a CSV file for People > Import",
		"no, in a CSV file for People > Import",
	};
	char title[128], text[256], nbuf[32];
	int selected, c;

	clear_job(st);
	st->targets = emp_targets(&st->m, &st->ntargets, &selected);
	if (st->ntargets == 0) {
		tui_say(ui, ROLE_WARN, " No one to set: the filter shows no one.");
		clear_job(st);
		return TUI_HANDLED;
	}
	wprog_number(nbuf, sizeof nbuf, st->ntargets);
	snprintf(title, sizeof title, "Set alleo_access");
	snprintf(text, sizeof text, "For %s %s %s. Set alleo_access to:", nbuf,
	    selected ? "selected" : st->m.list.filter[0] ? "filtered" : "listed",
	    st->ntargets == 1 ? "person" : "people");
	c = tui_choose(ui, title, text, choices, 4, 0);
	if (c < 0) {
		clear_job(st);
		return TUI_HANDLED;
	}
	snprintf(st->value, sizeof st->value, "%s", c % 2 == 0 ? "yes" : "no");
	if (c >= 2) {
		start_prompt(st);
		return TUI_HANDLED;
	}
	snprintf(text, sizeof text, "Set alleo_access to %s in HiBob for %s %s? HiBob changes "
	    "at once; the next sync follows it.", st->value, nbuf,
	    st->ntargets == 1 ? "person" : "people");
	if (!tui_confirm(ui, "Change HiBob", text, 1)) {
		tui_say(ui, ROLE_DIM, " Nothing changed.");
		clear_job(st);
		return TUI_HANDLED;
	}
	start_set(ui, st);
	return TUI_HANDLED;
}

static int
list_key(struct tui *ui, struct tui_screen *s, struct emp_screen *st, int key, int action)
{
	struct wlist *l = &st->m.list;
	size_t row;

	if (!l->typing) {
		switch (action) {
		case ACT_NEXT:
			st->on_next(ui, st->next_ctx);	/* closes this screen */
			return TUI_HANDLED;
		case ACT_EXPLAIN:
			if (st->on_next == NULL)
				break;		/* Enter: the list's own activate */
			if ((row = wlist_current(l)) != (size_t)-1) {
				char crumbs[200];
				snprintf(crumbs, sizeof crumbs, "%s \xc2\xb7 Explain", s->crumbs[0] ?
				    s->crumbs : s->title);
				screen_explain_push(ui, st->e, st->m.src.people.v[row].id, crumbs);
			}
			return TUI_HANDLED;
		case ACT_ALL:
			emp_select_filtered(&st->m);
			return TUI_HANDLED;
		case ACT_SET:
			return bulk_set(ui, st);
		case ACT_RELOAD:
			load(ui, st);
			return TUI_HANDLED;
		case ACT_COL1: case ACT_COL2: case ACT_COL3: case ACT_COL4: case ACT_COL5:
			wlist_sort_toggle(&st->m.list, action - ACT_COL1);
			return TUI_HANDLED;
		default:
			break;
		}
	}
	switch (wlist_key(l, key)) {
	case WLIST_ACTIVATE:
		row = wlist_current(l);
		if (row != (size_t)-1 && st->on_next == NULL) {
			char crumbs[200];
			snprintf(crumbs, sizeof crumbs, "%s \xc2\xb7 Explain", s->crumbs[0] ?
			    s->crumbs : s->title);
			screen_explain_push(ui, st->e, st->m.src.people.v[row].id, crumbs);
		}
		return TUI_HANDLED;
	case WLIST_HANDLED:
	case WLIST_FILTER_DONE:
		return TUI_HANDLED;
	default:
		return TUI_UNHANDLED;
	}
}

static int
emp_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct emp_screen *st = s->data;

	switch (st->mode) {
	case M_LOADING:
		return TUI_UNHANDLED;	/* Esc/q: back (the pop stops the reading) */
	case M_SETTING:
		if (key == UK_ESC || key == 'q') {
			tui_job_cancel(s);
			return TUI_HANDLED;
		}
		return TUI_HANDLED;
	case M_FAILED:
		if (action == ACT_RELOAD) {
			load(ui, st);
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;
	case M_PROMPT:
		switch (wtext_key(&st->path, key)) {
		case WTEXT_SUBMIT:
			save_csv(ui, st);
			return TUI_HANDLED;
		case WTEXT_CANCEL:
			clear_job(st);
			st->mode = M_LIST;
			tui_say(ui, ROLE_DIM, " No file written.");
			return TUI_HANDLED;
		case WTEXT_CHANGED:
			wtext_set_msg(&st->path, NULL);
			return TUI_HANDLED;
		default:
			return TUI_HANDLED;
		}
	case M_RESULTS:
		switch (wlist_key(&st->rlist, key)) {
		case WLIST_UNHANDLED:
			if (key == UK_ESC || key == 'q') {
				clear_job(st);
				load(ui, st);
				return TUI_HANDLED;
			}
			return TUI_UNHANDLED;
		default:
			return TUI_HANDLED;
		}
	case M_LIST:
		return list_key(ui, s, st, key, action);
	}
	return TUI_UNHANDLED;
}

static int
emp_job_done(struct tui *ui, struct tui_screen *s, bs_rc rc, const struct bs_error *err)
{
	struct emp_screen *st = s->data;

	if (st->mode == M_LOADING) {
		if (rc != BS_OK) {
			roster_source_clear(&st->loaded);
			tui_say(ui, ROLE_ERROR, " %s", bs_error_text(err));
			st->mode = st->have_model ? M_LIST : M_FAILED;
			return TUI_REDRAW;
		}
		char filter[WLIST_FILTER_MAX] = "";
		int sort_col = -1, sort_desc = 0;

		/* read again (after a bulk set, or r): the admin's filter and
		 * sort order stay as they were */
		if (st->have_model) {
			snprintf(filter, sizeof filter, "%s", st->m.list.filter);
			sort_col = st->m.list.sort_col;
			sort_desc = st->m.list.sort_desc;
			emp_model_clear(&st->m);
		}
		emp_model_init(&st->m, &st->loaded);
		if (sort_col >= 0)
			wlist_sort(&st->m.list, sort_col, sort_desc);
		if (filter[0])
			wlist_set_filter(&st->m.list, filter);
		st->have_model = 1;
		st->mode = M_LIST;
		if (st->m.src.field_problem[0])
			tui_say(ui, ROLE_WARN, " %s: everyone's access is unknown (Checks say how to "
			    "fix it)", st->m.src.field_problem);
		return TUI_REDRAW;
	}
	if (st->mode == M_SETTING && rc != BS_OK && rc != BS_ERR_CANCELLED && st->nres == 0) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(err));
		clear_job(st);
		st->mode = M_LIST;
		return TUI_REDRAW;
	}
	if (st->mode == M_SETTING) {
		wlist_init(&st->rlist, res_cols, 3, res_cell, st);
		st->rlist.detail = res_detail;
		st->rlist.show_detail = 1;
		wlist_set_rows(&st->rlist, st->ntargets);
		st->mode = M_RESULTS;
		tui_say(ui, st->tally.failed ? ROLE_WARN : ROLE_OK, " %zu changed, %zu already "
			    "%s, %zu failed%s.", st->tally.changed, st->tally.same, st->value,
			    st->tally.failed, rc == BS_ERR_CANCELLED ? " (stopped)" : "");
		return TUI_REDRAW;
	}
	return 0;
}

static const struct tui_screen_ops emp_ops = {
	.name = "employees",
	.open = emp_open,
	.draw = emp_draw,
	.handle_key = emp_key,
	.close = emp_close,
	.actions = emp_actions,
	.typing = emp_typing,
	.job_done = emp_job_done,
};

int
screen_employees_push(struct tui *ui, struct dash_env *e, const char *crumbs)
{
	return screen_employees_step_push(ui, e, crumbs, NULL, NULL);
}

int
screen_employees_step_push(struct tui *ui, struct dash_env *e, const char *crumbs,
    void (*on_next)(struct tui *, void *), void *ctx)
{
	struct emp_screen *st = xcalloc(1, sizeof *st);

	st->e = e;
	st->on_next = on_next;
	st->next_ctx = ctx;
	if (on_next != NULL) {
		/* Enter goes on; Explain moves to e */
		st->step_actions[0] = (struct tui_action){ ACT_NEXT, "Next", UK_ENTER,
		    "go on to the next setup step", 0 };
		for (size_t i = 0; i < ARRAY_LEN(list_actions); i++) {
			st->step_actions[i + 1] = list_actions[i];
			if (list_actions[i].id == ACT_EXPLAIN)
				st->step_actions[i + 1].key = 'e';
		}
	}
	if (tui_push(ui, &emp_ops, st, "Employees", crumbs) != 0) {
		free(st);
		return -1;
	}
	return 0;
}
