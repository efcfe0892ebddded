/* checks.c - setup checks against the live services. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vendor/alleo_csv.h"
#include "vendor/assembled.h"
#include "admin/checks.h"
#include "config/conf.h"
#include "vendor/hibob.h"
#include "base/log.h"
#include "engine/roster.h"
#include "rules/roster_rules.h"
#include "vendor/scim.h"
#include "engine/session.h"
#include "engine/timeoff_sync.h"
#include "base/util.h"
#include "config/vault.h"
#include "net/webhook.h"

static const struct {
	const char *id;
	const char *title;
} check_info[CHECK_COUNT] = {
	[CHECK_HIBOB_AUTH] = { "hibob.auth", "HiBob accepts the Service User" },
	[CHECK_HIBOB_FIELD] = { "hibob.field", "The eligibility field exists as a yes/no List" },
	[CHECK_HIBOB_PERMISSIONS] = { "hibob.permissions", "The permission group can view every section needed" },
	[CHECK_HIBOB_LIFECYCLE_AUDIENCE] = { "hibob.lifecycle_audience", "Hired and terminated people are visible" },
	[CHECK_HIBOB_SITE_ZONES] = { "hibob.site_timezones", "Every site has its time zone" },
	[CHECK_HIBOB_TIMEOFF] = { "hibob.timeoff", "Time off can be read" },
	[CHECK_HIBOB_TIMEOFF_DETAIL] = { "hibob.timeoff_detail", "Each time-off request's details can be read" },
	[CHECK_HIBOB_TIMEOFF_PRIVATE] = { "hibob.timeoff_private", "Time off under private policies is visible" },
	[CHECK_ASSEMBLED_AUTH] = { "assembled.auth", "Assembled accepts the API key" },
	[CHECK_ASSEMBLED_TIMEOFF_TYPE] = { "assembled.timeoff_type", "Assembled has the time-off event types" },
	[CHECK_ASSEMBLED_DELETE] = { "assembled.delete", "Assembled lets bobsync delete events by id" },
	[CHECK_ALLEO_TARGET] = { "alleo.target", "The Alleo delivery target works" },
	[CHECK_ALLEO_SCIM_AUTH] = { "alleo.scim_auth", "Alleo's token endpoint takes the client credentials" },
	[CHECK_ALLEO_SCIM_SCHEMAS] = { "alleo.scim_schemas", "Alleo's SCIM service takes what is sent (schemas, PATCH)" },
	[CHECK_ALLEO_SCIM_FILTERS] = { "alleo.scim_filters", "Alleo's SCIM service finds people by filter" },
	[CHECK_ALLEO_SCIM_BULK] = { "alleo.scim_bulk", "Whether Alleo takes SCIM bulk requests" },
	[CHECK_WEBHOOK_RECEIVER] = { "webhook.receiver", "The daemon receives HiBob's webhooks" },
};

/* The sections the sync reads, by their name in Bob's permission screens. */
static const char *const needed_sections[] = { "Personal", "Work", "Employment", "Lifecycle" };

const char *
check_status_name(enum check_status s)
{
	switch (s) {
	case CHECK_PASS: return "pass";
	case CHECK_WARN: return "warn";
	case CHECK_FAIL: return "fail";
	case CHECK_SKIP: return "skip";
	}
	return "?";
}

const char *
check_id_name(enum check_id id)
{
	return (unsigned)id < CHECK_COUNT ? check_info[id].id : "?";
}

const char *
check_title(enum check_id id)
{
	return (unsigned)id < CHECK_COUNT ? check_info[id].title : "?";
}

