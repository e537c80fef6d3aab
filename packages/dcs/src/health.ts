/** etcd health: member list, per-endpoint status, alarms and a quorum verdict in words. */
import { isPatroniKitError } from '@patroni-kit/errors';
import { type CallOptions, type ConnectionOptions, Etcd3Transport, normalizeEndpoint } from './transport.js';
import type { EndpointStatus, EtcdHealth, EtcdMember, QuorumVerdict } from './types.js';

function errInfo(err: unknown): { code: string; message: string } {
  return isPatroniKitError(err)
    ? { code: err.code, message: err.message }
    : { code: 'DCS', message: err instanceof Error ? err.message : String(err) };
}

/** Probes one endpoint with a client that talks to it alone and never retries elsewhere. */
async function probe(conn: ConnectionOptions, endpoint: string, opts: CallOptions): Promise<EndpointStatus> {
  const t = new Etcd3Transport({ ...conn, endpoints: [endpoint], probe: true });
  const out: EndpointStatus = { endpoint, reachable: false, healthy: false };
  try {
    const s = await t.status(opts);
    out.reachable = true;
    out.memberId = s.memberId;
    out.clusterId = s.clusterId;
    out.leaderId = s.leaderId;
    out.isLeader = s.leaderId !== '0' && s.leaderId === s.memberId;
    out.raftTerm = s.raftTerm;
    out.raftIndex = s.raftIndex;
    out.raftAppliedIndex = s.raftAppliedIndex;
    out.dbSize = s.dbSize;
    if (s.dbSizeInUse !== undefined) out.dbSizeInUse = s.dbSizeInUse;
    out.version = s.version;
    if (s.errors.length) out.errors = s.errors;
    if (s.leaderId === '0') {
      out.error = { code: 'QUORUM', message: 'member knows no raft leader' };
      return out;
    }
    // Like `etcdctl endpoint health`: a linearizable read must go through raft; permission denied still proves it.
    try {
      await t.range('health', opts);
      out.healthy = true;
    } catch (err) {
      if (isPatroniKitError(err, 'AUTH') && /permission/i.test((err as Error).message)) out.healthy = true;
      else out.error = errInfo(err);
    }
  } catch (err) {
    out.error = errInfo(err);
  } finally {
    t.close();
  }
  return out;
}

/**
 * The verdict sentence. `up` members answered; `serving` says whether any of them could complete a
 * linearizable read (a raft leader exists and commits).
 */
export function quorumVerdict(
  up: number,
  total: number,
  serving = up > 0,
  leaderName?: string,
): QuorumVerdict {
  const needed = Math.floor(total / 2) + 1;
  const base = { healthy: up, total, needed };
  if (total === 0) return { state: 'lost', ...base, message: 'quorum unknown: no etcd member answered' };
  if (up < needed) {
    return {
      state: 'lost',
      ...base,
      message: `quorum lost: ${up} of ${total} members healthy, Patroni cannot elect a leader`,
    };
  }
  if (!serving) {
    return {
      state: 'lost',
      ...base,
      message: `quorum lost: ${up} of ${total} members up but etcd has no leader, Patroni cannot elect a leader`,
    };
  }
  if (up < total) {
    const spare = up - needed;
    return {
      state: 'degraded',
      ...base,
      message: `quorum holds: ${up} of ${total} members healthy (${needed} needed); ${
        spare === 0 ? 'one more failure stops leader elections' : `${spare} more failure(s) tolerated`
      }`,
    };
  }
  return {
    state: 'ok',
    ...base,
    message: `quorum ok: ${up} of ${total} members healthy${leaderName ? `, etcd leader ${leaderName}` : ''}`,
  };
}

