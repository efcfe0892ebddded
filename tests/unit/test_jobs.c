/* test_jobs.c - the job bookkeeping that needs no service: a setting that
 * shapes the time-off events marks a full comparison; an attempt that
 * could not start is recorded as "not run" with who started it; checks
 * that pass lift a quarantine only on request; each job's schedule, when
 * it is due, the backoff of failed attempts and the quarantine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "admin/checks.h"
#include "config/conf.h"
#include "admin/jobs.h"
#include "admin/status.h"
#include "base/paths.h"
#include "base/humantime.h"
#include "net/webhook.h"
#include "base/log.h"
#include "engine/session.h"
#include "store/store.h"
#include "base/util.h"

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
	struct conf *conf;
	struct bs_session s;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct bs_error err = { 0 };

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/bs_jobs_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
	assert_int_equal(store_open(f->path, &f->st, &err), BS_OK);
	f->conf = conf_new();
	session_init(&f->s, f->conf, NULL, f->st, NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[192];

	session_close(&f->s);
	conf_free(&f->conf);
	store_close(&f->st);
	snprintf(p, sizeof p, "%s/state.db-wal", f->dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/state.db-shm", f->dir);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
full_pending_after_event_setting_change(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	char why[256];

	/* the first look only remembers the settings */
	assert_int_equal(job_timeoff_full_pending(&f->s, why, sizeof why), 0);
	assert_int_equal(job_timeoff_full_pending(&f->s, why, sizeof why), 0);
	/* a setting that does not shape events changes nothing */
	assert_int_equal(conf_set(f->conf, "timeoff.poll_minutes", "7", &err), BS_OK);
	assert_int_equal(job_timeoff_full_pending(&f->s, why, sizeof why), 0);
	/* the policy map does, and the reason names it; it stays until a
	 * full comparison clears it */
	assert_int_equal(conf_set(f->conf, "assembled.policy_map", "Holiday=Holiday", &err), BS_OK);
	assert_int_equal(job_timeoff_full_pending(&f->s, why, sizeof why), 1);
	assert_non_null(strstr(why, "assembled.policy_map"));
	assert_null(strstr(why, "poll_minutes"));
	assert_int_equal(job_timeoff_full_pending(&f->s, why, sizeof why), 1);
	assert_int_equal(store_kv_set(f->st, "timeoff.full_pending", "", 1, &err), BS_OK);
	assert_int_equal(job_timeoff_full_pending(&f->s, why, sizeof why), 0);
	assert_int_equal(conf_set(f->conf, "timeoff.split_chunks", "true", &err), BS_OK);
	assert_int_equal(job_timeoff_full_pending(&f->s, why, sizeof why), 1);
	assert_non_null(strstr(why, "timeoff.split_chunks"));
}

