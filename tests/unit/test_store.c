/* test_store.c - the state store: migrations, version refusal, file modes,
 * runs, the action journal, audit, key/value, approvals, pruning and
 * transactions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/log.h"
#include "store/store.h"
#include "store/store_roster.h"
#include "base/util.h"

struct fixture {
	char dir[64];
	char path[128];
	struct store *s;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct bs_error err = { 0 };

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/bs_store_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
	assert_int_equal(store_open(f->path, &f->s, &err), BS_OK);
	*state = f;
	return 0;
}

static void
remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->s);
	remove_dir(f->dir);
	free(f);
	log_forget_secrets();
	return 0;
}

/* A value straight from SQLite, bypassing the store. */
static long long
sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ---- opening and migrations ---- */

static void
open_degenerate(void **state)
{
	struct store *s = (struct store *)0x1;
	struct bs_error err = { 0 };
	(void)state;

	assert_int_equal(store_open(NULL, &s, &err), BS_ERR_INVALID);
	assert_null(s);
	assert_int_equal(store_open("", &s, &err), BS_ERR_INVALID);
	assert_int_equal(store_open(":memory:", NULL, &err), BS_ERR_INVALID);
	/* a folder that does not exist */
	assert_int_equal(store_open("/nonexistent-bobsync/dir/state.db", &s, &err), BS_ERR_STORE);
	assert_null(s);
	assert_non_null(strstr(err.detail, "/nonexistent-bobsync/dir/state.db"));
	store_close(&s);
	store_close(NULL);
	assert_int_equal(store_schema_version(NULL), -1);
	assert_null(store_db(NULL));
}

static void
open_migrates_empty(void **state)
{
	struct fixture *f = *state;
	static const char *const tables[] = { "runs", "actions", "audit", "roster",
		"timeoff_events", "timeoff_requests", "kv", "approvals" };
	char sql[128];

	assert_true(store_latest_version() >= 1);
	assert_int_equal(store_schema_version(f->s), store_latest_version());
	for (size_t i = 0; i < ARRAY_LEN(tables); i++) {
		snprintf(sql, sizeof sql,
		    "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'", tables[i]);
		assert_int_equal(sql_int(store_db(f->s), sql), 1);
	}
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM sqlite_master WHERE "
	    "type='index' AND name IN ('actions_target_state','actions_subject','audit_run')"), 3);
	assert_int_equal(sql_int(store_db(f->s), "PRAGMA foreign_keys"), 1);
	assert_int_equal(sql_int(store_db(f->s), "PRAGMA synchronous"), 1);	/* NORMAL */
}

static void
open_memory(void **state)
{
	struct store *s = NULL;
	struct bs_error err = { 0 };
	int64_t id;
	(void)state;

	assert_int_equal(store_open(":memory:", &s, &err), BS_OK);
	assert_int_equal(store_schema_version(s), store_latest_version());
	assert_int_equal(store_run_start(s, "roster", "sync", NULL, 100, &id, &err), BS_OK);
	assert_true(id > 0);
	store_close(&s);
	assert_null(s);
}

static void
open_mode_and_wal(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char wal[160], shm[160];
	int64_t id;
	struct bs_error err = { 0 };
	mode_t old = umask(0);	/* a careless umask must not matter */

	store_close(&f->s);
	unlink(f->path);
	assert_int_equal(store_open(f->path, &f->s, &err), BS_OK);
	/* the umask of the process is given back */
	assert_int_equal(umask(old), 0);
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 1, &id, &err), BS_OK);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	snprintf(shm, sizeof shm, "%s-shm", f->path);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(shm, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	{
		sqlite3_stmt *q;
		assert_int_equal(sqlite3_prepare_v2(store_db(f->s), "PRAGMA journal_mode", -1, &q,
		    NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
		sqlite3_finalize(q);
	}
}

static void
open_tightens_loose_file(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	struct bs_error err = { 0 };

	store_close(&f->s);
	assert_int_equal(chmod(f->path, 0644), 0);
	assert_int_equal(store_open(f->path, &f->s, &err), BS_OK);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void
open_refuses_symlink(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct bs_error err = { 0 };
	char link[160];

	snprintf(link, sizeof link, "%s/link.db", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	assert_int_not_equal(store_open(link, &s, &err), BS_OK);
	assert_null(s);
}

static void
reopen_is_idempotent(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	int64_t id;
	char *v = NULL;

	assert_int_equal(store_run_start(f->s, "roster", "sync", "p1", 10, &id, &err), BS_OK);
	assert_int_equal(store_kv_set(f->s, "cursor", "abc", 10, &err), BS_OK);
	for (int i = 0; i < 3; i++) {
		store_close(&f->s);
		assert_int_equal(store_open(f->path, &f->s, &err), BS_OK);
		assert_int_equal(store_schema_version(f->s), store_latest_version());
	}
	assert_int_equal(store_kv_get(f->s, "cursor", &v, &err), BS_OK);
	assert_string_equal(v, "abc");
	free(v);
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM runs"), 1);
}

static void
refuses_newer_schema(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store *s = NULL;
	sqlite3 *db;
	char sql[64];
	int64_t id;
	struct stat before, after;

	assert_int_equal(store_kv_set(f->s, "keep", "me", 5, &err), BS_OK);
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 5, &id, &err), BS_OK);
	store_close(&f->s);

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_latest_version() + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(stat(f->path, &before), 0);

	assert_int_equal(store_open(f->path, &s, &err), BS_ERR_STORE_VERSION);
	assert_null(s);
	snprintf(sql, sizeof sql, "schema %d, this one knows %d", store_latest_version() + 1,
	    store_latest_version());
	assert_non_null(strstr(err.detail, "state.db was written by a newer bobsync"));
	assert_non_null(strstr(err.detail, sql));
	assert_non_null(strstr(err.detail, "upgrade bobsync"));
	assert_int_equal(bs_exit_code(err.rc), 1);

	/* nothing was changed: the version and the data are as they were */
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sql_int(db, "PRAGMA user_version"), store_latest_version() + 1);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM kv WHERE key='keep' AND value='me'"), 1);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM runs"), 1);
	sqlite3_close(db);
}

