/**
 * The proxy's toxics on real loopback sockets: behaviour and timing (with tolerances), toxicity kept
 * per connection, toxics added and removed on live connections without losing a byte, and the bound
 * on what a connection buffers when its reader is slow.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startProxy } from '../src/proxy/index.js';
import { collect, connectTo, echoServer, median, readBytes, sleepMs, type TestServer, tcpServer } from './support/proxy-net.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function proxyTo(server: TestServer, options: { seed?: number; maxBufferedBytes?: number } = {}): Promise<FaultProxy> {
  const proxy = await startProxy({ listen: '127.0.0.1:0', upstream: `127.0.0.1:${server.port}`, ...options });
  cleanup.push(() => proxy.close());
  return proxy;
}

async function withEcho(options: { seed?: number } = {}): Promise<{ echo: TestServer; proxy: FaultProxy }> {
  const echo = await echoServer();
  cleanup.push(() => echo.close());
  return { echo, proxy: await proxyTo(echo, options) };
}

async function client(port: number): Promise<Socket> {
  const socket = await connectTo(port);
  cleanup.push(() => void socket.destroy());
  return socket;
}

/** Round trip of one small message on a fresh connection, in ms. */
async function roundTrip(port: number, message = 'ping'): Promise<number> {
  const socket = await client(port);
  const start = performance.now();
  socket.write(message);
  await readBytes(socket, message.length);
  const ms = performance.now() - start;
  socket.destroy();
  return ms;
}

