/* roster.c - the roster sync to Alleo: source sanity, guard, apply.
 *
 * Order of a run (design.md "Safety"):
 *  1. HiBob is read and checked for sanity before anything is written;
 *  2. the plan is made (roster_plan.c: a diff against the state store) and
 *     the guard evaluated; a tripped guard blocks unless --approve names
 *     this very plan, once;
 *  3. SCIM: Alleo's users are listed once (paged) when that costs fewer
 *     requests than looking each person up, so a create needs no lookup
 *     before it;
 *  4. actions an earlier, killed run left unfinished are resolved (SCIM: a
 *     user it created is looked up by externalId and linked);
 *  5. each action is journaled "pending", sent, then marked and the
 *     roster table updated in one transaction once Alleo confirmed.  A
 *     failed action is counted and left for the next run (the table was
 *     not updated, so it is planned again).
 * CSV delivery sends the whole file once: all actions succeed or fail
 * together.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vendor/alleo_csv.h"
#include "config/conf.h"
#include "net/http.h"
#include "base/log.h"
#include "engine/roster.h"
#include "vendor/scim.h"
#include "engine/session.h"
#include "store/store.h"
#include "store/store_roster.h"
#include "base/util.h"

#define KV_LAST_COUNT "roster.last_source_count"
#define TARGET "alleo"

static long
last_count(struct store *st)
{
	char *v = NULL;
	long n = 0;

	if (store_kv_get(st, KV_LAST_COUNT, &v, NULL) == BS_OK && v != NULL)
		n = strtol(v, NULL, 10);
	free(v);
	return n > 0 ? n : 0;
}

/* Whether budgets can reach Alleo: always in a CSV file; over SCIM only
 * into an extension named by alleo.scim_extension that the service lists
 * in GET /Schemas (Alleo publishes none, so by default they are not sent
 * and the plan says so). */
static void
budgets_deliverable(struct bs_session *s, struct roster_source *src)
{
	const char *ext = conf_get(s->conf, "alleo.scim_extension");
	struct scim_client *c = NULL;
	struct bs_error e = { 0 };

	src->budgets_unsent[0] = '\0';
	if (!str_eq(conf_get(s->conf, "alleo.mode"), "scim") || src->nbudget == 0)
		return;
	if (str_empty(ext))
		snprintf(src->budgets_unsent, sizeof src->budgets_unsent, "over SCIM only core User "
		    "attributes are sent, and alleo.scim_extension names no extension schema for "
		    "budgets (Alleo publishes none; set it only to one Alleo lists in /Schemas)");
	else if (session_scim(s, &c, &e) != BS_OK)
		snprintf(src->budgets_unsent, sizeof src->budgets_unsent, "alleo.scim_extension "
		    "names %.100s, but Alleo could not be asked whether it lists it (%.160s)", ext,
		    bs_error_text(&e));
	else if (scim_extension_usable(c) == NULL)
		snprintf(src->budgets_unsent, sizeof src->budgets_unsent, "alleo.scim_extension "
		    "names %.100s, which Alleo's SCIM service does not list in /Schemas", ext);
}

static bs_rc
plan_now(struct bs_session *s, const char *approve, const struct bs_progress *progress,
    struct roster_source *src, struct plan *out, struct bs_error *err)
{
	long base;
	bs_rc rc;

	plan_init(out, TARGET);
	if (s == NULL || s->store == NULL)
		return bs_fail(err, BS_ERR_INVALID, "the roster plan needs the state store");
	rc = roster_source_fetch(s, progress, src, err);
	if (rc != BS_OK)
		return rc;
	rc = roster_source_sane(src, last_count(s->store),
	    conf_get_number(s->conf, "guard.min_source_ratio"), err);
	if (rc != BS_OK)
		return rc;
	budgets_deliverable(s, src);
	rc = roster_plan(s, src, out, err);
	if (rc != BS_OK)
		return rc;
	base = store_roster_count_active(s->store);
	plan_guard_eval(out, s->conf, base < 0 ? 0 : base, approve);
	return BS_OK;
}

bs_rc
roster_plan_now(struct bs_session *s, const char *approve, const struct bs_progress *progress,
    struct plan *out, struct bs_error *err)
{
	struct roster_source src;
	bs_rc rc;

	memset(&src, 0, sizeof src);
	rc = plan_now(s, approve, progress, &src, out, err);
	roster_source_free(&src);
	return rc;
}

/* ---- applying ---- */

