/* log.c - levelled logging with secret masking. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "base/util.h"

#define MAX_SECRETS 64

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_level cur_level = BS_LOG_WARN;
static log_sink_fn sink_fn;
static void *sink_ctx;
static int to_stderr = 1;

/* Each registered form lives in sodium_malloc'd memory. */
static char *secrets[MAX_SECRETS];
static size_t secret_lens[MAX_SECRETS];
static unsigned char secret_derived[MAX_SECRETS];	/* its derived forms are in */
static size_t nsecrets;
/* One guarded block reused for the forms being built (log_lock held): HTTP
 * registers its credentials before every request, and a sodium_malloc per
 * call is an mmap, two mprotects and an munmap (a TLB flush on every core). */
static char *scratch;
static size_t scratch_cap;
static size_t guarded_allocs;	/* blocks sodium_malloc'd here (tests) */
static unsigned long secrets_epoch;	/* log_forget_secrets calls */

static const char *level_names[] = { "error", "warning", "info", "debug" };

void
log_set_level(enum log_level level)
{
	cur_level = level;
}

enum log_level
log_get_level(void)
{
	return cur_level;
}

const char *
log_level_name(enum log_level level)
{
	if ((unsigned)level > BS_LOG_DEBUG)
		return "?";
	return level_names[level];
}

