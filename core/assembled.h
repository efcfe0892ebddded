/* assembled.h - the Assembled API client (targets-api.md part A).
 *
 * Basic auth with the API key as user name and an empty password; the
 * API-Version header; people paged with limit/offset/total (deleted people
 * skipped); activity types (time-off types have timeoff: true); activities
 * created one by one (unix seconds, allow_conflicts from settings) and
 * removed by id through the bulk endpoint, never by a window delete that
 * could take shifts with it; collections are objects keyed by id; paced at
 * 300 requests a minute with bursts of 20.
 */
#ifndef BS_ASSEMBLED_H
#define BS_ASSEMBLED_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

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

void asm_people_free(struct asm_people *p);
void asm_activity_types_free(struct asm_activity_types *t);

#endif
