/* roster_apply.c - the roster sync to Alleo: source sanity, guard, apply.
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
#include "engine/apply.h"
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

static void
before_people(void *ctx, struct roster_source *src)
{
	budgets_deliverable(ctx, src);
}

/* The people are diffed as HiBob's answer arrives and not kept (a plan
 * of any company size needs the memory of the plan only); the source
 * checks then look at what was read, and a source that fails them gives
 * no plan, as before. */
static bs_rc
plan_now(struct bs_session *s, const char *approve, const struct bs_progress *progress,
    struct roster_source *src, struct plan *out, struct bs_error *err)
{
	struct roster_rows rows;
	struct roster_differ d;
	long base;
	bs_rc rc;

	plan_init(out, TARGET);
	if (s == NULL || s->store == NULL)
		return bs_fail(err, BS_ERR_INVALID, "the roster plan needs the state store");
	rc = store_roster_list(s->store, &rows, err);
	if (rc != BS_OK)
		return rc;
	roster_differ_init(&d, src, &rows, out,
	    str_eq(conf_get(s->conf, "alleo.mode"), "csv") ? ROSTER_DIFF_CSV : 0);
	rc = roster_source_stream(s, progress, src, before_people, s, &d, err);
	if (rc == BS_OK)
		rc = roster_source_sane(src, last_count(s->store),
		    conf_get_number(s->conf, "guard.min_source_ratio"), err);
	if (rc == BS_OK)
		roster_differ_finish(&d);
	roster_differ_clear(&d);
	roster_rows_clear(&rows);
	if (rc != BS_OK) {
		plan_clear(out);
		plan_init(out, TARGET);
		return rc;
	}
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
	roster_source_clear(&src);
	return rc;
}

/* ---- applying ---- */

struct apply {
	struct bs_session *s;
	struct apply_run run;		/* the engine's run; run.ctx is this */
	struct scim_client *scim;	/* NULL for CSV */
	struct scim_index *index;	/* Alleo's users as listed this run, or NULL */
	/* CSV: the plan and source the file is written from, what was sent */
	const struct plan *plan;
	const struct roster_source *src;
	int csv_tried;
	size_t csv_len;
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
	apply_progress(&ap->run, 0, p->n, "reading Alleo's users");
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

/* The engine's send over SCIM: Alleo's answer, then the journal mark and
 * the roster row together. */
static bs_rc
scim_send(struct apply_run *run, const struct plan_action *a, int64_t journal_id,
    struct apply_outcome *out, struct bs_error *err)
{
	struct apply *ap = run->ctx;
	char *remote = NULL;
	bs_rc rc;

