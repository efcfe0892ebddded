/* describe.c - what an action changes, in words (see describe.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/humantime.h"
#include "base/jread.h"
#include "base/tz.h"
#include "base/util.h"
#include "engine/describe.h"

#define DAY 86400

static void
sep(struct strbuf *sb)
{
	if (sb->len > 0)
		sb_puts(sb, "; ");
}

static const char *
jtext(const json_t *o, const char *k)
{
	const char *s = json_str(o, k);
	return s != NULL && *s != '\0' ? s : NULL;
}

/* "Sun 6 Dec" for "2026-12-06"; other text as it is; "none" for none */
static void
date_words(const char *iso, int64_t today, char out[HT_MAX])
{
	int64_t d;

	if (iso == NULL)
		snprintf(out, HT_MAX, "none");
	else if (date_parse(iso, &d) == 0)
		ht_date(d, today, out);
	else
		snprintf(out, HT_MAX, "%.60s", iso);
}

static char *
full_name(const json_t *row)
{
	const char *f = jtext(row, "first_name"), *l = jtext(row, "last_name");

	if (f == NULL && l == NULL)
		return NULL;
	return xasprintf("%s%s%s", f ? f : "", f && l ? " " : "", l ? l : "");
}

static void
amount(const json_t *v, char out[48])
{
	if (v == NULL || json_is_null(v))
		snprintf(out, 48, "none");
	else if (json_is_integer(v))
		snprintf(out, 48, "%lld", (long long)json_integer_value(v));
	else if (json_is_number(v))
		snprintf(out, 48, "%.2f", json_number_value(v));
	else if (json_is_string(v))
		snprintf(out, 48, "%.46s", json_string_value(v));
	else
		snprintf(out, 48, "set");
}

static void
budgets(struct strbuf *sb, const json_t *b, const json_t *a)
{
	const char *k;
	json_t *v;

	if (json_equal(b, a) || (b == NULL && json_is_object(a) && json_object_size(a) == 0))
		return;
	if (!json_is_object(a) || (b != NULL && !json_is_object(b))) {
		sep(sb);
		sb_puts(sb, "Budgets: changed");
		return;
	}
	json_object_foreach((json_t *)a, k, v) {
		json_t *x = b ? json_object_get(b, k) : NULL;
		char xs[48], ys[48];
		if (x != NULL && json_equal(x, v))
			continue;
		amount(x, xs);
		amount(v, ys);
		sep(sb);
		sb_printf(sb, "Budget %s: %s -> %s", k, xs, ys);
	}
	if (b != NULL)
		json_object_foreach((json_t *)b, k, v) {
			char xs[48];
			if (json_object_get(a, k) != NULL)
				continue;
			amount(v, xs);
			sep(sb);
			sb_printf(sb, "Budget %s: %s -> none", k, xs);
		}
}

static const struct {
	const char *key, *label;
	int date;
} roster_fields[] = {
	{ "email", "Email", 0 },
	{ "start_date", "Start date", 1 },
	{ "end_date", "Last day", 1 },
	{ "offboard_date", "Offboarding date", 1 },
};

