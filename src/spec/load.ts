/**
 * Loads experiment and project files: YAML with positions, `${ENV}` substitution, several documents
 * per file, validation by the format's schemas, references checked against the project file.
 * Every error of a file is reported at once as `file:line:column: path: message`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Document, LineCounter, parse, parseAllDocuments, visit } from 'yaml';
import type { z } from 'zod';
import { UserError, UserErrors } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { formatPath, type Path, positionOf } from './positions.js';
import {
  type BlastRadius,
  type ExperimentDocument,
  experimentSchema,
  type Policy,
  type ProbeSpec,
  type ProjectDocument,
  projectSchema,
  type TargetSpec,
} from './schema.js';
import { substituteEnv } from './substitute.js';

export interface Experiment {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** the file it came from, or null when parsed from a string */
  file: string | null;
  hypothesis: string;
  backend: ExperimentDocument['spec']['backend'];
  /** the project's targets, then the experiment's own (which win on a name clash) */
  targets: TargetSpec[];
  /** the experiment's own probes, and the project's probes that it names */
  probes: ProbeSpec[];
  steadyState: ExperimentDocument['spec']['steadyState'];
  method: ExperimentDocument['spec']['method'];
  guards: ExperimentDocument['spec']['guards'];
  blastRadius: BlastRadius | undefined;
  /** the project's policy (blast radius, label lists, minHealthy, guards for every experiment) */
  policy: Policy | null;
  /** the probes that targets name as their `health`, by probe name (checked for policy minHealthy) */
  healthProbes: Record<string, ProbeSpec>;
  rollbacks: ExperimentDocument['spec']['rollbacks'];
}

export interface Project {
  file: string;
  targets: TargetSpec[];
  probes: ProbeSpec[];
  policy: Policy | null;
}

export interface LoadOptions {
  /** the project file; default `faultline.yaml` beside the experiment file, else in the working directory; null for none */
  project?: string | null;
  env?: NodeJS.ProcessEnv;
}

const PROJECT_FILE = 'faultline.yaml';
const CHAOS_MESH_KINDS = [
  'NetworkChaos',
  'PodChaos',
  'StressChaos',
  'TimeChaos',
  'IOChaos',
  'HTTPChaos',
  'DNSChaos',
  'Schedule',
  'Workflow',
];
const LITMUS_KINDS = ['ChaosEngine', 'ChaosExperiment', 'ChaosSchedule'];

interface ParsedDocument {
  doc: Document;
  index: number;
  kind: unknown;
  value: unknown;
}

/** Collects located errors for one file. */
class ErrorList {
  readonly messages: string[] = [];
  private readonly order: number[] = [];
  constructor(
    private readonly file: string,
    private readonly lineCounter: LineCounter,
  ) {}
  /** a message at a line and column of the file */
  add(line: number, col: number, message: string) {
    this.order.push(line * 100_000 + col);
    this.messages.push(`${this.file}:${line}:${col}: ${message}`);
  }
  at(doc: Document, path: Path, message: string, key?: string) {
    const { line, col } = positionOf(doc, this.lineCounter, path, key);
    this.add(line, col, `${path.length || key ? `${formatPath(key ? [...path, key] : path)}: ` : ''}${message}`);
  }
  zod(doc: Document, error: z.ZodError) {
    for (const issue of error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          this.at(doc, issue.path, issue.message.split('\n').find((m) => m.includes(`"${key}"`)) ?? issue.message, key);
      } else {
        this.at(doc, issue.path, issue.message);
      }
    }
  }
  throwIfAny() {
    if (!this.messages.length) return;
    // in file order, as an editor lists them
    const keyed = this.messages.map((message, i) => ({ message, key: this.order[i] as number, i }));
    keyed.sort((a, b) => a.key - b.key || a.i - b.i);
    throw new UserErrors(keyed.map((k) => k.message));
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no such file; check the path`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a directory; give an experiment file`);
    throw new UserError(`${file}: cannot read: ${(error as Error).message}`);
  }
}

/** What a plain YAML scalar with this text would be: a number, a boolean, null, or the text. */
function parseScalar(text: string): unknown {
  try {
    const value = parse(text);
    return value === null || ['number', 'boolean'].includes(typeof value) ? value : text;
  } catch {
    return text;
  }
}

