/* timeoff_apply.c - the time-off run: resolve what a killed run left,
 * plan, guard, apply each action to Assembled, record (see timeoff_sync.h). */
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
#include "engine/apply.h"
#include "engine/timeoff_sync.h"
#include "engine/timeoff_int.h"
#include "base/tz.h"
#include "base/util.h"


/* ---- applying ---- */

struct run {
	struct bs_session *s;
	struct apply_run ar;		/* the engine's run; ar.ctx is this */
	struct asm_client *ac;
	int allow_conflicts;
	const char *schedule_id;
};

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
			toff_event_rows_clear(&rows);
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
			apply_audit(&ru->ar, "info", NULL, "event of request %lld made again as %s: the new event of "
			    "request %lld overlapped it (assembled.allow_conflicts=false)", row.request_id,
			    made.id, a->request_id);
			asm_activity_clear(&made);
			/* the old id is gone only when a listing says so */
			if (rc == BS_OK)
				rc = delete_confirmed(ru, old, row.agent_id, row.start, row.end, &gone,
				    err);
		}
		free(pol);
		toff_event_rows_clear(&rows);
	}
	return rc;
}

/* The engine's send: one action (journaled by the engine).  Mapping rows
 * follow each confirmed call. */
static bs_rc
send_one(struct apply_run *run, const struct plan_action *pa, int64_t journal_id,
    struct apply_outcome *out, struct bs_error *err)
{
	struct run *ru = run->ctx;
	const struct act *a = pa->data;
	struct store *st = ru->s->store;
	size_t done = 0;
	int unsure = 0;
	char *first_id = NULL;
	bs_rc rc;

	(void)journal_id;

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
			apply_audit(&ru->ar, "info", pa->subject, "event %s was already gone from Assembled", a->del[i]);
		rc = store_toff_event_del_activity(st, a->del[i], err);
		if (rc != BS_OK)
			goto fail;
	}
	if (a->replaces > 0)
		store_toff_events_del_request(st, a->replaces, NULL);
	if (a->record_key != NULL)
		record_request(st, a->request_id, a->employee_id, a->status, a->replaces, a->record_key);
	out->state = APPLY_DONE;
	out->remote_id = first_id;
	return BS_OK;
fail:
	/* partly done, or a call whose outcome is unknown: "sent" leaves it to
	 * the next run's recovery, which finds an event made by its marker
	 * (a plain "failed" would be planned again and make a second one) */
	out->state = done > 0 || unsure ? APPLY_SENT : APPLY_FAILED;
	out->remote_id = first_id;
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
resolve_one(struct apply_run *run, const struct store_action *sa, struct bs_error *out)
{
	struct run *ru = run->ctx;
	struct store *st = ru->s->store;
	struct bs_error err = { 0 };
	bs_rc rc;
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
		return BS_OK;
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
			asm_activities_clear(&acts);
			json_decref(j);
			return rc;
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
			toff_event_rows_clear(&rows);
		}
		asm_activities_clear(&acts);
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
		toff_event_rows_clear(&all);
	}
	{
		char *note = xasprintf("interrupted; run %lld found %d created event%s and removed "
		    "%d old one%s; the rest is planned again", (long long)ru->ar.run_id, adopted,
		    adopted == 1 ? "" : "s", deleted, deleted == 1 ? "" : "s");
		store_action_mark(st, sa->id, ok ? "done" : "failed", NULL,
		    ok ? note : bs_error_text(&err), clock_now(), NULL);
		store_audit(st, ru->ar.run_id, "warning", sa->subject, note, clock_now());
		free(note);
	}
	json_decref(j);
	return BS_OK;
}

