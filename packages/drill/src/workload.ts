/**
 * The drill's load: one writer through HAProxy's writer port and one reader through its reader port, each
 * recording every attempt, plus a poller that samples every member's role over its own socket and REST API.
 * Everything is bounded: one statement in flight per loop, each with a timeout, and `stop()` ends all loops.
 */
import { sleep } from '@patroni-kit/errors';
import pg from 'pg';
import type { ReadRecord, RoleSample, WriteRecord } from './types.js';

/** Where one loop connects. `host` may be a socket folder. */
export interface SqlEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** The table every drill writes to; rows carry the run id so runs never mix. */
export const DRILL_TABLE = 'patroni_kit_drill';

/** The statement that creates {@link DRILL_TABLE}. */
export const CREATE_TABLE = `create table if not exists ${DRILL_TABLE} (
  run text not null, id bigint not null, at timestamptz not null default now(), payload text not null,
  primary key (run, id))`;

const INSERT = `insert into ${DRILL_TABLE} (run, id, payload) values ($1, $2, $3)
  returning host(inet_server_addr()) as addr, pg_current_wal_lsn()::text as lsn,
  pg_walfile_name(pg_current_wal_lsn()) as walfile`;

class Timeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** Drops a client's socket at once: `end()` waits for a server that may never answer. */
function destroy(client: pg.Client | undefined): void {
  if (!client) return;
  client.end().catch(() => {});
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

async function connect(ep: SqlEndpoint, timeoutMs: number, app: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: ep.host,
    port: ep.port,
    user: ep.user,
    password: ep.password,
    database: ep.database,
    connectionTimeoutMillis: timeoutMs,
    application_name: app,
    keepAlive: true,
  });
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), timeoutMs + 250);
    return client;
  } catch (err) {
    destroy(client);
    throw err;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Options of {@link Workload}. */
export interface WorkloadOptions {
  writer: SqlEndpoint;
  reader: SqlEndpoint;
  run: string;
  /** Start a write this often (ms); default 50. */
  writeIntervalMs?: number;
  /** Start a read this often (ms); default 100. */
  readIntervalMs?: number;
  /** A write without an answer after this is recorded as timed out (ms); default 2000. */
  writeTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Payload bytes per row; default 64. */
  payloadBytes?: number;
  /** Maps a server address to a member name. */
  memberOf: (address: string) => string | undefined;
  /** Highest id of an earlier run segment, so ids stay unique across segments. */
  firstId?: number;
}

/** The writer and reader loops. */
export class Workload {
  readonly writes: WriteRecord[] = [];
  readonly reads: ReadRecord[] = [];
  readonly #opts: Required<Omit<WorkloadOptions, 'firstId'>>;
  readonly #stop = new AbortController();
  #nextId: number;
  #loops: Promise<void>[] = [];

  constructor(opts: WorkloadOptions) {
    this.#opts = {
      writeIntervalMs: 50,
      readIntervalMs: 100,
      writeTimeoutMs: 2000,
      connectTimeoutMs: 1000,
      payloadBytes: 64,
      ...opts,
    };
    this.#nextId = (opts.firstId ?? 0) + 1;
  }

  /** Starts both loops. */
  start(): void {
    this.#loops = [this.#writeLoop(), this.#readLoop()];
  }

  /** Ends both loops after their statement in flight (each bounded by its timeout). */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
  }

  async #writeLoop(): Promise<void> {
    const o = this.#opts;
    const signal = this.#stop.signal;
    const payload = 'x'.repeat(o.payloadBytes);
    let client: pg.Client | undefined;
    while (!signal.aborted) {
      const id = this.#nextId++;
      const rec: WriteRecord = {
        id,
        startedAt: Date.now(),
        endedAt: 0,
        outcome: 'failed',
        bytes: o.payloadBytes,
      };
      let sent = false;
      try {
        client ??= await connect(o.writer, o.connectTimeoutMs, 'patroni-kit-drill-writer');
        sent = true;
        const res = await withTimeout(client.query(INSERT, [o.run, id, payload]), o.writeTimeoutMs);
        const row = res.rows[0] as { addr: string; lsn: string; walfile: string };
        rec.outcome = 'ok';
        const member = o.memberOf(row.addr);
        if (member) rec.member = member;
        rec.lsn = row.lsn;
        rec.timeline = Number.parseInt(row.walfile.slice(0, 8), 16);
      } catch (err) {
        rec.outcome = err instanceof Timeout ? 'timeout' : 'failed';
        rec.error = message(err);
        // Never sent, or refused as read-only (SQLSTATE 25006): certainly not committed.
        if (!sent || (err as { code?: string }).code === '25006') rec.definite = true;
        destroy(client);
        client = undefined;
      }
      rec.endedAt = Date.now();
      this.writes.push(rec);
      await sleep(rec.startedAt + o.writeIntervalMs - Date.now(), signal);
    }
    destroy(client);
  }

  async #readLoop(): Promise<void> {
    const o = this.#opts;
    const signal = this.#stop.signal;
    let client: pg.Client | undefined;
    while (!signal.aborted) {
      const rec: ReadRecord = { startedAt: Date.now(), endedAt: 0, ok: false };
      try {
        client ??= await connect(o.reader, o.connectTimeoutMs, 'patroni-kit-drill-reader');
        const res = await withTimeout(
          client.query('select host(inet_server_addr()) as addr, pg_is_in_recovery() as r'),
          o.writeTimeoutMs,
        );
        const row = res.rows[0] as { addr: string; r: boolean };
        rec.ok = true;
        const member = o.memberOf(row.addr);
        if (member) rec.member = member;
        rec.inRecovery = row.r;
      } catch (err) {
        rec.error = message(err);
        destroy(client);
        client = undefined;
      }
      rec.endedAt = Date.now();
      this.reads.push(rec);
      await sleep(rec.startedAt + o.readIntervalMs - Date.now(), signal);
    }
    destroy(client);
  }
}

