/**
 * PagerDuty's Events API v2 on 127.0.0.1: `POST /v2/enqueue`, answering as PagerDuty does: 202
 * `{status: "success", message: "Event processed", dedup_key}`; 400 `{status: "invalid event", message:
 * "Event object is invalid", errors: [...]}` for a bad event or an unknown routing key. It keeps the
 * alerts it knows by dedup key (triggered, resolved), as the service's incidents would be.
 */
import { randomBytes } from 'node:crypto';
import { json, type RecordingServer, startRecordingServer } from './recording-server.js';

export interface PagerDutyEvent {
  routing_key?: string;
  event_action?: string;
  dedup_key?: string;
  payload?: {
    summary?: string;
    source?: string;
    severity?: string;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: { href: string; text?: string }[];
  client?: string;
  client_url?: string;
}

export interface FakePagerDutyEvents extends RecordingServer {
  /** the enqueue URL */
  enqueueUrl: string;
  /** the integration key it accepts (32 characters, as PagerDuty's are) */
  routingKey: string;
  /** accepted events, in order */
  events: PagerDutyEvent[];
  /** alert status by dedup key */
  alerts: Map<string, 'triggered' | 'acknowledged' | 'resolved'>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

function problems(event: PagerDutyEvent, routingKey: string): string[] {
  const errors: string[] = [];
  if (typeof event.routing_key !== 'string' || event.routing_key.length !== 32) errors.push("'routing_key' must be a 32 character string");
  else if (event.routing_key !== routingKey) errors.push('Invalid routing key');
  if (!['trigger', 'acknowledge', 'resolve'].includes(event.event_action ?? '')) errors.push("'event_action' is invalid");
  if (event.event_action === 'trigger') {
    const p = event.payload;
    if (!p) errors.push("'payload' is missing or null");
    else {
      if (!p.summary) errors.push("'payload.summary' is missing or blank");
      else if (p.summary.length > 1024) errors.push("'payload.summary' must be at most 1024 characters");
      if (!p.source) errors.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(p.severity ?? ''))
        errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
    }
  } else if (event.event_action && !event.dedup_key) {
    errors.push("'dedup_key' is missing or blank");
  }
  if (event.dedup_key !== undefined && event.dedup_key.length > 255) errors.push("'dedup_key' must be at most 255 characters");
  return errors;
}

export async function startFakePagerDutyEvents(): Promise<FakePagerDutyEvents> {
  const routingKey = randomBytes(16).toString('hex');
  const events: PagerDutyEvent[] = [];
  const alerts = new Map<string, 'triggered' | 'acknowledged' | 'resolved'>();
  const server = await startRecordingServer((req) => {
    if (req.path !== '/v2/enqueue') return json(404, { status: 'Not found', message: 'Not found' });
    if (req.method !== 'POST') return json(405, { status: 'Method not allowed' });
    let event: PagerDutyEvent;
    try {
      event = JSON.parse(req.body) as PagerDutyEvent;
    } catch {
      return json(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Malformed JSON'] });
    }
    const errors = problems(event, routingKey);
    if (errors.length) return json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
    const dedupKey = event.dedup_key ?? randomBytes(16).toString('hex');
    events.push(event);
    if (event.event_action === 'trigger') alerts.set(dedupKey, 'triggered');
    else if (alerts.has(dedupKey)) alerts.set(dedupKey, event.event_action === 'resolve' ? 'resolved' : 'acknowledged');
    return json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  });
  return Object.assign(server, { enqueueUrl: `${server.url}/v2/enqueue`, routingKey, events, alerts });
}
