/**
 * The Markdown report: the classic chaos experiment write-up (hypothesis, results, latency, tolerances,
 * faults, probes, timeline) with observations generated from the data, for a PR comment or a wiki page.
 */
import { formatWindow } from '../measure/slo.js';
import {
  formatDuration,
  formatFigure,
  formatLatency,
  formatMttr,
  formatNumber,
  formatPercent,
  formatTimed,
  formatToleranceActual,
  OBJECTIVE_STATUS_TEXT,
} from '../util/format.js';
import { engineVerdictLine } from './engine-verdict.js';
import { registerReportFormat } from './registry.js';
import type { PhaseLatency, ReportFault, ReportProgressiveStage, RunReport, Verdict } from './types.js';

const VERDICT_ICON: Record<Verdict, string> = {
  passed: '✅',
  failed: '❌',
  aborted: '⚠️',
  error: '💥',
  interrupted: '⏹️',
};

/** Text safe in a table cell: inline escapes, pipes as `\|`, line breaks as `<br>`. */
export function escapeMarkdownCell(text: string): string {
  return escapeInline(text)
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * Text safe inline (headings, list items, cells): no code spans, no stray escapes, no HTML tags or
 * entities; `<` and `&` are escaped only where they would start markup, so `>= 0.99` stays readable.
 */
function escapeInline(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/`/g, '\\`')
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

/** One line of inline text: line breaks become spaces. */
function oneLine(text: string): string {
  return escapeInline(text).replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ');
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** Time of `t` relative to `startedAt`, e.g. `+1.25s`; the raw text when either is not a date. */
export function formatOffset(t: string | null, startedAt: string): string {
  if (t === null) return '-';
  const ms = Date.parse(t) - Date.parse(startedAt);
  if (!Number.isFinite(ms)) return t;
  return `${ms < 0 ? '-' : '+'}${(Math.abs(ms) / 1000).toFixed(2)}s`;
}

const percent = formatPercent;
const timed = formatTimed;

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function latencyRow(phase: string, l: PhaseLatency): string[] {
  return [phase, formatLatency(l.p50), formatLatency(l.p95), formatLatency(l.p99), String(l.n)];
}

function notReverted(f: ReportFault): boolean {
  return f.injectedAt !== null && f.revertedAt === null;
}

function observations(r: RunReport): string[] {
  const m = r.measurements;
  const interval = m.probeIntervalMs === null ? '' : ` (± ${formatDuration(m.probeIntervalMs)}, one probe interval)`;
  const out: string[] = [];
  const injected = r.faults.filter((f) => f.injectedAt !== null);

  const verdictLine: Record<Verdict, string> = {
    passed: 'The hypothesis held: the steady state stayed within its tolerances.',
    failed: `The hypothesis was refuted: ${oneLine(r.reason.replace(/^hypothesis refuted: /, ''))}.`,
    aborted: `The run was aborted before the end: ${oneLine(r.reason)}.`,
    error: `The run ended in error, so the hypothesis was not tested: ${oneLine(r.reason)}.`,
    interrupted: `The run was interrupted: ${oneLine(r.reason)}.`,
  };
  out.push(verdictLine[r.verdict]);

  if (injected.length === 0) {
    out.push('No fault was injected, so MTTD and MTTR were not measured.');
  } else if (m.mttdMs !== null) {
    const d = formatDuration(m.mttdMs);
    out.push(`MTTD was ${d}: the first failing sample came ${d} after the first fault${interval}.`);
  } else {
    out.push('No steady-state sample failed after the first fault: the faults went undetected by the probes.');
  }
  out.push(...monitoringObservations(r));

  if (m.mttrMs === null && m.mttdMs === null && injected.length) {
    out.push('MTTR is not applicable: no steady-state sample failed, so there was nothing to recover from.');
  }
  if (m.mttrMs !== null) {
    const d = formatDuration(m.mttrMs);
    out.push(`MTTR was ${d}: the first of ${m.recoverySamples} consecutive good samples came ${d} after the last fault ended${interval}.`);
  } else if (m.mttdMs !== null) {
    const lastRevert = Math.max(
      ...r.faults.map((f) => (f.revertedAt === null ? Number.NaN : Date.parse(f.revertedAt))).filter(Number.isFinite),
    );
    const window = Date.parse(r.endedAt) - lastRevert;
    const within = Number.isFinite(window) ? `within ${formatDuration(window)} of the last fault ending` : 'before the run ended';
    out.push(`The system did not recover ${within}: no ${m.recoverySamples} consecutive good samples were seen.`);
  }

  if (m.availability !== null) {
    const good = Math.round(m.availability * m.samplesByPhase.during);
    const byPhase = m.availabilityByPhase;
    out.push(
      `Availability during the faults was ${percent(m.availability)} (${good} of ${m.samplesByPhase.during} samples good); ` +
        `before ${percent(byPhase.before)}, after ${percent(byPhase.after)}.`,
    );
  }

  const before = m.latencyMs.before.p95;
  const during = m.latencyMs.during.p95;
  if (before !== null && during !== null && before > 0 && during / before >= 1.5) {
    out.push(
      `p95 latency rose from ${formatDuration(before)} before to ${formatDuration(during)} during the faults (×${(during / before).toFixed(1)}).`,
    );
  }

  for (const t of r.tolerances.filter((t) => !t.ok)) {
    out.push(
      `Tolerance \`${oneLine(t.name)} ${oneLine(t.expected)}\` was broken: measured ${formatToleranceActual(t)} over ${t.n} samples.`,
    );
  }
  for (const p of r.probes.filter((p) => p.failed > 0)) {
    const last = p.lastFailure ? `; last failure: ${oneLine(p.lastFailure)}` : '';
    out.push(`Probe ${oneLine(p.name)} failed ${p.failed} of ${p.samples} samples${last}.`);
  }

  for (const f of r.faults.filter((f) => f.error !== null && !notReverted(f))) {
    out.push(`Fault ${oneLine(f.fault)} (step ${oneLine(f.step)}) on ${oneLine(f.target)} reported an error: ${oneLine(f.error ?? '')}.`);
  }
  const unreverted = r.faults.filter(notReverted);
  if (unreverted.length === 0) {
    if (injected.length > 0) out.push('No fault failed to revert.');
  } else {
    out.push(`${unreverted.length} fault(s) failed to revert; check the targets by hand:`);
    for (const f of unreverted) {
      const why = f.error ? `: ${oneLine(f.error)}` : '';
      out.push(`  - ${oneLine(f.fault)} (step ${oneLine(f.step)}) on ${oneLine(f.target)}${why}`);
    }
  }

  const file = r.experiment.file === null ? 'EXPERIMENT.yaml' : shellQuote(r.experiment.file);
  out.push(`Seed ${r.seed}: replay the same random choices with \`faultline run ${file} --seed ${r.seed}\`.`);
  return out.map((line) => (line.startsWith('  - ') ? line : `- ${line}`));
}

const STAGE_ICON: Record<ReportProgressiveStage['outcome'], string> = {
  held: '✅ held',
  broke: '❌ broke',
  inconclusive: '❔ inconclusive',
  aborted: '⚠️ aborted',
  skipped: '➖ skipped',
  'not-run': '· not run',
};

/** Progressive steps: each stage's intensity and outcome, and how far the system held. */
function progressiveSection(r: RunReport): string[] {
  if (!r.progressive?.length) return [];
  return [
    '## Progressive chaos',
    ...r.progressive.flatMap((p) => {
      const total = p.stages.length;
      const held =
        p.heldUpTo === null ? 'No stage held.' : `The system held up to stage ${p.heldUpToIndex} of ${total} (${oneLine(p.heldUpTo)}).`;
      const stopped = p.stoppedAt === null ? '' : ` Escalation stopped at ${oneLine(p.stoppedAt)}.`;
      return [
        `**${oneLine(p.step)}** (${oneLine(p.fault)}, \`${oneLine(p.path)}\`): ${held}${stopped}`,
        table(
          ['Stage', 'Selection', 'Params', 'Held', 'Targets', 'Samples', 'Outcome', 'Measured'],
          p.stages.map((s) => [
            `${s.index}. ${s.name}${s.required ? '' : ' (optional)'}`,
            s.value === undefined ? s.mode : `${s.mode} ${s.value}`,
            JSON.stringify(s.params ?? {}),
            formatDuration(s.durationMs),
            s.targets.length ? s.targets.join(', ') : '-',
            String(s.samples),
            STAGE_ICON[s.outcome],
            s.tolerances.length ? s.tolerances.map((t) => `${t.name} ${formatToleranceActual(t)} (${t.expected})`).join('; ') : '-',
          ]),
        ),
      ];
    }),
  ];
}

/** `HighErrorRate (firing), ...`: each alert name once, with its statuses. */
function alertNames(r: RunReport): string {
  const byName = new Map<string, Set<string>>();
  for (const a of r.alerts ?? []) byName.set(a.name, (byName.get(a.name) ?? new Set()).add(a.status));
  return byName.size === 0 ? '-' : [...byName].map(([name, statuses]) => `${name} (${[...statuses].join(', ')})`).join(', ');
}

function sloAndDataLossRows(r: RunReport): string[][] {
  const rows: string[][] = [];
  const slo = r.measurements.slo;
  if (slo) {
    const of = `of the ${formatWindow(slo.windowMs)} budget at ${formatNumber(slo.objective * 100)}%`;
    rows.push(['Error budget consumed', `${percent(slo.errorBudgetConsumed)} ${of} (events: ${percent(slo.errorBudgetConsumedByEvents)})`]);
    const counts = `${slo.badSamples} bad of ${slo.samples} samples, downtime ${formatDuration(slo.downtimeMs)}`;
    rows.push(['Burn rate', `${formatNumber(slo.burnRate)} (${counts})`]);
  }
  const loss = r.dataLoss;
  if (loss) {
    const counts = `${loss.written} written, ${loss.indeterminate} indeterminate`;
    rows.push(['Lost writes', `${loss.lost} of ${loss.acknowledged} acknowledged (${counts})`]);
    rows.push(['Observed RPO', loss.rpoMs === null ? '-' : `${formatDuration(loss.rpoMs)} ± ${formatDuration(loss.rpoResolutionMs)}`]);
  }
  return rows;
}

function monitoringObservations(r: RunReport): string[] {
  const out: string[] = [];
  const m = r.measurements;
  if (m.mttdAlertMs !== undefined && m.mttdAlertMs !== null) {
    const names = oneLine(alertNames(r));
    out.push(`Monitoring paged: the first alert (${names}) arrived ${formatDuration(m.mttdAlertMs)} after the first fault.`);
  }
  if (m.slo?.errorBudgetConsumed != null) {
    out.push(
      `The run used ${percent(m.slo.errorBudgetConsumed)} of the ${formatWindow(m.slo.windowMs)} error budget (${formatDuration(m.slo.downtimeMs)} of downtime against ${formatDuration(m.slo.budgetMs)}), burn rate ${formatNumber(m.slo.burnRate)}.`,
    );
  }
  const loss = r.dataLoss;
  if (loss && loss.lost > 0) {
    const seqs = loss.lostSeqs.join(', ') + (loss.lost > loss.lostSeqs.length ? ', ...' : '');
    const rpo = loss.rpoMs === null ? '' : `; observed RPO ${formatDuration(loss.rpoMs)}`;
    out.push(`Data was lost: ${loss.lost} acknowledged writes are missing (seq ${seqs})${rpo}.`);
  } else if (loss) {
    out.push(`No acknowledged write was lost: ${loss.acknowledged} acknowledged writes were read back.`);
  }
  return out;
}

/** `spec.objectives`, one row each: an unknown objective is shown as such, never as met. */
function objectivesSection(r: RunReport): string[] {
  if (!r.objectives) return [];
  return [
    '## Objectives',
    r.objectives.length === 0
      ? '_No objectives were declared._'
      : table(
          ['Objective', 'Expected', 'Measured', 'Status', 'Detail'],
          r.objectives.map((o) => [o.name, o.expected, formatFigure(o.unit, o.actual), OBJECTIVE_STATUS_TEXT[o.status], o.detail]),
        ),
  ];
}

export function renderMarkdown(r: RunReport): string {
  const m = r.measurements;
  const interval = m.probeIntervalMs;
  const duration = formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt));
  const mttr = formatMttr(m);
  const parts: string[] = [
    `# Chaos experiment: ${oneLine(r.experiment.name)} — ${VERDICT_ICON[r.verdict]} ${r.verdict.toUpperCase()}`,
    [
      `- Run: \`${r.runId.replace(/`/g, '')}\``,
      `- File: ${r.experiment.file === null ? '-' : oneLine(r.experiment.file)}`,
      `- Started: ${oneLine(r.startedAt)}, ended: ${oneLine(r.endedAt)} (${duration})`,
      `- Seed: ${r.seed}`,
      `- Targets: ${r.targets.length === 0 ? '-' : r.targets.map(oneLine).join(', ')}`,
    ].join('\n'),
    '## Hypothesis',
    r.hypothesis.trim() === ''
      ? '_No hypothesis was stated._'
      : r.hypothesis
          .trim()
          .split(/\r\n|\r|\n/)
          .map((l) => `> ${escapeInline(l).replace(/^>/, '\\>')}`)
          .join('\n'),
    '## Results',
    table(
      ['Metric', 'Value'],
      [
        ['Verdict', `${VERDICT_ICON[r.verdict]} ${r.verdict}`],
        ['Reason', r.reason],
        ['MTTD', timed(m.mttdMs, interval)],
        ['MTTD (alert)', m.mttdAlertMs === undefined || m.mttdAlertMs === null ? '-' : formatDuration(m.mttdAlertMs)],
        ['Alerts', alertNames(r)],
        ['MTTR', mttr],
        ['Availability (during)', percent(m.availability)],
        ['Samples during', String(m.samplesByPhase.during)],
        ...sloAndDataLossRows(r),
      ],
    ),
    '## Latency',
    table(
      ['Phase', 'p50', 'p95', 'p99', 'n'],
      [latencyRow('before', m.latencyMs.before), latencyRow('during', m.latencyMs.during), latencyRow('after', m.latencyMs.after)],
    ),
    '## Steady-state tolerances',
    r.tolerances.length === 0
      ? '_No tolerances were declared._'
      : table(
          ['Name', 'Expected', 'Actual', 'OK', 'n'],
          r.tolerances.map((t) => [t.name, t.expected, formatToleranceActual(t), t.ok ? '✅' : '❌', String(t.n)]),
        ),
    ...objectivesSection(r),
    '## Faults',
    r.faults.length === 0
      ? '_No faults were planned._'
      : table(
          ['Step', 'Fault', 'Target', 'Injected', 'Reverted', 'Error'],
          r.faults.map((f) => [
            f.step,
            [f.description ? `${f.fault} (${f.description})` : f.fault, f.engine ? engineVerdictLine(f.engine) : '']
              .filter(Boolean)
              .join('<br>'),
            f.target,
            formatOffset(f.injectedAt, r.startedAt),
            notReverted(f) ? '⚠️ not reverted' : formatOffset(f.revertedAt, r.startedAt),
            f.error ?? '-',
          ]),
        ),
    ...progressiveSection(r),
    '## Probes',
    r.probes.length === 0
      ? '_No probes were declared._'
      : table(
          ['Name', 'Type', 'Mode', 'Samples', 'OK', 'Failed', 'Last failure'],
          r.probes.map((p) => [p.name, p.type, p.mode, String(p.samples), String(p.ok), String(p.failed), p.lastFailure ?? '-']),
        ),
    '## Timeline',
    r.timeline.length === 0
      ? '_No events were recorded._'
      : table(
          ['Time', 'Event', 'Detail'],
          r.timeline.map((e) => [formatOffset(e.t, r.startedAt), e.event, e.detail === '' ? '-' : e.detail]),
        ),
    '## Observations',
    observations(r).join('\n'),
  ];
  return `${parts.join('\n\n')}\n`;
}

registerReportFormat({
  name: 'md',
  order: 2,
  extension: 'md',
  summary: 'a Markdown write-up with tables and observations',
  render: renderMarkdown,
});
