/**
 * What an HTTP toxic does to a request or response. The relay applies the actions of one message in
 * this fixed order, whatever order the toxics were added in (Chaos Mesh's order, tamper last):
 *
 *   abort -> delay -> replace -> patch -> tamper
 *
 * An abort answers at once and short-circuits the rest: on the request, the upstream is never sent
 * the request; on the response, the upstream's response is discarded.
 */
import type { Random } from '../random.js';
import type { HttpMatch } from './match.js';
import type { HttpHead, HttpMessage } from './message.js';

export type HttpActionKind = 'abort' | 'delay' | 'replace' | 'patch' | 'tamper';
export const ACTION_ORDER: readonly HttpActionKind[] = ['abort', 'delay', 'replace', 'patch', 'tamper'];

export interface LocalResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface TransformContext {
  phase: 'request' | 'response';
  connectionId: number;
  /** index of the message in its direction on this connection, from 0 */
  index: number;
  proxyName: string;
  random: Random;
  /** the request this message is (or answers) */
  request: HttpHead;
  warn(message: string): void;
  prepared: unknown;
}

export interface HttpAction<A> {
  kind: HttpActionKind;
  match(attributes: A): HttpMatch;
  /** abort: the response sent instead */
  respond?(attributes: A): LocalResponse;
  /** delay: milliseconds */
  delayMs?(attributes: A, random: Random): number;
  /** replace, patch: changes to the head alone (status, headers); run when the body is not needed */
  head?(head: HttpHead, attributes: A): void;
  /** whether the whole body must be read first (a body rewrite) */
  needsBody?(attributes: A): boolean;
  /** replace, patch, tamper: the messages sent instead of this one (none, one, several) */
  transform?(message: HttpMessage, attributes: A, ctx: TransformContext): HttpMessage[] | Promise<HttpMessage[]>;
}
