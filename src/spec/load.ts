/**
 * Loads experiment and project files: YAML with positions, `${ENV}` substitution, several documents
 * per file, validation by the format's schemas, references checked against the project file.
 * Every error of a file is reported at once as `file:line:column: path: message`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { NotificationSpec } from '../observe/notify/schema.js';
import type { ScheduleWindow } from '../schedule/window.js';
import { UserError, UserErrors } from '../util/errors.js';
import { inputName, readStdin, STDIN } from '../util/input-file.js';
import { didYouMean } from '../util/suggest.js';
import { type Document, isNode, isScalar, LineCounter, type Node, parse, visit } from '../util/yaml.js';
import type { z } from '../util/zod.js';
import { KUBERNETES_SELECTOR_KEYS } from './kubernetes.js';
import { formatPath, type Path, positionOf } from './positions.js';
import {
  API_VERSION,
  type BlastRadius,
  type ExperimentDocument,
  experimentSchema,
  type Policy,
  type ProbeSpec,
  type ProjectDocument,
  projectSchema,
  scheduleSchema,
  type TargetSpec,
} from './schema.js';
import { substituteEnv } from './substitute.js';
import { parseYamlDocuments, tooManyBytes } from './yaml-input.js';

export interface Experiment {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** the file it came from, or null when parsed from a string */
  file: string | null;
  hypothesis: string;
  backend: ExperimentDocument['spec']['backend'];
  /** backend kubernetes: engine, namespace, context, timeouts (absent: the defaults) */
  kubernetes?: ExperimentDocument['spec']['kubernetes'];
  /** the project's targets, then the experiment's own (which win on a name clash, but stay protected if the project's was) */
  targets: TargetSpec[];
  /** the project's protected targets that the experiment redefined: still protected by what they are */
  protectedTargets?: TargetSpec[];
  /** the experiment's own probes, and the project's probes that it names */
  probes: ProbeSpec[];
  steadyState: ExperimentDocument['spec']['steadyState'];
  /** the SLO the run is measured against (error budget, burn rate) */
  slo?: ExperimentDocument['spec']['slo'];
  /** figures the run must achieve, judged after it (`spec.objectives`) */
  objectives?: ExperimentDocument['spec']['objectives'];
  method: ExperimentDocument['spec']['method'];
  guards: ExperimentDocument['spec']['guards'];
  blastRadius: BlastRadius | undefined;
  /** the project's policy (blast radius, label lists, minHealthy, guards for every experiment) */
  policy: Policy | null;
  /** the probes that targets name as their `health`, by probe name (checked for policy minHealthy) */
  healthProbes: Record<string, ProbeSpec>;
  rollbacks: ExperimentDocument['spec']['rollbacks'];
  /** where the outcome is sent (Slack, PagerDuty, webhook): the project's `spec.notifications` */
  notifications: NotificationSpec[];
}

