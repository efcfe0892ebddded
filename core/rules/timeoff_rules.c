/* timeoff_rules.c - which HiBob time-off requests become Assembled events,
 * and when those events start and end (design.md, "Time off";
 * targets-api.md A.7/A.8 for the parity with Assembled's own integration).
 *
 * Every request is first laid out in local wall-clock terms (a local date
 * and a minute of that day for each end) and only then converted with
 * tz_local_to_utc in the agent's zone, so a full day across the
 * spring-forward night is 23 hours and across the fall-back night 25.
 *
 * Mappings:
 *  - days (and openEnded once it has an end): start date + start portion
 *    to end date + end portion; a morning is 00:00-12:00, an afternoon
 *    12:00-24:00, so an afternoon start begins at 12:00 and a morning end
 *    stops at 12:00;
 *  - hours: HiBob gives a length but no start time, so the event starts at
 *    timeoff.hours_start on the date and lasts that long (it may cross
 *    midnight);
 *  - several-part types are skipped unless split_chunks is set, or they
 *    make one part only (one date, or one day with time off): that part is
 *    one stretch of time, and syncs as the request's one event; the parts:
 *      portionOnRange: that half day on every date of the range;
 *      hoursOnRange: hours_start + the daily hours, every date;
 *      percentageOnRange: 100% = the full day, else hours_start + that
 *        share of an 8-hour day, every date;
 *      per-day durations: each listed day with time, at its own start and
 *        end when HiBob gives them (in the request's time zone for the
 *        specific-hours types), else hours_start + its length.
 * Pure: no I/O, no clock.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/timeoff_rules.h"
#include "base/tz.h"
#include "base/util.h"

#define TOFF_MAX_SPAN_DAYS 3660	/* a contiguous request longer than ten years is a typo */
#define TOFF_MAX_CHUNKS 366	/* a split request: at most one year of parts */
#define TOFF_MAX_DURATIONS 1000
#define TOFF_WORKDAY_MINUTES 480	/* percentageOnRange: share of an 8-hour day */
#define TOFF_DEFAULT_HOURS_START 540

/* One event in local wall-clock terms. */
struct lspan {
	int64_t d0, d1;		/* local dates */
	int m0, m1;		/* minutes after local midnight; may exceed 1440 */
	int chunk;
	const struct tz *zone;
};

/* ---- text ---- */

static void
utf8_trim_cut(char *s, size_t len)
{
	size_t k, need;
	unsigned char c;

	if (len == 0)
		return;
	k = len - 1;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	c = (unsigned char)s[k];
	if (c < 0x80)
		return;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (len - k < need)
		s[k] = '\0';
}

/* Append to the reason, truncating on a character boundary. */
static void
say(struct toff_decision *d, const char *fmt, ...)
{
	size_t len = strlen(d->reason), size = sizeof d->reason;
	va_list ap;
	int n;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(d->reason + len, size - len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= size - len)
		utf8_trim_cut(d->reason + len, size - len - 1);
}

static void
skip(struct toff_decision *d, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	d->verdict = TOFF_SKIP;
	d->reason[0] = '\0';
	say(d, "%s", tmp);
}

/* A network string made safe for a short message. */
static void
shown(const char *s, char out[40])
{
	size_t i = 0;

	for (; s != NULL && s[i] != '\0' && i < 32; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[i] = '\0';
	if (s != NULL && s[i] != '\0')
		utf8_trim_cut(out, i);
	util_strip_controls(out);
}

static void
hhmm(int minute, char out[8])
{
	int h = minute / 60 % 100, m = minute % 60;
	out[0] = (char)('0' + h / 10);
	out[1] = (char)('0' + h % 10);
	out[2] = ':';
	out[3] = (char)('0' + m / 10);
	out[4] = (char)('0' + m % 10);
	out[5] = '\0';
}

/* "8 h", "30 min", "3 h 30 min" */
static void
duration_text(int minutes, char out[24])
{
	if (minutes % 60 == 0)
		snprintf(out, 24, "%d h", minutes / 60 % 10000);
	else if (minutes < 60)
		snprintf(out, 24, "%d min", minutes % 60);
	else
		snprintf(out, 24, "%d h %d min", minutes / 60 % 10000, minutes % 60);
}

static const char *
plural(int64_t n)
{
	return n == 1 ? "" : "s";
}

/* ---- parts of a request ---- */

static int
read_date(const char *s, int64_t *days)
{
	return s != NULL && s[0] != '\0' && date_parse(s, days) == 0 ? 0 : -1;
}

static int
hours_start(const struct toff_rules_opts *o)
{
	if (o == NULL || o->hours_start_minute < 0 || o->hours_start_minute >= 1440)
		return TOFF_DEFAULT_HOURS_START;
	return o->hours_start_minute;
}

static void
add_span(struct lspan **v, size_t *n, int64_t d0, int m0, int64_t d1, int m1, int chunk,
    const struct tz *zone)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n] = (struct lspan){ d0, d1, m0, m1, chunk, zone };
	(*n)++;
}

