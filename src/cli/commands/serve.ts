/** `faultline serve`: the daemon (scheduler, HTTP API, dashboard, metrics, Alertmanager receiver) until SIGTERM. */
import type { Command } from '@commander-js/extra-typings';
import { parseListen } from '../../observe/listen.js';
import { UserError } from '../../util/errors.js';
import { say, warn } from '../output.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'run the daemon: schedules, the HTTP API (/api/v1), the dashboard, /metrics, an Alertmanager receiver; SIGTERM stops it after every run has reverted',
    )
    .option('--listen <address>', 'PORT or HOST:PORT to listen on (default 127.0.0.1:8080; 0 picks a free port)', '127.0.0.1:8080')
    .option(
      '--store <store>',
      'sqlite (default, in $FAULTLINE_HOME), sqlite:PATH, or postgres://USER@HOST/DB (or set FAULTLINE_STORE, to keep a password out of ps)',
    )
    .option('--project <file>', 'project file with shared targets, probes and policy (default: none, or the one stored through the API)')
    .option('--apply <files...>', 'store the Experiment and Schedule documents of these files at start (created or replaced)')
    .option('--max-body <size>', 'largest request body', '1MiB')
    .option('--trust-proxy', 'take the client address from X-Forwarded-For (behind a reverse proxy)')
    .option('--secure-cookies', 'mark the dashboard session cookie Secure (behind HTTPS)')
    .option(
      '--ship-audit-anchor <where>',
      "send each new head of the audit chain elsewhere too: 'log' (the daemon's log) or an http(s) URL (a JSON POST), so that even someone who can write the database and its anchor file is caught",
    )
    .action(async (options) => {
      const address = parseListen(options.listen, '--listen');
      const ship = options.shipAuditAnchor;
      if (ship !== undefined && ship !== 'log' && !/^https?:\/\/\S+$/.test(ship))
        throw new UserError(`--ship-audit-anchor ${ship}: expected log, or an http(s) URL such as https://audit.example/anchors`);
      const { parseSize } = await import('../../util/size.js');
      const maxBodyBytes = parseSize(options.maxBody);
      if (maxBodyBytes === null || maxBodyBytes < 1024)
        throw new UserError(`--max-body ${options.maxBody}: expected a size such as 1MiB or 512KiB (at least 1KiB)`);
      // loaded only for this command: the rest of the CLI starts without the server's modules
      const { Daemon } = await import('../../server/daemon.js');
      const daemon = await Daemon.start({
        store: options.store ?? process.env.FAULTLINE_STORE ?? 'sqlite',
        host: address.host,
        port: address.port,
        project: options.project ?? null,
        apply: options.apply ?? [],
        maxBodyBytes,
        trustProxy: options.trustProxy ?? false,
        secureCookies: options.secureCookies ?? false,
        shipAuditAnchor: ship,
      });
      say(`faultline serve: ${daemon.url} (dashboard ${daemon.url}/, API ${daemon.url}/api/v1, metrics ${daemon.url}/metrics)`);
      let signals = 0;
      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals) => {
          signals++;
          if (signals > 1) {
            warn(`${signal} again: still stopping; every run is reverting its faults (faultline recover reverts whatever is left)`);
            return;
          }
          daemon.stop(`${signal}: stop scheduling, revert every run, exit`).then(resolve, (error) => {
            warn(`faultline serve: error while stopping: ${(error as Error).message}`);
            resolve();
          });
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
    });
}
