/** Unit tests of the lab's restart order and of its explanations for members that do not stream. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  clusterTimeline,
  diagnoseStreaming,
  firstToStart,
  parseControlData,
  parseHistoryFile,
  type StreamFacts,
  segmentOnHistory,
} from '../src/index.js';

const controldata = (state: string, tl: number, lsn: string) => `pg_control version number:            1300
Database cluster state:               ${state}
Latest checkpoint location:           ${lsn}
Latest checkpoint's REDO location:    ${lsn}
Latest checkpoint's TimeLineID:       ${tl}
Latest checkpoint's PrevTimeLineID:   ${tl}
`;

describe('restart order', () => {
  test('pg_controldata output is parsed', () => {
    assert.deepEqual(parseControlData(controldata('in production', 1, '0/2000110')), {
      state: 'in production',
      timeline: 1,
      checkpointLsn: 0x2000110,
    });
    assert.equal(parseControlData('garbage'), undefined);
  });

  test('the newest timeline starts first, even when an older member has a higher checkpoint', () => {
    // The reproduction: n1 crashed on timeline 1, n2 stopped cleanly as leader on 2, n3 as its replica.
    const c = (i: number, state: string, tl: number, lsn: string) => ({
      index: i,
      name: `n${i + 1}`,
      control: parseControlData(controldata(state, tl, lsn))!,
    });
    assert.equal(
      firstToStart([
        c(0, 'in production', 1, '0/5000110'),
        c(1, 'shut down', 2, '0/402EE90'),
        c(2, 'shut down in recovery', 2, '0/402EE90'),
      ]),
      1,
    );
    // Same timeline: the member that ran as primary first (crashed or not), even behind on checkpoints.
    assert.equal(
      firstToStart([c(0, 'in archive recovery', 1, '0/3000060'), c(1, 'in production', 1, '0/2000110')]),
      1,
    );
    // Same timeline and checkpoint: the cleanly stopped primary first.
    assert.equal(
      firstToStart([c(0, 'shut down in recovery', 2, '0/402EE90'), c(1, 'shut down', 2, '0/402EE90')]),
      1,
    );
    // Then the DCS history's last promoted member.
    assert.equal(
      firstToStart(
        [c(0, 'shut down in recovery', 2, '0/402EE90'), c(1, 'shut down in recovery', 2, '0/402EE90')],
        'n2',
      ),
      1,
    );
    assert.equal(firstToStart([{ index: 0, name: 'n1' }]), undefined);
  });
});

describe('why a member does not stream', () => {
  const history = [{ timeline: 1, lsn: 0x50000a0, newLeader: 'n1' }];
  const facts = (log: string, over: Partial<StreamFacts> = {}): StreamFacts => ({
    member: 'n2',
    log,
    running: true,
    state: 'running',
    timeline: 2,
    leader: 'n1',
    leaderTimeline: 2,
    history,
    reinit: 'patroni-kit reinit lab n2 -c /x/patronictl.yml --force --wait',
    ...over,
  });

  test('clusterTimeline and segmentOnHistory', () => {
    assert.equal(clusterTimeline([]), 1);
    assert.equal(clusterTimeline(history), 2);
    // The leader's timeline 2 began at 0/50000A0: segment 4 of timeline 2 never existed there.
    assert.equal(segmentOnHistory('000000020000000000000004', history, 2), false);
    assert.equal(segmentOnHistory('000000020000000000000005', history, 2), true);
    assert.equal(segmentOnHistory('000000030000000000000005', history, 2), false);
    assert.equal(segmentOnHistory('000000010000000000000003', history, 2), true);
  });

  test('"requested WAL segment already removed" on a segment the leader never had: diverged', () => {
    const d = diagnoseStreaming(
      facts(
        'FATAL:  could not receive data from WAL stream: ERROR:  requested WAL segment 000000020000000000000004 has already been removed',
      ),
    );
    assert.equal(d.cause, 'timeline_diverged');
    assert.match(d.message, /never had/);
    assert.match(d.fix ?? '', /patroni-kit reinit lab n2/);
  });

  test("with the leader's own history file, a same-number branch is diverged, not WAL removed", () => {
    // The DCS history (timeline 3 ended at 0/40331B8) describes the branch the replicas are on; the
    // stale leader's file says its timeline 4 began at 0/50000A0.
    const own = parseHistoryFile('1\t0/402E538\tx\n2\t0/4032EA0\tx\n3\t0/50000A0\tx\n');
    const log = 'ERROR:  requested WAL segment 000000040000000000000004 has already been removed';
    assert.equal(
      diagnoseStreaming(facts(log, { timeline: 4, leaderTimeline: 4, history: own })).cause,
      'timeline_diverged',
    );
    const dcs = parseHistoryFile('1\t0/402E538\tx\n2\t0/4032EA0\tx\n3\t0/40331B8\tx\n');
    assert.equal(
      diagnoseStreaming(facts(log, { timeline: 4, leaderTimeline: 4, history: dcs })).cause,
      'wal_removed',
    );
  });

  test('the same message on a segment of the leader history: WAL removed', () => {
    const d = diagnoseStreaming(
      facts('ERROR:  requested WAL segment 000000020000000000000006 has already been removed'),
    );
    assert.equal(d.cause, 'wal_removed');
  });

  test('rewind failure, refused password, connection failure, nothing known, not running', () => {
    assert.equal(diagnoseStreaming(facts('INFO: pg_rewind exit code=1')).cause, 'rewind_failed');
    const auth = diagnoseStreaming(
      facts(
        'FATAL:  could not connect to the primary server: connection to server at "127.0.20.11", port 5432 failed: FATAL:  password authentication failed for user "replicator"',
      ),
    );
    assert.equal(auth.cause, 'auth_failed');
    assert.match(auth.message, /user replicator/);
    assert.equal(
      diagnoseStreaming(facts('FATAL:  could not connect to the primary server: Connection refused')).cause,
      'cannot_connect',
    );
    assert.equal(diagnoseStreaming(facts('LOG: all fine')).cause, 'not_streaming');
    assert.equal(diagnoseStreaming(facts('', { running: false })).cause, 'not_running');
  });

  test('errors logged before a successful pg_rewind do not count', () => {
    const log = [
      "FATAL:  could not start WAL streaming: ERROR:  requested starting point 0/5000000 on timeline 1 is not in this server's history",
      'INFO: pg_rewind exit code=0',
      'LOG:  waiting for WAL to become available at 0/4002000',
    ].join('\n');
    assert.equal(diagnoseStreaming(facts(log)).cause, 'not_streaming');
  });

  test('"is not in this server\'s history" is a diverged timeline', () => {
    const d = diagnoseStreaming(
      facts(
        "FATAL:  could not start WAL streaming: ERROR:  requested starting point 0/5000000 on timeline 1 is not in this server's history",
        { timeline: 1 },
      ),
    );
    assert.equal(d.cause, 'timeline_diverged');
  });
});
