/**
 * Issue 13 regressions: a hostile etcd JSON gateway, hostile member answers and hostile options, against
 * small real HTTP servers on 127.0.51.x (the shapes real etcd and Patroni never send are the point here).
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { buildClusterState, diffStates, type RawKv } from '@patroni-kit/dcs';
import { GatewayTransport } from '@patroni-kit/dcs/gateway';
import { isPatroniKitError } from '@patroni-kit/errors';
import { Cluster, configHash, viewFromRest } from '../src/index.js';

type Answer = { status?: number; body?: unknown; raw?: string };
const servers: http.Server[] = [];
after(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A server on `host` that answers each path with `answer(path, body)`. */
async function serve(host: string, answer: (path: string, body: string) => Answer): Promise<string> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const a = answer(req.url ?? '', Buffer.concat(chunks).toString('utf8'));
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', connection: 'close' });
      res.end(a.raw ?? JSON.stringify(a.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return undefined;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('etcd gateway against hostile answers (issue 13)', () => {
  for (const [what, body] of [
    ['a null body', null],
    ['kvs that is not a list', { kvs: { a: 1 } }],
    ['kvs holding null', { kvs: [null] }],
    ['a non-string key', { kvs: [{ key: 5, value: b64('x') }] }],
    ['a non-string value', { kvs: [{ key: b64('/service/a/leader'), value: { x: 1 } }] }],
  ] as const) {
    it(`${what} is DECODE, not a TypeError`, async () => {
      const url = await serve('127.0.51.1', () => ({ body }));
      const err = await errorOf(
        new GatewayTransport({ endpoints: [url] }).range('/service/a/', { prefix: true, timeoutMs: 2000 }),
      );
      assert.ok(isPatroniKitError(err, 'DECODE'), String(err));
    });
  }

  it('asks the next endpoint when the first answers 503 "no leader" to authenticate', async () => {
    const sick = await serve('127.0.51.2', () => ({
      status: 503,
      body: { error: 'etcdserver: no leader', code: 14 },
    }));
    const healthy = await serve('127.0.51.3', (path) =>
      path === '/v3/auth/authenticate'
        ? { body: { token: 'tok' } }
        : { body: { header: { revision: '7' }, kvs: [] } },
    );
    const gw = new GatewayTransport({
      endpoints: [sick, healthy],
      auth: { username: 'root', password: 'pw-503' },
    });
    const res = await gw.range('/service/a/', { prefix: true, timeoutMs: 3000 });
    assert.equal(res.endpoint, healthy);
    assert.equal(res.revision, '7');
  });

  it('a null answer to authenticate is a typed error, not "Cannot read properties of null"', async () => {
    const url = await serve('127.0.51.4', () => ({ raw: 'null' }));
    const err = await errorOf(
      new GatewayTransport({ endpoints: [url], auth: { username: 'u', password: 'pw-null' } }).range('/x/', {
        timeoutMs: 2000,
      }),
    );
    assert.ok(isPatroniKitError(err), String(err));
    assert.doesNotMatch((err as Error).message, /Cannot read properties/);
  });

  it('keeps no user:password@ in its endpoints, error details or inspect output', async () => {
    const pw = 'G4t/@ w:%#y';
    const url = `http://root:${encodeURIComponent(pw)}@127.0.51.5:9`;
    const gw = new GatewayTransport({ endpoints: [url, `http://root:${pw}@127.0.51.6:9`] });
    assert.deepEqual(gw.endpoints, ['http://127.0.51.5:9', 'http://127.0.51.6:9']);
    const err = await errorOf(gw.range('/x/', { timeoutMs: 1000 }));
    assert.ok(isPatroniKitError(err), String(err));
    for (const text of [
      err.message,
      err.stack ?? '',
      JSON.stringify(err),
      inspect(err, { depth: 9 }),
      inspect(gw),
    ])
      for (const form of [pw, encodeURIComponent(pw)]) assert.ok(!text.includes(form), text);
  });
});

describe('Cluster facade against hostile answers (issue 13)', () => {
  it('a config 20,000 levels deep in the DCS is a problem, not a stack overflow (diffStates, configHash)', () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const kvs: RawKv[] = [
      {
        key: '/service/a/config',
        value: Buffer.from(deep),
        createRevision: '1',
        modRevision: '1',
        version: '1',
      },
    ];
    const opts = { namespace: 'service', scope: 'a', prefix: '/service/a/', revision: '1' };
    const state = buildClusterState(kvs, opts);
    assert.equal(state.problems.length, 1, JSON.stringify(state.problems));
    assert.match(state.problems[0]!.message, /nested/);
    assert.doesNotThrow(() => diffStates(buildClusterState([], opts), state));
    let nested: unknown = 1;
    for (let i = 0; i < 20_000; i++) nested = { a: nested };
    assert.match(configHash(nested), /^[0-9a-f]{16}$/);
  });

  it('GET /cluster with members [null] and a non-string role gives a view, not a TypeError', () => {
    const view = viewFromRest(
      'a',
      {
        members: [null, { name: 'n1', role: { x: 1 }, state: 7, pending_restart_reason: { x: null } }],
      } as never,
      new Map(),
    );
    assert.deepEqual(
      view.members.map((m) => [m.name, typeof m.role, typeof m.state]),
      [['n1', 'string', 'string']],
    );
  });

  it('timeouts above 2^31-1 ms are USAGE errors', async () => {
    const err = await errorOf(
      Cluster.connect({ restUrls: ['http://127.0.51.7:8008'], scope: 'a', timeouts: { member: 2 ** 31 } }),
    );
    assert.ok(isPatroniKitError(err, 'USAGE'), String(err));
  });

  for (const url of ['not a url', 'ftp://127.0.51.7:21', 'http://u:Pw0rd@x y']) {
    it(`restUrls '${url.replace(/Pw0rd/, '***')}' is a USAGE error that does not echo a password`, async () => {
      const err = await errorOf(Cluster.connect({ restUrls: [url], scope: 'a' }));
      assert.ok(isPatroniKitError(err, 'USAGE'), String(err));
      assert.doesNotMatch((err as Error).message, /Pw0rd/);
    });
  }

  it('a member api_url that is not a URL marks the member, it does not throw', async () => {
    const member = { state: 'running', role: 'primary', api_url: 'http://[bad', conn_url: 'x' };
    const etcd = await serve('127.0.51.8', () => ({
      body: {
        header: { revision: '3' },
        kvs: [
          { key: b64('/service/a/members/n1'), value: b64(JSON.stringify(member)), mod_revision: '3' },
          { key: b64('/service/a/leader'), value: b64('n1'), mod_revision: '3' },
          { key: b64('/service/a/failsafe'), value: b64('{"n1":{"toString":0}}'), mod_revision: '3' },
          {
            key: b64('/service/a/status'),
            value: b64('{"retain_slots":[{"toString":0}]}'),
            mod_revision: '3',
          },
        ],
      },
    }));
    const cluster = await Cluster.connect({ dcsUrl: etcd.replace('http://', 'etcd3://'), scope: 'a' });
    try {
      const view = await cluster.status();
      assert.equal(view.members[0]?.live?.reachable, false);
      assert.equal(view.members[0]?.live?.error?.code, 'CONFIG');
    } finally {
      await cluster.close();
    }
  });
});
