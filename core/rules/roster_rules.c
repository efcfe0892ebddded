/* roster_rules.c - who gets an Alleo account (design.md, "Roster").
 *
 * Three rules, each pass / fail / unknown with a short detail:
 *   1. alleo_access is yes;
 *   2. employed: lifecycle employed, hired (once the start date rule
 *      passes), on any kind of leave, or on garden leave, and the
 *      termination date, when there is one, not yet passed (that date is
 *      the last day);
 *   3. the start date reached, or at most prestart_days away.
 * The verdict is a three-valued AND, except that an access value other
 * than yes/no makes the person unknown: held and reported, never removed
 * -- unless they have left (past their termination date, or terminated
 * without one): a leaver is offboarded whatever the field says.  A
 * lifecycle status that cannot be classified is unknown (held), never a
 * removal.  Everything is evaluated on the caller's `today`, the person's
 * local date.  Pure: no I/O, no clock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rules/roster_rules.h"
#include "base/util.h"

#define RULE_ACCESS "alleo_access is yes"
#define RULE_EMPLOYED "employed"
#define RULE_STARTED "start date reached"

/* s holds len bytes cut from a longer UTF-8 string: drop a trailing
 * incomplete character. */
static void
utf8_trim_cut(char *s, size_t len)
{
	size_t k, need;
	unsigned char c;

	if (len == 0)
		return;
	k = len - 1;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	c = (unsigned char)s[k];
	if (c < 0x80)
		return;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (len - k < need)
		s[k] = '\0';
}

/* Format into a fixed buffer, cutting without splitting a UTF-8
 * character.  Texts and "%s" alone (most rules' words) are put together
 * here, any other conversion by vsnprintf: it runs for every rule of
 * every person, and vsnprintf costs more than the rest of a rule. */
static void
vsetf(char *buf, size_t size, const char *fmt, va_list ap)
{
	va_list again;
	const char *f;
	size_t n = 0;
	int r;

	va_copy(again, ap);
	for (f = fmt; *f != '\0'; f++) {
		const char *piece = f;
		size_t len = 1;
		if (*f != '%') {
			const char *pc = strchr(f, '%');	/* a run of text */
			len = pc != NULL ? (size_t)(pc - f) : strlen(f);
			f += len - 1;
		} else {
			if (f[1] == '%') {
				f++;
			} else if (f[1] == 's') {
				piece = va_arg(ap, const char *);
				if (piece == NULL)
					piece = "(null)";	/* as glibc prints it */
				len = strlen(piece);
				f++;
			} else {
				break;	/* any other conversion: vsnprintf */
			}
		}
		if (n < size - 1) {
			size_t k = len < size - 1 - n ? len : size - 1 - n;
			memcpy(buf + n, piece, k);
		}
		n += len;
	}
	if (*f != '\0') {
		r = vsnprintf(buf, size, fmt, again);
		n = r >= 0 ? (size_t)r : 0;
	} else {
		buf[n < size - 1 ? n : size - 1] = '\0';
	}
	va_end(again);
	if (n >= size)
		utf8_trim_cut(buf, size - 1);
}

/* Append to a fixed buffer, cut as vsetf cuts. */
static void
appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsetf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* Set a fixed buffer (of at most 256 bytes: reason and detail). */
static void
setf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsetf(buf, size, fmt, ap);
	va_end(ap);
}

/* A network string made safe for a short message: at most 40 bytes,
 * control characters replaced. */
