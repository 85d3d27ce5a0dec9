/**
 * Property: for any object generated from the real CRD schemas in ../shared/reference (test/support/generated-objects.ts:
 * Chaos Mesh chaos of seven kinds, NetworkChaos bandwidth, HTTPChaos matchers, replace and patch, Schedules and
 * Workflows, with StatusChecks or without; Litmus ChaosEngines of one or several experiments with their env, now
 * and then TARGET_PODS, and probes, and ChaosSchedules), the import either refuses it with a reason,
 * or it comes back from export(import(x)) valid against its CRD and meaning the same (test/support/engine-meaning.ts),
 * every difference named by a note of the import or the export (by its path: test/support/round-trip.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import {
  bandwidthObject,
  CHAOS_KINDS,
  chaosObject,
  chaosScheduleObject,
  engineObject,
  scheduleObject,
  workflowObject,
} from './support/generated-objects.js';
import { crdErrors, roundTrip, unexplained } from './support/round-trip.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests
type Doc = Record<string, any>;

/**
 * Checks the property on `runs` objects (the seed fixed); returns those that came back rather than being
 * refused, so a family cannot pass by being refused whole, and the features it must cover can be counted.
 */
function keepsMeaning(objects: fc.Arbitrary<Doc>, runs: number, refused?: (object: Doc, reason: string) => void): Doc[] {
  const exported: Doc[] = [];
  fc.assert(
    fc.property(objects, (object) => {
      const { notes, skipped, back } = roundTrip(object);
      if (skipped.length) {
        expect(skipped[0]).toMatch(/: .{10,}/); // refused, saying why
        expect(skipped[0]).not.toContain('\n');
        refused?.(object, skipped[0] as string);
        return;
      }
      exported.push(object);
      expect(back).toHaveLength(1);
      expect(crdErrors(back[0] as Doc)).toEqual([]);
      expect(unexplained(object, back[0] as Doc, notes)).toEqual([]);
    }),
    { numRuns: runs, seed: 16, endOnFailure: true },
  );
  return exported;
}

const count = (objects: Doc[], test: (o: Doc) => unknown) => objects.filter(test).length;
const paused = (o: Doc) => o.metadata.annotations?.['experiment.chaos-mesh.org/pause'];
const checks = (o: Doc) => (o.spec.templates as Doc[]).filter((t) => t.templateType === 'StatusCheck');
const env = (o: Doc, name: string) =>
  (o.spec.experiments as Doc[]).some((e) => (e.spec.components.env as Doc[]).some((v) => v.name === name));

describe('generated Chaos Mesh objects keep their meaning through import and export', () => {
  it.each(CHAOS_KINDS)('%s', (kind) => {
    const back = keepsMeaning(chaosObject(kind), 40);
    expect(back.length).toBeGreaterThan(20);
    expect(count(back, paused)).toBeGreaterThan(0);
  });

  it('NetworkChaos bandwidth: rate, limit and buffer (and peakrate, minburst) come back', () => {
    const back = keepsMeaning(bandwidthObject(), 40);
    expect(back.length).toBe(40);
    expect(count(back, (o) => o.spec.bandwidth.peakrate !== undefined)).toBeGreaterThan(5);
  });

  it('Schedule: cron, concurrency policy, history limit, starting deadline, pause, and its chaos', () => {
    const back = keepsMeaning(scheduleObject(), 120);
    expect(back.length).toBeGreaterThan(80);
    expect(count(back, paused)).toBeGreaterThan(5);
    expect(count(back, (o) => o.spec.type === 'Workflow')).toBeGreaterThan(5);
    expect(count(back, (o) => o.spec.historyLimit === undefined)).toBeGreaterThan(5);
  });

  it('HTTPChaos: request and response matchers (headers, status), replace headers, patch headers and body', () => {
    const back = keepsMeaning(chaosObject('HTTPChaos'), 120);
    expect(back.length).toBeGreaterThan(90);
    const has = (test: (s: Doc) => unknown) => count(back, (o) => test(o.spec));
    expect(has((s) => s.patch?.headers && s.patch.body)).toBeGreaterThan(5);
    expect(has((s) => s.patch?.headers?.length > 1)).toBeGreaterThan(5);
    expect(has((s) => s.replace?.headers)).toBeGreaterThan(10);
    expect(has((s) => s.request_headers)).toBeGreaterThan(30);
    expect(has((s) => s.target === 'Response' && (s.response_headers || s.code))).toBeGreaterThan(20);
  });

  it('Workflow: Serial, Parallel and Suspend templates with deadlines, nested, as a timeline', () => {
    const back = keepsMeaning(workflowObject(), 150);
    expect(back.length).toBeGreaterThan(100);
    const types = (o: Doc) => new Set((o.spec.templates as Doc[]).map((t) => t.templateType));
    expect(count(back, (o) => types(o).has('Parallel') && types(o).has('Suspend'))).toBeGreaterThan(5);
  });

  it('Workflow with StatusCheck templates: kept as probes (a failing one stops the experiment), or refused naming its template', () => {
    const back = keepsMeaning(workflowObject(true), 150, (object, reason) => {
      const names = (object.spec.templates as Doc[]).map((t) => t.name).join('|');
      expect(reason).toMatch(new RegExp(`(?<![\\w-])(${names})(?![\\w-])`)); // `template parallel-3: ...`, `NetworkChaos network-2: ...`
    });
    expect(back.length).toBeGreaterThan(100);
    expect(count(back, (o) => checks(o).some((t) => t.abortWithStatusCheck))).toBeGreaterThan(20);
    expect(count(back, (o) => checks(o).some((t) => t.statusCheck.mode !== 'Continuous'))).toBeGreaterThan(20);
    expect(count(back, (o) => o.spec.templates[0].templateType === 'Parallel' && checks(o).length)).toBeGreaterThan(10);
  });
});

describe('generated Litmus objects keep their meaning through import and export', () => {
  it('ChaosEngine: one or several experiments, their env and probes', () => {
    const back = keepsMeaning(engineObject(), 200);
    expect(back.length).toBeGreaterThan(150);
    expect(count(back, (o) => o.spec.experiments.length > 1)).toBeGreaterThan(50);
    expect(count(back, (o) => o.spec.experiments.some((e: Doc) => e.spec.probe))).toBeGreaterThan(50);
    expect(count(back, (o) => env(o, 'TARGET_PODS'))).toBeGreaterThan(20);
  });

  it('ChaosSchedule: repetition, window, state, and its engine', () => {
    const back = keepsMeaning(chaosScheduleObject(), 120);
    expect(back.length).toBeGreaterThan(80);
    expect(count(back, (o) => o.spec.schedule.repeat?.workHours)).toBeGreaterThan(10);
  });
});