static void
refuses_garbage_file(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store *s = NULL;
	char path[160];
	FILE *fp;

	snprintf(path, sizeof path, "%s/garbage.db", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database at all. ", fp);
	fclose(fp);
	assert_int_equal(store_open(path, &s, &err), BS_ERR_STORE);
	assert_null(s);
	assert_non_null(strstr(err.detail, "not a bobsync state store"));
}

/* ---- runs ---- */

static void
runs_degenerate(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_run r;
	struct store_run *runs = (struct store_run *)0x1;
	size_t n = 7;
	int64_t id = 99;

	assert_int_equal(store_run_start(NULL, "roster", "sync", NULL, 1, &id, &err),
	    BS_ERR_INVALID);
	assert_int_equal(store_run_start(f->s, NULL, "sync", NULL, 1, &id, &err), BS_ERR_INVALID);
	assert_int_equal(store_run_start(f->s, "roster", "", NULL, 1, &id, &err), BS_ERR_INVALID);
	assert_int_equal(store_run_finish(f->s, 12345, "ok", 0, 0, 0, 0, 0, NULL, 2, &err),
	    BS_ERR_NOT_FOUND);
	assert_int_equal(store_run_get(f->s, 12345, &r, &err), BS_ERR_NOT_FOUND);
	assert_null(r.target);
	assert_int_equal(store_run_last(f->s, NULL, &r, &err), BS_ERR_NOT_FOUND);
	assert_int_equal(store_runs_list(f->s, NULL, 10, &runs, &n, &err), BS_OK);
	assert_null(runs);
	assert_int_equal(n, 0);
	store_run_clear(NULL);
	store_runs_free(NULL, 0);
}

static void
runs_start_finish_get(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_run r;
	int64_t id;

	assert_int_equal(store_run_start(f->s, "roster", "sync", "plan-abc", 1000, &id, &err),
	    BS_OK);
	assert_int_equal(store_run_get(f->s, id, &r, &err), BS_OK);
	assert_int_equal(r.id, id);
	assert_string_equal(r.target, "roster");
	assert_string_equal(r.kind, "sync");
	assert_string_equal(r.plan_id, "plan-abc");
	assert_string_equal(r.result, "running");
	assert_int_equal(r.started_at, 1000);
	assert_int_equal(r.finished_at, 0);
	assert_null(r.message);
	store_run_clear(&r);
	assert_null(r.target);

	assert_int_equal(store_run_finish(f->s, id, "partial", 5, 2, 1, 17, 123456789012LL,
	    "2 actions failed", 1060, &err), BS_OK);
	assert_int_equal(store_run_get(f->s, id, &r, &err), BS_OK);
	assert_string_equal(r.result, "partial");
	assert_int_equal(r.finished_at, 1060);
	assert_int_equal(r.applied, 5);
	assert_int_equal(r.failed, 2);
	assert_int_equal(r.skipped, 1);
	assert_int_equal(r.requests, 17);
	assert_true(r.bytes == 123456789012LL);
	assert_string_equal(r.message, "2 actions failed");
	store_run_clear(&r);
}

/* A run still "running" with no process holding the run lock, or one that
 * took it after the run started, was killed: it is shown as the next run
 * will record it; the rows stay as they are. */
static void
runs_settle_killed(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_run *runs = NULL, *again = NULL;
	size_t n = 0, m = 0;
	int64_t a, b;

	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 100, &a, &err), BS_OK);
	assert_int_equal(store_run_finish(f->s, a, "ok", 1, 0, 0, 1, 1, NULL, 110, &err), BS_OK);
	assert_int_equal(store_run_start(f->s, "timeoff", "sync", NULL, 200, &b, &err), BS_OK);
	assert_int_equal(store_runs_list(f->s, NULL, 10, &runs, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	store_runs_settle(runs, n, 200);	/* held since it started: it runs */
	assert_string_equal(runs[0].result, "running");
	store_runs_settle(runs, n, 1);		/* held since a time not known */
	assert_string_equal(runs[0].result, "running");
	assert_true(store_run_live(200, 150));
	assert_false(store_run_live(200, 201));	/* the holder came after it */
	assert_false(store_run_live(200, 0));
	store_runs_settle(runs, n, 201);	/* another run holds the lock now */
	assert_string_equal(runs[0].result, "interrupted");
	store_runs_free(runs, n);
	assert_int_equal(store_runs_list(f->s, NULL, 10, &runs, &n, &err), BS_OK);
	store_runs_settle(runs, n, 0);
	assert_string_equal(runs[0].result, "interrupted");
	assert_string_equal(runs[0].message, RUN_INTERRUPTED_MSG);
	assert_string_equal(runs[1].result, "ok");
	assert_null(runs[1].message);
	store_runs_settle(NULL, 0, 0);
	/* the store is not written */
	assert_int_equal(store_runs_list(f->s, NULL, 10, &again, &m, &err), BS_OK);
	assert_string_equal(again[0].result, "running");
	store_runs_free(again, m);
	store_runs_free(runs, n);
}

static void
runs_message_masks_secrets(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_run r;
	int64_t id;

	assert_int_equal(log_register_secret("tok-SECRET-123"), 0);
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 1, &id, &err), BS_OK);
	assert_int_equal(store_run_finish(f->s, id, "failed", 0, 1, 0, 1, 10,
	    "HTTP 401 for token tok-SECRET-123", 2, &err), BS_OK);
	assert_int_equal(store_run_get(f->s, id, &r, &err), BS_OK);
	assert_null(strstr(r.message, "tok-SECRET-123"));
	assert_non_null(strstr(r.message, "***"));
	store_run_clear(&r);
}

