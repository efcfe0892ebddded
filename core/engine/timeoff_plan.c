/* timeoff_plan.c - the time-off planner: the changes feed (incremental)
 * and the whole window (reconciliation) into one plan of create / replace /
 * delete per request, overlaps and the guard (see timeoff_sync.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vendor/assembled.h"
#include "config/conf.h"
#include "vendor/hibob.h"
#include "net/http.h"
#include "base/jread.h"
#include "base/jwrite.h"
#include "base/log.h"
#include "engine/session.h"
#include "store/store.h"
#include "store/store_timeoff.h"
#include "rules/timeoff_rules.h"
#include "engine/timeoff_sync.h"
#include "engine/timeoff_int.h"
#include "base/tz.h"
#include "base/util.h"

#define TOFF_RECONCILE_FEED_DAYS 365	/* changes read back by a reconciliation */

/* ---- plans ---- */

static void
act_free(void *p)
{
	struct act *a = p;

	if (a == NULL)
		return;
	free(a->employee_id);
	free(a->agent_id);
	free(a->type_id);
	free(a->policy);
	free(a->create);
	for (size_t i = 0; i < a->ndel; i++) {
		free(a->del[i]);
		free(a->dspan[i].agent_id);
	}
	free(a->del);
	free(a->dspan);
	free(a->restore);
	free(a->record_key);
	free(a->status);
	free(a);
}

static void
act_del(struct act *a, const char *id, const char *agent, int64_t start, int64_t end)
{
	for (size_t i = 0; i < a->ndel; i++)
		if (str_eq(a->del[i], id))
			return;
	a->del = xreallocarray(a->del, a->ndel + 1, sizeof *a->del);
	a->dspan = xreallocarray(a->dspan, a->ndel + 1, sizeof *a->dspan);
	a->dspan[a->ndel].agent_id = xstrdup(agent);
	a->dspan[a->ndel].start = start;
	a->dspan[a->ndel].end = end;
	a->del[a->ndel++] = xstrdup(id);
}

static void
act_create(struct act *a, const struct toff_event *ev)
{
	a->create = xreallocarray(a->create, a->ncreate + 1, sizeof *a->create);
	a->create[a->ncreate++] = *ev;
}

static void
planner_free(struct planner *pl)
{
	for (size_t i = 0; i < pl->nrec; i++) {
		free(pl->rec[i].employee_id);
		free(pl->rec[i].status);
		free(pl->rec[i].key);
	}
	free(pl->rec);
	for (size_t i = 0; i < pl->nadopt; i++)
		toff_event_row_clear(&pl->adopt[i]);
	free(pl->adopt);
	for (size_t i = 0; i < pl->nforget; i++)
		free(pl->forget[i]);
	free(pl->forget);
	for (size_t i = 0; i < pl->nlists; i++) {
		free(pl->lists[i].agent_id);
		asm_activities_clear(&pl->lists[i].acts);
		free(pl->lists[i].claimed);
	}
	free(pl->lists);
	str_index_clear(&pl->lists_ix);
	free(pl->markers);
	free(pl->superseded);
	for (size_t i = 0; i < pl->nseen; i++)
		free(pl->seen[i].data);
	free(pl->seen);
	free(pl->require);
	toff_event_rows_clear(&pl->rows);
	memset(pl, 0, sizeof *pl);
}

static int
seen_cmp(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	return x->request_id < y->request_id ? -1 : x->request_id > y->request_id;
}

/* The record text of a request: its feed items when the run read any,
 * else its snapshot. */
static char *
record_data(const struct planner *pl, const struct bob_timeoff *r)
{
	struct seen key = { r->request_id, NULL }, *hit;

	hit = pl->nseen ? bsearch(&key, pl->seen, pl->nseen, sizeof key, seen_cmp) : NULL;
	return hit != NULL ? xstrdup(hit->data) : toff_snapshot_key(r);
}

static void
add_record(struct planner *pl, const struct bob_timeoff *r)
{
	struct record *x;

	/* a request may be added twice (feed and who's out): the same key,
	 * written twice */
	if (pl->nrec == pl->reccap) {
		pl->reccap = pl->reccap ? 2 * pl->reccap : 64;
		pl->rec = xreallocarray(pl->rec, pl->reccap, sizeof *pl->rec);
	}
	x = &pl->rec[pl->nrec++];
	x->request_id = r->request_id;
	x->employee_id = xstrdup(r->employee_id);
	x->status = xstrdup(toff_status_name(toff_effective_status(r)));
	x->previous = r->previous_request_id;
	x->key = record_data(pl, r);
}

/* Mapping rows of one request (borrowed from pl->rows). */
static size_t
rows_of(const struct planner *pl, long long rid, const struct toff_event_row **first)
{
	size_t lo = 0, hi = pl->rows.n, n = 0;

	*first = NULL;
	while (lo < hi) {	/* rows are ordered by request id, then chunk */
		size_t mid = lo + (hi - lo) / 2;
		if (pl->rows.v[mid].request_id < rid)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < pl->rows.n && pl->rows.v[lo + n].request_id == rid)
		n++;
	if (n > 0)
		*first = &pl->rows.v[lo];
	return n;
}

static struct listing *
listing_of(struct planner *pl, const char *agent_id)
{
	size_t at = str_index_get(&pl->lists_ix, agent_id);

	return at != SIZE_MAX ? &pl->lists[at] : NULL;
}

static int
marker_cmp(const void *a, const void *b)
{
	const struct marker_at *x = a, *y = b;

	if (x->request_id != y->request_id)
		return x->request_id < y->request_id ? -1 : 1;
	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

/* Index the listed activities that carry a marker by its request id, in
 * the order of the listings and of each listing: once the listings are
 * complete, so that a request looks among the activities of its own id,
 * not among every activity of the window. */
static void
markers_index(struct planner *pl)
{
	size_t cap = 0;

	for (size_t l = 0; l < pl->nlists; l++)
		for (size_t k = 0; k < pl->lists[l].acts.n; k++) {
			long long mid;
			if (!asm_marker_parse(pl->lists[l].acts.v[k].description, &mid))
				continue;
			if (pl->nmarkers == cap) {
				cap = cap ? 2 * cap : 64;
				pl->markers = xreallocarray(pl->markers, cap, sizeof *pl->markers);
			}
			pl->markers[pl->nmarkers++] = (struct marker_at){ mid, l, k };
		}
	if (pl->nmarkers > 1)
		qsort(pl->markers, pl->nmarkers, sizeof *pl->markers, marker_cmp);
}

/* The indexed activities that carry request rid's marker (*n of them). */
static const struct marker_at *
markers_of(const struct planner *pl, long long rid, size_t *n)
{
	size_t lo = 0, hi = pl->nmarkers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pl->markers[mid].request_id < rid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (*n = 0; lo + *n < pl->nmarkers && pl->markers[lo + *n].request_id == rid; )
		(*n)++;
	return *n > 0 ? &pl->markers[lo] : NULL;
}

/* 1 present, 0 gone, -1 unknown (no listing: assume present). */
static int
activity_present(struct planner *pl, const char *agent_id, const char *activity_id)
{
	struct listing *l = listing_of(pl, agent_id);

	if (l == NULL)
		return -1;
	for (size_t i = 0; i < l->acts.n; i++)
		if (str_eq(l->acts.v[i].id, activity_id)) {
			l->claimed[i] = 1;
			return 1;
		}
	return 0;
}

static int
row_in_window(const struct planner *pl, const struct toff_event_row *r)
{
	return r->end > pl->ws && r->start < pl->we;
}

static void
fmt_local(const struct tz *z, int64_t t, char out[32])
{
	tz_format_iso(z, t, out);
}

/* zone and type_name are for people (engine/describe.c): the agent's zone
 * the times are read in and the type's name; either may be NULL. */
static char *
events_json(const struct toff_event *ev, size_t n, const char *agent, const char *type,
    long long rid, long long replaces, const char *employee, char *const *del, size_t ndel,
    const char *zone, const char *type_name)
{
	json_t *j = json_object(), *a = json_array();
	char *s;

	json_object_set_new(j, "request_id", json_integer(rid));
	if (employee)
		json_object_set_new(j, "employee_id", json_string(employee));
	if (agent)
		json_object_set_new(j, "agent_id", json_string(agent));
	if (type)
		json_object_set_new(j, "type_id", json_string(type));
	if (replaces > 0)
		json_object_set_new(j, "replaces", json_integer(replaces));
	if (zone)
		json_object_set_new(j, "zone", json_string(zone));
	if (type_name)
		json_object_set_new(j, "type", json_string(type_name));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:i,s:I,s:I}", "chunk", ev[i].chunk,
		    "start", (json_int_t)ev[i].start, "end", (json_int_t)ev[i].end));
	json_object_set_new(j, "events", a);
	if (ndel > 0) {
		json_t *d = json_array();
		for (size_t i = 0; i < ndel; i++)
			json_array_append_new(d, json_string(del[i]));
		json_object_set_new(j, "delete", d);
	}
	s = json_dump_compact(j);
	json_decref(j);
	return s;
}

