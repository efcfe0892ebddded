/* task.h - run a core function in a worker thread while the UI thread
 * keeps drawing.
 *
 * Curses is called from the UI thread only: the worker reports through
 * the bs_progress callback it is given, which copies each event into a
 * mutex-protected snapshot the UI reads on every tick.  task_cancel makes
 * the next progress call return non-zero, so core stops at its next safe
 * point with BS_ERR_CANCELLED, and aborts the HTTP transfer or retry wait
 * the worker is in (http_set_thread_cancel: every client the worker uses,
 * and no other thread's transfers).  The result and struct bs_error come
 * back from task_wait.
 *
 * Screens do not drive a task themselves: the framework (tui.h,
 * tui_job_start) owns a screen's one job, polls it, draws its busy lines
 * and cancels it when the screen is popped. */
#ifndef BS_TASK_H
#define BS_TASK_H

#include <stddef.h>

#include "base/progress.h"
#include "base/result.h"

/* The work: report through p, fill err on failure.  Runs on the worker
 * thread; arg is the caller's and must outlive the task. */
typedef bs_rc (*task_fn)(void *arg, const struct bs_progress *p, struct bs_error *err);

struct task;

struct task_snapshot {
	char phase[96];
	char item[128];
	size_t done, total;
	unsigned applied, failed, skipped;
	unsigned long events;	/* progress calls so far */
	int finished;		/* fn has returned */
	int cancelling;		/* task_cancel was called */
	bs_rc rc;		/* when finished */
};

/* Start fn(arg) on a new thread; NULL with err filled when the thread
 * cannot start.  Free with task_wait or task_free. */
struct task *task_start(task_fn fn, void *arg, struct bs_error *err);
/* Copy the latest state (cheap; call every tick). */
void task_snapshot(struct task *t, struct task_snapshot *out);
void task_cancel(struct task *t);
int task_finished(struct task *t);
/* Wait for the end, hand back fn's result and error, free *t and set it
 * NULL.  NULL *t gives BS_ERR_INVALID. */
bs_rc task_wait(struct task **t, struct bs_error *err);
/* Cancel, wait, free; *t set NULL.  NULL-safe. */
void task_free(struct task **t);

#endif
