/* plan.c - plan building, plan ids, guards and JSON. */
#define _GNU_SOURCE 1	/* qsort_r */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config/conf.h"
#include "base/jwrite.h"
#include "engine/plan.h"
#include "base/util.h"

static const char *const op_names[] = {
	"add", "update", "remove", "reactivate", "create", "replace", "delete"
};

const char *
plan_op_name(enum plan_op op)
{
	if ((unsigned)op >= ARRAY_LEN(op_names))
		return "?";
	return op_names[op];
}

int
plan_op_is_removal(enum plan_op op)
{
	return op == PLAN_REMOVE || op == PLAN_DELETE;
}

void
plan_init(struct plan *p, const char *target)
{
	memset(p, 0, sizeof *p);
	snprintf(p->target, sizeof p->target, "%s", target ? target : "");
}

static void
action_release(struct plan_action *a)
{
	if (a->data_free != NULL)
		a->data_free(a->data);
}

void
plan_truncate(struct plan *p, size_t n, size_t nheld)
{
	while (p->n > n)
		action_release(&p->v[--p->n]);
	p->nheld = nheld < p->nheld ? nheld : p->nheld;	/* strings: in the arena */
}

void
plan_drop(struct plan *p, const unsigned char *drop, const unsigned char *drop_held,
    size_t nmarked_held)
{
	size_t o = 0;

	for (size_t i = 0; i < p->n; i++) {
		if (drop != NULL && drop[i])
			action_release(&p->v[i]);
		else
			p->v[o++] = p->v[i];
	}
	p->n = o;
	o = 0;
	for (size_t i = 0; i < p->nheld; i++) {
		if (drop_held == NULL || i >= nmarked_held || !drop_held[i])
			p->held[o++] = p->held[i];
	}
	p->nheld = o;
}

void
plan_clear(struct plan *p)
{
	if (p == NULL)
		return;
	plan_truncate(p, 0, 0);
	free(p->v);
	free(p->held);
	arena_clear(&p->text);
	for (size_t i = 0; i < p->nnotes; i++)
		free(p->notes[i]);
	free(p->notes);
	memset(p, 0, sizeof *p);
}

/* A length kept beside its string: a text of 4 GiB never reaches a plan
 * (a person's record is capped far below), so this only guards it. */
static unsigned int
len32(size_t n)
{
	if (n > UINT_MAX)
		abort();
	return (unsigned int)n;
}

static void
action_pack(struct plan *p, struct plan_action *a, const char *subject, const char *employee_id,
    const char *email, const char *name, const char *reason, const char *before,
    const char *after)
{
	char **const dst[] = { &a->subject, &a->employee_id, &a->email, &a->name, &a->reason,
	    &a->before, &a->after };
	const char *const src[] = { subject ? subject : "", employee_id, email, name,
	    reason ? reason : "", before, after };
	size_t len[ARRAY_LEN(src)];

	(void)str_pack_lens(&p->text, 0, dst, src, ARRAY_LEN(src), NULL, len);
	a->subject_len = len32(len[0]);
	a->employee_id_len = len32(len[1]);
	a->email_len = len32(len[2]);
	a->name_len = len32(len[3]);
	a->reason_len = len32(len[4]);
	a->before_len = len[5];
	a->after_len = len[6];
}

struct plan_action *
plan_add(struct plan *p, enum plan_op op, const char *subject, const char *employee_id,
    const char *email, const char *name, long long request_id, const char *reason,
    const char *before, const char *after)
{
	struct plan_action *a;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xreallocarray_big(p->v, p->n, p->cap, sizeof *p->v);
	}
	a = &p->v[p->n++];
	memset(a, 0, sizeof *a);
	a->op = op;
	a->request_id = request_id;
	action_pack(p, a, subject, employee_id, email, name, reason, before, after);
	return a;
}

void
plan_action_set_reason(struct plan *p, struct plan_action *a, const char *reason)
{
	/* packed anew in the arena; the old copy stays there until plan_clear */
	action_pack(p, a, a->subject, a->employee_id, a->email, a->name, reason, a->before,
	    a->after);
}

