/* test_hibob.c - HiBob response parsing: every documented quirk. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vendor/hibob.h"
#include "base/util.h"

#define S(x) (x), strlen(x)

/* ---- fields ---- */

static void
fields_degenerate(void **state)
{
	struct bob_fields f;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_fields(NULL, 0, &f, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_fields(S("{\"x\":1}"), &f, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_fields(S("[1,2"), &f, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_fields(S("[]"), &f, &err), BS_OK);
	assert_int_equal(f.n, 0);
	bob_fields_clear(&f);
	/* entries without an id are skipped, non-objects too */
	assert_int_equal(bob_parse_fields(S("[{\"name\":\"x\"}, 3, null]"), &f, &err), BS_OK);
	assert_int_equal(f.n, 0);
	bob_fields_clear(&f);
}

static void
fields_metadata_shape(void **state)
{
	static const char json[] =
	    "[{\"id\":\"root.firstName\",\"categoryId\":\"root\",\"categoryDisplayName\":\"Basic info\","
	    "\"category\":\"root\",\"name\":\"First name\",\"description\":null,\"jsonPath\":\"firstName\","
	    "\"type\":\"text\",\"typeData\":{},\"historical\":false},"
	    "{\"id\":\"work.custom.field_1699999999999\",\"categoryId\":\"work\",\"categoryDisplayName\":\"Work\","
	    "\"name\":\"alleo_access\",\"jsonPath\":\"work.custom.field_1699999999999\",\"type\":\"list\","
	    "\"typeData\":{\"listId\":\"list_1699999999999\"},\"historical\":false},"
	    "{\"id\":\"custom.category_1.field_2\",\"categoryId\":1726078147147,\"name\":\"x\",\"type\":\"number\"}]";
	struct bob_fields f;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_fields(S(json), &f, &err), BS_OK);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.v[0].id, "root.firstName");
	assert_string_equal(f.v[0].category_name, "Basic info");
	assert_null(f.v[0].list_id);
	assert_string_equal(f.v[1].name, "alleo_access");
	assert_string_equal(f.v[1].type, "list");
	assert_string_equal(f.v[1].list_id, "list_1699999999999");
	assert_string_equal(f.v[2].category, "1726078147147");	/* numeric category id */
	bob_fields_clear(&f);
}

/* ---- named lists ---- */

static void
list_values_and_items(void **state)
{
	static const char values[] =
	    "{\"name\":\"department\",\"values\":[{\"id\":\"209192163\",\"value\":\"Account Receivables\","
	    "\"name\":\"Account Receivables\",\"archived\":false,\"children\":[{\"id\":7,\"value\":\"Sub\","
	    "\"children\":[]}]},{\"id\":2606110,\"name\":\"Amsterdam\",\"archived\":true}]}";
	static const char items[] = "{\"name\":\"yesno\",\"items\":[{\"id\":1,\"name\":\"yes\"},{\"id\":2,\"name\":\"no\"}]}";
	struct bob_list l;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_list(S("[]"), &l, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_list(S(values), &l, &err), BS_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[1].id, "2606110");	/* numeric id kept as string */
	assert_true(l.items[1].archived);
	assert_string_equal(bob_list_name_of(&l, "7"), "Sub");	/* children searched */
	assert_string_equal(bob_list_id_of(&l, "account receivables"), "209192163");
	assert_null(bob_list_name_of(&l, "nope"));
	assert_null(bob_list_name_of(NULL, "7"));
	bob_list_clear(&l);
	assert_int_equal(bob_parse_list(S(items), &l, &err), BS_OK);
	assert_string_equal(bob_list_id_of(&l, "YES"), "1");
	bob_list_clear(&l);
}

static void
list_depth_bounded(void **state)
{
	struct strbuf sb;
	struct bob_list l;
	struct bs_error err = { 0 };
	(void)state;
	sb_init(&sb, 0);
	sb_puts(&sb, "{\"values\":[");
	for (int i = 0; i < 40; i++)
		sb_printf(&sb, "{\"id\":%d,\"name\":\"n\",\"children\":[", i);
	for (int i = 0; i < 40; i++)
		sb_puts(&sb, "]}");
	sb_puts(&sb, "]}");
	assert_int_equal(bob_parse_list(sb.buf, sb.len, &l, &err), BS_ERR_PARSE);
	assert_non_null(strstr(err.detail, "deeper"));
	sb_clear(&sb);
}

/* ---- people ---- */

static char id_yes[] = "11", id_no[] = "12", nm_yes[] = "yes", nm_no[] = "no", nm_list[] = "yesno";
static struct bob_list_item yesno_items[] = { { id_yes, nm_yes, 0, NULL, 0 }, { id_no, nm_no, 0, NULL, 0 } };
static const struct bob_list yesno = { nm_list, yesno_items, 2 };

