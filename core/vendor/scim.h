/* scim.h - SCIM 2.0 client for Alleo (RFC 7643/7644, targets-api.md B.4):
 * OAuth2 client-credentials token (cached until expiry), users looked up by
 * externalId or userName, created, patched active=false/true.
 *
 * Core User attributes only by default: Alleo publishes no extension schema.
 * Dates and budgets go to an extension only when one is named
 * (scim_client_set_extension, the setting alleo.scim_extension) and the
 * server lists it in GET /Schemas (read once per client). */
#ifndef BS_SCIM_H
#define BS_SCIM_H

#include "base/result.h"

struct http_client;
struct scim_client;

/* Secrets are copied into guarded memory and registered with the log
 * masker.  http is borrowed. */
struct scim_client *scim_client_new(struct http_client *http, const char *scim_url,
    const char *token_url, const char *client_id, const char *client_secret);
void scim_client_free(struct scim_client **c);

/* Get a token and run one filtered lookup that matches nobody (an
 * unfiltered listing may be refused): proves URL, credentials and
 * permissions without writing anything. */
bs_rc scim_ping(struct scim_client *c, struct bs_error *err);
/* The userName the ping asks for (RFC 2606: nobody can have it). */
#define SCIM_PING_USER "bobsync-ping-nobody@example.invalid"

/* The extension schema URN that gets the attributes beyond the core User
 * (onboardingDate, terminationDate, offboardingDate: YYYY-MM-DD; budgets:
 * an object, HiBob budget field name -> amount).  NULL or "" = none (the
 * default): nothing but core attributes is sent. */
void scim_client_set_extension(struct scim_client *c, const char *urn);

/* What the service says about itself: GET /ServiceProviderConfig and GET
 * /Schemas, asked once per client (the first call; later calls answer from
 * the cache, failures included). */
struct scim_caps {
	int config_read;	/* /ServiceProviderConfig answered */
	int schemas_read;	/* /Schemas answered with a list */
	int filter;		/* filter.supported: 1, 0, or -1 not said */
	int patch;		/* patch.supported: 1, 0, or -1 not said */
	int core_user;		/* the core User schema is listed */
	int enterprise;		/* the enterprise User extension is listed */
	int extension;		/* the extension set on the client is listed */
	char *schema_ids;	/* the listed ids, comma-separated ("" none) */
	char why[200];		/* why something could not be read, "" when fine */
	/* bulk (RFC 7644 3.7): bulk.supported 1, 0, or -1 not said; the
	 * advertised limits, 0 when not given (bulk is then not used) */
	int bulk;
	long bulk_max_ops;	/* bulk.maxOperations, at most 1000 */
	long bulk_max_payload;	/* bulk.maxPayloadSize in bytes, at most 4 MiB */
};
const struct scim_caps *scim_caps_get(struct scim_client *c);
/* The extension URN that may be written: set on the client and listed by
 * the service; NULL otherwise (asks for the caps when needed). */
const char *scim_extension_usable(struct scim_client *c);

/* How the token endpoint took the client credentials (RFC 6749 2.3.1):
 * "basic" (form-urlencoded id and secret inside HTTP Basic, tried first),
 * "body" (in the form body, after Basic was refused), or NULL before a
 * token was issued. */
const char *scim_token_auth(const struct scim_client *c);
/* 1 once the service refused an externalId filter (invalidFilter): lookups
 * go by userName from then on. */
int scim_external_id_filter_refused(const struct scim_client *c);

/* For `check`: GET /Users?filter=attr eq "<a value nobody has>".  *total
 * gets totalResults (0 is right; more means the filter was ignored), or -1
 * when the service refused the filter (400 invalidFilter, which is no
 * error here: *refused = 1). */
bs_rc scim_probe_filter(struct scim_client *c, const char *attr, long long *total,
    int *refused, struct bs_error *err);

/* Get a token (or keep the cached one): proves the client id and secret
 * at the token endpoint; the calls that follow reuse it. */
bs_rc scim_token(struct scim_client *c, struct bs_error *err);

/* ---- users (added to the original header) ---- */

#define SCIM_CORE_USER "urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_ENTERPRISE_USER "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

