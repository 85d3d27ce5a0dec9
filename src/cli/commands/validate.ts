/** `faultline validate FILE...`: checks files without running anything; every error with file:line:column. */
import type { Command } from '@commander-js/extra-typings';
import { EXIT, UserError } from '../../util/errors.js';
import { inputName } from '../../util/input-file.js';
import { specLoader } from '../lazy.js';
import { color, say, warn } from '../output.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check experiment files: exit 0 when all are valid, 3 otherwise')
    .argument('<files...>', 'experiment files; - reads standard input')
    .option(
      '--project <file>',
      'project file with shared targets, probes and policy (default: faultline.yaml beside the experiment file, else in the working directory)',
    )
    .action(async (files, options) => {
      const { loadDocuments } = await specLoader();
      let invalid = 0;
      for (const file of files) {
        try {
          const { experiments, schedules, others } = loadDocuments(file, { project: options.project });
          const names = [
            ...experiments.map((e) => e.name),
            ...schedules.map((s) => `schedule ${s.name}`),
            ...others.map((o) => `${o.kind.toLowerCase()} ${(o.value as { metadata: { name: string } }).metadata.name}`),
          ];
          const what = names.length ? names.join(', ') : 'project file (no experiment)';
          say(`${color.green('valid')} ${inputName(file)}: ${what}`);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          invalid++;
          warn(error.message);
        }
      }
      if (invalid) {
        warn(`${invalid} of ${files.length} file(s) invalid`);
        process.exitCode = EXIT.error;
      }
    });
}
