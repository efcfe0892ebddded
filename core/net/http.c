/* http.c - the libcurl transport: hardened options, retries, pacing, stats.
 *
 * One easy handle per client, reset (not recreated) before every request so
 * its connection cache and TLS sessions survive for the whole run.  Every
 * wait (retry backoff, pacing) goes through the injected clock, in slices of
 * at most SLEEP_SLICE_MS so the cancel hook is honoured promptly.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "net/http.h"
#include "base/log.h"
#include "base/util.h"

#ifndef BOBSYNC_VERSION
#define BOBSYNC_VERSION "dev"
#endif

#define SLEEP_SLICE_MS	200
#define HDR_VALUE_MAX	256	/* captured response header values */
#define EXCERPT_MAX	200	/* body excerpt in error details */
#define EXCERPT_WINDOW	8192	/* bytes of body masked before cutting the excerpt */
#define MAX_PACES	32
#define SYSTEM_CA_DIR	"/etc/ssl/certs"

struct pace_bucket {
	char name[48];
	double tokens;		/* may go negative: requests that reserved a slot */
	double rate;		/* tokens per ms */
	double burst;
	int64_t last_ms;
};

/* What the options set on the handle once for a kind of request follow
 * from (setup_handle); compared whole, so zeroed before it is filled. */
struct handle_key {
	int loopback_http, loopback;
	int fresh;		/* FRESH_CONNECT: a write that may not be repeated */
	int sized;		/* MAXFILESIZE set (the answer is not streamed) */
	curl_off_t max;		/* its value */
	int auth;		/* 0 none, 1 Basic, 2 Bearer */
	int method;		/* method_index */
	int body;		/* POSTFIELDS sent (a method from POST on) */
};

struct http_client {
	CURL *curl;		/* owned, reused for the run */
	struct handle_key key;	/* the kind of request the handle is set for */
	int key_valid;		/* 0: reset it and set every option */
	/* the credentials the last request registered for masking: a keyed
	 * hash of them (no copy kept), valid while the log's epoch holds */
	unsigned char cred_key[crypto_shorthash_KEYBYTES];
	unsigned char cred_tag[crypto_shorthash_BYTES];
	unsigned long cred_epoch;
	int cred_known;
	struct http_options o;	/* ca_file and user_agent point at the copies below */
	char *ca_file;		/* owned copy or NULL */
	char *user_agent;	/* owned copy */
	char *ca_dir;		/* owned; system CA folder that ca_file adds to, NULL = none */
	struct http_clock clock;
	http_cancel_fn cancel;
	void *cancel_ctx;
	struct pace_bucket paces[MAX_PACES];
	size_t npaces;
	struct http_stats stats;
	http_answer_fn answer_fn;	/* NULL unless an answer recorder is attached */
	void *answer_ctx;
};

/* State of one attempt, shared with the curl callbacks. */
struct xfer {
	struct http_client *c;
	struct strbuf body;
	size_t max;
	unsigned long long received;	/* bytes seen by the write callback */
	int too_large;
	int cancelled;
	/* the thread's hook may stop this transfer midway: the request is
	 * safe to send again; a create runs to its answer, so its sender
	 * learns what it did, and the cancel is seen before the next one */
	int thread_abortable;
	const struct http_request *req;
	int streaming;		/* -1 not yet known, 0 buffered, 1 to req->sink */
	int sink_rc;		/* what the sink returned when it stopped */
	char retry_after[HDR_VALUE_MAX];
	char ratelimit_reset[HDR_VALUE_MAX];
	char ratelimit_remaining[HDR_VALUE_MAX];
};

/* ---- default clock ---- */

static int64_t
default_now_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
default_sleep_ms(void *ctx, int64_t ms)
{
	struct timespec ts;

	(void)ctx;
	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static uint32_t
default_random(void *ctx)
{
	(void)ctx;
	return randombytes_uniform(UINT32_MAX);
}

/* ---- client ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct http_client *
http_client_new(const struct http_options *opts, const struct http_clock *clock)
{
	struct http_client *c = xcalloc(1, sizeof *c);
	struct stat st;

	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		fprintf(stderr, "bobsync: libcurl initialisation failed: %s\n",
		    curl_easy_strerror(curl_init_rc));
		abort();
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "bobsync: libsodium initialisation failed\n");
		abort();
	}
	if (opts != NULL)
		c->o = *opts;
	if (c->o.connect_timeout_ms <= 0)
		c->o.connect_timeout_ms = 10000;
	if (c->o.total_timeout_ms <= 0)
		c->o.total_timeout_ms = 120000;
	if (c->o.low_speed_time_s <= 0)
		c->o.low_speed_time_s = 30;
	if (c->o.max_body == 0)
		c->o.max_body = (size_t)256 << 20;
	if (c->o.max_attempts <= 0)
		c->o.max_attempts = 5;
	if (c->o.max_total_wait_ms <= 0)
		c->o.max_total_wait_ms = 300000;
	if (c->o.backoff_base_ms <= 0)
		c->o.backoff_base_ms = 1000;
	if (c->o.backoff_cap_ms <= 0)
		c->o.backoff_cap_ms = 60000;
	c->ca_file = str_empty(c->o.ca_file) ? NULL : xstrdup(c->o.ca_file);
	c->user_agent = xstrdup(str_empty(c->o.user_agent) ?
	    "bobsync/" BOBSYNC_VERSION : c->o.user_agent);
	c->o.ca_file = c->ca_file;
	c->o.user_agent = c->user_agent;
	if (stat(SYSTEM_CA_DIR, &st) == 0 && S_ISDIR(st.st_mode))
		c->ca_dir = xstrdup(SYSTEM_CA_DIR);

	if (clock != NULL && clock->now_ms && clock->sleep_ms && clock->random) {
		c->clock = *clock;
	} else {
		c->clock.now_ms = default_now_ms;
		c->clock.sleep_ms = default_sleep_ms;
		c->clock.random = default_random;
		c->clock.ctx = NULL;
	}
	randombytes_buf(c->cred_key, sizeof c->cred_key);
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		fprintf(stderr, "bobsync: out of memory (curl handle)\n");
		abort();
	}
	return c;
}

void
http_client_free(struct http_client **pc)
{
	struct http_client *c;

	if (pc == NULL || *pc == NULL)
		return;
	c = *pc;
	curl_easy_cleanup(c->curl);
	sodium_memzero(c->cred_key, sizeof c->cred_key);
	free(c->ca_file);
	free(c->user_agent);
	free(c->ca_dir);
	free(c);
	*pc = NULL;
}

void
http_set_system_ca_dir(struct http_client *c, const char *dir)
{
	if (c == NULL)
		return;
	free(c->ca_dir);
	c->ca_dir = str_empty(dir) ? NULL : xstrdup(dir);
	c->key_valid = 0;	/* CAPATH is set again with the next request */
}