/** YAML syntax, then `${ENV}` substitution; every problem located. */
function parseYaml(text: string, file: string, env: NodeJS.ProcessEnv): { docs: ParsedDocument[]; errors: ErrorList } {
  const lineCounter = new LineCounter();
  const errors = new ErrorList(file, lineCounter);
  const docs: ParsedDocument[] = [];
  const all = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const list = Array.isArray(all) ? all : [];
  list.forEach((doc, index) => {
    for (const error of doc.errors) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      errors.add(line, col, `YAML syntax: ${error.message.split('\n')[0]}`);
    }
    if (doc.errors.length || doc.contents === null) return;
    let envMissing = false;
    visit(doc, {
      Scalar(_key, node) {
        if (typeof node.value !== 'string' || !node.value.includes('${')) return;
        const { value, missing } = substituteEnv(node.value, env);
        for (const name of missing) {
          const { line, col } = lineCounter.linePos(node.range?.[0] ?? 0);
          errors.add(line, col, `environment variable ${name} is not set; set it, or write \${${name}:-default}`);
        }
        envMissing ||= missing.length > 0;
        // an unquoted `${RETRIES:-3}` becomes the number 3, as if 3 had been written there
        node.value = node.type === 'PLAIN' ? parseScalar(value) : value;
      },
    });
    if (envMissing) return; // reported above; validating the unsubstituted text would only repeat it
    const value = doc.toJS({ maxAliasCount: 100 });
    docs.push({ doc, index, kind: (value as { kind?: unknown } | null)?.kind, value });
  });
  if (docs.length === 0 && errors.messages.length === 0) errors.add(1, 1, 'the file is empty; expected an Experiment document');
  return { docs, errors };
}

function checkKind(parsed: ParsedDocument, errors: ErrorList, accepted: string[]): boolean {
  const { kind, doc } = parsed;
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    errors.at(doc, [], 'expected a mapping with apiVersion, kind, metadata and spec');
    return false;
  }
  if (typeof kind === 'string' && accepted.includes(kind)) return true;
  if (typeof kind === 'string' && [...CHAOS_MESH_KINDS, ...LITMUS_KINDS].includes(kind)) {
    errors.at(
      doc,
      ['kind'],
      `${kind} is a ${LITMUS_KINDS.includes(kind) ? 'LitmusChaos' : 'Chaos Mesh'} resource; convert it with \`faultline import FILE\``,
    );
  } else {
    const shown = kind === undefined ? 'missing' : JSON.stringify(kind);
    errors.at(
      doc,
      kind === undefined ? [] : ['kind'],
      kind === undefined
        ? `kind is missing; expected ${accepted.join(' or ')}`
        : `unknown kind ${shown}${typeof kind === 'string' ? didYouMean(kind, accepted) : ''}; expected ${accepted.join(' or ')}`,
    );
  }
  return false;
}

export function loadProject(file: string, env: NodeJS.ProcessEnv = process.env): Project {
  const { docs, errors } = parseYaml(readText(file), file, env);
  const projects: ProjectDocument[] = [];
  for (const parsed of docs) {
    if (!checkKind(parsed, errors, ['Project'])) continue;
    const result = projectSchema().safeParse(parsed.value);
    if (!result.success) {
      errors.zod(parsed.doc, result.error);
      continue;
    }
    projects.push(result.data);
    const probeNames = result.data.spec.probes.map((p) => p.name);
    for (const [i, target] of result.data.spec.targets.entries()) {
      if (target.health && !probeNames.includes(target.health)) {
        errors.at(
          parsed.doc,
          ['spec', 'targets', i, 'health'],
          `no probe named "${target.health}"${didYouMean(target.health, probeNames)}; define it under spec.probes`,
        );
      }
    }
  }
  errors.throwIfAny();
  return {
    file,
    targets: projects.flatMap((p) => p.spec.targets),
    probes: projects.flatMap((p) => p.spec.probes),
    policy: projects.find((p) => p.spec.policy)?.spec.policy ?? null,
  };
}

/** The project file: the one given, else `faultline.yaml` beside the experiment file, else in the working directory. */
function findProject(option: string | null | undefined, experimentFile: string | null, env: NodeJS.ProcessEnv): Project | null {
  if (option === null) return null;
  if (option !== undefined) return loadProject(option, env);
  const candidates = [experimentFile ? join(dirname(experimentFile), PROJECT_FILE) : null, PROJECT_FILE];
  for (const candidate of candidates) {
    if (candidate && existsSync(candidate) && resolve(candidate) !== resolve(experimentFile ?? '')) return loadProject(candidate, env);
  }
  return null;
}

/** Later entries replace earlier ones of the same name. */
function mergeByName<T extends { name: string }>(base: T[], own: T[]): T[] {
  const merged = new Map(base.map((item) => [item.name, item]));
  for (const item of own) merged.set(item.name, item);
  return [...merged.values()];
}

function checkDuplicates(doc: Document, errors: ErrorList, items: { name: string }[], path: string[]) {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) errors.at(doc, [...path, i, 'name'], `duplicate name "${item.name}"`);
    seen.add(item.name);
  });
}

