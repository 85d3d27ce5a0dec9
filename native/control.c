/* See control.h. Only raw system calls here (and libc's vDSO clock): this code runs inside interposed open/read/stat. */
#define _GNU_SOURCE
#include "control.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CONTROL_MAX_BYTES (64 * 1024)

/* libc's own clock_gettime (the vDSO: no system call), not ours, which moves clocks and calls back here */
static int (*libc_clock_gettime)(clockid_t, struct timespec *);

int64_t control_monotonic_ns(void) {
  struct timespec ts;
  if (!libc_clock_gettime) libc_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
  libc_clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static char *read_text(const char *path, int64_t size) {
  if (size > CONTROL_MAX_BYTES) size = CONTROL_MAX_BYTES;
  int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  char *text = malloc((size_t)size + 1);
  int64_t got = 0;
  while (text && got < size) {
    long n = syscall(SYS_read, fd, text + got, (size_t)(size - got));
    if (n <= 0) break;
    got += n;
  }
  syscall(SYS_close, fd);
  if (text) text[got] = '\0';
  return text;
}

int control_changed(struct control_file *control, char **text) {
  if (!control->path) return 0;
  int64_t now = control_monotonic_ns();
  if (now < atomic_load(&control->next_check_ns)) return 0;
  if (pthread_mutex_trylock(&control->lock) != 0) return 0; /* another thread is looking */
  atomic_store(&control->next_check_ns, now + CONTROL_INTERVAL_NS);
  struct stat st;
  int changed = 0;
  *text = NULL;
  if (syscall(SYS_newfstatat, AT_FDCWD, control->path, &st, 0) != 0) {
    changed = !control->seen || control->ino != 0;
    control->ino = 0;
  } else {
    int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    if (!control->seen || st.st_ino != control->ino || mtime != control->mtime_ns || st.st_size != control->size) {
      changed = 1;
      control->ino = st.st_ino;
      control->mtime_ns = mtime;
      control->size = st.st_size;
      *text = read_text(control->path, st.st_size);
    }
  }
  control->seen = 1;
  pthread_mutex_unlock(&control->lock);
  return changed;
}
