/* fuzz_webhook.c - libFuzzer harness for the HiBob webhook payload parser,
 * the signature check (any header against any body) and the queue it
 * feeds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fields[] = { "/work/custom/field_1", "root.email" };
	static const unsigned char key[] = "fuzz-secret";
	struct bs_error err = { 0 };
	struct webhook_event ev;
	struct webhook_queue *q;
	struct webhook_batch b;
	char header[WEBHOOK_SIG_LEN + 8];
	size_t hl;

	if (size > WEBHOOK_BODY_MAX)
		return 0;
	if (webhook_parse(data, size, fields, 2, &ev, &err) == BS_OK) {
		q = webhook_queue_new();
		webhook_queue_push(q, &ev, 1);
		webhook_queue_take(q, &b);
		webhook_batch_clear(&b);
		webhook_queue_free(&q);
	}
	/* the first bytes as a signature header over the rest */
	hl = size < sizeof header - 1 ? size : sizeof header - 1;
	memcpy(header, data, hl);
	header[hl] = '\0';
	(void)webhook_signature_ok(key, sizeof key - 1, data + hl, size - hl, header);
	return 0;
}
