/* webhook.h - HiBob webhooks (v2): the signature, the payload, and the
 * queue of work they leave for the daemon.
 *
 * HiBob signs each POST with `Bob-Signature`: the base64 of HMAC-SHA512 of
 * the raw body under the webhook's secret (confirmed: HiBob's webhook
 * getting-started page).  The payload carries ids only: a time-off event
 * names `data.timeoffRequestId` and `data.employeeId`, an employee event
 * `data.employeeId` and, for employee.updated, the changed field ids in
 * `data.fieldUpdates` (confirmed that they are field ids; whether each is a
 * string or an object with an id is not, so both are read).  Bob's
 * validation ping is the text "Ping test", bare or as {"text": ...}.
 *
 * Nothing in a payload is trusted beyond "look at this request/person
 * again": the engines read the current state from the API.
 */
#ifndef BS_WEBHOOK_H
#define BS_WEBHOOK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

/* Largest body accepted (a v2 payload is a few hundred bytes). */
#define WEBHOOK_BODY_MAX (64 * 1024)
/* Length of a signature header value: base64 of 64 bytes, with its NUL. */
#define WEBHOOK_SIG_LEN 89

enum webhook_kind {
	WH_OTHER,	/* an event bobsync has no use for (answered 200) */
	WH_PING,	/* Bob's "Ping test" when the webhook is saved */
	WH_TIMEOFF,	/* timeoff.request.* */
	WH_EMPLOYEE,	/* employee.* that may change who gets an Alleo account */
};

struct webhook_event {
	enum webhook_kind kind;
	char type[64];			/* "timeoff.request.approved"; "" for a ping */
	long long request_id;		/* WH_TIMEOFF; 0 otherwise */
	char employee_id[64];		/* "" when the payload has none */
	/* WH_EMPLOYEE: employee.updated names the eligibility field (or any
	 * field of the lifecycle), or the event is joined/left/created/... */
	int roster_relevant;
};

/* 1 when header is the signature of body under secret, else 0.  Compares in
 * constant time; a missing, malformed or wrong-length header is 0. */
int webhook_signature_ok(const unsigned char *secret, size_t secret_len,
    const void *body, size_t len, const char *header);
/* The header value HiBob would send for body (for check's self-test and
 * the tests). */
void webhook_sign(const unsigned char *secret, size_t secret_len,
    const void *body, size_t len, char out[WEBHOOK_SIG_LEN]);

/* Parse a payload (not NUL-terminated, at most WEBHOOK_BODY_MAX).  field_ids
 * are the HiBob field ids whose change matters to the roster, nfield_ids of
 * them ("root.email" and "/root/email" name one field; "*custom*" stands for
 * every custom field, such as the eligibility and budget fields).  BS_ERR_PARSE
 * with a detail for anything that is not a v2 event or a ping. */
bs_rc webhook_parse(const void *body, size_t len, const char *const *field_ids,
    size_t nfield_ids, struct webhook_event *ev, struct bs_error *err);

/* ---- the queue between the receiver's thread and the daemon ---- */

/* Thread-safe.  Request ids and employee ids are kept once each (HiBob
 * retries, and a burst names one request several times).  Bounded: past
 * WEBHOOK_QUEUE_MAX entries of a kind the queue says "overflowed" and the
 * daemon runs a full poll instead. */
#define WEBHOOK_QUEUE_MAX 10000

struct webhook_stats {
	int64_t last_at;	/* when the last accepted event came, unix s; 0 = never */
	char last_type[64];
	long accepted;		/* since the daemon started */
	long rejected;		/* bad signature, method, size, body */
};

struct webhook_queue;

struct webhook_queue *webhook_queue_new(void);
void webhook_queue_free(struct webhook_queue **q);

/* Add what ev asks for (nothing for WH_OTHER and WH_PING, which only count). */
void webhook_queue_push(struct webhook_queue *q, const struct webhook_event *ev,
    int64_t now);
void webhook_queue_reject(struct webhook_queue *q);
void webhook_queue_stats(struct webhook_queue *q, struct webhook_stats *out);

/* Wait up to timeout_ms for something to be queued; then, once something is
 * there, settle_ms more so that a burst is taken as one batch.  Returns 1
 * when work is queued, 0 when the time ran out.  webhook_queue_wake (a stop
 * request) returns early. */
int webhook_queue_wait(struct webhook_queue *q, long timeout_ms, int settle_ms);
void webhook_queue_wake(struct webhook_queue *q);

/* Take everything queued: time-off request ids (with the employee each
 * belongs to, "" when unknown) and employee ids.  Caller frees the arrays
 * with webhook_batch_clear.  overflowed: more came than the queue holds. */
struct webhook_batch {
	long long *request_ids;
	char **request_employees;	/* parallel to request_ids */
	size_t nrequests;
	char **employees;
	size_t nemployees;
	int overflowed;
};
void webhook_queue_take(struct webhook_queue *q, struct webhook_batch *out);
void webhook_batch_clear(struct webhook_batch *b);

/* Keys of the store's key/value table where the daemon keeps what
 * `bobsync status` shows of webhooks. */
#define WEBHOOK_KV_LAST_AT "webhook.last_at"		/* unix seconds */
#define WEBHOOK_KV_LAST_TYPE "webhook.last_type"
#define WEBHOOK_KV_DAY "webhook.day"			/* YYYY-MM-DD (local) of the counts */
#define WEBHOOK_KV_ACCEPTED "webhook.accepted_today"
#define WEBHOOK_KV_REJECTED "webhook.rejected_today"

/* ---- the receiver (libmicrohttpd) ---- */

struct webhook_server;

/* Listen on `listen` ("127.0.0.1:8787", "[::1]:8787", ":8787" for every
 * address), accept POST on `path` only, verify each body against secret
 * (copied into guarded memory), and push what it asks for onto q.  Answers:
 * 200 accepted (or ignored event), 401 bad or missing signature, 400 not a
 * payload, 405 another method, 404 another path, 413 over WEBHOOK_BODY_MAX.
 * Each rejection is also written to `log` (a line without the body) when
 * log is set. */
struct webhook_server_opts {
	const char *listen;
	const char *path;			/* "/hibob/webhook" */
	const unsigned char *secret;
	size_t secret_len;
	const char *const *field_ids;		/* copied */
	size_t nfield_ids;
	unsigned max_connections;		/* 0 = 32 */
	void (*log)(void *ctx, const char *line);	/* called from the server thread */
	void *log_ctx;
};
bs_rc webhook_server_start(const struct webhook_server_opts *o, struct webhook_queue *q,
    struct webhook_server **out, struct bs_error *err);
/* The port actually bound (for ":0" in tests). */
unsigned webhook_server_port(const struct webhook_server *s);
void webhook_server_stop(struct webhook_server **s);

/* check's probe of a running receiver: an event with a wrong signature must
 * be refused (401) and a ping signed with secret accepted (200).  BS_OK, or
 * BS_ERR_NETWORK (nothing listens), BS_ERR_AUTH (another secret),
 * BS_ERR_REMOTE (something else answers) with a detail. */
struct http_client;
bs_rc webhook_probe(struct http_client *http, const char *listen, const char *path,
    const unsigned char *secret, size_t secret_len, struct bs_error *err);

/* Parse "host:port", "[v6]:port" or ":port" into a socket address.
 * Returns 0, or -1 with a reason in err. */
struct sockaddr_storage;
int webhook_parse_listen(const char *listen, struct sockaddr_storage *ss,
    unsigned *len, struct bs_error *err);

#endif
