/* humantime.c - times and dates as a person reads them (see humantime.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/humantime.h"
#include "base/tz.h"
#include "base/util.h"

static const char *const wdays[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static const struct tz *sys_zone;
static pthread_once_t sys_once = PTHREAD_ONCE_INIT;

/* The zone name in a /etc/localtime link: what follows "zoneinfo/". */
static const struct tz *
localtime_link(void)
{
	char buf[512];
	ssize_t n = readlink("/etc/localtime", buf, sizeof buf - 1);
	const struct tz *z = NULL;
	const char *p;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	p = strstr(buf, "zoneinfo/");
	if (p == NULL)
		return NULL;
	p += strlen("zoneinfo/");
	if (strncmp(p, "posix/", 6) == 0)
		p += 6;
	return tz_get(p, &z, NULL) == BS_OK ? z : NULL;
}

static void
sys_zone_init(void)
{
	const struct tz *z = NULL;
	char *text = NULL;

	if (util_read_file("/etc/timezone", 256, &text, NULL, NULL) == BS_OK) {
		char *name = str_trim(text);
		if (*name != '\0' && tz_get(name, &z, NULL) == BS_OK)
			sys_zone = z;
		free(text);
	}
	if (sys_zone == NULL)
		sys_zone = localtime_link();
	if (sys_zone == NULL && tz_get("UTC", &z, NULL) == BS_OK)
		sys_zone = z;
}

const struct tz *
ht_local_zone(void)
{
	const struct tz *z = NULL;
	const char *tzenv = getenv("TZ");

	if (tzenv != NULL && *tzenv == ':')
		tzenv++;
	if (tzenv != NULL && *tzenv != '\0' && tz_get(tzenv, &z, NULL) == BS_OK)
		return z;
	pthread_once(&sys_once, sys_zone_init);
	return sys_zone;
}

int64_t
ht_local_today(int64_t now)
{
	return tz_local_days(ht_local_zone(), now);
}

void
ht_date(int64_t days, int64_t today, char out[HT_MAX])
{
	int64_t y, ty;
	unsigned m, d, tm, td;

	civil_from_days(days, &y, &m, &d);
	civil_from_days(today, &ty, &tm, &td);
	if (y == ty)
		snprintf(out, HT_MAX, "%s %u %s", wdays[date_weekday(days)], d, months[m - 1]);
	else
		snprintf(out, HT_MAX, "%s %u %s %lld", wdays[date_weekday(days)], d, months[m - 1],
		    (long long)y);
}

void
ht_time(int64_t t, int64_t now, const struct tz *z, char out[HT_MAX])
{
	const struct tz *local = ht_local_zone();
	int64_t days, today, secs;
	char day[HT_MAX];

	if (t <= 0) {
		snprintf(out, HT_MAX, "never");
		return;
	}
	if (z == NULL)
		z = local;
	secs = t + tz_offset_at(z, t);
	days = tz_local_days(z, t);
	secs -= days * 86400;
	today = tz_local_days(z, now);
	if (days == today)
		snprintf(day, sizeof day, "today");
	else if (days == today + 1)
		snprintf(day, sizeof day, "tomorrow");
	else if (days == today - 1)
		snprintf(day, sizeof day, "yesterday");
	else
		ht_date(days, today, day);
	snprintf(out, HT_MAX, "%.24s %02d:%02d%s%.40s", day, (int)(secs / 3600), (int)(secs / 60 % 60),
	    z != local ? " " : "", z != local ? tz_name(z) : "");
}

void
ht_span(int64_t secs, char *out, size_t n)
{
	if (secs < 0)
		secs = -secs;
	if (secs < 90)
		snprintf(out, n, "%lld s", (long long)secs);
	else if (secs < 90 * 60)
		snprintf(out, n, "%lld min", (long long)((secs + 30) / 60));
	else if (secs < 48 * 3600)
		snprintf(out, n, "%lld h", (long long)((secs + 1800) / 3600));
	else
		snprintf(out, n, "%lld days", (long long)((secs + 43200) / 86400));
}

void
ht_from_now(int64_t t, int64_t now, char *out, size_t n)
{
	char span[24];

	if (t == now) {
		snprintf(out, n, "just now");
		return;
	}
	ht_span(t - now, span, sizeof span);
	if (t > now)
		snprintf(out, n, "in %s", span);
	else
		snprintf(out, n, "%s ago", span);
}

void
ht_time_rel(int64_t t, int64_t now, const struct tz *z, char out[HT_MAX])
{
	char when[HT_MAX], rel[32];

	ht_time(t, now, z, when);
	if (t <= 0) {
		snprintf(out, HT_MAX, "%s", when);
		return;
	}
	ht_from_now(t, now, rel, sizeof rel);
	snprintf(out, HT_MAX, "%.58s (%.18s)", when, rel);
}

char *
human_time(char *buf, size_t n, int64_t t, int64_t now)
{
	char out[HT_MAX];

	ht_time(t, now, NULL, out);
	snprintf(buf, n, "%s", out);
	return buf;
}

char *
human_ago(char *buf, size_t n, long long secs)
{
	ht_from_now(-(int64_t)secs, 0, buf, n);
	return buf;
}
