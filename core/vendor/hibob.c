/* hibob.c - HiBob API client: fields, named lists, people, time off. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "vendor/hibob.h"
#include "net/http.h"
#include "base/jread.h"
#include "base/log.h"
#include "base/util.h"

#define BOB_MAX_FIELDS_PER_SEARCH 400
#define BOB_MAX_LIST_DEPTH 16
/* The people search answer is read as it arrives and has no size limit;
 * one person's record in it (or any other value of the answer) may be at
 * most this long.  A record is about 1.4 kB with a few dozen fields; 400
 * fields of long text stay far below. */
#define BOB_MAX_RECORD ((size_t)8 << 20)
#define BOB_CHANGES_WINDOW (180LL * 86400)	/* "at most 6 months": the shortest 6 calendar months are 181 days */

struct bob_client {
	struct http_client *http;	/* borrowed */
	char *base;			/* without trailing slash */
	char *user;			/* sodium_malloc'd */
	char *token;			/* sodium_malloc'd */
};

struct bob_client *
bob_client_new(struct http_client *http, const char *base_url,
    const char *service_user_id, const char *token)
{
	struct bob_client *c = xcalloc(1, sizeof *c);
	size_t n;

	c->http = http;
	c->base = xstrdup(base_url ? base_url : "https://api.hibob.com/v1");
	n = strlen(c->base);
	while (n > 0 && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	c->user = secret_dup(service_user_id);
	c->token = secret_dup(token);
	log_register_secret(c->token);
	log_register_basic_auth(c->user, c->token);
	http_set_pace(http, "hibob.search", 50, 60000, 10);
	http_set_pace(http, "hibob.fields", 50, 60000, 10);
	http_set_pace(http, "hibob.write", 60, 60000, 10);
	return c;
}

void
bob_client_free(struct bob_client **cp)
{
	struct bob_client *c;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	free(c->base);
	secret_free(&c->user);
	secret_free(&c->token);
	free(c);
	*cp = NULL;
}

/* A streamed answer's reader (http_request.sink). */
struct bob_sink {
	int (*fn)(void *ctx, const char *data, size_t len);
	void (*begin)(void *ctx);
	void *ctx;
};

/* One request to HiBob; path starts with '/'; sink may be NULL. */
static bs_rc
bob_request_to(struct bob_client *c, const char *method, const char *path,
    const char *body, const char *pace, int idempotent, const long *accept,
    size_t naccept, const struct bob_sink *sink, struct http_response *resp,
    struct bs_error *err)
{
	struct http_request req = { 0 };
	char *url = xasprintf("%s%s", c->base, path);
	bs_rc rc;

	if (sink != NULL) {
		req.sink = sink->fn;
		req.sink_begin = sink->begin;
		req.sink_ctx = sink->ctx;
	}
	req.method = method;
	req.url = url;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.username = c->user;
	req.password = c->token;
	req.pace_class = pace;
	req.idempotent = idempotent;
	req.accept_status = accept;
	req.naccept_status = naccept;
	rc = http_send(c->http, &req, resp, err);
	if (rc == BS_ERR_AUTH)
		bs_fail(err, rc, "HiBob did not accept the Service User ID or token. Check both "
		    "in Bob (Settings > Integrations > Service Users) and store them again: in the "
		    "console press k on the dashboard (Credentials), or run "
		    "'bobsync credentials set hibob'");
	else if (rc == BS_ERR_FORBIDDEN)
		bs_fail(err, rc, "HiBob refused access to %s: the service user's permission "
		    "group lacks a right this needs (In Bob: Settings > Permission Groups)", path);
	free(url);
	return rc;
}

static bs_rc
bob_request(struct bob_client *c, const char *method, const char *path,
    const char *body, const char *pace, int idempotent, const long *accept,
    size_t naccept, struct http_response *resp, struct bs_error *err)
{
	return bob_request_to(c, method, path, body, pace, idempotent, accept, naccept, NULL,
	    resp, err);
}

/* ---- enums ---- */

static const char *const toff_type_names[] = {
	"days", "hours", "portionOnRange", "hoursOnRange", "differentDayDurations",
	"specificHoursDayDurations", "differentSpecificHoursDayDurations",
	"percentageOnRange", "openEnded", "unknown"
};

/* What each kind of request is, in words a person reads. */
static const char *const toff_type_words_v[] = {
	"days", "hours", "part of each day", "hours over several days",
	"days of different lengths", "set hours each day", "different set hours each day",
	"a share of each day", "open-ended: no end date yet", "of an unknown kind"
};

const char *
toff_type_words(enum toff_type t)
{
	if ((unsigned)t > TOFF_TYPE_UNKNOWN)
		t = TOFF_TYPE_UNKNOWN;
	return toff_type_words_v[t];
}

enum toff_type
toff_type_parse(const char *s)
{
	if (s == NULL)
		return TOFF_TYPE_UNKNOWN;
	for (int i = 0; i < TOFF_TYPE_UNKNOWN; i++)
		if (strcasecmp(s, toff_type_names[i]) == 0)
			return (enum toff_type)i;
	return TOFF_TYPE_UNKNOWN;
}

const char *
toff_type_name(enum toff_type t)
{
	if ((unsigned)t > TOFF_TYPE_UNKNOWN)
		t = TOFF_TYPE_UNKNOWN;
	return toff_type_names[t];
}

enum toff_status
toff_status_parse(const char *s)
{
	if (s == NULL)
		return TOFF_STATUS_UNKNOWN;
	if (strcasecmp(s, "approved") == 0)
		return TOFF_APPROVED;
	if (strcasecmp(s, "pending") == 0)
		return TOFF_PENDING;
	if (strcasecmp(s, "canceled") == 0 || strcasecmp(s, "cancelled") == 0)
		return TOFF_CANCELED;
	if (strcasecmp(s, "disapproved") == 0 || strcasecmp(s, "declined") == 0 ||
	    strcasecmp(s, "rejected") == 0)
		return TOFF_DISAPPROVED;
	if (strcasecmp(s, "deleted") == 0)
		return TOFF_DELETED;
	return TOFF_STATUS_UNKNOWN;
}

const char *
toff_status_name(enum toff_status s)
{
	switch (s) {
	case TOFF_APPROVED: return "approved";
	case TOFF_PENDING: return "pending";
	case TOFF_CANCELED: return "canceled";
	case TOFF_DISAPPROVED: return "disapproved";
	case TOFF_DELETED: return "deleted";
	case TOFF_STATUS_UNKNOWN: break;
	}
	return "unknown";
}

enum toff_portion
toff_portion_parse(const char *s)
{
	if (s == NULL)
		return TOFF_PORTION_NONE;
	if (strcasecmp(s, "all_day") == 0 || strcasecmp(s, "allDay") == 0 ||
	    strcasecmp(s, "full_day") == 0)
		return TOFF_ALL_DAY;
	if (strcasecmp(s, "morning") == 0)
		return TOFF_MORNING;
	if (strcasecmp(s, "afternoon") == 0)
		return TOFF_AFTERNOON;
	return TOFF_PORTION_NONE;
}

/* ---- freeing ---- */

void
bob_fields_clear(struct bob_fields *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].id);
		free(f->v[i].name);
		free(f->v[i].category);
		free(f->v[i].category_name);
		free(f->v[i].type);
		free(f->v[i].list_id);
		free(f->v[i].json_path);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

static void
items_free(struct bob_list_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].id);
		free(items[i].name);
		items_free(items[i].children, items[i].nchildren);
	}
	free(items);
}

void
bob_list_clear(struct bob_list *l)
{
	if (l == NULL)
		return;
	free(l->name);
	items_free(l->items, l->n);
	memset(l, 0, sizeof *l);
}

void
bob_person_copy(struct bob_person *dst, const struct bob_person *src)
{
	*dst = *src;
	dst->packed = 0;
	dst->id = xstrdup(src->id);
	dst->email = xstrdup(src->email);
	dst->first_name = xstrdup(src->first_name);
	dst->surname = xstrdup(src->surname);
	dst->display_name = xstrdup(src->display_name);
	dst->department = xstrdup(src->department);
	dst->site = xstrdup(src->site);
	dst->start_date = xstrdup(src->start_date);
	dst->termination_date = xstrdup(src->termination_date);
	dst->lifecycle = xstrdup(src->lifecycle);
	dst->status = xstrdup(src->status);
	dst->lifecycle_id = xstrdup(src->lifecycle_id);
	dst->status_id = xstrdup(src->status_id);
	dst->access_value = xstrdup(src->access_value);
	dst->budgets = NULL;
	if (src->nbudgets > 0) {
		dst->budgets = xcalloc(src->nbudgets, sizeof *dst->budgets);
		for (size_t i = 0; i < src->nbudgets; i++) {
			dst->budgets[i] = src->budgets[i];
			dst->budgets[i].field = xstrdup(src->budgets[i].field);
		}
	}
}

void
bob_person_clear(struct bob_person *p)
{
	if (p == NULL)
		return;
	if (p->packed) {	/* the arena's */
		memset(p, 0, sizeof *p);
		return;
	}
	free(p->id);
	free(p->email);
	free(p->first_name);
	free(p->surname);
	free(p->display_name);
	free(p->department);
	free(p->site);
	free(p->start_date);
	free(p->termination_date);
	free(p->lifecycle);
	free(p->status);
	free(p->lifecycle_id);
	free(p->status_id);
	free(p->access_value);
	for (size_t i = 0; i < p->nbudgets; i++)
		free(p->budgets[i].field);
	free(p->budgets);
	memset(p, 0, sizeof *p);
}

void
bob_people_clear(struct bob_people *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		bob_person_clear(&p->v[i]);
	free(p->v);
	arena_clear(&p->text);
	for (size_t i = 0; i < p->nmissing; i++) {
		free(p->missing[i].field_id);
		free(p->missing[i].category_name);
	}
	free(p->missing);
	memset(p, 0, sizeof *p);
}

/* free(s) unless s is one of the strings in t's block */
static void
toff_str_free(const struct bob_timeoff *t, char *s)
{
	if (t->block == NULL || s < t->block || s >= t->block + t->blen)
		free(s);
}

void
bob_timeoff_clear(struct bob_timeoff *t)
{
	if (t == NULL)
		return;
	toff_str_free(t, t->employee_id);
	toff_str_free(t, t->employee_email);
	toff_str_free(t, t->employee_name);
	toff_str_free(t, t->policy_type);
	toff_str_free(t, t->type_raw);
	toff_str_free(t, t->status_raw);
	toff_str_free(t, t->change_type);
	free(t->durations);
	toff_str_free(t, t->time_zone);
	free(t->block);
	memset(t, 0, sizeof *t);
}

/* s as it is in dst's copy of src's block, or a copy of its own */
static char *
toff_str_copy(const struct bob_timeoff *src, struct bob_timeoff *dst, const char *s)
{
	if (s != NULL && src->block != NULL && s >= src->block && s < src->block + src->blen)
		return dst->block + (s - src->block);
	return xstrdup(s);
}

void
bob_timeoff_copy(struct bob_timeoff *dst, const struct bob_timeoff *src)
{
	*dst = *src;
	dst->block = NULL;
	if (src->block != NULL) {
		dst->block = xmalloc(src->blen);
		memcpy(dst->block, src->block, src->blen);
	}
	dst->employee_id = toff_str_copy(src, dst, src->employee_id);
	dst->employee_email = toff_str_copy(src, dst, src->employee_email);
	dst->employee_name = toff_str_copy(src, dst, src->employee_name);
	dst->policy_type = toff_str_copy(src, dst, src->policy_type);
	dst->type_raw = toff_str_copy(src, dst, src->type_raw);
	dst->status_raw = toff_str_copy(src, dst, src->status_raw);
	dst->change_type = toff_str_copy(src, dst, src->change_type);
	dst->time_zone = toff_str_copy(src, dst, src->time_zone);
	dst->durations = NULL;
	dst->ndurations = 0;
	if (src->ndurations > 0) {
		dst->durations = xcalloc(src->ndurations, sizeof *dst->durations);
		memcpy(dst->durations, src->durations, src->ndurations * sizeof *dst->durations);
		dst->ndurations = src->ndurations;
	}
}

void
bob_timeoff_str_set(struct bob_timeoff *t, char **field, const char *value)
{
	char *old = *field;

	*field = xstrdup(value);
	toff_str_free(t, old);
}

