/* timeoff_preview.c - every request of a window with whether it will sync
 * and why not, decided by the engine's own evaluation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vendor/assembled.h"
#include "config/conf.h"
#include "vendor/hibob.h"
#include "net/http.h"
#include "base/log.h"
#include "engine/session.h"
#include "engine/timeoff_preview.h"
#include "engine/timeoff_sync.h"
#include "engine/timeoff_int.h"
#include "base/tz.h"
#include "base/util.h"
#include "config/vault.h"

#define DAY 86400
#define PREVIEW_FEED_MAX_DAYS 365	/* how far back the changes feed is read */

static const char *
status_text(const struct bob_timeoff *r)
{
	if (r->unread)
		return "not read";	/* skipped whatever it is (toff_skipped_unread) */
	if (str_eq_ci(r->change_type, "Deleted"))
		return "deleted";
	if ((str_eq_ci(r->change_type, "Canceled") || str_eq_ci(r->change_type, "Cancelled")) &&
	    r->status != TOFF_DISAPPROVED)
		return "canceled";
	return toff_status_name(r->status);
}

/* The request's first and last day (YYYY-MM-DD); 0, or -1 when unknown. */
static int
request_days(const struct bob_timeoff *r, int64_t *first, int64_t *last)
{
	const char *a = r->start_date[0] ? r->start_date : r->date;
	const char *b = r->end_date[0] ? r->end_date : a;

	if (date_parse(a, first) != 0)
		return -1;
	if (date_parse(b, last) != 0 || *last < *first)
		*last = *first;
	return 0;
}

/* Whether s is one of the item's strings kept in its block. */
static int
in_block(const struct toff_preview_item *it, const char *s)
{
	return it->block != NULL && s >= it->block && s < it->block + it->blen;
}

static void
item_str_free(struct toff_preview_item *it, char *s)
{
	if (!in_block(it, s))
		free(s);
}

/* The item's strings (NULL stays NULL) copied into one allocation: a
 * preview at 100,000 people holds about 115,000 items. */
enum { S_EMPLOYEE, S_EMAIL, S_NAME, S_POLICY, S_TYPE, S_STATUS, S_REASON, S_ZONE, S_AGENT,
	S_COUNT };

static void
item_pack(struct toff_preview *p, struct toff_preview_item *it, const char *const src[S_COUNT])
{
	char **const dst[S_COUNT] = { &it->employee_id, &it->email, &it->name, &it->policy,
	    &it->type, &it->status, &it->reason, &it->zone, &it->agent_id };

	/* in the preview's arena: block marks the item's strings, not an
	 * allocation of its own */
	it->block = str_pack_in(&p->text, 0, dst, src, S_COUNT, &it->blen);
}

/* Room for n items in all, made once: growing by doubling would copy
 * them (115,000 items, 28 MB, at 100,000 people) and touch each page
 * twice. */
static void
reserve_items(struct toff_preview *p, size_t n)
{
	if (n <= p->cap)
		return;
	p->v = xreallocarray_big(p->v, p->n, n, sizeof *p->v);
	p->cap = n;
}

static void
add_item(struct toff_preview *p, const struct bob_timeoff *r, const struct toff_target *t)
{
	struct toff_preview_item *it;
	const char *src[S_COUNT];
	int64_t d0, d1;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->v = xreallocarray_big(p->v, p->n, p->cap, sizeof *p->v);
	}
	it = &p->v[p->n++];
	memset(it, 0, sizeof *it);
	it->request_id = r->request_id;
	src[S_EMPLOYEE] = r->employee_id;
	src[S_EMAIL] = t->email ? t->email : r->employee_email;
	src[S_NAME] = r->employee_name;
	src[S_POLICY] = r->policy_type;
	src[S_TYPE] = r->type_raw ? r->type_raw : toff_type_name(r->type);
	src[S_STATUS] = status_text(r);
	src[S_REASON] = toff_target_reason(t);
	src[S_ZONE] = t->zone ? tz_name(t->zone) : "UTC";
	src[S_AGENT] = t->person ? t->person->agent_id : NULL;
	item_pack(p, it, src);
	it->sync = t->why == TOFF_WHY_SYNC;
	it->why = t->why;
	if (t->d.nevents > 0) {
		int64_t s = t->d.events[0].start, e = t->d.events[0].end;
		for (size_t i = 1; i < t->d.nevents; i++) {
			if (t->d.events[i].start < s)
				s = t->d.events[i].start;
			if (t->d.events[i].end > e)
				e = t->d.events[i].end;
		}
		tz_format_iso(t->zone, s, it->start);
		tz_format_iso(t->zone, e, it->end);
		it->t_start = s;
		it->t_end = e;
		it->nevents = t->d.nevents;
	}
	if (request_days(r, &d0, &d1) == 0) {
		date_format(d0, it->first_date);
		if (r->end_date[0] || r->date[0])	/* an open-ended request has no last day */
			date_format(d1, it->last_date);
	}
	p->total++;
	if (it->sync)
		p->sync++;
	else
		p->skip++;
	if ((unsigned)t->why <= TOFF_WHY_OTHER)
		p->per_why[t->why]++;
}

