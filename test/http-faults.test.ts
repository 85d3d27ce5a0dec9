/**
 * HTTP toxics of the proxy on real sockets: abort (the upstream is not contacted), delay, replace,
 * patch; matching by method, path glob, headers and status; keep-alive connections opened before the
 * fault (relayed as bytes until then, taken over between two exchanges: a pipeline in flight, an upload
 * half sent, an upgraded connection); chunked bodies; pipelined requests answered in order; the documented
 * order of the actions.
 */
import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startProxy } from '../src/proxy/index.js';
import { collect, connectTo, type HttpTestServer, httpRequest, httpServer, sleepMs, tcpServer } from './support/proxy-net.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Setup {
  server: HttpTestServer;
  proxy: FaultProxy;
  warnings: string[];
}

/** An upstream answering JSON (chunked when the path says so) behind a proxy. */
async function setup(): Promise<Setup> {
  const server = await httpServer((req, res, body) => {
    const url = req.url ?? '/';
    if (url.startsWith('/chunked')) {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // no length: chunked
      res.write('{"ok":true,');
      setTimeout(() => res.end('"items":[1,2],"nested":{"a":1,"b":2}}'), 10);
      return;
    }
    if (url.startsWith('/text')) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 5 });
      res.end('plain');
      return;
    }
    if (url.startsWith('/slow')) {
      setTimeout(() => res.end(JSON.stringify({ url })), 200);
      return;
    }
    if (url.startsWith('/empty')) {
      res.writeHead(204);
      res.end();
      return;
    }
    const text = JSON.stringify({ method: req.method, url, body });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
  cleanup.push(() => server.close());
  const warnings: string[] = [];
  const proxy = await startProxy({
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${server.port}`,
    seed: 99,
    onWarning: (m) => warnings.push(m),
  });
  cleanup.push(() => proxy.close());
  return { server, proxy, warnings };
}

function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  cleanup.push(() => agent.destroy());
  return agent;
}

describe('http-abort', () => {
  it('answers with the code without contacting the upstream', async () => {
    const { server, proxy } = await setup();
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 503 } });
    const res = await httpRequest(proxy.port, { path: '/pay' });
    expect(res.status).toBe(503);
    expect(res.headers['x-faultline-fault']).toBe('http-abort');
    expect(server.requests).toHaveLength(0);
    expect(server.connections).toBe(0); // not even a TCP connection
  });

  it('aborts about `percent` % of the matching requests', async () => {
    const { server, proxy } = await setup();
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 503, percent: 50 } });
    const agent = keepAliveAgent();
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await httpRequest(proxy.port, { path: `/r${i}`, agent })).status);
    const aborted = statuses.filter((s) => s === 503).length;
    expect(aborted).toBeGreaterThan(30);
    expect(aborted).toBeLessThan(70);
    expect(server.requests).toHaveLength(100 - aborted);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100 - aborted);
  });

  it('reaches keep-alive connections opened before it, and they keep working after it is removed', async () => {
    const { server, proxy } = await setup();
    const agent = keepAliveAgent();
    expect((await httpRequest(proxy.port, { path: '/before', agent })).status).toBe(200);
    const toxic = await proxy.addToxic({ type: 'http-abort', attributes: { code: 502, path: '/pay' } });
    expect((await httpRequest(proxy.port, { path: '/pay', agent })).status).toBe(502);
    expect((await httpRequest(proxy.port, { path: '/other', agent })).status).toBe(200);
    proxy.removeToxic(toxic.name);
    expect((await httpRequest(proxy.port, { path: '/pay', agent })).status).toBe(200);
    expect(server.connections).toBe(1); // one keep-alive connection all along
    expect(server.requests.map((r) => r.url)).toEqual(['/before', '/other', '/pay']);
  });

  it('consumes the body of an aborted POST so the next request on the connection is intact', async () => {
    const { server, proxy } = await setup();
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 500, method: 'POST' } });
    const agent = keepAliveAgent();
    const posted = await httpRequest(proxy.port, {
      path: '/post',
      method: 'POST',
      agent,
      body: 'x'.repeat(10_000),
      headers: { 'Content-Length': 10_000 },
    });
    expect(posted.status).toBe(500);
    const next = await httpRequest(proxy.port, { path: '/after', agent });
    expect(JSON.parse(next.body)).toMatchObject({ method: 'GET', url: '/after' });
    expect(server.requests.map((r) => r.url)).toEqual(['/after']);
  });

  it('on the response: the upstream is contacted and its answer replaced', async () => {
    const { server, proxy } = await setup();
    await proxy.addToxic({ type: 'http-abort', stream: 'downstream', attributes: { code: 504 } });
    const res = await httpRequest(proxy.port, { path: '/chunked' });
    expect(res.status).toBe(504);
    expect(server.requests).toHaveLength(1);
  });
});

describe('http-delay', () => {
  it('holds matching requests before the upstream sees them', async () => {
    const { server, proxy } = await setup();
    await proxy.addToxic({ type: 'http-delay', attributes: { delay: 250, path: '/slow/**' } });
    const start = performance.now();
    const slow = httpRequest(proxy.port, { path: '/slow/a/b' });
    await sleepMs(120);
    expect(server.requests).toHaveLength(0);
    expect((await slow).status).toBe(200);
    expect(performance.now() - start).toBeGreaterThan(240);
    expect((await httpRequest(proxy.port, { path: '/fast' })).ms).toBeLessThan(150);
  });

  it('holds responses on the downstream stream, and releases them at once when removed', async () => {
    const { proxy } = await setup();
    const toxic = await proxy.addToxic({ type: 'http-delay', stream: 'downstream', attributes: { delay: 5000 } });
    const pending = httpRequest(proxy.port, { path: '/x' });
    await sleepMs(200);
    proxy.removeToxic(toxic.name);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1500);
  });
});

describe('http-replace and http-patch', () => {
  it('replace sets the code, headers and body, with a new Content-Length, on a chunked response', async () => {
    const { proxy } = await setup();
    await proxy.addToxic({ type: 'http-replace', attributes: { code: 418, headers: { 'X-Test': 'yes' }, body: 'short and stout' } });
    const res = await httpRequest(proxy.port, { path: '/chunked' });
    expect(res.status).toBe(418);
    expect(res.headers['x-test']).toBe('yes');
    expect(res.headers['content-length']).toBe('15');
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.body).toBe('short and stout');
  });

  it('replace on requests changes what the upstream receives', async () => {
    const { server, proxy } = await setup();
    await proxy.addToxic({
      type: 'http-replace',
      stream: 'upstream',
      attributes: { body: 'swapped', set_path: '/elsewhere', headers: { 'X-Injected': '1' } },
    });
    await httpRequest(proxy.port, { path: '/orig?q=1', method: 'POST', body: 'original', headers: { 'Content-Length': 8 } });
    expect(server.requests[0]).toMatchObject({ url: '/elsewhere?q=1', body: 'swapped' });
    expect(server.requests[0]?.headers['x-injected']).toBe('1');
  });

  it('patch adds headers and merges a JSON body (null deletes), and says once when a body is not JSON', async () => {
    const { proxy, warnings } = await setup();
    await proxy.addToxic({
      type: 'http-patch',
      attributes: { headers: { 'X-Patched': 'true' }, body: { ok: false, extra: 1, nested: { a: null, c: 3 } } },
    });
    const res = await httpRequest(proxy.port, { path: '/chunked' });
    expect(res.headers['x-patched']).toBe('true');
    expect(JSON.parse(res.body)).toEqual({ ok: false, items: [1, 2], nested: { b: 2, c: 3 }, extra: 1 });
    const text = await httpRequest(proxy.port, { path: '/text' });
    const text2 = await httpRequest(proxy.port, { path: '/text' });
    expect(text.body).toBe('plain');
    expect(text2.body).toBe('plain');
    expect(warnings.filter((w) => /not JSON/.test(w))).toHaveLength(1);
  });

  it('matches on method, headers and response status', async () => {
    const { proxy } = await setup();
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 403, method: ['DELETE', 'PUT'], headers: { 'x-tenant': 'evil*' } } });
    await proxy.addToxic({ type: 'http-replace', attributes: { status: 204, code: 200, body: 'was empty' } });
    expect((await httpRequest(proxy.port, { path: '/a', method: 'DELETE', headers: { 'X-Tenant': 'evil-corp' } })).status).toBe(403);
    expect((await httpRequest(proxy.port, { path: '/a', method: 'DELETE', headers: { 'X-Tenant': 'good' } })).status).toBe(200);
    expect((await httpRequest(proxy.port, { path: '/a', method: 'GET', headers: { 'X-Tenant': 'evil-corp' } })).status).toBe(200);
    const empty = await httpRequest(proxy.port, { path: '/empty' });
    expect(empty.status).toBe(200);
    expect(empty.body).toBe('was empty');
  });

  it('applies abort before delay before replace before patch, whatever the order they were added in', async () => {
    const { proxy } = await setup();
    await proxy.addToxic({ type: 'http-patch', attributes: { headers: { 'X-Order': 'patch' } } });
    await proxy.addToxic({ type: 'http-replace', attributes: { headers: { 'X-Order': 'replace' } } });
    const res = await httpRequest(proxy.port, { path: '/x' });
    // replace sets X-Order, then patch appends another value
    expect(res.headers['x-order']).toBe('replace, patch');
    await proxy.addToxic({ type: 'http-delay', attributes: { delay: 1000 } });
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 503 } });
    const aborted = await httpRequest(proxy.port, { path: '/x' });
    expect(aborted.status).toBe(503);
    expect(aborted.ms).toBeLessThan(500); // the abort short-circuits the delay
  });
});

describe('HTTP/1.1 framing', () => {
  it('answers pipelined requests in order, local answers and upstream ones mixed', async () => {
    const { proxy } = await setup();
    await proxy.addToxic({ type: 'http-delay', attributes: { delay: 150, path: '/first' } });
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 503, path: '/second' } });
    const socket = await connectTo(proxy.port);
    cleanup.push(() => void socket.destroy());
    const done = collect(socket, 3000);
    socket.write(
      'GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\nGET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const text = (await done).data.toString();
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '503', '200']);
    expect(text.indexOf('/first')).toBeLessThan(text.indexOf('/third'));
  });

  it('forwards chunked request bodies and HEAD responses intact on a keep-alive connection', async () => {
    const { server, proxy } = await setup();
    await proxy.addToxic({ type: 'http-delay', attributes: { delay: 1, path: '/nothing-matches' } });
    const socket = await connectTo(proxy.port);
    cleanup.push(() => void socket.destroy());
    const done = collect(socket, 3000);
    socket.write('POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    socket.write('HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.write('GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const text = (await done).data.toString();
    expect(server.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/c', 'hello world'],
      ['HEAD', '/h', ''],
      ['GET', '/last', ''],
    ]);
    expect([...text.matchAll(/HTTP\/1\.1 200/g)]).toHaveLength(3);
  });

  it('leaves connections that are not HTTP alone', async () => {
    const server = await tcpServer((socket) => socket.pipe(socket));
    cleanup.push(() => server.close());
    const proxy = await startProxy({ listen: '127.0.0.1:0', upstream: `127.0.0.1:${server.port}` });
    cleanup.push(() => proxy.close());
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 503 } });
    const socket = await connectTo(proxy.port);
    cleanup.push(() => void socket.destroy());
    const done = collect(socket, 3000);
    socket.end('\x00\x01binary, not HTTP\n');
    expect((await done).data.toString()).toBe('\x00\x01binary, not HTTP\n');
  });
});

describe('connections opened before an HTTP toxic (relayed as bytes until one applies)', () => {
  /** The statuses in what a raw socket received so far. */
  const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);

  async function rawClient(port: number) {
    const socket = await connectTo(port);
    cleanup.push(() => void socket.destroy());
    let text = '';
    socket.on('data', (d) => {
      text += d;
    });
    const until = async (count: number) => {
      const deadline = Date.now() + 3000;
      while (statuses(text).length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} responses, got: ${text}`);
        await sleepMs(10);
      }
      return statuses(text);
    };
    return { socket, until, text: () => text };
  }

  it('a pipeline in flight when the toxic is added is answered by the upstream whole; the next request meets the toxic', async () => {
    const { server, proxy } = await setup();
    const client = await rawClient(proxy.port);
    client.socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /pay HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleepMs(50); // both requests are in the upstream's hands, the first answer 150 ms away
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 502, path: '/pay' } });
    expect(await client.until(2)).toEqual(['200', '200']);
    client.socket.write('GET /pay HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await client.until(3)).toEqual(['200', '200', '502']);
    expect(server.requests.map((r) => r.url)).toEqual(['/slow', '/pay']);
    expect(server.connections).toBe(1);
  });

  it('a toxic raised from toxicity 0 to 1 reaches a live keep-alive connection at its next request', async () => {
    const { server, proxy } = await setup();
    const agent = keepAliveAgent();
    const toxic = await proxy.addToxic({ type: 'http-abort', toxicity: 0, attributes: { code: 502 } });
    expect((await httpRequest(proxy.port, { path: '/a', agent })).status).toBe(200);
    proxy.updateToxic(toxic.name, { toxicity: 1 });
    expect((await httpRequest(proxy.port, { path: '/b', agent })).status).toBe(502);
    expect(server.requests.map((r) => r.url)).toEqual(['/a']);
    expect(server.connections).toBe(1);
  });

  it('an upload half sent when the toxic is added reaches the upstream intact', async () => {
    const { server, proxy } = await setup();
    const client = await rawClient(proxy.port);
    client.socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst \r\n');
    await sleepMs(50);
    // it matches every request, the one being sent included: that one began before it, so it passes
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 503 } });
    client.socket.write('4\r\nhalf\r\n0\r\n\r\n');
    expect(await client.until(1)).toEqual(['200']);
    client.socket.write('GET /after HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await client.until(2)).toEqual(['200', '503']);
    expect(server.requests.map((r) => [r.url, r.body])).toEqual([['/upload', 'first half']]);
  });

  it('a connection upgraded to another protocol stays bytes: what looks like a request inside it is not aborted', async () => {
    const server = await tcpServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
        socket.pipe(socket);
      });
    });
    cleanup.push(() => server.close());
    const proxy = await startProxy({ listen: '127.0.0.1:0', upstream: `127.0.0.1:${server.port}` });
    cleanup.push(() => proxy.close());
    const client = await rawClient(proxy.port);
    client.socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    expect(await client.until(1)).toEqual(['101']);
    await proxy.addToxic({ type: 'http-abort', attributes: { code: 503 } });
    client.socket.write('GET /inside HTTP/1.1\r\n\r\n');
    const deadline = Date.now() + 3000;
    while (!client.text().includes('/inside') && Date.now() < deadline) await sleepMs(10);
    expect(client.text()).toContain('GET /inside HTTP/1.1\r\n\r\n');
    expect(client.text()).not.toContain('503');
  });
});
