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

#include "vendor/assembled.h"
#include "admin/checks.h"
#include "config/conf.h"
#include "vendor/hibob.h"
#include "net/http.h"
#include "admin/jobs.h"
#include "base/log.h"
#include "engine/apply.h"
#include "engine/roster.h"
#include "admin/scheduler.h"
#include "vendor/scim.h"
#include "engine/session.h"
#include "store/store.h"
#include "engine/timeoff_sync.h"
#include "base/humantime.h"
#include "base/tz.h"
#include "base/util.h"
#include "config/vault.h"

#define QUARANTINE_RETRY (60 * 60)

static const char *const names[JOB_COUNT] = { "roster", "timeoff", "reconcile" };

const char *
job_name(enum job_kind k)
{
	return (unsigned)k < JOB_COUNT ? names[k] : "?";
}

const char *
job_review_command(enum job_kind k)
{
	return k == JOB_ROSTER ? "plan roster" : k == JOB_RECONCILE ? "plan timeoff --reconcile" :
	    "plan timeoff";
}

const char *
job_approve_command(enum job_kind k)
{
	return k == JOB_ROSTER ? "sync roster" : k == JOB_RECONCILE ? "reconcile timeoff" :
	    "sync timeoff";
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
	return ht_local_zone();	/* the zone people read times in */
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
		minute = str_parse_hhmm(conf_get(conf, "roster.run_at"));
		return sched_next_daily(now, job_local_zone(), minute < 0 ? 120 : minute);
	case JOB_RECONCILE:
		minute = str_parse_hhmm(conf_get(conf, "timeoff.reconcile_at"));
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

	/* k == JOB_COUNT: the sync core itself (a stalled heartbeat) */
	const char *what = k == JOB_COUNT ? "core" : job_name(k);

	log_info("alert: %s %s: %s", what, event, message ? message : "");
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
	envp[ne++] = alert_var("BOBSYNC_SYNC", what);
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

/* ---- quarantine lifted by passing checks ---- */

int
job_checks_clear(const struct conf *conf, enum job_kind k, const struct check_report *rep)
{
	static const enum check_id roster[] = { CHECK_HIBOB_AUTH, CHECK_HIBOB_PERMISSIONS,
	    CHECK_ALLEO_TARGET };
	static const enum check_id timeoff[] = { CHECK_HIBOB_AUTH, CHECK_HIBOB_TIMEOFF,
	    CHECK_ASSEMBLED_AUTH };
	const enum check_id *ids = k == JOB_ROSTER ? roster : timeoff;

	(void)conf;
	if (rep == NULL || rep->worst == BS_ERR_AUTH || rep->worst == BS_ERR_FORBIDDEN)
		return 0;
	/* the services the job talks to accept the credentials and permissions */
	if (rep->v[CHECK_HIBOB_AUTH].status != CHECK_PASS)
		return 0;
	for (size_t i = 0; i < 3; i++)
		if (rep->v[ids[i]].status == CHECK_FAIL)
			return 0;
	return 1;
}

bs_rc
job_resume(struct store *st, enum job_kind k, const char *why, struct bs_error *err)
{
	struct job_state s;
	bs_rc rc;

	if ((rc = job_state_load(st, k, &s, err)) != BS_OK)
		return rc;
	if (s.quarantine[0] == '\0')
		return BS_OK;
	s.quarantine[0] = '\0';
	s.failures = 0;
	s.backoff_until = 0;
	s.next_run = clock_now();	/* due at once */
	snprintf(s.message, sizeof s.message, "resumed: %s", why ? why : "by the admin");
	log_info("%s: quarantine lifted: %s", job_name(k), s.message);
	return job_state_save(st, k, &s, err);
}

/* ---- settings that shape the time-off events ---- */

#define KV_FULL_PENDING "timeoff.full_pending"
#define KV_EVENT_SETTINGS "timeoff.event_settings"

/* What an event in Assembled should be depends on these: a change to any
 * of them is only seen by a full comparison of the window. */
static const char *const event_keys[] = {
	"assembled.timeoff_type", "assembled.policy_map", "assembled.default_timezone",
	"assembled.schedule_id", "timeoff.lookback_days", "timeoff.sync_until",
	"timeoff.split_chunks", "timeoff.hours_start",
};

int
job_timeoff_full_pending(struct bs_session *s, char *why, size_t whylen)
{
	json_t *now_j = json_object(), *old_j = NULL;
	char *text, *old = NULL, *pending = NULL;
	int result;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (s == NULL || s->store == NULL || s->conf == NULL) {
		json_decref(now_j);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(event_keys); i++) {
		const char *v = conf_get(s->conf, event_keys[i]);
		json_object_set_new(now_j, event_keys[i], json_string(v ? v : ""));
	}
	text = json_dumps(now_j, JSON_COMPACT | JSON_SORT_KEYS);
	if (store_kv_get(s->store, KV_EVENT_SETTINGS, &old, NULL) == BS_OK && old != NULL &&
	    !str_eq(old, text)) {
		char reason[512];
		size_t used;

		old_j = json_loads(old, 0, NULL);
		used = (size_t)snprintf(reason, sizeof reason, "changed:");
		for (size_t i = 0; i < ARRAY_LEN(event_keys) && used < sizeof reason; i++) {
			const char *a = old_j ? json_str(old_j, event_keys[i]) : NULL;
			const char *b = json_str(now_j, event_keys[i]);
			if (!str_eq(a ? a : "", b ? b : ""))
				used += (size_t)snprintf(reason + used, sizeof reason - used, " %s",
				    event_keys[i]);
		}
		json_decref(old_j);
		store_kv_set(s->store, KV_FULL_PENDING, reason, clock_now(), NULL);
		log_info("time off: %s; the next run compares the whole window", reason);
	}
	if (old == NULL || !str_eq(old, text))
		store_kv_set(s->store, KV_EVENT_SETTINGS, text, clock_now(), NULL);
	free(old);
	free(text);
	json_decref(now_j);
	if (store_kv_get(s->store, KV_FULL_PENDING, &pending, NULL) != BS_OK)
		pending = NULL;
	result = !str_empty(pending);
	if (result && why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", pending);
	free(pending);
	return result;
}

/* ---- Assembled type names, checked when they are entered ---- */

bs_rc
job_timeoff_types(struct bs_session *s, char ***out, size_t *n, struct bs_error *err)
{
	struct asm_activity_types t;
	struct asm_client *ac;
	bs_rc rc;

	*out = NULL;
	*n = 0;
	memset(&t, 0, sizeof t);
	if ((rc = session_assembled(s, &ac, err)) != BS_OK ||
	    (rc = asm_get_activity_types(ac, &t, err)) != BS_OK)
		return rc;
	*out = xcalloc(t.n + 1, sizeof **out);
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].timeoff && t.v[i].name != NULL)
			(*out)[(*n)++] = xstrdup(t.v[i].name);
	asm_activity_types_clear(&t);
	return BS_OK;
}

