/* timeoff_target.c - what each HiBob request should be in Assembled: the
 * window, the policy map, the lazily read people and types, and the
 * evaluation of one request for its agent.
 *
 * The time-off sync as a whole (timeoff_target.c, timeoff_plan.c,
 * timeoff_apply.c; approved HiBob time off -> Assembled events):
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
#include <stdarg.h>
#include <stdint.h>
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
enum toff_status
toff_effective_status(const struct bob_timeoff *r)
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

/* Whether s is UTF-8 (what Jansson takes for a string). */
static int
snap_utf8(const char *s)
{
	return jread_utf8_valid(s, strlen(s));
}

static void
snap_string(struct jwriter *w, const char *key, size_t klen, const char *v)
{
	jw_member_string(w, key, klen, v, strlen(v));
}

static void
snap_int(struct jwriter *w, const char *key, size_t klen, int v)
{
	jw_keyn(w, key, klen);
	jw_int(w, v);
}

/* The snapshot written with jwrite, the bytes json_pack of its members and
 * json_dump_compact (sorted keys) gave (stored records hold it, so it must
 * not change): 230,000 of them at 100,000 people, through a Jansson tree
 * each, were a fifth of a reconciling plan's CPU.  As json_pack did, a
 * string that is not UTF-8 makes the key "" (nothing appended) and a
 * duration whose date is not leaves that duration out. */
void
toff_snapshot_append(struct strbuf *b, const struct bob_timeoff *r)
{
	struct jwriter w;
	const char *e, *p;

	if (r == NULL)
		return;
	e = r->employee_id ? r->employee_id : "";
	p = r->policy_type ? r->policy_type : "";
	if (!snap_utf8(e) || !snap_utf8(p) || !snap_utf8(r->start_date) ||
	    !snap_utf8(r->end_date) || !snap_utf8(r->date))
		return;
	jw_init(&w, NULL, 0);
	w.buf = *b;	/* after what b holds */
	jw_object_begin(&w);
	snap_string(&w, JW_LIT("d"), r->date);
	snap_int(&w, JW_LIT("dm"), r->daily_minutes);
	snap_string(&w, JW_LIT("dp"), portion_name(r->day_portion));
	/* per-day lengths matter only for the per-day types (details list
	 * them for every type, the feed and who's out do not) */
	if (r->ndurations > 0 && (r->type == TOFF_DIFFERENT_DAY_DURATIONS ||
	    r->type == TOFF_SPECIFIC_HOURS_DAY_DURATIONS ||
	    r->type == TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS)) {
		jw_key(&w, "du");
		jw_array_begin(&w);
		for (size_t i = 0; i < r->ndurations; i++) {
			const struct bob_duration *d = &r->durations[i];
			if (!snap_utf8(d->date))
				continue;
			jw_array_begin(&w);
			jw_string(&w, d->date);
			jw_int(&w, d->minutes);
			jw_int(&w, d->start_minute);
			jw_int(&w, d->end_minute);
			jw_array_end(&w);
		}
		jw_array_end(&w);
	}
	snap_string(&w, JW_LIT("e"), e);
	snap_string(&w, JW_LIT("ed"), r->end_date);
	snap_string(&w, JW_LIT("ep"), portion_name(r->end_portion));
	snap_int(&w, JW_LIT("m"), r->minutes_on_date);
	snap_string(&w, JW_LIT("p"), p);
	snap_int(&w, JW_LIT("pc"), r->percentage);
	snap_string(&w, JW_LIT("s"), toff_status_name(toff_effective_status(r)));
	snap_string(&w, JW_LIT("sd"), r->start_date);
	snap_string(&w, JW_LIT("sp"), portion_name(r->start_portion));
	snap_string(&w, JW_LIT("t"), toff_type_name(r->type));
	jw_object_end(&w);
	jw_finish(&w);
	*b = w.buf;
}

