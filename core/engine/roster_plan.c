/* roster_plan.c - the roster plan: the evaluated HiBob source diffed
 * against the roster provisioned in Alleo (the store's `roster` table).
 *
 * Pure apart from reading the table: the same code serves plan, sync,
 * dry run and explain, so they always agree.
 *
 *   add         eligible, never provisioned
 *   update      eligible and provisioned, but email, name, start date, a
 *               known last day or budgets changed
 *   remove      provisioned and active, now ineligible (alleo_access no,
 *               terminated, past the termination date): deactivated with
 *               the termination date as offboarding date when known, else
 *               today; never deleted
 *   reactivate  provisioned but inactive, eligible again (rehire, yes
 *               again): the same account, keyed by the HiBob id
 *   held        access unknown (unset, unreadable, another value), or a
 *               provisioned person HiBob no longer shows: never removed,
 *               always reported
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vendor/alleo_csv.h"
#include "config/conf.h"
#include "base/jread.h"
#include "base/jwrite.h"
#include "base/log.h"
#include "engine/roster.h"
#include "engine/session.h"
#include "store/store.h"
#include "store/store_roster.h"
#include "base/util.h"

#define REASON_MAX 1024

/* Budgets as compact JSON with sorted keys, only those with a value;
 * NULL when none.  Caller frees.  (A name listed twice keeps its last
 * value, as a JSON object would.) */
static int
budget_cmp(const void *a, const void *b)
{
	const struct bob_budget *x = *(const struct bob_budget *const *)a;
	const struct bob_budget *y = *(const struct bob_budget *const *)b;
	int c = strcmp(x->field, y->field);

	return c != 0 ? c : (x < y ? -1 : x > y);	/* stable: the order given */
}

static char *
budgets_json(const struct bob_person *p)
{
	const struct bob_budget *small[16], **v = small;
	struct jwriter w;
	size_t k = 0;

	if (p->nbudgets == 0)
		return NULL;
	if (p->nbudgets > ARRAY_LEN(small))
		v = xcalloc(p->nbudgets, sizeof *v);
	for (size_t i = 0; i < p->nbudgets; i++)
		if (p->budgets[i].set && p->budgets[i].field != NULL && isfinite(p->budgets[i].amount))
			v[k++] = &p->budgets[i];
	if (k == 0) {
		if (v != small)
			free(v);
		return NULL;
	}
	qsort(v, k, sizeof *v, budget_cmp);
	jw_init(&w, NULL, 0);
	jw_object_begin(&w);
	for (size_t i = 0; i < k; i++) {
		if (i + 1 < k && strcmp(v[i]->field, v[i + 1]->field) == 0)
			continue;	/* the later one wins */
		jw_key(&w, v[i]->field);
		jw_real(&w, v[i]->amount);
	}
	jw_object_end(&w);
	jw_finish(&w);
	if (v != small)
		free(v);
	return sb_detach(&w.buf);
}

/* The state sent for a person without copies: the strings are p's (or
 * the dates, YYYY-MM-DD or NULL, in start and end), except budgets,
 * which is the row's own; row_view_clear frees what is. */
static void
row_view(const struct bob_person *p, struct roster_row *out, char start[11], char end[11])
{
	int64_t day;

	memset(out, 0, sizeof *out);
	/* borrowed, never written or freed through the row */
	out->employee_id = (char *)(p->id ? p->id : "");
	out->email = (char *)p->email;
	out->first_name = (char *)p->first_name;
	out->last_name = (char *)p->surname;
	if (!str_empty(p->start_date) && date_parse(p->start_date, &day) == 0) {
		date_format_from(p->start_date, day, start);
		out->start_date = start;
	}
	if (!str_empty(p->termination_date) && date_parse(p->termination_date, &day) == 0) {
		date_format_from(p->termination_date, day, end);
		out->end_date = end;
	}
	out->budgets = budgets_json(p);
	out->active = 1;
}

static void
row_view_clear(struct roster_row *r)
{
	free(r->budgets);
	free(r->remote_id);
	memset(r, 0, sizeof *r);
}

void
roster_row_from_person(const struct bob_person *p, struct roster_row *out)
{
	char start[11], end[11];
	struct roster_row v;

	row_view(p, &v, start, end);
	memset(out, 0, sizeof *out);
	out->employee_id = xstrdup(v.employee_id);
	out->email = xstrdup(v.email);
	out->first_name = xstrdup(v.first_name);
	out->last_name = xstrdup(v.last_name);
	out->start_date = xstrdup(v.start_date);
	out->end_date = xstrdup(v.end_date);
	out->budgets = v.budgets;	/* the row's own already */
	out->active = 1;
}

