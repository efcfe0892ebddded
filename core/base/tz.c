/* tz.c - IANA time zones from the system zone database (RFC 8536 TZif).
 *
 * A zone is read once from $TZDIR/<name> (default /usr/share/zoneinfo):
 * the 64-bit section of a version 2+ file (the 32-bit one of a version 1
 * file), and the POSIX TZ footer, which gives the rule for every instant
 * after the last transition.  That matters on systems with "slim" zone
 * files, which stop listing transitions once the rule is regular, and for
 * any instant after 2037 with "fat" ones.
 *
 * Everything read from the file is bounded before anything is allocated.
 * Loaded zones live in one mutex-protected list for the life of the process
 * and are never freed, so callers may keep the pointers without locking.
 * Nothing here touches the TZ environment variable or localtime/mktime.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tz.h"
#include "base/util.h"

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_NAME_MAX 128			/* longest IANA name is ~32 */
#define TZ_FILE_MAX (256 * 1024)	/* real files are < 4 KiB */
#define TZ_MAX_TIMES 20000		/* fat files hold ~2,400 at most */
#define TZ_MAX_TYPES 256		/* RFC 8536: typecnt <= 256 */
#define TZ_MAX_CHARS 4096
#define TZ_MAX_LEAPS 100
#define TZ_MAX_FOOTER 256
#define TZ_MAX_UTOFF (26 * 3600)	/* |UT offset| bound (RFC allows ~25h) */
/* Instants are clamped to about +-34,000 years so no arithmetic overflows. */
#define TZ_T_LIMIT ((int64_t)1 << 40)

/* One date rule of a POSIX TZ string: Jn, n or Mm.w.d, plus a time. */
struct tz_rule {
	char kind;		/* 'J', 'D' (zero-based day) or 'M' */
	int n, m, w, d;
	int32_t secs;		/* local time of the change, may be <0 or >24h */
};

struct tz_posix {
	int valid;
	int32_t std_off;	/* UT offset, east positive */
	int has_dst;
	int32_t dst_off;
	struct tz_rule start, end;
};

struct tz_type {
	int32_t utoff;
	int isdst;
};

struct tz {
	struct tz *next;	/* the cache list */
	char *name;
	int64_t *trans;		/* ntrans ascending transition instants */
	unsigned char *tidx;	/* type index after each transition */
	size_t ntrans;
	struct tz_type *types;
	size_t ntypes;
	struct tz_posix footer;
};

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz *tz_cache;	/* owned; lives until exit */

