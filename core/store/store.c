/* store.c - the state store: SQLite in WAL mode, versioned migrations,
 * runs, the action journal, the audit log, key/value state and approvals.
 *
 * PRAGMA user_version is the schema version.  Each migration runs in its
 * own transaction together with the version bump, so a store is always at
 * exactly one version.  A store written by a newer bobsync is refused
 * before anything is written to it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/log.h"
#include "store/store.h"
#include "base/util.h"

#define STORE_LIST_DEFAULT 100		/* rows when the caller gives no limit */
#define STORE_LIST_MAX 10000		/* rows any list returns at most */
#define STORE_BUSY_MS 5000

struct store {
	sqlite3 *db;
	char *path;		/* owned */
	/* statements kept prepared (store_stmt_cached), used under cache_mu */
	pthread_mutex_t cache_mu;
	sqlite3_stmt *cache[STORE_STMT_COUNT];
};

/* The schema, one entry per version: migrations[0] takes an empty store to
 * version 1.  Never edit an entry once released; add a new one. */
static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  target TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  plan_id TEXT,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER NOT NULL DEFAULT 0,"
	"  result TEXT NOT NULL DEFAULT 'running',"
	"  applied INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  skipped INTEGER NOT NULL DEFAULT 0,"
	"  requests INTEGER NOT NULL DEFAULT 0,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  message TEXT);"
	"CREATE INDEX runs_target ON runs(target, id);"
	"CREATE TABLE actions ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL DEFAULT 0,"
	"  target TEXT NOT NULL,"
	"  op TEXT NOT NULL,"
	"  subject TEXT,"
	"  email TEXT,"
	"  reason TEXT,"
	"  before TEXT,"
	"  after TEXT,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  error TEXT,"
	"  remote_id TEXT,"
	"  updated_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX actions_target_state ON actions(target, state);"
	"CREATE INDEX actions_subject ON actions(subject);"
	"CREATE INDEX actions_email ON actions(email);"
	"CREATE INDEX actions_run ON actions(run_id, seq);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL,"
	"  run_id INTEGER NOT NULL DEFAULT 0,"
	"  level TEXT NOT NULL,"
	"  subject TEXT,"
	"  message TEXT NOT NULL);"
	"CREATE INDEX audit_run ON audit(run_id);"
	"CREATE INDEX audit_ts ON audit(ts);"
	"CREATE TABLE roster ("
	"  employee_id TEXT PRIMARY KEY,"
	"  email TEXT,"
	"  first_name TEXT,"
	"  last_name TEXT,"
	"  start_date TEXT,"
	"  end_date TEXT,"
	"  budgets TEXT,"
	"  remote_id TEXT,"
	"  active INTEGER NOT NULL DEFAULT 1,"
	"  offboard_date TEXT,"
	"  content_hash TEXT,"
	"  updated_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX roster_email ON roster(email);"
	"CREATE TABLE timeoff_events ("
	"  request_id INTEGER NOT NULL,"
	"  chunk INTEGER NOT NULL DEFAULT 0,"
	"  employee_id TEXT,"
	"  agent_id TEXT,"
	"  activity_id TEXT,"
	"  type_id TEXT,"
	"  start_time INTEGER,"
	"  end_time INTEGER,"
	"  content_hash TEXT,"
	"  updated_at INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (request_id, chunk));"
	"CREATE INDEX timeoff_events_activity ON timeoff_events(activity_id);"
	"CREATE TABLE timeoff_requests ("
	"  request_id INTEGER PRIMARY KEY,"
	"  employee_id TEXT,"
	"  status TEXT,"
	"  previous_request_id INTEGER,"
	"  data TEXT,"
	"  updated_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX timeoff_requests_previous ON timeoff_requests(previous_request_id);"
	"CREATE TABLE kv ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT,"
	"  updated_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE approvals ("
	"  plan_id TEXT PRIMARY KEY,"
	"  target TEXT,"
	"  approved_at INTEGER NOT NULL,"
	"  used_at INTEGER);",
	/* 2: who started each run (console, cli, daemon) */
	"ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT '';",
	/* 3: `log --person` finds an address whatever its case from an index;
	 * `status` counts the active roster from one */
	"CREATE INDEX actions_email_nocase ON actions(email COLLATE NOCASE);"
	"CREATE INDEX roster_active ON roster(active);",
	/* 4: `log` names the people of the actions it shows from the roster
	 * by email whatever its case, and `log --result` reads the newest runs
	 * with one result, each from an index; the active roster is counted
	 * as it changes (status, the sync's guard), not by reading it (the
	 * triggers see a REPLACE's delete: recursive_triggers, store_open) */
	"CREATE INDEX roster_email_nocase ON roster(email COLLATE NOCASE);"
	"CREATE INDEX runs_result ON runs(result, id);"
	"CREATE TABLE counts ("
	"  name TEXT PRIMARY KEY,"
	"  n INTEGER NOT NULL);"
	"INSERT INTO counts(name, n) SELECT 'roster_active', count(*) FROM roster WHERE active = 1;"
	"CREATE TRIGGER roster_active_insert AFTER INSERT ON roster WHEN NEW.active = 1 BEGIN"
	"  UPDATE counts SET n = n + 1 WHERE name = 'roster_active'; END;"
	"CREATE TRIGGER roster_active_delete AFTER DELETE ON roster WHEN OLD.active = 1 BEGIN"
	"  UPDATE counts SET n = n - 1 WHERE name = 'roster_active'; END;"
	"CREATE TRIGGER roster_active_update AFTER UPDATE OF active ON roster"
	"  WHEN (OLD.active = 1) <> (NEW.active = 1) BEGIN"
	"  UPDATE counts SET n = n + (NEW.active = 1) - (OLD.active = 1)"
	"  WHERE name = 'roster_active'; END;",
	/* 5: `log --person NAME` finds a part of a name from a trigram index
	 * of the roster's full names (FTS5), kept by triggers, instead of
	 * reading every row; the rows it names are then tested as before */
	"CREATE VIRTUAL TABLE roster_names USING fts5(name, tokenize = 'trigram');"
	"INSERT INTO roster_names(rowid, name) SELECT rowid,"
	"  coalesce(first_name, '') || ' ' || coalesce(last_name, '') FROM roster;"
	"CREATE TRIGGER roster_names_insert AFTER INSERT ON roster BEGIN"
	"  INSERT INTO roster_names(rowid, name) VALUES (NEW.rowid,"
	"  coalesce(NEW.first_name, '') || ' ' || coalesce(NEW.last_name, '')); END;"
	"CREATE TRIGGER roster_names_delete AFTER DELETE ON roster BEGIN"
	"  DELETE FROM roster_names WHERE rowid = OLD.rowid; END;"
	"CREATE TRIGGER roster_names_update AFTER UPDATE OF first_name, last_name ON roster BEGIN"
	"  UPDATE roster_names SET name ="
	"  coalesce(NEW.first_name, '') || ' ' || coalesce(NEW.last_name, '')"
	"  WHERE rowid = NEW.rowid; END;",
};

