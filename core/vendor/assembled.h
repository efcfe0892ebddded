/* assembled.h - the Assembled API client (targets-api.md part A).
 *
 * Basic auth with the API key as user name and an empty password; the
 * API-Version header; people paged with limit/offset/total (deleted people
 * skipped); activity types (time-off types have timeoff: true); activities
 * created one by one (unix seconds, allow_conflicts from settings) and
 * removed by id through the bulk endpoint, never by a window delete that
 * could take shifts with it; listings read in slices of at most 31 days
 * and paged; collections are objects keyed by id; paced at
 * 300 requests a minute with bursts of 20.
 */
#ifndef BS_ASSEMBLED_H
#define BS_ASSEMBLED_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

struct http_client;
struct asm_client;

/* base_url like "https://api.assembledhq.com/v0".  The key is copied into
 * guarded memory and registered with the log masker.  http is borrowed. */
struct asm_client *asm_client_new(struct http_client *http, const char *base_url,
    const char *api_key);
void asm_client_free(struct asm_client **c);

struct asm_person {
	char *id;		/* person id */
	char *agent_id;		/* the id activities use (differs from id) */
	char *email;
	char *first_name;
	char *last_name;
	char *timezone;		/* IANA name, NULL when none */
	char *hibob_id;		/* platforms.hibob, NULL when none */
	char *imported_id;
	int deleted;
};

struct asm_people {
	struct asm_person *v;
	size_t n;
	/* asm_people_index: hash tables of positions by hibob_id and by
	 * case-folded email (nhibob, nemail slots; used while nidx == n) */
	size_t *by_hibob, *by_email;
	size_t nhibob, nemail, nidx;
};

struct asm_activity_type {
	char *id;
	char *name;
	char *short_name;
	char *import_id;
	int timeoff;
	int productive;
};

struct asm_activity_types {
	struct asm_activity_type *v;
	size_t n;
};

/* Every person, all pages (limit/offset/total), deleted people skipped. */
bs_rc asm_get_people(struct asm_client *c, struct asm_people *out,
    struct bs_error *err);
bs_rc asm_get_activity_types(struct asm_client *c, struct asm_activity_types *out,
    struct bs_error *err);
/* The time-off type a name or id refers to; with name NULL the default:
 * the type named "Time Off", else the only timeoff type.  NULL when none,
 * with why filled in (listing the time-off types there are). */
const struct asm_activity_type *asm_timeoff_type(const struct asm_activity_types *t,
    const char *name_or_id, char *why, size_t whylen);

void asm_people_clear(struct asm_people *p);
/* Build the match index (asm_get_people does it); call again after
 * changing v.  Without it asm_people_match scans the list. */
void asm_people_index(struct asm_people *p);
void asm_activity_types_clear(struct asm_activity_types *t);

/* One schedule event.  Times are unix seconds. */
struct asm_activity {
	char *id;
	char *agent_id;
	char *type_id;
	char *description;	/* may be NULL */
	int64_t start;
	int64_t end;
};

struct asm_activities {
	struct asm_activity *v;
	size_t n;
};

/* What to create.  Strings are borrowed. */
struct asm_activity_spec {
	const char *agent_id;
	const char *type_id;
	int64_t start;
	int64_t end;
	const char *description;
	int allow_conflicts;	/* false: Assembled deletes overlapping activities */
	const char *schedule_id;	/* NULL = the master schedule */
};

/* Bounds on what one response may hold. */
#define ASM_PEOPLE_PAGE 100
#define ASM_MAX_PEOPLE 100000
#define ASM_MAX_ACTIVITIES 200000

/* Listings of GET /activities.  Paging and window limits are not
 * documented (targets-api.md A.4), so a listing never trusts one answer:
 * the window is read in slices of at most ASM_ACT_WINDOW seconds, and a
 * slice is paged with limit/offset while a page comes back full (or, with
 * exhaustive, until a page adds nothing new: a server that cuts pages
 * shorter than the limit asked for is still read to the end).  Rows seen
 * twice (an event across two slices) are kept once. */
#define ASM_ACT_WINDOW (31 * 86400)
#define ASM_ACT_PAGE 500
#define ASM_ACT_MAX_PAGES 1000	/* per slice */

