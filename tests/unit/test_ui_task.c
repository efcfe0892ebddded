/* test_ui_task.c - the worker-thread runner (progress snapshots, cancel
 * through the progress callback and into the worker's HTTP transfers,
 * result and error handed back), the framework's screen jobs (start, poll,
 * job_done, cancel on pop with the screen closed only once its worker
 * ended, keys queued meanwhile) and the message ring fed by core's log. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "base/log.h"
#include "msgring.h"
#include "net/http.h"
#include "task.h"
#include "tui.h"

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


/* ---- cancel reaches the worker's transfers ---- */

/* A loopback port that accepts connections (the kernel's backlog) and
 * never answers: a transfer to it hangs until it is cancelled or its
 * timeout (20 s here) ends it. */
static int
silent_listener(int *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

struct hang {
	char url[64];
	pthread_mutex_t mu;
	int sending;		/* the worker is in http_send */
	const char *method;	/* NULL: GET */
	long timeout_ms;	/* 0: 20 s */
};

/* One GET to the silent port with a client of its own, made in the
 * worker (as core makes its clients): only the thread's hook can stop it. */
static bs_rc
hanging_transfer(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct hang *h = arg;
	struct http_options o = { 0 };
	struct http_request req = { 0 };
	struct http_response resp = { 0 };
	struct http_client *c;
	bs_rc rc;

	(void)p;
	o.total_timeout_ms = h->timeout_ms ? h->timeout_ms : 20000;
	o.max_attempts = 1;
	c = http_client_new(&o, NULL);
	req.method = h->method ? h->method : "GET";
	if (h->method != NULL) {
		req.body = "{}";
		req.body_len = 2;
	}
	req.url = h->url;
	pthread_mutex_lock(&h->mu);
	h->sending = 1;
	pthread_mutex_unlock(&h->mu);
	rc = http_send(c, &req, &resp, err);
	http_response_clear(&resp);
	http_client_free(&c);
	return rc;
}

static void
wait_sending(struct hang *h)
{
	for (int i = 0; i < 5000; i++) {
		int s;
		pthread_mutex_lock(&h->mu);
		s = h->sending;
		pthread_mutex_unlock(&h->mu);
		if (s)
			break;
		nap_ms(1);
	}
	nap_ms(50);	/* into the transfer */
}

static void
task_cancel_reaches_the_transfer(void **state)
{
	struct hang h = { "", PTHREAD_MUTEX_INITIALIZER, 0, NULL, 0 };
	struct bs_error err = { 0 };
	struct task *t;
	int port, fd = silent_listener(&port);
	(void)state;
	snprintf(h.url, sizeof h.url, "http://127.0.0.1:%d/people", port);
	t = task_start(hanging_transfer, &h, &err);
	assert_non_null(t);
	wait_sending(&h);
	assert_false(task_finished(t));
	task_cancel(t);
	/* cancelled, not timed out: the hook stopped the transfer */
	assert_int_equal(task_wait(&t, &err), BS_ERR_CANCELLED);
	assert_int_equal(err.rc, BS_ERR_CANCELLED);
	close(fd);
}

/* A create (POST, not idempotent) is not cut off midway: it runs to its
 * answer or its timeout, so the sender learns whether it landed. */
static void
task_cancel_lets_a_create_finish(void **state)
{
	struct hang h = { "", PTHREAD_MUTEX_INITIALIZER, 0, "POST", 1500 };
	struct bs_error err = { 0 };
	struct task *t;
	int port, fd = silent_listener(&port);
	(void)state;
	snprintf(h.url, sizeof h.url, "http://127.0.0.1:%d/users", port);
	t = task_start(hanging_transfer, &h, &err);
	assert_non_null(t);
	wait_sending(&h);
	task_cancel(t);
	assert_int_equal(task_wait(&t, &err), BS_ERR_TIMEOUT);
	close(fd);
}

static void
task_cancel_leaves_other_tasks_alone(void **state)
{
	struct hang a = { "", PTHREAD_MUTEX_INITIALIZER, 0, NULL, 0 };
	struct hang b = { "", PTHREAD_MUTEX_INITIALIZER, 0, NULL, 0 };
	struct bs_error err = { 0 };
	struct task *ta, *tb;
	int port, fd = silent_listener(&port);
	(void)state;
	snprintf(a.url, sizeof a.url, "http://127.0.0.1:%d/a", port);
	snprintf(b.url, sizeof b.url, "http://127.0.0.1:%d/b", port);
	ta = task_start(hanging_transfer, &a, &err);
	tb = task_start(hanging_transfer, &b, &err);
	assert_non_null(ta);
	assert_non_null(tb);
	wait_sending(&a);
	wait_sending(&b);
	task_cancel(ta);
	assert_int_equal(task_wait(&ta, &err), BS_ERR_CANCELLED);
	nap_ms(1200);	/* more than a transfer's progress interval */
	assert_false(task_finished(tb));	/* b's transfer still waits */
	/* and the UI thread has no hook: its own transfers are not cancelled */
	{
		struct task_snapshot s;
		task_snapshot(tb, &s);
		assert_false(s.cancelling);
	}
	task_cancel(tb);
	memset(&err, 0, sizeof err);
	assert_int_equal(task_wait(&tb, &err), BS_ERR_CANCELLED);
	close(fd);
}

/* ---- the framework's screen jobs ---- */

static SCREEN *scr;
static FILE *out_fp, *in_fp;

static int
start_screen(void **state)
{
	(void)state;
	setenv("TERM", "screen-256color", 1);
	setenv("LINES", "24", 1);
	setenv("COLUMNS", "80", 1);
	out_fp = fopen("/dev/null", "w");
	in_fp = fopen("/dev/null", "r");
	if (out_fp == NULL || in_fp == NULL)
		return -1;
	scr = newterm(NULL, out_fp, in_fp);
	if (scr == NULL)
		return -1;
	set_term(scr);
	return 0;
}

static int
stop_screen(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(out_fp);
	fclose(in_fp);
	return 0;
}

/* A screen whose job waits on a gate; it records what reaches it. */
struct fake {
	struct gate g;
	int *closed;		/* set by close (outlives the screen) */
	int done;		/* job_done calls */
	bs_rc rc;
	int was_cancelled;
	int hold;		/* under g.mu: the worker does not end yet */
	char keys[64];		/* the keys handle_key got, in order */
	size_t nkeys;
	unsigned flags;
};

static bs_rc
gated_work(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct fake *f = arg;
	bs_rc rc = counted_work(&f->g, p, err);

	for (;;) {	/* a worker slow to end, cancelled or not */
		int hold;
		pthread_mutex_lock(&f->g.mu);
		hold = f->hold;
		pthread_mutex_unlock(&f->g.mu);
		if (!hold)
			return rc;
		nap_ms(1);
	}
}

static int
fake_open(struct tui *ui, struct tui_screen *s)
{
	struct fake *f = s->data;

	return tui_job_start(ui, s, "Reading the gate", gated_work, f, f->flags);
}

static void
fake_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	(void)h;
	tui_job_draw(ui, s, y, x, w);
}

