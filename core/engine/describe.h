/* describe.h - what an action changes, in words.
 *
 * Turns a plan action's (or a logged action's) before/after JSON into a
 * short list a person reads: "Account: active -> deactivated; Offboarding
 * date: none -> Sun 6 Dec" for the roster, "Time off (Vacation): Mon 21
 * Dec, full day, Europe/Amsterdam" for time off.  Dates and times come from
 * base/humantime; names rather than ids (the time-off after-state carries
 * the type's name and the agent's zone). */
#ifndef BS_DESCRIBE_H
#define BS_DESCRIBE_H

#include <stdint.h>

/* target: "alleo" or "assembled" (a plan's target, a logged action's);
 * op: plan_op_name's word ("add", "update", "remove", "reactivate",
 * "create", "replace", "delete"); before/after: the JSON texts, either may
 * be NULL or unreadable.  now: for "today" and the year.  Returns a new
 * string, "" when there is nothing to say; caller frees. */
char *describe_action(const char *target, const char *op, const char *before,
    const char *after, int64_t now);

/* One stretch of time off in words, in zone (an IANA name; NULL or
 * unknown: UTC), the zone not named: "Mon 21 Dec, full day", "Mon 21 Dec
 * to Wed 23 Dec, 3 full days", "Mon 21 Dec 09:00 to 13:00".  "" when
 * end <= start.  Caller frees. */
char *describe_span(int64_t start, int64_t end, const char *zone, int64_t now);

#endif
