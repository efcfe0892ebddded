/* test_apply.c - the apply engine with a fake send: each action is
 * journaled before it is sent, a failed send is a failed action (or a
 * "sent" one when it may have acted), a rejected credential stops the run,
 * cancel stops between two sends, actions a killed run left are resolved,
 * batches are journaled whole before they go, and the counters and the
 * run result say what happened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/util.h"
#include "config/conf.h"
#include "engine/apply.h"
#include "engine/session.h"
#include "store/store.h"

#define FAKE_TARGET "fake"
#define MAXN 16

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
	struct conf *conf;
	struct bs_session s;
	struct sync_result r;
	struct apply_run run;
	struct plan plan;
	/* what the fake target does and saw */
	bs_rc answer[MAXN];		/* per action, BS_OK by default */
	enum apply_state state[MAXN];	/* the outcome state of a failed send */
	int sent[MAXN];			/* order of the sends (action index) */
	int nsent;
	int pending_at_send;		/* sends that found their journal row pending */
	int batches[MAXN];		/* sizes of the send_batch calls */
	int nbatches;
	int batch_all_pending;		/* every batch found all its rows pending */
	int stop_at;			/* progress asks to stop at done == stop_at; -1 never */
	int resolved;
	bs_rc resolve_answer;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct bs_error err = { 0 };

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/bs_apply_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
	assert_int_equal(store_open(f->path, &f->st, &err), BS_OK);
	f->conf = conf_new();
	session_init(&f->s, f->conf, NULL, f->st, NULL);
	plan_init(&f->plan, FAKE_TARGET);
	f->stop_at = -1;
	f->batch_all_pending = 1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[192];

	apply_clear(&f->run);
	plan_clear(&f->plan);
	session_close(&f->s);
	conf_free(&f->conf);
	store_close(&f->st);
	snprintf(p, sizeof p, "%s/state.db-wal", f->dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/state.db-shm", f->dir);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static size_t
index_of(const struct fixture *f, const struct plan_action *a)
{
	return (size_t)(a - f->plan.v);
}

static const char *
journal_state(struct fixture *f, int64_t id)
{
	static char word[16];
	struct store_action *v = NULL;
	struct store_action_filter flt = { 0 };
	size_t n = 0;

	word[0] = '\0';
	flt.run_id = f->run.run_id;
	assert_int_equal(store_actions_list(f->st, &flt, &v, &n, NULL), BS_OK);
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			snprintf(word, sizeof word, "%s", v[i].state);
	store_actions_free(v, n);
	return word;
}

static bs_rc
fake_send(struct apply_run *run, const struct plan_action *a, int64_t journal_id,
    struct apply_outcome *out, struct bs_error *err)
{
	struct fixture *f = run->ctx;
	size_t i = index_of(f, a);

	if (str_eq(journal_state(f, journal_id), "pending"))
		f->pending_at_send++;
	f->sent[f->nsent++] = (int)i;
	if (f->answer[i] != BS_OK) {
		out->state = f->state[i];
		out->remote_id = xasprintf("half-%zu", i);
		return bs_fail(err, f->answer[i], "the fake target refused %s", a->subject);
	}
	out->remote_id = xasprintf("remote-%zu", i);
	return BS_OK;
}

static bs_rc
fake_batch(struct apply_run *run, const struct plan_action *const *v, const int64_t *ids,
    size_t n, bs_rc *rcs, struct apply_outcome *outs, struct bs_error *errs,
    struct bs_error *err)
{
	struct fixture *f = run->ctx;

	(void)err;
	f->batches[f->nbatches++] = (int)n;
	for (size_t j = 0; j < n; j++)
		if (!str_eq(journal_state(f, ids[j]), "pending"))
			f->batch_all_pending = 0;
	for (size_t j = 0; j < n; j++) {
		size_t i = index_of(f, v[j]);
		f->sent[f->nsent++] = (int)i;
		rcs[j] = f->answer[i];
		outs[j].remote_id = xasprintf("batch-%zu", i);
		if (rcs[j] != BS_OK)
			bs_fail(&errs[j], rcs[j], "the fake target refused %s in a batch", v[j]->subject);
	}
	return BS_OK;
}

static bs_rc
fake_resolve(struct apply_run *run, const struct store_action *sa, struct bs_error *err)
{
	struct fixture *f = run->ctx;

	f->resolved++;
	if (f->resolve_answer != BS_OK)
		return bs_fail(err, f->resolve_answer, "cannot tell what %s became", sa->subject);
	store_action_mark(run->s->store, sa->id, "done", NULL, "resolved", clock_now(), NULL);
	return BS_OK;
}

static const char *
fake_label(const struct plan_action *a)
{
	return a->email;
}

static int
fake_progress(void *ctx, const struct bs_progress_event *ev)
{
	struct fixture *f = ctx;

	return f->stop_at >= 0 && ev->done == (size_t)f->stop_at && ev->total > 0 &&
	    ev->done < ev->total;
}

static const struct apply_ops one_ops = {
	.target = FAKE_TARGET, .phase = "Sending to the fake", .label = fake_label,
	.send = fake_send, .resolve = fake_resolve,
};
static const struct apply_ops batch_ops = {
	.target = FAKE_TARGET, .phase = "Sending to the fake", .label = fake_label,
	.send_batch = fake_batch, .batch_max = 2, .resolve = fake_resolve,
};
static const struct apply_ops whole_ops = {
	.target = FAKE_TARGET, .phase = "Sending to the fake",
	.send_batch = fake_batch, .batch_max = 0,
};

static struct bs_progress
progress_of(struct fixture *f)
{
	struct bs_progress p = { fake_progress, f };
	return p;
}

/* n actions "e<i>" and start a run with ops. */
static void
start(struct fixture *f, const struct apply_ops *ops, size_t n, const struct bs_progress *pr)
{
	struct bs_error err = { 0 };

	for (size_t i = 0; i < n; i++) {
		char subj[16], mail[32];
		snprintf(subj, sizeof subj, "e%zu", i);
		snprintf(mail, sizeof mail, "e%zu@x.test", i);
		plan_add(&f->plan, PLAN_ADD, subj, subj, mail, NULL, 0, "new in HiBob", NULL, NULL);
	}
	apply_init(&f->run, &f->s, ops, f, pr, &f->r);
	assert_int_equal(store_run_start(f->st, "fake", "sync", NULL, clock_now(),
	    &f->run.run_id, &err), BS_OK);
}

static size_t
count_state(struct fixture *f, const char *state)
{
	struct store_action *v = NULL;
	struct store_action_filter flt = { 0 };
	size_t n = 0;

	flt.run_id = f->run.run_id;
	flt.state = state;
	assert_int_equal(store_actions_list(f->st, &flt, &v, &n, NULL), BS_OK);
	store_actions_free(v, n);
	return n;
}

static void
result_words(void **state)
{
	(void)state;
	assert_string_equal(run_result_name(RUN_OK), "ok");
	assert_string_equal(run_result_name(RUN_PARTIAL), "partial");
	assert_string_equal(run_result_name(RUN_BLOCKED), "blocked");
	assert_string_equal(run_result_name(RUN_ABORTED), "aborted");
	assert_string_equal(run_result_name(RUN_FAILED), "failed");
	assert_string_equal(run_result_name(RUN_NOT_RUN), "not run");
	assert_string_equal(run_result_name(RUN_INTERRUPTED), "interrupted");
	assert_string_equal(run_result_name(RUN_RESULT_NONE), "");
	assert_string_equal(run_result_name((enum run_result)99), "");
	for (int r = RUN_OK; r <= RUN_INTERRUPTED; r++)
		assert_int_equal(run_result_parse(run_result_name((enum run_result)r)), r);
	assert_int_equal(run_result_parse(NULL), RUN_RESULT_NONE);
	assert_int_equal(run_result_parse("running"), RUN_RESULT_NONE);
	assert_int_equal(run_result_of(BS_OK), RUN_OK);
	assert_int_equal(run_result_of(BS_ERR_PARTIAL), RUN_PARTIAL);
	assert_int_equal(run_result_of(BS_ERR_GUARD), RUN_BLOCKED);
	assert_int_equal(run_result_of(BS_ERR_SOURCE), RUN_ABORTED);
	assert_int_equal(run_result_of(BS_ERR_NETWORK), RUN_FAILED);
	assert_int_equal(run_result_of(BS_ERR_CANCELLED), RUN_INTERRUPTED);
}

/* A stop before the plan is made is said in the admin's words, whichever
 * read was cut short; any other error is left as it is. */
static void
planning_stopped_in_words(void **state)
{
	struct bs_error err = { 0 };

	(void)state;
	bs_fail(&err, BS_ERR_CANCELLED, "reading people from HiBob: POST /v1/people/search "
	    "cancelled");
	apply_planning_stopped(BS_ERR_CANCELLED, &err);
	assert_int_equal(err.rc, BS_ERR_CANCELLED);
	assert_string_equal(bs_error_text(&err), "stopped while planning; nothing was sent");
	apply_planning_stopped(BS_ERR_CANCELLED, &err);	/* said once */
	assert_string_equal(bs_error_text(&err), "stopped while planning; nothing was sent");
	bs_fail(&err, BS_ERR_NETWORK, "connection refused");
	apply_planning_stopped(BS_ERR_NETWORK, &err);
	assert_string_equal(bs_error_text(&err), "connection refused");
	apply_planning_stopped(BS_ERR_CANCELLED, NULL);
}

static void
journal_before_each_send(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_audit_entry *au = NULL;
	size_t nau = 0;

	start(f, &one_ops, 3, NULL);
	assert_int_equal(apply_plan(&f->run, &f->plan, &err), BS_OK);
	assert_int_equal(f->nsent, 3);
	assert_int_equal(f->pending_at_send, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(f->sent[i], i);
	assert_int_equal(count_state(f, "done"), 3);
	assert_int_equal(f->r.applied, 3);
	assert_int_equal(f->r.failed, 0);
	assert_int_equal(apply_partial(&f->run, &f->plan, BS_OK, &err), BS_OK);
	/* an audit line per action, with the label */
	assert_int_equal(store_audit_list(f->st, f->run.run_id, 10, &au, &nau, &err), BS_OK);
	assert_int_equal(nau, 3);
	assert_non_null(strstr(au[0].message, "add e"));
	assert_non_null(strstr(au[0].message, "@x.test: new in HiBob"));
	store_audit_free(au, nau);
}

static void
failed_send_is_a_failed_action(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	bs_rc rc;

	f->answer[1] = BS_ERR_REMOTE;
	f->state[1] = APPLY_FAILED;
	f->answer[2] = BS_ERR_TIMEOUT;
	f->state[2] = APPLY_SENT;	/* may have acted: left to recovery */
	start(f, &one_ops, 4, NULL);
	assert_int_equal(apply_plan(&f->run, &f->plan, &err), BS_OK);
	assert_int_equal(f->nsent, 4);	/* a failure does not stop the run */
	assert_int_equal(f->r.applied, 2);
	assert_int_equal(f->r.failed, 2);
	assert_int_equal(f->r.skipped, 0);
	assert_false(apply_action_failed(&f->run, 0));
	assert_true(apply_action_failed(&f->run, 1));
	assert_true(apply_action_failed(&f->run, 2));
	assert_false(apply_action_failed(&f->run, 3));
	assert_false(apply_action_failed(&f->run, 99));
	assert_int_equal(count_state(f, "done"), 2);
	assert_int_equal(count_state(f, "failed"), 1);
	assert_int_equal(count_state(f, "sent"), 1);
	rc = apply_partial(&f->run, &f->plan, BS_OK, &err);
	assert_int_equal(rc, BS_ERR_PARTIAL);
	assert_non_null(strstr(bs_error_text(&err), "2 of 4 actions failed"));
	assert_int_equal(run_result_of(rc), RUN_PARTIAL);
	/* another rc is left as it is */
	assert_int_equal(apply_partial(&f->run, &f->plan, BS_ERR_CANCELLED, &err), BS_ERR_CANCELLED);
}

static void
rejected_credentials_stop_the_run(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };

	f->answer[1] = BS_ERR_AUTH;
	start(f, &one_ops, 4, NULL);
	assert_int_equal(apply_plan(&f->run, &f->plan, &err), BS_ERR_AUTH);
	assert_non_null(strstr(bs_error_text(&err), "refused e1"));
	assert_int_equal(f->nsent, 2);
	assert_int_equal(f->r.applied, 1);
	assert_int_equal(f->r.failed, 1);
	assert_int_equal(f->r.skipped, 2);
	/* the two not sent were never journaled */
	assert_int_equal(count_state(f, NULL), 2);
}

static void
cancel_stops_between_actions(void **state)
{
	struct fixture *f = *state;
	struct bs_progress pr = progress_of(f);
	struct bs_error err = { 0 };

	f->stop_at = 2;
	start(f, &one_ops, 5, &pr);
	assert_int_equal(apply_plan(&f->run, &f->plan, &err), BS_ERR_CANCELLED);
	assert_non_null(strstr(bs_error_text(&err), "stopped after 2 of 5"));
	assert_int_equal(f->nsent, 2);
	assert_int_equal(f->r.applied, 2);
	assert_int_equal(f->r.skipped, 3);
	assert_int_equal(count_state(f, NULL), 2);
	assert_int_equal(count_state(f, "pending"), 0);
}

static void
resume_resolves_unfinished(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_action *v = NULL;
	int64_t id;
	size_t n = 0;

	/* a killed run: two actions journaled, never marked */
	start(f, &one_ops, 3, NULL);
	assert_int_equal(apply_journal(&f->run, &f->plan.v[0], 0, &id, &err), BS_OK);
	assert_int_equal(apply_journal(&f->run, &f->plan.v[1], 1, &id, &err), BS_OK);
	assert_int_equal(store_actions_unfinished(f->st, FAKE_TARGET, &v, &n, &err), BS_OK);
	store_actions_free(v, n);
	assert_int_equal(n, 2);
	/* a resolve that cannot tell stops at the first */
	f->resolve_answer = BS_ERR_NETWORK;
	assert_int_equal(apply_resolve_unfinished(&f->run, &err), BS_ERR_NETWORK);
	assert_int_equal(f->resolved, 1);
	/* the next run resolves both */
	f->resolve_answer = BS_OK;
	f->resolved = 0;
	assert_int_equal(apply_resolve_unfinished(&f->run, &err), BS_OK);
	assert_int_equal(f->resolved, 2);
	assert_int_equal(store_actions_unfinished(f->st, FAKE_TARGET, &v, &n, &err), BS_OK);
	store_actions_free(v, n);
	assert_int_equal(n, 0);
	/* without a resolve nothing is read */
	f->run.ops = &whole_ops;
	assert_int_equal(apply_resolve_unfinished(&f->run, &err), BS_OK);
}

static void
batches_are_journaled_whole(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };

	f->answer[3] = BS_ERR_CONFLICT;
	start(f, &batch_ops, 5, NULL);
	assert_int_equal(apply_plan(&f->run, &f->plan, &err), BS_OK);
	assert_int_equal(f->nbatches, 3);
	assert_int_equal(f->batches[0], 2);
	assert_int_equal(f->batches[1], 2);
	assert_int_equal(f->batches[2], 1);
	assert_true(f->batch_all_pending);
	assert_int_equal(f->r.applied, 4);
	assert_int_equal(f->r.failed, 1);
	assert_true(apply_action_failed(&f->run, 3));
	assert_int_equal(count_state(f, "failed"), 1);
	assert_int_equal(count_state(f, "done"), 4);
}

static void
whole_plan_batch_runs_when_empty(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };

	start(f, &whole_ops, 0, NULL);
	assert_int_equal(apply_plan(&f->run, &f->plan, &err), BS_OK);
	assert_int_equal(f->nbatches, 1);
	assert_int_equal(f->batches[0], 0);
	/* and once for all of them when there are some */
	apply_clear(&f->run);
	plan_clear(&f->plan);
	plan_init(&f->plan, FAKE_TARGET);
	f->nbatches = 0;
	start(f, &whole_ops, 3, NULL);
	assert_int_equal(apply_plan(&f->run, &f->plan, &err), BS_OK);
	assert_int_equal(f->nbatches, 1);
	assert_int_equal(f->batches[0], 3);
	assert_int_equal(f->r.applied, 3);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(result_words),
		T(journal_before_each_send),
		T(failed_send_is_a_failed_action),
		T(rejected_credentials_stop_the_run),
		T(cancel_stops_between_actions),
		T(planning_stopped_in_words),
		T(resume_resolves_unfinished),
		T(batches_are_journaled_whole),
		T(whole_plan_batch_runs_when_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