/* Both dates of a range, in order and bounded; 0 or -1 with the reason. */
static int
read_range(const struct bob_timeoff *r, struct toff_decision *d, int64_t *d0, int64_t *d1,
    int64_t max_days)
{
	char a[40], b[40];

	if (read_date(r->start_date, d0) < 0) {
		shown(r->start_date, a);
		if (a[0] != '\0')
			skip(d, "start date '%s' could not be read", a);
		else
			skip(d, "no start date");
		return -1;
	}
	if (read_date(r->end_date, d1) < 0) {
		shown(r->end_date, b);
		if (b[0] != '\0')
			skip(d, "end date '%s' could not be read", b);
		else
			skip(d, "no end date");
		return -1;
	}
	if (*d1 < *d0) {
		skip(d, "ends (%s) before it starts (%s); check the dates in HiBob",
		    r->end_date, r->start_date);
		return -1;
	}
	if (*d1 - *d0 + 1 > max_days) {
		skip(d, "%lld days long, more than the %lld this sync handles; check the dates in HiBob",
		    (long long)(*d1 - *d0 + 1), (long long)max_days);
		return -1;
	}
	return 0;
}

/* days and openEnded with an end date: one contiguous event. */
static int
map_days(const struct bob_timeoff *r, const struct tz *zone, struct toff_decision *d,
    const char *what, struct lspan **v, size_t *n)
{
	int64_t d0, d1;
	int m0, m1;
	char f[11], t[11], a[8], b[8];

	if (read_range(r, d, &d0, &d1, TOFF_MAX_SPAN_DAYS) < 0)
		return -1;
	m0 = r->start_portion == TOFF_AFTERNOON ? 720 : 0;
	m1 = r->end_portion == TOFF_MORNING ? 720 : 1440;
	if (d0 == d1 && m1 <= m0) {
		skip(d, "starts in the afternoon and ends in the morning of the same day (%s); "
		    "check the request in HiBob", r->start_date);
		return -1;
	}
	add_span(v, n, d0, m0, d1, m1, 0, zone);
	date_format(d0, f);
	date_format(d1, t);
	if (m0 == 0 && m1 == 1440) {
		if (d0 == d1)
			say(d, "%s, 1 full day (%s)", what, f);
		else
			say(d, "%s, %lld full days (%s to %s)", what, (long long)(d1 - d0 + 1), f, t);
	} else if (d0 == d1) {
		say(d, "%s, %s of %s (%s)", what, m0 == 0 ? "morning" : "afternoon", f,
		    m0 == 0 ? "00:00-12:00" : "12:00-24:00");
	} else {
		hhmm(m0, a);
		hhmm(m1, b);
		say(d, "%s, %s %s to %s %s", what, f, a, t, b);
	}
	return 0;
}

static int
map_hours(const struct bob_timeoff *r, const struct tz *zone, int hs, struct toff_decision *d,
    struct lspan **v, size_t *n)
{
	int64_t day;
	char f[11], a[8], len[24], shown_date[40];

	if (read_date(r->date, &day) < 0 && read_date(r->start_date, &day) < 0) {
		shown(r->date[0] ? r->date : r->start_date, shown_date);
		if (shown_date[0] != '\0')
			skip(d, "date '%s' could not be read", shown_date);
		else
			skip(d, "no date");
		return -1;
	}
	date_format(day, f);
	if (r->minutes_on_date <= 0) {
		skip(d, "no hours on %s (0 minutes)", f);
		return -1;
	}
	if (r->minutes_on_date > 1440) {
		skip(d, "more than 24 hours on one date (%s, %d minutes); check the request in HiBob",
		    f, r->minutes_on_date);
		return -1;
	}
	add_span(v, n, day, hs, day, hs + r->minutes_on_date, 0, zone);
	hhmm(hs, a);
	duration_text(r->minutes_on_date, len);
	say(d, "approved, %s on %s from %s (HiBob gives no start time; timeoff.hours_start)",
	    len, f, a);
	return 0;
}

