/* jobs.c - scheduled sync jobs: state, quarantine, backoff, alerts. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "roster.h"
#include "scheduler.h"
#include "session.h"
#include "store.h"
#include "timeoff_sync.h"
#include "tz.h"
#include "util.h"

#define QUARANTINE_RETRY (60 * 60)

static const char *const names[JOB_COUNT] = { "roster", "timeoff", "reconcile" };

const char *
job_name(enum job_kind k)
{
	return (unsigned)k < JOB_COUNT ? names[k] : "?";
}

int
job_parse(const char *name, enum job_kind *k)
{
	for (int i = 0; i < JOB_COUNT; i++)
		if (str_eq(name, names[i])) {
			*k = (enum job_kind)i;
			return 0;
		}
	return -1;
}

int
job_enabled(const struct conf *conf, enum job_kind k)
{
	const char *mode;

	switch (k) {
	case JOB_ROSTER:
		mode = conf_get(conf, "alleo.mode");
		return str_eq(mode, "scim") || str_eq(mode, "csv");
	case JOB_TIMEOFF:
	case JOB_RECONCILE:
		return conf_get_bool(conf, "assembled.enabled");
	case JOB_COUNT:
		break;
	}
	return 0;
}

const struct tz *
job_local_zone(void)
{
	const struct tz *z = NULL;
	const char *tzenv = getenv("TZ");
	char *text = NULL;

	if (tzenv != NULL && *tzenv == ':')
		tzenv++;
	if (tzenv != NULL && *tzenv != '\0' && tz_get(tzenv, &z, NULL) == BS_OK)
		return z;
	if (util_read_file("/etc/timezone", 256, &text, NULL, NULL) == BS_OK) {
		char *name = str_trim(text);
		if (*name != '\0' && tz_get(name, &z, NULL) == BS_OK) {
			free(text);
			return z;
		}
		free(text);
	}
	tz_get("UTC", &z, NULL);
	return z;
}

/* ---- state in the kv table: job.<name> as one JSON object ---- */

bs_rc
job_state_load(struct store *st, enum job_kind k, struct job_state *out, struct bs_error *err)
{
	char key[64], *val = NULL;
	json_t *j;
	long long v;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	snprintf(key, sizeof key, "job.%s", job_name(k));
	rc = store_kv_get(st, key, &val, err);
	if (rc != BS_OK || val == NULL)
		return rc;
	j = json_loads(val, 0, NULL);
	free(val);
	if (!json_is_object(j)) {
		json_decref(j);
		return BS_OK;	/* unreadable state starts afresh */
	}
#define GETI(f) if (json_int(j, #f, &v) == 0) out->f = v
	GETI(last_run);
	GETI(last_ok);
	GETI(next_run);
	GETI(backoff_until);
	GETI(last_run_id);
	if (json_int(j, "failures", &v) == 0)
		out->failures = (int)v;
#undef GETI
#define GETS(f) if (json_str(j, #f)) snprintf(out->f, sizeof out->f, "%s", json_str(j, #f))
	GETS(last_result);
	GETS(quarantine);
	GETS(blocked_plan);
	GETS(message);
#undef GETS
	json_decref(j);
	return BS_OK;
}

bs_rc
job_state_save(struct store *st, enum job_kind k, const struct job_state *s, struct bs_error *err)
{
	char key[64], *text;
	json_t *j = json_object();
	bs_rc rc;

	snprintf(key, sizeof key, "job.%s", job_name(k));
	json_object_set_new(j, "last_run", json_integer(s->last_run));
	json_object_set_new(j, "last_ok", json_integer(s->last_ok));
	json_object_set_new(j, "next_run", json_integer(s->next_run));
	json_object_set_new(j, "backoff_until", json_integer(s->backoff_until));
	json_object_set_new(j, "last_run_id", json_integer(s->last_run_id));
	json_object_set_new(j, "failures", json_integer(s->failures));
	json_object_set_new(j, "last_result", json_string(s->last_result));
	json_object_set_new(j, "quarantine", json_string(s->quarantine));
	json_object_set_new(j, "blocked_plan", json_string(s->blocked_plan));
	json_object_set_new(j, "message", json_string(s->message));
	text = json_dump_compact(j);
	json_decref(j);
	rc = store_kv_set(st, key, text, clock_now(), err);
	free(text);
	return rc;
}

/* ---- schedule ---- */

