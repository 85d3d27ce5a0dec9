/**
 * Every CLI command: its top-level name(s) and the file that declares it. A new command is one file in
 * this folder, added to this list. A command's file loads only when its command is asked for (or all of
 * them, for `--help` and for suggestions after a mistyped name), so `faultline proxy` does not load the
 * declarations of `run` or `serve`.
 */
import type { Command } from '@commander-js/extra-typings';

type Register = (program: Command) => void;

interface CommandFile {
  names: readonly string[];
  load: () => Promise<Register>;
}

/** In the order `faultline --help` lists them. */
const COMMAND_FILES: readonly CommandFile[] = [
  { names: ['run'], load: async () => (await import('./run.js')).registerRun },
  { names: ['validate'], load: async () => (await import('./validate.js')).registerValidate },
  { names: ['recover'], load: async () => (await import('./recover.js')).registerRecover },
  { names: ['halt', 'unhalt'], load: async () => (await import('./halt.js')).registerHalt },
  { names: ['runs'], load: async () => (await import('./runs.js')).registerRuns },
  { names: ['scorecard'], load: async () => (await import('./scorecard.js')).registerScorecard },
  { names: ['report'], load: async () => (await import('./report.js')).registerReport },
  { names: ['schema'], load: async () => (await import('./schema.js')).registerSchema },
  { names: ['demo'], load: async () => (await import('./demo.js')).registerDemo },
  { names: ['wrap'], load: async () => (await import('./wrap.js')).registerWrap },
  { names: ['proxy'], load: async () => (await import('./proxy.js')).registerProxy },
  { names: ['serve'], load: async () => (await import('./serve.js')).registerServe },
  { names: ['token', 'user'], load: async () => (await import('./token.js')).registerToken },
  { names: ['import'], load: async () => (await import('./import.js')).registerImport },
  { names: ['export'], load: async () => (await import('./export.js')).registerExport },
  { names: ['programme'], load: async () => (await import('./programme.js')).registerProgramme },
  { names: ['gameday'], load: async () => (await import('./gameday.js')).registerGameDay },
  { names: ['approve'], load: async () => (await import('./approve.js')).registerApprove },
];

/** The declarations `name` needs: its own file's, or every file's when it names no command. */
export async function commandsFor(name: string | undefined): Promise<Register[]> {
  const own = COMMAND_FILES.find((file) => name !== undefined && file.names.includes(name));
  return Promise.all((own ? [own] : COMMAND_FILES).map((file) => file.load()));
}
