/**
 * Reading the engines' status: is the object injected, recovered, failing, and a sentence that says
 * where it stands (for errors and timeouts).
 *
 * Chaos Mesh: `status.conditions` (Selected, AllInjected, AllRecovered, Paused) and one record per
 * pod or container in `status.experiment.containerRecords` (phase `Injected`, `Not Injected`, or an
 * intermediate `.../Wait`), each with its Apply/Recover events.
 * Litmus: ChaosEngine `status.engineStatus` and `status.experiments[]`; the ChaosResult
 * `<engine>-<experiment>` with `status.experimentStatus` and `history.targets[].chaosStatus`.
 */
import type { KObject } from './client.js';

function condition(o: KObject | null, type: string): string | undefined {
  return (o?.status?.conditions ?? []).find((c: KObject) => c.type === type)?.status;
}

function records(o: KObject | null): KObject[] {
  return o?.status?.experiment?.containerRecords ?? [];
}

/** Records whose id is `ns/pod` or `ns/pod/container` for this pod. */
function recordsOf(o: KObject | null, pod: string): KObject[] {
  return records(o).filter((r) => r.id === pod || String(r.id).startsWith(`${pod}/`));
}

export type Check = { ok: true } | { failed: string };

/** Injected: AllInjected is True and every expected pod has records, all Injected. */
export function chaosMeshInjected(o: KObject | null, expected: readonly string[]): Check | undefined {
  if (o === null) return { failed: 'the object was deleted before the engine injected it' };
  if (o.metadata?.deletionTimestamp) return { failed: 'the object is being deleted' };
  if (condition(o, 'AllInjected') !== 'True') return undefined;
  const all = expected.every((pod) => {
    const own = recordsOf(o, pod);
    return own.length > 0 && own.every((r) => r.phase === 'Injected');
  });
  return all ? { ok: true } : undefined;
}

/** The last Failed event of any record, e.g. `shop/web-0: Apply failed: ...`. */
export function chaosMeshLastFailure(o: KObject | null): string | null {
  let last: { at: string; text: string } | null = null;
  for (const r of records(o)) {
    for (const e of r.events ?? []) {
      if (e.type === 'Failed' && (!last || String(e.timestamp) >= last.at)) {
        last = { at: String(e.timestamp ?? ''), text: `${r.id}: ${e.operation ?? ''} failed: ${e.message ?? 'no message'}` };
      }
    }
  }
  return last?.text ?? null;
}

/** `AllInjected False, AllRecovered False; records: shop/web-0 Not Injected; last failure: ...`. */
export function describeChaosMesh(o: KObject | null): string {
  if (o === null) return 'the object is gone';
  const parts = ['Selected', 'AllInjected', 'AllRecovered', 'Paused'].map((t) => `${t} ${condition(o, t) ?? 'unknown'}`);
  const recs = records(o);
  const shown = recs.length ? recs.map((r) => `${r.id} ${r.phase}`).join(', ') : 'none';
  const failure = chaosMeshLastFailure(o);
  const deleting = o.metadata?.deletionTimestamp
    ? `; deletion asked at ${o.metadata.deletionTimestamp}, finalizers ${(o.metadata.finalizers ?? []).join(', ') || 'none'}`
    : '';
  return `${parts.join(', ')}; records: ${shown}${failure ? `; last failure: ${failure}` : ''}${deleting}`;
}

// ---------- Litmus ----------

/** The engine's verdict on starting the experiment: running, or a reason it will not. */
export function litmusEngineStarted(o: KObject | null, experiment: string): Check | undefined {
  if (o === null) return { failed: 'the ChaosEngine was deleted before the experiment ran' };
  const status = (o.status?.experiments ?? []).find((e: KObject) => e.name === experiment)?.status as string | undefined;
  if (status === 'ChaosExperiment Not Found') {
    return { failed: `the ChaosExperiment ${experiment} is not installed in namespace ${o.metadata.namespace}; install it from ChaosHub` };
  }
  if (o.status?.engineStatus === 'stopped') return { failed: 'the ChaosEngine was stopped' };
  if (status === 'Running' || status === 'Completed' || o.status?.engineStatus === 'completed') return { ok: true };
  return undefined;
}

/** Injected: the ChaosResult shows every expected pod injected (or the experiment completed). */
export function litmusResultInjected(result: KObject | null, expected: readonly string[]): Check | undefined {
  if (result === null) return undefined;
  const s = result.status?.experimentStatus ?? {};
  if (s.verdict === 'Error' || s.phase === 'Error' || s.verdict === 'Fail') {
    return { failed: `the experiment failed (${s.phase ?? '?'} ${s.verdict ?? '?'}): ${s.errorOutput?.reason ?? 'no reason given'}` };
  }
  if (s.phase === 'Completed' || s.phase === 'Completed_With_Probe_Failure') return { ok: true };
  const targets: KObject[] = result.status?.history?.targets ?? [];
  const names = expected.map((pod) => pod.split('/')[1]);
  const injected = names.every((n) => targets.some((t) => t.name === n && (t.chaosStatus === 'injected' || t.chaosStatus === 'reverted')));
  if (s.phase === 'Running' && injected) return { ok: true };
  return undefined;
}

export function describeLitmus(engine: KObject | null, result: KObject | null): string {
  if (engine === null) return 'the ChaosEngine is gone';
  const experiments = (engine.status?.experiments ?? []).map((e: KObject) => `${e.name} ${e.status} (${e.verdict})`).join(', ');
  const s = result?.status?.experimentStatus;
  const targets = (result?.status?.history?.targets ?? []).map((t: KObject) => `${t.name} ${t.chaosStatus}`).join(', ');
  return `engineStatus ${engine.status?.engineStatus ?? 'unknown'}; experiments: ${experiments || 'none yet'}; ChaosResult: ${s ? `${s.phase} ${s.verdict}${s.errorOutput?.reason ? ` (${s.errorOutput.reason})` : ''}` : 'none yet'}${targets ? `; targets: ${targets}` : ''}`;
}