static char *
rows_json(const struct toff_event_row *first, size_t n, const struct planner *pl)
{
	json_t *a = json_array();
	char *s;
	size_t k = 0;

	for (size_t i = 0; first != NULL && k < n && first + i < pl->rows.v + pl->rows.n; i++) {
		const struct toff_event_row *r = first + i;
		if (r->request_id != first->request_id)
			break;
		json_array_append_new(a, json_pack("{s:i,s:s?,s:s?,s:s?,s:I,s:I}", "chunk", r->chunk,
		    "activity_id", r->activity_id, "agent_id", r->agent_id, "type_id", r->type_id,
		    "start", (json_int_t)r->start, "end", (json_int_t)r->end));
		k++;
	}
	s = json_dump_compact(a);
	json_decref(a);
	return s;
}

static int
superseded(const struct planner *pl, long long rid)
{
	for (size_t i = 0; i < pl->nsuperseded; i++)
		if (pl->superseded[i] == rid)
			return 1;
	return 0;
}

static const char *
type_name_of(const struct planner *pl, const char *type_id)
{
	const struct asm_activity_type *t = asm_type_by_id(pl->env->types_p, type_id);
	return t && t->name ? t->name : type_id ? type_id : "?";
}

/* Plan one request: its target against its mapping rows (and, when
 * reconciling, the agent's activities).  old_id: the request an edit
 * replaces (its rows are deleted by the same action), 0 when none. */
static void
plan_request(struct planner *pl, const struct bob_timeoff *r, const struct toff_target *t,
    long long old_id)
{
	const struct toff_event_row *first = NULL, *ofirst = NULL;
	size_t nrows = rows_of(pl, r->request_id, &first);
	size_t nold = old_id > 0 ? rows_of(pl, old_id, &ofirst) : 0;
	struct act *a = xcalloc(1, sizeof *a);
	struct strbuf why;
	int sync = t->why == TOFF_WHY_SYNC;
	int missing = 0, changed = 0, extra = 0, dup = 0, adopted = 0;
	unsigned char *used = xcalloc(nrows + 1, 1);
	const char *agent = sync ? t->person->agent_id : NULL;
	const char *type = sync ? t->type->id : NULL;
	struct plan_action *pa;
	enum plan_op op;
	char *after, *before, sub[32];
	const char *email;
	char change[200] = "";

	log_debug("time off %lld: %s: %s", r->request_id, toff_why_name(t->why), toff_target_reason(t));
	sb_init(&why, 0);
	a->request_id = r->request_id;
	a->employee_id = xstrdup(r->employee_id);
	a->policy = xstrdup(r->policy_type);
	a->agent_id = xstrdup(agent);
	a->type_id = xstrdup(type);
	a->record_key = record_data(pl, r);
	a->status = xstrdup(toff_status_name(toff_effective_status(r)));

	for (size_t i = 0; sync && i < t->d.nevents; i++) {
		const struct toff_event *ev = &t->d.events[i];
		const struct toff_event_row *row = NULL;
		size_t ri = 0;
		for (size_t k = 0; k < nrows; k++)
			if (first[k].chunk == ev->chunk) {
				row = &first[k];
				ri = k;
			}
		if (row != NULL) {
			int present = activity_present(pl, row->agent_id, row->activity_id);
			used[ri] = 1;
			if (present != 0 && row->start == ev->start && row->end == ev->end &&
			    str_eq(row->type_id, type) && str_eq(row->agent_id, agent))
				continue;
			act_create(a, ev);
			if (present == 0) {
				missing++;
				continue;
			}
			act_del(a, row->activity_id, row->agent_id, row->start, row->end);
			changed++;
			if (change[0] == '\0') {
				char o1[32], o2[32], n1[32], n2[32];
				if (!str_eq(row->agent_id, agent)) {
					snprintf(change, sizeof change, "agent changed: %s -> %s",
					    row->agent_id ? row->agent_id : "?", agent);
				} else if (row->start != ev->start || row->end != ev->end) {
					fmt_local(t->zone, row->start, o1);
					fmt_local(t->zone, row->end, o2);
					fmt_local(t->zone, ev->start, n1);
					fmt_local(t->zone, ev->end, n2);
					snprintf(change, sizeof change, "times changed: %s..%s -> %s..%s",
					    o1, o2, n1, n2);
				} else {
					snprintf(change, sizeof change, "type changed: %s -> %s",
					    type_name_of(pl, row->type_id), type_name_of(pl, type));
				}
			}
			continue;
		}
		/* not mapped: an activity with its marker and these times is ours */
		{
			int found = 0;
			struct listing *li = listing_of(pl, agent);	/* one per agent */
			if (li != NULL) {
				for (size_t k = 0; k < li->acts.n; k++) {
					const struct asm_activity *x = &li->acts.v[k];
					long long mid;
					if (li->claimed[k] || !asm_marker_parse(x->description, &mid) ||
					    mid != r->request_id || x->start != ev->start ||
					    x->end != ev->end || !str_eq(x->type_id, type))
						continue;
					li->claimed[k] = 1;
					pl->adopt = xreallocarray(pl->adopt, pl->nadopt + 1, sizeof *pl->adopt);
					memset(&pl->adopt[pl->nadopt], 0, sizeof *pl->adopt);
					pl->adopt[pl->nadopt].request_id = r->request_id;
					pl->adopt[pl->nadopt].chunk = ev->chunk;
					pl->adopt[pl->nadopt].employee_id = xstrdup(r->employee_id);
					pl->adopt[pl->nadopt].agent_id = xstrdup(agent);
					pl->adopt[pl->nadopt].activity_id = xstrdup(x->id);
					pl->adopt[pl->nadopt].type_id = xstrdup(type);
					pl->adopt[pl->nadopt].start = ev->start;
					pl->adopt[pl->nadopt].end = ev->end;
					pl->nadopt++;
					found = 1;
					adopted++;
					break;
				}
			}
			if (!found) {
				act_create(a, ev);
				missing++;
			}
		}
	}
	/* mapped events no longer wanted */
	for (size_t k = 0; k < nrows; k++) {
		if (used[k])
			continue;
		/* still approved but outside the window now, or a settings
		 * problem (no activity type): leave the event, never delete on it */
		if (t->why == TOFF_WHY_OUTSIDE || t->why == TOFF_WHY_NO_TYPE)
			continue;
		if (activity_present(pl, first[k].agent_id, first[k].activity_id) == 0) {
			pl->forget = xreallocarray(pl->forget, pl->nforget + 1, sizeof *pl->forget);
			pl->forget[pl->nforget++] = xstrdup(first[k].activity_id);
			continue;
		}
		act_del(a, first[k].activity_id, first[k].agent_id, first[k].start, first[k].end);
		extra++;
	}
	/* unmapped activities carrying this request's marker: duplicates */
	{
		size_t nm;
		const struct marker_at *m = markers_of(pl, r->request_id, &nm);
		for (size_t i = 0; i < nm; i++) {
			struct listing *li = &pl->lists[m[i].l];
			size_t k = m[i].k;
			if (li->claimed[k])
				continue;
			li->claimed[k] = 1;
			if (t->why == TOFF_WHY_OUTSIDE || t->why == TOFF_WHY_NO_TYPE)
				continue;	/* as above: left alone */
			act_del(a, li->acts.v[k].id, li->agent_id, li->acts.v[k].start, li->acts.v[k].end);
			dup++;
		}
	}
	/* an edit: the old request's events go with the same action */
	for (size_t k = 0; k < nold; k++)
		act_del(a, ofirst[k].activity_id, ofirst[k].agent_id, ofirst[k].start, ofirst[k].end);
	if (nold > 0)
		a->replaces = old_id;

	if (a->ncreate == 0 && a->ndel == 0) {
		if (adopted > 0)
			log_info("request %lld: %d event%s found in Assembled by marker and linked",
			    r->request_id, adopted, adopted == 1 ? "" : "s");
		add_record(pl, r);
		act_free(a);
		free(used);
		sb_clear(&why);
		return;
	}
	op = a->ncreate > 0 && a->ndel > 0 ? PLAN_REPLACE : a->ncreate > 0 ? PLAN_CREATE : PLAN_DELETE;
	if (nold > 0)
		sb_printf(&why, "edited in HiBob: replaces request #%lld; ", old_id);
	if (op == PLAN_DELETE) {
		if (t->left)
			sb_printf(&why, "%s", toff_target_reason(t));
		else if (pl->reconcile && (t->why == TOFF_WHY_CANCELED || t->why == TOFF_WHY_DECLINED ||
		    t->why == TOFF_WHY_DELETED || t->why == TOFF_WHY_PENDING || t->why == TOFF_WHY_OTHER))
			sb_printf(&why, "not approved in HiBob any more (%s)", toff_target_reason(t));
		else if (!sync)
			sb_printf(&why, "%s", toff_target_reason(t));
		else if (dup > 0 && extra == 0)
			sb_printf(&why, "duplicate event%s in Assembled for this request", dup == 1 ? "" : "s");
		else
			sb_printf(&why, "fewer parts than before");
	} else {
		if (changed > 0)
			sb_printf(&why, "%s", change);
		else if (missing > 0 && pl->reconcile)
			sb_printf(&why, "missing in Assembled: %s", toff_target_reason(t));
		else
			sb_printf(&why, "%s", toff_target_reason(t));
		if (dup > 0)
			sb_printf(&why, "; %d duplicate%s removed", dup, dup == 1 ? "" : "s");
	}
	snprintf(sub, sizeof sub, "%lld", r->request_id);
	after = events_json(a->create, a->ncreate, agent, type, r->request_id, a->replaces,
	    r->employee_id, a->del, a->ndel, t->zone ? tz_name(t->zone) : NULL,
	    type ? type_name_of(pl, type) : NULL);
	before = nrows + nold > 0 ? rows_json(nrows ? first : ofirst, nrows ? nrows : nold, pl) : NULL;
	email = t->email ? t->email : r->employee_email;
	if (email == NULL && pl->env->bob_tried)	/* known without a read */
		email = toff_env_bob_email(pl->env, r->employee_id);
	pa = plan_add(pl->plan, op, sub, r->employee_id, email, r->employee_name, r->request_id,
	    why.buf ? why.buf : "", before, after);
	pa->data = a;
	pa->data_free = act_free;
	free(after);
	free(before);
	free(used);
	sb_clear(&why);
}

