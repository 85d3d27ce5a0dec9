/*
 * A control file that faultline rewrites (atomically, by rename) while the process runs. The preload
 * library looks at it at most once per CONTROL_INTERVAL_NS, from inside the calls it intercepts, through
 * raw system calls so that it never re-enters its own interposed functions.
 */
#ifndef FAULTLINE_CONTROL_H
#define FAULTLINE_CONTROL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define CONTROL_INTERVAL_NS (50 * 1000000LL)

struct control_file {
  const char *path;              /* from the environment; NULL: no control file */
  _Atomic int64_t next_check_ns; /* monotonic time of the next look */
  uint64_t ino;                  /* identity of the text last read: a rename changes the inode */
  int64_t mtime_ns;
  int64_t size;
  int seen;                      /* 0 until a first text (or its absence) was read */
  pthread_mutex_t lock;
};

/* Coarse monotonic nanoseconds, from libc's clock_gettime (the vDSO; never a faked clock). */
int64_t control_monotonic_ns(void);

/*
 * When it is time to look and the file changed (or vanished), returns 1 and sets *text to a malloc'd,
 * NUL-terminated copy of its content (NULL when the file is gone). Returns 0 otherwise.
 */
int control_changed(struct control_file *control, char **text);

#endif
