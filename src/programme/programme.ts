/**
 * `kind: Programme`: the catalogue a team keeps: its experiments (files, or names found beside the
 * programme), an owner, default objectives, tags, and a cadence per experiment (a cron, or the name of
 * a Schedule). Registered as a document kind of the loader, so `faultline validate` checks it too.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cronError } from '../schedule/cron.js';
import { dnsName, labels, strict } from '../spec/fields.js';
import { type Experiment, type LoadOptions, loadDocuments, loadExperiments, registerDocumentKind } from '../spec/load.js';
import type { Path } from '../spec/positions.js';
import { API_VERSION, type Objectives, objectivesSchema } from '../spec/schema.js';
import { UserError, UserErrors } from '../util/errors.js';
import { z } from '../util/zod.js';

const entrySchema = strict({
  file: z.string().min(1).optional().describe('an experiment file, relative to the programme file'),
  name: dnsName.optional().describe('the experiment of that name (in `file`, or in a file beside the programme)'),
  cadence: z.string().min(1).optional().describe('how often it should run: a cron expression such as "0 3 * * 1-5"'),
  schedule: dnsName.optional().describe('or the name of the Schedule that runs it'),
  objectives: objectivesSchema.optional().describe("objectives of this experiment, over the programme's defaults"),
})
  .refine((e) => e.file !== undefined || e.name !== undefined, { message: 'give the experiment as file: PATH or name: NAME' })
  .refine((e) => e.cadence === undefined || e.schedule === undefined, {
    message: 'give cadence (a cron) or schedule (a Schedule name), not both',
    path: ['schedule'],
  });

export const programmeSchema = () =>
  strict({
    apiVersion: z.literal(API_VERSION, { error: () => `expected apiVersion: ${API_VERSION}` }),
    kind: z.literal('Programme'),
    metadata: strict({ name: dnsName, labels: labels.optional(), annotations: labels.optional() }),
    spec: strict({
      owner: z.string().min(1, { message: 'name the owner: the team that keeps this programme' }),
      description: z.string().optional(),
      tags: z.array(z.string().min(1)).default([]),
      objectives: objectivesSchema.optional().describe('default objectives of every experiment of the programme'),
      experiments: z.array(entrySchema).min(1, { message: 'a programme needs at least one experiment' }),
    }),
  });

export type ProgrammeDocument = z.infer<ReturnType<typeof programmeSchema>>;
export type ProgrammeEntry = ProgrammeDocument['spec']['experiments'][number];

/** Where an experiment file named by a programme or a game day is: relative to that document's file. */
export function besideFile(documentFile: string | null, file: string): string {
  return documentFile ? resolve(dirname(documentFile), file) : resolve(file);
}

/** The names of the experiments of a file, or null when it cannot be loaded (its own errors come later). */
function experimentNames(file: string): string[] | null {
  try {
    return loadExperiments(file).map((e) => e.name);
  } catch {
    return null;
  }
}

/** The experiment files beside a document, for entries that give a name only. */
function filesBeside(documentFile: string | null): string[] {
  const dir = documentFile ? dirname(documentFile) : '.';
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'faultline.yaml')
    .map((f) => join(dir, f))
    .filter((f) => resolve(f) !== resolve(documentFile ?? '') && statSync(f).isFile());
}

/**
 * Checks a list of experiment references (a programme's entries, a game day's stage): each file exists,
 * each name is found, and no experiment is named twice. Returns the resolved file of each reference.
 */
export function checkExperimentRefs(
  refs: readonly { file?: string; name?: string; path: Path }[],
  documentFile: string | null,
  report: (path: Path, message: string) => void,
  seen = new Map<string, string>(),
): void {
  let beside: string[] | null = null;
  for (const ref of refs) {
    let names: string[];
    let shown: string;
    if (ref.file !== undefined) {
      const path = besideFile(documentFile, ref.file);
      if (!existsSync(path) || !statSync(path).isFile()) {
        const looked = path === ref.file ? '' : ` (looked for ${path})`;
        report([...ref.path, 'file'], `no such file ${ref.file}${looked}; check the path, relative to this file`);
        continue;
      }
      const inFile = experimentNames(path);
      if (inFile === null) continue; // invalid: `programme validate` reports its own errors
      if (ref.name !== undefined && !inFile.includes(ref.name)) {
        report([...ref.path, 'name'], `${ref.file} holds no experiment named "${ref.name}"; it holds ${inFile.join(', ') || 'none'}`);
        continue;
      }
      names = ref.name !== undefined ? [ref.name] : inFile;
      shown = ref.file;
    } else {
      beside ??= filesBeside(documentFile);
      const found = beside.find((f) => experimentNames(f)?.includes(ref.name as string));
      if (!found) {
        report([...ref.path, 'name'], `no experiment named "${ref.name}" in the files beside this one; give its file: PATH`);
        continue;
      }
      names = [ref.name as string];
      shown = ref.name as string;
    }
    for (const name of names) {
      const before = seen.get(name);
      if (before !== undefined) {
        report(ref.path, `experiment "${name}" is named twice (${before} and ${shown}); name it once`);
      }
      seen.set(name, shown);
    }
  }
}

