/**
 * Experiment format v1 (docs/experiment-format.md) as zod schemas: one source for runtime validation, the
 * TypeScript types and the JSON Schema that editors use. Fault params and probe blocks are checked by
 * the schema each fault or probe type registered, so this file never names a fault or a probe type.
 */

import { faultNames, findFault } from '../faults/index.js';
import { targetNeedOf } from '../faults/types.js';
import { findGuardType, type GuardType, guardTypeKeys } from '../guards/index.js';
import { notificationsSchema } from '../observe/notify/schema.js';
import { findProbeType, probeTypeNames } from '../probes/index.js';
import { cronError, timeZoneError } from '../schedule/cron.js';
import { parseWorkDays, parseWorkHours } from '../schedule/window.js';
import { didYouMean } from '../util/suggest.js';
import { z } from '../util/zod.js';
import { durationComparatorSchema, numberComparatorSchema } from './comparators.js';
import { dispatch, forwardIssues, withEditorView } from './dispatch.js';
import { byPresentKey } from './editor-schema.js';
import { faultStepView, probeView, progressiveView } from './editor-views.js';
import { argv, dnsName, duration, labels, percentString, referenceName, strict } from './fields.js';
import {
  type KubernetesStep,
  kubernetesSelectorFields,
  kubernetesSpecSchema,
  kubernetesStepSchema,
  namespacePolicySchema,
} from './kubernetes.js';
import { type TargetSpec, targetSchema } from './target.js';

export { type TargetSpec, targetSchema };

export const API_VERSION = 'faultline.dev/v1';

// A missing field reads as such, not as zod's "expected string, received undefined".
z.config({
  customError: (issue) =>
    issue.code === 'invalid_type' && issue.input === undefined ? `required field is missing (expected ${issue.expected})` : undefined,
});

// ---------- probes ----------

export const PROBE_MODES = ['SOT', 'EOT', 'Edge', 'Continuous', 'OnChaos'] as const;
export type ProbeMode = (typeof PROBE_MODES)[number];

const probeCommon = {
  name: referenceName,
  mode: z.enum(PROBE_MODES).default('Continuous'),
  interval: duration.default(1000).describe('time between samples of Continuous and OnChaos probes'),
  timeout: duration.optional().describe('time limit of one attempt (default 5s)'),
  initialDelay: duration.default(0),
  retry: z.number().int().min(1).default(1).describe('attempts per sample; the sample fails when all fail'),
  retryInterval: duration.default(0).describe('wait between two attempts of a sample (Litmus runProperties.interval)'),
  stopOnFailure: z.boolean().default(false).describe('end the run as failed at the first failing sample'),
};

export interface ProbeSpec {
  name: string;
  type: string;
  mode: ProbeMode;
  intervalMs: number;
  timeoutMs: number;
  initialDelayMs: number;
  retry: number;
  retryIntervalMs: number;
  stopOnFailure: boolean;
  /** the type's block (`http: {...}`), parsed by the type's schema */
  config: unknown;
  expect: unknown;
}

const DEFAULT_PROBE_TIMEOUT_MS = 5000;

function probeShape() {
  const typeBlocks = Object.fromEntries(probeTypeNames().map((t) => [t, z.unknown().optional()]));
  return strict({
    ...probeCommon,
    type: z.string().refine((type) => findProbeType(type) !== undefined, {
      error: (issue) => {
        const type = String(issue.input);
        return `unknown probe type ${JSON.stringify(type)}${didYouMean(type, probeTypeNames())}; known types: ${probeTypeNames().join(', ')}`;
      },
    }),
    ...typeBlocks,
    expect: z.unknown().optional(),
  });
}

