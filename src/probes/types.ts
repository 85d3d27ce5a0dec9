/**
 * The contract of a probe type (http, tcp, cmd, ...). Each type is one file under src/probes/ that
 * registers one ProbeType; its `config` is the block under the key named after the type
 * (`http: { url }`), its `expect` the expectations it understands.
 */
import type { z } from 'zod';

export interface ProbeOutcome {
  ok: boolean;
  latencyMs: number;
  /** a short account: `200 in 12ms`, `connect ECONNREFUSED 127.0.0.1:7000` */
  detail: string;
}

export interface CheckContext {
  timeoutMs: number;
  signal: AbortSignal;
}

export interface ProbeType<C = unknown, E = unknown> {
  type: string;
  summary: string;
  config: z.ZodType<C>;
  expect: z.ZodType<E>;
  /** checks before any harm that the probe can run at all (a URL that resolves); throws a UserError */
  preflight?(config: C): Promise<void>;
  check(config: C, expect: E, ctx: CheckContext): Promise<ProbeOutcome>;
}
