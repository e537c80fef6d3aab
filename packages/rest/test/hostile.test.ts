/** Issue 13 regressions: hostile answers and hostile options against real servers on 127.0.50.x. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { isPatroniKitError } from '@patroni-kit/errors';
import { PatroniClient } from '../src/index.js';
import { type HostileServer, httpHostile, rawHostile } from './hostile-servers.js';

const HOST = '127.0.50.1';
const servers: HostileServer[] = [];
const clients: PatroniClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});
function client(options: ConstructorParameters<typeof PatroniClient>[0]): PatroniClient {
  const c = new PatroniClient(options);
  clients.push(c);
  return c;
}
const status = { state: 'running', role: 'primary', patroni: { version: '4.0.7', scope: 'x', name: 'n1' } };

describe('REST client against hostile answers (issue 13)', () => {
  it('rejects a timeout above 2^31-1 ms as USAGE instead of timing out at once', async () => {
    const s = await httpHostile(HOST, (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status));
    });
    servers.push(s);
    const c = client({ url: s.url });
    for (const timeoutMs of [2 ** 31, 2 ** 40]) {
      await assert.rejects(c.getPatroni({ timeoutMs }), (e: unknown) => isPatroniKitError(e, 'USAGE'));
      const w = await c.reload({ timeoutMs }).catch((e: unknown) => e);
      assert.ok(isPatroniKitError(w, 'USAGE'), `a write with ${timeoutMs} ms is a USAGE error`);
    }
    assert.throws(
      () => new PatroniClient({ url: s.url, timeouts: { write: 2 ** 31 } }),
      (e: unknown) => isPatroniKitError(e, 'USAGE'),
    );
    // The largest allowed value still waits for the answer.
    assert.equal((await c.getPatroni({ timeoutMs: 2 ** 31 - 1 })).role, 'primary');
    assert.equal(s.seen.filter((r) => r.method === 'POST').length, 0, 'no write was sent with a bad timeout');
  });

  it('reports a 70 KB response header as DECODE, not as "cannot connect"', async () => {
    const s = await rawHostile(HOST, (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nx-junk: ${'a'.repeat(70_000)}\r\ncontent-length: 2\r\n\r\n{}`);
    });
    servers.push(s);
    const err = await client({ url: s.url })
      .getPatroni({ timeoutMs: 3000 })
      .catch((e: unknown) => e);
    assert.ok(isPatroniKitError(err), String(err));
    assert.equal(err.code, 'DECODE', err.message);
  });

  for (const code of [502, 504]) {
    it(`reports a proxy's ${code} on POST /switchover as unknown, sent once`, async () => {
      const s = await httpHostile(HOST, (_r, res) => {
        res.writeHead(code, { 'content-type': 'text/html' });
        res.end('<html>bad gateway</html>');
      });
      servers.push(s);
      const r = await client({ url: s.url }).switchover({ leader: 'a', candidate: 'b' }, { timeoutMs: 3000 });
      assert.equal(r.outcome, 'unknown', JSON.stringify(r));
      assert.equal(r.status, code);
      assert.ok(isPatroniKitError(r.error, 'AMBIGUOUS_WRITE'));
      assert.equal(s.seen.filter((x) => x.method === 'POST').length, 1);
    });
  }

  it("keeps Patroni's own 502 page (POST /failsafe with failsafe off) a failed write, not unknown", async () => {
    const s = await httpHostile(HOST, (_r, res) => {
      res.writeHead(502, { 'content-type': 'text/html;charset=utf-8', server: 'BaseHTTP/0.6 Python/3.11.2' });
      res.end('<html><head><title>Error response</title></head><body><p>Error code: 502</p></body></html>');
    });
    servers.push(s);
    const r = await client({ url: s.url }).postFailsafe({ name: 'n1' } as never, { timeoutMs: 3000 });
    assert.equal(r.outcome, 'failed', JSON.stringify(r));
    assert.equal(r.status, 502);
  });

  it('does not echo the password of a URL that does not parse', () => {
    for (const url of [
      'http://admin:pa ss/w@rd@127.0.50.1:8008',
      'admin:Zq9pw%@:8008',
      'http://u:Zq9pw@[::1',
    ]) {
      const err = (() => {
        try {
          new PatroniClient({ url });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(isPatroniKitError(err, 'USAGE'), `${url}: ${String(err)}`);
      for (const text of [err.message, err.stack ?? '', JSON.stringify(err), inspect(err)]) {
        assert.doesNotMatch(text, /pa ss|w@rd|Zq9pw/, text);
      }
    }
  });
});