static void
runs_list_and_last(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_run *runs = NULL, r;
	size_t n = 0;
	int64_t ids[5];
	const char *targets[] = { "roster", "timeoff", "roster", "timeoff", "roster" };

	for (int i = 0; i < 5; i++)
		assert_int_equal(store_run_start(f->s, targets[i], "sync", NULL, 100 + i, &ids[i],
		    &err), BS_OK);

	assert_int_equal(store_runs_list(f->s, NULL, 0, &runs, &n, &err), BS_OK);
	assert_int_equal(n, 5);
	assert_int_equal(runs[0].id, ids[4]);	/* newest first */
	assert_int_equal(runs[4].id, ids[0]);
	store_runs_free(runs, n);

	assert_int_equal(store_runs_list(f->s, "timeoff", 10, &runs, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(runs[0].id, ids[3]);
	assert_int_equal(runs[1].id, ids[1]);
	store_runs_free(runs, n);

	assert_int_equal(store_runs_list(f->s, "roster", 2, &runs, &n, &err), BS_OK);
	assert_int_equal(n, 2);	/* bounded by the limit */
	assert_int_equal(runs[0].id, ids[4]);
	assert_int_equal(runs[1].id, ids[2]);
	store_runs_free(runs, n);

	assert_int_equal(store_run_last(f->s, "timeoff", &r, &err), BS_OK);
	assert_int_equal(r.id, ids[3]);
	store_run_clear(&r);
	assert_int_equal(store_run_last(f->s, NULL, &r, &err), BS_OK);
	assert_int_equal(r.id, ids[4]);
	store_run_clear(&r);
	assert_int_equal(store_run_last(f->s, "reconcile", &r, &err), BS_ERR_NOT_FOUND);
}

/* ---- the action journal ---- */

static int64_t
add_action(struct store *s, int64_t run, int seq, const char *target, const char *subject,
    const char *state)
{
	struct store_action a = { 0 };
	struct bs_error err = { 0 };
	int64_t id = 0;

	a.run_id = run;
	a.seq = seq;
	a.target = (char *)target;
	a.op = (char *)"add";
	a.subject = (char *)subject;
	a.email = (char *)"Zoe@Example.com";
	a.reason = (char *)"became eligible";
	a.after = (char *)"{\"email\":\"zoe@example.com\"}";
	a.state = (char *)state;
	assert_int_equal(store_action_add(s, &a, 500 + seq, &id, &err), BS_OK);
	assert_true(id > 0);
	return id;
}

static void
actions_degenerate(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_action a = { 0 };
	struct store_action *v = (struct store_action *)0x1;
	size_t n = 3;
	int64_t id = 5, run;

	assert_int_equal(store_action_add(f->s, NULL, 1, &id, &err), BS_ERR_INVALID);
	assert_int_equal(id, 0);
	assert_int_equal(store_action_add(f->s, &a, 1, &id, &err), BS_ERR_INVALID);
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 1, &run, &err), BS_OK);
	a.run_id = run;
	a.target = (char *)"alleo";
	a.op = (char *)"add";
	a.state = (char *)"bogus";
	assert_int_equal(store_action_add(f->s, &a, 1, &id, &err), BS_ERR_INVALID);
	/* an action needs an existing run */
	a.state = NULL;
	a.run_id = run + 1000;
	assert_int_equal(store_action_add(f->s, &a, 1, &id, &err), BS_ERR_STORE);
	assert_int_equal(store_action_mark(f->s, 999, "done", NULL, NULL, 1, &err),
	    BS_ERR_NOT_FOUND);
	assert_int_equal(store_action_mark(f->s, 999, NULL, NULL, NULL, 1, &err), BS_ERR_INVALID);
	assert_int_equal(store_actions_unfinished(f->s, "alleo", &v, &n, &err), BS_OK);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(store_actions_unfinished(f->s, NULL, &v, &n, &err), BS_ERR_INVALID);
	assert_int_equal(store_actions_list(f->s, NULL, &v, &n, &err), BS_OK);
	assert_int_equal(n, 0);
	store_action_clear(NULL);
	store_actions_free(NULL, 0);
}

static void
actions_add_and_mark(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_action_filter flt = { 0 };
	struct store_action *v;
	size_t n;
	int64_t run, id;

	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 1, &run, &err), BS_OK);
	id = add_action(f->s, run, 1, "alleo", "E1", NULL);
	flt.run_id = run;
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, id);
	assert_string_equal(v[0].state, "pending");	/* journaled before sending */
	assert_string_equal(v[0].op, "add");
	assert_string_equal(v[0].subject, "E1");
	assert_string_equal(v[0].reason, "became eligible");
	assert_string_equal(v[0].after, "{\"email\":\"zoe@example.com\"}");
	assert_null(v[0].before);
	assert_null(v[0].remote_id);
	assert_int_equal(v[0].updated_at, 501);
	store_actions_free(v, n);

	assert_int_equal(store_action_mark(f->s, id, "sent", NULL, NULL, 600, &err), BS_OK);
	assert_int_equal(store_action_mark(f->s, id, "failed", "R-77", "HTTP 500", 601, &err),
	    BS_OK);
	assert_int_equal(store_action_mark(f->s, id, "done", NULL, NULL, 602, &err), BS_OK);
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].state, "done");
	assert_string_equal(v[0].remote_id, "R-77");	/* kept once known */
	assert_null(v[0].error);			/* the latest error: none */
	assert_int_equal(v[0].updated_at, 602);
	store_actions_free(v, n);
}

