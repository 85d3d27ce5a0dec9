/*
 * IO faults for io.latency, io.error, io.attr and io.mistake: rules read from FAULTLINE_IO_FILE, one a line,
 * tab-separated key=value fields (written by src/faults/io/control.ts):
 *
 *   id=7  kind=error  ops=read,fsync  percent=50  path=/srv/db/data.db  errno=5
 *   kind=latency delay_us=  |  kind=attr size= perm= uid= gid= nlink= ino= atime= mtime= ctime=
 *   kind=mistake filling=zero|random max_occurrences= max_length=
 *
 * A call is matched by its operation and by the absolute path of its file (for a descriptor, the link
 * in /proc/self/fd, read only while a rule could match), with fnmatch(3) without FNM_PATHNAME: `*`
 * also matches `/`. Latency sleeps, then an error returns -1 with errno without doing the call; a
 * mistake changes bytes the process reads (never the file); attr changes what stat reports.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "control.h"

enum op { OP_OPEN = 1, OP_READ = 2, OP_WRITE = 4, OP_FSYNC = 8, OP_STAT = 16 };
enum kind { KIND_LATENCY, KIND_ERROR, KIND_ATTR, KIND_MISTAKE };
enum attr { ATTR_SIZE = 1, ATTR_PERM = 2, ATTR_UID = 4, ATTR_GID = 8, ATTR_NLINK = 16, ATTR_INO = 32, ATTR_ATIME = 64, ATTR_MTIME = 128, ATTR_CTIME = 256 };

struct rule {
  enum kind kind;
  unsigned ops;
  double percent;
  char path[1024];
  long long delay_us;
  int err;
  unsigned attrs;
  long long size, uid, gid, nlink, ino, atime, mtime, ctime;
  unsigned perm;
  int random_filling;
  long long max_occurrences, max_length;
};

struct rules {
  int count;
  unsigned ops; /* union of every rule's ops: a call no rule covers costs nothing more */
  struct rule rule[];
};

static struct control_file io_control = {.lock = PTHREAD_MUTEX_INITIALIZER};
static _Atomic(struct rules *) current_rules;

/* a fork while another thread looked at the file would leave the child's lock held for good */
static void io_after_fork(void) { pthread_mutex_init(&io_control.lock, NULL); }

__attribute__((constructor)) static void io_init(void) {
  io_control.path = getenv("FAULTLINE_IO_FILE");
  pthread_atfork(NULL, NULL, io_after_fork);
}

static unsigned ops_of(const char *list) {
  unsigned ops = 0;
  char copy[256];
  snprintf(copy, sizeof copy, "%s", list);
  char *save = NULL;
  for (char *op = strtok_r(copy, ",", &save); op; op = strtok_r(NULL, ",", &save)) {
    if (!strcmp(op, "open")) ops |= OP_OPEN;
    else if (!strcmp(op, "read")) ops |= OP_READ;
    else if (!strcmp(op, "write")) ops |= OP_WRITE;
    else if (!strcmp(op, "fsync")) ops |= OP_FSYNC;
    else if (!strcmp(op, "stat")) ops |= OP_STAT;
  }
  return ops;
}

static void set_field(struct rule *r, const char *key, const char *value) {
  long long n = strtoll(value, NULL, 10);
  if (!strcmp(key, "kind")) {
    r->kind = !strcmp(value, "latency") ? KIND_LATENCY : !strcmp(value, "attr") ? KIND_ATTR : !strcmp(value, "mistake") ? KIND_MISTAKE : KIND_ERROR;
  } else if (!strcmp(key, "ops")) r->ops = ops_of(value);
  else if (!strcmp(key, "percent")) r->percent = strtod(value, NULL);
  else if (!strcmp(key, "path")) snprintf(r->path, sizeof r->path, "%s", value);
  else if (!strcmp(key, "delay_us")) r->delay_us = n;
  else if (!strcmp(key, "errno")) r->err = (int)n;
  else if (!strcmp(key, "filling")) r->random_filling = !strcmp(value, "random");
  else if (!strcmp(key, "max_occurrences")) r->max_occurrences = n;
  else if (!strcmp(key, "max_length")) r->max_length = n;
  else if (!strcmp(key, "size")) r->size = n, r->attrs |= ATTR_SIZE;
  else if (!strcmp(key, "perm")) r->perm = (unsigned)strtol(value, NULL, 8), r->attrs |= ATTR_PERM;
  else if (!strcmp(key, "uid")) r->uid = n, r->attrs |= ATTR_UID;
  else if (!strcmp(key, "gid")) r->gid = n, r->attrs |= ATTR_GID;
  else if (!strcmp(key, "nlink")) r->nlink = n, r->attrs |= ATTR_NLINK;
  else if (!strcmp(key, "ino")) r->ino = n, r->attrs |= ATTR_INO;
  else if (!strcmp(key, "atime")) r->atime = n, r->attrs |= ATTR_ATIME;
  else if (!strcmp(key, "mtime")) r->mtime = n, r->attrs |= ATTR_MTIME;
  else if (!strcmp(key, "ctime")) r->ctime = n, r->attrs |= ATTR_CTIME;
}

