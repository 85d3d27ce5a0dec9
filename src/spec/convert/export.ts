/**
 * `faultline export FILE --to chaos-mesh|litmus`: experiments (and schedules) as the engine's own
 * manifests, for teams that apply them with kubectl or GitOps.
 *
 * Chaos Mesh: one fault step is one chaos object with its duration; a method with several steps is a
 * Workflow (a Serial entry of chaos templates with deadlines, Suspend for pauses, Parallel for parallel
 * groups), and an HTTP probe in guards.stopWhen becomes a Continuous StatusCheck beside it that aborts
 * the workflow; a Schedule becomes a Chaos Mesh Schedule.
 * Litmus: one fault step is one ChaosEngine, carrying the probes Litmus can express; a method with several
 * steps is a Litmus workflow (an Argo Workflow as ChaosCenter runs them: groups of steps in order, the
 * engines of a parallel group together, suspend for pauses; see litmus-workflow.ts); a Schedule becomes a
 * ChaosSchedule (chaos-scheduler) around the engine of its one fault step.
 *
 * Here the engine owns the duration (no faultline is around), so it is written into the objects.
 */

import { requireSupport } from '../../backends/kubernetes/catalogue.js';
import { compileChaosMesh } from '../../backends/kubernetes/chaos-mesh/compile.js';
import type { Compiled, CompileInput, Selection } from '../../backends/kubernetes/compile.js';
import { compileLitmus } from '../../backends/kubernetes/litmus/compile.js';
import { slug } from '../../backends/kubernetes/names.js';
import { goDuration, seconds } from '../../backends/kubernetes/params.js';
import { UserError } from '../../util/errors.js';
import { stringify } from '../../util/yaml.js';
import type { Experiment, ScheduleDefinition } from '../load.js';
import type { FaultStep, Selector, Step } from '../schema.js';
import { litmusNumberCriteria, probeToLitmus } from './litmus-probes.js';
import { chaosScheduleOf } from './litmus-schedule.js';
import { litmusWorkflowOf, type WorkflowStep } from './litmus-workflow.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form
type Doc = Record<string, any>;

export type ExportTarget = 'chaos-mesh' | 'litmus';

export interface ExportOptions {
  to: ExportTarget;
  /** where the objects go (default spec.kubernetes.namespace, else default) */
  namespace?: string;
}

export interface Exported {
  source: string;
  manifests: Doc[];
  notes: string[];
}

const EMBED_KEY: Record<string, string> = {
  NetworkChaos: 'networkChaos',
  PodChaos: 'podChaos',
  StressChaos: 'stressChaos',
  TimeChaos: 'timeChaos',
  IOChaos: 'ioChaos',
  HTTPChaos: 'httpChaos',
  DNSChaos: 'dnsChaos',
};

/** The step's selection for the engine; on backend local, a target's names become its labels. */
function selectionOf(experiment: Experiment, step: FaultStep, where: string): Selection {
  const selector: Selector | undefined = step.selector ? { ...step.selector } : undefined;
  if (experiment.backend === 'local' && selector?.names) {
    const labelSets = selector.names.map((n) => experiment.targets.find((t) => t.name === n)?.labels ?? {});
    const first = JSON.stringify(labelSets[0]);
    if (!labelSets.every((l) => JSON.stringify(l) === first) || !Object.keys(labelSets[0] ?? {}).length) {
      throw new UserError(
        `${where}: selector names [${selector.names.join(', ')}] cannot be expressed as pod labels; give the targets labels (the same for all of them) or select by labels`,
      );
    }
    selector.labels = { ...labelSets[0], ...selector.labels };
    delete selector.names;
  }
  // the engines take a pod list as it is and ignore every other selector beside it (Chaos Mesh: SelectPods
  // in pkg/selector/pod/selector.go returns selector.pods alone; Litmus: selectors.pods), so a step that asks
  // for both would hit pods its labels exclude
  const narrowing = (['labels', 'labelSelectors', 'fieldSelectors', 'annotationSelectors', 'podPhaseSelectors'] as const).filter(
    (key) => selector?.[key] !== undefined && Object.keys(selector[key] as object).length > 0,
  );
  if ((selector?.names || selector?.pods) && narrowing.length) {
    throw new UserError(
      `${where}: selector ${selector.names ? 'names' : 'pods'} with ${narrowing.join(', ')} cannot be exported: the engines take a list of pods as it is and ignore ${narrowing.join(', ')} beside it, so pods the labels exclude would be hit; select by names or pods only, or by labels only`,
    );
  }
  return { selector, mode: step.mode, value: step.value };
}

