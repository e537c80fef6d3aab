/** Unit tests of the health explanations: timelines against the history, slots, clock skew, replica causes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EtcdHealth } from '@patroni-kit/dcs';
import {
  type ClusterView,
  classifySlots,
  clockOffsetBounds,
  clockSkew,
  explainReplica,
  formatLsn,
  healthReport,
  historyMismatch,
  historyTimeline,
  type MemberView,
  parseHistoryFile,
  parseLsn,
  type ReplicaContext,
  segmentStartLsn,
  slotNameForMember,
  timelineVerdict,
} from '../src/index.js';

const MB = 1048576;

/** A member view; `live` fields set to undefined are left out (as when Patroni does not report them). */
function member(
  name: string,
  over: Partial<MemberView> = {},
  live: Record<string, unknown> = {},
): MemberView {
  const l: Record<string, unknown> = {
    reachable: true,
    role: 'replica',
    state: 'running',
    replicationState: 'streaming',
    ...live,
  };
  for (const [k, v] of Object.entries(l)) if (v === undefined) delete l[k];
  return {
    name,
    host: `127.0.0.${name.slice(1)}`,
    port: 5432,
    role: 'replica',
    state: 'streaming',
    pendingRestart: false,
    tags: {},
    inDcs: true,
    lag: 0,
    live: l as unknown as NonNullable<MemberView['live']>,
    ...over,
  };
}

const leader = member(
  'n1',
  { role: 'leader', state: 'running' },
  { role: 'primary', timeline: 3, walPosition: 90 * MB, streaming: ['n2'] },
);
// Timeline 1 ended at 0/4028B10, timeline 2 at 0/5000000; the leader runs timeline 3.
const history = [
  { timeline: 1, lsn: 0x4028b10, reason: 'no recovery target specified' },
  { timeline: 2, lsn: 0x5000000, reason: 'no recovery target specified' },
];
const ctx = (over: Partial<ReplicaContext> = {}): ReplicaContext => ({
  leader,
  history,
  maxLagBytes: MB,
  scope: 'lab',
  ...over,
});

describe('LSNs and segments', () => {
  test('parse and format round-trip, segment names map to their start', () => {
    assert.equal(parseLsn('0/4028D80'), 0x4028d80);
    assert.equal(parseLsn('1/0'), 2 ** 32);
    assert.equal(parseLsn('nope'), undefined);
    assert.equal(formatLsn(0x4028d80), '0/4028D80');
    assert.equal(segmentStartLsn('000000020000000000000004'), 0x4000000);
    assert.equal(segmentStartLsn('0000000100000001000000FF'), 2 ** 32 + 0xff * 16 * MB);
    assert.equal(segmentStartLsn('00000001.history'), undefined);
    assert.equal(historyTimeline([]), 1);
    assert.equal(historyTimeline(history), 3);
  });
});

describe("the leader's own history file", () => {
  test('parses PostgreSQL history files and finds where the DCS history describes another branch', () => {
    const own = parseHistoryFile(
      '1\t0/402E538\tno recovery target specified\n\n2\t0/50000A0\tno recovery target specified\n',
    );
    assert.deepEqual(own, [
      { timeline: 1, lsn: 0x402e538 },
      { timeline: 2, lsn: 0x50000a0 },
    ]);
    const dcs = [
      { timeline: 1, lsn: 0x402e538 },
      { timeline: 2, lsn: 0x4032ea0 },
    ];
    assert.deepEqual(historyMismatch(dcs, own), { timeline: 2, dcs: 0x4032ea0, own: 0x50000a0 });
    assert.equal(historyMismatch(own, own), undefined);
  });
  test('a replica of the other branch, same timeline number, is diverged against the leader file', () => {
    // The stale ex-leader took over on its own timeline 3, which began at 0/50000A0; the replicas are on
    // the recorded timeline 3 that began at 0/4032EA0.
    const own = [
      { timeline: 1, lsn: 0x402e538 },
      { timeline: 2, lsn: 0x50000a0 },
    ];
    assert.equal(timelineVerdict({ timeline: 3, lsn: 0x4033000 }, 3, own).verdict, 'diverged');
  });
  test('health uses the leader file and says CRITICAL when the DCS history disagrees', () => {
    const view: ClusterView = {
      scope: 'lab',
      source: 'dcs',
      leader: 'n1',
      confirmedLeader: 'n1',
      paused: false,
      members: [
        leader,
        member(
          'n2',
          { state: 'in archive recovery' },
          { replicationState: 'in archive recovery', timeline: 3, walPosition: 0x4033000 },
        ),
      ],
      synchronousMode: 'off',
      syncStandbys: [],
      history: [
        { timeline: 1, lsn: 0x402e538, reason: 'x' },
        { timeline: 2, lsn: 0x4032ea0, reason: 'x' },
      ],
      disagreements: [],
      advisories: [],
      warnings: [],
      at: new Date().toISOString(),
    };
    const own = [
      { timeline: 1, lsn: 0x402e538 },
      { timeline: 2, lsn: 0x50000a0 },
    ];
    const r = healthReport(view, {}, { leaderWal: { history: own, slots: [] } });
    const c = r.checks.find((x) => x.name === 'timeline_history');
    assert.equal(c?.state, 'CRITICAL');
    assert.match(c?.message ?? '', /another branch/);
    assert.equal(r.replicas?.[0]?.cause, 'timeline_diverged');
  });
});

