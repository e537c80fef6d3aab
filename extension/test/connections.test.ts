import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveTarget } from '@patroni-kit/cluster';
import { isPatroniKitError } from '@patroni-kit/errors';
import {
  ConnectionStore,
  type ResolverInputs,
  type SecretsLike,
  type StateLike,
  splitUserinfo,
} from '../src/model/connections.js';

/** globalState and SecretStorage stand-ins with the same contract (the real ones are VS Code's). */
function stores(options: ResolverInputs = {}) {
  const state = new Map<string, unknown>();
  const secrets = new Map<string, string>();
  const s: StateLike = {
    get: <T>(k: string) => (state.has(k) ? (structuredClone(state.get(k)) as T) : undefined),
    update: async (k, v) => void state.set(k, structuredClone(v)),
  };
  const sec: SecretsLike = {
    get: async (k) => secrets.get(k),
    store: async (k, v) => void secrets.set(k, v),
    delete: async (k) => void secrets.delete(k),
  };
  let n = 0;
  return { state, secrets, store: new ConnectionStore(s, sec, { ...options, newId: () => `id${++n}` }) };
}

describe('connection store', () => {
  it('passwords go to the secret store only, also when they came inside a URL', async () => {
    const { state, secrets, store } = stores();
    await store.add({
      name: 'lab',
      source: { kind: 'dcs', url: 'etcd3://root:s3cr/t@x@127.0.80.21:2379/service', scope: 'lab' },
    });
    await store.add({
      name: 'rest',
      source: { kind: 'rest', urls: ['https://admin:p%40ss@127.0.80.11:8008', 'https://127.0.80.12:8008'] },
      secrets: { postgres: 'pg-pw' },
    });
    const saved = JSON.stringify([...state.values()]);
    for (const secret of ['s3cr/t@x', 'p@ss', 'p%40ss', 'pg-pw']) assert.ok(!saved.includes(secret), secret);
    assert.deepEqual(store.get('id1')?.source, {
      kind: 'dcs',
      url: 'etcd3://127.0.80.21:2379/service',
      scope: 'lab',
    });
    assert.equal(store.get('id1')?.etcdUser, 'root');
    assert.equal(store.get('id2')?.restUser, 'admin');
    assert.deepEqual(Object.fromEntries(secrets), {
      'patroni.cluster/id1/etcd': 's3cr/t@x',
      'patroni.cluster/id2/rest': 'p@ss',
      'patroni.cluster/id2/postgres': 'pg-pw',
    });
    assert.equal(await store.hasSecret('id2', 'rest'), true);
    assert.equal(await store.hasSecret('id1', 'rest'), false);
  });

  it('connectOptions puts the secrets back for Cluster.connect', async () => {
    const { store } = stores();
    await store.add({
      name: 'lab',
      source: { kind: 'dcs', url: 'etcd3://root:pw@127.0.80.21:2379', scope: 'lab' },
    });
    await store.add({
      name: 'r',
      source: { kind: 'rest', urls: ['http://u:v@127.0.80.11:8008'] },
      insecure: true,
    });
    await store.add({ name: 'f', source: { kind: 'config', path: '/etc/patroni/patroni.yml' } });
    assert.deepEqual(await store.connectOptions('id1'), {
      env: {},
      config: {
        namespace: 'service',
        etcd3: { hosts: ['http://127.0.80.21:2379'], username: 'root', password: 'pw' },
      },
      scope: 'lab',
    });
    assert.deepEqual(await store.connectOptions('id2'), {
      env: {},
      restUrls: ['http://127.0.80.11:8008'],
      config: {},
      auth: { username: 'u', password: 'v' },
      insecure: true,
    });
    assert.deepEqual(await store.connectOptions('id3'), { env: {}, configFile: '/etc/patroni/patroni.yml' });
  });

  it('the options resolve through the CLI resolver: etcd auth, namespace, TLS files read, no env leaks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pk-ext-conn-'));
    try {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
      const home = join(dir, 'home');
      // patronictl's default file: an explicit definition must not pick up its ctl settings.
      mkdirSync(join(home, '.config/patroni'), { recursive: true });
      writeFileSync(
        join(home, '.config/patroni/patronictl.yaml'),
        'scope: other\nctl: {authentication: {username: leak, password: leak}}\n',
      );
      // The editor's own environment must not change what a saved cluster means.
      process.env.DCS_URL = 'etcd3://127.0.104.99:2379';
      process.env.PATRONI_SCOPE = 'leaked';
      const { store } = stores({ homeDir: home });
      await store.add({
        name: 'd',
        source: {
          kind: 'dcs',
          url: 'etcd3s://ops:p%2Fw@127.0.104.21:2379,127.0.104.22:2379/pg',
          scope: 'main',
        },
        tls: { caFile: ca },
      });
      await store.add({
        name: 'r',
        source: { kind: 'rest', urls: ['https://127.0.104.11:8008'] },
        tls: { caFile: ca },
        restUser: 'admin',
        secrets: { rest: 'rpw' },
      });
      const d = await resolveTarget(await store.connectOptions('id1'));
      assert.deepEqual(d.dcs?.connection.endpoints, [
        'https://127.0.104.21:2379',
        'https://127.0.104.22:2379',
      ]);
      assert.equal(d.dcs?.connection.auth?.username, 'ops');
      assert.equal(d.dcs?.connection.auth?.password, 'p/w');
      assert.equal(d.dcs?.connection.tls?.caFile, ca);
      assert.equal(d.namespace, 'pg');
      assert.equal(d.scope, 'main');
      assert.equal(String(d.tls?.ca), readFileSync(ca, 'utf8'));
      const r = await resolveTarget(await store.connectOptions('id2'));
      assert.equal(r.dcs, undefined, 'DCS_URL of the process does not leak in');
      assert.equal(d.scope, 'main', 'PATRONI_SCOPE of the process does not leak in');
      assert.equal(r.auth?.username, 'admin');
      assert.equal(r.auth?.password, 'rpw');
      assert.equal(r.scope, undefined, 'the home patronictl.yaml does not leak in');
      assert.deepEqual(r.restUrls, ['https://127.0.104.11:8008']);
    } finally {
      delete process.env.DCS_URL;
      delete process.env.PATRONI_SCOPE;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('update keeps the source and id; remove deletes the secrets too', async () => {
    const { secrets, store } = stores();
    await store.add({ name: 'a', source: { kind: 'rest', urls: ['http://u:v@127.0.80.11:8008'] } });
    await store.add({ name: 'b', source: { kind: 'config', path: '/x.yml' } });
    const updated = await store.update('id1', { production: true });
    assert.equal(updated.production, true);
    assert.equal(store.get('id1')?.production, true);
    assert.equal(await store.remove('id1'), true);
    assert.equal(await store.remove('id1'), false);
    assert.equal(secrets.size, 0);
    assert.deepEqual(
      store.list().map((d) => d.name),
      ['b'],
    );
  });

  it('bad input is refused with a USAGE error naming the fix, and nothing is saved', async () => {
    const { state, store } = stores();
    const cases = [
      { name: '', source: { kind: 'config' as const, path: '/x.yml' } },
      { name: 'x', source: { kind: 'rest' as const, urls: [' '] } },
      { name: 'x', source: { kind: 'rest' as const, urls: ['127.0.80.11:8008'] } },
      { name: 'x', source: { kind: 'dcs' as const, url: 'redis://h', scope: 'lab' } },
      { name: 'x', source: { kind: 'dcs' as const, url: 'etcd3://h:2379', scope: '' } },
    ];
    for (const c of cases)
      await assert.rejects(store.add(c), (e) => isPatroniKitError(e, 'USAGE') && e.hint !== undefined);
    assert.equal(state.size, 0);
    await store.add({ name: 'x', source: { kind: 'config', path: '/x.yml' } });
    await assert.rejects(
      store.add({ name: 'x', source: { kind: 'config', path: '/y.yml' } }),
      /already exists/,
    );
    await assert.rejects(store.connectOptions('nope'), (e) => isPatroniKitError(e, 'NOT_FOUND'));
  });

  it('splitUserinfo takes everything up to the last @', () => {
    assert.deepEqual(splitUserinfo('etcd3://a:b@c@h:1/ns'), {
      url: 'etcd3://h:1/ns',
      username: 'a',
      password: 'b@c',
    });
    assert.deepEqual(splitUserinfo('http://h:8008'), { url: 'http://h:8008' });
    assert.deepEqual(splitUserinfo('http://user@h'), { url: 'http://h', username: 'user' });
  });
});
