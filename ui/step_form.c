/* step_form.c - the screen every form step of the setup is: paragraphs,
 * fields, Enter to walk and save, a read from the live services in a
 * worker.  The steps themselves are step_credentials.c, step_alleo.c and
 * step_assembled.c; the order is wizard.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admin/jobs.h"
#include "base/util.h"
#include "config/conf.h"
#include "dash.h"
#include "step_form.h"
#include "task.h"
#include "base/text.h"
#include "tui.h"

enum { ACT_NEXT = STEP_ACT_NEXT };

static const struct tui_action form_actions[] = {
	{ ACT_NEXT, "Next", UK_ENTER, "the next field; on the last one, save and go to the "
	  "next step", 0 },
	{ 0, NULL, UK_TAB, "the next field (Shift-Tab, Up/Down move too)", TUI_ACT_NOBAR },
	{ 0, NULL, UK_CTRL('r'), "show or hide a hidden value while typing", TUI_ACT_NOBAR },
	{ 0, NULL, UK_CTRL('u'), "clear the field up to the cursor", TUI_ACT_NOBAR },
};

/* ---- fields ---- */

static struct wform_field *
add_field(struct step_form *st, enum wform_kind kind, const char *label, const char *help)
{
	struct wform_field *f;

	if (st->nf >= STEP_MAXF)
		abort();	/* a step with more fields than STEP_MAXF: a bug */
	f = &st->f[st->nf++];
	f->kind = kind;
	f->label = label;
	f->help = help;
	return f;
}

struct wform_field *
step_add_text(struct step_form *st, const char *label, const char *help, const char *value,
    int masked)
{
	struct wform_field *f = add_field(st, WFORM_TEXT, label, help);

	wtext_init(&f->text, 1000, masked);
	if (value != NULL)
		wtext_set(&f->text, value);
	return f;
}

struct wform_field *
step_add_choice(struct step_form *st, const char *label, const char *help,
    const char *const *choices, int n, int cur)
{
	struct wform_field *f = add_field(st, WFORM_CHOICE, label, help);

	f->choices = choices;
	f->nchoices = n;
	f->choice = cur;
	return f;
}

struct wform_field *
step_add_check(struct step_form *st, const char *label, const char *help, int on)
{
	struct wform_field *f = add_field(st, WFORM_CHECK, label, help);

	f->checked = on;
	return f;
}

struct wform_field *
step_add_setting(struct step_form *st, const char *key, const char *help)
{
	const struct conf_option *o = conf_find(key);
	int i = st->nf;

	if (o == NULL)
		abort();	/* a key the table does not have: a bug */
	if (help == NULL)
		help = o->help;
	if (o->type == CONF_INT) {
		/* the limits are the table's */
		snprintf(st->help[i], sizeof st->help[i], "%s (%.0f-%.0f)", help, o->min, o->max);
		help = st->help[i];
	}
	if (o->type == CONF_BOOL)
		return step_add_check(st, conf_label(o), help, conf_get_bool(st->e->conf, key));
	return step_add_text(st, conf_label(o), help, step_conf(st, key), 0);
}

const char *
step_conf(struct step_form *st, const char *key)
{
	const char *v = conf_get(st->e->conf, key);
	return v ? v : "";
}

const char *
step_secret(struct step_form *st, enum vault_key k)
{
	return *st->e->vault != NULL ? vault_get(*st->e->vault, k) : NULL;
}

char *
step_field_value(struct step_form *st, int i)
{
	char *v = sodium_malloc(4096);

	if (v == NULL)
		return NULL;
	if (wtext_get(&st->f[i].text, v, 4096) == (size_t)-1)
		v[0] = '\0';
	str_trim(v);
	return v;
}

int
step_fail_field(struct tui *ui, struct step_form *st, int i, const char *why)
{
	if (st->f[i].kind == WFORM_TEXT)
		wtext_set_msg(&st->f[i].text, why);
	st->form.focus = i;
	tui_say(ui, ROLE_ERROR, " %s", why);
	return -1;
}

