/**
 * faultline's preload library (native/*.c, built into dist/native/ by `npm run build` and at install):
 * `faultline wrap` starts a command with it in LD_PRELOAD and two control files that faultline owns, one
 * for the clock (FAULTLINE_CLOCK_FILE, read by time.skew) and one for IO rules (FAULTLINE_IO_FILE, io.*).
 * The library looks at them at most every 50ms from inside the calls it intercepts, so a fault is applied
 * and reverted without restarting the process.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../util/errors.js';

export const CLOCK_FILE_ENV = 'FAULTLINE_CLOCK_FILE';
export const IO_FILE_ENV = 'FAULTLINE_IO_FILE';
/** set in the wrapped command's environment to the wrapper's pid, so a target naming the wrapper finds it */
export const WRAPPER_ENV = 'FAULTLINE_CLOCK_WRAPPER';
export const PRELOAD_ENV = 'FAULTLINE_PRELOAD';

/** Where the build puts the library: <package>/dist/native/, from src/ (tests) or dist/ alike. */
const BUILT = join(fileURLToPath(new URL('../../../', import.meta.url)), 'dist', 'native', 'libfaultline-preload.so');

/** The preload library (FAULTLINE_PRELOAD, else the built one); a UserError saying how to get it. */
export function findPreloadLibrary(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform !== 'linux') {
    throw new UserError(`faultline wrap works on Linux only (its preload library reads /proc); ${process.platform} cannot run it`);
  }
  const override = env[PRELOAD_ENV];
  if (override) {
    // absolute: a relative LD_PRELOAD entry is lost by any process that changes its working directory
    if (existsSync(override)) return resolve(override);
    throw new UserError(`${PRELOAD_ENV}=${override}: no such file; point it at libfaultline-preload.so, or unset it`);
  }
  if (existsSync(BUILT)) return BUILT;
  throw new UserError(
    `faultline wrap needs its preload library ${BUILT}, which was not built (no C compiler at install); install one (Debian: apt-get install gcc) and run npm run build, or set ${PRELOAD_ENV}`,
  );
}

/** The variables that start a command under the library with these control files. */
export function preloadEnvironment(library: string, files: { clock: string; io: string }, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  // our library first: its stat() must see the call before any other preloaded library does
  env.LD_PRELOAD = base.LD_PRELOAD ? `${library} ${base.LD_PRELOAD}` : library;
  env[CLOCK_FILE_ENV] = files.clock;
  env[IO_FILE_ENV] = files.io;
  env[WRAPPER_ENV] = String(process.pid);
  return env;
}
