// Demo supervisor: runs the four demo services as child processes and restarts any that exits,
// after DEMO_RESTART_DELAY_MS (default 1000), like Kubernetes would.
//   services: gateway, provider-a, provider-b, tenant-api (each started with --service=<name>)
//   pid files: $DEMO_STATE_DIR/<service>.pid (rewritten on every restart) and supervisor.pid
//   stdout: exactly one line "ready" once all four answer GET /health; logs go to stderr
//   SIGTERM/SIGINT: SIGCONT + SIGTERM to every child, SIGKILL after 2 s, then exit 0
// Env: DEMO_GATEWAY_PORT (17000), DEMO_PROVIDER_A_PORT (17001), DEMO_PROVIDER_B_PORT (17002),
//      DEMO_TENANT_PORT (17003), DEMO_HOST (127.0.0.1), DEMO_STATE_DIR (default: a new temp dir,
//      printed on stderr), DEMO_RESTART_DELAY_MS (1000); PROVIDER_TIMEOUT_MS is passed to children.
//      DEMO_CLOCK_WRAP (unset): faultline's bin/faultline.js, to run the tenant API under `faultline wrap`.
//      DEMO_PROVIDER_A_PROXY_PORT (unset): the gateway calls provider A on this port instead, where a
//      faultline endpoint proxy listens (examples/experiments/more/); the tenant API still calls A directly.
//      DEMO_VALIDATOR_PORTS (unset): comma-separated ports of a validator network (validator.mjs), started as
//      validator-0, validator-1, ...; DEMO_VALIDATOR_LINK_PORT (unset): validator-0 sends its votes to
//      validator-1 through this port (a faultline endpoint proxy; examples/programmes/validators/). With
//      DEMO_CLOCK_WRAP, the last validator runs under `faultline wrap` too.
//      DEMO_LEDGER_PORT (unset): also the ledger (ledger.mjs, write-through with DEMO_LEDGER_SYNC=1), data in
//      $DEMO_STATE_DIR/ledger.jsonl.
//   data files: $DEMO_STATE_DIR/provider-<a|b>-data.json (made by the providers when missing)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getWithDeadline } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const port = (name, fallback) => Number(env[name] || fallback);
const host = env.DEMO_HOST || '127.0.0.1';
const ports = {
  gateway: port('DEMO_GATEWAY_PORT', 17000),
  a: port('DEMO_PROVIDER_A_PORT', 17001),
  b: port('DEMO_PROVIDER_B_PORT', 17002),
  tenant: port('DEMO_TENANT_PORT', 17003),
};
const restartDelayMs = Number(env.DEMO_RESTART_DELAY_MS || 1000);
const stateDir = env.DEMO_STATE_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-demo-'));
fs.mkdirSync(stateDir, { recursive: true });
if (!env.DEMO_STATE_DIR) console.error(`[supervisor] state dir ${stateDir}`);

const url = (p) => `http://${host}:${p}`;
const SERVICES = [
  {
    name: 'provider-a',
    script: 'provider.mjs',
    args: ['--name=a', `--port=${ports.a}`, `--data=${path.join(stateDir, 'provider-a-data.json')}`],
    port: ports.a,
  },
  {
    name: 'provider-b',
    script: 'provider.mjs',
    args: ['--name=b', `--port=${ports.b}`, `--data=${path.join(stateDir, 'provider-b-data.json')}`],
    port: ports.b,
  },
  {
    name: 'gateway',
    script: 'gateway.mjs',
    args: [`--port=${ports.gateway}`, `--provider-a=${url(env.DEMO_PROVIDER_A_PROXY_PORT || ports.a)}`, `--provider-b=${url(ports.b)}`],
    port: ports.gateway,
  },
  {
    name: 'tenant-api',
    script: 'tenant-api.mjs',
    args: [`--port=${ports.tenant}`, `--provider-a=${url(ports.a)}`],
    port: ports.tenant,
  },
];