static struct rules *parse_rules(char *text) {
  if (!text) return NULL;
  int lines = 1;
  for (char *p = text; *p; p++) lines += *p == '\n';
  struct rules *rules = calloc(1, sizeof *rules + (size_t)lines * sizeof(struct rule));
  if (!rules) return NULL;
  char *save_line = NULL;
  for (char *line = strtok_r(text, "\n", &save_line); line; line = strtok_r(NULL, "\n", &save_line)) {
    struct rule *r = &rules->rule[rules->count];
    memset(r, 0, sizeof *r);
    r->percent = 100;
    char *save_field = NULL;
    for (char *field = strtok_r(line, "\t", &save_field); field; field = strtok_r(NULL, "\t", &save_field)) {
      char *eq = strchr(field, '=');
      if (!eq) continue;
      *eq = '\0';
      set_field(r, field, eq + 1);
    }
    if (r->kind == KIND_ATTR) r->ops &= OP_STAT;
    if (r->kind == KIND_MISTAKE) r->ops &= OP_READ;
    if (!r->ops || !r->path[0]) continue;
    rules->ops |= r->ops;
    rules->count++;
  }
  return rules;
}

/* The rules in force, when one of them covers `op`; the old sets are kept, as a reader may still hold one. */
static const struct rules *rules_for(enum op op) {
  char *text;
  if (control_changed(&io_control, &text)) {
    atomic_store(&current_rules, parse_rules(text));
    free(text);
  }
  const struct rules *rules = atomic_load(&current_rules);
  return rules && (rules->ops & op) ? rules : NULL;
}

static unsigned long long next_random(void) {
  static _Thread_local unsigned long long state;
  if (!state) state = (unsigned long long)control_monotonic_ns() ^ ((unsigned long long)syscall(SYS_gettid) << 32) ^ 0x9E3779B97F4A7C15ULL;
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

static int chance(double percent) { return percent >= 100 || (double)(next_random() % 1000000) < percent * 10000; }

/* The absolute path of `path` as seen from `dirfd`; 0 when it cannot be known. */
static int absolute_path(int dirfd, const char *path, char *out, size_t size) {
  if (!path) return 0;
  if (path[0] == '/') return snprintf(out, size, "%s", path) < (int)size;
  char base[1024];
  long n;
  if (dirfd == AT_FDCWD) {
    n = syscall(SYS_getcwd, base, sizeof base);
    if (n <= 0) return 0;
    n = (long)strlen(base);
  } else {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
    n = syscall(SYS_readlinkat, AT_FDCWD, link, base, sizeof base - 1);
    if (n <= 0) return 0;
    base[n] = '\0';
  }
  if (!path[0]) return snprintf(out, size, "%s", base) < (int)size;
  return snprintf(out, size, "%s/%s", base, path) < (int)size;
}

static int fd_path(int fd, char *out, size_t size) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  long n = syscall(SYS_readlinkat, AT_FDCWD, link, out, size - 1);
  if (n <= 0) return 0;
  out[n] = '\0';
  return out[0] == '/';
}

/* What the rules do to one call: the delay is slept here; an error, a mistake and attributes are returned. */
struct verdict {
  int err;
  const struct rule *mistake;
  const struct rule *attr[8];
  int attrs;
};

static void sleep_us(long long us) {
  struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
  while (syscall(SYS_nanosleep, &ts, &ts) != 0 && errno == EINTR) {
  }
}