char *
toff_snapshot_key(const struct bob_timeoff *r)
{
	struct strbuf b;

	sb_init(&b, 0);
	toff_snapshot_append(&b, r);
	return sb_detach_fit(&b);
}

static int
hours_start_minute(const struct conf *conf)
{
	int m = str_parse_hhmm(conf ? conf_get(conf, "timeoff.hours_start") : NULL);

	return m >= 0 ? m : 540;
}

/* ---- request-id sets ---- */


int
toff_id_at_cmp(const void *a, const void *b)
{
	const struct id_at *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

uint64_t
toff_id_key(long long id)
{
	return (uint64_t)id ^ ((uint64_t)1 << 63);
}

struct key_at *
toff_ids_by_id(const struct bob_timeoffs *v)
{
	size_t n = v ? v->n : 0;
	struct key_at *ix = xcalloc(n + 1, sizeof *ix);

	for (size_t i = 0; i < n; i++) {
		ix[i].k = toff_id_key(v->v[i].request_id);
		ix[i].at = i;
	}
	sort_keys_at(ix, n);
	return ix;
}

unsigned char *
toff_latest_flags(const struct bob_timeoffs *v)
{
	size_t n = v ? v->n : 0;
	struct key_at *ix = toff_ids_by_id(v);
	unsigned char *last = xcalloc(n + 1, 1);

	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || ix[i + 1].k != ix[i].k)
			last[ix[i].at] = 1;
	free(ix);
	return last;
}

int
toff_ll_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

long long *
toff_sorted_ids(const struct bob_timeoffs *v, size_t *n)
{
	size_t k = v ? v->n : 0;
	long long *ids = xcalloc(k + 1, sizeof *ids);
	struct key_at *ix = toff_ids_by_id(v);

	for (size_t i = 0; i < k; i++)
		ids[i] = v->v[ix[i].at].request_id;
	free(ix);
	*n = k;
	return ids;
}

/* A binary search of its own: the changes feed asks once an item (150,000
 * at 100,000 people), and bsearch calls toff_ll_cmp at every step. */
int
toff_ids_has(const long long *ids, size_t n, long long id)
{
	size_t lo = 0, hi = n;

	if (ids == NULL)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id;
}

/* ---- the environment ---- */

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
	asm_people_clear(&e->people);
	asm_activity_types_clear(&e->types);
	bob_people_clear(&e->bobpeople);
	str_index_clear(&e->bob_by_id);
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

void
toff_env_progress(struct toff_env *e, const char *phase, size_t done, size_t total)
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
	toff_env_progress(e, "Reading people from Assembled", 0, 0);
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

/* What the time-off side reads of HiBob people: the work email (the
 * Assembled agent of a request) and whether and when the person left
 * (toff_leaver_cut). */
static const char *const toff_bob_fields[] = {
	"root.email", "internal.status", "internal.lifecycleStatus", "internal.terminationDate",
};

const struct bob_person *
toff_env_bob_person(struct toff_env *e, const char *employee_id)
{
	size_t at;

	if (employee_id == NULL || e->s == NULL)
		return NULL;
	if (!e->bob_tried) {
		struct bob_client *bc;
		struct bob_people_query q;
		struct bs_error err = { 0 };
		e->bob_tried = 1;
		memset(&q, 0, sizeof q);
		q.only_fields = toff_bob_fields;
		q.nonly = ARRAY_LEN(toff_bob_fields);
		if (session_bob(e->s, &bc, &err) != BS_OK ||
		    bob_search_people(bc, &q, &e->bobpeople, NULL, &err) != BS_OK)
			log_warn("cannot read HiBob people for their emails: %s", bs_error_text(&err));
		/* looked up once per request (about 115,000 at 100,000 people);
		 * an id read twice: the first one */
		for (size_t i = 0; i < e->bobpeople.n; i++)
			(void)str_index_put(&e->bob_by_id, e->bobpeople.v[i].id, i);
	}
	at = str_index_get(&e->bob_by_id, employee_id);
	return at != SIZE_MAX ? &e->bobpeople.v[at] : NULL;
}