static void
shown(const char *s, char out[48])
{
	size_t i = 0;

	for (; s != NULL && s[i] != '\0' && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[i] = '\0';
	if (s != NULL && s[i] != '\0')
		utf8_trim_cut(out, i);
	util_strip_controls(out);
}

const char *
roster_verdict_name(enum roster_verdict v)
{
	switch (v) {
	case ROSTER_ELIGIBLE: return "eligible";
	case ROSTER_INELIGIBLE: return "ineligible";
	case ROSTER_UNKNOWN: return "unknown";
	}
	return "unknown";
}

const char *
roster_rule_words(const struct roster_kept_rule *r, char *out, size_t outsz)
{
	const char *rule = r->rule != NULL ? r->rule : "?";

	if (r->detail == NULL || r->detail[0] == '\0' || strcmp(r->detail, rule) == 0)
		snprintf(out, outsz, "%s", rule);
	else
		snprintf(out, outsz, "%s: %s", rule, r->detail);
	return out;
}

const char *
bob_access_name(enum bob_access a)
{
	switch (a) {
	case BOB_ACCESS_YES: return "yes";
	case BOB_ACCESS_NO: return "no";
	case BOB_ACCESS_UNSET: return "unset";
	case BOB_ACCESS_OTHER: return "other";
	case BOB_ACCESS_UNREADABLE: return "unreadable";
	}
	return "unset";
}

enum roster_lifecycle
roster_lifecycle_parse(const char *s)
{
	char buf[64];
	size_t n = 0;

	if (s == NULL)
		return LIFE_UNKNOWN;
	while (*s == ' ' || *s == '\t')
		s++;
	/* HiBob's list item ids ("90096") at once: every status has a letter */
	for (n = 0; s[n] != '\0' && ((s[n] | 0x20) < 'a' || (s[n] | 0x20) > 'z'); n++)
		;
	if (s[n] == '\0')
		return LIFE_UNKNOWN;
	n = 0;
	for (; s[n] != '\0' && n < sizeof buf - 1; n++)
		buf[n] = s[n];
	if (s[n] != '\0')
		return LIFE_UNKNOWN;	/* longer than any status */
	buf[n] = '\0';
	str_trim(buf);
	str_lower(buf);
	/* HiBob's machine values may use '_' or '-' between words. */
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '_' || *p == '-')
			*p = ' ';
	if (buf[0] == '\0')
		return LIFE_UNKNOWN;
	if (strcmp(buf, "employed") == 0)
		return LIFE_EMPLOYED;
	if (strcmp(buf, "hired") == 0)
		return LIFE_HIRED;
	if (strcmp(buf, "terminated") == 0)
		return LIFE_TERMINATED;
	if (strcmp(buf, "garden leave") == 0 || strcmp(buf, "gardenleave") == 0)
		return LIFE_GARDEN_LEAVE;
	/* "Leave", "Parental leave", "Sabbatical leave": the word, not a
	 * part of one ("leaver") */
	for (const char *w = strstr(buf, "leave"); w != NULL; w = strstr(w + 1, "leave"))
		if ((w == buf || w[-1] == ' ') && (w[5] == '\0' || w[5] == ' '))
			return LIFE_LEAVE;
	return LIFE_UNKNOWN;
}

enum roster_lifecycle
roster_lifecycle_of(const struct bob_person *p, const struct bob_list *list)
{
	enum roster_lifecycle lc;

	if (p == NULL || str_empty(p->lifecycle_id))
		return LIFE_UNKNOWN;
	lc = roster_lifecycle_parse(p->lifecycle_id);
	if (lc == LIFE_UNKNOWN && list != NULL)
		lc = roster_lifecycle_parse(bob_list_name_of(list, p->lifecycle_id));
	return lc;
}

static int
status_word(const char *s)
{
	char buf[16];
	const char *t;

	if (s == NULL || strlen(s) >= sizeof buf)
		return -1;
	snprintf(buf, sizeof buf, "%s", s);
	t = str_trim(buf);
	if (strcasecmp(t, "active") == 0)
		return 1;
	if (strcasecmp(t, "inactive") == 0)
		return 0;
	return -1;
}

int
roster_status_active(const struct bob_person *p, const struct bob_list *list)
{
	int st;

	if (p == NULL || str_empty(p->status_id))
		return -1;
	st = status_word(p->status_id);
	if (st < 0 && list != NULL)
		st = status_word(bob_list_name_of(list, p->status_id));
	return st;
}

static void
rule_access(const struct bob_person *p, struct roster_rule_result *r)
{
	char v[48];

	r->rule = RULE_ACCESS;
	switch (p->access) {
	case BOB_ACCESS_YES:
		r->pass = 1;
		setf(r->detail, sizeof r->detail, "alleo_access is yes");
		break;
	case BOB_ACCESS_NO:
		r->pass = 0;
		setf(r->detail, sizeof r->detail, "alleo_access is no");
		break;
	case BOB_ACCESS_OTHER:
		r->pass = -1;
		shown(p->access_value, v);
		setf(r->detail, sizeof r->detail, "alleo_access is '%s', neither yes nor no", v);
		break;
	case BOB_ACCESS_UNREADABLE:
		r->pass = -1;
		setf(r->detail, sizeof r->detail,
		    "alleo_access could not be read (HiBob did not return it; check the permission group)");
		break;
	case BOB_ACCESS_UNSET:
	default:
		r->pass = -1;
		setf(r->detail, sizeof r->detail, "alleo_access is not set");
		break;
	}
}

/* "starts on 2026-12-01 (in 7 days)" and friends. */
static void
rule_started(const struct bob_person *p, int64_t today, int prestart,
    int have_start, int64_t start, struct roster_rule_result *r)
{
	char d[11], v[48];

	r->rule = RULE_STARTED;
	if (str_empty(p->start_date)) {
		r->pass = -1;
		setf(r->detail, sizeof r->detail, "start date is not set");
		return;
	}
	if (!have_start) {
		r->pass = -1;
		shown(p->start_date, v);
		setf(r->detail, sizeof r->detail, "start date '%s' could not be read", v);
		return;
	}
	date_format_from(p->start_date, start, d);
	if (today >= start) {
		r->pass = 1;
		setf(r->detail, sizeof r->detail, "started on %s", d);
	} else if (today >= start - prestart) {
		r->pass = 1;
		setf(r->detail, sizeof r->detail, "starts on %s (in %lld day%s; provisioned %d day%s ahead)",
		    d, (long long)(start - today), start - today == 1 ? "" : "s",
		    prestart, prestart == 1 ? "" : "s");
	} else {
		r->pass = 0;
		setf(r->detail, sizeof r->detail, "starts on %s (in %lld day%s)", d,
		    (long long)(start - today), start - today == 1 ? "" : "s");
	}
}

