/* widget_dialog.h - modal boxes drawn over the screen: a yes/no confirm
 * and a choice list (radio).  Esc cancels, Enter confirms the highlighted
 * button or choice, y/n answer a confirm at once, digits pick a choice.
 * The text word-wraps inside the box; what does not fit scrolls with
 * PgUp/PgDn.
 * Pure state machine (wdlg_key) plus wdlg_draw; tui_modal() runs one. */
#ifndef BS_WIDGET_DIALOG_H
#define BS_WIDGET_DIALOG_H

enum wdlg_kind { WDLG_CONFIRM, WDLG_CHOICE };

enum wdlg_result {
	WDLG_OPEN = 0,		/* still open (key used or ignored) */
	WDLG_OK = 1,		/* yes, or a choice made (see cur) */
	WDLG_NO = 2,		/* no (confirm only) */
	WDLG_CANCEL = 3		/* Esc */
};

struct wdlg {
	enum wdlg_kind kind;
	const char *title;		/* not owned */
	const char *text;		/* may hold '\n'; not owned */
	const char *const *choices;	/* WDLG_CHOICE; not owned */
	int n;
	int cur;		/* the highlighted choice, or 0 yes / 1 no */
	int scroll;		/* the first line of text shown (PgUp/PgDn) */
};

#define WDLG_MAX_LINES 64	/* the text's lines once wrapped */

void wdlg_confirm(struct wdlg *d, const char *title, const char *text, int default_no);
void wdlg_choice(struct wdlg *d, const char *title, const char *text,
    const char *const *choices, int n, int cur);
enum wdlg_result wdlg_key(struct wdlg *d, int key);
/* Paint centred over whatever is on the screen (keeps scroll in range). */
void wdlg_draw(struct wdlg *d);

#endif
