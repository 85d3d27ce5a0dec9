/**
 * The `errorBudget` guard: no harm while the SLO's error budget is spent. It asks Prometheus (one instant
 * query) how much of the budget is left and refuses when it is at or below `minRemaining` (default 0: only
 * when spent). The query gives the fraction left, as SLO tools record it (Sloth's
 * `slo:period_error_budget_remaining:ratio`, Pyrra's `pyrra_errorbudget`), or, with `objective`, the error
 * ratio over the SLO's window, from which the fraction left is 1 - ratio / (1 - objective).
 *
 *   errorBudget:
 *     prometheus: { url: http://prometheus:9090 }
 *     query: slo:period_error_budget_remaining:ratio{sloth_service="inference"}
 *     minRemaining: 0.1
 *
 * Every series of the result is judged; the one with the least budget decides. When Prometheus cannot answer
 * (unreachable, an error, no series), the guard refuses by default; `onUnreachable: warn` runs with a warning.
 */

import { instantQuery } from '../probes/prometheus.js';
import { duration, strict } from '../spec/fields.js';
import { formatPercent } from '../util/format.js';
import { z } from '../util/zod.js';
import { registerGuardType } from './registry.js';

export const errorBudgetConfigSchema = strict({
  prometheus: strict({
    url: z.url({
      protocol: /^https?$/,
      error: (i) => `expected the base URL of Prometheus such as http://127.0.0.1:9090, got ${JSON.stringify(i.input)}`,
    }),
    headers: z.record(z.string(), z.string()).optional().describe('e.g. Authorization for a Prometheus behind a proxy'),
    timeout: duration
      .refine((ms) => ms > 0, { message: 'the timeout must be longer than 0s' })
      .prefault('5s')
      .describe('how long to wait for Prometheus (default 5s)'),
  }).describe('the Prometheus that has the SLO'),
  query: z
    .string()
    .min(1, { message: 'expected a PromQL expression' })
    .describe('PromQL: the fraction of the error budget left (0 to 1), or with objective the error ratio over the SLO window'),
  objective: z
    .number()
    .gt(0)
    .lt(1)
    .optional()
    .describe('the SLO objective, such as 0.999: the query then gives the error ratio, and the budget left is 1 - ratio / (1 - objective)'),
  minRemaining: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('refuse when the fraction of the budget left is at or below this (default 0: only when it is spent)'),
  onUnreachable: z
    .enum(['refuse', 'warn'])
    .default('refuse')
    .describe('when Prometheus cannot answer: refuse to run (default), or warn and run'),
}).describe('refuses to start while the SLO error budget is spent');

export type ErrorBudgetConfig = z.infer<typeof errorBudgetConfigSchema>;

/** The fraction of the budget left that a value of the query means. */
function remainingOf(config: ErrorBudgetConfig, value: number): number {
  return config.objective === undefined ? value : 1 - value / (1 - config.objective);
}

registerGuardType({
  key: 'errorBudget',
  summary: 'refuses to start while the SLO error budget is spent (or below minRemaining), asking Prometheus',
  config: errorBudgetConfigSchema,
  async check(config, ctx) {
    const { url, headers, timeout } = config.prometheus;
    const answer = await instantQuery({ endpoint: url, query: config.query, headers }, timeout, ctx.signal);
    if (answer.failure !== null) {
      if (ctx.signal.aborted) return { ok: false, detail: 'the error-budget check was cancelled' };
      return config.onUnreachable === 'warn'
        ? { ok: true, warning: true, detail: `${answer.failure}; the error budget was not checked (onUnreachable: warn)` }
        : {
            ok: false,
            detail: `${answer.failure}; cannot tell whether the error budget is spent (set errorBudget.onUnreachable: warn to run anyway)`,
          };
    }
    const values = answer.series.map((s) => remainingOf(config, s.value));
    if (values.some(Number.isNaN)) return { ok: false, detail: `the query gave a value that is not a number: ${config.query}` };
    const left = Math.min(...values);
    const shown = formatPercent(Math.max(0, left));
    const floor = config.minRemaining > 0 ? `at or below the ${formatPercent(config.minRemaining)} kept in reserve` : 'spent';
    if (left <= config.minRemaining) {
      return {
        ok: false,
        detail: `the error budget is ${floor}: ${shown} left${left < 0 ? ` (overspent by ${formatPercent(-left)})` : ''}; no chaos until it recovers`,
      };
    }
    return {
      ok: true,
      detail: `error budget left: ${shown}${config.minRemaining > 0 ? ` (reserve ${formatPercent(config.minRemaining)})` : ''}`,
    };
  },
});