void
plan_hold(struct plan *p, const char *employee_id, const char *email, const char *name,
    const char *reason)
{
	struct plan_held *h;
	if (p->nheld == p->heldcap) {
		p->heldcap = p->heldcap ? p->heldcap * 2 : 16;
		p->held = xreallocarray_big(p->held, p->nheld, p->heldcap, sizeof *p->held);
	}
	h = &p->held[p->nheld++];
	{
		char **const dst[] = { &h->employee_id, &h->email, &h->name, &h->reason };
		const char *const src[] = { employee_id, email, name, reason ? reason : "" };
		size_t len[ARRAY_LEN(src)];

		(void)str_pack_lens(&p->text, 0, dst, src, ARRAY_LEN(src), NULL, len);
		h->employee_id_len = len32(len[0]);
		h->email_len = len32(len[1]);
		h->name_len = len32(len[2]);
		h->reason_len = len32(len[3]);
	}
}

static int
action_cmp(const void *a, const void *b)
{
	const struct plan_action *x = a, *y = b;
	int c;

	/* removals last, so a run stopped part-way has added before it removed */
	if (plan_op_is_removal(x->op) != plan_op_is_removal(y->op))
		return plan_op_is_removal(x->op) ? 1 : -1;
	c = strcmp(x->subject, y->subject);
	if (c != 0)
		return c;
	return (int)x->op - (int)y->op;
}

static int
held_cmp(const void *a, const void *b)
{
	const struct plan_held *x = a, *y = b;
	return strcmp(x->employee_id ? x->employee_id : "", y->employee_id ? y->employee_id : "");
}

/* Sorting a large plan: action_cmp's order, found mostly from one integer
 * per action (removals last, then the subject's first seven bytes) by a
 * radix sort of 16-byte entries instead of strcmp and moves of actions;
 * ties are settled by action_cmp and then the order the actions came in,
 * as the merge sort of qsort would.  The held people go the same way, by
 * the first eight bytes of their employee id and held_cmp. */
struct tie_ctx {
	const char *v;			/* the array being ordered */
	size_t size;			/* bytes an element */
	int (*cmp)(const void *, const void *);
};

/* Two keys of the same k (a shared prefix): the element order, then the
 * order they came in. */
static int
same_k_cmp(const void *x, const void *y, void *vctx)
{
	const struct key_at *a = x, *b = y;
	const struct tie_ctx *t = vctx;
	int c = t->cmp(t->v + a->at * t->size, t->v + b->at * t->size);

	if (c != 0)
		return c;
	return (a->at > b->at) - (a->at < b->at);
}

/* Put v[0..n) in the order of keys (one per element, .at = its index),
 * ties by cmp; the elements moved where they go (no second array of a
 * million).  Frees keys. */
static void
order_by_keys(void *v, size_t n, size_t size, struct key_at *keys,
    int (*cmp)(const void *, const void *))
{
	struct tie_ctx t = { v, size, cmp };

	sort_keys_at(keys, n);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && keys[j].k == keys[i].k; j++)
			;
		if (j - i > 1)
			qsort_r(keys + i, j - i, sizeof *keys, same_k_cmp, &t);
	}
	permute_at(v, size, keys, n);
	xfree_big(keys);
}

/* k << 8 | each of the first bytes of s (NUL-padded), bytes of them */
static uint64_t
prefix_key(uint64_t k, const char *str, int bytes)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");

	for (int b = 0; b < bytes; b++) {
		k = k << 8 | *s;
		s += *s != '\0';
	}
	return k;
}

static void
sort_actions(struct plan *p)
{
	struct key_at *keys = xreallocarray_big(NULL, 0, p->n, sizeof *keys);

	for (size_t i = 0; i < p->n; i++)
		keys[i] = (struct key_at){ prefix_key(plan_op_is_removal(p->v[i].op), p->v[i].subject,
		    7), i };
	order_by_keys(p->v, p->n, sizeof *p->v, keys, action_cmp);
}