describe('no toxic', () => {
  it('forwards bytes untouched in both directions, half-close included', async () => {
    const { proxy } = await withEcho();
    const socket = await client(proxy.port);
    const payload = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    const got = collect(socket, 10_000);
    socket.end(payload);
    const result = await got;
    expect(result.how).toBe('end');
    expect(result.data.equals(payload)).toBe(true);
  });

  it('stops listening when closed', async () => {
    const { proxy } = await withEcho();
    const port = proxy.port;
    await proxy.close();
    await expect(connectTo(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('latency', () => {
  it('delays each chunk by latency, per direction, and stacks', async () => {
    const { proxy } = await withEcho();
    const base = median([await roundTrip(proxy.port), await roundTrip(proxy.port), await roundTrip(proxy.port)]);
    await proxy.addToxic({ type: 'latency', attributes: { latency: 100 } });
    const down = median([await roundTrip(proxy.port), await roundTrip(proxy.port), await roundTrip(proxy.port)]);
    expect(down).toBeGreaterThanOrEqual(99);
    expect(down).toBeLessThan(100 + base + 60);
    await proxy.addToxic({ type: 'latency', stream: 'upstream', attributes: { latency: 50 } });
    const both = median([await roundTrip(proxy.port), await roundTrip(proxy.port), await roundTrip(proxy.port)]);
    expect(both).toBeGreaterThanOrEqual(149);
    expect(both).toBeLessThan(150 + base + 60);
  });

  it('keeps jitter within latency ± jitter and never reorders bytes', async () => {
    const { proxy } = await withEcho({ seed: 7 });
    await proxy.addToxic({ type: 'latency', attributes: { latency: 60, jitter: 40 } });
    const socket = await client(proxy.port);
    const arrivals: number[] = [];
    const sent: number[] = [];
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString();
      arrivals.push(performance.now());
    });
    for (let i = 0; i < 20; i++) {
      sent.push(performance.now());
      socket.write(`${String(i).padStart(2, '0')},`);
      await sleepMs(15);
    }
    await sleepMs(250);
    expect(received).toBe(Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')},`).join(''));
    // each write arrives alone (15ms apart) unless jitter bunched them: every arrival is 20..100ms after some send
    for (const t of arrivals) {
      const delays = sent.map((s) => t - s).filter((d) => d >= 19);
      expect(delays.length).toBeGreaterThan(0);
      expect(Math.min(...delays)).toBeLessThan(100 + 25);
    }
  });
});

describe('bandwidth', () => {
  it('limits the rate to rate KB/s (within 10%)', async () => {
    const payload = Buffer.alloc(60_000, 1);
    const server = await tcpServer((socket) => socket.end(payload));
    cleanup.push(() => server.close());
    const proxy = await proxyTo(server);
    await proxy.addToxic({ type: 'bandwidth', attributes: { rate: 100 } }); // 100 KB/s: 60 KB in 600ms
    const socket = await client(proxy.port);
    const result = await collect(socket, 5000);
    expect(result.data.length).toBe(payload.length);
    expect(result.endMs).toBeGreaterThan(540);
    expect(result.endMs).toBeLessThan(800);
  });
});

describe('timeout and blackhole', () => {
  it('timeout forwards nothing and closes the connection after `timeout` ms', async () => {
    const { proxy } = await withEcho();
    await proxy.addToxic({ type: 'timeout', attributes: { timeout: 200 } });
    const socket = await client(proxy.port);
    const result = collect(socket, 3000);
    socket.write('hello');
    const r = await result;
    expect(r.data.length).toBe(0);
    expect(r.how).not.toBe('timeout');
    expect(r.endMs).toBeGreaterThan(180);
    expect(r.endMs).toBeLessThan(500);
  });

  it('timeout 0 holds until removed, then delivers what it held', async () => {
    const { proxy } = await withEcho();
    await proxy.addToxic({ type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    const socket = await client(proxy.port);
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.write('held');
    await sleepMs(300);
    expect(got).toBe('');
    proxy.removeToxic('timeout_upstream');
    await sleepMs(100);
    expect(got).toBe('held');
  });

  it('blackhole forwards nothing, closes nothing, and delivers everything once removed', async () => {
    const { proxy } = await withEcho();
    await proxy.addToxic({ type: 'blackhole', name: 'cut-up', stream: 'upstream' });
    await proxy.addToxic({ type: 'blackhole', name: 'cut-down', stream: 'downstream' });
    const socket = await client(proxy.port);
    let got = '';
    let ended = false;
    socket.on('data', (d) => (got += d));
    socket.on('end', () => (ended = true));
    socket.write('one,');
    await sleepMs(200);
    socket.write('two');
    await sleepMs(200);
    expect(got).toBe('');
    expect(ended).toBe(false);
    proxy.removeToxic('cut-up');
    proxy.removeToxic('cut-down');
    await sleepMs(100);
    expect(got).toBe('one,two');
  });
});

describe('reset', () => {
  it('resets both sides with a TCP RST after the first bytes and the timeout', async () => {
    let upstreamError: string | undefined;
    const server = await tcpServer((socket) => {
      socket.on('error', (e: NodeJS.ErrnoException) => (upstreamError = e.code));
      socket.on('data', () => socket.write('pong'));
    });
    cleanup.push(() => server.close());
    const proxy = await proxyTo(server);
    await proxy.addToxic({ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 100 } });
    const socket = await client(proxy.port);
    const result = collect(socket, 3000);
    socket.write('ping');
    const r = await result;
    expect(r.how).toBe('error');
    expect(r.code).toBe('ECONNRESET');
    expect(r.endMs).toBeGreaterThan(90);
    expect(r.data.toString()).toBe(''); // the first bytes were discarded, so nothing came back
    await sleepMs(100);
    expect(upstreamError).toBe('ECONNRESET');
  });

  it('leaves alone the connections its toxicity did not pick', async () => {
    const { proxy } = await withEcho();
    await proxy.addToxic({ type: 'reset', toxicity: 0 });
    expect(await roundTrip(proxy.port, 'still fine')).toBeLessThan(1000);
  });
});

describe('slicer, limit-data, slow-close, corrupt', () => {
  it('slicer cuts data into slices sent `delay` µs apart', async () => {
    const payload = Buffer.alloc(200, 0x61);
    const server = await tcpServer((socket) => socket.end(payload));
    cleanup.push(() => server.close());
    const proxy = await proxyTo(server);
    // 20ms apart: wide enough that a busy test process still reads most slices one by one
    await proxy.addToxic({ type: 'slicer', attributes: { average_size: 10, size_variation: 5, delay: 20_000 } });
    const socket = await client(proxy.port);
    const sizes: number[] = [];
    socket.on('data', (d: Buffer) => sizes.push(d.length));
    const r = await collect(socket);
    expect(r.data.equals(payload)).toBe(true);
    expect(sizes.length).toBeGreaterThanOrEqual(12); // ~20 slices of 5..15 bytes; some may coalesce in the kernel
    expect(Math.max(...sizes)).toBeLessThanOrEqual(60);
    expect(r.endMs).toBeGreaterThan(200); // ~20 slices × 20ms
  });

  it('limit-data forwards exactly `bytes` bytes, then closes', async () => {
    const server = await tcpServer((socket) => socket.end(Buffer.alloc(10_000, 2)));
    cleanup.push(() => server.close());
    const proxy = await proxyTo(server);
    await proxy.addToxic({ type: 'limit_data', attributes: { bytes: 1234 } });
    const r = await collect(await client(proxy.port));
    expect(r.how).toBe('end');
    expect(r.data.length).toBe(1234);
  });

  it('slow-close passes data at once and the close `delay` ms later', async () => {
    const server = await tcpServer((socket) => socket.end('bye'));
    cleanup.push(() => server.close());
    const proxy = await proxyTo(server);
    await proxy.addToxic({ type: 'slow_close', attributes: { delay: 300 } });
    const r = await collect(await client(proxy.port));
    expect(r.data.toString()).toBe('bye');
    expect(r.firstByteMs as number).toBeLessThan(100);
    expect(r.endMs).toBeGreaterThan(280);
    expect(r.endMs).toBeLessThan(800);
  });

  it('corrupt flips one bit in about `percent` % of the bytes, keeping the length', async () => {
    const payload = Buffer.alloc(200_000, 0x55);
    const server = await tcpServer((socket) => socket.end(payload));
    cleanup.push(() => server.close());
    const proxy = await proxyTo(server, { seed: 42 });
    await proxy.addToxic({ type: 'corrupt', attributes: { percent: 10 } });
    const r = await collect(await client(proxy.port));
    expect(r.data.length).toBe(payload.length);
    let changed = 0;
    for (let i = 0; i < payload.length; i++) {
      const diff = (r.data[i] as number) ^ 0x55;
      if (diff) {
        changed++;
        expect(diff & (diff - 1)).toBe(0); // exactly one bit
      }
    }
    expect(changed / payload.length).toBeGreaterThan(0.09);
    expect(changed / payload.length).toBeLessThan(0.11);
  });
});

describe('loss', () => {
  it('mode delay: a lost segment arrives one rto late, consecutive losses back off, nothing is missing', async () => {
    const payload = Buffer.alloc(2000, 3); // two 1460-byte segments
    const server = await tcpServer((socket) => socket.end(payload));
    cleanup.push(() => server.close());
    const proxy = await proxyTo(server);
    await proxy.addToxic({ type: 'loss', attributes: { percent: 100, rto: 60 } });
    const r = await collect(await client(proxy.port));
    expect(r.data.equals(payload)).toBe(true);
    expect(r.endMs).toBeGreaterThan(60 + 120 - 5); // 60ms, then 120ms (backoff)
    expect(r.endMs).toBeLessThan(400);
  });

  it('mode drop: about `percent` % of the segments are discarded', async () => {
    const payload = Buffer.alloc(1460 * 400, 4);
    const server = await tcpServer((socket) => socket.end(payload));
    cleanup.push(() => server.close());
    const proxy = await proxyTo(server, { seed: 3 });
    await proxy.addToxic({ type: 'loss', attributes: { percent: 25, mode: 'drop' } });
    const r = await collect(await client(proxy.port));
    const kept = r.data.length / payload.length;
    expect(r.data.length % 1460).toBe(0);
    expect(kept).toBeGreaterThan(0.65);
    expect(kept).toBeLessThan(0.85);
  });
});

describe('toxicity', () => {
  it('is drawn once per connection and kept when other toxics come and go', async () => {
    const { proxy } = await withEcho({ seed: 1234 });
    await proxy.addToxic({ type: 'latency', name: 'half', toxicity: 0.5, attributes: { latency: 250 } });
    const sockets = await Promise.all(Array.from({ length: 30 }, () => client(proxy.port)));
    // every connection at once: which ones answer late (the latency toxic applies to them)?
    const slow = async () =>
      Promise.all(
        sockets.map(async (socket) => {
          const start = performance.now();
          socket.write('{');
          await readBytes(socket, 1);
          return performance.now() - start > 150;
        }),
      );
    const before = await slow();
    const picked = before.filter(Boolean).length;
    expect(picked).toBeGreaterThan(5);
    expect(picked).toBeLessThan(25);
    // Toxiproxy re-draws toxicity when another toxic is added or removed; we must not
    await proxy.addToxic({ type: 'latency', name: 'other', stream: 'upstream', attributes: { latency: 0 } });
    const during = await slow();
    proxy.removeToxic('other');
    const after = await slow();
    expect(during).toEqual(before);
    expect(after).toEqual(before);
    // toxicity 0 and 1
    proxy.removeToxic('half');
    await proxy.addToxic({ type: 'latency', toxicity: 0, attributes: { latency: 200 } });
    expect(await roundTrip(proxy.port)).toBeLessThan(150);
  });
});

describe('live connections', () => {
  it('toxics added and removed mid-stream lose no byte and keep the order', async () => {
    const { proxy } = await withEcho();
    const socket = await client(proxy.port);
    const total = 4 * 1024 * 1024;
    const expected = Buffer.alloc(total);
    for (let i = 0; i < total; i++) expected[i] = (i * 31 + 7) & 0xff;
    const received = readBytes(socket, total, 30_000);
    let offset = 0;
    const writer = (async () => {
      while (offset < total) {
        const end = Math.min(total, offset + 16 * 1024);
        if (!socket.write(expected.subarray(offset, end))) await new Promise((r) => socket.once('drain', r));
        offset = end;
        await sleepMs(1);
      }
    })();
    const types = [
      { type: 'latency', attributes: { latency: 20, jitter: 10 } },
      { type: 'bandwidth', attributes: { rate: 2000 } },
      { type: 'slicer', attributes: { average_size: 500, delay: 10 } },
      { type: 'blackhole' },
      { type: 'timeout', attributes: { timeout: 0 } },
      { type: 'loss', attributes: { percent: 5, rto: 10 } },
    ];
    for (let round = 0; offset < total && round < 60; round++) {
      const toxic = types[round % types.length] as { type: string; attributes?: Record<string, unknown> };
      const stream = round % 2 ? 'upstream' : 'downstream';
      const added = await proxy.addToxic({ ...toxic, stream, name: `t${round}` });
      await sleepMs(30);
      proxy.removeToxic(added.name);
    }
    await writer;
    const data = await received;
    expect(data.length).toBe(total);
    expect(data.equals(expected)).toBe(true);
  }, 60_000);
});

describe('back-pressure', () => {
  /** How many bytes an upstream manages to write toward a client that does not read for `ms`. */
  async function writtenTowardSlowReader(toxic: Record<string, unknown> | null, ms: number): Promise<number> {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 9);
    const server = await tcpServer((socket) => {
      const pump = () => {
        while (!socket.destroyed && written < 512 * 1024 * 1024) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    cleanup.push(() => server.close());
    const proxy = await proxyTo(server, { maxBufferedBytes: 1024 * 1024 });
    if (toxic) await proxy.addToxic(toxic);
    const socket = await client(proxy.port);
    socket.pause();
    await sleepMs(ms);
    const atPause = written;
    await sleepMs(ms);
    expect(written).toBe(atPause); // stalled, not growing
    socket.destroy();
    return written;
  }

  it('a slow reader stalls the upstream instead of growing the proxy (pipe fast path)', async () => {
    const written = await writtenTowardSlowReader(null, 400);
    // kernel socket buffers on both legs plus Node's stream buffers: a few MiB, not hundreds
    expect(written).toBeLessThan(48 * 1024 * 1024);
  });

  it('a slow reader stalls the upstream with toxics in the way too (bounded buffering)', async () => {
    const written = await writtenTowardSlowReader({ type: 'latency', attributes: { latency: 5 } }, 400);
    expect(written).toBeLessThan(48 * 1024 * 1024);
  });
});