/** One member the poller watches. */
export interface PolledMember {
  name: string;
  /** Its own PostgreSQL socket: no network fault cuts it, so a partitioned primary is still seen. */
  socket: SqlEndpoint;
  restUrl: string;
}

/** Samples every member's `pg_is_in_recovery()` and REST role in rounds. */
export class RolePoller {
  readonly samples: RoleSample[] = [];
  readonly #members: PolledMember[];
  readonly #intervalMs: number;
  readonly #stop = new AbortController();
  readonly #clients = new Map<string, pg.Client>();
  #round = 0;
  #loop: Promise<void> | undefined;

  constructor(members: PolledMember[], intervalMs = 200) {
    this.#members = members;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    for (const c of this.#clients.values()) destroy(c);
    this.#clients.clear();
  }

  /** The latest sample of each member. */
  latest(): Map<string, RoleSample> {
    const out = new Map<string, RoleSample>();
    for (let i = this.samples.length - 1; i >= 0 && out.size < this.#members.length; i--) {
      const s = this.samples[i]!;
      if (!out.has(s.member)) out.set(s.member, s);
    }
    return out;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const round = this.#round++;
      const started = Date.now();
      const samples = await Promise.all(this.#members.map((m) => this.#sample(m, round)));
      this.samples.push(...samples);
      await sleep(started + this.#intervalMs - Date.now(), signal);
    }
  }

  async #sample(m: PolledMember, round: number): Promise<RoleSample> {
    const at = Date.now();
    const [writable, rest] = await Promise.all([this.#writable(m), this.#rest(m)]);
    const s: RoleSample = { round, at, member: m.name, writable, restRole: rest?.role ?? null };
    if (rest?.state) s.restState = rest.state;
    if (rest?.timeline !== undefined) s.timeline = rest.timeline;
    return s;
  }

  async #writable(m: PolledMember): Promise<boolean | null> {
    let client = this.#clients.get(m.name);
    try {
      if (!client) {
        client = await connect(m.socket, 800, 'patroni-kit-drill-poller');
        this.#clients.set(m.name, client);
      }
      const res = await withTimeout(client.query('select pg_is_in_recovery() as r'), 800);
      return !(res.rows[0] as { r: boolean }).r;
    } catch {
      destroy(client);
      this.#clients.delete(m.name);
      return null;
    }
  }

  async #rest(m: PolledMember): Promise<{ role?: string; state?: string; timeline?: number } | undefined> {
    try {
      // Short: a partitioned member's REST API never answers, and the round waits for every member.
      const res = await fetch(`${m.restUrl}/patroni`, { signal: AbortSignal.timeout(300) });
      const body = (await res.json()) as { role?: unknown; state?: unknown; timeline?: unknown };
      const out: { role?: string; state?: string; timeline?: number } = {};
      if (typeof body.role === 'string') out.role = body.role;
      if (typeof body.state === 'string') out.state = body.state;
      if (typeof body.timeline === 'number') out.timeline = body.timeline;
      return out;
    } catch {
      return undefined;
    }
  }
}