function faultSteps(method: readonly Step[]): FaultStep[] {
  return method.flatMap((s) => (s.kind === 'fault' ? [s] : s.kind === 'parallel' ? s.steps : []));
}

function compile(
  experiment: Experiment,
  step: FaultStep,
  where: string,
  to: ExportTarget,
  name: string,
  namespace: string,
  durationMs: number | null,
): Compiled {
  requireSupport(step.fault, to, where);
  const input: CompileInput = {
    fault: step.fault,
    params: (step.params ?? {}) as Record<string, unknown>,
    step,
    where,
    name,
    namespace,
    labels: {},
    selection: selectionOf(experiment, step, where),
    durationMs,
    kubernetes: experiment.kubernetes ?? {},
    experiment: experiment.name,
  };
  return to === 'litmus' ? compileLitmus(input) : compileChaosMesh(input);
}

type StressPair = [FaultStep, FaultStep];

/**
 * The steps of a parallel group, each stress.cpu and stress.memory on the same pods for the same time paired:
 * one StressChaos with both stressors, as Chaos Mesh runs them together (two objects whose mode picks pods
 * could pick different ones).
 */
function pairStress(steps: readonly FaultStep[]): (FaultStep | StressPair)[] {
  const same = (s: FaultStep) => JSON.stringify([s.selector, s.mode, s.value, s.durationMs, s.kubernetes ?? {}]);
  const paired = new Set<FaultStep>();
  const out: (FaultStep | StressPair)[] = [];
  for (const step of steps) {
    if (paired.has(step)) continue;
    const other = { 'stress.cpu': 'stress.memory', 'stress.memory': 'stress.cpu' }[step.fault];
    const mate = steps.find((s) => s.fault === other && !paired.has(s) && same(s) === same(step));
    if (!mate) {
      out.push(step);
      continue;
    }
    paired.add(mate);
    out.push(step.fault === 'stress.cpu' ? [step, mate] : [mate, step]);
  }
  return out;
}

/** A parallel group that is one stress pair, or null. */
function stressPair(step: Step): StressPair | null {
  if (step.kind !== 'parallel') return null;
  const [only, ...rest] = pairStress(step.steps);
  return Array.isArray(only) && !rest.length ? only : null;
}

/** The name of a pair's StressChaos: what its steps' names share (`burn` of `burn-cpu` and `burn-memory`), else the cpu step's. */
function pairName([cpu, memory]: StressPair): string {
  let n = 0;
  while (n < cpu.name.length && cpu.name[n] === memory.name[n]) n++;
  return cpu.name.slice(0, n).replace(/[-_.]+$/, '') || cpu.name;
}

function compileStressPair(
  experiment: Experiment,
  [cpu, memory]: StressPair,
  where: string,
  name: string,
  namespace: string,
  durationMs: number | null,
): Compiled {
  const compiled = compile(experiment, cpu, where, 'chaos-mesh', name, namespace, durationMs);
  const other = compile(experiment, memory, where, 'chaos-mesh', name, namespace, durationMs);
  compiled.body.spec.stressors = { ...compiled.body.spec.stressors, ...other.body.spec.stressors };
  return { ...compiled, summary: `${compiled.summary}; ${other.summary}` };
}

function unique(names: Set<string>, wanted: string): string {
  let name = slug(wanted, 50);
  for (let i = 2; names.has(name); i++) name = `${slug(wanted, 46)}-${i}`;
  names.add(name);
  return name;
}

function stepMs(step: Step): number {
  if (step.kind === 'fault') return step.durationMs ?? 0;
  if (step.kind === 'pause') return step.durationMs;
  if (step.kind === 'parallel') return Math.max(0, ...step.steps.map((s) => s.durationMs ?? 0));
  return 0;
}

