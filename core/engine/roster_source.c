/* roster_source.c - read the HiBob side of the roster and evaluate it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "vendor/hibob.h"
#include "base/log.h"
#include "engine/roster.h"
#include "engine/session.h"
#include "base/tz.h"
#include "base/util.h"

int
roster_is_budget_field_name(const char *name)
{
	const char *p, *end;

	if (name == NULL)
		return 0;
	if (str_starts(name, "alleo_monthly_"))
		p = name + strlen("alleo_monthly_");
	else if (str_starts(name, "alleo_oneoff_"))
		p = name + strlen("alleo_oneoff_");
	else
		return 0;
	end = strstr(p, "_budget");
	if (end == NULL || end == p || strcmp(end, "_budget") != 0)
		return 0;
	for (; p < end; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return 0;
	return 1;
}

struct zone_lookup {
	const char *site;
	int found;
	char zone[128];		/* copied: conf_pairs_each frees k and v */
};

static int
find_site_zone(void *ctx, const char *k, const char *v)
{
	struct zone_lookup *z = ctx;
	if (!z->found && str_eq_ci(k, z->site)) {
		snprintf(z->zone, sizeof z->zone, "%s", v);
		z->found = 1;
	}
	return 0;
}

const char *
roster_site_zone(const struct conf *conf, const char *site, char *buf, size_t bufsz)
{
	const char *pairs = conf ? conf_get(conf, "hibob.site_timezones") : NULL;
	struct zone_lookup z = { site, 0, "" };

	if (site == NULL || str_empty(pairs))
		return NULL;
	conf_pairs_each(pairs, find_site_zone, &z);
	if (!z.found)
		return NULL;
	snprintf(buf, bufsz, "%s", z.zone);
	return buf;
}

int64_t
roster_person_today(const struct conf *conf, const struct bob_person *p, int64_t now,
    const char **zone_name)
{
	const char *name = conf ? conf_get(conf, "hibob.default_timezone") : NULL;
	char site_zone[128];
	const struct tz *zone = NULL;

	if (p != NULL && roster_site_zone(conf, p->site, site_zone, sizeof site_zone) != NULL)
		name = site_zone;
	if (str_empty(name) || tz_get(name, &zone, NULL) != BS_OK) {
		name = "UTC";
		tz_get("UTC", &zone, NULL);
	}
	if (zone_name != NULL)
		*zone_name = zone ? tz_name(zone) : "UTC";
	return zone ? tz_local_days(zone, now) : now / 86400;
}

/* A person's local date depends only on their site: remember it for the
 * first sites seen instead of reading the settings once per person. */
#define TODAY_CACHE 32

struct today_cache {
	const char *site[TODAY_CACHE];	/* interned in text; NULL = no site */
	int64_t today[TODAY_CACHE];
	size_t n;
	struct arena *text;		/* the snapshot's: people may go, sites stay */
};

static int64_t
cached_today(struct today_cache *c, const struct conf *conf, const struct bob_person *p,
    int64_t now)
{
	int64_t t;

	for (size_t i = 0; i < c->n; i++)
		if (p->site == c->site[i] || (p->site != NULL && c->site[i] != NULL &&
		    strcmp(p->site, c->site[i]) == 0))
			return c->today[i];
	t = roster_person_today(conf, p, now, NULL);
	if (c->n < TODAY_CACHE) {
		c->site[c->n] = arena_intern_str(c->text, p->site);
		c->today[c->n++] = t;
	}
	return t;
}

/* The rules' options for this source and these settings. */
static void
rules_opts(const struct roster_source *src, const struct conf *conf,
    struct roster_rules_opts *o)
{
	memset(o, 0, sizeof *o);
	if (conf != NULL)
		o->prestart_days = (int)conf_get_int(conf, "alleo.prestart_days");
	o->lifecycle_list = src->lifecycle_list.n ? &src->lifecycle_list : NULL;
}

/* One person's verdict on their local date (returned), counted in src.
 * Without a usable eligibility field everyone's access is unreadable. */
static int64_t
evaluate_one(struct roster_source *src, struct bob_person *p, const struct conf *conf,
    const struct roster_rules_opts *o, struct today_cache *cache, int64_t now,
    struct roster_eval *e)
{
	int64_t today;

