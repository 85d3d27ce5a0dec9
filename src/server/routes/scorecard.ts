/** The scorecard through the API: the same library call and renderers as `faultline scorecard`. */
import { buildScorecard, type ScorecardOptions } from '../../programme/scorecard.js';
import { renderScorecard, SCORECARD_FORMATS, type ScorecardFormat } from '../../programme/scorecard-render.js';
import { scorecardReports } from '../../programme/scorecard-runs.js';
import { parseDuration } from '../../util/duration.js';
import { badRequest } from '../errors.js';
import { type ApiRoute, apiRoute } from '../route.js';

const CONTENT_TYPES: Record<ScorecardFormat, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  table: 'text/plain; charset=utf-8',
};

export const scorecardRoutes: ApiRoute[] = [
  apiRoute({
    method: 'GET',
    path: '/api/v1/scorecard',
    role: 'viewer',
    tag: 'runs',
    summary: 'Pass rate, MTTD/MTTR percentiles, objectives met, trend, coverage and resilience score of the stored runs',
    query: [
      { name: 'since', description: 'length of the period back from now, such as 30d (default)' },
      { name: 'experiment', description: 'only this experiment (repeat for several)' },
      { name: 'format', description: `one of ${SCORECARD_FORMATS.join(', ')} (default json)` },
    ],
    responses: { 200: 'the scorecard', 400: 'a bad period or format' },
    uses: ['store'],
    handler: async (c, d) => {
      const since = c.req.query('since') ?? '30d';
      const periodMs = parseDuration(since);
      if (periodMs === null || periodMs <= 0) throw badRequest(`since ${since}: expected a duration such as 30d`);
      const format = (c.req.query('format') ?? 'json') as ScorecardFormat;
      if (!SCORECARD_FORMATS.includes(format)) throw badRequest(`format ${format}: expected one of ${SCORECARD_FORMATS.join(', ')}`);
      const experiments = c.req.queries('experiment');
      const until = Date.now();
      const options: ScorecardOptions = { since: until - periodMs, until, ...(experiments?.length ? { experiments } : {}) };
      const card = buildScorecard(await scorecardReports(d.store, options), options, until);
      c.header('Content-Type', CONTENT_TYPES[format]);
      if (format === 'html')
        c.header('Content-Security-Policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'");
      return c.body(renderScorecard(card, format));
    },
  }),
];
