/* fuzz_hibob.c - libFuzzer harness for the HiBob response parsers.
 *
 * The first byte picks the parser, the rest is the response body.  Each
 * parser must either succeed or fail with an error; nothing it does may
 * read out of bounds, leak, or abort. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hibob.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char id_yes[] = "11", id_no[] = "12", nm_yes[] = "yes", nm_no[] = "no",
    nm_list[] = "yesno";
static struct bob_list_item items[] = {
	{ id_yes, nm_yes, 0, NULL, 0 }, { id_no, nm_no, 0, NULL, 0 }
};
static const struct bob_list yesno = { nm_list, items, 2 };
static const char *const budget_ids[] = { "work.custom.b1", "work.custom.b2" };
static const char *const budget_names[] = { "wellbeing", "learning" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct bob_people_query q = {
		.access_field_id = "work.custom.field_1", .access_list = &yesno,
		.budget_field_ids = budget_ids, .budget_field_names = budget_names,
		.nbudget = 2,
	};
	struct bs_error err = { 0 };
	const char *json;
	size_t len;

	if (size < 1)
		return 0;
	log_set_stderr(0);
	json = (const char *)data + 1;
	len = size - 1;
	switch (data[0] % 5) {
	case 0: {
		struct bob_fields f;
		if (bob_parse_fields(json, len, &f, &err) == BS_OK)
			bob_fields_free(&f);
		break;
	}
	case 1: {
		struct bob_list l;
		if (bob_parse_list(json, len, &l, &err) == BS_OK) {
			(void)bob_list_name_of(&l, "1");
			(void)bob_list_id_of(&l, "yes");
			bob_list_free(&l);
		}
		break;
	}
	case 2: {
		struct bob_people p;
		if (bob_parse_people(json, len, &q, &p, &err) == BS_OK)
			bob_people_free(&p);
		break;
	}
	case 3: {
		struct bob_timeoffs t;
		if (bob_parse_timeoffs(json, len, &t, &err) == BS_OK)
			bob_timeoffs_free(&t);
		break;
	}
	default: {
		struct bob_timeoff t;
		if (bob_parse_timeoff(json, len, &t, &err) == BS_OK)
			bob_timeoff_clear(&t);
		break;
	}
	}
	return 0;
}
