/* service.c - the sync core: heartbeat, pause, enable and disable. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "admin/service.h"
#include "base/humantime.h"
#include "base/paths.h"
#include "base/util.h"
#include "config/conf.h"
#include "store/store.h"

#ifndef BOBSYNC_VERSION
#define BOBSYNC_VERSION "dev"
#endif

extern char **environ;

#define KV_BEAT "core.beat"
#define KV_ENABLED "core.enabled"
#define KV_STALL "core.stall_alerted"
#define CRON_MARK "# bobsync sync core: added by 'bobsync enable cron', removed by 'bobsync disable'"
#define SERVICE_STORE "/var/lib/bobsync/state.db"

/* the unit, from app/systemd/bobsync.service.in (generated at build time) */
static const char unit_template[] =
#include "bobsync_unit.h"
    ;

/* ---- small helpers ---- */

static void
say(const struct core_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(const struct core_opts *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (o == NULL || o->say == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	o->say(o->ctx, line);
}

static const char *
self_exe(const struct core_opts *o, char buf[PATH_MAX])
{
	ssize_t n;

	if (o != NULL && o->exe != NULL)
		return o->exe;
	n = readlink("/proc/self/exe", buf, PATH_MAX - 1);
	if (n <= 0)
		return "bobsync";
	buf[n] = '\0';
	return buf;
}

/* Run argv (PATH searched); stdin from input (NULL: /dev/null); stdout
 * into *out when out is given.  Returns the exit status, -1 when it could
 * not run. */
static int
run(const char *const argv[], const char *input, char **out)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, status = 0;
	pid_t pid;

	if (out != NULL)
		*out = NULL;
	if (pipe2(inp, O_CLOEXEC) != 0)
		return -1;
	if (out != NULL && pipe2(outp, O_CLOEXEC) != 0) {
		close(inp[0]);
		close(inp[1]);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(inp[0]);
		close(inp[1]);
		if (out != NULL) {
			close(outp[0]);
			close(outp[1]);
		}
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(inp[0], STDIN_FILENO);
		if (out != NULL)
			dup2(outp[1], STDOUT_FILENO);
		else if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(inp[0]);
	if (out != NULL)
		close(outp[1]);
	/* the input is small (a crontab): written whole before reading */
	if (input != NULL) {
		size_t len = strlen(input), off = 0;
		signal(SIGPIPE, SIG_IGN);
		while (off < len) {
			ssize_t w = write(inp[1], input + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	close(inp[1]);
	if (out != NULL) {
		size_t cap = 4096, len = 0;
		char *b = xmalloc(cap);
		for (;;) {
			ssize_t r;
			if (len + 1 >= cap)
				b = xrealloc(b, cap *= 2);
			r = read(outp[0], b + len, cap - len - 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			len += (size_t)r;
		}
		b[len] = '\0';
		close(outp[0]);
		*out = b;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (path == NULL)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog);
		if (access(buf, X_OK) == 0)
			return 1;
		path += n;
		if (*path == ':')
			path++;
	}
	return 0;
}

static int
pid_alive(long long pid)
{
	char path[64], *text = NULL;
	int alive;

	if (pid <= 0)
		return 0;
	alive = kill((pid_t)pid, 0) == 0 || errno == EPERM;
	if (!alive)
		return 0;
	/* a zombie nobody reaped is not running */
	snprintf(path, sizeof path, "/proc/%lld/stat", pid);
	if (util_read_file(path, 4096, &text, NULL, NULL) == BS_OK) {
		const char *p = strrchr(text, ')');
		if (p != NULL && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
			alive = 0;
		free(text);
	}
	return alive;
}

const char *
core_who(char *buf, size_t n)
{
	struct passwd *pw = getpwuid(getuid());
	const char *u = pw != NULL ? pw->pw_name : getenv("USER");

	snprintf(buf, n, "%s", u != NULL && *u ? u : "?");
	return buf;
}

/* ---- kv as JSON ---- */

static json_t *
kv_json(struct store *st, const char *key)
{
	char *v = NULL;
	json_t *j = NULL;

	if (st != NULL && store_kv_get(st, key, &v, NULL) == BS_OK && v != NULL)
		j = json_loads(v, 0, NULL);
	free(v);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static bs_rc
kv_put_json(struct store *st, const char *key, json_t *j, struct bs_error *err)
{
	char *text = json_dump_compact(j);
	bs_rc rc = store_kv_set(st, key, text, clock_now(), err);

	free(text);
	json_decref(j);
	return rc;
}

static long long
jint(const json_t *j, const char *k)
{
	long long v = 0;

	return json_int(j, k, &v) == 0 ? v : 0;
}

static void
jstr(const json_t *j, const char *k, char *out, size_t n)
{
	const char *s = json_str(j, k);

	snprintf(out, n, "%s", s ? s : "");
}

/* ---- heartbeat ---- */

const char *
core_started_by(int once)
{
	const char *by = getenv("BOBSYNC_STARTED_BY");

	if (by != NULL && (str_eq(by, "systemd") || str_eq(by, "cron") || str_eq(by, "background")))
		return by;
	if (getenv("INVOCATION_ID") != NULL)
		return "systemd";
	return once ? "once" : "foreground";
}

bs_rc
core_beat_save(struct store *st, const struct core_beat *b, struct bs_error *err)
{
	json_t *j = json_object();

	json_object_set_new(j, "pid", json_integer(b->pid));
	json_object_set_new(j, "mode", json_string(b->mode));
	json_object_set_new(j, "since", json_integer(b->since));
	json_object_set_new(j, "beat", json_integer(b->beat));
	json_object_set_new(j, "version", json_string(b->version[0] ? b->version :
	    BOBSYNC_VERSION));
	return kv_put_json(st, KV_BEAT, j, err);
}

bs_rc
core_beat_load(struct store *st, struct core_beat *out, struct bs_error *err)
{
	json_t *j;

	(void)err;
	memset(out, 0, sizeof *out);
	if ((j = kv_json(st, KV_BEAT)) == NULL)
		return BS_OK;
	out->pid = jint(j, "pid");
	out->since = jint(j, "since");
	out->beat = jint(j, "beat");
	jstr(j, "mode", out->mode, sizeof out->mode);
	jstr(j, "version", out->version, sizeof out->version);
	json_decref(j);
	return BS_OK;
}

void
core_beat_clear(struct store *st, long long pid)
{
	struct core_beat b;

	if (core_beat_load(st, &b, NULL) == BS_OK && b.pid == pid)
		store_kv_del(st, KV_BEAT, NULL);
}

int64_t
core_beat_period(const struct conf *conf, const char *mode)
{
	const char *test = getenv("BOBSYNC_TEST_POLL_SECONDS");
	int64_t p = conf != NULL ? conf_get_int(conf, "timeoff.poll_minutes") * 60 : 300;

	if (test != NULL && atol(test) > 0)
		p = atol(test);
	if (p <= 0)
		p = 300;
	if (str_eq(mode, "cron") || str_eq(mode, "once"))
		return p < 300 ? 300 : p;
	return p;
}

/* ---- pause ---- */

static const char *
pause_key(enum job_kind k)
{
	return k == JOB_ROSTER ? "pause.roster" : "pause.timeoff";
}

int
core_paused(struct store *st, enum job_kind k, int64_t now, struct core_pause *out)
{
	struct core_pause p;
	json_t *j;

	memset(&p, 0, sizeof p);
	if ((j = kv_json(st, pause_key(k))) != NULL) {
		p.at = jint(j, "at");
		p.until = jint(j, "until");
		jstr(j, "by", p.by, sizeof p.by);
		p.on = p.until == 0 || p.until > now;
		json_decref(j);
	}
	if (out != NULL)
		*out = p;
	return p.on;
}

static int
pause_targets(const char *what, int on[2])
{
	on[0] = on[1] = 0;
	if (what == NULL || str_eq(what, "all"))
		on[0] = on[1] = 1;
	else if (str_eq(what, "roster"))
		on[0] = 1;
	else if (str_eq(what, "timeoff"))
		on[1] = 1;
	else
		return -1;
	return 0;
}

bs_rc
core_pause(struct store *st, const char *what, const char *by, int64_t now, int64_t until,
    struct bs_error *err)
{
	int on[2];
	bs_rc rc = BS_OK;

	if (pause_targets(what, on) != 0)
		return bs_fail(err, BS_ERR_INVALID, "pause what? roster, timeoff or all, not '%s'",
		    what);
	for (int i = 0; i < 2 && rc == BS_OK; i++) {
		json_t *j;
		if (!on[i])
			continue;
		j = json_object();
		json_object_set_new(j, "by", json_string(by ? by : "?"));
		json_object_set_new(j, "at", json_integer(now));
		json_object_set_new(j, "until", json_integer(until));
		rc = kv_put_json(st, pause_key(i == 0 ? JOB_ROSTER : JOB_TIMEOFF), j, err);
	}
	return rc;
}

bs_rc
core_resume(struct store *st, const char *what, struct bs_error *err)
{
	int on[2];
	bs_rc rc = BS_OK;

	if (pause_targets(what, on) != 0)
		return bs_fail(err, BS_ERR_INVALID, "resume what? roster, timeoff or all, not '%s'",
		    what);
	for (int i = 0; i < 2 && rc == BS_OK; i++)
		if (on[i])
			rc = store_kv_del(st, pause_key(i == 0 ? JOB_ROSTER : JOB_TIMEOFF), err);
	return rc;
}

long long
core_parse_duration(const char *s)
{
	char *end;
	long long n;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || n <= 0 || n > 366LL * 86400)
		return -1;
	if (str_eq(end, "s"))
		return n;
	if (str_eq(end, "m") || str_eq(end, "min"))
		return n * 60;
	if (str_eq(end, "h"))
		return n * 3600;
	if (str_eq(end, "d"))
		return n * 86400 <= 366LL * 86400 ? n * 86400 : -1;
	return -1;
}

/* ---- status ---- */

const char *
core_state_name(enum core_state s)
{
	return s == CORE_RUNNING ? "running" : s == CORE_STALLED ? "stalled" : "not running";
}

static void
enabled_read(struct store *st, char mode[16], char *store_path, size_t n)
{
	json_t *j = kv_json(st, KV_ENABLED);

	mode[0] = '\0';
	if (store_path != NULL && n > 0)
		store_path[0] = '\0';
	if (j == NULL)
		return;
	jstr(j, "mode", mode, 16);
	if (store_path != NULL)
		jstr(j, "store", store_path, n);
	json_decref(j);
}

void
core_status_read(const struct conf *conf, struct store *st, int64_t now, struct core_status *out)
{
	int fresh;

	memset(out, 0, sizeof *out);
	if (st == NULL)
		return;
	enabled_read(st, out->enabled, NULL, 0);
	core_beat_load(st, &out->beat, NULL);
	core_paused(st, JOB_ROSTER, now, &out->pause[0]);
	core_paused(st, JOB_TIMEOFF, now, &out->pause[1]);
	if (out->beat.pid == 0) {
		out->state = CORE_NOT_RUNNING;
		out->scheduled = str_eq(out->enabled, "cron");
		return;
	}
	out->period = core_beat_period(conf, out->beat.mode);
	fresh = now - out->beat.beat <= 2 * out->period;
	if (str_eq(out->beat.mode, "cron") || str_eq(out->beat.mode, "once")) {
		/* one pass each time: the process is gone, cron brings the next */
		if (str_eq(out->enabled, "cron"))
			out->state = fresh ? CORE_RUNNING : CORE_STALLED;
		else
			out->state = CORE_NOT_RUNNING;
	} else if (!pid_alive(out->beat.pid))
		out->state = CORE_NOT_RUNNING;
	else
		out->state = fresh ? CORE_RUNNING : CORE_STALLED;
	out->scheduled = out->state != CORE_NOT_RUNNING || str_eq(out->enabled, "cron");
}

int
core_stall_alert(const struct conf *conf, struct store *st, const struct core_status *cs)
{
	char *v = NULL, msg[256], ago[32];
	long long done = 0;

	if (st == NULL || cs->state != CORE_STALLED)
		return 0;
	if (store_kv_get(st, KV_STALL, &v, NULL) == BS_OK && v != NULL)
		done = strtoll(v, NULL, 10);
	free(v);
	if (done == cs->beat.beat)
		return 0;	/* this stall was told already */
	v = xasprintf("%lld", (long long)cs->beat.beat);
	store_kv_set(st, KV_STALL, v, clock_now(), NULL);
	free(v);
	snprintf(msg, sizeof msg, "the sync core (%s, pid %lld) is stalled: its last heartbeat "
	    "was %s", cs->beat.mode, cs->beat.pid, human_ago(ago, sizeof ago,
	    clock_now() - cs->beat.beat));
	job_alert(conf, "stalled", JOB_COUNT, NULL, msg);
	return 1;
}

struct store *
core_store(struct store *own, const char *own_path, struct store **other)
{
	char mode[16], path[PATH_MAX];

	*other = NULL;
	if (own == NULL)
		return NULL;
	enabled_read(own, mode, path, sizeof path);
	if (path[0] == '\0' || str_eq(path, own_path) || access(path, R_OK) != 0)
		return own;
	if (store_open(path, other, NULL) != BS_OK) {
		*other = NULL;
		return own;
	}
	return *other;
}

static bs_rc
enabled_save(struct store *st, const char *mode, const char *store_path, struct bs_error *err)
{
	json_t *j = json_object();
	char who[64];

	json_object_set_new(j, "mode", json_string(mode));
	json_object_set_new(j, "store", json_string(store_path ? store_path : ""));
	json_object_set_new(j, "at", json_integer(clock_now()));
	json_object_set_new(j, "by", json_string(core_who(who, sizeof who)));
	return kv_put_json(st, KV_ENABLED, j, err);
}

/* One way at a time: enabling another way first needs a disable (two
 * cores would take turns at the lock and confuse the status). */
static bs_rc
one_way(struct store *st, const char *mode, struct bs_error *err)
{
	char cur[16];

	enabled_read(st, cur, NULL, 0);
	if (cur[0] == '\0' || str_eq(cur, mode))
		return BS_OK;
	return bs_fail(err, BS_ERR_CONFLICT, "the sync core is enabled with %s already: "
	    "'bobsync disable' (D on the dashboard) first", cur);
}

int
core_wait_beat(struct store *st, int64_t after, const char *mode, int seconds,
    struct core_beat *out)
{
	struct core_beat b;

	for (int i = 0; i < seconds * 10; i++) {
		/* another core's beat (a cron pass in the same second) is not the
		 * one waited for */
		if (core_beat_load(st, &b, NULL) == BS_OK && b.pid != 0 && b.beat >= after &&
		    (mode == NULL || str_eq(b.mode, mode))) {
			if (out != NULL)
				*out = b;
			return 1;
		}
		usleep(100000);
	}
	return 0;
}

/* A core runs without a terminal: the vault must open without one (the
 * key file, or a passphrase file). */
static bs_rc
unattended(const struct bs_paths *p, struct bs_error *err)
{
	const char *f = getenv("BOBSYNC_PASSPHRASE_FILE");

	if (access(p->vault_file, F_OK) != 0)
		return bs_fail(err, BS_ERR_NOT_CONFIGURED, "no credentials are stored yet, so there "
		    "is nothing to sync: run 'bobsync setup' first");
	if (access(p->key_file, R_OK) == 0 || (f != NULL && *f != '\0'))
		return BS_OK;
	return bs_fail(err, BS_ERR_INVALID, "the vault opens only with a typed passphrase, and "
	    "the sync core runs without a terminal: add a key file with 'bobsync credentials "
	    "rekey --both' (or set BOBSYNC_PASSPHRASE_FILE), then enable it");
}

/* ---- cron ---- */

char *
core_crontab_remove(const char *text, int *removed)
{
	size_t len = text ? strlen(text) : 0;
	char *out = xmalloc(len + 2), *o = out;
	const char *p = text ? text : "";
	int skip_next = 0, n = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		int drop = 0;

		if (l == strlen(CRON_MARK) && strncmp(p, CRON_MARK, l) == 0) {
			drop = 1;
			skip_next = 1;
			n++;
		} else if (skip_next) {
			drop = 1;	/* the line the marker names */
			skip_next = 0;
		}
		if (!drop) {
			memcpy(o, p, l);
			o += l;
			*o++ = '\n';
		}
		p += l + (e != NULL);
	}
	*o = '\0';
	if (removed != NULL)
		*removed = n;
	return out;
}

char *
core_crontab_add(const char *text, const char *line)
{
	char *rest = core_crontab_remove(text, NULL), *out;

	out = xasprintf("%s%s\n%s\n", rest, CRON_MARK, line);
	free(rest);
	return out;
}

/* 'value' for a crontab command: single quotes, and % (a newline to
 * cron) escaped. */
static void
cron_quote(char *buf, size_t n, const char *v)
{
	size_t o = 0;

	if (n < 3)
		return;
	buf[o++] = '\'';
	for (; *v && o + 6 < n; v++) {
		if (*v == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else if (*v == '%') {
			buf[o++] = '\\';
			buf[o++] = '%';
		} else
			buf[o++] = *v;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}

char *
core_cron_line(const struct bs_paths *p, const char *exe)
{
	static const char *const keep[] = { "BOBSYNC_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME",
	    "BOBSYNC_PASSPHRASE_FILE" };
	char q[PATH_MAX * 2 + 8], qexe[PATH_MAX * 2 + 8], log[PATH_MAX + 16];
	char *env = xstrdup(""), *t, *line;

	for (size_t i = 0; i < ARRAY_LEN(keep); i++) {
		const char *v = getenv(keep[i]);
		if (v == NULL || *v == '\0')
			continue;
		cron_quote(q, sizeof q, v);
		t = xasprintf("%s%s=%s ", env, keep[i], q);
		free(env);
		env = t;
	}
	cron_quote(qexe, sizeof qexe, exe);
	snprintf(log, sizeof log, "%s/cron.log", p->state_dir);
	cron_quote(q, sizeof q, log);
	line = xasprintf("*/5 * * * * BOBSYNC_STARTED_BY=cron %s%s daemon --once >>%s 2>&1", env,
	    qexe, q);
	free(env);
	return line;
}

int64_t
core_cron_next(int64_t now)
{
	time_t t = (time_t)((now / 60 + 1) * 60);
	struct tm tm;

	for (int i = 0; i < 10; i++, t += 60)
		if (localtime_r(&t, &tm) != NULL && tm.tm_min % 5 == 0)
			return t;
	return t;
}

static bs_rc
crontab_read(char **text, struct bs_error *err)
{
	static const char *const argv[] = { "crontab", "-l", NULL };
	int rc;

	if (!on_path("crontab"))
		return bs_fail(err, BS_ERR_NOT_FOUND, "crontab is not installed (Debian: apt-get "
		    "install cron)");
	rc = run(argv, NULL, text);
	if (rc == 1 && *text != NULL && **text == '\0')
		return BS_OK;	/* "no crontab for USER" */
	if (rc != 0) {
		free(*text);
		*text = NULL;
		return bs_fail(err, BS_ERR_IO, "crontab -l failed (status %d)", rc);
	}
	return BS_OK;
}

static bs_rc
crontab_write(const char *text, struct bs_error *err)
{
	static const char *const argv[] = { "crontab", "-", NULL };
	int rc = run(argv, text, NULL);

	if (rc != 0)
		return bs_fail(err, BS_ERR_IO, "crontab - failed (status %d): the crontab is "
		    "unchanged", rc);
	return BS_OK;
}

bs_rc
core_enable_cron(const struct bs_paths *p, struct store *st, const struct core_opts *o,
    struct bs_error *err)
{
	char exe[PATH_MAX], *cur = NULL, *line, *next, when[48];
	bs_rc rc;

	if (!(o != NULL && o->dry_run) && ((rc = one_way(st, "cron", err)) != BS_OK ||
	    (rc = unattended(p, err)) != BS_OK))
		return rc;
	line = core_cron_line(p, self_exe(o, exe));
	if (o != NULL && o->dry_run) {
		say(o, "would add to the crontab of %s:", core_who(when, sizeof when));
		say(o, "  %s", line);
		free(line);
		return BS_OK;
	}
	if ((rc = crontab_read(&cur, err)) != BS_OK) {
		free(line);
		return rc;
	}
	next = core_crontab_add(cur, line);
	rc = crontab_write(next, err);
	free(cur);
	free(next);
	if (rc == BS_OK) {
		say(o, "Added to your crontab (the rest of it kept): %s", line);
		rc = enabled_save(st, "cron", NULL, err);
	}
	free(line);
	if (rc == BS_OK)
		say(o, "Cron runs the sync next %s (every 5 minutes; log: %s/cron.log).",
		    human_time(when, sizeof when, (time_t)core_cron_next(clock_now()),
		    (time_t)clock_now()), p->state_dir);
	return rc;
}

static bs_rc
disable_cron(const struct core_opts *o, int *changed, struct bs_error *err)
{
	char *cur = NULL, *next;
	int removed = 0;
	bs_rc rc;

	if (!on_path("crontab"))
		return BS_OK;
	if ((rc = crontab_read(&cur, err)) != BS_OK)
		return rc;
	next = core_crontab_remove(cur, &removed);
	if (removed > 0 && o != NULL && o->dry_run)
		say(o, "would remove bobsync's line from the crontab");
	else if (removed > 0) {
		rc = crontab_write(next, err);
		if (rc == BS_OK) {
			say(o, "Removed bobsync's line from your crontab (the rest of it kept).");
			*changed = 1;
		}
	}
	free(cur);
	free(next);
	return rc;
}

/* ---- in the background ---- */

bs_rc
core_enable_background(const struct bs_paths *p, struct store *st, const struct core_opts *o,
    long long *pidp, struct bs_error *err)
{
	char exe[PATH_MAX], *logpath, **envp, *argv[3], daemon_arg[] = "daemon";
	struct core_beat b;
	size_t n = 0;
	int64_t start = clock_now();
	int logfd, devnull, wait = o != NULL && o->wait_seconds > 0 ? o->wait_seconds : 60;
	pid_t pid;
	int status;

	if (pidp != NULL)
		*pidp = 0;
	core_beat_load(st, &b, NULL);
	if (b.pid != 0 && pid_alive(b.pid) && !str_eq(b.mode, "cron") && !str_eq(b.mode, "once"))
		return bs_fail(err, BS_ERR_CONFLICT, "a sync core already runs (%s, pid %lld); "
		    "'bobsync disable' stops it first", b.mode, b.pid);
	if (!(o != NULL && o->dry_run)) {
		bs_rc rc = one_way(st, "background", err);
		if (rc == BS_OK)
			rc = unattended(p, err);
		if (rc != BS_OK)
			return rc;
	}
	self_exe(o, exe);
	logpath = xasprintf("%s/daemon.log", p->state_dir);
	if (o != NULL && o->dry_run) {
		say(o, "would start: BOBSYNC_STARTED_BY=background %s daemon >>%s 2>&1 (detached)",
		    exe, logpath);
		free(logpath);
		return BS_OK;
	}
	logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (logfd < 0) {
		bs_rc rc = bs_fail(err, BS_ERR_IO, "cannot open %s: %s", logpath, strerror(errno));
		free(logpath);
		return rc;
	}
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* everything the child needs is made before fork (the console has
	 * threads: only async-signal-safe calls after it) */
	for (char **e = environ; *e; e++)
		n++;
	envp = xcalloc(n + 2, sizeof *envp);
	n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "BOBSYNC_STARTED_BY=", 19) != 0)
			envp[n++] = *e;
	envp[n++] = (char *)"BOBSYNC_STARTED_BY=background";
	envp[n] = NULL;
	argv[0] = exe;
	argv[1] = daemon_arg;
	argv[2] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* a new session, then a second fork: no controlling terminal,
		 * not the console's child (it survives the console's exit) */
		setsid();
		if (fork() != 0)
			_exit(0);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		/* nothing of the console's: not its terminal, store or sockets */
		if (close_range(3, ~0U, 0) < 0)
			for (int fd = 3; fd < 1024; fd++)
				close(fd);
		signal(SIGHUP, SIG_IGN);
		execve(exe, argv, envp);
		_exit(127);
	}
	if (devnull >= 0)
		close(devnull);
	close(logfd);
	free(envp);
	if (pid < 0) {
		bs_rc rc = bs_fail(err, BS_ERR_IO, "cannot start the daemon: %s", strerror(errno));
		free(logpath);
		return rc;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	say(o, "Started bobsync daemon in the background (log: %s); waiting for its first "
	    "heartbeat...", logpath);
	free(logpath);
	if (!core_wait_beat(st, start, "background", wait, &b))
		return bs_fail(err, BS_ERR_TIMEOUT, "the daemon sent no heartbeat within %d s: see "
		    "%s/daemon.log", wait, p->state_dir);
	if (pidp != NULL)
		*pidp = b.pid;
	say(o, "The sync core runs (pid %lld); it keeps running after you close the console. "
	    "'bobsync disable' stops it.", b.pid);
	return enabled_save(st, "background", NULL, err);
}

static bs_rc
stop_daemon(struct store *st, const struct core_opts *o, int *changed, struct bs_error *err)
{
	struct core_beat b;

	core_beat_load(st, &b, NULL);
	if (b.pid == 0 || str_eq(b.mode, "cron") || str_eq(b.mode, "once") ||
	    str_eq(b.mode, "systemd") || !pid_alive(b.pid))
		return BS_OK;
	if (o != NULL && o->dry_run) {
		say(o, "would stop the %s daemon (pid %lld)", b.mode, b.pid);
		return BS_OK;
	}
	if (kill((pid_t)b.pid, SIGTERM) != 0)
		return bs_fail(err, BS_ERR_IO, "cannot stop pid %lld: %s", b.pid, strerror(errno));
	/* SIGTERM finishes the current action first */
	for (int i = 0; i < 1200 && pid_alive(b.pid); i++)
		usleep(100000);
	if (pid_alive(b.pid))
		return bs_fail(err, BS_ERR_TIMEOUT, "the daemon (pid %lld) did not stop within "
		    "120 s", b.pid);
	core_beat_clear(st, b.pid);
	say(o, "Stopped the %s daemon (pid %lld).", b.mode, b.pid);
	*changed = 1;
	return BS_OK;
}

/* ---- systemd ---- */

int
core_systemd_available(void)
{
	struct stat sb;

	return geteuid() == 0 && stat("/run/systemd/system", &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    on_path("systemctl");
}

static char *
under(const char *root, const char *path)
{
	if (root == NULL || str_eq(root, "/") || *root == '\0')
		return xstrdup(path);
	return xasprintf("%s%s", root, path);
}

static int
mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof buf, "%s", path);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		return -1;
	return chmod(buf, mode);
}

static char *
unit_text(const char *exe)
{
	char dir[PATH_MAX], *out, *o;
	const char *s, *slash;
	size_t cap;

	snprintf(dir, sizeof dir, "%s", exe);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		dir[slash - dir] = '\0';
	else
		snprintf(dir, sizeof dir, "/usr/local/bin");
	cap = sizeof unit_template + 8 * strlen(dir) + 1;
	out = xmalloc(cap);
	o = out;
	for (s = unit_template; *s; ) {
		if (strncmp(s, "@BINDIR@", 8) == 0) {
			o += snprintf(o, cap - (size_t)(o - out), "%s", dir);
			s += 8;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

struct sysd {
	const struct core_opts *o;
	const char *root;
	int real;		/* root is "/" and not a dry run: run the commands */
	uid_t uid;
	gid_t gid;
	int have_user;
};

static const char *
owner_note(const struct sysd *d, int owned)
{
	if (!owned)
		return "";
	if (d->o->dry_run || (geteuid() == 0 && d->have_user))
		return ", owner bobsync";
	return ", owner bobsync once the user exists (not set here)";
}

/* Write a file (mode, owner when real and asked). */
static bs_rc
put_file(struct sysd *d, const char *path, const char *data, size_t len, mode_t mode,
    int owned, struct bs_error *err)
{
	char *full = under(d->root, path);
	bs_rc rc = BS_OK;

	say(d->o, "%s %s (mode %04o%s)", d->o->dry_run ? "would write" : "write", path,
	    (unsigned)mode, owner_note(d, owned));
	if (!d->o->dry_run) {
		rc = util_write_atomic(full, data, len, mode, err);
		if (rc == BS_OK && owned && geteuid() == 0 && d->have_user &&
		    chown(full, d->uid, d->gid) != 0)
			rc = bs_fail(err, BS_ERR_IO, "chown %s: %s", full, strerror(errno));
	}
	free(full);
	return rc;
}

static bs_rc
put_dir(struct sysd *d, const char *path, mode_t mode, int owned, struct bs_error *err)
{
	char *full = under(d->root, path);
	bs_rc rc = BS_OK;

	say(d->o, "%s %s (mode %04o%s)", d->o->dry_run ? "would make the folder" :
	    "folder", path, (unsigned)mode, owner_note(d, owned));
	if (!d->o->dry_run) {
		if (mkdirs(full, mode) != 0)
			rc = bs_fail(err, BS_ERR_IO, "cannot make %s: %s", full, strerror(errno));
		else if (owned && geteuid() == 0 && d->have_user && chown(full, d->uid, d->gid) != 0)
			rc = bs_fail(err, BS_ERR_IO, "chown %s: %s", full, strerror(errno));
	}
	free(full);
	return rc;
}

static bs_rc
run_step(struct sysd *d, const char *const argv[], struct bs_error *err)
{
	char line[1024] = "";
	int rc;

	for (int i = 0; argv[i]; i++) {
		size_t l = strlen(line);
		snprintf(line + l, sizeof line - l, "%s%s", i ? " " : "", argv[i]);
	}
	if (!d->real) {
		say(d->o, "would run: %s", line);
		return BS_OK;
	}
	say(d->o, "run: %s", line);
	rc = run(argv, NULL, NULL);
	if (rc != 0)
		return bs_fail(err, BS_ERR_IO, "'%s' failed (status %d)", line, rc);
	return BS_OK;
}

static bs_rc
copy_in(struct sysd *d, const char *from, const char *to, mode_t mode, int owned,
    struct bs_error *err)
{
	char *data = NULL;
	size_t len = 0;
	bs_rc rc;

	if (access(from, F_OK) != 0)
		return BS_OK;
	if ((rc = util_read_file(from, 64 << 20, &data, &len, err)) != BS_OK)
		return rc;
	rc = put_file(d, to, data, len, mode, owned, err);
	explicit_bzero(data, len);	/* the vault key among them */
	free(data);
	return rc;
}

bs_rc
core_enable_systemd(const struct bs_paths *p, struct store *st, const struct core_opts *o,
    struct bs_error *err)
{
	static const char *const unit_dirs[] = { "/etc/systemd/system", "/usr/local/lib/systemd/system",
	    "/usr/lib/systemd/system", "/lib/systemd/system" };
	static const char dropin[] =
	    "# Written by 'bobsync enable systemd'; 'bobsync disable' removes it.\n"
	    "# The vault key comes from the systemd credential store (root only), not\n"
	    "# from beside the vault, and the daemon records how it was started.\n"
	    "[Service]\n"
	    "Environment=BOBSYNC_STARTED_BY=systemd\n"
	    "LoadCredentialEncrypted=\n"
	    "LoadCredential=bobsync-key:/etc/credstore/bobsync-key\n";
	struct sysd d = { 0 };
	struct core_opts dry;
	struct passwd *pw;
	char exe[PATH_MAX], *unit, *full;
	int have_unit = 0;
	bs_rc rc;

	memset(&dry, 0, sizeof dry);
	d.o = o != NULL ? o : &dry;
	d.root = o != NULL && o->root != NULL ? o->root : "/";
	d.real = !d.o->dry_run && str_eq(d.root, "/");
	if (d.real && (rc = one_way(st, "systemd", err)) != BS_OK)
		return rc;
	if (d.real && !core_systemd_available())
		return bs_fail(err, BS_ERR_INVALID, geteuid() != 0 ? "a system service needs root: "
		    "run 'sudo bobsync enable systemd', or use cron" : "systemd does not run this "
		    "machine: use cron or the background instead");
	if (access(p->key_file, R_OK) != 0)
		return bs_fail(err, BS_ERR_INVALID, "the vault has no key file (%s), and a service "
		    "cannot type a passphrase: add one with 'bobsync credentials rekey --both' first "
		    "(or install passphrase.conf by hand, see bobsync(1))", p->key_file);
	pw = getpwnam("bobsync");
	if (pw != NULL) {
		d.have_user = 1;
		d.uid = pw->pw_uid;
		d.gid = pw->pw_gid;
	} else {
		static const char *const ua[] = { "useradd", "--system", "--home-dir",
		    "/var/lib/bobsync", "--shell", "/usr/sbin/nologin", "bobsync", NULL };
		if ((rc = run_step(&d, ua, err)) != BS_OK)
			return rc;
		if (d.real && (pw = getpwnam("bobsync")) != NULL) {
			d.have_user = 1;
			d.uid = pw->pw_uid;
			d.gid = pw->pw_gid;
		}
	}
	if ((rc = put_dir(&d, "/etc/bobsync", 0700, 1, err)) != BS_OK ||
	    (rc = put_dir(&d, "/var/lib/bobsync", 0700, 1, err)) != BS_OK)
		return rc;
	/* the settings and the vault the admin set up, for the service user */
	if (!str_eq(p->config_dir, "/etc/bobsync")) {
		if ((rc = copy_in(&d, p->conf_file, "/etc/bobsync/bobsync.conf", 0600, 1, err)) != BS_OK ||
		    (rc = copy_in(&d, p->vault_file, "/etc/bobsync/vault", 0600, 1, err)) != BS_OK)
			return rc;
	}
	if ((rc = put_dir(&d, "/etc/credstore", 0700, 0, err)) != BS_OK ||
	    (rc = copy_in(&d, p->key_file, "/etc/credstore/bobsync-key", 0400, 0, err)) != BS_OK)
		return rc;
	for (size_t i = 0; i < ARRAY_LEN(unit_dirs) && !have_unit; i++) {
		char path[256];
		snprintf(path, sizeof path, "%s/bobsync.service", unit_dirs[i]);
		full = under(d.root, path);
		have_unit = access(full, F_OK) == 0;
		if (have_unit)
			say(d.o, "the unit is installed: %s", path);
		free(full);
	}
	if (!have_unit) {
		unit = unit_text(self_exe(o, exe));
		rc = put_dir(&d, "/etc/systemd/system", 0755, 0, err);
		if (rc == BS_OK)
			rc = put_file(&d, "/etc/systemd/system/bobsync.service", unit, strlen(unit), 0644,
			    0, err);
		free(unit);
		if (rc != BS_OK)
			return rc;
	}
	if ((rc = put_dir(&d, "/etc/systemd/system/bobsync.service.d", 0755, 0, err)) != BS_OK ||
	    (rc = put_file(&d, "/etc/systemd/system/bobsync.service.d/bobsync-enable.conf", dropin,
	    strlen(dropin), 0644, 0, err)) != BS_OK)
		return rc;
	{
		static const char *const reload[] = { "systemctl", "daemon-reload", NULL };
		static const char *const en[] = { "systemctl", "enable", "--now", "bobsync.service",
		    NULL };
		if ((rc = run_step(&d, reload, err)) != BS_OK || (rc = run_step(&d, en, err)) != BS_OK)
			return rc;
	}
	if (!d.real)
		return BS_OK;
	rc = enabled_save(st, "systemd", SERVICE_STORE, err);
	if (rc == BS_OK) {
		struct store *svc = NULL;
		struct core_beat b;
		int ok = 0;
		int wait = o != NULL && o->wait_seconds > 0 ? o->wait_seconds : 60;
		for (int i = 0; i < wait * 10 && !ok; i++) {
			if (svc == NULL && access(SERVICE_STORE, R_OK) == 0)
				store_open(SERVICE_STORE, &svc, NULL);
			if (svc != NULL)
				ok = core_beat_load(svc, &b, NULL) == BS_OK && b.pid != 0 &&
				    str_eq(b.mode, "systemd");
			if (!ok)
				usleep(100000);
		}
		store_close(&svc);
		if (!ok)
			return bs_fail(err, BS_ERR_TIMEOUT, "the service sent no heartbeat within %d s: "
			    "see 'journalctl -u bobsync'", wait);
		say(d.o, "The system service runs (pid %lld).", b.pid);
	}
	return rc;
}

static bs_rc
disable_systemd(const struct core_opts *o, int *changed, struct bs_error *err)
{
	static const char *const dis[] = { "systemctl", "disable", "--now", "bobsync.service",
	    NULL };
	struct sysd d = { 0 };
	struct core_opts dry;
	bs_rc rc;

	memset(&dry, 0, sizeof dry);
	d.o = o != NULL ? o : &dry;
	d.root = "/";
	d.real = !d.o->dry_run;
	if (!core_systemd_available())
		return BS_OK;
	if ((rc = run_step(&d, dis, err)) != BS_OK)
		return rc;
	if (!d.o->dry_run)
		unlink("/etc/systemd/system/bobsync.service.d/bobsync-enable.conf");
	*changed = 1;
	return BS_OK;
}

bs_rc
core_disable(const struct bs_paths *p, struct store *st, const struct core_opts *o,
    struct bs_error *err)
{
	char mode[16];
	int changed = 0;
	bs_rc rc = BS_OK;

	(void)p;
	enabled_read(st, mode, NULL, 0);
	if (str_eq(mode, "systemd"))
		rc = disable_systemd(o, &changed, err);
	if (rc == BS_OK)
		rc = disable_cron(o, &changed, err);
	if (rc == BS_OK)
		rc = stop_daemon(st, o, &changed, err);
	if (rc == BS_OK && !(o != NULL && o->dry_run)) {
		store_kv_del(st, KV_ENABLED, NULL);
		if (!changed)
			say(o, "Nothing was enabled: the sync core was not running.");
		else
			say(o, "The sync core is off: nothing syncs until it is enabled again.");
	}
	return rc;
}
