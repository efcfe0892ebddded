/* test_roster_rules.c - Alleo eligibility: access, lifecycle, start and
 * termination dates, prestart days, unknown values, local dates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rules/roster_rules.h"
#include "base/tz.h"
#include "base/util.h"

static int64_t
day(const char *s)
{
	int64_t d;
	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static struct bob_person
person(enum bob_access access, const char *lifecycle, const char *start, const char *term)
{
	struct bob_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)"3332883884017713238";
	p.email = (char *)"jane@example.com";
	p.access = access;
	p.access_value = access == BOB_ACCESS_YES ? (char *)"yes" :
	    access == BOB_ACCESS_NO ? (char *)"no" : NULL;
	p.lifecycle = p.lifecycle_id = (char *)lifecycle;
	p.start_date = (char *)start;
	p.termination_date = (char *)term;
	return p;
}

static struct roster_eval
eval(const struct bob_person *p, const char *today, int prestart)
{
	struct roster_rules_opts o = { .prestart_days = prestart };
	struct roster_eval e;
	memset(&e, 0x5a, sizeof e);	/* garbage the function must overwrite */
	roster_evaluate(p, day(today), &o, &e);
	return e;
}

#define assert_contains(hay, needle) assert_non_null(strstr((hay), (needle)))

/* ---- a record HiBob sent damaged (issue 17 item 10) ---- */

static void
evaluate_damaged_record_held(void **state)
{
	struct bob_person p = person(BOB_ACCESS_YES, "Employed", "2024-01-01", NULL);
	struct roster_eval e;
	(void)state;

	e = eval(&p, "2026-03-02", 0);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	p.damaged = 1;
	e = eval(&p, "2026-03-02", 0);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_contains(e.reason, "not valid text");
}

/* ---- names ---- */

static void
names(void **state)
{
	(void)state;
	assert_string_equal(roster_verdict_name(ROSTER_ELIGIBLE), "eligible");
	assert_string_equal(roster_verdict_name(ROSTER_INELIGIBLE), "ineligible");
	assert_string_equal(roster_verdict_name(ROSTER_UNKNOWN), "unknown");
	assert_string_equal(roster_verdict_name((enum roster_verdict)42), "unknown");
	assert_string_equal(bob_access_name(BOB_ACCESS_YES), "yes");
	assert_string_equal(bob_access_name(BOB_ACCESS_NO), "no");
	assert_string_equal(bob_access_name(BOB_ACCESS_UNSET), "unset");
	assert_string_equal(bob_access_name(BOB_ACCESS_OTHER), "other");
	assert_string_equal(bob_access_name(BOB_ACCESS_UNREADABLE), "unreadable");
	assert_string_equal(bob_access_name((enum bob_access)42), "unset");
}

/* ---- roster_lifecycle_parse ---- */

static void
lifecycle_degenerate(void **state)
{
	char longs[200];
	(void)state;
	assert_int_equal(roster_lifecycle_parse(NULL), LIFE_UNKNOWN);
	assert_int_equal(roster_lifecycle_parse(""), LIFE_UNKNOWN);
	assert_int_equal(roster_lifecycle_parse("   "), LIFE_UNKNOWN);
	assert_int_equal(roster_lifecycle_parse("onboarding"), LIFE_UNKNOWN);
	assert_int_equal(roster_lifecycle_parse("employe"), LIFE_UNKNOWN);
	assert_int_equal(roster_lifecycle_parse("leaver"), LIFE_UNKNOWN);	/* not the word */
	assert_int_equal(roster_lifecycle_parse("leaves"), LIFE_UNKNOWN);
	memset(longs, 'x', sizeof longs - 1);
	memcpy(longs + 150, "leave", 5);
	longs[sizeof longs - 1] = '\0';
	assert_int_equal(roster_lifecycle_parse(longs), LIFE_UNKNOWN);
}

