/** `faultline schema`: the JSON Schema of the experiment format, for editors. */
import type { Command } from '@commander-js/extra-typings';
import { formatJsonSchema } from '../../spec/json-schema.js';
import { say } from '../output.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of experiment and project files (use with # yaml-language-server: $schema=FILE)')
    .action(() => say(JSON.stringify(formatJsonSchema(), null, 2)));
}