static void
actions_unfinished_order(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_action *v;
	size_t n;
	int64_t r1, r2, a1, a2, a3, a4, a5;

	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 1, &r1, &err), BS_OK);
	a1 = add_action(f->s, r1, 1, "alleo", "E1", NULL);
	a2 = add_action(f->s, r1, 2, "alleo", "E2", NULL);
	a3 = add_action(f->s, r1, 3, "assembled", "101", NULL);
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 2, &r2, &err), BS_OK);
	a4 = add_action(f->s, r2, 1, "alleo", "E3", NULL);
	a5 = add_action(f->s, r2, 2, "alleo", "E4", NULL);
	assert_int_equal(store_action_mark(f->s, a1, "sent", NULL, NULL, 10, &err), BS_OK);
	assert_int_equal(store_action_mark(f->s, a2, "done", NULL, NULL, 10, &err), BS_OK);
	assert_int_equal(store_action_mark(f->s, a5, "failed", NULL, "boom", 10, &err), BS_OK);

	assert_int_equal(store_actions_unfinished(f->s, "alleo", &v, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, a1);		/* oldest first */
	assert_string_equal(v[0].state, "sent");
	assert_int_equal(v[1].id, a4);
	assert_string_equal(v[1].state, "pending");
	store_actions_free(v, n);

	assert_int_equal(store_actions_unfinished(f->s, "assembled", &v, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, a3);
	store_actions_free(v, n);
}

/* The most rows any statement walked through by a full scan since reset. */
static int fullscan_max;

static int
on_profile(unsigned type, void *ctx, void *p, void *x)
{
	int n = sqlite3_stmt_status((sqlite3_stmt *)p, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);

	(void)type; (void)ctx; (void)x;
	if (n > fullscan_max)
		fullscan_max = n;
	return 0;
}

/* Reading one run's actions or messages, or one person's actions, comes
 * from an index, not from every row: a store keeps millions of them.  An
 * older store (schema 2) gets the index it lacks when opened. */
static void
reads_use_indexes(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_action_filter flt = { 0 };
	struct store_action *v;
	struct store_audit_entry *au;
	size_t n;
	int64_t r1 = 0, run;
	char subj[32];

	for (int r = 0; r < 20; r++) {
		assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 1 + r, &run, &err), BS_OK);
		if (r1 == 0)
			r1 = run;
		for (int k = 0; k < 50; k++) {
			snprintf(subj, sizeof subj, "E%d", r * 50 + k);
			add_action(f->s, run, k, "alleo", subj, NULL);
			assert_int_equal(store_audit(f->s, run, "info", subj, "updated", 10), BS_OK);
		}
	}
	/* a store of schema 2 is upgraded */
	assert_int_equal(sqlite3_exec(store_db(f->s), "DROP INDEX actions_email_nocase;"
	    "DROP INDEX roster_active; DROP INDEX roster_email_nocase; DROP INDEX runs_result;"
	    "DROP TRIGGER roster_active_insert; DROP TRIGGER roster_active_delete;"
	    "DROP TRIGGER roster_active_update; DROP TABLE counts;"
	    "DROP TRIGGER roster_names_insert; DROP TRIGGER roster_names_delete;"
	    "DROP TRIGGER roster_names_update; DROP TABLE roster_names;"
	    "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	store_close(&f->s);
	assert_int_equal(store_open(f->path, &f->s, &err), BS_OK);
	assert_int_equal(store_schema_version(f->s), store_latest_version());
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'actions_email_nocase'"), 1);

	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('roster_email_nocase', 'runs_result')"), 2);

	assert_int_equal(sqlite3_exec(store_db(f->s), "INSERT INTO roster(employee_id, email, active, "
	    "first_name, last_name) "
	    "VALUES ('1', 'ann@example.com', 1, 'Ann', 'Smith'), ('2', 'bo@example.com', 0, 'Bo', "
	    "'Smithers'), ('3', 'cy@example.com', 1, 'Cy', 'Jones'), ('4', NULL, 1, NULL, NULL)",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(store_db(f->s), "UPDATE runs SET result = 'ok';"
	    "UPDATE runs SET result = 'failed' WHERE id IN (SELECT id FROM runs ORDER BY id LIMIT 2)",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_trace_v2(store_db(f->s), SQLITE_TRACE_PROFILE, on_profile, NULL);
	fullscan_max = 0;
	flt.run_id = r1;
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 50);
	store_actions_free(v, n);
	memset(&flt, 0, sizeof flt);
	flt.subject = "E7";
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	store_actions_free(v, n);
	flt.subject = "ZOE@example.com";
	flt.limit = 5;
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 5);
	store_actions_free(v, n);
	assert_int_equal(store_audit_list(f->s, r1, 0, &au, &n, &err), BS_OK);
	assert_int_equal(n, 50);
	store_audit_free(au, n);
	/* `log` names each action's person from the roster by email, any case */
	{
		struct roster_row row;
		struct store_run *runs;
		assert_int_equal(store_roster_find_email(f->s, "CY@Example.com", &row, &err), BS_OK);
		assert_string_equal(row.employee_id, "3");
		roster_row_clear(&row);
		/* `log --result`: the newest runs with one result, however old */
		assert_int_equal(store_runs_with_result(f->s, "failed", 20, &runs, &n, &err), BS_OK);
		assert_int_equal(n, 2);
		assert_true(runs[0].id > runs[1].id);
		assert_int_equal(runs[1].id, r1);
		assert_string_equal(runs[0].result, "failed");
		store_runs_free(runs, n);
		assert_int_equal(store_runs_with_result(f->s, "ok", 3, &runs, &n, &err), BS_OK);
		assert_int_equal(n, 3);
		store_runs_free(runs, n);
		assert_int_equal(store_runs_with_result(f->s, "blocked", 3, &runs, &n, &err), BS_OK);
		assert_int_equal(n, 0);
		assert_null(runs);
	}
	/* `log --person` with a part of a name: from the trigram index of the
	 * names (migration 5), any case, the roster rows it names tested as
	 * before; a name changed or removed follows */
	{
		struct roster_rows rows;
		assert_int_equal(store_roster_find_name(f->s, "nn smi", 0, &rows, &err), BS_OK);
		assert_int_equal(rows.n, 1);
		assert_string_equal(rows.v[0].employee_id, "1");
		roster_rows_clear(&rows);
		assert_int_equal(store_roster_find_name(f->s, "smith", 0, &rows, &err), BS_OK);
		assert_int_equal(rows.n, 2);	/* Smith and Smithers */
		roster_rows_clear(&rows);
		assert_int_equal(sqlite3_exec(store_db(f->s), "UPDATE roster SET last_name = 'Rae' "
		    "WHERE employee_id = '2'; DELETE FROM roster WHERE employee_id = '3'",
		    NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(store_roster_find_name(f->s, "smith", 0, &rows, &err), BS_OK);
		assert_int_equal(rows.n, 1);
		roster_rows_clear(&rows);
		assert_int_equal(store_roster_find_name(f->s, "bo rae", 0, &rows, &err), BS_OK);
		assert_int_equal(rows.n, 1);
		roster_rows_clear(&rows);
		assert_int_equal(store_roster_find_name(f->s, "jones", 0, &rows, &err), BS_OK);
		assert_int_equal(rows.n, 0);
		roster_rows_clear(&rows);
	}
	/* status counts the active roster (core/admin/status.c): the upgrade
	 * counted the rows already there, a counter answers */
	assert_int_equal(store_roster_count_active(f->s), 2);
	assert_int_equal(fullscan_max, 0);
	sqlite3_trace_v2(store_db(f->s), 0, NULL, NULL);
}

/* The count of the active roster follows every kind of change to it: a
 * put (INSERT OR REPLACE) that adds, deactivates, reactivates or rewrites
 * a row, SQL's own INSERT, UPDATE, DELETE and INSERT OR IGNORE; and reading
 * it reads the counter, not the roster. */
static int vm_steps_max;

static int
on_profile_steps(unsigned type, void *ctx, void *p, void *x)
{
	int n = sqlite3_stmt_status((sqlite3_stmt *)p, SQLITE_STMTSTATUS_VM_STEP, 0);

	(void)type; (void)ctx; (void)x;
	if (n > vm_steps_max)
		vm_steps_max = n;
	return 0;
}

static void
roster_active_counted(void **state)
{
	static const char *const sql[] = {
		"INSERT INTO roster(employee_id, active) VALUES ('s1', 1), ('s2', 0), ('s3', 1)",
		"UPDATE roster SET active = 0 WHERE employee_id = 's1'",
		"UPDATE roster SET active = 1 WHERE employee_id IN ('s1', 's2')",
		"UPDATE roster SET email = 'x@example.com'",
		"INSERT OR IGNORE INTO roster(employee_id, active) VALUES ('s1', 0)",
		"INSERT OR REPLACE INTO roster(employee_id, active) VALUES ('s1', 0)",
		"DELETE FROM roster WHERE employee_id = 's2'",
		"DELETE FROM roster WHERE active = 0",
	};
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct roster_row r;
	char id[16];

	memset(&r, 0, sizeof r);
	assert_int_equal(store_roster_count_active(f->s), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof id, "E%d", i);
		r.employee_id = id;
		r.active = i % 4 != 0;
		assert_int_equal(store_roster_put(f->s, &r, 10, &err), BS_OK);
	}
	assert_int_equal(store_roster_count_active(f->s), 750);
	/* put again: deactivate one, reactivate one, rewrite an active one */
	r.employee_id = (char *)"E1";
	r.active = 0;
	assert_int_equal(store_roster_put(f->s, &r, 11, &err), BS_OK);
	r.employee_id = (char *)"E0";
	r.active = 1;
	assert_int_equal(store_roster_put(f->s, &r, 11, &err), BS_OK);
	r.employee_id = (char *)"E2";
	assert_int_equal(store_roster_put(f->s, &r, 11, &err), BS_OK);
	assert_int_equal(store_roster_count_active(f->s), 750);
	for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
		assert_int_equal(sqlite3_exec(store_db(f->s), sql[i], NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(store_roster_count_active(f->s),
		    sql_int(store_db(f->s), "SELECT count(*) FROM roster WHERE active = 1"));
	}
	sqlite3_trace_v2(store_db(f->s), SQLITE_TRACE_PROFILE, on_profile_steps, NULL);
	vm_steps_max = 0;
	assert_true(store_roster_count_active(f->s) > 500);
	sqlite3_trace_v2(store_db(f->s), 0, NULL, NULL);
	assert_true(vm_steps_max < 50);
}

/* A bulk's roster rows put by store_roster_put_many: the same rows,
 * counts and name index as putting them one by one, in a few statements:
 * FTS5 writes the name index's pending rows out at each statement that
 * changes it, so one by one leaves a segment (and its merges) a row. */
static long fts_writes;

static int
on_fts_write(unsigned type, void *ctx, void *p, void *x)
{
	const char *sql = sqlite3_sql((sqlite3_stmt *)p);

	(void)type; (void)ctx; (void)x;
	if (sql != NULL && strstr(sql, "roster_names_data") != NULL &&
	    (strncmp(sql, "REPLACE", 7) == 0 || strncmp(sql, "INSERT", 6) == 0))
		fts_writes++;
	return 0;
}

/* n rows put (many: by store_roster_put_many) in one transaction; the
 * writes of the name index's segments it took. */
static long
put_rows(struct store *s, int many, int n, const char *surname)
{
	struct roster_row *rows = calloc((size_t)n, sizeof *rows);
	char (*ids)[16] = calloc((size_t)n, sizeof *ids), (*emails)[32] = calloc((size_t)n,
	    sizeof *emails);
	struct bs_error err = { 0 };

	assert_non_null(rows);
	assert_non_null(ids);
	assert_non_null(emails);
	for (int i = 0; i < n; i++) {
		snprintf(ids[i], sizeof ids[i], "E%03d", i);
		snprintf(emails[i], sizeof emails[i], "p%d@example.com", i);
		rows[i].employee_id = ids[i];
		rows[i].email = emails[i];
		rows[i].first_name = (char *)(i % 2 ? "Marisol" : "Jo\xc3\xa3o");
		rows[i].last_name = (char *)surname;
		rows[i].remote_id = ids[i];
		rows[i].budgets = i % 3 ? NULL : (char *)"{\"food\":100}";
		rows[i].active = i % 5 != 0;
	}
	fts_writes = 0;
	sqlite3_trace_v2(store_db(s), SQLITE_TRACE_PROFILE, on_fts_write, NULL);
	assert_int_equal(store_begin(s, &err), BS_OK);
	if (many) {
		assert_int_equal(store_roster_put_many(s, rows, (size_t)n, 10, &err), BS_OK);
	} else {
		for (int i = 0; i < n; i++)
			assert_int_equal(store_roster_put(s, &rows[i], 10, &err), BS_OK);
	}
	assert_int_equal(store_commit(s, &err), BS_OK);
	sqlite3_trace_v2(store_db(s), 0, NULL, NULL);
	free(rows);
	free(ids);
	free(emails);
	return fts_writes;
}

static void
roster_put_many_as_one_by_one(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store *one = NULL;
	struct roster_rows found;
	char path[160];
	long seg_many, seg_one;
	static const char *const rows_sql = "SELECT group_concat(employee_id || '|' || email "
	    "|| '|' || first_name || '|' || last_name || '|' || coalesce(budgets, '-') || '|' || "
	    "remote_id || '|' || active || '|' || updated_at, ';') FROM "
	    "(SELECT * FROM roster ORDER BY employee_id)";
	sqlite3_stmt *a, *b;

	snprintf(path, sizeof path, "%s/one.db", f->dir);
	assert_int_equal(store_open(path, &one, &err), BS_OK);
	/* 250 rows: a full statement of 200 and one of 50 */
	seg_many = put_rows(f->s, 1, 250, "Dubois");
	seg_one = put_rows(one, 0, 250, "Dubois");
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), rows_sql, -1, &a, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(store_db(one), rows_sql, -1, &b, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(a, 0), sqlite3_column_text(b, 0));
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	assert_int_equal(store_roster_count_active(f->s), 200);
	assert_int_equal(store_roster_count_active(one), 200);
	/* the name index: written out a few times, not once a row */
	print_message("name index writes: %ld at once, %ld one by one\n", seg_many, seg_one);
	assert_true(seg_many * 4 < seg_one);
	/* put again over the same ids: replaced, the index follows */
	put_rows(f->s, 1, 250, "Bianchi");
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM roster"), 250);
	assert_int_equal(store_roster_count_active(f->s), 200);
	assert_int_equal(store_roster_find_name(f->s, "Dubois", 500, &found, &err), BS_OK);
	assert_int_equal(found.n, 0);
	roster_rows_clear(&found);
	assert_int_equal(store_roster_find_name(f->s, "marisol bianchi", 500, &found, &err), BS_OK);
	assert_int_equal(found.n, 125);
	roster_rows_clear(&found);
	/* a row without an employee id: refused, nothing written */
	{
		struct roster_row r = { 0 };
		assert_int_equal(store_roster_put_many(f->s, &r, 1, 10, &err), BS_ERR_INVALID);
		assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM roster"), 250);
		assert_int_equal(store_roster_put_many(f->s, NULL, 0, 10, &err), BS_OK);
	}
	store_close(&one);
}

/* A roster lookup made for each action `log` prints is prepared once and
 * kept (store_stmt_cached): no statement left running between lookups, the
 * same one reused, and two threads sharing the store each get their own
 * person. */
struct lookup_arg {
	struct store *s;
	int base, bad;
};

static void *
lookups(void *p)
{
	struct lookup_arg *a = p;
	struct roster_row r;
	char email[32];

	for (int i = 0; i < 500; i++) {
		int k = a->base + i % 10;
		snprintf(email, sizeof email, "P%d@Example.com", k);
		if (store_roster_find_email(a->s, email, &r, NULL) != BS_OK ||
		    atoi(r.employee_id) != k)
			a->bad++;
		roster_row_clear(&r);
	}
	return NULL;
}

static void
roster_lookups_prepared_once(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct roster_row r;
	struct lookup_arg a1, a2;
	pthread_t t1, t2;
	sqlite3_stmt *first, *open_stmts[64];
	long nstmt;
	char id[16], email[32];

	memset(&r, 0, sizeof r);
	r.active = 1;
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof id, "%d", i);
		snprintf(email, sizeof email, "p%d@example.com", i);
		r.employee_id = id;
		r.email = email;
		assert_int_equal(store_roster_put(f->s, &r, 10, &err), BS_OK);
	}
	assert_int_equal(store_roster_find_email(f->s, "P3@example.COM", &r, &err), BS_OK);
	assert_string_equal(r.employee_id, "3");
	roster_row_clear(&r);
	/* the statements open on the connection (the lookup's, and those
	 * SQLite's FTS5 keeps for the name index the puts fed): no more after
	 * more lookups, none left running */
	nstmt = 0;
	for (first = sqlite3_next_stmt(store_db(f->s), NULL); first != NULL;
	    first = sqlite3_next_stmt(store_db(f->s), first)) {
		assert_false(sqlite3_stmt_busy(first));
		assert_true(nstmt < 64);
		open_stmts[nstmt++] = first;
	}
	assert_true(nstmt >= 1);
	assert_int_equal(store_roster_find_email(f->s, "nobody@example.com", &r, &err),
	    BS_ERR_NOT_FOUND);
	assert_int_equal(store_roster_find_email(f->s, "p4@example.com", &r, &err), BS_OK);
	assert_string_equal(r.employee_id, "4");
	roster_row_clear(&r);
	for (first = sqlite3_next_stmt(store_db(f->s), NULL); first != NULL;
	    first = sqlite3_next_stmt(store_db(f->s), first)) {
		long k = 0;
		while (k < nstmt && open_stmts[k] != first)
			k++;
		assert_true(k < nstmt);		/* one of those: not prepared anew */
		open_stmts[k] = open_stmts[--nstmt];
	}
	assert_int_equal(nstmt, 0);
	assert_int_equal(store_roster_get(f->s, "7", &r, &err), BS_OK);
	assert_string_equal(r.email, "p7@example.com");
	roster_row_clear(&r);

	a1 = (struct lookup_arg){ f->s, 0, 0 };
	a2 = (struct lookup_arg){ f->s, 10, 0 };
	assert_int_equal(pthread_create(&t1, NULL, lookups, &a1), 0);
	assert_int_equal(pthread_create(&t2, NULL, lookups, &a2), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(a1.bad, 0);
	assert_int_equal(a2.bad, 0);
}

static void
actions_list_filters(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_action_filter flt = { 0 };
	struct store_action *v;
	size_t n;
	int64_t r1, r2, a2, a3;

	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 1, &r1, &err), BS_OK);
	add_action(f->s, r1, 2, "alleo", "E1", NULL);
	a2 = add_action(f->s, r1, 1, "alleo", "E2", NULL);
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 2, &r2, &err), BS_OK);
	a3 = add_action(f->s, r2, 1, "alleo", "E1", NULL);
	assert_int_equal(store_action_mark(f->s, a3, "done", NULL, NULL, 3, &err), BS_OK);

	/* one run: in the run's order (seq) */
	flt.run_id = r1;
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, a2);
	assert_int_equal(v[0].seq, 1);
	assert_int_equal(v[1].seq, 2);
	store_actions_free(v, n);

	/* one person, by id or by email in any case, newest first */
	memset(&flt, 0, sizeof flt);
	flt.subject = "E1";
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, a3);
	store_actions_free(v, n);
	flt.subject = "zoe@example.COM";
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 3);
	store_actions_free(v, n);

	/* by state, and bounded */
	memset(&flt, 0, sizeof flt);
	flt.state = "done";
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, a3);
	store_actions_free(v, n);
	memset(&flt, 0, sizeof flt);
	flt.limit = 2;
	assert_int_equal(store_actions_list(f->s, &flt, &v, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, a3);
	store_actions_free(v, n);
}

