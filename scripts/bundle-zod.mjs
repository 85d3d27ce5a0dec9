#!/usr/bin/env node
/**
 * Replaces dist/util/zod.js (tsc's re-export of 'zod') with zod bundled into that one file, so the CLI loads
 * one module where it loaded about 95 (see src/util/zod.ts). esbuild comes with the development dependencies;
 * without it the re-export stays, and faultline works the same, only starts slower.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('faultline: esbuild is not installed; dist/util/zod.js re-exports zod (a slower start, nothing else)');
  process.exit(0);
}
await esbuild.build({
  entryPoints: [join(root, 'src', 'util', 'zod.ts')],
  outfile: join(root, 'dist', 'util', 'zod.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  legalComments: 'inline',
  logLevel: 'warning',
});
