/**
 * Events from a real Patroni cluster (the lab): switchover, leader kill, member stop, on Patroni 3.0.2 with
 * etcd 3.4 and Patroni 4.0.7 with etcd 3.5. Runs one lab at a time on 127.0.5.11-13.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab, type LabStatus } from '@patroni-kit/lab';
import { type ClusterWatch, DcsClient } from '../src/index.js';
import { Collector } from './collector.js';
import { waitFor } from './etcd-cluster.js';

const combos = [
  { patroni: '3.0.2', etcd: '3.4' },
  { patroni: '4.0.7', etcd: '3.5' },
] as const;

for (const combo of combos) {
  describe(`Patroni ${combo.patroni} on etcd ${combo.etcd}: events from the lab`, () => {
    const dir = mkdtempSync(join(tmpdir(), `pk-dcs-lab-${combo.patroni}-`));
    // PostgreSQL runs as 'postgres' and must traverse the folder.
    chmodSync(dir, 0o755);
    const lab = new Lab({
      dir: join(dir, 'lab'),
      hosts: ['127.0.5.11', '127.0.5.12', '127.0.5.13'],
      haproxyHost: '127.0.5.1',
      profile: 'fast',
      etcd: combo.etcd,
      patroni: combo.patroni,
    });
    let status: LabStatus;
    let dcs: DcsClient;
    let watch: ClusterWatch;
    let events: Collector;

    before(async () => {
      status = await lab.up();
      dcs = new DcsClient({ endpoints: status.etcdEndpoints, namespace: status.namespace, timeoutMs: 5000 });
      watch = dcs.watchCluster(status.scope);
      await watch.start();
      events = new Collector(watch);
    });

    after(async () => {
      events?.stop();
      await watch?.close();
      dcs?.close();
      await lab.down({ purge: true });
      rmSync(dir, { recursive: true, force: true });
    });

    test('readCluster sees what Patroni wrote: leader, members with leases, config, initialize', async () => {
      const s = await dcs.readCluster(status.scope);
      assert.equal(s.leader?.value, status.leader);
      assert.equal(s.members.length, 3);
      assert.ok(s.systemId && /^\d+$/.test(s.systemId));
      const leader = s.members.find((m) => m.isLeader)!;
      assert.equal(leader.value.role, combo.patroni === '3.0.2' ? 'master' : 'primary');
      assert.equal(leader.role, 'primary');
      assert.ok(s.leader?.lease && s.leader.lease.ttl > 0 && s.leader.lease.grantedTtl >= 10);
      assert.equal(s.leader.leaseId, leader.leaseId);
      assert.equal(typeof s.config?.value.ttl, 'number');
      assert.deepEqual(s.problems, []);
    });

    test('switchover: scheduled, leader changes to the candidate, roles swap, cleared', async () => {
      const s = await dcs.readCluster(status.scope, { leases: false });
      const from = s.leader!.value;
      const to = s.members.find((m) => !m.isLeader)!.name;
      const creds = JSON.parse(readFileSync(status.credentialsFile, 'utf8')).restapi as {
        username: string;
        password: string;
      };
      const url = s.members.find((m) => m.name === from)!.value.api_url!.replace(/\/patroni$/, '/switchover');
      events.mark();
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`,
        },
        body: JSON.stringify({ leader: from, candidate: to }),
        signal: AbortSignal.timeout(90_000),
      });
      assert.equal(res.status, 200, await res.text());
      const sched = await events.next('switchover-scheduled', () => true, 60_000);
      assert.equal(sched.candidate, to);
      const changed = await events.next('leader-changed', (e) => e.to === to, 60_000);
      assert.ok(changed.from === from || changed.from === null);
      await events.next('role-changed', (e) => e.member === to && e.to === 'primary', 60_000);
      await events.next('role-changed', (e) => e.member === from && e.from === 'primary', 60_000);
      await events.next('switchover-cleared', () => true, 60_000);
      assert.equal(watch.state.leader?.value, to);
      // The new timeline: history gains the ended one, and the new leader's member key reports the next.
      const hist = await events.next('history-changed', () => true, 60_000);
      const ended = hist.timeline;
      assert.equal(typeof ended, 'number');
      await waitFor(
        `${to}'s member key to report timeline ${ended! + 1}`,
        () => watch.state.members.find((m) => m.name === to)?.value.timeline === ended! + 1,
        60_000,
      );
    });

    test('a switchover written only to the failover key (no REST call) is carried out by Patroni', async () => {
      const s = await dcs.readCluster(status.scope, { leases: false });
      const from = s.leader!.value;
      const to = s.members.find((m) => !m.isLeader && m.value.state === 'running')!.name;
      events.mark();
      // What patronictl falls back to when no REST endpoint answers: the failover key, written with CAS.
      const written = await dcs.setFailover(status.scope, { leader: from, candidate: to });
      assert.ok(BigInt(written.revision) > 0n);
      const changed = await events.next('leader-changed', (e) => e.to === to, 90_000);
      assert.ok(changed.from === from || changed.from === null);
      await events.next('switchover-cleared', () => true, 60_000);
      await waitFor(
        `${from} to run as a replica of ${to}`,
        () => {
          const m = watch.state.members.find((x) => x.name === from);
          return m?.value.role === 'replica' && m.value.state === 'running';
        },
        90_000,
      );
    });

    test('leader kill: the leader key expires and another member takes over', async () => {
      const from = watch.state.leader!.value;
      events.mark();
      await lab.kill(from);
      const gone = await events.next('leader-changed', (e) => e.from === from, 90_000);
      const next =
        gone.to === null
          ? await events.next('leader-changed', (e) => e.from === null && e.to !== null, 90_000)
          : gone;
      assert.notEqual(next.to, from);
      await events.next('member-left', (e) => e.member === from, 90_000);
      events.mark();
      await lab.start(from);
      await events.next('member-joined', (e) => e.member === from, 90_000);
    });

    test('member stop: the stopped replica leaves (its key expires), and joins again after start', async () => {
      const replica = watch.state.members.find((m) => !m.isLeader)!.name;
      events.mark();
      await lab.stop(replica);
      await events.next('member-left', (e) => e.member === replica, 90_000);
      events.mark();
      await lab.start(replica);
      // The first key a starting node writes may carry a transient role (4.x: 'demoted'), so wait for 'replica'.
      await events.next('member-joined', (e) => e.member === replica, 90_000);
      await waitFor(
        'replica running again',
        () =>
          watch.state.members.some(
            (m) => m.name === replica && m.role === 'replica' && /running|streaming/.test(m.value.state),
          ),
        90_000,
      );
      const silent = events.events.filter((e) => e.type === 'watch-status' && e.state === 'retrying');
      assert.deepEqual(silent, [], 'the watch never needed to retry against a healthy etcd');
    });
  });
}
