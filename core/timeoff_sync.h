/* timeoff_sync.h - approved HiBob time off -> Assembled events.
 *
 * Incremental runs poll HiBob's changes feed from a stored cursor (with an
 * overlap so nothing is missed at the edges); reconciliation compares the
 * whole window in HiBob with the events bobsync owns in Assembled (found by
 * the "hibob:<requestId>" marker and the mapping table) and repairs drift
 * both ways.  Each action is journaled before it is sent.
 */
#ifndef BS_TIMEOFF_SYNC_H
#define BS_TIMEOFF_SYNC_H

#include "plan.h"
#include "progress.h"
#include "result.h"

struct bs_session;

/* What a sync would do now.  reconcile = compare the whole window instead
 * of reading the changes feed. */
bs_rc toff_plan_now(struct bs_session *s, int reconcile, const char *approve,
    const struct bs_progress *progress, struct plan *out, struct bs_error *err);
/* Plan, guard, apply, record.  o->kind "reconcile" runs a reconciliation. */
bs_rc toff_sync(struct bs_session *s, const struct sync_opts *o,
    struct sync_result *r, struct bs_error *err);

#endif