/** Every name that a step, the steady state or a guard uses must exist. */
function checkReferences(doc: Document, errors: ErrorList, spec: ExperimentDocument['spec'], targets: TargetSpec[], probes: ProbeSpec[]) {
  const probeNames = probes.map((p) => p.name);
  const targetNames = targets.map((t) => t.name);
  const probeRef = (name: string, path: Path) => {
    if (!probeNames.includes(name)) {
      errors.at(doc, path, `no probe named "${name}"${didYouMean(name, probeNames)}; define it under spec.probes or in ${PROJECT_FILE}`);
    }
  };
  for (const [i, name] of spec.steadyState.probes.entries()) {
    probeRef(name, ['spec', 'steadyState', 'probes', i]);
    const mode = probes.find((p) => p.name === name)?.mode;
    if (mode && mode !== 'Continuous' && mode !== 'OnChaos') {
      errors.at(
        doc,
        ['spec', 'steadyState', 'probes', i],
        `probe "${name}" has mode ${mode}; the steady state is judged on Continuous or OnChaos probes`,
      );
    }
  }
  for (const [i, name] of spec.guards.before.entries()) probeRef(name, ['spec', 'guards', 'before', i]);
  for (const [i, c] of spec.guards.stopWhen.entries()) if (c.probe) probeRef(c.probe, ['spec', 'guards', 'stopWhen', i, 'probe']);
  for (const [i, t] of spec.targets.entries()) if (t.health) probeRef(t.health, ['spec', 'targets', i, 'health']);
  spec.method.forEach((step, i) => {
    const faultSteps =
      step.kind === 'parallel'
        ? step.steps.map((s, j) => [s, ['spec', 'method', i, 'parallel', j]] as const)
        : step.kind === 'fault'
          ? [[step, ['spec', 'method', i]] as const]
          : [];
    for (const [faultStep, path] of faultSteps) {
      faultStep.selector?.names?.forEach((name, k) => {
        if (!targetNames.includes(name)) {
          errors.at(
            doc,
            [...path, 'selector', 'names', k],
            `no target named "${name}"${didYouMean(name, targetNames)}; define it under spec.targets or in ${PROJECT_FILE}`,
          );
        }
      });
    }
  });
}

/** Parses every Experiment document of `text`. Project documents in the same file are shared by its experiments. */
export function parseExperiments(text: string, file: string | null, options: LoadOptions = {}): Experiment[] {
  const env = options.env ?? process.env;
  const shownFile = file ?? '<input>';
  const { docs, errors } = parseYaml(text, shownFile, env);
  const project = findProject(options.project, file, env);
  const inlineProjects = docs.filter((d) => d.kind === 'Project');
  const inline = inlineProjects.map((d) => {
    const result = projectSchema().safeParse(d.value);
    if (!result.success) errors.zod(d.doc, result.error);
    return result.success ? result.data.spec : { targets: [], probes: [], policy: undefined };
  });
  const policy = inline.find((p) => p.policy)?.policy ?? project?.policy ?? null;
  const sharedTargets = mergeByName(
    project?.targets ?? [],
    inline.flatMap((p) => p.targets),
  );
  const sharedProbes = mergeByName(
    project?.probes ?? [],
    inline.flatMap((p) => p.probes),
  );

  const experiments: Experiment[] = [];
  for (const parsed of docs) {
    if (parsed.kind === 'Project') continue;
    if (!checkKind(parsed, errors, ['Experiment', 'Project'])) continue;
    const result = experimentSchema().safeParse(parsed.value);
    if (!result.success) {
      errors.zod(parsed.doc, result.error);
      continue;
    }
    const { metadata, spec } = result.data;
    checkDuplicates(parsed.doc, errors, spec.targets, ['spec', 'targets']);
    checkDuplicates(parsed.doc, errors, spec.probes, ['spec', 'probes']);
    const targets = mergeByName(sharedTargets, spec.targets);
    const available = mergeByName(sharedProbes, spec.probes);
    checkReferences(parsed.doc, errors, spec, targets, available);
    const healthProbes = Object.fromEntries(
      targets.flatMap((t) => {
        const probe = t.health ? available.find((p) => p.name === t.health) : undefined;
        return probe ? [[probe.name, probe]] : [];
      }),
    );
    // The experiment's own probes all run; a project probe runs only where the experiment names it.
    const named = new Set([
      ...spec.steadyState.probes,
      ...spec.guards.before,
      ...spec.guards.stopWhen.flatMap((c) => (c.probe ? [c.probe] : [])),
    ]);
    const own = new Set(spec.probes.map((p) => p.name));
    const probes = available.filter((p) => own.has(p.name) || named.has(p.name));
    experiments.push({
      name: metadata.name,
      labels: metadata.labels ?? {},
      annotations: metadata.annotations ?? {},
      file,
      hypothesis: spec.hypothesis,
      backend: spec.backend,
      targets,
      probes,
      steadyState: spec.steadyState,
      method: spec.method,
      guards: spec.guards,
      blastRadius: spec.blastRadius,
      policy,
      healthProbes,
      rollbacks: spec.rollbacks,
    });
  }
  errors.throwIfAny();
  return experiments;
}

/** Every experiment of a file. */
export function loadExperiments(file: string, options: LoadOptions = {}): Experiment[] {
  return parseExperiments(readText(file), file, options);
}

/** The one experiment of a file (the first when the file holds several). */
export function loadExperiment(file: string, options: LoadOptions = {}): Experiment {
  const [first] = loadExperiments(file, options);
  if (!first) throw new UserError(`${file}: holds no Experiment document`);
  return first;
}
