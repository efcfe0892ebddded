/* timeoff_int.h - what the time-off files share inside the engine
 * (timeoff_target.c, timeoff_plan.c, timeoff_apply.c); not for callers
 * outside core/engine (but its unit tests), who use timeoff_sync.h. */
#ifndef BS_TIMEOFF_INT_H
#define BS_TIMEOFF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "vendor/assembled.h"
#include "vendor/hibob.h"
#include "store/store_timeoff.h"
#include "rules/timeoff_rules.h"
#include "engine/timeoff_sync.h"

#define TARGET "assembled"
#define DAY 86400

struct bs_session;

/* What the evaluation reads lazily and shares between requests (owned by
 * toff_env_new / toff_env_free). */
struct toff_env {
	struct bs_session *s;			/* borrowed, may be NULL */
	const struct bs_progress *progress;
	const struct conf *conf;
	struct asm_people people;		/* owned when read here */
	struct asm_activity_types types;
	const struct asm_people *people_p;	/* what eval uses */
	const struct asm_activity_types *types_p;
	int asm_tried;
	bs_rc asm_rc;
	struct bs_error asm_err;
	struct bob_people bobpeople;
	int bob_tried;
	struct str_index bob_by_id;	/* HiBob people's places by id */
	const struct tz *default_zone;
	int split_chunks;
	int hours_start;
};

/* Where an event to delete lives: the listing that proves it gone. */
struct del_span {
	char *agent_id;
	int64_t start, end;
};

/* The payload of a plan action. */
struct act {
	long long request_id;
	long long replaces;		/* an edited request's old id, else 0 */
	char *employee_id;
	char *agent_id;
	char *type_id;
	char *policy;
	struct toff_event *create;	/* events to create */
	size_t ncreate;
	char **del;			/* activity ids to delete */
	size_t ndel;
	struct del_span *dspan;		/* per id: where to look that it is gone */
	long long *restore;		/* requests whose overlapped events are made again */
	size_t nrestore;
	/* the request's record once done */
	char *record_key;
	char *status;
};

/* A request record to write once the run succeeded. */
struct record {
	long long request_id;
	char *employee_id;
	char *status;
	long long previous;
	char *key;
};

/* What a request's record keeps once a run processed it: the feed items
 * seen for it ({"seen": [item keys]}), so an item read again through the
 * overlap is not a change. */
struct seen {
	long long request_id;
	char *data;
};

/* Activities of one agent in the window (reconciliation only). */
struct listing {
	char *agent_id;
	struct asm_activities acts;
	unsigned char *claimed;		/* per activity: mapped or adopted */
};

/* A listed activity that carries a request's marker: pl->lists[l].acts.v[k]. */
struct marker_at {
	long long request_id;
	size_t l, k;
};

struct planner {
	struct toff_env *env;
	struct bs_session *s;
	int reconcile;
	int64_t ws, we, now;
	struct plan *plan;
	struct toff_event_rows rows;	/* every mapping row */
	struct record *rec;
	size_t nrec, reccap;
	struct toff_event_row *adopt;	/* mapping rows to restore (no call) */
	size_t nadopt;
	char **forget;			/* mapped activity ids Assembled no longer has */
	size_t nforget;
	struct listing *lists;
	size_t nlists;
	struct str_index lists_ix;	/* lists by agent id */
	struct marker_at *markers;	/* listed activities with a marker, by its id */
	size_t nmarkers;
	long long *superseded;		/* old ids replaced by an edit in this plan */
	size_t nsuperseded;
	/* requests HiBob's webhooks named: read again whatever the feed says */
	const long long *named;
	const char *const *named_emp;
	size_t nnamed;
	long long *named_sorted;	/* the same ids, sorted (during the plan) */
	size_t nnamed_sorted;
	long source_count;
	struct seen *seen;		/* feed items per request id, sorted by id */
	size_t nseen, seencap;
	char *require;			/* the plan needs approval, whatever the counts: why */
};