registerDocumentKind({
  kind: 'Programme',
  schema: programmeSchema,
  check(programme: ProgrammeDocument, { file, report }) {
    programme.spec.experiments.forEach((entry, i) => {
      const error = entry.cadence === undefined ? null : cronError(entry.cadence);
      if (error) report(['spec', 'experiments', i, 'cadence'], error);
    });
    checkExperimentRefs(
      programme.spec.experiments.map((e, i) => ({ file: e.file, name: e.name, path: ['spec', 'experiments', i] })),
      file,
      report,
    );
  },
});

/** A programme with its experiments loaded, in order. */
export interface Programme {
  name: string;
  annotations: Record<string, string>;
  file: string | null;
  owner: string;
  description: string;
  tags: string[];
  objectives: Objectives;
  experiments: ProgrammeExperiment[];
}

export interface ProgrammeExperiment {
  experiment: Experiment;
  /** what its runs are judged on (see `withObjectives`); also set on `experiment` */
  objectives: Objectives;
  cadence: string | null;
  schedule: string | null;
}

/** Loads the experiments of a reference: the whole file, or the one named. */
export function loadExperimentRef(ref: { file?: string; name?: string }, documentFile: string | null, options: LoadOptions): Experiment[] {
  const file =
    ref.file !== undefined
      ? besideFile(documentFile, ref.file)
      : filesBeside(documentFile).find((f) => experimentNames(f)?.includes(ref.name as string));
  if (!file) throw new UserError(`no experiment named "${ref.name}" beside ${documentFile ?? 'the working directory'}`);
  const experiments = loadExperiments(file, options);
  return ref.name === undefined ? experiments : experiments.filter((e) => e.name === ref.name);
}

/**
 * The objectives a run of `experiment` is judged on: the programme's (or game day's) defaults, then the
 * experiment file's own, then those the programme gives this experiment.
 */
export function withObjectives(experiment: Experiment, defaults: Objectives | undefined, own: Objectives | undefined): Objectives {
  return { ...defaults, ...experiment.objectives, ...own };
}

/** Builds the programme, loading every experiment; every error of every file at once. */
export function buildProgramme(document: ProgrammeDocument, file: string | null, options: LoadOptions = {}): Programme {
  const errors: string[] = [];
  const experiments: ProgrammeExperiment[] = [];
  for (const entry of document.spec.experiments) {
    try {
      for (const loaded of loadExperimentRef(entry, file, options)) {
        const objectives = withObjectives(loaded, document.spec.objectives, entry.objectives);
        experiments.push({
          experiment: { ...loaded, objectives },
          objectives,
          cadence: entry.cadence ?? null,
          schedule: entry.schedule ?? null,
        });
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      errors.push(...(error instanceof UserErrors ? error.messages : [error.message]));
    }
  }
  if (errors.length) throw new UserErrors(errors);
  return {
    name: document.metadata.name,
    annotations: document.metadata.annotations ?? {},
    file,
    owner: document.spec.owner,
    description: document.spec.description ?? '',
    tags: document.spec.tags,
    objectives: document.spec.objectives ?? {},
    experiments,
  };
}

/** The Programme document of a file, built. */
export function loadProgramme(file: string, options: LoadOptions = {}): Programme {
  const documents = loadDocuments(file, options).others.filter((d) => d.kind === 'Programme');
  const [first] = documents;
  if (!first) throw new UserError(`${file}: holds no Programme document; see docs/programmes.md`);
  if (documents.length > 1) throw new UserError(`${file}: holds ${documents.length} Programme documents; keep one per file`);
  return buildProgramme(first.value as ProgrammeDocument, file, options);
}
