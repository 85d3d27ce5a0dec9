/** Experiments: stored YAML documents, validated like files. */
import type { Step } from '../../spec/schema.js';
import type { DocumentsStore } from '../../store/documents-store.js';
import type { SchedulesStore } from '../../store/schedules-store.js';
import { errorMessage } from '../../util/errors.js';
import { ApiError, notFound } from '../errors.js';
import { documentBody } from '../http.js';
import { type ApiRoute, apiRoute, auditDetail, param, principalOf } from '../route.js';
import { upcomingOf } from './schedules.js';

const yamlBody = {
  type: 'yaml' as const,
  description: 'one or more Experiment documents (YAML, or JSON)',
  schema: { $ref: '#/components/schemas/ExperimentDocument' },
};

/** What each step does, without its params (which may hold values substituted from the environment). */
function outline(step: Step): Record<string, unknown> {
  if (step.kind === 'pause') return { kind: 'pause', name: step.name, durationMs: step.durationMs };
  if (step.kind === 'parallel') return { kind: 'parallel', name: step.name, steps: step.steps.map(outline) };
  if (step.kind === 'progressive') {
    return {
      kind: 'progressive',
      name: step.name,
      fault: step.fault,
      stages: step.stages.map((s) => ({ name: s.step.name, mode: s.step.mode, value: s.step.value, durationMs: s.step.durationMs })),
    };
  }
  return { kind: 'fault', name: step.name, fault: step.fault, mode: step.mode, value: step.value, durationMs: step.durationMs };
}

export const experimentRoutes: ApiRoute[] = [
  apiRoute({
    method: 'GET',
    path: '/api/v1/experiments',
    role: 'viewer',
    tag: 'experiments',
    summary: 'List the stored experiments',
    responses: { 200: 'the experiments, by name' },
    uses: ['store'],
    handler: async (c, d: { readonly store: DocumentsStore & SchedulesStore }) => {
      const [experiments, schedules] = await Promise.all([d.store.listExperiments(), d.store.listSchedules()]);
      return c.json({
        experiments: experiments.map(({ yaml: _yaml, ...e }) => ({
          ...e,
          schedules: schedules.filter((s) => s.experimentRef === e.name).map((s) => s.name),
        })),
      });
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/experiments',
    role: 'operator',
    tag: 'experiments',
    action: 'experiment.create',
    summary: 'Store new experiments',
    description:
      'Validated with the same schemas as files; every document is stored, or none. A scoped token may only store experiments within its scope.',
    body: yamlBody,
    responses: {
      201: 'stored',
      400: 'not a document',
      403: 'outside the token scope',
      409: 'an experiment of that name exists',
      422: 'invalid, with located errors',
    },
    uses: ['documents'],
    handler: async (c, d) => {
      const stored = await d.documents.putExperiments(await documentBody(c), principalOf(c));
      auditDetail(c, stored.map((e) => e.name).join(', '));
      return c.json({ experiments: stored.map((e) => e.name) }, 201);
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/experiments/:name',
    role: 'viewer',
    tag: 'experiments',
    summary: 'One experiment: its YAML as stored, and an outline of its method',
    responses: { 200: 'the experiment', 404: 'no such experiment' },
    uses: ['documents', 'scheduler', 'store'],
    handler: async (c, d) => {
      const name = param(c, 'name');
      const stored = await d.store.getExperiment(name);
      if (!stored) throw notFound(`no experiment named ${name}`);
      let outlineOrError: { method: unknown[] } | { error: string };
      try {
        const experiment = await d.documents.experiment(name);
        outlineOrError = { method: experiment.method.map(outline) };
      } catch (error) {
        outlineOrError = {
          error:
            error instanceof ApiError
              ? `${error.message}${error.details?.length ? `: ${error.details.map((e) => e.message).join('; ')}` : ''}`
              : errorMessage(error),
        };
      }
      const schedules = (await d.store.listSchedules())
        .filter((s) => s.experimentRef === name)
        .map((s) => ({ name: s.name, nextRuns: upcomingOf(d, s.name) }));
      return c.json({ ...stored, ...outlineOrError, schedules });
    },
  }),
  apiRoute({
    method: 'PUT',
    path: '/api/v1/experiments/:name',
    role: 'operator',
    tag: 'experiments',
    action: 'experiment.replace',
    summary: 'Replace a stored experiment',
    body: { ...yamlBody, description: 'one Experiment document named as in the path' },
    responses: {
      200: 'replaced',
      400: 'not one document of that name',
      403: 'outside the token scope',
      404: 'no such experiment',
      422: 'invalid',
    },
    uses: ['documents'],
    handler: async (c, d) => {
      const name = param(c, 'name');
      await d.documents.putExperiments(await documentBody(c), principalOf(c), name);
      auditDetail(c, name);
      return c.json({ experiments: [name] });
    },
  }),
  apiRoute({
    method: 'DELETE',
    path: '/api/v1/experiments/:name',
    role: 'operator',
    tag: 'experiments',
    action: 'experiment.delete',
    summary: 'Delete a stored experiment (refused while a schedule runs it)',
    responses: { 204: 'deleted', 403: 'outside the token scope', 404: 'no such experiment', 409: 'a schedule runs it' },
    uses: ['documents'],
    handler: async (c, d) => {
      const name = param(c, 'name');
      const principal = principalOf(c);
      if (principal.scope) {
        try {
          d.documents.checkScope(await d.documents.experiment(name), principal);
        } catch (error) {
          if (!(error instanceof ApiError) || error.status === 403 || error.status === 404) throw error;
        }
      }
      await d.documents.deleteExperiment(name);
      auditDetail(c, name);
      return c.body(null, 204);
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/validate',
    role: 'viewer',
    tag: 'experiments',
    summary: 'Validate Experiment and Schedule documents without storing them (the YAML editor)',
    body: { type: 'yaml', description: 'any Experiment and Schedule documents' },
    responses: { 200: "valid: the names found, and each schedule's next runs", 422: 'invalid, with located errors' },
    uses: ['documents'],
    handler: async (c, d) => {
      const parsed = await d.documents.parse(await documentBody(c));
      const { parseCron } = await import('../../schedule/cron.js');
      const { upcoming } = await import('../../schedule/next-runs.js');
      return c.json({
        valid: true,
        experiments: parsed.experiments.map((e) => ({ name: e.name, steps: e.method.length })),
        schedules: parsed.schedules.map((s) => ({
          name: s.name,
          experiment: 'ref' in s.experiment ? s.experiment.ref : `${s.name} (inline)`,
          nextRuns: upcoming(parseCron(s.cron, s.timeZone), s.window, new Date(), 5).map((t) => t.toISOString()),
        })),
      });
    },
  }),
];