/* The items by first day ("" first), then request id: two stable radix
 * sorts of their places, by id and then by day, and the items moved in
 * place to the order found (no second copy of 115,000 items). */
static void
sort_items(struct toff_preview *p)
{
	struct key_at *ix;
	size_t n = p->n;

	if (n < 2)
		return;
	ix = xreallocarray_big(NULL, 0, n, sizeof *ix);
	for (size_t i = 0; i < n; i++) {
		ix[i].k = toff_id_key(p->v[i].request_id);
		ix[i].at = i;
	}
	sort_keys_at(ix, n);
	for (size_t i = 0; i < n; i++) {
		const char *fd = p->v[ix[i].at].first_date;
		int64_t d;
		/* a day always comes as YYYY-MM-DD (date_format), whose text
		 * order is its number's */
		ix[i].k = fd[0] != '\0' && date_parse(fd, &d) == 0 ?
		    (uint64_t)(d + ((int64_t)1 << 40)) : 0;
	}
	sort_keys_at(ix, n);
	permute_at(p->v, sizeof *p->v, ix, n);
	xfree_big(ix);
}

static int
by_agent_start(const void *a, const void *b)
{
	const struct toff_preview_item *x = *(const struct toff_preview_item *const *)a;
	const struct toff_preview_item *y = *(const struct toff_preview_item *const *)b;
	int c = strcmp(x->agent_id, y->agent_id);

	if (c != 0)
		return c;
	return x->t_start < y->t_start ? -1 : x->t_start > y->t_start;
}

static void
note_overlap(struct toff_preview_item *it, long long other)
{
	char *r = xasprintf("%s; overlaps request #%lld of the same agent: both stay in Assembled, "
	    "each as its own event (with assembled.allow_conflicts=false Assembled deletes what a "
	    "new event overlaps, so bobsync makes the overlapped one again right after)",
	    it->reason ? it->reason : "", other);
	item_str_free(it, it->reason);
	it->reason = r;
}

/* Requests to sync whose events overlap another's of the same agent
 * (timeoff_rules.h toff_events_overlap): each reason says what happens. */
static void
note_overlaps(struct toff_preview *p)
{
	struct toff_preview_item **ix = xcalloc(p->n + 1, sizeof *ix);
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].sync && p->v[i].agent_id != NULL && p->v[i].t_end > p->v[i].t_start)
			ix[n++] = &p->v[i];
	if (n > 1)
		qsort(ix, n, sizeof *ix, by_agent_start);
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n && str_eq(ix[k]->agent_id, ix[i]->agent_id) &&
		    ix[k]->t_start < ix[i]->t_end; k++) {
			if (ix[k]->request_id == ix[i]->request_id)
				continue;
			note_overlap(ix[i], ix[k]->request_id);
			note_overlap(ix[k], ix[i]->request_id);
		}
	free(ix);
}

struct id_set {
	const long long *ids;	/* sorted */
	size_t n;
};

/* Keeps the feed items of requests who's out does not list: the others
 * are shown from who's out, and toff_feed_states passes them over. */
static int
not_listed(void *ctx, long long request_id)
{
	const struct id_set *l = ctx;

	return !toff_ids_has(l->ids, l->n, request_id);
}