static void
rule_employed(const struct bob_person *p, enum roster_lifecycle lc, int64_t today,
    int started_pass, int have_start, int64_t start, int have_term, int64_t term,
    struct roster_rule_result *r, int *left)
{
	char td[11] = "", v[48];

	*left = 0;
	r->rule = RULE_EMPLOYED;
	if (have_term)
		date_format_from(p->termination_date, term, td);
	/* the status as words: only an unknown one and a leave show it */
	if (lc == LIFE_UNKNOWN || lc == LIFE_LEAVE)
		shown(p->lifecycle, v);

	/* A termination date decides for every status, a status bobsync
	 * cannot read included: the last day counts. */
	if (have_term && today > term) {
		r->pass = 0;
		*left = 1;
		setf(r->detail, sizeof r->detail, "terminated on %s", td);
		return;
	}
	if (lc == LIFE_UNKNOWN) {
		/* never a removal: the Lifecycle section may be unreadable,
		 * or the company has a status of its own */
		r->pass = -1;
		if (str_empty(p->lifecycle_id) && str_empty(p->lifecycle))
			setf(r->detail, sizeof r->detail,
			    "employment status could not be read (lifecycle status is empty)");
		else if (str_empty(p->lifecycle) || str_empty(p->lifecycle_id) ||
		    str_eq(p->lifecycle, p->lifecycle_id)) {
			shown(str_empty(p->lifecycle_id) ? p->lifecycle : p->lifecycle_id, v);
			setf(r->detail, sizeof r->detail,
			    "employment status could not be read (unknown lifecycle status '%s')", v);
		} else {
			char id[48];
			shown(p->lifecycle_id, id);
			setf(r->detail, sizeof r->detail,
			    "employment status could not be read (unknown lifecycle status '%s', "
			    "value '%s')", v, id);
		}
		return;
	}
	switch (lc) {
	case LIFE_TERMINATED:
		if (have_term) {
			r->pass = 1;
			setf(r->detail, sizeof r->detail, "terminated, last day %s%s", td,
			    today == term ? " (today)" : "");
		} else {
			r->pass = 0;
			*left = 1;
			setf(r->detail, sizeof r->detail, "terminated");
		}
		return;
	case LIFE_HIRED:
		/* HiBob flips hired to employed at midnight site time; we may
		 * read it early.  The start date rule decides. */
		if (started_pass == 1 && have_start && today < start) {
			r->pass = 1;
			setf(r->detail, sizeof r->detail, "hired, provisioned ahead of the start date");
		} else if (started_pass == 1) {
			r->pass = 1;
			setf(r->detail, sizeof r->detail, "hired, start date reached");
		} else if (started_pass == 0) {
			r->pass = 0;
			setf(r->detail, sizeof r->detail, "hired, not started yet");
		} else {
			r->pass = -1;
			setf(r->detail, sizeof r->detail, "hired, start date unknown");
		}
		break;
	case LIFE_EMPLOYED:
		r->pass = 1;
		setf(r->detail, sizeof r->detail, "employed");
		break;
	case LIFE_LEAVE:
		r->pass = 1;
		setf(r->detail, sizeof r->detail, "on leave (%s)", v);
		break;
	case LIFE_GARDEN_LEAVE:
		r->pass = 1;
		setf(r->detail, sizeof r->detail, "on garden leave");
		break;
	case LIFE_UNKNOWN:
		break;
	}
	if (have_term)
		appendf(r->detail, sizeof r->detail, ", last day %s%s", td,
		    today == term ? " (today)" : "");
	else if (!str_empty(p->termination_date)) {
		shown(p->termination_date, v);
		appendf(r->detail, sizeof r->detail, " (termination date '%s' could not be read)", v);
	}
}

