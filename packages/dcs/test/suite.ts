/** The etcd integration suite, run once per etcd version (see etcd34.test.ts, etcd35.test.ts). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isPatroniKitError, type PatroniKitError } from '@patroni-kit/errors';
import { Etcd3 } from 'etcd3';
import { type ClusterWatch, DcsClient } from '../src/index.js';
import { Collector } from './collector.js';
import { ETCD, EtcdCluster, type EtcdVersion, waitFor } from './etcd-cluster.js';
import { memberValue, seedCluster } from './fixtures.js';

async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<PatroniKitError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isPatroniKitError(err), `expected a PatroniKitError, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    if (message) assert.match(err.message, message);
    assert.ok(err.hint && err.hint.length > 10, 'errors carry a hint');
    return err;
  }
  assert.fail(`expected rejection with ${code}`);
}

export { rejects };

/** Registers the whole suite for `version` on the three `hosts`. */
export function etcdSuite(version: EtcdVersion, hosts: [string, string, string]): void {
  describe(`DCS on etcd ${ETCD[version].full}`, () => {
    const dir = mkdtempSync(join(tmpdir(), `pk-dcs-${version}-`));
    const cluster = new EtcdCluster({ version, hosts, dir });
    let raw: Etcd3;
    let dcs: DcsClient;
    const watches: ClusterWatch[] = [];
    const put = (key: string, value: string) => raw.put(key).value(value).exec();

    before(async () => {
      await cluster.start();
      raw = new Etcd3({ hosts: cluster.endpoints });
      await seedCluster(raw, 'service', 'demo', '3.0');
      await seedCluster(raw, 'service', 'demo4', '4.1');
      await seedCluster(raw, 'otherns', 'elsewhere', '4.1');
      dcs = new DcsClient({ endpoints: cluster.endpoints, namespace: '/service/', timeoutMs: 4000 });
    });

    after(async () => {
      for (const w of watches) await w.close();
      dcs?.close();
      raw?.close();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('decodes the hand-written 3.0-shaped fixture keys (master role, optime/leader) seeded into real etcd, with lease TTLs', async () => {
      const s = await dcs.readCluster('demo');
      assert.equal(s.scope, 'demo');
      assert.equal(s.prefix, '/service/demo/');
      assert.match(s.revision, /^\d+$/);
      assert.equal(s.systemId, '7712147284903196905');
      assert.equal(s.leader?.value, 'n1');
      assert.deepEqual(
        s.members.map((m) => [m.name, m.role, m.isLeader]),
        [
          ['n1', 'primary', true],
          ['n2', 'replica', false],
          ['n3', 'replica', false],
        ],
      );
      assert.equal(s.members[0]!.value.role, 'master', 'raw role is kept');
      assert.equal(s.members[1]!.host, '127.0.5.12');
      assert.equal(s.members[1]!.port, 5432);
      assert.equal(s.members[1]!.lag, 248);
      assert.equal(s.members[2]!.lag, 3 * 1048576);
      assert.equal(s.members[0]!.lag, undefined, 'the leader has no lag');
      assert.deepEqual(s.members[2]!.value.tags, { nofailover: true, mytag: 'abc' });
      assert.ok(s.leader?.lease, 'leader lease TTL read');
      assert.equal(s.leader.lease.grantedTtl, 600);
      assert.ok(s.leader.lease.ttl > 500 && s.leader.lease.ttl <= 600);
      assert.equal(s.leader.leaseId, s.members[0]!.leaseId, 'leader and its member key share a lease');
      for (const m of s.members) assert.ok(m.lease && m.lease.ttl > 0);
      assert.equal(s.config?.value.ttl, 30);
      assert.equal(s.config?.value.synchronous_mode, true);
      assert.deepEqual(s.history?.value, [
        {
          timeline: 1,
          lsn: 67109256,
          reason: 'no recovery target specified',
          timestamp: '2026-11-25T16:32:00.954145+00:00',
          newLeader: 'n1',
        },
      ]);
      assert.deepEqual(s.failover?.value, {});
      assert.deepEqual(s.sync?.value.syncStandbys, ['n2']);
      assert.equal(s.sync?.value.quorum, undefined);
      assert.equal(s.status?.value.optime, 67110248);
      assert.equal(s.optimeLeader?.value, 67110248);
      assert.equal(s.leaderOptime, 67110248);
      assert.deepEqual(Object.keys(s.failsafe?.value ?? {}), ['n1', 'n2']);
      assert.equal(s.paused, false);
      assert.deepEqual(s.problems, []);
      assert.deepEqual(s.unknownKeys, []);
      assert.ok(BigInt(s.config!.modRevision) <= BigInt(s.revision));
    });

    test('decodes the hand-written 4.x-shaped fixture keys (primary role, quorum sync, receive/replay LSN, retain_slots)', async () => {
      const s = await dcs.readCluster('demo4', { leases: false });
      assert.equal(s.members[0]!.value.role, 'primary');
      assert.equal(s.members[0]!.role, 'primary');
      assert.equal(s.members[1]!.value.replication_state, 'streaming');
      assert.equal(s.members[1]!.value.receive_lsn, 67110000);
      assert.equal(s.sync?.value.quorum, 1);
      assert.deepEqual(s.status?.value.retain_slots, ['n1', 'n2', 'n3']);
      assert.deepEqual(s.status?.value.slots, { n2: 67110248 });
      assert.equal(s.config?.value.synchronous_mode, 'quorum');
      assert.equal(s.leader?.lease, undefined, 'leases: false skips TTL reads');
    });

    test('lists the scopes of a namespace, and only of that namespace', async () => {
      const scopes = await dcs.listScopes();
      assert.deepEqual(
        scopes.map((s) => s.scope),
        ['demo', 'demo4'],
      );
      assert.deepEqual(scopes[0]!.members, ['n1', 'n2', 'n3']);
      assert.equal(scopes[0]!.hasLeader, true);
      assert.equal(scopes[0]!.initialized, true);
      const other = new DcsClient({ endpoints: cluster.endpoints, namespace: 'otherns' });
      try {
        assert.deepEqual(
          (await other.listScopes()).map((s) => s.scope),
          ['elsewhere'],
        );
      } finally {
        other.close();
      }
    });

    test('a scope that does not exist is NOT_FOUND and the hint names the clusters that do', async () => {
      const err = await rejects(dcs.readCluster('nosuch'), 'NOT_FOUND', /nosuch/);
      assert.match(err.hint ?? '', /demo, demo4/);
    });

    test('corrupt JSON in a member key is reported, the rest still decodes; strict reads throw DECODE', async () => {
      await put('/service/broken/config', '{"ttl": 30}');
      await put('/service/broken/members/good', memberValue('4.1', 'good', '127.0.5.12', 'replica', 1));
      await put(
        '/service/broken/members/bad',
        '{"conn_url": "postgres://127.0.5.11:5432/postgres", "state": ',
      );
      await put('/service/broken/history', '"not an array"');
      const s = await dcs.readCluster('broken');
      assert.deepEqual(
        s.members.map((m) => [m.name, m.value.state]),
        [
          ['bad', 'unknown'],
          ['good', 'running'],
        ],
      );
      assert.equal(s.problems.length, 2);
      assert.match(s.problems.find((p) => p.key.endsWith('members/bad'))!.message, /not valid JSON/);
      assert.match(s.problems.find((p) => p.key.endsWith('history'))!.message, /not a JSON array/);
      await rejects(dcs.readCluster('broken', { strict: true }), 'DECODE', /members\/bad|history/);
    });

    test('the watch emits typed events for every kind of change', async () => {
      const w = dcs.watchCluster('demo');
      watches.push(w);
      const initial = await w.start();
      assert.equal(initial.leader?.value, 'n1');
      const c = new Collector(w);
      const p = '/service/demo/';

      c.mark();
      await raw.delete().key(`${p}leader`).exec();
      const lost = await c.next('leader-changed');
      assert.equal(lost.from, 'n1');
      assert.equal(lost.to, null);
      await put(`${p}leader`, 'n2');
      const won = await c.next('leader-changed', (e) => e.to === 'n2');
      assert.equal(won.from, null);
      // n2's member key still says replica: it has not promoted, so no timeline is claimed yet.
      assert.equal(won.timeline, undefined);
      assert.ok(BigInt(won.revision) > BigInt(initial.revision));

      await put(`${p}members/n4`, memberValue('3.0', 'n4', '127.0.5.14', 'replica', 67110248));
      const joined = await c.next('member-joined');
      assert.deepEqual([joined.member, joined.role, joined.state], ['n4', 'replica', 'running']);
      await raw.delete().key(`${p}members/n4`).exec();
      assert.equal((await c.next('member-left')).member, 'n4');

      await put(`${p}members/n2`, memberValue('3.0', 'n2', '127.0.5.12', 'leader', 67110248));
      const role = await c.next('role-changed');
      assert.deepEqual([role.member, role.from, role.to], ['n2', 'replica', 'primary']);

      const stopped = JSON.parse(memberValue('3.0', 'n3', '127.0.5.13', 'replica', 67110248 - 3 * 1048576));
      stopped.state = 'stopped';
      await put(`${p}members/n3`, JSON.stringify(stopped));
      const st = await c.next('state-changed');
      assert.deepEqual([st.member, st.from, st.to], ['n3', 'running', 'stopped']);

      await put(`${p}members/n3`, memberValue('3.0', 'n3', '127.0.5.13', 'replica', 67110248));
      const below = await c.next('lag-threshold-crossed');
      assert.deepEqual(
        [below.member, below.direction, below.threshold, below.lag],
        ['n3', 'below', 1048576, 0],
      );
      await put(`${p}members/n3`, memberValue('3.0', 'n3', '127.0.5.13', 'replica', 67110248 - 2 * 1048576));
      const above = await c.next('lag-threshold-crossed', (e) => e.direction === 'above');
      assert.equal(above.lag, 2 * 1048576);

      await dcs.editConfig('demo', { loop_wait: 5, postgresql: { parameters: { work_mem: '8MB' } } });
      const cfg = await c.next('config-changed');
      assert.deepEqual(cfg.changed.sort(), ['loop_wait', 'postgresql.parameters.work_mem']);

      await dcs.editConfig('demo', { pause: true });
      await c.next('paused');
      assert.equal(w.state.paused, true);
      await dcs.editConfig('demo', { pause: null });
      await c.next('resumed');
      await dcs.editConfig('demo', { failsafe_mode: true });
      assert.equal((await c.next('failsafe-mode-changed')).enabled, true);
      await put(
        `${p}failsafe`,
        JSON.stringify({ n1: 'http://a/patroni', n2: 'http://b/patroni', n3: 'http://c/patroni' }),
      );
      assert.deepEqual((await c.next('failsafe-members-changed')).members, ['n1', 'n2', 'n3']);

      await dcs.setFailover('demo', {
        leader: 'n2',
        candidate: 'n3',
        scheduledAt: '2030-01-01T00:00:00+00:00',
      });
      const sw = await c.next('switchover-scheduled');
      assert.deepEqual([sw.leader, sw.candidate, sw.scheduledAt], ['n2', 'n3', '2030-01-01T00:00:00+00:00']);
      await dcs.clearFailover('demo');
      await c.next('switchover-cleared');

      await put(`${p}sync`, JSON.stringify({ leader: 'n2', sync_standby: 'n1,n3' }));
      const sync = await c.next('sync-changed');
      assert.deepEqual([sync.from, sync.to], [['n2'], ['n1', 'n3']]);

      await put(`${p}members/n1`, '{broken');
      const bad = await c.next('key-invalid');
      assert.match(bad.key, /members\/n1$/);
      await put(`${p}members/n1`, memberValue('3.0', 'n1', '127.0.5.11', 'replica', 67110248));
      // The put returns before the watch has delivered the repair: wait (bounded) for the model to heal.
      await waitFor(
        'the repaired member key in the watch model',
        () => w.state.members.find((m) => m.name === 'n1')?.value.state === 'running',
      );
      assert.equal(
        w.state.problems.some((p) => p.key.endsWith('members/n1')),
        false,
      );
      c.stop();
    });

    test('a config key that is not a JSON object is never overwritten by a patch unless asked', async () => {
      await put('/service/badconfig/config', '{"ttl": 30, "loop_wait"');
      const err = await rejects(
        dcs.editConfig('badconfig', { ttl: 20 }),
        'DECODE',
        /does not hold a JSON object/,
      );
      assert.match(err.hint ?? '', /overwriteInvalid/);
      const kept = await raw.get('/service/badconfig/config').string();
      assert.equal(kept, '{"ttl": 30, "loop_wait"', 'the key is untouched');
      const done = await dcs.editConfig('badconfig', { ttl: 20 }, { overwriteInvalid: true });
      assert.deepEqual(done.value, { ttl: 20 });
      assert.deepEqual(JSON.parse((await raw.get('/service/badconfig/config').string()) ?? ''), { ttl: 20 });
    });

    test('CAS writes refuse stale revisions and concurrent changes', async () => {
      const before = await dcs.readCluster('demo4', { leases: false });
      const rev = before.config!.modRevision;
      await dcs.editConfig('demo4', { loop_wait: 7 }, { expectedRevision: rev });
      await rejects(
        dcs.editConfig('demo4', { loop_wait: 8 }, { expectedRevision: rev }),
        'CONFLICT',
        /concurrent/,
      );
      // Someone writes between our read and our write: the transaction must not apply.
      await rejects(
        dcs.editConfig('demo4', async (cur) => {
          await put('/service/demo4/config', JSON.stringify({ ...cur, ttl: 99 }));
          return { ...cur, loop_wait: 9 };
        }),
        'CONFLICT',
      );
      const after = await dcs.readCluster('demo4', { leases: false });
      assert.notEqual(after.config?.value.loop_wait, 9);
      await rejects(dcs.editConfig('nosuch', { ttl: 1 }), 'NOT_FOUND', /config key does not exist/);

      const f = await dcs.setFailover('demo4', { candidate: 'n2' });
      assert.deepEqual(f.value, { member: 'n2' });
      await rejects(
        dcs.setFailover('demo4', { candidate: 'n3' }, { expectedRevision: before.failover!.modRevision }),
        'CONFLICT',
      );
      const s = await dcs.readCluster('demo4', { leases: false });
      assert.deepEqual(s.failover?.value, { member: 'n2' });
      assert.equal(s.failover?.modRevision, f.revision);
      await rejects(dcs.setFailover('demo4', {}), 'USAGE');
    });

    test('removing a cluster is refused while members are alive, allowed with force or when all are gone', async () => {
      await rejects(dcs.removeCluster('demo4'), 'PRECHECK', /live members \(n1, n2, n3/);
      assert.equal((await dcs.readCluster('demo4', { leases: false })).members.length, 3);
      const r = await dcs.removeCluster('demo4', { force: true });
      assert.ok(r.deleted >= 10);
      await rejects(dcs.readCluster('demo4'), 'NOT_FOUND');
      await put('/service/old/config', '{"ttl":30}');
      await put('/service/old/initialize', '123');
      await dcs.removeCluster('old');
      await rejects(dcs.readCluster('old'), 'NOT_FOUND');
    });

    test('the watch survives the stop of the etcd member it is connected to', async () => {
      const w = dcs.watchCluster('demo');
      watches.push(w);
      await w.start();
      const c = new Collector(w);
      const connected = w.endpoint!;
      const idx = cluster.endpoints.indexOf(connected);
      assert.ok(idx >= 0, `watch endpoint ${connected} is one of ours`);
      c.mark();
      await cluster.stopMember(idx);
      await c.next('watch-status', (e) => e.state === 'disconnected');
      await put('/service/demo/leader', 'n3');
      const ev = await c.next('leader-changed', (e) => e.to === 'n3', 30_000);
      assert.equal(ev.from, 'n2');
      const resynced = await c.next('watch-status', (e) => e.state === 'resynced');
      assert.notEqual(w.endpoint, connected, 'moved to another member');
      assert.match(resynced.reason ?? '', /now watching through/);
      await cluster.startMember(idx);
      c.mark();
      await put('/service/demo/leader', 'n1');
      assert.equal((await c.next('leader-changed')).to, 'n1');
      c.stop();
      await w.close();
    });

    test('after compaction of its revision the watch lists again and watches again', async () => {
      // A long grace keeps etcd3's own reconnect (to the same member, from the old revision) in charge.
      const w = dcs.watchCluster('demo', { reconnectGraceMs: 120_000 });
      watches.push(w);
      await w.start();
      const c = new Collector(w);
      const idx = cluster.endpoints.indexOf(w.endpoint!);
      c.mark();
      await cluster.stopMember(idx);
      await c.next('watch-status', (e) => e.state === 'disconnected');
      await put('/service/demo/leader', 'n2');
      await put('/service/demo/members/n5', memberValue('4.1', 'n5', '127.0.5.15', 'replica', 1));
      const res = await put('/service/demo/initialize', '7712147284903196905');
      await raw.kv.compact({ revision: res.header.revision, physical: true });
      await cluster.startMember(idx);
      const st = await c.next('watch-status', (e) => e.state === 'resyncing', 30_000);
      assert.match(st.reason ?? '', /compact/i);
      await c.next('watch-status', (e) => e.state === 'resynced', 30_000);
      assert.equal(w.state.leader?.value, 'n2');
      assert.ok(w.state.members.some((m) => m.name === 'n5'));
      assert.ok(
        c.events.some((e) => e.type === 'member-joined' && e.member === 'n5'),
        'changes found by the resync are events',
      );
      assert.ok(w.resyncs >= 1);
      c.stop();
      await w.close();
    });

    test('etcd health: member list, endpoint status, alarms, quorum ok', async () => {
      const h = await dcs.health();
      assert.equal(h.members.length, 3);
      assert.deepEqual(h.members.map((m) => m.name).sort(), ['e1', 'e2', 'e3']);
      assert.equal(h.endpoints.length, 3);
      for (const e of h.endpoints) {
        assert.equal(e.healthy, true, `${e.endpoint}: ${JSON.stringify(e.error)}`);
        assert.equal(e.version, ETCD[version].full);
        assert.ok(Number(e.raftTerm) >= 2);
        assert.ok(Number(e.raftIndex) > 0);
        assert.ok((e.dbSize ?? 0) > 0);
        assert.equal(e.leaderId, h.leader?.id);
      }
      assert.equal(h.endpoints.filter((e) => e.isLeader).length, 1);
      assert.deepEqual(h.alarms, []);
      assert.equal(h.quorum.state, 'ok');
      assert.match(h.quorum.message, /^quorum ok: 3 of 3 members healthy, etcd leader e[123]$/);
    });

    test('quorum loss (two of three stopped) is reported in words, the watch reports it, then recovery', async () => {
      const w = dcs.watchCluster('demo', { timeoutMs: 1500, maxRetryDelayMs: 1000 });
      watches.push(w);
      await w.start();
      const c = new Collector(w);
      const idx = cluster.endpoints.indexOf(w.endpoint!);
      const other = (idx + 1) % 3;
      c.mark();
      await Promise.all([cluster.stopMember(idx), cluster.stopMember(other)]);
      const h = await dcs.health({ timeoutMs: 1500 });
      assert.equal(h.quorum.state, 'lost');
      assert.equal(h.quorum.message, 'quorum lost: 1 of 3 members healthy, Patroni cannot elect a leader');
      assert.equal(h.endpoints.filter((e) => e.reachable).length, 1);
      await rejects(dcs.readCluster('demo', { timeoutMs: 1500 }), 'TIMEOUT', /did not answer/);
      const retry = await c.next(
        'watch-status',
        (e) => e.state === 'retrying' && e.error !== undefined,
        30_000,
      );
      assert.match(retry.error!.code, /TIMEOUT|CONNECT|QUORUM/);
      await Promise.all([cluster.startMember(idx), cluster.startMember(other)]);
      const back = await waitFor('quorum back', async () => {
        const r = await dcs.health();
        return r.quorum.state === 'ok' && r;
      });
      assert.equal(back.quorum.healthy, 3);
      await c.next('watch-status', (e) => e.state === 'resynced', 30_000);
      c.mark();
      await put('/service/demo/leader', 'n3');
      assert.equal((await c.next('leader-changed')).to, 'n3');
      c.stop();
      await w.close();
    });
  });
}
