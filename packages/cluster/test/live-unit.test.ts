/** The live model's pure parts: the typed events between two views and between two etcd health reports. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EtcdHealth } from '@patroni-kit/dcs';
import {
  Cluster,
  type ClusterView,
  clusterTimeline,
  diffEtcd,
  diffViews,
  type MemberView,
  watchCluster,
} from '../src/index.js';

type Loose<T> = { [K in keyof T]?: T[K] | undefined };

/** A member; a key given as `undefined` is left out (a leader has no lag). */
function member(name: string, over: Loose<MemberView> = {}): MemberView {
  const m = {
    name,
    role: 'replica',
    state: 'streaming',
    timeline: 1,
    lag: 0,
    pendingRestart: false,
    tags: {},
    inDcs: true,
    live: { reachable: true },
    ...over,
  } as Record<string, unknown>;
  for (const k of Object.keys(m)) if (m[k] === undefined) delete m[k];
  return m as unknown as MemberView;
}

function view(members: MemberView[], over: Partial<ClusterView> = {}): ClusterView {
  const leader = members.find((m) => m.role === 'leader')?.name ?? null;
  return {
    scope: 'c',
    source: 'dcs',
    leader,
    confirmedLeader: leader,
    paused: false,
    members,
    synchronousMode: 'off',
    syncStandbys: [],
    disagreements: [],
    advisories: [],
    warnings: [],
    at: '2026-12-01T00:00:00Z',
    config: { ttl: 30, loop_wait: 10 },
    configRevision: '1',
    ...over,
  };
}

const types = (events: Array<{ type: string }>) => events.map((e) => e.type);

describe('diffViews', () => {
  const base = view([
    member('n1', { role: 'leader', state: 'running', lag: undefined }),
    member('n2'),
    member('n3'),
  ]);

  it('a switchover: leader, roles, no failover', () => {
    const next = view([
      member('n1'),
      member('n2', { role: 'leader', state: 'running', lag: undefined, timeline: 2 }),
      member('n3', { timeline: 2 }),
    ]);
    const ev = diffViews(base, next);
    const leader = ev.find((e) => e.type === 'leader-changed');
    assert.deepEqual(leader, {
      type: 'leader-changed',
      from: 'n1',
      to: 'n2',
      lockHolder: 'n2',
      failover: false,
    });
    assert.deepEqual(
      ev
        .filter((e) => e.type === 'role-changed')
        .map((e) => e.type === 'role-changed' && `${e.member}:${e.to}`),
      ['n1:replica', 'n2:leader'],
    );
    assert.ok(types(ev).includes('timeline-changed'));
    assert.equal(clusterTimeline(next), 2);
  });

  it('a leader kill: unreachable folds into the state, the leader change is a failover', () => {
    const next = view(
      [
        member('n1', { role: 'leader', state: 'running', lag: undefined, live: { reachable: false } }),
        member('n2'),
        member('n3'),
      ],
      { confirmedLeader: null },
    );
    const ev = diffViews(base, next);
    assert.deepEqual(
      ev.find((e) => e.type === 'leader-changed'),
      { type: 'leader-changed', from: 'n1', to: null, lockHolder: 'n1', failover: true },
    );
    assert.deepEqual(
      ev.find((e) => e.type === 'state-changed'),
      { type: 'state-changed', member: 'n1', from: 'running', to: 'unreachable' },
    );
  });

  it('members added and removed, lag crossing both ways, pause, config', () => {
    const a = view([...base.members, member('n4', { lag: 10 })]);
    const b = view(
      [base.members[0]!, member('n2', { lag: 5_000_000 }), member('n4', { lag: 10 }), member('n5')],
      { paused: true, config: { ttl: 20, loop_wait: 10, pause: true }, configRevision: '2' },
    );
    const ev = diffViews(a, b);
    assert.deepEqual(types(ev).sort(), [
      'config-changed',
      'lag-threshold-crossed',
      'member-added',
      'member-removed',
      'paused',
    ]);
    assert.deepEqual(
      ev.find((e) => e.type === 'config-changed'),
      { type: 'config-changed', changed: ['ttl'] },
    );
    const back = diffViews(
      b,
      view(
        b.members.map((m) => (m.name === 'n2' ? member('n2') : m)),
        { config: b.config!, configRevision: '2' },
      ),
    );
    assert.deepEqual(types(back).sort(), ['lag-threshold-crossed', 'resumed']);
    const lag = back.find((e) => e.type === 'lag-threshold-crossed');
    assert.equal(lag?.type === 'lag-threshold-crossed' && lag.direction, 'below');
  });

  it('a REST view without config is not a config change', () => {
    const { config: _c, configRevision: _r, ...rest } = base;
    assert.deepEqual(diffViews(base, { ...rest, source: 'rest' }), []);
  });
});

