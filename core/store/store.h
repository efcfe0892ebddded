/* store.h - the state store: SQLite in WAL mode with versioned migrations.
 *
 * Holds runs, the action journal, the audit log, the roster provisioned in
 * Alleo, the time-off request -> Assembled event mapping, cursors, approvals
 * and per-sync status.  Never a secret.  Every multi-row change is one
 * transaction.  A store written by a newer bobsync (higher schema version)
 * is refused with BS_ERR_STORE_VERSION.
 *
 * Engine-specific tables have their own files (store_roster.c,
 * store_timeoff.c) that use store_db(); the schema of all of them is in the
 * migration list of store.c.
 */
#ifndef BS_STORE_H
#define BS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

struct sqlite3;
struct store;

/* Open (creating with mode 0600 if missing) and migrate to the current
 * schema.  ":memory:" opens a store that lives in memory. */
bs_rc store_open(const char *path, struct store **out, struct bs_error *err);
void store_close(struct store **s);

int store_schema_version(struct store *s);	/* PRAGMA user_version */
int store_latest_version(void);			/* what this build writes */
struct sqlite3 *store_db(struct store *s);	/* for store_*.c in core only */
/* For store_*.c: a statement prepared once and kept for the store's life,
 * for a lookup made once a row (`log` names each action's person: a
 * prepare costs more than the lookup).  NULL when it cannot be prepared;
 * otherwise it is the caller's alone until store_stmt_done (which resets
 * it and clears its bindings): no other cached statement in between. */
enum store_stmt {
	STORE_STMT_ROSTER_GET, STORE_STMT_ROSTER_EMAIL,
	/* the writes a run makes once an action: the journal row, its mark,
	 * the audit line, the roster row */
	STORE_STMT_ACTION_ADD, STORE_STMT_ACTION_MARK, STORE_STMT_AUDIT, STORE_STMT_ROSTER_PUT,
	STORE_STMT_COUNT
};
struct sqlite3_stmt *store_stmt_cached(struct store *s, enum store_stmt which, const char *sql);
void store_stmt_done(struct store *s, struct sqlite3_stmt *st);

bs_rc store_begin(struct store *s, struct bs_error *err);	/* BEGIN IMMEDIATE */
bs_rc store_commit(struct store *s, struct bs_error *err);
void store_rollback(struct store *s);

/* Fill err from the connection's last SQLite error. */
bs_rc store_fail(struct store *s, struct bs_error *err, const char *what);

/* ---- runs ---- */
struct store_run {
	int64_t id;
	char *target;		/* "roster", "timeoff" */
	char *kind;		/* "sync", "dry-run", "reconcile" */
	char *plan_id;
	int64_t started_at, finished_at;	/* unix seconds; finished 0 = running or interrupted */
	char *result;		/* "running", "ok", "failed", "blocked", "aborted", "partial",
				 * "interrupted", "not run" */
	long applied, failed, skipped;
	long requests;
	long long bytes;
	char *message;
	char *origin;		/* who started it: "console", "cli", "daemon"; "" before schema 2 */
};
/* Call with the run lock held: earlier runs still marked "running" are then
 * dead and become "interrupted". */
bs_rc store_run_start(struct store *s, const char *target, const char *kind,
    const char *plan_id, int64_t now, int64_t *run_id, struct bs_error *err);
/* The same closing on its own, as soon as the lock is taken (a run plans
 * for up to a minute before store_run_start): every run still marked
 * "running" with an id below before_id (0: any id) becomes "interrupted". */
bs_rc store_runs_close_killed(struct store *s, int64_t before_id, struct bs_error *err);
/* What a killed run's row says once the next run has closed it. */
#define RUN_INTERRUPTED_MSG "stopped before it finished (killed, crashed or the machine went " \
	"down); the next run of this sync settles what it left half-done"
/* For showing runs: a run still marked "running" is running only when a
 * process holds the run lock and took it before the run started
 * (held_since, from lock_held_since; 0 = nobody holds it); any other was
 * killed, and is shown as the next run will record it ("interrupted").
 * The rows are not changed. */
void store_runs_settle(struct store_run *v, size_t n, int64_t held_since);
/* Whether a run marked "running" that started at started_at is running. */
int store_run_live(int64_t started_at, int64_t held_since);
bs_rc store_run_finish(struct store *s, int64_t run_id, const char *result,
    long applied, long failed, long skipped, long requests, long long bytes,
    const char *message, int64_t now, struct bs_error *err);
/* Who started the run: "console", "cli" or "daemon". */
bs_rc store_run_set_origin(struct store *s, int64_t run_id, const char *origin,
    struct bs_error *err);
