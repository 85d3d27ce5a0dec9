/** Request and response helpers shared by the routes: bodies, paging cursors, server-sent events. */
import { streamSSE } from 'hono/streaming';
import { badRequest } from './errors.js';
import type { BusEvent, Channel } from './events.js';
import type { Ctx } from './route.js';

/** A YAML document body (JSON is YAML too); `{"yaml": "..."}` in a JSON body also works. */
export async function documentBody(c: Ctx): Promise<string> {
  const text = await c.req.text();
  if ((c.req.header('content-type') ?? '').includes('json')) {
    try {
      const json = JSON.parse(text) as { yaml?: unknown; kind?: unknown };
      if (json && typeof json === 'object' && typeof json.yaml === 'string' && json.kind === undefined) return json.yaml;
    } catch {
      throw badRequest('the body is not valid JSON; send a YAML document with Content-Type: application/yaml, or JSON');
    }
  }
  return text;
}

export async function jsonBody(c: Ctx): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw badRequest('expected a JSON object body');
}

export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    throw badRequest('the cursor is not one this API gave; start again without it');
  }
}

export function limitParam(c: Ctx, fallback: number, max: number): number {
  const text = c.req.query('limit');
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`limit ${text}: expected a whole number from 1 to ${max}`);
  return n;
}

const HEARTBEAT_MS = 15_000;

/**
 * Streams a channel as server-sent events: first what the client missed (after Last-Event-ID), then
 * every new event, with a comment every 15s so proxies keep the connection; ends when the channel does.
 */
export function streamChannel(c: Ctx, channel: Channel, options: { fromStart: boolean } = { fromStart: true }): Response {
  const given = c.req.header('last-event-id') ?? c.req.query('lastEventId');
  // a run's channel replays from its start; the daemon's, without Last-Event-ID, starts from now
  let lastId = given !== undefined ? Number(given) || 0 : options.fromStart ? 0 : channel.lastId;
  // an id this channel never gave comes from before the daemon restarted: what it kept is all new to the client
  if (lastId > channel.lastId) lastId = 0;
  return streamSSE(c, async (stream) => {
    const queue: BusEvent[] = [];
    let wake: (() => void) | null = null;
    let open = true;
    const unsubscribe = channel.subscribe((event) => {
      queue.push(event);
      wake?.();
    });
    stream.onAbort(() => {
      open = false;
      wake?.();
    });
    try {
      let sent = lastId;
      for (const event of channel.since(lastId)) {
        await stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(event.data) });
        sent = Math.max(sent, event.id);
        if (event.type === 'end') return;
      }
      if (channel.closed) return;
      while (open) {
        const event = queue.shift();
        if (!event) {
          const timer = new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, HEARTBEAT_MS).unref();
          });
          await timer;
          wake = null;
          if (!queue.length && open) await stream.write(': keep-alive\n\n');
          continue;
        }
        if (event.type === '') return; // the channel closed
        if (event.id <= sent) continue; // replayed already
        sent = event.id;
        await stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(event.data) });
        if (event.type === 'end') return;
      }
    } finally {
      unsubscribe();
    }
  });
}
