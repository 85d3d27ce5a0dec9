/**
 * A FIFO of chunks each released at its own time, with one timer for the whole queue (not one per
 * chunk). Release times never go backwards, so the order of the bytes is kept (jitter never reorders).
 * The end of the stream is queued like a chunk, after everything before it.
 */
/** Where released chunks go (a stage's context). */
export interface Output {
  push(chunk: Buffer): void;
  end(): void;
}

/** The last stretch before a release time, waited with setImmediate rather than a timer (see schedule). */
const FINE_WAIT_MS = 1;

interface Item {
  at: number;
  chunk: Buffer | null; // null: the end of the stream
}

export class TimedQueue {
  private items: Item[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private last = 0;
  buffered = 0;

  constructor(private readonly ctx: Output) {}

  /** The release time of the last item queued (or 0). */
  get lastAt(): number {
    return this.last;
  }

  get isEmpty(): boolean {
    return this.head >= this.items.length;
  }

  /** Queues a chunk (or the end, with null) for `at` (performance.now() time), or at once if the queue is empty and it is due. */
  add(at: number, chunk: Buffer | null): void {
    const when = Math.max(at, this.last);
    this.last = when;
    if (this.isEmpty && when <= performance.now()) {
      this.emit(chunk);
      return;
    }
    this.items.push({ at: when, chunk });
    if (chunk) this.buffered += chunk.length;
    if (this.items.length - this.head === 1) this.schedule();
  }

  /** Releases everything now (the toxic is being removed). */
  flush(): void {
    this.clear();
    const items = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.buffered = 0;
    for (const item of items) this.emit(item.chunk);
  }

  destroy(): void {
    this.clear();
    this.items = [];
    this.head = 0;
    this.buffered = 0;
  }

  private emit(chunk: Buffer | null): void {
    if (chunk) this.ctx.push(chunk);
    else this.ctx.end();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private schedule(): void {
    const next = this.items[this.head];
    if (!next) return;
    this.clear();
    const wait = next.at - performance.now();
    // Node's timers count whole milliseconds from the event loop's cached clock, so they fire up to a
    // millisecond early or late. The timer stops short of the due time, and the last millisecond is
    // waited with setImmediate, which looks again after each turn of the loop (I/O goes on meanwhile).
    if (wait > FINE_WAIT_MS) this.timer = setTimeout(() => this.release(), wait - FINE_WAIT_MS);
    else this.immediate = setImmediate(() => this.release());
  }

  private release(): void {
    this.timer = null;
    this.immediate = null;
    const now = performance.now();
    while (this.head < this.items.length) {
      const item = this.items[this.head] as Item;
      if (item.at > now) break;
      this.head++;
      if (item.chunk) this.buffered -= item.chunk.length;
      this.emit(item.chunk);
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.head < this.items.length) this.schedule();
  }
}
