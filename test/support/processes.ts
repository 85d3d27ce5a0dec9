/** Real processes for tests: a long sleeper, a python HTTP server; their state read from /proc. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

export { freePort } from '../../src/util/ports.js';

const started: ChildProcess[] = [];

/** A process that does nothing for up to `seconds`, tagged so a `match` regex can find it. */
export function startSleeper(tag: string, seconds = 120): ChildProcess {
  const child = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${seconds * 1000})`, '--', `--tag=${tag}`], { stdio: 'ignore' });
  started.push(child);
  return child;
}

export function startPythonHttpServer(port: number, dir: string): ChildProcess {
  const child = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  started.push(child);
  return child;
}

/** An HTTP server (Python's own) on loopback that answers every GET with 200 `ok` after `delayMs`. */
export function startSlowPythonHttpServer(port: number, delayMs: number): ChildProcess {
  const script = `
import http.server, time
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(${delayMs / 1000})
        self.send_response(200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'ok')
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(('127.0.0.1', ${port}), Slow).serve_forever()
`;
  const child = spawn('python3', ['-c', script], { stdio: 'ignore' });
  started.push(child);
  return child;
}

/** Resumes and kills every process a test started (safe to call twice). */
export function killStarted(): void {
  for (const child of started.splice(0)) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(child.pid, 'SIGCONT');
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  }
}

/** `R`, `S`, `T` (stopped), `Z`, or undefined when the process is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

export function isGone(pid: number): boolean {
  const state = processState(pid);
  return state === undefined || state === 'Z';
}

/** Polls `check` every 50ms until it holds or `timeoutMs` passes. `what` may be a function, to say what was seen at the time of failure. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${typeof what === 'function' ? what() : what}`);
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
