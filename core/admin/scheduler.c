/* scheduler.c - drift-free next-run computation. */
#include <stdio.h>

#include "admin/scheduler.h"
#include "base/tz.h"

int64_t
sched_next_interval(int64_t now, int64_t period, int64_t anchor)
{
	int64_t k;

	if (period <= 0)
		return now + 1;
	if (now < anchor)
		return anchor;
	k = (now - anchor) / period + 1;
	return anchor + k * period;
}

int64_t
sched_next_daily(int64_t now, const struct tz *z, int minute_of_day)
{
	int64_t day = tz_local_days(z, now);

	if (minute_of_day < 0 || minute_of_day >= 1440)
		minute_of_day = 0;
	for (int i = 0; i < 3; i++, day++) {
		int64_t t = tz_local_to_utc(z, day, minute_of_day);
		if (t > now)
			return t;
	}
	return now + 86400;
}

int64_t
sched_backoff(int failures)
{
	static const int64_t steps[] = { 15 * 60, 60 * 60, 6 * 3600, 24 * 3600 };

	if (failures <= 0)
		return 0;
	if (failures > 4)
		failures = 4;
	return steps[failures - 1];
}

