import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerSecret } from '@patroni-kit/errors';
import { formatOperation, formatRequest, logUrl, type RequestEvent } from '../src/model/request-log.js';

describe('request and operation log lines', () => {
  it('a request line has method, URL, status and duration at a level per outcome', () => {
    assert.deepEqual(
      formatRequest({
        method: 'get',
        url: 'http://10.0.0.11:8008/patroni',
        status: 200,
        outcome: 'ok',
        durationMs: 12.4,
      }),
      { level: 'info', message: 'GET http://10.0.0.11:8008/patroni → 200 12 ms' },
    );
    assert.deepEqual(
      formatRequest({
        method: 'POST',
        url: 'http://10.0.0.11:8008/switchover',
        status: 412,
        outcome: 'error',
        durationMs: 1500,
        error: 'candidate\n  is not healthy',
      }),
      {
        level: 'error',
        message: 'POST http://10.0.0.11:8008/switchover → 412 error 1.5 s: candidate is not healthy',
      },
    );
    const unknown = formatRequest({
      method: 'POST',
      url: 'http://10.0.0.11:8008/failover',
      outcome: 'unknown',
      durationMs: 10_000,
      error: 'timed out after 10000 ms',
    });
    assert.equal(unknown.level, 'warn');
    assert.match(unknown.message, /→ outcome unknown 10\.0 s: timed out .*read the cluster to confirm/);
    assert.equal(
      formatRequest({
        method: 'GET',
        url: 'etcd://127.0.0.1:2379 range /service/demo/',
        outcome: 'ok',
        durationMs: 3,
      }).message,
      'GET etcd://127.0.0.1:2379 range /service/demo/ → ok 3 ms',
    );
  });

  it('no password in a URL, a query or an error ever reaches a line', () => {
    const pw = 'S3cr/et@pw';
    registerSecret('registered-token-42');
    const events: RequestEvent[] = [
      {
        method: 'GET',
        url: `http://admin:${pw}@10.0.0.11:8008/cluster`,
        outcome: 'ok',
        status: 200,
        durationMs: 1,
      },
      {
        method: 'GET',
        url: `https://admin:${encodeURIComponent(pw)}@10.0.0.11:8008/x?password=${encodeURIComponent(pw)}&a=1`,
        outcome: 'error',
        durationMs: 1,
        error: `connect ECONNREFUSED for https://admin:${pw}@10.0.0.11:8008 with token registered-token-42`,
      },
      {
        method: 'PATCH',
        url: 'http://10.0.0.11:8008/config?token=abc123def',
        outcome: 'unknown',
        durationMs: 1,
      },
    ];
    const lines = events.map((e) => formatRequest(e, [pw]).message);
    for (const line of lines) {
      for (const s of [pw, encodeURIComponent(pw), 'registered-token-42', 'abc123def', 'S3cr'])
        assert.ok(!line.includes(s), `${s} in ${line}`);
    }
    assert.match(lines[0]!, /^GET http:\/\/\*\*\*@10\.0\.0\.11:8008\/cluster → 200/);
    assert.match(lines[1]!, /\?password=\*\*\*&a=1/);
    // Without being told, a password after user: in a URL is still cut.
    assert.ok(
      !formatRequest({
        method: 'GET',
        url: 'http://u:zz9@h:1/',
        outcome: 'ok',
        durationMs: 0,
      }).message.includes('zz9'),
    );
    assert.ok(logUrl(`http://h/${'x'.repeat(400)}`).length <= 300);
  });

  it('an operation line names command, cluster, outcome and detail without secrets', () => {
    assert.deepEqual(
      formatOperation({
        command: 'patroni.switchover',
        cluster: 'pg-main',
        outcome: 'succeeded',
        durationMs: 4200,
        detail: 'leader is now pg-2',
      }),
      { level: 'info', message: 'patroni.switchover on pg-main: succeeded (4.2 s): leader is now pg-2' },
    );
    assert.equal(formatOperation({ command: 'patroni.restart', outcome: 'unknown' }).level, 'warn');
    const f = formatOperation(
      { command: 'patroni.addCluster', outcome: 'failed', detail: 'AUTH: login as root with pw-9 refused' },
      ['pw-9'],
    );
    assert.equal(f.level, 'error');
    assert.equal(f.message, 'patroni.addCluster: failed: AUTH: login as root with *** refused');
    assert.equal(
      formatOperation({ command: 'patroni.removeCluster', cluster: 'x', outcome: 'cancelled' }).message,
      'patroni.removeCluster on x: cancelled',
    );
  });
});
