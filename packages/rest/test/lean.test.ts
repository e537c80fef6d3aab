/**
 * The lean read path's error corners against small real servers (this suite's own 127.0.102.21): the same
 * codes and hints as PatroniClient, deadlines, cancellation, size cap, and request events without secrets.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isPatroniKitError, type PatroniKitError, type RequestEvent } from '@patroni-kit/errors';
import { leanGetJson, leanRequest, parseJsonBody } from '../src/lean.js';
import { listen, makePki, nodeStatus, type Pki, type SeenRequest, type TestServer } from './servers.js';

const HOST = '127.0.102.21';
let pki: Pki;
let api: TestServer;
let tlsApi: TestServer;
let silent: net.Server;
let silentPort: number;
const hanging = new Set<net.Socket>();

async function code(promise: Promise<unknown>, expected: string): Promise<PatroniKitError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isPatroniKitError(err), `not a PatroniKitError: ${String(err)}`);
    assert.equal(err.code, expected, `${err.code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected ${expected}, got an answer`);
}

before(async () => {
  pki = makePki([HOST]);
  const state = { seen: [] as SeenRequest[], connections: 0 };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.setHeader('connection', 'close');
    if (req.url === '/patroni') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(nodeStatus()));
    } else if (req.url === '/html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>not json</html>');
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`"${'x'.repeat(4096)}"`);
    } else if (req.url === '/private') {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('no auth');
    } else {
      res.writeHead(404);
      res.end();
    }
  };
  api = await listen(http.createServer(handler), state, 'http', HOST);
  tlsApi = await listen(
    https.createServer({ key: pki.serverKey, cert: pki.serverCert }, handler),
    { seen: [], connections: 0 },
    'https',
    HOST,
  );
  // Accepts connections and never answers.
  silent = net.createServer((s) => {
    hanging.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => silent.listen(0, HOST, r));
  silentPort = (silent.address() as net.AddressInfo).port;
});
after(async () => {
  for (const s of hanging) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
  await Promise.all([api.close(), tlsApi.close()]);
  pki.remove();
});

describe('lean read path', () => {
  it('reads JSON and reports the request', async () => {
    const events: RequestEvent[] = [];
    const body = (await leanGetJson(`${api.url}/patroni`, {
      timeoutMs: 5000,
      onRequest: (e) => events.push(e),
    })) as { role: string };
    assert.equal(body.role, 'primary');
    assert.equal(events.length, 1);
    assert.deepEqual(
      { ...events[0], durationMs: 0 },
      { method: 'GET', url: `${api.url}/patroni`, status: 200, outcome: 'ok', durationMs: 0 },
    );
  });

  it('maps failures to the client codes: CONNECT, TIMEOUT, ABORTED, DECODE, AUTH, HTTP_STATUS, CONFIG, USAGE', async () => {
    const closed = await listen(net.createServer(), { seen: [], connections: 0 }, 'http', HOST);
    const closedUrl = closed.url;
    await closed.close();
    const events: RequestEvent[] = [];
    const onRequest = (e: RequestEvent) => events.push(e);
    await code(leanRequest({ url: `${closedUrl}/patroni`, timeoutMs: 2000, onRequest }), 'CONNECT');
    assert.equal(events.at(-1)?.error, 'CONNECT');
    assert.equal(events.at(-1)?.outcome, 'error');
    const timeout = await code(
      leanRequest({ url: `http://${HOST}:${silentPort}/patroni`, timeoutMs: 300 }),
      'TIMEOUT',
    );
    assert.match(timeout.message, /no answer within 300 ms/);
    const ac = new AbortController();
    const pending = leanRequest({
      url: `http://${HOST}:${silentPort}/patroni`,
      timeoutMs: 30_000,
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 50);
    await code(pending, 'ABORTED');
    await code(
      leanRequest({ url: `${api.url}/patroni`, timeoutMs: 1000, signal: AbortSignal.abort() }),
      'ABORTED',
    );
    await code(leanGetJson(`${api.url}/html`, { timeoutMs: 2000 }), 'DECODE');
    await code(leanRequest({ url: `${api.url}/big`, timeoutMs: 2000, maxBytes: 1024 }), 'DECODE');
    const auth = await code(leanGetJson(`${api.url}/private`, { timeoutMs: 2000 }), 'AUTH');
    assert.equal(auth.status, 401);
    await code(leanGetJson(`${api.url}/nothing`, { timeoutMs: 2000 }), 'HTTP_STATUS');
    await code(leanRequest({ url: 'ftp://x/', timeoutMs: 1000 }), 'CONFIG');
    await code(leanRequest({ url: `${api.url}/patroni`, timeoutMs: 2 ** 31 }), 'USAGE');
    assert.throws(
      () => parseJsonBody({ status: 200, statusText: '', headers: {}, body: Buffer.from('{') }, 'x'),
      {
        code: 'DECODE',
      },
    );
  });

  it('TLS: an untrusted certificate names options the CLI has; a wrong protocol says which to use', async () => {
    const untrusted = await code(leanRequest({ url: `${tlsApi.url}/patroni`, timeoutMs: 3000 }), 'TLS');
    assert.match(untrusted.hint ?? '', /ctl\.cacert/);
    assert.match(untrusted.hint ?? '', /-k\/--insecure/);
    assert.doesNotMatch(untrusted.hint ?? '', /(^|[^.\w])--cacert/, 'the CLI has no --cacert flag');
    const trusted = await leanGetJson(`${tlsApi.url}/patroni`, { timeoutMs: 3000, tls: { ca: pki.ca } });
    assert.equal((trusted as { role: string }).role, 'primary');
    const insecure = await leanRequest({
      url: `${tlsApi.url}/patroni`,
      timeoutMs: 3000,
      tls: { rejectUnauthorized: false },
    });
    assert.equal(insecure.status, 200);
    const tlsToPlain = await code(
      leanRequest({ url: api.url.replace('http:', 'https:'), timeoutMs: 3000 }),
      'TLS',
    );
    assert.match(tlsToPlain.hint ?? '', /use http:\/\//);
    const plainToTls = await code(
      leanRequest({ url: `${tlsApi.url.replace('https:', 'http:')}/patroni`, timeoutMs: 3000 }),
      'CONNECT',
    );
    assert.match(plainToTls.hint ?? '', /https:\/\//);
  });

  it('no password reaches an error or an event', async () => {
    const password = 'lean-S3cret-pw';
    const events: RequestEvent[] = [];
    const url = api.url.replace('://', `://admin:${password}@`);
    const err = await code(
      leanGetJson(`${url}/private`, { timeoutMs: 2000, onRequest: (e) => events.push(e) }),
      'AUTH',
    );
    const closed = await code(
      leanRequest({
        url: `http://admin:${password}@${HOST}:${silentPort}/x`,
        timeoutMs: 200,
        onRequest: (e) => events.push(e),
      }),
      'TIMEOUT',
    );
    assert.equal(events.length, 2);
    for (const text of [
      JSON.stringify(events),
      err.message,
      String(err.hint),
      closed.message,
      JSON.stringify(closed.details),
    ])
      assert.ok(!text.includes(password), text);
  });
});