function buildProbeSchema(): z.ZodType<ProbeSpec> {
  const checked = probeShape().transform((raw, ctx): ProbeSpec => {
    const probe = raw as Record<string, unknown> & z.infer<ReturnType<typeof probeShape>>;
    const probeType = findProbeType(probe.type);
    if (!probeType) return z.NEVER; // reported by the `type` field
    for (const other of probeTypeNames()) {
      if (other !== probe.type && probe[other] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [other],
          message: `a probe of type ${probe.type} takes a "${probe.type}" block, not "${other}"`,
        });
      }
    }
    if (probe[probe.type] === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: `a probe of type ${probe.type} needs a "${probe.type}:" block` });
      return z.NEVER;
    }
    const config = probeType.config.safeParse(probe[probe.type]);
    if (!config.success) forwardIssues(ctx, config.error, [probe.type]);
    const expect = probeType.expect.safeParse(probe.expect ?? {});
    if (!expect.success) forwardIssues(ctx, expect.error, ['expect']);
    if (!config.success || !expect.success) return z.NEVER;
    const blockTimeout = (config.data as { timeout?: number }).timeout;
    return {
      name: probe.name,
      type: probe.type,
      mode: probe.mode,
      intervalMs: probe.interval,
      timeoutMs: blockTimeout ?? probe.timeout ?? DEFAULT_PROBE_TIMEOUT_MS,
      initialDelayMs: probe.initialDelay,
      retry: probe.retry,
      retryIntervalMs: probe.retryInterval,
      stopOnFailure: probe.stopOnFailure,
      config: config.data,
      expect: expect.data,
    };
  });
  return dispatch<ProbeSpec>(
    () => checked as unknown as z.ZodType<ProbeSpec>,
    () => probeView(probeCommon),
  );
}

// ---------- method ----------

export const SELECTION_MODES = ['one', 'all', 'fixed', 'fixed-percent', 'random-max-percent'] as const;
export type SelectionMode = (typeof SELECTION_MODES)[number];

export const selectorSchema = strict({
  names: z.array(referenceName).min(1).optional(),
  labels: labels.optional(),
  ...kubernetesSelectorFields,
}).refine((s) => Object.values(s).some((v) => v !== undefined), {
  message: 'expected names or labels in the selector',
});
export type Selector = z.infer<typeof selectorSchema>;

const faultStepShape = {
  name: z.string().optional(),
  fault: z.string().refine((name) => findFault(name) !== undefined && !findFault(name)?.internal, {
    error: (issue) => {
      const name = String(issue.input);
      return `unknown fault ${JSON.stringify(name)}${didYouMean(name, faultNames())}; known faults: ${faultNames().join(', ')}`;
    },
  }),
  selector: selectorSchema.optional(),
  mode: z.enum(SELECTION_MODES).default('one').describe('how many of the matched targets are hit (default one)'),
  value: z.union([z.number(), z.string()]).optional().describe('count for fixed, percent for the percent modes'),
  params: z.unknown().optional(),
  duration: duration.optional().describe('how long the fault is held; omitted: until the method ends'),
  allowEmpty: z.boolean().default(false).describe('a selector that matches nothing skips the step instead of failing'),
  kubernetes: kubernetesStepSchema
    .optional()
    .describe('backend kubernetes: what only the engine understands (containers, grace period, ...)'),
};

export interface FaultStep {
  kind: 'fault';
  name: string;
  fault: string;
  selector?: Selector;
  mode: SelectionMode;
  value?: number;
  params: unknown;
  durationMs: number | null;
  allowEmpty: boolean;
  kubernetes?: KubernetesStep;
}
export interface PauseStep {
  kind: 'pause';
  name: string;
  durationMs: number;
}
export interface ParallelStep {
  kind: 'parallel';
  name: string;
  steps: FaultStep[];
}
/** One stage of a progressive step: a fault step of its own, judged against its threshold when it ends. */
export interface ProgressiveStage {
  step: FaultStep;
  /** the stage's success threshold; undefined: the step's threshold, else the steady-state tolerance */
  threshold: Tolerance | undefined;
  /** false: a stage that breaks stops the escalation without failing the run (exploring past the SLO) */
  required: boolean;
}
export interface ProgressiveStep {
  kind: 'progressive';
  name: string;
  fault: string;
  stages: ProgressiveStage[];
  /** time between two stages, for the system to settle */
  pauseMs: number;
}
export type Step = FaultStep | PauseStep | ParallelStep | ProgressiveStep;

