/* cmd_daemon.c - bobsync daemon [--once]: run the schedules unattended. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "commands.h"
#include "config/conf.h"
#include "daemon_webhook.h"
#include "admin/jobs.h"
#include "admin/service.h"
#include "base/lock.h"
#include "base/log.h"
#include "store/store.h"
#include "base/util.h"
#include "config/vault.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
on_reload(int sig)
{
	(void)sig;
	reload_requested = 1;
}

/* Engines call this between actions: a SIGTERM finishes the current action
 * and stops at the next safe point. */
static struct beat_ctx {
	struct app_ctx *ctx;
	struct core_beat *hb;
	int64_t every;
} beating;

static void beat(struct app_ctx *ctx, struct core_beat *b);

static int
stop_check(void *ctx, const struct bs_progress_event *ev)
{
	(void)ctx;
	(void)ev;
	/* a long run keeps the heartbeat fresh (between two actions) */
	if (beating.ctx != NULL && clock_now() - beating.hb->beat >= beating.every)
		beat(beating.ctx, beating.hb);
	return stop_requested ? 1 : 0;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;	/* no SA_RESTART: sleeps wake up */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
stamp(char buf[21])
{
	time_format_utc(clock_now(), buf);
}

static void
reload(struct app *a, struct app_ctx *ctx)
{
	struct conf *fresh = conf_new();
	struct bs_error err = { 0 };
	struct vault *v = NULL;
	char ts[21];

	stamp(ts);
	if (conf_load(fresh, a->paths.conf_file, &err) != BS_OK) {
		fprintf(stderr, "%s bobsync: not reloading: %s\n", ts, bs_error_text(&err));
		conf_free(&fresh);
		return;
	}
	/* credentials may have been replaced too */
	if (app_open_vault(a, &v, &err) != BS_OK) {
		fprintf(stderr, "%s bobsync: settings reloaded, but the vault could not be opened "
		    "again (%s); keeping the old credentials\n", ts, bs_error_text(&err));
	} else {
		vault_close(&ctx->vault);
		ctx->vault = v;
	}
	session_close(&ctx->s);
	conf_free(&a->conf);
	a->conf = fresh;
	session_init(&ctx->s, a->conf, ctx->vault, ctx->store, NULL);
	fprintf(stderr, "%s bobsync: settings reloaded\n", ts);
}

/* What a file looks like from outside: a changed settings file or vault
 * (edited, or replaced by 'bobsync config set' / 'credentials set') is
 * reloaded without a SIGHUP. */
struct file_mark {
	int exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

static void
file_mark(const char *path, struct file_mark *m)
{
	struct stat st;

	memset(m, 0, sizeof *m);
	if (path == NULL || stat(path, &st) != 0)
		return;
	m->exists = 1;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->size = st.st_size;
	m->mtime = st.st_mtim;
}

static int
file_changed(const struct file_mark *a, const struct file_mark *b)
{
	return a->exists != b->exists || a->dev != b->dev || a->ino != b->ino ||
	    a->size != b->size || a->mtime.tv_sec != b->mtime.tv_sec ||
	    a->mtime.tv_nsec != b->mtime.tv_nsec;
}

/* Say when each enabled job runs next, as the daemon will run it (the
 * same job_due that `bobsync status` shows). */
static void
say_next(struct app *a, struct app_ctx *ctx)
{
	char ts[21], when[21];

	stamp(ts);
	for (int k = 0; k < JOB_COUNT; k++) {
		struct job_state st;
		if (!job_enabled(a->conf, (enum job_kind)k) ||
		    job_state_load(ctx->store, (enum job_kind)k, &st, NULL) != BS_OK)
			continue;
		time_format_utc(job_due(a->conf, (enum job_kind)k, &st, clock_now()), when);
		fprintf(stderr, "%s bobsync: %s: next run %s\n", ts, job_name((enum job_kind)k), when);
	}
}

/* Run one job under the lock; returns its exit status, or -1 when the
 * lock was busy.  wh: time-off requests webhooks named (may be NULL);
 * once: a single pass, which does not try the job again. */
static int
run_job(struct app *a, struct app_ctx *ctx, enum job_kind k, const struct daemon_webhooks *wh,
    const char *origin, int once)
{
	struct bs_progress stop = { stop_check, NULL };
	struct sync_opts o = { 0 };
	struct sync_result r;
	struct bs_error err = { 0 };
	char ts[21];
	int fd = -1;
	bs_rc rc;

	if (lock_acquire(a->paths.lock_file, &fd, &err) != BS_OK) {
		stamp(ts);
		if (once)
			fprintf(stderr, "%s bobsync: %s: not run: %s\n", ts, job_name(k),
			    bs_error_text(&err));
		else
			fprintf(stderr, "%s bobsync: %s: %s; trying again in a minute\n", ts,
			    job_name(k), bs_error_text(&err));
		return -1;
	}
	o.progress = &stop;
	if (wh != NULL && k == JOB_TIMEOFF) {
		o.request_ids = wh->pending_requests;
		o.request_employees = (const char *const *)wh->pending_employees;
		o.nrequest_ids = wh->npending_requests;
	}
	o.origin = origin;
	rc = job_run(&ctx->s, k, &o, &r, &err);
	lock_release(&fd);
	xfree_big_spares();	/* no run's scratch blocks kept until the next */
	stamp(ts);
	if (rc == BS_OK)
		fprintf(stderr, "%s bobsync: %s: %ld applied, %ld failed, %ld skipped (run %lld)\n", ts,
		    job_name(k), r.applied, r.failed, r.skipped, (long long)r.run_id);
	else if (rc == BS_ERR_GUARD)
		fprintf(stderr, "%s bobsync: %s: blocked: %s; approve with 'bobsync %s --approve "
		    "%s'\n", ts, job_name(k), r.guard.reason, job_approve_command(k), r.plan_id);
	else
		fprintf(stderr, "%s bobsync: %s: %s\n", ts, job_name(k), bs_error_text(&err));
	return bs_exit_code(rc);
}

/* The heartbeat: who runs the core, since when, and that it is alive. */
static void
beat(struct app_ctx *ctx, struct core_beat *b)
{
	struct bs_error err = { 0 };

	b->beat = clock_now();
	if (core_beat_save(ctx->store, b, &err) != BS_OK)
		log_warn("recording the heartbeat: %s", bs_error_text(&err));
}

/* A paused sync is skipped (said once when it starts and when it ends). */
static int
paused(struct app_ctx *ctx, enum job_kind k, int64_t now, int said[JOB_COUNT])
{
	struct core_pause p;
	char ts[21], until[21];
	int on = core_paused(ctx->store, k, now, &p);

	if (on != said[k]) {
		stamp(ts);
		if (on && p.until > 0)
			time_format_utc(p.until, until);
		if (on)
			fprintf(stderr, "%s bobsync: %s: paused by %s%s%s; not run until resumed\n", ts,
			    job_name(k), p.by, p.until > 0 ? " until " : "", p.until > 0 ? until : "");
		else
			fprintf(stderr, "%s bobsync: %s: resumed\n", ts, job_name(k));
		said[k] = on;
	}
	return on;
}

int
cmd_daemon(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct daemon_webhooks wh = { 0 };
	struct bs_error err = { 0 };
	int once = 0, status = 0, ran_any = 0, announce = 1, retry_quarantined = 0;
	int64_t last_prune = 0, retry_at[JOB_COUNT] = { 0 };
	struct file_mark conf_mark, vault_mark, m;
	struct core_beat hb = { 0 };
	int said_paused[JOB_COUNT] = { 0 };
	int64_t period;
	char ts[21];

	if (argc > 1)
		return app_usage(a, "daemon", "unexpected argument '%s'", argv[1]);
	once = a->opt[APP_OPT_ONCE] != NULL;
	/* before the unlock, which can take seconds (Argon2id): a SIGTERM
	 * then still ends the daemon cleanly */
	install_signals();
	file_mark(a->paths.conf_file, &conf_mark);
	file_mark(a->paths.vault_file, &vault_mark);
	if (app_ctx_open(a, APP_NEED_VAULT | APP_NEED_STORE, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	hb.pid = (long long)getpid();
	snprintf(hb.mode, sizeof hb.mode, "%s", core_started_by(once));
	hb.since = clock_now();
	/* beat at least every minute (every poll when shorter); "stalled"
	 * is a beat older than two polls */
	period = core_beat_period(a->conf, hb.mode);
	if (period > 60)
		period = 60;
	beating.ctx = &ctx;
	beating.hb = &hb;
	beating.every = period;
	beat(&ctx, &hb);
	stamp(ts);
	if (!once)
		fprintf(stderr, "%s bobsync: daemon started (roster %s, time off %s)\n", ts,
		    job_enabled(a->conf, JOB_ROSTER) ? "on" : "off",
		    job_enabled(a->conf, JOB_TIMEOFF) ? "on" : "off");
	if (!once && dwh_start(a, &ctx, &wh, &err) != BS_OK) {
		status = app_error(a, &err);
		app_ctx_close(&ctx);
		return status;
	}

	while (!stop_requested) {
		int64_t now = clock_now(), wake = now + 60;

		beat(&ctx, &hb);

		if (reload_requested) {
			/* SIGHUP, or new credentials in the vault: how an admin
			 * says "fixed" (a changed setting alone does not retry a
			 * rejected token: HiBob blocks callers that repeat 401s) */
			retry_quarantined = reload_requested == 1;
			reload_requested = 0;
			file_mark(a->paths.conf_file, &conf_mark);
			file_mark(a->paths.vault_file, &vault_mark);
			reload(a, &ctx);
			announce = 1;
			/* the listen address or the webhook secret may have changed */
			dwh_stop(&wh);
			if (dwh_start(a, &ctx, &wh, &err) != BS_OK) {
				stamp(ts);
				fprintf(stderr, "%s bobsync: not receiving webhooks: %s\n", ts,
				    bs_error_text(&err));
				bs_error_clear(&err);
			}
			memset(retry_at, 0, sizeof retry_at);
			for (int k = 0; k < JOB_COUNT && retry_quarantined; k++) {
				struct job_state st;
				if (job_state_load(ctx.store, (enum job_kind)k, &st, NULL) == BS_OK &&
				    st.quarantine[0] != '\0') {
					st.next_run = now;
					st.last_run = now - 3600;
					job_state_save(ctx.store, (enum job_kind)k, &st, NULL);
				}
			}
		}
		{
			int roster_now = 0;

			/* taken even while paused (kept pending until a time-off run
			 * reads them), so a queued event does not wake the loop
			 * again and again */
			if (dwh_take(&wh, ctx.store, now, &roster_now) && job_enabled(a->conf,
			    JOB_TIMEOFF) && !core_paused(ctx.store, JOB_TIMEOFF, now, NULL)) {
				int s = run_job(a, &ctx, JOB_TIMEOFF, &wh, "webhook", 0);

				dwh_done(&wh, s == 0);
				ran_any = 1;
			}
			if (roster_now && job_enabled(a->conf, JOB_ROSTER) &&
			    !core_paused(ctx.store, JOB_ROSTER, now, NULL))
				(void)run_job(a, &ctx, JOB_ROSTER, NULL, "webhook", 0);
		}
		for (int k = 0; k < JOB_COUNT && !stop_requested; k++) {
			struct job_state st;
			int64_t due;
			int s;

			if (!job_enabled(a->conf, (enum job_kind)k))
				continue;
			/* honoured at each tick (at most a minute apart) */
			if (paused(&ctx, (enum job_kind)k, now, said_paused))
				continue;
			if (job_state_load(ctx.store, (enum job_kind)k, &st, &err) != BS_OK) {
				status = app_error(a, &err);
				goto out;
			}
			due = job_due(a->conf, (enum job_kind)k, &st, now);
			/* credentials replaced since the quarantine: try them now */
			if (st.quarantine[0] != '\0' && due > now &&
			    job_credentials_changed(&ctx.s, (enum job_kind)k))
				due = now;
			if (retry_at[k] > due)
				due = retry_at[k];
			if (due > now) {
				if (due < wake)
					wake = due;
				continue;
			}
			s = run_job(a, &ctx, (enum job_kind)k, &wh, "daemon", once);
			if (k == JOB_TIMEOFF)
				dwh_done(&wh, s == 0);
			ran_any = 1;
			announce = 1;
			if (s < 0) {
				/* a single pass that ran nothing of it: as for a
				 * sync that finds the lock held */
				if (once && status == 0)
					status = bs_exit_code(BS_ERR_LOCKED);
				retry_at[k] = clock_now() + 60;
				if (retry_at[k] < wake)
					wake = retry_at[k];
				continue;
			}
			retry_at[k] = 0;
			if (s != 0 && (status == 0 || s == 6))
				status = s;
			/* the next run of this job also bounds the sleep */
			if (job_state_load(ctx.store, (enum job_kind)k, &st, NULL) == BS_OK) {
				due = job_due(a->conf, (enum job_kind)k, &st, clock_now());
				if (due < wake)
					wake = due;
			}
		}
		if (once)
			break;
		now = clock_now();
		if (now - last_prune > 86400) {
			long days = conf_get_int(a->conf, "log.retention_days");
			if (store_prune(ctx.store, now - days * 86400, &err) != BS_OK)
				log_warn("pruning old runs: %s", bs_error_text(&err));
			last_prune = now;
		}
		if (!once && announce)
			say_next(a, &ctx);
		announce = 0;
		/* sleep until the next job is due, waking for signals, for work
		 * brought by webhooks and for a changed settings file or vault */
		if (wake > now + period)
			wake = now + period;	/* a pause or resume is seen at the next tick */
		while (!stop_requested && !reload_requested && clock_now() < wake) {
			if (dwh_wait(&wh, 1000))
				break;
			if (clock_now() - hb.beat >= period)
				beat(&ctx, &hb);
			file_mark(a->paths.vault_file, &m);
			if (file_changed(&m, &vault_mark))
				reload_requested = 1;	/* as SIGHUP */
			file_mark(a->paths.conf_file, &m);
			if (!reload_requested && file_changed(&m, &conf_mark))
				reload_requested = 2;	/* settings only */
		}
	}
	if (once)
		beat(&ctx, &hb);
	else
		core_beat_clear(ctx.store, hb.pid);	/* stopped: not running */
	stamp(ts);
	if (once && !ran_any)
		fprintf(stderr, "%s bobsync: nothing was due\n", ts);
	else if (!once)
		fprintf(stderr, "%s bobsync: daemon stopped\n", ts);
out:
	beating.ctx = NULL;
	dwh_stop(&wh);
	app_ctx_close(&ctx);
	return once ? status : 0;
}