/* ---- reading HiBob ---- */

/* Whether the feed or list item lacks what toff_decide needs.  A
 * several-part request is decided from its parts when they are split, or
 * when it makes one part only; who's out may leave out the per-day list
 * and the share of the day (HiBob's 2024 list of its fields has neither):
 * then the details have them. */
static int
needs_detail(const struct toff_env *e, const struct bob_timeoff *r)
{
	int parts;

	if (toff_effective_status(r) != TOFF_APPROVED)
		return 0;
	parts = e->split_chunks || toff_is_contiguous(r);
	switch (r->type) {
	case TOFF_DAYS:
	case TOFF_OPEN_ENDED:
		return r->start_date[0] == '\0';
	case TOFF_HOURS:
		return r->date[0] == '\0' && r->start_date[0] == '\0';
	case TOFF_PORTION_ON_RANGE:
		return parts && r->day_portion == TOFF_PORTION_NONE;
	case TOFF_HOURS_ON_RANGE:
		return parts && r->daily_minutes <= 0;
	case TOFF_PERCENTAGE_ON_RANGE:
		return parts && r->percentage <= 0;
	case TOFF_DIFFERENT_DAY_DURATIONS:
	case TOFF_SPECIFIC_HOURS_DAY_DURATIONS:
	case TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS:
		return parts && r->ndurations == 0;
	case TOFF_TYPE_UNKNOWN:
		return r->type_raw == NULL;
	default:
		return 0;
	}
}

/* Replace *r by the request's current details, keeping what the detail
 * lacks (email, change type).  A 404 makes it deleted. */
static bs_rc
refresh(struct bob_client *bc, struct bob_timeoff *r, struct bs_error *err)
{
	struct bob_timeoff d;
	bs_rc rc;

	if (str_empty(r->employee_id))
		return BS_OK;
	rc = bob_timeoff_request(bc, r->employee_id, r->request_id, &d, err);
	if (rc == BS_ERR_NOT_FOUND) {
		bs_error_clear(err);
		r->status = TOFF_DELETED;
		return BS_OK;
	}
	if (rc != BS_OK)
		return rc;
	if (d.employee_email == NULL && r->employee_email != NULL)
		d.employee_email = xstrdup(r->employee_email);
	if (d.employee_name == NULL && r->employee_name != NULL)
		d.employee_name = xstrdup(r->employee_name);
	if (d.policy_type == NULL && r->policy_type != NULL)
		d.policy_type = xstrdup(r->policy_type);
	if (d.request_id == 0)
		d.request_id = r->request_id;
	bob_timeoff_clear(r);
	*r = d;
	return BS_OK;
}

bs_rc
toff_complete(struct bob_client *bc, struct toff_env *e, struct bob_timeoff *r,
    struct bs_error *err)
{
	/* not for a request skipped whatever it holds (a person without an
	 * Assembled person) */
	return needs_detail(e, r) && !toff_skipped_unread(e, r) ? refresh(bc, r, err) : BS_OK;
}

/* ---- the changes feed, as a signal ---- */

/* HiBob's feed items are snapshots at change time with no status, no
 * chain ids, no change time and no documented order (hibob-api.md 5.1):
 * they only say which requests changed.  Items are grouped by request id
 * here, never read in feed order. */
struct feed_group {
	long long request_id;
	const struct bob_timeoff **items;	/* borrowed from the feed */
	size_t n;
	char **keys;				/* one per item */
};

/* The fingerprint of one item: its change type and snapshot. */
static char *
feed_item_key(const struct bob_timeoff *r)
{
	struct strbuf b;

	sb_init(&b, 0);
	if (r->change_type != NULL)
		sb_puts(&b, r->change_type);
	sb_append(&b, "|", 1);
	toff_snapshot_append(&b, r);
	return sb_detach_fit(&b);
}

/* The groups' items and keys lists are parts of one block each, that
 * of the first group. */
static void
feed_groups_free(struct feed_group *g, size_t n)
{
	for (size_t i = 0; g != NULL && i < n; i++)
		for (size_t k = 0; g[i].keys != NULL && k < g[i].n; k++)
			free(g[i].keys[k]);
	if (g != NULL && n > 0) {
		free(g[0].keys);
		free(g[0].items);
	}
	free(g);
}

/* The feed's items grouped by request id, groups sorted by id; with
 * with_keys, each item's fingerprint too (else keys stays NULL: reading
 * the states needs none, and at 100,000 people the feed has ~60,000
 * items). */
static struct feed_group *
feed_groups(const struct bob_timeoffs *ch, int with_keys, size_t *ngroups)
{
	size_t n = ch ? ch->n : 0, ng = 0;
	struct key_at *ix = toff_ids_by_id(ch);
	struct feed_group *g = xcalloc(n + 1, sizeof *g);
	/* in id order, so each group's items are next to each other */
	const struct bob_timeoff **items = xcalloc(n + 1, sizeof *items);
	char **keys = with_keys ? xcalloc(n + 1, sizeof *keys) : NULL;

	for (size_t i = 0; i < n; i++) {
		struct feed_group *x;
		if (ng == 0 || g[ng - 1].request_id != ch->v[ix[i].at].request_id) {
			g[ng].request_id = ch->v[ix[i].at].request_id;
			g[ng].items = items + i;
			g[ng].keys = keys != NULL ? keys + i : NULL;
			ng++;
		}
		x = &g[ng - 1];
		x->items[x->n] = &ch->v[ix[i].at];
		if (with_keys)
			x->keys[x->n] = feed_item_key(&ch->v[ix[i].at]);
		x->n++;
	}
	if (ng == 0) {
		free(items);
		free(keys);
	}
	free(ix);
	*ngroups = ng;
	return g;
}

/* Whether a Deleted, Canceled or Cancelled change (any case) ended the
 * request, in one pass over the group, the names compared only for
 * a change type that starts like one of them (80,000 groups at 100,000
 * people, nearly all Created or Updated). */
static int
group_ended(const struct feed_group *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const char *t = g->items[i]->change_type;
		int c0 = t != NULL ? t[0] | 0x20 : 0;
		if ((c0 == 'd' && str_eq_ci(t, "Deleted")) || (c0 == 'c' &&
		    (str_eq_ci(t, "Canceled") || str_eq_ci(t, "Cancelled"))))
			return 1;
	}
	return 0;
}

/* The seen set of a stored record ({"seen": [...]}); NULL when none. */
static json_t *
seen_of(const char *data)
{
	json_t *j = data != NULL && data[0] == '{' ? json_loads(data, 0, NULL) : NULL;
	json_t *a = json_object_get(j, "seen");

	if (!json_is_array(a)) {
		json_decref(j);
		return NULL;
	}
	json_incref(a);
	json_decref(j);
	return a;
}

static int
seen_has(const json_t *seen, const char *key)
{
	size_t i;
	json_t *x;

	json_array_foreach(seen, i, x)
		if (str_eq(json_string_value(x), key))
			return 1;
	return 0;
}