int64_t
job_schedule_next(const struct conf *conf, enum job_kind k, int64_t now)
{
	const char *test = getenv("BOBSYNC_TEST_POLL_SECONDS");
	long period;
	int minute;

	switch (k) {
	case JOB_TIMEOFF:
		period = conf_get_int(conf, "timeoff.poll_minutes") * 60;
		if (test != NULL && atol(test) > 0)
			period = atol(test);	/* testing aid, see bobsync(1) */
		return sched_next_interval(now, period, 0);
	case JOB_ROSTER:
		minute = sched_parse_hhmm(conf_get(conf, "roster.run_at"));
		return sched_next_daily(now, job_local_zone(), minute < 0 ? 120 : minute);
	case JOB_RECONCILE:
		minute = sched_parse_hhmm(conf_get(conf, "timeoff.reconcile_at"));
		return sched_next_daily(now, job_local_zone(), minute < 0 ? 180 : minute);
	case JOB_COUNT:
		break;
	}
	return now + 3600;
}

int64_t
job_due(const struct conf *conf, enum job_kind k, const struct job_state *s, int64_t now)
{
	int64_t due;

	/* from the last run and the settings as they are now, so a changed
	 * interval (or a run made with other settings) takes effect at once;
	 * a stored next_run only brings the run forward (a SIGHUP retry) */
	due = s->last_run == 0 ? now : job_schedule_next(conf, k, s->last_run);
	if (s->next_run != 0 && s->next_run < due)
		due = s->next_run;
	if (s->backoff_until > due)
		due = s->backoff_until;
	if (s->quarantine[0] != '\0' && s->last_run + QUARANTINE_RETRY > due)
		due = s->last_run + QUARANTINE_RETRY;
	return due;
}

/* ---- alerts ---- */

/* An alert value: masked, one line of text, at most ALERT_VALUE_MAX
 * bytes (cut at a character boundary).  The alert command must still
 * treat every BOBSYNC_* value as untrusted text and quote it. */
#define ALERT_VALUE_MAX 1024

static char *
alert_var(const char *k, const char *v)
{
	char *m = log_mask(v ? v : ""), *c, *out;
	size_t n;

	c = util_clean(m);
	free(m);
	n = strlen(c);
	if (n > ALERT_VALUE_MAX) {
		n = ALERT_VALUE_MAX;
		while (n > 0 && ((unsigned char)c[n] & 0xc0) == 0x80)
			n--;	/* not inside a UTF-8 sequence */
		c[n] = '\0';
	}
	out = xasprintf("%s=%s", k, c);
	free(c);
	return out;
}

void
job_alert(const struct conf *conf, const char *event, enum job_kind k,
    const struct job_state *s, const char *message)
{
	static const char *const keep[] = { "PATH", "HOME", "LANG", "LC_ALL", "TZ", "USER",
	    "LOGNAME", "BOBSYNC_HOME" };
	const char *cmd = conf_get(conf, "alert.command");
	char *envp[ARRAY_LEN(keep) + 12], buf[32];
	char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, NULL, NULL };
	size_t ne = 0;
	pid_t pid;
	int status = 0, devnull;
	time_t deadline;

	log_info("alert: %s %s: %s", job_name(k), event, message ? message : "");
	if (str_empty(cmd))
		return;
	/* everything the child needs is built here: between fork and exec
	 * only async-signal-safe calls (no malloc, no setenv) */
	for (size_t i = 0; i < ARRAY_LEN(keep); i++)
		if (getenv(keep[i]) != NULL)
			envp[ne++] = xasprintf("%s=%s", keep[i], getenv(keep[i]));
	if (getenv("PATH") == NULL)
		envp[ne++] = xstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
	envp[ne++] = alert_var("BOBSYNC_EVENT", event);
	envp[ne++] = alert_var("BOBSYNC_SYNC", job_name(k));
	envp[ne++] = alert_var("BOBSYNC_RESULT", s ? s->last_result : "");
	envp[ne++] = alert_var("BOBSYNC_MESSAGE", message);
	envp[ne++] = alert_var("BOBSYNC_QUARANTINE", s ? s->quarantine : "");
	envp[ne++] = alert_var("BOBSYNC_PLAN_ID", s ? s->blocked_plan : "");
	snprintf(buf, sizeof buf, "%lld", s ? (long long)s->last_run_id : 0LL);
	envp[ne++] = xasprintf("BOBSYNC_RUN_ID=%s", buf);
	snprintf(buf, sizeof buf, "%d", s ? s->failures : 0);
	envp[ne++] = xasprintf("BOBSYNC_FAILURES=%s", buf);
	envp[ne] = NULL;
	argv[2] = (char *)cmd;
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		log_error("cannot run alert.command: %s", strerror(errno));
		goto done;
	}
	if (pid == 0) {
		/* nothing from our environment leaks (secrets included), and no
		 * descriptor but 0, 1, 2: not the HTTP connections, the state
		 * store or the lock */
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);	/* dup2 clears FD_CLOEXEC */
		if (close_range(3, ~0U, 0) < 0) {
			long max = sysconf(_SC_OPEN_MAX);
			for (long fd = 3; fd < (max > 0 ? max : 1024); fd++)
				close((int)fd);
		}
		execve("/bin/sh", argv, envp);
		_exit(127);
	}
	deadline = time(NULL) + 60;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			goto done;
		if (time(NULL) >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			log_error("alert.command took more than 60 s and was stopped");
			goto done;
		}
		usleep(20000);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warn("alert.command failed (status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
done:
	if (devnull >= 0)
		close(devnull);
	for (size_t i = 0; i < ne; i++)
		free(envp[i]);
}