static void
actions_cascade_with_run(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	int64_t r1;

	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 1, &r1, &err), BS_OK);
	add_action(f->s, r1, 1, "alleo", "E1", NULL);
	assert_int_equal(sqlite3_exec(store_db(f->s), "DELETE FROM runs", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM actions"), 0);
}

/* ---- audit ---- */

static void
audit_add_and_list(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_audit_entry *v;
	size_t n;

	assert_int_equal(store_audit(NULL, 0, "info", NULL, "x", 1), BS_ERR_INVALID);
	assert_int_equal(store_audit(f->s, 0, "info", NULL, NULL, 1), BS_ERR_INVALID);
	assert_int_equal(log_register_secret("hunter2-password"), 0);
	assert_int_equal(store_audit(f->s, 0, "info", NULL, "daemon started", 10), BS_OK);
	assert_int_equal(store_audit(f->s, 7, "warning", "E1",
	    "retrying after 429 with key hunter2-password", 11), BS_OK);
	assert_int_equal(store_audit(f->s, 7, NULL, "E2", "added", 12), BS_OK);

	assert_int_equal(store_audit_list(f->s, 7, 0, &v, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].message, "added");	/* newest first */
	assert_string_equal(v[0].level, "info");
	assert_string_equal(v[1].subject, "E1");
	assert_null(strstr(v[1].message, "hunter2-password"));
	assert_non_null(strstr(v[1].message, "***"));
	store_audit_free(v, n);

	assert_int_equal(store_audit_list(f->s, 0, 1, &v, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	store_audit_free(v, n);
	assert_int_equal(store_audit_list(f->s, 0, 0, &v, &n, &err), BS_OK);
	assert_int_equal(n, 3);
	assert_null(v[2].subject);
	assert_int_equal(v[2].ts, 10);
	store_audit_free(v, n);
}

/* ---- key/value ---- */

static void
kv_get_set_del(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	char *v = (char *)0x1;

	assert_int_equal(store_kv_get(f->s, NULL, &v, &err), BS_ERR_INVALID);
	assert_null(v);
	assert_int_equal(store_kv_set(f->s, NULL, "x", 1, &err), BS_ERR_INVALID);
	assert_int_equal(store_kv_get(f->s, "missing", &v, &err), BS_OK);
	assert_null(v);
	assert_int_equal(store_kv_del(f->s, "missing", &err), BS_OK);

	assert_int_equal(store_kv_set(f->s, "timeoff.cursor", "2026-03-02T12:00:00Z", 5, &err),
	    BS_OK);
	assert_int_equal(store_kv_get(f->s, "timeoff.cursor", &v, &err), BS_OK);
	assert_string_equal(v, "2026-03-02T12:00:00Z");
	free(v);
	assert_int_equal(store_kv_set(f->s, "timeoff.cursor", "later", 6, &err), BS_OK);
	assert_int_equal(store_kv_get(f->s, "timeoff.cursor", &v, &err), BS_OK);
	assert_string_equal(v, "later");
	free(v);
	assert_int_equal(sql_int(store_db(f->s),
	    "SELECT updated_at FROM kv WHERE key='timeoff.cursor'"), 6);
	assert_int_equal(store_kv_set(f->s, "empty", "", 6, &err), BS_OK);
	assert_int_equal(store_kv_get(f->s, "empty", &v, &err), BS_OK);
	assert_string_equal(v, "");
	free(v);

	assert_int_equal(store_kv_del(f->s, "timeoff.cursor", &err), BS_OK);
	assert_int_equal(store_kv_get(f->s, "timeoff.cursor", &v, &err), BS_OK);
	assert_null(v);
	/* setting NULL deletes */
	assert_int_equal(store_kv_set(f->s, "empty", NULL, 7, &err), BS_OK);
	assert_int_equal(store_kv_get(f->s, "empty", &v, &err), BS_OK);
	assert_null(v);
}

/* ---- approvals ---- */

static void
approvals_once(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };

	assert_int_equal(store_approval_record(f->s, NULL, "roster", 1, &err), BS_ERR_INVALID);
	assert_int_equal(store_approval_used(f->s, NULL), -1);
	assert_int_equal(store_approval_used(NULL, "p"), -1);
	assert_int_equal(store_approval_used(f->s, "plan-1"), 0);
	assert_int_equal(store_approval_mark_used(f->s, "plan-1", 5, &err), BS_ERR_NOT_FOUND);

	assert_int_equal(store_approval_record(f->s, "plan-1", "roster", 10, &err), BS_OK);
	assert_int_equal(store_approval_used(f->s, "plan-1"), 0);
	assert_int_equal(store_approval_mark_used(f->s, "plan-1", 20, &err), BS_OK);
	assert_int_equal(store_approval_used(f->s, "plan-1"), 1);
	/* approving again does not make a used approval usable again */
	assert_int_equal(store_approval_record(f->s, "plan-1", "roster", 30, &err), BS_OK);
	assert_int_equal(store_approval_used(f->s, "plan-1"), 1);
	assert_int_equal(store_approval_mark_used(f->s, "plan-1", 40, &err), BS_ERR_CONFLICT);
	assert_int_equal(sql_int(store_db(f->s),
	    "SELECT approved_at * 1000 + used_at FROM approvals WHERE plan_id='plan-1'"), 10020);
	assert_int_equal(store_approval_used(f->s, "plan-2"), 0);
}

/* ---- retention ---- */

static void
prune_old_history(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_run r;
	int64_t old_done, old_crashed, old_crashed_clean, recent, a_old;

	assert_int_equal(store_prune(NULL, 1, &err), BS_ERR_INVALID);
	assert_int_equal(store_prune(f->s, 1000, &err), BS_OK);	/* empty store */

	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 100, &old_done, &err), BS_OK);
	a_old = add_action(f->s, old_done, 1, "alleo", "E1", NULL);
	assert_int_equal(store_action_mark(f->s, a_old, "done", NULL, NULL, 110, &err), BS_OK);
	assert_int_equal(store_run_finish(f->s, old_done, "ok", 1, 0, 0, 1, 1, NULL, 120, &err),
	    BS_OK);
	/* a crashed run with an action still to recover stays */
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 130, &old_crashed, &err),
	    BS_OK);
	add_action(f->s, old_crashed, 1, "alleo", "E2", "sent");
	/* a crashed run with nothing left to recover goes */
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 140, &old_crashed_clean,
	    &err), BS_OK);
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 2000, &recent, &err), BS_OK);
	add_action(f->s, recent, 1, "alleo", "E3", NULL);
	assert_int_equal(store_run_finish(f->s, recent, "ok", 1, 0, 0, 1, 1, NULL, 2100, &err),
	    BS_OK);
	assert_int_equal(store_audit(f->s, old_done, "info", NULL, "old", 150), BS_OK);
	assert_int_equal(store_audit(f->s, recent, "info", NULL, "new", 2050), BS_OK);
	assert_int_equal(store_kv_set(f->s, "cursor", "keep", 10, &err), BS_OK);

	assert_int_equal(store_prune(f->s, 1000, &err), BS_OK);

	assert_int_equal(store_run_get(f->s, old_done, &r, &err), BS_ERR_NOT_FOUND);
	assert_int_equal(store_run_get(f->s, old_crashed_clean, &r, &err), BS_ERR_NOT_FOUND);
	assert_int_equal(store_run_get(f->s, old_crashed, &r, &err), BS_OK);
	store_run_clear(&r);
	assert_int_equal(store_run_get(f->s, recent, &r, &err), BS_OK);
	store_run_clear(&r);
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM actions"), 2);
	assert_int_equal(sql_int(store_db(f->s),
	    "SELECT count(*) FROM actions WHERE subject='E1'"), 0);
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM audit"), 1);
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM kv"), 1);
}