/* A short description of a several-part request, for the skip reason. */
static void
chunk_text(const struct bob_timeoff *r, char out[48])
{
	int64_t d0, d1, days = 0;

	if (read_date(r->start_date, &d0) == 0 && read_date(r->end_date, &d1) == 0 && d1 >= d0)
		days = d1 - d0 + 1;
	switch (r->type) {
	case TOFF_PORTION_ON_RANGE:
		/* which half is not known (an answer without it): not guessed */
		if (r->day_portion != TOFF_MORNING && r->day_portion != TOFF_AFTERNOON)
			snprintf(out, 48, "half of each day");
		else if (days > 0)
			snprintf(out, 48, "every %s for %lld day%s",
			    r->day_portion == TOFF_AFTERNOON ? "afternoon" : "morning",
			    (long long)(days % 100000), plural(days));
		else
			snprintf(out, 48, "every %s of a range",
			    r->day_portion == TOFF_AFTERNOON ? "afternoon" : "morning");
		break;
	case TOFF_HOURS_ON_RANGE:
		snprintf(out, 48, "some hours on each day");
		break;
	case TOFF_PERCENTAGE_ON_RANGE:
		/* who's out may leave the share out (HiBob's 2024 list of its
		 * fields): a skipped request is not read for it, nor said to be 0 % */
		if (r->percentage > 0)
			snprintf(out, 48, "%d%% of each day", r->percentage % 1000);
		else
			snprintf(out, 48, "a share of each day");
		break;
	case TOFF_DIFFERENT_DAY_DURATIONS:
		snprintf(out, 48, "a different length each day");
		break;
	case TOFF_SPECIFIC_HOURS_DAY_DURATIONS:
		snprintf(out, 48, "set hours on each day");
		break;
	case TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS:
		snprintf(out, 48, "different hours each day");
		break;
	default:
		snprintf(out, 48, "several days");
		break;
	}
}

/* portionOnRange, hoursOnRange, percentageOnRange: one part per date. */
static int
split_range(const struct bob_timeoff *r, const struct tz *zone, int hs,
    struct toff_decision *d, struct lspan **v, size_t *n)
{
	int64_t d0, d1;
	int m0, m1;
	char f[11], t[11], a[8], len[24];

