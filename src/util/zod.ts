/**
 * zod, for all of faultline: every module imports `z` from here, not from 'zod'.
 *
 * The build replaces this module's output, dist/util/zod.js, with zod bundled into that one file
 * (scripts/bundle-packages.mjs): zod 4 is about 95 files, and finding, reading and compiling them one by one
 * was a large part of the CLI's start (`faultline validate`, bench/RESULTS.md). Vitest and tsx read this
 * source and load zod's own files, the same code, but for `z.locales` (zod's translations of its messages),
 * which the bundle leaves out: do not use it.
 */
export { z } from 'zod';