/* ---- small helpers ---- */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t
clamp_t(int64_t t)
{
	if (t > TZ_T_LIMIT)
		return TZ_T_LIMIT;
	if (t < -TZ_T_LIMIT)
		return -TZ_T_LIMIT;
	return t;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64s(const unsigned char *p)
{
	uint64_t v = (uint64_t)be32(p) << 32 | be32(p + 4);
	return (int64_t)v;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* ---- names ---- */

static int
name_ok(const char *name)
{
	size_t len;

	if (name == NULL || name[0] == '\0' || name[0] == '/')
		return 0;
	len = strlen(name);
	if (len > TZ_NAME_MAX || name[len - 1] == '/')
		return 0;
	if (strstr(name, "..") != NULL || strstr(name, "//") != NULL)
		return 0;
	for (const char *p = name; *p != '\0'; p++) {
		char c = *p;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' || c == '/'))
			return 0;
	}
	return 1;
}

static int
is_builtin_utc(const char *name)
{
	return strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0;
}

/* ---- the POSIX TZ footer ("CET-1CEST,M3.5.0,M10.5.0/3") ---- */

static const char *
posix_name(const char *p)
{
	const char *s = p;

	if (*p == '<') {
		p++;
		while (*p != '\0' && *p != '>') {
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-'))
				return NULL;
			p++;
		}
		if (*p != '>' || p - s < 4)	/* at least 3 characters inside */
			return NULL;
		return p + 1;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

static const char *
posix_num(const char *p, int lo, int hi, int *out)
{
	int v = 0, digits = 0;

	while (*p >= '0' && *p <= '9') {
		if (++digits > 3)
			return NULL;
		v = v * 10 + (*p - '0');
		p++;
	}
	if (digits == 0 || v < lo || v > hi)
		return NULL;
	*out = v;
	return p;
}

/* [+-]hh[:mm[:ss]] -> seconds; hours up to max_h. */
static const char *
posix_hms(const char *p, int max_h, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if ((p = posix_num(p, 0, max_h, &h)) == NULL)
		return NULL;
	if (*p == ':') {
		if ((p = posix_num(p + 1, 0, 59, &m)) == NULL)
			return NULL;
		if (*p == ':' && (p = posix_num(p + 1, 0, 59, &s)) == NULL)
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *
posix_rule(const char *p, struct tz_rule *r)
{
	memset(r, 0, sizeof *r);
	if (*p == 'J') {
		r->kind = 'J';
		p = posix_num(p + 1, 1, 365, &r->n);
	} else if (*p == 'M') {
		r->kind = 'M';
		if ((p = posix_num(p + 1, 1, 12, &r->m)) == NULL || *p != '.')
			return NULL;
		if ((p = posix_num(p + 1, 1, 5, &r->w)) == NULL || *p != '.')
			return NULL;
		p = posix_num(p + 1, 0, 6, &r->d);
	} else {
		r->kind = 'D';
		p = posix_num(p, 0, 365, &r->n);
	}
	if (p == NULL)
		return NULL;
	r->secs = 7200;
	if (*p == '/')
		p = posix_hms(p + 1, 167, &r->secs);	/* RFC 8536 extension */
	return p;
}

/* Parse a footer; returns 0 and fills pz, or -1. */
static int
posix_parse(const char *s, struct tz_posix *pz)
{
	const char *p;
	int32_t off;

	memset(pz, 0, sizeof *pz);
	if ((p = posix_name(s)) == NULL || (p = posix_hms(p, 24, &off)) == NULL)
		return -1;
	pz->std_off = -off;
	if (*p == '\0') {
		pz->valid = 1;
		return 0;
	}
	if ((p = posix_name(p)) == NULL)
		return -1;
	pz->has_dst = 1;
	pz->dst_off = pz->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = posix_hms(p, 24, &off)) == NULL)
			return -1;
		pz->dst_off = -off;
	}
	if (*p == '\0') {
		/* No rule given: POSIX leaves it to the implementation; the
		 * usual default is the US rule. */
		pz->start = (struct tz_rule){ 'M', 0, 3, 2, 0, 7200 };
		pz->end = (struct tz_rule){ 'M', 0, 11, 1, 0, 7200 };
		pz->valid = 1;
		return 0;
	}
	if (*p != ',' || (p = posix_rule(p + 1, &pz->start)) == NULL)
		return -1;
	if (*p != ',' || (p = posix_rule(p + 1, &pz->end)) == NULL)
		return -1;
	if (*p != '\0')
		return -1;
	pz->valid = 1;
	return 0;
}

/* Local day (days since epoch) a rule falls on in year y. */
static int64_t
rule_day(const struct tz_rule *r, int64_t y)
{
	int64_t jan1 = days_from_civil(y, 1, 1), first, day;
	int wd, ml;

	switch (r->kind) {
	case 'J':
		return jan1 + r->n - 1 + (is_leap(y) && r->n >= 60 ? 1 : 0);
	case 'D':
		return jan1 + r->n;
	default:
		first = days_from_civil(y, (unsigned)r->m, 1);
		wd = date_weekday(first);
		day = first + (r->d - wd + 7) % 7 + 7 * (r->w - 1);
		ml = month_days(y, r->m);
		while (day >= first + ml)
			day -= 7;
		return day;
	}
}

static int32_t
posix_offset_at(const struct tz_posix *pz, int64_t t)
{
	int64_t y, s, e;
	unsigned m, d;
	int dst;

	if (!pz->has_dst)
		return pz->std_off;
	t = clamp_t(t);
	civil_from_days(floor_div(t + pz->std_off, 86400), &y, &m, &d);
	/* The start is given in standard time, the end in daylight time. */
	s = rule_day(&pz->start, y) * 86400 + pz->start.secs - pz->std_off;
	e = rule_day(&pz->end, y) * 86400 + pz->end.secs - pz->dst_off;
	if (s < e)
		dst = t >= s && t < e;
	else			/* southern hemisphere: DST spans new year */
		dst = !(t >= e && t < s);
	return dst ? pz->dst_off : pz->std_off;
}

/* ---- TZif ---- */

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chr;
};

static void
read_counts(const unsigned char *h, struct tzif_counts *c)
{
	c->isut = be32(h + 20);
	c->isstd = be32(h + 24);
	c->leap = be32(h + 28);
	c->time = be32(h + 32);
	c->type = be32(h + 36);
	c->chr = be32(h + 40);
}

static int
counts_ok(const struct tzif_counts *c)
{
	return c->time <= TZ_MAX_TIMES && c->type >= 1 && c->type <= TZ_MAX_TYPES &&
	    c->chr <= TZ_MAX_CHARS && c->leap <= TZ_MAX_LEAPS &&
	    (c->isstd == 0 || c->isstd == c->type) && (c->isut == 0 || c->isut == c->type);
}

/* Size of a data block with `tsize`-byte times (4 in v1, 8 in v2+). */
static size_t
block_size(const struct tzif_counts *c, size_t tsize)
{
	return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 + c->chr +
	    (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

/* Parse a whole TZif file held in buf into z (name not touched). */
static bs_rc
tzif_parse(const unsigned char *buf, size_t len, struct tz *z, const char *name,
    struct bs_error *err)
{
	struct tzif_counts c;
	const unsigned char *p, *end = buf + len;
	size_t tsize = 4, need;
	int version;

	if (len < 44 || memcmp(buf, "TZif", 4) != 0)
		return bs_fail(err, BS_ERR_PARSE, "time zone %s: not a TZif file", name);
	version = buf[4];
	read_counts(buf, &c);
	if (!counts_ok(&c))
		return bs_fail(err, BS_ERR_PARSE, "time zone %s: implausible header counts", name);
	p = buf + 44;
	need = block_size(&c, 4);
	if ((size_t)(end - p) < need)
		return bs_fail(err, BS_ERR_PARSE, "time zone %s: file is truncated", name);
	if (version >= '2') {
		/* Skip the 32-bit block; use the second header and 64-bit data. */
		p += need;
		if ((size_t)(end - p) < 44 || memcmp(p, "TZif", 4) != 0)
			return bs_fail(err, BS_ERR_PARSE, "time zone %s: second header missing", name);
		read_counts(p, &c);
		if (!counts_ok(&c))
			return bs_fail(err, BS_ERR_PARSE, "time zone %s: implausible header counts", name);
		p += 44;
		tsize = 8;
		need = block_size(&c, 8);
		if ((size_t)(end - p) < need)
			return bs_fail(err, BS_ERR_PARSE, "time zone %s: file is truncated", name);
	} else if (version != 0) {
		return bs_fail(err, BS_ERR_PARSE, "time zone %s: unknown TZif version", name);
	}
	if (c.leap != 0)
		return bs_fail(err, BS_ERR_PARSE,
		    "time zone %s has leap seconds (a right/ zone); use the plain zone name", name);

	z->ntrans = c.time;
	z->ntypes = c.type;
	z->trans = xcalloc(c.time ? c.time : 1, sizeof *z->trans);
	z->tidx = xcalloc(c.time ? c.time : 1, 1);
	z->types = xcalloc(c.type, sizeof *z->types);
	for (size_t i = 0; i < c.time; i++) {
		z->trans[i] = tsize == 8 ? be64s(p) : (int64_t)(int32_t)be32(p);
		p += tsize;
		if (i > 0 && z->trans[i] <= z->trans[i - 1])
			return bs_fail(err, BS_ERR_PARSE, "time zone %s: transitions out of order", name);
	}
	for (size_t i = 0; i < c.time; i++) {
		z->tidx[i] = *p++;
		if (z->tidx[i] >= c.type)
			return bs_fail(err, BS_ERR_PARSE, "time zone %s: bad type index", name);
	}
	for (size_t i = 0; i < c.type; i++) {
		int32_t off = (int32_t)be32(p);
		if (off < -TZ_MAX_UTOFF || off > TZ_MAX_UTOFF || p[4] > 1 ||
		    (c.chr > 0 && p[5] >= c.chr))
			return bs_fail(err, BS_ERR_PARSE, "time zone %s: bad local time type", name);
		z->types[i].utoff = off;
		z->types[i].isdst = p[4];
		p += 6;
	}
	p += c.chr + c.isstd + c.isut;	/* abbreviations and indicators: unused */

	if (tsize == 8) {
		/* Footer: "\n" TZ-string "\n"; an empty string means no rule. */
		const unsigned char *nl;
		char footer[TZ_MAX_FOOTER];
		size_t flen;

		if (p >= end || *p != '\n')
			return bs_fail(err, BS_ERR_PARSE, "time zone %s: footer missing", name);
		p++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || (flen = (size_t)(nl - p)) >= sizeof footer)
			return bs_fail(err, BS_ERR_PARSE, "time zone %s: bad footer", name);
		memcpy(footer, p, flen);
		footer[flen] = '\0';
		if (flen > 0 && posix_parse(footer, &z->footer) < 0)
			return bs_fail(err, BS_ERR_PARSE, "time zone %s: cannot read the rule '%s'",
			    name, footer);
	}
	return BS_OK;
}

static void
tz_destroy(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->trans);
	free(z->tidx);
	free(z->types);
	free(z);
}

bs_rc
tz_check_image(const unsigned char *buf, size_t len, struct bs_error *err)
{
	static const int64_t probes[] = { -4000000000000LL, -1, 0, 1700000000, 4102444800LL,
		4000000000000LL };
	struct tz *z = xcalloc(1, sizeof *z);
	bs_rc rc = tzif_parse(buf, len, z, "(image)", err);

	if (rc == BS_OK) {
		for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
			(void)tz_offset_at(z, probes[i]);
			(void)tz_local_days(z, probes[i]);
		}
		(void)tz_local_to_utc(z, 20000, 90);
	}
	tz_destroy(z);
	return rc;
}

/* Read a regular file of at most TZ_FILE_MAX bytes; caller frees *out. */
static bs_rc
read_zone_file(const char *path, const char *name, unsigned char **out, size_t *len,
    struct bs_error *err)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t got = 0;
	bs_rc rc = BS_OK;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return bs_fail(err, errno == ENOENT || errno == ENOTDIR ? BS_ERR_NOT_FOUND : BS_ERR_IO,
		    "unknown time zone '%s' (%s)", name, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = bs_fail(err, BS_ERR_NOT_FOUND, "unknown time zone '%s' (not a zone file)", name);
		goto out;
	}
	if (st.st_size > TZ_FILE_MAX) {
		rc = bs_fail(err, BS_ERR_TOO_LARGE, "time zone file for '%s' is too large", name);
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = bs_fail(err, BS_ERR_IO, "cannot read the time zone file for '%s'", name);
			goto out;
		}
		got += (size_t)r;
	}
	*out = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