static void
roster_words(struct strbuf *sb, const char *op, const json_t *b, const json_t *a, int64_t today)
{
	char *nb, *na;

	if (!json_is_object(a))
		return;
	if (b == NULL) {
		sep(sb);
		sb_puts(sb, "Account: none -> active");
	} else if (json_is_true(json_object_get(b, "active")) != json_is_true(json_object_get(a,
	    "active")) || str_eq(op, "remove") || str_eq(op, "reactivate")) {
		sep(sb);
		sb_printf(sb, "Account: %s -> %s", json_is_true(json_object_get(b, "active")) ?
		    "active" : "deactivated", json_is_true(json_object_get(a, "active")) ? "active" :
		    "deactivated");
	}
	nb = b ? full_name(b) : NULL;
	na = full_name(a);
	if (b == NULL && na != NULL) {
		sep(sb);
		sb_printf(sb, "Name: %s", na);
	} else if (b != NULL && !str_eq(nb, na)) {
		sep(sb);
		sb_printf(sb, "Name: %s -> %s", nb ? nb : "none", na ? na : "none");
	}
	free(nb);
	free(na);
	for (size_t i = 0; i < ARRAY_LEN(roster_fields); i++) {
		const char *x = b ? jtext(b, roster_fields[i].key) : NULL;
		const char *y = jtext(a, roster_fields[i].key);
		char xs[HT_MAX], ys[HT_MAX];
		if (b == NULL ? y == NULL : str_eq(x, y))
			continue;
		if (roster_fields[i].date) {
			date_words(x, today, xs);
			date_words(y, today, ys);
		} else {
			snprintf(xs, sizeof xs, "%.78s", x ? x : "none");
			snprintf(ys, sizeof ys, "%.78s", y ? y : "none");
		}
		sep(sb);
		if (b == NULL)
			sb_printf(sb, "%s: %s", roster_fields[i].label, ys);
		else
			sb_printf(sb, "%s: %s -> %s", roster_fields[i].label, xs, ys);
	}
	budgets(sb, b ? json_object_get(b, "budgets") : NULL, json_object_get(a, "budgets"));
}

/* ---- the same words, read with jread ----
 *
 * A plan of 100,000 people is printed with as many descriptions; Jansson's
 * tree of each action's texts was a quarter of that print.  These read the
 * texts into reused node arrays instead and say exactly what roster_words
 * says.  jread takes what Jansson takes, except a repeated member name
 * (Jansson keeps the last) and \u0000 (Jansson refuses the text): for
 * those the caller goes the Jansson way. */

/* Append the strings up to a NULL: the words of this path without a
 * format string parsed for each (the path is run per action of a plan). */
static void
put_all(struct strbuf *sb, ...)
{
	va_list ap;
	const char *t;

	va_start(ap, sb);
	while ((t = va_arg(ap, const char *)) != NULL)
		sb_puts(sb, t);
	va_end(ap);
}

/* "%.78s" of s ("none" for NULL) */
static void
put_max(struct strbuf *sb, const char *s, size_t max)
{
	if (s == NULL)
		s = "none";
	sb_append(sb, s, strnlen(s, max));
}

/* A member's string value, decoded, NULL when absent, not a string or
 * empty (as jtext); caller frees. */
static char *
jr_text(const struct jdoc *d, const struct jnode *o, const char *k)
{
	const struct jnode *n = o != NULL ? jread_get(d, o, k, strlen(k)) : NULL;

	if (n == NULL || n->type != JT_STRING || n->slen == 0)
		return NULL;
	return jread_strdup(n);
}

static int
jr_is_true(const struct jdoc *d, const struct jnode *o, const char *k)
{
	const struct jnode *n = o != NULL ? jread_get(d, o, k, strlen(k)) : NULL;
	return n != NULL && n->type == JT_TRUE;
}

static char *
jr_full_name(const struct jdoc *d, const struct jnode *row)
{
	char *f = jr_text(d, row, "first_name"), *l = jr_text(d, row, "last_name"), *r;
	size_t fl, ll;

	if (f == NULL || l == NULL)
		return f != NULL ? f : l;
	fl = strlen(f);
	ll = strlen(l);
	r = xmalloc(fl + ll + 2);
	memcpy(r, f, fl);
	r[fl] = ' ';
	memcpy(r + fl + 1, l, ll + 1);
	free(f);
	free(l);
	return r;
}

static int
jr_str_equal(const struct jnode *x, const struct jnode *y)
{
	char *a, *b;
	int eq;

	if (!x->escaped && !y->escaped)
		return x->slen == y->slen && memcmp(x->s, y->s, x->slen) == 0;
	a = jread_strdup(x);
	b = jread_strdup(y);
	eq = strcmp(a, b) == 0;
	free(a);
	free(b);
	return eq;
}

