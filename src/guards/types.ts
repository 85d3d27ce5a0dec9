/**
 * The contract of a guard kind checked before any harm (freeze windows, open incidents, ...). Each
 * kind is one file under src/guards/ registering one GuardType under the key it takes in
 * `spec.guards` and in the project policy's `guards` (for example `freeze:`).
 */
import type { z } from '../util/zod.js';

export interface GuardContext {
  /** the time the guard is judged at */
  now: Date;
  env: NodeJS.ProcessEnv;
  /** a dry run must not change anything: a guard with side effects skips them and says so */
  dryRun: boolean;
  signal: AbortSignal;
}

export interface GuardVerdict {
  ok: boolean;
  /** one line: why the guard passed or refused, e.g. `inside freeze window "0 9 * * 1-5" (until 17:00 Europe/Paris)` */
  detail: string;
  /** the guard could not judge (an unreachable API) and was configured to warn rather than refuse */
  warning?: boolean;
}

export interface GuardType<C = unknown> {
  /** the key under `guards:`, e.g. `freeze` */
  key: string;
  summary: string;
  config: z.ZodType<C>;
  check(config: C, ctx: GuardContext): Promise<GuardVerdict>;
}
