/* screen_credentials.c - replace the secrets in the vault: the HiBob
 * Service User ID and token, the Assembled API key, Alleo's SCIM client id
 * and secret.  The list says what is stored and since when (never the
 * values); Enter opens a form for one set (identifiers shown while typed,
 * secrets masked, Ctrl-R shows them), and after a confirmation the values
 * are written to the vault at once (vault_store) and the
 * session's clients are made again with them.  Nothing is written when
 * the form is left with Esc or the confirmation is declined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dash.h"
#include "console.h"
#include "base/log.h"
#include "base/paths.h"
#include "engine/session.h"
#include "base/text.h"
#include "tui.h"
#include "base/humantime.h"
#include "base/util.h"
#include "config/vault.h"
#include "widget_form.h"
#include "widget_list.h"

#define SECRET_FIELD_MAX 1000	/* characters; UTF-8 needs at most 4 bytes each */

/* The sets of secrets replaced together. */
static const struct cred_set {
	const char *name;
	const char *what;
	int n;
	enum vault_key keys[2];
	const char *labels[2];
	int masked[2];
	const char *help;
} sets[] = {
	{ "HiBob", "the HiBob Service User ID and token", 2,
	  { VAULT_HIBOB_ID, VAULT_HIBOB_TOKEN }, { "Service User ID", "Token" }, { 0, 1 },
	  "Bob: Settings > Integrations > Service Users (the token is shown once)" },
	{ "Assembled", "the Assembled API key", 1,
	  { VAULT_ASSEMBLED_KEY }, { "API key" }, { 1 },
	  "Assembled: Settings > API keys" },
	{ "Alleo (SCIM)", "Alleo's SCIM client id and secret", 2,
	  { VAULT_ALLEO_CLIENT_ID, VAULT_ALLEO_CLIENT_SECRET }, { "Client id", "Client secret" },
	  { 0, 1 }, "from Alleo, for alleo.mode scim" },
};
#define NSETS (sizeof sets / sizeof sets[0])

enum { COL_WHAT, COL_STORED, NCOLS };

static const struct wlist_column cols[NCOLS] = {
	{ "Credentials", 20, 1, 0 },
	{ "In the vault", 30, 2, 0 },
};

enum { ACT_REPLACE = 1, ACT_STORE };

static const struct tui_action list_actions[] = {
	{ ACT_REPLACE, "Replace", UK_ENTER, "type new values for these credentials", 0 },
};

static const struct tui_action form_actions[] = {
	{ ACT_STORE, "Store", UK_ENTER, "store the values in the vault (asks first)", 0 },
	{ 0, "Next field", UK_TAB, "the next field (also Up/Down)", TUI_ACT_NOBAR },
	{ 0, "Show", UK_CTRL('r'), "show or hide what was typed in a secret field",
	  TUI_ACT_NOBAR },
};

struct creds {
	struct dash_env *e;
	struct tui_screen *s;
	/* while the service is asked (the screen's job): the set and its
	 * values, in guarded memory */
	const struct cred_set *trying;
	char *vals[2];
	struct wlist list;
	char cell[160];
	const struct cred_set *editing;	/* the form is open */
	struct wform_field fields[2];
	struct wform form;
};

/* "stored today 01:40" (the admin's zone), or "not stored". */
static const char *
stored_text(struct creds *st, const struct cred_set *c)
{
	int64_t at = 0;
	int missing = 0;
	char t[HT_MAX];

	if (*st->e->vault == NULL)
		return "no vault yet";
	for (int i = 0; i < c->n; i++) {
		int64_t k = vault_stored_at(*st->e->vault, c->keys[i]);
		if (vault_get(*st->e->vault, c->keys[i]) == NULL)
			missing++;
		else if (k > at)
			at = k;
	}
	if (missing == c->n)
		return "not stored";
	ht_time(at, clock_now(), NULL, t);
	snprintf(st->cell, sizeof st->cell, "%sstored %s", missing ? "partly " : "", t);
	return st->cell;
}

static const char *
cell(void *ctx, size_t row, int col)
{
	struct creds *st = ctx;

	return col == COL_WHAT ? sets[row].name : stored_text(st, &sets[row]);
}

static void
close_form(struct creds *st)
{
	for (int i = 0; st->editing != NULL && i < st->editing->n; i++)
		wtext_release(&st->fields[i].text);
	memset(st->fields, 0, sizeof st->fields);
	st->editing = NULL;
}