static void
set(struct check_report *r, enum check_id id, enum check_status st, const char *remedy,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
set(struct check_report *r, enum check_id id, enum check_status st, const char *remedy,
    const char *fmt, ...)
{
	struct check_result *c = &r->v[id];
	va_list ap;

	free(c->detail);
	free(c->remedy);
	c->status = st;
	va_start(ap, fmt);
	c->detail = xvasprintf(fmt, ap);
	va_end(ap);
	c->remedy = xstrdup(remedy);
	if (st == CHECK_FAIL)
		r->ok = 0;
}

/* Letters and digits only, lower case: "Alleo Access" -> "alleoaccess". */
static void
squash(const char *in, char *out, size_t outsz)
{
	size_t n = 0;

	for (; in && *in && n + 1 < outsz; in++)
		if (isalnum((unsigned char)*in))
			out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
}

int
check_name_is_near(const char *name, const char *want)
{
	char a[64], b[64], wprefix[64];
	const char *us;

	if (name == NULL || want == NULL)
		return 0;
	squash(name, a, sizeof a);
	squash(want, b, sizeof b);
	if (a[0] == '\0')
		return 0;
	if (strcmp(a, b) == 0 || str_edit_distance(a, b, 98) <= 2)
		return 1;
	/* "alleo" for "alleo_access": the first word alone (the vendor's
	 * old screenshot shows that mistake) */
	us = strchr(want, '_');
	if (us != NULL && (size_t)(us - want) < sizeof wprefix) {
		char *first = xstrndup(want, (size_t)(us - want));
		squash(first, wprefix, sizeof wprefix);
		free(first);
		if (strcmp(a, wprefix) == 0)
			return 1;
	}
	return 0;
}

static int
is_list_type(const char *t)
{
	return t != NULL && (strcmp(t, "list") == 0 || strcmp(t, "multi-list") == 0);
}

/* Fill hibob.field from field metadata and its list. */
static void
check_field(struct check_report *r, struct bob_client *bob, const struct bob_fields *f,
    const char *want, const struct bob_field **found_out, struct bob_list *list)
{
	const struct bob_field *found = NULL, *near = NULL;
	int matches = 0;
	char remedy[512];
	struct check_result *c = &r->v[CHECK_HIBOB_FIELD];

	*found_out = NULL;
	for (size_t i = 0; i < f->n; i++) {
		char *t = xstrdup(f->v[i].name ? f->v[i].name : "");
		if (str_eq_ci(str_trim(t), want)) {
			found = &f->v[i];
			matches++;
		} else if (near == NULL && check_name_is_near(f->v[i].name, want)) {
			near = &f->v[i];
		}
		free(t);
	}
	if (matches == 0 && near != NULL) {
		c->code = xstrdup("misnamed");
		snprintf(remedy, sizeof remedy,
		    "In Bob: Settings > Company > Employee Fields > %s: rename the field '%s' to '%s' "
		    "(all lowercase, no spaces), then run the check again.",
		    near->category_name ? near->category_name : "Work", near->name, want);
		set(r, CHECK_HIBOB_FIELD, CHECK_FAIL, remedy,
		    "There is no field named '%s', but there is one named '%s'.", want, near->name);
		return;
	}
	if (matches == 0) {
		c->code = xstrdup("missing");
		snprintf(remedy, sizeof remedy,
		    "In Bob: Settings > Company > Employee Fields > Work: add a field named '%s' "
		    "(all lowercase, no spaces) of type List with the options yes and no. It can be "
		    "limited to some departments. Then run the check again.", want);
		set(r, CHECK_HIBOB_FIELD, CHECK_FAIL, remedy,
		    "HiBob has no employee field named '%s' (%zu fields visible).", want, f->n);
		return;
	}
	if (matches > 1) {
		c->code = xstrdup("duplicate");
		snprintf(remedy, sizeof remedy,
		    "In Bob: Settings > Company > Employee Fields: keep one field named '%s' and "
		    "rename or delete the others.", want);
		set(r, CHECK_HIBOB_FIELD, CHECK_FAIL, remedy,
		    "HiBob has %d fields named '%s'; bobsync cannot tell which one to use.", matches, want);
		return;
	}
	if (!is_list_type(found->type)) {
		c->code = xstrdup("not_list");
		snprintf(remedy, sizeof remedy,
		    "A field's type cannot be changed in Bob. In Settings > Company > Employee Fields > "
		    "%s, rename the %s field '%s' (for example to '%s_old'), add a new List field named "
		    "'%s' with the options yes and no, and fill it in (People > Import can do that in "
		    "bulk; 'bobsync access export' writes the file).",
		    found->category_name ? found->category_name : "Work",
		    found->type ? found->type : "", want, want, want);
		set(r, CHECK_HIBOB_FIELD, CHECK_FAIL, remedy,
		    "The field '%s' is a %s field; it must be a List with the options yes and no.",
		    want, found->type ? found->type : "untyped");
		return;
	}
	*found_out = found;
	if (found->list_id != NULL) {
		struct bs_error lerr = { 0 };
		if (bob_get_list(bob, found->list_id, list, &lerr) == BS_OK) {
			int yes = 0, no = 0;
			struct strbuf others;
			sb_init(&others, 400);
			sb_append(&others, "", 0);
			for (size_t i = 0; i < list->n; i++) {
				char *t = xstrdup(list->items[i].name);
				const char *nm = str_trim(t);
				if (list->items[i].archived) {
					free(t);
					continue;
				}
				if (strcasecmp(nm, "yes") == 0)
					yes = 1;
				else if (strcasecmp(nm, "no") == 0)
					no = 1;
				else
					sb_printf(&others, "%s'%s'", others.len ? ", " : "", nm);
				free(t);
			}
			if (!yes || !no) {
				c->code = xstrdup("bad_options");
				snprintf(remedy, sizeof remedy,
				    "In Bob: Settings > Company > Lists > the list of '%s': make the options "
				    "exactly yes and no (lowercase), then run the check again.", want);
				set(r, CHECK_HIBOB_FIELD, CHECK_FAIL, remedy,
				    "The List field '%s' has the options %s%s%s; it needs yes and no.",
				    want, others.len ? others.buf : "(none)",
				    yes ? " and yes" : "", no ? " and no" : "");
				sb_clear(&others);
				return;
			}
			if (others.len > 0) {
				snprintf(remedy, sizeof remedy,
				    "Remove the other options from the list of '%s', or leave them: people with "
				    "those values are held and reported, never removed.", want);
				set(r, CHECK_HIBOB_FIELD, CHECK_WARN, remedy,
				    "'%s' has yes and no, and also %s.", want, others.buf);
				sb_clear(&others);
				return;
			}
			sb_clear(&others);
		} else if (lerr.rc == BS_ERR_AUTH || lerr.rc == BS_ERR_FORBIDDEN) {
			set(r, CHECK_HIBOB_FIELD, CHECK_FAIL, NULL, "%s", bs_error_text(&lerr));
			return;
		}
	}
	if (found->historical) {
		/* readable, but PUT stores nothing (HiBob answers 304) */
		snprintf(remedy, sizeof remedy,
		    "The sync only reads '%s', so it works. To set it from bobsync ('bobsync access "
		    "set'), use a plain (not historical) List field: in Bob, Settings > Company > "
		    "Employee Fields, add one with the options yes and no outside a history table.",
		    want);
		set(r, CHECK_HIBOB_FIELD, CHECK_WARN, remedy, "'%s' is a historical List field in %s "
		    "with yes and no: HiBob does not store values written to it through the API.",
		    want, found->category_name ? found->category_name : "Work");
		return;
	}
	set(r, CHECK_HIBOB_FIELD, CHECK_PASS, NULL, "'%s' is a List field in %s with yes and no.",
	    want, found->category_name ? found->category_name : "Work");
}

/* Is the field's category one of the named section? */
static int
in_section(const struct bob_field *f, const char *section)
{
	return str_eq_ci(f->category_name, section) || str_eq_ci(f->category, section);
}

static void
add_missing(struct check_result *c, const char *section)
{
	for (size_t i = 0; i < c->nmissing; i++)
		if (str_eq(c->missing[i], section))
			return;
	c->missing = xreallocarray(c->missing, c->nmissing + 1, sizeof *c->missing);
	c->missing[c->nmissing++] = xstrdup(section);
}

struct site_count {
	const char *site;	/* the first person's text: borrowed */
	size_t people;
	int zoned;		/* hibob.site_timezones names it */
};

static int
site_count_cmp(const void *a, const void *b)
{
	const struct site_count *x = a, *y = b;

	if (x->people != y->people)
		return x->people > y->people ? -1 : 1;
	return strcmp(x->site, y->site);
}

/* A person's start and last day are dates in their site's zone
 * (design.md): a site the settings do not name is dated in
 * hibob.default_timezone, UTC unless set, so a leaver eight hours west
 * of it would go in the afternoon before their last day ended.  A
 * default the admin set is their choice for every site not named. */
static void
check_site_zones(struct check_report *r, const struct conf *conf, const struct bob_people *people)
{
	struct str_index ix = { .fold = 1 };
	struct site_count *v = NULL;
	size_t nv = 0, cap = 0, unzoned = 0, unzoned_people = 0;
	const char *def = conf_get(conf, "hibob.default_timezone");
	int def_set = conf_is_set(conf, "hibob.default_timezone");
	char zone[128];

	for (size_t i = 0; i < people->n; i++) {
		const char *site = people->v[i].site;
		size_t at;
		if (str_empty(site))
			continue;
		at = str_index_put(&ix, site, nv);
		if (at == nv) {
			if (nv == cap) {
				cap = cap ? 2 * cap : 16;
				v = xreallocarray(v, cap, sizeof *v);
			}
			v[nv].site = site;
			v[nv].people = 0;
			v[nv].zoned = roster_site_zone(conf, site, zone, sizeof zone) != NULL;
			nv++;
		}
		v[at].people++;
	}
	for (size_t k = 0; k < nv; k++)
		if (!v[k].zoned) {
			unzoned++;
			unzoned_people += v[k].people;
		}
	if (str_empty(def))
		def = "UTC";
	if (nv == 0) {
		set(r, CHECK_HIBOB_SITE_ZONES, def_set ? CHECK_PASS : CHECK_WARN, def_set ? NULL :
		    "Set the company's time zone: bobsync config set hibob.default_timezone "
		    "Europe/Amsterdam (for example), or in the console's Settings.",
		    "No one has a site: every start and last day is taken in %s "
		    "[hibob.default_timezone].", def);
	} else if (unzoned == 0) {
		set(r, CHECK_HIBOB_SITE_ZONES, CHECK_PASS, NULL, "All %zu sites have a time zone "
		    "[hibob.site_timezones].", nv);
	} else if (def_set) {
		set(r, CHECK_HIBOB_SITE_ZONES, CHECK_PASS, NULL, "%zu of %zu sites (%zu people) are "
		    "dated in %s, the zone set for sites not listed [hibob.default_timezone].",
		    unzoned, nv, unzoned_people, def);
	} else {
		struct strbuf list, value, rem;
		const char *have = conf_get(conf, "hibob.site_timezones");
		size_t shown = 0, named = 0;
		sb_init(&list, 0);
		sb_init(&value, 0);
		sb_init(&rem, 0);
		qsort(v, nv, sizeof *v, site_count_cmp);
		for (size_t k = 0; k < nv && shown < 5; k++) {
			if (v[k].zoned)
				continue;
			sb_printf(&list, "%s%s", shown ? ", " : "", v[k].site);
			shown++;
		}
		if (unzoned > shown)
			sb_printf(&list, " and %zu more", unzoned - shown);
		/* the value to set: the pairs there are, then each site without
		 * a zone (the largest twenty) for the admin to complete */
		sb_puts(&value, str_empty(have) ? "" : have);
		for (size_t k = 0; k < nv && named < 20; k++) {
			if (v[k].zoned || strchr(v[k].site, '=') != NULL || strchr(v[k].site, ',') != NULL ||
			    strchr(v[k].site, '\'') != NULL)
				continue;	/* a name the setting cannot hold as it is */
			sb_printf(&value, "%s%s=ZONE", value.len ? "," : "", v[k].site);
			named++;
		}
		sb_printf(&rem, "Set hibob.site_timezones in Settings, or: bobsync config set "
		    "hibob.site_timezones '%s', each ZONE replaced by its site's zone "
		    "(Europe/Amsterdam, America/New_York, Asia/Kolkata...), the sites named as HiBob "
		    "shows them. If every site is in one zone, setting hibob.default_timezone to it "
		    "is enough.", value.buf ? value.buf : "");
		set(r, CHECK_HIBOB_SITE_ZONES, CHECK_WARN, rem.buf,
		    "%zu of %zu sites (%zu %s) have no time zone: %s. Their start and last days are "
		    "taken in %s [hibob.default_timezone]: near midnight, a day off.", unzoned, nv,
		    unzoned_people, unzoned_people == 1 ? "person" : "people", list.buf, def);
		sb_clear(&list);
		sb_clear(&value);
		sb_clear(&rem);
	}
	str_index_clear(&ix);
	free(v);
}

static void
check_people(struct check_report *r, struct bs_session *s, struct bob_client *bob,
    const struct bob_fields *f, const struct bob_field *access, const struct bob_list *list)
{
	const char *probe[ARRAY_LEN(needed_sections) * 3];
	const char *probe_section[ARRAY_LEN(needed_sections) * 3];
	size_t nprobe = 0;
	struct bob_people_query q = { 0 };
	struct bob_people people = { 0 };
	struct bs_error err = { 0 };
	struct check_result *perm = &r->v[CHECK_HIBOB_PERMISSIONS];
	long inactive = 0;
	int64_t now = clock_now();
	struct bob_list lc_list = { 0 }, st_list = { 0 };
	const char *mode = conf_get(s->conf, "alleo.mode");
	int manages = str_eq(mode, "scim") || str_eq(mode, "csv");

	/* up to three fields of each section, preferring built-in ones */
	for (size_t sidx = 0; sidx < ARRAY_LEN(needed_sections); sidx++) {
		size_t taken = 0;
		for (int pass = 0; pass < 2 && taken < 3; pass++)
			for (size_t i = 0; i < f->n && taken < 3; i++) {
				int custom = strstr(f->v[i].id, "custom") != NULL;
				if (!in_section(&f->v[i], needed_sections[sidx]) || custom != pass)
					continue;
				probe[nprobe] = f->v[i].id;
				probe_section[nprobe++] = needed_sections[sidx];
				taken++;
			}
	}
	q.access_field_id = access ? access->id : NULL;
	q.access_list = list && list->n ? list : NULL;
	q.extra_fields = probe;
	q.nextra = nprobe;
	if (bob_search_people(bob, &q, &people, NULL, &err) != BS_OK) {
		enum check_status st = CHECK_FAIL;
		if (err.rc == BS_ERR_AUTH || err.rc == BS_ERR_FORBIDDEN)
			r->worst = err.rc;
		set(r, CHECK_HIBOB_PERMISSIONS, st,
		    "In Bob: Settings > Permission Groups > (the service user's group) > People's data: "
		    "grant View on the sections bobsync reads.", "%s", bs_error_text(&err));
		set(r, CHECK_HIBOB_LIFECYCLE_AUDIENCE, CHECK_SKIP, NULL, "Skipped: people could not be read.");
		set(r, CHECK_HIBOB_SITE_ZONES, CHECK_SKIP, NULL, "Skipped: people could not be read.");
		return;
	}
	r->people = (long)people.n;
	if (people.n == 0) {
		set(r, CHECK_HIBOB_PERMISSIONS, CHECK_FAIL,
		    "In Bob: Settings > Permission Groups > (the service user's group) > Access data for: "
		    "choose a condition that includes everyone who should sync, Hired and Terminated "
		    "people included (\"Everyone\" covers active employees only).",
		    "The service user sees no employees at all.");
		set(r, CHECK_HIBOB_LIFECYCLE_AUDIENCE, CHECK_SKIP, NULL, "Skipped: no employees visible.");
		set(r, CHECK_HIBOB_SITE_ZONES, CHECK_SKIP, NULL, "Skipped: no employees visible.");
		bob_people_clear(&people);
		return;
	}
	for (size_t m = 0; m < people.nmissing; m++)
		for (size_t i = 0; i < nprobe; i++)
			if (str_eq(people.missing[m].field_id, probe[i]))
				add_missing(perm, probe_section[i]);
	if (access != NULL)
		for (size_t m = 0; m < people.nmissing; m++)
			if (str_eq(people.missing[m].field_id, access->id))
				add_missing(perm, access->category_name ? access->category_name : "Work");
	/* the fields the roster itself needs */
	for (size_t m = 0; m < people.nmissing; m++) {
		const char *id = people.missing[m].field_id;
		if (str_starts(id, "internal."))
			add_missing(perm, "Lifecycle");
		else if (str_starts(id, "work."))
			add_missing(perm, "Work");
	}
	if (perm->nmissing > 0) {
		struct strbuf secs, rem;
		sb_init(&secs, 0);
		sb_init(&rem, 0);
		for (size_t i = 0; i < perm->nmissing; i++)
			sb_printf(&secs, "%s%s", i ? ", " : "", perm->missing[i]);
		sb_printf(&rem, "In Bob: Settings > Permission Groups > (the service user's group) > "
		    "People's data: grant View on %s. HiBob leaves out what a group may not see without "
		    "any error, so the sync would silently get it wrong.", secs.buf);
		set(r, CHECK_HIBOB_PERMISSIONS, CHECK_FAIL, rem.buf,
		    "%zu people visible, but nothing from %s came back.", people.n, secs.buf);
		sb_clear(&secs);
		sb_clear(&rem);
	} else {
		set(r, CHECK_HIBOB_PERMISSIONS, CHECK_PASS, NULL,
		    "%zu people visible; Personal, Work, Employment and Lifecycle fields all readable.",
		    people.n);
	}
	/* lifecycle and status from their list item ids, never the display
	 * text (formatted in the service user's language) */
	if (roster_status_lists(bob, f, &lc_list, &st_list, &err) != BS_OK)
		log_warn("check: %s", bs_error_text(&err));
	for (size_t i = 0; i < people.n; i++) {
		const struct bob_person *p = &people.v[i];
		enum roster_lifecycle lc = roster_lifecycle_of(p, lc_list.n ? &lc_list : NULL);
		int64_t today = roster_person_today(s->conf, p, now, NULL), start, term;
		if (lc == LIFE_HIRED || lc == LIFE_TERMINATED ||
		    roster_status_active(p, st_list.n ? &st_list : NULL) == 0 ||
		    (p->start_date && date_parse(p->start_date, &start) == 0 && start > today) ||
		    (p->termination_date && date_parse(p->termination_date, &term) == 0 &&
		    term < today))
			inactive++;
		switch (p->access) {
		case BOB_ACCESS_YES: r->access_yes++; break;
		case BOB_ACCESS_NO: r->access_no++; break;
		case BOB_ACCESS_OTHER: r->access_other++; break;
		default: r->access_unset++; break;
		}
	}
	if (inactive == 0)
		/* bobsync removes leavers only when it manages the accounts */
		set(r, CHECK_HIBOB_LIFECYCLE_AUDIENCE, manages ? CHECK_FAIL : CHECK_WARN,
		    "Add people who have not started yet and people who have left to the audience: "
		    "Bob > Settings > Permission Groups > (the service user's group) > Access data for: "
		    "choose a condition that includes Hired and Terminated people (\"Everyone\" covers "
		    "active employees only). Without them, leavers are never removed from Alleo.",
		    "Hired and terminated people are not visible: of %zu people, none is hired (future "
		    "start) or terminated%s.", people.n, manages ? " (Alleo delivery [alleo.mode] manages "
		    "Alleo accounts, so leavers would keep theirs)" : "");
	else
		set(r, CHECK_HIBOB_LIFECYCLE_AUDIENCE, CHECK_PASS, NULL,
		    "%ld hired or terminated people are visible.", inactive);
	if (access != NULL && r->v[CHECK_HIBOB_FIELD].status == CHECK_PASS) {
		char *d = xasprintf("%s %ld yes, %ld no, %ld not set%s", r->v[CHECK_HIBOB_FIELD].detail,
		    r->access_yes, r->access_no, r->access_unset,
		    r->access_unset ? " (not set is held: never removed, always reported)" : ".");
		free(r->v[CHECK_HIBOB_FIELD].detail);
		r->v[CHECK_HIBOB_FIELD].detail = d;
	}
	check_site_zones(r, s->conf, &people);
	bob_list_clear(&lc_list);
	bob_list_clear(&st_list);
	bob_people_clear(&people);
}

/* Which reading of who's out this tenant gives (hibob-api.md: its items
 * may carry a request's parts, the share of the day and the per-day list,
 * or only the fields of HiBob's 2024 list), told from the requests of the
 * types that have parts; "" when none is listed. */
static const char *
whosout_reading(const struct bob_timeoffs *outs)
{
	size_t with = 0, without = 0;

	for (size_t i = 0; i < outs->n; i++) {
		const struct bob_timeoff *t = &outs->v[i];
		switch (t->type) {
		case TOFF_PERCENTAGE_ON_RANGE:
			if (t->percentage > 0)
				with++;
			else
				without++;
			break;
		case TOFF_DIFFERENT_DAY_DURATIONS:
		case TOFF_SPECIFIC_HOURS_DAY_DURATIONS:
		case TOFF_DIFFERENT_SPECIFIC_HOURS_DAY_DURATIONS:
			if (t->ndurations > 0)
				with++;
			else
				without++;
			break;
		default:
			break;
		}
	}
	if (with > 0)
		return " Who's out gives each request's parts (the share of the day, the list "
		    "of days).";
	if (without > 0)
		return " Who's out gives no request's parts (the share of the day, the list of "
		    "days): a one-day request of those types is read from its details, one HiBob "
		    "call each.";
	return "";
}

static void
check_timeoff(struct check_report *r, struct bs_session *s, struct bob_client *bob)
{
	char **types = NULL;
	size_t ntypes = 0;
	struct bs_error err = { 0 };
	int needed = conf_get_bool(s->conf, "assembled.enabled");
	struct bob_timeoffs outs = { 0 };
	char from[11], to[11];
	int64_t today = clock_now() / 86400;

	if (bob_policy_types(bob, &types, &ntypes, &err) != BS_OK) {
		if (err.rc == BS_ERR_AUTH)
			r->worst = err.rc;
		set(r, CHECK_HIBOB_TIMEOFF, needed ? CHECK_FAIL : CHECK_WARN,
		    "In Bob: Settings > Permission Groups > (the service user's group) > People's data > "
		    "Time off: grant \"See who's out\" (and for private policies \"See who's out because "
		    "of a private policy\").", "%s", bs_error_text(&err));
		return;
	}
	date_format(today, from);
	date_format(today + 7, to);
	if (bob_whos_out(bob, from, to, &outs, &err) != BS_OK) {
		set(r, CHECK_HIBOB_TIMEOFF, needed ? CHECK_FAIL : CHECK_WARN,
		    "In Bob: Settings > Permission Groups > (the service user's group) > People's data > "
		    "Time off: grant \"See who's out\".", "%s", bs_error_text(&err));
	} else {
		set(r, CHECK_HIBOB_TIMEOFF, CHECK_PASS, NULL,
		    "%zu policy types; %zu requests in the next 7 days are visible.%s", ntypes, outs.n,
		    whosout_reading(&outs));
	}
	bob_timeoffs_clear(&outs);
	bob_strings_free(types, ntypes);
}

#define TOFF_PERM_REMEDY "In Bob: Settings > Permission Groups > (the service user's group) > " \
	"People's data > Time off: "

/* hibob.timeoff_detail: the sync reads each changed request's details
 * (GET /timeoff/employees/{id}/requests/{requestId}); try a few requests
 * who's out lists (they exist), else some the changes feed names. */
static void
check_timeoff_detail(struct check_report *r, struct bob_client *bob, int needed,
    const struct bob_timeoffs *outs)
{
	struct bob_timeoffs ch = { 0 };
	struct bs_error err = { 0 };
	int64_t now = clock_now();
	size_t tried = 0, gone = 0;
	const struct bob_timeoffs *src = outs;

	if (outs->n == 0) {
		if (bob_timeoff_changes(bob, now - 30 * 86400, now, &ch, &err) != BS_OK) {
			set(r, CHECK_HIBOB_TIMEOFF_DETAIL, needed ? CHECK_FAIL : CHECK_WARN,
			    TOFF_PERM_REMEDY "grant \"See who's out\" and the time-off requests.",
			    "The time-off changes could not be read: %s", bs_error_text(&err));
			return;
		}
		src = &ch;
	}
	for (size_t i = 0; i < src->n && tried < 3; i++) {
		const struct bob_timeoff *t = &src->v[i];
		struct bob_timeoff d;
		bs_rc rc;
		if (str_empty(t->employee_id) || str_eq_ci(t->change_type, "Deleted"))
			continue;
		tried++;
		rc = bob_timeoff_request(bob, t->employee_id, t->request_id, &d, &err);
		if (rc == BS_ERR_NOT_FOUND && src == &ch) {
			gone++;		/* may have been deleted since: try another */
			bs_error_clear(&err);
			continue;
		}
		if (rc != BS_OK) {
			set(r, CHECK_HIBOB_TIMEOFF_DETAIL, needed ? CHECK_FAIL : CHECK_WARN,
			    TOFF_PERM_REMEDY "grant viewing employees' time-off requests (not only \"See "
			    "who's out\"). bobsync reads each changed request's details to learn its "
			    "status; without them no change reaches Assembled.",
			    "Request #%lld of employee %s: %s", t->request_id, t->employee_id,
			    bs_error_text(&err));
			bob_timeoffs_clear(&ch);
			return;
		}
		if (d.status == TOFF_STATUS_UNKNOWN)
			set(r, CHECK_HIBOB_TIMEOFF_DETAIL, CHECK_WARN, "Report this to the bobsync "
			    "maintainers with 'bobsync check --json'.", "Request #%lld was read, but "
			    "its status '%s' is not one bobsync knows.", t->request_id,
			    d.status_raw ? d.status_raw : "(none)");
		else
			set(r, CHECK_HIBOB_TIMEOFF_DETAIL, CHECK_PASS, NULL, "Read the details of "
			    "request #%lld (status %s).", t->request_id, toff_status_name(d.status));
		bob_timeoff_clear(&d);
		bob_timeoffs_clear(&ch);
		return;
	}
	set(r, CHECK_HIBOB_TIMEOFF_DETAIL, CHECK_SKIP, "Run the check again once someone has "
	    "time off booked.", "Could not verify: %s", gone > 0 ? "the requests the changes feed "
	    "named answered 404 (deleted since?)" : "no time-off request in the coming weeks or the "
	    "last 30 days' changes to read");
	bob_timeoffs_clear(&ch);
}

static int
name_in(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq_ci(names[i], name))
			return 1;
	return 0;
}

