/**
 * `faultline export FILE --to chaos-mesh|litmus`: the experiments and schedules of a file as the
 * engine's manifests (kubectl apply -f), printed or written with --output; what cannot be expressed is
 * listed as comments and on stderr.
 */
import { writeFileSync } from 'node:fs';
import { type Command, Option } from '@commander-js/extra-typings';
import type { Exported } from '../../spec/convert/export.js';
import { UserError } from '../../util/errors.js';
import { inputName } from '../../util/input-file.js';
import { specLoader } from '../lazy.js';
import { say, warn } from '../output.js';
import { readInput } from './import.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("write an experiment file's experiments and schedules as Chaos Mesh or Litmus manifests")
    .argument('<file>', 'experiment file; - reads standard input')
    .addOption(
      new Option('--to <engine>', 'the engine whose manifests to write').choices(['chaos-mesh', 'litmus'] as const).makeOptionMandatory(),
    )
    .option('-o, --output <file>', 'write the manifests to this file instead of stdout')
    .option('-n, --namespace <namespace>', 'namespace of the objects (default spec.kubernetes.namespace, else default)')
    .option('--project <file>', 'project file with shared targets and probes (default: faultline.yaml beside the file)')
    .action(async (file, options) => {
      const { parseDocuments } = await specLoader();
      const { exportExperiment, exportSchedule, renderExport } = await import('../../spec/convert/export.js');
      const parsed = parseDocuments(readInput(file), inputName(file), { project: options.project });
      const exported: Exported[] = [
        ...parsed.experiments.map((e) => exportExperiment(e, { to: options.to, namespace: options.namespace })),
        ...parsed.schedules.map((s) => exportSchedule(s, { to: options.to, namespace: options.namespace })),
      ];
      if (!exported.length) throw new UserError(`${inputName(file)}: holds no Experiment or Schedule to export`);
      for (const e of exported) if (e.notes.length) warn(`${e.source}: not exported: ${e.notes.join('; ')}`);
      const text = renderExport(exported, options.to);
      if (options.output) {
        writeFileSync(options.output, text);
        say(`wrote ${exported.reduce((n, e) => n + e.manifests.length, 0)} manifest(s) to ${options.output}`);
      } else {
        process.stdout.write(text);
      }
    });
}
