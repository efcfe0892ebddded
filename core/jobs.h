/* jobs.h - running a sync as a scheduled job: state, quarantine, backoff,
 * alerts.
 *
 * Each job (roster, time off, nightly reconciliation) keeps its state in
 * the store: last run and result, next run, consecutive failures and the
 * backoff they earn (15 min, 1 h, 6 h, 24 h), a quarantine when HiBob,
 * Assembled or Alleo rejected the credentials or permissions, and the plan
 * id a guard is waiting on.  alert.command is run on a failure, a guard
 * trip, a quarantine and the recovery after them, with the details in
 * BOBSYNC_* environment variables and never a secret.
 */
#ifndef BS_JOBS_H
#define BS_JOBS_H

#include <stdint.h>

#include "plan.h"
#include "result.h"

struct bs_session;
struct conf;
struct store;

enum job_kind { JOB_ROSTER, JOB_TIMEOFF, JOB_RECONCILE, JOB_COUNT };

struct job_state {
	int64_t last_run;	/* start of the last run, unix seconds; 0 = never */
	int64_t last_ok;	/* end of the last successful run */
	int64_t next_run;	/* when the daemon runs it next */
	char last_result[16];	/* "ok", "failed", "blocked", "partial", "" */
	int failures;		/* consecutive failures */
	int64_t backoff_until;
	char quarantine[256];	/* why it is quarantined, "" when not */
	char blocked_plan[PLAN_ID_LEN + 1];
	char message[256];	/* last error or summary */
	int64_t last_run_id;
};

const char *job_name(enum job_kind k);		/* "roster", "timeoff", "reconcile" */
int job_parse(const char *name, enum job_kind *k);
int job_enabled(const struct conf *conf, enum job_kind k);

bs_rc job_state_load(struct store *st, enum job_kind k, struct job_state *out,
    struct bs_error *err);
bs_rc job_state_save(struct store *st, enum job_kind k, const struct job_state *s,
    struct bs_error *err);

/* When the job is due next by the schedule alone (drift-free): time off
 * every timeoff.poll_minutes on the clock's grid, the roster daily at
 * roster.run_at, reconciliation daily at timeoff.reconcile_at (local time
 * of this machine). */
int64_t job_schedule_next(const struct conf *conf, enum job_kind k, int64_t now);
/* Due time taking backoff and quarantine (retried hourly) into account. */
int64_t job_due(const struct conf *conf, enum job_kind k, const struct job_state *s,
    int64_t now);

/* Run the job now (the caller holds the lock), record its state, alert on
 * transitions.  Returns what the engine returned. */
bs_rc job_run(struct bs_session *s, enum job_kind k, const struct sync_opts *o,
    struct sync_result *r, struct bs_error *err);

/* Credentials proven: before a run, each secret the job uses that its
 * service has not accepted since it was stored is tried with one cheap
 * call (a rejection stops the run: exit 6, quarantine, alert).
 * job_credentials_changed: a secret of the job was stored since it was
 * last accepted or rejected (a quarantined job is then due at once). */
int job_credentials_changed(struct bs_session *s, enum job_kind k);

/* Run alert.command with the event (never blocks more than 60 s).
 * event: "failure", "guard", "quarantine", "recovery". */
void job_alert(const struct conf *conf, const char *event, enum job_kind k,
    const struct job_state *s, const char *message);

/* Time zone of this machine (TZ, /etc/timezone, else UTC). */
const struct tz *job_local_zone(void);

#endif