struct apply {
	struct bs_session *s;
	struct scim_client *scim;	/* NULL for CSV */
	struct scim_index *index;	/* Alleo's users as listed this run, or NULL */
	int64_t run_id;
	struct sync_result *r;
	const struct sync_opts *o;
};

static void
spec_of(const struct roster_row *w, struct scim_user_spec *sp)
{
	memset(sp, 0, sizeof *sp);
	sp->external_id = w->employee_id;
	sp->user_name = w->email;
	sp->given_name = w->first_name;
	sp->family_name = w->last_name;
	sp->active = w->active;
	sp->onboarding_date = w->start_date;
	sp->termination_date = w->end_date;
	sp->offboarding_date = w->active ? NULL : w->offboard_date;
	sp->budgets_json = w->budgets;
}

/* What the run now knows Alleo holds for a user it wrote. */
static void
index_note(struct apply *ap, const char *id, const struct scim_user_spec *sp)
{
	struct scim_user u;

	memset(&u, 0, sizeof u);
	u.id = (char *)id;
	u.external_id = (char *)sp->external_id;
	u.user_name = (char *)sp->user_name;
	u.given_name = (char *)sp->given_name;
	u.family_name = (char *)sp->family_name;
	u.email = (char *)sp->user_name;
	u.active = sp->active;
	u.offboarding_date = (char *)sp->offboarding_date;
	scim_index_put(ap->index, &u);
}

/* Create or link: the user is looked for first (in this run's listing of
 * Alleo, else by externalId and userName), so a user an interrupted run
 * created is linked, never duplicated; a create that Alleo still refuses
 * as a duplicate is looked up and linked by scim_create_user. */
static bs_rc
scim_upsert(struct apply *ap, const struct roster_row *w, char **remote_id,
    struct bs_error *err)
{
	struct scim_user u;
	struct scim_user_spec sp;
	int found = 0, linked = 0;
	bs_rc rc;

	spec_of(w, &sp);
	rc = scim_lookup(ap->scim, ap->index, w->employee_id, w->email, &u, &found, err);
	if (rc != BS_OK)
		return rc;
	if (found) {
		rc = scim_update_user(ap->scim, u.id, &sp, err);
	} else {
		scim_user_clear(&u);
		rc = scim_create_user(ap->scim, &sp, &u, &linked, err);
	}
	if (rc == BS_OK) {
		*remote_id = xstrdup(u.id);
		index_note(ap, u.id, &sp);
	}
	scim_user_clear(&u);
	return rc;
}

/* Send one action over SCIM; *remote_id gets Alleo's id. */
static bs_rc
scim_apply(struct apply *ap, const struct plan_action *a, char **remote_id,
    struct bs_error *err)
{
	const struct roster_row *w = a->data;
	struct scim_client *c = ap->scim;
	struct scim_user_spec sp;
	struct scim_user u;
	int found = 0;
	bs_rc rc;

	*remote_id = NULL;
	spec_of(w, &sp);
	switch (a->op) {
	case PLAN_ADD:
		return scim_upsert(ap, w, remote_id, err);
	case PLAN_UPDATE:
	case PLAN_REACTIVATE:
		if (str_empty(w->remote_id))
			return scim_upsert(ap, w, remote_id, err);
		rc = scim_update_user(c, w->remote_id, &sp, err);
		if (rc == BS_ERR_NOT_FOUND) {
			/* someone deleted the user in Alleo: find or create again */
			bs_error_clear(err);
			return scim_upsert(ap, w, remote_id, err);
		}
		if (rc == BS_OK) {
			*remote_id = xstrdup(w->remote_id);
			index_note(ap, w->remote_id, &sp);
		}
		return rc;
	case PLAN_REMOVE:
		if (!str_empty(w->remote_id)) {
			rc = scim_set_active(c, w->remote_id, 0, w->offboard_date, err);
			if (rc != BS_ERR_NOT_FOUND) {
				if (rc == BS_OK)
					*remote_id = xstrdup(w->remote_id);
				return rc;
			}
			bs_error_clear(err);
		}
		rc = scim_lookup(c, ap->index, w->employee_id, w->email, &u, &found, err);
		if (rc == BS_OK && found) {
			rc = scim_set_active(c, u.id, 0, w->offboard_date, err);
			if (rc == BS_OK)
				*remote_id = xstrdup(u.id);
		}
		/* not found: nobody to deactivate, which is the goal */
		scim_user_clear(&u);
		return rc;
	default:
		return bs_fail(err, BS_ERR_INTERNAL, "a roster plan cannot %s", plan_op_name(a->op));
	}
}

