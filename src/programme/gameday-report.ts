/**
 * The game-day report: every stage with who approved it, every experiment's verdict and numbers, the
 * timeline, and the findings and action items people added afterwards. One data shape (`buildGameDayReport`),
 * three renderings: JSON (public keys), Markdown (a wiki page or a PR comment), HTML (a printable page).
 */
import { escapeHtml } from '../report/chart.js';
import { escapeMarkdownCell } from '../report/markdown.js';
import type { RunReport } from '../report/types.js';
import type { GameDayRecord, GameDayStore, Note } from '../store/gameday-store.js';
import { formatDuration, formatMttr, formatPercent } from '../util/format.js';

export const GAMEDAY_REPORT_FORMATS = ['json', 'md', 'html'] as const;
export type GameDayReportFormat = (typeof GAMEDAY_REPORT_FORMATS)[number];

export interface GameDayRunLine {
  runId: string;
  experiment: string;
  verdict: string;
  reason: string;
  mttdMs: number | null;
  mttrMs: number | null;
  probeIntervalMs: number | null;
  availability: number | null;
  /** the run's objectives, judged after it (met, missed, unknown) */
  objectives: { name: string; expected: string; actual: number | null; status: string }[];
}

export interface GameDayReport {
  schemaVersion: 1;
  id: string;
  name: string;
  file: string | null;
  facilitator: string;
  observers: string[];
  status: string;
  reason: string;
  startedAt: string;
  endedAt: string | null;
  stages: {
    number: number;
    name: string;
    status: string;
    approvedBy: string | null;
    approvedAt: string | null;
    startedAt: string | null;
    endedAt: string | null;
    verdict: string | null;
    runs: GameDayRunLine[];
  }[];
  timeline: { t: string; event: string; detail: string }[];
  findings: Note[];
  actionItems: Note[];
}

export function buildGameDayReport(
  record: GameDayRecord,
  notes: readonly Note[],
  reportOf: (runId: string) => RunReport | undefined,
  /** the experiment of a run still going (it has no report yet) */
  experimentOf: (runId: string) => string | undefined = () => undefined,
): GameDayReport {
  const stages = record.stages.map((s) => ({
    number: s.index + 1,
    name: s.name,
    status: s.status,
    approvedBy: s.approvedBy,
    approvedAt: s.approvedAt,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    verdict: s.verdict,
    runs: s.runIds.map((runId): GameDayRunLine => {
      const report = reportOf(runId);
      const m = report?.measurements;
      // a stage that is going lists its runs as they start; their reports come when they end
      const going = !report && s.status === 'running';
      return {
        runId,
        experiment: report?.experiment.name ?? experimentOf(runId) ?? '?',
        verdict: report?.verdict ?? (going ? 'running' : 'unknown'),
        reason: report?.reason ?? (going ? 'running' : 'its report is not in this store'),
        mttdMs: m?.mttdMs ?? null,
        mttrMs: m?.mttrMs ?? null,
        probeIntervalMs: m?.probeIntervalMs ?? null,
        availability: m?.availability ?? null,
        objectives: (report?.objectives ?? []).map((o) => ({ name: o.name, expected: o.expected, actual: o.actual, status: o.status })),
      };
    }),
  }));
  const timeline: GameDayReport['timeline'] = [{ t: record.startedAt, event: 'started', detail: `facilitator ${record.facilitator}` }];
  for (const s of record.stages) {
    const label = `stage ${s.index + 1} (${s.name})`;
    if (s.requestedAt) timeline.push({ t: s.requestedAt, event: 'approval-requested', detail: label });
    if (s.approvedAt) timeline.push({ t: s.approvedAt, event: 'approved', detail: `${label} by ${s.approvedBy}` });
    if (s.startedAt) timeline.push({ t: s.startedAt, event: 'stage-started', detail: label });
    if (s.endedAt) timeline.push({ t: s.endedAt, event: `stage-${s.status}`, detail: `${label}: ${s.detail}` });
  }
  if (record.endedAt) timeline.push({ t: record.endedAt, event: `ended-${record.status}`, detail: record.reason });
  for (const n of notes)
    timeline.push({ t: n.at, event: n.kind === 'finding' ? 'finding' : 'action-item', detail: `${n.author}: ${n.text}` });
  timeline.sort((a, b) => a.t.localeCompare(b.t));
  return {
    schemaVersion: 1,
    id: record.id,
    name: record.name,
    file: record.file,
    facilitator: record.facilitator,
    observers: record.observers,
    status: record.status,
    reason: record.reason,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    stages,
    timeline,
    findings: notes.filter((n) => n.kind === 'finding'),
    actionItems: notes.filter((n) => n.kind === 'action'),
  };
}

/** The report of a stored game day: its notes from the game-day store, its runs' reports from the run store. */
export async function loadGameDayReport(
  record: GameDayRecord,
  gameDays: Pick<GameDayStore, 'notes'>,
  runs: {
    getReport(runId: string): Promise<RunReport | undefined>;
    getRun?(runId: string): Promise<{ experiment: string } | undefined>;
  },
): Promise<GameDayReport> {
  const reports = new Map<string, RunReport>();
  const going = new Map<string, string>();
  for (const runId of record.stages.flatMap((s) => s.runIds)) {
    const report = await runs.getReport(runId);
    if (report) reports.set(runId, report);
    else {
      const row = await runs.getRun?.(runId);
      if (row) going.set(runId, row.experiment);
    }
  }
  return buildGameDayReport(
    record,
    await gameDays.notes(record.id),
    (runId) => reports.get(runId),
    (runId) => going.get(runId),
  );
}

