/**
 * Every API error is a JSON body `{ "error": { "status", "code", "message", "details"? } }` with a 4xx or
 * 5xx status. Messages say what was wrong and how to fix it; they never carry a secret or a stack trace.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type UserError, UserErrors } from '../util/errors.js';

export interface ErrorDetail {
  /** `file:line:column` split out, when the error is located in a document */
  line?: number;
  column?: number;
  path?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    /** response headers the error needs (Retry-After) */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) => new ApiError(400, 'bad_request', message, details);
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);
export const forbidden = (message: string, details?: ErrorDetail[]) => new ApiError(403, 'forbidden', message, details);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
/** 429, or 503 when the daemon (not the caller) is the one too busy: come back in `seconds`. */
export const retryLater = (status: 429 | 503, message: string, seconds: number) =>
  new ApiError(status, status === 429 ? 'too_many_requests' : 'busy', message, undefined, { 'Retry-After': String(seconds) });

/** `<input>:4:43: spec.method[0].pause: expected ...` to a located detail. */
export function locate(message: string): ErrorDetail {
  const match = /^[^:]*:(\d+):(\d+): (?:([\w.[\]-]+|\(document\)): )?(.*)$/s.exec(message);
  if (!match) return { message };
  return { line: Number(match[1]), column: Number(match[2]), ...(match[3] ? { path: match[3] } : {}), message: match[4] as string };
}

/** A document that does not validate: 422 with one located detail per error, as `faultline validate` prints them. */
export function invalidDocument(error: UserError): ApiError {
  const messages = error instanceof UserErrors ? error.messages : [error.message];
  const details = messages.map(locate);
  return new ApiError(422, 'invalid_document', `the document is not valid: ${details.length} error(s)`, details);
}

export function errorBody(error: ApiError): { error: { status: number; code: string; message: string; details?: ErrorDetail[] } } {
  return {
    error: { status: error.status, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  };
}
