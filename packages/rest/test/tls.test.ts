/** TLS against a real node:https server with a CA and certificates made by openssl for this run. */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { isPatroniKitError, type PatroniKitError } from '@patroni-kit/errors';
import { PatroniClient, type PatroniClientOptions } from '../src/index.js';
import { httpServer, listen, makePki, nodeStatus, type Pki, type TestServer } from './servers.js';

let pki: Pki;
let mtls: TestServer; // wants a client certificate signed by the test CA (verify_client: required)
let plainTls: TestServer; // no client certificate needed
let plainHttp: TestServer;
const clients: PatroniClient[] = [];

function tlsServer(requireClientCert: boolean): Promise<TestServer> {
  const state = { seen: [] as TestServer['seen'], connections: 0 };
  const server = https.createServer(
    {
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.ca,
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    },
    (req, res) => {
      state.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' });
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(nodeStatus()));
    },
  );
  server.on('secureConnection', () => state.connections++);
  return listen(server, state, 'https');
}

before(async () => {
  pki = makePki();
  mtls = await tlsServer(true);
  plainTls = await tlsServer(false);
  plainHttp = await httpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(nodeStatus()));
  });
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([mtls, plainTls, plainHttp].map((s) => s?.close()));
  pki?.remove();
});

function client(options: PatroniClientOptions): PatroniClient {
  const c = new PatroniClient({ retries: 0, ...options });
  clients.push(c);
  return c;
}
async function tlsError(promise: Promise<unknown>): Promise<PatroniKitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isPatroniKitError(error, 'TLS'), `expected a TLS error, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a TLS error');
}

describe('TLS', () => {
  it('verifies the server with the given CA and presents the client certificate', async () => {
    const c = client({
      url: mtls.url,
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
    });
    const status = await c.getPatroni();
    assert.equal(status.state, 'running');
    assert.equal(mtls.seen.length, 1);
  });

  it('rejects a server certificate from an unknown CA by default, with a hint about tls.ca', async () => {
    const error = await tlsError(client({ url: plainTls.url }).getPatroni());
    assert.match(error.hint ?? '', /tls\.ca/);
    const wrongCa = await tlsError(client({ url: plainTls.url, tls: { ca: pki.otherCa } }).getPatroni());
    assert.match(wrongCa.message, /TLS failure/);
  });

  it('accepts an unverified server only when rejectUnauthorized is explicitly false', async () => {
    const status = await client({ url: plainTls.url, tls: { rejectUnauthorized: false } }).getPatroni();
    assert.equal(status.patroni.version, '4.0.7');
  });

  it('checks the host name: a certificate for 127.0.0.1 does not match localhost', async () => {
    const url = plainTls.url.replace('127.0.0.1', 'localhost');
    const error = await tlsError(client({ url, tls: { ca: pki.ca } }).getPatroni());
    assert.match(error.hint ?? '', /does not name this host|tls\.servername/);
  });

  it('without the client certificate the server wants, the error names tls.cert (TLS 1.3 ends with a close)', async () => {
    const c = client({ url: mtls.url, tls: { ca: pki.ca } });
    try {
      await c.getPatroni();
      assert.fail('expected an error');
    } catch (error) {
      // TLS 1.3 finishes the handshake before the server checks the certificate, so the client sees either
      // the alert (TLS) or a connection closed without an answer (CONNECT); both must point at tls.cert.
      assert.ok(isPatroniKitError(error, 'TLS', 'CONNECT'), String(error));
      assert.match(`${error.message} ${error.hint}`, /tls\.cert|client certificate/);
    }
    // A write in that situation is never reported as done; the server saw no request.
    const write = await c.reload();
    assert.notEqual(write.outcome, 'succeeded');
    assert.equal(mtls.seen.length, 1);
  });

  it('https:// against a plain HTTP server is a TLS error telling to use http://', async () => {
    const url = plainHttp.url.replace('http://', 'https://');
    const error = await tlsError(client({ url, tls: { ca: pki.ca } }).getPatroni());
    assert.match(error.hint ?? '', /use http:\/\//);
  });

  it('http:// against a TLS server fails clearly, suggesting https://', async () => {
    const url = plainTls.url.replace('https://', 'http://');
    try {
      await client({ url }).getPatroni();
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(isPatroniKitError(error), String(error));
      assert.ok(['CONNECT', 'DECODE'].includes(error.code), error.code);
      assert.match(`${error.message} ${error.hint}`, /https:\/\/|Patroni REST API/);
    }
  });
});