/* json_equal of two nodes */
static int
jr_equal(const struct jdoc *dx, const struct jnode *x, const struct jdoc *dy,
    const struct jnode *y)
{
	const struct jnode *m, *o;
	size_t nx = 0, ny = 0;

	if (x == NULL || y == NULL || x->type != y->type)
		return 0;
	switch (x->type) {
	case JT_NULL:
	case JT_TRUE:
	case JT_FALSE:
		return 1;
	case JT_INT:
		return x->num.i == y->num.i;
	case JT_REAL:
		return x->num.r == y->num.r;
	case JT_STRING:
		return jr_str_equal(x, y);
	case JT_ARRAY:
		for (m = jread_first(dx, x), o = jread_first(dy, y); m != NULL && o != NULL;
		    m = jread_next(dx, x, m), o = jread_next(dy, y, o))
			if (!jr_equal(dx, m, dy, o))
				return 0;
		return m == NULL && o == NULL;
	case JT_OBJECT:
		for (m = jread_first(dx, x); m != NULL; m = jread_next(dx, x, m), nx++)
			if (!jr_equal(dx, m, dy, jread_get(dy, y, m->key, m->klen)))
				return 0;
		for (o = jread_first(dy, y); o != NULL; o = jread_next(dy, y, o))
			ny++;
		return nx == ny;
	default:
		return 0;
	}
}

static void
jr_amount(const struct jnode *v, char out[48])
{
	if (v == NULL || v->type == JT_NULL) {
		snprintf(out, 48, "none");
	} else if (v->type == JT_INT) {
		snprintf(out, 48, "%lld", v->num.i);
	} else if (v->type == JT_REAL) {
		snprintf(out, 48, "%.2f", v->num.r);
	} else if (v->type == JT_STRING) {
		char *t = jread_strdup(v);
		snprintf(out, 48, "%.46s", t);
		free(t);
	} else {
		snprintf(out, 48, "set");
	}
}

static void
jr_budgets(struct strbuf *sb, const struct jdoc *db, const struct jnode *b,
    const struct jdoc *da, const struct jnode *a)
{
	const struct jnode *v;

	if (jr_equal(db, b, da, a) || (b == NULL && a != NULL && a->type == JT_OBJECT &&
	    jread_first(da, a) == NULL))
		return;
	if (a == NULL || a->type != JT_OBJECT || (b != NULL && b->type != JT_OBJECT)) {
		sep(sb);
		sb_puts(sb, "Budgets: changed");
		return;
	}
	for (v = jread_first(da, a); v != NULL; v = jread_next(da, a, v)) {
		const struct jnode *x = b ? jread_get(db, b, v->key, v->klen) : NULL;
		char xs[48], ys[48];
		if (x != NULL && jr_equal(db, x, da, v))
			continue;
		jr_amount(x, xs);
		jr_amount(v, ys);
		sep(sb);
		sb_puts(sb, "Budget ");
		sb_append(sb, v->key, strnlen(v->key, v->klen));
		put_all(sb, ": ", xs, " -> ", ys, NULL);
	}
	if (b != NULL)
		for (v = jread_first(db, b); v != NULL; v = jread_next(db, b, v)) {
			char xs[48];
			if (jread_get(da, a, v->key, v->klen) != NULL)
				continue;
			jr_amount(v, xs);
			sep(sb);
			sb_puts(sb, "Budget ");
			sb_append(sb, v->key, strnlen(v->key, v->klen));
			put_all(sb, ": ", xs, " -> none", NULL);
		}
}

/* roster_words from the texts; -1 (nothing written) when the caller must
 * read them with Jansson. */