static struct verdict judge(const struct rules *rules, enum op op, const char *path) {
  struct verdict v = {0};
  long long delay = 0;
  for (int i = 0; i < rules->count; i++) {
    const struct rule *r = &rules->rule[i];
    if (!(r->ops & op) || fnmatch(r->path, path, 0) != 0 || !chance(r->percent)) continue;
    switch (r->kind) {
      case KIND_LATENCY: delay += r->delay_us; break;
      case KIND_ERROR: if (!v.err) v.err = r->err; break;
      case KIND_MISTAKE: if (!v.mistake) v.mistake = r; break;
      case KIND_ATTR: if (v.attrs < 8) v.attr[v.attrs++] = r; break;
    }
  }
  if (delay > 0) {
    int saved = errno;
    sleep_us(delay);
    errno = saved;
  }
  return v;
}

static struct verdict judge_fd(enum op op, int fd) {
  struct verdict none = {0};
  const struct rules *rules = rules_for(op);
  char path[1024];
  if (!rules || !fd_path(fd, path, sizeof path)) return none;
  return judge(rules, op, path);
}

static struct verdict judge_at(enum op op, int dirfd, const char *name) {
  struct verdict none = {0};
  const struct rules *rules = rules_for(op);
  char path[1024];
  if (!rules || !absolute_path(dirfd, name, path, sizeof path)) return none;
  return judge(rules, op, path);
}

/* Bytes read back wrong: up to max_occurrences runs of up to max_length bytes, zeros or random. */
static void mislead(const struct rule *r, void *buf, ssize_t n) {
  if (!r || n <= 0) return;
  unsigned char *bytes = buf;
  long long occurrences = r->max_occurrences > 0 ? r->max_occurrences : 1;
  long long longest = r->max_length > 0 ? r->max_length : 1;
  for (long long k = 0; k < occurrences; k++) {
    ssize_t at = (ssize_t)(next_random() % (unsigned long long)n);
    ssize_t len = 1 + (ssize_t)(next_random() % (unsigned long long)longest);
    if (len > n - at) len = n - at;
    for (ssize_t i = 0; i < len; i++) {
      unsigned char old = bytes[at + i];
      bytes[at + i] = r->random_filling ? (unsigned char)(old ^ (1 + next_random() % 255)) : 0;
    }
  }
}

#define OVERRIDE_ATTRS(v, st, SEC, NSEC)                                          \
  for (int i_ = 0; i_ < (v).attrs; i_++) {                                        \
    const struct rule *a_ = (v).attr[i_];                                         \
    if (a_->attrs & ATTR_SIZE) (st)->st_size = a_->size;                          \
    if (a_->attrs & ATTR_PERM) (st)->st_mode = ((st)->st_mode & ~07777u) | a_->perm; \
    if (a_->attrs & ATTR_UID) (st)->st_uid = (uid_t)a_->uid;                      \
    if (a_->attrs & ATTR_GID) (st)->st_gid = (gid_t)a_->gid;                      \
    if (a_->attrs & ATTR_NLINK) (st)->st_nlink = a_->nlink;                       \
    if (a_->attrs & ATTR_INO) (st)->st_ino = a_->ino;                             \
    if (a_->attrs & ATTR_ATIME) (st)->st_atim.SEC = a_->atime, (st)->st_atim.NSEC = 0; \
    if (a_->attrs & ATTR_MTIME) (st)->st_mtim.SEC = a_->mtime, (st)->st_mtim.NSEC = 0; \
    if (a_->attrs & ATTR_CTIME) (st)->st_ctim.SEC = a_->ctime, (st)->st_ctim.NSEC = 0; \
  }

/* The next definition of `name` (libc's); `fail` with ENOSYS when there is none (a libc without that symbol). */
#define REAL(name, fail)                                                             \
  static __typeof__(name) *real_##name;                                              \
  if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name);       \
  if (!real_##name) {                                                                \
    errno = ENOSYS;                                                                  \
    return fail;                                                                     \
  }

#define FAIL_IF(v, value) \
  if ((v).err) { errno = (v).err; return value; }

/* ---- open ---- */

static mode_t mode_arg(int flags, va_list ap) { return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0; }

int open(const char *path, int flags, ...) {
  va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
  struct verdict v = judge_at(OP_OPEN, AT_FDCWD, path);
  FAIL_IF(v, -1);
  REAL(open, -1);
  return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
  va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
  struct verdict v = judge_at(OP_OPEN, AT_FDCWD, path);
  FAIL_IF(v, -1);
  REAL(open64, -1);
  return real_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
  va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
  struct verdict v = judge_at(OP_OPEN, dirfd, path);
  FAIL_IF(v, -1);
  REAL(openat, -1);
  return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
  va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
  struct verdict v = judge_at(OP_OPEN, dirfd, path);
  FAIL_IF(v, -1);
  REAL(openat64, -1);
  return real_openat64(dirfd, path, flags, mode);
}