/* hibob.timeoff_private: who's out without includePrivate shows a
 * private policy's requests under its public name (a name that is no
 * policy type); the read the sync makes (includePrivate=true) must list
 * the same requests, else the service user lacks the private-policy
 * permission and they are silently missing. */
static void
check_timeoff_private(struct check_report *r, struct bob_client *bob,
    const struct bob_timeoffs *priv, const char *from, const char *to)
{
	struct bob_timeoffs pub = { 0 };
	struct bs_error err = { 0 };
	char **types = NULL;
	size_t ntypes = 0, nhidden = 0, nmissing = 0;
	long long *ids;
	size_t nids;
	const char *public_name = NULL;

	if (bob_policy_types(bob, &types, &ntypes, &err) != BS_OK ||
	    bob_whos_out_ex(bob, from, to, 0, &pub, &err) != BS_OK) {
		set(r, CHECK_HIBOB_TIMEOFF_PRIVATE, CHECK_WARN, TOFF_PERM_REMEDY "grant \"See who's "
		    "out\".", "Could not verify: %s", bs_error_text(&err));
		goto out;
	}
	ids = toff_sorted_ids(priv, &nids);
	for (size_t i = 0; i < pub.n; i++) {
		const struct bob_timeoff *t = &pub.v[i];
		if (str_empty(t->policy_type) || name_in(types, ntypes, t->policy_type))
			continue;
		nhidden++;		/* shown under a public name: a private policy */
		if (public_name == NULL)
			public_name = t->policy_type;
		if (!toff_ids_has(ids, nids, t->request_id))
			nmissing++;
	}
	free(ids);
	if (nmissing > 0)
		set(r, CHECK_HIBOB_TIMEOFF_PRIVATE, CHECK_WARN, TOFF_PERM_REMEDY "grant \"See who's out "
		    "because of a private policy\" (the sync asks with includePrivate=true). Without it "
		    "time off under private policies (often sick leave) never reaches Assembled.",
		    "%zu of %zu requests from %s to %s under a private policy (shown to others as "
		    "'%s') are missing from what bobsync reads.", nmissing, nhidden, from, to,
		    public_name);
	else if (nhidden > 0)
		set(r, CHECK_HIBOB_TIMEOFF_PRIVATE, CHECK_PASS, NULL, "%zu requests from %s to %s "
		    "under a private policy are read with their real policy.", nhidden, from, to);
	else
		set(r, CHECK_HIBOB_TIMEOFF_PRIVATE, CHECK_SKIP, "If you use private time-off policies "
		    "(for example sick leave): " TOFF_PERM_REMEDY "grant \"See who's out because of a "
		    "private policy\", and run the check again when such time off is booked.",
		    "Could not verify: no request from %s to %s is shown under a private policy, so "
		    "bobsync cannot tell whether the service user may see them.", from, to);
out:
	bob_strings_free(types, ntypes);
	bob_timeoffs_clear(&pub);
}

