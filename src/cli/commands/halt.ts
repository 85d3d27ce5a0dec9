/** `faultline halt --reason TEXT` and `faultline unhalt`: the host-wide stop switch. */
import type { Command } from '@commander-js/extra-typings';
import { UserError } from '../../util/errors.js';
import { sleep } from '../../util/sleep.js';
import { say } from '../output.js';

export function registerHalt(program: Command): void {
  program
    .command('halt')
    .description('make every run on this host revert its faults and end aborted within a second; refuse new runs until unhalt')
    .requiredOption('--reason <text>', 'why: recorded with who and when, shown in reports and by faultline runs')
    .option('--no-wait', 'return at once instead of waiting for the running runs to end')
    .action(async (options) => {
      if (!options.reason.trim()) throw new UserError('--reason must say why the halt is needed');
      const { activeRuns } = await import('../../safety/active-runs.js');
      const { openControlDb } = await import('../../safety/control-db.js');
      const { describeHalt, halt } = await import('../../safety/halt.js');
      const db = openControlDb();
      try {
        const record = halt(db, options.reason.trim());
        const running = activeRuns(db);
        say(`${describeHalt(record)}`);
        if (!running.length) {
          say('no run is active; new runs are refused until `faultline unhalt`');
          return;
        }
        say(`${running.length} run(s) reverting: ${running.map((r) => `${r.experiment} (run ${r.runId}, pid ${r.pid})`).join(', ')}`);
        if (!options.wait) return;
        // bounded: a run reverts within a second of the halt, rollbacks and reports may take longer
        const deadline = Date.now() + 60_000;
        while (activeRuns(db).length && Date.now() < deadline) await sleep(100);
        const left = activeRuns(db);
        say(left.length ? `still ending after 60s: ${left.map((r) => r.runId).join(', ')}` : 'every run has ended');
      } finally {
        db.close();
      }
    });

  program
    .command('unhalt')
    .description('lift the halt switch so that runs may start again')
    .action(async () => {
      const { openControlDb } = await import('../../safety/control-db.js');
      const { activeHalt, describeHalt, unhalt } = await import('../../safety/halt.js');
      const db = openControlDb();
      try {
        const current = activeHalt(db);
        const lifted = unhalt(db);
        say(lifted ? `halt lifted (was ${current ? describeHalt(current) : 'active'})` : 'faultline was not halted; nothing to do');
      } finally {
        db.close();
      }
    });
}
