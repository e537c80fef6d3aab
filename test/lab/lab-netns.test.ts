/**
 * A real network partition of the leader (netns topology, Patroni 4.0.7 + etcd 3.5): the leader steps
 * down, a replica takes over, and after heal the old leader rejoins as a replica with every
 * acknowledged write present.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Lab, type LabStatus, sql, waitFor } from '@patroni-kit/lab';
import { createProbeTable, listeningOn, tempLabDir, writeRow } from './helpers.js';

describe('lab --netns: partition of the leader on Patroni 4.0.7', { timeout: 600_000 }, () => {
  const dir = tempLabDir('netns');
  const lab = new Lab({
    dir,
    topology: 'netns',
    profile: 'fast',
    patroni: '4.0.7',
    etcd: '3.5',
    haproxyHost: '127.0.8.1',
  });
  let status: LabStatus;

  before(async () => {
    status = await lab.up();
  });
  after(async () => {
    await lab.down({ purge: true });
  });

  test('members live in their own namespaces at 198.18.0.0/24 addresses', () => {
    assert.deepEqual(
      status.members.map((m) => m.host),
      ['198.18.0.11', '198.18.0.12', '198.18.0.13'],
    );
    assert.equal(
      status.members.every((m) => m.partitioned === false),
      true,
    );
    assert.equal(status.leader !== null, true);
  });

  test('partition of the leader: it steps down, a replica takes over, after heal it rejoins with every acknowledged write', async () => {
    await createProbeTable(lab);
    const oldLeader = status.leader!;
    const acked: number[] = [];
    let failures = 0;
    const outcomes: string[] = [];
    const t0 = Date.now();
    let stop = false;
    // Bounded writer: one attempt every 200 ms, at most 1500 attempts.
    const writer = (async () => {
      for (let i = 0; i < 1500 && !stop; i++) {
        const at = ((Date.now() - t0) / 1000).toFixed(1);
        try {
          const row = await writeRow(lab, `w${i}`, 1000);
          acked.push(row.id);
          outcomes.push(`${at} ok ${row.server}`);
        } catch (err) {
          failures++;
          outcomes.push(`${at} failed: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await waitFor('a few acknowledged writes', async () => (acked.length >= 5 ? true : undefined), {
        timeoutMs: 30_000,
      });
      outcomes.push(`${((Date.now() - t0) / 1000).toFixed(1)} partition ${oldLeader}`);
      await lab.partition(oldLeader);
      const s1 = await lab.status();
      assert.equal(s1.members.find((m) => m.name === oldLeader)!.partitioned, true);
      const newLeader = await waitFor(
        'a new leader among the other members',
        async () => {
          const s = await lab.status();
          return s.leader && s.leader !== oldLeader ? s.leader : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      const newHost = status.members.find((m) => m.name === newLeader)!.host;
      const beforeHeal = acked.length;
      await waitFor(
        'a write acknowledged by the new leader',
        async () => ((await writeRow(lab, 'on-new-leader', 1000)).server === newHost ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 300 },
      );
      await lab.heal(oldLeader);
      await waitFor(
        `${oldLeader} to rejoin as a streaming replica`,
        async () => {
          const s = await lab.status();
          const m = s.members.find((x) => x.name === oldLeader)!;
          return s.leader === newLeader && m.role === 'replica' && m.replicationState === 'streaming'
            ? true
            : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      await waitFor(
        'more writes after heal',
        async () => (acked.length > beforeHeal + 5 ? true : undefined),
        { timeoutMs: 30_000 },
      );
      stop = true;
      await writer;
      assert.ok(
        failures > 0,
        `writes failed during the failover (the partition was real):\n${outcomes.join('\n')}`,
      );
      // Every acknowledged id is on the leader ...
      const [onLeader] = await sql<{ n: string }>(
        lab.connection('writer'),
        'select count(*) as n from probe where id = any($1::bigint[])',
        [acked],
      );
      assert.equal(Number(onLeader!.n), acked.length, 'every acknowledged write is on the new leader');
      // ... and on the healed old leader once it has replayed.
      await waitFor(
        'the old leader to have every acknowledged write',
        async () => {
          const [r] = await sql<{ n: string }>(
            lab.connection(oldLeader),
            'select count(*) as n from probe where id = any($1::bigint[])',
            [acked],
          );
          return Number(r!.n) === acked.length ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
    } finally {
      stop = true;
      await writer;
      await lab.heal();
    }
  });

  test('down removes the namespaces and leaves no listening port', async () => {
    await lab.down();
    const { execFileSync } = await import('node:child_process');
    const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    assert.doesNotMatch(namespaces, /\bpk-n[123]\b/);
    const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    assert.doesNotMatch(links, /pk-br/);
    assert.deepEqual(await listeningOn(['127.0.8.1']), []);
  });
});