describe('diffEtcd', () => {
  const health = (healthy: boolean[], state: 'ok' | 'degraded' | 'lost'): EtcdHealth => ({
    endpoints: healthy.map((h, i) => ({
      endpoint: `http://e${i + 1}:2379`,
      name: `e${i + 1}`,
      reachable: h,
      healthy: h,
    })),
    members: [],
    quorum: { state, healthy: healthy.filter(Boolean).length, total: 3, needed: 2, message: state },
    warnings: [],
  });

  it('member down, quorum lost, quorum regained, members up', () => {
    const ok = health([true, true, true], 'ok');
    const one = health([false, true, true], 'degraded');
    const lost = health([false, false, true], 'lost');
    assert.deepEqual(types(diffEtcd(undefined, ok)), []);
    assert.deepEqual(diffEtcd(ok, one), [{ type: 'etcd-member-down', member: 'e1' }]);
    assert.deepEqual(types(diffEtcd(one, lost)), ['etcd-quorum-lost', 'etcd-member-down']);
    assert.deepEqual(types(diffEtcd(lost, ok)), ['etcd-quorum-regained', 'etcd-member-up', 'etcd-member-up']);
  });
});

describe('watchCluster options', () => {
  it('refuses bad intervals with a USAGE error naming the option', async () => {
    const cluster = await Cluster.connect({ restUrls: ['http://127.0.103.4:1'], scope: 'c' });
    assert.throws(
      () => watchCluster(cluster, { pollIntervalMs: -1 }),
      (err: Error & { code?: string }) => err.code === 'USAGE' && /pollIntervalMs/.test(err.message),
    );
    const aborted = watchCluster(cluster, { signal: AbortSignal.abort() });
    assert.equal(aborted.mode, 'closed');
    await assert.rejects(aborted.ready(), (err: Error & { code?: string }) => err.code === 'ABORTED');
    await cluster.close();
  });

  it('an unreachable member: refresh() settles with a CONNECT error and no view; aborting the signal closes', async () => {
    // Nothing listens on 127.0.103.4:1 (this suite's block): the connection is refused at once.
    const cluster = await Cluster.connect({ restUrls: ['http://127.0.103.4:1'], scope: 'c' });
    const ac = new AbortController();
    const live = watchCluster(cluster, { signal: ac.signal, pollIntervalMs: 60_000 });
    const lost = new Promise<string>((resolve) => {
      live.on((e) => {
        if (e.type === 'connection-lost') resolve(`${e.source}:${e.error.code}`);
      });
    });
    assert.equal(await live.refresh(), undefined);
    assert.equal(live.lastError?.code, 'CONNECT');
    assert.equal(await lost, 'rest:CONNECT');
    assert.equal(live.mode, 'rest-poll');
    const ready = live.ready();
    ac.abort();
    await assert.rejects(ready, (err: Error & { code?: string }) => err.code === 'ABORTED');
    assert.equal(live.mode, 'closed');
    await cluster.close();
  });
});
