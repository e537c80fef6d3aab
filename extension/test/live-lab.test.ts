/**
 * The live tree on a real cluster (Patroni 4.0.7 + etcd 3.5, fast timing, lab on 127.0.103.21-23, HAProxy
 * 127.0.103.20, started with the CLI): a real `LiveCluster` feeds `LiveTree`; a switchover repaints the tree
 * with the new leader (no refresh), gives one leader-changed notification whose "Show in Tree" target is the
 * new leader's member node, and the status bar follows. The DCS event → tree change latency is printed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Cluster, type LiveCluster, watchCluster } from '@patroni-kit/cluster';
import { LiveTree, type LiveTreeChange } from '../src/model/live.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/cli/dist/src/main.js');

function cli(args: string[], timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [CLI, ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, out, errOut) =>
        err ? reject(new Error(`patroni-kit ${args.join(' ')}: ${err.message}\n${errOut}`)) : resolve(out),
    ),
  );
}

describe('live tree on a real cluster', { timeout: 6 * 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pk-ext-live-'));
  chmodSync(root, 0o755); // PostgreSQL runs as postgres and must traverse it
  const dir = join(root, 'lab');
  let cluster: Cluster;
  let live: LiveCluster;
  let tree: LiveTree;
  const changes: LiveTreeChange[] = [];

  before(async () => {
    const status = JSON.parse(
      await cli([
        'lab',
        'up',
        '--fast',
        '--hosts',
        '127.0.103.21,127.0.103.22,127.0.103.23',
        '--haproxy-host',
        '127.0.103.20',
        '--dir',
        dir,
        '--quiet',
        '--json',
      ]),
    ) as { ctlConfig: string };
    cluster = await Cluster.connect({ configFile: status.ctlConfig });
    await cluster.waitForHealthy({ timeoutMs: 180_000 });
    live = watchCluster(cluster);
    tree = new LiveTree({ waitMs: 30, maxWaitMs: 250 }); // the adapter's debounce
    tree.onDidChange((c) => changes.push(c));
    tree.set({ id: 'lab', name: 'lab' }, live);
    await live.ready();
  });

  after(async () => {
    tree?.dispose();
    await live?.close();
    await cluster?.close();
    await cli(['lab', 'down', '--purge', '--quiet', '--dir', dir]).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it('a switchover reaches the tree, the notification and the status bar without a refresh', async (t) => {
    const deadline = Date.now() + 60_000;
    while (!changes.some((c) => c.roots[0]?.description?.startsWith('leader ')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const leader = live.view!.confirmedLeader!;
    const candidate = live.view!.members.find((m) => m.name !== leader)!.name;
    assert.match(tree.statusBar('lab').text, new RegExp(`lab: ${leader}$`));
    const from = changes.length;
    const res = await cluster.switchover({ leader, candidate, timeoutMs: 60_000 });
    assert.equal(res.outcome, 'succeeded', res.reason);
    let seen: LiveTreeChange | undefined;
    while (Date.now() < deadline + 60_000) {
      seen = changes
        .slice(from)
        .find((c) => (c.roots[0]?.description ?? '').startsWith(`leader ${candidate}`));
      if (seen) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(seen, `the tree shows ${candidate} as leader: ${changes.map((c) => c.roots[0]?.description)}`);
    const member = seen.roots[0]!.children.find((n) => n.id === `cluster/lab/member/${candidate}`);
    assert.match(member?.description ?? '', /^Leader/);
    const notices = changes.slice(from).flatMap((c) => c.notifications);
    const notice = notices.find((n) => n.kind === 'leader-changed' && n.member === candidate);
    assert.ok(notice, `a leader-changed notification: ${JSON.stringify(notices)}`);
    const target = tree.revealTarget('lab', notice.member);
    assert.equal(target?.id, `cluster/lab/member/${candidate}`);
    assert.equal(tree.parentOf(target!)?.id, 'cluster/lab');
    assert.match(tree.statusBar('lab').text, new RegExp(`lab: ${candidate}$`));
    const latencies = changes
      .slice(from)
      .flatMap((c) => (c.dcsEventAt === undefined ? [] : [c.changedAt - c.dcsEventAt]))
      .sort((a, b) => a - b);
    assert.ok(latencies.length > 0, 'repaints were driven by DCS watch events');
    t.diagnostic(
      `DCS event -> tree change: ${latencies.length} repaints, median ${latencies[Math.floor(latencies.length / 2)]!.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms; ${changes.length - from} repaints, ${live.reads} REST-confirmed reads so far`,
    );
  });
});
