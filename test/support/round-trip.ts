/** One object through faultline import and back through export to its own engine, for fidelity tests. */
import { parse as parseYaml } from 'yaml';
import { exportExperiment, exportSchedule } from '../../src/spec/convert/export.js';
import { importDocuments, renderImport } from '../../src/spec/convert/import.js';
import { parseDocuments } from '../../src/spec/load.js';
import { UserError } from '../../src/util/errors.js';
import { differences, meaning } from './engine-meaning.js';
import { validateAgainstCrd } from './fake-kube-apiserver.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests
type Doc = Record<string, any>;

const LITMUS_KINDS = ['ChaosEngine', 'ChaosSchedule'];

/**
 * Imports one object, exports it back to its own engine: the notes of both, and what came back. An export that
 * refuses (a UserError, one line) is a refusal like the import's, in `skipped`.
 */
export function roundTrip(original: Doc): { notes: string[]; skipped: string[]; back: Doc[] } {
  const result = importDocuments(JSON.stringify(original));
  const notes = result.imported.flatMap((i) => i.notes);
  if (!result.imported.length) return { notes, skipped: result.skipped, back: [] };
  const parsed = parseDocuments(renderImport(result), null, { project: null });
  const to = LITMUS_KINDS.includes(original.kind) ? 'litmus' : 'chaos-mesh';
  try {
    const exported = [
      ...parsed.experiments.map((e) => exportExperiment(e, { to })),
      ...parsed.schedules.map((s) => exportSchedule(s, { to })),
    ];
    return { notes: [...notes, ...exported.flatMap((e) => e.notes)], skipped: result.skipped, back: exported.flatMap((e) => e.manifests) };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { notes, skipped: [`${original.kind} ${original.metadata?.name}: export: ${error.message}`], back: [] };
  }
}

/** CRD errors of an exported object; a Litmus workflow (Argo, no CRD here) by the ChaosEngines it applies. */
export function crdErrors(object: Doc): string[] {
  if (object.apiVersion !== 'argoproj.io/v1alpha1') return validateAgainstCrd(object);
  return ((object.spec?.templates ?? []) as Doc[])
    .flatMap((t) => (t.inputs?.artifacts ?? []) as Doc[])
    .flatMap((a) => validateAgainstCrd(parseYaml(String(a.raw?.data)) as Doc));
}

/**
 * Every path where the meaning changed must be named by a note (of the import or the export). A note names a
 * path when it names each named item on it in turn (an experiment, a probe, a workflow template:
 * `runs[pod-delete]`), the last one whole (`probe up not mapped`, which explains all of it) or else the field: by its key when the field is one key (`duration`, `containerNames`), else by two keys or more
 * ending with its last (`attr.ctime.nsec`, `ctime.nsec`) or with that of a field that holds it (`delay: reorder`
 * for `delay.reorder.gap`), written with `.`, ` ` or `: ` between them, and not as the end of a longer path. So
 * a note on `replace.code` does not explain `code`, nor one on `env CHAOS_INTERVAL` the env FORCE, nor one on
 * another probe's timeout this probe's.
 */
export function unexplained(original: Doc, back: Doc, notes: string[]): string[] {
  return differences(meaning(original), meaning(back)).filter((path) => !notes.some((note) => names(note, path)));
}

/** `runs[pod-delete].probes[up].runProperties.interval`: the named items and the field keys after the last. */
function parts(path: string): { items: string[]; field: string[] } {
  const segments = path.match(/\[[^\]]+\]|[^.[\]]+/g) ?? [];
  const last = segments.findLastIndex((s) => s.startsWith('['));
  return {
    items: segments.filter((s) => s.startsWith('[')).map((s) => s.slice(1, -1).replace(/#\d+$/, '')),
    field: segments.slice(last + 1).filter((s) => !/^\d+$/.test(s)),
  };
}

function names(note: string, path: string): boolean {
  const { items, field } = parts(path);
  // the items in the order of the path; the last may be named whole (`probe up not mapped`, not `probe up: ...`)
  let from = 0;
  let whole = false;
  for (const item of items) {
    const at = find(note, [item], from);
    if (!at) return false;
    from = at.end;
    whole = !note.startsWith(':', at.end);
  }
  if (!field.length || whole) return true;
  if (field.length === 1) return find(note, field) !== null;
  // the field or one that holds it, from any of its keys on but by two at least: attr.ctime.nsec, ctime.nsec, attr.ctime
  for (let end = field.length; end >= 2; end--)
    for (let start = 0; start <= end - 2; start++) if (find(note, field.slice(start, end))) return true;
  return false;
}

/**
 * Where the note writes these keys in a row (joined by `.`, ` ` or `: `), not as part of a longer name or path,
 * from `from` on; null if it does not.
 */
function find(note: string, keys: string[], from = 0): { end: number } | null {
  const phrase = keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(?:\\.|:? )');
  const pattern = new RegExp(`(?<![\\w.-])${phrase}(?![\\w-]|\\.\\w)`, 'g');
  pattern.lastIndex = from;
  const m = pattern.exec(note);
  return m ? { end: m.index + m[0].length } : null;
}