int
log_parse_level(const char *s, enum log_level *out)
{
	static const char *alt[] = { "error", "warn", "info", "debug" };

	if (s == NULL)
		return -1;
	for (int i = 0; i <= BS_LOG_DEBUG; i++) {
		if (strcasecmp(s, level_names[i]) == 0 || strcasecmp(s, alt[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static void *
guarded_alloc(size_t n)
{
	void *p = sodium_malloc(n);

	if (p != NULL)
		guarded_allocs++;
	return p;
}

/* A guarded block of at least n bytes, kept for the next call; NULL when
 * out of memory.  Callers wipe what they wrote.  Caller holds log_lock. */
static char *
scratch_get(size_t n)
{
	if (n > scratch_cap) {
		if (scratch != NULL)
			sodium_free(scratch);
		scratch = guarded_alloc(n);
		scratch_cap = scratch != NULL ? n : 0;
	}
	return scratch;
}

/* Add a form unless it is there: its position, or -1 when too short,
 * full or out of memory.  Caller holds log_lock. */
static long
add_form_at(const char *s, size_t len)
{
	char *copy;

	if (len < LOG_SECRET_MIN)
		return -1;
	for (size_t i = 0; i < nsecrets; i++)
		if (secret_lens[i] == len && sodium_memcmp(secrets[i], s, len) == 0)
			return (long)i;
	if (nsecrets == MAX_SECRETS)
		return -1;
	copy = guarded_alloc(len + 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	secrets[nsecrets] = copy;
	secret_lens[nsecrets] = len;
	secret_derived[nsecrets] = 0;
	return (long)nsecrets++;
}

/* 0 when registered (now or before), -1 when too full or out of memory;
 * a too short form is not registered and counts as done.  Caller holds
 * log_lock. */
static int
add_form(const char *s, size_t len)
{
	if (len < LOG_SECRET_MIN)
		return 0;
	return add_form_at(s, len) >= 0 ? 0 : -1;
}

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Percent-encoded and JSON-escaped forms, built in guarded memory. */
static void
add_derived(const char *s, size_t len, int upper_hex)
{
	static const char hexu[] = "0123456789ABCDEF", hexl[] = "0123456789abcdef";
	const char *hex = upper_hex ? hexu : hexl;
	char *buf = scratch_get(len * 6 + 1);
	size_t n = 0;

	if (buf == NULL)
		return;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c)) {
			buf[n++] = (char)c;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
	}
	add_form(buf, n);
	n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c == '/') {
			buf[n++] = '\\';	/* Jansson escapes nothing here, others do */
			buf[n++] = '/';
		} else if (c < 0x20) {
			n += (size_t)snprintf(buf + n, 7, "\\u%04x", c);
		} else {
			buf[n++] = (char)c;
		}
	}
	add_form(buf, n);
	sodium_memzero(buf, n);
}

int
log_register_secret(const char *secret)
{
	size_t len;
	long at;
	int rc;

	if (secret == NULL)
		return -1;
	len = strlen(secret);
	if (len < LOG_SECRET_MIN)
		return -1;
	if (sodium_init() < 0)
		return -1;
	pthread_mutex_lock(&log_lock);
	at = add_form_at(secret, len);
	rc = at >= 0 ? 0 : -1;
	/* registered again (every request does): its forms are in already */
	if (at >= 0 && !secret_derived[at]) {
		add_derived(secret, len, 1);
		add_derived(secret, len, 0);
		secret_derived[at] = 1;
	}
	pthread_mutex_unlock(&log_lock);
	return rc;
}

int
log_register_basic_auth(const char *user, const char *password)
{
	size_t ul, pl, b64len;
	char *pair, *b64;
	int rc = -1;

	if (user == NULL || password == NULL || sodium_init() < 0)
		return -1;
	ul = strlen(user);
	pl = strlen(password);
	b64len = sodium_base64_ENCODED_LEN(ul + pl + 1, sodium_base64_VARIANT_ORIGINAL);
	pthread_mutex_lock(&log_lock);
	/* the pair and its base64, side by side in the scratch block */
	pair = scratch_get(ul + pl + 2 + b64len);
	if (pair != NULL) {
		b64 = pair + ul + pl + 2;
		memcpy(pair, user, ul);
		pair[ul] = ':';
		memcpy(pair + ul + 1, password, pl);
		sodium_bin2base64(b64, b64len, (unsigned char *)pair, ul + pl + 1,
		    sodium_base64_VARIANT_ORIGINAL);
		rc = add_form(b64, strlen(b64));
		sodium_memzero(pair, ul + pl + 2 + b64len);
	}
	pthread_mutex_unlock(&log_lock);
	return rc;
}

size_t
log_guarded_allocations(void)
{
	size_t n;

	pthread_mutex_lock(&log_lock);
	n = guarded_allocs;
	pthread_mutex_unlock(&log_lock);
	return n;
}

void
log_forget_secrets(void)
{
	pthread_mutex_lock(&log_lock);
	for (size_t i = 0; i < nsecrets; i++) {
		sodium_free(secrets[i]);	/* zeroes before freeing */
		secrets[i] = NULL;
		secret_lens[i] = 0;
		secret_derived[i] = 0;
	}
	nsecrets = 0;
	if (scratch != NULL)
		sodium_free(scratch);
	scratch = NULL;
	scratch_cap = 0;
	secrets_epoch++;
	pthread_mutex_unlock(&log_lock);
}

unsigned long
log_secrets_epoch(void)
{
	unsigned long e;

	pthread_mutex_lock(&log_lock);
	e = secrets_epoch;
	pthread_mutex_unlock(&log_lock);
	return e;
}

/* Longest registered secret starting at p (caller holds log_lock). */
static size_t
match_at(const char *p, size_t avail)
{
	size_t best = 0;

	for (size_t i = 0; i < nsecrets; i++) {
		size_t l = secret_lens[i];
		if (l <= avail && l > best && memcmp(p, secrets[i], l) == 0)
			best = l;
	}
	return best;
}

/* Text with each registered secret replaced.  Only a byte some secret
 * starts with is tried, and the text between matches is copied at once
 * (every request's path is masked for the log). */
static void
mask_to(struct strbuf *sb, const char *in, size_t len)
{
	unsigned char first[256] = { 0 };
	size_t i = 0, run = 0;

	pthread_mutex_lock(&log_lock);
	for (size_t k = 0; k < nsecrets; k++)
		first[(unsigned char)secrets[k][0]] = 1;
	while (i < len) {
		size_t m = first[(unsigned char)in[i]] ? match_at(in + i, len - i) : 0;
		if (m > 0) {
			sb_append(sb, in + run, i - run);
			sb_append(sb, LOG_MASK, sizeof LOG_MASK - 1);
			i += m;
			run = i;
		} else {
			i++;
		}
	}
	sb_append(sb, in + run, len - run);
	pthread_mutex_unlock(&log_lock);
}

char *
log_mask_mem(const char *in, size_t len)
{
	struct strbuf sb;

	sb_init(&sb, 0);
	if (in != NULL)
		mask_to(&sb, in, len);
	return sb_detach(&sb);
}

char *
log_mask(const char *in)
{
	return log_mask_mem(in, in ? strlen(in) : 0);
}

size_t
log_mask_into(const char *in, char *out, size_t outsz)
{
	char *m;
	size_t n;

	if (outsz == 0)
		return 0;
	m = log_mask(in);
	n = strlen(m);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, m, n);
	out[n] = '\0';
	free(m);
	return n;
}

void
log_set_sink(log_sink_fn fn, void *ctx)
{
	pthread_mutex_lock(&log_lock);
	sink_fn = fn;
	sink_ctx = ctx;
	pthread_mutex_unlock(&log_lock);
}

void
log_set_stderr(int on)
{
	to_stderr = on;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	char *raw, *masked;
	log_sink_fn fn;
	void *ctx;

	if (level > cur_level && sink_fn == NULL)
		return;
	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	masked = log_mask(raw);
	sodium_memzero(raw, strlen(raw));
	free(raw);

	pthread_mutex_lock(&log_lock);
	fn = sink_fn;
	ctx = sink_ctx;
	pthread_mutex_unlock(&log_lock);
	if (fn != NULL)
		fn(ctx, level, masked);
	if (to_stderr && level <= cur_level) {
		util_strip_controls(masked);
		fprintf(stderr, "bobsync: %s%s%s\n",
		    level == BS_LOG_ERROR ? "error: " : level == BS_LOG_WARN ? "warning: " : "",
		    "", masked);
	}
	free(masked);
}
