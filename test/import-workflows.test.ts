/**
 * Workflows whole and sizes as Kubernetes writes them: nested Serial and Parallel templates with their
 * deadlines import as the steps Chaos Mesh runs (and export back to the same timeline); a template kind
 * faultline lacks is refused, naming the template, with exit 3; memory sizes read as Kubernetes quantities.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { exportSchedule, renderExport } from '../src/spec/convert/export.js';
import { importDocuments, renderImport } from '../src/spec/convert/import.js';
import { parseDocuments } from '../src/spec/load.js';
import { parseSize } from '../src/util/size.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { meaning } from './support/engine-meaning.js';
import { validateAgainstCrd } from './support/fake-kube-apiserver.js';
import { roundTrip } from './support/round-trip.js';

const NESTED = `
apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: nested, namespace: shop }
spec:
  entry: all
  templates:
    - { name: all, templateType: Serial, deadline: 6m, children: [first, together, wait, last] }
    - name: first
      templateType: NetworkChaos
      deadline: 2m
      networkChaos: { selector: { labelSelectors: { app: web } }, mode: all, action: delay, delay: { latency: 100ms }, duration: 1m }
    - { name: together, templateType: Parallel, deadline: 1m, children: [burn, inner] }
    - name: burn
      templateType: StressChaos
      deadline: 5m
      stressChaos: { selector: { labelSelectors: { app: api } }, mode: all, stressors: { cpu: { workers: 1, load: 50 } } }
    - { name: inner, templateType: Parallel, children: [kill] }
    - name: kill
      templateType: PodChaos
      deadline: 10s
      podChaos: { selector: { labelSelectors: { app: cache } }, mode: one, action: pod-kill }
    - { name: wait, templateType: Suspend, deadline: 2m }
    - name: last
      templateType: TimeChaos
      deadline: 5m
      timeChaos: { selector: { labelSelectors: { app: web } }, mode: all, timeOffset: 1h }
`;

describe('nested workflow templates and their deadlines', () => {
  it('import the steps Chaos Mesh runs, with deadlines folded in, and export back to the same timeline', () => {
    const original = parseYaml(NESTED);
    expect(validateAgainstCrd(original)).toEqual([]);
    const result = importDocuments(NESTED);
    const [experiment] = parseDocuments(renderImport(result), null, { project: null }).experiments;
    // first: its chaos lasts 1m of its 2m node; burn is cut to the Parallel's 1m; last gets what is left of the 6m
    expect(
      experiment?.method.map((s) => [s.kind, s.name, s.kind === 'pause' ? s.durationMs : s.kind === 'fault' ? s.durationMs : null]),
    ).toEqual([
      ['fault', 'first', 60_000],
      ['pause', 'first-rest', 60_000],
      ['parallel', 'together', null],
      ['pause', 'wait', 120_000],
      ['fault', 'last', 60_000],
    ]);
    const group = experiment?.method[2];
    expect(group?.kind === 'parallel' && group.steps.map((s) => [s.name, s.durationMs])).toEqual([
      ['burn', 60_000],
      ['kill', 10_000],
    ]);
    const { back, notes } = roundTrip(original);
    expect(notes).toEqual([]);
    expect(validateAgainstCrd(back[0] as never)).toEqual([]);
    expect(meaning(back[0] as never)).toEqual(meaning(original));
  });

  it('a template kind faultline lacks is refused in one line naming it, exit 3', async () => {
    const text = NESTED.replace('children: [first, together, wait, last]', 'children: [first, notify]').concat(
      '    - { name: notify, templateType: Task, task: { container: { name: c, image: curlimages/curl } } }\n',
    );
    const result = importDocuments(text);
    expect(result.skipped).toEqual([
      expect.stringMatching(/^Workflow shop\/nested: template notify: templateType Task has no faultline equivalent/),
    ]);
    const cli = await runCli(['import', '-'], { home: tempHome(), input: text });
    expect(cli.code).toBe(3);
    expect(cli.stderr).toMatch(/template notify: templateType Task/);
    expect(cli.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('sizes are Kubernetes quantities', () => {
  it('binary and decimal suffixes, exponents, and Chaos Mesh reading MB as MiB', () => {
    expect(parseSize('512Mi')).toBe(512 * 2 ** 20);
    expect(parseSize('1Gi')).toBe(2 ** 30);
    expect(parseSize('500M')).toBe(500e6);
    expect(parseSize('1e9')).toBe(1e9);
    expect(parseSize('2Pi')).toBe(2 * 2 ** 50);
    expect(parseSize('256MB', { binary: true })).toBe(256 * 2 ** 20);
    expect(parseSize('512Mi', { binary: true })).toBe(512 * 2 ** 20);
    expect(parseSize('12 parsecs')).toBeNull();
  });

  it('a StressChaos memory size of 512Mi imports (it was refused)', () => {
    const text = `apiVersion: chaos-mesh.org/v1alpha1
kind: StressChaos
metadata: { name: mem, namespace: shop }
spec: { selector: { labelSelectors: { app: api } }, mode: one, stressors: { memory: { workers: 2, size: 512Mi } }, duration: 1m }`;
    const [experiment] = parseDocuments(renderImport(importDocuments(text)), null, { project: null }).experiments;
    expect(experiment?.method[0]).toMatchObject({ fault: 'stress.memory', params: { size: { bytes: 2 ** 30 }, workers: 2 } });
  });
});

const NIGHTLY = `apiVersion: litmuschaos.io/v1alpha1
kind: ChaosSchedule
metadata: { name: nightly-delete, namespace: shop }
spec:
  concurrencyPolicy: Allow
  scheduleState: active
  schedule:
    repeat:
      timeRange: { startTime: "2026-01-01T00:00:00.000Z", endTime: "2026-12-31T00:00:00.000Z" }
      properties: { minChaosInterval: { hour: { everyNthHour: 2, minuteOfTheHour: 15 } } }
      workDays: { includedDays: "Mon,Tue,Wed" }
      workHours: { includedHours: "9-17" }
  engineTemplateSpec:
    engineState: active
    appinfo: { appns: shop, applabel: "app=web", appkind: deployment }
    chaosServiceAccount: pod-delete-sa
    experiments:
      - name: pod-delete
        spec: { components: { env: [ { name: TOTAL_CHAOS_DURATION, value: "30" }, { name: CHAOS_INTERVAL, value: "10" } ] } }
`;

/** A faultline Schedule document around a one-step experiment, with `spec` lines added. */
function faultlineSchedule(
  extra: string,
  method = '[ { fault: process.kill, selector: { labels: { app: web } }, duration: 30s } ]',
): string {
  return `apiVersion: faultline.dev/v1
kind: Schedule
metadata: { name: kill-web }
spec:
  schedule: "*/20 * * * *"
${extra}
  experiment:
    spec:
      hypothesis: the shop survives
      backend: kubernetes
      kubernetes: { namespace: shop }
      method: ${method}
`;
}

