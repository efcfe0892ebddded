/* test_ui_task.c - the worker-thread runner (progress snapshots, cancel
 * through the progress callback, result and error handed back) and the
 * message ring fed by core's log. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "msgring.h"
#include "task.h"

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* ---- work functions ---- */

struct gate {
	pthread_mutex_t mu;
	int open;		/* the test lets the worker finish */
	int steps;		/* progress calls made */
};

static bs_rc
counted_work(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct gate *g = arg;
	struct bs_progress_event ev = { "Applying", 0, 10, "Ada Lovelace", 0, 0, 0 };
	(void)err;
	for (size_t i = 1; i <= 3; i++) {
		ev.done = i;
		ev.applied = (unsigned)i;
		if (bs_progress_report(p, &ev))
			return BS_ERR_CANCELLED;
	}
	for (;;) {	/* wait for the test, still reporting */
		int open;
		pthread_mutex_lock(&g->mu);
		open = g->open;
		pthread_mutex_unlock(&g->mu);
		if (open)
			break;
		if (bs_progress_report(p, &ev))
			return bs_fail(err, BS_ERR_CANCELLED, "stopped after %zu", ev.done);
		nap_ms(2);
	}
	return BS_OK;
}

static bs_rc
failing_work(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	(void)arg;
	(void)p;
	log_error("HiBob rejected the Service User ID or token (HTTP 401)");
	err->http_status = 401;
	return bs_fail(err, BS_ERR_AUTH, "HiBob rejected the token");
}

static void
wait_events(struct task *t, unsigned long n)
{
	struct task_snapshot s;
	for (int i = 0; i < 2000; i++) {
		task_snapshot(t, &s);
		if (s.events >= n || s.finished)
			return;
		nap_ms(1);
	}
	fail_msg("the worker never reported %lu events", n);
}

/* ---- task ---- */

static void
task_degenerate(void **state)
{
	struct bs_error err = { 0 };
	struct task *t = NULL;
	(void)state;
	assert_null(task_start(NULL, NULL, &err));
	assert_int_equal(err.rc, BS_ERR_INVALID);
	assert_int_equal(task_wait(&t, NULL), BS_ERR_INVALID);
	task_free(&t);
	task_free(NULL);
	task_cancel(NULL);
}

static void
task_reports_and_finishes(void **state)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
	struct bs_error err = { 0 };
	struct task_snapshot s;
	struct task *t;
	(void)state;
	t = task_start(counted_work, &g, &err);
	assert_non_null(t);
	wait_events(t, 3);
	task_snapshot(t, &s);
	assert_string_equal(s.phase, "Applying");
	assert_string_equal(s.item, "Ada Lovelace");
	assert_int_equal(s.done, 3);
	assert_int_equal(s.total, 10);
	assert_int_equal(s.applied, 3);
	assert_false(s.finished);
	pthread_mutex_lock(&g.mu);
	g.open = 1;
	pthread_mutex_unlock(&g.mu);
	assert_int_equal(task_wait(&t, &err), BS_OK);
	assert_null(t);
}

static void
task_cancel_stops_at_next_report(void **state)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
	struct bs_error err = { 0 };
	struct task_snapshot s;
	struct task *t;
	(void)state;
	t = task_start(counted_work, &g, &err);
	assert_non_null(t);
	wait_events(t, 4);
	task_cancel(t);
	task_snapshot(t, &s);
	assert_true(s.cancelling);
	for (int i = 0; i < 2000 && !task_finished(t); i++)
		nap_ms(1);
	assert_true(task_finished(t));
	assert_int_equal(task_wait(&t, &err), BS_ERR_CANCELLED);
	assert_string_equal(err.detail, "stopped after 3");
}

static void
task_hands_back_the_error(void **state)
{
	struct bs_error err = { 0 };
	struct task *t;
	(void)state;
	msgring_clear();
	log_set_stderr(0);
	log_set_sink(msgring_sink, NULL);
	t = task_start(failing_work, NULL, &err);
	assert_non_null(t);
	assert_int_equal(task_wait(&t, &err), BS_ERR_AUTH);
	assert_int_equal(err.rc, BS_ERR_AUTH);
	assert_int_equal(err.http_status, 401);
	assert_string_equal(bs_error_text(&err), "HiBob rejected the token");
	{
		struct msg_entry e;
		assert_true(msgring_latest(&e));	/* the worker's log line */
		assert_int_equal(e.level, BS_LOG_ERROR);
		assert_non_null(strstr(e.text, "HTTP 401"));
	}
	log_set_sink(NULL, NULL);
	log_set_stderr(1);
}

static void
task_free_cancels_a_running_task(void **state)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
	struct task *t;
	(void)state;
	t = task_start(counted_work, &g, NULL);
	assert_non_null(t);
	task_free(&t);	/* would hang if cancel did not reach the worker */
	assert_null(t);
}

/* ---- message ring ---- */

static void
ring_empty(void **state)
{
	struct msg_entry e[2];
	(void)state;
	msgring_clear();
	assert_false(msgring_latest(e));
	assert_int_equal(msgring_recent(e, 2), 0);
}

static void
ring_keeps_newest_first_and_wraps(void **state)
{
	struct msg_entry e[MSGRING_SIZE + 5];
	char text[32];
	size_t n;
	(void)state;
	msgring_clear();
	for (int i = 0; i < MSGRING_SIZE + 10; i++) {
		snprintf(text, sizeof text, "message %d", i);
		msgring_push(BS_LOG_WARN, text);
	}
	n = msgring_recent(e, MSGRING_SIZE + 5);
	assert_int_equal(n, MSGRING_SIZE);
	assert_string_equal(e[0].text, "message 73");
	assert_int_equal(e[0].seq, MSGRING_SIZE + 10);
	assert_string_equal(e[MSGRING_SIZE - 1].text, "message 10");
}

static void
ring_one_line_and_bounded(void **state)
{
	struct msg_entry e;
	char big[1000];
	(void)state;
	msgring_clear();
	msgring_push(BS_LOG_ERROR, "two\nlines\tand a tab");
	assert_true(msgring_latest(&e));
	assert_string_equal(e.text, "two lines and a tab");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	msgring_push(BS_LOG_ERROR, big);
	msgring_latest(&e);
	assert_int_equal(strlen(e.text), MSGRING_TEXT - 1);
	msgring_push(BS_LOG_INFO, NULL);
	msgring_latest(&e);
	assert_string_equal(e.text, "");
}

static void
ring_sink_respects_the_log_level(void **state)
{
	struct msg_entry e;
	enum log_level old = log_get_level();
	(void)state;
	msgring_clear();
	log_set_level(BS_LOG_INFO);
	msgring_sink(NULL, BS_LOG_DEBUG, "noise");
	assert_false(msgring_latest(&e));
	msgring_sink(NULL, BS_LOG_WARN, "the eligibility field is missing");
	assert_true(msgring_latest(&e));
	assert_string_equal(e.text, "the eligibility field is missing");
	log_set_level(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(task_degenerate),
		cmocka_unit_test(task_reports_and_finishes),
		cmocka_unit_test(task_cancel_stops_at_next_report),
		cmocka_unit_test(task_hands_back_the_error),
		cmocka_unit_test(task_free_cancels_a_running_task),
		cmocka_unit_test(ring_empty),
		cmocka_unit_test(ring_keeps_newest_first_and_wraps),
		cmocka_unit_test(ring_one_line_and_bounded),
		cmocka_unit_test(ring_sink_respects_the_log_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
