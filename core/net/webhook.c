/* webhook.c - HiBob webhook signature, payload and the daemon's queue.
 * The receiver is in webhook_server.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "base/util.h"
#include "net/webhook.h"

#define SIG_RAW crypto_auth_hmacsha512_BYTES	/* 64 */

static void
hmac(const unsigned char *secret, size_t secret_len, const void *body, size_t len,
    unsigned char mac[SIG_RAW])
{
	crypto_auth_hmacsha512_state st;

	crypto_auth_hmacsha512_init(&st, secret, secret_len);
	crypto_auth_hmacsha512_update(&st, body, len);
	crypto_auth_hmacsha512_final(&st, mac);
	sodium_memzero(&st, sizeof st);
}

void
webhook_sign(const unsigned char *secret, size_t secret_len, const void *body, size_t len,
    char out[WEBHOOK_SIG_LEN])
{
	unsigned char mac[SIG_RAW];

	hmac(secret, secret_len, body, len, mac);
	sodium_bin2base64(out, WEBHOOK_SIG_LEN, mac, sizeof mac,
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(mac, sizeof mac);
}

int
webhook_signature_ok(const unsigned char *secret, size_t secret_len, const void *body,
    size_t len, const char *header)
{
	unsigned char want[SIG_RAW], got[SIG_RAW];
	size_t got_len = 0;
	const char *end = NULL;
	int ok;

	if (header == NULL || secret == NULL || secret_len == 0)
		return 0;
	/* Leading and trailing blanks are tolerated; anything else that is not
	 * standard base64 of exactly 64 bytes is a wrong signature. */
	while (*header == ' ' || *header == '\t')
		header++;
	if (sodium_base642bin(got, sizeof got, header, strlen(header), " \t", &got_len, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || got_len != sizeof got ||
	    (end != NULL && *end != '\0'))
		return 0;
	hmac(secret, secret_len, body, len, want);
	ok = sodium_memcmp(want, got, sizeof want) == 0;
	sodium_memzero(want, sizeof want);
	return ok;
}

/* ---- payload ---- */

static int
is_ping_text(const char *s, size_t len)
{
	static const char ping[] = "Ping test";

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	return len == sizeof ping - 1 && memcmp(s, ping, len) == 0;
}

/* Copy an id (string or integer) into out; 0 on success. */
static int
copy_id(const json_t *v, char *out, size_t cap)
{
	char *id = json_id_dup(v);
	size_t n;

	if (id == NULL)
		return -1;
	n = strlen(id);
	if (n == 0 || n >= cap) {
		free(id);
		return -1;
	}
	memcpy(out, id, n + 1);
	free(id);
	return 0;
}

/* employee.updated: does fieldUpdates name a field the roster reads?  Each
 * item may be a field id or an object carrying one ("fieldId", "id" or
 * "fieldPath"); an event without a readable list is taken as relevant. */
static int
updates_relevant(const json_t *updates, const char *const *ids, size_t nids)
{
	size_t i, k;
	json_t *it;

	if (!json_is_array(updates) || json_array_size(updates) == 0)
		return 1;
	json_array_foreach(updates, i, it) {
		const char *f = NULL;

		if (json_is_string(it))
			f = json_string_value(it);
		else if (json_is_object(it)) {
			f = json_str(it, "fieldId");
			if (f == NULL)
				f = json_str(it, "id");
			if (f == NULL)
				f = json_str(it, "fieldPath");
		}
		if (f == NULL)
			return 1;
		for (k = 0; k < nids; k++) {
			const char *want = ids[k];

			/* "*custom*": any custom field (their ids are per company) */
			if (str_eq(want, "*custom*")) {
				if (strstr(f, "custom") != NULL)
					return 1;
				continue;
			}

			/* "/work/custom/field_1" and "work.custom.field_1" name one field */
			while (*want == '/')
				want++;
			while (*f == '/')
				f++;
			if (str_eq(f, want))
				return 1;
			if (strlen(f) == strlen(want)) {
				size_t j;

				for (j = 0; f[j] != '\0'; j++) {
					char a = f[j] == '/' ? '.' : f[j];
					char b = want[j] == '/' ? '.' : want[j];

					if (a != b)
						break;
				}
				if (f[j] == '\0')
					return 1;
			}
		}
	}
	return 0;
}

static const char *const roster_events[] = {
	"employee.created", "employee.deleted", "employee.joined", "employee.left",
	"employee.activated", "employee.inactivated",
};

bs_rc
webhook_parse(const void *body, size_t len, const char *const *field_ids, size_t nfield_ids,
    struct webhook_event *ev, struct bs_error *err)
{
	json_error_t je;
	json_t *root, *data;
	const char *type;
	bs_rc rc = BS_ERR_PARSE;
	size_t i;

	memset(ev, 0, sizeof *ev);
	if (body == NULL || len == 0)
		return bs_fail(err, BS_ERR_PARSE, "empty webhook body");
	if (len > WEBHOOK_BODY_MAX)
		return bs_fail(err, BS_ERR_TOO_LARGE, "webhook body of %zu bytes", len);
	if (is_ping_text(body, len)) {
		ev->kind = WH_PING;
		return BS_OK;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (root == NULL)
		return bs_fail(err, BS_ERR_PARSE, "webhook body is not JSON (%s)", je.text);
	if (json_is_string(root) && is_ping_text(json_string_value(root),
	    json_string_length(root))) {
		ev->kind = WH_PING;
		rc = BS_OK;
		goto out;
	}
	if (!json_is_object(root)) {
		bs_fail(err, BS_ERR_PARSE, "webhook body is not a JSON object");
		goto out;
	}
	type = json_str(root, "type");
	if (type == NULL) {
		const char *text = json_str(root, "text");

		if (text != NULL && is_ping_text(text, strlen(text))) {
			ev->kind = WH_PING;
			rc = BS_OK;
		} else
			bs_fail(err, BS_ERR_PARSE, "webhook event without a type");
		goto out;
	}
	if (strlen(type) >= sizeof ev->type) {
		bs_fail(err, BS_ERR_PARSE, "webhook event type too long");
		goto out;
	}
	memcpy(ev->type, type, strlen(type) + 1);
	data = json_object_get(root, "data");
	if (str_starts(type, "timeoff.request.")) {
		long long id;

		if (!json_is_object(data) || json_int(data, "timeoffRequestId", &id) != 0 ||
		    id <= 0) {
			bs_fail(err, BS_ERR_PARSE, "%s without a time-off request id", ev->type);
			goto out;
		}
		ev->kind = WH_TIMEOFF;
		ev->request_id = id;
		/* the employee id is a hint (it saves a look-up), not required */
		if (copy_id(json_object_get(data, "employeeId"), ev->employee_id,
		    sizeof ev->employee_id) != 0)
			ev->employee_id[0] = '\0';
		rc = BS_OK;
		goto out;
	}
	if (str_starts(type, "employee.")) {
		if (!json_is_object(data) || copy_id(json_object_get(data, "employeeId"),
		    ev->employee_id, sizeof ev->employee_id) != 0) {
			bs_fail(err, BS_ERR_PARSE, "%s without an employee id", ev->type);
			goto out;
		}
		ev->kind = WH_EMPLOYEE;
		if (str_eq(type, "employee.updated"))
			ev->roster_relevant = updates_relevant(json_object_get(data,
			    "fieldUpdates"), field_ids, nfield_ids);
		else
			for (i = 0; i < ARRAY_LEN(roster_events); i++)
				if (str_eq(type, roster_events[i]))
					ev->roster_relevant = 1;
		rc = BS_OK;
		goto out;
	}
	ev->kind = WH_OTHER;	/* table, task, docs events: answered, not used */
	rc = BS_OK;
out:
	json_decref(root);
	return rc;
}

/* ---- queue ---- */

struct webhook_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long long *req;
	char **req_emp;
	size_t nreq, capreq;
	char **emp;
	size_t nemp, capemp;
	int overflowed;
	int woken;
	struct webhook_stats stats;
};

struct webhook_queue *
webhook_queue_new(void)
{
	struct webhook_queue *q = xcalloc(1, sizeof *q);
	pthread_condattr_t ca;

	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cv, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
webhook_batch_clear(struct webhook_batch *b)
{
	if (b == NULL)
		return;
	free(b->request_ids);
	strv_free(b->request_employees, b->nrequests);
	strv_free(b->employees, b->nemployees);
	memset(b, 0, sizeof *b);
}

void
webhook_queue_free(struct webhook_queue **qp)
{
	struct webhook_queue *q;

	if (qp == NULL || *qp == NULL)
		return;
	q = *qp;
	free(q->req);
	strv_free(q->req_emp, q->nreq);
	strv_free(q->emp, q->nemp);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
	*qp = NULL;
}

static void
push_request(struct webhook_queue *q, long long id, const char *employee)
{
	size_t i;

	for (i = 0; i < q->nreq; i++)
		if (q->req[i] == id) {
			if (q->req_emp[i][0] == '\0' && employee[0] != '\0') {
				free(q->req_emp[i]);
				q->req_emp[i] = xstrdup(employee);
			}
			return;
		}
	if (q->nreq >= WEBHOOK_QUEUE_MAX) {
		q->overflowed = 1;
		return;
	}
	if (q->nreq == q->capreq) {
		q->capreq = q->capreq ? q->capreq * 2 : 16;
		q->req = xreallocarray(q->req, q->capreq, sizeof *q->req);
		q->req_emp = xreallocarray(q->req_emp, q->capreq, sizeof *q->req_emp);
	}
	q->req[q->nreq] = id;
	q->req_emp[q->nreq] = xstrdup(employee);
	q->nreq++;
}

static void
push_employee(struct webhook_queue *q, const char *id)
{
	size_t i;

	for (i = 0; i < q->nemp; i++)
		if (str_eq(q->emp[i], id))
			return;
	if (q->nemp >= WEBHOOK_QUEUE_MAX) {
		q->overflowed = 1;
		return;
	}
	if (q->nemp == q->capemp) {
		q->capemp = q->capemp ? q->capemp * 2 : 16;
		q->emp = xreallocarray(q->emp, q->capemp, sizeof *q->emp);
	}
	q->emp[q->nemp++] = xstrdup(id);
}

void
webhook_queue_push(struct webhook_queue *q, const struct webhook_event *ev, int64_t now)
{
	pthread_mutex_lock(&q->mu);
	q->stats.accepted++;
	q->stats.last_at = now;
	snprintf(q->stats.last_type, sizeof q->stats.last_type, "%s",
	    ev->kind == WH_PING ? "ping" : ev->type);
	if (ev->kind == WH_TIMEOFF)
		push_request(q, ev->request_id, ev->employee_id);
	else if (ev->kind == WH_EMPLOYEE && ev->roster_relevant)
		push_employee(q, ev->employee_id);
	if (q->nreq > 0 || q->nemp > 0 || q->overflowed)
		pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

void
webhook_queue_reject(struct webhook_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->stats.rejected++;
	pthread_mutex_unlock(&q->mu);
}

void
webhook_queue_stats(struct webhook_queue *q, struct webhook_stats *out)
{
	pthread_mutex_lock(&q->mu);
	*out = q->stats;
	pthread_mutex_unlock(&q->mu);
}

void
webhook_queue_wake(struct webhook_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->woken = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static void
deadline_after(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int
webhook_queue_wait(struct webhook_queue *q, long timeout_ms, int settle_ms)
{
	struct timespec until;
	int have;

	if (timeout_ms < 0)
		timeout_ms = 0;
	deadline_after(&until, timeout_ms);
	pthread_mutex_lock(&q->mu);
	while (q->nreq == 0 && q->nemp == 0 && !q->overflowed && !q->woken)
		if (pthread_cond_timedwait(&q->cv, &q->mu, &until) == ETIMEDOUT)
			break;
	have = q->nreq > 0 || q->nemp > 0 || q->overflowed;
	if (have && !q->woken && settle_ms > 0) {
		/* a burst (an approval chain, a bulk import) becomes one run */
		deadline_after(&until, settle_ms);
		while (!q->woken)
			if (pthread_cond_timedwait(&q->cv, &q->mu, &until) == ETIMEDOUT)
				break;
	}
	q->woken = 0;
	pthread_mutex_unlock(&q->mu);
	return have;
}

void
webhook_queue_take(struct webhook_queue *q, struct webhook_batch *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&q->mu);
	out->request_ids = q->req;
	out->request_employees = q->req_emp;
	out->nrequests = q->nreq;
	out->employees = q->emp;
	out->nemployees = q->nemp;
	out->overflowed = q->overflowed;
	q->req = NULL;
	q->req_emp = NULL;
	q->emp = NULL;
	q->nreq = q->capreq = q->nemp = q->capemp = 0;
	q->overflowed = 0;
	pthread_mutex_unlock(&q->mu);
}
