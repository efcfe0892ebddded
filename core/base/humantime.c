/* humantime.c - local, relative times for the dashboard and `status`. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/humantime.h"

/* Days since the epoch of a local calendar date (for "today" and
 * "tomorrow" across DST changes: compare dates, not seconds). */
static long long
local_day(const struct tm *tm)
{
	long long y = tm->tm_year + 1900, m = tm->tm_mon + 1, d = tm->tm_mday;

	y -= m <= 2;
	{
		long long era = (y >= 0 ? y : y - 399) / 400;
		long long yoe = y - era * 400;
		long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		return era * 146097 + doe - 719468;
	}
}

char *
human_time(char *buf, size_t n, time_t t, time_t now)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	struct tm a, b;
	long long diff;

	if (n == 0)
		return buf;
	if (t <= 0) {
		snprintf(buf, n, "never");
		return buf;
	}
	if (localtime_r(&t, &a) == NULL || localtime_r(&now, &b) == NULL) {
		snprintf(buf, n, "?");
		return buf;
	}
	diff = local_day(&a) - local_day(&b);
	if (diff == 0)
		snprintf(buf, n, "today %02d:%02d", a.tm_hour, a.tm_min);
	else if (diff == 1)
		snprintf(buf, n, "tomorrow %02d:%02d", a.tm_hour, a.tm_min);
	else if (diff == -1)
		snprintf(buf, n, "yesterday %02d:%02d", a.tm_hour, a.tm_min);
	else if (diff > 1 && diff < 7)
		snprintf(buf, n, "%s %02d:%02d", wd[a.tm_wday % 7], a.tm_hour, a.tm_min);
	else
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d", a.tm_year + 1900, a.tm_mon + 1,
		    a.tm_mday, a.tm_hour, a.tm_min);
	return buf;
}

char *
human_ago(char *buf, size_t n, long long secs)
{
	if (n == 0)
		return buf;
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, n, "%lld s ago", secs);
	else if (secs < 2 * 3600)
		snprintf(buf, n, "%lld min ago", secs / 60);
	else if (secs < 2 * 86400)
		snprintf(buf, n, "%lld h ago", secs / 3600);
	else
		snprintf(buf, n, "%lld days ago", secs / 86400);
	return buf;
}