static void
member(struct jwriter *w, const char *key, size_t klen, const char *s)
{
	jw_member_string(w, key, klen, s, s != NULL ? strlen(s) : 0);
}

/* A row's compact JSON, keys sorted (the plan id hashes this text), in
 * sb (emptied first; its room is kept for the next). */
static void
row_json_in(struct strbuf *sb, const struct roster_row *r)
{
	struct jwriter w;
	const char *b = r->budgets;

	jw_init(&w, NULL, 0);
	sb_reset(sb);
	w.buf = *sb;
	jw_object_begin(&w);
	jw_key(&w, "active");
	jw_bool(&w, r->active);
	jw_key(&w, "budgets");
	while (b != NULL && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
		b++;
	/* an object or a list as stored, else an empty object */
	if (b == NULL || (*b != '{' && *b != '[') ||
	    jw_json(&w, r->budgets, strlen(r->budgets), 1) < 0) {
		jw_object_begin(&w);
		jw_object_end(&w);
	}
	member(&w, JW_LIT("email"), r->email);
	member(&w, JW_LIT("end_date"), r->end_date);
	member(&w, JW_LIT("first_name"), r->first_name);
	member(&w, JW_LIT("last_name"), r->last_name);
	member(&w, JW_LIT("offboard_date"), r->offboard_date);
	member(&w, JW_LIT("start_date"), r->start_date);
	jw_object_end(&w);
	jw_finish(&w);
	*sb = w.buf;
}

char *
roster_row_to_json(const struct roster_row *r)
{
	struct strbuf sb;

	sb_init(&sb, 0);
	row_json_in(&sb, r);
	return sb_detach(&sb);
}

static char *
jdup(const json_t *o, const char *k)
{
	const char *s = json_str(o, k);
	return s ? xstrdup(s) : NULL;
}

static char *
jr_dup(const struct jdoc *d, const struct jnode *o, const char *k)
{
	const struct jnode *n = jread_get(d, o, k, strlen(k));
	return n != NULL && n->type == JT_STRING ? jread_strdup(n) : NULL;
}

/* The row from a text jread reads as Jansson does (no repeated name, no
 * \u0000) and without budgets: 1, else 0 with nothing made.  A sync reads
 * every action's "after" back into a row; Jansson's tree of each was a
 * quarter of the CPU of a first sync's plan. */
static int
row_from_jread(const char *employee_id, const char *text, struct roster_row *out)
{
	struct jdoc d;
	const struct jnode *o, *b;
	int ok = 0;

	memset(&d, 0, sizeof d);
	if (jread_parse_as_jansson(&d, text) < 0)
		goto out;
	o = jread_root(&d);
	if (o == NULL || o->type != JT_OBJECT)
		goto out;
	b = jread_get(&d, o, "budgets", 7);
	if (b != NULL && b->type == JT_OBJECT && jread_first(&d, b) != NULL)
		goto out;	/* budgets: their text as json_dump_compact writes it */
	out->employee_id = xstrdup(employee_id ? employee_id : "");
	out->email = jr_dup(&d, o, "email");
	out->first_name = jr_dup(&d, o, "first_name");
	out->last_name = jr_dup(&d, o, "last_name");
	out->start_date = jr_dup(&d, o, "start_date");
	out->end_date = jr_dup(&d, o, "end_date");
	b = jread_get(&d, o, "active", 6);
	out->active = b != NULL && b->type == JT_TRUE;
	out->offboard_date = jr_dup(&d, o, "offboard_date");
	ok = 1;
out:
	jread_clear(&d);
	return ok;
}

bs_rc
roster_row_from_json(const char *employee_id, const char *text, struct roster_row *out,
    struct bs_error *err)
{
	json_t *o, *b;

	memset(out, 0, sizeof *out);
	if (text != NULL && row_from_jread(employee_id, text, out))
		return BS_OK;
	o = text ? util_json_parse(text, strlen(text), "a journaled roster action", err) : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		return text ? (err ? err->rc : BS_ERR_PARSE) :
		    bs_fail(err, BS_ERR_PARSE, "the journaled action has no state");
	}
	out->employee_id = xstrdup(employee_id ? employee_id : "");
	out->email = jdup(o, "email");
	out->first_name = jdup(o, "first_name");
	out->last_name = jdup(o, "last_name");
	out->start_date = jdup(o, "start_date");
	out->end_date = jdup(o, "end_date");
	b = json_object_get(o, "budgets");
	if (json_is_object(b) && json_object_size(b) > 0)
		out->budgets = json_dump_compact(b);
	out->active = json_is_true(json_object_get(o, "active"));
	out->offboard_date = jdup(o, "offboard_date");
	json_decref(o);
	return BS_OK;
}

static const char *
shown(const char *s)
{
	return s ? s : "(none)";
}

