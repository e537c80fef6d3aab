/** The checker on constructed histories: it must find lost, ghost and unexpected writes and dual primaries. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, parseLsn, svgToPng, timelineSvg } from '@patroni-kit/drill';
import type { DrillHistory, WriteRecord } from '../src/types.js';

const T0 = 1_800_000_000_000;

function write(
  id: number,
  at: number,
  outcome: WriteRecord['outcome'],
  extra: Partial<WriteRecord> = {},
): WriteRecord {
  return { id, startedAt: T0 + at, endedAt: T0 + at + 5, outcome, bytes: 64, ...extra };
}

function history(over: Partial<DrillHistory> = {}): DrillHistory {
  return {
    scenario: 'constructed',
    run: 'r1',
    startedAt: T0,
    endedAt: T0 + 10_000,
    faultAt: T0 + 3000,
    members: ['n1', 'n2', 'n3'],
    writes: [],
    reads: [],
    samples: [],
    events: [],
    finalIds: [],
    synchronous: true,
    maximumLagOnFailover: 1048576,
    timelineHistory: [],
    ...over,
  };
}

test('a clean history passes: every acknowledged write present, failed ones absent', () => {
  const h = history({
    writes: [write(1, 0, 'ok', { member: 'n1', timeline: 1 }), write(2, 100, 'failed'), write(3, 5000, 'ok')],
    finalIds: [1, 3],
  });
  const c = check(h);
  assert.equal(c.ok, true, c.violations.join('; '));
  assert.equal(c.writes.acknowledgedPresent, 2);
  assert.deepEqual(c.writes.lost, []);
  assert.deepEqual(c.writes.ghost, []);
});

test('an acknowledged write missing at the end is LOST, and fails the run in synchronous mode', () => {
  const h = history({
    writes: [write(1, 0, 'ok'), write(2, 100, 'ok'), write(3, 200, 'ok')],
    finalIds: [1, 3],
  });
  const c = check(h);
  assert.deepEqual(c.writes.lost, [2]);
  assert.equal(c.writes.lostBytes, 64);
  assert.equal(c.ok, false);
  assert.match(c.violations.join('\n'), /1 acknowledged write\(s\) lost in synchronous mode \(ids 2\)/);
});

test('asynchronous mode: lost writes are sized in WAL past the fork and judged by maximum_lag_on_failover', () => {
  // Timeline 1 ended at 0/3000000; the lost write sat at 0/3000100 on timeline 1: 256 bytes past the fork.
  const writes = [
    write(1, 0, 'ok', { timeline: 1, lsn: '0/2FFFF00' }),
    write(2, 100, 'ok', { timeline: 1, lsn: '0/3000100' }),
  ];
  const base = {
    writes,
    finalIds: [1],
    synchronous: false,
    timelineHistory: [[1, 0x3000000]] as Array<[number, number]>,
  };
  const within = check(history({ ...base, maximumLagOnFailover: 1024 }));
  assert.deepEqual(within.writes.lost, [2]);
  assert.equal(within.writes.lostWalBytes, 256);
  assert.equal(within.ok, true, 'within maximum_lag_on_failover the loss is reported, not a violation');
  const beyond = check(history({ ...base, maximumLagOnFailover: 100 }));
  assert.equal(beyond.ok, false);
  assert.match(
    beyond.violations[0]!,
    /256 WAL bytes past the fork: more than maximum_lag_on_failover \(100\)/,
  );
});

test('a failed or timed-out write that committed is a GHOST; a definite failure that committed is a violation', () => {
  const h = history({
    writes: [
      write(1, 0, 'ok'),
      write(2, 100, 'timeout'),
      write(3, 200, 'failed'),
      write(4, 300, 'failed', { definite: true }),
      write(5, 400, 'failed', { definite: true }),
    ],
    finalIds: [1, 2, 3, 4],
  });
  const c = check(h);
  assert.deepEqual(c.writes.ghost, [2, 3, 4]);
  assert.deepEqual(c.writes.definiteGhost, [4]);
  assert.equal(c.ok, false);
  assert.match(c.violations.join('\n'), /refused before commit are present \(ids 4\)/);
});

test('indeterminate ghosts alone do not fail a run (a commit may land while its answer is lost)', () => {
  const c = check(history({ writes: [write(1, 0, 'ok'), write(2, 100, 'timeout')], finalIds: [1, 2] }));
  assert.deepEqual(c.writes.ghost, [2]);
  assert.equal(c.ok, true);
});

test('rows the run never wrote are reported', () => {
  const c = check(history({ writes: [write(1, 0, 'ok')], finalIds: [1, 99] }));
  assert.deepEqual(c.writes.unexpected, [99]);
  assert.equal(c.ok, false);
});

test('two writable members in one poll round are a dual primary; one per round is not', () => {
  const sample = (round: number, member: string, writable: boolean | null) => ({
    round,
    at: T0 + round * 200,
    member,
    writable,
    restRole: null,
  });
  const clean = check(
    history({
      writes: [write(1, 0, 'ok')],
      finalIds: [1],
      samples: [sample(0, 'n1', true), sample(0, 'n2', false), sample(1, 'n1', null), sample(1, 'n2', true)],
    }),
  );
  assert.deepEqual(clean.dualPrimary, []);
  const dual = check(
    history({
      writes: [write(1, 0, 'ok')],
      finalIds: [1],
      samples: [sample(0, 'n1', true), sample(0, 'n2', false), sample(1, 'n2', true), sample(1, 'n1', true)],
    }),
  );
  assert.equal(dual.dualPrimary.length, 1);
  assert.deepEqual(dual.dualPrimary[0]!.members, ['n1', 'n2']);
  const rest = check(
    history({
      writes: [write(1, 0, 'ok')],
      finalIds: [1],
      samples: [
        { round: 0, at: T0, member: 'n1', writable: null, restRole: 'primary' },
        { round: 0, at: T0, member: 'n2', writable: true, restRole: 'primary' },
      ],
    }),
  );
  assert.equal(rest.restDualPrimaryRounds, 1, 'two REST primaries in one round are counted');
  assert.deepEqual(rest.dualPrimary, [], 'but only writable members make a dual primary');
  assert.equal(dual.ok, false);
});

test('an unreadable final state is a violation, never a pass', () => {
  const c = check(history({ writes: [write(1, 0, 'ok')], finalIds: null }));
  assert.equal(c.ok, false);
  assert.match(c.violations[0]!, /final state could not be read/);
});

test('outage: the longest gap between acknowledged writes, and the writer back after the fault', () => {
  const writes = [
    write(1, 0, 'ok'),
    write(2, 2900, 'ok'),
    write(3, 3100, 'failed'),
    write(4, 7000, 'ok'),
    write(5, 7100, 'ok'),
  ];
  const c = check(history({ writes, finalIds: [1, 2, 4, 5] }));
  assert.equal(c.outage.maxWriteGapMs, 7005 - 2905);
  assert.equal(c.outage.writerBackMs, 7005 - 3000);
  const steady = check(
    history({
      writes: [write(1, 2900, 'ok'), write(2, 3200, 'ok'), write(3, 3500, 'ok')],
      finalIds: [1, 2, 3],
    }),
  );
  assert.equal(steady.outage.writerBackMs, 0, 'a writer that never paused for 1 s was never out');
  const never = check(history({ writes: [write(1, 0, 'ok'), write(2, 4000, 'failed')], finalIds: [1] }));
  assert.equal(never.outage.writerBackMs, null, 'no write after the fault: the writer never came back');
});

test('LSNs parse to byte positions', () => {
  assert.equal(parseLsn('0/0'), 0n);
  assert.equal(parseLsn('16/B374D848'), (0x16n << 32n) + 0xb374d848n);
  assert.throws(() => parseLsn('nope'), /not an LSN/);
});

test('the timeline renders to a PNG', async () => {
  const h = history({
    writes: [write(1, 0, 'ok', { member: 'n1' }), write(2, 4000, 'failed')],
    finalIds: [1],
    samples: [{ round: 0, at: T0, member: 'n1', writable: true, restRole: 'primary' }],
    events: [{ at: T0 + 3000, kind: 'fault', text: 'kill -9 n1 <leader> & more' }],
  });
  const svg = timelineSvg(h, check(h), true);
  assert.match(svg, /kill -9 n1 &lt;leader&gt; &amp; more/);
  const png = await svgToPng(svg);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 5000, `a real picture, not an empty one (${png.length} bytes)`);
});
