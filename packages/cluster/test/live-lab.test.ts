/**
 * The live model against a real cluster (Patroni 4.0.7 + etcd 3.5, fast timing, lab on 127.0.103.11-13,
 * HAProxy 127.0.103.1): a switchover, a member stop, etcd members stopped (one, then quorum) and started
 * again, and a leader kill each reach a subscriber as the right typed events and as a new view; after etcd
 * comes back the model reports the connection restored and a fresh DCS view. Latencies are printed as
 * diagnostics (figures, not thresholds).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Lab, type LabStatus } from '@patroni-kit/lab';
import { Cluster, type LiveCluster, type LiveEvent, type LiveEventOf, watchCluster } from '../src/index.js';
import { labDir } from './helpers.js';

type Stamped = LiveEvent & { t: number };

describe('live model on a real cluster', { timeout: 10 * 60_000 }, () => {
  const dir = labDir('live');
  const lab = new Lab({
    dir,
    patroni: '4.0.7',
    etcd: '3.5',
    profile: 'fast',
    hosts: ['127.0.103.11', '127.0.103.12', '127.0.103.13'],
    haproxyHost: '127.0.103.1',
  });
  let status: LabStatus;
  let cluster: Cluster;
  let live: LiveCluster;
  const events: Stamped[] = [];
  const waiters = new Set<() => void>();

  /** Waits (bounded) for an event after index `from` that matches; returns it. */
  async function waitEvent<T extends LiveEvent['type']>(
    from: number,
    type: T,
    match: (e: LiveEventOf<T> & { t: number }) => boolean,
    boundMs: number,
    what: string,
  ): Promise<LiveEventOf<T> & { t: number }> {
    const deadline = Date.now() + boundMs;
    while (true) {
      const hit = events
        .slice(from)
        .find((e) => e.type === type && match(e as unknown as LiveEventOf<T> & { t: number }));
      if (hit) return hit as unknown as LiveEventOf<T> & { t: number };
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `${what}: no ${type} within ${boundMs} ms; saw ${events
            .slice(from)
            .map((e) => summary(e))
            .join(', ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 1000));
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  function summary(e: LiveEvent): string {
    switch (e.type) {
      case 'view':
        return `view(${e.reason},${e.view.source},leader=${e.view.confirmedLeader})`;
      case 'leader-changed':
        return `leader ${e.from}->${e.to}${e.failover ? ' failover' : ''}`;
      case 'state-changed':
      case 'role-changed':
        return `${e.type} ${e.member} ${e.from}->${e.to}`;
      case 'member-added':
      case 'member-removed':
      case 'etcd-member-down':
      case 'etcd-member-up':
        return `${e.type} ${e.member}`;
      case 'connection-lost':
        return `connection-lost ${e.source} ${e.error.code}`;
      case 'connection-restored':
        return `connection-restored ${e.source}`;
      default:
        return e.type;
    }
  }

  /** The DCS-event → REST-confirmed-view latencies of the views since `from`. */
  function viewLatencies(from: number): number[] {
    return events
      .slice(from)
      .flatMap((e) => (e.type === 'view' && e.dcsEventAt !== undefined ? [e.readyAt - e.dcsEventAt] : []));
  }

  function report(t: TestContext, what: string, from: number, start: number, ev: { t: number }): void {
    const lat = viewLatencies(from).sort((a, b) => a - b);
    const median = lat.length ? lat[Math.floor(lat.length / 2)]!.toFixed(1) : 'n/a';
    t.diagnostic(
      `${what}: event after ${(ev.t - start).toFixed(0)} ms; DCS event -> confirmed view median ${median} ms over ${lat.length} views; events: ${events
        .slice(from)
        .filter((e) => e.type !== 'view' && e.type !== 'etcd')
        .map(summary)
        .join(', ')}`,
    );
  }

  before(async () => {
    status = await lab.up();
    cluster = await Cluster.connect({ configFile: status.ctlConfig });
    await cluster.waitForHealthy({ timeoutMs: 180_000 });
    live = watchCluster(cluster, {
      etcdHealthIntervalMs: 1000,
      confirmIntervalMs: 2000,
      pollIntervalMs: 1000,
    });
    live.on((e) => {
      events.push({ ...e, t: performance.now() });
      for (const w of waiters) w();
    });
    const view = await live.ready();
    assert.equal(view.members.length, 3);
    await waitEvent(0, 'etcd', (e) => e.health.quorum.state === 'ok', 30_000, 'first etcd health');
    assert.equal(live.mode, 'dcs');
  });

  after(async () => {
    await live?.close();
    await cluster?.close();
    await lab.down({ purge: true });
    rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('switchover: leader-changed and role-changed, then a view with the new confirmed leader', async (t) => {
    const from = events.length;
    const leader = live.view!.confirmedLeader!;
    const candidate = live.view!.members.find((m) => m.name !== leader)!.name;
    const start = performance.now();
    const res = await cluster.switchover({ leader, candidate, timeoutMs: 60_000 });
    assert.equal(res.outcome, 'succeeded', res.reason);
    const changed = await waitEvent(from, 'leader-changed', (e) => e.to === candidate, 30_000, 'switchover');
    assert.equal(changed.failover, false, 'a switchover is not a failover');
    await waitEvent(from, 'role-changed', (e) => e.member === candidate && e.to === 'leader', 30_000, 'role');
    await waitEvent(from, 'role-changed', (e) => e.member === leader && e.to !== 'leader', 30_000, 'old');
    const v = await waitEvent(from, 'view', (e) => e.view.confirmedLeader === candidate, 30_000, 'view');
    assert.equal(v.view.source, 'dcs');
    assert.ok(viewLatencies(from).length > 0, 'views were driven by DCS events');
    report(t, 'switchover', from, start, changed);
  });

  it('member stop and start: the member goes down and comes back, each in a new view', async (t) => {
    // Right after the switchover the old leader restarts as a replica: start from a settled cluster.
    const settled = await waitEvent(
      events.length,
      'view',
      (e) =>
        e.view.confirmedLeader !== null &&
        e.view.members.every((m) => m.name === e.view.confirmedLeader || m.state === 'streaming'),
      60_000,
      'every replica streaming',
    );
    const from = events.length;
    const replica = settled.view.members.find((m) => m.name !== settled.view.confirmedLeader)!.name;
    const start = performance.now();
    await lab.stop(replica);
    const down = await waitEvent(
      from,
      'view',
      (e) => {
        const m = e.view.members.find((x) => x.name === replica);
        return m === undefined || m.live?.reachable === false || m.state === 'stopped';
      },
      60_000,
      'view with the member down',
    );
    assert.ok(
      events
        .slice(from)
        .some(
          (e) =>
            (e.type === 'state-changed' &&
              e.member === replica &&
              !['running', 'streaming'].includes(e.to)) ||
            (e.type === 'member-removed' && e.member === replica),
        ),
      'a state-changed or member-removed event for the member',
    );
    report(t, `stop ${replica}`, from, start, down);
    const back = events.length;
    const backStart = performance.now();
    await lab.start(replica);
    const up = await waitEvent(
      back,
      'view',
      (e) => e.view.members.find((x) => x.name === replica)?.state === 'streaming',
      120_000,
      'member back',
    );
    assert.ok(
      events
        .slice(back)
        .some(
          (e) =>
            (e.type === 'state-changed' && e.member === replica && e.to === 'streaming') ||
            (e.type === 'member-added' && e.member === replica),
        ),
      'a state-changed or member-added event for the member',
    );
    report(t, `start ${replica}`, back, backStart, up);
  });

  it('etcd: a member stop, then quorum lost and regained; the model recovers with a fresh DCS view', async (t) => {
    const from = events.length;
    const start = performance.now();
    await lab.stop('e1');
    const down = await waitEvent(from, 'etcd-member-down', (e) => e.member === 'e1', 30_000, 'e1 down');
    await waitEvent(from, 'view', (e) => e.t > down.t, 30_000, 'a view after e1 stopped');
    assert.equal(live.etcd?.quorum.state, 'degraded');
    report(t, 'etcd e1 stop', from, start, down);

    const q = events.length;
    const qStart = performance.now();
    await lab.stop('e2');
    const lost = await waitEvent(q, 'etcd-quorum-lost', () => true, 30_000, 'quorum lost');
    const conn = await waitEvent(q, 'connection-lost', (e) => e.source === 'dcs', 30_000, 'dcs lost');
    assert.ok(['QUORUM', 'DCS', 'TIMEOUT', 'CONNECT'].includes(conn.error.code), conn.error.code);
    assert.ok(
      !events.slice(q).some((e) => e.type === 'config-changed'),
      'losing etcd is not a config change',
    );
    await waitEvent(
      q,
      'view',
      (e) => e.view.source === 'rest',
      60_000,
      'a REST view while etcd has no quorum',
    );
    assert.equal(live.mode, 'rest-poll');
    report(t, 'etcd quorum lost', q, qStart, lost);

    const r = events.length;
    const rStart = performance.now();
    await lab.start('e1');
    await lab.start('e2');
    const regained = await waitEvent(r, 'etcd-quorum-regained', () => true, 60_000, 'quorum regained');
    await waitEvent(r, 'connection-restored', (e) => e.source === 'dcs', 60_000, 'dcs restored');
    await waitEvent(
      r,
      'view',
      (e) => e.view.source === 'dcs' && e.view.confirmedLeader !== null && e.t > regained.t,
      120_000,
      'a fresh DCS view with a leader',
    );
    await waitEvent(r, 'etcd', (e) => e.health.quorum.state === 'ok', 60_000, 'etcd all healthy');
    assert.equal(live.mode, 'dcs');
    report(t, 'etcd back', r, rStart, regained);
  });

  it('leader kill: the leader becomes unreachable, a failover leader-changed, a new timeline, a new view', async (t) => {
    await lab.waitSettled();
    const from = events.length;
    const leader = live.view!.confirmedLeader!;
    const timeline = live.view!.members.find((m) => m.name === leader)!.timeline!;
    const start = performance.now();
    await lab.kill(leader);
    const gone = await waitEvent(
      from,
      'leader-changed',
      (e) => e.from === leader && e.failover,
      60_000,
      'leader lost',
    );
    const next = await waitEvent(
      from,
      'leader-changed',
      (e) => e.to !== null && e.to !== leader,
      120_000,
      'new leader',
    );
    await waitEvent(from, 'timeline-changed', (e) => e.to > timeline, 60_000, 'new timeline');
    await waitEvent(
      from,
      'state-changed',
      (e) => e.member === leader && e.to === 'unreachable',
      60_000,
      'old leader unreachable',
    );
    const v = await waitEvent(from, 'view', (e) => e.view.confirmedLeader === next.to, 30_000, 'view');
    assert.equal(v.view.source, 'dcs');
    report(t, `kill ${leader} (leader lost)`, from, start, gone);
    report(t, `kill ${leader} (new leader ${next.to})`, from, start, next);
  });
});
