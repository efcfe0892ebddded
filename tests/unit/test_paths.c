/* test_paths.c - the StrictModes-like checks of the bobsync folders and
 * of the files read from them (issue 17, item 1). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf.h"
#include "base/paths.h"
#include "base/util.h"

#define OTHER_UID 54321

static char base[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(base, sizeof base, "/tmp/bs_paths_XXXXXX");
	assert_non_null(mkdtemp(base));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
sub(const char *name)
{
	return xasprintf("%s/%s", base, name);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* a folder of ours, missing folders, and sticky /tmp above are fine */
static void
dir_ok(void **state)
{
	char *d = sub("home"), *deep = sub("not/yet/there");
	struct bs_error err = { 0 };
	(void)state;

	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(paths_check_dir(d, &err), BS_OK);
	assert_int_equal(paths_check_dir(deep, &err), BS_OK);
	assert_int_equal(chmod(d, 0755), 0);
	assert_int_equal(paths_check_dir(d, &err), BS_OK);
	free(d);
	free(deep);
}

/* group- or world-writable folders are refused, the folder itself even
 * with the sticky bit; a writable folder above only without it */
static void
dir_writable(void **state)
{
	char *d = sub("home"), *above = sub("shared"), *below = sub("shared/home");
	char *inner = sub("shared/home/x");
	struct bs_error err = { 0 };
	(void)state;

	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(chmod(d, 0770), 0);
	assert_int_equal(paths_check_dir(d, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, d));
	assert_non_null(strstr(err.detail, "chmod 700"));
	assert_int_equal(chmod(d, 01777), 0);
	assert_int_equal(paths_check_dir(d, &err), BS_ERR_CONFIG);

	assert_int_equal(mkdir(above, 0700), 0);
	assert_int_equal(mkdir(below, 0700), 0);
	assert_int_equal(chmod(above, 0777), 0);
	assert_int_equal(paths_check_dir(below, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, above));
	/* a missing folder below a writable one: also refused */
	assert_int_equal(paths_check_dir(inner, &err), BS_ERR_CONFIG);
	assert_int_equal(chmod(above, 01777), 0);
	assert_int_equal(paths_check_dir(below, &err), BS_OK);
	free(d);
	free(above);
	free(below);
	free(inner);
}

/* the folder itself may not be a symbolic link, nor a file */
static void
dir_link(void **state)
{
	char *d = sub("real"), *l = sub("link"), *f = sub("file");
	struct bs_error err = { 0 };
	(void)state;

	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(symlink(d, l), 0);
	assert_int_equal(paths_check_dir(l, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "symbolic link"));
	write_file(f, "", 0600);
	assert_int_equal(paths_check_dir(f, &err), BS_ERR_CONFIG);
	free(d);
	free(l);
	free(f);
}

/* owned by another account: refused, for root too (root's view); owned by
 * root: accepted for everyone (a normal user's view, tested in the e2e
 * suite under another uid) */
static void
dir_owner(void **state)
{
	char *d = sub("theirs"), *in = sub("theirs/bobsync"), *conf = sub("mine.conf");
	struct bs_error err = { 0 };
	struct conf *c = conf_new();
	(void)state;

	if (geteuid() != 0) {
		conf_free(&c);
		free(d);
		free(in);
		free(conf);
		skip();
	}
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(mkdir(in, 0700), 0);
	assert_int_equal(chown(d, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(paths_check_dir(d, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "uid 54321"));
	assert_non_null(strstr(err.detail, d));
	/* the folder above is theirs: what is below is theirs to swap */
	assert_int_equal(paths_check_dir(in, &err), BS_ERR_CONFIG);

	/* a settings file owned by someone else, even 0644 */
	write_file(conf, "alert.command = /bin/true\n", 0644);
	assert_int_equal(chown(conf, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(conf_load(c, conf, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "uid 54321"));
	assert_null(conf_get(c, "alert.command"));
	assert_int_equal(chown(conf, 0, 0), 0);
	assert_int_equal(conf_load(c, conf, &err), BS_OK);
	assert_string_equal(conf_get(c, "alert.command"), "/bin/true");
	conf_free(&c);
	free(d);
	free(in);
	free(conf);
}

/* a settings file that is a symbolic link is not followed */
static void
conf_link(void **state)
{
	char *real = sub("real.conf"), *l = sub("bobsync.conf");
	struct bs_error err = { 0 };
	struct conf *c = conf_new();
	(void)state;

	write_file(real, "alert.command = /bin/true\n", 0600);
	assert_int_equal(symlink(real, l), 0);
	assert_int_equal(conf_load(c, l, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "symbolic link"));
	assert_null(conf_get(c, "alert.command"));
	conf_free(&c);
	free(real);
	free(l);
}

/* paths_ensure refuses to create inside a folder others may change, and
 * refuses a state folder someone else made */
static void
ensure_checks(void **state)
{
	struct bs_paths p = { 0 };
	struct bs_error err = { 0 };
	char *shared = sub("open");
	(void)state;

	assert_int_equal(mkdir(shared, 0777), 0);
	assert_int_equal(chmod(shared, 0777), 0);
	p.config_dir = sub("open/config");
	p.state_dir = sub("open/state");
	assert_int_equal(paths_ensure(&p, &err), BS_ERR_CONFIG);
	assert_int_equal(access(p.config_dir, F_OK), -1);
	assert_int_equal(chmod(shared, 0700), 0);
	assert_int_equal(paths_ensure(&p, &err), BS_OK);
	assert_int_equal(paths_check(&p, &err), BS_OK);
	assert_int_equal(chmod(p.state_dir, 0775), 0);
	assert_int_equal(paths_check(&p, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, p.state_dir));
	paths_clear(&p);
	free(shared);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dir_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_link, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(conf_link, setup, teardown),
		cmocka_unit_test_setup_teardown(ensure_checks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
