/* test_ui_setup.c - the pure rules of the setup steps: the strength hint
 * of the vault passphrase (step 2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "setup_rules.h"

static void
passphrase_too_short_is_refused(void **state)
{
	char hint[128];
	(void)state;
	assert_int_equal(setup_passphrase_strength(NULL, hint, sizeof hint), PASS_REFUSED);
	assert_int_equal(setup_passphrase_strength("", hint, sizeof hint), PASS_REFUSED);
	assert_int_equal(setup_passphrase_strength("Ab3$xyz", hint, sizeof hint), PASS_REFUSED);
	assert_non_null(strstr(hint, "8 characters"));
	/* characters, not bytes: 7 letters of two bytes each are still short */
	assert_int_equal(setup_passphrase_strength("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9", hint, sizeof hint), PASS_REFUSED);
}

static void
passphrase_strength_grows(void **state)
{
	char hint[128];
	(void)state;
	assert_int_equal(setup_passphrase_strength("password", hint, sizeof hint), PASS_WEAK);
	assert_non_null(strstr(hint, "unrelated words"));
	assert_int_equal(setup_passphrase_strength("aaaaaaaaaaaaaaaaaaaaaaaa", hint, sizeof hint),
	    PASS_WEAK);	/* one repeated character, however long */
	assert_int_equal(setup_passphrase_strength("Tr0mbone-cat", hint, sizeof hint), PASS_FAIR);
	assert_int_equal(setup_passphrase_strength("copper lantern", hint, sizeof hint), PASS_FAIR);
	assert_int_equal(setup_passphrase_strength("copper lantern walrus", hint, sizeof hint),
	    PASS_STRONG);
	assert_string_equal(hint, "strong");
	assert_int_equal(setup_passphrase_strength("correcthorsebatterystaple", NULL, 0),
	    PASS_STRONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(passphrase_too_short_is_refused),
		cmocka_unit_test(passphrase_strength_grows),
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