static void
lifecycle_values_case_insensitive(void **state)
{
	(void)state;
	assert_int_equal(roster_lifecycle_parse("employed"), LIFE_EMPLOYED);
	assert_int_equal(roster_lifecycle_parse("Employed"), LIFE_EMPLOYED);
	assert_int_equal(roster_lifecycle_parse(" EMPLOYED "), LIFE_EMPLOYED);
	assert_int_equal(roster_lifecycle_parse("Hired"), LIFE_HIRED);
	assert_int_equal(roster_lifecycle_parse("terminated"), LIFE_TERMINATED);
	assert_int_equal(roster_lifecycle_parse("TERMINATED"), LIFE_TERMINATED);
	assert_int_equal(roster_lifecycle_parse("Leave"), LIFE_LEAVE);
	assert_int_equal(roster_lifecycle_parse("Parental leave"), LIFE_LEAVE);
	assert_int_equal(roster_lifecycle_parse("maternity leave"), LIFE_LEAVE);
	assert_int_equal(roster_lifecycle_parse("Sabbatical Leave"), LIFE_LEAVE);
	assert_int_equal(roster_lifecycle_parse("Garden leave"), LIFE_GARDEN_LEAVE);
	assert_int_equal(roster_lifecycle_parse("GARDEN LEAVE"), LIFE_GARDEN_LEAVE);
	assert_int_equal(roster_lifecycle_parse("garden_leave"), LIFE_GARDEN_LEAVE);
}

/* ---- roster_evaluate ---- */

static void
evaluate_degenerate(void **state)
{
	struct bob_person empty;
	struct roster_eval e;
	(void)state;
	roster_evaluate(NULL, 0, NULL, NULL);	/* nothing to fill: no crash */
	memset(&empty, 0, sizeof empty);	/* every pointer NULL, access unset */
	roster_evaluate(&empty, day("2026-03-02"), NULL, &e);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_int_equal(e.offboard_days, -1);
	assert_contains(e.reason, "alleo_access is not set");
	assert_contains(e.reason, "never removed");
	assert_string_equal(e.rules[0].rule, "alleo_access is yes");
	assert_string_equal(e.rules[1].rule, "employed");
	assert_string_equal(e.rules[2].rule, "start date reached");
	assert_int_equal(e.rules[0].pass, -1);
	assert_int_equal(e.rules[1].pass, -1);	/* unreadable: never a removal */
	assert_contains(e.rules[1].detail, "could not be read");
	assert_int_equal(e.rules[2].pass, -1);
	assert_contains(e.rules[2].detail, "not set");
	roster_evaluate(NULL, day("2026-03-02"), NULL, &e);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	/* yes, but nothing else known */
	empty.access = BOB_ACCESS_YES;
	roster_evaluate(&empty, day("2026-03-02"), NULL, &e);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_contains(e.reason, "on hold: employment status could not be read (lifecycle status is empty)");
}

static void
evaluate_employed_eligible(void **state)
{
	struct bob_person p = person(BOB_ACCESS_YES, "Employed", "2024-01-15", NULL);
	struct roster_eval e = eval(&p, "2026-03-02", 0);
	(void)state;
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_string_equal(e.reason, "eligible: alleo_access is yes, employed, started on 2024-01-15");
	for (int i = 0; i < 3; i++)
		assert_int_equal(e.rules[i].pass, 1);
	assert_int_equal(e.offboard_days, -1);
	p.lifecycle = p.lifecycle_id = (char *)"EMPLOYED";
	assert_int_equal(eval(&p, "2026-03-02", 0).verdict, ROSTER_ELIGIBLE);
}

static void
evaluate_access_no(void **state)
{
	struct bob_person p = person(BOB_ACCESS_NO, "employed", "2024-01-15", NULL);
	struct roster_eval e = eval(&p, "2026-03-02", 0);
	(void)state;
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_string_equal(e.reason, "not eligible: alleo_access is no");
	assert_int_equal(e.rules[0].pass, 0);
	assert_int_equal(e.rules[1].pass, 1);
	assert_int_equal(e.rules[2].pass, 1);
}

