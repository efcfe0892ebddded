/* fuzz_scim.c - libFuzzer harness for the Alleo SCIM response parsers: a
 * ListResponse page folded into the listing's index (first byte even) or a
 * single User (odd); and always the same bytes as an error answer
 * (scim_error_text: SCIM errors and the token endpoint's OAuth errors). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "vendor/scim.h"

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
		/* a page folded into the listing's index twice (a user seen on
		 * two pages), then looked up by the first user's keys */
		struct scim_page p;
		if (scim_parse_page(json, len, &p, &err) == BS_OK) {
			struct scim_index x;
			struct scim_user u;
			int found = 0;
			scim_index_init(&x);
			scim_index_add_page(&x, &p);
			scim_index_add_page(&x, &p);
			scim_index_finish(&x);
			if (p.n > 0) {
				scim_index_put(&x, &p.v[0]);
				if (scim_lookup(NULL, &x, p.v[0].external_id, p.v[0].user_name, &u,
				    &found, &err) == BS_OK)
					scim_user_clear(&u);
			}
			scim_index_clear(&x);
			scim_page_clear(&p);
		}
	} else {
		struct scim_user u;
		if (scim_parse_user(json, len, &u, &err) == BS_OK)
			scim_user_clear(&u);
	}
	/* the same bytes as an error answer (SCIM error or OAuth token
	 * error): what is shown is one short line with no control byte */
	{
		char *t = scim_error_text(json, len);
		size_t n = strlen(t);
		if (n > 4 * 200)
			abort();
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)t[i];
			if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < n &&
			    (unsigned char)t[i + 1] >= 0x80 && (unsigned char)t[i + 1] <= 0x9f))
				abort();
		}
		free(t);
	}
	return 0;
}
