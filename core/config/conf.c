/* conf.c - the settings table, value checks, and bobsync.conf.
 *
 * The file is kept as a list of lines so that writing it back keeps every
 * comment, blank line and the order the admin chose: lines of settings that
 * were not changed are written back byte for byte, changed settings are
 * rewritten in place (keeping their inline comment), unset settings lose
 * their line (an inline comment stays as a comment line) and new settings
 * go at the end in table order.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf.h"
#include "net/webhook.h"
#include "net/http.h"
#include "base/paths.h"
#include "base/util.h"

#define CONF_FILE_MAX	(1024 * 1024)	/* bytes in bobsync.conf */
#define CONF_LINE_MAX	16384		/* bytes in one line */
#define CONF_VALUE_MAX	4096		/* bytes in one value */
#define CONF_PAIRS_MAX	256		/* pairs in one CONF_PAIRS value */
#define CONF_SUGGEST_MAX 3		/* edit distance for "did you mean" */
#define ZONEINFO_DIR	"/usr/share/zoneinfo"

/* The table, in display order.  Help lines are for HR admins: plain words,
 * one line each. */
static const struct conf_option options[] = {
	{ "hibob.base_url", CONF_URL, "https://api.hibob.com/v1", 0, 0, NULL,
	  "HiBob API address (sandbox tenants: https://api.sandbox.hibob.com/v1)", NULL },
	{ "hibob.eligibility_field", CONF_STRING, "alleo_access", 0, 0, NULL,
	  "name of the HiBob yes/no list field that grants Alleo access", NULL },
	{ "hibob.site_timezones", CONF_PAIRS, "", 0, 0, NULL,
	  "time zone per HiBob site, e.g. Amsterdam=Europe/Amsterdam,New York=America/New_York", NULL },
	{ "hibob.default_timezone", CONF_TIMEZONE, "UTC", 0, 0, NULL,
	  "time zone for people whose site is not listed in hibob.site_timezones", NULL },
	{ "tls.ca_file", CONF_PATH, NULL, 0, 0, NULL,
	  "extra certificate authority file (corporate proxy, tests)", "(system)" },
	{ "alleo.mode", CONF_ENUM, "off", 0, 0, "off|pull|scim|csv",
	  "how people reach Alleo: off, pull (Alleo reads HiBob; check and preview only), scim, csv", NULL },
	{ "alleo.scim_url", CONF_URL, NULL, 0, 0, NULL,
	  "Alleo SCIM address (from Alleo support)", NULL },
	{ "alleo.token_url", CONF_URL, NULL, 0, 0, NULL,
	  "Alleo sign-in (OAuth2 token) address (from Alleo support)", NULL },
	{ "alleo.scim_extension", CONF_STRING, NULL, 0, 0, NULL,
	  "SCIM extension schema for dates and budgets; used only when Alleo lists it (none by default)",
	  NULL },
	{ "alleo.csv_target", CONF_TARGET, NULL, 0, 0, NULL,
	  "where the Alleo CSV file goes: a local folder, or sftp://host[:port]/path/", NULL },
	{ "alleo.csv_name", CONF_STRING, "alleo_employees_current.csv", 0, 0, NULL,
	  "name of the Alleo CSV file; must look like alleo_employees_*.csv", NULL },
	{ "alleo.sftp_key", CONF_PATH, NULL, 0, 0, NULL,
	  "private key file for sftp:// uploads", NULL },
	{ "alleo.sftp_known_hosts", CONF_PATH, NULL, 0, 0, NULL,
	  "known_hosts file that vouches for the SFTP server", NULL },
	{ "alleo.prestart_days", CONF_INT, "0", 0, 365, NULL,
	  "give people Alleo access this many days before their start date", NULL },
	{ "alleo.budget_fields", CONF_STRING, "auto", 0, 0, NULL,
	  "budget fields sent to Alleo: auto (alleo_<monthly|oneoff>_<category>_budget), none, or a list", NULL },
	{ "assembled.enabled", CONF_BOOL, "false", 0, 0, NULL,
	  "copy approved HiBob time off to Assembled", NULL },
	{ "assembled.base_url", CONF_URL, "https://api.assembledhq.com/v0", 0, 0, NULL,
	  "Assembled API address", NULL },
	{ "assembled.timeoff_type", CONF_STRING, NULL, 0, 0, NULL,
	  "Assembled event type used for time off",
	  "(the activity type named Time Off, else the only time-off type)" },
	{ "assembled.policy_map", CONF_PAIRS, NULL, 0, 0, NULL,
	  "HiBob policy type=Assembled event type pairs, comma-separated", NULL },
	{ "assembled.allow_conflicts", CONF_BOOL, "true", 0, 0, NULL,
	  "false lets Assembled delete shifts that overlap the time off", NULL },
	{ "assembled.default_timezone", CONF_TIMEZONE, "UTC", 0, 0, NULL,
	  "time zone for Assembled people who have none", NULL },
	{ "assembled.schedule_id", CONF_STRING, NULL, 0, 0, NULL,
	  "Assembled schedule that receives the time off", "(master schedule)" },
	{ "timeoff.lookback_days", CONF_INT, "30", 0, 365, NULL,
	  "also sync time off that started up to this many days ago", NULL },
	{ "timeoff.sync_until", CONF_DATE_SPEC, "+365d", 0, 0, NULL,
	  "sync time off up to this date: YYYY-MM-DD, or +Nd for N days from today", NULL },
	{ "timeoff.split_chunks", CONF_BOOL, "false", 0, 0, NULL,
	  "sync requests made of several pieces as one event per piece", NULL },
	{ "timeoff.poll_minutes", CONF_INT, "5", 1, 60, NULL,
	  "how often the daemon looks for new or changed time off", NULL },
	{ "timeoff.hours_start", CONF_TIME, "09:00", 0, 0, NULL,
	  "local start time of hour-based requests (HiBob gives only their length)", NULL },
	{ "timeoff.reconcile_at", CONF_TIME, "03:00", 0, 0, NULL,
	  "daemon: nightly full comparison of time off, local time", NULL },
	{ "timeoff.overlap_minutes", CONF_INT, "10", 0, 1440, NULL,
	  "how far back each check of HiBob's change list looks again", NULL },
	{ "roster.run_at", CONF_TIME, "02:00", 0, 0, NULL,
	  "daemon: daily Alleo roster sync, local time", NULL },
	{ "guard.max_removals", CONF_INT, "3", 0, 1000000, NULL,
	  "roster: more removals than this in one run need approval of the plan id", NULL },
	{ "guard.max_removal_percent", CONF_NUMBER, "10", 0, 100, NULL,
	  "roster: removing more than this share of the Alleo roster (from two removals on) "
	  "needs approval", NULL },
	{ "guard.timeoff_max_removals", CONF_INT, "10", 0, 1000000, NULL,
	  "time off: up to this many event removals in one run never need approval", NULL },
	{ "guard.timeoff_max_removal_percent", CONF_NUMBER, "5", 0, 100, NULL,
	  "time off: more removals need approval when they are over this share of the events "
	  "held", NULL },
	{ "guard.min_source_ratio", CONF_NUMBER, "0.8", 0, 1, NULL,
	  "stop when HiBob returns fewer people than this share of the last run", NULL },
	{ "alert.command", CONF_COMMAND, NULL, 0, 0, NULL,
	  "command run on failure, guard stop or quarantine (details in its environment)", NULL },
	{ "log.level", CONF_LEVEL, "warning", 0, 0, NULL,
	  "how much to log: error, warning, info or debug", NULL },
	{ "log.retention_days", CONF_INT, "90", 1, 3650, NULL,
	  "keep run history and the audit log this many days", NULL },
	{ "http.timeout_seconds", CONF_INT, "120", 5, 3600, NULL,
	  "give up on one request to a service after this many seconds", NULL },
	{ "webhook.listen", CONF_STRING, "", 0, 0, NULL,
	  "daemon: receive HiBob webhooks on ADDRESS:PORT (e.g. 127.0.0.1:8787); empty = off",
	  "(off)" },
	{ "webhook.path", CONF_STRING, "/hibob/webhook", 0, 0, NULL,
	  "the URL path HiBob posts its webhooks to", NULL },
	{ "webhook.roster_minutes", CONF_INT, "15", 0, 1440, NULL,
	  "daemon: an employee webhook runs the roster sync at most this often", NULL },
};