void
http_set_answer_hook(struct http_client *c, http_answer_fn fn, void *ctx)
{
	if (c == NULL)
		return;
	c->answer_fn = fn;
	c->answer_ctx = ctx;
}

void
http_set_cancel(struct http_client *c, http_cancel_fn fn, void *ctx)
{
	if (c == NULL)
		return;
	c->cancel = fn;
	c->cancel_ctx = ctx;
}

/* The calling thread's hook (http_set_thread_cancel): asked by every
 * client, so a job's transfers stop whichever client makes them. */
static _Thread_local http_cancel_fn thread_cancel;
static _Thread_local void *thread_cancel_ctx;

void
http_set_thread_cancel(http_cancel_fn fn, void *ctx)
{
	thread_cancel = fn;
	thread_cancel_ctx = fn != NULL ? ctx : NULL;
}

static int
thread_cancelled(void)
{
	return thread_cancel != NULL && thread_cancel(thread_cancel_ctx) != 0;
}

static int
is_cancelled(struct http_client *c, int thread_hook)
{
	return (c->cancel != NULL && c->cancel(c->cancel_ctx) != 0) ||
	    (thread_hook && thread_cancelled());
}

/* Sleep ms through the injected clock in short slices; -1 when cancelled. */
static int
wait_ms(struct http_client *c, int64_t ms, int thread_hook)
{
	while (ms > 0) {
		int64_t s = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
		if (is_cancelled(c, thread_hook))
			return -1;
		c->clock.sleep_ms(c->clock.ctx, s);
		ms -= s;
	}
	return is_cancelled(c, thread_hook) ? -1 : 0;
}

/* ---- pacing ---- */

static struct pace_bucket *
pace_find(struct http_client *c, const char *name)
{
	for (size_t i = 0; i < c->npaces; i++)
		if (strcmp(c->paces[i].name, name) == 0)
			return &c->paces[i];
	return NULL;
}

void
http_set_pace(struct http_client *c, const char *pace_class, unsigned limit,
    int64_t window_ms, unsigned burst)
{
	struct pace_bucket *b;

	if (c == NULL || str_empty(pace_class))
		return;
	b = pace_find(c, pace_class);
	if (limit == 0 || window_ms <= 0) {	/* no pacing for this class */
		if (b != NULL) {
			*b = c->paces[c->npaces - 1];
			c->npaces--;
		}
		return;
	}
	if (b == NULL) {
		if (c->npaces == MAX_PACES) {
			log_warn("http: too many pace classes, '%s' is not paced", pace_class);
			return;
		}
		b = &c->paces[c->npaces++];
		snprintf(b->name, sizeof b->name, "%s", pace_class);
	}
	b->rate = (double)limit / (double)window_ms;
	b->burst = burst > 0 ? burst : 1;
	b->tokens = b->burst;
	b->last_ms = c->clock.now_ms(c->clock.ctx);
}

/* Take a token from the class's bucket, waiting for it when none is left.
 * A request that finds the bucket empty reserves the next token (the count
 * goes negative) and waits until it is due, so the wait never depends on
 * the clock moving during the sleep. */
static int
pace_take(struct http_client *c, const char *pace_class, int thread_hook)
{
	struct pace_bucket *b;
	int64_t now, wait;

	if (pace_class == NULL || (b = pace_find(c, pace_class)) == NULL)
		return 0;
	now = c->clock.now_ms(c->clock.ctx);
	if (now > b->last_ms) {
		b->tokens += (double)(now - b->last_ms) * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last_ms = now;
	}
	b->tokens -= 1.0;
	if (b->tokens >= 0)
		return 0;
	wait = (int64_t)(-b->tokens / b->rate + 0.999);
	log_debug("http: pacing %s, waiting %lld ms", pace_class, (long long)wait);
	return wait_ms(c, wait, thread_hook);
}

/* ---- stats ---- */

static struct http_class_stats *
stats_class(struct http_client *c, const char *pace_class)
{
	const char *name = str_empty(pace_class) ? "other" : pace_class;
	struct http_stats *s = &c->stats;

	for (size_t i = 0; i < s->nclasses; i++)
		if (strncmp(s->classes[i].name, name, sizeof s->classes[i].name - 1) == 0)
			return &s->classes[i];
	if (s->nclasses == ARRAY_LEN(s->classes))
		return NULL;	/* counted in the totals only */
	snprintf(s->classes[s->nclasses].name, sizeof s->classes[0].name, "%s", name);
	return &s->classes[s->nclasses++];
}

void
http_get_stats(const struct http_client *c, struct http_stats *out)
{
	if (out == NULL)
		return;
	if (c == NULL) {
		memset(out, 0, sizeof *out);
		return;
	}
	*out = c->stats;
}

void
http_reset_stats(struct http_client *c)
{
	if (c != NULL)
		memset(&c->stats, 0, sizeof c->stats);
}

/* ---- URL checks ---- */

static int
host_is_loopback(const char *host)
{
	unsigned char a4[4], a6[16];
	static const unsigned char v6_loop[16] = { [15] = 1 };
	char buf[64];
	size_t n = strlen(host);

	/* libcurl answers "localhost" itself; "localhost." (the root-anchored
	 * form) goes to DNS, which can say anything: not loopback */
	if (str_eq_ci(host, "localhost"))
		return 1;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		if (n - 2 >= sizeof buf)
			return 0;
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		return inet_pton(AF_INET6, buf, a6) == 1 && memcmp(a6, v6_loop, 16) == 0;
	}
	if (inet_pton(AF_INET6, host, a6) == 1)
		return memcmp(a6, v6_loop, 16) == 0;
	if (inet_pton(AF_INET, host, a4) == 1)
		return a4[0] == 127;
	return 0;
}

