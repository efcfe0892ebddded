/* widget_form.h - a vertical form of labelled fields: text fields, choices
 * (Left/Right or Space cycle the options) and checkboxes (Space toggles).
 * Tab/Down go to the next field, Shift-Tab/Up to the previous one; Enter
 * submits; Esc cancels.  Inside a text field every printable key is text
 * (q included).  Pure state machine (wform_key) plus wform_draw. */
#ifndef BS_WIDGET_FORM_H
#define BS_WIDGET_FORM_H

#include "widget_text.h"

enum wform_kind { WFORM_TEXT, WFORM_CHOICE, WFORM_CHECK };

struct wform_field {
	enum wform_kind kind;
	const char *label;		/* not owned */
	const char *help;		/* shown under the field when focused */
	struct wtext text;		/* WFORM_TEXT: wtext_init it first */
	const char *const *choices;	/* WFORM_CHOICE: not owned */
	int nchoices, choice;
	int checked;			/* WFORM_CHECK */
	int disabled;			/* skipped by Tab */
	const char *disabled_why;	/* when disabled: shown after the value, dimmed */
};

enum wform_result {
	WFORM_UNHANDLED = 0,
	WFORM_HANDLED = 1,	/* focus moved or nothing changed */
	WFORM_CHANGED = 2,	/* a value changed */
	WFORM_SUBMIT = 3,
	WFORM_CANCEL = 4
};

struct wform {
	struct wform_field *fields;	/* not owned */
	int n;
	int focus;		/* -1 when no field can take focus */
	int label_width;	/* 0: the widest label */
};

void wform_init(struct wform *f, struct wform_field *fields, int n);
/* 1 when the focused field takes printable keys (the caller must then not
 * treat q or ? as commands). */
int wform_typing(const struct wform *f);
enum wform_result wform_key(struct wform *f, int key);
void wform_focus_next(struct wform *f, int dir);	/* dir 1 or -1, wraps */
/* Rows the form needs: one per field plus WFORM_HINT_ROWS for the focused
 * field's help or message, which word-wraps there (beside the values, or
 * from the left edge when it needs more rows than it has). */
#define WFORM_HINT_ROWS 3
/* Rows the focused field's help or message takes in a form w wide
 * (1..WFORM_HINT_ROWS): a screen short of rows gives the form
 * f->n + wform_hint_rows(). */
int wform_hint_rows(const struct wform *f, int w);
int wform_height(const struct wform *f);
void wform_draw(struct wform *f, int y, int x, int h, int w);

#endif