int
store_latest_version(void)
{
	return (int)ARRAY_LEN(migrations);
}

struct sqlite3 *
store_db(struct store *s)
{
	return s ? s->db : NULL;
}

bs_rc
store_fail(struct store *s, struct bs_error *err, const char *what)
{
	sqlite3 *db = s ? s->db : NULL;
	int code = db ? sqlite3_errcode(db) : SQLITE_MISUSE;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return bs_fail(err, BS_ERR_STORE,
		    "%s: the state store is busy (another bobsync is writing to it)", what);
	if (code == SQLITE_FULL)
		return bs_fail(err, BS_ERR_STORE, "%s: the disk holding state.db is full", what);
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		return bs_fail(err, BS_ERR_STORE,
		    "%s: state.db is damaged or not a bobsync state store (%s)", what,
		    sqlite3_errmsg(db));
	return bs_fail(err, BS_ERR_STORE, "%s: %s", what, db ? sqlite3_errmsg(db) : "no store");
}

static bs_rc
exec(struct store *s, const char *sql, const char *what, struct bs_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, err, what);
	return BS_OK;
}

static int
read_user_version(struct store *s, int *v)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_schema_version(struct store *s)
{
	int v = -1;

	if (s == NULL || read_user_version(s, &v) < 0)
		return -1;
	return v;
}

/* ---- transactions ---- */

