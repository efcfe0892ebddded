/* tui.h - the screen framework: curses started and always restored, a
 * stack of screens, the header line (title and breadcrumbs), the message
 * line, the key-hint bar and the help overlay, all from each screen's one
 * action table.
 *
 * A screen is a table of function pointers (struct tui_screen_ops).  Keys
 * reach the top screen's handle_key with the id of the matching action;
 * it returns TUI_* flags and the loop decides what happens:
 *   - F1, and '?' unless a text field has focus, open the help overlay
 *     (its keys, then the global ones); any key closes it;
 *   - Esc, and 'q' unless a text field has focus, go back (pop) when the
 *     screen did not handle them; popping the last screen ends tui_run;
 *   - Ctrl-C (SIGINT), SIGTERM and SIGHUP end tui_run at once with
 *     TUI_EXIT_INTERRUPTED: every screen is closed (running jobs are
 *     cancelled and waited for), the terminal is restored.
 *     Nothing is lost: settings are saved only when a step is confirmed.
 * The loop waits for keys 100 ms at a time and calls each screen's tick
 * in between (progress bars).  KEY_RESIZE redraws; below 60x16 the screen
 * says "Terminal too small (need 60x16)".
 *
 * A screen's background job (one at a time, tui_job_start) belongs to the
 * framework: it runs fn in a worker thread (task.h), redraws every tick
 * while it runs, hands the end to the screen's job_done on the tick that
 * sees it, and draws the busy lines (tui_job_draw).  Popping a screen whose
 * job runs cancels the job (its HTTP transfer too) and takes the screen
 * off at once; the message line says "Stopping: ..." and the screen is
 * closed when the worker has ended.  Until then the screens left get no
 * keys (they are queued, in order) and no ticks, so nothing on the UI
 * thread touches the session the worker still uses.  With
 * TUI_JOB_QUEUE_KEYS, keys typed while the job runs are queued too and
 * handed to the screen after its job_done (Esc, q, F1 and ? go through at
 * once, and Esc or q drop what was queued before them).
 *
 * Testing aid: BOBSYNC_TUI_SCREENDUMP=path makes every frame write the
 * screen as UTF-8 text lines to path (atomically), for headless tests. */
#ifndef BS_TUI_H
#define BS_TUI_H

#include <stddef.h>

#include "keys.h"
#include "task.h"
#include "term.h"

enum tui_flag {
	TUI_UNHANDLED = 0,
	TUI_HANDLED = 1 << 0,	/* the key was used */
	TUI_REDRAW = 1 << 1,	/* draw again (the loop redraws after keys anyway) */
	TUI_BACK = 1 << 2,	/* pop this screen */
	TUI_QUIT = 1 << 3	/* leave tui_run */
};

enum tui_exit { TUI_EXIT_DONE = 0, TUI_EXIT_QUIT = 1, TUI_EXIT_INTERRUPTED = 2 };

#define TUI_ACT_NOBAR 1u	/* in the help overlay only */

/* One row of a screen's action table: the bar and the help come from it. */
struct tui_action {
	int id;			/* passed to handle_key; 0 is "no action" */
	const char *name;	/* short, for the bar: "Next" */
	int key;		/* UK_* or a character */
	const char *help;	/* one line for the overlay */
	unsigned flags;
};

struct tui;
struct tui_screen;

struct tui_screen_ops {
	const char *name;
	/* 0, or -1 to refuse (not pushed; close is not called). */
	int (*open)(struct tui *ui, struct tui_screen *s);
	/* Paint the body rectangle (everything between header and message
	 * line).  Required. */
	void (*draw)(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w);
	/* action is the id of the action whose key this is, or 0. */
	int (*handle_key)(struct tui *ui, struct tui_screen *s, int key, int action);
	/* Free s->data; called on pop and when the loop ends. */
	void (*close)(struct tui *ui, struct tui_screen *s);
	/* The screen's actions, for the bar, the help and key matching. */
	const struct tui_action *(*actions)(struct tui_screen *s, size_t *n);
	/* ~10 Hz while no key comes; returns TUI_* flags. */
	int (*tick)(struct tui *ui, struct tui_screen *s);
	/* 1 when a text field has focus ('q' and '?' are then text). */
	int (*typing)(struct tui_screen *s);
	/* The screen's job has ended (rc and err from its fn; err is only
	 * valid during the call); returns TUI_* flags.  Not called for a job
	 * whose screen was popped. */
	int (*job_done)(struct tui *ui, struct tui_screen *s, bs_rc rc,
	    const struct bs_error *err);
};

struct tui_screen {
	const struct tui_screen_ops *ops;
	void *data;		/* the screen's own; close frees it */
	char title[96];
	char crumbs[160];	/* "Setup · Step 3 of 8 · Validation" */
	struct tui_screen *below;	/* the framework's */
	struct tui_job *job;		/* the framework's: the running job */
	int job_was_cancelled;		/* the framework's: during job_done */
};

