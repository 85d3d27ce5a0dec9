/**
 * The documents the daemon stores (Experiment and Schedule, as YAML) and what storing one takes: it is
 * validated by the same loader as files (same schemas, same `line:column` errors), checked against the
 * caller's token scope, and written all at once or not at all. The text is kept as written, `${VAR}`
 * references included, and parsed again at run time.
 */
import { capabilityViolations, executingConstructs, executingProbes } from '../auth/capabilities.js';
import type { Principal } from '../auth/roles.js';
import { scopeViolations } from '../auth/scope.js';
import { buildGameDay, type GameDay, type GameDayDocument } from '../programme/gameday.js';
import { type Experiment, type ParsedDocuments, type Project, parseDocuments, type ScheduleDefinition } from '../spec/load.js';
import { parseYamlDocuments } from '../spec/yaml-input.js';
import { ConflictError, type DocumentsStore, type StoredExperiment } from '../store/documents-store.js';
import type { SchedulesStore, StoredSchedule } from '../store/schedules-store.js';
import { UserError } from '../util/errors.js';
import { ApiError, badRequest, conflict, type ErrorDetail, forbidden, invalidDocument, notFound } from './errors.js';
import type { ProjectSource } from './project.js';

/** The text of each document of a multi-document YAML body, with its kind and name. */
export function splitDocuments(text: string): { kind: unknown; name: unknown; text: string }[] {
  return parseYamlDocuments(text).flatMap((doc) => {
    if (!('contents' in doc) || doc.contents === null) return [];
    const value = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
    const [start, , end] = doc.range;
    const own = text.slice(start, end).replace(/^---[ \t]*\r?\n/, '');
    return [{ kind: value?.kind, name: value?.metadata?.name, text: `${own.trimEnd()}\n` }];
  });
}

export class Documents {
  constructor(
    private readonly store: DocumentsStore & SchedulesStore,
    private readonly project: ProjectSource,
  ) {}

  /** Parses a body as the loader parses a file; a 422 with located errors when it is not valid. */
  async parse(text: string): Promise<ParsedDocuments> {
    if (!text.trim()) throw badRequest('the body is empty; send a YAML (or JSON) document');
    try {
      return parseDocuments(text, null, await this.project.options());
    } catch (error) {
      if (error instanceof UserError) throw invalidDocument(error);
      throw error;
    }
  }

  /**
   * May this caller have this experiment run, now or later (run, dry run, schedule, store)? Its scope
   * must cover every target, and its capabilities every construct that runs commands on this host.
   * Every entry point that may lead to a run calls this one check.
   */
  authorize(experiment: Experiment, principal: Principal): void {
    this.checkScope(experiment, principal);
    refuseExecution(`experiment ${experiment.name}`, executingConstructs(experiment), principal);
  }

  /** The project's probes run in every experiment that names them: storing one that executes needs exec too. */
  authorizeProject(project: Project, principal: Principal): void {
    refuseExecution('the project', executingProbes(project.probes), principal);
  }

  checkScope(experiment: Experiment, principal: Principal): void {
    const violations = scopeViolations(experiment, principal.scope);
    if (violations.length) {
      throw forbidden(
        `experiment ${experiment.name} reaches outside the token's scope`,
        violations.map((message) => ({ message })),
      );
    }
  }

  /** A stored experiment, parsed now (with the current environment and project). */
  async experiment(name: string): Promise<Experiment> {
    const stored = await this.store.getExperiment(name);
    if (!stored) throw notFound(`no experiment named ${name}; list them with GET /api/v1/experiments`);
    const [experiment] = (await this.parse(stored.yaml)).experiments;
    if (!experiment) throw new ApiError(500, 'internal', `the stored experiment ${name} holds no Experiment document`);
    return experiment;
  }

  /** The one experiment of a request: `{ "experiment": NAME }` or `{ "yaml": TEXT }`. */
  async experimentOf(body: { experiment?: unknown; yaml?: unknown }): Promise<Experiment> {
    if (typeof body.experiment === 'string' && body.yaml === undefined) return this.experiment(body.experiment);
    if (typeof body.yaml === 'string' && body.experiment === undefined) {
      const parsed = await this.parse(body.yaml);
      if (parsed.experiments.length !== 1 || parsed.schedules.length) throw badRequest('yaml must hold exactly one Experiment document');
      return parsed.experiments[0] as Experiment;
    }
    throw badRequest('expected a JSON body with "experiment": the name of a stored experiment, or "yaml": an Experiment document');
  }