static void
people_three_forms(void **state)
{
	/* one person in nested form, one in slash form only, one with root
	 * fields only at top level; ids as ~19-digit strings */
	static const char json[] =
	    "{\"employees\":["
	    "{\"id\":\"3332883884017713238\",\"email\":\"zoe@x.test\",\"firstName\":\"Zo\\u00eb\","
	    " \"surname\":\"\\u0141ukasiewicz-\\u00d8sterg\\u00e5rd\","
	    " \"work\":{\"department\":\"209\",\"startDate\":\"2020-01-06\",\"custom\":{\"field_1\":\"11\"}},"
	    " \"internal\":{\"lifecycleStatus\":\"employed\",\"status\":\"Active\",\"terminationDate\":null},"
	    " \"humanReadable\":{\"work\":{\"department\":\"Support\"}}},"
	    "{\"/root/id\":{\"value\":\"2813193532448179017\"},\"/root/email\":{\"value\":\"b@x.test\"},"
	    " \"/work/custom/field_1\":{\"value\":\"12\"},\"/internal/lifecycleStatus\":{\"value\":\"Terminated\"},"
	    " \"/internal/terminationDate\":{\"value\":\"2026-10-31\"}},"
	    "{\"id\":\"1\",\"email\":\"c@x.test\",\"root\":{},\"work\":{\"custom\":{\"field_1\":null}}},"
	    "{\"email\":\"noid@x.test\"}"
	    "]}";
	const struct bob_people_query q = { .access_field_id = "work.custom.field_1", .access_list = &yesno };
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S(json), &q, &p, &err), BS_OK);
	assert_int_equal(p.n, 3);	/* the one without an id is dropped */
	assert_string_equal(p.v[0].id, "3332883884017713238");
	assert_string_equal(p.v[0].first_name, "Zo\xc3\xab");
	assert_string_equal(p.v[0].department, "Support");	/* human-readable wins */
	assert_string_equal(p.v[0].start_date, "2020-01-06");
	assert_int_equal(p.v[0].access, BOB_ACCESS_YES);
	assert_null(p.v[0].termination_date);
	assert_string_equal(p.v[1].id, "2813193532448179017");
	assert_string_equal(p.v[1].email, "b@x.test");
	assert_int_equal(p.v[1].access, BOB_ACCESS_NO);
	assert_string_equal(p.v[1].lifecycle, "Terminated");
	assert_string_equal(p.v[1].termination_date, "2026-10-31");
	assert_int_equal(p.v[2].access, BOB_ACCESS_UNSET);	/* null = unset */
	/* packed: strings in the answer's arena, a repeated value kept once
	 * (issue 18); a copy owns its own */
	assert_int_equal(p.v[0].packed, 1);
	{
		struct bob_person c;
		bob_person_copy(&c, &p.v[1]);
		assert_int_equal(c.packed, 0);
		assert_ptr_not_equal(c.email, p.v[1].email);
		assert_string_equal(c.email, "b@x.test");
		assert_string_equal(c.termination_date, "2026-10-31");
		bob_people_clear(&p);
		assert_string_equal(c.email, "b@x.test");	/* outlives the arena */
		bob_person_clear(&c);
	}
}

/* Which form of a field wins when several are there: nested, then the
 * top level (root fields), then flat "/a/b" (its value); in the
 * humanReadable object the same; a nested object without the field, or a
 * "root" that is not an object, leaves the other forms to be read. */
static void
field_forms_in_order(void **state)
{
	static const char json[] =
	    "{\"employees\":["
	    "{\"root\":{\"id\":\"1\",\"email\":\"nested@x.test\"},\"email\":\"top@x.test\","
	    " \"/root/email\":{\"value\":\"flat@x.test\"},\"work\":{\"site\":\"S1\"},"
	    " \"humanReadable\":{\"work\":{\"site\":\"Site one\"}}},"
	    "{\"id\":\"2\",\"/root/email\":{\"value\":\"flat@x.test\"},"
	    " \"/work/department\":{\"value\":\"D2\"},"
	    " \"humanReadable\":{\"/work/department\":{\"value\":\"Department two\"}}},"
	    "{\"id\":\"3\",\"work\":{},\"/work/site\":{\"value\":\"flat site\"},"
	    " \"internal\":{\"status\":\"Active\"},\"/internal/lifecycleStatus\":{\"value\":\"Employed\"},"
	    " \"/work/startDate\":\"2021-03-04T00:00:00\",\"humanReadable\":{\"internal\":{}}},"
	    "{\"id\":\"4\",\"root\":\"not an object\",\"email\":\"top@x.test\",\"fullName\":\"Full Name\","
	    " \"humanReadable\":\"not an object\",\"work\":{\"department\":\"D4\"}}"
	    "]}";
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S(json), NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.v[0].id, "1");
	assert_string_equal(p.v[0].email, "nested@x.test");
	assert_string_equal(p.v[0].site, "Site one");
	assert_string_equal(p.v[1].email, "flat@x.test");
	assert_string_equal(p.v[1].department, "Department two");
	assert_string_equal(p.v[2].site, "flat site");
	assert_string_equal(p.v[2].status, "Active");
	assert_string_equal(p.v[2].status_id, "Active");
	assert_string_equal(p.v[2].lifecycle, "Employed");
	assert_string_equal(p.v[2].lifecycle_id, "Employed");
	assert_string_equal(p.v[2].start_date, "2021-03-04");
	assert_string_equal(p.v[3].email, "top@x.test");
	assert_string_equal(p.v[3].display_name, "Full Name");
	assert_string_equal(p.v[3].department, "D4");
	bob_people_clear(&p);
}

/* Fields are found whatever the number of members around them (the
 * reader keeps a table of the names of objects past 8 members) and
 * whatever other names look like theirs. */