void
bob_timeoffs_clear(struct bob_timeoffs *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		bob_timeoff_clear(&t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

void
bob_strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- fields metadata ---- */

static char *
dup_str(const json_t *obj, const char *key)
{
	return xstrdup(json_str(obj, key));
}

bs_rc
bob_parse_fields(const char *json, size_t len, struct bob_fields *out, struct bs_error *err)
{
	json_t *root = util_json_parse(json, len, "HiBob field list", err);
	size_t i;
	json_t *f;

	memset(out, 0, sizeof *out);
	if (root == NULL)
		return BS_ERR_PARSE;
	if (!json_is_array(root)) {
		json_t *inner = json_object_get(root, "fields");	/* tolerate a wrapper */
		if (!json_is_array(inner)) {
			json_decref(root);
			return bs_fail(err, BS_ERR_PARSE, "HiBob field list: expected a JSON array");
		}
		json_incref(inner);
		json_decref(root);
		root = inner;
	}
	out->v = xcalloc(json_array_size(root) + 1, sizeof *out->v);
	json_array_foreach(root, i, f) {
		struct bob_field *d = &out->v[out->n];
		json_t *td;

		if (!json_is_object(f) || json_str(f, "id") == NULL)
			continue;
		d->id = dup_str(f, "id");
		d->name = dup_str(f, "name");
		d->category = xstrdup(json_str(f, "categoryId") ? json_str(f, "categoryId")
		    : json_str(f, "category"));
		if (d->category == NULL && json_is_integer(json_object_get(f, "categoryId")))
			d->category = json_id_dup(json_object_get(f, "categoryId"));
		d->category_name = dup_str(f, "categoryDisplayName");
		if (d->category_name == NULL)
			d->category_name = xstrdup(d->category);
		d->type = dup_str(f, "type");
		d->json_path = dup_str(f, "jsonPath");
		td = json_object_get(f, "typeData");
		if (json_is_object(td))
			d->list_id = json_id_dup(json_object_get(td, "listId"));
		d->historical = json_is_true(json_object_get(f, "historical"));
		out->n++;
	}
	json_decref(root);
	return BS_OK;
}

bs_rc
bob_get_fields(struct bob_client *c, struct bob_fields *out, struct bs_error *err)
{
	struct http_response resp = { 0 };
	bs_rc rc;

	memset(out, 0, sizeof *out);
	rc = bob_request(c, "GET", "/company/people/fields", NULL, "hibob.fields", 1,
	    NULL, 0, &resp, err);
	if (rc == BS_OK)
		rc = bob_parse_fields(resp.body, resp.body_len, out, err);
	http_response_clear(&resp);
	return rc;
}

/* ---- named lists ---- */

static bs_rc
parse_items(json_t *arr, int depth, struct bob_list_item **out, size_t *n,
    struct bs_error *err)
{
	size_t i;
	json_t *it;

	*out = NULL;
	*n = 0;
	if (!json_is_array(arr))
		return BS_OK;
	if (depth > BOB_MAX_LIST_DEPTH)
		return bs_fail(err, BS_ERR_PARSE, "HiBob list nests deeper than %d levels",
		    BOB_MAX_LIST_DEPTH);
	*out = xcalloc(json_array_size(arr) + 1, sizeof **out);
	json_array_foreach(arr, i, it) {
		struct bob_list_item *d = &(*out)[*n];
		const char *name;
		bs_rc rc;

		if (!json_is_object(it))
			continue;
		d->id = json_id_dup(json_object_get(it, "id"));
		if (d->id == NULL)
			continue;
		name = json_str(it, "value");
		if (name == NULL)
			name = json_str(it, "name");
		d->name = xstrdup(name ? name : "");
		d->archived = json_is_true(json_object_get(it, "archived"));
		(*n)++;
		rc = parse_items(json_object_get(it, "children"), depth + 1, &d->children,
		    &d->nchildren, err);
		if (rc != BS_OK)
			return rc;
	}
	return BS_OK;
}

bs_rc
bob_parse_list(const char *json, size_t len, struct bob_list *out, struct bs_error *err)
{
	json_t *root = util_json_parse(json, len, "HiBob named list", err);
	json_t *arr;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	if (root == NULL)
		return BS_ERR_PARSE;
	if (!json_is_object(root)) {
		json_decref(root);
		return bs_fail(err, BS_ERR_PARSE, "HiBob named list: expected a JSON object");
	}
	arr = json_object_get(root, "values");
	if (arr == NULL)
		arr = json_object_get(root, "items");
	out->name = dup_str(root, "name");
	rc = parse_items(arr, 0, &out->items, &out->n, err);
	json_decref(root);
	if (rc != BS_OK)
		bob_list_clear(out);
	return rc;
}

bs_rc
bob_get_list(struct bob_client *c, const char *list_name, struct bob_list *out,
    struct bs_error *err)
{
	struct http_response resp = { 0 };
	char *esc = url_escape(list_name);
	char *path = xasprintf("/company/named-lists/%s?includeArchived=false", esc);
	bs_rc rc;

	memset(out, 0, sizeof *out);
	rc = bob_request(c, "GET", path, NULL, "hibob.fields", 1, NULL, 0, &resp, err);
	if (rc == BS_ERR_NOT_FOUND)
		bs_fail(err, rc, "HiBob has no named list '%s'", list_name);
	if (rc == BS_OK)
		rc = bob_parse_list(resp.body, resp.body_len, out, err);
	http_response_clear(&resp);
	free(path);
	free(esc);
	return rc;
}

static const struct bob_list_item *
find_item(const struct bob_list_item *items, size_t n, const char *id, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const struct bob_list_item *r;
		if (id != NULL && str_eq(items[i].id, id))
			return &items[i];
		if (name != NULL && str_eq_ci(items[i].name, name))
			return &items[i];
		r = find_item(items[i].children, items[i].nchildren, id, name);
		if (r != NULL)
			return r;
	}
	return NULL;
}

const char *
bob_list_name_of(const struct bob_list *l, const char *item_id)
{
	const struct bob_list_item *it;

	if (l == NULL || item_id == NULL)
		return NULL;
	it = find_item(l->items, l->n, item_id, NULL);
	return it ? it->name : NULL;
}

const char *
bob_list_id_of(const struct bob_list *l, const char *name)
{
	const struct bob_list_item *it;

	if (l == NULL || name == NULL)
		return NULL;
	it = find_item(l->items, l->n, NULL, name);
	return it ? it->id : NULL;
}

/* ---- people ---- */

/* Field id "a.b.c" looked up by its nested form from cur, whose own name
 * was the segments before seg: the non-empty segments between dots, one
 * object down each.  NULL when a segment is absent. */
static const struct jnode *
field_walk(const struct jdoc *d, const struct jnode *cur, const char *seg)
{
	for (;;) {
		const char *dot;
		size_t sl;
		while (*seg == '.')
			seg++;
		if (*seg == '\0')
			return cur;
		dot = strchr(seg, '.');
		sl = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
		cur = jread_get(d, cur, seg, sl);	/* NULL when cur is not an object */
		if (cur == NULL)
			return NULL;
		seg += sl;
	}
}

/* The longest field id looked up: its flat form must fit a small buffer. */
#define FIELD_ID_MAX 510

/* field_value once the nested form is known to be absent: for root.x the
 * top-level obj[x], then the flat obj["/a/b/c"] (its .value when an
 * object). */
static const struct jnode *
field_other_forms(const struct jdoc *d, const struct jnode *emp, const char *id, size_t n)
{
	char path[FIELD_ID_MAX + 2];	/* '/', the id, NUL */
	const struct jnode *cur, *v;

	if (n >= 5 && memcmp(id, "root.", 5) == 0) {
		cur = jread_get(d, emp, id + 5, n - 5);
		if (cur != NULL)
			return cur;
	}
	path[0] = '/';
	for (size_t i = 0; i <= n; i++)
		path[i + 1] = id[i] == '.' ? '/' : id[i];
	cur = jread_get(d, emp, path, n + 1);
	v = jread_get(d, cur, "value", 5);
	return v != NULL ? v : cur;
}

/* The value of field id "a.b.c" in one employee object, in any of the three
 * forms HiBob returns: nested obj[a][b][c]; for root.x also top-level obj[x];
 * flat obj["/a/b/c"] (its .value when an object).  NULL when absent; a JSON
 * null when present without a value. */
static const struct jnode *
field_value(const struct jdoc *d, const struct jnode *emp, const char *id)
{
	const struct jnode *cur;
	size_t n = strlen(id);

	if (n == 0 || n > FIELD_ID_MAX)
		return NULL;
	cur = field_walk(d, emp, id);
	return cur != NULL ? cur : field_other_forms(d, emp, id, n);
}

/* An id: strings as they are, whole numbers formatted; NULL otherwise. */
static char *
id_dup(const struct jnode *v)
{
	if (v == NULL)
		return NULL;
	if (v->type == JT_STRING)
		return jread_strdup(v);
	if (v->type == JT_INT)
		return xasprintf("%lld", v->num.i);
	if (v->type == JT_REAL) {
		double r = v->num.r;
		/* only whole numbers a long long can hold: casting anything
		 * else is undefined (an id of 3.3e32 from a fuzzed response) */
		if (r >= -9.2e18 && r <= 9.2e18 && r == (double)(long long)r)
			return xasprintf("%lld", (long long)r);
	}
	return NULL;
}

/* ---- a person's values, kept in the people's arena ----
 *
 * Each value is first seen as text in place (a string without escapes is
 * read straight from the answer; an escaped one or a number is written to
 * a small buffer), then kept once in the arena: interned when it is the
 * kind of value that repeats from person to person (a department, a date,
 * a list item id), copied when it is one person's own (an id, an e-mail). */

struct text {
	const char *s;		/* NULL: no value */
	size_t n;
	char buf[64];
	char *heap;		/* a long escaped string */
};

static void
text_done(struct text *t)
{
	FREE(t->heap);
}

/* A string node's text; "" for an empty one. */
static int
string_text(const struct jnode *v, struct text *t)
{
	char *out;

	if (v == NULL || v->type != JT_STRING)
		return 0;
	if (!v->escaped) {
		t->s = v->s;
		t->n = v->slen;
		return 1;
	}
	out = v->slen < sizeof t->buf ? t->buf : (t->heap = xmalloc(v->slen + 1));
	t->n = jread_decode(v, out);
	t->s = out;
	return 1;
}

/* A scalar as text (strings as they are, numbers formatted, an object's
 * "name" or "value"); none for null, absent or an empty string. */
static int
scalar_text(const struct jdoc *d, const struct jnode *v, struct text *t)
{
	int n;

	t->s = NULL;
	t->heap = NULL;
	if (v == NULL)
		return 0;
	switch (v->type) {
	case JT_STRING:
		return v->slen ? string_text(v, t) : 0;
	case JT_INT:
		n = snprintf(t->buf, sizeof t->buf, "%lld", v->num.i);
		break;
	case JT_REAL:
		n = snprintf(t->buf, sizeof t->buf, "%g", v->num.r);
		break;
	case JT_OBJECT: {
		/* e.g. work.site may come as {"id":..,"name":..} */
		const struct jnode *s = jread_get(d, v, "name", 4);
		if (s == NULL || s->type != JT_STRING)
			s = jread_get(d, v, "value", 5);
		return string_text(s, t);
	}
	default:
		return 0;
	}
	t->s = t->buf;
	t->n = n > 0 ? (size_t)n : 0;
	return 1;
}

static char *
text_keep(struct arena *a, const struct text *t, int intern)
{
	if (t->s == NULL)
		return NULL;
	return intern ? (char *)arena_intern(a, t->s, t->n) : arena_strndup(a, t->s, t->n);
}

static char *
scalar_keep(struct arena *a, const struct jdoc *d, const struct jnode *v, int intern)
{
	struct text t;
	char *r;

	scalar_text(d, v, &t);
	r = text_keep(a, &t, intern);
	text_done(&t);
	return r;
}

/* Display value of a field from its node in the humanReadable object
 * (APPEND), else NULL ("" for an empty one).  hr: that object, for the
 * check that there is one. */
static char *
human_node_keep(struct arena *a, const struct jnode *hr, const struct jnode *v)
{
	struct text t = { .s = NULL };
	char *r;

	if (hr == NULL || hr->type != JT_OBJECT)
		return NULL;
	string_text(v, &t);
	r = text_keep(a, &t, 1);
	text_done(&t);
	return r;
}

/* An id node (string, whole number) kept in a: interned (a list item id,
 * which repeats) or copied (a person's own id); NULL when it is not one. */
static char *
id_keep(struct arena *a, const struct jnode *v, int intern)
{
	struct text t = { .s = NULL };
	char *s, *r;

	if (string_text(v, &t)) {
		r = text_keep(a, &t, intern);
		text_done(&t);
		return r;
	}
	s = id_dup(v);
	r = s == NULL ? NULL : intern ? (char *)arena_intern_str(a, s) : arena_strdup(a, s);
	free(s);
	return r;
}

/* The machine value of a possibly list-typed field: a list item id or a
 * word, never the humanReadable text.  An object gives its "id". */
static char *
machine_keep(struct arena *a, const struct jdoc *d, const struct jnode *v)
{
	char *r;

	if (v != NULL && v->type == JT_OBJECT) {
		r = id_keep(a, jread_get(d, v, "id", 2), 1);
		if (r != NULL)
			return r;
	}
	if (v != NULL && (v->type == JT_INT || v->type == JT_REAL ||
	    (v->type == JT_STRING && v->slen > 0))) {
		r = id_keep(a, v, 1);
		if (r != NULL)
			return r;
	}
	return scalar_keep(a, d, v, 1);	/* an empty id is no id */
}

/* Display text of a possibly list-typed field: its humanReadable node
 * (hv, in the object hr), else its own node v. */
static char *
display_keep(struct arena *a, const struct jdoc *d, const struct jnode *hr,
    const struct jnode *hv, const struct jnode *v)
{
	char *h = human_node_keep(a, hr, hv);

	if (h != NULL && *h != '\0')
		return h;
	return scalar_keep(a, d, v, 1);
}

/* Trimmed, ASCII case-insensitive equality with a word. */
static int
trimmed_is(const char *s, const char *word)
{
	size_t n, w = strlen(word);

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	    s[n - 1] == '\n'))
		n--;
	return n == w && strncasecmp(s, word, w) == 0;
}

