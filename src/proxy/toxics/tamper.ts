/**
 * tamper: byzantine messages. The stream is cut into messages by a `framing` (`lines`,
 * `length-prefixed` with a 4-byte big-endian length, or `http`), and each message goes through, in
 * this order:
 *
 *   module -> drop -> corrupt -> duplicate -> reorder
 *
 * - `module`: an ES module exporting `tamper(message, context)` that returns a message, several, or
 *   none (see ./tamper-module.ts). A module that throws (or rejects) lets the message pass unchanged;
 *   the error is reported once per toxic and the traffic goes on.
 * - `drop` (percent): the message is not sent.
 * - `corrupt` (percent): one bit of the message's payload is flipped (never turning a byte into `\n`
 *   with the lines framing; the body with http).
 * - `duplicate` (percent): the message is sent twice.
 * - `reorder` (window, lines and length-prefixed only): messages are held until `window` of them (or
 *   50 ms passed) and sent in a random order.
 *
 * With the lines framing the message is a string (UTF-8) for the module; with length-prefixed a Buffer;
 * with http an object (see ../framing/http.ts), and the toxic works at the HTTP layer: `stream`
 * upstream means requests, downstream responses, and the match attributes (method, path, headers,
 * status, percent) choose the messages.
 */
import { z } from '../../util/zod.js';
import { percent } from '../attributes.js';
import { fromModuleMessage, toModuleMessage } from '../framing/http.js';
import { byteFraming, FRAMING_NAMES } from '../framing/index.js';
import { matchShape } from '../http/match-attributes.js';
import type { HttpMessage } from '../http/message.js';
import { registerToxic, type StageContext } from '../toxic.js';
import { loadTamperModule, resultList, type TamperContext, type TamperFunction } from './tamper-module.js';

const REORDER_HOLD_MS = 50;

export const tamperAttributes = z
  .strictObject({
    framing: z.enum(FRAMING_NAMES, { error: `expected a framing: ${FRAMING_NAMES.join(', ')}` }),
    drop: percent.default(0).describe('percent of messages dropped'),
    duplicate: percent.default(0).describe('percent of messages sent twice'),
    corrupt: percent.default(0).describe('percent of messages with one bit flipped'),
    reorder: z.number().int().min(0).max(1024).default(0).describe('window of messages sent in a random order (0: none)'),
    module: z.string().min(1).optional().describe('path of an ES module exporting tamper(message, context)'),
    ...matchShape,
  })
  .superRefine((a, ctx) => {
    if (a.framing === 'http' && a.reorder > 1)
      ctx.addIssue({ code: 'custom', path: ['reorder'], message: 'reorder works with the lines and length-prefixed framings, not http' });
    if (a.framing !== 'http') {
      for (const key of ['method', 'path', 'headers', 'status'] as const) {
        if (a[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: `${key} matches HTTP messages: use it with framing: http` });
      }
    }
  });
type Attributes = z.infer<typeof tamperAttributes>;

function flipBit(payload: Buffer, random: () => number, avoidNewline: boolean): Buffer {
  if (payload.length === 0) return payload;
  const copy = Buffer.from(payload);
  const i = Math.floor(random() * copy.length);
  for (let attempt = 0; attempt < 8; attempt++) {
    const flipped = (copy[i] as number) ^ (1 << Math.floor(random() * 8));
    if (!(avoidNewline && flipped === 0x0a)) {
      copy[i] = flipped;
      break;
    }
  }
  return copy;
}

function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string') return Buffer.from(value);
  throw new TypeError(`the tamper module returned ${typeof value}; return a string, a Buffer, an array of them, or null`);
}

/** drop, corrupt, duplicate: the messages that go on for one message. */
function basicActions<M>(message: M, a: Attributes, random: () => number, corrupt: (m: M) => M): M[] {
  if (a.drop > 0 && random() * 100 < a.drop) return [];
  const m = a.corrupt > 0 && random() * 100 < a.corrupt ? corrupt(message) : message;
  return a.duplicate > 0 && random() * 100 < a.duplicate ? [m, m] : [m];
}

