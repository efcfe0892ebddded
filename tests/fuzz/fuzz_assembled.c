/* fuzz_assembled.c - libFuzzer harness for the Assembled response parsers
 * (people pages, activity types, activities) and the hibob:<id> marker.
 * The first byte picks the parser, the rest is the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vendor/assembled.h"
#include "base/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bs_error err = { 0 };
	const char *json;
	size_t len;

	if (size < 1)
		return 0;
	log_set_stderr(0);
	json = (const char *)data + 1;
	len = size - 1;
	switch (data[0] % 4) {
	case 0: {
		struct asm_people p;
		size_t rows;
		long long total;
		memset(&p, 0, sizeof p);
		/* two pages into one list, as the client pages */
		(void)asm_parse_people(json, len, &p, &rows, &total, &err);
		(void)asm_parse_people(json, len, &p, &rows, &total, &err);
		(void)asm_people_match(&p, "123", "Zoe@Example.test", NULL);
		asm_people_clear(&p);
		break;
	}
	case 1: {
		struct asm_activity_types t;
		if (asm_parse_activity_types(json, len, &t, &err) == BS_OK) {
			(void)asm_type_by_id(&t, "1");
			asm_activity_types_clear(&t);
		}
		break;
	}
	case 2: {
		struct asm_activities a;
		if (asm_parse_activities(json, len, size % 2 ? "agent-1" : NULL, &a, &err) == BS_OK)
			asm_activities_clear(&a);
		break;
	}
	default: {
		char *s = malloc(len + 1);
		long long id;
		if (s == NULL)
			return 0;
		memcpy(s, json, len);
		s[len] = '\0';
		(void)asm_marker_parse(s, &id);
		free(s);
		break;
	}
	}
	return 0;
}
