/**
 * The contract of a probe type (http, tcp, cmd, ...). Each type is one file under src/probes/ that
 * registers one ProbeType; its `config` is the block under the key named after the type
 * (`http: { url }`), its `expect` the expectations it understands.
 */

import type { DataLoss } from '../report/types.js';
import type { z } from '../util/zod.js';

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

/** The run a stateful probe type takes part in (see ProbeType.forRun). */
export interface ProbeRunInfo {
  runId: string;
  probe: string;
  intervalMs: number;
  timeoutMs: number;
}

export interface FinishContext {
  /** the interruption the probe's findings are measured from: the first fault's injection, epoch ms */
  interruptedAt: number | null;
  signal: AbortSignal;
}

/** What a probe found over a whole run beyond its samples. */
export interface ProbeFinding {
  dataLoss?: DataLoss;
  /** a short account for the timeline */
  summary: string;
  /** why the hypothesis is refuted (lost acknowledged writes), or null */
  failure: string | null;
}

export interface ProbeType<C = unknown, E = unknown> {
  type: string;
  summary: string;
  config: z.ZodType<C>;
  expect: z.ZodType<E>;
  /**
   * true when a check runs a command of the experiment's author on this host (cmd, a write probe with a
   * command): the caller then needs the `exec` capability (src/auth/capabilities.ts)
   */
  executes?(config: C): boolean;
  /** checks before any harm that the probe can run at all (a URL that resolves); throws a UserError */
  preflight?(config: C): Promise<void>;
  check(config: C, expect: E, ctx: CheckContext): Promise<ProbeOutcome>;
  /**
   * A type that keeps state over one run (the write probe numbers its records): the config that the
   * run's samples use instead of the parsed one, holding that state. Called once per run and probe.
   */
  forRun?(config: C, run: ProbeRunInfo): C;
  /** Called once per run after sampling has stopped and the system had time to recover (the write probe reads back). */
  finish?(config: C, expect: E, ctx: FinishContext): Promise<ProbeFinding>;
}
