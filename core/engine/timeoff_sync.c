/* timeoff_sync.c - approved HiBob time off -> Assembled events.
 *
 * Two ways to find the work (design.md "Time off"):
 *  - incremental: HiBob's changes feed from the stored cursor (less
 *    timeoff.overlap_minutes).  The feed carries no status and no order,
 *    so it only names the requests that changed: each is read once from
 *    its details (1 + k HiBob calls).  A request whose feed items were all
 *    seen by an earlier run is skipped at once, so the overlap costs
 *    nothing and a quiet feed means one HiBob request and none to
 *    Assembled.  The very first run reconciles instead, then sets the
 *    cursor;
 *  - reconciliation: every approved request of the window (who's out)
 *    against the events bobsync owns (the mapping table, plus activities of
 *    the agents concerned whose description carries "hibob:<id>"),
 *    repairing both ways.
 * Both end in one plan (create / replace / delete per request, with a
 * reason), a guard on deletions, and a journaled apply: each action is
 * journaled before it is sent; a mapping row is written as soon as
 * Assembled confirmed an activity; a replace creates before it deletes.
 * Actions a killed run left unfinished are resolved before the next plan:
 * an activity it created is found by its marker and adopted, an old one it
 * meant to delete is deleted, so a rerun leaves exactly one event per
 * request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vendor/assembled.h"
#include "config/conf.h"
#include "vendor/hibob.h"
#include "net/http.h"
#include "base/log.h"
#include "engine/session.h"
#include "store/store.h"
#include "store/store_timeoff.h"
#include "rules/timeoff_rules.h"
#include "engine/timeoff_sync.h"
#include "base/tz.h"
#include "base/util.h"

#define TARGET "assembled"
#define DAY 86400
#define TOFF_RECONCILE_FEED_DAYS 365	/* changes read back by a reconciliation */

/* ---- small shared pieces ---- */

int
toff_window(const struct conf *conf, int64_t now, int64_t *start, int64_t *end)
{
	long long today = (now >= 0 ? now : now - (DAY - 1)) / DAY, until;
	long lookback = conf ? conf_get_int(conf, "timeoff.lookback_days") : 30;
	const char *spec = conf ? conf_get(conf, "timeoff.sync_until") : "+365d";

	*start = (int64_t)(today - lookback) * DAY;
	if (conf_date_spec_resolve(spec ? spec : "+365d", today, &until) != 0) {
		*end = *start;
		return -1;
	}
	*end = (int64_t)(until + 1) * DAY;
	if (*end < *start)
		*end = *start;
	return 0;
}

struct policy_find {
	const char *policy;
	const char *found;	/* points into the settings value copy */
	char *copy;
};

static int
policy_pair(void *ctx, const char *k, const char *v)
{
	struct policy_find *f = ctx;

	if (f->copy == NULL && str_eq_ci(k, f->policy))
		f->copy = xstrdup(v);
	return 0;
}

const struct asm_activity_type *
toff_policy_type(const struct conf *conf, const struct asm_activity_types *types,
    const char *policy, char *why, size_t whylen)
{
	const struct asm_activity_type *t;
	const char *map = conf ? conf_get(conf, "assembled.policy_map") : NULL;
	const char *def = conf ? conf_get(conf, "assembled.timeoff_type") : NULL;
	struct policy_find f = { policy, NULL, NULL };
	char w[300];

	if (!str_empty(map) && !str_empty(policy))
		conf_pairs_each(map, policy_pair, &f);
	if (f.copy != NULL) {
		t = asm_timeoff_type(types, f.copy, w, sizeof w);
		if (t == NULL && why != NULL)
			snprintf(why, whylen, "assembled.policy_map sends '%s' to '%s', but %s", policy,
			    f.copy, w);
		free(f.copy);
		return t;
	}
	t = asm_timeoff_type(types, str_empty(def) ? NULL : def, w, sizeof w);
	if (t == NULL && why != NULL)
		snprintf(why, whylen, "no Assembled activity type for '%s': %s",
		    policy ? policy : "(no policy)", w);
	return t;
}

static const char *const why_names[] = {
	"sync", "pending", "not_contiguous", "declined", "canceled", "deleted", "no_agent",
	"outside_window", "not_configured", "no_type", "other"
};

const char *
toff_why_name(enum toff_why w)
{
	if ((unsigned)w >= ARRAY_LEN(why_names))
		return "other";
	return why_names[w];
}

char *
toff_description(const struct bob_timeoff *r, int chunk)
{
	const char *pol = r && !str_empty(r->policy_type) ? r->policy_type : "time off";
	long long id = r ? r->request_id : 0;

	if (chunk > 0)
		return xasprintf("HiBob time off #%lld (%s) part %d hibob:%lld", id, pol, chunk, id);
	return xasprintf("HiBob time off #%lld (%s) hibob:%lld", id, pol, id);
}

/* The status that counts: a Deleted or Canceled change wins over the
 * status in its snapshot. */
static enum toff_status
effective_status(const struct bob_timeoff *r)
{
	if (str_eq_ci(r->change_type, "Deleted"))
		return TOFF_DELETED;
	/* the feed reports a decline as a "Canceled" change of a disapproved request */
	if (str_eq_ci(r->change_type, "Canceled") || str_eq_ci(r->change_type, "Cancelled"))
		return r->status == TOFF_DISAPPROVED ? TOFF_DISAPPROVED : TOFF_CANCELED;
	return r->status;
}

static const char *
portion_name(enum toff_portion p)
{
	switch (p) {
	case TOFF_ALL_DAY: return "all_day";
	case TOFF_MORNING: return "morning";
	case TOFF_AFTERNOON: return "afternoon";
	default: return "";
	}
}

char *
toff_snapshot_key(const struct bob_timeoff *r)
{
	json_t *j;
	char *s;

	if (r == NULL)
		return xstrdup("");
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s}",
	    "e", r->employee_id ? r->employee_id : "",
	    "s", toff_status_name(effective_status(r)),
	    "t", toff_type_name(r->type),
	    "sd", r->start_date, "ed", r->end_date,
	    "sp", portion_name(r->start_portion), "ep", portion_name(r->end_portion),
	    "dp", portion_name(r->day_portion), "d", r->date,
	    "m", r->minutes_on_date, "dm", r->daily_minutes, "pc", r->percentage,
	    "p", r->policy_type ? r->policy_type : "");
	if (j == NULL)
		return xstrdup("");
	/* per-day lengths matter only for the per-day types (details list
	 * them for every type, the feed and who's out do not) */
	if (r->ndurations > 0 && (r->type == TOFF_DIFFERENT_DAY_DURATIONS ||
	    r->type == TOFF_SPECIFIC_HOURS_DAY_DURATIONS ||
	    r->type == TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS)) {
		json_t *a = json_array();
		for (size_t i = 0; i < r->ndurations; i++)
			json_array_append_new(a, json_pack("[s,i,i,i]", r->durations[i].date,
			    r->durations[i].minutes, r->durations[i].start_minute,
			    r->durations[i].end_minute));
		json_object_set_new(j, "du", a);
	}
	s = json_dump_compact(j);
	json_decref(j);
	return s;
}

static int
hours_start_minute(const struct conf *conf)
{
	const char *v = conf ? conf_get(conf, "timeoff.hours_start") : NULL;
	int h, m;

	if (v != NULL && sscanf(v, "%d:%d", &h, &m) == 2 && h >= 0 && h < 24 && m >= 0 && m < 60)
		return h * 60 + m;
	return 540;
}

/* ---- request-id sets ---- */

struct id_at {
	long long id;
	size_t at;
};

static int
id_at_cmp(const void *a, const void *b)
{
	const struct id_at *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

unsigned char *
toff_latest_flags(const struct bob_timeoffs *v)
{
	size_t n = v ? v->n : 0;
	struct id_at *ix = xcalloc(n + 1, sizeof *ix);
	unsigned char *last = xcalloc(n + 1, 1);

	for (size_t i = 0; i < n; i++) {
		ix[i].id = v->v[i].request_id;
		ix[i].at = i;
	}
	qsort(ix, n, sizeof *ix, id_at_cmp);
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || ix[i + 1].id != ix[i].id)
			last[ix[i].at] = 1;
	free(ix);
	return last;
}

static int
ll_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

long long *
toff_sorted_ids(const struct bob_timeoffs *v, size_t *n)
{
	size_t k = v ? v->n : 0;
	long long *ids = xcalloc(k + 1, sizeof *ids);

	for (size_t i = 0; i < k; i++)
		ids[i] = v->v[i].request_id;
	qsort(ids, k, sizeof *ids, ll_cmp);
	*n = k;
	return ids;
}

int
toff_ids_has(const long long *ids, size_t n, long long id)
{
	return ids != NULL && n > 0 && bsearch(&id, ids, n, sizeof *ids, ll_cmp) != NULL;
}