/** `mttd met, rto missed`, or `-` when the run declared none. */
function objectivesText(run: GameDayRunLine): string {
  return run.objectives.length ? run.objectives.map((o) => `${o.name} ${o.status}`).join(', ') : '-';
}

function markdown(r: GameDayReport): string {
  const cell = escapeMarkdownCell;
  const lines = [
    `# Game day ${r.name}: ${r.status.toUpperCase()}`,
    '',
    `${cell(r.reason)}`,
    '',
    `- run: \`${r.id}\`${r.file ? ` (from ${cell(r.file)})` : ''}`,
    `- facilitator: ${cell(r.facilitator)}${r.observers.length ? `; observers: ${cell(r.observers.join(', '))}` : ''}`,
    `- from ${r.startedAt} to ${r.endedAt ?? '(not ended)'}`,
    '',
    '## Stages',
    '',
    '| # | stage | status | approved by | experiment | verdict | objectives | MTTD | MTTR | availability | run |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of r.stages) {
    const head = `| ${s.number} | ${cell(s.name)} | ${s.status} | ${cell(s.approvedBy ?? '-')} |`;
    if (!s.runs.length) lines.push(`${head} - | - | - | - | - | - | - |`);
    for (const run of s.runs) {
      lines.push(
        `${head} ${cell(run.experiment)} | ${run.verdict} | ${cell(objectivesText(run))} | ${formatDuration(run.mttdMs)} | ${formatMttr(run)} | ${formatPercent(run.availability)} | \`${run.runId}\` |`,
      );
    }
  }
  lines.push('', '## Findings', '');
  if (!r.findings.length) lines.push('None recorded yet: `faultline gameday finding ID "TEXT"`.');
  for (const f of r.findings) lines.push(`- **${f.severity ?? 'note'}**: ${cell(f.text)} (${cell(f.author)}, ${f.at})`);
  lines.push('', '## Action items', '');
  if (!r.actionItems.length) lines.push('None recorded yet: `faultline gameday action ID "TEXT" --owner NAME`.');
  for (const a of r.actionItems) {
    lines.push(
      `- [ ] ${cell(a.text)}: owner ${cell(a.owner ?? '-')}${a.due ? `, due ${a.due}` : ''} (added by ${cell(a.author)}, ${a.at})`,
    );
  }
  lines.push('', '## Timeline', '', '| time | event | detail |', '|---|---|---|');
  for (const e of r.timeline) lines.push(`| ${e.t} | ${e.event} | ${cell(e.detail)} |`);
  return `${lines.join('\n')}\n`;
}

function html(r: GameDayReport): string {
  const e = escapeHtml;
  const rows = r.stages.flatMap((s) =>
    (s.runs.length ? s.runs : [null]).map(
      (run) =>
        `<tr><td>${s.number}</td><td>${e(s.name)}</td><td class="${e(s.status)}">${e(s.status)}</td><td>${e(s.approvedBy ?? '-')}</td>` +
        (run
          ? `<td>${e(run.experiment)}</td><td class="${e(run.verdict)}">${e(run.verdict)}</td><td>${e(objectivesText(run))}</td><td>${e(formatDuration(run.mttdMs))}</td><td>${e(formatMttr(run))}</td><td>${e(formatPercent(run.availability))}</td><td><code>${e(run.runId)}</code></td>`
          : '<td colspan="7">not run</td>') +
        '</tr>',
    ),
  );
  const list = (notes: Note[], empty: string, line: (n: Note) => string) =>
    notes.length ? `<ul>${notes.map((n) => `<li>${line(n)}</li>`).join('')}</ul>` : `<p class="empty">${e(empty)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Game day ${e(r.name)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1f2328}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left}
th{background:#f6f8fa}.passed,.done{color:#1a7f37}.failed,.error{color:#cf222e}.aborted,.interrupted,.waiting{color:#9a6700}
.empty{color:#656d76}code{font-size:12px}@media print{body{margin:0}}
</style></head><body>
<h1>Game day ${e(r.name)}: <span class="${e(r.status)}">${e(r.status.toUpperCase())}</span></h1>
<p>${e(r.reason)}</p>
<p>Run <code>${e(r.id)}</code>; facilitator ${e(r.facilitator)}${r.observers.length ? `; observers ${e(r.observers.join(', '))}` : ''}; from ${e(r.startedAt)} to ${e(r.endedAt ?? '(not ended)')}</p>
<h2>Stages</h2>
<table><thead><tr><th>#</th><th>stage</th><th>status</th><th>approved by</th><th>experiment</th><th>verdict</th><th>objectives</th><th>MTTD</th><th>MTTR</th><th>availability</th><th>run</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<h2>Findings</h2>
${list(r.findings, 'None recorded yet.', (f) => `<strong>${e(f.severity ?? 'note')}</strong>: ${e(f.text)} <small>(${e(f.author)}, ${e(f.at)})</small>`)}
<h2>Action items</h2>
${list(r.actionItems, 'None recorded yet.', (a) => `${e(a.text)}: owner ${e(a.owner ?? '-')}${a.due ? `, due ${e(a.due)}` : ''} <small>(added by ${e(a.author)}, ${e(a.at)})</small>`)}
<h2>Timeline</h2>
<table><thead><tr><th>time</th><th>event</th><th>detail</th></tr></thead><tbody>
${r.timeline.map((t) => `<tr><td>${e(t.t)}</td><td>${e(t.event)}</td><td>${e(t.detail)}</td></tr>`).join('\n')}
</tbody></table>
</body></html>
`;
}

export function renderGameDayReport(report: GameDayReport, format: GameDayReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  return format === 'md' ? markdown(report) : html(report);
}
