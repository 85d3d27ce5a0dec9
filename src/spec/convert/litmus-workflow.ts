/**
 * Litmus workflows (what ChaosCenter runs, and the chaos-charts `workflows/` of ChaosHub): Argo Workflows
 * whose entry template lists steps, an outer list run one group after the other and each inner list run
 * together. A fault step's template carries a ChaosEngine, as the raw data of an input artifact that the
 * litmus-checker container applies and waits for (`-file=/tmp/chaosengine.yaml`), or as the manifest of an
 * Argo `resource` template; a `suspend` template waits. The other templates set things up around the chaos
 * (installing the application or the ChaosExperiments, a load test, reverting): faultline applies and removes
 * its engines itself, so those are noted, not imported.
 *
 * So Litmus's parallel experiments are faultline's parallel groups, both ways: `importLitmusWorkflow` reads
 * such a Workflow into an experiment, and `litmusWorkflowOf` writes an experiment of several steps as one.
 */

import { goDuration, toMs } from '../../backends/kubernetes/params.js';
import { parse, stringify } from '../../util/yaml.js';
import { withLitmusProbes } from './litmus-probes.js';
import { Skip } from './skip.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form
type Doc = Record<string, any>;

/** The container that applies a ChaosEngine and waits for its verdict, as ChaosCenter's workflows run it. */
const LITMUS_CHECKER_IMAGE = 'litmuschaos/litmus-checker:3.18.0';
/** The service account ChaosCenter gives the workflows it runs. */
const WORKFLOW_SERVICE_ACCOUNT = 'argo-chaos';

// ---------- import ----------

/** `{{workflow.parameters.NAME}}` replaced by the value the Workflow gives it. */
function withParameters(text: string, workflow: Doc, notes: string[], where: string): string {
  const values = new Map<string, string>(
    ((workflow.spec?.arguments?.parameters ?? []) as Doc[]).map((p) => [String(p.name), String(p.value ?? '')]),
  );
  return text.replace(/\{\{\s*workflow\.parameters\.([\w-]+)\s*\}\}/g, (whole, name: string) => {
    if (values.has(name)) return values.get(name) as string;
    notes.push(`${where}: ${whole} has no value in spec.arguments.parameters; left as written`);
    return whole;
  });
}

/** The ChaosEngine a template applies, if it applies one. */
function engineOf(template: Doc, workflow: Doc, notes: string[]): Doc | null {
  const texts = [...((template.inputs?.artifacts ?? []) as Doc[]).map((a) => a.raw?.data), template.resource?.manifest].filter(
    (t): t is string => typeof t === 'string',
  );
  for (const text of texts) {
    let doc: unknown;
    try {
      doc = parse(withParameters(text, workflow, notes, `template ${template.name}`));
    } catch (error) {
      throw new Skip(`template ${template.name}: its manifest is not YAML (${(error as Error).message.split('\n')[0]})`);
    }
    if (doc && typeof doc === 'object' && (doc as Doc).kind === 'ChaosEngine') return doc as Doc;
  }
  return null;
}

/**
 * A Litmus workflow as a faultline experiment: each group of steps in order, the ChaosEngines of a group
 * that runs several as one parallel group, a `suspend` as a pause, the set-up templates noted.
 */
