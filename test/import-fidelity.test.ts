/**
 * Import and export keep meaning: for a corpus of realistic Chaos Mesh and Litmus objects (written from their
 * documented fields, ChaosHub's pod-delete and pod-network-latency templates among them), export(import(x))
 * selects the same pods and does the same thing, or the import says, field by field, what it could not keep.
 * "The same" is judged by test/support/engine-meaning.ts, written apart from the import and export code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { ROOT } from './support/cli.js';
import { differences, meaning } from './support/engine-meaning.js';
import { validateAgainstCrd } from './support/fake-kube-apiserver.js';
import { roundTrip, unexplained } from './support/round-trip.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests
type Doc = Record<string, any>;

const CORPUS = join(ROOT, 'test', 'fixtures', 'import-corpus');

const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** What the import must say of the corpus objects it cannot keep whole (everything else must round-trip exactly). */
const EXPECTED_NOTES: Record<string, RegExp[]> = {};

describe('a corpus of real-world objects round-trips with its meaning', () => {
  it('holds at least 20 objects, each valid against its CRD', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    for (const file of corpus) expect(validateAgainstCrd(parseYaml(readFileSync(join(CORPUS, file), 'utf8'))), file).toEqual([]);
  });

  it.each(corpus)('%s: export(import(x)) means x, field by field, or a note says what changed', (file) => {
    const original = parseYaml(readFileSync(join(CORPUS, file), 'utf8')) as Doc;
    const { notes, skipped, back } = roundTrip(original);
    expect(skipped).toEqual([]);
    expect(back).toHaveLength(1);
    const [again] = back as [Doc];
    expect(validateAgainstCrd(again)).toEqual([]);
    expect(unexplained(original, again, notes)).toEqual([]);
    const expected = EXPECTED_NOTES[file] ?? [];
    for (const pattern of expected)
      expect(
        notes.some((n) => pattern.test(n)),
        `${file}: a note matching ${pattern}`,
      ).toBe(true);
    if (!expected.length)
      expect({ file, differences: differences(meaning(original), meaning(again)), notes }).toEqual({ file, differences: [], notes: [] });
  });
});