static void
fields_found_among_many_members(void **state)
{
	struct strbuf sb;
	struct bob_people p;
	struct bs_error err = { 0 };
	static const size_t fillers[] = { 0, 20, 63, 64, 100 };
	(void)state;
	sb_init(&sb, 0);
	sb_puts(&sb, "{\"employees\":[");
	for (size_t k = 0; k < sizeof fillers / sizeof fillers[0]; k++) {
		sb_printf(&sb, "%s{", k ? "," : "");
		for (size_t i = 0; i < fillers[k]; i++)
			/* same length, first, middle and last byte as "/root/email" */
			sb_printf(&sb, "\"/r%03zut0000l\":{\"value\":\"x%zu\"},", i, i);
		sb_printf(&sb, "\"/root/id\":{\"value\":\"%zu\"},\"/root/email\":{\"value\":\"p%zu@x.test\"},"
		    "\"firstName\":\"F%zu\",\"work\":{\"site\":\"S%zu\"},"
		    "\"/internal/status\":{\"value\":\"Active\"}}", k + 1, k, k, k);
	}
	sb_puts(&sb, "]}");
	assert_int_equal(bob_parse_people(sb.buf, sb.len, NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, sizeof fillers / sizeof fillers[0]);
	for (size_t k = 0; k < p.n; k++) {
		char want[32];
		snprintf(want, sizeof want, "%zu", k + 1);
		assert_string_equal(p.v[k].id, want);
		snprintf(want, sizeof want, "p%zu@x.test", k);
		assert_string_equal(p.v[k].email, want);
		snprintf(want, sizeof want, "F%zu", k);
		assert_string_equal(p.v[k].first_name, want);
		snprintf(want, sizeof want, "S%zu", k);
		assert_string_equal(p.v[k].site, want);
		assert_string_equal(p.v[k].status, "Active");
		assert_null(p.v[k].surname);
	}
	bob_people_clear(&p);
	sb_clear(&sb);
}

/* A company's people are kept packed (issue 18): the values that repeat
 * (department, site, dates, list item ids, the access value, budget
 * names) once for everyone, each person's own (id, e-mail) copied. */
static void
people_packed_and_shared(void **state)
{
	static const char json[] =
	    "{\"employees\":["
	    "{\"id\":\"11\",\"email\":\"a@x.test\",\"work\":{\"department\":\"Sup\\u0070ort\","
	    " \"site\":{\"id\":3,\"name\":\"Lisbon\"},\"startDate\":\"2020-01-06T00:00:00\","
	    " \"custom\":{\"field_1\":\"11\",\"b\":\"12.5\"}},"
	    " \"internal\":{\"lifecycleStatus\":{\"id\":90301},\"status\":\"Active\"}},"
	    "{\"id\":\"12\",\"email\":\"b@x.test\",\"work\":{\"department\":\"Support\","
	    " \"site\":\"Lisbon\",\"startDate\":\"2020-01-06\",\"custom\":{\"field_1\":\"11\",\"b\":7}},"
	    " \"internal\":{\"lifecycleStatus\":\"90301\",\"status\":\"Active\"}}"
	    "]}";
	static const char *const bid[] = { "work.custom.b" }, *const bname[] = { "alleo_x_budget" };
	const struct bob_people_query q = { .access_field_id = "work.custom.field_1",
	    .access_list = &yesno, .budget_field_ids = bid, .budget_field_names = bname,
	    .nbudget = 1 };
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S(json), &q, &p, &err), BS_OK);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].packed, 1);
	assert_int_equal(p.v[1].packed, 1);
	assert_string_equal(p.v[0].department, "Support");	/* escaped, decoded */
	assert_ptr_equal(p.v[0].department, p.v[1].department);
	assert_string_equal(p.v[0].site, "Lisbon");
	assert_ptr_equal(p.v[0].site, p.v[1].site);
	assert_string_equal(p.v[0].start_date, "2020-01-06");	/* cut to its date */
	assert_ptr_equal(p.v[0].start_date, p.v[1].start_date);
	assert_string_equal(p.v[0].lifecycle_id, "90301");	/* a number and a string */
	assert_ptr_equal(p.v[0].lifecycle_id, p.v[1].lifecycle_id);
	assert_ptr_equal(p.v[0].status_id, p.v[1].status_id);
	assert_string_equal(p.v[0].access_value, "yes");
	assert_ptr_equal(p.v[0].access_value, p.v[1].access_value);
	assert_ptr_equal(p.v[0].budgets[0].field, p.v[1].budgets[0].field);
	assert_true(p.v[0].budgets[0].set && p.v[0].budgets[0].amount == 12.5);
	assert_true(p.v[1].budgets[0].set && p.v[1].budgets[0].amount == 7);
	assert_ptr_not_equal(p.v[0].email, p.v[1].email);
	assert_true(p.text.bytes > 0);
	bob_people_clear(&p);
}

/* Lifecycle and status: the machine value (a list item id, number or
 * string, or a word) is kept apart from the display text, which HiBob
 * formats in the service user's language (issue 12 point 4). */
static void
people_lifecycle_machine_value(void **state)
{
	static const char json[] =
	    "{\"employees\":["
	    "{\"id\":\"1\",\"internal\":{\"lifecycleStatus\":\"90301\",\"status\":7},"
	    " \"humanReadable\":{\"internal\":{\"lifecycleStatus\":\"In dienst\",\"status\":\"Actief\"}}},"
	    "{\"id\":\"2\",\"/internal/lifecycleStatus\":{\"value\":\"garden_leave\"},"
	    " \"/internal/status\":{\"value\":{\"id\":\"x1\",\"name\":\"Inaktiv\"}}},"
	    "{\"id\":\"3\",\"internal\":{\"lifecycleStatus\":\"\"},"
	    " \"humanReadable\":{\"internal\":{\"lifecycleStatus\":\"Employed\"}}}"
	    "]}";
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S(json), NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.v[0].lifecycle_id, "90301");
	assert_string_equal(p.v[0].lifecycle, "In dienst");
	assert_string_equal(p.v[0].status_id, "7");
	assert_string_equal(p.v[0].status, "Actief");
	assert_string_equal(p.v[1].lifecycle_id, "garden_leave");
	assert_string_equal(p.v[1].status_id, "x1");
	assert_null(p.v[2].lifecycle_id);		/* no value: only the text */
	assert_string_equal(p.v[2].lifecycle, "Employed");
	bob_people_clear(&p);
}

static void
people_silent_omission(void **state)
{
	/* the access field and lifecycle never come back: permissions */
	static const char json[] =
	    "{\"employees\":[{\"id\":\"1\",\"email\":\"a@x.test\",\"work\":{\"startDate\":\"2020-01-01\"}},"
	    "{\"id\":\"2\",\"email\":\"b@x.test\"}]}";
	const struct bob_people_query q = { .access_field_id = "work.custom.field_1", .access_list = &yesno };
	struct bob_people p;
	struct bs_error err = { 0 };
	int saw_access = 0, saw_life = 0, saw_start = 0;
	(void)state;
	assert_int_equal(bob_parse_people(S(json), &q, &p, &err), BS_OK);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].access, BOB_ACCESS_UNREADABLE);
	for (size_t i = 0; i < p.nmissing; i++) {
		saw_access |= str_eq(p.missing[i].field_id, "work.custom.field_1");
		saw_life |= str_eq(p.missing[i].field_id, "internal.lifecycleStatus");
		saw_start |= str_eq(p.missing[i].field_id, "work.startDate");
	}
	assert_true(saw_access);
	assert_true(saw_life);
	assert_false(saw_start);	/* returned for someone: not missing */
	bob_people_clear(&p);
}