/* Parse url; on success *scheme and *host are set (caller frees with
 * curl_free) and 0 is returned. */
static int
url_parts(const char *url, char **scheme, char **host, char **path)
{
	CURLU *u = curl_url();
	int rc = -1;

	*scheme = *host = NULL;
	if (path)
		*path = NULL;
	if (u == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK)
		goto out;
	if (path && curl_url_get(u, CURLUPART_PATH, path, 0) != CURLUE_OK)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		curl_free(*scheme);
		curl_free(*host);
		*scheme = *host = NULL;
	}
	curl_url_cleanup(u);
	return rc;
}

static int
ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* http_url_quick, with the host it read copied into host (256 bytes) when
 * the answer is 0 or 1. */
static int
url_quick_host(const char *url, char host[256])
{
	unsigned char a4[4];
	const char *p, *h;
	size_t hlen;
	int https, name;

	if (url == NULL)
		return -1;
	if (strncasecmp(url, "https://", 8) == 0) {
		https = 1;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		https = 0;
		p = url + 7;
	} else {
		return -1;
	}
	for (h = p; ascii_letter(*p) || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'; p++)
		;
	hlen = (size_t)(p - h);
	if (hlen == 0 || hlen >= 256)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	/* a name (a letter first: never a number libcurl would read as an
	 * address) or a dotted address as inet_pton reads it (four decimal
	 * parts, no leading zeros: libcurl reads the same address) */
	name = ascii_letter(host[0]);
	if (!name && inet_pton(AF_INET, host, a4) != 1)
		return -1;
	if (*p == ':') {
		long port = 0;
		const char *d = ++p;
		for (; *p >= '0' && *p <= '9' && p - d < 5; p++)
			port = port * 10 + (*p - '0');
		if (p == d || *d == '0' || port > 65535)
			return -1;
	}
	if (*p != '\0' && *p != '/')
		return -1;
	for (; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\')
			return -1;
	if (https)
		return 0;
	if (name)
		return str_eq_ci(host, "localhost") ? 1 : -1;
	return a4[0] == 127 ? 1 : -1;
}

int
http_url_quick(const char *url)
{
	char host[256];

	return url_quick_host(url, host);
}

/* 1 when http:// to loopback, 0 for https, -1 (err filled) otherwise;
 * *loopback (may be NULL) tells whether the host is a loopback one. */
static int
classify_url(const char *url, int *loopback, struct bs_error *err)
{
	char *scheme = NULL, *host = NULL, quick[256];
	int rc = -1;

	if (str_empty(url)) {
		bs_fail(err, BS_ERR_INSECURE_URL, "no URL given");
		return -1;
	}
	for (const char *p = url; *p; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			bs_fail(err, BS_ERR_INSECURE_URL,
			    "the URL contains a space or control character");
			return -1;
		}
	}
	/* the plain forms without libcurl, which a command that only reads
	 * its settings then never loads (core/net/lazylib.c) */
	rc = url_quick_host(url, quick);
	if (rc >= 0) {
		/* the host libcurl would give: a plain name or dotted address */
		if (loopback != NULL)
			*loopback = host_is_loopback(quick);
		return rc;
	}
	if (url_parts(url, &scheme, &host, NULL) != 0) {
		char *m = log_mask(url);
		bs_fail(err, BS_ERR_INSECURE_URL, "'%.200s' is not a valid https:// URL", m);
		free(m);
		return -1;
	}
	if (str_eq_ci(scheme, "https")) {
		rc = 0;
	} else if (str_eq_ci(scheme, "http")) {
		if (host_is_loopback(host))
			rc = 1;
		else
			bs_fail(err, BS_ERR_INSECURE_URL, "plain http:// is only allowed for "
			    "loopback test servers; use https:// (host %.100s)", host);
	} else {
		bs_fail(err, BS_ERR_INSECURE_URL, "unsupported URL scheme '%.20s': use https://",
		    scheme);
	}
	if (rc >= 0 && loopback != NULL)
		*loopback = host_is_loopback(host);
	curl_free(scheme);
	curl_free(host);
	return rc;
}

bs_rc
http_check_url(const char *url, struct bs_error *err)
{
	return classify_url(url, NULL, err) < 0 ? BS_ERR_INSECURE_URL : BS_OK;
}

/* ---- wait hints ---- */

/* Non-negative decimal integer filling the whole string (surrounding
 * blanks allowed); saturates at INT64_MAX / 1000.  0 ok, -1 garbage. */
static int
parse_count(const char *s, int64_t *out, int allow_minus, int allow_frac, int64_t *frac_ms)
{
	int64_t v = 0;
	int neg = 0, digits = 0;

	*frac_ms = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' && allow_minus) {
		neg = 1;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (v < INT64_MAX / 1000 / 10)
			v = v * 10 + (*s - '0');
		else
			v = INT64_MAX / 1000;
	}
	if (digits == 0)
		return -1;
	if (*s == '.' && allow_frac) {
		int64_t scale = 100;
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			*frac_ms += (*s - '0') * scale;
			scale /= 10;
		}
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0')
		return -1;
	*out = neg ? -v : v;
	if (neg)
		*frac_ms = -*frac_ms;
	return 0;
}

static int
month_index(const char *m)
{
	static const char *const names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	for (int i = 0; i < 12; i++)
		if (strncmp(m, names[i], 3) == 0)
			return i + 1;
	return 0;
}

/* HTTP-date (RFC 9110 5.6.7): IMF-fixdate, obsolete RFC 850 and asctime
 * forms.  0 and *t (unix seconds) or -1. */
static int
parse_http_date(const char *s, int64_t *t)
{
	char wk[16], mon[4], zone[4];
	int d, y, hh, mm, ss, n = 0, mi;

	if (strlen(s) > 64)
		return -1;
	if (sscanf(s, "%15[A-Za-z], %2d %3s %4d %2d:%2d:%2d %3s%n",
	    wk, &d, mon, &y, &hh, &mm, &ss, zone, &n) == 8 && n > 0) {
		/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
	} else if (n = 0, sscanf(s, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d %3s%n",
	    wk, &d, mon, &y, &hh, &mm, &ss, zone, &n) == 8 && n > 0) {
		/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit year) */
		y += y < 70 ? 2000 : 1900;
	} else if (n = 0, sscanf(s, "%15[A-Za-z] %3s %2d %2d:%2d:%2d %4d%n",
	    wk, mon, &d, &hh, &mm, &ss, &y, &n) == 7 && n > 0) {
		/* asctime: Sun Nov  6 08:49:37 1994 */
		snprintf(zone, sizeof zone, "GMT");
	} else {
		return -1;
	}
	while (s[n] == ' ' || s[n] == '\t')
		n++;
	if (s[n] != '\0' || strcmp(zone, "GMT") != 0)
		return -1;
	mi = month_index(mon);
	if (mi == 0 || d < 1 || d > 31 || y < 1970 || y > 9999 || hh > 23 || mm > 59 ||
	    ss > 60 || hh < 0 || mm < 0 || ss < 0)
		return -1;
	*t = days_from_civil(y, (unsigned)mi, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}

