import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quorumVerdict } from '@patroni-kit/dcs';
import { buildTree, clusterNode, formatBytes, type TreeNode } from '../src/model/tree.js';
import { clusterView, healthy } from './views.js';

const find = (nodes: TreeNode[], pred: (n: TreeNode) => boolean): TreeNode | undefined => {
  for (const n of nodes) {
    if (pred(n)) return n;
    const c = find(n.children, pred);
    if (c) return c;
  }
  return undefined;
};

describe('tree model', () => {
  it('cluster → members with role, state, timeline and lag; leader first in the summary', () => {
    const view = clusterView({
      leader: 'n2',
      members: [
        { name: 'n1', replicationState: 'streaming', lagBytes: 16 * 1024 * 1024, tags: { nofailover: true } },
        { name: 'n2', timeline: 3 },
        { name: 'n3', replicationState: 'streaming', pendingRestart: true, timeline: 3 },
      ],
    });
    const [root] = buildTree([{ id: 'c1', name: 'demo', view }]);
    assert.ok(root);
    assert.equal(root.kind, 'cluster');
    assert.equal(root.label, 'demo');
    assert.equal(root.description, 'leader n2');
    assert.equal(root.contextValue, 'patroni.cluster.active');
    const members = root.children.filter((c) => c.kind === 'member');
    assert.deepEqual(
      members.map((m) => [m.label, m.icon, m.contextValue]),
      [
        ['n1', 'mirror', 'patroni.member.replica'],
        ['n2', 'star-full', 'patroni.member.leader'],
        ['n3', 'mirror', 'patroni.member.replica.pendingRestart'],
      ],
    );
    assert.equal(members[0]?.description, 'Replica · streaming · TL 1 · lag 16.0 MiB');
    assert.equal(members[1]?.description, 'Leader · running · TL 3');
    assert.match(members[2]?.description ?? '', /pending restart$/);
    const tags = find(members[0]?.children ?? [], (n) => n.label === 'tags');
    assert.equal(tags?.description, 'nofailover=true');
    // ids are stable and unique, so VS Code keeps expansion across refreshes
    const ids: string[] = [];
    const walk = (ns: TreeNode[]): void => {
      for (const n of ns) {
        ids.push(n.id);
        walk(n.children);
      }
    };
    walk([root]);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(buildTree([{ id: 'c1', name: 'demo', view }])[0]?.id, root.id);
  });

  it('a down member and a missing leader become error nodes', () => {
    const view = clusterView({
      leader: null,
      members: [
        { name: 'n1', state: 'stopped', reachable: false },
        { name: 'n2', replicationState: 'streaming' },
      ],
    });
    const root = clusterNode({ id: 'c1', name: 'demo', view });
    assert.equal(root.tone, 'error');
    assert.match(root.description ?? '', /^NO LEADER/);
    assert.ok(find(root.children, (n) => n.kind === 'message' && n.label === 'no leader holds the lock'));
    const n1 = find(root.children, (n) => n.kind === 'member' && n.label === 'n1');
    assert.equal(n1?.icon, 'debug-disconnect');
    assert.equal(n1?.tone, 'error');
    assert.match(n1?.children[0]?.label ?? '', /connection refused/);
  });

  it('an unreadable cluster is one message node with the hint', () => {
    const root = clusterNode({
      id: 'c2',
      name: 'far',
      error: { code: 'CONNECT', message: 'nothing listens on 127.0.80.9:2379', hint: 'is etcd running?' },
    });
    assert.equal(root.description, 'CONNECT: unreachable');
    assert.equal(root.children.length, 1);
    assert.equal(root.children[0]?.kind, 'message');
    assert.equal(root.children[0]?.description, 'is etcd running?');
    assert.equal(root.children[0]?.contextValue, 'patroni.message.error');
  });

  it('paused, production, etcd quorum and history', () => {
    const view = clusterView({
      leader: 'n1',
      paused: true,
      members: [{ name: 'n1' }, { name: 'n2', replicationState: 'streaming' }],
      history: [
        [1, 50331808, 'no recovery target specified', '2026-12-01T10:00:00+00:00', 'n1'],
        [2, 83886240, 'no recovery target specified', '2026-12-01T10:05:00+00:00', 'n2'],
      ],
    });
    const etcd = {
      endpoints: [
        { endpoint: 'http://127.0.80.21:2379', reachable: true, healthy: true, memberId: 'a', name: 'e1' },
        { endpoint: 'http://127.0.80.22:2379', reachable: false, healthy: false, memberId: 'b', name: 'e2' },
      ],
      members: [
        { id: 'a', name: 'e1', peerUrls: [], clientUrls: ['http://127.0.80.21:2379'], isLearner: false },
        { id: 'b', name: 'e2', peerUrls: [], clientUrls: ['http://127.0.80.22:2379'], isLearner: false },
        { id: 'c', name: 'e3', peerUrls: [], clientUrls: ['http://127.0.80.23:2379'], isLearner: false },
      ],
      alarms: [{ memberId: 'a', member: 'e1', alarm: 'NOSPACE' }],
      leader: { id: 'a', name: 'e1' },
      quorum: quorumVerdict(1, 3),
      warnings: [],
    };
    const root = clusterNode({ id: 'c3', name: 'prod', production: true, view, etcd });
    assert.equal(root.contextValue, 'patroni.cluster.paused.production');
    assert.equal(root.icon, 'debug-pause');
    assert.match(root.description ?? '', /paused · etcd lost · production$/);
    const etcdNode = root.children.find((c) => c.kind === 'etcd');
    assert.equal(etcdNode?.contextValue, 'patroni.etcd.lost');
    assert.deepEqual(
      etcdNode?.children.map((c) => [c.label, c.description]),
      [
        ['e1', 'leader · healthy'],
        ['e2', 'follower · unreachable'],
        ['e3', 'follower · unknown'],
        ['alarm NOSPACE on e1', 'compact and defragment etcd, then disarm the alarm'],
      ],
    );
    const history = root.children.find((c) => c.kind === 'history');
    assert.equal(history?.description, '2 timeline switches');
    assert.deepEqual(
      history?.children.map((c) => c.label),
      ['TL 2 → 3', 'TL 1 → 2'],
    );
    assert.match(history?.children[0]?.description ?? '', /^new leader n2/);
  });

  it('formats lag bytes', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  });

  it('healthy helper has a leader and two streaming replicas (sanity of the test input)', () => {
    const v = healthy('n3');
    assert.equal(v.leader, 'n3');
    assert.deepEqual(
      v.members.map((m) => [m.name, m.role, m.state]),
      [
        ['n1', 'replica', 'streaming'],
        ['n2', 'replica', 'streaming'],
        ['n3', 'leader', 'running'],
      ],
    );
  });
});
