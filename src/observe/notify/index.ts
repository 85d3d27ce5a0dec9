/**
 * Notifications at the end of a run (Slack, PagerDuty, a signed webhook): configured in the project
 * file under `spec.notifications` and/or with `faultline run --notify`. They are sent after the run has
 * ended and every fault is reverted, all at once, each with a time limit and bounded retries; a channel
 * that fails costs one line of output and never changes the run's verdict or exit code.
 */
import type { RunReport } from '../../report/types.js';
import { UserError } from '../../util/errors.js';
import { didYouMean } from '../../util/suggest.js';
import { type Announcement, channelTypes, findChannel } from './channel.js';
import { DeliveryError } from './deliver.js';
import type { NotificationSpec } from './schema.js';
import { describeSecret, readSecret, SecretError } from './secret.js';
import { NotifyState } from './state.js';

export { type Announcement, channelTypes } from './channel.js';
export { type NotificationSpec, notificationsSchema } from './schema.js';
export { SIGNATURE_HEADER, signBody } from './webhook.js';

/**
 * `--notify` values: `slack` (URL from $SLACK_WEBHOOK_URL), `pagerduty` (key from $PAGERDUTY_ROUTING_KEY),
 * `webhook=URL` (HMAC key from $FAULTLINE_WEBHOOK_SECRET). `none` alone means: send nothing, not even
 * what the project file asks for.
 */
export function parseNotifyOptions(values: readonly string[]): { specs: NotificationSpec[]; none: boolean } {
  const none = values.includes('none');
  const specs = values
    .filter((v) => v !== 'none')
    .map((value) => {
      const [type = '', arg] = value.split(/=(.*)/s, 2);
      const raw: Record<string, unknown> = { type };
      if (arg !== undefined && arg !== '') raw.url = arg;
      const channel = findChannel(type);
      if (!channel) {
        throw new UserError(
          `--notify ${value}: unknown channel${didYouMean(type, channelTypes())}; use one of ${[...channelTypes(), 'none'].join(', ')}`,
        );
      }
      const result = channel.schema.safeParse(raw);
      if (!result.success) {
        const issue = result.error.issues[0];
        const hint = type === 'webhook' ? '; write --notify webhook=https://HOST/PATH' : '';
        throw new UserError(`--notify ${value}: ${issue?.path.join('.') || type}: ${issue?.message ?? 'invalid'}${hint}`);
      }
      return result.data as NotificationSpec;
    });
  if (none && specs.length) throw new UserError('--notify none cannot be combined with other --notify channels');
  return { specs, none };
}

/** Problems that will stop a channel from sending (a secret that is not set), found before the run: one line each. */
export function checkNotifications(specs: readonly NotificationSpec[], env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    const channel = findChannel(spec.type);
    if (!channel) continue;
    for (const ref of channel.secrets(spec)) {
      try {
        readSecret(ref, env);
      } catch (error) {
        if (error instanceof SecretError) problems.push(`notification ${spec.type}: ${error.message}; it will not be sent`);
        else throw error;
      }
    }
  }
  return problems;
}

export interface RunToNotify {
  report: RunReport;
  notifications: readonly NotificationSpec[];
  /** the HTML (or other) report file written for the run, if any */
  reportFile?: string;
}

export interface NotifyOutcome {
  runId: string;
  channel: string;
  ok: boolean;
  /** one line, safe to print: it names no secret */
  line: string;
}

export interface NotifyOptions {
  env?: NodeJS.ProcessEnv;
  /** where open PagerDuty incidents are remembered; default $FAULTLINE_HOME/notifications.db */
  state?: NotifyState;
  /** first backoff between attempts (tests shorten it) */
  backoffMs?: number;
}

/** Sends every due notification of every run at once; never throws for a channel's failure. */
export async function notifyRuns(runs: readonly RunToNotify[], options: NotifyOptions = {}): Promise<NotifyOutcome[]> {
  const env = options.env ?? process.env;
  const due = runs.flatMap((run) =>
    run.notifications.flatMap((config) => {
      const channel = findChannel(config.type);
      if (!channel) return [];
      const wants = channel.wants
        ? channel.wants(config, run.report.verdict)
        : (config.on ?? channel.defaultOn).includes(run.report.verdict);
      return wants ? [{ run, config, channel }] : [];
    }),
  );
  if (due.length === 0) return [];
  const state = options.state ?? new NotifyState();
  try {
    const outcomes = await Promise.all(
      due.map(async ({ run, config, channel }): Promise<NotifyOutcome | null> => {
        const { report } = run;
        const reportLink = run.reportFile ?? `faultline report ${report.runId} --format html -o report.html`;
        const head = `notification ${channel.type} (run ${report.runId})`;
        try {
          const done = await channel.send(config, { report, reportLink, env, state, backoffMs: options.backoffMs });
          return done === null ? null : { runId: report.runId, channel: channel.type, ok: true, line: `${head}: ${done}` };
        } catch (error) {
          const why =
            error instanceof DeliveryError || error instanceof SecretError ? error.message : `internal error: ${(error as Error).message}`;
          // where the secret came from helps with a wrong one; a missing one names its source already
          const where = error instanceof SecretError ? '' : channel.secrets(config).map(describeSecret).join(', ');
          return {
            runId: report.runId,
            channel: channel.type,
            ok: false,
            line: `${head} failed: ${why}${where ? ` (secret from ${where})` : ''}`,
          };
        }
      }),
    );
    return outcomes.filter((o): o is NotifyOutcome => o !== null);
  } finally {
    if (!options.state) state.close();
  }
}

/**
 * Posts an announcement to every channel that takes them (Slack, webhook; PagerDuty pages for failures
 * only). Never throws for a channel's failure: one line per channel, as for run notifications.
 */
export async function announce(
  specs: readonly NotificationSpec[],
  announcement: Announcement,
  options: { env?: NodeJS.ProcessEnv; backoffMs?: number } = {},
): Promise<NotifyOutcome[]> {
  const env = options.env ?? process.env;
  return Promise.all(
    specs.flatMap((config) => {
      const channel = findChannel(config.type);
      if (!channel?.announce) return [];
      const head = `announcement ${channel.type} (${announcement.event})`;
      return [
        channel.announce(config, announcement, { env, backoffMs: options.backoffMs }).then(
          (done) => ({ runId: announcement.subject, channel: channel.type, ok: true, line: `${head}: ${done}` }),
          (error: Error) => ({
            runId: announcement.subject,
            channel: channel.type,
            ok: false,
            line: `${head} failed: ${error instanceof DeliveryError || error instanceof SecretError ? error.message : `internal error: ${error.message}`}`,
          }),
        ),
      ];
    }),
  );
}