const faultStepBase = strict(faultStepShape);

const checkedFaultStep: z.ZodType<FaultStep> = faultStepBase.transform((step, ctx): FaultStep => {
  const fault = findFault(step.fault);
  if (!fault || fault.internal) return z.NEVER; // reported by the `fault` field
  const params = fault.params.safeParse(step.params ?? {});
  if (!params.success) forwardIssues(ctx, params.error, ['params']);
  if (params.success && targetNeedOf(fault, params.data) !== 'host' && step.selector === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: `${step.fault} needs a selector: { names: [...] } or { labels: {...} }` });
  }
  const value = selectionValue(step.mode, step.value, ctx);
  if (!params.success || value === false) return z.NEVER;
  return {
    kind: 'fault',
    name: step.name ?? step.fault,
    fault: step.fault,
    selector: step.selector,
    mode: step.mode,
    value,
    params: params.data,
    durationMs: step.duration ?? null,
    allowEmpty: step.allowEmpty,
    ...(step.kubernetes ? { kubernetes: step.kubernetes } : {}),
  };
});

const faultStepSchema = withEditorView(checkedFaultStep, () => faultStepView(faultStepShape));

/** The numeric `value` of a selection, checked against its mode; false after reporting an issue. */
function selectionValue(mode: SelectionMode, raw: number | string | undefined, ctx: z.RefinementCtx): number | undefined | false {
  const needsValue = mode === 'fixed' || mode === 'fixed-percent' || mode === 'random-max-percent';
  if (!needsValue) {
    if (raw !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `mode ${mode} takes no value` });
    return raw === undefined ? undefined : false;
  }
  const value = typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['value'],
      message: `mode ${mode} needs a value above 0: ${mode === 'fixed' ? 'a count such as 2' : 'a percentage such as "25"'}`,
    });
    return false;
  }
  if (mode !== 'fixed' && value > 100) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `expected a percentage between 0 and 100, got ${value}` });
    return false;
  }
  if (mode === 'fixed' && !Number.isInteger(value)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `mode fixed needs a whole count, got ${value}` });
    return false;
  }
  return value;
}

const pauseStepSchema = strict({ name: z.string().optional(), pause: duration }).transform(
  (s): PauseStep => ({ kind: 'pause', name: s.name ?? 'pause', durationMs: s.pause }),
);

const parallelStepSchema = strict({
  name: z.string().optional(),
  parallel: z.array(faultStepSchema).min(1),
}).transform((s): ParallelStep => ({ kind: 'parallel', name: s.name ?? 'parallel', steps: s.parallel }));

const progressiveStageShape = {
  name: z.string().optional(),
  mode: z.enum(SELECTION_MODES).optional().describe('selection of this stage (default: the step mode, else one)'),
  value: z.union([z.number(), z.string()]).optional(),
  params: z.record(z.string(), z.unknown()).optional().describe("merged over the step's params"),
  duration: duration.optional().describe('how long the stage is held and observed (required)'),
  threshold: z
    .lazy(() => toleranceSchema)
    .optional()
    .describe("success threshold of this stage (default: the step's threshold)"),
  required: z.boolean().default(true).describe('false: a stage that breaks ends the escalation without failing the run'),
};

const progressiveShape = {
  fault: faultStepShape.fault,
  selector: selectorSchema.optional(),
  mode: z.enum(SELECTION_MODES).optional(),
  value: z.union([z.number(), z.string()]).optional(),
  params: z.record(z.string(), z.unknown()).optional().describe('params shared by every stage'),
  threshold: z
    .lazy(() => toleranceSchema)
    .optional()
    .describe('success threshold of every stage (default: the steady-state tolerance)'),
  pause: duration.optional().describe('time between two stages'),
  allowEmpty: z.boolean().optional(),
  stages: z.array(strict(progressiveStageShape)).min(1, { message: 'a progressive step needs at least one stage' }).max(50),
};

/**
 * `progressive`: the same fault at growing intensity, stage after stage; each stage is a fault step
 * built from the step's fields and its own (its params merged over the step's), checked like one.
 */