char *
toff_seen_text(char *const *keys, size_t n)
{
	struct jwriter w;
	struct strbuf b;

	jw_init(&w, NULL, 0);
	jw_object_begin(&w);
	jw_key(&w, "seen");
	jw_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < i && !str_eq(keys[k], keys[i]))
			k++;
		/* once; not UTF-8: left out, as json_string refused it */
		if (k == i && jread_utf8_valid(keys[i], strlen(keys[i])))
			jw_string(&w, keys[i]);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	jw_finish(&w);
	b = w.buf;
	return sb_detach_fit(&b);
}

/* Remember the group's items (with those seen before) as the request's
 * record text. */
static void
seen_add(struct planner *pl, const struct feed_group *g, const json_t *before)
{
	char *data;

	if (before == NULL) {
		data = toff_seen_text(g->keys, g->n);
	} else {
		json_t *j = json_object(), *a = json_deep_copy(before);
		for (size_t i = 0; i < g->n; i++)
			if (!seen_has(a, g->keys[i]))
				json_array_append_new(a, json_string(g->keys[i]));
		json_object_set_new(j, "seen", a);
		data = json_dump_compact(j);
		json_decref(j);
	}
	if (pl->nseen == pl->seencap) {
		pl->seencap = pl->seencap ? 2 * pl->seencap : 64;
		pl->seen = xreallocarray(pl->seen, pl->seencap, sizeof *pl->seen);
	}
	pl->seen[pl->nseen].request_id = g->request_id;
	pl->seen[pl->nseen].data = data;
	pl->nseen++;
}

/* When the detail read failed (not with 404): the feed's own word, if it
 * has one that does not depend on the order of the items.  A Deleted or
 * Canceled change is final; otherwise every item must carry the same
 * status.  0 when the feed cannot tell. */
static int
feed_fallback(const struct feed_group *g, struct bob_timeoff *out)
{
	const struct bob_timeoff *pick = NULL;

	for (size_t i = 0; i < g->n && pick == NULL; i++)
		if (str_eq_ci(g->items[i]->change_type, "Deleted"))
			pick = g->items[i];
	for (size_t i = 0; i < g->n && pick == NULL; i++)
		if (str_eq_ci(g->items[i]->change_type, "Canceled") ||
		    str_eq_ci(g->items[i]->change_type, "Cancelled"))
			pick = g->items[i];
	if (pick == NULL) {
		for (size_t i = 0; i < g->n; i++) {
			if (g->items[i]->status == TOFF_STATUS_UNKNOWN)
				return 0;
			if (pick != NULL && pick->status != g->items[i]->status)
				return 0;
			pick = g->items[i];
		}
	}
	if (pick == NULL)
		return 0;
	bob_timeoff_copy(out, pick);	/* the feed's item stands for the request */
	return 1;
}

/* The current state of a changed request: its detail (404 = deleted),
 * keeping what the detail lacks from the feed (email, name, policy). */
static bs_rc
read_current(struct bob_client *bc, const struct feed_group *g, struct bob_timeoff *out,
    struct bs_error *err)
{
	const struct bob_timeoff *f = g->items[0];
	const char *emp = NULL;
	struct bob_timeoff d;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < g->n && emp == NULL; i++)
		if (!str_empty(g->items[i]->employee_id))
			emp = g->items[i]->employee_id;
	if (emp == NULL)
		return bs_fail(err, BS_ERR_PARSE, "HiBob time-off change of request %lld names no "
		    "employee", g->request_id);
	rc = bob_timeoff_request(bc, emp, g->request_id, &d, err);
	if (rc == BS_ERR_NOT_FOUND) {
		bs_error_clear(err);
		bob_timeoff_copy(out, f);
		out->status = TOFF_DELETED;
		bob_timeoff_str_set(out, &out->change_type, "Deleted");
		return BS_OK;
	}
	if (rc != BS_OK) {
		if (feed_fallback(g, out)) {
			log_warn("time-off request %lld: details not readable (%s); using the "
			    "changes feed's %s", g->request_id, bs_error_text(err),
			    toff_status_name(toff_effective_status(out)));
			bs_error_clear(err);
			return BS_OK;
		}
		bs_error_prefix(err, "cannot read the current state of time-off request %lld",
		    g->request_id);
		return rc;
	}
	if (d.employee_email == NULL && f->employee_email != NULL)
		d.employee_email = xstrdup(f->employee_email);
	if (d.employee_name == NULL && f->employee_name != NULL)
		d.employee_name = xstrdup(f->employee_name);
	if (d.policy_type == NULL && f->policy_type != NULL)
		d.policy_type = xstrdup(f->policy_type);
	if (d.request_id == 0)
		d.request_id = g->request_id;
	*out = d;
	return BS_OK;
}

/* The request an edit replaces, among those with events: the previous
 * one, else the original of the chain (a chain edited twice between two
 * polls); 0 when none. */
static long long
edit_replaces(const struct planner *pl, const struct bob_timeoff *r)
{
	const struct toff_event_row *f;
	long long c[2] = { r->previous_request_id, r->original_request_id };

	for (int i = 0; i < 2; i++)
		if (c[i] > 0 && c[i] != r->request_id && rows_of(pl, c[i], &f) > 0)
			return c[i];
	return 0;
}

/* After a detail read that returned rc: 1 when rc is a refusal the pass
 * lets by (the caller holds or warns with err, clears it and goes on),
 * else 0; a successful read is counted. */
int
toff_refusals_take(struct toff_refusals *f, bs_rc rc, const struct bs_error *err)
{
	if (rc == BS_ERR_FORBIDDEN && f->refused < TOFF_REFUSED_MAX) {
		if (f->refused++ == 0)
			f->first = *err;
		return 1;
	}
	if (rc == BS_OK)
		f->read++;
	return 0;
}

/* The end of the pass: refused and none read fails with the first
 * refusal (the permission, not a request); else rc as it is. */
bs_rc
toff_refusals_end(const struct toff_refusals *f, bs_rc rc, struct bs_error *err)
{
	if (rc == BS_OK && f->refused > 0 && f->read == 0) {
		*err = f->first;
		return BS_ERR_FORBIDDEN;
	}
	return rc;
}

/* Whether any item's dates meet the window (no dates: assume so). */
static int
group_in_window(const struct feed_group *g, int64_t ws, int64_t we)
{
	int64_t lo = ws / DAY, hi = (we - 1) / DAY;

	for (size_t i = 0; i < g->n; i++) {
		const struct bob_timeoff *r = g->items[i];
		int64_t a, b;
		if (date_parse(r->start_date[0] ? r->start_date : r->date, &a) != 0)
			return 1;
		if (date_parse(r->end_date, &b) != 0)
			b = r->type == TOFF_OPEN_ENDED ? INT64_MAX : a;
		if (b >= lo && a <= hi)
			return 1;
	}
	return 0;
}

/* Whether every item of the group shows a request skipped whatever its
 * status (the feed has no documented order: which item is the latest is
 * not known, and a change HiBob made in place would show in one). */
static int
group_skipped_unread(struct toff_env *e, const struct feed_group *g)
{
	if (e == NULL || g->n == 0)
		return 0;
	for (size_t i = 0; i < g->n; i++)
		if (!toff_skipped_unread(e, g->items[i]))
			return 0;
	return 1;
}

bs_rc
toff_feed_states(struct bob_client *bc, const struct bob_timeoffs *ch, const long long *listed,
    size_t nlisted, int64_t ws, int64_t we, struct toff_env *e, struct bob_timeoffs *out,
    struct bs_error *err)
{
	struct feed_group *g;
	struct toff_refusals ref = { 0 };
	size_t ng = 0;
	bs_rc rc = BS_OK;

	memset(out, 0, sizeof *out);
	g = feed_groups(ch, 0, &ng);
	out->v = xcalloc(ng + 1, sizeof *out->v);
	for (size_t i = 0; i < ng && rc == BS_OK; i++) {
		struct bob_timeoff *cur = &out->v[out->n];
		if (toff_ids_has(listed, nlisted, g[i].request_id))
			continue;
		if (group_ended(&g[i]) || !group_in_window(&g[i], ws, we)) {
			if (!feed_fallback(&g[i], cur))
				bob_timeoff_copy(cur, g[i].items[0]);
			out->n++;
			continue;
		}
		if (group_skipped_unread(e, &g[i])) {
			/* at 100,000 people, nine in ten of these reads */
			bob_timeoff_copy(cur, g[i].items[0]);
			cur->unread = 1;
			out->n++;
			continue;
		}
		rc = read_current(bc, &g[i], cur, err);
		if (toff_refusals_take(&ref, rc, err)) {
			/* as plan_incremental: this one is left out */
			log_warn("time-off request %lld left out: %s", g[i].request_id,
			    bs_error_text(err));
			bs_error_clear(err);
			rc = BS_OK;
			continue;
		}
		if (rc == BS_OK)
			out->n++;
	}
	rc = toff_refusals_end(&ref, rc, err);
	feed_groups_free(g, ng);
	if (rc != BS_OK)
		bob_timeoffs_clear(out);
	return rc;
}