static bs_rc
tz_load(const char *name, struct tz **out, struct bs_error *err)
{
	const char *dir = getenv("TZDIR");
	struct tz *z = xcalloc(1, sizeof *z);
	unsigned char *buf = NULL;
	char *path = NULL;
	size_t len = 0;
	bs_rc rc;

	*out = NULL;
	z->name = xstrdup(name);
	if (is_builtin_utc(name)) {
		z->types = xcalloc(1, sizeof *z->types);
		z->ntypes = 1;
		*out = z;
		return BS_OK;
	}
	if (dir == NULL || dir[0] == '\0')
		dir = TZ_DEFAULT_DIR;
	path = xasprintf("%s/%s", dir, name);
	rc = read_zone_file(path, name, &buf, &len, err);
	if (rc == BS_OK)
		rc = tzif_parse(buf, len, z, name, err);
	free(buf);
	free(path);
	if (rc != BS_OK) {
		tz_destroy(z);
		return rc;
	}
	*out = z;
	return BS_OK;
}

/* ---- public ---- */

bs_rc
tz_get(const char *name, const struct tz **out, struct bs_error *err)
{
	struct tz *z;
	bs_rc rc = BS_OK;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "tz_get: no output");
	*out = NULL;
	if (!name_ok(name))
		return bs_fail(err, BS_ERR_INVALID, "'%.64s' is not a valid time zone name "
		    "(expected an IANA name such as Europe/Amsterdam)", name ? name : "");
	pthread_mutex_lock(&tz_lock);
	for (z = tz_cache; z != NULL; z = z->next)
		if (strcmp(z->name, name) == 0)
			break;
	if (z == NULL) {
		rc = tz_load(name, &z, err);
		if (rc == BS_OK) {
			z->next = tz_cache;
			tz_cache = z;
		}
	}
	pthread_mutex_unlock(&tz_lock);
	if (rc == BS_OK)
		*out = z;
	return rc;
}