describe('YAML merge keys', () => {
  it('a Workflow whose templates share a chaos spec through <<: *anchor imports each with the merged fields', () => {
    const text = `apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: shared, namespace: shop }
spec:
  entry: all
  templates:
    - { name: all, templateType: Serial, children: [slow, slower] }
    - name: slow
      templateType: NetworkChaos
      deadline: 1m
      networkChaos: &slow { selector: { labelSelectors: { app: web } }, mode: all, action: delay, delay: { latency: 100ms }, duration: 1m }
    - name: slower
      templateType: NetworkChaos
      deadline: 1m
      networkChaos:
        <<: *slow
        delay: { latency: 300ms }
`;
    const result = importDocuments(text);
    expect(result.skipped).toEqual([]);
    const [experiment] = parseDocuments(renderImport(result), null, { project: null }).experiments;
    const latencies = experiment?.method.map((s) => (s.kind === 'fault' ? s.params.latency : null));
    expect(latencies).toEqual([100, 300]);
    expect(experiment?.method.every((s) => s.kind === 'fault' && s.selector?.labels?.app === 'web')).toBe(true);
  });
});

describe('Litmus ChaosSchedule', () => {
  it('exports back from the faultline Schedule it imports as: the same repetition, window, state and engine', () => {
    const imported = parseDocuments(renderImport(importDocuments(NIGHTLY)), null, { project: null }).schedules;
    const exported = exportSchedule(imported[0] as never, { to: 'litmus' });
    expect(exported.notes).toEqual([]);
    const [chaosSchedule] = exported.manifests;
    expect(validateAgainstCrd(chaosSchedule as never)).toEqual([]);
    const original = parseYaml(NIGHTLY);
    expect(chaosSchedule?.spec.schedule).toEqual(original.spec.schedule);
    expect(chaosSchedule?.spec.concurrencyPolicy).toBe('Allow');
    expect(chaosSchedule?.spec.scheduleState).toBe('active');
    expect(chaosSchedule?.spec.engineTemplateSpec.appinfo).toEqual(original.spec.engineTemplateSpec.appinfo);
    const env = chaosSchedule?.spec.engineTemplateSpec.experiments[0].spec.components.env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'TOTAL_CHAOS_DURATION', value: '30' },
        { name: 'CHAOS_INTERVAL', value: '10' },
      ]),
    );
    // and imports again as the same schedule
    const again = parseDocuments(renderImport(importDocuments(renderExport([exported], 'litmus'))), null, { project: null }).schedules[0];
    const { file: _a, annotations: _b, experiment: _c, ...definition } = imported[0] as never as Record<string, unknown>;
    expect(again).toMatchObject(definition);
  });

  it('a cron that is no repetition, or an experiment of two engines, is refused with the reason; what it cannot hold is noted', async () => {
    const definitionOf = (text: string) => parseDocuments(text, null, { project: null }).schedules[0] as never;
    expect(() => exportSchedule(definitionOf(faultlineSchedule('').replace('*/20 * * * *', '0 3 * * *')), { to: 'litmus' })).toThrow(
      /^Schedule kill-web: cron "0 3 \* \* \*" has no Litmus ChaosSchedule equivalent .*export --to chaos-mesh/,
    );
    const twoSteps =
      '[ { fault: process.kill, selector: { labels: { app: web } } }, { fault: process.kill, selector: { labels: { app: api } } } ]';
    expect(() => exportSchedule(definitionOf(faultlineSchedule('', twoSteps)), { to: 'litmus' })).toThrow(
      /runs one ChaosEngine, and its experiment has 2 steps \(2 of them faults\)/,
    );
    const noted = exportSchedule(
      definitionOf(faultlineSchedule('  timeZone: Europe/Paris\n  suspend: true\n  window: { workHours: "09:30-17:00", minInterval: 1h }')),
      { to: 'litmus' },
    );
    expect(noted.manifests[0]?.spec.scheduleState).toBe('halt');
    expect(noted.manifests[0]?.spec.schedule.repeat.properties.minChaosInterval).toEqual({ minute: { everyNthMinute: 20 } });
    expect(validateAgainstCrd(noted.manifests[0] as never)).toEqual([]);
    expect(noted.notes.map((n) => n.split(' ')[0])).toEqual(['window.workHours', 'window.minInterval', 'timeZone']);
    // the CLI: exit 3 with the one line, nothing on stdout
    const file = join(tempDir('faultline-export-schedule-'), 'nightly.yaml');
    writeFileSync(file, faultlineSchedule('').replace('*/20 * * * *', '0 3 * * *'));
    const refused = await runCli(['export', file, '--to', 'litmus'], { home: tempHome() });
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/cron "0 3 \* \* \*" has no Litmus ChaosSchedule equivalent/);
  });

  it('becomes a faultline Schedule: cron from minChaosInterval, window from timeRange, workDays and workHours', () => {
    // NIGHTLY without what has a default: no concurrencyPolicy (Forbid), no minuteOfTheHour (0)
    const text = NIGHTLY.replace('  concurrencyPolicy: Allow\n  scheduleState: active\n', '').replace(', minuteOfTheHour: 15', '');
    expect(validateAgainstCrd(parseYaml(text))).toEqual([]);
    const result = importDocuments(text);
    expect(result.skipped).toEqual([]);
    const [schedule] = parseDocuments(renderImport(result), null, { project: null }).schedules;
    expect(schedule).toMatchObject({ name: 'nightly-delete', cron: '0 */2 * * *', concurrencyPolicy: 'Forbid' });
    expect(schedule?.window.workDays).toBeDefined();
    expect(schedule?.window.start).toBe(Date.parse('2026-01-01T00:00:00Z'));
    const experiment = schedule && 'inline' in schedule.experiment ? schedule.experiment.inline : undefined;
    expect(experiment?.method[0]).toMatchObject({ fault: 'process.kill', durationMs: 30_000 });
  });
});
