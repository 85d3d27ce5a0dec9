/**
 * faultline in the user's monitoring, around the runs of one `faultline run` (later the daemon):
 *
 * - `--metrics-port`: serves /metrics (src/observe/metrics.ts) while the runs go, and after the last
 *   run until it has been scraped once more (at most `--metrics-linger`), so the final counts are seen;
 * - `--pushgateway URL`: after each run, pushes that experiment's metrics (job `faultline`, grouping
 *   `experiment`), replacing its previous push;
 * - `--alerts-port`: receives Alertmanager webhooks (src/observe/alertmanager.ts) for the runs.
 */
import { createServer, type Server } from 'node:http';
import { Pushgateway } from 'prom-client';
import { AlertHub } from '../engine/alerts.js';
import type { RunListener } from '../engine/events.js';
import type { RunReport } from '../report/types.js';
import { formatDuration } from '../util/duration.js';
import { errorMessage, UserError } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import { type AlertReceiver, startAlertReceiver } from './alertmanager.js';
import { closeServer, listen, parseListen, urlOf } from './listen.js';
import { FaultlineMetrics } from './metrics.js';

export interface MonitoringOptions {
  /** `PORT` or `HOST:PORT` */
  metricsPort?: string;
  /** ms to wait after the last run for a final scrape (default 30s) */
  metricsLinger?: number;
  pushgateway?: string;
  /** `PORT` or `HOST:PORT` */
  alertsPort?: string;
}

export interface MonitoredRun {
  listener: RunListener;
  /** after the run returned; resolves to lines to print (a failed push) */
  finish(report: RunReport): Promise<string[]>;
}

const PUSH_JOB = 'faultline';
const DEFAULT_LINGER_MS = 30_000;

export class Monitoring {
  /** lines to print when it starts: where metrics and alerts are served */
  readonly lines: string[] = [];
  private readonly perExperiment = new Map<string, FaultlineMetrics>();
  private lastUpdateAt = 0;
  private lastScrapeAt = 0;

  private constructor(
    readonly metrics: FaultlineMetrics,
    private readonly metricsServer: Server | null,
    private readonly pushgateway: string | null,
    private readonly receiver: AlertReceiver | null,
    readonly alerts: AlertHub | undefined,
    private readonly lingerMs: number,
  ) {}

  static async start(options: MonitoringOptions): Promise<Monitoring> {
    const pushgateway = options.pushgateway === undefined ? null : checkUrl(options.pushgateway);
    const metrics = new FaultlineMetrics();
    let receiver: AlertReceiver | null = null;
    let server: Server | null = null;
    const hub = options.alertsPort === undefined ? undefined : new AlertHub();
    try {
      if (hub && options.alertsPort !== undefined)
        receiver = await startAlertReceiver(hub, parseListen(options.alertsPort, '--alerts-port'));
      let monitoring: Monitoring | undefined;
      if (options.metricsPort !== undefined) {
        server = createServer(async (req, res) => {
          const path = (req.url ?? '/').split('?')[0];
          if (req.method !== 'GET' || path !== '/metrics') return void res.writeHead(404).end('faultline serves /metrics\n');
          if (monitoring) monitoring.lastScrapeAt = Date.now();
          res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.text());
        });
        const bound = await listen(server, parseListen(options.metricsPort, '--metrics-port'), '--metrics-port');
        monitoring = new Monitoring(metrics, server, pushgateway, receiver, hub, options.metricsLinger ?? DEFAULT_LINGER_MS);
        monitoring.lines.push(`serving Prometheus metrics on ${urlOf(bound, '/metrics')}`);
      }
      monitoring ??= new Monitoring(metrics, null, pushgateway, receiver, hub, 0);
      if (receiver) monitoring.lines.push(`receiving Alertmanager webhooks on ${receiver.url}`);
      return monitoring;
    } catch (error) {
      await receiver?.close();
      if (server?.listening) await closeServer(server);
      throw error;
    }
  }

  get active(): boolean {
    return this.metricsServer !== null || this.pushgateway !== null || this.receiver !== null;
  }

  trackRun(experiment: string): MonitoredRun {
    let own = this.perExperiment.get(experiment);
    if (this.pushgateway && !own) {
      own = new FaultlineMetrics();
      this.perExperiment.set(experiment, own);
    }
    const tracked = [this.metrics.startRun(experiment), ...(this.pushgateway && own ? [own.startRun(experiment)] : [])];
    return {
      listener: (event) => {
        for (const t of tracked) t.listener(event);
      },
      finish: async (report) => {
        for (const t of tracked) t.finish(report);
        this.lastUpdateAt = Date.now();
        if (!this.pushgateway || !own) return [];
        try {
          await new Pushgateway(this.pushgateway, { timeout: 5000 }, own.registry).push({
            jobName: PUSH_JOB,
            groupings: { experiment },
          });
          return [];
        } catch (error) {
          return [`pushing metrics to the Pushgateway ${this.pushgateway} failed: ${errorMessage(error)}`];
        }
      },
    };
  }

  /** Waits for the final scrape (bounded), then stops serving. */
  async close(): Promise<string[]> {
    const lines: string[] = [];
    if (this.metricsServer) {
      const deadline = Date.now() + this.lingerMs;
      if (this.lastUpdateAt > this.lastScrapeAt && this.lingerMs > 0) {
        while (this.lastScrapeAt < this.lastUpdateAt && Date.now() < deadline) await sleep(100);
        if (this.lastScrapeAt < this.lastUpdateAt)
          lines.push(`/metrics was not scraped within ${formatDuration(this.lingerMs)} after the last run`);
      }
      await closeServer(this.metricsServer);
    }
    await this.receiver?.close();
    return lines;
  }
}

function checkUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url.replace(/\/+$/, '');
  } catch {}
  throw new UserError(`--pushgateway ${url}: expected the Pushgateway's URL such as http://127.0.0.1:9091`);
}