	if (r->type == TOFF_PORTION_ON_RANGE) {
		switch (r->day_portion) {
		case TOFF_MORNING: m0 = 0; m1 = 720; break;
		case TOFF_AFTERNOON: m0 = 720; m1 = 1440; break;
		case TOFF_ALL_DAY: m0 = 0; m1 = 1440; break;
		default:
			skip(d, "several parts, but HiBob gave no day portion (morning or afternoon)");
			return -1;
		}
	} else if (r->type == TOFF_HOURS_ON_RANGE) {
		if (r->daily_minutes <= 0 || r->daily_minutes > 1440) {
			skip(d, "several parts, but the daily hours (%d minutes) are not usable",
			    r->daily_minutes);
			return -1;
		}
		m0 = hs;
		m1 = hs + r->daily_minutes;
	} else {
		if (r->percentage <= 0 || r->percentage > 100) {
			skip(d, "several parts, but the share of the day (%d%%) is not usable",
			    r->percentage);
			return -1;
		}
		if (r->percentage == 100) {
			m0 = 0;
			m1 = 1440;
		} else {
			m0 = hs;
			m1 = hs + (r->percentage * TOFF_WORKDAY_MINUTES + 50) / 100;
			if (m1 == m0)
				m1 = m0 + 1;
		}
	}
	if (read_range(r, d, &d0, &d1, TOFF_MAX_CHUNKS) < 0)
		return -1;
	for (int64_t day = d0; day <= d1; day++)
		add_span(v, n, day, m0, day, m1, (int)(day - d0 + 1), zone);
	date_format(d0, f);
	date_format(d1, t);
	hhmm(m0, a);
	if (*n == 1) {
		/* one date: one stretch of time, not several parts */
		if (r->type == TOFF_PORTION_ON_RANGE)
			say(d, "approved, %s (%s-%s) on %s", m1 - m0 == 1440 ? "the full day" :
			    m0 == 0 ? "the morning" : "the afternoon", a, m1 == 1440 ? "24:00" :
			    "12:00", f);
		else if (m1 - m0 == 1440)
			say(d, "approved, the full day (100%%) on %s", f);
		else {
			duration_text(m1 - m0, len);
			say(d, "approved, %s from %s (timeoff.hours_start)%s on %s", len, a,
			    r->type == TOFF_PERCENTAGE_ON_RANGE ? ", share of an 8-hour day" : "", f);
		}
		return 0;
	}
	if (r->type == TOFF_PORTION_ON_RANGE)
		say(d, "approved, split into %zu part%s: %s each day (%s-%s) from %s to %s",
		    *n, plural((int64_t)*n), m1 - m0 == 1440 ? "the full day" :
		    m0 == 0 ? "the morning" : "the afternoon", a, m1 == 1440 ? "24:00" : "12:00", f, t);
	else if (m1 - m0 == 1440)
		say(d, "approved, split into %zu part%s: the full day (100%%) from %s to %s",
		    *n, plural((int64_t)*n), f, t);
	else {
		duration_text(m1 - m0, len);
		say(d, "approved, split into %zu part%s: %s each day from %s (timeoff.hours_start)%s, %s to %s",
		    *n, plural((int64_t)*n), len, a,
		    r->type == TOFF_PERCENTAGE_ON_RANGE ? ", share of an 8-hour day" : "", f, t);
	}
	return 0;
}

/* The per-day duration types: one part per listed day with time. */
static int
split_durations(const struct bob_timeoff *r, const struct tz *zone, int hs,
    struct toff_decision *d, struct lspan **v, size_t *n)
{
	const struct tz *z = zone, *own = NULL;
	int specific = r->type == TOFF_SPECIFIC_HOURS_DAY_DURATIONS ||
	    r->type == TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS;
	int timed = 0, untimed = 0, chunk = 0;
	char a[8];

	if (r->durations == NULL || r->ndurations == 0) {
		skip(d, "several parts, but HiBob listed no days");
		return -1;
	}
	if (r->ndurations > TOFF_MAX_DURATIONS) {
		skip(d, "several parts, too many days listed (%zu)", r->ndurations);
		return -1;
	}
	/* The specific-hours types carry the time zone their hours are in. */
	if (specific && !str_empty(r->time_zone) && tz_get(r->time_zone, &own, NULL) == BS_OK)
		z = own;
	for (size_t i = 0; i < r->ndurations; i++) {
		const struct bob_duration *du = &r->durations[i];
		int64_t day;
		int m0, m1;
		char ds[40];

		if (read_date(du->date, &day) < 0) {
			shown(du->date, ds);
			skip(d, "several parts, but a day in it ('%s') could not be read", ds);
			return -1;
		}
		if (du->start_minute >= 0 && du->start_minute < 1440 &&
		    du->end_minute >= 0 && du->end_minute <= 1440 && du->end_minute != du->start_minute) {
			m0 = du->start_minute;
			m1 = du->end_minute > m0 ? du->end_minute : du->end_minute + 1440;
			timed++;
		} else if (du->minutes > 0) {
			if (du->minutes >= 1440) {
				m0 = 0;
				m1 = 1440;
			} else {
				m0 = hs;
				m1 = hs + du->minutes;
			}
			untimed++;
		} else {
			continue;	/* no time off that day */
		}
		add_span(v, n, day, m0, day, m1, ++chunk, z);
	}
	if (*n == 0) {
		skip(d, "several parts, but no day in it has any time off");
		return -1;
	}
	if (*n == 1)
		say(d, "approved, one day with its own ");
	else
		say(d, "approved, split into %zu part%s: each day's own ", *n, plural((int64_t)*n));
	if (timed > 0 && untimed == 0)
		say(d, "start and end");
	else if (timed == 0) {
		hhmm(hs, a);
		say(d, "length from %s (no times from HiBob; timeoff.hours_start)", a);
	} else {
		hhmm(hs, a);
		say(d, "hours (days without times from %s)", a);
	}
	if (own != NULL && own != zone)
		say(d, ", times in %s", tz_name(own));
	return 0;
}