export function importLitmusWorkflow(workflow: Doc, notes: string[], importEngine: (engine: Doc, notes: string[]) => Doc): Doc {
  const templates = new Map<string, Doc>(((workflow.spec?.templates ?? []) as Doc[]).map((t) => [t.name, t]));
  const entry = templates.get(workflow.spec?.entrypoint);
  if (!entry) throw new Skip(`spec.entrypoint ${JSON.stringify(workflow.spec?.entrypoint)} names no template`);
  if (!Array.isArray(entry.steps)) {
    throw new Skip(
      `template ${entry.name} is ${entry.dag ? 'a DAG' : 'not a list of steps'}; faultline imports Litmus workflows whose entry lists steps (groups in order, each group together)`,
    );
  }
  const method: Doc[] = [];
  const probes: Doc[] = [];
  let first: Doc | null = null;
  (entry.steps as Doc[][]).forEach((group, g) => {
    const members: Doc[] = [];
    for (const step of Array.isArray(group) ? group : [group]) {
      const template = templates.get(step.template);
      if (!template) throw new Skip(`step ${step.name}: template ${step.template} is missing`);
      if (step.when) notes.push(`step ${step.name}: its condition when: ${step.when} is not kept (the step always runs)`);
      if (template.suspend) {
        const ms = toMs(String(template.suspend.duration ?? ''));
        if (ms === null)
          throw new Skip(`template ${template.name}: a suspend without a duration waits for a person; faultline pauses for a time`);
        members.push({ name: step.name, pause: goDuration(ms) });
        continue;
      }
      if (template.steps || template.dag) {
        throw new Skip(`template ${template.name}: nested step lists are not imported; list its steps in ${entry.name}`);
      }
      const engine = engineOf(template, workflow, notes);
      if (!engine) {
        notes.push(
          `step ${step.name} (template ${template.name}) applies no ChaosEngine: not imported (faultline applies and removes its engines itself; install the ChaosExperiments and the application as before)`,
        );
        continue;
      }
      const engineNotes: string[] = [];
      const imported = importEngine(engine, engineNotes);
      notes.push(...engineNotes.map((n) => `step ${step.name}: ${n}`));
      first ??= imported;
      for (const probe of (imported.spec.probes ?? []) as Doc[]) if (!probes.some((p) => p.name === probe.name)) probes.push(probe);
      // the workflow's step names, unique where the experiments' are not; the pods of an engine in another
      // namespace than the first stay in its namespace
      const namespace = imported.spec.kubernetes?.namespace;
      const steps = (imported.spec.method as Doc[]).map((s, i, all) => {
        const renamed: Doc = { ...s, name: all.length === 1 ? step.name : `${step.name}-${i + 1}` };
        if (namespace !== first?.spec.kubernetes?.namespace && !renamed.selector?.namespaces)
          renamed.selector = { ...renamed.selector, namespaces: [namespace] };
        return renamed;
      });
      members.push({ engineStep: step.name, steps });
    }
    if (members.length === 1) {
      const only = members[0] as Doc;
      method.push(...(only.steps ?? [only]));
    } else if (members.length > 1) {
      const parallel = members.map((m) => {
        if (m.pause !== undefined) throw new Skip(`step ${m.name}: a suspend beside other steps has no faultline equivalent`);
        if (m.steps.length !== 1)
          throw new Skip(
            `step ${m.engineStep}: its ChaosEngine runs ${m.steps.length} experiments one after another beside other steps; faultline's parallel group holds single fault steps (one experiment per ChaosEngine)`,
          );
        return m.steps[0];
      });
      method.push({ name: `group-${g + 1}`, parallel });
    }
  });
  if (!first) throw new Skip('no step of the workflow applies a ChaosEngine');
  const base = first as Doc;
  const name = workflow.metadata?.name ?? String(workflow.metadata?.generateName ?? 'litmus-workflow').replace(/-$/, '');
  const document: Doc = {
    ...base,
    metadata: { name, annotations: { 'faultline.dev/imported-from': `Workflow ${workflow.metadata?.namespace ?? 'default'}/${name}` } },
    spec: { ...base.spec, method },
  };
  withLitmusProbes(document.spec, probes);
  return document;
}

// ---------- export ----------

/** One step of the workflow to write: a ChaosEngine (its template applies it), or a pause. */
export type WorkflowStep = { name: string; engine: Doc } | { name: string; pauseMs: number };

/**
 * An experiment of several steps as a Litmus workflow: `groups` in order, the steps of a group together.
 * Names are the steps' own (made unique by the caller).
 */
export function litmusWorkflowOf(name: string, namespace: string, groups: WorkflowStep[][]): Doc {
  const templates: Doc[] = [];
  const steps = groups.map((group) =>
    group.map((step) => {
      if ('pauseMs' in step) {
        templates.push({ name: step.name, suspend: { duration: goDuration(step.pauseMs) } });
      } else {
        const file = `/tmp/chaosengine-${step.name}.yaml`;
        templates.push({
          name: step.name,
          inputs: { artifacts: [{ name: step.name, path: file, raw: { data: stringify(step.engine) } }] },
          container: { image: LITMUS_CHECKER_IMAGE, args: [`-file=${file}`, '-saveName=/tmp/engine-name'] },
        });
      }
      return { name: step.name, template: step.name };
    }),
  );
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, namespace },
    spec: {
      entrypoint: 'main',
      serviceAccountName: WORKFLOW_SERVICE_ACCOUNT,
      templates: [{ name: 'main', steps }, ...templates],
    },
  };
}
