/* assembled.c - the Assembled API client (targets-api.md part A).
 *
 * Every response is bounded (the transport caps the body; the parsers cap
 * the number of rows) and read defensively: ids may be strings or numbers,
 * collections are objects keyed by id (an array is tolerated), times are
 * unix seconds.  Activities are removed one id at a time through the bulk
 * endpoint; the window DELETE, which also takes shifts, is never used.
 * Listings are read in slices of at most 31 days and paged, so a cut
 * answer never looks like events deleted.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "vendor/assembled_int.h"
#include "net/http.h"
#include "base/jread.h"
#include "base/log.h"
#include "base/util.h"

/* Answer cap (issue 17 item 9): pages of at most 500 people or events. */
#define ASM_ANSWER_MAX	((size_t)64 << 20)
#define ASM_API_VERSION "2019-06-20"
#define ASM_PACE "assembled"
#define ASM_ERR_BODY_SHOWN 200	/* bytes of an error body put in a detail */

struct asm_client {
	struct http_client *http;	/* borrowed */
	char *base;			/* owned, no trailing slash */
	char *key;			/* sodium_malloc'd */
};

struct asm_client *
asm_client_new(struct http_client *http, const char *base_url, const char *api_key)
{
	struct asm_client *c = xcalloc(1, sizeof *c);
	size_t n;

	c->http = http;
	c->base = xstrdup(base_url ? base_url : "https://api.assembledhq.com/v0");
	n = strlen(c->base);
	while (n > 0 && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	c->key = secret_dup(api_key);
	log_register_secret(c->key);
	log_register_basic_auth(c->key, "");
	/* 300 requests a minute, bursts of 20 (A.1) */
	http_set_pace(http, ASM_PACE, 300, 60000, 20);
	return c;
}

void
asm_client_free(struct asm_client **cp)
{
	struct asm_client *c;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	free(c->base);
	secret_free(&c->key);
	free(c);
	*cp = NULL;
}

/* The start of an error body, masked and single-line, for a detail;
 * caller frees. */
static char *
body_excerpt(const struct http_response *resp)
{
	size_t n;
	char *m, *e;

	if (resp == NULL || resp->body == NULL || resp->body_len == 0)
		return xstrdup("");
	n = resp->body_len < ASM_ERR_BODY_SHOWN ? resp->body_len : ASM_ERR_BODY_SHOWN;
	m = log_mask_mem(resp->body, n);
	for (e = m; *e != '\0'; e++)
		if (*e == '\n' || *e == '\r' || *e == '\t')
			*e = ' ';
	util_strip_controls(m);
	return m;
}

/* One request; path starts with '/'. */
static bs_rc
asm_request(struct asm_client *c, const char *method, const char *path, const char *body,
    int idempotent, const long *accept, size_t naccept, struct http_response *resp,
    struct bs_error *err)
{
	static const struct http_header hdr[] = { { "API-Version", ASM_API_VERSION } };
	struct http_request req = { 0 };
	char *url, *ex;
	bs_rc rc;

	if (c == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no Assembled client");
	url = xasprintf("%s%s", c->base, path);
	req.method = method;
	req.url = url;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.headers = hdr;
	req.nheaders = ARRAY_LEN(hdr);
	req.username = c->key;
	req.password = "";
	req.pace_class = ASM_PACE;
	req.max_body = ASM_ANSWER_MAX;
	req.idempotent = idempotent;
	req.accept_status = accept;
	req.naccept_status = naccept;
	rc = http_send(c->http, &req, resp, err);
	if (rc == BS_ERR_AUTH)
		bs_fail(err, rc, "Assembled did not accept the API key: create a new key in "
		    "Assembled (Settings > API) and store it: in the console press k on the "
		    "dashboard (Credentials), or run 'bobsync credentials set assembled'");
	else if (rc == BS_ERR_FORBIDDEN)
		bs_fail(err, rc, "Assembled refused %s %s: the API key lacks the permission "
		    "for it (ask your Assembled admin for a key with API access)", method, path);
	else if (rc == BS_ERR_HTTP || rc == BS_ERR_NOT_FOUND) {
		ex = body_excerpt(resp);
		bs_fail(err, rc, "Assembled answered %s %s with HTTP %ld%s%s", method, path,
		    resp->status, ex[0] ? ": " : "", ex);
		free(ex);
	}
	free(url);
	return rc;
}

/* ---- parsing ---- */

static char *
str_dup_of(const json_t *obj, const char *key)
{
	const char *s = json_str(obj, key);
	return s ? xstrdup(s) : NULL;
}

/* The collection under key: an object keyed by id (or an array). */
static json_t *
collection(json_t *root, const char *key)
{
	json_t *v = json_object_get(root, key);

	if (json_is_object(v) || json_is_array(v))
		return v;
	return NULL;
}

static size_t
collection_size(const json_t *v)
{
	return json_is_object(v) ? json_object_size(v) : json_is_array(v) ? json_array_size(v) : 0;
}

/* Iterate a keyed object or an array alike: the i-th value. */
struct coll_iter {
	json_t *coll;
	void *it;
	size_t i;
	const char *key;
};

static json_t *
coll_next(struct coll_iter *ci)
{
	json_t *v;

	if (json_is_array(ci->coll)) {
		if (ci->i >= json_array_size(ci->coll))
			return NULL;
		ci->key = NULL;
		return json_array_get(ci->coll, ci->i++);
	}
	if (!json_is_object(ci->coll))
		return NULL;
	ci->it = ci->i == 0 ? json_object_iter(ci->coll) : json_object_iter_next(ci->coll, ci->it);
	ci->i++;
	if (ci->it == NULL)
		return NULL;
	ci->key = json_object_iter_key(ci->it);
	v = json_object_iter_value(ci->it);
	return v;
}

static int
json_truthy(const json_t *v)
{
	if (json_is_true(v))
		return 1;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_string(v))
		return str_eq_ci(json_string_value(v), "true");
	return 0;
}

void
asm_person_clear(struct asm_person *p)
{
	if (p == NULL)
		return;
	free(p->id);
	free(p->agent_id);
	free(p->email);
	free(p->first_name);
	free(p->last_name);
	free(p->timezone);
	free(p->hibob_id);
	free(p->imported_id);
	memset(p, 0, sizeof *p);
}

/* ---- people, read with jread (a page of 100 is read ~1,000 times at
 * 100,000 people: no Jansson tree per page); the same values as
 * json_id_dup, json_str, json_truthy and json_int give ---- */

static const struct jnode *
jmember(const struct jdoc *d, const struct jnode *o, const char *key)
{
	return jread_get(d, o, key, strlen(key));
}

static char *
jid_dup(const struct jnode *v)
{
	if (v == NULL)
		return NULL;
	if (v->type == JT_STRING)
		return jread_strdup(v);
	if (v->type == JT_INT)
		return xasprintf("%lld", v->num.i);
	if (v->type == JT_REAL) {
		double r = v->num.r;
		/* only whole numbers a long long can hold (as json_id_dup) */
		if (r >= -9.2e18 && r <= 9.2e18 && r == (double)(long long)r)
			return xasprintf("%lld", (long long)r);
	}
	return NULL;
}

static int
jtruthy(const struct jnode *v)
{
	if (v == NULL)
		return 0;
	if (v->type == JT_TRUE)
		return 1;
	if (v->type == JT_INT)
		return v->num.i != 0;
	if (v->type == JT_STRING && jread_strlen(v) == 4) {
		char *x = jread_strdup(v);
		int t = str_eq_ci(x, "true");
		free(x);
		return t;
	}
	return 0;
}

/* "total" as json_int reads it: an integer, or a string holding one. */
static int
jint(const struct jnode *v, long long *out)
{
	if (v != NULL && v->type == JT_INT) {
		*out = v->num.i;
		return 0;
	}
	if (v != NULL && v->type == JT_STRING) {
		char *s = jread_strdup(v), *end;
		long long x;
		int rc = -1;
		errno = 0;
		x = strtoll(s, &end, 10);
		if (*s != '\0' && *end == '\0' && errno == 0) {
			*out = x;
			rc = 0;
		}
		free(s);
		return rc;
	}
	return -1;
}

static char *
jstr_dup(const struct jdoc *d, const struct jnode *o, const char *key)
{
	const struct jnode *v = jmember(d, o, key);

	return v != NULL && v->type == JT_STRING ? jread_strdup(v) : NULL;
}

static void
person_from_doc(const struct jdoc *d, const struct jnode *o, struct asm_person *p)
{
	const struct jnode *plat = jmember(d, o, "platforms");

	memset(p, 0, sizeof *p);
	p->id = jid_dup(jmember(d, o, "id"));
	if (p->id == NULL && o->key != NULL)
		p->id = xstrndup(o->key, o->klen);
	p->agent_id = jid_dup(jmember(d, o, "agent_id"));
	p->email = jstr_dup(d, o, "email");
	p->first_name = jstr_dup(d, o, "first_name");
	p->last_name = jstr_dup(d, o, "last_name");
	p->timezone = jstr_dup(d, o, "timezone");
	if (p->timezone != NULL && p->timezone[0] == '\0')
		FREE(p->timezone);
	if (plat != NULL && plat->type == JT_OBJECT)
		p->hibob_id = jid_dup(jmember(d, plat, "hibob"));
	if (p->hibob_id != NULL && p->hibob_id[0] == '\0')
		FREE(p->hibob_id);
	p->imported_id = jid_dup(jmember(d, o, "imported_id"));
	p->deleted = jtruthy(jmember(d, o, "deleted"));
}

bs_rc
asm_parse_people(const char *json, size_t len, struct asm_people *out, size_t *page_rows,
    long long *total, struct bs_error *err)
{
	struct jdoc d = { 0 };
	const struct jnode *root, *coll, *v;
	long long t = -1;
	size_t rows = 0, size = 0;
	bs_rc rc = BS_OK;

	if (page_rows)
		*page_rows = 0;
	if (total)
		*total = -1;
	if (out == NULL || json == NULL)
		return bs_fail(err, BS_ERR_INVALID, "Assembled people: nothing to read");
	if (len == 0 || jread_parse(&d, json, len, NULL) < 0) {
		/* Jansson's words for what it refuses, as before */
		json_t *j = util_json_parse(json, len, "Assembled people", err);
		if (j != NULL) {
			json_decref(j);
			rc = bs_fail(err, BS_ERR_PARSE, "Assembled people: %s", d.err);
		} else {
			rc = BS_ERR_PARSE;
		}
		goto out;
	}
	root = jread_root(&d);
	coll = root != NULL && root->type == JT_OBJECT ? jmember(&d, root, "people") : NULL;
	if (coll == NULL || (coll->type != JT_OBJECT && coll->type != JT_ARRAY)) {
		rc = bs_fail(err, BS_ERR_PARSE, "Assembled people: no \"people\" collection");
		goto out;
	}
	for (v = jread_first(&d, coll); v != NULL; v = jread_next(&d, coll, v))
		size++;
	if (out->n + size > ASM_MAX_PEOPLE) {
		rc = bs_fail(err, BS_ERR_TOO_LARGE, "Assembled people: more than %d people",
		    ASM_MAX_PEOPLE);
		goto out;
	}
	out->v = xreallocarray(out->v, out->n + size + 1, sizeof *out->v);
	for (v = jread_first(&d, coll); v != NULL; v = jread_next(&d, coll, v)) {
		struct asm_person p;
		if (v->type != JT_OBJECT)
			continue;
		rows++;
		person_from_doc(&d, v, &p);
		if (p.deleted || p.id == NULL) {
			asm_person_clear(&p);
			continue;
		}
		if (p.agent_id == NULL)	/* older accounts: the person is the agent */
			p.agent_id = xstrdup(p.id);
		out->v[out->n++] = p;
	}
	if (jint(jmember(&d, root, "total"), &t) != 0)
		t = -1;
	if (page_rows)
		*page_rows = rows;
	if (total)
		*total = t;
out:
	jread_clear(&d);
	return rc;
}

bs_rc
asm_get_people(struct asm_client *c, struct asm_people *out, struct bs_error *err)
{
	struct http_response resp = { 0 };
	size_t offset = 0, rows;
	long long total;
	bs_rc rc = BS_OK;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no place for Assembled people");
	memset(out, 0, sizeof *out);
	for (;;) {
		char *path = xasprintf("/people?limit=%d&offset=%zu", ASM_PEOPLE_PAGE, offset);
		rc = asm_request(c, "GET", path, NULL, 1, NULL, 0, &resp, err);
		free(path);
		if (rc == BS_OK)
			rc = asm_parse_people(resp.body, resp.body_len, out, &rows, &total, err);
		http_response_clear(&resp);
		if (rc != BS_OK)
			break;
		offset += rows;
		if (rows == 0 || (total >= 0 && (long long)offset >= total) ||
		    (total < 0 && rows < ASM_PEOPLE_PAGE))
			break;
		if (offset > ASM_MAX_PEOPLE) {
			rc = bs_fail(err, BS_ERR_TOO_LARGE, "Assembled people: more than %d people",
			    ASM_MAX_PEOPLE);
			break;
		}
	}
	if (rc != BS_OK) {
		bs_error_prefix(err, "reading people from Assembled");
		asm_people_clear(out);
	} else {
		asm_people_index(out);
	}
	return rc;
}

bs_rc
asm_parse_activity_types(const char *json, size_t len, struct asm_activity_types *out,
    struct bs_error *err)
{
	json_t *root, *coll, *v;
	struct coll_iter ci = { 0 };

	if (out == NULL || json == NULL)
		return bs_fail(err, BS_ERR_INVALID, "Assembled activity types: nothing to read");
	memset(out, 0, sizeof *out);
	root = util_json_parse(json, len, "Assembled activity types", err);
	if (root == NULL)
		return BS_ERR_PARSE;
	coll = json_is_object(root) ? collection(root, "activity_types") : NULL;
	if (coll == NULL) {
		json_decref(root);
		return bs_fail(err, BS_ERR_PARSE,
		    "Assembled activity types: no \"activity_types\" collection");
	}
	if (collection_size(coll) > ASM_MAX_ACTIVITIES) {
		json_decref(root);
		return bs_fail(err, BS_ERR_TOO_LARGE, "Assembled activity types: too many");
	}
	out->v = xcalloc(collection_size(coll) + 1, sizeof *out->v);
	ci.coll = coll;
	while ((v = coll_next(&ci)) != NULL) {
		struct asm_activity_type *t = &out->v[out->n];
		if (!json_is_object(v))
			continue;
		t->id = json_id_dup(json_object_get(v, "id"));
		if (t->id == NULL && ci.key != NULL)
			t->id = xstrdup(ci.key);
		if (t->id == NULL)
			continue;
		t->name = str_dup_of(v, "name");
		t->short_name = str_dup_of(v, "short_name");
		t->import_id = json_id_dup(json_object_get(v, "import_id"));
		t->timeoff = json_truthy(json_object_get(v, "timeoff"));
		t->productive = json_truthy(json_object_get(v, "productive"));
		out->n++;
	}
	json_decref(root);
	return BS_OK;
}

bs_rc
asm_get_activity_types(struct asm_client *c, struct asm_activity_types *out,
    struct bs_error *err)
{
	struct http_response resp = { 0 };
	bs_rc rc;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no place for activity types");
	memset(out, 0, sizeof *out);
	rc = asm_request(c, "GET", "/activity_types", NULL, 1, NULL, 0, &resp, err);
	if (rc == BS_OK)
		rc = asm_parse_activity_types(resp.body, resp.body_len, out, err);
	http_response_clear(&resp);
	if (rc != BS_OK)
		bs_error_prefix(err, "reading activity types from Assembled");
	return rc;
}

const struct asm_activity_type *
asm_timeoff_type(const struct asm_activity_types *t, const char *name_or_id, char *why,
    size_t whylen)
{
	const struct asm_activity_type *only = NULL, *named = NULL;
	struct strbuf sb;
	size_t ntimeoff = 0;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (t == NULL)
		goto none;
	for (size_t i = 0; i < t->n; i++) {
		const struct asm_activity_type *a = &t->v[i];
		if (!a->timeoff)
			continue;
		ntimeoff++;
		only = a;
		if (!str_empty(name_or_id)) {
			if (str_eq(a->id, name_or_id))
				return a;
			if (named == NULL && (str_eq_ci(a->name, name_or_id) ||
			    str_eq_ci(a->import_id, name_or_id)))
				named = a;
		} else if (named == NULL && str_eq_ci(a->name, "Time Off")) {
			named = a;
		}
	}
	if (named != NULL)
		return named;
	if (str_empty(name_or_id) && ntimeoff == 1)
		return only;
none:
	if (why == NULL || whylen == 0)
		return NULL;
	sb_init(&sb, 0);
	if (!str_empty(name_or_id))
		sb_printf(&sb, "no time-off activity type has the id, name or import id '%s'",
		    name_or_id);
	else if (ntimeoff == 0)
		sb_puts(&sb, "Assembled has no activity type marked as time off");
	else
		sb_puts(&sb, "no time-off activity type is named 'Time Off' and there are several");
	if (ntimeoff > 0) {
		size_t k = 0;
		sb_puts(&sb, "; the time-off types are: ");
		for (size_t i = 0; i < t->n; i++) {
			if (!t->v[i].timeoff)
				continue;
			sb_printf(&sb, "%s'%s'", k++ ? ", " : "", t->v[i].name ? t->v[i].name : t->v[i].id);
		}
		sb_puts(&sb, " (set assembled.timeoff_type)");
	} else {
		sb_puts(&sb, " (create one in Assembled: Settings > Activity types, with Time off on)");
	}
	snprintf(why, whylen, "%s", sb.buf ? sb.buf : "");
	sb_clear(&sb);
	return NULL;
}

const struct asm_activity_type *
asm_type_by_id(const struct asm_activity_types *t, const char *id)
{
	if (t == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (str_eq(t->v[i].id, id))
			return &t->v[i];
	return NULL;
}

static int
activity_from_json(const json_t *o, const char *key, struct asm_activity *a)
{
	long long v;

	memset(a, 0, sizeof *a);
	a->id = json_id_dup(json_object_get(o, "id"));
	if (a->id == NULL && key != NULL)
		a->id = xstrdup(key);
	a->agent_id = json_id_dup(json_object_get(o, "agent_id"));
	a->type_id = json_id_dup(json_object_get(o, "type_id"));
	a->description = str_dup_of(o, "description");
	if (json_int(o, "start_time", &v) == 0)
		a->start = v;
	if (json_int(o, "end_time", &v) == 0)
		a->end = v;
	return a->id != NULL ? 0 : -1;
}

void
asm_activity_clear(struct asm_activity *a)
{
	if (a == NULL)
		return;
	free(a->id);
	free(a->agent_id);
	free(a->type_id);
	free(a->description);
	memset(a, 0, sizeof *a);
}

void
asm_activities_clear(struct asm_activities *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++)
		asm_activity_clear(&a->v[i]);
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* One answer of GET /activities appended to out: rows of agent_id only
 * (when not NULL).  *rows gets the answer's row count before that filter
 * (what says whether the page was full), *total the answer's "total"
 * (-1 when absent), first (may be NULL, caller frees) the first row's
 * key, to tell a page served twice. */
static bs_rc
parse_page(const char *json, size_t len, const char *agent_id, struct asm_activities *out,
    size_t *rows, long long *total, char **first, struct bs_error *err)
{
	json_t *root, *coll, *v;
	struct coll_iter ci = { 0 };
	size_t n = 0;
	long long t = -1;

	if (rows)
		*rows = 0;
	if (total)
		*total = -1;
	if (first)
		*first = NULL;
	if (out == NULL || json == NULL)
		return bs_fail(err, BS_ERR_INVALID, "Assembled activities: nothing to read");
	root = util_json_parse(json, len, "Assembled activities", err);
	if (root == NULL)
		return BS_ERR_PARSE;
	coll = json_is_object(root) ? json_object_get(root, "activities") : NULL;
	if (json_is_null(coll)) {
		json_decref(root);	/* no activities at all */
		return BS_OK;
	}
	/* an answer without the collection is not "no events": taken as that,
	 * every event bobsync made would look deleted and be made again */
	if (!json_is_object(coll) && !json_is_array(coll)) {
		json_decref(root);
		return bs_fail(err, BS_ERR_PARSE, "Assembled activities: the answer has no "
		    "\"activities\" collection (not the documented shape)");
	}
	if (out->n + collection_size(coll) > ASM_MAX_ACTIVITIES) {
		json_decref(root);
		return bs_fail(err, BS_ERR_TOO_LARGE, "Assembled activities: more than %d in one "
		    "listing", ASM_MAX_ACTIVITIES);
	}
	out->v = xreallocarray(out->v, out->n + collection_size(coll) + 1, sizeof *out->v);
	ci.coll = coll;
	while ((v = coll_next(&ci)) != NULL) {
		struct asm_activity a;
		if (!json_is_object(v))
			continue;
		n++;
		if (activity_from_json(v, ci.key, &a) != 0)
			continue;
		if (first != NULL && *first == NULL)
			*first = xasprintf("%s/%lld/%lld", a.id, (long long)a.start, (long long)a.end);
		/* the API may answer with other agents' rows: keep only this one's */
		if (agent_id != NULL && !str_eq(a.agent_id, agent_id)) {
			asm_activity_clear(&a);
			continue;
		}
		out->v[out->n++] = a;
	}
	if (json_int(root, "total", &t) != 0)
		t = -1;
	if (rows)
		*rows = n;
	if (total)
		*total = t;
	json_decref(root);
	return BS_OK;
}

bs_rc
asm_parse_activities(const char *json, size_t len, const char *agent_id,
    struct asm_activities *out, struct bs_error *err)
{
	bs_rc rc;

	if (out == NULL || json == NULL)
		return bs_fail(err, BS_ERR_INVALID, "Assembled activities: nothing to read");
	memset(out, 0, sizeof *out);
	rc = parse_page(json, len, agent_id, out, NULL, NULL, NULL, err);
	if (rc != BS_OK)
		asm_activities_clear(out);
	return rc;
}

static int
act_key_cmp(const struct asm_activity *x, const struct asm_activity *y)
{
	int c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

static int
act_pos_cmp(const void *a, const void *b, void *ctx)
{
	const struct asm_activity *v = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = act_key_cmp(&v[x], &v[y]);

	return c != 0 ? c : (x > y) - (x < y);
}

/* Rows from position from on that repeat an earlier row (same id, start
 * and end: an event across two slices, a row on two pages) are dropped;
 * the order is kept. */
static void
dedupe_from(struct asm_activities *a, size_t from)
{
	size_t *pos, n = a->n, k = 0;
	unsigned char *drop;

	if (n < 2)
		return;
	pos = xcalloc(n, sizeof *pos);
	drop = xcalloc(n, 1);
	for (size_t i = 0; i < n; i++)
		pos[i] = i;
	qsort_r(pos, n, sizeof *pos, act_pos_cmp, a->v);
	for (size_t i = 1; i < n; i++)
		if (act_key_cmp(&a->v[pos[i - 1]], &a->v[pos[i]]) == 0 && pos[i] >= from)
			drop[pos[i]] = 1;	/* a later copy of an equal row */
	for (size_t i = 0; i < n; i++) {
		if (drop[i]) {
			asm_activity_clear(&a->v[i]);
			continue;
		}
		if (k != i)
			a->v[k] = a->v[i];
		k++;
	}
	a->n = k;
	free(pos);
	free(drop);
}

/* One slice [s, e), paged. */
static bs_rc
list_slice(struct asm_client *c, const struct asm_list_query *q, int64_t s, int64_t e,
    const char *filters, struct asm_activities *out, struct bs_error *err)
{
	struct http_response resp = { 0 };
	char *prev = NULL;
	size_t offset = 0;
	bs_rc rc = BS_OK;

	for (int page = 0; ; page++) {
		size_t rows = 0;
		long long total = -1;
		char *first = NULL, *path;
		int full, repeat;

		if (page >= ASM_ACT_MAX_PAGES) {
			rc = bs_fail(err, BS_ERR_TOO_LARGE, "more than %d pages of activities in one "
			    "window", ASM_ACT_MAX_PAGES);
			break;
		}
		path = xasprintf("/activities?start_time=%lld&end_time=%lld%s&limit=%d&offset=%zu",
		    (long long)s, (long long)e, filters, ASM_ACT_PAGE, offset);
		rc = asm_request(c, "GET", path, NULL, 1, NULL, 0, &resp, err);
		free(path);
		if (rc == BS_OK)
			rc = parse_page(resp.body, resp.body_len, q->agent_id, out, &rows, &total, &first,
			    err);
		http_response_clear(&resp);
		if (rc != BS_OK) {
			free(first);
			break;
		}
		/* the same first row as the page before: offset is not honoured */
		repeat = page > 0 && first != NULL && prev != NULL && str_eq(first, prev);
		free(prev);
		prev = first;
		full = rows >= ASM_ACT_PAGE;
		if (repeat) {
			if (full)
				rc = bs_fail(err, BS_ERR_SOURCE, "Assembled answered the same full page of "
				    "activities for offset %zu as before (offset not honoured): the "
				    "listing would be incomplete, so nothing is taken from it", offset);
			break;
		}
		if (rows == 0)
			break;
		offset += rows;
		if (total >= 0 && (long long)offset >= total)
			break;
		if (!full && !q->exhaustive)
			break;	/* a short page: the last one */
	}
	free(prev);
	return rc;
}

bs_rc
asm_list_activities_q(struct asm_client *c, const struct asm_list_query *q,
    struct asm_activities *out, struct bs_error *err)
{
	struct strbuf f;
	size_t before;
	bs_rc rc = BS_OK;

	if (out == NULL || q == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no place for activities");
	if (q->end <= q->start)
		return bs_fail(err, BS_ERR_INVALID, "listing activities needs a window");
	before = out->n;
	sb_init(&f, 0);
	sb_append(&f, "", 0);
	if (!str_empty(q->agent_id)) {
		char *x = url_escape(q->agent_id);
		sb_printf(&f, "&agents=%s", x);
		free(x);
	}
	if (!str_empty(q->type_id)) {
		char *x = url_escape(q->type_id);
		sb_printf(&f, "&types=%s", x);
		free(x);
	}
	if (!str_empty(q->schedule_id)) {
		char *x = url_escape(q->schedule_id);
		sb_printf(&f, "&schedule_id=%s", x);
		free(x);
	}
	/* slices of at most ASM_ACT_WINDOW: a longer window may come back
	 * cut short without saying so */
	for (int64_t s = q->start; s < q->end && rc == BS_OK; s += ASM_ACT_WINDOW) {
		int64_t e = q->end - s > ASM_ACT_WINDOW ? s + ASM_ACT_WINDOW : q->end;
		rc = list_slice(c, q, s, e, f.buf, out, err);
	}
	sb_clear(&f);
	if (rc == BS_OK)
		dedupe_from(out, before);
	else if (q->agent_id != NULL)
		bs_error_prefix(err, "listing activities of agent %s", q->agent_id);
	else
		bs_error_prefix(err, "listing activities");
	return rc;
}

bs_rc
asm_list_activities(struct asm_client *c, const char *agent_id, int64_t start, int64_t end,
    const char *schedule_id, struct asm_activities *out, struct bs_error *err)
{
	struct asm_list_query q = { 0 };
	bs_rc rc;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no place for activities");
	memset(out, 0, sizeof *out);
	if (str_empty(agent_id) || end <= start)
		return bs_fail(err, BS_ERR_INVALID, "listing activities needs an agent and a window");
	q.agent_id = agent_id;
	q.start = start;
	q.end = end;
	q.schedule_id = schedule_id;
	q.exhaustive = 1;
	rc = asm_list_activities_q(c, &q, out, err);
	if (rc != BS_OK)
		asm_activities_clear(out);
	return rc;
}

bs_rc
asm_activity_present(struct asm_client *c, const char *agent_id, const char *activity_id,
    int64_t start, int64_t end, const char *schedule_id, int *present, struct bs_error *err)
{
	struct asm_activities a = { 0 };
	bs_rc rc;

	if (present != NULL)
		*present = 1;	/* unknown counts as there */
	if (str_empty(activity_id) || present == NULL)
		return bs_fail(err, BS_ERR_INVALID, "checking an activity needs its id");
	if (end <= start)
		end = start + 1;
	rc = asm_list_activities(c, agent_id, start - 86400, end + 86400, schedule_id, &a, err);
	if (rc != BS_OK)
		return rc;
	*present = 0;
	for (size_t i = 0; i < a.n && !*present; i++)
		if (str_eq(a.v[i].id, activity_id))
			*present = 1;
	asm_activities_clear(&a);
	return BS_OK;
}

/* The created activity in a response: the object itself, or wrapped in
 * "activity" or an "activities" collection. */
static const json_t *
created_object(json_t *root)
{
	json_t *v = json_object_get(root, "activity");
	json_t *coll;
	struct coll_iter ci = { 0 };

	if (json_is_object(v))
		return v;
	if (json_object_get(root, "id") != NULL)
		return root;
	coll = json_object_get(root, "activities");
	if (json_is_object(coll) || json_is_array(coll)) {
		ci.coll = coll;
		v = coll_next(&ci);
		if (json_is_object(v))
			return v;
	}
	return NULL;
}

bs_rc
asm_create_activity(struct asm_client *c, const struct asm_activity_spec *spec,
    struct asm_activity *out, struct bs_error *err)
{
	struct http_response resp = { 0 };
	json_t *body, *root = NULL;
	const json_t *obj;
	char *text;
	bs_rc rc;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (spec == NULL || out == NULL || str_empty(spec->agent_id) || str_empty(spec->type_id) ||
	    spec->end <= spec->start)
		return bs_fail(err, BS_ERR_INVALID, "an activity needs an agent, a type and a start "
		    "before its end");
	body = json_object();
	json_object_set_new(body, "agent_id", json_string(spec->agent_id));
	json_object_set_new(body, "type_id", json_string(spec->type_id));
	json_object_set_new(body, "start_time", json_integer((json_int_t)spec->start));
	json_object_set_new(body, "end_time", json_integer((json_int_t)spec->end));
	if (spec->description != NULL)
		json_object_set_new(body, "description", json_string(spec->description));
	json_object_set_new(body, "allow_conflicts", json_boolean(spec->allow_conflicts));
	if (!str_empty(spec->schedule_id))
		json_object_set_new(body, "schedule_id", json_string(spec->schedule_id));
	text = json_dump_compact(body);
	json_decref(body);
	/* not idempotent: a 5xx after Assembled acted must not make a second event */
	rc = asm_request(c, "POST", "/activities", text, 0, NULL, 0, &resp, err);
	free(text);
	if (rc != BS_OK)
		goto out;
	root = util_json_parse(resp.body, resp.body_len, "Assembled activity", err);
	if (root == NULL) {
		rc = BS_ERR_PARSE;
		goto out;
	}
	obj = json_is_object(root) ? created_object(root) : NULL;
	if (obj == NULL || activity_from_json(obj, NULL, out) != 0) {
		asm_activity_clear(out);
		rc = bs_fail(err, BS_ERR_PARSE, "Assembled created an activity but sent no id back");
		goto out;
	}
	if (out->agent_id == NULL)
		out->agent_id = xstrdup(spec->agent_id);
	if (out->type_id == NULL)
		out->type_id = xstrdup(spec->type_id);
	if (out->start == 0 && out->end == 0) {
		out->start = spec->start;
		out->end = spec->end;
	}
	if (out->description == NULL && spec->description != NULL)
		out->description = xstrdup(spec->description);
out:
	if (rc != BS_OK)
		bs_error_prefix(err, "creating an activity in Assembled");
	json_decref(root);
	http_response_clear(&resp);
	return rc;
}

/* Whether text holds needle, case-insensitively, in its first 4 KiB. */
static int
body_has(const char *b, const char *needle)
{
	size_t n = strlen(needle);

	if (b == NULL || n == 0)
		return 0;
	for (size_t i = 0; b[i] != '\0' && i < 4096; i++)
		if (strncasecmp(b + i, needle, n) == 0)
			return 1;
	return 0;
}

/* The bulk delete of one id; resp is the answer (caller clears). */
static bs_rc
send_delete(struct asm_client *c, const char *activity_id, const char *schedule_id,
    struct http_response *resp, struct bs_error *err)
{
	/* 4xx answers are read here: their bodies are all there is to go on */
	static const long accept[] = { 400, 404, 405, 409, 410, 422 };
	json_t *body, *arr, *item, *act;
	char *text;
	bs_rc rc;

	body = json_object();
	arr = json_array();
	item = json_object();
	act = json_object();
	json_object_set_new(act, "id", json_string(activity_id));
	json_object_set_new(item, "action", json_string("delete"));
	json_object_set_new(item, "activity", act);
	json_array_append_new(arr, item);
	json_object_set_new(body, "activities", arr);
	if (!str_empty(schedule_id))
		json_object_set_new(body, "schedule_id", json_string(schedule_id));
	text = json_dump_compact(body);
	json_decref(body);
	/* deleting one id twice has the same effect: safe to retry */
	rc = asm_request(c, "POST", "/activities/bulk", text, 1, accept, ARRAY_LEN(accept), resp, err);
	free(text);
	return rc;
}

bs_rc
asm_delete_activity(struct asm_client *c, const char *activity_id, const char *schedule_id,
    long *status, struct bs_error *err)
{
	struct http_response resp = { 0 };
	char *ex;
	bs_rc rc;

	if (status != NULL)
		*status = 0;
	if (str_empty(activity_id))
		return bs_fail(err, BS_ERR_INVALID, "deleting an activity needs its id");
	rc = send_delete(c, activity_id, schedule_id, &resp, err);
	if (status != NULL)
		*status = resp.status;
	if (rc == BS_OK && (resp.status < 200 || resp.status > 299)) {
		/* a "not found" may be the route, not the event; a beta not
		 * switched on may say anything: never taken as "gone" */
		ex = body_excerpt(&resp);
		rc = bs_fail(err, BS_ERR_HTTP, "Assembled refused to delete activity %s (HTTP %ld)%s%s",
		    activity_id, resp.status, ex[0] ? ": " : "", ex);
		free(ex);
	} else if (rc != BS_OK) {
		bs_error_prefix(err, "deleting activity %s in Assembled", activity_id);
	}
	http_response_clear(&resp);
	return rc;
}

enum asm_delete_probe
asm_delete_probe_classify(long status, const char *body, const char *id)
{
	static const char *const refusal[] = { "beta", "not enabled", "not available",
	    "not supported", "unsupported", "support@", "contact support", "permission",
	    "not allowed", "disabled" };
	static const char *const missing[] = { "not found", "not_found", "does not exist",
	    "no such", "unknown activit" };

	if (status >= 200 && status <= 299)
		return ASM_DELETE_ACCEPTED;
	if (status < 400 || status >= 500)
		return ASM_DELETE_UNKNOWN;
	/* the answer names the id: Assembled looked it up */
	if (!str_empty(id) && body_has(body, id))
		return ASM_DELETE_ENABLED;
	for (size_t i = 0; i < ARRAY_LEN(refusal); i++)
		if (body_has(body, refusal[i]))
			return ASM_DELETE_REFUSED;
	/* "activity not found" without the id; a bare "404 page not found"
	 * is the route, which is no lookup at all */
	if (body_has(body, "activit"))
		for (size_t i = 0; i < ARRAY_LEN(missing); i++)
			if (body_has(body, missing[i]))
				return ASM_DELETE_ENABLED;
	return ASM_DELETE_REFUSED;
}

bs_rc
asm_probe_delete(struct asm_client *c, const char *schedule_id, enum asm_delete_probe *out,
    char *detail, size_t detaillen, struct bs_error *err)
{
	struct http_response resp = { 0 };
	char *ex;
	bs_rc rc;

	*out = ASM_DELETE_UNKNOWN;
	rc = send_delete(c, ASM_PROBE_ID, schedule_id, &resp, err);
	if (rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN) {
		http_response_clear(&resp);
		return rc;
	}
	ex = body_excerpt(&resp);
	if (rc == BS_OK) {
		*out = asm_delete_probe_classify(resp.status, resp.body, ASM_PROBE_ID);
		if (detail != NULL && detaillen > 0)
			snprintf(detail, detaillen, "HTTP %ld%s%s", resp.status, ex[0] ? ": " : "", ex);
	} else {
		*out = resp.status >= 400 && resp.status < 500 ? ASM_DELETE_REFUSED : ASM_DELETE_UNKNOWN;
		if (detail != NULL && detaillen > 0)
			snprintf(detail, detaillen, "%s", bs_error_text(err));
	}
	free(ex);
	http_response_clear(&resp);
	bs_error_clear(err);
	return BS_OK;
}

/* ---- matching ---- */

static const char *
key_of(const struct asm_person *m, int ci)
{
	return ci ? m->email : m->hibob_id;
}

static int
key_eq(const char *a, const char *b, int ci)
{
	return (ci ? strcasecmp(a, b) : strcmp(a, b)) == 0;
}

/* A table of positions by key (open addressing, SIZE_MAX empty, nslot a
 * power of two); the first person in list order holds a key others share. */
static size_t *
table_build(const struct asm_people *p, int ci, size_t *nslot)
{
	size_t n = 16, *t;

	while (n < 2 * p->n + 2)
		n *= 2;
	t = xreallocarray(NULL, n, sizeof *t);
	for (size_t k = 0; k < n; k++)
		t[k] = SIZE_MAX;
	for (size_t i = 0; i < p->n; i++) {
		const char *key = key_of(&p->v[i], ci);
		size_t k;
		if (p->v[i].deleted || str_empty(key))
			continue;
		for (k = str_hash(key, ci) & (n - 1); t[k] != SIZE_MAX; k = (k + 1) & (n - 1))
			if (key_eq(key_of(&p->v[t[k]], ci), key, ci))
				break;
		if (t[k] == SIZE_MAX)
			t[k] = i;
	}
	*nslot = n;
	return t;
}

void
asm_people_index(struct asm_people *p)
{
	if (p == NULL)
		return;
	free(p->by_hibob);
	free(p->by_email);
	p->by_hibob = table_build(p, 0, &p->nhibob);
	p->by_email = table_build(p, 1, &p->nemail);
	p->nidx = p->n;
}

/* The position whose key equals key, or SIZE_MAX. */
static size_t
index_find(const struct asm_people *p, const size_t *t, size_t nslot, const char *key, int ci)
{
	for (size_t k = str_hash(key, ci) & (nslot - 1); t[k] != SIZE_MAX; k = (k + 1) & (nslot - 1))
		if (key_eq(key_of(&p->v[t[k]], ci), key, ci))
			return t[k];
	return SIZE_MAX;
}

const struct asm_person *
asm_people_match(const struct asm_people *p, const char *hibob_id, const char *email,
    const char **how)
{
	int indexed;

	if (how != NULL)
		*how = NULL;
	if (p == NULL)
		return NULL;
	indexed = p->nidx == p->n && p->n > 0 && p->by_hibob != NULL;
	if (!str_empty(hibob_id)) {
		size_t at = SIZE_MAX;
		if (indexed)
			at = index_find(p, p->by_hibob, p->nhibob, hibob_id, 0);
		else
			for (size_t i = 0; i < p->n && at == SIZE_MAX; i++)
				if (!p->v[i].deleted && str_eq(p->v[i].hibob_id, hibob_id))
					at = i;
		if (at != SIZE_MAX) {
			if (how != NULL)
				*how = "hibob id";
			return &p->v[at];
		}
	}
	if (!str_empty(email)) {
		size_t at = SIZE_MAX;
		if (indexed)
			at = index_find(p, p->by_email, p->nemail, email, 1);
		else
			for (size_t i = 0; i < p->n && at == SIZE_MAX; i++)
				if (!p->v[i].deleted && str_eq_ci(p->v[i].email, email))
					at = i;
		if (at != SIZE_MAX) {
			if (how != NULL)
				*how = "email";
			return &p->v[at];
		}
	}
	return NULL;
}

int
asm_marker_parse(const char *description, long long *request_id)
{
	const char *s = description;
	long long v;

	if (s == NULL)
		return 0;
	while ((s = strstr(s, "hibob:")) != NULL) {
		s += 6;
		if (*s < '0' || *s > '9')
			continue;
		v = 0;
		while (*s >= '0' && *s <= '9') {
			if (v > (0x7fffffffffffffffLL - 9) / 10)
				return 0;
			v = v * 10 + (*s++ - '0');
		}
		if (v > 0) {
			if (request_id != NULL)
				*request_id = v;
			return 1;
		}
	}
	return 0;
}

/* ---- freeing ---- */

void
asm_people_clear(struct asm_people *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		asm_person_clear(&p->v[i]);
	free(p->v);
	free(p->by_hibob);
	free(p->by_email);
	memset(p, 0, sizeof *p);
}

void
asm_activity_types_clear(struct asm_activity_types *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].id);
		free(t->v[i].name);
		free(t->v[i].short_name);
		free(t->v[i].import_id);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}