bs_rc
toff_preview_run(struct bs_session *s, const char *from, const char *to,
    const struct bs_progress *progress, struct toff_preview *out, struct bs_error *err)
{
	struct bob_client *bc;
	struct bob_timeoffs outs = { 0 }, ch = { 0 }, more = { 0 };
	struct toff_env *env = NULL;
	struct bs_error aerr = { 0 };
	int64_t now = clock_now(), ws, we, d0, d1, since;
	long lookback;
	unsigned char *latest = NULL;
	long long *ids = NULL;
	size_t nids = 0;
	struct id_set listed = { NULL, 0 };
	struct toff_refusals ref = { 0 };
	bs_rc rc;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no place for the preview");
	memset(out, 0, sizeof *out);
	if (s == NULL || s->conf == NULL)
		return bs_fail(err, BS_ERR_INVALID, "the preview needs the settings");
	if (toff_window(s->conf, now, &ws, &we) != 0)
		return bs_fail(err, BS_ERR_CONFIG, "timeoff.sync_until '%s' cannot be read",
		    conf_get(s->conf, "timeoff.sync_until"));
	if (from != NULL) {
		if (date_parse(from, &d0) != 0)
			return bs_fail(err, BS_ERR_INVALID, "--from '%s' is not a date (YYYY-MM-DD)", from);
		ws = d0 * DAY;
	}
	if (to != NULL) {
		if (date_parse(to, &d1) != 0)
			return bs_fail(err, BS_ERR_INVALID, "--to '%s' is not a date (YYYY-MM-DD)", to);
		we = (d1 + 1) * DAY;
	}
	if (we <= ws)
		return bs_fail(err, BS_ERR_INVALID, "the window ends before it starts");
	date_format(ws / DAY, out->from);
	date_format(we / DAY - 1, out->to);

	rc = session_bob(s, &bc, err);
	if (rc != BS_OK)
		return rc;
	if (progress) {
		struct bs_progress_event ev = { "Reading time off from HiBob", 0, 0, NULL, 0, 0, 0 };
		bs_progress_report(progress, &ev);
	}
	/* the requests still waiting for approval are shown too */
	rc = bob_whos_out_pending(bc, out->from, out->to, &outs, err);
	if (rc != BS_OK)
		goto out;
	ids = toff_sorted_ids(&outs, &nids);
	listed.ids = ids;
	listed.n = nids;
	/* requests that left the approved set recently: the changes feed */
	lookback = conf_get_int(s->conf, "timeoff.lookback_days");
	since = ws < now - lookback * DAY ? ws : now - lookback * DAY;
	if (since < now - PREVIEW_FEED_MAX_DAYS * DAY)
		since = now - PREVIEW_FEED_MAX_DAYS * DAY;
	if (since < now) {
		rc = bob_timeoff_changes_kept(bc, since, now, not_listed, &listed, &ch, err);
		if (rc != BS_OK)
			goto out;
	}

	env = toff_env_new(s, progress);
	rc = toff_env_assembled(env, &aerr);
	if (rc == BS_OK) {
		out->assembled = 1;
	} else if (rc == BS_ERR_NOT_CONFIGURED) {
		snprintf(out->assembled_problem, sizeof out->assembled_problem, "%s",
		    bs_error_text(&aerr));
	} else {
		*err = aerr;
		goto out;
	}
	rc = BS_OK;
	latest = toff_latest_flags(&outs);
	/* an item for each request listed, and at most one for each change */
	reserve_items(out, outs.n + ch.n);
	for (size_t i = 0; i < outs.n && rc == BS_OK; i++) {
		struct toff_target t;
		if (!latest[i])
			continue;	/* listed twice */
		/* what the sync would read of it, the preview reads too; one
		 * HiBob refuses to show is left out, as toff_feed_states does */
		rc = toff_complete(bc, env, &outs.v[i], err);
		if (toff_refusals_take(&ref, rc, err)) {
			log_warn("time-off request %lld left out: %s", outs.v[i].request_id,
			    bs_error_text(err));
			bs_error_clear(err);
			rc = BS_OK;
			continue;
		}
		if (rc != BS_OK)
			break;
		rc = toff_target_eval(env, &outs.v[i], ws, we, &t, err);
		if (rc == BS_OK)
			add_item(out, &outs.v[i], &t);
		toff_target_clear(&t);
	}
	rc = toff_refusals_end(&ref, rc, err);
	bob_timeoffs_clear(&outs);	/* its items are copied: make room */
	/* the current state of each request the feed names (it carries no
	 * status), when who's out does not list it and its days touch the
	 * window */
	if (rc == BS_OK)
		rc = toff_feed_states(bc, &ch, ids, nids, ws, we, env, &more, err);
	bob_timeoffs_clear(&ch);
	for (size_t i = 0; i < more.n && rc == BS_OK; i++) {
		struct bob_timeoff *r = &more.v[i];
		struct toff_target t;
		if (request_days(r, &d0, &d1) != 0 || (d1 + 1) * DAY <= ws || d0 * DAY >= we)
			continue;
		rc = toff_target_eval(env, r, ws, we, &t, err);
		if (rc == BS_OK) {
			toff_leaver_cut(env, r, &t);	/* not listed by who's out: maybe left */
			add_item(out, r, &t);
		}
		toff_target_clear(&t);
	}
	note_overlaps(out);
	sort_items(out);
out:
	free(latest);
	free(ids);
	if (rc != BS_OK)
		toff_preview_clear(out);
	toff_env_free(&env);
	bob_timeoffs_clear(&outs);
	bob_timeoffs_clear(&more);
	bob_timeoffs_clear(&ch);
	return rc;
}

void
toff_preview_clear(struct toff_preview *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct toff_preview_item *it = &p->v[i];
		item_str_free(it, it->employee_id);
		item_str_free(it, it->email);
		item_str_free(it, it->name);
		item_str_free(it, it->policy);
		item_str_free(it, it->type);
		item_str_free(it, it->status);
		item_str_free(it, it->reason);
		item_str_free(it, it->zone);
		item_str_free(it, it->agent_id);
	}
	arena_clear(&p->text);
	free(p->v);
	p->v = NULL;
	p->n = 0;
	p->cap = 0;
}
