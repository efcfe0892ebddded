/* scheduler.h - when each sync runs next.  Pure functions: the next run is
 * computed from the clock (a fixed grid or a local time of day), never from
 * the end of the last run, so the schedule does not drift. */
#ifndef BS_SCHEDULER_H
#define BS_SCHEDULER_H

#include <stdint.h>

struct tz;

/* The first instant of the grid anchor + k*period that is > now. */
int64_t sched_next_interval(int64_t now, int64_t period, int64_t anchor);

/* The next local wall-clock time minute_of_day (0..1439) strictly after
 * now, in zone z (a time skipped by DST moves to the first instant after
 * the gap). */
int64_t sched_next_daily(int64_t now, const struct tz *z, int minute_of_day);

/* Backoff after `failures` consecutive transient failures (1 = first):
 * 15 min, 1 h, 6 h, then 24 h. */
int64_t sched_backoff(int failures);

#endif