static int progress(struct apply *ap, size_t done, size_t total, const char *item);

/* Requests the plan would spend looking people up one by one: two (by
 * externalId, then userName) for each action that has no Alleo id. */
static unsigned long
lookups_needed(const struct plan *p)
{
	unsigned long n = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct roster_row *w = p->v[i].data;
		if (p->v[i].op == PLAN_ADD || str_empty(w->remote_id))
			n += 2;
	}
	return n;
}

/* Read Alleo's users once, when that costs fewer requests than the lookups
 * it saves (the roster table tells about how many users Alleo has; the
 * first page tells exactly).  Without a usable listing every action looks
 * its person up as before: nothing depends on it but the request count. */
static void
list_alleo(struct apply *ap, const struct plan *p)
{
	unsigned long budget = lookups_needed(p);
	long known = store_roster_count_active(ap->s->store);
	struct bs_error err = { 0 };

	if (budget == 0 || (known > 0 && (unsigned long)known / SCIM_PAGE_SIZE + 1 > budget))
		return;
	progress(ap, 0, p->n, "reading Alleo's users");
	ap->index = xcalloc(1, sizeof *ap->index);
	scim_index_init(ap->index);
	if (scim_list_users(ap->scim, budget, ap->index, &err) != BS_OK)
		log_warn("cannot list Alleo's users (%s); looking each person up instead",
		    bs_error_text(&err));
	else
		log_info("listed %zu Alleo users in %lu request%s%s", ap->index->n,
		    ap->index->pages, ap->index->pages == 1 ? "" : "s",
		    ap->index->complete ? "" : " (not complete)");
}

static bs_rc
journal(struct apply *ap, const struct plan_action *a, int seq, int64_t *id,
    struct bs_error *err)
{
	struct store_action sa;

	memset(&sa, 0, sizeof sa);
	sa.run_id = ap->run_id;
	sa.seq = seq;
	sa.target = (char *)TARGET;
	sa.op = (char *)plan_op_name(a->op);
	sa.subject = a->subject;
	sa.email = a->email;
	sa.reason = a->reason;
	sa.before = a->before;
	sa.after = a->after;
	sa.state = (char *)"pending";
	return store_action_add(ap->s->store, &sa, clock_now(), id, err);
}

/* Mark done and record the new state, together. */
static bs_rc
confirm(struct apply *ap, int64_t action_id, const struct roster_row *w, const char *remote_id,
    struct bs_error *err)
{
	struct roster_row row;
	struct store *st = ap->s->store;
	int64_t now = clock_now();
	bs_rc rc;

	roster_row_copy(&row, w);
	if (remote_id != NULL) {
		free(row.remote_id);
		row.remote_id = xstrdup(remote_id);
	}
	rc = store_begin(st, err);
	if (rc == BS_OK)
		rc = store_roster_put(st, &row, now, err);
	if (rc == BS_OK)
		rc = store_action_mark(st, action_id, "done", remote_id, NULL, now, err);
	if (rc == BS_OK)
		rc = store_commit(st, err);
	else
		store_rollback(st);
	roster_row_clear(&row);
	return rc;
}

