/**
 * The fault contract reaches every registered fault: each one falls in the target kind of one of the
 * test/fault-contract-<kind>.test.ts files (with its registered example as params), so a new fault cannot
 * drop out of the contract unnoticed (a fault with required params and no `example`, or a new kind of target).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allFaults } from '../src/faults/index.js';
import type { TargetNeed } from '../src/faults/types.js';
import { ROOT } from './support/cli.js';
import { faultsFor } from './support/fault-contract.js';

/** The kind each contract file covers, by its name (the kernel file covers the network mechanisms). */
const KIND_OF_FILE: Record<string, TargetNeed> = {
  endpoint: 'endpoint',
  files: 'files',
  host: 'host',
  kernel: 'network',
  process: 'process',
};

describe('the fault contract', () => {
  it('has a test file for each target kind, and every registered fault falls in one of them', () => {
    const files = readdirSync(`${ROOT}/test`)
      .map((name) => /^fault-contract-(\w+)\.test\.ts$/.exec(name)?.[1])
      .filter((kind): kind is string => kind !== undefined && kind !== 'coverage');
    expect(files.sort()).toEqual(Object.keys(KIND_OF_FILE).sort());
    const covered = new Set(Object.values(KIND_OF_FILE).flatMap((need) => faultsFor(need).map((fault) => fault.name)));
    const missed = allFaults()
      .map((fault) => fault.name)
      .filter((name) => !covered.has(name));
    expect(missed, 'faults no contract file reaches: give each an `example` of its params, or a contract file for its kind').toEqual([]);
  });
});
