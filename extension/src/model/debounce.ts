/**
 * Coalesces pushed updates (DCS watch events) so a failover storm repaints the tree once per burst, not once
 * per event; `maxWaitMs` bounds how long a steady stream can postpone a repaint.
 */
export interface DebouncerOptions {
  /** Quiet time after the last push before the update runs. */
  waitMs: number;
  /** Longest time between the first push of a burst and the update, however busy the stream is. */
  maxWaitMs: number;
}

/** Collects keys (e.g. cluster ids) and calls `run` once per burst with every key pushed during it. */
export class Debouncer<K> {
  readonly #run: (keys: Set<K>) => void;
  readonly #opts: DebouncerOptions;
  #pending = new Set<K>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #firstAt = 0;
  #disposed = false;

  constructor(run: (keys: Set<K>) => void, opts: DebouncerOptions) {
    if (!(opts.waitMs >= 0) || !(opts.maxWaitMs >= opts.waitMs))
      throw new RangeError('Debouncer: need 0 <= waitMs <= maxWaitMs');
    this.#run = run;
    this.#opts = opts;
  }

  /** Number of keys waiting for the next update. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Records a change for `key`; the update runs after the burst ends (or `maxWaitMs` at the latest). */
  push(key: K): void {
    if (this.#disposed) return;
    const now = Date.now();
    if (this.#pending.size === 0) this.#firstAt = now;
    this.#pending.add(key);
    if (this.#timer) clearTimeout(this.#timer);
    const delay = Math.max(0, Math.min(this.#opts.waitMs, this.#firstAt + this.#opts.maxWaitMs - now));
    this.#timer = setTimeout(() => this.flush(), delay);
  }

  /** Runs the pending update now (no-op when nothing is pending). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const keys = this.#pending;
    this.#pending = new Set();
    this.#run(keys);
  }

  /** Drops pending work and ignores later pushes. */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }
}
