/* daemon_webhook.c - the daemon's webhook receiver: started with the
 * daemon when webhook.listen is set, it turns HiBob's events into prompt
 * runs of the time-off sync (and of the roster, at most every
 * webhook.roster_minutes), and keeps what status shows in the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "config/conf.h"
#include "daemon_webhook.h"
#include "base/log.h"
#include "store/store.h"
#include "base/humantime.h"
#include "base/util.h"
#include "config/vault.h"


static void
stamp(char buf[21])
{
	time_format_utc(clock_now(), buf);
}

static void
log_line(void *ctx, const char *line)
{
	char ts[21];

	(void)ctx;
	stamp(ts);
	fprintf(stderr, "%s bobsync: %s\n", ts, line);
}

/* The HiBob fields whose change matters to the roster (employee.updated's
 * fieldUpdates are compared with these). */
static const char *const roster_fields[] = {
	"root.email", "root.firstName", "root.surname", "work.startDate", "work.site",
	"internal.lifecycleStatus", "internal.status", "internal.terminationDate",
};

bs_rc
dwh_start(struct app *a, struct app_ctx *ctx, struct daemon_webhooks *w, struct bs_error *err)
{
	const char *listen = conf_get(a->conf, "webhook.listen");
	const char *secret;
	const char *ids[ARRAY_LEN(roster_fields) + 1];
	struct webhook_server_opts o = { 0 };
	size_t n = 0;
	bs_rc rc;

	memset(w, 0, sizeof *w);
	if (str_empty(listen))
		return BS_OK;
	secret = ctx->vault != NULL ? vault_get(ctx->vault, VAULT_WEBHOOK_SECRET) : NULL;
	if (str_empty(secret))
		return bs_fail(err, BS_ERR_VAULT_MISSING, "webhook.listen is set but no webhook secret "
		    "is stored: copy it from Bob (Settings > Integrations > Webhooks) and store it with "
		    "'bobsync credentials set webhook', or unset webhook.listen");
	for (size_t i = 0; i < ARRAY_LEN(roster_fields); i++)
		ids[n++] = roster_fields[i];
	/* the eligibility and budget fields are custom fields, whose ids
	 * differ per company */
	ids[n++] = "*custom*";
	w->q = webhook_queue_new();
	o.listen = listen;
	o.path = conf_get(a->conf, "webhook.path");
	o.secret = (const unsigned char *)secret;
	o.secret_len = strlen(secret);
	o.field_ids = ids;
	o.nfield_ids = n;
	o.log = log_line;
	rc = webhook_server_start(&o, w->q, &w->server, err);
	if (rc != BS_OK) {
		webhook_queue_free(&w->q);
		return rc;
	}
	w->roster_gap = conf_get_int(a->conf, "webhook.roster_minutes") * 60;
	w->store = ctx->store;
	log_line(NULL, "receiving HiBob webhooks");
	fprintf(stderr, "    on %s%s\n", listen, o.path);
	return BS_OK;
}

void
dwh_stop(struct daemon_webhooks *w)
{
	if (w->q != NULL)
		webhook_queue_wake(w->q);
	webhook_server_stop(&w->server);
	webhook_queue_free(&w->q);
	dwh_done(w, 1);
}

static void save_stats(struct daemon_webhooks *w, struct store *st);

int
dwh_wait(struct daemon_webhooks *w, long ms)
{
	int work;

	if (w->q == NULL) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		return 0;
	}
	/* a burst (an approval chain, a bulk import) is taken as one run */
	work = webhook_queue_wait(w->q, ms, 1500);
	if (w->store != NULL)
		save_stats(w, w->store);
	return work;
}

/* Keep today's counts in the store for `bobsync status`. */
static void
save_stats(struct daemon_webhooks *w, struct store *st)
{
	struct webhook_stats s;
	char day[11], buf[32], *old = NULL;
	long acc, rej;

	webhook_queue_stats(w->q, &s);
	acc = s.accepted - w->saved_accepted;
	rej = s.rejected - w->saved_rejected;
	if (acc == 0 && rej == 0)
		return;
	date_format(ht_local_today(clock_now()), day);	/* the admin's day, as status reads it */
	if (store_kv_get(st, WEBHOOK_KV_DAY, &old, NULL) != BS_OK || !str_eq(old, day)) {
		store_kv_set(st, WEBHOOK_KV_DAY, day, clock_now(), NULL);
		store_kv_set(st, WEBHOOK_KV_ACCEPTED, "0", clock_now(), NULL);
		store_kv_set(st, WEBHOOK_KV_REJECTED, "0", clock_now(), NULL);
	}
	free(old);
	for (int k = 0; k < 2; k++) {
		const char *key = k == 0 ? WEBHOOK_KV_ACCEPTED : WEBHOOK_KV_REJECTED;
		char *v = NULL;
		long have = 0;

		if (store_kv_get(st, key, &v, NULL) == BS_OK && v != NULL)
			have = strtol(v, NULL, 10);
		free(v);
		snprintf(buf, sizeof buf, "%ld", have + (k == 0 ? acc : rej));
		store_kv_set(st, key, buf, clock_now(), NULL);
	}
	if (s.last_at > 0) {
		snprintf(buf, sizeof buf, "%lld", (long long)s.last_at);
		store_kv_set(st, WEBHOOK_KV_LAST_AT, buf, clock_now(), NULL);
		store_kv_set(st, WEBHOOK_KV_LAST_TYPE, s.last_type, clock_now(), NULL);
	}
	if (rej > 0) {
		char msg[160];

		snprintf(msg, sizeof msg, "%ld webhook(s) refused (bad signature, method, size or body); "
		    "none was acted on", rej);
		store_audit(st, 0, "warning", "webhook", msg, clock_now());
	}
	w->saved_accepted = s.accepted;
	w->saved_rejected = s.rejected;
}

int
dwh_take(struct daemon_webhooks *w, struct store *st, int64_t now, int *roster_due)
{
	struct webhook_batch b;
	int timeoff = 0;

	*roster_due = 0;
	if (w->q == NULL)
		return 0;
	webhook_queue_take(w->q, &b);
	save_stats(w, st);
	if (b.nrequests > 0 || b.overflowed) {
		/* remembered until the time-off run that reads them succeeds */
		for (size_t i = 0; i < b.nrequests; i++) {
			size_t k;

			for (k = 0; k < w->npending_requests; k++)
				if (w->pending_requests[k] == b.request_ids[i])
					break;
			if (k < w->npending_requests)
				continue;
			w->pending_requests = xreallocarray(w->pending_requests,
			    w->npending_requests + 1, sizeof *w->pending_requests);
			w->pending_employees = xreallocarray(w->pending_employees,
			    w->npending_requests + 1, sizeof *w->pending_employees);
			w->pending_requests[w->npending_requests] = b.request_ids[i];
			w->pending_employees[w->npending_requests++] =
			    xstrdup(b.request_employees[i] != NULL ? b.request_employees[i] : "");
		}
		timeoff = 1;
	}
	if (b.nemployees > 0 || b.overflowed)
		w->roster_wanted = 1;
	if (w->roster_wanted && now - w->roster_last >= w->roster_gap) {
		*roster_due = 1;
		w->roster_wanted = 0;
		w->roster_last = now;
	}
	webhook_batch_clear(&b);
	return timeoff;
}

void
dwh_done(struct daemon_webhooks *w, int ok)
{
	if (!ok)
		return;
	for (size_t i = 0; i < w->npending_requests; i++)
		free(w->pending_employees[i]);
	FREE(w->pending_employees);
	FREE(w->pending_requests);
	w->npending_requests = 0;
}
