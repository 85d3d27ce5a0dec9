/**
 * Slack incoming webhook: one message per run in Block Kit (header with the verdict, the reason, fields
 * for MTTD, MTTR, availability, run id and seed, and where the report is), with a plain `text` fallback
 * for notifications. Slack answers 200 `ok`; errors are plain-text codes such as `invalid_payload`.
 */

import type { RunReport } from '../../report/types.js';
import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { type CommonConfig, commonFields, envName, policyOf, registerChannel, VERDICTS } from './channel.js';
import { postWithRetries } from './deliver.js';
import { readSecret, type SecretRef } from './secret.js';
import { expandReportUrl, runNumbers, VERDICT_EMOJI } from './summary.js';

export const SLACK_DEFAULT_ENV = 'SLACK_WEBHOOK_URL';

export interface SlackConfig extends CommonConfig {
  type: 'slack';
  webhookUrlEnv?: string;
  webhookUrlFile?: string;
  reportUrl?: string;
}

const schema = strict({
  type: z.literal('slack'),
  webhookUrlEnv: envName.optional().describe(`environment variable holding the incoming webhook URL (default ${SLACK_DEFAULT_ENV})`),
  webhookUrlFile: z.string().optional().describe('file holding the incoming webhook URL'),
  reportUrl: z.string().optional().describe('link to the published report; {runId} and {experiment} are replaced'),
  ...commonFields,
}).refine((c) => c.webhookUrlEnv === undefined || c.webhookUrlFile === undefined, {
  message: 'give webhookUrlEnv or webhookUrlFile, not both',
  path: ['webhookUrlFile'],
});

function secretOf(config: SlackConfig): SecretRef {
  return config.webhookUrlFile !== undefined
    ? { what: 'Slack webhook URL', file: config.webhookUrlFile }
    : { what: 'Slack webhook URL', env: config.webhookUrlEnv ?? SLACK_DEFAULT_ENV };
}

/** mrkdwn text: Slack's three control characters escaped. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The message body Slack receives. */
export function slackMessage(report: RunReport, reportLink: string): Record<string, unknown> {
  const n = runNumbers(report);
  const verdict = report.verdict.toUpperCase();
  const link = /^https?:\/\//.test(reportLink)
    ? `<${reportLink}|Open the report>`
    : `Report: \`${escapeSlack(reportLink.replace(/`/g, "'"))}\``;
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: cut(`*${label}*\n${escapeSlack(value)}`, 2000) });
  return {
    text: cut(`${VERDICT_EMOJI[report.verdict]} ${verdict}: ${report.experiment.name} (run ${report.runId}): ${report.reason}`, 3000),
    blocks: [
      {
        type: 'header',
        text: {
          type: 'plain_text',
          text: cut(`${VERDICT_EMOJI[report.verdict]} ${verdict} · ${report.experiment.name}`, 150),
          emoji: true,
        },
      },
      { type: 'section', text: { type: 'mrkdwn', text: cut(escapeSlack(report.reason || verdict), 3000) } },
      {
        type: 'section',
        fields: [
          field('Experiment', report.experiment.name),
          field('Verdict', verdict),
          field('MTTD', n.mttd),
          field('MTTR', n.mttr),
          field('Availability during faults', n.availability),
          ...(n.errorBudget ? [field('Error budget consumed', n.errorBudget)] : []),
          ...(n.lostWrites ? [field('Lost writes', n.lostWrites)] : []),
          field('Run', `${report.runId} (seed ${report.seed})`),
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: cut(`${link} · faultline run \`${report.runId}\``, 3000) }] },
    ],
  };
}

registerChannel<SlackConfig>({
  type: 'slack',
  summary: 'a Slack incoming webhook: a Block Kit message per run',
  defaultOn: VERDICTS,
  schema,
  secrets: (config) => [secretOf(config)],
  async send(config, ctx) {
    const url = readSecret(secretOf(config), ctx.env);
    const link = config.reportUrl ? expandReportUrl(config.reportUrl, ctx.report) : ctx.reportLink;
    const body = JSON.stringify(slackMessage(ctx.report, link));
    await postWithRetries(url, body, { 'Content-Type': 'application/json; charset=utf-8' }, policyOf(config, ctx), [url]);
    return 'posted';
  },
  async announce(config, announcement, ctx) {
    const url = readSecret(secretOf(config), ctx.env);
    const body = JSON.stringify({ text: cut(escapeSlack(`📣 ${announcement.text}`), 3000) });
    await postWithRetries(
      url,
      body,
      { 'Content-Type': 'application/json; charset=utf-8' },
      { timeoutMs: config.timeout, attempts: config.attempts, backoffMs: ctx.backoffMs },
      [url],
    );
    return 'posted';
  },
});
