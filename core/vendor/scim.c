/* scim.c - SCIM 2.0 client for Alleo (RFC 7643/7644, targets-api.md B.4).
 *
 * Authentication is OAuth2 client credentials: POST token_url with
 * grant_type=client_credentials, the client id and secret each
 * form-urlencoded and then sent as HTTP Basic auth (RFC 6749 2.3.1); a
 * token endpoint that refuses Basic (401, or 400 invalid_client /
 * invalid_request) is asked once more with the credentials in the form
 * body, and that style is kept for the rest of the run.  The token is
 * kept in guarded memory until expires_in minus a
 * margin; a 401 from the SCIM API drops it and the request is sent once
 * more with a fresh one (a second 401 is an error: never a loop).
 *
 * Users are keyed by externalId (the HiBob employee id); userName (the work
 * email) is only a fallback for users created before they had one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "net/http.h"
#include "base/log.h"
#include "vendor/scim_int.h"
#include "base/util.h"

/* Answer caps (issue 17 item 9): a token answer is a few hundred bytes; a
 * SCIM page of users is well under a megabyte. */
#define SCIM_TOKEN_ANSWER_MAX	((size_t)64 << 10)
#define SCIM_ANSWER_MAX		((size_t)16 << 20)
#define SCIM_CT "application/scim+json"
#define SCIM_PATCH_OP "urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define SCIM_MAX_BODY_SHOWN 200
#define SCIM_TOKEN_MAX 8192		/* longer access tokens are refused */
#define SCIM_LIST_MAX 1000		/* Resources looked at in one answer */
/* Bulk requests are kept to what one answer (SCIM_ANSWER_MAX) can report
 * on and memory holds easily, whatever the service advertises: 1000
 * operations (RFC 7643 5's example) and 4 MiB. */
#define SCIM_BULK_OPS_MAX	1000L
#define SCIM_BULK_PAYLOAD_MAX	(4L << 20)

struct scim_client {
	struct http_client *http;	/* borrowed */
	char *base;			/* SCIM base URL without trailing slash */
	char *token_url;
	char *client_id;		/* sodium_malloc'd */
	char *client_secret;		/* sodium_malloc'd */
	char *token;			/* sodium_malloc'd, NULL when none */
	int64_t token_expires_ms;	/* monotonic */
	unsigned long token_fetches;
	int token_style;		/* 0 not yet, 1 Basic, 2 form body */
	int ext_filter_refused;		/* externalId filters answered invalidFilter */
	char *ext_urn;			/* the extension to write, NULL = none */
	int caps_asked;
	struct scim_caps caps;
	unsigned long bulk_requests;	/* POST /Bulk sent */
};

/* s form-urlencoded (RFC 6749 appendix B) in guarded memory. */
static char *
secure_form_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s ? s : ""), k = 0;
	char *d = sodium_malloc(3 * n + 1);

	if (d == NULL)
		abort();
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '*') {
			d[k++] = (char)*p;
		} else if (*p == ' ') {
			d[k++] = '+';
		} else {
			d[k++] = '%';
			d[k++] = hex[*p >> 4];
			d[k++] = hex[*p & 15];
		}
	}
	d[k] = '\0';
	return d;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