static void
sort_held(struct plan *p)
{
	struct key_at *keys = xreallocarray_big(NULL, 0, p->nheld, sizeof *keys);

	for (size_t i = 0; i < p->nheld; i++)
		keys[i] = (struct key_at){ prefix_key(0, p->held[i].employee_id, 8), i };
	order_by_keys(p->held, p->nheld, sizeof *p->held, keys, held_cmp);
}

void
plan_finalize(struct plan *p)
{
	crypto_generichash_state st;
	unsigned char h[PLAN_ID_LEN / 2];
	static const char sep = '\x1f', end = '\x1e';

	if (p->n > 1)
		sort_actions(p);
	if (p->nheld > 1)
		sort_held(p);
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)p->target, strlen(p->target));
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->v[i];
		const char *op = plan_op_name(a->op);
		size_t ol = strlen(op), sl = a->subject_len;
		/* the bytes before "after" in one update, not five: the hash
		 * of a stream is the same however it is cut */
		unsigned char head[128], *h0 = head;

		if (ol + sl + 3 > sizeof head)
			h0 = xmalloc(ol + sl + 3);
		h0[0] = (unsigned char)end;
		memcpy(h0 + 1, op, ol);
		h0[1 + ol] = (unsigned char)sep;
		memcpy(h0 + 2 + ol, a->subject, sl);
		h0[2 + ol + sl] = (unsigned char)sep;
		crypto_generichash_update(&st, h0, ol + sl + 3);
		if (h0 != head)
			free(h0);
		if (a->after != NULL)
			crypto_generichash_update(&st, (const unsigned char *)a->after, a->after_len);
	}
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(p->id, sizeof p->id, h, sizeof h);
}

int
plan_id_matches(const struct plan *p, const char *approve)
{
	size_t n;

	if (approve == NULL || p->id[0] == '\0')
		return 0;
	n = strlen(approve);
	if (n < PLAN_ID_MIN_PREFIX || n > PLAN_ID_LEN)
		return 0;
	return strncasecmp(p->id, approve, n) == 0;
}

void
plan_guard_eval(struct plan *p, const struct conf *conf, long base, const char *approve)
{
	struct plan_guard *g = &p->guard;
	int timeoff = strcmp(p->target, "assembled") == 0;
	const char *kcount = timeoff ? "guard.timeoff_max_removals" : "guard.max_removals";
	const char *kpct = timeoff ? "guard.timeoff_max_removal_percent" : "guard.max_removal_percent";
	int over_count, over_pct;

	memset(g, 0, sizeof *g);
	for (size_t i = 0; i < p->n; i++)
		if (plan_op_is_removal(p->v[i].op))
			g->removals++;
	g->limit = conf ? conf_get_int(conf, kcount) : timeoff ? 10 : 3;
	g->percent_limit = conf ? conf_get_number(conf, kpct) : timeoff ? 5 : 10;
	g->base = base;
	g->percent = base > 0 ? 100.0 * (double)g->removals / (double)base : (g->removals ? 100.0 : 0);
	over_count = g->removals > g->limit;
	over_pct = g->percent > g->percent_limit + 1e-9;
	if (timeoff) {
		/* cancellations, declines and deletions are everyday work: up to
		 * the count they never stop a run; above it only a share of the
		 * events bobsync holds does (a mass deletion: a policy removed,
		 * a read gone wrong), so a big company's ordinary day passes */
		if (!over_count || !over_pct)
			return;
		g->tripped = 1;
		snprintf(g->reason, sizeof g->reason,
		    "%ld removals planned, %.1f%% of the %ld events bobsync holds: more than "
		    "guard.timeoff_max_removals (%ld) and more than guard.timeoff_max_removal_percent "
		    "(%.4g%%)", g->removals, g->percent, base, g->limit, g->percent_limit);
		if (plan_id_matches(p, approve))
			g->approved = 1;
		return;
	}
	/* the roster: either limit trips; a share of a tiny roster says
	 * little (one leaver of three is 33%), so it counts from two removals */
	over_pct = over_pct && g->removals > 1;
	if (!over_count && !over_pct)
		return;
	g->tripped = 1;
	if (over_count)
		snprintf(g->reason, sizeof g->reason,
		    "%ld removals planned, more than guard.max_removals (%ld)", g->removals, g->limit);
	else
		snprintf(g->reason, sizeof g->reason,
		    "%ld removals planned, %.1f%% of %ld, more than guard.max_removal_percent (%.4g%%)",
		    g->removals, g->percent, base, g->percent_limit);
	if (plan_id_matches(p, approve))
		g->approved = 1;
}

