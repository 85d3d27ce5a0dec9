/**
 * Property: for any object generated from the real CRD schemas in ../shared/reference (test/support/generated-objects.ts:
 * Chaos Mesh chaos of seven kinds, NetworkChaos bandwidth, Schedules and Workflows; Litmus ChaosEngines of one or
 * several experiments with their env and probes, and ChaosSchedules), the import either refuses it with a reason,
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
function keepsMeaning(objects: fc.Arbitrary<Doc>, runs: number): Doc[] {
  const exported: Doc[] = [];
  fc.assert(
    fc.property(objects, (object) => {
      const { notes, skipped, back } = roundTrip(object);
      if (skipped.length) {
        expect(skipped[0]).toMatch(/: .{10,}/); // refused, saying why
        expect(skipped[0]).not.toContain('\n');
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

  it('Workflow: Serial, Parallel and Suspend templates with deadlines, nested, as a timeline', () => {
    const back = keepsMeaning(workflowObject(), 150);
    expect(back.length).toBeGreaterThan(100);
    const types = (o: Doc) => new Set((o.spec.templates as Doc[]).map((t) => t.templateType));
    expect(count(back, (o) => types(o).has('Parallel') && types(o).has('Suspend'))).toBeGreaterThan(5);
  });
});

describe('generated Litmus objects keep their meaning through import and export', () => {
  it('ChaosEngine: one or several experiments, their env and probes', () => {
    const back = keepsMeaning(engineObject(), 200);
    expect(back.length).toBeGreaterThan(150);
    expect(count(back, (o) => o.spec.experiments.length > 1)).toBeGreaterThan(50);
    expect(count(back, (o) => o.spec.experiments.some((e: Doc) => e.spec.probe))).toBeGreaterThan(50);
  });

  it('ChaosSchedule: repetition, window, state, and its engine', () => {
    const back = keepsMeaning(chaosScheduleObject(), 120);
    expect(back.length).toBeGreaterThan(80);
    expect(count(back, (o) => o.spec.schedule.repeat?.workHours)).toBeGreaterThan(10);
  });
});