/* The HiBob work email of an employee, reading people once. */
const char *
toff_env_bob_email(struct toff_env *e, const char *employee_id)
{
	const struct bob_person *p = toff_env_bob_person(e, employee_id);

	return p != NULL ? p->email : NULL;
}

void
toff_target_clear(struct toff_target *t)
{
	if (t == NULL)
		return;
	toff_decision_clear(&t->d);
	free(t->email);
	free(t->note);
	memset(t, 0, sizeof *t);
}

const char *
toff_target_reason(const struct toff_target *t)
{
	return t->note != NULL ? t->note : t->d.reason;
}

void
toff_target_note(struct toff_target *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	free(t->note);
	t->note = s;
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

/* The Assembled person of a request's employee: by HiBob id or the
 * request's email, else (when the request has none) HiBob's work email;
 * *email is the email matched on (borrowed, may be NULL). */
static const struct asm_person *
person_of(struct toff_env *e, const struct bob_timeoff *r, const char **email,
    const char **how)
{
	const struct asm_person *p;

	*email = r->employee_email;
	p = asm_people_match(e->people_p, r->employee_id, *email, how);
	if (p == NULL && *email == NULL) {
		*email = toff_env_bob_email(e, r->employee_id);
		p = asm_people_match(e->people_p, r->employee_id, *email, how);
	}
	return p;
}

int
toff_skipped_unread(struct toff_env *e, const struct bob_timeoff *item)
{
	const char *email;

	if (e == NULL || item == NULL)
		return 0;
	if (!e->split_chunks && toff_several_parts(item))
		return 1;
	/* the people as toff_target_eval matches them, once they are read
	 * (never read here: a preview without Assembled reads every state) */
	if (!e->asm_tried || e->asm_rc != BS_OK || e->people_p == NULL ||
	    str_empty(item->employee_id))
		return 0;
	return person_of(e, item, &email, NULL) == NULL;
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
	FREE(out->note);	/* the decision's reason */
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
	if (r->unread) {
		/* not read for its state (toff_skipped_unread): what skips it
		 * whatever its status is the reason */
		struct bob_timeoff as_if = *r;
		as_if.status = TOFF_APPROVED;
		as_if.unread = 0;
		rc = toff_target_eval(e, &as_if, ws, we, out, err);
		if (rc == BS_OK && out->why == TOFF_WHY_SYNC) {
			/* not reached: a request that may sync is read */
			out->why = TOFF_WHY_OTHER;
			out->d.verdict = TOFF_SKIP;
			toff_target_note(out, "its current state was not read");
		}
		return rc;
	}
	st = toff_effective_status(r);
	if (st != TOFF_APPROVED) {
		decide(e, r, e->default_zone, ws, we, out);
		out->why = why_of_status(st);
		if (st == TOFF_DISAPPROVED)
			toff_target_note(out, "declined in HiBob");
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
			toff_target_note(out, "Assembled not configured (%s); would be: %s",
			    bs_error_text(&e->asm_err), toff_target_reason(out));
			out->why = TOFF_WHY_NOT_CONFIGURED;
			out->d.verdict = TOFF_SKIP;
		}
		return BS_OK;
	}
	if (rc != BS_OK)
		return rc;
	{
		const char *email;
		out->person = person_of(e, r, &email, &out->match);
		out->email = xstrdup(email);
	}
	if (out->person == NULL) {
		out->why = TOFF_WHY_NO_AGENT;
		toff_target_note(out, "no Assembled person linked to HiBob id %s or with the email %s",
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
		toff_target_note(out, "%s", why);
		return BS_OK;
	}
	decide(e, r, out->zone, ws, we, out);
	if (out->why != TOFF_WHY_SYNC)
		out->type = NULL;
	return BS_OK;
}

