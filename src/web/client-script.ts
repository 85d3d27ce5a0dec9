/**
 * The dashboard's script is TypeScript (client/app.ts), compiled by the build to dist/. The browser loads
 * it as an ES module from /assets/web/client/app.js, and the modules it imports by their relative paths
 * under /assets/: only the files listed here are served. Run from the sources (the tests import src/),
 * they are found in dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The client and every module it imports, as paths under dist/ (and under /assets/). */
export const CLIENT_MODULES = ['web/client/app.js', 'web/client/gameday-progress.js', 'report/chart.js', 'util/duration.js'] as const;

export const CLIENT_ENTRY = `/assets/${CLIENT_MODULES[0]}`;

/** dist/ when this file runs from dist/web/, else the build output beside the sources. */
const DIST_ROOTS = [new URL('../', import.meta.url), new URL('../../dist/', import.meta.url)];

const cache = new Map<string, string>();

/** The compiled module at `path` (one of CLIENT_MODULES), or undefined for any other path. */
export function clientModule(path: string): string | undefined {
  if (!(CLIENT_MODULES as readonly string[]).includes(path)) return undefined;
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  const file = DIST_ROOTS.map((root) => fileURLToPath(new URL(path, root))).find((f) => existsSync(f));
  if (!file) throw new Error(`the dashboard module dist/${path} is missing: build with npx tsc -p tsconfig.json`);
  // source maps are not served: drop the comment that would make browsers ask for them
  const text = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  cache.set(path, text);
  return text;
}