/* ---- the incremental plan ---- */

/* Requests a webhook named that the feed does not (yet) show become items
 * of their own, with the employee the webhook gave, so that their current
 * state is read like any changed request's.  Keeps pl->named_sorted for
 * the "changed whatever was seen" test. */
static void
add_named(struct planner *pl, struct bob_timeoffs *ch)
{
	long long *feed_ids;
	size_t nfeed = 0;

	pl->named_sorted = NULL;
	pl->nnamed_sorted = 0;
	if (pl->nnamed == 0)
		return;
	feed_ids = toff_sorted_ids(ch, &nfeed);
	pl->named_sorted = xcalloc(pl->nnamed, sizeof *pl->named_sorted);
	for (size_t i = 0; i < pl->nnamed; i++) {
		const char *emp = pl->named_emp != NULL ? pl->named_emp[i] : NULL;
		struct bob_timeoff *r;

		pl->named_sorted[pl->nnamed_sorted++] = pl->named[i];
		if (toff_ids_has(feed_ids, nfeed, pl->named[i]))
			continue;
		if (str_empty(emp)) {
			log_warn("time-off request %lld: a webhook named it without its employee; "
			    "it is read when the changes feed shows it", pl->named[i]);
			continue;
		}
		ch->v = xreallocarray(ch->v, ch->n + 1, sizeof *ch->v);
		r = &ch->v[ch->n++];
		memset(r, 0, sizeof *r);
		r->request_id = pl->named[i];
		r->employee_id = xstrdup(emp);
		r->change_type = xstrdup("Webhook");
	}
	qsort(pl->named_sorted, pl->nnamed_sorted, sizeof *pl->named_sorted, toff_ll_cmp);
	free(feed_ids);
}

/* HiBob refused to show one request (HTTP 403; why, when known, says how)
 * that the changes feed named.  When other requests of the run could be
 * read, that is about
 * this one (a policy or a person the service user may not see): it is
 * held, its events stay as they are, and no record is kept of it, so the
 * feed's overlap and the reconciliation read it again.  A run that could
 * read none, or was refused more than a few times, fails as before: a
 * permission lost must not look like a quiet run, and HiBob's WAF blocks a
 * header that collects 50 refusals in 10 s (TOFF_REFUSED_MAX). */
static void
hold_refused(struct planner *pl, long long rid, const char *employee_id, const char *email,
    const char *name, const struct bs_error *why)
{
	char *reason;

	reason = xasprintf("HiBob refused to show time-off request #%lld (HTTP %ld: the service "
	    "user may not see its policy or its person); its events in Assembled are left as "
	    "they are until it can be read", rid,
	    why != NULL && why->http_status > 0 ? why->http_status : 403L);
	plan_hold(pl->plan, employee_id, email, name, reason);
	if (why != NULL)
		log_warn("%s (%s)", reason, bs_error_text(why));
	else
		log_warn("%s", reason);
	free(reason);
}

/* The reconciliation's hold of a request whose details HiBob refused: its
 * events, mapped or carrying its marker, are claimed so that nothing
 * deletes them as orphans, and the plan says why, as hold_refused.  After
 * markers_index. */
static void
hold_unreadable(struct planner *pl, long long rid, const char *employee_id, const char *email,
    const char *name)
{
	const struct toff_event_row *first = NULL;
	size_t nrows = rows_of(pl, rid, &first), nm = 0;
	const struct marker_at *m = markers_of(pl, rid, &nm);

	for (size_t k = 0; k < nrows; k++)
		(void)activity_present(pl, first[k].agent_id, first[k].activity_id);
	for (size_t i = 0; i < nm; i++)
		pl->lists[m[i].l].claimed[m[i].k] = 1;
	hold_refused(pl, rid, employee_id, email, name, NULL);
}

/* Every request id in the window is a change: its current state is read
 * once (1 + k HiBob calls for k requests), unless each of its items was
 * seen by an earlier run already (the overlap). */
static bs_rc
plan_incremental(struct planner *pl, struct bob_client *bc, int64_t since,
    struct bs_error *err)
{
	struct bob_timeoffs ch = { 0 };
	struct feed_group *g = NULL;
	struct bob_timeoff *cur = NULL;
	struct toff_target *tg = NULL;
	long long *olds = NULL;
	unsigned char *keep = NULL;
	struct toff_refusals ref = { 0 };
	size_t ng = 0;
	bs_rc rc;

	toff_env_progress(pl->env, "Reading time-off changes from HiBob", 0, 0);
	rc = bob_timeoff_changes(bc, since, pl->now, &ch, err);
	if (rc != BS_OK)
		return rc;
	pl->source_count = (long)ch.n;
	add_named(pl, &ch);
	g = feed_groups(&ch, 1, &ng);
	cur = xcalloc(ng + 1, sizeof *cur);
	tg = xcalloc(ng + 1, sizeof *tg);
	olds = xcalloc(ng + 1, sizeof *olds);
	keep = xcalloc(ng + 1, 1);
	for (size_t i = 0; i < ng && rc == BS_OK; i++) {
		struct toff_request_row rec;
		json_t *before = NULL;
		int fresh = 0;

		if (store_toff_request_get(pl->s->store, g[i].request_id, &rec, NULL) == BS_OK)
			before = seen_of(rec.data);
		toff_request_row_clear(&rec);
		for (size_t k = 0; k < g[i].n && !fresh; k++)
			fresh = before == NULL || !seen_has(before, g[i].keys[k]);
		/* a webhook says it changed: believe it, whatever was seen */
		if (toff_ids_has(pl->named_sorted, pl->nnamed_sorted, g[i].request_id))
			fresh = 1;
		seen_add(pl, &g[i], before);	/* pl->seen stays sorted: groups are */
		json_decref(before);
		if (!fresh)
			continue;	/* processed before, in this very state */
		toff_env_progress(pl->env, "Reading changed time-off requests from HiBob", i, ng);
		rc = read_current(bc, &g[i], &cur[i], err);
		if (toff_refusals_take(&ref, rc, err)) {
			hold_refused(pl, g[i].request_id, g[i].items[0]->employee_id,
			    g[i].items[0]->employee_email, g[i].items[0]->employee_name, err);
			bs_error_clear(err);
			rc = BS_OK;
			continue;
		}
		if (rc != BS_OK)
			break;
		keep[i] = 1;
		rc = toff_target_eval(pl->env, &cur[i], pl->ws, pl->we, &tg[i], err);
		if (rc != BS_OK)
			break;
		/* an edit: the new request replaces the old one's events */
		if (tg[i].why == TOFF_WHY_SYNC && (olds[i] = edit_replaces(pl, &cur[i])) > 0) {
			pl->superseded = xreallocarray(pl->superseded, pl->nsuperseded + 1,
			    sizeof *pl->superseded);
			pl->superseded[pl->nsuperseded++] = olds[i];
		}
	}
	rc = toff_refusals_end(&ref, rc, err);
	for (size_t i = 0; i < ng && rc == BS_OK; i++) {
		if (!keep[i])
			continue;
		if (superseded(pl, cur[i].request_id)) {
			add_record(pl, &cur[i]);	/* handled by its replacement */
			continue;
		}
		plan_request(pl, &cur[i], &tg[i], olds[i]);
		if (tg[i].why == TOFF_WHY_NO_AGENT || tg[i].why == TOFF_WHY_NO_TYPE)
			plan_hold(pl->plan, cur[i].employee_id, tg[i].email, cur[i].employee_name,
			    toff_target_reason(&tg[i]));
	}
	for (size_t i = 0; i < ng; i++) {
		toff_target_clear(&tg[i]);
		bob_timeoff_clear(&cur[i]);
	}
	free(tg);
	free(cur);
	free(olds);
	free(keep);
	feed_groups_free(g, ng);
	bob_timeoffs_clear(&ch);
	FREE(pl->named_sorted);
	pl->nnamed_sorted = 0;
	return rc;
}

/* ---- the reconciliation plan ---- */

/* People who left: who's out lists active employees only, so the
 * approved requests of a leaver come from the changes feed or from the
 * events bobsync holds (see timeoff_sync.h). */
void
toff_leaver_cut(struct toff_env *e, const struct bob_timeoff *r, struct toff_target *t)
{
	const struct bob_person *p;
	int64_t day, cut;
	size_t kept = 0;

	if (t->why != TOFF_WHY_SYNC || r->employee_id == NULL)
		return;
	p = toff_env_bob_person(e, r->employee_id);
	if (p == NULL || p->termination_date == NULL ||
	    !(str_eq_ci(p->status, "Inactive") || str_eq_ci(p->lifecycle, "Terminated")) ||
	    date_parse(p->termination_date, &day) != 0)
		return;
	cut = tz_local_to_utc(t->zone, day + 1, 0);
	for (size_t i = 0; i < t->d.nevents; i++)
		if (t->d.events[i].start < cut)
			t->d.events[kept++] = t->d.events[i];
	if (kept == t->d.nevents)
		return;
	t->d.nevents = kept;
	t->left = 1;
	toff_target_note(t, "left the company: termination date %s; time off after it is not "
	    "kept in Assembled", p->termination_date);
	if (kept == 0) {
		t->why = TOFF_WHY_OTHER;
		t->d.verdict = TOFF_SKIP;
		t->type = NULL;
	}
}

