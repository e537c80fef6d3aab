/**
 * `patroni-kit health` and `patroni-kit slots` explain real faults on a real lab (addresses 127.0.21.x):
 * a refused replication password, a stopped replica and the slot it leaves behind, an orphan slot, WAL
 * the leader already removed, and an etcd member down.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql, waitFor } from '@patroni-kit/lab';
import { probeLab, runCli } from './helpers.js';

const NET = '127.0.21';

interface Report {
  state: string;
  checks: Array<{ name: string; state: string; message: string }>;
  replicas: Array<{ member: string; cause: string; message: string; fix?: string }>;
}
interface Slots {
  leader: string;
  slots: Array<{ name: string; owner: string; active: boolean; retainedBytes?: number; state: string }>;
}

describe('health that explains, on a real lab', { timeout: 900_000 }, () => {
  const { lab, dir, ctl } = probeLab('health', NET);
  const env = { PGPASSFILE: `${dir}/pgpass` };

  const health = async (config = ctl): Promise<Report> => {
    const r = await runCli(['health', '-c', config, '--json'], { env });
    return JSON.parse(r.stdout) as Report;
  };
  const check = (r: Report, name: string) => r.checks.find((c) => c.name === name);
  const slots = async (): Promise<Slots> => {
    const r = await runCli(['slots', '-c', ctl, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Slots;
  };
  const replica = async () => {
    const s = await lab.status();
    return s.members.find((m) => m.name !== s.leader)!.name;
  };
  const cli = (args: string[]) => runCli([...args, '-c', ctl], { env });
  /** Waits (bounded) until `probe` returns a value. */
  const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000) =>
    waitFor(what, probe, { timeoutMs, intervalMs: 1000 });

  test('a healthy lab: every replica streaming, etcd quorum ok, clocks agree, slots accounted for', async () => {
    const r = await health();
    assert.equal(r.state, 'OK', JSON.stringify(r.checks));
    assert.equal(check(r, 'etcd')?.state, 'OK');
    assert.match(check(r, 'etcd')?.message ?? '', /quorum ok: 3 of 3/);
    assert.equal(check(r, 'clock_skew')?.state, 'OK');
    assert.match(check(r, 'replication_slots')?.message ?? '', /2 slot\(s\), all accounted for/);
    assert.deepEqual(
      r.replicas.map((x) => x.cause),
      ['streaming', 'streaming'],
    );
  });

  test('a refused replication password: the replica does not stream and health says why', async () => {
    const name = await replica();
    const creds = lab.credentials();
    await sql(lab.connection('writer'), "alter role replicator password 'not-the-configured-one'");
    try {
      await sql(
        lab.connection('writer'),
        'select pg_terminate_backend(pid) from pg_stat_replication where application_name = $1',
        [name],
      );
      // With the member's patroni.yml the SDK knows the replication login and tries it against the leader.
      const r = await until(`${name} explained as auth_failed`, async () => {
        const rep = await health(`${dir}/${name}/patroni.yml`);
        return rep.replicas.find((x) => x.member === name)?.cause === 'auth_failed' ? rep : undefined;
      });
      const e = r.replicas.find((x) => x.member === name)!;
      assert.match(e.message, /password authentication failed for user "replicator"/);
      assert.match(
        check(r, 'has_replicas')?.message ?? '',
        new RegExp(`${name}: not streaming; the leader refuses`),
      );
    } finally {
      await sql(lab.connection('writer'), `alter role replicator password '${creds.replication.password}'`);
    }
    await until(`${name} streaming again`, async () =>
      (await health()).replicas.every((x) => x.cause === 'streaming') ? true : undefined,
    );
  });

  test('a stopped replica: unreachable, then its slot belongs to no member; slots refuses to drop it', async () => {
    const name = await replica();
    await lab.stop(name);
    const r = await health();
    assert.equal(r.replicas.find((x) => x.member === name)?.cause, 'unreachable');
    const whileListed = await cli(['slots', '--drop', name, '--force']);
    assert.equal(whileListed.code, 1, whileListed.stdout);
    assert.match(whileListed.stdout, new RegExp(`belongs to member ${name}, which is still in the DCS`));
    // Its member key expires after ttl; Patroni keeps the slot for member_slots_ttl.
    const orphan = await until('the slot to belong to no member', async () => {
      const rep = await health();
      const c = check(rep, 'replication_slots');
      return c?.state === 'WARNING' && c.message.includes(`${name}: belongs to no member`) ? c : undefined;
    });
    assert.match(orphan.message, /member_slots_ttl/);
    const retained = await cli(['slots', '--drop', name, '--force']);
    assert.equal(retained.code, 1, retained.stdout);
    assert.match(retained.stdout, /Patroni creates it again/);
    await lab.start(name);
    await lab.up();
  });

  test('an orphan slot made with pg_create_physical_replication_slot: WARNING, then slots --drop removes it', async () => {
    const paused = await cli(['pause', '--wait']);
    assert.equal(paused.code, 0, paused.stdout + paused.stderr);
    try {
      await sql(lab.connection('writer'), "select pg_create_physical_replication_slot('backup_tool', true)");
      const r = await health();
      assert.equal(check(r, 'replication_slots')?.state, 'WARNING');
      assert.match(
        check(r, 'replication_slots')?.message ?? '',
        /backup_tool: belongs to no member and is not a permanent slot; it retains [\d.]+ MiB of WAL/,
      );
      const listed = (await slots()).slots.find((s) => s.name === 'backup_tool');
      assert.equal(listed?.owner, 'none');
      assert.equal(typeof listed?.retainedBytes, 'number');
      const noTty = await cli(['slots', '--drop', 'backup_tool']);
      assert.notEqual(noTty.code, 0);
      assert.match(noTty.stderr, /without --force/);
      const dropped = await cli(['slots', '--drop', 'backup_tool', '--force']);
      assert.equal(dropped.code, 0, dropped.stdout + dropped.stderr);
      assert.match(dropped.stdout, /dropped slot backup_tool/);
      assert.equal(
        (await slots()).slots.some((s) => s.name === 'backup_tool'),
        false,
      );
    } finally {
      await cli(['resume', '--wait']);
    }
  });

  test('WAL the leader already removed: health and lab up say so, reinit heals', async () => {
    const set = await cli(['edit-config', '-s', 'member_slots_ttl=0', '--force']);
    assert.equal(set.code, 0, set.stderr);
    const name = await replica();
    await lab.stop(name);
    await until(`the slot of ${name} to be dropped by Patroni`, async () =>
      (await slots()).slots.some((s) => s.name === name) ? undefined : true,
    );
    // More than wal_keep_size (128 MB) of WAL, then checkpoints: the segments it needs are recycled.
    for (let i = 0; i < 12; i++) {
      await sql(lab.connection('writer'), "insert into probe (note) values ('wal')");
      await sql(lab.connection('writer'), 'select pg_switch_wal()');
    }
    await sql(lab.connection('writer'), 'checkpoint');
    await sql(lab.connection('writer'), 'checkpoint');
    await lab.start(name);
    const r = await until(`${name} explained as wal_removed`, async () => {
      const rep = await health();
      return rep.replicas.find((x) => x.member === name)?.cause === 'wal_removed' ? rep : undefined;
    });
    assert.match(
      r.replicas.find((x) => x.member === name)?.message ?? '',
      /oldest segment left on the leader/,
    );
    const up = await runCli(['lab', 'up', '--dir', dir], { timeoutMs: 400_000 });
    assert.notEqual(up.code, 0);
    assert.match(
      up.stderr,
      new RegExp(`${name}: the leader n\\d already removed WAL segment \\w{24} that it needs`),
    );
    assert.match(up.stderr, new RegExp(`patroni-kit reinit lab ${name}`));
    const fix = await runCli(['reinit', 'lab', name, '-c', ctl, '--force', '--wait'], { timeoutMs: 300_000 });
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    await lab.up();
    await cli(['edit-config', '-s', 'member_slots_ttl=null', '--force']);
    assert.equal((await health()).state, 'OK');
  });

  test('an etcd member down: the etcd check says quorum holds with no spare', async () => {
    await lab.stop('e3');
    try {
      const r = await health();
      assert.equal(check(r, 'etcd')?.state, 'WARNING');
      assert.match(
        check(r, 'etcd')?.message ?? '',
        /quorum holds: 2 of 3 members healthy .*one more failure/,
      );
    } finally {
      await lab.start('e3');
    }
    await until('etcd healthy again', async () =>
      check(await health(), 'etcd')?.state === 'OK' ? true : undefined,
    );
  });
});
