/** Reads: `list`, `topology`, `history`, `show-config`, `dsn`, `version`, `query`. */
import type { DynamicConfig } from '@patroni-kit/dcs';
import { PatroniKitError } from '@patroni-kit/errors';
import type { PatroniClient } from '@patroni-kit/rest';
import { type OpContext, pickMember, withSignal } from '../context.js';
import type { StatusOptions } from '../reader.js';
import type { ClusterView, MemberView } from '../types.js';
import type { RoleFilter } from '../view.js';
import { type SqlOptions, withPg } from './sql.js';

/** One row of `version`. */
export interface MemberVersion {
  member: string;
  patroni?: string;
  postgres?: string;
  error?: string;
}

/** Result of `query`. */
export interface QueryResult {
  member: string;
  columns: string[];
  rows: unknown[][];
}

/** Options of `query`. */
export type QueryOptions = StatusOptions &
  Omit<SqlOptions, 'replication' | 'signal'> & { role?: RoleFilter; member?: string; params?: unknown[] };

/** `patronictl topology`: members as a tree by the `replicatefrom` tag (leader first). */
export async function topology(
  ctx: OpContext,
  opts: StatusOptions = {},
): Promise<{ view: ClusterView; tree: Array<{ member: MemberView; depth: number }> }> {
  const view = await ctx.read(opts);
  const byUpstream = new Map<string, MemberView[]>();
  const names = new Set(view.members.map((m) => m.name));
  const roots: MemberView[] = [];
  for (const m of view.members) {
    const up = typeof m.tags.replicatefrom === 'string' ? m.tags.replicatefrom : undefined;
    const parent = m.name === view.leader ? undefined : up && names.has(up) ? up : (view.leader ?? undefined);
    if (parent === undefined || !names.has(parent)) roots.push(m);
    else byUpstream.set(parent, [...(byUpstream.get(parent) ?? []), m]);
  }
  roots.sort(
    (a, b) => Number(b.name === view.leader) - Number(a.name === view.leader) || (a.name < b.name ? -1 : 1),
  );
  const tree: Array<{ member: MemberView; depth: number }> = [];
  const seen = new Set<string>();
  const walk = (m: MemberView, depth: number) => {
    if (seen.has(m.name)) return;
    seen.add(m.name);
    tree.push({ member: m, depth });
    for (const child of byUpstream.get(m.name) ?? []) walk(child, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  for (const m of view.members) walk(m, 0); // members in a replicatefrom cycle
  return { view, tree };
}

/** The REST client of some member that answers (for the `GET /cluster` fallbacks). */
export function anyClient(ctx: OpContext, view: ClusterView): Promise<PatroniClient> {
  const m = view.members.find((x) => x.live?.reachable && x.apiUrl) ?? view.members.find((x) => x.apiUrl);
  return ctx.rest(m ?? ctx.target.restUrls[0] ?? '');
}

/** `patronictl history`: timeline switches (DCS `history`, REST `/history` as fallback). */
export async function history(
  ctx: OpContext,
  opts: StatusOptions = {},
): Promise<NonNullable<ClusterView['history']>> {
  const view = await ctx.read({ ...opts, live: false });
  if (view.history) return view.history;
  if (view.source === 'dcs') return [];
  const rows = await (await anyClient(ctx, view)).getHistory(withSignal(opts.signal));
  return rows.map((r) => {
    const e: { timeline: number; lsn: number; reason: string; timestamp?: string; newLeader?: string } = {
      timeline: r[0],
      lsn: r[1],
      reason: r[2],
    };
    if (r[3] !== undefined) e.timestamp = r[3];
    if (r[4] !== undefined) e.newLeader = r[4];
    return e;
  });
}

/** `patronictl show-config`: the dynamic configuration (DCS `config`, REST `/config` as fallback). */
export async function showConfig(ctx: OpContext, opts: StatusOptions = {}): Promise<DynamicConfig> {
  const view = await ctx.read({ ...opts, live: false });
  return configOf(ctx, view, opts.signal);
}

/** The configuration of `view`, asking a member's `GET /config` when the view came from REST. */
export async function configOf(
  ctx: OpContext,
  view: ClusterView,
  signal?: AbortSignal,
): Promise<DynamicConfig> {
  if (view.config) return view.config;
  if (view.source === 'dcs')
    throw new PatroniKitError('NOT_FOUND', `The config key does not exist in the cluster ${ctx.scope}`, {
      hint: 'the key is written when the cluster bootstraps',
    });
  return (await (await anyClient(ctx, view)).getConfig(withSignal(signal))) as DynamicConfig;
}

function suitable(
  view: ClusterView,
  opts: { role?: RoleFilter; member?: string },
): MemberView & { host: string } {
  const m = pickMember(view, opts);
  if (!m?.host)
    throw new PatroniKitError('NOT_FOUND', 'Can not find a suitable member', {
      hint: `members: ${view.members.map((x) => x.name).join(', ') || 'none'}`,
    });
  return m as MemberView & { host: string };
}

/** `patronictl dsn`: `host=H port=P` of the leader, of a role or of a member. */
export async function dsn(
  ctx: OpContext,
  opts: StatusOptions & { role?: RoleFilter; member?: string } = {},
): Promise<string> {
  const m = suitable(await ctx.read({ ...opts, live: false }), opts);
  return `host=${m.host} port=${m.port ?? 5432}`;
}

/** `patronictl version`: Patroni and PostgreSQL versions of each member (from its `/patroni`). */
export async function version(
  ctx: OpContext,
  opts: StatusOptions & { members?: string[] } = {},
): Promise<MemberVersion[]> {
  const view = await ctx.read(opts);
  const wanted = opts.members?.length ? opts.members : view.members.map((m) => m.name);
  return wanted.map((name) => {
    const m = view.members.find((x) => x.name === name);
    if (!m) return { member: name, error: `not a member of ${view.scope}` };
    const row: MemberVersion = { member: name };
    if (m.live?.patroniVersion) row.patroni = m.live.patroniVersion;
    const v = m.live?.serverVersion;
    if (v !== undefined)
      row.postgres =
        v >= 100000
          ? `${Math.floor(v / 10000)}.${v % 10000}`
          : `${Math.floor(v / 10000)}.${Math.floor(v / 100) % 100}.${v % 100}`;
    if (!m.live?.reachable) row.error = m.live?.error?.message ?? 'not reachable';
    return row;
  });
}

/**
 * `patronictl query`: runs SQL on a member (default the leader) with npm `pg`. For role filters it checks
 * `pg_is_in_recovery()` matches the role.
 */
export async function query(ctx: OpContext, sql: string, opts: QueryOptions = {}): Promise<QueryResult> {
  const m = suitable(await ctx.read({ ...opts, live: false }), opts);
  return withPg(ctx, m, opts, async (client) => {
    if (opts.role && opts.role !== 'any' && opts.role !== 'leader') {
      const r = await client.query<{ r: boolean }>('select pg_is_in_recovery() as r');
      const inRecovery = r.rows[0]?.r === true;
      const wantRecovery =
        opts.role === 'replica' || opts.role === 'standby' || opts.role === 'standby-leader';
      if (inRecovery !== wantRecovery)
        throw new PatroniKitError(
          'PRECHECK',
          `${m.name} is ${inRecovery ? '' : 'not '}in recovery, so it is not a ${opts.role}`,
          { hint: 'the roles just changed; read the cluster again' },
        );
    }
    const res = await client.query({ text: sql, values: opts.params ?? [], rowMode: 'array' });
    return {
      member: m.name,
      columns: (res.fields ?? []).map((f) => f.name),
      rows: (res.rows ?? []) as unknown[][],
    };
  });
}
