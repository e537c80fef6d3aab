/** etcd with authentication on and short-lived tokens (`--auth-token-ttl`), per etcd version. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { type ClusterWatch, DcsClient } from '../src/index.js';
import { Collector } from './collector.js';
import { ETCD, EtcdCluster, type EtcdVersion } from './etcd-cluster.js';
import { seedCluster } from './fixtures.js';
import { CuttableProxy } from './proxy.js';
import { rejects } from './suite.js';

const TOKEN_TTL = 2;

/** Registers the auth suite for `version` on `hosts`. */
export function authSuite(version: EtcdVersion, hosts: [string, string, string], proxyHost: string): void {
  describe(`etcd ${ETCD[version].full} with authentication`, () => {
    const dir = mkdtempSync(join(tmpdir(), `pk-dcs-auth-${version}-`));
    const cluster = new EtcdCluster({ version, hosts, dir, authTokenTtl: TOKEN_TTL });
    let root: Etcd3;
    const clients: DcsClient[] = [];
    const watches: ClusterWatch[] = [];
    const proxy = new CuttableProxy(proxyHost, 2379, { host: hosts[0], port: 2379 });
    const client = (username?: string, password?: string) => {
      const c = new DcsClient({
        endpoints: cluster.endpoints,
        timeoutMs: 4000,
        ...(username === undefined ? {} : { auth: { username, password: password ?? '' } }),
      });
      clients.push(c);
      return c;
    };

    before(async () => {
      await cluster.start();
      const ctl = (...args: string[]) => cluster.etcdctl(args);
      await ctl('user', 'add', 'root:rootpw');
      await ctl('user', 'grant-role', 'root', 'root');
      await ctl('user', 'add', 'patroni:patronipw');
      await ctl('role', 'add', 'patroni');
      await ctl('role', 'grant-permission', 'patroni', '--prefix=true', 'readwrite', '/service/');
      await ctl('user', 'grant-role', 'patroni', 'patroni');
      await ctl('user', 'add', 'reader:readerpw');
      await ctl('role', 'add', 'reader');
      await ctl('role', 'grant-permission', 'reader', '--prefix=true', 'read', '/service/');
      await ctl('user', 'grant-role', 'reader', 'reader');
      await ctl('user', 'add', 'nobody:nobodypw');
      await ctl('auth', 'enable');
      root = new Etcd3({ hosts: cluster.endpoints, auth: { username: 'root', password: 'rootpw' } });
      await seedCluster(root, 'service', 'demo', '4.1');
    });

    after(async () => {
      await proxy.stop();
      for (const w of watches) await w.close();
      for (const c of clients) c.close();
      root?.close();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a user with read permission reads the cluster; a read-write user edits it', async () => {
      const s = await client('reader', 'readerpw').readCluster('demo');
      assert.equal(s.leader?.value, 'n1');
      assert.ok(s.leader?.lease && s.leader.lease.ttl > 0);
      const w = await client('patroni', 'patronipw').editConfig('demo', { loop_wait: 3 });
      assert.equal(w.value.loop_wait, 3);
    });

    test('wrong password, no credentials and missing permissions give AUTH errors that say what to fix', async () => {
      await rejects(
        client('patroni', 'wrong').readCluster('demo'),
        'AUTH',
        /rejected the user name or password/,
      );
      await rejects(client().readCluster('demo'), 'AUTH', /requires authentication|denied permission/);
      const e = await rejects(client('nobody', 'nobodypw').readCluster('demo'), 'AUTH', /denied permission/);
      assert.match(e.hint ?? '', /Grant the etcd user a role/);
      await rejects(
        client('reader', 'readerpw').editConfig('demo', { loop_wait: 4 }),
        'AUTH',
        /denied permission/,
      );
      await rejects(client('nobody', 'nobodypw').watchCluster('demo').start(), 'AUTH', /denied permission/);
    });

    test('unary calls keep working after the token expired (an idle token of that age is proven rejected)', async () => {
      const c = client('patroni', 'patronipw');
      await c.readCluster('demo', { leases: false });
      // A token taken through etcd's JSON gateway after the client's own: it is younger, so once etcd
      // rejects it, the client's token has expired too.
      const gateway = cluster.endpoints[0]!;
      const post = async (path: string, body: unknown, token?: string) => {
        const res = await fetch(`${gateway}${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: token ? { authorization: token } : {},
          signal: AbortSignal.timeout(5000),
        });
        return { status: res.status, text: await res.text() };
      };
      const login = await post('/v3/auth/authenticate', { name: 'patroni', password: 'patronipw' });
      const token = (JSON.parse(login.text) as { token?: string }).token;
      assert.ok(token, login.text);
      const key = Buffer.from('/service/demo/leader').toString('base64');
      assert.equal((await post('/v3/kv/range', { key }, token)).status, 200, 'the fresh token works');
      await new Promise((r) => setTimeout(r, (TOKEN_TTL + 1.5) * 1000));
      const stale = await post('/v3/kv/range', { key }, token);
      assert.notEqual(stale.status, 200, stale.text);
      assert.match(stale.text, /invalid auth token/);
      const s = await c.readCluster('demo', { leases: false });
      assert.equal(s.scope, 'demo');
    });

    test('a watch whose stream reconnects with an expired token re-authenticates and watches again', async () => {
      // Through a proxy we can cut: the member keeps running, so its copy of our token really expires.
      await proxy.start();
      const c0 = new DcsClient({
        endpoints: [`http://${proxyHost}:2379`],
        auth: { username: 'patroni', password: 'patronipw' },
        timeoutMs: 4000,
      });
      clients.push(c0);
      // The long grace lets etcd3 reconnect the stream itself, with the token it cached at start.
      const w = c0.watchCluster('demo', { reconnectGraceMs: 120_000 });
      watches.push(w);
      await w.start();
      const c = new Collector(w);
      proxy.cutAll();
      await c.next('watch-status', (e) => e.state === 'disconnected');
      await new Promise((r) => setTimeout(r, (TOKEN_TTL + 1.5) * 1000));
      proxy.resume();
      const resync = await c.next('watch-status', (e) => e.state === 'resyncing', 30_000);
      assert.equal(resync.error?.code, 'AUTH');
      assert.match(resync.reason ?? '', /token/);
      await c.next('watch-status', (e) => e.state === 'resynced', 30_000);
      c.mark();
      await root.put('/service/demo/leader').value('n2').exec();
      const ev = await c.next('leader-changed');
      assert.deepEqual([ev.from, ev.to], ['n1', 'n2']);
      c.stop();
    });

    test('health works with authentication on', async () => {
      const h = await client('patroni', 'patronipw').health();
      assert.equal(h.quorum.state, 'ok');
      assert.equal(h.endpoints.filter((e) => e.healthy).length, 3);
    });
  });
}