static void
people_shapes_and_errors(void **state)
{
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S("{\"employees\":[]}"), NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.nmissing, 0);	/* nobody: nothing to say per field */
	bob_people_clear(&p);
	/* a bare object (single read) */
	assert_int_equal(bob_parse_people(S("{\"id\":\"9\",\"email\":\"z@x.test\"}"), NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].id, "9");
	bob_people_clear(&p);
	assert_int_equal(bob_parse_people(S("{\"people\":[]}"), NULL, &p, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_people(S("{\"employees\":[{\"id\":\"1\""), NULL, &p, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_people(S("{\"employees\":[{\"id\":\"1\",\"id\":\"2\"}]}"), NULL, &p, &err),
	    BS_ERR_PARSE);	/* duplicate keys rejected */
	assert_int_equal(bob_parse_people(S("not json"), NULL, &p, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_people(NULL, 0, NULL, &p, &err), BS_ERR_PARSE);
	/* strings with brackets and escaped quotes inside do not confuse the splitter */
	assert_int_equal(bob_parse_people(S("{\"x\":\"]}\",\"employees\":[{\"id\":\"1\",\"email\":\"a\\\"]}@x\"}]}"),
	    NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].email, "a\"]}@x");
	bob_people_clear(&p);
}

static void
people_real_ids(void **state)
{
	/* ids sent as JSON reals: whole ones are kept, ones no integer can
	 * hold are dropped like a missing id (found by fuzz_hibob) */
	static const char json[] =
	    "{\"employees\":[{\"id\":42.0,\"email\":\"a@x.test\"},"
	    "{\"id\":3333333333333333333333333333333331.0,\"email\":\"b@x.test\"},"
	    "{\"id\":-1e300,\"email\":\"c@x.test\"},{\"id\":1.5,\"email\":\"d@x.test\"}]}";
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S(json), NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].id, "42");
	bob_people_clear(&p);
}

static void
people_access_values(void **state)
{
	static const char json[] =
	    "{\"employees\":["
	    "{\"id\":\"1\",\"work\":{\"custom\":{\"f\":\"yes\"}}},"	/* display value already */
	    "{\"id\":\"2\",\"work\":{\"custom\":{\"f\":11}}},"		/* numeric item id */
	    "{\"id\":\"3\",\"work\":{\"custom\":{\"f\":\"99\"}},\"humanReadable\":{\"work\":{\"custom\":{\"f\":\"Maybe\"}}}},"
	    "{\"id\":\"4\",\"work\":{\"custom\":{\"f\":\"\"}}},"
	    "{\"id\":\"5\",\"work\":{\"custom\":{\"f\":[\"12\"]}}}"	/* multi-list */
	    "]}";
	const struct bob_people_query q = { .access_field_id = "work.custom.f", .access_list = &yesno };
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S(json), &q, &p, &err), BS_OK);
	assert_int_equal(p.v[0].access, BOB_ACCESS_YES);
	assert_int_equal(p.v[1].access, BOB_ACCESS_YES);
	assert_int_equal(p.v[2].access, BOB_ACCESS_OTHER);
	assert_string_equal(p.v[2].access_value, "Maybe");
	assert_int_equal(p.v[3].access, BOB_ACCESS_UNSET);
	assert_int_equal(p.v[4].access, BOB_ACCESS_NO);
	bob_people_clear(&p);
}

static void
people_budgets(void **state)
{
	static const char json[] =
	    "{\"employees\":[{\"id\":\"1\",\"work\":{\"custom\":{\"b1\":150.5,\"b2\":\"75\"}}},"
	    "{\"id\":\"2\",\"/work/custom/b1\":{\"value\":{\"value\":20,\"currency\":\"EUR\"}}}]}";
	const char *ids[] = { "work.custom.b1", "work.custom.b2" };
	const char *names[] = { "alleo_monthly_all_budget", "alleo_oneoff_health_budget" };
	const struct bob_people_query q = { .budget_field_ids = ids, .budget_field_names = names, .nbudget = 2 };
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S(json), &q, &p, &err), BS_OK);
	assert_int_equal(p.v[0].nbudgets, 2);
	assert_string_equal(p.v[0].budgets[0].field, "alleo_monthly_all_budget");
	assert_true(p.v[0].budgets[0].set);
	assert_true(p.v[0].budgets[0].amount > 150.4 && p.v[0].budgets[0].amount < 150.6);
	assert_true(p.v[0].budgets[1].set);
	assert_true(p.v[1].budgets[0].set);	/* currency object */
	assert_false(p.v[1].budgets[1].set);
	bob_people_clear(&p);
}

