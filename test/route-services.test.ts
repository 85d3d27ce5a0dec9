/**
 * Every API route declares the daemon's services its handler uses, and the handler is given those and no
 * other (issue: routes receive only the services they use). No daemon: the route table and a stand-in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../src/server/app.js';
import { openApiDocument } from '../src/server/openapi.js';
import { servicesFor } from '../src/server/route.js';
import type { DaemonServices } from '../src/server/services.js';
import { ROOT } from './support/cli.js';

/** A stand-in with every key of DaemonServices; a method answers with its `this`, to see it stays bound. */
function standIn() {
  const daemon = {
    bus: { name: 'bus' },
    alerts: { name: 'alerts' },
    metrics: { name: 'metrics' },
    auth: { name: 'auth' },
    documents: { name: 'documents' },
    runs: { name: 'runs' },
    gameDayRuns: { name: 'gameDayRuns' },
    scheduler: { name: 'scheduler' },
    daemonMetrics: { name: 'daemonMetrics' },
    startedAt: '2026-01-01T00:00:00.000Z',
    url: '',
    store: { name: 'store' },
    journal: { name: 'journal' },
    control: { name: 'control' },
    project: { name: 'project' },
    options: {},
    log: () => {},
    gameDays() {
      return this;
    },
    stop() {
      return this;
    },
  };
  return daemon;
}
const SERVICE_NAMES = Object.keys(standIn());
/** The stand-in as the daemon's services (it has every key; its values only stand for the services). */
const asServices = (daemon: ReturnType<typeof standIn>) => daemon as unknown as DaemonServices;

describe('the services of a route', () => {
  it('every route declares the services it uses, each a service of the daemon, once', () => {
    expect(API_ROUTES.length).toBeGreaterThan(40);
    for (const route of API_ROUTES) {
      const where = `${route.method} ${route.path}`;
      expect(Array.isArray(route.uses), where).toBe(true);
      expect(new Set(route.uses).size, where).toBe(route.uses.length);
      for (const key of route.uses) expect(SERVICE_NAMES, where).toContain(key);
    }
  });

  it('every route is declared through apiRoute(), so the compiler holds its handler to its uses', () => {
    const serverDir = join(ROOT, 'src/server');
    const files = [join(serverDir, 'app.ts'), ...readdirSync(join(serverDir, 'routes')).map((name) => join(serverDir, 'routes', name))];
    let declared = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const handlers = text.match(/^\s+handler:/gm)?.length ?? 0;
      const declarations = text.match(/\bapiRoute\(\{/g)?.length ?? 0;
      expect(declarations, file).toBe(handlers);
      declared += declarations;
    }
    expect(declared).toBe(API_ROUTES.length);
  });

  it("servicesFor gives a handler its route's services and no other, read when used, methods bound", () => {
    const daemon = standIn();
    for (const route of API_ROUTES) {
      const services = servicesFor(asServices(daemon), route.uses) as Record<string, unknown>;
      const where = `${route.method} ${route.path}`;
      expect(Object.keys(services).sort(), where).toEqual([...route.uses].sort());
      for (const key of SERVICE_NAMES.filter((k) => !route.uses.includes(k as keyof DaemonServices))) {
        expect(key in services, `${where}: ${key}`).toBe(false);
        expect(services[key], `${where}: ${key}`).toBeUndefined();
      }
    }
    const services = servicesFor(asServices(daemon), ['gameDays', 'stop', 'url', 'store']);
    expect(Object.keys(services).sort()).toEqual(['gameDays', 'stop', 'store', 'url']);
    // a method called on its own still runs on the daemon
    const { gameDays, stop } = services;
    expect(gameDays()).toBe(daemon);
    expect(stop()).toBe(daemon);
    expect(services.store).toBe(daemon.store);
    // the daemon's url is set once it listens, after the routes are registered
    daemon.url = 'http://127.0.0.1:4000';
    expect(services.url).toBe('http://127.0.0.1:4000');
    expect(servicesFor(asServices(daemon), [])).toEqual({});
  });

  it('the OpenAPI document does not show what a route uses', () => {
    const text = JSON.stringify(openApiDocument(API_ROUTES, '0.0.0'));
    expect(text).not.toMatch(/"uses"/);
    expect(text).toContain('/api/v1/runs');
  });
});
