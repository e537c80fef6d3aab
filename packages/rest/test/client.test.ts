/** Corner cases of the client against small real node:http / net servers. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isPatroniKitError, type PatroniKitError } from '@patroni-kit/errors';
import { blockingWriteTimeout, isPrimaryRole, PatroniClient, unwrapWrite } from '../src/index.js';
import { closedPort, httpServer, nodeStatus, rawServer, type TestServer } from './servers.js';

const servers: TestServer[] = [];
const clients: PatroniClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

function track<T extends TestServer>(server: T): T {
  servers.push(server);
  return server;
}
function client(
  url: string,
  options: Partial<ConstructorParameters<typeof PatroniClient>[0]> = {},
): PatroniClient {
  const c = new PatroniClient({ url, ...options });
  clients.push(c);
  return c;
}
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<PatroniKitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isPatroniKitError(error), `expected a PatroniKitError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}
function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

describe('reads', () => {
  it('decodes GET /patroni and sends no credentials on GETs', async () => {
    const server = track(await httpServer((_req, res) => json(res, 200, nodeStatus())));
    const c = client(server.url, { auth: { username: 'admin', password: 's3cret' } });
    const status = await c.getPatroni();
    assert.equal(status.role, 'primary');
    assert.equal(status.patroni.version, '4.0.7');
    assert.equal(server.seen[0]?.url, '/patroni');
    assert.equal(server.seen[0]?.headers.authorization, undefined);
  });

  it('accepts a member api_url ending in /patroni and strips the path', async () => {
    const server = track(await httpServer((_req, res) => json(res, 200, { members: [] })));
    const c = client(`${server.url}/patroni`);
    assert.equal(c.url, server.url);
    assert.deepEqual(await c.getCluster(), { members: [] });
    assert.equal(server.seen[0]?.url, '/cluster');
  });

  it('serialises health queries as lag and tag_<name>', async () => {
    const server = track(await httpServer((_req, res) => json(res, 503, nodeStatus('replica'))));
    const result = await client(server.url).health('replica', { lag: '16MB', tags: { nofailover: 'false' } });
    assert.equal(result.status, 503);
    assert.equal(result.ok, false);
    assert.equal(result.body.role, 'replica');
    assert.equal(server.seen[0]?.url, '/replica?lag=16MB&tag_nofailover=false');
  });

  it('reads bare HTTP/1.0 status lines (HEAD/OPTIONS, /liveness) like Patroni sends them', async () => {
    const server = track(
      await rawServer((socket, index) => {
        socket.once('data', () => {
          socket.end(index === 0 ? 'HTTP/1.0 200 OK\r\n\r\n' : 'HTTP/1.0 503 Service Unavailable\r\n\r\n');
        });
      }),
    );
    const c = client(server.url);
    assert.deepEqual(await c.healthStatus('primary', {}, { method: 'OPTIONS' }), { status: 200, ok: true });
    assert.deepEqual(await c.liveness(), { status: 503, ok: false });
    assert.deepEqual(
      server.seen.map((s) => `${s.method} ${s.url}`),
      ['OPTIONS /primary', 'GET /liveness'],
    );
  });

  it('reports malformed JSON as DECODE', async () => {
    const server = track(
      await httpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"state": "running", ');
      }),
    );
    const error = await rejectsWith(client(server.url).getPatroni(), 'DECODE');
    assert.match(error.message, /malformed JSON/);
  });

  it('reports a non-Patroni server as DECODE (HTML) or HTTP_STATUS (404) with a hint', async () => {
    const server = track(
      await httpServer((req, res) => {
        if (req.url === '/patroni') {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<html><body>Welcome to nginx!</body></html>');
        } else if (req.url === '/cluster') {
          json(res, 200, { hello: 'world' });
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found');
        }
      }),
    );
    const c = client(server.url);
    const html = await rejectsWith(c.getPatroni(), 'DECODE');
    assert.match(html.message, /expected JSON, got text\/html/);
    assert.match(html.hint ?? '', /Patroni REST API/);
    const shape = await rejectsWith(c.getCluster(), 'DECODE');
    assert.match(shape.message, /not a Patroni cluster status/);
    const missing = await rejectsWith(c.getHistory(), 'HTTP_STATUS');
    assert.equal(missing.status, 404);
    assert.match(missing.hint ?? '', /Patroni REST API/);
  });

  it('caps the answer size (DECODE) instead of buffering a runaway body', async () => {
    const server = track(
      await httpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"pad": "${'x'.repeat(4096)}"}`);
      }),
    );
    const error = await rejectsWith(client(server.url, { maxResponseBytes: 1024 }).getConfig(), 'DECODE');
    assert.match(error.message, /larger than 1024 bytes/);
  });

  it('reports a non-HTTP server as DECODE', async () => {
    const server = track(
      await rawServer((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2\r\n'))),
    );
    const error = await rejectsWith(client(server.url, { retries: 0 }).getPatroni(), 'DECODE');
    assert.match(error.message, /not valid HTTP/);
  });

  it('maps GET /config 502 to HTTP_STATUS naming the missing config key', async () => {
    const server = track(
      await httpServer((_req, res) => {
        res.writeHead(502, { 'content-type': 'text/html;charset=utf-8' });
        res.end(
          '<!DOCTYPE HTML>\n<html lang="en">\n<head><title>Error response</title></head>\n<body><h1>Error response</h1>\n<p>Error code: 502</p>\n<p>Message: Bad Gateway.</p>\n</body></html>\n',
        );
      }),
    );
    const error = await rejectsWith(client(server.url).getConfig(), 'HTTP_STATUS');
    assert.equal(error.status, 502);
    assert.match(error.message, /502 Bad Gateway/);
    assert.match(error.hint ?? '', /no valid config key/);
  });

  it('fails with CONNECT when nothing listens, after its retries', async () => {
    const port = await closedPort();
    const error = await rejectsWith(
      client(`http://127.0.0.1:${port}`, { retryDelayMs: 1 }).getPatroni(),
      'CONNECT',
    );
    assert.match(error.message, /cannot connect/);
    assert.match(error.hint ?? '', /restapi\.connect_address/);
  });

  it('retries a GET whose connection dropped, and succeeds', async () => {
    const server = track(
      await rawServer((socket, index) => {
        socket.once('data', () => {
          if (index < 2) {
            socket.destroy();
            return;
          }
          const body = JSON.stringify(nodeStatus());
          socket.end(`HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n${body}`);
        });
      }),
    );
    const status = await client(server.url, { retries: 2, retryDelayMs: 1 }).getPatroni();
    assert.equal(status.state, 'running');
    assert.equal(server.connections, 3);
  });

  it('gives up with TIMEOUT when the member never answers', async () => {
    const server = track(await rawServer(() => {}));
    const error = await rejectsWith(client(server.url).getPatroni({ timeoutMs: 300 }), 'TIMEOUT');
    assert.match(error.message, /no answer within 300 ms/);
  });

  it('honours an AbortSignal', async () => {
    const server = track(await rawServer(() => {}));
    const controller = new AbortController();
    const pending = client(server.url).getCluster({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, 'ABORTED');
    await rejectsWith(client(server.url).getCluster({ signal: AbortSignal.abort() }), 'ABORTED');
  });
});

describe('writes', () => {
  it('sends JSON with credentials and returns succeeded for 2xx', async () => {
    const server = track(
      await httpServer((_req, res) => {
        res.writeHead(202, { 'content-type': 'text/html' });
        res.end('Switchover scheduled');
      }),
    );
    const c = client(server.url, { auth: { username: 'admin', password: 's3cret' } });
    const result = await c.switchover({
      leader: 'n1',
      candidate: 'n2',
      scheduled_at: '2030-01-01T00:00:00+00:00',
    });
    assert.deepEqual(result, { outcome: 'succeeded', status: 202, body: 'Switchover scheduled' });
    assert.equal(unwrapWrite(result), 'Switchover scheduled');
    const seen = server.seen[0];
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.headers.authorization, `Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
    assert.equal(seen?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen?.body ?? ''), {
      leader: 'n1',
      candidate: 'n2',
      scheduled_at: '2030-01-01T00:00:00+00:00',
    });
  });

  it('returns failed with Patroni text for a refusal, and unknown for "status unknown"', async () => {
    const server = track(
      await httpServer((req, res) => {
        res.writeHead(req.url === '/failover' ? 503 : 412, { 'content-type': 'text/html' });
        res.end(req.url === '/failover' ? 'Failover status unknown' : 'candidate does not exists');
      }),
    );
    const c = client(server.url);
    const refused = await c.switchover({ leader: 'n1', candidate: 'nope' });
    assert.equal(refused.outcome, 'failed');
    assert.ok(refused.outcome === 'failed');
    assert.equal(refused.status, 412);
    assert.equal(refused.message, 'candidate does not exists');
    assert.equal(refused.error.code, 'HTTP_STATUS');
    assert.throws(
      () => unwrapWrite(refused),
      (e) => isPatroniKitError(e, 'HTTP_STATUS') && e.status === 412,
    );
    const unknown = await c.failover({ candidate: 'n2' });
    assert.equal(unknown.outcome, 'unknown');
    assert.ok(unknown.outcome === 'unknown');
    assert.equal(unknown.status, 503);
    assert.match(unknown.reason, /status unknown/);
    assert.equal(unknown.error.code, 'AMBIGUOUS_WRITE');
    assert.equal(unknown.transport, undefined);
  });

  it('never retries a write: a dropped connection after sending is unknown', async () => {
    const server = track(await rawServer((socket) => socket.once('data', () => socket.destroy())));
    const result = await client(server.url, { retries: 5 }).reload();
    assert.equal(result.outcome, 'unknown');
    assert.ok(result.outcome === 'unknown');
    assert.equal(result.transport, 'CONNECT');
    assert.equal(result.error.code, 'AMBIGUOUS_WRITE');
    assert.match(result.reason, /may have reached Patroni/);
    assert.throws(
      () => unwrapWrite(result),
      (e) => isPatroniKitError(e, 'AMBIGUOUS_WRITE'),
    );
    assert.equal(server.connections, 1);
    assert.equal(server.seen.length, 1);
  });

  it('reports a write that timed out as unknown, sent exactly once', async () => {
    const server = track(await rawServer(() => {}));
    const result = await client(server.url).restart({}, { timeoutMs: 300 });
    assert.equal(result.outcome, 'unknown');
    assert.ok(result.outcome === 'unknown');
    assert.equal(result.transport, 'TIMEOUT');
    assert.equal((result.error.cause as { code?: string }).code, 'TIMEOUT');
    assert.equal(server.seen.length, 1);
    assert.equal(server.seen[0]?.method, 'POST');
  });

  it('reports a write cancelled after it was sent as unknown', async () => {
    const server = track(await rawServer(() => {}));
    const controller = new AbortController();
    const pending = client(server.url).reinitialize({ force: true }, { signal: controller.signal });
    // Abort once the request has arrived, so it certainly left this process.
    for (let i = 0; i < 200 && server.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.seen.length, 1);
    controller.abort();
    const result = await pending;
    assert.equal(result.outcome, 'unknown');
    assert.ok(result.outcome === 'unknown');
    assert.equal(result.transport, 'ABORTED');
  });

  it('throws CONNECT (not unknown) when a write could not connect: nothing was sent', async () => {
    const port = await closedPort();
    const error = await rejectsWith(client(`http://127.0.0.1:${port}`).reload(), 'CONNECT');
    assert.equal(error.details?.started, false);
  });

  it('turns 401 into AUTH naming restapi.authentication, without leaking the password', async () => {
    const server = track(
      await httpServer((req, res) => {
        res.writeHead(401, { 'content-type': 'text/html', 'www-authenticate': 'Basic realm="Patroni"' });
        res.end(req.headers.authorization ? 'not authenticated' : 'no auth header received');
      }),
    );
    const wrong = await rejectsWith(
      client(`http://admin:hunter2@127.0.0.1:${server.port}`).restart({ role: 'replica' }),
      'AUTH',
    );
    assert.equal(wrong.status, 401);
    assert.match(
      wrong.message,
      /not authenticated: wrong REST API username or password \(restapi\.authentication\)/,
    );
    assert.match(wrong.hint ?? '', /restapi\.authentication/);
    const missing = await rejectsWith(client(server.url).cancelRestart(), 'AUTH');
    assert.match(missing.message, /no auth header received/);
    assert.match(missing.hint ?? '', /pass auth/);
    for (const e of [wrong, missing]) {
      assert.doesNotMatch(JSON.stringify(e.toJSON()) + e.describe(), /hunter2/);
    }
    assert.equal(
      server.seen[0]?.headers.authorization,
      `Basic ${Buffer.from('admin:hunter2').toString('base64')}`,
    );
  });

  it('returns unknown when a 2xx body cannot be decoded', async () => {
    const server = track(
      await httpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ttl": ');
      }),
    );
    const result = await client(server.url).patchConfig({ ttl: 30 });
    assert.equal(result.outcome, 'unknown');
    assert.ok(result.outcome === 'unknown');
    assert.equal(result.status, 200);
    assert.equal(result.transport, 'DECODE');
    assert.equal(result.error.code, 'AMBIGUOUS_WRITE');
  });
});

describe('usage', () => {
  it('rejects bad URLs, schemes, timeouts and TLS on http', () => {
    assert.throws(
      () => new PatroniClient({ url: 'not a url' }),
      (e) => isPatroniKitError(e, 'USAGE'),
    );
    assert.throws(
      () => new PatroniClient({ url: 'ftp://127.0.0.1' }),
      (e) => isPatroniKitError(e, 'USAGE'),
    );
    assert.throws(
      () => new PatroniClient({ url: 'http://127.0.0.1:8008', timeouts: { read: 0 } }),
      (e) => isPatroniKitError(e, 'USAGE'),
    );
    assert.throws(
      () => new PatroniClient({ url: 'http://127.0.0.1:8008', tls: { ca: 'x' } }),
      (e) => isPatroniKitError(e, 'USAGE') && /not https/.test(e.message),
    );
  });

  it('rejects empty config bodies and unknown health endpoints before sending', async () => {
    const c = client('http://127.0.0.1:9');
    await rejectsWith(c.patchConfig({}), 'USAGE');
    await rejectsWith(c.health('nope' as never), 'USAGE');
    await rejectsWith(c.healthStatus('nope' as never), 'USAGE');
  });

  it('sizes blocking writes after Patroni’s own poll (2*max(10, loop_wait) s) plus a margin', () => {
    assert.equal(blockingWriteTimeout(2, 5_000), 25_000);
    assert.equal(blockingWriteTimeout(30, 0), 60_000);
  });

  it('treats master (3.x) and primary (4.x) as the same role', () => {
    assert.equal(isPrimaryRole('master'), true);
    assert.equal(isPrimaryRole('primary'), true);
    assert.equal(isPrimaryRole('replica'), false);
    assert.equal(isPrimaryRole(undefined), false);
  });

  it('refuses calls after close()', async () => {
    const c = new PatroniClient({ url: 'http://127.0.0.1:9' });
    await c.close();
    await rejectsWith(c.getPatroni(), 'USAGE');
  });
});
