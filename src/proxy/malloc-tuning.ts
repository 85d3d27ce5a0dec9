/**
 * Allocator tuning for a process that relays sockets, through faultline's small addon
 * (native/addon/malloc-tuning.c, built into dist/native/ at install like the preload library).
 *
 * Node reads each socket into a new 64 KiB buffer; a busy relay frees tens of MiB of them at each garbage
 * collection, glibc gives the top of its heap back to the kernel, and the next reads fault the pages in
 * again. Keeping up to 64 MiB of freed memory cut the proxy's CPU per GiB relayed about threefold, and
 * raised one connection's throughput as much (bench/RESULTS.md). Where the addon was not built (no C
 * compiler or Node headers at install) or the C library is not glibc, the proxy works as before.
 * FAULTLINE_PROXY_MALLOC_TUNING=off leaves the allocator alone (the bench measures both ways in one run).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** the heap grows this much at a time */
const TOP_PAD_BYTES = 32 * 1024 * 1024;
/** freed memory at the top of the heap is kept up to this much */
const TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024;

const ADDON = fileURLToPath(new URL('../../dist/native/malloc-tuning.node', import.meta.url));

let outcome: AllocatorTuning | undefined;

export type AllocatorTuning = { tuned: true } | { tuned: false; why: string };

/** Applies the tuning once per process; the outcome says whether it took and, if not, why. */
export function tuneAllocatorForRelaying(): AllocatorTuning {
  outcome ??= applyTuning();
  return outcome;
}

export const TUNING_ENV = 'FAULTLINE_PROXY_MALLOC_TUNING';

function applyTuning(): AllocatorTuning {
  if (process.env[TUNING_ENV] === 'off') return { tuned: false, why: `${TUNING_ENV}=off` };
  if (process.platform !== 'linux') return { tuned: false, why: `not built on ${process.platform}` };
  let addon: { keepFreedMemory(topPad: number, trimThreshold: number): boolean };
  try {
    addon = createRequire(import.meta.url)(ADDON);
  } catch (error) {
    return { tuned: false, why: `${ADDON} could not be loaded (${(error as Error).message.split('\n')[0]}); run npm run build` };
  }
  return addon.keepFreedMemory(TOP_PAD_BYTES, TRIM_THRESHOLD_BYTES)
    ? { tuned: true }
    : { tuned: false, why: 'the C library has no mallopt (not glibc)' };
}