static void
join(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
join(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (sb->len > 0)
		sb_puts(sb, "; ");
	sb_puts(sb, s);
	free(s);
}

static void
amount_text(const json_t *v, char out[48])
{
	if (!json_is_number(v)) {
		snprintf(out, 48, "(none)");
		return;
	}
	/* %g in the C locale is fine for reasons people read */
	snprintf(out, 48, "%.2f", json_number_value(v));
}

static void
budget_changes(const char *before, const char *after, struct strbuf *sb)
{
	json_t *b = before ? json_loads(before, 0, NULL) : NULL;
	json_t *a = after ? json_loads(after, 0, NULL) : NULL;
	json_t *keys = json_object();
	const char *k;
	json_t *v;
	void *tmp;

	if (!json_is_object(b)) {
		json_decref(b);
		b = json_object();
	}
	if (!json_is_object(a)) {
		json_decref(a);
		a = json_object();
	}
	json_object_foreach(b, k, v)
		json_object_set_new(keys, k, json_true());
	json_object_foreach(a, k, v)
		json_object_set_new(keys, k, json_true());
	json_object_foreach_safe(keys, tmp, k, v) {
		json_t *x = json_object_get(b, k), *y = json_object_get(a, k);
		char xs[48], ys[48];
		if (json_is_number(x) && json_is_number(y) &&
		    json_number_value(x) == json_number_value(y))
			continue;
		amount_text(x, xs);
		amount_text(y, ys);
		join(sb, "%s changed from %s to %s", k, xs, ys);
	}
	json_decref(keys);
	json_decref(a);
	json_decref(b);
}

/* The reason of an update, "" when nothing changed.  Caller frees. */
char *
roster_row_changes(const struct roster_row *was, const struct roster_row *now, int64_t today)
{
	struct strbuf sb;

	sb_init(&sb, REASON_MAX);
	if (!str_eq(was->email, now->email))
		join(&sb, "email changed from %s to %s", shown(was->email), shown(now->email));
	if (!str_eq(was->first_name, now->first_name) || !str_eq(was->last_name, now->last_name))
		join(&sb, "name changed from '%s %s' to '%s %s'", was->first_name ? was->first_name : "",
		    was->last_name ? was->last_name : "", now->first_name ? now->first_name : "",
		    now->last_name ? now->last_name : "");
	if (!str_eq(was->start_date, now->start_date))
		join(&sb, "start date changed from %s to %s", shown(was->start_date),
		    shown(now->start_date));
	if (!str_eq(was->end_date, now->end_date)) {
		int64_t d;
		if (now->end_date == NULL)
			join(&sb, "last day %s withdrawn", was->end_date);
		else if (was->end_date == NULL && date_parse(now->end_date, &d) == 0 && d >= today)
			join(&sb, "leaving on %s (last day known in advance)", now->end_date);
		else
			join(&sb, "last day changed from %s to %s", shown(was->end_date), now->end_date);
	}
	if (!str_eq(was->budgets, now->budgets))
		budget_changes(was->budgets, now->budgets, &sb);
	if (sb.len == 0 && !str_eq(was->budgets, now->budgets))
		join(&sb, "budgets changed");
	return sb_detach(&sb);
}

/* What an action's row needs beyond its "after" text and subject, kept
 * from planning to sending (NULL when neither is set, as for most adds):
 * the Alleo id, and the budgets text exactly as planned (so what is
 * stored compares equal next run). */
struct row_extra {
	char *remote_id;
	char *budgets;
};

static void
extra_free(void *p)
{
	free(p);
}

static struct row_extra *
extra_of(const struct roster_row *want)
{
	size_t lr = want->remote_id ? strlen(want->remote_id) + 1 : 0;
	size_t lb = want->budgets ? strlen(want->budgets) + 1 : 0;
	struct row_extra *x;
	char *o;

	if (lr == 0 && lb == 0)
		return NULL;
	x = xmalloc(sizeof *x + lr + lb);
	o = (char *)(x + 1);
	x->remote_id = lr ? memcpy(o, want->remote_id, lr) : NULL;
	x->budgets = lb ? memcpy(o + lr, want->budgets, lb) : NULL;
	return x;
}

static void
add_action(struct roster_differ *d, enum plan_op op, const struct bob_person *p,
    const char *name, const char *reason, const struct roster_row *was,
    const struct roster_row *want)
{
	struct plan_action *a;

	if (was != NULL)
		row_json_in(&d->json[0], was);
	row_json_in(&d->json[1], want);
	a = plan_add(d->out, op, want->employee_id, want->employee_id,
	    p && p->email ? p->email : want->email, name, 0, reason,
	    was ? d->json[0].buf : NULL, d->json[1].buf);
	/* the row itself is made again from "after" when the plan is sent
	 * (roster_plan_rows): a plan that is only shown costs no copy */
	a->texts_own = 1;	/* both row_json_in's */
	a->data = extra_of(want);
	a->data_free = extra_free;
}

bs_rc
roster_plan_rows(struct plan *p, struct bs_error *err)
{
	for (size_t i = 0; i < p->n; i++) {
		struct plan_action *a = &p->v[i];
		const struct row_extra *x = a->data;
		struct roster_row row;
		bs_rc rc;

		if (a->data_free != extra_free)
			continue;	/* a row already */
		rc = roster_row_from_json(a->subject, a->after, &row, err);
		if (rc != BS_OK)
			return rc;
		free(row.remote_id);
		row.remote_id = x && x->remote_id ? xstrdup(x->remote_id) : NULL;
		free(row.budgets);
		row.budgets = x && x->budgets ? xstrdup(x->budgets) : NULL;
		free(a->data);
		a->data = roster_row_pack(&row);
		a->data_free = free;
		roster_row_clear(&row);
	}
	return BS_OK;
}

/* Why someone provisioned must go: "left on 2026-10-31",
 * "alleo_access changed to no", or the rules' own words. */
static void
removal_reason(const struct bob_person *p, const struct roster_kept_eval *e, int64_t today,
    char *out, size_t outsz)
{
	int64_t term;
	char d[11];

	if (e->offboard_days >= 0 && e->offboard_days < today) {
		date_format(e->offboard_days, d);
		snprintf(out, outsz, "left on %s", d);
	} else if (e->rules[1].pass == 0) {
		snprintf(out, outsz, "no longer employed: %s", e->rules[1].detail);
	} else if (p->access == BOB_ACCESS_NO) {
		snprintf(out, outsz, "alleo_access changed to no");
	} else if (!str_empty(p->termination_date) && date_parse(p->termination_date, &term) == 0 &&
	    term < today) {
		date_format(term, d);
		snprintf(out, outsz, "left on %s", d);
	} else {
		snprintf(out, outsz, "%s", e->reason);
		return;
	}
	/* termination wins over a blank or unreadable field: say so */
	if (e->rules[0].pass < 0) {
		size_t n = strlen(out);
		snprintf(out + n, outsz - n, " (%s: a leaver is offboarded whatever the field says)",
		    e->rules[0].detail);
	}
}

void
roster_diff(const struct roster_source *src, const struct roster_rows *rows, struct plan *out)
{
	roster_diff_flags(src, rows, out, 0);
}

/* A field the Alleo file would carry as a spreadsheet formula or with a
 * control byte in it. */
static int
formula_row(const struct roster_row *r)
{
	return util_csv_formula_like(r->email) || util_csv_formula_like(r->first_name) ||
	    util_csv_formula_like(r->last_name);
}

/* Alleo keys people by email (CSV: "unique per file"; SCIM: userName is
 * unique), so two eligible people with one work email cannot both be
 * sent.  The email goes to the one already provisioned with it, else to
 * the smallest employee id; the others are held.  People are diffed one
 * at a time (they may be gone by the end: roster_differ_person), so each
 * eligible person with an email leaves a claim, and roster_differ_finish
 * settles every email claimed twice, turning what the others got into a
 * hold. */
struct email_claim {
	/* borrowed from what the person got in the plan, else from the
	 * person or (copy) the differ's copy */
	const char *email;
	const char *id;
	const char *name;
	size_t seq;		/* the order people came in */
	uint64_t hash;		/* of the email, ASCII case folded: sorts first */
	size_t at;		/* index of what the person got in the plan */
	unsigned char kind;	/* CLAIM_NOTHING, CLAIM_ACTION, CLAIM_HELD */
	unsigned char provisioned, counted;	/* counted: in with_budgets */
};

enum { CLAIM_NOTHING, CLAIM_ACTION, CLAIM_HELD };

static int
ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y || x == 0)
			return x - y;
	}
}