/* An agent to read the schedule of, once: the list in the order agents
 * come, the index (of the list's own copies) to find one already there. */
struct agent_list {
	char **v;
	size_t n, cap;
	struct str_index ix;
};

static void
add_agent(struct agent_list *al, const char *agent)
{
	if (str_empty(agent) || str_index_get(&al->ix, agent) != SIZE_MAX)
		return;
	if (al->n == al->cap) {
		al->cap = al->cap ? 2 * al->cap : 64;
		al->v = xreallocarray(al->v, al->cap, sizeof *al->v);
	}
	al->v[al->n] = xstrdup(agent);
	(void)str_index_put(&al->ix, al->v[al->n], al->n);
	al->n++;
}

/* Every schedule read came back empty though bobsync made events in the
 * window for these agents: most likely a read gone wrong (like zero
 * people), rarely every event deleted by hand.  Taken as it is, each event
 * looks missing and is made again, so the plan needs an admin's approval
 * of its id, like a guard (plan_reconcile).  seen: rows the look-ups of
 * single events returned (their agents' days, shifts included): a schedule
 * that is there, only without the events. */
static bs_rc
listings_plausible(struct planner *pl, size_t seen, struct bs_error *err)
{
	size_t listed = seen, mapped = 0;

	for (size_t i = 0; i < pl->nlists; i++)
		listed += pl->lists[i].acts.n;
	if (listed > 0)
		return BS_OK;
	for (size_t i = 0; i < pl->rows.n; i++)
		if (row_in_window(pl, &pl->rows.v[i]) &&
		    listing_of(pl, pl->rows.v[i].agent_id) != NULL)
			mapped++;
	if (mapped == 0)
		return BS_OK;
	return bs_fail(err, BS_ERR_SOURCE, "Assembled listed no activities at all for the %zu "
	    "agent%s read, though bobsync made %zu event%s there in the window; this plan makes "
	    "them again (approve it only if they were really removed)", pl->nlists,
	    pl->nlists == 1 ? "" : "s", mapped, mapped == 1 ? "" : "s");
}

/* The schedules of these agents over the window, into pl->lists (one per
 * agent, in the order given).  Read once per time-off type for every
 * agent (types=<id>, no agents=): bobsync makes only time-off events, and
 * shifts would make the answers many times longer.  asm_list_activities_q
 * reads slices of at most 31 days and pages them, so a capped answer
 * never passes for a complete one.  Rows of other agents are dropped, and
 * rows of other types unless they carry a marker (a server that ignores
 * types=). */
static bs_rc
read_listings(struct planner *pl, struct asm_client *ac, char **agents, size_t nagents,
    struct bs_error *err)
{
	const struct asm_activity_types *t = pl->env->types_p;
	struct asm_activities all = { 0 };
	struct asm_list_query q = { 0 };
	size_t ntypes = 0, done = 0;
	bs_rc rc = BS_OK;

	q.start = pl->ws;
	q.end = pl->we;
	q.schedule_id = conf_get(pl->s->conf, "assembled.schedule_id");
	if (str_empty(q.schedule_id))
		q.schedule_id = NULL;
	for (size_t i = 0; t != NULL && i < t->n; i++)
		ntypes += t->v[i].timeoff != 0;
	if (nagents > 0 && ntypes == 0)
		rc = asm_list_activities_q(ac, &q, &all, err);	/* no type to filter by */
	for (size_t i = 0; nagents > 0 && t != NULL && i < t->n && rc == BS_OK; i++) {
		if (!t->v[i].timeoff)
			continue;
		toff_env_progress(pl->env, "Reading schedules from Assembled", done++, ntypes);
		q.type_id = t->v[i].id;
		rc = asm_list_activities_q(ac, &q, &all, err);
	}
	if (rc != BS_OK) {
		asm_activities_clear(&all);
		return rc;
	}
	/* split by agent: lists in the order given, found by listing_of */
	pl->lists = xcalloc(nagents + 1, sizeof *pl->lists);
	for (size_t i = 0; i < nagents; i++) {
		pl->lists[i].agent_id = xstrdup(agents[i]);
		(void)str_index_put(&pl->lists_ix, pl->lists[i].agent_id, i);
	}
	pl->nlists = nagents;
	for (size_t i = 0; i < all.n; i++) {
		struct asm_activity *x = &all.v[i];
		const struct asm_activity_type *ty = asm_type_by_id(t, x->type_id);
		struct listing *l = listing_of(pl, x->agent_id);
		if (l == NULL || (ntypes > 0 && (ty == NULL || !ty->timeoff) &&
		    !asm_marker_parse(x->description, NULL)))
			continue;	/* freed with the rest of all */
		l->acts.v = xreallocarray(l->acts.v, l->acts.n + 1, sizeof *l->acts.v);
		l->acts.v[l->acts.n++] = *x;
		memset(x, 0, sizeof *x);
	}
	for (size_t i = 0; i < pl->nlists; i++)
		pl->lists[i].claimed = xcalloc(pl->lists[i].acts.n + 1, 1);
	asm_activities_clear(&all);
	return BS_OK;
}

/* Mapped events of the window that the listings do not show: each is
 * looked up in its agent's own days before anything is concluded (a page
 * cut shorter than asked, by a limit nobody documented, must not make an
 * event look deleted: it would be made again, or forgotten).  Found ones
 * join the listing; the rest are really gone.  *rows_seen: the rows
 * those look-ups returned. */
static bs_rc
confirm_missing(struct planner *pl, struct asm_client *ac, size_t *rows_seen,
    struct bs_error *err)
{
	const char *sched = conf_get(pl->s->conf, "assembled.schedule_id");
	bs_rc rc = BS_OK;

	*rows_seen = 0;
	if (str_empty(sched))
		sched = NULL;
	for (size_t i = 0; i < pl->rows.n && rc == BS_OK; i++) {
		const struct toff_event_row *row = &pl->rows.v[i];
		struct listing *l;
		struct asm_activities a = { 0 };
		int seen = 0;

		if (!row_in_window(pl, row) || str_empty(row->activity_id) ||
		    (l = listing_of(pl, row->agent_id)) == NULL)
			continue;
		for (size_t k = 0; k < l->acts.n && !seen; k++)
			seen = str_eq(l->acts.v[k].id, row->activity_id);
		if (seen)
			continue;
		toff_env_progress(pl->env, "Checking events not listed", i, pl->rows.n);
		rc = asm_list_activities(ac, row->agent_id, row->start - DAY, row->end + DAY, sched,
		    &a, err);
		*rows_seen += a.n;
		for (size_t k = 0; rc == BS_OK && k < a.n; k++) {
			if (!str_eq(a.v[k].id, row->activity_id))
				continue;
			log_info("event %s of request %lld was missing from the schedule listing but is "
			    "there", row->activity_id, row->request_id);
			l->acts.v = xreallocarray(l->acts.v, l->acts.n + 1, sizeof *l->acts.v);
			l->claimed = xreallocarray(l->claimed, l->acts.n + 1, 1);
			l->claimed[l->acts.n] = 0;
			l->acts.v[l->acts.n++] = a.v[k];
			memset(&a.v[k], 0, sizeof a.v[k]);
			break;
		}
		asm_activities_clear(&a);
	}
	return rc;
}

