/**
 * `kind: GameDay`: a facilitator, observers, and ordered stages, each a list of experiments run serially
 * or in parallel, with an optional approval before it (a person approves; a timeout, default 15m, aborts
 * the rest). A stage may also name the stages it comes `after`; a cycle is an error. Registered as a
 * document kind of the loader.
 */

import { dnsName, duration, labels, strict } from '../spec/fields.js';
import type { Experiment } from '../spec/load.js';
import { type LoadOptions, loadDocuments, registerDocumentKind } from '../spec/load.js';
import type { Path } from '../spec/positions.js';
import { API_VERSION, type Objectives, objectivesSchema } from '../spec/schema.js';
import { UserError, UserErrors } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { z } from '../util/zod.js';
import { checkExperimentRefs, loadExperimentRef, withObjectives } from './programme.js';

export const DEFAULT_APPROVAL_TIMEOUT_MS = 15 * 60_000;

const experimentRef = z.union([
  z
    .string()
    .min(1)
    .transform((file) => ({ file, name: undefined as string | undefined })),
  strict({ file: z.string().min(1).optional(), name: dnsName.optional() }).refine((r) => r.file !== undefined || r.name !== undefined, {
    message: 'give the experiment as a file path, or { file: PATH, name: NAME }',
  }),
]);

const approvalSchema = z.union([
  z.literal(true).transform(() => ({ timeout: DEFAULT_APPROVAL_TIMEOUT_MS })),
  strict({
    timeout: duration.default(DEFAULT_APPROVAL_TIMEOUT_MS).describe('how long to wait for the approval; then the rest is aborted'),
  }),
]);

const stageSchema = strict({
  name: dnsName,
  experiments: z.array(experimentRef).min(1, { message: 'a stage needs at least one experiment' }),
  parallel: z.boolean().default(false).describe('run the experiments of the stage at the same time'),
  approval: approvalSchema.optional().describe('a person approves before the stage starts: faultline approve GAMEDAY_RUN_ID'),
  after: z.array(dnsName).default([]).describe('stages that must be done first (default: the stage before)'),
});

export const gameDaySchema = () =>
  strict({
    apiVersion: z.literal(API_VERSION, { error: () => `expected apiVersion: ${API_VERSION}` }),
    kind: z.literal('GameDay'),
    metadata: strict({ name: dnsName, labels: labels.optional(), annotations: labels.optional() }),
    spec: strict({
      facilitator: z.string().min(1, { message: 'name the facilitator: the person who runs the game day' }),
      observers: z.array(z.string().min(1)).default([]),
      description: z.string().optional(),
      announce: strict({
        before: duration.default(0).describe('announce the game day this long before its first stage starts'),
      })
        .prefault({})
        .describe('announcements through the notification channels: before the start, at each stage, at the end'),
      objectives: objectivesSchema.optional().describe('default objectives of every experiment of the game day'),
      stages: z.array(stageSchema).min(1, { message: 'a game day needs at least one stage' }),
    }),
  });

export type GameDayDocument = z.infer<ReturnType<typeof gameDaySchema>>;
type StageDocument = GameDayDocument['spec']['stages'][number];

/**
 * The order the stages run in: each after the stages it names (default: after the one before it), the
 * declared order otherwise. Returns the cycle when there is one.
 */
export function stageOrder(stages: readonly Pick<StageDocument, 'name' | 'after'>[]): { order: number[] } | { cycle: string[] } {
  const index = new Map(stages.map((s, i) => [s.name, i]));
  const needs = stages.map((s, i) =>
    s.after.length ? s.after.map((n) => index.get(n) as number).filter((n) => n !== undefined) : i > 0 ? [i - 1] : [],
  );
  const state: ('new' | 'visiting' | 'done')[] = stages.map(() => 'new');
  const order: number[] = [];
  const trail: number[] = [];
  const visit = (i: number): string[] | null => {
    if (state[i] === 'done') return null;
    if (state[i] === 'visiting') return [...trail.slice(trail.indexOf(i)), i].map((j) => stages[j]?.name as string);
    state[i] = 'visiting';
    trail.push(i);
    for (const j of needs[i] ?? []) {
      const cycle = visit(j);
      if (cycle) return cycle;
    }
    trail.pop();
    state[i] = 'done';
    order.push(i);
    return null;
  };
  for (let i = 0; i < stages.length; i++) {
    const cycle = visit(i);
    if (cycle) return { cycle };
  }
  return { order };
}

/**
 * A game day given as text (the daemon's API) reads no file: each experiment is named, and found by the
 * one who sent it (the daemon: an Experiment document of the same body, or a stored experiment).
 */
