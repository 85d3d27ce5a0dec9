/**
 * Game days: start one on the daemon and stop it, list them, one game day's report (JSON, Markdown,
 * HTML), approve its next stage, add findings and action items.
 */
import {
  GAMEDAY_REPORT_FORMATS,
  type GameDayReportFormat,
  loadGameDayReport,
  renderGameDayReport,
} from '../../programme/gameday-report.js';
import { ENDED, type GameDayRecord, type NoteInput } from '../../store/gameday-store.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { documentBody, jsonBody, limitParam } from '../http.js';
import { type ApiRoute, apiRoute, auditDetail, type Ctx, param, principalOf } from '../route.js';
import type { DaemonServices } from '../services.js';
import { refuseWhileHalted } from './runs.js';

const CONTENT_TYPES: Record<GameDayReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

async function gameDayOf(c: Ctx, d: Pick<DaemonServices, 'gameDays'>): Promise<GameDayRecord> {
  const found = await (await d.gameDays()).get(param(c, 'id'));
  if (found === 'ambiguous') throw badRequest(`game day ${param(c, 'id')} matches several; give more of its id`);
  if (!found) throw notFound(`no game day ${param(c, 'id')}`);
  return found;
}

function text(body: Record<string, unknown>, key: string, required: boolean, max = 2000): string | null {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw badRequest(`${key}: required`);
    return null;
  }
  if (typeof value !== 'string' || !value.trim()) throw badRequest(`${key}: expected a non-empty string`);
  return value.trim().slice(0, max);
}

async function addNote(c: Ctx, d: Pick<DaemonServices, 'gameDays'>, kind: NoteInput['kind']): Promise<Response> {
  const record = await gameDayOf(c, d);
  const body = await jsonBody(c);
  const note: NoteInput = { kind, text: text(body, 'text', true) as string, author: principalOf(c).user };
  if (kind === 'finding') {
    const severity = text(body, 'severity', false) ?? 'medium';
    if (!['low', 'medium', 'high', 'critical'].includes(severity)) throw badRequest('severity: expected low, medium, high or critical');
    note.severity = severity;
  } else {
    note.owner = text(body, 'owner', true, 200);
    const due = text(body, 'due', false, 10);
    if (due !== null && !/^\d{4}-\d{2}-\d{2}$/.test(due)) throw badRequest('due: expected a date as YYYY-MM-DD');
    note.due = due;
  }
  const stored = await (await d.gameDays()).addNote(record.id, note, new Date().toISOString());
  auditDetail(c, `${record.id}: ${note.text.slice(0, 200)}`);
  return c.json(stored, 201);
}

