/* fuzz_text.c - libFuzzer harness for the text the program prints and the
 * headers it obeys (issue 17, fuzzing gaps):
 *   - util_sanitize / util_clean / util_csv_row: no control byte ever comes
 *     out (no C0 but TAB, LF and CR before LF; no DEL; no C1), and a CSV
 *     cell never starts with = + - @ unless it is a number or quoted with ';
 *   - log_mask: a registered secret never survives masking;
 *   - http_wait_hint_ms: Retry-After and X-RateLimit-Reset never give a
 *     negative wait.
 * The input: byte 0 picks flags; the rest is split at the first 0x00 into
 * text and a header value. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "base/log.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
no_controls(const char *s, size_t n, int keep_lines)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t' || c == '\n') {
			if (!keep_lines)
				abort();
			continue;
		}
		if (c == '\r') {
			if (!keep_lines || i + 1 >= n || s[i + 1] != '\n')
				abort();
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			abort();
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text, *hdr;
	size_t tlen, n, part;
	char *buf, *copy, *c, *csv = NULL, *masked;
	size_t csvlen = 0;
	unsigned flags;
	FILE *f;
	int64_t hint;

	if (size < 1)
		return 0;
	flags = data[0] & 1u;
	text = (const char *)data + 1;
	tlen = size - 1;
	hdr = memchr(text, '\0', tlen);

	/* the sanitiser, in one piece and as a stream cut anywhere */
	buf = malloc(tlen + 1);
	n = util_sanitize(text, tlen, buf, flags, NULL);
	if (n != tlen)
		abort();
	no_controls(buf, n, (int)flags);
	n = util_sanitize(text, tlen, buf, UTIL_SAN_KEEP_LINES, &part);
	if (n + part != tlen || part > 4)
		abort();
	no_controls(buf, n, 1);

	/* a field as one line, and as a CSV cell */
	copy = malloc(tlen + 1);
	memcpy(copy, text, tlen);
	copy[tlen] = '\0';
	c = util_clean(copy);
	no_controls(c, strlen(c), 0);
	f = open_memstream(&csv, &csvlen);
	if (f != NULL) {
		const char *cells[2] = { copy, c };
		util_csv_row(f, 2, cells);
		fclose(f);
		if (csvlen < 2 || csv[csvlen - 2] != '\r' || csv[csvlen - 1] != '\n')
			abort();
		no_controls(csv, csvlen - 2, 0);
		if (strchr("=+-@", csv[0]) != NULL && csv[0] != '\0' &&
		    strspn(csv + 1, "0123456789.") == 0)
			abort();	/* a formula start left bare */
		free(csv);
	}

	/* the masker: a secret taken from the input never survives */
	/* (a secret made of the mask's own characters would reappear as the
	 * mask: not a leak) */
	if (tlen >= 12 && memchr(copy, '\0', 12) == NULL && memchr(copy, '*', 12) == NULL) {
		char secret[13];
		memcpy(secret, copy, 12);
		secret[12] = '\0';
		if (log_register_secret(secret) == 0) {
			masked = log_mask(copy);
			if (strstr(masked, secret) != NULL)
				abort();
			free(masked);
		}
		log_forget_secrets();
	}

	/* rate-limit headers: the part after the first NUL, both ways */
	if (hdr != NULL) {
		size_t hl = tlen - (size_t)(hdr + 1 - text);
		char *h = malloc(hl + 1);
		memcpy(h, hdr + 1, hl);
		h[hl] = '\0';
		hint = http_wait_hint_ms(copy, h, 1700000000);
		if (hint < -1)
			abort();
		hint = http_wait_hint_ms(h, copy, 1700000000);
		if (hint < -1)
			abort();
		free(h);
	}
	hint = http_wait_hint_ms(copy, NULL, 1700000000);
	if (hint < -1)
		abort();
	hint = http_wait_hint_ms(NULL, copy, 0);
	if (hint < -1)
		abort();

	free(c);
	free(copy);
	free(buf);
	return 0;
}
