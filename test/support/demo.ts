/** The demo system (examples/demo) on free ports, for tests that run the examples against it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './cli.js';
import { freePort, waitFor } from './processes.js';

export interface DemoSystem {
  /** DEMO_* variables: give them to every process that reaches the demo (experiments read them) */
  env: Record<string, string>;
  /** the last lines the services logged */
  log: () => string;
  stop: () => Promise<void>;
}

export async function startDemoSystem(home: string): Promise<DemoSystem> {
  const stateDir = tempDir('faultline-demo-');
  const [gateway, a, b, tenant] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env = {
    DEMO_STATE_DIR: stateDir,
    DEMO_GATEWAY_PORT: String(gateway),
    DEMO_PROVIDER_A_PORT: String(a),
    DEMO_PROVIDER_B_PORT: String(b),
    DEMO_TENANT_PORT: String(tenant),
  };
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'examples', 'demo', 'supervisor.mjs')], {
    env: { ...process.env, ...env, FAULTLINE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let log = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-5000)));
  await waitFor(() => out.includes('ready'), 20_000, 'the demo system to be ready');
  return {
    env,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
