/**
 * The `incidents` guard: no harm while the team is fighting an incident. It asks PagerDuty's REST API v2
 * for open incidents (`GET /incidents`, statuses triggered and acknowledged) and refuses when there is one.
 *
 *   incidents:
 *     pagerduty: { serviceIds: [PX1234], urgencies: [high], onUnreachable: refuse, timeout: 5s }
 *
 * The API key comes from an environment variable (PAGERDUTY_TOKEN unless `tokenEnv` says otherwise) and never
 * appears in a message. When PagerDuty cannot answer (unreachable, too slow, an error status), the guard refuses
 * by default: it cannot tell that there is no incident; `onUnreachable: warn` lets the run go on with a warning.
 */

import { duration, strict } from '../spec/fields.js';
import { formatDuration } from '../util/duration.js';
import { z } from '../util/zod.js';
import { registerGuardType } from './registry.js';
import type { GuardContext, GuardVerdict } from './types.js';

export const PAGERDUTY_ACCEPT = 'application/vnd.pagerduty+json;version=2';
/** The statuses of an incident that is not resolved. */
export const OPEN_STATUSES = ['triggered', 'acknowledged'] as const;
/** Incidents asked for in one request: PagerDuty's largest page. */
const PAGE_LIMIT = 100;
/** Incidents named in a refusal. */
const NAMED = 3;

const pagerDutySchema = strict({
  url: z
    .url({
      protocol: /^https?$/,
      error: (issue) =>
        `expected the http(s) URL of the PagerDuty REST API such as https://api.pagerduty.com, got ${JSON.stringify(issue.input)}`,
    })
    .default('https://api.pagerduty.com')
    .describe('base URL of the REST API (default https://api.pagerduty.com; https://api.eu.pagerduty.com for the EU service region)'),
  tokenEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: (issue) => `expected the name of an environment variable, got ${JSON.stringify(issue.input)}`,
    })
    .default('PAGERDUTY_TOKEN')
    .describe('environment variable holding a PagerDuty REST API key (default PAGERDUTY_TOKEN)'),
  serviceIds: z.array(z.string().min(1)).min(1).optional().describe('only incidents of these services (default: every service)'),
  urgencies: z
    .array(z.enum(['high', 'low']))
    .min(1)
    .optional()
    .describe('only incidents of these urgencies (default: both)'),
  onUnreachable: z
    .enum(['refuse', 'warn'])
    .default('refuse')
    .describe('when PagerDuty cannot answer: refuse to run (default), or warn and run'),
  timeout: duration
    .refine((ms) => ms > 0, { message: 'the timeout must be longer than 0s' })
    .prefault('5s')
    .describe('how long to wait for PagerDuty (default 5s)'),
});

export const incidentsConfigSchema = strict({
  pagerduty: pagerDutySchema.describe('open incidents in PagerDuty (REST API v2)'),
}).describe('refuses to start while an incident is open');

export type IncidentsConfig = z.infer<typeof incidentsConfigSchema>;
export type PagerDutyConfig = IncidentsConfig['pagerduty'];

/** The `GET /incidents` URL for the open incidents a configuration watches. */
export function pagerDutyIncidentsUrl(config: PagerDutyConfig): URL {
  const base = config.url.endsWith('/') ? config.url : `${config.url}/`;
  const url = new URL('incidents', base);
  for (const status of OPEN_STATUSES) url.searchParams.append('statuses[]', status);
  for (const id of config.serviceIds ?? []) url.searchParams.append('service_ids[]', id);
  for (const urgency of config.urgencies ?? []) url.searchParams.append('urgencies[]', urgency);
  // Without it PagerDuty only searches incidents created in the last month; one acknowledged for longer is still open.
  url.searchParams.set('date_range', 'all');
  url.searchParams.set('limit', String(PAGE_LIMIT));
  url.searchParams.set('total', 'true');
  return url;
}

interface Incident {
  id: string;
  incident_number?: number;
  title?: string;
  status?: string;
}

interface IncidentsPage {
  incidents: Incident[];
  more?: boolean;
  total?: number | null;
}

function isIncidentsPage(body: unknown): body is IncidentsPage {
  if (!body || typeof body !== 'object' || !Array.isArray((body as IncidentsPage).incidents)) return false;
  return (body as IncidentsPage).incidents.every((i) => i !== null && typeof i === 'object');
}

/** `#1234 "Checkout latency high" (triggered)` */
function describeIncident(incident: Incident): string {
  const number = typeof incident.incident_number === 'number' ? `#${incident.incident_number}` : String(incident.id);
  const title = typeof incident.title === 'string' ? incident.title.replace(/\s+/g, ' ').trim() : '';
  const shortTitle = title.length > 80 ? `${title.slice(0, 79)}…` : title;
  return `${number}${shortTitle ? ` ${JSON.stringify(shortTitle)}` : ''}${incident.status ? ` (${incident.status})` : ''}`;
}

