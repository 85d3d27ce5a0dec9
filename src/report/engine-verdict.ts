/** One line for what an engine concluded of a fault it carried out: `Litmus: Completed, verdict Pass, probes 100% (2 probes: ...)`. */
import type { EngineVerdict } from '../faults/types.js';

export function engineVerdictLine(v: EngineVerdict): string {
  const percent = v.probeSuccessPercentage === null ? '' : `, probe success ${v.probeSuccessPercentage}%`;
  const probes = v.probes.length ? `; its probes: ${v.probes.map((p) => `${p.name} ${p.verdict}`).join(', ')}` : '';
  const reason = v.reason ? ` (${v.reason})` : '';
  return `Litmus ChaosResult ${v.result}: ${v.phase}, verdict ${v.verdict}${percent}${reason}${probes}`;
}
