/**
 * GET /metrics: the proxies' byte counters in the Prometheus text format, under the names and labels of
 * Toxiproxy 2.4+ (`-proxy-metrics`), so dashboards and alerts written for Toxiproxy read them unchanged.
 * `received` counts the bytes read from a direction's source, `sent` those written to its destination
 * after the toxics: a toxic that drops or holds bytes shows as the gap between the two.
 */
import type { FaultProxy } from '../proxy.js';
import { STREAMS } from '../toxic.js';

const COUNTERS = [
  ['toxiproxy_proxy_received_bytes_total', 'received', 'Bytes the proxy read from the source of a direction.'],
  ['toxiproxy_proxy_sent_bytes_total', 'sent', 'Bytes the proxy wrote to the destination of a direction, after its toxics.'],
] as const;

/** A label value, escaped as the text format wants. */
const label = (value: string) => JSON.stringify(value);

export function renderMetrics(proxies: readonly FaultProxy[]): string {
  const lines: string[] = [];
  for (const [name, field, help] of COUNTERS) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const proxy of proxies) {
      const traffic = proxy.stats.traffic;
      for (const direction of STREAMS) {
        const labels = `direction=${label(direction)},listener=${label(proxy.listen)},proxy=${label(proxy.name)},upstream=${label(proxy.upstream)}`;
        lines.push(`${name}{${labels}} ${traffic[direction][field]}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
