/** Writes experiment files for tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';

/** Writes `body` (the part under `spec:`, indented by 2) as a complete experiment file. */
export function writeExperiment(name: string, spec: string, dir = tempDir()): string {
  const file = join(dir, `${name}.yaml`);
  const indented = spec
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  writeFileSync(file, `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: ${name} }\nspec:\n${indented}\n`);
  return file;
}
