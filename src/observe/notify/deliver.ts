/**
 * POSTs a notification with a time limit per attempt and a bounded number of attempts, backing off
 * between them (500ms, 1s, 2s, ... at most 5s; a `Retry-After` is honoured up to that cap). Network
 * errors, time-outs, 429 and 5xx are retried; any other answer is final. Error messages never carry
 * the URL (a Slack webhook URL is a secret) nor any secret given to redact.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { formatDuration } from '../../util/duration.js';
import { sleep } from '../../util/sleep.js';

export interface DeliveryPolicy {
  /** time limit of one attempt, connect to last byte */
  timeoutMs: number;
  /** attempts in all, at least 1 */
  attempts: number;
  /** first pause between attempts; doubles each time (tests shorten it) */
  backoffMs?: number;
  /** longest pause between attempts */
  maxBackoffMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A notification that could not be delivered; its message is safe to print. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

const MAX_BODY = 64 * 1024;

/** Replaces every secret in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

function postOnce(url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpAnswer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        // a fresh connection closed after the answer: nothing keeps the CLI alive afterwards
        agent: false,
        headers: { 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_BODY) text += chunk;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text.slice(0, MAX_BODY) });
        });
        res.on('error', fail);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${formatDuration(timeoutMs)}`)), timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    req.on('error', fail);
    req.end(body);
  });
}

function retryable(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Seconds or an HTTP date, in ms; null when absent or unreadable. */
function retryAfterMs(headers: IncomingHttpHeaders): number | null {
  const value = headers['retry-after'];
  if (typeof value !== 'string') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null;
}

function shortBody(body: string): string {
  const one = body.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}

/**
 * POSTs `body` until a final answer: resolves with a 2xx answer, rejects with a DeliveryError
 * (a final non-2xx answer, or the last failure once the attempts are spent).
 */
export async function postWithRetries(
  url: string,
  body: string,
  headers: Record<string, string>,
  policy: DeliveryPolicy,
  secrets: readonly string[] = [],
): Promise<HttpAnswer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new DeliveryError('the URL is not a valid URL', 0);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new DeliveryError(`the URL must be http(s), not ${target.protocol}`, 0);
  const attempts = Math.max(1, Math.floor(policy.attempts));
  const base = policy.backoffMs ?? 500;
  const cap = policy.maxBackoffMs ?? 5000;
  let last = '';
  let lastStatus: number | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = Math.min(cap, base * 2 ** (attempt - 1));
    try {
      const answer = await postOnce(target, body, headers, policy.timeoutMs);
      if (answer.status >= 200 && answer.status < 300) return answer;
      lastStatus = answer.status;
      last = `HTTP ${answer.status}${answer.body ? ` ${shortBody(answer.body)}` : ''}`;
      if (!retryable(answer.status)) throw new DeliveryError(redact(last, secrets), attempt, answer.status);
      const asked = retryAfterMs(answer.headers);
      if (asked !== null) wait = Math.min(cap, asked);
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      lastStatus = null;
      last = (error as Error).message;
    }
    if (attempt < attempts) await sleep(wait);
  }
  throw new DeliveryError(redact(`${last} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`, secrets), attempts, lastStatus);
}