const char *
tz_name(const struct tz *z)
{
	return z ? z->name : "UTC";
}

int
tz_valid_name(const char *name)
{
	const struct tz *z;
	return tz_get(name, &z, NULL) == BS_OK;
}

int32_t
tz_offset_at(const struct tz *z, int64_t t)
{
	size_t lo, hi;

	if (z == NULL)
		return 0;
	if (z->ntrans == 0)
		return z->footer.valid ? posix_offset_at(&z->footer, t) : z->types[0].utoff;
	if (t < z->trans[0])
		return z->types[0].utoff;	/* RFC 8536: type 0 before the first */
	if (t >= z->trans[z->ntrans - 1]) {
		if (z->footer.valid)
			return posix_offset_at(&z->footer, t);
		return z->types[z->tidx[z->ntrans - 1]].utoff;
	}
	/* Last transition <= t. */
	lo = 0;
	hi = z->ntrans - 1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->types[z->tidx[lo]].utoff;
}

int64_t
tz_local_to_utc(const struct tz *z, int64_t days, int minute)
{
	int32_t cand[9];
	size_t ncand = 0;
	int64_t local, best = 0;
	int found = 0;

	local = clamp_t(days * 86400 + (int64_t)minute * 60);
	/* Every offset in effect within a day either side; the answer
	 * t = local - offset must use one of them. */
	for (int k = -4; k <= 4; k++) {
		int32_t o = tz_offset_at(z, local + k * 21600);
		size_t i;
		for (i = 0; i < ncand; i++)
			if (cand[i] == o)
				break;
		if (i == ncand)
			cand[ncand++] = o;
	}
	for (size_t i = 0; i < ncand; i++) {
		int64_t t = local - cand[i];
		if (tz_offset_at(z, t) == cand[i] && (!found || t < best)) {
			best = t;	/* the earliest: first of a repeated hour */
			found = 1;
		}
	}
	if (found)
		return best;
	/* A gap: the wall time was skipped.  The transition lies between
	 * local - (larger offset) and local - (smaller offset); find the
	 * first instant with the new offset. */
	{
		int32_t omin = cand[0], omax = cand[0];
		int64_t lo, hi;
		int32_t after;

		for (size_t i = 1; i < ncand; i++) {
			if (cand[i] < omin)
				omin = cand[i];
			if (cand[i] > omax)
				omax = cand[i];
		}
		lo = local - omax;
		hi = local - omin;
		after = tz_offset_at(z, hi);
		if (tz_offset_at(z, lo) == after)
			return local - tz_offset_at(z, local);	/* not expected */
		while (hi - lo > 1) {	/* invariant: off(lo) != after, off(hi) == after */
			int64_t mid = lo + (hi - lo) / 2;
			if (tz_offset_at(z, mid) == after)
				hi = mid;
			else
				lo = mid;
		}
		return hi;
	}
}