static void
evaluate_access_unknown_holds(void **state)
{
	struct bob_person p = person(BOB_ACCESS_UNSET, "employed", "2020-01-01", "2026-12-31");
	struct roster_eval e = eval(&p, "2026-03-02", 0);
	(void)state;
	/* unset access: an employed person (leaving later) is held */
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_contains(e.reason, "on hold: alleo_access is not set");
	assert_int_equal(e.rules[1].pass, 1);

	p = person(BOB_ACCESS_UNREADABLE, "employed", "2020-01-01", NULL);
	e = eval(&p, "2026-03-02", 0);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_contains(e.reason, "could not be read");
	assert_contains(e.reason, "permission group");
	assert_int_equal(e.rules[1].pass, 1);

	p = person(BOB_ACCESS_OTHER, "employed", "2020-01-01", NULL);
	p.access_value = (char *)"maybe\x1b[31m";
	e = eval(&p, "2026-03-02", 0);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_contains(e.rules[0].detail, "alleo_access is 'maybe?[31m', neither yes nor no");
	assert_null(strchr(e.reason, '\x1b'));

	p.access_value = NULL;		/* other, without the value */
	e = eval(&p, "2026-03-02", 0);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
}

static void
evaluate_hired_and_prestart(void **state)
{
	struct bob_person p = person(BOB_ACCESS_YES, "Hired", "2026-12-01", NULL);
	struct roster_eval e;
	(void)state;
	e = eval(&p, "2026-11-24", 0);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_contains(e.reason, "starts on 2026-12-01 (in 7 days)");
	assert_int_equal(e.rules[1].pass, 0);
	assert_int_equal(e.rules[2].pass, 0);
	e = eval(&p, "2026-11-30", 0);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_contains(e.reason, "(in 1 day)");
	/* HiBob may still say hired on the first day: the date decides */
	e = eval(&p, "2026-12-01", 0);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_contains(e.reason, "started on 2026-12-01");
	assert_string_equal(e.rules[1].detail, "hired, start date reached");
	/* prestart_days 7: from 24 November, not 23 */
	e = eval(&p, "2026-11-23", 7);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_contains(e.reason, "in 8 days");
	e = eval(&p, "2026-11-24", 7);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_contains(e.rules[2].detail, "starts on 2026-12-01 (in 7 days; provisioned 7 days ahead)");
	assert_string_equal(e.rules[1].detail, "hired, provisioned ahead of the start date");
	/* negative prestart is no prestart */
	assert_int_equal(eval(&p, "2026-11-30", -5).verdict, ROSTER_INELIGIBLE);
	/* an employed person with a future start date (rehire, data entry) */
	p.lifecycle = p.lifecycle_id = (char *)"employed";
	e = eval(&p, "2026-11-24", 0);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_int_equal(e.rules[1].pass, 1);
	assert_int_equal(e.rules[2].pass, 0);
	/* hired with no start date: held, not guessed */
	p = person(BOB_ACCESS_YES, "hired", NULL, NULL);
	e = eval(&p, "2026-11-24", 0);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_contains(e.reason, "start date is not set");
}

static void
evaluate_leaver_last_day_included(void **state)
{
	struct bob_person p = person(BOB_ACCESS_YES, "employed", "2020-02-01", "2026-10-31");
	struct roster_eval e;
	(void)state;
	e = eval(&p, "2026-10-30", 0);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_contains(e.reason, "last day 2026-10-31");
	assert_int_equal(e.offboard_days, day("2026-10-31"));
	e = eval(&p, "2026-10-31", 0);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_contains(e.reason, "last day 2026-10-31 (today)");
	e = eval(&p, "2026-11-01", 0);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_string_equal(e.reason, "not eligible: terminated on 2026-10-31");
	assert_int_equal(e.offboard_days, day("2026-10-31"));
	/* HiBob already says terminated before the last day has passed */
	p.lifecycle = p.lifecycle_id = (char *)"Terminated";
	assert_int_equal(eval(&p, "2026-10-31", 0).verdict, ROSTER_ELIGIBLE);
	assert_int_equal(eval(&p, "2026-11-01", 0).verdict, ROSTER_INELIGIBLE);
	/* terminated without a date */
	p.termination_date = NULL;
	e = eval(&p, "2026-10-31", 0);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_string_equal(e.reason, "not eligible: terminated");
	assert_int_equal(e.offboard_days, -1);
	/* an unreadable termination date does not end employment */
	p.lifecycle = p.lifecycle_id = (char *)"employed";
	p.termination_date = (char *)"31/10/2026";
	e = eval(&p, "2026-11-05", 0);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_contains(e.rules[1].detail, "termination date '31/10/2026' could not be read");
	assert_int_equal(e.offboard_days, -1);
}

