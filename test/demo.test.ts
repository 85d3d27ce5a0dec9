/** `faultline demo`: the README's first command. It must print its table, write reports and leave nothing running. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listProcesses } from '../src/util/processes.js';
import { runCli, tempDir, tempHome } from './support/cli.js';

describe('faultline demo', () => {
  it('runs every demo experiment, gets the expected verdicts, and stops what it started', async () => {
    const cwd = tempDir('faultline-demo-cwd-');
    const result = await runCli(['demo'], { home: tempHome(), cwd });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const table = result.stdout.slice(result.stdout.lastIndexOf('experiment '));
    for (const name of [
      'checkout-survives-both-providers-down',
      'gateway-routes-around-paused-provider',
      'checkout-survives-provider-outage',
      'tenants-stay-isolated-during-provider-outage',
    ]) {
      expect(table).toMatch(new RegExp(`${name}\\s+(PASSED|FAILED)\\s+yes`));
    }
    expect(table).toMatch(/checkout-survives-both-providers-down\s+FAILED\s+yes/);
    const reports = readdirSync(join(cwd, 'faultline-reports'));
    expect(reports.filter((f) => f.endsWith('.json'))).toHaveLength(4);
    expect(reports.filter((f) => f.endsWith('.md'))).toHaveLength(4);
    expect(listProcesses().filter((p) => p.command.includes('examples/demo/'))).toEqual([]);
  });
});