static bs_rc
plan_reconcile(struct planner *pl, struct bob_client *bc, struct bs_error *err)
{
	struct bob_timeoffs outs = { 0 }, ch = { 0 }, more = { 0 };
	struct toff_target *tg = NULL;
	struct asm_client *ac;
	char from[11], to[11];
	struct agent_list agents = { 0 };
	struct str_index emails = { .fold = 1 };
	long long *seen = NULL, *listed = NULL;
	size_t nseen = 0, nlisted = 0;
	unsigned char *latest = NULL;
	long long done_id = 0;
	struct feed_group *g = NULL;
	size_t ng = 0;
	size_t seen_rows = 0;
	struct toff_refusals ref = { 0 };
	unsigned char *unread = NULL;	/* who's out items whose details were refused */
	bs_rc rc;

	date_format(pl->ws / DAY, from);
	date_format((pl->we - 1) / DAY, to);
	toff_env_progress(pl->env, "Reading approved time off from HiBob", 0, 0);
	rc = bob_whos_out(bc, from, to, &outs, err);
	if (rc != BS_OK)
		return rc;
	/* who's out lists active employees only: the changes feed of the last
	 * year adds the approved requests of the others; its latest states are
	 * also what the next incremental runs compare against */
	toff_env_progress(pl->env, "Reading time-off changes from HiBob", 0, 0);
	rc = bob_timeoff_changes(bc, pl->now - (int64_t)TOFF_RECONCILE_FEED_DAYS * DAY, pl->now,
	    &ch, err);
	if (rc != BS_OK)
		goto out;
	/* the feed has no status: a request it names that who's out does not
	 * list is read once, unless a Deleted or Canceled change ended it or
	 * its dates miss the window */
	g = feed_groups(&ch, 1, &ng);
	for (size_t i = 0; i < ng; i++)
		seen_add(pl, &g[i], NULL);
	listed = toff_sorted_ids(&outs, &nlisted);
	toff_env_progress(pl->env, "Reading time-off requests from HiBob", 0, 0);
	/* Assembled's people first: a request of a person without one is
	 * skipped whatever its status, and not read */
	rc = toff_env_assembled(pl->env, err);
	if (rc != BS_OK)
		goto out;
	rc = toff_feed_states(bc, &ch, listed, nlisted, pl->ws, pl->we, pl->env, &more, err);
	if (rc != BS_OK)
		goto out;
	/* the feed's items (153,800 at 100,000 people) have given what they
	 * had to give: their seen texts and the requests' states */
	feed_groups_free(g, ng);
	g = NULL;
	ng = 0;
	bob_timeoffs_clear(&ch);
	free(listed);
	listed = NULL;
	outs.v = xreallocarray(outs.v, outs.n + more.n + 1, sizeof *outs.v);
	for (size_t i = 0; i < more.n; i++) {
		struct bob_timeoff *cur = &more.v[i];
		add_record(pl, cur);
		if (toff_effective_status(cur) != TOFF_APPROVED)
			continue;
		outs.v[outs.n++] = *cur;		/* moved */
		memset(cur, 0, sizeof *cur);
	}
	bob_timeoffs_clear(&more);
	pl->source_count = (long)outs.n;
	rc = session_assembled(pl->s, &ac, err);
	if (rc != BS_OK)
		goto out;
	tg = xcalloc(outs.n + 1, sizeof *tg);
	unread = xcalloc(outs.n + 1, 1);
	latest = toff_latest_flags(&outs);
	toff_env_bob_email(pl->env, "");	/* HiBob people: emails, and who left */
	seen = toff_sorted_ids(&outs, &nseen);
	for (size_t i = 0; i < outs.n && rc == BS_OK; i++) {
		struct bob_timeoff *r = &outs.v[i];
		if (!latest[i]) {
			r->request_id = 0;	/* listed twice: once is enough */
			continue;
		}
		if (toff_effective_status(r) != TOFF_APPROVED && r->status != TOFF_STATUS_UNKNOWN)
			continue;	/* who's out lists approved ones; be sure */
		rc = toff_complete(bc, pl->env, r, err);
		if (toff_refusals_take(&ref, rc, err)) {
			unread[i] = 1;	/* held below, once the listings are read */
			bs_error_clear(err);
			rc = BS_OK;
			continue;
		}
		if (rc != BS_OK)
			break;
		rc = toff_target_eval(pl->env, r, pl->ws, pl->we, &tg[i], err);
		if (rc == BS_OK)
			toff_leaver_cut(pl->env, r, &tg[i]);
		if (rc == BS_OK && tg[i].why == TOFF_WHY_SYNC)
			add_agent(&agents, tg[i].person->agent_id);
	}
	if (rc != BS_OK)
		goto out;
	/* agents whose events bobsync owns, and agents linked to HiBob */
	for (size_t i = 0; i < pl->rows.n; i++)
		if (row_in_window(pl, &pl->rows.v[i]))
			add_agent(&agents, pl->rows.v[i].agent_id);
	/* every agent matched to a HiBob person: by platforms.hibob, or by
	 * work email (HiBob people are read once for that) */
	toff_env_bob_email(pl->env, "");
	for (size_t k = 0; k < pl->env->bobpeople.n; k++)
		(void)str_index_put(&emails, pl->env->bobpeople.v[k].email, k);
	for (size_t i = 0; i < pl->env->people_p->n; i++) {
		const struct asm_person *ap = &pl->env->people_p->v[i];
		if (!str_empty(ap->hibob_id) ||
		    (!str_empty(ap->email) && str_index_get(&emails, ap->email) != SIZE_MAX))
			add_agent(&agents, ap->agent_id);
	}

	rc = read_listings(pl, ac, agents.v, agents.n, err);
	if (rc == BS_OK)
		rc = confirm_missing(pl, ac, &seen_rows, err);
	if (rc != BS_OK)
		goto out;
	markers_index(pl);
	{
		/* every schedule empty: the plan needs an admin's approval */
		struct bs_error perr = { 0 };
		if (listings_plausible(pl, seen_rows, &perr) != BS_OK)
			pl->require = xstrdup(perr.detail);
	}

	/* every approved request of the window */
	for (size_t i = 0; i < outs.n; i++) {
		if (outs.v[i].request_id == 0)
			continue;
		if (unread[i]) {
			hold_unreadable(pl, outs.v[i].request_id, outs.v[i].employee_id,
			    outs.v[i].employee_email, outs.v[i].employee_name);
			continue;
		}
		if (toff_effective_status(&outs.v[i]) != TOFF_APPROVED && outs.v[i].status != TOFF_STATUS_UNKNOWN)
			continue;
		plan_request(pl, &outs.v[i], &tg[i], 0);
		if (tg[i].why == TOFF_WHY_NO_AGENT || tg[i].why == TOFF_WHY_NO_TYPE)
			plan_hold(pl->plan, outs.v[i].employee_id, tg[i].email, outs.v[i].employee_name,
			    toff_target_reason(&tg[i]));
	}
	/* mapped requests of the window HiBob no longer lists as approved:
	 * ask HiBob about each before removing anything */
	for (size_t i = 0; i < pl->rows.n && rc == BS_OK; i++) {
		const struct toff_event_row *row = &pl->rows.v[i];
		struct bob_timeoff r;
		struct toff_target t;
		if (toff_ids_has(seen, nseen, row->request_id) || !row_in_window(pl, row) ||
		    row->request_id == done_id)
			continue;
		done_id = row->request_id;
		memset(&r, 0, sizeof r);
		r.request_id = row->request_id;
		r.employee_id = xstrdup(row->employee_id);
		r.status = TOFF_APPROVED;
		rc = refresh(bc, &r, err);
		if (toff_refusals_take(&ref, rc, err)) {
			/* not removed on a refusal: held as the requests above */
			bs_error_clear(err);
			rc = BS_OK;
			hold_unreadable(pl, row->request_id, row->employee_id,
			    toff_env_bob_email(pl->env, row->employee_id), NULL);
			bob_timeoff_clear(&r);
			continue;
		}
		if (rc == BS_OK)
			rc = toff_target_eval(pl->env, &r, pl->ws, pl->we, &t, err);
		if (rc == BS_OK) {
			toff_leaver_cut(pl->env, &r, &t);
			plan_request(pl, &r, &t, 0);
			toff_target_clear(&t);
		}
		bob_timeoff_clear(&r);
	}
	rc = toff_refusals_end(&ref, rc, err);
	if (rc != BS_OK)
		goto out;
	/* activities with a marker of a request nobody wants any more */
	for (size_t l = 0; l < pl->nlists; l++) {
		struct listing *li = &pl->lists[l];
		for (size_t k = 0; k < li->acts.n; k++) {
			const struct asm_activity *x = &li->acts.v[k];
			struct act *a;
			struct plan_action *pa;
			long long mid;
			char sub[32], *after, *before, *why;
			if (li->claimed[k] || !asm_marker_parse(x->description, &mid))
				continue;
			li->claimed[k] = 1;
			a = xcalloc(1, sizeof *a);
			a->request_id = mid;
			a->agent_id = xstrdup(li->agent_id);
			act_del(a, x->id, li->agent_id, x->start, x->end);
			snprintf(sub, sizeof sub, "%lld", mid);
			after = events_json(NULL, 0, li->agent_id, x->type_id, mid, 0, NULL, a->del, a->ndel,
			    NULL, x->type_id ? type_name_of(pl, x->type_id) : NULL);
			{	/* the event as a mapping row would give it */
				json_t *row = json_pack("[{s:i,s:s?,s:s?,s:s?,s:I,s:I}]", "chunk", 0,
				    "activity_id", x->id, "agent_id", li->agent_id, "type_id",
				    x->type_id, "start", (json_int_t)x->start, "end", (json_int_t)x->end);
				before = json_dump_compact(row);
				json_decref(row);
			}
			why = xasprintf("not approved in HiBob any more: request #%lld is not among the "
			    "approved time off of the window (event %s of agent %s)", mid, x->id,
			    li->agent_id);
			pa = plan_add(pl->plan, PLAN_DELETE, sub, NULL, NULL, NULL, mid, why, before, after);
			pa->data = a;
			pa->data_free = act_free;
			free(after);
			free(before);
			free(why);
		}
	}
out:
	for (size_t i = 0; tg != NULL && i < outs.n; i++)
		toff_target_clear(&tg[i]);
	free(tg);
	free(unread);
	free(seen);
	free(listed);
	free(latest);
	for (size_t i = 0; i < agents.n; i++)
		free(agents.v[i]);
	free(agents.v);
	str_index_clear(&agents.ix);
	str_index_clear(&emails);
	bob_timeoffs_clear(&outs);
	bob_timeoffs_clear(&more);
	feed_groups_free(g, ng);
	bob_timeoffs_clear(&ch);
	return rc;
}