static int
number_of(const struct jnode *v, double *out)
{
	if (v != NULL && v->type == JT_INT) {
		*out = (double)v->num.i;
		return 1;
	}
	if (v != NULL && v->type == JT_REAL) {
		*out = v->num.r;
		return 1;
	}
	return 0;
}

/* A date field as YYYY-MM-DD (a timestamp cut to its date), NULL when it
 * is not one ("08/09/2019" from humanReadable is not a date to trust). */
static char *
date_keep(struct arena *a, const struct jdoc *d, const struct jnode *v)
{
	struct text t;
	char s[12];
	int64_t day;

	if (!scalar_text(d, v, &t))
		return NULL;
	/* date_parse reads 11 bytes at most: the 11th says whether more follows */
	memcpy(s, t.s, t.n < 11 ? t.n : 11);
	s[t.n < 11 ? t.n : 11] = '\0';
	text_done(&t);
	if (date_parse(s, &day) < 0)
		return NULL;
	s[10] = '\0';	/* "2026-01-01T00:00:00" -> date */
	return (char *)arena_intern(a, s, 10);
}

/* A member name and its length, for the tables of names looked for. */
struct member_name {
	const char *name;
	size_t len;
};
#define MEMBER(s) { s, sizeof s - 1 }

/* The members a person is made of, found in one walk over the employee
 * object, and those of its work and internal objects (and of their
 * humanReadable twins) in one walk each; a field is then a pointer, and
 * field_value's other forms (a top-level root field, a flat "/a/b" form)
 * are looked for only when the nested one is absent, so that the answer
 * is field_value's always.  The root fields (E_ID on) come in the order of
 * root_ids. */
enum { E_ROOT, E_WORK, E_INTERNAL, E_HR, E_ID, E_EMAIL, E_FIRST, E_SURNAME, E_DISPLAY, E_FULL,
	E_COUNT };
enum { R_ID, R_EMAIL, R_FIRST, R_SURNAME, R_DISPLAY, R_FULL };
enum { W_DEPARTMENT, W_SITE, W_START, W_COUNT };
enum { I_LIFECYCLE, I_STATUS, I_TERMINATION, I_COUNT };

static const struct member_name emp_names[E_COUNT] = {
	MEMBER("root"), MEMBER("work"), MEMBER("internal"), MEMBER("humanReadable"),
	MEMBER("id"), MEMBER("email"), MEMBER("firstName"), MEMBER("surname"),
	MEMBER("displayName"), MEMBER("fullName"),
};
static const char *const root_ids[] = { "root.id", "root.email", "root.firstName",
	"root.surname", "root.displayName", "root.fullName" };

/* The standard fields every people read asks for (unless it names its
 * own), by F_*. */
enum { F_ID, F_EMAIL, F_FIRST, F_SURNAME, F_DISPLAY, F_DEPARTMENT, F_SITE, F_START,
	F_LIFECYCLE, F_STATUS, F_TERMINATION, F_COUNT };
static const char *const base_fields[F_COUNT] = {
	"root.id", "root.email", "root.firstName", "root.surname", "root.displayName",
	"work.department", "work.site", "work.startDate",
	"internal.lifecycleStatus", "internal.status", "internal.terminationDate",
};

struct emp_view {
	const struct jdoc *d;
	const struct jnode *emp, *m[E_COUNT], *hr_work, *hr_internal;
	/* the members of work and internal: [0] in the employee, [1] in
	 * humanReadable */
	const struct jnode *w[2][W_COUNT], *in[2][I_COUNT];
};

/* The employee's own members named in emp_names, by length first: the
 * walk over a person's twenty-odd members is a switch, not ten compares
 * a member.  jread refuses a repeated name, so each is the member
 * jread_get would find. */
static void
pick_emp(const struct jdoc *d, const struct jnode *emp, const struct jnode **m)
{
#define IS(s) (memcmp(e->key, s, sizeof s - 1) == 0)
	for (int k = 0; k < E_COUNT; k++)
		m[k] = NULL;
	for (const struct jnode *e = jread_first(d, emp); e != NULL; e = jread_next(d, emp, e)) {
		int k = -1;

		switch (e->klen) {
		case 2: k = IS("id") ? E_ID : -1; break;
		case 4: k = IS("work") ? E_WORK : IS("root") ? E_ROOT : -1; break;
		case 5: k = IS("email") ? E_EMAIL : -1; break;
		case 7: k = IS("surname") ? E_SURNAME : -1; break;
		case 8: k = IS("internal") ? E_INTERNAL : IS("fullName") ? E_FULL : -1; break;
		case 9: k = IS("firstName") ? E_FIRST : -1; break;
		case 11: k = IS("displayName") ? E_DISPLAY : -1; break;
		case 13: k = IS("humanReadable") ? E_HR : -1; break;
		default: break;
		}
		if (k >= 0)
			m[k] = e;
	}
#undef IS
}

/* The members of a work object (internal 0) or an internal one (1) named
 * in base_fields (after the dot), by length in a switch as pick_emp;
 * all NULL when obj is not an object. */
static void
pick_object(const struct jdoc *d, const struct jnode *obj, int internal, const struct jnode **m)
{
#define IS(s) (memcmp(e->key, s, sizeof s - 1) == 0)
	m[0] = m[1] = m[2] = NULL;	/* W_COUNT == I_COUNT == 3 */
	if (obj == NULL || obj->type != JT_OBJECT)
		return;
	for (const struct jnode *e = jread_first(d, obj); e != NULL; e = jread_next(d, obj, e)) {
		int k = -1;

		if (!internal) {
			switch (e->klen) {
			case 10: k = IS("department") ? W_DEPARTMENT : -1; break;
			case 4: k = IS("site") ? W_SITE : -1; break;
			case 9: k = IS("startDate") ? W_START : -1; break;
			default: break;
			}
		} else {
			switch (e->klen) {
			case 15: k = IS("lifecycleStatus") ? I_LIFECYCLE :
			    IS("terminationDate") ? I_TERMINATION : -1; break;
			case 6: k = IS("status") ? I_STATUS : -1; break;
			default: break;
			}
		}
		if (k >= 0)
			m[k] = e;
	}
#undef IS
}

static void
emp_view_read(struct emp_view *v, const struct jdoc *d, const struct jnode *emp)
{
	const struct jnode *hr;

	v->d = d;
	v->emp = emp;
	pick_emp(d, emp, v->m);
	hr = v->m[E_HR];
	v->hr_work = v->hr_internal = NULL;
	if (hr != NULL && hr->type == JT_OBJECT) {
		v->hr_work = jread_get(d, hr, "work", 4);
		v->hr_internal = jread_get(d, hr, "internal", 8);
	}
	pick_object(d, v->m[E_WORK], 0, v->w[0]);
	pick_object(d, v->m[E_INTERNAL], 1, v->in[0]);
	pick_object(d, v->hr_work, 0, v->w[1]);
	pick_object(d, v->hr_internal, 1, v->in[1]);
}

/* root.<name>: field_value's order (nested, top level, flat). */
static const struct jnode *
view_root(const struct emp_view *v, int i)
{
	const struct member_name *name = &emp_names[E_ID + i];
	const struct jnode *n = v->m[E_ROOT] != NULL ?
	    jread_get(v->d, v->m[E_ROOT], name->name, name->len) : NULL;

	if (n == NULL)
		n = v->m[E_ID + i];
	return n != NULL ? n : field_value(v->d, v->emp, root_ids[i]);
}

/* Field id in the employee (side 0) or in its humanReadable object (side
 * 1, which must be an object): field_value, with the first step of a
 * work, internal or root field taken from the members picked already. */
static const struct jnode *
view_field(const struct emp_view *v, int side, const char *id)
{
	const struct jnode *top = side ? v->m[E_HR] : v->emp, *first, *cur;
	size_t skip, n;

	if (strncmp(id, "work.", 5) == 0) {
		first = side ? v->hr_work : v->m[E_WORK];
		skip = 5;
	} else if (strncmp(id, "internal.", 9) == 0) {
		first = side ? v->hr_internal : v->m[E_INTERNAL];
		skip = 9;
	} else if (!side && strncmp(id, "root.", 5) == 0) {
		first = v->m[E_ROOT];
		skip = 5;
	} else {
		return field_value(v->d, top, id);
	}
	n = strlen(id);
	if (n > FIELD_ID_MAX)
		return NULL;	/* as field_value */
	cur = first != NULL ? field_walk(v->d, first, id + skip) : NULL;
	return cur != NULL ? cur : field_other_forms(v->d, top, id, n);
}

/* A picked member of work or internal, else the field's other forms. */
static const struct jnode *
view_member(const struct emp_view *v, int side, const struct jnode *picked, const char *id)
{
	if (picked != NULL)
		return picked;
	return field_other_forms(v->d, side ? v->m[E_HR] : v->emp, id, strlen(id));
}

/* A display field (department, site, lifecycle, status): humanReadable's
 * text, else the field's own; its own node in *own. */
static char *
view_display(struct arena *a, const struct emp_view *v, const struct jnode *const pick[2],
    const char *id, const struct jnode **own)
{
	const struct jnode *hv = NULL, *hr = v->m[E_HR];

	*own = view_member(v, 0, pick[0], id);
	if (hr != NULL && hr->type == JT_OBJECT)
		hv = view_member(v, 1, pick[1], id);
	return display_keep(a, v->d, hr, hv, *own);
}

static void
read_access(struct arena *a, const struct emp_view *ev, const struct bob_people_query *q,
    struct bob_person *p)
{
	const struct jdoc *d = ev->d;
	const struct jnode *hr = ev->m[E_HR];
	const struct jnode *v;
	const char *name = NULL;
	char *raw;

	if (q == NULL || q->access_field_id == NULL) {
		p->access = BOB_ACCESS_UNREADABLE;
		return;
	}
	v = view_field(ev, 0, q->access_field_id);
	if (v == NULL) {
		p->access = BOB_ACCESS_UNREADABLE;
		return;
	}
	if (v->type == JT_ARRAY) {	/* multi-list: take the single value */
		const struct jnode *first = jread_first(d, v);
		v = first != NULL && jread_next(d, v, first) == NULL ? first : NULL;
	}
	raw = scalar_keep(a, d, v, 1);
	if (raw == NULL) {
		p->access = BOB_ACCESS_UNSET;
		return;
	}
	if (q->access_list != NULL)
		name = bob_list_name_of(q->access_list, raw);
	if (name == NULL && hr != NULL && hr->type == JT_OBJECT)
		name = human_node_keep(a, hr, view_field(ev, 1, q->access_field_id));
	if (name == NULL)
		name = raw;	/* already a display value */
	p->access_value = (char *)arena_intern_str(a, name);
	if (trimmed_is(name, "yes"))
		p->access = BOB_ACCESS_YES;
	else if (trimmed_is(name, "no"))
		p->access = BOB_ACCESS_NO;
	else
		p->access = BOB_ACCESS_OTHER;
}

static void
read_budgets(struct arena *a, const struct emp_view *ev, const struct bob_people_query *q,
    struct bob_person *p)
{
	const struct jdoc *d = ev->d;