strip_slash(const char *url)
{
	char *s = xstrdup(url ? url : "");
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

struct scim_client *
scim_client_new(struct http_client *http, const char *scim_url, const char *token_url,
    const char *client_id, const char *client_secret)
{
	struct scim_client *c = xcalloc(1, sizeof *c);

	c->http = http;
	c->base = strip_slash(scim_url);
	c->token_url = xstrdup(token_url ? token_url : "");
	c->client_id = secret_dup(client_id);
	c->client_secret = secret_dup(client_secret);
	log_register_secret(c->client_secret);
	log_register_basic_auth(c->client_id, c->client_secret);
	{
		/* what goes on the wire (RFC 6749 2.3.1) is the escaped form */
		char *id = secure_form_escape(client_id), *sec = secure_form_escape(client_secret);
		log_register_secret(sec);
		log_register_basic_auth(id, sec);
		secret_free(&id);
		secret_free(&sec);
	}
	/* Alleo publishes no limit; stay well below what an IdP would send */
	http_set_pace(http, "alleo.scim", 600, 60000, 20);
	return c;
}

void
scim_client_free(struct scim_client **cp)
{
	struct scim_client *c;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	secret_free(&c->client_id);
	secret_free(&c->client_secret);
	secret_free(&c->token);
	free(c->base);
	free(c->token_url);
	free(c->ext_urn);
	free(c->caps.schema_ids);
	free(c);
	*cp = NULL;
}

void
scim_client_set_extension(struct scim_client *c, const char *urn)
{
	if (c == NULL)
		return;
	free(c->ext_urn);
	c->ext_urn = str_empty(urn) ? NULL : xstrdup(urn);
	c->caps_asked = 0;
	free(c->caps.schema_ids);
	memset(&c->caps, 0, sizeof c->caps);
}

const char *
scim_token_auth(const struct scim_client *c)
{
	if (c == NULL || c->token_style == 0)
		return NULL;
	return c->token_style == 1 ? "basic" : "body";
}

int
scim_external_id_filter_refused(const struct scim_client *c)
{
	return c != NULL && c->ext_filter_refused;
}

unsigned long
scim_token_fetches(const struct scim_client *c)
{
	return c ? c->token_fetches : 0;
}

void
scim_user_clear(struct scim_user *u)
{
	if (u == NULL)
		return;
	free(u->id);
	free(u->external_id);
	free(u->user_name);
	free(u->given_name);
	free(u->family_name);
	free(u->email);
	free(u->offboarding_date);
	memset(u, 0, sizeof *u);
}

/* The "detail" of a SCIM error body, masked and cut short; caller frees. */
static char *
error_detail(const struct http_response *resp)
{
	json_t *j;
	const char *d = NULL;
	char *out = NULL, *masked;

	if (resp == NULL || resp->body == NULL || resp->body_len == 0)
		return xstrdup("");
	j = json_loadb(resp->body, resp->body_len, 0, NULL);
	if (json_is_object(j))
		d = json_str(j, "detail");
	if (d == NULL && json_is_object(j))
		d = json_str(j, "error_description");
	if (d != NULL)
		out = xstrndup(d, SCIM_MAX_BODY_SHOWN);
	json_decref(j);
	if (out == NULL)
		out = xstrndup(resp->body, resp->body_len < SCIM_MAX_BODY_SHOWN ?
		    resp->body_len : SCIM_MAX_BODY_SHOWN);
	masked = log_mask(out);
	free(out);
	util_sanitize(masked, strlen(masked), masked, 0, NULL);	/* one line */
	return masked;
}

char *
scim_error_text(const char *body, size_t len)
{
	struct http_response r;

	memset(&r, 0, sizeof r);
	r.body = (char *)(uintptr_t)body;
	r.body_len = body != NULL ? len : 0;
	return error_detail(&r);
}

/* Whether a SCIM error body's scimType is type (RFC 7644 3.12). */
static int
scim_type_is(const struct http_response *resp, const char *type)
{
	json_t *j;
	int yes;

	if (resp == NULL || resp->body == NULL || resp->body_len == 0)
		return 0;
	j = json_loadb(resp->body, resp->body_len, 0, NULL);
	yes = json_is_object(j) && str_eq_ci(json_str(j, "scimType"), type);
	json_decref(j);
	return yes;
}

/* ---- the token ---- */

/* Whether a token answer refuses the way the credentials were sent (so the
 * other way is worth one try): 401, or 400 invalid_client/invalid_request
 * (RFC 6749 5.2). */
static int
token_style_refused(bs_rc rc, const struct http_response *resp)
{
	json_t *j;
	const char *e;
	int yes = 0;

	if (rc == BS_ERR_AUTH)
		return 1;
	if (rc != BS_ERR_HTTP || resp->status != 400)
		return 0;
	j = json_loadb(resp->body ? resp->body : "", resp->body_len, 0, NULL);
	e = json_is_object(j) ? json_str(j, "error") : NULL;
	yes = e == NULL || str_eq(e, "invalid_client") || str_eq(e, "invalid_request") ||
	    str_eq(e, "unauthorized_client");
	json_decref(j);
	return yes;
}

/* One token request: style 1 = HTTP Basic, 2 = form body. */
static bs_rc
token_request(struct scim_client *c, int style, struct http_response *resp,
    struct bs_error *err)
{
	static const char form[] = "grant_type=client_credentials";
	struct http_request req = { 0 };
	char *id = secure_form_escape(c->client_id);
	char *sec = secure_form_escape(c->client_secret);
	char *body = NULL;
	size_t blen = 0;
	bs_rc rc;

	req.method = "POST";
	req.url = c->token_url;
	req.content_type = "application/x-www-form-urlencoded";
	req.accept = "application/json";
	if (style == 1) {
		req.body = form;
		req.body_len = sizeof form - 1;
		req.username = id;
		req.password = sec;
	} else {
		blen = sizeof form - 1 + strlen(id) + strlen(sec) + 32;
		body = sodium_malloc(blen);
		if (body == NULL)
			abort();
		snprintf(body, blen, "%s&client_id=%s&client_secret=%s", form, id, sec);
		req.body = body;
		req.body_len = strlen(body);
	}
	req.pace_class = "alleo.token";
	req.max_body = SCIM_TOKEN_ANSWER_MAX;
	req.secret_answer = 1;
	/* asking for a token changes nothing at Alleo: a 5xx, a timeout, a reset
	 * or a cut answer is retried like a read */
	req.idempotent = 1;
	rc = http_send(c->http, &req, resp, err);
	c->token_fetches++;
	if (body != NULL) {
		sodium_memzero(body, blen);
		sodium_free(body);
	}
	secret_free(&id);
	secret_free(&sec);
	return rc;
}

static bs_rc
fetch_token(struct scim_client *c, struct bs_error *err)
{
	struct http_response resp = { 0 };
	json_t *j = NULL;
	const char *tok, *type;
	long long expires = 3600;
	int64_t margin;
	int style = c->token_style == 0 ? 1 : c->token_style;
	bs_rc rc;

	secret_free(&c->token);
	rc = token_request(c, style, &resp, err);
	if (c->token_style == 0 && token_style_refused(rc, &resp)) {
		/* RFC 6749 2.3.1 lets a server take the credentials in the body
		 * instead: try that once */
		char *d = error_detail(&resp);
		log_info("Alleo's token endpoint refused the client credentials by HTTP Basic "
		    "(HTTP %ld%s%s); sending them in the form body instead", resp.status,
		    *d ? ": " : "", d);
		free(d);
		bs_error_clear(err);
		http_response_clear(&resp);
		style = 2;
		rc = token_request(c, style, &resp, err);
	}
	if (rc == BS_OK)
		c->token_style = style;
	if (rc == BS_ERR_AUTH || (rc == BS_ERR_HTTP && resp.status == 400)) {
		char *d = error_detail(&resp);
		rc = bs_fail(err, BS_ERR_AUTH, "Alleo refused the client id or secret (HTTP %ld%s%s): "
		    "check them with Alleo support and store them again with "
		    "'bobsync credentials set alleo'", resp.status, *d ? ": " : "", d);
		free(d);
		goto out;
	}
	if (rc != BS_OK) {
		bs_error_prefix(err, "getting an Alleo sign-in token");
		goto out;
	}
	j = util_json_parse(resp.body, resp.body_len, "the Alleo token answer", err);
	if (j == NULL) {
		rc = BS_ERR_PARSE;
		goto out;
	}
	tok = json_str(j, "access_token");
	type = json_str(j, "token_type");
	if (str_empty(tok) || strlen(tok) > SCIM_TOKEN_MAX) {
		rc = bs_fail(err, BS_ERR_PARSE, "the Alleo token answer has no usable access_token");
		goto out;
	}
	if (type != NULL && !str_eq_ci(type, "bearer")) {
		rc = bs_fail(err, BS_ERR_PARSE, "Alleo issued a '%.32s' token; only Bearer is supported",
		    type);
		goto out;
	}
	if (json_int(j, "expires_in", &expires) != 0 || expires <= 0)
		expires = 3600;
	if (expires > 86400 * 30)
		expires = 86400 * 30;
	/* refresh a little early: a fifth of the lifetime, at most 60 s */
	margin = expires / 5 < 60 ? expires / 5 : 60;
	c->token = secret_dup(tok);
	log_register_secret(c->token);
	c->token_expires_ms = mono_ms() + (expires - margin) * 1000;
	/* Jansson's copy is freed without being zeroed: zero it first */
	sodium_memzero((char *)(uintptr_t)tok, strlen(tok));
out:
	json_decref(j);
	http_response_wipe(&resp);
	return rc;
}

static bs_rc
ensure_token(struct scim_client *c, struct bs_error *err)
{
	if (c->token != NULL && mono_ms() < c->token_expires_ms)
		return BS_OK;
	return fetch_token(c, err);
}

bs_rc
scim_token(struct scim_client *c, struct bs_error *err)
{
	if (c == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no SCIM client");
	return ensure_token(c, err);
}

/* One SCIM call with the token; a 401 refreshes it and tries once more.
 * path starts with '/'. */
static bs_rc
scim_call(struct scim_client *c, const char *method, const char *path, const char *body,
    const long *accept, size_t naccept, struct http_response *resp, struct bs_error *err)
{
	struct http_request req = { 0 };
	char *url = xasprintf("%s%s", c->base, path);
	bs_rc rc;

	for (int attempt = 0; attempt < 2; attempt++) {
		rc = ensure_token(c, err);
		if (rc != BS_OK) {
			/* the token endpoint's own detail says what to fix */
			free(url);
			return rc;
		}
		memset(&req, 0, sizeof req);
		req.method = method;
		req.url = url;
		req.body = body;
		req.body_len = body ? strlen(body) : 0;
		req.content_type = body ? SCIM_CT : NULL;
		req.accept = SCIM_CT;
		req.bearer = c->token;
		req.pace_class = "alleo.scim";
		req.max_body = SCIM_ANSWER_MAX;
		/* replacing values is idempotent; a create is not */
		req.idempotent = strcmp(method, "POST") != 0;
		req.accept_status = accept;
		req.naccept_status = naccept;
		http_response_clear(resp);
		rc = http_send(c->http, &req, resp, err);
		if (rc != BS_ERR_AUTH || attempt == 1)
			break;
		log_info("Alleo answered 401; getting a new token and trying once more");
		secret_free(&c->token);
	}
	if (rc == BS_ERR_AUTH) {
		bs_fail(err, rc, "Alleo did not accept the sign-in for %s %s, even with a fresh "
		    "token: check the client id and secret with Alleo support, then store them "
		    "again (in the console press k on the dashboard, or run 'bobsync credentials "
		    "set alleo')", method,
		    path);
	} else if (rc == BS_ERR_FORBIDDEN) {
		char *d = error_detail(resp);
		bs_fail(err, rc, "Alleo refused %s %s%s%s: the client lacks the right to "
		    "manage users (ask Alleo support to grant it)", method, path, *d ? ": " : "", d);
		free(d);
	} else if (rc == BS_ERR_HTTP || rc == BS_ERR_REMOTE || rc == BS_ERR_CONFLICT ||
	    rc == BS_ERR_NOT_FOUND) {
		char *d = error_detail(resp);
		bs_fail(err, rc, "Alleo answered %s %s with HTTP %ld%s%s", method, path,
		    resp->status, *d ? ": " : "", d);
		free(d);
	} else if (rc != BS_OK && rc != BS_ERR_CANCELLED) {
		/* a timeout, a dropped or cut answer: say which service */
		bs_error_prefix(err, "Alleo");
	}
	free(url);
	return rc;
}

/* ---- users ---- */

char *
scim_filter_eq(const char *attr, const char *value)
{
	struct strbuf sb;

	sb_init(&sb, 0);
	sb_printf(&sb, "%s eq \"", attr ? attr : "");
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_append(&sb, "\\", 1);
		sb_append(&sb, p, 1);
	}
	sb_puts(&sb, "\"");
	return sb_detach(&sb);
}

static char *
dup_str(const json_t *o, const char *key)
{
	const char *s = json_str(o, key);
	return s ? xstrdup(s) : NULL;
}

static bs_rc
parse_user(const json_t *o, const char *ext_urn, struct scim_user *u, struct bs_error *err)
{
	const json_t *name, *emails, *ext, *act;
	size_t i;
	json_t *e;

	memset(u, 0, sizeof *u);
	if (!json_is_object(o))
		return bs_fail(err, BS_ERR_PARSE, "Alleo returned a user that is not an object");
	u->id = json_id_dup(json_object_get(o, "id"));
	if (str_empty(u->id)) {
		scim_user_clear(u);
		return bs_fail(err, BS_ERR_PARSE, "Alleo returned a user without an id");
	}
	u->external_id = json_id_dup(json_object_get(o, "externalId"));
	u->user_name = dup_str(o, "userName");
	name = json_object_get(o, "name");
	if (json_is_object(name)) {
		u->given_name = dup_str(name, "givenName");
		u->family_name = dup_str(name, "familyName");
	}
	emails = json_object_get(o, "emails");
	if (json_is_array(emails)) {
		json_array_foreach(emails, i, e) {
			const char *v = json_str(e, "value");
			if (v == NULL)
				continue;
			if (u->email == NULL || json_is_true(json_object_get(e, "primary"))) {
				free(u->email);
				u->email = xstrdup(v);
			}
		}
	}
	act = json_object_get(o, "active");
	/* RFC 7643: active absent means the service does not say; treat as active */
	u->active = act == NULL || json_is_true(act) ||
	    (json_is_string(act) && str_eq_ci(json_string_value(act), "true"));
	ext = ext_urn ? json_object_get(o, ext_urn) : NULL;
	if (json_is_object(ext))
		u->offboarding_date = dup_str(ext, "offboardingDate");
	return BS_OK;
}

static void
users_free(struct scim_user *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scim_user_clear(&v[i]);
	free(v);
}

/* totalResults, startIndex or itemsPerPage; -1 when absent or not a
 * non-negative integer. */
static long long
list_number(const json_t *j, const char *key)
{
	long long v;

	if (json_int(j, key, &v) != 0 || v < 0)
		return -1;
	return v;
}

bs_rc
scim_parse_page(const char *json, size_t len, struct scim_page *out, struct bs_error *err)
{
	json_t *j, *res, *e;
	size_t i;
	bs_rc rc = BS_OK;

	memset(out, 0, sizeof *out);
	out->total = out->start = out->per_page = -1;
	j = util_json_parse(json, len, "the Alleo user list", err);
	if (j == NULL)
		return BS_ERR_PARSE;
	if (json_is_object(j)) {
		out->total = list_number(j, "totalResults");
		out->start = list_number(j, "startIndex");
		out->per_page = list_number(j, "itemsPerPage");
	}
	res = json_is_object(j) ? json_object_get(j, "Resources") : NULL;
	if (res == NULL) {
		/* RFC 7644 allows leaving Resources out when nothing matched */
		if (out->total == 0)
			goto out;
		rc = bs_fail(err, BS_ERR_PARSE, "the Alleo user list has no Resources");
		goto out;
	}
	if (!json_is_array(res)) {
		rc = bs_fail(err, BS_ERR_PARSE, "the Alleo user list has no Resources array");
		goto out;
	}
	if (json_array_size(res) > SCIM_LIST_MAX) {
		rc = bs_fail(err, BS_ERR_TOO_LARGE, "Alleo returned %zu users in one answer",
		    json_array_size(res));
		goto out;
	}
	out->v = xcalloc(json_array_size(res) + 1, sizeof *out->v);
	json_array_foreach(res, i, e) {
		rc = parse_user(e, NULL, &out->v[out->n], err);
		if (rc != BS_OK)
			break;
		out->n++;
	}
out:
	if (rc != BS_OK)
		scim_page_clear(out);
	json_decref(j);
	return rc;
}

void
scim_page_clear(struct scim_page *p)
{
	if (p == NULL)
		return;
	users_free(p->v, p->n);
	p->v = NULL;
	p->n = 0;
}

bs_rc
scim_parse_users(const char *json, size_t len, struct scim_user **out, size_t *n,
    struct bs_error *err)
{
	struct scim_page p;
	bs_rc rc = scim_parse_page(json, len, &p, err);

	*out = p.v;
	*n = p.n;
	return rc;
}

bs_rc
scim_parse_user(const char *json, size_t len, struct scim_user *out, struct bs_error *err)
{
	json_t *j;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	j = util_json_parse(json, len, "the Alleo user", err);
	if (j == NULL)
		return BS_ERR_PARSE;
	rc = parse_user(j, NULL, out, err);
	json_decref(j);
	return rc;
}

/* Users of a ListResponse; *out caller frees with users_free. */
/* *bad_filter (may be NULL) is set when the service refused the filter
 * itself (400 invalidFilter, RFC 7644 3.4.2.2). */
static bs_rc
list_users(struct scim_client *c, const char *filter, struct scim_user **out, size_t *n,
    int *bad_filter, struct bs_error *err)
{
	struct http_response resp = { 0 };
	char *esc = url_escape(filter), *path;
	bs_rc rc;

	*out = NULL;
	*n = 0;
	if (bad_filter != NULL)
		*bad_filter = 0;
	path = xasprintf("/Users?filter=%s&startIndex=1&count=10", esc);
	rc = scim_call(c, "GET", path, NULL, NULL, 0, &resp, err);
	if (rc == BS_OK)
		rc = scim_parse_users(resp.body, resp.body_len, out, n, err);
	else if (bad_filter != NULL && rc == BS_ERR_HTTP && resp.status == 400 &&
	    scim_type_is(&resp, "invalidFilter"))
		*bad_filter = 1;
	http_response_clear(&resp);
	free(path);
	free(esc);
	return rc;
}

/* Take v[k] into out, leaving the list to be freed. */
static void
take(struct scim_user *v, size_t k, struct scim_user *out)
{
	*out = v[k];
	memset(&v[k], 0, sizeof v[k]);
}

static bs_rc
name_taken(struct bs_error *err, const char *user_name, const struct scim_user *holder)
{
	return bs_fail(err, BS_ERR_CONFLICT, "Alleo already has %s as the user name of another "
	    "person (HiBob id %s, Alleo id %s)", user_name, holder->external_id, holder->id);
}

bs_rc
scim_find_user(struct scim_client *c, const char *external_id, const char *user_name,
    struct scim_user *out, int *found, struct bs_error *err)
{
	struct scim_user *v = NULL;
	size_t n = 0, k;
	char *f;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	*found = 0;
	if (c == NULL || (str_empty(external_id) && str_empty(user_name)))
		return bs_fail(err, BS_ERR_INVALID, "no externalId or userName to look up");
	if (!str_empty(external_id) && !c->ext_filter_refused) {
		int bad = 0;

		f = scim_filter_eq("externalId", external_id);
		rc = list_users(c, f, &v, &n, &bad, err);
		free(f);
		if (rc != BS_OK && bad) {
			/* RFC 7644 makes no attribute filterable; Entra-style services
			 * take userName only: ask by that from now on */
			log_info("Alleo refused a filter on externalId (%s); looking people up by "
			    "userName instead", bs_error_text(err));
			bs_error_clear(err);
			c->ext_filter_refused = 1;
		} else if (rc != BS_OK) {
			return rc;
		}
	}
	if (!str_empty(external_id) && !c->ext_filter_refused) {
		/* trust only an exact match: a lenient server may do more */
		for (k = 0; k < n; k++)
			if (str_eq(v[k].external_id, external_id))
				break;
		if (k < n) {
			take(v, k, out);
			*found = 1;
		}
		users_free(v, n);
		if (*found)
			return BS_OK;
	}
	if (str_empty(user_name)) {
		if (c->ext_filter_refused && !str_empty(external_id))
			return bs_fail(err, BS_ERR_REMOTE, "Alleo refuses lookups by HiBob id, "
			    "and %s has no email to look up by instead", external_id);
		return BS_OK;
	}
	f = scim_filter_eq("userName", user_name);
	rc = list_users(c, f, &v, &n, NULL, err);
	free(f);
	if (rc != BS_OK)
		return rc;
	for (k = 0; k < n; k++)
		if (str_eq_ci(v[k].user_name, user_name))
			break;
	if (k < n) {
		if (!str_empty(v[k].external_id) && !str_empty(external_id) &&
		    !str_eq(v[k].external_id, external_id)) {
			rc = name_taken(err, user_name, &v[k]);
		} else {
			take(v, k, out);
			*found = 1;
		}
	}
	users_free(v, n);
	return rc;
}

/* ---- the listing and its index ---- */

static void
user_copy(struct scim_user *dst, const struct scim_user *src)
{
	dst->id = xstrdup(src->id);
	dst->external_id = xstrdup(src->external_id);
	dst->user_name = xstrdup(src->user_name);
	dst->given_name = xstrdup(src->given_name);
	dst->family_name = xstrdup(src->family_name);
	dst->email = xstrdup(src->email);
	dst->active = src->active;
	dst->offboarding_date = xstrdup(src->offboarding_date);
}

void
scim_index_init(struct scim_index *x)
{
	memset(x, 0, sizeof *x);
	/* Jansson's objects are the hash tables: key -> position in v */
	x->by_id = json_object();
	x->by_ext = json_object();
	x->by_name = json_object();
	x->total = -1;
}

void
scim_index_clear(struct scim_index *x)
{
	if (x == NULL)
		return;
	users_free(x->v, x->n);
	json_decref(x->by_id);
	json_decref(x->by_ext);
	json_decref(x->by_name);
	memset(x, 0, sizeof *x);
}

/* The user under key in map, or NULL. */
static const struct scim_user *
index_get(const struct scim_index *x, void *map, const char *key)
{
	json_t *v;

	if (x == NULL || map == NULL || str_empty(key))
		return NULL;
	v = json_object_get(map, key);
	if (!json_is_integer(v) || (size_t)json_integer_value(v) >= x->n)
		return NULL;
	return &x->v[json_integer_value(v)];
}

/* Point key at pos unless another user already holds it (the first listed
 * keeps a name or externalId that two users share). */
static void
index_key(const struct scim_index *x, void *map, const char *key, size_t pos)
{
	const struct scim_user *had = index_get(x, map, key);

	if (str_empty(key) || (had != NULL && had != &x->v[pos]))
		return;
	json_object_set_new(map, key, json_integer((json_int_t)pos));
}

/* Drop key when it points at pos. */
static void
index_unkey(const struct scim_index *x, void *map, const char *key, size_t pos)
{
	if (index_get(x, map, key) == &x->v[pos])
		json_object_del(map, key);
}

static void
index_store(struct scim_index *x, const struct scim_user *u, int *was_new)
{
	const struct scim_user *had = index_get(x, x->by_id, u->id);
	char *name;
	size_t pos;

	*was_new = had == NULL;
	if (had != NULL) {
		pos = (size_t)(had - x->v);
		name = str_lower_dup(had->user_name);
		index_unkey(x, x->by_ext, had->external_id, pos);
		index_unkey(x, x->by_name, name, pos);
		free(name);
		scim_user_clear(&x->v[pos]);
	} else {
		pos = x->n;
		x->v = xreallocarray(x->v, x->n + 1, sizeof *x->v);
		x->n++;
		json_object_set_new(x->by_id, u->id, json_integer((json_int_t)pos));
	}
	/* what a lookup needs; names and dates are not kept (100,000 users) */
	memset(&x->v[pos], 0, sizeof x->v[pos]);
	x->v[pos].id = xstrdup(u->id);
	x->v[pos].external_id = xstrdup(u->external_id);
	x->v[pos].user_name = xstrdup(u->user_name);
	x->v[pos].active = u->active;
	name = str_lower_dup(u->user_name);
	index_key(x, x->by_ext, u->external_id, pos);
	index_key(x, x->by_name, name, pos);
	free(name);
}

void
scim_index_put(struct scim_index *x, const struct scim_user *u)
{
	int was_new;

	if (x == NULL || u == NULL || str_empty(u->id))
		return;
	index_store(x, u, &was_new);
}

size_t
scim_index_add_page(struct scim_index *x, const struct scim_page *p)
{
	size_t added = 0;
	int was_new;

	if (x->folded++ == 0)
		x->total = p->total;
	else if (p->total != x->total)
		x->total_changed = 1;
	for (size_t i = 0; i < p->n; i++) {
		index_store(x, &p->v[i], &was_new);
		if (was_new)
			added++;
		else
			x->repeats++;
	}
	return added;
}

void
scim_index_finish(struct scim_index *x)
{
	x->complete = 0;
	if (x->why[0] != '\0')
		return;
	if (x->total < 0)
		snprintf(x->why, sizeof x->why, "Alleo's list has no totalResults");
	else if (x->total_changed)
		snprintf(x->why, sizeof x->why, "the number of users changed during the listing");
	else if (x->repeats > 0)
		snprintf(x->why, sizeof x->why, "%lu user%s came on two pages (so others may have "
		    "been skipped)", x->repeats, x->repeats == 1 ? "" : "s");
	else if ((long long)x->n != x->total)
		snprintf(x->why, sizeof x->why, "%zu users listed of the %lld Alleo counts", x->n,
		    x->total);
	else
		x->complete = 1;
}

/* One pass over the pages; a pass that ends for a reason worth a second
 * try (the set moved under it) says so in *again. */
static bs_rc
list_pass(struct scim_client *c, unsigned long max_pages, struct scim_index *x, int *again,
    struct bs_error *err)
{
	long long start = 1;
	int count = SCIM_PAGE_SIZE;
	bs_rc rc = BS_OK;

	*again = 0;
	for (;;) {
		struct http_response resp = { 0 };
		struct scim_page page;
		char *path;
		size_t added;

		if (max_pages > 0 && x->pages >= max_pages) {
			snprintf(x->why, sizeof x->why, "the listing was stopped after %lu requests",
			    x->pages);
			break;
		}
		path = xasprintf("/Users?startIndex=%lld&count=%d", start, count);
		rc = scim_call(c, "GET", path, NULL, NULL, 0, &resp, err);
		free(path);
		x->pages++;
		if (rc == BS_ERR_HTTP && resp.status == 400 && count > SCIM_PAGE_MIN &&
		    !scim_type_is(&resp, "invalidFilter")) {
			/* a service that refuses a count above its cap: ask for less */
			count = count / 2 < SCIM_PAGE_MIN ? SCIM_PAGE_MIN : count / 2;
			log_info("Alleo refused a page of users (%s); asking for %d at a time",
			    bs_error_text(err), count);
			bs_error_clear(err);
			http_response_clear(&resp);
			continue;
		}
		if (rc == BS_OK)
			rc = scim_parse_page(resp.body, resp.body_len, &page, err);
		http_response_clear(&resp);
		if (rc != BS_OK) {
			snprintf(x->why, sizeof x->why, "the listing failed: %.120s", bs_error_text(err));
			break;
		}
		added = scim_index_add_page(x, &page);
		start += (long long)page.n;
		if (page.n == 0 || (page.total >= 0 && start > page.total)) {
			/* the end; a short answer is not (RFC 7644 lets a service send
			 * fewer than asked) */
			scim_page_clear(&page);
			break;
		}
		if (added == 0) {
			/* a service that ignores startIndex would loop forever */
			snprintf(x->why, sizeof x->why, "a page of the listing brought no new user");
			scim_page_clear(&page);
			break;
		}
		if (max_pages > 0 && page.total >= 0) {
			unsigned long long left = (unsigned long long)(page.total - start + 1);
			unsigned long long more = (left + page.n - 1) / page.n;
			if (x->pages + more > max_pages) {
				snprintf(x->why, sizeof x->why, "listing all %lld users would take %llu more "
				    "requests than looking them up", page.total,
				    x->pages + more - max_pages);
				scim_page_clear(&page);
				break;
			}
		}
		scim_page_clear(&page);
	}
	scim_index_finish(x);
	*again = rc == BS_OK && (x->total_changed || x->repeats > 0);
	return rc;
}

bs_rc
scim_list_users(struct scim_client *c, unsigned long max_pages, struct scim_index *x,
    struct bs_error *err)
{
	int again = 0;
	bs_rc rc;

	if (c == NULL || x == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no SCIM client");
	rc = list_pass(c, max_pages, x, &again, err);
	if (again) {
		/* the set moved under the listing: read it once more from scratch */
		unsigned long pages = x->pages;

		log_info("Alleo's users moved during the listing (%s); listing them again", x->why);
		scim_index_clear(x);
		scim_index_init(x);
		x->pages = pages;
		rc = list_pass(c, max_pages, x, &again, err);
	}
	if (!x->complete)
		log_info("the list of Alleo users is not complete (%s): a person it lacks is looked "
		    "up on its own", x->why);
	return rc;
}

bs_rc
scim_lookup(struct scim_client *c, const struct scim_index *x, const char *external_id,
    const char *user_name, struct scim_user *out, int *found, struct bs_error *err)
{
	const struct scim_user *u;
	char *name;

	memset(out, 0, sizeof *out);
	*found = 0;
	u = index_get(x, x ? x->by_ext : NULL, external_id);
	if (u == NULL && x != NULL && x->complete && !str_empty(user_name)) {
		name = str_lower_dup(user_name);
		u = index_get(x, x->by_name, name);
		free(name);
		if (u != NULL && !str_empty(u->external_id) && !str_empty(external_id) &&
		    !str_eq(u->external_id, external_id))
			return name_taken(err, user_name, u);
	}
	if (u != NULL) {
		user_copy(out, u);
		*found = 1;
		return BS_OK;
	}
	if (x != NULL && x->complete)
		return BS_OK;
	return scim_find_user(c, external_id, user_name, out, found, err);
}

bs_rc
scim_get_user(struct scim_client *c, const char *id, struct scim_user *out,
    struct bs_error *err)
{
	struct http_response resp = { 0 };
	char *esc, *path;
	json_t *j;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	if (c == NULL || str_empty(id))
		return bs_fail(err, BS_ERR_INVALID, "no Alleo user id");
	esc = url_escape(id);
	path = xasprintf("/Users/%s", esc);
	rc = scim_call(c, "GET", path, NULL, NULL, 0, &resp, err);
	if (rc == BS_OK) {
		j = util_json_parse(resp.body, resp.body_len, "the Alleo user", err);
		rc = j ? parse_user(j, c->ext_urn, out, err) : BS_ERR_PARSE;
		json_decref(j);
	}
	http_response_clear(&resp);
	free(path);
	free(esc);
	return rc;
}

/* ---- what the service lists ---- */

/* bulk: {supported, maxOperations, maxPayloadSize} (RFC 7643 5); a limit
 * that is not a positive integer counts as not given. */
static void
caps_bulk(const json_t *b, struct scim_caps *k)
{
	const json_t *s = json_object_get(b, "supported");
	long long v;

	k->bulk = json_is_boolean(s) ? json_is_true(s) : -1;
	if (json_int(b, "maxOperations", &v) == 0 && v > 0)
		k->bulk_max_ops = v > SCIM_BULK_OPS_MAX ? SCIM_BULK_OPS_MAX : (long)v;
	if (json_int(b, "maxPayloadSize", &v) == 0 && v > 0)
		k->bulk_max_payload = v > SCIM_BULK_PAYLOAD_MAX ? SCIM_BULK_PAYLOAD_MAX : (long)v;
}

static void
caps_config(struct scim_client *c, struct scim_caps *k)
{
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	json_t *j = NULL, *f, *p;

	if (scim_call(c, "GET", "/ServiceProviderConfig", NULL, NULL, 0, &resp, &err) == BS_OK)
		j = json_loadb(resp.body ? resp.body : "", resp.body_len, 0, NULL);
	if (json_is_object(j)) {
		k->config_read = 1;
		f = json_object_get(json_object_get(j, "filter"), "supported");
		p = json_object_get(json_object_get(j, "patch"), "supported");
		k->filter = json_is_boolean(f) ? json_is_true(f) : -1;
		k->patch = json_is_boolean(p) ? json_is_true(p) : -1;
		caps_bulk(json_object_get(j, "bulk"), k);
	} else {
		snprintf(k->why, sizeof k->why, "/ServiceProviderConfig: %.150s",
		    err.rc != BS_OK ? bs_error_text(&err) : "not a JSON object");
	}
	json_decref(j);
	http_response_clear(&resp);
}

static void
caps_schemas(struct scim_client *c, struct scim_caps *k)
{
	struct http_response resp = { 0 };
	struct bs_error err = { 0 };
	struct strbuf sb;
	json_t *j = NULL, *res, *e;
	size_t i;
	size_t used = strlen(k->why);

	sb_init(&sb, 0);
	sb_append(&sb, "", 0);
	if (scim_call(c, "GET", "/Schemas", NULL, NULL, 0, &resp, &err) == BS_OK)
		j = json_loadb(resp.body ? resp.body : "", resp.body_len, 0, NULL);
	/* a ListResponse (RFC 7644 4); a bare array is read too */
	res = json_is_array(j) ? j : json_object_get(j, "Resources");
	if (json_is_array(res)) {
		k->schemas_read = 1;
		json_array_foreach(res, i, e) {
			const char *id = json_str(e, "id");
			if (str_empty(id) || i >= SCIM_LIST_MAX)
				continue;
			if (sb.len > 0)
				sb_puts(&sb, ",");
			sb_puts(&sb, id);
			if (str_eq(id, SCIM_CORE_USER))
				k->core_user = 1;
			if (str_eq(id, SCIM_ENTERPRISE_USER))
				k->enterprise = 1;
			if (c->ext_urn != NULL && str_eq(id, c->ext_urn))
				k->extension = 1;
		}
	} else if (used < sizeof k->why - 1) {
		snprintf(k->why + used, sizeof k->why - used, "%s/Schemas: %.150s",
		    used ? "; " : "", err.rc != BS_OK ? bs_error_text(&err) : "no list of schemas");
	}
	k->schema_ids = sb_detach(&sb);
	json_decref(j);
	http_response_clear(&resp);
}

const struct scim_caps *
scim_caps_get(struct scim_client *c)
{
	if (c == NULL)
		return NULL;
	if (!c->caps_asked) {
		c->caps_asked = 1;
		free(c->caps.schema_ids);
		memset(&c->caps, 0, sizeof c->caps);
		c->caps.filter = c->caps.patch = -1;
		caps_config(c, &c->caps);
		caps_schemas(c, &c->caps);
		if (c->ext_urn != NULL && !c->caps.extension)
			log_warn("alleo.scim_extension names %s, which Alleo's SCIM service does not "
			    "list in /Schemas%s%s: dates and budgets are not sent", c->ext_urn,
			    c->caps.why[0] ? ": " : "", c->caps.why);
	}
	return &c->caps;
}

const char *
scim_extension_usable(struct scim_client *c)
{
	if (c == NULL || c->ext_urn == NULL)
		return NULL;
	return scim_caps_get(c)->extension ? c->ext_urn : NULL;
}

/* The extension's attributes that have a value (nothing is sent as null). */
static json_t *
ext_object(const struct scim_user_spec *s)
{
	json_t *ext = json_object(), *b = NULL;

	if (s->onboarding_date != NULL)
		json_object_set_new(ext, "onboardingDate", json_string(s->onboarding_date));
	if (s->termination_date != NULL)
		json_object_set_new(ext, "terminationDate", json_string(s->termination_date));
	if (s->offboarding_date != NULL)
		json_object_set_new(ext, "offboardingDate", json_string(s->offboarding_date));
	if (s->budgets_json != NULL)
		b = json_loads(s->budgets_json, 0, NULL);
	if (json_is_object(b) && json_object_size(b) > 0)
		json_object_set_new(ext, "budgets", b);
	else
		json_decref(b);
	return ext;
}

static json_t *
emails_array(const char *email)
{
	json_t *a = json_array(), *e = json_object();

	json_object_set_new(e, "value", json_string(email));
	json_object_set_new(e, "type", json_string("work"));
	json_object_set_new(e, "primary", json_true());
	json_array_append_new(a, e);
	return a;
}

static json_t *
name_object(const struct scim_user_spec *s)
{
	json_t *n = json_object();

	json_object_set_new(n, "givenName", json_string(s->given_name ? s->given_name : ""));
	json_object_set_new(n, "familyName", json_string(s->family_name ? s->family_name : ""));
	return n;
}

static bs_rc
check_spec(const struct scim_user_spec *s, struct bs_error *err)
{
	if (s == NULL || str_empty(s->external_id) || str_empty(s->user_name))
		return bs_fail(err, BS_ERR_INVALID, "an Alleo user needs an externalId and an email");
	if (s->budgets_json != NULL) {
		json_t *b = json_loads(s->budgets_json, 0, NULL);
		int ok = json_is_object(b);
		json_decref(b);
		if (!ok)
			return bs_fail(err, BS_ERR_INVALID, "budgets must be a JSON object");
	}
	return BS_OK;
}

/* The User resource a create sends (ext: the extension written, or NULL). */
static json_t *
user_object(const struct scim_user_spec *spec, const char *ext)
{
	json_t *body = json_object(), *schemas = json_array();

	json_array_append_new(schemas, json_string(SCIM_CORE_USER));
	if (ext != NULL)
		json_array_append_new(schemas, json_string(ext));
	json_object_set_new(body, "schemas", schemas);
	json_object_set_new(body, "userName", json_string(spec->user_name));
	json_object_set_new(body, "externalId", json_string(spec->external_id));
	json_object_set_new(body, "name", name_object(spec));
	json_object_set_new(body, "emails", emails_array(spec->user_name));
	json_object_set_new(body, "active", json_boolean(spec->active));
	if (ext != NULL)
		json_object_set_new(body, ext, ext_object(spec));
	return body;
}

static int
is_uniqueness_conflict(bs_rc rc, const struct http_response *resp)
{
	if (rc == BS_ERR_CONFLICT || resp->status == 409)
		return 1;
	/* some services answer 400 with scimType uniqueness */
	return resp->status == 400 && scim_type_is(resp, "uniqueness");
}

bs_rc
scim_create_user(struct scim_client *c, const struct scim_user_spec *spec,
    struct scim_user *out, int *linked, struct bs_error *err)
{
	struct http_response resp = { 0 };
	json_t *body = NULL, *j = NULL;
	const char *ext;
	char *text = NULL;
	int found = 0;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	if (linked != NULL)
		*linked = 0;
	if (c == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no SCIM client");
	rc = check_spec(spec, err);
	if (rc != BS_OK)
		return rc;
	ext = scim_extension_usable(c);
	body = user_object(spec, ext);
	text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	rc = scim_call(c, "POST", "/Users", text, NULL, 0, &resp, err);
	if (rc == BS_OK) {
		j = util_json_parse(resp.body, resp.body_len, "the created Alleo user", err);
		rc = j ? parse_user(j, c->ext_urn, out, err) : BS_ERR_PARSE;
		goto out;
	}
	if (!is_uniqueness_conflict(rc, &resp))
		goto out;
	/* the user exists (an earlier run was cut off after Alleo created it,
	 * or someone added it by hand): find it and link, never duplicate */
	log_info("Alleo says %s already exists; looking it up to link it", spec->external_id);
	bs_error_clear(err);
	rc = scim_find_user(c, spec->external_id, spec->user_name, out, &found, err);
	if (rc != BS_OK)
		goto out;
	if (!found) {
		rc = bs_fail(err, BS_ERR_CONFLICT, "Alleo refused to create %s as a duplicate, but no "
		    "user with that HiBob id or email can be found", spec->user_name);
		goto out;
	}
	rc = scim_update_user(c, out->id, spec, err);
	if (rc == BS_OK && linked != NULL)
		*linked = 1;
out:
	if (rc != BS_OK)
		scim_user_clear(out);
	json_decref(j);
	json_decref(body);
	free(text);
	http_response_clear(&resp);
	return rc;
}

/* A PatchOp message with ops (taken). */
static json_t *
patch_message(json_t *ops)
{
	json_t *body = json_object(), *schemas = json_array();

	json_array_append_new(schemas, json_string(SCIM_PATCH_OP));
	json_object_set_new(body, "schemas", schemas);
	json_object_set_new(body, "Operations", ops);
	return body;
}

static bs_rc
send_patch(struct scim_client *c, const char *id, json_t *ops, struct bs_error *err)
{
	struct http_response resp = { 0 };
	json_t *body = patch_message(ops);
	char *text, *esc, *path;
	bs_rc rc;

	text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	esc = url_escape(id);
	path = xasprintf("/Users/%s", esc);
	/* 204 No Content and 200 with the user are both success */
	rc = scim_call(c, "PATCH", path, text, NULL, 0, &resp, err);
	http_response_clear(&resp);
	json_decref(body);
	free(text);
	free(path);
	free(esc);
	return rc;
}

/* A replace of path with value, or (value NULL) a remove of path: RFC 7644
 * 3.5.2 clears with remove, never with a null value. */
static void
add_op(json_t *ops, const char *path, json_t *value)
{
	json_t *o = json_object();

	json_object_set_new(o, "op", json_string(value ? "replace" : "remove"));
	json_object_set_new(o, "path", json_string(path));
	if (value != NULL)
		json_object_set_new(o, "value", value);
	json_array_append_new(ops, o);
}

/* One extension attribute by its full path, urn:attr (RFC 7644 3.10). */
static void
add_ext_op(json_t *ops, const char *urn, const char *attr, json_t *value)
{
	char *path = xasprintf("%s:%s", urn, attr);

	add_op(ops, path, value);
	free(path);
}

static json_t *
str_or_none(const char *s)
{
	return s ? json_string(s) : NULL;
}

bs_rc
scim_update_user(struct scim_client *c, const char *id, const struct scim_user_spec *spec,
    struct bs_error *err)
{
	const char *ext;
	json_t *ops;
	bs_rc rc;

	if (c == NULL || str_empty(id))
		return bs_fail(err, BS_ERR_INVALID, "no Alleo user id");
	rc = check_spec(spec, err);
	if (rc != BS_OK)
		return rc;
	ops = json_array();
	add_op(ops, "userName", json_string(spec->user_name));
	add_op(ops, "externalId", json_string(spec->external_id));
	add_op(ops, "name", name_object(spec));
	add_op(ops, "emails", emails_array(spec->user_name));
	add_op(ops, "active", json_boolean(spec->active));
	ext = scim_extension_usable(c);
	if (ext != NULL) {
		json_t *e = ext_object(spec);

		add_ext_op(ops, ext, "onboardingDate", json_incref(json_object_get(e, "onboardingDate")));
		add_ext_op(ops, ext, "terminationDate",
		    json_incref(json_object_get(e, "terminationDate")));
		add_ext_op(ops, ext, "offboardingDate",
		    json_incref(json_object_get(e, "offboardingDate")));
		add_ext_op(ops, ext, "budgets", json_incref(json_object_get(e, "budgets")));
		json_decref(e);
	}
	return send_patch(c, id, ops, err);
}

/* The operations of scim_set_active (ext: the extension written, or NULL). */
static json_t *
active_ops(int active, const char *offboarding_date, const char *ext)
{
	json_t *ops = json_array();

	add_op(ops, "active", json_boolean(active));
	if (ext != NULL && (active || offboarding_date != NULL))
		add_ext_op(ops, ext, "offboardingDate",
		    active ? NULL : str_or_none(offboarding_date));
	return ops;
}

bs_rc
scim_set_active(struct scim_client *c, const char *id, int active,
    const char *offboarding_date, struct bs_error *err)
{
	if (c == NULL || str_empty(id))
		return bs_fail(err, BS_ERR_INVALID, "no Alleo user id");
	return send_patch(c, id, active_ops(active, offboarding_date, scim_extension_usable(c)),
	    err);
}

bs_rc
scim_probe_filter(struct scim_client *c, const char *attr, long long *total, int *refused,
    struct bs_error *err)
{
	struct http_response resp = { 0 };
	char *f, *esc, *path;
	json_t *j = NULL;
	bs_rc rc;

	*total = -1;
	*refused = 0;
	if (c == NULL || str_empty(attr))
		return bs_fail(err, BS_ERR_INVALID, "no SCIM client or attribute");
	f = scim_filter_eq(attr, str_eq(attr, "userName") ? SCIM_PING_USER : "bobsync-probe-nobody");
	esc = url_escape(f);
	path = xasprintf("/Users?filter=%s&startIndex=1&count=1", esc);
	rc = scim_call(c, "GET", path, NULL, NULL, 0, &resp, err);
	if (rc == BS_ERR_HTTP && resp.status == 400 && scim_type_is(&resp, "invalidFilter")) {
		*refused = 1;
		if (str_eq(attr, "externalId"))
			c->ext_filter_refused = 1;
		bs_error_clear(err);
		rc = BS_OK;
	} else if (rc == BS_OK) {
		j = util_json_parse(resp.body, resp.body_len, "the Alleo user list", err);
		if (j == NULL || json_int(j, "totalResults", total) != 0) {
			rc = j == NULL ? BS_ERR_PARSE : bs_fail(err, BS_ERR_PARSE, "Alleo's answer to a "
			    "filtered lookup has no totalResults");
			*total = -1;
		}
	}
	json_decref(j);
	http_response_clear(&resp);
	free(path);
	free(esc);
	free(f);
	return rc;
}

bs_rc
scim_ping(struct scim_client *c, struct bs_error *err)
{
	struct http_response resp = { 0 };
	char *f, *esc, *path;
	json_t *j;
	bs_rc rc;

	if (c == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no SCIM client");
	/* a filtered query that matches nobody: a service may refuse to list
	 * every user (Entra-style services are only ever asked by filter) */
	f = scim_filter_eq("userName", SCIM_PING_USER);
	esc = url_escape(f);
	path = xasprintf("/Users?filter=%s&startIndex=1&count=1", esc);
	rc = scim_call(c, "GET", path, NULL, NULL, 0, &resp, err);
	if (rc == BS_OK) {
		j = util_json_parse(resp.body, resp.body_len, "the Alleo user list", err);
		if (j == NULL)
			rc = BS_ERR_PARSE;
		else if (!json_is_object(j) || json_object_get(j, "totalResults") == NULL)
			rc = bs_fail(err, BS_ERR_PARSE, "%s/Users did not answer like a SCIM service "
			    "(no totalResults): check alleo.scim_url", c->base);
		json_decref(j);
	}
	http_response_clear(&resp);
	free(path);
	free(esc);
	free(f);
	return rc;
}

/* ---- SCIM Bulk (RFC 7644 3.7) ---- */

/* A request's fixed text around its operations; each operation goes in as
 * {"bulkId":"b<i>",<wire>} with commas between. */
static const char bulk_head[] = "{\"schemas\":[\"" SCIM_BULK_REQUEST "\"],\"Operations\":[";
static const char bulk_tail[] = "]}";
#define BULK_ID_FMT "{\"bulkId\":\"b%zu\","

void
scim_bulk_op_clear(struct scim_bulk_op *op)
{
	if (op == NULL)
		return;
	free(op->remote_id);
	free(op->scim_type);
	free(op->detail);
	free(op->wire);
	op->remote_id = op->scim_type = op->detail = op->wire = NULL;
	op->status = 0;
}

unsigned long
scim_bulk_requests(const struct scim_client *c)
{
	return c ? c->bulk_requests : 0;
}

int
scim_bulk_usable(struct scim_client *c, struct scim_bulk_limits *lim)
{
	const struct scim_caps *k;

	if (c == NULL)
		return 0;
	k = scim_caps_get(c);
	/* a deactivation is a PATCH: no bulk where PATCH is refused either */
	if (k->bulk != 1 || k->patch == 0 || k->bulk_max_ops < 2 || k->bulk_max_payload <= 0)
		return 0;
	if (lim != NULL) {
		lim->max_ops = k->bulk_max_ops;
		lim->max_payload = k->bulk_max_payload;
	}
	return 1;
}

/* The operation's members after its bulkId: "data", "method", "path". */
static const char *
op_wire(struct scim_bulk_op *op, const char *ext)
{
	json_t *o, *data;
	char *text, *esc, *path;
	size_t n;

	if (op->wire != NULL)
		return op->wire;
	o = json_object();
	if (op->kind == SCIM_BULK_CREATE) {
		data = user_object(op->spec, ext);
		json_object_set_new(o, "method", json_string("POST"));
		json_object_set_new(o, "path", json_string("/Users"));
	} else {
		data = patch_message(active_ops(0, op->offboarding_date, ext));
		esc = url_escape(op->id ? op->id : "");
		json_object_set_new(o, "method", json_string("PATCH"));
		path = xasprintf("/Users/%s", esc);
		json_object_set_new(o, "path", json_string(path));
		free(path);
		free(esc);
	}
	json_object_set_new(o, "data", data);
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	/* drop the braces: the bulkId goes first */
	n = strlen(text);
	memmove(text, text + 1, n - 2);
	text[n - 2] = '\0';
	op->wire = text;
	return text;
}

static size_t
op_bytes(struct scim_bulk_op *op, size_t i, const char *ext)
{
	char id[48];

	return (size_t)snprintf(id, sizeof id, BULK_ID_FMT, i) + strlen(op_wire(op, ext)) + 1;
}

size_t
scim_bulk_fit(struct scim_bulk_op *ops, size_t n, const char *ext_urn,
    const struct scim_bulk_limits *lim)
{
	size_t size = sizeof bulk_head - 1 + sizeof bulk_tail - 1, k;

	if (lim == NULL || lim->max_ops <= 0 || lim->max_payload <= 0)
		return 0;
	for (k = 0; k < n && k < (size_t)lim->max_ops; k++) {
		size_t add = op_bytes(&ops[k], k, ext_urn) + (k > 0);
		if (size + add > (size_t)lim->max_payload)
			break;
		size += add;
	}
	return k;
}

char *
scim_bulk_body(struct scim_bulk_op *ops, size_t n, const char *ext_urn, size_t *len)
{
	struct strbuf sb;

	sb_init(&sb, 0);
	sb_puts(&sb, bulk_head);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(&sb, ",");
		sb_printf(&sb, BULK_ID_FMT, i);
		sb_puts(&sb, op_wire(&ops[i], ext_urn));
		sb_puts(&sb, "}");
	}
	sb_puts(&sb, bulk_tail);
	if (len != NULL)
		*len = sb.len;
	return sb_detach(&sb);
}

/* A status given as "201" (RFC 7644's examples) or 201; 0 when neither. */
static long
bulk_status(const json_t *v)
{
	char *end;
	long s;

	if (json_is_integer(v))
		s = (long)json_integer_value(v);
	else if (json_is_string(v)) {
		s = strtol(json_string_value(v), &end, 10);
		if (end == json_string_value(v) || *end != '\0')
			s = 0;
	} else
		s = 0;
	return s >= 100 && s <= 599 ? s : 0;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The last path segment of a location, percent-decoded; NULL when none. */
static char *
location_id(const char *loc)
{
	const char *p;
	struct strbuf sb;

	if (str_empty(loc))
		return NULL;
	p = strrchr(loc, '/');
	p = p ? p + 1 : loc;
	if (*p == '\0')
		return NULL;
	sb_init(&sb, 0);
	for (; *p && *p != '?' && *p != '#'; p++) {
		int hi, lo;
		if (*p == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
			char ch = (char)(hi * 16 + lo);
			sb_append(&sb, &ch, 1);
			p += 2;
		} else
			sb_append(&sb, p, 1);
	}
	return sb_detach(&sb);
}

/* The operation an answer is about: by bulkId b<i>, else a PATCH by its
 * location's last segment. */
static struct scim_bulk_op *
bulk_match(const json_t *e, struct scim_bulk_op *ops, size_t n)
{
	const char *bid = json_str(e, "bulkId");
	char *id, *end;

	if (bid != NULL) {
		unsigned long long i;
		if (bid[0] != 'b' || bid[1] < '0' || bid[1] > '9')
			return NULL;
		i = strtoull(bid + 1, &end, 10);
		return *end == '\0' && i < n ? &ops[i] : NULL;
	}
	id = location_id(json_str(e, "location"));
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (ops[i].kind == SCIM_BULK_DEACTIVATE && str_eq(ops[i].id, id)) {
			free(id);
			return &ops[i];
		}
	}
	free(id);
	return NULL;
}

static char *
masked_line(const char *s)
{
	char *cut = xstrndup(s, SCIM_MAX_BODY_SHOWN), *m = log_mask(cut);

	free(cut);
	util_sanitize(m, strlen(m), m, 0, NULL);
	return m;
}

bs_rc
scim_bulk_parse(const char *json, size_t len, struct scim_bulk_op *ops, size_t n,
    struct bs_error *err)
{
	json_t *j = json_loadb(json ? json : "", json ? len : 0, 0, NULL), *res, *e;
	size_t i;

	res = json_is_object(j) ? json_object_get(j, "Operations") : NULL;
	if (!json_is_array(res)) {
		json_decref(j);
		return bs_fail(err, BS_ERR_PARSE, "Alleo's answer to a bulk request is not a "
		    "BulkResponse (no Operations list)");
	}
	json_array_foreach(res, i, e) {
		struct scim_bulk_op *op = json_is_object(e) ? bulk_match(e, ops, n) : NULL;
		const json_t *r;
		long st;

		if (op == NULL || op->status != 0)
			continue;	/* not ours, or said twice: the first answer counts */
		st = bulk_status(json_object_get(e, "status"));
		if (st == 0)
			continue;
		if (st >= 200 && st < 300) {
			char *id = op->kind == SCIM_BULK_DEACTIVATE ? xstrdup(op->id) : NULL;
			r = json_object_get(e, "response");
			if (id == NULL && !str_empty(json_str(r, "id")))
				id = xstrdup(json_str(r, "id"));
			if (id == NULL)
				id = location_id(json_str(e, "location"));
			if (id == NULL) {
				/* applied, but to whom is unknown: like a lost answer */
				op->detail = xstrdup("Alleo answered the bulk create without the new "
				    "user's location");
				continue;
			}
			op->status = st;
			op->remote_id = id;
			continue;
		}
		op->status = st;
		r = json_object_get(e, "response");
		if (!str_empty(json_str(r, "scimType")))
			op->scim_type = masked_line(json_str(r, "scimType"));
		op->detail = masked_line(!str_empty(json_str(r, "detail")) ? json_str(r, "detail") : "");
	}
	json_decref(j);
	return BS_OK;
}

static void
bulk_unanswered(struct scim_bulk_op *ops, size_t n, const char *why)
{
	for (size_t i = 0; i < n; i++) {
		if (ops[i].status != 0)
			continue;
		free(ops[i].detail);
		ops[i].detail = xstrdup(why);
	}
}

bs_rc
scim_bulk_send(struct scim_client *c, struct scim_bulk_op *ops, size_t n,
    struct bs_error *err)
{
	struct http_response resp = { 0 };
	const char *ext;
	char *body;
	bs_rc rc, rc2;

	if (n == 0)
		return BS_OK;
	if (c == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no SCIM client");
	ext = scim_extension_usable(c);
	body = scim_bulk_body(ops, n, ext, NULL);
	c->bulk_requests++;
	rc = scim_call(c, "POST", "/Bulk", body, NULL, 0, &resp, err);
	free(body);
	if (rc != BS_OK && (resp.status == 413 ||
	    (resp.status == 400 && scim_type_is(&resp, "tooMany")))) {
		/* refused as a whole, so nothing was applied: smaller requests */
		char *d = error_detail(&resp);
		http_response_clear(&resp);
		bs_error_clear(err);
		if (n == 1) {
			ops[0].status = 413;
			free(ops[0].detail);
			ops[0].detail = d;
			return BS_OK;
		}
		log_info("Alleo refused a bulk of %zu operations as too large (%s); sending it in "
		    "halves", n, d);
		free(d);
		rc = scim_bulk_send(c, ops, n / 2, err);
		if (rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN) {
			bulk_unanswered(ops + n / 2, n - n / 2, bs_error_text(err));
			return rc;
		}
		{
			struct bs_error e2 = { 0 };
			rc2 = scim_bulk_send(c, ops + n / 2, n - n / 2, &e2);
			if (rc == BS_OK && rc2 != BS_OK) {
				*err = e2;
				rc = rc2;
			}
		}
		return rc;
	}
	if (rc == BS_OK)
		rc = scim_bulk_parse(resp.body, resp.body_len, ops, n, err);
	if (rc != BS_OK)
		bulk_unanswered(ops, n, bs_error_text(err));
	else
		bulk_unanswered(ops, n, "Alleo's bulk answer does not mention this operation");
	http_response_clear(&resp);
	return rc;
}
