/**
 * Secrets of notification channels (a Slack webhook URL, a PagerDuty routing key, an HMAC key) come
 * from an environment variable or a file, never from the experiment file itself, and never appear in
 * a log line, a report or an error: messages name the variable or the file, not the value.
 */
import { readFileSync } from 'node:fs';

export interface SecretRef {
  /** what the secret is, for messages: "webhook URL" */
  what: string;
  env?: string;
  file?: string;
}

export class SecretError extends Error {
  override name = 'SecretError';
}

/** Where the secret comes from, for messages: `$SLACK_WEBHOOK_URL` or `file /run/secrets/x`. */
export function describeSecret(ref: SecretRef): string {
  return ref.env !== undefined ? `$${ref.env}` : `file ${ref.file}`;
}

export function readSecret(ref: SecretRef, env: NodeJS.ProcessEnv): string {
  if (ref.env !== undefined) {
    const value = env[ref.env]?.trim();
    if (!value) throw new SecretError(`the ${ref.what} is read from $${ref.env}, which is not set; export it`);
    return value;
  }
  if (ref.file !== undefined) {
    let value: string;
    try {
      value = readFileSync(ref.file, 'utf8').trim();
    } catch (error) {
      throw new SecretError(`cannot read the ${ref.what} from ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (!value) throw new SecretError(`the ${ref.what} file ${ref.file} is empty`);
    return value;
  }
  throw new SecretError(`no source for the ${ref.what}`);
}
