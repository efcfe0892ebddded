/* roster.h - the HiBob -> Alleo roster: source snapshot, plan, sync.
 *
 * roster_source_fetch reads what the roster needs from HiBob (field
 * metadata, the eligibility field and its list, budget fields, every person
 * with showInactive) and evaluates the eligibility rules for each person on
 * their local date (site time zone).  Previews, checks, explain and the
 * planner all use it, so they always agree.
 */
#ifndef BS_ROSTER_H
#define BS_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "vendor/hibob.h"
#include "base/util.h"
#include "engine/plan.h"
#include "base/progress.h"
#include "base/result.h"
#include "rules/roster_rules.h"

struct bs_session;
struct conf;

struct roster_source {
	struct bob_fields fields;
	const struct bob_field *access_field;	/* into fields; NULL when not usable */
	char field_problem[256];	/* why access_field is NULL, "" when fine */
	struct bob_list access_list;
	char **budget_ids;		/* field ids of mapped budget fields */
	char **budget_names;		/* their names */
	size_t nbudget;
	char budget_problem[256];	/* a listed budget field that does not exist */
	struct bob_people people;
	struct roster_kept_eval *evals;	/* parallel to people.v, texts in `text` */
	struct arena text;
	int64_t *local_today;		/* parallel: the person's local date (days) */
	char **missing_sections;	/* sections whose fields came back for nobody */
	size_t nmissing_sections;
	long eligible, ineligible, unknown;
	int64_t fetched_at;		/* unix seconds */
	/* the named lists behind internal.lifecycleStatus and internal.status
	 * (empty when HiBob does not describe them as lists) */
	struct bob_list lifecycle_list;
	struct bob_list status_list;
	/* set by the sync before planning: why budgets cannot be delivered
	 * (SCIM without a usable extension), "" when they can.  The plan then
	 * leaves budgets out of every row and says so in a note. */
	char budgets_unsent[400];
};

/* Read the named lists of internal.lifecycleStatus and internal.status when
 * the field metadata f gives them one (typeData.listId): their values are
 * then item ids.  A list that cannot be read is left empty with a warning
 * in the log (values may still be words); only a 401/403 is an error. */
bs_rc roster_status_lists(struct bob_client *bob, const struct bob_fields *f,
    struct bob_list *lifecycle, struct bob_list *status, struct bs_error *err);

/* Read and evaluate.  Fails only when HiBob cannot be read at all; a
 * missing eligibility field is recorded in field_problem (and every
 * person's access is then unknown). */
bs_rc roster_source_fetch(struct bs_session *s, const struct bs_progress *progress,
    struct roster_source *out, struct bs_error *err);
/* Read the source for a plan without keeping the people: the settings
 * part as roster_source_fetch, then before(before_ctx, out) (say, to set
 * budgets_unsent), then each person evaluated as roster_source_evaluate
 * would and handed to d (roster_differ_person) as soon as it is read.
 * out->people stays empty but for its count (nread) and omissions; out
 * must be cleared by the caller whatever the result.  Memory is that of
 * the plan, not of the company. */
struct roster_differ;
typedef void (*roster_stream_fn)(void *ctx, struct roster_source *src);
bs_rc roster_source_stream(struct bs_session *s, const struct bs_progress *progress,
    struct roster_source *out, roster_stream_fn before, void *before_ctx,
    struct roster_differ *d, struct bs_error *err);
/* Evaluate the rules for people already in src (used by fetch; exposed for
 * tests and benchmarks).  now = unix seconds. */
void roster_source_evaluate(struct roster_source *src, const struct conf *conf, int64_t now);
void roster_source_clear(struct roster_source *src);

/* The person with this id or (case-insensitive) email, or NULL. */
const struct bob_person *roster_source_find(const struct roster_source *src,
    const char *who, size_t *index);

/* Local date of a person: hibob.site_timezones for their site, else
 * hibob.default_timezone.  Sets *zone_name when not NULL. */
int64_t roster_person_today(const struct conf *conf, const struct bob_person *p,
    int64_t now, const char **zone_name);
/* The zone hibob.site_timezones gives the site (its name compared ASCII
 * case-blind), in buf; NULL when it gives none. */
const char *roster_site_zone(const struct conf *conf, const char *site, char *buf,
    size_t bufsz);


/* Budget fields named alleo_<monthly|oneoff>_<category>_budget. */
int roster_is_budget_field_name(const char *name);

/* ---- the engine (roster_apply.c) ---- */

/* Diff the eligible set against the roster provisioned in the store. */
bs_rc roster_plan(struct bs_session *s, const struct roster_source *src,
    struct plan *out, struct bs_error *err);
