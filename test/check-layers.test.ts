import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { bundleBypasses, cycles, importGraph, layerViolations } from '../scripts/check-layers.mjs';

type Graph = Map<string, string[]>;
const graphOf = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges));

describe('scripts/check-layers.mjs', () => {
  it('passes on the source tree: no import cycle, no lower layer importing a higher one', () => {
    const result = spawnSync(process.execPath, ['scripts/check-layers.mjs'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('reads the real import graph, type-only imports included', () => {
    const graph: Graph = importGraph();
    expect(graph.get('engine/plan.ts')).toContain('backends/index.ts');
    // `import type { PlannedFault } from './types.js'` is an edge like any other
    expect(graph.get('backends/local.ts')).toContain('backends/types.ts');
  });

  it('finds a cycle, however long, and names its files', () => {
    const graph = graphOf({ 'a/x.ts': ['a/y.ts'], 'a/y.ts': ['b/z.ts'], 'b/z.ts': ['a/x.ts'], 'c/w.ts': ['a/x.ts'] });
    expect(cycles(graph)).toEqual([['a/x.ts', 'a/y.ts', 'b/z.ts']]);
    expect(cycles(graphOf({ 'a/x.ts': ['a/x.ts'] }))).toEqual([['a/x.ts']]);
    expect(cycles(graphOf({ 'a/x.ts': ['a/y.ts'], 'a/y.ts': [] }))).toEqual([]);
  });

  it('refuses a lower layer importing the engine, a backend, the server or the web', () => {
    const graph = graphOf({
      'safety/halt.ts': ['engine/plan.ts', 'util/errors.ts'],
      'probes/k8s.ts': ['kube/client.ts'],
      'spec/convert/export.ts': ['backends/kubernetes/compile.ts'],
      'engine/run.ts': ['backends/index.ts'],
    });
    expect(layerViolations(graph)).toEqual(['src/safety/halt.ts (layer safety) imports src/engine/plan.ts (layer engine)']);
  });

  it("refuses a file that imports 'zod' or 'yaml' itself: only src/util/zod.ts and yaml.ts may, the modules the build bundles", () => {
    const files = new Map([
      ['util/zod.ts', ['zod']],
      ['util/yaml.ts', ['yaml']],
      ['faults/process/kill.ts', ['../../util/zod.js', 'node:fs']],
      ['probes/http.ts', ['zod', '../util/errors.js']],
      ['spec/fields.ts', ['zod/v4/core']],
      ['spec/load.ts', ['yaml', '../util/zod.js']],
    ]);
    expect(bundleBypasses(files)).toEqual([
      "src/probes/http.ts imports 'zod' directly; import it from src/util/zod.ts (the build bundles zod there)",
      "src/spec/fields.ts imports 'zod' directly; import it from src/util/zod.ts (the build bundles zod there)",
      "src/spec/load.ts imports 'yaml' directly; import it from src/util/yaml.ts (the build bundles yaml there)",
    ]);
  });
});
