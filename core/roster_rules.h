/* roster_rules.h - who is eligible for an Alleo account.  Pure functions
 * (design.md, "Roster"):
 *  - alleo_access is yes, and
 *  - employed: lifecycle employed, or on leave / parental leave / garden
 *    leave / another leave type, until the last day (termination date
 *    included); hired people count once the start date is reached, and
 *  - the start date is reached, or is at most prestart_days away,
 * all evaluated on the person's local date (their site's time zone).
 * An unset or unreadable alleo_access is unknown: never a removal. */
#ifndef BS_ROSTER_RULES_H
#define BS_ROSTER_RULES_H

#include <stdint.h>

#include "hibob.h"

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

struct roster_rules_opts {
	int prestart_days;	/* alleo.prestart_days */
};

/* today = the person's local date, in days since 1970-01-01. */
void roster_evaluate(const struct bob_person *p, int64_t today,
    const struct roster_rules_opts *o, struct roster_eval *out);

const char *roster_verdict_name(enum roster_verdict v);	/* "eligible" ... */
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

#endif
