/* lock.h - one sync at a time (flock on bobsync.lock). */
#ifndef BS_LOCK_H
#define BS_LOCK_H

#include <stdint.h>

#include "base/result.h"

/* Take the lock without waiting.  BS_ERR_LOCKED (exit 5) when another
 * process holds it, with that process id in the detail.  *fd is the lock
 * descriptor to pass to lock_release. */
bs_rc lock_acquire(const char *path, int *fd, struct bs_error *err);
void lock_release(int *fd);

/* Whether a run holds the lock at `path` now, and since when, found
 * without taking it (a test lock would make a sync started at that instant
 * fail with exit 5): the kernel's table of file locks (/proc/locks) when it
 * can be read, else the process id the holder wrote, if that process is
 * alive (a run killed with SIGKILL leaves its process id in the file but no
 * lock).  Returns when the holder took the lock, on the clock its runs are
 * recorded with (clock_now): a run started before that is not its run.
 * 0 when no process holds the lock; 1 when one does since a time it did
 * not write (a bobsync before this one, or another tool). */
int64_t lock_held_since(const char *path);

#endif
