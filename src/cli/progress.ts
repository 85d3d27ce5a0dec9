/**
 * Progress while a run goes: on a TTY, the important timeline events as lines and one status line
 * (phase, step, time left, probe health) redrawn in place; when not a TTY, nothing until the summary.
 */
import type { RunEvent } from '../engine/events.js';
import { formatDuration } from '../util/duration.js';
import { color } from './output.js';

const SHOWN_EVENTS = new Set([
  'step',
  'injected',
  'reverted',
  'inject-failed',
  'revert-failed',
  'stop-condition',
  'probe-failed',
  'recovered',
  'rollback-failed',
  'guard-refused',
  'guard-warning',
  'halted',
  'stalled',
  'alert',
  'step-skipped',
  'teardown-failed',
  'EOT-probe',
]);

export class Progress {
  private phase = 'before';
  private step = '';
  private stepEndsAt: number | null = null;
  private readonly health = new Map<string, { ok: number; total: number; last: boolean }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly stream = process.stderr;
  readonly enabled: boolean;

  constructor(
    private readonly experiment: string,
    enabled = Boolean(process.stderr.isTTY),
  ) {
    this.enabled = enabled;
    if (this.enabled) this.timer = setInterval(() => this.draw(), 250);
  }

  readonly listener = (event: RunEvent): void => {
    if (!this.enabled) return;
    if (event.type === 'phase') this.phase = event.phase;
    else if (event.type === 'step') {
      this.step = `${event.index + 1}/${event.total} ${event.name}`;
      this.stepEndsAt = event.endsAt;
    } else if (event.type === 'sample') {
      const h = this.health.get(event.sample.probe) ?? { ok: 0, total: 0, last: true };
      h.total++;
      if (event.sample.ok) h.ok++;
      h.last = event.sample.ok;
      this.health.set(event.sample.probe, h);
    } else if (event.type === 'timeline' && SHOWN_EVENTS.has(event.event.event)) {
      this.clear();
      this.stream.write(`${color.dim(event.event.t.slice(11, 23))} ${event.event.event.padEnd(14)} ${event.event.detail}\n`);
      this.draw();
    }
  };

  private clear(): void {
    this.stream.write('\r\u001b[2K');
  }

  private draw(): void {
    const left = this.stepEndsAt ? ` · ${formatDuration(Math.max(0, this.stepEndsAt - Date.now()))} left` : '';
    const probes = [...this.health.entries()]
      .map(([name, h]) => `${name} ${h.last ? 'ok' : 'FAILING'} ${Math.round((100 * h.ok) / h.total)}%`)
      .join(' · ');
    // plain text, cut to the terminal's width so the line never wraps (a wrapped line cannot be redrawn in place)
    const line = `${this.experiment} [${this.phase}] ${this.step}${left}  ${probes}`;
    this.clear();
    this.stream.write(line.slice(0, (this.stream.columns || 120) - 1));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.enabled) this.clear();
  }
}
