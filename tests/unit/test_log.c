/* test_log.c - secret masking and the result table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "base/result.h"
#include "base/util.h"

static int
teardown(void **state)
{
	(void)state;
	log_forget_secrets();
	log_set_sink(NULL, NULL);
	return 0;
}

static void
mask_null_and_empty(void **state)
{
	char *m;
	char buf[4];
	(void)state;
	m = log_mask(NULL);
	assert_string_equal(m, "");
	free(m);
	assert_int_equal(log_register_secret(NULL), -1);
	assert_int_equal(log_register_secret("abc"), -1);	/* too short to mask */
	m = log_mask("abc abc");
	assert_string_equal(m, "abc abc");
	free(m);
	assert_int_equal(log_mask_into("hello", buf, 0), 0);
	log_mask_into("hello", buf, sizeof buf);
	assert_string_equal(buf, "hel");
}

static void
mask_raw_secret(void **state)
{
	char *m;
	(void)state;
	assert_int_equal(log_register_secret("s3cr3t-T0ken"), 0);
	m = log_mask("token=s3cr3t-T0ken; again s3cr3t-T0ken.");
	assert_string_equal(m, "token=***; again ***.");
	free(m);
}

static void
mask_in_url_and_json(void **state)
{
	char *m;
	(void)state;
	assert_int_equal(log_register_secret("a/b+c\"d e"), 0);
	m = log_mask("https://x.test/?k=a%2Fb%2Bc%22d%20e&z=1");
	assert_string_equal(m, "https://x.test/?k=***&z=1");
	free(m);
	m = log_mask("https://x.test/?k=a%2fb%2bc%22d%20e");
	assert_string_equal(m, "https://x.test/?k=***");
	free(m);
	m = log_mask("{\"echo\":\"a\\/b+c\\\"d e\"}");
	assert_string_equal(m, "{\"echo\":\"***\"}");
	free(m);
}

static void
mask_basic_auth(void **state)
{
	char *m;
	(void)state;
	/* base64("SERVICE-1:tok3n-value") */
	assert_int_equal(log_register_basic_auth("SERVICE-1", "tok3n-value"), 0);
	m = log_mask("Authorization: Basic U0VSVklDRS0xOnRvazNuLXZhbHVl");
	assert_string_equal(m, "Authorization: Basic ***");
	free(m);
}

/* HTTP registers its credentials before every request: once known, a
 * secret or a pair is found again without building its forms anew, and
 * every form still masks. */
static void
register_again_allocates_nothing(void **state)
{
	size_t before;
	char *m;
	(void)state;
	assert_int_equal(log_register_secret("tok/en\"again"), 0);
	assert_int_equal(log_register_basic_auth("SERVICE-2", "tok/en\"again"), 0);
	before = log_guarded_allocations();
	for (int i = 0; i < 100; i++) {
		assert_int_equal(log_register_secret("tok/en\"again"), 0);
		assert_int_equal(log_register_basic_auth("SERVICE-2", "tok/en\"again"), 0);
	}
	assert_int_equal(log_guarded_allocations(), before);
	/* raw, percent-encoded (both cases), JSON-escaped, Basic auth */
	m = log_mask("a tok/en\"again b tok%2Fen%22again c tok%2fen%22again "
	    "d tok\\/en\\\"again e U0VSVklDRS0yOnRvay9lbiJhZ2Fpbg== f");
	assert_string_equal(m, "a *** b *** c *** d *** e *** f");
	free(m);
	/* a new secret still gets its forms */
	assert_int_equal(log_register_secret("other/one"), 0);
	assert_true(log_guarded_allocations() > before);
	m = log_mask("other%2Fone");
	assert_string_equal(m, "***");
	free(m);
}

/* The text between secrets is copied in runs: a secret at the start, at
 * the end, two side by side, the longer of two with the same start. */