#define NOPT ARRAY_LEN(options)

/* One line of the loaded file. */
struct conf_line {
	char *text;		/* as read, without the line end; owned */
	int opt;		/* index into options[], -1 when none */
	char *key;		/* key as written on a key line (also unknown), else NULL */
	char *comment;		/* inline "# ..." of a key line, else NULL */
};

struct conf {
	char *values[NOPT];	/* set values, NULL = not set; owned */
	unsigned char dirty[NOPT];	/* changed since the file was read */
	struct conf_line *lines;	/* owned */
	size_t nlines;
	unsigned long generation;	/* bumped on every change of a value */
};

/* ---- the table ---- */

const struct conf_option *
conf_options(size_t *n)
{
	if (n != NULL)
		*n = NOPT;
	return options;
}

static int
opt_index(const char *key)
{
	if (key == NULL)
		return -1;
	for (size_t i = 0; i < NOPT; i++)
		if (strcmp(options[i].key, key) == 0)
			return (int)i;
	return -1;
}

const struct conf_option *
conf_find(const char *key)
{
	int i = opt_index(key);
	return i < 0 ? NULL : &options[i];
}

/* What the console's forms call a setting, beside the table so that a
 * row stays one setting's facts; keys not listed are shown as the key. */
static const struct {
	const char *key, *label;
} labels[] = {
	{ "hibob.base_url", "HiBob address" },
	{ "alleo.mode", "Delivery" },
	{ "alleo.scim_url", "SCIM address" },
	{ "alleo.token_url", "Token address" },
	{ "alleo.csv_target", "CSV target" },
	{ "alleo.sftp_key", "SFTP key" },
	{ "alleo.sftp_known_hosts", "known_hosts" },
	{ "alleo.prestart_days", "Prestart days" },
	{ "alleo.budget_fields", "Budget fields" },
	{ "assembled.enabled", "Sync time off" },
	{ "assembled.timeoff_type", "Time-off type" },
	{ "assembled.policy_map", "Policy map" },
	{ "assembled.allow_conflicts", "Allow conflicts" },
	{ "assembled.default_timezone", "Time zone" },
	{ "timeoff.sync_until", "Sync until" },
};

const char *
conf_label(const struct conf_option *o)
{
	if (o == NULL)
		return "";
	for (size_t i = 0; i < ARRAY_LEN(labels); i++)
		if (strcmp(labels[i].key, o->key) == 0)
			return labels[i].label;
	return o->key;
}

const char *
conf_choice(const struct conf_option *o, int i, char *buf, size_t sz)
{
	const char *p = o != NULL && o->type == CONF_ENUM ? o->choices : NULL;

	if (sz == 0)
		return buf;
	buf[0] = '\0';
	while (p != NULL && i > 0) {
		p = strchr(p, '|');
		if (p != NULL)
			p++;
		i--;
	}
	if (p != NULL && i == 0)
		snprintf(buf, sz, "%.*s", (int)strcspn(p, "|"), p);
	return buf;
}

const char *
conf_type_name(enum conf_type t)
{
	switch (t) {
	case CONF_STRING:	return "text";
	case CONF_BOOL:		return "true|false";
	case CONF_INT:		return "integer";
	case CONF_NUMBER:	return "number";
	case CONF_ENUM:		return "choice";
	case CONF_URL:		return "URL";
	case CONF_TIME:		return "HH:MM";
	case CONF_DATE_SPEC:	return "YYYY-MM-DD|+Nd";
	case CONF_TIMEZONE:	return "time zone";
	case CONF_PATH:		return "path";
	case CONF_TARGET:	return "folder|sftp://";
	case CONF_PAIRS:	return "name=value,...";
	case CONF_COMMAND:	return "command";
	case CONF_LEVEL:	return "error|warning|info|debug";
	}
	return "?";
}

