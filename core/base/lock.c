/* lock.c - flock-based run lock holding the owner's pid. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/lock.h"
#include "base/lock_int.h"
#include "base/util.h"

/* The pid the holder wrote into the lock file (0 when there is none) and
 * when it took the lock (*since; 0 when not written, as by bobsync before
 * it wrote it). */
static long
pid_in_file(int f, int64_t *since)
{
	char buf[64], *end;
	ssize_t n = pread(f, buf, sizeof buf - 1, 0);
	long pid;

	if (since != NULL)
		*since = 0;
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	if (since != NULL && *end == ' ') {
		long long t = strtoll(end + 1, NULL, 10);
		*since = t > 0 ? (int64_t)t : 0;
	}
	return pid > 0 ? pid : 0;
}

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
		long pid = pid_in_file(f, NULL);
		close(f);
		if (e != EWOULDBLOCK)
			return bs_fail(err, BS_ERR_IO, "cannot lock %s: %s", path, strerror(e));
		if (pid > 0)
			return bs_fail(err, BS_ERR_LOCKED,
			    "another bobsync run (process %ld) is working on this home; try again "
			    "when it ends", pid);
		return bs_fail(err, BS_ERR_LOCKED,
		    "another bobsync run is working on this home; try again when it ends");
	}
	if (ftruncate(f, 0) == 0) {
		/* the pid, and when it took the lock (the clock of the runs it
		 * records: lock_held_since) */
		int n = snprintf(buf, sizeof buf, "%ld %lld\n", (long)getpid(),
		    (long long)clock_now());
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

/* A line of /proc/locks: "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF"
 * ("1: -> FLOCK ..." for a process waiting for it).  The holder's pid when
 * the line is a granted flock lock of inode ino, else 0 (-1 for a pid the
 * kernel does not show in this pid namespace). */
static long
locks_line_holder(const char *line, unsigned long ino)
{
	char type[16], mode[16], access[16], dev[64];
	long pid;
	const char *p = strchr(line, ':');
	char *colon;
	unsigned long got;

	if (p == NULL || strstr(line, "->") != NULL)
		return 0;
	if (sscanf(p + 1, "%15s %15s %15s %ld %63s", type, mode, access, &pid, dev) != 5)
		return 0;
	if (strcmp(type, "FLOCK") != 0 || strcmp(access, "UNLCK") == 0)
		return 0;
	/* dev is MAJOR:MINOR:INODE; only the inode is compared, as the device
	 * numbers of some file systems (overlays) differ from what stat says */
	if ((colon = strrchr(dev, ':')) == NULL)
		return 0;
	got = strtoul(colon + 1, NULL, 10);
	if (got != ino)
		return 0;
	return pid > 0 ? pid : -1;
}

long
lock_holder_since_in(const char *path, const char *locks, int64_t *since)
{
	struct stat sb;
	long pid, holder = 0;
	int f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (f < 0)
		return 0;	/* no lock file: nothing ever held it */
	if (fstat(f, &sb) != 0) {
		close(f);
		return 0;
	}
	pid = pid_in_file(f, since);
	close(f);
	if (locks != NULL) {
		for (const char *l = locks; *l != '\0' && holder == 0; ) {
			const char *nl = strchr(l, '\n');
			size_t len = nl != NULL ? (size_t)(nl - l) : strlen(l);
			char line[256];

			if (len < sizeof line) {
				memcpy(line, l, len);
				line[len] = '\0';
				holder = locks_line_holder(line, (unsigned long)sb.st_ino);
			}
			l += len + (nl != NULL);
		}
		/* the table names the holder; a pid the kernel hides is the file's */
		return holder == -1 && pid > 0 ? pid : holder;
	}
	if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
		return pid;
	return 0;
}

char *
lock_table_read(void)
{
	FILE *f = fopen("/proc/locks", "re");
	char *text = NULL;
	size_t cap = 0, len = 0;

	if (f != NULL) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
			if (len + n + 1 > cap) {
				cap = (len + n + 1) * 2;
				text = xrealloc(text, cap);
			}
			memcpy(text + len, buf, n);
			len += n;
		}
		if (ferror(f)) {
			free(text);
			text = NULL;
		} else if (text == NULL) {
			text = xstrdup("");	/* no lock at all on the machine */
		} else {
			text[len] = '\0';
		}
		fclose(f);
	}
	return text;
}

int64_t
lock_held_since(const char *path)
{
	char *text = lock_table_read();
	int64_t since = 0;
	long pid = lock_holder_since_in(path, text, &since);

	free(text);
	if (pid == 0)
		return 0;
	return since > 0 ? since : 1;	/* held since a time not written */
}
