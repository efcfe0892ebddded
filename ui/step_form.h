/* step_form.h - what the setup steps made of a form share (steps 2, 4
 * and 5: step_credentials.c, step_alleo.c, step_assembled.c).
 *
 * A form step is one screen: paragraphs of what to do above, the fields
 * below.  Enter walks the fields and, on the last one, saves the step
 * (the kind's save) and calls the wizard's "on done".  Fields of settings
 * are made from the settings table (conf.h: label, help, limits), so the
 * step restates nothing the table says.  A field focused but not yet
 * typed in leaves ? to the help (and F1 always).  A kind may read choices
 * from the live services in a worker (step_form_read); Esc stops it. */
#ifndef BS_STEP_FORM_H
#define BS_STEP_FORM_H

#include <stddef.h>

#include "base/result.h"
#include "config/vault.h"
#include "console.h"
#include "widget_form.h"

struct tui;
struct tui_action;
struct tui_screen;
struct step_form;
struct bs_progress;

#define STEP_MAXF 10
/* The action id of Enter (Next) in a kind's own actions. */
#define STEP_ACT_NEXT 1

/* One kind of form step: its words and what it does at each moment. */
struct step_kind {
	const char *name;			/* "Credentials" */
	const char *const *intro;		/* paragraphs above the form */
	size_t nintro;
	const struct tui_action *actions;	/* NULL: Enter, Tab, Ctrl-R, Ctrl-U */
	size_t nactions;
	size_t size;				/* of the kind's own data (st->data) */
	void (*build)(struct step_form *st);	/* add the fields */
	void (*sync)(struct step_form *st);	/* which fields are disabled, and why */
	void (*opened)(struct tui *ui, struct step_form *st);	/* after build; may read */
	int (*save)(struct tui *ui, struct step_form *st);	/* 0, or -1 (said why) */
	/* a key the form did not take (F5); TUI_UNHANDLED when not the kind's */
	int (*key)(struct tui *ui, struct step_form *st, int key, int action);
	void (*changed)(struct step_form *st, int field);	/* a value changed */
	/* the worker of step_form_read ended: rc and err as it returned */
	void (*read_done)(struct tui *ui, struct step_form *st, bs_rc rc,
	    const struct bs_error *err);
	/* a line under the paragraphs (NULL: none), and its role */
	const char *(*note)(struct step_form *st, int *role);
	void (*free)(struct step_form *st);	/* the kind's data, not st->data itself */
};

struct step_form {
	struct dash_env *e;
	const struct step_kind *kind;
	int step;			/* its number in the wizard */
	wizard_done_fn *done;
	struct wform_field f[STEP_MAXF];
	int nf;
	struct wform form;
	int edited;			/* the focused field was typed in */
	char help[STEP_MAXF][256];	/* help that changes (st->f[i].help points here) */
	struct tui_screen *s;		/* the screen; its job is the running read */
	void *data;			/* the kind's own, kind->size bytes, zeroed */
};

/* Open a form step on top; 0 or -1. */
int step_form_push(struct tui *ui, struct dash_env *e, const struct step_kind *kind, int step,
    const char *crumbs, wizard_done_fn *done);

/* Fields, in order; each returns the field. */
struct wform_field *step_add_text(struct step_form *st, const char *label, const char *help,
    const char *value, int masked);
struct wform_field *step_add_choice(struct step_form *st, const char *label, const char *help,
    const char *const *choices, int n, int cur);
struct wform_field *step_add_check(struct step_form *st, const char *label, const char *help,
    int on);
/* A field for setting key, made from the settings table: its label, the
 * kind of field its type asks for (a checkbox for true/false, text
 * otherwise), its value now, and help (the table's when NULL) with the
 * table's limits added for numbers ("(0-365)"). */
struct wform_field *step_add_setting(struct step_form *st, const char *key, const char *help);

/* The text of field i into guarded memory, trimmed (caller sodium_frees);
 * NULL when out of memory. */
char *step_field_value(struct step_form *st, int i);
/* Show why on field i, focus it, say it; returns -1. */
int step_fail_field(struct tui *ui, struct step_form *st, int i, const char *why);
/* Save field i to its setting when enabled (empty: back to the default
 * when allow_unset); 0, or -1 with the reason on the field. */
int step_save_setting(struct tui *ui, struct step_form *st, int i, const char *key,
    int allow_unset);
/* Store field i in the vault when enabled, not empty and changed. */
int step_save_secret(struct tui *ui, struct step_form *st, int i, enum vault_key k);
/* The stored secret, or NULL. */
const char *step_secret(struct step_form *st, enum vault_key k);
/* A setting's value, or "". */
const char *step_conf(struct step_form *st, const char *key);

/* Run fn(st) in a worker with msg on the message line (nothing when one
 * runs already); the kind's read_done gets the result. */
void step_form_read(struct tui *ui, struct step_form *st,
    bs_rc (*fn)(void *, const struct bs_progress *, struct bs_error *), const char *msg);

#endif