const progressiveBody = withEditorView(strict(progressiveShape), () => progressiveView(progressiveShape));

const progressiveStepSchema = strict({ name: z.string().optional(), progressive: progressiveBody }).transform((s, ctx): ProgressiveStep => {
  const p = s.progressive;
  const name = s.name ?? `progressive ${p.fault}`;
  const stages: ProgressiveStage[] = [];
  const fault = findFault(p.fault);
  if (!fault || fault.internal) return z.NEVER; // reported by the `fault` field
  p.stages.forEach((stage, j) => {
    if (stage.duration === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['progressive', 'stages', j],
        message: 'a stage needs a duration: how long it is held and judged',
      });
    }
    const raw = {
      name: stage.name ?? `stage ${j + 1}`,
      fault: p.fault,
      selector: p.selector,
      mode: stage.mode ?? p.mode,
      value: stage.value ?? (stage.mode === undefined ? p.value : undefined),
      params: { ...(p.params ?? {}), ...(stage.params ?? {}) },
      allowEmpty: p.allowEmpty,
    };
    const parsed = faultStepSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        // selector errors belong to the step; the rest to the stage that combined them
        const at = field === 'selector' ? ['progressive'] : ['progressive', 'stages', j];
        ctx.addIssue({ ...issue, path: [...at, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
      }
      return;
    }
    if (stage.duration === undefined) return;
    stages.push({
      step: { ...parsed.data, durationMs: stage.duration },
      threshold: stage.threshold ?? p.threshold,
      required: stage.required,
    });
  });
  if (stages.length !== p.stages.length) return z.NEVER;
  return { kind: 'progressive', name, fault: p.fault, stages, pauseMs: p.pause ?? 0 };
});

const stepSchema: z.ZodType<Step> = dispatch<Step>(
  (value) => {
    if (value && typeof value === 'object' && 'pause' in value) return pauseStepSchema;
    if (value && typeof value === 'object' && 'parallel' in value) return parallelStepSchema;
    if (value && typeof value === 'object' && 'progressive' in value) return progressiveStepSchema;
    return faultStepSchema;
  },
  () => ({
    json: (ctx) =>
      byPresentKey(
        [
          { key: 'pause', schema: ctx.toJson(pauseStepSchema) },
          { key: 'parallel', schema: ctx.toJson(parallelStepSchema) },
          { key: 'progressive', schema: ctx.toJson(progressiveStepSchema) },
        ],
        ctx.toJson(faultStepSchema),
      ),
  }),
);

// ---------- steady state, guards, rollbacks ----------

export const toleranceSchema = strict({
  availability: numberComparatorSchema.optional().describe('good samples / samples during the chaos window'),
  failureRate: numberComparatorSchema.optional(),
  latencyP50Ms: numberComparatorSchema.optional(),
  latencyP95Ms: numberComparatorSchema.optional(),
  latencyP99Ms: numberComparatorSchema.optional(),
  maxConsecutiveFailures: z.number().int().min(0).optional(),
});
export type Tolerance = z.infer<typeof toleranceSchema>;

const steadyStateSchema = strict({
  probes: z.array(referenceName).default([]),
  tolerance: toleranceSchema.prefault({}),
  baseline: duration.optional().describe('time the steady state is sampled before the first fault (default 3 probe intervals)'),
  recoverySamples: z.number().int().min(1).default(3).describe('k: recovery is the first of k consecutive good samples'),
  recoveryTimeout: duration.default(30_000).describe('how long to keep probing for recovery after the faults end'),
  requireRecovery: z.boolean().default(true).describe('a system that does not recover within recoveryTimeout fails the hypothesis'),
});

// ---------- objectives (src/measure/objectives.ts) ----------

/**
 * What the run must achieve beyond the steady state, judged after it on the measured figures (docs/objectives-and-scorecards.md):
 * durations as duration strings (`mttd: { lt: 60s }`), ratios and counts as numbers.
 */
