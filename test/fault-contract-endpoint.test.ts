/**
 * The fault contract (test/support/fault-contract.ts) for every fault on an endpoint: one `faultline
 * proxy` server for the whole file, whose proxy every fault puts its toxics on, so that a toxic outlives a
 * SIGKILLed runner until `faultline recover` removes it (as it would in front of a real system).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe } from 'vitest';
import { startCli, tempHome, waitForOutput } from './support/cli.js';
import { faultContract } from './support/fault-contract.js';
import { freePort } from './support/processes.js';
import { echoServer, type TestServer } from './support/proxy-net.js';

let echo: TestServer;
let server: ReturnType<typeof startCli>;
let api = '';

beforeAll(async () => {
  echo = await echoServer();
  const apiPort = await freePort();
  const listen = await freePort();
  api = `http://127.0.0.1:${apiPort}`;
  server = startCli(['proxy', '--port', String(apiPort), '--proxy', `contract=127.0.0.1:${listen},127.0.0.1:${echo.port}`], {
    home: tempHome(),
  });
  await waitForOutput(server, 'ready', 15_000, 'faultline proxy');
});

afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.done;
  await echo.close();
});

/** The proxy's toxics as its API lists them (synchronous, as the contract snapshots at the journal write). */
function toxics(): string {
  const answer = spawnSync('curl', ['-sf', `${api}/proxies/contract/toxics`], { encoding: 'utf8' });
  if (answer.status !== 0) throw new Error(`the proxy API did not answer: ${answer.stderr}`);
  const list = JSON.parse(answer.stdout) as { name: string; type: string }[];
  return JSON.stringify(list.map((t) => `${t.type} ${t.name}`).sort());
}

describe('the fault contract on endpoints', () => {
  faultContract({
    need: 'endpoint',
    async target() {
      return { spec: { name: 'echo', endpoint: { proxy: 'contract', api } }, snapshot: toxics };
    },
  });
});
