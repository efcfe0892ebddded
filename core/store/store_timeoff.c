/* store_timeoff.c - queries on timeoff_events, timeoff_requests and the
 * changes-feed cursor (schema in store.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_timeoff.h"
#include "base/util.h"

#define EVENT_COLUMNS \
	"request_id, chunk, employee_id, agent_id, activity_id, type_id, start_time, " \
	"end_time, content_hash, updated_at"

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static bs_rc
prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct bs_error *err)
{
	*st = NULL;
	if (s == NULL || store_db(s) == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store");
	if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK)
		return store_fail(s, err, "time-off state");
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

static void
read_event(sqlite3_stmt *st, struct toff_event_row *r)
{
	memset(r, 0, sizeof *r);
	r->request_id = sqlite3_column_int64(st, 0);
	r->chunk = sqlite3_column_int(st, 1);
	r->employee_id = col_dup(st, 2);
	r->agent_id = col_dup(st, 3);
	r->activity_id = col_dup(st, 4);
	r->type_id = col_dup(st, 5);
	r->start = sqlite3_column_int64(st, 6);
	r->end = sqlite3_column_int64(st, 7);
	r->content_hash = col_dup(st, 8);
	r->updated_at = sqlite3_column_int64(st, 9);
}

static bs_rc
events_query(struct store *s, const char *sql, long long request_id, int bind,
    struct toff_event_rows *out, struct bs_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r;
	bs_rc rc;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no place for time-off rows");
	memset(out, 0, sizeof *out);
	rc = prepare(s, sql, &st, err);
	if (rc != BS_OK)
		return rc;
	if (bind)
		sqlite3_bind_int64(st, 1, request_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		read_event(st, &out->v[out->n++]);
	}
	if (r != SQLITE_DONE) {
		rc = store_fail(s, err, "reading the time-off events");
		toff_event_rows_clear(out);
	}
	sqlite3_finalize(st);
	return rc;
}

bs_rc
store_toff_events_list(struct store *s, struct toff_event_rows *out, struct bs_error *err)
{
	return events_query(s, "SELECT " EVENT_COLUMNS " FROM timeoff_events "
	    "ORDER BY request_id, chunk", 0, 0, out, err);
}

bs_rc
store_toff_events_of(struct store *s, long long request_id, struct toff_event_rows *out,
    struct bs_error *err)
{
	return events_query(s, "SELECT " EVENT_COLUMNS " FROM timeoff_events "
	    "WHERE request_id = ? ORDER BY chunk", request_id, 1, out, err);
}

static bs_rc
step_done(struct store *s, sqlite3_stmt *st, const char *what, struct bs_error *err)
{
	bs_rc rc = BS_OK;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_fail(s, err, what);
	sqlite3_finalize(st);
	return rc;
}

bs_rc
store_toff_event_put(struct store *s, const struct toff_event_row *r, int64_t now,
    struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (r == NULL || r->request_id <= 0)
		return bs_fail(err, BS_ERR_INVALID, "a time-off event needs its request id");
	rc = prepare(s, "INSERT OR REPLACE INTO timeoff_events(" EVENT_COLUMNS ") "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, r->request_id);
	sqlite3_bind_int(st, 2, r->chunk);
	bind_text(st, 3, r->employee_id);
	bind_text(st, 4, r->agent_id);
	bind_text(st, 5, r->activity_id);
	bind_text(st, 6, r->type_id);
	sqlite3_bind_int64(st, 7, r->start);
	sqlite3_bind_int64(st, 8, r->end);
	bind_text(st, 9, r->content_hash);
	sqlite3_bind_int64(st, 10, now);
	return step_done(s, st, "recording a time-off event", err);
}

bs_rc
store_toff_event_del_activity(struct store *s, const char *activity_id, struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (activity_id == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no activity id");
	rc = prepare(s, "DELETE FROM timeoff_events WHERE activity_id = ?", &st, err);
	if (rc != BS_OK)
		return rc;
	bind_text(st, 1, activity_id);
	return step_done(s, st, "forgetting a time-off event", err);
}

bs_rc
store_toff_events_del_request(struct store *s, long long request_id, struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	rc = prepare(s, "DELETE FROM timeoff_events WHERE request_id = ?", &st, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, request_id);
	return step_done(s, st, "forgetting the events of a request", err);
}

long
store_toff_events_count(struct store *s)
{
	sqlite3_stmt *st;
	long n = -1;

	if (prepare(s, "SELECT COUNT(*) FROM timeoff_events", &st, NULL) != BS_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

bs_rc
store_toff_request_get(struct store *s, long long request_id, struct toff_request_row *out,
    struct bs_error *err)
{
	sqlite3_stmt *st;
	int r;
	bs_rc rc;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no place for a request row");
	memset(out, 0, sizeof *out);
	rc = prepare(s, "SELECT request_id, employee_id, status, previous_request_id, data, "
	    "updated_at FROM timeoff_requests WHERE request_id = ?", &st, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, request_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		out->request_id = sqlite3_column_int64(st, 0);
		out->employee_id = col_dup(st, 1);
		out->status = col_dup(st, 2);
		out->previous_request_id = sqlite3_column_int64(st, 3);
		out->data = col_dup(st, 4);
		out->updated_at = sqlite3_column_int64(st, 5);
	} else if (r == SQLITE_DONE) {
		rc = BS_ERR_NOT_FOUND;
		if (err != NULL) {
			err->rc = rc;
			snprintf(err->detail, sizeof err->detail, "request %lld not processed yet",
			    request_id);
		}
	} else {
		rc = store_fail(s, err, "reading a time-off request");
	}
	sqlite3_finalize(st);
	return rc;
}

bs_rc
store_toff_request_put(struct store *s, const struct toff_request_row *r, int64_t now,
    struct bs_error *err)
{
	sqlite3_stmt *st;
	bs_rc rc;

	if (r == NULL || r->request_id <= 0)
		return bs_fail(err, BS_ERR_INVALID, "a time-off request row needs its id");
	rc = prepare(s, "INSERT OR REPLACE INTO timeoff_requests(request_id, employee_id, status, "
	    "previous_request_id, data, updated_at) VALUES (?, ?, ?, ?, ?, ?)", &st, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, r->request_id);
	bind_text(st, 2, r->employee_id);
	bind_text(st, 3, r->status);
	if (r->previous_request_id > 0)
		sqlite3_bind_int64(st, 4, r->previous_request_id);
	else
		sqlite3_bind_null(st, 4);
	bind_text(st, 5, r->data);
	sqlite3_bind_int64(st, 6, now);
	return step_done(s, st, "recording a time-off request", err);
}

bs_rc
store_toff_cursor_get(struct store *s, int64_t *cursor, int *have, struct bs_error *err)
{
	char *v = NULL, *end = NULL;
	long long n;
	bs_rc rc;

	*cursor = 0;
	*have = 0;
	rc = store_kv_get(s, STORE_TOFF_CURSOR_KEY, &v, err);
	if (rc != BS_OK || v == NULL)
		return rc;
	n = strtoll(v, &end, 10);
	if (end != v && *end == '\0' && n > 0) {
		*cursor = n;
		*have = 1;
	}
	free(v);
	return BS_OK;
}

bs_rc
store_toff_cursor_set(struct store *s, int64_t cursor, int64_t now, struct bs_error *err)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", (long long)cursor);
	return store_kv_set(s, STORE_TOFF_CURSOR_KEY, buf, now, err);
}

void
toff_event_row_clear(struct toff_event_row *r)
{
	if (r == NULL)
		return;
	free(r->employee_id);
	free(r->agent_id);
	free(r->activity_id);
	free(r->type_id);
	free(r->content_hash);
	memset(r, 0, sizeof *r);
}

void
toff_event_rows_clear(struct toff_event_rows *rows)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < rows->n; i++)
		toff_event_row_clear(&rows->v[i]);
	free(rows->v);
	memset(rows, 0, sizeof *rows);
}

void
toff_request_row_clear(struct toff_request_row *r)
{
	if (r == NULL)
		return;
	free(r->employee_id);
	free(r->status);
	free(r->data);
	memset(r, 0, sizeof *r);
}