static void
check_timeoff_reads(struct check_report *r, struct bs_session *s, struct bob_client *bob)
{
	struct bob_timeoffs outs = { 0 };
	struct bs_error err = { 0 };
	int needed = conf_get_bool(s->conf, "assembled.enabled");
	int64_t today = clock_now() / 86400;
	char from[11], to[11];

	if (r->v[CHECK_HIBOB_TIMEOFF].status == CHECK_FAIL ||
	    r->v[CHECK_HIBOB_TIMEOFF].status == CHECK_WARN) {
		set(r, CHECK_HIBOB_TIMEOFF_DETAIL, CHECK_SKIP, "First fix the check 'Time off can be read'; "
		    "this one runs once time off can be read.", "Skipped: time off cannot be read.");
		set(r, CHECK_HIBOB_TIMEOFF_PRIVATE, CHECK_SKIP, "First fix the check 'Time off can be read'; "
		    "this one runs once time off can be read.", "Skipped: time off cannot be read.");
		return;
	}
	date_format(today - 30, from);
	date_format(today + 90, to);
	if (bob_whos_out(bob, from, to, &outs, &err) != BS_OK) {
		set(r, CHECK_HIBOB_TIMEOFF_DETAIL, needed ? CHECK_FAIL : CHECK_WARN, TOFF_PERM_REMEDY
		    "grant \"See who's out\".", "%s", bs_error_text(&err));
		set(r, CHECK_HIBOB_TIMEOFF_PRIVATE, CHECK_SKIP, NULL, "Skipped: time off cannot be read.");
		return;
	}
	check_timeoff_detail(r, bob, needed, &outs);
	check_timeoff_private(r, bob, &outs, from, to);
	bob_timeoffs_clear(&outs);
}

