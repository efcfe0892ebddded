/* timeoff_sync.h - approved HiBob time off -> Assembled events.
 *
 * Incremental runs poll HiBob's changes feed from a stored cursor (with an
 * overlap so nothing is missed at the edges); reconciliation compares the
 * whole window in HiBob with the events bobsync owns in Assembled (found by
 * the "hibob:<requestId>" marker and the mapping table) and repairs drift
 * both ways.  Each action is journaled before it is sent.
 */
#ifndef BS_TIMEOFF_SYNC_H
#define BS_TIMEOFF_SYNC_H

#include "engine/plan.h"
#include "base/progress.h"
#include "base/result.h"

struct bs_session;

/* What a sync would do now.  reconcile = compare the whole window instead
 * of reading the changes feed. */
bs_rc toff_plan_now(struct bs_session *s, int reconcile, const char *approve,
    const struct bs_progress *progress, struct plan *out, struct bs_error *err);
/* Plan, guard, apply, record.  o->kind "reconcile" runs a reconciliation. */
bs_rc toff_sync(struct bs_session *s, const struct sync_opts *o,
    struct sync_result *r, struct bs_error *err);

/* The evaluation the preview and the sync share. */

#include <stddef.h>
#include <stdint.h>

#include "vendor/hibob.h"
#include "rules/timeoff_rules.h"

struct conf;
struct tz;
struct asm_person;
struct asm_people;
struct asm_activity_type;
struct asm_activity_types;

/* The sync window in unix seconds: [UTC midnight of today -
 * timeoff.lookback_days, end of the day timeoff.sync_until).  0 or -1
 * when sync_until cannot be read. */
int toff_window(const struct conf *conf, int64_t now, int64_t *start, int64_t *end);

/* The activity type for a HiBob policy type: assembled.policy_map
 * ("Holiday=Holiday,Sick=Sick And Medical", policy names compared
 * case-insensitively), else assembled.timeoff_type, else the default of
 * asm_timeoff_type.  NULL with why filled in when none fits. */
const struct asm_activity_type *toff_policy_type(const struct conf *conf,
    const struct asm_activity_types *types, const char *policy, char *why, size_t whylen);

/* Why a request will or will not reach Assembled (preview summary keys). */
enum toff_why {
	TOFF_WHY_SYNC,
	TOFF_WHY_PENDING,
	TOFF_WHY_NOT_CONTIGUOUS,
	TOFF_WHY_DECLINED,
	TOFF_WHY_CANCELED,
	TOFF_WHY_DELETED,
	TOFF_WHY_NO_AGENT,
	TOFF_WHY_OUTSIDE,
	TOFF_WHY_NOT_CONFIGURED,
	TOFF_WHY_NO_TYPE,
	TOFF_WHY_OTHER
};
const char *toff_why_name(enum toff_why w);	/* "sync", "pending", "not_contiguous" ... */

/* A request evaluated for its agent: who, which zone and type, and the
 * events toff_decide made (when why is TOFF_WHY_SYNC). */
struct toff_target {
	enum toff_why why;
	char *note;		/* owned; NULL: the reason is the decision's (d.reason) */
	const struct asm_person *person;	/* borrowed from the env, NULL when unmatched */
	const char *match;			/* "hibob id", "email" or NULL */
	char *email;				/* HiBob work email used, may be NULL */
	const struct tz *zone;			/* never NULL after eval */
	const struct asm_activity_type *type;	/* borrowed, NULL unless syncing */
	struct toff_decision d;
	int left;				/* events after a leaver's termination date dropped */
};
void toff_target_clear(struct toff_target *t);
/* Why the request syncs or not, in words (toff_target_note's text, else
 * the decision's). */
const char *toff_target_reason(const struct toff_target *t);
/* Set the reason, in place of the decision's. */
void toff_target_note(struct toff_target *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* People who left: an event of an evaluated request (why SYNC) that
 * starts after the end of its terminated person's termination date (in
 * the agent's zone) is dropped; one before it stays.  When none is left
 * the target becomes TOFF_WHY_OTHER with the reason; t->left is set.
 * HiBob people are read once per env (all of them, inactive included);
 * unreadable, nobody is taken for a leaver. */
struct toff_env;
void toff_leaver_cut(struct toff_env *e, const struct bob_timeoff *r, struct toff_target *t);

/* What the engine reads lazily and shares between requests: the HiBob
 * client, Assembled people and types, HiBob people (for emails). */
struct toff_env;
/* NULL session fields are fine for a pure evaluation (tests): then
 * toff_env_set_people/types supply Assembled. */
struct toff_env *toff_env_new(struct bs_session *s, const struct bs_progress *progress);
void toff_env_free(struct toff_env **e);
/* Read Assembled people and types once.  BS_ERR_NOT_CONFIGURED when the
 * Assembled sync is off or has no key. */
bs_rc toff_env_assembled(struct toff_env *e, struct bs_error *err);
/* Evaluate one request against the window [ws, we).  Reads Assembled (and
 * HiBob people for an email) only for an approved request. */
bs_rc toff_target_eval(struct toff_env *e, const struct bob_timeoff *r, int64_t ws,
    int64_t we, struct toff_target *out, struct bs_error *err);
/* The description of a synced event: "HiBob time off #<id> (<policy>)
 * hibob:<id>" (with " part N" for a split request); caller frees. */
char *toff_description(const struct bob_timeoff *r, int chunk);
/* The snapshot of a request as the sync compares it (decision-relevant
 * fields only, so the changes feed and who's-out give the same text);
 * caller frees. */
char *toff_snapshot_key(const struct bob_timeoff *r);

/* HiBob's changes feed has no status and no order: the current state of
 * each request the feed ch names that is not among listed (sorted ids,
 * e.g. who's out's), one entry per request, into out.  Read from its
 * details (404 = deleted) when it may be approved and its days meet
 * [ws, we); a request a Deleted or Canceled change ended is not read
 * (deleted, canceled), nor one outside the window (as the feed shows it),
 * nor one e says is skipped whatever its status (toff_skipped_unread of
 * each of its items; e may be NULL): the feed's item stands for it,
 * marked unread. */
bs_rc toff_feed_states(struct bob_client *bc, const struct bob_timeoffs *ch,
    const long long *listed, size_t nlisted, int64_t ws, int64_t we, struct toff_env *e,
    struct bob_timeoffs *out, struct bs_error *err);
/* Whether the sync skips this feed item's request whatever its status, so
 * that its state need not be read: unless parts are split, a request the
 * item shows made of several parts (a date change makes a new request, so
 * its parts are the item's); once Assembled's people are read, one of a
 * person no Assembled person is linked to. */
int toff_skipped_unread(struct toff_env *e, const struct bob_timeoff *item);

/* Complete a who's out item that toff_decide cannot decide as it stands
 * (no dates; a several-part request that is split, or makes one part,
 * without its days or its share of the day) from the request's details; a
 * 404 makes it deleted.  Nothing is read for any other item, nor for one
 * toff_skipped_unread skips whatever it holds. */
bs_rc toff_complete(struct bob_client *bc, struct toff_env *e, struct bob_timeoff *r,
    struct bs_error *err);

/* For each item of v, 1 when no later item has the same request id (its
 * latest state in a feed); caller frees. */
unsigned char *toff_latest_flags(const struct bob_timeoffs *v);
/* The request ids of v, sorted (caller frees), and a lookup in them. */
long long *toff_sorted_ids(const struct bob_timeoffs *v, size_t *n);
int toff_ids_has(const long long *ids, size_t n, long long id);

#endif
