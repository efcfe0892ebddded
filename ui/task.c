/* task.c - one worker thread per long job, progress by snapshot. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task.h"
#include "base/util.h"
#include "net/http.h"

struct task {
	pthread_t thread;
	pthread_mutex_t mu;
	task_fn fn;
	void *arg;
	int cancel;
	struct task_snapshot snap;	/* under mu */
	struct bs_error err;		/* written by the worker before finished */
};

static int
on_progress(void *ctx, const struct bs_progress_event *ev)
{
	struct task *t = ctx;
	int stop;

	pthread_mutex_lock(&t->mu);
	if (ev != NULL) {
		snprintf(t->snap.phase, sizeof t->snap.phase, "%s", ev->phase ? ev->phase : "");
		snprintf(t->snap.item, sizeof t->snap.item, "%s", ev->item ? ev->item : "");
		t->snap.done = ev->done;
		t->snap.total = ev->total;
		t->snap.applied = ev->applied;
		t->snap.failed = ev->failed;
		t->snap.skipped = ev->skipped;
	}
	t->snap.events++;
	stop = t->cancel;
	pthread_mutex_unlock(&t->mu);
	return stop;
}

/* The worker thread's HTTP hook: this task's flag, no other's. */
static int
http_cancel_hook(void *ctx)
{
	struct task *t = ctx;
	int stop;

	pthread_mutex_lock(&t->mu);
	stop = t->cancel;
	pthread_mutex_unlock(&t->mu);
	return stop;
}

static void *
worker(void *arg)
{
	struct task *t = arg;
	struct bs_progress p = { on_progress, t };
	struct bs_error err = { 0 };
	bs_rc rc;

	http_set_thread_cancel(http_cancel_hook, t);
	rc = t->fn(t->arg, &p, &err);
	http_set_thread_cancel(NULL, NULL);
	pthread_mutex_lock(&t->mu);
	t->err = err;
	t->err.rc = rc;
	t->snap.rc = rc;
	t->snap.finished = 1;
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

struct task *
task_start(task_fn fn, void *arg, struct bs_error *err)
{
	struct task *t;
	int e;

	if (fn == NULL) {
		bs_fail(err, BS_ERR_INVALID, "no work given to the task");
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	t->fn = fn;
	t->arg = arg;
	pthread_mutex_init(&t->mu, NULL);
	e = pthread_create(&t->thread, NULL, worker, t);
	if (e != 0) {
		pthread_mutex_destroy(&t->mu);
		free(t);
		bs_fail(err, BS_ERR_IO, "cannot start a worker thread: %s", strerror(e));
		return NULL;
	}
	return t;
}

void
task_snapshot(struct task *t, struct task_snapshot *out)
{
	pthread_mutex_lock(&t->mu);
	*out = t->snap;
	pthread_mutex_unlock(&t->mu);
}

void
task_cancel(struct task *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->cancel = 1;
	t->snap.cancelling = 1;
	pthread_mutex_unlock(&t->mu);
}

int
task_finished(struct task *t)
{
	int f;

	pthread_mutex_lock(&t->mu);
	f = t->snap.finished;
	pthread_mutex_unlock(&t->mu);
	return f;
}

bs_rc
task_wait(struct task **tp, struct bs_error *err)
{
	struct task *t = tp ? *tp : NULL;
	bs_rc rc;

	if (t == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no task to wait for");
	pthread_join(t->thread, NULL);
	rc = t->snap.rc;
	if (err != NULL && rc != BS_OK)
		*err = t->err;
	pthread_mutex_destroy(&t->mu);
	free(t);
	*tp = NULL;
	return rc;
}

void
task_free(struct task **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	task_cancel(*tp);
	task_wait(tp, NULL);
}