struct pm_ctx {
	const struct asm_activity_types *types;
	struct strbuf *bad;
};

static int
check_policy_pair(void *vctx, const char *k, const char *v)
{
	struct pm_ctx *ctx = vctx;
	char why[256];

	if (asm_timeoff_type(ctx->types, v, why, sizeof why) == NULL)
		sb_printf(ctx->bad, "%s'%s' (for %s)", ctx->bad->len ? ", " : "", v, k);
	return 0;
}

/* Bulk delete is a beta Assembled support switches on per account
 * (targets-api.md A.4): a delete of an id that cannot exist tells "not
 * enabled" (refused without looking) from "not found" (looked it up).
 * Nothing can be deleted by it. */
static void
check_assembled_delete(struct check_report *r, struct bs_session *s, struct asm_client *ac)
{
	static const char remedy[] = "Ask Assembled support (support@assembled.com) to switch on "
	    "bulk update and delete (a beta) for your account, then run 'bobsync check' again. "
	    "Until then cancelled time off stays on the schedule: each run reports the failed "
	    "delete (exit status 1) and tries again.";
	const char *sched = conf_get(s->conf, "assembled.schedule_id");
	enum asm_delete_probe p = ASM_DELETE_UNKNOWN;
	struct bs_error err = { 0 };
	char detail[300] = "";

	if (asm_probe_delete(ac, str_empty(sched) ? NULL : sched, &p, detail, sizeof detail,
	    &err) != BS_OK) {
		set(r, CHECK_ASSEMBLED_DELETE, CHECK_FAIL, remedy, "A delete by id was refused: %s",
		    bs_error_text(&err));
		return;
	}
	switch (p) {
	case ASM_DELETE_ENABLED:
		set(r, CHECK_ASSEMBLED_DELETE, CHECK_PASS, NULL, "Deletes are enabled: a delete of an "
		    "id that cannot exist was answered 'not found' (%s).", detail);
		break;
	case ASM_DELETE_ACCEPTED:
		set(r, CHECK_ASSEMBLED_DELETE, CHECK_PASS, NULL, "Assembled accepted a delete of an id "
		    "that cannot exist (%s); every run still checks that a deleted event is gone.",
		    detail);
		break;
	case ASM_DELETE_REFUSED:
		set(r, CHECK_ASSEMBLED_DELETE, CHECK_FAIL, remedy, "Deletes are not enabled for this "
		    "account: a delete by id was refused without the id being looked up (%s).", detail);
		break;
	case ASM_DELETE_UNKNOWN:
		set(r, CHECK_ASSEMBLED_DELETE, CHECK_WARN, "Run the checks again later (r in the "
		    "console, or 'bobsync check'); if it persists, check the Assembled address "
		    "[assembled.base_url] and the network.", "Could not tell whether "
		    "deletes are enabled: %s.", detail);
		break;
	}
}

