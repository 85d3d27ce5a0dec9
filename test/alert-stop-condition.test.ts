/** An alert received while faults are active trips `stopWhen: [{ alert }]` and is measured as time to detect. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertHub, Journal, parseExperiments, RunStore, runExperiment } from '../src/index.js';
import { openControlDb } from '../src/safety/control-db.js';
import { tempDir } from './support/cli.js';
import { killStarted, processState, startSleeper, waitFor } from './support/processes.js';

afterEach(() => killStarted());

describe('stop condition on an alert', () => {
  it('reverts at once when the named alert fires, ignores others, and reports the alert', async () => {
    const worker = startSleeper('alerted');
    const pid = worker.pid as number;
    const [experiment] = parseExperiments(
      `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: paged }
spec:
  hypothesis: Pausing the worker does not page anyone.
  targets: [ { name: worker, process: { pid: ${pid} } } ]
  method:
    - { fault: process.pause, selector: { names: [ worker ] }, duration: 60s }
  guards:
    stopWhen: [ { alert: WorkerStuck } ]
`,
      'paged.yaml',
      { project: null },
    );
    const dir = tempDir();
    const hub = new AlertHub();
    const running = runExperiment(experiment!, {
      alerts: hub,
      journal: new Journal(join(dir, 'journal.db')),
      store: new RunStore(join(dir, 'runs.db')),
      control: openControlDb(join(dir, 'control.db')),
    });
    await waitFor(() => processState(pid) === 'T', 10_000, 'the pause');
    hub.publish({ name: 'SomethingElse', status: 'firing', labels: {}, receivedAt: Date.now() });
    await new Promise((r) => setTimeout(r, 300));
    expect(processState(pid)).toBe('T');
    const firedAt = Date.now();
    hub.publish({ name: 'WorkerStuck', status: 'firing', labels: { severity: 'page' }, receivedAt: firedAt });
    const { report, exitCode } = await running;
    expect(exitCode).toBe(2);
    expect(report.reason).toMatch(/stop condition tripped: alert WorkerStuck fires \(alert WorkerStuck received \(severity=page\)\)/);
    expect(Date.parse(report.faults[0]?.revertedAt as string) - firedAt).toBeLessThan(200);
    expect(processState(pid)).not.toBe('T');
    expect(report.alerts?.map((a) => a.name)).toEqual(['SomethingElse', 'WorkerStuck']);
    const injectedAt = Date.parse(report.faults[0]?.injectedAt as string);
    expect(report.measurements.mttdAlertMs).toBeGreaterThanOrEqual(0);
    expect(report.measurements.mttdAlertMs).toBeLessThan(firedAt - injectedAt - 250); // the first alert counts, whatever its name
  });
});
