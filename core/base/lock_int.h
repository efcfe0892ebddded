/* lock_int.h - the run lock's inside, for core/base/lock.c and its unit
 * tests; callers use lock.h. */
#ifndef BS_LOCK_INT_H
#define BS_LOCK_INT_H

/* lock_holder with the table of locks given as text (what /proc/locks
 * holds), or NULL when that table cannot be read. */
long lock_holder_in(const char *path, const char *locks);

#endif
