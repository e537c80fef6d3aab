/** Pure functions: decoders, diffs, config parsing, verdicts (no etcd needed). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildClusterState,
  type ClusterState,
  connectionFromDcsUrl,
  connectionFromPatroniConfig,
  decodeFailover,
  decodeHistory,
  decodeMember,
  decodeStatus,
  decodeSync,
  diffStates,
  mergeConfig,
  normalizeEndpoint,
  normalizeNamespace,
  prefixRangeEnd,
  quorumVerdict,
  type RawKv,
} from '../src/index.js';

const kv = (key: string, value: string, rev = '5', lease?: string): RawKv => ({
  key,
  value: Buffer.from(value),
  createRevision: rev,
  modRevision: rev,
  version: '1',
  ...(lease ? { leaseId: lease } : {}),
});

function state(kvs: RawKv[], revision = '10'): ClusterState {
  return buildClusterState(kvs, { namespace: 'service', scope: 'c', prefix: '/service/c/', revision });
}

describe('decoders', () => {
  test('member: Patroni 3.0 master, 4.1 primary, legacy URL, defaults', () => {
    const m3 = decodeMember('{"role":"master","state":"running","xlog_location":"42","timeline":3}');
    assert.ok(m3.ok);
    assert.equal(m3.value.xlog_location, 42);
    const legacy = decodeMember(
      'postgres://u@10.0.0.1:5432/postgres?application_name=http://10.0.0.1:8008/patroni',
    );
    assert.ok(legacy.ok);
    assert.equal(legacy.value.api_url, 'http://10.0.0.1:8008/patroni');
    assert.equal(legacy.value.state, 'unknown');
    const noState = decodeMember('{"role":"replica"}');
    assert.ok(noState.ok);
    assert.equal(noState.value.state, 'unknown');
    assert.equal(decodeMember('[1,2]').ok, false);
    assert.equal(decodeMember('{oops').ok, false);
  });

  test('failover: cleared {}, empty, JSON, legacy leader:member', () => {
    assert.deepEqual(decodeFailover('{}'), { ok: true, value: {} });
    assert.deepEqual(decodeFailover(''), { ok: true, value: {} });
    assert.deepEqual(
      decodeFailover('{"leader":"a","member":"b","scheduled_at":"2030-01-01T00:00:00+00:00"}'),
      {
        ok: true,
        value: { leader: 'a', member: 'b', scheduled_at: '2030-01-01T00:00:00+00:00' },
      },
    );
    assert.deepEqual(decodeFailover('a:b'), { ok: true, value: { leader: 'a', member: 'b' } });
  });

  test('history rows of 3, 4 and 5 elements; bad rows rejected', () => {
    const h = decodeHistory('[[1,100,"r"],[2,200,"r2","2026-01-01T00:00:00+00:00"],[3,300,"r3","t","n2"]]');
    assert.ok(h.ok);
    assert.deepEqual(
      h.value.map((e) => [e.timeline, e.lsn, e.timestamp, e.newLeader]),
      [
        [1, 100, undefined, undefined],
        [2, 200, '2026-01-01T00:00:00+00:00', undefined],
        [3, 300, 't', 'n2'],
      ],
    );
    assert.equal(decodeHistory('[[1]]').ok, false);
  });

  test('sync 3.0 and 4.x quorum; status as object or bare integer', () => {
    const s = decodeSync('{"leader":"a","quorum":1,"sync_standby":"b,c"}');
    assert.ok(s.ok);
    assert.deepEqual(s.value.syncStandbys, ['b', 'c']);
    const none = decodeSync('{"leader":"a","sync_standby":null}');
    assert.ok(none.ok);
    assert.deepEqual(none.value.syncStandbys, []);
    assert.deepEqual(decodeStatus('123'), { ok: true, value: { optime: 123 } });
  });

  test('cluster state: initializing, unknown keys, Citus-free prefix filtering', () => {
    const s = state([
      kv('/service/c/initialize', ''),
      kv('/service/c/extra', 'x'),
      kv('/service/c/members/a/b', 'x'),
      kv('/service/other/leader', 'z'),
    ]);
    assert.equal(s.initialized, true);
    assert.equal(s.systemId, undefined);
    assert.deepEqual(s.unknownKeys, ['/service/c/extra', '/service/c/members/a/b']);
    assert.equal(s.leader, undefined);
  });
});

describe('diffStates', () => {
  const base = [
    kv('/service/c/config', '{"ttl":30}'),
    kv('/service/c/leader', 'a'),
    kv('/service/c/members/a', '{"role":"primary","state":"running","timeline":4}'),
  ];
  test('leader change carries the new timeline; pause/resume; failover scheduled/cleared', () => {
    const s1 = state(base);
    const s2 = state([
      kv('/service/c/config', '{"ttl":30,"pause":true}', '11'),
      kv('/service/c/leader', 'b'),
      kv('/service/c/members/a', '{"role":"primary","state":"running","timeline":4}'),
      kv('/service/c/members/b', '{"role":"primary","state":"running","timeline":5}'),
      kv('/service/c/failover', '{"member":"b"}'),
    ]);
    const ev = diffStates(s1, s2);
    const types = ev.map((e) => e.type);
    assert.deepEqual(
      types.sort(),
      ['leader-changed', 'member-joined', 'paused', 'switchover-scheduled'].sort(),
    );
    const lc = ev.find((e) => e.type === 'leader-changed');
    assert.ok(lc && lc.type === 'leader-changed');
    assert.equal(lc.timeline, 5);
    assert.equal(lc.revision, '10');
    // The leader key moves before the new leader promotes: its member key still says replica, old timeline.
    const early = diffStates(
      s1,
      state([
        kv('/service/c/config', '{"ttl":30}', '11'),
        kv('/service/c/leader', 'b'),
        kv('/service/c/members/a', '{"role":"primary","state":"running","timeline":4}'),
        kv('/service/c/members/b', '{"role":"replica","state":"running","timeline":4}'),
      ]),
    ).find((e) => e.type === 'leader-changed');
    assert.ok(early && early.type === 'leader-changed');
    assert.equal(early.to, 'b');
    assert.equal(early.timeline, undefined, 'no timeline before the new leader says it promoted');
    const back = diffStates(s2, state(base)).map((e) => e.type);
    assert.ok(
      back.includes('resumed') && back.includes('switchover-cleared') && back.includes('member-left'),
    );
    assert.ok(!back.includes('config-changed'), 'pause alone is not a config change');
  });

  test('no change, no events', () => {
    assert.deepEqual(diffStates(state(base), state(base)), []);
  });
});

describe('connection settings like patronictl', () => {
  test('patroni.yml etcd3 section: hosts list, protocol, auth, TLS files, namespace, scope', () => {
    const t = connectionFromPatroniConfig({
      scope: 'demo',
      namespace: '/db/',
      etcd3: {
        hosts: ['127.0.4.11:2379', '127.0.4.12:2379'],
        protocol: 'https',
        username: 'u',
        password: 'p',
        cacert: '/ca',
        cert: '/c',
        key: '/k',
      },
    });
    assert.deepEqual(t.connection.endpoints, ['https://127.0.4.11:2379', 'https://127.0.4.12:2379']);
    assert.deepEqual(t.connection.auth, { username: 'u', password: 'p' });
    assert.deepEqual(t.connection.tls, { caFile: '/ca', certFile: '/c', keyFile: '/k' });
    assert.equal(t.namespace, 'db');
    assert.equal(t.scope, 'demo');
  });

  test('comma-separated hosts string, host, PATRONI_* env overrides, etcd v2 section read through v3', () => {
    assert.deepEqual(connectionFromPatroniConfig({ etcd3: { hosts: 'a:1,b:2' } }).connection.endpoints, [
      'http://a:1',
      'http://b:2',
    ]);
    const env = connectionFromPatroniConfig(
      { etcd3: { host: 'x:1' } },
      { PATRONI_ETCD3_HOSTS: 'y:2', PATRONI_SCOPE: 's' },
    );
    assert.deepEqual(env.connection.endpoints, ['http://y:2', 'http://x:1']);
    assert.equal(env.scope, 's');
    const v2 = connectionFromPatroniConfig({ etcd: { host: 'z:2379' } });
    assert.equal(v2.warnings.length, 1);
    assert.throws(() => connectionFromPatroniConfig({ consul: {} }), { code: 'CONFIG', message: /consul/ });
    assert.throws(() => connectionFromPatroniConfig({ etcd3: {} }), { code: 'CONFIG' });
  });

  test('--dcs-url forms', () => {
    const a = connectionFromDcsUrl('etcd3://127.0.4.11:2379/myns');
    assert.deepEqual(a.connection.endpoints, ['http://127.0.4.11:2379']);
    assert.equal(a.namespace, 'myns');
    const b = connectionFromDcsUrl('etcd3://user:p%40ss@h1,h2:2380');
    assert.deepEqual(b.connection.endpoints, ['http://h1:2379', 'http://h2:2380']);
    assert.deepEqual(b.connection.auth, { username: 'user', password: 'p@ss' });
    assert.equal(b.namespace, 'service');
    assert.equal(connectionFromDcsUrl('https://h:1').connection.endpoints[0], 'https://h:1');
    assert.throws(() => connectionFromDcsUrl('consul://h'), { code: 'USAGE' });
  });
});

describe('small helpers', () => {
  test('prefix range end, namespace normalisation, endpoints, config merge', () => {
    assert.equal(prefixRangeEnd(Buffer.from('/a/')).toString(), '/a0');
    assert.deepEqual([...prefixRangeEnd(Buffer.from([0x61, 0xff]))], [0x62]);
    assert.equal(normalizeNamespace('//service//'), 'service');
    assert.equal(normalizeNamespace(undefined), 'service');
    assert.equal(normalizeEndpoint('127.0.0.1'), 'http://127.0.0.1:2379');
    assert.deepEqual(mergeConfig({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: null, e: 4 } }), {
      b: { d: 3, e: 4 },
    });
  });

  test('quorum verdicts in words', () => {
    assert.equal(
      quorumVerdict(1, 3).message,
      'quorum lost: 1 of 3 members healthy, Patroni cannot elect a leader',
    );
    assert.equal(quorumVerdict(2, 3).state, 'degraded');
    assert.match(quorumVerdict(2, 3).message, /one more failure stops leader elections/);
    assert.equal(
      quorumVerdict(3, 3, true, 'e1').message,
      'quorum ok: 3 of 3 members healthy, etcd leader e1',
    );
    assert.equal(quorumVerdict(3, 3, false).state, 'lost');
  });
});
