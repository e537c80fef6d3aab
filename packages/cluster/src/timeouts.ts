/**
 * Every default timeout of the Cluster facade and the CLI, in milliseconds, in one place. The connection
 * ones (`dcs`, `member`, `write`) can be changed per cluster with `ConnectOptions.timeouts`; the waits take
 * a `timeoutMs` per call.
 */
import { checkTimeoutMs } from '@patroni-kit/errors';

/** Default timeouts (ms). */
export const DEFAULT_TIMEOUTS_MS = {
  /** One DCS read (all endpoints together). */
  dcs: 4000,
  /** One member `GET` (e.g. `/patroni`); an unreachable member is marked after this. */
  member: 2000,
  /** A non-blocking REST write. */
  write: 10_000,
  /** `POST /restart` blocks until PostgreSQL is up again. */
  restartWrite: 10 * 60_000,
  /** One SQL connection and query (`query`, `slots`). */
  sql: 5000,
  /** How long a closing SQL connection may take before its socket is dropped. */
  sqlClose: 1000,
  /** Waiting for a leader. */
  leaderWait: 60_000,
  /** Waiting for a switchover, failover or a standby-cluster change to finish. */
  switchoverWait: 120_000,
  /** Waiting for a healthy cluster. */
  healthyWait: 120_000,
  /** Waiting for every member to report pause or resume. */
  pauseWait: 60_000,
  /** Waiting for a re-cloned replica to run again. */
  reinitWait: 300_000,
} as const;

/** The per-cluster timeouts (ms) that {@link ConnectOptions.timeouts} overrides. */
export type ConnectionTimeouts = { dcs: number; member: number; write: number };

/** Defaults overlaid with `given`, each checked (a positive number of ms Node's timers can keep). */
export function connectionTimeouts(given: Partial<ConnectionTimeouts> | undefined): ConnectionTimeouts {
  const out: ConnectionTimeouts = {
    dcs: DEFAULT_TIMEOUTS_MS.dcs,
    member: DEFAULT_TIMEOUTS_MS.member,
    write: DEFAULT_TIMEOUTS_MS.write,
    ...given,
  };
  for (const [name, ms] of Object.entries(out)) checkTimeoutMs(ms, `timeouts.${name}`);
  return out;
}