export interface Project {
  file: string;
  targets: TargetSpec[];
  probes: ProbeSpec[];
  policy: Policy | null;
  notifications: NotificationSpec[];
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

/**
 * A document kind that a higher layer adds (the programme layer's Programme and GameDay): validated by
 * its schema, then by `check`, with errors located like every other document's. The loader knows
 * nothing else of it, so the layers keep pointing one way.
 */
export interface DocumentKind<T = unknown> {
  kind: string;
  schema: () => z.ZodType<T>;
  /** checks of a valid document beyond its schema; `report` locates a message at a path of the document */
  check?: (value: T, context: { file: string | null; report: (path: Path, message: string) => void }) => void;
}

/** A valid document of a registered kind. */
export interface OtherDocument {
  kind: string;
  file: string | null;
  value: unknown;
}

const documentKinds = new Map<string, DocumentKind>();

export function registerDocumentKind<T>(kind: DocumentKind<T>): void {
  documentKinds.set(kind.kind, kind as DocumentKind);
}

/** The schemas of the registered kinds, in registration order (for the editors' JSON Schema). */
export function registeredDocumentSchemas(): z.ZodType[] {
  return [...documentKinds.values()].map((k) => k.schema());
}

interface ParsedDocument {
  doc: Document;
  index: number;
  kind: unknown;
  value: unknown;
}

const MAX_ERRORS_SHOWN = 100;

/** Collects located errors for one file. */
class ErrorList {
  readonly messages: string[] = [];
  private readonly order: number[] = [];
  /** where the document being checked sits in its YAML document (a schedule's inline experiment) */
  private prefix: Path = [];
  constructor(
    private readonly file: string,
    readonly lineCounter: LineCounter,
  ) {}
  /** a message at a line and column of the file */
  add(line: number, col: number, message: string) {
    this.order.push(line * 100_000 + col);
    this.messages.push(`${this.file}:${line}:${col}: ${message}`);
  }
  /** the same list, for a document nested at `prefix` of the YAML document */
  within(prefix: Path): ErrorList {
    const nested = Object.create(this) as ErrorList;
    nested.prefix = [...this.prefix, ...prefix];
    return nested;
  }
  at(doc: Document, relative: Path, message: string, key?: string) {
    const path = [...this.prefix, ...relative];
    const { line, col } = positionOf(doc, this.lineCounter, path, key);
    this.add(line, col, `${path.length || key ? `${formatPath(key ? [...path, key] : path)}: ` : ''}${message}`);
  }
  zod(doc: Document, error: z.ZodError) {
    // bounded: each located message costs a walk of the document, and only the first ones are shown
    for (const issue of error.issues.slice(0, MAX_ERRORS_SHOWN)) {
      if (issue.code === 'unrecognized_keys') {
        const lines = issue.message.split('\n');
        for (const key of issue.keys.slice(0, MAX_ERRORS_SHOWN))
          this.at(doc, issue.path, lines.find((m) => m.includes(JSON.stringify(key))) ?? issue.message, key);
        if (issue.keys.length > MAX_ERRORS_SHOWN)
          this.at(doc, issue.path, `and ${issue.keys.length - MAX_ERRORS_SHOWN} more unknown fields here`);
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
    // a hostile or broken file can hold thousands of mistakes: the first ones say what to fix
    const shown = keyed.slice(0, MAX_ERRORS_SHOWN).map((k) => k.message);
    const next = keyed[MAX_ERRORS_SHOWN];
    if (next) {
      // located where the first error not shown is, as every line of the list
      const where = next.message.slice(0, next.message.length - next.message.replace(/^.*?:\d+:\d+: /, '').length);
      shown.push(`${where}and ${keyed.length - MAX_ERRORS_SHOWN} more errors; fix these first`);
    }
    throw new UserErrors(shown);
  }
}

function readText(file: string): string {
  if (file === STDIN) {
    const text = readStdin();
    const tooBig = tooManyBytes(Buffer.byteLength(text));
    if (tooBig) throw new UserError(`<stdin>:1:1: ${tooBig}`);
    return text;
  }
  let tooBig: string | null = null;
  try {
    // refused before reading: a huge file would cost its whole read before inputTooLarge could say so
    tooBig = tooManyBytes(statSync(file).size);
    if (!tooBig) return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no such file; check the path`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a directory; give an experiment file`);
    throw new UserError(`${file}: cannot read: ${(error as Error).message}`);
  }
  throw new UserError(`${file}:1:1: ${tooBig}`);
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

/** The keys that repeat an earlier key of the same mapping, in one pass over the document. */
function duplicateKeys(doc: Document): { node: Node; key: string }[] {
  const found: { node: Node; key: string }[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const keyNode = pair.key;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        if (seen.has(key) && isNode(keyNode)) found.push({ node: keyNode, key });
        seen.add(key);
      }
    },
  });
  return found;
}

