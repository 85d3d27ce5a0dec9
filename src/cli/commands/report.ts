/** `faultline report RUN_ID --format json|md|junit|html`: renders a stored run (with its samples, for the HTML charts). */
import { writeFileSync } from 'node:fs';
import { type Command, Option } from '@commander-js/extra-typings';
import { UserError } from '../../util/errors.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('render the report of a stored run')
    .argument('<run-id>', 'a run id (or an unambiguous prefix), as `faultline runs` lists them')
    .addOption(new Option('--format <format>', 'md, json, junit or html (or a format registered by a plug-in)').default('md'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (runId, options) => {
      const { getReportFormat } = await import('../../report/index.js');
      const { RunStore } = await import('../../store/store.js');
      const format = getReportFormat(options.format);
      const store = new RunStore();
      try {
        const report = store.findReport(runId);
        if (report === 'ambiguous') throw new UserError(`run id ${runId} matches several runs; give more of it (see \`faultline runs\`)`);
        if (!report) throw new UserError(`no finished run ${runId}; list runs with \`faultline runs\``);
        const text = format.render(report, { samples: store.samplesOf(report.runId) });
        if (options.output) writeFileSync(options.output, text);
        else process.stdout.write(text);
      } finally {
        store.close();
      }
    });
}
