/** The halt switch, target preview, and the Alertmanager receiver. */

import { planExperiment } from '../../engine/plan.js';
import { newSeed } from '../../engine/rng.js';
import { instanceLabel } from '../../engine/target-instance.js';
import { parseAlertmanagerPayload } from '../../observe/alertmanager.js';
import { activeRuns } from '../../safety/active-runs.js';
import { activeHalt, describeHalt, halt, unhalt } from '../../safety/halt.js';
import { badRequest, forbidden } from '../errors.js';
import { jsonBody } from '../http.js';
import { type ApiRoute, apiRoute, auditDetail, type Ctx, principalOf } from '../route.js';
import { plannedStepFields, planOrReject } from './plan-response.js';

const who = (c: Ctx) => `${principalOf(c).user} (api from ${c.get('source')})`;

/**
 * Alertmanager sends an alert again with each change of its group and every repeat_interval: one already
 * published with the same fingerprint, status and start is not published twice (as the standalone
 * receiver of src/observe/alertmanager.ts does).
 */
const seenAlerts = new Map<string, true>();
function isRepeat(key: string): boolean {
  if (seenAlerts.has(key)) return true;
  seenAlerts.set(key, true);
  if (seenAlerts.size > 10_000) seenAlerts.delete(seenAlerts.keys().next().value as string);
  return false;
}

export const safetyRoutes: ApiRoute[] = [
  apiRoute({
    method: 'GET',
    path: '/api/v1/halt',
    role: 'viewer',
    tag: 'safety',
    summary: 'Whether the halt switch is on, and the runs going on this host',
    responses: { 200: 'the halt state' },
    uses: ['control'],
    handler: (c, d) => {
      const current = activeHalt(d.control);
      return c.json({
        halted: Boolean(current),
        halt: current ?? null,
        detail: current ? describeHalt(current) : null,
        activeRuns: activeRuns(d.control),
      });
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/halt',
    role: 'operator',
    tag: 'safety',
    action: 'halt',
    urgent: true,
    summary: 'Turn the halt switch on: every run on this host reverts within a second and ends aborted; no run starts until unhalt',
    body: {
      type: 'json',
      description: '`{"reason": TEXT}`',
      schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string', minLength: 1 } } },
    },
    responses: { 200: 'halted', 400: 'no reason' },
    uses: ['bus', 'control'],
    handler: async (c, d) => {
      const body = await jsonBody(c);
      const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
      if (!reason) throw badRequest('reason: say why the halt is needed');
      const record = halt(d.control, reason.slice(0, 500), who(c));
      d.bus.daemon.publish('halted', record);
      auditDetail(c, reason.slice(0, 200));
      return c.json({ halted: true, halt: record, detail: describeHalt(record), activeRuns: activeRuns(d.control) });
    },
  }),
  apiRoute({
    method: 'DELETE',
    path: '/api/v1/halt',
    role: 'operator',
    tag: 'safety',
    action: 'unhalt',
    summary: 'Lift the halt switch (a token limited by a scope may not: the switch covers every target)',
    responses: { 200: 'lifted (or was not on)', 403: 'a scoped token' },
    uses: ['bus', 'control'],
    handler: (c, d) => {
      if (principalOf(c).scope) throw forbidden('a token limited to a scope may not lift the halt switch, which covers every target');
      const lifted = unhalt(d.control, who(c));
      d.bus.daemon.publish('unhalted', { by: principalOf(c).user });
      auditDetail(c, lifted ? 'lifted' : 'was not halted');
      return c.json({ halted: false, lifted });
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/targets/preview',
    role: 'viewer',
    tag: 'safety',
    summary: 'What each fault step of an experiment would hit now (candidates and the selection), without touching anything',
    body: { type: 'json', description: '`{"experiment": NAME}` or `{"yaml": TEXT}`, and an optional `seed`' },
    responses: { 200: 'the selection per step', 422: 'invalid, or a selector matches nothing' },
    uses: ['documents'],
    handler: async (c, d) => {
      const body = await jsonBody(c);
      const experiment = await d.documents.experimentOf(body);
      const seed = typeof body.seed === 'number' ? body.seed : newSeed();
      return planOrReject(async () => {
        const plan = await planExperiment(experiment, seed);
        return c.json({
          experiment: experiment.name,
          seed,
          steps: plan.map((p) => ({
            ...plannedStepFields(p),
            candidates: p.candidates.map((t) => ({ target: instanceLabel(t), labels: t.labels, command: t.command ?? null })),
            selected: p.selected.map(instanceLabel),
          })),
        });
      });
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/alerts',
    role: 'operator',
    tag: 'safety',
    action: 'alerts.receive',
    summary:
      "Alertmanager webhook receiver (webhook_configs with this URL and an operator token as the bearer): alerts reach the daemon's runs",
    body: { type: 'json', description: 'an Alertmanager webhook payload, version 4' },
    responses: { 200: 'received', 400: 'not an Alertmanager payload' },
    uses: ['alerts', 'bus'],
    handler: async (c, d) => {
      const parsed = parseAlertmanagerPayload(await c.req.text());
      if ('error' in parsed) throw badRequest(parsed.error);
      const receivedAt = Date.now();
      let fresh = 0;
      for (const alert of parsed.alerts) {
        if (isRepeat(`${alert.fingerprint ?? JSON.stringify(Object.entries(alert.labels).sort())}|${alert.status}|${alert.startsAt}`))
          continue;
        d.alerts.publish({ name: alert.labels.alertname as string, status: alert.status, labels: alert.labels, receivedAt });
        fresh++;
      }
      if (fresh) d.bus.daemon.publish('alerts', { received: fresh });
      auditDetail(
        c,
        `${parsed.alerts.length} alert(s), ${fresh} new: ${[...new Set(parsed.alerts.map((a) => a.labels.alertname))].join(', ').slice(0, 300)}`,
      );
      return c.json({ received: parsed.alerts.length, new: fresh });
    },
  }),
];