/* The known key closest to key within CONF_SUGGEST_MAX edits, or NULL. */
static const char *
suggest_key(const char *key)
{
	const char *best = NULL;
	size_t bestd = CONF_SUGGEST_MAX + 1;

	for (size_t i = 0; i < NOPT; i++) {
		size_t d = str_edit_distance(key, options[i].key, CONF_SUGGEST_MAX);
		if (d < bestd) {
			bestd = d;
			best = options[i].key;
		}
	}
	return best;
}

const char *
conf_suggest(const char *key)
{
	return key != NULL ? suggest_key(key) : NULL;
}

/* Copy text into out for a message: control and non-ASCII-printable bytes
 * of broken input become '?', long text is cut with "...". */
static void
printable(const char *s, size_t len, char *out, size_t outsz)
{
	size_t o = 0, max = outsz - 4;

	for (size_t i = 0; i < len && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o >= max) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[o] = '\0';
}

static bs_rc
fail_unknown(struct bs_error *err, const char *where, const char *key)
{
	char shown[80];
	const char *near = suggest_key(key);

	printable(key, strlen(key), shown, sizeof shown);
	if (near != NULL)
		return bs_fail(err, BS_ERR_CONFIG, "%sunknown setting '%s'; did you mean '%s'?",
		    where, shown, near);
	return bs_fail(err, BS_ERR_CONFIG,
	    "%sunknown setting '%s'; 'bobsync config list' shows every setting", where, shown);
}

/* ---- value checks ---- */

/* 1 when s is valid UTF-8 without control characters. */
static int
text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p;
		size_t n;
		unsigned cp;

		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		if (cp >= 0x80 && cp <= 0x9f)
			return 0;	/* C1 controls */
		p += n + 1;
	}
	return 1;
}