int
step_save_setting(struct tui *ui, struct step_form *st, int i, const char *key,
    int allow_unset)
{
	char *v = step_field_value(st, i), why[256];
	int rc = 0;

	if (v == NULL)
		return -1;
	if (!st->f[i].disabled) {
		if (v[0] == '\0' && allow_unset) {
			if (dash_conf_set(st->e, key, NULL, why, sizeof why) != 0)
				rc = step_fail_field(ui, st, i, why);
		} else if (job_check_type_names(st->e->s, key, v, why, sizeof why) == 0)
			rc = step_fail_field(ui, st, i, why);	/* a type Assembled does not have */
		else if (dash_conf_set(st->e, key, v, why, sizeof why) != 0)
			rc = step_fail_field(ui, st, i, why);
	}
	sodium_free(v);
	return rc;
}

int
step_save_secret(struct tui *ui, struct step_form *st, int i, enum vault_key k)
{
	char *v = step_field_value(st, i), why[256];
	int rc = 0;

	if (v == NULL)
		return -1;
	if (!st->f[i].disabled && v[0] != '\0' && !str_eq(v, step_secret(st, k)) &&
	    dash_secret_set(st->e, k, v, why, sizeof why) != 0)
		rc = step_fail_field(ui, st, i, why);
	sodium_free(v);
	return rc;
}

/* ---- reading from the live services ---- */

void
step_form_read(struct tui *ui, struct step_form *st,
    bs_rc (*fn)(void *, const struct bs_progress *, struct bs_error *), const char *msg)
{
	char what[128];
	size_t n;

	if (tui_job_running(st->s))
		return;
	/* the busy line says what runs: the message without its dots */
	snprintf(what, sizeof what, "%s", msg + strspn(msg, " "));
	n = strlen(what);
	while (n > 0 && what[n - 1] == '.')
		what[--n] = '\0';
	if (tui_job_start(ui, st->s, what, fn, st, 0) == 0)
		tui_say(ui, ROLE_DIM, "%s", msg);
}

/* ---- the screen ---- */

static void
sync_disabled(struct step_form *st)
{
	if (st->kind->sync != NULL)
		st->kind->sync(st);
	if (st->form.focus >= 0 && st->f[st->form.focus].disabled)
		wform_focus_next(&st->form, 1);
}

static int
sf_open(struct tui *ui, struct tui_screen *s)
{
	struct step_form *st = s->data;

	st->s = s;
	st->kind->build(st);
	wform_init(&st->form, st->f, st->nf);
	st->form.focus = 0;
	sync_disabled(st);
	if (st->kind->opened != NULL)
		st->kind->opened(ui, st);
	return 0;
}

static void
sf_close(struct tui *ui, struct tui_screen *s)
{
	struct step_form *st = s->data;

	(void)ui;
	for (int i = 0; i < st->nf; i++)
		if (st->f[i].kind == WFORM_TEXT)
			wtext_release(&st->f[i].text);
	if (st->kind->free != NULL)
		st->kind->free(st);
	free(st->data);
	free(st);
}

static const struct tui_action *
sf_actions(struct tui_screen *s, size_t *n)
{
	struct step_form *st = s->data;

	if (st->kind->actions != NULL) {
		*n = st->kind->nactions;
		return st->kind->actions;
	}
	*n = ARRAY_LEN(form_actions);
	return form_actions;
}

/* Typing once the focused text field was typed in: until then ? is the
 * help, and every other key goes to the field as usual. */
static int
sf_typing(struct tui_screen *s)
{
	struct step_form *st = s->data;

	return st->nf > 0 && st->edited && wform_typing(&st->form);
}