static void
check_assembled(struct check_report *r, struct bs_session *s)
{
	struct asm_client *ac;
	struct asm_activity_types types = { 0 };
	struct bs_error err = { 0 };
	const struct asm_activity_type *t;
	char why[256];
	const char *want = conf_get(s->conf, "assembled.timeoff_type");
	const char *map = conf_get(s->conf, "assembled.policy_map");

	if (!conf_get_bool(s->conf, "assembled.enabled")) {
		set(r, CHECK_ASSEMBLED_AUTH, CHECK_SKIP, NULL, "The Assembled time-off sync is off.");
		set(r, CHECK_ASSEMBLED_TIMEOFF_TYPE, CHECK_SKIP, NULL, "The Assembled time-off sync is off.");
		set(r, CHECK_ASSEMBLED_DELETE, CHECK_SKIP, NULL, "The Assembled time-off sync is off.");
		return;
	}
	if (session_assembled(s, &ac, &err) != BS_OK) {
		set(r, CHECK_ASSEMBLED_AUTH, CHECK_FAIL,
		    "Run 'bobsync credentials set assembled' with a key from Assembled: Settings > API.",
		    "%s", bs_error_text(&err));
		set(r, CHECK_ASSEMBLED_TIMEOFF_TYPE, CHECK_SKIP, NULL, "Skipped: Assembled not reachable.");
		set(r, CHECK_ASSEMBLED_DELETE, CHECK_SKIP, NULL, "Skipped: Assembled not reachable.");
		return;
	}
	if (asm_get_activity_types(ac, &types, &err) != BS_OK) {
		if (err.rc == BS_ERR_AUTH || err.rc == BS_ERR_FORBIDDEN)
			r->worst = err.rc;
		set(r, CHECK_ASSEMBLED_AUTH, CHECK_FAIL,
		    err.rc == BS_ERR_AUTH || err.rc == BS_ERR_FORBIDDEN ?
		    "In Assembled: Settings > API: copy a valid key (it starts with sk_live_) and store "
		    "it: in the console Credentials (k on the dashboard), or 'bobsync credentials set "
		    "assembled'." :
		    "Check the Assembled address [assembled.base_url] and the network (behind a "
		    "proxy: the extra certificate authority [tls.ca_file]).",
		    "%s", bs_error_text(&err));
		set(r, CHECK_ASSEMBLED_TIMEOFF_TYPE, CHECK_SKIP, NULL, "Skipped: Assembled not reachable.");
		set(r, CHECK_ASSEMBLED_DELETE, CHECK_SKIP, NULL, "Skipped: Assembled not reachable.");
		return;
	}
	set(r, CHECK_ASSEMBLED_AUTH, CHECK_PASS, NULL, "Assembled accepted the API key.");
	t = asm_timeoff_type(&types, want, why, sizeof why);
	if (t == NULL) {
		set(r, CHECK_ASSEMBLED_TIMEOFF_TYPE, CHECK_FAIL,
		    "Set the Assembled time-off type [assembled.timeoff_type] to one of the "
		    "time-off event types of Assembled (Settings > Event types), or create one named "
		    "\"Time Off\".", "%s", why);
	} else {
		struct strbuf bad;
		struct pm_ctx ctx = { &types, &bad };
		sb_init(&bad, 0);
		sb_append(&bad, "", 0);
		if (!str_empty(map))
			conf_pairs_each(map, check_policy_pair, &ctx);
		if (bad.len > 0)
			set(r, CHECK_ASSEMBLED_TIMEOFF_TYPE, CHECK_FAIL,
			    "Fix the policy map [assembled.policy_map]: each HiBob policy type must "
			    "name a time-off event type that exists in Assembled.",
			    "Default type '%s' found, but the policy map [assembled.policy_map] "
			    "names unknown types: %s.",
			    t->name, bad.buf);
		else
			set(r, CHECK_ASSEMBLED_TIMEOFF_TYPE, CHECK_PASS, NULL,
			    "Time off will be created as '%s'%s.", t->name,
			    str_empty(map) ? "" : " (other types per the policy map)");
		sb_clear(&bad);
	}
	asm_activity_types_clear(&types);
	check_assembled_delete(r, s, ac);
}

/* Bulk (RFC 7644 3.7): unconfirmed for Alleo, so only reported; the sync
 * uses it when the service says so (issue 18 point 3). */
static void
check_scim_bulk(struct check_report *r, struct scim_client *sc, const struct scim_caps *k)
{
	struct scim_bulk_limits lim;

	if (scim_bulk_usable(sc, &lim))
		set(r, CHECK_ALLEO_SCIM_BULK, CHECK_PASS, NULL, "Alleo's /ServiceProviderConfig says "
		    "it takes bulk requests: creates and deactivations are sent in bulks of at most "
		    "%ld operations and %ld bytes.", lim.max_ops, lim.max_payload);
	else if (!k->config_read)
		set(r, CHECK_ALLEO_SCIM_BULK, CHECK_WARN, "Nothing to do: syncs work without it. Ask "
		    "Alleo support about /ServiceProviderConfig if first syncs of many people are too "
		    "slow.", "Alleo's /ServiceProviderConfig could not be read (%s): every create and "
		    "deactivation is one request.", k->why);
	else if (k->bulk == 1)
		set(r, CHECK_ALLEO_SCIM_BULK, CHECK_PASS, NULL, "Alleo's /ServiceProviderConfig says "
		    "bulk is supported, but without usable limits (maxOperations %ld, maxPayloadSize "
		    "%ld%s): every create and deactivation is one request.", k->bulk_max_ops,
		    k->bulk_max_payload, k->patch == 0 ? ", and no PATCH" : "");
	else
		set(r, CHECK_ALLEO_SCIM_BULK, CHECK_PASS, NULL, "Alleo's /ServiceProviderConfig says "
		    "it takes no bulk requests: every create and deactivation is one request, at "
		    "Alleo's pace.");
}

/* The SCIM capabilities behind a working ping: token style, schemas and
 * filters (issue 12 point 14). */
