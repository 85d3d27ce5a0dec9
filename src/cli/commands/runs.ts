/** `faultline runs`: the latest runs, newest first. */
import { type Command, Option } from '@commander-js/extra-typings';
import type { Verdict } from '../../report/types.js';
import { formatDuration } from '../../util/duration.js';
import { UserError } from '../../util/errors.js';
import { say, table, verdictText } from '../output.js';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the latest runs')
    .addOption(
      new Option('--limit <n>', 'how many runs').default(20).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new UserError(`--limit ${v}: expected a whole number above 0`);
        return n;
      }),
    )
    .option('--json', 'print JSON')
    .action(async (options) => {
      const { activeRuns } = await import('../../safety/active-runs.js');
      const { openControlDb } = await import('../../safety/control-db.js');
      const { activeHalt, describeHalt } = await import('../../safety/halt.js');
      const { RunStore } = await import('../../store/store.js');
      const store = new RunStore();
      const control = openControlDb();
      try {
        const halted = activeHalt(control);
        const running = activeRuns(control);
        const runs = store.listRuns(options.limit);
        if (options.json) return say(JSON.stringify({ halt: halted ?? null, active: running, runs }, null, 2));
        if (halted) say(`HALTED: ${describeHalt(halted)} (faultline unhalt lifts it)`);
        const isRunning = new Set(running.map((r) => r.runId));
        if (!runs.length) return say('no run yet: start one with `faultline run FILE`');
        say(
          table(
            ['run', 'experiment', 'verdict', 'started', 'took', 'reason'],
            runs.map((r) => [
              r.id,
              r.experiment,
              r.verdict ? verdictText(r.verdict as Verdict) : isRunning.has(r.id) ? 'running' : 'died (run faultline recover)',
              r.startedAt.replace('T', ' ').slice(0, 19),
              r.endedAt ? formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '-',
              (r.reason ?? '').slice(0, 80),
            ]),
          ),
        );
      } finally {
        store.close();
        control.close();
      }
    });
}
