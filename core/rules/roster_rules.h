/* roster_rules.h - who is eligible for an Alleo account.  Pure functions
 * (design.md, "Roster"):
 *  - alleo_access is yes, and
 *  - employed: lifecycle employed, or on leave / parental leave / garden
 *    leave / another leave type, until the last day (termination date
 *    included); hired people count once the start date is reached, and
 *  - the start date is reached, or is at most prestart_days away,
 * all evaluated on the person's local date (their site's time zone).
 * An unset or unreadable alleo_access is unknown: never a removal of an
 * employed person; but a person past their termination date is offboarded
 * whatever the field says (termination wins).  A lifecycle status bobsync
 * cannot classify (from its machine value or its list item, never from the
 * display text, which HiBob formats in the service user's language) is
 * unknown too: held and reported. */
#ifndef BS_ROSTER_RULES_H
#define BS_ROSTER_RULES_H

#include <stdint.h>

#include "vendor/hibob.h"

enum roster_verdict {
	ROSTER_ELIGIBLE,
	ROSTER_INELIGIBLE,
	ROSTER_UNKNOWN		/* access unset/unreadable/other: hold, report */
};

struct roster_rule_result {
	const char *rule;	/* "alleo_access is yes", "employed", "start date reached" */
	int pass;		/* 1 pass, 0 fail, -1 unknown */
	char detail[128];	/* "alleo_access = no", "terminated on 2026-10-31" */
};

struct roster_eval {
	enum roster_verdict verdict;
	char reason[192];	/* one sentence a person can read */
	struct roster_rule_result rules[3];
	int64_t offboard_days;	/* termination date (days) when known, else -1 */
};

/* A roster_eval as a company's snapshot keeps it, one per person: the
 * same members, the texts kept (interned: most repeat) in an arena. */
struct roster_kept_rule {
	const char *rule;
	int pass;
	const char *detail;
};
struct roster_kept_eval {
	enum roster_verdict verdict;
	const char *reason;
	struct roster_kept_rule rules[3];
	int64_t offboard_days;
};
/* e's texts into a (interned); out points into a. */
void roster_eval_keep(struct arena *a, const struct roster_eval *e, struct roster_kept_eval *out);
/* out points into e itself: valid while e is. */
void roster_eval_view(const struct roster_eval *e, struct roster_kept_eval *out);

struct roster_rules_opts {
	int prestart_days;	/* alleo.prestart_days */
	/* The named list behind internal.lifecycleStatus when HiBob's field
	 * metadata says it is a list (its values are then item ids), else
	 * NULL. */
	const struct bob_list *lifecycle_list;
};

/* today = the person's local date, in days since 1970-01-01. */
void roster_evaluate(const struct bob_person *p, int64_t today,
    const struct roster_rules_opts *o, struct roster_eval *out);

const char *roster_verdict_name(enum roster_verdict v);	/* "eligible" ... */
/* A rule for people to read: its name, then ": " and its detail when the
 * detail says more ("start date reached: started on 2025-05-14", but
 * "employed", not "employed: employed").  Into out (cut to fit). */
const char *roster_rule_words(const struct roster_kept_rule *r, char *out, size_t outsz);
const char *bob_access_name(enum bob_access a);		/* "yes","no","unset",... */

/* Lifecycle classification, case-insensitive. */
enum roster_lifecycle {
	LIFE_UNKNOWN,
	LIFE_HIRED,
	LIFE_EMPLOYED,
	LIFE_LEAVE,		/* leave, parental leave, custom leave types */
	LIFE_GARDEN_LEAVE,
	LIFE_TERMINATED
};
enum roster_lifecycle roster_lifecycle_parse(const char *s);
/* A person's lifecycle from its machine value (p->lifecycle_id): the word
 * itself ("employed", "garden_leave"), else the name of its item in list
 * (may be NULL).  Never from the display text.  LIFE_UNKNOWN otherwise. */
enum roster_lifecycle roster_lifecycle_of(const struct bob_person *p,
    const struct bob_list *list);
/* internal.status the same way: 1 Active, 0 Inactive, -1 unknown. */
int roster_status_active(const struct bob_person *p, const struct bob_list *list);

#endif