export const objectivesSchema = strict({
  mttd: durationComparatorSchema.optional().describe('time to detect: first fault to the first failing steady-state sample'),
  mttr: durationComparatorSchema.optional().describe('time to recover: end of the last fault to the first of k good samples'),
  timeToAlert: durationComparatorSchema.optional().describe('first fault to the first firing alert received (Alertmanager)'),
  availability: numberComparatorSchema.optional().describe('good / all steady-state samples while faults were active'),
  errorBudgetSpent: numberComparatorSchema
    .optional()
    .describe("fraction of the SLO window's error budget the run consumed (needs spec.slo)"),
  lostWrites: numberComparatorSchema.optional().describe('acknowledged writes missing when read back (needs a write probe)'),
  rpo: durationComparatorSchema
    .optional()
    .describe('observed recovery point objective: first fault to the recovery point (needs a write probe)'),
  rto: durationComparatorSchema.optional().describe('first fault to the steady state holding again (k good samples after the faults)'),
});
export type Objectives = z.infer<typeof objectivesSchema>;
export const OBJECTIVE_NAMES = Object.keys(objectivesSchema.shape) as (keyof Objectives)[];

// ---------- SLO (src/measure/slo.ts) ----------

const THIRTY_DAYS_MS = 30 * 86_400_000;

export const sloSchema = strict({
  objective: z.number().gt(0).lt(1).describe('T: the target of the SLI over the window, such as 0.999'),
  window: duration.default(THIRTY_DAYS_MS).describe('P: the compliance period, such as 30d (default)'),
  probe: referenceName.describe('the probe whose samples are the SLI (Continuous or OnChaos)'),
  maxLatency: duration.optional().describe('a sample slower than this is bad even when it passed'),
});

const burnRateSchema = strict({
  consumed: z.number().gt(0).max(1).describe("fraction of the SLO window's error budget the run may burn, such as 0.001"),
  longWindow: duration.optional().describe('default: the length of the method'),
  shortWindow: duration.optional().describe('default: longWindow / 12'),
});

export const stopConditionSchema = strict({
  probe: referenceName.optional().describe('the probe whose samples are judged'),
  alert: z.string().min(1).optional().describe('trips when this alert (its alertname; * for any) fires while faults are active'),
  burnRate: burnRateSchema
    .optional()
    .describe('trips when the burn rates over the long and the short window both exceed consumed * P / longWindow (needs spec.slo)'),
  failureRate: numberComparatorSchema.optional().describe('trips when the failure rate over the window satisfies this'),
  consecutiveFailures: z.number().int().min(1).optional(),
  latencyP50Ms: numberComparatorSchema.optional(),
  latencyP95Ms: numberComparatorSchema.optional(),
  latencyP99Ms: numberComparatorSchema.optional(),
  window: duration.default(10_000),
  minSamples: z.number().int().min(1).default(1),
  maxSampleGap: duration
    .optional()
    .describe(
      'trips when the probe has given no sample for this long while faults are active (default: 2 intervals + the probe timeout, at least 1s)',
    ),
})
  .refine((c) => c.alert !== undefined || c.burnRate !== undefined || c.probe !== undefined, {
    message: 'expected a probe (with a criterion), an alert or a burnRate',
  })
  .refine(
    (c) =>
      c.alert !== undefined ||
      c.burnRate !== undefined ||
      [c.failureRate, c.consecutiveFailures, c.latencyP50Ms, c.latencyP95Ms, c.latencyP99Ms].some((v) => v !== undefined),
    {
      message: 'expected failureRate, consecutiveFailures, latencyP50Ms, latencyP95Ms or latencyP99Ms',
    },
  );
export type StopCondition = z.infer<typeof stopConditionSchema>;

const lockSchema = strict({
  wait: duration.default(0).describe('how long to wait for another run to release a target; 0 refuses at once'),
});

/** The guard kinds that registered (freeze, incidents, ...), each under its own key. */
function guardKindsShape() {
  return Object.fromEntries(guardTypeKeys().map((key) => [key, (findGuardType(key) as GuardType).config.optional()]));
}