static void
check_scim_caps(struct check_report *r, struct scim_client *sc, const char *ext)
{
	const struct scim_caps *k;
	const char *style = scim_token_auth(sc);
	struct bs_error err = { 0 };
	long long total = -1;
	int refused = 0;

	if (str_eq(style, "basic"))
		set(r, CHECK_ALLEO_SCIM_AUTH, CHECK_PASS, NULL, "The token endpoint takes the client id "
		    "and secret by HTTP Basic (RFC 6749 2.3.1).");
	else
		set(r, CHECK_ALLEO_SCIM_AUTH, CHECK_WARN, "Nothing to do while it works; if sign-in "
		    "stops working, ask Alleo support which client authentication their token "
		    "endpoint expects.", "The token endpoint refused HTTP Basic and took the client id "
		    "and secret in the form body; bobsync does that by itself from then on.");

	k = scim_caps_get(sc);
	check_scim_bulk(r, sc, k);
	if (k->patch == 0)
		set(r, CHECK_ALLEO_SCIM_SCHEMAS, CHECK_FAIL, "Ask Alleo support to enable PATCH on "
		    "their SCIM service: bobsync changes and deactivates users with PATCH.",
		    "Alleo's /ServiceProviderConfig says PATCH is not supported, so no change to a "
		    "user (email, name, deactivation) can be sent.");
	else if (!k->schemas_read)
		set(r, CHECK_ALLEO_SCIM_SCHEMAS, CHECK_WARN, "Nothing to do for people and emails; ask "
		    "Alleo support whether their SCIM service takes dates or budgets, and in which "
		    "schema.", "Alleo's SCIM service did not list its schemas (%s): only core User "
		    "attributes are sent; budgets and dates are not.", k->why);
	else if (!k->core_user)
		set(r, CHECK_ALLEO_SCIM_SCHEMAS, CHECK_WARN, "Ask Alleo support whether the SCIM "
		    "address [alleo.scim_url] is their SCIM User endpoint.", "/Schemas does not list the core User schema "
		    "(it lists: %s).", *k->schema_ids ? k->schema_ids : "nothing");
	else if (!str_empty(ext) && !k->extension)
		set(r, CHECK_ALLEO_SCIM_SCHEMAS, CHECK_WARN, "Set the SCIM extension "
		    "[alleo.scim_extension] to a schema Alleo lists, or clear it (in the console "
		    "Settings, o on the dashboard: u; or 'bobsync config unset alleo.scim_extension').",
		    "The SCIM extension names %s, which Alleo does not list (it lists: %s): budgets "
		    "and dates are not sent.", ext, k->schema_ids);
	else if (!str_empty(ext))
		set(r, CHECK_ALLEO_SCIM_SCHEMAS, CHECK_PASS, NULL, "Alleo lists the core User schema "
		    "and %s, which gets the dates and budgets.", ext);
	else
		set(r, CHECK_ALLEO_SCIM_SCHEMAS, CHECK_PASS, NULL, "Alleo lists the core User schema "
		    "(all it lists: %s); only core attributes are sent, so budgets and dates are not "
		    "(no SCIM extension is set [alleo.scim_extension]).", k->schema_ids);

	/* the ping already asked userName eq with nobody to match */
	if (scim_probe_filter(sc, "userName", &total, &refused, &err) != BS_OK || refused) {
		set(r, CHECK_ALLEO_SCIM_FILTERS, CHECK_FAIL, "Ask Alleo support: bobsync finds people "
		    "with filter=userName eq \"...\" (RFC 7644 3.4.2.2).", "A userName filter did not "
		    "work: %s", refused ? "Alleo refused it" : bs_error_text(&err));
		return;
	}
	if (total != 0) {
		set(r, CHECK_ALLEO_SCIM_FILTERS, CHECK_FAIL, "Ask Alleo support why their SCIM service "
		    "ignores filters: bobsync would link people to the wrong account.", "A userName "
		    "filter that matches nobody answered %lld users.", total);
		return;
	}
	bs_error_clear(&err);
	if (scim_probe_filter(sc, "externalId", &total, &refused, &err) != BS_OK)
		set(r, CHECK_ALLEO_SCIM_FILTERS, CHECK_WARN, "Run the check again; ask Alleo support if "
		    "it stays.", "Looking people up by work email works; by their HiBob id it failed: %s",
		    bs_error_text(&err));
	else if (refused)
		set(r, CHECK_ALLEO_SCIM_FILTERS, CHECK_WARN, "Nothing to do: bobsync looks people up "
		    "by work email instead. Keep work emails stable in HiBob where you can.", "Looking "
		    "people up by work email works; Alleo refuses filters on the HiBob id it keeps, so "
		    "people are looked up by their work email (userName) instead.");
	else if (total != 0)
		set(r, CHECK_ALLEO_SCIM_FILTERS, CHECK_FAIL, "Ask Alleo support why their SCIM service "
		    "ignores filters on the HiBob id it keeps.", "A filter on the HiBob id that matches "
		    "nobody answered %lld users.", total);
	else
		set(r, CHECK_ALLEO_SCIM_FILTERS, CHECK_PASS, NULL, "Looking people up by work email and "
		    "by HiBob id works (each probe matched nobody, as it should).");
}

static void
check_alleo(struct check_report *r, struct bs_session *s)
{
	const char *mode = conf_get(s->conf, "alleo.mode");
	struct bs_error err = { 0 };

	for (int id = CHECK_ALLEO_SCIM_AUTH; id <= CHECK_ALLEO_SCIM_BULK; id++)
		set(r, (enum check_id)id, CHECK_SKIP, NULL, "%s", str_eq(mode, "scim") ?
		    "Alleo's SCIM endpoint could not be reached (see the check 'The Alleo "
		    "delivery target works')." :
		    "Alleo delivery is not SCIM [alleo.mode].");

	if (str_eq(mode, "off") || mode == NULL) {
		set(r, CHECK_ALLEO_TARGET, CHECK_SKIP, NULL, "Alleo delivery is off [alleo.mode].");
	} else if (str_eq(mode, "pull")) {
		set(r, CHECK_ALLEO_TARGET, CHECK_PASS, NULL,
		    "Alleo reads HiBob itself (Alleo delivery: pull); bobsync only checks and "
		    "previews.");
	} else if (str_eq(mode, "scim")) {
		struct scim_client *sc;
		if (session_scim(s, &sc, &err) != BS_OK || scim_ping(sc, &err) != BS_OK) {
			if (err.rc == BS_ERR_AUTH || err.rc == BS_ERR_FORBIDDEN)
				r->worst = err.rc;
			set(r, CHECK_ALLEO_TARGET, CHECK_FAIL,
			    "Check the SCIM address and the token address [alleo.scim_url, "
			    "alleo.token_url], and the client id and secret from Alleo support (in the "
			    "console Credentials, k on the dashboard; or 'bobsync credentials set alleo').", "%s", bs_error_text(&err));
		} else {
			set(r, CHECK_ALLEO_TARGET, CHECK_PASS, NULL, "Alleo's SCIM endpoint accepted the client.");
			check_scim_caps(r, sc, conf_get(s->conf, "alleo.scim_extension"));
		}
	} else if (str_eq(mode, "csv")) {
		if (alleo_csv_check(s->conf, &err) != BS_OK)
			set(r, CHECK_ALLEO_TARGET, CHECK_FAIL,
			    "Set the CSV target [alleo.csv_target] to a writable folder or "
			    "sftp://host/path/ (with the SFTP key and known_hosts [alleo.sftp_key, "
			    "alleo.sftp_known_hosts]).", "%s", bs_error_text(&err));
		else
			set(r, CHECK_ALLEO_TARGET, CHECK_PASS, NULL, "The CSV target %s is writable.",
			    conf_get(s->conf, "alleo.csv_target"));
	}
}

/* webhook.listen set: the running daemon must refuse a wrongly signed event
 * and accept one signed with the stored secret. */
