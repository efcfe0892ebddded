/* test_lock.c - the run lock: one holder at a time, and who holds it found
 * without taking it (a run killed with SIGKILL leaves its pid in the file
 * but no lock, and must not be taken for a running one). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/lock.h"
#include "base/lock_int.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/bs_lock_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/bobsync.lock", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* The holder's pid, from the kernel's table of locks. */
static long
holder(const char *path)
{
	char *table = lock_table_read();
	long pid;

	assert_non_null(table);
	pid = lock_holder_since_in(path, table, NULL);
	free(table);
	return pid;
}

/* A pid no process has: a child that has been reaped. */
static pid_t
dead_pid(void)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	assert_int_equal(waitpid(p, NULL, 0), p);
	return p;
}

static void
holder_of_own_lock(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	int fd = -1, fd2 = -1;

	assert_int_equal(holder(f->path), 0);	/* no file yet */
	assert_int_equal(lock_acquire(f->path, &fd, &err), BS_OK);
	assert_int_equal(holder(f->path), (long)getpid());
	/* asking does not take it: a second run is still refused, by pid */
	assert_int_equal(lock_acquire(f->path, &fd2, &err), BS_ERR_LOCKED);
	assert_non_null(strstr(bs_error_text(&err), "process"));
	lock_release(&fd);
	assert_int_equal(holder(f->path), 0);
	assert_int_equal(lock_held_since(f->path), 0);
	assert_int_equal(lock_acquire(f->path, &fd, &err), BS_OK);
	lock_release(&fd);
}

/* When the holder took the lock, on the runs' clock: a run recorded
 * before that is not its run. */
static void
held_since_on_the_runs_clock(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	int fd = -1, raw;
	int64_t since;

	setenv("BOBSYNC_FAKE_NOW", "1700000000", 1);
	assert_int_equal(lock_acquire(f->path, &fd, &err), BS_OK);
	since = lock_held_since(f->path);
	assert_int_equal(since, 1700000000);
	lock_release(&fd);
	unsetenv("BOBSYNC_FAKE_NOW");
	/* another tool's lock on a file with no time (or a bobsync before
	 * this one, which wrote only its pid): held, since a time not known */
	write_file(f->path, "4242\n");
	raw = open(f->path, O_RDONLY);
	assert_true(raw >= 0);
	assert_int_equal(flock(raw, LOCK_EX), 0);
	assert_int_equal(lock_held_since(f->path), 1);
	close(raw);
	assert_int_equal(lock_held_since(f->path), 0);
}

/* The case the check is for: the holder dies of SIGKILL. */
static void
holder_killed_leaves_no_lock(void **state)
{
	struct fixture *f = *state;
	int ready[2];
	char c;
	pid_t child;

	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct bs_error err = { 0 };
		int fd = -1;
		close(ready[0]);
		if (lock_acquire(f->path, &fd, &err) != BS_OK)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_int_equal(holder(f->path), (long)child);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, NULL, 0), child);
	/* its pid is still in the file; the lock is gone */
	assert_int_equal(holder(f->path), 0);
}

static void
locks_table_read(void **state)
{
	struct fixture *f = *state;
	struct stat sb;
	char text[512], pid[32];

	write_file(f->path, "4242\n");
	assert_int_equal(stat(f->path, &sb), 0);
	snprintf(text, sizeof text,
	    "1: POSIX  ADVISORY  WRITE 77 fe:00:%lu 0 EOF\n"
	    "2: FLOCK  ADVISORY  WRITE 99 fe:00:%lu 0 EOF\n"
	    "3: -> FLOCK  ADVISORY  WRITE 98 fe:00:%lu 0 EOF\n",
	    (unsigned long)sb.st_ino, (unsigned long)sb.st_ino + 1, (unsigned long)sb.st_ino);
	/* a POSIX lock, another file's flock and a waiter are no holder */
	assert_int_equal(lock_holder_since_in(f->path, text, NULL), 0);
	snprintf(text, sizeof text, "5: FLOCK  ADVISORY  WRITE 4242 08:01:%lu 0 EOF\n",
	    (unsigned long)sb.st_ino);
	assert_int_equal(lock_holder_since_in(f->path, text, NULL), 4242);
	/* a holder the kernel does not show in this pid namespace */
	snprintf(text, sizeof text, "5: FLOCK  ADVISORY  WRITE -1 08:01:%lu 0 EOF\n",
	    (unsigned long)sb.st_ino);
	assert_int_equal(lock_holder_since_in(f->path, text, NULL), 4242);
	write_file(f->path, "");
	assert_int_equal(lock_holder_since_in(f->path, text, NULL), -1);
	assert_int_equal(lock_holder_since_in(f->path, "", NULL), 0);
	assert_int_equal(lock_holder_since_in(f->path, "garbage\n\n: x\n", NULL), 0);

	/* no table: the pid in the file, if that process is alive */
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	write_file(f->path, pid);
	assert_int_equal(lock_holder_since_in(f->path, NULL, NULL), (long)getpid());
	snprintf(pid, sizeof pid, "%ld\n", (long)dead_pid());
	write_file(f->path, pid);
	assert_int_equal(lock_holder_since_in(f->path, NULL, NULL), 0);
	write_file(f->path, "");
	assert_int_equal(lock_holder_since_in(f->path, NULL, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(holder_of_own_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(held_since_on_the_runs_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(holder_killed_leaves_no_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(locks_table_read, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
