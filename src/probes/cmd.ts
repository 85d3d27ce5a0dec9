/** cmd probe: runs an argv command (no shell); the timeout kills it. Expectations on exit code and output. */

import { numberComparatorSchema, stringComparatorSchema } from '../spec/comparators.js';
import { argv, duration, strict } from '../spec/fields.js';
import { runCommand } from '../util/run-command.js';
import { z } from '../util/zod.js';
import { firstNumberMismatch, firstStringMismatch } from './expect.js';
import { registerProbeType } from './registry.js';

const config = strict({
  command: argv,
  timeout: duration.optional(),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
});

const expect = strict({
  exitCode: numberComparatorSchema.optional().describe('default: 0'),
  stdout: stringComparatorSchema.optional(),
  stdoutNumber: numberComparatorSchema.optional().describe('stdout read as a number (a Litmus cmdProbe int or float comparator)'),
  stderr: stringComparatorSchema.optional(),
  latencyMs: numberComparatorSchema.optional(),
});

type Config = z.infer<typeof config>;
type Expect = z.infer<typeof expect>;

registerProbeType<Config, Expect>({
  type: 'cmd',
  summary: 'a command (argv, no shell); expectations on exitCode (default 0), stdout, stderr, latencyMs',
  config,
  expect,
  executes: () => true,
  async check(c, e, { timeoutMs, signal }) {
    const result = await runCommand(c.command, { timeoutMs, cwd: c.cwd, env: c.env, signal });
    const latencyMs = result.durationMs;
    if (result.spawnError) return { ok: false, latencyMs, detail: result.spawnError };
    if (result.timedOut) return { ok: false, latencyMs, detail: `timed out after ${timeoutMs}ms (killed)` };
    const mismatch =
      firstNumberMismatch([
        ['exit code', result.exitCode ?? undefined, e.exitCode ?? { eq: 0 }],
        ['latencyMs', latencyMs, e.latencyMs],
        ['stdout as a number', e.stdoutNumber ? Number(result.stdout.trim() || Number.NaN) : undefined, e.stdoutNumber],
      ]) ??
      firstStringMismatch([
        ['stdout', result.stdout.trim(), e.stdout],
        ['stderr', result.stderr.trim(), e.stderr],
      ]);
    return { ok: mismatch === null, latencyMs, detail: mismatch ?? `exit ${result.exitCode} in ${Math.round(latencyMs)}ms` };
  },
});
