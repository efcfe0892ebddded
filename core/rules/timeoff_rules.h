/* timeoff_rules.h - which HiBob time-off requests reach Assembled, and as
 * which event times.  Pure functions, no I/O (design.md, "Time off"):
 *  - approved only; pending, canceled, disapproved and deleted never;
 *  - contiguous requests only, as one event each; requests made of several
 *    chunks (portionOnRange, per-day durations ...) are skipped with the
 *    reason, or split into one event per chunk when split_chunks is set;
 *  - a morning is 00:00-12:00, an afternoon 12:00-24:00 local time; a full
 *    day local midnight to midnight; start and end portions combine
 *    (Monday afternoon to Wednesday morning = Monday 12:00 -> Wednesday
 *    12:00); hours requests on one date use their hours;
 *  - local time is the agent's zone, converted correctly across DST.
 */
#ifndef BS_TIMEOFF_RULES_H
#define BS_TIMEOFF_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "vendor/hibob.h"

struct tz;

struct toff_rules_opts {
	int split_chunks;	/* timeoff.split_chunks */
	int hours_start_minute;	/* local start of hours requests (timeoff.hours_start), e.g. 540 */
	int64_t window_start;	/* unix seconds; events ending before are out of window */
	int64_t window_end;	/* unix seconds; events starting at/after are out */
};

struct toff_event {
	int64_t start;		/* unix seconds */
	int64_t end;
	int chunk;		/* 0 for a contiguous request, else 1.. */
};

enum toff_verdict {
	TOFF_SYNC,		/* create/keep these events */
	TOFF_SKIP		/* nothing in Assembled; reason says why */
};

struct toff_decision {
	enum toff_verdict verdict;
	char reason[160];	/* "approved, full days", "pending approval", ... */
	struct toff_event *events;	/* caller frees (toff_decision_clear) */
	size_t nevents;
};

/* Decide one request in the zone of its agent. */
void toff_decide(const struct bob_timeoff *r, const struct tz *zone,
    const struct toff_rules_opts *o, struct toff_decision *out);
void toff_decision_clear(struct toff_decision *d);

/* 1 when the request is one contiguous stretch: days, hours, openEnded
 * with an end, and a several-part type that makes one part only (a range
 * over one date, one listed day with time off); 0 when it is made of
 * several chunks, or the item does not say how many. */
int toff_is_contiguous(const struct bob_timeoff *r);
/* 1 when the item itself shows a several-part request of more than one
 * part (a range over several dates; a per-day list with time off on
 * several days): skipped whatever its status unless parts are split.  0
 * when it may make one part, or the item does not say (a day-by-day type
 * without its list). */
int toff_several_parts(const struct bob_timeoff *r);

/* Overlapping approved requests of one agent.  With
 * assembled.allow_conflicts=false Assembled deletes every activity of the
 * agent a new one overlaps, bobsync's own events of other requests
 * included.  What Assembled should show is what HiBob shows: each approved
 * request as its own event, overlapping where the requests overlap (so
 * cancelling one leaves the other whole).  So an event of another request
 * that a new event overlaps is made again, with allow_conflicts=true,
 * right after the new one: the shifts under both are gone, both events
 * stay.  1 when [s1, e1) and [s2, e2) share time. */
int toff_events_overlap(int64_t s1, int64_t e1, int64_t s2, int64_t e2);

#endif