static int
fake_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct fake *f = s->data;

	(void)ui;
	(void)action;
	if (key == UK_ESC)
		return TUI_UNHANDLED;
	if (f->nkeys < sizeof f->keys - 1)
		f->keys[f->nkeys++] = (char)key;
	return TUI_HANDLED;
}

static void
fake_close(struct tui *ui, struct tui_screen *s)
{
	struct fake *f = s->data;

	(void)ui;
	*f->closed = 1;
	free(f);
}

static int
fake_done(struct tui *ui, struct tui_screen *s, bs_rc rc, const struct bs_error *err)
{
	struct fake *f = s->data;

	(void)ui;
	(void)err;
	f->done++;
	f->rc = rc;
	f->was_cancelled = tui_job_cancelled(s);
	assert_false(tui_job_running(s));
	return TUI_REDRAW;
}

static const struct tui_screen_ops fake_ops = {
	.name = "fake", .open = fake_open, .draw = fake_draw, .handle_key = fake_key,
	.close = fake_close, .job_done = fake_done,
};

/* A plain screen underneath that records its keys. */
static int under_keys[16];
static size_t under_n;

static void
under_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	(void)ui; (void)s; (void)y; (void)x; (void)h; (void)w;
}

static int
under_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	(void)ui; (void)s; (void)action;
	if (under_n < 16)
		under_keys[under_n++] = key;
	return TUI_HANDLED;
}

static const struct tui_screen_ops under_ops = {
	.name = "under", .draw = under_draw, .handle_key = under_key,
};

