/* http.h - the one HTTP transport every remote client uses (libcurl).
 *
 * Safety built in: HTTPS with verification always (plain http:// only for
 * loopback hosts), no redirects, connect/total/low-speed timeouts, a cap on
 * the response size, retries with exponential backoff and full jitter on
 * 429, 5xx and timeouts (honouring Retry-After and X-RateLimit-Reset, with a
 * cap on the total wait), never retrying 400/401/403/404, client-side pacing
 * per endpoint class, and request/byte counters per run.
 *
 * The clock, sleep and randomness are injectable so retry tests run at once.
 */
#ifndef BS_HTTP_H
#define BS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

struct http_client;

struct http_clock {
	int64_t (*now_ms)(void *ctx);		/* monotonic-ish milliseconds */
	void (*sleep_ms)(void *ctx, int64_t ms);
	uint32_t (*random)(void *ctx);		/* for jitter */
	void *ctx;
};

struct http_options {
	long connect_timeout_ms;	/* default 10000 */
	long total_timeout_ms;		/* per attempt, default 120000 */
	long low_speed_time_s;		/* abort below 1 B/s for this long, default 30 */
	size_t max_body;		/* default 256 MiB */
	int max_attempts;		/* default 5 (1 = no retry) */
	int64_t max_total_wait_ms;	/* cap on all retry waits of one request, default 300000 */
	int64_t backoff_base_ms;	/* default 1000 */
	int64_t backoff_cap_ms;		/* one wait at most, default 60000 */
	const char *ca_file;		/* extra CA bundle (tls.ca_file), may be NULL */
	const char *user_agent;		/* default "bobsync/<version>" */
};

/* Progress of the current transfer; return non-zero to cancel it
 * (the request then fails with BS_ERR_CANCELLED). */
typedef int (*http_cancel_fn)(void *ctx);

struct http_header {
	const char *name;
	const char *value;
};

struct http_request {
	const char *method;		/* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;
	const char *body;		/* may be NULL */
	size_t body_len;
	const char *content_type;	/* default "application/json" when body set */
	const char *accept;		/* default "application/json" */
	const struct http_header *headers;	/* extra headers, may be NULL */
	size_t nheaders;
	const char *username;		/* Basic auth when set (password may be "") */
	const char *password;
	const char *bearer;		/* Authorization: Bearer when set */
	const char *pace_class;		/* pacing bucket, e.g. "hibob.search"; NULL = none */
	/* Retry 5xx and timeouts only when set; 429 is always retried because
	 * the server did not act on the request.  GET/PUT/DELETE are treated as
	 * idempotent whatever this says. */
	int idempotent;
	/* 2xx and these extra statuses are returned as BS_OK (e.g. 304, 404,
	 * 409 when the caller handles them). */
	const long *accept_status;
	size_t naccept_status;
	/* Largest answer accepted for this request, in bytes; 0 = the
	 * client's max_body.  The smaller of the two applies: an answer is
	 * parsed in memory at several times its size, so each kind of request
	 * gets what it can need (a token, a page, the people search). */
	size_t max_body;
	/* The answer holds a secret (a token): the received bytes are wiped
	 * before they are freed. */
	int secret_answer;
	/* Read the answer as it arrives: when sink is set, the body of an
	 * answer with an accepted status goes to sink piece by piece instead of
	 * into resp->body, and neither max_body nor the client's cap applies to
	 * it (the reader bounds what it keeps).  sink_begin is called before
	 * the first piece of each attempt (a retry starts the answer again).
	 * A non-zero return from sink stops the transfer: http_send then
	 * returns that code (a bs_rc) and leaves err to the caller.  An answer
	 * with any other status is kept in resp->body as usual. */
	int (*sink)(void *ctx, const char *data, size_t len);
	void (*sink_begin)(void *ctx);
	void *sink_ctx;
};

struct http_response {
	long status;
	char *body;			/* NUL-terminated, caller frees via http_response_clear */
	size_t body_len;
	char *content_type;
	char *retry_after;		/* raw header values of the last attempt, may be NULL */
	char *ratelimit_reset;
	char *ratelimit_remaining;
	int attempts;			/* how many were made */
};