/* A rehire whose old termination date HiBob kept: the start date after it
 * says the termination was of the employment before; not a leaver. */
static void
evaluate_rehire_keeps_old_termination_date(void **state)
{
	struct bob_person p = person(BOB_ACCESS_YES, "employed", "2026-03-01", "2025-06-30");
	struct roster_eval e;
	(void)state;
	e = eval(&p, "2026-03-02", 0);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_int_equal(e.offboard_days, -1);
	assert_contains(e.rules[1].detail, "rehired: the termination on 2025-06-30 came before "
	    "the start date");
	/* hired again, starting later: the start date decides */
	p.lifecycle = p.lifecycle_id = (char *)"hired";
	assert_int_equal(eval(&p, "2026-02-20", 0).verdict, ROSTER_INELIGIBLE);
	assert_int_equal(eval(&p, "2026-02-20", 10).verdict, ROSTER_ELIGIBLE);
	/* still terminated: the date stands */
	p.lifecycle = p.lifecycle_id = (char *)"terminated";
	e = eval(&p, "2026-03-02", 0);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_int_equal(e.offboard_days, day("2025-06-30"));
	/* a termination after the start date is this employment's */
	p.lifecycle = p.lifecycle_id = (char *)"employed";
	p.termination_date = (char *)"2026-03-31";
	assert_int_equal(eval(&p, "2026-04-01", 0).verdict, ROSTER_INELIGIBLE);
}

static void
evaluate_leave_types(void **state)
{
	static const char *const kinds[] = { "Leave", "Parental leave", "maternity leave",
	    "Sabbatical leave" };
	struct roster_eval e;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		struct bob_person p = person(BOB_ACCESS_YES, kinds[i], "2020-01-01", NULL);
		e = eval(&p, "2026-03-02", 0);
		assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
		assert_contains(e.rules[1].detail, "on leave");
		assert_contains(e.rules[1].detail, kinds[i]);
	}
}

static void
evaluate_garden_leave(void **state)
{
	struct bob_person p = person(BOB_ACCESS_YES, "Garden leave", "2020-01-01", "2026-06-30");
	struct roster_eval e;
	(void)state;
	e = eval(&p, "2026-06-30", 0);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_contains(e.reason, "on garden leave, last day 2026-06-30 (today)");
	e = eval(&p, "2026-07-01", 0);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_contains(e.reason, "terminated on 2026-06-30");
	assert_int_equal(e.offboard_days, day("2026-06-30"));
}

/* Termination beats a blank field (issue 13): a person past their
 * termination date is offboarded whatever alleo_access says; on or before
 * the last day, a blank field still holds. */
static void
evaluate_termination_beats_blank_field(void **state)
{
	static const enum bob_access unknown[] = { BOB_ACCESS_UNSET, BOB_ACCESS_UNREADABLE,
	    BOB_ACCESS_OTHER };
	struct roster_eval e;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
		struct bob_person p = person(unknown[i], "terminated", "2020-01-01", "2026-12-01");
		e = eval(&p, "2026-12-06", 0);
		assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
		assert_int_equal(e.rules[0].pass, -1);
		assert_int_equal(e.rules[1].pass, 0);
		assert_contains(e.reason, "not eligible: terminated on 2026-12-01");
		assert_contains(e.reason, "a leaver is offboarded whatever the field says");
		assert_int_equal(e.offboard_days, day("2026-12-01"));
		/* the last day itself: still held */
		e = eval(&p, "2026-12-01", 0);
		assert_int_equal(e.verdict, ROSTER_UNKNOWN);
		/* HiBob still says employed, but the date has passed */
		p.lifecycle = p.lifecycle_id = (char *)"employed";
		assert_int_equal(eval(&p, "2026-12-02", 0).verdict, ROSTER_INELIGIBLE);
		/* terminated without a date */
		p.lifecycle = p.lifecycle_id = (char *)"terminated";
		p.termination_date = NULL;
		e = eval(&p, "2026-12-06", 0);
		assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
		assert_contains(e.reason, "not eligible: terminated (alleo_access");
	}
}

