/** The path of a script of faultline's own to start as a process, in dist/ (also when the caller runs from src/ in tests). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors.js';

/** `relative` (a `.js` path) resolved against the calling module's `import.meta.url`, in its built form. */
export function builtScript(moduleUrl: string, relative: string): string {
  const beside = fileURLToPath(new URL(relative, moduleUrl));
  if (existsSync(beside)) return beside;
  // a module running from src/ (Vitest): the same path under dist/
  const built = beside.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$2');
  if (existsSync(built)) return built;
  throw new UserError(`${beside} is missing; build faultline first (npm run build)`);
}