void
plan_guard_require(struct plan *p, const char *reason, const char *approve)
{
	struct plan_guard *g = &p->guard;

	g->tripped = 1;
	snprintf(g->reason, sizeof g->reason, "%s", reason ? reason : "approval required");
	g->approved = plan_id_matches(p, approve);
}

json_t *
plan_guard_to_json(const struct plan_guard *g)
{
	json_t *j = json_object();

	json_object_set_new(j, "tripped", json_boolean(g->tripped));
	json_object_set_new(j, "approved", json_boolean(g->approved));
	json_object_set_new(j, "removals", json_integer(g->removals));
	json_object_set_new(j, "limit", json_integer(g->limit));
	json_object_set_new(j, "percent", json_real(round(g->percent * 10) / 10));
	json_object_set_new(j, "percent_limit", json_real(g->percent_limit));
	json_object_set_new(j, "base", json_integer(g->base));
	if (g->tripped)
		json_object_set_new(j, "reason", json_string(g->reason));
	return j;
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Embed a JSON text as a value (or as a string when it does not parse). */
static json_t *
embedded(const char *text)
{
	json_t *v;

	if (text == NULL)
		return json_null();
	v = json_loads(text, JSON_DECODE_ANY, NULL);
	return v ? v : json_string(text);
}

void
plan_note(struct plan *p, const char *text)
{
	if (p == NULL || str_empty(text))
		return;
	p->notes = xreallocarray(p->notes, p->nnotes + 1, sizeof *p->notes);
	p->notes[p->nnotes++] = xstrdup(text);
}

json_t *
plan_to_json(const struct plan *p)
{
	json_t *j = json_object(), *acts = json_array(), *held = json_array();

	json_object_set_new(j, "plan_id", json_string(p->id));
	json_object_set_new(j, "target", json_string(p->target));
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "op", json_string(plan_op_name(a->op)));
		json_object_set_new(o, "employee_id", str_or_null(a->employee_id));
		json_object_set_new(o, "email", str_or_null(a->email));
		if (a->name != NULL)
			json_object_set_new(o, "name", json_string(a->name));
		json_object_set_new(o, "request_id", a->request_id ? json_integer(a->request_id) : json_null());
		json_object_set_new(o, "reason", json_string(a->reason));
		json_object_set_new(o, "before", embedded(a->before));
		json_object_set_new(o, "after", embedded(a->after));
		json_array_append_new(acts, o);
	}
	for (size_t i = 0; i < p->nheld; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "employee_id", str_or_null(p->held[i].employee_id));
		json_object_set_new(o, "email", str_or_null(p->held[i].email));
		if (p->held[i].name != NULL)
			json_object_set_new(o, "name", json_string(p->held[i].name));
		json_object_set_new(o, "reason", json_string(p->held[i].reason));
		json_array_append_new(held, o);
	}
	json_object_set_new(j, "actions", acts);
	json_object_set_new(j, "held", held);
	json_object_set_new(j, "guard", plan_guard_to_json(&p->guard));
	json_object_set_new(j, "source_count", json_integer(p->source_count));
	{
		json_t *notes = json_array();
		for (size_t i = 0; i < p->nnotes; i++)
			json_array_append_new(notes, json_string(p->notes[i]));
		json_object_set_new(j, "notes", notes);
	}
	return j;
}