	rc = scim_apply(ap, a, &remote, err);
	if (rc == BS_OK) {
		rc = confirm(ap, journal_id, a->data, remote, err);
		out->marked = rc == BS_OK;
	}
	out->remote_id = remote;
	return rc;
}

static const char *
action_label(const struct plan_action *a)
{
	return a->email ? a->email : a->subject;
}

/* ---- SCIM Bulk (RFC 7644 3.7) ----
 *
 * When Alleo's /ServiceProviderConfig says it takes bulk requests and a
 * plan has two or more creates of people Alleo does not have or
 * deactivations of linked users, the engine hands the whole plan to
 * scim_send_all (send_batch, every action journaled first): those go out
 * in bulk requests within Alleo's limits, everything else one request at a
 * time as scim_send does.  A killed run leaves the actions pending, settled
 * next run like single requests (a create is looked up in the run's
 * listing and linked, anything else planned again). */

/* Whether bulk takes this action: a create of someone Alleo does not have
 * (this run's listing, else a lookup, says so), a deactivation of a user
 * with a known Alleo id.  Anything else, or a lookup that fails or finds
 * someone, goes the usual way. */
static int
bulk_takes(struct apply *ap, const struct plan_action *a)
{
	const struct roster_row *w = a->data;
	struct scim_user u;
	struct bs_error e = { 0 };
	int found = 1;

	if (a->op == PLAN_REMOVE)
		return !str_empty(w->remote_id);
	if (a->op != PLAN_ADD)
		return 0;
	memset(&u, 0, sizeof u);
	if (scim_lookup(ap->scim, ap->index, w->employee_id, w->email, &u, &found, &e) != BS_OK)
		found = 1;
	scim_user_clear(&u);
	return !found;
}

enum bulk_result {
	BULK_DONE,		/* Alleo applied it: *remote set */
	BULK_FAILED,		/* Alleo refused it or did not answer: why set */
	BULK_SINGLE		/* send it as single requests instead */
};

/* What a bulk operation's answer means for its action. */
static enum bulk_result
bulk_outcome(const struct plan_action *a, struct scim_bulk_op *op, char **remote,
    struct bs_error *why)
{
	if (op->status >= 200 && op->status < 300 && op->remote_id != NULL) {
		*remote = op->remote_id;
		op->remote_id = NULL;
		return BULK_DONE;
	}
	if ((op->status == 409 && op->kind == SCIM_BULK_CREATE) ||
	    (op->status == 400 && str_eq_ci(op->scim_type, "uniqueness")) ||
	    (op->status == 404 && op->kind == SCIM_BULK_DEACTIVATE) || op->status == 413)
		/* what a single request handles by itself: a create that exists
		 * is looked up and linked, a deactivation of a user deleted in
		 * Alleo looks the person up, one too large for a bulk goes alone */
		return BULK_SINGLE;
	if (op->status == 0)
		bs_fail(why, BS_ERR_REMOTE, "%s %s: no answer for it in Alleo's bulk answer (%s); it "
		    "is looked up or sent again next run", plan_op_name(a->op), action_label(a),
		    op->detail ? op->detail : "no detail");
	else
		bs_fail(why, BS_ERR_REMOTE, "Alleo answered the bulk %s with HTTP %ld%s%s%s%s",
		    op->kind == SCIM_BULK_CREATE ? "create" : "deactivation", op->status,
		    op->scim_type ? " " : "", op->scim_type ? op->scim_type : "",
		    !str_empty(op->detail) ? ": " : "", op->detail ? op->detail : "");
	return BULK_FAILED;
}

/* Record what Alleo did for the actions bi[0..k) of v (bi NULL: 0..k)
 * that it did (rcs[i] BS_OK; remote ids, if any, in outs): in one
 * transaction, the roster rows in a few statements
 * (store_roster_put_many), instead of a commit an action; a bulk's
 * answer, or a thousand actions of a delivered file.  A run killed before
 * the commit leaves them all pending, to be looked up next run, as when it
 * is killed while the bulk or the file is sent.  Should a write fail, the
 * transaction is dropped and each is recorded on its own. */
#define CONFIRM_MANY 1000

static void
confirm_many(struct apply *ap, const struct plan_action *const *v, const int64_t *ids,
    const size_t *bi, size_t k, bs_rc *rcs, struct apply_outcome *outs, struct bs_error *errs)
{
	struct store *st = ap->s->store;
	struct bs_error terr = { 0 };
	struct roster_row *rows = xcalloc(k + 1, sizeof *rows);
	int64_t now = clock_now();
	size_t n = 0;
	bs_rc rc;

	for (size_t j = 0; j < k; j++) {
		size_t i = bi != NULL ? bi[j] : j;
		if (rcs[i] != BS_OK)
			continue;
		if (v[i]->data == NULL) {	/* no row: fails as confirm says */
			rcs[i] = confirm(ap, ids[i], NULL, outs[i].remote_id, &errs[i]);
			continue;
		}
		rows[n] = *(const struct roster_row *)v[i]->data;	/* borrowed */
		if (outs[i].remote_id != NULL)
			rows[n].remote_id = outs[i].remote_id;
		n++;
	}
	rc = store_begin(st, &terr);
	if (rc == BS_OK)
		rc = store_roster_put_many(st, rows, n, now, &terr);
	for (size_t j = 0; j < k && rc == BS_OK; j++) {
		size_t i = bi != NULL ? bi[j] : j;
		if (rcs[i] == BS_OK)
			rc = store_action_mark(st, ids[i], "done", outs[i].remote_id, NULL, now, &terr);
	}
	if (rc == BS_OK)
		rc = store_commit(st, &terr);	/* rolls back when it fails */
	else
		store_rollback(st);
	if (rc != BS_OK)
		log_info("recording %zu confirmed actions at once failed (%s); one by one instead", k,
		    bs_error_text(&terr));
	for (size_t j = 0; j < k; j++) {
		size_t i = bi != NULL ? bi[j] : j;
		if (rcs[i] != BS_OK)
			continue;
		if (rc != BS_OK)
			rcs[i] = confirm(ap, ids[i], v[i]->data, outs[i].remote_id, &errs[i]);
		outs[i].marked = rcs[i] == BS_OK;
	}
	free(rows);
}

/* The bulk part of scim_send_all: the actions bi[0..nb) of v in bulk
 * requests; those a bulk gives back are marked how[i] = 2 (single). */
static bs_rc
bulk_pass(struct apply_run *run, const struct plan_action *const *v, const int64_t *ids,
    size_t n, const size_t *bi, size_t nb, const struct scim_bulk_limits *lim,
    unsigned char *how, unsigned char *reached, size_t *done, bs_rc *rcs,
    struct apply_outcome *outs, struct bs_error *errs, struct bs_error *err)
{
	struct apply *ap = run->ctx;
	struct scim_bulk_op *ops = xcalloc(nb + 1, sizeof *ops);
	struct scim_user_spec *specs = xcalloc(nb + 1, sizeof *specs);
	const char *ext = scim_extension_usable(ap->scim);
	size_t off = 0;
	bs_rc rc = BS_OK;

