/** Collects watch events and waits (bounded) for the ones a test expects. */
import type { ClusterEvent, ClusterWatch } from '../src/index.js';

/** Records every event of a watch. */
export class Collector {
  readonly events: ClusterEvent[] = [];
  private readonly off: () => void;
  private waiters = new Set<() => void>();

  constructor(watch: ClusterWatch) {
    this.off = watch.on((e) => {
      this.events.push(e);
      for (const w of this.waiters) w();
    });
  }

  /** Index of the next event to look at; `mark()` then `next(...)` only sees later events. */
  private cursor = 0;

  mark(): void {
    this.cursor = this.events.length;
  }

  /** Waits for an event after the mark that matches; returns it. */
  async next<T extends ClusterEvent['type']>(
    type: T,
    match: (e: Extract<ClusterEvent, { type: T }>) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<Extract<ClusterEvent, { type: T }>> {
    const find = () =>
      this.events
        .slice(this.cursor)
        .find(
          (e): e is Extract<ClusterEvent, { type: T }> =>
            e.type === type && match(e as Extract<ClusterEvent, { type: T }>),
        );
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const hit = find();
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no '${type}' event within ${timeoutMs} ms; got: ${JSON.stringify(this.events.slice(this.cursor).map((e) => (e.type === 'watch-status' ? `${e.state}: ${e.reason ?? ''}` : e.type)))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(left, 1000));
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.waiters.add(done);
      });
      this.waiters.clear();
    }
  }

  stop(): void {
    this.off();
  }
}