/* An embedded before/after text, as embedded() makes it; own: a
 * jwriter's compact text. */
static void
write_embedded(struct jwriter *w, const char *text, size_t len, int own)
{
	if (text == NULL)
		jw_null(w);
	else if ((own ? jw_json_own(w, text, len) : jw_json(w, text, len, 0)) < 0)
		jw_string(w, text);
}

int
plan_write_json(const struct plan *p, FILE *out)
{
	struct jwriter w;
	json_t *guard;

	jw_init(&w, out, 2);
	jw_object_begin(&w);
	jw_key(&w, "plan_id");
	jw_string(&w, p->id);
	jw_key(&w, "target");
	jw_string(&w, p->target);
	jw_key(&w, "actions");
	jw_array_begin(&w);
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->v[i];
		const char *op = plan_op_name(a->op);
		jw_object_begin(&w);
		jw_member_string(&w, JW_LIT("op"), op, strlen(op));
		jw_member_string(&w, JW_LIT("employee_id"), a->employee_id, a->employee_id_len);
		jw_member_string(&w, JW_LIT("email"), a->email, a->email_len);
		if (a->name != NULL)
			jw_member_string(&w, JW_LIT("name"), a->name, a->name_len);
		jw_key(&w, "request_id");
		if (a->request_id)
			jw_int(&w, a->request_id);
		else
			jw_null(&w);
		jw_member_string(&w, JW_LIT("reason"), a->reason, a->reason_len);
		jw_key(&w, "before");
		write_embedded(&w, a->before, a->before_len, a->texts_own);
		jw_key(&w, "after");
		write_embedded(&w, a->after, a->after_len, a->texts_own);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "held");
	jw_array_begin(&w);
	for (size_t i = 0; i < p->nheld; i++) {
		const struct plan_held *h = &p->held[i];
		jw_object_begin(&w);
		jw_member_string(&w, JW_LIT("employee_id"), h->employee_id, h->employee_id_len);
		jw_member_string(&w, JW_LIT("email"), h->email, h->email_len);
		if (h->name != NULL)
			jw_member_string(&w, JW_LIT("name"), h->name, h->name_len);
		jw_member_string(&w, JW_LIT("reason"), h->reason, h->reason_len);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "guard");
	guard = plan_guard_to_json(&p->guard);
	jw_value(&w, guard, 0);
	json_decref(guard);
	jw_key(&w, "source_count");
	jw_int(&w, p->source_count);
	jw_key(&w, "notes");
	jw_array_begin(&w);
	for (size_t i = 0; i < p->nnotes; i++)
		jw_string(&w, p->notes[i]);
	jw_array_end(&w);
	jw_object_end(&w);
	return jw_finish(&w);
}

json_t *
sync_result_to_json(const struct sync_result *r)
{
	json_t *j = json_object();

	json_object_set_new(j, "run_id", r->run_id ? json_integer(r->run_id) : json_null());
	json_object_set_new(j, "target", json_string(r->target));
	json_object_set_new(j, "plan_id", json_string(r->plan_id));
	json_object_set_new(j, "dry_run", json_boolean(r->dry_run));
	json_object_set_new(j, "result", json_string(r->result));
	json_object_set_new(j, "planned", json_integer(r->planned));
	json_object_set_new(j, "applied", json_integer(r->applied));
	json_object_set_new(j, "failed", json_integer(r->failed));
	json_object_set_new(j, "skipped", json_integer(r->skipped));
	json_object_set_new(j, "guard", plan_guard_to_json(&r->guard));
	if (r->message[0] != '\0')
		json_object_set_new(j, "message", json_string(r->message));
	json_object_set_new(j, "requests", json_integer((json_int_t)r->requests));
	json_object_set_new(j, "bytes", json_integer((json_int_t)r->bytes));
	return j;
}
