/** The fault contract (test/support/fault-contract.ts) for every fault whose target is a target's `files`. */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import { faultContract } from './support/fault-contract.js';

let count = 0;

describe('the fault contract on files', () => {
  faultContract({
    need: 'files',
    async target(scratch) {
      const file = join(scratch, `data-${++count}.bin`);
      writeFileSync(file, randomBytes(4096));
      return {
        spec: { name: `data${count}`, files: [file] },
        // what a user checks: the bytes of the file
        snapshot: () => createHash('sha256').update(readFileSync(file)).digest('hex'),
      };
    },
  });
});
