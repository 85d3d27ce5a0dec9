/** The library API as a user imports it: `import { loadExperiment, runExperiment } from 'faultline'`. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { killStarted, processState, startSleeper } from './support/processes.js';

afterEach(() => killStarted());

const run = promisify(execFile);

describe("import from 'faultline'", () => {
  it('loads and runs an experiment through the public API, with typed results', async () => {
    const worker = startSleeper('api');
    const file = writeExperiment(
      'api-run',
      `hypothesis: n/a\ntargets: [ { name: w, process: { pid: ${worker.pid} } } ]\nmethod:\n  - { fault: process.pause, selector: { names: [ w ] }, duration: 300ms }`,
    );
    const script = `
      import { loadExperiment, runExperiment, faultNames, EXIT } from 'faultline';
      const experiment = loadExperiment(${JSON.stringify(file)});
      const events = [];
      const { report, exitCode } = await runExperiment(experiment, { seed: 7, onEvent: (e) => events.push(e.type) });
      console.log(JSON.stringify({ name: experiment.name, verdict: report.verdict, exitCode, seed: report.seed,
        faults: report.faults.length, sawTimeline: events.includes('timeline'), known: faultNames(), passed: EXIT.passed }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, FAULTLINE_HOME: tempHome() },
    });
    expect(JSON.parse(stdout)).toEqual({
      name: 'api-run',
      verdict: 'passed',
      exitCode: 0,
      seed: 7,
      faults: 1,
      sawTimeline: true,
      known: expect.arrayContaining(['custom.action', 'process.kill', 'process.pause', 'network.latency', 'stress.cpu']),
      passed: 0,
    });
    expect(processState(worker.pid as number)).not.toBe('T');
  });

  it('reports invalid input as a UserError with located messages', async () => {
    const script = `
      import { parseExperiments, UserError } from 'faultline';
      try { parseExperiments('apiVersion: faultline.dev/v1\\nkind: Experiment\\nmetadata: { name: x }\\nspec: { hypothesis: h, method: [ { pause: soon } ] }\\n', 'inline.yaml'); }
      catch (e) { console.log(JSON.stringify({ user: e instanceof UserError, messages: e.messages })); }
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual({
      user: true,
      messages: ['inline.yaml:4:43: spec.method[0].pause: expected a duration like 30s, got "soon"'],
    });
  });
});
