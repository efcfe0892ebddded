/* lock.c - flock-based run lock holding the owner's pid. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/lock.h"

bs_rc
lock_acquire(const char *path, int *fd, struct bs_error *err)
{
	char buf[32];
	int f;

	*fd = -1;
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (f < 0)
		return bs_fail(err, BS_ERR_IO, "cannot open lock file %s: %s", path, strerror(errno));
	if (flock(f, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ssize_t n = pread(f, buf, sizeof buf - 1, 0);
		long pid = 0;
		close(f);
		if (e != EWOULDBLOCK)
			return bs_fail(err, BS_ERR_IO, "cannot lock %s: %s", path, strerror(e));
		if (n > 0) {
			buf[n] = '\0';
			pid = strtol(buf, NULL, 10);
		}
		if (pid > 0)
			return bs_fail(err, BS_ERR_LOCKED,
			    "another bobsync run (process %ld) is working on this home; try again "
			    "when it ends", pid);
		return bs_fail(err, BS_ERR_LOCKED,
		    "another bobsync run is working on this home; try again when it ends");
	}
	if (ftruncate(f, 0) == 0) {
		int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
		if (pwrite(f, buf, (size_t)n, 0) < 0) {
			/* the pid is informative only */
		}
	}
	*fd = f;
	return BS_OK;
}

void
lock_release(int *fd)
{
	if (fd == NULL || *fd < 0)
		return;
	if (ftruncate(*fd, 0) < 0) {
		/* informative only */
	}
	flock(*fd, LOCK_UN);
	close(*fd);
	*fd = -1;
}
