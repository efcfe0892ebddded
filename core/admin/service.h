/* service.h - the sync core: how it runs (a system service, cron, a
 * background process), its heartbeat, pausing it, and turning it on and
 * off.  The CLI (enable, disable, pause, resume, status) and the console
 * (setup step 8, the dashboard) call these same functions.
 *
 * State in the store's kv table (no schema change):
 *   core.beat     {pid, mode, since, beat, version} written by the daemon
 *                 at every tick and by each `daemon --once`
 *   core.enabled  {mode, store, at, by}: what `enable` set up; store is the
 *                 state store the core beats in (the service's own for
 *                 systemd)
 *   core.stall_alerted  the beat a "stalled" alert was raised for
 *   pause.roster, pause.timeoff  {by, at, until} (until 0 = until resumed)
 */
#ifndef BS_SERVICE_H
#define BS_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "admin/jobs.h"
#include "base/result.h"

struct bs_paths;
struct conf;
struct store;

/* ---- the heartbeat ---- */
struct core_beat {
	long long pid;		/* 0 = no heartbeat */
	char mode[16];		/* "systemd", "cron", "background", "foreground", "once" */
	int64_t since;		/* when this core process started */
	int64_t beat;		/* its last heartbeat */
	char version[32];
};
/* How this process was started: BOBSYNC_STARTED_BY, else systemd when
 * INVOCATION_ID is set, else "once" or "foreground". */
const char *core_started_by(int once);
bs_rc core_beat_save(struct store *st, const struct core_beat *b, struct bs_error *err);
bs_rc core_beat_load(struct store *st, struct core_beat *out, struct bs_error *err);
/* Remove the heartbeat if it is pid's (a clean daemon exit). */
void core_beat_clear(struct store *st, long long pid);

/* The poll interval of the core's mode: timeoff.poll_minutes
 * (BOBSYNC_TEST_POLL_SECONDS when set); 5 minutes at least for cron.  A
 * daemon beats at least every minute (every poll when shorter); a beat
 * older than twice this is "stalled". */
int64_t core_beat_period(const struct conf *conf, const char *mode);

/* ---- pause ---- */
struct core_pause {
	int on;
	char by[64];
	int64_t at;
	int64_t until;		/* 0 = until resumed */
};
/* Paused now? k: roster, timeoff (reconcile follows time off); an expired
 * pause is not one. */
int core_paused(struct store *st, enum job_kind k, int64_t now, struct core_pause *out);
/* what: "roster", "timeoff" or "all". */
bs_rc core_pause(struct store *st, const char *what, const char *by, int64_t now, int64_t until,
    struct bs_error *err);
bs_rc core_resume(struct store *st, const char *what, struct bs_error *err);
/* "2h", "30m", "90s", "1d" -> seconds; -1 when invalid. */
long long core_parse_duration(const char *s);
/* Who is doing this: the login name of the user. */
const char *core_who(char *buf, size_t n);

/* ---- the state of the core, for status and the dashboard ---- */
enum core_state { CORE_NOT_RUNNING, CORE_RUNNING, CORE_STALLED };
struct core_status {
	enum core_state state;
	struct core_beat beat;
	char enabled[16];	/* what enable set up: "systemd", "cron", "background", "" */
	int64_t period;		/* heartbeat period of the mode */
	struct core_pause pause[2];	/* [0] roster, [1] time off */
	int scheduled;		/* something will run the syncs (running, or cron enabled) */
};
/* From the store the core beats in; st may be NULL (nothing yet). */
void core_status_read(const struct conf *conf, struct store *st, int64_t now,
    struct core_status *out);
const char *core_state_name(enum core_state s);	/* "running", "stalled", "not running" */
/* A stalled heartbeat raises alert.command (event "stalled") once per
 * stalled beat; 1 when it alerted now. */
int core_stall_alert(const struct conf *conf, struct store *st, const struct core_status *cs);

/* The state store the core beats in: core.enabled's store when it is
 * another one and exists (the system service's), else own.  *other is
 * opened then (close it with store_close); otherwise *other is NULL. */
struct store *core_store(struct store *own, const char *own_path, struct store **other);

/* ---- enabling and disabling ---- */
/* Every step is said through say (a line of text, no newline). */
struct core_opts {
	void (*say)(void *ctx, const char *line);
	void *ctx;
	const char *exe;	/* the bobsync binary; NULL = this one */
	int dry_run;		/* say what would be done, change nothing */
	const char *root;	/* systemd: install under this folder (DESTDIR style; no
				 * useradd, chown or systemctl), NULL = "/" */
	int wait_seconds;	/* for the first heartbeat; 0 = 60 */
};

/* crontab text: the bobsync line (and its marker line) added once at the
 * end, the rest kept; or removed.  Caller frees. */
char *core_crontab_add(const char *text, const char *line);
char *core_crontab_remove(const char *text, int *removed);
/* The cron line for these paths (environment that locates the files). */
char *core_cron_line(const struct bs_paths *p, const char *exe);
/* The next time a cron line "*(/)5 * * * *" fires after now. */
int64_t core_cron_next(int64_t now);

bs_rc core_enable_cron(const struct bs_paths *p, struct store *st, const struct core_opts *o,
    struct bs_error *err);
bs_rc core_enable_background(const struct bs_paths *p, struct store *st,
    const struct core_opts *o, long long *pid, struct bs_error *err);
bs_rc core_enable_systemd(const struct bs_paths *p, struct store *st, const struct core_opts *o,
    struct bs_error *err);
/* Undo whatever is enabled: the cron line, the background daemon, the
 * system service. */
bs_rc core_disable(const struct bs_paths *p, struct store *st, const struct core_opts *o,
    struct bs_error *err);
/* Wait until a heartbeat newer than after, from a core started as mode
 * (NULL: any), appears in st; 1 when it did. */
int core_wait_beat(struct store *st, int64_t after, const char *mode, int seconds,
    struct core_beat *out);
/* 1 when systemd runs this machine and we are root. */
int core_systemd_available(void);

#endif