/* Per-run counters, by pace class ("other" when none). */
struct http_class_stats {
	char name[48];
	unsigned long requests;		/* attempts sent, retries included */
	unsigned long retries;
	unsigned long long bytes_out;
	unsigned long long bytes_in;
};
struct http_stats {
	unsigned long requests;
	unsigned long retries;
	unsigned long long bytes_out;
	unsigned long long bytes_in;
	size_t nclasses;
	struct http_class_stats classes[32];
};

/* opts and clock may be NULL for defaults. Never returns NULL. */
struct http_client *http_client_new(const struct http_options *opts,
    const struct http_clock *clock);
void http_client_free(struct http_client **c);

/* Allow at most `limit` requests per `window_ms` in this class, with bursts
 * of at most `burst` (token bucket).  Requests wait (with the injected
 * sleep) rather than fail. */
void http_set_pace(struct http_client *c, const char *pace_class,
    unsigned limit, int64_t window_ms, unsigned burst);

void http_set_cancel(struct http_client *c, http_cancel_fn fn, void *ctx);
/* The same for every request the calling thread sends, with any client
 * (one it was given or one core makes on the way): a worker thread sets
 * it once, so cancelling its job stops its requests and no other
 * thread's.  Checked besides the client's own hook: before each attempt,
 * in retry and pacing waits, and (about once a second or sooner) during
 * the transfer of a request that is safe to send again (GET, PUT, DELETE,
 * or idempotent set); a non-idempotent POST runs to its answer, so the
 * caller learns what it did.  fn NULL removes it. */
void http_set_thread_cancel(http_cancel_fn fn, void *ctx);

/* The folder of hashed system CA certificates (default /etc/ssl/certs when
 * it exists) that opts.ca_file is added to: with ca_file set, libcurl reads
 * the file (CURLOPT_CAINFO) and this folder (CURLOPT_CAPATH), so a private
 * or proxy CA does not hide the public ones.  NULL = the file alone.  For
 * tests and systems that keep their CAs elsewhere. */
void http_set_system_ca_dir(struct http_client *c, const char *dir);

/* Send, retrying as described above.  Returns BS_OK for 2xx (and the
 * accepted extra statuses); otherwise an error mapped from the status
 * (401 BS_ERR_AUTH, 403 BS_ERR_FORBIDDEN, 404 BS_ERR_NOT_FOUND,
 * 409 BS_ERR_CONFLICT, 429 BS_ERR_RATE_LIMIT once retries are used up,
 * 5xx BS_ERR_REMOTE, other BS_ERR_HTTP), or BS_ERR_NETWORK, BS_ERR_TIMEOUT,
 * BS_ERR_TLS, BS_ERR_TOO_LARGE, BS_ERR_INSECURE_URL.  resp is filled in
 * whenever a response arrived, error or not; err->http_status is set.
 * Details never contain credentials. */
bs_rc http_send(struct http_client *c, const struct http_request *req,
    struct http_response *resp, struct bs_error *err);

/* http_response_clear after zeroing the body (an answer with a secret). */
void http_response_wipe(struct http_response *resp);
void http_response_clear(struct http_response *resp);

/* 0 when url is https://, or http:// to 127.0.0.0/8, ::1 or localhost;
 * else BS_ERR_INSECURE_URL with a detail that says why. */
bs_rc http_check_url(const char *url, struct bs_error *err);
/* What http_check_url says of the plain forms, without libcurl:
 * https://HOST[:PORT][/...] 0, http:// to 127.x.x.x or localhost 1, and -1
 * for any other form (libcurl's URL parser decides those), where HOST is
 * a name that starts with a letter (letters, digits, '.', '-') or a dotted
 * IPv4 address and PORT 1 to 65535. */
int http_url_quick(const char *url);

/* Wait in ms that the response headers ask for, or -1 when they say
 * nothing usable.  Retry-After: seconds or HTTP date; X-RateLimit-Reset:
 * epoch seconds when above 1e9, else seconds to wait.  Clamped at 0. */
int64_t http_wait_hint_ms(const char *retry_after, const char *ratelimit_reset,
    int64_t now_unix);

/* Called with every answer that arrived (the last attempt of each request,
 * error statuses included) when set; for `check --record` (shape.h).  Off
 * by default: one pointer test a request. */
typedef void (*http_answer_fn)(void *ctx, const char *method, const char *url,
    long status, const char *body, size_t body_len);
void http_set_answer_hook(struct http_client *c, http_answer_fn fn, void *ctx);

void http_get_stats(const struct http_client *c, struct http_stats *out);
void http_reset_stats(struct http_client *c);

#endif