static int
jr_roster_words(struct strbuf *sb, const char *op, const char *before, const char *after,
    int64_t today)
{
	struct jdoc db, da;
	const struct jnode *b = NULL, *a;
	char *nb, *na;
	int rc = -1;

	memset(&db, 0, sizeof db);
	memset(&da, 0, sizeof da);
	if (before != NULL) {
		if (jread_parse_as_jansson(&db, before) < 0)
			goto out;
		b = jread_root(&db);
		if (b != NULL && b->type != JT_OBJECT)
			b = NULL;
	}
	if (after == NULL || jread_parse_as_jansson(&da, after) < 0)
		goto out;
	rc = 0;
	a = jread_root(&da);
	if (a == NULL || a->type != JT_OBJECT)
		goto out;
	if (b == NULL) {
		sep(sb);
		sb_puts(sb, "Account: none -> active");
	} else {
		int was = jr_is_true(&db, b, "active"), now = jr_is_true(&da, a, "active");
		if (was != now || str_eq(op, "remove") || str_eq(op, "reactivate")) {
			sep(sb);
			put_all(sb, "Account: ", was ? "active" : "deactivated", " -> ",
			    now ? "active" : "deactivated", NULL);
		}
	}
	nb = b ? jr_full_name(&db, b) : NULL;
	na = jr_full_name(&da, a);
	if (b == NULL && na != NULL) {
		sep(sb);
		put_all(sb, "Name: ", na, NULL);
	} else if (b != NULL && !str_eq(nb, na)) {
		sep(sb);
		put_all(sb, "Name: ", nb ? nb : "none", " -> ", na ? na : "none", NULL);
	}
	free(nb);
	free(na);
	for (size_t i = 0; i < ARRAY_LEN(roster_fields); i++) {
		char *x = b ? jr_text(&db, b, roster_fields[i].key) : NULL;
		char *y = jr_text(&da, a, roster_fields[i].key);
		char xs[HT_MAX], ys[HT_MAX];
		if (b == NULL ? y == NULL : str_eq(x, y)) {
			free(x);
			free(y);
			continue;
		}
		sep(sb);
		put_all(sb, roster_fields[i].label, ": ", NULL);
		if (roster_fields[i].date) {
			date_words(x, today, xs);
			date_words(y, today, ys);
			if (b == NULL)
				sb_puts(sb, ys);
			else
				put_all(sb, xs, " -> ", ys, NULL);
		} else {
			if (b != NULL) {
				put_max(sb, x, 78);
				sb_puts(sb, " -> ");
			}
			put_max(sb, y, 78);
		}
		free(x);
		free(y);
	}
	jr_budgets(sb, &db, b ? jread_get(&db, b, "budgets", 7) : NULL, &da,
	    jread_get(&da, a, "budgets", 7));
out:
	jread_clear(&db);
	jread_clear(&da);
	return rc;
}

/* One event in words: "Mon 21 Dec, full day", "Mon 21 Dec to Wed 23 Dec,
 * 3 full days", "Mon 21 Dec 09:00 to 13:00", "Mon 21 Dec 14:00 to Tue 22
 * Dec 12:00"; the zone is named by the caller. */
static void
event_words(struct strbuf *sb, int64_t s, int64_t e, const struct tz *z, int64_t today)
{
	int32_t so = tz_offset_at(z, s), eo = tz_offset_at(z, e);
	int64_t ds = tz_local_days(z, s), de = tz_local_days(z, e);
	int sm = (int)((s + so - ds * DAY) / 60), em = (int)((e + eo - de * DAY) / 60);
	char a[HT_MAX], b[HT_MAX];

	ht_date(ds, today, a);
	if (sm == 0 && em == 0 && de > ds) {
		if (de - ds == 1) {
			sb_printf(sb, "%s, full day", a);
		} else {
			ht_date(de - 1, today, b);
			sb_printf(sb, "%s to %s, %lld full days", a, b, (long long)(de - ds));
		}
	} else if (de == ds || (de == ds + 1 && em == 0)) {
		if (de > ds)
			em = 24 * 60;	/* "to 24:00", not "to Tue 22 Dec 00:00" */
		sb_printf(sb, "%s %02d:%02d to %02d:%02d", a, sm / 60, sm % 60, em / 60, em % 60);
	} else {
		ht_date(de, today, b);
		sb_printf(sb, "%s %02d:%02d to %s %02d:%02d", a, sm / 60, sm % 60, b, em / 60, em % 60);
	}
}