/* ---- status ---- */

static int
status_ok(const struct bob_timeoff *r, struct toff_decision *d)
{
	char v[40];

	if (str_eq_ci(r->change_type, "Deleted")) {
		skip(d, "deleted in HiBob");
		return 0;
	}
	if (str_eq_ci(r->change_type, "Canceled") || str_eq_ci(r->change_type, "Cancelled")) {
		skip(d, "canceled in HiBob");
		return 0;
	}
	switch (r->status) {
	case TOFF_APPROVED:
		return 1;
	case TOFF_PENDING:
		skip(d, "pending approval: only approved time off is synced");
		return 0;
	case TOFF_CANCELED:
		skip(d, "canceled in HiBob");
		return 0;
	case TOFF_DISAPPROVED:
		skip(d, "declined in HiBob");
		return 0;
	case TOFF_DELETED:
		skip(d, "deleted in HiBob");
		return 0;
	case TOFF_STATUS_UNKNOWN:
	default:
		shown(r->status_raw, v);
		if (v[0] != '\0')
			skip(d, "status '%s' is not approved: only approved time off is synced", v);
		else
			skip(d, "no approval status: only approved time off is synced");
		return 0;
	}
}

/* ---- public ---- */

/* portionOnRange, hoursOnRange, percentageOnRange: the same each date. */
static int
range_type(enum toff_type t)
{
	return t == TOFF_PORTION_ON_RANGE || t == TOFF_HOURS_ON_RANGE ||
	    t == TOFF_PERCENTAGE_ON_RANGE;
}

/* The per-day duration types: each listed day its own time. */
static int
durations_type(enum toff_type t)
{
	return t == TOFF_DIFFERENT_DAY_DURATIONS || t == TOFF_SPECIFIC_HOURS_DAY_DURATIONS ||
	    t == TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS;
}

/* A day of a per-day duration type that holds time off (split_durations
 * makes a part of it). */
static int
duration_has_time(const struct bob_duration *du)
{
	return (du->start_minute >= 0 && du->start_minute < 1440 && du->end_minute >= 0 &&
	    du->end_minute <= 1440 && du->end_minute != du->start_minute) || du->minutes > 0;
}

/* How many parts a several-part request makes: the dates of a range type,
 * the days with time off of a per-day type (its one date when the item
 * lists no days: a who's out or feed item may not); -1 when the item does
 * not say. */
static long
parts_of(const struct bob_timeoff *r)
{
	int64_t d0, d1;
	long n = 0;

	if (durations_type(r->type) && r->durations != NULL && r->ndurations > 0) {
		for (size_t i = 0; i < r->ndurations; i++)
			n += duration_has_time(&r->durations[i]);
		return n;
	}
	if (read_date(r->start_date, &d0) < 0 || read_date(r->end_date, &d1) < 0 || d1 < d0)
		return -1;
	return (long)(d1 - d0 + 1);
}

int
toff_is_contiguous(const struct bob_timeoff *r)
{
	if (r == NULL)
		return 0;
	switch (r->type) {
	case TOFF_DAYS:
	case TOFF_HOURS:
		return 1;
	case TOFF_OPEN_ENDED:
		return r->end_date[0] != '\0';
	default:
		/* a several-part type over one date is one stretch of time */
		return (range_type(r->type) || durations_type(r->type)) && parts_of(r) == 1;
	}
}

int
toff_several_parts(const struct bob_timeoff *r)
{
	if (r == NULL)
		return 0;
	if (durations_type(r->type))
		return r->durations != NULL && r->ndurations > 0 && parts_of(r) > 1;
	return range_type(r->type) && parts_of(r) > 1;
}

void
toff_decision_clear(struct toff_decision *d)
{
	if (d == NULL)
		return;
	free(d->events);
	memset(d, 0, sizeof *d);
	d->verdict = TOFF_SKIP;
}