static void
mask_runs(void **state)
{
	char *m;
	(void)state;
	log_register_secret("s3cret");
	log_register_secret("s3cret-longer");
	log_register_secret("zzzz");
	m = log_mask("s3cret-longer and s3cretzzzz s3cre s3cret");
	assert_string_equal(m, "*** and ****** s3cre ***");
	free(m);
	m = log_mask("no secret here");
	assert_string_equal(m, "no secret here");
	free(m);
	m = log_mask_mem("zzzz\0zzzz", 9);
	assert_string_equal(m, "***");
	assert_memory_equal(m, "***\0***", 8);
	free(m);
}

static void
mask_body_with_nul(void **state)
{
	static const char body[] = "pre\0fix-secretvalue-end";
	char *m;
	(void)state;
	log_register_secret("secretvalue");
	m = log_mask_mem(body, sizeof body - 1);
	/* the masked copy stops at the NUL when read as a string */
	assert_string_equal(m, "pre");
	assert_non_null(memmem(m, sizeof body, "fix-***-end", 11));
	free(m);
}

static void
forget_wipes(void **state)
{
	char *m;
	(void)state;
	log_register_secret("forget-me-now");
	log_forget_secrets();
	m = log_mask("forget-me-now");
	assert_string_equal(m, "forget-me-now");
	free(m);
}

static char sink_buf[512];
static void
capture(void *ctx, enum log_level level, const char *msg)
{
	(void)ctx; (void)level;
	snprintf(sink_buf, sizeof sink_buf, "%s", msg);
}

static void
log_msg_masks_sink_and_error(void **state)
{
	struct bs_error err = { 0 };
	(void)state;
	log_register_secret("hunter2hunter2");
	log_set_stderr(0);
	log_set_sink(capture, NULL);
	log_error("request to https://h.test/?t=%s failed", "hunter2hunter2");
	assert_string_equal(sink_buf, "request to https://h.test/?t=*** failed");
	assert_int_equal(bs_fail(&err, BS_ERR_AUTH, "bad token %s", "hunter2hunter2"), BS_ERR_AUTH);
	assert_string_equal(err.detail, "bad token ***");
	log_set_stderr(1);
}

static void
result_table(void **state)
{
	struct bs_error err = { 0 };
	(void)state;
	assert_string_equal(bs_strerror(BS_OK), "success");
	assert_string_equal(bs_rcname(BS_ERR_LOCKED), "BS_ERR_LOCKED");
	assert_string_equal(bs_strerror((bs_rc)9999), "unknown error");
	assert_int_equal(bs_exit_code(BS_OK), 0);
	assert_int_equal(bs_exit_code(BS_ERR_GUARD), 3);
	assert_int_equal(bs_exit_code(BS_ERR_VAULT_PASSPHRASE), 4);
	assert_int_equal(bs_exit_code(BS_ERR_LOCKED), 5);
	assert_int_equal(bs_exit_code(BS_ERR_AUTH), 6);
	assert_int_equal(bs_exit_code(BS_ERR_FORBIDDEN), 6);
	assert_string_equal(bs_error_text(&err), "success");
	bs_fail(&err, BS_ERR_IO, "disk full");
	bs_error_prefix(&err, "saving %s", "vault");
	assert_string_equal(bs_error_text(&err), "saving vault: disk full");
	assert_int_equal(bs_fail(NULL, BS_ERR_IO, "x"), BS_ERR_IO);
}

static void
strip_controls(void **state)
{
	char s[] = "ok\x1b[2Jbad\x07\tz\n\xc2\x9b" "end";
	(void)state;
	util_strip_controls(s);
	assert_string_equal(s, "ok?[2Jbad?\tz\n??end");
}

/* the one sanitiser: every control a terminal acts on is replaced, one
 * byte out per byte in; text (UTF-8 names) is kept */