// the validator network, when asked for: every validator sends its votes to every other one
const validatorPorts = (env.DEMO_VALIDATOR_PORTS || '').split(',').filter(Boolean).map(Number);
validatorPorts.forEach((p, i) => {
  const peers = validatorPorts
    .map((q, j) => (j === i ? null : url(i === 0 && j === 1 && env.DEMO_VALIDATOR_LINK_PORT ? env.DEMO_VALIDATOR_LINK_PORT : q)))
    .filter(Boolean);
  SERVICES.push({
    name: `validator-${i}`,
    script: 'validator.mjs',
    args: [`--index=${i}`, `--count=${validatorPorts.length}`, `--port=${p}`, `--peers=${peers.join(',')}`],
    port: p,
    wrapClock: i === validatorPorts.length - 1,
  });
});

if (env.DEMO_LEDGER_PORT) {
  const ledgerPort = Number(env.DEMO_LEDGER_PORT);
  const sync = env.DEMO_LEDGER_SYNC === '1' ? ['--sync'] : [];
  SERVICES.push({
    name: 'ledger',
    script: 'ledger.mjs',
    args: [`--port=${ledgerPort}`, `--data=${path.join(stateDir, 'ledger.jsonl')}`, ...sync],
    port: ledgerPort,
  });
}

let stopping = false;
const running = new Map(); // service name -> ChildProcess
const restartTimers = new Set();

/** Write atomically (temp file + rename) so a reader never sees a half-written pid. */
function writePidFile(name, pid) {
  const file = path.join(stateDir, `${name}.pid`);
  fs.writeFileSync(`${file}.tmp`, `${pid}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

function start(service) {
  const args = [path.join(here, service.script), `--service=${service.name}`, `--host=${host}`, ...service.args];
  // DEMO_CLOCK_WRAP=<faultline's bin/faultline.js>: the tenant API runs under `faultline wrap`, so time.skew
  // can move its clock (examples/experiments/more/clock-skew-sessions.yaml); its pid file then names the wrapper.
  if ((service.name === 'tenant-api' || service.wrapClock) && env.DEMO_CLOCK_WRAP)
    args.unshift(env.DEMO_CLOCK_WRAP, 'wrap', '--', process.execPath);
  // stdin is a pipe the child watches: it exits if we die. Child output goes to our stderr.
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 2, 2],
    env: { ...env, DEMO_SUPERVISED: '1' },
  });
  child.on('error', (err) => console.error(`[supervisor] ${service.name}: ${err.message}`));
  if (child.pid === undefined) return scheduleRestart(service);
  running.set(service.name, child);
  writePidFile(service.name, child.pid);
  child.on('exit', (code, signal) => {
    running.delete(service.name);
    if (stopping) return;
    console.error(`[supervisor] ${service.name} (pid ${child.pid}) exited (${signal ?? code}); restarting in ${restartDelayMs}ms`);
    scheduleRestart(service);
  });
}

function scheduleRestart(service) {
  if (stopping) return;
  const timer = setTimeout(() => {
    restartTimers.delete(timer);
    if (!stopping) start(service);
  }, restartDelayMs);
  restartTimers.add(timer);
}

async function healthy(service) {
  try {
    return (await getWithDeadline(`${url(service.port)}/health`, 500)).status === 200;
  } catch {
    return false;
  }
}

async function announceWhenReady() {
  while (!stopping) {
    const results = await Promise.all(SERVICES.map(healthy));
    if (results.every(Boolean)) {
      process.stdout.write('ready\n');
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function signalChild(child, sig) {
  try {
    child.kill(sig);
  } catch {
    // already gone
  }
}

async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.error(`[supervisor] ${signal}: stopping ${running.size} children`);
  for (const timer of restartTimers) clearTimeout(timer);
  const children = [...running.values()];
  const exited = children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r))));
  for (const child of children) {
    signalChild(child, 'SIGCONT'); // a SIGSTOPped child cannot handle SIGTERM
    signalChild(child, 'SIGTERM');
  }
  const killTimer = setTimeout(() => {
    for (const child of running.values()) signalChild(child, 'SIGKILL');
  }, 2000);
  await Promise.all(exited);
  clearTimeout(killTimer);
  for (const name of [...SERVICES.map((s) => s.name), 'supervisor']) fs.rmSync(path.join(stateDir, `${name}.pid`), { force: true });
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

writePidFile('supervisor', process.pid);
for (const service of SERVICES) start(service);
void announceWhenReady();
