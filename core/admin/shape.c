/* shape.c - answer shapes for `check --record` (see shape.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "admin/shape_int.h"
#include "base/util.h"

#define MAX_BASES 8

struct shape_recorder {
	json_t *doc;		/* {"format", "version", "answers": {...}} */
	json_t *answers;	/* borrowed from doc */
	struct {
		char *service;
		char *base;	/* without trailing slash */
	} bases[MAX_BASES];
	size_t nbases;
};

/* ---- placeholders ---- */

static int
all_hex_dash(const char *s, int *has_digit)
{
	*has_digit = 0;
	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			*has_digit = 1;
		else if (!isxdigit((unsigned char)*s) && *s != '-')
			return 0;
	}
	return 1;
}

static int
plain_char(unsigned char ch)
{
	return isalnum(ch) || ch == '_' || ch == '.' || ch == '/' || ch == ':' || ch == '-';
}

char *
shape_key(const char *key)
{
	struct strbuf sb;
	int digit;

	if (strchr(key, '@') != NULL)
		return xstrdup("{email}");
	if (all_hex_dash(key, &digit) && digit)
		return xstrdup("{id}");
	for (const char *p = key; *p; p++)
		if (!plain_char((unsigned char)*p))
			return xstrdup("{text}");
	/* field_1667499206086 -> field_{n}: ids inside names */
	sb_init(&sb, 0);
	for (const char *p = key; *p; ) {
		size_t n = strspn(p, "0123456789");
		if (n >= 5) {
			sb_puts(&sb, "{n}");
			p += n;
		} else if (n > 0) {
			sb_append(&sb, p, n);
			p += n;
		} else {
			sb_append(&sb, p, 1);
			p++;
		}
	}
	return sb_detach(&sb);
}

char *
shape_path(const char *path)
{
	struct strbuf sb;
	const char *p = path, *end = path + strcspn(path, "?#");

	sb_init(&sb, 0);
	while (p < end) {
		const char *seg;
		size_t n;
		int plain = 1;

		if (*p == '/') {
			sb_append(&sb, "/", 1);
			p++;
			continue;
		}
		seg = p;
		n = strcspn(p, "/?#");
		if (seg + n > end)
			n = (size_t)(end - seg);
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)seg[i];
			if (!(isalpha(ch) || ch == '_' || ch == '-' || ch == '.'))
				plain = 0;
		}
		/* API versions ("v1") are not ids */
		if (n >= 2 && seg[0] == 'v' && strspn(seg + 1, "0123456789") == n - 1)
			plain = 1;
		if (plain)
			sb_append(&sb, seg, n);
		else
			sb_puts(&sb, "{id}");
		p += n;
	}
	if (sb.len == 0)
		sb_puts(&sb, "/");
	return sb_detach(&sb);
}

/* ---- shapes ---- */

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "null";
}

static json_t *
shape_named(const char *type)
{
	return json_pack("{s:[s]}", "types", type);
}

/* Add a type name to the sorted list. */
static void
types_add(json_t *types, const char *name)
{
	size_t i, n = json_array_size(types);

	for (i = 0; i < n; i++) {
		int c = strcmp(json_string_value(json_array_get(types, i)), name);
		if (c == 0)
			return;
		if (c > 0)
			break;
	}
	json_array_insert_new(types, i, json_string(name));
}

void
shape_merge(json_t *into, const json_t *from)
{
	json_t *t, *fk, *ik, *fi, *ii, *fl, *il;
	const char *k;
	size_t i;

	json_array_foreach(json_object_get(from, "types"), i, t)
		types_add(json_object_get(into, "types"), json_string_value(t));
	if ((fk = json_object_get(from, "keys")) != NULL) {
		json_t *v;
		if ((ik = json_object_get(into, "keys")) == NULL) {
			ik = json_object();
			json_object_set_new(into, "keys", ik);
		}
		json_object_foreach(fk, k, v) {
			json_t *cur = json_object_get(ik, k);
			if (cur == NULL)
				json_object_set_new(ik, k, json_deep_copy(v));
			else
				shape_merge(cur, v);
		}
	}
	if ((fi = json_object_get(from, "items")) != NULL) {
		if ((ii = json_object_get(into, "items")) == NULL)
			json_object_set_new(into, "items", json_deep_copy(fi));
		else
			shape_merge(ii, fi);
	}
	if ((fl = json_object_get(from, "len")) != NULL) {
		if ((il = json_object_get(into, "len")) == NULL) {
			json_object_set_new(into, "len", json_deep_copy(fl));
		} else {
			json_int_t lo = json_integer_value(json_array_get(fl, 0));
			json_int_t hi = json_integer_value(json_array_get(fl, 1));
			if (lo < json_integer_value(json_array_get(il, 0)))
				json_array_set_new(il, 0, json_integer(lo));
			if (hi > json_integer_value(json_array_get(il, 1)))
				json_array_set_new(il, 1, json_integer(hi));
		}
	}
}