static struct fake *
fake_new(int *closed, unsigned flags)
{
	struct fake *f = calloc(1, sizeof *f);

	assert_non_null(f);
	pthread_mutex_init(&f->g.mu, NULL);
	f->closed = closed;
	f->flags = flags;
	return f;
}

static void
open_gate(struct fake *f)
{
	pthread_mutex_lock(&f->g.mu);
	f->g.open = 1;
	pthread_mutex_unlock(&f->g.mu);
}

/* tui_tick until cond or 5 s */
#define TICK_UNTIL(ui, cond) do { \
	for (int i_ = 0; i_ < 5000 && !(cond); i_++) { tui_tick(ui); nap_ms(1); } \
	assert_true(cond); \
} while (0)

static int
msg_has(const char *needle)
{
	char *text = tui_screen_text();
	int has = strstr(text, needle) != NULL;
	free(text);
	return has;
}

static void
job_polled_into_job_done(void **state)
{
	struct tui *ui;
	int closed = 0;
	struct fake *f = fake_new(&closed, 0);
	struct tui_screen *s;
	struct task_snapshot p;
	(void)state;
	tui_attach(&ui);
	assert_int_equal(tui_push(ui, &fake_ops, f, "Fake", NULL), 0);
	s = tui_top(ui);
	assert_true(tui_job_running(s));
	/* one job at a time */
	assert_int_equal(tui_job_start(ui, s, "again", gated_work, f, 0), -1);
	for (int i = 0; i < 2000 && (tui_job_progress(s, &p), p.events < 3); i++)
		nap_ms(1);
	assert_int_equal(tui_job_progress(s, &p), 0);
	assert_string_equal(p.item, "Ada Lovelace");
	tui_draw(ui);
	assert_true(msg_has("Reading the gate (Esc stops)"));
	assert_true(tui_tick(ui) & TUI_REDRAW);	/* running: the spinner moves */
	assert_int_equal(f->done, 0);
	open_gate(f);
	TICK_UNTIL(ui, f->done == 1);
	assert_int_equal(f->rc, BS_OK);
	assert_false(f->was_cancelled);
	assert_false(tui_job_running(s));
	assert_int_equal(tui_job_progress(s, &p), -1);
	tui_stop(&ui);
	assert_true(closed);
}

static void
job_cancel_ends_through_job_done(void **state)
{
	struct tui *ui;
	int closed = 0;
	struct fake *f = fake_new(&closed, 0);
	struct tui_screen *s;
	(void)state;
	tui_attach(&ui);
	assert_int_equal(tui_push(ui, &fake_ops, f, "Fake", NULL), 0);
	s = tui_top(ui);
	tui_job_cancel(s);
	assert_true(tui_job_cancelled(s));
	tui_draw(ui);
	assert_true(msg_has("Reading the gate (stopping at the next safe point)"));
	TICK_UNTIL(ui, f->done == 1);
	assert_int_equal(f->rc, BS_ERR_CANCELLED);
	assert_true(f->was_cancelled);
	assert_false(tui_job_cancelled(s));
	assert_false(closed);
	tui_stop(&ui);
	assert_true(closed);
}

static void
pop_stops_the_job_and_closes_later(void **state)
{
	struct tui *ui;
	int closed = 0;
	struct fake *f = fake_new(&closed, 0);
	(void)state;
	under_n = 0;
	tui_attach(&ui);
	assert_int_equal(tui_push(ui, &under_ops, NULL, "Under", NULL), 0);
	assert_int_equal(tui_push(ui, &fake_ops, f, "Fake", NULL), 0);
	tui_draw(ui);	/* the log's older lines are shown and done with */
	/* hold the worker past its cancel: it must outlive the pop */
	pthread_mutex_lock(&f->g.mu);
	f->hold = 1;
	pthread_mutex_unlock(&f->g.mu);
	tui_feed_key(ui, UK_ESC);	/* unhandled: the framework pops */
	assert_string_equal(tui_top(ui)->ops->name, "under");
	assert_int_equal(tui_jobs_stopping(ui), 1);
	assert_false(closed);		/* the worker may still use f */
	tui_draw(ui);
	assert_true(msg_has("Stopping: Reading the gate..."));
	/* keys for the screen left wait until the worker has ended */
	tui_feed_key(ui, 'a');
	tui_feed_key(ui, 'b');
	tui_tick(ui);
	assert_int_equal(under_n, 0);
	assert_false(closed);
	pthread_mutex_lock(&f->g.mu);
	f->hold = 0;
	pthread_mutex_unlock(&f->g.mu);
	TICK_UNTIL(ui, closed);
	assert_int_equal(tui_jobs_stopping(ui), 0);
	TICK_UNTIL(ui, under_n == 2);
	assert_int_equal(under_keys[0], 'a');
	assert_int_equal(under_keys[1], 'b');
	tui_draw(ui);
	assert_false(msg_has("Stopping:"));
	tui_stop(&ui);
}