/* ---- the environment ---- */

struct toff_env {
	struct bs_session *s;			/* borrowed, may be NULL */
	const struct bs_progress *progress;
	const struct conf *conf;
	struct asm_people people;		/* owned when read here */
	struct asm_activity_types types;
	const struct asm_people *people_p;	/* what eval uses */
	const struct asm_activity_types *types_p;
	int asm_tried;
	bs_rc asm_rc;
	struct bs_error asm_err;
	struct bob_people bobpeople;
	int bob_tried;
	const struct bob_person **bob_by_id;	/* HiBob people sorted by id */
	const struct tz *default_zone;
	int split_chunks;
	int hours_start;
};

struct toff_env *
toff_env_new(struct bs_session *s, const struct bs_progress *progress)
{
	struct toff_env *e = xcalloc(1, sizeof *e);
	const char *dz;

	e->s = s;
	e->progress = progress;
	e->conf = s ? s->conf : NULL;
	dz = e->conf ? conf_get(e->conf, "assembled.default_timezone") : NULL;
	if (str_empty(dz) || tz_get(dz, &e->default_zone, NULL) != BS_OK)
		tz_get("UTC", &e->default_zone, NULL);
	e->split_chunks = e->conf ? conf_get_bool(e->conf, "timeoff.split_chunks") : 0;
	e->hours_start = hours_start_minute(e->conf);
	return e;
}

void
toff_env_free(struct toff_env **ep)
{
	struct toff_env *e;

	if (ep == NULL || *ep == NULL)
		return;
	e = *ep;
	asm_people_free(&e->people);
	asm_activity_types_free(&e->types);
	bob_people_free(&e->bobpeople);
	free(e->bob_by_id);
	free(e);
	*ep = NULL;
}

void
toff_env_set_assembled(struct toff_env *e, const struct asm_people *people,
    const struct asm_activity_types *types)
{
	e->people_p = people;
	e->types_p = types;
	e->asm_tried = 1;
	e->asm_rc = BS_OK;
}

static void
env_progress(struct toff_env *e, const char *phase, size_t done, size_t total)
{
	struct bs_progress_event ev;

	memset(&ev, 0, sizeof ev);
	ev.phase = phase;
	ev.done = done;
	ev.total = total;
	bs_progress_report(e->progress, &ev);
}

bs_rc
toff_env_assembled(struct toff_env *e, struct bs_error *err)
{
	struct asm_client *ac;

	if (e->asm_tried) {
		if (e->asm_rc != BS_OK && err != NULL)
			*err = e->asm_err;
		return e->asm_rc;
	}
	e->asm_tried = 1;
	if (e->s == NULL) {
		e->asm_rc = bs_fail(&e->asm_err, BS_ERR_NOT_CONFIGURED, "no Assembled connection");
		goto out;
	}
	env_progress(e, "Reading people from Assembled", 0, 0);
	e->asm_rc = session_assembled(e->s, &ac, &e->asm_err);
	if (e->asm_rc == BS_OK)
		e->asm_rc = asm_get_people(ac, &e->people, &e->asm_err);
	/* nobody at all is a read gone wrong, not a company without agents:
	 * every request would look unmatched and be passed over for good */
	if (e->asm_rc == BS_OK && e->people.n == 0)
		e->asm_rc = bs_fail(&e->asm_err, BS_ERR_SOURCE, "Assembled returned no people; "
		    "nothing is changed until it lists the agents again");
	if (e->asm_rc == BS_OK)
		e->asm_rc = asm_get_activity_types(ac, &e->types, &e->asm_err);
	if (e->asm_rc == BS_OK) {
		e->people_p = &e->people;
		e->types_p = &e->types;
	}
out:
	if (e->asm_rc != BS_OK && err != NULL)
		*err = e->asm_err;
	return e->asm_rc;
}

static int
bob_id_cmp(const void *a, const void *b)
{
	const struct bob_person *x = *(const struct bob_person *const *)a;
	const struct bob_person *y = *(const struct bob_person *const *)b;

	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

/* The HiBob work email of an employee, reading people once. */
static const char *
env_bob_email(struct toff_env *e, const char *employee_id)
{
	struct bob_client *bc;
	struct bob_people_query q;
	struct bob_person key, *kp = &key;
	const struct bob_person **hit;

	if (employee_id == NULL || e->s == NULL)
		return NULL;
	if (!e->bob_tried) {
		struct bs_error err = { 0 };
		e->bob_tried = 1;
		memset(&q, 0, sizeof q);
		if (session_bob(e->s, &bc, &err) != BS_OK ||
		    bob_search_people(bc, &q, &e->bobpeople, NULL, &err) != BS_OK)
			log_warn("cannot read HiBob people for their emails: %s", bs_error_text(&err));
		e->bob_by_id = xcalloc(e->bobpeople.n + 1, sizeof *e->bob_by_id);
		for (size_t i = 0; i < e->bobpeople.n; i++)
			e->bob_by_id[i] = &e->bobpeople.v[i];
		qsort(e->bob_by_id, e->bobpeople.n, sizeof *e->bob_by_id, bob_id_cmp);
	}
	if (e->bob_by_id == NULL)
		return NULL;
	memset(&key, 0, sizeof key);
	key.id = (char *)employee_id;
	hit = bsearch(&kp, e->bob_by_id, e->bobpeople.n, sizeof *e->bob_by_id, bob_id_cmp);
	return hit ? (*hit)->email : NULL;
}

void
toff_target_clear(struct toff_target *t)
{
	if (t == NULL)
		return;
	toff_decision_clear(&t->d);
	free(t->email);
	memset(t, 0, sizeof *t);
}

static enum toff_why
why_of_status(enum toff_status st)
{
	switch (st) {
	case TOFF_PENDING: return TOFF_WHY_PENDING;
	case TOFF_CANCELED: return TOFF_WHY_CANCELED;
	case TOFF_DISAPPROVED: return TOFF_WHY_DECLINED;
	case TOFF_DELETED: return TOFF_WHY_DELETED;
	default: return TOFF_WHY_OTHER;
	}
}

/* Decide in a zone; classify a skip of an approved request. */
static void
decide(struct toff_env *e, const struct bob_timeoff *r, const struct tz *zone, int64_t ws,
    int64_t we, struct toff_target *out)
{
	struct toff_rules_opts o = { e->split_chunks, e->hours_start, ws, we };
	struct toff_decision open;

	toff_decision_clear(&out->d);
	toff_decide(r, zone, &o, &out->d);
	snprintf(out->reason, sizeof out->reason, "%s", out->d.reason);
	if (out->d.verdict == TOFF_SYNC && out->d.nevents > 0) {
		out->why = TOFF_WHY_SYNC;
		return;
	}
	out->d.verdict = TOFF_SKIP;
	if (!toff_is_contiguous(r) && !e->split_chunks) {
		out->why = TOFF_WHY_NOT_CONTIGUOUS;
		return;
	}
	o.window_start = INT64_MIN;
	o.window_end = INT64_MAX;
	toff_decide(r, zone, &o, &open);
	out->why = open.verdict == TOFF_SYNC && open.nevents > 0 ? TOFF_WHY_OUTSIDE : TOFF_WHY_OTHER;
	toff_decision_clear(&open);
}

bs_rc
toff_target_eval(struct toff_env *e, const struct bob_timeoff *r, int64_t ws, int64_t we,
    struct toff_target *out, struct bs_error *err)
{
	const struct tz *zone = NULL;
	enum toff_status st;
	char why[320];
	bs_rc rc;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no place for a time-off evaluation");
	memset(out, 0, sizeof *out);
	out->d.verdict = TOFF_SKIP;
	out->zone = e ? e->default_zone : NULL;
	if (e == NULL || r == NULL)
		return bs_fail(err, BS_ERR_INVALID, "nothing to evaluate");
	st = effective_status(r);
	if (st != TOFF_APPROVED) {
		decide(e, r, e->default_zone, ws, we, out);
		out->why = why_of_status(st);
		if (st == TOFF_DISAPPROVED)
			snprintf(out->reason, sizeof out->reason, "declined in HiBob");
		out->d.verdict = TOFF_SKIP;
		FREE(out->d.events);
		out->d.nevents = 0;
		return BS_OK;
	}
	if (!toff_is_contiguous(r) && !e->split_chunks) {
		decide(e, r, e->default_zone, ws, we, out);
		return BS_OK;
	}
	rc = toff_env_assembled(e, err);
	if (rc == BS_ERR_NOT_CONFIGURED) {
		decide(e, r, e->default_zone, ws, we, out);
		if (out->why == TOFF_WHY_SYNC) {
			char *tmp = xasprintf("Assembled not configured (%s); would be: %s",
			    bs_error_text(&e->asm_err), out->reason);
			snprintf(out->reason, sizeof out->reason, "%s", tmp);
			free(tmp);
			out->why = TOFF_WHY_NOT_CONFIGURED;
			out->d.verdict = TOFF_SKIP;
		}
		return BS_OK;
	}
	if (rc != BS_OK)
		return rc;
	out->email = xstrdup(r->employee_email);
	out->person = asm_people_match(e->people_p, r->employee_id, out->email, &out->match);
	if (out->person == NULL && out->email == NULL) {
		out->email = xstrdup(env_bob_email(e, r->employee_id));
		out->person = asm_people_match(e->people_p, r->employee_id, out->email, &out->match);
	}
	if (out->person == NULL) {
		out->why = TOFF_WHY_NO_AGENT;
		snprintf(out->reason, sizeof out->reason,
		    "no Assembled person linked to HiBob id %s or with the email %s",
		    r->employee_id ? r->employee_id : "(none)", out->email ? out->email : "(unknown)");
		return BS_OK;
	}
	if (!str_empty(out->person->timezone) && tz_get(out->person->timezone, &zone, NULL) == BS_OK)
		out->zone = zone;
	else
		out->zone = e->default_zone;
	out->type = toff_policy_type(e->conf, e->types_p, r->policy_type, why, sizeof why);
	if (out->type == NULL) {
		out->why = TOFF_WHY_NO_TYPE;
		snprintf(out->reason, sizeof out->reason, "%s", why);
		return BS_OK;
	}
	decide(e, r, out->zone, ws, we, out);
	if (out->why != TOFF_WHY_SYNC)
		out->type = NULL;
	return BS_OK;
}

/* ---- plans ---- */

/* Where an event to delete lives: the listing that proves it gone. */
struct del_span {
	char *agent_id;
	int64_t start, end;
};

/* The payload of a plan action. */
struct act {
	long long request_id;
	long long replaces;		/* an edited request's old id, else 0 */
	char *employee_id;
	char *agent_id;
	char *type_id;
	char *policy;
	struct toff_event *create;	/* events to create */
	size_t ncreate;
	char **del;			/* activity ids to delete */
	size_t ndel;
	struct del_span *dspan;		/* per id: where to look that it is gone */
	long long *restore;		/* requests whose overlapped events are made again */
	size_t nrestore;
	/* the request's record once done */
	char *record_key;
	char *status;
};

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

/* A request record to write once the run succeeded. */
struct record {
	long long request_id;
	char *employee_id;
	char *status;
	long long previous;
	char *key;
};

/* What a request's record keeps once a run processed it: the feed items
 * seen for it ({"seen": [item keys]}), so an item read again through the
 * overlap is not a change. */
struct seen {
	long long request_id;
	char *data;
};

/* Activities of one agent in the window (reconciliation only). */
struct listing {
	char *agent_id;
	struct asm_activities acts;
	unsigned char *claimed;		/* per activity: mapped or adopted */
};

struct planner {
	struct toff_env *env;
	struct bs_session *s;
	int reconcile;
	int64_t ws, we, now;
	struct plan *plan;
	struct toff_event_rows rows;	/* every mapping row */
	struct record *rec;
	size_t nrec;
	struct toff_event_row *adopt;	/* mapping rows to restore (no call) */
	size_t nadopt;
	char **forget;			/* mapped activity ids Assembled no longer has */
	size_t nforget;
	struct listing *lists;
	size_t nlists;
	long long *superseded;		/* old ids replaced by an edit in this plan */
	size_t nsuperseded;
	/* requests HiBob's webhooks named: read again whatever the feed says */
	const long long *named;
	const char *const *named_emp;
	size_t nnamed;
	long long *named_sorted;	/* the same ids, sorted (during the plan) */
	size_t nnamed_sorted;
	long source_count;
	struct seen *seen;		/* feed items per request id, sorted by id */
	size_t nseen;
	char *require;			/* the plan needs approval, whatever the counts: why */
};

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
		asm_activities_free(&pl->lists[i].acts);
		free(pl->lists[i].claimed);
	}
	free(pl->lists);
	free(pl->superseded);
	for (size_t i = 0; i < pl->nseen; i++)
		free(pl->seen[i].data);
	free(pl->seen);
	free(pl->require);
	toff_event_rows_free(&pl->rows);
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
	pl->rec = xreallocarray(pl->rec, pl->nrec + 1, sizeof *pl->rec);
	x = &pl->rec[pl->nrec++];
	x->request_id = r->request_id;
	x->employee_id = xstrdup(r->employee_id);
	x->status = xstrdup(toff_status_name(effective_status(r)));
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
	for (size_t i = 0; i < pl->nlists; i++)
		if (str_eq(pl->lists[i].agent_id, agent_id))
			return &pl->lists[i];
	return NULL;
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

