/** Where faultline keeps its state: `$FAULTLINE_HOME`, default `~/.faultline`. */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from './errors.js';

export function faultlineHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.FAULTLINE_HOME || join(homedir(), '.faultline');
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UserError(`cannot create the state folder ${home}: ${(error as Error).message}; set FAULTLINE_HOME to a writable folder`);
  }
  return home;
}