/* Claims on one email together (grouped by hash, then text), in the
 * order people came. */
static int
claim_cmp(const void *a, const void *b)
{
	const struct email_claim *x = a, *y = b;
	int c;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	c = ascii_casecmp(x->email, y->email);
	return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The rows by employee id: a binary search of 100,000 rows costs some
 * seventeen comparisons of strings scattered over the heap a person, most
 * of them cache misses (a quarter of a steady day's plan); a slot holds a
 * row's place + 1 (0: empty) and its id's hash. */
struct row_slot {
	uint32_t at, hash;
};

static void
index_rows(struct roster_differ *d)
{
	const struct roster_rows *rows = d->rows;
	size_t cap = 16;

	if (rows->n >= UINT32_MAX / 2)
		return;	/* past what a slot holds: the binary search */
	while (cap < rows->n * 2)
		cap *= 2;
	d->slots = xcalloc(cap, sizeof *d->slots);
	d->slotmask = cap - 1;
	for (size_t k = 0; k < rows->n; k++) {
		uint64_t h;
		size_t i;
		if (rows->v[k].employee_id == NULL)
			continue;
		h = str_hash(rows->v[k].employee_id, 0);
		for (i = h & d->slotmask; d->slots[i].at != 0; i = (i + 1) & d->slotmask)
			;
		d->slots[i] = (struct row_slot){ (uint32_t)k + 1, (uint32_t)(h >> 32) };
	}
}

static const struct roster_row *
find_row(const struct roster_differ *d, const char *employee_id)
{
	uint64_t h;

	if (d->slots == NULL)
		return roster_rows_find(d->rows, employee_id);
	h = str_hash(employee_id, 0);
	for (size_t i = h & d->slotmask; d->slots[i].at != 0; i = (i + 1) & d->slotmask) {
		const struct roster_row *r = &d->rows->v[d->slots[i].at - 1];
		if (d->slots[i].hash == (uint32_t)(h >> 32) && strcmp(r->employee_id, employee_id) == 0)
			return r;
	}
	return NULL;
}

void
roster_differ_init(struct roster_differ *d, const struct roster_source *src,
    const struct roster_rows *rows, struct plan *out, unsigned flags)
{
	memset(d, 0, sizeof *d);
	d->src = src;
	d->rows = rows;
	d->out = out;
	d->flags = flags;
	d->seen = xcalloc(rows->n + 1, sizeof *d->seen);
	d->tag = 1;
	index_rows(d);
}

void
roster_differ_clear(struct roster_differ *d)
{
	free(d->seen);
	free(d->slots);
	free(d->claims);
	arena_clear(&d->text);
	sb_clear(&d->json[0]);
	sb_clear(&d->json[1]);
	memset(d, 0, sizeof *d);
}

void
roster_differ_mark(struct roster_differ *d)
{
	d->tag++;
	d->mark_n = d->out->n;
	d->mark_held = d->out->nheld;
	d->mark_claims = d->nclaims;
	d->mark_budgets = d->with_budgets;
	d->mark_read = d->nread;
	arena_mark(&d->out->text, &d->mark_text);
	arena_mark(&d->text, &d->mark_claim_text);
}

void
roster_differ_reset(struct roster_differ *d)
{
	plan_truncate(d->out, d->mark_n, d->mark_held);
	/* and the texts of what went: a read retried at a million people
	 * would otherwise hold the plan's text twice */
	arena_rewind(&d->out->text, &d->mark_text);
	arena_rewind(&d->text, &d->mark_claim_text);
	for (size_t k = 0; k < d->rows->n; k++)
		if (d->seen[k] == d->tag)
			d->seen[k] = 0;
	d->nclaims = d->mark_claims;
	d->with_budgets = d->mark_budgets;
	d->nread = d->mark_read;
}

/* prefix then text into buf (cut to fit), as snprintf "%s%s" would
 * (once a person: the reason of each add) */
static void
join_to(char *buf, size_t size, const char *prefix, const char *text)
{
	size_t a = strlen(prefix), b = strlen(text);

	if (a >= size)
		a = size - 1;
	memcpy(buf, prefix, a);
	if (b > size - 1 - a)
		b = size - 1 - a;
	memcpy(buf + a, text, b);
	buf[a + b] = '\0';
}

static const char *
kept(struct roster_differ *d, const char *s)
{
	return d->copy ? arena_strdup(&d->text, s) : s;
}

void
roster_differ_person(struct roster_differ *d, const struct bob_person *p,
    const struct roster_kept_eval *e, int64_t today)
{
	const struct roster_source *src = d->src;
	struct plan *out = d->out;
	char reason[REASON_MAX], dd[11], start[11], end[11];
	const struct roster_row *was;
	struct roster_row want;
	struct email_claim *c = NULL;
	char *name, *changes;
	size_t n0 = out->n, h0 = out->nheld;

	d->nread++;
	if (str_empty(p->id))
		return;
	was = find_row(d, p->id);
	if (was != NULL)
		d->seen[was - d->rows->v] = d->tag;
	name = bob_person_name(p);
	if (e->verdict == ROSTER_ELIGIBLE && !str_empty(p->email)) {
		if (d->nclaims == d->capclaims) {
			d->capclaims = d->capclaims ? 2 * d->capclaims : 256;
			d->claims = xreallocarray_big(d->claims, d->nclaims, d->capclaims,
			    sizeof *d->claims);
		}
		c = &d->claims[d->nclaims++];
		memset(c, 0, sizeof *c);
		c->seq = d->nread;
		c->provisioned = was != NULL && str_eq_ci(was->email, p->email);
	}
	switch (e->verdict) {
	case ROSTER_UNKNOWN:
		plan_hold(out, p->id, p->email, name, e->reason);
		break;
	case ROSTER_ELIGIBLE:
		row_view(p, &want, start, end);
		if ((d->flags & ROSTER_DIFF_CSV) && formula_row(&want)) {
			/* the data is not changed silently: the person waits */
			plan_hold(out, p->id, p->email, name,
			    "on hold: a name or the e-mail starts like a spreadsheet formula "
			    "(= + - @) or holds a control character, which the Alleo CSV "
			    "file would carry as it is; correct it in HiBob");
			row_view_clear(&want);
			break;
		}
		if (src->budgets_unsent[0] != '\0') {
			/* nowhere to put them: not a change Alleo could see, so
			 * the row keeps what was last delivered */
			if (want.budgets != NULL) {
				d->with_budgets++;
				if (c != NULL)
					c->counted = 1;
			}
			free(want.budgets);
			want.budgets = was && was->budgets ? xstrdup(was->budgets) : NULL;
		}
		if (was == NULL) {
			join_to(reason, sizeof reason, "gets an account: alleo_access is yes, ",
			    e->rules[2].detail);
			if (str_empty(p->email)) {
				plan_hold(out, p->id, p->email, name,
				    "on hold: eligible, but HiBob has no work email for them "
				    "(Alleo needs one)");
				row_view_clear(&want);
				break;
			}
			add_action(d, PLAN_ADD, p, name, reason, NULL, &want);
		} else if (!was->active) {
			if (!str_eq(was->start_date, want.start_date) && want.start_date)
				snprintf(reason, sizeof reason, "rehired: started again on %s (same "
				    "Alleo account)", want.start_date);
			else
				snprintf(reason, sizeof reason, "eligible again: alleo_access yes, "
				    "%s (same Alleo account)", e->rules[1].detail);
			want.remote_id = xstrdup(was->remote_id);
			add_action(d, PLAN_REACTIVATE, p, name, reason, was, &want);
		} else {
			changes = roster_row_changes(was, &want, today);
			if (*changes != '\0') {
				want.remote_id = xstrdup(was->remote_id);
				add_action(d, PLAN_UPDATE, p, name, changes, was, &want);
			}
			free(changes);
		}
		row_view_clear(&want);
		break;
	case ROSTER_INELIGIBLE:
		if (was == NULL || !was->active)
			break;
		removal_reason(p, e, today, reason, sizeof reason);
		roster_row_copy(&want, was);
		want.active = 0;
		free(want.offboard_date);
		date_format(e->offboard_days >= 0 && e->offboard_days <= today ?
		    e->offboard_days : today, dd);
		want.offboard_date = xstrdup(dd);
		{
			size_t n = strlen(reason);
			snprintf(reason + n, sizeof reason - n, " (offboarding date %s)", dd);
		}
		add_action(d, PLAN_REMOVE, p, name, reason, was, &want);
		roster_row_clear(&want);
		break;
	}
	if (c != NULL) {
		/* the strings of what the person got serve the claim too */
		if (out->n > n0) {
			c->kind = CLAIM_ACTION;
			c->at = n0;
			c->email = out->v[n0].email;
			c->id = out->v[n0].subject;
			c->name = out->v[n0].name;
		} else if (out->nheld > h0) {
			c->kind = CLAIM_HELD;
			c->at = h0;
			c->email = out->held[h0].email;
			c->id = out->held[h0].employee_id;
			c->name = out->held[h0].name;
		} else {
			c->email = kept(d, p->email);
			c->id = kept(d, p->id);
			c->name = arena_strdup(&d->text, name);
		}
		c->hash = str_hash(c->email, 1);	/* now, while the text is at hand */
	}
	free(name);
}

/* Every email claimed more than once: the first provisioned claimant
 * keeps it, else the smallest employee id; what the others got goes, and
 * they are held instead. */
/* One email claimed by the n claims g[0..n): the provisioned one, else the
 * lowest employee id, keeps it; the others are dropped and held. */
static void
settle_email(struct roster_differ *d, struct email_claim *const *g, size_t n,
    unsigned char **drop_a, unsigned char **drop_h, size_t nheld0)
{
	struct plan *out = d->out;
	char reason[REASON_MAX];
	size_t win = SIZE_MAX;

	for (size_t k = 0; k < n; k++)
		if (g[k]->provisioned) {
			win = k;
			break;
		}
	if (win == SIZE_MAX) {
		win = 0;
		for (size_t j = 1; j < n; j++)
			if (strcmp(g[j]->id, g[win]->id) < 0)
				win = j;
	}
	for (size_t k = 0; k < n; k++) {
		const struct email_claim *c = g[k];
		if (str_eq(c->id, g[win]->id))
			continue;
		if (*drop_a == NULL) {
			*drop_a = xcalloc(out->n + 1, 1);
			*drop_h = xcalloc(nheld0 + 1, 1);
		}
		if (c->kind == CLAIM_ACTION)
			(*drop_a)[c->at] = 1;
		else if (c->kind == CLAIM_HELD)
			(*drop_h)[c->at] = 1;
		d->with_budgets -= c->counted;
		snprintf(reason, sizeof reason, "on hold: %s is also the work email of "
		    "employee %s, who gets it (Alleo keys people by email, so one "
		    "email cannot be two people); give each person their own email "
		    "in HiBob", c->email, g[win]->id);
		plan_hold(out, c->id, c->email, c->name, reason);
	}
}

static int
claim_ptr_cmp(const void *a, const void *b)
{
	return claim_cmp(*(const struct email_claim *const *)a,
	    *(const struct email_claim *const *)b);
}

static void
settle_claims(struct roster_differ *d)
{
	struct plan *out = d->out;
	size_t nc = d->nclaims, nheld0 = out->nheld;
	unsigned char *drop_a = NULL, *drop_h = NULL;
	struct key_at *keys;

	if (nc < 2)
		return;
	/* by their emails' hashes alone (no email read: most are unique, and
	 * reading each would be a cache miss in a large plan), as they came */
	keys = xreallocarray_big(NULL, 0, nc, sizeof *keys);
	for (size_t i = 0; i < nc; i++)
		keys[i] = (struct key_at){ d->claims[i].hash, i };
	sort_keys_at(keys, nc);
	for (size_t g = 0, end; g < nc; g = end) {
		struct email_claim **v;
		size_t n;

		for (end = g + 1; end < nc && keys[end].k == keys[g].k; end++)
			;
		if (end - g < 2)
			continue;
		/* the same hash: by email (hashes may collide), then as they came */
		n = end - g;
		v = xreallocarray(NULL, n, sizeof *v);
		for (size_t k = 0; k < n; k++)
			v[k] = &d->claims[keys[g + k].at];
		qsort(v, n, sizeof *v, claim_ptr_cmp);
		for (size_t a = 0, b; a < n; a = b) {
			for (b = a + 1; b < n && ascii_casecmp(v[b]->email, v[a]->email) == 0; b++)
				;
			if (b - a > 1)
				settle_email(d, v + a, b - a, &drop_a, &drop_h, nheld0);
		}
		free(v);
	}
	xfree_big(keys);
	if (drop_a != NULL)
		plan_drop(out, drop_a, drop_h, nheld0);
	free(drop_a);
	free(drop_h);
}

void
roster_differ_finish(struct roster_differ *d)
{
	const struct roster_source *src = d->src;
	const struct roster_rows *rows = d->rows;
	struct plan *out = d->out;

	settle_claims(d);
	/* provisioned people HiBob does not show any more: never removed on
	 * an absence, which is what a permission change also looks like */
	for (size_t k = 0; k < rows->n; k++) {
		const struct roster_row *r = &rows->v[k];
		char *name;
		if (d->seen[k] || !r->active)
			continue;
		name = xasprintf("%s%s%s", r->first_name ? r->first_name : "",
		    r->first_name && r->last_name ? " " : "", r->last_name ? r->last_name : "");
		plan_hold(out, r->employee_id, r->email, name,
		    "on hold: provisioned in Alleo but no longer visible in HiBob (deleted, or outside "
		    "the service user's audience); not removed automatically");
		free(name);
	}
	if (src->budgets_unsent[0] != '\0' && src->nbudget > 0) {
		char *note = xasprintf("budget fields are not sent (%zu eligible %s one): %s",
		    d->with_budgets, d->with_budgets == 1 ? "person has" : "people have",
		    src->budgets_unsent);
		plan_note(out, note);
		free(note);
	}
	out->source_count = (long)d->nread;
	plan_finalize(out);
}

void
roster_diff_flags(const struct roster_source *src, const struct roster_rows *rows,
    struct plan *out, unsigned flags)
{
	struct roster_differ d;

	roster_differ_init(&d, src, rows, out, flags);
	for (size_t i = 0; i < src->people.n; i++)
		roster_differ_person(&d, &src->people.v[i], &src->evals[i], src->local_today[i]);
	roster_differ_finish(&d);
	roster_differ_clear(&d);
}

bs_rc
roster_plan(struct bs_session *s, const struct roster_source *src, struct plan *out,
    struct bs_error *err)
{
	struct roster_rows rows;
	bs_rc rc;

	plan_init(out, "alleo");
	if (s == NULL || s->store == NULL)
		return bs_fail(err, BS_ERR_INVALID, "the roster plan needs the state store");
	rc = store_roster_list(s->store, &rows, err);
	if (rc != BS_OK)
		return rc;
	roster_diff_flags(src, &rows, out,
	    str_eq(conf_get(s->conf, "alleo.mode"), "csv") ? ROSTER_DIFF_CSV : 0);
	roster_rows_clear(&rows);
	return BS_OK;
}

/* ---- source sanity ---- */

bs_rc
roster_source_sane(const struct roster_source *src, long last_count, double min_ratio,
    struct bs_error *err)
{
	/* kept, or handed to a diff as they were read */
	long n = (long)(src->people.nread > src->people.n ? src->people.nread : src->people.n);

	if (n == 0)
		return bs_fail(err, BS_ERR_SOURCE, "HiBob returned no people at all, so nothing was "
		    "changed. A lost permission or an outage looks like this: run 'bobsync check'");
	if (src->field_problem[0] != '\0')
		return bs_fail(err, BS_ERR_SOURCE, "the eligibility field cannot be read: %s. Nothing "
		    "was changed; 'bobsync check' says how to fix it", src->field_problem);
	if (src->nmissing_sections > 0) {
		struct strbuf sb;
		bs_rc rc;
		sb_init(&sb, 512);
		for (size_t i = 0; i < src->nmissing_sections; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", src->missing_sections[i]);
		rc = bs_fail(err, BS_ERR_SOURCE, "HiBob no longer returns the %s section%s for anyone "
		    "(the service user's permission group lacks View on %s). Nothing was changed",
		    sb.buf ? sb.buf : "?", src->nmissing_sections > 1 ? "s" : "",
		    src->nmissing_sections > 1 ? "them" : "it");
		sb_clear(&sb);
		return rc;
	}
	if (last_count > 0 && min_ratio > 0 && (double)n < min_ratio * (double)last_count)
		return bs_fail(err, BS_ERR_SOURCE, "HiBob returned %ld people, fewer than %.0f%% of the "
		    "%ld the last successful run read (guard.min_source_ratio). Nothing was changed. "
		    "If the company really shrank, lower guard.min_source_ratio for one run",
		    n, min_ratio * 100.0, last_count);
	return BS_OK;
}

/* ---- the CSV file ---- */

/* Whether a row goes in the file at all (leavers only for a while). */
static int
csv_row_wanted(const struct roster_row *r, int64_t today)
{
	int64_t off;

	if (r->active)
		return 1;
	/* leavers stay in the file for a while after their date */
	return r->offboard_date != NULL && date_parse(r->offboard_date, &off) == 0 &&
	    today - off <= ALLEO_CSV_KEEP_LEAVER_DAYS;
}

char *
roster_csv_text(const struct roster_rows *rows, const char *const *budget_names,
    size_t nbudget, int64_t today, size_t *len)
{
	struct alleo_csv_row *v = xcalloc(rows->n + 1, sizeof *v);
	json_t *owner = json_object();
	size_t n = 0;
	char *text;

	/* one row per email (Alleo's key, unique per file): an active person
	 * first, so a leaver whose address went to someone new drops out */
	for (size_t k = 0; k < 2 * rows->n; k++) {
		const struct roster_row *r = &rows->v[k % rows->n];
		char *key;

		if (r->active != (k < rows->n) || !csv_row_wanted(r, today))
			continue;
		key = str_lower_dup(r->email ? r->email : "");
		if (json_object_get(owner, key) == NULL)
			json_object_set_new(owner, key, json_string(r->employee_id));
		else
			log_warn("the Alleo CSV file has %s once: employee %s is left out (employee "
			    "%s has that email)", r->email, r->employee_id,
			    json_string_value(json_object_get(owner, key)));
		free(key);
	}
	for (size_t i = 0; i < rows->n; i++) {
		const struct roster_row *r = &rows->v[i];
		struct alleo_csv_row *x;
		char *key;
		int mine;

		if (!csv_row_wanted(r, today))
			continue;
		key = str_lower_dup(r->email ? r->email : "");
		mine = str_eq(json_string_value(json_object_get(owner, key)), r->employee_id);
		free(key);
		if (!mine)
			continue;
		x = &v[n++];
		x->email = r->email;
		x->first_name = r->first_name;
		x->last_name = r->last_name;
		x->onboarding_date = r->start_date;
		/* active people with a known last day carry it in advance */
		x->offboarding_date = r->active ? r->end_date : r->offboard_date;
		x->external_id = r->employee_id;
		x->budgets_json = r->budgets;
	}
	text = alleo_csv_format(budget_names, nbudget, v, n, len);
	json_decref(owner);
	free(v);
	return text;
}

