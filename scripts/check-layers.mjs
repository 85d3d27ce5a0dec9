#!/usr/bin/env node
/**
 * Layers point one way (docs/architecture.md). Reads the relative imports of src/**\/*.ts (type-only ones
 * included, as a cycle of types is still a cycle a newcomer must untangle) and fails when
 *   - the import graph has a cycle, or
 *   - a lower layer imports a higher one (see LOWER and HIGHER below), or
 *   - a file imports 'zod' or 'yaml' itself instead of src/util/zod.ts or yaml.ts (the build bundles each
 *     there: a second import would load the package's files again, and a second zod beside the first does
 *     not recognise its schemas and errors).
 * Prints one line per problem and exits 1; prints nothing and exits 0 when the house is in order.
 *
 *   node scripts/check-layers.mjs [--graph]     (--graph prints every edge, for a look at the house)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED } from './bundle-packages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** Layers that may never import one of HIGHER (the foundations that faults, engines and servers stand on). */
const LOWER = ['util', 'spec', 'journal', 'measure', 'probes', 'safety'];
const HIGHER = ['engine', 'backends', 'server', 'web'];

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Specifiers of `import ... from`, `export ... from`, `import '...'` and `import('...')`, comments removed. */
function importSpecifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specifiers = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) specifiers.push(match[1]);
  return specifiers;
}

/** src-relative path of a relative specifier (`../x.js` -> `dir/x.ts`), or null for a package. */
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('.')) return null;
  const target = resolve(dirname(fromFile), specifier).replace(/\.js$/, '.ts');
  return relative(src, target);
}

/**
 * A file's layer is its first folder, except where a folder holds a higher layer: spec/convert/ turns
 * Chaos Mesh and Litmus YAML into experiments and back through the kubernetes backend's compilers, so
 * it stands above the backends (beside cli), though it lives with the format it converts.
 */
const LAYER_FOLDERS = { 'spec/convert/': 'convert' };
function layerOf(file) {
  for (const [folder, layer] of Object.entries(LAYER_FOLDERS)) if (file.startsWith(folder)) return layer;
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : '';
}

/** The import graph of src (src-relative .ts paths), from each file's specifiers (read once: specifiersByFile). */
export function importGraph(specifiers = specifiersByFile()) {
  const graph = new Map();
  for (const [from, list] of specifiers) {
    const targets = list.map((specifier) => resolveSpecifier(join(src, from), specifier)).filter((target) => target !== null);
    graph.set(from, [...new Set(targets)].sort());
  }
  return graph;
}

/** Strongly connected components of more than one file (or a file importing itself): Tarjan's algorithm. */
export function cycles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node), index.get(to)));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** One concrete loop through a component, for a message a person can follow: a -> b -> ... -> a. */
function loopThrough(graph, component) {
  const members = new Set(component);
  const start = component[0];
  const path = [start];
  const seen = new Set([start]);
  let node = start;
  for (;;) {
    const targets = (graph.get(node) ?? []).filter((to) => members.has(to));
    if (targets.includes(start) && path.length > 1) return [...path, start];
    const to = targets.find((t) => !seen.has(t)) ?? targets[0];
    if (to === undefined || (seen.has(to) && to !== start)) return [...path, to ?? start];
    path.push(to);
    seen.add(to);
    node = to;
  }
}

export function layerViolations(graph) {
  const problems = [];
  for (const [from, targets] of graph) {
    if (!LOWER.includes(layerOf(from))) continue;
    for (const to of targets) {
      if (HIGHER.includes(layerOf(to))) problems.push(`src/${from} (layer ${layerOf(from)}) imports src/${to} (layer ${layerOf(to)})`);
    }
  }
  return problems;
}

/** The files that import a package the build bundles (scripts/bundle-packages.mjs) directly instead of through its one module. */
export function bundleBypasses(specifiersByFile) {
  const problems = [];
  for (const [file, specifiers] of specifiersByFile) {
    for (const [pkg, module] of Object.entries(BUNDLED)) {
      if (file !== module && specifiers.some((s) => s === pkg || s.startsWith(`${pkg}/`)))
        problems.push(`src/${file} imports '${pkg}' directly; import it from src/${module} (the build bundles ${pkg} there)`);
    }
  }
  return problems;
}

/** Every file's import specifiers, packages included. */
export function specifiersByFile() {
  return new Map(sourceFiles(src).map((file) => [relative(src, file), importSpecifiers(readFileSync(file, 'utf8'))]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const specifiers = specifiersByFile();
  const graph = importGraph(specifiers);
  if (process.argv.includes('--graph')) {
    for (const [from, targets] of graph) for (const to of targets) console.log(`${from} -> ${to}`);
  }
  const problems = [
    ...cycles(graph).map((component) => `import cycle of ${component.length} files: ${loopThrough(graph, component).join(' -> ')}`),
    ...layerViolations(graph),
    ...bundleBypasses(specifiers),
  ];
  for (const problem of problems) console.error(`check-layers: ${problem}`);
  if (problems.length > 0) {
    console.error(
      `check-layers: ${problems.length} problem(s); fix: move the shared type or function down to the lowest layer that needs it (docs/architecture.md)`,
    );
    process.exit(1);
  }
}