function createStage(ctx: StageContext<Attributes>) {
  const framingName = ctx.toxic.attributes.framing as 'lines' | 'length-prefixed';
  const framing = byteFraming(framingName);
  const decoder = framing.decoder({ midStream: ctx.midStream });
  const module = ctx.toxic.prepared as TamperFunction | undefined;
  const isLines = framingName === 'lines';
  let index = 0;
  // Output in order, whatever order async module calls finish in.
  interface Slot {
    ready: boolean;
    messages: Buffer[];
    raw: Buffer[];
    end: boolean;
    input?: Buffer;
  }
  const slots: Slot[] = [];
  let pendingBytes = 0;
  let waitingBytes = 0;
  let window: Buffer[] = [];
  let windowBytes = 0;
  let windowTimer: NodeJS.Timeout | null = null;
  let destroyed = false;

  const releaseWindow = () => {
    if (windowTimer) clearTimeout(windowTimer);
    windowTimer = null;
    const held = window;
    window = [];
    windowBytes = 0;
    for (let i = held.length - 1; i > 0; i--) {
      const j = Math.floor(ctx.random() * (i + 1));
      [held[i], held[j]] = [held[j] as Buffer, held[i] as Buffer];
    }
    for (const m of held) ctx.push(m);
  };
  const emit = (framed: Buffer) => {
    const size = ctx.toxic.attributes.reorder;
    if (size <= 1) {
      ctx.push(framed);
      return;
    }
    window.push(framed);
    windowBytes += framed.length;
    if (window.length >= size) releaseWindow();
    else if (!windowTimer) windowTimer = setTimeout(releaseWindow, REORDER_HOLD_MS);
  };
  const drain = () => {
    while (slots.length && (slots[0] as Slot).ready) {
      const slot = slots.shift() as Slot;
      for (const m of slot.messages) {
        pendingBytes -= m.length;
        emit(m);
      }
      if (slot.raw.length || slot.end) releaseWindow();
      for (const r of slot.raw) ctx.push(r);
      if (slot.end) ctx.end();
    }
  };
  const finish = (payloads: Buffer[]): Buffer[] => {
    const a = ctx.toxic.attributes;
    return payloads.flatMap((p) => basicActions(p, a, ctx.random, (m) => flipBit(m, ctx.random, isLines))).map((p) => framing.encode(p));
  };
  const context = (): TamperContext => ({
    framing: framingName,
    stream: ctx.stream,
    connection: ctx.connectionId,
    index: index++,
    proxy: ctx.proxyName,
    random: ctx.random,
  });
  const convert = (result: unknown): Buffer[] => resultList(result).map(toBuffer);
  const handle = (payload: Buffer) => {
    const slot: Slot = { ready: true, messages: [], raw: [], end: false, input: payload };
    slots.push(slot);
    const settle = (payloads: Buffer[]) => {
      slot.messages = finish(payloads);
      for (const m of slot.messages) pendingBytes += m.length;
    };
    const unchanged = (error: unknown) => {
      ctx.warn(`the tamper module threw: ${(error as Error)?.message ?? String(error)}; the message passed unchanged`);
      return [payload];
    };
    const safely = (value: unknown) => {
      try {
        return convert(value);
      } catch (error) {
        return unchanged(error);
      }
    };
    if (!module) return settle([payload]);
    let result: unknown;
    try {
      result = module(isLines ? payload.toString('utf8') : payload, context());
    } catch (error) {
      return settle(unchanged(error));
    }
    if (!(result instanceof Promise)) return settle(safely(result));
    slot.ready = false;
    waitingBytes += payload.length;
    result.then(safely, unchanged).then((list) => {
      waitingBytes -= payload.length;
      if (destroyed || slot.ready) return;
      settle(list);
      slot.ready = true;
      drain();
    });
  };
  const passRaw = (raw: Buffer[], end = false) => {
    if (raw.length || end) slots.push({ ready: true, messages: [], raw, end });
  };

  return {
    get buffered() {
      return decoder.buffered + pendingBytes + waitingBytes + windowBytes;
    },
    write(chunk: Buffer) {
      const messages = decoder.push(chunk);
      passRaw(decoder.takeRaw()); // bytes before the framing synchronised
      for (const m of messages) handle(m);
      passRaw(decoder.takeRaw()); // bytes after it broke
      drain();
    },
    end() {
      const rest = decoder.rest();
      passRaw([...decoder.takeRaw(), ...(rest.length ? [rest] : [])], true);
      drain();
    },
    flush() {
      // removed: what is ready goes now; a module call still running is given up and its input passes
      for (const slot of slots) {
        if (slot.ready) continue;
        slot.ready = true;
        slot.messages = slot.input ? [framing.encode(slot.input)] : [];
        for (const m of slot.messages) pendingBytes += m.length;
      }
      const rest = decoder.rest();
      passRaw([...decoder.takeRaw(), ...(rest.length ? [rest] : [])]);
      drain();
      releaseWindow();
      destroyed = true;
    },
    destroy() {
      destroyed = true;
      if (windowTimer) clearTimeout(windowTimer);
    },
  };
}

registerToxic<Attributes>({
  name: 'tamper',
  summary: 'drop, duplicate, reorder, corrupt or rewrite (with a module) framed messages',
  attributes: tamperAttributes,
  layer: (a) => (a.framing === 'http' ? 'http' : 'stream'),
  prepare: async (a) => (a.module ? loadTamperModule(a.module) : undefined),
  createStage: (ctx) => createStage(ctx),
  http: {
    kind: 'tamper',
    match: (a) => ({ method: a.method, path: a.path, headers: a.headers, status: a.status, percent: a.percent }),
    needsBody: () => true,
    transform(message, a, ctx) {
      const module = ctx.prepared as TamperFunction | undefined;
      const finish = (messages: HttpMessage[]) =>
        messages.flatMap((m) => basicActions(m, a, ctx.random, (x) => ({ ...x, body: flipBit(x.body, ctx.random, false) })));
      if (!module) return finish([message]);
      const context: TamperContext = {
        framing: 'http',
        stream: ctx.phase === 'request' ? 'upstream' : 'downstream',
        phase: ctx.phase,
        connection: ctx.connectionId,
        index: ctx.index,
        proxy: ctx.proxyName,
        random: ctx.random,
      };
      const convert = (value: unknown) => resultList(value).map((v) => fromModuleMessage(v, message));
      const unchanged = (error: unknown) => {
        ctx.warn(`the tamper module threw: ${(error as Error)?.message ?? String(error)}; the message passed unchanged`);
        return [message];
      };
      let result: unknown;
      try {
        result = module(toModuleMessage(message), context);
      } catch (error) {
        return finish(unchanged(error));
      }
      if (result instanceof Promise) {
        return result
          .then((value) => {
            try {
              return convert(value);
            } catch (error) {
              return unchanged(error);
            }
          }, unchanged)
          .then(finish);
      }
      try {
        return finish(convert(result));
      } catch (error) {
        return finish(unchanged(error));
      }
    },
  },
});
