/**
 * Live events for server-sent events: a channel per run (its timeline, samples, steps, phases, then
 * `end`) and one for the daemon (runs started and ended, schedule occurrences, halts). Each event has a
 * sequence id, so a client that reconnects with Last-Event-ID gets what it missed from the buffer.
 */

export interface BusEvent {
  id: number;
  type: string;
  data: unknown;
}

type Listener = (event: BusEvent) => void;

export class Channel {
  private readonly events: BusEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private seq = 0;
  closed = false;

  constructor(private readonly limit = 20_000) {}

  publish(type: string, data: unknown): void {
    if (this.closed) return;
    const event = { id: ++this.seq, type, data };
    this.events.push(event);
    // a long run keeps its latest events; a client that fell further behind starts from the oldest kept
    if (this.events.length > this.limit) this.events.splice(0, this.events.length - this.limit);
    for (const listener of this.listeners) listener(event);
  }

  /** Ends the channel with a last event; listeners see it, then nothing more. */
  close(type: string, data: unknown): void {
    this.publish(type, data);
    this.closed = true;
    // an event without a type tells a listener that nothing follows
    for (const listener of this.listeners) listener({ id: this.seq, type: '', data: null });
    this.listeners.clear();
  }

  /** the id of the latest event */
  get lastId(): number {
    return this.seq;
  }

  since(lastId: number): BusEvent[] {
    return this.events.filter((e) => e.id > lastId);
  }

  /** Called with every later event; a closed channel calls nothing (replay `since` first). */
  subscribe(listener: Listener): () => void {
    if (this.closed) return () => {};
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export class EventBus {
  readonly daemon = new Channel(1000);
  private readonly runs = new Map<string, Channel>();
  private readonly ended: string[] = [];

  runChannel(runId: string): Channel {
    let channel = this.runs.get(runId);
    if (!channel) {
      channel = new Channel();
      this.runs.set(runId, channel);
    }
    return channel;
  }

  findRun(runId: string): Channel | undefined {
    return this.runs.get(runId);
  }

  /** Closes a run's channel; the latest ended ones stay for late subscribers, older ones are dropped. */
  endRun(runId: string, data: unknown, keep = 20): void {
    this.runs.get(runId)?.close('end', data);
    this.ended.push(runId);
    while (this.ended.length > keep) this.runs.delete(this.ended.shift() as string);
  }
}
