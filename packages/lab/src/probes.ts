/** Small bounded probes the lab uses to decide that a part is up: HTTP, SQL and port checks. */

import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { isPatroniKitError, pollValue } from '@patroni-kit/errors';
import pg from 'pg';

/** GET (or another method) with a hard timeout; resolves to status and parsed JSON (or null). */
export async function httpJson(
  url: string,
  opts: {
    method?: string;
    timeoutMs?: number;
    signal?: AbortSignal;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<{ status: number; body: unknown }> {
  const signals = [AbortSignal.timeout(opts.timeoutMs ?? 2000)];
  if (opts.signal) signals.push(opts.signal);
  const init: RequestInit = { method: opts.method ?? 'GET', signal: AbortSignal.any(signals) };
  if (opts.headers) init.headers = opts.headers;
  if (opts.body !== undefined) init.body = opts.body;
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Same as {@link httpJson} but returns undefined instead of throwing on network errors. */
export async function tryHttpJson(
  url: string,
  timeoutMs = 2000,
  signal?: AbortSignal,
): Promise<{ status: number; body: unknown } | undefined> {
  try {
    return await httpJson(url, signal ? { timeoutMs, signal } : { timeoutMs });
  } catch {
    return undefined;
  }
}

/** Connection settings for one SQL probe. */
export interface SqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
}

/** Runs one query on a fresh connection with connect and statement timeouts. */
export async function sql<T extends Record<string, unknown>>(
  target: SqlTarget,
  text: string,
  params: unknown[] = [],
  timeoutMs = 5000,
): Promise<T[]> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database ?? 'postgres',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'patroni-kit-lab',
  });
  // A server that drops the connection emits 'error' on the client; the query rejects anyway.
  client.on('error', () => {});
  try {
    await client.connect();
    const res = await client.query(text, params);
    return res.rows as T[];
  } finally {
    // end() waits for the server to close; a partitioned one never does, so drop the socket after 1 s.
    const ended = client.end().catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes; never unbounded. */
export function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal; hint?: string },
): Promise<T> {
  return pollValue(what, check, {
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    intervalMs: opts.intervalMs ?? 250,
    maxIntervalMs: opts.intervalMs ?? 250,
    // A part that has exited will not come back by waiting: fail at once.
    fatal: (err) => isPatroniKitError(err, 'LAB'),
    ...(opts.hint ? { hint: opts.hint } : { hint: 'see the lab logs (patroni-kit lab status shows where)' }),
  });
}

/** True when nothing listens on host:port (we can bind it ourselves). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Who listens on host:port, from `ss` (best effort, for error messages). */
export function portOwner(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ss', ['-ltnpH', `sport = :${port}`], { timeout: 3000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      const line = stdout
        .split('\n')
        .find(
          (l) => l.includes(`${host}:${port}`) || l.includes(`*:${port}`) || l.includes(`0.0.0.0:${port}`),
        );
      const m = line ? /users:\(\("([^"]+)",pid=(\d+)/.exec(line) : null;
      resolve(m ? `${m[1]} (pid ${m[2]})` : undefined);
    });
  });
}
