/* store_timeoff.h - what the state store remembers of the time-off sync
 * (the timeoff_events, timeoff_requests and kv tables of store.c).
 *
 * timeoff_events: one row per Assembled activity bobsync made for a HiBob
 * request (chunk 0 for a contiguous request, 1.. for the parts of a split
 * one), written once Assembled confirmed the activity.  timeoff_requests:
 * the last snapshot of each request the sync processed, so a changes feed
 * read twice (the overlap) costs nothing the second time.  The cursor of
 * the changes feed lives in kv.
 */
#ifndef BS_STORE_TIMEOFF_H
#define BS_STORE_TIMEOFF_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

struct store;

#define STORE_TOFF_CURSOR_KEY "timeoff.cursor"

struct toff_event_row {
	long long request_id;
	int chunk;
	char *employee_id;
	char *agent_id;
	char *activity_id;
	char *type_id;
	int64_t start;		/* unix seconds */
	int64_t end;
	char *content_hash;	/* may be NULL */
	int64_t updated_at;
};

/* Rows ordered by request id, then chunk.  Owns its rows. */
struct toff_event_rows {
	struct toff_event_row *v;
	size_t n;
};

struct toff_request_row {
	long long request_id;
	char *employee_id;
	char *status;
	long long previous_request_id;
	char *data;		/* JSON text the engine keeps (snapshot key, zone ...) */
	int64_t updated_at;
};

bs_rc store_toff_events_list(struct store *s, struct toff_event_rows *out,
    struct bs_error *err);
/* The rows of one request (none: BS_OK with out->n == 0). */
bs_rc store_toff_events_of(struct store *s, long long request_id,
    struct toff_event_rows *out, struct bs_error *err);
/* Insert or replace the row (request_id, chunk); updated_at = now. */
bs_rc store_toff_event_put(struct store *s, const struct toff_event_row *r, int64_t now,
    struct bs_error *err);
/* Delete the row holding this activity id (none is not an error). */
bs_rc store_toff_event_del_activity(struct store *s, const char *activity_id,
    struct bs_error *err);
/* Delete every row of a request. */
bs_rc store_toff_events_del_request(struct store *s, long long request_id,
    struct bs_error *err);
/* Number of rows (synced events); -1 when the store cannot tell. */
long store_toff_events_count(struct store *s);

/* BS_ERR_NOT_FOUND when the request was never processed (out zeroed). */
bs_rc store_toff_request_get(struct store *s, long long request_id,
    struct toff_request_row *out, struct bs_error *err);
bs_rc store_toff_request_put(struct store *s, const struct toff_request_row *r,
    int64_t now, struct bs_error *err);

/* The changes-feed cursor (unix seconds); *have = 0 when none yet. */
bs_rc store_toff_cursor_get(struct store *s, int64_t *cursor, int *have,
    struct bs_error *err);
bs_rc store_toff_cursor_set(struct store *s, int64_t cursor, int64_t now,
    struct bs_error *err);

void toff_event_row_clear(struct toff_event_row *r);
void toff_event_rows_clear(struct toff_event_rows *rows);
void toff_request_row_clear(struct toff_request_row *r);

#endif