static void
open_form(struct creds *st, const struct cred_set *c)
{
	memset(st->fields, 0, sizeof st->fields);
	for (int i = 0; i < c->n; i++) {
		st->fields[i].kind = WFORM_TEXT;
		st->fields[i].label = c->labels[i];
		st->fields[i].help = c->masked[i] ? "masked; paste works; Ctrl-R shows it" : c->help;
		wtext_init(&st->fields[i].text, SECRET_FIELD_MAX, c->masked[i]);
	}
	wform_init(&st->form, st->fields, c->n);
	st->form.focus = 0;
	st->editing = c;
}

/* The form's values into guarded memory (trimmed); -1 (and the field's
 * message) when one is empty. */
static int
read_values(struct creds *st, char **vals)
{
	const struct cred_set *c = st->editing;
	size_t sz = SECRET_FIELD_MAX * 4 + 1;

	for (int i = 0; i < c->n; i++) {
		vals[i] = sodium_malloc(sz);
		if (vals[i] == NULL)
			return -1;
		if (wtext_get(&st->fields[i].text, vals[i], sz) == (size_t)-1)
			vals[i][0] = '\0';
		str_trim_blanks(vals[i]);
		if (vals[i][0] == '\0') {
			wtext_set_msg(&st->fields[i].text, "empty: type or paste it");
			st->form.focus = i;
			return -1;
		}
	}
	return 0;
}

static const char *
service_of(const struct cred_set *c)
{
	return c->keys[0] == VAULT_HIBOB_ID ? "hibob" :
	    c->keys[0] == VAULT_ASSEMBLED_KEY ? "assembled" : "alleo";
}

/* The worker: one cheap call with the new values (its own client). */
static bs_rc
try_work(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct creds *st = arg;

	(void)p;
	return session_try_secrets(st->e->conf, service_of(st->trying), st->vals[0],
	    st->trying->n > 1 ? st->vals[1] : NULL, err);
}

static void
forget_values(struct creds *st)
{
	for (int i = 0; i < 2; i++) {
		sodium_free(st->vals[i]);
		st->vals[i] = NULL;
	}
	st->trying = NULL;
}

static int
store(struct tui *ui, struct creds *st)
{
	const struct cred_set *c = st->editing;
	char *vals[2] = { NULL, NULL }, question[256], what[96];

	if (*st->e->vault == NULL) {
		tui_say(ui, ROLE_ERROR, " No vault yet: the setup creates it (bobsync setup).");
		return TUI_HANDLED;
	}
	if (read_values(st, vals) != 0)
		goto out;
	snprintf(question, sizeof question, "Replace %s in the vault?\nThe stored ones are "
	    "overwritten.", c->what);
	if (!tui_confirm(ui, "Replace credentials", question, 1)) {
		tui_say(ui, ROLE_DIM, " Nothing stored.");
		goto out;
	}
	/* tried first, with one cheap call: a secret the service rejects is
	 * not stored, and the old one stays */
	for (int i = 0; i < c->n; i++)
		if (c->masked[i])
			log_register_secret(vals[i]);
	dash_reread(st->e, NULL, 0);
	st->trying = c;
	st->vals[0] = vals[0];
	st->vals[1] = vals[1];
	snprintf(what, sizeof what, "Asking %s whether it accepts them", c->name);
	if (tui_job_start(ui, st->s, what, try_work, st, 0) != 0)
		forget_values(st);
	return TUI_HANDLED;
out:
	for (int i = 0; i < 2; i++)
		sodium_free(vals[i]);
	return TUI_HANDLED;
}

/* The service answered (or could not be asked): store, or keep the old. */
static int
cr_job_done(struct tui *ui, struct tui_screen *s, bs_rc rc, const struct bs_error *tried_err)
{
	struct creds *st = s->data;
	const struct cred_set *c = st->trying;
	struct bs_error err = *tried_err;
	char **vals = st->vals, untried[256] = "";
	int stored = 0, tried = 0;

	if (tui_job_cancelled(s) || c == NULL)
		goto out;	/* Esc: nothing stored */
	if (rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN) {
		tui_say(ui, ROLE_ERROR, " %s rejected %s (%ld); the old ones are kept: %s", c->name,
		    c->what, err.http_status ? err.http_status : rc == BS_ERR_AUTH ? 401L : 403L,
		    bs_error_text(&err));
		goto out;
	}
	tried = rc == BS_OK;
	if (!tried)
		snprintf(untried, sizeof untried, "%s", bs_error_text(&err));
	memset(&err, 0, sizeof err);
	/* stored and saved together, or not at all; the session's clients
	 * are made again with them on their next use (vault_generation) */
	if (vault_store(*st->e->vault, c->keys, (const char *const *)vals, (size_t)c->n,
	    clock_now(), &err) == BS_OK)
		stored = 1;
	if (!stored) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
		goto out;
	}
	if (tried)
		tui_say(ui, ROLE_OK, " Stored %s and accepted by %s.", c->what, c->name);
	else
		tui_say(ui, ROLE_WARN, " Stored %s, untried: %s could not be asked (%s).", c->what,
		    c->name, untried);
	close_form(st);
