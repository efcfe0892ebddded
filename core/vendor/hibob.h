/* hibob.h - the HiBob (Bob) API client and the data it returns.
 *
 * Typed C structs out; no Jansson object leaks to callers.  The quirks of
 * the real API (hibob-api.md) are handled here: field values read from the
 * nested, top-level and "/slash" forms; ids kept as strings; list item ids
 * resolved to their names; searches above 400 fields split; fields and
 * people the service user may not see silently omitted (reported back as
 * omissions); the time-off changes feed in windows of at most 6 months;
 * both spellings of the portion keys.  401 is never retried.
 */
#ifndef BS_HIBOB_H
#define BS_HIBOB_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/progress.h"
#include "base/result.h"

struct http_client;

/* ---- field metadata and named lists ---- */

struct bob_field {
	char *id;		/* "work.custom.field_1699999999999" */
	char *name;		/* "alleo_access" (admin-entered) */
	char *category;		/* categoryId, e.g. "work" */
	char *category_name;	/* categoryDisplayName, e.g. "Work" */
	char *type;		/* "list", "text", "number", ... */
	char *list_id;		/* typeData.listId for list types, else NULL */
	char *json_path;
	int historical;
};

struct bob_fields {
	struct bob_field *v;
	size_t n;
};

struct bob_list_item {
	char *id;		/* string or number in JSON, always a string here */
	char *name;		/* "value" or "name" */
	int archived;
	struct bob_list_item *children;
	size_t nchildren;
};

struct bob_list {
	char *name;
	struct bob_list_item *items;
	size_t n;
};

/* ---- people ---- */

enum bob_access {
	BOB_ACCESS_UNSET,	/* no value: unknown, never a removal */
	BOB_ACCESS_YES,
	BOB_ACCESS_NO,
	BOB_ACCESS_OTHER,	/* a value other than yes/no */
	BOB_ACCESS_UNREADABLE	/* the field was not returned (permissions) */
};

struct bob_budget {
	char *field;		/* field name, "alleo_monthly_all_budget" */
	double amount;
	int set;		/* 0 when the person has no value */
};

struct bob_person {
	char *id;		/* ~19 digits, kept as a string */
	char *email;		/* root.email (work email) */
	char *first_name;
	char *surname;
	char *display_name;
	char *department;	/* display name (list resolved) */
	char *site;		/* display name */
	char *start_date;	/* YYYY-MM-DD or NULL */
	char *termination_date;	/* YYYY-MM-DD or NULL */
	char *lifecycle;	/* internal.lifecycleStatus as shown (display text) */
	char *status;		/* internal.status as shown: "Active", "Inactief"... */
	/* The machine values of those two (a list item id or a word such as
	 * "employed"), NULL when none.  The display text is formatted for the
	 * service user and may not be English: decisions use these. */
	char *lifecycle_id;
	char *status_id;
	enum bob_access access;
	char *access_value;	/* the display value read, NULL when unset */
	struct bob_budget *budgets;
	size_t nbudgets;
	int damaged;		/* a value held \u0000 or a lone surrogate (shown as U+FFFD) */
	/* 1: the strings and budgets live in the arena of the bob_people the
	 * person was read into (shared when they repeat): never freed one by
	 * one.  0: each is malloc'd (a person built by hand, a single read). */
	unsigned char packed;
};

/* A field asked for and never returned for anyone: the silent omission. */
struct bob_omission {
	char *field_id;
	char *category_name;	/* "Personal", "Work", "Lifecycle", ... */
};

struct bob_people {
	struct bob_person *v;
	size_t n;
	struct arena text;	/* the packed people's strings */
	size_t nread;		/* people read: n, or those handed to query.each */
	struct bob_omission *missing;
	size_t nmissing;
};

/* ---- time off ---- */

enum toff_type {
	TOFF_DAYS,
	TOFF_HOURS,
	TOFF_PORTION_ON_RANGE,
	TOFF_HOURS_ON_RANGE,
	TOFF_DIFFERENT_DAY_DURATIONS,
	TOFF_SPECIFIC_HOURS_DAY_DURATIONS,
	TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS,
	TOFF_PERCENTAGE_ON_RANGE,
	TOFF_OPEN_ENDED,
	TOFF_TYPE_UNKNOWN
};

enum toff_portion { TOFF_PORTION_NONE, TOFF_ALL_DAY, TOFF_MORNING, TOFF_AFTERNOON };

enum toff_status {
	TOFF_STATUS_UNKNOWN,
	TOFF_APPROVED,
	TOFF_PENDING,
	TOFF_CANCELED,		/* "canceled" (also accepts "cancelled") */
	TOFF_DISAPPROVED,	/* declined */
	TOFF_DELETED		/* from a "Deleted" change */
};

/* One day of a per-day duration type. */
struct bob_duration {
	char date[11];		/* YYYY-MM-DD */
	int minutes;		/* length that day; 0 = none */
	int start_minute;	/* minutes after local midnight, -1 when unknown */
	int end_minute;		/* -1 when unknown */
};

