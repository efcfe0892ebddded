/* lock.h - one sync at a time (flock on bobsync.lock). */
#ifndef BS_LOCK_H
#define BS_LOCK_H

#include "base/result.h"

/* Take the lock without waiting.  BS_ERR_LOCKED (exit 5) when another
 * process holds it, with that process id in the detail.  *fd is the lock
 * descriptor to pass to lock_release. */
bs_rc lock_acquire(const char *path, int *fd, struct bs_error *err);
void lock_release(int *fd);

#endif
