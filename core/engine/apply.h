/* apply.h - the one apply engine both syncs run their plans through.
 *
 * A sync (roster_apply.c, timeoff_apply.c) makes a plan, then hands it to
 * apply_plan with a table of callbacks: how to send one action (and,
 * optionally, several at once), and how to settle an action a killed run
 * left open.  The engine owns what is the same for every target:
 *  - the journal: each action is written "pending" before it is sent, and
 *    marked "done", "sent" (may have acted, left to the next run's
 *    recovery) or "failed" after;
 *  - the audit line of each action, the progress events and their cancel
 *    (between two sends, never inside one);
 *  - the counters (applied, failed, skipped) and which actions failed;
 *  - a rejected credential or permission stops the run: every further
 *    call would fail the same way;
 *  - the run result: one enum, one word for it.
 */
#ifndef BS_APPLY_H
#define BS_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "base/progress.h"
#include "base/result.h"
#include "engine/plan.h"

struct bs_session;
struct store_action;

/* How a run ended, as recorded in the store and shown by every command. */
enum run_result {
	RUN_RESULT_NONE,	/* not decided yet: "" */
	RUN_OK,			/* "ok" */
	RUN_PARTIAL,		/* "partial": some actions failed */
	RUN_BLOCKED,		/* "blocked": a guard waits for an approval */
	RUN_ABORTED,		/* "aborted": the source looked wrong, nothing sent */
	RUN_FAILED,		/* "failed" */
	RUN_NOT_RUN,		/* "not run": could not start (lock, settings) */
	RUN_INTERRUPTED		/* "interrupted": stopped on request (a signal, the
				 * console's cancel); the rest is planned again */
};

/* The word of a result ("ok", "partial", ..., "not run"; "" for NONE). */
const char *run_result_name(enum run_result r);
/* The result of a run that ended with rc: BS_OK ok, BS_ERR_PARTIAL
 * partial, BS_ERR_GUARD blocked, BS_ERR_SOURCE aborted, BS_ERR_CANCELLED
 * interrupted, else failed. */
enum run_result run_result_of(bs_rc rc);
/* The result a word names; RUN_RESULT_NONE for "", NULL or a word that
 * is none of them (e.g. "running"). */
enum run_result run_result_parse(const char *word);
/* A run stopped (BS_ERR_CANCELLED) before its plan was made: err says so
 * in the admin's words, whichever read was cut short (that read is
 * logged). */
void apply_planning_stopped(bs_rc rc, struct bs_error *err);
/* Set r->result to the word of x. */
void sync_result_set(struct sync_result *r, enum run_result x);

/* What a send did to one action. */
enum apply_state {
	APPLY_DONE,		/* the target confirmed it */
	APPLY_FAILED,		/* refused or never sent: planned again */
	APPLY_SENT		/* partly done, or an outcome that is unknown */
};

struct apply_outcome {
	enum apply_state state;	/* on a failed send: FAILED unless set to SENT */
	char *remote_id;	/* the target's id for the journal; the engine frees */
	int marked;		/* the send marked the journal itself (with its own
				 * state, in one transaction): the engine does not */
};

struct apply_run;

struct apply_ops {
	const char *target;	/* the journal's target: "alleo", "assembled" */
	const char *phase;	/* the progress phase: "Sending to Alleo" */
	/* Who an action is about in audit lines and progress ("add NAME:
	 * reason"); NULL (or a NULL label) leaves it out of the audit line and
	 * shows the subject in progress. */
	const char *(*label)(const struct plan_action *a);
	/* Send one action, journaled as journal_id.  BS_OK when the target
	 * confirmed it and the sync's own state (mapping rows) is recorded. */
	bs_rc (*send)(struct apply_run *run, const struct plan_action *a, int64_t journal_id,
	    struct apply_outcome *out, struct bs_error *err);
	/* Optional, used instead of send: n actions in one delivery (a bulk
	 * request, a whole file).  They are all journaled first; rcs[i],
	 * outs[i] and errs[i] (zeroed by the engine) say what became of each.
	 * The return is the batch's: BS_ERR_AUTH / BS_ERR_FORBIDDEN stop the
	 * run as a single send's would. */
	bs_rc (*send_batch)(struct apply_run *run, const struct plan_action *const *v,
	    const int64_t *journal_ids, size_t n, bs_rc *rcs, struct apply_outcome *outs,
	    struct bs_error *errs, struct bs_error *err);
	size_t batch_max;	/* actions per send_batch call; 0 = the whole plan in
				 * one call, made even when the plan is empty */
	/* Settle one action a killed run left open ("pending" or "sent"):
	 * mark it.  A non-OK return stops apply_resolve_unfinished with it. */
	bs_rc (*resolve)(struct apply_run *run, const struct store_action *sa,
	    struct bs_error *err);
};

/* A run of one plan.  Fields are read by the callbacks; the engine fills
 * the counters of r and failed. */
struct apply_run {
	struct bs_session *s;			/* borrowed; s->store is the journal */
	const struct apply_ops *ops;		/* borrowed */
	void *ctx;				/* the sync's, borrowed */
	const struct bs_progress *progress;	/* may be NULL */
	struct sync_result *r;			/* borrowed: applied, failed, skipped */
	int64_t run_id;				/* set once the run is started */
	unsigned char *failed;			/* per action of the last plan: 1 = failed */
	size_t nfailed_flags;
};

/* Borrow everything; nothing is read or written yet. */
void apply_init(struct apply_run *run, struct bs_session *s, const struct apply_ops *ops,
    void *ctx, const struct bs_progress *progress, struct sync_result *r);
/* Free what the run owns (the failed flags); the run can be dropped. */
void apply_clear(struct apply_run *run);

/* Journal a as "pending" in this run (seq = its place in the plan). */
bs_rc apply_journal(struct apply_run *run, const struct plan_action *a, int seq,
    int64_t *id, struct bs_error *err);
/* An audit line of this run; subject may be NULL. */
void apply_audit(struct apply_run *run, const char *level, const char *subject,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A progress event of the apply phase with the counters; non-zero when the
 * listener asks to stop. */
int apply_progress(struct apply_run *run, size_t done, size_t total, const char *item);

/* Settle the actions of ops->target that earlier runs left open, one
 * ops->resolve call each (none without it).  The store not answering is
 * logged and is not an error; the first resolve that fails stops it. */
bs_rc apply_resolve_unfinished(struct apply_run *run, struct bs_error *err);

/* Journal, send, mark, audit and count each action of p in order.
 * BS_OK when every action was tried (failures counted in r->failed and
 * flagged in run->failed); BS_ERR_CANCELLED when the progress listener
 * stopped it (the rest counted skipped); the send's rc when it was
 * BS_ERR_AUTH or BS_ERR_FORBIDDEN (the rest skipped); the journal's rc
 * when the journal cannot be written (nothing more is sent). */
bs_rc apply_plan(struct apply_run *run, const struct plan *p, struct bs_error *err);
/* 1 when action i of the last apply_plan failed. */
int apply_action_failed(const struct apply_run *run, size_t i);

/* rc of a whole run: BS_ERR_PARTIAL (with the message people read) when
 * rc is BS_OK but some actions failed, else rc. */
bs_rc apply_partial(struct apply_run *run, const struct plan *p, bs_rc rc,
    struct bs_error *err);

#endif