static void
people_reader_edge_cases(void **state)
{
	/* escaped member names and values, members after the list, a list
	 * that is not an object in between, numbers of every kind */
	static const char ok[] =
	    "{\"meta\":{\"n\":[1,{\"a\":\"]\"}]},\"employees\":["
	    "{\"\\u0069d\":\"7\",\"email\":\"a\\u0040x.test\",\"firstName\":\"\\ud83d\\ude00 Jo\","
	    " \"work\":{\"site\":{\"id\":3,\"name\":\"Tallinn\"},\"custom\":{\"f\":-1.5e0}}},"
	    " 42, null, [\"x\"],"
	    "{\"id\":8,\"surname\":\"Tab\\tTab\",\"internal\":{\"status\":17}}"
	    "],\"total\":2}";
	const char *ids[] = { "work.custom.f" };
	const char *names[] = { "alleo_monthly_all_budget" };
	const struct bob_people_query q = { .budget_field_ids = ids, .budget_field_names = names,
	    .nbudget = 1 };
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S(ok), &q, &p, &err), BS_OK);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[0].id, "7");
	assert_string_equal(p.v[0].email, "a@x.test");
	assert_string_equal(p.v[0].first_name, "\xf0\x9f\x98\x80 Jo");
	assert_string_equal(p.v[0].site, "Tallinn");
	assert_true(p.v[0].budgets[0].set);
	assert_true(p.v[0].budgets[0].amount == -1.5);
	assert_string_equal(p.v[1].id, "8");
	assert_string_equal(p.v[1].surname, "Tab\tTab");
	assert_string_equal(p.v[1].status, "17");
	bob_people_clear(&p);

	/* one bad person spoils the answer: bad UTF-8, a raw control
	 * character, an integer too big; \u0000 and a lone surrogate only
	 * mark that person damaged (issue 17 item 10) */
	assert_int_equal(bob_parse_people(S("{\"employees\":[{\"id\":\"1\"},{\"id\":\"\xc3\"}]}"),
	    NULL, &p, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_people(S("{\"employees\":[{\"id\":\"1\",\"email\":\"a\nb\"}]}"),
	    NULL, &p, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_people(S("{\"employees\":[{\"id\":\"1\",\"firstName\":"
	    "\"Ann\\u0000\"},{\"id\":\"2\",\"surname\":\"\\udc00x\"},{\"id\":\"3\"}]}"),
	    NULL, &p, &err), BS_OK);
	assert_int_equal(p.n, 3);
	assert_true(p.v[0].damaged);
	assert_true(p.v[1].damaged);
	assert_false(p.v[2].damaged);
	bob_people_clear(&p);
	assert_int_equal(bob_parse_people(S("{\"employees\":[{\"id\":99999999999999999999}]}"),
	    NULL, &p, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_people(S("{\"employees\":[{\"id\":\"1\"} {\"id\":\"2\"}]}"),
	    NULL, &p, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_people(S("{\"employees\":{\"id\":\"1\"}}"), NULL, &p, &err),
	    BS_ERR_PARSE);
	assert_non_null(strstr(bs_error_text(&err), "employees"));
}

/* ---- time off ---- */

static void
timeoff_changes_and_portions(void **state)
{
	static const char json[] =
	    "{\"changes\":[{\"changeType\":\"Created\",\"employeeId\":\"3332883884017713238\","
	    "\"employeeEmail\":\"jane@x.com\",\"requestId\":24588163,\"policyTypeDisplayName\":\"Holiday\","
	    "\"type\":\"days\",\"startDate\":\"2024-07-01\",\"startPortion\":\"afternoon\","
	    "\"endDate\":\"2024-07-05\",\"endPortion\":\"morning\",\"status\":\"approved\"},"
	    "{\"changeType\":\"Canceled\",\"employeeId\":12,\"requestId\":\"77\",\"type\":\"hours\","
	    "\"date\":\"2024-07-02\",\"hoursOnDate\":3,\"minutes\":30,\"status\":\"canceled\","
	    "\"previousRequestId\":76,\"originalRequestId\":70},"
	    "{\"requestId\":0,\"type\":\"days\"}]}";
	struct bob_timeoffs t;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_timeoffs(S(json), &t, &err), BS_OK);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.v[0].request_id, 24588163);
	assert_int_equal(t.v[0].type, TOFF_DAYS);
	assert_int_equal(t.v[0].status, TOFF_APPROVED);
	assert_int_equal(t.v[0].start_portion, TOFF_AFTERNOON);
	assert_int_equal(t.v[0].end_portion, TOFF_MORNING);
	assert_string_equal(t.v[0].start_date, "2024-07-01");
	assert_string_equal(t.v[0].employee_email, "jane@x.com");
	assert_string_equal(t.v[1].employee_id, "12");
	assert_int_equal(t.v[1].request_id, 77);
	assert_int_equal(t.v[1].minutes_on_date, 210);
	assert_int_equal(t.v[1].status, TOFF_CANCELED);
	assert_int_equal(t.v[1].previous_request_id, 76);
	assert_int_equal(t.v[1].original_request_id, 70);
	bob_timeoffs_clear(&t);
}

static void
timeoff_request_details_both_spellings(void **state)
{
	static const char a[] = "{\"requestId\":5,\"employeeId\":\"1\",\"type\":\"days\",\"status\":\"approved\","
	    "\"startDate\":\"2026-03-02\",\"startDatePortion\":\"afternoon\",\"endDate\":\"2026-03-04\","
	    "\"endDatePortion\":\"morning\"}";
	static const char b[] = "{\"requestId\":6,\"type\":\"portionOnRange\",\"status\":\"disapproved\","
	    "\"startDate\":\"2026-03-02\",\"endDate\":\"2026-03-06\",\"dayPortion\":\"morning\"}";
	static const char c[] = "{\"requestId\":7,\"type\":\"differentSpecificHoursDayDurations\",\"status\":\"pending\","
	    "\"timeZone\":\"Europe/London\",\"durations\":[{\"date\":\"2026-03-02\",\"startTime\":\"09:00\","
	    "\"endTime\":\"11:30\"},{\"date\":\"2026-03-03\",\"hours\":2},{\"date\":\"bad\"}]}";
	struct bob_timeoff t;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_timeoff(S(a), &t, &err), BS_OK);
	assert_int_equal(t.start_portion, TOFF_AFTERNOON);
	assert_int_equal(t.end_portion, TOFF_MORNING);
	bob_timeoff_clear(&t);
	assert_int_equal(bob_parse_timeoff(S(b), &t, &err), BS_OK);
	assert_int_equal(t.type, TOFF_PORTION_ON_RANGE);
	assert_int_equal(t.status, TOFF_DISAPPROVED);
	assert_int_equal(t.day_portion, TOFF_MORNING);
	bob_timeoff_clear(&t);
	assert_int_equal(bob_parse_timeoff(S(c), &t, &err), BS_OK);
	assert_int_equal(t.ndurations, 2);	/* the bad date dropped */
	assert_int_equal(t.durations[0].start_minute, 540);
	assert_int_equal(t.durations[0].minutes, 150);
	assert_int_equal(t.durations[1].minutes, 120);
	assert_int_equal(t.durations[1].start_minute, -1);
	assert_string_equal(t.time_zone, "Europe/London");
	bob_timeoff_clear(&t);
	assert_int_equal(bob_parse_timeoff(S("{\"type\":\"days\"}"), &t, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoff(S("[]"), &t, &err), BS_ERR_PARSE);
}

/* The members of an item are found by name whatever their order, names
 * that look alike (same length, same first and last byte) are not taken
 * for them, and an escaped name counts as its decoded self. */
static void
timeoff_members_by_exact_name(void **state)
{
	static const char j[] = "{\"stbtus\":\"pending\",\"\":1,\"endDbte\":\"2026-09-09\","
	    "\"durations\":[],\"rxquestId\":99,\"tyPe\":\"hours\",\"endDate\":\"2026-03-04\","
	    "\"st\\u0061tus\":\"approved\",\"type\":\"days\",\"Type\":\"hours\","
	    "\"employeeid\":\"7\",\"startDate\":\"2026-03-02\",\"requestId\":5,"
	    "\"employeeId\":\"1\",\"timeZone\":\"UTC\",\"timezone\":\"Europe/Oslo\"}";
	struct bob_timeoff t;
	struct bs_error err = { 0 };

	(void)state;
	assert_int_equal(bob_parse_timeoff(S(j), &t, &err), BS_OK);
	assert_int_equal(t.request_id, 5);
	assert_string_equal(t.status_raw, "approved");
	assert_int_equal(t.status, TOFF_APPROVED);
	assert_string_equal(t.type_raw, "days");
	assert_string_equal(t.start_date, "2026-03-02");
	assert_string_equal(t.end_date, "2026-03-04");
	assert_string_equal(t.employee_id, "1");
	assert_string_equal(t.time_zone, "UTC");
	bob_timeoff_clear(&t);
}

/* Clock times of daily durations read as sscanf("%2d:%2d") reads them
 * (hours 0-24, minutes 0-59), odd forms included. */
static void
timeoff_clock_times(void **state)
{
	static const char *const times[] = { "09:30", "9:30", "09:30:00", " 9:05", "+9:30",
	    "-0:30", "24:00", "24:01", "25:00", "09:60", "09: 7", "09 :30", "0930", "9:3x",
	    "123:00", "09:301", ":30", "", "  ", "\\t8:15", "08:-5", "08:+5", "+:30", "1+:30",
	    "\\u0030\\u0039:45", "99999999999999999999:00" };
	struct bs_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		char json[256], plain[64];
		struct bob_timeoff t;
		int h, m, want;
		const char *p = times[i];
		size_t n = 0;

		/* the decoded text, for sscanf */
		while (*p && n + 1 < sizeof plain) {
			if (strncmp(p, "\\t", 2) == 0) {
				plain[n++] = '\t';
				p += 2;
			} else if (strncmp(p, "\\u00", 4) == 0) {
				plain[n++] = (char)strtol((char[]){ p[4], p[5], 0 }, NULL, 16);
				p += 6;
			} else {
				plain[n++] = *p++;
			}
		}
		plain[n] = '\0';
		want = sscanf(plain, "%2d:%2d", &h, &m) == 2 && h >= 0 && h <= 24 && m >= 0 &&
		    m <= 59 ? h * 60 + m : -1;
		snprintf(json, sizeof json, "{\"requestId\":1,\"durations\":[{\"date\":"
		    "\"2026-03-02\",\"startTime\":\"%s\",\"endTime\":\"%s\"}]}", times[i],
		    times[i]);
		assert_int_equal(bob_parse_timeoff(json, strlen(json), &t, &err), BS_OK);
		assert_int_equal(t.ndurations, 1);
		if (t.durations[0].start_minute != want)
			fail_msg("'%s': %d, sscanf %d", plain, t.durations[0].start_minute, want);
		assert_int_equal(t.durations[0].end_minute, want);
		bob_timeoff_clear(&t);
	}
}