/* A list of {start, end} objects in words, "; " between parts. */
static size_t
events_words(struct strbuf *sb, const json_t *list, const struct tz *z, int64_t today)
{
	size_t i, n = 0;
	json_t *ev;

	json_array_foreach(list, i, ev) {
		json_t *s = json_object_get(ev, "start"), *e = json_object_get(ev, "end");
		if (!json_is_integer(s) || !json_is_integer(e))
			continue;
		if (n++ > 0)
			sb_puts(sb, " and ");
		event_words(sb, json_integer_value(s), json_integer_value(e), z, today);
	}
	return n;
}

static void
timeoff_words(struct strbuf *sb, const char *op, const json_t *b, const json_t *a, int64_t now)
{
	const struct tz *z = NULL;
	const char *zone = a ? jtext(a, "zone") : NULL, *type = a ? jtext(a, "type") : NULL;
	const json_t *evs = a ? json_object_get(a, "events") : NULL;
	int64_t today;
	struct strbuf was, will;
	size_t nb, na;

	if (type != NULL && strcasecmp(type, "time off") == 0)
		type = NULL;	/* "Time off (Time Off)" says it twice */
	if (zone == NULL || tz_get(zone, &z, NULL) != BS_OK) {
		tz_get("UTC", &z, NULL);
		zone = "UTC";
	}
	today = tz_local_days(z, now);
	sb_init(&was, 0);
	sb_init(&will, 0);
	nb = json_is_array(b) ? events_words(&was, b, z, today) : 0;
	na = json_is_array(evs) ? events_words(&will, evs, z, today) : 0;
	sep(sb);
	sb_printf(sb, "Time off%s%s%s: ", type ? " (" : "", type ? type : "", type ? ")" : "");
	if (str_eq(op, "delete") || na == 0) {
		if (nb > 0)
			sb_printf(sb, "%s, %s -> removed", was.buf, zone);
		else
			sb_puts(sb, "removed");
	} else if (nb > 0 && !str_eq(was.buf, will.buf)) {
		sb_printf(sb, "%s -> %s, %s", was.buf, will.buf, zone);
	} else {
		sb_printf(sb, "%s, %s", will.buf, zone);
	}
	sb_clear(&was);
	sb_clear(&will);
}

char *
describe_action(const char *target, const char *op, const char *before, const char *after,
    int64_t now)
{
	json_t *b, *a;
	struct strbuf sb;

	sb_init(&sb, 256);
	sb_append(&sb, "", 0);
	if (str_eq(target, "alleo") && jr_roster_words(&sb, op, before, after,
	    ht_local_today(now)) == 0)
		return sb_detach(&sb);
	b = before ? json_loads(before, JSON_DECODE_ANY, NULL) : NULL;
	a = after ? json_loads(after, JSON_DECODE_ANY, NULL) : NULL;
	if (str_eq(target, "alleo"))
		roster_words(&sb, op, json_is_object(b) ? b : NULL, a, ht_local_today(now));
	else if (str_eq(target, "assembled") && (json_is_object(a) || json_is_array(b)))
		timeoff_words(&sb, op, b, json_is_object(a) ? a : NULL, now);
	json_decref(b);
	json_decref(a);
	return sb_detach(&sb);
}

char *
describe_span(int64_t start, int64_t end, const char *zone, int64_t now)
{
	const struct tz *z = NULL;
	struct strbuf sb;

	if (zone == NULL || tz_get(zone, &z, NULL) != BS_OK)
		tz_get("UTC", &z, NULL);
	sb_init(&sb, 0);
	sb_append(&sb, "", 0);
	if (end > start)
		event_words(&sb, start, end, z, tz_local_days(z, now));
	return sb_detach(&sb);
}
