/** `faultline schema`: the JSON Schema of the experiment format, for editors. */
import type { Command } from '@commander-js/extra-typings';
import { specLoader } from '../lazy.js';
import { say } from '../output.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of experiment and project files (use with # yaml-language-server: $schema=FILE)')
    .action(async () => {
      await specLoader(); // every document kind registered, for the schema to hold them
      const { formatJsonSchema } = await import('../../spec/json-schema.js');
      say(JSON.stringify(formatJsonSchema(), null, 2));
    });
}
