/**
 * What every engine compiler shares: the input (a fault step and who it selects), the output (one
 * object with its reference), and the selection written the Chaos Mesh way.
 */

import type { KObject } from '../../kube/client.js';
import type { ObjectRef } from '../../kube/types.js';
import type { KubernetesSpec } from '../../spec/kubernetes.js';
import type { FaultStep, SelectionMode, Selector } from '../../spec/schema.js';
import { UserError } from '../../util/errors.js';
import type { ParamReader, Params } from './params.js';

export interface PodName {
  namespace: string;
  name: string;
}

/**
 * Who an object selects. A run resolves and selects the pods itself (seeded, policy-checked, shown by
 * dry runs) and names them; an export keeps the step's selector and mode for the engine to apply.
 */
export type Selection =
  | { pods: PodName[] }
  | { selector: Selector | undefined; mode: SelectionMode; value: number | undefined; names?: undefined; pods?: undefined };

export interface CompileInput {
  fault: string;
  params: Params;
  step: FaultStep;
  /** `spec.method[0] (slow-payments)`, for messages */
  where: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  selection: Selection;
  /** export: the engine's own duration; run: null (faultline owns the duration and deletes the object) */
  durationMs: number | null;
  /** a run: the object carries the dead-man bound as the engine's own end (timing.ts) */
  deadMan?: boolean;
  kubernetes: Partial<KubernetesSpec>;
  /** the experiment's name (Litmus service account default) */
  experiment: string;
}

export interface Compiled {
  ref: ObjectRef;
  body: KObject;
  /** `NetworkChaos delay 300ms`: what the object does, for dry runs and reports */
  summary: string;
  /** the engine acts once (pod-kill): the object is done when injected */
  oneShot: boolean;
}

export function isPodSelection(s: Selection): s is { pods: PodName[] } {
  return s.pods !== undefined;
}

/** Pod names grouped by namespace: `{ shop: [a, b] }`. */
export function podsByNamespace(pods: readonly PodName[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of pods) (out[p.namespace] ??= []).push(p.name);
  return out;
}

/** Chaos Mesh's `selector`, `mode` and `value` for a selection. */
export function chaosMeshSelection(selection: Selection, namespace: string): KObject {
  if (isPodSelection(selection)) return { selector: { pods: podsByNamespace(selection.pods) }, mode: 'all' };
  const s = selection.selector ?? {};
  const selector: KObject = {};
  if (s.namespaces && !(s.namespaces.length === 1 && s.namespaces[0] === namespace)) selector.namespaces = s.namespaces;
  const labels = { ...s.labels, ...s.labelSelectors };
  if (Object.keys(labels).length) selector.labelSelectors = labels;
  if (s.fieldSelectors) selector.fieldSelectors = s.fieldSelectors;
  if (s.annotationSelectors) selector.annotationSelectors = s.annotationSelectors;
  if (s.podPhaseSelectors) selector.podPhaseSelectors = s.podPhaseSelectors;
  const pods: Record<string, string[]> = { ...s.pods };
  if (s.names) pods[namespace] = [...(pods[namespace] ?? []), ...s.names];
  if (Object.keys(pods).length) selector.pods = pods;
  return {
    selector,
    mode: selection.mode,
    ...(selection.value === undefined ? {} : { value: String(selection.value) }),
  };
}

/**
 * faultline's http.abort on the request answers without contacting the service; an engine that can only
 * rewrite the service's response would let the request run (a POST would take effect), so that is refused
 * unless the step says `target: Response`.
 */
export function refuseAnswerOnRequest(p: ParamReader, input: CompileInput, engine: string): void {
  if ((p.string(['target']) ?? 'Request') === 'Request') {
    throw new UserError(
      `${input.where}: http.abort answering with a status on the request cannot run on ${engine}: it can only replace the status of the service's response, so the request would reach the service and run; set target: Response to accept that, or abort: true to drop the request unanswered`,
    );
  }
}
