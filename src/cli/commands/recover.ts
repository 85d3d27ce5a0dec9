/** `faultline recover`: reverts every fault the journal shows as still applied by a run that is gone. */
import type { Command } from '@commander-js/extra-typings';
import { EXIT } from '../../util/errors.js';
import { color, say, warn } from '../output.js';

export function registerRecover(program: Command): void {
  program
    .command('recover')
    .description('revert every fault left applied by a run that died (crash, SIGKILL, power loss)')
    .option('--include-live', 'also revert the faults of runs that are still running')
    .action(async (options) => {
      const { Journal } = await import('../../journal/journal.js');
      const { recoverJournal } = await import('../../journal/recover.js');
      const journal = new Journal();
      try {
        const outcomes = await recoverJournal(journal, { includeLiveRuns: options.includeLive });
        if (outcomes.length === 0) say('nothing to recover: the journal holds no fault in effect');
        for (const o of outcomes) {
          const mark =
            o.action === 'reverted' ? color.green('reverted') : o.action === 'failed' ? color.red('FAILED') : color.yellow('skipped');
          say(`${mark} #${o.entry.id} ${o.entry.fault} on ${o.entry.target} (run ${o.entry.runId}): ${o.detail}`);
        }
        if (outcomes.some((o) => o.action === 'failed')) {
          warn('some faults could not be reverted; see docs/safety.md to revert them by hand');
          process.exitCode = EXIT.error;
        }
      } finally {
        journal.close();
      }
    });
}