/* Fetch, check the source is sane, plan, evaluate the guard (approve may
 * name this plan).  BS_ERR_SOURCE when the source looks wrong. */
bs_rc roster_plan_now(struct bs_session *s, const char *approve,
    const struct bs_progress *progress, struct plan *out, struct bs_error *err);
/* Fetch, plan, guard, apply (journaled), record the run.  BS_ERR_GUARD
 * (exit 3) when blocked, BS_ERR_PARTIAL when some actions failed. */
bs_rc roster_sync(struct bs_session *s, const struct sync_opts *o,
    struct sync_result *r, struct bs_error *err);

/* What the roster engine's files share (roster_plan.c, roster_apply.c). */

struct roster_row;
struct roster_rows;

/* The diff itself, without I/O: src against rows (the roster table,
 * ordered by employee id).  out must be plan_init'ed; it is finalized.
 * roster_plan_rows then gives each action its row. */
void roster_diff(const struct roster_source *src, const struct roster_rows *rows,
    struct plan *out);
/* With ROSTER_DIFF_CSV (alleo.mode csv), a person whose name or e-mail
 * would be a formula or carry a control byte in the Alleo file is held. */
#define ROSTER_DIFF_CSV 1u
void roster_diff_flags(const struct roster_source *src, const struct roster_rows *rows,
    struct plan *out, unsigned flags);
/* Each action of a roster plan gets its row (struct roster_row, the state
 * after it) as data, made from its "after" text: roster_diff leaves rows
 * out so that a plan which is only shown stays small.  Call before
 * applying or reading a->data. */
bs_rc roster_plan_rows(struct plan *p, struct bs_error *err);
/* The diff one person at a time, for people read and let go as they
 * arrive (roster_diff runs it over a snapshot).  The plan out grows with
 * each person; roster_differ_finish settles shared emails, holds the
 * provisioned people nobody showed, adds the notes and finalizes. */
struct roster_differ {
	const struct roster_source *src;	/* budgets_unsent, nbudget */
	const struct roster_rows *rows;
	struct plan *out;
	unsigned flags;
	int copy;			/* keep copies of the people's strings */
	uint32_t *seen, tag;		/* per row: the tag of the read that showed it */
	struct row_slot *slots;		/* rows by employee id (hash, open addressing) */
	size_t slotmask;
	struct email_claim *claims;
	size_t nclaims, capclaims;
	struct arena text;		/* the claims' names (and copies) */
	struct strbuf json[2];		/* an action's before and after texts, reused */
	size_t with_budgets, nread;
	/* what roster_differ_reset goes back to */
	size_t mark_n, mark_held, mark_claims, mark_budgets, mark_read;
	struct arena_mark mark_text, mark_claim_text;	/* the plan's, the claims' */
};
void roster_differ_init(struct roster_differ *d, const struct roster_source *src,
    const struct roster_rows *rows, struct plan *out, unsigned flags);
void roster_differ_person(struct roster_differ *d, const struct bob_person *p,
    const struct roster_kept_eval *e, int64_t today);
/* A read starts (mark) or starts again (reset: forget what it gave). */
void roster_differ_mark(struct roster_differ *d);
void roster_differ_reset(struct roster_differ *d);
void roster_differ_finish(struct roster_differ *d);
void roster_differ_clear(struct roster_differ *d);
/* The state sent to Alleo for a person (active, no offboarding date). */
void roster_row_from_person(const struct bob_person *p, struct roster_row *out);
/* Compact JSON of a row's fields (the plan's before/after); caller frees. */
char *roster_row_to_json(const struct roster_row *r);
bs_rc roster_row_from_json(const char *employee_id, const char *text,
    struct roster_row *out, struct bs_error *err);
/* "email changed from a@x to b@x; ..." or "" when equal; caller frees. */
char *roster_row_changes(const struct roster_row *was, const struct roster_row *now,
    int64_t today);
/* The source sanity checks of design.md "Safety" (run before any write);
 * last_count is the people count of the last successful run, 0 = none. */
bs_rc roster_source_sane(const struct roster_source *src, long last_count,
    double min_ratio, struct bs_error *err);
/* The rows of Alleo's CSV file for a roster (active people, future last
 * days, leavers for ALLEO_CSV_KEEP_LEAVER_DAYS after offboarding), as the
 * file text; today in days.  Caller frees. */
char *roster_csv_text(const struct roster_rows *rows, const char *const *budget_names,
    size_t nbudget, int64_t today, size_t *len);

#endif