static void
prune_inside_transaction(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	int64_t run;

	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 100, &run, &err), BS_OK);
	assert_int_equal(store_run_finish(f->s, run, "ok", 0, 0, 0, 0, 0, NULL, 110, &err), BS_OK);
	/* pruning inside the caller's transaction is undone with it */
	assert_int_equal(store_begin(f->s, &err), BS_OK);
	assert_int_equal(store_prune(f->s, 1000, &err), BS_OK);
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM runs"), 0);
	store_rollback(f->s);
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM runs"), 1);
}

/* ---- transactions ---- */

static void
transaction_rollback_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	int64_t run;
	char *v = NULL;

	assert_int_equal(store_begin(NULL, &err), BS_ERR_INVALID);
	store_rollback(NULL);
	store_rollback(f->s);	/* nothing open: harmless */

	assert_int_equal(store_begin(f->s, &err), BS_OK);
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 1, &run, &err), BS_OK);
	add_action(f->s, run, 1, "alleo", "E1", NULL);
	assert_int_equal(store_kv_set(f->s, "k", "v", 1, &err), BS_OK);
	assert_int_equal(store_audit(f->s, run, "info", NULL, "m", 1), BS_OK);
	/* a second transaction cannot start inside the first */
	assert_int_equal(store_begin(f->s, &err), BS_ERR_STORE);
	store_rollback(f->s);

	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM runs"), 0);
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM actions"), 0);
	assert_int_equal(sql_int(store_db(f->s), "SELECT count(*) FROM audit"), 0);
	assert_int_equal(store_kv_get(f->s, "k", &v, &err), BS_OK);
	assert_null(v);

	/* and a committed one stays, also for another connection */
	assert_int_equal(store_begin(f->s, &err), BS_OK);
	assert_int_equal(store_kv_set(f->s, "k", "v2", 2, &err), BS_OK);
	assert_int_equal(store_commit(f->s, &err), BS_OK);
	{
		struct store *other = NULL;
		assert_int_equal(store_open(f->path, &other, &err), BS_OK);
		assert_int_equal(store_kv_get(other, "k", &v, &err), BS_OK);
		assert_string_equal(v, "v2");
		free(v);
		store_close(&other);
	}
	assert_int_equal(store_commit(f->s, &err), BS_ERR_STORE);	/* none open */
}