	if (q == NULL || q->nbudget == 0)
		return;
	p->budgets = arena_alloc(a, q->nbudget * sizeof *p->budgets);
	p->nbudgets = q->nbudget;
	for (size_t i = 0; i < q->nbudget; i++) {
		const struct jnode *v = view_field(ev, 0, q->budget_field_ids[i]);
		struct bob_budget *b = &p->budgets[i];

		b->field = (char *)arena_intern_str(a, q->budget_field_names ?
		    q->budget_field_names[i] : q->budget_field_ids[i]);
		if (number_of(v, &b->amount)) {
			b->set = 1;
		} else if (v != NULL && v->type == JT_STRING && v->slen > 0) {
			char *s = jread_strdup(v), *end;
			double x = strtod(s, &end);
			if (*end == '\0') {
				b->amount = x;
				b->set = 1;
			}
			free(s);
		} else if (v != NULL && v->type == JT_OBJECT &&
		    number_of(jread_get(d, v, "value", 5), &b->amount)) {
			b->set = 1;	/* currency */
		}
	}
}

/* The standard fields a read asked for, as bits (1 << F_*): a field not
 * asked for is not looked for in its three forms (a plan's read has no
 * department; the time-off side's reads neither names nor work fields). */
#define F_ALL ((1u << F_COUNT) - 1)

static unsigned
asked_fields(const char *const *want, size_t nwant)
{
	unsigned m = 0;

	for (size_t i = 0; i < nwant; i++)
		for (unsigned k = 0; k < F_COUNT; k++)
			if (strcmp(want[i], base_fields[k]) == 0)
				m |= 1u << k;
	return m;
}

/* Convert one employee object, its strings into a; asked: the F_* bits of
 * the fields asked for. */
static void
person_from_doc(struct arena *a, const struct jdoc *d, const struct jnode *emp,
    const struct bob_people_query *q, unsigned asked, struct bob_person *p)
{
	struct emp_view v;
	const struct jnode *own, *pick[2];

	memset(p, 0, sizeof *p);
	p->packed = 1;
	emp_view_read(&v, d, emp);
	p->id = id_keep(a, view_root(&v, R_ID), 0);
	if (p->id == NULL)
		return;	/* unusable: nothing kept */
#define ASKED(k) (asked & (1u << (k)))
	if (ASKED(F_EMAIL))
		p->email = scalar_keep(a, d, view_root(&v, R_EMAIL), 0);
	if (ASKED(F_FIRST))
		p->first_name = scalar_keep(a, d, view_root(&v, R_FIRST), 1);
	if (ASKED(F_SURNAME))
		p->surname = scalar_keep(a, d, view_root(&v, R_SURNAME), 0);
	if (ASKED(F_DISPLAY)) {
		p->display_name = scalar_keep(a, d, view_root(&v, R_DISPLAY), 0);
		if (p->display_name == NULL)
			p->display_name = scalar_keep(a, d, view_root(&v, R_FULL), 0);
	}
#define PICK(arr, k) (pick[0] = v.arr[0][k], pick[1] = v.arr[1][k], pick)
	if (ASKED(F_DEPARTMENT))
		p->department = view_display(a, &v, PICK(w, W_DEPARTMENT), base_fields[F_DEPARTMENT],
		    &own);
	if (ASKED(F_SITE))
		p->site = view_display(a, &v, PICK(w, W_SITE), base_fields[F_SITE], &own);
	if (ASKED(F_START))
		p->start_date = date_keep(a, d, view_member(&v, 0, v.w[0][W_START],
		    base_fields[F_START]));
	if (ASKED(F_TERMINATION))
		p->termination_date = date_keep(a, d, view_member(&v, 0, v.in[0][I_TERMINATION],
		    base_fields[F_TERMINATION]));
	if (ASKED(F_LIFECYCLE)) {
		p->lifecycle = view_display(a, &v, PICK(in, I_LIFECYCLE),
		    base_fields[F_LIFECYCLE], &own);
		p->lifecycle_id = machine_keep(a, d, own);
	}
	if (ASKED(F_STATUS)) {
		p->status = view_display(a, &v, PICK(in, I_STATUS), base_fields[F_STATUS], &own);
		p->status_id = machine_keep(a, d, own);
	}
#undef PICK
#undef ASKED
	read_access(a, &v, q, p);
	read_budgets(a, &v, q, p);
}

struct field_set {
	const char **v;		/* borrowed strings */
	size_t n;
};

static void
fs_add(struct field_set *fs, const char *id)
{
	if (id == NULL || *id == '\0')
		return;
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i], id) == 0)
			return;
	fs->v = xreallocarray(fs->v, fs->n + 1, sizeof *fs->v);
	fs->v[fs->n++] = id;
}

static void
query_fields(const struct bob_people_query *q, struct field_set *fs)
{
	memset(fs, 0, sizeof *fs);
	if (q != NULL && q->only_fields != NULL) {
		fs_add(fs, "root.id");
		for (size_t i = 0; i < q->nonly; i++)
			fs_add(fs, q->only_fields[i]);
	} else {
		for (size_t i = 0; i < ARRAY_LEN(base_fields); i++)
			fs_add(fs, base_fields[i]);
	}
	if (q == NULL)
		return;
	fs_add(fs, q->access_field_id);
	for (size_t i = 0; i < q->nbudget; i++)
		fs_add(fs, q->budget_field_ids[i]);
	for (size_t i = 0; i < q->nextra; i++)
		fs_add(fs, q->extra_fields[i]);
}

/* Walk the elements of the array under key `key` of a top-level JSON object
 * (or of a top-level array) one at a time, without building the whole
 * tree: each element is parsed into d (reused) and handed to fn.  Returns 0;
 * -1 when the text is not shaped as expected (the caller then falls back to
 * a full parse for a precise error), when an element is not valid JSON
 * (d->err set) or when fn returned < 0.  *found says whether key was seen. */
typedef int (*elem_fn)(void *ctx, const struct jdoc *d, const struct jnode *elem);

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* End of the JSON value starting at p (which is not whitespace), or NULL;
 * a loose skip for the members around the array. */
static const char *
value_end(const char *p, const char *end)
{
	int depth = 0;
	int in_str = 0;

	if (p >= end)
		return NULL;
	if (*p != '{' && *p != '[' && *p != '"') {
		while (p < end && *p != ',' && *p != ']' && *p != '}' && *p != ' ' &&
		    *p != '\n' && *p != '\r' && *p != '\t')
			p++;
		return p;
	}
	for (; p < end; p++) {
		char ch = *p;
		if (in_str) {
			if (ch == '\\')
				p++;
			else if (ch == '"') {
				in_str = 0;
				if (depth == 0)
					return p + 1;
			}
			continue;
		}
		if (ch == '"')
			in_str = 1;
		else if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']') {
			if (--depth == 0)
				return p + 1;
			if (depth < 0)
				return NULL;
		}
	}
	return NULL;
}

/* The array at p; *after is set past its closing bracket. */
static int
scan_array(struct jdoc *d, const char *p, const char *end, elem_fn fn, void *ctx,
    const char **after)
{
	p = skip_ws(p, end);
	if (p >= end || *p != '[')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == ']') {
		*after = p + 1;
		return 0;
	}
	for (;;) {
		size_t used;

		if (jread_parse(d, p, (size_t)(end - p), &used) < 0)
			return -1;
		if (fn(ctx, d, jread_root(d)) < 0)
			return -1;
		p = skip_ws(p + used, end);
		if (p >= end)
			return -1;
		if (*p == ']') {
			*after = p + 1;
			return 0;
		}
		if (*p != ',')
			return -1;
		p = skip_ws(p + 1, end);
	}
}