void
roster_evaluate(const struct bob_person *p, int64_t today,
    const struct roster_rules_opts *o, struct roster_eval *out)
{
	static const struct bob_person empty;
	struct roster_rule_result *ra, *re, *rs;
	int64_t start = 0, term = 0;
	int have_start, have_term, prestart = 0, any_fail = 0, any_unknown = 0, left, rehired;
	enum roster_lifecycle lc;

	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	out->offboard_days = -1;
	if (p == NULL)
		p = &empty;
	if (o != NULL && o->prestart_days > 0)
		prestart = o->prestart_days > 3660 ? 3660 : o->prestart_days;

	have_start = !str_empty(p->start_date) && date_parse(p->start_date, &start) == 0;
	have_term = !str_empty(p->termination_date) && date_parse(p->termination_date, &term) == 0;
	lc = roster_lifecycle_of(p, o != NULL ? o->lifecycle_list : NULL);
	/* A rehire: employed again from a start date after the termination
	 * date, which HiBob may keep from the employment before (the notes do
	 * not say it is cleared).  That date ends nothing now. */
	rehired = have_term && have_start && start > term && lc != LIFE_TERMINATED;
	if (rehired)
		have_term = 0;
	if (have_term)
		out->offboard_days = term;

	ra = &out->rules[0];
	re = &out->rules[1];
	rs = &out->rules[2];
	rule_access(p, ra);
	rule_started(p, today, prestart, have_start, start, rs);
	rule_employed(p, lc, today, rs->pass, have_start, start, have_term, term, re, &left);
	if (rehired) {
		char td[11];
		date_format(term, td);
		appendf(re->detail, sizeof re->detail, " (rehired: the termination on %s came "
		    "before the start date)", td);
	}

	for (size_t i = 0; i < ARRAY_LEN(out->rules); i++) {
		if (out->rules[i].pass == 0)
			any_fail = 1;
		else if (out->rules[i].pass < 0)
			any_unknown = 1;
	}

	if (p->damaged) {
		/* HiBob sent something that is not text for them: hold, so
		 * nothing is sent or removed on a value nobody can read */
		out->verdict = ROSTER_UNKNOWN;
		setf(out->reason, sizeof out->reason, "on hold: HiBob sent a value for them that is "
		    "not valid text (\\u0000 or a lone UTF-16 surrogate); correct the record in "
		    "HiBob");
	} else if (ra->pass < 0 && left) {
		/* Termination wins: unknown access protects an employed person
		 * from a missing value, never a leaver. */
		out->verdict = ROSTER_INELIGIBLE;
		setf(out->reason, sizeof out->reason, "not eligible: %s (%s: a leaver is offboarded "
		    "whatever the field says)", re->detail, ra->detail);
	} else if (ra->pass < 0) {
		/* Unknown access: hold, whatever else says.  Still report the
		 * other rules that fail. */
		out->verdict = ROSTER_UNKNOWN;
		setf(out->reason, sizeof out->reason, "on hold: %s (never removed on an unknown value)",
		    ra->detail);
		for (size_t i = 1; i < ARRAY_LEN(out->rules); i++)
			if (out->rules[i].pass == 0)
				appendf(out->reason, sizeof out->reason, "; also %s", out->rules[i].detail);
	} else if (any_fail) {
		out->verdict = ROSTER_INELIGIBLE;
		setf(out->reason, sizeof out->reason, "not eligible: ");
		for (size_t i = 0, n = 0; i < ARRAY_LEN(out->rules); i++)
			if (out->rules[i].pass == 0)
				appendf(out->reason, sizeof out->reason, "%s%s", n++ ? "; " : "",
				    out->rules[i].detail);
	} else if (any_unknown) {
		out->verdict = ROSTER_UNKNOWN;
		setf(out->reason, sizeof out->reason, "on hold: ");
		for (size_t i = 0, n = 0; i < ARRAY_LEN(out->rules); i++)
			if (out->rules[i].pass < 0)
				appendf(out->reason, sizeof out->reason, "%s%s", n++ ? "; " : "",
				    out->rules[i].detail);
	} else {
		out->verdict = ROSTER_ELIGIBLE;
		setf(out->reason, sizeof out->reason, "eligible: %s, %s, %s", ra->detail,
		    re->detail, rs->detail);
	}
}

void
roster_eval_keep(struct arena *a, const struct roster_eval *e, struct roster_kept_eval *out)
{
	out->verdict = e->verdict;
	out->reason = arena_intern_str(a, e->reason);
	for (size_t i = 0; i < ARRAY_LEN(out->rules); i++) {
		out->rules[i].rule = e->rules[i].rule;	/* static */
		out->rules[i].pass = e->rules[i].pass;
		out->rules[i].detail = arena_intern_str(a, e->rules[i].detail);
	}
	out->offboard_days = e->offboard_days;
}

void
roster_eval_view(const struct roster_eval *e, struct roster_kept_eval *out)
{
	out->verdict = e->verdict;
	out->reason = e->reason;
	for (size_t i = 0; i < ARRAY_LEN(out->rules); i++) {
		out->rules[i].rule = e->rules[i].rule;
		out->rules[i].pass = e->rules[i].pass;
		out->rules[i].detail = e->rules[i].detail;
	}
	out->offboard_days = e->offboard_days;
}
