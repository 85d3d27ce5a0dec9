#!/usr/bin/env node
/**
 * Replaces the build output of the modules through which faultline imports its largest packages (tsc's
 * re-exports) with each package bundled into that one file, so the CLI loads one module where it loaded
 * many: zod (src/util/zod.ts, about 95 files) and yaml (src/util/yaml.ts, about 84 CommonJS files). esbuild
 * comes with the development dependencies; without it the re-exports stay, and faultline works the same,
 * only starts slower. scripts/check-layers.mjs makes sure no other file imports these packages itself.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** the modules to bundle, by their source under src/util */
export const BUNDLED = { zod: 'util/zod.ts', yaml: 'util/yaml.ts' };

/**
 * zod's 64 translations of its messages (`z.locales`) are left out: faultline speaks English, zod's default
 * (which zod loads apart from them), and the bundle is half the size: 25 ms less to compile at each start.
 */
const withoutZodLocales = {
  name: 'without-zod-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: args.path, namespace: 'no-zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'no-zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();

async function bundle() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.log(
      'faultline: esbuild is not installed; dist/util/zod.js and yaml.js re-export their packages (a slower start, nothing else)',
    );
    return;
  }
  for (const source of Object.values(BUNDLED)) {
    await esbuild.build({
      plugins: [withoutZodLocales],
      entryPoints: [join(root, 'src', source)],
      outfile: join(root, 'dist', source.replace(/\.ts$/, '.js')),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      legalComments: 'inline',
      logLevel: 'warning',
      // yaml is CommonJS and requires Node's modules: an ES module has no `require` of its own
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
  }
}