/** YAML syntax, then `${ENV}` substitution; every problem located. */
function parseYaml(text: string, file: string, env: NodeJS.ProcessEnv): { docs: ParsedDocument[]; errors: ErrorList } {
  const lineCounter = new LineCounter();
  const errors = new ErrorList(file, lineCounter);
  const docs: ParsedDocument[] = [];
  let all: ReturnType<typeof parseYamlDocuments>;
  try {
    all = parseYamlDocuments(text, { lineCounter, prettyErrors: false });
  } catch (error) {
    if (error instanceof UserError) {
      errors.add(1, 1, error.message);
      return { docs, errors };
    }
    // the parser recurses: a hostile file nested thousands of levels deep exhausts the stack
    errors.add(
      1,
      1,
      `YAML: cannot parse the file (${error instanceof RangeError ? 'nested too deeply' : (error as Error).message}); simplify its structure`,
    );
    return { docs, errors };
  }
  const list = Array.isArray(all) ? all : [];
  list.forEach((doc, index) => {
    for (const error of doc.errors) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      errors.add(line, col, `YAML syntax: ${error.message.split('\n')[0]}`);
    }
    if (doc.errors.length || doc.contents === null) return;
    let envMissing = false;
    for (const { node, key } of duplicateKeys(doc)) {
      const { line, col } = lineCounter.linePos(node.range?.[0] ?? 0);
      errors.add(line, col, `duplicate key ${JSON.stringify(key)}; a key may appear once in a mapping: remove or rename one`);
    }
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
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // an alias to an undefined anchor, or an alias bomb past maxAliasCount
      const { line, col } = lineCounter.linePos(doc.range?.[0] ?? 0);
      errors.add(line, col, `YAML: ${(error as Error).message.split('\n')[0]}; check the document's anchors (&name) and aliases (*name)`);
      return;
    }
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
    notifications: projects.flatMap((p) => p.spec.notifications),
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

/** Two documents of one kind with one name in a file: the later one would silently replace the first. */
function checkUniqueNames(items: readonly { name: string }[], docs: readonly Document[], errors: ErrorList, kind: string) {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const earlier = first.get(item.name);
    if (earlier === undefined) first.set(item.name, i);
    else {
      const { line } = positionOf(docs[earlier] as Document, errors.lineCounter, ['metadata', 'name']);
      errors.at(
        docs[i] as Document,
        ['metadata', 'name'],
        `a second ${kind} named "${item.name}" (the first is at line ${line}); names are unique in a file: rename one`,
      );
    }
  });
}

function checkDuplicates(doc: Document, errors: ErrorList, items: { name: string }[], path: string[]) {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) errors.at(doc, [...path, i, 'name'], `duplicate name "${item.name}"`);
    seen.add(item.name);
  });
}

