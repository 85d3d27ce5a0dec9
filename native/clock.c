/*
 * Clock skew for time.skew: the wall clock (and any clock listed in the control file) seen through
 * clock_gettime, gettimeofday and time() is moved by an offset and a rate, read from FAULTLINE_CLOCK_FILE.
 *
 * The control file keeps libfaketime's relative syntax, which time.skew writes: `+3600 x1`, `-90.5 x2`,
 * optionally followed by `clocks=0,1` (clock ids; default CLOCK_REALTIME, which also moves
 * CLOCK_REALTIME_COARSE). With a rate, the fake time is start + offset + (real - start) * rate, start
 * being when this library was loaded (libfaketime's meaning, which time.skew compensates).
 *
 * Unlike libfaketime, nothing else is touched: sleeps, condition variables and timers on the monotonic
 * clock keep their real meaning, which is what breaks Python's time.sleep under libfaketime 0.9.10 with
 * FAKETIME_DONT_FAKE_MONOTONIC=1. Absolute sleeps on CLOCK_REALTIME are translated back to real time.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "control.h"

struct skew {
  int64_t offset_ns;
  double rate;
  unsigned clocks; /* bit i: clock id i is moved */
};

static struct control_file clock_control = {.lock = PTHREAD_MUTEX_INITIALIZER};
static _Atomic(struct skew *) current_skew;
static int64_t start_real_ns;

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static int (*real_clock_nanosleep)(clockid_t, int, const struct timespec *, struct timespec *);

static int64_t ns_of(const struct timespec *ts) { return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec; }

static struct timespec timespec_of(int64_t ns) {
  struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1000000000LL;
    ts.tv_sec -= 1;
  }
  return ts;
}

/* `+3600 x1 clocks=0,1`; NULL for an empty or unreadable text (no skew). */
static struct skew *parse_skew(const char *text) {
  if (!text) return NULL;
  char *end;
  double seconds = strtod(text, &end);
  if (end == text) return NULL;
  struct skew *skew = calloc(1, sizeof *skew);
  if (!skew) return NULL;
  skew->offset_ns = (int64_t)(seconds * 1e9);
  skew->rate = 1;
  skew->clocks = 1u << CLOCK_REALTIME;
  const char *x = strstr(end, "x");
  if (x) {
    double rate = strtod(x + 1, NULL);
    if (rate > 0) skew->rate = rate;
  }
  const char *clocks = strstr(end, "clocks=");
  if (clocks) {
    skew->clocks = 0;
    for (const char *p = clocks + 7; *p >= '0' && *p <= '9';) {
      long id = strtol(p, &end, 10);
      if (id >= 0 && id < 32) skew->clocks |= 1u << id;
      p = *end == ',' ? end + 1 : end;
    }
  }
  if (skew->clocks & (1u << CLOCK_REALTIME)) skew->clocks |= 1u << CLOCK_REALTIME_COARSE;
  return skew;
}

static void resolve_real(void) {
  if (!real_clock_gettime) real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
  if (!real_clock_nanosleep) real_clock_nanosleep = dlsym(RTLD_NEXT, "clock_nanosleep");
}

/* a fork while another thread looked at the file would leave the child's lock held for good */
static void clock_after_fork(void) { pthread_mutex_init(&clock_control.lock, NULL); }

__attribute__((constructor)) static void clock_init(void) {
  resolve_real();
  pthread_atfork(NULL, NULL, clock_after_fork);
  clock_control.path = getenv("FAULTLINE_CLOCK_FILE");
  struct timespec ts;
  real_clock_gettime(CLOCK_REALTIME, &ts);
  start_real_ns = ns_of(&ts);
}

/* The skew in force (NULL: none); the old skews are kept, as a reader may still hold one (a few bytes each). */
static const struct skew *skew_now(void) {
  char *text;
  if (control_changed(&clock_control, &text)) {
    atomic_store(&current_skew, parse_skew(text));
    free(text);
  }
  return atomic_load(&current_skew);
}

static int64_t fake_of(const struct skew *skew, int64_t real) {
  int64_t drift = skew->rate == 1 ? 0 : (int64_t)((double)(real - start_real_ns) * (skew->rate - 1));
  return real + skew->offset_ns + drift;
}

static int64_t real_of(const struct skew *skew, int64_t fake) {
  /* fake = real * rate + offset + start * (1 - rate) */
  return (int64_t)(((double)fake - (double)skew->offset_ns - (double)start_real_ns * (1 - skew->rate)) / skew->rate);
}

static int moves(const struct skew *skew, clockid_t id) { return skew && id >= 0 && id < 32 && (skew->clocks & (1u << id)); }

int clock_gettime(clockid_t id, struct timespec *ts) {
  resolve_real();
  int result = real_clock_gettime(id, ts);
  const struct skew *skew = skew_now();
  if (result == 0 && moves(skew, id)) *ts = timespec_of(fake_of(skew, ns_of(ts)));
  return result;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  struct timespec ts;
  int result = clock_gettime(CLOCK_REALTIME, &ts);
  if (result == 0 && tv) {
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
  }
  if (tz) memset(tz, 0, sizeof(struct timezone));
  return result;
}

time_t time(time_t *out) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (out) *out = ts.tv_sec;
  return ts.tv_sec;
}

int clock_nanosleep(clockid_t id, int flags, const struct timespec *request, struct timespec *remain) {
  resolve_real();
  const struct skew *skew = skew_now();
  if ((flags & TIMER_ABSTIME) && moves(skew, id)) {
    struct timespec real = timespec_of(real_of(skew, ns_of(request)));
    return real_clock_nanosleep(id, flags, &real, remain);
  }
  return real_clock_nanosleep(id, flags, request, remain);
}