/* A user as Alleo returns it.  All strings owned; scim_user_clear frees. */
struct scim_user {
	char *id;		/* Alleo's id, used in /Users/{id} */
	char *external_id;	/* the HiBob employee id */
	char *user_name;	/* the work email */
	char *given_name;
	char *family_name;
	char *email;		/* primary (or first) emails[].value */
	int active;
	char *offboarding_date;	/* from the client's extension, may be NULL */
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
 * fails with BS_ERR_CONFLICT and says who holds the name).  A service that
 * refuses the externalId filter (400 invalidFilter) is asked by userName
 * only, from then on; without a user_name that is an error, never "not
 * found". */
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
/* PATCH /Users/{id} replacing every core attribute of spec (userName,
 * name, emails, externalId, active) and, when scim_extension_usable, each
 * extension attribute by its full path (one without a value is removed,
 * never set to null): an email change keeps the same account. */
bs_rc scim_update_user(struct scim_client *c, const char *id,
    const struct scim_user_spec *spec, struct bs_error *err);
/* PATCH active false or true; with a usable extension the offboarding date
 * is set with the deactivation and removed with a reactivation. */
bs_rc scim_set_active(struct scim_client *c, const char *id, int active,
    const char *offboarding_date, struct bs_error *err);

/* ---- the listing: Alleo's users read once per run ----
 *
 * RFC 7644 3.4.2.4 paging: startIndex is 1-based, count is what the client
 * asks for and the service may answer fewer (itemsPerPage); totalResults
 * is the size of the whole set.  targets-api.md B.4 confirms only the
 * filtered lookups, so every reading it leaves open is handled: a service
 * that caps count silently (the listing goes on from what really came), one
 * that refuses a count above its cap (the page is asked again with half),
 * one that refuses an unfiltered listing (an error: the caller looks people
 * up one by one as before).  The listing is trusted for an absence only when
 * it is complete: totalResults the same on every page and exactly that many
 * distinct users seen (a user on two pages means another was skipped). */

#define SCIM_PAGE_SIZE 100	/* users asked for per page */
#define SCIM_PAGE_MIN 10	/* halving a refused count stops here */

/* One ListResponse page.  total, start and per_page are -1 when absent. */
struct scim_page {
	struct scim_user *v;
	size_t n;
	long long total;	/* totalResults */
	long long start;	/* startIndex */
	long long per_page;	/* itemsPerPage */
};
bs_rc scim_parse_page(const char *json, size_t len, struct scim_page *out,
    struct bs_error *err);
void scim_page_clear(struct scim_page *p);
/* What an error answer (SCIM or OAuth) says, as shown in messages: its
 * detail or error_description, else the start of the body; masked, at
 * most 200 bytes, one line without control characters.  Caller frees. */
char *scim_error_text(const char *body, size_t len);

/* Users by Alleo id, with lookups by externalId and by case-folded userName.
 * Each keeps id, external_id, user_name and active (what a lookup needs). */
struct scim_index {
	struct scim_user *v;	/* distinct ids, in listing order */
	size_t n;
	void *by_id, *by_ext, *by_name;	/* hash tables (position in v) */
	int complete;		/* an absence can be trusted */
	long long total;	/* totalResults of the first page, -1 unknown */
	int total_changed;	/* totalResults moved during the listing */
	unsigned long pages;	/* list requests made (refused ones included) */
	unsigned long folded;	/* pages folded in */
	unsigned long repeats;	/* users seen again on a later page */
	char why[160];		/* why it is not complete, "" when it is */
};
void scim_index_init(struct scim_index *x);
void scim_index_clear(struct scim_index *x);
/* Add or replace (by id) one user; a copy is kept.  A create or an update
 * the run made goes in too, so later actions see it. */
void scim_index_put(struct scim_index *x, const struct scim_user *u);
/* Fold one page in (the paging rules above; tests feed pages directly).
 * Returns the number of users new to the index. */
size_t scim_index_add_page(struct scim_index *x, const struct scim_page *p);
/* Decide completeness once the last page is in. */
void scim_index_finish(struct scim_index *x);

/* Page through GET /Users (SCIM_PAGE_SIZE at a time) into *x.  max_pages
 * (0 = no limit) is what the listing may cost: once totalResults shows it
 * would take more, the listing stops and the index stays incomplete (its
 * users are still good matches).  On an error x keeps what was read and is
 * not complete. */
bs_rc scim_list_users(struct scim_client *c, unsigned long max_pages, struct scim_index *x,
    struct bs_error *err);

/* scim_find_user through the index: an externalId match in the index is
 * taken; when the index is complete a miss is final and userName is checked
 * in it too; otherwise Alleo is asked (scim_find_user).  x may be NULL.  A
 * user from the index has only the fields the index keeps. */