	if (src->access_field == NULL)
		p->access = BOB_ACCESS_UNREADABLE;
	today = cached_today(cache, conf, p, now);
	roster_evaluate(p, today, o, e);
	switch (e->verdict) {
	case ROSTER_ELIGIBLE: src->eligible++; break;
	case ROSTER_INELIGIBLE: src->ineligible++; break;
	case ROSTER_UNKNOWN: src->unknown++; break;
	}
	return today;
}

void
roster_source_evaluate(struct roster_source *src, const struct conf *conf, int64_t now)
{
	struct roster_rules_opts o;
	struct today_cache cache = { .n = 0, .text = &src->text };
	struct roster_eval e;

	rules_opts(src, conf, &o);
	free(src->evals);
	free(src->local_today);
	src->evals = xcalloc(src->people.n + 1, sizeof *src->evals);
	src->local_today = xcalloc(src->people.n + 1, sizeof *src->local_today);
	src->eligible = src->ineligible = src->unknown = 0;
	for (size_t i = 0; i < src->people.n; i++) {
		src->local_today[i] = evaluate_one(src, &src->people.v[i], conf, &o, &cache, now,
		    &e);
		roster_eval_keep(&src->text, &e, &src->evals[i]);
	}
}

void
roster_source_clear(struct roster_source *src)
{
	if (src == NULL)
		return;
	bob_fields_clear(&src->fields);
	bob_list_clear(&src->access_list);
	bob_list_clear(&src->lifecycle_list);
	bob_list_clear(&src->status_list);
	bob_strings_free(src->budget_ids, src->nbudget);
	bob_strings_free(src->budget_names, src->nbudget);
	bob_people_clear(&src->people);
	free(src->evals);
	free(src->local_today);
	arena_clear(&src->text);
	bob_strings_free(src->missing_sections, src->nmissing_sections);
	memset(src, 0, sizeof *src);
}

const struct bob_person *
roster_source_find(const struct roster_source *src, const char *who, size_t *index)
{
	if (who == NULL)
		return NULL;
	for (size_t i = 0; i < src->people.n; i++) {
		const struct bob_person *p = &src->people.v[i];
		if (str_eq(p->id, who) || str_eq_ci(p->email, who)) {
			if (index != NULL)
				*index = i;
			return p;
		}
	}
	return NULL;
}

/* The eligibility field by exact name (trimmed, case-insensitive). */
static void
pick_access_field(struct roster_source *src, const char *name)
{
	const struct bob_field *found = NULL;
	int matches = 0;

	for (size_t i = 0; i < src->fields.n; i++) {
		char *t = xstrdup(src->fields.v[i].name ? src->fields.v[i].name : "");
		if (str_eq_ci(str_trim(t), name)) {
			found = &src->fields.v[i];
			matches++;
		}
		free(t);
	}
	if (matches == 0) {
		snprintf(src->field_problem, sizeof src->field_problem,
		    "HiBob has no employee field named '%s'", name);
	} else if (matches > 1) {
		snprintf(src->field_problem, sizeof src->field_problem,
		    "HiBob has %d fields named '%s'; keep one", matches, name);
	} else if (found->type == NULL || (strcmp(found->type, "list") != 0 &&
	    strcmp(found->type, "multi-list") != 0)) {
		snprintf(src->field_problem, sizeof src->field_problem,
		    "the field '%s' is a %s field, not a List", name,
		    found->type ? found->type : "untyped");
	} else {
		src->access_field = found;
	}
}

static void
add_budget(struct roster_source *src, const struct bob_field *f)
{
	src->budget_ids = xreallocarray(src->budget_ids, src->nbudget + 1, sizeof *src->budget_ids);
	src->budget_names = xreallocarray(src->budget_names, src->nbudget + 1,
	    sizeof *src->budget_names);
	src->budget_ids[src->nbudget] = xstrdup(f->id);
	src->budget_names[src->nbudget] = xstrdup(f->name);
	src->nbudget++;
}

static int
is_numeric_type(const char *t)
{
	return t != NULL && (strcmp(t, "number") == 0 || strcmp(t, "currency") == 0);
}

