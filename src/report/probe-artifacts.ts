/**
 * What probes kept with a run beyond their samples: the browser probe's screenshots and console errors
 * of failed samples (`$FAULTLINE_HOME/artifacts/RUN_ID/PROBE-N.png` and `.txt`), embedded in the HTML
 * report so that it stays one self-contained file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir } from '../probes/browser-session.js';
import { escapeHtml } from './chart.js';

/** The last failures shown per probe (the report stays small; the folder keeps the rest). */
const SHOWN = 3;

export function failureScreenshots(runId: string, probe: string): string {
  const dir = artifactsDir(runId);
  if (!existsSync(dir)) return '';
  const pattern = new RegExp(`^${probe.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)\\.png$`);
  const shots = readdirSync(dir)
    .map((file) => ({ file, n: Number(pattern.exec(file)?.[1]) }))
    .filter((s) => Number.isInteger(s.n))
    .sort((a, b) => a.n - b.n)
    .slice(-SHOWN);
  if (!shots.length) return '';
  const figures = shots.map(({ file }) => {
    const image = readFileSync(join(dir, file)).toString('base64');
    const notes = join(dir, file.replace(/\.png$/, '.txt'));
    const caption = existsSync(notes) ? readFileSync(notes, 'utf8') : file;
    return `<figure class="shot"><img alt="${escapeHtml(file)}" src="data:image/png;base64,${image}"><figcaption><pre>${escapeHtml(caption)}</pre></figcaption></figure>`;
  });
  return `<details open><summary>Failed samples: screenshots and console errors (${dir})</summary>\n${figures.join('\n')}</details>`;
}