struct bob_timeoff {
	long long request_id;
	char *employee_id;
	char *employee_email;	/* may be NULL (not in every endpoint) */
	char *employee_name;
	char *policy_type;	/* policyTypeDisplayName, e.g. "Holiday" */
	char *type_raw;
	enum toff_type type;
	char *status_raw;
	enum toff_status status;
	char *change_type;	/* changes feed: "Created", "Canceled", "Deleted", ... */
	char start_date[11];	/* "" when absent */
	char end_date[11];
	enum toff_portion start_portion;
	enum toff_portion end_portion;
	enum toff_portion day_portion;	/* portionOnRange */
	char date[11];		/* hours: the date */
	int minutes_on_date;	/* hours: hoursOnDate*60 + minutes */
	int daily_minutes;	/* hoursOnRange: dailyHours*60 + minutes */
	int percentage;		/* percentageOnRange */
	long long previous_request_id;	/* 0 when none */
	long long original_request_id;
	struct bob_duration *durations;
	size_t ndurations;
	char *time_zone;	/* specific-hours types */
	/* set by the sync, not HiBob: a feed item standing for a request
	 * whose current state was not read (it is skipped whatever its
	 * status), so its status is not known */
	unsigned char unread;
	/* The strings as read (employee_id to change_type, time_zone) share
	 * this one allocation, blen bytes; a string set later on its own is
	 * freed on its own by bob_timeoff_clear.  A copy must not share it. */
	char *block;
	size_t blen;
};

struct bob_timeoffs {
	struct bob_timeoff *v;
	size_t n;
};

/* ---- the client ---- */

struct bob_client;

/* base_url like "https://api.hibob.com/v1" (no trailing slash needed).
 * The id and token are copied into guarded memory and registered with the
 * log masker.  http is borrowed. */
struct bob_client *bob_client_new(struct http_client *http, const char *base_url,
    const char *service_user_id, const char *token);
void bob_client_free(struct bob_client **c);

bs_rc bob_get_fields(struct bob_client *c, struct bob_fields *out,
    struct bs_error *err);
/* One named list (404 -> BS_ERR_NOT_FOUND). */
bs_rc bob_get_list(struct bob_client *c, const char *list_name,
    struct bob_list *out, struct bs_error *err);
/* Name of an item id, searching children; NULL when unknown. */
const char *bob_list_name_of(const struct bob_list *l, const char *item_id);

/* The name a person is shown by, everywhere: the display name, else first
 * name and surname, else the email, else the employee id.  Caller frees. */
char *bob_person_name(const struct bob_person *p);
/* Id of the item with this name (case-insensitive), NULL when none. */
const char *bob_list_id_of(const struct bob_list *l, const char *name);

/* What to read for each person. */
struct bob_people_query {
	const char *access_field_id;	/* id of alleo_access, NULL = don't read */
	const struct bob_list *access_list;	/* to resolve its item ids */
	const char *const *budget_field_ids;	/* may be NULL */
	const char *const *budget_field_names;	/* parallel to the ids */
	size_t nbudget;
	const char *const *extra_fields;	/* more field ids (checks) */
	size_t nextra;
	const char *filter_id;		/* read one person by root.id, NULL = all */
	const char *filter_email;	/* or by root.email */
	size_t batch_ids;		/* >0: fetch in batches of root.id of this size */
	/* The fields asked for instead of the standard set (root.id is always
	 * asked, the access, budget and extra fields as above): a reader that
	 * needs a few of a person's values gets a smaller answer.  The
	 * person's strings of fields not asked stay NULL.  NULL = standard. */
	const char *const *only_fields;
	size_t nonly;
	/* With each set, bob_search_people hands each person to it as soon
	 * as they are read and keeps none (out gets the count, nread, and
	 * the omissions; its v stays empty): a company of any size is read in
	 * the memory of one person.  The person and its strings are valid
	 * during the call only.  each_mark is called when a search request
	 * starts, each_reset when it is tried again (forget what was handed
	 * over since the mark).  A search of more than
	 * BOB_MAX_FIELDS_PER_SEARCH fields merges its answers by id, so it
	 * reads everyone first and hands them over at the end. */
	void (*each)(void *ctx, const struct bob_person *p);
	void (*each_mark)(void *ctx);
	void (*each_reset)(void *ctx);
	void *each_ctx;
	/* while the answer arrives, the progress hears the count of people
	 * read every this many (0: every BOB_PROGRESS_PEOPLE) */
	size_t progress_every;
};
#define BOB_PROGRESS_PEOPLE 4096

bs_rc bob_search_people(struct bob_client *c, const struct bob_people_query *q,
    struct bob_people *out, const struct bs_progress *progress,
    struct bs_error *err);
/* POST /people/{id-or-email}: one person (NOT_FOUND when absent). */
bs_rc bob_read_person(struct bob_client *c, const char *identifier,
    const struct bob_people_query *q, struct bob_person *out,
    struct bs_error *err);