/* The lifecycle comes from the machine value, through the named list when
 * it is an item id; the display text (in the service user's language) is
 * never read.  A value that cannot be classified is held, not removed. */
static void
evaluate_lifecycle_from_list_ids(void **state)
{
	struct bob_list_item items[] = {
		{ (char *)"90301", (char *)"Employed", 0, NULL, 0 },
		{ (char *)"90303", (char *)"Terminated", 0, NULL, 0 },
		{ (char *)"90304", (char *)"Garden leave", 0, NULL, 0 },
		{ (char *)"90307", (char *)"Sabbatical", 0, NULL, 0 },
	};
	struct bob_list list = { (char *)"lifecycle", items, ARRAY_LEN(items) };
	struct roster_rules_opts o = { .lifecycle_list = &list };
	struct bob_person p = person(BOB_ACCESS_YES, "In dienst", "2020-01-01", NULL);
	struct roster_eval e;
	(void)state;
	p.lifecycle_id = (char *)"90301";
	roster_evaluate(&p, day("2026-03-02"), &o, &e);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_int_equal(roster_lifecycle_of(&p, &list), LIFE_EMPLOYED);
	/* without the list the id means nothing, and the Dutch text is not read */
	roster_evaluate(&p, day("2026-03-02"), NULL, &e);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_contains(e.reason, "on hold: employment status could not be read (unknown lifecycle "
	    "status 'In dienst', value '90301')");
	/* English display text without a machine value: not read either */
	p.lifecycle = (char *)"Employed";
	p.lifecycle_id = NULL;
	roster_evaluate(&p, day("2026-03-02"), &o, &e);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	/* the company's own leave type, named without "leave": held */
	p.lifecycle = (char *)"Sabbatsverlof";
	p.lifecycle_id = (char *)"90307";
	roster_evaluate(&p, day("2026-03-02"), &o, &e);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_int_equal(e.rules[1].pass, -1);
	assert_contains(e.reason, "unknown lifecycle status 'Sabbatsverlof', value '90307'");
	/* garden leave through its item, terminated through its item */
	p.lifecycle_id = (char *)"90304";
	p.termination_date = (char *)"2026-04-30";
	roster_evaluate(&p, day("2026-03-02"), &o, &e);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	assert_contains(e.rules[1].detail, "on garden leave");
	p.lifecycle_id = (char *)"90303";
	p.termination_date = NULL;
	roster_evaluate(&p, day("2026-03-02"), &o, &e);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	/* internal.status the same way */
	p.status_id = (char *)"Inactive";
	assert_int_equal(roster_status_active(&p, NULL), 0);
	p.status_id = (char *)" active ";
	assert_int_equal(roster_status_active(&p, NULL), 1);
	p.status = (char *)"Inactief";
	p.status_id = (char *)"2";
	assert_int_equal(roster_status_active(&p, NULL), -1);
	items[0].id = (char *)"2";
	items[0].name = (char *)"Inactive";
	assert_int_equal(roster_status_active(&p, &list), 0);
	assert_int_equal(roster_status_active(NULL, &list), -1);
	assert_int_equal(roster_lifecycle_of(NULL, &list), LIFE_UNKNOWN);
}