struct asm_list_query {
	const char *agent_id;	/* one agents=<id>; other agents' rows dropped; NULL: all */
	const char *type_id;	/* one types=<id>; NULL: every type */
	int64_t start, end;	/* [start, end), unix seconds */
	const char *schedule_id;	/* NULL = the master schedule */
	int exhaustive;		/* page until a page adds nothing */
};

/* Append to *out (caller frees, zeroed first by the caller). */
bs_rc asm_list_activities_q(struct asm_client *c, const struct asm_list_query *q,
    struct asm_activities *out, struct bs_error *err);
/* One agent's activities in [start, end), read exhaustively (above);
 * *out is cleared first.  schedule_id may be NULL. */
bs_rc asm_list_activities(struct asm_client *c, const char *agent_id,
    int64_t start, int64_t end, const char *schedule_id,
    struct asm_activities *out, struct bs_error *err);
/* Whether activity_id is still in agent_id's schedule over [start, end)
 * (a day added on each side): *present 1 or 0.  The only proof that a
 * delete took: its answer alone is not (bulk delete is a beta, error
 * bodies are undocumented). */
bs_rc asm_activity_present(struct asm_client *c, const char *agent_id, const char *activity_id,
    int64_t start, int64_t end, const char *schedule_id, int *present, struct bs_error *err);
/* POST /activities; *out (caller clears) is the activity Assembled made. */
bs_rc asm_create_activity(struct asm_client *c, const struct asm_activity_spec *spec,
    struct asm_activity *out, struct bs_error *err);
/* Remove one activity by id through POST /activities/bulk (action
 * "delete").  BS_OK only when Assembled accepted it (2xx); any other
 * answer (a 404 of the route, a 400 of a beta not switched on, or saying
 * "not found") is an error with the body in the detail, and *status (may
 * be NULL) is the HTTP status (0: none).  Neither answer proves where the
 * event is: asm_activity_present does. */
bs_rc asm_delete_activity(struct asm_client *c, const char *activity_id,
    const char *schedule_id, long *status, struct bs_error *err);

/* What a delete of an id that cannot exist says about the account. */
enum asm_delete_probe {
	ASM_DELETE_ENABLED,	/* answered "not found" for that id: deletes work */
	ASM_DELETE_ACCEPTED,	/* 2xx: accepted (whether it acts is unknown) */
	ASM_DELETE_REFUSED,	/* refused without looking the id up: not enabled */
	ASM_DELETE_UNKNOWN	/* no clear answer (network, 5xx) */
};
/* Send that delete (ASM_PROBE_ID) and classify the answer; detail gets
 * the status and the start of the body.  BS_ERR_AUTH/FORBIDDEN pass
 * through; otherwise BS_OK with *out set. */
#define ASM_PROBE_ID "00000000-0000-0000-0000-000000000000"
bs_rc asm_probe_delete(struct asm_client *c, const char *schedule_id, enum asm_delete_probe *out,
    char *detail, size_t detaillen, struct bs_error *err);

/* Parsers (pure; the client and the fuzz harness use them).  asm_parse_people
 * appends one page to out (deleted people skipped) and reports the page's
 * row count (deleted included) and "total" (-1 when absent). */
bs_rc asm_parse_people(const char *json, size_t len, struct asm_people *out,
    size_t *page_rows, long long *total, struct bs_error *err);
bs_rc asm_parse_activity_types(const char *json, size_t len,
    struct asm_activity_types *out, struct bs_error *err);
/* agent_id non-NULL keeps only that agent's rows. */
bs_rc asm_parse_activities(const char *json, size_t len, const char *agent_id,
    struct asm_activities *out, struct bs_error *err);

/* The person for a HiBob employee: platforms.hibob == hibob_id first,
 * else the case-folded email; NULL when neither matches.  *how (may be
 * NULL) is set to "hibob id" or "email". */
const struct asm_person *asm_people_match(const struct asm_people *p,
    const char *hibob_id, const char *email, const char **how);
/* The activity type with this id, NULL when none. */
const struct asm_activity_type *asm_type_by_id(const struct asm_activity_types *t,
    const char *id);

/* "hibob:<requestId>" found in a description: 1 and *request_id, else 0. */
int asm_marker_parse(const char *description, long long *request_id);

void asm_person_clear(struct asm_person *p);
void asm_activity_clear(struct asm_activity *a);
void asm_activities_clear(struct asm_activities *a);

#endif
