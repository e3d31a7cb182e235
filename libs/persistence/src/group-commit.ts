/**
 * Writes many callers' small items in one statement when they come together: an item submitted
 * while a flush is in flight waits for the next flush, which takes everything queued by then (at
 * most `max`). Under load one statement and one commit serve many callers; when idle a lone item
 * is flushed at once, so nobody waits for a timer. One flush runs at a time per instance.
 *
 * `flush` answers one result per item, in order; if it throws, every item of that flush fails
 * with the error (the caller decides what a failed write means, as it would for its own).
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly max = 64,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new Error('GroupCommit max must be a positive integer');
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.max);
        try {
          const results = await this.flush(batch.map((b) => b.item));
          if (results.length !== batch.length)
            throw new Error(`GroupCommit flush answered ${results.length} results for ${batch.length} items`);
          batch.forEach((b, i) => b.resolve(results[i]));
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
