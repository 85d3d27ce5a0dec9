/**
 * Progressive chaos against real processes: four workers, a probe that fails once three of them are
 * paused, and stages that pause one, two, three, then all of them. Escalation stops at the first stage
 * whose steady state breaks, the report says how far the system held, and every worker is resumed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { killStarted, processState, startSleeper } from './support/processes.js';

afterEach(() => killStarted());

/** Four workers, and a probe that passes while fewer than three of them are stopped. */
function workers() {
  const pids = [1, 2, 3, 4].map((i) => startSleeper(`progressive-${i}`).pid as number);
  const check = `n=0; for p in ${pids.join(' ')}; do grep -q '^State:.*stopped' /proc/$p/status && n=$((n+1)); done; [ $n -lt 3 ]`;
  const targets = pids.map((pid, i) => `  - { name: w${i + 1}, labels: { tier: worker }, process: { pid: ${pid} } }`).join('\n');
  return { pids, check, targets };
}

function experiment(name: string, w: ReturnType<typeof workers>, stages: string, extra = '', availability = 0.99, head = '') {
  return writeExperiment(
    name,
    `${head}
hypothesis: The pool serves while at most two of its four workers are down.
targets:
${w.targets}
probes:
  - name: pool
    type: cmd
    cmd: { command: [ sh, -c, "${w.check}" ] }
    interval: 100ms
steadyState:
  probes: [ pool ]
  tolerance: { availability: { gte: ${availability} } }
  requireRecovery: false
method:
  - name: ramp
    progressive:
      fault: process.pause
      selector: { labels: { tier: worker } }
      pause: 200ms
${extra}      stages:
${stages}
`,
  );
}

const STAGES = `        - { name: one, mode: fixed, value: 1, duration: 700ms }
        - { name: two, mode: fixed, value: 2, duration: 700ms }
        - { name: three, mode: fixed, value: 3, duration: 700ms }
        - { name: all, mode: all, duration: 700ms }`;

async function run(file: string, extra: string[] = []) {
  const reports = tempDir('faultline-reports-');
  const result = await runCli(['run', file, '--report-dir', reports, '--seed', '11', ...extra], { home: tempHome() });
  const json = readdirSync(reports).find((f) => f.endsWith('.json'));
  const md = readdirSync(reports).find((f) => f.endsWith('.md'));
  return {
    ...result,
    report: json ? (JSON.parse(readFileSync(join(reports, json), 'utf8')) as RunReport) : undefined,
    markdown: md ? readFileSync(join(reports, md), 'utf8') : '',
  };
}

