/**
 * Issue 11's lost write after a full restart, on a real lab (addresses 127.0.20.x):
 * 1. write A through 5000; 2. kill the leader, write B once writes work; 3. lab down, lab up.
 * With the lab's defaults B survives and all three members stream again. Then the same sequence with
 * check_timeline off and the stale ex-leader started alone reproduces the divergence on purpose: `lab up`
 * must name the members that cannot stream and the command that fixes them, and that command must heal.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LabStatus, sql, waitFor } from '@patroni-kit/lab';
import { probeLab, runCli, writeRow } from './helpers.js';

const NET = '127.0.20';

describe('full restart after a failover (issue 11)', { timeout: 900_000 }, () => {
  const { lab, dir, ctl } = probeLab('restart', NET);

  /** Writes through 5000 until one is acknowledged (bounded). */
  const writeWhenWritable = (note: string) =>
    waitFor(`an acknowledged write of ${note}`, async () => writeRow(lab, note).catch(() => undefined), {
      timeoutMs: 90_000,
      intervalMs: 500,
    });
  const notes = async () =>
    (await sql<{ note: string }>(lab.connection('writer'), 'select note from probe order by id')).map(
      (r) => r.note,
    );
  /** The leader's own view of its streaming replicas (pg_stat_replication through Patroni). */
  const streamingFromLeader = async (status: LabStatus) => {
    const leader = status.members.find((m) => m.role === 'leader');
    assert.ok(leader, 'a leader');
    const res = await fetch(`${leader.restUrl}/patroni`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { replication?: Array<{ application_name: string; state: string }> };
    return (body.replication ?? [])
      .filter((r) => r.state === 'streaming')
      .map((r) => r.application_name)
      .sort();
  };
  const leaderOf = async () => {
    const s = await lab.status();
    assert.ok(s.leader, 'the lab has a leader');
    return s.members.find((m) => m.name === s.leader)!;
  };

  test('the three-step reproduction keeps B and ends with three streaming members', async () => {
    await writeRow(lab, 'A');
    const old = await leaderOf();
    await lab.kill(old.name);
    const b = await writeWhenWritable('B');
    assert.notEqual(b.server, old.host, 'B was acknowledged by the new leader');
    await lab.down();
    const status = await lab.up();
    const rows = await notes();
    assert.ok(rows.includes('A'), `A survived (rows: ${rows.join(',')})`);
    assert.ok(rows.includes('B'), `B survived (rows: ${rows.join(',')})`);
    assert.notEqual(status.leader, old.name, 'the stale ex-leader did not win the restart');
    const others = status.members.filter((m) => m.name !== status.leader).map((m) => m.name);
    assert.deepEqual(await streamingFromLeader(status), others.sort());
    for (const m of status.members) assert.equal(m.state, 'running', `${m.name} runs`);
  });

  test('check_timeline off and the stale ex-leader first: lab up names the diverged members and the fix, which heals', async () => {
    const off = await runCli([
      'edit-config',
      '-c',
      ctl,
      '-s',
      'check_timeline=false',
      '-s',
      'maximum_lag_on_failover=1073741824',
      '--force',
    ]);
    assert.equal(off.code, 0, off.stderr + off.stdout);
    await writeRow(lab, 'A2');
    const old = await leaderOf();
    await lab.kill(old.name);
    await writeWhenWritable('B2');
    await lab.down();
    // What `lab up` no longer does: the crashed ex-leader starts alone and, unchecked, takes the lock.
    for (const e of ['e1', 'e2', 'e3']) await lab.start(e);
    await lab.start(old.name);
    await waitFor(
      `${old.name} to lead on its own`,
      async () => ((await lab.status()).leader === old.name ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    const failed = await runCli(['lab', 'up', '--dir', dir], { timeoutMs: 400_000 });
    assert.notEqual(failed.code, 0, 'lab up reports the members that cannot stream');
    const others = ['n1', 'n2', 'n3'].filter((n) => n !== old.name);
    for (const n of others) {
      assert.match(failed.stderr, new RegExp(`${n}: its timeline diverged from the leader's history`));
      assert.match(failed.stderr, new RegExp(`patroni-kit reinit lab ${n} -c ${ctl} --force --wait`));
    }
    // The SDK's health explains the same from the DCS history, without logs.
    const health = await runCli(['health', '-c', ctl, '--json'], {
      env: { PGPASSFILE: `${dir}/pgpass` },
    });
    const report = JSON.parse(health.stdout) as { replicas: Array<{ member: string; cause: string }> };
    for (const n of others)
      assert.equal(report.replicas.find((r) => r.member === n)?.cause, 'timeline_diverged', health.stdout);
    // The printed fix heals the cluster.
    for (const n of others) {
      const fix = await runCli(['reinit', 'lab', n, '-c', ctl, '--force', '--wait'], { timeoutMs: 300_000 });
      assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    }
    const status = await lab.up();
    assert.deepEqual(await streamingFromLeader(status), others.sort());
    const on = await runCli(['edit-config', '-c', ctl, '-s', 'check_timeline=true', '--force']);
    assert.equal(on.code, 0, on.stderr);
  });
});
