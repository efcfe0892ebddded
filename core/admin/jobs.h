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

#include "engine/plan.h"
#include "base/result.h"

struct bs_session;
struct check_report;
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
/* The commands that review and apply a plan of the job a guard holds:
 * "plan timeoff --reconcile" and "reconcile timeoff" for the reconciliation,
 * "plan roster" and "sync roster" for the roster, and so on. */
const char *job_review_command(enum job_kind k);
const char *job_approve_command(enum job_kind k);
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

/* Plan the job now for an entry point that shows the plan before it runs
 * it (the console): full = a full comparison of time off.  A plan that
 * cannot be made, and a plan the guard blocks (once per plan), are
 * recorded as runs of `origin` and in the job state, as job_run would. */
bs_rc job_plan(struct bs_session *s, enum job_kind k, const char *origin, int full,
    const struct bs_progress *progress, struct plan *out, struct bs_error *err);

/* Record an attempt that could not start (the lock was busy, nothing is
 * configured): a run "not run" of `origin`, and the job state (not when
 * the lock was busy: the run holding it owns the state). */
void job_record_not_run(struct bs_session *s, enum job_kind k, const char *origin, bs_rc rc,
    const struct bs_error *err);

/* 1 when the next time-off run must compare the whole window, because a
 * setting that shapes the events changed since the last look (noticed
 * here, whoever changed it); why gets the changed keys.  Cleared by a
 * successful full comparison. */
int job_timeoff_full_pending(struct bs_session *s, char *why, size_t whylen);

/* 1 when the checks of rep show that what quarantined job k is fixed:
 * HiBob accepts the Service User and no check of a service the job talks
 * to fails. */
int job_checks_clear(const struct conf *conf, enum job_kind k, const struct check_report *rep);
/* Lift the quarantine of job k (the admin confirmed): due at once. */
bs_rc job_resume(struct store *st, enum job_kind k, const char *why, struct bs_error *err);

/* The names of Assembled's time-off activity types (for choosing one);
 * the caller frees each and the array. */
bs_rc job_timeoff_types(struct bs_session *s, char ***out, size_t *n, struct bs_error *err);
/* Entry-time check of assembled.policy_map / assembled.timeoff_type
 * against Assembled's time-off types: 1 good (or another key), 0 refused
 * (why names the unknown type and those there are), -1 Assembled could
 * not be asked (why says so; the caller may keep the value). */
int job_check_type_names(struct bs_session *s, const char *key, const char *value, char *why,
    size_t whylen);
/* Credentials proven: before a run, each secret the job uses that its
 * service has not accepted since it was stored is tried with one cheap
 * call (a rejection stops the run: exit 6, quarantine, alert).
 * job_credentials_changed: a secret of the job was stored since it was
 * last accepted or rejected (a quarantined job is then due at once). */
int job_credentials_changed(struct bs_session *s, enum job_kind k);

/* Run alert.command with the event (never blocks more than 60 s).
 * event: "failure", "guard", "quarantine", "recovery"; "stalled" with k
 * JOB_COUNT for the sync core itself (BOBSYNC_SYNC=core). */
void job_alert(const struct conf *conf, const char *event, enum job_kind k,
    const struct job_state *s, const char *message);

/* Time zone of this machine (TZ, /etc/timezone, else UTC). */
const struct tz *job_local_zone(void);

#endif
