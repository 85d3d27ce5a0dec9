/**
 * One direction of one connection: the bytes from a source to a sink through the stages of the toxics
 * that apply to this connection.
 *
 *   source --write()--> [stage] -> [stage] -> ... -> sink
 *
 * With no stage and sockets at both ends, the link is a plain `source.pipe(sink)`: the fast path,
 * with Node's own back-pressure. The first stage added unpipes it (synchronously, so no byte is in
 * flight) and the bytes then flow through `write()`; removing the last stage flushes what the stages
 * held and pipes again. A removed stage hands on everything it held first, so no data is lost.
 *
 * Back-pressure in the flowing mode: after each change the connection's valve compares what this
 * direction holds (stages, sink buffer) with the bound and pauses or resumes the reader.
 *
 * An observer, when given, sees every chunk as it reaches the sink, piped or not (the boundaries of an
 * HTTP connection's exchanges, followed until the HTTP relay takes the link over: see handOver()).
 */
import type { Socket } from 'node:net';
import { mixSeed, seededRandom } from './random.js';
import type { Stage, StageContext, Stream, Toxic } from './toxic.js';

export interface Sink {
  write(chunk: Buffer): void;
  end(): void;
  /** bytes written but not yet handed to the kernel */
  pending(): number;
}

export function socketSink(socket: () => Socket | null): Sink {
  return {
    write: (chunk) => {
      const s = socket();
      if (s && !s.destroyed && !s.writableEnded) s.write(chunk);
    },
    end: () => {
      const s = socket();
      if (s && !s.destroyed && !s.writableEnded) s.end();
    },
    pending: () => socket()?.writableLength ?? 0,
  };
}

/** What a link needs from its connection. */
export interface LinkOwner {
  readonly id: number;
  readonly proxyName: string;
  readonly seed: number;
  close(): void;
  reset(): void;
  warn(toxic: Toxic, message: string): void;
  /** something changed in this direction: re-check back-pressure */
  changed(stream: Stream): void;
}

interface Entry {
  toxic: Toxic;
  stage: Stage;
}

export class Link {
  private readonly entries: Entry[] = [];
  private piping = false;
  private listening = false;
  private inputEnded = false;
  private outputEnded = false;
  private destroyed = false;
  /** bytes went through this direction already (a stage added now starts mid-stream) */
  private started = false;
  private bytesBeforePipe = 0;

  constructor(
    private readonly owner: LinkOwner,
    readonly stream: Stream,
    private sink: Sink,
    /** when both are sockets, the link can pipe */
    private pipeFrom: Socket | null = null,
    private pipeTo: Socket | null = null,
    private observe: ((chunk: Buffer) => void) | null = null,
  ) {}

  get stageCount(): number {
    return this.entries.length;
  }

  get isPiping(): boolean {
    return this.piping;
  }

  /** bytes held by the stages and the sink */
  get buffered(): number {
    let total = this.sink.pending();
    for (const e of this.entries) total += e.stage.buffered;
    return total;
  }

  /** Starts the link with the toxics that apply from the beginning and the bytes already read (sniffed). */
  start(toxics: readonly Toxic[], initial: Buffer | null): void {
    for (const toxic of toxics) this.entries.push({ toxic, stage: this.createStage(toxic) });
    if (initial?.length) this.write(initial);
    if (this.pipeFrom) {
      // pipe() ends the sink when the source ends; record it so that a later toxic knows the direction is over
      this.pipeFrom.once('end', () => {
        if (this.piping) {
          this.inputEnded = true;
          this.outputEnded = true;
        }
      });
      if (this.entries.length === 0 && this.pipeTo) this.startPiping();
      else this.listen();
    }
  }

  /** Input in the flowing mode. */
  write(chunk: Buffer): void {
    if (this.destroyed || this.inputEnded) return;
    this.started = true;
    const first = this.entries[0];
    if (first) first.stage.write(chunk);
    else this.deliver(chunk);
    this.owner.changed(this.stream);
  }

  /** To the sink, then to the observer (which may hand the link over: the chunk went the old way). */
  private deliver(chunk: Buffer): void {
    this.sink.write(chunk);
    this.observe?.(chunk);
  }

  end(): void {
    if (this.destroyed || this.inputEnded) return;
    this.inputEnded = true;
    const first = this.entries[0];
    if (first) first.stage.end();
    else this.endOutput();
    this.owner.changed(this.stream);
  }

  addToxic(toxic: Toxic): void {
    if (this.destroyed || this.outputEnded || this.entries.some((e) => e.toxic === toxic)) return;
    if (this.piping) {
      this.stopPiping();
      if (this.inputEnded) return;
    }
    this.entries.push({ toxic, stage: this.createStage(toxic) });
  }