describe('timelineVerdict', () => {
  test('same timeline is same', () => {
    assert.equal(timelineVerdict({ timeline: 3, lsn: 0x6000000 }, 3, history).verdict, 'same');
  });
  test('an old-timeline member before the fork can still follow', () => {
    const v = timelineVerdict({ timeline: 1, lsn: 0x4000000 }, 3, history);
    assert.equal(v.verdict, 'behind');
    assert.match(v.message, /before the fork at 0\/4028B10/);
  });
  test('an old-timeline member past the fork diverged (the crashed ex-leader after crash recovery)', () => {
    const v = timelineVerdict({ timeline: 1, lsn: 0x50000a0 }, 3, history);
    assert.equal(v.verdict, 'diverged');
    assert.match(v.message, /past 0\/4028B10/);
  });
  test('a newer timeline than the leader diverged', () => {
    assert.equal(timelineVerdict({ timeline: 4, lsn: 1 }, 3, history).verdict, 'diverged');
  });
  test('the same timeline number before that timeline began on the leader is another branch', () => {
    const v = timelineVerdict({ timeline: 3, lsn: 0x4028d80 }, 3, history);
    assert.equal(v.verdict, 'diverged');
    assert.match(v.message, /same number/);
  });
  test('a timeline the history does not list, or no timeline, is unknown', () => {
    assert.equal(timelineVerdict({ timeline: 2, lsn: 1 }, 3, [{ timeline: 1, lsn: 5 }]).verdict, 'unknown');
    assert.equal(timelineVerdict({}, 3, history).verdict, 'unknown');
  });
});

describe('explainReplica', () => {
  test('streaming within the lag limit is healthy', () => {
    const e = explainReplica(member('n2', {}, { timeline: 3, walPosition: 90 * MB }), ctx());
    assert.equal(e.cause, 'streaming');
    assert.equal(e.healthy, true);
  });
  test('streaming but lagging is behind', () => {
    const e = explainReplica(member('n2', { lag: 5 * MB }, { timeline: 3, walPosition: 85 * MB }), ctx());
    assert.equal(e.cause, 'behind');
    assert.match(e.message, /5242880 bytes behind/);
  });
  test('diverged timeline comes with the reinit command', () => {
    const m = member(
      'n3',
      { state: 'running' },
      { replicationState: 'in archive recovery', timeline: 1, walPosition: 0x50000a0 },
    );
    const e = explainReplica(m, ctx());
    assert.equal(e.cause, 'timeline_diverged');
    assert.match(e.fix ?? '', /patroni-kit reinit lab n3/);
  });
  test('WAL removed: the slot lost its WAL, or the replica needs WAL older than the oldest segment', () => {
    const m = member(
      'n3',
      { state: 'running' },
      { replicationState: undefined, timeline: 3, walPosition: 0x5100000 },
    );
    const lost = explainReplica(
      m,
      ctx({ leaderWal: { slots: [{ name: 'n3', type: 'physical', active: false, walStatus: 'lost' }] } }),
    );
    assert.equal(lost.cause, 'wal_removed');
    assert.match(lost.message, /wal_status lost/);
    const gone = explainReplica(m, ctx({ leaderWal: { oldestSegmentLsn: 0x7000000, slots: [] } }));
    assert.equal(gone.cause, 'wal_removed');
    assert.match(gone.message, /oldest segment left on the leader starts at 0\/7000000/);
    // A slot that still reserves its WAL keeps it, whatever the oldest segment says.
    const kept = explainReplica(
      m,
      ctx({
        leaderWal: {
          oldestSegmentLsn: 0x7000000,
          slots: [{ name: 'n3', type: 'physical', active: false, restartLsn: 0x5000000 }],
        },
      }),
    );
    assert.notEqual(kept.cause, 'wal_removed');
  });
  test('a refused replication login explains a replica that does not stream', () => {
    const m = member(
      'n3',
      { state: 'running' },
      { replicationState: undefined, timeline: 3, walPosition: 0x6000000 },
    );
    const e = explainReplica(
      m,
      ctx({
        replicationLogin: { ok: false, message: 'password authentication failed for user "replicator"' },
      }),
    );
    assert.equal(e.cause, 'auth_failed');
    assert.match(e.message, /password authentication failed/);
  });
  test('not reachable, not running, and not streaming without a known reason', () => {
    assert.equal(
      explainReplica(
        member('n3', {}, { reachable: false, error: { code: 'CONNECT', message: 'ECONNREFUSED' } }),
        ctx(),
      ).cause,
      'unreachable',
    );
    assert.equal(explainReplica(member('n3', {}, { state: 'stopped' }), ctx()).cause, 'not_running');
    const e = explainReplica(
      member(
        'n3',
        { state: 'running' },
        { replicationState: undefined, timeline: 3, walPosition: 0x6000000 },
      ),
      ctx(),
    );
    assert.equal(e.cause, 'not_streaming');
    assert.match(e.message, /read its PostgreSQL log/);
  });
  test('an old timeline before the fork, not streaming yet, is timeline_behind', () => {
    const e = explainReplica(
      member(
        'n3',
        { state: 'running' },
        { replicationState: undefined, timeline: 2, walPosition: 0x4100000 },
      ),
      ctx(),
    );
    assert.equal(e.cause, 'timeline_behind');
  });
});