/** HTTP probes that a stop condition watches, as Chaos Mesh StatusCheck templates. */
function statusChecks(experiment: Experiment, totalMs: number, names: Set<string>, notes: string[]): Doc[] {
  const out: Doc[] = [];
  for (const condition of experiment.guards.stopWhen) {
    const probe = experiment.probes.find((p) => p.name === condition.probe);
    if (!probe) {
      if (condition.alert) notes.push(`stop condition on alert ${condition.alert} not exported (Chaos Mesh has no alert input)`);
      continue;
    }
    const config = probe.config as Doc;
    if (probe.type !== 'http' || !['GET', 'POST'].includes(config.method)) {
      notes.push(`stop condition on probe ${probe.name} (${probe.type}) not exported: a Chaos Mesh StatusCheck is an HTTP GET or POST`);
      continue;
    }
    const status = (probe.expect as Doc)?.status;
    const criteria = litmusNumberCriteria(status, ['between', '200,299']);
    const statusCode = criteria?.[0] === '==' ? criteria[1] : criteria?.[0] === 'between' ? criteria[1].replace(',', '-') : undefined;
    if (!statusCode) {
      notes.push(`stop condition on probe ${probe.name}: its status expectation is not a code or a range; not exported`);
      continue;
    }
    if (condition.consecutiveFailures === undefined)
      notes.push(
        `stop condition on probe ${probe.name}: exported as 3 consecutive failures (a StatusCheck counts consecutive failures, not a failure rate)`,
      );
    // a header's value as one line (net/http sends each value of the list as a line of its own)
    const headers = config.headers && Object.fromEntries(Object.entries(config.headers as Doc).map(([name, value]) => [name, [value]]));
    out.push({
      name: unique(names, probe.name),
      templateType: 'StatusCheck',
      deadline: goDuration(totalMs),
      abortWithStatusCheck: true,
      statusCheck: {
        // a start-of-test probe is checked until it answers (a Synchronous check), any other all along
        mode: probe.mode === 'SOT' ? 'Synchronous' : 'Continuous',
        type: 'HTTP',
        duration: goDuration(totalMs),
        intervalSeconds: seconds(probe.intervalMs),
        timeoutSeconds: seconds(probe.timeoutMs),
        failureThreshold: condition.consecutiveFailures ?? 3,
        http: {
          url: config.url,
          method: config.method,
          ...(headers ? { headers } : {}),
          ...(config.body ? { body: config.body } : {}),
          criteria: { statusCode },
        },
      },
    });
  }
  return out;
}

/** A Chaos Mesh Workflow spec for a method. */
function workflowSpec(experiment: Experiment, namespace: string, notes: string[]): Doc {
  const names = new Set<string>(['main']);
  const templates: Doc[] = [];
  const chaosTemplate = (step: FaultStep, where: string, pair?: StressPair): string => {
    const name = unique(names, step.name);
    const compiled = pair
      ? compileStressPair(experiment, pair, where, name, namespace, null)
      : compile(experiment, step, where, 'chaos-mesh', name, namespace, null);
    let deadline = step.durationMs;
    if (deadline === null) {
      if (!compiled.oneShot)
        throw new UserError(`${where}: give the step a duration: a Chaos Mesh workflow ends a chaos node only at its deadline`);
      deadline = 5000;
      notes.push(`${where}: ${step.name} has no duration; its workflow node gets a deadline of 5s`);
    }
    templates.push({
      name,
      templateType: compiled.ref.kind,
      deadline: goDuration(deadline),
      [EMBED_KEY[compiled.ref.kind] as string]: compiled.body.spec,
    });
    return name;
  };
  const children = experiment.method.map((step, i) => {
    const where = `spec.method[${i}]`;
    if (step.kind === 'fault') return chaosTemplate(step, where);
    if (step.kind === 'pause') {
      const name = unique(names, step.name);
      templates.push({ name, templateType: 'Suspend', deadline: goDuration(step.durationMs) });
      return name;
    }
    const pair = stressPair(step);
    if (pair) return chaosTemplate({ ...pair[0], name: step.name }, where, pair);
    if (step.kind === 'parallel') {
      const name = unique(names, step.name);
      const parallel: Doc = { name, templateType: 'Parallel', children: [] };
      templates.push(parallel); // before its children, as people write workflows
      const at = (s: FaultStep) => `${where}.parallel[${step.steps.indexOf(s)}]`;
      parallel.children = pairStress(step.steps).map((s) =>
        Array.isArray(s) ? chaosTemplate({ ...s[0], name: pairName(s) }, at(s[0]), s) : chaosTemplate(s, at(s)),
      );
      return name;
    }
    throw new UserError(`${where}: a ${step.kind} step cannot be exported to Chaos Mesh`);
  });
  const totalMs = experiment.method.reduce((sum, s) => sum + stepMs(s), 0);
  const checks = statusChecks(experiment, totalMs, names, notes);
  const main = { name: 'main', templateType: 'Serial', children };
  if (!checks.length) return { entry: 'main', templates: [main, ...templates] };
  return {
    entry: 'entry',
    templates: [
      { name: 'entry', templateType: 'Parallel', children: [...checks.map((c) => c.name), 'main'] },
      main,
      ...checks,
      ...templates,
    ],
  };
}

