/* tz.h - IANA time zones, read from the system zone database (TZif files),
 * thread-safe (no TZ environment games).  Used to turn a person's local
 * dates and half days into unix seconds, correctly across DST changes. */
#ifndef BS_TZ_H
#define BS_TZ_H

#include <stdint.h>

#include "base/result.h"

struct tz;

/* Load a zone by IANA name ("Europe/Amsterdam", "UTC").  Loaded zones are
 * cached for the life of the process and shared; never free them. */
bs_rc tz_get(const char *name, const struct tz **out, struct bs_error *err);
/* Parse a TZif image (with its POSIX-TZ footer) from memory, ask it a few
 * times and drop it: for the fuzz harness. */
bs_rc tz_check_image(const unsigned char *buf, size_t len, struct bs_error *err);
const char *tz_name(const struct tz *z);
int tz_valid_name(const char *name);	/* 1 when tz_get would succeed */

/* UTC offset in seconds in effect at unix time t. */
int32_t tz_offset_at(const struct tz *z, int64_t t);

/* Unix time of a local wall-clock time: `days` since 1970-01-01 (local
 * date) plus `minute` minutes after local midnight (0..1440; 1440 is the
 * next midnight).  A time inside a spring-forward gap maps to the first
 * instant after the gap; a time repeated by a fall-back maps to its first
 * occurrence. */
int64_t tz_local_to_utc(const struct tz *z, int64_t days, int minute);

/* Local date (days since epoch) at unix time t. */
int64_t tz_local_days(const struct tz *z, int64_t t);

/* "2026-03-02T12:00:00+01:00" for unix time t in zone z (32 bytes ok). */
void tz_format_iso(const struct tz *z, int64_t t, char out[32]);

#endif
