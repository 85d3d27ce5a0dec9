/**
 * Alerts that reach a run from the outside (Alertmanager webhooks, later others). A receiver
 * publishes into an AlertHub; a run subscribes to it, records each alert, measures time to detect by
 * alert, and trips `stopWhen: [{ alert: NAME }]` conditions.
 */
export interface ReceivedAlert {
  /** the alert's name (`alertname` label for Alertmanager) */
  name: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  /** when faultline received it, epoch ms */
  receivedAt: number;
}

export type AlertListener = (alert: ReceivedAlert) => void;

export interface AlertFeed {
  subscribe(listener: AlertListener): () => void;
}

export class AlertHub implements AlertFeed {
  private readonly listeners = new Set<AlertListener>();

  subscribe(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(alert: ReceivedAlert): void {
    for (const listener of this.listeners) listener(alert);
  }
}

/** `*` matches any alert name. */
export function alertMatches(pattern: string, alert: ReceivedAlert): boolean {
  return alert.status === 'firing' && (pattern === '*' || pattern === alert.name);
}
