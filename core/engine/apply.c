/* apply.c - the apply engine: journal, send, mark, audit, progress,
 * cancel, counters, and the run result word (see apply.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "engine/apply.h"
#include "engine/session.h"
#include "store/store.h"

static const char *const result_words[] = {
	[RUN_RESULT_NONE] = "",
	[RUN_OK] = "ok",
	[RUN_PARTIAL] = "partial",
	[RUN_BLOCKED] = "blocked",
	[RUN_ABORTED] = "aborted",
	[RUN_FAILED] = "failed",
	[RUN_NOT_RUN] = "not run",
	[RUN_INTERRUPTED] = "interrupted",
};

const char *
run_result_name(enum run_result r)
{
	if ((size_t)r >= sizeof result_words / sizeof result_words[0])
		return "";
	return result_words[r];
}

enum run_result
run_result_of(bs_rc rc)
{
	switch (rc) {
	case BS_OK:		return RUN_OK;
	case BS_ERR_PARTIAL:	return RUN_PARTIAL;
	case BS_ERR_GUARD:	return RUN_BLOCKED;
	case BS_ERR_SOURCE:	return RUN_ABORTED;
	case BS_ERR_CANCELLED:	return RUN_INTERRUPTED;
	default:		return RUN_FAILED;
	}
}

void
apply_planning_stopped(bs_rc rc, struct bs_error *err)
{
	static const char said[] = "stopped while planning; nothing was sent";

	if (rc != BS_ERR_CANCELLED || err == NULL || strcmp(bs_error_text(err), said) == 0)
		return;
	log_info("stopped while planning: %s", bs_error_text(err));
	bs_fail(err, BS_ERR_CANCELLED, "%s", said);
}

enum run_result
run_result_parse(const char *word)
{
	if (str_empty(word))
		return RUN_RESULT_NONE;
	for (size_t i = RUN_RESULT_NONE + 1; i < sizeof result_words / sizeof result_words[0]; i++)
		if (strcmp(result_words[i], word) == 0)
			return (enum run_result)i;
	return RUN_RESULT_NONE;
}

void
sync_result_set(struct sync_result *r, enum run_result x)
{
	snprintf(r->result, sizeof r->result, "%s", run_result_name(x));
}

void
apply_init(struct apply_run *run, struct bs_session *s, const struct apply_ops *ops,
    void *ctx, const struct bs_progress *progress, struct sync_result *r)
{
	memset(run, 0, sizeof *run);
	run->s = s;
	run->ops = ops;
	run->ctx = ctx;
	run->progress = progress;
	run->r = r;
}

void
apply_clear(struct apply_run *run)
{
	free(run->failed);
	run->failed = NULL;
	run->nfailed_flags = 0;
}

bs_rc
apply_journal(struct apply_run *run, const struct plan_action *a, int seq, int64_t *id,
    struct bs_error *err)
{
	struct store_action sa;

	memset(&sa, 0, sizeof sa);
	sa.run_id = run->run_id;
	sa.seq = seq;
	sa.target = (char *)run->ops->target;
	sa.op = (char *)plan_op_name(a->op);
	sa.subject = a->subject;
	sa.email = a->email;
	sa.reason = a->reason;
	sa.before = a->before;
	sa.after = a->after;
	sa.state = (char *)"pending";
	return store_action_add(run->s->store, &sa, clock_now(), id, err);
}

void
apply_audit(struct apply_run *run, const char *level, const char *subject, const char *fmt, ...)
{
	va_list va;
	char *msg;

	va_start(va, fmt);
	msg = xvasprintf(fmt, va);
	va_end(va);
	store_audit(run->s->store, run->run_id, level, subject, msg, clock_now());
	free(msg);
}

int
apply_progress(struct apply_run *run, size_t done, size_t total, const char *item)
{
	struct bs_progress_event ev;

	memset(&ev, 0, sizeof ev);
	ev.phase = run->ops->phase;
	ev.done = done;
	ev.total = total;
	ev.item = item;
	ev.applied = (unsigned)run->r->applied;
	ev.failed = (unsigned)run->r->failed;
	ev.skipped = (unsigned)run->r->skipped;
	return bs_progress_report(run->progress, &ev);
}

bs_rc
apply_resolve_unfinished(struct apply_run *run, struct bs_error *err)
{
	struct store_action *v = NULL;
	struct bs_error serr = { 0 };
	size_t n = 0;
	bs_rc rc = BS_OK;

	if (run->ops->resolve == NULL)
		return BS_OK;
	if (store_actions_unfinished(run->s->store, run->ops->target, &v, &n, &serr) != BS_OK) {
		log_warn("cannot read the unfinished actions for %s: %s", run->ops->target,
		    bs_error_text(&serr));
		return BS_OK;
	}
	for (size_t i = 0; i < n && rc == BS_OK; i++)
		rc = run->ops->resolve(run, &v[i], err);
	store_actions_free(v, n);
	return rc;
}

static const char *
label_of(const struct apply_run *run, const struct plan_action *a)
{
	return run->ops->label != NULL ? run->ops->label(a) : NULL;
}

static int
stops_run(bs_rc rc)
{
	/* every further call would fail the same way */
	return rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN;
}

