/**
 * The dashboard: server-rendered pages plus one small script for live updates over SSE, served by the
 * daemon itself (TypeScript compiled by the one build, loaded as ES modules; no bundler). A page needs a session, made by logging in with a token; the
 * session cookie is HttpOnly and SameSite=Strict, and every change the script makes also carries the
 * CSRF header. Pages are shown under a Content-Security-Policy that allows no inline script or style.
 */
import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Principal } from '../auth/roles.js';
import { loadGameDayReport } from '../programme/gameday-report.js';
import { buildScorecard } from '../programme/scorecard.js';
import { scorecardReports } from '../programme/scorecard-runs.js';
import type { RunReport, Verdict } from '../report/types.js';
import { activeHalt } from '../safety/halt.js';
import { SESSION_MS } from '../server/auth.js';
import { ApiError } from '../server/errors.js';
import { decodeCursor, encodeCursor } from '../server/http.js';
import type { Ctx, Env } from '../server/route.js';
import type { DaemonServices } from '../server/services.js';
import { verifyStoreAudit } from '../store/audit-chain.js';
import type { RunFilter } from '../store/runs-store.js';
import { parseDuration } from '../util/duration.js';
import { clientModule } from './client-script.js';
import { type CurrentRun, currentRunOf, gameDayPage, gameDayPageData, gameDaysPage } from './gameday-page.js';
import { historyPage } from './history.js';
import { type Html, layout, type PageOptions } from './layout.js';
import {
  auditPage,
  editorPage,
  experimentsPage,
  loginPage,
  NEW_EXPERIMENT,
  NEW_SCHEDULE,
  overviewPage,
  runPage,
  runsPage,
  schedulesPage,
} from './pages.js';
import { scorecardPage } from './scorecard-page.js';
import { APP_CSS } from './style.js';

export const SESSION_COOKIE = 'faultline_session';

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#22262d"/><path d="M3 9h3l2-5 2 8 2-3h1" stroke="#ff6b6b" stroke-width="1.6" fill="none"/></svg>';

const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/** A local path to go back to after logging in (never another origin). */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(value) ? value : '/';
}

function page(
  c: Ctx,
  daemon: DaemonServices,
  principal: Principal,
  o: Omit<PageOptions, 'principal' | 'halt' | 'eventsSeen'>,
  status: 200 | 404 = 200,
): Response | Promise<Response> {
  c.header('Content-Security-Policy', PAGE_CSP);
  const eventsSeen = c.get('eventsSeen') ?? daemon.bus.daemon.lastId;
  return c.html(layout({ ...o, principal, halt: activeHalt(daemon.control), eventsSeen }) as Html, status);
}

function notFoundPage(c: Ctx, daemon: DaemonServices, principal: Principal, what: string) {
  return page(
    c,
    daemon,
    principal,
    { title: 'Not found', section: 'none', page: 'none', body: `${what} was not found.` as unknown as Html },
    404,
  );
}

