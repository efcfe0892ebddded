/* explain.c - one person's account explained (explain.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/conf.h"
#include "admin/explain.h"
#include "engine/session.h"
#include "store/store.h"
#include "base/text.h"
#include "base/util.h"

const char *
explain_pass_word(int pass)
{
	return pass > 0 ? "pass" : pass == 0 ? "fail" : "unknown";
}

/* The one person whose name is who (case ignored), else the one whose name
 * holds it; NULL with err filled when none or several. */
static const struct bob_person *
find_by_name(const struct roster_source *src, const char *who, size_t *idx,
    struct explain *out, struct bs_error *err)
{
	size_t exact = 0, part = 0, at_exact = 0, at_part = 0;
	struct strbuf some;
	char *names;

	for (size_t i = 0; i < src->people.n; i++) {
		char *n = bob_person_name(&src->people.v[i]);
		if (strcasecmp(n, who) == 0 && exact++ == 0)
			at_exact = i;
		if (strcasestr(n, who) != NULL && part++ == 0)
			at_part = i;
		free(n);
	}
	if (exact == 1 || (exact == 0 && part == 1)) {
		*idx = exact == 1 ? at_exact : at_part;
		return &src->people.v[*idx];
	}
	if (exact + part == 0) {
		bs_fail(err, BS_ERR_NOT_FOUND, "no one with that name, email or id is visible to the "
		    "service user");
		return NULL;
	}
	sb_init(&some, 1024);
	out->matches = xcalloc(EXPLAIN_MAX_MATCHES, sizeof *out->matches);
	for (size_t i = 0, shown = 0; i < src->people.n && out->nmatches < EXPLAIN_MAX_MATCHES;
	    i++) {
		char *n = bob_person_name(&src->people.v[i]);
		if (exact ? strcasecmp(n, who) == 0 : strcasestr(n, who) != NULL) {
			if (shown < 3)
				sb_printf(&some, "%s%s", shown++ ? ", " : "", n);
			out->matches[out->nmatches++] = i;
		}
		free(n);
	}
	names = sb_detach(&some);
	util_strip_controls(names);
	bs_fail(err, BS_ERR_NOT_FOUND, "%zu people match '%s' (%s%s): type more of the name, or "
	    "the email", exact ? exact : part, who, names, (exact ? exact : part) > 3 ? ", ..." : "");
	free(names);
	return NULL;
}

bs_rc
explain_run(struct bs_session *s, const char *who, unsigned flags,
    const struct bs_progress *progress, struct explain *out, struct bs_error *err)
{
	struct bs_error perr = { 0 };

	memset(out, 0, sizeof *out);
	plan_init(&out->plan, "alleo");
	if (roster_source_fetch(s, progress, &out->src, err) != BS_OK)
		return err->rc;
	out->p = roster_source_find(&out->src, who, &out->idx);
	if (out->p == NULL && (flags & EXPLAIN_BY_NAME) && !str_empty(who) &&
	    strchr(who, '@') == NULL && (out->p = find_by_name(&out->src, who, &out->idx, out, err)) == NULL)
		return err->rc;
	if (out->p == NULL) {
		out->have_gone = store_roster_get(s->store, who, &out->gone, NULL) == BS_OK ||
		    store_roster_find_email(s->store, who, &out->gone, NULL) == BS_OK;
		return bs_fail(err, BS_ERR_NOT_FOUND, "no one with that email or id is visible to "
		    "the service user");
	}
	out->name = bob_person_name(out->p);
	out->have_row = store_roster_get(s->store, out->p->id, &out->row, NULL) == BS_OK;
	out->mode = conf_get(s->conf, "alleo.mode");
	if (str_eq(out->mode, "scim")) {
		struct scim_client *sc;
		struct bs_error le = { 0 };
		out->live.asked = 1;
		if (session_scim(s, &sc, &le) != BS_OK ||
		    scim_find_user(sc, out->p->id, NULL, &out->live.u, &out->live.found, &le) != BS_OK)
			snprintf(out->live.error, sizeof out->live.error, "%s", bs_error_text(&le));
	}
	/* the action from the same plan code the sync runs */
	if (roster_plan(s, &out->src, &out->plan, &perr) == BS_OK) {
		for (size_t i = 0; i < out->plan.n && out->act == NULL; i++)
			if (str_eq(out->plan.v[i].subject, out->p->id))
				out->act = &out->plan.v[i];
		for (size_t i = 0; i < out->plan.nheld && out->held == NULL; i++)
			if (str_eq(out->plan.held[i].employee_id, out->p->id))
				out->held = &out->plan.held[i];
	} else {
		snprintf(out->plan_error, sizeof out->plan_error, "%s", bs_error_text(&perr));
	}
	return BS_OK;
}

void
explain_clear(struct explain *x)
{
	roster_row_clear(&x->row);
	roster_row_clear(&x->gone);
	scim_user_clear(&x->live.u);
	plan_clear(&x->plan);
	roster_source_clear(&x->src);
	free(x->name);
	free(x->matches);
	memset(x, 0, sizeof *x);
}

