/** SQL on a member with npm `pg` (loaded on first use): bounded connect, query and close. */
import { isPatroniKitError, PatroniKitError, registerSecret } from '@patroni-kit/errors';
import type { OpContext } from '../context.js';
import { type LeaderWal, parseHistoryFile, segmentStartLsn, slotRowFromSql } from '../explain.js';
import { DEFAULT_TIMEOUTS_MS } from '../timeouts.js';
import type { MemberView } from '../types.js';

/** Who to log in as and how long to wait. */
export interface SqlOptions {
  username?: string;
  password?: string;
  dbname?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A physical replication connection (startup parameter replication=true), as a walreceiver makes. */
  replication?: boolean;
}

/**
 * The part of a `pg` connection the operations use. Declared here so that the published types do not need
 * `@types/pg` (pg itself is loaded only when SQL runs).
 */
export interface PgConnection {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<PgResult<R>>;
  /** `rowMode: 'array'`: each row as an array, in the order of `fields`. */
  query(config: { text: string; values?: unknown[]; rowMode: 'array' }): Promise<PgResult<unknown[]>>;
}

/** A query's answer, as `pg` gives it. */
export interface PgResult<R> {
  rows: R[];
  rowCount: number | null;
  fields?: Array<{ name: string }>;
}

/** Runs `fn` on one fresh `pg` connection to member `m` (bounded connect, query and close). */
export async function withPg<T>(
  ctx: Pick<OpContext, 'target'>,
  m: MemberView,
  opts: SqlOptions,
  fn: (client: PgConnection) => Promise<T>,
): Promise<T> {
  const { default: pg } = await import('pg');
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUTS_MS.sql;
  const user = opts.username ?? ctx.target.postgres?.username ?? process.env.PGUSER ?? 'postgres';
  const given = opts.password ?? ctx.target.postgres?.password ?? process.env.PGPASSWORD;
  registerSecret(given);
  const host = m.host;
  const port = m.port ?? 5432;
  const database = opts.dbname ?? 'postgres';
  // Without a password, read the libpq password file ourselves: pg's built-in lookup prints a
  // deprecation warning on stderr, which monitoring would capture with every health run.
  const password =
    given ??
    (async () => {
      const { default: pgpass } = await import('pgpass');
      // Nothing found resolves undefined, which pg treats as "no password", as before.
      return new Promise<string>((resolve) =>
        pgpass({ ...(host ? { host } : {}), port, user, database }, (p) => resolve(p as string)),
      );
    });
  const client = new pg.Client({
    host,
    port,
    user,
    password,
    database,
    connectionTimeoutMillis: timeout,
    query_timeout: timeout,
    application_name: 'patroni-kit',
    ...(opts.replication ? { replication: 'true' } : {}),
  } as import('pg').ClientConfig);
  const onAbort = () => void client.end().catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    return await fn(client as unknown as PgConnection);
  } catch (err) {
    if (isPatroniKitError(err)) throw err;
    const e = err as Error & { code?: string };
    const auth =
      e.code === '28P01' ||
      /password authentication failed|client password must be a string|no password supplied/.test(e.message);
    throw new PatroniKitError(
      auth ? 'AUTH' : 'CONNECT',
      `query on ${m.name} (${m.host}:${m.port ?? 5432}): ${e.message}`,
      {
        cause: err,
        hint: auth
          ? 'give the PostgreSQL user and password (-U/--password, PGPASSWORD, or postgresql.authentication.superuser in patroni.yml)'
          : 'check that PostgreSQL runs and pg_hba allows this client',
      },
    );
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    // end() waits for the server to close; an unreachable one never does, so drop the socket after a while.
    const ended = client.end().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, DEFAULT_TIMEOUTS_MS.sqlClose)))]);
    clearTimeout(timer);
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}

/** Slots (with retained bytes) and the oldest WAL segment on `leader`, by SQL. */
export function leaderWal(
  ctx: Pick<OpContext, 'target' | 'timeouts'>,
  leader: MemberView,
  signal?: AbortSignal,
): Promise<LeaderWal> {
  const tl = leader.live?.timeline ?? leader.timeline;
  return withPg(
    ctx,
    leader,
    { timeoutMs: ctx.timeouts.member * 2, ...(signal ? { signal } : {}) },
    async (client) => {
      const slots = await client.query<Parameters<typeof slotRowFromSql>[0]>(
        `select slot_name, slot_type, active, restart_lsn::text, wal_status, database, plugin,
                pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text as retained
           from pg_replication_slots order by slot_name`,
      );
      // The oldest WAL segment still on disk (by position, whatever its timeline): a replica that
      // needs older WAL cannot stream.
      const oldest = await client.query<{ name: string | null }>(
        `select name from pg_ls_waldir() where name ~ '^[0-9A-F]{24}$' order by substr(name, 9) limit 1`,
      );
      const wal: LeaderWal = { slots: slots.rows.map(slotRowFromSql) };
      const start = segmentStartLsn(oldest.rows[0]?.name ?? '');
      if (start !== undefined) wal.oldestSegmentLsn = start;
      // The leader's own timeline history: the DCS key is rewritten only when the timeline number
      // changes, so it can describe another branch than the one the leader is on.
      if (tl !== undefined && tl > 1) {
        try {
          const h = await client.query<{ h: string }>(
            `select pg_read_file('pg_wal/' || lpad(upper(to_hex($1::int)), 8, '0') || '.history') as h`,
            [tl],
          );
          wal.history = parseHistoryFile(h.rows[0]?.h ?? '');
        } catch {
          // no such file or no right to read it: the DCS history is all we have
        }
      }
      return wal;
    },
  );
}