static char *
events_json(const struct toff_event *ev, size_t n, const char *agent, const char *type,
    long long rid, long long replaces, const char *employee, char *const *del, size_t ndel)
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

	log_debug("time off %lld: %s: %s", r->request_id, toff_why_name(t->why), t->reason);
	sb_init(&why, 0);
	a->request_id = r->request_id;
	a->employee_id = xstrdup(r->employee_id);
	a->policy = xstrdup(r->policy_type);
	a->agent_id = xstrdup(agent);
	a->type_id = xstrdup(type);
	a->record_key = record_data(pl, r);
	a->status = xstrdup(toff_status_name(effective_status(r)));

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
			for (size_t l = 0; l < pl->nlists && !found; l++) {
				struct listing *li = &pl->lists[l];
				if (!str_eq(li->agent_id, agent))
					continue;
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
	for (size_t l = 0; l < pl->nlists; l++) {
		struct listing *li = &pl->lists[l];
		for (size_t k = 0; k < li->acts.n; k++) {
			long long mid;
			if (li->claimed[k] || !asm_marker_parse(li->acts.v[k].description, &mid) ||
			    mid != r->request_id)
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
		sb_free(&why);
		return;
	}
	op = a->ncreate > 0 && a->ndel > 0 ? PLAN_REPLACE : a->ncreate > 0 ? PLAN_CREATE : PLAN_DELETE;
	if (nold > 0)
		sb_printf(&why, "edited in HiBob: replaces request #%lld; ", old_id);
	if (op == PLAN_DELETE) {
		if (t->left)
			sb_printf(&why, "%s", t->reason);
		else if (pl->reconcile && (t->why == TOFF_WHY_CANCELED || t->why == TOFF_WHY_DECLINED ||
		    t->why == TOFF_WHY_DELETED || t->why == TOFF_WHY_PENDING || t->why == TOFF_WHY_OTHER))
			sb_printf(&why, "not approved in HiBob any more (%s)", t->reason);
		else if (!sync)
			sb_printf(&why, "%s", t->reason);
		else if (dup > 0 && extra == 0)
			sb_printf(&why, "duplicate event%s in Assembled for this request", dup == 1 ? "" : "s");
		else
			sb_printf(&why, "fewer parts than before");
	} else {
		if (changed > 0)
			sb_printf(&why, "%s", change);
		else if (missing > 0 && pl->reconcile)
			sb_printf(&why, "missing in Assembled: %s", t->reason);
		else
			sb_printf(&why, "%s", t->reason);
		if (dup > 0)
			sb_printf(&why, "; %d duplicate%s removed", dup, dup == 1 ? "" : "s");
	}
	snprintf(sub, sizeof sub, "%lld", r->request_id);
	after = events_json(a->create, a->ncreate, agent, type, r->request_id, a->replaces,
	    r->employee_id, a->del, a->ndel);
	before = nrows + nold > 0 ? rows_json(nrows ? first : ofirst, nrows ? nrows : nold, pl) : NULL;
	email = t->email ? t->email : r->employee_email;
	if (email == NULL && pl->env->bob_tried)	/* known without a read */
		email = env_bob_email(pl->env, r->employee_id);
	pa = plan_add(pl->plan, op, sub, r->employee_id, email, r->employee_name, r->request_id,
	    why.buf ? why.buf : "", before, after);
	pa->data = a;
	pa->data_free = act_free;
	free(after);
	free(before);
	free(used);
	sb_free(&why);
}

/* ---- reading HiBob ---- */

/* Whether the feed or list item lacks what toff_decide needs. */
static int
needs_detail(const struct toff_env *e, const struct bob_timeoff *r)
{
	if (effective_status(r) != TOFF_APPROVED)
		return 0;
	switch (r->type) {
	case TOFF_DAYS:
	case TOFF_OPEN_ENDED:
		return r->start_date[0] == '\0';
	case TOFF_HOURS:
		return r->date[0] == '\0' && r->start_date[0] == '\0';
	case TOFF_DIFFERENT_DAY_DURATIONS:
	case TOFF_SPECIFIC_HOURS_DAY_DURATIONS:
	case TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS:
		return e->split_chunks && r->ndurations == 0;
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
	char *k = toff_snapshot_key(r);
	char *s = xasprintf("%s|%s", r->change_type ? r->change_type : "", k);

	free(k);
	return s;
}

static void
feed_groups_free(struct feed_group *g, size_t n)
{
	for (size_t i = 0; g != NULL && i < n; i++) {
		for (size_t k = 0; k < g[i].n; k++)
			free(g[i].keys[k]);
		free(g[i].keys);
		free(g[i].items);
	}
	free(g);
}

/* The feed's items grouped by request id, groups sorted by id. */
static struct feed_group *
feed_groups(const struct bob_timeoffs *ch, size_t *ngroups)
{
	size_t n = ch ? ch->n : 0, ng = 0;
	struct id_at *ix = xcalloc(n + 1, sizeof *ix);
	struct feed_group *g = xcalloc(n + 1, sizeof *g);

	for (size_t i = 0; i < n; i++) {
		ix[i].id = ch->v[i].request_id;
		ix[i].at = i;
	}
	qsort(ix, n, sizeof *ix, id_at_cmp);
	for (size_t i = 0; i < n; i++) {
		struct feed_group *x;
		if (ng == 0 || g[ng - 1].request_id != ix[i].id) {
			g[ng].request_id = ix[i].id;
			ng++;
		}
		x = &g[ng - 1];
		x->items = xreallocarray(x->items, x->n + 1, sizeof *x->items);
		x->keys = xreallocarray(x->keys, x->n + 1, sizeof *x->keys);
		x->items[x->n] = &ch->v[ix[i].at];
		x->keys[x->n] = feed_item_key(&ch->v[ix[i].at]);
		x->n++;
	}
	free(ix);
	*ngroups = ng;
	return g;
}

static int
group_has(const struct feed_group *g, const char *change_type)
{
	for (size_t i = 0; i < g->n; i++)
		if (str_eq_ci(g->items[i]->change_type, change_type))
			return 1;
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

/* Remember the group's items (with those seen before) as the request's
 * record text. */
static void
seen_add(struct planner *pl, const struct feed_group *g, const json_t *before)
{
	json_t *j = json_object(), *a = before ? json_deep_copy(before) : json_array();

	for (size_t i = 0; i < g->n; i++)
		if (!seen_has(a, g->keys[i]))
			json_array_append_new(a, json_string(g->keys[i]));
	json_object_set_new(j, "seen", a);
	pl->seen = xreallocarray(pl->seen, pl->nseen + 1, sizeof *pl->seen);
	pl->seen[pl->nseen].request_id = g->request_id;
	pl->seen[pl->nseen].data = json_dump_compact(j);
	pl->nseen++;
	json_decref(j);
}

/* A copy of a feed item to stand for the request. */
static void
timeoff_copy(struct bob_timeoff *dst, const struct bob_timeoff *src)
{
	*dst = *src;
	dst->employee_id = xstrdup(src->employee_id);
	dst->employee_email = xstrdup(src->employee_email);
	dst->employee_name = xstrdup(src->employee_name);
	dst->policy_type = xstrdup(src->policy_type);
	dst->type_raw = xstrdup(src->type_raw);
	dst->status_raw = xstrdup(src->status_raw);
	dst->change_type = xstrdup(src->change_type);
	dst->time_zone = xstrdup(src->time_zone);
	dst->durations = NULL;
	dst->ndurations = 0;
	if (src->ndurations > 0) {
		dst->durations = xcalloc(src->ndurations, sizeof *dst->durations);
		memcpy(dst->durations, src->durations, src->ndurations * sizeof *dst->durations);
		dst->ndurations = src->ndurations;
	}
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
	timeoff_copy(out, pick);
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
		timeoff_copy(out, f);
		out->status = TOFF_DELETED;
		free(out->change_type);
		out->change_type = xstrdup("Deleted");
		return BS_OK;
	}
	if (rc != BS_OK) {
		if (feed_fallback(g, out)) {
			log_warn("time-off request %lld: details not readable (%s); using the "
			    "changes feed's %s", g->request_id, bs_error_text(err),
			    toff_status_name(effective_status(out)));
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

bs_rc
toff_feed_states(struct bob_client *bc, const struct bob_timeoffs *ch, const long long *listed,
    size_t nlisted, int64_t ws, int64_t we, struct bob_timeoffs *out, struct bs_error *err)
{
	struct feed_group *g;
	size_t ng = 0;
	bs_rc rc = BS_OK;

	memset(out, 0, sizeof *out);
	g = feed_groups(ch, &ng);
	out->v = xcalloc(ng + 1, sizeof *out->v);
	for (size_t i = 0; i < ng && rc == BS_OK; i++) {
		struct bob_timeoff *cur = &out->v[out->n];
		if (toff_ids_has(listed, nlisted, g[i].request_id))
			continue;
		if (group_has(&g[i], "Deleted") || group_has(&g[i], "Canceled") ||
		    group_has(&g[i], "Cancelled") || !group_in_window(&g[i], ws, we)) {
			if (!feed_fallback(&g[i], cur))
				timeoff_copy(cur, g[i].items[0]);
			out->n++;
			continue;
		}
		rc = read_current(bc, &g[i], cur, err);
		if (rc == BS_OK)
			out->n++;
	}
	feed_groups_free(g, ng);
	if (rc != BS_OK)
		bob_timeoffs_free(out);
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
	qsort(pl->named_sorted, pl->nnamed_sorted, sizeof *pl->named_sorted, ll_cmp);
	free(feed_ids);
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
	size_t ng = 0;
	bs_rc rc;

	env_progress(pl->env, "Reading time-off changes from HiBob", 0, 0);
	rc = bob_timeoff_changes(bc, since, pl->now, &ch, err);
	if (rc != BS_OK)
		return rc;
	pl->source_count = (long)ch.n;
	add_named(pl, &ch);
	g = feed_groups(&ch, &ng);
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
		env_progress(pl->env, "Reading changed time-off requests from HiBob", i, ng);
		rc = read_current(bc, &g[i], &cur[i], err);
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
			    tg[i].reason);
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
	bob_timeoffs_free(&ch);
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
	struct bob_person key, *kp = &key;
	const struct bob_person **hit, *p;
	int64_t day, cut;
	size_t kept = 0;

	if (t->why != TOFF_WHY_SYNC || r->employee_id == NULL)
		return;
	if (!e->bob_tried)
		env_bob_email(e, "");
	if (e->bob_by_id == NULL)
		return;
	memset(&key, 0, sizeof key);
	key.id = r->employee_id;
	hit = bsearch(&kp, e->bob_by_id, e->bobpeople.n, sizeof *e->bob_by_id, bob_id_cmp);
	p = hit ? *hit : NULL;
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
	snprintf(t->reason, sizeof t->reason, "left the company: termination date %s; time off "
	    "after it is not kept in Assembled", p->termination_date);
	if (kept == 0) {
		t->why = TOFF_WHY_OTHER;
		t->d.verdict = TOFF_SKIP;
		t->type = NULL;
	}
}

static void
add_agent(char ***agents, size_t *n, const char *agent)
{
	if (str_empty(agent))
		return;
	for (size_t i = 0; i < *n; i++)
		if (str_eq((*agents)[i], agent))
			return;
	*agents = xreallocarray(*agents, *n + 1, sizeof **agents);
	(*agents)[(*n)++] = xstrdup(agent);
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

static int
listing_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(struct listing *const *)a)->agent_id, (*(struct listing *const *)b)->agent_id);
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
	struct listing **by, key, *keyp = &key;
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
		env_progress(pl->env, "Reading schedules from Assembled", done++, ntypes);
		q.type_id = t->v[i].id;
		rc = asm_list_activities_q(ac, &q, &all, err);
	}
	if (rc != BS_OK) {
		asm_activities_free(&all);
		return rc;
	}
	/* split by agent: lists in the order given, looked up sorted */
	pl->lists = xcalloc(nagents + 1, sizeof *pl->lists);
	by = xcalloc(nagents + 1, sizeof *by);
	for (size_t i = 0; i < nagents; i++) {
		pl->lists[i].agent_id = xstrdup(agents[i]);
		by[i] = &pl->lists[i];
	}
	pl->nlists = nagents;
	qsort(by, nagents, sizeof *by, listing_ptr_cmp);
	for (size_t i = 0; i < all.n; i++) {
		struct asm_activity *x = &all.v[i];
		const struct asm_activity_type *ty = asm_type_by_id(t, x->type_id);
		struct listing **hit = NULL, *l;
		key.agent_id = x->agent_id;
		if (x->agent_id != NULL)
			hit = bsearch(&keyp, by, nagents, sizeof *by, listing_ptr_cmp);
		if (hit == NULL || (ntypes > 0 && (ty == NULL || !ty->timeoff) &&
		    !asm_marker_parse(x->description, NULL)))
			continue;	/* freed with the rest of all */
		l = *hit;
		l->acts.v = xreallocarray(l->acts.v, l->acts.n + 1, sizeof *l->acts.v);
		l->acts.v[l->acts.n++] = *x;
		memset(x, 0, sizeof *x);
	}
	for (size_t i = 0; i < pl->nlists; i++)
		pl->lists[i].claimed = xcalloc(pl->lists[i].acts.n + 1, 1);
	free(by);
	asm_activities_free(&all);
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
		env_progress(pl->env, "Checking events not listed", i, pl->rows.n);
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
		asm_activities_free(&a);
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
	char **agents = NULL;
	size_t nagents = 0;
	long long *seen = NULL, *listed = NULL;
	size_t nseen = 0, nlisted = 0;
	unsigned char *latest = NULL;
	long long done_id = 0;
	struct feed_group *g = NULL;
	size_t ng = 0;
	size_t seen_rows = 0;
	bs_rc rc;

	date_format(pl->ws / DAY, from);
	date_format((pl->we - 1) / DAY, to);
	env_progress(pl->env, "Reading approved time off from HiBob", 0, 0);
	rc = bob_whos_out(bc, from, to, &outs, err);
	if (rc != BS_OK)
		return rc;
	/* who's out lists active employees only: the changes feed of the last
	 * year adds the approved requests of the others; its latest states are
	 * also what the next incremental runs compare against */
	env_progress(pl->env, "Reading time-off changes from HiBob", 0, 0);
	rc = bob_timeoff_changes(bc, pl->now - (int64_t)TOFF_RECONCILE_FEED_DAYS * DAY, pl->now,
	    &ch, err);
	if (rc != BS_OK)
		goto out;
	/* the feed has no status: a request it names that who's out does not
	 * list is read once, unless a Deleted or Canceled change ended it or
	 * its dates miss the window */
	g = feed_groups(&ch, &ng);
	for (size_t i = 0; i < ng; i++)
		seen_add(pl, &g[i], NULL);
	listed = toff_sorted_ids(&outs, &nlisted);
	env_progress(pl->env, "Reading time-off requests from HiBob", 0, 0);
	rc = toff_feed_states(bc, &ch, listed, nlisted, pl->ws, pl->we, &more, err);
	if (rc != BS_OK)
		goto out;
	for (size_t i = 0; i < more.n; i++) {
		struct bob_timeoff *cur = &more.v[i];
		add_record(pl, cur);
		if (effective_status(cur) != TOFF_APPROVED)
			continue;
		outs.v = xreallocarray(outs.v, outs.n + 1, sizeof *outs.v);
		outs.v[outs.n++] = *cur;		/* moved */
		memset(cur, 0, sizeof *cur);
	}
	pl->source_count = (long)outs.n;
	rc = toff_env_assembled(pl->env, err);
	if (rc != BS_OK)
		goto out;
	rc = session_assembled(pl->s, &ac, err);
	if (rc != BS_OK)
		goto out;
	tg = xcalloc(outs.n + 1, sizeof *tg);
	latest = toff_latest_flags(&outs);
	env_bob_email(pl->env, "");	/* HiBob people: emails, and who left */
	seen = toff_sorted_ids(&outs, &nseen);
	for (size_t i = 0; i < outs.n && rc == BS_OK; i++) {
		struct bob_timeoff *r = &outs.v[i];
		if (!latest[i]) {
			r->request_id = 0;	/* listed twice: once is enough */
			continue;
		}
		if (effective_status(r) != TOFF_APPROVED && r->status != TOFF_STATUS_UNKNOWN)
			continue;	/* who's out lists approved ones; be sure */
		if (needs_detail(pl->env, r) && (rc = refresh(bc, r, err)) != BS_OK)
			break;
		rc = toff_target_eval(pl->env, r, pl->ws, pl->we, &tg[i], err);
		if (rc == BS_OK)
			toff_leaver_cut(pl->env, r, &tg[i]);
		if (rc == BS_OK && tg[i].why == TOFF_WHY_SYNC)
			add_agent(&agents, &nagents, tg[i].person->agent_id);
	}
	if (rc != BS_OK)
		goto out;
	/* agents whose events bobsync owns, and agents linked to HiBob */
	for (size_t i = 0; i < pl->rows.n; i++)
		if (row_in_window(pl, &pl->rows.v[i]))
			add_agent(&agents, &nagents, pl->rows.v[i].agent_id);
	/* every agent matched to a HiBob person: by platforms.hibob, or by
	 * work email (HiBob people are read once for that) */
	env_bob_email(pl->env, "");
	for (size_t i = 0; i < pl->env->people_p->n; i++) {
		const struct asm_person *ap = &pl->env->people_p->v[i];
		int matched = !str_empty(ap->hibob_id);
		for (size_t k = 0; !matched && !str_empty(ap->email) && k < pl->env->bobpeople.n; k++)
			matched = str_eq_ci(pl->env->bobpeople.v[k].email, ap->email);
		if (matched)
			add_agent(&agents, &nagents, ap->agent_id);
	}

	rc = read_listings(pl, ac, agents, nagents, err);
	if (rc == BS_OK)
		rc = confirm_missing(pl, ac, &seen_rows, err);
	if (rc != BS_OK)
		goto out;
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
		if (effective_status(&outs.v[i]) != TOFF_APPROVED && outs.v[i].status != TOFF_STATUS_UNKNOWN)
			continue;
		plan_request(pl, &outs.v[i], &tg[i], 0);
		if (tg[i].why == TOFF_WHY_NO_AGENT || tg[i].why == TOFF_WHY_NO_TYPE)
			plan_hold(pl->plan, outs.v[i].employee_id, tg[i].email, outs.v[i].employee_name,
			    tg[i].reason);
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
		if (rc == BS_OK)
			rc = toff_target_eval(pl->env, &r, pl->ws, pl->we, &t, err);
		if (rc == BS_OK) {
			toff_leaver_cut(pl->env, &r, &t);
			plan_request(pl, &r, &t, 0);
			toff_target_clear(&t);
		}
		bob_timeoff_clear(&r);
	}
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
			char sub[32], *after, *why;
			if (li->claimed[k] || !asm_marker_parse(x->description, &mid))
				continue;
			li->claimed[k] = 1;
			a = xcalloc(1, sizeof *a);
			a->request_id = mid;
			a->agent_id = xstrdup(li->agent_id);
			act_del(a, x->id, li->agent_id, x->start, x->end);
			snprintf(sub, sizeof sub, "%lld", mid);
			after = events_json(NULL, 0, li->agent_id, x->type_id, mid, 0, NULL, a->del, a->ndel);
			why = xasprintf("not approved in HiBob any more: request #%lld is not among the "
			    "approved time off of the window (event %s of agent %s)", mid, x->id,
			    li->agent_id);
			pa = plan_add(pl->plan, PLAN_DELETE, sub, NULL, NULL, NULL, mid, why, NULL, after);
			pa->data = a;
			pa->data_free = act_free;
			free(after);
			free(why);
		}
	}