/* Mark, audit and count one action the target answered for. */
static void
settle(struct apply_run *run, const struct plan_action *a, size_t i, int64_t id, bs_rc rc,
    struct apply_outcome *out, const struct bs_error *aerr)
{
	struct store *st = run->s->store;
	const char *label = label_of(run, a);
	const char *op = plan_op_name(a->op);

	if (rc == BS_OK) {
		if (!out->marked)
			store_action_mark(st, id, "done", out->remote_id, NULL, clock_now(), NULL);
		run->r->applied++;
		if (label != NULL)
			apply_audit(run, "info", a->subject, "%s %s: %s", op, label, a->reason);
		else
			apply_audit(run, "info", a->subject, "%s: %s", op, a->reason);
	} else {
		if (!out->marked)
			store_action_mark(st, id, out->state == APPLY_SENT ? "sent" : "failed",
			    out->remote_id, bs_error_text(aerr), clock_now(), NULL);
		run->r->failed++;
		if (i < run->nfailed_flags)
			run->failed[i] = 1;
		if (label != NULL)
			apply_audit(run, "error", a->subject, "%s %s failed: %s", op, label,
			    bs_error_text(aerr));
		else
			apply_audit(run, "error", a->subject, "%s failed: %s", op, bs_error_text(aerr));
		/* the command sums failures up; the audit log has each */
		log_info("%s %s failed: %s", op, label != NULL ? label : a->subject,
		    bs_error_text(aerr));
	}
	free(out->remote_id);
	out->remote_id = NULL;
}

static bs_rc
send_one(struct apply_run *run, const struct plan *p, size_t i, struct bs_error *err)
{
	const struct plan_action *a = &p->v[i];
	struct apply_outcome out;
	struct bs_error aerr = { 0 };
	int64_t id = 0;
	bs_rc rc;

	rc = apply_journal(run, a, (int)i, &id, err);
	if (rc != BS_OK)
		return rc;	/* the journal is the safety net: stop */
	memset(&out, 0, sizeof out);
	out.state = APPLY_FAILED;
	rc = run->ops->send(run, a, id, &out, &aerr);
	settle(run, a, i, id, rc, &out, &aerr);
	if (stops_run(rc)) {
		run->r->skipped += (long)(p->n - i - 1);
		*err = aerr;
		return rc;
	}
	return BS_OK;
}

static bs_rc
send_batch(struct apply_run *run, const struct plan *p, size_t i, size_t k,
    struct bs_error *err)
{
	const struct plan_action **v = xcalloc(k + 1, sizeof *v);
	int64_t *ids = xcalloc(k + 1, sizeof *ids);
	bs_rc *rcs = xcalloc(k + 1, sizeof *rcs);
	struct apply_outcome *outs = xcalloc(k + 1, sizeof *outs);
	struct bs_error *errs = xcalloc(k + 1, sizeof *errs), serr = { 0 };
	bs_rc rc = BS_OK;
	int tx;

