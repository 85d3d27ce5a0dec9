/**
 * Toxics: the faults a proxy applies to the traffic of its connections, one file per type under
 * ./toxics/, one registry (this file). The model is Toxiproxy's: a proxy holds one ordered chain of
 * toxics per direction, and every connection runs the chain of each of its two directions:
 *
 *   client --upstream-->  [stage][stage]...  --> upstream server
 *   client <--downstream-- [stage][stage]... <-- upstream server
 *
 * A toxic type builds one `Stage` per connection and direction (its per-link state: timers, queues,
 * counters). HTTP toxics work on whole requests and responses instead (see ./http/relay.ts): for them
 * `upstream` means "on the request" and `downstream` "on the response".
 *
 * Differences from Toxiproxy kept on purpose: whether a toxic applies to a connection (`toxicity`) is
 * drawn once per connection and kept for its life, whatever happens to other toxics; attributes are
 * checked strictly (an unknown attribute is an error, not ignored).
 */

import { Registry } from '../util/registry.js';
import { didYouMean } from '../util/suggest.js';
import type { z } from '../util/zod.js';
import { ProxyError } from './errors.js';
import type { HttpAction } from './http/action.js';
import type { Random } from './random.js';

export type Stream = 'upstream' | 'downstream';
export const STREAMS: readonly Stream[] = ['upstream', 'downstream'];

/** `stream` acts on the bytes of one direction; `http` on the requests or responses of HTTP/1.x connections. */
export type Layer = 'stream' | 'http';

/** What a stage can do with the link it sits on. */
export interface StageContext<A = unknown> {
  /** the toxic, whose `attributes` are current (an update through the API shows here at once) */
  readonly toxic: Toxic<A>;
  readonly random: Random;
  readonly stream: Stream;
  readonly connectionId: number;
  readonly proxyName: string;
  /** true when bytes had already gone through this direction when the stage was added */
  readonly midStream: boolean;
  /** passes bytes on to the next stage (or the socket) */
  push(chunk: Buffer): void;
  /** passes the end of the stream on, after everything pushed before it */
  end(): void;
  /** closes the whole connection (both sockets) after what was pushed is written */
  close(): void;
  /** resets both sockets with a TCP RST */
  reset(): void;
  /** reports a problem of this toxic, once per toxic (later reports of the same toxic are dropped) */
  warn(message: string): void;
}

/** One toxic on one link: its state for one connection and direction. */
export interface Stage {
  /** bytes it holds now (counted against the link's buffer bound, so a full stage pauses the reader) */
  readonly buffered: number;
  write(chunk: Buffer): void;
  end(): void;
  /** the toxic is being removed: push everything held on now (and the end, if it was held), stop timers */
  flush(): void;
  /** the connection is gone: stop timers, drop what is held */
  destroy(): void;
  /** the toxic's attributes were updated */
  updated?(): void;
}

/**
 * A toxic type of any attribute shape, as the registry holds it. Its functions are methods, checked
 * bivariantly, so a ToxicType<A> is one without a cast; each gets only attributes its own schema parsed.
 */
export type AnyToxicType = ToxicType<unknown>;

export interface ToxicType<A = unknown> {
  /** the name in the API and in `type`, e.g. `latency` */
  name: string;
  /** other accepted names, e.g. Toxiproxy's `reset_peer` for `reset` */
  aliases?: readonly string[];
  summary: string;
  /** strict schema of `attributes`, defaults filled in */
  attributes: z.ZodType<A>;
  /** the stream used when none is given (Toxiproxy: downstream) */
  defaultStream?: Stream;
  /** which layer it works at; default `stream` */
  layer?(attributes: A): Layer;
  /** async preparation before it is added (loading a module); the result is `toxic.prepared` */
  prepare?(attributes: A): Promise<unknown>;
  /** a stage for one link (stream layer) */
  createStage?(ctx: StageContext<A>): Stage;
  /** what it does to a request or response (http layer) */
  http?: HttpAction<A>;
}

export interface Toxic<A = unknown> {
  name: string;
  /** the type as the client wrote it (`reset_peer` stays `reset_peer` in answers) */
  type: string;
  def: ToxicType<A>;
  stream: Stream;
  /** probability, 0 to 1, that the toxic applies to a connection; drawn once per connection */
  toxicity: number;
  attributes: A;
  /** the attributes as given (before defaults), merged by updates */
  input: Record<string, unknown>;
  layer: Layer;
  prepared: unknown;
  /** order of addition, for the chain and for per-toxic random seeds */
  seq: number;
}