static void
pick_budget_fields(struct roster_source *src, const char *setting)
{
	char *list, *save = NULL, *tok;

	if (setting == NULL || str_eq_ci(setting, "auto")) {
		for (size_t i = 0; i < src->fields.n; i++)
			if (roster_is_budget_field_name(src->fields.v[i].name) &&
			    is_numeric_type(src->fields.v[i].type))
				add_budget(src, &src->fields.v[i]);
		return;
	}
	if (str_eq_ci(setting, "none"))
		return;
	list = xstrdup(setting);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const char *name = str_trim(tok);
		const struct bob_field *f = NULL;
		for (size_t i = 0; i < src->fields.n && f == NULL; i++)
			if (str_eq_ci(src->fields.v[i].name, name))
				f = &src->fields.v[i];
		if (f != NULL)
			add_budget(src, f);
		else if (src->budget_problem[0] == '\0')
			snprintf(src->budget_problem, sizeof src->budget_problem,
			    "alleo.budget_fields names '%s', which HiBob does not have", name);
	}
	free(list);
}

/* Sections (category display names) whose requested fields came back for
 * nobody. */
static void
collect_missing_sections(struct roster_source *src)
{
	for (size_t i = 0; i < src->people.nmissing; i++) {
		struct bob_omission *m = &src->people.missing[i];
		const char *section = NULL;
		int dup = 0;

		for (size_t k = 0; k < src->fields.n && section == NULL; k++)
			if (str_eq(src->fields.v[k].id, m->field_id))
				section = src->fields.v[k].category_name;
		if (section == NULL)
			section = m->field_id;
		free(m->category_name);
		m->category_name = xstrdup(section);
		for (size_t k = 0; k < src->nmissing_sections; k++)
			dup |= str_eq(src->missing_sections[k], section);
		if (dup)
			continue;
		src->missing_sections = xreallocarray(src->missing_sections,
		    src->nmissing_sections + 1, sizeof *src->missing_sections);
		src->missing_sections[src->nmissing_sections++] = xstrdup(section);
	}
}

static bs_rc
status_list(struct bob_client *bob, const struct bob_fields *f, const char *field_id,
    struct bob_list *out, struct bs_error *err)
{
	struct bs_error lerr = { 0 };

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < f->n; i++) {
		if (!str_eq(f->v[i].id, field_id) || str_empty(f->v[i].list_id))
			continue;
		if (bob_get_list(bob, f->v[i].list_id, out, &lerr) == BS_OK)
			return BS_OK;
		if (lerr.rc == BS_ERR_AUTH || lerr.rc == BS_ERR_FORBIDDEN) {
			*err = lerr;
			return lerr.rc;
		}
		log_warn("cannot read the list of %s: %s", field_id, bs_error_text(&lerr));
		return BS_OK;
	}
	return BS_OK;
}

bs_rc
roster_status_lists(struct bob_client *bob, const struct bob_fields *f,
    struct bob_list *lifecycle, struct bob_list *status, struct bs_error *err)
{
	bs_rc rc = status_list(bob, f, "internal.lifecycleStatus", lifecycle, err);

	if (rc == BS_OK)
		rc = status_list(bob, f, "internal.status", status, err);
	if (rc != BS_OK)
		bob_list_clear(lifecycle);
	return rc;
}

/* The fields, the eligibility field and its list, the status lists, the
 * budget fields: everything but the people.  *bob is the session's. */
static bs_rc
fetch_meta(struct bs_session *s, const struct bs_progress *progress,
    struct roster_source *out, struct bob_client **bob, struct bob_people_query *q,
    struct bs_error *err)
{
	const char *name;
	bs_rc rc;
	struct bs_progress_event ev = { .phase = "Reading HiBob field settings" };

	memset(out, 0, sizeof *out);
	memset(q, 0, sizeof *q);
	rc = session_bob(s, bob, err);
	if (rc != BS_OK)
		return rc;
	bs_progress_report(progress, &ev);
	rc = bob_get_fields(*bob, &out->fields, err);
	if (rc != BS_OK)
		return rc;
	name = conf_get(s->conf, "hibob.eligibility_field");
	pick_access_field(out, name ? name : "alleo_access");
	if (out->access_field != NULL && out->access_field->list_id != NULL) {
		struct bs_error lerr = { 0 };
		if (bob_get_list(*bob, out->access_field->list_id, &out->access_list, &lerr) != BS_OK) {
			if (lerr.rc == BS_ERR_AUTH || lerr.rc == BS_ERR_FORBIDDEN) {
				*err = lerr;
				return lerr.rc;
			}
			/* values may still be readable through humanReadable */
			log_warn("cannot read the options of '%s': %s", name, bs_error_text(&lerr));
		}
	}
	rc = roster_status_lists(*bob, &out->fields, &out->lifecycle_list, &out->status_list, err);
	if (rc != BS_OK)
		return rc;
	pick_budget_fields(out, conf_get(s->conf, "alleo.budget_fields"));