int creat(const char *path, mode_t mode) { return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode); }
int creat64(const char *path, mode_t mode) { return open64(path, O_CREAT | O_WRONLY | O_TRUNC, mode); }

FILE *fopen(const char *path, const char *mode) {
  struct verdict v = judge_at(OP_OPEN, AT_FDCWD, path);
  FAIL_IF(v, NULL);
  REAL(fopen, NULL);
  return real_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode) {
  struct verdict v = judge_at(OP_OPEN, AT_FDCWD, path);
  FAIL_IF(v, NULL);
  REAL(fopen64, NULL);
  return real_fopen64(path, mode);
}

/* ---- read ---- */

ssize_t read(int fd, void *buf, size_t count) {
  struct verdict v = judge_fd(OP_READ, fd);
  FAIL_IF(v, -1);
  REAL(read, -1);
  ssize_t n = real_read(fd, buf, count);
  mislead(v.mistake, buf, n);
  return n;
}

ssize_t pread(int fd, void *buf, size_t count, off_t offset) {
  struct verdict v = judge_fd(OP_READ, fd);
  FAIL_IF(v, -1);
  REAL(pread, -1);
  ssize_t n = real_pread(fd, buf, count, offset);
  mislead(v.mistake, buf, n);
  return n;
}

ssize_t pread64(int fd, void *buf, size_t count, off64_t offset) {
  struct verdict v = judge_fd(OP_READ, fd);
  FAIL_IF(v, -1);
  REAL(pread64, -1);
  ssize_t n = real_pread64(fd, buf, count, offset);
  mislead(v.mistake, buf, n);
  return n;
}

/* vectored reads: latency and errors (a mistake lands in the first buffer) */
static void mislead_iov(const struct rule *r, const struct iovec *iov, int iovcnt, ssize_t n) {
  if (r && iovcnt > 0 && n > 0) mislead(r, iov[0].iov_base, n < (ssize_t)iov[0].iov_len ? n : (ssize_t)iov[0].iov_len);
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt) {
  struct verdict v = judge_fd(OP_READ, fd);
  FAIL_IF(v, -1);
  REAL(readv, -1);
  ssize_t n = real_readv(fd, iov, iovcnt);
  mislead_iov(v.mistake, iov, iovcnt, n);
  return n;
}

ssize_t preadv(int fd, const struct iovec *iov, int iovcnt, off_t offset) {
  struct verdict v = judge_fd(OP_READ, fd);
  FAIL_IF(v, -1);
  REAL(preadv, -1);
  ssize_t n = real_preadv(fd, iov, iovcnt, offset);
  mislead_iov(v.mistake, iov, iovcnt, n);
  return n;
}

ssize_t preadv64(int fd, const struct iovec *iov, int iovcnt, off64_t offset) {
  struct verdict v = judge_fd(OP_READ, fd);
  FAIL_IF(v, -1);
  REAL(preadv64, -1);
  ssize_t n = real_preadv64(fd, iov, iovcnt, offset);
  mislead_iov(v.mistake, iov, iovcnt, n);
  return n;
}

/* ---- write ---- */

