/* plan.h - plans and run results shared by both sync engines.
 *
 * Every sync first computes a plan: each action with a reason a person can
 * read and the field changes.  The plan id is a hash of the plan's content
 * (libsodium generic hash), so the dry run, the preview and the real run can
 * be compared, an approval names exactly one plan, and a plan id that no
 * longer matches what HiBob says is refused.
 */
#ifndef BS_PLAN_H
#define BS_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/progress.h"
#include "base/result.h"

struct conf;

enum plan_op {
	PLAN_ADD,		/* roster: new Alleo account */
	PLAN_UPDATE,		/* roster: name, email, budget or dates changed */
	PLAN_REMOVE,		/* roster: deactivate with an offboarding date */
	PLAN_REACTIVATE,	/* roster: rehire / yes again, same account */
	PLAN_CREATE,		/* time off: new event */
	PLAN_REPLACE,		/* time off: event times or type changed */
	PLAN_DELETE		/* time off: event removed */
};

#define PLAN_ID_LEN 32		/* hex characters */
#define PLAN_ID_MIN_PREFIX 8	/* --approve accepts a unique prefix this long */

struct plan_action {
	enum plan_op op;
	char *subject;		/* the journal key: employee id, or request id as text */
	char *employee_id;
	char *email;
	char *name;		/* for people to read, may be NULL */
	long long request_id;	/* 0 for roster actions */
	char *reason;
	char *before;		/* JSON text of the fields before, may be NULL */
	char *after;		/* JSON text after, may be NULL */
	size_t before_len, after_len;	/* their lengths (0 for NULL) */
	/* the lengths of subject, employee_id, email, name and reason (0 for
	 * NULL), measured once by plan_add so the plan's id and its JSON
	 * never go back to the text to find its end */
	unsigned int subject_len, employee_id_len, email_len, name_len, reason_len;
	/* before and after were written by a jwriter, compact: the plan's
	 * JSON relays them without checking each token (jw_json_own) */
	unsigned char texts_own;
	void *data;		/* engine payload, freed with data_free */
	void (*data_free)(void *);
	/* The strings above live together in the plan's arena (plan_add), so
	 * a plan of 100,000 actions is a few dozen allocations, not 700,000
	 * strings; change one with plan_action_set_reason, never free one. */
};

struct plan_held {
	char *employee_id;
	char *email;
	char *name;
	char *reason;		/* the four strings: in the plan's arena */
	unsigned int employee_id_len, email_len, name_len, reason_len;
};

struct plan_guard {
	int tripped;
	long removals;		/* remove/delete actions in the plan */
	long limit;		/* guard.max_removals */
	double percent;		/* removals as a share of base, 0..100 */
	double percent_limit;	/* guard.max_removal_percent */
	long base;		/* provisioned roster / synced events before the run */
	int approved;		/* tripped, but --approve named this plan */
	char reason[256];
};

struct plan {
	char target[16];	/* "alleo" or "assembled" */
	char id[PLAN_ID_LEN + 1];
	struct plan_action *v;
	size_t n, cap;		/* cap: allocated, grown by plan_add */
	struct plan_held *held;
	size_t nheld, heldcap;
	struct plan_guard guard;
	long source_count;	/* people or requests read from HiBob */
	char **notes;		/* things the plan leaves out on purpose, for people */
	size_t nnotes;
	struct arena text;	/* the actions' and held people's strings */
};

void plan_init(struct plan *p, const char *target);
void plan_clear(struct plan *p);

/* Append an action; strings are copied (NULL allowed).  Returns it so the
 * caller can attach data. */
struct plan_action *plan_add(struct plan *p, enum plan_op op, const char *subject,
    const char *employee_id, const char *email, const char *name,
    long long request_id, const char *reason, const char *before,
    const char *after);
void plan_hold(struct plan *p, const char *employee_id, const char *email,
    const char *name, const char *reason);
/* Free every action from n on and every held person from nheld on. */
void plan_truncate(struct plan *p, size_t n, size_t nheld);
/* Free the actions i with drop[i] set and the held people j <
 * nmarked_held with drop_held[j] set (either may be NULL), the others
 * keeping their order. */
void plan_drop(struct plan *p, const unsigned char *drop, const unsigned char *drop_held,
    size_t nmarked_held);
/* Replace the reason of a, an action of p (copied). */
void plan_action_set_reason(struct plan *p, struct plan_action *a, const char *reason);
/* A sentence about the whole plan (e.g. what is not sent and why); copied.
 * Not part of the plan id.  JSON: "notes": ["..."]. */
void plan_note(struct plan *p, const char *text);

/* Sort actions into a stable order and compute the plan id over the
 * target and each action's op, subject and after-state. */
void plan_finalize(struct plan *p);

/* Guard: count removals, compare with guard.max_removals and
 * guard.max_removal_percent of base; approve may name this plan (a unique
 * prefix of at least PLAN_ID_MIN_PREFIX characters). */
void plan_guard_eval(struct plan *p, const struct conf *conf, long base,
    const char *approve);

/* Trip the guard for a reason of the caller's (after plan_guard_eval):
 * the run needs approval of this plan id whatever the counts say. */
void plan_guard_require(struct plan *p, const char *reason, const char *approve);

int plan_id_matches(const struct plan *p, const char *approve);
const char *plan_op_name(enum plan_op op);
int plan_op_is_removal(enum plan_op op);

/* cli.md "plan ... --json"; caller decrefs. */
json_t *plan_to_json(const struct plan *p);
/* The same text json_dumpf(plan_to_json(p), out, JSON_INDENT(2) |
 * JSON_PRESERVE_ORDER) writes, written as it goes: no tree of a 100,000-
 * action plan in memory.  Returns 0, or -1 when writing failed. */
int plan_write_json(const struct plan *p, FILE *out);
json_t *plan_guard_to_json(const struct plan_guard *g);

/* What a sync run did. */
struct sync_opts {
	int dry_run;
	const char *approve;		/* --approve PLAN_ID, may be NULL */
	const struct bs_progress *progress;
	const char *kind;		/* "sync" (default) or "reconcile" */
	/* time off: requests HiBob's webhooks named, read again in this run
	 * whatever the changes feed says (borrowed) */
	const long long *request_ids;
	const char *const *request_employees;	/* parallel: each one's employee, may be "" */
	size_t nrequest_ids;
	const char *origin;		/* who starts it: "console", "cli", "daemon"; NULL = "cli" */
	/* a dry run shows its plan here (the actions it would apply), when set */
	void (*dry_plan)(void *ctx, const struct plan *p);
	void *dry_ctx;
};

struct sync_result {
	char target[16];		/* "roster" or "timeoff" */
	int64_t run_id;			/* 0 for a dry run that recorded nothing */
	char plan_id[PLAN_ID_LEN + 1];
	int dry_run;
	long applied, failed, skipped;
	long planned;			/* actions in the plan */
	struct plan_guard guard;
	char result[16];		/* run_result_name() of the run_result (engine/apply.h) */
	int reconcile;			/* a `reconcile timeoff` run */
	char message[256];
	unsigned long requests;		/* HTTP requests made */
	unsigned long long bytes;
};

/* cli.md "sync ... --json"; caller decrefs. */
json_t *sync_result_to_json(const struct sync_result *r);

#endif
