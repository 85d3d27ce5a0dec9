/**
 * The names by which a run finds an endpoint target's proxy. Kept apart from host.ts so that the fault
 * registry (loaded by `faultline validate`) does not load the proxy itself: it starts only when a run uses it.
 */

export const DEFAULT_API = 'http://127.0.0.1:8474';

/** The resource key of an endpoint target's proxy in a run. */
export function proxyResourceKey(target: string): string {
  return `proxy:${target}`;
}
