/* daemon_webhook.h - HiBob webhooks in `bobsync daemon` (see webhook.h for
 * the receiver itself). */
#ifndef BS_DAEMON_WEBHOOK_H
#define BS_DAEMON_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "net/webhook.h"

struct app;
struct app_ctx;
struct store;

struct daemon_webhooks {
	struct webhook_queue *q;		/* NULL when webhooks are off */
	struct webhook_server *server;
	struct store *store;			/* borrowed: where the counts go */
	long long *pending_requests;		/* time-off requests not yet read by a run */
	char **pending_employees;		/* parallel: each one's employee ("" unknown) */
	size_t npending_requests;
	int roster_wanted;			/* an employee event asks for a roster run */
	int64_t roster_last, roster_gap;	/* webhook.roster_minutes apart at most */
	long saved_accepted, saved_rejected;	/* counts already written to the store */
};

/* Start listening when webhook.listen is set (nothing to do otherwise).
 * Needs the webhook secret in the vault. */
bs_rc dwh_start(struct app *a, struct app_ctx *ctx, struct daemon_webhooks *w,
    struct bs_error *err);
void dwh_stop(struct daemon_webhooks *w);

/* Sleep up to ms; returns early (1) when webhooks brought work.  Saves
 * the counts `status` shows when they changed. */
int dwh_wait(struct daemon_webhooks *w, long ms);

/* Take what came: returns 1 when a time-off run is wanted now (the request
 * ids are in w->pending_requests); *roster_due when a roster run is. Saves
 * the counts `status` shows. */
int dwh_take(struct daemon_webhooks *w, struct store *st, int64_t now, int *roster_due);
/* After the time-off run: ok forgets the pending request ids. */
void dwh_done(struct daemon_webhooks *w, int ok);

#endif
