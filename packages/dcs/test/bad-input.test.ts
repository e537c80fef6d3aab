/** Bad input without a healthy etcd: wrong endpoints, a non-etcd server, malformed endpoints. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DcsClient } from '../src/index.js';
import { rejects } from './suite.js';

describe('bad input', () => {
  let http: Server;
  const clients: DcsClient[] = [];
  const client = (endpoints: string[]) => {
    const c = new DcsClient({ endpoints, timeoutMs: 2000 });
    clients.push(c);
    return c;
  };

  before(async () => {
    // A real HTTP/1.1 server that is not etcd (as if the endpoint pointed at Patroni's REST API).
    http = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"state":"running"}');
    });
    await new Promise<void>((r) => http.listen(8008, '127.0.4.98', () => r()));
  });

  after(async () => {
    for (const c of clients) c.close();
    await new Promise<void>((r) => http.close(() => r()));
  });

  test('nothing listening: CONNECT naming the endpoint, with a hint', async () => {
    const e = await rejects(client(['127.0.4.99:2379']).readCluster('demo'), 'CONNECT', /127\.0\.4\.99:2379/);
    assert.match(e.hint ?? '', /etcd3\.hosts|--dcs-url/);
  });

  test('a server that is not etcd: DCS error saying it does not speak the etcd API', async () => {
    const e = await rejects(
      client(['http://127.0.4.98:8008']).readCluster('demo'),
      'DCS',
      /does not speak etcd/,
    );
    assert.match(e.hint ?? '', /2379/);
  });

  test('a watch on an unreachable etcd fails at start instead of hanging', async () => {
    await rejects(client(['127.0.4.99:2379']).watchCluster('demo').start(), 'CONNECT');
  });

  test('health with every endpoint down: quorum lost, nothing reachable', async () => {
    const h = await client(['127.0.4.99:2379', '127.0.4.97:2379']).health({ timeoutMs: 1500 });
    assert.equal(h.quorum.state, 'lost');
    assert.equal(h.endpoints.filter((e) => e.reachable).length, 0);
    assert.equal(h.quorum.message, 'quorum lost: 0 of 2 members healthy, Patroni cannot elect a leader');
    for (const e of h.endpoints) assert.equal(e.error?.code, 'CONNECT');
  });

  test('malformed endpoints and missing endpoints are USAGE errors', () => {
    assert.throws(() => new DcsClient({ endpoints: ['ftp://127.0.4.99'] }), { code: 'USAGE' });
    assert.throws(() => new DcsClient({ endpoints: ['http://[bad'] }), { code: 'USAGE' });
    assert.throws(() => new DcsClient({ endpoints: [] }), { code: 'USAGE' });
  });

  test('an aborted call rejects with ABORTED at once', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(client(['127.0.4.99:2379']).readCluster('demo', { signal: ac.signal }), {
      code: 'ABORTED',
    });
    const slow = new AbortController();
    const p = client(['127.0.4.99:2379']).readCluster('demo', { signal: slow.signal, timeoutMs: 60_000 });
    slow.abort();
    await assert.rejects(p, { code: 'ABORTED' });
  });

  test('TLS files that do not exist: CONFIG error naming the file', () => {
    assert.throws(
      () => new DcsClient({ endpoints: ['https://127.0.4.99:2379'], tls: { caFile: '/nonexistent/ca.pem' } }),
      {
        code: 'CONFIG',
        message: /\/nonexistent\/ca\.pem/,
      },
    );
  });
});