/** Health of the etcd cluster behind `conn.endpoints` (and every client URL its members advertise). */
export async function etcdHealth(conn: ConnectionOptions, opts: CallOptions = {}): Promise<EtcdHealth> {
  const given = conn.endpoints.map(normalizeEndpoint);
  const warnings: string[] = [];
  let members: EtcdMember[] = [];
  const first = await Promise.all(given.map((e) => probe(conn, e, opts)));
  // Member list from the first endpoint that answers it (served locally, works without quorum).
  for (const e of first.filter((s) => s.reachable)) {
    const t = new Etcd3Transport({ ...conn, endpoints: [e.endpoint], probe: true });
    try {
      members = (await t.memberList(opts)).members;
      break;
    } catch (err) {
      warnings.push(`member list from ${e.endpoint} failed: ${errInfo(err).message}`);
    } finally {
      t.close();
    }
  }
  const seen = new Set(given);
  const extra: string[] = [];
  for (const m of members) {
    const urls = m.clientUrls.map((u) => {
      try {
        return normalizeEndpoint(u);
      } catch {
        return u;
      }
    });
    // Probe a member through one of its own URLs only when none of the given endpoints reached it.
    if (!first.some((s) => s.memberId === m.id) && urls.length > 0 && !urls.some((u) => seen.has(u))) {
      extra.push(urls[0]!);
      seen.add(urls[0]!);
    }
  }
  const endpoints = [...first, ...(await Promise.all(extra.map((e) => probe(conn, e, opts))))];
  const names = new Map(members.map((m) => [m.id, m.name]));
  for (const s of endpoints) {
    if (s.memberId && names.has(s.memberId)) s.name = names.get(s.memberId)!;
    else {
      const m = members.find((m) => m.clientUrls.some((u) => u.replace(/\/$/, '') === s.endpoint));
      if (m) s.name = m.name;
    }
  }
  const upIds = new Set(endpoints.filter((s) => s.reachable).map((s) => s.memberId ?? s.endpoint));
  const serving = endpoints.some((s) => s.healthy);
  const total = members.length > 0 ? members.filter((m) => !m.isLearner).length : given.length;
  const leaderIds = new Set(endpoints.filter((s) => s.healthy && s.leaderId).map((s) => s.leaderId!));
  const leaderId = leaderIds.size === 1 ? [...leaderIds][0]! : undefined;
  if (leaderIds.size > 1)
    warnings.push(`endpoints disagree on the etcd leader: ${[...leaderIds].join(', ')}`);
  const clusterIds = new Set(endpoints.filter((s) => s.clusterId).map((s) => s.clusterId!));
  if (clusterIds.size > 1)
    warnings.push(`endpoints belong to different etcd clusters: ${[...clusterIds].join(', ')}`);
  const versions = new Set(endpoints.filter((s) => s.version).map((s) => s.version!));
  if (versions.size > 1) warnings.push(`mixed etcd versions: ${[...versions].join(', ')}`);
  const indexes = endpoints.filter((s) => s.healthy && s.raftIndex).map((s) => Number(s.raftIndex));
  if (indexes.length > 1) {
    const spread = Math.max(...indexes) - Math.min(...indexes);
    if (spread > 1000) warnings.push(`raft index spread is ${spread}: a member is catching up`);
  }
  let alarms: EtcdHealth['alarms'];
  const anyHealthy = endpoints.find((s) => s.healthy);
  if (anyHealthy) {
    const t = new Etcd3Transport({ ...conn, endpoints: [anyHealthy.endpoint], probe: true });
    try {
      alarms = (await t.alarms(opts)).map((a) => ({
        ...a,
        ...(names.has(a.memberId) ? { member: names.get(a.memberId)! } : {}),
      }));
      for (const a of alarms) {
        warnings.push(
          a.alarm === 'Nospace' || a.alarm === 'NOSPACE'
            ? `alarm NOSPACE on ${a.member ?? a.memberId}: etcd is read-only; compact, defragment, then disarm`
            : `alarm ${a.alarm} on ${a.member ?? a.memberId}`,
        );
      }
    } catch (err) {
      warnings.push(`alarms unavailable: ${errInfo(err).message}`);
    } finally {
      t.close();
    }
  }
  const health: EtcdHealth = {
    endpoints,
    members,
    quorum: quorumVerdict(
      Math.min(upIds.size, total),
      total,
      serving,
      leaderId ? names.get(leaderId) : undefined,
    ),
    warnings,
  };
  if (alarms !== undefined) health.alarms = alarms;
  if (leaderId)
    health.leader = { id: leaderId, ...(names.has(leaderId) ? { name: names.get(leaderId)! } : {}) };
  return health;
}