function buildGuardsSchema() {
  return strict({
    before: z.array(referenceName).default([]).describe('probes that must pass before any fault'),
    stopWhen: z.array(stopConditionSchema).default([]),
    lock: lockSchema.prefault({}).describe('two runs never hit the same target at once'),
    ...guardKindsShape(),
  });
}

export type GuardsSpec = {
  before: string[];
  stopWhen: StopCondition[];
  lock: { wait: number };
  /** configs of the registered guard kinds, by key */
  [kind: string]: unknown;
};

// ---------- blast radius and policy ----------

const blastRadiusSchema = strict({
  maxTargets: z.number().int().min(1).optional().describe('most targets one run may hit, all steps together'),
  maxPercent: z.number().min(0).max(100).optional().describe("most percent of a step's matching targets it may hit"),
});
export type BlastRadius = z.infer<typeof blastRadiusSchema>;

const minHealthySchema = strict({
  name: z.string().optional(),
  selector: selectorSchema.describe('the members of the group'),
  min: z.number().int().min(0).describe('healthy members that must remain after the fault'),
});
export type MinHealthy = z.infer<typeof minHealthySchema>;

function buildPolicySchema() {
  return strict({
    allowLabels: z.array(labels).optional().describe('a target must match one of these label sets to be hit'),
    denyLabels: z.array(labels).default([]).describe('a target matching any of these label sets is never hit'),
    blastRadius: blastRadiusSchema.optional(),
    minHealthy: z.array(minHealthySchema).default([]),
    namespaces: namespacePolicySchema.optional().describe('backend kubernetes: the namespaces faults may hit'),
    guards: strict(guardKindsShape()).optional().describe('guards every experiment of the project must pass'),
  });
}
export type Policy = z.infer<ReturnType<typeof buildPolicySchema>>;

const rollbackSchema = strict({
  name: z.string().optional(),
  cmd: argv,
  timeout: duration.default(30_000),
});

// ---------- documents ----------

const metadataSchema = strict({
  name: dnsName,
  labels: labels.optional(),
  annotations: labels.optional(),
});

function buildExperimentSchema() {
  return strict({
    apiVersion: z.literal(API_VERSION, { error: () => `expected apiVersion: ${API_VERSION}` }),
    kind: z.literal('Experiment'),
    metadata: metadataSchema,
    spec: strict({
      hypothesis: z.string().min(1, { message: 'write the hypothesis: what should hold while the faults are active' }),
      backend: z.enum(['local', 'kubernetes']).default('local'),
      kubernetes: kubernetesSpecSchema.optional().describe('backend kubernetes: engine, namespace, context'),
      targets: z.array(targetSchema).default([]),
      probes: z.array(buildProbeSchema()).default([]),
      steadyState: steadyStateSchema.prefault({}),
      slo: sloSchema.optional().describe('the SLO the run is measured against: error budget consumed, burn rate'),
      objectives: objectivesSchema.optional().describe('figures the run must achieve, judged after it: a miss fails the run'),
      method: z.array(stepSchema).min(1, { message: 'the method needs at least one step' }),
      guards: buildGuardsSchema().prefault({}) as unknown as z.ZodType<GuardsSpec>,
      blastRadius: blastRadiusSchema.optional(),
      rollbacks: z.array(rollbackSchema).default([]),
    }),
  });
}

function buildProjectSchema() {
  return strict({
    apiVersion: z.literal(API_VERSION, { error: () => `expected apiVersion: ${API_VERSION}` }),
    kind: z.literal('Project'),
    metadata: metadataSchema.optional(),
    spec: strict({
      targets: z.array(targetSchema).default([]),
      probes: z.array(buildProbeSchema()).default([]),
      policy: buildPolicySchema().optional(),
      notifications: notificationsSchema().default([]),
    }),
  });
}

// ---------- schedules ----------

/** An absolute time with its offset: `2026-03-01T09:00:00Z`, `2026-03-01T09:00:00+01:00`. */
const instant = z
  .string()
  .refine((text) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) && Number.isFinite(Date.parse(text)), {
    error: (issue) =>
      `expected a time with its offset such as 2026-03-01T09:00:00Z or 2026-03-01T09:00:00+01:00, got ${JSON.stringify(issue.input)}`,
  })
  .transform((text) => Date.parse(text));

