/** One object through faultline import and back through export to its own engine, for fidelity tests. */
import { exportExperiment, exportSchedule } from '../../src/spec/convert/export.js';
import { importDocuments, renderImport } from '../../src/spec/convert/import.js';
import { parseDocuments } from '../../src/spec/load.js';
import { differences, meaning } from './engine-meaning.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests
type Doc = Record<string, any>;

/** Imports one object, exports it back to its own engine; the notes, and the meanings before and after. */
export function roundTrip(original: Doc): { notes: string[]; skipped: string[]; back: Doc[] } {
  const text = JSON.stringify(original);
  const result = importDocuments(text);
  if (!result.imported.length) return { notes: [], skipped: result.skipped, back: [] };
  const parsed = parseDocuments(renderImport(result), null, { project: null });
  const to = original.kind === 'ChaosEngine' ? 'litmus' : 'chaos-mesh';
  const exported = [
    ...parsed.experiments.map((e) => exportExperiment(e, { to })),
    ...parsed.schedules.map((s) => exportSchedule(s, { to })),
  ];
  return { notes: result.imported.flatMap((i) => i.notes), skipped: result.skipped, back: exported.flatMap((e) => e.manifests) };
}

/** Every path where the meaning changed must be named (its last key) by a note of the import. */
export function unexplained(original: Doc, back: Doc, notes: string[]): string[] {
  return differences(meaning(original), meaning(back)).filter((path) => {
    const leaf =
      path
        .split('.')
        .filter((k) => !/^\d+$/.test(k))
        .pop() ?? path;
    return !notes.some((n) => n.includes(leaf));
  });
}