/* Start curses (setlocale, newterm, colours by role, NO_COLOR, handlers)
 * and send log messages to the message ring instead of stderr.  0, or -1
 * with why filled (no terminal, TERM unset, unknown, dumb or without
 * cursor addressing): the caller should then point the user at the
 * command-line commands. */
int tui_start(struct tui **out, char *why, size_t whylen);
/* The same on a curses screen the caller already started (headless tests
 * with newterm on files, or embedding); tui_stop then leaves that screen
 * to the caller.  Always 0. */
int tui_attach(struct tui **out);
/* Close every screen and stop the log sink; after tui_start also restore
 * the terminal and stderr logging (an attached screen stays the caller's,
 * stderr logging stays off).  *ui NULL. */
void tui_stop(struct tui **ui);

/* Open a screen on top (data is handed to it: on failure close is not
 * called and the caller still owns data).  0 or -1. */
int tui_push(struct tui *ui, const struct tui_screen_ops *ops, void *data,
    const char *title, const char *crumbs);
void tui_pop(struct tui *ui);
struct tui_screen *tui_top(struct tui *ui);
void tui_set_crumbs(struct tui_screen *s, const char *crumbs);

int tui_run(struct tui *ui);	/* enum tui_exit */

/* The message line above the bar (role picks the colour or attribute);
 * errors and warnings logged by core appear there too. */
void tui_say(struct tui *ui, enum term_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Modal boxes over the current screen (ticks keep running underneath).
 * tui_confirm: 1 yes, 0 no or cancelled.  tui_choose: the index chosen,
 * or -1 when cancelled. */
int tui_confirm(struct tui *ui, const char *title, const char *text, int default_no);
int tui_choose(struct tui *ui, const char *title, const char *text,
    const char *const *choices, int n, int cur);

/* Handle key as if it had been typed (tests, scripted demos); queued as
 * a typed key would be. */
void tui_feed_key(struct tui *ui, int key);
/* What the loop does when no key comes: popped screens whose job ended are
 * closed, the top screen's ended job goes to its job_done, queued keys are
 * handed on, then the top screen's tick.  TUI_* flags (tests, modal
 * loops). */
int tui_tick(struct tui *ui);

/* ---- a screen's background job ---- */

enum tui_job_flag {
	TUI_JOB_QUEUE_KEYS = 1 << 0	/* keys wait for the end (a read) */
};

/* Run fn(arg) in a worker thread as s's job; what labels the busy line
 * ("Reading everyone from HiBob").  arg must live until job_done or
 * close: the framework closes a popped screen only after its worker
 * ended.  A popped screen's job still ending is waited for first (one
 * worker at a time uses the session).  0, or -1 with the reason on the
 * message line (a job already runs, no thread). */
int tui_job_start(struct tui *ui, struct tui_screen *s, const char *what,
    task_fn fn, void *arg, unsigned flags);
/* 1 while s has a job that has not gone to job_done. */
int tui_job_running(const struct tui_screen *s);
/* Ask the job to stop at its next safe point (a Stop key); it still ends
 * through job_done, usually with BS_ERR_CANCELLED. */
void tui_job_cancel(struct tui_screen *s);
/* 1 once tui_job_cancel was called for the running job; during job_done,
 * whether it was called for the job that ended. */
int tui_job_cancelled(const struct tui_screen *s);
/* The job's latest progress; 0, or -1 (out zeroed) when none runs. */
int tui_job_progress(const struct tui_screen *s, struct task_snapshot *out);
/* Three lines at y: the label (with "stopping" once cancelled), the
 * counts and the bar.  Nothing when no job runs. */
void tui_job_draw(struct tui *ui, const struct tui_screen *s, int y, int x, int w);
/* Popped screens whose job is still ending. */
int tui_jobs_stopping(const struct tui *ui);

/* Draw everything now (also what the loop does). */
void tui_draw(struct tui *ui);
/* Frames drawn so far; a counter for spinners. */
unsigned tui_frame_count(const struct tui *ui);

/* ---- pure helpers, also used by the tests ---- */

/* What get_wch() returned, as a UK_* key or character; UK_NONE to ignore. */
int tui_key_from_curses(int rc, unsigned ch);
/* "Enter", "Esc", "F1", "^U", "Space", "PgDn", "q" ... into buf. */
const char *tui_key_name(int key, char *buf, size_t sz);
/* The bottom bar from a table: " F1 Help  Esc Back  Enter Next ..." cut
 * to width columns at a whole item.  typing leaves '?'/'q' out. */
char *tui_hints(const struct tui_action *a, size_t n, int typing, int depth,
    char *out, size_t outsz, int width);
/* The screen as UTF-8 text, one line per row with trailing spaces cut;
 * caller frees. */
char *tui_screen_text(void);

#endif
