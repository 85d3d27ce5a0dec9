/**
 * `faultline proxy` serves the Toxiproxy v2 HTTP API: the toxiproxy-node-client package from npm drives
 * it unchanged (run as a real CLI process), with Toxiproxy's JSON shapes and status codes; bad input
 * on its command line is one line and exit 3, with nothing left listening.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir, tempHome, waitForOutput } from './support/cli.js';
import { freePort, portOpen } from './support/processes.js';
import { collect, connectTo, echoServer, readBytes, type TestServer } from './support/proxy-net.js';

let echo: TestServer;
let api: string;
let seededPort: number;
let server: ReturnType<typeof startCli>;

beforeAll(async () => {
  echo = await echoServer();
  const apiPort = await freePort();
  seededPort = await freePort();
  api = `http://127.0.0.1:${apiPort}`;
  server = startCli(
    ['proxy', '--port', String(apiPort), '--proxy', `seeded=127.0.0.1:${seededPort},127.0.0.1:${echo.port}`, '--seed', '7'],
    {
      home: tempHome(),
    },
  );
  await waitForOutput(server, 'ready', 15_000, 'faultline proxy to be ready');
});

afterAll(async () => {
  server.child.kill('SIGTERM');
  const result = await server.done;
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/stopped/);
  expect(await portOpen(seededPort)).toBe(false);
  await echo.close();
});

async function echoRoundTrip(port: number): Promise<number> {
  const socket = await connectTo(port);
  const start = performance.now();
  socket.write('{hi}'); // not the start of an HTTP request line: no sniffing wait
  await readBytes(socket, 4);
  socket.destroy();
  return performance.now() - start;
}

describe('toxiproxy-node-client against faultline proxy', () => {
  it('reads the version and the proxies declared on the command line', async () => {
    const client = new Toxiproxy(api);
    expect(JSON.parse(await client.getVersion())).toMatchObject({ version: '2.12.0' });
    const all = await client.getAll();
    expect(all.seeded?.toJson()).toEqual({
      name: 'seeded',
      listen: `127.0.0.1:${seededPort}`,
      upstream: `127.0.0.1:${echo.port}`,
      enabled: true,
    });
    expect(await echoRoundTrip(seededPort)).toBeLessThan(100);
  });

  it('creates a proxy, adds, reads, updates and removes a toxic, and traffic follows', async () => {
    const client = new Toxiproxy(api);
    const proxy = await client.createProxy({ name: 'redis', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const port = Number(proxy.listen.split(':')[1]);
    expect(port).toBeGreaterThan(0);
    expect(proxy.enabled).toBe(true);

    const toxic = await proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 150, jitter: 0 },
    });
    expect(toxic.toJson()).toEqual({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 150, jitter: 0, correlation: 0 },
    });
    expect(await echoRoundTrip(port)).toBeGreaterThanOrEqual(149);

    const read = await proxy.getToxic('slow');
    expect(read.attributes).toEqual({ latency: 150, jitter: 0, correlation: 0 });
    // Toxiproxy decodes an update into the existing toxic: omitted attributes keep their values
    const updated = await read.update({ toxicity: 1, attributes: { jitter: 5 } } as never);
    expect(updated.attributes).toEqual({ latency: 150, jitter: 5, correlation: 0 });

    await updated.remove();
    expect(await echoRoundTrip(port)).toBeLessThan(100);
    await expect(proxy.getToxic('slow')).rejects.toBeInstanceOf(ToxiproxyError);

    // toxics of the client's typed attribute interfaces, under Toxiproxy's names
    for (const [type, attributes] of [
      ['bandwidth', { rate: 1000 }],
      ['slow_close', { delay: 10 }],
      ['timeout', { timeout: 1000 }],
      ['slicer', { average_size: 10, size_variation: 2, delay: 10 }],
      ['limit_data', { bytes: 100 }],
      ['reset_peer', { timeout: 10 }],
    ] as const) {
      const t = await proxy.addToxic({ name: type, type, stream: 'upstream', toxicity: 0.5, attributes } as never);
      expect(t.type).toBe(type);
      await t.remove();
    }
    await proxy.remove();
    await expect(client.get('redis')).rejects.toThrow(/404/);
  });

  it('disables and enables a proxy: a disabled proxy refuses connections', async () => {
    const client = new Toxiproxy(api);
    const proxy = await client.get('seeded');
    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    expect(await portOpen(seededPort)).toBe(false);
    const enabled = await disabled.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    expect(enabled.enabled).toBe(true);
    expect(await echoRoundTrip(seededPort)).toBeLessThan(100);
  });

  it('populates proxies (toxics included) and resets them', async () => {
    const client = new Toxiproxy(api);
    const created = await client.populate([
      { name: 'pop-a', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
      { name: 'pop-b', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}`, enabled: false },
    ]);
    expect(Object.keys(created).sort()).toEqual(['pop-a', 'pop-b']);
    expect(created['pop-b']?.enabled).toBe(false);
    // unlike Toxiproxy (issue #447), toxics given to populate are applied
    const res = await fetch(`${api}/populate`, {
      method: 'POST',
      body: JSON.stringify([
        {
          name: 'pop-a',
          listen: created['pop-a']?.listen,
          upstream: `127.0.0.1:${echo.port}`,
          toxics: [{ type: 'latency', attributes: { latency: 10 } }],
        },
      ]),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { proxies: { toxics: unknown[] }[] };
    expect(body.proxies[0]?.toxics).toHaveLength(1);
    await client.reset();
    const after = await (await fetch(`${api}/proxies`)).json();
    expect(after['pop-a'].toxics).toEqual([]);
    expect(after['pop-b'].enabled).toBe(true);
    await (await client.get('pop-a')).remove();
    await (await client.get('pop-b')).remove();
  });

  it("serves Toxiproxy's byte counters on /metrics, per proxy and direction", async () => {
    const created = await fetch(`${api}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'metered', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}`, toxics: null }),
    });
    expect(created.status).toBe(201);
    const { listen } = (await created.json()) as { listen: string };
    await echoRoundTrip(Number(listen.split(':')[1]));
    await new Promise((r) => setTimeout(r, 100)); // the connection's close reaches the proxy
    const res = await fetch(`${api}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const labels = (direction: string) =>
      `{direction="${direction}",listener="${listen}",proxy="metered",upstream="127.0.0.1:${echo.port}"}`;
    for (const direction of ['upstream', 'downstream']) {
      expect(text).toContain(`toxiproxy_proxy_received_bytes_total${labels(direction)} 4\n`);
      expect(text).toContain(`toxiproxy_proxy_sent_bytes_total${labels(direction)} 4\n`);
    }
    expect(text).toMatch(/^# TYPE toxiproxy_proxy_sent_bytes_total counter$/m);
    expect((await fetch(`${api}/proxies/metered`, { method: 'DELETE' })).status).toBe(204);
  });

  it('answers with Toxiproxy status codes and error bodies', async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${api}${path}`, { method: 'POST', body: JSON.stringify(body), headers });
    const created = await post('/proxies', { name: 'codes', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-toxiproxy-request-id')).toMatch(/^[0-9a-f]+$/);
    expect((await post('/proxies', { name: 'codes', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` })).status).toBe(409);
    expect(await (await post('/proxies', { listen: '127.0.0.1:0' })).json()).toEqual({
      error: 'missing required field: name',
      status: 400,
    });
    const toxic = await post('/proxies/codes/toxics', { type: 'latency', attributes: { latency: 5 } });
    expect(toxic.status).toBe(200);
    expect((await toxic.json()).name).toBe('latency_downstream');
    expect((await post('/proxies/codes/toxics', { type: 'latency', attributes: { latency: 5 } })).status).toBe(409);
    const unknownType = await post('/proxies/codes/toxics', { type: 'latenci' });
    expect(unknownType.status).toBe(400);
    expect((await unknownType.json()).error).toMatch(/invalid toxic type "latenci" \(did you mean "latency"\?\)/);
    // as Toxiproxy: an unknown attribute is ignored (with a warning in the log), toxicity is clamped to 0..1
    const unknownAttribute = await post('/proxies/codes/toxics', { type: 'latency', name: 'x', attributes: { latenci: 5 } });
    expect(unknownAttribute.status).toBe(200);
    expect((await unknownAttribute.json()).attributes).toEqual({ latency: 0, jitter: 0, correlation: 0 });
    expect(server.output()).toMatch(/ignored unknown field "latenci" \(did you mean "latency"\?\)/);
    expect((await post('/proxies/codes/toxics', { type: 'latency', stream: 'sideways' })).status).toBe(400);
    expect((await post('/proxies/codes/toxics', { type: 'http-abort', name: 'p', attributes: { percent: 150 } })).status).toBe(400);
    const clamped = await post('/proxies/codes/toxics', { type: 'latency', name: 't', toxicity: 2 });
    expect(clamped.status).toBe(200);
    expect((await clamped.json()).toxicity).toBe(1);
    expect((await post('/proxies/codes/toxics', { type: 'latency', name: 't2', toxicity: 'high' })).status).toBe(400);
    expect((await fetch(`${api}/proxies/nope`)).status).toBe(404);
    expect(await (await fetch(`${api}/proxies/codes/toxics/nope`)).json()).toEqual({ error: 'toxic not found: nope', status: 404 });
    expect((await fetch(`${api}/proxies/codes/toxics/latency_downstream`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${api}/proxies`, { headers: { 'User-Agent': 'Mozilla/5.0' } })).status).toBe(403);
    expect((await fetch(`${api}/proxies/codes`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('faultline proxy bad input', () => {
  it('an API port in use: one line, exit 3', async () => {
    const port = Number(new URL(api).port);
    const result = await runCli(['proxy', '--port', String(port)], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+ for the proxy API: the port is in use/);
  });

  it('a proxy port in use: one line, exit 3, the API not left listening', async () => {
    const apiPort = await freePort();
    const result = await runCli(['proxy', '--port', String(apiPort), '--proxy', `taken=127.0.0.1:${seededPort},127.0.0.1:${echo.port}`], {
      home: tempHome(),
    });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`cannot listen on 127.0.0.1:${seededPort} for proxy taken: the port is in use`));
    expect(await portOpen(apiPort)).toBe(false);
  });

  it('a config file with an unknown toxic attribute or a percentage over 100: one line naming it, exit 3, nothing listening', async () => {
    const dir = tempDir();
    const apiPort = await freePort();
    const listen = await freePort();
    for (const [attributes, message] of [
      [{ latenci: 100 }, /unknown field "latenci" \(did you mean "latency"\?\)/],
      [{ latency: 100, correlation: 150 }, /percentage from 0 to 100/],
    ] as const) {
      const file = join(dir, 'proxies.json');
      writeFileSync(
        file,
        JSON.stringify([
          { name: 'bad', listen: `127.0.0.1:${listen}`, upstream: `127.0.0.1:${echo.port}`, toxics: [{ type: 'latency', attributes }] },
        ]),
      );
      const result = await runCli(['proxy', '--port', String(apiPort), '--config', file], { home: tempHome() });
      expect(result.code).toBe(3);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(await portOpen(apiPort)).toBe(false);
      expect(await portOpen(listen)).toBe(false);
    }
  });

  it('a malformed --proxy: one line with the expected form, exit 3', async () => {
    const result = await runCli(['proxy', '--port', '0', '--proxy', 'nonsense'], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/expected NAME=LISTEN,UPSTREAM/);
  });

  it('a proxy whose upstream refuses still starts (Toxiproxy semantics), with a warning, and resets its clients', async () => {
    const apiPort = await freePort();
    const listen = await freePort();
    const closed = await freePort();
    const run = startCli(['proxy', '--port', String(apiPort), '--proxy', `down=127.0.0.1:${listen},127.0.0.1:${closed}`], {
      home: tempHome(),
    });
    try {
      await waitForOutput(run, 'refuses connections', 15_000, 'the warning');
      const socket = await connectTo(listen);
      const result = await collect(socket, 3000);
      expect(result.how).toBe('error');
      expect(result.code).toBe('ECONNRESET');
    } finally {
      run.child.kill('SIGINT');
      expect((await run.done).code).toBe(0);
    }
  });
});

describe("faultline proxy's allocator tuning", () => {
  async function relays(port: number, bytes: number): Promise<boolean> {
    const socket = await connectTo(port);
    const payload = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) payload[i] = (i * 31) & 0xff;
    socket.write(payload);
    const back = await readBytes(socket, bytes);
    socket.destroy();
    return back.equals(payload);
  }

  it('is applied where the install built its addon: no warning, and the bytes arrive intact', async () => {
    expect(server.output()).not.toContain('allocator tuning');
    expect(await relays(seededPort, 8 * 1024 * 1024)).toBe(true);
  });

  it('FAULTLINE_PROXY_MALLOC_TUNING=off: one warning saying what it costs, and the proxy relays as before', async () => {
    const apiPort = await freePort();
    const listen = await freePort();
    const run = startCli(['proxy', '--port', String(apiPort), '--proxy', `plain=127.0.0.1:${listen},127.0.0.1:${echo.port}`], {
      home: tempHome(),
      env: { FAULTLINE_PROXY_MALLOC_TUNING: 'off' },
    });
    try {
      await waitForOutput(run, 'ready', 15_000, 'faultline proxy to be ready');
      expect(run.output()).toContain(
        'faultline proxy: allocator tuning not applied (FAULTLINE_PROXY_MALLOC_TUNING=off); relaying costs about three times the CPU per GiB',
      );
      expect(await relays(listen, 8 * 1024 * 1024)).toBe(true);
    } finally {
      run.child.kill('SIGINT');
      expect((await run.done).code).toBe(0);
    }
  });
});