static void
audit(struct apply *ap, const char *level, const struct plan_action *a, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
audit(struct apply *ap, const char *level, const struct plan_action *a, const char *fmt, ...)
{
	va_list va;
	char *msg;

	va_start(va, fmt);
	msg = xvasprintf(fmt, va);
	va_end(va);
	store_audit(ap->s->store, ap->run_id, level, a ? a->subject : NULL, msg, clock_now());
	free(msg);
}

static int
progress(struct apply *ap, size_t done, size_t total, const char *item)
{
	struct bs_progress_event ev;

	memset(&ev, 0, sizeof ev);
	ev.phase = "Sending to Alleo";
	ev.done = done;
	ev.total = total;
	ev.item = item;
	ev.applied = (unsigned)ap->r->applied;
	ev.failed = (unsigned)ap->r->failed;
	ev.skipped = (unsigned)ap->r->skipped;
	return bs_progress_report(ap->o->progress, &ev);
}

static bs_rc
apply_scim(struct apply *ap, const struct plan *p, struct bs_error *err)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->v[i];
		struct bs_error aerr = { 0 };
		char *remote = NULL;
		int64_t id = 0;
		bs_rc rc;

		if (progress(ap, i, p->n, a->email ? a->email : a->subject) != 0) {
			ap->r->skipped += (long)(p->n - i);
			return bs_fail(err, BS_ERR_CANCELLED, "stopped after %zu of %zu actions; the "
			    "rest is planned again next run", i, p->n);
		}
		rc = journal(ap, a, (int)i, &id, err);
		if (rc != BS_OK)
			return rc;	/* the journal is the safety net: stop */
		rc = scim_apply(ap, a, &remote, &aerr);
		if (rc == BS_OK)
			rc = confirm(ap, id, a->data, remote, &aerr);
		if (rc == BS_OK) {
			ap->r->applied++;
			audit(ap, "info", a, "%s %s: %s", plan_op_name(a->op),
			    a->email ? a->email : a->subject, a->reason);
		} else {
			ap->r->failed++;
			store_action_mark(ap->s->store, id, "failed", remote, bs_error_text(&aerr),
			    clock_now(), NULL);
			audit(ap, "error", a, "%s %s failed: %s", plan_op_name(a->op),
			    a->email ? a->email : a->subject, bs_error_text(&aerr));
			/* the command sums failures up; the audit log has each */
			log_info("%s %s failed: %s", plan_op_name(a->op),
			    a->email ? a->email : a->subject, bs_error_text(&aerr));
			if (rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN) {
				/* every further call would fail the same way */
				ap->r->skipped += (long)(p->n - i - 1);
				*err = aerr;
				return rc;
			}
		}
		free(remote);
	}
	progress(ap, p->n, p->n, NULL);
	return BS_OK;
}

/* The table as it will be once every action applied. */
static void
overlay(struct roster_rows *rows, const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct roster_row *w = p->v[i].data;
		struct roster_row *slot = (struct roster_row *)roster_rows_find(rows, w->employee_id);

		if (slot != NULL) {
			roster_row_clear(slot);
			roster_row_copy(slot, w);
			continue;
		}
		rows->v = xreallocarray(rows->v, rows->n + 1, sizeof *rows->v);
		roster_row_copy(&rows->v[rows->n++], w);
		/* keep the order roster_rows_find relies on */
		for (size_t k = rows->n - 1; k > 0 &&
		    strcmp(rows->v[k - 1].employee_id, rows->v[k].employee_id) > 0; k--) {
			struct roster_row t = rows->v[k];
			rows->v[k] = rows->v[k - 1];
			rows->v[k - 1] = t;
		}
	}
}

static bs_rc
apply_csv(struct apply *ap, const struct plan *p, const struct roster_source *src,
    struct bs_error *err)
{
	struct roster_rows rows;
	int64_t *ids = xcalloc(p->n + 1, sizeof *ids);
	char *text = NULL;
	size_t len = 0;
	bs_rc rc;

	rc = store_roster_list(ap->s->store, &rows, err);
	if (rc != BS_OK)
		goto out;
	for (size_t i = 0; i < p->n; i++) {
		rc = journal(ap, &p->v[i], (int)i, &ids[i], err);
		if (rc != BS_OK)
			goto out;
	}
	overlay(&rows, p);
	text = roster_csv_text(&rows, (const char *const *)src->budget_names, src->nbudget,
	    clock_now() / 86400, &len);
	progress(ap, 0, p->n, conf_get(ap->s->conf, "alleo.csv_name"));
	rc = alleo_csv_deliver(ap->s->conf, text, len, err);
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->v[i];
		struct bs_error aerr = { 0 };
		bs_rc arc = rc;

		if (arc == BS_OK)
			arc = confirm(ap, ids[i], a->data, NULL, &aerr);
		if (arc == BS_OK) {
			ap->r->applied++;
			audit(ap, "info", a, "%s %s: %s", plan_op_name(a->op),
			    a->email ? a->email : a->subject, a->reason);
		} else {
			ap->r->failed++;
			store_action_mark(ap->s->store, ids[i], "failed", NULL,
			    bs_error_text(rc != BS_OK ? err : &aerr), clock_now(), NULL);
		}
	}
	if (rc == BS_OK)
		audit(ap, "info", NULL, "wrote %s with %zu bytes", conf_get(ap->s->conf,
		    "alleo.csv_name"), len);
	else
		audit(ap, "error", NULL, "the Alleo CSV was not delivered: %s", bs_error_text(err));
	progress(ap, p->n, p->n, NULL);
out:
	roster_rows_free(&rows);
	free(text);
	free(ids);
	return rc;
}

/* Actions a killed run left "pending": resolve what Alleo can confirm,
 * mark the rest failed (the plan sends them again). */