static int
scan_object_array(struct jdoc *d, const char *buf, size_t len, const char *key, elem_fn fn,
    void *ctx, int *found)
{
	const char *p = buf, *end = buf + len;
	size_t klen = strlen(key);

	*found = 0;
	p = skip_ws(p, end);
	if (p < end && *p == '[')
		return scan_array(d, p, end, fn, ctx, &p);	/* bare array */
	if (p >= end || *p != '{')
		return -1;
	p = skip_ws(p + 1, end);
	while (p < end && *p != '}') {
		const char *ke, *ve;
		int match;

		if (*p != '"')
			return -1;
		ke = value_end(p, end);
		if (ke == NULL)
			return -1;
		match = (size_t)(ke - p) == klen + 2 && memcmp(p + 1, key, klen) == 0;
		p = skip_ws(ke, end);
		if (p >= end || *p != ':')
			return -1;
		p = skip_ws(p + 1, end);
		if (match) {
			*found = 1;
			if (scan_array(d, p, end, fn, ctx, &ve) < 0)
				return -1;
		} else {
			ve = value_end(p, end);
			if (ve == NULL)
				return -1;
		}
		p = skip_ws(ve, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	return p < end ? 0 : -1;
}

struct people_ctx {
	const struct bob_people_query *q;
	struct bob_people *out;
	struct arena scratch;	/* with q->each: the person being handed over */
	size_t cap;
	/* which requested fields were seen for anyone */
	const char **want;
	unsigned char *seen;
	size_t nwant;
	unsigned asked;		/* asked_fields of want */
	struct bs_error *err;
	bs_rc rc;
	/* told how many people have come, as they come (a big company's
	 * answer takes seconds); NULL: nobody listens */
	const struct bs_progress *progress;
	struct bs_progress_event *ev;
};

/* Every so many people read (bob_people_query.progress_every), the count
 * to whoever listens. */
static void
people_tick(struct people_ctx *ctx)
{
	size_t step = ctx->q != NULL && ctx->q->progress_every > 0 ? ctx->q->progress_every :
	    BOB_PROGRESS_PEOPLE;

	if (ctx->progress == NULL || ctx->out->nread % step != 0)
		return;
	ctx->ev->done = ctx->out->nread;
	/* stopping is the HTTP layer's cancel hook's (it ends the transfer
	 * cleanly); this only tells */
	(void)bs_progress_report(ctx->progress, ctx->ev);
}

/* A \u0000 or a lone surrogate in any of their values: held by the
 * rules, the others still read. */
static int
record_damaged(const struct jdoc *d, const struct jnode *emp)
{
	if (emp == d->v && emp->end == d->n)
		return d->damaged != 0;	/* the whole parse: counted while parsing */
	for (size_t k = (size_t)(emp - d->v); k < emp->end && k < d->n; k++)
		if (d->v[k].type == JT_STRING && (d->v[k].escaped & JREAD_DAMAGED))
			return 1;
	return 0;
}

static int
people_elem(void *vctx, const struct jdoc *d, const struct jnode *emp)
{
	struct people_ctx *ctx = vctx;
	struct bob_person *dst;

	if (emp == NULL || emp->type != JT_OBJECT)
		return 0;	/* ignore non-objects */
	for (size_t i = 0; i < ctx->nwant; i++)
		if (!ctx->seen[i] && field_value(d, emp, ctx->want[i]) != NULL)
			ctx->seen[i] = 1;
	if (ctx->q != NULL && ctx->q->each != NULL) {
		struct bob_person one;
		if (ctx->scratch.bytes > (1u << 20))
			arena_reset(&ctx->scratch);	/* now and then */
		ctx->scratch.copy_only = 1;	/* handed over, then dropped */
		person_from_doc(&ctx->scratch, d, emp, ctx->q, ctx->asked, &one);
		if (one.id == NULL)
			return 0;
		one.damaged = record_damaged(d, emp);
		ctx->out->nread++;
		ctx->q->each(ctx->q->each_ctx, &one);
		people_tick(ctx);
		return 0;
	}
	if (ctx->out->n == ctx->cap) {
		ctx->cap = ctx->cap ? ctx->cap * 2 : 256;
		ctx->out->v = xreallocarray_big(ctx->out->v, ctx->out->n, ctx->cap,
		    sizeof *ctx->out->v);
	}
	dst = &ctx->out->v[ctx->out->n];
	person_from_doc(&ctx->out->text, d, emp, ctx->q, ctx->asked, dst);
	if (dst->id == NULL)
		return 0;	/* an employee without an id is unusable */
	dst->damaged = record_damaged(d, emp);
	ctx->out->n++;
	ctx->out->nread++;
	people_tick(ctx);
	return 0;
}

/* The end of one search (or single read) answer that went through js.
 * text/tlen: the whole answer when it is at hand (or NULL), for a bare
 * employee object (a single read) and for Jansson's word on bad JSON. */
static bs_rc
people_end(struct jstream *js, struct people_ctx *ctx, const char *text, size_t tlen)
{
	struct jdoc d = { 0 };
	json_t *root;
	char why[sizeof d.err];

	if (jstream_finish(js) == 0 && js->found)
		return ctx->rc;
	if (ctx->rc != BS_OK)
		return ctx->rc;
	if (js->found || text == NULL || tlen == 0)
		return bs_fail(ctx->err, BS_ERR_PARSE, "HiBob people: %s", js->err);
	/* Not the {"employees":[...]} shape: a bare employee object (single
	 * read), or something wrong. */
	if (jread_parse(&d, text, tlen, NULL) == 0) {
		const struct jnode *r = jread_root(&d);
		if (r->type == JT_OBJECT && jread_get(&d, r, "employees", 9) == NULL &&
		    field_value(&d, r, "root.id") != NULL) {
			people_elem(ctx, &d, r);
			jread_clear(&d);
			return ctx->rc;
		}
		jread_clear(&d);
		return bs_fail(ctx->err, BS_ERR_PARSE,
		    "HiBob people: the response has no \"employees\" list");
	}
	snprintf(why, sizeof why, "%s", d.err);
	jread_clear(&d);
	/* Jansson's message says where the text went wrong */
	root = util_json_parse(text, tlen, "HiBob people", ctx->err);
	if (root == NULL)
		return BS_ERR_PARSE;
	json_decref(root);
	return bs_fail(ctx->err, BS_ERR_PARSE, "HiBob people: %s", why);
}

/* Whether a person's member-name table is worth building: a person's own
 * members are picked in one walk (pick_emp), so only a read of many fields,
 * each looked up by name while nobody has come with it yet, needs one. */
static int
people_index(const struct people_ctx *ctx)
{
	return ctx->nwant > 24;
}

/* Parse one whole search (or single read) response, appending to out. */
static bs_rc
parse_people_into(const char *json, size_t len, struct people_ctx *ctx)
{
	struct jstream js;
	bs_rc rc;

	ctx->rc = BS_OK;
	if (json == NULL || len == 0)
		return bs_fail(ctx->err, BS_ERR_PARSE, "HiBob people: empty response");
	jstream_init(&js, "employees", BOB_MAX_RECORD, people_elem, ctx);
	js.doc.index = people_index(ctx);
	(void)jstream_feed(&js, json, len);
	rc = people_end(&js, ctx, json, len);
	jstream_clear(&js);
	return rc;
}

static void
people_ctx_init(struct people_ctx *ctx, const struct bob_people_query *q,
    struct bob_people *out, const struct field_set *fs, struct bs_error *err)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->q = q;
	ctx->out = out;
	ctx->cap = out->n;
	ctx->want = fs->v;
	ctx->nwant = fs->n;
	ctx->asked = asked_fields(fs->v, fs->n);
	ctx->seen = xcalloc(fs->n + 1, 1);
	ctx->err = err;
}

/* Record the requested fields no one came back with. */
static void
people_ctx_finish(struct people_ctx *ctx)
{
	struct bob_people *out = ctx->out;

	arena_clear(&ctx->scratch);
	if (out->nread == 0) {
		free(ctx->seen);
		return;	/* nobody visible: nothing can be said per field */
	}
	for (size_t i = 0; i < ctx->nwant; i++) {
		if (ctx->seen[i])
			continue;
		out->missing = xreallocarray(out->missing, out->nmissing + 1, sizeof *out->missing);
		out->missing[out->nmissing].field_id = xstrdup(ctx->want[i]);
		out->missing[out->nmissing].category_name = NULL;
		out->nmissing++;
	}
	free(ctx->seen);
}

bs_rc
bob_parse_people(const char *json, size_t len, const struct bob_people_query *q,
    struct bob_people *out, struct bs_error *err)
{
	struct field_set fs;
	struct people_ctx ctx;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	query_fields(q, &fs);
	people_ctx_init(&ctx, q, out, &fs, err);
	rc = parse_people_into(json, len, &ctx);
	if (rc == BS_OK)
		people_ctx_finish(&ctx);
	else {
		free(ctx.seen);
		arena_clear(&ctx.scratch);
		bob_people_clear(out);
	}
	free(fs.v);
	return rc;
}

/* Build the search body for fields [from, to) of fs. */
static char *
search_body(const struct field_set *fs, size_t from, size_t to,
    const char *filter_path, const char *const *filter_values, size_t nvalues)
{
	json_t *body = json_object(), *fields = json_array();
	char *s;

	for (size_t i = from; i < to; i++)
		json_array_append_new(fields, json_string(fs->v[i]));
	json_object_set_new(body, "fields", fields);
	json_object_set_new(body, "showInactive", json_true());
	json_object_set_new(body, "humanReadable", json_string("APPEND"));
	if (filter_path != NULL && nvalues > 0) {
		json_t *f = json_object(), *vals = json_array(), *filters = json_array();
		for (size_t i = 0; i < nvalues; i++)
			json_array_append_new(vals, json_string(filter_values[i]));
		json_object_set_new(f, "fieldPath", json_string(filter_path));
		json_object_set_new(f, "operator", json_string("equals"));
		json_object_set_new(f, "values", vals);
		json_array_append_new(filters, f);
		json_object_set_new(body, "filters", filters);	/* never an empty list */
	}
	s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (s == NULL)
		abort();
	return s;
}

/* Merge people read with a later chunk of fields into the first chunk's
 * people (same ids), re-reading those fields from the later response. */
struct merge_ctx {
	const struct bob_people_query *q;
	struct bob_people *out;
	const char **want;
	unsigned char *seen;
	size_t nwant;
	struct bob_person **by_id;	/* out's people sorted by id */
	struct bs_error *err;
	bs_rc rc;
};

static int
cmp_person_id(const void *a, const void *b)
{
	return strcmp((*(struct bob_person *const *)a)->id, (*(struct bob_person *const *)b)->id);
}

static struct bob_person *
merge_find(const struct merge_ctx *ctx, const char *id)
{
	size_t lo = 0, hi = ctx->out->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct bob_person *p = ctx->by_id[mid];
		int c = strcmp(p->id, id);
		if (c == 0)
			return p;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
merge_elem(void *vctx, const struct jdoc *d, const struct jnode *emp)
{
	struct merge_ctx *ctx = vctx;
	struct bob_person tmp, *dst;
	char *id;

	if (emp == NULL || emp->type != JT_OBJECT)
		return 0;
	for (size_t i = 0; i < ctx->nwant; i++)
		if (!ctx->seen[i] && field_value(d, emp, ctx->want[i]) != NULL)
			ctx->seen[i] = 1;
	id = id_dup(field_value(d, emp, "root.id"));
	dst = id != NULL ? merge_find(ctx, id) : NULL;
	free(id);
	if (dst == NULL)
		return 0;
	/* dst is packed in the same arena: tmp's strings go there too */
	person_from_doc(&ctx->out->text, d, emp, ctx->q, F_ALL, &tmp);
	/* take what the later chunk carries */
	if (ctx->q->access_field_id != NULL && tmp.access != BOB_ACCESS_UNREADABLE &&
	    dst->access == BOB_ACCESS_UNREADABLE) {
		dst->access = tmp.access;
		dst->access_value = tmp.access_value;
	}
	for (size_t b = 0; b < tmp.nbudgets && b < dst->nbudgets; b++)
		if (tmp.budgets[b].set && !dst->budgets[b].set)
			dst->budgets[b] = (struct bob_budget){ dst->budgets[b].field,
			    tmp.budgets[b].amount, 1 };
	bob_person_clear(&tmp);
	return 0;
}

/* One search answer read as it arrives, into people (ctx) or merged into
 * the people already read (merge). */
struct search_reader {
	struct jstream js;
	struct people_ctx *ctx;
	size_t n0, nread0;	/* people before this answer */
	unsigned char *seen0;	/* ctx->seen before it */
};

/* A new attempt: forget what an earlier one read. */
static void
search_begin(void *v)
{
	struct search_reader *r = v;

	jstream_reset(&r->js);
	if (r->ctx == NULL)
		return;	/* merging the same answer again changes nothing */
	while (r->ctx->out->n > r->n0)
		bob_person_clear(&r->ctx->out->v[--r->ctx->out->n]);
	r->ctx->out->nread = r->nread0;
	if (r->ctx->q != NULL && r->ctx->q->each != NULL && r->ctx->q->each_reset != NULL)
		r->ctx->q->each_reset(r->ctx->q->each_ctx);
	memcpy(r->ctx->seen, r->seen0, r->ctx->nwant);
	r->ctx->rc = BS_OK;
}

static int
search_piece(void *v, const char *data, size_t len)
{
	struct search_reader *r = v;

	return jstream_feed(&r->js, data, len) == 0 ? 0 : (int)BS_ERR_PARSE;
}

/* POST /people/search with body, its answer read by fn (people_elem with
 * a people_ctx, merge_elem with a merge_ctx) as it arrives.  The answer
 * is not kept: only the record being read is. */
static bs_rc
search_once(struct bob_client *c, const char *body, jstream_fn fn, void *fctx,
    struct people_ctx *ctx, struct bs_error *err)
{
	struct search_reader r = { .ctx = ctx };
	struct bob_sink sink = { search_piece, search_begin, &r };
	struct http_response resp = { 0 };
	bs_rc rc;

	jstream_init(&r.js, "employees", BOB_MAX_RECORD, fn, fctx);
	r.js.doc.index = ctx == NULL || people_index(ctx);	/* a merge looks up every field */
	r.js.keep_head = ctx != NULL;	/* a bare employee object is read as one */
	if (ctx != NULL) {
		r.n0 = ctx->out->n;
		r.nread0 = ctx->out->nread;
		if (ctx->q != NULL && ctx->q->each != NULL && ctx->q->each_mark != NULL)
			ctx->q->each_mark(ctx->q->each_ctx);
		r.seen0 = xmalloc(ctx->nwant + 1);
		memcpy(r.seen0, ctx->seen, ctx->nwant);
		ctx->rc = BS_OK;
	}
	rc = bob_request_to(c, "POST", "/people/search", body, "hibob.search", 1, NULL, 0,
	    &sink, &resp, err);
	if (rc == BS_OK || (rc == BS_ERR_PARSE && r.js.err[0] != '\0')) {
		if (ctx != NULL) {
			rc = people_end(&r.js, ctx, r.js.head_over ? NULL : r.js.head, r.js.hlen);
		} else if (jstream_finish(&r.js) != 0 || !r.js.found) {
			struct merge_ctx *m = fctx;
			rc = m->rc != BS_OK ? m->rc : bs_fail(err, BS_ERR_PARSE, "HiBob people: %s",
			    r.js.found || r.js.err[0] ? r.js.err
			    : "the response has no \"employees\" list");
		}
	}
	if (rc != BS_OK)
		bs_error_prefix(err, "reading people from HiBob");
	http_response_clear(&resp);
	jstream_clear(&r.js);
	free(r.seen0);
	return rc;
}

static bs_rc
search_people(struct bob_client *c, const struct bob_people_query *q,
    struct bob_people *out, const struct bs_progress *progress, struct bs_error *err)
{
	struct field_set fs;
	struct people_ctx ctx;
	const char *fpath = NULL, *fval = NULL;
	char *body = NULL;
	size_t first_end;
	bs_rc rc = BS_OK;
	struct bs_progress_event ev = { .phase = "Reading people from HiBob" };

	memset(out, 0, sizeof *out);
	query_fields(q, &fs);
	people_ctx_init(&ctx, q, out, &fs, err);
	if (q != NULL && q->filter_id != NULL) {
		fpath = "root.id";
		fval = q->filter_id;
	} else if (q != NULL && q->filter_email != NULL) {
		fpath = "root.email";
		fval = q->filter_email;
	}
	bs_progress_report(progress, &ev);
	ctx.progress = progress;
	ctx.ev = &ev;
	first_end = fs.n < BOB_MAX_FIELDS_PER_SEARCH ? fs.n : BOB_MAX_FIELDS_PER_SEARCH;

	if (q != NULL && q->batch_ids > 0 && fpath == NULL) {
		/* Very large companies: ids first, then the fields in batches. */
		struct field_set idonly = { 0 };
		struct bob_people ids = { 0 };
		struct people_ctx ictx;

		fs_add(&idonly, "root.id");
		body = search_body(&idonly, 0, 1, NULL, NULL, 0);
		people_ctx_init(&ictx, NULL, &ids, &idonly, err);
		rc = search_once(c, body, people_elem, &ictx, &ictx, err);
		free(ictx.seen);
		FREE(body);
		ev.total = ids.n;
		for (size_t i = 0; rc == BS_OK && i < ids.n; i += q->batch_ids) {
			size_t nb = ids.n - i < q->batch_ids ? ids.n - i : q->batch_ids;
			const char **vals = xcalloc(nb, sizeof *vals);
			for (size_t k = 0; k < nb; k++)
				vals[k] = ids.v[i + k].id;
			body = search_body(&fs, 0, first_end, "root.id", vals, nb);
			free(vals);
			rc = search_once(c, body, people_elem, &ctx, &ctx, err);
			FREE(body);
			ev.done = i + nb;
			if (bs_progress_report(progress, &ev) != 0)
				rc = bs_fail(err, BS_ERR_CANCELLED, "cancelled");
		}
		bob_people_clear(&ids);
		free(idonly.v);
	} else {
		body = search_body(&fs, 0, first_end, fpath, &fval, fval ? 1 : 0);
		rc = search_once(c, body, people_elem, &ctx, &ctx, err);
		FREE(body);
	}

	/* More than 400 fields: the rest in further searches, merged by id;
	 * each of those asks for root.id too, so it carries 399 others. */
	for (size_t from = first_end; rc == BS_OK && from < fs.n;
	    from += BOB_MAX_FIELDS_PER_SEARCH - 1) {
		size_t to = fs.n - from < BOB_MAX_FIELDS_PER_SEARCH - 1 ? fs.n :
		    from + BOB_MAX_FIELDS_PER_SEARCH - 1;
		struct field_set chunk = { 0 };
		struct merge_ctx m = { q, out, fs.v + from, ctx.seen + from, to - from, NULL, err,
		    BS_OK };

		fs_add(&chunk, "root.id");
		for (size_t i = from; i < to; i++)
			fs_add(&chunk, fs.v[i]);
		body = search_body(&chunk, 0, chunk.n, fpath, &fval, fval ? 1 : 0);
		free(chunk.v);
		m.by_id = xcalloc(out->n + 1, sizeof *m.by_id);
		for (size_t i = 0; i < out->n; i++)
			m.by_id[i] = &out->v[i];
		qsort(m.by_id, out->n, sizeof *m.by_id, cmp_person_id);
		rc = search_once(c, body, merge_elem, &m, NULL, err);
		free(m.by_id);
		FREE(body);
	}

	if (rc == BS_OK) {
		people_ctx_finish(&ctx);
		ev.done = ev.total = out->n;
		bs_progress_report(progress, &ev);
	} else {
		free(ctx.seen);
		arena_clear(&ctx.scratch);
		bob_people_clear(out);
	}
	free(fs.v);
	return rc;
}

bs_rc
bob_search_people(struct bob_client *c, const struct bob_people_query *q,
    struct bob_people *out, const struct bs_progress *progress, struct bs_error *err)
{
	struct bob_people_query lq;
	struct field_set fs;
	size_t nfields;
	bs_rc rc;

	if (q == NULL || q->each == NULL)
		return search_people(c, q, out, progress, err);
	query_fields(q, &fs);
	nfields = fs.n;
	free(fs.v);
	if (nfields <= BOB_MAX_FIELDS_PER_SEARCH)
		return search_people(c, q, out, progress, err);
	/* answers merged by id: read everyone, then hand them over */
	lq = *q;
	lq.each = NULL;
	lq.each_mark = lq.each_reset = NULL;
	rc = search_people(c, &lq, out, progress, err);
	if (rc != BS_OK)
		return rc;
	if (q->each_mark != NULL)
		q->each_mark(q->each_ctx);
	for (size_t i = 0; i < out->n; i++) {
		q->each(q->each_ctx, &out->v[i]);
		bob_person_clear(&out->v[i]);
	}
	FREE(out->v);
	out->n = 0;
	arena_clear(&out->text);
	return BS_OK;
}

bs_rc
bob_read_person(struct bob_client *c, const char *identifier,
    const struct bob_people_query *q, struct bob_person *out, struct bs_error *err)
{
	struct field_set fs;
	struct people_ctx ctx;
	struct bob_people people = { 0 };
	struct http_response resp = { 0 };
	char *esc = url_escape(identifier);
	char *path = xasprintf("/people/%s", esc);
	char *body;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	query_fields(q, &fs);
	body = search_body(&fs, 0, fs.n < BOB_MAX_FIELDS_PER_SEARCH ? fs.n : BOB_MAX_FIELDS_PER_SEARCH,
	    NULL, NULL, 0);
	rc = bob_request(c, "POST", path, body, "hibob.search", 1, NULL, 0, &resp, err);
	if (rc == BS_ERR_NOT_FOUND)
		bs_fail(err, rc, "HiBob has no employee '%s' visible to the service user", identifier);
	if (rc == BS_OK) {
		people_ctx_init(&ctx, q, &people, &fs, err);
		rc = parse_people_into(resp.body, resp.body_len, &ctx);
		free(ctx.seen);
		if (rc == BS_OK && people.n == 0)
			rc = bs_fail(err, BS_ERR_NOT_FOUND, "HiBob returned no employee for '%s'",
			    identifier);
		if (rc == BS_OK)
			bob_person_copy(out, &people.v[0]);	/* the arena goes */
	}
	bob_people_clear(&people);
	http_response_clear(&resp);
	free(body);
	free(path);
	free(esc);
	free(fs.v);
	return rc;
}

bs_rc
bob_update_field(struct bob_client *c, const char *employee_id, const char *field_id,
    const char *value, int *changed, struct bs_error *err)
{
	static const long ok304[] = { 304 };
	struct http_response resp = { 0 };
	json_t *body = json_object(), *cur = body;
	char path_buf[512], *save = NULL, *tok, *next;
	char *esc, *path, *text;
	bs_rc rc;
	size_t n = strlen(field_id);

	*changed = 0;
	if (n == 0 || n >= sizeof path_buf) {
		json_decref(body);
		return bs_fail(err, BS_ERR_INVALID, "invalid HiBob field id '%s'", field_id);
	}
	/* nested body mirroring the search shape; root fields at top level */
	memcpy(path_buf, str_starts(field_id, "root.") ? field_id + 5 : field_id,
	    n + 1 - (str_starts(field_id, "root.") ? 5 : 0));
	tok = strtok_r(path_buf, ".", &save);
	while (tok != NULL) {
		next = strtok_r(NULL, ".", &save);
		if (next == NULL) {
			json_object_set_new(cur, tok, value ? json_string(value) : json_null());
		} else {
			json_t *child = json_object();
			json_object_set_new(cur, tok, child);
			cur = child;
		}
		tok = next;
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	esc = url_escape(employee_id);
	path = xasprintf("/people/%s", esc);
	rc = bob_request(c, "PUT", path, text, "hibob.write", 1, ok304, 1, &resp, err);
	if (rc == BS_OK)
		*changed = resp.status != 304;
	else if (rc == BS_ERR_FORBIDDEN)
		bs_fail(err, rc, "HiBob refused the change: the service user's permission "
		    "group may not edit this field. In Bob: Settings > Permission Groups > (your "
		    "group) > People's data: grant Edit on the section that holds the field, then "
		    "set the value again");
	http_response_clear(&resp);
	free(text);
	free(path);
	free(esc);
	return rc;
}

/* ---- time off ---- */

static void
copy_date(char dst[11], const char *src)
{
	int64_t d;

	dst[0] = '\0';
	if (src != NULL && date_parse(src, &d) == 0) {
		/* what date_format(d) writes: date_parse took four digits of
		 * year, a month and a day that exist, as YYYY-MM-DD */
		memcpy(dst, src, 10);
		dst[10] = '\0';
	}
}

/* Member `key` of o when it is a string, decoded (caller frees), else NULL. */
static char *
str_of(const struct jdoc *d, const struct jnode *o, const char *key)
{
	return jread_strdup(jread_get(d, o, key, strlen(key)));
}

static void
copy_date_of(const struct jdoc *d, const struct jnode *o, const char *key, char dst[11])
{
	char *s = str_of(d, o, key);

	copy_date(dst, s);
	free(s);
}

static int
minutes_of(const struct jdoc *d, const struct jnode *obj, const char *hours_key,
    const char *minutes_key)
{
	double h, m, total = 0;

	if (number_of(jread_get(d, obj, hours_key, strlen(hours_key)), &h))
		total += h * 60.0;
	if (number_of(jread_get(d, obj, minutes_key, strlen(minutes_key)), &m))
		total += m;
	if (total < 0 || total > 100000)
		return 0;
	return (int)(total + 0.5);
}

static const char *short_str(const struct jnode *v, char *buf, size_t n, char **heap);

/* What sscanf's "%2d" reads at *p: blanks skipped, then at most two bytes
 * of an optional sign and digits, one digit at least; the end in *p. */
static int
scan_2d(const char **p, int *out)
{
	const char *s = *p;
	int neg = 0, v = 0, w = 2, digits = 0;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		s++;
		w--;
	}
	for (; w > 0 && *s >= '0' && *s <= '9'; w--, digits++)
		v = v * 10 + (*s++ - '0');
	if (digits == 0)
		return -1;
	*out = neg ? -v : v;
	*p = s;
	return 0;
}

/* "09:30" or "09:30:00" -> minutes, -1 when absent or bad (what
 * sscanf(s, "%2d:%2d") reads, without its cost: 140,000 durations). */
static int
clock_minutes(const char *s)
{
	int h, m;

	if (s == NULL || scan_2d(&s, &h) != 0 || *s++ != ':' || scan_2d(&s, &m) != 0 ||
	    h < 0 || h > 24 || m < 0 || m > 59)
		return -1;
	return h * 60 + m;
}

static int
clock_minutes_of(const struct jdoc *d, const struct jnode *o, const char *key)
{
	char buf[64], *heap;
	int v = clock_minutes(short_str(jread_get(d, o, key, strlen(key)), buf, sizeof buf,
	    &heap));

	free(heap);
	return v;
}

/* An integer, or a string holding one; 0 otherwise. */
static long long
ll_value(const struct jnode *v)
{
	long long x = 0;

	if (v != NULL && v->type == JT_INT)
		return v->num.i;
	if (v != NULL && v->type == JT_STRING) {
		char *s = jread_strdup(v), *end;
		errno = 0;
		x = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno != 0)
			x = 0;
		free(s);
	}
	return x;
}

/* An integer member, or a string holding one; 0 otherwise. */
static long long
ll_of(const struct jdoc *d, const struct jnode *obj, const char *key)
{
	return ll_value(jread_get(d, obj, key, strlen(key)));
}

/* hours*60 + minutes of two number nodes (either may be absent) */
static int
minutes_value(const struct jnode *hours, const struct jnode *minutes)
{
	double h, m, total = 0;

	if (number_of(hours, &h))
		total += h * 60.0;
	if (number_of(minutes, &m))
		total += m;
	if (total < 0 || total > 100000)
		return 0;
	return (int)(total + 0.5);
}

/* The members of a time-off item that timeoff_from_doc reads, found in
 * one pass (an answer holds 150,000 items). */
enum {
	K_REQUEST_ID, K_ID, K_EMPLOYEE_ID, K_EMAIL, K_NAME, K_POLICY_NAME, K_POLICY, K_TYPE,
	K_RANGE_TYPE, K_STATUS, K_CHANGE, K_APPROVED, K_START, K_END, K_START_PORTION,
	K_START_DATE_PORTION, K_END_PORTION, K_END_DATE_PORTION, K_DAY_PORTION, K_DATE,
	K_HOURS_ON_DATE, K_MINUTES, K_HOURS, K_DAILY_HOURS, K_DAILY_MINUTES, K_PERCENTAGE,
	K_PREVIOUS, K_ORIGINAL, K_ZONE, K_DURATIONS, K_COUNT
};

static const struct member_name toff_keys[K_COUNT] = {
	MEMBER("requestId"), MEMBER("id"), MEMBER("employeeId"), MEMBER("employeeEmail"),
	MEMBER("employeeDisplayName"), MEMBER("policyTypeDisplayName"), MEMBER("policyType"),
	MEMBER("type"), MEMBER("requestRangeType"), MEMBER("status"), MEMBER("changeType"),
	MEMBER("approved"), MEMBER("startDate"), MEMBER("endDate"), MEMBER("startPortion"),
	MEMBER("startDatePortion"), MEMBER("endPortion"), MEMBER("endDatePortion"),
	MEMBER("dayPortion"), MEMBER("date"), MEMBER("hoursOnDate"), MEMBER("minutes"),
	MEMBER("hours"), MEMBER("dailyHours"), MEMBER("dailyMinutes"), MEMBER("percentageOfDay"),
	MEMBER("previousRequestId"), MEMBER("originalRequestId"), MEMBER("timeZone"),
	MEMBER("durations"),
};

/* The members of toff_keys found by name in a small open-addressed table
 * (1 + index, 0 = empty), filled once: a time-off item has about twenty
 * members, and comparing each with every name asked for cost more than
 * the rest of reading the item. */
#define TOFF_SLOTS 128	/* a power of 2, four times K_COUNT at least */
_Static_assert(K_COUNT * 4 <= TOFF_SLOTS && K_COUNT < 255, "toff_slot too small");
static unsigned char toff_slot[TOFF_SLOTS];
static pthread_once_t toff_slot_once = PTHREAD_ONCE_INIT;

static unsigned
toff_key_hash(const char *k, size_t n)
{
	return ((unsigned)n * 31u + (unsigned char)k[0] * 7u + (unsigned char)k[n - 1]) &
	    (TOFF_SLOTS - 1);
}

static void
toff_slots_fill(void)
{
	for (size_t k = 0; k < K_COUNT; k++) {
		unsigned h = toff_key_hash(toff_keys[k].name, toff_keys[k].len);
		while (toff_slot[h] != 0)
			h = (h + 1) & (TOFF_SLOTS - 1);
		toff_slot[h] = (unsigned char)(k + 1);
	}
}

/* The members of o named in toff_keys (m[k] for toff_keys[k], NULL when
 * absent), one table look a member. */
static void
toff_pick(const struct jdoc *d, const struct jnode *o, const struct jnode *m[K_COUNT])
{
	pthread_once(&toff_slot_once, toff_slots_fill);
	for (size_t k = 0; k < K_COUNT; k++)
		m[k] = NULL;
	for (const struct jnode *e = jread_first(d, o); e != NULL; e = jread_next(d, o, e)) {
		if (e->klen == 0)
			continue;
		for (unsigned h = toff_key_hash(e->key, e->klen); toff_slot[h] != 0;
		    h = (h + 1) & (TOFF_SLOTS - 1)) {
			const struct member_name *nm = &toff_keys[toff_slot[h] - 1];
			if (nm->len == e->klen && memcmp(nm->name, e->key, e->klen) == 0) {
				m[toff_slot[h] - 1] = e;
				break;
			}
		}
	}
}

/* A string node decoded into *o (room checked by the caller), else NULL. */
static const char *
decode_to(const struct jnode *v, char **o)
{
	const char *s = *o;

	if (v == NULL || v->type != JT_STRING)
		return NULL;
	*o += jread_decode(v, *o) + 1;
	return s;
}

/* A short string node decoded into buf (n bytes), a longer one into a
 * copy (*heap, to free); NULL when v is not a string. */
static const char *
short_str(const struct jnode *v, char *buf, size_t n, char **heap)
{
	*heap = NULL;
	if (v == NULL || v->type != JT_STRING)
		return NULL;
	if (v->slen < n) {
		jread_decode(v, buf);
		return buf;
	}
	return *heap = jread_strdup(v);
}

static void
date_of(const struct jnode *v, char dst[11])
{
	char buf[64], *heap;

	copy_date(dst, short_str(v, buf, sizeof buf, &heap));
	free(heap);
}

/* A portion node's value, TOFF_PORTION_NONE when absent or unknown. */
static enum toff_portion
portion_of(const struct jnode *v)
{
	char buf[64], *heap;
	enum toff_portion p = toff_portion_parse(short_str(v, buf, sizeof buf, &heap));

	free(heap);
	return p;
}

static void
timeoff_from_doc(const struct jdoc *d, const struct jnode *o, struct bob_timeoff *t)
{
	enum { S_EMP, S_EMAIL, S_NAME, S_POLICY, S_TYPE, S_STATUS, S_CHANGE, S_ZONE, S_COUNT };
	const struct jnode *m[K_COUNT], *durs, *v;
	const char *src[S_COUNT];
	char **const dst[S_COUNT] = { &t->employee_id, &t->employee_email, &t->employee_name,
	    &t->policy_type, &t->type_raw, &t->status_raw, &t->change_type, &t->time_zone };
	char stack[2048], *scratch = stack, *o_;
	size_t need = 32;	/* a numeric employee id */
	double x;

	memset(t, 0, sizeof *t);
	toff_pick(d, o, m);
	t->request_id = ll_value(m[K_REQUEST_ID]);
	if (t->request_id == 0)
		t->request_id = ll_value(m[K_ID]);
	/* the strings, decoded one after the other, then kept in one block */
	for (size_t k = 0; k < K_COUNT; k++)
		if (m[k] != NULL && m[k]->type == JT_STRING)
			need += m[k]->slen + 1;
	if (need > sizeof stack)
		scratch = xmalloc(need);
	o_ = scratch;
	src[S_EMP] = NULL;
	v = m[K_EMPLOYEE_ID];
	if (v != NULL && v->type == JT_STRING) {
		src[S_EMP] = decode_to(v, &o_);
	} else {
		char *id = id_dup(v);	/* a number */
		if (id != NULL) {
			memcpy(o_, id, strlen(id) + 1);
			src[S_EMP] = o_;
			o_ += strlen(id) + 1;
			free(id);
		}
	}
	src[S_EMAIL] = decode_to(m[K_EMAIL], &o_);
	src[S_NAME] = decode_to(m[K_NAME], &o_);
	src[S_POLICY] = decode_to(m[K_POLICY_NAME], &o_);
	if (src[S_POLICY] == NULL)
		src[S_POLICY] = decode_to(m[K_POLICY], &o_);
	src[S_TYPE] = decode_to(m[K_TYPE], &o_);
	if (src[S_TYPE] == NULL)
		src[S_TYPE] = decode_to(m[K_RANGE_TYPE], &o_);
	src[S_STATUS] = decode_to(m[K_STATUS], &o_);
	src[S_CHANGE] = decode_to(m[K_CHANGE], &o_);
	src[S_ZONE] = decode_to(m[K_ZONE], &o_);
	t->block = str_pack(0, dst, src, S_COUNT, &t->blen);
	if (scratch != stack)
		free(scratch);
	t->type = toff_type_parse(t->type_raw);
	t->status = toff_status_parse(t->status_raw);
	v = m[K_APPROVED];
	if (t->status == TOFF_STATUS_UNKNOWN && v != NULL && v->type == JT_TRUE)
		t->status = TOFF_APPROVED;
	date_of(m[K_START], t->start_date);
	date_of(m[K_END], t->end_date);
	t->start_portion = portion_of(m[K_START_PORTION] != NULL &&
	    m[K_START_PORTION]->type == JT_STRING ? m[K_START_PORTION] : m[K_START_DATE_PORTION]);
	t->end_portion = portion_of(m[K_END_PORTION] != NULL &&
	    m[K_END_PORTION]->type == JT_STRING ? m[K_END_PORTION] : m[K_END_DATE_PORTION]);
	t->day_portion = portion_of(m[K_DAY_PORTION]);
	date_of(m[K_DATE], t->date);
	t->minutes_on_date = minutes_value(m[K_HOURS_ON_DATE], m[K_MINUTES]);
	if (t->minutes_on_date == 0)
		t->minutes_on_date = minutes_value(m[K_HOURS], m[K_MINUTES]);
	t->daily_minutes = minutes_value(m[K_DAILY_HOURS], m[K_DAILY_MINUTES]);
	if (number_of(m[K_PERCENTAGE], &x))
		t->percentage = (int)x;
	t->previous_request_id = ll_value(m[K_PREVIOUS]);
	t->original_request_id = ll_value(m[K_ORIGINAL]);
	durs = m[K_DURATIONS];
	if (durs != NULL && durs->type == JT_ARRAY) {
		size_t n = 0;
		const struct jnode *e;
		for (e = jread_first(d, durs); e != NULL; e = jread_next(d, durs, e))
			n++;
		if (n > 0 && n <= 3660) {
			t->durations = xcalloc(n, sizeof *t->durations);
			for (e = jread_first(d, durs); e != NULL; e = jread_next(d, durs, e)) {
				struct bob_duration *bd = &t->durations[t->ndurations];
				if (e->type != JT_OBJECT)
					continue;
				copy_date_of(d, e, "date", bd->date);
				if (bd->date[0] == '\0')
					continue;
				bd->minutes = minutes_of(d, e, "hours", "minutes");
				if (bd->minutes == 0)
					bd->minutes = minutes_of(d, e, "hoursOnDate", "minutes");
				bd->start_minute = clock_minutes_of(d, e, "startTime");
				bd->end_minute = clock_minutes_of(d, e, "endTime");
				if (bd->minutes == 0 && bd->start_minute >= 0 &&
				    bd->end_minute > bd->start_minute)
					bd->minutes = bd->end_minute - bd->start_minute;
				t->ndurations++;
			}
		}
	}
}

/* Jansson's message for a text jread refused, else jread's own. */
static bs_rc
parse_failure(const char *json, size_t len, const char *what, const struct jdoc *d,
    struct bs_error *err)
{
	char why[sizeof d->err];
	json_t *root;

	snprintf(why, sizeof why, "%s", d->err);
	root = util_json_parse(json, len, what, err);
	if (root == NULL)
		return BS_ERR_PARSE;
	json_decref(root);
	return bs_fail(err, BS_ERR_PARSE, "%s: %s", what, why);
}

bs_rc
bob_parse_timeoff(const char *json, size_t len, struct bob_timeoff *out, struct bs_error *err)
{
	struct jdoc d = { 0 };
	const struct jnode *root;
	bs_rc rc = BS_OK;

	memset(out, 0, sizeof *out);
	if (json == NULL || jread_parse(&d, json, len, NULL) < 0) {
		rc = json == NULL ? bs_fail(err, BS_ERR_PARSE, "HiBob time-off request: empty response")
		    : parse_failure(json, len, "HiBob time-off request", &d, err);
		jread_clear(&d);
		return rc;
	}
	root = jread_root(&d);
	if (root->type != JT_OBJECT)
		rc = bs_fail(err, BS_ERR_PARSE, "HiBob time-off request: expected an object");
	else
		timeoff_from_doc(&d, root, out);
	jread_clear(&d);
	if (rc == BS_OK && out->request_id == 0) {
		bob_timeoff_clear(out);
		rc = bs_fail(err, BS_ERR_PARSE, "HiBob time-off request without a requestId");
	}
	return rc;
}

struct timeoffs_ctx {
	struct bob_timeoffs *out;
	size_t cap;
	bob_timeoff_keep_fn keep;	/* NULL: every request */
	void *kctx;
};

/* Whether an item is wanted: only its request id is read to say. */
static int
timeoff_wanted(const struct timeoffs_ctx *ctx, const struct jdoc *d, const struct jnode *o)
{
	long long id;

	if (ctx->keep == NULL)
		return 1;
	id = ll_of(d, o, "requestId");
	if (id == 0)
		id = ll_of(d, o, "id");
	return id == 0 || ctx->keep(ctx->kctx, id);
}

static int
timeoff_elem(void *vctx, const struct jdoc *d, const struct jnode *o)
{
	struct timeoffs_ctx *ctx = vctx;
	struct bob_timeoff *t;

	if (o == NULL || o->type != JT_OBJECT || !timeoff_wanted(ctx, d, o))
		return 0;
	if (ctx->out->n + 1 >= ctx->cap) {
		ctx->cap = ctx->cap ? ctx->cap * 2 : 64;
		ctx->out->v = xreallocarray_big(ctx->out->v, ctx->out->n, ctx->cap,
		    sizeof *ctx->out->v);
	}
	t = &ctx->out->v[ctx->out->n];
	timeoff_from_doc(d, o, t);
	if (t->request_id == 0)
		bob_timeoff_clear(t);
	else
		ctx->out->n++;
	return 0;
}

/* One list at a time, as the answers get large (a year of changes). */
bs_rc
bob_parse_timeoffs_kept(const char *json, size_t len, bob_timeoff_keep_fn keep, void *kctx,
    struct bob_timeoffs *out, struct bs_error *err)
{
	static const char *const keys[] = { "changes", "outs", "requests" };
	struct timeoffs_ctx ctx = { out, 0, keep, kctx };
	struct jdoc d = { 0 };
	const char *p = json, *end = json + len;
	int found = 0, r = 0;
	bs_rc rc = BS_OK;

	memset(out, 0, sizeof *out);
	if (json == NULL || len == 0)
		return bs_fail(err, BS_ERR_PARSE, "HiBob time off: empty response");
	p = skip_ws(p, end);
	if (p < end && *p == '[') {
		const char *after;
		r = scan_array(&d, p, end, timeoff_elem, &ctx, &after);
		if (r == 0 && skip_ws(after, end) != end)
			r = -1;
		found = 1;
	} else {
		for (size_t k = 0; k < ARRAY_LEN(keys) && !found && r == 0; k++)
			r = scan_object_array(&d, json, len, keys[k], timeoff_elem, &ctx, &found);
	}
	if (r == 0 && found) {
		jread_clear(&d);
		if (out->v == NULL)
			out->v = xcalloc(1, sizeof *out->v);
		return BS_OK;
	}
	bob_timeoffs_clear(out);
	/* not a list: a bare request, a wrong shape or invalid JSON */
	if (jread_parse(&d, json, len, NULL) < 0) {
		rc = parse_failure(json, len, "HiBob time off", &d, err);
	} else {
		const struct jnode *root = jread_root(&d);
		int has_key = 0;
		for (size_t k = 0; k < ARRAY_LEN(keys); k++)
			has_key |= jread_get(&d, root, keys[k], strlen(keys[k])) != NULL;
		if (root->type == JT_OBJECT && !has_key && jread_get(&d, root, "requestId", 9) != NULL) {
			out->v = xcalloc(1, sizeof *out->v);
			if (timeoff_wanted(&ctx, &d, root)) {
				timeoff_from_doc(&d, root, &out->v[0]);
				out->n = 1;
			}
		} else {
			rc = bs_fail(err, BS_ERR_PARSE,
			    "HiBob time off: expected \"changes\" or \"outs\" with a list");
		}
	}
	jread_clear(&d);
	return rc;
}

bs_rc
bob_parse_timeoffs(const char *json, size_t len, struct bob_timeoffs *out, struct bs_error *err)
{
	return bob_parse_timeoffs_kept(json, len, NULL, NULL, out, err);
}

/* A time-off list read as it arrives (who's out: 32 MB and the changes
 * feed: 74 MB at 100,000 people): the items of the endpoint's own list
 * ({"changes":[...]}, {"outs":[...]}, or a bare list) are made as their
 * text comes in and the text is not kept.  Until that list starts, the
 * text is kept as well: an answer of another shape the parser takes (the
 * other wrappers, a bare request) is then read whole by
 * bob_parse_timeoffs_kept, as before.  The one difference: an answer that
 * holds two of the lists is read from the endpoint's own, where the parser
 * of a whole answer prefers "changes" to "outs" to "requests". */
#define BOB_MAX_TIMEOFF_TEXT ((size_t)256 << 20)	/* the other shapes, kept whole */

struct toff_stream {
	struct jstream js;
	struct timeoffs_ctx ctx;
	struct strbuf text;	/* the answer before its list (all of it when none) */
	int whole;		/* the list not found: keep the text to the end */
	bs_rc rc;
};

static void
toff_stream_begin(void *v)
{
	struct toff_stream *r = v;

	jstream_reset(&r->js);
	bob_timeoffs_clear(r->ctx.out);
	r->ctx.cap = 0;
	sb_reset(&r->text);
	r->whole = 0;
	r->rc = BS_OK;
}

static int
toff_stream_piece(void *v, const char *data, size_t len)
{
	struct toff_stream *r = v;

	if (!r->js.found && sb_append(&r->text, data, len) != 0) {
		r->rc = BS_ERR_TOO_LARGE;
		return (int)BS_ERR_TOO_LARGE;
	}
	if (r->whole)
		return 0;
	if (jstream_feed(&r->js, data, len) == 0)
		return 0;
	if (r->js.found) {	/* the list itself is wrong: stop here */
		r->rc = BS_ERR_PARSE;
		return (int)BS_ERR_PARSE;
	}
	r->whole = 1;	/* another shape: read it whole at the end */
	return 0;
}

static bs_rc
get_timeoffs_kept(struct bob_client *c, const char *path, const char *key,
    bob_timeoff_keep_fn keep, void *kctx, struct bob_timeoffs *out, struct bs_error *err)
{
	struct toff_stream r;
	struct bob_sink sink = { toff_stream_piece, toff_stream_begin, &r };
	struct http_response resp = { 0 };
	bs_rc rc;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	r.ctx = (struct timeoffs_ctx){ out, 0, keep, kctx };
	jstream_init(&r.js, key, BOB_MAX_RECORD, timeoff_elem, &r.ctx);
	r.js.doc.index = 0;	/* an item's members are picked in one walk (toff_pick) */
	sb_init(&r.text, BOB_MAX_TIMEOFF_TEXT);
	rc = bob_request_to(c, "GET", path, NULL, "hibob.timeoff", 1, NULL, 0, &sink, &resp, err);
	if (rc == BS_ERR_FORBIDDEN)
		bs_fail(err, rc, "HiBob refused time off: grant the permission group "
		    "People's data > Time off > See who's out (Settings > Permission Groups)");
	if (rc == r.rc && rc == BS_ERR_TOO_LARGE)
		rc = bs_fail(err, rc, "HiBob time off: an answer of more than %zu MB without "
		    "its list", BOB_MAX_TIMEOFF_TEXT >> 20);
	else if (rc == BS_OK && !r.whole && jstream_finish(&r.js) == 0 && r.js.found) {
		if (out->v == NULL)
			out->v = xcalloc(1, sizeof *out->v);
	} else if (rc == BS_OK || (rc == r.rc && rc == BS_ERR_PARSE)) {
		bob_timeoffs_clear(out);
		if (r.js.found)	/* the list went wrong: say where */
			rc = bs_fail(err, BS_ERR_PARSE, "HiBob time off: %s", r.js.err);
		else
			rc = bob_parse_timeoffs_kept(r.text.buf, r.text.len, keep, kctx, out, err);
	}
	if (rc != BS_OK)
		bob_timeoffs_clear(out);
	http_response_clear(&resp);
	jstream_clear(&r.js);
	sb_clear(&r.text);
	return rc;
}

static bs_rc
get_timeoffs(struct bob_client *c, const char *path, const char *key,
    struct bob_timeoffs *out, struct bs_error *err)
{
	return get_timeoffs_kept(c, path, key, NULL, NULL, out, err);
}

static void
timeoffs_append(struct bob_timeoffs *dst, struct bob_timeoffs *src)
{
	if (dst->v == NULL) {	/* the first window (often the only one): moved, not copied */
		*dst = *src;
		src->v = NULL;
		src->n = 0;
		return;
	}
	dst->v = xreallocarray_big(dst->v, dst->n, dst->n + src->n + 1, sizeof *dst->v);
	memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
	dst->n += src->n;
	free(src->v);
	src->v = NULL;
	src->n = 0;
}

bs_rc
bob_timeoff_changes(struct bob_client *c, int64_t since, int64_t to,
    struct bob_timeoffs *out, struct bs_error *err)
{
	return bob_timeoff_changes_kept(c, since, to, NULL, NULL, out, err);
}

bs_rc
bob_timeoff_changes_kept(struct bob_client *c, int64_t since, int64_t to,
    bob_timeoff_keep_fn keep, void *kctx, struct bob_timeoffs *out, struct bs_error *err)
{
	bs_rc rc = BS_OK;

	memset(out, 0, sizeof *out);
	if (to <= since)
		return bs_fail(err, BS_ERR_INVALID, "time-off changes: empty window");
	for (int64_t from = since; rc == BS_OK && from < to; from += BOB_CHANGES_WINDOW) {
		int64_t end = to - from > BOB_CHANGES_WINDOW ? from + BOB_CHANGES_WINDOW : to;
		char a[21], b[21];
		char *ea, *eb, *path;
		struct bob_timeoffs part = { 0 };

		time_format_utc(from, a);
		time_format_utc(end, b);
		ea = url_escape(a);
		eb = url_escape(b);
		path = xasprintf("/timeoff/requests/changes?since=%s&to=%s", ea, eb);
		rc = get_timeoffs_kept(c, path, "changes", keep, kctx, &part, err);
		if (rc == BS_OK)
			timeoffs_append(out, &part);
		bob_timeoffs_clear(&part);
		free(path);
		free(ea);
		free(eb);
	}
	if (rc != BS_OK)
		bob_timeoffs_clear(out);
	return rc;
}

bs_rc
bob_timeoff_request(struct bob_client *c, const char *employee_id, long long request_id,
    struct bob_timeoff *out, struct bs_error *err)
{
	struct http_response resp = { 0 };
	char *esc = url_escape(employee_id);
	char *path = xasprintf("/timeoff/employees/%s/requests/%lld?includeDailyDurations=true",
	    esc, request_id);
	bs_rc rc;

	memset(out, 0, sizeof *out);
	rc = bob_request(c, "GET", path, NULL, "hibob.timeoff", 1, NULL, 0, &resp, err);
	if (rc == BS_OK)
		rc = bob_parse_timeoff(resp.body, resp.body_len, out, err);
	if (rc == BS_OK && out->employee_id == NULL)
		out->employee_id = xstrdup(employee_id);
	http_response_clear(&resp);
	free(path);
	free(esc);
	return rc;
}

bs_rc
bob_whos_out(struct bob_client *c, const char *from, const char *to,
    struct bob_timeoffs *out, struct bs_error *err)
{
	return bob_whos_out_ex(c, from, to, 1, out, err);
}

bs_rc
bob_whos_out_ex(struct bob_client *c, const char *from, const char *to, int include_private,
    struct bob_timeoffs *out, struct bs_error *err)
{
	char *path = xasprintf("/timeoff/whosout?from=%s&to=%s&includeHourly=true"
	    "&includePrivate=%s", from, to, include_private ? "true" : "false");
	bs_rc rc = get_timeoffs(c, path, "outs", out, err);

	/* Without includePending who's out lists approved requests only: an
	 * item that says no status is one (a status it does say, known or
	 * not, stands) */
	for (size_t i = 0; rc == BS_OK && i < out->n; i++)
		if (out->v[i].status == TOFF_STATUS_UNKNOWN && out->v[i].status_raw == NULL)
			out->v[i].status = TOFF_APPROVED;
	free(path);
	return rc;
}

bs_rc
bob_whos_out_pending(struct bob_client *c, const char *from, const char *to,
    struct bob_timeoffs *out, struct bs_error *err)
{
	char *path = xasprintf("/timeoff/whosout?from=%s&to=%s&includeHourly=true"
	    "&includePrivate=true&includePending=true", from, to);
	bs_rc rc = get_timeoffs(c, path, "outs", out, err);

	free(path);
	return rc;
}

bs_rc
bob_out_today(struct bob_client *c, const char *today, struct bob_timeoffs *out,
    struct bs_error *err)
{
	char *path = today ? xasprintf("/timeoff/outtoday?today=%s&includeHourly=true", today)
	    : xstrdup("/timeoff/outtoday?includeHourly=true");
	bs_rc rc = get_timeoffs(c, path, "outs", out, err);

	free(path);
	return rc;
}

bs_rc
bob_policy_types(struct bob_client *c, char ***names, size_t *n, struct bs_error *err)
{
	struct http_response resp = { 0 };
	json_t *root, *arr, *it;
	size_t i;
	bs_rc rc;

	*names = NULL;
	*n = 0;
	rc = bob_request(c, "GET", "/timeoff/policy-types", NULL, "hibob.timeoff", 1, NULL, 0,
	    &resp, err);
	if (rc == BS_ERR_FORBIDDEN)
		bs_fail(err, rc, "HiBob refused the time-off policy types: grant the "
		    "permission group access to Time off");
	if (rc != BS_OK)
		goto out;
	root = util_json_parse(resp.body, resp.body_len, "HiBob policy types", err);
	if (root == NULL) {
		rc = BS_ERR_PARSE;
		goto out;
	}
	arr = json_is_array(root) ? root : json_object_get(root, "policyTypes");
	if (!json_is_array(arr)) {
		json_decref(root);
		rc = bs_fail(err, BS_ERR_PARSE, "HiBob policy types: expected \"policyTypes\"");
		goto out;
	}
	*names = xcalloc(json_array_size(arr) + 1, sizeof **names);
	json_array_foreach(arr, i, it) {
		const char *s = json_is_string(it) ? json_string_value(it) : json_str(it, "name");
		if (s != NULL)
			(*names)[(*n)++] = xstrdup(s);
	}
	json_decref(root);
out:
	http_response_clear(&resp);
	return rc;
}

char *
bob_person_name(const struct bob_person *p)
{
	if (!str_empty(p->display_name))
		return xstrdup(p->display_name);
	if (!str_empty(p->first_name) || !str_empty(p->surname))
		return xasprintf("%s%s%s", p->first_name ? p->first_name : "",
		    !str_empty(p->first_name) && !str_empty(p->surname) ? " " : "",
		    p->surname ? p->surname : "");
	return xstrdup(p->email ? p->email : p->id ? p->id : "");
}