	for (size_t k = 0; k < nb; k++) {
		const struct roster_row *w = v[bi[k]]->data;
		if (v[bi[k]]->op == PLAN_ADD) {
			spec_of(w, &specs[k]);
			ops[k].kind = SCIM_BULK_CREATE;
			ops[k].spec = &specs[k];
		} else {
			ops[k].kind = SCIM_BULK_DEACTIVATE;
			ops[k].id = w->remote_id;
			ops[k].offboarding_date = w->offboard_date;
		}
	}
	while (off < nb) {
		size_t k = scim_bulk_fit(ops + off, nb - off, ext, lim);
		struct bs_error berr = { 0 };
		bs_rc brc;

		if (k == 0) {
			/* larger than a bulk may be: alone, the usual way */
			how[bi[off++]] = 2;
			continue;
		}
		if (apply_progress(run, *done, n, "sending a bulk request") != 0) {
			rc = bs_fail(err, BS_ERR_CANCELLED, "stopped after %zu of %zu actions; the "
			    "rest is planned again next run", *done, n);
			break;
		}
		brc = scim_bulk_send(ap->scim, ops + off, k, &berr);
		for (size_t j = off; j < off + k; j++) {
			size_t i = bi[j];
			char *remote = NULL;
			switch (bulk_outcome(v[i], &ops[j], &remote, &errs[i])) {
			case BULK_DONE:
				rcs[i] = BS_OK;	/* recorded below */
				outs[i].remote_id = remote;
				reached[i] = 1;
				(*done)++;
				break;
			case BULK_FAILED:
				rcs[i] = errs[i].rc;
				reached[i] = 1;
				(*done)++;
				break;
			case BULK_SINGLE:
				how[i] = 2;
				break;
			}
		}
		confirm_many(ap, v, ids, bi + off, k, rcs, outs, errs);
		off += k;
		if (brc == BS_ERR_AUTH || brc == BS_ERR_FORBIDDEN) {
			*err = berr;
			rc = brc;
			break;
		}
	}
	for (size_t k = 0; k < nb; k++)
		scim_bulk_op_clear(&ops[k]);
	free(ops);
	free(specs);
	return rc;
}

/* send_batch over SCIM with bulk: the plan's order (adds and changes one
 * by one, the bulk, removals one by one, then what the bulk gave back). */
static bs_rc
scim_send_all(struct apply_run *run, const struct plan_action *const *v,
    const int64_t *ids, size_t n, bs_rc *rcs, struct apply_outcome *outs,
    struct bs_error *errs, struct bs_error *err)
{
	struct apply *ap = run->ctx;
	struct scim_bulk_limits lim;
	unsigned char *how = xcalloc(n + 1, 1);	/* 0 single, 1 bulk, 2 single after */
	unsigned char *reached = xcalloc(n + 1, 1);
	size_t *bi = xcalloc(n + 1, sizeof *bi), nb = 0, done = 0;
	bs_rc rc = BS_OK;