function probeNotes(experiment: Experiment, notes: string[], exportedStatusChecks: boolean): void {
  const watched = new Set(experiment.guards.stopWhen.map((c) => c.probe));
  const rest = experiment.probes.filter((p) => !(exportedStatusChecks && watched.has(p.name)));
  if (rest.length) {
    notes.push(
      `probes ${rest.map((p) => p.name).join(', ')} not exported: a Chaos Mesh object has no hypothesis; run the experiment with faultline (backend kubernetes) to judge it`,
    );
  }
  if (experiment.rollbacks.length) notes.push('rollbacks not exported');
}

function exportChaosMesh(experiment: Experiment, namespace: string, notes: string[]): Doc {
  const steps = experiment.method;
  const watched = experiment.guards.stopWhen.some((c) => experiment.probes.find((p) => p.name === c.probe)?.type === 'http');
  const pair = steps.length === 1 ? stressPair(steps[0] as Step) : null;
  if (pair && !watched) {
    const compiled = compileStressPair(experiment, pair, 'spec.method[0]', slug(experiment.name, 63), namespace, pair[0].durationMs);
    probeNotes(experiment, notes, false);
    return compiled.body;
  }
  const single = steps.length === 1 && steps[0]?.kind === 'fault';
  if (single && !watched) {
    const step = steps[0] as FaultStep;
    const compiled = compile(experiment, step, 'spec.method[0]', 'chaos-mesh', slug(experiment.name, 63), namespace, step.durationMs);
    if (step.durationMs === null && !compiled.oneShot) notes.push('the step has no duration: the object runs until it is deleted');
    probeNotes(experiment, notes, false);
    return compiled.body;
  }
  const spec = workflowSpec(experiment, namespace, notes);
  probeNotes(experiment, notes, spec.entry === 'entry');
  return { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Workflow', metadata: { name: slug(experiment.name, 63), namespace }, spec };
}

/** The ChaosEngine of each fault step, in the method's order, each named after its step. */
function litmusEngines(experiment: Experiment, namespace: string, notes: string[]): Map<FaultStep, { name: string; engine: Doc }> {
  const steps = faultSteps(experiment.method);
  const probes = experiment.probes.flatMap((p) => probeToLitmus(p, notes) ?? []);
  if (experiment.guards.stopWhen.length)
    notes.push('stop conditions not exported: give a Litmus probe stopOnFailure: true to stop the engine');
  const names = new Set<string>(['main']);
  return new Map(
    steps.map((step) => {
      const name = steps.length === 1 ? slug(experiment.name, 63) : unique(names, step.name);
      if (step.durationMs === null) notes.push(`${step.name}: no duration; TOTAL_CHAOS_DURATION is 30s`);
      const compiled = compile(experiment, step, `step ${step.name}`, 'litmus', name, namespace, step.durationMs ?? 30_000);
      if (probes.length) compiled.body.spec.experiments[0].spec.probe = probes;
      // what the engine does differently from faultline's own fault, said where the compiler knows it
      if (step.fault === 'disk.fill') notes.push(`${step.name}: ${compiled.summary}`);
      return [step, { name, engine: compiled.body }];
    }),
  );
}

/** One fault step: its ChaosEngine; several steps, pauses or parallel groups: a Litmus workflow of them. */
function exportLitmus(experiment: Experiment, namespace: string, notes: string[]): Doc {
  const engines = litmusEngines(experiment, namespace, notes);
  const only = experiment.method.length === 1 && experiment.method[0]?.kind === 'fault' ? engines.get(experiment.method[0]) : undefined;
  if (only) return only.engine;
  const names = new Set<string>(['main', ...[...engines.values()].map((e) => e.name)]);
  const groups: WorkflowStep[][] = experiment.method.map((step, i) => {
    if (step.kind === 'fault') return [engines.get(step) as WorkflowStep];
    if (step.kind === 'parallel') return step.steps.map((s) => engines.get(s) as WorkflowStep);
    if (step.kind === 'pause') return [{ name: unique(names, step.name), pauseMs: step.durationMs }];
    throw new UserError(`spec.method[${i}]: a ${step.kind} step cannot be exported to Litmus`);
  });
  notes.push(
    `a Litmus workflow (Argo Workflow) of ${engines.size} ChaosEngines: run it where ChaosCenter (or Argo Workflows with the argo-chaos service account) runs workflows, with the ChaosExperiments of its faults installed in ${namespace}`,
  );
  return litmusWorkflowOf(slug(experiment.name, 63), namespace, groups);
}

export function exportExperiment(experiment: Experiment, options: ExportOptions): Exported {
  const notes: string[] = [];
  const namespace = options.namespace ?? experiment.kubernetes?.namespace ?? 'default';
  const manifests = [options.to === 'litmus' ? exportLitmus(experiment, namespace, notes) : exportChaosMesh(experiment, namespace, notes)];
  return { source: `Experiment ${experiment.name}`, manifests, notes };
}

export function exportSchedule(schedule: ScheduleDefinition, options: ExportOptions): Exported {
  if (!('inline' in schedule.experiment)) {
    throw new UserError(
      `Schedule ${schedule.name} names experiment ${schedule.experiment.ref}; export the file that defines it, or write it inline`,
    );
  }
  const experiment = schedule.experiment.inline;
  const notes: string[] = [];
  const namespace = options.namespace ?? experiment.kubernetes?.namespace ?? 'default';
  if (options.to === 'litmus') {
    const engines = [...litmusEngines(experiment, namespace, notes).values()].map((e) => e.engine);
    if (engines.length !== 1 || experiment.method.length !== 1) {
      throw new UserError(
        `Schedule ${schedule.name}: a Litmus ChaosSchedule runs one ChaosEngine, and its experiment has ${experiment.method.length} steps (${engines.length} of them faults); schedule one fault step, or export --to chaos-mesh, whose Schedule runs a Workflow`,
      );
    }
    return { source: `Schedule ${schedule.name}`, manifests: [chaosScheduleOf(schedule, engines[0] as Doc, namespace, notes)], notes };
  }
  const object = exportChaosMesh(experiment, namespace, notes);
  const embedded =
    object.kind === 'Workflow'
      ? { type: 'Workflow', workflow: object.spec }
      : { type: object.kind, [EMBED_KEY[object.kind] as string]: object.spec };
  const cron = schedule.timeZone && schedule.timeZone !== 'UTC' ? `CRON_TZ=${schedule.timeZone} ${schedule.cron}` : schedule.cron;
  const w = schedule.window;
  if (w.start || w.end || w.workDays || w.workHours || w.minIntervalMs)
    notes.push(
      'the schedule window (time range, work days and hours, minimum interval) is not exported: Chaos Mesh schedules by cron only',
    );
  return {
    source: `Schedule ${schedule.name}`,
    manifests: [
      {
        apiVersion: 'chaos-mesh.org/v1alpha1',
        kind: 'Schedule',
        metadata: {
          name: slug(schedule.name, 63),
          namespace,
          ...(schedule.suspend ? { annotations: { 'experiment.chaos-mesh.org/pause': 'true' } } : {}),
        },
        spec: {
          schedule: cron,
          concurrencyPolicy: schedule.concurrencyPolicy,
          historyLimit: schedule.historyLimit,
          startingDeadlineSeconds: seconds(schedule.startingDeadlineMs),
          ...embedded,
        },
      },
    ],
    notes,
  };
}

/** Manifests as one multi-document YAML, each exported source with its notes as comments. */
export function renderExport(list: readonly Exported[], to: ExportTarget): string {
  return list
    .flatMap((e) =>
      e.manifests.map((m, i) => {
        const header =
          i === 0
            ? [`# faultline export --to ${to} of ${e.source}`, ...e.notes.map((n) => `# not exported: ${n}`)].join('\n')
            : `# ${e.source}, part ${i + 1}`;
        return `${header}\n${stringify(m, { lineWidth: 0 })}`;
      }),
    )
    .join('---\n');
}