static void
resolve_unfinished(struct apply *ap)
{
	struct store *st = ap->s->store;
	struct store_action *v = NULL;
	struct bs_error err = { 0 };
	size_t n = 0;

	if (store_actions_unfinished(st, TARGET, &v, &n, &err) != BS_OK) {
		log_warn("cannot read unfinished actions: %s", bs_error_text(&err));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct store_action *a = &v[i];
		struct scim_user u;
		struct roster_row row;
		int found = 0;
		char *note;

		memset(&u, 0, sizeof u);
		if (ap->scim != NULL && str_eq(a->op, "add") &&
		    scim_find_user(ap->scim, a->subject, a->email, &u, &found, &err) == BS_OK && found &&
		    roster_row_from_json(a->subject, a->after, &row, &err) == BS_OK) {
			free(row.remote_id);
			row.remote_id = xstrdup(u.id);
			row.active = 1;
			if (store_roster_put(st, &row, clock_now(), &err) == BS_OK) {
				note = xasprintf("interrupted, then found in Alleo and linked by run %lld",
				    (long long)ap->run_id);
				store_action_mark(st, a->id, "done", u.id, note, clock_now(), NULL);
				store_audit(st, ap->run_id, "warning", a->subject, note, clock_now());
				free(note);
				roster_row_clear(&row);
				scim_user_clear(&u);
				continue;
			}
			roster_row_clear(&row);
		}
		scim_user_clear(&u);
		note = xasprintf("interrupted before Alleo confirmed it; planned again by run %lld",
		    (long long)ap->run_id);
		store_action_mark(st, a->id, "failed", NULL, note, clock_now(), NULL);
		store_audit(st, ap->run_id, "warning", a->subject, note, clock_now());
		free(note);
	}
	store_actions_free(v, n);
}

static bs_rc
start_run(struct bs_session *s, struct sync_result *r, const char *plan_id,
    struct bs_error *err)
{
	return store_run_start(s->store, "roster", "sync", plan_id, clock_now(), &r->run_id, err);
}

bs_rc
roster_sync(struct bs_session *s, const struct sync_opts *o, struct sync_result *r,
    struct bs_error *err)
{
	static const struct sync_opts none;
	struct roster_source src;
	struct plan plan;
	struct apply ap;
	const char *mode;
	int used;
	bs_rc rc;

	memset(r, 0, sizeof *r);
	memset(&src, 0, sizeof src);
	plan_init(&plan, TARGET);
	snprintf(r->target, sizeof r->target, "roster");
	if (o == NULL)
		o = &none;
	r->dry_run = o->dry_run;
	if (s == NULL || s->store == NULL || s->conf == NULL)
		return bs_fail(err, BS_ERR_INVALID, "the roster sync needs settings and the state store");
	mode = conf_get(s->conf, "alleo.mode");
	if (str_eq(mode, "pull")) {
		snprintf(r->result, sizeof r->result, "ok");
		snprintf(r->message, sizeof r->message, "alleo.mode is pull: Alleo reads HiBob itself, "
		    "so nothing is sent");
		return BS_OK;
	}
	if (!str_eq(mode, "scim") && !str_eq(mode, "csv"))
		return bs_fail(err, BS_ERR_NOT_CONFIGURED, "Alleo delivery is off: set alleo.mode to "
		    "scim or csv");
	memset(&ap, 0, sizeof ap);
	ap.s = s;
	ap.r = r;
	ap.o = o;
	http_reset_stats(s->http);
	if (str_eq(mode, "scim")) {
		rc = session_scim(s, &ap.scim, err);
		if (rc != BS_OK)
			return rc;
	} else if (str_empty(conf_get(s->conf, "alleo.csv_target"))) {
		return bs_fail(err, BS_ERR_NOT_CONFIGURED, "alleo.csv_target is not set: give a local "
		    "folder or sftp://host[:port]/path/");
	}

	rc = plan_now(s, o->approve, o->progress, &src, &plan, err);
	if (rc != BS_OK) {
		if (!o->dry_run && start_run(s, r, NULL, NULL) == BS_OK) {
			snprintf(r->result, sizeof r->result, "%s",
			    rc == BS_ERR_SOURCE ? "aborted" : "failed");
			store_audit(s->store, r->run_id, "error", NULL, bs_error_text(err), clock_now());
		}
		goto out;
	}
	snprintf(r->plan_id, sizeof r->plan_id, "%s", plan.id);
	r->guard = plan.guard;
	r->planned = (long)plan.n;