/* ---- running ---- */

static int
is_credential_error(bs_rc rc)
{
	return rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN;
}

bs_rc
job_run(struct bs_session *s, enum job_kind k, const struct sync_opts *o,
    struct sync_result *r, struct bs_error *err)
{
	struct job_state st, before;
	struct sync_opts opts = *o;
	struct bs_error serr = { 0 };
	int64_t started = clock_now(), now;
	bs_rc rc;
	int was_bad;

	memset(r, 0, sizeof *r);
	if (k == JOB_RECONCILE)
		opts.kind = "reconcile";
	if (k == JOB_ROSTER)
		rc = roster_sync(s, &opts, r, err);
	else
		rc = toff_sync(s, &opts, r, err);
	if (o->dry_run || s->store == NULL)
		return rc;

	if (job_state_load(s->store, k, &st, &serr) != BS_OK) {
		log_warn("cannot read the %s job state: %s", job_name(k), bs_error_text(&serr));
		return rc;
	}
	before = st;
	was_bad = st.quarantine[0] != '\0' || st.failures > 0;
	now = clock_now();
	st.last_run = started;
	st.last_run_id = r->run_id;
	st.next_run = job_schedule_next(s->conf, k, now);
	if (rc == BS_OK) {
		snprintf(st.last_result, sizeof st.last_result, "ok");
		st.last_ok = now;
		st.failures = 0;
		st.backoff_until = 0;
		st.quarantine[0] = '\0';
		st.blocked_plan[0] = '\0';
		snprintf(st.message, sizeof st.message, "%ld applied", r->applied);
		if (was_bad)
			job_alert(s->conf, "recovery", k, &st, "the sync works again");
	} else if (rc == BS_ERR_GUARD) {
		snprintf(st.last_result, sizeof st.last_result, "blocked");
		snprintf(st.message, sizeof st.message, "%s", r->guard.reason);
		if (!str_eq(before.blocked_plan, r->plan_id)) {
			snprintf(st.blocked_plan, sizeof st.blocked_plan, "%s", r->plan_id);
			job_alert(s->conf, "guard", k, &st, r->guard.reason);
		}
	} else {
		snprintf(st.last_result, sizeof st.last_result, "%s",
		    rc == BS_ERR_PARTIAL ? "partial" : "failed");
		snprintf(st.message, sizeof st.message, "%s", bs_error_text(err));
		st.failures++;
		if (is_credential_error(rc)) {
			snprintf(st.quarantine, sizeof st.quarantine, "%s", bs_error_text(err));
			st.backoff_until = 0;
			if (before.quarantine[0] == '\0')
				job_alert(s->conf, "quarantine", k, &st, st.quarantine);
		} else {
			st.backoff_until = rc == BS_ERR_PARTIAL ? 0 : now + sched_backoff(st.failures);
			if (before.failures == 0 || st.failures == 2 || st.failures == 4)
				job_alert(s->conf, "failure", k, &st, st.message);
		}
	}
	st.next_run = job_due(s->conf, k, &st, now);
	if (job_state_save(s->store, k, &st, &serr) != BS_OK)
		log_warn("cannot save the %s job state: %s", job_name(k), bs_error_text(&serr));
	return rc;
}