/** `on services PX1, PX2, urgency high`, or '' when every incident counts. */
function scopeOf(config: PagerDutyConfig): string {
  const parts: string[] = [];
  if (config.serviceIds) parts.push(`service${config.serviceIds.length > 1 ? 's' : ''} ${config.serviceIds.join(', ')}`);
  if (config.urgencies) parts.push(`urgency ${config.urgencies.join(' or ')}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** The `error.message` of a PagerDuty error body (`{"error":{"message":"Invalid API Key","code":2006}}`), if any. */
function errorMessageOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; errors?: unknown } };
    const message = body?.error?.message;
    if (typeof message !== 'string') return undefined;
    const errors = Array.isArray(body.error?.errors) ? body.error.errors.filter((e): e is string => typeof e === 'string') : [];
    const full = errors.length ? `${message} (${errors.join('; ')})` : message;
    return full.length > 200 ? `${full.slice(0, 199)}…` : full;
  } catch {
    return undefined;
  }
}

/** The reason a request failed below HTTP: `connect ECONNREFUSED 127.0.0.1:9`, `getaddrinfo ENOTFOUND host`. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { message?: unknown; code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.message === 'string' && cause.message) return cause.message;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

async function checkPagerDuty(config: PagerDutyConfig, ctx: GuardContext): Promise<GuardVerdict> {
  const token = ctx.env[config.tokenEnv];
  if (token === undefined || token.trim() === '')
    return {
      ok: false,
      detail: `no PagerDuty API key: the environment variable ${config.tokenEnv} is ${token === undefined ? 'not set' : 'empty'}; set it to a REST API key (or name another variable in pagerduty.tokenEnv)`,
    };
  const hide = (text: string) => text.split(token).join('***');
  const url = pagerDutyIncidentsUrl(config);
  const where = `PagerDuty API at ${url.origin}`;

  const cannotJudge = (reason: string): GuardVerdict =>
    config.onUnreachable === 'warn'
      ? { ok: true, warning: true, detail: hide(`${reason}; open incidents were not checked (onUnreachable: warn)`) }
      : { ok: false, detail: hide(`${reason}; cannot tell whether an incident is open (set pagerduty.onUnreachable: warn to run anyway)`) };

  const timeout = AbortSignal.timeout(config.timeout);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, {
      headers: { Authorization: `Token token=${token}`, Accept: PAGERDUTY_ACCEPT, 'User-Agent': 'faultline' },
      signal,
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    if (ctx.signal.aborted) return { ok: false, detail: 'the incident check was cancelled' };
    if (timeout.aborted) return cannotJudge(`${where} did not answer within ${formatDuration(config.timeout)}`);
    return cannotJudge(`${where} is unreachable: ${networkReason(error)}`);
  }

  if (status < 200 || status > 299) {
    const message = errorMessageOf(text);
    const answered = `HTTP ${status}${message ? `: ${message}` : ''}`;
    // A rejected key is a configuration error, like a missing one: it refuses even with onUnreachable: warn.
    if (status === 401)
      return { ok: false, detail: hide(`PagerDuty token rejected (${answered}); check the API key in ${config.tokenEnv}`) };
    if (status === 403)
      return {
        ok: false,
        detail: hide(`PagerDuty refused to list incidents with the API key in ${config.tokenEnv} (${answered}); give the key read access`),
      };
    if (status === 429) return cannotJudge(`${where} is rate limiting requests (${answered})`);
    return cannotJudge(`${where} answered ${answered}`);
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!isIncidentsPage(body)) return cannotJudge(`${where} answered HTTP ${status} without a list of incidents`);

  const { incidents } = body;
  if (incidents.length === 0) return { ok: true, detail: `no open PagerDuty incidents (triggered or acknowledged)${scopeOf(config)}` };
  // total=true asks PagerDuty to count them all; without a total, a full page with more behind it is a lower bound
  const total = typeof body.total === 'number' && body.total >= incidents.length ? body.total : body.more ? undefined : incidents.length;
  const named = incidents.slice(0, NAMED);
  const rest = total === undefined ? ' and more' : total > named.length ? ` and ${total - named.length} more` : '';
  const count =
    total === undefined
      ? `more than ${incidents.length} open PagerDuty incidents`
      : `${total} open PagerDuty incident${total === 1 ? '' : 's'}`;
  return { ok: false, detail: hide(`${count}${scopeOf(config)}: ${named.map(describeIncident).join(', ')}${rest}`) };
}

registerGuardType<IncidentsConfig>({
  key: 'incidents',
  summary: 'refuses to start while an incident is open in PagerDuty (triggered or acknowledged)',
  config: incidentsConfigSchema,
  async check(config, ctx) {
    try {
      return await checkPagerDuty(config.pagerduty, ctx);
    } catch (error) {
      const token = ctx.env[config.pagerduty.tokenEnv];
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, detail: `the incident check failed: ${token ? message.split(token).join('***') : message}` };
    }
  },
});