/** `spec.slo` names a sampled probe; a burnRate stop condition needs `spec.slo`. */
function checkSlo(
  doc: Document,
  errors: ErrorList,
  spec: ExperimentDocument['spec'],
  probes: ProbeSpec[],
  probeRef: (name: string, path: Path) => void,
) {
  const slo = spec.slo;
  if (slo) {
    probeRef(slo.probe, ['spec', 'slo', 'probe']);
    const mode = probes.find((p) => p.name === slo.probe)?.mode;
    if (mode && mode !== 'Continuous' && mode !== 'OnChaos') {
      const why = `probe "${slo.probe}" has mode ${mode}; the SLI is measured on a Continuous or OnChaos probe`;
      errors.at(doc, ['spec', 'slo', 'probe'], why);
    }
  }
  for (const [i, c] of spec.guards.stopWhen.entries()) {
    if (c.burnRate && !slo) {
      const why = 'a burnRate stop condition needs spec.slo: { objective, window, probe }';
      errors.at(doc, ['spec', 'guards', 'stopWhen', i, 'burnRate'], why);
    }
  }
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
  checkSlo(doc, errors, spec, probes, probeRef);
  for (const [i, t] of spec.targets.entries()) if (t.health) probeRef(t.health, ['spec', 'targets', i, 'health']);
  spec.method.forEach((step, i) => {
    const faultSteps =
      step.kind === 'parallel'
        ? step.steps.map((s, j) => [s, ['spec', 'method', i, 'parallel', j]] as const)
        : step.kind === 'fault'
          ? [[step, ['spec', 'method', i]] as const]
          : step.kind === 'progressive'
            ? step.stages.slice(0, 1).map((s) => [s.step, ['spec', 'method', i, 'progressive']] as const)
            : [];
    if (step.kind === 'progressive' && spec.steadyState.probes.length === 0) {
      errors.at(
        doc,
        ['spec', 'method', i, 'progressive'],
        'a progressive step judges each stage on the steady state: name its probes under spec.steadyState.probes',
      );
    }
    for (const [faultStep, path] of faultSteps) {
      if (spec.backend === 'kubernetes') continue; // names are pod names there, not targets
      for (const key of KUBERNETES_SELECTOR_KEYS) {
        if (faultStep.selector?.[key] !== undefined) {
          errors.at(
            doc,
            [...path, 'selector', key],
            `${key} selects pods: it needs backend: kubernetes${key === 'labelSelectors' ? '; for local targets write labels' : ''}`,
          );
        }
      }
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
  return parseDocuments(text, file, options).experiments;
}

/** Parses every Experiment and Schedule document of `text`; all their errors are reported together. */
export function parseDocuments(text: string, file: string | null, options: LoadOptions = {}): ParsedDocuments {
  const env = options.env ?? process.env;
  const shownFile = file ?? '<input>';
  const { docs, errors } = parseYaml(text, shownFile, env);
  const project = findProject(options.project, file, env);
  const inlineProjects = docs.filter((d) => d.kind === 'Project');
  const inline = inlineProjects.map((d) => {
    const result = projectSchema().safeParse(d.value);
    if (!result.success) errors.zod(d.doc, result.error);
    return result.success ? result.data.spec : { targets: [], probes: [], policy: undefined, notifications: [] };
  });
  const policy = inline.find((p) => p.policy)?.policy ?? project?.policy ?? null;
  const notifications = [...(project?.notifications ?? []), ...inline.flatMap((p) => p.notifications)];
  const sharedTargets = mergeByName(
    project?.targets ?? [],
    inline.flatMap((p) => p.targets),
  );
  const sharedProbes = mergeByName(
    project?.probes ?? [],
    inline.flatMap((p) => p.probes),
  );

  const experiments: Experiment[] = [];
  const schedules = scheduleDocuments(docs, errors, file);
  const others = registeredDocuments(docs, errors, file);
  const topLevel = docs.filter(
    (parsed) =>
      parsed.kind !== 'Project' &&
      !isScheduleDocument(parsed) &&
      !documentKinds.has(String(parsed.kind)) &&
      checkKind(parsed, errors, ['Experiment', 'Project', ...documentKinds.keys()]),
  );
  const sources = [
    ...topLevel.map((parsed) => ({ parsed, errors, schedule: undefined as ScheduleDefinition | undefined })),
    ...schedules.inline,
  ];
  const experimentDocs: Document[] = [];
  for (const { parsed, errors, schedule } of sources) {
    const result = experimentSchema().safeParse(parsed.value);
    if (!result.success) {
      errors.zod(parsed.doc, result.error);
      continue;
    }
    const { metadata, spec } = result.data;
    checkDuplicates(parsed.doc, errors, spec.targets, ['spec', 'targets']);
    checkDuplicates(parsed.doc, errors, spec.probes, ['spec', 'probes']);
    // protection set in the project cannot be lifted by an experiment: a redefined target stays protected,
    // and the project's own definition of it is still resolved and protected (engine/identity.ts)
    const overridden = sharedTargets.filter((t) => t.protected && spec.targets.some((own) => own.name === t.name));
    const targets = mergeByName(sharedTargets, spec.targets).map((t) =>
      overridden.some((o) => o.name === t.name) ? { ...t, protected: true } : t,
    );
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
      ...(spec.slo ? [spec.slo.probe] : []),
    ]);
    const own = new Set(spec.probes.map((p) => p.name));
    const probes = available.filter((p) => own.has(p.name) || named.has(p.name));
    const built: Experiment = {
      name: metadata.name,
      labels: metadata.labels ?? {},
      annotations: metadata.annotations ?? {},
      file,
      hypothesis: spec.hypothesis,
      backend: spec.backend,
      kubernetes: spec.kubernetes,
      targets,
      ...(overridden.length ? { protectedTargets: overridden } : {}),
      probes,
      steadyState: spec.steadyState,
      ...(spec.slo ? { slo: spec.slo } : {}),
      ...(spec.objectives ? { objectives: spec.objectives } : {}),
      method: spec.method,
      guards: spec.guards,
      blastRadius: spec.blastRadius,
      policy,
      healthProbes,
      rollbacks: spec.rollbacks,
      notifications,
    };
    if (schedule) schedule.experiment = { inline: built };
    else {
      experiments.push(built);
      experimentDocs.push(parsed.doc);
    }
  }
  checkUniqueNames(experiments, experimentDocs, errors, 'Experiment');
  checkUniqueNames(schedules.definitions, schedules.docs, errors, 'Schedule');
  errors.throwIfAny();
  return { experiments, schedules: schedules.definitions, others };
}

export interface ParsedDocuments {
  experiments: Experiment[];
  schedules: ScheduleDefinition[];
  /** documents of the kinds registered with `registerDocumentKind` */
  others: OtherDocument[];
}

function registeredDocuments(docs: readonly ParsedDocument[], errors: ErrorList, file: string | null): OtherDocument[] {
  const others: OtherDocument[] = [];
  for (const parsed of docs) {
    const kind = documentKinds.get(String(parsed.kind));
    if (!kind || !checkKind(parsed, errors, [kind.kind])) continue;
    const result = kind.schema().safeParse(parsed.value);
    if (!result.success) {
      errors.zod(parsed.doc, result.error);
      continue;
    }
    kind.check?.(result.data, { file, report: (path, message) => errors.at(parsed.doc, path, message) });
    others.push({ kind: kind.kind, file, value: result.data });
  }
  return others;
}

/** A `kind: Schedule` document (format v1), validated. */
export interface ScheduleDefinition {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  file: string | null;
  /** cron (5 or 6 fields), a nickname, or `@every DURATION` */
  cron: string;
  timeZone: string;
  /** the name of an experiment the daemon stores, or the experiment written inline */
  experiment: { ref: string } | { inline: Experiment };
  concurrencyPolicy: 'Forbid' | 'Allow';
  historyLimit: number;
  startingDeadlineMs: number;
  window: ScheduleWindow;
  suspend: boolean;
}

/** A faultline Schedule, not Chaos Mesh's (`chaos-mesh.org/v1alpha1`, which `faultline import` converts). */
function isScheduleDocument(parsed: ParsedDocument): boolean {
  const apiVersion = (parsed.value as { apiVersion?: unknown } | null)?.apiVersion;
  return parsed.kind === 'Schedule' && !(typeof apiVersion === 'string' && apiVersion.startsWith('chaos-mesh.org'));
}

/** Validates the Schedule documents; their inline experiments are returned to be built like top-level ones. */
function scheduleDocuments(docs: readonly ParsedDocument[], errors: ErrorList, file: string | null) {
  const definitions: ScheduleDefinition[] = [];
  const docsOfDefinitions: Document[] = [];
  const inline: { parsed: ParsedDocument; errors: ErrorList; schedule: ScheduleDefinition }[] = [];
  for (const parsed of docs.filter(isScheduleDocument)) {
    const result = scheduleSchema().safeParse(parsed.value);
    if (!result.success) {
      errors.zod(parsed.doc, result.error);
      continue;
    }
    const { metadata, spec } = result.data;
    const window = spec.window;
    const definition: ScheduleDefinition = {
      name: metadata.name,
      labels: metadata.labels ?? {},
      annotations: metadata.annotations ?? {},
      file,
      cron: spec.schedule.trim(),
      timeZone: spec.timeZone,
      experiment: typeof spec.experiment === 'string' ? { ref: spec.experiment } : { ref: metadata.name },
      concurrencyPolicy: spec.concurrencyPolicy,
      historyLimit: spec.historyLimit,
      startingDeadlineMs: spec.startingDeadline,
      window: {
        start: window?.timeRange?.start,
        end: window?.timeRange?.end,
        workDays: window?.workDays,
        workHours: window?.workHours,
        minIntervalMs: window?.minInterval,
      },
      suspend: spec.suspend,
    };
    definitions.push(definition);
    docsOfDefinitions.push(parsed.doc);
    if (typeof spec.experiment !== 'string') {
      // validated as an Experiment document of its own; errors point into the schedule
      const value = {
        apiVersion: API_VERSION,
        kind: 'Experiment',
        metadata: { name: metadata.name, ...spec.experiment.metadata },
        spec: spec.experiment.spec,
      };
      inline.push({
        parsed: { ...parsed, kind: 'Experiment', value },
        errors: errors.within(['spec', 'experiment']),
        schedule: definition,
      });
    }
  }
  return { definitions, docs: docsOfDefinitions, inline };
}

/** Every Experiment and Schedule document of a file. */
export function loadDocuments(file: string, options: LoadOptions = {}): ParsedDocuments {
  return parseDocuments(readText(file), inputName(file), options);
}

/** Every experiment of a file. */
export function loadExperiments(file: string, options: LoadOptions = {}): Experiment[] {
  return parseExperiments(readText(file), inputName(file), options);
}

/** The one experiment of a file (the first when the file holds several). */
export function loadExperiment(file: string, options: LoadOptions = {}): Experiment {
  const [first] = loadExperiments(file, options);
  if (!first) throw new UserError(`${inputName(file)}: holds no Experiment document`);
  return first;
}