export function dashboardRoutes(app: Hono<Env>, daemon: DaemonServices): void {
  app.get('/assets/:path{.+\\.js}', (c) => {
    const text = clientModule(c.req.param('path') ?? '');
    if (text === undefined) return c.notFound();
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(text);
  });
  app.get('/assets/app.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(APP_CSS);
  });

  app.get('/favicon.ico', (c) => {
    c.header('Content-Type', 'image/svg+xml');
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(FAVICON);
  });

  app.get('/login', (c) => {
    c.header('Content-Security-Policy', PAGE_CSP);
    return c.html(loginPage(null, safeNext(c.req.query('next'))) as Html);
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const next = safeNext(form.next);
    try {
      const { sessionId, principal } = await daemon.auth.login(token, { source: c.get('source') });
      setCookie(c, SESSION_COOKIE, sessionId, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: daemon.options.secureCookies ?? false,
        path: '/',
        maxAge: Math.floor(SESSION_MS / 1000),
      });
      await daemon.store.appendAudit({
        actor: principal.user,
        role: principal.role,
        action: 'login',
        resource: '/login',
        source: c.get('source'),
        outcome: 'ok',
        detail: `token ${principal.tokenId}`,
      });
      return c.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await daemon.store
        .appendAudit({
          actor: 'anonymous',
          role: '-',
          action: 'login',
          resource: '/login',
          source: c.get('source'),
          outcome: 'denied',
          detail: error.message,
        })
        .catch(() => {});
      c.header('Content-Security-Policy', PAGE_CSP);
      for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
      return c.html(loginPage(`Not logged in: ${error.message}`, next) as Html, error.status === 401 ? 401 : error.status);
    }
  });

  app.post('/logout', async (c) => {
    const session = getCookie(c, SESSION_COOKIE);
    if (session) {
      const principal = await daemon.auth.verifySession(session).catch(() => null);
      await daemon.auth.logout(session);
      if (principal) {
        await daemon.store.appendAudit({
          actor: principal.user,
          role: principal.role,
          action: 'logout',
          resource: '/logout',
          source: c.get('source'),
          outcome: 'ok',
          detail: '',
        });
      }
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  /** A page handler that needs a logged-in user; without one, the login page. */
  const guarded = (handler: (c: Ctx, principal: Principal) => Response | Promise<Response>) => async (c: Ctx) => {
    const session = getCookie(c, SESSION_COOKIE);
    let principal: Principal | null = null;
    if (session) principal = await daemon.auth.verifySession(session).catch(() => null);
    if (!principal) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    c.set('principal', principal);
    // taken before the handler reads the store: the page's script then hears of every change after it
    // (even one made while the page loads) and of none the page already shows
    c.set('eventsSeen', daemon.bus.daemon.lastId);
    return handler(c, principal);
  };

  app.get(
    '/',
    guarded(async (c, principal) => {
      const [latest, measured, recent] = await Promise.all([
        daemon.store.listRuns({ limit: 12 }),
        daemon.store.listRuns({ limit: 200, since: new Date(Date.now() - 30 * 86_400_000).toISOString() }),
        daemon.store.listRuns({ limit: 2000, since: new Date(Date.now() - 86_400_000).toISOString() }),
      ]);
      const ended = (await daemon.store.listRuns({ limit: 60 })).filter((r) => r.verdict).slice(0, 50);
      const active = daemon.runs.list();
      const running = new Set(active.map((r) => r.runId));
      const schedules = daemon.scheduler.names().flatMap((n) => daemon.scheduler.status(n, 1) ?? []);
      return page(c, daemon, principal, {
        title: 'Overview',
        section: 'overview',
        page: 'overview',
        body: overviewPage(
          {
            active,
            latest: latest.map((r) => ({ ...r, running: running.has(r.id) })) as typeof latest,
            measured,
            schedules,
            passRate: ended.length ? ended.filter((r) => r.verdict === 'passed').length / ended.length : null,
            last24h: recent.length,
          },
          principal,
        ),
      });
    }),
  );

  app.get(
    '/runs',
    guarded(async (c, principal) => {
      const q = (name: string) => c.req.query(name) || undefined;
      const verdict = q('verdict');
      const day = (text: string | undefined, end = false) => {
        if (!text || !Number.isFinite(Date.parse(text))) return undefined;
        return new Date(Date.parse(text) + (end && /^\d{4}-\d{2}-\d{2}$/.test(text) ? 86_400_000 : 0)).toISOString();
      };
      const filter = {
        experiment: q('experiment'),
        verdict: verdict as Verdict | 'running' | undefined,
        schedule: q('schedule'),
        trigger: q('trigger') as 'api' | 'schedule' | 'cli' | undefined,
        since: day(q('since')),
        until: day(q('until'), true),
      };
      let before: { startedAt: string; id: string } | undefined;
      try {
        before = decodeCursor(q('cursor'));
      } catch {}
      const rows = await daemon.store.listRuns({ ...filter, before, limit: 51 });
      const pageRows = rows.slice(0, 50);
      const last = pageRows.at(-1);
      const running = new Set(daemon.runs.list().map((r) => r.runId));
      const [experiments, schedules] = await Promise.all([daemon.store.listExperiments(), daemon.store.listSchedules()]);
      return page(c, daemon, principal, {
        title: 'Runs',
        section: 'runs',
        page: 'runs',
        body: runsPage(
          pageRows.map((r) => ({ ...r, running: running.has(r.id) })),
          {
            experiment: filter.experiment,
            verdict,
            schedule: filter.schedule,
            trigger: filter.trigger,
            since: q('since'),
            until: q('until'),
          },
          rows.length > 50 && last ? encodeCursor({ startedAt: last.startedAt, id: last.id }) : null,
          experiments.map((e) => e.name),
          schedules.map((s) => s.name),
          principal,
        ),
      });
    }),
  );

  app.get(
    '/runs/:id',
    guarded(async (c, principal) => {
      const id = c.req.param('id') ?? '';
      const row = await daemon.store.getRun(id);
      if (!row) return notFoundPage(c, daemon, principal, `Run ${id}`);
      const active = daemon.runs.get(id);
      const report = row.verdict ? ((await daemon.store.getReport(id)) ?? null) : null;
      return page(c, daemon, principal, {
        title: `${row.experiment} ${id}`,
        section: 'runs',
        page: 'run',
        data: { run: id, started: row.startedAt, ended: active ? 'false' : 'true', 'ended-at': row.endedAt ?? '' },
        body: runPage(row, report, active, principal),
      });
    }),
  );

  app.get(
    '/experiments',
    guarded(async (c, principal) => {
      const [experiments, schedules] = await Promise.all([daemon.store.listExperiments(), daemon.store.listSchedules()]);
      const rows = experiments.map(({ yaml: _y, ...e }) => ({
        ...e,
        schedules: schedules.filter((s) => s.experimentRef === e.name).map((s) => s.name),
      }));
      return page(c, daemon, principal, {
        title: 'Experiments',
        section: 'experiments',
        page: 'experiments',
        body: experimentsPage(rows, principal),
      });
    }),
  );

  app.get(
    '/experiments/new',
    guarded((c, principal) =>
      page(c, daemon, principal, {
        title: 'New experiment',
        section: 'experiments',
        page: 'editor',
        data: { kind: 'Experiment' },
        body: editorPage({ kind: 'Experiment', name: null, yaml: NEW_EXPERIMENT, saved: false, principal }),
      }),
    ),
  );

  app.get(
    '/experiments/:name',
    guarded(async (c, principal) => {
      const name = c.req.param('name') ?? '';
      const stored = await daemon.store.getExperiment(name);
      if (!stored) return notFoundPage(c, daemon, principal, `Experiment ${name}`);
      return page(c, daemon, principal, {
        title: name,
        section: 'experiments',
        page: 'editor',
        data: { kind: 'Experiment', name },
        body: editorPage({ kind: 'Experiment', name, yaml: stored.yaml, saved: c.req.query('saved') !== undefined, principal }),
      });
    }),
  );

  app.get(
    '/schedules',
    guarded(async (c, principal) => {
      const stored = await daemon.store.listSchedules();
      const rows = await Promise.all(
        stored.map(async (s) => {
          const status = daemon.scheduler.status(s.name, 3) ?? {
            name: s.name,
            cron: s.cron,
            timeZone: s.timeZone,
            suspended: s.suspended,
            state: 'invalid' as const,
            error: 'not loaded',
            nextRuns: [],
            lastScheduledAt: s.lastScheduledAt,
          };
          const [last] = await daemon.store.listOccurrences(s.name, 1);
          return { ...status, experiment: s.experimentRef ?? 'inline', lastOccurrence: last ?? null };
        }),
      );
      return page(c, daemon, principal, {
        title: 'Schedules',
        section: 'schedules',
        page: 'schedules',
        body: schedulesPage(rows, principal),
      });
    }),
  );

  app.get(
    '/schedules/new',
    guarded((c, principal) =>
      page(c, daemon, principal, {
        title: 'New schedule',
        section: 'schedules',
        page: 'editor',
        data: { kind: 'Schedule' },
        body: editorPage({ kind: 'Schedule', name: null, yaml: NEW_SCHEDULE, saved: false, principal }),
      }),
    ),
  );

  app.get(
    '/schedules/:name',
    guarded(async (c, principal) => {
      const name = c.req.param('name') ?? '';
      const stored = await daemon.store.getSchedule(name);
      if (!stored) return notFoundPage(c, daemon, principal, `Schedule ${name}`);
      return page(c, daemon, principal, {
        title: name,
        section: 'schedules',
        page: 'editor',
        data: { kind: 'Schedule', name },
        body: editorPage({
          kind: 'Schedule',
          name,
          yaml: stored.yaml,
          saved: c.req.query('saved') !== undefined,
          principal,
          occurrences: await daemon.store.listOccurrences(name, 30),
          status: daemon.scheduler.status(name, 5),
        }),
      });
    }),
  );

  /** The latest runs of an experiment or a schedule, with their reports, and their scorecard over all of them. */
  async function historyOf(kind: 'experiment' | 'schedule', name: string) {
    const filter: RunFilter = kind === 'experiment' ? { experiment: name, limit: 200 } : { schedule: name, limit: 200 };
    const rows = (await daemon.store.listRuns(filter)).filter((r) => r.verdict !== null);
    const reports = new Map<string, RunReport>();
    for (const r of rows) {
      const report = await daemon.store.getReport(r.id);
      if (report) reports.set(r.id, { ...report, experiment: { ...report.experiment, name } });
    }
    const card = buildScorecard([...reports.values()], { since: 0, until: Date.now() + 1 });
    return historyPage({ kind, name, rows, reports, score: card.experiments[0] });
  }

  app.get(
    '/experiments/:name/history',
    guarded(async (c, principal) => {
      const name = c.req.param('name') ?? '';
      return page(c, daemon, principal, {
        title: `${name} history`,
        section: 'experiments',
        page: 'history',
        body: await historyOf('experiment', name),
      });
    }),
  );

  app.get(
    '/schedules/:name/history',
    guarded(async (c, principal) => {
      const name = c.req.param('name') ?? '';
      return page(c, daemon, principal, {
        title: `${name} history`,
        section: 'schedules',
        page: 'history',
        body: await historyOf('schedule', name),
      });
    }),
  );

  app.get(
    '/scorecard',
    guarded(async (c, principal) => {
      const since = c.req.query('since') ?? '30d';
      const periodMs = parseDuration(since) ?? 30 * 86_400_000;
      const until = Date.now();
      const options = { since: until - periodMs, until };
      const card = buildScorecard(await scorecardReports(daemon.store, options), options, until);
      return page(c, daemon, principal, { title: 'Scorecard', section: 'scorecard', page: 'scorecard', body: scorecardPage(card, since) });
    }),
  );

  app.get(
    '/gamedays',
    guarded(async (c, principal) =>
      page(c, daemon, principal, {
        title: 'Game days',
        section: 'gamedays',
        page: 'gamedays',
        body: gameDaysPage(await (await daemon.gameDays()).list(100)),
      }),
    ),
  );

  app.get(
    '/gamedays/:id',
    guarded(async (c, principal) => {
      const id = c.req.param('id') ?? '';
      const found = await (await daemon.gameDays()).get(id);
      if (!found || found === 'ambiguous') return notFoundPage(c, daemon, principal, `Game day ${id}`);
      const report = await loadGameDayReport(found, await daemon.gameDays(), daemon.store);
      const at = currentRunOf(report);
      const row = at ? await daemon.store.getRun(at.runId) : undefined;
      const current: CurrentRun | null =
        at && row
          ? {
              ...at,
              startedAt: row.startedAt,
              endedAt: row.endedAt,
              // live here; a run of another process (the CLI) has no live events in this daemon
              running: Boolean(daemon.runs.get(at.runId)),
              verdict: row.verdict ?? 'running',
              reason: row.reason ?? 'run by another process: its progress is on that terminal',
            }
          : null;
      return page(c, daemon, principal, {
        title: `Game day ${report.name}`,
        section: 'gamedays',
        page: 'gameday',
        data: gameDayPageData(report, current),
        body: gameDayPage({ report, active: Boolean(daemon.gameDayRuns.get(report.id)), current, principal }),
      });
    }),
  );

  app.get(
    '/audit',
    guarded(async (c, principal) => {
      const filter = {
        actor: c.req.query('actor') || undefined,
        action: c.req.query('action') || undefined,
        outcome: c.req.query('outcome') || undefined,
      };
      const before = Number(c.req.query('before'));
      const entries = await daemon.store.listAudit({
        ...filter,
        beforeSeq: Number.isInteger(before) && before > 0 ? before : undefined,
        limit: 101,
      });
      const chain = await verifyStoreAudit(daemon.store);
      const shown = entries.slice(0, 100);
      return page(c, daemon, principal, {
        title: 'Audit log',
        section: 'audit',
        page: 'audit',
        body: auditPage(shown, chain, filter, entries.length > 100 ? (shown.at(-1)?.seq ?? null) : null),
      });
    }),
  );
}