	if (o->approve != NULL && !plan_id_matches(&plan, o->approve)) {
		used = store_approval_used(s->store, o->approve);
		if (used == 1)
			rc = bs_fail(err, BS_ERR_STALE_PLAN, "plan %s was already approved and applied "
			    "once; an approval is good for one run. The plan is now %s: review it with "
			    "'bobsync plan roster'", o->approve, plan.id);
		else
			rc = bs_fail(err, BS_ERR_STALE_PLAN, "HiBob changed since plan %s was made; the "
			    "plan is now %s: review it with 'bobsync plan roster'", o->approve, plan.id);
		snprintf(r->result, sizeof r->result, "failed");
		goto out;
	}
	if (plan.guard.tripped && plan.guard.approved && store_approval_used(s->store, plan.id) != 0) {
		rc = bs_fail(err, BS_ERR_GUARD, "the approval of plan %s was already used by an earlier "
		    "run; an approval is good for one run", plan.id);
		r->guard.approved = 0;
		snprintf(r->result, sizeof r->result, "blocked");
		if (!o->dry_run && start_run(s, r, plan.id, NULL) == BS_OK)
			store_audit(s->store, r->run_id, "warning", NULL, bs_error_text(err), clock_now());
		goto out;
	}
	if (plan.guard.tripped && !plan.guard.approved) {
		rc = bs_fail(err, BS_ERR_GUARD, "%s. Nothing was sent. Review the plan with 'bobsync plan "
		    "roster', then approve exactly this plan: bobsync sync roster --approve %s",
		    plan.guard.reason, plan.id);
		snprintf(r->result, sizeof r->result, "blocked");
		snprintf(r->message, sizeof r->message, "%.180s; approve plan %s to apply it",
		    plan.guard.reason, plan.id);
		if (!o->dry_run && start_run(s, r, plan.id, NULL) == BS_OK)
			store_audit(s->store, r->run_id, "warning", NULL, r->message, clock_now());
		goto out;
	}
	if (o->dry_run) {
		if (o->dry_plan != NULL)
			o->dry_plan(o->dry_ctx, &plan);
		snprintf(r->result, sizeof r->result, "ok");
		snprintf(r->message, sizeof r->message, "dry run: %zu action%s planned, nothing sent",
		    plan.n, plan.n == 1 ? "" : "s");
		r->skipped = (long)plan.n;
		goto out;
	}

	rc = start_run(s, r, plan.id, err);
	if (rc != BS_OK)
		goto out;
	ap.run_id = r->run_id;
	if (plan.guard.tripped && plan.guard.approved) {
		struct bs_error aerr = { 0 };
		if (store_approval_record(s->store, plan.id, "roster", clock_now(), &aerr) != BS_OK ||
		    store_approval_mark_used(s->store, plan.id, clock_now(), &aerr) != BS_OK) {
			rc = bs_fail(err, BS_ERR_GUARD, "cannot record the approval of plan %s: %s",
			    plan.id, bs_error_text(&aerr));
			goto out;
		}
		store_audit(s->store, r->run_id, "warning", NULL, plan.guard.reason, clock_now());
	}
	if (str_eq(mode, "scim"))
		list_alleo(&ap, &plan);
	resolve_unfinished(&ap);
	if (str_eq(mode, "scim"))
		rc = apply_scim(&ap, &plan, err);
	else
		rc = apply_csv(&ap, &plan, &src, err);
	if (rc == BS_OK && r->failed > 0)
		rc = bs_fail(err, BS_ERR_PARTIAL, "%ld of %zu action%s failed; they are tried again "
		    "next run ('bobsync log --run %lld' shows why)", r->failed, plan.n,
		    plan.n == 1 ? "" : "s", (long long)r->run_id);
	if (rc == BS_OK || rc == BS_ERR_PARTIAL) {
		char buf[32];
		snprintf(buf, sizeof buf, "%ld", plan.source_count);
		store_kv_set(s->store, KV_LAST_COUNT, buf, clock_now(), NULL);
		snprintf(r->message, sizeof r->message, "%ld applied, %ld failed of %zu planned; "
		    "%zu held", r->applied, r->failed, plan.n, plan.nheld);
	}
out:
	session_finish_run(s, r, rc, err);
	if (ap.index != NULL) {
		scim_index_free(ap.index);
		free(ap.index);
	}
	plan_free(&plan);
	roster_source_free(&src);
	return rc;
}