  /**
   * A game day sent to the daemon: one GameDay document, and the Experiment documents its stages name
   * when they are not stored. Each stage names its experiments (`{ name: NAME }`): an Experiment document
   * of the same body, else a stored experiment, parsed now as a run of it would be. No file is read.
   */
  async gameDayOf(text: string): Promise<GameDay> {
    const parsed = await this.parse(text);
    this.checkOnly(text, ['GameDay', 'Experiment'], 'GameDay and Experiment');
    const documents = parsed.others.filter((d) => d.kind === 'GameDay');
    if (documents.length !== 1) {
      throw badRequest(`the body must hold one GameDay document (and the Experiment documents it names); it holds ${documents.length}`);
    }
    const document = (documents[0] as { value: GameDayDocument }).value;
    const inline = new Map(parsed.experiments.map((e) => [e.name, e]));
    const found = new Map<string, Experiment>(inline);
    const missing: ErrorDetail[] = [];
    for (const [i, stage] of document.spec.stages.entries()) {
      for (const [j, ref] of stage.experiments.entries()) {
        const name = ref.name as string; // named, not a file: checked when parsed
        if (found.has(name)) continue;
        if (await this.store.getExperiment(name)) found.set(name, await this.experiment(name));
        else
          missing.push({
            path: `spec.stages.${i}.experiments.${j}`,
            message: `no experiment named ${name}: store it first (POST /api/v1/experiments), or put its Experiment document in this body`,
          });
      }
    }
    if (missing.length) throw new ApiError(422, 'invalid_document', 'the game day names experiments that do not exist', missing);
    return buildGameDay(document, null, {}, (ref) => [found.get(ref.name as string) as Experiment]);
  }

  async putExperiments(text: string, principal: Principal, replacing?: string): Promise<StoredExperiment[]> {
    const parsed = await this.parse(text);
    if (parsed.schedules.length) throw badRequest('this takes Experiment documents; send Schedule documents to /api/v1/schedules');
    this.checkOnly(text, ['Experiment'], 'Experiment');
    if (!parsed.experiments.length) throw badRequest('the body holds no Experiment document');
    const names = parsed.experiments.map((e) => e.name);
    this.checkNames(names, replacing);
    for (const experiment of parsed.experiments) this.authorize(experiment, principal);
    const texts = new Map(splitDocuments(text).map((d) => [d.name, d.text]));
    const now = new Date().toISOString();
    const records = parsed.experiments.map((e) =>
      experimentRecord(e, parsed.experiments.length === 1 ? text : (texts.get(e.name) as string), now, principal.user),
    );
    await this.write(() => this.store.putExperiments(records, replacing !== undefined));
    return records;
  }

  async deleteExperiment(name: string): Promise<void> {
    const users = (await this.store.listSchedules()).filter((s) => s.experimentRef === name).map((s) => s.name);
    if (users.length) throw conflict(`experiment ${name} is run by schedule ${users.join(', ')}; delete or change those first`);
    if (!(await this.store.deleteExperiment(name))) throw notFound(`no experiment named ${name}`);
  }

  /** A stored schedule's document (the scheduler's view of it). */
  definitionOf(stored: StoredSchedule): ScheduleDefinition {
    const [definition] = parseDocuments(stored.yaml, null, this.project.current()).schedules;
    if (!definition) throw new UserError(`the stored schedule ${stored.name} holds no Schedule document`);
    return definition;
  }

  /** What a schedule runs now: its stored experiment, or its inline one parsed afresh. */
  async scheduledExperiment(definition: ScheduleDefinition): Promise<Experiment> {
    if ('ref' in definition.experiment) {
      const stored = await this.store.getExperiment(definition.experiment.ref);
      if (!stored) throw new UserError(`experiment ${definition.experiment.ref} no longer exists; store it again or change the schedule`);
      return this.experiment(definition.experiment.ref);
    }
    const stored = await this.store.getSchedule(definition.name);
    const fresh = stored ? (await this.parse(stored.yaml)).schedules[0] : definition;
    if (!fresh || !('inline' in fresh.experiment)) throw new UserError(`schedule ${definition.name} changed while it fired`);
    return fresh.experiment.inline;
  }

