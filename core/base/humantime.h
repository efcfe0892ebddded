/* humantime.h - times and dates as a person reads them.
 *
 * Every time a person reads (status, log, plan and preview text, the
 * console) goes through here: the admin's local zone, words for the days
 * near today ("today 14:05", "tomorrow 02:00"), the weekday and date for
 * the others ("Mon 7 Dec 02:00"), the year only when it is not this year,
 * and the zone named when it is not the admin's ("Mon 21 Dec 09:00
 * Europe/Amsterdam").  Machine output (--json) stays ISO 8601. */
#ifndef BS_HUMANTIME_H
#define BS_HUMANTIME_H

#include <stddef.h>
#include <stdint.h>

struct tz;

#define HT_MAX 80	/* room for any ht_* result, zone name included */

/* The admin's zone: $TZ (an IANA name, optionally after ':'), else
 * /etc/timezone, else the zone /etc/localtime links to, else UTC.  Never
 * NULL.  The daemon's "local time" settings use the same zone. */
const struct tz *ht_local_zone(void);

/* Instant t in zone z (NULL: the local zone) seen at `now`:
 * "today 14:05", "tomorrow 02:00", "yesterday 23:10", "Mon 7 Dec 02:00",
 * "Tue 5 Jan 2027 02:00"; followed by the zone's name when z is not the
 * local zone.  t <= 0 gives "never". */
void ht_time(int64_t t, int64_t now, const struct tz *z, char out[HT_MAX]);
/* The same with the distance from now: "tomorrow 02:00 (in 19 h)",
 * "today 14:05 (40 s ago)". */
void ht_time_rel(int64_t t, int64_t now, const struct tz *z, char out[HT_MAX]);
/* A length of time, rounded to its largest unit: "40 s", "5 min", "19 h",
 * "3 days". */
void ht_span(int64_t secs, char *out, size_t n);
/* "in 19 h", "40 s ago", "just now" (under a second either way). */
void ht_from_now(int64_t t, int64_t now, char *out, size_t n);
/* A calendar date (days since 1970-01-01): "Mon 21 Dec", with the year
 * when it is not the year of `today` ("Tue 5 Jan 2027"). */
void ht_date(int64_t days, int64_t today, char out[HT_MAX]);
/* Today's date (days since 1970-01-01) in the local zone at `now`. */
int64_t ht_local_today(int64_t now);

/* ht_time in the local zone into buf (n bytes), returned: for a caller
 * that prints it straight away. */
char *human_time(char *buf, size_t n, int64_t t, int64_t now);
/* "40 s ago" for a time secs seconds in the past, into buf, returned. */
char *human_ago(char *buf, size_t n, long long secs);

#endif
