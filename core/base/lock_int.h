/* lock_int.h - the run lock's inside, for core/base/lock.c and its unit
 * tests; callers use lock.h. */
#ifndef BS_LOCK_INT_H
#define BS_LOCK_INT_H

#include <stdint.h>

/* The kernel's table of file locks (/proc/locks) as text, to free; NULL
 * when it cannot be read. */
char *lock_table_read(void);
/* The process holding the lock at `path`, from the table of locks `locks`
 * (lock_table_read; NULL: the pid in the file, if alive): -1 when held by
 * a process the kernel does not show, 0 when nobody holds it.  *since
 * (when not NULL): when the holder wrote it took the lock, 0 when it did
 * not write it. */
long lock_holder_since_in(const char *path, const char *locks, int64_t *since);

#endif
