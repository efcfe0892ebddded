/* fuzz_conf.c - libFuzzer harness for the bobsync.conf parser, strict and
 * lenient (the repair path of `bobsync config set`), and for writing back
 * what the lenient parser kept. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config/conf.h"
#include "base/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bs_error err = { 0 };
	struct conf *c;
	int usable = 0;

	log_set_stderr(0);
	c = conf_new();
	(void)conf_parse(c, (const char *)data, size, "fuzz.conf", &err);
	conf_free(&c);

	c = conf_new();
	(void)conf_parse_lenient(c, (const char *)data, size, "fuzz.conf", &usable, &err);
	if (usable)
		(void)conf_drop_lines(c, "hibob.sevice_user");
	conf_free(&c);
	return 0;
}