json_t *
shape_of(const json_t *v)
{
	json_t *s = shape_named(type_name(v));

	if (json_is_object(v)) {
		json_t *keys = json_object(), *m;
		const char *k;
		json_object_foreach((json_t *)v, k, m) {
			char *nk = shape_key(k);
			json_t *sub = shape_of(m), *cur = json_object_get(keys, nk);
			if (cur == NULL)
				json_object_set_new(keys, nk, sub);
			else {
				shape_merge(cur, sub);
				json_decref(sub);
			}
			free(nk);
		}
		json_object_set_new(s, "keys", keys);
	} else if (json_is_array(v)) {
		json_t *items = NULL, *m;
		size_t i;
		json_array_foreach(v, i, m) {
			json_t *sub = shape_of(m);
			if (items == NULL)
				items = sub;
			else {
				shape_merge(items, sub);
				json_decref(sub);
			}
		}
		if (items != NULL)
			json_object_set_new(s, "items", items);
		json_object_set_new(s, "len", json_pack("[I,I]", (json_int_t)json_array_size(v),
		    (json_int_t)json_array_size(v)));
	}
	return s;
}

/* ---- recorder ---- */

struct shape_recorder *
shape_recorder_new(void)
{
	struct shape_recorder *r = xcalloc(1, sizeof *r);

	r->answers = json_object();
	r->doc = json_pack("{s:s,s:i,s:o}", "format", "bobsync answer shapes", "version", 1,
	    "answers", r->answers);
	return r;
}

void
shape_recorder_free(struct shape_recorder **rp)
{
	struct shape_recorder *r;

	if (rp == NULL || *rp == NULL)
		return;
	r = *rp;
	json_decref(r->doc);
	for (size_t i = 0; i < r->nbases; i++) {
		free(r->bases[i].service);
		free(r->bases[i].base);
	}
	free(r);
	*rp = NULL;
}

void
shape_recorder_add_base(struct shape_recorder *r, const char *service, const char *base_url)
{
	size_t n;

	if (r == NULL || str_empty(service) || str_empty(base_url) || r->nbases >= MAX_BASES)
		return;
	r->bases[r->nbases].service = xstrdup(service);
	r->bases[r->nbases].base = xstrdup(base_url);
	n = strlen(base_url);
	while (n > 0 && r->bases[r->nbases].base[n - 1] == '/')
		r->bases[r->nbases].base[--n] = '\0';
	r->nbases++;
}

/* The path of a URL without scheme, host and query ("/v1/x"). */
static const char *
url_path(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	p += strcspn(p, "/?#");
	return p;
}

void
shape_recorder_answer(void *recorder, const char *method, const char *url, long status,
    const char *body, size_t body_len)
{
	struct shape_recorder *r = recorder;
	const char *service = "other", *rest = url_path(url);
	size_t best = 0;
	char *path, *key, st[16];
	json_t *ans, *byst, *shape, *j = NULL;

	if (r == NULL || url == NULL)
		return;
	for (size_t i = 0; i < r->nbases; i++) {
		size_t n = strlen(r->bases[i].base);
		if (n > best && strncmp(url, r->bases[i].base, n) == 0 &&
		    (url[n] == '\0' || url[n] == '/' || url[n] == '?' || url[n] == '#')) {
			best = n;
			service = r->bases[i].service;
			rest = url + n;
		}
	}
	path = shape_path(rest);
	key = xasprintf("%s %s %s", service, method ? method : "?", path);
	snprintf(st, sizeof st, "%ld", status);
	if (body == NULL || body_len == 0)
		shape = shape_named("empty");
	else if ((j = json_loadb(body, body_len, JSON_DECODE_ANY, NULL)) != NULL)
		shape = shape_of(j);
	else
		shape = shape_named("text");
	json_decref(j);
	if ((ans = json_object_get(r->answers, key)) == NULL) {
		ans = json_object();
		json_object_set_new(r->answers, key, ans);
	}
	if ((byst = json_object_get(ans, st)) == NULL) {
		json_object_set_new(ans, st, json_pack("{s:i,s:o}", "count", 1, "body", shape));
	} else {
		json_object_set_new(byst, "count",
		    json_integer(json_integer_value(json_object_get(byst, "count")) + 1));
		shape_merge(json_object_get(byst, "body"), shape);
		json_decref(shape);
	}
	free(key);
	free(path);
}

void
shape_recorder_attach(struct shape_recorder *r, struct http_client *c)
{
	http_set_answer_hook(c, r ? shape_recorder_answer : NULL, r);
}

const json_t *
shape_recorder_json(const struct shape_recorder *r)
{
	return r ? r->doc : NULL;
}

bs_rc
shape_recorder_write(const struct shape_recorder *r, const char *path, struct bs_error *err)
{
	char *text;
	bs_rc rc;

	text = json_dumps(r->doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (text == NULL)
		return bs_fail(err, BS_ERR_NOMEM, "cannot serialise the answer shapes");
	rc = util_write_atomic(path, text, strlen(text), 0600, err);
	free(text);
	return rc;
}
