#!/usr/bin/env node
/**
 * Builds faultline's two native pieces into dist/native/, at `npm install`/`npm ci` (install script) and by
 * `npm run build`. Linux only. Each is optional: without a C compiler (or Node's headers) the build goes on
 * without it, the rest of faultline works, and the line printed says what is missing.
 *
 * - native/*.c -> libfaultline-preload.so, which `faultline wrap` puts in front of the command it starts:
 *   clock skew (time.skew) and IO faults (io.*).
 * - native/addon/malloc-tuning.c -> malloc-tuning.node, a Node addon the proxy loads to keep glibc from
 *   returning and re-faulting the memory of its read buffers (src/proxy/malloc-tuning.ts). It needs Node's
 *   headers (node_api.h), which come with Node in <prefix>/include/node.
 *
 * $CC chooses the compiler (default: cc, then gcc).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputDir = join(root, 'dist', 'native');
const compilers = process.env.CC ? [process.env.CC] : ['cc', 'gcc'];
const common = ['-shared', '-fPIC', '-O2', '-Wall'];

if (process.platform !== 'linux') {
  console.log(`faultline: the native pieces are Linux-only; skipped on ${process.platform} (faultline wrap is not available here)`);
  process.exit(0);
}
mkdirSync(outputDir, { recursive: true });

const preloadSources = readdirSync(join(root, 'native'))
  .filter((f) => f.endsWith('.c'))
  .map((f) => join(root, 'native', f));
build({
  output: join(outputDir, 'libfaultline-preload.so'),
  args: ['-Wno-nonnull-compare', '-U_FORTIFY_SOURCE', '-D_FORTIFY_SOURCE=0', ...preloadSources, '-ldl', '-lpthread'],
  failed: 'faultline wrap will not be available',
  noCompiler:
    'faultline: no C compiler (cc or gcc), so the preload library for faultline wrap (time.skew, io.*) was not built; install one (Debian: apt-get install gcc) and run npm run build',
});

// Node's headers sit beside its binary's prefix: /usr/bin/node -> /usr/include/node
const nodeHeaders = join(dirname(process.execPath), '..', 'include', 'node');
if (!existsSync(join(nodeHeaders, 'node_api.h'))) {
  console.warn(
    `faultline: no Node headers at ${nodeHeaders}, so the proxy's allocator tuning was not built; the proxy works without it, with about three times the CPU per GiB (Debian: apt-get install libnode-dev, then npm run build)`,
  );
} else {
  build({
    output: join(outputDir, 'malloc-tuning.node'),
    args: [`-I${nodeHeaders}`, join(root, 'native', 'addon', 'malloc-tuning.c')],
    failed: 'the proxy runs without its allocator tuning',
    noCompiler:
      "faultline: no C compiler (cc or gcc), so the proxy's allocator tuning was not built; the proxy works without it (Debian: apt-get install gcc, then npm run build)",
  });
}

/** Compiles one shared object with the first compiler found; a failure is reported, never fatal. */
function build({ output, args, failed, noCompiler }) {
  for (const compiler of compilers) {
    try {
      execFileSync(compiler, [...common, '-o', output, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
      console.log(`faultline: built ${output} with ${compiler}`);
      return;
    } catch (error) {
      if (error.code !== 'ENOENT') {
        console.error(`faultline: ${compiler} could not build ${output} (see above); ${failed}`);
        return;
      }
    }
  }
  console.warn(noCompiler);
}
