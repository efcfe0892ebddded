/* lock_int.h - the run lock's inside, for core/base/lock.c and its unit
 * tests; callers use lock.h. */
#ifndef BS_LOCK_INT_H
#define BS_LOCK_INT_H

#include <stdint.h>

/* lock_holder with the table of locks given as text (what /proc/locks
 * holds), or NULL when that table cannot be read. */
long lock_holder_in(const char *path, const char *locks);
/* The same, and *since (when not NULL): when the holder wrote it took the
 * lock, 0 when it did not write it. */
long lock_holder_since_in(const char *path, const char *locks, int64_t *since);

#endif