	q->access_field_id = out->access_field ? out->access_field->id : NULL;
	q->access_list = out->access_list.n ? &out->access_list : NULL;
	q->budget_field_ids = (const char *const *)out->budget_ids;
	q->budget_field_names = (const char *const *)out->budget_names;
	q->nbudget = out->nbudget;
	return BS_OK;
}

bs_rc
roster_source_fetch(struct bs_session *s, const struct bs_progress *progress,
    struct roster_source *out, struct bs_error *err)
{
	struct bob_client *bob;
	struct bob_people_query q;
	bs_rc rc;

	rc = fetch_meta(s, progress, out, &bob, &q, err);
	if (rc != BS_OK)
		goto fail;
	rc = bob_search_people(bob, &q, &out->people, progress, err);
	if (rc != BS_OK)
		goto fail;
	collect_missing_sections(out);
	out->fetched_at = clock_now();
	roster_source_evaluate(out, s->conf, out->fetched_at);
	return BS_OK;
fail:
	roster_source_clear(out);
	return rc;
}

/* ---- read for a plan only: each person evaluated and diffed as read ---- */

static const char *const plan_fields[] = {
	"root.id", "root.email", "root.firstName", "root.surname", "root.displayName",
	"work.site", "work.startDate",
	"internal.lifecycleStatus", "internal.status", "internal.terminationDate",
};

struct stream {
	struct roster_source *src;
	const struct conf *conf;
	struct roster_rules_opts o;
	struct today_cache cache;
	int64_t now;
	struct roster_differ *d;
	long mark[3];		/* eligible, ineligible, unknown at the mark */
};

static void
stream_mark(void *v)
{
	struct stream *st = v;

	st->mark[0] = st->src->eligible;
	st->mark[1] = st->src->ineligible;
	st->mark[2] = st->src->unknown;
	roster_differ_mark(st->d);
}

static void
stream_reset(void *v)
{
	struct stream *st = v;

	st->src->eligible = st->mark[0];
	st->src->ineligible = st->mark[1];
	st->src->unknown = st->mark[2];
	roster_differ_reset(st->d);
}

static void
stream_person(void *v, const struct bob_person *person)
{
	struct stream *st = v;
	struct bob_person p = *person;
	struct roster_kept_eval k;
	struct roster_eval e;
	int64_t today;

	today = evaluate_one(st->src, &p, st->conf, &st->o, &st->cache, st->now, &e);
	roster_eval_view(&e, &k);	/* the diff copies what it keeps */
	roster_differ_person(st->d, &p, &k, today);
}

bs_rc
roster_source_stream(struct bs_session *s, const struct bs_progress *progress,
    struct roster_source *out, roster_stream_fn before, void *before_ctx,
    struct roster_differ *d, struct bs_error *err)
{
	struct bob_client *bob;
	struct bob_people_query q;
	struct stream st;
	bs_rc rc;

	rc = fetch_meta(s, progress, out, &bob, &q, err);
	if (rc != BS_OK)
		return rc;
	if (before != NULL)
		before(before_ctx, out);
	memset(&st, 0, sizeof st);
	st.src = out;
	st.conf = s->conf;
	rules_opts(out, s->conf, &st.o);
	st.cache.text = &out->text;
	st.d = d;
	d->src = out;
	d->copy = 1;	/* the people go as soon as they are diffed */
	out->fetched_at = clock_now();
	st.now = out->fetched_at;
	/* the fields a plan decides on: not work.department, which only the
	 * previews and explain show (a tenth of each person's bytes) */
	q.only_fields = plan_fields;
	q.nonly = ARRAY_LEN(plan_fields);
	q.each = stream_person;
	q.each_mark = stream_mark;
	q.each_reset = stream_reset;
	q.each_ctx = &st;
	rc = bob_search_people(bob, &q, &out->people, progress, err);
	if (rc != BS_OK)
		return rc;
	collect_missing_sections(out);
	return BS_OK;
}