static void
close_rolls_back_open_transaction(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	char *v = NULL;

	assert_int_equal(store_begin(f->s, &err), BS_OK);
	assert_int_equal(store_kv_set(f->s, "half", "done", 1, &err), BS_OK);
	store_close(&f->s);
	assert_null(f->s);
	assert_int_equal(store_open(f->path, &f->s, &err), BS_OK);
	assert_int_equal(store_kv_get(f->s, "half", &v, &err), BS_OK);
	assert_null(v);
}

static void
fail_reports_sqlite_error(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };

	assert_int_not_equal(sqlite3_exec(store_db(f->s), "SELECT * FROM no_such_table", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(store_fail(f->s, &err, "reading things"), BS_ERR_STORE);
	assert_non_null(strstr(err.detail, "reading things"));
	assert_non_null(strstr(err.detail, "no_such_table"));
	assert_int_equal(store_fail(NULL, &err, "x"), BS_ERR_STORE);
}

/* A run left "running" (the process was killed) is closed as interrupted
 * when the next run starts under the lock; finished runs are left alone. */
static void
runs_killed_run_closed_by_next(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_run r;
	int64_t done, killed, next;

	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 100, &done, &err), BS_OK);
	assert_int_equal(store_run_finish(f->s, done, "ok", 1, 0, 0, 1, 10, "fine", 110, &err),
	    BS_OK);
	assert_int_equal(store_run_start(f->s, "roster", "sync", NULL, 200, &killed, &err), BS_OK);
	assert_int_equal(store_run_get(f->s, killed, &r, &err), BS_OK);
	assert_string_equal(r.result, "running");
	store_run_clear(&r);

	assert_int_equal(store_run_start(f->s, "timeoff", "sync", NULL, 300, &next, &err), BS_OK);
	assert_int_equal(store_run_get(f->s, killed, &r, &err), BS_OK);
	assert_string_equal(r.result, "interrupted");
	assert_int_equal(r.finished_at, 0);	/* the end is unknown */
	assert_non_null(strstr(r.message, "stopped before it finished"));
	store_run_clear(&r);
	assert_int_equal(store_run_get(f->s, done, &r, &err), BS_OK);
	assert_string_equal(r.result, "ok");
	assert_string_equal(r.message, "fine");
	store_run_clear(&r);
	assert_int_equal(store_run_get(f->s, next, &r, &err), BS_OK);
	assert_string_equal(r.result, "running");
	store_run_clear(&r);
}

