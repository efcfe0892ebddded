/* test_alert.c - the alert.command runner (issue 17, item 8): no inherited
 * descriptor above 2, only the listed environment, BOBSYNC_* values one
 * line, masked and capped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/conf.h"
#include "admin/jobs.h"
#include "base/util.h"

#define LEAK_FD 57

static char dir[64];

static char *
slurp(const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *text = NULL;
	struct bs_error err = { 0 };
	size_t len;

	assert_int_equal(util_read_file(path, 1 << 20, &text, &len, &err), BS_OK);
	free(path);
	return text;
}

static void
alert_child_is_clean(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	struct job_state js;
	char *cmd, *long_msg, *fd_state, *env, *len;
	int fd;
	(void)state;

	snprintf(dir, sizeof dir, "/tmp/bs_alert_XXXXXX");
	assert_non_null(mkdtemp(dir));
	/* a descriptor without close-on-exec, like a socket left open */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, LEAK_FD), LEAK_FD);
	close(fd);
	setenv("BOBSYNC_TEST_SECRET_ENV", "must-not-pass", 1);
	cmd = xasprintf("if [ -e /proc/$$/fd/%d ]; then echo open; else echo closed; fi > %s/fd; "
	    "env > %s/env; printf %%s \"$BOBSYNC_MESSAGE\" | wc -c > %s/len", LEAK_FD, dir, dir,
	    dir);
	assert_int_equal(conf_set(c, "alert.command", cmd, &err), BS_OK);
	memset(&js, 0, sizeof js);
	snprintf(js.last_result, sizeof js.last_result, "failed");
	long_msg = xcalloc(1, 5001);
	memset(long_msg, 'x', 5000);
	long_msg[10] = '\n';
	long_msg[20] = '\x1b';
	job_alert(c, "failure", JOB_ROSTER, &js, long_msg);

	fd_state = slurp("fd");
	env = slurp("env");
	len = slurp("len");
	assert_string_equal(fd_state, "closed\n");
	assert_null(strstr(env, "BOBSYNC_TEST_SECRET_ENV"));
	assert_non_null(strstr(env, "BOBSYNC_EVENT=failure"));
	assert_non_null(strstr(env, "BOBSYNC_RESULT=failed"));
	assert_null(strstr(env, "\x1b"));
	assert_int_equal(atoi(len), 1024);
	close(LEAK_FD);
	unsetenv("BOBSYNC_TEST_SECRET_ENV");
	free(fd_state);
	free(env);
	free(len);
	free(long_msg);
	free(cmd);
	conf_free(&c);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alert_child_is_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
