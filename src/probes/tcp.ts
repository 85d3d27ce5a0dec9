/** tcp probe: opens a connection; expects it to connect (or, with `connected: false`, to be refused). */
import { connect } from 'node:net';
import { numberComparatorSchema } from '../spec/comparators.js';
import { duration, hostPort, strict } from '../spec/fields.js';
import { z } from '../util/zod.js';
import { firstNumberMismatch } from './expect.js';
import { registerProbeType } from './registry.js';

const config = strict({
  address: hostPort.describe('HOST:PORT to connect to'),
  timeout: duration.optional(),
});

const expect = strict({
  connected: z.boolean().default(true).describe('false checks that nothing answers (isolation)'),
  latencyMs: numberComparatorSchema.optional(),
});

type Config = z.infer<typeof config>;
type Expect = z.infer<typeof expect>;

export function splitHostPort(address: string): { host: string; port: number } {
  const index = address.lastIndexOf(':');
  return { host: address.slice(0, index).replace(/^\[|\]$/g, ''), port: Number(address.slice(index + 1)) };
}

function tryConnect(address: string, timeoutMs: number, signal: AbortSignal): Promise<string | null> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (failure: string | null) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(failure);
    };
    const onAbort = () => finish('aborted');
    const timer = setTimeout(() => finish(`timed out after ${timeoutMs}ms`), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(null));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(`connect ${error.code ?? error.message}`));
  });
}

registerProbeType<Config, Expect>({
  type: 'tcp',
  summary: 'a TCP connection; expectations on connected (default true) and latencyMs',
  config,
  expect,
  async check(c, e, { timeoutMs, signal }) {
    const started = performance.now();
    const failure = await tryConnect(c.address, timeoutMs, signal);
    const latencyMs = performance.now() - started;
    if ((failure === null) !== e.connected) {
      return { ok: false, latencyMs, detail: failure ?? `connected to ${c.address}, expected no connection` };
    }
    const mismatch = firstNumberMismatch([['latencyMs', latencyMs, e.latencyMs]]);
    return { ok: mismatch === null, latencyMs, detail: mismatch ?? failure ?? `connected in ${Math.round(latencyMs)}ms` };
  },
});
