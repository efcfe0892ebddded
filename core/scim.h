/* scim.h - SCIM 2.0 client for Alleo (RFC 7643/7644, targets-api.md B.4):
 * OAuth2 client-credentials token (cached until expiry), users looked up by
 * externalId or userName, created, patched active=false/true. */
#ifndef BS_SCIM_H
#define BS_SCIM_H

#include "result.h"

struct http_client;
struct scim_client;

/* Secrets are copied into guarded memory and registered with the log
 * masker.  http is borrowed. */
struct scim_client *scim_client_new(struct http_client *http, const char *scim_url,
    const char *token_url, const char *client_id, const char *client_secret);
void scim_client_free(struct scim_client **c);

/* Get a token and run one user lookup: proves URL, credentials and
 * permissions without writing anything. */
bs_rc scim_ping(struct scim_client *c, struct bs_error *err);

/* ---- users (added to the original header) ---- */

/* The schema URN of the attributes Alleo gets beyond the core User:
 * onboardingDate, offboardingDate, terminationDate (YYYY-MM-DD) and
 * budgets (an object: HiBob budget field name -> amount). */
#define SCIM_ALLEO_EXT "urn:ietf:params:scim:schemas:extension:alleo:2.0:User"

/* A user as Alleo returns it.  All strings owned; scim_user_clear frees. */
struct scim_user {
	char *id;		/* Alleo's id, used in /Users/{id} */
	char *external_id;	/* the HiBob employee id */
	char *user_name;	/* the work email */
	char *given_name;
	char *family_name;
	char *email;		/* primary (or first) emails[].value */
	int active;
	char *offboarding_date;	/* from the extension, may be NULL */
};
void scim_user_clear(struct scim_user *u);

/* Parsers (pure; the fuzz harness and the client use them).  A
 * ListResponse's Resources into *out (n of them; free each with
 * scim_user_clear, then free(*out)); one User resource into *out. */
bs_rc scim_parse_users(const char *json, size_t len, struct scim_user **out, size_t *n,
    struct bs_error *err);
bs_rc scim_parse_user(const char *json, size_t len, struct scim_user *out,
    struct bs_error *err);

/* The state bobsync wants a user in.  Borrowed strings; NULL = omit. */
struct scim_user_spec {
	const char *external_id;	/* required */
	const char *user_name;		/* the work email, required */
	const char *given_name;
	const char *family_name;
	int active;
	const char *onboarding_date;	/* start date */
	const char *termination_date;	/* known termination date */
	const char *offboarding_date;	/* with a deactivation */
	const char *budgets_json;	/* a JSON object text, may be NULL */
};

/* Look a user up by externalId, then (when user_name is set and nobody
 * has the externalId) by userName.  *found is 0 when nobody matches; a
 * userName match that belongs to another externalId is not a match (it
 * fails with BS_ERR_CONFLICT and says who holds the name). */
bs_rc scim_find_user(struct scim_client *c, const char *external_id, const char *user_name,
    struct scim_user *out, int *found, struct bs_error *err);
/* GET /Users/{id}. */
bs_rc scim_get_user(struct scim_client *c, const char *id, struct scim_user *out,
    struct bs_error *err);
/* POST /Users.  A 409 "uniqueness" answer means the user exists: it is
 * looked up and linked (then patched to the spec), never duplicated;
 * *linked says so.  out receives the user (caller clears). */
bs_rc scim_create_user(struct scim_client *c, const struct scim_user_spec *spec,
    struct scim_user *out, int *linked, struct bs_error *err);
/* PATCH /Users/{id} replacing every attribute of spec (userName, name,
 * emails, externalId, active, extension): an email change keeps the same
 * account. */
bs_rc scim_update_user(struct scim_client *c, const char *id,
    const struct scim_user_spec *spec, struct bs_error *err);
/* PATCH active false (with the offboarding date in the extension) or true. */
bs_rc scim_set_active(struct scim_client *c, const char *id, int active,
    const char *offboarding_date, struct bs_error *err);

/* The SCIM filter `attr eq "value"` with quotes and backslashes escaped;
 * caller frees.  Exposed for tests. */
char *scim_filter_eq(const char *attr, const char *value);
/* How many tokens were fetched (tests check the cache). */
unsigned long scim_token_fetches(const struct scim_client *c);

#endif
