/**
 * Outcomes that need a real cluster, on Patroni 4.0.7 + etcd 3.5 (lab on 127.0.54.11-13, HAProxy 127.0.54.1):
 * a write whose member is SIGSTOPped after the request is unknown (library and CLI exit 3), then confirmed
 * by reading the cluster; etcd losing its quorum; and `remove` of a stopped cluster.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from '@patroni-kit/cluster';
import { isPatroniKitError } from '@patroni-kit/errors';
import { Lab, type LabStatus } from '@patroni-kit/lab';
import { CLI, labDir, pollUntil, runCli, settles } from './helpers.js';

describe('outcomes against a real Patroni 4.0.7 cluster', { timeout: 20 * 60_000 }, () => {
  const dir = labDir('outcomes');
  const lab = new Lab({
    dir,
    patroni: '4.0.7',
    etcd: '3.5',
    profile: 'fast',
    hosts: ['127.0.54.11', '127.0.54.12', '127.0.54.13'],
    haproxyHost: '127.0.54.1',
  });
  let status: LabStatus;
  let cluster: Cluster;
  let ctl: string;
  const patroniPid = (member: string): number =>
    JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')).processes.patroni[member].pid;
  const stopped = new Set<number>();
  const sigstop = (pid: number) => {
    process.kill(pid, 'SIGSTOP');
    stopped.add(pid);
  };
  const sigcont = () => {
    for (const pid of stopped) process.kill(pid, 'SIGCONT');
    stopped.clear();
  };
  const resumeCluster = async () => {
    const r = await cluster.resume({ wait: true, timeoutMs: 60_000 });
    assert.equal(r.outcome, 'succeeded', r.reason);
  };

  before(async () => {
    status = await lab.up();
    ctl = status.ctlConfig;
    cluster = await Cluster.connect({ configFile: ctl });
    await cluster.waitForHealthy({ timeoutMs: 180_000 });
  });
  after(async () => {
    sigcont();
    await cluster?.close();
    await lab.down({ purge: true });
    rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('pause with the leader SIGSTOPped after the request: unknown, then confirmed by reading the cluster', async () => {
    const quick = await Cluster.connect({ configFile: ctl, timeouts: { write: 3000 } });
    let target = '';
    try {
      const result = await settles(
        quick.pause({
          onProgress: (p) => {
            const m = /sending PATCH \/config to (\S+)/.exec(p.message);
            if (m) {
              target = m[1]!;
              sigstop(patroniPid(target));
            }
          },
        }),
        60_000,
        'pause against a stopped member',
      );
      assert.ok(target, 'the request went to a member');
      assert.equal(result.outcome, 'unknown', JSON.stringify(result));
      assert.equal(result.sent, true);
      assert.match(result.reason, /no answer within 3000 ms/);
    } finally {
      sigcont();
      await quick.close();
    }
    // Patroni reads the request it had received once it runs again: the cluster shows what happened.
    const seen = await pollUntil(
      async () => ((await cluster.status()).paused ? true : undefined),
      60_000,
      'the pause to show',
    );
    assert.equal(seen, true);
    await resumeCluster();
  });

  it('patroni-kit pause with the leader SIGSTOPped after the request exits 3 and says so; reading confirms it', async () => {
    const child = spawn(process.execPath, [CLI, 'pause', '-c', ctl], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /sending PATCH \/config to (\S+)/.exec(err);
      if (m && stopped.size === 0) sigstop(patroniPid(m[1]!));
    });
    const code = await settles(
      new Promise<number | null>((resolve) => child.on('close', resolve)),
      90_000,
      'patroni-kit pause',
    ).finally(sigcont);
    assert.equal(code, 3, `${out}\n${err}`);
    assert.match(out, /Unknown outcome: pause/);
    assert.match(out, /read the cluster \(patroni-kit list\)/);
    const list = await pollUntil(
      async () => {
        const r = await runCli(['list', '-c', ctl]);
        return /Maintenance mode: on/i.test(r.stdout) ? r : undefined;
      },
      60_000,
      'list to show the pause',
    );
    assert.equal(list.code, 0);
    await resumeCluster();
  });

  it('etcd loses its quorum: reads settle with typed errors or a REST view naming it, and recover', async () => {
    await cluster.waitForHealthy({ timeoutMs: 120_000 });
    await lab.waitSettled();
    await lab.stop('e2');
    await lab.stop('e3');
    try {
      const strict = await Cluster.connect({ configFile: ctl, timeouts: { dcs: 1500 } });
      try {
        const err = await settles(strict.status(), 60_000, 'status without quorum').then(
          (v) => v,
          (e: unknown) => e,
        );
        if (isPatroniKitError(err))
          assert.ok(['QUORUM', 'DCS', 'CONNECT', 'TIMEOUT'].includes(err.code), err.message);
        else assert.match(JSON.stringify((err as { warnings: string[] }).warnings), /DCS could not be read/);
      } finally {
        await strict.close();
      }
      const etcdReport = await runCli(['etcd', 'status', '-c', ctl]);
      assert.equal(etcdReport.code, 1, etcdReport.stdout);
      assert.match(etcdReport.stdout, /quorum lost/);
      const list = await runCli(['list', '-c', ctl], 60_000);
      assert.ok([0, 1].includes(list.code ?? -1), list.stderr);
      assert.match(list.stdout + list.stderr, /quorum|DCS could not be read|no etcd endpoint/i);
      // Without quorum no leader can keep its lock: within ttl the old leader is no longer confirmed.
      const fallback = await Cluster.connect({
        configFile: ctl,
        restUrls: status.restUrls,
        timeouts: { dcs: 1500 },
      });
      try {
        const demoted = await pollUntil(
          async () => {
            const v = await fallback.status().catch(() => undefined);
            return v && v.confirmedLeader === null ? v : undefined;
          },
          90_000,
          'the leader to stop being confirmed',
        );
        assert.equal(demoted.source, 'rest');
        assert.ok(
          demoted.warnings.some((w) => /DCS could not be read/.test(w)),
          JSON.stringify(demoted.warnings),
        );
      } finally {
        await fallback.close();
      }
    } finally {
      await lab.start('e2');
      await lab.start('e3');
    }
    await cluster.waitForLeader({ timeoutMs: 180_000 });
    await cluster.waitForHealthy({ timeoutMs: 180_000 });
  });

  it('remove of a stopped cluster: refused while alive, then deletes every key once Patroni is stopped', async () => {
    const alive = await runCli(['remove', 'lab', '-c', ctl, '--confirm', 'lab']);
    assert.equal(alive.code, 1, alive.stdout);
    assert.match(alive.stdout, /alive/);
    for (const m of ['n1', 'n2', 'n3']) await lab.stop(m);
    const stoppedView = await pollUntil(
      async () => {
        const v = await cluster.status();
        return v.leader === null && v.members.every((m) => !m.live?.reachable) ? v : undefined;
      },
      90_000,
      'the members to be gone',
    );
    assert.equal(stoppedView.leader, null);
    const removed = await runCli(['remove', 'lab', '-c', ctl, '--confirm', 'lab', '--force']);
    assert.equal(removed.code, 0, removed.stdout + removed.stderr);
    assert.match(removed.stdout, /removed \d+ key\(s\) of lab/);
    await assert.rejects(cluster.status(), (e: unknown) => isPatroniKitError(e, 'NOT_FOUND'));
  });
});