/* A run that ended before it began is one finished row that leaves a
 * running run alone (no lock needed); who started a run is kept. */
static void
runs_add_and_origin(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct store_run r;
	int64_t running, added;

	assert_int_equal(store_run_start(f->s, "timeoff", "sync", NULL, 100, &running, &err),
	    BS_OK);
	assert_int_equal(store_run_set_origin(f->s, running, "daemon", &err), BS_OK);
	assert_int_equal(store_run_add(f->s, "roster", "sync", "abc", "blocked", "too many",
	    "console", 150, &added, &err), BS_OK);
	assert_true(added > running);
	assert_int_equal(store_run_get(f->s, running, &r, &err), BS_OK);
	assert_string_equal(r.result, "running");	/* not taken for interrupted */
	assert_string_equal(r.origin, "daemon");
	store_run_clear(&r);
	assert_int_equal(store_run_get(f->s, added, &r, &err), BS_OK);
	assert_string_equal(r.result, "blocked");
	assert_string_equal(r.origin, "console");
	assert_string_equal(r.plan_id, "abc");
	assert_string_equal(r.message, "too many");
	assert_int_equal(r.started_at, 150);
	assert_int_equal(r.finished_at, 150);
	store_run_clear(&r);
	assert_int_equal(store_run_add(f->s, "roster", "sync", NULL, "", NULL, NULL, 1, &added,
	    &err), BS_ERR_INVALID);
	assert_int_equal(store_run_set_origin(f->s, running, "", &err), BS_ERR_INVALID);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(open_degenerate),
		T(open_migrates_empty),
		T(open_memory),
		T(open_mode_and_wal),
		T(open_tightens_loose_file),
		T(open_refuses_symlink),
		T(reopen_is_idempotent),
		T(refuses_newer_schema),
		T(refuses_garbage_file),
		T(runs_degenerate),
		T(runs_start_finish_get),
		T(runs_killed_run_closed_by_next),
		T(runs_add_and_origin),
		T(runs_settle_killed),
		T(runs_message_masks_secrets),
		T(runs_list_and_last),
		T(actions_degenerate),
		T(actions_add_and_mark),
		T(actions_unfinished_order),
		T(actions_list_filters),
		T(reads_use_indexes),
		T(roster_active_counted),
		T(roster_put_many_as_one_by_one),
		T(roster_lookups_prepared_once),
		T(actions_cascade_with_run),
		T(audit_add_and_list),
		T(kv_get_set_del),
		T(approvals_once),
		T(prune_old_history),
		T(prune_inside_transaction),
		T(transaction_rollback_leaves_nothing),
		T(close_rolls_back_open_transaction),
		T(fail_reports_sqlite_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