	/* the batch's journal rows in one transaction: all of them are
	 * written before anything is sent, or nothing is sent */
	rc = store_begin(run->s->store, err);
	for (size_t j = 0; j < k && rc == BS_OK; j++) {
		v[j] = &p->v[i + j];
		outs[j].state = APPLY_FAILED;
		rcs[j] = BS_ERR_INTERNAL;
		rc = apply_journal(run, v[j], (int)(i + j), &ids[j], err);
	}
	if (rc == BS_OK)
		rc = store_commit(run->s->store, err);
	else
		store_rollback(run->s->store);
	if (rc != BS_OK)
		goto out;	/* nothing of the batch was sent */
	rc = run->ops->send_batch(run, v, ids, k, rcs, outs, errs, err);
	/* the batch's marks and audit lines in one transaction, not one each */
	tx = store_begin(run->s->store, NULL) == BS_OK;
	for (size_t j = 0; j < k; j++)
		settle(run, v[j], i + j, ids[j], rcs[j], &outs[j], &errs[j]);
	if (tx && store_commit(run->s->store, &serr) != BS_OK)
		log_warn("the journal marks and audit lines of %zu actions were not saved "
		    "(the next run looks up what they did): %s", k, bs_error_text(&serr));
	if (rc != BS_OK)
		run->r->skipped += (long)(p->n - i - k);
out:
	free(v);
	free(ids);
	free(rcs);
	free(outs);
	free(errs);
	return rc;
}

bs_rc
apply_plan(struct apply_run *run, const struct plan *p, struct bs_error *err)
{
	const struct apply_ops *ops = run->ops;
	size_t i = 0;
	bs_rc rc;

	free(run->failed);
	run->failed = xcalloc(p->n + 1, 1);
	run->nfailed_flags = p->n;
	if (ops->send_batch != NULL && ops->batch_max == 0) {
		/* one delivery of the whole plan, made even when it is empty (a
		 * file is written again whatever changed) */
		if (apply_progress(run, 0, p->n, p->n > 0 ? label_of(run, &p->v[0]) : NULL) != 0) {
			run->r->skipped += (long)p->n;
			return bs_fail(err, BS_ERR_CANCELLED, "stopped after 0 of %zu actions; the "
			    "rest is planned again next run", p->n);
		}
		rc = send_batch(run, p, 0, p->n, err);
		if (rc != BS_OK)
			return rc;
		i = p->n;
	}
	while (i < p->n) {
		const struct plan_action *a = &p->v[i];
		const char *label = label_of(run, a);
		size_t k = 1;

		if (apply_progress(run, i, p->n, label != NULL ? label : a->subject) != 0) {
			run->r->skipped += (long)(p->n - i);
			return bs_fail(err, BS_ERR_CANCELLED, "stopped after %zu of %zu actions; the "
			    "rest is planned again next run", i, p->n);
		}
		if (ops->send_batch != NULL) {
			k = p->n - i;
			if (ops->batch_max > 0 && ops->batch_max < k)
				k = ops->batch_max;
			rc = send_batch(run, p, i, k, err);
		} else {
			rc = send_one(run, p, i, err);
		}
		if (rc != BS_OK)
			return rc;
		i += k;
	}
	apply_progress(run, p->n, p->n, NULL);
	return BS_OK;
}

int
apply_action_failed(const struct apply_run *run, size_t i)
{
	return i < run->nfailed_flags && run->failed[i];
}

bs_rc
apply_partial(struct apply_run *run, const struct plan *p, bs_rc rc, struct bs_error *err)
{
	if (rc != BS_OK || run->r->failed == 0)
		return rc;
	return bs_fail(err, BS_ERR_PARTIAL, "%ld of %zu action%s failed; they are tried again "
	    "next run ('bobsync log --run %lld' shows why)", run->r->failed, p->n,
	    p->n == 1 ? "" : "s", (long long)run->run_id);
}