bs_rc scim_lookup(struct scim_client *c, const struct scim_index *x, const char *external_id,
    const char *user_name, struct scim_user *out, int *found, struct bs_error *err);

/* ---- SCIM Bulk (RFC 7644 3.7) ----
 *
 * Whether Alleo takes bulk requests is unconfirmed (targets-api.md B.4
 * documents none): it is used only when /ServiceProviderConfig says
 * bulk.supported with a maxOperations of 2 or more and a maxPayloadSize;
 * otherwise every write is one request as before.  A request carries at
 * most maxOperations operations and at most maxPayloadSize bytes, each
 * operation a bulkId ("b<index>"), failOnErrors unset (every operation is
 * tried).  A bulk the service refuses as a whole for its size (413, or 400
 * tooMany) applied nothing: it is split in halves and sent again. */

#define SCIM_BULK_REQUEST "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
#define SCIM_BULK_RESPONSE "urn:ietf:params:scim:api:messages:2.0:BulkResponse"

enum scim_bulk_kind {
	SCIM_BULK_CREATE,	/* POST /Users with spec */
	SCIM_BULK_DEACTIVATE	/* PATCH /Users/{id} active false (+ offboarding date) */
};

/* One operation and, once answered, its outcome. */
struct scim_bulk_op {
	enum scim_bulk_kind kind;
	const struct scim_user_spec *spec;	/* CREATE; borrowed */
	const char *id;				/* DEACTIVATE: Alleo's id; borrowed */
	const char *offboarding_date;		/* DEACTIVATE, may be NULL */
	/* outcome: status 0 = no answer for this operation (it may or may not
	 * have been applied, like a request whose answer was lost) */
	long status;		/* the operation's HTTP status */
	char *remote_id;	/* 2xx: the user's id (a create's from location) */
	char *scim_type;	/* an error's scimType, or NULL */
	char *detail;		/* an error's detail (masked, one line), or NULL */
	char *wire;		/* the operation as sent (internal) */
};
/* Frees the outcome and the wire text (not the borrowed fields). */
void scim_bulk_op_clear(struct scim_bulk_op *op);

/* The limits a bulk is built within. */
struct scim_bulk_limits {
	long max_ops;
	long max_payload;	/* bytes of the whole request body */
};
/* 1 and *lim set when bulk may be used (asks for the caps when needed). */
int scim_bulk_usable(struct scim_client *c, struct scim_bulk_limits *lim);

/* How many of ops[0..n) go in the next request (from ops[0], in order):
 * at most max_ops, the body within max_payload.  0 when ops[0] alone is
 * larger than max_payload (send it alone, not in bulk).  ext_urn is the
 * extension written (scim_extension_usable), or NULL.  Pure. */
size_t scim_bulk_fit(struct scim_bulk_op *ops, size_t n, const char *ext_urn,
    const struct scim_bulk_limits *lim);
/* The request body for ops[0..n) (bulkIds b0..b<n-1>); caller frees.
 * *len gets its length.  Pure. */
char *scim_bulk_body(struct scim_bulk_op *ops, size_t n, const char *ext_urn, size_t *len);
/* Map a BulkResponse onto ops[0..n): each operation is found by its bulkId,
 * else (an operation other than POST, which need not echo it) by a location
 * ending in /Users/{id}.  Each found operation gets status, remote_id (2xx),
 * scimType and detail (errors); one the answer does not mention keeps
 * status 0.  Not a BulkResponse: BS_ERR_PARSE, every status left 0.  Pure. */
bs_rc scim_bulk_parse(const char *json, size_t len, struct scim_bulk_op *ops, size_t n,
    struct bs_error *err);
/* POST /Bulk with ops[0..n) (which scim_bulk_fit allowed), outcomes set on
 * each.  A refusal for size (413, 400 tooMany) is split and sent again; a
 * single operation refused so keeps status 413.  Returns BS_OK when the
 * service answered (every operation's outcome is then its own); otherwise
 * the error of the request, every unanswered operation at status 0
 * (BS_ERR_AUTH and BS_ERR_FORBIDDEN: stop, as for a single request). */
bs_rc scim_bulk_send(struct scim_client *c, struct scim_bulk_op *ops, size_t n,
    struct bs_error *err);
/* Bulk requests sent by this client (tests and the run summary). */
unsigned long scim_bulk_requests(const struct scim_client *c);

#endif