function checkNamedRefs(stages: readonly StageDocument[], report: (path: Path, message: string) => void): void {
  const seen = new Set<string>();
  stages.forEach((stage, i) => {
    stage.experiments.forEach((ref, j) => {
      const path: Path = ['spec', 'stages', i, 'experiments', j];
      if (ref.file !== undefined) {
        report(
          path,
          `${ref.file}: a game day sent to the daemon names its experiments, { name: NAME }: a stored experiment, or an Experiment document in the same body; the daemon reads no files`,
        );
        return;
      }
      const name = ref.name as string;
      if (seen.has(name)) report(path, `experiment "${name}" is named twice; name it once`);
      seen.add(name);
    });
  });
}

registerDocumentKind({
  kind: 'GameDay',
  schema: gameDaySchema,
  check(gameDay: GameDayDocument, { file, report }) {
    const stages = gameDay.spec.stages;
    const names = stages.map((s) => s.name);
    stages.forEach((stage, i) => {
      if (names.indexOf(stage.name) !== i) report(['spec', 'stages', i, 'name'], `duplicate stage name "${stage.name}"`);
      stage.after.forEach((name, j) => {
        if (!names.includes(name)) {
          report(['spec', 'stages', i, 'after', j], `no stage named "${name}"${didYouMean(name, names)}; name a stage of this game day`);
        }
      });
    });
    const decided = stageOrder(stages);
    if ('cycle' in decided) {
      const first = names.indexOf(decided.cycle[0] as string);
      report(
        ['spec', 'stages', first, 'after'],
        `the stages form a cycle: ${decided.cycle.join(' -> ')}; remove one of these after: entries`,
      );
    }
    if (file === null) {
      checkNamedRefs(stages, report); // not from a file: the one who sent it resolves the names
      return;
    }
    const seen = new Map<string, string>();
    stages.forEach((stage, i) => {
      const refs = stage.experiments.map((r, j) => ({ ...r, path: ['spec', 'stages', i, 'experiments', j] as Path }));
      checkExperimentRefs(refs, file, report, seen);
    });
  },
});

export interface GameDay {
  name: string;
  file: string | null;
  facilitator: string;
  observers: string[];
  description: string;
  announceBeforeMs: number;
  /** in the declared order; `--stage N` counts from 1 in this order */
  stages: GameDayStage[];
  /** the indexes of `stages` in the order they run */
  order: number[];
}

export interface GameDayStage {
  index: number;
  name: string;
  parallel: boolean;
  /** null: no approval */
  approvalTimeoutMs: number | null;
  experiments: { experiment: Experiment; objectives: Objectives }[];
}

/** The experiments a stage's reference names: by default, loaded from the files beside the game day's. */
export type ExperimentResolver = (ref: { file?: string; name?: string }) => Experiment[];

/** Builds the game day, loading every experiment; every error of every file at once. */
export function buildGameDay(
  document: GameDayDocument,
  file: string | null,
  options: LoadOptions = {},
  resolve: ExperimentResolver = (ref) => loadExperimentRef(ref, file, options),
): GameDay {
  const errors: string[] = [];
  const stages = document.spec.stages.map((stage, index): GameDayStage => {
    const experiments = stage.experiments.flatMap((ref) => {
      try {
        return resolve(ref).map((loaded) => {
          const objectives = withObjectives(loaded, document.spec.objectives, undefined);
          return { experiment: { ...loaded, objectives }, objectives };
        });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        errors.push(...(error instanceof UserErrors ? error.messages : [error.message]));
        return [];
      }
    });
    return { index, name: stage.name, parallel: stage.parallel, approvalTimeoutMs: stage.approval?.timeout ?? null, experiments };
  });
  if (errors.length) throw new UserErrors(errors);
  const decided = stageOrder(document.spec.stages);
  if ('cycle' in decided) throw new UserError(`the stages form a cycle: ${decided.cycle.join(' -> ')}`); // checked when loaded
  return {
    name: document.metadata.name,
    file,
    facilitator: document.spec.facilitator,
    observers: document.spec.observers,
    description: document.spec.description ?? '',
    announceBeforeMs: document.spec.announce.before,
    stages,
    order: decided.order,
  };
}

/** The GameDay document of a file, built. */
export function loadGameDay(file: string, options: LoadOptions = {}): GameDay {
  const documents = loadDocuments(file, options).others.filter((d) => d.kind === 'GameDay');
  const [first] = documents;
  if (!first) throw new UserError(`${file}: holds no GameDay document; see docs/programmes.md`);
  if (documents.length > 1) throw new UserError(`${file}: holds ${documents.length} GameDay documents; keep one per file`);
  return buildGameDay(first.value as GameDayDocument, file, options);
}