static void
not_run_is_recorded_with_origin(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 }, why = { 0 };
	struct store_run *runs = NULL;
	struct job_state js;
	size_t n = 0;

	bs_fail(&why, BS_ERR_LOCKED, "another bobsync holds the lock");
	job_record_not_run(&f->s, JOB_TIMEOFF, "console", BS_ERR_LOCKED, &why);
	assert_int_equal(store_runs_list(f->st, NULL, 10, &runs, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(runs[0].result, "not run");
	assert_string_equal(runs[0].origin, "console");
	assert_string_equal(runs[0].target, "timeoff");
	assert_non_null(strstr(runs[0].message, "holds the lock"));
	store_runs_free(runs, n);
	/* the run holding the lock owns the state: no failure, no backoff */
	assert_int_equal(job_state_load(f->st, JOB_TIMEOFF, &js, &err), BS_OK);
	assert_int_equal(js.last_run, 0);
	assert_int_equal(js.failures, 0);
	/* nothing configured: a failed attempt in the state too */
	bs_fail(&why, BS_ERR_NOT_CONFIGURED, "no Assembled API key stored");
	job_record_not_run(&f->s, JOB_TIMEOFF, "cli", BS_ERR_NOT_CONFIGURED, &why);
	assert_int_equal(job_state_load(f->st, JOB_TIMEOFF, &js, &err), BS_OK);
	assert_string_equal(js.last_result, "not run");
	assert_true(js.last_run > 0);
	assert_int_equal(js.failures, 1);
	/* a cancelled attempt is not an attempt */
	job_record_not_run(&f->s, JOB_ROSTER, "console", BS_ERR_CANCELLED, &why);
	assert_int_equal(store_runs_list(f->st, NULL, 10, &runs, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	store_runs_free(runs, n);
}

static void
resume_lifts_quarantine_when_checks_pass(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct check_report rep;
	struct job_state js;

	memset(&js, 0, sizeof js);
	js.last_run = 100;
	js.failures = 2;
	snprintf(js.quarantine, sizeof js.quarantine, "HiBob: 401");
	assert_int_equal(job_state_save(f->st, JOB_TIMEOFF, &js, &err), BS_OK);

	memset(&rep, 0, sizeof rep);
	for (int i = 0; i < CHECK_COUNT; i++)
		rep.v[i].status = CHECK_PASS;
	rep.v[CHECK_ASSEMBLED_AUTH].status = CHECK_FAIL;
	assert_int_equal(job_checks_clear(f->conf, JOB_TIMEOFF, &rep), 0);
	assert_int_equal(job_checks_clear(f->conf, JOB_ROSTER, &rep), 1);
	rep.v[CHECK_ASSEMBLED_AUTH].status = CHECK_PASS;
	rep.v[CHECK_HIBOB_AUTH].status = CHECK_SKIP;
	assert_int_equal(job_checks_clear(f->conf, JOB_TIMEOFF, &rep), 0);
	rep.v[CHECK_HIBOB_AUTH].status = CHECK_PASS;
	assert_int_equal(job_checks_clear(f->conf, JOB_TIMEOFF, &rep), 1);

	assert_int_equal(job_resume(f->st, JOB_TIMEOFF, "the checks pass again", &err), BS_OK);
	assert_int_equal(job_state_load(f->st, JOB_TIMEOFF, &js, &err), BS_OK);
	assert_string_equal(js.quarantine, "");
	assert_int_equal(js.failures, 0);
	assert_true(js.next_run > 0);
	assert_true(job_due(f->conf, JOB_TIMEOFF, &js, clock_now()) <= clock_now());
}

/* The schedule of each job: time off on the clock's grid of
 * timeoff.poll_minutes; the roster and the reconciliation daily at their
 * local time on this machine, across a change of the clocks. */
static void
schedule_next_by_job(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	char *tz_before = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;

	unsetenv("BOBSYNC_TEST_POLL_SECONDS");
	assert_int_equal(conf_set(f->conf, "timeoff.poll_minutes", "7", &err), BS_OK);
	assert_int_equal(job_schedule_next(f->conf, JOB_TIMEOFF, 1000), 1260);
	assert_int_equal(job_schedule_next(f->conf, JOB_TIMEOFF, 1260), 1680);
	setenv("TZ", "Europe/Amsterdam", 1);
	assert_int_equal(conf_set(f->conf, "roster.run_at", "02:30", &err), BS_OK);
	/* 2026-03-28 02:30 CET -> 29 March 03:00 CEST (02:30 does not exist) */
	assert_int_equal(job_schedule_next(f->conf, JOB_ROSTER, 1774661400), 1774746000);
	/* 2026-10-24 03:00 CEST -> 25 October 03:00 CET, 25 hours on */
	assert_int_equal(job_schedule_next(f->conf, JOB_RECONCILE, 1792803600),
	    1792803600 + 25 * 3600);
	setenv("TZ", "America/New_York", 1);
	/* 2026-03-07 02:30 EST -> 8 March 03:00 EDT */
	assert_int_equal(job_schedule_next(f->conf, JOB_ROSTER, 1772868600), 1772953200);
	if (tz_before != NULL)
		setenv("TZ", tz_before, 1);
	else
		unsetenv("TZ");
	free(tz_before);
}

/* When a job is due: at once when it never ran; else by the schedule from
 * its last run, brought forward by a stored next run, pushed back by a
 * backoff, and no sooner than an hour after a run that was quarantined. */
static void
due_takes_backoff_and_quarantine(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct job_state js;

	unsetenv("BOBSYNC_TEST_POLL_SECONDS");
	assert_int_equal(conf_set(f->conf, "timeoff.poll_minutes", "10", &err), BS_OK);
	memset(&js, 0, sizeof js);
	assert_int_equal(job_due(f->conf, JOB_TIMEOFF, &js, 5000), 5000);
	js.last_run = 6000;
	assert_int_equal(job_due(f->conf, JOB_TIMEOFF, &js, 6100), 6600);
	js.next_run = 6300;		/* a retry asked for sooner */
	assert_int_equal(job_due(f->conf, JOB_TIMEOFF, &js, 6100), 6300);
	js.next_run = 9000;		/* a later stored time does not delay it */
	assert_int_equal(job_due(f->conf, JOB_TIMEOFF, &js, 6100), 6600);
	js.backoff_until = 6000 + 15 * 60;
	assert_int_equal(job_due(f->conf, JOB_TIMEOFF, &js, 6100), 6900);
	js.backoff_until = 0;
	snprintf(js.quarantine, sizeof js.quarantine, "HiBob: 401");
	assert_int_equal(job_due(f->conf, JOB_TIMEOFF, &js, 6100), 6000 + 3600);
}

/* A plan that cannot be made is a failed run of its origin; consecutive
 * failures back off 15 minutes, then an hour. */
static void
failed_attempts_back_off(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_run *runs = NULL;
	struct job_state js;
	struct plan p;
	size_t n = 0;
	int64_t wait;

	/* nothing is configured: HiBob cannot be asked */
	assert_int_not_equal(job_plan(&f->s, JOB_ROSTER, "console", 0, NULL, &p, &err), BS_OK);
	plan_clear(&p);
	assert_int_equal(store_runs_list(f->st, NULL, 10, &runs, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(runs[0].result, "failed");
	assert_string_equal(runs[0].origin, "console");
	store_runs_free(runs, n);
	assert_int_equal(job_state_load(f->st, JOB_ROSTER, &js, &err), BS_OK);
	assert_string_equal(js.last_result, "failed");
	assert_int_equal(js.failures, 1);
	assert_string_equal(js.quarantine, "");
	wait = js.backoff_until - js.last_run;
	assert_true(wait >= 15 * 60 - 1 && wait <= 15 * 60 + 1);
	assert_true(job_due(f->conf, JOB_ROSTER, &js, js.last_run) >= js.backoff_until);
	memset(&err, 0, sizeof err);
	assert_int_not_equal(job_plan(&f->s, JOB_ROSTER, "daemon", 0, NULL, &p, &err), BS_OK);
	plan_clear(&p);
	assert_int_equal(job_state_load(f->st, JOB_ROSTER, &js, &err), BS_OK);
	assert_int_equal(js.failures, 2);
	wait = js.backoff_until - js.last_run;
	assert_true(wait >= 3600 - 1 && wait <= 3600 + 1);
}

/* A rejected credential quarantines the job: no backoff, retried hourly. */
static void
rejected_credentials_quarantine(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 }, why = { 0 };
	struct job_state js;

	bs_fail(&why, BS_ERR_AUTH, "HiBob rejected the Service User (HTTP 401)");
	job_record_not_run(&f->s, JOB_ROSTER, "daemon", BS_ERR_AUTH, &why);
	assert_int_equal(job_state_load(f->st, JOB_ROSTER, &js, &err), BS_OK);
	assert_non_null(strstr(js.quarantine, "HTTP 401"));
	assert_int_equal(js.backoff_until, 0);
	assert_int_equal(js.failures, 1);
	assert_true(job_due(f->conf, JOB_ROSTER, &js, js.last_run) >= js.last_run + 3600);
}

/* A run killed in the second the next one starts: the next run, which holds
 * the lock, closes it before it plans (the lock's time, in seconds, could
 * not tell the two apart), even when it then cannot make a plan. */
static void
run_closes_killed_run_before_planning(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct sync_opts o = { 0 };
	struct sync_result r;
	struct store_run run;
	int64_t killed;

	assert_int_equal(store_run_start(f->st, "timeoff", "sync", NULL, clock_now(), &killed,
	    &err), BS_OK);
	o.origin = "cli";
	assert_int_not_equal(job_run(&f->s, JOB_ROSTER, &o, &r, &err), BS_OK);
	assert_int_equal(store_run_get(f->st, killed, &run, &err), BS_OK);
	assert_string_equal(run.result, "interrupted");
	assert_int_equal(run.finished_at, 0);
	store_run_clear(&run);
	assert_true(r.run_id > killed);
	assert_int_equal(store_run_get(f->st, r.run_id, &run, &err), BS_OK);
	assert_string_not_equal(run.result, "running");
	store_run_clear(&run);

	/* a dry run holds no lock and touches no row */
	assert_int_equal(store_run_start(f->st, "timeoff", "sync", NULL, clock_now(), &killed,
	    &err), BS_OK);
	o.dry_run = 1;
	job_run(&f->s, JOB_ROSTER, &o, &r, &err);
	assert_int_equal(store_run_get(f->st, killed, &run, &err), BS_OK);
	assert_string_equal(run.result, "running");
	store_run_clear(&run);
}

/* status_read of the fixture's store: no vault, nobody holds the lock */
static void
read_status(struct fixture *f, struct bs_status *out)
{
	struct bs_error err = { 0 };
	struct bs_paths paths = { 0 };
	char lock[192];

	snprintf(lock, sizeof lock, "%s/bobsync.lock", f->dir);
	paths.lock_file = lock;
	paths.vault_file = f->path;	/* not a vault: none configured */
	assert_int_equal(status_read(f->conf, &paths, f->st, out, &err), BS_OK);
	unlink(lock);
}

/* While the next run plans, status shows the killed run it closed as
 * stopped (not as running, not forgotten). */
static void
status_shows_killed_run_closed_by_planning_run(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct bs_status out;
	int64_t killed;

	assert_int_equal(store_run_start(f->st, "timeoff", "sync", NULL, clock_now(), &killed,
	    &err), BS_OK);
	assert_int_equal(store_runs_close_killed(f->st, 0, &err), BS_OK);
	read_status(f, &out);
	assert_int_equal(out.jobs[JOB_TIMEOFF].open_run, killed);
	assert_false(out.jobs[JOB_TIMEOFF].open_live);
	assert_int_equal(out.jobs[JOB_ROSTER].open_run, 0);
}

/* The webhook counts are the admin's day, not UTC's: in a zone whose date
 * differs from UTC's now, status finds the counts the daemon saved under
 * the local date. */
static void
status_webhook_counts_are_local_day(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct bs_status out;
	char utc[21], local[11];
	const char *old = getenv("TZ");
	char *saved = old != NULL ? xstrdup(old) : NULL;
	int64_t now = clock_now();

	/* UTC+14 is a day ahead from 10:00 UTC on, UTC-12 a day behind before 12:00 */
	time_format_utc(now, utc);
	setenv("TZ", (utc[11] - '0') * 10 + (utc[12] - '0') >= 11 ? "Pacific/Kiritimati" :
	    "Etc/GMT+12", 1);
	date_format(ht_local_today(now), local);
	assert_memory_not_equal(local, utc, 10);
	assert_int_equal(store_kv_set(f->st, WEBHOOK_KV_DAY, local, now, &err), BS_OK);
	assert_int_equal(store_kv_set(f->st, WEBHOOK_KV_ACCEPTED, "3", now, &err), BS_OK);
	assert_int_equal(store_kv_set(f->st, WEBHOOK_KV_REJECTED, "1", now, &err), BS_OK);
	read_status(f, &out);
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	free(saved);
	assert_int_equal(out.webhook.accepted_today, 3);
	assert_int_equal(out.webhook.rejected_today, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(full_pending_after_event_setting_change),
		T(not_run_is_recorded_with_origin),
		T(resume_lifts_quarantine_when_checks_pass),
		T(schedule_next_by_job),
		T(due_takes_backoff_and_quarantine),
		T(failed_attempts_back_off),
		T(rejected_credentials_quarantine),
		T(run_closes_killed_run_before_planning),
		T(status_shows_killed_run_closed_by_planning_run),
		T(status_webhook_counts_are_local_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
