/** Every CLI command. A new command is one file in this folder, added to this list. */
import type { Command } from '@commander-js/extra-typings';
import { registerApprove } from './approve.js';
import { registerDemo } from './demo.js';
import { registerExport } from './export.js';
import { registerGameDay } from './gameday.js';
import { registerHalt } from './halt.js';
import { registerImport } from './import.js';
import { registerProgramme } from './programme.js';
import { registerProxy } from './proxy.js';
import { registerRecover } from './recover.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerRuns } from './runs.js';
import { registerSchema } from './schema.js';
import { registerScorecard } from './scorecard.js';
import { registerServe } from './serve.js';
import { registerToken } from './token.js';
import { registerValidate } from './validate.js';
import { registerWrap } from './wrap.js';

export const COMMANDS: ((program: Command) => void)[] = [
  registerRun,
  registerValidate,
  registerRecover,
  registerHalt,
  registerRuns,
  registerScorecard,
  registerReport,
  registerSchema,
  registerDemo,
  registerWrap,
  registerProxy,
  registerServe,
  registerToken,
  registerImport,
  registerExport,
  registerProgramme,
  registerGameDay,
  registerApprove,
];