static void
sf_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct step_form *st = s->data;
	size_t starts[16], lens[16];
	int row = y + 1, form_h = st->nf ? st->nf + wform_hint_rows(&st->form, w - 4) : 0;
	int stop = y + h - form_h - 1;
	const char *note;
	char line[1024];
	int role = ROLE_NORMAL;

	(void)ui;
	sync_disabled(st);	/* what changed below (a vault made by this step) */
	for (size_t p = 0; p < st->kind->nintro; p++) {
		const char *para = st->kind->intro[p];
		size_t n = text_wrap(para, w - 4, starts, lens, 16);
		for (size_t i = 0; i < n && row < stop; i++, row++) {
			snprintf(line, sizeof line, "%.*s", (int)lens[i], para + starts[i]);
			text_put(row, x + 2, line, w - 4, ROLE_NORMAL);
		}
		if (row < stop)
			row++;
	}
	note = st->kind->note != NULL ? st->kind->note(st, &role) : NULL;
	if (note != NULL && row < stop)
		text_put(row++, x + 2, note, w - 4, role);
	if (st->nf)
		wform_draw(&st->form, y + h - form_h, x + 2, form_h, w - 4);
}

/* The read has ended (Esc stopped it: nothing to show). */
static int
sf_job_done(struct tui *ui, struct tui_screen *s, bs_rc rc, const struct bs_error *err)
{
	struct step_form *st = s->data;

	if (tui_job_cancelled(s))
		return TUI_REDRAW;
	if (st->kind->read_done != NULL)
		st->kind->read_done(ui, st, rc, err);
	else if (rc != BS_OK)
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(err));
	return TUI_REDRAW;
}

/* The last field that can be changed. */
static int
last_field(struct step_form *st)
{
	int last = st->nf - 1;

	while (last > 0 && st->f[last].disabled)
		last--;
	return last;
}

static int
next(struct tui *ui, struct step_form *st)
{
	if (tui_job_running(st->s)) {
		tui_say(ui, ROLE_WARN, " Still reading from the live services: wait a moment, or "
		    "Esc.");
		return TUI_HANDLED;
	}
	if (st->kind->save(ui, st) == 0)
		st->done(ui, st->e, st->step);
	return TUI_HANDLED;
}

static int
sf_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct step_form *st = s->data;
	int focus = st->form.focus, r;

	if (key == UK_ESC) {
		if (tui_job_running(s) && !tui_job_cancelled(s)) {
			tui_job_cancel(s);
			tui_say(ui, ROLE_DIM, " Reading stopped.");
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;	/* back a step */
	}
	if (st->kind->key != NULL && (r = st->kind->key(ui, st, key, action)) != TUI_UNHANDLED)
		return r;
	if (action == ACT_NEXT) {
		st->edited = 0;
		if (st->form.focus < last_field(st)) {
			wform_focus_next(&st->form, 1);
			return TUI_HANDLED;
		}
		return next(ui, st);
	}
	r = wform_key(&st->form, key);
	if (st->form.focus != focus)
		st->edited = 0;		/* a field just reached: ? is still the help */
	switch (r) {
	case WFORM_CHANGED:
		st->edited = 1;
		if (st->form.focus >= 0 && st->f[st->form.focus].kind == WFORM_TEXT)
			wtext_set_msg(&st->f[st->form.focus].text, NULL);
		if (st->kind->changed != NULL)
			st->kind->changed(st, st->form.focus);
		sync_disabled(st);
		return TUI_HANDLED;
	case WFORM_HANDLED:
		sync_disabled(st);
		return TUI_HANDLED;
	default:
		return TUI_UNHANDLED;
	}
}

static const struct tui_screen_ops step_ops = {
	.name = "setup",
	.open = sf_open,
	.draw = sf_draw,
	.handle_key = sf_key,
	.close = sf_close,
	.actions = sf_actions,
	.typing = sf_typing,
	.job_done = sf_job_done,
};

int
step_form_push(struct tui *ui, struct dash_env *e, const struct step_kind *kind, int step,
    const char *crumbs, wizard_done_fn *done)
{
	struct step_form *st = xcalloc(1, sizeof *st);

	st->e = e;
	st->kind = kind;
	st->step = step;
	st->done = done;
	st->data = kind->size ? xcalloc(1, kind->size) : NULL;
	if (tui_push(ui, &step_ops, st, kind->name, crumbs) != 0) {
		free(st->data);
		free(st);
		return -1;
	}
	return 0;
}