/* A run that ended before it began (not run, a planning failure, a plan
 * blocked by the guard): one finished row, other runs left alone, so no
 * lock is needed. */
bs_rc store_run_add(struct store *s, const char *target, const char *kind, const char *plan_id,
    const char *result, const char *message, const char *origin, int64_t now, int64_t *run_id,
    struct bs_error *err);
bs_rc store_run_get(struct store *s, int64_t run_id, struct store_run *out,
    struct bs_error *err);		/* BS_ERR_NOT_FOUND when absent */
/* Newest first; target NULL = all. */
bs_rc store_runs_list(struct store *s, const char *target, size_t limit,
    struct store_run **out, size_t *n, struct bs_error *err);
/* The newest runs whose result is result (ok, partial, ...), newest first. */
bs_rc store_runs_with_result(struct store *s, const char *result, size_t limit,
    struct store_run **out, size_t *n, struct bs_error *err);
bs_rc store_run_last(struct store *s, const char *target, struct store_run *out,
    struct bs_error *err);		/* BS_ERR_NOT_FOUND when none */
void store_run_clear(struct store_run *r);
void store_runs_free(struct store_run *runs, size_t n);

/* ---- the action journal ---- */
struct store_action {
	int64_t id;
	int64_t run_id;
	int seq;
	char *target;		/* "alleo", "assembled" */
	char *op;		/* add update remove reactivate create replace delete */
	char *subject;		/* employee id or request id */
	char *email;
	char *reason;
	char *before;		/* JSON text, may be NULL */
	char *after;		/* JSON text, may be NULL */
	char *state;		/* "pending", "sent", "done", "failed", "skipped" */
	char *error;
	char *remote_id;
	int64_t updated_at;
};
/* Journal an action as "pending" before it is sent. */
bs_rc store_action_add(struct store *s, const struct store_action *a,
    int64_t now, int64_t *id, struct bs_error *err);
bs_rc store_action_mark(struct store *s, int64_t id, const char *state,
    const char *remote_id, const char *error, int64_t now, struct bs_error *err);
/* Actions left "pending" or "sent" by earlier runs of this target (a
 * crash), oldest first. */
bs_rc store_actions_unfinished(struct store *s, const char *target,
    struct store_action **out, size_t *n, struct bs_error *err);
struct store_action_filter {
	int64_t run_id;		/* 0 = any */
	const char *subject;	/* employee/request id or email, NULL = any */
	const char *state;	/* NULL = any */
	size_t limit;		/* 0 = 100 */
};
bs_rc store_actions_list(struct store *s, const struct store_action_filter *f,
    struct store_action **out, size_t *n, struct bs_error *err);
void store_action_clear(struct store_action *a);
void store_actions_free(struct store_action *a, size_t n);

/* ---- audit messages ---- */
/* subject and message pass through the secret masker of log.h. */
bs_rc store_audit(struct store *s, int64_t run_id, const char *level,
    const char *subject, const char *message, int64_t now);
struct store_audit_entry {
	int64_t id;
	int64_t ts;
	int64_t run_id;		/* 0 = not tied to a run */
	char *level;
	char *subject;
	char *message;
};
/* Newest first; run_id 0 = all; limit 0 = 100. */
bs_rc store_audit_list(struct store *s, int64_t run_id, size_t limit,
    struct store_audit_entry **out, size_t *n, struct bs_error *err);
void store_audit_free(struct store_audit_entry *v, size_t n);

/* ---- key/value: cursors, last source counts, schedule, quarantine ---- */
bs_rc store_kv_get(struct store *s, const char *key, char **value,
    struct bs_error *err);		/* *value NULL when absent; caller frees */
bs_rc store_kv_set(struct store *s, const char *key, const char *value,
    int64_t now, struct bs_error *err);
bs_rc store_kv_del(struct store *s, const char *key, struct bs_error *err);

/* ---- approvals of blocked plans ---- */
bs_rc store_approval_record(struct store *s, const char *plan_id,
    const char *target, int64_t now, struct bs_error *err);
/* 1 when this plan id was already used by an applied run, else 0; -1 when
 * the store cannot tell (treat as used: refuse). */
int store_approval_used(struct store *s, const char *plan_id);
bs_rc store_approval_mark_used(struct store *s, const char *plan_id,
    int64_t now, struct bs_error *err);

/* ---- retention ---- */
/* Delete runs, actions and audit rows finished before `before`. */
bs_rc store_prune(struct store *s, int64_t before, struct bs_error *err);

#endif
