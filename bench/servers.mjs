// Benchmark upstreams, in their own process: a sink (counts bytes, answers the count when the client
// ends), a meter (the same, for a count announced first), a source (reads a decimal byte count and a newline, sends that many bytes, then ends), an
// echo, and an HTTP server answering 200 "ok" (keep-alive). Prints their ports as JSON; exits when its stdin closes.
import http from 'node:http';
import net from 'node:net';

const chunk = Buffer.alloc(64 * 1024, 7);

function listen(handler) {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

const sink = await listen((s) => {
  let n = 0;
  s.on('data', (c) => (n += c.length));
  s.on('end', () => s.end(String(n)));
  s.on('error', () => {});
});
const source = await listen((s) => {
  let sent = 0;
  let total = -1;
  let line = '';
  s.on('error', () => {});
  const pump = () => {
    while (sent < total) {
      const part = Math.min(chunk.length, total - sent);
      sent += part;
      if (!s.write(part === chunk.length ? chunk : chunk.subarray(0, part))) return void s.once('drain', pump);
    }
    s.end();
  };
  s.on('data', (d) => {
    if (total >= 0) return;
    line += d.toString();
    if (!line.includes('\n')) return;
    total = Number(line.trim());
    pump();
  });
});
// a meter: reads a decimal byte count and a newline, then that many bytes, and answers the count then
// (for proxies that do not keep a half-closed connection open, such as Toxiproxy, where the sink's
// answer after the client's end would be lost)
const meter = await listen((s) => {
  let expected = -1;
  let line = '';
  let n = 0;
  s.on('error', () => {});
  s.on('data', (d) => {
    if (expected < 0) {
      line += d.toString('latin1');
      const newline = line.indexOf('\n');
      if (newline < 0) return;
      expected = Number(line.slice(0, newline));
      n = Buffer.byteLength(line.slice(newline + 1), 'latin1');
    } else n += d.length;
    if (n >= expected) s.end(String(n));
  });
});
const echo = await listen((s) => {
  s.on('error', () => {});
  s.pipe(s);
});
const web = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
  res.end('ok');
});
const httpPort = await new Promise((resolve) => web.listen(0, '127.0.0.1', () => resolve(web.address().port)));
process.stdout.write(`${JSON.stringify({ sink, source, echo, meter, http: httpPort })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
