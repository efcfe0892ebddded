/* access.c - alleo_access for many people (access.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/access.h"
#include "config/conf.h"
#include "vendor/hibob.h"
#include "engine/roster.h"
#include "engine/session.h"
#include "base/util.h"

const char *
access_field_name(const struct conf *c)
{
	const char *n = conf_get(c, "hibob.eligibility_field");
	return str_empty(n) ? "alleo_access" : n;
}

const char *
access_cell(const struct bob_person *p)
{
	switch (p->access) {
	case BOB_ACCESS_YES: return "yes";
	case BOB_ACCESS_NO: return "no";
	case BOB_ACCESS_OTHER: return p->access_value ? p->access_value : "";
	case BOB_ACCESS_UNSET:
	case BOB_ACCESS_UNREADABLE:
	default: return "";
	}
}

static int
by_email(const void *x, const void *y)
{
	const struct bob_person *p = *(const struct bob_person *const *)x;
	const struct bob_person *q = *(const struct bob_person *const *)y;
	int c = strcasecmp(p->email ? p->email : "", q->email ? q->email : "");
	return c ? c : strcmp(p->id ? p->id : "", q->id ? q->id : "");
}

bs_rc
access_export_build(const struct roster_source *src, const struct conf *conf,
    const size_t *only, size_t n, const char *set_to, struct access_export *out,
    struct bs_error *err)
{
	const struct bob_person **order;
	size_t cnt = only != NULL ? n : src->people.n;
	const char *hdr[2];
	FILE *mem;

	memset(out, 0, sizeof *out);
	if (src->access_field == NULL)
		return bs_fail(err, BS_ERR_CHECK_FAILED, "%s; an import file for it would be refused "
		    "by HiBob ('bobsync check' says how to fix it)", src->field_problem);
	order = xcalloc(cnt + 1, sizeof *order);
	for (size_t i = 0; i < cnt; i++)
		order[i] = &src->people.v[only != NULL ? only[i] : i];
	qsort(order, cnt, sizeof *order, by_email);
	mem = open_memstream(&out->text, &out->len);
	if (mem == NULL) {
		free(order);
		return bs_fail(err, BS_ERR_NOMEM, "cannot build the export");
	}
	hdr[0] = "Email";
	hdr[1] = access_field_name(conf);
	util_csv_row(mem, 2, hdr);
	for (size_t i = 0; i < cnt; i++) {
		const struct bob_person *p = order[i];
		const char *cells[2];
		/* the importer matches on the work email: without one, a row
		 * cannot be imported */
		if (str_empty(p->email))
			continue;
		cells[0] = p->email;
		cells[1] = set_to != NULL ? set_to : access_cell(p);
		util_csv_row(mem, 2, cells);
		out->rows++;
		out->blanks += *cells[1] == '\0';
	}
	fclose(mem);
	free(order);
	return BS_OK;
}

char *
access_outcome_text(const struct access_result *r, const char *value, char *out,
    size_t outsz)
{
	switch (r->outcome) {
	case ACCESS_CHANGED:
		snprintf(out, outsz, "set to %s (was %s)", value, r->was);
		break;
	case ACCESS_SAME:
		snprintf(out, outsz, "already %s (HiBob changed nothing)", value);
		break;
	case ACCESS_NOT_FOUND:
		snprintf(out, outsz, "failed: no one with that email or id is visible to the "
		    "service user");
		break;
	case ACCESS_FAILED:
		snprintf(out, outsz, "failed: %s", r->message ? r->message : "");
		break;
	case ACCESS_NOT_TRIED:
	default:
		snprintf(out, outsz, "not tried");
		break;
	}
	return out;
}

char *
access_result_line(const struct access_result *r, const char *value, char *out,
    size_t outsz)
{
	char text[BS_ERROR_DETAIL_MAX + 128];

	snprintf(out, outsz, "%s: %s", r->who, access_outcome_text(r, value, text, sizeof text));
	return out;
}

/* Who in src an identifier names (HiBob id, or email with ASCII case
 * ignored), as roster_source_find, through two sorted indices so a bulk set
 * for 100,000 people does not scan the roster for each. */
struct finder {
	const struct roster_source *src;
	size_t *by_id, *by_email;
};

static const struct roster_source *finder_src;

/* Ties in row order, so the first person (as roster_source_find) is found
 * when two share an email. */
static int
by_row(size_t a, size_t b)
{
	return (a > b) - (a < b);
}

static int
cmp_id(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(finder_src->people.v[x].id, finder_src->people.v[y].id);
	return c ? c : by_row(x, y);
}

static const char *
email_of(const struct roster_source *src, size_t i)
{
	return src->people.v[i].email ? src->people.v[i].email : "";
}

static int
cmp_email(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcasecmp(email_of(finder_src, x), email_of(finder_src, y));
	return c ? c : by_row(x, y);
}

static void
finder_init(struct finder *f, const struct roster_source *src)
{
	size_t n = src->people.n;

	f->src = src;
	f->by_id = xcalloc(n + 1, sizeof *f->by_id);
	f->by_email = xcalloc(n + 1, sizeof *f->by_email);
	for (size_t i = 0; i < n; i++)
		f->by_id[i] = f->by_email[i] = i;
	finder_src = src;
	qsort(f->by_id, n, sizeof *f->by_id, cmp_id);
	qsort(f->by_email, n, sizeof *f->by_email, cmp_email);
}

