/**
 * The daemon's metrics, beside the runs' (src/observe/metrics.ts) in the same registry, on `/metrics`:
 *
 *   faultline_http_requests_total{method,route,status}           counter
 *   faultline_http_request_duration_seconds{method,route}        histogram
 *   faultline_schedule_occurrences_total{schedule,outcome}       counter: started, skipped, missed, error
 *   faultline_schedule_next_run_timestamp_seconds{schedule}      gauge, the next run of each active schedule
 *   faultline_schedules{state}                                   gauge: scheduled, suspended, expired, invalid
 *   faultline_halted                                             gauge, 1 while the halt switch is on
 *   faultline_runs_active_daemon                                 gauge, runs this daemon is running
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { activeHalt } from '../safety/halt.js';
import type { DaemonServices } from './services.js';

export class DaemonMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly occurrences: Counter<'schedule' | 'outcome'>;

  constructor(registry: Registry, daemon: DaemonServices) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'faultline_http_requests_total',
      help: 'API and dashboard requests',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'faultline_http_request_duration_seconds',
      help: 'Time to answer a request (to the first byte for live streams)',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.occurrences = new Counter({
      name: 'faultline_schedule_occurrences_total',
      help: 'Schedule occurrences decided, by outcome',
      labelNames: ['schedule', 'outcome'],
      registers,
    });
    new Gauge({
      name: 'faultline_schedule_next_run_timestamp_seconds',
      help: 'When each schedule runs next (Unix time)',
      labelNames: ['schedule'],
      registers,
      collect() {
        this.reset();
        for (const name of daemon.scheduler.names()) {
          const next = daemon.scheduler.status(name, 1)?.nextRuns[0];
          if (next && !daemon.scheduler.status(name, 1)?.suspended) this.set({ schedule: name }, Date.parse(next) / 1000);
        }
      },
    });
    new Gauge({
      name: 'faultline_schedules',
      help: 'Schedules by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const counts: Record<string, number> = { scheduled: 0, suspended: 0, expired: 0, invalid: 0 };
        for (const name of daemon.scheduler.names()) {
          const state = daemon.scheduler.status(name, 1)?.state;
          if (state) counts[state] = (counts[state] ?? 0) + 1;
        }
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'faultline_halted',
      help: '1 while the halt switch is on',
      registers,
      collect() {
        this.set(activeHalt(daemon.control) ? 1 : 0);
      },
    });
    new Counter({
      name: 'faultline_auth_hashes_total',
      help: 'Token secrets hashed (scrypt) to verify them: what authentication has cost the daemon',
      registers,
      collect() {
        this.reset();
        this.inc(daemon.auth.hashing.computed);
      },
    });
    new Gauge({
      name: 'faultline_auth_hashes_waiting',
      help: 'Token verifications waiting for the hashing pool',
      registers,
      collect() {
        this.set(daemon.auth.hashing.queued);
      },
    });
    new Gauge({
      name: 'faultline_runs_active_daemon',
      help: 'Runs this daemon is running now',
      registers,
      collect() {
        this.set(daemon.runs.list().length);
      },
    });
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  occurrence(schedule: string, outcome: string): void {
    this.occurrences.inc({ schedule, outcome });
  }
}
