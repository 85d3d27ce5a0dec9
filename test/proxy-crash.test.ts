/**
 * No proxy fault outlives its run. SIGKILL the runner while a toxic is active:
 * - on an external `faultline proxy`, the toxic stays (the server lives on) until `faultline recover`
 *   removes it through the API, from the journaled (api, proxy, toxic) alone;
 * - on the run's own proxy, the listener died with the runner: the port is closed, and recover has
 *   nothing left to do but close the journal entry.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir, tempHome, waitForOutput } from './support/cli.js';
import { expectGuardianReverts, killRunnerAndGuardian } from './support/guardian.js';
import { freePort, portOpen, waitFor } from './support/processes.js';
import { connectTo, echoServer, readBytes, type TestServer } from './support/proxy-net.js';

let echo: TestServer;
beforeAll(async () => {
  echo = await echoServer();
});
afterAll(() => echo.close());

function experiment(target: string): string {
  const file = join(tempDir(), 'held.yaml');
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: held-latency }
spec:
  hypothesis: The latency is reverted even when the runner dies.
  targets:
${target.replace(/^/gm, '    ')}
  method:
    - fault: network.latency
      selector: { names: [echo] }
      params: { latency: 250ms }
      duration: 10m
`,
  );
  return file;
}

async function roundTrip(port: number): Promise<number> {
  const socket = await connectTo(port);
  const start = performance.now();
  socket.write('{ping}');
  await readBytes(socket, 6);
  socket.destroy();
  return performance.now() - start;
}

describe('a toxic on an external faultline proxy when the runner is SIGKILLed', () => {
  it('stays until faultline recover removes it through the API', async () => {
    const apiPort = await freePort();
    const listen = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const server = startCli(['proxy', '--port', String(apiPort), '--proxy', `echo=127.0.0.1:${listen},127.0.0.1:${echo.port}`], {
      home: tempHome(),
    });
    try {
      await waitForOutput(server, 'ready', 15_000, 'faultline proxy');
      const home = tempHome();
      const run = startCli(['run', experiment(`- name: echo\n  endpoint: { proxy: echo, api: "${api}" }`)], { home });
      const toxics = async () => (await (await fetch(`${api}/proxies/echo/toxics`)).json()) as { name: string; type: string }[];
      await waitFor(async () => (await toxics()).length === 1, 15_000, 'the latency toxic on the proxy');
      expect(await roundTrip(listen)).toBeGreaterThanOrEqual(245);

      await killRunnerAndGuardian(run, home);
      expect(await toxics()).toHaveLength(1); // the fault outlived its runner...

      const recovered = await runCli(['recover'], { home });
      expect(recovered.code).toBe(0);
      expect(recovered.stdout).toMatch(/reverted #\d+ network\.latency on echo/);
      expect(await toxics()).toEqual([]); // ...until recover removed it
      expect(await roundTrip(listen)).toBeLessThan(200);
      expect((await runCli(['recover'], { home })).stdout).toMatch(/nothing to recover/);
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
  });

  it("is removed by the runner's guardian within a second, with nobody running recover", async () => {
    const apiPort = await freePort();
    const listen = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const server = startCli(['proxy', '--port', String(apiPort), '--proxy', `echo=127.0.0.1:${listen},127.0.0.1:${echo.port}`], {
      home: tempHome(),
    });
    try {
      await waitForOutput(server, 'ready', 15_000, 'faultline proxy');
      const home = tempHome();
      const run = startCli(['run', experiment(`- name: echo\n  endpoint: { proxy: echo, api: "${api}" }`)], { home });
      const toxics = async () => (await (await fetch(`${api}/proxies/echo/toxics`)).json()) as { name: string; type: string }[];
      await waitFor(async () => (await toxics()).length === 1, 15_000, 'the latency toxic on the proxy');
      await expectGuardianReverts(run, home, async () => (await toxics()).length === 0, 'the latency toxic');
      expect(await roundTrip(listen)).toBeLessThan(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
  });

  it('recover that cannot reach the API says so and keeps the entry for a later recover', async () => {
    const apiPort = await freePort();
    const listen = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const home = tempHome();
    const args = ['proxy', '--port', String(apiPort), '--proxy', `echo=127.0.0.1:${listen},127.0.0.1:${echo.port}`];
    let server = startCli(args, { home: tempHome() });
    await waitForOutput(server, 'ready', 15_000, 'faultline proxy');
    const run = startCli(['run', experiment(`- name: echo\n  endpoint: { proxy: echo, api: "${api}" }`)], { home });
    await waitFor(async () => ((await (await fetch(`${api}/proxies/echo/toxics`)).json()) as unknown[]).length === 1, 15_000, 'the toxic');
    await killRunnerAndGuardian(run, home);
    server.child.kill('SIGTERM');
    await server.done;

    const failed = await runCli(['recover'], { home });
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/FAILED #\d+ network\.latency on echo .*cannot reach the proxy API/);

    // the server comes back (without the toxic: it was in its memory); recover now closes the entry
    server = startCli(args, { home: tempHome() });
    try {
      await waitForOutput(server, 'ready', 15_000, 'faultline proxy again');
      const again = await runCli(['recover'], { home });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/reverted #\d+ network\.latency on echo/);
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
  });
});

describe("the run's own proxy when the runner is SIGKILLed", () => {
  it('died with the runner: its port is closed, and recover closes the journal entry', async () => {
    const listen = await freePort();
    const home = tempHome();
    const run = startCli(
      ['run', experiment(`- name: echo\n  endpoint: { listen: "127.0.0.1:${listen}", upstream: "127.0.0.1:${echo.port}" }`)],
      { home },
    );
    await waitFor(() => portOpen(listen), 15_000, 'the run to open its proxy');
    await waitFor(async () => (await roundTrip(listen)) >= 245, 15_000, 'the latency to be injected');

    // the proxy dies with the runner; its guardian closes the journal entry, with nobody running recover
    await expectGuardianReverts(run, home, async () => !(await portOpen(listen)), "the run's proxy");
    expect((await runCli(['recover'], { home })).stdout).toMatch(/nothing to recover/);
  });
});
