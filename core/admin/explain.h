/* explain.h - everything that decides one person's Alleo account, from the
 * same code the sync runs: what HiBob says, each eligibility rule, what the
 * roster table (and, for SCIM, Alleo itself) has, and the action a sync
 * would take now with its reason.  `bobsync explain` prints it (as text or
 * JSON) and the console's explain screen shows the same text.
 */
#ifndef BS_EXPLAIN_H
#define BS_EXPLAIN_H

#include <stddef.h>

#include "engine/plan.h"
#include "base/progress.h"
#include "base/result.h"
#include "engine/roster.h"
#include "vendor/scim.h"
#include "store/store_roster.h"

struct bs_session;

struct explain_live {
	int asked;		/* a SCIM lookup was made */
	int found;
	struct scim_user u;
	char error[BS_ERROR_DETAIL_MAX];
};

struct explain {
	struct roster_source src;	/* owned */
	size_t idx;			/* the person in src */
	const struct bob_person *p;	/* &src.people.v[idx] */
	char *name;			/* display name, or first and last; owned */
	const char *mode;		/* alleo.mode, borrowed from the settings */
	struct roster_row row;		/* the roster table's row, when have_row */
	int have_row;
	struct explain_live live;
	struct plan plan;
	const struct plan_action *act;	/* into plan, or NULL */
	const struct plan_held *held;	/* into plan, or NULL */
	char plan_error[BS_ERROR_DETAIL_MAX];	/* why no plan was made, "" when planned */
	/* when no one visible matches: the roster row still held for them */
	struct roster_row gone;
	int have_gone;
	/* by name, when several people match: who they are (indexes into
	 * src.people, by order there, at most EXPLAIN_MAX_MATCHES), so the
	 * caller can list them or let the admin pick; owned */
	size_t *matches;
	size_t nmatches;
};

#define EXPLAIN_MAX_MATCHES 50

/* explain_run flags */
#define EXPLAIN_BY_NAME 1u	/* who may also be (part of) a name, when one person has it */

/* Read HiBob (progress reported), find who (work email or HiBob id; with
 * EXPLAIN_BY_NAME also a name: an exact name, else the one name holding
 * it, case ignored for ASCII letters), read
 * the roster table and, for alleo.mode scim, Alleo's user, and plan.  The
 * session needs its store.  BS_ERR_NOT_FOUND (detail filled) when no one
 * visible matches (or, by name, several do: the detail names some, and
 * out->matches lists them); out->gone then holds the roster's row when it
 * still has them.  out is always explain_clear'd by the caller. */
bs_rc explain_run(struct bs_session *s, const char *who, unsigned flags,
    const struct bs_progress *progress, struct explain *out, struct bs_error *err);
void explain_clear(struct explain *x);

/* The human text of `bobsync explain` (In HiBob, Eligibility, In Alleo, A
 * sync now would); controls in names replaced.  Caller frees. */
char *explain_text(const struct explain *x, const struct conf *conf);
/* The sentence about a person HiBob no longer shows but the roster still
 * has (without "bobsync: "), or NULL when !x->have_gone; caller frees. */
char *explain_gone_text(const struct explain *x, const char *who);

/* "pass", "fail", "unknown" for a rule's result. */
const char *explain_pass_word(int pass);

#endif