ssize_t write(int fd, const void *buf, size_t count) {
  struct verdict v = judge_fd(OP_WRITE, fd);
  FAIL_IF(v, -1);
  REAL(write, -1);
  return real_write(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
  struct verdict v = judge_fd(OP_WRITE, fd);
  FAIL_IF(v, -1);
  REAL(pwrite, -1);
  return real_pwrite(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset) {
  struct verdict v = judge_fd(OP_WRITE, fd);
  FAIL_IF(v, -1);
  REAL(pwrite64, -1);
  return real_pwrite64(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
  struct verdict v = judge_fd(OP_WRITE, fd);
  FAIL_IF(v, -1);
  REAL(writev, -1);
  return real_writev(fd, iov, iovcnt);
}

ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset) {
  struct verdict v = judge_fd(OP_WRITE, fd);
  FAIL_IF(v, -1);
  REAL(pwritev, -1);
  return real_pwritev(fd, iov, iovcnt, offset);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int iovcnt, off64_t offset) {
  struct verdict v = judge_fd(OP_WRITE, fd);
  FAIL_IF(v, -1);
  REAL(pwritev64, -1);
  return real_pwritev64(fd, iov, iovcnt, offset);
}

/* ---- fsync ---- */

int fsync(int fd) {
  struct verdict v = judge_fd(OP_FSYNC, fd);
  FAIL_IF(v, -1);
  REAL(fsync, -1);
  return real_fsync(fd);
}

int fdatasync(int fd) {
  struct verdict v = judge_fd(OP_FSYNC, fd);
  FAIL_IF(v, -1);
  REAL(fdatasync, -1);
  return real_fdatasync(fd);
}

/* ---- stat ---- */

#define STAT_AT(name, type, dirfd_expr, path_expr, call)         \
  {                                                             \
    struct verdict v = judge_at(OP_STAT, dirfd_expr, path_expr); \
    FAIL_IF(v, -1);                                             \
    REAL(name, -1);                                                 \
    int result = call;                                          \
    if (result == 0) OVERRIDE_ATTRS(v, st, tv_sec, tv_nsec);    \
    return result;                                              \
  }

#define STAT_FD(name, call)                                  \
  {                                                          \
    struct verdict v = judge_fd(OP_STAT, fd);                \
    FAIL_IF(v, -1);                                          \
    REAL(name, -1);                                              \
    int result = call;                                       \
    if (result == 0) OVERRIDE_ATTRS(v, st, tv_sec, tv_nsec); \
    return result;                                           \
  }

int stat(const char *restrict path, struct stat *restrict st) STAT_AT(stat, struct stat, AT_FDCWD, path, real_stat(path, st))
int lstat(const char *restrict path, struct stat *restrict st) STAT_AT(lstat, struct stat, AT_FDCWD, path, real_lstat(path, st))
int stat64(const char *restrict path, struct stat64 *restrict st) STAT_AT(stat64, struct stat64, AT_FDCWD, path, real_stat64(path, st))
int lstat64(const char *restrict path, struct stat64 *restrict st) STAT_AT(lstat64, struct stat64, AT_FDCWD, path, real_lstat64(path, st))
int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags)
    STAT_AT(fstatat, struct stat, dirfd, path, real_fstatat(dirfd, path, st, flags))
int fstatat64(int dirfd, const char *restrict path, struct stat64 *restrict st, int flags)
    STAT_AT(fstatat64, struct stat64, dirfd, path, real_fstatat64(dirfd, path, st, flags))
int fstat(int fd, struct stat *st) STAT_FD(fstat, real_fstat(fd, st))
int fstat64(int fd, struct stat64 *st) STAT_FD(fstat64, real_fstat64(fd, st))

static void override_statx(const struct verdict *v, struct statx *stx) {
  for (int i = 0; i < v->attrs; i++) {
    const struct rule *a = v->attr[i];
    if (a->attrs & ATTR_SIZE) stx->stx_size = (unsigned long long)a->size;
    if (a->attrs & ATTR_PERM) stx->stx_mode = (unsigned short)((stx->stx_mode & ~07777u) | a->perm);
    if (a->attrs & ATTR_UID) stx->stx_uid = (unsigned)a->uid;
    if (a->attrs & ATTR_GID) stx->stx_gid = (unsigned)a->gid;
    if (a->attrs & ATTR_NLINK) stx->stx_nlink = (unsigned)a->nlink;
    if (a->attrs & ATTR_INO) stx->stx_ino = (unsigned long long)a->ino;
    if (a->attrs & ATTR_ATIME) stx->stx_atime.tv_sec = a->atime, stx->stx_atime.tv_nsec = 0;
    if (a->attrs & ATTR_MTIME) stx->stx_mtime.tv_sec = a->mtime, stx->stx_mtime.tv_nsec = 0;
    if (a->attrs & ATTR_CTIME) stx->stx_ctime.tv_sec = a->ctime, stx->stx_ctime.tv_nsec = 0;
  }
}

int statx(int dirfd, const char *restrict path, int flags, unsigned int mask, struct statx *restrict stx) {
  struct verdict v = judge_at(OP_STAT, dirfd, path);
  FAIL_IF(v, -1);
  REAL(statx, -1);
  int result = real_statx(dirfd, path, flags, mask, stx);
  if (result == 0) override_statx(&v, stx);
  return result;
}

/*
 * syscall(2): libuv (Node) calls statx through it rather than through glibc's statx(). Every other call
 * number passes through untouched, with the six argument registers the kernel reads.
 */
long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  REAL(syscall, -1);
  if (number != SYS_statx) return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
  struct verdict v = judge_at(OP_STAT, (int)a[0], (const char *)a[1]);
  FAIL_IF(v, -1);
  long result = real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (result == 0) override_statx(&v, (struct statx *)a[4]);
  return result;
}
