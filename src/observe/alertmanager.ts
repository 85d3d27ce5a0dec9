/**
 * Did we get paged? A receiver of Alertmanager webhooks (`webhook_configs`, payload version 4): each
 * alert of a valid payload is published into an AlertHub, which the runs going at the time record
 * (time to detect by alert, `stopWhen: [{ alert }]`). `faultline run --alerts-port` opens one for its
 * runs; the daemon can open one for all of its runs.
 *
 *   POST /  or  POST /alerts   an Alertmanager payload   -> 200 {"received": N}
 *                              anything else             -> 400 (413 when over 1 MiB), nothing recorded
 *   GET  /-/healthy                                      -> 200
 *
 * Alertmanager sends an alert again with every change of its group and every repeat_interval: an alert
 * already published with the same fingerprint, status and start is not published twice.
 */
import { createServer, type Server } from 'node:http';
import type { AlertHub, ReceivedAlert } from '../engine/alerts.js';
import { z } from '../util/zod.js';
import { closeServer, type ListenAddress, listen, readBody, urlOf } from './listen.js';

const MAX_BODY = 1024 * 1024;
const REMEMBERED = 10_000;

const labelSet = z.record(z.string(), z.string());

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet.refine((l) => typeof l.alertname === 'string' && l.alertname !== '', { message: 'labels.alertname is missing' }),
  annotations: labelSet.optional(),
  startsAt: z.string().refine((t) => !Number.isNaN(Date.parse(t)), { message: 'expected an RFC 3339 time' }),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

/** https://prometheus.io/docs/alerting/latest/configuration/#webhook_config */
const payloadSchema = z.object({
  version: z.literal('4', { error: (i) => `expected version "4" (Alertmanager webhook), got ${JSON.stringify(i.input)}` }),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupKey: z.string().optional(),
  alerts: z.array(alertSchema).max(REMEMBERED),
});

export type AlertmanagerPayload = z.infer<typeof payloadSchema>;

/** The alerts of a payload, or why it is not an Alertmanager payload. */
export function parseAlertmanagerPayload(body: string): { alerts: AlertmanagerPayload['alerts'] } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { error: 'the body is not JSON' };
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `not an Alertmanager webhook payload: ${issue?.path.join('.') || 'body'}: ${issue?.message}` };
  }
  return { alerts: parsed.data.alerts };
}

export interface AlertReceiver {
  /** the URL to put in Alertmanager's webhook_configs */
  url: string;
  address: ListenAddress;
  close(): Promise<void>;
}

export async function startAlertReceiver(hub: AlertHub, address: ListenAddress, flag = '--alerts-port'): Promise<AlertReceiver> {
  const seen = new Map<string, true>();
  const isRepeat = (alert: AlertmanagerPayload['alerts'][number]) => {
    const key = `${alert.fingerprint ?? JSON.stringify(Object.entries(alert.labels).sort())}|${alert.status}|${alert.startsAt}`;
    if (seen.has(key)) return true;
    seen.set(key, true);
    if (seen.size > REMEMBERED) seen.delete(seen.keys().next().value as string);
    return false;
  };

  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/-/healthy') return reply(200, { ok: true });
    if (path !== '/' && path !== '/alerts') return reply(404, { error: 'not found; Alertmanager posts to / or /alerts' });
    if (req.method !== 'POST') return reply(405, { error: 'expected POST with an Alertmanager webhook payload' });
    let body: string | null;
    try {
      body = await readBody(req, MAX_BODY);
    } catch {
      return;
    }
    if (body === null) return reply(413, { error: `the body is larger than ${MAX_BODY} bytes` });
    const parsed = parseAlertmanagerPayload(body);
    if ('error' in parsed) return reply(400, { error: parsed.error });
    const receivedAt = Date.now();
    let published = 0;
    for (const alert of parsed.alerts) {
      if (isRepeat(alert)) continue;
      const received: ReceivedAlert = { name: alert.labels.alertname as string, status: alert.status, labels: alert.labels, receivedAt };
      hub.publish(received);
      published++;
    }
    reply(200, { received: parsed.alerts.length, new: published });
  });
  const bound = await listen(server, address, flag);
  return { url: urlOf(bound, '/alerts'), address: bound, close: () => closeServer(server) };
}
