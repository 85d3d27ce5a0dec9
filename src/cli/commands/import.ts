/**
 * `faultline import FILE`: Chaos Mesh objects (every chaos kind, Schedule, Workflow) and Litmus
 * ChaosEngines as faultline documents, printed (or written with --output); what does not map is listed
 * as comments in the output and on stderr. The result is validated like any experiment file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type Command, Option } from '@commander-js/extra-typings';
import { EXIT, UserError } from '../../util/errors.js';
import { inputName, readStdin, STDIN } from '../../util/input-file.js';
import { specLoader } from '../lazy.js';
import { color, say, warn } from '../output.js';

/** A file's text, or standard input's for `-`. */
export function readInput(file: string): string {
  if (file === STDIN) return readStdin();
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no such file; check the path`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a directory; give a YAML file`);
    throw new UserError(`${file}: cannot read: ${(error as Error).message}`);
  }
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'convert Chaos Mesh objects (NetworkChaos, PodChaos, ..., Schedule, Workflow) and Litmus ChaosEngines and ChaosSchedules into faultline experiments and schedules',
    )
    .argument('<file>', 'YAML file with one or more documents (a kind: List stands for its items); - reads standard input')
    .option('-o, --output <file>', 'write the experiments to this file instead of stdout')
    .addOption(
      new Option(
        '--backend <backend>',
        'kubernetes: run them through the same engine; local: select local targets by the same labels (map them in faultline.yaml)',
      )
        .choices(['kubernetes', 'local'] as const)
        .default('kubernetes' as const),
    )
    .action(async (file, options) => {
      const { parseDocuments } = await specLoader();
      const { importDocuments, renderImport } = await import('../../spec/convert/import.js');
      const result = importDocuments(readInput(file), { backend: options.backend });
      for (const skipped of result.skipped) warn(`${color.yellow('not imported')} ${skipped}`);
      if (!result.imported.length) {
        const why = result.skipped.length ? result.skipped.join('; ') : 'it holds no document';
        throw new UserError(
          `${inputName(file)}: nothing to import: ${why}; give Chaos Mesh objects, Litmus ChaosEngines or ChaosSchedules, or Litmus workflows`,
        );
      }
      const text = renderImport(result);
      for (const i of result.imported) {
        warn(`${color.green('imported')} ${i.source}${i.notes.length ? `; not mapped: ${i.notes.join('; ')}` : ''}`);
      }
      // what import writes must be a valid faultline file
      try {
        parseDocuments(text, options.output ?? '<import>', { project: null });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        warn(`the imported documents do not validate:\n${error.message}`);
        process.exitCode = EXIT.error;
      }
      if (options.output) {
        writeFileSync(options.output, text);
        say(`wrote ${result.imported.length} document(s) to ${options.output}`);
      } else {
        process.stdout.write(text);
      }
    });
}
