/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`): a run whose verdict is in `on` (default failed and
 * aborted) triggers an alert with the dedup key `faultline:<experiment>`, so repeated failures of one
 * experiment are one incident; the next passing run of that experiment resolves it. Which incidents are
 * open is remembered in $FAULTLINE_HOME (see state.ts); a passing run with none open sends nothing.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { RunReport } from '../../report/types.js';
import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { type CommonConfig, commonFields, envName, policyOf, registerChannel } from './channel.js';
import { postWithRetries } from './deliver.js';
import { readSecret, type SecretRef } from './secret.js';
import { expandReportUrl, runNumbers } from './summary.js';

export const PAGERDUTY_DEFAULT_ENV = 'PAGERDUTY_ROUTING_KEY';
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

export interface PagerDutyConfig extends CommonConfig {
  type: 'pagerduty';
  routingKeyEnv?: string;
  routingKeyFile?: string;
  url: string;
  severity: (typeof SEVERITIES)[number];
  resolve: boolean;
  reportUrl?: string;
}

const schema = strict({
  type: z.literal('pagerduty'),
  routingKeyEnv: envName
    .optional()
    .describe(`environment variable holding the integration (routing) key (default ${PAGERDUTY_DEFAULT_ENV})`),
  routingKeyFile: z.string().optional().describe('file holding the integration (routing) key'),
  url: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://events.eu.pagerduty.com/v2/enqueue' })
    .default(PAGERDUTY_EVENTS_URL),
  severity: z.enum(SEVERITIES).default('error'),
  resolve: z.boolean().default(true).describe('resolve the incident when the next run of the experiment passes'),
  reportUrl: z.string().optional().describe('link to the published report; {runId} and {experiment} are replaced'),
  ...commonFields,
}).refine((c) => c.routingKeyEnv === undefined || c.routingKeyFile === undefined, {
  message: 'give routingKeyEnv or routingKeyFile, not both',
  path: ['routingKeyFile'],
});

function secretOf(config: PagerDutyConfig): SecretRef {
  return config.routingKeyFile !== undefined
    ? { what: 'PagerDuty routing key', file: config.routingKeyFile }
    : { what: 'PagerDuty routing key', env: config.routingKeyEnv ?? PAGERDUTY_DEFAULT_ENV };
}

/** A routing key as the state stores it: a short hash, never the key. */
function serviceId(routingKey: string): string {
  return createHash('sha256').update(routingKey).digest('hex').slice(0, 16);
}

export function dedupKeyOf(report: RunReport): string {
  return `faultline:${report.experiment.name}`;
}

/** The trigger event, as the Events API v2 defines it. */
export function triggerEvent(report: RunReport, routingKey: string, severity: string, reportLink: string): Record<string, unknown> {
  const n = runNumbers(report);
  const summary = `faultline: ${report.experiment.name} ${report.verdict.toUpperCase()} (run ${report.runId}): ${report.reason}`;
  const isUrl = /^https?:\/\//.test(reportLink);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKeyOf(report),
    payload: {
      summary: summary.length > 1024 ? `${summary.slice(0, 1023)}…` : summary,
      source: hostname(),
      severity,
      timestamp: report.endedAt,
      component: report.experiment.name,
      group: 'faultline',
      class: 'chaos-experiment',
      custom_details: {
        run_id: report.runId,
        experiment: report.experiment.name,
        verdict: report.verdict,
        reason: report.reason,
        mttd: n.mttd,
        mttr: n.mttr,
        availability: n.availability,
        ...(n.errorBudget ? { error_budget_consumed: n.errorBudget } : {}),
        ...(n.lostWrites ? { lost_writes: n.lostWrites } : {}),
        seed: report.seed,
        report: reportLink,
      },
    },
    client: 'faultline',
    ...(isUrl ? { client_url: reportLink, links: [{ href: reportLink, text: `faultline report of run ${report.runId}` }] } : {}),
  };
}

registerChannel<PagerDutyConfig>({
  type: 'pagerduty',
  summary: 'PagerDuty Events API v2: trigger on failed/aborted, resolve on the next pass',
  defaultOn: ['failed', 'aborted'],
  schema,
  secrets: (config) => [secretOf(config)],
  wants: (config, verdict) => (config.on ?? ['failed', 'aborted']).includes(verdict) || (verdict === 'passed' && config.resolve),
  async send(config, ctx) {
    const { report } = ctx;
    const routingKey = readSecret(secretOf(config), ctx.env);
    const service = serviceId(routingKey);
    const dedupKey = dedupKeyOf(report);
    const headers = { 'Content-Type': 'application/json' };
    const triggers = config.on ?? ['failed', 'aborted'];
    if (triggers.includes(report.verdict)) {
      const link = config.reportUrl ? expandReportUrl(config.reportUrl, report) : ctx.reportLink;
      const body = JSON.stringify(triggerEvent(report, routingKey, config.severity, link));
      await postWithRetries(config.url, body, headers, policyOf(config, ctx), [routingKey]);
      ctx.state.markOpen(service, dedupKey, report.runId);
      return `triggered ${dedupKey}`;
    }
    if (report.verdict === 'passed' && config.resolve && ctx.state.isOpen(service, dedupKey)) {
      const body = JSON.stringify({ routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey });
      await postWithRetries(config.url, body, headers, policyOf(config, ctx), [routingKey]);
      ctx.state.markResolved(service, dedupKey);
      return `resolved ${dedupKey}`;
    }
    return null;
  },
});