bs_rc
store_begin(struct store *s, struct bs_error *err)
{
	if (s == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store");
	return exec(s, "BEGIN IMMEDIATE", "starting a transaction", err);
}

bs_rc
store_commit(struct store *s, struct bs_error *err)
{
	bs_rc rc;

	if (s == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store");
	rc = exec(s, "COMMIT", "saving to the state store", err);
	if (rc != BS_OK)
		store_rollback(s);
	return rc;
}

void
store_rollback(struct store *s)
{
	if (s != NULL && s->db != NULL && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Internal multi-statement changes: a transaction of their own, or a
 * savepoint inside the caller's. */
static bs_rc
tx_begin(struct store *s, int *nested, struct bs_error *err)
{
	*nested = !sqlite3_get_autocommit(s->db);
	if (*nested)
		return exec(s, "SAVEPOINT store_tx", "starting a transaction", err);
	return store_begin(s, err);
}

static bs_rc
tx_end(struct store *s, int nested, bs_rc rc, struct bs_error *err)
{
	if (rc == BS_OK) {
		if (nested)
			return exec(s, "RELEASE store_tx", "saving to the state store", err);
		return store_commit(s, err);
	}
	if (nested) {
		sqlite3_exec(s->db, "ROLLBACK TO store_tx; RELEASE store_tx", NULL, NULL, NULL);
	} else {
		store_rollback(s);
	}
	return rc;
}

/* ---- opening ---- */

static bs_rc
migrate(struct store *s, struct bs_error *err)
{
	int latest = store_latest_version();
	int v;

	if (read_user_version(s, &v) == 0 && v == latest)
		return BS_OK;	/* the usual case: no write lock needed */
	for (;;) {
		bs_rc rc;
		char *sql;

		rc = store_begin(s, err);
		if (rc != BS_OK)
			return rc;
		/* read again inside the transaction: another process may have
		 * migrated meanwhile */
		if (read_user_version(s, &v) < 0) {
			rc = store_fail(s, err, "reading the schema version");
			store_rollback(s);
			return rc;
		}
		if (v > latest) {
			store_rollback(s);
			return bs_fail(err, BS_ERR_STORE_VERSION,
			    "state.db was written by a newer bobsync (schema %d, this one knows %d); "
			    "upgrade bobsync", v, latest);
		}
		if (v == latest) {
			store_rollback(s);
			return BS_OK;
		}
		if (v < 0) {
			store_rollback(s);
			return bs_fail(err, BS_ERR_STORE, "state.db has a negative schema version %d", v);
		}
		if (sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
			char what[64];
			snprintf(what, sizeof what, "upgrading state.db to schema %d", v + 1);
			rc = store_fail(s, err, what);
			store_rollback(s);
			return rc;
		}
		sql = xasprintf("PRAGMA user_version = %d", v + 1);
		rc = exec(s, sql, "recording the schema version", err);
		free(sql);
		if (rc != BS_OK) {
			store_rollback(s);
			return rc;
		}
		rc = store_commit(s, err);
		if (rc != BS_OK)
			return rc;
		log_info("state store upgraded to schema %d", v + 1);
	}
}

static int
is_memory(const char *path)
{
	return strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0;
}

bs_rc
store_open(const char *path, struct store **out, struct bs_error *err)
{
	struct store *s;
	mode_t old_umask;
	int v, orc;
	bs_rc rc = BS_OK;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no place for the state store");
	*out = NULL;
	if (str_empty(path))
		return bs_fail(err, BS_ERR_INVALID, "no state store path");

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	pthread_mutex_init(&s->cache_mu, NULL);
	/* the file and its -wal and -shm companions are created 0600 */
	old_umask = umask(077);
	orc = sqlite3_open_v2(path, &s->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_FULLMUTEX | (strncmp(path, "file:", 5) == 0 ? SQLITE_OPEN_URI : 0), NULL);
	if (orc != SQLITE_OK) {
		if (s->db == NULL)
			rc = bs_fail(err, BS_ERR_NOMEM, "cannot open %s: out of memory", path);
		else
			rc = bs_fail(err, BS_ERR_STORE, "cannot open %s: %s", path,
			    sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 0);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (!is_memory(path)) {
		struct stat st;
		/* an older file with looser permissions is tightened */
		if (stat(path, &st) == 0 && (st.st_mode & 077) != 0 && chmod(path, 0600) < 0)
			log_warn("cannot make %s private: %s", path, strerror(errno));
	}

	/* refuse a newer store before writing anything to it */
	if (read_user_version(s, &v) < 0) {
		rc = store_fail(s, err, "reading state.db");
		goto fail;
	}
	if (v > store_latest_version()) {
		rc = bs_fail(err, BS_ERR_STORE_VERSION,
		    "state.db was written by a newer bobsync (schema %d, this one knows %d); "
		    "upgrade bobsync", v, store_latest_version());
		goto fail;
	}
	if (!is_memory(path)) {
		sqlite3_stmt *st = NULL;
		int wal = 0;
		if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *m = sqlite3_column_text(st, 0);
			wal = m != NULL && strcmp((const char *)m, "wal") == 0;
		}
		sqlite3_finalize(st);
		if (!wal) {
			rc = store_fail(s, err, "switching state.db to WAL mode");
			goto fail;
		}
	}
	/* recursive_triggers: a row INSERT OR REPLACE removes fires the
	 * roster's delete trigger (migration 4's count) */
	rc = exec(s, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; "
	    "PRAGMA recursive_triggers=ON;",
	    "setting up state.db", err);
	if (rc != BS_OK)
		goto fail;
	rc = migrate(s, err);
	if (rc != BS_OK)
		goto fail;
	umask(old_umask);
	*out = s;
	return BS_OK;
fail:
	umask(old_umask);
	store_close(&s);
	return rc;
}

void
store_close(struct store **sp)
{
	struct store *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	for (size_t i = 0; i < ARRAY_LEN(s->cache); i++)
		sqlite3_finalize(s->cache[i]);
	if (s->db != NULL) {
		store_rollback(s);
		sqlite3_close_v2(s->db);
	}
	pthread_mutex_destroy(&s->cache_mu);
	free(s->path);
	free(s);
	*sp = NULL;
}

/* ---- statement helpers ---- */

sqlite3_stmt *
store_stmt_cached(struct store *s, enum store_stmt which, const char *sql)
{
	if (s == NULL || s->db == NULL || (unsigned)which >= STORE_STMT_COUNT)
		return NULL;
	pthread_mutex_lock(&s->cache_mu);
	if (s->cache[which] == NULL &&
	    sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->cache[which],
	    NULL) != SQLITE_OK) {
		s->cache[which] = NULL;
		pthread_mutex_unlock(&s->cache_mu);
		return NULL;
	}
	return s->cache[which];
}

void
store_stmt_done(struct store *s, sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	pthread_mutex_unlock(&s->cache_mu);
}

static bs_rc
prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct bs_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_fail(s, err, "preparing a query");
	}
	return BS_OK;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Column as a new string (caller frees), NULL for SQL NULL. */
static char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(st, i);
	return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

/* Run a statement that returns no rows, then finalize it, or give it back
 * to the cache (store_stmt_cached) when it is one of those. */
static bs_rc
step_end(struct store *s, sqlite3_stmt *st, int cached, const char *what, struct bs_error *err)
{
	int r = sqlite3_step(st);
	bs_rc rc = BS_OK;

	if (r != SQLITE_DONE && r != SQLITE_ROW)
		rc = store_fail(s, err, what);
	if (cached)
		store_stmt_done(s, st);
	else
		sqlite3_finalize(st);
	return rc;
}

static bs_rc
step_done(struct store *s, sqlite3_stmt *st, const char *what, struct bs_error *err)
{
	return step_end(s, st, 0, what, err);
}

/* prepare for a statement kept in the cache: *st is the caller's until
 * step_cached gives it back. */
static bs_rc
cached(struct store *s, enum store_stmt which, const char *sql, sqlite3_stmt **st,
    struct bs_error *err)
{
	*st = store_stmt_cached(s, which, sql);
	return *st != NULL ? BS_OK : store_fail(s, err, "preparing a query");
}

static bs_rc
step_cached(struct store *s, sqlite3_stmt *st, const char *what, struct bs_error *err)
{
	return step_end(s, st, 1, what, err);
}

static size_t
clamp_limit(size_t limit)
{
	if (limit == 0)
		return STORE_LIST_DEFAULT;
	return limit > STORE_LIST_MAX ? STORE_LIST_MAX : limit;
}

static int
valid_state(const char *state)
{
	static const char *const states[] = { "pending", "sent", "done", "failed", "skipped" };

	for (size_t i = 0; i < ARRAY_LEN(states); i++)
		if (str_eq(state, states[i]))
			return 1;
	return 0;
}

/* ---- runs ---- */

bs_rc
store_run_start(struct store *s, const char *target, const char *kind, const char *plan_id,
    int64_t now, int64_t *run_id, struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (s == NULL || str_empty(target) || str_empty(kind) || run_id == NULL)
		return bs_fail(err, BS_ERR_INVALID, "a run needs a store, a target and a kind");
	*run_id = 0;
	rc = prepare(s, "INSERT INTO runs(target, kind, plan_id, started_at, result) "
	    "VALUES (?, ?, ?, ?, 'running')", &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, target);
	bind_text(st, 2, kind);
	bind_text(st, 3, plan_id);
	sqlite3_bind_int64(st, 4, now);
	rc = step_done(s, st, "recording the start of a run", err);
	if (rc != BS_OK)
		return rc;
	*run_id = sqlite3_last_insert_rowid(s->db);
	return store_runs_close_killed(s, *run_id, err);
}

bs_rc
store_runs_close_killed(struct store *s, int64_t before_id, struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	/* Runs are started under the one run lock, so a run still marked
	 * running is one that was killed or crashed: say so in the log.  Its
	 * finished_at stays 0 (the end is unknown), which also keeps it from
	 * store_prune while an action of it is left to recover. */
	rc = prepare(s, "UPDATE runs SET result = 'interrupted', message = '" RUN_INTERRUPTED_MSG
	    "' WHERE result = 'running' AND (?1 = 0 OR id < ?1)", &st, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, before_id);
	return step_done(s, st, "closing runs that were interrupted", err);
}

int
store_run_live(int64_t started_at, int64_t held_since)
{
	return held_since > 0 && started_at >= held_since;
}

void
store_runs_settle(struct store_run *v, size_t n, int64_t held_since)
{
	for (size_t i = 0; i < n; i++) {
		if (!str_eq(v[i].result, "running") || store_run_live(v[i].started_at, held_since))
			continue;
		free(v[i].result);
		v[i].result = xstrdup("interrupted");
		if (str_empty(v[i].message)) {
			free(v[i].message);
			v[i].message = xstrdup(RUN_INTERRUPTED_MSG);
		}
	}
}

bs_rc
store_run_finish(struct store *s, int64_t run_id, const char *result, long applied, long failed,
    long skipped, long requests, long long bytes, const char *message, int64_t now,
    struct bs_error *err)
{
	sqlite3_stmt *st;
	char *masked = NULL;
	bs_rc rc;

	if (s == NULL || str_empty(result))
		return bs_fail(err, BS_ERR_INVALID, "finishing a run needs a store and a result");
	rc = prepare(s, "UPDATE runs SET finished_at = ?, result = ?, applied = ?, failed = ?, "
	    "skipped = ?, requests = ?, bytes = ?, message = ? WHERE id = ?", &st, err);
	if (rc != BS_OK)
		return rc;
	if (message != NULL)
		masked = log_mask(message);	/* never a secret in the store */
	sqlite3_bind_int64(st, 1, now > 0 ? now : 1);
	bind_text(st, 2, result);
	sqlite3_bind_int64(st, 3, applied);
	sqlite3_bind_int64(st, 4, failed);
	sqlite3_bind_int64(st, 5, skipped);
	sqlite3_bind_int64(st, 6, requests);
	sqlite3_bind_int64(st, 7, bytes);
	bind_text(st, 8, masked);
	sqlite3_bind_int64(st, 9, run_id);
	rc = step_done(s, st, "recording the end of a run", err);
	free(masked);
	if (rc == BS_OK && sqlite3_changes(s->db) == 0)
		rc = bs_fail(err, BS_ERR_NOT_FOUND, "no run %lld in the state store",
		    (long long)run_id);
	return rc;
}

bs_rc
store_run_set_origin(struct store *s, int64_t run_id, const char *origin, struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (s == NULL || str_empty(origin))
		return bs_fail(err, BS_ERR_INVALID, "recording who started a run needs a store and "
		    "an origin");
	rc = prepare(s, "UPDATE runs SET origin = ? WHERE id = ?", &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, origin);
	sqlite3_bind_int64(st, 2, run_id);
	return step_done(s, st, "recording who started a run", err);
}

bs_rc
store_run_add(struct store *s, const char *target, const char *kind, const char *plan_id,
    const char *result, const char *message, const char *origin, int64_t now, int64_t *run_id,
    struct bs_error *err)
{
	sqlite3_stmt *st;
	char *masked;
	bs_rc rc;

	if (s == NULL || str_empty(target) || str_empty(kind) || str_empty(result) ||
	    run_id == NULL)
		return bs_fail(err, BS_ERR_INVALID, "a run needs a store, a target, a kind and a "
		    "result");
	*run_id = 0;
	rc = prepare(s, "INSERT INTO runs(target, kind, plan_id, started_at, finished_at, result, "
	    "message, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st, err);
	if (rc != BS_OK)
		return rc;
	masked = message != NULL ? log_mask(message) : NULL;
	bind_text(st, 1, target);
	bind_text(st, 2, kind);
	bind_text(st, 3, plan_id);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now > 0 ? now : 1);
	bind_text(st, 6, result);
	bind_text(st, 7, masked);
	bind_text(st, 8, origin ? origin : "");
	rc = step_done(s, st, "recording a run", err);
	free(masked);
	if (rc == BS_OK)
		*run_id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

#define RUN_COLUMNS "id, target, kind, plan_id, started_at, finished_at, result, applied, " \
	"failed, skipped, requests, bytes, message, origin"

static void
run_from_row(sqlite3_stmt *st, struct store_run *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->target = col_text(st, 1);
	r->kind = col_text(st, 2);
	r->plan_id = col_text(st, 3);
	r->started_at = sqlite3_column_int64(st, 4);
	r->finished_at = sqlite3_column_int64(st, 5);
	r->result = col_text(st, 6);
	r->applied = (long)sqlite3_column_int64(st, 7);
	r->failed = (long)sqlite3_column_int64(st, 8);
	r->skipped = (long)sqlite3_column_int64(st, 9);
	r->requests = (long)sqlite3_column_int64(st, 10);
	r->bytes = (long long)sqlite3_column_int64(st, 11);
	r->message = col_text(st, 12);
	r->origin = col_text(st, 13);
}

void
store_run_clear(struct store_run *r)
{
	if (r == NULL)
		return;
	free(r->target);
	free(r->kind);
	free(r->plan_id);
	free(r->result);
	free(r->message);
	free(r->origin);
	memset(r, 0, sizeof *r);
}

void
store_runs_free(struct store_run *runs, size_t n)
{
	if (runs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		store_run_clear(&runs[i]);
	free(runs);
}

/* Fill *out from a query returning at most one run. */
static bs_rc
run_one(struct store *s, sqlite3_stmt *st, struct store_run *out, const char *absent,
    struct bs_error *err)
{
	int r = sqlite3_step(st);
	bs_rc rc = BS_OK;

	if (r == SQLITE_ROW)
		run_from_row(st, out);
	else if (r == SQLITE_DONE)
		rc = bs_fail(err, BS_ERR_NOT_FOUND, "%s", absent);
	else
		rc = store_fail(s, err, "reading a run");
	sqlite3_finalize(st);
	return rc;
}

bs_rc
store_run_get(struct store *s, int64_t run_id, struct store_run *out, struct bs_error *err)
{
	sqlite3_stmt *st;
	char absent[64];
	bs_rc rc;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (s == NULL || out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store or no place for the run");
	rc = prepare(s, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?", &st, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, run_id);
	snprintf(absent, sizeof absent, "no run %lld in the state store", (long long)run_id);
	return run_one(s, st, out, absent, err);
}

bs_rc
store_run_last(struct store *s, const char *target, struct store_run *out, struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (s == NULL || out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store or no place for the run");
	rc = prepare(s, "SELECT " RUN_COLUMNS " FROM runs WHERE (?1 IS NULL OR target = ?1) "
	    "ORDER BY id DESC LIMIT 1", &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, target);
	return run_one(s, st, out, target ? "no run of this sync yet" : "no run yet", err);
}

/* The runs one statement selects (?1 bound to key, ?2 to the limit),
 * newest first; st is finalized. */
static bs_rc
runs_select(struct store *s, const char *sql, const char *key, size_t limit,
    struct store_run **out, size_t *n, struct bs_error *err)
{
	sqlite3_stmt *st;
	struct store_run *v = NULL;
	size_t cnt = 0, max = clamp_limit(limit);
	int r = SQLITE_DONE;
	bs_rc rc;

	rc = prepare(s, sql, &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (cnt < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, cnt + 1, sizeof *v);
		run_from_row(st, &v[cnt++]);
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		rc = store_fail(s, err, "listing runs");
		store_runs_free(v, cnt);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = cnt;
	return BS_OK;
}

bs_rc
store_runs_list(struct store *s, const char *target, size_t limit, struct store_run **out,
    size_t *n, struct bs_error *err)
{
	if (out != NULL)
		*out = NULL;
	if (n != NULL)
		*n = 0;
	if (s == NULL || out == NULL || n == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store or no place for the runs");
	return runs_select(s, "SELECT " RUN_COLUMNS " FROM runs WHERE (?1 IS NULL OR target = ?1) "
	    "ORDER BY id DESC LIMIT ?2", target, limit, out, n, err);
}

bs_rc
store_runs_with_result(struct store *s, const char *result, size_t limit,
    struct store_run **out, size_t *n, struct bs_error *err)
{
	if (out != NULL)
		*out = NULL;
	if (n != NULL)
		*n = 0;
	if (s == NULL || out == NULL || n == NULL || result == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store, result or place for the runs");
	/* answered from runs_result: the newest rows of one result */
	return runs_select(s, "SELECT " RUN_COLUMNS " FROM runs WHERE result = ?1 "
	    "ORDER BY id DESC LIMIT ?2", result, limit, out, n, err);
}

/* ---- the action journal ---- */

#define ACTION_COLUMNS "id, run_id, seq, target, op, subject, email, reason, before, after, " \
	"state, error, remote_id, updated_at"

static void
action_from_row(sqlite3_stmt *st, struct store_action *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, 0);
	a->run_id = sqlite3_column_int64(st, 1);
	a->seq = sqlite3_column_int(st, 2);
	a->target = col_text(st, 3);
	a->op = col_text(st, 4);
	a->subject = col_text(st, 5);
	a->email = col_text(st, 6);
	a->reason = col_text(st, 7);
	a->before = col_text(st, 8);
	a->after = col_text(st, 9);
	a->state = col_text(st, 10);
	a->error = col_text(st, 11);
	a->remote_id = col_text(st, 12);
	a->updated_at = sqlite3_column_int64(st, 13);
}

void
store_action_clear(struct store_action *a)
{
	if (a == NULL)
		return;
	free(a->target);
	free(a->op);
	free(a->subject);
	free(a->email);
	free(a->reason);
	free(a->before);
	free(a->after);
	free(a->state);
	free(a->error);
	free(a->remote_id);
	memset(a, 0, sizeof *a);
}

void
store_actions_free(struct store_action *a, size_t n)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		store_action_clear(&a[i]);
	free(a);
}

bs_rc
store_action_add(struct store *s, const struct store_action *a, int64_t now, int64_t *id,
    struct bs_error *err)
{
	sqlite3_stmt *st;
	const char *state;
	char *error = NULL;
	bs_rc rc;

	if (id != NULL)
		*id = 0;
	if (s == NULL || a == NULL || str_empty(a->target) || str_empty(a->op))
		return bs_fail(err, BS_ERR_INVALID, "an action needs a store, a target and an op");
	state = a->state ? a->state : "pending";
	if (!valid_state(state))
		return bs_fail(err, BS_ERR_INVALID, "unknown action state '%s'", state);
	if (a->error != NULL)
		error = log_mask(a->error);
	rc = cached(s, STORE_STMT_ACTION_ADD, "INSERT INTO actions(run_id, seq, target, op, "
	    "subject, email, reason, before, after, state, error, remote_id, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, err);
	if (rc != BS_OK) {
		free(error);
		return rc;
	}
	sqlite3_bind_int64(st, 1, a->run_id);
	sqlite3_bind_int(st, 2, a->seq);
	bind_text(st, 3, a->target);
	bind_text(st, 4, a->op);
	bind_text(st, 5, a->subject);
	bind_text(st, 6, a->email);
	bind_text(st, 7, a->reason);
	bind_text(st, 8, a->before);
	bind_text(st, 9, a->after);
	bind_text(st, 10, state);
	bind_text(st, 11, error);
	bind_text(st, 12, a->remote_id);
	sqlite3_bind_int64(st, 13, now);
	rc = step_cached(s, st, "journaling an action", err);
	free(error);
	if (rc == BS_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

bs_rc
store_action_mark(struct store *s, int64_t id, const char *state, const char *remote_id,
    const char *error, int64_t now, struct bs_error *err)
{
	sqlite3_stmt *st;
	char *masked = NULL;
	bs_rc rc;

	if (s == NULL || !valid_state(state))
		return bs_fail(err, BS_ERR_INVALID, "unknown action state '%s'",
		    state ? state : "(none)");
	/* a remote id once known is kept; the error is the latest one */
	if (error != NULL)
		masked = log_mask(error);
	rc = cached(s, STORE_STMT_ACTION_MARK, "UPDATE actions SET state = ?, "
	    "remote_id = coalesce(?, remote_id), error = ?, updated_at = ? WHERE id = ?", &st, err);
	if (rc != BS_OK) {
		free(masked);
		return rc;
	}
	bind_text(st, 1, state);
	bind_text(st, 2, remote_id);
	bind_text(st, 3, masked);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, id);
	rc = step_cached(s, st, "updating an action", err);
	free(masked);
	if (rc == BS_OK && sqlite3_changes(s->db) == 0)
		rc = bs_fail(err, BS_ERR_NOT_FOUND, "no action %lld in the journal", (long long)id);
	return rc;
}

static bs_rc
actions_query(struct store *s, sqlite3_stmt *st, size_t max, struct store_action **out,
    size_t *n, struct bs_error *err)
{
	struct store_action *v = NULL;
	size_t cnt = 0;
	int r = SQLITE_DONE;

	while (cnt < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, cnt + 1, sizeof *v);
		action_from_row(st, &v[cnt++]);
	}
	if (cnt < max && r != SQLITE_DONE) {
		bs_rc rc = store_fail(s, err, "reading the action journal");
		store_actions_free(v, cnt);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = cnt;
	return BS_OK;
}

bs_rc
store_actions_unfinished(struct store *s, const char *target, struct store_action **out,
    size_t *n, struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (out != NULL)
		*out = NULL;
	if (n != NULL)
		*n = 0;
	if (s == NULL || str_empty(target) || out == NULL || n == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store, target or place for actions");
	rc = prepare(s, "SELECT " ACTION_COLUMNS " FROM actions "
	    "WHERE target = ? AND state IN ('pending', 'sent') ORDER BY id LIMIT ?", &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, target);
	sqlite3_bind_int64(st, 2, STORE_LIST_MAX);
	return actions_query(s, st, STORE_LIST_MAX, out, n, err);
}

bs_rc
store_actions_list(struct store *s, const struct store_action_filter *f,
    struct store_action **out, size_t *n, struct bs_error *err)
{
	sqlite3_stmt *st;
	size_t max;
	bs_rc rc;

	if (out != NULL)
		*out = NULL;
	if (n != NULL)
		*n = 0;
	if (s == NULL || out == NULL || n == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store or no place for actions");
	max = clamp_limit(f ? f->limit : 0);
	/* a run's actions in their order; otherwise the newest first.  One
	 * statement for each kind of filter, so that each is answered from an
	 * index (actions_run, actions_subject with actions_email_nocase) and
	 * not by reading every action: a store keeps millions of them */
	if (f != NULL && f->run_id != 0)
		rc = prepare(s, "SELECT " ACTION_COLUMNS " FROM actions WHERE run_id = ?1 "
		    "AND (?2 IS NULL OR subject = ?2 OR email = ?2 COLLATE NOCASE) "
		    "AND (?3 IS NULL OR state = ?3) ORDER BY seq, id LIMIT ?4", &st, err);
	else if (f != NULL && f->subject != NULL)
		rc = prepare(s, "SELECT " ACTION_COLUMNS " FROM actions "
		    "WHERE (subject = ?2 OR email = ?2 COLLATE NOCASE) "
		    "AND (?3 IS NULL OR state = ?3) ORDER BY id DESC LIMIT ?4", &st, err);
	else
		rc = prepare(s, "SELECT " ACTION_COLUMNS " FROM actions "
		    "WHERE (?3 IS NULL OR state = ?3) ORDER BY id DESC LIMIT ?4", &st, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, f ? f->run_id : 0);
	bind_text(st, 2, f ? f->subject : NULL);
	bind_text(st, 3, f ? f->state : NULL);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)max);
	return actions_query(s, st, max, out, n, err);
}

/* ---- audit ---- */

bs_rc
store_audit(struct store *s, int64_t run_id, const char *level, const char *subject,
    const char *message, int64_t now)
{
	sqlite3_stmt *st;
	char *msg, *subj = NULL;
	bs_rc rc;

	if (s == NULL || message == NULL)
		return BS_ERR_INVALID;
	msg = log_mask(message);
	if (subject != NULL)
		subj = log_mask(subject);
	rc = cached(s, STORE_STMT_AUDIT, "INSERT INTO audit(ts, run_id, level, subject, message) "
	    "VALUES (?, ?, ?, ?, ?)", &st, NULL);
	if (rc != BS_OK) {
		free(msg);
		free(subj);
		return rc;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, run_id);
	bind_text(st, 3, level ? level : "info");
	bind_text(st, 4, subj);
	bind_text(st, 5, msg);
	rc = step_cached(s, st, "writing the audit log", NULL);
	free(msg);
	free(subj);
	return rc;
}

bs_rc
store_audit_list(struct store *s, int64_t run_id, size_t limit, struct store_audit_entry **out,
    size_t *n, struct bs_error *err)
{
	sqlite3_stmt *st;
	struct store_audit_entry *v = NULL;
	size_t cnt = 0, max = clamp_limit(limit);
	int r = SQLITE_DONE;
	bs_rc rc;

	if (out != NULL)
		*out = NULL;
	if (n != NULL)
		*n = 0;
	if (s == NULL || out == NULL || n == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store or no place for the audit log");
	/* a run's from the audit_run index, not by reading every message */
	rc = prepare(s, run_id != 0 ? "SELECT id, ts, run_id, level, subject, message FROM audit "
	    "WHERE run_id = ?1 ORDER BY id DESC LIMIT ?2" :
	    "SELECT id, ts, run_id, level, subject, message FROM audit "
	    "ORDER BY id DESC LIMIT ?2", &st, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (cnt < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_audit_entry *e;
		v = xreallocarray(v, cnt + 1, sizeof *v);
		e = &v[cnt++];
		e->id = sqlite3_column_int64(st, 0);
		e->ts = sqlite3_column_int64(st, 1);
		e->run_id = sqlite3_column_int64(st, 2);
		e->level = col_text(st, 3);
		e->subject = col_text(st, 4);
		e->message = col_text(st, 5);
	}
	if (cnt < max && r != SQLITE_DONE) {
		rc = store_fail(s, err, "reading the audit log");
		store_audit_free(v, cnt);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = cnt;
	return BS_OK;
}

void
store_audit_free(struct store_audit_entry *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].level);
		free(v[i].subject);
		free(v[i].message);
	}
	free(v);
}

/* ---- key/value ---- */

bs_rc
store_kv_get(struct store *s, const char *key, char **value, struct bs_error *err)
{
	sqlite3_stmt *st;
	int r;
	bs_rc rc;

	if (value != NULL)
		*value = NULL;
	if (s == NULL || key == NULL || value == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store, key or place for the value");
	rc = prepare(s, "SELECT value FROM kv WHERE key = ?", &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, key);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*value = col_text(st, 0);
	else if (r != SQLITE_DONE)
		rc = store_fail(s, err, "reading saved state");
	sqlite3_finalize(st);
	return rc;
}

bs_rc
store_kv_set(struct store *s, const char *key, const char *value, int64_t now,
    struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (s == NULL || key == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store or key");
	if (value == NULL)
		return store_kv_del(s, key, err);
	rc = prepare(s, "INSERT INTO kv(key, value, updated_at) VALUES (?, ?, ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
	    "updated_at = excluded.updated_at", &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, key);
	bind_text(st, 2, value);
	sqlite3_bind_int64(st, 3, now);
	return step_done(s, st, "saving state", err);
}

bs_rc
store_kv_del(struct store *s, const char *key, struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (s == NULL || key == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store or key");
	rc = prepare(s, "DELETE FROM kv WHERE key = ?", &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, key);
	return step_done(s, st, "deleting saved state", err);
}

/* ---- approvals ---- */

bs_rc
store_approval_record(struct store *s, const char *plan_id, const char *target, int64_t now,
    struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (s == NULL || str_empty(plan_id))
		return bs_fail(err, BS_ERR_INVALID, "no state store or plan id");
	/* approving again keeps the first approval and whether it was used */
	rc = prepare(s, "INSERT INTO approvals(plan_id, target, approved_at) VALUES (?, ?, ?) "
	    "ON CONFLICT(plan_id) DO NOTHING", &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, plan_id);
	bind_text(st, 2, target);
	sqlite3_bind_int64(st, 3, now);
	return step_done(s, st, "recording an approval", err);
}

int
store_approval_used(struct store *s, const char *plan_id)
{
	sqlite3_stmt *st = NULL;
	int used = -1, r;

	if (s == NULL || plan_id == NULL)
		return -1;
	if (sqlite3_prepare_v2(s->db, "SELECT used_at FROM approvals WHERE plan_id = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	bind_text(st, 1, plan_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		used = sqlite3_column_type(st, 0) != SQLITE_NULL;
	else if (r == SQLITE_DONE)
		used = 0;
	sqlite3_finalize(st);
	return used;
}

bs_rc
store_approval_mark_used(struct store *s, const char *plan_id, int64_t now,
    struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (s == NULL || str_empty(plan_id))
		return bs_fail(err, BS_ERR_INVALID, "no state store or plan id");
	rc = prepare(s, "UPDATE approvals SET used_at = ? WHERE plan_id = ? AND used_at IS NULL",
	    &st, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, now);
	bind_text(st, 2, plan_id);
	rc = step_done(s, st, "recording the use of an approval", err);
	if (rc == BS_OK && sqlite3_changes(s->db) == 0) {
		int used = store_approval_used(s, plan_id);
		if (used == 0)
			rc = bs_fail(err, BS_ERR_NOT_FOUND, "plan %s was never approved", plan_id);
		else if (used > 0)
			rc = bs_fail(err, BS_ERR_CONFLICT, "the approval of plan %s was already used",
			    plan_id);
		else
			rc = store_fail(s, err, "reading approvals");
	}
	return rc;
}

/* ---- retention ---- */

bs_rc
store_prune(struct store *s, int64_t before, struct bs_error *err)
{
	/* finished runs older than the cutoff go with their actions; a run
	 * that never finished goes only when nothing of it is left to
	 * recover */
	static const char *const steps[] = {
		"DELETE FROM runs WHERE (finished_at > 0 AND finished_at < ?1) "
		"OR (finished_at = 0 AND started_at < ?1 AND NOT EXISTS ("
		"  SELECT 1 FROM actions a WHERE a.run_id = runs.id "
		"  AND a.state IN ('pending', 'sent')))",
		"DELETE FROM audit WHERE ts < ?1",
	};
	int nested;
	bs_rc rc;

	if (s == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store");
	rc = tx_begin(s, &nested, err);
	if (rc != BS_OK)
		return rc;
	for (size_t i = 0; i < ARRAY_LEN(steps) && rc == BS_OK; i++) {
		sqlite3_stmt *st;
		rc = prepare(s, steps[i], &st, err);
		if (rc != BS_OK)
			break;
		sqlite3_bind_int64(st, 1, before);
		rc = step_done(s, st, "removing old history", err);
	}
	return tx_end(s, nested, rc, err);
}
