/* store_roster.h - the roster provisioned in Alleo, as the state store
 * remembers it (the `roster` table of store.c's schema).
 *
 * One row per HiBob employee id that was ever sent to Alleo.  A row is
 * written only once the target confirmed (SCIM answered, or the CSV file
 * was replaced), so the table is what Alleo has, and the planner diffs the
 * HiBob source against it.  Rows are never deleted by a sync: a leaver is
 * kept with active = 0 and the offboarding date, so a rehire reactivates
 * the same account.
 */
#ifndef BS_STORE_ROSTER_H
#define BS_STORE_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

struct store;

struct roster_row {
	char *employee_id;	/* HiBob id: the anchor */
	char *email;		/* work email as sent */
	char *first_name;
	char *last_name;
	char *start_date;	/* YYYY-MM-DD or NULL */
	char *end_date;		/* known termination date, YYYY-MM-DD or NULL */
	char *budgets;		/* compact JSON object {"field": amount}, NULL = none */
	char *remote_id;	/* SCIM user id; NULL for CSV delivery */
	int active;		/* 1 provisioned and active, 0 deactivated */
	char *offboard_date;	/* YYYY-MM-DD sent with the deactivation, or NULL */
	char *content_hash;	/* hash of the state sent, may be NULL */
	int64_t updated_at;	/* unix seconds */
	/* a row read from the store holds its strings in this one block
	 * (NULL: each is its own allocation); roster_row_clear knows */
	void *block;
};

/* Every row, ordered by employee id.  out owns its rows. */
struct roster_rows {
	struct roster_row *v;
	size_t n;
};

bs_rc store_roster_list(struct store *s, struct roster_rows *out, struct bs_error *err);
/* BS_ERR_NOT_FOUND when there is no row; out is then zeroed. */
bs_rc store_roster_get(struct store *s, const char *employee_id, struct roster_row *out,
    struct bs_error *err);
/* The row whose email matches (ASCII case-insensitive), newest first. */
bs_rc store_roster_find_email(struct store *s, const char *email, struct roster_row *out,
    struct bs_error *err);
/* Insert or replace the row of r->employee_id (updated_at = now). */
/* Rows whose name ("first last") holds text, case ignored for ASCII
 * letters, ordered by name; when some have exactly that name, only those.
 * At most max rows (0: 50).  out owns its rows (none found: out->n 0). */
bs_rc store_roster_find_name(struct store *s, const char *text, size_t max,
    struct roster_rows *out, struct bs_error *err);
bs_rc store_roster_put(struct store *s, const struct roster_row *r, int64_t now,
    struct bs_error *err);
/* Rows rows[0..n) as store_roster_put puts each, in the caller's
 * transaction (a few statements instead of n: a bulk's confirmations). */
bs_rc store_roster_put_many(struct store *s, const struct roster_row *rows, size_t n,
    int64_t now, struct bs_error *err);
/* Rows with active = 1; -1 when the store cannot tell. */
long store_roster_count_active(struct store *s);

void roster_row_clear(struct roster_row *r);
void roster_row_copy(struct roster_row *dst, const struct roster_row *src);	/* deep */
/* A copy of src in one allocation, strings included: free() it, never
 * roster_row_clear. */
struct roster_row *roster_row_pack(const struct roster_row *src);
void roster_rows_clear(struct roster_rows *rows);
/* Binary search of a list (ordered by employee id); NULL when absent. */
const struct roster_row *roster_rows_find(const struct roster_rows *rows,
    const char *employee_id);

#endif
