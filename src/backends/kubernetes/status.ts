/**
 * Reading the engines' status: is the object injected, recovered, failing, and a sentence that says
 * where it stands (for errors and timeouts).
 *
 * Chaos Mesh: `status.conditions` (Selected, AllInjected, AllRecovered, Paused) and one record per
 * pod or container in `status.experiment.containerRecords` (phase `Injected`, `Not Injected`, or an
 * intermediate `.../Wait`), each with its Apply/Recover events. AllInjected is True only when records
 * exist and every one is `Injected` (diffConditions in controllers/common/condition/controller.go).
 * Litmus: ChaosEngine `status.engineStatus` and `status.experiments[]`; the ChaosResult
 * `<engine>-<experiment>` with `status.experimentStatus`, the per-pod annotations written while the
 * experiment runs, and `history.targets[].chaosStatus` written when it ends (see litmusTargetStates).
 */
import type { EngineVerdict } from '../../faults/types.js';
import type { KObject } from '../../kube/client.js';

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

/**
 * What litmus-go reports for each target pod of a ChaosResult, by pod name. While the experiment runs,
 * each helper annotates the result `pod/NAME: injected`, later `reverted` (AnnotateChaosResult in
 * pkg/result/chaosresult.go, called from chaoslib/litmus/network-chaos/helper/netem.go and the
 * stress-chaos, http-chaos, pod-dns-chaos and disk-fill helpers; container-kill's helper writes
 * `targeted`). `status.history.targets` stays empty until then (InitializeChaosResult): the next patch
 * of the result (EOT, or RecordAfterFailure) folds the annotations into it and removes them
 * (GetChaosStatus, same file). pod-delete writes no annotation at all: its targets (`targeted`) reach
 * history.targets only at the end (common.SetTargets in chaoslib/litmus/pod-delete/lib/pod-delete.go).
 */
export function litmusTargetStates(result: KObject | null): Map<string, string> {
  const states = new Map<string, string>();
  for (const t of result?.status?.history?.targets ?? []) {
    if (t?.name) states.set(String(t.name), String(t.chaosStatus ?? '').toLowerCase());
  }
  for (const [key, value] of Object.entries((result?.metadata?.annotations ?? {}) as Record<string, string>)) {
    const pod = /^pod\/(.+)$/.exec(key)?.[1];
    const state = String(value).toLowerCase();
    if (pod && ['injected', 'reverted', 'targeted'].includes(state)) states.set(pod, state);
  }
  return states;
}

/** A pod counts as hit once injected (or already reverted); one-shot experiments report `targeted`. */
function hit(state: string | undefined, oneShot: boolean): boolean {
  return state === 'injected' || state === 'reverted' || (oneShot && state === 'targeted');
}

/**
 * Injected: every expected pod is reported hit (annotations while running, history.targets at the
 * end), or the experiment ended without error. An Error phase or verdict fails the step with
 * litmus-go's errorOutput (reason and errorCode, set by SetResultAfterCompletion in pkg/types/types.go);
 * a Fail verdict alone is a Litmus probe's opinion on a completed experiment, not a failed injection.
 */
export function litmusResultInjected(result: KObject | null, expected: readonly string[], oneShot = false): Check | undefined {
  if (result === null) return undefined;
  const s = result.status?.experimentStatus ?? {};
  if (s.verdict === 'Error' || s.phase === 'Error') {
    const why = s.errorOutput?.reason
      ? `${s.errorOutput.reason}${s.errorOutput.errorCode ? ` (${s.errorOutput.errorCode})` : ''}`
      : 'no reason given';
    return { failed: `the experiment failed (phase ${s.phase ?? '?'}, verdict ${s.verdict ?? '?'}): ${why}` };
  }
  if (s.phase === 'Completed' || s.phase === 'Completed_With_Probe_Failure') return { ok: true };
  const states = litmusTargetStates(result);
  const names = expected.map((pod) => pod.split('/')[1] as string);
  return names.length > 0 && names.every((n) => hit(states.get(n), oneShot)) ? { ok: true } : undefined;
}

/** The verdict litmus-go gave, with its probe success percentage: `Pass (probes 100%)`. */
export function litmusVerdict(result: KObject | null): string | null {
  const s = result?.status?.experimentStatus;
  if (!s?.verdict || s.verdict === 'Awaited') return null;
  const probes = s.probeSuccessPercentage && s.probeSuccessPercentage !== 'Awaited' ? ` (probes ${s.probeSuccessPercentage}%)` : '';
  return `${s.phase} ${s.verdict}${probes}`;
}

/**
 * What litmus-go recorded of one experiment, for the report: null until it gave a verdict. The fields
 * follow pkg/result/chaosresult.go (experimentStatus, probeStatuses); the percentage is litmus-go's
 * (100 on Pass, the share of passed probes on Fail or Stopped, 0 on Error).
 */
export function litmusEngineVerdict(result: KObject | null): EngineVerdict | null {
  const s = result?.status?.experimentStatus;
  if (!result || !s?.verdict || s.verdict === 'Awaited') return null;
  const percent = Number(s.probeSuccessPercentage);
  const reason = [s.errorOutput?.reason, s.failStep].filter((x) => typeof x === 'string' && x !== '' && x !== 'N/A').join('; ');
  return {
    engine: 'litmus',
    result: `${result.metadata?.namespace}/${result.metadata?.name}`,
    phase: String(s.phase ?? 'unknown'),
    verdict: String(s.verdict),
    probeSuccessPercentage:
      s.probeSuccessPercentage === undefined || s.probeSuccessPercentage === 'Awaited' || !Number.isFinite(percent) ? null : percent,
    ...(reason ? { reason } : {}),
    probes: ((result.status?.probeStatuses ?? []) as KObject[]).map((p) => ({
      name: String(p.name),
      ...(p.type ? { type: String(p.type) } : {}),
      ...(p.mode ? { mode: String(p.mode) } : {}),
      verdict: String(p.status?.verdict ?? 'Awaited'),
      ...(p.status?.description ? { description: String(p.status.description) } : {}),
    })),
  };
}

export function describeLitmus(engine: KObject | null, result: KObject | null): string {
  if (engine === null) return 'the ChaosEngine is gone';
  const experiments = (engine.status?.experiments ?? []).map((e: KObject) => `${e.name} ${e.status} (${e.verdict})`).join(', ');
  const s = result?.status?.experimentStatus;
  const targets = [...litmusTargetStates(result)].map(([name, state]) => `${name} ${state}`).join(', ');
  const verdict = s ? (litmusVerdict(result) ?? `${s.phase} ${s.verdict}`) : 'none yet';
  return `engineStatus ${engine.status?.engineStatus ?? 'unknown'}; experiments: ${experiments || 'none yet'}; ChaosResult: ${verdict}${s?.errorOutput?.reason ? ` (${s.errorOutput.reason})` : ''}${targets ? `; targets: ${targets}` : ''}`;
}