static int64_t
secs_to_ms(int64_t secs, int64_t frac_ms)
{
	int64_t ms;

	if (secs <= 0 && frac_ms <= 0)
		return 0;
	if (secs > INT64_MAX / 1000 - 1000)
		secs = INT64_MAX / 1000 - 1000;
	ms = secs * 1000 + frac_ms;
	return ms < 0 ? 0 : ms;
}

static int64_t
retry_after_ms(const char *v, int64_t now_unix)
{
	int64_t n, frac, t;

	if (str_empty(v))
		return -1;
	if (parse_count(v, &n, 1, 0, &frac) == 0)
		return secs_to_ms(n, 0);
	if (parse_http_date(v, &t) == 0)
		return secs_to_ms(t - now_unix, 0);
	return -1;
}

static int64_t
ratelimit_reset_ms(const char *v, int64_t now_unix)
{
	int64_t n, frac;

	if (str_empty(v) || parse_count(v, &n, 1, 1, &frac) != 0)
		return -1;
	if (n > 1000000000)	/* epoch seconds */
		return secs_to_ms(n - now_unix, frac);
	return secs_to_ms(n, frac);
}

int64_t
http_wait_hint_ms(const char *retry_after, const char *ratelimit_reset, int64_t now_unix)
{
	int64_t a = retry_after_ms(retry_after, now_unix);
	int64_t b = ratelimit_reset_ms(ratelimit_reset, now_unix);

	return a > b ? a : b;
}

/* ---- curl callbacks ---- */

static int status_accepted(const struct http_request *req, long status);

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;

	x->received += n;
	if (x->streaming < 0) {
		/* the first piece: the status line and headers are in */
		long status = 0;
		if (curl_easy_getinfo(x->c->curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
			status = 0;
		x->streaming = status_accepted(x->req, status);
	}
	if (x->streaming) {
		int r = x->req->sink(x->req->sink_ctx, ptr, n);
		if (r != 0) {
			x->sink_rc = r;
			return 0;
		}
		/* check --record sees the answer too, as far as the cap goes */
		if (x->c->answer_fn != NULL && !x->too_large && sb_append(&x->body, ptr, n) != 0)
			x->too_large = 1;
		return n;
	}
	if (x->too_large || sb_append(&x->body, ptr, n) != 0) {
		x->too_large = 1;
		return 0;	/* makes curl fail with CURLE_WRITE_ERROR */
	}
	return n;
}

static void
capture(char *dst, const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
	    v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len >= HDR_VALUE_MAX)
		len = HDR_VALUE_MAX - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static int
header_is(const char *line, size_t len, const char *name, size_t *vstart)
{
	size_t n = strlen(name);

	if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
		return 0;
	*vstart = n + 1;
	return 1;
}

static size_t
header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nitems, v;

	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue): forget the previous one */
		x->retry_after[0] = x->ratelimit_reset[0] = x->ratelimit_remaining[0] = '\0';
	} else if (header_is(buf, len, "Retry-After", &v)) {
		capture(x->retry_after, buf + v, len - v);
	} else if (header_is(buf, len, "X-RateLimit-Reset", &v)) {
		capture(x->ratelimit_reset, buf + v, len - v);
	} else if (header_is(buf, len, "X-RateLimit-Remaining", &v)) {
		capture(x->ratelimit_remaining, buf + v, len - v);
	}
	return len;
}

static int
xferinfo_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct xfer *x = userdata;

	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	if ((x->c->cancel != NULL && x->c->cancel(x->c->cancel_ctx) != 0) ||
	    (x->thread_abortable && thread_cancelled())) {
		x->cancelled = 1;
		return 1;
	}
	return 0;
}

/* ---- request setup ---- */

static int
has_crlf(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

/* The methods http_send takes; those from METHOD_POST on send a body. */
enum { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_PUT, METHOD_PATCH, METHOD_DELETE };

/* Index of m in the methods http_send takes, -1 when not one. */
static int
method_index(const char *m)
{
	static const char *const known[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" };

	for (size_t i = 0; i < ARRAY_LEN(known); i++)
		if (str_eq(m, known[i]))
			return (int)i;
	return -1;
}

static int
method_ok(const char *m)
{
	return method_index(m) >= 0;
}

static int
method_idempotent(const struct http_request *req)
{
	return req->idempotent || str_eq(req->method, "GET") || str_eq(req->method, "HEAD") ||
	    str_eq(req->method, "PUT") || str_eq(req->method, "DELETE");
}

/* Validate what goes into headers before anything is sent. */
static bs_rc
check_request(const struct http_request *req, struct bs_error *err)
{
	if (!method_ok(req->method))
		return bs_fail(err, BS_ERR_INVALID, "unsupported HTTP method '%.16s'",
		    req->method ? req->method : "(null)");
	if (req->body == NULL && req->body_len != 0)
		return bs_fail(err, BS_ERR_INVALID, "request body length without a body");
	if (req->nheaders > 0 && req->headers == NULL)
		return bs_fail(err, BS_ERR_INVALID, "header count without headers");
	if (has_crlf(req->content_type) || has_crlf(req->accept) ||
	    has_crlf(req->username) || has_crlf(req->password) || has_crlf(req->bearer))
		return bs_fail(err, BS_ERR_INVALID,
		    "refused a header value containing a line break");
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct http_header *h = &req->headers[i];
		if (str_empty(h->name) || h->value == NULL || strpbrk(h->name, "\r\n: \t") ||
		    has_crlf(h->value))
			return bs_fail(err, BS_ERR_INVALID, "refused header '%.40s': empty, or a "
			    "name or value containing a line break or colon",
			    h->name ? h->name : "(null)");
	}
	return BS_OK;
}

#define SETOPT(opt, val) do {						\
	CURLcode sc_ = curl_easy_setopt(h, opt, val);			\
	if (sc_ != CURLE_OK) {						\
		rc = bs_fail(err, sc_ == CURLE_OUT_OF_MEMORY ? BS_ERR_NOMEM :	\
		    BS_ERR_INTERNAL, "libcurl refused option %s: %s", #opt,	\
		    curl_easy_strerror(sc_));				\
		goto out;						\
	}								\
} while (0)