/* ---- overlapping requests (assembled.allow_conflicts=false) ---- */

static int
act_deletes(const struct plan *p, const char *activity_id)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct act *a = p->v[i].data;
		for (size_t k = 0; a != NULL && k < a->ndel; k++)
			if (str_eq(a->del[k], activity_id))
				return 1;
	}
	return 0;
}

static void
act_restore(struct act *a, long long rid)
{
	for (size_t i = 0; i < a->nrestore; i++)
		if (a->restore[i] == rid)
			return;
	a->restore = xreallocarray(a->restore, a->nrestore + 1, sizeof *a->restore);
	a->restore[a->nrestore++] = rid;
}

static const char *
agent_key(const char *a)
{
	return a ? a : "";
}

static int
row_agent_cmp(const void *a, const void *b)
{
	const struct toff_event_row *x = *(const struct toff_event_row *const *)a;
	const struct toff_event_row *y = *(const struct toff_event_row *const *)b;

	return strcmp(agent_key(x->agent_id), agent_key(y->agent_id));
}

struct agent_act {
	const char *agent;
	size_t i;		/* index in the plan */
};

static int
act_agent_cmp(const void *a, const void *b)
{
	const struct agent_act *x = a, *y = b;
	int c = strcmp(x->agent, y->agent);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* For each action that creates events (in the order they are applied):
 * the other requests of the same agent whose events exist then and
 * overlap a new one, which Assembled deletes on the create; the action
 * makes them again (toff_events_overlap).  Events this plan deletes are
 * left to their own action.  Rows and actions are grouped by agent first,
 * so a first run creating every event of a big company stays linear. */
static void
plan_overlaps(struct planner *pl)
{
	struct plan *p = pl->plan;
	const struct toff_event_row **rows = xcalloc(pl->rows.n + 1, sizeof *rows);
	struct agent_act *acts = xcalloc(p->n + 1, sizeof *acts);
	size_t nacts = 0, r0 = 0;

	for (size_t r = 0; r < pl->rows.n; r++)
		rows[r] = &pl->rows.v[r];
	if (pl->rows.n > 1)
		qsort(rows, pl->rows.n, sizeof *rows, row_agent_cmp);
	for (size_t i = 0; i < p->n; i++) {
		const struct act *a = p->v[i].data;
		if (a != NULL && a->ncreate > 0 && a->agent_id != NULL) {
			acts[nacts].agent = a->agent_id;
			acts[nacts++].i = i;
		}
	}
	if (nacts > 1)
		qsort(acts, nacts, sizeof *acts, act_agent_cmp);
	for (size_t g = 0; g < nacts; g++) {
		size_t i = acts[g].i;
		struct act *a = p->v[i].data;
		struct strbuf why;

		/* events held now (mapping rows of this agent) */
		while (r0 < pl->rows.n && strcmp(agent_key(rows[r0]->agent_id), a->agent_id) < 0)
			r0++;
		for (size_t r = r0; r < pl->rows.n && str_eq(rows[r]->agent_id, a->agent_id); r++) {
			const struct toff_event_row *row = rows[r];
			if (row->request_id == a->request_id || row->request_id == a->replaces)
				continue;
			for (size_t e = 0; e < a->ncreate; e++)
				if (toff_events_overlap(a->create[e].start, a->create[e].end, row->start,
				    row->end) && !act_deletes(p, row->activity_id)) {
					act_restore(a, row->request_id);
					break;
				}
		}
		/* events made by actions of this agent applied before this one */
		for (size_t h = g; h > 0 && str_eq(acts[h - 1].agent, a->agent_id); h--) {
			const struct act *b = p->v[acts[h - 1].i].data;
			if (b->request_id == a->request_id)
				continue;
			for (size_t e = 0; e < a->ncreate; e++)
				for (size_t f = 0; f < b->ncreate; f++)
					if (toff_events_overlap(a->create[e].start, a->create[e].end,
					    b->create[f].start, b->create[f].end))
						act_restore(a, b->request_id);
		}
		if (a->nrestore == 0)
			continue;
		sb_init(&why, 0);
		sb_printf(&why, "%s; overlaps request", p->v[i].reason);
		for (size_t k = 0; k < a->nrestore; k++)
			sb_printf(&why, "%s #%lld", k ? "," : "", a->restore[k]);
		sb_printf(&why, " of the same agent: with assembled.allow_conflicts=false Assembled "
		    "deletes what a new event overlaps, so %s made again right after it (both requests "
		    "stay in Assembled, each as its own event)", a->nrestore == 1 ? "that event is" :
		    "those events are");
		plan_action_set_reason(p, &p->v[i], why.buf);
		sb_clear(&why);
	}
	free(rows);
	free(acts);
}

/* ---- plan_now ---- */

bs_rc
toff_make_plan(struct ctx *c, int reconcile, const char *approve,
    const struct bs_progress *progress, struct plan *out, struct bs_error *err)
{
	struct bob_client *bc;
	struct asm_client *ac;
	int64_t cursor = 0;
	int have = 0;
	long base;
	bs_rc rc;

	plan_init(out, TARGET);
	c->plan = out;
	if (c->s == NULL || c->s->store == NULL || c->s->conf == NULL)
		return bs_fail(err, BS_ERR_INVALID, "the time-off sync needs settings and the state store");
	rc = session_bob(c->s, &bc, err);
	if (rc == BS_OK)
		rc = session_assembled(c->s, &ac, err);	/* no request: settings and key only */
	if (rc != BS_OK)
		return rc;
	c->env = toff_env_new(c->s, progress);
	memset(&c->pl, 0, sizeof c->pl);
	c->pl.env = c->env;
	c->pl.s = c->s;
	c->pl.plan = out;
	c->pl.now = clock_now();
	if (c->o != NULL) {
		c->pl.named = c->o->request_ids;
		c->pl.named_emp = c->o->request_employees;
		c->pl.nnamed = c->o->nrequest_ids;
	}
	if (toff_window(c->s->conf, c->pl.now, &c->pl.ws, &c->pl.we) != 0)
		return bs_fail(err, BS_ERR_CONFIG, "timeoff.sync_until '%s' cannot be read",
		    conf_get(c->s->conf, "timeoff.sync_until"));
	rc = store_toff_events_list(c->s->store, &c->pl.rows, err);
	if (rc != BS_OK)
		return rc;
	if (!reconcile) {
		rc = store_toff_cursor_get(c->s->store, &cursor, &have, err);
		if (rc != BS_OK)
			return rc;
		if (!have)
			c->first_run = 1;
	}
	c->reconcile = reconcile || !have;
	c->pl.reconcile = c->reconcile;
	c->new_cursor = c->pl.now;
	if (c->reconcile) {
		rc = plan_reconcile(&c->pl, bc, err);
	} else {
		int64_t since = cursor - (int64_t)conf_get_int(c->s->conf, "timeoff.overlap_minutes") * 60;
		if (since >= c->pl.now)
			since = c->pl.now - 60;
		rc = plan_incremental(&c->pl, bc, since, err);
	}
	if (rc != BS_OK)
		return rc;
	out->source_count = c->pl.source_count;
	plan_finalize(out);
	/* the order of application is known now; the reasons say what an
	 * overlap does (the id covers ops and after-states, not reasons) */
	if (!conf_get_bool(c->s->conf, "assembled.allow_conflicts"))
		plan_overlaps(&c->pl);
	base = store_toff_events_count(c->s->store);
	plan_guard_eval(out, c->s->conf, base < 0 ? 0 : base, approve);
	if (c->pl.require != NULL)
		plan_guard_require(out, c->pl.require, approve);
	return BS_OK;
}

void
toff_ctx_clear(struct ctx *c)
{
	planner_free(&c->pl);
	toff_env_free(&c->env);
}

bs_rc
toff_plan_now(struct bs_session *s, int reconcile, const char *approve,
    const struct bs_progress *progress, struct plan *out, struct bs_error *err)
{
	struct ctx c;
	bs_rc rc;

	memset(&c, 0, sizeof c);
	c.s = s;
	rc = toff_make_plan(&c, reconcile, approve, progress, out, err);
	toff_ctx_clear(&c);
	return rc;
}

