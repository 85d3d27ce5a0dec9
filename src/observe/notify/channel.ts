/**
 * The one registry of notification channels. Each channel is one file (slack.ts, pagerduty.ts,
 * webhook.ts) that registers its config schema (`type: <name>` plus its own fields) and how it sends.
 */

import type { RunReport, Verdict } from '../../report/types.js';
import { duration } from '../../spec/fields.js';
import { Registry } from '../../util/registry.js';
import { z } from '../../util/zod.js';
import type { DeliveryPolicy } from './deliver.js';
import type { SecretRef } from './secret.js';
import type { NotifyState } from './state.js';

export const VERDICTS = ['passed', 'failed', 'aborted', 'error', 'interrupted'] as const satisfies readonly Verdict[];

/** Fields every channel accepts. */
export const commonFields = {
  on: z.array(z.enum(VERDICTS)).min(1).optional().describe('verdicts that send a notification (default: per channel)'),
  timeout: duration.default(5000).describe('time limit of one attempt'),
  attempts: z.number().int().min(1).max(10).default(3).describe('attempts in all before giving up'),
};

/** An environment variable name. */
export const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name such as SLACK_WEBHOOK_URL' });

export interface CommonConfig {
  type: string;
  on?: Verdict[];
  timeout: number;
  attempts: number;
}

/** What a channel gets to send one run's notification. */
export interface NotifyContext {
  report: RunReport;
  /** where a person finds the full report: a URL, a file path, or the command that renders it */
  reportLink: string;
  env: NodeJS.ProcessEnv;
  state: NotifyState;
  /** backoff override (tests) */
  backoffMs?: number;
}

export interface Channel<C extends CommonConfig = CommonConfig> {
  type: string;
  summary: string;
  /** verdicts that notify when the config gives no `on` */
  defaultOn: readonly Verdict[];
  schema: z.ZodType<C>;
  /** the secrets the config refers to */
  secrets(config: C): SecretRef[];
  /** Whether a run with this verdict concerns the channel; default: the verdict is in `on` (or `defaultOn`). */
  wants?(config: C, verdict: Verdict): boolean;
  /** Sends what this run calls for; returns what was done (`posted`, `triggered KEY`), or null when nothing was due. */
  send(config: C, ctx: NotifyContext): Promise<string | null>;
  /** Posts an announcement that is no run's outcome (a game day starts, a stage waits); absent: the channel takes none. */
  announce?(config: C, announcement: Announcement, ctx: AnnounceContext): Promise<string>;
}

/** A message to the people of a game day: before the start, at each stage, at the end. */
export interface Announcement {
  /** `gameday.starting`, `gameday.stage`, `gameday.approval`, `gameday.ended` */
  event: string;
  /** the game-day run it is about */
  subject: string;
  /** one line a person reads */
  text: string;
}

export interface AnnounceContext {
  env: NodeJS.ProcessEnv;
  backoffMs?: number;
}

export function policyOf(config: CommonConfig, ctx: NotifyContext): DeliveryPolicy {
  return { timeoutMs: config.timeout, attempts: config.attempts, backoffMs: ctx.backoffMs };
}

const channels = new Registry<Channel>('notification channel');

export function registerChannel<C extends CommonConfig>(channel: Channel<C>): Channel<C> {
  return channels.add(channel.type, channel);
}

export function findChannel(type: string): Channel | undefined {
  return channels.get(type);
}

export function channelTypes(): string[] {
  return channels.names();
}