describe('slots', () => {
  test("Patroni's slot names for members", () => {
    assert.equal(slotNameForMember('pg-node.1'), 'pg_node_1');
    assert.equal(slotNameForMember('Node@2'), 'nodeu00642');
  });
  test('member, permanent, ignored, retained and orphan slots', () => {
    const view = {
      leader: 'n1',
      members: [leader, member('n2')],
      config: { slots: { archiver: { type: 'physical' } }, ignore_slots: [{ name: 'backup_tool' }] },
    } as unknown as Pick<ClusterView, 'members' | 'leader' | 'config'>;
    const rows = [
      { name: 'n2', type: 'physical', active: true, retainedBytes: 0 },
      { name: 'archiver', type: 'physical', active: false, retainedBytes: 10 * MB },
      { name: 'backup_tool', type: 'physical', active: false, retainedBytes: 10 * MB },
      { name: 'n3', type: 'physical', active: false, retainedBytes: 32 * MB },
      { name: 'stray', type: 'physical', active: false, retainedBytes: 64 * MB },
    ];
    const f = classifySlots(rows, view, { retained: ['n3'] });
    const by = Object.fromEntries(f.map((x) => [x.name, x]));
    assert.equal(by.n2?.owner, 'member');
    assert.equal(by.n2?.member, 'n2');
    assert.equal(by.n2?.state, 'OK');
    assert.equal(by.archiver?.owner, 'permanent');
    assert.equal(by.backup_tool?.owner, 'ignored');
    assert.equal(by.n3?.owner, 'retained');
    assert.equal(by.n3?.state, 'WARNING');
    assert.equal(by.stray?.owner, 'none');
    assert.equal(by.stray?.state, 'WARNING');
    assert.match(by.stray?.message ?? '', /belongs to no member .* 64\.0 MiB/);
  });
  test('an inactive member slot is a WARNING only past the retention limit', () => {
    const view = { leader: 'n1', members: [leader, member('n2')] } as Pick<ClusterView, 'members' | 'leader'>;
    const small = classifySlots([{ name: 'n2', type: 'physical', active: false, retainedBytes: MB }], view);
    assert.equal(small[0]?.state, 'OK');
    const big = classifySlots(
      [{ name: 'n2', type: 'physical', active: false, retainedBytes: 2 * MB }],
      view,
      {
        retainWarnBytes: MB,
      },
    );
    assert.equal(big[0]?.state, 'WARNING');
  });
});