/* The first of idx (sorted by key) whose key is who, or NULL. */
static const struct bob_person *
lower_bound(const struct roster_source *src, const size_t *idx, const char *who,
    int (*cmp)(const char *, const char *), const char *(*key)(const struct roster_source *,
    size_t))
{
	size_t lo = 0, hi = src->people.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp(key(src, idx[mid]), who) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < src->people.n && cmp(key(src, idx[lo]), who) == 0)
		return &src->people.v[idx[lo]];
	return NULL;
}

static const char *
id_of(const struct roster_source *src, size_t i)
{
	return src->people.v[i].id;
}

static const struct bob_person *
finder_find(const struct finder *f, const char *who)
{
	const struct bob_person *p = lower_bound(f->src, f->by_id, who, strcmp, id_of);

	if (p == NULL && *who != '\0')
		p = lower_bound(f->src, f->by_email, who, strcasecmp, email_of);
	return p;
}

static void
finder_free(struct finder *f)
{
	free(f->by_id);
	free(f->by_email);
}

bs_rc
access_set_run(struct bs_session *s, const struct roster_source *src,
    const char *value, const char *const *who, size_t n,
    const struct bs_progress *progress, access_result_fn each, void *ctx,
    struct access_tally *tally, struct bs_error *err)
{
	struct bob_client *bob;
	const char *item;
	int stop = 0, cancelled = 0;
	char phase[128];
	struct finder find;

	memset(tally, 0, sizeof *tally);
	if (session_bob(s, &bob, err) != BS_OK)
		return err->rc;
	if (src->access_field == NULL)
		return bs_fail(err, BS_ERR_CHECK_FAILED, "%s", src->field_problem);
	/* HiBob stores nothing written to a historical field (the column of
	 * a history table) and answers 304, as for a wrong path */
	if (src->access_field->historical)
		return bs_fail(err, BS_ERR_CHECK_FAILED, "HiBob's field settings say '%s' is a "
		    "historical field (kept as a history table): HiBob does not store a value "
		    "written to it, so bobsync will not try. Use a plain List field with the options "
		    "yes and no ('bobsync check' says how)", access_field_name(s->conf));
	item = bob_list_id_of(&src->access_list, value);
	if (item == NULL)
		return bs_fail(err, BS_ERR_CHECK_FAILED, "the list of '%s' has no option '%s' (or it "
		    "cannot be read): 'bobsync check' says how to fix the field",
		    access_field_name(s->conf), value);
	snprintf(phase, sizeof phase, "Setting %s to %s", access_field_name(s->conf), value);
	finder_init(&find, src);
	for (size_t i = 0; i < n; i++) {
		struct access_result r = { 0 };
		struct bs_error e = { 0 };
		struct bs_progress_event ev = { phase, i, n, who[i], (unsigned)tally->changed +
		    (unsigned)tally->same, (unsigned)tally->failed, 0 };
		char *shown = xstrdup(who[i]), *msg = NULL;
		int changed = 0;
		bs_rc rc;

		if (!stop && !cancelled && bs_progress_report(progress, &ev) != 0)
			cancelled = 1;
		util_strip_controls(shown);
		r.who = shown;
		r.p = finder_find(&find, who[i]);
		r.was = r.p != NULL && *access_cell(r.p) ? access_cell(r.p) : "unset";
		if (stop || cancelled) {
			r.outcome = ACCESS_NOT_TRIED;
		} else if (r.p == NULL) {
			r.outcome = ACCESS_NOT_FOUND;
		} else if ((rc = bob_update_field(bob, r.p->id, src->access_field->id, item,
		    &changed, &e)) != BS_OK) {
			msg = xstrdup(bs_error_text(&e));
			util_strip_controls(msg);
			r.message = msg;
			r.outcome = ACCESS_FAILED;
			/* HiBob blocks a caller that repeats 401/403: stop asking */
			if (rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN)
				stop = 1;
		} else if (changed) {
			r.outcome = ACCESS_CHANGED;
		} else if (strcasecmp(access_cell(r.p), value) == 0) {
			r.outcome = ACCESS_SAME;
		} else {
			/* 304 is also HiBob's answer to a wrong field path and to a
			 * historical field: nothing was stored */
			msg = xasprintf("HiBob answered 304 (not modified), but the value read before "
			    "was %s: nothing was stored (HiBob answers so for a field path it does "
			    "not know, or a historical field); 'bobsync check' checks the field",
			    r.was);
			util_strip_controls(msg);
			r.message = msg;
			r.outcome = ACCESS_FAILED;
		}
		if (r.outcome == ACCESS_CHANGED)
			tally->changed++;
		else if (r.outcome == ACCESS_SAME)
			tally->same++;
		else
			tally->failed++;
		if (each != NULL)
			each(ctx, &r);
		free(msg);
		free(shown);
	}
	finder_free(&find);
	if (cancelled)
		return bs_fail(err, BS_ERR_CANCELLED, "stopped: %zu changed, %zu already %s, "
		    "%zu not done", tally->changed, tally->same, value, tally->failed);
	return BS_OK;
}