static void
evaluate_unknown_lifecycle(void **state)
{
	struct bob_person p = person(BOB_ACCESS_YES, "Onboarding", "2020-01-01", NULL);
	struct roster_eval e = eval(&p, "2026-03-02", 0);
	(void)state;
	/* held and reported, never a removal */
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_contains(e.reason, "on hold: employment status could not be read (unknown lifecycle "
	    "status 'Onboarding')");
	/* a start date that cannot be read: held */
	p = person(BOB_ACCESS_YES, "employed", "2026-13-45", NULL);
	e = eval(&p, "2026-03-02", 0);
	assert_int_equal(e.verdict, ROSTER_UNKNOWN);
	assert_contains(e.reason, "start date '2026-13-45' could not be read");
}

static void
evaluate_local_date_around_midnight(void **state)
{
	/* 20:00 UTC on 1 March: already 2 March in Kolkata (01:30), still
	 * 1 March in Los Angeles (12:00).  The caller passes each person's
	 * local date. */
	int64_t now = day("2026-03-01") * 86400 + 20 * 3600;
	const struct tz *kol, *la;
	struct bob_person starter = person(BOB_ACCESS_YES, "hired", "2026-03-02", NULL);
	struct bob_person leaver = person(BOB_ACCESS_YES, "employed", "2020-01-01", "2026-03-01");
	struct roster_rules_opts o = { 0 };
	struct roster_eval e;
	(void)state;
	assert_int_equal(tz_get("Asia/Kolkata", &kol, NULL), BS_OK);
	assert_int_equal(tz_get("America/Los_Angeles", &la, NULL), BS_OK);

	roster_evaluate(&starter, tz_local_days(kol, now), &o, &e);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
	roster_evaluate(&starter, tz_local_days(la, now), &o, &e);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_contains(e.reason, "starts on 2026-03-02 (in 1 day)");

	roster_evaluate(&leaver, tz_local_days(kol, now), &o, &e);
	assert_int_equal(e.verdict, ROSTER_INELIGIBLE);
	assert_contains(e.reason, "terminated on 2026-03-01");
	roster_evaluate(&leaver, tz_local_days(la, now), &o, &e);
	assert_int_equal(e.verdict, ROSTER_ELIGIBLE);
}

/* A rule for people: its detail only when it says more than its name. */
static void
rule_words_say_a_thing_once(void **state)
{
	struct roster_kept_rule same = { "employed", 1, "employed" };
	struct roster_kept_rule more = { "start date reached", 1, "started on 2025-05-14" };
	struct roster_kept_rule none = { NULL, -1, "" };
	struct roster_kept_rule nodetail = { "alleo_access is yes", 0, NULL };
	char buf[64], tiny[8];
	(void)state;
	assert_string_equal(roster_rule_words(&same, buf, sizeof buf), "employed");
	assert_string_equal(roster_rule_words(&more, buf, sizeof buf),
	    "start date reached: started on 2025-05-14");
	assert_string_equal(roster_rule_words(&none, buf, sizeof buf), "?");
	assert_string_equal(roster_rule_words(&nodetail, buf, sizeof buf), "alleo_access is yes");
	assert_string_equal(roster_rule_words(&more, tiny, sizeof tiny), "start d");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(lifecycle_degenerate),
		cmocka_unit_test(lifecycle_values_case_insensitive),
		cmocka_unit_test(evaluate_degenerate),
		cmocka_unit_test(evaluate_employed_eligible),
		cmocka_unit_test(evaluate_access_no),
		cmocka_unit_test(evaluate_access_unknown_holds),
		cmocka_unit_test(evaluate_hired_and_prestart),
		cmocka_unit_test(evaluate_leaver_last_day_included),
		cmocka_unit_test(evaluate_rehire_keeps_old_termination_date),
		cmocka_unit_test(evaluate_leave_types),
		cmocka_unit_test(evaluate_garden_leave),
		cmocka_unit_test(evaluate_termination_beats_blank_field),
		cmocka_unit_test(evaluate_lifecycle_from_list_ids),
		cmocka_unit_test(evaluate_unknown_lifecycle),
		cmocka_unit_test(evaluate_local_date_around_midnight),
		cmocka_unit_test(evaluate_damaged_record_held),
		cmocka_unit_test(rule_words_say_a_thing_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
