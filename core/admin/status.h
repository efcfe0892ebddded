/* status.h - what `bobsync status` and the dashboard show. */
#ifndef BS_STATUS_H
#define BS_STATUS_H

#include <jansson.h>

#include "admin/jobs.h"
#include "admin/service.h"
#include "base/result.h"

struct conf;
struct store;
struct bs_paths;

struct status_job {
	enum job_kind kind;
	int enabled;
	struct job_state st;
	int64_t due;		/* when it runs next */
	int64_t lag;		/* seconds since the last successful run, -1 never */
	long count;		/* roster: provisioned; time off: synced events */
	/* the newest run of this sync when the store has no end for it, and
	 * it is newer than the last run the job state records: open_live when
	 * a process holds the run lock since before it started (it is running
	 * now), else it was killed (and the next run, as soon as it holds the
	 * lock, records it as interrupted); open_run 0 = none */
	int64_t open_run, open_started;
	int open_live;
};

/* HiBob webhooks, as the daemon last recorded them. */
struct status_webhook {
	int on;			/* webhook.listen is set */
	int64_t last_at;	/* the last accepted event; 0 = none yet */
	char last_type[64];
	long accepted_today, rejected_today;	/* the local day (TZ) */
};

struct bs_status {
	int configured;		/* HiBob credentials stored and a sync enabled */
	int vault_exists;
	struct status_job jobs[JOB_COUNT];
	int quarantine;		/* any job quarantined */
	struct status_webhook webhook;
	struct core_status core;	/* the sync core: running, stalled, paused */
	int64_t now;
};

/* store may be NULL (no state yet).  A stalled sync core raises
 * alert.command here, once per stalled heartbeat (service.h). */
bs_rc status_read(const struct conf *conf, const struct bs_paths *paths,
    struct store *st, struct bs_status *out, struct bs_error *err);
/* cli.md "status --json"; caller decrefs. */
json_t *status_to_json(const struct bs_status *s);

#endif