const workDays = z.union([z.string(), z.array(z.string())]).transform((input, ctx) => {
  const days = parseWorkDays(input);
  if (typeof days === 'string') {
    ctx.addIssue({ code: 'custom', message: days });
    return z.NEVER;
  }
  return days;
});

const workHours = z.string().transform((input, ctx) => {
  const hours = parseWorkHours(input);
  if (typeof hours === 'string') {
    ctx.addIssue({ code: 'custom', message: hours });
    return z.NEVER;
  }
  return hours;
});

const scheduleWindowSchema = strict({
  timeRange: strict({ start: instant.optional(), end: instant.optional() })
    .refine((r) => r.start === undefined || r.end === undefined || r.start < r.end, { message: 'the time range ends before it starts' })
    .optional()
    .describe('runs start only inside this range'),
  workDays: workDays.optional().describe('days runs may start on, in the time zone: Mon-Fri, or [Mon, Wed]'),
  workHours: workHours.optional().describe('hours runs may start in, in the time zone: 09:00-17:00'),
  minInterval: duration.optional().describe('least time between the starts of two runs of this schedule'),
});

/** The experiment a schedule runs: the name of one the daemon stores, or one written inline. */
const scheduledExperiment = z.union([
  dnsName.describe('the name of an experiment stored in the daemon (or in the same file)'),
  strict({ metadata: metadataSchema.partial().optional(), spec: z.record(z.string(), z.unknown()) }).describe(
    "an inline experiment: the metadata and spec of an Experiment document (its name defaults to the schedule's)",
  ),
]);

function buildScheduleSchema() {
  return strict({
    apiVersion: z.literal(API_VERSION, { error: () => `expected apiVersion: ${API_VERSION}` }),
    kind: z.literal('Schedule'),
    metadata: metadataSchema,
    spec: strict({
      schedule: z
        .string()
        .superRefine((text, ctx) => {
          const problem = cronError(text);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .describe('cron: 5 fields, 6 with seconds first, @hourly, or @every 30s'),
      timeZone: z
        .string()
        .default('UTC')
        .superRefine((text, ctx) => {
          const problem = timeZoneError(text);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .describe('IANA time zone the cron and the window are read in'),
      experiment: scheduledExperiment,
      concurrencyPolicy: z.enum(['Forbid', 'Allow']).default('Forbid').describe('Forbid: no new run while one of this schedule runs'),
      historyLimit: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .default(100)
        .describe('finished runs of this schedule kept; older ones are deleted'),
      startingDeadline: duration
        .refine((ms) => ms >= 1000, { message: 'startingDeadline must be at least 1s' })
        .default(60_000)
        .describe('how late an occurrence may still start; after a restart, at most one missed occurrence within it runs'),
      window: scheduleWindowSchema.optional(),
      suspend: z.boolean().default(false).describe('true: no run is started until resumed'),
    }),
  });
}

let scheduleSchemaCache: ReturnType<typeof buildScheduleSchema> | undefined;

export function scheduleSchema() {
  scheduleSchemaCache ??= buildScheduleSchema();
  return scheduleSchemaCache;
}

export type ScheduleDocument = z.infer<ReturnType<typeof buildScheduleSchema>>;

let experimentSchemaCache: ReturnType<typeof buildExperimentSchema> | undefined;
let projectSchemaCache: ReturnType<typeof buildProjectSchema> | undefined;

/** Built on first use, after every fault and probe type has registered. */
export function experimentSchema() {
  experimentSchemaCache ??= buildExperimentSchema();
  return experimentSchemaCache;
}

export function projectSchema() {
  projectSchemaCache ??= buildProjectSchema();
  return projectSchemaCache;
}

export type ExperimentDocument = z.infer<ReturnType<typeof buildExperimentSchema>>;
export type ProjectDocument = z.infer<ReturnType<typeof buildProjectSchema>>;
export type RollbackSpec = z.infer<typeof rollbackSchema>;
export { percentString };
