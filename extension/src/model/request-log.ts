/**
 * Lines for the "Patroni" output channel: every SDK request (method, URL, outcome, duration) and every
 * operation the user ran (command, cluster, outcome). Nothing secret reaches a line: URLs lose their
 * userinfo and secret-looking query values, and every text goes through `@patroni-kit/errors`' redaction
 * (which knows each password the connection store handed to the SDK) plus the caller's own secrets.
 */
import { redact, redactKnown, redactUrl } from '@patroni-kit/errors';

// the lead replaces this with the SDK's type at merge
/** One request the SDK made (the shape of `ConnectOptions.onRequest`'s event). */
export interface RequestEvent {
  method: string;
  /** Already redacted by the SDK; redacted again here. */
  url: string;
  status?: number;
  outcome: 'ok' | 'error' | 'unknown';
  durationMs: number;
  error?: string;
}

/** Log levels of a `vscode.LogOutputChannel`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** One line and the level to write it at. */
export interface LogLine {
  level: LogLevel;
  message: string;
}

/** An operation the user ran from the palette or a menu. */
export interface OperationEvent {
  /** The command id (`patroni.switchover`) or a short verb. */
  command: string;
  /** The cluster's name (or scope), when the operation is about one. */
  cluster?: string;
  /** `unknown`: a write whose outcome could not be confirmed. `cancelled`: the user stopped it. */
  outcome: 'succeeded' | 'failed' | 'unknown' | 'cancelled';
  durationMs?: number;
  /** What happened, e.g. "leader is now pg-2" or the error's message and hint. */
  detail?: string;
}

const SECRET_QUERY = /([?&](?:password|passwd|pwd|token|secret|access_token|auth)=)[^&#\s]*/gi;

function clean(text: string, secrets: Iterable<string>): string {
  return redact(redactKnown(text, secrets));
}

/** A URL fit for a log: no `user:password@`, no secret query values, at most 300 characters. */
export function logUrl(url: string, secrets: Iterable<string> = []): string {
  const out = clean(redactUrl(String(url)).replace(SECRET_QUERY, '$1***'), secrets);
  return out.length > 300 ? `${out.slice(0, 299)}…` : out;
}

function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  return ms < 1000 ? ` ${Math.round(ms)} ms` : ` ${(ms / 1000).toFixed(1)} s`;
}

/** `GET http://h:8008/patroni → 200 12 ms`, or `… → error: …` / `… → outcome unknown: …`. */
export function formatRequest(e: RequestEvent, secrets: Iterable<string> = []): LogLine {
  const list = [...secrets];
  const head = `${String(e.method).toUpperCase()} ${logUrl(e.url, list)} →`;
  const status = e.status === undefined ? '' : ` ${e.status}`;
  const why = e.error ? `: ${clean(e.error, list).replace(/\s+/g, ' ').slice(0, 500)}` : '';
  if (e.outcome === 'ok')
    return { level: 'info', message: `${head}${status || ' ok'}${duration(e.durationMs)}` };
  if (e.outcome === 'unknown')
    return {
      level: 'warn',
      message: `${head}${status} outcome unknown${duration(e.durationMs)}${why} (read the cluster to confirm)`,
    };
  return { level: 'error', message: `${head}${status} error${duration(e.durationMs)}${why}` };
}

/** `patroni.switchover on pg-main: succeeded (4.2 s): leader is now pg-2`. */
export function formatOperation(e: OperationEvent, secrets: Iterable<string> = []): LogLine {
  const list = [...secrets];
  const where = e.cluster ? ` on ${clean(e.cluster, list)}` : '';
  const took = e.durationMs === undefined ? '' : ` (${duration(e.durationMs).trim()})`;
  const detail = e.detail ? `: ${clean(e.detail, list).replace(/\s+/g, ' ').slice(0, 500)}` : '';
  const level: LogLevel = e.outcome === 'failed' ? 'error' : e.outcome === 'unknown' ? 'warn' : 'info';
  return { level, message: `${e.command}${where}: ${e.outcome}${took}${detail}` };
}