/* Keep the events inside [ws, we); say so when none or only some are. */
static void
apply_window(struct toff_decision *d, const struct tz *zone, int64_t ws, int64_t we)
{
	size_t kept = 0, total = d->nevents;
	int64_t first = INT64_MAX, last = INT64_MIN;
	char a[11], b[11], c[11], e[11];

	for (size_t i = 0; i < d->nevents; i++) {
		const struct toff_event *ev = &d->events[i];
		if (ev->start < first)
			first = ev->start;
		if (ev->end > last)
			last = ev->end;
		if (ev->end > ws && ev->start < we)
			d->events[kept++] = *ev;
	}
	d->nevents = kept;
	if (kept == 0) {
		date_format(tz_local_days(zone, first), a);
		date_format(tz_local_days(zone, last - 1), b);
		date_format(tz_local_days(zone, ws), c);
		date_format(tz_local_days(zone, we > INT64_MIN ? we - 1 : we), e);
		FREE(d->events);
		if (strcmp(a, b) == 0)
			skip(d, "outside the sync window (%s; the window is %s to %s)", a, c, e);
		else
			skip(d, "outside the sync window (%s to %s; the window is %s to %s)", a, b, c, e);
	} else if (kept < total) {
		say(d, "; %zu of the %zu parts are inside the sync window", kept, total);
	}
}

void
toff_decide(const struct bob_timeoff *r, const struct tz *zone,
    const struct toff_rules_opts *o, struct toff_decision *out)
{
	struct lspan *spans = NULL;
	size_t nspans = 0;
	int64_t ws = INT64_MIN, we = INT64_MAX;
	int hs = hours_start(o), ok = 0, whole;
	char what[48], v[40];

	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	out->verdict = TOFF_SKIP;
	if (r == NULL) {
		skip(out, "no request");
		return;
	}
	if (zone == NULL && tz_get("UTC", &zone, NULL) != BS_OK)
		zone = NULL;	/* tz_* treat NULL as UTC */
	if (o != NULL) {
		ws = o->window_start;
		we = o->window_end;
	}
	if (!status_ok(r, out))
		return;

	switch (r->type) {
	case TOFF_DAYS:
		ok = map_days(r, zone, out, "approved", &spans, &nspans) == 0;
		break;
	case TOFF_OPEN_ENDED:
		if (r->end_date[0] == '\0') {
			skip(out, "open-ended: no end date yet");
			break;
		}
		ok = map_days(r, zone, out, "approved open-ended leave", &spans, &nspans) == 0;
		break;
	case TOFF_HOURS:
		ok = map_hours(r, zone, hs, out, &spans, &nspans) == 0;
		break;
	case TOFF_PORTION_ON_RANGE:
	case TOFF_HOURS_ON_RANGE:
	case TOFF_PERCENTAGE_ON_RANGE:
	case TOFF_DIFFERENT_DAY_DURATIONS:
	case TOFF_SPECIFIC_HOURS_DAY_DURATIONS:
	case TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS:
		whole = o == NULL || !o->split_chunks;
		if (whole && !toff_is_contiguous(r)) {
			chunk_text(r, what);
			skip(out, "made of several separate parts (%s); Assembled's own integration "
			    "skips these too \xe2\x80\x94 turn on timeoff.split_chunks to sync each part",
			    what);
			break;
		}
		if (range_type(r->type))
			ok = split_range(r, zone, hs, out, &spans, &nspans) == 0;
		else
			ok = split_durations(r, zone, hs, out, &spans, &nspans) == 0;
		/* one date, not split: the request's one event, as a days one */
		if (ok && whole && nspans == 1)
			spans[0].chunk = 0;
		break;
	case TOFF_TYPE_UNKNOWN:
	default:
		shown(r->type_raw, v);
		skip(out, "unsupported request type '%s'", v[0] ? v : "(none)");
		break;
	}
	if (!ok || nspans == 0) {
		free(spans);
		return;
	}

	out->events = xcalloc(nspans, sizeof *out->events);
	out->nevents = nspans;
	for (size_t i = 0; i < nspans; i++) {
		out->events[i].start = tz_local_to_utc(spans[i].zone, spans[i].d0, spans[i].m0);
		out->events[i].end = tz_local_to_utc(spans[i].zone, spans[i].d1, spans[i].m1);
		out->events[i].chunk = spans[i].chunk;
	}
	free(spans);
	out->verdict = TOFF_SYNC;
	if (ws > INT64_MIN || we < INT64_MAX)
		apply_window(out, zone, ws, we);
}

int
toff_events_overlap(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	return s1 < e2 && s2 < e1;
}