static void
check_webhook(struct check_report *r, struct bs_session *s)
{
	const char *listen = conf_get(s->conf, "webhook.listen");
	const char *secret = s->vault != NULL ? vault_get(s->vault, VAULT_WEBHOOK_SECRET) : NULL;
	struct bs_error err = { 0 };
	bs_rc rc;

	if (str_empty(listen)) {
		set(r, CHECK_WEBHOOK_RECEIVER, CHECK_SKIP, NULL, "Webhooks are off (webhook.listen is "
		    "empty): time off is read every %ld minutes.",
		    conf_get_int(s->conf, "timeoff.poll_minutes"));
		return;
	}
	if (str_empty(secret)) {
		set(r, CHECK_WEBHOOK_RECEIVER, CHECK_FAIL, "In Bob: Settings > Integrations > Webhooks, "
		    "open the webhook and copy its secret; store it with 'bobsync credentials set "
		    "webhook', then restart the daemon.", "No webhook secret is stored, so every "
		    "webhook would be refused.");
		return;
	}
	rc = webhook_probe(s->http, listen, conf_get(s->conf, "webhook.path"),
	    (const unsigned char *)secret, strlen(secret), &err);
	if (rc == BS_OK)
		set(r, CHECK_WEBHOOK_RECEIVER, CHECK_PASS, NULL, "The daemon on %s accepted a test "
		    "event signed with the stored secret and refused a wrongly signed one.", listen);
	else if (rc == BS_ERR_AUTH)
		set(r, CHECK_WEBHOOK_RECEIVER, CHECK_FAIL, "Restart the daemon (or send it SIGHUP) so "
		    "that it uses the secret now in the vault, and check that it is the one Bob shows "
		    "for the webhook.", "%s", bs_error_text(&err));
	else
		set(r, CHECK_WEBHOOK_RECEIVER, CHECK_WARN, "Start the daemon ('bobsync daemon', or the "
		    "systemd service) with webhook.listen set; until then time off arrives by polling "
		    "only.", "%s", bs_error_text(&err));
}

void
check_run_all(struct bs_session *s, const struct bs_progress *progress, struct check_report *r)
{
	struct bob_client *bob = NULL;
	struct bob_fields fields = { 0 };
	struct bob_list list = { 0 };
	const struct bob_field *access = NULL;
	struct bs_error err = { 0 };
	struct bs_progress_event ev = { .phase = "Checking", .total = CHECK_COUNT };
	const char *want = conf_get(s->conf, "hibob.eligibility_field");
	int hibob_ok = 0;

	memset(r, 0, sizeof *r);
	r->ok = 1;
	r->worst = BS_OK;
	for (int i = 0; i < CHECK_COUNT; i++) {
		r->v[i].id = check_info[i].id;
		r->v[i].title = check_info[i].title;
		r->v[i].status = CHECK_SKIP;
	}
	if (want == NULL)
		want = "alleo_access";

#define STEP(cid) do { ev.done = (size_t)(cid); ev.item = check_info[cid].id; \
	bs_progress_report(progress, &ev); } while (0)

	STEP(CHECK_HIBOB_AUTH);
	if (session_bob(s, &bob, &err) != BS_OK) {
		set(r, CHECK_HIBOB_AUTH, CHECK_FAIL,
		    "Run 'bobsync setup' or 'bobsync credentials set hibob' with the Service User ID and "
		    "token (Bob: Settings > Integrations > Service Users).", "%s", bs_error_text(&err));
	} else if (bob_get_fields(bob, &fields, &err) != BS_OK) {
		if (err.rc == BS_ERR_AUTH || err.rc == BS_ERR_FORBIDDEN) {
			r->worst = err.rc;
			set(r, CHECK_HIBOB_AUTH, CHECK_FAIL,
			    "In Bob: Settings > Integrations > Service Users: check the ID, or create a new "
			    "token (it is shown only once) and store it: in the console Esc back to "
			    "Credentials (or k on the dashboard), or 'bobsync credentials set hibob'. Also "
			    "check that the HiBob address [hibob.base_url] is the right tenant (production "
			    "or sandbox). bobsync stops at the first rejection because HiBob blocks callers "
			    "that repeat them.", "%s", bs_error_text(&err));
		} else {
			set(r, CHECK_HIBOB_AUTH, CHECK_FAIL,
			    "Check the HiBob address [hibob.base_url] and the network; behind a proxy "
			    "that inspects TLS, set the extra certificate authority [tls.ca_file] to its CA "
			    "bundle.", "%s", bs_error_text(&err));
		}
	} else {
		hibob_ok = 1;
		set(r, CHECK_HIBOB_AUTH, CHECK_PASS, NULL, "HiBob accepted the Service User (%zu employee "
		    "fields visible).", fields.n);
	}

	if (hibob_ok) {
		STEP(CHECK_HIBOB_FIELD);
		check_field(r, bob, &fields, want, &access, &list);
		STEP(CHECK_HIBOB_PERMISSIONS);
		check_people(r, s, bob, &fields, access, &list);
		STEP(CHECK_HIBOB_TIMEOFF);
		check_timeoff(r, s, bob);
		STEP(CHECK_HIBOB_TIMEOFF_DETAIL);
		check_timeoff_reads(r, s, bob);
	} else {
		for (int i = CHECK_HIBOB_FIELD; i <= CHECK_HIBOB_TIMEOFF_PRIVATE; i++)
			set(r, (enum check_id)i, CHECK_SKIP, NULL, "Skipped: HiBob did not accept the "
			    "connection.");
	}
	STEP(CHECK_ASSEMBLED_AUTH);
	check_assembled(r, s);
	STEP(CHECK_ALLEO_TARGET);
	check_alleo(r, s);
	STEP(CHECK_WEBHOOK_RECEIVER);
	check_webhook(r, s);
#undef STEP
	ev.done = CHECK_COUNT;
	ev.item = NULL;
	bs_progress_report(progress, &ev);
	bob_fields_clear(&fields);
	bob_list_clear(&list);
}

void
check_report_clear(struct check_report *r)
{
	for (int i = 0; i < CHECK_COUNT; i++) {
		free(r->v[i].detail);
		free(r->v[i].remedy);
		free(r->v[i].code);
		bob_strings_free(r->v[i].missing, r->v[i].nmissing);
	}
	memset(r, 0, sizeof *r);
}

json_t *
check_report_to_json(const struct check_report *r)
{
	json_t *j = json_object(), *arr = json_array();

	json_object_set_new(j, "ok", json_boolean(r->ok));
	for (int i = 0; i < CHECK_COUNT; i++) {
		const struct check_result *c = &r->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(c->id));
		json_object_set_new(o, "status", json_string(check_status_name(c->status)));
		json_object_set_new(o, "title", json_string(c->title));
		json_object_set_new(o, "detail", json_string(c->detail ? c->detail : ""));
		json_object_set_new(o, "remedy", json_string(c->remedy ? c->remedy : ""));
		if (c->code != NULL)
			json_object_set_new(o, "code", json_string(c->code));
		if (i == CHECK_HIBOB_PERMISSIONS) {
			json_t *m = json_array();
			for (size_t k = 0; k < c->nmissing; k++)
				json_array_append_new(m, json_string(c->missing[k]));
			json_object_set_new(o, "missing", m);
		}
		json_array_append_new(arr, o);
	}
	json_object_set_new(j, "checks", arr);
	return j;
}

int
check_report_exit_code(const struct check_report *r)
{
	if (r->ok)
		return 0;
	if (r->worst == BS_ERR_AUTH || r->worst == BS_ERR_FORBIDDEN)
		return 6;
	return 1;
}
