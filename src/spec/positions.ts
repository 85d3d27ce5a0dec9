/** Maps a path inside a YAML document (`spec.method[0].duration`) to its line and column. */
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from '../util/yaml.js';

export type Path = readonly PropertyKey[];

/** `spec.method[0].duration` */
export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (!/^[A-Za-z_$][\w$-]*$/.test(String(key)))
      out += `[${JSON.stringify(String(key))}]`; // odd keys quoted, on one line
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(document)';
}

/**
 * The node at `path`, or the deepest node on the way when the path goes further than the document
 * (a missing field is reported at the object that lacks it). With `key` set, the key node of the
 * last step is returned instead of its value: an unknown field is reported where its name is.
 */
function nodeAt(doc: Document, path: Path, key?: string): Node | undefined {
  let node: unknown = doc.contents;
  for (const step of path) {
    const next = childOf(node, step, false);
    if (next === undefined) return node as Node;
    node = next;
  }
  if (key !== undefined) return (childOf(node, key, true) as Node | undefined) ?? (node as Node);
  return node as Node;
}

function childOf(node: unknown, step: PropertyKey, wantKey: boolean): unknown {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(step));
    if (!pair) return undefined;
    return wantKey ? pair.key : (pair.value ?? pair.key);
  }
  if (isSeq(node) && typeof step === 'number') return node.items[step];
  return undefined;
}

export function positionOf(doc: Document, lineCounter: LineCounter, path: Path, key?: string): { line: number; col: number } {
  const node = nodeAt(doc, path, key);
  const offset = node?.range?.[0] ?? doc.range?.[0] ?? 0;
  return lineCounter.linePos(offset);
}