/* PUT /people/{id} with the nested body for one field.  *changed is 1 on
 * 200, 0 on 304 (nothing modified, or a wrong path). */
bs_rc bob_update_field(struct bob_client *c, const char *employee_id,
    const char *field_id, const char *value, int *changed,
    struct bs_error *err);

/* GET /timeoff/requests/changes from `since` to `to` (unix seconds),
 * split into windows of at most 6 months. */
bs_rc bob_timeoff_changes(struct bob_client *c, int64_t since, int64_t to,
    struct bob_timeoffs *out, struct bs_error *err);
/* The same keeping only the items whose request id keep(kctx, id) accepts
 * (1): the others are passed over as they are read, nothing of them kept
 * (an item without a request id is dropped either way). */
typedef int (*bob_timeoff_keep_fn)(void *kctx, long long request_id);
bs_rc bob_timeoff_changes_kept(struct bob_client *c, int64_t since, int64_t to,
    bob_timeoff_keep_fn keep, void *kctx, struct bob_timeoffs *out, struct bs_error *err);
/* GET /timeoff/employees/{id}/requests/{requestId} */
bs_rc bob_timeoff_request(struct bob_client *c, const char *employee_id,
    long long request_id, struct bob_timeoff *out, struct bs_error *err);
/* GET /timeoff/whosout?from&to&includeHourly=true */
bs_rc bob_whos_out(struct bob_client *c, const char *from, const char *to,
    struct bob_timeoffs *out, struct bs_error *err);
/* The same with includePrivate as asked: false shows a private policy's
 * requests under its public name; true shows the real name, and leaves
 * them out when the service user lacks the private-policy permission. */
bs_rc bob_whos_out_ex(struct bob_client *c, const char *from, const char *to,
    int include_private, struct bob_timeoffs *out, struct bs_error *err);
/* The same with includePrivate=true and includePending=true: the requests
 * still waiting for approval too (the preview shows them). */
bs_rc bob_whos_out_pending(struct bob_client *c, const char *from, const char *to,
    struct bob_timeoffs *out, struct bs_error *err);
/* GET /timeoff/outtoday */
bs_rc bob_out_today(struct bob_client *c, const char *today,
    struct bob_timeoffs *out, struct bs_error *err);
/* GET /timeoff/policy-types -> names; caller frees with bob_strings_free. */
bs_rc bob_policy_types(struct bob_client *c, char ***names, size_t *n,
    struct bs_error *err);

/* ---- parsing (pure; the fuzz harnesses and unit tests call these) ---- */
bs_rc bob_parse_fields(const char *json, size_t len, struct bob_fields *out,
    struct bs_error *err);
bs_rc bob_parse_list(const char *json, size_t len, struct bob_list *out,
    struct bs_error *err);
bs_rc bob_parse_people(const char *json, size_t len,
    const struct bob_people_query *q, struct bob_people *out,
    struct bs_error *err);
/* Parses {"changes":[...]}, {"outs":[...]} or a bare request object. */
bs_rc bob_parse_timeoffs(const char *json, size_t len, struct bob_timeoffs *out,
    struct bs_error *err);
/* The same keeping only the items keep(kctx, request id) accepts. */
bs_rc bob_parse_timeoffs_kept(const char *json, size_t len, bob_timeoff_keep_fn keep,
    void *kctx, struct bob_timeoffs *out, struct bs_error *err);
bs_rc bob_parse_timeoff(const char *json, size_t len, struct bob_timeoff *out,
    struct bs_error *err);

enum toff_type toff_type_parse(const char *s);
const char *toff_type_name(enum toff_type t);
/* The kind of request in words ("open-ended: no end date yet"), for text a
 * person reads; toff_type_name is HiBob's name. */
const char *toff_type_words(enum toff_type t);
enum toff_status toff_status_parse(const char *s);
const char *toff_status_name(enum toff_status s);
enum toff_portion toff_portion_parse(const char *s);

void bob_fields_clear(struct bob_fields *f);
void bob_list_clear(struct bob_list *l);
/* A malloc'd copy of p (packed or not) that owns its strings. */
void bob_person_copy(struct bob_person *dst, const struct bob_person *src);
void bob_person_clear(struct bob_person *p);
void bob_people_clear(struct bob_people *p);
void bob_timeoff_clear(struct bob_timeoff *t);
void bob_timeoffs_clear(struct bob_timeoffs *t);
/* dst becomes a copy of src that owns its own strings (the block copied
 * whole, a string outside it on its own) and durations. */
void bob_timeoff_copy(struct bob_timeoff *dst, const struct bob_timeoff *src);
/* Replace *field, one of t's strings, with a copy of value (NULL stays
 * NULL); the old one is freed unless it is in t's block. */
void bob_timeoff_str_set(struct bob_timeoff *t, char **field, const char *value);
void bob_strings_free(char **v, size_t n);

#endif
