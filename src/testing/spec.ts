/**
 * What `inject()` is given, turned into a one-step experiment through the same loader as a YAML file:
 * the project file's targets, protected targets and policy apply, every default is the format's, and
 * a mistake is found before anything is applied. The loader's messages name places in an experiment
 * document (`spec.method[0].params.latency`); here they are renamed to the option the caller wrote
 * (`params.latency`) and thrown as one `FaultSpecError`.
 */
import type { Experiment } from '../spec/load.js';
import { parseExperiments } from '../spec/load.js';
import type { FaultStep, ProbeSpec, Selector, TargetSpec } from '../spec/schema.js';
import { UserError, UserErrors } from '../util/errors.js';

/** A target written inline: the same fields as a target of an experiment file (`name` may be left out). */
export type TargetInput = Partial<Omit<TargetSpec, 'labels' | 'protected'>> & { labels?: Record<string, string> };

export interface InjectOptions {
  /** a fault of the catalogue: `network.latency`, `process.pause`, `http.abort`, ... */
  fault: string;
  /** the target, inline (`{ endpoint: { listen, upstream } }`), or the name of a target of the project file */
  target?: TargetInput | string;
  /** or a selector over the project file's targets (`{ labels: { app: payments } }`) */
  selector?: Selector;
  /** how many of the selected targets are hit (default one), as in an experiment */
  mode?: 'one' | 'all' | 'fixed' | 'fixed-percent' | 'random-max-percent';
  value?: number | string;
  /** the fault's parameters, as in an experiment (`{ latency: '300ms' }`) */
  params?: Record<string, unknown>;
  /** reverted by itself after this long (`'2s'` or milliseconds); omitted: held until `revert()` */
  duration?: string | number;
  /** names the fault in the journal and in reports (default: the fault) */
  name?: string;
  /**
   * how long to wait for a run or another test process that holds a lock on the target (`'10s'` or
   * milliseconds), as `guards.lock.wait` does for a run; default 0: refused at once
   */
  lockWait?: string | number;
  /** the project file; default `faultline.yaml` in the working directory, if any; null for none */
  project?: string | null;
  /** `kubernetes` drives Chaos Mesh or Litmus (selector namespaces, labelSelectors...); default local */
  backend?: 'local' | 'kubernetes';
  /** backend kubernetes: engine, namespace, context (`spec.kubernetes` of an experiment) */
  kubernetes?: Record<string, unknown>;
}

export interface FaultSpecProblem {
  /** the option at fault: `fault`, `params.latency`, `target.endpoint.listen`, `selector`, `duration` */
  field: string;
  message: string;
}

/** A fault spec that cannot be applied; thrown before anything changes. `field` is the first field at fault. */
export class FaultSpecError extends UserError {
  readonly field: string;
  readonly problems: FaultSpecProblem[];
  constructor(problems: FaultSpecProblem[]) {
    super(problems.map((p) => (p.field ? `inject: ${p.field}: ${p.message}` : `inject: ${p.message}`)).join('\n'));
    this.name = 'FaultSpecError';
    this.problems = problems;
    this.field = problems[0]?.field ?? '';
  }
}

/** The target name given to an inline target without one. */
const INLINE_TARGET = 'target';

/** `<input>:3:12: spec.method[0].params.latency: message` -> `{ field: 'params.latency', message }`. */
function problemOf(line: string): FaultSpecProblem {
  const text = line.replace(/^<input>:\d+:\d+: /, '');
  const match = /^(spec(?:\.[\w-]+|\[\d+\])*): (.*)$/s.exec(text);
  if (!match) return { field: '', message: text };
  const field = (match[1] as string)
    .replace(/^spec\.method\[0\]\.?/, '')
    .replace(/^spec\.targets\[0\]/, 'target')
    .replace(/^spec\.probes\[0\]/, 'probe')
    .replace(/^spec\.kubernetes/, 'kubernetes')
    .replace(/^spec\.guards\.lock\.wait/, 'lockWait')
    .replace(/^spec\.backend/, 'backend');
  return { field, message: (match[2] as string).replace('under spec.targets or in faultline.yaml', 'as target, or in faultline.yaml') };
}

function stepOf(options: InjectOptions, selector: Selector | undefined): Record<string, unknown> {
  const step: Record<string, unknown> = { name: options.name ?? options.fault, fault: options.fault };
  if (selector) step.selector = selector;
  if (options.mode !== undefined) step.mode = options.mode;
  if (options.value !== undefined) step.value = options.value;
  if (options.params !== undefined) step.params = options.params;
  if (options.duration !== undefined) step.duration = options.duration;
  return step;
}

/** The one-step experiment of an `inject()` call, and its fault step. Throws FaultSpecError. */
export function experimentOf(options: InjectOptions): { experiment: Experiment; step: FaultStep } {
  if (typeof options !== 'object' || options === null)
    throw new FaultSpecError([{ field: '', message: 'expected { fault, target | selector, params }' }]);
  if (options.target !== undefined && options.selector !== undefined) {
    throw new FaultSpecError([{ field: 'selector', message: 'give either target or selector, not both' }]);
  }
  const inline = typeof options.target === 'object' && options.target !== null ? { name: INLINE_TARGET, ...options.target } : undefined;
  const selector =
    options.selector ?? (inline ? { names: [inline.name] } : typeof options.target === 'string' ? { names: [options.target] } : undefined);
  const document = {
    apiVersion: 'faultline.dev/v1',
    kind: 'Experiment',
    metadata: { name: 'inject' },
    spec: {
      hypothesis: 'held by a test',
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.kubernetes ? { kubernetes: options.kubernetes } : {}),
      ...(options.lockWait !== undefined ? { guards: { lock: { wait: options.lockWait } } } : {}),
      targets: inline ? [inline] : [],
      method: [stepOf(options, selector)],
    },
  };
  const experiment = parse(document, options.project);
  const step = experiment?.method[0];
  if (!experiment || step?.kind !== 'fault') throw new FaultSpecError([{ field: 'fault', message: 'expected one fault' }]);
  return { experiment, step };
}

/** Loads an experiment document given as an object; its errors become one FaultSpecError. */
function parse(document: object, project: string | null | undefined): Experiment | undefined {
  try {
    // JSON is YAML: the loader reads it as it reads a file
    return parseExperiments(JSON.stringify(document), null, { project })[0];
  } catch (error) {
    if (error instanceof UserErrors) throw new FaultSpecError(error.messages.map(problemOf));
    if (error instanceof UserError) throw new FaultSpecError([problemOf(error.message)]);
    throw error;
  }
}

/** A probe as written in an experiment (`{ name, type: http, http: { url }, expect, interval }`). */
export type ProbeInput = Record<string, unknown> & { name: string; type: string };

/** A probe checked by the same loader as an experiment's; its errors name `probe.<field>`. */
export function probeOf(probe: ProbeInput, project?: string | null): ProbeSpec {
  const document = {
    apiVersion: 'faultline.dev/v1',
    kind: 'Experiment',
    metadata: { name: 'watch' },
    spec: { hypothesis: 'watched by a test', probes: [probe], method: [{ pause: '1ms' }] },
  };
  const parsed = parse(document, project)?.probes.find((p) => p.name === probe.name);
  if (!parsed) throw new FaultSpecError([{ field: 'probe', message: 'expected a probe' }]);
  return parsed;
}