char *
explain_gone_text(const struct explain *x, const char *who)
{
	if (!x->have_gone)
		return NULL;
	return xasprintf("the roster still has %s (HiBob id %s) as %s in Alleo: HiBob no longer "
	    "shows them, so it is held, never removed automatically",
	    x->gone.email ? x->gone.email : who, x->gone.employee_id,
	    x->gone.active ? "active" : "deactivated");
}

/* A value's name, indented, padded to the column of the values (lw
 * columns; a longer one gets a single space). */
static void
label(FILE *f, int lw, const char *name)
{
	int w = text_width(name);

	fprintf(f, "  %s%*s ", name, w < lw ? lw - w : 0, "");
}

char *
explain_text(const struct explain *x, const struct conf *conf)
{
	const struct bob_person *p = x->p;
	const struct roster_kept_eval *e = &x->src.evals[x->idx];
	const struct roster_row *row = &x->row;
	const struct explain_live *lv = &x->live;
	const char *zone = NULL, *mode = x->mode;
	char today[11], *name = xstrdup(x->name), *buf = NULL;
	int lw;
	int other = p->access_value && p->access != BOB_ACCESS_YES && p->access != BOB_ACCESS_NO;
	size_t len = 0;
	struct util_clean_pool cp = { 0 };
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL) {
		free(name);
		return xstrdup("");
	}
#define C(s) util_clean_pool(&cp, (s))
	roster_person_today(conf, p, x->src.fetched_at ? x->src.fetched_at : clock_now(), &zone);
	date_format(x->src.local_today[x->idx], today);
	/* every remote string through the one sanitiser, as one line */
	util_sanitize(name, strlen(name), name, 0, NULL);
	fprintf(f, "%s <%s>, HiBob id %s\n\n", name, C(p->email ? p->email : "no work email"),
	    C(p->id));
	/* the values in one column, after the longest name (a budget field's
	 * may be longer than the fixed ones) */
	lw = (int)strlen("termination date");
	for (size_t k = 0; k < p->nbudgets; k++) {
		int w = text_width(C(p->budgets[k].field));
		if (w > lw)
			lw = w > 40 ? 40 : w;
	}
	fprintf(f, "In HiBob\n");
	label(f, lw, "alleo_access");
	fprintf(f, "%s%s%s\n", bob_access_name(p->access), other ? " " : "",
	    other ? C(p->access_value) : "");
	label(f, lw, "lifecycle");
	fprintf(f, "%s\n", p->lifecycle ? C(p->lifecycle) : "(none)");
	label(f, lw, "start date");
	fprintf(f, "%s\n", p->start_date ? C(p->start_date) : "(none)");
	label(f, lw, "termination date");
	fprintf(f, "%s\n", p->termination_date ? C(p->termination_date) : "(none)");
	label(f, lw, "site");
	fprintf(f, "%s\n", p->site ? C(p->site) : "(none)");
	label(f, lw, "time zone");
	fprintf(f, "%s (local date %s)\n", zone ? C(zone) : "UTC", today);
	for (size_t k = 0; k < p->nbudgets; k++) {
		label(f, lw, C(p->budgets[k].field));
		if (p->budgets[k].set)
			fprintf(f, "%.2f\n", p->budgets[k].amount);
		else
			fprintf(f, "(none)\n");
	}
	fprintf(f, "\nEligibility: %s\n", roster_verdict_name(e->verdict));
	for (size_t k = 0; k < ARRAY_LEN(e->rules); k++) {
		char words[600];
		fprintf(f, "  [%-7s] %s\n", explain_pass_word(e->rules[k].pass),
		    C(roster_rule_words(&e->rules[k], words, sizeof words)));
	}
	fprintf(f, "\nIn Alleo (alleo.mode %s)\n", mode ? mode : "off");
	if (!x->have_row)
		fprintf(f, "  never sent to Alleo by bobsync\n");
	else
		fprintf(f, "  %s%s%s%s%s\n", row->active ? "active" : "deactivated",
		    row->offboard_date ? ", offboarding date " : "",
		    row->offboard_date ? C(row->offboard_date) : "",
		    row->remote_id ? ", Alleo id " : "", row->remote_id ? C(row->remote_id) : "");
	if (lv->asked) {
		if (lv->error[0])
			fprintf(f, "  live lookup failed: %s\n", C(lv->error));
		else if (!lv->found)
			fprintf(f, "  Alleo has no account for HiBob id %s\n", C(p->id));
		else
			fprintf(f, "  Alleo has user %s (%s, %s)\n", C(lv->u.id),
			    lv->u.user_name ? C(lv->u.user_name) : "?", lv->u.active ? "active" :
			    "inactive");
	}
	fprintf(f, "\nA sync now would: ");
	if (x->act != NULL)
		fprintf(f, "%s (%s)\n", plan_op_name(x->act->op), C(x->act->reason));
	else if (x->held != NULL)
		fprintf(f, "hold (%s)\n", C(x->held->reason));
	else
		fprintf(f, "nothing (%s)\n", C(e->reason));
	fclose(f);
	free(name);
	util_clean_pool_clear(&cp);
	return buf;
#undef C
}