static void
timeoff_outtoday_and_whosout(void **state)
{
	static const char today[] = "{\"outs\":[{\"employeeId\":\"1\",\"employeeEmail\":\"a@x\",\"requestId\":9,"
	    "\"requestRangeType\":\"days\",\"startDate\":\"2026-01-01\",\"startDatePortion\":\"all_day\","
	    "\"endDate\":\"2026-01-01\",\"endDatePortion\":\"all_day\",\"policyTypeDisplayName\":\"Sick\"}]}";
	struct bob_timeoffs t;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_timeoffs(S(today), &t, &err), BS_OK);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].type, TOFF_DAYS);	/* requestRangeType */
	assert_int_equal(t.v[0].start_portion, TOFF_ALL_DAY);
	assert_string_equal(t.v[0].policy_type, "Sick");
	bob_timeoffs_clear(&t);
	assert_int_equal(bob_parse_timeoffs(S("{\"outs\":{}}"), &t, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoffs(S("{}"), &t, &err), BS_ERR_PARSE);
}

static int
keep_odd(void *ctx, long long id)
{
	(*(int *)ctx)++;
	return id % 2 == 1;
}

/* Items a caller does not want are passed over as they are read: only
 * their request id is looked at (an item without one is dropped anyway). */
static void
timeoff_reader_keeps(void **state)
{
	struct bob_timeoffs t;
	struct bs_error err = { 0 };
	int asked = 0;
	(void)state;
	assert_int_equal(bob_parse_timeoffs_kept(S("{\"changes\":[{\"requestId\":1,"
	    "\"employeeId\":\"7\",\"changeType\":\"Created\"},{\"requestId\":2},"
	    "{\"requestId\":\"3\",\"changeType\":\"Deleted\"},{\"id\":4},{\"id\":5},"
	    "{\"status\":\"approved\"}]}"), keep_odd, &asked, &t, &err), BS_OK);
	assert_int_equal(asked, 5);
	assert_int_equal(t.n, 3);
	assert_true(t.v[0].request_id == 1);
	assert_string_equal(t.v[0].employee_id, "7");
	assert_string_equal(t.v[0].change_type, "Created");
	assert_true(t.v[1].request_id == 3);
	assert_string_equal(t.v[1].change_type, "Deleted");
	assert_true(t.v[2].request_id == 5);
	bob_timeoffs_clear(&t);
	/* a bare request the caller does not want: an empty list */
	assert_int_equal(bob_parse_timeoffs_kept(S("{\"requestId\":8}"), keep_odd, &asked, &t,
	    &err), BS_OK);
	assert_int_equal(t.n, 0);
	bob_timeoffs_clear(&t);
	/* without keep, every item; a bad answer is still refused */
	assert_int_equal(bob_parse_timeoffs_kept(S("[{\"requestId\":2},{\"requestId\":4}]"), NULL,
	    NULL, &t, &err), BS_OK);
	assert_int_equal(t.n, 2);
	bob_timeoffs_clear(&t);
	assert_int_equal(bob_parse_timeoffs_kept(S("{\"changes\":[{\"requestId\":2}"), keep_odd,
	    &asked, &t, &err), BS_ERR_PARSE);
}