out:
	for (size_t i = 0; tg != NULL && i < outs.n; i++)
		toff_target_clear(&tg[i]);
	free(tg);
	free(seen);
	free(listed);
	free(latest);
	for (size_t i = 0; i < nagents; i++)
		free(agents[i]);
	free(agents);
	bob_timeoffs_free(&outs);
	bob_timeoffs_free(&more);
	feed_groups_free(g, ng);
	bob_timeoffs_free(&ch);
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
		free(p->v[i].reason);
		p->v[i].reason = xstrdup(why.buf);
		sb_free(&why);
	}
	free(rows);
	free(acts);
}

/* ---- plan_now ---- */

struct ctx {
	struct bs_session *s;
	const struct sync_opts *o;	/* may be NULL (plan, preview) */
	struct toff_env *env;
	struct planner pl;
	struct plan *plan;
	int reconcile;		/* what was planned */
	int first_run;		/* no cursor yet: reconciled instead */
	int64_t new_cursor;
};

static bs_rc
make_plan(struct ctx *c, int reconcile, const char *approve, const struct bs_progress *progress,
    struct plan *out, struct bs_error *err)
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

static void
ctx_free(struct ctx *c)
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
	rc = make_plan(&c, reconcile, approve, progress, out, err);
	ctx_free(&c);
	return rc;
}

