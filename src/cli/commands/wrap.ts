/** `faultline wrap -- COMMAND...`: runs a command under faultline's preload library, for time.skew and the io.* faults. */
import type { Command } from '@commander-js/extra-typings';

export function registerWrap(program: Command): void {
  program
    .command('wrap')
    .description(
      "run COMMAND under faultline's preload library, so that time.skew can move its clock and io.* faults reach its files (Linux)",
    )
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .allowUnknownOption()
    .action(async (command) => {
      const { runWrapped } = await import('../../faults/wrap/run-wrapped.js');
      process.exitCode = await runWrapped(command);
    });
}
