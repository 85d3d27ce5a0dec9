/**
 * A generic webhook: the JSON report POSTed as is, signed so the receiver can trust it:
 * `X-Faultline-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed with the shared secret>`
 * (compare it in constant time). `X-Faultline-Delivery` is the same for every attempt of one delivery.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { renderJson } from '../../report/json.js';
import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { type CommonConfig, commonFields, envName, policyOf, registerChannel, VERDICTS } from './channel.js';
import { postWithRetries } from './deliver.js';
import { readSecret, type SecretRef } from './secret.js';

export const WEBHOOK_DEFAULT_ENV = 'FAULTLINE_WEBHOOK_SECRET';
export const SIGNATURE_HEADER = 'X-Faultline-Signature';

export interface WebhookConfig extends CommonConfig {
  type: 'webhook';
  url: string;
  secretEnv?: string;
  secretFile?: string;
}

const schema = strict({
  type: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://hooks.example.com/faultline' }),
  secretEnv: envName.optional().describe(`environment variable holding the HMAC key (default ${WEBHOOK_DEFAULT_ENV})`),
  secretFile: z.string().optional().describe('file holding the HMAC key'),
  ...commonFields,
}).refine((c) => c.secretEnv === undefined || c.secretFile === undefined, {
  message: 'give secretEnv or secretFile, not both',
  path: ['secretFile'],
});

function secretOf(config: WebhookConfig): SecretRef {
  return config.secretFile !== undefined
    ? { what: 'webhook signing secret', file: config.secretFile }
    : { what: 'webhook signing secret', env: config.secretEnv ?? WEBHOOK_DEFAULT_ENV };
}

/** `sha256=<hex>`: the HMAC-SHA256 of `body` keyed with `secret`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

registerChannel<WebhookConfig>({
  type: 'webhook',
  summary: 'a generic webhook: the JSON report, signed with HMAC-SHA256',
  defaultOn: VERDICTS,
  schema,
  secrets: (config) => [secretOf(config)],
  async send(config, ctx) {
    const secret = readSecret(secretOf(config), ctx.env);
    const body = renderJson(ctx.report);
    await postWithRetries(
      config.url,
      body,
      {
        'Content-Type': 'application/json',
        'User-Agent': 'faultline',
        'X-Faultline-Event': 'run.finished',
        'X-Faultline-Run-Id': ctx.report.runId,
        'X-Faultline-Delivery': randomUUID(),
        [SIGNATURE_HEADER]: signBody(body, secret),
      },
      policyOf(config, ctx),
      [secret],
    );
    return 'delivered';
  },
  async announce(config, announcement, ctx) {
    const secret = readSecret(secretOf(config), ctx.env);
    const body = JSON.stringify(announcement);
    await postWithRetries(
      config.url,
      body,
      {
        'Content-Type': 'application/json',
        'User-Agent': 'faultline',
        'X-Faultline-Event': announcement.event,
        'X-Faultline-Delivery': randomUUID(),
        [SIGNATURE_HEADER]: signBody(body, secret),
      },
      { timeoutMs: config.timeout, attempts: config.attempts, backoffMs: ctx.backoffMs },
      [secret],
    );
    return 'delivered';
  },
});
