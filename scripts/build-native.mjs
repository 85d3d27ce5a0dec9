#!/usr/bin/env node
/**
 * Builds faultline's preload library (native/*.c -> dist/native/libfaultline-preload.so), which
 * `faultline wrap` puts in front of the command it starts: clock skew (time.skew) and IO faults (io.*).
 * Run by `npm install`/`npm ci` (install script) and `npm run build`. Linux only. Without a C compiler the
 * build goes on without it: the rest of faultline works, and `faultline wrap` says how to get the library.
 * $CC chooses the compiler (default: cc, then gcc).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = readdirSync(join(root, 'native'))
  .filter((f) => f.endsWith('.c'))
  .map((f) => join(root, 'native', f));
const output = join(root, 'dist', 'native', 'libfaultline-preload.so');

if (process.platform !== 'linux') {
  console.log(`faultline: the preload library is Linux-only; skipped on ${process.platform} (faultline wrap is not available here)`);
  process.exit(0);
}

const flags = ['-shared', '-fPIC', '-O2', '-Wall', '-Wno-nonnull-compare', '-U_FORTIFY_SOURCE', '-D_FORTIFY_SOURCE=0'];
const compilers = process.env.CC ? [process.env.CC] : ['cc', 'gcc'];
mkdirSync(dirname(output), { recursive: true });
for (const compiler of compilers) {
  try {
    execFileSync(compiler, [...flags, '-o', output, ...sources, '-ldl', '-lpthread'], { stdio: ['ignore', 'inherit', 'inherit'] });
    console.log(`faultline: built ${output} with ${compiler}`);
    process.exit(0);
  } catch (error) {
    if (error.code !== 'ENOENT') {
      console.error(`faultline: ${compiler} could not build the preload library (see above); faultline wrap will not be available`);
      process.exit(0);
    }
  }
}
console.warn(
  'faultline: no C compiler (cc or gcc), so the preload library for faultline wrap (time.skew, io.*) was not built; install one (Debian: apt-get install gcc) and run npm run build',
);