/** A toxic as the Toxiproxy API shows it. */
export interface ToxicJson {
  name: string;
  type: string;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, unknown>;
}

export interface ToxicInput {
  name?: string;
  type: string;
  stream?: string;
  toxicity?: number;
  attributes?: Record<string, unknown>;
}

/** The fields of a toxic in the API. */
export const TOXIC_FIELDS = ['name', 'type', 'stream', 'toxicity', 'attributes'] as const;

const types = new Registry<AnyToxicType>('toxic');
/** every toxic type under its own name and each of its aliases */
const byAlias = new Registry<AnyToxicType>('toxic');

export function registerToxic<A>(def: ToxicType<A>): ToxicType<A> {
  for (const name of [def.name, ...(def.aliases ?? [])]) byAlias.add(name, def);
  return types.add(def.name, def);
}

export function findToxicType(name: string): AnyToxicType | undefined {
  return byAlias.get(name);
}

/** The toxic types, by their own names (aliases not listed). */
export function toxicTypeNames(): string[] {
  return types.names().sort();
}

/** The attribute names of a toxic type (its schema is an object schema, whose `shape` names them). */
export function attributeNames(def: AnyToxicType): string[] {
  const { shape } = def.attributes as { shape?: Record<string, unknown> };
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

/** `attributes.latency: expected a number` lines of a zod error, joined. */
export function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${path ? `${path}: ` : ''}${issue.message}`;
    })
    .join('; ');
}

/** Checks attributes against a toxic type; the parsed attributes, or a 400 ProxyError naming each problem. */
export function parseAttributes<A>(def: ToxicType<A>, type: string, input: unknown): A {
  const result = def.attributes.safeParse(input ?? {});
  if (!result.success) throw new ProxyError(`bad attributes for a ${type} toxic: ${describeIssues(result.error, 'attributes')}`, 400);
  return result.data;
}

export function parseStream(value: unknown, fallback: Stream): Stream {
  if (value === undefined || value === null || value === '') return fallback;
  const text = String(value).toLowerCase();
  if (text !== 'upstream' && text !== 'downstream') {
    throw new ProxyError(`stream was invalid, can be either upstream or downstream (got ${JSON.stringify(value)})`, 400);
  }
  return text;
}

export function parseToxicity(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ProxyError(
      `toxicity must be a number from 0 to 1 (the share of connections it applies to), got ${JSON.stringify(value)}`,
      400,
    );
  }
  return value;
}

/** Validates a toxic as a client sent it and builds it (not yet prepared); 400 ProxyError on bad input. */
export function buildToxic(raw: unknown, seq: number): Toxic {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ProxyError('bad request body: expected a JSON object', 400);
  const input = raw as Record<string, unknown>;
  const known: readonly string[] = TOXIC_FIELDS;
  for (const key of Object.keys(input)) {
    if (!known.includes(key))
      throw new ProxyError(`unknown toxic field "${key}"${didYouMean(key, known)}; known fields: ${known.join(', ')}`, 400);
  }
  if (typeof input.type !== 'string' || input.type === '') throw new ProxyError('missing required field: type', 400);
  const def = findToxicType(input.type);
  if (!def) {
    throw new ProxyError(
      `invalid toxic type "${input.type}"${didYouMean(input.type, byAlias.names())}; known types: ${toxicTypeNames().join(', ')}`,
      400,
    );
  }
  if (
    input.attributes !== undefined &&
    (typeof input.attributes !== 'object' || input.attributes === null || Array.isArray(input.attributes))
  ) {
    throw new ProxyError('attributes must be a JSON object', 400);
  }
  const attributesInput = { ...((input.attributes as Record<string, unknown> | undefined) ?? {}) };
  const attributes = parseAttributes(def, input.type, attributesInput);
  const stream = parseStream(input.stream, def.defaultStream ?? 'downstream');
  const name = input.name === undefined || input.name === '' ? `${input.type}_${stream}` : input.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._~-]+$/.test(name)) {
    throw new ProxyError(`toxic name ${JSON.stringify(name)} must be letters, digits, ".", "_", "~" or "-"`, 400);
  }
  return {
    name,
    type: input.type,
    def,
    stream,
    toxicity: parseToxicity(input.toxicity),
    attributes,
    input: attributesInput,
    layer: def.layer?.(attributes) ?? 'stream',
    prepared: undefined,
    seq,
  };
}

export function toxicJson(toxic: Toxic): ToxicJson {
  return {
    name: toxic.name,
    type: toxic.type,
    stream: toxic.stream,
    toxicity: toxic.toxicity,
    attributes: { ...(toxic.attributes as Record<string, unknown>) },
  };
}
