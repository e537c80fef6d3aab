/**
 * The one abortable `sleep` and the one poller (`pollUntil`) of patroni-kit: every package that waits for
 * something (the cluster waiters, the lab, the drill, provisioning, the CLI's watch loops) uses these.
 */
import { PatroniKitError } from './index.js';

/** Options of {@link sleep}. */
export interface SleepOptions {
  /** Reject with ABORTED (cause: the signal's reason) when `signal` aborts, instead of resolving early. */
  rejectOnAbort?: boolean;
}

/**
 * Sleeps `ms` (0 or less: a macrotask), ending early when `signal` aborts: resolving by default (the caller
 * checks the signal next), or rejecting with ABORTED when `rejectOnAbort` is set.
 */
export function sleep(ms: number, signal?: AbortSignal, opts: SleepOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const end = (): void => {
      if (opts.rejectOnAbort && signal?.aborted)
        reject(new PatroniKitError('ABORTED', 'cancelled', { cause: signal.reason }));
      else resolve();
    };
    if (signal?.aborted) {
      end();
      return;
    }
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      end();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Result of one check: `done` with a value, or not yet with a sentence saying what is missing. */
export type PollStep<T> = { done: true; value: T } | { done: false; waitingFor: string };

/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** Deadline of the whole wait. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** First pause between checks (default 250 ms), multiplied by 1.5 up to `maxIntervalMs`. */
  intervalMs?: number;
  /** Longest pause (default 2000 ms). */
  maxIntervalMs?: number;
  /** Called when what is missing changes (not on every check), with the time since the wait began. */
  onWaiting?: ((waitingFor: string, elapsedMs: number) => void) | undefined;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** Errors of a check that end the wait at once (rethrown), e.g. a process that exited for good. */
  fatal?: (err: unknown) => boolean;
  /** The hint of the TIMEOUT error (default: read the cluster, raise the timeout if it is only slow). */
  hint?: string;
}

/**
 * Calls `check` until it is done or the deadline passes (TIMEOUT naming what was still missing, with
 * `details.lastObserved`). Errors of a check count as "not yet" (a member restarting does not answer) unless
 * the caller aborted, which ends the wait with ABORTED.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<PollStep<T>>,
  opts: PollOptions,
): Promise<T> {
  const now = opts.now ?? Date.now;
  const started = now();
  const deadline = started + opts.timeoutMs;
  let interval = opts.intervalMs ?? 250;
  const max = opts.maxIntervalMs ?? 2000;
  let last = 'no answer yet';
  let reported = '';
  for (let attempt = 0; attempt < 100_000; attempt++) {
    if (opts.signal?.aborted)
      throw new PatroniKitError('ABORTED', `cancelled while waiting for ${what}`, {
        cause: opts.signal.reason,
      });
    try {
      const step = await check();
      if (step.done) return step.value;
      last = step.waitingFor;
    } catch (err) {
      if (opts.signal?.aborted) continue;
      if (opts.fatal?.(err)) throw err;
      last = (err as Error).message;
    }
    if (last !== reported) {
      opts.onWaiting?.(last, now() - started);
      reported = last;
    }
    const left = deadline - now();
    if (left <= 0) break;
    await sleep(Math.min(interval, left), opts.signal);
    interval = Math.min(max, interval * 1.5);
  }
  throw new PatroniKitError(
    'TIMEOUT',
    `${what} did not happen within ${Math.round(opts.timeoutMs / 1000)} s: ${last}`,
    {
      hint:
        opts.hint ??
        'read the cluster (patroni-kit list) to see where it stands; raise the timeout if it is only slow',
      details: { lastObserved: last },
    },
  );
}

/** {@link pollUntil} for a check that returns its value when done and `undefined` while not yet. */
export function pollValue<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: PollOptions,
): Promise<T> {
  return pollUntil(
    what,
    async () => {
      const value = await check();
      return value === undefined ? { done: false, waitingFor: 'not yet' } : { done: true, value };
    },
    opts,
  );
}