static bs_rc
add_header(struct curl_slist **list, const char *name, const char *value,
    struct bs_error *err)
{
	char *line = xasprintf("%s: %s", name, value);
	struct curl_slist *n = curl_slist_append(*list, line);

	free(line);
	if (n == NULL)
		return bs_fail(err, BS_ERR_NOMEM, "out of memory building request headers");
	*list = n;
	return BS_OK;
}

/* Set every option of one attempt.  The options that follow from the
 * client and from the kind of request (handle_key) stay set on the handle:
 * a request of the same kind as the one before sets only what is its own
 * (URL, credentials, body, headers, the attempt's buffers); any other
 * resets the handle and sets them all.  *hdrs receives the header list the
 * caller frees after the transfer. */
static bs_rc
setup_handle(struct http_client *c, const struct http_request *req, int loopback_http,
    int loopback, struct xfer *x, char *errbuf, struct curl_slist **hdrs,
    struct bs_error *err)
{
	CURL *h = c->curl;
	bs_rc rc = BS_OK;
	int has_body = req->body != NULL;
	struct handle_key k;

	memset(&k, 0, sizeof k);	/* compared with memcmp: no stray padding bytes */
	k.loopback_http = loopback_http;
	k.loopback = loopback;
	k.fresh = !method_idempotent(req);
	k.sized = req->sink == NULL;	/* a streamed answer is bounded by its reader */
	k.max = k.sized ? (curl_off_t)x->max : 0;
	k.auth = req->bearer != NULL ? 2 : req->username != NULL ? 1 : 0;
	k.method = method_index(req->method);
	k.body = has_body || k.method != METHOD_DELETE;
	if (c->key_valid && memcmp(&k, &c->key, sizeof k) == 0)
		goto own;
	c->key_valid = 0;
	curl_easy_reset(h);
	SETOPT(CURLOPT_PROTOCOLS_STR, loopback_http ? "http,https" : "https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (c->ca_file != NULL) {
		/* tls.ca_file adds to the system CAs: the file goes in CAINFO (which
		 * replaces the default bundle file) and the system's hashed folder
		 * stays in CAPATH, which OpenSSL consults as well. */
		SETOPT(CURLOPT_CAINFO, c->ca_file);
		if (c->ca_dir != NULL)
			SETOPT(CURLOPT_CAPATH, c->ca_dir);
	}
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, c->o.connect_timeout_ms);
	SETOPT(CURLOPT_TIMEOUT_MS, c->o.total_timeout_ms);
	SETOPT(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SETOPT(CURLOPT_LOW_SPEED_TIME, c->o.low_speed_time_s);
	if (k.sized)
		SETOPT(CURLOPT_MAXFILESIZE_LARGE, k.max);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(CURLOPT_MAXLIFETIME_CONN, 3600L);
	/* A write that may not be repeated gets a connection of its own: when a
	 * reused connection dies before any byte of the answer, libcurl sends the
	 * request again by itself, though the server may have acted on the
	 * first copy (a second event in Assembled, seen in tests/e2e/faults.sh
	 * asm.create hold).  A fresh connection is never resent. */
	if (k.fresh)
		SETOPT(CURLOPT_FRESH_CONNECT, 1L);
	SETOPT(CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(CURLOPT_USERAGENT, c->user_agent);
	if (loopback)
		SETOPT(CURLOPT_PROXY, "");	/* never send loopback traffic to a proxy */
	/* big answers (the people search, ~140 MB at 100,000 people) arrive in
	 * fewer, larger reads than the 16 KiB default */
	SETOPT(CURLOPT_BUFFERSIZE, 256L * 1024);
	SETOPT(CURLOPT_WRITEFUNCTION, write_cb);
	SETOPT(CURLOPT_HEADERFUNCTION, header_cb);
	SETOPT(CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	SETOPT(CURLOPT_NOPROGRESS, 0L);
	if (k.auth == 2)
		SETOPT(CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
	else if (k.auth == 1)
		SETOPT(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	if (k.method == METHOD_GET)
		SETOPT(CURLOPT_HTTPGET, 1L);
	else if (k.method == METHOD_HEAD)
		SETOPT(CURLOPT_NOBODY, 1L);
	else if (k.method != METHOD_POST)
		SETOPT(CURLOPT_CUSTOMREQUEST, req->method);
	c->key = k;
	c->key_valid = 1;

own:
	/* what is this request's own, and what http_send's end took back */
	SETOPT(CURLOPT_URL, req->url);
	SETOPT(CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(CURLOPT_WRITEDATA, x);
	SETOPT(CURLOPT_HEADERDATA, x);
	SETOPT(CURLOPT_XFERINFODATA, x);
	if (k.auth == 2) {
		SETOPT(CURLOPT_XOAUTH2_BEARER, req->bearer);
	} else if (k.auth == 1) {
		SETOPT(CURLOPT_USERNAME, req->username);
		SETOPT(CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	if (k.method >= METHOD_POST && k.body) {
		/* a body, or an empty one so Content-Length: 0 is sent */
		SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		SETOPT(CURLOPT_POSTFIELDS, has_body ? req->body : "");
	}

	if ((rc = add_header(hdrs, "Accept", req->accept ? req->accept : "application/json",
	    err)) != BS_OK)
		goto out;
	if (has_body && (rc = add_header(hdrs, "Content-Type",
	    req->content_type ? req->content_type : "application/json", err)) != BS_OK)
		goto out;
	/* no "Expect: 100-continue" round trip for larger bodies */
	if ((*hdrs = curl_slist_append(*hdrs, "Expect:")) == NULL) {
		rc = bs_fail(err, BS_ERR_NOMEM, "out of memory building request headers");
		goto out;
	}
	for (size_t i = 0; i < req->nheaders; i++)
		if ((rc = add_header(hdrs, req->headers[i].name, req->headers[i].value,
		    err)) != BS_OK)
			goto out;
	SETOPT(CURLOPT_HTTPHEADER, *hdrs);
out:
	return rc;
}

/* ---- outcome of one attempt ---- */

static int
status_accepted(const struct http_request *req, long status)
{
	if (status >= 200 && status < 300)
		return 1;
	for (size_t i = 0; i < req->naccept_status; i++)
		if (req->accept_status && req->accept_status[i] == status)
			return 1;
	return 0;
}

static bs_rc
status_rc(long status)
{
	switch (status) {
	case 401: return BS_ERR_AUTH;
	case 403: return BS_ERR_FORBIDDEN;
	case 404: return BS_ERR_NOT_FOUND;
	case 409: return BS_ERR_CONFLICT;
	case 429: return BS_ERR_RATE_LIMIT;
	default:
		return status >= 500 && status < 600 ? BS_ERR_REMOTE : BS_ERR_HTTP;
	}
}

/* 5xx that are worth another try (not 501 Not Implemented or 505). */
static int
status_transient(long status)
{
	return status == 408 || (status >= 500 && status < 600 && status != 501 &&
	    status != 505);
}

static int
content_is_text(const char *ct, const char *body, size_t len)
{
	if (!str_empty(ct))
		return strncasecmp(ct, "text/", 5) == 0 || strcasestr(ct, "json") != NULL ||
		    strcasestr(ct, "xml") != NULL || strcasestr(ct, "x-www-form") != NULL;
	/* no type: text when the start has no NUL */
	return memchr(body, '\0', len < 512 ? len : 512) == NULL;
}

/* ": <masked excerpt>" of a text body, or "" (caller frees). */
static char *
body_excerpt(const char *ct, const char *body, size_t len)
{
	char *m, *out;
	size_t n;

	if (body == NULL || len == 0 || !content_is_text(ct, body, len))
		return xstrdup("");
	m = log_mask_mem(body, len < EXCERPT_WINDOW ? len : EXCERPT_WINDOW);
	for (char *p = m; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	util_strip_controls(m);
	n = strlen(m);
	if (n > EXCERPT_MAX) {
		n = EXCERPT_MAX;
		while (n > 0 && ((unsigned char)m[n] & 0xC0) == 0x80)
			n--;	/* do not cut a UTF-8 character */
	}
	m[n] = '\0';
	str_trim(m);
	out = m[0] ? xasprintf(": %s%s", m, strlen(m) < EXCERPT_MAX || len <= n ? "" : "...")
	    : xstrdup("");
	free(m);
	return out;
}

static bs_rc
curl_rc_map(CURLcode cc, const struct xfer *x, int *retryable)
{
	*retryable = 0;
	if (x->cancelled || cc == CURLE_ABORTED_BY_CALLBACK)
		return BS_ERR_CANCELLED;
	if (cc == CURLE_WRITE_ERROR && x->sink_rc != 0)
		return (bs_rc)x->sink_rc;
	switch (cc) {
	case CURLE_WRITE_ERROR:
		if (x->too_large)
			return BS_ERR_TOO_LARGE;
		return BS_ERR_NETWORK;
	case CURLE_FILESIZE_EXCEEDED:
		return BS_ERR_TOO_LARGE;
	case CURLE_OPERATION_TIMEDOUT:
		*retryable = 1;
		return BS_ERR_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		*retryable = 1;
		return BS_ERR_NETWORK;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
		return BS_ERR_TLS;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return BS_ERR_INSECURE_URL;
	case CURLE_OUT_OF_MEMORY:
		return BS_ERR_NOMEM;
	default:
		return BS_ERR_NETWORK;
	}
}

static void
fill_resp(struct http_response *resp, struct xfer *x, long status, int keep_body,
    const char *ct)
{
	free(resp->body);
	free(resp->content_type);
	free(resp->retry_after);
	free(resp->ratelimit_reset);
	free(resp->ratelimit_remaining);
	resp->status = status;
	if (keep_body) {
		resp->body_len = x->body.len;
		resp->body = sb_detach(&x->body);
	} else {
		resp->body = NULL;
		resp->body_len = 0;
	}
	resp->content_type = ct ? xstrdup(ct) : NULL;
	resp->retry_after = x->retry_after[0] ? xstrdup(x->retry_after) : NULL;
	resp->ratelimit_reset = x->ratelimit_reset[0] ? xstrdup(x->ratelimit_reset) : NULL;
	resp->ratelimit_remaining = x->ratelimit_remaining[0] ?
	    xstrdup(x->ratelimit_remaining) : NULL;
}

void
http_response_wipe(struct http_response *resp)
{
	if (resp != NULL && resp->body != NULL)
		sodium_memzero(resp->body, resp->body_len);
	http_response_clear(resp);
}

void
http_response_clear(struct http_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	free(resp->content_type);
	free(resp->retry_after);
	free(resp->ratelimit_reset);
	free(resp->ratelimit_remaining);
	memset(resp, 0, sizeof *resp);
}

static const char *
plural_attempts(int n)
{
	return n == 1 ? "attempt" : "attempts";
}

/* ---- send ---- */

/* Register the request's credentials for masking, unless the request
 * before registered the same ones and the log has not forgotten them since
 * (the Basic form is encoded and looked up each time: 5,000 instructions a
 * request).  Told apart by a keyed hash of them, so no copy is kept. */
static void
register_credentials(struct http_client *c, const struct http_request *req)
{
	const char *part[3] = { req->username, req->password, req->bearer };
	unsigned char buf[768], tag[crypto_shorthash_BYTES];
	unsigned long epoch = log_secrets_epoch();
	size_t n = 0;
	int fits = 1, rc = 0;

	for (int i = 0; i < 3 && fits; i++) {
		size_t len = part[i] != NULL ? strlen(part[i]) : 0;
		if (n + len + 2 > sizeof buf) {
			fits = 0;
			break;
		}
		buf[n++] = part[i] != NULL;	/* NULL and "" differ */
		memcpy(buf + n, part[i] != NULL ? part[i] : "", len);
		n += len;
		buf[n++] = '\0';
	}
	if (fits) {
		crypto_shorthash(tag, buf, n, c->cred_key);
		sodium_memzero(buf, n);
		if (c->cred_known && c->cred_epoch == epoch &&
		    sodium_memcmp(tag, c->cred_tag, sizeof tag) == 0)
			return;
	}
	if (req->password != NULL)
		rc |= log_register_secret(req->password);
	if (req->username != NULL)
		rc |= log_register_basic_auth(req->username, req->password ? req->password : "");
	if (req->bearer != NULL)
		rc |= log_register_secret(req->bearer);
	/* a form that could not be registered (too short, no room) is tried
	 * again with every request, as before */
	c->cred_known = fits && rc == 0;
	if (c->cred_known) {
		memcpy(c->cred_tag, tag, sizeof tag);
		c->cred_epoch = epoch;
	}
}

/* The URL's host and masked path, for messages: parsed by libcurl the
 * first time one is needed (a request that succeeds never needs them). */
struct url_view {
	const char *url;
	int parsed;
	char *scheme, *host, *path;	/* curl_free */
	char *mpath;			/* free */
};

static void
uv_parse(struct url_view *u)
{
	if (u->parsed)
		return;
	u->parsed = 1;
	if (url_parts(u->url, &u->scheme, &u->host, &u->path) != 0)
		u->path = NULL;	/* cannot happen after classify_url: the URL masked whole */
	u->mpath = log_mask(u->path != NULL ? u->path : u->url);
}

static const char *
uv_mpath(struct url_view *u)
{
	uv_parse(u);
	return u->mpath;
}

static const char *
uv_host(struct url_view *u)
{
	uv_parse(u);
	return u->host != NULL ? u->host : "(unknown host)";
}

static void
uv_clear(struct url_view *u)
{
	free(u->mpath);
	curl_free(u->scheme);
	curl_free(u->host);
	curl_free(u->path);
	memset(u, 0, sizeof *u);
}

bs_rc
http_send(struct http_client *c, const struct http_request *req,
    struct http_response *resp, struct bs_error *err)
{
	struct xfer x;
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE];
	struct url_view uv = { 0 };
	char *excerpt = NULL;
	struct http_class_stats *cs;
	int64_t waited = 0, hint = -1;
	int loopback_http, loopback, attempt, idem, retryable = 0;
	long status = 0;
	bs_rc rc = BS_OK;
	const char *what = NULL;
	char ct[128];

	memset(&x, 0, sizeof x);
	sb_init(&x.body, 0);
	if (err != NULL)
		err->http_status = 0;
	if (resp != NULL)
		http_response_clear(resp);
	if (c == NULL || req == NULL || resp == NULL)
		return bs_fail(err, BS_ERR_INVALID, "http_send: missing client, request "
		    "or response");
	if ((loopback_http = classify_url(req->url, &loopback, err)) < 0)
		return BS_ERR_INSECURE_URL;
	if ((rc = check_request(req, err)) != BS_OK)
		return rc;
	uv.url = req->url;
	register_credentials(c, req);

	x.c = c;
	x.max = c->o.max_body;
	if (req->max_body > 0 && req->max_body < x.max)
		x.max = req->max_body;
	idem = method_idempotent(req);
	x.thread_abortable = idem;
	cs = stats_class(c, req->pace_class);

	for (attempt = 0; ; attempt++) {
		CURLcode cc;

		if (attempt > 0) {
			int64_t w;
			if (hint > 0) {
				/* the server's word replaces the backoff; "0" or a reset
				 * time already past (clock skew) gets the normal backoff
				 * so retries never come back to back */
				w = hint;
			} else {
				int64_t ceil_ms = c->o.backoff_base_ms;
				for (int i = 0; i < attempt - 1 && ceil_ms < c->o.backoff_cap_ms; i++)
					ceil_ms *= 2;
				if (ceil_ms > c->o.backoff_cap_ms)
					ceil_ms = c->o.backoff_cap_ms;
				w = (int64_t)(((uint64_t)c->clock.random(c->clock.ctx) *
				    (uint64_t)(ceil_ms + 1)) >> 32);
			}
			if (waited + w > c->o.max_total_wait_ms)
				break;	/* keep the last error */
			log_info("http: %s %s: %s, retrying in %lld ms (attempt %d of %d)",
			    req->method, uv_mpath(&uv), what ? what : "failed", (long long)w,
			    attempt + 1, c->o.max_attempts);
			if (wait_ms(c, w, 1) != 0) {
				rc = bs_fail(err, BS_ERR_CANCELLED, "%s %s cancelled while waiting "
				    "to retry", req->method, uv_mpath(&uv));
				goto out;
			}
			waited += w;
			c->stats.retries++;
			if (cs)
				cs->retries++;
		}
		/* The thread's hook stops a read, or a write's wait to retry,
		 * but not a write that is yet to go out for the first time: the
		 * engine has decided to send it, its pacing wait is short, and a
		 * write stopped here could not be told from one that acted. */
		if (is_cancelled(c, idem || attempt > 0) ||
		    pace_take(c, req->pace_class, idem || attempt > 0) != 0) {
			rc = bs_fail(err, BS_ERR_CANCELLED, "%s %s cancelled", req->method,
			    uv_mpath(&uv));
			goto out;
		}

		/* one attempt; resp only ever shows the last one */
		http_response_clear(resp);
		sb_clear(&x.body);
		sb_init(&x.body, x.max);
		x.received = 0;
		x.too_large = x.cancelled = 0;
		x.req = req;
		x.streaming = req->sink != NULL ? -1 : 0;
		x.sink_rc = 0;
		if (req->sink != NULL && req->sink_begin != NULL)
			req->sink_begin(req->sink_ctx);
		x.retry_after[0] = x.ratelimit_reset[0] = x.ratelimit_remaining[0] = '\0';
		errbuf[0] = '\0';
		curl_slist_free_all(hdrs);
		hdrs = NULL;
		if ((rc = setup_handle(c, req, loopback_http, loopback, &x, errbuf, &hdrs,
		    err)) != BS_OK)
			goto out;
		c->stats.requests++;
		c->stats.bytes_out += req->body_len;
		if (cs) {
			cs->requests++;
			cs->bytes_out += req->body_len;
		}
		cc = curl_easy_perform(c->curl);
		c->stats.bytes_in += x.received;
		if (cs)
			cs->bytes_in += x.received;
		resp->attempts = attempt + 1;

		status = 0;
		if (curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
			status = 0;
		{
			char *t = NULL;
			ct[0] = '\0';
			if (curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &t) == CURLE_OK && t)
				snprintf(ct, sizeof ct, "%s", t);
		}
		hint = -1;
		free(excerpt);
		excerpt = NULL;

		if (cc != CURLE_OK) {
			rc = curl_rc_map(cc, &x, &retryable);
			if (status > 0)	/* headers arrived; the body did not (all) */
				fill_resp(resp, &x, status, 0, ct[0] ? ct : NULL);
			if (err != NULL)
				err->http_status = status;
			what = rc == BS_ERR_TIMEOUT ? "timed out" : "network error";
			if (x.sink_rc != 0) {
				/* the reader of a streamed answer stopped it: its own
				 * error says why; never retried */
				bs_fail(err, rc, "%s %s: the answer could not be read", req->method,
				    uv_mpath(&uv));
				goto out;
			}
			switch (rc) {
			case BS_ERR_TOO_LARGE:
				bs_fail(err, rc, "%s %s: the response is larger than the %zu bytes "
				    "allowed", req->method, uv_mpath(&uv), x.max);
				break;
			case BS_ERR_CANCELLED:
				bs_fail(err, rc, "%s %s cancelled", req->method, uv_mpath(&uv));
				break;
			case BS_ERR_TLS:
				bs_fail(err, rc, "%s %s: TLS with %s failed: %s%s", req->method,
				    uv_mpath(&uv), uv_host(&uv), errbuf[0] ? errbuf :
				    curl_easy_strerror(cc),
				    c->ca_file ? "" : " (set tls.ca_file if a proxy or private CA "
				    "signs this server's certificate)");
				break;
			case BS_ERR_TIMEOUT:
				bs_fail(err, rc, "%s %s timed out after %d %s: %s", req->method,
				    uv_mpath(&uv), attempt + 1, plural_attempts(attempt + 1),
				    errbuf[0] ? errbuf : curl_easy_strerror(cc));
				break;
			default:
				if (cc == CURLE_PARTIAL_FILE)
					bs_fail(err, rc, "%s %s: the response was cut off (%llu bytes "
					    "received, HTTP %ld) after %d %s", req->method,
					    uv_mpath(&uv), x.received, status, attempt + 1,
					    plural_attempts(attempt + 1));
				else
					bs_fail(err, rc, "%s %s failed after %d %s: %s", req->method,
					    uv_mpath(&uv), attempt + 1,
					    plural_attempts(attempt + 1),
					    errbuf[0] ? errbuf : curl_easy_strerror(cc));
				break;
			}
			if (!retryable || !idem)
				goto out;
		} else {
			if (err != NULL)
				err->http_status = status;
			if (status_accepted(req, status)) {
				fill_resp(resp, &x, status, 1, ct[0] ? ct : NULL);
				rc = BS_OK;
				if (err != NULL) {
					err->rc = BS_OK;
					err->detail[0] = '\0';
				}
				goto out;
			}
			fill_resp(resp, &x, status, 1, ct[0] ? ct : NULL);
			rc = status_rc(status);
			excerpt = body_excerpt(ct, resp->body, resp->body_len);
			/* X-RateLimit-Reset says when the rate window resets: a reason to
			 * wait after a 429 (or when nothing remains), not after a 5xx that
			 * merely carries the header. */
			hint = http_wait_hint_ms(x.retry_after,
			    status == 429 || str_eq(x.ratelimit_remaining, "0") ?
			    x.ratelimit_reset : NULL, clock_now());
			if (status == 429) {
				if (hint >= 0)
					bs_fail(err, rc, "%s %s: HTTP 429 (rate limited) after %d %s; "
					    "the server asked to wait %lld s%s", req->method,
					    uv_mpath(&uv), attempt + 1,
					    plural_attempts(attempt + 1),
					    (long long)((hint + 999) / 1000), excerpt);
				else
					bs_fail(err, rc, "%s %s: HTTP 429 (rate limited) after %d %s%s",
					    req->method, uv_mpath(&uv), attempt + 1,
					    plural_attempts(attempt + 1), excerpt);
			} else if (status >= 300 && status < 400) {
				bs_fail(err, rc, "%s %s: HTTP %ld (redirects are not followed)%s",
				    req->method, uv_mpath(&uv), status, excerpt);
			} else {
				bs_fail(err, rc, "%s %s: HTTP %ld after %d %s%s", req->method,
				    uv_mpath(&uv), status, attempt + 1,
				    plural_attempts(attempt + 1), excerpt);
			}
			what = status == 429 ? "rate limited" : "server error";
			if (status != 429 && !(status_transient(status) && idem))
				goto out;
		}
		if (attempt + 1 >= c->o.max_attempts)
			break;
	}
	if (rc == BS_ERR_RATE_LIMIT && hint >= 0 && waited + hint > c->o.max_total_wait_ms)
		bs_fail(err, rc, "%s %s: HTTP 429 (rate limited) after %d %s; the server asked "
		    "to wait %lld s, more than the %lld s left for retry waits%s", req->method,
		    uv_mpath(&uv), resp->attempts, plural_attempts(resp->attempts),
		    (long long)((hint + 999) / 1000),
		    (long long)((c->o.max_total_wait_ms - waited) / 1000), excerpt ? excerpt : "");
out:
	if (c->answer_fn != NULL && resp->status > 0)
		c->answer_fn(c->answer_ctx, req->method, req->url, resp->status,
		    resp->body, resp->body_len);
	curl_slist_free_all(hdrs);
	if (c->curl != NULL) {
		(void)curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);	/* errbuf dies here */
		(void)curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);	/* and hdrs */
		/* libcurl keeps its own copies of the credentials until they are
		 * replaced; drop them now rather than at the next request */
		(void)curl_easy_setopt(c->curl, CURLOPT_USERNAME, NULL);
		(void)curl_easy_setopt(c->curl, CURLOPT_PASSWORD, NULL);
		(void)curl_easy_setopt(c->curl, CURLOPT_XOAUTH2_BEARER, NULL);
	}
	if (req->secret_answer && x.body.buf != NULL)
		sodium_memzero(x.body.buf, x.body.len);
	sb_clear(&x.body);
	free(excerpt);
	uv_clear(&uv);
	return rc;
}
