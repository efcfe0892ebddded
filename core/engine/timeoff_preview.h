/* timeoff_preview.h - which HiBob time-off requests will reach Assembled,
 * and which will not and why (`bobsync preview timeoff`, the wizard's
 * preview step).
 *
 * Every request of a window: approved (and pending, when HiBob lists them)
 * from who's out, plus the canceled, declined and deleted ones the changes
 * feed saw, each decided by the same rule functions the sync uses
 * (toff_target_eval -> toff_decide), with the agent's zone and the event
 * times as they will be created.
 */
#ifndef BS_TIMEOFF_PREVIEW_H
#define BS_TIMEOFF_PREVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/progress.h"
#include "base/result.h"
#include "engine/timeoff_sync.h"

struct bs_session;

struct toff_preview_item {
	long long request_id;
	char *employee_id;
	char *email;		/* may be NULL */
	char *name;		/* may be NULL */
	char *policy;		/* may be NULL */
	char *type;		/* "days", "hours", "portionOnRange" ... */
	char *status;		/* "approved", "pending", "canceled", "disapproved", "deleted",
				 * "not read" (skipped whatever it is), "unknown" */
	int sync;
	enum toff_why why;
	char *reason;
	char *zone;		/* the agent's zone (or the default) */
	char *agent_id;		/* NULL when unmatched */
	char start[32];		/* ISO 8601 with the local offset, "" when none */
	char end[32];
	size_t nevents;		/* > 1 for a request split into parts */
	char first_date[11];	/* for ordering: the request's first day */
	char last_date[11];	/* the request's last day ("" when open-ended) */
	int64_t t_start, t_end;	/* the events' span, unix seconds (0 when none) */
	/* toff_preview_run keeps an item's strings together here, in the
	 * preview's arena (NULL: each is its own); a string outside it is
	 * freed on its own */
	char *block;
	size_t blen;
};

struct toff_preview {
	char from[11];		/* the window, YYYY-MM-DD */
	char to[11];
	struct toff_preview_item *v;	/* owned */
	size_t n;
	size_t cap;			/* room in v (toff_preview_run) */
	long total, sync, skip;
	long per_why[TOFF_WHY_OTHER + 1];
	int assembled;		/* 1 when Assembled was read */
	char assembled_problem[256];	/* why not, when it was not */
	struct arena text;	/* the items' strings (each item's block) */
};

/* from and to are YYYY-MM-DD or NULL for the sync window.  Reads HiBob
 * (who's out and the changes feed) and, when configured, Assembled people
 * and activity types; nothing is written. */
bs_rc toff_preview_run(struct bs_session *s, const char *from, const char *to,
    const struct bs_progress *progress, struct toff_preview *out, struct bs_error *err);
void toff_preview_clear(struct toff_preview *p);

#endif
