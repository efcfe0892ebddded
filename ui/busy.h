/* busy.h - a screen's one background job on the toolkit: a task (task.h)
 * with its label, the progress lines drawn from its snapshot, and the end
 * picked up on the screen's tick.  The screens of console.h use it so
 * nothing they read or write blocks the drawing, and Esc cancels. */
#ifndef BS_BUSY_H
#define BS_BUSY_H

#include "task.h"

struct busy {
	struct task *t;
	char what[96];		/* "Reading people from HiBob" */
	int cancelled;
};

/* Start fn(arg); 0, or -1 with the reason on the message line. */
struct tui;
int busy_start(struct tui *ui, struct busy *b, const char *what, task_fn fn, void *arg);
int busy_running(const struct busy *b);
/* Ask the job to stop at its next safe point (it still ends normally). */
void busy_cancel(struct busy *b);
/* On a tick: 1 when the job has ended (rc and err filled, task freed),
 * else 0. */
int busy_done(struct busy *b, bs_rc *rc, struct bs_error *err);
/* Cancel, wait, free (a screen's close). */
void busy_free(struct busy *b);
/* Three lines at y: the label (with "stopping" once cancelled), the
 * counts and the bar. */
void busy_draw(struct busy *b, struct tui *ui, int y, int x, int w);

#endif
