import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterView, LiveEvent } from '@patroni-kit/cluster';
import type { EtcdHealth } from '@patroni-kit/dcs';
import {
  type LiveSource,
  LiveTree,
  type LiveTreeChange,
  notificationsOn,
  statusBarFor,
} from '../src/model/live.js';
import { clusterView, healthy } from './views.js';

/** A live source that pushes the views the test gives it, in the shape `LiveCluster` emits them. */
class Pushed implements LiveSource {
  view: ClusterView | undefined;
  etcd: EtcdHealth | undefined;
  lastError: { code: string; message: string; hint?: string | undefined } | undefined;
  readonly #listeners = new Set<(e: LiveEvent) => void>();
  on(listener: (e: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  push(view: ClusterView, dcsEventAt?: number): void {
    this.view = view;
    const e = {
      type: 'view',
      view,
      reason: dcsEventAt === undefined ? 'poll' : 'dcs-change',
      dcsEvents: [],
      readyAt: performance.now(),
      scope: view.scope,
      at: Date.now(),
      ...(dcsEventAt === undefined ? {} : { dcsEventAt }),
    } as LiveEvent;
    for (const l of this.#listeners) l(e);
  }
  get listeners(): number {
    return this.#listeners.size;
  }
}

function nextChange(tree: LiveTree): Promise<LiveTreeChange> {
  return new Promise((resolve) => {
    const off = tree.onDidChange((c) => {
      off();
      resolve(c);
    });
  });
}

describe('live tree', () => {
  it('a burst of pushed views repaints once, with the earliest DCS event time', async () => {
    const tree = new LiveTree({ waitMs: 20, maxWaitMs: 200 });
    const src = new Pushed();
    src.push(healthy('n1'));
    const changes: LiveTreeChange[] = [];
    tree.onDidChange((c) => changes.push(c));
    let first = nextChange(tree);
    tree.set({ id: 'a', name: 'demo' }, src);
    await first;
    assert.equal(changes.length, 1);
    first = nextChange(tree);
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) src.push(i % 2 ? healthy('n1') : healthy('n2'), t0 + i);
    const c = await first;
    assert.equal(changes.length, 2, 'one repaint for the burst');
    assert.deepEqual([...c.ids], ['a']);
    assert.equal(c.dcsEventAt, t0);
    assert.ok(c.changedAt >= t0);
    assert.match(c.roots[0]?.description ?? '', /leader n1/);
    tree.dispose();
    assert.equal(src.listeners, 0, 'dispose stops listening');
  });

  it('notifications against the last repaint, per cluster and global settings', async () => {
    let global = true;
    const tree = new LiveTree({ waitMs: 0, maxWaitMs: 0, notificationsEnabled: () => global });
    const src = new Pushed();
    src.push(healthy('n1'));
    let c = nextChange(tree);
    tree.set({ id: 'a', name: 'demo' }, src);
    assert.deepEqual((await c).notifications, [], 'nothing for the first view');
    c = nextChange(tree);
    src.push(healthy('n2'));
    const n = (await c).notifications;
    assert.deepEqual(
      n.map((x) => `${x.clusterId}:${x.kind}:${x.member}`),
      ['a:leader-changed:n2'],
    );
    global = false;
    c = nextChange(tree);
    src.push(healthy('n3'));
    assert.deepEqual((await c).notifications, [], 'globally off');
    tree.update({ id: 'a', name: 'demo', notifications: true });
    c = nextChange(tree);
    src.push(healthy('n1'));
    assert.deepEqual(
      (await c).notifications.map((x) => x.kind),
      ['leader-changed'],
      'the cluster setting wins over the global one',
    );
    assert.equal(notificationsOn({ id: 'b', name: 'b', notifications: false }, true), false);
    assert.equal(notificationsOn({ id: 'b', name: 'b' }, true), true);
    tree.dispose();
  });

  it('parents and reveal targets for "Show in Tree"', async () => {
    const tree = new LiveTree({ waitMs: 0, maxWaitMs: 0 });
    const src = new Pushed();
    src.push(healthy('n1'));
    const c = nextChange(tree);
    tree.set({ id: 'a', name: 'demo' }, src);
    await c;
    const member = tree.revealTarget('a', 'n2');
    assert.equal(member?.id, 'cluster/a/member/n2');
    assert.equal(tree.parentOf(member!)?.id, 'cluster/a');
    assert.equal(tree.parentOf(tree.node('cluster/a')!), undefined);
    const detail = member!.children[0]!;
    assert.equal(tree.parentOf(detail), member);
    assert.equal(tree.revealTarget('a', 'gone')?.id, 'cluster/a', 'falls back to the cluster');
    tree.dispose();
  });

  it('status bar: leader, coloured when unhealthy, an error when unreachable', async () => {
    const tree = new LiveTree({ waitMs: 0, maxWaitMs: 0 });
    assert.deepEqual(statusBarFor(undefined, 0).tone, 'ok');
    const src = new Pushed();
    src.push(healthy('n2'));
    tree.set({ id: 'a', name: 'demo' }, src);
    tree.set({ id: 'b', name: 'down' }, undefined, { code: 'CONNECT', message: 'refused', hint: 'check' });
    tree.flush();
    assert.deepEqual(tree.statusBar('a'), {
      clusterId: 'a',
      text: '$(database) demo: n2',
      tooltip: tree.statusBar('a').tooltip,
      tone: 'ok',
    });
    assert.equal(tree.statusBar().clusterId, 'a', 'the first cluster by default');
    const b = tree.statusBar('b');
    assert.equal(b.tone, 'error');
    assert.match(b.text, /down: unreachable/);
    assert.equal(tree.roots()[1]?.children[0]?.kind, 'message');
    src.push(clusterView({ leader: null, members: [{ name: 'n1' }, { name: 'n2' }] }));
    assert.equal(tree.statusBar('a').tone, 'error');
    assert.match(tree.statusBar('a').text, /no leader/);
    src.push(
      clusterView({
        leader: 'n1',
        paused: true,
        members: [{ name: 'n1' }, { name: 'n2', replicationState: 'streaming' }],
      }),
    );
    assert.equal(tree.statusBar('a').tone, 'warning');
    tree.delete('b');
    tree.flush();
    assert.equal(tree.roots().length, 1);
    tree.dispose();
  });

  it('the cluster row carries the health summary of each pushed view', () => {
    const tree = new LiveTree({ waitMs: 0, maxWaitMs: 0 });
    const src = new Pushed();
    src.push(healthy('n1'));
    tree.set({ id: 'a', name: 'demo' }, src);
    tree.flush();
    assert.equal(tree.snapshot('a')?.health?.state, 'OK');
    assert.match(tree.roots()[0]?.description ?? '', /\bOK\b/);
    src.push(clusterView({ leader: null, members: [{ name: 'n1' }, { name: 'n2' }] }));
    tree.flush();
    const health = tree.snapshot('a')?.health;
    assert.equal(health?.state, 'CRITICAL');
    assert.ok(health?.checks.some((c) => c.name === 'has_leader' && c.state === 'CRITICAL'));
    assert.match(tree.roots()[0]?.description ?? '', /CRITICAL/);
    tree.dispose();
  });
});