out:
	forget_values(st);
	return TUI_REDRAW;
}

static int
cr_open(struct tui *ui, struct tui_screen *s)
{
	struct creds *st = s->data;

	st->s = s;
	wlist_init(&st->list, cols, NCOLS, cell, st);
	wlist_set_rows(&st->list, NSETS);
	if (*st->e->vault == NULL)
		tui_say(ui, ROLE_WARN, " No vault yet: the setup creates it (bobsync setup).");
	return 0;
}

static void
cr_close(struct tui *ui, struct tui_screen *s)
{
	struct creds *st = s->data;

	(void)ui;
	forget_values(st);
	close_form(st);
	wlist_release(&st->list);
	free(st);
	s->data = NULL;
}

static const struct tui_action *
cr_actions(struct tui_screen *s, size_t *n)
{
	struct creds *st = s->data;

	if (st->editing != NULL) {
		*n = sizeof form_actions / sizeof form_actions[0];
		return form_actions;
	}
	*n = sizeof list_actions / sizeof list_actions[0];
	return list_actions;
}

static int
cr_typing(struct tui_screen *s)
{
	struct creds *st = s->data;

	return st->editing != NULL && wform_typing(&st->form);
}

static void
cr_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct creds *st = s->data;
	char line[512];

	(void)ui;
	snprintf(line, sizeof line, "Stored encrypted in %s; values are never shown.",
	    st->e->paths->vault_file);
	text_put(y, x + 1, line, w - 1, ROLE_DIM);
	wlist_draw(&st->list, y + 1, x, (int)NSETS + 1, w);
	if (st->editing == NULL) {
		text_put(y + (int)NSETS + 3, x + 2, "Enter types new values for the highlighted "
		    "line. Esc goes back.", w - 4, ROLE_DIM);
		return;
	}
	snprintf(line, sizeof line, "New values for %s (%s):", st->editing->what,
	    st->editing->help);
	text_put(y + (int)NSETS + 3, x + 2, line, w - 4, ROLE_KEY);
	wform_draw(&st->form, y + (int)NSETS + 5, x + 2, h - (int)NSETS - 6, w - 4);
	if (tui_job_running(s))
		tui_job_draw(ui, s, y + h - 1, x + 2, w - 4);
	else
		text_put(y + h - 1, x + 2, "Enter stores (asks first); Esc leaves everything as "
		    "it was.", w - 4, ROLE_DIM);
}

static int
cr_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct creds *st = s->data;
	size_t row;

	if (tui_job_running(s)) {
		/* the service is being asked: Esc stops that and stores nothing
		 * (again: back, while the request ends); other keys wait */
		if (key != UK_ESC)
			return TUI_HANDLED;
		if (tui_job_cancelled(s))
			return TUI_UNHANDLED;
		tui_job_cancel(s);
		close_form(st);
		tui_say(ui, ROLE_DIM, " Nothing stored.");
		return TUI_HANDLED;
	}
	if (st->editing != NULL) {
		switch (wform_key(&st->form, key)) {
		case WFORM_SUBMIT:
			/* Enter on the first of two fields goes on to the second */
			if (st->form.focus + 1 < st->form.n) {
				wform_focus_next(&st->form, 1);
				return TUI_HANDLED;
			}
			return store(ui, st);
		case WFORM_CANCEL:
			close_form(st);
			tui_say(ui, ROLE_DIM, " Nothing stored.");
			return TUI_HANDLED;
		case WFORM_CHANGED:
			wtext_set_msg(&st->fields[st->form.focus].text, NULL);
			return TUI_HANDLED;
		default:
			return TUI_HANDLED;
		}
	}
	if (action == ACT_REPLACE || key == UK_ENTER) {
		row = wlist_current(&st->list);
		if (row < NSETS)
			open_form(st, &sets[row]);
		return TUI_HANDLED;
	}
	return wlist_key(&st->list, key) == WLIST_UNHANDLED ? TUI_UNHANDLED : TUI_HANDLED;
}

static const struct tui_screen_ops credentials_ops = {
	.name = "credentials",
	.open = cr_open,
	.draw = cr_draw,
	.handle_key = cr_key,
	.close = cr_close,
	.actions = cr_actions,
	.typing = cr_typing,
	.job_done = cr_job_done,
};

int
screen_credentials_push(struct tui *ui, struct dash_env *e, const char *crumbs)
{
	struct creds *st = xcalloc(1, sizeof *st);

	st->e = e;
	if (tui_push(ui, &credentials_ops, st, "Credentials", crumbs) != 0) {
		free(st);
		return -1;
	}
	return 0;
}
