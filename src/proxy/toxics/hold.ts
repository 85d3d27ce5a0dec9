/** What the timeout and blackhole toxics hold while they forward nothing: bytes, then maybe the end. */
import type { Output } from './timed-queue.js';

export class Held {
  private chunks: Buffer[] = [];
  private ended = false;
  buffered = 0;

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  end(): void {
    this.ended = true;
  }

  /** Hands everything on, the end last. */
  release(ctx: Output): void {
    const chunks = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    for (const chunk of chunks) ctx.push(chunk);
    if (this.ended) ctx.end();
    this.ended = false;
  }

  drop(): void {
    this.chunks = [];
    this.buffered = 0;
  }
}
