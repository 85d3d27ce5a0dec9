/**
 * A real system to break for the observability tests: a python3 http.server watched by a Continuous
 * http probe, and an experiment that pauses (SIGSTOP) the server or, for a run that passes, a
 * harmless sleeper. Every name and option lives in one file per call.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';
import { freePort, portOpen, startPythonHttpServer, startSleeper, waitFor } from './processes.js';

export interface WebSystem {
  dir: string;
  port: number;
  serverPid: number;
  sleeperPid: number;
}

/** Starts the server (and a sleeper) in a fresh folder; `killStarted()` stops them. */
export async function startWebSystem(): Promise<WebSystem> {
  const dir = tempDir('faultline-observe-');
  const port = await freePort();
  const server = startPythonHttpServer(port, dir);
  const sleeper = startSleeper(`observe-${port}`);
  await waitFor(() => portOpen(port), 10_000, 'python http.server to listen');
  return { dir, port, serverPid: server.pid as number, sleeperPid: sleeper.pid as number };
}

export interface WebExperimentOptions {
  name: string;
  /** pause the web server (the probe fails: the run fails) or the sleeper (the run passes) */
  pause: 'web' | 'sleeper';
  pauseFor?: string;
  /** extra lines under `guards:` (indented by 4), e.g. a stopWhen list */
  guards?: string;
  file?: string;
}

/** Writes the experiment into the system's folder; returns its path. */
export function writeWebExperiment(system: WebSystem, options: WebExperimentOptions): string {
  const file = join(system.dir, options.file ?? `${options.name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: ${options.name} }
spec:
  hypothesis: The web server keeps answering within 300ms while a process is paused.
  targets:
    - name: web
      labels: { app: web }
      process: { pid: ${system.serverPid} }
    - name: sleeper
      process: { pid: ${system.sleeperPid} }
  probes:
    - name: home
      type: http
      http: { url: "http://127.0.0.1:${system.port}/", timeout: 300ms }
      interval: 100ms
  steadyState:
    probes: [ home ]
    tolerance: { availability: { gte: 0.99 } }
    recoveryTimeout: 3s
  method:
    - name: freeze-${options.pause}
      fault: process.pause
      selector: { names: [ ${options.pause} ] }
      duration: ${options.pauseFor ?? '1500ms'}
${options.guards ? `  guards:\n${options.guards}\n` : ''}`,
  );
  return file;
}