export const gameDayRoutes: ApiRoute[] = [
  apiRoute({
    method: 'POST',
    path: '/api/v1/gamedays',
    role: 'operator',
    tag: 'gamedays',
    action: 'gameday.start',
    summary: 'Start a game day on the daemon: its stages in order, each waiting for its approval when it has one',
    description:
      'The body is a GameDay document, with the Experiment documents its stages name when they are not stored; a stage names its experiments, `{ name: NAME }` (the daemon reads no files). Every experiment is authorized as a run of it would be (token scope, the exec capability). Returns once the game day is recorded; follow it at /api/v1/gamedays/{id} and on the dashboard at /gamedays/{id}. Refused while halted.',
    body: { type: 'yaml', description: 'a GameDay document (YAML or JSON), and Experiment documents it names' },
    responses: {
      202: 'started: `{ id, name, links }`',
      403: 'an experiment is outside the token scope, or runs commands and the token lacks exec',
      409: 'halted',
      422: 'invalid, or it names an experiment that does not exist',
      503: 'shutting down',
    },
    uses: ['control', 'documents', 'gameDayRuns'],
    handler: async (c, d) => {
      const gameDay = await d.documents.gameDayOf(await documentBody(c));
      const principal = principalOf(c);
      for (const stage of gameDay.stages) for (const { experiment } of stage.experiments) d.documents.authorize(experiment, principal);
      refuseWhileHalted(d);
      const started = await d.gameDayRuns.start(gameDay, principal.user);
      auditDetail(c, `game day ${started.id} (${gameDay.name}): ${gameDay.stages.length} stage(s)`);
      return c.json(
        {
          id: started.id,
          name: gameDay.name,
          links: { self: `/api/v1/gamedays/${started.id}`, stop: `/api/v1/gamedays/${started.id}/stop`, page: `/gamedays/${started.id}` },
        },
        202,
      );
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/gamedays/:id/stop',
    role: 'operator',
    tag: 'gamedays',
    action: 'gameday.stop',
    urgent: true,
    summary: 'Stop a game day of this daemon: the run going reverts every fault, the rest is not run; its report says which stages ran',
    responses: {
      202: 'stopping',
      403: 'outside the token scope',
      404: 'no such game day',
      409: 'it has ended, or another process runs it (use the halt switch)',
    },
    uses: ['documents', 'gameDayRuns', 'gameDays'],
    handler: async (c, d) => {
      const record = await gameDayOf(c, d);
      const principal = principalOf(c);
      const active = d.gameDayRuns.get(record.id);
      if (!active) {
        if (ENDED.includes(record.status)) throw conflict(`game day ${record.id} has ended (${record.status})`);
        throw conflict(
          `game day ${record.id} is run by another process (faultline gameday run); stop it there, or use the halt switch (POST /api/v1/halt)`,
        );
      }
      // a scoped token may stop its own game days, or those whose every experiment is within its scope
      if (principal.scope && active.startedBy !== principal.user) {
        for (const experiment of active.experiments) d.documents.checkScope(experiment, principal);
      }
      d.gameDayRuns.stop(record.id, principal.user);
      auditDetail(c, `game day ${record.id} (${record.name})`);
      return c.json({ id: record.id, stopping: true }, 202);
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/gamedays',
    role: 'viewer',
    tag: 'gamedays',
    summary: 'The latest game-day runs, newest first, with their stages',
    query: [{ name: 'limit', description: 'at most this many (default 50, at most 500)' }],
    responses: { 200: '`{ items: [...] }`' },
    uses: ['gameDays'],
    handler: async (c, d) => c.json({ items: await (await d.gameDays()).list(limitParam(c, 50, 500)) }),
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/gamedays/:id',
    role: 'viewer',
    tag: 'gamedays',
    summary: 'The report of a game-day run: stages, approvals, runs with their numbers, timeline, findings, action items',
    query: [{ name: 'format', description: 'json (default), md or html' }],
    responses: { 200: 'the report', 404: 'no such game day' },
    uses: ['gameDays', 'store'],
    handler: async (c, d) => {
      const format = (c.req.query('format') ?? 'json') as GameDayReportFormat;
      if (!GAMEDAY_REPORT_FORMATS.includes(format)) throw badRequest(`format ${format}: expected json, md or html`);
      const report = await loadGameDayReport(await gameDayOf(c, d), await d.gameDays(), d.store);
      if (format === 'json') return c.json(report);
      return c.body(renderGameDayReport(report, format), 200, { 'Content-Type': CONTENT_TYPES[format] });
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/gamedays/:id/approve',
    role: 'operator',
    tag: 'gamedays',
    action: 'gameday.approve',
    summary: 'Approve the stage that waits (or `stage`, 1 for the first, ahead of time); the game day goes on within its poll interval',
    body: {
      type: 'json',
      description: '`{"stage": N}` (optional)',
      schema: { type: 'object', properties: { stage: { type: 'integer', minimum: 1 } } },
    },
    responses: { 200: '`{ approved: true, stage }`', 404: 'no such game day', 409: 'nothing to approve' },
    uses: ['gameDays'],
    handler: async (c, d) => {
      const record = await gameDayOf(c, d);
      const body = await jsonBody(c);
      const stage = body.stage;
      if (stage !== undefined && (typeof stage !== 'number' || !Number.isInteger(stage) || stage < 1)) {
        throw badRequest('stage: expected a stage number, 1 for the first');
      }
      const outcome = await (await d.gameDays()).approve(
        record.id,
        stage === undefined ? undefined : stage - 1,
        principalOf(c).user,
        new Date().toISOString(),
      );
      if (!outcome.ok) throw outcome.why === 'no-such-stage' ? badRequest(outcome.detail) : conflict(outcome.detail);
      auditDetail(c, `${record.id}: stage ${outcome.stage.index + 1} (${outcome.stage.name})`);
      return c.json({ approved: true, gameDay: record.id, stage: outcome.stage });
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/gamedays/:id/findings',
    role: 'operator',
    tag: 'gamedays',
    action: 'gameday.finding',
    summary: 'Add a finding to a game-day run: shown in its report',
    body: {
      type: 'json',
      description: '`{"text": TEXT, "severity": "low"|"medium"|"high"|"critical"}`',
      schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' }, severity: { type: 'string' } } },
    },
    responses: { 201: 'the finding', 400: 'no text', 404: 'no such game day' },
    uses: ['gameDays'],
    handler: (c, d) => addNote(c, d, 'finding'),
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/gamedays/:id/actions',
    role: 'operator',
    tag: 'gamedays',
    action: 'gameday.action',
    summary: 'Add an action item (with its owner) to a game-day run: shown in its report',
    body: {
      type: 'json',
      description: '`{"text": TEXT, "owner": NAME, "due": "YYYY-MM-DD"}`',
      schema: {
        type: 'object',
        required: ['text', 'owner'],
        properties: { text: { type: 'string' }, owner: { type: 'string' }, due: { type: 'string' } },
      },
    },
    responses: { 201: 'the action item', 400: 'no text or owner', 404: 'no such game day' },
    uses: ['gameDays'],
    handler: (c, d) => addNote(c, d, 'action'),
  }),
];