	if (scim_bulk_usable(ap->scim, &lim)) {
		for (size_t i = 0; i < n; i++)
			if (bulk_takes(ap, v[i])) {
				how[i] = 1;
				bi[nb++] = i;
			}
		if (nb < 2) {
			/* one operation in a bulk saves nothing */
			for (size_t k = 0; k < nb; k++)
				how[bi[k]] = 0;
			nb = 0;
		}
	}
	for (int pass = 0; pass < 4 && rc == BS_OK; pass++) {
		if (pass == 1) {
			if (nb > 0)
				rc = bulk_pass(run, v, ids, n, bi, nb, &lim, how, reached, &done, rcs,
				    outs, errs, err);
			continue;
		}
		for (size_t i = 0; i < n && rc == BS_OK; i++) {
			int removal = plan_op_is_removal(v[i]->op);
			if ((pass == 0 && (how[i] != 0 || removal)) ||
			    (pass == 2 && (how[i] != 0 || !removal)) || (pass == 3 && how[i] != 2))
				continue;
			if (apply_progress(run, done, n, action_label(v[i])) != 0) {
				rc = bs_fail(err, BS_ERR_CANCELLED, "stopped after %zu of %zu actions; "
				    "the rest is planned again next run", done, n);
				break;
			}
			rcs[i] = scim_send(run, v[i], ids[i], &outs[i], &errs[i]);
			reached[i] = 1;
			done++;
			if (rcs[i] == BS_ERR_AUTH || rcs[i] == BS_ERR_FORBIDDEN) {
				*err = errs[i];
				rc = rcs[i];
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!reached[i]) {
			rcs[i] = BS_ERR_CANCELLED;
			bs_fail(&errs[i], BS_ERR_CANCELLED, "not sent: the run stopped before it; "
			    "planned again next run");
		}
	free(how);
	free(reached);
	free(bi);
	return rc;
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

/* The engine's batch for CSV: the whole file at once, so every action
 * succeeds or fails with its delivery. */
static bs_rc
csv_send(struct apply_run *run, const struct plan_action *const *v, const int64_t *journal_ids,
    size_t n, bs_rc *rcs, struct apply_outcome *outs, struct bs_error *errs,
    struct bs_error *err)
{
	struct apply *ap = run->ctx;
	const struct roster_source *src = ap->src;
	struct roster_rows rows;
	char *text = NULL;
	size_t len = 0;
	bs_rc rc;

	rc = store_roster_list(ap->s->store, &rows, err);
	if (rc == BS_OK) {
		overlay(&rows, ap->plan);
		text = roster_csv_text(&rows, (const char *const *)src->budget_names, src->nbudget,
		    clock_now() / 86400, &len);
		apply_progress(run, 0, n, conf_get(ap->s->conf, "alleo.csv_name"));
		rc = alleo_csv_deliver(ap->s->conf, text, len, err);
		ap->csv_tried = 1;
		ap->csv_len = len;
	}
	if (rc == BS_OK) {
		/* delivered: recorded a thousand at a time */
		for (size_t i = 0; i < n; i++)
			rcs[i] = BS_OK;
		for (size_t i = 0; i < n; i += CONFIRM_MANY)
			confirm_many(ap, v + i, journal_ids + i, NULL, n - i < CONFIRM_MANY ? n - i :
			    CONFIRM_MANY, rcs + i, outs + i, errs + i);
	} else {
		for (size_t i = 0; i < n; i++) {
			rcs[i] = rc;
			errs[i] = *err;
		}
	}
	roster_rows_clear(&rows);
	free(text);
	return rc;
}

/* An action a killed run left "pending": resolved when Alleo can confirm
 * it (SCIM: a user it created is looked up by externalId and linked), else
 * marked failed (the plan sends it again). */
static bs_rc
resolve_one(struct apply_run *run, const struct store_action *a, struct bs_error *unused)
{
	struct apply *ap = run->ctx;
	struct store *st = ap->s->store;
	struct bs_error err = { 0 };
	struct scim_user u;
	struct roster_row row;
	int found = 0;
	char *note;

	(void)unused;
	memset(&u, 0, sizeof u);
	if (ap->scim != NULL && str_eq(a->op, "add") &&
	    scim_lookup(ap->scim, ap->index, a->subject, a->email, &u, &found, &err) == BS_OK &&
	    found &&
	    roster_row_from_json(a->subject, a->after, &row, &err) == BS_OK) {
		free(row.remote_id);
		row.remote_id = xstrdup(u.id);
		row.active = 1;
		if (store_roster_put(st, &row, clock_now(), &err) == BS_OK) {
			note = xasprintf("interrupted, then found in Alleo and linked by run %lld",
			    (long long)run->run_id);
			store_action_mark(st, a->id, "done", u.id, note, clock_now(), NULL);
			store_audit(st, run->run_id, "warning", a->subject, note, clock_now());
			free(note);
			roster_row_clear(&row);
			scim_user_clear(&u);
			return BS_OK;
		}
		roster_row_clear(&row);
	}
	scim_user_clear(&u);
	note = xasprintf("interrupted before Alleo confirmed it; planned again by run %lld",
	    (long long)run->run_id);
	store_action_mark(st, a->id, "failed", NULL, note, clock_now(), NULL);
	store_audit(st, run->run_id, "warning", a->subject, note, clock_now());
	free(note);
	return BS_OK;
}

static const struct apply_ops scim_ops = {
	.target = TARGET,
	.phase = "Sending to Alleo",
	.label = action_label,
	.send = scim_send,
	.resolve = resolve_one,
};

/* Two or more actions bulk could take (creates, deactivations of linked
 * users): a bulk could save requests. */
static int
bulk_could_help(const struct plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n && n < 2; i++) {
		const struct roster_row *w = p->v[i].data;
		if (p->v[i].op == PLAN_ADD || (p->v[i].op == PLAN_REMOVE && !str_empty(w->remote_id)))
			n++;
	}
	return n >= 2;
}

/* The same with bulk, when Alleo offers it and the plan has enough for it. */
static const struct apply_ops scim_bulk_ops = {
	.target = TARGET,
	.phase = "Sending to Alleo",
	.label = action_label,
	.send_batch = scim_send_all,
	.batch_max = 0,		/* the whole plan: bulk and single requests in order */
	.resolve = resolve_one,
};

static const struct apply_ops csv_ops = {
	.target = TARGET,
	.phase = "Sending to Alleo",
	.label = action_label,
	.send_batch = csv_send,
	.batch_max = 0,		/* one file */
	.resolve = resolve_one,
};

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
		sync_result_set(r, RUN_OK);
		snprintf(r->message, sizeof r->message, "alleo.mode is pull: Alleo reads HiBob itself, "
		    "so nothing is sent");
		return BS_OK;
	}
	if (!str_eq(mode, "scim") && !str_eq(mode, "csv"))
		return bs_fail(err, BS_ERR_NOT_CONFIGURED, "Alleo delivery is off: set alleo.mode to "
		    "scim or csv");
	memset(&ap, 0, sizeof ap);
	ap.s = s;
	apply_init(&ap.run, s, str_eq(mode, "scim") ? &scim_ops : &csv_ops, &ap, o->progress, r);
	ap.plan = &plan;
	ap.src = &src;
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
		apply_planning_stopped(rc, err);
		if (!o->dry_run && start_run(s, r, NULL, NULL) == BS_OK) {
			sync_result_set(r, run_result_of(rc));
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
		sync_result_set(r, RUN_FAILED);
		goto out;
	}
	if (plan.guard.tripped && plan.guard.approved && store_approval_used(s->store, plan.id) != 0) {
		rc = bs_fail(err, BS_ERR_GUARD, "the approval of plan %s was already used by an earlier "
		    "run; an approval is good for one run", plan.id);
		r->guard.approved = 0;
		sync_result_set(r, RUN_BLOCKED);
		if (!o->dry_run && start_run(s, r, plan.id, NULL) == BS_OK)
			store_audit(s->store, r->run_id, "warning", NULL, bs_error_text(err), clock_now());
		goto out;
	}
	if (plan.guard.tripped && !plan.guard.approved) {
		rc = bs_fail(err, BS_ERR_GUARD, "%s. Nothing was sent. Review the plan with 'bobsync plan "
		    "roster', then approve exactly this plan: bobsync sync roster --approve %s",
		    plan.guard.reason, plan.id);
		sync_result_set(r, RUN_BLOCKED);
		snprintf(r->message, sizeof r->message, "%.180s; approve plan %s to apply it",
		    plan.guard.reason, plan.id);
		if (!o->dry_run && start_run(s, r, plan.id, NULL) == BS_OK)
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
	/* the rows to send, made from the plan's texts only now: a dry run or
	 * a blocked plan sends nothing (a million of them is 100 MB) */
	rc = roster_plan_rows(&plan, err);
	if (rc != BS_OK)
		goto out;

	rc = start_run(s, r, plan.id, err);
	if (rc != BS_OK)
		goto out;
	ap.run.run_id = r->run_id;
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
	apply_resolve_unfinished(&ap.run, NULL);
	if (ap.scim != NULL && bulk_could_help(&plan)) {
		/* Alleo is asked about bulk only when a bulk could be sent */
		struct scim_bulk_limits lim;
		if (scim_bulk_usable(ap.scim, &lim))
			ap.run.ops = &scim_bulk_ops;
	}
	rc = apply_plan(&ap.run, &plan, err);
	if (ap.csv_tried && rc == BS_OK)
		apply_audit(&ap.run, "info", NULL, "wrote %s with %zu bytes",
		    conf_get(s->conf, "alleo.csv_name"), ap.csv_len);
	else if (ap.csv_tried)
		apply_audit(&ap.run, "error", NULL, "the Alleo CSV was not delivered: %s",
		    bs_error_text(err));
	rc = apply_partial(&ap.run, &plan, rc, err);
	if (rc == BS_OK || rc == BS_ERR_PARTIAL) {
		char buf[32];
		snprintf(buf, sizeof buf, "%ld", plan.source_count);
		store_kv_set(s->store, KV_LAST_COUNT, buf, clock_now(), NULL);
		snprintf(r->message, sizeof r->message, "%ld applied, %ld failed of %zu planned; "
		    "%zu held", r->applied, r->failed, plan.n, plan.nheld);
	}
out:
	session_finish_run(s, r, rc, err);
	apply_clear(&ap.run);
	if (ap.index != NULL) {
		scim_index_clear(ap.index);
		free(ap.index);
	}
	plan_clear(&plan);
	roster_source_clear(&src);
	return rc;
}