  async putSchedules(text: string, principal: Principal, replacing?: string): Promise<StoredSchedule[]> {
    const parsed = await this.parse(text);
    this.checkOnly(text, ['Schedule'], 'Schedule');
    if (!parsed.schedules.length) throw badRequest('the body holds no Schedule document');
    this.checkNames(
      parsed.schedules.map((s) => s.name),
      replacing,
    );
    const missing: string[] = [];
    for (const schedule of parsed.schedules) {
      if ('inline' in schedule.experiment) {
        this.authorize(schedule.experiment.inline, principal);
        continue;
      }
      const ref = schedule.experiment.ref;
      if (!(await this.store.getExperiment(ref)))
        missing.push(
          `schedule ${schedule.name}: spec.experiment: no experiment named ${ref}; create it first with POST /api/v1/experiments`,
        );
      else this.authorize(await this.experiment(ref), principal);
    }
    if (missing.length)
      throw new ApiError(
        422,
        'invalid_document',
        'the schedule names an experiment that does not exist',
        missing.map((message) => ({ path: 'spec.experiment', message })),
      );
    const texts = new Map(splitDocuments(text).map((d) => [d.name, d.text]));
    const now = new Date().toISOString();
    const records = parsed.schedules.map((s) =>
      scheduleRecord(s, parsed.schedules.length === 1 ? text : (texts.get(s.name) as string), now, principal.user),
    );
    await this.write(() => this.store.putSchedules(records, replacing !== undefined));
    return records;
  }

  /**
   * `faultline serve --apply FILE`: stores every Experiment, then every Schedule of a file, creating or
   * replacing each (a replaced schedule keeps its last occurrence). Errors name the file and line.
   */
  async applyFile(file: string, text: string, by: string): Promise<{ experiments: string[]; schedules: string[] }> {
    const parsed = parseDocuments(text, file, await this.project.options());
    const texts = new Map(splitDocuments(text).map((d) => [`${String(d.kind)}/${String(d.name)}`, d.text]));
    const now = new Date().toISOString();
    for (const e of parsed.experiments) {
      const exists = Boolean(await this.store.getExperiment(e.name));
      const record = experimentRecord(e, texts.get(`Experiment/${e.name}`) ?? text, now, by);
      await this.store.putExperiments([record], exists);
    }
    for (const s of parsed.schedules) {
      if ('ref' in s.experiment && !(await this.store.getExperiment(s.experiment.ref))) {
        throw new UserError(`${file}: schedule ${s.name} runs experiment ${s.experiment.ref}, which is neither in the file nor stored`);
      }
      const exists = Boolean(await this.store.getSchedule(s.name));
      const record = scheduleRecord(s, texts.get(`Schedule/${s.name}`) ?? text, now, by);
      await this.store.putSchedules([record], exists);
    }
    return { experiments: parsed.experiments.map((e) => e.name), schedules: parsed.schedules.map((s) => s.name) };
  }

  /** Documents of other kinds in the body would be silently dropped: refuse them instead. */
  private checkOnly(text: string, kinds: string[], what: string): void {
    const others = splitDocuments(text).filter((d) => !kinds.includes(String(d.kind)));
    if (others.length) {
      throw badRequest(
        `this takes ${what} documents only; found ${others.map((d) => `kind ${String(d.kind)}`).join(', ')} (a project goes to PUT /api/v1/project)`,
      );
    }
  }

  private checkNames(names: string[], replacing: string | undefined): void {
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw badRequest(`the body holds two documents named ${dup}`);
    if (replacing !== undefined && (names.length !== 1 || names[0] !== replacing)) {
      throw badRequest(`the body must hold one document named ${replacing} (the name in the URL); it holds ${names.join(', ')}`);
    }
  }

  private async write(put: () => Promise<void>): Promise<void> {
    try {
      await put();
    } catch (error) {
      if (error instanceof ConflictError) throw error.message.startsWith('no ') ? notFound(error.message) : conflict(error.message);
      throw error;
    }
  }
}

/** A 403 when `constructs` run commands on the host and the caller's token lacks the exec capability. */
function refuseExecution(what: string, constructs: string[], principal: Principal): void {
  const missing = capabilityViolations(constructs, principal.capabilities);
  if (!missing.length) return;
  throw forbidden(
    `${what} runs commands on the daemon's host, and the token of ${principal.user} lacks the exec capability (an admin grants it by name: faultline token create --capability exec)`,
    missing.map((message) => ({ message })),
  );
}

/** The stored form of an experiment written `now` by `by`, as `yaml` (its own document's text). */
function experimentRecord(e: Experiment, yaml: string, now: string, by: string): StoredExperiment {
  return { name: e.name, yaml, labels: e.labels, hypothesis: e.hypothesis, createdAt: now, updatedAt: now, updatedBy: by };
}

/** The stored form of a schedule written `now` by `by`, as `yaml` (its own document's text). */
function scheduleRecord(s: ScheduleDefinition, yaml: string, now: string, by: string): StoredSchedule {
  return {
    name: s.name,
    yaml,
    labels: s.labels,
    cron: s.cron,
    timeZone: s.timeZone,
    experimentRef: 'ref' in s.experiment ? s.experiment.ref : null,
    suspended: s.suspend,
    // a new schedule starts from now: nothing before it was created is missed (a replaced one keeps its own)
    lastScheduledAt: now,
    createdAt: now,
    updatedAt: now,
    updatedBy: by,
  };
}