describe('a progressive step', () => {
  it('escalates until the steady state breaks, stops there, and reports how far the system held', async () => {
    const w = workers();
    const { code, report, markdown, stdout } = await run(experiment('pool-ramp', w, STAGES));
    expect(code, stdout).toBe(1);
    expect(report?.verdict).toBe('failed');
    expect(report?.reason).toMatch(
      /progressive chaos: ramp: the steady state broke at stage 3 of 4 \(three: availability .*, expected >= 0.99\); it held up to stage 2 of 4 \(two\)/,
    );
    const [ramp] = report?.progressive ?? [];
    expect(ramp).toMatchObject({
      step: 'ramp',
      path: 'spec.method[0]',
      fault: 'process.pause',
      heldUpTo: 'two',
      heldUpToIndex: 2,
      stoppedAt: 'three',
    });
    expect(ramp?.stages.map((s) => [s.name, s.mode, s.outcome, s.targets.length])).toEqual([
      ['one', 'fixed', 'held', 1],
      ['two', 'fixed', 'held', 2],
      ['three', 'fixed', 'broke', 3],
      ['all', 'all', 'not-run', 0],
    ]);
    for (const stage of ramp?.stages.slice(0, 3) ?? []) expect(stage.samples).toBeGreaterThanOrEqual(3);
    expect(ramp?.stages[2]?.tolerances[0]).toMatchObject({ name: 'availability', ok: false });
    // the escalation stopped: the fourth stage never paused anything
    expect(report?.faults.filter((f) => f.step === 'all')).toEqual([]);
    expect(report?.faults.every((f) => f.revertedAt !== null)).toBe(true);
    for (const pid of w.pids) expect(processState(pid)).not.toBe('T');
    expect(report?.timeline.map((e) => e.event)).toEqual(expect.arrayContaining(['stage', 'stage-held', 'stage-broke']));
    expect(markdown).toMatch(/## Progressive chaos/);
    expect(markdown).toMatch(/The system held up to stage 2 of 4 \(two\)\. Escalation stopped at three\./);
    expect(markdown).toMatch(/\| 3\. three \| fixed 3 \| \{\} \| 700ms \| .* \| ❌ broke \|/);
  });

  it('passes when every stage holds, and ends on an optional stage that breaks without failing the run', async () => {
    const w = workers();
    const holds = await run(experiment('pool-holds', w, STAGES.split('\n').slice(0, 2).join('\n')));
    expect(holds.code, holds.stdout).toBe(0);
    expect(holds.report?.progressive?.[0]).toMatchObject({ heldUpTo: 'two', heldUpToIndex: 2, stoppedAt: null });

    const optional = STAGES.replace(
      '{ name: three, mode: fixed, value: 3, duration: 700ms }',
      '{ name: three, mode: fixed, value: 3, duration: 700ms, required: false }',
    );
    // the steady state tolerance still judges the whole chaos window; stages beyond the SLO are for exploring
    const explored = await run(experiment('pool-explore', w, optional, '      threshold: { availability: { gte: 0.99 } }\n', 0.5));
    expect(explored.report?.progressive?.[0]).toMatchObject({ heldUpTo: 'two', stoppedAt: 'three' });
    expect(explored.report?.progressive?.[0]?.stages[2]).toMatchObject({ outcome: 'broke', required: false });
    expect(explored.report?.verdict, explored.report?.reason).toBe('passed');
  });

  it('plans every stage in a dry run, so the blast radius judges the heaviest one before any harm', async () => {
    const w = workers();
    const file = experiment('pool-dry', w, STAGES);
    const dry = await runCli(['run', file, '--dry-run'], { home: tempHome() });
    expect(dry.code).toBe(0);
    for (const [i, n] of [1, 2, 3, 4].entries())
      expect(dry.stdout).toMatch(new RegExp(`spec.method\\[0\\].progressive.stages\\[${i}\\] .*${n} of 4 candidate`));
    const limited = experiment('pool-limited', w, STAGES, '', 0.99, 'blastRadius: { maxTargets: 2 }');
    const refused = await run(limited);
    expect(refused.code).toBe(2);
    expect(refused.report?.reason).toMatch(/over spec.blastRadius maxTargets 2/);
    for (const pid of w.pids) expect(processState(pid)).not.toBe('T');
  });

  it('refuses bad stages at their line, and a progressive step without steady-state probes', async () => {
    const w = workers();
    const bad = experiment('pool-bad', w, `        - { name: one, mode: fixed, duration: 1s }\n        - { name: two, mode: all }`);
    const result = await runCli(['validate', bad], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/:\d+:\d+: spec.method\[0\].progressive.stages\[0\].value: mode fixed needs a value above 0/);
    expect(result.stderr).toMatch(/:\d+:\d+: spec.method\[0\].progressive.stages\[1\]: a stage needs a duration/);
    const blind = writeExperiment(
      'pool-blind',
      `hypothesis: h\ntargets:\n${w.targets}\nmethod:\n  - progressive: { fault: process.pause, selector: { names: [ w1 ] }, stages: [ { duration: 1s } ] }`,
    );
    const noProbes = await runCli(['validate', blind], { home: tempHome() });
    expect(noProbes.stderr).toMatch(/spec.method\[0\].progressive: a progressive step judges each stage on the steady state/);
  });
});
