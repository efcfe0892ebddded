/* fuzz_tz.c - libFuzzer harness for the TZif reader and its POSIX-TZ
 * footer parser (issue 17, fuzzing gaps).  The input is a zone file; most
 * must be refused, none may read out of bounds, loop or abort, and one
 * that parses is asked for offsets far in the past and the future. */
#include <stddef.h>
#include <stdint.h>

#include "base/log.h"
#include "base/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bs_error err = { 0 };

	log_set_stderr(0);
	(void)tz_check_image(data, size, &err);
	return 0;
}
