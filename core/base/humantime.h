/* humantime.h - times as a person reads them, in the local time of this
 * machine (TZ, else /etc/localtime): "today 14:05", "tomorrow 02:00",
 * "yesterday 23:10", "Mon 09:00" within the week around now, else
 * "2026-12-24 14:05".  UTC ISO stays in --json. */
#ifndef BS_HUMANTIME_H
#define BS_HUMANTIME_H

#include <stddef.h>
#include <time.h>

/* t as the admin reads it, relative to now; "never" when t <= 0. */
char *human_time(char *buf, size_t n, time_t t, time_t now);
/* An age in seconds: "12 s ago", "5 min ago", "3 h ago", "2 days ago". */
char *human_ago(char *buf, size_t n, long long secs);

#endif