int64_t
tz_local_days(const struct tz *z, int64_t t)
{
	t = clamp_t(t);
	return floor_div(t + tz_offset_at(z, t), 86400);
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void
tz_format_iso(const struct tz *z, int64_t t, char out[32])
{
	int64_t local, days, secs;
	int32_t off, aoff;
	char sign;

	t = clamp_t(t);
	off = tz_offset_at(z, t);
	local = t + off;
	days = floor_div(local, 86400);
	secs = local - days * 86400;
	sign = off < 0 ? '-' : '+';
	aoff = off < 0 ? -off : off;
	/* Fixed-width fields: 25 characters, or 28 with an offset in seconds
	 * (historical local mean time). */
	date_format(days, out);
	out[10] = 'T';
	put2(out + 11, (int)(secs / 3600));
	out[13] = ':';
	put2(out + 14, (int)(secs / 60 % 60));
	out[16] = ':';
	put2(out + 17, (int)(secs % 60));
	out[19] = sign;
	put2(out + 20, (int)(aoff / 3600 % 100));
	out[22] = ':';
	put2(out + 23, (int)(aoff / 60 % 60));
	if (aoff % 60 != 0) {
		out[25] = ':';
		put2(out + 26, (int)(aoff % 60));
		out[28] = '\0';
	} else {
		out[25] = '\0';
	}
}
