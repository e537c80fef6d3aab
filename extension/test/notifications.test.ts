import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notificationsFor } from '../src/model/notifications.js';
import { clusterView, healthy } from './views.js';

const kinds = (ns: ReturnType<typeof notificationsFor>) => ns.map((n) => `${n.kind}:${n.member ?? ''}`);

describe('notification rules', () => {
  it('nothing for the first view or an unchanged cluster', () => {
    assert.deepEqual(notificationsFor(undefined, healthy()), []);
    assert.deepEqual(notificationsFor(healthy(), healthy()), []);
  });

  it('switchover: the leader changed and the old one still runs', () => {
    const out = notificationsFor(healthy('n1'), healthy('n2'));
    assert.deepEqual(kinds(out), ['leader-changed:n2']);
    assert.equal(out[0]?.message, 'demo: leader changed from n1 to n2');
  });

  it('failover: the old leader is down; its member key says stopped', () => {
    const next = healthy('n2', { n1: { state: 'stopped', reachable: false, replicationState: undefined } });
    const out = notificationsFor(healthy('n1'), next);
    assert.deepEqual(kinds(out), ['failover:n2', 'member-down:n1']);
    assert.equal(out[0]?.severity, 'error');
  });

  it('no leader, member down, member back, member left', () => {
    const noLeader = clusterView({ leader: null, members: [{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }] });
    assert.deepEqual(kinds(notificationsFor(healthy('n1'), noLeader)), ['no-leader:']);
    const down = healthy('n1', { n3: { state: 'stopped', reachable: false, replicationState: undefined } });
    assert.deepEqual(kinds(notificationsFor(healthy('n1'), down)), ['member-down:n3']);
    assert.deepEqual(kinds(notificationsFor(down, healthy('n1'))), ['member-back:n3']);
    const two = clusterView({
      leader: 'n1',
      members: [{ name: 'n1' }, { name: 'n2', replicationState: 'streaming' }],
    });
    const left = notificationsFor(healthy('n1'), two);
    assert.deepEqual(kinds(left), ['member-down:n3']);
    assert.match(left[0]?.message ?? '', /n3 left the cluster/);
  });

  it('paused and resumed', () => {
    const paused = clusterView({
      leader: 'n1',
      paused: true,
      members: [
        { name: 'n1' },
        { name: 'n2', replicationState: 'streaming' },
        { name: 'n3', replicationState: 'streaming' },
      ],
    });
    assert.deepEqual(kinds(notificationsFor(healthy('n1'), paused)), ['paused:']);
    assert.deepEqual(kinds(notificationsFor(paused, healthy('n1'))), ['resumed:']);
  });
});