static const struct apply_ops toff_ops = {
	.target = TARGET,
	.phase = "Sending to Assembled",
	.label = NULL,		/* audit lines say "create: reason" */
	.send = send_one,
	.resolve = resolve_one,
};

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
	apply_init(&ru.ar, s, &toff_ops, &ru, o->progress, r);
	ru.allow_conflicts = conf_get_bool(s->conf, "assembled.allow_conflicts");
	ru.schedule_id = conf_get(s->conf, "assembled.schedule_id");
	if (str_empty(ru.schedule_id))
		ru.schedule_id = NULL;

	c.s = s;
	c.o = o;
	if (!o->dry_run)
		rc = apply_resolve_unfinished(&ru.ar, err);
	if (rc == BS_OK)
		rc = toff_make_plan(&c, reconcile, o->approve, o->progress, &plan, err);
	if (rc != BS_OK) {
		apply_planning_stopped(rc, err);
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
		sync_result_set(r, RUN_FAILED);
		goto out;
	}
	if (plan.guard.tripped && plan.guard.approved && store_approval_used(s->store, plan.id) != 0) {
		rc = bs_fail(err, BS_ERR_GUARD, "the approval of plan %s was already used by an earlier "
		    "run; an approval is good for one run", plan.id);
		r->guard.approved = 0;
		sync_result_set(r, RUN_BLOCKED);
		goto out;
	}
	if (plan.guard.tripped && !plan.guard.approved) {
		rc = bs_fail(err, BS_ERR_GUARD, "%s. Nothing was sent. Review the plan with 'bobsync plan "
		    "timeoff%s', then approve exactly this plan: bobsync %s timeoff --approve %s",
		    plan.guard.reason, reconcile ? " --reconcile" : "", kind, plan.id);
		sync_result_set(r, RUN_BLOCKED);
		snprintf(r->message, sizeof r->message, "%.180s; approve plan %s to apply it",
		    plan.guard.reason, plan.id);
		if (!o->dry_run && store_run_start(s->store, "timeoff", kind, plan.id, clock_now(),
		    &r->run_id, NULL) == BS_OK)
			store_audit(s->store, r->run_id, "warning", NULL, r->message, clock_now());
		goto out;
	}
	if (o->dry_run) {
		if (o->dry_plan != NULL)
			o->dry_plan(o->dry_ctx, &plan);
		sync_result_set(r, RUN_OK);
		snprintf(r->message, sizeof r->message, "dry run: %zu action%s planned, nothing sent",
		    plan.n, plan.n == 1 ? "" : "s");
		r->skipped = (long)plan.n;
		goto out;
	}
	rc = store_run_start(s->store, "timeoff", c.reconcile && !reconcile ? "reconcile" : kind,
	    plan.id, clock_now(), &r->run_id, err);
	if (rc != BS_OK)
		goto out;
	ru.ar.run_id = r->run_id;
	if (c.first_run)
		apply_audit(&ru.ar, "info", NULL, "first time-off run: the whole window was reconciled");
	if (plan.guard.tripped && plan.guard.approved) {
		struct bs_error aerr = { 0 };
		if (store_approval_record(s->store, plan.id, "timeoff", clock_now(), &aerr) != BS_OK ||
		    store_approval_mark_used(s->store, plan.id, clock_now(), &aerr) != BS_OK) {
			rc = bs_fail(err, BS_ERR_GUARD, "cannot record the approval of plan %s: %s",
			    plan.id, bs_error_text(&aerr));
			goto out;
		}
		apply_audit(&ru.ar, "warning", NULL, "approved: %s", plan.guard.reason);
	}
	/* store-only repairs first: links found by marker, rows of vanished events */
	for (size_t i = 0; i < c.pl.nadopt; i++) {
		if (store_toff_event_put(s->store, &c.pl.adopt[i], clock_now(), NULL) == BS_OK)
			apply_audit(&ru.ar, "info", NULL, "event %s of request %lld found in Assembled and linked",
			    c.pl.adopt[i].activity_id, c.pl.adopt[i].request_id);
	}
	for (size_t i = 0; i < c.pl.nforget; i++)
		store_toff_event_del_activity(s->store, c.pl.forget[i], NULL);

	rc = apply_plan(&ru.ar, &plan, err);
	if (rc != BS_OK)
		goto out;
	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_action *pa = &plan.v[i];
		if (!apply_action_failed(&ru.ar, i))
			continue;
		if (failed_ids == NULL)	/* room for each action and the one it replaces */
			failed_ids = xreallocarray(NULL, 2 * plan.n, sizeof *failed_ids);
		failed_ids[nfailed++] = pa->request_id;
		if (pa->data != NULL && ((const struct act *)pa->data)->replaces > 0)
			failed_ids[nfailed++] = ((const struct act *)pa->data)->replaces;
	}
	/* the requests seen, so the next run skips them; not those that failed
	 * (sorted: a run with Assembled down fails every action) */
	if (nfailed > 1)
		qsort(failed_ids, nfailed, sizeof *failed_ids, toff_ll_cmp);
	for (size_t i = 0; i < c.pl.nrec; i++) {
		if (!toff_ids_has(failed_ids, nfailed, c.pl.rec[i].request_id))
			record_request(s->store, c.pl.rec[i].request_id, c.pl.rec[i].employee_id,
			    c.pl.rec[i].status, c.pl.rec[i].previous, c.pl.rec[i].key);
	}
	rc = apply_partial(&ru.ar, &plan, rc, err);
	if (rc == BS_OK) {
		struct bs_error cerr = { 0 };
		if (store_toff_cursor_set(s->store, c.new_cursor, clock_now(), &cerr) != BS_OK)
			log_warn("cannot store the time-off cursor: %s", bs_error_text(&cerr));
	}
	snprintf(r->message, sizeof r->message, "%s%ld applied, %ld failed of %zu planned; %zu held",
	    c.first_run ? "first run, whole window reconciled: " : "", r->applied, r->failed,
	    plan.n, plan.nheld);
out:
	session_finish_run(s, r, rc, err);
	apply_clear(&ru.ar);
	free(failed_ids);
	plan_clear(&plan);
	toff_ctx_clear(&c);
	return rc;
}