static void
stop_waits_for_stopping_jobs(void **state)
{
	struct tui *ui;
	int closed = 0;
	struct fake *f = fake_new(&closed, 0);
	(void)state;
	tui_attach(&ui);
	assert_int_equal(tui_push(ui, &fake_ops, f, "Fake", NULL), 0);
	tui_pop(ui);
	assert_false(closed);
	tui_stop(&ui);		/* cancels and waits: nothing leaks */
	assert_true(closed);
	assert_null(ui);
}

static void
queued_keys_reach_the_screen_after_its_read(void **state)
{
	struct tui *ui;
	int closed = 0;
	struct fake *f = fake_new(&closed, TUI_JOB_QUEUE_KEYS);
	(void)state;
	tui_attach(&ui);
	assert_int_equal(tui_push(ui, &fake_ops, f, "Fake", NULL), 0);
	tui_feed_key(ui, '/');
	tui_feed_key(ui, 'x');
	tui_feed_key(ui, 'y');
	tui_tick(ui);
	assert_int_equal(f->nkeys, 0);	/* held while the read runs */
	open_gate(f);
	TICK_UNTIL(ui, f->done == 1);
	TICK_UNTIL(ui, f->nkeys == 3);
	assert_memory_equal(f->keys, "/xy", 3);
	tui_feed_key(ui, 'z');		/* no job: at once */
	assert_int_equal(f->nkeys, 4);
	tui_stop(&ui);
	assert_true(closed);
}

static void
esc_drops_the_keys_queued_for_a_read(void **state)
{
	struct tui *ui;
	int closed = 0;
	struct fake *f = fake_new(&closed, TUI_JOB_QUEUE_KEYS);
	(void)state;
	under_n = 0;
	tui_attach(&ui);
	assert_int_equal(tui_push(ui, &under_ops, NULL, "Under", NULL), 0);
	assert_int_equal(tui_push(ui, &fake_ops, f, "Fake", NULL), 0);
	tui_feed_key(ui, 'x');
	tui_feed_key(ui, UK_ESC);	/* leaves the read at once */
	assert_string_equal(tui_top(ui)->ops->name, "under");
	tui_feed_key(ui, 'k');		/* typed after the Esc: for the screen left */
	TICK_UNTIL(ui, closed);
	TICK_UNTIL(ui, under_n == 1);
	assert_int_equal(under_keys[0], 'k');
	tui_stop(&ui);
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
		cmocka_unit_test(task_cancel_reaches_the_transfer),
		cmocka_unit_test(task_cancel_lets_a_create_finish),
		cmocka_unit_test(task_cancel_leaves_other_tasks_alone),
		cmocka_unit_test_setup_teardown(job_polled_into_job_done, start_screen, stop_screen),
		cmocka_unit_test_setup_teardown(job_cancel_ends_through_job_done, start_screen,
		    stop_screen),
		cmocka_unit_test_setup_teardown(pop_stops_the_job_and_closes_later, start_screen,
		    stop_screen),
		cmocka_unit_test_setup_teardown(stop_waits_for_stopping_jobs, start_screen,
		    stop_screen),
		cmocka_unit_test_setup_teardown(queued_keys_reach_the_screen_after_its_read,
		    start_screen, stop_screen),
		cmocka_unit_test_setup_teardown(esc_drops_the_keys_queued_for_a_read, start_screen,
		    stop_screen),
		cmocka_unit_test(ring_empty),
		cmocka_unit_test(ring_keeps_newest_first_and_wraps),
		cmocka_unit_test(ring_one_line_and_bounded),
		cmocka_unit_test(ring_sink_respects_the_log_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
