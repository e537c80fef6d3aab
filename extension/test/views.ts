/** Test helper: cluster views built by the SDK itself from Patroni-shaped DCS keys (as Patroni 4.0.7 writes them). */
import { type ClusterView, type MemberLive, viewFromDcs } from '@patroni-kit/cluster';
import { buildClusterState, type RawKv } from '@patroni-kit/dcs';

const prefix = '/service/demo/';
let rev = 10;
const kv = (key: string, value: unknown): RawKv => ({
  key: `${prefix}${key}`,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  createRevision: '2',
  modRevision: String(++rev),
  version: '1',
});

export interface MemberSpec {
  name: string;
  role?: 'primary' | 'replica';
  state?: string;
  replicationState?: string | undefined;
  timeline?: number;
  lagBytes?: number;
  tags?: Record<string, unknown>;
  pendingRestart?: boolean;
  /** `false`: its REST API did not answer. */
  reachable?: boolean;
  /** Replicas its `GET /patroni` lists as streaming from it. */
  streaming?: string[];
}

/** A cluster view as `Cluster.list()` returns it, for a cluster described by its DCS keys. */
export function clusterView(opts: {
  leader: string | null;
  members: MemberSpec[];
  paused?: boolean;
  history?: unknown[];
  /** Extra dynamic configuration (e.g. `synchronous_mode: true`) and the `sync` key Patroni writes. */
  config?: Record<string, unknown>;
  sync?: { leader: string; sync_standby: string };
}): ClusterView {
  const optime = 67_108_960;
  const kvs: RawKv[] = [
    kv('initialize', '7712164557215530966'),
    kv('config', {
      loop_wait: 10,
      ttl: 30,
      retry_timeout: 10,
      ...(opts.paused ? { pause: true } : {}),
      ...opts.config,
    }),
    kv('status', { optime }),
  ];
  if (opts.leader) kvs.push(kv('leader', opts.leader));
  if (opts.history) kvs.push(kv('history', opts.history));
  if (opts.sync) kvs.push(kv('sync', opts.sync));
  for (const [i, m] of opts.members.entries())
    kvs.push(
      kv(`members/${m.name}`, {
        conn_url: `postgres://127.0.80.1${i + 1}:5432/postgres`,
        api_url: `http://127.0.80.1${i + 1}:8008/patroni`,
        state: m.state ?? 'running',
        role: m.role ?? (m.name === opts.leader ? 'primary' : 'replica'),
        version: '4.0.7',
        xlog_location: optime - (m.lagBytes ?? 0),
        timeline: m.timeline ?? 1,
        ...(m.replicationState ? { replication_state: m.replicationState } : {}),
        ...(m.tags ? { tags: m.tags } : {}),
        ...(m.pendingRestart ? { pending_restart: true } : {}),
      }),
    );
  const state = buildClusterState(kvs, {
    namespace: 'service',
    scope: 'demo',
    prefix,
    revision: String(rev),
  });
  const live = new Map<string, MemberLive>(
    opts.members.map((m) => [
      m.name,
      m.reachable === false
        ? { reachable: false, error: { code: 'CONNECT', message: `connection refused (${m.name}:8008)` } }
        : {
            reachable: true,
            role: m.role ?? (m.name === opts.leader ? 'primary' : 'replica'),
            state: m.state ?? 'running',
            ...(m.streaming ? { streaming: m.streaming } : {}),
          },
    ]),
  );
  return viewFromDcs(state, live);
}

/** The usual healthy three-node cluster with `leader` leading. */
export function healthy(
  leader = 'n1',
  extra: Partial<Record<string, Partial<MemberSpec>>> = {},
): ClusterView {
  return clusterView({
    leader,
    members: ['n1', 'n2', 'n3'].map((name) => ({
      name,
      ...(name === leader ? {} : { replicationState: 'streaming' }),
      ...extra[name],
    })),
  });
}