static void
timeoff_reader_shapes(void **state)
{
	struct bob_timeoffs t;
	struct bob_timeoff one;
	struct bs_error err = { 0 };
	(void)state;
	/* a bare list, ids as strings, escapes, members around the list */
	assert_int_equal(bob_parse_timeoffs(S("[{\"requestId\":\"12\",\"employeeId\":7,"
	    "\"employeeDisplayName\":\"Zo\\u00eb\",\"type\":\"days\",\"startDate\":\"2026-01-05\"},"
	    "{\"requestId\":0},3]"), &t, &err), BS_OK);
	assert_int_equal(t.n, 1);
	assert_true(t.v[0].request_id == 12);
	assert_string_equal(t.v[0].employee_id, "7");
	assert_string_equal(t.v[0].employee_name, "Zo\xc3\xab");
	assert_string_equal(t.v[0].start_date, "2026-01-05");
	bob_timeoffs_clear(&t);
	assert_int_equal(bob_parse_timeoffs(S("{\"meta\":{\"x\":[\"]\"]},\"outs\":[{\"requestId\":5,"
	    "\"durations\":[{\"date\":\"2026-02-02\",\"startTime\":\"09:30\",\"endTime\":\"12:00\"},7]}],"
	    "\"n\":1}"), &t, &err), BS_OK);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].ndurations, 1);
	assert_int_equal(t.v[0].durations[0].minutes, 150);
	bob_timeoffs_clear(&t);
	/* "changes" wins over "outs", and must be a list */
	assert_int_equal(bob_parse_timeoffs(S("{\"outs\":[{\"requestId\":1}],\"changes\":[]}"), &t, &err),
	    BS_OK);
	assert_int_equal(t.n, 0);
	bob_timeoffs_clear(&t);
	assert_int_equal(bob_parse_timeoffs(S("{\"changes\":null,\"outs\":[{\"requestId\":1}]}"), &t, &err),
	    BS_ERR_PARSE);
	/* a bare request; wrong shapes; a bad request spoils the answer */
	assert_int_equal(bob_parse_timeoffs(S("{\"requestId\":9,\"status\":\"approved\"}"), &t, &err), BS_OK);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].status, TOFF_APPROVED);
	bob_timeoffs_clear(&t);
	assert_int_equal(bob_parse_timeoffs(S("{\"x\":1}"), &t, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoffs(S("\"x\""), &t, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoffs(S("{\"changes\":[{\"requestId\":1},{\"requestId\":2,\"requestId\":3}]}"),
	    &t, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoffs(S("{\"changes\":[{\"requestId\":1}"), &t, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoffs(S("[{\"requestId\":1}] x"), &t, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoffs(NULL, 0, &t, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoff(S("[1]"), &one, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoff(S("{\"requestId\":\"x\"}"), &one, &err), BS_ERR_PARSE);
	assert_int_equal(bob_parse_timeoff(S("{\"id\":4,\"percentageOfDay\":50}"), &one, &err), BS_OK);
	assert_int_equal(one.percentage, 50);
	bob_timeoff_clear(&one);
}

static int
in_block(const struct bob_timeoff *t, const char *s)
{
	return s != NULL && t->block != NULL && s >= t->block && s < t->block + t->blen;
}

/* A request's strings are kept in one allocation (issue 18: 230,000 items
 * read at 100,000 people); one set later on its own is freed on its own. */
static void
timeoff_strings_in_one_block(void **state)
{
	struct bob_timeoff one;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_timeoff(S("{\"requestId\":7,\"employeeId\":4127,"
	    "\"employeeDisplayName\":\"Zo\\u00eb\",\"policyType\":\"Holiday\",\"type\":\"days\","
	    "\"status\":\"approved\",\"changeType\":\"approved\",\"timeZone\":\"Europe/Oslo\","
	    "\"startDate\":\"2026-01-05\",\"endDate\":\"\\u0032026-01-06\","
	    "\"startPortion\":\"\\u0061fternoon\",\"endDatePortion\":\"morning\"}"), &one, &err),
	    BS_OK);
	assert_string_equal(one.employee_id, "4127");
	assert_string_equal(one.employee_name, "Zo\xc3\xab");
	assert_string_equal(one.policy_type, "Holiday");
	assert_string_equal(one.type_raw, "days");
	assert_string_equal(one.status_raw, "approved");
	assert_string_equal(one.change_type, "approved");
	assert_string_equal(one.time_zone, "Europe/Oslo");
	assert_string_equal(one.end_date, "2026-01-06");
	assert_int_equal(one.start_portion, TOFF_AFTERNOON);
	assert_int_equal(one.end_portion, TOFF_MORNING);
	assert_null(one.employee_email);
	assert_true(in_block(&one, one.employee_id));
	assert_true(in_block(&one, one.employee_name));
	assert_true(in_block(&one, one.policy_type));
	assert_true(in_block(&one, one.type_raw));
	assert_true(in_block(&one, one.status_raw));
	assert_true(in_block(&one, one.change_type));
	assert_true(in_block(&one, one.time_zone));
	assert_true(one.status_raw == one.change_type);	/* equal neighbours share */
	one.employee_email = xstrdup("zoe@example.com");	/* as read_current fills it in */
	bob_timeoff_clear(&one);	/* frees both; ASan and valgrind check */
	assert_null(one.block);
}

static void
enums(void **state)
{
	(void)state;
	assert_int_equal(toff_type_parse(NULL), TOFF_TYPE_UNKNOWN);
	assert_int_equal(toff_type_parse("specificHoursOnRange"), TOFF_TYPE_UNKNOWN);	/* does not exist */
	assert_int_equal(toff_type_parse("hoursOnRange"), TOFF_HOURS_ON_RANGE);
	assert_string_equal(toff_type_name(TOFF_OPEN_ENDED), "openEnded");
	assert_int_equal(toff_status_parse("declined"), TOFF_DISAPPROVED);
	assert_int_equal(toff_status_parse("Cancelled"), TOFF_CANCELED);
	assert_int_equal(toff_status_parse("weird"), TOFF_STATUS_UNKNOWN);
	assert_int_equal(toff_portion_parse("AFTERNOON"), TOFF_AFTERNOON);
	assert_int_equal(toff_portion_parse(NULL), TOFF_PORTION_NONE);
}

/* One name for a person everywhere (explain, plans, lists, previews). */
static void
person_name_falls_back(void **state)
{
	struct bob_person p;
	char *n;

	(void)state;
	memset(&p, 0, sizeof p);
	p.id = (char *)"E1";
	n = bob_person_name(&p);
	assert_string_equal(n, "E1");
	free(n);
	p.email = (char *)"ana@example.com";
	n = bob_person_name(&p);
	assert_string_equal(n, "ana@example.com");
	free(n);
	p.surname = (char *)"Silva";
	n = bob_person_name(&p);
	assert_string_equal(n, "Silva");
	free(n);
	p.first_name = (char *)"Ana";
	n = bob_person_name(&p);
	assert_string_equal(n, "Ana Silva");
	free(n);
	p.display_name = (char *)"Ana S.";
	n = bob_person_name(&p);
	assert_string_equal(n, "Ana S.");
	free(n);
}

/* A read that asks for some fields only takes those: a value HiBob sent for
 * a field not asked for (here the department and the names) is not looked
 * for, in any of its forms. */
static void
people_only_fields_asked(void **state)
{
	static const char json[] =
	    "{\"employees\":[{\"id\":\"7\",\"email\":\"a@x.test\",\"firstName\":\"A\","
	    "\"displayName\":\"A B\",\"work\":{\"department\":\"209\",\"site\":\"Amsterdam\"},"
	    "\"/work/startDate\":{\"value\":\"2020-01-06\"},"
	    "\"internal\":{\"status\":\"Active\",\"terminationDate\":null},"
	    "\"humanReadable\":{\"work\":{\"department\":\"Support\"}}}]}";
	static const char *const only[] = { "root.email", "internal.status", "work.startDate" };
	struct bob_people_query q = { .only_fields = only, .nonly = 3 };
	struct bob_people p;
	struct bs_error err = { 0 };
	(void)state;
	assert_int_equal(bob_parse_people(S(json), &q, &p, &err), BS_OK);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].email, "a@x.test");
	assert_string_equal(p.v[0].status, "Active");
	assert_string_equal(p.v[0].start_date, "2020-01-06");	/* its flat form */
	assert_null(p.v[0].department);
	assert_null(p.v[0].site);
	assert_null(p.v[0].first_name);
	assert_null(p.v[0].display_name);
	bob_people_clear(&p);
	/* with no list of fields, every standard one */
	assert_int_equal(bob_parse_people(S(json), NULL, &p, &err), BS_OK);
	assert_string_equal(p.v[0].department, "Support");
	assert_string_equal(p.v[0].site, "Amsterdam");
	assert_string_equal(p.v[0].display_name, "A B");
	bob_people_clear(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_degenerate),
		cmocka_unit_test(people_only_fields_asked),
		cmocka_unit_test(fields_metadata_shape),
		cmocka_unit_test(list_values_and_items),
		cmocka_unit_test(list_depth_bounded),
		cmocka_unit_test(people_three_forms),
		cmocka_unit_test(people_packed_and_shared),
		cmocka_unit_test(fields_found_among_many_members),
		cmocka_unit_test(field_forms_in_order),
		cmocka_unit_test(people_lifecycle_machine_value),
		cmocka_unit_test(people_silent_omission),
		cmocka_unit_test(people_shapes_and_errors),
		cmocka_unit_test(people_real_ids),
		cmocka_unit_test(people_access_values),
		cmocka_unit_test(people_budgets),
		cmocka_unit_test(people_reader_edge_cases),
		cmocka_unit_test(timeoff_changes_and_portions),
		cmocka_unit_test(timeoff_request_details_both_spellings),
		cmocka_unit_test(timeoff_members_by_exact_name),
		cmocka_unit_test(timeoff_clock_times),
		cmocka_unit_test(timeoff_outtoday_and_whosout),
		cmocka_unit_test(timeoff_reader_shapes),
		cmocka_unit_test(timeoff_reader_keeps),
		cmocka_unit_test(timeoff_strings_in_one_block),
		cmocka_unit_test(enums),
		cmocka_unit_test(person_name_falls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