struct type_check {
	const struct asm_activity_types *t;
	char bad[256];
};

static int
check_pair(void *ctx, const char *k, const char *v)
{
	struct type_check *c = ctx;

	(void)k;
	if (c->bad[0] == '\0' && asm_timeoff_type(c->t, v, NULL, 0) == NULL)
		snprintf(c->bad, sizeof c->bad, "%s", v);
	return 0;
}

int
job_check_type_names(struct bs_session *s, const char *key, const char *value, char *why,
    size_t whylen)
{
	struct asm_activity_types t;
	struct asm_client *ac;
	struct bs_error err = { 0 };
	struct type_check c;
	size_t used;

	why[0] = '\0';
	if (str_empty(value) || (!str_eq(key, "assembled.policy_map") &&
	    !str_eq(key, "assembled.timeoff_type")))
		return 1;
	memset(&t, 0, sizeof t);
	if (session_assembled(s, &ac, &err) != BS_OK ||
	    asm_get_activity_types(ac, &t, &err) != BS_OK) {
		snprintf(why, whylen, "the type names could not be checked against Assembled (%s)",
		    bs_error_text(&err));
		asm_activity_types_clear(&t);
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.t = &t;
	if (str_eq(key, "assembled.timeoff_type"))
		check_pair(&c, NULL, value);
	else
		conf_pairs_each(value, check_pair, &c);
	if (c.bad[0] != '\0') {
		used = (size_t)snprintf(why, whylen, "Assembled has no time-off type '%s'; its "
		    "time-off types are:", c.bad);
		for (size_t i = 0, k = 0; i < t.n && used < whylen; i++)
			if (t.v[i].timeoff)
				used += (size_t)snprintf(why + used, whylen - used, "%s '%s'",
				    k++ ? "," : "", t.v[i].name);
	}
	asm_activity_types_clear(&t);
	return c.bad[0] == '\0';
}

/* ---- credentials proven ----
 *
 * A secret is proven once its service accepted it.  The store keeps, per
 * service, the vault's stored-at times of its secrets when they were last
 * accepted and when they were last rejected (times, never the secrets).
 * A run whose service would otherwise not be called (a quiet time-off
 * poll calls no Assembled) makes one cheap authenticated call for each
 * secret not proven yet, to an endpoint the sync itself needs (the same
 * permission), so a wrong key replaced by `credentials set` is
 * noticed at the next run and not at the next approval. */

enum cred_svc { CRED_HIBOB, CRED_ASSEMBLED, CRED_ALLEO, CRED_COUNT };

static const struct {
	const char *name;	/* store key part */
	const char *title;
	enum vault_key k1, k2;
} cred_svcs[CRED_COUNT] = {
	{ "hibob", "HiBob", VAULT_HIBOB_ID, VAULT_HIBOB_TOKEN },
	{ "assembled", "Assembled", VAULT_ASSEMBLED_KEY, VAULT_ASSEMBLED_KEY },
	{ "alleo", "Alleo", VAULT_ALLEO_CLIENT_ID, VAULT_ALLEO_CLIENT_SECRET },
};

static int
cred_used(const struct conf *conf, enum job_kind k, enum cred_svc c)
{
	switch (c) {
	case CRED_HIBOB:
		return 1;
	case CRED_ASSEMBLED:
		return k == JOB_TIMEOFF || k == JOB_RECONCILE;
	case CRED_ALLEO:
		return k == JOB_ROSTER && str_eq(conf_get(conf, "alleo.mode"), "scim");
	default:
		return 0;
	}
}

/* "stored-at.stored-at" of the service's secrets; "" when none stored. */
static void
cred_stamp(const struct bs_session *s, enum cred_svc c, char out[48])
{
	int64_t a, b;

	out[0] = '\0';
	if (s->vault == NULL)
		return;
	a = vault_stored_at(s->vault, cred_svcs[c].k1);
	b = vault_stored_at(s->vault, cred_svcs[c].k2);
	if (a > 0 && b > 0)
		snprintf(out, 48, "%lld.%lld", (long long)a, (long long)b);
}

/* Whether the store's "credentials.<svc>.<what>" is this stamp. */
static int
cred_is(struct store *st, enum cred_svc c, const char *what, const char *stamp)
{
	char key[64], *v = NULL;
	int same;

	snprintf(key, sizeof key, "credentials.%s.%s", cred_svcs[c].name, what);
	if (store_kv_get(st, key, &v, NULL) != BS_OK)
		return 0;
	same = v != NULL && str_eq(v, stamp);
	free(v);
	return same;
}

static void
cred_note(struct store *st, enum cred_svc c, const char *what, const char *stamp)
{
	char key[64];
	struct bs_error err = { 0 };

	snprintf(key, sizeof key, "credentials.%s.%s", cred_svcs[c].name, what);
	if (store_kv_set(st, key, stamp, clock_now(), &err) != BS_OK)
		log_warn("cannot record the %s credentials check: %s", cred_svcs[c].title,
		    bs_error_text(&err));
}

int
job_credentials_changed(struct bs_session *s, enum job_kind k)
{
	char stamp[48];

	if (s == NULL || s->store == NULL)
		return 0;
	for (int c = 0; c < CRED_COUNT; c++) {
		if (!cred_used(s->conf, k, (enum cred_svc)c))
			continue;
		cred_stamp(s, (enum cred_svc)c, stamp);
		if (stamp[0] != '\0' && !cred_is(s->store, (enum cred_svc)c, "proven", stamp) &&
		    !cred_is(s->store, (enum cred_svc)c, "rejected", stamp))
			return 1;
	}
	return 0;
}

/* One cheap authenticated call to the service. */
static bs_rc
cred_call(struct bs_session *s, enum job_kind k, enum cred_svc c, struct bs_error *err)
{
	bs_rc rc;

	switch (c) {
	case CRED_HIBOB: {
		struct bob_client *bc;
		if ((rc = session_bob(s, &bc, err)) != BS_OK)
			return rc;
		if (k == JOB_ROSTER) {
			struct bob_fields f = { 0 };
			rc = bob_get_fields(bc, &f, err);
			bob_fields_clear(&f);
		} else {
			/* the call the time-off sync makes anyway (the same
			 * permission), over its last minute */
			struct bob_timeoffs ch = { 0 };
			int64_t now = clock_now();
			rc = bob_timeoff_changes(bc, now - 60, now, &ch, err);
			bob_timeoffs_clear(&ch);
		}
		return rc;
	}
	case CRED_ASSEMBLED: {
		struct asm_client *ac;
		struct asm_activity_types t = { 0 };
		if ((rc = session_assembled(s, &ac, err)) != BS_OK)
			return rc;
		rc = asm_get_activity_types(ac, &t, err);
		asm_activity_types_clear(&t);
		return rc;
	}
	case CRED_ALLEO: {
		struct scim_client *sc;
		if ((rc = session_scim(s, &sc, err)) != BS_OK)
			return rc;
		return scim_token(sc, err);	/* the run reuses the token: no extra call */
	}
	default:
		return BS_OK;
	}
}

/* Prove each secret of the job not proven yet.  A rejection is returned
 * (the run stops and is quarantined like any 401); any other failure is
 * left to the run itself, and the secret stays unproven. */
static bs_rc
prove_credentials(struct bs_session *s, enum job_kind k, struct bs_error *err)
{
	char stamp[48];

	for (int i = 0; i < CRED_COUNT; i++) {
		enum cred_svc c = (enum cred_svc)i;
		struct bs_error cerr = { 0 };
		bs_rc rc;

		if (!cred_used(s->conf, k, c))
			continue;
		cred_stamp(s, c, stamp);
		if (stamp[0] == '\0' || cred_is(s->store, c, "proven", stamp))
			continue;
		rc = cred_call(s, k, c, &cerr);
		if (rc == BS_OK) {
			cred_note(s->store, c, "proven", stamp);
			log_info("the %s credentials stored at %s were accepted", cred_svcs[c].title, stamp);
		} else if (rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN) {
			cred_note(s->store, c, "rejected", stamp);
			*err = cerr;
			bs_error_prefix(err, "%s rejected the credentials stored last (checked before the "
			    "run); nothing was changed. Store the right ones with 'bobsync credentials set "
			    "%s'", cred_svcs[c].title, cred_svcs[c].name);
			return rc;
		}
	}
	return BS_OK;
}

/* ---- running ---- */

static int
is_credential_error(bs_rc rc)
{
	return rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN;
}

/* The result word of a run that ended with rc (as session_finish_run
 * writes it). */
static const char *
result_word(bs_rc rc)
{
	return run_result_name(run_result_of(rc));
}

/* The job state after an attempt that started at `started` and ended with
 * rc; alerts on the transitions.  The one place a run's outcome reaches
 * the status, whoever started it. */
static void
record_state(struct bs_session *s, enum job_kind k, int64_t started, bs_rc rc,
    const struct sync_result *r, const struct bs_error *err)
{
	struct job_state st, before;
	struct bs_error serr = { 0 };
	int64_t now;
	int was_bad;

	if (job_state_load(s->store, k, &st, &serr) != BS_OK) {
		log_warn("cannot read the %s job state: %s", job_name(k), bs_error_text(&serr));
		return;
	}
	before = st;
	was_bad = st.quarantine[0] != '\0' || st.failures > 0;
	now = clock_now();
	st.last_run = started;
	st.last_run_id = r->run_id;
	st.next_run = job_schedule_next(s->conf, k, now);
	if (rc == BS_OK) {
		snprintf(st.last_result, sizeof st.last_result, "%s", run_result_name(RUN_OK));
		st.last_ok = now;
		st.failures = 0;
		st.backoff_until = 0;
		st.quarantine[0] = '\0';
		st.blocked_plan[0] = '\0';
		snprintf(st.message, sizeof st.message, "%ld applied", r->applied);
		if (was_bad)
			job_alert(s->conf, "recovery", k, &st, "the sync works again");
	} else if (rc == BS_ERR_GUARD) {
		snprintf(st.last_result, sizeof st.last_result, "%s", run_result_name(RUN_BLOCKED));
		snprintf(st.message, sizeof st.message, "%s", r->guard.reason);
		if (!str_eq(before.blocked_plan, r->plan_id)) {
			snprintf(st.blocked_plan, sizeof st.blocked_plan, "%s", r->plan_id);
			job_alert(s->conf, "guard", k, &st, r->guard.reason);
		}
	} else if (rc == BS_ERR_CANCELLED) {
		/* stopped on request (a signal, the console): not a failure, no
		 * backoff, no alert; what it did not do is planned again, no
		 * later than the first backoff step (a daily roster sync stopped
		 * by a restart is not left half-done until the next day) */
		snprintf(st.last_result, sizeof st.last_result, "%s",
		    run_result_name(RUN_INTERRUPTED));
		snprintf(st.message, sizeof st.message, "%s", bs_error_text(err));
		st.next_run = now + sched_backoff(1);
	} else {
		snprintf(st.last_result, sizeof st.last_result, "%s", run_result_name(
		    run_result_parse(r->result) == RUN_NOT_RUN ? RUN_NOT_RUN : rc == BS_ERR_PARTIAL ?
		    RUN_PARTIAL : RUN_FAILED));
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
}

/* A successful full comparison of time off is a run of both time-off
 * jobs: the reconciliation (whoever asked for it: the first run, a changed
 * setting) and the time-off sync (it also moved the changes cursor on).
 * other is the job that did not run. */
static void
record_reconciled(struct bs_session *s, enum job_kind other, int64_t started,
    const struct sync_result *r)
{
	struct job_state st;

	if (job_state_load(s->store, other, &st, NULL) != BS_OK)
		return;
	st.last_run = started;
	st.last_ok = clock_now();
	st.last_run_id = r->run_id;
	st.failures = 0;
	st.backoff_until = 0;
	st.quarantine[0] = '\0';
	snprintf(st.last_result, sizeof st.last_result, "%s", run_result_name(RUN_OK));
	snprintf(st.message, sizeof st.message, "%ld applied (full comparison of run %lld)",
	    r->applied, (long long)r->run_id);
	st.blocked_plan[0] = '\0';
	st.next_run = job_due(s->conf, other, &st, clock_now());
	job_state_save(s->store, other, &st, NULL);
}

static const char *
origin_of(const char *origin)
{
	return str_empty(origin) ? "cli" : origin;
}

void
job_record_not_run(struct bs_session *s, enum job_kind k, const char *origin, bs_rc rc,
    const struct bs_error *err)
{
	struct sync_result r;
	struct bs_error serr = { 0 };
	int64_t now = clock_now();

	if (s == NULL || s->store == NULL || rc == BS_OK || rc == BS_ERR_CANCELLED)
		return;
	memset(&r, 0, sizeof r);
	sync_result_set(&r, RUN_NOT_RUN);
	if (store_run_add(s->store, k == JOB_ROSTER ? "roster" : "timeoff",
	    k == JOB_RECONCILE ? "reconcile" : "sync", NULL, r.result, bs_error_text(err),
	    origin_of(origin), now, &r.run_id, &serr) != BS_OK)
		log_warn("cannot record the %s attempt: %s", job_name(k), bs_error_text(&serr));
	/* another run holds the lock: it is the one the status follows (no
	 * failure counted, no backoff for the daemon) */
	if (rc != BS_ERR_LOCKED)
		record_state(s, k, now, rc, &r, err);
}

bs_rc
job_plan(struct bs_session *s, enum job_kind k, const char *origin, int full,
    const struct bs_progress *progress, struct plan *out, struct bs_error *err)
{
	struct sync_result r;
	struct job_state st;
	struct bs_error serr = { 0 };
	int64_t now = clock_now();
	bs_rc rc;

	if (k == JOB_TIMEOFF && !full && s->store != NULL)
		full = job_timeoff_full_pending(s, NULL, 0);
	if (k == JOB_ROSTER)
		rc = roster_plan_now(s, NULL, progress, out, err);
	else
		rc = toff_plan_now(s, full || k == JOB_RECONCILE, NULL, progress, out, err);
	if (s->store == NULL || rc == BS_ERR_CANCELLED)
		return rc;
	memset(&r, 0, sizeof r);
	if (rc != BS_OK) {
		snprintf(r.result, sizeof r.result, "%s", result_word(rc));
		if (store_run_add(s->store, k == JOB_ROSTER ? "roster" : "timeoff",
		    k == JOB_RECONCILE || full ? "reconcile" : "sync", NULL, r.result,
		    bs_error_text(err), origin_of(origin), now, &r.run_id, &serr) != BS_OK)
			log_warn("cannot record the %s attempt: %s", job_name(k), bs_error_text(&serr));
		record_state(s, k, now, rc, &r, err);
		return rc;
	}
	if (!out->guard.tripped || out->guard.approved)
		return rc;
	/* blocked: recorded once per plan, so approving it finds it */
	if (job_state_load(s->store, k, &st, NULL) == BS_OK && str_eq(st.blocked_plan, out->id))
		return rc;
	snprintf(r.plan_id, sizeof r.plan_id, "%s", out->id);
	r.guard = out->guard;
	sync_result_set(&r, RUN_BLOCKED);
	snprintf(r.message, sizeof r.message, "%.180s; approve plan %s to apply it",
	    out->guard.reason, out->id);
	if (store_run_add(s->store, k == JOB_ROSTER ? "roster" : "timeoff",
	    k == JOB_RECONCILE || full ? "reconcile" : "sync", out->id, r.result, r.message,
	    origin_of(origin), now, &r.run_id, &serr) != BS_OK)
		log_warn("cannot record the blocked %s plan: %s", job_name(k), bs_error_text(&serr));
	record_state(s, k, now, BS_ERR_GUARD, &r, NULL);
	return rc;
}

bs_rc
job_run(struct bs_session *s, enum job_kind k, const struct sync_opts *o,
    struct sync_result *r, struct bs_error *err)
{
	struct sync_opts opts = *o;
	struct store_run run;
	struct bs_error serr = { 0 };
	int64_t started = clock_now();
	int full = 0;
	bs_rc rc;

	memset(r, 0, sizeof *r);
	/* every caller holds the run lock: a run still marked running was
	 * killed, and says so now rather than after this run's planning (a
	 * lock taken in the second that run started could not tell them apart) */
	if (!o->dry_run && s->store != NULL && store_runs_close_killed(s->store, 0, &serr) != BS_OK)
		log_warn("cannot close the runs that were killed: %s", bs_error_text(&serr));
	if (k == JOB_RECONCILE)
		opts.kind = "reconcile";
	else if (k == JOB_TIMEOFF && s->store != NULL && job_timeoff_full_pending(s, NULL, 0))
		opts.kind = "reconcile";	/* a setting changed what the events should be */
	/* a secret stored since its service last accepted it is tried first */
	rc = o->dry_run || s->store == NULL ? BS_OK : prove_credentials(s, k, err);
	if (rc != BS_OK) {
		snprintf(r->target, sizeof r->target, "%s", k == JOB_ROSTER ? "roster" : "timeoff");
		if (rc != BS_ERR_CANCELLED) {	/* a stop: below */
			sync_result_set(r, RUN_FAILED);
			snprintf(r->message, sizeof r->message, "%s", bs_error_text(err));
		}
	} else if (k == JOB_ROSTER) {
		rc = roster_sync(s, &opts, r, err);
	} else {
		rc = toff_sync(s, &opts, r, err);
	}
	if (r->plan_id[0] == '\0')
		apply_planning_stopped(rc, err);	/* no plan yet */
	if (o->dry_run || s->store == NULL)
		return rc;
	/* an approval of another plan than this run's: refused before
	 * anything was sent, the admin's to correct; not a failed sync (no
	 * failure counted, no backoff, no alert), the status stays as it was */
	if (rc == BS_ERR_STALE_PLAN)
		sync_result_set(r, RUN_NOT_RUN);

	if (r->run_id == 0 && rc != BS_OK) {
		/* it ended before the engine recorded a run: not run (unless
		 * the engine said more, as "blocked" or "failed") */
		if (r->result[0] == '\0')
			sync_result_set(r, rc == BS_ERR_CANCELLED ? RUN_INTERRUPTED : RUN_NOT_RUN);
		if (store_run_add(s->store, k == JOB_ROSTER ? "roster" : "timeoff",
		    str_eq(opts.kind, "reconcile") ? "reconcile" : "sync", NULL, r->result,
		    bs_error_text(err), origin_of(o->origin), clock_now(), &r->run_id, &serr) != BS_OK)
			log_warn("cannot record the %s attempt: %s", job_name(k), bs_error_text(&serr));
	} else if (r->run_id > 0) {
		if (store_run_set_origin(s->store, r->run_id, origin_of(o->origin), &serr) != BS_OK)
			log_warn("cannot record who started run %lld: %s", (long long)r->run_id,
			    bs_error_text(&serr));
	}
	if (rc != BS_ERR_STALE_PLAN)
		record_state(s, k, started, rc, r, err);
	if (k != JOB_RECONCILE && k != JOB_ROSTER && rc == BS_OK && r->run_id > 0 &&
	    store_run_get(s->store, r->run_id, &run, NULL) == BS_OK) {
		full = str_eq(run.kind, "reconcile");
		store_run_clear(&run);
	}
	if (k == JOB_RECONCILE && rc == BS_OK)
		full = 1;
	if (full && k != JOB_ROSTER) {
		record_reconciled(s, k == JOB_TIMEOFF ? JOB_RECONCILE : JOB_TIMEOFF, started, r);
		store_kv_set(s->store, KV_FULL_PENDING, "", clock_now(), NULL);
	}
	return rc;
}