static void
sanitize_rules(void **state)
{
	static const char in[] = "a\x1b]0;t\x07" "b\xc2\x9b" "c\x7f" "d\xe2\x80\xae" "e\xff\x80"
	    "f\tg\nh\ri Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80 \xed\xa0\x80";
	char out[sizeof in];
	size_t n, part;
	char *c;
	(void)state;

	n = util_sanitize(in, sizeof in - 1, out, 0, NULL);
	assert_int_equal(n, sizeof in - 1);
	out[n] = '\0';
	assert_string_equal(out, "a?]0;t?b??c?d???e??f g h i Zo\xc3\xab \xe2\x82\xac "
	    "\xf0\x9f\x98\x80 ???");
	n = util_sanitize(in, sizeof in - 1, out, UTIL_SAN_KEEP_LINES, NULL);
	out[n] = '\0';
	assert_non_null(strstr(out, "f\tg\nh i"));
	/* a sequence cut by the end of a chunk is held back for the next */
	n = util_sanitize("x\xe2\x82", 3, out, 0, &part);
	assert_int_equal(n, 1);
	assert_int_equal(part, 2);
	n = util_sanitize("x\xe2\x82", 3, out, 0, NULL);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "x??", 3);
	n = util_sanitize("\xc2", 1, out, 0, &part);
	assert_int_equal(n, 0);
	assert_int_equal(part, 1);
	/* CRLF stays when lines are kept; a lone CR does not */
	n = util_sanitize("a\r\nb\rc", 6, out, UTIL_SAN_KEEP_LINES, NULL);
	assert_memory_equal(out, "a\r\nb c", 6);
	n = util_sanitize("a\r", 2, out, UTIL_SAN_KEEP_LINES, &part);
	assert_int_equal(n, 1);
	assert_int_equal(part, 1);
	c = util_clean("line\none\x1b[2J");
	assert_string_equal(c, "line one?[2J");
	free(c);
	c = util_clean(NULL);
	assert_string_equal(c, "");
	free(c);
}

/* CSV for spreadsheets: formulas neutralised (OWASP), controls stripped,
 * numbers and ordinary text as they were */
static void
csv_injection(void **state)
{
	const char *cells[] = { "=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)",
		"\tcmd", "\r=1", "-12.50", "+3", "a,b", "Zo\xc3\xab\x1b[2J", "x\ny", NULL, "-" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	(void)state;

	assert_non_null(f);
	util_csv_row(f, sizeof cells / sizeof cells[0], cells);
	fclose(f);
	assert_string_equal(buf, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"'+1+1\","
	    "\"'-2+3\",\"'@SUM(A1)\",\"' cmd\",\"' =1\",-12.50,+3,\"a,b\",Zo\xc3\xab?[2J,x y,,"
	    "\"'-\"\r\n");
	free(buf);
	assert_true(util_csv_formula_like("=1"));
	assert_true(util_csv_formula_like("Ann\x1b[2J"));
	assert_true(util_csv_formula_like("Ann\xc2\x9b"));
	assert_false(util_csv_formula_like("-5"));
	assert_false(util_csv_formula_like("Zo\xc3\xab"));
	assert_false(util_csv_formula_like(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(mask_null_and_empty, teardown),
		cmocka_unit_test_teardown(mask_raw_secret, teardown),
		cmocka_unit_test_teardown(mask_in_url_and_json, teardown),
		cmocka_unit_test_teardown(mask_basic_auth, teardown),
		cmocka_unit_test_teardown(mask_body_with_nul, teardown),
		cmocka_unit_test_teardown(mask_runs, teardown),
		cmocka_unit_test_teardown(register_again_allocates_nothing, teardown),
		cmocka_unit_test_teardown(forget_wipes, teardown),
		cmocka_unit_test_teardown(log_msg_masks_sink_and_error, teardown),
		cmocka_unit_test(result_table),
		cmocka_unit_test(strip_controls),
		cmocka_unit_test(sanitize_rules),
		cmocka_unit_test(csv_injection),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
