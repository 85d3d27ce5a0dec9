/**
 * The faultline command line: parse, call the library, print. A user error prints one line and exits
 * with its code (3 for bad input); only an internal bug prints more, and only with FAULTLINE_DEBUG=1.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { EXIT, errorMessage, UserError } from '../util/errors.js';
import { commandsFor } from './commands/index.js';
import { tolerateClosedPipes, warn } from './output.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The program with the commands `argv` can reach (see commands/index.ts). */
async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('faultline')
    .description('chaos engineering: hypothesis, guards, injection, probes, automatic stop, guaranteed rollback, verdict')
    .version(version)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // commander's own errors become one line ending with the fix, and exit 3 (see below)
      outputError: (text, write) =>
        write(
          `faultline: ${text
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}; see \`faultline --help\`\n`,
        ),
    });
  for (const register of await commandsFor(argv[2])) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0
      process.exitCode = error.exitCode === 0 ? 0 : EXIT.error;
      return;
    }
    if (error instanceof UserError) {
      warn(
        error.message
          .split('\n')
          .map((line) => (line.startsWith('/') || /^\S+:\d+:\d+:/.test(line) ? line : `faultline: ${line}`))
          .join('\n'),
      );
      process.exitCode = error.exitCode;
      return;
    }
    warn(`faultline: internal error: ${errorMessage(error)}; please report it (set FAULTLINE_DEBUG=1 for details)`);
    if (process.env.FAULTLINE_DEBUG) warn(String((error as Error)?.stack));
    process.exitCode = EXIT.error;
  }
}

tolerateClosedPipes();
await main(process.argv);