static int
parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (*s == '\0' || strlen(s) > 20)
		return -1;
	for (const char *p = (*s == '-' || *s == '+') ? s + 1 : s; ; p++) {
		if (*p == '\0')
			break;
		if (*p < '0' || *p > '9')
			return -1;
	}
	if ((*s == '-' || *s == '+') && s[1] == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
parse_number(const char *s, double *out)
{
	const char *p = s;
	int digits = 0;
	char *end;
	double v;

	if (*p == '-' || *p == '+')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (digits == 0 || *p != '\0' || strlen(s) > 32)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		if (str_eq_ci(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (str_eq_ci(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

#define DATE_SPEC_MAX_DAYS 3660

int
conf_date_spec_resolve(const char *spec, long long today, long long *days)
{
	int64_t d;
	long long n = 0;
	size_t len;

	if (spec == NULL || days == NULL)
		return -1;
	len = strlen(spec);
	if (len == 10 && spec[0] != '+') {
		if (date_parse(spec, &d) < 0)
			return -1;
		*days = d;
		return 0;
	}
	if (len < 3 || len > 6 || spec[0] != '+' || spec[len - 1] != 'd')
		return -1;
	for (size_t i = 1; i + 1 < len; i++) {
		if (spec[i] < '0' || spec[i] > '9')
			return -1;
		n = n * 10 + (spec[i] - '0');
	}
	if (n > DATE_SPEC_MAX_DAYS)
		return -1;
	*days = today + n;
	return 0;
}

/* Zone names: letters, digits, '_', '+', '-', and '/' between parts; no
 * part starts with '.'; the file must be a TZif file of the zone database
 * (which rejects zone.tab and friends). */
static bs_rc
check_timezone(const char *v, struct bs_error *err)
{
	const char *dir = getenv("TZDIR");
	char path[PATH_MAX];
	char magic[4];
	struct stat st;
	size_t len = strlen(v);
	int fd;
	ssize_t r;

	if (len == 0 || len > 128 || v[0] == '/' || v[len - 1] == '/')
		goto bad;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' || c == '/'))
			goto bad;
		if ((i == 0 || v[i - 1] == '/') && (c == '/' || c == '-' || c == '+'))
			goto bad;
	}
	if (strstr(v, "..") != NULL)
		goto bad;
	if (dir == NULL || dir[0] != '/')
		dir = ZONEINFO_DIR;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, v) >= sizeof path)
		goto bad;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto unknown;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		goto unknown;
	}
	r = read(fd, magic, sizeof magic);
	close(fd);
	if (r != (ssize_t)sizeof magic || memcmp(magic, "TZif", 4) != 0)
		goto unknown;
	return BS_OK;
bad:
	return bs_fail(err, BS_ERR_CONFIG,
	    "not a time zone name; use an IANA name such as Europe/Amsterdam or UTC");
unknown:
	return bs_fail(err, BS_ERR_CONFIG,
	    "unknown time zone; use an IANA name such as Europe/Amsterdam or UTC "
	    "(see %s)", dir);
}

/* sftp://[user@]host[:port]/path/ */
static bs_rc
check_sftp(const char *v, struct bs_error *err)
{
	const char *auth = v + strlen("sftp://");
	const char *slash = strchr(auth, '/');
	const char *host, *at, *colon, *end;
	long port;

	if (slash == NULL || slash == auth)
		return bs_fail(err, BS_ERR_CONFIG, "no host; write sftp://host[:port]/path/");
	for (const char *p = v; *p; p++)
		if (*p == ' ' || *p == '?' || *p == '#' || *p == '\\')
			return bs_fail(err, BS_ERR_CONFIG,
			    "spaces, '?', '#' and '\\' must be percent-encoded in an sftp:// address");
	at = memchr(auth, '@', (size_t)(slash - auth));
	host = auth;
	if (at != NULL) {
		if (memchr(auth, ':', (size_t)(at - auth)) != NULL)
			return bs_fail(err, BS_ERR_CONFIG,
			    "never put a password in the address; use alleo.sftp_key");
		if (at == auth)
			return bs_fail(err, BS_ERR_CONFIG, "empty user name before '@'");
		host = at + 1;
	}
	end = slash;
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(slash - host));
		if (close == NULL || close == host + 1)
			return bs_fail(err, BS_ERR_CONFIG, "malformed [IPv6] host");
		for (const char *p = host + 1; p < close; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			    (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'))
				return bs_fail(err, BS_ERR_CONFIG, "malformed [IPv6] host");
		colon = close + 1 < slash ? close + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return bs_fail(err, BS_ERR_CONFIG, "malformed [IPv6] host");
	} else {
		colon = memchr(host, ':', (size_t)(slash - host));
		if (colon != NULL)
			end = colon;
		if (end == host)
			return bs_fail(err, BS_ERR_CONFIG, "no host; write sftp://host[:port]/path/");
		for (const char *p = host; p < end; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') || *p == '.' || *p == '-'))
				return bs_fail(err, BS_ERR_CONFIG,
				    "the host may hold only letters, digits, '.' and '-'");
	}
	if (colon != NULL) {
		char num[8];
		size_t n = (size_t)(slash - colon - 1);
		if (n == 0 || n >= sizeof num)
			return bs_fail(err, BS_ERR_CONFIG, "the port must be a number from 1 to 65535");
		memcpy(num, colon + 1, n);
		num[n] = '\0';
		if (parse_long(num, &port) < 0 || num[0] == '+' || num[0] == '-' ||
		    port < 1 || port > 65535)
			return bs_fail(err, BS_ERR_CONFIG, "the port must be a number from 1 to 65535");
	}
	if (v[strlen(v) - 1] != '/')
		return bs_fail(err, BS_ERR_CONFIG,
		    "an sftp:// folder must end with '/', e.g. sftp://host/upload/");
	return BS_OK;
}

static bs_rc
check_target(const char *v, struct bs_error *err)
{
	if (v[0] == '/')
		return BS_OK;
	if (strncmp(v, "sftp://", 7) == 0)
		return check_sftp(v, err);
	return bs_fail(err, BS_ERR_CONFIG,
	    "use an absolute folder (/srv/alleo/) or sftp://host[:port]/path/");
}

static int
pairs_count(void *ctx, const char *k, const char *v)
{
	(void)k;
	(void)v;
	++*(size_t *)ctx;
	return 0;
}

struct zone_check {
	struct bs_error *err;
};

static int
check_site_zone(void *ctx, const char *site, const char *zone)
{
	struct zone_check *zc = ctx;
	struct bs_error zerr = { 0 };
	char shown[80];

	if (check_timezone(zone, &zerr) == BS_OK)
		return 0;
	printable(site, strlen(site), shown, sizeof shown);
	bs_fail(zc->err, BS_ERR_CONFIG, "site '%s': %s", shown, zerr.detail);
	return 1;
}

/* Extra rules of single settings, beyond their type. */
static bs_rc
check_special(const struct conf_option *opt, const char *v, struct bs_error *err)
{
	if (strcmp(opt->key, "alleo.csv_name") == 0) {
		static const char pre[] = "alleo_employees_", suf[] = ".csv";
		size_t len = strlen(v);
		if (len < sizeof pre - 1 + sizeof suf - 1 || strncmp(v, pre, sizeof pre - 1) != 0 ||
		    strcmp(v + len - (sizeof suf - 1), suf) != 0)
			return bs_fail(err, BS_ERR_CONFIG,
			    "Alleo picks up only files named alleo_employees_*.csv, "
			    "e.g. alleo_employees_current.csv");
		for (const char *p = v; *p; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '-' || *p == '.'))
				return bs_fail(err, BS_ERR_CONFIG,
				    "a file name of letters, digits, '_', '-' and '.' only");
	} else if (strcmp(opt->key, "alleo.budget_fields") == 0) {
		char *list, *save = NULL, *tok;
		size_t n = 0;
		bs_rc rc = BS_OK;

		if (str_eq_ci(v, "auto") || str_eq_ci(v, "none"))
			return BS_OK;
		list = xstrdup(v);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (*str_trim(tok) != '\0')
				n++;
		free(list);
		/* every comma must separate two names */
		if (n == 0 || v[0] == ',' || v[strlen(v) - 1] == ',' || strstr(v, ",,") != NULL)
			rc = bs_fail(err, BS_ERR_CONFIG,
			    "use auto, none, or HiBob field names separated by commas");
		else
			for (const char *p = v; *p && rc == BS_OK; p++)
				if (*p == ',') {
					const char *q = p + 1;
					while (*q == ' ' || *q == '\t')
						q++;
					if (*q == ',' || *q == '\0')
						rc = bs_fail(err, BS_ERR_CONFIG,
						    "use auto, none, or HiBob field names separated by commas");
				}
		return rc;
	} else if (strcmp(opt->key, "hibob.eligibility_field") == 0) {
		if (*v == '\0')
			return bs_fail(err, BS_ERR_CONFIG,
			    "the name of a HiBob field is needed, normally alleo_access");
	} else if (strcmp(opt->key, "hibob.site_timezones") == 0) {
		struct zone_check zc = { err };
		if (conf_pairs_each(v, check_site_zone, &zc) != 0)
			return BS_ERR_CONFIG;
	}
	return BS_OK;
}

bs_rc
conf_check_value(const struct conf_option *opt, const char *value, struct bs_error *err)
{
	long l;
	double d;
	int b;
	size_t npairs = 0;
	bs_rc rc;

	if (opt == NULL || value == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no setting or no value");
	if (strlen(value) > CONF_VALUE_MAX)
		return bs_fail(err, BS_ERR_CONFIG, "longer than %d bytes", CONF_VALUE_MAX);
	if (!text_ok(value))
		return bs_fail(err, BS_ERR_CONFIG,
		    "contains control characters or invalid UTF-8; one line of plain text is allowed");
	if (*value == '\0' && opt->type != CONF_STRING && opt->type != CONF_PAIRS &&
	    opt->type != CONF_COMMAND)
		return bs_fail(err, BS_ERR_CONFIG,
		    "empty; give a %s, or use 'bobsync config unset %s' for the default",
		    conf_type_name(opt->type), opt->key);

	/* settings of type STRING whose text has a form of its own */
	if (strcmp(opt->key, "webhook.listen") == 0 && *value != '\0') {
		struct sockaddr_storage ss;
		unsigned len;

		if (webhook_parse_listen(value, &ss, &len, err) != 0)
			return BS_ERR_CONFIG;
	}
	if (strcmp(opt->key, "webhook.path") == 0 && (value[0] != '/' || strpbrk(value, " ?#") != NULL))
		return bs_fail(err, BS_ERR_CONFIG, "must be a path starting with / (no spaces, ? or #)");

	switch (opt->type) {
	case CONF_STRING:
	case CONF_COMMAND:
		break;
	case CONF_BOOL:
		if (parse_bool(value, &b) < 0)
			return bs_fail(err, BS_ERR_CONFIG,
			    "must be true or false (yes/no, on/off and 1/0 also work)");
		break;
	case CONF_INT:
		if (parse_long(value, &l) < 0 || (double)l < opt->min || (double)l > opt->max)
			return bs_fail(err, BS_ERR_CONFIG, "must be a whole number from %.0f to %.0f",
			    opt->min, opt->max);
		break;
	case CONF_NUMBER:
		if (parse_number(value, &d) < 0 || d < opt->min || d > opt->max)
			return bs_fail(err, BS_ERR_CONFIG, "must be a number from %g to %g",
			    opt->min, opt->max);
		break;
	case CONF_ENUM: {
		const char *c = opt->choices;
		size_t len = strlen(value);
		int found = 0;
		while (c != NULL && *c && !found) {
			const char *bar = strchr(c, '|');
			size_t n = bar ? (size_t)(bar - c) : strlen(c);
			found = n == len && strncmp(c, value, n) == 0;
			c = bar ? bar + 1 : NULL;
		}
		if (!found) {
			struct strbuf sb;
			sb_init(&sb, 0);
			sb_append(&sb, "", 0);
			for (const char *p = opt->choices ? opt->choices : ""; *p; p++)
				sb_puts(&sb, *p == '|' ? ", " : (char[2]){ *p, '\0' });
			bs_fail(err, BS_ERR_CONFIG, "must be one of: %s", sb.buf);
			sb_clear(&sb);
			return BS_ERR_CONFIG;
		}
		break;
	}
	case CONF_URL: {
		struct bs_error uerr = { 0 };
		for (const char *p = value; *p; p++)
			if (*p == ' ')
				return bs_fail(err, BS_ERR_CONFIG,
				    "an address has no spaces; write https://host/path");
		if (http_check_url(value, &uerr) != BS_OK)
			return bs_fail(err, BS_ERR_CONFIG, "%s", bs_error_text(&uerr));
		break;
	}
	case CONF_TIME:
		if (str_parse_hhmm(value) < 0)
			return bs_fail(err, BS_ERR_CONFIG,
			    "must be a 24-hour time HH:MM, e.g. 02:00 or 17:30");
		break;
	case CONF_DATE_SPEC: {
		long long days;
		if (conf_date_spec_resolve(value, 0, &days) < 0)
			return bs_fail(err, BS_ERR_CONFIG,
			    "must be a date YYYY-MM-DD or +Nd (N days from today, N up to %d)",
			    DATE_SPEC_MAX_DAYS);
		break;
	}
	case CONF_TIMEZONE:
		rc = check_timezone(value, err);
		if (rc != BS_OK)
			return rc;
		break;
	case CONF_PATH:
		if (value[0] != '/')
			return bs_fail(err, BS_ERR_CONFIG,
			    "must be an absolute path, starting with /");
		break;
	case CONF_TARGET:
		rc = check_target(value, err);
		if (rc != BS_OK)
			return rc;
		break;
	case CONF_PAIRS:
		if (conf_pairs_each(value, pairs_count, &npairs) != 0)
			return bs_fail(err, BS_ERR_CONFIG,
			    "must be name=value pairs separated by commas, each name once, "
			    "e.g. a=b,c=d");
		break;
	case CONF_LEVEL:
		if (strcmp(value, "error") != 0 && strcmp(value, "warning") != 0 &&
		    strcmp(value, "info") != 0 && strcmp(value, "debug") != 0)
			return bs_fail(err, BS_ERR_CONFIG, "must be one of: error, warning, info, debug");
		break;
	}
	return check_special(opt, value, err);
}

/* ---- pairs ---- */

struct pair {
	char *k, *v;
};

/* Split value into trimmed pairs; -1 when malformed.  *out owned by caller
 * (one allocation per string, free with pairs_free). */
static int
pairs_split(const char *value, struct pair **out, size_t *n)
{
	const char *p = value;
	struct pair *v = NULL;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	if (value == NULL)
		return 0;
	/* only blanks = no pairs */
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	p = value;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *item = xstrndup(p, len);
		char *eq = strchr(item, '=');
		char *k, *val;

		if (eq == NULL || strchr(eq + 1, '=') != NULL || cnt >= CONF_PAIRS_MAX) {
			free(item);
			goto bad;
		}
		*eq = '\0';
		k = str_trim(item);
		val = str_trim(eq + 1);
		if (*k == '\0' || *val == '\0') {
			free(item);
			goto bad;
		}
		for (size_t i = 0; i < cnt; i++)
			if (str_eq_ci(v[i].k, k)) {
				free(item);
				goto bad;
			}
		v = xreallocarray(v, cnt + 1, sizeof *v);
		v[cnt].k = xstrdup(k);
		v[cnt].v = xstrdup(val);
		cnt++;
		free(item);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*out = v;
	*n = cnt;
	return 0;
bad:
	for (size_t i = 0; i < cnt; i++) {
		free(v[i].k);
		free(v[i].v);
	}
	free(v);
	return -1;
}

int
conf_pairs_each(const char *value, int (*fn)(void *ctx, const char *k, const char *v),
    void *ctx)
{
	struct pair *v;
	size_t n;
	int r = 0;

	if (pairs_split(value, &v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (r == 0 && fn != NULL)
			r = fn(ctx, v[i].k, v[i].v);
		free(v[i].k);
		free(v[i].v);
	}
	free(v);
	return r;
}

/* ---- the conf object ---- */

struct conf *
conf_new(void)
{
	return xcalloc(1, sizeof(struct conf));
}

static void
lines_free(struct conf_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(lines[i].text);
		free(lines[i].key);
		free(lines[i].comment);
	}
	free(lines);
}

static void
conf_clear(struct conf *c)
{
	for (size_t i = 0; i < NOPT; i++)
		FREE(c->values[i]);
	memset(c->dirty, 0, sizeof c->dirty);
	lines_free(c->lines, c->nlines);
	c->lines = NULL;
	c->nlines = 0;
}

void
conf_free(struct conf **c)
{
	if (c == NULL || *c == NULL)
		return;
	conf_clear(*c);
	free(*c);
	*c = NULL;
}

/* Move everything of src into dst (replacing dst's content); src is left
 * empty. */
static void
conf_move(struct conf *dst, struct conf *src)
{
	unsigned long gen = dst->generation;

	conf_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof *src);
	dst->generation = gen + 1;	/* new content: what was built from it is stale */
}

unsigned long
conf_generation(const struct conf *c)
{
	return c != NULL ? c->generation : 0;
}

const char *
conf_get(const struct conf *c, const char *key)
{
	int i = opt_index(key);

	if (i < 0)
		return NULL;
	if (c != NULL && c->values[i] != NULL)
		return c->values[i];
	return options[i].def;
}

int
conf_is_set(const struct conf *c, const char *key)
{
	int i = opt_index(key);
	return c != NULL && i >= 0 && c->values[i] != NULL;
}

int
conf_get_bool(const struct conf *c, const char *key)
{
	const char *v = conf_get(c, key);
	int b = 0;

	if (v == NULL || parse_bool(v, &b) < 0)
		return 0;
	return b;
}

long
conf_get_int(const struct conf *c, const char *key)
{
	const char *v = conf_get(c, key);
	long l = 0;

	if (v == NULL || parse_long(v, &l) < 0)
		return 0;
	return l;
}

double
conf_get_number(const struct conf *c, const char *key)
{
	const char *v = conf_get(c, key);
	double d = 0;

	if (v == NULL || parse_number(v, &d) < 0)
		return 0;
	return d;
}

bs_rc
conf_set(struct conf *c, const char *key, const char *value, struct bs_error *err)
{
	int i = opt_index(key);
	struct bs_error verr = { 0 };

	if (c == NULL || key == NULL || value == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no settings, key or value");
	if (i < 0)
		return fail_unknown(err, "", key);
	if (conf_check_value(&options[i], value, &verr) != BS_OK)
		return bs_fail(err, verr.rc, "%s: %s", key, verr.detail);
	if (c->values[i] == NULL || strcmp(c->values[i], value) != 0)
		c->generation++;
	free(c->values[i]);
	c->values[i] = xstrdup(value);
	c->dirty[i] = 1;
	return BS_OK;
}

bs_rc
conf_unset(struct conf *c, const char *key, struct bs_error *err)
{
	int i = opt_index(key);

	if (c == NULL || key == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no settings or key");
	if (i < 0)
		return fail_unknown(err, "", key);
	if (c->values[i] != NULL)
		c->generation++;
	FREE(c->values[i]);
	c->dirty[i] = 1;
	return BS_OK;
}

bs_rc
conf_update(struct conf *c, const char *path, const char *key, const char *value,
    struct bs_error *err)
{
	int i = opt_index(key), usable = 0;
	struct bs_error verr = { 0 };
	struct conf *file;
	unsigned char old_dirty;
	char *old;
	bs_rc rc;

	if (c == NULL || path == NULL || key == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no settings, file or key");
	if (i < 0)
		return fail_unknown(err, "", key);
	if (value != NULL && (conf_check_value(&options[i], value, &verr) != BS_OK ||
	    conf_check_entry(key, value, clock_now(), &verr) != BS_OK))
		return bs_fail(err, verr.rc, "%s: %s", key, verr.detail);
	/* the in-memory value first, the old one kept to go back to */
	old = c->values[i] != NULL ? xstrdup(c->values[i]) : NULL;
	old_dirty = c->dirty[i];
	rc = value != NULL ? conf_set(c, key, value, err) : conf_unset(c, key, err);
	if (rc != BS_OK) {
		free(old);
		return rc;
	}
	/* the file as it is now (another bobsync or an editor may have changed
	 * it), with this one key changed: never the caller's copy written whole */
	file = conf_new();
	(void)conf_load_lenient(file, path, &usable, err);
	if (!usable)
		rc = err->rc != BS_OK ? err->rc : bs_fail(err, BS_ERR_CONFIG,
		    "bobsync.conf cannot be read back; nothing was saved");
	else {
		memset(err, 0, sizeof *err);
		rc = value != NULL ? conf_set(file, key, value, err) : conf_unset(file, key, err);
		if (rc == BS_OK)
			rc = conf_save(file, path, err);
	}
	conf_free(&file);
	if (rc != BS_OK) {
		/* not saved: the setting is as it was */
		if (old == NULL ? c->values[i] != NULL : !str_eq(old, c->values[i]))
			c->generation++;
		free(c->values[i]);
		c->values[i] = old;
		c->dirty[i] = old_dirty;
		return rc;
	}
	free(old);
	return BS_OK;
}

/* ---- parsing ---- */

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* A trimmed copy of the n bytes at s; caller frees. */
static char *
trimmed_dup(const char *s, size_t n)
{
	char *d = xstrndup(s, n);
	char *t = str_trim(d);

	memmove(d, t, strlen(t) + 1);
	return d;
}

/* Parse the value part of a line (after '='); s is not modified.  Sets
 * *value (caller frees) and *comment ("# ..." or NULL, caller frees).
 * Returns 0, or -1 with a reason in *why. */
static int
parse_value(const char *s, char **value, char **comment, const char **why)
{
	const char *p = s, *end, *cstart = NULL;
	int inq = 0;

	*value = NULL;
	*comment = NULL;
	while (is_blank(*p))
		p++;
	if (*p == '"') {
		/* one quoted string: \" and \\ are the only escapes */
		struct strbuf sb;
		const char *q = p + 1, *r;

		sb_init(&sb, 0);
		sb_append(&sb, "", 0);
		for (; *q && *q != '"'; q++) {
			if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
				q++;
			sb_append(&sb, q, 1);
		}
		if (*q == '"') {
			for (r = q + 1; is_blank(*r); r++)
				;
			if (*r == '\0' || (*r == '#' && r > q + 1)) {
				if (*r == '#')
					*comment = trimmed_dup(r, strlen(r));
				*value = sb_detach(&sb);
				return 0;
			}
		}
		sb_clear(&sb);
		/* not one quoted string: read it as plain text below */
	}
	for (end = p; *end; end++) {
		if (*end == '"') {
			inq = !inq;
		} else if (!inq && *end == '#' && (end == p || is_blank(end[-1]))) {
			cstart = end;
			break;
		}
	}
	if (inq) {
		*why = "unterminated quote; close it with \" or put the whole value in quotes";
		return -1;
	}
	*value = trimmed_dup(p, (size_t)(end - p));
	if (cstart != NULL)
		*comment = trimmed_dup(cstart, strlen(cstart));
	return 0;
}

/* How a value is written: bare when reading it back gives it unchanged,
 * else in double quotes with \" and \\ escaped.  Caller frees. */
static char *
format_value(const char *v)
{
	struct strbuf sb;
	char *back = NULL, *comment = NULL;
	const char *why;
	int bare;

	bare = *v != '\0' && parse_value(v, &back, &comment, &why) == 0 &&
	    comment == NULL && strcmp(back, v) == 0;
	free(back);
	free(comment);
	if (bare)
		return xstrdup(v);
	sb_init(&sb, 0);
	sb_puts(&sb, "\"");
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_append(&sb, "\\", 1);
		sb_append(&sb, p, 1);
	}
	sb_puts(&sb, "\"");
	return sb_detach(&sb);
}

static void
add_line(struct conf *c, const char *text, size_t len, int opt, const char *key,
    const char *comment)
{
	struct conf_line *l;

	c->lines = xreallocarray(c->lines, c->nlines + 1, sizeof *c->lines);
	l = &c->lines[c->nlines++];
	l->text = xstrndup(text, len);
	l->opt = opt;
	l->key = xstrdup(key);
	l->comment = xstrdup(comment);
}

/* Parse text into the empty conf t.  Strict: stop at the first problem.
 * Lenient (repair): record the first problem in err but go on, keeping bad
 * lines as they are; only problems that make the text unusable stop it. */
static bs_rc
parse_into(struct conf *t, const char *text, size_t len, const char *name, int lenient,
    int *fatal, struct bs_error *err)
{
	size_t lineno = 0, pos = 0;
	size_t first_line[NOPT] = { 0 };
	bs_rc first = BS_OK;
	char where[300];
	char shown_name[200];

	*fatal = 1;
	printable(name ? name : "bobsync.conf", SIZE_MAX, shown_name, sizeof shown_name);
	if (text == NULL)
		len = 0;
	if (len > CONF_FILE_MAX)
		return bs_fail(err, BS_ERR_CONFIG, "%s: larger than 1 MiB; is it the right file?",
		    shown_name);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;	/* a UTF-8 byte order mark from a Windows editor */

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		char *buf = NULL, *s, *eq, *key, *value = NULL, *comment = NULL;
		const char *why = NULL;
		struct bs_error verr = { 0 };
		bs_rc rc = BS_OK;
		int i = -1;

		pos += llen + (nl ? 1 : 0);
		lineno++;
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (llen > CONF_LINE_MAX)
			return bs_fail(err, BS_ERR_CONFIG, "%s:%zu: line longer than %d bytes",
			    shown_name, lineno, CONF_LINE_MAX);
		if (memchr(line, '\0', llen) != NULL)
			return bs_fail(err, BS_ERR_CONFIG,
			    "%s:%zu: contains a NUL byte; is it a text file?", shown_name, lineno);
		snprintf(where, sizeof where, "%s:%zu: ", shown_name, lineno);

		buf = xstrndup(line, llen);
		s = str_trim(buf);
		if (*s == '\0' || *s == '#') {
			add_line(t, line, llen, -1, NULL, NULL);
			free(buf);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			char shown[60];
			printable(s, strlen(s), shown, sizeof shown);
			rc = bs_fail(lenient ? &verr : err, BS_ERR_CONFIG,
			    "%s%s: no '=' here; write key = value, or start a comment with #",
			    where, shown);
			add_line(t, line, llen, -1, NULL, NULL);
			goto next;
		}
		*eq = '\0';
		key = str_trim(s);
		if (*key == '\0') {
			rc = bs_fail(lenient ? &verr : err, BS_ERR_CONFIG,
			    "%sa value without a key; write key = value", where);
			add_line(t, line, llen, -1, NULL, NULL);
			goto next;
		}
		i = opt_index(key);
		if (i < 0) {
			rc = fail_unknown(lenient ? &verr : err, where, key);
			add_line(t, line, llen, -1, key, NULL);
			goto next;
		}
		if (parse_value(eq + 1, &value, &comment, &why) < 0) {
			rc = bs_fail(lenient ? &verr : err, BS_ERR_CONFIG, "%s%s: %s", where, key, why);
			add_line(t, line, llen, i, key, NULL);
			goto next;
		}
		add_line(t, line, llen, i, key, comment);
		if (first_line[i] != 0) {
			rc = bs_fail(lenient ? &verr : err, BS_ERR_CONFIG,
			    "%s%s: set twice (first on line %zu); keep one of the lines",
			    where, key, first_line[i]);
			goto next;
		}
		first_line[i] = lineno;
		if (conf_check_value(&options[i], value, &verr) != BS_OK) {
			char detail[BS_ERROR_DETAIL_MAX];
			snprintf(detail, sizeof detail, "%s", verr.detail);
			rc = bs_fail(lenient ? &verr : err, BS_ERR_CONFIG, "%s%s: %s", where, key,
			    detail);
			goto next;
		}
		t->values[i] = value;
		value = NULL;
next:
		free(value);
		free(comment);
		free(buf);
		if (rc != BS_OK) {
			if (!lenient)
				return rc;
			if (first == BS_OK) {
				first = rc;
				if (err != NULL)
					*err = verr;
			}
		}
	}
	*fatal = 0;
	return first;
}

bs_rc
conf_parse(struct conf *c, const char *text, size_t len, const char *name, struct bs_error *err)
{
	struct conf t = { 0 };
	int fatal;
	bs_rc rc;

	if (c == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no settings");
	rc = parse_into(&t, text, len, name, 0, &fatal, err);
	if (rc != BS_OK) {
		conf_clear(&t);
		return rc;
	}
	conf_move(c, &t);
	return BS_OK;
}

bs_rc
conf_parse_lenient(struct conf *c, const char *text, size_t len, const char *name,
    int *usable, struct bs_error *err)
{
	struct conf t = { 0 };
	int fatal;
	bs_rc rc;

	if (usable != NULL)
		*usable = 0;
	if (c == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no settings");
	rc = parse_into(&t, text, len, name, 1, &fatal, err);
	if (fatal) {
		/* parsing stopped early: writing this back would lose lines */
		conf_clear(&t);
		return rc;
	}
	if (usable != NULL)
		*usable = 1;
	conf_move(c, &t);
	return rc;
}

/* Read the file, refusing one that others may write (alert.command runs
 * whatever the file says).  *text NULL when the file does not exist. */
static bs_rc
read_conf_file(const char *path, char **text, size_t *len, struct bs_error *err)
{
	int fd;
	bs_rc rc = BS_OK;

	*text = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return BS_OK;
		if (errno == ELOOP)
			return bs_fail(err, BS_ERR_CONFIG, "the settings file %s is a symbolic link; "
			    "put the real file there (and run: chmod 600 %s)", path, path);
		return bs_fail(err, BS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
	}
	/* owned by us or root, writable by no one else (alert.command runs
	 * whatever the file says) */
	rc = paths_check_file_fd(fd, "the settings file", path, 0, err);
	if (rc != BS_OK)
		goto out;
	rc = util_read_fd(fd, path, CONF_FILE_MAX, text, len, err);
	if (rc == BS_ERR_TOO_LARGE)
		rc = bs_fail(err, BS_ERR_CONFIG, "%s: larger than 1 MiB; is it the right file?", path);
out:
	close(fd);
	return rc;
}

bs_rc
conf_load(struct conf *c, const char *path, struct bs_error *err)
{
	char *text;
	size_t len;
	bs_rc rc;

	if (c == NULL || path == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no settings or path");
	rc = read_conf_file(path, &text, &len, err);
	if (rc != BS_OK)
		return rc;
	rc = conf_parse(c, text ? text : "", len, path, err);
	free(text);
	return rc;
}

bs_rc
conf_load_lenient(struct conf *c, const char *path, int *usable, struct bs_error *err)
{
	char *text;
	size_t len;
	bs_rc rc;

	*usable = 0;
	if (c == NULL || path == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no settings or path");
	rc = read_conf_file(path, &text, &len, err);
	if (rc != BS_OK)
		return rc;
	rc = conf_parse_lenient(c, text ? text : "", len, path, usable, err);
	free(text);
	return rc;
}

int
conf_drop_lines(struct conf *c, const char *key)
{
	size_t o = 0;
	int dropped = 0;

	if (c == NULL || key == NULL)
		return 0;
	for (size_t i = 0; i < c->nlines; i++) {
		struct conf_line *l = &c->lines[i];
		if (l->opt < 0 && l->key != NULL && strcmp(l->key, key) == 0) {
			dropped++;
			free(l->text);
			free(l->key);
			/* an inline comment stays, as a line of its own */
			l->text = l->comment;
			l->key = NULL;
			l->comment = NULL;
			l->opt = -1;
			if (l->text == NULL)
				continue;
		}
		c->lines[o++] = *l;
	}
	c->nlines = o;
	return dropped;
}

/* ---- writing ---- */

static void
emit_setting(struct strbuf *sb, int i, const char *value, const char *comment)
{
	char *v = format_value(value);
	size_t len = strlen(options[i].key) + 3 + strlen(v);

	if (comment != NULL && len + 1 + strlen(comment) > CONF_LINE_MAX) {
		/* too long for one line: the comment goes on the line above */
		sb_printf(sb, "%s\n", comment);
		comment = NULL;
	}
	sb_printf(sb, "%s = %s%s%s\n", options[i].key, v, comment ? " " : "",
	    comment ? comment : "");
	free(v);
}

char *
conf_format(const struct conf *c)
{
	struct strbuf sb;
	unsigned char written[NOPT] = { 0 };

	sb_init(&sb, 0);
	sb_append(&sb, "", 0);
	if (c == NULL)
		return sb_detach(&sb);
	if (c->nlines == 0)
		sb_puts(&sb, "# bobsync settings: 'bobsync config list' shows them all with help.\n");
	for (size_t k = 0; k < c->nlines; k++) {
		const struct conf_line *l = &c->lines[k];
		int i = l->opt;

		if (i < 0 || !c->dirty[i]) {
			sb_printf(&sb, "%s\n", l->text);
			if (i >= 0)
				written[i] = 1;
			continue;
		}
		/* a changed setting: its first line gets the new value, other
		 * lines of it go; comments stay */
		if (!written[i] && c->values[i] != NULL) {
			emit_setting(&sb, i, c->values[i], l->comment);
			written[i] = 1;
		} else if (l->comment != NULL) {
			sb_printf(&sb, "%s\n", l->comment);
		}
	}
	for (size_t i = 0; i < NOPT; i++)
		if (c->values[i] != NULL && !written[i])
			emit_setting(&sb, (int)i, c->values[i], NULL);
	return sb_detach(&sb);
}

bs_rc
conf_save(const struct conf *c, const char *path, struct bs_error *err)
{
	char *text;
	bs_rc rc;

	if (c == NULL || path == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no settings or path");
	text = conf_format(c);
	rc = util_write_atomic(path, text, strlen(text), 0600, err);
	free(text);
	return rc;
}

bs_rc
conf_check_entry(const char *key, const char *value, long long now, struct bs_error *err)
{
	long long today = (now >= 0 ? now : now - 86399) / 86400, until;

	if (str_eq(key, "timeoff.sync_until") && !str_empty(value) &&
	    conf_date_spec_resolve(value, today, &until) == 0 && until < today)
		return bs_fail(err, BS_ERR_CONFIG, "%s is in the past: nothing would sync from "
		    "now on (give a later date, or +Nd for N days from today)", value);
	return BS_OK;
}