/* One planning of the time-off sync (toff_make_plan fills it; the run
 * reads the planner's repairs and records; toff_ctx_clear frees it). */
struct ctx {
	struct bs_session *s;
	const struct sync_opts *o;	/* may be NULL (plan, preview) */
	struct toff_env *env;
	struct planner pl;
	struct plan *plan;
	int reconcile;		/* what was planned */
	int first_run;		/* no cursor yet: reconciled instead */
	int64_t new_cursor;
};

/* A request id and where it is in a list (sorting by id). */
struct id_at {
	long long id;
	size_t at;
};

/* timeoff_target.c: helpers the planner uses too */
/* The status the sync acts on (a canceled or deleted change wins). */
enum toff_status toff_effective_status(const struct bob_timeoff *r);
/* toff_snapshot_key's text appended to b (nothing where it is ""). */
void toff_snapshot_append(struct strbuf *b, const struct bob_timeoff *r);
/* A request's record text of the feed items seen, {"seen":[keys...]}, each
 * key once in the order given: the bytes json_dump_compact wrote for it
 * when it was built with Jansson (a key that is not UTF-8 left out, as
 * json_string refused it); written directly, as a reconciling plan makes
 * 80,000 of them at 100,000 people. */
char *toff_seen_text(char *const *keys, size_t n);
/* Requests HiBob may refuse to show (HTTP 403) in one pass before the
 * pass fails: a refusal of one request is about that request (a policy or
 * a person the service user may not see), refusals of all of them, or of
 * more than this, about the permission; and HiBob's WAF blocks a header
 * that collects 50 refusals in 10 s. */
#define TOFF_REFUSED_MAX 3

/* The detail reads of one pass: how many were read, how many refused, and
 * the first refusal. */
struct toff_refusals {
	size_t read, refused;
	struct bs_error first;
};
/* After a detail read that returned rc: 1 when rc is a refusal the pass
 * lets by (the caller holds or leaves out the request, clears err and goes
 * on), else 0; a successful read is counted. */
int toff_refusals_take(struct toff_refusals *f, bs_rc rc, const struct bs_error *err);
/* The end of the pass: refused and none read fails with the first
 * refusal; else rc as it is. */
bs_rc toff_refusals_end(const struct toff_refusals *f, bs_rc rc, struct bs_error *err);

/* The HiBob work email of an employee (HiBob people read once); borrowed,
 * NULL when unknown. */
const char *toff_env_bob_email(struct toff_env *e, const char *employee_id);
int toff_id_at_cmp(const void *a, const void *b);
int toff_ll_cmp(const void *a, const void *b);
struct key_at;	/* base/util.h */
/* A request id as a key sort_keys_at orders as toff_ll_cmp orders ids. */
uint64_t toff_id_key(long long id);
/* The list's places ordered by request id, a request's places in list
 * order (toff_id_at_cmp's order), by radix sort: .k is toff_id_key of the
 * id, .at the place (n + 1 entries; caller frees). */
struct key_at *toff_ids_by_id(const struct bob_timeoffs *v);
void toff_env_progress(struct toff_env *e, const char *phase, size_t done, size_t total);
/* The HiBob person with this id (people read once, on the first call);
 * NULL when none or when the people cannot be read. */
const struct bob_person *toff_env_bob_person(struct toff_env *e, const char *employee_id);

/* timeoff_plan.c */
/* Plan into out (plan_init'ed here): reconcile or read the changes feed
 * from the cursor (the first run reconciles), finalize, mark overlaps,
 * evaluate the guard. */
bs_rc toff_make_plan(struct ctx *c, int reconcile, const char *approve,
    const struct bs_progress *progress, struct plan *out, struct bs_error *err);
void toff_ctx_clear(struct ctx *c);

/* Borrowed people and types instead of reading Assembled (unit tests
 * evaluate requests without a service). */
void toff_env_set_assembled(struct toff_env *e, const struct asm_people *people,
    const struct asm_activity_types *types);

#endif
