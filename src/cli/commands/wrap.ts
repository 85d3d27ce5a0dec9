/** `faultline wrap -- COMMAND...`: runs a command under libfaketime so that time.skew can move its clock. */
import type { Command } from '@commander-js/extra-typings';
import { runWrapped } from '../../faults/time/wrap.js';

export function registerWrap(program: Command): void {
  program
    .command('wrap')
    .description('run COMMAND under libfaketime with a clock control file, so that time.skew can move its clock (Linux)')
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .allowUnknownOption()
    .action(async (command) => {
      process.exitCode = await runWrapped(command);
    });
}
