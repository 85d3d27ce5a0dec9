/**
 * Identifiers for proxies and API requests. They must be unique, not secret, so they do without
 * node:crypto: loading it costs an idle `faultline proxy` about 0.4 MiB of resident memory, and the
 * idle proxy is held to 10 MiB over a bare Node echo server (bench/RESULTS.md).
 */
let issued = 0;

/** this process, for as long as it runs: its pid and its start time (a pid is reused only later) */
const THIS_PROCESS = `${process.pid.toString(36)}-${Date.now().toString(36)}`;

/** Unique across processes: a journal entry names the proxy it changed, and a later `recover` finds it by this. */
export function newProxyId(): string {
  issued += 1;
  return `${THIS_PROCESS}-${issued.toString(36)}`;
}

/** 16 hex digits, as Toxiproxy's X-Toxiproxy-Request-Id: a count of this process's requests and a random part. */
export function newRequestId(): string {
  issued += 1;
  const random = Math.floor(Math.random() * 2 ** 32);
  return (issued >>> 0).toString(16).padStart(8, '0') + random.toString(16).padStart(8, '0');
}
