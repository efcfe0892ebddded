/* test_util.c - the shared helpers of core/base/util.c that used to be
 * written more than once: the edit distance behind "did you mean" and the
 * guarded copy of a secret. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <sodium.h>

#include "base/util.h"

static void
edit_distance_counts_edits(void **state)
{
	(void)state;
	assert_int_equal(str_edit_distance("", "", 5), 0);
	assert_int_equal(str_edit_distance("abc", "", 5), 3);
	assert_int_equal(str_edit_distance("kitten", "sitting", 5), 3);
	assert_int_equal(str_edit_distance("roster.schedule", "roster.shedule", 5), 1);
	assert_int_equal(str_edit_distance("flaw", "lawn", 5), 2);
}

static void
edit_distance_folds_ascii_case(void **state)
{
	(void)state;
	assert_int_equal(str_edit_distance("HiBob", "hibob", 5), 0);
	assert_int_equal(str_edit_distance("ALLEO", "alleo_", 5), 1);
}

static void
edit_distance_stops_at_the_bound(void **state)
{
	char longer[80];

	(void)state;
	/* lengths alone exceed the bound */
	assert_int_equal(str_edit_distance("a", "abcdefgh", 2), 3);
	/* a real distance above the bound is reported as bound + 1 */
	assert_int_equal(str_edit_distance("abcdef", "uvwxyz", 2), 3);
	/* over 64 bytes: bound + 1, whatever the strings */
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(str_edit_distance(longer, longer, 98), 99);
}

static void
secret_dup_copies_and_free_clears(void **state)
{
	char *s = secret_dup("token-123"), *e = secret_dup(NULL);

	(void)state;
	assert_string_equal(s, "token-123");
	assert_string_equal(e, "");
	secret_free(&s);
	secret_free(&e);
	assert_null(s);
	assert_null(e);
	secret_free(&s);	/* NULL again: nothing to do */
	secret_free(NULL);
}

static void
parse_hhmm_takes_only_a_24_hour_time(void **state)
{
	(void)state;
	assert_int_equal(str_parse_hhmm("00:00"), 0);
	assert_int_equal(str_parse_hhmm("02:30"), 150);
	assert_int_equal(str_parse_hhmm("23:59"), 23 * 60 + 59);
	assert_int_equal(str_parse_hhmm("24:00"), -1);
	assert_int_equal(str_parse_hhmm("12:60"), -1);
	assert_int_equal(str_parse_hhmm("2:30"), -1);
	assert_int_equal(str_parse_hhmm("02:30:00"), -1);
	assert_int_equal(str_parse_hhmm("02:3x"), -1);
	assert_int_equal(str_parse_hhmm(""), -1);
	assert_int_equal(str_parse_hhmm(NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edit_distance_counts_edits),
		cmocka_unit_test(edit_distance_folds_ascii_case),
		cmocka_unit_test(edit_distance_stops_at_the_bound),
		cmocka_unit_test(secret_dup_copies_and_free_clears),
		cmocka_unit_test(parse_hhmm_takes_only_a_24_hour_time),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
