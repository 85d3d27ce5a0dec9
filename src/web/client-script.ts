/**
 * The dashboard's script is TypeScript (client/app.ts), compiled by the build to dist/web/client/app.js.
 * The daemon serves that file; run from the sources (the tests import src/), it is found in dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CANDIDATES = [new URL('./client/app.js', import.meta.url), new URL('../../dist/web/client/app.js', import.meta.url)];

let script: string | undefined;

export function clientScript(): string {
  if (script !== undefined) return script;
  const file = CANDIDATES.map((url) => fileURLToPath(url)).find((path) => existsSync(path));
  if (!file) throw new Error('the dashboard script dist/web/client/app.js is missing: build with npx tsc -p tsconfig.json');
  // the source map is not served: drop the comment that would make browsers ask for it
  script = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return script;
}