  removeToxic(toxic: Toxic): void {
    const entry = this.entries.find((e) => e.toxic === toxic);
    if (!entry) return;
    entry.stage.flush(); // hands on what it held (to the next stage or the sink) while it is still in the chain
    entry.stage.destroy();
    this.entries.splice(this.entries.indexOf(entry), 1);
    if (this.entries.length === 0 && this.pipeFrom && this.pipeTo && !this.inputEnded && !this.destroyed) this.startPiping();
    this.owner.changed(this.stream);
  }

  /**
   * The HTTP relay takes this direction over, between two chunks: the observer is dropped, and either
   * the output goes to a new sink (the requests: to the relay) or the input stops coming from the
   * source socket (the responses: the relay feeds write()). Either way the link no longer pipes.
   */
  handOver(to: { sink: Sink } | { detachSource: true }): void {
    if (this.piping) this.stopPiping();
    this.stopObserving();
    this.observe = null;
    if ('sink' in to) {
      this.sink = to.sink;
      this.pipeTo = null;
    } else {
      if (this.listening && this.pipeFrom) {
        this.pipeFrom.off('data', this.onData);
        this.pipeFrom.off('end', this.onEnd);
        this.listening = false;
      }
      this.pipeFrom = null;
    }
  }

  toxicUpdated(toxic: Toxic): void {
    this.entries.find((e) => e.toxic === toxic)?.stage.updated?.();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const e of this.entries.splice(0)) e.stage.destroy();
    this.stopObserving();
    if (this.pipeFrom && this.listening) {
      this.pipeFrom.off('data', this.onData);
      this.pipeFrom.off('end', this.onEnd);
    }
  }

  private readonly onData = (chunk: Buffer) => this.write(chunk);
  private readonly onEnd = () => this.end();

  private listen(): void {
    const from = this.pipeFrom as Socket;
    if (this.listening) return;
    this.listening = true;
    from.on('data', this.onData);
    from.on('end', this.onEnd);
    if (from.readableEnded) this.end();
    else from.resume();
  }

  private startPiping(): void {
    const from = this.pipeFrom as Socket;
    const to = this.pipeTo as Socket;
    if (this.listening) {
      from.off('data', this.onData);
      from.off('end', this.onEnd);
      this.listening = false;
    }
    if (from.readableEnded) {
      this.end();
      return;
    }
    this.piping = true;
    this.bytesBeforePipe = from.bytesRead;
    from.pipe(to);
    // registered after pipe()'s own listener: it sees each chunk once it was written
    if (this.observe) from.on('data', this.observe);
  }

  private stopObserving(): void {
    if (this.observe) this.pipeFrom?.off('data', this.observe);
  }

  private stopPiping(): void {
    const from = this.pipeFrom as Socket;
    from.unpipe(this.pipeTo as Socket);
    this.stopObserving();
    this.piping = false;
    if (from.bytesRead > this.bytesBeforePipe) this.started = true;
    if (from.readableEnded) {
      // everything was piped and `to` was ended by pipe()
      this.inputEnded = true;
      this.outputEnded = true;
      return;
    }
    this.listen();
  }

  private endOutput(): void {
    if (this.outputEnded) return;
    this.outputEnded = true;
    this.sink.end();
  }

  private createStage(toxic: Toxic): Stage {
    const link = this;
    let entryRef: Entry | undefined;
    const next = (): Entry | undefined => {
      entryRef ??= this.entries.find((e) => e.toxic === toxic);
      const index = entryRef ? this.entries.indexOf(entryRef) : -1;
      return index === -1 ? undefined : this.entries[index + 1];
    };
    const ctx: StageContext = {
      toxic,
      random: seededRandom(mixSeed(this.owner.seed, this.owner.id, this.stream === 'upstream' ? 1 : 2, toxic.seq)),
      stream: this.stream,
      connectionId: this.owner.id,
      proxyName: this.owner.proxyName,
      midStream: this.started,
      push(chunk) {
        if (link.destroyed || chunk.length === 0) return;
        const after = next();
        if (after) after.stage.write(chunk);
        else link.deliver(chunk);
        link.owner.changed(link.stream);
      },
      end() {
        if (link.destroyed) return;
        const after = next();
        if (after) after.stage.end();
        else link.endOutput();
      },
      close: () => this.owner.close(),
      reset: () => this.owner.reset(),
      warn: (message) => this.owner.warn(toxic, message),
    };
    return toxic.def.createStage?.(ctx) ?? passThrough(ctx);
  }
}

function passThrough(ctx: StageContext): Stage {
  return {
    buffered: 0,
    write: (chunk) => ctx.push(chunk),
    end: () => ctx.end(),
    flush() {},
    destroy() {},
  };
}