describe('clock skew', () => {
  test('bounds from a Date header and the round trip', () => {
    const sent = Date.parse('2026-12-01T10:00:00.200Z');
    const b = clockOffsetBounds(sent, sent + 100, 'Tue, 01 Dec 2026 10:00:05 GMT');
    assert.deepEqual(b, { min: 5000 - 300, max: 6000 - 200 });
    assert.equal(clockOffsetBounds(sent, sent + 1, 'garbage'), undefined);
  });
  test('a WARNING only when the clocks certainly differ by more than the limit', () => {
    const ok = clockSkew(
      [
        { name: 'n1', offset: { min: -900, max: 100 } },
        { name: 'n2', offset: { min: -500, max: 600 } },
      ],
      2000,
    );
    assert.equal(ok.state, 'OK');
    const bad = clockSkew(
      [
        { name: 'n1', offset: { min: -900, max: 100 } },
        { name: 'n2', offset: { min: 4700, max: 5800 } },
      ],
      2000,
    );
    assert.equal(bad.state, 'WARNING');
    assert.equal(bad.value, 4600);
    assert.match(bad.message, /n1 and n2 differ by at least 4\.6 s/);
    assert.equal(clockSkew([{ name: 'n1', offset: { min: 0, max: 1 } }], 2000).state, 'OK');
  });
});

describe('healthReport with facts', () => {
  const base: ClusterView = {
    scope: 'lab',
    source: 'dcs',
    leader: 'n1',
    confirmedLeader: 'n1',
    paused: false,
    members: [leader, member('n2', {}, { timeline: 3 })],
    synchronousMode: 'off',
    syncStandbys: [],
    history,
    disagreements: [],
    advisories: [],
    warnings: [],
    at: new Date().toISOString(),
  };
  const etcd = (state: 'ok' | 'degraded' | 'lost', alarms: EtcdHealth['alarms'] = []): EtcdHealth => ({
    endpoints: [],
    members: [],
    alarms,
    quorum: {
      state,
      healthy: state === 'ok' ? 3 : state === 'degraded' ? 2 : 1,
      total: 3,
      needed: 2,
      message: `quorum ${state}`,
    },
    warnings: [],
  });
  const check = (r: ReturnType<typeof healthReport>, name: string) => r.checks.find((c) => c.name === name);

  test('etcd quorum and alarms set the etcd check', () => {
    assert.equal(check(healthReport(base, {}, { etcd: etcd('ok') }), 'etcd')?.state, 'OK');
    assert.equal(check(healthReport(base, {}, { etcd: etcd('degraded') }), 'etcd')?.state, 'WARNING');
    assert.equal(check(healthReport(base, {}, { etcd: etcd('lost') }), 'etcd')?.state, 'CRITICAL');
    const nospace = healthReport(
      base,
      {},
      { etcd: etcd('ok', [{ memberId: '1', member: 'e1', alarm: 'NOSPACE' }]) },
    );
    assert.equal(check(nospace, 'etcd')?.state, 'CRITICAL');
    assert.match(check(nospace, 'etcd')?.message ?? '', /NOSPACE on e1/);
  });
  test('a leader timeline ahead of the DCS history is a WARNING', () => {
    const lagging = healthReport({ ...base, history: [{ timeline: 1, lsn: 0x4028b10, reason: 'x' }] }, {});
    assert.equal(check(lagging, 'timeline_history')?.state, 'WARNING');
    assert.match(check(lagging, 'timeline_history')?.message ?? '', /records only timeline 2/);
    assert.equal(check(healthReport(base, {}), 'timeline_history')?.state, 'OK');
  });
  test('an unhealthy replica is explained in has_replicas and in report.replicas', () => {
    const view = {
      ...base,
      members: [
        leader,
        member('n2', {}, { timeline: 3 }),
        member(
          'n3',
          { state: 'running' },
          { replicationState: undefined, timeline: 1, walPosition: 0x50000a0 },
        ),
      ],
    };
    const r = healthReport(view, {});
    assert.match(check(r, 'has_replicas')?.message ?? '', /n3: it has WAL up to 0\/50000A0 on timeline 1/);
    assert.equal(r.replicas?.find((x) => x.member === 'n3')?.cause, 'timeline_diverged');
  });
  test('slot findings set replication_slots', () => {
    const r = healthReport(
      base,
      {},
      {
        leaderWal: { slots: [{ name: 'stray', type: 'physical', active: false, retainedBytes: MB }] },
      },
    );
    assert.equal(check(r, 'replication_slots')?.state, 'WARNING');
    assert.equal(r.slots?.[0]?.owner, 'none');
  });
});
