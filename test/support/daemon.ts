/**
 * The daemon for tests: as a real `faultline serve` process (lifecycle: SIGTERM, restarts, kill -9), or
 * in this process through the library (API tests), with tokens made by the real `faultline token` CLI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN, ROOT, runCli } from './cli.js';
import { waitFor } from './processes.js';

export interface DaemonProcess {
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far */
  output(): string;
  /** resolves with the exit code and signal */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** sends a signal and waits for the exit (bounded) */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];

/** Starts `faultline serve --listen 127.0.0.1:0 ARGS` and waits until it prints its URL. */
export async function startDaemon(
  home: string,
  args: string[] = [],
  env: Record<string, string> = {},
  input?: string,
): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', FAULTLINE_HOME: home, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin?.end(input);
  started.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  let dead = false;
  exited.then(() => (dead = true));
  await waitFor(
    () => dead || /faultline serve: (http:\/\/\S+) \(dashboard/.test(output),
    20_000,
    `the daemon to listen (output: ${output})`,
  );
  const match = /faultline serve: (http:\/\/\S+) \(dashboard/.exec(output);
  if (!match) throw new Error(`the daemon did not start:\n${output}`);
  return {
    url: match[1] as string,
    child,
    output: () => output,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!dead) child.kill(signal);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`the daemon did not exit after ${signal}:\n${output}`)), 30_000).unref(),
      );
      return Promise.race([exited, timeout]);
    },
  };
}

/** Kills every daemon a test started and did not stop (afterEach/afterAll). */
export async function killDaemons(): Promise<void> {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
  }
}

/** A token made by `faultline token create` (the user is created with the role if new). */
export async function makeToken(
  home: string,
  user: string,
  role: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<string> {
  const result = await runCli(['token', 'create', '--user', user, '--role', role, ...extra], { home, env });
  if (result.code !== 0) throw new Error(`token create failed: ${result.stderr}`);
  return result.stdout.trim();
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are read loosely
  json: any;
}

/** One API call with a bearer token (or none). */
export async function call(
  url: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; yaml?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.yaml !== undefined) {
    headers['content-type'] = 'application/yaml';
    body = options.yaml;
  }
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Reads server-sent events until `until` says stop or the stream ends (bounded). */
export async function readEvents(
  url: string,
  token: string,
  until: (event: { type: string; data: unknown }) => boolean,
  timeoutMs = 30_000,
  headers: Record<string, string> = {},
): Promise<{ id: string; type: string; data: unknown }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: { id: string; type: string; data: unknown }[] = [];
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf('\n\n');
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => l && !l.startsWith(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]),
        );
        if (!fields.event) continue;
        const event = { id: fields.id ?? '', type: fields.event, data: JSON.parse(fields.data ?? 'null') as unknown };
        events.push(event);
        if (until(event)) return events;
      }
    }
    return events;
  } catch (error) {
    if (controller.signal.aborted) throw new Error(`no matching event within ${timeoutMs}ms; got ${events.map((e) => e.type).join(', ')}`);
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** An experiment that pauses one process (a sleeper) for `hold`, with a probe that always passes. */
export function pauseExperiment(name: string, pid: number, hold = '300ms', labels = 'team: payments'): string {
  return `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  hypothesis: Pausing the worker does not matter.
  targets: [ { name: worker, labels: { ${labels} }, process: { pid: ${pid} } } ]
  probes: [ { name: ok, type: cmd, cmd: { command: [ "true" ] }, interval: 100ms } ]
  steadyState: { probes: [ ok ] }
  method:
    - { fault: process.pause, selector: { names: [ worker ] }, duration: ${hold} }
`;
}

export { ROOT };
