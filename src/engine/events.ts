/** What a run tells its observers while it goes (the CLI's progress line, later the daemon's live events). */

import type { Sample } from '../probes/sample.js';
import type { TimelineEvent } from '../report/types.js';

export type RunEvent =
  | { type: 'timeline'; event: TimelineEvent }
  | { type: 'sample'; sample: Sample }
  | { type: 'step'; index: number; total: number; name: string; endsAt: number | null }
  | { type: 'phase'; phase: 'before' | 'during' | 'after' | 'done' };

export type RunListener = (event: RunEvent) => void;

/** The run's timeline: every event is kept for the report and passed on to listeners. */
export class Timeline {
  readonly events: TimelineEvent[] = [];
  constructor(private readonly listener: RunListener = () => {}) {}

  add(event: string, detail: string, at: number = Date.now()): void {
    const entry = { t: new Date(at).toISOString(), event, detail };
    this.events.push(entry);
    this.listener({ type: 'timeline', event: entry });
  }

  emit(event: RunEvent): void {
    this.listener(event);
  }
}
