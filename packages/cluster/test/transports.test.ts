/**
 * The one home per protocol on a real lab (Patroni 4.0.7, etcd 3.5, this suite's own 127.0.102.0/24): the lean
 * REST read path (`@patroni-kit/rest/lean`) and etcd's JSON gateway as an `EtcdTransport`
 * (`@patroni-kit/dcs/gateway`) read what the undici client and the etcd3 transport read; the gateway hands
 * watches and transactions to etcd3; `onRequest` events of a whole `Cluster` carry no password.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cluster } from '@patroni-kit/cluster';
import { Etcd3Transport, type RawKv } from '@patroni-kit/dcs';
import { GatewayTransport } from '@patroni-kit/dcs/gateway';
import type { RequestEvent } from '@patroni-kit/errors';
import { Lab, type LabStatus } from '@patroni-kit/lab';
import { PatroniClient } from '@patroni-kit/rest';
import { leanGetJson, leanRequest } from '@patroni-kit/rest/lean';
import { labDir } from './helpers.js';

const NET = '127.0.102';

describe('lean REST path and the etcd gateway transport on a real lab', () => {
  const dir = labDir('transports');
  const lab = new Lab({
    dir,
    profile: 'fast',
    hosts: [`${NET}.11`, `${NET}.12`, `${NET}.13`],
    haproxyHost: `${NET}.1`,
  });
  let status: LabStatus;

  before(async () => {
    status = await lab.up();
  });
  after(async () => {
    await lab.down({ purge: true });
    rmSync(dirname(dir), { recursive: true, force: true });
  });

  test('leanGetJson reads the same member as PatroniClient', async () => {
    const url = status.restUrls[0]!;
    const client = new PatroniClient({ url });
    try {
      const viaUndici = await client.getPatroni();
      const viaLean = (await leanGetJson(`${url}/patroni`, { timeoutMs: 5000 })) as typeof viaUndici;
      assert.equal(viaLean.patroni.scope, viaUndici.patroni.scope);
      assert.equal(viaLean.role, viaUndici.role);
      assert.equal(viaLean.timeline, viaUndici.timeline);
    } finally {
      await client.close();
    }
    // A 503 health answer is an HTTP answer for leanRequest, and HTTP_STATUS for leanGetJson.
    const roles = await Promise.all(
      status.restUrls.map(
        async (u) => ((await leanGetJson(`${u}/patroni`, { timeoutMs: 5000 })) as { role: string }).role,
      ),
    );
    const replica = status.restUrls[roles.indexOf('replica')]!;
    const health = await leanRequest({ url: `${replica}/primary`, timeoutMs: 5000 });
    assert.equal(health.status, 503);
    await assert.rejects(leanGetJson(`${replica}/primary`, { timeoutMs: 5000 }), {
      code: 'HTTP_STATUS',
      status: 503,
    });
  });

  test('GatewayTransport reads what Etcd3Transport reads, and hands watch and txn to etcd3', async () => {
    const endpoints = status.etcdEndpoints;
    const prefix = `/${status.namespace.replace(/^\/+|\/+$/g, '')}/${status.scope}/`;
    const gw = new GatewayTransport({ endpoints });
    const grpc = new Etcd3Transport({ endpoints });
    try {
      const a = await gw.range(prefix, { prefix: true });
      const b = await grpc.range(prefix, { prefix: true });
      assert.ok(
        a.kvs.some((kv) => kv.key === `${prefix}leader`),
        'the gateway sees the leader key',
      );
      // Patroni rewrites values every loop; the keys and the leader's lease stay.
      const keys = (kvs: RawKv[]) => kvs.map((kv) => kv.key).sort();
      assert.deepEqual(keys(a.kvs), keys(b.kvs));
      const leaderLease = (kvs: RawKv[]) => kvs.find((kv) => kv.key === `${prefix}leader`)?.leaseId;
      assert.equal(leaderLease(a.kvs), leaderLease(b.kvs));
      assert.equal(a.count, a.kvs.length);
      assert.ok(
        endpoints.some((e) => a.endpoint === e),
        a.endpoint,
      );

      const leader = a.kvs.find((kv) => kv.key === `${prefix}leader`)!;
      assert.ok(leader.leaseId, 'the leader key has a lease');
      const ttl = await gw.leaseTimeToLive(leader.leaseId!);
      assert.ok(ttl.ttl > 0 && ttl.grantedTtl >= ttl.ttl, JSON.stringify(ttl));

      // A transaction and a watch go through etcd3 (loaded on first use) behind the same interface.
      const key = `/pk-gateway-test/${process.pid}`;
      const events: string[] = [];
      let connected!: () => void;
      const isConnected = new Promise<void>((r) => {
        connected = r;
      });
      const watch = gw.watchPrefix('/pk-gateway-test/', a.revision, {
        onEvents: (_rev, evs) => events.push(...evs.map((e) => `${e.type} ${e.kv.key}`)),
        onConnected: () => connected(),
        onDisconnected: () => {},
        onCancelled: (err) => events.push(`cancelled ${err.code}`),
      });
      await isConnected;
      const put = await gw.txn(
        [{ key, target: 'create', op: '==', revision: '0' }],
        [{ put: { key, value: 'x' } }],
        {},
      );
      assert.equal(put.succeeded, true);
      const again = await gw.txn(
        [{ key, target: 'create', op: '==', revision: '0' }],
        [{ put: { key, value: 'y' } }],
        {},
      );
      assert.equal(again.succeeded, false, 'the compare fails once the key exists');
      const deadline = Date.now() + 15_000;
      while (!events.includes(`put ${key}`) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.ok(events.includes(`put ${key}`), events.join(', '));
      await gw.txn([], [{ delete: key }], {});
      await watch.close();
      assert.equal((await gw.range(key)).kvs.length, 0);
      const members = await gw.memberList({});
      assert.equal(members.members.length, endpoints.length);
    } finally {
      gw.close();
      grpc.close();
    }
  });

  test('onRequest: a Cluster reports every request, and no event holds a password', async () => {
    const password = 'pk-NoLeak-7f3a9';
    const events: RequestEvent[] = [];
    // Credentials in the member URL and in the etcd URL: this etcd has no auth, so the gateway's
    // authentication fails (AUTH) and the cluster falls back to the REST URL, which still logs nothing secret.
    const rest = status.restUrls[0]!.replace('://', `://admin:${password}@`);
    const cluster = await Cluster.connect({
      restUrls: [rest],
      dcsUrl: `etcd3://root:${password}@${status.etcdEndpoints[0]!.replace(/^https?:\/\//, '')}`,
      env: {},
      homeDir: dirname(dir),
      onRequest: (e) => events.push(e),
    });
    try {
      await cluster.list().catch(() => undefined);
      const plain = await Cluster.connect({
        configFile: status.ctlConfig,
        env: {},
        homeDir: dirname(dir),
        onRequest: (e) => events.push(e),
      });
      try {
        const view = await plain.list();
        assert.ok(view.members.length === 3);
      } finally {
        await plain.close();
      }
    } finally {
      await cluster.close();
    }
    assert.ok(
      events.some(
        (e) =>
          e.method === 'POST' && e.url.endsWith('/v3/kv/range') && e.outcome === 'ok' && e.status === 200,
      ),
      'the etcd range read is reported',
    );
    assert.ok(
      events.some((e) => e.method === 'GET' && e.url.endsWith('/patroni') && e.outcome === 'ok'),
      'member reads are reported',
    );
    assert.ok(
      events.some((e) => e.url.endsWith('/v3/auth/authenticate')),
      'the refused authentication is reported',
    );
    for (const e of events) {
      assert.ok(!JSON.stringify(e).includes(password), `an event holds the password: ${JSON.stringify(e)}`);
      assert.ok(e.durationMs >= 0 && ['ok', 'error', 'unknown'].includes(e.outcome));
    }
  });
});
