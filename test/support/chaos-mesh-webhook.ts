/**
 * Chaos Mesh's validating webhook, for the fake API server: the rules of its api/v1alpha1/*_webhook.go
 * that a faultline object can meet, each with the file it follows (chaos-mesh/chaos-mesh, read at
 * 608b61e7c1b16c01a242e8ddc93c768ea77d783a). A denied object is refused with the webhook's message, as
 * the API server relays it (403, `admission webhook "v<kind>.kb.io" denied the request: ...`).
 */

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are free-form JSON here
type KObject = Record<string, any>;

/** Go's time.ParseDuration, as Duration.Validate uses it (api/v1alpha1/common_webhook.go). */
export function goDurationMs(text: string): number | null {
  if (!/^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(text) && text !== '0') return null;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * (unit[m[2] as string] as number);
  return text.startsWith('-') ? -total : total;
}

/** Rate.Validate / isValidRateUnit (api/v1alpha1/networkchaos_webhook.go): a whole number and a unit. */
function rateError(rate: string): string | null {
  const s = rate.trim().toLowerCase();
  for (const u of ['kbit', 'mbit', 'gbit', 'tbit', 'tbps', 'gbps', 'mbps', 'kbps', 'bps', 'bit']) {
    if (s.endsWith(u))
      return /^\d+$/.test(s.slice(0, -u.length).trim()) ? null : `strconv.ParseUint: parsing "${s.slice(0, -u.length)}": invalid syntax`;
  }
  return 'invalid unit';
}

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT'];

/** The webhook's errors for an object (empty: admitted). */
export function chaosMeshWebhookErrors(o: KObject): string[] {
  const errors: string[] = [];
  const spec = o.spec ?? {};
  if (spec.duration !== undefined && goDurationMs(String(spec.duration)) === null) {
    errors.push(`spec.duration: Invalid value: "${spec.duration}": parse duration field error: time: invalid duration "${spec.duration}"`);
  }
  if (o.kind === 'NetworkChaos') {
    const rate = spec.bandwidth?.rate;
    const why = rate === undefined ? null : rateError(String(rate));
    if (why) errors.push(`spec.bandwidth.rate: Invalid value: "${rate}": parse rate field error:${why}`);
    const dir = spec.direction ?? 'to';
    if (spec.action !== 'partition' && (dir === 'from' || dir === 'both')) {
      if (spec.externalTargets?.length)
        errors.push(
          `spec.direction: Invalid value: "${dir}": external targets cannot be used with \`from\` and \`both\` direction in netem action yet`,
        );
      if (!spec.target)
        errors.push(
          `spec.direction: Invalid value: "${dir}": \`from\` and \`both\` direction cannot be used when targets is empty in netem action`,
        );
    }
  }
  if (o.kind === 'HTTPChaos') {
    // api/v1alpha1/httpchaos_webhook.go: PodHttpChaosTarget, HTTPMethod and Delay validation
    if (!['Request', 'Response'].includes(spec.target))
      errors.push(`spec.target: Invalid value: "${spec.target}": target ${spec.target} is not supported`);
    if (spec.target === 'Request' && spec.method !== undefined && !HTTP_METHODS.includes(spec.method))
      errors.push(`spec.method: Invalid value: "${spec.method}": method ${spec.method} is not supported`);
    if (spec.delay !== undefined && goDurationMs(String(spec.delay)) === null)
      errors.push(`spec.delay: Invalid value: "${spec.delay}": invalid duration ${spec.delay}`);
  }
  return errors;
}
