/*
 * A Node addon with one function, keepFreedMemory(topPad, trimThreshold), for processes that relay
 * sockets (faultline's proxy).
 *
 * Node reads every socket into a freshly allocated 64 KiB buffer. Between two garbage collections a busy
 * relay holds tens of MiB of them; when the collector frees them all, glibc returns the top of its heap to
 * the kernel, and the next reads fault those pages in again. Measured on one connection: 3.3 s of CPU per
 * GiB relayed by default, 1.2 s with these settings (bench/RESULTS.md). Keeping up to trimThreshold bytes
 * of freed memory, and growing the heap topPad bytes at a time, avoids the churn.
 *
 * Returns true when both settings were applied; false where the C library has no mallopt (not glibc).
 */
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value keep_freed_memory(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int64_t top_pad = 0, trim_threshold = 0;
  int applied = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 2 &&
      napi_get_value_int64(env, argv[0], &top_pad) == napi_ok &&
      napi_get_value_int64(env, argv[1], &trim_threshold) == napi_ok && top_pad >= 0 && trim_threshold >= 0 &&
      top_pad <= 0x7fffffff && trim_threshold <= 0x7fffffff) {
#if defined(__GLIBC__)
    applied = mallopt(M_TOP_PAD, (int)top_pad) == 1 && mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
#endif
  }
  napi_value result;
  napi_get_boolean(env, applied, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "keepFreedMemory", NAPI_AUTO_LENGTH, keep_freed_memory, NULL, &fn);
  napi_set_named_property(env, exports, "keepFreedMemory", fn);
  return exports;
}
