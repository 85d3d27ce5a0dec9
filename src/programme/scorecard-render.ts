/**
 * The scorecard as text for a terminal, JSON for machines, Markdown for a wiki, and HTML: the monthly
 * report a team prints (one self-contained page, no script). Figures go through the one formatter.
 */
import { escapeHtml } from '../report/chart.js';
import { formatDuration, formatPercent } from '../util/format.js';
import type { ExperimentScore, Percentiles, Scorecard } from './scorecard.js';

export const SCORECARD_FORMATS = ['table', 'json', 'md', 'html'] as const;
export type ScorecardFormat = (typeof SCORECARD_FORMATS)[number];

const p = (x: Percentiles) => (x.n === 0 ? '-' : `${formatDuration(x.p50)} / ${formatDuration(x.p90)} (n=${x.n})`);

function trend(e: ExperimentScore): string {
  const change = e.trend.passRateChange;
  if (change === null) return e.trend.previousRuns === 0 ? 'new' : '-';
  if (Math.abs(change) < 0.005) return '= same';
  return `${change > 0 ? '▲ +' : '▼ '}${formatPercent(change)}`;
}

const score = (s: Scorecard) => (s.resilienceScore === null ? '-' : `${s.resilienceScore} / 100`);

const HEADER = ['experiment', 'runs', 'pass rate', 'last verdict', 'MTTD p50 / p90', 'MTTR p50 / p90', 'objectives met', 'trend'];

function rows(s: Scorecard): string[][] {
  return s.experiments.map((e) => [
    e.name,
    String(e.runs),
    e.passRate === null ? '-' : `${formatPercent(e.passRate)} (${e.passed}/${e.judged})`,
    e.lastVerdict ?? '-',
    p(e.mttdMs),
    p(e.mttrMs),
    formatPercent(e.objectivesMet),
    trend(e),
  ]);
}

function coverageRows(s: Scorecard): string[][] {
  const { families, targets, cells } = s.coverage;
  return targets.map((t) => [t, ...families.map((f) => String(cells.find((c) => c.family === f && c.target === t)?.runs ?? '-'))]);
}

const periodText = (s: Scorecard) => `${s.period.since.slice(0, 10)} to ${s.period.until.slice(0, 10)}`;

function textTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}

function renderTable(s: Scorecard): string {
  const out = [`scorecard ${periodText(s)}: ${s.runs} runs, resilience score ${score(s)}`, ''];
  out.push(s.experiments.length ? textTable(HEADER, rows(s)) : 'no run in this period');
  if (s.notRun.length) out.push('', `not run in this period: ${s.notRun.join(', ')}`);
  if (s.coverage.cells.length)
    out.push('', 'coverage (runs per fault family and target):', textTable(['target', ...s.coverage.families], coverageRows(s)));
  return `${out.join('\n')}\n`;
}

function mdTable(header: string[], body: string[][]): string {
  const cell = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function renderMarkdown(s: Scorecard): string {
  const parts = [
    `# Chaos scorecard, ${periodText(s)}`,
    `- Runs: ${s.runs}\n- Resilience score: ${score(s)}\n- Compared with: ${s.previousPeriod.since.slice(0, 10)} to ${s.previousPeriod.until.slice(0, 10)}`,
    '## Experiments',
    s.experiments.length ? mdTable(HEADER, rows(s)) : '_No run in this period._',
  ];
  if (s.notRun.length) parts.push(`Not run in this period: ${s.notRun.join(', ')}.`);
  parts.push(
    '## Coverage',
    s.coverage.cells.length ? mdTable(['target', ...s.coverage.families], coverageRows(s)) : '_No fault was injected._',
  );
  return `${parts.join('\n\n')}\n`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse;margin:8px 0 20px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f4f6}.score{font-size:28px;font-weight:600}
.bar{display:inline-block;height:8px;background:#15803d;vertical-align:middle;margin-right:6px}@media print{body{margin:0}}`;

function htmlTable(header: string[], body: string[][], bars?: (number | null)[]): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const tr = body.map((r, i) => {
    const cells = r.map((c, j) => {
      const bar = j === 2 && bars?.[i] != null ? `<span class="bar" style="width:${Math.round((bars[i] as number) * 80)}px"></span>` : '';
      return `<td>${bar}${escapeHtml(c)}</td>`;
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<table><thead>${head}</thead><tbody>${tr.join('')}</tbody></table>`;
}

function renderHtml(s: Scorecard): string {
  const title = `Chaos scorecard, ${periodText(s)}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p><span class="score" id="resilience-score">${escapeHtml(score(s))}</span> resilience score over ${s.runs} runs
(previous period ${escapeHtml(s.previousPeriod.since.slice(0, 10))} to ${escapeHtml(s.previousPeriod.until.slice(0, 10))})</p>
<h2>Experiments</h2>
${
  s.experiments.length
    ? htmlTable(
        HEADER,
        rows(s),
        s.experiments.map((e) => e.passRate),
      )
    : '<p>No run in this period.</p>'
}
${s.notRun.length ? `<p>Not run in this period: ${escapeHtml(s.notRun.join(', '))}.</p>` : ''}
<h2>Coverage</h2>
${s.coverage.cells.length ? htmlTable(['target', ...s.coverage.families], coverageRows(s)) : '<p>No fault was injected.</p>'}
<p><small>Generated ${escapeHtml(s.generatedAt)} by faultline. Definitions: docs/objectives-and-scorecards.md.</small></p>
</body></html>
`;
}

const RENDERERS: Record<ScorecardFormat, (s: Scorecard) => string> = {
  table: renderTable,
  json: (s) => `${JSON.stringify(s, null, 2)}\n`,
  md: renderMarkdown,
  html: renderHtml,
};

export function renderScorecard(s: Scorecard, format: ScorecardFormat): string {
  return RENDERERS[format](s);
}