/* ---- applying ---- */

struct run {
	struct bs_session *s;
	struct asm_client *ac;
	int64_t run_id;
	struct sync_result *r;
	const struct sync_opts *o;
	int allow_conflicts;
	const char *schedule_id;
};

static void
audit(struct run *ru, const char *level, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
audit(struct run *ru, const char *level, const char *subject, const char *fmt, ...)
{
	va_list va;
	char *msg;

	va_start(va, fmt);
	msg = xvasprintf(fmt, va);
	va_end(va);
	store_audit(ru->s->store, ru->run_id, level, subject, msg, clock_now());
	free(msg);
}

static int
report(struct run *ru, size_t done, size_t total, const char *item)
{
	struct bs_progress_event ev;

	memset(&ev, 0, sizeof ev);
	ev.phase = "Sending to Assembled";
	ev.done = done;
	ev.total = total;
	ev.item = item;
	ev.applied = (unsigned)ru->r->applied;
	ev.failed = (unsigned)ru->r->failed;
	ev.skipped = (unsigned)ru->r->skipped;
	return bs_progress_report(ru->o->progress, &ev);
}

static void
record_request(struct store *st, long long rid, const char *employee, const char *status,
    long long previous, const char *key)
{
	struct toff_request_row row;
	struct bs_error err = { 0 };

	memset(&row, 0, sizeof row);
	row.request_id = rid;
	row.employee_id = (char *)employee;
	row.status = (char *)status;
	row.previous_request_id = previous;
	row.data = (char *)key;
	if (store_toff_request_put(st, &row, clock_now(), &err) != BS_OK)
		log_warn("cannot record request %lld: %s", rid, bs_error_text(&err));
}

/* Whether a failed call may still have acted in Assembled: the request
 * went out and no clear refusal came back (a cut or unreadable answer, a
 * 5xx, a timeout, a dropped connection, a cancel mid-transfer). */
static int
may_have_acted(bs_rc rc)
{
	return rc == BS_ERR_NETWORK || rc == BS_ERR_TIMEOUT || rc == BS_ERR_REMOTE ||
	    rc == BS_ERR_PARSE || rc == BS_ERR_TOO_LARGE || rc == BS_ERR_CANCELLED;
}

/* Delete one event and see that it is gone.  The answer to the delete
 * proves nothing either way: bulk delete is a beta that Assembled support
 * switches on per account, its error bodies are undocumented, and a 404
 * may be the route rather than the event.  So the agent's days are listed
 * after it: BS_OK only when the event is not there (*already = 1 when
 * the delete was refused, i.e. it was gone before).  With no agent known,
 * Assembled's acceptance is all there is.  A refusal with the event still
 * listed is an error (the action failed; the mapping stays and the next
 * run deletes again). */
static bs_rc
delete_confirmed(struct run *ru, const char *id, const char *agent, int64_t start, int64_t end,
    int *already, struct bs_error *err)
{
	struct bs_error derr = { 0 };
	long status = 0;
	int present = 1;
	bs_rc drc, lrc;

	*already = 0;
	drc = asm_delete_activity(ru->ac, id, ru->schedule_id, &status, &derr);
	if (drc == BS_ERR_AUTH || drc == BS_ERR_FORBIDDEN || str_empty(agent)) {
		if (drc != BS_OK && err != NULL)
			*err = derr;
		return drc;
	}
	lrc = asm_activity_present(ru->ac, agent, id, start, end, ru->schedule_id, &present, err);
	if (lrc != BS_OK) {
		if (drc != BS_OK) {
			if (err != NULL)
				*err = derr;
			return drc;
		}
		bs_error_prefix(err, "Assembled accepted the delete of event %s, but whether it is "
		    "gone could not be checked; it stays linked", id);
		return lrc;
	}
	if (!present) {
		*already = drc != BS_OK;
		if (drc != BS_OK)
			log_info("event %s: %s; it is not in Assembled any more", id,
			    bs_error_text(&derr));
		return BS_OK;
	}
	if (drc != BS_OK)
		return bs_fail(err, drc, "%s; the event is still in Assembled, so it stays linked and "
		    "is deleted again next run ('bobsync check' tells whether deletes are enabled "
		    "for this account)", bs_error_text(&derr));
	return bs_fail(err, BS_ERR_HTTP, "Assembled accepted the delete of event %s (HTTP %ld) but "
	    "still lists it; it stays linked and is deleted again next run", id, status);
}

/* The policy a request was recorded with (for an event's description). */
static char *
recorded_policy(struct store *st, long long rid)
{
	struct toff_request_row rec;
	json_t *j;
	char *pol = NULL;

	if (store_toff_request_get(st, rid, &rec, NULL) != BS_OK)
		return NULL;
	j = rec.data ? json_loads(rec.data, 0, NULL) : NULL;
	if (!str_empty(json_str(j, "p")))
		pol = xstrdup(json_str(j, "p"));
	json_decref(j);
	toff_request_row_clear(&rec);
	return pol;
}

/* After the creates of an action with assembled.allow_conflicts=false:
 * make again the events of other requests they overlapped, which
 * Assembled deletes on such a create (plan_overlaps).  Each is created
 * first, with allow_conflicts=true so it deletes nothing, then the old one
 * is deleted (already gone when Assembled deleted it; there when it did
 * not), so under either reading the request keeps exactly one event. */
static bs_rc
restore_overlapped(struct run *ru, const struct act *a, struct bs_error *err)
{
	struct store *st = ru->s->store;
	bs_rc rc = BS_OK;

	for (size_t i = 0; i < a->nrestore && rc == BS_OK; i++) {
		struct toff_event_rows rows = { 0 };
		char *pol;
		if (store_toff_events_of(st, a->restore[i], &rows, err) != BS_OK) {
			toff_event_rows_free(&rows);
			return BS_ERR_STORE;
		}
		pol = recorded_policy(st, a->restore[i]);
		for (size_t r = 0; r < rows.n && rc == BS_OK; r++) {
			struct toff_event_row row = rows.v[r];
			struct asm_activity_spec sp;
			struct asm_activity made;
			struct bob_timeoff fake;
			char *desc, *old;
			int hit = 0, gone = 0;

			for (size_t e = 0; e < a->ncreate; e++)
				hit |= str_eq(row.agent_id, a->agent_id) && toff_events_overlap(
				    a->create[e].start, a->create[e].end, row.start, row.end);
			if (!hit)
				continue;
			memset(&fake, 0, sizeof fake);
			fake.request_id = row.request_id;
			fake.policy_type = pol;
			desc = toff_description(&fake, row.chunk);
			memset(&sp, 0, sizeof sp);
			sp.agent_id = row.agent_id;
			sp.type_id = row.type_id;
			sp.start = row.start;
			sp.end = row.end;
			sp.description = desc;
			sp.allow_conflicts = 1;
			sp.schedule_id = ru->schedule_id;
			rc = asm_create_activity(ru->ac, &sp, &made, err);
			free(desc);
			if (rc != BS_OK)
				break;
			old = row.activity_id;
			row.activity_id = made.id;
			rc = store_toff_event_put(st, &row, clock_now(), err);
			row.activity_id = old;
			audit(ru, "info", NULL, "event of request %lld made again as %s: the new event of "
			    "request %lld overlapped it (assembled.allow_conflicts=false)", row.request_id,
			    made.id, a->request_id);
			asm_activity_clear(&made);
			/* the old id is gone only when a listing says so */
			if (rc == BS_OK)
				rc = delete_confirmed(ru, old, row.agent_id, row.start, row.end, &gone,
				    err);
		}
		free(pol);
		toff_event_rows_free(&rows);
	}
	return rc;
}

/* Send one action.  Mapping rows follow each confirmed call. */
static bs_rc
apply_one(struct run *ru, const struct plan_action *pa, int seq, struct bs_error *err)
{
	const struct act *a = pa->data;
	struct store *st = ru->s->store;
	struct store_action sa;
	int64_t jid = 0;
	size_t done = 0;
	int unsure = 0;
	char *first_id = NULL;
	bs_rc rc;

	memset(&sa, 0, sizeof sa);
	sa.run_id = ru->run_id;
	sa.seq = seq;
	sa.target = (char *)TARGET;
	sa.op = (char *)plan_op_name(pa->op);
	sa.subject = pa->subject;
	sa.email = pa->email;
	sa.reason = pa->reason;
	sa.before = pa->before;
	sa.after = pa->after;
	sa.state = (char *)"pending";
	rc = store_action_add(st, &sa, clock_now(), &jid, err);
	if (rc != BS_OK)
		return rc;

	for (size_t i = 0; i < a->ncreate; i++) {
		struct asm_activity made;
		struct asm_activity_spec sp;
		struct bob_timeoff fake;
		struct toff_event_row row;
		char *desc;

		memset(&fake, 0, sizeof fake);
		fake.request_id = a->request_id;
		fake.policy_type = a->policy;
		desc = toff_description(&fake, a->create[i].chunk);
		memset(&sp, 0, sizeof sp);
		sp.agent_id = a->agent_id;
		sp.type_id = a->type_id;
		sp.start = a->create[i].start;
		sp.end = a->create[i].end;
		sp.description = desc;
		sp.allow_conflicts = ru->allow_conflicts;
		sp.schedule_id = ru->schedule_id;
		rc = asm_create_activity(ru->ac, &sp, &made, err);
		free(desc);
		if (rc != BS_OK) {
			unsure = may_have_acted(rc);
			goto fail;
		}
		memset(&row, 0, sizeof row);
		row.request_id = a->request_id;
		row.chunk = a->create[i].chunk;
		row.employee_id = a->employee_id;
		row.agent_id = a->agent_id;
		row.activity_id = made.id;
		row.type_id = a->type_id;
		row.start = a->create[i].start;
		row.end = a->create[i].end;
		rc = store_toff_event_put(st, &row, clock_now(), err);
		if (first_id == NULL)
			first_id = xstrdup(made.id);
		asm_activity_clear(&made);
		done++;
		if (rc != BS_OK)
			goto fail;
	}
	if (a->nrestore > 0 && (rc = restore_overlapped(ru, a, err)) != BS_OK) {
		unsure = may_have_acted(rc);
		goto fail;
	}
	for (size_t i = 0; i < a->ndel; i++) {
		int already = 0;
		rc = delete_confirmed(ru, a->del[i], a->dspan[i].agent_id, a->dspan[i].start,
		    a->dspan[i].end, &already, err);
		if (rc != BS_OK) {
			unsure = may_have_acted(rc);
			goto fail;
		}
		done++;
		if (already)
			audit(ru, "info", pa->subject, "event %s was already gone from Assembled", a->del[i]);
		rc = store_toff_event_del_activity(st, a->del[i], err);
		if (rc != BS_OK)
			goto fail;
	}
	if (a->replaces > 0)
		store_toff_events_del_request(st, a->replaces, NULL);
	if (a->record_key != NULL)
		record_request(st, a->request_id, a->employee_id, a->status, a->replaces, a->record_key);
	store_action_mark(st, jid, "done", first_id, NULL, clock_now(), NULL);
	free(first_id);
	return BS_OK;
fail:
	/* partly done, or a call whose outcome is unknown: "sent" leaves it to
	 * the next run's recovery, which finds an event made by its marker
	 * (a plain "failed" would be planned again and make a second one) */
	store_action_mark(st, jid, done > 0 || unsure ? "sent" : "failed", first_id, bs_error_text(err),
	    clock_now(), NULL);
	free(first_id);
	return rc;
}

/* An event an interrupted action meant to delete: where it lived comes
 * from the action's "before" rows, else the action's agent over the whole
 * window; then deleted and checked gone like any other. */
static bs_rc
delete_journaled(struct run *ru, const struct store_action *sa, const char *id,
    const char *agent, struct bs_error *err)
{
	json_t *before = sa->before ? json_loads(sa->before, 0, NULL) : NULL, *x;
	int64_t start = 0, end = 0;
	char *who = NULL;
	size_t k;
	int already = 0;
	bs_rc rc;

	json_array_foreach(before, k, x) {
		long long s0, e0;
		if (!str_eq(json_str(x, "activity_id"), id) || json_int(x, "start", &s0) != 0 ||
		    json_int(x, "end", &e0) != 0)
			continue;
		start = s0;
		end = e0;
		if (json_str(x, "agent_id") != NULL)
			who = xstrdup(json_str(x, "agent_id"));
		break;
	}
	json_decref(before);
	if (end <= start && toff_window(ru->s->conf, clock_now(), &start, &end) != 0)
		start = end = 0;
	if (who == NULL && agent != NULL)
		who = xstrdup(agent);
	rc = delete_confirmed(ru, id, who, start, end, &already, err);
	free(who);
	return rc;
}

/* Actions a killed (or half-failed) run left open: adopt the activities
 * it created (found by marker, agent and times), delete the old ones it
 * meant to delete that no mapping row holds any more. */
static bs_rc
resolve_unfinished(struct run *ru, struct bs_error *out)
{
	struct store *st = ru->s->store;
	struct store_action *v = NULL;
	struct bs_error err = { 0 };
	size_t n = 0;
	bs_rc rc = BS_OK;

	if (store_actions_unfinished(st, TARGET, &v, &n, &err) != BS_OK) {
		log_warn("cannot read unfinished time-off actions: %s", bs_error_text(&err));
		return BS_OK;
	}
	for (size_t i = 0; i < n && rc == BS_OK; i++) {
		struct store_action *sa = &v[i];
		json_t *j = sa->after ? json_loads(sa->after, 0, NULL) : NULL;
		json_t *evs = json_object_get(j, "events"), *del = json_object_get(j, "delete"), *x;
		const char *agent = json_str(j, "agent_id"), *type = json_str(j, "type_id");
		const char *emp = json_str(j, "employee_id");
		long long rid = 0;
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		size_t k;
		int ok = 1, adopted = 0, deleted = 0;
		struct toff_event_rows rows = { 0 };

		if (j == NULL || json_int(j, "request_id", &rid) != 0) {
			store_action_mark(st, sa->id, "failed", NULL, "interrupted; no details kept",
			    clock_now(), NULL);
			json_decref(j);
			continue;
		}
		json_array_foreach(evs, k, x) {
			long long s0, e0;
			if (json_int(x, "start", &s0) == 0 && s0 < lo)
				lo = s0;
			if (json_int(x, "end", &e0) == 0 && e0 > hi)
				hi = e0;
		}
		if (json_array_size(evs) > 0 && !str_empty(agent) && hi > lo) {
			struct asm_activities acts = { 0 };
			if ((rc = asm_list_activities(ru->ac, agent, lo, hi, ru->schedule_id, &acts,
			    &err)) != BS_OK) {
				/* what was made stays unknown: the action stays "sent" and
				 * nothing is planned, or the request would get a second event */
				if (out != NULL)
					*out = err;
				bs_error_prefix(out, "cannot check what an interrupted run made for "
				    "request #%lld; nothing is changed until Assembled lists it", rid);
				asm_activities_free(&acts);
				json_decref(j);
				break;
			} else {
				store_toff_events_of(st, rid, &rows, NULL);
				json_array_foreach(evs, k, x) {
					long long s0 = 0, e0 = 0, ch = 0;
					int have = 0;
					json_int(x, "start", &s0);
					json_int(x, "end", &e0);
					json_int(x, "chunk", &ch);
					for (size_t r = 0; r < rows.n; r++)
						if (rows.v[r].chunk == ch && rows.v[r].start == s0 &&
						    rows.v[r].end == e0)
							have = 1;
					for (size_t a = 0; !have && a < acts.n; a++) {
						long long mid;
						struct toff_event_row row;
						if (!asm_marker_parse(acts.v[a].description, &mid) || mid != rid ||
						    acts.v[a].start != s0 || acts.v[a].end != e0)
							continue;
						memset(&row, 0, sizeof row);
						row.request_id = rid;
						row.chunk = (int)ch;
						row.employee_id = (char *)emp;
						row.agent_id = (char *)agent;
						row.activity_id = acts.v[a].id;
						row.type_id = type ? (char *)type : acts.v[a].type_id;
						row.start = s0;
						row.end = e0;
						if (store_toff_event_put(st, &row, clock_now(), NULL) == BS_OK) {
							have = 1;
							adopted++;
						}
					}
				}
				toff_event_rows_free(&rows);
			}
			asm_activities_free(&acts);
		}
		/* old events: delete those no mapping row holds */
		if (ok && json_array_size(del) > 0) {
			struct toff_event_rows all = { 0 };
			if (store_toff_events_list(st, &all, NULL) != BS_OK) {
				ok = 0;
			} else {
				json_array_foreach(del, k, x) {
					const char *id = json_string_value(x);
					int held = 0;
					if (id == NULL)
						continue;
					for (size_t r = 0; r < all.n; r++)
						if (str_eq(all.v[r].activity_id, id))
							held = 1;
					if (held)
						continue;	/* still mapped: the plan decides */
					if (delete_journaled(ru, sa, id, agent, &err) != BS_OK)
						ok = 0;
					else
						deleted++;
				}
			}
			toff_event_rows_free(&all);
		}
		{
			char *note = xasprintf("interrupted; run %lld found %d created event%s and removed "
			    "%d old one%s; the rest is planned again", (long long)ru->run_id, adopted,
			    adopted == 1 ? "" : "s", deleted, deleted == 1 ? "" : "s");
			store_action_mark(st, sa->id, ok ? "done" : "failed", NULL,
			    ok ? note : bs_error_text(&err), clock_now(), NULL);
			store_audit(st, ru->run_id, "warning", sa->subject, note, clock_now());
			free(note);
		}
		json_decref(j);
	}
	store_actions_free(v, n);
	return rc;
}

bs_rc
toff_sync(struct bs_session *s, const struct sync_opts *o, struct sync_result *r,
    struct bs_error *err)
{
	static const struct sync_opts none;
	struct ctx c;
	struct plan plan;
	struct run ru;
	const char *kind;
	int reconcile;
	long long *failed_ids = NULL;
	size_t nfailed = 0;
	bs_rc rc;

	memset(r, 0, sizeof *r);
	memset(&c, 0, sizeof c);
	memset(&ru, 0, sizeof ru);
	plan_init(&plan, TARGET);
	snprintf(r->target, sizeof r->target, "timeoff");
	if (o == NULL)
		o = &none;
	r->dry_run = o->dry_run;
	reconcile = str_eq(o->kind, "reconcile");
	r->reconcile = reconcile;
	kind = reconcile ? "reconcile" : "sync";
	if (s == NULL || s->store == NULL || s->conf == NULL)
		return bs_fail(err, BS_ERR_INVALID, "the time-off sync needs settings and the state store");
	rc = session_assembled(s, &ru.ac, err);
	if (rc != BS_OK)
		return rc;
	http_reset_stats(s->http);
	ru.s = s;
	ru.r = r;
	ru.o = o;
	ru.allow_conflicts = conf_get_bool(s->conf, "assembled.allow_conflicts");
	ru.schedule_id = conf_get(s->conf, "assembled.schedule_id");
	if (str_empty(ru.schedule_id))
		ru.schedule_id = NULL;

	c.s = s;
	c.o = o;
	if (!o->dry_run)
		rc = resolve_unfinished(&ru, err);
	if (rc == BS_OK)
		rc = make_plan(&c, reconcile, o->approve, o->progress, &plan, err);
	if (rc != BS_OK) {
		if (!o->dry_run && store_run_start(s->store, "timeoff", kind, NULL, clock_now(),
		    &r->run_id, NULL) == BS_OK)
			store_audit(s->store, r->run_id, "error", NULL, bs_error_text(err), clock_now());
		goto out;
	}
	snprintf(r->plan_id, sizeof r->plan_id, "%s", plan.id);
	r->guard = plan.guard;
	r->planned = (long)plan.n;

	if (o->approve != NULL && !plan_id_matches(&plan, o->approve)) {
		if (store_approval_used(s->store, o->approve) == 1)
			rc = bs_fail(err, BS_ERR_STALE_PLAN, "plan %s was already approved and applied "
			    "once; an approval is good for one run. The plan is now %s: review it with "
			    "'bobsync plan timeoff%s'", o->approve, plan.id, reconcile ? " --reconcile" : "");
		else
			rc = bs_fail(err, BS_ERR_STALE_PLAN, "HiBob changed since plan %s was made; the "
			    "plan is now %s: review it with 'bobsync plan timeoff%s'", o->approve, plan.id,
			    reconcile ? " --reconcile" : "");
		snprintf(r->result, sizeof r->result, "failed");
		goto out;
	}
	if (plan.guard.tripped && plan.guard.approved && store_approval_used(s->store, plan.id) != 0) {
		rc = bs_fail(err, BS_ERR_GUARD, "the approval of plan %s was already used by an earlier "
		    "run; an approval is good for one run", plan.id);
		r->guard.approved = 0;
		snprintf(r->result, sizeof r->result, "blocked");
		goto out;
	}
	if (plan.guard.tripped && !plan.guard.approved) {
		rc = bs_fail(err, BS_ERR_GUARD, "%s. Nothing was sent. Review the plan with 'bobsync plan "
		    "timeoff%s', then approve exactly this plan: bobsync %s timeoff --approve %s",
		    plan.guard.reason, reconcile ? " --reconcile" : "", kind, plan.id);
		snprintf(r->result, sizeof r->result, "blocked");
		snprintf(r->message, sizeof r->message, "%.180s; approve plan %s to apply it",
		    plan.guard.reason, plan.id);
		if (!o->dry_run && store_run_start(s->store, "timeoff", kind, plan.id, clock_now(),
		    &r->run_id, NULL) == BS_OK)
			store_audit(s->store, r->run_id, "warning", NULL, r->message, clock_now());
		goto out;
	}
	if (o->dry_run) {
		snprintf(r->result, sizeof r->result, "ok");
		snprintf(r->message, sizeof r->message, "dry run: %zu action%s planned, nothing sent",
		    plan.n, plan.n == 1 ? "" : "s");
		r->skipped = (long)plan.n;
		goto out;
	}
	rc = store_run_start(s->store, "timeoff", c.reconcile && !reconcile ? "reconcile" : kind,
	    plan.id, clock_now(), &r->run_id, err);
	if (rc != BS_OK)
		goto out;
	ru.run_id = r->run_id;
	if (c.first_run)
		audit(&ru, "info", NULL, "first time-off run: the whole window was reconciled");
	if (plan.guard.tripped && plan.guard.approved) {
		struct bs_error aerr = { 0 };
		if (store_approval_record(s->store, plan.id, "timeoff", clock_now(), &aerr) != BS_OK ||
		    store_approval_mark_used(s->store, plan.id, clock_now(), &aerr) != BS_OK) {
			rc = bs_fail(err, BS_ERR_GUARD, "cannot record the approval of plan %s: %s",
			    plan.id, bs_error_text(&aerr));
			goto out;
		}
		audit(&ru, "warning", NULL, "approved: %s", plan.guard.reason);
	}
	/* store-only repairs first: links found by marker, rows of vanished events */
	for (size_t i = 0; i < c.pl.nadopt; i++) {
		if (store_toff_event_put(s->store, &c.pl.adopt[i], clock_now(), NULL) == BS_OK)
			audit(&ru, "info", NULL, "event %s of request %lld found in Assembled and linked",
			    c.pl.adopt[i].activity_id, c.pl.adopt[i].request_id);
	}
	for (size_t i = 0; i < c.pl.nforget; i++)
		store_toff_event_del_activity(s->store, c.pl.forget[i], NULL);

	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_action *pa = &plan.v[i];
		struct bs_error aerr = { 0 };
		bs_rc arc;

		if (report(&ru, i, plan.n, pa->subject) != 0) {
			rc = bs_fail(err, BS_ERR_CANCELLED, "stopped after %zu of %zu actions", i, plan.n);
			goto out;
		}
		arc = apply_one(&ru, pa, (int)i, &aerr);
		if (arc == BS_OK) {
			r->applied++;
			audit(&ru, "info", pa->subject, "%s: %s", plan_op_name(pa->op), pa->reason);
		} else {
			r->failed++;
			failed_ids = xreallocarray(failed_ids, nfailed + 2, sizeof *failed_ids);
			failed_ids[nfailed++] = pa->request_id;
			if (pa->data != NULL && ((const struct act *)pa->data)->replaces > 0)
				failed_ids[nfailed++] = ((const struct act *)pa->data)->replaces;
			audit(&ru, "error", pa->subject, "%s failed: %s", plan_op_name(pa->op),
			    bs_error_text(&aerr));
			if (arc == BS_ERR_AUTH || arc == BS_ERR_FORBIDDEN) {
				*err = aerr;
				rc = arc;
				goto out;
			}
		}
	}
	report(&ru, plan.n, plan.n, NULL);
	/* the requests seen, so the next run skips them; not those that failed */
	for (size_t i = 0; i < c.pl.nrec; i++) {
		int bad = 0;
		for (size_t k = 0; k < nfailed && !bad; k++)
			bad = failed_ids[k] == c.pl.rec[i].request_id;
		if (!bad)
			record_request(s->store, c.pl.rec[i].request_id, c.pl.rec[i].employee_id,
			    c.pl.rec[i].status, c.pl.rec[i].previous, c.pl.rec[i].key);
	}
	if (r->failed > 0) {
		rc = bs_fail(err, BS_ERR_PARTIAL, "%ld of %zu action%s failed; they are tried again "
		    "next run ('bobsync log --run %lld' shows why)", r->failed, plan.n,
		    plan.n == 1 ? "" : "s", (long long)r->run_id);
	} else {
		struct bs_error cerr = { 0 };
		if (store_toff_cursor_set(s->store, c.new_cursor, clock_now(), &cerr) != BS_OK)
			log_warn("cannot store the time-off cursor: %s", bs_error_text(&cerr));
	}
	snprintf(r->message, sizeof r->message, "%s%ld applied, %ld failed of %zu planned; %zu held",
	    c.first_run ? "first run, whole window reconciled: " : "", r->applied, r->failed,
	    plan.n, plan.nheld);
out:
	session_finish_run(s, r, rc, err);
	free(failed_ids);
	plan_free(&plan);
	ctx_free(&c);
	return rc;
}
