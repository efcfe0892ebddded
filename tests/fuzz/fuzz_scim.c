/* fuzz_scim.c - libFuzzer harness for the Alleo SCIM response parsers: a
 * ListResponse (first byte even) or a single User (odd). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "log.h"
#include "scim.h"

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
	if (data[0] % 2 == 0) {
		struct scim_user *v = NULL;
		size_t n = 0;
		if (scim_parse_users(json, len, &v, &n, &err) == BS_OK) {
			for (size_t i = 0; i < n; i++)
				scim_user_clear(&v[i]);
			free(v);
		}
	} else {
		struct scim_user u;
		if (scim_parse_user(json, len, &u, &err) == BS_OK)
			scim_user_clear(&u);
	}
	return 0;
}
